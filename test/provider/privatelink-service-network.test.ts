import { App, CfnResource, Fn, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { PrivateLinkService, PrivateLinkServiceProps, ServiceTarget } from '../../src';

const VENDOR = 'arn:aws:iam::012922587834:root';
const DB = ServiceTarget.ipAddress('10.0.100.10');

/** A VPC with two private subnet groups (App, then Data) in two zones, as many platform teams run. */
function twoGroups(agnostic = false) {
  const env = agnostic ? undefined : { account: '111111111111', region: 'eu-west-1' };
  const stack = new Stack(new App(), 'Stack', { env });
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    ipAddresses: ec2.IpAddresses.cidr('10.0.0.0/16'),
    ...(env ? { availabilityZones: ['eu-west-1a', 'eu-west-1b'] } : { maxAzs: 2 }),
    natGateways: 1,
    subnetConfiguration: [
      { name: 'Public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
      { name: 'App', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 24 },
      { name: 'Data', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 24 },
    ],
  });
  return { stack, vpc };
}

function newService(stack: Stack, vpc: ec2.IVpc, props: Partial<PrivateLinkServiceProps> = {}, id = 'Service') {
  return new PrivateLinkService(stack, id, { vpc, allowedPrincipals: [VENDOR], ports: [{ port: 5432, targets: [DB] }], ...props });
}

function cidrsOf(stack: Stack, subnets: ec2.ISubnet[]) {
  return subnets.map((s) => stack.resolve(s.ipv4CidrBlock));
}

/** The ingress resources of the template, by logical ID. */
function ingress(stack: Stack): Record<string, any> {
  return Object.fromEntries(Object.entries(Template.fromStack(stack).findResources('AWS::EC2::SecurityGroupIngress'))
    .map(([id, r]) => [id, r.Properties]));
}

describe('PrivateLinkService load balancer subnets: one per Availability Zone', () => {
  test('by default, one private subnet per zone from the first group; the prefix list holds exactly those', () => {
    const { stack, vpc } = twoGroups();
    newService(stack, vpc);
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Subnets: [{ Ref: Match.stringLikeRegexp('^VpcAppSubnet1') }, { Ref: Match.stringLikeRegexp('^VpcAppSubnet2') }],
    });
    const app = vpc.selectSubnets({ subnetGroupName: 'App' }).subnets;
    template.hasResourceProperties('AWS::EC2::PrefixList', {
      MaxEntries: 2,
      Entries: cidrsOf(stack, app).map((cidr) => Match.objectLike({ Cidr: cidr })),
    });
    expect(cidrsOf(stack, app)).toEqual(['10.0.2.0/24', '10.0.3.0/24']);
  });

  test('a selection by group name takes that group, and its CIDR blocks go to the prefix list', () => {
    const { stack, vpc } = twoGroups();
    newService(stack, vpc, { vpcSubnets: { subnetGroupName: 'Data' } });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Subnets: [{ Ref: Match.stringLikeRegexp('^VpcDataSubnet1') }, { Ref: Match.stringLikeRegexp('^VpcDataSubnet2') }],
    });
    template.hasResourceProperties('AWS::EC2::PrefixList', {
      MaxEntries: 2, Entries: [Match.objectLike({ Cidr: '10.0.4.0/24' }), Match.objectLike({ Cidr: '10.0.5.0/24' })],
    });
  });

  test('a selection by type with onePerAz is accepted', () => {
    const { stack, vpc } = twoGroups();
    newService(stack, vpc, { vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, onePerAz: true } });
    Template.fromStack(stack).hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Subnets: [{ Ref: Match.stringLikeRegexp('^VpcAppSubnet1') }, { Ref: Match.stringLikeRegexp('^VpcAppSubnet2') }],
    });
  });

  test('a selection with two subnets in one zone is refused, naming both subnets, the zone and the rule; nothing is left behind', () => {
    const { stack, vpc } = twoGroups();
    expect(() => newService(stack, vpc, { vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS } })).toThrow(
      '`vpcSubnets` must select at most one subnet per Availability Zone (a load balancer takes one subnet per AZ), ' +
      'got "Stack/Vpc/AppSubnet1" and "Stack/Vpc/DataSubnet1", both in "eu-west-1a": select one subnet group ' +
      '(such as `{ subnetGroupName: \'app\' }`) or add `onePerAz: true` to the selection');
    const leftovers = stack.node.tryFindChild('Service')?.node.findAll().filter(CfnResource.isCfnResource) ?? [];
    expect(leftovers).toHaveLength(0);
  });

  test('imported subnets are named by their IDs', () => {
    const { stack, vpc } = twoGroups();
    const subnet = (id: string, zone: string, cidr: string) =>
      ec2.Subnet.fromSubnetAttributes(stack, id, { subnetId: id, availabilityZone: zone, ipv4CidrBlock: cidr });
    expect(() => newService(stack, vpc, {
      vpcSubnets: { subnets: [subnet('subnet-a', 'eu-west-1a', '10.0.8.0/24'), subnet('subnet-b', 'eu-west-1b', '10.0.9.0/24'), subnet('subnet-c', 'eu-west-1b', '10.0.10.0/24')] },
    })).toThrow(/got "subnet-b" and "subnet-c", both in "eu-west-1b": select one subnet group/);
  });

  test('in a stack without a region (zones known only at deploy time), the default still takes one subnet per zone', () => {
    const { stack, vpc } = twoGroups(true);
    newService(stack, vpc);
    Template.fromStack(stack).hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Subnets: [{ Ref: Match.stringLikeRegexp('^VpcAppSubnet1') }, { Ref: Match.stringLikeRegexp('^VpcAppSubnet2') }],
    });
  });

  test('subnets whose zone is not known are not refused', () => {
    const { stack, vpc } = twoGroups();
    const subnets = ['subnet-a', 'subnet-b'].map((id, i) => ec2.Subnet.fromSubnetAttributes(stack, id, { subnetId: id, ipv4CidrBlock: `10.0.${8 + i}.0/24` }));
    newService(stack, vpc, { vpcSubnets: { subnets } });
    Template.fromStack(stack).hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { Subnets: ['subnet-a', 'subnet-b'] });
  });
});

describe('PrivateLinkService connections: one rule per group, port and source', () => {
  test('`connections` is one object, however often it is read', () => {
    const { stack, vpc } = twoGroups();
    const service = newService(stack, vpc);
    expect(service.connections).toBe(service.connections);
  });

  test('allowFrom twice and allowTargetAccess on the same port: one rule, with a literal logical ID', () => {
    const { stack, vpc } = twoGroups();
    const service = newService(stack, vpc);
    const db = new ec2.SecurityGroup(stack, 'Db', { vpc });
    db.connections.allowFrom(service, ec2.Port.tcp(5432));
    db.connections.allowFrom(service, ec2.Port.tcp(5432));
    service.allowTargetAccess(db, 5432);
    const rules = ingress(stack);
    expect(Object.values(rules)).toEqual([expect.objectContaining({
      GroupId: { 'Fn::GetAtt': [expect.stringMatching(/^Db/), 'GroupId'] },
      IpProtocol: 'tcp',
      FromPort: 5432,
      ToPort: 5432,
      SourcePrefixListId: { 'Fn::GetAtt': [expect.stringMatching(/^ServiceLoadBalancerSubnets/), 'PrefixListId'] },
    })]);
    expect(Object.keys(rules)[0]).toMatch(/^DbfromStackServiceLoadBalancerSubnets[0-9A-F]{8}5432[0-9A-F]{8}$/);
  });

  test('two ports give two rules; another security group gets its own', () => {
    const { stack, vpc } = twoGroups();
    const service = newService(stack, vpc);
    const db = new ec2.SecurityGroup(stack, 'Db', { vpc });
    const cache = new ec2.SecurityGroup(stack, 'Cache', { vpc });
    service.allowTargetAccess(db, 5432);
    db.connections.allowFrom(service, ec2.Port.tcp(5433));
    service.allowTargetAccess(db, 5433);
    cache.connections.allowFrom(service, ec2.Port.tcp(5432));
    const rules = Object.values(ingress(stack)).map((r) => [JSON.stringify(r.GroupId).match(/Db|Cache/)![0], r.FromPort]);
    expect(rules.sort()).toEqual([['Cache', 5432], ['Db', 5432], ['Db', 5433]]);
  });

  test('another service gets its own rule on the same group and port', () => {
    const { stack, vpc } = twoGroups();
    const first = newService(stack, vpc);
    const second = newService(stack, vpc, { vpcSubnets: { subnetGroupName: 'Data' } }, 'Second');
    const db = new ec2.SecurityGroup(stack, 'Db', { vpc });
    first.allowTargetAccess(db, 5432);
    second.allowTargetAccess(db, 5432);
    db.connections.allowFrom(second, ec2.Port.tcp(5432));
    const sources = Object.values(ingress(stack)).map((r) => r.SourcePrefixListId['Fn::GetAtt'][0]);
    expect(sources).toEqual([expect.stringMatching(/^ServiceLoadBalancerSubnets/), expect.stringMatching(/^SecondLoadBalancerSubnets/)]);
  });

  test('a target in another stack: one rule there', () => {
    const { stack, vpc } = twoGroups();
    const service = newService(stack, vpc);
    const other = new Stack(stack.node.scope as App, 'Data', { env: { account: '111111111111', region: 'eu-west-1' } });
    const db = new ec2.SecurityGroup(other, 'Db', { vpc });
    db.connections.allowFrom(service, ec2.Port.tcp(5432));
    service.allowTargetAccess(db, 5432);
    expect(Object.values(ingress(other))).toEqual([expect.objectContaining({ FromPort: 5432, SourcePrefixListId: expect.anything() })]);
  });

  test('a given load balancer without security groups: the VPC CIDR block, one rule however often it is opened', () => {
    const { stack, vpc } = twoGroups();
    const lb = new elbv2.NetworkLoadBalancer(stack, 'Lb', { vpc, internetFacing: false });
    const service = newService(stack, undefined as any, { loadBalancer: lb });
    const db = new ec2.SecurityGroup(stack, 'Db', { vpc });
    service.allowTargetAccess(db, 5432);
    db.connections.allowFrom(service, ec2.Port.tcp(5432));
    expect(Object.values(ingress(stack))).toEqual([expect.objectContaining({
      FromPort: 5432, CidrIp: { 'Fn::GetAtt': [expect.stringMatching(/^Vpc/), 'CidrBlock'] },
    })]);
  });

  test('a load balancer with security groups: one rule from the group', () => {
    const { stack, vpc } = twoGroups();
    const lbGroup = new ec2.SecurityGroup(stack, 'LbGroup', { vpc });
    const service = newService(stack, vpc, { securityGroups: [lbGroup] });
    const db = new ec2.SecurityGroup(stack, 'Db', { vpc });
    service.allowTargetAccess(db, 5432);
    db.connections.allowFrom(service, ec2.Port.tcp(5432));
    expect(Object.values(ingress(stack))).toEqual([expect.objectContaining({
      FromPort: 5432, SourceSecurityGroupId: { 'Fn::GetAtt': [expect.stringMatching(/^LbGroup/), 'GroupId'] },
    })]);
  });
});

describe('PrivateLinkService.fromPrivateLinkServiceAttributes connections', () => {
  const attrs = { endpointServiceName: 'com.amazonaws.vpce.eu-west-1.vpce-svc-0123456789abcdef0', endpointServiceId: 'vpce-svc-0123456789abcdef0' };

  test.each([
    ['a literal ID', 'pl-0123456789abcdef0', 'pl-0123456789abcdef0'],
    ['an ID from another stack', Fn.importValue('ServicePrefixList'), { 'Fn::ImportValue': 'ServicePrefixList' }],
  ])('the subnets\' prefix list, %s: one rule however often it is opened', (_name, id, source) => {
    const { stack, vpc } = twoGroups();
    const service = PrivateLinkService.fromPrivateLinkServiceAttributes(stack, 'Imported', {
      ...attrs, subnetPrefixList: ec2.PrefixList.fromPrefixListId(stack, 'Pl', id),
    });
    const db = new ec2.SecurityGroup(stack, 'Db', { vpc });
    db.connections.allowFrom(service, ec2.Port.tcp(5432));
    db.connections.allowFrom(service, ec2.Port.tcp(5432));
    expect(Object.values(ingress(stack))).toEqual([expect.objectContaining({ FromPort: 5432, SourcePrefixListId: source })]);
  });

  test('security groups: one rule from each; neither: nothing opened', () => {
    const { stack, vpc } = twoGroups();
    const withGroup = PrivateLinkService.fromPrivateLinkServiceAttributes(stack, 'WithGroup', {
      ...attrs, securityGroups: [ec2.SecurityGroup.fromSecurityGroupId(stack, 'LbSg', 'sg-0aaaaaaaaaaaaaaaa')],
    });
    const bare = PrivateLinkService.fromPrivateLinkServiceAttributes(stack, 'Bare', attrs);
    const db = new ec2.SecurityGroup(stack, 'Db', { vpc });
    db.connections.allowFrom(withGroup, ec2.Port.tcp(5432));
    db.connections.allowFrom(withGroup, ec2.Port.tcp(5432));
    db.connections.allowFrom(bare, ec2.Port.tcp(5432));
    expect(Object.values(ingress(stack))).toEqual([expect.objectContaining({ FromPort: 5432, SourceSecurityGroupId: 'sg-0aaaaaaaaaaaaaaaa' })]);
  });
});
