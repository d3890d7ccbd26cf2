/**
 * Dynatrace EdgeConnect on ECS Fargate with an OAuth client you created in the EdgeConnect
 * management app.
 *
 * Shows: the `edgeConnect.yaml` downloaded from Dynatrace read into a typed, validated config
 * (with its client secret removed from the file and kept in Secrets Manager instead), and an
 * EdgeConnect service of two tasks spread over two Availability Zones in private subnets: the
 * vendor's image pinned to a release (1.744.0) and run as uid 1000 with a read-only root
 * filesystem, no inbound rules, HTTPS out, the OAuth client ID and secret read from Secrets
 * Manager as ECS secrets, and one internal network opened to it on 443 through `connections`.
 * Health: the image has no health endpoint, so two alarms come by default: one on authentication
 * and connection errors in the container log (a metric filter; it catches an EdgeConnect that runs
 * but whose OAuth client Dynatrace refuses), one on fewer running tasks than the service wants
 * (Container Insights, which the cluster EdgeConnect creates has on). They have no actions here:
 * pass `healthAlarms: { alarmTopic }` with an SNS topic CloudWatch may publish to.
 *
 * Replace before deploying:
 * - EDGE_CONNECT_YAML: the file the EdgeConnect management app gave you, without `client_secret`.
 * - OAUTH_CLIENT_SECRET_ARN: a secret holding {"clientId": "dt0s10.…", "clientSecret": "dt0s10.…"}
 *   (create it with `aws secretsmanager create-secret --secret-string file://client.json`).
 * - INTERNAL_NETWORK: the address range of the systems EdgeConnect calls.
 * - the VPC: in a real app, pass your existing VPC (private subnets with a NAT gateway).
 *
 * Run: npx ts-node -r tsconfig-paths/register --project tsconfig.dev.json examples/edgeconnect-existing-client/main.ts
 */
import { App, AppProps, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { AwsCdkLibFunctions, EdgeConnect, EdgeConnectConfig, EdgeConnectImage, EdgeConnectOAuthClient } from 'cdk-saas-privatelink';

const EDGE_CONNECT_YAML = `
name: corporate-network
api_endpoint_host: abc12345.apps.dynatrace.com
oauth:
  endpoint: https://sso.dynatrace.com/sso/oauth2/token
  client_id: dt0s10.EXAMPLECLIENTID
  resource: urn:dtenvironment:abc12345
restrict_hosts_to:
  - "*.corp.example.com"
`;
const OAUTH_CLIENT_SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:dynatrace/edgeconnect/corporate-network-AbCdEf';
const INTERNAL_NETWORK = '10.40.0.0/16';

export class EdgeConnectStack extends Stack {
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
      ipAddresses: ec2.IpAddresses.cidr('10.50.0.0/16'),
      maxAzs: 2,
      natGateways: 1,
      subnetConfiguration: [
        { name: 'Public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
        { name: 'Private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 24 },
      ],
      flowLogs: { all: { destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogs) } },
    });

    const edgeConnect = new EdgeConnect(this, 'EdgeConnect', {
      vpc,
      config: EdgeConnectConfig.fromYaml(EDGE_CONNECT_YAML),
      oauthClient: EdgeConnectOAuthClient.fromSecret(
        secretsmanager.Secret.fromSecretCompleteArn(this, 'OAuthClient', OAUTH_CLIENT_SECRET_ARN),
      ),
      // A version tag (or EdgeConnectImage.fromDigest): every task runs this release until you change it.
      image: EdgeConnectImage.fromTag('1.744.0'),
      // healthAlarms are on by default; edgeConnect.errorLogAlarm and runningTasksAlarm are the alarms.
    });
    edgeConnect.connections.allowTo(ec2.Peer.ipv4(INTERNAL_NETWORK), ec2.Port.tcp(443), 'Internal HTTPS APIs Dynatrace workflows call');
  }
}

export function createApp(props?: AppProps): App {
  const app = new App(props);
  // Under cdk init's flags each VPC brings aws-cdk-lib's default-security-group function: its checkov reasons.
  AwsCdkLibFunctions.addCheckovReasons(app);
  new EdgeConnectStack(app, 'EdgeConnectExistingClient', {
    description: 'cdk-saas-privatelink example: Dynatrace EdgeConnect on ECS Fargate with an existing OAuth client',
  });
  return app;
}

if (require.main === module) {
  createApp().synth();
}
