/*
 * Dynatrace EdgeConnect on ECS Fargate in provisioner mode: a custom resource creates the
 * EdgeConnect configuration and its OAuth client through the Dynatrace platform API, stores the
 * client in a new secret, and the service starts with it; the stack's delete removes both.
 *
 * The tenant is a deploy-time parameter: `DynatraceEnvironmentId` makes the EdgeConnect API host
 * {id}.apps.dynatrace.com, and `ProvisionerClientSecretName` names the Secrets Manager secret
 * holding an OAuth client allowed to manage EdgeConnect configurations ({"clientId", "clientSecret"}).
 * `npx projen integ:deploy` passes them from DYNATRACE_ENVIRONMENT_ID and
 * DYNATRACE_EDGECONNECT_PROVISIONER_SECRET.
 *
 * Asserts, after deploy: the service has its one task running and its deployment `COMPLETED`
 * (the deployment circuit breaker fails the stack if the task cannot start: a wrong client, no
 * route to Dynatrace, an image that cannot be pulled).
 *
 * Snapshot: `npx projen integ` (no deploy). Deploy and verify: README, "Integration tests".
 */
import { ExpectedResult, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { ENVIRONMENT_ID_PATTERN, tenantParameter, testVpc } from './integ-support';
import { EdgeConnect, EdgeConnectConfig, EdgeConnectOAuthClient } from 'cdk-saas-privatelink';

const app = new App();
const stack = new Stack(app, 'IntegEdgeConnect', {
  description: 'cdk-saas-privatelink integ test: Dynatrace EdgeConnect on ECS Fargate, provisioner mode',
});
const parameters: Record<string, string> = {};
const environmentId = tenantParameter(stack, parameters, 'DynatraceEnvironmentId', 'DYNATRACE_ENVIRONMENT_ID',
  'The Dynatrace SaaS environment ID: EdgeConnect connects to {id}.apps.dynatrace.com', ENVIRONMENT_ID_PATTERN);
const provisionerSecretName = tenantParameter(stack, parameters, 'ProvisionerClientSecretName', 'DYNATRACE_EDGECONNECT_PROVISIONER_SECRET',
  'The Secrets Manager secret holding an OAuth client that may manage EdgeConnect configurations');

const edgeConnect = new EdgeConnect(stack, 'EdgeConnect', {
  vpc: testVpc(stack, 'Vpc', '10.95.0.0/16', 1),
  config: new EdgeConnectConfig({
    name: 'cdk-saas-privatelink-integ',
    apiEndpointHost: `${environmentId}.apps.dynatrace.com`,
    oauthResource: `urn:dtenvironment:${environmentId}`,
    restrictHostsTo: ['*.integ.example.com'],
  }),
  oauthClient: EdgeConnectOAuthClient.provision({
    provisionerClient: secretsmanager.Secret.fromSecretNameV2(stack, 'ProvisionerClient', provisionerSecretName),
    hostPatterns: ['*.integ.example.com'],
  }),
  desiredCount: 1,
});

const integ = new IntegTest(app, 'EdgeConnectTest', {
  testCases: [stack],
  diffAssets: false,
  cdkCommandOptions: { deploy: { args: { parameters } } },
});
integ.assertions.awsApiCall('ECS', 'describeServices', {
  cluster: edgeConnect.cluster.clusterArn,
  services: [edgeConnect.service.serviceArn],
}).expect(ExpectedResult.objectLike({
  services: [Match.objectLike({ runningCount: 1, deployments: [Match.objectLike({ rolloutState: 'COMPLETED' })] })],
})).waitForAssertions({ totalTimeout: Duration.minutes(15), interval: Duration.seconds(30) });
