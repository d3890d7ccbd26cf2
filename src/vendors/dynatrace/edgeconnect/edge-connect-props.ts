import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
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
}
