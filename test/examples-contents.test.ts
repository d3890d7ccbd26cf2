/*
 * What the issues ask the example templates to show, asserted on the examples themselves.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { loadExample } from './support/templates';

function synth(name: string) {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), `contents-${name}-`));
  return loadExample(name)({ outdir }).synth();
}

function stacks(name: string): Record<string, Template> {
  return Object.fromEntries(synth(name).stacks.map((s) => [s.stackName, Template.fromJSON(s.template as any)]));
}

/** The stacks each stack of an example deploys after (its stack dependencies), by stack name. */
function dependencies(name: string): Record<string, string[]> {
  return Object.fromEntries(synth(name).stacks.map((s) => [s.stackName, s.dependencies.map((d) => d.id).filter((id) => !id.endsWith('.assets')).sort()]));
}

/**
 * A group's SpokeDns stack: the spoke's zone for `zoneName` in its region, and the probe's
 * deploy-time gate after every zone and record of the stack.
 */
function expectSpokeDns(dns: Template, zoneName: string, region: string): void {
  dns.resourceCountIs('AWS::Route53::HostedZone', 1);
  dns.hasResourceProperties('AWS::Route53::HostedZone', { Name: zoneName, VPCs: [{ VPCId: Match.anyValue(), VPCRegion: region }] });
  const gates = Object.values(dns.findResources('Custom::PrivateLinkProbe')) as any[];
  expect(gates).toHaveLength(1);
  const dnsIds = Object.keys({ ...dns.findResources('AWS::Route53::HostedZone'), ...dns.findResources('AWS::Route53::RecordSet') });
  expect(dnsIds.length).toBeGreaterThanOrEqual(2);
  expect(gates[0].DependsOn).toEqual(expect.arrayContaining(dnsIds));
}

test('provider-service: internal NLB, both attributes false, acceptance, the principal and the service name output', () => {
  const t = stacks('provider-service').ProviderService;
  t.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { Scheme: 'internal', Type: 'network' });
  const groups = Object.values(t.findResources('AWS::ElasticLoadBalancingV2::TargetGroup'));
  expect(groups.map((g: any) => g.Properties.Port).sort()).toEqual([22, 5432]);
  for (const g of groups as any[]) {
    expect(g.Properties.TargetGroupAttributes).toEqual(expect.arrayContaining([
      { Key: 'proxy_protocol_v2.enabled', Value: 'false' }, { Key: 'preserve_client_ip.enabled', Value: 'false' },
    ]));
  }
  t.hasResourceProperties('AWS::EC2::VPCEndpointService', { AcceptanceRequired: true });
  t.hasResourceProperties('AWS::EC2::VPCEndpointServicePermissions', { AllowedPrincipals: ['arn:aws:iam::123456789012:root'] });
  const outputs = Object.values(t.findOutputs('*'));
  expect(outputs.some((o: any) => JSON.stringify(o.Value).includes('com.amazonaws.vpce'))).toBe(true);
});

test('consumer-peering: the Tokyo stack requests the peering with its routes; the group\'s Sydney HubSide stack adds routes and 443, its Tokyo SpokeDns stack Tokyo\'s zone', () => {
  const {
    PrivateLinkSydney: sydney, PrivateLinkTokyo: tokyo,
    'PrivateLinkSydney-PrivateLinkTokyo-HubSide': side, 'PrivateLinkSydney-PrivateLinkTokyo-SpokeDns': dns,
  } = stacks('consumer-peering');
  tokyo.hasResourceProperties('AWS::EC2::VPCPeeringConnection', { PeerRegion: 'ap-southeast-2', VpcId: 'vpc-0a1b2c3d4e5f60718' });
  expect(Object.keys(tokyo.findResources('AWS::EC2::Route', { Properties: { DestinationCidrBlock: '10.40.0.0/16' } }))).toHaveLength(2);
  expect(Object.keys(side.findResources('AWS::EC2::Route', { Properties: { DestinationCidrBlock: '10.41.0.0/16' } }))).toHaveLength(2);
  side.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { CidrIp: '10.41.0.0/16', FromPort: 443, ToPort: 443 });
  side.resourceCountIs('AWS::Route53::HostedZone', 0);
  dns.hasResourceProperties('AWS::Route53::HostedZone', { VPCs: [{ VPCId: Match.anyValue(), VPCRegion: 'ap-northeast-1' }] });
  sydney.resourceCountIs('AWS::EC2::VPCPeeringConnection', 0);
  expect(dependencies('consumer-peering')['PrivateLinkSydney-PrivateLinkTokyo-SpokeDns']).toContain('PrivateLinkSydney-PrivateLinkTokyo-HubSide');
});

test('dynatrace-sydney-tokyo: the Dynatrace flow in Sydney, the imported Tokyo VPC joined through its own stack and the group\'s HubSide and SpokeDns stacks', () => {
  const {
    DynatraceSydney: sydney, DynatraceTokyo: tokyo,
    'DynatraceSydney-DynatraceTokyo-HubSide': side, 'DynatraceSydney-DynatraceTokyo-SpokeDns': dns,
  } = stacks('dynatrace-sydney-tokyo');
  sydney.resourceCountIs('Custom::DynatracePrivateLink', 2);
  sydney.hasResourceProperties('AWS::Route53::HostedZone', { Name: 'abc12345.live.dynatrace.com.', VPCs: [Match.objectLike({ VPCRegion: 'ap-southeast-2' })] });
  tokyo.hasResourceProperties('AWS::EC2::VPCPeeringConnection', { PeerRegion: 'ap-southeast-2', VpcId: 'vpc-0f1e2d3c4b5a69788' });
  expect(Object.keys(tokyo.findResources('AWS::EC2::Route'))).toHaveLength(2);
  // one route per Sydney subnet's route table (three AZs)
  expect(Object.keys(side.findResources('AWS::EC2::Route', { Properties: { DestinationCidrBlock: '10.71.0.0/16' } }))).toHaveLength(3);
  side.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { CidrIp: '10.71.0.0/16', FromPort: 443, ToPort: 443 });
  side.resourceCountIs('AWS::Route53::HostedZone', 0);
  expectSpokeDns(dns, 'abc12345.live.dynatrace.com.', 'ap-northeast-1');
  expect(dependencies('dynatrace-sydney-tokyo')['DynatraceSydney-DynatraceTokyo-SpokeDns']).toContain('DynatraceSydney-DynatraceTokyo-HubSide');
});

test('dynatrace-hub-and-spokes: every VPC created in the app; per spoke stack, a HubSide stack in Sydney and a SpokeDns stack after it', () => {
  const all = stacks('dynatrace-hub-and-spokes');
  expect(Object.keys(all).sort()).toEqual([
    'DynatraceHub', 'DynatraceHub-DynatraceSingapore-HubSide', 'DynatraceHub-DynatraceSingapore-SpokeDns',
    'DynatraceHub-DynatraceTokyo-HubSide', 'DynatraceHub-DynatraceTokyo-SpokeDns', 'DynatraceSingapore', 'DynatraceTokyo',
  ]);
  const after = dependencies('dynatrace-hub-and-spokes');
  for (const [spoke, region, cidr] of [['Tokyo', 'ap-northeast-1', '10.71.0.0/16'], ['Singapore', 'ap-southeast-1', '10.72.0.0/16']]) {
    const side = all[`DynatraceHub-Dynatrace${spoke}-HubSide`];
    const dns = all[`DynatraceHub-Dynatrace${spoke}-SpokeDns`];
    all[`Dynatrace${spoke}`].resourceCountIs('AWS::EC2::VPC', 1);
    all[`Dynatrace${spoke}`].resourceCountIs('AWS::EC2::VPCPeeringConnection', 1);
    expect(Object.keys(side.findResources('AWS::EC2::Route', { Properties: { DestinationCidrBlock: cidr } }))).toHaveLength(2);
    side.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { CidrIp: cidr, FromPort: 443, ToPort: 443 });
    side.resourceCountIs('AWS::Route53::HostedZone', 0);
    side.resourceCountIs('Custom::PrivateLinkProbe', 0);
    expectSpokeDns(dns, 'abc12345.live.dynatrace.com.', region);
    expect(after[`DynatraceHub-Dynatrace${spoke}-HubSide`]).toEqual(expect.arrayContaining(['DynatraceHub', `Dynatrace${spoke}`]));
    expect(after[`DynatraceHub-Dynatrace${spoke}-SpokeDns`]).toContain(`DynatraceHub-Dynatrace${spoke}-HubSide`);
  }
  all.DynatraceHub.resourceCountIs('Custom::PrivateLinkProbe', 1);
  all.DynatraceHub.resourceCountIs('AWS::EC2::VPCPeeringConnection', 0);
});

test('consumer-cross-region: a native cross-region endpoint', () => {
  stacks('consumer-cross-region').ConsumerCrossRegion.hasResourceProperties('AWS::EC2::VPCEndpoint', { ServiceRegion: 'ap-southeast-2' });
});

test('every custom resource in every example template sets ServiceTimeout, no longer than an hour, and longer than its handler\'s timeout', () => {
  const names = fs.readdirSync(path.join(__dirname, '..', 'examples'), { withFileTypes: true })
    .filter((e) => e.isDirectory() && fs.existsSync(path.join(__dirname, '..', 'examples', e.name, 'main.ts'))).map((e) => e.name);
  let checked = 0;
  for (const name of names) {
    for (const [stackName, template] of Object.entries(stacks(name))) {
      const resources = (template.toJSON().Resources ?? {}) as Record<string, any>;
      for (const [id, r] of Object.entries(resources)) {
        if (!(r.Type.startsWith('Custom::') || r.Type === 'AWS::CloudFormation::CustomResource')) continue;
        const timeout = Number(r.Properties.ServiceTimeout);
        expect([`${name}/${stackName}/${id}`, timeout > 0 && timeout <= 3600]).toEqual([`${name}/${stackName}/${id}`, true]);
        const handlerId = r.Properties.ServiceToken?.['Fn::GetAtt']?.[0];
        const handler = handlerId ? resources[handlerId] : undefined;
        if (handler?.Type === 'AWS::Lambda::Function') expect(timeout).toBeGreaterThan(handler.Properties.Timeout);
        checked++;
      }
    }
  }
  expect(checked).toBeGreaterThanOrEqual(10);
});
