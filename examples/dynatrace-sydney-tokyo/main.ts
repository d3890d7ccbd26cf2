/**
 * Dynatrace in Sydney (ap-southeast-2) with monitored hosts in an existing Tokyo
 * (ap-northeast-1) VPC: the scenario of Dynatrace's guide, as one app with a stack of yours per
 * region and two stacks that `addSpokeVpc` creates.
 *
 * Shows: in Sydney (DynatraceSydney), the whole Dynatrace PrivateLink set-up (allowlist, endpoint
 * in supported AZs, DNS override, enable). In Tokyo (DynatraceTokyo), an inter-region peering
 * connection from the existing Tokyo VPC to the hub and routes back to Sydney. Then, created by
 * `addSpokeVpc` for the spokes in DynatraceTokyo: in DynatraceSydney-DynatraceTokyo-HubSide
 * (Sydney), routes to Tokyo and 443 opened to the Tokyo CIDR; after it, in
 * DynatraceSydney-DynatraceTokyo-SpokeDns (Tokyo), a private zone of Tokyo's own for
 * {env}.live.dynatrace.com and a probe whose deploy-time check runs after the zone.
 * `cdk deploy --all` deploys them in that order. Hosts in Tokyo resolve the name to the Sydney
 * endpoint. For spoke VPCs created in the same app, see examples/dynatrace-hub-and-spokes.
 *
 * Replace before deploying:
 * - ACCOUNT, ENVIRONMENT_ID, API_TOKEN_SECRET (see examples/dynatrace-same-region).
 * - TOKYO_VPC: the ID, CIDR block, AZs, subnet IDs and route table IDs of your Tokyo VPC.
 */
import { App, AppProps, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { AwsCdkLibFunctions, DynatraceEnvironment, DynatracePrivateLink } from 'cdk-saas-privatelink';

const ACCOUNT = '111111111111';
const ENVIRONMENT_ID = 'abc12345';
const API_TOKEN_SECRET = 'dynatrace/api-token';
const TOKYO_VPC: ec2.VpcAttributes = {
  vpcId: 'vpc-0f1e2d3c4b5a69788',
  vpcCidrBlock: '10.71.0.0/16',
  availabilityZones: ['ap-northeast-1a', 'ap-northeast-1c'],
  privateSubnetIds: ['subnet-0f1e2d3c4b5a60001', 'subnet-0f1e2d3c4b5a60002'],
  privateSubnetRouteTableIds: ['rtb-0f1e2d3c4b5a60001', 'rtb-0f1e2d3c4b5a60002'],
};

export function createApp(props?: AppProps): App {
  const app = new App(props);
  // Under cdk init's flags each VPC brings aws-cdk-lib's default-security-group function: its checkov reasons.
  AwsCdkLibFunctions.addCheckovReasons(app);
  const sydney = new Stack(app, 'DynatraceSydney', {
    env: { account: ACCOUNT, region: 'ap-southeast-2' },
    description: 'cdk-saas-privatelink example: Dynatrace PrivateLink hub in Sydney shared with Tokyo',
  });
  const tokyo = new Stack(app, 'DynatraceTokyo', {
    env: { account: ACCOUNT, region: 'ap-northeast-1' },
    description: 'cdk-saas-privatelink example: Tokyo routes to the Dynatrace PrivateLink hub in Sydney',
  });

  const flowLogs = new logs.LogGroup(sydney, 'FlowLogs', {
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
  const vpc = new ec2.Vpc(sydney, 'Vpc', {
    ipAddresses: ec2.IpAddresses.cidr('10.70.0.0/16'),
    availabilityZones: ['ap-southeast-2a', 'ap-southeast-2b', 'ap-southeast-2c'],
    natGateways: 0,
    subnetConfiguration: [{ name: 'Private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 }],
    flowLogs: { all: { destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogs) } },
  });
  // Stacks in a named region list their AZs (no synth-time lookup); cfn-lint's W3010 is about
  // templates meant for any region, which this one is not.
  for (const subnet of vpc.isolatedSubnets) {
    (subnet.node.defaultChild as ec2.CfnSubnet).addMetadata('cfn-lint', { config: { ignore_checks: ['W3010'] } });
    Validations.of(subnet).acknowledge({ id: 'CloudFormation-Validate::W3010', reason: 'The stack names its region; its AZs are listed on purpose.' });
  }

  const dynatrace = new DynatracePrivateLink(sydney, 'Dynatrace', {
    outputs: true,
    environment: DynatraceEnvironment.saas(ENVIRONMENT_ID),
    apiToken: secretsmanager.Secret.fromSecretNameV2(sydney, 'ApiToken', API_TOKEN_SECRET),
    apiTokenField: 'apiToken',
    vpc,
  });
  dynatrace.addSpokeVpc('Tokyo', ec2.Vpc.fromVpcAttributes(tokyo, 'TokyoVpc', TOKYO_VPC));
  return app;
}

if (require.main === module) {
  createApp().synth();
}
