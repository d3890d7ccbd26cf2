import { Duration, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { invalid, show } from './validation';

/** CloudWatch evaluates at most one day of periods; ours are one minute long. */
const MAX_EVALUATION_PERIODS = 1440;

/** What one recommended alarm watches, and what it tells the reader. */
export interface LinkAlarmSpec {
  readonly metric: cloudwatch.IMetric;
  readonly threshold: number;
  readonly comparisonOperator: cloudwatch.ComparisonOperator;
  readonly evaluationPeriods: number;
  readonly description: string;
}

/**
 * The one-minute period of every recommended alarm: PrivateLink and Network Load Balancer
 * metrics are published each minute, and AWS's recommended PrivateLink alarms use 60 seconds.
 */
export const ALARM_PERIOD = Duration.minutes(1);

/**
 * An alarm that goes off only when every one of `evaluationPeriods` consecutive minutes breaches,
 * treats minutes without data (no traffic, nothing published) as not breaching, and tells
 * `topic`, when given, both when it goes off and when it recovers.
 */
export function linkAlarm(scope: Construct, id: string, spec: LinkAlarmSpec, topic?: sns.ITopic): cloudwatch.Alarm {
  const alarm = new cloudwatch.Alarm(scope, id, {
    metric: spec.metric,
    threshold: spec.threshold,
    comparisonOperator: spec.comparisonOperator,
    evaluationPeriods: spec.evaluationPeriods,
    datapointsToAlarm: spec.evaluationPeriods,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    alarmDescription: spec.description,
  });
  if (topic) {
    alarm.addAlarmAction(new cwActions.SnsAction(topic));
    alarm.addOkAction(new cwActions.SnsAction(topic));
  }
  return alarm;
}

/** Refuses an `evaluationPeriods` option CloudWatch would not take. */
export function checkEvaluationPeriods(scope: Construct, value: number): void {
  if (!Token.isUnresolved(value) && (!Number.isInteger(value) || value < 1 || value > MAX_EVALUATION_PERIODS)) {
    invalid(scope, `\`evaluationPeriods\` must be an integer from 1 to ${MAX_EVALUATION_PERIODS} ` +
      `(one-minute periods, at most a day), got: ${value}`);
  }
}

/** Refuses a threshold that is negative or not a number (the metrics count packets). */
export function checkThreshold(scope: Construct, name: string, value: number | undefined): void {
  if (value !== undefined && !Token.isUnresolved(value) && !(Number.isFinite(value) && value >= 0)) {
    invalid(scope, `\`${name}\` must be a number of packets per minute, 0 or more, got: ${value}`);
  }
}

/** Refuses a metric name CloudWatch would not take: the escape hatch takes any AWS metric, but not an empty one. */
export function checkMetricName(scope: Construct, metricName: string): void {
  if (!Token.isUnresolved(metricName) && !/^\S(.{0,253}\S)?$/.test(metricName)) {
    invalid(scope, `\`metricName\` must be a CloudWatch metric name of 1 to 255 characters without surrounding spaces, got: ${show(metricName)}`);
  }
}

/** Refuses a second call that would create the same alarms again. */
export function checkCalledOnce(scope: Construct, firstAlarmId: string): void {
  if (scope.node.tryFindChild(firstAlarmId)) {
    invalid(scope, `\`addRecommendedAlarms\` can be called once per construct, and ${scope.node.path} already has its alarms; ` +
      'keep the alarms the first call returned');
  }
}

/**
 * A PrivateLink metric of one end of a link: the statistic AWS calls most useful for it (Average
 * for names not in `statistics`), over 5 minutes unless `props` say otherwise.
 */
export function linkMetric(
  scope: Construct,
  namespace: string,
  statistics: Record<string, string>,
  dimensionsMap: Record<string, string>,
  metricName: string,
  props?: cloudwatch.MetricOptions,
): cloudwatch.Metric {
  checkMetricName(scope, metricName);
  return new cloudwatch.Metric({
    namespace,
    metricName,
    dimensionsMap,
    statistic: statistics[metricName] ?? 'Average',
    period: Duration.minutes(5),
    ...props,
  }).attachTo(scope);
}
