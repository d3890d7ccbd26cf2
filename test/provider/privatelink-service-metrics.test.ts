import { App, CfnResource, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks } from 'cdk-nag';
import { PrivateLinkService, PrivateLinkServiceAlarmOptions, PrivateLinkServiceProps, ServiceTarget } from '../../src';

const VENDOR = 'arn:aws:iam::012922587834:root';
const DB = ServiceTarget.ipAddress('10.0.100.10');

function setup() {
  const stack = new Stack(new App(), 'Stack', { env: { account: '111111111111', region: 'eu-west-1' } });
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    ipAddresses: ec2.IpAddresses.cidr('10.0.0.0/16'), availabilityZones: ['eu-west-1a', 'eu-west-1b'], natGateways: 1,
  });
  return { stack, vpc };
}

/** A service exposing 5432 and 22 (to target port 2222). */
function service(props: Partial<PrivateLinkServiceProps> = {}) {
  const { stack, vpc } = setup();
  const construct = new PrivateLinkService(stack, 'Service', {
    vpc,
    allowedPrincipals: [VENDOR],
    ports: [{ port: 5432, targets: [DB] }, { port: 22, targetPort: 2222, targets: [DB] }],
    ...props,
  });
  return { stack, vpc, construct };
}

const logicalId = (stack: Stack, c: { node: { defaultChild?: unknown } }) => stack.getLogicalId(c.node.defaultChild as CfnResource);

/** The NLB dimensions of a port's target group: the target group's and its first listener's load balancer full names. */
function targetDimensions(stack: Stack, construct: PrivateLinkService, port: number) {
  const index = construct.ports.indexOf(port);
  const listener = { Ref: logicalId(stack, construct.listeners[index]) };
  const field = (i: number) => ({ 'Fn::Select': [i, { 'Fn::Split': ['/', listener] }] });
  return {
    LoadBalancer: { 'Fn::Join': ['', [field(1), '/', field(2), '/', field(3)]] },
    TargetGroup: { 'Fn::GetAtt': [logicalId(stack, construct.targetGroups[index]), 'TargetGroupFullName'] },
  };
}

/** The logical ID of the stack's one endpoint service, read from the template. */
function endpointServiceId(stack: Stack): string {
  return Object.keys(Template.fromStack(stack).findResources('AWS::EC2::VPCEndpointService'))[0];
}

function alarms(stack: Stack): Record<string, any>[] {
  return Object.values(Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm')).map((a: any) => a.Properties);
}

describe('PrivateLinkService metrics', () => {
  test('each typed service metric: AWS/PrivateLinkServices, its name, the Service Id dimension, its statistic, 5 minutes', () => {
    const { stack, construct } = service();
    const typed = [
      construct.metricActiveConnections(), construct.metricNewConnections(), construct.metricBytesProcessed(),
      construct.metricRstPacketsSent(), construct.metricEndpointsCount(),
    ];
    expect(typed.map((m) => [m.namespace, m.metricName, m.statistic, m.period.toMinutes()])).toEqual([
      ['AWS/PrivateLinkServices', 'ActiveConnections', 'Average', 5],
      ['AWS/PrivateLinkServices', 'NewConnections', 'Sum', 5],
      ['AWS/PrivateLinkServices', 'BytesProcessed', 'Sum', 5],
      ['AWS/PrivateLinkServices', 'RstPacketsSent', 'Sum', 5],
      ['AWS/PrivateLinkServices', 'EndpointsCount', 'Average', 5],
    ]);
    for (const metric of typed) {
      expect(stack.resolve(metric.dimensions)).toEqual({ 'Service Id': { Ref: endpointServiceId(stack) } });
    }
  });

  test('target health per port: AWS/NetworkELB HealthyHostCount Minimum and UnHealthyHostCount Maximum of that port\'s target group', () => {
    const { stack, construct } = service();
    expect(construct.ports).toEqual([5432, 22]);
    for (const port of [5432, 22]) {
      const healthy = construct.metricHealthyHostCount(port);
      const unhealthy = construct.metricUnhealthyHostCount(port);
      expect([healthy.namespace, healthy.metricName, healthy.statistic, healthy.period.toMinutes()])
        .toEqual(['AWS/NetworkELB', 'HealthyHostCount', 'Minimum', 5]);
      expect([unhealthy.namespace, unhealthy.metricName, unhealthy.statistic, unhealthy.period.toMinutes()])
        .toEqual(['AWS/NetworkELB', 'UnHealthyHostCount', 'Maximum', 5]);
      expect(stack.resolve(healthy.dimensions)).toEqual(targetDimensions(stack, construct, port));
      expect(stack.resolve(unhealthy.dimensions)).toEqual(targetDimensions(stack, construct, port));
    }
    expect(stack.resolve(construct.metricHealthyHostCount(22).dimensions))
      .not.toEqual(stack.resolve(construct.metricHealthyHostCount(5432).dimensions));
  });

  test('`ports` is a copy', () => {
    const { construct } = service();
    construct.ports.push(80);
    expect(construct.ports).toEqual([5432, 22]);
  });

  test('MetricOptions override the statistic, period and dimensions', () => {
    const { construct } = service();
    const perConsumer = construct.metricBytesProcessed({
      period: Duration.hours(1), dimensionsMap: { 'Service Id': 'vpce-svc-1', 'VPC Endpoint Id': 'vpce-1' },
    });
    expect([perConsumer.period.toHours(), perConsumer.dimensions]).toEqual([1, { 'Service Id': 'vpce-svc-1', 'VPC Endpoint Id': 'vpce-1' }]);
    expect(construct.metricHealthyHostCount(5432, { statistic: 'Average', period: Duration.minutes(1) }))
      .toMatchObject({ statistic: 'Average', period: Duration.minutes(1) });
  });

  test('metric() takes any metric name; the port metrics refuse a port that is not exposed', () => {
    const { construct } = service();
    expect([construct.metric('RstPacketsSent').statistic, construct.metric('SomeNewMetric').statistic]).toEqual(['Sum', 'Average']);
    expect(() => construct.metric('')).toThrow('`metricName` must be a CloudWatch metric name of 1 to 255 characters without surrounding spaces, got: ""');
    expect(() => construct.metricHealthyHostCount(2222)).toThrow('`port` must be one of the exposed ports [5432,22], got: 2222');
    expect(() => construct.metricUnhealthyHostCount(80)).toThrow('`port` must be one of the exposed ports [5432,22], got: 80');
  });

  test('the target metrics name a given load balancer', () => {
    const { stack, vpc } = setup();
    const loadBalancer = new elbv2.NetworkLoadBalancer(stack, 'Nlb', { vpc });
    const construct = new PrivateLinkService(stack, 'Service', { loadBalancer, allowedPrincipals: [VENDOR], ports: [{ port: 5432, targets: [DB] }] });
    const listener = Object.keys(Template.fromStack(stack).findResources('AWS::ElasticLoadBalancingV2::Listener'))[0];
    expect(listener).toMatch(/^NlbListener5432/);
    expect(JSON.stringify(stack.resolve(construct.metricHealthyHostCount(5432).dimensions!.LoadBalancer))).toContain(`{"Ref":"${listener}"}`);
  });
});

describe('PrivateLinkService recommended alarms', () => {
  test('by default, per port: no healthy target (Minimum < 1) and an unhealthy target (Maximum >= 1), each 3 of 3 minutes', () => {
    const { stack, construct } = service();
    const created = construct.addRecommendedAlarms();
    expect(created.map((a) => a.node.id)).toEqual([
      'Port5432NoHealthyTargetsAlarm', 'Port5432UnhealthyTargetsAlarm', 'Port22NoHealthyTargetsAlarm', 'Port22UnhealthyTargetsAlarm',
    ]);
    const all = alarms(stack);
    expect(all).toHaveLength(4);
    const toDimensions = (d: Record<string, unknown>) => Object.entries(d).map(([Name, Value]) => ({ Name, Value }));
    const noHealthy22 = all.find((a) => a.MetricName === 'HealthyHostCount' && JSON.stringify(a.Dimensions).includes('TargetGroup22'));
    expect(noHealthy22).toEqual({
      Namespace: 'AWS/NetworkELB',
      MetricName: 'HealthyHostCount',
      Dimensions: toDimensions(targetDimensions(stack, construct, 22)),
      Statistic: 'Minimum',
      Period: 60,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
      TreatMissingData: 'notBreaching',
      AlarmDescription: expect.stringMatching(/^No target of port 22 of the PrivateLink service Stack\/Service was healthy for 3 consecutive minutes: .*listen on port 2222.*allowTargetAccess/),
    });
    const unhealthy5432 = all.find((a) => a.MetricName === 'UnHealthyHostCount' && JSON.stringify(a.Dimensions).includes('TargetGroup5432'));
    expect(unhealthy5432).toMatchObject({
      Namespace: 'AWS/NetworkELB',
      Statistic: 'Maximum',
      Period: 60,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
      TreatMissingData: 'notBreaching',
      AlarmDescription: expect.stringMatching(/^A target of port 5432 .* failed its health checks for 3 consecutive minutes; .*listen on port 5432/),
    });
    expect(all.every((a) => a.AlarmActions === undefined && a.OKActions === undefined)).toBe(true);
  });

  test('no unhealthy-target alarms when asked, a reset alarm with its threshold, and the topic on every alarm', () => {
    const { stack, construct } = service();
    const topic = new sns.Topic(stack, 'Alarms');
    const options: PrivateLinkServiceAlarmOptions = {
      alarmTopic: topic, evaluationPeriods: 10, alarmOnUnhealthyTargets: false, rstPacketsSentThreshold: 20,
    };
    expect(construct.addRecommendedAlarms(options).map((a) => a.node.id))
      .toEqual(['Port5432NoHealthyTargetsAlarm', 'Port22NoHealthyTargetsAlarm', 'RstPacketsSentAlarm']);
    const topicRef = [{ Ref: logicalId(stack, topic) }];
    const all = alarms(stack);
    expect(all.map((a) => [a.MetricName, a.EvaluationPeriods, a.DatapointsToAlarm, a.AlarmActions, a.OKActions])).toEqual([
      ['HealthyHostCount', 10, 10, topicRef, topicRef],
      ['HealthyHostCount', 10, 10, topicRef, topicRef],
      ['RstPacketsSent', 10, 10, topicRef, topicRef],
    ]);
    expect(all[2]).toMatchObject({
      Namespace: 'AWS/PrivateLinkServices',
      Dimensions: [{ Name: 'Service Id', Value: { Ref: endpointServiceId(stack) } }],
      Statistic: 'Sum',
      Period: 60,
      Threshold: 20,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
      AlarmDescription: expect.stringMatching(/sent more than 20 TCP resets a minute to its consumers for 10 consecutive minutes/),
    });
  });

  test.each<[PrivateLinkServiceAlarmOptions, string]>([
    [{ evaluationPeriods: 0 }, '`evaluationPeriods` must be an integer from 1 to 1440 (one-minute periods, at most a day), got: 0'],
    [{ rstPacketsSentThreshold: -5 }, '`rstPacketsSentThreshold` must be a number of packets per minute, 0 or more, got: -5'],
  ])('refuses %p and creates no alarm', (options, message) => {
    const { stack, construct } = service();
    expect(() => construct.addRecommendedAlarms(options)).toThrow(message);
    Template.fromStack(stack).resourceCountIs('AWS::CloudWatch::Alarm', 0);
  });

  test('refuses a second call', () => {
    const { construct } = service();
    construct.addRecommendedAlarms();
    expect(() => construct.addRecommendedAlarms({ alarmOnUnhealthyTargets: false }))
      .toThrow('`addRecommendedAlarms` can be called once per construct, and Stack/Service already has its alarms');
  });

  test('cdk-nag AwsSolutions: the alarms add no finding', () => {
    const { stack, construct } = service();
    construct.addRecommendedAlarms({ rstPacketsSentThreshold: 20 });
    const findings = new AwsSolutionsChecks().validateScope(stack).violations
      .flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}`));
    expect(findings.filter((f) => f.includes('/Service/'))).toEqual([]);
  });
});
