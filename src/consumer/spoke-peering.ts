import { Annotations, Names, Stack, Stage, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct, IDependable } from 'constructs';
import type { PrivateDnsOverride } from './private-dns-override';
import type { IPrivateLinkEndpoint } from './privatelink-endpoint';
import { cidrsOverlap } from '../internal/addresses';
import { stateOf } from '../internal/construct-state';
import { boundCrossRegionReferences } from '../internal/service-timeouts';
import { literalCidr } from '../internal/subnets';
import { invalid, isLiteral } from '../internal/validation';
import { linkProbe } from '../probe/link-probe';
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
   * The hub's endpoint: the spoke reaches it over the peering. Its VPC is the hub VPC.
   */
  readonly endpoint: IPrivateLinkEndpoint;

  /**
   * The spoke VPC, of the hub's account, in the hub's region or another. It may be created in
   * this app (in any stack) or imported; its stack must name its region.
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
   * A hostname to check from inside the spoke once its DNS override exists: a
   * `PrivateLinkProbe` (deploy-time check and canary) that expects the hub endpoint's addresses.
   * A spoke in another region gets it in a stack of its own region, `<hubSideStack>-Probe`, which
   * deploys after `hubSideStack`.
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
 * - a spoke in the hub's region has its hub-side routes, security group rule and DNS in its own
 *   stack too, after the peering;
 * - a spoke in another region has them in a stack this construct creates in the hub's region,
 *   `hubSideStack`, named `<hub stack>-<path of this construct>`, which deploys after the spoke's
 *   stack (`cdk deploy --all` orders hub, spoke, hub side);
 * - a spoke in the hub's own stack has everything there.
 * A spoke whose stack fails never gets its DNS override, so its hosts never resolve the vendor
 * to an address they cannot reach.
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
   * The stack of the hub-side routes, security group rules and the spoke's DNS: the hub stack, the
   * spoke's stack (same region), or a stack of the hub's region created for this spoke.
   */
  public readonly hubSideStack: Stack;
  /** The spoke's DNS overrides, one per override given, in the order given. */
  public readonly spokeDnsOverrides: PrivateDnsOverride[] = [];
  /** The probe of the spoke (with `probeHostname`). */
  public readonly probe?: PrivateLinkProbe;

  constructor(scope: Construct, id: string, props: SpokePeeringProps) {
    super(scope, id);
    const hubVpc = props.endpoint.vpc;
    const hubStack = Stack.of(hubVpc);
    const spokeStack = Stack.of(props.spokeVpc);
    const sameStack = spokeStack === hubStack;
    this.spokeRegion = spokeStack.region;
    this.validateStacks(hubStack, spokeStack);
    const interRegion = !sameStack && spokeStack.region !== hubStack.region;

    const hubCidr = literalCidr(hubVpc);
    const spokeCidr = literalCidr(props.spokeVpc);
    const spokeName = props.spokeVpc.node.path;
    // The spokes already joined to this hub, kept in the hub's stack.
    const joined = stateOf(hubStack, `SaasPrivateLinkSpokesOf${Names.uniqueId(hubVpc)}`, () => [] as { cidr?: string; name: string }[]);
    this.checkOverlaps(hubCidr, spokeCidr, spokeName, joined);
    if (joined.length + 1 > MAX_PEERINGS) {
      invalid(this, `a VPC can have at most ${MAX_PEERINGS} VPC peering connections (the AWS quota's maximum), ` +
        `got spoke number ${joined.length + 1} (${spokeName}) for the hub VPC ${hubVpc.node.path}; ` +
        'join more VPCs through a transit gateway, or a second hub');
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
    for (const override of props.dnsOverrides ?? []) override._checkRepeatable();
    joined.push({ cidr: spokeCidr, name: spokeName });
    if (!sameStack) {
      boundCrossRegionReferences(hubStack);
      boundCrossRegionReferences(spokeStack);
    }

    const spokeSide = sameStack ? this : new Construct(spokeStack, `SpokeRoutes${Names.uniqueId(this)}`);
    this.hubSideStack = sameStack || !interRegion ? spokeStack : this.createHubSideStack(hubStack, spokeName);
    const hubSide = this.hubSideStack === spokeStack ? spokeSide : this.hubSideStack;
    if (interRegion) boundCrossRegionReferences(this.hubSideStack);

    const tags = [{ key: 'Name', value: `PrivateLink hub ${hubStack.stackName} to ${spokeName}` }];
    // In the hub's stack, the hub requests the peering (as it always has); elsewhere the spoke does,
    // so the hub stack never needs the spoke's ID.
    const peering = sameStack
      ? new ec2.CfnVPCPeeringConnection(this, 'Resource', { vpcId: hubVpc.vpcId, peerVpcId: props.spokeVpc.vpcId, tags })
      : new ec2.CfnVPCPeeringConnection(spokeSide, 'Peering', {
        vpcId: props.spokeVpc.vpcId,
        peerVpcId: hubVpc.vpcId,
        peerRegion: interRegion ? hubStack.region : undefined,
        tags,
      });
    this.peeringConnectionId = peering.ref;

    const routes: IDependable[] = [peering];
    spokeRouteTables.forEach((routeTableId, i) => routes.push(new ec2.CfnRoute(spokeSide, `SpokeRoute${i}`, {
      routeTableId,
      destinationCidrBlock: hubCidr ?? hubVpc.vpcCidrBlock,
      vpcPeeringConnectionId: peering.ref,
    })));
    hubRouteTables.forEach((routeTableId, i) => routes.push(new ec2.CfnRoute(sameStack ? this : hubSide, `HubRoute${i}`, {
      routeTableId,
      destinationCidrBlock: spokeCidr ?? props.spokeVpc.vpcCidrBlock,
      vpcPeeringConnectionId: peering.ref,
    })));
    routes.push(...this.openEndpoint(props, hubSide, sameStack, spokeCidr, spokeName));

    (props.dnsOverrides ?? []).forEach((override, i) => {
      const dns = override._repeatFor(hubSide, i === 0 ? 'Dns' : `Dns${i}`, props.spokeVpc);
      // DNS last: the spoke resolves the vendor to the endpoint only once it can reach it. In the hub's
      // stack, after the hub's zone too, which let go of the spoke in versions that associated it there.
      dns.node.addDependency(...routes.filter((r) => Stack.of(r as Construct) === Stack.of(dns)));
      if (sameStack) dns.node.addDependency(override);
      this.spokeDnsOverrides.push(dns);
    });
    if (props.probeHostname) {
      this.probe = this.addProbe(props, interRegion ? this.createProbeStack() : hubSide, hubStack.region, routes);
    }
  }

  /** The spoke's probe, in the spoke's region, once its routes and DNS exist. */
  private addProbe(props: SpokePeeringProps, scope: Construct, hubRegion: string, routes: IDependable[]): PrivateLinkProbe | undefined {
    const after = [...this.spokeDnsOverrides, ...routes].filter((c) => Stack.of(c as Construct) === Stack.of(scope));
    const probe = linkProbe(scope, scope instanceof Stack ? 'Probe' : 'SpokeProbe', {
      hostname: props.probeHostname!,
      port: props.probePort,
      vpc: props.spokeVpc,
      endpoint: props.endpoint,
      endpointRegion: hubRegion,
      endpointCidr: literalCidr(props.endpoint.vpc) ?? props.endpoint.vpc.vpcCidrBlock,
      after,
    }, props.probe);
    if (probe && Stack.of(scope) !== this.hubSideStack) Stack.of(scope).addDependency(this.hubSideStack);
    return probe;
  }

  /** The spoke region's stack of a remote spoke's probe: after the hub side, where its DNS is. */
  private createProbeStack(): Stack {
    const stack = new Stack(Stage.of(this.hubSideStack)!, `${this.hubSideStack.node.id}-Probe`, {
      env: { account: this.hubSideStack.account, region: this.spokeRegion },
      description: `cdk-saas-privatelink: checks from ${this.node.path}'s spoke VPC that the vendor resolves to the hub endpoint and answers`,
    });
    boundCrossRegionReferences(stack);
    return stack;
  }

  /** The endpoint's security group rules for the spoke's CIDR block, on the hub side. */
  private openEndpoint(
    props: SpokePeeringProps, hubSide: Construct, sameStack: boolean, spokeCidr: string | undefined, spokeName: string,
  ): IDependable[] {
    const cidr = spokeCidr ?? props.spokeVpc.vpcCidrBlock;
    if (sameStack) {
      for (const port of props.endpoint.ports) {
        props.endpoint.connections.allowFrom(ec2.Peer.ipv4(cidr), ec2.Port.tcp(port), `PrivateLink service port ${port} from peered VPC ${spokeName}`);
      }
      return [];
    }
    // Rules of their own beside the spoke, so the hub stack does not grow with each spoke.
    const rules: IDependable[] = [];
    props.endpoint.connections.securityGroups.forEach((group, g) => {
      for (const port of props.endpoint.ports) {
        rules.push(new ec2.CfnSecurityGroupIngress(hubSide, `EndpointIngress${g}Port${port}`, {
          groupId: group.securityGroupId,
          ipProtocol: 'tcp',
          fromPort: port,
          toPort: port,
          cidrIp: cidr,
          description: `PrivateLink service port ${port} from peered VPC ${spokeName}`,
        }));
      }
    });
    return rules;
  }

  /** The hub region's stack of a spoke in another region, after the spoke's stack. */
  private createHubSideStack(hubStack: Stack, spokeName: string): Stack {
    const path = this.node.path.split('/').slice(hubStack.node.path.split('/').length);
    const id = [hubStack.node.id, ...path].join('-').replace(/[^A-Za-z0-9-]/g, '');
    const stage = Stage.of(hubStack);
    if (!stage) {
      return invalid(this, `the hub stack ${hubStack.node.path} must belong to an App or a Stage`);
    }
    return new Stack(stage, id, {
      env: { account: hubStack.account, region: hubStack.region },
      description: `cdk-saas-privatelink: hub-side routes, endpoint security group rules and DNS for spoke ${spokeName} ` +
        `of the PrivateLink hub in ${hubStack.stackName}`,
    });
  }

  private validateStacks(hubStack: Stack, spokeStack: Stack): void {
    if (Stack.of(this) !== hubStack) {
      invalid(this, '`SpokePeering` must be created in the stack of the hub endpoint\'s VPC ' +
        `(${hubStack.stackName}), got: ${Stack.of(this).stackName}`);
    }
    if (hubStack === spokeStack) return;
    const regions = [hubStack.region, spokeStack.region];
    if (!regions.every(isLiteral)) {
      invalid(this, 'a spoke in another stack needs the hub\'s and the spoke\'s stacks to name their regions ' +
        `(env: { account, region }), got ${hubStack.node.path} in ${show(hubStack.region)} and ${spokeStack.node.path} in ${show(spokeStack.region)}`);
    }
    const accounts = [hubStack.account, spokeStack.account];
    if (accounts.every(isLiteral) && accounts[0] !== accounts[1]) {
      invalid(this, `\`spokeVpc\` must be in the hub's account ${accounts[0]} (peering across accounts needs the other ` +
        `account to accept it), got ${spokeStack.node.path} in account ${accounts[1]}`);
    }
    if (Stage.of(hubStack) !== Stage.of(spokeStack)) {
      invalid(this, `\`spokeVpc\` must be in the hub's App or Stage, got ${spokeStack.node.path}`);
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

function show(value: string): string {
  return Token.isUnresolved(value) ? 'a deploy-time value' : JSON.stringify(value);
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
