import { Annotations, Names, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct, IDependable } from 'constructs';
import type { PrivateDnsOverride } from './private-dns-override';
import type { IPrivateLinkEndpoint } from './privatelink-endpoint';
import { finishSpoke, layOutSpoke, readAcrossRegions } from './spoke-layout';
import { stateOf } from '../internal/construct-state';
import { invalid } from '../internal/validation';
import type { PrivateLinkProbe } from '../probe/privatelink-probe';
import type { LinkProbeOptions } from '../probe/privatelink-probe-props';

/** VPC peering connections per VPC: 50 by default, 125 with a quota increase. */
const DEFAULT_PEERINGS = 50;
const MAX_PEERINGS = 125;

/**
 * Properties of a `SpokePeering`.
 */
export interface SpokePeeringProps {
  /**
   * The hub's endpoint: the spoke reaches it over the peering. Its VPC is the hub VPC, which
   * gets a route back to the spoke in every route table of its subnets: an imported hub VPC needs
   * their IDs (`privateSubnetRouteTableIds`).
   */
  readonly endpoint: IPrivateLinkEndpoint;

  /**
   * The spoke VPC, of the hub's account, in the hub's region or another. It may be created in
   * this app (in any stack, the hub's included) or imported with the route table IDs of its
   * subnets; its stack must name its region.
   */
  readonly spokeVpc: ec2.IVpc;

  /**
   * DNS overrides to repeat for the spoke VPC: each gets a private hosted zone of its own for
   * the spoke (same name, same records), created once the routes exist.
   *
   * @default - none
   */
  readonly dnsOverrides?: PrivateDnsOverride[];

  /**
   * A hostname to check from inside the spoke once its DNS override exists, with a
   * `PrivateLinkProbe` (deploy-time check and canary) that expects the hub endpoint's addresses.
   * The spokes of one stack share one probe (a function in each spoke VPC, one deploy-time gate),
   * in the stack of their DNS zones (`dnsStack`), after every zone.
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
 * Joins a spoke VPC to the VPC of a `PrivateLinkEndpoint` (the hub), in the order Dynatrace's
 * cross-region guide gives: a VPC peering connection (inter-region when the spoke is in another
 * region), routes to the other side in every route table of both VPCs, the endpoint's security
 * group opened to the spoke's CIDR block on the service ports, and only then the DNS overrides
 * for the spoke (a private hosted zone per spoke and override).
 *
 * Where the resources go, so that a spoke VPC created in the same app needs no literal IDs and
 * there is no cycle:
 * - the spoke's stack (the stack of `spokeVpc`) requests the peering and holds the spoke's routes;
 * - a spoke in the hub's region has its hub-side routes, security group rule, DNS and probe in
 *   its own stack too, after the peering;
 * - the spokes of one stack in another region share two stacks this library creates: in the
 *   hub's region `<hub stack>-<spoke stack>-HubSide` (hub-side routes and security group rules),
 *   and in the spoke's region `<hub stack>-<spoke stack>-SpokeDns` (the spokes' zones and their
 *   probe, whose deploy-time gate runs after every zone), split into `...-HubSide2`,
 *   `...-SpokeDns2` and so on where a stack would pass 450 resources. `cdk deploy --all` orders
 *   hub, spoke stack, hub side, spoke DNS: four waves however many spokes;
 * - a spoke in the hub's own stack has everything there.
 * A spoke whose stacks fail never gets its DNS override, and with `probe.failDeployment` a failing
 * probe rolls the zones of its stack back with it, so hosts never resolve the vendor to an
 * address they cannot reach. What the library's stacks read from the hub's and the spokes' stacks
 * they read weakly (`Fn::GetStackOutput`), so a spoke can be removed, and the hub endpoint
 * replaced, with a plain `cdk deploy`.
 *
 * @example
 * declare const endpoint: PrivateLinkEndpoint;
 * declare const dns: PrivateDnsOverride;
 * declare const tokyoVpc: ec2.IVpc; // created in the Tokyo stack of the same app
 * new SpokePeering(this, 'Tokyo', { endpoint, spokeVpc: tokyoVpc, dnsOverrides: [dns] });
 */
export class SpokePeering extends Construct {
  /** The VPC peering connection ID. */
  public readonly peeringConnectionId: string;
  /** The spoke's region. */
  public readonly spokeRegion: string;
  /**
   * The stack of the hub-side routes and security group rules: the hub stack, the spoke's stack
   * (same region), or the spoke group's stack in the hub's region (`<hub stack>-<spoke stack>-HubSide`).
   */
  public readonly hubSideStack: Stack;
  /**
   * The stack of the spoke's DNS zones and probe: `hubSideStack` in the hub's region, else the
   * spoke group's stack in the spoke's region (`<hub stack>-<spoke stack>-SpokeDns`).
   */
  public readonly dnsStack: Stack;
  /** The spoke's DNS overrides, one per override given, in the order given. */
  public readonly spokeDnsOverrides: PrivateDnsOverride[];
  /** The probe of the spoke (with `probeHostname`), shared with the other spokes of `dnsStack`. */
  public readonly probe?: PrivateLinkProbe;

  constructor(scope: Construct, id: string, props: SpokePeeringProps) {
    super(scope, id);
    // Peering connections of this hub VPC (spokes through a transit gateway do not count), checked
    // before anything is made.
    const hubVpc = props.endpoint.vpc;
    const peerings = stateOf(Stack.of(hubVpc), `SaasPrivateLinkPeeringsOf${Names.uniqueId(hubVpc)}`, () => ({ count: 0 }));
    if (peerings.count + 1 > MAX_PEERINGS) {
      invalid(this, `\`spokeVpc\` ${props.spokeVpc.node.path} would be peering connection number ${peerings.count + 1} of the hub VPC ` +
        `${hubVpc.node.path}, past the ${MAX_PEERINGS} a VPC can have (the AWS quota's maximum); ` +
        'join more VPCs through a transit gateway (TransitGatewaySpoke), or a second hub');
    }
    const layout = layOutSpoke(this, 'SpokePeering', props);
    const { hubStack, sameStack, spokeSide, hubSide, spokeName } = layout;
    this.spokeRegion = layout.spokeStack.region;
    this.hubSideStack = layout.hubSideStack;
    this.dnsStack = layout.dnsStack;
    peerings.count++;
    if (peerings.count > DEFAULT_PEERINGS) {
      Annotations.of(this).addWarningV2('cdk-saas-privatelink:peeringQuota',
        `The hub VPC has ${peerings.count} peering connections; the default quota is ${DEFAULT_PEERINGS} (raise it to up to ${MAX_PEERINGS}).`);
    }

    const tags = [{ key: 'Name', value: `PrivateLink hub ${hubStack.stackName} to ${spokeName}` }];
    // In the hub's stack, the hub requests the peering (as it always has); elsewhere the spoke does,
    // so the hub stack never needs the spoke's ID.
    const peering = sameStack
      ? new ec2.CfnVPCPeeringConnection(this, 'Resource', { vpcId: hubVpc.vpcId, peerVpcId: props.spokeVpc.vpcId, tags })
      : new ec2.CfnVPCPeeringConnection(spokeSide, 'Peering', {
        vpcId: props.spokeVpc.vpcId,
        peerVpcId: readAcrossRegions(layout, hubVpc.vpcId),
        peerRegion: layout.interRegion ? hubStack.region : undefined,
        tags,
      });
    this.peeringConnectionId = peering.ref;

    const routes: IDependable[] = [peering];
    layout.spokeRouteTables.forEach((routeTableId, i) => routes.push(new ec2.CfnRoute(spokeSide, `SpokeRoute${i}`, {
      routeTableId,
      destinationCidrBlock: layout.hubCidr,
      vpcPeeringConnectionId: peering.ref,
    })));
    layout.hubRouteTables.forEach((routeTableId, i) => routes.push(new ec2.CfnRoute(hubSide, `HubRoute${i}`, {
      routeTableId,
      destinationCidrBlock: layout.spokeCidr,
      vpcPeeringConnectionId: peering.ref,
    })));
    const { dns, probe } = finishSpoke(this, props, layout, routes, 'peered');
    this.spokeDnsOverrides = dns;
    this.probe = probe;
  }
}
