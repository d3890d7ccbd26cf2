/**
 * Monte Carlo Agent Service over AWS PrivateLink, one region: the agent's VPC reaches the
 * Monte Carlo Agent Service in its own region through an interface endpoint, and
 * `artemis.privatelink.getmontecarlo.com` resolves to that endpoint inside the VPC.
 *
 * Shows: `MonteCarloPrivateLink` with its defaults: an endpoint in the Availability Zones the
 * service supports (found at deploy time, no synth-time lookups), 443 open to the VPC only,
 * the private zone `privatelink.getmontecarlo.com` with a CNAME `artemis`, and two outputs:
 * the endpoint ID to send to Monte Carlo for approval, and the agent's `backendServiceUrl`.
 *
 * Before deploying: ask Monte Carlo to allowlist your AWS account (their set-up guide, step 1).
 * Replace:
 * - SERVICE_NAME: the VPC endpoint service name in the Agent Service section of your Monte
 *   Carlo Account Information page. Deploy to the Region shown there; if your agent runs in
 *   another region, see examples/monte-carlo-cross-region.
 * - the VPC: in a real app, pass the existing VPC your agent runs in.
 */
import { App, AppProps, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { AwsCdkLibFunctions, MonteCarloPrivateLink } from 'cdk-saas-privatelink';

const SERVICE_NAME = 'com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0';

export class MonteCarloSameRegionStack extends Stack {
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
    const vpc = new ec2.Vpc(this, 'AgentVpc', {
      ipAddresses: ec2.IpAddresses.cidr('10.60.0.0/16'),
      maxAzs: 3,
      natGateways: 0,
      subnetConfiguration: [{ name: 'Agent', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 }],
      flowLogs: { all: { destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogs) } },
    });

    new MonteCarloPrivateLink(this, 'MonteCarlo', { vpc, serviceName: SERVICE_NAME, outputs: true });
  }
}

export function createApp(props?: AppProps): App {
  const app = new App(props);
  // Under cdk init's flags each VPC brings aws-cdk-lib's default-security-group function: its checkov reasons.
  AwsCdkLibFunctions.addCheckovReasons(app);
  new MonteCarloSameRegionStack(app, 'MonteCarloSameRegion', {
    description: 'cdk-saas-privatelink example: Monte Carlo Agent Service over PrivateLink, one region',
  });
  return app;
}

if (require.main === module) {
  createApp().synth();
}
