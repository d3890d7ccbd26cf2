import { App, CfnResource, Duration, Fn, Stack, Token } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks } from 'cdk-nag';
import { PrivateLinkProbe, PrivateLinkProbeProps } from '../../src/probe';

const HOST = 'abc12345.live.dynatrace.com';

function setup(region = 'eu-west-1') {
  const app = new App();
  const stack = new Stack(app, 'Stack', { env: { account: '111111111111', region } });
  const hub = new ec2.Vpc(stack, 'Hub', { ipAddresses: ec2.IpAddresses.cidr('10.0.0.0/16'), maxAzs: 2, natGateways: 0 });
  const spoke = new ec2.Vpc(stack, 'Spoke', { ipAddresses: ec2.IpAddresses.cidr('10.42.0.0/16'), maxAzs: 2, natGateways: 0 });
  const endpoint = ec2.InterfaceVpcEndpoint.fromInterfaceVpcEndpointAttributes(stack, 'Endpoint', { vpcEndpointId: 'vpce-0123456789abcdef0', port: 443 });
  return { app, stack, hub, spoke, endpoint };
}

function probe(props: Partial<PrivateLinkProbeProps> = {}) {
  const s = setup();
  const construct = new PrivateLinkProbe(s.stack, 'Probe', { hostname: HOST, vpcs: [s.hub, s.spoke], endpoint: s.endpoint, ...props });
  return { ...s, construct, template: Template.fromStack(s.stack) };
}

const fnArn = (vpc: string) => ({ 'Fn::GetAtt': [Match.stringLikeRegexp(`^ProbeIn${vpc}Function[0-9A-F]{8}$`), 'Arn'] });
const vpcId = (vpc: string) => ({ Ref: Match.stringLikeRegexp(`^${vpc}[0-9A-F]{8}$`) });
const vpcCidr = (vpc: string) => ({ 'Fn::GetAtt': [Match.stringLikeRegexp(`^${vpc}[0-9A-F]{8}$`), 'CidrBlock'] });
const probes = [
  { FunctionArn: fnArn('Hub'), VpcId: vpcId('Hub'), VpcCidr: vpcCidr('Hub') },
  { FunctionArn: fnArn('Spoke'), VpcId: vpcId('Spoke'), VpcCidr: vpcCidr('Spoke') },
];

describe('PrivateLinkProbe', () => {
  test('a probe function in each VPC\'s private subnets, with a security group of its own', () => {
    const { template } = probe();
    for (const vpc of ['Hub', 'Spoke']) {
      template.hasResourceProperties('AWS::Lambda::Function', {
        Runtime: 'nodejs24.x',
        Timeout: 20,
        VpcConfig: {
          SubnetIds: [{ Ref: Match.stringLikeRegexp(`^${vpc}IsolatedSubnet1`) }, { Ref: Match.stringLikeRegexp(`^${vpc}IsolatedSubnet2`) }],
          SecurityGroupIds: [{ 'Fn::GetAtt': [Match.stringLikeRegexp(`^ProbeIn${vpc}SecurityGroup`), 'GroupId'] }],
        },
      });
    }
  });

  test('the security groups open only DNS to the VPC and the port to any IPv4 address, and nothing in', () => {
    const { template } = probe();
    const groups = template.findResources('AWS::EC2::SecurityGroup', { Properties: { GroupDescription: Match.stringLikeRegexp('PrivateLink probe') } });
    expect(Object.keys(groups)).toHaveLength(2);
    for (const [id, group] of Object.entries(groups)) {
      const vpc = id.includes('Hub') ? 'Hub' : 'Spoke';
      expect(group.Properties.SecurityGroupIngress).toBeUndefined();
      expect(group.Properties.SecurityGroupEgress).toEqual([
        expect.objectContaining({ IpProtocol: 'udp', FromPort: 53, ToPort: 53, CidrIp: { 'Fn::GetAtt': [expect.stringMatching(`^${vpc}`), 'CidrBlock'] } }),
        expect.objectContaining({ IpProtocol: 'tcp', FromPort: 53, ToPort: 53, CidrIp: { 'Fn::GetAtt': [expect.stringMatching(`^${vpc}`), 'CidrBlock'] } }),
        expect.objectContaining({ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, CidrIp: '0.0.0.0/0' }),
      ]);
    }
    template.resourceCountIs('AWS::EC2::SecurityGroupIngress', 0);
  });

  test('one runner per stack, outside any VPC, shared by every probe', () => {
    const { stack, hub, spoke } = setup();
    new PrivateLinkProbe(stack, 'Probe', { hostname: HOST, vpcs: [hub, spoke] });
    new PrivateLinkProbe(stack, 'Other', { hostname: 'artemis.privatelink.getmontecarlo.com', vpcs: [hub] });
    const template = Template.fromStack(stack);
    const runners = template.findResources('AWS::Lambda::Function', { Properties: { Timeout: 180 } });
    expect(Object.keys(runners)).toEqual([expect.stringMatching(/^SaasPrivateLinkProbeRunner[0-9A-F]{8}$/)]);
    expect(Object.values(runners)[0].Properties.VpcConfig).toBeUndefined();
    template.resourceCountIs('AWS::Lambda::Function', 4);
    template.resourceCountIs('Custom::PrivateLinkProbe', 2);
  });

  test('least privilege: the runner invokes only the functions tagged for it, describes endpoints, and publishes to its namespace', () => {
    const { template } = probe();
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^SaasPrivateLinkProbeRunnerRole') }],
      PolicyDocument: {
        Statement: [
          Match.objectLike({ Action: ['logs:CreateLogStream', 'logs:PutLogEvents'] }),
          { Effect: 'Allow', Action: ['ec2:DescribeVpcEndpoints', 'ec2:DescribeNetworkInterfaces'], Resource: '*' },
          { Effect: 'Allow', Action: 'cloudwatch:PutMetricData', Resource: '*', Condition: { StringEquals: { 'cloudwatch:namespace': 'SaasPrivateLink/Probe' } } },
          {
            Effect: 'Allow',
            Action: 'lambda:InvokeFunction',
            Resource: 'arn:aws:lambda:eu-west-1:111111111111:function:*',
            Condition: { StringEquals: { 'aws:ResourceTag/cdk-saas-privatelink:probe-runner': 'Stack' } },
          },
        ],
      },
    });
    // Each probe function carries the tag the condition asks for; the runner does not.
    for (const vpc of ['Hub', 'Spoke']) {
      const fn = Object.entries(template.findResources('AWS::Lambda::Function')).filter(([id]) => new RegExp(`^ProbeIn${vpc}Function[0-9A-F]{8}$`).test(id));
      expect(fn).toHaveLength(1);
      expect(fn[0][1].Properties.Tags).toEqual(expect.arrayContaining([{ Key: 'cdk-saas-privatelink:probe-runner', Value: 'Stack' }]));
    }
    const runner = Object.values(template.findResources('AWS::Lambda::Function', { Properties: { Timeout: 180 } }))[0];
    expect(JSON.stringify(runner.Properties.Tags ?? [])).not.toContain('probe-runner');
    // The probe functions share one role, which may only write their logs and manage their network interfaces.
    const roles = Object.values(template.findResources('AWS::Lambda::Function', { Properties: { VpcConfig: Match.anyValue() } }))
      .map((fn) => fn.Properties.Role);
    expect(roles).toEqual([
      { 'Fn::GetAtt': [expect.stringMatching(/^SaasPrivateLinkProbeFunctionsProbeRole[0-9A-F]{8}$/), 'Arn'] },
      { 'Fn::GetAtt': [expect.stringMatching(/^SaasPrivateLinkProbeFunctionsProbeRole[0-9A-F]{8}$/), 'Arn'] },
    ]);
    expect(roles[0]).toEqual(roles[1]);
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^SaasPrivateLinkProbeFunctionsProbeRole') }],
      PolicyDocument: {
        Statement: [
          Match.objectLike({ Action: ['logs:CreateLogStream', 'logs:PutLogEvents'] }),
          Match.objectLike({ Action: Match.arrayWith(['ec2:CreateNetworkInterface', 'ec2:DeleteNetworkInterface']), Resource: '*' }),
        ],
      },
    });
  });

  test('the invoke statement and the tag name the runner\'s stack by its stack name, in the stack\'s partition', () => {
    const app = new App();
    const stack = new Stack(app, 'Beijing', { env: { account: '111111111111', region: 'cn-north-1' }, stackName: 'probes-in-beijing' });
    const vpc = new ec2.Vpc(stack, 'Hub', { ipAddresses: ec2.IpAddresses.cidr('10.0.0.0/16'), maxAzs: 2, natGateways: 0 });
    new PrivateLinkProbe(stack, 'Probe', { hostname: HOST, vpcs: [vpc] });
    const template = Template.fromStack(stack);
    const statements = Object.values(template.findResources('AWS::IAM::Policy', {
      Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^SaasPrivateLinkProbeRunnerRole') }] },
    }))[0].Properties.PolicyDocument.Statement;
    expect(statements.filter((st: { Action: unknown }) => st.Action === 'lambda:InvokeFunction')).toEqual([{
      Effect: 'Allow',
      Action: 'lambda:InvokeFunction',
      Resource: 'arn:aws-cn:lambda:cn-north-1:111111111111:function:*',
      Condition: { StringEquals: { 'aws:ResourceTag/cdk-saas-privatelink:probe-runner': 'probes-in-beijing' } },
    }]);
    template.hasResourceProperties('AWS::Lambda::Function', {
      VpcConfig: Match.anyValue(), Tags: Match.arrayWith([{ Key: 'cdk-saas-privatelink:probe-runner', Value: 'probes-in-beijing' }]),
    });
  });

  test('one invoke statement however many VPCs and probes, and one shared role and log group for their functions', () => {
    const { stack } = setup();
    const vpcs = [0, 1, 2, 3, 4].map((i) => new ec2.Vpc(stack, `V${i}`, { ipAddresses: ec2.IpAddresses.cidr(`10.${10 + i}.0.0/16`), maxAzs: 1, natGateways: 0 }));
    new PrivateLinkProbe(stack, 'Probe', { hostname: HOST, vpcs: vpcs.slice(0, 3) });
    new PrivateLinkProbe(stack, 'Other', { hostname: 'artemis.privatelink.getmontecarlo.com', vpcs: vpcs.slice(2) });
    const template = Template.fromStack(stack);
    const probeFunctions = Object.values(template.findResources('AWS::Lambda::Function', { Properties: { VpcConfig: Match.anyValue() } }));
    expect(probeFunctions).toHaveLength(6);
    for (const fn of probeFunctions) {
      expect(fn.Properties.Tags).toEqual(expect.arrayContaining([{ Key: 'cdk-saas-privatelink:probe-runner', Value: 'Stack' }]));
    }
    const invokes = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p) => p.Properties.PolicyDocument.Statement)
      .filter((st: { Action: unknown }) => JSON.stringify(st.Action).includes('lambda:InvokeFunction'));
    expect(invokes).toHaveLength(1);
    expect(new Set(probeFunctions.map((fn) => JSON.stringify(fn.Properties.Role))).size).toBe(1);
    expect(new Set(probeFunctions.map((fn) => JSON.stringify(fn.Properties.LoggingConfig.LogGroup))).size).toBe(1);
    // Only the runner's role and the probe functions' shared role: no role per function.
    template.resourceCountIs('AWS::IAM::Role', 2);
  });

  test('failDeployment: the runner may read its own stack\'s status (exact ARN, no wildcard), once however many probes', () => {
    const { stack, hub, spoke } = setup();
    new PrivateLinkProbe(stack, 'Probe', { hostname: HOST, vpcs: [hub], failDeployment: true });
    new PrivateLinkProbe(stack, 'Other', { hostname: 'artemis.privatelink.getmontecarlo.com', vpcs: [spoke], failDeployment: true });
    const statements = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy', {
      Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^SaasPrivateLinkProbeRunnerRole') }] },
    }))[0].Properties.PolicyDocument.Statement;
    expect(statements.filter((st: { Action: unknown }) => JSON.stringify(st.Action).includes('cloudformation:'))).toEqual([
      { Effect: 'Allow', Action: 'cloudformation:DescribeStacks', Resource: { Ref: 'AWS::StackId' } },
    ]);
  });

  test('without failDeployment the runner gets no CloudFormation permission: it never reads the status', () => {
    const { template } = probe();
    expect(JSON.stringify(template.toJSON())).not.toContain('cloudformation:DescribeStacks');
  });

  test('the deploy-time check: a custom resource with a ServiceTimeout and every setting', () => {
    const { template } = probe();
    template.hasResourceProperties('Custom::PrivateLinkProbe', {
      ServiceToken: { 'Fn::GetAtt': [Match.stringLikeRegexp('^SaasPrivateLinkProbeRunner'), 'Arn'] },
      ServiceTimeout: '240',
      Hostname: HOST,
      Port: 443,
      EndpointId: 'vpce-0123456789abcdef0',
      EndpointRegion: 'eu-west-1',
      StepTimeoutMs: 5000,
      FailDeployment: 'false',
      ExpectedCertificateName: Match.absent(),
      Probes: probes,
    });
  });

  test('options reach the check: failDeployment, certificate name, step timeout, endpoint region', () => {
    const { template } = probe({
      failDeployment: true, expectedCertificateName: 'live.dynatrace.com', timeout: Duration.seconds(2), endpointRegion: 'us-east-1',
    });
    template.hasResourceProperties('Custom::PrivateLinkProbe', {
      FailDeployment: 'true', ExpectedCertificateName: 'live.dynatrace.com', StepTimeoutMs: 2000, EndpointRegion: 'us-east-1',
    });
    template.hasResourceProperties('AWS::Lambda::Function', { Timeout: 11, VpcConfig: Match.anyValue() });
  });

  test('without an endpoint, the answers are checked for being private only', () => {
    const { template } = probe({ endpoint: undefined });
    template.hasResourceProperties('Custom::PrivateLinkProbe', { EndpointId: Match.absent(), EndpointRegion: Match.absent() });
  });

  test('the canary: a schedule that gives the runner the same settings', () => {
    const { stack, template } = probe({ interval: Duration.minutes(10) });
    const rules = template.findResources('AWS::Events::Rule');
    const rule = Object.values(rules)[0].Properties;
    expect(rule.ScheduleExpression).toBe('rate(10 minutes)');
    expect(rule.Targets[0].Arn).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^SaasPrivateLinkProbeRunner/), 'Arn'] });
    const input = JSON.stringify(stack.resolve(rule.Targets[0].Input));
    for (const part of ['{\\"Probe\\":{\\"Hostname\\":\\"abc12345.live.dynatrace.com\\",\\"Port\\":443', '\\"StepTimeoutMs\\":5000', '\\"FunctionArn\\":\\"', 'ProbeInSpokeFunction']) {
      expect(input).toContain(part);
    }
    template.hasResourceProperties('AWS::Lambda::Permission', { Principal: 'events.amazonaws.com', Action: 'lambda:InvokeFunction' });
  });

  test('an alarm per VPC: not reachable privately, or no data, two runs in a row', () => {
    const { template, construct } = probe();
    expect(construct.alarms).toHaveLength(2);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 2);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'SaasPrivateLink/Probe',
      MetricName: 'Reachable',
      Dimensions: [{ Name: 'Hostname', Value: HOST }, { Name: 'VpcId', Value: vpcId('Spoke') }],
      Statistic: 'Minimum',
      Period: 300,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      EvaluationPeriods: 2,
      DatapointsToAlarm: 2,
      TreatMissingData: 'breaching',
      AlarmActions: Match.absent(),
    });
  });

  test('alarmTopic: alarm and OK actions', () => {
    const s = setup();
    const topic = new sns.Topic(s.stack, 'Alarms');
    new PrivateLinkProbe(s.stack, 'Probe', { hostname: HOST, vpcs: [s.hub], alarmTopic: topic });
    Template.fromStack(s.stack).hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmActions: [{ Ref: Match.stringLikeRegexp('^Alarms') }], OKActions: [{ Ref: Match.stringLikeRegexp('^Alarms') }],
    });
  });

  test('addVpc after construction: a function, an alarm, and a place in the check and the schedule', () => {
    const s = setup();
    const construct = new PrivateLinkProbe(s.stack, 'Probe', { hostname: HOST, vpcs: [s.hub] });
    construct.addVpc(s.spoke, { vpcSubnets: { subnetGroupName: 'Isolated', onePerAz: true } });
    const template = Template.fromStack(s.stack);
    template.hasResourceProperties('Custom::PrivateLinkProbe', { Probes: probes });
    template.resourceCountIs('AWS::CloudWatch::Alarm', 2);
    expect(construct.functionFor(s.spoke).node.path).toBe('Stack/Probe/InSpoke/Function');
    expect(construct.connectionsFor(s.spoke).securityGroups).toHaveLength(1);
  });

  test('outputs are opt-in: Ok and Diagnosis, with IDs of the construct\'s ID', () => {
    expect(Object.keys(probe().template.findOutputs('*'))).toEqual([]);
    const { template, construct, stack } = probe({ outputs: true });
    expect(template.findOutputs('*')).toEqual({
      ProbeOk: expect.objectContaining({ Value: { 'Fn::GetAtt': [expect.stringMatching(/^ProbeDeployTimeCheck/), 'Ok'] } }),
      ProbeDiagnosis: expect.objectContaining({ Value: { 'Fn::GetAtt': [expect.stringMatching(/^ProbeDeployTimeCheck/), 'Diagnosis'] } }),
    });
    expect(stack.resolve(construct.results)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^ProbeDeployTimeCheck/), 'Results'] });
  });

  test('canary off: no schedule and no alarms; deploy-time check off: no custom resource', () => {
    const noCanary = probe({ canary: false });
    noCanary.template.resourceCountIs('AWS::Events::Rule', 0);
    noCanary.template.resourceCountIs('AWS::CloudWatch::Alarm', 0);
    expect(noCanary.construct.alarms).toEqual([]);
    expect(() => noCanary.construct.alarmFor(noCanary.hub)).toThrow('`canary` must be on for a VPC to have an alarm, got: false');
    const noCheck = probe({ deployTimeCheck: false });
    noCheck.template.resourceCountIs('Custom::PrivateLinkProbe', 0);
    noCheck.template.resourceCountIs('AWS::Events::Rule', 1);
    expect(() => noCheck.construct.ok).toThrow('`deployTimeCheck` must be on to read `ok`, got: false');
    expect(() => noCheck.construct.diagnosis).toThrow('`deployTimeCheck` must be on to read `diagnosis`, got: false');
  });

  test('typed metrics: name, statistic, dimensions and the canary\'s interval as period', () => {
    const { stack, construct, spoke } = probe({ interval: Duration.minutes(2) });
    const metrics = [
      construct.metricReachable(spoke), construct.metricResolved(spoke), construct.metricPrivate(spoke), construct.metricTlsOk(spoke),
      construct.metricDnsTime(spoke), construct.metricTcpConnectTime(spoke), construct.metricTlsHandshakeTime(spoke),
    ];
    expect(metrics.map((m) => [m.metricName, m.statistic, m.period.toMinutes()])).toEqual([
      ['Reachable', 'Minimum', 2], ['Resolved', 'Minimum', 2], ['Private', 'Minimum', 2], ['TlsOk', 'Minimum', 2],
      ['DnsMs', 'Maximum', 2], ['TcpConnectMs', 'Maximum', 2], ['TlsHandshakeMs', 'Maximum', 2],
    ]);
    expect(stack.resolve(metrics[0].dimensions)).toEqual({ Hostname: HOST, VpcId: { Ref: expect.stringMatching(/^Spoke/) } });
    expect(metrics.every((m) => m.namespace === PrivateLinkProbe.METRICS_NAMESPACE)).toBe(true);
    expect(construct.metricTcpConnectTime(spoke, { statistic: 'p90' }).statistic).toBe('p90');
    const other = new ec2.Vpc(stack, 'Other', { maxAzs: 1, natGateways: 0 });
    expect(() => construct.metricReachable(other)).toThrow(
      '`vpc` must be one of the VPCs the probe checks from (Stack/Hub, Stack/Spoke), got: "Stack/Other"');
  });

  test('checkov: the probe role\'s network-interface actions are acknowledged with a reason', () => {
    const { template } = probe();
    // The probe functions' one shared role: its policy holds the network-interface actions, acknowledged once.
    const policies = Object.values(template.findResources('AWS::IAM::Policy', {
      Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^SaasPrivateLinkProbeFunctionsProbeRole') }] },
    }));
    expect(policies).toHaveLength(1);
    expect(JSON.stringify(policies[0].Properties.PolicyDocument)).toContain('ec2:CreateNetworkInterface');
    expect(policies[0].Metadata.checkov.skip).toEqual([{ id: 'CKV_AWS_111', comment: expect.stringMatching(/network-interface actions/) }]);
    const runner = Object.values(template.findResources('AWS::Lambda::Function', { Properties: { Timeout: 180 } }))[0];
    expect(runner.Metadata.checkov.skip.map((s: { id: string }) => s.id)).toEqual(['CKV_AWS_115', 'CKV_AWS_116', 'CKV_AWS_117', 'CKV_AWS_173']);
  });

  test.each([false, true])('cdk-nag AwsSolutions: no unacknowledged finding in the probe or its runner (failDeployment %s)', (failDeployment) => {
    const { stack } = probe({ alarmTopic: undefined, failDeployment });
    const ours = (v: { violatingResources: readonly { constructPath?: string }[] }) =>
      v.violatingResources.some((r) => /\/(Probe|SaasPrivateLinkProbeRunner|SaasPrivateLinkProbeFunctions)/.test(r.constructPath ?? ''));
    const findings = new AwsSolutionsChecks().validateScope(stack).violations.filter(ours)
      .map((v) => `${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`);
    expect(findings).toEqual([]);
  });
});

describe('PrivateLinkProbe refuses', () => {
  function expectRefusal(props: Partial<PrivateLinkProbeProps>, message: string) {
    const s = setup();
    expect(() => new PrivateLinkProbe(s.stack, 'Probe', { hostname: HOST, vpcs: [s.hub], ...props })).toThrow(message);
    const leftovers = s.stack.node.tryFindChild('Probe')?.node.findAll().filter(CfnResource.isCfnResource) ?? [];
    expect(leftovers).toHaveLength(0);
  }

  test.each([
    ['a URL as hostname', { hostname: 'https://abc12345.live.dynatrace.com' }, '`hostname` must be a DNS name such as "abc12345.live.dynatrace.com", got: "https://abc12345.live.dynatrace.com"'],
    ['an IP address as hostname', { hostname: '10.0.1.23' }, '`hostname` must be a DNS name such as "abc12345.live.dynatrace.com", got: "10.0.1.23"'],
    ['port 0', { port: 0 }, '`port` must be an integer from 1 to 65535, got: 0'],
    ['port 70000', { port: 70000 }, '`port` must be an integer from 1 to 65535, got: 70000'],
    ['a certificate name with a wildcard', { expectedCertificateName: '*.live.dynatrace.com' },
      '`expectedCertificateName` must be a DNS name such as "abc12345.live.dynatrace.com", got: "*.live.dynatrace.com"'],
    ['endpointRegion without endpoint', { endpointRegion: 'us-east-1' }, '`endpointRegion` needs `endpoint`: it is the endpoint\'s region, got "us-east-1" without an endpoint'],
    ['an interval under a minute', { interval: Duration.seconds(30) }, '`interval` must be a whole number of minutes from 1 to 60, got: 30 seconds'],
    ['a fractional interval', { interval: Duration.seconds(90) }, '`interval` must be a whole number of minutes from 1 to 60, got: 1 minute 30 seconds'],
    ['an interval over an hour', { interval: Duration.minutes(61) }, '`interval` must be a whole number of minutes from 1 to 60, got: 1 hour 1 minute'],
    ['a step timeout under a second', { timeout: Duration.millis(500) }, '`timeout` must be a whole number of seconds from 1 to 20, got: 500 millis'],
    ['a step timeout over 20 seconds', { timeout: Duration.seconds(21) }, '`timeout` must be a whole number of seconds from 1 to 20, got: 21 seconds'],
    ['both modes off', { canary: false, deployTimeCheck: false }, '`deployTimeCheck` and `canary` cannot both be off: the probe would never run, got: false and false'],
    ['failDeployment without the check', { deployTimeCheck: false, failDeployment: true },
      '`failDeployment` needs `deployTimeCheck`: without the deploy-time check nothing can fail the deployment, got: true'],
    ['outputs without the check', { deployTimeCheck: false, outputs: true }, '`outputs` needs `deployTimeCheck`: the outputs are its diagnosis, got: true'],
  ] as [string, Partial<PrivateLinkProbeProps>, string][])('%s', (_name, props, message) => {
    expectRefusal(props, message);
  });

  test('an endpoint region that is no region, or in another partition', () => {
    const s = setup();
    const endpoint = s.endpoint;
    expectRefusal({ endpoint, endpointRegion: 'europe' }, '`endpointRegion` must be an AWS region name such as "eu-west-1", got: "europe"');
    expectRefusal({ endpoint, endpointRegion: 'cn-north-1' }, '`endpointRegion` must be in the stack\'s partition "aws", got: "cn-north-1"');
  });

  test('alarmTopic without the canary', () => {
    const s = setup();
    expect(() => new PrivateLinkProbe(s.stack, 'Probe', { hostname: HOST, vpcs: [s.hub], canary: false, alarmTopic: new sns.Topic(s.stack, 'T') }))
      .toThrow('`alarmTopic` needs `canary`: the alarms watch the canary\'s metrics');
  });

  test('a VPC in another region: it gets a probe in a stack of its own region', () => {
    const s = setup();
    const far = new Stack(s.app, 'Far', { env: { account: '111111111111', region: 'us-east-1' } });
    const farVpc = new ec2.Vpc(far, 'FarVpc', { maxAzs: 1, natGateways: 0 });
    expect(() => new PrivateLinkProbe(s.stack, 'Probe', { hostname: HOST, vpcs: [farVpc] })).toThrow(
      '`vpcs` must be in the stack\'s region eu-west-1, got Far/FarVpc in us-east-1: a VPC in another region gets a PrivateLinkProbe in a stack of its own region');
  });

  test('a VPC twice, a VPC imported without its CIDR block, public subnets', () => {
    const s = setup();
    const construct = new PrivateLinkProbe(s.stack, 'Probe', { hostname: HOST, vpcs: [s.hub] });
    expect(() => construct.addVpc(s.hub)).toThrow('`vpcs` must not repeat a VPC, got Stack/Hub twice');
    const imported = ec2.Vpc.fromVpcAttributes(s.stack, 'Imported', { vpcId: 'vpc-0abc', availabilityZones: ['eu-west-1a'], privateSubnetIds: ['subnet-1'] });
    expect(() => construct.addVpc(imported)).toThrow('`vpcs` entries need their CIDR block, got Stack/Imported without one: import it with `vpcCidrBlock`');
    const withPublic = new ec2.Vpc(s.stack, 'WithPublic', { maxAzs: 1, natGateways: 0, subnetConfiguration: [{ name: 'Public', subnetType: ec2.SubnetType.PUBLIC }] });
    expect(() => construct.addVpc(withPublic)).toThrow(/`vpcSubnets` must select private subnets: a Lambda function in a VPC gets no public address/);
  });

  test('no VPC at all: the synth fails and says so', () => {
    const s = setup();
    new PrivateLinkProbe(s.stack, 'Probe', { hostname: HOST });
    expect(() => s.app.synth()).toThrow(/`vpcs` must name at least one VPC, or addVpc\(\) be called: the probe has nowhere to check from/);
  });

  test('a step timeout known only at deploy time: it sizes the functions\' timeout', () => {
    expectRefusal({ timeout: Duration.seconds(Token.asNumber(Fn.importValue('Timeout'))) },
      '`timeout` must be known at synth: it sizes the probe functions\' Lambda timeout, got a deploy-time value');
  });

  test('unresolved tokens are not checked at synth', () => {
    const s = setup();
    expect(() => new PrivateLinkProbe(s.stack, 'Probe', {
      hostname: Fn.importValue('Host'),
      port: Token.asNumber(Fn.importValue('Port')),
      expectedCertificateName: Fn.importValue('CertName'),
      endpoint: s.endpoint,
      endpointRegion: Fn.importValue('Region'),
      vpcs: [s.hub],
    })).not.toThrow();
  });
});
