/**
 * Datadog over AWS PrivateLink, one VPC: the Agents in a VPC send their data to Datadog's US1
 * site through interface endpoints, and Datadog's public host names (api.datadoghq.com,
 * agent-http-intake.logs.datadoghq.com, …) resolve to those endpoints inside the VPC through the
 * endpoints' own private DNS. Nothing changes in the Agent's configuration.
 *
 * Shows: `DatadogPrivateLink` with its defaults: an endpoint per intake an Agent uses (API,
 * metrics, Agent logs, traces, remote configuration), in the Availability Zones each service
 * supports (found at deploy time), one security group that opens 443 to the VPC only, a probe
 * from inside the VPC, and the outputs `Site` (the Agent's DD_SITE) and `EndpointIds`.
 *
 * The stack names no region: deployed to us-east-1 (US1's region) the endpoints are same-region
 * endpoints; deployed elsewhere, native cross-region endpoints to us-east-1 (Datadog's
 * recommendation for other regions). Datadog has no registration step: nothing to send them.
 */
import { App, AppProps, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { AwsCdkLibFunctions, DatadogPrivateLink, DatadogSite } from 'cdk-saas-privatelink';

export class DatadogSameRegionStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    const flowLogs = new logs.LogGroup(this, 'FlowLogs', { retention: logs.RetentionDays.ONE_YEAR, removalPolicy: RemovalPolicy.RETAIN });
    // No customer-managed key: the reason goes into the template, where anyone's checkov run reads it.
    (flowLogs.node.defaultChild as logs.CfnLogGroup).addMetadata('checkov', {
      skip: [{ id: 'CKV_AWS_158', comment: 'Flow-log records hold addresses and ports, no secret values; CloudWatch Logs encrypts them at rest.' }],
    });
    const vpc = new ec2.Vpc(this, 'AgentVpc', {
      ipAddresses: ec2.IpAddresses.cidr('10.80.0.0/16'),
      maxAzs: 3,
      natGateways: 0,
      subnetConfiguration: [{ name: 'Agents', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 }],
      flowLogs: { all: { destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogs) } },
    });

    new DatadogPrivateLink(this, 'Datadog', { vpc, site: DatadogSite.US1, outputs: true });
  }
}

export function createApp(props?: AppProps): App {
  const app = new App(props);
  // Under cdk init's flags each VPC brings aws-cdk-lib's default-security-group function: its checkov reasons.
  AwsCdkLibFunctions.addCheckovReasons(app);
  new DatadogSameRegionStack(app, 'DatadogSameRegion', {
    description: 'cdk-saas-privatelink example: Datadog (US1) over PrivateLink, one VPC',
  });
  return app;
}

if (require.main === module) {
  createApp().synth();
}
