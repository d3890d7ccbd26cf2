/*
 * Where EdgeConnect's images are pulled from, and whether the tasks' subnets can reach it. ECS
 * pulls the images (and reads the secrets, and ships the logs) through the task's network
 * interface before any container starts, so `config.proxy` never helps a pull: in isolated
 * subnets, an image on the internet keeps every task from starting. Not part of the public API.
 */
import { Annotations, Token, Validations } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import type { Construct, IConstruct } from 'constructs';

/** The vendor's repository in Amazon ECR Public, without the registry. */
export const EDGE_CONNECT_REPOSITORY = 'dynatrace/edgeconnect';
/** Amazon ECR Public, where the vendor's image and the default init image live. */
export const ECR_PUBLIC = 'public.ecr.aws';
/** A small shell for the init container, pinned so that deployments are repeatable. */
export const BUSYBOX = { repository: 'docker/library/busybox', tag: '1.37.0' };
export const DEFAULT_INIT_IMAGE = `${ECR_PUBLIC}/${BUSYBOX.repository}:${BUSYBOX.tag}`;

/** Registries on the internet: a task reaches them only through a NAT or internet gateway. */
const PUBLIC_REGISTRIES = new Set([ECR_PUBLIC, 'docker.io', 'index.docker.io', 'registry-1.docker.io',
  'ghcr.io', 'quay.io', 'gcr.io', 'registry.k8s.io', 'mcr.microsoft.com']);
const PRIVATE_ECR = /^\d{12}\.dkr\.ecr(-fips)?\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/;

/**
 * An image in the repository a pull-through cache rule fills. The first pull of a tag makes
 * ECR create the repository and import the image from upstream, with the puller's permissions:
 * so the execution role may also create that repository and import into it.
 */
export class PullThroughCacheImage extends ecs.ContainerImage {
  private readonly repository: ecr.IRepository;

  constructor(scope: Construct, id: string, repositoryName: string, private readonly tagOrDigest: string) {
    super();
    this.repository = ecr.Repository.fromRepositoryName(scope, id, repositoryName);
  }

  public bind(_scope: Construct, containerDefinition: ecs.ContainerDefinition): ecs.ContainerImageConfig {
    const role = containerDefinition.taskDefinition.obtainExecutionRole();
    this.repository.grantPull(role);
    this.repository.grant(role, 'ecr:BatchImportUpstreamImage', 'ecr:CreateRepository');
    return { imageName: this.repository.repositoryUriForTagOrDigest(this.tagOrDigest) };
  }
}

/**
 * Where an image name says it is pulled from: `public` (a registry on the internet, with its
 * host), `ecr` (a private Amazon ECR registry, also when the name is built from tokens such as
 * an imported repository's URI) or `unknown` (any other registry, or a name synth cannot read).
 */
export function registryOf(imageName: string): { kind: 'public' | 'ecr' | 'unknown'; host?: string } {
  if (Token.isUnresolved(imageName)) {
    return { kind: /\.dkr\.ecr(-fips)?\./.test(imageName) ? 'ecr' : 'unknown' };
  }
  const first = imageName.split('/')[0];
  // As Docker reads a name: the first component is a registry only if it looks like a host.
  const host = imageName.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost') ? first : 'docker.io';
  if (PUBLIC_REGISTRIES.has(host)) return { kind: 'public', host };
  return { kind: PRIVATE_ECR.test(host) ? 'ecr' : 'unknown', host };
}

/** A container's image, for the warnings: what it is (`the EdgeConnect image`) and its name. */
export interface PulledImage {
  readonly role: string;
  readonly imageName: string;
}

/**
 * Warns when tasks may land in isolated subnets (known to CDK as such; subnets of unknown type
 * are taken to have a way out, so they never warn falsely): about images from the internet,
 * which cannot be pulled there, or else about the VPC endpoints the pulls, secrets and logs need.
 */
export function warnAboutImagePulls(scope: IConstruct, vpc: ec2.IVpc, selected: ec2.SelectedSubnets, images: PulledImage[], proxy: boolean): void {
  const isolatedIds = new Set(vpc.isolatedSubnets.map((s) => s.subnetId));
  const isolated = selected.subnets.filter((s) => isolatedIds.has(s.subnetId)).length;
  if (isolated === 0) return;
  const where = isolated === selected.subnets.length
    ? 'The selected subnets are isolated (no route to a NAT or internet gateway)'
    : `${isolated} of the ${selected.subnets.length} selected subnets are isolated (no route to a NAT or internet gateway)`;
  const endpoints = 'interface endpoints for ECR (ecr.api and ecr.dkr), CloudWatch Logs and Secrets Manager, and an S3 gateway endpoint ' +
    '(ECS pulls the images, reads the secrets and ships the logs through the task\'s network interface)';
  const fromInternet = images.map((i) => ({ ...i, registry: registryOf(i.imageName) })).filter((i) => i.registry.kind === 'public');
  if (fromInternet.length > 0) {
    const named = fromInternet.map((i) => `${i.role} ${i.imageName} (from ${i.registry.host})`).join(' and ');
    Annotations.of(scope).addWarningV2('cdk-saas-privatelink:edgeConnectImagePull',
      `${where}, and ECS must pull ${named} before any container starts: there, the tasks cannot start. ` +
      `Image pulls never go through the container's proxy${proxy ? ' (config.proxy serves only EdgeConnect\'s own connections)' : ''}. ` +
      'Run the tasks in subnets with a NAT route (`vpcSubnets`), or pull from Amazon ECR in this account and region: ' +
      `a pull-through cache rule for ${ECR_PUBLIC} (\`image: EdgeConnectImage.fromPullThroughCache(prefix)\`, which also pulls the ` +
      'default init image through it) or a repository holding a copy (`image: EdgeConnectImage.fromEcrRepository(repository, tag)` ' +
      `and \`initImage: ecs.ContainerImage.fromEcrRepository(...)\`), with ${endpoints}.`);
    return;
  }
  Annotations.of(scope).addWarningV2('cdk-saas-privatelink:edgeConnectIsolatedEndpoints',
    `${where}: the tasks start only if the VPC has ${endpoints}. ` +
    'Synth cannot see endpoints; acknowledge this warning once they exist, or if these subnets reach the internet another way.');
}

/** cdk-nag's reason for the one wildcard an ECR pull needs, when an image comes from ECR. */
export function acknowledgeEcrLogin(taskDefinition: ecs.TaskDefinition, images: PulledImage[]): void {
  if (!taskDefinition.executionRole || !images.some((i) => registryOf(i.imageName).kind === 'ecr')) return;
  Validations.of(taskDefinition.executionRole).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason: 'ecr:GetAuthorizationToken, which every pull from Amazon ECR needs, supports no resource-level permissions.',
  });
}
