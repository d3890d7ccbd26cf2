/**
 * MongoDB Atlas over AWS PrivateLink, one VPC: applications in a VPC reach a dedicated Atlas
 * cluster whose nodes run in the same AWS region, without leaving AWS's network. The stack names no
 * region: deploy it to the cluster's region (us-east-1 for the probe host below).
 *
 * Shows: `MongoDbAtlasPrivateLink` with Atlas's handshake in both directions, done at deploy
 * time by two custom resources that call the Atlas Administration API with a service account:
 * 1. the project's endpoint service for the stack's region (adopted if it exists, else created), awaited
 *    until Atlas has built it (3 to 5 minutes) and named its endpoint service;
 * 2. the interface endpoint to that name, in the AZs the service supports, private DNS off (Atlas
 *    publishes the `-pl-` host names in public DNS as CNAMEs to the endpoint: no hosted zone);
 * 3. the endpoint's registration with Atlas, awaited until Atlas reports it AVAILABLE.
 * The endpoint's security group opens TCP 1024-65535 (Atlas's ports, one per node, which may
 * change) to the application's security group only. With the cluster's private host
 * (`probeHostname`), a probe checks from inside the VPC that it resolves to the endpoint and
 * answers TLS on port 1024.
 *
 * Replace: the project ID, the secret's name (a JSON secret `{"clientId": ..., "clientSecret": ...}`
 * of an Atlas service account with Project Owner on the project), and the probe's host (from the
 * cluster's private connection string, `mongodb+srv://cluster0-pl-0.<id>.mongodb.net`).
 */
import { App, AppProps, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { AwsCdkLibFunctions, MongoDbAtlasPrivateLink } from 'cdk-saas-privatelink';

export class MongoDbAtlasSameRegionStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    const flowLogs = new logs.LogGroup(this, 'FlowLogs', { retention: logs.RetentionDays.ONE_YEAR, removalPolicy: RemovalPolicy.RETAIN });
    // No customer-managed key: the reason goes into the template, where anyone's checkov run reads it.
    (flowLogs.node.defaultChild as logs.CfnLogGroup).addMetadata('checkov', {
      skip: [{ id: 'CKV_AWS_158', comment: 'Flow-log records hold addresses and ports, no secret values; CloudWatch Logs encrypts them at rest.' }],
    });
    const vpc = new ec2.Vpc(this, 'AppVpc', {
      ipAddresses: ec2.IpAddresses.cidr('10.84.0.0/16'),
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [{ name: 'App', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 }],
      flowLogs: { all: { destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogs) } },
    });
    // The applications that use the database: the only clients the endpoint admits.
    const app = new ec2.SecurityGroup(this, 'AppSecurityGroup', {
      vpc,
      description: 'Applications that connect to MongoDB Atlas',
      allowAllOutbound: false,
    });

    const atlas = new MongoDbAtlasPrivateLink(this, 'Atlas', {
      vpc,
      projectId: '0123456789abcdef01234567',
      credentials: secretsmanager.Secret.fromSecretNameV2(this, 'AtlasServiceAccount', 'mongodb-atlas/service-account'),
      probeHostname: 'pl-0-us-east-1.ab1cd.mongodb.net',
      outputs: true,
    });
    atlas.connections.allowDefaultPortFrom(app, 'Applications to MongoDB Atlas');
    app.connections.allowTo(atlas, ec2.Port.tcpRange(1024, 65535), 'MongoDB Atlas over PrivateLink');
  }
}

export function createApp(props?: AppProps): App {
  const app = new App(props);
  // Under cdk init's flags the VPC brings aws-cdk-lib's default-security-group function: its checkov reasons.
  AwsCdkLibFunctions.addCheckovReasons(app);
  // No region named: deploy it to the region of the cluster's nodes (the handler asks Atlas for that region's service).
  new MongoDbAtlasSameRegionStack(app, 'MongoDbAtlasSameRegion', {
    description: 'cdk-saas-privatelink example: MongoDB Atlas over PrivateLink from one VPC',
  });
  return app;
}

if (require.main === module) {
  createApp().synth();
}
