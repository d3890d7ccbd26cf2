import { App, CfnResource, Duration, Fn, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks } from 'cdk-nag';
import { PrivateLinkEndpoint, PrivateLinkEndpointAlarmOptions, PrivateLinkEndpointProps } from '../../src';

const SERVICE = 'com.amazonaws.vpce.eu-west-1.vpce-svc-0123456789abcdef0';

function endpoint(props: Partial<PrivateLinkEndpointProps> = {}) {
  const stack = new Stack(new App(), 'Stack', { env: { account: '111111111111', region: 'eu-west-1' } });
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    ipAddresses: ec2.IpAddresses.cidr('10.0.0.0/16'), availabilityZones: ['eu-west-1a', 'eu-west-1b'], natGateways: 1,
  });
  const construct = new PrivateLinkEndpoint(stack, 'Endpoint', { vpc, serviceName: SERVICE, ...props });
  return { stack, vpc, construct };
}

/** The four dimensions AWS publishes an interface endpoint's metrics with, resolved. */
function dimensionsOf(stack: Stack, construct: PrivateLinkEndpoint) {
  return {
    'Endpoint Type': 'Interface',
    'Service Name': SERVICE,
    'VPC Endpoint Id': { Ref: stack.getLogicalId(construct.node.defaultChild as CfnResource) },
    'VPC Id': { Ref: stack.getLogicalId(construct.vpc.node.defaultChild as CfnResource) },
  };
}

/** The alarms of the template, keyed by metric name. */
function alarmsByMetric(stack: Stack): Record<string, any> {
  const alarms = Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm');
  return Object.fromEntries(Object.values(alarms).map((a: any) => [a.Properties.MetricName, a.Properties]));
}

describe('PrivateLinkEndpoint metrics', () => {
  test('each typed metric: AWS/PrivateLinkEndpoints, its name, the four dimensions, its statistic, 5 minutes', () => {
    const { stack, construct } = endpoint();
    const typed = [
      construct.metricActiveConnections(), construct.metricNewConnections(), construct.metricBytesProcessed(),
      construct.metricPacketsDropped(), construct.metricRstPacketsReceived(),
    ];
    expect(typed.map((m) => [m.namespace, m.metricName, m.statistic, m.period.toMinutes()])).toEqual([
      ['AWS/PrivateLinkEndpoints', 'ActiveConnections', 'Average', 5],
      ['AWS/PrivateLinkEndpoints', 'NewConnections', 'Sum', 5],
      ['AWS/PrivateLinkEndpoints', 'BytesProcessed', 'Sum', 5],
      ['AWS/PrivateLinkEndpoints', 'PacketsDropped', 'Sum', 5],
      ['AWS/PrivateLinkEndpoints', 'RstPacketsReceived', 'Sum', 5],
    ]);
    for (const metric of typed) {
      expect(stack.resolve(metric.dimensions)).toEqual(dimensionsOf(stack, construct));
    }
  });

  test('the service name dimension follows a service name known only at deploy time', () => {
    const { stack, construct } = endpoint({ serviceName: Fn.importValue('VendorServiceName') });
    expect(stack.resolve(construct.metricPacketsDropped().dimensions!['Service Name'])).toEqual({ 'Fn::ImportValue': 'VendorServiceName' });
  });

  test('MetricOptions override the statistic, period and label', () => {
    const { construct } = endpoint();
    const metric = construct.metricPacketsDropped({ statistic: 'Maximum', period: Duration.minutes(1), label: 'drops' });
    expect([metric.statistic, metric.period.toMinutes(), metric.label]).toEqual(['Maximum', 1, 'drops']);
    expect(construct.metricActiveConnections({ statistic: 'Minimum' }).statistic).toBe('Minimum');
  });

  test('metric() takes any metric name, with the typed statistic for known ones', () => {
    const { stack, construct } = endpoint();
    expect(construct.metric('PacketsDropped').statistic).toBe('Sum');
    const future = construct.metric('SomeNewMetric');
    expect([future.namespace, future.metricName, future.statistic]).toEqual(['AWS/PrivateLinkEndpoints', 'SomeNewMetric', 'Average']);
    expect(stack.resolve(future.dimensions)).toEqual(dimensionsOf(stack, construct));
  });

  test.each([['an empty', ''], ['a padded', ' PacketsDropped'], ['a 256-character', 'x'.repeat(256)]])('metric() refuses %s metric name', (_what, name) => {
    const { construct } = endpoint();
    expect(() => construct.metric(name)).toThrow('`metricName` must be a CloudWatch metric name of 1 to 255 characters ' +
      `without surrounding spaces, got: ${JSON.stringify(name)}`);
  });
});

describe('PrivateLinkEndpoint recommended alarms', () => {
  test('by default one alarm: PacketsDropped Sum per minute > 0 for 5 of 5 minutes, missing data not breaching, no actions', () => {
    const { stack, construct } = endpoint();
    const alarms = construct.addRecommendedAlarms();
    expect(alarms).toHaveLength(1);
    Template.fromStack(stack).resourceCountIs('AWS::CloudWatch::Alarm', 1);
    expect(alarmsByMetric(stack).PacketsDropped).toEqual({
      Namespace: 'AWS/PrivateLinkEndpoints',
      MetricName: 'PacketsDropped',
      Dimensions: Object.entries(dimensionsOf(stack, construct)).map(([Name, Value]) => ({ Name, Value })),
      Statistic: 'Sum',
      Period: 60,
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 5,
      DatapointsToAlarm: 5,
      TreatMissingData: 'notBreaching',
      AlarmDescription: expect.stringMatching(/^The PrivateLink endpoint Stack\/Endpoint dropped more than 0 packets a minute for 5 consecutive minutes: .*8500 bytes.*Check that the connection is accepted/),
    });
  });

  test('thresholds, evaluation periods, the reset alarm and the topic for alarm and OK actions', () => {
    const { stack, construct } = endpoint();
    const topic = new sns.Topic(stack, 'Alarms');
    const options: PrivateLinkEndpointAlarmOptions = {
      alarmTopic: topic, evaluationPeriods: 3, packetsDroppedThreshold: 10, rstPacketsReceivedThreshold: 50,
    };
    const alarms = construct.addRecommendedAlarms(options);
    expect(alarms.map((a) => a.node.id)).toEqual(['PacketsDroppedAlarm', 'RstPacketsReceivedAlarm']);
    const byMetric = alarmsByMetric(stack);
    const topicRef = [{ Ref: stack.getLogicalId(topic.node.defaultChild as CfnResource) }];
    expect(byMetric.PacketsDropped).toMatchObject({
      Threshold: 10, EvaluationPeriods: 3, DatapointsToAlarm: 3, AlarmActions: topicRef, OKActions: topicRef,
    });
    expect(byMetric.RstPacketsReceived).toMatchObject({
      Namespace: 'AWS/PrivateLinkEndpoints',
      Statistic: 'Sum',
      Period: 60,
      Threshold: 50,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
      TreatMissingData: 'notBreaching',
      AlarmActions: topicRef,
      OKActions: topicRef,
      AlarmDescription: expect.stringMatching(/received more than 50 TCP resets a minute for 3 consecutive minutes: the endpoint service refuses or cuts connections/),
    });
  });

  test('one evaluation period reads "1 consecutive minute"', () => {
    const { stack, construct } = endpoint();
    construct.addRecommendedAlarms({ evaluationPeriods: 1 });
    expect(alarmsByMetric(stack).PacketsDropped.AlarmDescription).toMatch(/for 1 consecutive minute: /);
  });

  test('a cross-region endpoint gets a warning that its alarms stay quiet; a same-region one does not', () => {
    const cross = endpoint({ serviceRegion: 'us-east-1' });
    cross.construct.addRecommendedAlarms();
    Annotations.fromStack(cross.stack).hasWarning('/Stack/Endpoint', Match.stringLikeRegexp('publishes no CloudWatch metrics'));
    const same = endpoint({ serviceRegion: 'eu-west-1' });
    same.construct.addRecommendedAlarms();
    Annotations.fromStack(same.stack).hasNoWarning('/Stack/Endpoint', Match.stringLikeRegexp('publishes no CloudWatch metrics'));
  });

  test.each<[PrivateLinkEndpointAlarmOptions, string]>([
    [{ evaluationPeriods: 0 }, '`evaluationPeriods` must be an integer from 1 to 1440 (one-minute periods, at most a day), got: 0'],
    [{ evaluationPeriods: 2.5 }, '`evaluationPeriods` must be an integer from 1 to 1440 (one-minute periods, at most a day), got: 2.5'],
    [{ evaluationPeriods: 1441 }, '`evaluationPeriods` must be an integer from 1 to 1440 (one-minute periods, at most a day), got: 1441'],
    [{ packetsDroppedThreshold: -1 }, '`packetsDroppedThreshold` must be a number of packets per minute, 0 or more, got: -1'],
    [{ rstPacketsReceivedThreshold: NaN }, '`rstPacketsReceivedThreshold` must be a number of packets per minute, 0 or more, got: NaN'],
  ])('refuses %p and creates no alarm', (options, message) => {
    const { stack, construct } = endpoint();
    expect(() => construct.addRecommendedAlarms(options)).toThrow(message);
    Template.fromStack(stack).resourceCountIs('AWS::CloudWatch::Alarm', 0);
  });

  test('refuses a second call', () => {
    const { construct } = endpoint();
    construct.addRecommendedAlarms();
    expect(() => construct.addRecommendedAlarms()).toThrow('`addRecommendedAlarms` can be called once per construct, and ' +
      'Stack/Endpoint already has its alarms; keep the alarms the first call returned');
  });

  test('cdk-nag AwsSolutions: the alarms add no finding', () => {
    const { stack, construct } = endpoint();
    construct.addRecommendedAlarms({ rstPacketsReceivedThreshold: 50 });
    const findings = new AwsSolutionsChecks().validateScope(stack).violations
      .flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}`));
    expect(findings.filter((f) => f.includes('/Endpoint/'))).toEqual([]);
  });
});
