/**
 * Datadog over AWS PrivateLink with a spoke in another region, Datadog's peering path: the hub
 * VPC in Sydney (ap-southeast-2, the AP2 site's region) has the endpoints, and a VPC in Tokyo
 * (ap-northeast-1) reaches them over inter-region VPC peering.
 *
 * Shows: `DatadogPrivateLink` with `peeredSpokes: true`: the endpoints' own private DNS is off,
 * and each endpoint service gets a private hosted zone named after its private DNS name (AP2's
 * anchors, such as orchid.intake.ap2.datadoghq.com, which Datadog's public host names are CNAMEs
 * to), with an alias to the endpoint. `addSpokeVpc` joins the Tokyo VPC in the guide's order:
 * peering, routes both ways, 443 opened to Tokyo's CIDR block, then Tokyo's own copies of the
 * zones and its probe. The stacks deploy in four waves:
 * 1. DatadogHub (Sydney): the hub VPC, the endpoints, the zones, the hub's probe;
 * 2. DatadogTokyo: the Tokyo VPC, the peering it requests and its routes;
 * 3. DatadogHub-DatadogTokyo-HubSide (Sydney, made by the construct): the hub's routes to Tokyo
 *    and the endpoints' rule for Tokyo's CIDR block;
 * 4. DatadogHub-DatadogTokyo-SpokeDns (Tokyo, made by the construct): Tokyo's zones, then the probe
 *    whose deploy-time check runs after them.
 * For one VPC in another region, Datadog recommends a `DatadogPrivateLink` of its own there
 * instead (native cross-region endpoints, no peering): see examples/datadog-same-region.
 */
import { App, AppProps, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { AwsCdkLibFunctions, DatadogPrivateLink, DatadogSite } from 'cdk-saas-privatelink';

const ACCOUNT = '111111111111';

/** A VPC of isolated subnets in the AZs given (a stack with a region, no lookups), with flow logs. */
function agentVpc(stack: Stack, cidr: string, azs: string[]): ec2.Vpc {
  const flowLogs = new logs.LogGroup(stack, 'FlowLogs', { retention: logs.RetentionDays.ONE_YEAR, removalPolicy: RemovalPolicy.RETAIN });
  // No customer-managed key: the reason goes into the template, where anyone's checkov run reads it.
  (flowLogs.node.defaultChild as logs.CfnLogGroup).addMetadata('checkov', {
    skip: [{ id: 'CKV_AWS_158', comment: 'Flow-log records hold addresses and ports, no secret values; CloudWatch Logs encrypts them at rest.' }],
  });
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    ipAddresses: ec2.IpAddresses.cidr(cidr),
    availabilityZones: azs,
    natGateways: 0,
    subnetConfiguration: [{ name: 'Agents', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 }],
    flowLogs: { all: { destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogs) } },
  });
  // The stack names its region, so its AZs are listed on purpose (cfn-lint's W3010 is for any-region templates).
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
  const hub = new Stack(app, 'DatadogHub', {
    env: { account: ACCOUNT, region: 'ap-southeast-2' },
    description: 'cdk-saas-privatelink example: Datadog (AP2) PrivateLink hub in Sydney',
  });
  const tokyo = new Stack(app, 'DatadogTokyo', {
    env: { account: ACCOUNT, region: 'ap-northeast-1' },
    description: 'cdk-saas-privatelink example: Tokyo spoke of the Datadog PrivateLink hub',
  });
  const datadog = new DatadogPrivateLink(hub, 'Datadog', {
    vpc: agentVpc(hub, '10.81.0.0/16', ['ap-southeast-2a', 'ap-southeast-2b']),
    site: DatadogSite.AP2,
    peeredSpokes: true,
    outputs: true,
  });
  datadog.addSpokeVpc('Tokyo', agentVpc(tokyo, '10.82.0.0/16', ['ap-northeast-1a', 'ap-northeast-1c']));
  return app;
}

if (require.main === module) {
  createApp().synth();
}
