import { App, CfnResource, Duration, Fn, Stack, Token } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks } from 'cdk-nag';
import {
  HostnameTargetSync, HostnameTargetSyncProps, PrivateLinkService, SyncedHostname,
} from '../../src';

function setup(subnets?: ec2.SubnetConfiguration[], natGateways = 1) {
  const app = new App();
  const stack = new Stack(app, 'Stack', { env: { account: '111111111111', region: 'eu-west-1' } });
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    ipAddresses: ec2.IpAddresses.cidr('10.0.0.0/16'),
    availabilityZones: ['eu-west-1a', 'eu-west-1b'],
    natGateways,
    subnetConfiguration: subnets,
  });
  const targetGroup = new elbv2.NetworkTargetGroup(stack, 'TargetGroup', {
    vpc, port: 5432, protocol: elbv2.Protocol.TCP, targetType: elbv2.TargetType.IP,
  });
  return { app, stack, vpc, targetGroup };
}

function sync(props: Partial<HostnameTargetSyncProps> = {}) {
  const { app, stack, vpc, targetGroup } = setup();
  const construct = new HostnameTargetSync(stack, 'Sync', {
    vpc, targetGroup, port: 5432, hostname: SyncedHostname.of('db.internal.example.com'), ...props,
  });
  return { app, stack, vpc, construct, template: Template.fromStack(stack) };
}

function expectRefusal(props: Partial<HostnameTargetSyncProps>, message: RegExp, subnets?: ec2.SubnetConfiguration[]) {
  const { stack, vpc, targetGroup } = setup(subnets);
  expect(() => new HostnameTargetSync(stack, 'Sync', {
    vpc, targetGroup, port: 5432, hostname: SyncedHostname.of('db.internal.example.com'), ...props,
  })).toThrow(message);
  const leftovers = stack.node.tryFindChild('Sync')?.node.findAll().filter(CfnResource.isCfnResource) ?? [];
  expect(leftovers).toHaveLength(0);
}

function envOf(template: Template): Record<string, any> {
  const fns = template.findResources('AWS::Lambda::Function', { Properties: { Environment: { Variables: { HOSTNAME_TO_SYNC: Match.anyValue() } } } });
  return Object.values(fns)[0].Properties.Environment.Variables;
}

describe('HostnameTargetSync', () => {
  test('runs a Node.js function in the VPC\'s private subnets with the sync settings', () => {
    const { template } = sync();
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Timeout: 60,
      VpcConfig: {
        SubnetIds: [{ Ref: Match.stringLikeRegexp('VpcPrivateSubnet1') }, { Ref: Match.stringLikeRegexp('VpcPrivateSubnet2') }],
        SecurityGroupIds: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('SyncSecurityGroup'), 'GroupId'] }],
      },
    });
    expect(envOf(template)).toEqual({
      HOSTNAME_TO_SYNC: 'db.internal.example.com',
      TARGET_GROUP_ARN: { Ref: expect.stringMatching(/^TargetGroup/) },
      TARGET_PORT: '5432',
      MISSED_RUNS_BEFORE_DEREGISTRATION: '3',
      MISSING_SECONDS_BEFORE_DEREGISTRATION: '180',
      LOOKUPS_PER_RUN: '5',
      VPC_CIDR_BLOCKS: { 'Fn::GetAtt': [expect.stringMatching(/^Vpc/), 'CidrBlock'] },
      IP_ADDRESS_TYPE: 'ipv4',
      METRICS_NAMESPACE: 'SaasPrivateLink/HostnameTargetSync',
    });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { MaximumRetryAttempts: 0 });
  });

  test('runs never overlap: reserved concurrency 1, so checkov\'s reserved-concurrency check is no longer skipped', () => {
    const { template } = sync();
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ HOSTNAME_TO_SYNC: Match.anyValue() }) },
      ReservedConcurrentExecutions: 1,
    });
    const fns = template.findResources('AWS::Lambda::Function', { Properties: { Environment: { Variables: { HOSTNAME_TO_SYNC: Match.anyValue() } } } });
    const skipped = (Object.values(fns)[0].Metadata.checkov.skip as { id: string }[]).map((s) => s.id);
    expect(skipped).not.toContain('CKV_AWS_115');
    expect(skipped).toEqual(expect.arrayContaining(['CKV_AWS_116', 'CKV_AWS_173']));
  });

  test('the security group allows only DNS to the VPC and HTTPS out', () => {
    const { template } = sync();
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('Hostname target sync'),
      SecurityGroupEgress: [
        Match.objectLike({ IpProtocol: 'udp', FromPort: 53, ToPort: 53, CidrIp: { 'Fn::GetAtt': [Match.anyValue(), 'CidrBlock'] } }),
        Match.objectLike({ IpProtocol: 'tcp', FromPort: 53, ToPort: 53, CidrIp: { 'Fn::GetAtt': [Match.anyValue(), 'CidrBlock'] } }),
        Match.objectLike({ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, CidrIp: '0.0.0.0/0' }),
      ],
    });
  });

  test('may change only its own target group; describe and network-interface calls (no resource-level permissions) on *', () => {
    const { template } = sync();
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          { Effect: 'Allow', Action: ['elasticloadbalancing:DescribeTargetHealth', 'elasticloadbalancing:DescribeTags'], Resource: '*' },
          {
            Effect: 'Allow',
            Action: [
              'elasticloadbalancing:RegisterTargets', 'elasticloadbalancing:DeregisterTargets',
              'elasticloadbalancing:AddTags', 'elasticloadbalancing:RemoveTags',
            ],
            Resource: { Ref: Match.stringLikeRegexp('TargetGroup') },
          },
          {
            Effect: 'Allow',
            Action: Match.arrayWith(['ec2:CreateNetworkInterface', 'ec2:DeleteNetworkInterface']),
            Resource: '*',
          },
        ]),
      },
    });
  });

  test('runs every minute by default, or at the given interval', () => {
    sync().template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(1 minute)', State: 'ENABLED' });
    sync({ interval: Duration.minutes(5) }).template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(5 minutes)' });
  });

  test('a plain hostname or an RDS Proxy has no database event rule', () => {
    const { template } = sync();
    template.resourceCountIs('AWS::Events::Rule', 1);
  });

  test('an Aurora cluster writer: follows the cluster endpoint and runs on the cluster\'s failover and maintenance events', () => {
    const { stack, vpc, targetGroup } = setup();
    const cluster = rds.DatabaseCluster.fromDatabaseClusterAttributes(stack, 'Cluster', {
      clusterIdentifier: 'orders',
      clusterEndpointAddress: 'orders.cluster-abc.eu-west-1.rds.amazonaws.com',
      readerEndpointAddress: 'orders.cluster-ro-abc.eu-west-1.rds.amazonaws.com',
      port: 5432,
    });
    new HostnameTargetSync(stack, 'Sync', { vpc, targetGroup, port: 5432, hostname: SyncedHostname.databaseClusterWriter(cluster) });
    new HostnameTargetSync(stack, 'Readers', { vpc, targetGroup, port: 5432, hostname: SyncedHostname.databaseClusterReaders(cluster) });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ HOSTNAME_TO_SYNC: 'orders.cluster-abc.eu-west-1.rds.amazonaws.com' }) },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ HOSTNAME_TO_SYNC: 'orders.cluster-ro-abc.eu-west-1.rds.amazonaws.com' }) },
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        'source': ['aws.rds'],
        'detail-type': ['RDS DB Cluster Event'],
        'detail': { SourceIdentifier: ['orders'], EventCategories: ['failover', 'maintenance', 'availability', 'recovery'] },
      },
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('SyncFunction'), 'Arn'] } })],
    });
  });

  test('an RDS instance: follows its endpoint and runs on the instance\'s events', () => {
    const { stack, vpc, targetGroup } = setup();
    const instance = rds.DatabaseInstance.fromDatabaseInstanceAttributes(stack, 'Db', {
      instanceIdentifier: 'orders-db', instanceEndpointAddress: 'orders-db.abc.eu-west-1.rds.amazonaws.com', port: 3306, securityGroups: [],
    });
    new HostnameTargetSync(stack, 'Sync', { vpc, targetGroup, port: 3306, hostname: SyncedHostname.databaseInstance(instance) });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({ 'detail-type': ['RDS DB Instance Event'], 'detail': Match.objectLike({ SourceIdentifier: ['orders-db'] }) }),
    });
    expect(envOf(template)).toMatchObject({ HOSTNAME_TO_SYNC: 'orders-db.abc.eu-west-1.rds.amazonaws.com', TARGET_PORT: '3306' });
  });

  test('an RDS Proxy: follows its endpoint on the schedule', () => {
    const { stack, vpc, targetGroup } = setup();
    const proxy = rds.DatabaseProxy.fromDatabaseProxyAttributes(stack, 'Proxy', {
      dbProxyName: 'p', dbProxyArn: 'arn:aws:rds:eu-west-1:111111111111:db-proxy:prx-1', endpoint: 'p.proxy-abc.eu-west-1.rds.amazonaws.com', securityGroups: [],
    });
    new HostnameTargetSync(stack, 'Sync', { vpc, targetGroup, port: 5432, hostname: SyncedHostname.databaseProxy(proxy) });
    const template = Template.fromStack(stack);
    expect(envOf(template).HOSTNAME_TO_SYNC).toBe('p.proxy-abc.eu-west-1.rds.amazonaws.com');
    template.resourceCountIs('AWS::Events::Rule', 1);
  });

  test('options reach the function: grace, lookups, IPv6, CIDR blocks', () => {
    const { template } = sync({
      missedRunsBeforeDeregistration: 5,
      missingTimeBeforeDeregistration: Duration.minutes(10),
      lookupsPerRun: 2,
      ipAddressType: elbv2.TargetGroupIpAddressType.IPV6,
      vpcCidrBlocks: ['10.0.0.0/16', '2001:db8::/56'],
    });
    expect(envOf(template)).toMatchObject({
      MISSED_RUNS_BEFORE_DEREGISTRATION: '5', MISSING_SECONDS_BEFORE_DEREGISTRATION: '600', LOOKUPS_PER_RUN: '2', IP_ADDRESS_TYPE: 'ipv6', VPC_CIDR_BLOCKS: '10.0.0.0/16,2001:db8::/56',
    });
  });

  test('a time grace of 0 leaves only the run count; 24 hours is the longest', () => {
    expect(envOf(sync({ missingTimeBeforeDeregistration: Duration.seconds(0) }).template).MISSING_SECONDS_BEFORE_DEREGISTRATION).toBe('0');
    expect(envOf(sync({ missingTimeBeforeDeregistration: Duration.hours(24) }).template).MISSING_SECONDS_BEFORE_DEREGISTRATION).toBe('86400');
  });

  test('an errors alarm, with the SNS topic as alarm and OK action when given', () => {
    sync().template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Errors',
      Namespace: 'AWS/Lambda',
      Statistic: 'Sum',
      Period: 300,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: Match.absent(),
    });
    const { stack, vpc, targetGroup } = setup();
    const topic = new sns.Topic(stack, 'Alarms', { enforceSSL: true });
    new HostnameTargetSync(stack, 'Sync', { vpc, targetGroup, port: 5432, hostname: SyncedHostname.of('db.example.com'), alarmTopic: topic });
    Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmActions: [{ Ref: Match.stringLikeRegexp('Alarms') }],
      OKActions: [{ Ref: Match.stringLikeRegexp('Alarms') }],
    });
  });

  test('metric() names the target group as the handler does', () => {
    const { stack, construct } = sync();
    const metric = construct.metric('Registrations');
    expect(metric.namespace).toBe('SaasPrivateLink/HostnameTargetSync');
    expect(JSON.stringify(stack.resolve(metric.dimensions!.TargetGroup))).toMatch(/"Fn::Select":\[5,\{"Fn::Split":\[":",\{"Ref":"TargetGroup/);
    expect(() => construct.metric('Bogus')).toThrow(/`metricName` must be one of IpCount, Registrations, Deregistrations, Failures, got: "Bogus"/);
  });

  test('typed metric methods: the name and the statistic each metric needs', () => {
    const { stack, construct } = sync();
    const typed = [construct.metricIpCount(), construct.metricRegistrations(), construct.metricDeregistrations(), construct.metricFailures()];
    expect(typed.map((m) => [m.metricName, m.statistic])).toEqual([
      ['IpCount', 'Minimum'], ['Registrations', 'Sum'], ['Deregistrations', 'Sum'], ['Failures', 'Sum'],
    ]);
    expect(typed.map((m) => stack.resolve(m.dimensions))).toEqual(Array(4).fill(stack.resolve(construct.metric('IpCount').dimensions)));
    expect(construct.metricFailures({ period: Duration.minutes(1) }).period.toMinutes()).toBe(1);
  });

  test('exposes connections for more egress (for example to interface endpoints)', () => {
    const { construct } = sync();
    expect(construct.connections.securityGroups).toHaveLength(1);
  });

  test('isolated subnets: an info note about the elasticloadbalancing interface endpoint', () => {
    const { stack, vpc, targetGroup } = setup([{ name: 'Isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }], 0);
    new HostnameTargetSync(stack, 'Sync', { vpc, targetGroup, port: 5432, hostname: SyncedHostname.of('db.example.com') });
    Annotations.fromStack(stack).hasInfo('/Stack/Sync', Match.stringLikeRegexp('interface VPC endpoint for elasticloadbalancing'));
  });

  test('cdk-nag AwsSolutions: no unacknowledged finding', () => {
    const { app } = sync();
    const report = new AwsSolutionsChecks().validateScope(app);
    const findings = report.violations.map((v) => `${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`);
    expect(findings.filter((f) => f.includes('/Sync/'))).toEqual([]);
  });
});

describe('HostnameTargetSync opens what the name points at to the load balancer', () => {
  function withService() {
    const { stack, vpc } = setup();
    const service = new PrivateLinkService(stack, 'Service', {
      vpc, allowedPrincipals: ['222222222222'], ports: [{ port: 5432, ipTargetsSyncedExternally: true }],
    });
    return { stack, vpc, service, targetGroup: service.targetGroupFor(5432) };
  }

  function ingressOf(stack: Stack) {
    return Object.values(Template.fromStack(stack).findResources('AWS::EC2::SecurityGroupIngress')).map((r) => r.Properties);
  }

  test('an RDS Proxy of this app: its security group opens to the service\'s subnets on the port, by default', () => {
    const { stack, vpc, targetGroup } = withService();
    const instance = new rds.DatabaseInstance(stack, 'Db', {
      engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_16 }), vpc,
    });
    const proxy = instance.addProxy('Proxy', { vpc, secrets: [instance.secret!] });
    new HostnameTargetSync(stack, 'Sync', { vpc, targetGroup, port: 5432, hostname: SyncedHostname.databaseProxy(proxy) });
    const rules = ingressOf(stack).filter((r) => JSON.stringify(r.GroupId).includes('DbProxyProxySecurityGroup'));
    expect(rules).toEqual([expect.objectContaining({
      IpProtocol: 'tcp',
      FromPort: 5432,
      ToPort: 5432,
      SourcePrefixListId: { 'Fn::GetAtt': [expect.stringMatching(/^ServiceLoadBalancerSubnets/), 'PrefixListId'] },
    })]);
  });

  test('the automatic opening next to the user\'s allowTargetAccess and allowFrom on the same port is one rule', () => {
    const { stack, vpc, service, targetGroup } = withService();
    const cluster = new rds.DatabaseCluster(stack, 'Aurora', {
      engine: rds.DatabaseClusterEngine.auroraPostgres({ version: rds.AuroraPostgresEngineVersion.VER_16_4 }),
      writer: rds.ClusterInstance.serverlessV2('Writer'),
      vpc,
      port: 5432,
    });
    new HostnameTargetSync(stack, 'Sync', { vpc, targetGroup, port: 5432, hostname: SyncedHostname.databaseClusterWriter(cluster) });
    service.allowTargetAccess(cluster, 5432);
    cluster.connections.allowFrom(service, ec2.Port.tcp(5432));
    const rules = ingressOf(stack).filter((r) => JSON.stringify(r.GroupId).includes('AuroraSecurityGroup'));
    expect(rules).toEqual([expect.objectContaining({
      FromPort: 5432,
      ToPort: 5432,
      SourcePrefixListId: { 'Fn::GetAtt': [expect.stringMatching(/^ServiceLoadBalancerSubnets/), 'PrefixListId'] },
    })]);
  });

  test('two syncs of the same database and port, one given the service as a plain `loadBalancer`: one rule', () => {
    const { stack, vpc, service, targetGroup } = withService();
    const db = ec2.SecurityGroup.fromSecurityGroupId(stack, 'DbSg', 'sg-0eeeeeeeeeeeeeeee');
    const hostname = SyncedHostname.of('db.internal.example.com', { target: db });
    new HostnameTargetSync(stack, 'Sync', { vpc, targetGroup, port: 5432, hostname });
    new HostnameTargetSync(stack, 'Again', { vpc, targetGroup, port: 5432, hostname, loadBalancer: { connections: service.connections } });
    expect(ingressOf(stack)).toEqual([expect.objectContaining({ GroupId: 'sg-0eeeeeeeeeeeeeeee', FromPort: 5432 })]);
  });

  test('an Aurora cluster and an RDS instance are opened too; `allowTargetAccess: false` opens nothing', () => {
    const { stack, vpc, targetGroup } = withService();
    const cluster = rds.DatabaseCluster.fromDatabaseClusterAttributes(stack, 'Cluster', {
      clusterIdentifier: 'orders',
      clusterEndpointAddress: 'orders.cluster-abc.eu-west-1.rds.amazonaws.com',
      port: 5432,
      securityGroups: [ec2.SecurityGroup.fromSecurityGroupId(stack, 'ClusterSg', 'sg-0cccccccccccccccc')],
    });
    const instance = rds.DatabaseInstance.fromDatabaseInstanceAttributes(stack, 'Instance', {
      instanceIdentifier: 'crm',
      instanceEndpointAddress: 'crm.abc.eu-west-1.rds.amazonaws.com',
      port: 5432,
      securityGroups: [ec2.SecurityGroup.fromSecurityGroupId(stack, 'InstanceSg', 'sg-0dddddddddddddddd')],
    });
    new HostnameTargetSync(stack, 'Writer', { vpc, targetGroup, port: 5432, hostname: SyncedHostname.databaseClusterWriter(cluster) });
    new HostnameTargetSync(stack, 'Crm', { vpc, targetGroup, port: 5432, hostname: SyncedHostname.databaseInstance(instance), allowTargetAccess: false });
    expect(ingressOf(stack).map((r) => r.GroupId)).toEqual(['sg-0cccccccccccccccc']);
  });

  test('a plain hostname with a security group given as its target; a raw NLB with a security group as `loadBalancer`', () => {
    const { stack, vpc, targetGroup } = setup();
    const lbGroup = new ec2.SecurityGroup(stack, 'LbGroup', { vpc });
    const lb = new elbv2.NetworkLoadBalancer(stack, 'Lb', { vpc, securityGroups: [lbGroup] });
    const db = ec2.SecurityGroup.fromSecurityGroupId(stack, 'DbSg', 'sg-0eeeeeeeeeeeeeeee');
    new HostnameTargetSync(stack, 'Sync', {
      vpc, targetGroup, port: 5432, loadBalancer: lb, hostname: SyncedHostname.of('db.internal.example.com', { target: db }),
    });
    expect(ingressOf(stack)).toEqual([expect.objectContaining({
      GroupId: 'sg-0eeeeeeeeeeeeeeee',
      FromPort: 5432,
      ToPort: 5432,
      SourceSecurityGroupId: { 'Fn::GetAtt': [expect.stringMatching(/^LbGroup/), 'GroupId'] },
    })]);
  });

  test('no load balancer to open it to: a warning that says what to do, nothing opened', () => {
    const { stack, vpc, targetGroup } = setup();
    const db = ec2.SecurityGroup.fromSecurityGroupId(stack, 'DbSg', 'sg-0eeeeeeeeeeeeeeee');
    new HostnameTargetSync(stack, 'Sync', { vpc, targetGroup, port: 5432, hostname: SyncedHostname.of('db.internal.example.com', { target: db }) });
    expect(ingressOf(stack)).toEqual([]);
    Annotations.fromStack(stack).hasWarning('/Stack/Sync', Match.stringLikeRegexp(
      'What the hostname target sync Stack/Sync follows was not opened to the load balancer: `targetGroup` does not belong to a PrivateLinkService. Give `loadBalancer`'));
  });

  test('a load balancer without security groups: a warning, nothing opened', () => {
    const { stack, vpc, targetGroup } = setup();
    const lb = new elbv2.NetworkLoadBalancer(stack, 'Lb', { vpc });
    const db = ec2.SecurityGroup.fromSecurityGroupId(stack, 'DbSg', 'sg-0eeeeeeeeeeeeeeee');
    new HostnameTargetSync(stack, 'Sync', {
      vpc, targetGroup, port: 5432, loadBalancer: lb, hostname: SyncedHostname.of('db.internal.example.com', { target: db }),
    });
    expect(ingressOf(stack)).toEqual([]);
    Annotations.fromStack(stack).hasWarning('/Stack/Sync', Match.stringLikeRegexp('the given `loadBalancer` has no security group. Allow its subnets on port 5432 yourself'));
  });

  test('a plain hostname without a target opens nothing and warns nothing', () => {
    const { stack } = sync();
    expect(ingressOf(stack)).toEqual([]);
    Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
  });
});

describe('HostnameTargetSync refuses', () => {
  test.each([
    ['an IP address as hostname', { hostname: SyncedHostname.of('10.0.0.5') }, /`hostname` must be a DNS name .* got: "10\.0\.0\.5"/],
    ['a malformed hostname', { hostname: SyncedHostname.of('db..example.com') }, /`hostname` must be a DNS name .* got: "db\.\.example\.com"/],
    ['a URL as hostname', { hostname: SyncedHostname.of('https://db.example.com') }, /`hostname` must be a DNS name/],
    ['port 0', { port: 0 }, /`port` must be an integer from 1 to 65535, got: 0/],
    ['port 70000', { port: 70000 }, /`port` must be an integer from 1 to 65535, got: 70000/],
    ['an interval under a minute', { interval: Duration.seconds(30) }, /`interval` must be a whole number of minutes, at least 1, got: 30 seconds/],
    ['a fractional interval', { interval: Duration.seconds(90) }, /`interval` must be a whole number of minutes, at least 1, got: 1 minute 30 seconds/],
    ['no grace', { missedRunsBeforeDeregistration: 0 }, /`missedRunsBeforeDeregistration` must be an integer from 1 to 100, got: 0/],
    ['a fractional grace', { missedRunsBeforeDeregistration: 1.5 }, /`missedRunsBeforeDeregistration` must be an integer from 1 to 100, got: 1.5/],
    ['a time grace in fractions of a second', { missingTimeBeforeDeregistration: Duration.millis(1500) },
      /`missingTimeBeforeDeregistration` must be a whole number of seconds from 0 to 24 hours, got: 1 second 500 millis/],
    ['a time grace over a day', { missingTimeBeforeDeregistration: Duration.hours(25) },
      /`missingTimeBeforeDeregistration` must be a whole number of seconds from 0 to 24 hours, got: 1 day 1 hour/],
    ['no lookups', { lookupsPerRun: 0 }, /`lookupsPerRun` must be an integer from 1 to 20, got: 0/],
    ['too many lookups', { lookupsPerRun: 21 }, /`lookupsPerRun` must be an integer from 1 to 20, got: 21/],
    ['a malformed CIDR block', { vpcCidrBlocks: ['10.0.0.0'] }, /`vpcCidrBlocks` entries must be CIDR blocks such as "10\.0\.0\.0\/16", got: "10\.0\.0\.0"/],
    ['public subnets', { vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC } }, /`vpcSubnets` must select private subnets: a Lambda function in a VPC gets no public address, got public subnets \["Stack\/Vpc\/PublicSubnet1"/],
  ] as [string, Partial<HostnameTargetSyncProps>, RegExp][])('%s', (_name, props, message) => {
    expectRefusal(props, message);
  });

  test('a VPC whose only subnets are public', () => {
    expectRefusal({}, /`vpcSubnets` must select private subnets/, [{ name: 'Public', subnetType: ec2.SubnetType.PUBLIC }]);
  });

  test('unresolved tokens are not checked at synth', () => {
    const { stack, vpc, targetGroup } = setup();
    expect(() => new HostnameTargetSync(stack, 'Sync', {
      vpc,
      targetGroup,
      port: Token.asNumber(Fn.importValue('DbPort')),
      hostname: SyncedHostname.of(Fn.importValue('DbHost')),
      vpcCidrBlocks: [Fn.importValue('Cidr')],
      missedRunsBeforeDeregistration: Token.asNumber(Fn.importValue('Runs')),
      missingTimeBeforeDeregistration: Duration.seconds(Token.asNumber(Fn.importValue('Grace'))),
    })).not.toThrow();
    expect(envOf(Template.fromStack(stack)).MISSING_SECONDS_BEFORE_DEREGISTRATION).toEqual({ 'Fn::ImportValue': 'Grace' });
  });
});
