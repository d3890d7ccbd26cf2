/*
 * What the issues ask the example templates to show, asserted on the examples themselves.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { loadExample } from './support/templates';

function stacks(name: string): Record<string, Template> {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), `contents-${name}-`));
  const assembly = loadExample(name)({ outdir }).synth();
  return Object.fromEntries(assembly.stacks.map((s) => [s.stackName, Template.fromJSON(s.template as any)]));
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

test('consumer-peering: the Tokyo stack requests the peering with its routes; the Sydney hub side adds routes, 443 and Tokyo\'s zone', () => {
  const { PrivateLinkSydney: sydney, PrivateLinkTokyo: tokyo, 'PrivateLinkSydney-Tokyo': side } = stacks('consumer-peering');
  tokyo.hasResourceProperties('AWS::EC2::VPCPeeringConnection', { PeerRegion: 'ap-southeast-2', VpcId: 'vpc-0a1b2c3d4e5f60718' });
  expect(Object.keys(tokyo.findResources('AWS::EC2::Route', { Properties: { DestinationCidrBlock: '10.40.0.0/16' } }))).toHaveLength(2);
  expect(Object.keys(side.findResources('AWS::EC2::Route', { Properties: { DestinationCidrBlock: '10.41.0.0/16' } }))).toHaveLength(2);
  side.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { CidrIp: '10.41.0.0/16', FromPort: 443, ToPort: 443 });
  side.hasResourceProperties('AWS::Route53::HostedZone', { VPCs: [{ VPCId: Match.anyValue(), VPCRegion: 'ap-northeast-1' }] });
  sydney.resourceCountIs('AWS::EC2::VPCPeeringConnection', 0);
});

test('dynatrace-sydney-tokyo: the Dynatrace flow in Sydney, the imported Tokyo VPC joined through its own stack and a hub-side stack', () => {
  const { DynatraceSydney: sydney, DynatraceTokyo: tokyo, 'DynatraceSydney-Dynatrace-Tokyo': side } = stacks('dynatrace-sydney-tokyo');
  sydney.resourceCountIs('Custom::DynatracePrivateLink', 2);
  sydney.hasResourceProperties('AWS::Route53::HostedZone', { Name: 'abc12345.live.dynatrace.com.', VPCs: [Match.objectLike({ VPCRegion: 'ap-southeast-2' })] });
  tokyo.hasResourceProperties('AWS::EC2::VPCPeeringConnection', { PeerRegion: 'ap-southeast-2', VpcId: 'vpc-0f1e2d3c4b5a69788' });
  expect(Object.keys(tokyo.findResources('AWS::EC2::Route'))).toHaveLength(2);
  side.hasResourceProperties('AWS::Route53::HostedZone', { Name: 'abc12345.live.dynatrace.com.', VPCs: [{ VPCId: Match.anyValue(), VPCRegion: 'ap-northeast-1' }] });
});

test('dynatrace-hub-and-spokes: every VPC created in the app; per spoke, hub side and probe stacks after the spoke', () => {
  const all = stacks('dynatrace-hub-and-spokes');
  expect(Object.keys(all).sort()).toEqual([
    'DynatraceHub', 'DynatraceHub-Dynatrace-Singapore', 'DynatraceHub-Dynatrace-Singapore-Probe',
    'DynatraceHub-Dynatrace-Tokyo', 'DynatraceHub-Dynatrace-Tokyo-Probe', 'DynatraceSingapore', 'DynatraceTokyo',
  ]);
  for (const spoke of ['Tokyo', 'Singapore']) {
    all[`Dynatrace${spoke}`].resourceCountIs('AWS::EC2::VPC', 1);
    all[`Dynatrace${spoke}`].resourceCountIs('AWS::EC2::VPCPeeringConnection', 1);
    all[`DynatraceHub-Dynatrace-${spoke}`].resourceCountIs('AWS::Route53::HostedZone', 1);
    all[`DynatraceHub-Dynatrace-${spoke}-Probe`].resourceCountIs('Custom::PrivateLinkProbe', 1);
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
