import type * as sns from 'aws-cdk-lib/aws-sns';

/**
 * Options for `PrivateLinkService.addRecommendedAlarms`.
 *
 * Each alarm looks at one-minute periods, goes off only when every one of `evaluationPeriods`
 * consecutive minutes breaches, and counts a minute without data as not breaching.
 *
 * @see https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-cloudwatch-metrics.html
 */
export interface PrivateLinkServiceAlarmOptions {
  /**
   * An SNS topic told when an alarm goes off and when it recovers.
   *
   * @default - the alarms have no actions
   */
  readonly alarmTopic?: sns.ITopic;

  /**
   * How many consecutive one-minute periods must breach before an alarm goes off. A Network Load
   * Balancer needs a few failed health checks to mark a target unhealthy, so a short blip does not count.
   *
   * @default 3
   */
  readonly evaluationPeriods?: number;

  /**
   * Also alarm, per port, when any target is unhealthy (`UnHealthyHostCount`, Maximum, 1 or more),
   * not only when no target is healthy (`HealthyHostCount`, Minimum, below 1). Turn it off when
   * a port keeps a standby target that is expected to fail its health checks.
   *
   * @default true
   */
  readonly alarmOnUnhealthyTargets?: boolean;

  /**
   * Also alarm when the endpoint service sends more than this many TCP resets a minute to the
   * consumers' endpoints (`RstPacketsSent`, Sum): AWS's recommended alarm for an endpoint service,
   * whose threshold depends on the traffic.
   *
   * @default - no alarm on resets
   * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Best_Practice_Recommended_Alarms_AWS_Services.html#PrivateLinkServices
   */
  readonly rstPacketsSentThreshold?: number;
}
