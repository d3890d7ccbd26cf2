import { Annotations, Names, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import type { PrivateDnsOverride } from './private-dns-override';
import type { IPrivateLinkEndpoint } from './privatelink-endpoint';
import { cidrsOverlap } from '../internal/addresses';
import { stateOf } from '../internal/construct-state';
import { boundCrossRegionReferences } from '../internal/service-timeouts';
import { literalCidr } from '../internal/subnets';
import { invalid } from '../internal/validation';

/** VPC peering connections per VPC: 50 by default, 125 with a quota increase. */
const DEFAULT_PEERINGS = 50;
const MAX_PEERINGS = 125;

/**
 * Properties of a `SpokePeering`.
 */
export interface SpokePeeringProps {
  /**
   * The hub's endpoint: the spoke reaches it over the peering. Its VPC is the hub VPC.
   */
  readonly endpoint: IPrivateLinkEndpoint;

  /**
   * The spoke VPC, in this region or another region of the same account. A VPC in another
   * region's stack must be imported with literal attributes (`ec2.Vpc.fromVpcAttributes` with
   * `vpcId`, `vpcCidrBlock` and the subnets' route table IDs): the hub needs its ID before the
   * spoke stack, which needs the peering's ID, is deployed.
   */
  readonly spokeVpc: ec2.IVpc;

  /**
   * DNS overrides to associate with the spoke VPC, so the vendor's hostnames resolve to the
   * endpoint there too.
   *
   * @default - none
   */
  readonly dnsOverrides?: PrivateDnsOverride[];
}

/**
 * Joins a spoke VPC to the VPC of a `PrivateLinkEndpoint` (the hub): a VPC peering connection
 * (inter-region when the spoke is in another region), routes to the other side in every route
 * table of both VPCs (the spoke's routes in the spoke's stack), the endpoint's security group
 * opened to the spoke's CIDR block on the service ports, and the DNS overrides associated
 * with the spoke VPC.
 *
 * Create it in the hub's stack. For a spoke in another region, the spoke's stack needs
 * `crossRegionReferences: true` (it reads the peering ID) and deploys after the hub.
 *
 * @example
 * declare const endpoint: PrivateLinkEndpoint;
 * declare const dns: PrivateDnsOverride;
 * declare const tokyoVpc: ec2.IVpc; // imported in the Tokyo stack with literal IDs
 * new SpokePeering(this, 'Tokyo', { endpoint, spokeVpc: tokyoVpc, dnsOverrides: [dns] });
 */
export class SpokePeering extends Construct {
  /** The VPC peering connection ID. */
  public readonly peeringConnectionId: string;
  /** The spoke's region. */
  public readonly spokeRegion: string;

  constructor(scope: Construct, id: string, props: SpokePeeringProps) {
    super(scope, id);
    const hubVpc = props.endpoint.vpc;
    const hubStack = Stack.of(this);
    const spokeStack = Stack.of(props.spokeVpc);
    const spokeRegion = spokeStack.region;
    this.spokeRegion = spokeRegion;
    const interRegion = spokeRegion !== hubStack.region;
    if (spokeStack !== hubStack) {
      boundCrossRegionReferences(hubStack);
      boundCrossRegionReferences(spokeStack);
    }

    if (Stack.of(hubVpc) !== hubStack) {
      invalid(this, '`SpokePeering` must be created in the stack of the hub endpoint\'s VPC ' +
        `(${Stack.of(hubVpc).stackName}), got: ${hubStack.stackName}`);
    }
    if (spokeStack !== hubStack && Token.isUnresolved(props.spokeVpc.vpcId)) {
      invalid(this, '`spokeVpc` lives in another stack, so it must be imported with a literal `vpcId` ' +
        '(ec2.Vpc.fromVpcAttributes): the hub needs its ID while the spoke needs the peering\'s, ' +
        `got a VPC whose ID is only known at deploy time (${props.spokeVpc.node.path})`);
    }
    const hubCidr = literalCidr(hubVpc);
    const spokeCidr = literalCidr(props.spokeVpc);
    const spokeName = props.spokeVpc.node.path;
    // The spokes already joined to this hub, kept in the hub's stack.
    const joined = stateOf(hubStack, `SaasPrivateLinkSpokesOf${Names.uniqueId(hubVpc)}`, () => [] as { cidr?: string; name: string }[]);
    this.checkOverlaps(hubCidr, spokeCidr, spokeName, joined);
    if (joined.length + 1 > MAX_PEERINGS) {
      invalid(this, `a VPC can have at most ${MAX_PEERINGS} peering connections, got a spoke number ${joined.length + 1} (${spokeName})`);
    }
    if (joined.length + 1 > DEFAULT_PEERINGS) {
      Annotations.of(this).addWarningV2('cdk-saas-privatelink:peeringQuota',
        `The hub VPC has ${joined.length + 1} peering connections; the default quota is ${DEFAULT_PEERINGS} (raise it to up to ${MAX_PEERINGS}).`);
    }
    const hubRouteTables = routeTableIds(hubVpc);
    const spokeRouteTables = routeTableIds(props.spokeVpc);
    if (spokeRouteTables.length === 0) {
      invalid(this, '`spokeVpc` has no route table IDs: import it with the route table IDs of its subnets ' +
        `(for example \`privateSubnetRouteTableIds\`), got none for ${spokeName}`);
    }
    joined.push({ cidr: spokeCidr, name: spokeName });

    const peering = new ec2.CfnVPCPeeringConnection(this, 'Resource', {
      vpcId: hubVpc.vpcId,
      peerVpcId: props.spokeVpc.vpcId,
      peerRegion: interRegion ? spokeRegion : undefined,
      tags: [{ key: 'Name', value: `PrivateLink hub ${hubStack.stackName} to ${spokeName}` }],
    });
    this.peeringConnectionId = peering.ref;

    hubRouteTables.forEach((routeTableId, i) => new ec2.CfnRoute(this, `HubRoute${i}`, {
      routeTableId,
      destinationCidrBlock: spokeCidr ?? props.spokeVpc.vpcCidrBlock,
      vpcPeeringConnectionId: peering.ref,
    }));
    const spokeScope = spokeStack === hubStack ? this : new Construct(spokeStack, `SpokeRoutes${Names.uniqueId(this)}`);
    spokeRouteTables.forEach((routeTableId, i) => new ec2.CfnRoute(spokeScope, `SpokeRoute${i}`, {
      routeTableId,
      destinationCidrBlock: hubCidr ?? hubVpc.vpcCidrBlock,
      vpcPeeringConnectionId: peering.ref,
    }));

    for (const port of props.endpoint.ports) {
      props.endpoint.connections.allowFrom(ec2.Peer.ipv4(spokeCidr ?? props.spokeVpc.vpcCidrBlock), ec2.Port.tcp(port),
        `PrivateLink service port ${port} from peered VPC ${spokeName}`);
    }
    for (const dns of props.dnsOverrides ?? []) {
      dns.addVpcById(props.spokeVpc.vpcId, spokeRegion);
    }
  }

  private checkOverlaps(
    hubCidr: string | undefined,
    spokeCidr: string | undefined,
    spokeName: string,
    joined: { cidr?: string; name: string }[],
  ): void {
    if (!spokeCidr || !hubCidr) {
      Annotations.of(this).addWarningV2('cdk-saas-privatelink:cidrUnknown',
        'The hub or spoke CIDR block is only known at deploy time, so overlaps could not be checked at synth.');
      return;
    }
    if (cidrsOverlap(hubCidr, spokeCidr)) {
      invalid(this, `\`spokeVpc\` CIDR ${spokeCidr} (${spokeName}) overlaps the hub VPC's ${hubCidr}: peered VPCs need distinct address ranges`);
    }
    const clash = joined.find((other) => other.cidr && cidrsOverlap(other.cidr, spokeCidr));
    if (clash) {
      invalid(this, `\`spokeVpc\` CIDR ${spokeCidr} (${spokeName}) overlaps ${clash.cidr} of spoke ${clash.name} on the same hub`);
    }
  }
}

/** Every distinct route table of the VPC's subnets. */
function routeTableIds(vpc: ec2.IVpc): string[] {
  const ids: string[] = [];
  for (const subnet of [...vpc.publicSubnets, ...vpc.privateSubnets, ...vpc.isolatedSubnets]) {
    let id: string | undefined;
    try {
      id = subnet.routeTable?.routeTableId;
    } catch {
      id = undefined;
    }
    if (id && !ids.includes(id)) ids.push(id);
  }
  return ids;
}
