import { CfnResource, Duration, Resource, Stack, Token } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as route53 from 'aws-cdk-lib/aws-route53';
import type { Construct } from 'constructs';
import type { IPrivateLinkEndpoint } from './privatelink-endpoint';
import { followDefinition } from '../internal/definition-fingerprint';
import { isRfc1123Label, isZoneName } from '../internal/dns-names';
import { invalid, isLiteral, show } from '../internal/validation';
import { readWeakly } from '../internal/weak-reference';

/** A private hosted zone can be associated with at most this many VPCs. */
const MAX_VPCS = 300;

/**
 * Parent domains that vendors share between all their customers: a private zone for one of
 * these would capture every other host of the vendor (SSO, other tenants, downloads).
 */
const SHARED_VENDOR_DOMAINS = [
  'dynatrace.com', 'live.dynatrace.com', 'apps.dynatrace.com', 'dynatrace-managed.com',
  'getmontecarlo.com', 'rivery.io', 'amazonaws.com',
  'datadoghq.com', 'ap1.datadoghq.com', 'ap2.datadoghq.com', 'uk1.datadoghq.com', 'intake.datadoghq.com',
];

/**
 * Where the overridden names point: an interface endpoint's regional DNS name.
 */
export class DnsTarget {
  /**
   * A `PrivateLinkEndpoint` (or any `IPrivateLinkEndpoint`). A zone in another stack than a
   * `PrivateLinkEndpoint`'s reads its DNS name and hosted zone ID as two plain strings, which
   * the endpoint publishes for other stacks (see `PrivateLinkEndpoint`), whatever the app's
   * cross-stack reference strength.
   */
  public static fromEndpoint(endpoint: IPrivateLinkEndpoint): DnsTarget {
    return new DnsTarget(endpoint.regionalDnsName, endpoint.regionalHostedZoneId, endpoint);
  }

  /**
   * An endpoint created elsewhere, by its regional DNS name and that name's hosted zone ID
   * (the first entry of the endpoint's `DnsEntries`, split on `:`).
   */
  public static fromAttributes(dnsName: string, hostedZoneId: string): DnsTarget {
    return new DnsTarget(dnsName, hostedZoneId);
  }

  private constructor(
    /** The endpoint's DNS name. */
    public readonly dnsName: string,
    /** The hosted zone ID of that name. */
    public readonly hostedZoneId: string,
    private readonly endpoint?: IPrivateLinkEndpoint,
  ) {}

  /**
   * The DNS name and hosted zone ID as a record in `scope`'s stack reads them: from an endpoint
   * of another stack, the plain strings it publishes, never a list split on this side (under
   * weak references, a split of `Fn::GetStackOutput` that cfn-lint refuses as E1017).
   *
   * @internal
   */
  public _readFrom(scope: Construct): { dnsName: string; hostedZoneId: string } {
    const publisher = this.endpoint as Partial<DnsPublisher> | undefined;
    if (!publisher?._publishDns || Stack.of(this.endpoint!) === Stack.of(scope)) {
      return { dnsName: this.dnsName, hostedZoneId: this.hostedZoneId };
    }
    // Weakly, so that no export of the endpoint's stack blocks replacing the endpoint; the
    // records follow its definition (see _followIn), so a replacement updates them.
    const published = publisher._publishDns();
    return {
      dnsName: readWeakly(published.dnsName),
      hostedZoneId: readWeakly(published.hostedZoneId),
    };
  }

  /**
   * Makes the records in `scope` (of another stack than the endpoint) change whenever the
   * endpoint's definition does, so that \`cdk deploy\` updates them after the endpoint is replaced.
   *
   * @internal
   */
  public _followIn(scope: Construct): void {
    const producer = this.endpoint?.node.defaultChild;
    if (!producer || !CfnResource.isCfnResource(producer) || Stack.of(producer) === Stack.of(scope)) return;
    for (const c of scope.node.findAll()) {
      if (CfnResource.isCfnResource(c) && c.cfnResourceType === 'AWS::Route53::RecordSet') followDefinition(c, producer);
    }
  }
}

/** An endpoint that can publish its regional DNS name for other stacks (`PrivateLinkEndpoint`). */
interface DnsPublisher {
  _publishDns(): { dnsName: string; hostedZoneId: string };
}

/**
 * Properties of a `PrivateDnsOverride`.
 */
export interface PrivateDnsOverrideProps {
  /**
   * The name of the private hosted zone: the exact vendor hostname to override
   * (`abc12345.live.dynatrace.com`), or a domain to hold `records` (`privatelink.getmontecarlo.com`).
   */
  readonly zoneName: string;

  /**
   * The VPC the zone is first associated with (usually the endpoint's).
   */
  readonly vpc: ec2.IVpc;

  /** Where the names point. */
  readonly target: DnsTarget;

  /**
   * Names inside the zone, relative to it (`artemis` for `artemis.privatelink.getmontecarlo.com`),
   * each a CNAME to the target's DNS name.
   *
   * @default - no records inside the zone; the apex is an alias to the target
   */
  readonly records?: string[];

  /**
   * An `A` alias record at the zone apex pointing at the target.
   *
   * @default - true when `records` is empty, false otherwise
   */
  readonly apexAlias?: boolean;

  /**
   * An existing private hosted zone (already associated with its VPCs) to add the records to,
   * for when a zone of that name exists (Route 53's ConflictingDomainExists).
   *
   * @default - a new private hosted zone
   */
  readonly existingZone?: route53.IPrivateHostedZone;

  /**
   * Allow a zone for a vendor's shared parent domain (such as `dynatrace.com` or
   * `live.dynatrace.com`), which captures every other host of that vendor for the VPCs.
   *
   * @default false
   */
  readonly allowSharedVendorDomain?: boolean;

  /**
   * TTL of the CNAME records.
   *
   * @default Duration.minutes(5)
   */
  readonly ttl?: Duration;
}

/**
 * A private hosted zone that makes a vendor's public hostname resolve to an interface
 * endpoint inside the VPCs it is associated with, including VPCs in other regions.
 *
 * @example
 * declare const vpc: ec2.IVpc;
 * declare const endpoint: PrivateLinkEndpoint;
 * new PrivateDnsOverride(this, 'Dns', {
 *   zoneName: 'abc12345.live.dynatrace.com',
 *   vpc,
 *   target: DnsTarget.fromEndpoint(endpoint),
 * });
 */
export class PrivateDnsOverride extends Resource {
  /** The private hosted zone (new or existing). */
  public readonly hostedZone: route53.IPrivateHostedZone;
  /** The fully qualified names that now resolve to the target. */
  public readonly overriddenNames: string[];

  private readonly cfnZone?: route53.CfnHostedZone;
  private readonly associated: { vpcId: string; vpcRegion: string }[] = [];
  private readonly props: PrivateDnsOverrideProps;

  constructor(scope: Construct, id: string, props: PrivateDnsOverrideProps) {
    super(scope, id);
    this.props = props;
    const zoneName = props.zoneName;
    const records = props.records ?? [];
    const apexAlias = props.apexAlias ?? records.length === 0;
    this.validate(props, records, apexAlias);

    if (props.existingZone) {
      this.hostedZone = props.existingZone;
    } else {
      const zone = new route53.PrivateHostedZone(this, 'Zone', {
        zoneName,
        vpc: props.vpc,
        comment: `PrivateLink DNS override for ${zoneName}`,
      });
      this.hostedZone = zone;
      this.cfnZone = zone.node.defaultChild as route53.CfnHostedZone;
      this.associated.push({ vpcId: props.vpc.vpcId, vpcRegion: Stack.of(props.vpc).region });
    }

    const target = props.target._readFrom(this);
    const names: string[] = [];
    if (apexAlias) {
      new route53.CfnRecordSet(this, 'Apex', {
        hostedZoneId: this.hostedZone.hostedZoneId,
        name: `${zoneName}.`,
        type: 'A',
        aliasTarget: { dnsName: target.dnsName, hostedZoneId: target.hostedZoneId, evaluateTargetHealth: false },
      });
      names.push(zoneName);
    }
    for (const record of records) {
      new route53.CfnRecordSet(this, `Cname-${record}`, {
        hostedZoneId: this.hostedZone.hostedZoneId,
        name: `${record}.${zoneName}.`,
        type: 'CNAME',
        ttl: String((props.ttl ?? Duration.minutes(5)).toSeconds()),
        resourceRecords: [target.dnsName],
      });
      names.push(`${record}.${zoneName}`);
    }
    props.target._followIn(this);
    this.overriddenNames = names;
  }

  /**
   * Associates the zone with another VPC of this account, in this region or another.
   *
   * @param vpcId the VPC's ID (a literal for a VPC in another region's stack)
   * @param vpcRegion the VPC's region
   */
  public addVpcById(vpcId: string, vpcRegion: string): void {
    if (!this.cfnZone) {
      invalid(this, '`addVpc` needs a zone this construct created; associate the given `existingZone` with the VPC yourself');
    }
    if (this.associated.length >= MAX_VPCS) {
      invalid(this, `a private hosted zone can be associated with at most ${MAX_VPCS} VPCs, got one more: ${show(vpcId)}`);
    }
    if (isLiteral(vpcId) && this.associated.some((a) => a.vpcId === vpcId && a.vpcRegion === vpcRegion)) {
      return;
    }
    this.associated.push({ vpcId, vpcRegion });
    this.cfnZone.vpcs = this.associated.map((a) => ({ vpcId: a.vpcId, vpcRegion: a.vpcRegion }));
  }

  /**
   * Refuses an override that cannot be repeated for another VPC (one of an existing zone).
   *
   * @internal
   */
  public _checkRepeatable(): void {
    if (this.props.existingZone) {
      invalid(this, 'a spoke needs a zone of its own like this override\'s, which was given an `existingZone`: ' +
        'associate that zone with the spoke VPC yourself, and leave this override out of `dnsOverrides`');
    }
  }

  /**
   * The same override (name, records, target) for another VPC, in a zone of its own.
   *
   * @internal
   */
  public _repeatFor(scope: Construct, id: string, vpc: ec2.IVpc): PrivateDnsOverride {
    this._checkRepeatable();
    return new PrivateDnsOverride(scope, id, { ...this.props, vpc });
  }

  /**
   * Associates the zone with another VPC; its region is the region of the VPC's stack.
   *
   * @param vpc the VPC
   */
  public addVpc(vpc: ec2.IVpc): void {
    this.addVpcById(vpc.vpcId, Stack.of(vpc).region);
  }

  /** How many VPCs the zone is associated with (those this construct knows of). */
  public get vpcCount(): number {
    return this.associated.length;
  }

  private validate(props: PrivateDnsOverrideProps, records: string[], apexAlias: boolean): void {
    const zoneName = props.zoneName;
    if (isLiteral(zoneName)) {
      if (!isZoneName(zoneName)) {
        invalid(this, '`zoneName` must be a lowercase DNS name of at least two labels, without a trailing dot ' +
          `(such as "abc12345.live.dynatrace.com"), got: ${show(zoneName)}`);
      }
      if (!props.allowSharedVendorDomain && SHARED_VENDOR_DOMAINS.includes(zoneName)) {
        invalid(this, `\`zoneName\` ${show(zoneName)} is a vendor's shared parent domain: a private zone for it would ` +
          'capture every other host of the vendor in these VPCs. Use the exact hostname (such as "abc12345.live.dynatrace.com"), ' +
          'or set `allowSharedVendorDomain: true` if that is what you mean');
      }
    }
    for (const record of records) {
      if (Token.isUnresolved(record)) continue;
      if (record.endsWith('.') || (isLiteral(zoneName) && (record === zoneName || record.endsWith(`.${zoneName}`)))) {
        invalid(this, `\`records\` entries are names relative to the zone (such as "artemis"), got: ${show(record)}`);
      }
      if (!record.split('.').every((l) => isRfc1123Label(l, 63))) {
        invalid(this, `\`records\` entries must be lowercase DNS labels inside the zone ${show(zoneName)}, got: ${show(record)}`);
      }
    }
    if (new Set(records).size !== records.length) {
      invalid(this, `\`records\` must not repeat a name, got: ${show(records)}`);
    }
    if (!apexAlias && records.length === 0) {
      invalid(this, '`apexAlias` is false and `records` is empty: the zone would override nothing');
    }
  }
}
