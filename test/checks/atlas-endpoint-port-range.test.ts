/*
 * PrivateLink-AtlasEndpointPortRange: an interface endpoint to a MongoDB Atlas endpoint
 * service must open TCP 1024-65535 (Atlas gives each node a port of that range).
 */
import { App, CfnParameter, CfnResource, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { NagRuleCompliance } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { PrivateLinkChecks, PrivateLinkEndpoint, PrivateLinkEndpointProps } from '../../src';
import { atlasEndpointPortRange } from '../../src/checks/rules/atlas-endpoint-port-range';

const RULE = 'PrivateLink-AtlasEndpointPortRange';
const ENV = { account: '111111111111', region: 'eu-west-1' };
const LITERAL_SERVICE = 'com.amazonaws.vpce.eu-west-1.vpce-svc-0123456789abcdef0';

function findings(scope: IConstruct, checks = new PrivateLinkChecks()) {
  return checks.validateScope(scope).violations.filter((v) => v.ruleName === RULE);
}

/** The construct paths the rule flags. */
function flagged(scope: IConstruct): string[] {
  return findings(scope).flatMap((v) => v.violatingResources.map((r) => r.constructPath ?? `(no path: ${r.resourceLogicalId})`));
}

/**
 * A stack with an Atlas endpoint service (the lead's custom resource type unless told), a
 * security group and an interface endpoint to the service with that group.
 */
function atlasEndpoint(options: { serviceType?: string; attribute?: string; serviceName?: string } = {}) {
  const stack = new Stack(new App(), 'Atlas', { env: ENV });
  const vpc = new ec2.Vpc(stack, 'Vpc', { ipAddresses: ec2.IpAddresses.cidr('10.0.0.0/16'), maxAzs: 2, natGateways: 0 });
  const service = new CfnResource(stack, 'AtlasService', {
    type: options.serviceType ?? 'Custom::MongoDbAtlasEndpointService',
    properties: { ServiceToken: 'arn:aws:lambda:eu-west-1:111111111111:function:atlas', Region: 'EU_WEST_1' },
  });
  const securityGroup = new ec2.SecurityGroup(stack, 'EndpointSg', { vpc, allowAllOutbound: false });
  const endpoint = new ec2.CfnVPCEndpoint(stack, 'Endpoint', {
    vpcId: vpc.vpcId,
    vpcEndpointType: 'Interface',
    serviceName: options.serviceName ?? service.getAtt(options.attribute ?? 'ServiceName').toString(),
    subnetIds: vpc.privateSubnets.map((s) => s.subnetId),
    securityGroupIds: [securityGroup.securityGroupId],
  });
  return { stack, vpc, service, securityGroup, endpoint };
}

describe('PrivateLink-AtlasEndpointPortRange', () => {
  test.each([
    ['TCP 1024-65535', ec2.Port.tcpRange(1024, 65535)],
    ['every TCP port', ec2.Port.allTcp()],
    ['every protocol (-1)', ec2.Port.allTraffic()],
  ])('an endpoint whose group opens %s is compliant', (_, port) => {
    const { stack, securityGroup, endpoint } = atlasEndpoint();
    securityGroup.addIngressRule(ec2.Peer.ipv4('10.0.0.0/16'), port);
    expect(atlasEndpointPortRange(endpoint)).toBe(NagRuleCompliance.COMPLIANT);
    expect(flagged(stack)).toEqual([]);
  });

  test('an endpoint whose group opens only 27017 is flagged, as an error', () => {
    const { stack, securityGroup, endpoint } = atlasEndpoint();
    securityGroup.addIngressRule(ec2.Peer.ipv4('10.0.0.0/16'), ec2.Port.tcp(27017));
    expect(flagged(stack)).toEqual([endpoint.node.path]);
    const [finding] = findings(stack);
    expect(finding.severity).toBe('error');
    expect(finding.description).toContain('MongoDB Atlas endpoint service has no security group rule that opens TCP ports 1024-65535');
    // The verbose report explains why and how to fix it.
    const [verbose] = findings(stack, new PrivateLinkChecks(undefined, { verbose: true }));
    expect(verbose.description).toContain('its own port from 1024-65535');
    expect(verbose.description).toContain('`portRange: { fromPort: 1024, toPort: 65535 }`');
  });

  test.each([
    ['part of the range (1024-1030)', ec2.Port.tcpRange(1024, 1030)],
    ['all but the last port (1024-65534)', ec2.Port.tcpRange(1024, 65534)],
    ['all but the first port (1025-65535)', ec2.Port.tcpRange(1025, 65535)],
    ['the range over UDP', ec2.Port.udpRange(1024, 65535)],
  ])('an endpoint whose group opens %s is flagged', (_, port) => {
    const { stack, securityGroup, endpoint } = atlasEndpoint();
    securityGroup.addIngressRule(ec2.Peer.ipv4('10.0.0.0/16'), port);
    expect(flagged(stack)).toEqual([endpoint.node.path]);
  });

  test('an endpoint whose group has no inbound rule is flagged', () => {
    const { stack, endpoint } = atlasEndpoint();
    expect(flagged(stack)).toEqual([endpoint.node.path]);
  });

  test('a separate AWS::EC2::SecurityGroupIngress counts for the group it names', () => {
    const { stack, vpc, securityGroup, endpoint } = atlasEndpoint();
    securityGroup.addIngressRule(ec2.Peer.ipv4('10.0.0.0/16'), ec2.Port.tcp(27017));
    const rule = new ec2.CfnSecurityGroupIngress(stack, 'Range', {
      groupId: securityGroup.securityGroupId, ipProtocol: 'tcp', fromPort: 1024, toPort: 65535, cidrIp: '10.1.0.0/16',
    });
    expect(flagged(stack)).toEqual([]);
    expect(atlasEndpointPortRange(endpoint)).toBe(NagRuleCompliance.COMPLIANT);
    // The same rule on another group does not count.
    const other = new ec2.SecurityGroup(stack, 'OtherSg', { vpc });
    rule.groupId = other.securityGroupId;
    expect(flagged(stack)).toEqual([endpoint.node.path]);
  });

  test('a group opened to another group (a separate ingress) counts too', () => {
    const { stack, vpc, securityGroup, endpoint } = atlasEndpoint();
    const clients = new ec2.SecurityGroup(stack, 'Clients', { vpc });
    securityGroup.connections.allowFrom(clients, ec2.Port.tcpRange(1024, 65535));
    expect(atlasEndpointPortRange(endpoint)).toBe(NagRuleCompliance.COMPLIANT);
  });

  test('MongoDB\'s own MongoDB::Atlas::PrivateEndpointService counts, by any attribute', () => {
    const { stack, securityGroup, endpoint } = atlasEndpoint({ serviceType: 'MongoDB::Atlas::PrivateEndpointService', attribute: 'EndpointServiceName' });
    securityGroup.addIngressRule(ec2.Peer.ipv4('10.0.0.0/16'), ec2.Port.tcp(27017));
    expect(flagged(stack)).toEqual([endpoint.node.path]);
  });

  test.each([
    ['a literal service name', { serviceName: LITERAL_SERVICE }],
    ['another attribute of the custom resource', { attribute: 'EndpointServiceId' }],
    ['another custom resource type', { serviceType: 'Custom::SomeOtherService' }],
  ])('not applicable for %s', (_, options) => {
    const { stack, securityGroup, endpoint } = atlasEndpoint(options);
    securityGroup.addIngressRule(ec2.Peer.ipv4('10.0.0.0/16'), ec2.Port.tcp(27017));
    expect(atlasEndpointPortRange(endpoint)).toBe(NagRuleCompliance.NOT_APPLICABLE);
    expect(flagged(stack)).toEqual([]);
  });

  test('not applicable when a group is not of the stack, or a rule\'s ports are known only at deploy time', () => {
    const imported = atlasEndpoint();
    imported.securityGroup.addIngressRule(ec2.Peer.ipv4('10.0.0.0/16'), ec2.Port.tcp(27017));
    imported.endpoint.securityGroupIds = [
      imported.securityGroup.securityGroupId,
      ec2.SecurityGroup.fromSecurityGroupId(imported.stack, 'Elsewhere', 'sg-0123456789abcdef0').securityGroupId,
    ];
    expect(atlasEndpointPortRange(imported.endpoint)).toBe(NagRuleCompliance.NOT_APPLICABLE);

    const deployTime = atlasEndpoint();
    const toPort = new CfnParameter(deployTime.stack, 'ToPort', { type: 'Number' }).valueAsNumber;
    deployTime.securityGroup.addIngressRule(ec2.Peer.ipv4('10.0.0.0/16'), ec2.Port.tcpRange(1024, toPort));
    expect(atlasEndpointPortRange(deployTime.endpoint)).toBe(NagRuleCompliance.NOT_APPLICABLE);
  });

  test('`warnings` lowers it to a warning', () => {
    const { stack, securityGroup } = atlasEndpoint();
    securityGroup.addIngressRule(ec2.Peer.ipv4('10.0.0.0/16'), ec2.Port.tcp(27017));
    const [finding] = findings(stack, new PrivateLinkChecks(undefined, { warnings: [RULE] }));
    expect(finding.severity).toBe('warning');
  });

  test.each<[string, Partial<PrivateLinkEndpointProps>, NagRuleCompliance]>([
    ['portRange 1024-65535 is compliant', { portRange: { fromPort: 1024, toPort: 65535 } }, NagRuleCompliance.COMPLIANT],
    ['ports [27017] is flagged', { ports: [27017] }, NagRuleCompliance.NON_COMPLIANT],
  ])('PrivateLinkEndpoint with %s', (_, props, expected) => {
    const stack = new Stack(new App(), 'Atlas', { env: ENV });
    const vpc = new ec2.Vpc(stack, 'Vpc', { ipAddresses: ec2.IpAddresses.cidr('10.0.0.0/16'), maxAzs: 2, natGateways: 0 });
    const service = new CfnResource(stack, 'AtlasService', { type: 'Custom::MongoDbAtlasEndpointService', properties: { ServiceToken: 'x' } });
    const endpoint = new PrivateLinkEndpoint(stack, 'Endpoint', { vpc, serviceName: service.getAtt('ServiceName').toString(), ...props });
    expect(atlasEndpointPortRange(endpoint.node.defaultChild as CfnResource)).toBe(expected);
  });
});
