/*
 * TransitGatewaySpoke where a transit gateway already is the network: the VPCs are attached
 * already (EC2 refuses a second attachment of a VPC to the same transit gateway) and may already
 * route through it. Given existing attachments and `createRoutes: false`, it makes only what is
 * missing: the endpoint's rule for the spoke, the spoke's zone and its probe.
 */
import { App, CfnResource, Fn, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { DnsTarget, PrivateDnsOverride, PrivateLinkEndpoint, TransitGatewaySpoke, TransitGatewaySpokeProps } from '../../src';

const ACCOUNT = '111111111111';
const TGW = 'tgw-0aaaaaaaaaaaaaaaa';
const HUB_ATTACHMENT = 'tgw-attach-0aaaaaaaaaaaaaaaa';
const SPOKE_ATTACHMENT = 'tgw-attach-0bbbbbbbbbbbbbbbb';
const ZONE = 'abc12345.live.dynatrace.com';

function hub() {
  const app = new App();
  const sydney = new Stack(app, 'Sydney', { env: { account: ACCOUNT, region: 'ap-southeast-2' } });
  const vpc = new ec2.Vpc(sydney, 'HubVpc', {
    ipAddresses: ec2.IpAddresses.cidr('10.40.0.0/16'), availabilityZones: ['ap-southeast-2a', 'ap-southeast-2b'], natGateways: 0,
  });
  const endpoint = new PrivateLinkEndpoint(sydney, 'Endpoint', { vpc, serviceName: 'com.amazonaws.vpce.ap-southeast-2.vpce-svc-0123456789abcdef0' });
  const dns = new PrivateDnsOverride(sydney, 'Dns', { zoneName: ZONE, vpc, target: DnsTarget.fromEndpoint(endpoint) });
  return { app, sydney, vpc, endpoint, dns };
}

/** A spoke VPC of the network, imported in a stack of its own: no route table IDs unless given. */
function spoke(app: App, id: string, region = 'ap-southeast-2', routeTables = true, cidr = '10.50.0.0/16') {
  const stack = new Stack(app, id, { env: { account: ACCOUNT, region } });
  const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
    vpcId: 'vpc-0spoke00000000000',
    vpcCidrBlock: cidr,
    availabilityZones: [`${region}a`],
    privateSubnetIds: ['subnet-0spoke0000000000a'],
    privateSubnetRouteTableIds: routeTables ? ['rtb-0spoke0000000000a'] : undefined,
  });
  return { stack, vpc };
}

function join(options: Partial<TransitGatewaySpokeProps>, region?: string) {
  const h = hub();
  const s = spoke(h.app, 'Spoke', region, options.createRoutes !== false);
  const construct = new TransitGatewaySpoke(h.sydney, 'Spoke', {
    endpoint: h.endpoint, spokeVpc: s.vpc, transitGatewayId: TGW, dnsOverrides: [h.dns], probeHostname: ZONE, ...options,
  });
  return { ...h, spokeStack: s.stack, construct, hubTemplate: Template.fromStack(h.sydney), spokeTemplate: Template.fromStack(s.stack) };
}

const transitRoutes = (t: Template) => t.findResources('AWS::EC2::Route', { Properties: { TransitGatewayId: Match.anyValue() } });

describe('TransitGatewaySpoke with existing attachments', () => {
  test('both attachments existing and the routes already there: only the rule, the spoke\'s zone and its probe', () => {
    const { construct, hubTemplate, spokeTemplate } = join({
      hubAttachmentId: HUB_ATTACHMENT, spokeAttachmentId: SPOKE_ATTACHMENT, createRoutes: false,
    });
    for (const t of [hubTemplate, spokeTemplate]) {
      t.resourceCountIs('AWS::EC2::TransitGatewayAttachment', 0);
      expect(transitRoutes(t)).toEqual({});
    }
    expect([construct.hubAttachmentId, construct.spokeAttachmentId]).toEqual([HUB_ATTACHMENT, SPOKE_ATTACHMENT]);
    spokeTemplate.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { CidrIp: '10.50.0.0/16', FromPort: 443 });
    const zone = Object.values(spokeTemplate.findResources('AWS::Route53::HostedZone'));
    expect(zone).toHaveLength(1);
    expect(zone[0].Properties.VPCs).toEqual([{ VPCId: 'vpc-0spoke00000000000', VPCRegion: 'ap-southeast-2' }]);
    expect(zone[0].DependsOn).toEqual(Object.keys(spokeTemplate.findResources('AWS::EC2::SecurityGroupIngress')));
    const check = Object.values(spokeTemplate.findResources('Custom::PrivateLinkProbe'));
    expect(check).toHaveLength(1);
    expect(check[0].DependsOn).toEqual(expect.arrayContaining(Object.keys(spokeTemplate.findResources('AWS::Route53::RecordSet'))));
  });

  test('both attachments existing, routes made: routes through the transit gateway on both sides, depending on no attachment', () => {
    const { hubTemplate, spokeTemplate } = join({ hubAttachmentId: HUB_ATTACHMENT, spokeAttachmentId: SPOKE_ATTACHMENT });
    hubTemplate.resourceCountIs('AWS::EC2::TransitGatewayAttachment', 0);
    spokeTemplate.resourceCountIs('AWS::EC2::TransitGatewayAttachment', 0);
    spokeTemplate.hasResourceProperties('AWS::EC2::Route', { RouteTableId: 'rtb-0spoke0000000000a', DestinationCidrBlock: '10.40.0.0/16', TransitGatewayId: TGW });
    const hubRoutes = spokeTemplate.findResources('AWS::EC2::Route', { Properties: { DestinationCidrBlock: '10.50.0.0/16' } });
    expect(Object.keys(hubRoutes)).toHaveLength(4);
    for (const route of Object.values(transitRoutes(spokeTemplate))) expect(route.DependsOn).toBeUndefined();
  });

  test('only the hub\'s attachment existing: the spoke is attached in its stack, its routes after that attachment', () => {
    const { construct, hubTemplate, spokeTemplate } = join({ hubAttachmentId: HUB_ATTACHMENT });
    hubTemplate.resourceCountIs('AWS::EC2::TransitGatewayAttachment', 0);
    const attachments = Object.keys(spokeTemplate.findResources('AWS::EC2::TransitGatewayAttachment', {
      Properties: { VpcId: 'vpc-0spoke00000000000', TransitGatewayId: TGW, SubnetIds: ['subnet-0spoke0000000000a'] },
    }));
    expect(attachments).toHaveLength(1);
    expect(construct.hubAttachmentId).toBe(HUB_ATTACHMENT);
    const spokeRoutes = spokeTemplate.findResources('AWS::EC2::Route', { Properties: { DestinationCidrBlock: '10.40.0.0/16' } });
    expect(Object.values(spokeRoutes).map((r) => r.DependsOn)).toEqual([attachments]);
    const hubRoutes = spokeTemplate.findResources('AWS::EC2::Route', { Properties: { DestinationCidrBlock: '10.50.0.0/16' } });
    expect(Object.values(hubRoutes).every((r) => r.DependsOn === undefined)).toBe(true);
  });

  test('only the spoke\'s attachment existing: the hub is attached in its stack, which deploys before the hub routes', () => {
    const { construct, hubTemplate, spokeTemplate, sydney, spokeStack } = join({ spokeAttachmentId: SPOKE_ATTACHMENT });
    spokeTemplate.resourceCountIs('AWS::EC2::TransitGatewayAttachment', 0);
    hubTemplate.resourceCountIs('AWS::EC2::TransitGatewayAttachment', 1);
    expect(construct.spokeAttachmentId).toBe(SPOKE_ATTACHMENT);
    expect(spokeStack.dependencies).toContain(sydney);
    const hubRoutes = spokeTemplate.findResources('AWS::EC2::Route', { Properties: { DestinationCidrBlock: '10.50.0.0/16', TransitGatewayId: TGW } });
    expect(Object.keys(hubRoutes)).toHaveLength(4);
    const spokeRoutes = spokeTemplate.findResources('AWS::EC2::Route', { Properties: { DestinationCidrBlock: '10.40.0.0/16' } });
    expect(Object.values(spokeRoutes).map((r) => r.DependsOn)).toEqual([undefined]);
  });

  test('new attachments, routes already there: both attachments, no route', () => {
    const { hubTemplate, spokeTemplate } = join({ createRoutes: false });
    hubTemplate.resourceCountIs('AWS::EC2::TransitGatewayAttachment', 1);
    spokeTemplate.resourceCountIs('AWS::EC2::TransitGatewayAttachment', 1);
    expect(transitRoutes(spokeTemplate)).toEqual({});
    expect(transitRoutes(hubTemplate)).toEqual({});
  });

  test('several spokes give the same hub attachment; old 8-digit and deploy-time IDs are accepted', () => {
    const h = hub();
    const ids = ['tgw-attach-0123abcd', Fn.importValue('SpokeAttachment'), SPOKE_ATTACHMENT];
    ids.forEach((spokeAttachmentId, i) => {
      const s = spoke(h.app, `S${i}`, undefined, false, `10.${50 + i}.0.0/16`);
      new TransitGatewaySpoke(h.sydney, `S${i}`, {
        endpoint: h.endpoint, spokeVpc: s.vpc, transitGatewayId: TGW, hubAttachmentId: HUB_ATTACHMENT, spokeAttachmentId, createRoutes: false,
      });
    });
    expect(h.app.node.findAll().filter((c) => c instanceof ec2.CfnTransitGatewayAttachment)).toEqual([]);
  });

  test('a spoke in another region with its attachment and routes existing needs no `spokeTransitGatewayId`', () => {
    const { spokeTemplate, construct } = join({ spokeAttachmentId: SPOKE_ATTACHMENT, hubAttachmentId: HUB_ATTACHMENT, createRoutes: false }, 'ap-northeast-1');
    spokeTemplate.resourceCountIs('AWS::EC2::TransitGatewayAttachment', 0);
    expect(transitRoutes(spokeTemplate)).toEqual({});
    // The endpoint's rule in the group's hub-side stack (Sydney), the zone in its DNS stack (Tokyo).
    expect([construct.hubSideStack.stackName, construct.hubSideStack.region]).toEqual(['Sydney-Spoke-HubSide', 'ap-southeast-2']);
    expect([construct.dnsStack.stackName, construct.dnsStack.region]).toEqual(['Sydney-Spoke-SpokeDns', 'ap-northeast-1']);
    const hubSide = Template.fromStack(construct.hubSideStack);
    hubSide.resourceCountIs('AWS::EC2::TransitGatewayAttachment', 0);
    expect(transitRoutes(hubSide)).toEqual({});
    hubSide.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { CidrIp: '10.50.0.0/16', FromPort: 443 });
    const dns = Template.fromStack(construct.dnsStack);
    dns.resourceCountIs('AWS::Route53::HostedZone', 1);
    dns.hasResourceProperties('AWS::Route53::HostedZone', { VPCs: [{ VPCId: 'vpc-0spoke00000000000', VPCRegion: 'ap-northeast-1' }] });
    expect(construct.dnsStack.dependencies).toContain(construct.hubSideStack);
  });
});

describe('TransitGatewaySpoke refuses, with existing attachments', () => {
  function refuse(make: (h: ReturnType<typeof hub>) => void, message: string | RegExp) {
    const h = hub();
    expect(() => make(h)).toThrow(message);
    expect(h.sydney.node.tryFindChild('X')?.node.findAll().filter(CfnResource.isCfnResource) ?? []).toEqual([]);
    // No stack of a spoke group (Sydney-<spoke stack>-HubSide / -SpokeDns) was left behind.
    expect(h.app.node.children.filter((c) => c instanceof Stack && c.node.id.startsWith('Sydney-')).map((c) => c.node.id)).toEqual([]);
  }
  const x = (h: ReturnType<typeof hub>, options: Partial<TransitGatewaySpokeProps>, region?: string) =>
    new TransitGatewaySpoke(h.sydney, 'X', { endpoint: h.endpoint, spokeVpc: spoke(h.app, 'S', region).vpc, transitGatewayId: TGW, ...options });

  test.each([
    ['hubAttachmentId', 'tgw-0aaaaaaaaaaaaaaaa'],
    ['hubAttachmentId', 'tgw-attach-0aaaaaaaaaaaaaaa'],
    ['spokeAttachmentId', 'tgw-attach-0AAAAAAAAAAAAAAAA'],
    ['spokeAttachmentId', 'attach-0aaaaaaaaaaaaaaaa'],
  ])('a malformed %s: %s', (prop, value) => {
    refuse((h) => x(h, { [prop]: value }),
      `\`${prop}\` must be a transit gateway attachment ID such as "tgw-attach-0123456789abcdef0", got: "${value}"`);
  });

  test('subnets for an attachment that exists', () => {
    refuse((h) => x(h, { hubAttachmentId: HUB_ATTACHMENT, hubSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } }),
      '`hubSubnets` applies to a new attachment; the existing `hubAttachmentId` keeps its own subnets, got both');
    refuse((h) => x(h, { spokeAttachmentId: SPOKE_ATTACHMENT, spokeSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } }),
      '`spokeSubnets` applies to a new attachment; the existing `spokeAttachmentId` keeps its own subnets, got both');
  });

  test('spokes of one hub and transit gateway that disagree about the hub\'s attachment, in either order', () => {
    refuse((h) => {
      new TransitGatewaySpoke(h.sydney, 'First', { endpoint: h.endpoint, spokeVpc: spoke(h.app, 'F', undefined, true, '10.60.0.0/16').vpc, transitGatewayId: TGW });
      x(h, { hubAttachmentId: HUB_ATTACHMENT });
    }, '`hubAttachmentId` must be the same for every spoke of the hub VPC Sydney/HubVpc on transit gateway "tgw-0aaaaaaaaaaaaaaaa", ' +
      'as a VPC attaches to a transit gateway once: Sydney/First gave none (a new attachment), got: "tgw-attach-0aaaaaaaaaaaaaaaa"');
    refuse((h) => {
      new TransitGatewaySpoke(h.sydney, 'First', { endpoint: h.endpoint, spokeVpc: spoke(h.app, 'F', undefined, true, '10.60.0.0/16').vpc, transitGatewayId: TGW, hubAttachmentId: HUB_ATTACHMENT });
      x(h, {});
    }, /Sydney\/First gave "tgw-attach-0aaaaaaaaaaaaaaaa", got: undefined$/);
    refuse((h) => {
      new TransitGatewaySpoke(h.sydney, 'First', { endpoint: h.endpoint, spokeVpc: spoke(h.app, 'F', undefined, true, '10.60.0.0/16').vpc, transitGatewayId: TGW, hubAttachmentId: HUB_ATTACHMENT });
      x(h, { hubAttachmentId: 'tgw-attach-0cccccccccccccccc' });
    }, /Sydney\/First gave "tgw-attach-0aaaaaaaaaaaaaaaa", got: "tgw-attach-0cccccccccccccccc"$/);
  });

  test('a spoke in another region that makes its attachment or routes still needs its region\'s transit gateway', () => {
    refuse((h) => x(h, { spokeAttachmentId: SPOKE_ATTACHMENT }, 'ap-northeast-1'), /`spokeTransitGatewayId` is required for a spoke in another region/);
    refuse((h) => x(h, { createRoutes: false }, 'ap-northeast-1'), /`spokeTransitGatewayId` is required for a spoke in another region/);
  });

  test('routes need the route tables: a spoke imported without them is refused unless `createRoutes` is false', () => {
    refuse((h) => new TransitGatewaySpoke(h.sydney, 'X', {
      endpoint: h.endpoint, spokeVpc: spoke(h.app, 'S', undefined, false).vpc, transitGatewayId: TGW, hubAttachmentId: HUB_ATTACHMENT, spokeAttachmentId: SPOKE_ATTACHMENT,
    }), /^`spokeVpc` has no route table IDs/);
  });
});
