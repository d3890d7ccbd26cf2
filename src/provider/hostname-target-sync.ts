import { Annotations, CfnResource, Duration, Fn, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventTargets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { HostnameSyncFunction } from './hostname-sync-function';
import { PrivateLinkService } from './privatelink-service';
import { SyncedHostname } from './synced-hostname';
import { isCidr } from '../internal/addresses';
import { isDnsName } from '../internal/dns-names';
import { grantVpcNetworkInterfacesWithReasons, handlerFunction } from '../internal/handler-function';
import { allIsolated, selectPrivateSubnets } from '../internal/subnets';
import { invalid, isLiteral, isPort, show } from '../internal/validation';

/** The CloudWatch namespace of the sync's metrics. */
const METRICS_NAMESPACE = 'SaasPrivateLink/HostnameTargetSync';

/** RDS event categories after which the database's addresses may have changed. */
const RDS_EVENT_CATEGORIES = ['failover', 'maintenance', 'availability', 'recovery'];


/**
 * Properties of a `HostnameTargetSync`.
 */
export interface HostnameTargetSyncProps {
  /**
   * The DNS name whose addresses the target group holds.
   */
  readonly hostname: SyncedHostname;

  /**
   * The IP target group to keep in sync, such as
   * `PrivateLinkService.targetGroupFor(port)` of a port with `ipTargetsSyncedExternally`.
   * The sync owns its targets: it deregisters any address the name no longer resolves to.
   */
  readonly targetGroup: elbv2.ITargetGroup;

  /**
   * The port the targets are registered with (the database's port).
   */
  readonly port: number;

  /**
   * Where the load balancer's traffic comes from: a `PrivateLinkService`, or a Network Load
   * Balancer with security groups. The hostname's `target` (an RDS cluster, instance or proxy)
   * is opened to it on `port`.
   *
   * @default - the `PrivateLinkService` that owns `targetGroup`, when it does
   */
  readonly loadBalancer?: ec2.IConnectable;

  /**
   * Open the hostname's `target` (the database or proxy behind the name) to `loadBalancer` on
   * `port`. Without it, PrivateLink connections time out at the target's security group.
   *
   * @default true
   */
  readonly allowTargetAccess?: boolean;

  /**
   * The VPC the sync function runs in, so that it resolves names through the VPC's resolver
   * (private hosted zones included). Its subnets need a route to the Elastic Load Balancing
   * API: a NAT gateway, or an interface endpoint for `elasticloadbalancing`.
   */
  readonly vpc: ec2.IVpc;

  /**
   * The subnets of the sync function. Public subnets are refused: a Lambda function in a VPC
   * never gets a public address.
   *
   * @default - the VPC's private subnets (with egress, else isolated)
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /**
   * How often the sync runs, in whole minutes.
   *
   * @default Duration.minutes(1)
   */
  readonly interval?: Duration;

  /**
   * How many consecutive complete runs an address must be missing from the answers before
   * it is deregistered. Runs whose lookups failed do not count. An address is deregistered
   * only when this and `missingTimeBeforeDeregistration` are both reached.
   *
   * @default 3
   */
  readonly missedRunsBeforeDeregistration?: number;

  /**
   * How long an address must have been missing from the answers (since the first complete run
   * that missed it) before it is deregistered, in whole seconds from 0 to 24 hours. An address
   * is deregistered only when this and `missedRunsBeforeDeregistration` are both reached, so a
   * burst of runs set off by one failover cannot use up the grace in seconds. 0 leaves only the
   * run count.
   *
   * @default Duration.minutes(3)
   */
  readonly missingTimeBeforeDeregistration?: Duration;

  /**
   * DNS lookups per run, 200 ms apart; the run uses the union of their answers. Several
   * lookups catch every reader behind a round-robin reader endpoint.
   *
   * @default 5
   */
  readonly lookupsPerRun?: number;

  /**
   * Which records to resolve: A records for an IPv4 target group, AAAA records for an IPv6
   * target group.
   *
   * @default elbv2.TargetGroupIpAddressType.IPV4
   */
  readonly ipAddressType?: elbv2.TargetGroupIpAddressType;

  /**
   * The CIDR blocks of the target group's VPC. Addresses outside them are registered with
   * Availability Zone `all` (a peered VPC or an on-premises network).
   *
   * @default - the VPC's primary CIDR block; list secondary blocks here if the name can resolve into them
   */
  readonly vpcCidrBlocks?: string[];

  /**
   * An SNS topic told when the sync fails (its Lambda Errors alarm changes state).
   *
   * @default - the alarm has no action
   */
  readonly alarmTopic?: sns.ITopic;
}

/**
 * Keeps a Network Load Balancer IP target group equal to what a DNS name resolves to, such as
 * an RDS or Aurora endpoint, so that a vendor connected through PrivateLink survives a
 * database failover.
 *
 * A bundled Node.js Lambda function in the VPC runs every minute and at once on the
 * database's failover and maintenance events. It registers new addresses at once and
 * deregisters an address only after it has been missing from several consecutive runs and
 * for several minutes, never when the lookups failed. Its state is a tag on the target group.
 * It publishes metrics (namespace `SaasPrivateLink/HostnameTargetSync`) and fails the
 * invocation on any error, which sets off a Lambda Errors alarm.
 *
 * Runs never overlap: with reserved concurrency 1, a trigger that arrives during a run (one
 * failover sends several RDS events within seconds) is throttled, and Lambda retries throttled
 * asynchronous invocations, so runs are serialized. The reservation needs the account's Lambda
 * concurrency quota above 100 (a new account's low starting quota must be raised first).
 *
 * @example
 * declare const vpc: ec2.IVpc;
 * declare const cluster: rds.IDatabaseCluster;
 *
 * const service = new PrivateLinkService(this, 'ToVendor', {
 *   vpc,
 *   allowedPrincipals: ['arn:aws:iam::012922587834:root'],
 *   ports: [{ port: 5432, ipTargetsSyncedExternally: true }],
 * });
 * new HostnameTargetSync(this, 'Sync', {
 *   vpc,
 *   hostname: SyncedHostname.databaseClusterWriter(cluster),
 *   targetGroup: service.targetGroupFor(5432),
 *   port: 5432,
 * });
 */
export class HostnameTargetSync extends Construct implements ec2.IConnectable {
  /** The sync function. */
  public readonly function: lambda.IFunction;

  /** The alarm on the sync function's errors. */
  public readonly errorsAlarm: cloudwatch.Alarm;

  /** Network access of the sync function (DNS to the VPC resolver, HTTPS to AWS APIs). */
  public readonly connections: ec2.Connections;

  private readonly targetGroupDimension: string;

  constructor(scope: Construct, id: string, props: HostnameTargetSyncProps) {
    super(scope, id);

    const interval = props.interval ?? Duration.minutes(1);
    const missedRuns = props.missedRunsBeforeDeregistration ?? 3;
    const missingTime = props.missingTimeBeforeDeregistration ?? Duration.minutes(3);
    const lookups = props.lookupsPerRun ?? 5;
    this.validate(props, interval, missedRuns, missingTime, lookups);
    const subnets = this.selectSubnets(props.vpc, props.vpcSubnets);

    const securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: `Hostname target sync ${this.node.path}: DNS to the VPC resolver, HTTPS to AWS APIs`,
      allowAllOutbound: false,
    });
    const vpcPeer = ec2.Peer.ipv4(props.vpc.vpcCidrBlock);
    securityGroup.addEgressRule(vpcPeer, ec2.Port.udp(53), 'DNS to the VPC resolver');
    securityGroup.addEgressRule(vpcPeer, ec2.Port.tcp(53), 'DNS over TCP to the VPC resolver (large answers)');
    securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443),
      'The Elastic Load Balancing API, through a NAT gateway or an interface endpoint');
    this.connections = new ec2.Connections({ securityGroups: [securityGroup] });

    const targetGroupArn = props.targetGroup.targetGroupArn;
    const fn = handlerFunction(this, 'Function', HostnameSyncFunction, {
      description: `Keeps the target group in sync with the addresses of a DNS name (${this.node.path})`,
      timeout: Duration.seconds(60),
      environment: {
        HOSTNAME_TO_SYNC: props.hostname.hostname,
        TARGET_GROUP_ARN: targetGroupArn,
        TARGET_PORT: Token.isUnresolved(props.port) ? Token.asString(props.port) : String(props.port),
        MISSED_RUNS_BEFORE_DEREGISTRATION: String(missedRuns),
        MISSING_SECONDS_BEFORE_DEREGISTRATION: missingTime.isUnresolved()
          ? Token.asString(missingTime.toSeconds()) : String(missingTime.toSeconds()),
        LOOKUPS_PER_RUN: String(lookups),
        VPC_CIDR_BLOCKS: (props.vpcCidrBlocks ?? [props.vpc.vpcCidrBlock]).join(','),
        IP_ADDRESS_TYPE: props.ipAddressType ?? 'ipv4',
        METRICS_NAMESPACE,
      },
      functionOptions: {
        vpc: props.vpc,
        vpcSubnets: { subnets: subnets.subnets },
        securityGroups: [securityGroup],
        // A failed run is not retried: the next scheduled run, at most a minute away, is the retry.
        retryAttempts: 0,
        // Runs never overlap, so two cannot race on the state tag; Lambda retries throttled events.
        reservedConcurrentExecutions: 1,
      },
    });
    // handlerFunction skips checkov's reserved-concurrency check, which this function now passes.
    const cfnFunction = fn.node.defaultChild as CfnResource;
    const checkov = cfnFunction.getMetadata('checkov') as { skip?: { id: string }[] } | undefined;
    cfnFunction.addMetadata('checkov', { skip: (checkov?.skip ?? []).filter((s) => s.id !== 'CKV_AWS_115') });
    this.function = fn;
    this.grantTargetGroup(fn, targetGroupArn);
    if (props.allowTargetAccess ?? true) {
      this.openTarget(props);
    }

    const target = new eventTargets.LambdaFunction(fn);
    new events.Rule(this, 'Schedule', {
      description: `Runs the hostname target sync ${this.node.path}`,
      schedule: events.Schedule.rate(interval),
      targets: [target],
    });
    if (props.hostname._rdsDetailType && props.hostname._rdsSourceIdentifier) {
      new events.Rule(this, 'DatabaseEvents', {
        description: `Runs the hostname target sync ${this.node.path} at once after a database failover or maintenance`,
        eventPattern: {
          source: ['aws.rds'],
          detailType: [props.hostname._rdsDetailType],
          detail: {
            SourceIdentifier: [props.hostname._rdsSourceIdentifier],
            EventCategories: RDS_EVENT_CATEGORIES,
          },
        },
        targets: [target],
      });
    }

    // The handler names its metrics by the ARN's last field, "targetgroup/<name>/<id>".
    this.targetGroupDimension = Fn.select(5, Fn.split(':', targetGroupArn));
    this.errorsAlarm = new cloudwatch.Alarm(this, 'ErrorsAlarm', {
      alarmDescription: `The hostname target sync ${this.node.path} failed: the target group may not follow ` +
        `${props.hostname.hostname}. See the function's log group.`,
      metric: fn.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    if (props.alarmTopic) {
      this.errorsAlarm.addAlarmAction(new cwActions.SnsAction(props.alarmTopic));
      this.errorsAlarm.addOkAction(new cwActions.SnsAction(props.alarmTopic));
    }
  }

  /**
   * A metric the sync publishes, by name: `IpCount` (addresses the name resolved to),
   * `Registrations`, `Deregistrations` or `Failures` (1 for a failed run). Prefer the typed
   * `metricIpCount()`, `metricRegistrations()`, `metricDeregistrations()` and `metricFailures()`.
   *
   * @param metricName the metric's name
   * @param props options such as the period or statistic
   */
  public metric(metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.syncMetric(metricName, props);
  }

  /**
   * The fewest addresses the name resolved to in a period (`IpCount`, Minimum): 0 means the
   * name did not resolve, and nothing was deregistered.
   *
   * @default - Minimum over 5 minutes
   */
  public metricIpCount(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.syncMetric('IpCount', props);
  }

  /**
   * Addresses registered (`Registrations`, Sum): a failover shows as one.
   *
   * @default - Sum over 5 minutes
   */
  public metricRegistrations(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.syncMetric('Registrations', props);
  }

  /**
   * Addresses deregistered after their grace (`Deregistrations`, Sum).
   *
   * @default - Sum over 5 minutes
   */
  public metricDeregistrations(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.syncMetric('Deregistrations', props);
  }

  /**
   * Runs that failed (`Failures`, Sum): the same runs as the errors alarm counts.
   *
   * @default - Sum over 5 minutes
   */
  public metricFailures(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.syncMetric('Failures', props);
  }

  private syncMetric(metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    if (!['IpCount', 'Registrations', 'Deregistrations', 'Failures'].includes(metricName)) {
      invalid(this, `\`metricName\` must be one of IpCount, Registrations, Deregistrations, Failures, got: ${show(metricName)}`);
    }
    return new cloudwatch.Metric({
      namespace: METRICS_NAMESPACE,
      metricName,
      dimensionsMap: { TargetGroup: this.targetGroupDimension },
      statistic: metricName === 'IpCount' ? 'Minimum' : 'Sum',
      period: Duration.minutes(5),
      ...props,
    });
  }

  /** Opens what the name points at to the load balancer, or says why it could not. */
  private openTarget(props: HostnameTargetSyncProps): void {
    const target = props.hostname.target;
    if (!target) return;
    const owner = props.targetGroup.node.scope;
    const loadBalancer = props.loadBalancer ?? (owner instanceof PrivateLinkService ? owner : undefined);
    if (!loadBalancer) {
      this.warnNotOpened('`targetGroup` does not belong to a PrivateLinkService. ' +
        'Give `loadBalancer`, or set `allowTargetAccess: false` and open it yourself');
      return;
    }
    if (loadBalancer instanceof PrivateLinkService) {
      loadBalancer.allowTargetAccess(target, props.port);
      return;
    }
    if ('loadBalancerArn' in loadBalancer && loadBalancer.connections.securityGroups.length === 0) {
      this.warnNotOpened('the given `loadBalancer` has no security group. Allow its subnets on ' +
        `port ${props.port} yourself, and set \`allowTargetAccess: false\``);
      return;
    }
    target.connections.allowFrom(loadBalancer, ec2.Port.tcp(props.port), `From the load balancer of ${this.node.path}`);
  }

  private warnNotOpened(why: string): void {
    Annotations.of(this).addWarningV2('cdk-saas-privatelink:targetNotOpened',
      `What the hostname target sync ${this.node.path} follows was not opened to the load balancer: ${why}.`);
  }

  private grantTargetGroup(fn: lambda.Function, targetGroupArn: string): void {
    const role = fn.role!;
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['elasticloadbalancing:DescribeTargetHealth', 'elasticloadbalancing:DescribeTags'],
      resources: ['*'],
    }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: [
        'elasticloadbalancing:RegisterTargets', 'elasticloadbalancing:DeregisterTargets',
        'elasticloadbalancing:AddTags', 'elasticloadbalancing:RemoveTags',
      ],
      resources: [targetGroupArn],
    }));
    grantVpcNetworkInterfacesWithReasons(role, {
      checkov: 'The unconstrained writes are the EC2 network-interface actions a Lambda function in a VPC needs, ' +
        'which support no resource-level permissions; target and tag changes are limited to the one target group.',
      nag: 'elasticloadbalancing:DescribeTargetHealth and DescribeTags, and the EC2 network-interface actions a ' +
        'Lambda function in a VPC needs, support no resource-level permissions; changes to targets and tags ' +
        '(RegisterTargets, DeregisterTargets, AddTags, RemoveTags) are limited to the one target group.',
    });
  }

  private validate(
    props: HostnameTargetSyncProps, interval: Duration, missedRuns: number, missingTime: Duration, lookups: number,
  ): void {
    const hostname = props.hostname.hostname;
    if (isLiteral(hostname) && !isDnsName(hostname)) {
      invalid(this, '`hostname` must be a DNS name such as "db.cluster-abc.eu-west-1.rds.amazonaws.com" ' +
        `(for a fixed address use ServiceTarget.ipAddress), got: ${show(hostname)}`);
    }
    if (isLiteral(props.port) && !isPort(props.port)) {
      invalid(this, `\`port\` must be an integer from 1 to 65535, got: ${props.port}`);
    }
    if (!interval.isUnresolved()) {
      const minutes = interval.toSeconds() / 60;
      if (!Number.isInteger(minutes) || minutes < 1) {
        invalid(this, `\`interval\` must be a whole number of minutes, at least 1, got: ${interval.toHumanString()}`);
      }
    }
    if (!Token.isUnresolved(missedRuns) && (!Number.isInteger(missedRuns) || missedRuns < 1 || missedRuns > 100)) {
      invalid(this, `\`missedRunsBeforeDeregistration\` must be an integer from 1 to 100, got: ${missedRuns}`);
    }
    if (!missingTime.isUnresolved()) {
      const seconds = missingTime.toSeconds({ integral: false });
      if (!Number.isInteger(seconds) || seconds > 24 * 3600) {
        invalid(this, '`missingTimeBeforeDeregistration` must be a whole number of seconds from 0 to 24 hours, ' +
          `got: ${missingTime.toHumanString()}`);
      }
    }
    if (!Token.isUnresolved(lookups) && (!Number.isInteger(lookups) || lookups < 1 || lookups > 20)) {
      invalid(this, `\`lookupsPerRun\` must be an integer from 1 to 20, got: ${lookups}`);
    }
    for (const cidr of props.vpcCidrBlocks ?? []) {
      if (isLiteral(cidr) && !isCidr(cidr)) {
        invalid(this, `\`vpcCidrBlocks\` entries must be CIDR blocks such as "10.0.0.0/16", got: ${show(cidr)}`);
      }
    }
  }

  private selectSubnets(vpc: ec2.IVpc, selection?: ec2.SubnetSelection): ec2.SelectedSubnets {
    const selected = selectPrivateSubnets(this, vpc, selection, 'a Lambda function in a VPC gets no public address');
    if (allIsolated(vpc, selected)) {
      Annotations.of(this).addInfo('The hostname target sync runs in isolated subnets: it reaches the Elastic Load ' +
        'Balancing API only through an interface VPC endpoint for elasticloadbalancing.');
    }
    return selected;
  }
}
