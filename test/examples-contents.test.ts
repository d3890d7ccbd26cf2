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

test('consumer-peering: PeerRegion, routes in both regions, 443 from the Tokyo CIDR, zone associated with the Tokyo VPC in its region', () => {
  const { PrivateLinkSydney: sydney, PrivateLinkTokyo: tokyo } = stacks('consumer-peering');
  sydney.hasResourceProperties('AWS::EC2::VPCPeeringConnection', { PeerRegion: 'ap-northeast-1', PeerVpcId: 'vpc-0a1b2c3d4e5f60718' });
  expect(Object.keys(sydney.findResources('AWS::EC2::Route', { Properties: { DestinationCidrBlock: '10.41.0.0/16' } }))).toHaveLength(2);
  expect(Object.keys(tokyo.findResources('AWS::EC2::Route', { Properties: { DestinationCidrBlock: '10.40.0.0/16' } }))).toHaveLength(2);
  sydney.hasResourceProperties('AWS::EC2::SecurityGroup', {
    SecurityGroupIngress: Match.arrayWith([Match.objectLike({ CidrIp: '10.41.0.0/16', FromPort: 443, ToPort: 443 })]),
  });
  sydney.hasResourceProperties('AWS::Route53::HostedZone', {
    VPCs: Match.arrayWith([{ VPCId: 'vpc-0a1b2c3d4e5f60718', VPCRegion: 'ap-northeast-1' }]),
  });
});

test('dynatrace-sydney-tokyo: the Dynatrace flow in Sydney and the Tokyo VPC joined', () => {
  const { DynatraceSydney: sydney, DynatraceTokyo: tokyo } = stacks('dynatrace-sydney-tokyo');
  sydney.resourceCountIs('Custom::DynatracePrivateLink', 2);
  sydney.hasResourceProperties('AWS::Route53::HostedZone', {
    Name: 'abc12345.live.dynatrace.com.',
    VPCs: Match.arrayWith([{ VPCId: 'vpc-0f1e2d3c4b5a69788', VPCRegion: 'ap-northeast-1' }]),
  });
  sydney.hasResourceProperties('AWS::EC2::VPCPeeringConnection', { PeerRegion: 'ap-northeast-1' });
  expect(Object.keys(tokyo.findResources('AWS::EC2::Route'))).toHaveLength(2);
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
