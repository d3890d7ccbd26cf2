/**
 * The rules EC2, Route 53 and CloudFormation apply at deploy time, checked on a synthesized app's
 * construct tree (L1 resources, across all its stacks):
 * - at most one subnet per Availability Zone for an interface endpoint and for a load balancer;
 * - no two ingress rules with the same group, protocol, ports and source;
 * - routes in both directions for every peering and transit gateway attachment, in every route
 *   table of the subnets hosts run in;
 * - a private hosted zone is associated only with VPCs that can reach an endpoint (its own VPC,
 *   one peered with it, or one attached to a transit gateway as the endpoint's VPC is).
 * References are compared by the resource they point at, so a value that crosses stacks (or
 * regions) is the same value on both sides.
 */
import { CfnResource, Reference, Token, Tokenization } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as route53 from 'aws-cdk-lib/aws-route53';
import type { IConstruct } from 'constructs';

/** What a value is: a literal, or the path of the resource a reference points at. */
export function identity(value: unknown): string {
  if (value === undefined || value === null) return 'none';
  if (typeof value !== 'string') return `literal:${JSON.stringify(value)}`;
  if (!Token.isUnresolved(value)) return `literal:${value}`;
  const fragments = Tokenization.reverseString(value);
  const token = fragments.length === 1 ? fragments.firstToken : undefined;
  // A reference read with a chosen strength (Stack.consumeReference) wraps the reference itself.
  const wrapped = (token as { reference?: unknown } | undefined)?.reference;
  const reference = token instanceof Reference ? token : wrapped instanceof Reference ? wrapped : undefined;
  return reference ? `ref:${reference.target.node.path}` : `token:${value}`;
}

/** The properties a custom resource was given (no public accessor exists). */
function customProperties(resource: IConstruct | undefined): Record<string, unknown> | undefined {
  const cfn = resource?.node.defaultChild as CfnResource | undefined;
  return (cfn as unknown as { _cfnProperties?: Record<string, unknown> } | undefined)?._cfnProperties;
}

const list = (value: unknown): unknown[] => {
  if (Array.isArray(value)) return value;
  if (typeof value === 'string' && Token.isUnresolved(value)) return [value];
  return value === undefined ? [] : [value];
};

export function checkDeployRules(root: IConstruct, vpcs: ec2.IVpc[]): string[] {
  const all = root.node.findAll();
  const of = <T>(cls: new (...args: any[]) => T) => all.filter((c): c is T & IConstruct => c instanceof cls);
  const violations: string[] = [];

  // Subnets per AZ.
  const azOf = new Map<string, string>();
  for (const vpc of vpcs) {
    for (const s of [...vpc.publicSubnets, ...vpc.privateSubnets, ...vpc.isolatedSubnets]) azOf.set(identity(s.subnetId), s.availabilityZone);
  }
  const onePerAz = (what: string, subnets: unknown[]) => {
    const seen = new Map<string, string>();
    for (const subnet of subnets) {
      const id = identity(subnet);
      const az = azOf.get(id);
      if (az === undefined || Token.isUnresolved(az)) continue;
      if (seen.has(az)) violations.push(`${what}: two subnets in ${az} (${seen.get(az)}, ${id}); EC2 allows one per AZ`);
      seen.set(az, id);
    }
  };
  for (const endpoint of of(ec2.CfnVPCEndpoint)) {
    if (endpoint.vpcEndpointType !== 'Interface') continue;
    const filter = customProperties(endpoint.node.scope?.node.tryFindChild('SupportedSubnets'));
    onePerAz(`endpoint ${endpoint.node.path}`, list(filter ? filter.SubnetIds : endpoint.subnetIds));
  }
  for (const lb of of(elbv2.CfnLoadBalancer)) onePerAz(`load balancer ${lb.node.path}`, list(lb.subnets));

  // Duplicate ingress rules.
  const rules = new Map<string, string>();
  const addRule = (at: string, group: string, r: Record<string, unknown>) => {
    const key = [group, r.ipProtocol, r.fromPort, r.toPort, identity(r.cidrIp ?? r.cidrIpv6 ?? r.sourcePrefixListId ?? r.sourceSecurityGroupId)].join(' ');
    if (rules.has(key)) violations.push(`ingress rule ${at} repeats ${rules.get(key)} (${key}); EC2 refuses a duplicate rule`);
    else rules.set(key, at);
  };
  for (const rule of of(ec2.CfnSecurityGroupIngress)) addRule(rule.node.path, identity(rule.groupId), rule as unknown as Record<string, unknown>);
  for (const group of of(ec2.CfnSecurityGroup)) {
    list(group.securityGroupIngress).forEach((r, i) => {
      if (typeof r === 'object') addRule(`${group.node.path}[${i}]`, `ref:${group.node.path}`, r as Record<string, unknown>);
    });
  }

  // Routes both ways.
  const routes = of(ec2.CfnRoute);
  const vpcById = new Map(vpcs.map((v) => [identity(v.vpcId), v]));
  const hostRouteTables = (vpc: ec2.IVpc) => {
    const subnets = [...vpc.privateSubnets, ...vpc.isolatedSubnets];
    return (subnets.length > 0 ? subnets : vpc.publicSubnets).map((s) => s.routeTable?.routeTableId);
  };
  const needRoutes = (what: string, vpcId: unknown, matches: (r: ec2.CfnRoute) => boolean) => {
    const vpc = vpcById.get(identity(vpcId));
    if (!vpc) return;
    for (const table of hostRouteTables(vpc)) {
      if (table === undefined) {
        violations.push(`${what}: VPC ${vpc.node.path} has a subnet with no known route table, so it gets no route`);
      } else if (!routes.some((r) => identity(r.routeTableId) === identity(table) && matches(r))) {
        violations.push(`${what}: no route in ${identity(table)} of VPC ${vpc.node.path}`);
      }
    }
  };
  const peerings = of(ec2.CfnVPCPeeringConnection);
  for (const p of peerings) {
    const through = (r: ec2.CfnRoute) => identity(r.vpcPeeringConnectionId) === `ref:${p.node.path}`;
    needRoutes(`peering ${p.node.path}`, p.vpcId, through);
    needRoutes(`peering ${p.node.path}`, p.peerVpcId, through);
  }
  const attachments = [...of(ec2.CfnTransitGatewayAttachment), ...of(ec2.CfnTransitGatewayVpcAttachment)];
  for (const a of attachments) {
    needRoutes(`transit gateway attachment ${a.node.path}`, a.vpcId, (r) => r.transitGatewayId !== undefined);
  }

  // Zones answer only where an endpoint is reachable.
  const endpointVpcs = new Set(of(ec2.CfnVPCEndpoint).filter((e) => e.vpcEndpointType === 'Interface').map((e) => identity(e.vpcId)));
  const peered = (a: string, b: string) => peerings.some((p) =>
    (identity(p.vpcId) === a && identity(p.peerVpcId) === b) || (identity(p.vpcId) === b && identity(p.peerVpcId) === a));
  const attached = new Set(attachments.map((a) => identity(a.vpcId)));
  for (const zone of of(route53.CfnHostedZone)) {
    // The L2 HostedZone keeps its VPCs in a list its L1 reads lazily; read the list itself.
    const associated = (zone.node.scope as unknown as { vpcs?: route53.CfnHostedZone.VPCProperty[] }).vpcs ?? list(zone.vpcs);
    for (const v of associated) {
      const id = identity((v as route53.CfnHostedZone.VPCProperty).vpcId);
      const reachable = endpointVpcs.has(id) || [...endpointVpcs].some((e) => peered(id, e) || (attached.has(id) && attached.has(e)));
      if (!reachable) violations.push(`zone ${zone.node.path} answers in VPC ${id}, which reaches no endpoint (no peering or attachment)`);
    }
  }
  return violations;
}
