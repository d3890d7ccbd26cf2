'use strict';
/*
 * The reference app written with aws-cdk-lib alone: the same stacks and resources as
 * bench/library-reference-app.js with the library's defaults, the way a team would write it
 * without this library. The Dynatrace API calls (allowlist the account and read the endpoint
 * service name, enable PrivateLink), the supported-AZ lookup and the probes are Lambda functions
 * with inline stand-in code: the templates have the same resource types and counts in every
 * stack (bench/resource-parity.ts checks it), but the calls themselves are not implemented.
 *
 * Stacks, named as the library names them so the two apps compare stack by stack:
 * - Hub (Sydney): the VPC, the endpoint with its security group, the Dynatrace calls, the zone
 *   the hub resolves the environment through, and a probe from the hub VPC;
 * - Spokes (Tokyo): per spoke, the peering (requested by the spoke) and the spoke's route;
 * - Hub-Dynatrace-Spoke<i> (Sydney), one per spoke: the hub's routes to the spoke, the endpoint's
 *   rule for the spoke's CIDR block and the spoke's own private zone, after the routes;
 * - Hub-Dynatrace-Spoke<i>-Probe (Tokyo), one per spoke: a probe from the spoke VPC.
 *
 * Run: CDK_OUTDIR=$(mktemp -d) node bench/raw-reference-app.js [spokes=50]
 */
const cdk = require('aws-cdk-lib');
const cloudwatch = require('aws-cdk-lib/aws-cloudwatch');
const ec2 = require('aws-cdk-lib/aws-ec2');
const events = require('aws-cdk-lib/aws-events');
const targets = require('aws-cdk-lib/aws-events-targets');
const iam = require('aws-cdk-lib/aws-iam');
const lambda = require('aws-cdk-lib/aws-lambda');
const logs = require('aws-cdk-lib/aws-logs');
const route53 = require('aws-cdk-lib/aws-route53');
const secretsmanager = require('aws-cdk-lib/aws-secretsmanager');
const { Construct } = require('constructs');
const { referenceNetwork } = require('./reference-network');

const ENVIRONMENT_ID = 'abc12345';
const HOSTNAME = `${ENVIRONMENT_ID}.live.dynatrace.com`;
const HUB_CIDR = '10.0.0.0/16';

/** Answers CloudFormation with made-up values: where the real handler would call an API. */
const STAND_IN = `const response = require('cfn-response');
exports.handler = (event, context) => event.RequestType
  ? response.send(event, context, response.SUCCESS, {
    ServiceName: 'com.amazonaws.vpce.ap-southeast-2.vpce-svc-0123456789abcdef0',
    SubnetIds: (event.ResourceProperties.SubnetIds || []).join(','),
  })
  : Promise.resolve({});`;
/** Where the real probe would resolve the hostname and connect from inside the VPC. */
const PROBE_STAND_IN = 'exports.handler = async () => ({ reachable: true });';

const { spokeCount, app, hub, spokes, vpc, spokeVpc: importSpokeVpc } = referenceNetwork();
const apiToken = secretsmanager.Secret.fromSecretNameV2(hub, 'ApiToken', 'dynatrace/api-token');

/** A function with a log group of its own and a role that may write only there. */
function standInFunction(scope, id, { timeout, description, code = STAND_IN, vpc: inVpc, subnets, securityGroup }) {
  const logGroup = new logs.LogGroup(scope, `${id}Logs`, { retention: logs.RetentionDays.ONE_YEAR, removalPolicy: cdk.RemovalPolicy.DESTROY });
  const role = new iam.Role(scope, `${id}Role`, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'), description });
  logGroup.grantWrite(role);
  if (inVpc) {
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['ec2:CreateNetworkInterface', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets', 'ec2:DeleteNetworkInterface',
        'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses'],
      resources: ['*'],
    }));
  }
  return new lambda.Function(scope, id, {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline(code),
    timeout,
    memorySize: 256,
    description,
    role,
    logGroup,
    ...(inVpc ? { vpc: inVpc, vpcSubnets: { subnets }, securityGroups: [securityGroup] } : {}),
  });
}

/**
 * A check from inside a VPC that the hostname resolves to the endpoint and answers: a function
 * in the VPC, a runner outside it that invokes it at deploy time (a custom resource) and every
 * five minutes (a schedule), and an alarm on the metric the runner publishes.
 */
function probe(scope, { probeVpc, vpcCidr, endpointId }) {
  const runner = standInFunction(scope, 'ProbeRunner', {
    timeout: cdk.Duration.minutes(3),
    description: 'Runs the PrivateLink probe (deploy-time check and canary)',
  });
  runner.addToRolePolicy(new iam.PolicyStatement({ actions: ['ec2:DescribeVpcEndpoints', 'ec2:DescribeNetworkInterfaces'], resources: ['*'] }));
  runner.addToRolePolicy(new iam.PolicyStatement({
    actions: ['cloudwatch:PutMetricData'],
    resources: ['*'],
    conditions: { StringEquals: { 'cloudwatch:namespace': 'SaasPrivateLink/Probe' } },
  }));
  const securityGroup = new ec2.SecurityGroup(scope, 'ProbeSecurityGroup', {
    vpc: probeVpc,
    allowAllOutbound: false,
    description: `PrivateLink probe: DNS to the VPC resolver, TCP 443 to ${HOSTNAME}`,
  });
  securityGroup.addEgressRule(ec2.Peer.ipv4(vpcCidr), ec2.Port.udp(53), 'DNS to the VPC resolver');
  securityGroup.addEgressRule(ec2.Peer.ipv4(vpcCidr), ec2.Port.tcp(53), 'DNS over TCP to the VPC resolver');
  securityGroup.addEgressRule(ec2.Peer.ipv4(HUB_CIDR), ec2.Port.tcp(443), 'HTTPS to the endpoint');
  const inVpc = standInFunction(scope, 'ProbeInVpc', {
    timeout: cdk.Duration.seconds(20),
    description: `Checks from inside the VPC that ${HOSTNAME}:443 is reachable privately`,
    code: PROBE_STAND_IN,
    vpc: probeVpc,
    subnets: probeVpc.privateSubnets,
    securityGroup,
  });
  runner.addToRolePolicy(new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [inVpc.functionArn] }));

  const input = {
    Hostname: HOSTNAME,
    Port: 443,
    EndpointId: endpointId,
    EndpointRegion: hub.region,
    Probes: [{ FunctionArn: inVpc.functionArn, VpcId: probeVpc.vpcId, VpcCidr: vpcCidr }],
  };
  new cdk.CustomResource(scope, 'ProbeCheck', {
    serviceToken: runner.functionArn,
    resourceType: 'Custom::PrivateLinkProbe',
    serviceTimeout: cdk.Duration.minutes(4),
    properties: { ...input, FailDeployment: 'false' },
  });
  new events.Rule(scope, 'ProbeSchedule', {
    schedule: events.Schedule.rate(cdk.Duration.minutes(5)),
    targets: [new targets.LambdaFunction(runner, { event: events.RuleTargetInput.fromObject({ Probe: input }) })],
  });
  new cloudwatch.Alarm(scope, 'ProbeUnreachable', {
    alarmDescription: `${HOSTNAME}:443 is not reachable privately from ${probeVpc.node.path}, or the probe sent no data`,
    metric: new cloudwatch.Metric({
      namespace: 'SaasPrivateLink/Probe',
      metricName: 'Reachable',
      dimensionsMap: { Hostname: HOSTNAME, VpcId: probeVpc.vpcId },
      statistic: 'Minimum',
      period: cdk.Duration.minutes(5),
    }),
    threshold: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
    evaluationPeriods: 2,
    datapointsToAlarm: 2,
    treatMissingData: cloudwatch.TreatMissingData.BREACHING,
  });
}

// Allowlist the account with Dynatrace and read the endpoint service name.
const api = standInFunction(hub, 'DynatraceApi', {
  timeout: cdk.Duration.minutes(5),
  description: 'Dynatrace AWS PrivateLink API (allowlist, service name, enable)',
});
apiToken.grantRead(api);
api.addToRolePolicy(new iam.PolicyStatement({ actions: ['ec2:DescribeVpcEndpointServices'], resources: ['*'] }));
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
const azFilter = standInFunction(hub, 'AzFilter', {
  timeout: cdk.Duration.minutes(2),
  description: 'Keeps the subnets in AZs a VPC endpoint service supports',
});
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
securityGroup.addIngressRule(ec2.Peer.ipv4(HUB_CIDR), ec2.Port.tcp(443), 'HTTPS from the hub VPC');
const endpoint = new ec2.CfnVPCEndpoint(hub, 'Endpoint', {
  vpcEndpointType: 'Interface',
  vpcId: vpc.vpcId,
  serviceName,
  subnetIds: cdk.Fn.split(',', supported.getAttString('SubnetIds')),
  securityGroupIds: [securityGroup.securityGroupId],
  privateDnsEnabled: false,
});

/** The environment's hostname resolves to the endpoint: an apex alias in a private zone. */
function aliasToEndpoint(scope, zone) {
  const regional = cdk.Fn.split(':', cdk.Fn.select(0, endpoint.attrDnsEntries));
  return new route53.ARecord(scope, 'Apex', {
    zone,
    target: route53.RecordTarget.fromAlias({ bind: () => ({ dnsName: cdk.Fn.select(1, regional), hostedZoneId: cdk.Fn.select(0, regional) }) }),
  });
}
const zone = new route53.PrivateHostedZone(hub, 'Zone', { zoneName: HOSTNAME, vpc });
const apex = aliasToEndpoint(hub, zone);

// Enable PrivateLink once the name resolves to the endpoint.
const enable = new cdk.CustomResource(hub, 'Enable', {
  serviceToken: api.functionArn,
  resourceType: 'Custom::DynatracePrivateLink',
  serviceTimeout: cdk.Duration.minutes(6),
  properties: { ...apiProperties, Operation: 'Enable', DisableOnDelete: 'false' },
});
enable.node.addDependency(zone, apex, endpoint, api.role);

// The hub's own probe, once PrivateLink is enabled.
const hubProbe = new Construct(hub, 'HubProbe');
hubProbe.node.addDependency(enable);
probe(hubProbe, { probeVpc: vpc, vpcCidr: vpc.vpcCidrBlock, endpointId: endpoint.ref });

// Each spoke: the peering, requested by the spoke's stack so the hub stack never needs the
// spoke's ID; in a stack of the hub's region, routes to the spoke, HTTPS from its CIDR block and
// then its own zone; in a stack of the spoke's region, its probe.
const hubRouteTables = [...vpc.publicSubnets, ...vpc.privateSubnets].map((s) => s.routeTable.routeTableId);
for (let i = 0; i < spokeCount; i++) {
  const spokeVpc = importSpokeVpc(i);
  const spokeCidr = spokeVpc.vpcCidrBlock;
  const peering = new ec2.CfnVPCPeeringConnection(spokes, `Peering${i}`, {
    vpcId: spokeVpc.vpcId,
    peerVpcId: vpc.vpcId,
    peerRegion: hub.region,
    tags: [{ key: 'Name', value: `Dynatrace hub to spoke ${i}` }],
  });
  spokeVpc.privateSubnets.forEach((subnet, r) => new ec2.CfnRoute(spokes, `Peering${i}Route${r}`, {
    routeTableId: subnet.routeTable.routeTableId,
    destinationCidrBlock: HUB_CIDR,
    vpcPeeringConnectionId: peering.ref,
  }));

  const hubSide = new cdk.Stack(app, `Hub-Dynatrace-Spoke${i}`, { env: { account: hub.account, region: hub.region }, crossRegionReferences: true });
  const routes = hubRouteTables.map((routeTableId, r) => new ec2.CfnRoute(hubSide, `HubRoute${r}`, {
    routeTableId,
    destinationCidrBlock: spokeCidr,
    vpcPeeringConnectionId: peering.ref,
  }));
  const ingress = new ec2.CfnSecurityGroupIngress(hubSide, 'EndpointIngress', {
    groupId: securityGroup.securityGroupId,
    ipProtocol: 'tcp',
    fromPort: 443,
    toPort: 443,
    cidrIp: spokeCidr,
    description: `HTTPS from spoke ${i}`,
  });
  const spokeZone = new route53.PrivateHostedZone(hubSide, 'Zone', { zoneName: HOSTNAME, vpc: spokeVpc });
  spokeZone.node.addDependency(...routes, ingress);
  aliasToEndpoint(hubSide, spokeZone);

  const probeStack = new cdk.Stack(app, `Hub-Dynatrace-Spoke${i}-Probe`, { env: { account: spokes.account, region: spokes.region }, crossRegionReferences: true });
  probeStack.addStackDependency(hubSide, 'the spoke resolves the environment through its zone');
  probe(probeStack, { probeVpc: spokeVpc, vpcCidr: spokeCidr, endpointId: endpoint.ref });
}

// `cdk synth` sets CDK_OUTDIR, and the app then synthesizes itself on exit.
if (!process.env.CDK_OUTDIR) app.synth();
