import { App, Fn, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { DnsTarget, PrivateDnsOverride, PrivateLinkEndpoint, SpokePeering } from '../../src';
import { cidrsOverlap } from '../../src/internal/addresses';

const ACCOUNT = '111111111111';

function hub() {
  const app = new App();
  const sydney = new Stack(app, 'Sydney', { env: { account: ACCOUNT, region: 'ap-southeast-2' } });
  const vpc = new ec2.Vpc(sydney, 'HubVpc', {
    ipAddresses: ec2.IpAddresses.cidr('10.40.0.0/16'), availabilityZones: ['ap-southeast-2a', 'ap-southeast-2b'], natGateways: 1,
  });
  const endpoint = new PrivateLinkEndpoint(sydney, 'Endpoint', { vpc, serviceName: 'com.amazonaws.vpce.ap-southeast-2.vpce-svc-0123456789abcdef0' });
  const dns = new PrivateDnsOverride(sydney, 'Dns', { zoneName: 'abc12345.live.dynatrace.com', vpc, target: DnsTarget.fromEndpoint(endpoint) });
  return { app, sydney, vpc, endpoint, dns };
}

function remoteSpoke(app: App, region: string, name: string, cidr: string, n = 2) {
  const stack = new Stack(app, name, { env: { account: ACCOUNT, region }, crossRegionReferences: true });
  const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
    vpcId: `vpc-${name.toLowerCase().padEnd(17, '0').slice(0, 17)}`,
    vpcCidrBlock: cidr,
    availabilityZones: Array.from({ length: n }, (_, i) => `${region}${'abc'[i]}`),
    privateSubnetIds: Array.from({ length: n }, (_, i) => `subnet-${name}${i}`),
    privateSubnetRouteTableIds: Array.from({ length: n }, (_, i) => `rtb-${name}${i}`),
  });
  return { stack, vpc };
}

describe('SpokePeering across regions (Sydney hub, Tokyo spoke)', () => {
  const { app, sydney, endpoint, dns } = hub();
  const tokyo = remoteSpoke(app, 'ap-northeast-1', 'Tokyo', '10.41.0.0/16');
  const peering = new SpokePeering(sydney, 'Tokyo', { endpoint, spokeVpc: tokyo.vpc, dnsOverrides: [dns] });
  const hubTemplate = Template.fromStack(sydney);
  const spokeTemplate = Template.fromStack(tokyo.stack);

  test('an inter-region peering connection from the hub VPC with PeerRegion', () => {
    hubTemplate.hasResourceProperties('AWS::EC2::VPCPeeringConnection', {
      VpcId: { Ref: Match.stringLikeRegexp('^HubVpc') }, PeerVpcId: 'vpc-tokyo000000000000'.slice(0, 21), PeerRegion: 'ap-northeast-1',
    });
    expect(peering.spokeRegion).toBe('ap-northeast-1');
  });

  test('routes to the spoke in every hub route table', () => {
    const routes = hubTemplate.findResources('AWS::EC2::Route', { Properties: { DestinationCidrBlock: '10.41.0.0/16' } });
    const tables = Object.values(routes).map((r) => r.Properties.RouteTableId.Ref).sort();
    const hubTables = Object.keys(hubTemplate.findResources('AWS::EC2::RouteTable')).sort();
    expect(tables).toEqual(hubTables);
    expect(Object.values(routes).every((r) => r.Properties.VpcPeeringConnectionId.Ref.startsWith('Tokyo'))).toBe(true);
  });

  test('routes to the hub in every spoke route table, in the spoke stack', () => {
    const routes = Object.values(spokeTemplate.findResources('AWS::EC2::Route'));
    expect(routes.map((r) => r.Properties.RouteTableId).sort()).toEqual(['rtb-Tokyo0', 'rtb-Tokyo1']);
    expect(routes.every((r) => r.Properties.DestinationCidrBlock === '10.40.0.0/16')).toBe(true);
    // The peering ID crosses regions through CDK's cross-region references.
    expect(JSON.stringify(routes[0].Properties.VpcPeeringConnectionId)).toContain('ExportsReader');
  });

  test('the endpoint security group opens 443 to the spoke CIDR', () => {
    hubTemplate.hasResourceProperties('AWS::EC2::SecurityGroup', {
      SecurityGroupIngress: Match.arrayWith([Match.objectLike({ CidrIp: '10.41.0.0/16', FromPort: 443, ToPort: 443 })]),
    });
  });

  test('the zone is associated with the spoke VPC in its region', () => {
    hubTemplate.hasResourceProperties('AWS::Route53::HostedZone', {
      VPCs: Match.arrayWith([{ VPCId: Match.stringLikeRegexp('^vpc-tokyo'), VPCRegion: 'ap-northeast-1' }]),
    });
  });
});

describe('SpokePeering', () => {
  test('a spoke in the same region and stack: no PeerRegion, routes both ways in one template', () => {
    const { sydney, endpoint } = hub();
    const spoke = new ec2.Vpc(sydney, 'Spoke', { ipAddresses: ec2.IpAddresses.cidr('10.42.0.0/16'), availabilityZones: ['ap-southeast-2a'], natGateways: 0 });
    new SpokePeering(sydney, 'Local', { endpoint, spokeVpc: spoke });
    const template = Template.fromStack(sydney);
    template.hasResourceProperties('AWS::EC2::VPCPeeringConnection', { PeerRegion: Match.absent(), PeerVpcId: { Ref: Match.stringLikeRegexp('^Spoke') } });
    expect(Object.keys(template.findResources('AWS::EC2::Route', { Properties: { DestinationCidrBlock: '10.40.0.0/16' } })).length).toBeGreaterThan(0);
    expect(Object.keys(template.findResources('AWS::EC2::Route', { Properties: { DestinationCidrBlock: '10.42.0.0/16' } })).length).toBe(4);
  });

  test('one hub, many spokes in several regions', () => {
    const { app, sydney, endpoint, dns } = hub();
    const regions = ['ap-northeast-1', 'us-east-1', 'eu-west-1'];
    regions.forEach((region, i) => {
      const spoke = remoteSpoke(app, region, `Spoke${i}`, `10.${50 + i}.0.0/16`);
      new SpokePeering(sydney, `Spoke${i}`, { endpoint, spokeVpc: spoke.vpc, dnsOverrides: [dns] });
    });
    const template = Template.fromStack(sydney);
    template.resourceCountIs('AWS::EC2::VPCPeeringConnection', 3);
    expect(dns.vpcCount).toBe(4);
    for (const [i, region] of regions.entries()) {
      template.hasResourceProperties('AWS::EC2::VPCPeeringConnection', { PeerRegion: region, PeerVpcId: Match.stringLikeRegexp(`^vpc-spoke${i}`) });
    }
  });

  test('overlapping CIDRs are refused: with the hub, and between spokes', () => {
    const { app, sydney, endpoint } = hub();
    const clash = remoteSpoke(app, 'ap-northeast-1', 'Clash', '10.40.128.0/17');
    expect(() => new SpokePeering(sydney, 'Clash', { endpoint, spokeVpc: clash.vpc }))
      .toThrow('`spokeVpc` CIDR 10.40.128.0/17 (Clash/Vpc) overlaps the hub VPC\'s 10.40.0.0/16: peered VPCs need distinct address ranges');
    const a = remoteSpoke(app, 'ap-northeast-1', 'A', '10.60.0.0/16');
    new SpokePeering(sydney, 'A', { endpoint, spokeVpc: a.vpc });
    const b = remoteSpoke(app, 'us-east-1', 'B', '10.60.4.0/24');
    expect(() => new SpokePeering(sydney, 'B', { endpoint, spokeVpc: b.vpc }))
      .toThrow('`spokeVpc` CIDR 10.60.4.0/24 (B/Vpc) overlaps 10.60.0.0/16 of spoke A/Vpc on the same hub');
    expect(Template.fromStack(sydney).findResources('AWS::EC2::VPCPeeringConnection', { Properties: { PeerVpcId: Match.stringLikeRegexp('^vpc-b') } })).toEqual({});
  });

  test('a spoke VPC in another stack whose ID is a deploy-time value is refused', () => {
    const { app, sydney, endpoint } = hub();
    const tokyo = new Stack(app, 'Tokyo', { env: { account: ACCOUNT, region: 'ap-northeast-1' } });
    const vpc = new ec2.Vpc(tokyo, 'Vpc', { ipAddresses: ec2.IpAddresses.cidr('10.41.0.0/16'), availabilityZones: ['ap-northeast-1a'], natGateways: 0 });
    expect(() => new SpokePeering(sydney, 'Tokyo', { endpoint, spokeVpc: vpc }))
      .toThrow(/`spokeVpc` lives in another stack, so it must be imported with a literal `vpcId`.*Tokyo\/Vpc/);
  });

  test('a spoke without route table IDs is refused', () => {
    const { app, sydney, endpoint } = hub();
    const stack = new Stack(app, 'NoRoutes', { env: { account: ACCOUNT, region: 'ap-northeast-1' } });
    const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', { vpcId: 'vpc-1', vpcCidrBlock: '10.70.0.0/16', availabilityZones: ['ap-northeast-1a'], privateSubnetIds: ['subnet-1'] });
    expect(() => new SpokePeering(sydney, 'NoRoutes', { endpoint, spokeVpc: vpc }))
      .toThrow('`spokeVpc` has no route table IDs: import it with the route table IDs of its subnets (for example `privateSubnetRouteTableIds`), got none for NoRoutes/Vpc');
  });

  test('created outside the hub VPC\'s stack is refused', () => {
    const { app, endpoint } = hub();
    const other = remoteSpoke(app, 'ap-northeast-1', 'Other', '10.80.0.0/16');
    expect(() => new SpokePeering(other.stack, 'X', { endpoint, spokeVpc: other.vpc }))
      .toThrow('`SpokePeering` must be created in the stack of the hub endpoint\'s VPC (Sydney), got: Other');
  });

  test('more than 50 spokes warns about the quota; more than 125 is refused', () => {
    const { app, sydney, endpoint } = hub();
    const peerings: SpokePeering[] = [];
    for (let i = 0; i < 125; i++) {
      const stack = new Stack(app, `S${i}`, { env: { account: ACCOUNT, region: 'ap-southeast-2' } });
      const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
        vpcId: `vpc-${i}`,
        vpcCidrBlock: `10.${100 + Math.floor(i / 16)}.${(i % 16) * 16}.0/20`,
        availabilityZones: ['ap-southeast-2a'],
        privateSubnetIds: [`subnet-${i}`],
        privateSubnetRouteTableIds: [`rtb-${i}`],
      });
      peerings.push(new SpokePeering(sydney, `P${i}`, { endpoint, spokeVpc: vpc }));
    }
    // (125 spokes with 4 hub route tables exceed the 500-resource stack limit, so no synth here.)
    const warnings = (p: SpokePeering) => p.node.metadata.filter((m) => m.type === 'aws:cdk:warning').map((m) => JSON.stringify(m.data));
    expect(warnings(peerings[49])).toEqual([]);
    expect(warnings(peerings[50]).join()).toContain('The hub VPC has 51 peering connections; the default quota is 50');
    const extra = remoteSpoke(app, 'ap-southeast-2', 'Extra', '10.200.0.0/16');
    expect(() => new SpokePeering(sydney, 'Extra', { endpoint, spokeVpc: extra.vpc }))
      .toThrow('a VPC can have at most 125 peering connections, got a spoke number 126 (Extra/Vpc)');
  });

  test('CIDRs only known at deploy time draw a warning instead of an overlap check', () => {
    const { app, sydney, endpoint } = hub();
    const stack = new Stack(app, 'T', { env: { account: ACCOUNT, region: 'ap-northeast-1' } });
    const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
      vpcId: 'vpc-1', vpcCidrBlock: Fn.importValue('Cidr'), availabilityZones: ['ap-northeast-1a'], privateSubnetIds: ['s'], privateSubnetRouteTableIds: ['rtb-1'],
    });
    new SpokePeering(sydney, 'T', { endpoint, spokeVpc: vpc });
    Annotations.fromStack(sydney).hasWarning('/Sydney/T', Match.stringLikeRegexp('overlaps could not be checked'));
  });
});

test.each([
  ['10.0.0.0/16', '10.0.255.0/24', true],
  ['10.0.0.0/16', '10.1.0.0/16', false],
  ['10.0.0.0/8', '10.200.0.0/16', true],
  ['192.168.1.0/24', '192.168.0.0/24', false],
  ['0.0.0.0/0', '172.16.0.0/12', true],
  ['bad', '10.0.0.0/16', false],
])('cidrsOverlap(%s, %s) is %s', (a, b, expected) => {
  expect(cidrsOverlap(a, b)).toBe(expected);
  expect(cidrsOverlap(b, a)).toBe(expected);
});
