/**
 * MongoDB Atlas over AWS PrivateLink with a spoke in another region: the cluster's nodes and the
 * hub VPC are in Frankfurt (eu-central-1), and applications in a VPC in Ireland (eu-west-1) reach
 * the cluster through the hub's endpoint over inter-region VPC peering (Atlas's guidance for
 * VPCs outside the endpoint's region).
 *
 * Shows: `MongoDbAtlasPrivateLink` in the hub (endpoint service, endpoint and registration, as in
 * examples/mongodb-atlas-same-region, with an API key instead of a service account) and
 * `addSpokeVpc`: the peering, routes both ways, and the endpoint's rule for Ireland's CIDR block
 * on TCP 1024-65535. No DNS is needed anywhere: Atlas's `-pl-` host names resolve in public DNS
 * to the hub endpoint's private addresses, which the peering makes reachable. The stacks deploy
 * in four waves:
 * 1. AtlasHub (Frankfurt): the hub VPC, the custom resources, the endpoint;
 * 2. AtlasIreland: the Ireland VPC, the peering it requests and its routes;
 * 3. AtlasHub-AtlasIreland-HubSide (Frankfurt, made by the construct): the hub's routes to
 *    Ireland and the endpoint's rule for Ireland's CIDR block;
 * 4. AtlasHub-AtlasIreland-SpokeDns (Ireland, made by the construct): Ireland's probe, whose
 *    deploy-time check runs after the routes and the rule.
 *
 * Replace: the project ID, the secret's name (a JSON secret `{"publicKey": ..., "privateKey": ...}`
 * of an Atlas API key with Project Owner on the project) and the probe's host.
 */
import { App, AppProps, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { AwsCdkLibFunctions, MongoDbAtlasPrivateLink } from 'cdk-saas-privatelink';

const ACCOUNT = '111111111111';

/** A VPC of isolated subnets in the AZs given (a stack with a region, no lookups), with flow logs. */
function appVpc(stack: Stack, cidr: string, azs: string[]): ec2.Vpc {
  const flowLogs = new logs.LogGroup(stack, 'FlowLogs', { retention: logs.RetentionDays.ONE_YEAR, removalPolicy: RemovalPolicy.RETAIN });
  // No customer-managed key: the reason goes into the template, where anyone's checkov run reads it.
  (flowLogs.node.defaultChild as logs.CfnLogGroup).addMetadata('checkov', {
    skip: [{ id: 'CKV_AWS_158', comment: 'Flow-log records hold addresses and ports, no secret values; CloudWatch Logs encrypts them at rest.' }],
  });
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    ipAddresses: ec2.IpAddresses.cidr(cidr),
    availabilityZones: azs,
    natGateways: 0,
    subnetConfiguration: [{ name: 'App', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 }],
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
  const hub = new Stack(app, 'AtlasHub', {
    env: { account: ACCOUNT, region: 'eu-central-1' },
    description: 'cdk-saas-privatelink example: MongoDB Atlas PrivateLink hub in Frankfurt',
  });
  const ireland = new Stack(app, 'AtlasIreland', {
    env: { account: ACCOUNT, region: 'eu-west-1' },
    description: 'cdk-saas-privatelink example: Ireland spoke of the MongoDB Atlas PrivateLink hub',
  });
  const hubCidr = '10.85.0.0/16';
  const hubVpc = appVpc(hub, hubCidr, ['eu-central-1a', 'eu-central-1b']);
  const atlas = new MongoDbAtlasPrivateLink(hub, 'Atlas', {
    vpc: hubVpc,
    projectId: '0123456789abcdef01234567',
    credentials: secretsmanager.Secret.fromSecretNameV2(hub, 'AtlasApiKey', 'mongodb-atlas/api-key'),
    probeHostname: 'pl-0-eu-central-1.ab1cd.mongodb.net',
    outputs: true,
  });
  // Applications in the hub VPC itself: their CIDR block may connect.
  atlas.allowFrom(ec2.Peer.ipv4(hubCidr), 'applications in the hub VPC');
  atlas.addSpokeVpc('Ireland', appVpc(ireland, '10.86.0.0/16', ['eu-west-1a', 'eu-west-1b']));
  return app;
}

if (require.main === module) {
  createApp().synth();
}
