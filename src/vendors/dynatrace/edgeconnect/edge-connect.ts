import { Annotations, CfnResource, Resource, Token, Validations } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import type { EdgeConnectConfig } from './edge-connect-config';
import { EdgeConnectHealth } from './edge-connect-health';
import { EdgeConnectImage } from './edge-connect-image';
import { acknowledgeEcrLogin, DEFAULT_INIT_IMAGE, warnAboutImagePulls } from './edge-connect-image-pull';
import { certificatePath, CONFIG_DIR, initScript, tokenMarker, tokenVariable } from './edge-connect-init';
import type { EdgeConnectAutoScaling, EdgeConnectProps, EdgeConnectSecretValue, SecretsManagerValue } from './edge-connect-props';
import { EdgeConnectProvisioner } from './edge-connect-provisioner';
import { validateProvisioning } from './provisioning-checks';
import { skipCheckov } from '../../../internal/handler-function';
import { allIsolated, selectPrivateSubnets } from '../../../internal/subnets';
import { invalid, isLiteral, show } from '../../../internal/validation';
import { describeToken } from '../tokens';

/** The uid and gid the EdgeConnect image runs as. */
const EDGE_CONNECT_USER = '1000:1000';
/** Fargate creates the shared volume owned by root, mode 0755, so only uid 0 can write into it. */
const INIT_USER = '0';
const USER = /^\d+(:\d+)?$/;

/** Fargate's CPU units and, for each, the memory sizes (MiB) it allows. */
const FARGATE_SIZES: Record<number, { min: number; max: number; step: number }> = {
  256: { min: 512, max: 2048, step: 512 },
  512: { min: 1024, max: 4096, step: 1024 },
  1024: { min: 2048, max: 8192, step: 1024 },
  2048: { min: 4096, max: 16384, step: 1024 },
  4096: { min: 8192, max: 30720, step: 1024 },
  8192: { min: 16384, max: 61440, step: 4096 },
  16384: { min: 32768, max: 122880, step: 8192 },
};

/** A subnet's Availability Zone; a subnet imported by ID alone has none, and aws-cdk-lib throws when it is read. */
function knownZone(subnet: ec2.ISubnet): string | undefined {
  try {
    return subnet.availabilityZone;
  } catch {
    return undefined;
  }
}

/**
 * Dynatrace EdgeConnect as a hardened ECS Fargate service in private subnets.
 *
 * The EdgeConnect container runs the vendor's image, pinned by default to the release this
 * library is tested with (`EdgeConnectImage.DEFAULT_VERSION`), as uid and gid 1000 with a
 * read-only root filesystem, no Linux capabilities and no privileges. The tasks accept no
 * inbound traffic and may only send HTTPS (plus the proxy port, plus what you open through
 * `connections`). Settings are environment variables; the OAuth client, the proxy password
 * and placeholder secret values come from Secrets Manager; an init container writes
 * `edgeConnect.yaml` with root certificates and placeholder secrets, putting in the
 * placeholder tokens kept in Secrets Manager (`tokenSecret`) when the task starts. A literal
 * placeholder `token` would be written into the template: a warning says so.
 * The init container runs as uid 0 with every capability dropped because Fargate creates the
 * shared volume owned by root (mode 0755) and the default busybox image declares no `VOLUME`
 * that would give it to another user; it is not privileged, has a read-only root filesystem,
 * is not essential and exits once the files are written (see `initUser` for a non-root image).
 * Deployments roll back when tasks fail to start; ECS Exec is off. ECS pulls the images outside
 * the container's proxy: tasks in isolated subnets need images from Amazon ECR
 * (`EdgeConnectImage.fromPullThroughCache`) and VPC endpoints, and a synth-time warning says so.
 * The image has no health endpoint, so health is watched from outside: an alarm on authentication
 * and connection errors in the log, and one on fewer running tasks than wanted (`healthAlarms`).
 *
 * @example
 * declare const vpc: ec2.IVpc;
 * declare const clientSecret: secretsmanager.ISecret;
 *
 * const edgeConnect = new EdgeConnect(this, 'EdgeConnect', {
 *   vpc,
 *   config: new EdgeConnectConfig({ name: 'corporate-network', apiEndpointHost: 'abc12345.apps.dynatrace.com' }),
 *   oauthClient: EdgeConnectOAuthClient.fromSecret(clientSecret),
 * });
 * edgeConnect.connections.allowTo(ec2.Peer.ipv4('10.0.0.0/16'), ec2.Port.tcp(443), 'internal APIs');
 */
export class EdgeConnect extends Resource implements ec2.IConnectable {
  /**
   * The tag of the vendor's image that `EdgeConnect` runs unless `image` says otherwise.
   *
   * @deprecated use `EdgeConnectImage.DEFAULT_VERSION` (the same value)
   */
  public static readonly DEFAULT_IMAGE_TAG = EdgeConnectImage.DEFAULT_VERSION;

  /** Egress of the tasks; open internal targets with `connections.allowTo(...)`. */
  public readonly connections: ec2.Connections;

  /** The tasks' security group: no inbound rules, HTTPS out. */
  public readonly securityGroup: ec2.SecurityGroup;

  /** The ECS service. */
  public readonly service: ecs.FargateService;

  /** The task definition. */
  public readonly taskDefinition: ecs.FargateTaskDefinition;

  /** The cluster the service runs in. */
  public readonly cluster: ecs.ICluster;

  /** The log group of both containers. */
  public readonly logGroup: logs.LogGroup;

  /** The secret the service reads the OAuth client from. */
  public readonly oauthClientSecret: secretsmanager.ISecret;

  /** The provisioner, in provisioner mode. */
  public readonly provisioner?: EdgeConnectProvisioner;

  /** The log metric filter and the health alarms; none when `healthAlarms.enabled` is false. */
  public readonly health?: EdgeConnectHealth;

  /** The alarm on authentication and connection errors in the log; none when `healthAlarms.enabled` is false. */
  public readonly errorLogAlarm?: cloudwatch.Alarm;

  /** The alarm on fewer running tasks than wanted; none when `healthAlarms.enabled` is false. */
  public readonly runningTasksAlarm?: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: EdgeConnectProps) {
    super(scope, id);
    const config = props.config;
    const vpc = props.vpc ?? props.cluster?.vpc;
    if (!vpc) {
      invalid(this, '`vpc` is required when `cluster` is not given, got: undefined');
    }
    if (props.vpc && props.cluster && props.cluster.vpc !== props.vpc) {
      invalid(this, `\`cluster\` must be in \`vpc\` (${props.vpc.node.path}), got a cluster in ${props.cluster.vpc.node.path}`);
    }
    const subnets = this.selectSubnets(vpc, props);
    const { cpu, memory } = this.validateSize(props.cpu ?? 1024, props.memoryLimitMiB ?? 2048);
    const desiredCount = props.desiredCount ?? 2;
    this.validateCount(desiredCount, props.autoScaling);
    const imageSource = props.image ?? EdgeConnectImage.fromTag(EdgeConnectImage.DEFAULT_VERSION);
    const image = imageSource._resolve(this);
    const initUser = this.validateInitUser(props.initUser, props.initImage);
    const provisioning = props.oauthClient._provisioning;
    if (provisioning) validateProvisioning(this, { ...provisioning, config });
    const placeholderSecrets = this.placeholderSecrets(config, props.secretValues ?? []);
    const tokenSecrets = this.tokenSecrets(config);
    const proxySecrets = this.proxySecrets(config, props.proxyPassword);
    const certificates = (props.rootCertificates ?? []).map((c) => c._resolve(this));
    if (config.rootCertificatePaths.length > 0) {
      Annotations.of(this).addWarningV2('cdk-saas-privatelink:edgeConnectCertificatePaths',
        `config.rootCertificatePaths ${show(config.rootCertificatePaths)} must exist in the image; ` +
        'certificates given as `rootCertificates` are written into the container for you.');
    }

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc,
      allowAllOutbound: false,
      description: `Dynatrace EdgeConnect ${config.name}: no inbound, HTTPS out`,
    });
    // sso.dynatrace.com and {env}.apps.dynatrace.com have no fixed address ranges.
    this.securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS and WSS to Dynatrace SSO and the environment');
    if (config.proxy) {
      this.securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(config.proxy.port), `HTTP proxy ${config.proxy.server}`);
    }
    this.connections = new ec2.Connections({ securityGroups: [this.securityGroup], defaultPort: ec2.Port.tcp(443) });

    this.cluster = props.cluster ?? new ecs.Cluster(this, 'Cluster', {
      vpc,
      containerInsightsV2: ecs.ContainerInsights.ENABLED,
    });
    this.logGroup = new logs.LogGroup(this, 'Logs', { retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR });
    skipCheckov(this.logGroup.node.defaultChild as CfnResource, {
      CKV_AWS_158: 'EdgeConnect logs hold no secret values; CloudWatch Logs encrypts them at rest.',
    });

    let clientId: { value?: string; secret?: ecs.Secret };
    if (provisioning) {
      this.provisioner = new EdgeConnectProvisioner(this, 'Provisioner', { ...provisioning, config });
      this.oauthClientSecret = this.provisioner.oauthClientSecret;
      // A plain value (the ID is not secret), so that a new client makes a new task definition and a rollout.
      clientId = { value: this.provisioner.oauthClientId };
    } else {
      this.oauthClientSecret = props.oauthClient._secret!;
      clientId = config.oauthClientId !== undefined
        ? {}
        : { secret: ecs.Secret.fromSecretsManager(this.oauthClientSecret, props.oauthClient._fields.clientIdField ?? 'clientId') };
    }
    const clientSecretField = provisioning ? 'clientSecret' : props.oauthClient._fields.clientSecretField ?? 'clientSecret';

    this.taskDefinition = new ecs.FargateTaskDefinition(this, 'TaskDefinition', {
      cpu,
      memoryLimitMiB: memory,
      runtimePlatform: { cpuArchitecture: ecs.CpuArchitecture.X86_64, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX },
      volumes: [{ name: 'config' }],
    });
    Validations.of(this.taskDefinition).acknowledge({
      id: 'AwsSolutions-ECS2',
      reason: 'The environment variables hold EdgeConnect settings only (name, hosts, endpoints, edgeConnect.yaml without secrets, ' +
        'public certificates); the OAuth client, the proxy password and placeholder values are ECS secrets from Secrets Manager.',
    });

    const logging = (prefix: string) => ecs.LogDrivers.awsLogs({ logGroup: this.logGroup, streamPrefix: prefix });
    const init = this.taskDefinition.addContainer('Config', {
      image: props.initImage ?? imageSource._initImage(this) ?? ecs.ContainerImage.fromRegistry(DEFAULT_INIT_IMAGE),
      essential: false,
      // Fargate creates the shared volume owned by root; the files are left readable for uid 1000.
      user: initUser,
      privileged: false,
      readonlyRootFilesystem: true,
      linuxParameters: this.noCapabilities('ConfigLinuxParameters'),
      entryPoint: ['sh', '-c'],
      command: [initScript(
        certificates.map((c) => ({ format: c.format, base64: c.base64 !== undefined })),
        Object.keys(tokenSecrets).map(Number),
      )],
      environment: {
        EDGE_CONNECT_YAML: config._yamlOnlyFields(certificates.map((c, i) => certificatePath(i, c.format)), tokenMarker),
        ...Object.fromEntries(certificates.flatMap((c, i) => (c.base64 ? [[`ROOT_CERTIFICATE_${i}`, c.base64]] : []))),
      },
      secrets: {
        ...Object.fromEntries(certificates.flatMap((c, i) => (c.secret ? [[`ROOT_CERTIFICATE_${i}`, c.secret]] : []))),
        ...Object.fromEntries(Object.entries(tokenSecrets).map(([i, secret]) => [tokenVariable(Number(i)), secret])),
      },
      logging: logging('config'),
    });
    init.addMountPoints({ sourceVolume: 'config', containerPath: CONFIG_DIR, readOnly: false });

    const container = this.taskDefinition.addContainer('EdgeConnect', {
      image,
      essential: true,
      user: EDGE_CONNECT_USER,
      privileged: false,
      readonlyRootFilesystem: true,
      linuxParameters: this.noCapabilities('EdgeConnectLinuxParameters'),
      environment: {
        ...config.toEnvironment(),
        ...(clientId.value ? { EDGE_CONNECT_OAUTH__CLIENT_ID: clientId.value } : {}),
        EDGE_CONNECT_CONFIG_PATH: CONFIG_DIR,
      },
      secrets: {
        ...(clientId.secret ? { EDGE_CONNECT_OAUTH__CLIENT_ID: clientId.secret } : {}),
        EDGE_CONNECT_OAUTH__CLIENT_SECRET: ecs.Secret.fromSecretsManager(this.oauthClientSecret, clientSecretField),
        ...proxySecrets,
        ...placeholderSecrets,
      },
      logging: logging('edgeconnect'),
    });
    container.addMountPoints({ sourceVolume: 'config', containerPath: CONFIG_DIR, readOnly: true });
    container.addContainerDependencies({ container: init, condition: ecs.ContainerDependencyCondition.SUCCESS });
    const pulled = [{ role: 'the EdgeConnect image', imageName: container.imageName }, { role: 'the init image', imageName: init.imageName }];
    warnAboutImagePulls(this, vpc, subnets, pulled, config.proxy !== undefined);
    acknowledgeEcrLogin(this.taskDefinition, pulled);

    this.service = new ecs.FargateService(this, 'Service', {
      cluster: this.cluster,
      taskDefinition: this.taskDefinition,
      desiredCount,
      vpcSubnets: { subnets: subnets.subnets },
      securityGroups: [this.securityGroup],
      assignPublicIp: false,
      enableExecuteCommand: false,
      circuitBreaker: { enable: true, rollback: true },
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      propagateTags: ecs.PropagatedTagSource.SERVICE,
    });
    // Moves tasks back into an Availability Zone that had an outage.
    (this.service.node.defaultChild as ecs.CfnService).availabilityZoneRebalancing = 'ENABLED';

    if (props.autoScaling) {
      this.service.autoScaleTaskCount({
        minCapacity: props.autoScaling.minCapacity,
        maxCapacity: props.autoScaling.maxCapacity,
      }).scaleOnCpuUtilization('Cpu', { targetUtilizationPercent: props.autoScaling.cpuTargetUtilizationPercent ?? 60 });
    }

    if (props.healthAlarms?.enabled !== false) {
      this.health = new EdgeConnectHealth(this, 'Health', {
        ...props.healthAlarms,
        service: this.service,
        logGroup: this.logGroup,
        expectedTasks: props.autoScaling?.minCapacity ?? desiredCount,
      });
      this.errorLogAlarm = this.health.errorLogAlarm;
      this.runningTasksAlarm = this.health.runningTasksAlarm;
    }
  }

  private noCapabilities(id: string): ecs.LinuxParameters {
    const parameters = new ecs.LinuxParameters(this, id);
    parameters.dropCapabilities(ecs.Capability.ALL);
    return parameters;
  }

  private validateInitUser(user: string | undefined, initImage: ecs.ContainerImage | undefined): string {
    if (user === undefined || !isLiteral(user)) return user ?? INIT_USER;
    if (!USER.test(user)) {
      invalid(this, `\`initUser\` must be a uid or uid:gid of digits only, such as "1000:1000", got: ${show(user)}`);
    }
    if (!initImage && Number(user.split(':')[0]) !== 0) {
      invalid(this, `\`initUser\` other than uid 0 needs an \`initImage\` that declares VOLUME ${CONFIG_DIR} owned by that user ` +
        `(the default busybox image declares none, so the volume belongs to root), got: ${show(user)} and no initImage`);
    }
    return user;
  }

  private selectSubnets(vpc: ec2.IVpc, props: EdgeConnectProps): ec2.SelectedSubnets {
    const selected = selectPrivateSubnets(this, vpc, props.vpcSubnets, 'EdgeConnect takes no inbound traffic and gets no public IP');
    if (!props.config.proxy && allIsolated(vpc, selected)) {
      Annotations.of(this).addWarningV2('cdk-saas-privatelink:edgeConnectNoEgress',
        'The selected subnets are isolated and the config sets no proxy: EdgeConnect must reach sso.dynatrace.com and ' +
        `${props.config.apiEndpointHost} over HTTPS.`);
    }
    const known = selected.subnets.map(knownZone);
    const zones = new Set(known);
    if (zones.size === 1 && !known.includes(undefined) && (props.desiredCount ?? 2) > 1) {
      Annotations.of(this).addWarningV2('cdk-saas-privatelink:edgeConnectOneZone',
        `All EdgeConnect tasks run in one Availability Zone (${[...zones][0]}): select subnets in two or more.`);
    }
    return selected;
  }

  private validateSize(cpu: number, memory: number): { cpu: number; memory: number } {
    if (!isLiteral(cpu) || !isLiteral(memory)) return { cpu, memory };
    const size = FARGATE_SIZES[cpu];
    if (!size) {
      invalid(this, `\`cpu\` must be one of Fargate's CPU sizes ${Object.keys(FARGATE_SIZES).join(', ')}, got: ${cpu}`);
    }
    if (!Number.isInteger(memory) || memory < size.min || memory > size.max || (memory - size.min) % size.step !== 0) {
      invalid(this, `\`memoryLimitMiB\` must be a Fargate size for \`cpu\` ${cpu}: ${size.min} to ${size.max} in steps of ${size.step}, got: ${memory}`);
    }
    return { cpu, memory };
  }

  private validateCount(desiredCount: number, scaling?: EdgeConnectAutoScaling): void {
    const isCount = (n: number) => Token.isUnresolved(n) || (Number.isInteger(n) && n >= 1);
    if (!isCount(desiredCount)) {
      invalid(this, `\`desiredCount\` must be an integer of at least 1, got: ${desiredCount}`);
    }
    if (!scaling) return;
    if (!isCount(scaling.minCapacity)) {
      invalid(this, `\`autoScaling.minCapacity\` must be an integer of at least 1, got: ${scaling.minCapacity}`);
    }
    if (!isCount(scaling.maxCapacity) || scaling.maxCapacity < scaling.minCapacity) {
      invalid(this, `\`autoScaling.maxCapacity\` must be an integer of at least \`minCapacity\` (${scaling.minCapacity}), got: ${scaling.maxCapacity}`);
    }
    const target = scaling.cpuTargetUtilizationPercent;
    if (target !== undefined && isLiteral(target) && !(target > 0 && target <= 100)) {
      invalid(this, `\`autoScaling.cpuTargetUtilizationPercent\` must be more than 0 and at most 100, got: ${target}`);
    }
    if (desiredCount < scaling.minCapacity || desiredCount > scaling.maxCapacity) {
      invalid(this, `\`desiredCount\` must be within \`autoScaling\` ${scaling.minCapacity} to ${scaling.maxCapacity}, got: ${desiredCount}`);
    }
  }

  private placeholderSecrets(config: EdgeConnectConfig, values: EdgeConnectSecretValue[]): Record<string, ecs.Secret> {
    const byEnv = new Map<string, EdgeConnectSecretValue>();
    for (const value of values) {
      if (byEnv.has(value.fromEnv)) {
        invalid(this, `\`secretValues\` must not repeat a \`fromEnv\`, got ${show(value.fromEnv)} twice`);
      }
      if (!config.secrets.some((s) => s.fromEnv === value.fromEnv)) {
        invalid(this, '`secretValues[].fromEnv` must be the `fromEnv` of one of `config.secrets` ' +
          `${show(config.secrets.map((s) => s.fromEnv).filter((e) => e !== undefined))}, got: ${show(value.fromEnv)}`);
      }
      byEnv.set(value.fromEnv, value);
    }
    const out: Record<string, ecs.Secret> = {};
    config.secrets.forEach((placeholder, i) => {
      if (placeholder.fromFile !== undefined) {
        invalid(this, `\`config.secrets[${i}]\` ("${placeholder.name}") reads its value from a file (${show(placeholder.fromFile)}), ` +
          'which EdgeConnect on ECS cannot provide: use `fromEnv` and give the value in `secretValues`');
      }
      const value = byEnv.get(placeholder.fromEnv!);
      if (!value) {
        invalid(this, `\`secretValues\` must give the value of \`config.secrets[${i}]\` ("${placeholder.name}", ` +
          `fromEnv ${show(placeholder.fromEnv)}), got none`);
      }
      out[placeholder.fromEnv!] = ecs.Secret.fromSecretsManager(value.secret, value.field);
    });
    return out;
  }

  /**
   * The ECS secrets of the placeholder tokens kept in Secrets Manager, by index in
   * `config.secrets`, for the init container; warns about literal tokens, which go into the
   * template.
   */
  private tokenSecrets(config: EdgeConnectConfig): Record<number, ecs.Secret> {
    const out: Record<number, ecs.Secret> = {};
    config.secrets.forEach((placeholder, i) => {
      if (placeholder.tokenSecret !== undefined) {
        out[i] = ecs.Secret.fromSecretsManager(placeholder.tokenSecret, placeholder.tokenSecretField);
      } else if (placeholder.token !== undefined && isLiteral(placeholder.token)) {
        Annotations.of(this).addWarningV2('cdk-saas-privatelink:edgeConnectLiteralToken',
          `config.secrets[${i}] ("${placeholder.name}") writes its placeholder token ${describeToken(placeholder.token)} ` +
          'into the CloudFormation template (the init container\'s EDGE_CONNECT_YAML), where anyone who can read the ' +
          'template or the task definition sees it: keep the token in Secrets Manager and give it as `tokenSecret` instead.');
      }
    });
    return out;
  }

  private proxySecrets(config: EdgeConnectConfig, password?: SecretsManagerValue): Record<string, ecs.Secret> {
    if (password && !config.proxy) {
      invalid(this, '`proxyPassword` needs `config.proxy` with a `user`, got: no proxy');
    }
    if (!config.proxy) return {};
    if (config.proxy.user !== undefined && !password) {
      invalid(this, `\`proxyPassword\` is required when \`config.proxy.user\` is set, got: user ${show(config.proxy.user)} and no password`);
    }
    if (config.proxy.user === undefined && password) {
      invalid(this, '`proxyPassword` needs `config.proxy.user`, got: a password and no user');
    }
    return password ? { EDGE_CONNECT_PROXY__AUTH__PASSWORD: ecs.Secret.fromSecretsManager(password.secret, password.field) } : {};
  }
}
