/**
 * Consumer side across regions over peering (the Dynatrace guide's scenario): the endpoint
 * lives in the vendor's region, Sydney (ap-southeast-2); workloads run in an existing VPC in
 * Tokyo (ap-northeast-1). One app, one stack per region.
 *
 * Shows: in Sydney, the endpoint and a private hosted zone for the vendor hostname. In Tokyo,
 * an inter-region peering connection from the existing Tokyo VPC to the hub (PeerRegion
 * Sydney) and routes to Sydney in every route table of that VPC. In
 * PrivateLinkSydney-PrivateLinkTokyo-HubSide (a Sydney stack `SpokePeering` creates for the spokes
 * of the Tokyo stack), routes to Tokyo in every Sydney route table and 443 opened to the Tokyo
 * CIDR; then in PrivateLinkSydney-PrivateLinkTokyo-SpokeDns (Tokyo), a private zone of Tokyo's own
 * for the vendor hostname. `cdk deploy --all` orders them: PrivateLinkSydney, PrivateLinkTokyo,
 * PrivateLinkSydney-PrivateLinkTokyo-HubSide, PrivateLinkSydney-PrivateLinkTokyo-SpokeDns.
 * A spoke VPC created in the app works the same way (see examples/dynatrace-hub-and-spokes).
 *
 * Replace before deploying:
 * - ACCOUNT: your AWS account (both stacks must be in one account).
 * - SERVICE_NAME and HOSTNAME: from the vendor.
 * - TOKYO_VPC: the ID, CIDR block, AZs, subnet IDs and route table IDs of your Tokyo VPC.
 */
import { App, AppProps, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { AwsCdkLibFunctions, DnsTarget, PrivateDnsOverride, PrivateLinkEndpoint, SpokePeering } from 'cdk-saas-privatelink';

const ACCOUNT = '111111111111';
const SERVICE_NAME = 'com.amazonaws.vpce.ap-southeast-2.vpce-svc-0123456789abcdef0';
const HOSTNAME = 'tenant1.api.vendor.example';
const TOKYO_VPC: ec2.VpcAttributes = {
  vpcId: 'vpc-0a1b2c3d4e5f60718',
  vpcCidrBlock: '10.41.0.0/16',
  availabilityZones: ['ap-northeast-1a', 'ap-northeast-1c'],
  privateSubnetIds: ['subnet-0a1b2c3d4e5f60001', 'subnet-0a1b2c3d4e5f60002'],
  privateSubnetRouteTableIds: ['rtb-0a1b2c3d4e5f60001', 'rtb-0a1b2c3d4e5f60002'],
};

export function createApp(props?: AppProps): App {
  const app = new App(props);
  // Under cdk init's flags each VPC brings aws-cdk-lib's default-security-group function: its checkov reasons.
  AwsCdkLibFunctions.addCheckovReasons(app);

  const sydney = new Stack(app, 'PrivateLinkSydney', {
    env: { account: ACCOUNT, region: 'ap-southeast-2' },
    description: 'cdk-saas-privatelink example: vendor endpoint hub in Sydney, shared with Tokyo over peering',
  });
  // The Tokyo stack reads the hub VPC's ID from Sydney: a cross-region reference.
  const tokyo = new Stack(app, 'PrivateLinkTokyo', {
    env: { account: ACCOUNT, region: 'ap-northeast-1' },
    description: 'cdk-saas-privatelink example: Tokyo routes to the Sydney vendor endpoint hub',
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
  const hubVpc = new ec2.Vpc(sydney, 'HubVpc', {
    ipAddresses: ec2.IpAddresses.cidr('10.40.0.0/16'),
    availabilityZones: ['ap-southeast-2a', 'ap-southeast-2b'],
    natGateways: 0,
    subnetConfiguration: [{ name: 'Private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 }],
    flowLogs: { all: { destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogs) } },
  });
  // Stacks with a named region list their AZs (no synth-time lookup); cfn-lint's W3010 is
  // about templates meant for any region, which these are not (aws-cdk-lib's own CloudFormation
  // validation reports the same check).
  for (const subnet of hubVpc.isolatedSubnets) {
    (subnet.node.defaultChild as ec2.CfnSubnet).addMetadata('cfn-lint', { config: { ignore_checks: ['W3010'] } });
    Validations.of(subnet).acknowledge({ id: 'CloudFormation-Validate::W3010', reason: 'The stack names its region; its AZs are listed on purpose.' });
  }
  const endpoint = new PrivateLinkEndpoint(sydney, 'Vendor', { vpc: hubVpc, serviceName: SERVICE_NAME, outputs: true });
  const dns = new PrivateDnsOverride(sydney, 'VendorDns', {
    zoneName: HOSTNAME,
    vpc: hubVpc,
    target: DnsTarget.fromEndpoint(endpoint),
  });

  const tokyoVpc = ec2.Vpc.fromVpcAttributes(tokyo, 'TokyoVpc', TOKYO_VPC);
  new SpokePeering(sydney, 'Tokyo', { endpoint, spokeVpc: tokyoVpc, dnsOverrides: [dns] });

  return app;
}

if (require.main === module) {
  createApp().synth();
}
