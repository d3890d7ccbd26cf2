/*
 * PrivateLinkEndpoint with PrivateDnsOverride and PrivateLinkProbe, against an endpoint service
 * every account can reach: AWS STS (`com.amazonaws.<region>.sts`), so the test needs no vendor.
 * The endpoint has private DNS off, as a vendor's endpoint does; the override makes
 * `sts.<region>.amazonaws.com` resolve to it inside an isolated VPC (no NAT, no internet).
 *
 * Asserts, after deploy: the endpoint is `available`; the probe function in the VPC resolves the
 * name through the VPC's resolver to private addresses only (the hosted zone answers), connects
 * and completes TLS with a certificate valid for the name; the probe's deploy-time check says OK.
 *
 * Snapshot: `npx projen integ` (no deploy). Deploy and verify: README, "Integration tests".
 */
import { ActualResult, ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Aws, CustomResource, Stack } from 'aws-cdk-lib';
import { expectEndpointAvailable, expectProbeOk, testVpc } from './integ-support';
import { DnsTarget, PrivateDnsOverride, PrivateLinkEndpoint, PrivateLinkProbe } from 'cdk-saas-privatelink';

const app = new App();
const stack = new Stack(app, 'IntegPrivateLinkEndpoint', {
  description: 'cdk-saas-privatelink integ test: an interface endpoint, its DNS override and a probe',
});

const vpc = testVpc(stack, 'Vpc', '10.92.0.0/16');
const hostname = `sts.${Aws.REGION}.amazonaws.com`;
const endpoint = new PrivateLinkEndpoint(stack, 'Endpoint', {
  vpc,
  serviceName: `com.amazonaws.${Aws.REGION}.sts`,
});
const dns = new PrivateDnsOverride(stack, 'Dns', {
  zoneName: hostname,
  vpc,
  target: DnsTarget.fromEndpoint(endpoint),
});
const probe = new PrivateLinkProbe(stack, 'Probe', {
  hostname,
  vpcs: [vpc],
  endpoint,
  canary: false,
});
probe.node.addDependency(dns);

const integ = new IntegTest(app, 'PrivateLinkEndpointTest', {
  testCases: [stack],
  diffAssets: false,
});
expectEndpointAvailable(integ, endpoint.vpcEndpointId);
expectProbeOk(integ, stack, probe.functionFor(vpc), { hostname, port: 443, vpc, endpointId: endpoint.vpcEndpointId });
integ.assertions.expect('ProbeDeployTimeCheck',
  ExpectedResult.exact('true'),
  ActualResult.fromCustomResource(probe.node.findChild('DeployTimeCheck') as CustomResource, 'Ok'));
