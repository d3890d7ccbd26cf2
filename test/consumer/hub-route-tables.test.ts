/*
 * The hub side is checked like the spoke side: a hub VPC imported without the route table IDs
 * of its subnets would get no route back to a spoke while the spoke gets its routes and its DNS
 * override, so its hosts would stop reaching the vendor. Refused at synth, for every kind of spoke.
 */
import { App, CfnResource, Fn, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import {
  DnsTarget, DynatraceEnvironment, DynatracePrivateLink, PrivateDnsOverride, PrivateLinkEndpoint, SpokePeering, TransitGatewaySpoke,
} from '../../src';

const ACCOUNT = '111111111111';
const TGW = 'tgw-0aaaaaaaaaaaaaaaa';
const HUB_FIX = /`Vpc\.fromVpcAttributes\(\{ \.\.\., privateSubnetRouteTableIds \}\)`\), got none for Sydney\/HubVpc$/;

/** A Sydney hub VPC imported with, or without, the route table IDs of its subnets. */
function hub(routeTableIds?: string[]) {
  const app = new App();
  const sydney = new Stack(app, 'Sydney', { env: { account: ACCOUNT, region: 'ap-southeast-2' } });
  const vpc = ec2.Vpc.fromVpcAttributes(sydney, 'HubVpc', {
    vpcId: 'vpc-0hub0000000000000',
    vpcCidrBlock: '10.40.0.0/16',
    availabilityZones: ['ap-southeast-2a', 'ap-southeast-2b'],
    privateSubnetIds: ['subnet-0hub000000000000a', 'subnet-0hub000000000000b'],
    privateSubnetRouteTableIds: routeTableIds,
  });
  const endpoint = new PrivateLinkEndpoint(sydney, 'Endpoint', { vpc, serviceName: 'com.amazonaws.vpce.ap-southeast-2.vpce-svc-0123456789abcdef0' });
  const dns = new PrivateDnsOverride(sydney, 'Dns', { zoneName: 'abc12345.live.dynatrace.com', vpc, target: DnsTarget.fromEndpoint(endpoint) });
  const tokyo = new Stack(app, 'Tokyo', { env: { account: ACCOUNT, region: 'ap-northeast-1' } });
  const tokyoVpc = new ec2.Vpc(tokyo, 'Vpc', { ipAddresses: ec2.IpAddresses.cidr('10.41.0.0/16'), availabilityZones: ['ap-northeast-1a'], natGateways: 0 });
  const local = new Stack(app, 'Local', { env: { account: ACCOUNT, region: 'ap-southeast-2' } });
  const localVpc = new ec2.Vpc(local, 'Vpc', { ipAddresses: ec2.IpAddresses.cidr('10.42.0.0/16'), availabilityZones: ['ap-southeast-2a'], natGateways: 0 });
  return { app, sydney, vpc, endpoint, dns, tokyo, tokyoVpc, local, localVpc };
}

function dynatrace(h: ReturnType<typeof hub>) {
  const apiToken = new secretsmanager.Secret(h.sydney, 'ApiToken', { encryptionKey: new kms.Key(h.sydney, 'Key', { enableKeyRotation: true }) });
  return new DynatracePrivateLink(h.sydney, 'Dynatrace', { environment: DynatraceEnvironment.saas('abc12345'), apiToken, vpc: h.vpc });
}

/** Refused, and nothing of the spoke made: no resource under `id`, no hub-side stack, nothing in the spoke's stacks. */
function expectRefused(h: ReturnType<typeof hub>, id: string, make: () => unknown, message: string | RegExp) {
  expect(make).toThrow(message);
  const under = (h.sydney.node.tryFindChild(id) ?? h.sydney.node.tryFindChild('Dynatrace')?.node.tryFindChild(id));
  expect(under?.node.findAll().filter(CfnResource.isCfnResource) ?? []).toEqual([]);
  // No stack of a spoke group (Sydney-<spoke stack>-HubSide / -SpokeDns) was left behind.
  expect(h.app.node.children.filter((c) => c instanceof Stack && c.node.id.startsWith('Sydney-')).map((c) => c.node.id)).toEqual([]);
  for (const stack of [h.tokyo, h.local]) {
    expect(stack.node.findAll().filter((c) => CfnResource.isCfnResource(c) && /Peering|TgwAttachment|SpokeRoute/.test(c.node.path))).toEqual([]);
  }
}

describe('a hub VPC without route table IDs is refused', () => {
  test('SpokePeering, for a spoke in another region and one in the hub\'s region', () => {
    const h = hub();
    for (const [id, spokeVpc] of [['Tokyo', h.tokyoVpc], ['Local', h.localVpc]] as const) {
      expectRefused(h, id, () => new SpokePeering(h.sydney, id, { endpoint: h.endpoint, spokeVpc, dnsOverrides: [h.dns] }),
        '`endpoint`\'s VPC (the hub VPC) has no route table IDs: the hub needs a route back to the spoke in the route table of ' +
        'each of its subnets, or the spoke\'s hosts cannot reach the endpoint; import it with them ' +
        '(`Vpc.fromVpcAttributes({ ..., privateSubnetRouteTableIds })`), got none for Sydney/HubVpc');
    }
  });

  test('TransitGatewaySpoke', () => {
    const h = hub();
    expectRefused(h, 'Local', () => new TransitGatewaySpoke(h.sydney, 'Local', {
      endpoint: h.endpoint, spokeVpc: h.localVpc, transitGatewayId: TGW, dnsOverrides: [h.dns],
    }), HUB_FIX);
    expect(h.sydney.node.findAll().filter((c) => c instanceof ec2.CfnTransitGatewayAttachment)).toEqual([]);
  });

  test('DynatracePrivateLink.addSpokeVpc and addSpokeVpcThroughTransitGateway name its `vpc`', () => {
    const h = hub();
    const construct = dynatrace(h);
    expectRefused(h, 'Tokyo', () => construct.addSpokeVpc('Tokyo', h.tokyoVpc),
      '`vpc` (the hub VPC) has no route table IDs, so spoke Tokyo would get no route back from the hub and its hosts could not ' +
      'reach Dynatrace; import it with the route table IDs of its subnets (`Vpc.fromVpcAttributes({ ..., privateSubnetRouteTableIds })`), ' +
      'got none for Sydney/HubVpc');
    expectRefused(h, 'Local', () => construct.addSpokeVpcThroughTransitGateway('Local', h.localVpc, { transitGatewayId: TGW }),
      /^`vpc` \(the hub VPC\) has no route table IDs, so spoke Local would get no route back/);
  });

  test('a hub without route tables is fine without spokes, and for a transit gateway spoke that makes no routes', () => {
    const h = hub();
    const construct = dynatrace(h);
    const spoke = construct.addSpokeVpcThroughTransitGateway('Local', h.localVpc, {
      transitGatewayId: TGW, hubAttachmentId: 'tgw-attach-0aaaaaaaaaaaaaaaa', spokeAttachmentId: 'tgw-attach-0bbbbbbbbbbbbbbbb', createRoutes: false,
    });
    expect(spoke.spokeDnsOverrides).toHaveLength(1);
    const local = Template.fromStack(h.local);
    expect(local.findResources('AWS::EC2::Route', { Properties: { TransitGatewayId: Match.anyValue() } })).toEqual({});
    local.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { CidrIp: '10.42.0.0/16', FromPort: 443 });
  });
});

describe('a hub VPC imported with its route table IDs', () => {
  test('gets a route back to each spoke in each of them, for peering and transit gateway spokes', () => {
    const h = hub(['rtb-0hub000000000000a', 'rtb-0hub000000000000b']);
    const peering = new SpokePeering(h.sydney, 'Tokyo', { endpoint: h.endpoint, spokeVpc: h.tokyoVpc, dnsOverrides: [h.dns] });
    new TransitGatewaySpoke(h.sydney, 'Local', { endpoint: h.endpoint, spokeVpc: h.localVpc, transitGatewayId: TGW, dnsOverrides: [h.dns] });
    // The Tokyo spoke's hub side is its group's stack in the hub's region.
    expect([peering.hubSideStack.stackName, peering.hubSideStack.region]).toEqual(['Sydney-Tokyo-HubSide', 'ap-southeast-2']);
    // The peering (in Tokyo) names the imported hub VPC by its ID as given: nothing to read from another stack.
    Template.fromStack(h.tokyo).hasResourceProperties('AWS::EC2::VPCPeeringConnection', { PeerVpcId: 'vpc-0hub0000000000000', PeerRegion: 'ap-southeast-2' });
    const side = Template.fromStack(peering.hubSideStack);
    for (const rtb of ['rtb-0hub000000000000a', 'rtb-0hub000000000000b']) {
      side.hasResourceProperties('AWS::EC2::Route', { RouteTableId: rtb, DestinationCidrBlock: '10.41.0.0/16' });
      Template.fromStack(h.local).hasResourceProperties('AWS::EC2::Route', { RouteTableId: rtb, DestinationCidrBlock: '10.42.0.0/16', TransitGatewayId: TGW });
    }
    side.resourceCountIs('AWS::EC2::Route', 2);
  });

  test('route table IDs known only at deploy time are taken as given', () => {
    const h = hub([Fn.importValue('HubRtbA'), Fn.importValue('HubRtbB')]);
    dynatrace(h).addSpokeVpc('Local', h.localVpc);
    const routes = Template.fromStack(h.local).findResources('AWS::EC2::Route', { Properties: { DestinationCidrBlock: '10.42.0.0/16' } });
    expect(Object.values(routes).map((r) => r.Properties.RouteTableId)).toEqual([{ 'Fn::ImportValue': 'HubRtbA' }, { 'Fn::ImportValue': 'HubRtbB' }]);
  });
});
