'use strict';
/*
 * The reference app written with aws-cdk-lib alone: the same infrastructure as
 * bench/library-reference-app.js with the library's defaults (the same resource types, and as
 * many of each, over the whole app; bench/resource-parity.ts checks it), laid out the way a team
 * would write it by hand. The Dynatrace API calls (allowlist the account and read the endpoint
 * service name, enable PrivateLink), the supported-AZ lookup and the probes are Lambda functions
 * with inline stand-in code: the calls themselves are not implemented.
 *
 * Stacks:
 * - Hub (Sydney): the VPC, the endpoint with its security group, the endpoint's regional DNS name
 *   and zone ID published in SSM for the zones of other stacks, the Dynatrace calls, the zone the
 *   hub resolves the environment through, and the hub's probe;
 * - Spokes (Tokyo): per spoke, the peering (requested by the spoke) and the spoke's route;
 * - per spoke region, one stack in the hub's region, HubSide-<region> (the hub's routes to every
 *   spoke of that region and the endpoint's rule for each spoke's CIDR block), and one in the spoke
 *   region, SpokeDns-<region> (each spoke's private zone and one probe for all of them), after the
 *   first. Only when a stack would pass CloudFormation's 500 resources do the spokes of the region
 *   go into more pairs (HubSide-<region>-2, SpokeDns-<region>-2, ...), shared out evenly.
 * These stacks and Spokes read what they need from the others with weak references
 * (Fn::GetStackOutput), aws-cdk-lib's own, so no cross-region export custom resources.
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
const ssm = require('aws-cdk-lib/aws-ssm');
const { Construct } = require('constructs');
const { referenceNetwork } = require('./reference-network');

const ENVIRONMENT_ID = 'abc12345';
const HOSTNAME = `${ENVIRONMENT_ID}.live.dynatrace.com`;
const HUB_CIDR = '10.0.0.0/16';
const PROBE_TAG = 'probe-runner';
/** CloudFormation's limit of resources per stack. */
const MAX_RESOURCES = 500;
/** A probe's resources whatever the number of VPCs: runner (function, role, policy, logs), probe functions' role, policy and logs, check, schedule, permission. */
const PROBE_FIXED = 10;
/** A spoke's resources in its region's DNS stack: zone, record, probe function, its security group, its alarm. */
const DNS_PER_SPOKE = 5;

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

/** A role for Lambda functions, and a log group it may write to. */
function roleAndLogs(scope, id, description) {
  const logGroup = new logs.LogGroup(scope, `${id}Logs`, { retention: logs.RetentionDays.ONE_YEAR, removalPolicy: cdk.RemovalPolicy.DESTROY });
  const role = new iam.Role(scope, `${id}Role`, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'), description });
  logGroup.grantWrite(role);
  return { role, logGroup };
}

/** A function with a log group and a role of its own, or the ones given. */
function standInFunction(scope, id, { timeout, description, code = STAND_IN, shared, inVpc }) {
  const { role, logGroup } = shared ?? roleAndLogs(scope, id, description);
  return new lambda.Function(scope, id, {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline(code),
    timeout,
    memorySize: 256,
    description,
    role,
    logGroup,
    ...(inVpc ? { vpc: inVpc.vpc, vpcSubnets: { subnets: inVpc.vpc.privateSubnets }, securityGroups: [inVpc.securityGroup] } : {}),
  });
}

/**
 * A check from inside each of some VPCs that the hostname resolves to the endpoint and answers:
 * per VPC a function in it (all of the stack's sharing one role and log group) and an alarm on
 * the metric the runner publishes; one runner outside any VPC that invokes them at deploy time
 * (a custom resource, after `after`) and every five minutes (a schedule).
 */
function probe(scope, { vpcs, endpointId, after = [] }) {
  const stack = cdk.Stack.of(scope);
  const runner = standInFunction(scope, 'ProbeRunner', {
    timeout: cdk.Duration.minutes(3),
    description: 'Runs the PrivateLink probes (deploy-time check and canary)',
  });
  runner.addToRolePolicy(new iam.PolicyStatement({ actions: ['ec2:DescribeVpcEndpoints', 'ec2:DescribeNetworkInterfaces'], resources: ['*'] }));
  runner.addToRolePolicy(new iam.PolicyStatement({
    actions: ['cloudwatch:PutMetricData'],
    resources: ['*'],
    conditions: { StringEquals: { 'cloudwatch:namespace': 'SaasPrivateLink/Probe' } },
  }));
  // One statement for every probe function of the stack, found by tag: one ARN per function
  // would pass IAM's inline policy size at about 90 VPCs.
  runner.addToRolePolicy(new iam.PolicyStatement({
    actions: ['lambda:InvokeFunction'],
    resources: [`arn:aws:lambda:${stack.region}:${stack.account}:function:*`],
    conditions: { StringEquals: { [`aws:ResourceTag/${PROBE_TAG}`]: stack.stackName } },
  }));
  const shared = roleAndLogs(scope, 'ProbeFunctions', 'The PrivateLink probe functions of this stack');
  shared.role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['ec2:CreateNetworkInterface', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets', 'ec2:DeleteNetworkInterface',
      'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses'],
    resources: ['*'],
  }));

  const probes = vpcs.map(({ id, vpc: probeVpc, cidr }) => {
    const securityGroup = new ec2.SecurityGroup(scope, `${id}ProbeSecurityGroup`, {
      vpc: probeVpc,
      allowAllOutbound: false,
      description: `PrivateLink probe: DNS to the VPC resolver, TCP 443 to ${HOSTNAME}`,
    });
    securityGroup.addEgressRule(ec2.Peer.ipv4(cidr), ec2.Port.udp(53), 'DNS to the VPC resolver');
    securityGroup.addEgressRule(ec2.Peer.ipv4(cidr), ec2.Port.tcp(53), 'DNS over TCP to the VPC resolver');
    securityGroup.addEgressRule(ec2.Peer.ipv4(HUB_CIDR), ec2.Port.tcp(443), 'HTTPS to the endpoint');
    const fn = standInFunction(scope, `${id}Probe`, {
      timeout: cdk.Duration.seconds(20),
      description: `Checks from inside ${probeVpc.node.path} that ${HOSTNAME}:443 is reachable privately`,
      code: PROBE_STAND_IN,
      shared,
      inVpc: { vpc: probeVpc, securityGroup },
    });
    cdk.Tags.of(fn).add(PROBE_TAG, stack.stackName);
    new cloudwatch.Alarm(scope, `${id}Unreachable`, {
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
    return { FunctionArn: fn.functionArn, VpcId: probeVpc.vpcId, VpcCidr: cidr };
  });

  const input = { Hostname: HOSTNAME, Port: 443, EndpointId: endpointId, EndpointRegion: hub.region, Probes: probes };
  const check = new cdk.CustomResource(scope, 'ProbeCheck', {
    serviceToken: runner.functionArn,
    resourceType: 'Custom::PrivateLinkProbe',
    serviceTimeout: cdk.Duration.minutes(4),
    properties: { ...input, FailDeployment: 'false' },
  });
  if (after.length > 0) check.node.addDependency(...after);
  new events.Rule(scope, 'ProbeSchedule', {
    schedule: events.Schedule.rate(cdk.Duration.minutes(5)),
    targets: [new targets.LambdaFunction(runner, { event: events.RuleTargetInput.fromObject({ Probe: input }) })],
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
const regional = cdk.Fn.split(':', cdk.Fn.select(0, endpoint.attrDnsEntries));
const endpointDns = { dnsName: cdk.Fn.select(1, regional), hostedZoneId: cdk.Fn.select(0, regional) };
// The same two values published in SSM parameters, as the library does, for the spokes' zones
// in other stacks to read (and for anything else that needs them, by name).
const published = {
  dnsName: new ssm.StringParameter(hub, 'EndpointDnsName', { stringValue: endpointDns.dnsName, description: 'The endpoint\'s regional DNS name' }).stringValue,
  hostedZoneId: new ssm.StringParameter(hub, 'EndpointHostedZoneId', { stringValue: endpointDns.hostedZoneId, description: 'The hosted zone ID of the endpoint\'s regional DNS name' }).stringValue,
};

/** The environment's hostname resolves to the endpoint: an apex alias in a private zone. */
function aliasToEndpoint(scope, zone, target) {
  return new route53.ARecord(scope, 'Apex', { zone, target: route53.RecordTarget.fromAlias({ bind: () => target }) });
}
const zone = new route53.PrivateHostedZone(hub, 'Zone', { zoneName: HOSTNAME, vpc });
const apex = aliasToEndpoint(hub, zone, endpointDns);

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
probe(hubProbe, { vpcs: [{ id: 'Hub', vpc, cidr: vpc.vpcCidrBlock }], endpointId: endpoint.ref });

// Each spoke: the peering, requested by the spoke's stack so the hub stack never needs the
// spoke's ID, and the spoke's route to the hub.
cdk.CrossStackReferences.of(spokes).consume(cdk.ReferenceStrength.WEAK);
const spokeList = [];
for (let i = 0; i < spokeCount; i++) {
  const spokeVpc = importSpokeVpc(i);
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
  spokeList.push({ i, spokeVpc, peering, region: cdk.Stack.of(spokeVpc).region });
}

// Per spoke region: in the hub's region, the routes to its spokes and HTTPS from their CIDR
// blocks; in the spoke region, once those are in place, each spoke's own zone and the probe.
// As few pairs as CloudFormation's resource limit allows, the spokes shared out evenly.
const hubRouteTables = [...vpc.publicSubnets, ...vpc.privateSubnets].map((s) => s.routeTable.routeTableId);
const perPair = Math.min(Math.floor(MAX_RESOURCES / (hubRouteTables.length + 1)), Math.floor((MAX_RESOURCES - PROBE_FIXED) / DNS_PER_SPOKE));
const byRegion = new Map();
for (const spoke of spokeList) byRegion.set(spoke.region, [...byRegion.get(spoke.region) ?? [], spoke]);
for (const [region, regionSpokes] of byRegion) {
  const pairs = Math.ceil(regionSpokes.length / perPair);
  const size = Math.ceil(regionSpokes.length / pairs);
  for (let p = 0; p < pairs; p++) {
    const suffix = p === 0 ? '' : `-${p + 1}`;
    const hubSide = new cdk.Stack(app, `HubSide-${region}${suffix}`, { env: { account: hub.account, region: hub.region } });
    const dns = new cdk.Stack(app, `SpokeDns-${region}${suffix}`, { env: { account: hub.account, region } });
    cdk.CrossStackReferences.of(hubSide).consume(cdk.ReferenceStrength.WEAK);
    cdk.CrossStackReferences.of(dns).consume(cdk.ReferenceStrength.WEAK);
    dns.addStackDependency(hubSide, 'the spokes resolve the environment through the endpoint only once the hub routes to them');
    const zones = [];
    const probeVpcs = [];
    for (const { i, spokeVpc, peering } of regionSpokes.slice(p * size, (p + 1) * size)) {
      const spokeCidr = spokeVpc.vpcCidrBlock;
      const routes = new Construct(hubSide, `Spoke${i}`);
      hubRouteTables.forEach((routeTableId, r) => new ec2.CfnRoute(routes, `HubRoute${r}`, {
        routeTableId,
        destinationCidrBlock: spokeCidr,
        vpcPeeringConnectionId: peering.ref,
      }));
      new ec2.CfnSecurityGroupIngress(routes, 'EndpointIngress', {
        groupId: securityGroup.securityGroupId,
        ipProtocol: 'tcp',
        fromPort: 443,
        toPort: 443,
        cidrIp: spokeCidr,
        description: `HTTPS from spoke ${i}`,
      });
      const spokeDns = new Construct(dns, `Spoke${i}`);
      const spokeZone = new route53.PrivateHostedZone(spokeDns, 'Zone', { zoneName: HOSTNAME, vpc: spokeVpc });
      zones.push(spokeZone, aliasToEndpoint(spokeDns, spokeZone, published));
      probeVpcs.push({ id: `Spoke${i}`, vpc: spokeVpc, cidr: spokeCidr });
    }
    probe(dns, { vpcs: probeVpcs, endpointId: endpoint.ref, after: zones });
  }
}

// `cdk synth` sets CDK_OUTDIR, and the app then synthesizes itself on exit.
if (!process.env.CDK_OUTDIR) app.synth();
