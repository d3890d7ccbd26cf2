/*
 * The endpoint's DNS name and hosted zone ID reach a zone in another stack as two plain strings,
 * always read weakly (Fn::GetStackOutput, whatever the app's default reference strength): never
 * the endpoint's DnsEntries list, joined on one side and split on the other, and never an export
 * that would block replacing the endpoint. Each such record follows the endpoint's definition
 * (a fingerprint in its Metadata), so that it is updated when the endpoint is replaced.
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

function recordOf(stack: Stack): any {
  const records = Object.values(Template.fromStack(stack).findResources('AWS::Route53::RecordSet'));
  expect(records).toHaveLength(1);
  return records[0];
}

function aliasOf(stack: Stack): any {
  return recordOf(stack).Properties.AliasTarget;
}

const FOLLOWS = 'cdk-saas-privatelink:follows';

test('a zone in the endpoint\'s own stack reads DnsEntries there, and nothing is published', () => {
  const { hubStack } = hub();
  expect(parameters(hubStack)).toEqual({});
  expect(JSON.stringify(aliasOf(hubStack))).toContain('DnsEntries');
});

test.each(['strong', 'weak'])('a spoke in the same region, another stack, %s references by default: an alias to two plain strings, read weakly', (strength) => {
  const { app, hubStack, endpoint, dns } = hub(strength);
  const { stack, vpc } = spoke(app, 'ap-southeast-2');
  new SpokePeering(hubStack, 'Spoke', { endpoint, spokeVpc: vpc, dnsOverrides: [dns] });
  const published = parameters(hubStack);
  expect(Object.values(published).map((p) => p.Properties.Value)).toEqual([
    { 'Fn::Select': [1, { 'Fn::Split': [':', { 'Fn::Select': [0, { 'Fn::GetAtt': [expect.stringMatching(/^Endpoint/), 'DnsEntries'] }] }] }] },
    { 'Fn::Select': [0, { 'Fn::Split': [':', { 'Fn::Select': [0, { 'Fn::GetAtt': [expect.stringMatching(/^Endpoint/), 'DnsEntries'] }] }] }] },
  ]);
  const alias = aliasOf(stack);
  // Weak under either default: an export would block replacing the hub's endpoint.
  expect(Object.keys(alias.DNSName)).toEqual(['Fn::GetStackOutput']);
  expect(Object.keys(alias.HostedZoneId)).toEqual(['Fn::GetStackOutput']);
  // The hub stack (in its own region, the spoke's), one of its outputs each.
  expect(alias.DNSName['Fn::GetStackOutput']).toEqual({ StackName: 'Hub', Region: 'ap-southeast-2', OutputName: expect.any(String) });
  expect(alias.HostedZoneId['Fn::GetStackOutput']).toEqual({ StackName: 'Hub', Region: 'ap-southeast-2', OutputName: expect.any(String) });
  expect(alias.DNSName['Fn::GetStackOutput'].OutputName).not.toEqual(alias.HostedZoneId['Fn::GetStackOutput'].OutputName);
  expect(JSON.stringify(alias)).not.toContain('Fn::Split');
  // The hub's outputs the alias reads are plain outputs, not exports.
  const outputs = Template.fromStack(hubStack).toJSON().Outputs ?? {};
  for (const read of [alias.DNSName, alias.HostedZoneId]) {
    const output = outputs[read['Fn::GetStackOutput'].OutputName];
    expect(output).toBeDefined();
    expect(output.Export).toBeUndefined();
  }
});

test.each(['strong', 'weak'])('a spoke in another region (%s references by default): the spoke\'s DNS stack reads the two strings from the hub\'s region, unsplit', (strength) => {
  const { app, hubStack, endpoint, dns } = hub(strength);
  const { vpc } = spoke(app, 'ap-northeast-1');
  const peering = new SpokePeering(hubStack, 'Tokyo', { endpoint, spokeVpc: vpc, dnsOverrides: [dns] });
  // The zone is in the spoke's region, in the group's DNS stack; none in the hub-side stack.
  expect(peering.dnsStack.region).toBe('ap-northeast-1');
  expect(Template.fromStack(peering.hubSideStack).findResources('AWS::Route53::RecordSet')).toEqual({});
  const alias = aliasOf(peering.dnsStack);
  expect(alias.DNSName['Fn::GetStackOutput']).toMatchObject({ StackName: 'Hub', Region: 'ap-southeast-2' });
  expect(alias.HostedZoneId['Fn::GetStackOutput']).toMatchObject({ StackName: 'Hub', Region: 'ap-southeast-2' });
  expect(JSON.stringify(alias)).not.toContain('Fn::Split');
  expect(Object.keys(parameters(hubStack))).toHaveLength(2);
});

describe('a record of a zone in another stack than its endpoint follows the endpoint\'s definition', () => {
  function fingerprintOf(serviceName: string, region = 'ap-northeast-1'): { path: string; fingerprint: string } {
    const app = new App();
    const hubStack = new Stack(app, 'Hub', { env: { account: ACCOUNT, region: 'ap-southeast-2' } });
    const vpc = new ec2.Vpc(hubStack, 'Vpc', { ipAddresses: ec2.IpAddresses.cidr('10.40.0.0/16'), availabilityZones: ['ap-southeast-2a', 'ap-southeast-2b'], natGateways: 0 });
    const endpoint = new PrivateLinkEndpoint(hubStack, 'Endpoint', { vpc, serviceName });
    const dns = new PrivateDnsOverride(hubStack, 'Dns', { zoneName: 'abc12345.live.dynatrace.com', vpc, target: DnsTarget.fromEndpoint(endpoint) });
    const peering = new SpokePeering(hubStack, 'Spoke', { endpoint, spokeVpc: spoke(app, region).vpc, dnsOverrides: [dns] });
    const follows = recordOf(peering.dnsStack).Metadata?.[FOLLOWS];
    expect(follows).toBeDefined();
    const entries = Object.entries(follows as Record<string, string>);
    expect(entries).toHaveLength(1);
    return { path: entries[0][0], fingerprint: entries[0][1] };
  }
  const OTHER_SERVICE = 'com.amazonaws.vpce.ap-southeast-2.vpce-svc-0fedcba9876543210';

  test.each(['ap-northeast-1', 'ap-southeast-2'])('spoke in %s: the record names the endpoint\'s CfnVPCEndpoint and a 16-hex fingerprint that changes with the endpoint', (region) => {
    const first = fingerprintOf(SERVICE, region);
    expect(first.path).toBe('Hub/Endpoint/Resource');
    expect(first.fingerprint).toMatch(/^[0-9a-f]{16}$/);
    // Deterministic: the same app gives the same fingerprint, so an unchanged hub changes no spoke.
    expect(fingerprintOf(SERVICE, region)).toEqual(first);
    // Another service name replaces the endpoint: the fingerprint, so the record, changes.
    const other = fingerprintOf(OTHER_SERVICE, region);
    expect(other.path).toBe(first.path);
    expect(other.fingerprint).toMatch(/^[0-9a-f]{16}$/);
    expect(other.fingerprint).not.toBe(first.fingerprint);
  });

  test('the hub\'s own zone, in the endpoint\'s stack, follows nothing', () => {
    const { hubStack } = hub();
    expect(recordOf(hubStack).Metadata?.[FOLLOWS]).toBeUndefined();
  });
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
