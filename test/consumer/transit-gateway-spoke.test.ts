import { App, CfnResource, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { AwsSolutionsChecks } from 'cdk-nag';
import { DnsTarget, PrivateDnsOverride, PrivateLinkEndpoint, SpokePeering, TransitGatewaySpoke } from '../../src';

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

function spokeStack(app: App, id: string, region: string, cidr: string) {
  const stack = new Stack(app, id, { env: { account: ACCOUNT, region } });
  const vpc = new ec2.Vpc(stack, 'Vpc', { ipAddresses: ec2.IpAddresses.cidr(cidr), availabilityZones: [`${region}a`, `${region}b`], natGateways: 0 });
  return { stack, vpc };
}

describe('TransitGatewaySpoke in the hub\'s region, with a new transit gateway', () => {
  const { app, sydney, endpoint, dns } = hub();
  const tgw = TransitGatewaySpoke.newTransitGateway(sydney, 'Tgw');
  const a = spokeStack(app, 'SpokeA', 'ap-southeast-2', '10.50.0.0/16');
  const b = spokeStack(app, 'SpokeB', 'ap-southeast-2', '10.51.0.0/16');
  const spokeA = new TransitGatewaySpoke(sydney, 'A', { endpoint, spokeVpc: a.vpc, transitGatewayId: tgw.ref, dnsOverrides: [dns], probeHostname: 'abc12345.live.dynatrace.com' });
  new TransitGatewaySpoke(sydney, 'B', { endpoint, spokeVpc: b.vpc, transitGatewayId: tgw.ref, dnsOverrides: [dns] });
  const hubTemplate = Template.fromStack(sydney);
  const aTemplate = Template.fromStack(a.stack);

  test('the new transit gateway associates and propagates every attachment to its default route table, accepting no shared attachment', () => {
    hubTemplate.hasResourceProperties('AWS::EC2::TransitGateway', {
      DefaultRouteTableAssociation: 'enable', DefaultRouteTablePropagation: 'enable', AutoAcceptSharedAttachments: 'disable', DnsSupport: 'enable',
    });
  });

  test('the hub VPC is attached once, whatever the number of spokes, in one private subnet per AZ', () => {
    const attachments = Object.values(hubTemplate.findResources('AWS::EC2::TransitGatewayAttachment'));
    expect(attachments).toHaveLength(1);
    expect(attachments[0].Properties.VpcId).toEqual({ Ref: expect.stringMatching(/^HubVpc/) });
    expect(attachments[0].Properties.SubnetIds).toEqual([
      { Ref: expect.stringMatching(/^HubVpcPrivateSubnet1/) }, { Ref: expect.stringMatching(/^HubVpcPrivateSubnet2/) },
    ]);
    expect(spokeA.hubAttachmentId).toBeDefined();
  });

  test('the spoke stack: its attachment, then routes to the hub through the transit gateway in every route table', () => {
    const attachment = Object.entries(aTemplate.findResources('AWS::EC2::TransitGatewayAttachment'));
    expect(attachment).toHaveLength(1);
    const routes = Object.values(aTemplate.findResources('AWS::EC2::Route', { Properties: { DestinationCidrBlock: '10.40.0.0/16' } }));
    expect(routes.length).toBe(Object.keys(aTemplate.findResources('AWS::EC2::RouteTable')).length);
    for (const route of routes) {
      expect(route.Properties.TransitGatewayId).toEqual({ 'Fn::ImportValue': expect.stringMatching(/Tgw/) });
      expect(route.DependsOn).toContain(attachment[0][0]);
    }
    aTemplate.resourceCountIs('AWS::EC2::VPCPeeringConnection', 0);
  });

  test('hub routes to the spoke in the spoke\'s stack (same region), 443 opened, then the spoke\'s zone and probe after every route', () => {
    const hubRoutes = Object.keys(aTemplate.findResources('AWS::EC2::Route', { Properties: { DestinationCidrBlock: '10.50.0.0/16' } }));
    expect(hubRoutes).toHaveLength(4);
    aTemplate.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      CidrIp: '10.50.0.0/16', FromPort: 443, Description: Match.stringLikeRegexp('from transit gateway VPC SpokeA/Vpc'),
    });
    const zone = Object.values(aTemplate.findResources('AWS::Route53::HostedZone'))[0];
    expect(zone.DependsOn).toEqual(expect.arrayContaining(hubRoutes));
    const check = Object.values(aTemplate.findResources('Custom::PrivateLinkProbe'))[0];
    expect(check.DependsOn).toEqual(expect.arrayContaining(Object.keys(aTemplate.findResources('AWS::Route53::RecordSet'))));
  });

  test('the hub stack does not grow per spoke beyond the one hub attachment', () => {
    hubTemplate.resourceCountIs('AWS::EC2::Route', Object.keys(hubTemplate.findResources('AWS::EC2::Route', { Properties: { GatewayId: Match.anyValue() } })).length
      + Object.keys(hubTemplate.findResources('AWS::EC2::Route', { Properties: { NatGatewayId: Match.anyValue() } })).length);
  });

  test('cdk-nag AwsSolutions: nothing in the spoke\'s resources', () => {
    const ours = new AwsSolutionsChecks().validateScope(app).violations
      .filter((v) => v.violatingResources.some((r) => /SpokeRoutes|Tgw/.test(r.constructPath ?? '')));
    expect(ours).toEqual([]);
  });
});

describe('TransitGatewaySpoke in another region', () => {
  test('attaches the spoke to its region\'s transit gateway; the hub side in a Sydney stack, the spoke\'s zone in a Tokyo stack after both', () => {
    const { app, sydney, endpoint, dns } = hub();
    const tokyo = spokeStack(app, 'Tokyo', 'ap-northeast-1', '10.41.0.0/16');
    const spoke = new TransitGatewaySpoke(sydney, 'Tokyo', {
      endpoint, spokeVpc: tokyo.vpc, transitGatewayId: 'tgw-0aaaaaaaaaaaaaaaa', spokeTransitGatewayId: 'tgw-0bbbbbbbbbbbbbbbb', dnsOverrides: [dns],
    });
    expect([spoke.hubSideStack.stackName, spoke.hubSideStack.region]).toEqual(['Sydney-Tokyo-HubSide', 'ap-southeast-2']);
    expect([spoke.dnsStack.stackName, spoke.dnsStack.region]).toEqual(['Sydney-Tokyo-SpokeDns', 'ap-northeast-1']);
    Template.fromStack(tokyo.stack).hasResourceProperties('AWS::EC2::TransitGatewayAttachment', { TransitGatewayId: 'tgw-0bbbbbbbbbbbbbbbb' });
    Template.fromStack(tokyo.stack).hasResourceProperties('AWS::EC2::Route', { DestinationCidrBlock: '10.40.0.0/16', TransitGatewayId: 'tgw-0bbbbbbbbbbbbbbbb' });
    const side = Template.fromStack(spoke.hubSideStack);
    side.hasResourceProperties('AWS::EC2::Route', { DestinationCidrBlock: '10.41.0.0/16', TransitGatewayId: 'tgw-0aaaaaaaaaaaaaaaa' });
    side.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { CidrIp: '10.41.0.0/16', FromPort: 443 });
    side.resourceCountIs('AWS::Route53::HostedZone', 0);
    // The hub side reads the hub's route tables weakly, from the hub's region.
    for (const route of Object.values(side.findResources('AWS::EC2::Route'))) {
      expect(route.Properties.RouteTableId['Fn::GetStackOutput']).toMatchObject({ StackName: 'Sydney', Region: 'ap-southeast-2' });
    }
    const zoneStack = Template.fromStack(spoke.dnsStack);
    zoneStack.hasResourceProperties('AWS::Route53::HostedZone', { VPCs: [Match.objectLike({ VPCRegion: 'ap-northeast-1' })] });
    Template.fromStack(sydney).hasResourceProperties('AWS::EC2::TransitGatewayAttachment', { TransitGatewayId: 'tgw-0aaaaaaaaaaaaaaaa' });
    app.synth(); // stack dependencies of references are added at synth
    expect(spoke.hubSideStack.dependencies.map((d) => d.stackName)).toEqual(['Sydney']);
    // The zone only after the hub side's routes and the spoke's own attachment and routes.
    expect(spoke.dnsStack.dependencies.map((d) => d.stackName).sort()).toEqual(['Sydney', 'Sydney-Tokyo-HubSide', 'Tokyo']);
  });

  test('spokes through a transit gateway do not count against the 125 peerings', () => {
    const { app, sydney, endpoint } = hub();
    for (let i = 0; i < 3; i++) {
      const s = spokeStack(app, `T${i}`, 'ap-southeast-2', `10.${60 + i}.0.0/16`);
      new TransitGatewaySpoke(sydney, `T${i}`, { endpoint, spokeVpc: s.vpc, transitGatewayId: 'tgw-0aaaaaaaaaaaaaaaa' });
    }
    const p = spokeStack(app, 'P', 'ap-southeast-2', '10.70.0.0/16');
    const peering = new SpokePeering(sydney, 'P', { endpoint, spokeVpc: p.vpc });
    expect(peering.node.metadata.filter((m) => m.type === 'aws:cdk:warning')).toEqual([]);
  });
});

describe('TransitGatewaySpoke refuses', () => {
  function refuse(make: (s: ReturnType<typeof hub>) => void, message: string | RegExp) {
    const h = hub();
    expect(() => make(h)).toThrow(message);
    const leftovers = h.sydney.node.tryFindChild('X')?.node.findAll().filter(CfnResource.isCfnResource) ?? [];
    expect(leftovers).toHaveLength(0);
    // No stack of a spoke group (Sydney-<spoke stack>-HubSide / -SpokeDns) was left behind.
    expect(h.app.node.children.filter((c) => c instanceof Stack && c.node.id.startsWith('Sydney-')).map((c) => c.node.id)).toEqual([]);
  }

  test('a malformed transit gateway ID', () => {
    refuse(({ app, sydney, endpoint }) => {
      new TransitGatewaySpoke(sydney, 'X', { endpoint, spokeVpc: spokeStack(app, 'S', 'ap-southeast-2', '10.50.0.0/16').vpc, transitGatewayId: 'tgw-xyz' });
    }, '`transitGatewayId` must be a transit gateway ID such as "tgw-0123456789abcdef0", got: "tgw-xyz"');
  });

  test('a spoke in another region without its region\'s transit gateway', () => {
    refuse(({ app, sydney, endpoint }) => {
      new TransitGatewaySpoke(sydney, 'X', { endpoint, spokeVpc: spokeStack(app, 'S', 'ap-northeast-1', '10.50.0.0/16').vpc, transitGatewayId: 'tgw-0aaaaaaaaaaaaaaaa' });
    }, /`spokeTransitGatewayId` is required for a spoke in another region \(ap-northeast-1, the hub is in ap-southeast-2\): a VPC attaches to a transit gateway of its own region/);
  });

  test('a spoke transit gateway for a spoke in the hub\'s region', () => {
    refuse(({ app, sydney, endpoint }) => {
      new TransitGatewaySpoke(sydney, 'X', {
        endpoint,
        spokeVpc: spokeStack(app, 'S', 'ap-southeast-2', '10.50.0.0/16').vpc,
        transitGatewayId: 'tgw-0aaaaaaaaaaaaaaaa',
        spokeTransitGatewayId: 'tgw-0bbbbbbbbbbbbbbbb',
      });
    }, /`spokeTransitGatewayId` applies to a spoke in another region/);
  });

  test('public subnets for an attachment', () => {
    refuse(({ app, sydney, endpoint }) => {
      new TransitGatewaySpoke(sydney, 'X', {
        endpoint,
        spokeVpc: spokeStack(app, 'S', 'ap-southeast-2', '10.50.0.0/16').vpc,
        transitGatewayId: 'tgw-0aaaaaaaaaaaaaaaa',
        hubSubnets: { subnetType: ec2.SubnetType.PUBLIC },
      });
    }, /`hubSubnets` must select private subnets: a transit gateway attachment needs no public address/);
  });

  test('a spoke that overlaps the hub', () => {
    refuse(({ app, sydney, endpoint }) => {
      new TransitGatewaySpoke(sydney, 'X', { endpoint, spokeVpc: spokeStack(app, 'S', 'ap-southeast-2', '10.40.0.0/20').vpc, transitGatewayId: 'tgw-0aaaaaaaaaaaaaaaa' });
    }, /overlaps the hub VPC's 10.40.0.0\/16/);
  });
});
