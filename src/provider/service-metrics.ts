import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type { Construct } from 'constructs';
import type { PrivateLinkServiceAlarmOptions } from './service-alarm-options';
import { ALARM_PERIOD, checkCalledOnce, checkEvaluationPeriods, checkThreshold, linkAlarm, linkMetric } from '../internal/alarms';

/** What identifies an endpoint service's metrics, and the target group of each exposed port. */
export interface ServiceMetricSource {
  readonly scope: Construct;
  readonly endpointServiceId: string;
  /** The exposed ports with their target ports, in the order of `ports`. */
  readonly ports: { readonly port: number; readonly targetPort: number }[];
  readonly targetGroupFor: (port: number) => elbv2.NetworkTargetGroup;
}

const NAMESPACE = 'AWS/PrivateLinkServices';

/** The statistic each metric is read with, from AWS's "most useful statistics". */
const STATISTICS: Record<string, string> = {
  ActiveConnections: 'Average',
  BytesProcessed: 'Sum',
  EndpointsCount: 'Average',
  NewConnections: 'Sum',
  RstPacketsSent: 'Sum',
};

/**
 * One endpoint service metric with the `Service Id` dimension alone (all consumers, all zones):
 * Sum (Average for `ActiveConnections` and `EndpointsCount`) over 5 minutes unless `props` say otherwise.
 */
export function serviceMetric(source: ServiceMetricSource, metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
  return linkMetric(source.scope, NAMESPACE, STATISTICS, { 'Service Id': source.endpointServiceId }, metricName, props);
}

/** The fewest healthy targets of a port's target group in a period (`AWS/NetworkELB`). */
export function healthyHostCount(source: ServiceMetricSource, port: number, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
  return source.targetGroupFor(port).metrics.healthyHostCount({ statistic: 'Minimum', period: Duration.minutes(5), ...props });
}

/** The most unhealthy targets of a port's target group in a period (`AWS/NetworkELB`). */
export function unhealthyHostCount(source: ServiceMetricSource, port: number, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
  return source.targetGroupFor(port).metrics.unHealthyHostCount({ statistic: 'Maximum', period: Duration.minutes(5), ...props });
}

/** The recommended alarms of an endpoint service: target health per port, and optionally resets. */
export function serviceAlarms(source: ServiceMetricSource, options: PrivateLinkServiceAlarmOptions = {}): cloudwatch.Alarm[] {
  const scope = source.scope;
  const evaluationPeriods = options.evaluationPeriods ?? 3;
  checkEvaluationPeriods(scope, evaluationPeriods);
  checkThreshold(scope, 'rstPacketsSentThreshold', options.rstPacketsSentThreshold);
  checkCalledOnce(scope, `Port${source.ports[0].port}NoHealthyTargetsAlarm`);

  const minutes = `${evaluationPeriods} consecutive minute${evaluationPeriods === 1 ? '' : 's'}`;
  const path = scope.node.path;
  const alarms: cloudwatch.Alarm[] = [];
  for (const { port, targetPort } of source.ports) {
    const check = `Check that the targets run and listen on port ${targetPort}, that their security groups allow the load ` +
      'balancer (`allowTargetAccess`), and, for targets kept by a HostnameTargetSync, its errors alarm.';
    alarms.push(linkAlarm(scope, `Port${port}NoHealthyTargetsAlarm`, {
      metric: healthyHostCount(source, port, { period: ALARM_PERIOD }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods,
      description: `No target of port ${port} of the PrivateLink service ${path} was healthy for ${minutes}: ` +
        `the vendor's connections to port ${port} fail. ${check}`,
    }, options.alarmTopic));
    if (options.alarmOnUnhealthyTargets ?? true) {
      alarms.push(linkAlarm(scope, `Port${port}UnhealthyTargetsAlarm`, {
        metric: unhealthyHostCount(source, port, { period: ALARM_PERIOD }),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods,
        description: `A target of port ${port} of the PrivateLink service ${path} failed its health checks for ${minutes}; ` +
          `connections go to the healthy targets, if any remain. ${check}`,
      }, options.alarmTopic));
    }
  }
  const rstThreshold = options.rstPacketsSentThreshold;
  if (rstThreshold !== undefined) {
    alarms.push(linkAlarm(scope, 'RstPacketsSentAlarm', {
      metric: serviceMetric(source, 'RstPacketsSent', { period: ALARM_PERIOD }),
      threshold: rstThreshold,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods,
      description: `The PrivateLink service ${path} sent more than ${rstThreshold} TCP resets a minute to its consumers ` +
        `for ${minutes}: its targets refuse or cut connections, or none is healthy. Check the target health alarms, ` +
        'then the targets\' own logs.',
    }, options.alarmTopic));
  }
  return alarms;
}
