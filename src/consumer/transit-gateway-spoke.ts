import { createHash } from 'crypto';
import { Names, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct, IDependable } from 'constructs';
import type { PrivateDnsOverride } from './private-dns-override';
import type { IPrivateLinkEndpoint } from './privatelink-endpoint';
import { finishSpoke, layOutSpoke } from './spoke-layout';
import { stateOf } from '../internal/construct-state';
import { invalid, isLiteral, show } from '../internal/validation';
import type { PrivateLinkProbe } from '../probe/privatelink-probe';
import type { LinkProbeOptions } from '../probe/privatelink-probe-props';

/** Transit gateway IDs: tgw- and 17 hex digits (8 for old ones). */
const TRANSIT_GATEWAY_ID = /^tgw-([0-9a-f]{8}|[0-9a-f]{17})$/;
/** Transit gateway attachment IDs: tgw-attach- and 17 hex digits (8 for old ones). */
const ATTACHMENT_ID = /^tgw-attach-([0-9a-f]{8}|[0-9a-f]{17})$/;

/**
 * Properties of a `TransitGatewaySpoke`.
 */
export interface TransitGatewaySpokeProps {
  /**
   * The hub's endpoint: the spoke reaches it through the transit gateway. Its VPC is the hub VPC;
   * imported, it needs the route table IDs of its subnets unless `createRoutes` is false.
   */
  readonly endpoint: IPrivateLinkEndpoint;

  /**
   * The spoke VPC, of the hub's account, created in this app (any stack that names its region)
   * or imported (with the route table IDs of its subnets unless `createRoutes` is false).
   */
  readonly spokeVpc: ec2.IVpc;

  /**
   * The transit gateway of the hub's region: an existing one (`tgw-…`), or a new one
   * (`TransitGatewaySpoke.newTransitGateway(...).ref`). The hub VPC is attached to it once per hub,
   * in the hub's stack.
   */
  readonly transitGatewayId: string;

  /**
   * The transit gateway the spoke VPC attaches to, when the spoke is in another region: your
   * network's transit gateway in the spoke's region, peered with `transitGatewayId`, with routes
   * between the two VPCs' CIDR blocks in both transit gateways' route tables. This construct makes
   * no transit gateway peering and no transit gateway routes: that routing is your network's.
   *
   * @default - `transitGatewayId` (a spoke in the hub's region)
   */
  readonly spokeTransitGatewayId?: string;

  /**
   * The hub VPC's subnets for its attachment, one per Availability Zone (for a new attachment).
   *
   * @default - the hub VPC's private subnets (with egress, else isolated), one per AZ
   */
  readonly hubSubnets?: ec2.SubnetSelection;

  /**
   * The spoke VPC's subnets for its attachment, one per Availability Zone (for a new attachment).
   *
   * @default - the spoke VPC's private subnets (with egress, else isolated), one per AZ
   */
  readonly spokeSubnets?: ec2.SubnetSelection;

  /**
   * The hub VPC's existing attachment to `transitGatewayId` (`tgw-attach-…`), where the transit
   * gateway already is the network: EC2 attaches a VPC to a transit gateway only once, so a second
   * attachment would fail the deploy. Every spoke of this hub on this transit gateway gives the same.
   *
   * @default - the hub VPC is attached to `transitGatewayId` in the hub's stack, once for all its spokes
   */
  readonly hubAttachmentId?: string;

  /**
   * The spoke VPC's existing attachment to its transit gateway (`tgw-attach-…`).
   *
   * @default - the spoke VPC is attached in its own stack
   */
  readonly spokeAttachmentId?: string;

  /**
   * Create a route to the other VPC's CIDR block through the transit gateway in every route table
   * of both VPCs. Set false where your network already routes between them through the transit
   * gateway (a summary or default route); the VPCs' route table IDs are then not needed.
   *
   * @default true
   */
  readonly createRoutes?: boolean;

  /**
   * DNS overrides to repeat for the spoke VPC: each gets a private hosted zone of its own for
   * the spoke, created once the routes exist.
   *
   * @default - none
   */
  readonly dnsOverrides?: PrivateDnsOverride[];

  /**
   * A hostname to check from inside the spoke once its DNS exists (`PrivateLinkProbe`).
   *
   * @default - no probe
   */
  readonly probeHostname?: string;

  /**
   * The TLS port the probe connects to.
   *
   * @default 443
   */
  readonly probePort?: number;

  /**
   * How the probe behaves (with `probeHostname`).
   *
   * @default - a deploy-time check that reports without failing, and a canary every 5 minutes
   */
  readonly probe?: LinkProbeOptions;
}

/**
 * Options of a new transit gateway for PrivateLink spokes.
 */
export interface NewTransitGatewayOptions {
  /**
   * The transit gateway's description.
   *
   * @default "PrivateLink hub"
   */
  readonly description?: string;
}

/**
 * Joins a spoke VPC to the VPC of a `PrivateLinkEndpoint` (the hub) through an AWS Transit
 * Gateway, for more spokes than VPC peering allows (125 per VPC) or where a transit gateway is
 * already the network: the hub VPC attached to the transit gateway (once per hub), the spoke VPC
 * attached to it (or to its own region's, `spokeTransitGatewayId`), routes to the other VPC's
 * CIDR block through the transit gateway in every route table of both VPCs, the endpoint's
 * security group opened to the spoke's CIDR block, and then the spoke's DNS overrides and probe,
 * in the same stacks and order as `SpokePeering`.
 *
 * Routing inside the transit gateway is the transit gateway's: a new one
 * (`newTransitGateway`) associates and propagates every attachment to its default route table, so
 * the two VPCs reach each other; for an existing one with other route tables, associate and
 * propagate the two attachments (`hubAttachmentId`, `spokeAttachmentId`) as your network does.
 *
 * Where a transit gateway already is the network, the VPCs are attached already (EC2 refuses a
 * second attachment of a VPC to the same transit gateway) and may already route through it: give
 * `hubAttachmentId` and `spokeAttachmentId`, and `createRoutes: false`, and only the endpoint's
 * rule, the spoke's DNS and its probe are made.
 *
 * @example
 * declare const endpoint: PrivateLinkEndpoint;
 * declare const dns: PrivateDnsOverride;
 * declare const spokeVpc: ec2.IVpc;
 * const tgw = TransitGatewaySpoke.newTransitGateway(this, 'Tgw');
 * new TransitGatewaySpoke(this, 'Spoke1', { endpoint, spokeVpc, transitGatewayId: tgw.ref, dnsOverrides: [dns] });
 */
export class TransitGatewaySpoke extends Construct {
  /**
   * A new transit gateway whose default route table every attachment is associated with and
   * propagates to, with DNS support, and that accepts no attachment shared from another account
   * by itself.
   *
   * @param scope where to create it (the hub's stack)
   * @param id its construct ID
   * @param options its description
   */
  public static newTransitGateway(scope: Construct, id: string, options: NewTransitGatewayOptions = {}): ec2.CfnTransitGateway {
    return new ec2.CfnTransitGateway(scope, id, {
      description: options.description ?? 'PrivateLink hub',
      autoAcceptSharedAttachments: 'disable',
      defaultRouteTableAssociation: 'enable',
      defaultRouteTablePropagation: 'enable',
      dnsSupport: 'enable',
      tags: [{ key: 'Name', value: `${Stack.of(scope).stackName}-${id}` }],
    });
  }

  /** The hub VPC's attachment to `transitGatewayId` (the one given, or the new one). */
  public readonly hubAttachmentId: string;
  /** The spoke VPC's attachment (the one given, or the new one). */
  public readonly spokeAttachmentId: string;
  /** The spoke's region. */
  public readonly spokeRegion: string;
  /** The stack of the hub-side routes and security group rules (see `SpokePeering`). */
  public readonly hubSideStack: Stack;
  /** The stack of the spoke's DNS zones and probe (see `SpokePeering`). */
  public readonly dnsStack: Stack;
  /** The spoke's DNS overrides, one per override given, in the order given. */
  public readonly spokeDnsOverrides: PrivateDnsOverride[];
  /** The probe of the spoke (with `probeHostname`), shared with the other spokes of `dnsStack`. */
  public readonly probe?: PrivateLinkProbe;

  constructor(scope: Construct, id: string, props: TransitGatewaySpokeProps) {
    super(scope, id);
    const createRoutes = props.createRoutes ?? true;
    const spokeTgw = this.validate(props, createRoutes);
    const hubSubnets = props.hubAttachmentId ? undefined : attachmentSubnets(this, 'hubSubnets', props.endpoint.vpc, props.hubSubnets);
    const spokeSubnets = props.spokeAttachmentId ? undefined : attachmentSubnets(this, 'spokeSubnets', props.spokeVpc, props.spokeSubnets);
    const hub = hubAttachmentOf(this, props);
    const layout = layOutSpoke(this, 'TransitGatewaySpoke', props, createRoutes);
    const { hubStack, spokeSide, hubSide, spokeName } = layout;
    this.spokeRegion = layout.spokeStack.region;
    this.hubSideStack = layout.hubSideStack;
    this.dnsStack = layout.dnsStack;

    // The hub VPC is attached once per transit gateway, in the hub's stack, unless it already is.
    if (hub.existing === undefined && !hub.created) {
      hub.created = new ec2.CfnTransitGatewayAttachment(hubStack, hub.logicalId, {
        transitGatewayId: props.transitGatewayId,
        vpcId: props.endpoint.vpc.vpcId,
        subnetIds: hubSubnets!,
        tags: [{ key: 'Name', value: `PrivateLink hub ${hubStack.stackName}` }],
      });
    }
    const hubAttachment = hub.created;
    const spokeAttachment = spokeSubnets && new ec2.CfnTransitGatewayAttachment(spokeSide, 'TgwAttachment', {
      transitGatewayId: spokeTgw,
      vpcId: props.spokeVpc.vpcId,
      subnetIds: spokeSubnets,
      tags: [{ key: 'Name', value: `PrivateLink spoke ${spokeName} of ${hubStack.stackName}` }],
    });
    this.hubAttachmentId = hubAttachment?.ref ?? hub.existing!;
    this.spokeAttachmentId = spokeAttachment?.ref ?? props.spokeAttachmentId!;

    // A route to a transit gateway needs the VPC's attachment first.
    const routes: IDependable[] = spokeAttachment ? [spokeAttachment] : [];
    if (createRoutes) {
      layout.spokeRouteTables.forEach((routeTableId, i) => {
        const route = new ec2.CfnRoute(spokeSide, `SpokeRoute${i}`, {
          routeTableId, destinationCidrBlock: layout.hubCidr, transitGatewayId: spokeTgw,
        });
        if (spokeAttachment) route.addResourceDependency(spokeAttachment);
        routes.push(route);
      });
      layout.hubRouteTables.forEach((routeTableId, i) => {
        const route = new ec2.CfnRoute(hubSide, `HubRoute${i}`, {
          routeTableId, destinationCidrBlock: layout.spokeCidr, transitGatewayId: props.transitGatewayId,
        });
        if (hubAttachment && Stack.of(route) === hubStack) route.addResourceDependency(hubAttachment);
        else if (hubAttachment) Stack.of(route).addStackDependency(hubStack);
        routes.push(route);
      });
    }
    const { dns, probe } = finishSpoke(this, props, layout, routes, 'transit gateway');
    this.spokeDnsOverrides = dns;
    this.probe = probe;
  }

  /** The transit gateway of the spoke's attachment and routes. */
  private validate(props: TransitGatewaySpokeProps, createRoutes: boolean): string {
    for (const [name, value] of [['transitGatewayId', props.transitGatewayId], ['spokeTransitGatewayId', props.spokeTransitGatewayId]] as const) {
      if (value !== undefined && isLiteral(value) && !TRANSIT_GATEWAY_ID.test(value)) {
        invalid(this, `\`${name}\` must be a transit gateway ID such as "tgw-0123456789abcdef0", got: ${show(value)}`);
      }
    }
    for (const [name, value] of [['hubAttachmentId', props.hubAttachmentId], ['spokeAttachmentId', props.spokeAttachmentId]] as const) {
      if (value !== undefined && isLiteral(value) && !ATTACHMENT_ID.test(value)) {
        invalid(this, `\`${name}\` must be a transit gateway attachment ID such as "tgw-attach-0123456789abcdef0", got: ${show(value)}`);
      }
    }
    for (const [name, subnets, attachment] of [
      ['hubSubnets', props.hubSubnets, 'hubAttachmentId'], ['spokeSubnets', props.spokeSubnets, 'spokeAttachmentId'],
    ] as const) {
      if (subnets !== undefined && props[attachment] !== undefined) {
        invalid(this, `\`${name}\` applies to a new attachment; the existing \`${attachment}\` keeps its own subnets, got both`);
      }
    }
    const needsSpokeTgw = createRoutes || props.spokeAttachmentId === undefined;
    const hubRegion = Stack.of(props.endpoint.vpc).region;
    const spokeRegion = Stack.of(props.spokeVpc).region;
    const otherRegion = isLiteral(hubRegion) && isLiteral(spokeRegion) && hubRegion !== spokeRegion;
    if (otherRegion && needsSpokeTgw && props.spokeTransitGatewayId === undefined) {
      invalid(this, `\`spokeTransitGatewayId\` is required for a spoke in another region (${spokeRegion}, the hub is in ${hubRegion}): ` +
        'a VPC attaches to a transit gateway of its own region; give your network\'s transit gateway there, peered with `transitGatewayId`, got: undefined');
    }
    if (!otherRegion && props.spokeTransitGatewayId !== undefined && props.spokeTransitGatewayId !== props.transitGatewayId) {
      invalid(this, '`spokeTransitGatewayId` applies to a spoke in another region; a spoke in the hub\'s region attaches to ' +
        `\`transitGatewayId\`, got: ${show(props.spokeTransitGatewayId)}`);
    }
    return props.spokeTransitGatewayId ?? props.transitGatewayId;
  }
}

/** The hub VPC's attachment to a transit gateway, shared by every spoke of the hub on it. */
interface HubAttachment {
  /** The construct ID of a new attachment in the hub's stack. */
  readonly logicalId: string;
  /** The existing attachment the first spoke gave (`hubAttachmentId`). */
  readonly existing?: string;
  /** The spoke that decided between the two. */
  readonly by: string;
  created?: ec2.CfnTransitGatewayAttachment;
}

/**
 * The hub's attachment to the spoke's transit gateway. EC2 attaches a VPC to a transit gateway
 * only once, so all spokes of the hub on that transit gateway must agree on an existing one or
 * on none, whichever comes first.
 */
function hubAttachmentOf(self: TransitGatewaySpoke, props: TransitGatewaySpokeProps): HubAttachment {
  const hubStack = Stack.of(props.endpoint.vpc);
  const logicalId = `TgwAttachment${Names.uniqueId(props.endpoint.vpc)}${stableKey(hubStack, props.transitGatewayId)}`;
  const hub = stateOf(hubStack, `SaasPrivateLink${logicalId}`, (): HubAttachment => ({
    logicalId, existing: props.hubAttachmentId, by: self.node.path,
  }));
  const given = props.hubAttachmentId;
  const same = given === hub.existing || (given !== undefined && hub.existing !== undefined
    && Token.isUnresolved(given) && stableKey(hubStack, given) === stableKey(hubStack, hub.existing));
  if (!same) {
    invalid(self, `\`hubAttachmentId\` must be the same for every spoke of the hub VPC ${props.endpoint.vpc.node.path} on ` +
      `transit gateway ${shown(props.transitGatewayId)}, as a VPC attaches to a transit gateway once: ${hub.by} gave ` +
      `${hub.existing === undefined ? 'none (a new attachment)' : shown(hub.existing)}, got: ${shown(given)}`);
  }
  return hub;
}

/** A value for a message: a literal as such, anything else as a deploy-time value. */
function shown(value: string | undefined): string {
  return value === undefined || isLiteral(value) ? show(value) : 'a deploy-time value';
}

/** One subnet per AZ, private, for a transit gateway attachment. */
function attachmentSubnets(self: Construct, prop: string, vpc: ec2.IVpc, selection?: ec2.SubnetSelection): string[] {
  const selected = vpc.selectSubnets({
    ...(selection ?? { subnetType: vpc.privateSubnets.length > 0 ? ec2.SubnetType.PRIVATE_WITH_EGRESS : ec2.SubnetType.PRIVATE_ISOLATED }),
    onePerAz: true,
  });
  if (selected.subnetIds.length === 0) {
    invalid(self, `\`${prop}\` must select at least one subnet of ${vpc.node.path} for the transit gateway attachment, got none`);
  }
  if (selected.subnets.some((s) => vpc.publicSubnets.includes(s))) {
    invalid(self, `\`${prop}\` must select private subnets: a transit gateway attachment needs no public address, ` +
      `got public subnets of ${vpc.node.path}`);
  }
  return selected.subnetIds;
}

/** A short key of a value that stays the same across syntheses, tokens included (by what they resolve to). */
function stableKey(stack: Stack, value: string): string {
  const resolved = Token.isUnresolved(value) ? JSON.stringify(stack.resolve(value)) : value;
  return createHash('sha256').update(resolved).digest('hex').slice(0, 8);
}
