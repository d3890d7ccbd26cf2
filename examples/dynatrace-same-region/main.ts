/**
 * Dynatrace over AWS PrivateLink in one region, end to end, plus an ActiveGate token.
 *
 * Shows: at deploy time the AWS account is allowlisted and the endpoint service name read
 * through Dynatrace's API (a custom resource; the API token stays in Secrets Manager), the
 * interface endpoint is created in AZs the service supports, `{env}.live.dynatrace.com`
 * resolves to it through a private hosted zone, and only then PrivateLink is enabled. An
 * ActiveGate token is created through the API and stored in a new secret; Secrets Manager rotates it
 * 30 days before it expires (the old token stays valid until its own expiry), and an alarm fires
 * when the token the secret holds is due to expire within 14 days or a rotation failed.
 *
 * Deploy it to the AWS region of your Dynatrace environment.
 *
 * Replace before deploying:
 * - ENVIRONMENT_ID: your SaaS environment ID.
 * - API_TOKEN_SECRET: the name of a Secrets Manager secret holding a Dynatrace API token with
 *   ReadConfig, WriteConfig and ActiveGate token management scopes, as JSON {"apiToken": "dt0c01..."}.
 * - the VPC: in a real app, pass your existing VPC.
 * - the alarms' actions: add your SNS topic (commented below). Your ActiveGate must read the
 *   secret again after a rotation (for example, its deployment reads it when it starts).
 */
import { App, AppProps, Duration, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { AwsCdkLibFunctions, DynatraceActiveGateToken, DynatraceEnvironment, DynatracePrivateLink } from 'cdk-saas-privatelink';

const ENVIRONMENT_ID = 'abc12345';
const API_TOKEN_SECRET = 'dynatrace/api-token';

export class DynatraceStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    const flowLogs = new logs.LogGroup(this, 'FlowLogs', {
      retention: logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // No customer-managed key: the reason goes into the template, where anyone's checkov run reads it.
    (flowLogs.node.defaultChild as logs.CfnLogGroup).addMetadata('checkov', {
      skip: [{
        id: 'CKV_AWS_158',
        comment: 'Flow-log records hold addresses and ports, no secret values; CloudWatch Logs encrypts them at rest. '
          + 'Adding a customer-managed KMS key (and its key policy) is left to the deployer.',
      }],
    });
    const vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr('10.60.0.0/16'),
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [{ name: 'Private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 }],
      flowLogs: { all: { destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogs) } },
    });
    const apiToken = secretsmanager.Secret.fromSecretNameV2(this, 'ApiToken', API_TOKEN_SECRET);
    const environment = DynatraceEnvironment.saas(ENVIRONMENT_ID);

    new DynatracePrivateLink(this, 'Dynatrace', { environment, apiToken, apiTokenField: 'apiToken', vpc, outputs: true });

    new DynatraceActiveGateToken(this, 'ActiveGateToken', {
      environment,
      apiToken,
      apiTokenField: 'apiToken',
      tokenName: 'vpc-activegate',
      // The defaults, spelled out: a new token 30 days before expiry; alarm at 14 days left.
      rotateBefore: Duration.days(30),
      alarmBeforeExpiry: Duration.days(14),
      // ActiveGateTokenTokenId and ActiveGateTokenExpirationDate (never the token itself).
      outputs: true,
    });
    // To be told, keep the construct and add your topic to its alarms:
    // token.expiryAlarm?.addAlarmAction(new cloudwatchActions.SnsAction(topic)), and the same for rotationFailedAlarm.
  }
}

export function createApp(props?: AppProps): App {
  const app = new App(props);
  // Under cdk init's flags each VPC brings aws-cdk-lib's default-security-group function: its checkov reasons.
  AwsCdkLibFunctions.addCheckovReasons(app);
  new DynatraceStack(app, 'DynatraceSameRegion', {
    description: 'cdk-saas-privatelink example: Dynatrace over PrivateLink in one region, with an ActiveGate token',
  });
  return app;
}

if (require.main === module) {
  createApp().synth();
}
