/*
 * DynatracePrivateLink end to end: a hub VPC in the Dynatrace environment's region (allowlist,
 * interface endpoint, DNS override, enable, all through the Dynatrace API) and a spoke VPC in
 * another region, joined over inter-region peering in the guide's order.
 *
 * The tenant is a deploy-time parameter, never in the template: `DynatraceEnvironmentId` makes
 * the API base URL https://{id}.live.dynatrace.com, and `DynatraceApiTokenSecretName` names the
 * Secrets Manager secret holding an API token (scopes ReadConfig, WriteConfig). `npx projen
 * integ:deploy` passes them from DYNATRACE_ENVIRONMENT_ID and DYNATRACE_API_TOKEN_SECRET. The hub's
 * region must be the environment's (DYNATRACE_REGION, default us-east-1); the spoke's is
 * DYNATRACE_SPOKE_REGION (default us-west-2). The snapshot is made with the defaults.
 *
 * Asserts, after deploy: the endpoint is `available`; in the hub VPC, {id}.live.dynatrace.com
 * resolves to private addresses only and answers TLS with Dynatrace's certificate; the peering
 * is `active`. The spoke's zone and its probe's gate are in one stack, the library's
 * `IntegDynatraceHub-IntegDynatraceSpoke-SpokeDns` in the spoke's region, the gate after the zone
 * (`failDeployment`): when the spoke's hosts cannot reach Dynatrace privately, that stack fails and
 * rolls the spoke's zone back with it, so the spoke keeps resolving Dynatrace publicly.
 *
 * Snapshot: `npx projen integ` (no deploy). Deploy and verify: README, "Integration tests".
 */
import { ExpectedResult, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { deploySetting, ENVIRONMENT_ID_PATTERN, expectEndpointAvailable, expectProbeOk, tenantParameter, testVpc } from './integ-support';
import { DynatraceEnvironment, DynatracePrivateLink } from 'cdk-saas-privatelink';

const app = new App();
const hubRegion = deploySetting('DYNATRACE_REGION', 'us-east-1');
const spokeRegion = deploySetting('DYNATRACE_SPOKE_REGION', 'us-west-2');
const hub = new Stack(app, 'IntegDynatraceHub', {
  env: { region: hubRegion },
  description: 'cdk-saas-privatelink integ test: Dynatrace PrivateLink hub',
});
const spokeStack = new Stack(app, 'IntegDynatraceSpoke', {
  env: { region: spokeRegion },
  description: 'cdk-saas-privatelink integ test: a spoke VPC of the Dynatrace PrivateLink hub',
});

const parameters: Record<string, string> = {};
const environmentId = tenantParameter(hub, parameters, 'DynatraceEnvironmentId', 'DYNATRACE_ENVIRONMENT_ID',
  'The Dynatrace SaaS environment ID: the API base URL is https://{id}.live.dynatrace.com', ENVIRONMENT_ID_PATTERN);
const tokenSecretName = tenantParameter(hub, parameters, 'DynatraceApiTokenSecretName', 'DYNATRACE_API_TOKEN_SECRET',
  'The Secrets Manager secret (in the hub region) holding a Dynatrace API token with ReadConfig and WriteConfig');

const hubVpc = testVpc(hub, 'HubVpc', '10.93.0.0/16');
const dynatrace = new DynatracePrivateLink(hub, 'Dynatrace', {
  environment: DynatraceEnvironment.saas(environmentId),
  apiToken: secretsmanager.Secret.fromSecretNameV2(hub, 'ApiToken', tokenSecretName),
  vpc: hubVpc,
  // A test leaves the tenant as it found it.
  retainAllowlistOnDelete: false,
  disablePrivateLinkOnDelete: true,
  probe: { failDeployment: true, canary: false },
});
const spoke = dynatrace.addSpokeVpc('Spoke', testVpc(spokeStack, 'SpokeVpc', '10.94.0.0/16'));
if (Stack.of(spoke.probe!) !== spoke.dnsStack) throw new Error('the spoke\'s probe must gate the stack of its zone');

const integ = new IntegTest(app, 'DynatraceHubAndSpokeTest', {
  // Every stack of the app: the spoke group's hub-side and DNS stacks are made by the construct.
  testCases: [hub, spokeStack, spoke.hubSideStack, spoke.dnsStack],
  diffAssets: false,
  // The assertions call the hub region's APIs.
  assertionStack: new Stack(app, 'IntegDynatraceAssertions', { env: { region: hubRegion } }),
  cdkCommandOptions: { deploy: { args: { parameters } } },
});
expectEndpointAvailable(integ, dynatrace.endpoint.vpcEndpointId);
expectProbeOk(integ, hub, dynatrace.probe!.functionFor(hubVpc), {
  hostname: dynatrace.hostname, port: 443, vpc: hubVpc, endpointId: dynatrace.endpoint.vpcEndpointId,
});
integ.assertions.awsApiCall('EC2', 'describeVpcPeeringConnections', { VpcPeeringConnectionIds: [spoke.peeringConnectionId] })
  .expect(ExpectedResult.objectLike({ VpcPeeringConnections: [Match.objectLike({ Status: Match.objectLike({ Code: 'active' }) })] }))
  .waitForAssertions({ totalTimeout: Duration.minutes(5), interval: Duration.seconds(30) });
