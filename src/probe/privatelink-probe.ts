import { CustomResource, Duration, Lazy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventTargets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { PrivateLinkProbeProps, ProbeVpcOptions } from './privatelink-probe-props';
import { PROBE_METRICS, PROBE_NAMESPACE, ProbeTarget } from './probe-contract';
import { allowRunnerToInvoke, probeRunner, RUNNER_TIMEOUT, vpcProbeFunction } from './probe-functions';
import { isDnsName } from '../internal/dns-names';
import { serviceTimeoutFor } from '../internal/handler-function';
import { addOutputs } from '../internal/outputs';
import { selectPrivateSubnets } from '../internal/subnets';
import { invalid, isLiteral, isPort, isRegionName, partitionOf, show } from '../internal/validation';

interface VpcProbe {
  readonly vpc: ec2.IVpc;
  readonly vpcCidr: string;
  readonly fn: lambda.IFunction;
  readonly connections: ec2.Connections;
  readonly alarm?: cloudwatch.Alarm;
}

/**
 * Checks from inside each VPC that a SaaS vendor's host name is reachable over PrivateLink,
 * the way the vendors' guides do (`nslookup {env}.live.dynatrace.com` from an instance must
 * answer the endpoint's private addresses), and then some: every answer must be private (and
 * the endpoint's, when `endpoint` is given), a TCP connection to `port` must open, and a TLS
 * handshake with the host name as SNI must present a trusted certificate valid for the name.
 *
 * Each VPC gets a small probe function of its own (it needs no internet access). A runner
 * outside the VPCs, one per stack, invokes them:
 * - at deploy time, from a custom resource (`deployTimeCheck`): with `failDeployment` a
 *   failure fails a create or update, never a rollback; otherwise the diagnosis is exposed as `ok`, `diagnosis` and
 *   `results` (and stack outputs with `outputs`). Make the probe depend on the DNS records
 *   and anything else that must exist first: `probe.node.addDependency(dns)`.
 * - on a schedule (`canary`): it publishes metrics per VPC (namespace `SaasPrivateLink/Probe`,
 *   dimensions `Hostname` and `VpcId`) and an alarm per VPC goes off when the VPC cannot reach
 *   the service privately, or when no data arrives. The diagnosis is in the runner's log.
 *
 * Each failure is a diagnosis that names its cause and fix, such as "resolved to public
 * 35.157.1.2: the private hosted zone is not associated with vpc-0abc…".
 *
 * @example
 * declare const vpc: ec2.IVpc;
 * declare const spoke: ec2.IVpc;
 * declare const dynatrace: DynatracePrivateLink;
 *
 * const probe = new PrivateLinkProbe(this, 'Probe', {
 *   hostname: 'abc12345.live.dynatrace.com',
 *   vpcs: [vpc, spoke],
 *   endpoint: dynatrace.endpoint,
 * });
 * probe.node.addDependency(dynatrace);
 */
export class PrivateLinkProbe extends Construct {
  /** The CloudWatch namespace of the probe's metrics. */
  public static readonly METRICS_NAMESPACE = PROBE_NAMESPACE;

  /** The host name the probe checks. */
  public readonly hostname: string;

  /** The port the probe connects to. */
  public readonly port: number;

  private readonly probes: VpcProbe[] = [];
  private readonly runner: lambda.IFunction;
  private readonly stepTimeout: Duration;
  private readonly interval: Duration;
  private readonly canary: boolean;
  private readonly alarmTopic?: sns.ITopic;
  private readonly destination?: ec2.IPeer;
  private readonly check?: CustomResource;

  constructor(scope: Construct, id: string, props: PrivateLinkProbeProps) {
    super(scope, id);
    this.hostname = props.hostname;
    this.port = props.port ?? 443;
    this.destination = props.destination;
    this.stepTimeout = props.timeout ?? Duration.seconds(5);
    this.interval = props.interval ?? Duration.minutes(5);
    this.canary = props.canary ?? true;
    this.alarmTopic = props.alarmTopic;
    const deployTimeCheck = props.deployTimeCheck ?? true;
    this.validate(props, deployTimeCheck);

    this.runner = probeRunner(this);
    const settings = {
      Hostname: this.hostname,
      Port: this.port,
      ExpectedCertificateName: props.expectedCertificateName,
      EndpointId: props.endpoint?.vpcEndpointId,
      EndpointRegion: props.endpoint ? props.endpointRegion ?? Stack.of(this).region : undefined,
      StepTimeoutMs: this.stepTimeout.toMilliseconds(),
      Probes: Lazy.any({ produce: () => this.targets() }),
    };

    if (deployTimeCheck) {
      this.check = new CustomResource(this, 'DeployTimeCheck', {
        serviceToken: this.runner.functionArn,
        resourceType: 'Custom::PrivateLinkProbe',
        serviceTimeout: serviceTimeoutFor(RUNNER_TIMEOUT),
        properties: { ...settings, FailDeployment: String(props.failDeployment ?? false) },
      });
      if (props.failDeployment) {
        // To tell a deploy from a rollback before failing: its own stack only, by its exact ARN.
        this.runner.addToRolePolicy(new iam.PolicyStatement({ actions: ['cloudformation:DescribeStacks'], resources: [Stack.of(this).stackId] }));
      }
      addOutputs(this, props.outputs, {
        Ok: { value: this.ok, description: `Whether every VPC reaches ${this.hostname}:${this.port} privately (true or false)` },
        Diagnosis: { value: this.diagnosis, description: `The deploy-time diagnosis of ${this.hostname}:${this.port}, one line per VPC` },
      });
    }
    if (this.canary) {
      new events.Rule(this, 'Schedule', {
        description: `Runs the PrivateLink probe ${this.node.path}`,
        schedule: events.Schedule.rate(this.interval),
        targets: [new eventTargets.LambdaFunction(this.runner, { event: events.RuleTargetInput.fromObject({ Probe: settings }) })],
      });
    }

    for (const vpc of props.vpcs ?? []) this.addVpc(vpc);
    this.node.addValidation({
      validate: () => (this.probes.length === 0
        ? ['`vpcs` must name at least one VPC, or addVpc() be called: the probe has nowhere to check from'] : []),
    });
  }

  /**
   * Checks from one more VPC, with a probe function of its own.
   *
   * @param vpc a VPC in the stack's region
   * @param options where in the VPC the probe runs
   */
  public addVpc(vpc: ec2.IVpc, options: ProbeVpcOptions = {}): void {
    if (this.probes.some((p) => p.vpc === vpc || p.vpc.vpcId === vpc.vpcId)) {
      invalid(this, `\`vpcs\` must not repeat a VPC, got ${vpc.node.path} twice`);
    }
    const stackRegion = Stack.of(this).region;
    if (isLiteral(stackRegion) && isLiteral(vpc.env.region) && vpc.env.region !== stackRegion) {
      invalid(this, `\`vpcs\` must be in the stack's region ${stackRegion}, got ${vpc.node.path} in ${vpc.env.region}: ` +
        'a VPC in another region gets a PrivateLinkProbe in a stack of its own region');
    }
    let vpcCidr: string;
    try {
      vpcCidr = vpc.vpcCidrBlock;
    } catch {
      invalid(this, `\`vpcs\` entries need their CIDR block, got ${vpc.node.path} without one: import it with \`vpcCidrBlock\``);
    }
    const subnets = selectPrivateSubnets(this, vpc, options.vpcSubnets, 'a Lambda function in a VPC gets no public address');

    const scope = new Construct(this, this.vpcKey(vpc));
    const { fn, securityGroup } = vpcProbeFunction(scope, {
      vpc,
      vpcCidr,
      subnets: subnets.subnets,
      port: this.port,
      stepTimeout: this.stepTimeout,
      target: `${this.hostname}:${this.port}`,
      destination: this.destination,
    });
    allowRunnerToInvoke(this.runner, fn);
    const probe: VpcProbe = { vpc, vpcCidr, fn, connections: new ec2.Connections({ securityGroups: [securityGroup] }) };
    this.probes.push(probe);
    if (!this.canary) return;

    const alarm = new cloudwatch.Alarm(scope, 'UnreachableAlarm', {
      alarmDescription: `${vpc.node.path} cannot reach ${this.hostname}:${this.port} privately, or the probe sent no data: ` +
        `the PrivateLink probe ${this.node.path} logs the diagnosis in the probe runner's log group.`,
      metric: this.metricReachable(vpc),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: 2,
      datapointsToAlarm: 2,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
    if (this.alarmTopic) {
      alarm.addAlarmAction(new cwActions.SnsAction(this.alarmTopic));
      alarm.addOkAction(new cwActions.SnsAction(this.alarmTopic));
    }
    this.probes[this.probes.length - 1] = { ...probe, alarm };
  }

  /** `"true"` when every VPC reached the service privately at deploy time, else `"false"` (attribute `Ok`). */
  public get ok(): string {
    return this.deployTimeCheck('ok').getAttString('Ok');
  }

  /** The deploy-time diagnosis, one line per VPC (`vpc-…: …`), after the endpoint's problem if any (attribute `Diagnosis`). */
  public get diagnosis(): string {
    return this.deployTimeCheck('diagnosis').getAttString('Diagnosis');
  }

  /** The deploy-time results as JSON: per VPC, the addresses, the failed step and each step's milliseconds (attribute `Results`). */
  public get results(): string {
    return this.deployTimeCheck('results').getAttString('Results');
  }

  /** The alarms, one per VPC (none without `canary`). */
  public get alarms(): cloudwatch.IAlarm[] {
    return this.probes.flatMap((p) => (p.alarm ? [p.alarm] : []));
  }

  /**
   * The alarm of one VPC: it goes off when the VPC cannot reach the service privately in two
   * runs in a row, or when two runs sent no data.
   *
   * @param vpc one of the probed VPCs
   */
  public alarmFor(vpc: ec2.IVpc): cloudwatch.IAlarm {
    const alarm = this.probeFor(vpc).alarm;
    if (!alarm) invalid(this, '`canary` must be on for a VPC to have an alarm, got: false');
    return alarm;
  }

  /**
   * The probe function of one VPC.
   *
   * @param vpc one of the probed VPCs
   */
  public functionFor(vpc: ec2.IVpc): lambda.IFunction {
    return this.probeFor(vpc).fn;
  }

  /**
   * Network access of one VPC's probe function (DNS to the VPC, TCP to `port`), for example
   * to let it in on the endpoint's security group.
   *
   * @param vpc one of the probed VPCs
   */
  public connectionsFor(vpc: ec2.IVpc): ec2.Connections {
    return this.probeFor(vpc).connections;
  }

  /**
   * Whether the VPC reached the service privately (`Reachable`, 1 or 0, Minimum): every check passed.
   *
   * @default - Minimum over the canary's interval
   */
  public metricReachable(vpc: ec2.IVpc, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.probeMetric(PROBE_METRICS.reachable, vpc, 'Minimum', props);
  }

  /**
   * Whether the host name resolved in the VPC (`Resolved`, 1 or 0, Minimum).
   *
   * @default - Minimum over the canary's interval
   */
  public metricResolved(vpc: ec2.IVpc, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.probeMetric(PROBE_METRICS.resolved, vpc, 'Minimum', props);
  }

  /**
   * Whether every answer was a private address (`Private`, 1 or 0, Minimum).
   *
   * @default - Minimum over the canary's interval
   */
  public metricPrivate(vpc: ec2.IVpc, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.probeMetric(PROBE_METRICS.private, vpc, 'Minimum', props);
  }

  /**
   * Whether the TLS handshake succeeded with a valid certificate (`TlsOk`, 1 or 0, Minimum).
   *
   * @default - Minimum over the canary's interval
   */
  public metricTlsOk(vpc: ec2.IVpc, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.probeMetric(PROBE_METRICS.tlsOk, vpc, 'Minimum', props);
  }

  /**
   * How long the DNS lookup took (`DnsMs`, milliseconds, Maximum).
   *
   * @default - Maximum over the canary's interval
   */
  public metricDnsTime(vpc: ec2.IVpc, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.probeMetric(PROBE_METRICS.dnsMs, vpc, 'Maximum', props);
  }

  /**
   * How long the slowest TCP connect took (`TcpConnectMs`, milliseconds, Maximum).
   *
   * @default - Maximum over the canary's interval
   */
  public metricTcpConnectTime(vpc: ec2.IVpc, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.probeMetric(PROBE_METRICS.tcpConnectMs, vpc, 'Maximum', props);
  }

  /**
   * How long the slowest TLS handshake took (`TlsHandshakeMs`, milliseconds, Maximum).
   *
   * @default - Maximum over the canary's interval
   */
  public metricTlsHandshakeTime(vpc: ec2.IVpc, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.probeMetric(PROBE_METRICS.tlsHandshakeMs, vpc, 'Maximum', props);
  }

  private probeMetric(metricName: string, vpc: ec2.IVpc, statistic: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    this.probeFor(vpc);
    return new cloudwatch.Metric({
      namespace: PROBE_NAMESPACE,
      metricName,
      dimensionsMap: { Hostname: this.hostname, VpcId: vpc.vpcId },
      statistic,
      period: this.interval,
      ...props,
    });
  }

  private probeFor(vpc: ec2.IVpc): VpcProbe {
    const found = this.probes.find((p) => p.vpc === vpc || p.vpc.vpcId === vpc.vpcId);
    if (!found) {
      invalid(this, `\`vpc\` must be one of the VPCs the probe checks from (${this.probes.map((p) => p.vpc.node.path).join(', ') || 'none yet'}), ` +
        `got: ${show(vpc.node.path)}`);
    }
    return found;
  }

  private deployTimeCheck(attribute: string): CustomResource {
    if (!this.check) invalid(this, `\`deployTimeCheck\` must be on to read \`${attribute}\`, got: false`);
    return this.check;
  }

  private validate(props: PrivateLinkProbeProps, deployTimeCheck: boolean): void {
    if (isLiteral(props.hostname) && !isDnsName(props.hostname)) {
      invalid(this, `\`hostname\` must be a DNS name such as "abc12345.live.dynatrace.com", got: ${show(props.hostname)}`);
    }
    if (isLiteral(this.port) && !isPort(this.port)) {
      invalid(this, `\`port\` must be an integer from 1 to 65535, got: ${this.port}`);
    }
    const certificateName = props.expectedCertificateName;
    if (certificateName !== undefined && isLiteral(certificateName) && !isDnsName(certificateName)) {
      invalid(this, `\`expectedCertificateName\` must be a DNS name such as "abc12345.live.dynatrace.com", got: ${show(certificateName)}`);
    }
    const region = props.endpointRegion;
    if (region !== undefined && !props.endpoint) {
      invalid(this, `\`endpointRegion\` needs \`endpoint\`: it is the endpoint's region, got ${show(region)} without an endpoint`);
    }
    if (region !== undefined && isLiteral(region)) {
      const stackRegion = Stack.of(this).region;
      if (!isRegionName(region)) {
        invalid(this, `\`endpointRegion\` must be an AWS region name such as "eu-west-1", got: ${show(region)}`);
      }
      if (isLiteral(stackRegion) && partitionOf(stackRegion) !== partitionOf(region)) {
        invalid(this, `\`endpointRegion\` must be in the stack's partition "${partitionOf(stackRegion)}", got: ${show(region)}`);
      }
    }
    if (!this.interval.isUnresolved()) {
      const minutes = this.interval.toSeconds({ integral: false }) / 60;
      if (!Number.isInteger(minutes) || minutes < 1 || minutes > 60) {
        invalid(this, `\`interval\` must be a whole number of minutes from 1 to 60, got: ${this.interval.toHumanString()}`);
      }
    }
    if (this.stepTimeout.isUnresolved()) {
      invalid(this, '`timeout` must be known at synth: it sizes the probe functions\' Lambda timeout, got a deploy-time value');
    }
    const seconds = this.stepTimeout.toMilliseconds() / 1000;
    if (!Number.isInteger(seconds) || seconds < 1 || seconds > 20) {
      invalid(this, `\`timeout\` must be a whole number of seconds from 1 to 20, got: ${this.stepTimeout.toHumanString()}`);
    }
    if (!deployTimeCheck && !this.canary) {
      invalid(this, '`deployTimeCheck` and `canary` cannot both be off: the probe would never run, got: false and false');
    }
    if (!deployTimeCheck && props.failDeployment) {
      invalid(this, '`failDeployment` needs `deployTimeCheck`: without the deploy-time check nothing can fail the deployment, got: true');
    }
    if (!deployTimeCheck && props.outputs) {
      invalid(this, '`outputs` needs `deployTimeCheck`: the outputs are its diagnosis, got: true');
    }
    if (!this.canary && props.alarmTopic) {
      invalid(this, '`alarmTopic` needs `canary`: the alarms watch the canary\'s metrics');
    }
  }

  private targets(): ProbeTarget[] {
    return this.probes.map((p) => ({ FunctionArn: p.fn.functionArn, VpcId: p.vpc.vpcId, VpcCidr: p.vpcCidr }));
  }

  /** A stable child ID per VPC: its construct ID, and its address when another VPC has the same ID. */
  private vpcKey(vpc: ec2.IVpc): string {
    const key = `In${vpc.node.id.replace(/[^A-Za-z0-9]/g, '')}`;
    return this.node.tryFindChild(key) ? `${key}${vpc.node.addr.slice(0, 8)}` : key;
  }
}

