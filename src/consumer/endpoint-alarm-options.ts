import type * as sns from 'aws-cdk-lib/aws-sns';

/**
 * Options for `PrivateLinkEndpoint.addRecommendedAlarms`.
 *
 * Each alarm looks at one-minute periods (PrivateLink publishes its metrics each minute), goes
 * off only when every one of `evaluationPeriods` consecutive minutes breaches, and counts a
 * minute without data as not breaching: an endpoint publishes nothing while it carries no traffic.
 *
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Best_Practice_Recommended_Alarms_AWS_Services.html#PrivateLinkEndpoints
 */
export interface PrivateLinkEndpointAlarmOptions {
  /**
   * An SNS topic told when an alarm goes off and when it recovers.
   *
   * @default - the alarms have no actions
   */
  readonly alarmTopic?: sns.ITopic;

  /**
   * How many consecutive one-minute periods must breach before an alarm goes off. The default
   * is that of AWS's recommended alarm on `PacketsDropped`.
   *
   * @default 5
   */
  readonly evaluationPeriods?: number;

  /**
   * Packets dropped per minute (`PacketsDropped`, Sum) above which a minute breaches. AWS leaves
   * the threshold to the use case; 0 means any sustained drop goes off, which on a vendor link
   * (small, steady traffic) is a fault worth a look.
   *
   * @default 0
   */
  readonly packetsDroppedThreshold?: number;

  /**
   * Also alarm when the endpoint receives more than this many TCP resets per minute
   * (`RstPacketsReceived`, Sum): the service behind it refuses or cuts connections. Resets are
   * part of normal TCP, so choose the threshold from the link's usual traffic.
   *
   * @default - no alarm on resets
   */
  readonly rstPacketsReceivedThreshold?: number;
}
