import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, CfnParameter, CfnResource, Fn, Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as route53targets from 'aws-cdk-lib/aws-route53-targets';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { NagRuleCompliance } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import * as fc from 'fast-check';
import { PrivateLinkChecks } from '../../src';
import { atlasEndpointPortRange } from '../../src/checks/rules/atlas-endpoint-port-range';
import { clientIpPreservation } from '../../src/checks/rules/client-ip-preservation';
import { dynatraceTokenInEnvironment } from '../../src/checks/rules/dynatrace-token-in-environment';
import { endpointOpenToWorld } from '../../src/checks/rules/endpoint-open-to-world';
import { endpointServiceAcceptance } from '../../src/checks/rules/endpoint-service-acceptance';
import { endpointServicePrincipals } from '../../src/checks/rules/endpoint-service-principals';
import { internetFacingNlb } from '../../src/checks/rules/internet-facing-nlb';
import { nlbSecurityGroupEnforcement } from '../../src/checks/rules/nlb-security-group-enforcement';
import { privateDnsNeedsVpcDns } from '../../src/checks/rules/private-dns-needs-vpc-dns';
import { proxyProtocol } from '../../src/checks/rules/proxy-protocol';
import { zoneNotAssociated } from '../../src/checks/rules/zone-not-associated';
import { loadExample } from '../support/templates';

const VENDOR = 'arn:aws:iam::123456789012:root';
const ENV = { account: '111111111111', region: 'eu-west-1' };
const RULES = {
  EndpointServiceAcceptance: endpointServiceAcceptance,
  EndpointServicePrincipals: endpointServicePrincipals,
  InternetFacingNlb: internetFacingNlb,
  ProxyProtocol: proxyProtocol,
  ClientIpPreservation: clientIpPreservation,
  NlbSecurityGroupEnforcement: nlbSecurityGroupEnforcement,
  EndpointOpenToWorld: endpointOpenToWorld,
  AtlasEndpointPortRange: atlasEndpointPortRange,
  PrivateDnsNeedsVpcDns: privateDnsNeedsVpcDns,
  ZoneNotAssociated: zoneNotAssociated,
  DynatraceTokenInEnvironment: dynatraceTokenInEnvironment,
};

function violations(scope: IConstruct) {
  return new PrivateLinkChecks().validateScope(scope).violations;
}

/** The construct paths a rule flags. */
function flagged(scope: IConstruct, rule: string): string[] {
  return violations(scope)
    .filter((v) => v.ruleName === `PrivateLink-${rule}`)
    .flatMap((v) => v.violatingResources.map((r) => r.constructPath ?? `(no path: ${r.resourceLogicalId})`));
}

function pathOf(construct: IConstruct): string {
  const child = construct.node.defaultChild as CfnResource | undefined;
  return (child ?? construct).node.path;
}

function newStack(): { stack: Stack; vpc: ec2.Vpc } {
  const stack = new Stack(new App(), 'Bad', { env: ENV });
  const vpc = new ec2.Vpc(stack, 'Vpc', { ipAddresses: ec2.IpAddresses.cidr('10.0.0.0/16'), maxAzs: 2, natGateways: 0 });
  return { stack, vpc };
}

/** An NLB with one TCP listener forwarding to `targetGroup`, optionally behind an endpoint service. */
function loadBalancerWith(
  stack: Stack, vpc: ec2.IVpc,
  options: { lb?: Partial<elbv2.NetworkLoadBalancerProps>; targetGroup?: Partial<elbv2.NetworkTargetGroupProps>; service?: boolean } = {},
) {
  const lb = new elbv2.NetworkLoadBalancer(stack, 'Nlb', { vpc, internetFacing: false, ...options.lb });
  const targetGroup = new elbv2.NetworkTargetGroup(stack, 'Targets', {
    vpc, port: 5432, protocol: elbv2.Protocol.TCP, targetType: elbv2.TargetType.IP, ...options.targetGroup,
  });
  lb.addListener('Listener', { port: 5432, defaultTargetGroups: [targetGroup] });
  const service = options.service === false ? undefined : new ec2.VpcEndpointService(stack, 'Service', {
    vpcEndpointServiceLoadBalancers: [lb],
    acceptanceRequired: true,
    allowedPrincipals: [new iam.ArnPrincipal(VENDOR)],
  });
  return { lb, targetGroup, service };
}

test('ruleIds lists every rule of the pack', () => {
  expect([...new PrivateLinkChecks().ruleIds!].sort()).toEqual(Object.keys(RULES).map((r) => `PrivateLink-${r}`).sort());
});

describe('PrivateLink-EndpointServiceAcceptance', () => {
  test.each([
    ['absent (CloudFormation\'s default is false)', undefined],
    ['false', false],
  ])('flags an endpoint service whose AcceptanceRequired is %s', (_, acceptanceRequired) => {
    const { stack, vpc } = newStack();
    const { lb } = loadBalancerWith(stack, vpc, { service: false });
    const service = new ec2.CfnVPCEndpointService(stack, 'RawService', {
      networkLoadBalancerArns: [lb.loadBalancerArn],
      acceptanceRequired,
    });
    expect(flagged(stack, 'EndpointServiceAcceptance')).toEqual([service.node.path]);
    const finding = violations(stack).find((v) => v.ruleName === 'PrivateLink-EndpointServiceAcceptance');
    expect(finding?.severity).toBe('warning');
  });

  test('reads a plain CfnResource as well as the typed L1 classes', () => {
    const { stack, vpc } = newStack();
    const { lb } = loadBalancerWith(stack, vpc, { service: false });
    const service = new CfnResource(stack, 'Generic', {
      type: 'AWS::EC2::VPCEndpointService',
      properties: { NetworkLoadBalancerArns: [lb.loadBalancerArn], AcceptanceRequired: false },
    });
    expect(flagged(stack, 'EndpointServiceAcceptance')).toEqual([service.node.path]);
  });

  test('stays quiet when acceptance is required, or depends on a parameter', () => {
    const { stack, vpc } = newStack();
    const { lb } = loadBalancerWith(stack, vpc);
    new ec2.CfnVPCEndpointService(stack, 'FromParameter', {
      networkLoadBalancerArns: [lb.loadBalancerArn],
      acceptanceRequired: new CfnParameter(stack, 'Acceptance', { type: 'String' }).valueAsString as any,
    });
    expect(flagged(stack, 'EndpointServiceAcceptance')).toEqual([]);
  });

  test('an acknowledged finding is not reported (acknowledgements.test.ts has the rest)', () => {
    const { stack, vpc } = newStack();
    const { lb } = loadBalancerWith(stack, vpc, { service: false });
    const service = new ec2.CfnVPCEndpointService(stack, 'RawService', { networkLoadBalancerArns: [lb.loadBalancerArn] });
    Validations.of(service).acknowledge({
      id: 'PrivateLink::PrivateLink-EndpointServiceAcceptance',
      reason: 'Same-account consumers only; the allowlist is the review.',
    });
    expect(flagged(stack, 'EndpointServiceAcceptance')).toEqual([]);
  });
});

describe('PrivateLink-EndpointServicePrincipals', () => {
  test('flags an endpoint service that allows "*"', () => {
    const { stack, vpc } = newStack();
    const { lb } = loadBalancerWith(stack, vpc, { service: false });
    const service = new ec2.VpcEndpointService(stack, 'Open', {
      vpcEndpointServiceLoadBalancers: [lb],
      allowedPrincipals: [new iam.AnyPrincipal()],
    });
    const permissions = service.node.findAll().find((c) => c instanceof ec2.CfnVPCEndpointServicePermissions)!;
    expect(flagged(stack, 'EndpointServicePrincipals')).toEqual([permissions.node.path]);
    expect(violations(stack).find((v) => v.ruleName === 'PrivateLink-EndpointServicePrincipals')?.severity).toBe('error');
  });

  test('stays quiet for a named principal', () => {
    const { stack, vpc } = newStack();
    loadBalancerWith(stack, vpc);
    expect(flagged(stack, 'EndpointServicePrincipals')).toEqual([]);
  });
});

describe('PrivateLink-InternetFacingNlb', () => {
  test('flags an internet-facing NLB behind an endpoint service', () => {
    const { stack, vpc } = newStack();
    const { lb } = loadBalancerWith(stack, vpc, { lb: { internetFacing: true } });
    expect(flagged(stack, 'InternetFacingNlb')).toEqual([pathOf(lb)]);
  });

  test('flags an L1 NLB without a Scheme (internet-facing by default)', () => {
    const { stack, vpc } = newStack();
    const lb = new elbv2.CfnLoadBalancer(stack, 'RawNlb', { type: 'network', subnets: vpc.privateSubnets.map((s) => s.subnetId) });
    new ec2.CfnVPCEndpointService(stack, 'RawService', { networkLoadBalancerArns: [lb.ref], acceptanceRequired: true });
    expect(flagged(stack, 'InternetFacingNlb')).toEqual([lb.node.path]);
  });

  test('a property override that makes the L1 internal is honoured', () => {
    const { stack, vpc } = newStack();
    const lb = new elbv2.CfnLoadBalancer(stack, 'RawNlb', { type: 'network', subnets: vpc.privateSubnets.map((s) => s.subnetId) });
    lb.addPropertyOverride('Scheme', 'internal');
    new ec2.CfnVPCEndpointService(stack, 'RawService', { networkLoadBalancerArns: [lb.ref], acceptanceRequired: true });
    expect(flagged(stack, 'InternetFacingNlb')).toEqual([]);
  });

  test('stays quiet for an internal NLB, and for an internet-facing one behind no endpoint service', () => {
    const { stack, vpc } = newStack();
    loadBalancerWith(stack, vpc);
    new elbv2.NetworkLoadBalancer(stack, 'Public', { vpc, internetFacing: true });
    expect(flagged(stack, 'InternetFacingNlb')).toEqual([]);
  });
});

describe('PrivateLink-ProxyProtocol', () => {
  test('flags a target group with proxy protocol v2 on behind an endpoint service', () => {
    const { stack, vpc } = newStack();
    const { targetGroup } = loadBalancerWith(stack, vpc, { targetGroup: { proxyProtocolV2: true } });
    expect(flagged(stack, 'ProxyProtocol')).toEqual([pathOf(targetGroup)]);
    expect(violations(stack).find((v) => v.ruleName === 'PrivateLink-ProxyProtocol')?.severity).toBe('warning');
  });

  test('stays quiet with proxy protocol off, or when no endpoint service fronts the NLB', () => {
    const off = newStack();
    loadBalancerWith(off.stack, off.vpc, { targetGroup: { proxyProtocolV2: false } });
    expect(flagged(off.stack, 'ProxyProtocol')).toEqual([]);
    const unfronted = newStack();
    loadBalancerWith(unfronted.stack, unfronted.vpc, { targetGroup: { proxyProtocolV2: true }, service: false });
    expect(flagged(unfronted.stack, 'ProxyProtocol')).toEqual([]);
  });
});

describe('PrivateLink-ClientIpPreservation', () => {
  test('flags an instance target group that keeps the default (preservation on)', () => {
    const { stack, vpc } = newStack();
    const { targetGroup } = loadBalancerWith(stack, vpc, { targetGroup: { targetType: elbv2.TargetType.INSTANCE } });
    expect(flagged(stack, 'ClientIpPreservation')).toEqual([pathOf(targetGroup)]);
  });

  test('flags an IP target group that turns it on', () => {
    const { stack, vpc } = newStack();
    const { targetGroup } = loadBalancerWith(stack, vpc, { targetGroup: { preserveClientIp: true } });
    expect(flagged(stack, 'ClientIpPreservation')).toEqual([pathOf(targetGroup)]);
  });

  test('flags a target group forwarded to through ForwardConfig', () => {
    const { stack, vpc } = newStack();
    const lb = new elbv2.NetworkLoadBalancer(stack, 'Nlb', { vpc });
    const targetGroup = new elbv2.CfnTargetGroup(stack, 'RawTargets', {
      vpcId: vpc.vpcId, port: 22, protocol: 'TCP', targetType: 'instance',
    });
    new elbv2.CfnListener(stack, 'RawListener', {
      loadBalancerArn: lb.loadBalancerArn,
      port: 22,
      protocol: 'TCP',
      defaultActions: [{ type: 'forward', forwardConfig: { targetGroups: [{ targetGroupArn: targetGroup.ref }] } }],
    });
    new ec2.VpcEndpointService(stack, 'Service', {
      vpcEndpointServiceLoadBalancers: [lb], acceptanceRequired: true, allowedPrincipals: [new iam.ArnPrincipal(VENDOR)],
    });
    expect(flagged(stack, 'ClientIpPreservation')).toEqual([targetGroup.node.path]);
  });

  test('stays quiet when it is off, by default (IP over TCP) or explicitly (instance)', () => {
    const byDefault = newStack();
    loadBalancerWith(byDefault.stack, byDefault.vpc);
    expect(flagged(byDefault.stack, 'ClientIpPreservation')).toEqual([]);
    const explicit = newStack();
    loadBalancerWith(explicit.stack, explicit.vpc, {
      targetGroup: { targetType: elbv2.TargetType.INSTANCE, preserveClientIp: false },
    });
    expect(flagged(explicit.stack, 'ClientIpPreservation')).toEqual([]);
  });

  test('stays quiet for UDP, where preservation cannot be turned off', () => {
    const { stack, vpc } = newStack();
    const lb = new elbv2.NetworkLoadBalancer(stack, 'Nlb', { vpc });
    lb.addListener('Dns', {
      port: 53,
      protocol: elbv2.Protocol.UDP,
      defaultTargetGroups: [new elbv2.NetworkTargetGroup(stack, 'Udp', {
        vpc, port: 53, protocol: elbv2.Protocol.UDP, targetType: elbv2.TargetType.INSTANCE,
      })],
    });
    new ec2.VpcEndpointService(stack, 'Service', {
      vpcEndpointServiceLoadBalancers: [lb], acceptanceRequired: true, allowedPrincipals: [new iam.ArnPrincipal(VENDOR)],
    });
    expect(flagged(stack, 'ClientIpPreservation')).toEqual([]);
  });
});

describe('PrivateLink-NlbSecurityGroupEnforcement', () => {
  test('flags an NLB behind an endpoint service with security groups and enforcement left on', () => {
    const { stack, vpc } = newStack();
    const securityGroup = new ec2.SecurityGroup(stack, 'NlbSg', { vpc });
    const { lb } = loadBalancerWith(stack, vpc, { lb: { securityGroups: [securityGroup] } });
    expect(flagged(stack, 'NlbSecurityGroupEnforcement')).toEqual([pathOf(lb)]);
    expect(violations(stack).find((v) => v.ruleName === 'PrivateLink-NlbSecurityGroupEnforcement')?.severity).toBe('error');
  });

  test('stays quiet with enforcement off, or without security groups', () => {
    const off = newStack();
    const securityGroup = new ec2.SecurityGroup(off.stack, 'NlbSg', { vpc: off.vpc });
    loadBalancerWith(off.stack, off.vpc, {
      lb: { securityGroups: [securityGroup], enforceSecurityGroupInboundRulesOnPrivateLinkTraffic: false },
    });
    expect(flagged(off.stack, 'NlbSecurityGroupEnforcement')).toEqual([]);
    const none = newStack();
    loadBalancerWith(none.stack, none.vpc);
    expect(flagged(none.stack, 'NlbSecurityGroupEnforcement')).toEqual([]);
  });
});

describe('PrivateLink-EndpointOpenToWorld', () => {
  const service = new ec2.InterfaceVpcEndpointService('com.amazonaws.vpce.eu-west-1.vpce-svc-0123456789abcdef0', 443);

  test('flags an interface endpoint whose security group allows 0.0.0.0/0', () => {
    const { stack, vpc } = newStack();
    const securityGroup = new ec2.SecurityGroup(stack, 'EndpointSg', { vpc });
    securityGroup.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443));
    const endpoint = new ec2.InterfaceVpcEndpoint(stack, 'Endpoint', { vpc, service, securityGroups: [securityGroup], open: false });
    expect(flagged(stack, 'EndpointOpenToWorld')).toEqual([pathOf(endpoint)]);
  });

  test('flags a rule that a separate AWS::EC2::SecurityGroupIngress adds (::/0)', () => {
    const { stack, vpc } = newStack();
    const securityGroup = new ec2.CfnSecurityGroup(stack, 'RawSg', { groupDescription: 'endpoint', vpcId: vpc.vpcId });
    new ec2.CfnSecurityGroupIngress(stack, 'World', {
      groupId: securityGroup.attrGroupId, ipProtocol: 'tcp', fromPort: 443, toPort: 443, cidrIpv6: '::/0',
    });
    const endpoint = new ec2.CfnVPCEndpoint(stack, 'RawEndpoint', {
      vpcId: vpc.vpcId,
      serviceName: service.name,
      vpcEndpointType: 'Interface',
      subnetIds: vpc.privateSubnets.map((s) => s.subnetId),
      securityGroupIds: [securityGroup.attrGroupId],
    });
    expect(flagged(stack, 'EndpointOpenToWorld')).toEqual([endpoint.node.path]);
  });

  test('stays quiet for the VPC\'s CIDR block, the default rule (VPC CIDR) and imported groups', () => {
    const { stack, vpc } = newStack();
    const securityGroup = new ec2.SecurityGroup(stack, 'EndpointSg', { vpc });
    securityGroup.addIngressRule(ec2.Peer.ipv4('10.0.0.0/16'), ec2.Port.tcp(443));
    new ec2.InterfaceVpcEndpoint(stack, 'Endpoint', { vpc, service, securityGroups: [securityGroup], open: false });
    new ec2.InterfaceVpcEndpoint(stack, 'Default', { vpc, service });
    new ec2.InterfaceVpcEndpoint(stack, 'Imported', {
      vpc, service, securityGroups: [ec2.SecurityGroup.fromSecurityGroupId(stack, 'Elsewhere', 'sg-0123456789abcdef0')],
    });
    expect(flagged(stack, 'EndpointOpenToWorld')).toEqual([]);
  });
});

describe('PrivateLink-ZoneNotAssociated', () => {
  function endpointAndZone(zoneVpc: (stack: Stack, endpointVpc: ec2.Vpc) => ec2.IVpc) {
    const { stack, vpc } = newStack();
    const endpoint = new ec2.InterfaceVpcEndpoint(stack, 'Dynatrace', {
      vpc,
      service: new ec2.InterfaceVpcEndpointService('com.amazonaws.vpce.eu-west-1.vpce-svc-0123456789abcdef0', 443),
      privateDnsEnabled: false,
    });
    const zone = new route53.PrivateHostedZone(stack, 'Zone', { zoneName: 'abc12345.live.dynatrace.com', vpc: zoneVpc(stack, vpc) });
    new route53.ARecord(stack, 'Apex', { zone, target: route53.RecordTarget.fromAlias(new route53targets.InterfaceVpcEndpointTarget(endpoint)) });
    return { stack, vpc, zone };
  }

  test('flags a zone that points a vendor hostname at an endpoint but lacks the endpoint\'s VPC', () => {
    const { stack, zone } = endpointAndZone((s) => new ec2.Vpc(s, 'Other', { maxAzs: 1, natGateways: 0 }));
    expect(flagged(stack, 'ZoneNotAssociated')).toEqual([pathOf(zone)]);
  });

  test('flags a zone whose CNAME points at the endpoint, comparing literal VPC IDs', () => {
    const stack = new Stack(new App(), 'Bad', { env: ENV });
    const endpoint = new ec2.CfnVPCEndpoint(stack, 'Endpoint', {
      vpcId: 'vpc-0aaaaaaaaaaaaaaaa',
      serviceName: 'com.amazonaws.vpce.eu-west-1.vpce-svc-0123456789abcdef0',
      vpcEndpointType: 'Interface',
      subnetIds: ['subnet-0aaaaaaaaaaaaaaaa'],
    });
    const zone = new route53.CfnHostedZone(stack, 'Zone', {
      name: 'privatelink.getmontecarlo.com',
      vpcs: [{ vpcId: 'vpc-0bbbbbbbbbbbbbbbb', vpcRegion: 'eu-west-1' }],
    });
    new route53.CfnRecordSet(stack, 'Artemis', {
      hostedZoneId: zone.ref,
      name: 'artemis.privatelink.getmontecarlo.com.',
      type: 'CNAME',
      ttl: '300',
      resourceRecords: [regionalDnsName(endpoint)],
    });
    expect(flagged(stack, 'ZoneNotAssociated')).toEqual([zone.node.path]);
    zone.vpcs = [{ vpcId: 'vpc-0bbbbbbbbbbbbbbbb', vpcRegion: 'eu-west-1' }, { vpcId: 'vpc-0aaaaaaaaaaaaaaaa', vpcRegion: 'eu-west-1' }];
    expect(flagged(stack, 'ZoneNotAssociated')).toEqual([]);
  });

  test('stays quiet once the zone is associated with the endpoint\'s VPC', () => {
    const { stack, zone } = endpointAndZone((s) => new ec2.Vpc(s, 'Other', { maxAzs: 1, natGateways: 0 }));
    zone.addVpc(stack.node.findChild('Vpc') as ec2.Vpc);
    expect(flagged(stack, 'ZoneNotAssociated')).toEqual([]);
    const same = endpointAndZone((_, endpointVpc) => endpointVpc);
    expect(flagged(same.stack, 'ZoneNotAssociated')).toEqual([]);
  });

  test('stays quiet when a VPC ID is known only at deploy time', () => {
    const { stack } = endpointAndZone((s) => ec2.Vpc.fromVpcAttributes(s, 'FromParameter', {
      vpcId: new CfnParameter(s, 'VpcId', { type: 'AWS::EC2::VPC::Id' }).valueAsString,
      availabilityZones: ['eu-west-1a'],
    }));
    expect(flagged(stack, 'ZoneNotAssociated')).toEqual([]);
  });
});

/** The regional DNS name of an endpoint, as a CNAME target. */
function regionalDnsName(endpoint: ec2.CfnVPCEndpoint): string {
  return Fn.select(1, Fn.split(':', Fn.select(0, endpoint.attrDnsEntries)));
}

describe('PrivateLink-DynatraceTokenInEnvironment', () => {
  const SECRET = 'S3CR3TPART'.repeat(7).slice(0, 64);
  const API_TOKEN = `dt0c01.ABCDEFGHIJKLMNOPQRSTUVWX.${SECRET}`;
  const ACTIVEGATE_TOKEN = `dt0g02.ABCDEFGH.${SECRET}`;
  const PLACEHOLDER = `dt0e01.ABCDEFGHIJKLMNOPQRSTUVWX.${'A'.repeat(64)}`;

  function taskWith(environment: Record<string, string>) {
    const stack = new Stack(new App(), 'Bad', { env: ENV });
    const task = new ecs.FargateTaskDefinition(stack, 'Task');
    task.addContainer('OneAgent', { image: ecs.ContainerImage.fromRegistry('dynatrace/oneagent'), environment });
    return { stack, task };
  }

  test('flags a token in a plain environment variable, and says which without its secret part', () => {
    const { stack, task } = taskWith({ DT_API_TOKEN: API_TOKEN, DT_TENANT: 'abc12345' });
    expect(flagged(stack, 'DynatraceTokenInEnvironment')).toEqual([pathOf(task)]);
    const finding = violations(stack).find((v) => v.ruleName === 'PrivateLink-DynatraceTokenInEnvironment')!;
    expect(finding.severity).toBe('error');
    expect(finding.description).toContain('OneAgent.DT_API_TOKEN (API token dt0c01.ABCDEFGHIJKLMNOPQRSTUVWX.***)');
    expect(finding.description).not.toContain(SECRET);
  });

  test('flags a token inside a longer value and an EdgeConnect placeholder given on its own', () => {
    const { stack, task } = taskWith({ DT_HEADER: `Api-Token ${ACTIVEGATE_TOKEN}`, PLACEHOLDER });
    expect(flagged(stack, 'DynatraceTokenInEnvironment')).toEqual([pathOf(task)]);
    const finding = violations(stack).find((v) => v.ruleName === 'PrivateLink-DynatraceTokenInEnvironment')!;
    expect(finding.description).toContain('OneAgent.DT_HEADER (ActiveGate token dt0g02.ABCDEFGH.***)');
    expect(finding.description).toContain('OneAgent.PLACEHOLDER (EdgeConnect secret placeholder dt0e01.ABCDEFGHIJKLMNOPQRSTUVWX.***)');
    expect(finding.description).not.toContain(SECRET);
  });

  test('the message never holds a token\'s secret part, whatever the token', () => {
    const chars = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789');
    const part = (n: number) => fc.array(chars, { minLength: n, maxLength: n }).map((a) => a.join(''));
    fc.assert(fc.property(fc.constantFrom('c01', 'g02', 's02', 'e01'), part(8), part(64), (kind, id, secret) => {
      const { stack } = taskWith({ TOKEN: `dt0${kind}.${id}.${secret}` });
      const found = violations(stack);
      return found.length === 1 && found.every((v) => !v.description.includes(secret) && v.description.includes(`${id}.***`));
    }), { numRuns: 25 });
  });

  test('stays quiet for ECS secrets, OAuth client IDs and a placeholder declared as an edgeConnect.yaml secret token', () => {
    const { stack, task } = taskWith({
      EDGE_CONNECT_OAUTH__CLIENT_ID: 'dt0s10.EXAMPLECLIENTID',
      EDGE_CONNECT_YAML: `secrets:\n  - name: ServiceNow\n    token: ${PLACEHOLDER}\n    from_env: SERVICENOW_TOKEN\n`,
    });
    task.defaultContainer!.addSecret('DT_API_TOKEN', ecs.Secret.fromSsmParameter(
      ssm.StringParameter.fromSecureStringParameterAttributes(stack, 'Token', { parameterName: '/dt/token' }),
    ));
    expect(flagged(stack, 'DynatraceTokenInEnvironment')).toEqual([]);
  });
});

describe('the examples', () => {
  const examplesDir = path.join(__dirname, '..', '..', 'examples');
  const examples = fs.readdirSync(examplesDir)
    .filter((name) => fs.existsSync(path.join(examplesDir, name, 'main.ts')))
    .sort();
  const apps = new Map<string, App>();
  function synthesized(name: string): App {
    if (!apps.has(name)) {
      const app = loadExample(name)({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), `checks-${name}-`)) });
      app.synth();
      apps.set(name, app);
    }
    return apps.get(name)!;
  }

  test('there are examples to check', () => {
    expect(examples).toEqual(expect.arrayContaining(['provider-service', 'consumer-same-region', 'edgeconnect-provisioner']));
  });

  test.each(examples)('%s has no PrivateLinkChecks finding', (name) => {
    const report = new PrivateLinkChecks().validateScope(synthesized(name));
    expect(report.violations.map((v) => `${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`))
      .toEqual([]);
  });

  test('every rule judges some resource of the examples compliant (the quiet is not for want of relating them)', () => {
    const judged = new Set<string>();
    for (const name of examples) {
      for (const construct of synthesized(name).node.findAll()) {
        if (!CfnResource.isCfnResource(construct)) continue;
        for (const [rule, check] of Object.entries(RULES)) {
          if (check(construct) === NagRuleCompliance.COMPLIANT) judged.add(rule);
        }
      }
    }
    expect([...judged].sort()).toEqual(Object.keys(RULES).sort());
  });

  test('a bad change to an example is caught', () => {
    const app = loadExample('provider-service')({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'checks-bad-')) });
    const service = app.node.findAll().find((c) => c instanceof ec2.CfnVPCEndpointService) as ec2.CfnVPCEndpointService;
    service.acceptanceRequired = false;
    expect(flagged(app, 'EndpointServiceAcceptance')).toEqual([service.node.path]);
  });
});
