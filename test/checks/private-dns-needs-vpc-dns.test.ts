/*
 * PrivateLink-PrivateDnsNeedsVpcDns: an interface endpoint with private DNS on needs its VPC's
 * DNS support and DNS host names on (EC2 refuses the endpoint otherwise).
 */
import { App, CfnParameter, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { NagRuleCompliance } from 'cdk-nag';
import { DatadogPrivateLink, DatadogSite, PrivateLinkChecks } from '../../src';
import { privateDnsNeedsVpcDns } from '../../src/checks/rules/private-dns-needs-vpc-dns';

const RULE = 'PrivateLink-PrivateDnsNeedsVpcDns';
const ENV = { account: '111111111111', region: 'us-east-1' };
const SERVICE = 'com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0';

function flagged(stack: Stack): string[] {
  return new PrivateLinkChecks().validateScope(stack).violations.filter((v) => v.ruleName === RULE)
    .flatMap((v) => v.violatingResources.map((r) => r.constructPath ?? String(r.resourceLogicalId)));
}

/** A CfnVPC with the DNS attributes given (undefined: left to CloudFormation's defaults) and an endpoint in it. */
function endpointIn(vpcProps: Partial<ec2.CfnVPCProps>, privateDns: 'on' | 'off' | 'absent' = 'on') {
  const privateDnsEnabled = privateDns === 'absent' ? undefined : privateDns === 'on';
  const stack = new Stack(new App(), 'Stack', { env: ENV });
  const vpc = new ec2.CfnVPC(stack, 'Vpc', { cidrBlock: '10.0.0.0/16', ...vpcProps });
  const endpoint = new ec2.CfnVPCEndpoint(stack, 'Endpoint', {
    vpcId: vpc.ref, vpcEndpointType: 'Interface', serviceName: SERVICE, subnetIds: ['subnet-0123456789abcdef0'], privateDnsEnabled,
  });
  return { stack, vpc, endpoint };
}

test.each<[string, Partial<ec2.CfnVPCProps>]>([
  ['DNS host names left to CloudFormation\'s default (off)', {}],
  ['DNS host names off', { enableDnsSupport: true, enableDnsHostnames: false }],
  ['DNS support off', { enableDnsSupport: false, enableDnsHostnames: true }],
])('private DNS in a VPC with %s is flagged, as an error', (_, vpcProps) => {
  const { stack, endpoint } = endpointIn(vpcProps);
  expect(privateDnsNeedsVpcDns(endpoint)).toBe(NagRuleCompliance.NON_COMPLIANT);
  expect(flagged(stack)).toEqual([endpoint.node.path]);
  const finding = new PrivateLinkChecks().validateScope(stack).violations.find((v) => v.ruleName === RULE)!;
  expect(finding.severity).toBe('error');
});

test('private DNS in a VPC with both on is compliant; DNS support left to its default (on) counts as on', () => {
  expect(privateDnsNeedsVpcDns(endpointIn({ enableDnsSupport: true, enableDnsHostnames: true }).endpoint)).toBe(NagRuleCompliance.COMPLIANT);
  expect(privateDnsNeedsVpcDns(endpointIn({ enableDnsHostnames: true }).endpoint)).toBe(NagRuleCompliance.COMPLIANT);
});

test.each<[string, 'off' | 'absent']>([['private DNS off', 'off'], ['private DNS absent (CloudFormation\'s default: off)', 'absent']])(
  'an endpoint with %s is not judged, whatever its VPC', (_, privateDns) => {
    expect(privateDnsNeedsVpcDns(endpointIn({}, privateDns).endpoint)).toBe(NagRuleCompliance.NOT_APPLICABLE);
  });

test('a VPC of another stack, or DNS attributes known only at deploy time, are not judged', () => {
  const imported = endpointIn({});
  imported.endpoint.vpcId = 'vpc-0123456789abcdef0';
  expect(privateDnsNeedsVpcDns(imported.endpoint)).toBe(NagRuleCompliance.NOT_APPLICABLE);
  const { stack, vpc, endpoint } = endpointIn({});
  vpc.enableDnsHostnames = new CfnParameter(stack, 'Hostnames', { type: 'String' }).valueAsString as unknown as boolean;
  expect(privateDnsNeedsVpcDns(endpoint)).toBe(NagRuleCompliance.NOT_APPLICABLE);
});

test('DatadogPrivateLink in an ec2.Vpc (DNS on) is compliant; in a VPC with DNS host names off it is flagged', () => {
  const good = new Stack(new App(), 'Good', { env: ENV });
  new DatadogPrivateLink(good, 'Datadog', { vpc: new ec2.Vpc(good, 'Vpc', { natGateways: 0, maxAzs: 2 }), site: DatadogSite.US1 });
  expect(flagged(good)).toEqual([]);
  const bad = new Stack(new App(), 'Bad', { env: ENV });
  const vpc = new ec2.Vpc(bad, 'Vpc', { natGateways: 0, maxAzs: 2, enableDnsHostnames: false });
  new DatadogPrivateLink(bad, 'Datadog', { vpc, site: DatadogSite.US1 });
  // Every intake's endpoint relies on its service's private DNS.
  expect(flagged(bad)).toHaveLength(5);
});
