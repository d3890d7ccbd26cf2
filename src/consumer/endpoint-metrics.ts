import { Annotations, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { Construct } from 'constructs';
import type { PrivateLinkEndpointAlarmOptions } from './endpoint-alarm-options';
import { ALARM_PERIOD, checkCalledOnce, checkEvaluationPeriods, checkThreshold, linkAlarm, linkMetric } from '../internal/alarms';
import { isLiteral } from '../internal/validation';

/**
 * What identifies an interface endpoint's metrics in `AWS/PrivateLinkEndpoints`: all four
 * dimensions (without `Subnet Id`, which splits them per subnet).
 *
 * @see https://docs.aws.amazon.com/vpc/latest/privatelink/privatelink-cloudwatch-metrics.html
 */
export interface EndpointMetricSource {
  readonly scope: Construct;
  readonly vpcEndpointId: string;
  readonly vpcId: string;
  readonly serviceName: string;
  readonly serviceRegion?: string;
}

const NAMESPACE = 'AWS/PrivateLinkEndpoints';

/** The statistic each metric is read with, from AWS's "most useful statistics". */
const STATISTICS: Record<string, string> = {
  ActiveConnections: 'Average',
  BytesProcessed: 'Sum',
  NewConnections: 'Sum',
  PacketsDropped: 'Sum',
  RstPacketsReceived: 'Sum',
};

/** One endpoint metric: Sum (Average for `ActiveConnections`) over 5 minutes unless `props` say otherwise. */
export function endpointMetric(source: EndpointMetricSource, metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
  return linkMetric(source.scope, NAMESPACE, STATISTICS, {
    'Endpoint Type': 'Interface',
    'Service Name': source.serviceName,
    'VPC Endpoint Id': source.vpcEndpointId,
    'VPC Id': source.vpcId,
  }, metricName, props);
}

/** The recommended alarms of an endpoint: sustained dropped packets, and optionally resets. */
export function endpointAlarms(source: EndpointMetricSource, options: PrivateLinkEndpointAlarmOptions = {}): cloudwatch.Alarm[] {
  const scope = source.scope;
  const evaluationPeriods = options.evaluationPeriods ?? 5;
  const droppedThreshold = options.packetsDroppedThreshold ?? 0;
  checkEvaluationPeriods(scope, evaluationPeriods);
  checkThreshold(scope, 'packetsDroppedThreshold', droppedThreshold);
  checkThreshold(scope, 'rstPacketsReceivedThreshold', options.rstPacketsReceivedThreshold);
  checkCalledOnce(scope, 'PacketsDroppedAlarm');
  warnIfCrossRegion(source);

  const minutes = `${evaluationPeriods} consecutive minute${evaluationPeriods === 1 ? '' : 's'}`;
  const alarms = [linkAlarm(scope, 'PacketsDroppedAlarm', {
    metric: endpointMetric(source, 'PacketsDropped', { period: ALARM_PERIOD }),
    threshold: droppedThreshold,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    evaluationPeriods,
    description: `The PrivateLink endpoint ${scope.node.path} dropped more than ${droppedThreshold} packets a minute ` +
      `for ${minutes}: the endpoint service behind it may be unhealthy (it has no healthy target), or packets are larger ` +
      'than the 8500 bytes an endpoint passes. Check that the connection is accepted and the vendor reports the service ' +
      'healthy, then the MTU of the clients. See https://repost.aws/knowledge-center/connect-endpoint-service-vpc',
  }, options.alarmTopic)];
  const rstThreshold = options.rstPacketsReceivedThreshold;
  if (rstThreshold !== undefined) {
    alarms.push(linkAlarm(scope, 'RstPacketsReceivedAlarm', {
      metric: endpointMetric(source, 'RstPacketsReceived', { period: ALARM_PERIOD }),
      threshold: rstThreshold,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods,
      description: `The PrivateLink endpoint ${scope.node.path} received more than ${rstThreshold} TCP resets a minute ` +
        `for ${minutes}: the endpoint service refuses or cuts connections, usually because its targets are unhealthy or ` +
        'not listening on the port. Check with the vendor that the service is healthy, and that clients use the right port.',
    }, options.alarmTopic));
  }
  return alarms;
}

/**
 * AWS's documentation says PrivateLink publishes no metrics for consumers that use cross-region
 * access, so such an endpoint's alarms would never go off.
 */
function warnIfCrossRegion(source: EndpointMetricSource): void {
  const stackRegion = Stack.of(source.scope).region;
  const region = source.serviceRegion;
  if (region !== undefined && isLiteral(region) && isLiteral(stackRegion) && region !== stackRegion) {
    Annotations.of(source.scope).addWarningV2('cdk-saas-privatelink:noCrossRegionMetrics',
      `The endpoint reaches a service in ${region} through cross-region access, for which AWS PrivateLink publishes ` +
      'no CloudWatch metrics: its alarms stay quiet and its graphs empty. Watch the link with a probe instead.');
  }
}
