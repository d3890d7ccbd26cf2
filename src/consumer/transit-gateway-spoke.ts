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

/**
 * Properties of a `TransitGatewaySpoke`.
 */
export interface TransitGatewaySpokeProps {
  /**
   * The hub's endpoint: the spoke reaches it through the transit gateway. Its VPC is the hub VPC.
   */
  readonly endpoint: IPrivateLinkEndpoint;

  /**
   * The spoke VPC, of the hub's account, created in this app (any stack that names its region)
   * or imported.
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
   * The hub VPC's subnets for its attachment, one per Availability Zone.
   *
   * @default - the hub VPC's private subnets (with egress, else isolated), one per AZ
   */
  readonly hubSubnets?: ec2.SubnetSelection;

  /**
   * The spoke VPC's subnets for its attachment, one per Availability Zone.
   *
   * @default - the spoke VPC's private subnets (with egress, else isolated), one per AZ
   */
  readonly spokeSubnets?: ec2.SubnetSelection;

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

  /** The hub VPC's attachment to `transitGatewayId`. */
  public readonly hubAttachmentId: string;
  /** The spoke VPC's attachment. */
  public readonly spokeAttachmentId: string;
  /** The spoke's region. */
  public readonly spokeRegion: string;
  /** The stack of the hub-side routes, security group rules and the spoke's DNS (see `SpokePeering`). */
  public readonly hubSideStack: Stack;
  /** The spoke's DNS overrides, one per override given, in the order given. */
  public readonly spokeDnsOverrides: PrivateDnsOverride[];
  /** The probe of the spoke (with `probeHostname`). */
  public readonly probe?: PrivateLinkProbe;

  constructor(scope: Construct, id: string, props: TransitGatewaySpokeProps) {
    super(scope, id);
    const spokeTgw = this.validate(props);
    const hubSubnets = attachmentSubnets(this, 'hubSubnets', props.endpoint.vpc, props.hubSubnets);
    const spokeSubnets = attachmentSubnets(this, 'spokeSubnets', props.spokeVpc, props.spokeSubnets);
    const layout = layOutSpoke(this, 'TransitGatewaySpoke', props);
    const { hubStack, spokeSide, hubSide, spokeName } = layout;
    this.spokeRegion = layout.spokeStack.region;
    this.hubSideStack = layout.hubSideStack;

    // The hub VPC is attached once per transit gateway, in the hub's stack.
    const attachmentId = `TgwAttachment${Names.uniqueId(props.endpoint.vpc)}${stableKey(hubStack, props.transitGatewayId)}`;
    const hubAttachment = stateOf(hubStack, `SaasPrivateLink${attachmentId}`,
      () => new ec2.CfnTransitGatewayAttachment(hubStack, attachmentId, {
        transitGatewayId: props.transitGatewayId,
        vpcId: props.endpoint.vpc.vpcId,
        subnetIds: hubSubnets,
        tags: [{ key: 'Name', value: `PrivateLink hub ${hubStack.stackName}` }],
      }));
    const spokeAttachment = new ec2.CfnTransitGatewayAttachment(spokeSide, 'TgwAttachment', {
      transitGatewayId: spokeTgw,
      vpcId: props.spokeVpc.vpcId,
      subnetIds: spokeSubnets,
      tags: [{ key: 'Name', value: `PrivateLink spoke ${spokeName} of ${hubStack.stackName}` }],
    });
    this.hubAttachmentId = hubAttachment.ref;
    this.spokeAttachmentId = spokeAttachment.ref;

    // A route to a transit gateway needs the VPC's attachment first.
    const routes: IDependable[] = [spokeAttachment];
    layout.spokeRouteTables.forEach((routeTableId, i) => {
      const route = new ec2.CfnRoute(spokeSide, `SpokeRoute${i}`, {
        routeTableId, destinationCidrBlock: layout.hubCidr, transitGatewayId: spokeTgw,
      });
      route.addResourceDependency(spokeAttachment);
      routes.push(route);
    });
    layout.hubRouteTables.forEach((routeTableId, i) => {
      const route = new ec2.CfnRoute(hubSide, `HubRoute${i}`, {
        routeTableId, destinationCidrBlock: layout.spokeCidr, transitGatewayId: props.transitGatewayId,
      });
      if (Stack.of(route) === hubStack) route.addResourceDependency(hubAttachment);
      else Stack.of(route).addStackDependency(hubStack);
      routes.push(route);
    });
    const { dns, probe } = finishSpoke(this, props, layout, routes, 'transit gateway');
    this.spokeDnsOverrides = dns;
    this.probe = probe;
  }

  private validate(props: TransitGatewaySpokeProps): string {
    for (const [name, value] of [['transitGatewayId', props.transitGatewayId], ['spokeTransitGatewayId', props.spokeTransitGatewayId]] as const) {
      if (value !== undefined && isLiteral(value) && !TRANSIT_GATEWAY_ID.test(value)) {
        invalid(this, `\`${name}\` must be a transit gateway ID such as "tgw-0123456789abcdef0", got: ${show(value)}`);
      }
    }
    const hubRegion = Stack.of(props.endpoint.vpc).region;
    const spokeRegion = Stack.of(props.spokeVpc).region;
    const otherRegion = isLiteral(hubRegion) && isLiteral(spokeRegion) && hubRegion !== spokeRegion;
    if (otherRegion && props.spokeTransitGatewayId === undefined) {
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
