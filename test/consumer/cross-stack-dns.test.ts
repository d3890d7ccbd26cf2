/*
 * The endpoint's DNS name and hosted zone ID reach a zone in another stack as two plain strings,
 * under either reference strength: never the endpoint's DnsEntries list, joined on one side and
 * split on the other.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { DnsTarget, PrivateDnsOverride, PrivateLinkEndpoint, SpokePeering } from '../../src';

const ACCOUNT = '111111111111';
const SERVICE = 'com.amazonaws.vpce.ap-southeast-2.vpce-svc-0123456789abcdef0';

function hub(strength?: string) {
  const app = new App({ context: strength ? { '@aws-cdk/core:defaultCrossStackReferences': strength } : {} });
  const hubStack = new Stack(app, 'Hub', { env: { account: ACCOUNT, region: 'ap-southeast-2' } });
  const vpc = new ec2.Vpc(hubStack, 'Vpc', { ipAddresses: ec2.IpAddresses.cidr('10.40.0.0/16'), availabilityZones: ['ap-southeast-2a', 'ap-southeast-2b'], natGateways: 0 });
  const endpoint = new PrivateLinkEndpoint(hubStack, 'Endpoint', { vpc, serviceName: SERVICE });
  const dns = new PrivateDnsOverride(hubStack, 'Dns', { zoneName: 'abc12345.live.dynatrace.com', vpc, target: DnsTarget.fromEndpoint(endpoint) });
  return { app, hubStack, vpc, endpoint, dns };
}

function spoke(app: App, region: string) {
  const stack = new Stack(app, 'Spoke', { env: { account: ACCOUNT, region } });
  const vpc = new ec2.Vpc(stack, 'Vpc', { ipAddresses: ec2.IpAddresses.cidr('10.41.0.0/16'), maxAzs: 2, natGateways: 0 });
  return { stack, vpc };
}

/** The published SSM parameters of the endpoint, by logical ID. */
function parameters(stack: Stack): Record<string, any> {
  return Template.fromStack(stack).findResources('AWS::SSM::Parameter');
}

function aliasOf(stack: Stack): any {
  const records = Object.values(Template.fromStack(stack).findResources('AWS::Route53::RecordSet'));
  expect(records).toHaveLength(1);
  return records[0].Properties.AliasTarget;
}

test('a zone in the endpoint\'s own stack reads DnsEntries there, and nothing is published', () => {
  const { hubStack } = hub();
  expect(parameters(hubStack)).toEqual({});
  expect(JSON.stringify(aliasOf(hubStack))).toContain('DnsEntries');
});

test.each(['strong', 'weak'])('a spoke in the same region, another stack, %s references: an alias to two plain strings', (strength) => {
  const { app, hubStack, endpoint, dns } = hub(strength);
  const { stack, vpc } = spoke(app, 'ap-southeast-2');
  new SpokePeering(hubStack, 'Spoke', { endpoint, spokeVpc: vpc, dnsOverrides: [dns] });
  const published = parameters(hubStack);
  expect(Object.values(published).map((p) => p.Properties.Value)).toEqual([
    { 'Fn::Select': [1, { 'Fn::Split': [':', { 'Fn::Select': [0, { 'Fn::GetAtt': [expect.stringMatching(/^Endpoint/), 'DnsEntries'] }] }] }] },
    { 'Fn::Select': [0, { 'Fn::Split': [':', { 'Fn::Select': [0, { 'Fn::GetAtt': [expect.stringMatching(/^Endpoint/), 'DnsEntries'] }] }] }] },
  ]);
  const alias = aliasOf(stack);
  const reader = strength === 'strong' ? 'Fn::ImportValue' : 'Fn::GetStackOutput';
  expect(Object.keys(alias.DNSName)).toEqual([reader]);
  expect(Object.keys(alias.HostedZoneId)).toEqual([reader]);
  expect(JSON.stringify(alias)).not.toContain('Fn::Split');
});

test('a spoke in another region (weak references): the hub-side stack reads the two strings, unsplit', () => {
  const { app, hubStack, endpoint, dns } = hub('weak');
  const { vpc } = spoke(app, 'ap-northeast-1');
  const peering = new SpokePeering(hubStack, 'Tokyo', { endpoint, spokeVpc: vpc, dnsOverrides: [dns] });
  const alias = aliasOf(peering.hubSideStack);
  expect(alias.DNSName['Fn::GetStackOutput']).toMatchObject({ StackName: 'Hub', Region: 'ap-southeast-2' });
  expect(JSON.stringify(alias)).not.toContain('Fn::Split');
  expect(Object.keys(parameters(hubStack))).toHaveLength(2);
});

test('two spokes of one endpoint share its two published parameters', () => {
  const { app, hubStack, endpoint, dns } = hub('weak');
  new SpokePeering(hubStack, 'Tokyo', { endpoint, spokeVpc: spoke(app, 'ap-northeast-1').vpc, dnsOverrides: [dns] });
  const singapore = new Stack(app, 'Singapore', { env: { account: ACCOUNT, region: 'ap-southeast-1' } });
  const vpc = new ec2.Vpc(singapore, 'Vpc', { ipAddresses: ec2.IpAddresses.cidr('10.42.0.0/16'), maxAzs: 2, natGateways: 0 });
  new SpokePeering(hubStack, 'Singapore', { endpoint, spokeVpc: vpc, dnsOverrides: [dns] });
  expect(Object.keys(parameters(hubStack))).toHaveLength(2);
});

test('an imported endpoint\'s strings are used as given, in any stack', () => {
  const app = new App();
  const other = new Stack(app, 'Other', { env: { account: ACCOUNT, region: 'ap-southeast-2' } });
  const vpc = ec2.Vpc.fromVpcAttributes(other, 'Vpc', { vpcId: 'vpc-0123456789abcdef0', availabilityZones: ['ap-southeast-2a'], privateSubnetIds: ['subnet-0123456789abcdef0'] });
  const endpoint = PrivateLinkEndpoint.fromPrivateLinkEndpointAttributes(new Stack(app, 'Elsewhere'), 'Endpoint', {
    vpcEndpointId: 'vpce-0123456789abcdef0', regionalDnsName: 'vpce-0123.vpce-svc-0123.ap-southeast-2.vpce.amazonaws.com', regionalHostedZoneId: 'Z2XHWR1WZ565X2', vpc, securityGroups: [],
  });
  new PrivateDnsOverride(other, 'Dns', { zoneName: 'abc12345.live.dynatrace.com', vpc, target: DnsTarget.fromEndpoint(endpoint) });
  expect(aliasOf(other)).toEqual({ DNSName: 'vpce-0123.vpce-svc-0123.ap-southeast-2.vpce.amazonaws.com', HostedZoneId: 'Z2XHWR1WZ565X2', EvaluateTargetHealth: false });
});
