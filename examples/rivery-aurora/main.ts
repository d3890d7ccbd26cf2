/**
 * Rivery over AWS PrivateLink to an Aurora PostgreSQL cluster, surviving failovers.
 *
 * Shows: `RiveryPrivateLink` with `RiveryTarget.auroraCluster`: an internal Network Load
 * Balancer with an IP target group that a `HostnameTargetSync` keeps equal to the cluster's
 * writer endpoint (every minute and at once on failover events), a VPC endpoint service that
 * allows Rivery's principal, auto-accept of Rivery's connection request, and the cluster's
 * security group opened on 5432 to the load balancer's subnets only. The VPC has no NAT: the
 * sync function reaches the Elastic Load Balancing API through an interface endpoint.
 *
 * Replace before deploying:
 * - the VPC and the cluster: in a real app, pass your own (`ec2.Vpc.fromVpcAttributes`,
 *   `rds.DatabaseCluster.fromDatabaseClusterAttributes`) and their port.
 * - RIVERY_CONSOLE_REGION: the region of your Rivery console, if it differs from this stack's.
 *
 * After deploying: send the output EndpointServiceName to Rivery; their connection request is
 * accepted automatically; Rivery sends you the hostname to use in your connection.
 *
 * Run: npx ts-node -r tsconfig-paths/register --project tsconfig.dev.json examples/rivery-aurora/main.ts
 */
import { App, AppProps, RemovalPolicy, Stack, StackProps, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import type { Construct } from 'constructs';
import { AwsCdkLibFunctions, RiveryPrivateLink, RiveryTarget } from 'cdk-saas-privatelink';

const DATABASE_PORT = 5432;
const RIVERY_CONSOLE_REGION = 'us-east-1';

export class RiveryAuroraStack extends Stack {
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
      ipAddresses: ec2.IpAddresses.cidr('10.30.0.0/16'),
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [{ name: 'Private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 }],
      flowLogs: { all: { destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogs) } },
    });
    // The sync function calls the Elastic Load Balancing API; without NAT it needs this endpoint,
    // open to the sync function only.
    const elbEndpoint = vpc.addInterfaceEndpoint('ElasticLoadBalancing', {
      service: ec2.InterfaceVpcEndpointAwsService.ELASTIC_LOAD_BALANCING,
      open: false,
    });

    const key = new kms.Key(this, 'DatabaseKey', { description: 'Encrypts the Aurora cluster and its secret', enableKeyRotation: true });
    const cluster = new rds.DatabaseCluster(this, 'Aurora', {
      engine: rds.DatabaseClusterEngine.auroraPostgres({ version: rds.AuroraPostgresEngineVersion.VER_17_9 }),
      writer: rds.ClusterInstance.serverlessV2('Writer'),
      readers: [rds.ClusterInstance.serverlessV2('Reader', { scaleWithWriter: true })],
      vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      port: DATABASE_PORT,
      credentials: rds.Credentials.fromGeneratedSecret('postgres', { encryptionKey: key }),
      storageEncrypted: true,
      storageEncryptionKey: key,
      iamAuthentication: true,
      deletionProtection: true,
      cloudwatchLogsExports: ['postgresql'],
      removalPolicy: RemovalPolicy.SNAPSHOT,
    });
    Validations.of(cluster).acknowledge(
      { id: 'AwsSolutions-RDS11', reason: 'Rivery connects on the port you give it; the PostgreSQL default keeps the example simple.' },
      { id: 'AwsSolutions-SMG4', reason: 'Rotating the admin secret is the database owner\'s choice; Rivery uses its own database user.' },
    );
    // Enhanced monitoring needs a role with an AWS managed policy; turning it on is the database owner's choice.
    for (const instance of cluster.node.findAll().filter((c): c is rds.CfnDBInstance => c instanceof rds.CfnDBInstance)) {
      instance.addMetadata('checkov', { skip: [{ id: 'CKV_AWS_118', comment: 'Enhanced monitoring is the database owner\'s choice; it needs an AWS managed policy.' }] });
      Validations.of(instance).acknowledge({
        id: 'CloudFormation-Validate::W9008',
        reason: 'An Aurora instance is encrypted by its cluster (storageEncrypted, with the key above); StorageEncrypted does not apply to it.',
      });
    }

    const rivery = new RiveryPrivateLink(this, 'Rivery', {
      outputs: true,
      vpc,
      target: RiveryTarget.auroraCluster(cluster),
      port: DATABASE_PORT,
      allowedRegions: [RIVERY_CONSOLE_REGION],
      autoAccept: {},
    });
    elbEndpoint.connections.allowDefaultPortFrom(rivery.sync!, 'The hostname target sync calls the ELB API');
  }
}

export function createApp(props?: AppProps): App {
  const app = new App(props);
  // Under cdk init's flags each VPC brings aws-cdk-lib's default-security-group function: its checkov reasons.
  AwsCdkLibFunctions.addCheckovReasons(app);
  new RiveryAuroraStack(app, 'RiveryAurora', {
    // allowedRegions needs a known region (the partition check and vpce:AllowMultiRegion).
    env: { region: 'eu-west-1' },
    description: 'cdk-saas-privatelink example: Rivery to an Aurora PostgreSQL cluster over PrivateLink, following failovers',
  });
  return app;
}

if (require.main === module) {
  createApp().synth();
}
