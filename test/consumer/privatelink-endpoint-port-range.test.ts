/*
 * PrivateLinkEndpoint's `portRange`: a service that listens on a TCP range (MongoDB Atlas,
 * 1024-65535) gets one rule for the range wherever the endpoint is opened: the VPC, allowFrom,
 * connections, and spokes in the hub's stack or another region.
 */
import { App, CfnResource, Fn, Stack, Token } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { EndpointPortRange, PrivateLinkEndpoint, PrivateLinkEndpointProps, SpokePeering } from '../../src';

const ACCOUNT = '111111111111';
const SERVICE = 'com.amazonaws.vpce.ap-southeast-2.vpce-svc-0123456789abcdef0';
const ATLAS: EndpointPortRange = { fromPort: 1024, toPort: 65535 };

function hub(props: Partial<PrivateLinkEndpointProps> = { portRange: ATLAS }) {
  const app = new App();
  const stack = new Stack(app, 'Sydney', { env: { account: ACCOUNT, region: 'ap-southeast-2' } });
  const vpc = new ec2.Vpc(stack, 'HubVpc', {
    ipAddresses: ec2.IpAddresses.cidr('10.40.0.0/16'), availabilityZones: ['ap-southeast-2a', 'ap-southeast-2b'], natGateways: 0,
  });
  const endpoint = new PrivateLinkEndpoint(stack, 'Endpoint', { vpc, serviceName: SERVICE, ...props });
  return { app, stack, vpc, endpoint };
}

/** The inline ingress rules of the endpoint's own security group. */
function ingressOf(stack: Stack): any[] {
  const groups = Template.fromStack(stack).findResources('AWS::EC2::SecurityGroup', {
    Properties: { GroupDescription: Match.stringLikeRegexp('^PrivateLink endpoint') },
  });
  expect(Object.keys(groups)).toHaveLength(1);
  return Object.values(groups)[0].Properties.SecurityGroupIngress ?? [];
}

function expectRefusal(props: Partial<PrivateLinkEndpointProps>, message: string) {
  const app = new App();
  const stack = new Stack(app, 'S', { env: { account: ACCOUNT, region: 'ap-southeast-2' } });
  const vpc = new ec2.Vpc(stack, 'Vpc', { ipAddresses: ec2.IpAddresses.cidr('10.0.0.0/16'), maxAzs: 2, natGateways: 0 });
  expect(() => new PrivateLinkEndpoint(stack, 'Endpoint', { vpc, serviceName: SERVICE, ...props })).toThrow(message);
  const leftovers = stack.node.tryFindChild('Endpoint')?.node.findAll().filter(CfnResource.isCfnResource) ?? [];
  expect(leftovers).toHaveLength(0);
}

describe('PrivateLinkEndpoint with a portRange', () => {
  test('opens the whole range to the VPC as one rule, and no single port', () => {
    const { stack, endpoint } = hub();
    expect(ingressOf(stack)).toEqual([{
      CidrIp: '10.40.0.0/16',
      IpProtocol: 'tcp',
      FromPort: 1024,
      ToPort: 65535,
      Description: 'PrivateLink service ports 1024-65535 from the endpoint\'s VPC',
    }]);
    expect(endpoint.portRange).toEqual(ATLAS);
    expect(endpoint.ports).toEqual([]);
  });

  test('allowFrom opens the range to the peer as one rule', () => {
    const { stack, endpoint } = hub({ portRange: ATLAS, allowFromVpc: false });
    endpoint.allowFrom(ec2.Peer.ipv4('10.9.0.0/16'), 'a peer');
    expect(ingressOf(stack)).toEqual([{
      CidrIp: '10.9.0.0/16',
      IpProtocol: 'tcp',
      FromPort: 1024,
      ToPort: 65535,
      Description: 'PrivateLink service ports 1024-65535 from a peer',
    }]);
  });

  test('connections.defaultPort is the range, so allowDefaultPortFrom opens it', () => {
    const { stack, vpc, endpoint } = hub({ portRange: ATLAS, allowFromVpc: false });
    const clients = new ec2.SecurityGroup(stack, 'Clients', { vpc });
    endpoint.connections.allowDefaultPortFrom(clients);
    expect(endpoint.connections.defaultPort?.toString()).toBe('1024-65535');
    // A rule from another group is a resource of its own.
    const rules = Object.values(Template.fromStack(stack).findResources('AWS::EC2::SecurityGroupIngress'));
    expect(rules.map((r) => r.Properties)).toEqual([expect.objectContaining({
      GroupId: { 'Fn::GetAtt': [expect.stringMatching(/^EndpointSecurityGroup/), 'GroupId'] },
      SourceSecurityGroupId: { 'Fn::GetAtt': [expect.stringMatching(/^Clients/), 'GroupId'] },
      IpProtocol: 'tcp',
      FromPort: 1024,
      ToPort: 65535,
    })]);
  });

  test('a range of deploy-time ports is not checked at synth, and is opened as given', () => {
    const fromPort = Token.asNumber(Fn.importValue('FromPort'));
    const { stack } = hub({ portRange: { fromPort, toPort: 65535 } });
    // aws-cdk-lib makes a rule of deploy-time ports a resource of its own.
    const rules = Object.values(Template.fromStack(stack).findResources('AWS::EC2::SecurityGroupIngress'));
    expect(rules.map((r) => r.Properties)).toEqual([
      expect.objectContaining({ CidrIp: '10.40.0.0/16', FromPort: { 'Fn::ImportValue': 'FromPort' }, ToPort: 65535 }),
    ]);
  });

  test('a spoke in the hub\'s stack gets one rule for the range', () => {
    const { stack, endpoint } = hub();
    const spoke = new ec2.Vpc(stack, 'Spoke', {
      ipAddresses: ec2.IpAddresses.cidr('10.42.0.0/16'), availabilityZones: ['ap-southeast-2a'], natGateways: 0,
    });
    new SpokePeering(stack, 'Local', { endpoint, spokeVpc: spoke });
    const spokeRules = ingressOf(stack).filter((r) => r.CidrIp === '10.42.0.0/16');
    expect(spokeRules).toEqual([{
      CidrIp: '10.42.0.0/16',
      IpProtocol: 'tcp',
      FromPort: 1024,
      ToPort: 65535,
      Description: 'PrivateLink service ports 1024-65535 from peered VPC Sydney/Spoke',
    }]);
  });

  test('a spoke in another region gets one range rule in its hub-side stack', () => {
    const { app, stack, endpoint } = hub();
    const tokyo = new Stack(app, 'Tokyo', { env: { account: ACCOUNT, region: 'ap-northeast-1' } });
    const spokeVpc = new ec2.Vpc(tokyo, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr('10.41.0.0/16'), availabilityZones: ['ap-northeast-1a', 'ap-northeast-1c'], natGateways: 0,
    });
    const peering = new SpokePeering(stack, 'Tokyo', { endpoint, spokeVpc });
    const rules = Template.fromStack(peering.hubSideStack).findResources('AWS::EC2::SecurityGroupIngress');
    expect(Object.keys(rules)).toEqual([expect.stringMatching(/EndpointIngress0Ports1024To65535/)]);
    expect(Object.values(rules)[0].Properties).toEqual({
      GroupId: expect.anything(),
      IpProtocol: 'tcp',
      FromPort: 1024,
      ToPort: 65535,
      CidrIp: '10.41.0.0/16',
      Description: 'PrivateLink service ports 1024-65535 from peered VPC Tokyo/Vpc',
    });
    // The hub's own group keeps only the VPC's rule.
    expect(ingressOf(stack)).toHaveLength(1);
  });

  test('single ports keep their rules and construct IDs in another region\'s hub-side stack', () => {
    const { app, stack, endpoint } = hub({ ports: [443, 8443] });
    const tokyo = new Stack(app, 'Tokyo', { env: { account: ACCOUNT, region: 'ap-northeast-1' } });
    const spokeVpc = new ec2.Vpc(tokyo, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr('10.41.0.0/16'), availabilityZones: ['ap-northeast-1a'], natGateways: 0,
    });
    const peering = new SpokePeering(stack, 'Tokyo', { endpoint, spokeVpc });
    const rules = Object.values(Template.fromStack(peering.hubSideStack).findResources('AWS::EC2::SecurityGroupIngress'));
    expect(rules.map((r) => [r.Properties.FromPort, r.Properties.ToPort, r.Properties.Description])).toEqual([
      [443, 443, 'PrivateLink service port 443 from peered VPC Tokyo/Vpc'],
      [8443, 8443, 'PrivateLink service port 8443 from peered VPC Tokyo/Vpc'],
    ]);
    const ids = peering.hubSideStack.node.findAll().filter((c) => c instanceof ec2.CfnSecurityGroupIngress).map((c) => c.node.id);
    expect(ids).toEqual(['EndpointIngress0Port443', 'EndpointIngress0Port8443']);
  });
});

describe('PrivateLinkEndpoint portRange refusals', () => {
  test('with ports as well', () => {
    expectRefusal({ ports: [27017], portRange: ATLAS }, '`ports` and `portRange` must not both be given (`portRange` is opened '
      + 'instead of `ports`), got: ports [27017] and portRange {"fromPort":1024,"toPort":65535}');
  });

  test.each([
    ['fromPort', { fromPort: 0, toPort: 65535 }, '0'],
    ['fromPort', { fromPort: 1024.5, toPort: 65535 }, '1024.5'],
    ['toPort', { fromPort: 1024, toPort: 65536 }, '65536'],
    ['toPort', { fromPort: 1024, toPort: -1 }, '-1'],
  ])('a %s that is no port: %p', (field, portRange, shown) => {
    expectRefusal({ portRange }, `\`portRange.${field}\` must be an integer from 1 to 65535, got: ${shown}`);
  });

  test('fromPort above toPort', () => {
    expectRefusal({ portRange: { fromPort: 65535, toPort: 1024 } }, '`portRange.fromPort` must not be above `portRange.toPort`, got: 65535 > 1024');
  });

  test('a one-port range is accepted', () => {
    const { stack } = hub({ portRange: { fromPort: 27017, toPort: 27017 } });
    expect(ingressOf(stack)).toEqual([expect.objectContaining({ FromPort: 27017, ToPort: 27017 })]);
  });
});
