import { Annotations, CustomResource, Duration, Fn, Resource, Stack, Token, Validations } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import type { Construct } from 'constructs';
import { AzFilterFunction } from './az-filter-function';
import type { PrivateLinkEndpointAlarmOptions } from './endpoint-alarm-options';
import { endpointAlarms, EndpointMetricSource, endpointMetric } from './endpoint-metrics';
import type { EndpointPortRange } from './endpoint-port-range';
import { stateOf } from '../internal/construct-state';
import { serviceTimeoutFor, singletonHandler } from '../internal/handler-function';
import { addOutputs } from '../internal/outputs';
import { literalCidr, twoInOneAz } from '../internal/subnets';
import { invalid, isLiteral, isPort, isRegionName, partitionOf, show, validatePortRange } from '../internal/validation';

export * from './endpoint-alarm-options';
export * from './endpoint-port-range';

/** AWS and vendor endpoint service names: com.amazonaws.vpce.<region>.vpce-svc-…, com.amazonaws.<region>.<svc>, aws.… */
const SERVICE_NAME = /^((cn\.)?com\.amazonaws|aws)(\.[a-z0-9-]+)+$/;

/**
 * Properties of a `PrivateLinkEndpoint`.
 */
export interface PrivateLinkEndpointProps {
  /**
   * The VPC the endpoint is created in.
   */
  readonly vpc: ec2.IVpc;

  /**
   * The endpoint service name the vendor gives you, such as
   * `com.amazonaws.vpce.eu-west-1.vpce-svc-0123456789abcdef0`. May be a token resolved at
   * deploy time (for example the name `DynatracePrivateLink` reads from Dynatrace's API).
   */
  readonly serviceName: string;

  /**
   * The ports the service listens on; the endpoint's security group opens them. Not with
   * `portRange`.
   *
   * @default [443]
   */
  readonly ports?: number[];

  /**
   * A TCP port range the service listens on (such as MongoDB Atlas's 1024–65535, one port
   * per node, which Atlas may change), opened instead of `ports` as one rule.
   *
   * @default - the single ports of `ports`
   */
  readonly portRange?: EndpointPortRange;

  /**
   * The candidate subnets. With `filterSupportedAzs` on, the endpoint is created in those
   * of them whose Availability Zone the service supports. EC2 creates an interface endpoint in
   * at most one subnet per AZ: a selection with two subnets in one AZ is refused (name one
   * subnet group, such as `{ subnetGroupName: 'app' }`, or add `onePerAz: true`).
   *
   * @default - the VPC's private subnets (with egress, else isolated), one per AZ: in a VPC
   * with several private subnet groups, the first group's
   */
  readonly subnets?: ec2.SubnetSelection;

  /**
   * Keep only the subnets in Availability Zones the service supports, found at deploy time
   * by a custom resource (`DescribeVpcEndpointServices`). With it off, the endpoint is created
   * in exactly the given subnets.
   *
   * @default true
   */
  readonly filterSupportedAzs?: boolean;

  /**
   * Associate the service's own private DNS name with the VPC. Vendor services rarely have a
   * verified private DNS name; override DNS with `PrivateDnsOverride` instead.
   *
   * @default false
   */
  readonly privateDnsEnabled?: boolean;

  /**
   * The region of the service, for a native cross-region endpoint (same partition).
   *
   * @default - the stack's region
   */
  readonly serviceRegion?: string;

  /**
   * Open the service ports to the VPC's CIDR block.
   *
   * @default true
   */
  readonly allowFromVpc?: boolean;

  /**
   * A security group for the endpoint, shared with other endpoints of one vendor (a preset with
   * an endpoint per intake opens the ports once for all of them). Its rules are yours: give
   * `allowFromVpc: false` when it already admits the VPC, or the same rule is made twice.
   *
   * @default - a new security group of its own that allows no outbound traffic
   */
  readonly securityGroup?: ec2.ISecurityGroup;

  /**
   * Add stack outputs, with logical IDs of this construct's ID and the output's name (see
   * the README, "Stack outputs"): `EndpointId` (vendors such as Monte Carlo ask for it).
   *
   * @default false
   */
  readonly outputs?: boolean;
}

/**
 * An interface VPC endpoint to a vendor's endpoint service.
 */
export interface IPrivateLinkEndpoint extends ec2.IInterfaceVpcEndpoint {
  /** The endpoint's regional DNS name. @attribute */
  readonly regionalDnsName: string;
  /** The hosted zone ID of the endpoint's regional DNS name (for alias records). @attribute */
  readonly regionalHostedZoneId: string;
  /** The VPC of the endpoint. */
  readonly vpc: ec2.IVpc;
  /**
   * The service's single ports; empty for an endpoint that opens a port range (its
   * `connections.defaultPort` is then the range).
   */
  readonly ports: number[];
}

/**
 * Attributes of an existing interface endpoint, for `PrivateLinkEndpoint.fromPrivateLinkEndpointAttributes`.
 */
export interface PrivateLinkEndpointAttributes {
  /** The endpoint ID, such as `vpce-0123456789abcdef0`. */
  readonly vpcEndpointId: string;
  /** The endpoint's regional DNS name (the second field of its first DNS entry). */
  readonly regionalDnsName: string;
  /** The hosted zone ID of the regional DNS name (the first field of its first DNS entry). */
  readonly regionalHostedZoneId: string;
  /** The VPC of the endpoint. */
  readonly vpc: ec2.IVpc;
  /** The endpoint's security groups, for `connections`. */
  readonly securityGroups: ec2.ISecurityGroup[];
  /**
   * The service ports.
   *
   * @default [443]
   */
  readonly ports?: number[];
}

/**
 * An interface VPC endpoint to a vendor's endpoint service, created only in subnets whose
 * Availability Zones the service supports, with a security group that opens the service
 * ports to the VPC (and to peered VPCs as they join) and never to 0.0.0.0/0.
 *
 * @example
 * declare const vpc: ec2.IVpc;
 * const endpoint = new PrivateLinkEndpoint(this, 'Vendor', {
 *   vpc,
 *   serviceName: 'com.amazonaws.vpce.eu-west-1.vpce-svc-0123456789abcdef0',
 * });
 */
export class PrivateLinkEndpoint extends Resource implements IPrivateLinkEndpoint {
  /**
   * An endpoint created elsewhere (another stack, or by hand), to override DNS for it, peer
   * spokes to it, or pass it to any aws-cdk-lib API that takes an `ec2.IInterfaceVpcEndpoint`.
   *
   * @param scope the scope of the import
   * @param id its construct ID
   * @param attrs the endpoint's attributes
   */
  public static fromPrivateLinkEndpointAttributes(scope: Construct, id: string, attrs: PrivateLinkEndpointAttributes): IPrivateLinkEndpoint {
    const ports = attrs.ports ?? [443];
    class Import extends Resource implements IPrivateLinkEndpoint {
      public readonly vpcEndpointId = attrs.vpcEndpointId;
      public readonly regionalDnsName = attrs.regionalDnsName;
      public readonly regionalHostedZoneId = attrs.regionalHostedZoneId;
      public readonly vpc = attrs.vpc;
      public readonly ports = ports;
      public readonly connections = new ec2.Connections({ securityGroups: attrs.securityGroups, defaultPort: ec2.Port.tcp(ports[0]) });
      public get vpcEndpointRef(): ec2.VPCEndpointReference {
        return { vpcEndpointId: this.vpcEndpointId };
      }
    }
    return new Import(scope, id);
  }

  public readonly vpcEndpointId: string;
  public readonly regionalDnsName: string;
  public readonly regionalHostedZoneId: string;
  /** All DNS entries of the endpoint, each `"HostedZoneId:DnsName"`, regional entry first. */
  public readonly dnsEntries: string[];
  public readonly vpc: ec2.IVpc;
  /**
   * The single service ports, `[443]` by default. Empty for an endpoint of a `portRange`, so
   * that code that opens each of `ports` opens no stray single port: use `allowFrom`, or
   * `connections.allowDefaultPortFrom`, whose default port is the range.
   */
  public readonly ports: number[];
  /** The TCP port range the endpoint opens, when it was given one instead of `ports`. */
  public readonly portRange?: EndpointPortRange;
  public readonly connections: ec2.Connections;
  /** The endpoint's security group. */
  public readonly securityGroup: ec2.ISecurityGroup;
  /**
   * The subnet IDs the endpoint is created in: resolved at deploy time when
   * `filterSupportedAzs` is on.
   */
  public readonly subnetIds: string[];

  /** A reference to this endpoint, for aws-cdk-lib APIs that take an `ec2.IVPCEndpointRef`. */
  public get vpcEndpointRef(): ec2.VPCEndpointReference {
    return { vpcEndpointId: this.vpcEndpointId };
  }

  private readonly metricSource: EndpointMetricSource;

  constructor(scope: Construct, id: string, props: PrivateLinkEndpointProps) {
    super(scope, id);
    const ports = props.portRange ? [] : props.ports ?? [443];
    this.validate(props, ports);
    // One per AZ by default, as aws-cdk-lib's InterfaceVpcEndpoint does: EC2 allows no more.
    const candidates = props.vpc.selectSubnets(props.subnets ?? { onePerAz: true });
    if (candidates.subnetIds.length === 0) {
      invalid(this, '`subnets` must select at least one subnet, got none');
    }
    const clash = props.subnets && twoInOneAz(candidates.subnets);
    if (clash) {
      invalid(this, '`subnets` must select at most one subnet per Availability Zone (EC2 creates an interface endpoint in one ' +
        `subnet per AZ), got ${clash.first} and ${clash.second}, both in ${clash.az}: select one subnet group ` +
        '(such as `{ subnetGroupName: \'app\' }`) or add `onePerAz: true` to the selection');
    }
    if (candidates.hasPublic) {
      Annotations.of(this).addWarningV2('cdk-saas-privatelink:endpointInPublicSubnets',
        'The endpoint is placed in public subnets; its network interfaces get no public address, but private subnets are usual.');
    }
    this.vpc = props.vpc;
    this.ports = ports;
    this.portRange = props.portRange;

    this.securityGroup = props.securityGroup ?? new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      allowAllOutbound: false,
      description: `PrivateLink endpoint ${this.node.path}: service ports from allowed peers only`,
    });
    const defaultPort = props.portRange ? ec2.Port.tcpRange(props.portRange.fromPort, props.portRange.toPort) : ec2.Port.tcp(ports[0]);
    this.connections = new ec2.Connections({ securityGroups: [this.securityGroup], defaultPort });
    if (props.allowFromVpc ?? true) {
      const cidr = literalCidr(props.vpc);
      this.allowFrom(ec2.Peer.ipv4(cidr ?? props.vpc.vpcCidrBlock), 'the endpoint\'s VPC');
      if (!cidr) {
        // cdk-nag cannot tell a deploy-time CIDR block from 0.0.0.0/0.
        Validations.of(this.securityGroup).acknowledge({
          id: 'AwsSolutions-EC23',
          reason: 'Ingress is from the endpoint VPC\'s own CIDR block, known only at deploy time; never 0.0.0.0/0.',
        });
      }
    }

    this.subnetIds = (props.filterSupportedAzs ?? true)
      ? this.supportedSubnets(props, candidates.subnetIds)
      : candidates.subnetIds;

    const endpoint = new ec2.CfnVPCEndpoint(this, 'Resource', {
      vpcEndpointType: 'Interface',
      vpcId: props.vpc.vpcId,
      serviceName: props.serviceName,
      subnetIds: this.subnetIds,
      securityGroupIds: [this.securityGroup.securityGroupId],
      privateDnsEnabled: props.privateDnsEnabled ?? false,
      serviceRegion: props.serviceRegion,
    });
    this.vpcEndpointId = endpoint.ref;
    this.dnsEntries = endpoint.attrDnsEntries;
    // DnsEntries are "HostedZoneId:DnsName", the regional entry first.
    const regional = Fn.split(':', Fn.select(0, endpoint.attrDnsEntries));
    this.regionalHostedZoneId = Fn.select(0, regional);
    this.regionalDnsName = Fn.select(1, regional);

    this.metricSource = {
      scope: this,
      vpcEndpointId: this.vpcEndpointId,
      vpcId: props.vpc.vpcId,
      serviceName: props.serviceName,
      serviceRegion: props.serviceRegion,
    };

    addOutputs(this, props.outputs, {
      EndpointId: { description: 'VPC endpoint ID (some vendors ask for it to approve the connection)', value: this.vpcEndpointId },
    });
  }

  /**
   * The regional DNS name and its hosted zone ID as two plain strings for zones in other stacks
   * (spokes): two SSM parameters of this stack, created on first use, whose values other stacks
   * read, by export (strong references) or `Fn::GetStackOutput` (weak). The endpoint's own
   * `DnsEntries` is a list; read from another stack, it would be joined here and split there.
   *
   * @internal
   */
  public _publishDns(): { dnsName: string; hostedZoneId: string } {
    return stateOf(this, 'PublishedDns', () => {
      const publish = (id: string, value: string, what: string) => new ssm.CfnParameter(this, id, {
        type: 'String',
        value,
        description: `${what} of PrivateLink endpoint ${this.node.path}, for private zones in other stacks`,
      }).attrValue;
      return {
        dnsName: publish('RegionalDnsName', this.regionalDnsName, 'The regional DNS name'),
        hostedZoneId: publish('RegionalHostedZoneId', this.regionalHostedZoneId, 'The hosted zone ID of the regional DNS name'),
      };
    });
  }

  /**
   * Opens the service ports to a peer, such as a peered VPC's CIDR block: one rule for each
   * of `ports`, or one rule for the whole `portRange`.
   *
   * @param peer who may connect
   * @param description why, for the security group rule
   */
  public allowFrom(peer: ec2.IPeer, description: string): void {
    const range = this.portRange;
    if (range) {
      this.securityGroup.addIngressRule(peer, ec2.Port.tcpRange(range.fromPort, range.toPort),
        `PrivateLink service ports ${range.fromPort}-${range.toPort} from ${description}`);
      return;
    }
    for (const port of this.ports) {
      this.securityGroup.addIngressRule(peer, ec2.Port.tcp(port), `PrivateLink service port ${port} from ${description}`);
    }
  }

  /**
   * A metric of this endpoint in `AWS/PrivateLinkEndpoints`, by name, with the dimensions
   * `Endpoint Type`, `Service Name`, `VPC Endpoint Id` and `VPC Id`. Prefer the typed methods;
   * this one takes any metric AWS adds. PrivateLink publishes no metrics for cross-region access.
   *
   * @param metricName the metric's name, such as `PacketsDropped`
   * @param props options such as the period or statistic
   * @default - Sum (Average for `ActiveConnections` and unknown names) over 5 minutes
   * @see https://docs.aws.amazon.com/vpc/latest/privatelink/privatelink-cloudwatch-metrics.html
   */
  public metric(metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return endpointMetric(this.metricSource, metricName, props);
  }

  /**
   * Concurrent connections through the endpoint (`ActiveConnections`, Average).
   *
   * @default - Average over 5 minutes
   */
  public metricActiveConnections(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return endpointMetric(this.metricSource, 'ActiveConnections', props);
  }

  /**
   * Connections opened through the endpoint (`NewConnections`, Sum).
   *
   * @default - Sum over 5 minutes
   */
  public metricNewConnections(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return endpointMetric(this.metricSource, 'NewConnections', props);
  }

  /**
   * Bytes exchanged with the service in both directions, as billed (`BytesProcessed`, Sum).
   *
   * @default - Sum over 5 minutes
   */
  public metricBytesProcessed(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return endpointMetric(this.metricSource, 'BytesProcessed', props);
  }

  /**
   * Packets the endpoint dropped (`PacketsDropped`, Sum): a rising count means the endpoint
   * service is unhealthy, or packets exceed 8500 bytes.
   *
   * @default - Sum over 5 minutes
   */
  public metricPacketsDropped(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return endpointMetric(this.metricSource, 'PacketsDropped', props);
  }

  /**
   * TCP resets the endpoint received from the service (`RstPacketsReceived`, Sum): a rising
   * count means the service refuses or cuts connections.
   *
   * @default - Sum over 5 minutes
   */
  public metricRstPacketsReceived(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return endpointMetric(this.metricSource, 'RstPacketsReceived', props);
  }

  /**
   * Adds the alarms AWS recommends for an endpoint, tuned for a vendor link: `PacketsDropped`
   * (Sum per minute) above `packetsDroppedThreshold` (0) for `evaluationPeriods` (5) consecutive
   * minutes, and, when `rstPacketsReceivedThreshold` is given, `RstPacketsReceived` above it.
   * Call it once.
   *
   * @param options the thresholds and the SNS topic to tell
   * @returns the alarms, `PacketsDropped` first
   */
  public addRecommendedAlarms(options?: PrivateLinkEndpointAlarmOptions): cloudwatch.Alarm[] {
    return endpointAlarms(this.metricSource, options);
  }

  private supportedSubnets(props: PrivateLinkEndpointProps, candidates: string[]): string[] {
    const timeout = Duration.minutes(2);
    const fn = singletonHandler(this, 'SaasPrivateLinkAzFilter', AzFilterFunction, {
      description: 'cdk-saas-privatelink: keeps the subnets in AZs a VPC endpoint service supports',
      timeout,
    });
    fn.addToRolePolicy(new iam.PolicyStatement({
      actions: ['ec2:DescribeVpcEndpointServices', 'ec2:DescribeSubnets'],
      resources: ['*'],
    }));
    Validations.of(fn.role!).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'ec2:DescribeVpcEndpointServices and ec2:DescribeSubnets support no resource-level permissions.',
    });
    const filter = new CustomResource(this, 'SupportedSubnets', {
      serviceToken: fn.functionArn,
      resourceType: 'Custom::PrivateLinkAzFilter',
      serviceTimeout: serviceTimeoutFor(timeout),
      properties: {
        ServiceName: props.serviceName,
        ServiceRegion: props.serviceRegion,
        SubnetIds: candidates,
      },
    });
    return Fn.split(',', filter.getAttString('SubnetIds'));
  }

  private validate(props: PrivateLinkEndpointProps, ports: number[]): void {
    if (isLiteral(props.serviceName) && !SERVICE_NAME.test(props.serviceName)) {
      invalid(this, '`serviceName` must be an endpoint service name such as ' +
        `"com.amazonaws.vpce.eu-west-1.vpce-svc-0123456789abcdef0", got: ${show(props.serviceName)}`);
    }
    if (props.portRange) {
      validatePortRange(this, props.ports, props.portRange);
    } else if (ports.length === 0) {
      invalid(this, '`ports` must name at least one port, got: []');
    }
    for (const port of ports) {
      if (!Token.isUnresolved(port) && !isPort(port)) {
        invalid(this, `\`ports\` entries must be integers from 1 to 65535, got: ${port}`);
      }
    }
    if (new Set(ports).size !== ports.length) {
      invalid(this, `\`ports\` must not repeat a port, got: ${show(ports)}`);
    }
    const region = props.serviceRegion;
    if (region !== undefined && isLiteral(region)) {
      if (!isRegionName(region)) {
        invalid(this, `\`serviceRegion\` must be an AWS region name such as "ap-southeast-2", got: ${show(region)}`);
      }
      const stackRegion = Stack.of(this).region;
      if (isLiteral(stackRegion) && partitionOf(stackRegion) !== partitionOf(region)) {
        invalid(this, `\`serviceRegion\` must be in the stack's partition "${partitionOf(stackRegion)}", ` +
          `got: ${show(region)} in partition "${partitionOf(region)}"`);
      }
    }
  }

}
