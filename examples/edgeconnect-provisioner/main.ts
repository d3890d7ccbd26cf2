/**
 * Dynatrace EdgeConnect on ECS Fargate in provisioner mode, behind an HTTP proxy, with a custom
 * root certificate and one placeholder secret.
 *
 * Shows: a custom resource that, with a provisioner OAuth client from Secrets Manager, creates
 * the EdgeConnect configuration (host patterns and a host mapping) in Dynatrace, stores the
 * OAuth client it gets back in a new secret the service reads, updates it when the patterns
 * change and deletes it with the stack; an authenticating proxy whose password comes from
 * Secrets Manager (egress to the proxy port opened); the proxy's TLS-intercepting root
 * certificate written into the container by an init container and listed in
 * `root_certificate_paths`; a placeholder token that EdgeConnect replaces with a value from
 * Secrets Manager in requests to one host only, the token itself also kept in Secrets Manager
 * (the init container writes it into edgeConnect.yaml at start-up, so neither this file nor the
 * template holds it); CPU-based autoscaling from 2 to 6 tasks; the default health alarms, one on
 * authentication and connection errors in the container log (after a rolled-back rotation, the
 * task can run with a client Dynatrace refuses), one on fewer running tasks than wanted (with
 * autoscaling, a minute without Container Insights data counts as 2 wanted and none running).
 * They have no actions here: pass `healthAlarms: { alarmTopic }` to be told.
 *
 * Replace before deploying:
 * - ENVIRONMENT_HOST: your environment's apps host.
 * - PROVISIONER_SECRET_ARN: a secret holding {"clientId", "clientSecret"} of an OAuth client with
 *   the scopes app-engine:edge-connects:read|write|delete and oauth2:clients:manage.
 * - PROXY_*: your proxy, and the secret holding its password in the field "password".
 * - corp-root-ca.pem: your proxy's (or internal CA's) root certificate.
 * - SERVICENOW_*: the secret holding your placeholder token (make one with the vendor's openssl
 *   command, then `aws secretsmanager create-secret --name servicenow/edgeconnect-placeholder
 *   --secret-string "$TOKEN"`) and the secret holding the real value.
 * - the VPC: in a real app, pass your existing VPC (private subnets with a NAT gateway).
 *
 * Run: npx ts-node -r tsconfig-paths/register --project tsconfig.dev.json examples/edgeconnect-provisioner/main.ts
 */
import * as path from 'path';
import { App, AppProps, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import {
  AwsCdkLibFunctions,
  EdgeConnect,
  EdgeConnectConfig,
  EdgeConnectOAuthClient,
  RootCertificate,
} from 'cdk-saas-privatelink';

const ENVIRONMENT_HOST = 'abc12345.apps.dynatrace.com';
const PROVISIONER_SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:dynatrace/edgeconnect/provisioner-AbCdEf';
const PROXY_SERVER = 'proxy.corp.example.com';
const PROXY_PORT = 3128;
const PROXY_USER = 'edgeconnect';
const PROXY_PASSWORD_SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:corp/proxy/edgeconnect-GhIjKl';
const SERVICENOW_PLACEHOLDER_SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:servicenow/edgeconnect-placeholder-StUvWx';
const SERVICENOW_SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:servicenow/api-token-MnOpQr';

export class EdgeConnectProvisionerStack extends Stack {
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
      natGateways: 1,
      subnetConfiguration: [
        { name: 'Public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
        { name: 'Private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 24 },
      ],
      flowLogs: { all: { destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogs) } },
    });
    const secret = (name: string, arn: string) => secretsmanager.Secret.fromSecretCompleteArn(this, name, arn);

    const config = new EdgeConnectConfig({
      name: 'corporate-network',
      apiEndpointHost: ENVIRONMENT_HOST,
      restrictHostsTo: ['*.corp.example.com', 'legacy-erp'],
      proxy: { server: PROXY_SERVER, port: PROXY_PORT, user: PROXY_USER, exceptions: ['*.internal.corp.example.com'] },
      secrets: [{
        name: 'ServiceNow API token',
        // The placeholder workflows put into requests (dt0e01.…), kept out of this file and the template.
        tokenSecret: secret('ServiceNowPlaceholder', SERVICENOW_PLACEHOLDER_SECRET_ARN),
        fromEnv: 'SERVICENOW_TOKEN',
        restrictHostsTo: ['servicenow.corp.example.com'],
      }],
    });

    new EdgeConnect(this, 'EdgeConnect', {
      vpc,
      config,
      oauthClient: EdgeConnectOAuthClient.provision({
        provisionerClient: secret('ProvisionerClient', PROVISIONER_SECRET_ARN),
        hostPatterns: ['*.corp.example.com', 'legacy-erp'],
        // Workflows call https://legacy-erp/…; EdgeConnect sends the request to the ERP's real host.
        hostMappings: [{ from: 'legacy-erp', to: 'erp.corp.example.com' }],
      }),
      proxyPassword: { secret: secret('ProxyPassword', PROXY_PASSWORD_SECRET_ARN), field: 'password' },
      rootCertificates: [RootCertificate.fromFile(path.join(__dirname, 'corp-root-ca.pem'))],
      secretValues: [{ fromEnv: 'SERVICENOW_TOKEN', secret: secret('ServiceNowToken', SERVICENOW_SECRET_ARN) }],
      autoScaling: { minCapacity: 2, maxCapacity: 6, cpuTargetUtilizationPercent: 60 },
    });
  }
}

export function createApp(props?: AppProps): App {
  const app = new App(props);
  // Under cdk init's flags each VPC brings aws-cdk-lib's default-security-group function: its checkov reasons.
  AwsCdkLibFunctions.addCheckovReasons(app);
  new EdgeConnectProvisionerStack(app, 'EdgeConnectProvisioner', {
    description: 'cdk-saas-privatelink example: Dynatrace EdgeConnect in provisioner mode behind a proxy',
  });
  return app;
}

if (require.main === module) {
  createApp().synth();
}
