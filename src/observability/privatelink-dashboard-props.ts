import type { Duration } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { PrivateLinkEndpoint } from '../consumer/privatelink-endpoint';
import type { PrivateLinkService } from '../provider/privatelink-service';

/**
 * Properties of a `PrivateLinkDashboard`. Give at least one of `endpoint`, `service` and
 * `probeMetrics`: one end of a link, both ends when one app owns both, or only probe results.
 */
export interface PrivateLinkDashboardProps {
  /**
   * The dashboard's name: letters, digits, dashes and underscores, at most 255.
   *
   * @default - a name CloudFormation generates
   */
  readonly dashboardName?: string;

  /**
   * The consumer end of the link: its connections, bytes, dropped packets and resets
   * (`AWS/PrivateLinkEndpoints`).
   *
   * @default - no endpoint section
   */
  readonly endpoint?: PrivateLinkEndpoint;

  /**
   * The provider end of the link: its connections, bytes, resets and connected endpoints
   * (`AWS/PrivateLinkServices`), and the health of the targets of each exposed port (`AWS/NetworkELB`).
   *
   * @default - no service section
   */
  readonly service?: PrivateLinkService;

  /**
   * Results of a probe that connects through the link, such as a probe's success and latency
   * metrics, shown first as the link's end-to-end verdict. They keep their own statistic and period.
   *
   * @default - no probe section
   */
  readonly probeMetrics?: cloudwatch.IMetric[];

  /**
   * The title of the probe section.
   *
   * @default "Probe results"
   */
  readonly probeTitle?: string;

  /**
   * Alarms whose state is shown at the top, such as those `addRecommendedAlarms` returns.
   *
   * @default - no alarm status widget
   */
  readonly alarms?: cloudwatch.IAlarm[];

  /**
   * The period of the endpoint, service and target metrics, in whole minutes.
   *
   * @default Duration.minutes(5)
   */
  readonly period?: Duration;
}
