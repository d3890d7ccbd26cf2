import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks } from 'cdk-nag';
import { EdgeConnect, EdgeConnectConfig, EdgeConnectHealth, EdgeConnectOAuthClient, EdgeConnectProps } from '../../../../src';
import { loadExample } from '../../../support/templates';

const CLIENT_ARN = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:edgeconnect-client-AbCdEf';

function edgeConnect(props: (stack: Stack, vpc: ec2.Vpc) => Partial<EdgeConnectProps> = () => ({})) {
  const app = new App();
  const stack = new Stack(app, 'Stack', { env: { account: '111111111111', region: 'eu-west-1' } });
  const vpc = new ec2.Vpc(stack, 'Vpc', { availabilityZones: ['eu-west-1a', 'eu-west-1b'], natGateways: 1 });
  const construct = new EdgeConnect(stack, 'EdgeConnect', {
    vpc,
    config: new EdgeConnectConfig({ name: 'corporate-network', apiEndpointHost: 'abc12345.apps.dynatrace.com' }),
    oauthClient: EdgeConnectOAuthClient.fromSecret(secretsmanager.Secret.fromSecretCompleteArn(stack, 'Client', CLIENT_ARN)),
    ...props(stack, vpc),
  });
  return { stack, construct, template: Template.fromStack(stack) };
}

function alarms(template: Template): Record<string, any> {
  return Object.fromEntries(Object.entries(template.findResources('AWS::CloudWatch::Alarm'))
    .map(([id, r]) => [id.includes('ErrorLog') ? 'errorLog' : 'runningTasks', r.Properties]));
}

/** CloudWatch's semantics of a pattern of `?"term"` alternatives on an unstructured line: any term, case-sensitive. */
function matches(pattern: string, line: string): boolean {
  const terms = [...pattern.matchAll(/\?"([^"]*)"/g)].map((m) => m[1]);
  expect(terms.join('').length).toBeGreaterThan(0);
  return terms.some((term) => line.includes(term));
}

describe('EdgeConnect health alarms by default', () => {
  test('a metric filter on the containers\' log group counts the default error pattern', () => {
    const { template } = edgeConnect();
    template.resourceCountIs('AWS::Logs::MetricFilter', 1);
    template.hasResourceProperties('AWS::Logs::MetricFilter', {
      LogGroupName: { Ref: Match.stringLikeRegexp('^EdgeConnectLogs') },
      FilterPattern: EdgeConnectHealth.DEFAULT_ERROR_LOG_PATTERN,
      MetricTransformations: [{
        MetricNamespace: 'Dynatrace/EdgeConnect',
        MetricName: Match.stringLikeRegexp('^Stack-EdgeConnect-Health-.*-AuthOrConnectionErrors$'),
        MetricValue: '1',
      }],
    });
  });

  test('the error alarm goes off at one matching line in 5 minutes, and a quiet log is not breaching', () => {
    const { errorLog } = alarms(edgeConnect().template);
    expect(errorLog).toMatchObject({
      Namespace: 'Dynatrace/EdgeConnect',
      Statistic: 'Sum',
      Period: 300,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
    });
    expect(errorLog.AlarmActions).toBeUndefined();
    expect(errorLog.AlarmDescription).toMatch(/OAuth client/);
  });

  test('the created cluster has Container Insights: the task alarm counts wanted minus running, and no data breaches', () => {
    const { runningTasks } = alarms(edgeConnect().template);
    expect(runningTasks).toMatchObject({
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 5,
      DatapointsToAlarm: 5,
      TreatMissingData: 'breaching',
    });
    const expression = runningTasks.Metrics.find((m: any) => m.Expression);
    expect(expression.Expression).toBe('FILL(desired, 2) - FILL(running, 0)');
    const byId = Object.fromEntries(runningTasks.Metrics.filter((m: any) => m.MetricStat).map((m: any) => [m.Id, m.MetricStat]));
    expect(byId.running).toMatchObject({ Metric: { Namespace: 'ECS/ContainerInsights', MetricName: 'RunningTaskCount' }, Period: 60, Stat: 'Minimum' });
    expect(byId.desired).toMatchObject({ Metric: { Namespace: 'ECS/ContainerInsights', MetricName: 'DesiredTaskCount' }, Period: 60, Stat: 'Maximum' });
    expect(byId.running.Metric.Dimensions.map((d: any) => d.Name).sort()).toEqual(['ClusterName', 'ServiceName']);
  });

  test('the alarms are exposed on the construct', () => {
    const { construct } = edgeConnect();
    expect(construct.health).toBeInstanceOf(EdgeConnectHealth);
    expect(construct.errorLogAlarm).toBe(construct.health!.errorLogAlarm);
    expect(construct.runningTasksAlarm).toBe(construct.health!.runningTasksAlarm);
  });

  test('with autoscaling, no data counts as the minimum capacity', () => {
    const { runningTasks } = alarms(edgeConnect(() => ({ desiredCount: 3, autoScaling: { minCapacity: 3, maxCapacity: 6 } })).template);
    expect(runningTasks.Metrics.find((m: any) => m.Expression).Expression).toBe('FILL(desired, 3) - FILL(running, 0)');
  });

  test('cdk-nag finds nothing in the health alarms', () => {
    const { stack } = edgeConnect((s) => ({ healthAlarms: { alarmTopic: new sns.Topic(s, 'Topic', { enforceSSL: true }) } }));
    const ours = (v: { violatingResources: readonly { constructPath?: string }[] }) =>
      v.violatingResources.some((r) => /^Stack\/EdgeConnect\/Health\//.test(r.constructPath ?? ''));
    expect(new AwsSolutionsChecks().validateScope(stack).violations.filter(ours)).toEqual([]);
  });
});

describe('EdgeConnect health alarm options', () => {
  test('enabled: false leaves out the filter and both alarms', () => {
    const { construct, template } = edgeConnect(() => ({ healthAlarms: { enabled: false } }));
    template.resourceCountIs('AWS::Logs::MetricFilter', 0);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 0);
    expect(construct.health).toBeUndefined();
    expect(construct.errorLogAlarm).toBeUndefined();
    expect(construct.runningTasksAlarm).toBeUndefined();
  });

  test('an SNS topic is told when each alarm goes off and when it recovers', () => {
    const { template } = edgeConnect((s) => ({ healthAlarms: { alarmTopic: new sns.Topic(s, 'Topic') } }));
    const all = Object.values(alarms(template));
    expect(all).toHaveLength(2);
    for (const props of all) {
      expect(props.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^Topic/) }]);
      expect(props.OKActions).toEqual([{ Ref: expect.stringMatching(/^Topic/) }]);
    }
  });

  test('a pattern, a threshold, a window and evaluation periods of your own', () => {
    const { template } = edgeConnect(() => ({
      healthAlarms: { errorLogPattern: '"login refused"', errorLogThreshold: 3, errorLogPeriod: Duration.minutes(15), runningTasksEvaluationPeriods: 10 },
    }));
    template.hasResourceProperties('AWS::Logs::MetricFilter', { FilterPattern: '"login refused"' });
    const { errorLog, runningTasks } = alarms(template);
    expect(errorLog).toMatchObject({ Threshold: 3, Period: 900 });
    expect(runningTasks).toMatchObject({ EvaluationPeriods: 10, DatapointsToAlarm: 10 });
  });

  test('a given cluster without Container Insights: the alarm goes off when no task publishes its CPU', () => {
    const { runningTasks } = alarms(edgeConnect((s, vpc) => ({ cluster: new ecs.Cluster(s, 'Cluster', { vpc }) })).template);
    expect(runningTasks).toMatchObject({
      Namespace: 'AWS/ECS',
      MetricName: 'CPUUtilization',
      Statistic: 'SampleCount',
      Period: 60,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
    });
    expect(runningTasks.AlarmDescription).toMatch(/Turn Container Insights on/);
  });

  test('an imported cluster is taken as without Container Insights', () => {
    const { runningTasks } = alarms(edgeConnect((s, vpc) => ({
      cluster: ecs.Cluster.fromClusterAttributes(s, 'Cluster', { clusterName: 'shared', vpc }),
    })).template);
    expect(runningTasks.MetricName).toBe('CPUUtilization');
  });

  test.each([
    ['enhanced Container Insights on a given cluster', (s: Stack, vpc: ec2.Vpc) => ({
      cluster: new ecs.Cluster(s, 'Cluster', { vpc, containerInsightsV2: ecs.ContainerInsights.ENHANCED }),
    })],
    ['containerInsights: true for an imported cluster', (s: Stack, vpc: ec2.Vpc) => ({
      cluster: ecs.Cluster.fromClusterAttributes(s, 'Cluster', { clusterName: 'shared', vpc }),
      healthAlarms: { containerInsights: true },
    })],
  ])('%s: the alarm counts missing tasks', (_, props) => {
    const { runningTasks } = alarms(edgeConnect(props).template);
    expect(runningTasks.Metrics.find((m: any) => m.Expression).Expression).toBe('FILL(desired, 2) - FILL(running, 0)');
  });

  test('containerInsights: false on the created cluster falls back to the CPU samples', () => {
    const { runningTasks } = alarms(edgeConnect(() => ({ healthAlarms: { containerInsights: false } })).template);
    expect(runningTasks.MetricName).toBe('CPUUtilization');
  });

  test.each([
    ['an empty pattern', { errorLogPattern: ' ' }, '`errorLogPattern` must be a CloudWatch Logs filter pattern of 1 to 1024 characters, got 1 characters'],
    ['a pattern over 1,024 characters', { errorLogPattern: 'x'.repeat(1025) }, 'got 1025 characters'],
    ['a threshold of 0', { errorLogThreshold: 0 }, '`errorLogThreshold` must be a number of log events greater than 0, got: 0'],
    ['a window of 90 seconds', { errorLogPeriod: Duration.seconds(90) }, '`errorLogPeriod` must be whole minutes from 1 minute to 1 day, got: 1 minute 30 seconds'],
    ['a window of two days', { errorLogPeriod: Duration.days(2) }, '`errorLogPeriod` must be whole minutes from 1 minute to 1 day, got: 2 days'],
    ['0 evaluation periods', { runningTasksEvaluationPeriods: 0 }, '`runningTasksEvaluationPeriods` must be an integer from 1 to 1440 (one-minute periods, at most a day), got: 0'],
    ['fractional evaluation periods', { runningTasksEvaluationPeriods: 2.5 }, 'got: 2.5'],
  ])('refuses %s', (_, healthAlarms, message) => {
    expect(() => edgeConnect(() => ({ healthAlarms }))).toThrow(message);
  });

  test('refuses an expected task count below 1 on its own', () => {
    const stack = edgeConnect(() => ({ healthAlarms: { enabled: false } }));
    expect(() => new EdgeConnectHealth(stack.construct, 'Own', {
      service: stack.construct.service, logGroup: stack.construct.logGroup, expectedTasks: 0,
    })).toThrow('`expectedTasks` must be an integer of at least 1, got: 0');
  });
});

describe('the default error pattern', () => {
  const pattern = EdgeConnectHealth.DEFAULT_ERROR_LOG_PATTERN;

  test('fits CloudWatch\'s 1,024 characters and is only quoted alternatives', () => {
    expect(pattern.length).toBeLessThanOrEqual(1024);
    expect(pattern.replace(/\?"[^"]+"/g, '').trim()).toBe('');
  });

  test.each([
    'error: self-signed certificate in certificate chain',
    'TLS handshake failed: unable to get local issuer certificate',
    'request to https://erp.corp.example.com failed: hostname mismatch',
    'token request failed: 401 {"error":"invalid_client","error_description":"Client authentication failed"}',
    'HTTP 403 Forbidden from abc12345.apps.dynatrace.com',
    'dial tcp 10.0.0.1:443: connect: connection refused',
  ])('matches %j', (line) => {
    expect(matches(pattern, line)).toBe(true);
  });

  test.each([
    'EdgeConnect corporate-network started',
    'connected to abc12345.apps.dynatrace.com',
    'forwarded GET https://erp.corp.example.com/api 200',
  ])('does not match %j', (line) => {
    expect(matches(pattern, line)).toBe(false);
  });
});

describe('the EdgeConnect examples', () => {
  test.each([
    ['edgeconnect-existing-client', 'EdgeConnectExistingClient', 'FILL(desired, 2) - FILL(running, 0)'],
    ['edgeconnect-provisioner', 'EdgeConnectProvisioner', 'FILL(desired, 2) - FILL(running, 0)'],
  ])('%s has the error-log filter and both health alarms', (name, stackName, expression) => {
    const assembly = loadExample(name)({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), `health-${name}-`)) }).synth();
    const template = Template.fromJSON(assembly.getStackByName(stackName).template);
    template.hasResourceProperties('AWS::Logs::MetricFilter', { FilterPattern: EdgeConnectHealth.DEFAULT_ERROR_LOG_PATTERN });
    const { errorLog, runningTasks } = alarms(template);
    expect(errorLog).toMatchObject({ Namespace: 'Dynatrace/EdgeConnect', Threshold: 1 });
    expect(runningTasks.Metrics.find((m: any) => m.Expression).Expression).toBe(expression);
  });
});
