import { App, CfnResource, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { AwsSolutionsChecks } from 'cdk-nag';
import { PrivateLinkDashboard, PrivateLinkDashboardProps, PrivateLinkEndpoint, PrivateLinkService, ServiceTarget } from '../../src';

const SERVICE = 'com.amazonaws.vpce.eu-west-1.vpce-svc-0123456789abcdef0';
const PROBE = [
  new cloudwatch.Metric({ namespace: 'Probe', metricName: 'Success', statistic: 'Minimum', period: Duration.minutes(1) }),
  new cloudwatch.Metric({ namespace: 'Probe', metricName: 'LatencyMs', statistic: 'p90' }),
];

/** One app that owns both ends of a link: an endpoint and a service exposing 5432 and 22. */
function setup() {
  const stack = new Stack(new App(), 'Stack', { env: { account: '111111111111', region: 'eu-west-1' } });
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    ipAddresses: ec2.IpAddresses.cidr('10.0.0.0/16'), availabilityZones: ['eu-west-1a', 'eu-west-1b'], natGateways: 1,
  });
  const endpoint = new PrivateLinkEndpoint(stack, 'Endpoint', { vpc, serviceName: SERVICE });
  const service = new PrivateLinkService(stack, 'Service', {
    vpc,
    allowedPrincipals: ['arn:aws:iam::012922587834:root'],
    ports: [{ port: 5432, targets: [ServiceTarget.ipAddress('10.0.100.10')] }, { port: 22, targets: [ServiceTarget.ipAddress('10.0.100.11')] }],
  });
  return { stack, endpoint, service };
}

interface RenderedMetric {
  readonly namespace: string;
  readonly name: string;
  readonly dimensions: Record<string, string>;
  readonly stat?: string;
  readonly period?: number;
  readonly label?: string;
  readonly yAxis?: string;
}

/** The dashboard body from the template, with each deploy-time value shown as {Ref:Id}, {GetAtt:Id.Attribute} or {Token}. */
function body(stack: Stack): { widgets: any[] } {
  const dashboards = Object.values(Template.fromStack(stack).findResources('AWS::CloudWatch::Dashboard'));
  expect(dashboards).toHaveLength(1);
  const raw = dashboards[0].Properties.DashboardBody;
  const text = typeof raw === 'string' ? raw : raw['Fn::Join'][1]
    .map((part: any) => {
      if (typeof part === 'string') return part;
      if (part.Ref) return `{Ref:${part.Ref}}`;
      return part['Fn::GetAtt'] ? `{GetAtt:${part['Fn::GetAtt'].join('.')}}` : '{Token}';
    }).join('');
  return JSON.parse(text);
}

/** The metrics of a graph widget: [namespace, name, dimension name, value, ..., options]. */
function metricsOf(widget: any): RenderedMetric[] {
  return (widget.properties.metrics ?? []).map((m: any[]) => {
    const options = typeof m[m.length - 1] === 'object' ? m[m.length - 1] : {};
    const [namespace, name, ...dims] = typeof m[m.length - 1] === 'object' ? m.slice(0, -1) : m;
    const dimensions: Record<string, string> = {};
    for (let i = 0; i < dims.length; i += 2) dimensions[dims[i]] = dims[i + 1];
    return { namespace, name, dimensions, ...options };
  });
}

const graphs = (b: { widgets: any[] }) => b.widgets.filter((w) => w.type === 'metric');
const texts = (b: { widgets: any[] }) => b.widgets.filter((w) => w.type === 'text').map((w) => w.properties.markdown as string);
const allMetrics = (b: { widgets: any[] }) => graphs(b).flatMap(metricsOf);
const logicalId = (stack: Stack, c: { node: { defaultChild?: unknown } }) => stack.getLogicalId(c.node.defaultChild as CfnResource);

describe('PrivateLinkDashboard', () => {
  test('both ends, probe results and alarms: every section, in order, with the metrics each shows', () => {
    const { stack, endpoint, service } = setup();
    const alarms = [...endpoint.addRecommendedAlarms(), ...service.addRecommendedAlarms()];
    new PrivateLinkDashboard(stack, 'Dashboard', { endpoint, service, probeMetrics: PROBE, probeTitle: 'Vendor API probe', alarms });
    const b = body(stack);

    expect(texts(b).map((t) => t.split('\n')[0])).toEqual([
      '# PrivateLink link',
      '## Vendor API probe',
      '## Consumer: interface endpoint Stack/Endpoint',
      '## Provider: endpoint service Stack/Service',
    ]);
    expect(texts(b)[0]).toContain('From consumer endpoint `Stack/Endpoint` to endpoint service `Stack/Service`.');
    const status = b.widgets.filter((w) => w.type === 'alarm');
    expect(status).toHaveLength(1);
    expect(status[0].properties.alarms).toEqual(alarms.map((a) => `{GetAtt:${logicalId(stack, a)}.Arn}`));
    expect(graphs(b).map((g) => g.properties.title)).toEqual([
      'Vendor API probe',
      'Endpoint connections', 'Endpoint bytes processed', 'Endpoint dropped packets and resets',
      'Service connections', 'Service bytes processed', 'Service resets sent and endpoints',
      'Targets of port 5432', 'Targets of port 22',
    ]);
    expect(allMetrics(b).map((m) => `${m.namespace} ${m.name} ${m.stat ?? 'Average'}`)).toEqual([
      'Probe Success Minimum', 'Probe LatencyMs p90',
      'AWS/PrivateLinkEndpoints ActiveConnections Average', 'AWS/PrivateLinkEndpoints NewConnections Sum',
      'AWS/PrivateLinkEndpoints BytesProcessed Sum',
      'AWS/PrivateLinkEndpoints PacketsDropped Sum', 'AWS/PrivateLinkEndpoints RstPacketsReceived Sum',
      'AWS/PrivateLinkServices ActiveConnections Average', 'AWS/PrivateLinkServices NewConnections Sum',
      'AWS/PrivateLinkServices BytesProcessed Sum',
      'AWS/PrivateLinkServices RstPacketsSent Sum', 'AWS/PrivateLinkServices EndpointsCount Average',
      'AWS/NetworkELB HealthyHostCount Minimum', 'AWS/NetworkELB UnHealthyHostCount Maximum',
      'AWS/NetworkELB HealthyHostCount Minimum', 'AWS/NetworkELB UnHealthyHostCount Maximum',
    ]);
  });

  test('endpoint metrics carry the endpoint\'s four dimensions, service metrics its Service Id, target metrics their target group', () => {
    const { stack, endpoint, service } = setup();
    new PrivateLinkDashboard(stack, 'Dashboard', { endpoint, service });
    const metrics = allMetrics(body(stack));
    const vpcId = logicalId(stack, endpoint.vpc);
    for (const m of metrics.filter((x) => x.namespace === 'AWS/PrivateLinkEndpoints')) {
      expect(m.dimensions).toEqual({
        'Endpoint Type': 'Interface',
        'Service Name': SERVICE,
        'VPC Endpoint Id': `{Ref:${logicalId(stack, endpoint)}}`,
        'VPC Id': `{Ref:${vpcId}}`,
      });
    }
    const serviceId = Object.keys(Template.fromStack(stack).findResources('AWS::EC2::VPCEndpointService'))[0];
    for (const m of metrics.filter((x) => x.namespace === 'AWS/PrivateLinkServices')) {
      expect(m.dimensions).toEqual({ 'Service Id': `{Ref:${serviceId}}` });
    }
    const targets = metrics.filter((x) => x.namespace === 'AWS/NetworkELB');
    expect(targets.map((m) => Object.keys(m.dimensions).sort())).toEqual(Array(4).fill(['LoadBalancer', 'TargetGroup']));
    expect(targets.map((m) => m.dimensions.TargetGroup)).toEqual([0, 0, 1, 1].map((i) =>
      `{GetAtt:${logicalId(stack, service.targetGroups[i])}.TargetGroupFullName}`));
    expect(metrics.find((m) => m.name === 'EndpointsCount')!.yAxis).toBe('right');
  });

  test('`period` sets the period of every endpoint, service and target metric; probe metrics keep theirs', () => {
    const { stack, endpoint, service } = setup();
    new PrivateLinkDashboard(stack, 'Dashboard', { endpoint, service, probeMetrics: PROBE, period: Duration.minutes(1) });
    const metrics = allMetrics(body(stack));
    expect(metrics.filter((m) => m.namespace !== 'Probe').every((m) => m.period === 60)).toBe(true);
    expect(metrics.filter((m) => m.namespace === 'Probe').map((m) => m.period)).toEqual([60, undefined]);
    const fiveMinutes = setup();
    new PrivateLinkDashboard(fiveMinutes.stack, 'Dashboard', { endpoint: fiveMinutes.endpoint });
    expect(allMetrics(body(fiveMinutes.stack)).map((m) => m.period ?? 300)).toEqual(Array(5).fill(300));
  });

  test('one end only: the endpoint alone shows no service metric, the service alone no endpoint metric', () => {
    const consumer = setup();
    new PrivateLinkDashboard(consumer.stack, 'Dashboard', { endpoint: consumer.endpoint });
    const consumerBody = body(consumer.stack);
    expect(new Set(allMetrics(consumerBody).map((m) => m.namespace))).toEqual(new Set(['AWS/PrivateLinkEndpoints']));
    expect(texts(consumerBody)[0]).toContain('From consumer endpoint `Stack/Endpoint`.');
    expect(consumerBody.widgets.some((w) => w.type === 'alarm')).toBe(false);

    const provider = setup();
    new PrivateLinkDashboard(provider.stack, 'Dashboard', { service: provider.service });
    expect(new Set(allMetrics(body(provider.stack)).map((m) => m.namespace)))
      .toEqual(new Set(['AWS/PrivateLinkServices', 'AWS/NetworkELB']));
  });

  test('probe results only, under the default title, and the dashboard name', () => {
    const stack = new Stack(new App(), 'Stack');
    const construct = new PrivateLinkDashboard(stack, 'Dashboard', { dashboardName: 'vendor-link_1', probeMetrics: PROBE });
    Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'vendor-link_1' });
    const b = body(stack);
    expect(texts(b).map((t) => t.split('\n')[0])).toEqual(['# PrivateLink link', '## Probe results']);
    expect(texts(b)[0]).toContain('Probe results only.');
    expect(graphs(b).map((g) => g.properties.title)).toEqual(['Probe results']);
    expect(construct.dashboard.node.id).toBe('Resource');
  });

  test('cdk-nag AwsSolutions: the dashboard adds no finding', () => {
    const { stack, endpoint, service } = setup();
    new PrivateLinkDashboard(stack, 'Dashboard', { endpoint, service, probeMetrics: PROBE });
    const findings = new AwsSolutionsChecks().validateScope(stack).violations
      .flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}`));
    expect(findings.filter((f) => f.includes('/Dashboard'))).toEqual([]);
  });
});

describe('PrivateLinkDashboard refusals', () => {
  function expectRefusal(props: (ends: ReturnType<typeof setup>) => PrivateLinkDashboardProps, message: string) {
    const ends = setup();
    expect(() => new PrivateLinkDashboard(ends.stack, 'Dashboard', props(ends))).toThrow(message);
    Template.fromStack(ends.stack).resourceCountIs('AWS::CloudWatch::Dashboard', 0);
  }

  test('a dashboard with nothing to show', () => {
    expectRefusal(() => ({}),
      '`endpoint`, `service` or `probeMetrics` must be given (a dashboard needs something to show), got none of them');
    expectRefusal(() => ({ dashboardName: 'empty', alarms: [] }),
      '`endpoint`, `service` or `probeMetrics` must be given (a dashboard needs something to show), got none of them');
  });

  test('an empty list of probe metrics, a probe title without them, or a blank one', () => {
    expectRefusal(({ endpoint }) => ({ endpoint, probeMetrics: [] }), '`probeMetrics` must name at least one metric when given, got: []');
    expectRefusal(({ endpoint }) => ({ endpoint, probeTitle: 'Probe' }),
      '`probeTitle` titles the probe section, so it needs `probeMetrics`, got: "Probe" without them');
    expectRefusal(() => ({ probeMetrics: PROBE, probeTitle: ' ' }), '`probeTitle` must not be blank, got: " "');
  });

  test.each([['an empty', ''], ['a spaced', 'vendor link'], ['a slashed', 'vendor/link'], ['a non-ASCII', 'vendör'], ['a 256-character', 'x'.repeat(256)]])(
    '%s dashboard name', (_what, dashboardName) => {
      expectRefusal(({ endpoint }) => ({ endpoint, dashboardName }),
        `\`dashboardName\` must be 1 to 255 letters, digits, dashes or underscores, got: ${JSON.stringify(dashboardName)}`);
    });

  test.each([Duration.seconds(30), Duration.seconds(90), Duration.minutes(0)])('the period %s', (period) => {
    expectRefusal(({ endpoint }) => ({ endpoint, period }),
      `\`period\` must be a whole number of minutes, at least 1, got: ${period.toHumanString()}`);
  });
});
