import { App, Fn, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as route53 from 'aws-cdk-lib/aws-route53';
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

/** The resources of a stack, by type. */
function countsOf(template: Template): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of Object.values(template.toJSON().Resources as Record<string, { Type: string }>)) counts[r.Type] = (counts[r.Type] ?? 0) + 1;
  return counts;
}

describe('SpokePeering across regions, the spoke VPC created in the same app (Sydney hub, Tokyo spoke)', () => {
  const { app, sydney, endpoint, dns } = hub();
  const tokyoStack = new Stack(app, 'Tokyo', { env: { account: ACCOUNT, region: 'ap-northeast-1' } });
  const tokyoVpc = new ec2.Vpc(tokyoStack, 'Vpc', {
    ipAddresses: ec2.IpAddresses.cidr('10.41.0.0/16'), availabilityZones: ['ap-northeast-1a', 'ap-northeast-1c'], natGateways: 0,
  });
  const hubBefore = countsOf(Template.fromStack(hub().sydney));
  const peering = new SpokePeering(sydney, 'Tokyo', { endpoint, spokeVpc: tokyoVpc, dnsOverrides: [dns] });
  const assembly = app.synth();
  const hubTemplate = Template.fromStack(sydney);
  const spokeTemplate = Template.fromStack(tokyoStack);
  const sideTemplate = Template.fromStack(peering.hubSideStack);
  const dnsTemplate = Template.fromStack(peering.dnsStack);

  test('the hub stack does not grow with the spoke (no peering, route, rule or association of the spoke there)', () => {
    const after = countsOf(hubTemplate);
    delete after['Custom::CrossRegionExportWriter'];
    delete after['AWS::Lambda::Function'];
    delete after['AWS::IAM::Role'];
    for (const type of ['AWS::EC2::VPCPeeringConnection', 'AWS::EC2::Route', 'AWS::EC2::SecurityGroupIngress', 'AWS::Route53::HostedZone']) {
      expect([type, after[type] ?? 0]).toEqual([type, hubBefore[type] ?? 0]);
    }
    hubTemplate.hasResourceProperties('AWS::Route53::HostedZone', { VPCs: [{ VPCId: { Ref: Match.stringLikeRegexp('^HubVpc') }, VPCRegion: 'ap-southeast-2' }] });
  });

  test('the spoke stack requests an inter-region peering to the hub VPC (PeerRegion Sydney), with routes to the hub', () => {
    spokeTemplate.hasResourceProperties('AWS::EC2::VPCPeeringConnection', {
      VpcId: { Ref: Match.stringLikeRegexp('^Vpc') },
      PeerRegion: 'ap-southeast-2',
      // Weakly, so the hub stack exports nothing the spoke blocks, and no reader function is needed.
      PeerVpcId: { 'Fn::GetStackOutput': { StackName: 'Sydney', Region: 'ap-southeast-2', OutputName: Match.stringLikeRegexp('HubVpc') } },
    });
    expect(Object.keys(spokeTemplate.findResources('Custom::CrossRegionExportReader'))).toEqual([]);
    const routes = Object.values(spokeTemplate.findResources('AWS::EC2::Route', { Properties: { DestinationCidrBlock: '10.40.0.0/16' } }));
    expect(routes.map((r) => r.Properties.RouteTableId.Ref).sort()).toEqual(Object.keys(spokeTemplate.findResources('AWS::EC2::RouteTable')).sort());
    expect(peering.spokeRegion).toBe('ap-northeast-1');
  });

  test('the group\'s hub-side stack in Sydney and DNS stack in Tokyo, named after hub and spoke stacks, deploy after hub and spoke, DNS last', () => {
    expect(peering.hubSideStack.stackName).toBe('Sydney-Tokyo-HubSide');
    expect(peering.hubSideStack.region).toBe('ap-southeast-2');
    expect(peering.dnsStack.stackName).toBe('Sydney-Tokyo-SpokeDns');
    expect(peering.dnsStack.region).toBe('ap-northeast-1');
    const order = assembly.stacks.map((s) => s.stackName);
    expect(order.indexOf('Sydney')).toBeLessThan(order.indexOf('Tokyo'));
    expect(order.indexOf('Tokyo')).toBeLessThan(order.indexOf('Sydney-Tokyo-HubSide'));
    expect(order.indexOf('Sydney-Tokyo-HubSide')).toBeLessThan(order.indexOf('Sydney-Tokyo-SpokeDns'));
    expect(peering.hubSideStack.dependencies.map((d) => d.stackName).sort()).toEqual(['Sydney', 'Tokyo']);
    expect(peering.dnsStack.dependencies.map((d) => d.stackName)).toContain('Sydney-Tokyo-HubSide');
  });

  test('hub-side: routes to the spoke in every hub route table through the peering, and 443 opened to the spoke CIDR', () => {
    const routes = Object.values(sideTemplate.findResources('AWS::EC2::Route'));
    expect(routes).toHaveLength(Object.keys(hubTemplate.findResources('AWS::EC2::RouteTable')).length);
    for (const route of routes) {
      expect(route.Properties.DestinationCidrBlock).toBe('10.41.0.0/16');
      expect(Object.keys(route.Properties.RouteTableId)).toEqual(['Fn::GetStackOutput']);
      expect(route.Properties.VpcPeeringConnectionId['Fn::GetStackOutput']).toMatchObject({ StackName: 'Tokyo', Region: 'ap-northeast-1' });
    }
    sideTemplate.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { CidrIp: '10.41.0.0/16', FromPort: 443, ToPort: 443, IpProtocol: 'tcp' });
  });

  test('DNS last: the spoke\'s own zone, same name and alias, in the Tokyo DNS stack that deploys after every hub-side route and rule', () => {
    expect(sideTemplate.findResources('AWS::Route53::HostedZone')).toEqual({});
    const zones = dnsTemplate.findResources('AWS::Route53::HostedZone');
    expect(Object.values(zones).map((z) => z.Properties.Name)).toEqual(['abc12345.live.dynatrace.com.']);
    const zone = Object.values(zones)[0];
    // The spoke VPC of the Tokyo stack, read weakly like everything the library's stacks read.
    expect(zone.Properties.VPCs[0].VPCId['Fn::GetStackOutput']).toMatchObject({ StackName: 'Tokyo' });
    expect(zone.Properties.VPCs[0].VPCRegion).toBe('ap-northeast-1');
    expect(Object.keys(sideTemplate.findResources('AWS::EC2::Route')).length).toBeGreaterThan(0);
    expect(Object.keys(sideTemplate.findResources('AWS::EC2::SecurityGroupIngress'))).toHaveLength(1);
    expect(peering.dnsStack.dependencies).toContain(peering.hubSideStack);
    dnsTemplate.hasResourceProperties('AWS::Route53::RecordSet', { Name: 'abc12345.live.dynatrace.com.', Type: 'A' });
    expect(peering.spokeDnsOverrides).toHaveLength(1);
  });
});

describe('SpokePeering', () => {
  test('a spoke in the hub\'s own stack: the hub requests the peering, routes both ways, its own zone after the routes and the hub zone', () => {
    const { sydney, endpoint, dns } = hub();
    const spoke = new ec2.Vpc(sydney, 'Spoke', { ipAddresses: ec2.IpAddresses.cidr('10.42.0.0/16'), availabilityZones: ['ap-southeast-2a'], natGateways: 0 });
    const peering = new SpokePeering(sydney, 'Local', { endpoint, spokeVpc: spoke, dnsOverrides: [dns] });
    expect(peering.hubSideStack).toBe(sydney);
    const template = Template.fromStack(sydney);
    template.hasResourceProperties('AWS::EC2::VPCPeeringConnection', { PeerRegion: Match.absent(), PeerVpcId: { Ref: Match.stringLikeRegexp('^Spoke') } });
    expect(Object.keys(template.findResources('AWS::EC2::Route', { Properties: { DestinationCidrBlock: '10.40.0.0/16' } })).length).toBeGreaterThan(0);
    expect(Object.keys(template.findResources('AWS::EC2::Route', { Properties: { DestinationCidrBlock: '10.42.0.0/16' } })).length).toBe(4);
    const zones = template.findResources('AWS::Route53::HostedZone');
    expect(Object.keys(zones)).toHaveLength(2);
    const [hubZoneId, spokeZone] = [
      Object.keys(zones).find((k) => k.startsWith('DnsZone'))!,
      Object.entries(zones).find(([k]) => k.startsWith('Local'))![1],
    ];
    expect(spokeZone.DependsOn).toEqual(expect.arrayContaining([hubZoneId, Object.keys(template.findResources('AWS::EC2::VPCPeeringConnection'))[0]]));
  });

  test('one hub, many spokes in several regions: one group (hub-side and DNS stacks) per spoke stack in another region', () => {
    const { app, sydney, endpoint, dns } = hub();
    const regions = ['ap-northeast-1', 'us-east-1', 'eu-west-1'];
    const peerings = regions.map((region, i) => {
      const spoke = remoteSpoke(app, region, `Spoke${i}`, `10.${50 + i}.0.0/16`);
      return new SpokePeering(sydney, `Spoke${i}`, { endpoint, spokeVpc: spoke.vpc, dnsOverrides: [dns] });
    });
    Template.fromStack(sydney).resourceCountIs('AWS::EC2::VPCPeeringConnection', 0);
    expect(dns.vpcCount).toBe(1);
    for (const [i, region] of regions.entries()) {
      Template.fromStack(Stack.of(peerings[i].peeringConnectionId ? app.node.findChild(`Spoke${i}`) : sydney))
        .hasResourceProperties('AWS::EC2::VPCPeeringConnection', { PeerRegion: 'ap-southeast-2', VpcId: Match.stringLikeRegexp(`^vpc-spoke${i}`) });
      expect(peerings[i].hubSideStack.stackName).toBe(`Sydney-Spoke${i}-HubSide`);
      expect(peerings[i].dnsStack.stackName).toBe(`Sydney-Spoke${i}-SpokeDns`);
      expect(peerings[i].dnsStack.region).toBe(region);
      expect(peerings[i].spokeRegion).toBe(region);
    }
  });

  test('a spoke in the hub\'s region but its own stack: everything in the spoke\'s stack, DNS after the routes', () => {
    const { app, sydney, endpoint, dns } = hub();
    const local = new Stack(app, 'Local', { env: { account: ACCOUNT, region: 'ap-southeast-2' } });
    const vpc = new ec2.Vpc(local, 'Vpc', { ipAddresses: ec2.IpAddresses.cidr('10.43.0.0/16'), availabilityZones: ['ap-southeast-2a'], natGateways: 0 });
    const peering = new SpokePeering(sydney, 'Local', { endpoint, spokeVpc: vpc, dnsOverrides: [dns] });
    expect(peering.hubSideStack).toBe(local);
    const template = Template.fromStack(local);
    template.hasResourceProperties('AWS::EC2::VPCPeeringConnection', { PeerRegion: Match.absent(), PeerVpcId: { 'Fn::ImportValue': Match.stringLikeRegexp('HubVpc') } });
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { CidrIp: '10.43.0.0/16', FromPort: 443 });
    const zone = Object.values(template.findResources('AWS::Route53::HostedZone'))[0];
    const peeringRoutes = Object.keys(template.findResources('AWS::EC2::Route', { Properties: { VpcPeeringConnectionId: Match.anyValue() } }));
    expect(peeringRoutes.length).toBeGreaterThan(1);
    expect([...zone.DependsOn].sort()).toEqual([
      ...peeringRoutes,
      ...Object.keys(template.findResources('AWS::EC2::SecurityGroupIngress')),
      ...Object.keys(template.findResources('AWS::EC2::VPCPeeringConnection')),
    ].sort());
    expect(app.synth().stacks.map((s) => s.stackName)).toEqual(expect.arrayContaining(['Sydney', 'Local']));
  });

  test('probeHostname: a same-region spoke is probed in its own stack after its DNS; no probe without it', () => {
    const { app, sydney, endpoint, dns } = hub();
    const local = new Stack(app, 'Local', { env: { account: ACCOUNT, region: 'ap-southeast-2' } });
    const vpc = new ec2.Vpc(local, 'Vpc', { ipAddresses: ec2.IpAddresses.cidr('10.43.0.0/16'), availabilityZones: ['ap-southeast-2a'], natGateways: 0 });
    const peering = new SpokePeering(sydney, 'Local', { endpoint, spokeVpc: vpc, dnsOverrides: [dns], probeHostname: 'abc12345.live.dynatrace.com' });
    expect(Stack.of(peering.probe!)).toBe(local);
    const template = Template.fromStack(local);
    const check = Object.values(template.findResources('Custom::PrivateLinkProbe'))[0];
    expect(check.DependsOn).toEqual(expect.arrayContaining(Object.keys(template.findResources('AWS::Route53::RecordSet'))));
    expect(new SpokePeering(sydney, 'Quiet', {
      endpoint, spokeVpc: remoteSpoke(app, 'ap-northeast-1', 'Quiet', '10.44.0.0/16').vpc,
    }).probe).toBeUndefined();
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

  test('a spoke in another account, or a stack without a region, is refused', () => {
    const { app, sydney, endpoint } = hub();
    const other = new Stack(app, 'OtherAccount', { env: { account: '222222222222', region: 'ap-northeast-1' } });
    const vpc = new ec2.Vpc(other, 'Vpc', { ipAddresses: ec2.IpAddresses.cidr('10.41.0.0/16'), availabilityZones: ['ap-northeast-1a'], natGateways: 0 });
    expect(() => new SpokePeering(sydney, 'Other', { endpoint, spokeVpc: vpc }))
      .toThrow('`spokeVpc` must be in the hub\'s account 111111111111 (peering across accounts needs the other account to accept it), got OtherAccount in account 222222222222');
    const agnostic = new Stack(app, 'Anywhere');
    const vpc2 = new ec2.Vpc(agnostic, 'Vpc', { ipAddresses: ec2.IpAddresses.cidr('10.44.0.0/16'), maxAzs: 1, natGateways: 0 });
    expect(() => new SpokePeering(sydney, 'Anywhere', { endpoint, spokeVpc: vpc2 }))
      .toThrow(/a spoke in another stack needs the hub's and the spoke's stacks to name their regions \(env: \{ account, region \}\), got Sydney in "ap-southeast-2" and Anywhere in a deploy-time value/);
    expect(app.node.tryFindChild('Sydney-Other')).toBeUndefined();
  });

  test('a DNS override of an existing zone cannot be repeated for a spoke', () => {
    const { app, sydney, endpoint, vpc } = hub();
    const zone = route53.PrivateHostedZone.fromPrivateHostedZoneId(sydney, 'Existing', 'Z0123456789');
    const existing = new PrivateDnsOverride(sydney, 'Shared', { zoneName: 'x.example.com', vpc, target: DnsTarget.fromEndpoint(endpoint), existingZone: zone });
    const tokyo = remoteSpoke(app, 'ap-northeast-1', 'Tokyo', '10.41.0.0/16');
    expect(() => new SpokePeering(sydney, 'Tokyo', { endpoint, spokeVpc: tokyo.vpc, dnsOverrides: [existing] }))
      .toThrow(/a spoke needs a zone of its own like this override's, which was given an `existingZone`/);
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

  test('125 spokes in five stacks with a hub of four route tables (the aws-cdk-lib default): every stack under 500 resources; a 126th is refused', () => {
    const app = new App();
    const sydney = new Stack(app, 'Sydney', { env: { account: ACCOUNT, region: 'ap-southeast-2' } });
    const vpc = new ec2.Vpc(sydney, 'HubVpc', { ipAddresses: ec2.IpAddresses.cidr('10.40.0.0/16'), availabilityZones: ['ap-southeast-2a', 'ap-southeast-2b'] });
    const endpoint = new PrivateLinkEndpoint(sydney, 'Endpoint', { vpc, serviceName: 'com.amazonaws.vpce.ap-southeast-2.vpce-svc-0123456789abcdef0' });
    const dns = new PrivateDnsOverride(sydney, 'Dns', { zoneName: 'abc12345.live.dynatrace.com', vpc, target: DnsTarget.fromEndpoint(endpoint) });
    expect(new Set([...vpc.publicSubnets, ...vpc.privateSubnets].map((subnet) => subnet.routeTable.routeTableId)).size).toBe(4);
    const peerings: SpokePeering[] = [];
    for (let i = 0; i < 125; i++) {
      // Five spoke stacks in Tokyo, 25 imported spokes each (two route tables per spoke).
      const stackId = `Tokyo${Math.floor(i / 25)}`;
      const stack = (app.node.tryFindChild(stackId) as Stack) ?? new Stack(app, stackId, { env: { account: ACCOUNT, region: 'ap-northeast-1' } });
      const spoke = ec2.Vpc.fromVpcAttributes(stack, `Vpc${i}`, {
        vpcId: `vpc-${i}`,
        vpcCidrBlock: `10.${100 + Math.floor(i / 16)}.${(i % 16) * 16}.0/20`,
        availabilityZones: ['ap-northeast-1a', 'ap-northeast-1c'],
        privateSubnetIds: [`subnet-${i}a`, `subnet-${i}c`],
        privateSubnetRouteTableIds: [`rtb-${i}a`, `rtb-${i}c`],
      });
      peerings.push(new SpokePeering(sydney, `P${i}`, { endpoint, spokeVpc: spoke, dnsOverrides: [dns] }));
    }
    const warnings = (p: SpokePeering) => p.node.metadata.filter((m) => m.type === 'aws:cdk:warning').map((m) => JSON.stringify(m.data));
    expect(warnings(peerings[49])).toEqual([]);
    expect(warnings(peerings[50]).join()).toContain('The hub VPC has 51 peering connections; the default quota is 50');
    const extraStack = new Stack(app, 'Extra', { env: { account: ACCOUNT, region: 'ap-northeast-1' } });
    const extra = ec2.Vpc.fromVpcAttributes(extraStack, 'Vpc', {
      vpcId: 'vpc-extra', vpcCidrBlock: '10.200.0.0/16', availabilityZones: ['ap-northeast-1a'], privateSubnetIds: ['s'], privateSubnetRouteTableIds: ['rtb-x'],
    });
    expect(() => new SpokePeering(sydney, 'Extra', { endpoint, spokeVpc: extra }))
      .toThrow('`spokeVpc` Extra/Vpc would be peering connection number 126 of the hub VPC Sydney/HubVpc, past the 125 a VPC can have (the AWS quota\'s maximum); join more VPCs through a transit gateway (TransitGatewaySpoke), or a second hub');
    const sizes = app.synth().stacks.map((s) => [s.stackName, Object.keys(s.template.Resources ?? {}).length] as [string, number]);
    expect(sizes.filter(([, n]) => n >= 500)).toEqual([]);
    // Hub, five spoke stacks, a hub-side and a DNS stack per spoke stack, and the Extra stack.
    expect(sizes).toHaveLength(1 + 5 + 2 * 5 + 1);
    expect(sizes.find(([name]) => name === 'Sydney')![1]).toBeLessThan(100);
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
