/**
 * Dynatrace's cross-region design with every VPC created in the app: the PrivateLink hub in
 * Sydney (ap-southeast-2, the environment's region) and spoke VPCs in Tokyo (ap-northeast-1) and
 * Singapore (ap-southeast-1), joined over inter-region peering. No literal IDs, one `cdk deploy --all`.
 *
 * Shows: `DynatracePrivateLink.addSpokeVpc` with VPCs of other stacks of the same app, and the
 * guide's order per spoke: peering, routes on both sides, then DNS. The construct groups the
 * spokes by stack: per spoke stack, one stack in the hub's region and one in the spoke's, shared
 * by every spoke of that stack. `cdk deploy --all` deploys them as
 * 1. DynatraceHub (Sydney): the hub VPC, allowlist, endpoint, the hub's DNS override, enable,
 *    and the hub's probe;
 * 2. DynatraceTokyo and DynatraceSingapore: each spoke VPC, the peering it requests to the hub,
 *    and its routes to the hub;
 * 3. DynatraceHub-DynatraceTokyo-HubSide and DynatraceHub-DynatraceSingapore-HubSide (Sydney,
 *    created by the construct): the hub's routes to the spoke and 443 opened on the endpoint to
 *    the spoke's CIDR block;
 * 4. DynatraceHub-DynatraceTokyo-SpokeDns (Tokyo) and DynatraceHub-DynatraceSingapore-SpokeDns
 *    (Singapore), created by the construct: the spoke's own private zone for
 *    {env}.live.dynatrace.com, then the probe of the stack's spokes, whose deploy-time check
 *    runs after the zone.
 * A spoke whose stack fails never gets steps 3 and 4, so its hosts keep resolving Dynatrace publicly.
 *
 * Replace before deploying: ACCOUNT, ENVIRONMENT_ID, API_TOKEN_SECRET (see examples/dynatrace-same-region).
 */
import { App, AppProps, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { AwsCdkLibFunctions, DynatraceEnvironment, DynatracePrivateLink } from 'cdk-saas-privatelink';

const ACCOUNT = '111111111111';
const ENVIRONMENT_ID = 'abc12345';
const API_TOKEN_SECRET = 'dynatrace/api-token';

/** A VPC of isolated subnets (hosts reach Dynatrace through the hub only), with flow logs. */
function isolatedVpc(stack: Stack, cidr: string, azs: string[]): ec2.Vpc {
  const flowLogs = new logs.LogGroup(stack, 'FlowLogs', {
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
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    ipAddresses: ec2.IpAddresses.cidr(cidr),
    availabilityZones: azs,
    natGateways: 0,
    subnetConfiguration: [{ name: 'Private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 }],
    flowLogs: { all: { destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogs) } },
  });
  // Stacks in a named region list their AZs (no synth-time lookup); cfn-lint's W3010 is about
  // templates meant for any region, which these are not (aws-cdk-lib's own CloudFormation validation
  // reports the same check).
  for (const subnet of vpc.isolatedSubnets) {
    (subnet.node.defaultChild as ec2.CfnSubnet).addMetadata('cfn-lint', { config: { ignore_checks: ['W3010'] } });
    Validations.of(subnet).acknowledge({ id: 'CloudFormation-Validate::W3010', reason: 'The stack names its region; its AZs are listed on purpose.' });
  }
  return vpc;
}

export function createApp(props?: AppProps): App {
  const app = new App(props);
  // Under cdk init's flags each VPC brings aws-cdk-lib's default-security-group function: its checkov reasons.
  AwsCdkLibFunctions.addCheckovReasons(app);
  const stack = (id: string, region: string, description: string) => new Stack(app, id, {
    env: { account: ACCOUNT, region },
    description: `cdk-saas-privatelink example: ${description}`,
  });
  const hub = stack('DynatraceHub', 'ap-southeast-2', 'Dynatrace PrivateLink hub in Sydney');
  const tokyo = stack('DynatraceTokyo', 'ap-northeast-1', 'Tokyo spoke of the Dynatrace PrivateLink hub');
  const singapore = stack('DynatraceSingapore', 'ap-southeast-1', 'Singapore spoke of the Dynatrace PrivateLink hub');

  const dynatrace = new DynatracePrivateLink(hub, 'Dynatrace', {
    outputs: true,
    environment: DynatraceEnvironment.saas(ENVIRONMENT_ID),
    apiToken: secretsmanager.Secret.fromSecretNameV2(hub, 'ApiToken', API_TOKEN_SECRET),
    apiTokenField: 'apiToken',
    vpc: isolatedVpc(hub, '10.70.0.0/16', ['ap-southeast-2a', 'ap-southeast-2b']),
  });
  dynatrace.addSpokeVpc('Tokyo', isolatedVpc(tokyo, '10.71.0.0/16', ['ap-northeast-1a', 'ap-northeast-1c']));
  dynatrace.addSpokeVpc('Singapore', isolatedVpc(singapore, '10.72.0.0/16', ['ap-southeast-1a', 'ap-southeast-1b']));
  return app;
}

if (require.main === module) {
  createApp().synth();
}
