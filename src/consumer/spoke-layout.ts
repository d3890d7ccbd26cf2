/*
 * Where a spoke's resources go and what comes after its routes, shared by SpokePeering and
 * TransitGatewaySpoke: the stacks (spoke's own, a hub-region stack for a spoke in another region,
 * a probe stack in the spoke's region), the endpoint's rule for the spoke's CIDR block, the spoke's
 * own DNS zones (after every route), and its probe.
 */
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

/** The props every kind of spoke shares. */
export interface SpokeInput {
  readonly endpoint: IPrivateLinkEndpoint;
  readonly spokeVpc: ec2.IVpc;
  readonly dnsOverrides?: PrivateDnsOverride[];
  readonly probeHostname?: string;
  readonly probePort?: number;
  readonly probe?: LinkProbeOptions;
}

/** Where a spoke's resources go, and what is known of both VPCs at synth. */
export interface SpokeLayout {
  readonly hubVpc: ec2.IVpc;
  readonly hubStack: Stack;
  readonly spokeStack: Stack;
  readonly sameStack: boolean;
  readonly interRegion: boolean;
  /** The spoke's side: the construct itself in the hub's stack, else a scope in the spoke's stack. */
  readonly spokeSide: Construct;
  /** The hub side: the construct itself, the spoke's scope (same region), or the hub-side stack. */
  readonly hubSide: Construct;
  readonly hubSideStack: Stack;
  readonly hubCidr: string;
  readonly spokeCidr: string;
  readonly spokeName: string;
  readonly hubRouteTables: string[];
  readonly spokeRouteTables: string[];
  /** How many spokes this hub VPC has, this one included. */
  readonly spokeNumber: number;
}

/**
 * Checks the spoke and decides where its resources go; creates the hub-side stack if needed.
 *
 * @param routes whether the spoke makes routes in both VPCs' route tables (so needs their IDs)
 */
export function layOutSpoke(self: Construct, kind: string, props: SpokeInput, routes = true): SpokeLayout {
  const hubVpc = props.endpoint.vpc;
  const hubStack = Stack.of(hubVpc);
  const spokeStack = Stack.of(props.spokeVpc);
  const sameStack = spokeStack === hubStack;
  validateStacks(self, kind, hubStack, spokeStack);
  const interRegion = !sameStack && spokeStack.region !== hubStack.region;
  const hubLiteral = literalCidr(hubVpc);
  const spokeLiteral = literalCidr(props.spokeVpc);
  const spokeName = props.spokeVpc.node.path;
  // The spokes already joined to this hub (any kind), kept in the hub's stack.
  const joined = stateOf(hubStack, `SaasPrivateLinkSpokesOf${Names.uniqueId(hubVpc)}`, () => [] as { cidr?: string; name: string }[]);
  checkOverlaps(self, hubLiteral, spokeLiteral, spokeName, joined);
  const spokeRouteTables = routeTableIds(props.spokeVpc);
  if (routes && spokeRouteTables.length === 0) {
    invalid(self, '`spokeVpc` has no route table IDs: import it with the route table IDs of its subnets ' +
      `(for example \`privateSubnetRouteTableIds\`), got none for ${spokeName}`);
  }
  const hubRouteTables = routeTableIds(hubVpc);
  // Without them the spoke would get its routes and its DNS while the hub has no way back.
  if (routes && hubRouteTables.length === 0) {
    invalid(self, '`endpoint`\'s VPC (the hub VPC) has no route table IDs: the hub needs a route back to the spoke in ' +
      'the route table of each of its subnets, or the spoke\'s hosts cannot reach the endpoint; import it with them ' +
      `(\`Vpc.fromVpcAttributes({ ..., privateSubnetRouteTableIds })\`), got none for ${hubVpc.node.path}`);
  }
  for (const override of props.dnsOverrides ?? []) override._checkRepeatable();
  joined.push({ cidr: spokeLiteral, name: spokeName });
  if (!sameStack) {
    boundCrossRegionReferences(hubStack);
    boundCrossRegionReferences(spokeStack);
  }
  const spokeSide = sameStack ? self : new Construct(spokeStack, `SpokeRoutes${Names.uniqueId(self)}`);
  const hubSideStack = sameStack || !interRegion ? spokeStack : createHubSideStack(self, hubStack, spokeName);
  if (interRegion) boundCrossRegionReferences(hubSideStack);
  return {
    hubVpc,
    hubStack,
    spokeStack,
    sameStack,
    interRegion,
    spokeSide,
    hubSide: hubSideStack === spokeStack ? spokeSide : hubSideStack,
    hubSideStack,
    hubCidr: hubLiteral ?? hubVpc.vpcCidrBlock,
    spokeCidr: spokeLiteral ?? props.spokeVpc.vpcCidrBlock,
    spokeName,
    hubRouteTables,
    spokeRouteTables,
    spokeNumber: joined.length,
  };
}

/**
 * After the routes: the endpoint's rule for the spoke's CIDR block, then the spoke's DNS zones
 * (each DependsOn every route and rule of its stack), then its probe.
 */
export function finishSpoke(
  self: Construct, props: SpokeInput, layout: SpokeLayout, routes: IDependable[], via: string,
): { dns: PrivateDnsOverride[]; probe?: PrivateLinkProbe } {
  const deps = [...routes, ...openEndpoint(props, layout, via)];
  const dns = (props.dnsOverrides ?? []).map((override, i) => {
    const copy = override._repeatFor(layout.hubSide, i === 0 ? 'Dns' : `Dns${i}`, props.spokeVpc);
    // DNS last: the spoke resolves the vendor to the endpoint only once it can reach it. In the hub's
    // stack, after the hub's zone too, which let go of the spoke in versions that associated it there.
    copy.node.addDependency(...deps.filter((r) => Stack.of(r as Construct) === Stack.of(copy)));
    if (layout.sameStack) copy.node.addDependency(override);
    return copy;
  });
  if (!props.probeHostname) return { dns };
  const scope = layout.interRegion ? createProbeStack(self, layout) : layout.hubSide;
  const probe = linkProbe(scope, scope instanceof Stack ? 'Probe' : 'SpokeProbe', {
    hostname: props.probeHostname,
    port: props.probePort,
    vpc: props.spokeVpc,
    endpoint: props.endpoint,
    endpointRegion: layout.hubStack.region,
    endpointCidr: layout.hubCidr,
    after: [...dns, ...deps].filter((c) => Stack.of(c as Construct) === Stack.of(scope)),
    owner: self,
  }, props.probe);
  if (probe && Stack.of(scope) !== layout.hubSideStack) Stack.of(scope).addStackDependency(layout.hubSideStack);
  return { dns, probe };
}

/** The endpoint's security group rules for the spoke's CIDR block, on the hub side. */
function openEndpoint(props: SpokeInput, layout: SpokeLayout, via: string): IDependable[] {
  const description = (port: number) => `PrivateLink service port ${port} from ${via} VPC ${layout.spokeName}`;
  if (layout.sameStack) {
    for (const port of props.endpoint.ports) {
      props.endpoint.connections.allowFrom(ec2.Peer.ipv4(layout.spokeCidr), ec2.Port.tcp(port), description(port));
    }
    return [];
  }
  // Rules of their own beside the spoke, so the hub stack does not grow with each spoke.
  const rules: IDependable[] = [];
  props.endpoint.connections.securityGroups.forEach((group, g) => {
    for (const port of props.endpoint.ports) {
      rules.push(new ec2.CfnSecurityGroupIngress(layout.hubSide, `EndpointIngress${g}Port${port}`, {
        groupId: group.securityGroupId,
        ipProtocol: 'tcp',
        fromPort: port,
        toPort: port,
        cidrIp: layout.spokeCidr,
        description: description(port),
      }));
    }
  });
  return rules;
}

/** The hub region's stack of a spoke in another region, after the spoke's stack. */
function createHubSideStack(self: Construct, hubStack: Stack, spokeName: string): Stack {
  const path = self.node.path.split('/').slice(hubStack.node.path.split('/').length);
  const id = [hubStack.node.id, ...path].join('-').replace(/[^A-Za-z0-9-]/g, '');
  return new Stack(Stage.of(hubStack)!, id, {
    env: { account: hubStack.account, region: hubStack.region },
    description: `cdk-saas-privatelink: hub-side routes, endpoint security group rules and DNS for spoke ${spokeName} ` +
      `of the PrivateLink hub in ${hubStack.stackName}`,
  });
}

/** The spoke region's stack of a remote spoke's probe: after the hub side, where its DNS is. */
function createProbeStack(self: Construct, layout: SpokeLayout): Stack {
  const stack = new Stack(Stage.of(layout.hubSideStack)!, `${layout.hubSideStack.node.id}-Probe`, {
    env: { account: layout.hubSideStack.account, region: layout.spokeStack.region },
    description: `cdk-saas-privatelink: checks from ${self.node.path}'s spoke VPC that the vendor resolves to the hub endpoint and answers`,
  });
  boundCrossRegionReferences(stack);
  return stack;
}

function validateStacks(self: Construct, kind: string, hubStack: Stack, spokeStack: Stack): void {
  if (Stack.of(self) !== hubStack) {
    invalid(self, `\`${kind}\` must be created in the stack of the hub endpoint's VPC ` +
      `(${hubStack.stackName}), got: ${Stack.of(self).stackName}`);
  }
  if (hubStack === spokeStack) return;
  const regions = [hubStack.region, spokeStack.region];
  if (!regions.every(isLiteral)) {
    invalid(self, 'a spoke in another stack needs the hub\'s and the spoke\'s stacks to name their regions ' +
      `(env: { account, region }), got ${hubStack.node.path} in ${show(hubStack.region)} and ${spokeStack.node.path} in ${show(spokeStack.region)}`);
  }
  const accounts = [hubStack.account, spokeStack.account];
  if (accounts.every(isLiteral) && accounts[0] !== accounts[1]) {
    invalid(self, `\`spokeVpc\` must be in the hub's account ${accounts[0]} (peering across accounts needs the other ` +
      `account to accept it), got ${spokeStack.node.path} in account ${accounts[1]}`);
  }
  if (!Stage.of(hubStack) || Stage.of(hubStack) !== Stage.of(spokeStack)) {
    invalid(self, `\`spokeVpc\` must be in the hub's App or Stage, got ${spokeStack.node.path}`);
  }
}

function checkOverlaps(
  self: Construct, hubCidr: string | undefined, spokeCidr: string | undefined, spokeName: string, joined: { cidr?: string; name: string }[],
): void {
  if (!spokeCidr || !hubCidr) {
    Annotations.of(self).addWarningV2('cdk-saas-privatelink:cidrUnknown',
      'The hub or spoke CIDR block is only known at deploy time, so overlaps could not be checked at synth.');
    return;
  }
  if (cidrsOverlap(hubCidr, spokeCidr)) {
    invalid(self, `\`spokeVpc\` CIDR ${spokeCidr} (${spokeName}) overlaps the hub VPC's ${hubCidr}: peered VPCs need distinct address ranges`);
  }
  const clash = joined.find((other) => other.cidr && cidrsOverlap(other.cidr, spokeCidr));
  if (clash) {
    invalid(self, `\`spokeVpc\` CIDR ${spokeCidr} (${spokeName}) overlaps ${clash.cidr} of spoke ${clash.name} on the same hub`);
  }
}

function show(value: string): string {
  return Token.isUnresolved(value) ? 'a deploy-time value' : JSON.stringify(value);
}

/** Every distinct route table of the VPC's subnets. */
export function routeTableIds(vpc: ec2.IVpc): string[] {
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
