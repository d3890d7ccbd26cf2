/*
 * Where a spoke's resources go and what comes after its routes, shared by SpokePeering and
 * TransitGatewaySpoke: the stacks (the spoke's own; for a spoke in another region, its group's
 * pair of stacks, see spoke-groups.ts), the endpoint's rule for the spoke's CIDR block, the
 * spoke's own DNS zones (after every route), and the probe its group shares.
 */
import { Annotations, CfnResource, Names, Stack, Stage, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct, IDependable } from 'constructs';
import type { PrivateDnsOverride } from './private-dns-override';
import type { EndpointPortRange, IPrivateLinkEndpoint } from './privatelink-endpoint';
import { groupStacks, resourceCount, spokeScopeId, SpokeGroupStacks } from './spoke-groups';
import { cidrsOverlap } from '../internal/addresses';
import { stateOf } from '../internal/construct-state';
import { definitionFingerprint } from '../internal/definition-fingerprint';
import { boundCrossRegionReferences } from '../internal/service-timeouts';
import { literalCidr } from '../internal/subnets';
import { invalid, isLiteral } from '../internal/validation';
import { readWeakly } from '../internal/weak-reference';
import { spokeProbe } from '../probe/link-probe';
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
  /** The hub side: the construct itself, the spoke's scope (same region), or a scope in the group's hub-side stack. */
  readonly hubSide: Construct;
  readonly hubSideStack: Stack;
  /** Where the spoke's DNS zones and probe go: `hubSide` in the hub's region, else a scope in the group's DNS stack. */
  readonly dnsSide: Construct;
  readonly dnsStack: Stack;
  /** The group's pair of stacks (a spoke in another region), and their resources before this spoke. */
  readonly group?: { readonly stacks: SpokeGroupStacks; readonly before: number[] };
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
  const common = {
    hubVpc,
    hubStack,
    spokeStack,
    sameStack,
    interRegion,
    spokeSide,
    hubCidr: hubLiteral ?? hubVpc.vpcCidrBlock,
    spokeCidr: spokeLiteral ?? props.spokeVpc.vpcCidrBlock,
    spokeName,
    hubRouteTables,
    spokeRouteTables,
    spokeNumber: joined.length,
  };
  if (!interRegion) {
    const stack = Stack.of(spokeSide);
    return { ...common, hubSide: spokeSide, hubSideStack: stack, dnsSide: spokeSide, dnsStack: stack };
  }
  const stacks = groupStacks(hubStack, spokeStack);
  const hubSide = new Construct(stacks.hubSide, spokeScopeId(stacks.hubSide, self, hubStack));
  const dnsSide = new Construct(stacks.dns, spokeScopeId(stacks.dns, self, hubStack));
  return {
    ...common,
    hubSide,
    hubSideStack: stacks.hubSide,
    dnsSide,
    dnsStack: stacks.dns,
    group: { stacks, before: [resourceCount(stacks.hubSide), resourceCount(stacks.dns)] },
  };
}

/**
 * A value of the hub's or the spoke's stack as a stack of the spoke reads it: weakly
 * (Fn::GetStackOutput) from another region, so that no export blocks a change of the hub or
 * the removal of a spoke, and no cross-region reader function is needed.
 */
export function readAcrossRegions(layout: SpokeLayout, value: string): string {
  return layout.interRegion ? readWeakly(value) : value;
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
    const copy = override._repeatFor(layout.dnsSide, i === 0 ? 'Dns' : `Dns${i}`, props.spokeVpc);
    // DNS last: the spoke resolves the vendor to the endpoint only once it can reach it. In the hub's
    // stack, after the hub's zone too, which let go of the spoke in versions that associated it there.
    copy.node.addDependency(...deps.filter((r) => Stack.of(r as Construct) === Stack.of(copy)));
    if (layout.sameStack) copy.node.addDependency(override);
    return copy;
  });
  const probe = props.probeHostname ? spokeProbe(layout.dnsSide, {
    hostname: props.probeHostname,
    port: props.probePort,
    vpc: props.spokeVpc,
    endpoint: props.endpoint,
    endpointRegion: layout.hubStack.region,
    endpointCidr: layout.hubCidr,
    after: [...dns, ...deps].filter((c) => Stack.of(c as Construct) === layout.dnsStack),
    owner: self,
  }, props.probe) : undefined;
  if (probe && !layout.sameStack) followEndpoint(probe, props.endpoint);
  if (layout.group) {
    const after = [resourceCount(layout.hubSideStack), resourceCount(layout.dnsStack)];
    const added = Math.max(after[0] - layout.group.before[0], after[1] - layout.group.before[1]);
    const pair = layout.group.stacks;
    // The first spoke also brings what the stack's spokes share (runner, role, gate): not a spoke's size.
    if (pair.spokes > 0 || pair.largestSpoke === 0) pair.largestSpoke = pair.spokes === 0 ? 0 : Math.max(pair.largestSpoke, added);
    pair.spokes++;
  }
  return { dns, probe };
}

/**
 * Makes the probe's gate run again when the hub endpoint's definition changes, so that a
 * replaced endpoint is checked from every spoke (see definition-fingerprint.ts).
 */
function followEndpoint(probe: Construct, endpoint: IPrivateLinkEndpoint): void {
  const producer = endpoint.node.defaultChild;
  if (!producer || !CfnResource.isCfnResource(producer)) return;
  for (const c of probe.node.findAll()) {
    // A property, not Metadata: CloudFormation sends a custom resource an Update only for its properties.
    if (CfnResource.isCfnResource(c) && c.cfnResourceType === 'Custom::PrivateLinkProbe') {
      c.addPropertyOverride('EndpointDefinition', definitionFingerprint(producer));
    }
  }
}

/** The endpoint's security group rules for the spoke's CIDR block, on the hub side. */
function openEndpoint(props: SpokeInput, layout: SpokeLayout, via: string): IDependable[] {
  const openings = openingsOf(props.endpoint);
  const description = (o: Opening) => `PrivateLink service ${o.label} from ${via} VPC ${layout.spokeName}`;
  if (layout.sameStack) {
    for (const o of openings) {
      props.endpoint.connections.allowFrom(ec2.Peer.ipv4(layout.spokeCidr), o.port, description(o));
    }
    return [];
  }
  // Rules of their own beside the spoke, so the hub stack does not grow with each spoke.
  const rules: IDependable[] = [];
  props.endpoint.connections.securityGroups.forEach((group, g) => {
    for (const o of openings) {
      rules.push(new ec2.CfnSecurityGroupIngress(layout.hubSide, `EndpointIngress${g}${o.idSuffix}`, {
        groupId: group.securityGroupId,
        ipProtocol: 'tcp',
        fromPort: o.fromPort,
        toPort: o.toPort,
        cidrIp: layout.spokeCidr,
        description: description(o),
      }));
    }
  });
  return rules;
}

/** One ingress rule the endpoint needs: a single port or a port range. */
interface Opening {
  readonly fromPort: number;
  readonly toPort: number;
  /** The same, for `connections` (`ec2.Port.tcp` for a single port, as before ranges existed). */
  readonly port: ec2.Port;
  /** For the rule's description: `port 443` or `ports 1024-65535`. */
  readonly label: string;
  /** For a rule's construct ID: `Port443` (as before ranges existed) or `Ports1024To65535`. */
  readonly idSuffix: string;
}

/** The endpoint's rules: its port range as one, else one per single port. */
function openingsOf(endpoint: IPrivateLinkEndpoint): Opening[] {
  const range = portRangeOf(endpoint);
  if (range) {
    const { fromPort, toPort } = range;
    return [{
      fromPort, toPort, port: ec2.Port.tcpRange(fromPort, toPort), label: `ports ${fromPort}-${toPort}`, idSuffix: `Ports${fromPort}To${toPort}`,
    }];
  }
  return endpoint.ports.map((port) => ({
    fromPort: port, toPort: port, port: ec2.Port.tcp(port), label: `port ${port}`, idSuffix: `Port${port}`,
  }));
}

/**
 * The port range of an endpoint that has one (a `PrivateLinkEndpoint` given `portRange`);
 * `IPrivateLinkEndpoint` does not name it, and an imported endpoint has none.
 */
function portRangeOf(endpoint: IPrivateLinkEndpoint): EndpointPortRange | undefined {
  const range = (endpoint as { portRange?: Partial<EndpointPortRange> }).portRange;
  return range && typeof range.fromPort === 'number' && typeof range.toPort === 'number'
    ? { fromPort: range.fromPort, toPort: range.toPort }
    : undefined;
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
