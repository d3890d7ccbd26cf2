import { Duration, Names, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { EdgeConnectHealthAlarms } from './edge-connect-props';
import { invalid } from '../../../internal/validation';

/**
 * Terms of the default error pattern. The TLS messages are the ones the vendor's guide lists as
 * appearing in the container's log; the OAuth 2.0 error codes (RFC 6749, section 5.2) are what
 * the token endpoint answers a deleted or wrong client with. The rest is common wording of 401,
 * 403 and refused connections: the vendor does not document its own.
 */
const ERROR_TERMS = [
  'invalid_client', 'unauthorized_client', 'Unauthorized', 'unauthorized', 'UNAUTHORIZED', 'Forbidden', 'forbidden',
  'authentication failed', 'Authentication failed', 'failed to authenticate', 'Failed to authenticate',
  'connection refused', 'Connection refused', 'failed to connect', 'Failed to connect',
  'self-signed certificate in certificate chain', 'unable to get issuer certificate',
  'unable to get local issuer certificate', 'hostname mismatch',
];

/** CloudWatch keeps a metric filter pattern to 1,024 characters. */
const MAX_PATTERN_LENGTH = 1024;
const MAX_EVALUATION_PERIODS = 1440;
const MINUTE = Duration.minutes(1);

/**
 * Properties of an `EdgeConnectHealth`.
 */
export interface EdgeConnectHealthProps extends EdgeConnectHealthAlarms {
  /** The EdgeConnect service. */
  readonly service: ecs.FargateService;

  /** The log group of the EdgeConnect container. */
  readonly logGroup: logs.ILogGroup;

  /**
   * The fewest tasks that should run; without Container Insights, the number used while the
   * service publishes nothing.
   *
   * @default 1
   */
  readonly expectedTasks?: number;
}

/**
 * The health signal of an EdgeConnect: a metric filter and an alarm on authentication and
 * connection errors in its log, and an alarm on fewer running tasks than wanted. `EdgeConnect`
 * creates one unless `healthAlarms.enabled` is false; `enabled` means nothing here.
 *
 * The image has no health endpoint, no port and no documented health command, so no container
 * health check can tell a running but unauthenticated EdgeConnect from a healthy one.
 *
 * @example
 * declare const edgeConnect: EdgeConnect;
 * declare const topic: sns.ITopic;
 *
 * new EdgeConnectHealth(this, 'Health', { service: edgeConnect.service, logGroup: edgeConnect.logGroup, alarmTopic: topic });
 */
export class EdgeConnectHealth extends Construct {
  /**
   * The CloudWatch Logs filter pattern counted as an authentication or connection error unless
   * `errorLogPattern` says otherwise: the TLS errors the vendor's guide lists, the OAuth 2.0
   * error codes of a refused client (`invalid_client`, `unauthorized_client`), and common
   * wording of 401, 403 and refused connections, each a case-sensitive term.
   */
  public static readonly DEFAULT_ERROR_LOG_PATTERN = ERROR_TERMS.map((term) => `?"${term}"`).join(' ');

  /** The metric filter that counts authentication and connection errors. */
  public readonly errorLogFilter: logs.MetricFilter;

  /** The alarm on authentication and connection errors in the log. */
  public readonly errorLogAlarm: cloudwatch.Alarm;

  /** The alarm on fewer running tasks than wanted (Container Insights), or on none running (without). */
  public readonly runningTasksAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: EdgeConnectHealthProps) {
    super(scope, id);
    const pattern = props.errorLogPattern ?? EdgeConnectHealth.DEFAULT_ERROR_LOG_PATTERN;
    const threshold = props.errorLogThreshold ?? 1;
    const period = props.errorLogPeriod ?? Duration.minutes(5);
    const evaluationPeriods = props.runningTasksEvaluationPeriods ?? 5;
    const expectedTasks = props.expectedTasks ?? 1;
    this.validate(pattern, threshold, period, evaluationPeriods, expectedTasks);

    this.errorLogFilter = new logs.MetricFilter(this, 'ErrorLogFilter', {
      logGroup: props.logGroup,
      filterPattern: logs.FilterPattern.literal(pattern),
      metricNamespace: 'Dynatrace/EdgeConnect',
      // One metric per EdgeConnect: a metric filter cannot add a dimension to unstructured log lines.
      metricName: `${Names.uniqueResourceName(this, { maxLength: 200, separator: '-' })}-AuthOrConnectionErrors`,
      metricValue: '1',
    });
    this.errorLogAlarm = new cloudwatch.Alarm(this, 'ErrorLogAlarm', {
      metric: this.errorLogFilter.metric({ statistic: 'Sum', period }),
      threshold,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      // No log line, no error: a quiet EdgeConnect is not a failing one (the task alarm covers a stopped one).
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: 'EdgeConnect logged authentication or connection errors: it may run without being connected to ' +
        'Dynatrace. Check the OAuth client in its secret (it must exist at Dynatrace and match the client ID), the route ' +
        'to sso.dynatrace.com and the environment, and the proxy and root certificates.',
    });

    const insights = props.containerInsights ?? hasContainerInsights(props.service.cluster);
    this.runningTasksAlarm = new cloudwatch.Alarm(this, 'RunningTasksAlarm', {
      ...(insights ? missingTasks(props.service, expectedTasks) : noTaskRunning(props.service)),
      evaluationPeriods,
      datapointsToAlarm: evaluationPeriods,
      // ECS publishes nothing for a service without a running task: no data is the failure itself.
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });

    if (props.alarmTopic) {
      for (const alarm of [this.errorLogAlarm, this.runningTasksAlarm]) {
        alarm.addAlarmAction(new cwActions.SnsAction(props.alarmTopic));
        alarm.addOkAction(new cwActions.SnsAction(props.alarmTopic));
      }
    }
  }

  private validate(pattern: string, threshold: number, period: Duration, evaluationPeriods: number, expectedTasks: number): void {
    if (!Token.isUnresolved(pattern) && (pattern.trim() === '' || pattern.length > MAX_PATTERN_LENGTH)) {
      invalid(this, `\`errorLogPattern\` must be a CloudWatch Logs filter pattern of 1 to ${MAX_PATTERN_LENGTH} ` +
        `characters, got ${pattern.length} characters`);
    }
    if (!Token.isUnresolved(threshold) && !(Number.isFinite(threshold) && threshold > 0)) {
      invalid(this, `\`errorLogThreshold\` must be a number of log events greater than 0, got: ${threshold}`);
    }
    if (!period.isUnresolved()) {
      const seconds = period.toSeconds({ integral: false });
      if (seconds < 60 || seconds > 86400 || seconds % 60 !== 0) {
        invalid(this, `\`errorLogPeriod\` must be whole minutes from 1 minute to 1 day, got: ${period.toHumanString()}`);
      }
    }
    if (!Token.isUnresolved(evaluationPeriods)
      && (!Number.isInteger(evaluationPeriods) || evaluationPeriods < 1 || evaluationPeriods > MAX_EVALUATION_PERIODS)) {
      invalid(this, `\`runningTasksEvaluationPeriods\` must be an integer from 1 to ${MAX_EVALUATION_PERIODS} ` +
        `(one-minute periods, at most a day), got: ${evaluationPeriods}`);
    }
    if (!Token.isUnresolved(expectedTasks) && !(Number.isInteger(expectedTasks) && expectedTasks >= 1)) {
      invalid(this, `\`expectedTasks\` must be an integer of at least 1, got: ${expectedTasks}`);
    }
  }
}

/**
 * Whether the cluster's own settings turn Container Insights on; an imported cluster, or one
 * that relies on the account's default setting, shows nothing CDK can read.
 */
function hasContainerInsights(cluster: ecs.ICluster): boolean {
  const resource = cluster.node.defaultChild;
  if (!(resource instanceof ecs.CfnCluster) || !Array.isArray(resource.clusterSettings)) return false;
  return resource.clusterSettings.some((setting) => {
    const s = setting as ecs.CfnCluster.ClusterSettingsProperty;
    return s.name === 'containerInsights' && (s.value === 'enabled' || s.value === 'enhanced');
  });
}

type TaskAlarmShape = Pick<cloudwatch.AlarmProps, 'metric' | 'threshold' | 'comparisonOperator' | 'alarmDescription'>;

/** With Container Insights: how many tasks the service wants and does not run. */
function missingTasks(service: ecs.FargateService, expectedTasks: number): TaskAlarmShape {
  const dimensionsMap = { ClusterName: service.cluster.clusterName, ServiceName: service.serviceName };
  const metric = (metricName: string, statistic: string) =>
    new cloudwatch.Metric({ namespace: 'ECS/ContainerInsights', metricName, dimensionsMap, statistic, period: MINUTE });
  const fallback = Token.isUnresolved(expectedTasks) ? 1 : expectedTasks;
  return {
    // A minute without Container Insights data counts as the wanted number of tasks with none running.
    metric: new cloudwatch.MathExpression({
      expression: `FILL(desired, ${fallback}) - FILL(running, 0)`,
      usingMetrics: { desired: metric('DesiredTaskCount', 'Maximum'), running: metric('RunningTaskCount', 'Minimum') },
      period: MINUTE,
      label: 'EdgeConnect tasks wanted but not running',
    }),
    threshold: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    alarmDescription: 'Fewer EdgeConnect tasks run than the service wants (Container Insights RunningTaskCount below ' +
      'DesiredTaskCount). Check the service\'s events and stopped tasks: image pulls, secrets, subnets, capacity.',
  };
}

/** Without Container Insights: ECS publishes a service's CPU only while one of its tasks runs. */
function noTaskRunning(service: ecs.FargateService): TaskAlarmShape {
  return {
    metric: service.metricCpuUtilization({ statistic: 'SampleCount', period: MINUTE }),
    threshold: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
    alarmDescription: 'No EdgeConnect task is running (the service publishes no CPUUtilization). Check the service\'s ' +
      'events and stopped tasks: image pulls, secrets, subnets, capacity. Turn Container Insights on to be told of ' +
      'fewer tasks than wanted as well.',
  };
}
