/**
 * Consumer side, native cross-region PrivateLink: a VPC in Tokyo (ap-northeast-1) reaches a
 * vendor's endpoint service in Sydney (ap-southeast-2) through its own interface endpoint,
 * with no peering. The provider must allow Tokyo in its service's supported regions.
 *
 * Shows: `serviceRegion` on the endpoint (the AZ check keeps every local subnet, since the
 * service's AZs are Sydney's), and a private hosted zone in Tokyo for the vendor hostname.
 *
 * Deploy it to the consumer's region (here Tokyo): `cdk deploy` with AWS_REGION=ap-northeast-1.
 *
 * Replace before deploying:
 * - SERVICE_NAME and HOSTNAME: from the vendor; SERVICE_REGION: the service's region.
 * - the VPC: in a real app, pass your existing VPC.
 */
import { App, AppProps, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { AwsCdkLibFunctions, DnsTarget, PrivateDnsOverride, PrivateLinkEndpoint } from 'cdk-saas-privatelink';

const SERVICE_NAME = 'com.amazonaws.vpce.ap-southeast-2.vpce-svc-0123456789abcdef0';
const SERVICE_REGION = 'ap-southeast-2';
const HOSTNAME = 'tenant1.api.vendor.example';

export class CrossRegionConsumerStack extends Stack {
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
      natGateways: 0,
      subnetConfiguration: [{ name: 'Private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 }],
      flowLogs: { all: { destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogs) } },
    });

    const endpoint = new PrivateLinkEndpoint(this, 'Vendor', {
      outputs: true,
      vpc,
      serviceName: SERVICE_NAME,
      serviceRegion: SERVICE_REGION,
    });
    new PrivateDnsOverride(this, 'VendorDns', { zoneName: HOSTNAME, vpc, target: DnsTarget.fromEndpoint(endpoint) });
  }
}

export function createApp(props?: AppProps): App {
  const app = new App(props);
  // Under cdk init's flags each VPC brings aws-cdk-lib's default-security-group function: its checkov reasons.
  AwsCdkLibFunctions.addCheckovReasons(app);
  new CrossRegionConsumerStack(app, 'ConsumerCrossRegion', {
    description: 'cdk-saas-privatelink example: native cross-region endpoint from Tokyo to a Sydney service',
  });
  return app;
}

if (require.main === module) {
  createApp().synth();
}
