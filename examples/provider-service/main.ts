/**
 * Provider side: expose a database and an SSH tunnel host to a vendor over AWS PrivateLink.
 *
 * Shows: an internal Network Load Balancer in private subnets with one listener per port
 * (5432 to a database's IP address, 22 to an EC2 SSH tunnel instance), target groups with
 * proxy protocol v2, client-IP preservation and stickiness off, and a VPC endpoint service
 * that requires acceptance and allows one vendor principal. The service name is an output.
 *
 * Replace before deploying:
 * - VENDOR_PRINCIPAL: the account or IAM ARN your vendor gives you.
 * - DATABASE_IP: the private address of your database (inside the VPC's private subnets).
 * - the VPC: in a real app, pass your existing VPC (for example `ec2.Vpc.fromVpcAttributes`).
 *
 * Run: npx ts-node -r tsconfig-paths/register --project tsconfig.dev.json examples/provider-service/main.ts
 */
import { App, AppProps, Stack, StackProps, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { AwsCdkLibFunctions, PrivateLinkService, ServiceTarget } from 'cdk-saas-privatelink';

const VENDOR_PRINCIPAL = 'arn:aws:iam::123456789012:root';
const DATABASE_IP = '10.20.0.50';

export class ProviderServiceStack extends Stack {
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
      ipAddresses: ec2.IpAddresses.cidr('10.20.0.0/16'),
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [{ name: 'Private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 }],
      flowLogs: { all: { destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogs) } },
    });

    // A bastion-style host the vendor reaches on port 22 to tunnel into other systems.
    const tunnel = new ec2.Instance(this, 'SshTunnel', {
      vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      instanceType: ec2.InstanceType.of(ec2.InstanceClass.T3, ec2.InstanceSize.MICRO),
      machineImage: ec2.MachineImage.latestAmazonLinux2023(),
      requireImdsv2: true,
      detailedMonitoring: true,
      disableApiTermination: true,
      ebsOptimized: true,
      blockDevices: [{ deviceName: '/dev/xvda', volume: ec2.BlockDeviceVolume.ebs(8, { encrypted: true }) }],
    });

    new PrivateLinkService(this, 'ToVendor', {
      outputs: true,
      vpc,
      allowedPrincipals: [VENDOR_PRINCIPAL],
      ports: [
        { port: 5432, targets: [ServiceTarget.ipAddress(DATABASE_IP)], deregistrationDelay: Duration.seconds(30) },
        { port: 22, targets: [ServiceTarget.instance(tunnel)] },
      ],
    });
  }
}

export function createApp(props?: AppProps): App {
  const app = new App(props);
  // Under cdk init's flags each VPC brings aws-cdk-lib's default-security-group function: its checkov reasons.
  AwsCdkLibFunctions.addCheckovReasons(app);
  new ProviderServiceStack(app, 'ProviderService', {
    description: 'cdk-saas-privatelink example: a database and an SSH tunnel exposed to a vendor over PrivateLink',
  });
  return app;
}

if (require.main === module) {
  createApp().synth();
}
