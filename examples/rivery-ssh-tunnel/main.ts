/**
 * Rivery over AWS PrivateLink through an EC2 SSH tunnel instance.
 *
 * Shows: `RiveryPrivateLink` with `RiveryTarget.sshTunnel`: an internal Network Load Balancer
 * with an instance target group on port 22 (proxy protocol v2, client-IP preservation and
 * stickiness off), a VPC endpoint service that allows Rivery's principal and requires
 * acceptance, and the tunnel's security group opened on 22 to the load balancer's subnets only.
 * In Rivery's connection form, the SSH tunnel host is the hostname Rivery sends you, and the
 * database host is your database's private DNS name, which the tunnel reaches.
 *
 * Replace before deploying:
 * - the VPC and the tunnel instance: in a real app, pass your own (`ec2.Vpc.fromVpcAttributes`,
 *   `ec2.Instance`), with Rivery's public key in the tunnel user's authorized_keys.
 *
 * After deploying: send the output EndpointServiceName to Rivery, accept their connection
 * request in the VPC console (Endpoint services, Endpoint connections), and wait for the hostname.
 *
 * Run: npx ts-node -r tsconfig-paths/register --project tsconfig.dev.json examples/rivery-ssh-tunnel/main.ts
 */
import { App, AppProps, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { AwsCdkLibFunctions, RiveryPrivateLink, RiveryTarget } from 'cdk-saas-privatelink';

export class RiverySshTunnelStack extends Stack {
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
      ipAddresses: ec2.IpAddresses.cidr('10.40.0.0/16'),
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [{ name: 'Private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 }],
      flowLogs: { all: { destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogs) } },
    });

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

    new RiveryPrivateLink(this, 'Rivery', {
      outputs: true,
      vpc,
      target: RiveryTarget.sshTunnel(tunnel),
    });
  }
}

export function createApp(props?: AppProps): App {
  const app = new App(props);
  // Under cdk init's flags each VPC brings aws-cdk-lib's default-security-group function: its checkov reasons.
  AwsCdkLibFunctions.addCheckovReasons(app);
  new RiverySshTunnelStack(app, 'RiverySshTunnel', {
    description: 'cdk-saas-privatelink example: Rivery through an EC2 SSH tunnel over PrivateLink',
  });
  return app;
}

if (require.main === module) {
  createApp().synth();
}
