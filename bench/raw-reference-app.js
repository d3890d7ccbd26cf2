'use strict';
/*
 * The reference app written with aws-cdk-lib alone: the same infrastructure as
 * bench/library-reference-app.js (the Dynatrace hub in Sydney and N spoke VPCs in Tokyo), the
 * way a team would write it without this library. The Dynatrace API calls (allowlist the
 * account and read the endpoint service name, enable PrivateLink) and the supported-AZ lookup
 * are custom resources backed by Lambda functions with inline stand-in code: the templates
 * have the same resources, but the calls themselves are not implemented.
 *
 * Run: CDK_OUTDIR=$(mktemp -d) node bench/raw-reference-app.js [spokes=50]
 */
const cdk = require('aws-cdk-lib');
const ec2 = require('aws-cdk-lib/aws-ec2');
const lambda = require('aws-cdk-lib/aws-lambda');
const iam = require('aws-cdk-lib/aws-iam');
const logs = require('aws-cdk-lib/aws-logs');
const route53 = require('aws-cdk-lib/aws-route53');
const secretsmanager = require('aws-cdk-lib/aws-secretsmanager');
const { referenceNetwork } = require('./reference-network');

const ENVIRONMENT_ID = 'abc12345';
const HOSTNAME = `${ENVIRONMENT_ID}.live.dynatrace.com`;

/** Answers CloudFormation with made-up values: where the real handler would call an API. */
const STAND_IN = `const response = require('cfn-response');
exports.handler = (event, context) => response.send(event, context, response.SUCCESS, {
  ServiceName: 'com.amazonaws.vpce.ap-southeast-2.vpce-svc-0123456789abcdef0',
  SubnetIds: (event.ResourceProperties.SubnetIds || []).join(','),
});`;

const { spokeCount, app, hub, spokes, vpc, spokeVpc: importSpokeVpc } = referenceNetwork();
const apiToken = secretsmanager.Secret.fromSecretNameV2(hub, 'ApiToken', 'dynatrace/api-token');

function standInFunction(id, timeout, description) {
  const logGroup = new logs.LogGroup(hub, `${id}Logs`, { retention: logs.RetentionDays.ONE_YEAR, removalPolicy: cdk.RemovalPolicy.DESTROY });
  return new lambda.Function(hub, id, {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline(STAND_IN),
    timeout,
    memorySize: 256,
    description,
    logGroup,
  });
}

// Allowlist the account with Dynatrace and read the endpoint service name.
const api = standInFunction('DynatraceApi', cdk.Duration.minutes(5), 'Dynatrace AWS PrivateLink API (allowlist, service name, enable)');
apiToken.grantRead(api);
const apiProperties = { ApiUrl: `https://${HOSTNAME}`, EnvironmentId: ENVIRONMENT_ID, TokenSecretArn: apiToken.secretArn };
const allowlist = new cdk.CustomResource(hub, 'Allowlist', {
  serviceToken: api.functionArn,
  resourceType: 'Custom::DynatracePrivateLink',
  serviceTimeout: cdk.Duration.minutes(6),
  properties: { ...apiProperties, Operation: 'Allowlist', Accounts: [hub.account], RetainOnDelete: 'true' },
});
allowlist.node.addDependency(api.role);
const serviceName = allowlist.getAttString('ServiceName');

// The interface endpoint, in the private subnets whose AZs the service supports.
const azFilter = standInFunction('AzFilter', cdk.Duration.minutes(2), 'Keeps the subnets in AZs a VPC endpoint service supports');
azFilter.addToRolePolicy(new iam.PolicyStatement({ actions: ['ec2:DescribeVpcEndpointServices', 'ec2:DescribeSubnets'], resources: ['*'] }));
const supported = new cdk.CustomResource(hub, 'SupportedSubnets', {
  serviceToken: azFilter.functionArn,
  resourceType: 'Custom::PrivateLinkAzFilter',
  serviceTimeout: cdk.Duration.minutes(3),
  properties: { ServiceName: serviceName, SubnetIds: vpc.privateSubnets.map((s) => s.subnetId) },
});
const securityGroup = new ec2.SecurityGroup(hub, 'EndpointSecurityGroup', {
  vpc,
  allowAllOutbound: false,
  description: 'Dynatrace PrivateLink endpoint: HTTPS from the hub and spoke VPCs',
});
securityGroup.addIngressRule(ec2.Peer.ipv4(vpc.vpcCidrBlock), ec2.Port.tcp(443), 'HTTPS from the hub VPC');
const endpoint = new ec2.CfnVPCEndpoint(hub, 'Endpoint', {
  vpcEndpointType: 'Interface',
  vpcId: vpc.vpcId,
  serviceName,
  subnetIds: cdk.Fn.split(',', supported.getAttString('SubnetIds')),
  securityGroupIds: [securityGroup.securityGroupId],
  privateDnsEnabled: false,
});

// The environment's hostname resolves to the endpoint (an apex alias in a private zone).
const zone = new route53.PrivateHostedZone(hub, 'Zone', { zoneName: HOSTNAME, vpc });
const regional = cdk.Fn.split(':', cdk.Fn.select(0, endpoint.attrDnsEntries));
new route53.ARecord(hub, 'Apex', {
  zone,
  target: route53.RecordTarget.fromAlias({ bind: () => ({ dnsName: cdk.Fn.select(1, regional), hostedZoneId: cdk.Fn.select(0, regional) }) }),
});

// Enable PrivateLink once the name resolves to the endpoint.
const enable = new cdk.CustomResource(hub, 'Enable', {
  serviceToken: api.functionArn,
  resourceType: 'Custom::DynatracePrivateLink',
  serviceTimeout: cdk.Duration.minutes(6),
  properties: { ...apiProperties, Operation: 'Enable', DisableOnDelete: 'false' },
});
enable.node.addDependency(zone, endpoint, api.role);

// Each spoke: a peering, routes both ways, HTTPS from its CIDR block, the zone associated.
const hubRouteTables = [...vpc.publicSubnets, ...vpc.privateSubnets].map((s) => s.routeTable.routeTableId);
for (let i = 0; i < spokeCount; i++) {
  const spokeVpc = importSpokeVpc(i);
  const spokeCidr = spokeVpc.vpcCidrBlock;
  const peering = new ec2.CfnVPCPeeringConnection(hub, `Peering${i}`, {
    vpcId: vpc.vpcId,
    peerVpcId: spokeVpc.vpcId,
    peerRegion: spokes.region,
    tags: [{ key: 'Name', value: `Dynatrace hub to spoke ${i}` }],
  });
  hubRouteTables.forEach((routeTableId, r) => new ec2.CfnRoute(hub, `Peering${i}Route${r}`, {
    routeTableId,
    destinationCidrBlock: spokeCidr,
    vpcPeeringConnectionId: peering.ref,
  }));
  new ec2.CfnRoute(spokes, `Spoke${i}Route`, {
    routeTableId: `rtb-${i}`,
    destinationCidrBlock: '10.0.0.0/16',
    vpcPeeringConnectionId: peering.ref,
  });
  securityGroup.addIngressRule(ec2.Peer.ipv4(spokeCidr), ec2.Port.tcp(443), `HTTPS from spoke ${i}`);
  zone.addVpc(spokeVpc);
}

// `cdk synth` sets CDK_OUTDIR, and the app then synthesizes itself on exit.
if (!process.env.CDK_OUTDIR) app.synth();
