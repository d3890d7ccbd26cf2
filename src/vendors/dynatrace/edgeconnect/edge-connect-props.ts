import type { Duration } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { EdgeConnectConfig } from './edge-connect-config';
import type { EdgeConnectImage } from './edge-connect-image';
import type { EdgeConnectOAuthClient } from './edge-connect-oauth-client';
import type { RootCertificate } from '../root-certificate';

/**
 * A field of a Secrets Manager secret, or the whole secret.
 */
export interface SecretsManagerValue {
  /** The secret. */
  readonly secret: secretsmanager.ISecret;

  /**
   * The JSON field that holds the value.
   *
   * @default - the whole secret string
   */
  readonly field?: string;
}

/**
 * The value of a placeholder secret of the config (an entry of `config.secrets` with `fromEnv`).
 */
export interface EdgeConnectSecretValue {
  /** The `fromEnv` of the placeholder secret in `config.secrets`. */
  readonly fromEnv: string;

  /** The secret that holds the value. */
  readonly secret: secretsmanager.ISecret;

  /**
   * The JSON field that holds the value.
   *
   * @default - the whole secret string
   */
  readonly field?: string;
}

/**
 * Target tracking on CPU for the number of EdgeConnect tasks.
 */
export interface EdgeConnectAutoScaling {
  /** The fewest tasks. */
  readonly minCapacity: number;

  /** The most tasks. */
  readonly maxCapacity: number;

  /**
   * The average CPU utilization to keep, in percent.
   *
   * @default 60
   */
  readonly cpuTargetUtilizationPercent?: number;
}

/**
 * The health alarms of an `EdgeConnect`: one on authentication and connection errors in its log,
 * one on fewer running tasks than wanted.
 *
 * The image has no health endpoint, no port and no documented health command, so ECS cannot
 * tell a running but unauthenticated EdgeConnect from a healthy one; the log and the task count
 * can.
 */
export interface EdgeConnectHealthAlarms {
  /**
   * Whether to create the metric filter and the two alarms.
   *
   * @default true
   */
  readonly enabled?: boolean;

  /**
   * An SNS topic told when an alarm goes off and when it recovers.
   *
   * @default - the alarms have no actions
   */
  readonly alarmTopic?: sns.ITopic;

  /**
   * The CloudWatch Logs filter pattern that counts an authentication or connection error in the
   * containers' log group. The vendor documents the TLS errors it logs (such as "unable to get
   * local issuer certificate") but not the text of an OAuth failure: the default also matches the
   * OAuth 2.0 error codes of a refused client (`invalid_client`, `unauthorized_client`) and common
   * wording of 401, 403 and refused connections. Replace it when your EdgeConnect release logs
   * its failures in other words.
   *
   * @default EdgeConnectHealth.DEFAULT_ERROR_LOG_PATTERN
   * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html
   */
  readonly errorLogPattern?: string;

  /**
   * How many matching log events within `errorLogPeriod` set the error alarm off.
   *
   * @default 1
   */
  readonly errorLogThreshold?: number;

  /**
   * The window the error alarm counts matching log events over. EdgeConnect retries a refused
   * login with pauses of its own, so a window of several minutes catches it even when it logs
   * less than once a minute.
   *
   * @default Duration.minutes(5)
   */
  readonly errorLogPeriod?: Duration;

  /**
   * How many consecutive one-minute periods must have fewer running tasks than wanted before the
   * task alarm goes off. A stopped task is replaced within a minute or two, so a short gap does
   * not count.
   *
   * @default 5
   */
  readonly runningTasksEvaluationPeriods?: number;

  /**
   * Whether the cluster publishes Container Insights metrics (`ECS/ContainerInsights`
   * `RunningTaskCount` and `DesiredTaskCount`). With them, the task alarm goes off when fewer
   * tasks run than the service wants; without them, ECS publishes service metrics only while a
   * task runs, so the alarm can only go off when no task runs at all. Set it to `true` for a
   * `cluster` whose Container Insights CDK cannot see (an imported cluster, or one with
   * Container Insights on by account setting): with `true` and no Container Insights, the alarm
   * stays in alarm.
   *
   * @default - true for the cluster this construct creates and for an `ecs.Cluster` whose
   * Container Insights setting is `enabled` or `enhanced`; false otherwise
   */
  readonly containerInsights?: boolean;
}

/**
 * Properties of an `EdgeConnect`.
 */
export interface EdgeConnectProps {
  /** The EdgeConnect's settings (`edgeConnect.yaml` without secrets). */
  readonly config: EdgeConnectConfig;

  /**
   * The OAuth client it authenticates with: `EdgeConnectOAuthClient.fromSecret(secret)` for a
   * client created in the EdgeConnect management app, or `EdgeConnectOAuthClient.provision(...)`.
   */
  readonly oauthClient: EdgeConnectOAuthClient;

  /**
   * The VPC to run in.
   *
   * @default - the VPC of `cluster`; one of the two is required
   */
  readonly vpc?: ec2.IVpc;

  /**
   * The subnets of the tasks. Public subnets are refused; the tasks need a route to
   * Dynatrace (a NAT gateway) or a proxy.
   *
   * ECS pulls the images, reads the secrets and ships the logs before and outside the
   * container, never through `config.proxy`. In isolated subnets the tasks start only with
   * images from Amazon ECR (`EdgeConnectImage.fromPullThroughCache` or `fromEcrRepository`) and
   * VPC endpoints for ECR, S3, CloudWatch Logs and Secrets Manager; a synth-time warning says so
   * for subnets CDK knows to be isolated.
   *
   * @default - the VPC's private subnets (with egress, else isolated)
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /**
   * An existing ECS cluster.
   *
   * @default - a new cluster with Container Insights
   */
  readonly cluster?: ecs.ICluster;

  /**
   * The EdgeConnect image. Pin a version tag or a digest: a moving tag such as `latest` makes
   * deployments unrepeatable and gets a synth-time warning. For subnets without internet access,
   * pull it from Amazon ECR: `EdgeConnectImage.fromPullThroughCache(prefix)` or
   * `EdgeConnectImage.fromEcrRepository(repository, tag)`.
   *
   * @default - `EdgeConnectImage.fromTag(EdgeConnectImage.DEFAULT_VERSION)`, i.e.
   * `public.ecr.aws/dynatrace/edgeconnect:1.744.0`, the release this library is tested with
   */
  readonly image?: EdgeConnectImage;

  /**
   * CPU units of a task (1024 = 1 vCPU); a Fargate size.
   *
   * @default 1024
   */
  readonly cpu?: number;

  /**
   * Memory of a task in MiB; a Fargate size for `cpu`. The vendor recommends 1 GB, which
   * Fargate allows with at most 0.5 vCPU.
   *
   * @default 2048
   */
  readonly memoryLimitMiB?: number;

  /**
   * How many tasks run (Fargate spreads them across the subnets' Availability Zones). Each
   * handles at most 20 concurrent requests.
   *
   * @default 2
   */
  readonly desiredCount?: number;

  /**
   * Scale the number of tasks on CPU utilization.
   *
   * @default - a fixed `desiredCount`
   */
  readonly autoScaling?: EdgeConnectAutoScaling;

  /**
   * Values of the config's placeholder secrets, one per entry of `config.secrets`, each
   * passed to the container as the environment variable its `fromEnv` names.
   *
   * @default - none; required when `config.secrets` has entries
   */
  readonly secretValues?: EdgeConnectSecretValue[];

  /**
   * Trusted root certificates (of internal hosts, or of a TLS-intercepting proxy), written
   * into the container and added to `root_certificate_paths`.
   *
   * @default - none
   */
  readonly rootCertificates?: RootCertificate[];

  /**
   * The proxy password; required when `config.proxy.user` is set.
   *
   * @default - no proxy authentication
   */
  readonly proxyPassword?: SecretsManagerValue;

  /**
   * How long the container logs are kept.
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * The image of the init container that writes `edgeConnect.yaml` and the certificates. It
   * needs `sh`, `printf`, `mkdir` and `base64`.
   *
   * The init container runs as uid 0 (see `initUser`) with every capability dropped because
   * Fargate creates the shared volume owned by root (mode 0755), so no other user could write
   * into it. An image that declares `VOLUME /etc/edgeconnect-config` on a directory owned by
   * a non-root user gets a volume owned by that user (ECS copies the image's directory into
   * it); with such an image, set `initUser` to that user.
   *
   * @default - busybox 1.37.0 from Amazon ECR Public (no such `VOLUME`); through the same
   * pull-through cache rule when `image` is `EdgeConnectImage.fromPullThroughCache(...)`
   */
  readonly initImage?: ecs.ContainerImage;

  /**
   * The user (`uid` or `uid:gid`, digits only) the init container runs as.
   *
   * The default is root, uid 0, because Fargate creates the shared volume owned by root and
   * the default busybox image declares no `VOLUME` that would change that; every capability
   * is dropped, the container is not privileged, its root filesystem is read-only, and it
   * exits once the files are written. Anything but root (such as `"1000:1000"`) needs an
   * `initImage` that declares `VOLUME /etc/edgeconnect-config` owned by this user.
   *
   * @default "0"
   */
  readonly initUser?: string;

  /**
   * The health alarms: authentication and connection errors in the log, and fewer running
   * tasks than wanted. On by default; `{ enabled: false }` leaves them out.
   *
   * @default - both alarms, without actions
   */
  readonly healthAlarms?: EdgeConnectHealthAlarms;
}
