import { App, CfnResource, Fn, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { AwsSolutionsChecks } from 'cdk-nag';
import { PrivateLinkEndpoint, PrivateLinkEndpointProps } from '../../src';

const SERVICE = 'com.amazonaws.vpce.eu-west-1.vpce-svc-0123456789abcdef0';

function setup(region = 'eu-west-1') {
  const stack = new Stack(new App(), 'Stack', { env: { account: '111111111111', region } });
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    ipAddresses: ec2.IpAddresses.cidr('10.0.0.0/16'), availabilityZones: [`${region}a`, `${region}b`, `${region}c`], natGateways: 1,
  });
  return { stack, vpc };
}

function endpoint(props: Partial<PrivateLinkEndpointProps> = {}) {
  const { stack, vpc } = setup();
  const construct = new PrivateLinkEndpoint(stack, 'Endpoint', { vpc, serviceName: SERVICE, ...props });
  return { stack, vpc, construct, template: Template.fromStack(stack) };
}

function expectRefusal(props: Partial<PrivateLinkEndpointProps>, message: RegExp | string, region?: string) {
  const { stack, vpc } = setup(region);
  expect(() => new PrivateLinkEndpoint(stack, 'Endpoint', { vpc, serviceName: SERVICE, ...props })).toThrow(message);
  const leftovers = stack.node.tryFindChild('Endpoint')?.node.findAll().filter(CfnResource.isCfnResource) ?? [];
  expect(leftovers).toHaveLength(0);
}

describe('PrivateLinkEndpoint', () => {
  test('an interface endpoint with private DNS off, in the subnets the AZ filter returns', () => {
    const { template, stack, vpc } = endpoint();
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      VpcEndpointType: 'Interface',
      ServiceName: SERVICE,
      PrivateDnsEnabled: false,
      VpcId: { Ref: Match.stringLikeRegexp('Vpc') },
      SubnetIds: { 'Fn::Split': [',', { 'Fn::GetAtt': [Match.stringLikeRegexp('EndpointSupportedSubnets'), 'SubnetIds'] }] },
    });
    template.hasResourceProperties('Custom::PrivateLinkAzFilter', {
      ServiceName: SERVICE,
      SubnetIds: vpc.privateSubnets.map((s) => stack.resolve(s.subnetId)),
      ServiceRegion: Match.absent(),
    });
  });

  test('the security group opens 443 to the VPC CIDR only and allows no egress', () => {
    const { template } = endpoint();
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      SecurityGroupIngress: [{ CidrIp: '10.0.0.0/16', FromPort: 443, ToPort: 443, IpProtocol: 'tcp', Description: Match.anyValue() }],
      SecurityGroupEgress: [Match.objectLike({ CidrIp: '255.255.255.255/32' })],
    });
    expect(JSON.stringify(template.findResources('AWS::EC2::SecurityGroup'))).not.toContain('0.0.0.0/0');
  });

  test('several ports, no VPC-wide rule, and peers added through allowFrom and connections', () => {
    const { stack, vpc } = setup();
    const construct = new PrivateLinkEndpoint(stack, 'Endpoint', { vpc, serviceName: SERVICE, ports: [443, 8443], allowFromVpc: false });
    construct.allowFrom(ec2.Peer.ipv4('10.9.0.0/16'), 'a peer');
    Template.fromStack(stack).hasResourceProperties('AWS::EC2::SecurityGroup', {
      SecurityGroupIngress: [
        Match.objectLike({ CidrIp: '10.9.0.0/16', FromPort: 443 }),
        Match.objectLike({ CidrIp: '10.9.0.0/16', FromPort: 8443 }),
      ],
    });
    expect(construct.connections.defaultPort?.toString()).toBe('443');
  });

  test('one AZ-filter function per stack however many endpoints', () => {
    const { stack, vpc } = setup();
    new PrivateLinkEndpoint(stack, 'A', { vpc, serviceName: SERVICE });
    new PrivateLinkEndpoint(stack, 'B', { vpc, serviceName: 'com.amazonaws.vpce.eu-west-1.vpce-svc-0fedcba9876543210' });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Lambda::Function', 1);
    template.resourceCountIs('Custom::PrivateLinkAzFilter', 2);
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: ['ec2:DescribeVpcEndpointServices', 'ec2:DescribeSubnets'], Resource: '*' })]) },
    });
    template.hasResourceProperties('AWS::Lambda::Function', { Runtime: 'nodejs24.x', Timeout: 120 });
  });

  test('without AZ filtering, exactly the given subnets and no custom resource', () => {
    const { template, stack, vpc } = endpoint({ filterSupportedAzs: false, subnets: { availabilityZones: ['eu-west-1b'] } });
    template.resourceCountIs('Custom::PrivateLinkAzFilter', 0);
    template.resourceCountIs('AWS::Lambda::Function', 0);
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', { SubnetIds: [stack.resolve(vpc.privateSubnets[1].subnetId)] });
  });

  test('native cross-region: serviceRegion on the endpoint and in the AZ filter', () => {
    const { template } = endpoint({ serviceRegion: 'us-east-1' });
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', { ServiceRegion: 'us-east-1' });
    template.hasResourceProperties('Custom::PrivateLinkAzFilter', { ServiceRegion: 'us-east-1' });
  });

  test('private DNS on when asked; a deploy-time service name is accepted', () => {
    const { template } = endpoint({ privateDnsEnabled: true, serviceName: Fn.importValue('ServiceName') });
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', { PrivateDnsEnabled: true, ServiceName: { 'Fn::ImportValue': 'ServiceName' } });
  });

  test('exposes the ID, DNS entries and the regional name and zone; outputs the ID only when asked', () => {
    const { construct, stack, template } = endpoint();
    expect(stack.resolve(construct.vpcEndpointId)).toEqual({ Ref: expect.stringMatching(/^Endpoint/) });
    const entry = { 'Fn::Select': [0, { 'Fn::GetAtt': [expect.stringMatching(/^Endpoint/), 'DnsEntries'] }] };
    expect(stack.resolve(construct.regionalHostedZoneId)).toEqual({ 'Fn::Select': [0, { 'Fn::Split': [':', entry] }] });
    expect(stack.resolve(construct.regionalDnsName)).toEqual({ 'Fn::Select': [1, { 'Fn::Split': [':', entry] }] });
    expect(stack.resolve(construct.dnsEntries)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Endpoint/), 'DnsEntries'] });
    expect(template.findOutputs('*')).toEqual({});
    const withOutputs = endpoint({ outputs: true }).template.findOutputs('*');
    expect(Object.keys(withOutputs)).toEqual(['EndpointEndpointId']);
    expect(withOutputs.EndpointEndpointId.Value).toEqual({ Ref: expect.stringMatching(/^Endpoint/) });
  });

  test('cdk-nag finds nothing unacknowledged, and IAM5 is acknowledged for the Describe calls only', () => {
    const { stack } = endpoint();
    const ours = (v: { violatingResources: readonly { constructPath?: string }[] }) =>
      v.violatingResources.some((r) => /\/(Endpoint|SaasPrivateLink)/.test(r.constructPath ?? ''));
    expect(new AwsSolutionsChecks().validateScope(stack).violations.filter(ours)).toEqual([]);
  });

  test('an imported VPC with a deploy-time CIDR still opens only that CIDR, with EC23 acknowledged', () => {
    const stack = new Stack(new App(), 'S');
    const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
      vpcId: Fn.importValue('VpcId'),
      vpcCidrBlock: Fn.importValue('VpcCidr'),
      availabilityZones: ['a', 'b'],
      privateSubnetIds: ['subnet-1', 'subnet-2'],
    });
    new PrivateLinkEndpoint(stack, 'Endpoint', { vpc, serviceName: SERVICE });
    Template.fromStack(stack).hasResourceProperties('AWS::EC2::SecurityGroup', {
      SecurityGroupIngress: [Match.objectLike({ CidrIp: { 'Fn::ImportValue': 'VpcCidr' } })],
    });
    expect(new AwsSolutionsChecks().validateScope(stack).violations).toEqual([]);
  });
});

describe('PrivateLinkEndpoint refusals', () => {
  test.each(['', 'vpce-svc-123', 'com.amazonaws', 'vendor.example.com', 'com.amazonaws.vpce.eu-west-1.vpce-svc-0123 ', 'COM.AMAZONAWS.X', 'https://vendor.example'])('a malformed service name %p', (serviceName) => {
    expectRefusal({ serviceName }, '`serviceName` must be an endpoint service name such as "com.amazonaws.vpce.eu-west-1.vpce-svc-0123456789abcdef0", got: ' + JSON.stringify(serviceName));
  });

  test.each([0, 70000, 1.5])('a port outside 1-65535: %p', (port) => {
    expectRefusal({ ports: [port] }, `\`ports\` entries must be integers from 1 to 65535, got: ${port}`);
  });

  test('no port, or a port twice', () => {
    expectRefusal({ ports: [] }, '`ports` must name at least one port, got: []');
    expectRefusal({ ports: [443, 443] }, '`ports` must not repeat a port, got: [443,443]');
  });

  test('a malformed service region, or one in another partition', () => {
    expectRefusal({ serviceRegion: 'Sydney' }, '`serviceRegion` must be an AWS region name such as "ap-southeast-2", got: "Sydney"');
    expectRefusal({ serviceRegion: 'cn-north-1' }, '`serviceRegion` must be in the stack\'s partition "aws", got: "cn-north-1" in partition "aws-cn"');
  });

  test('a subnet selection that selects nothing', () => {
    expectRefusal({ subnets: { availabilityZones: ['eu-west-1z'] } }, '`subnets` must select at least one subnet, got none');
  });
});
