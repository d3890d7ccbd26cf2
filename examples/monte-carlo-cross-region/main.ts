/**
 * Monte Carlo Agent Service over native cross-region AWS PrivateLink: an agent whose VPC is in
 * Ireland (eu-west-1) reaches the Monte Carlo Agent Service in N. Virginia (us-east-1) through
 * its own interface endpoint, with no peering and no VPC in us-east-1.
 *
 * Shows: `serviceRegion` (the "Enable Cross Region endpoint" choice of Monte Carlo's guide; the
 * AZ check then keeps every local subnet), the hostname from the account page given
 * explicitly, and the private zone `privatelink.getmontecarlo.com` in the agent's region.
 *
 * Deploy it to the agent's region (here Ireland): `cdk deploy` with AWS_REGION=eu-west-1. Before
 * deploying, ask Monte Carlo to allowlist your AWS account and that region (guide, step 1).
 * Replace:
 * - SERVICE_NAME, SERVICE_REGION and HOSTNAME: the VPC endpoint service name, Region and
 *   PrivateLink endpoint in the Agent Service section of your Monte Carlo Account Information page.
 * - the VPC: in a real app, pass the existing VPC your agent runs in.
 */
import { App, AppProps, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { AwsCdkLibFunctions, MonteCarloPrivateLink } from 'cdk-saas-privatelink';

const SERVICE_NAME = 'com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0';
const SERVICE_REGION = 'us-east-1';
const HOSTNAME = 'artemis.privatelink.getmontecarlo.com';

export class MonteCarloCrossRegionStack extends Stack {
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
      ipAddresses: ec2.IpAddresses.cidr('10.70.0.0/16'),
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [{ name: 'Agent', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 }],
      flowLogs: { all: { destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogs) } },
    });

    new MonteCarloPrivateLink(this, 'MonteCarlo', {
      outputs: true,
      vpc,
      serviceName: SERVICE_NAME,
      serviceRegion: SERVICE_REGION,
      hostname: HOSTNAME,
    });
  }
}

export function createApp(props?: AppProps): App {
  const app = new App(props);
  // Under cdk init's flags each VPC brings aws-cdk-lib's default-security-group function: its checkov reasons.
  AwsCdkLibFunctions.addCheckovReasons(app);
  new MonteCarloCrossRegionStack(app, 'MonteCarloCrossRegion', {
    description: 'cdk-saas-privatelink example: Monte Carlo Agent Service over native cross-region PrivateLink',
  });
  return app;
}

if (require.main === module) {
  createApp().synth();
}
