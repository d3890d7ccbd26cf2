import { Duration, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import type { PrivateLinkDashboardProps } from './privatelink-dashboard-props';
import type { PrivateLinkEndpoint } from '../consumer/privatelink-endpoint';
import { invalid, show } from '../internal/validation';
import type { PrivateLinkService } from '../provider/privatelink-service';

/** CloudWatch's rule for dashboard names. */
const DASHBOARD_NAME = /^[A-Za-z0-9_-]{1,255}$/;

/** Three graphs to a row. */
const GRAPH_WIDTH = 8;
const GRAPH_HEIGHT = 6;

/**
 * A CloudWatch dashboard that shows one PrivateLink link end to end: the probe's verdict when
 * given, the consumer's interface endpoint (connections, bytes, dropped packets, resets), the
 * provider's endpoint service (connections, bytes, resets, connected endpoints) and the health
 * of the targets behind each exposed port, each section with a line on what to check.
 *
 * @example
 * declare const endpoint: PrivateLinkEndpoint;
 * new PrivateLinkDashboard(this, 'Dashboard', {
 *   dashboardName: 'vendor-link',
 *   endpoint,
 *   alarms: endpoint.addRecommendedAlarms(),
 * });
 */
export class PrivateLinkDashboard extends Construct {
  /** The dashboard. */
  public readonly dashboard: cloudwatch.Dashboard;

  private readonly period: Duration;

  constructor(scope: Construct, id: string, props: PrivateLinkDashboardProps) {
    super(scope, id);
    this.validate(props);
    this.period = props.period ?? Duration.minutes(5);

    this.dashboard = new cloudwatch.Dashboard(this, 'Resource', { dashboardName: props.dashboardName });
    this.dashboard.addWidgets(new cloudwatch.TextWidget({ markdown: header(props), width: 24, height: 2 }));
    const alarms = props.alarms ?? [];
    if (alarms.length > 0) {
      this.dashboard.addWidgets(new cloudwatch.AlarmStatusWidget({
        title: 'Alarms', alarms, width: 24, height: 1 + Math.ceil(alarms.length / 4),
      }));
    }
    if (props.probeMetrics) {
      this.addProbe(props.probeTitle ?? 'Probe results', props.probeMetrics);
    }
    if (props.endpoint) {
      this.addEndpoint(props.endpoint);
    }
    if (props.service) {
      this.addService(props.service);
    }
  }

  private addProbe(title: string, metrics: cloudwatch.IMetric[]): void {
    this.section(`## ${title}\nConnections a probe makes through the link. When they fail while both ends look ` +
      'healthy, check DNS (the private hosted zone) and the endpoint\'s security group.');
    this.dashboard.addWidgets(new cloudwatch.GraphWidget({ title, left: metrics, width: 24, height: GRAPH_HEIGHT }));
  }

  private addEndpoint(endpoint: PrivateLinkEndpoint): void {
    const period = this.period;
    this.section(`## Consumer: interface endpoint ${endpoint.node.path}\nDropped packets mean the endpoint service is ` +
      'unhealthy or packets exceed 8500 bytes; resets received mean the service refuses or cuts connections.');
    this.dashboard.addWidgets(
      graph('Endpoint connections', [
        endpoint.metricActiveConnections({ period, label: 'Active connections (average)' }),
        endpoint.metricNewConnections({ period, label: 'New connections' }),
      ]),
      graph('Endpoint bytes processed', [endpoint.metricBytesProcessed({ period, label: 'Bytes processed' })]),
      graph('Endpoint dropped packets and resets', [
        endpoint.metricPacketsDropped({ period, label: 'Packets dropped' }),
        endpoint.metricRstPacketsReceived({ period, label: 'Resets received' }),
      ]),
    );
  }

  private addService(service: PrivateLinkService): void {
    const period = this.period;
    this.section(`## Provider: endpoint service ${service.node.path}\nResets sent mean the targets refuse or cut ` +
      'connections; a port without a healthy target fails every connection to it.');
    this.dashboard.addWidgets(
      graph('Service connections', [
        service.metricActiveConnections({ period, label: 'Active connections (average)' }),
        service.metricNewConnections({ period, label: 'New connections' }),
      ]),
      graph('Service bytes processed', [service.metricBytesProcessed({ period, label: 'Bytes processed' })]),
      graph('Service resets sent and endpoints', [service.metricRstPacketsSent({ period, label: 'Resets sent' })],
        [service.metricEndpointsCount({ period, label: 'Connected endpoints' })]),
    );
    this.dashboard.addWidgets(...service.ports.map((port) => graph(`Targets of port ${port}`, [
      service.metricHealthyHostCount(port, { period, label: 'Healthy (minimum)' }),
      service.metricUnhealthyHostCount(port, { period, label: 'Unhealthy (maximum)' }),
    ])));
  }

  private section(markdown: string): void {
    this.dashboard.addWidgets(new cloudwatch.TextWidget({ markdown, width: 24, height: 2 }));
  }

  private validate(props: PrivateLinkDashboardProps): void {
    const name = props.dashboardName;
    if (name !== undefined && !Token.isUnresolved(name) && !DASHBOARD_NAME.test(name)) {
      invalid(this, `\`dashboardName\` must be 1 to 255 letters, digits, dashes or underscores, got: ${show(name)}`);
    }
    if (props.probeMetrics && props.probeMetrics.length === 0) {
      invalid(this, '`probeMetrics` must name at least one metric when given, got: []');
    }
    if (props.probeTitle !== undefined && !props.probeMetrics) {
      invalid(this, `\`probeTitle\` titles the probe section, so it needs \`probeMetrics\`, got: ${show(props.probeTitle)} without them`);
    }
    if (props.probeTitle !== undefined && props.probeTitle.trim() === '') {
      invalid(this, `\`probeTitle\` must not be blank, got: ${show(props.probeTitle)}`);
    }
    if (!props.endpoint && !props.service && !props.probeMetrics) {
      invalid(this, '`endpoint`, `service` or `probeMetrics` must be given (a dashboard needs something to show), got none of them');
    }
    const period = props.period;
    if (period && !period.isUnresolved()) {
      const minutes = period.toSeconds({ integral: false }) / 60;
      if (!Number.isInteger(minutes) || minutes < 1) {
        invalid(this, `\`period\` must be a whole number of minutes, at least 1, got: ${period.toHumanString()}`);
      }
    }
  }
}

function header(props: PrivateLinkDashboardProps): string {
  const ends = [
    props.endpoint && `consumer endpoint \`${props.endpoint.node.path}\``,
    props.service && `endpoint service \`${props.service.node.path}\``,
  ].filter(Boolean);
  return `# PrivateLink link\n${ends.length > 0 ? `From ${ends.join(' to ')}.` : 'Probe results only.'} ` +
    'Metrics are published each minute, and only while the link carries traffic.';
}

function graph(title: string, left: cloudwatch.IMetric[], right?: cloudwatch.IMetric[]): cloudwatch.GraphWidget {
  return new cloudwatch.GraphWidget({
    title, left, right, width: GRAPH_WIDTH, height: GRAPH_HEIGHT, leftYAxis: { min: 0 }, ...(right ? { rightYAxis: { min: 0 } } : {}),
  });
}
