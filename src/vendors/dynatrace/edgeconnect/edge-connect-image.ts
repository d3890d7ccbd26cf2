import { Annotations, Token } from 'aws-cdk-lib';
import type * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import type { Construct } from 'constructs';
import { BUSYBOX, ECR_PUBLIC, EDGE_CONNECT_REPOSITORY, PullThroughCacheImage } from './edge-connect-image-pull';
import { invalid, isLiteral, show } from '../../../internal/validation';

const REPOSITORY = `${ECR_PUBLIC}/${EDGE_CONNECT_REPOSITORY}`;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;
/** A tag naming one release (major.minor.patch, optionally with a suffix); any other tag may move. */
const VERSION_TAG = /^v?\d+\.\d+\.\d+([-+_.][A-Za-z0-9_.-]*)?$/;
/** The `ecrRepositoryPrefix` of a pull-through cache rule, as ECR allows it (ROOT aside). */
const CACHE_PREFIX = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*\/?$/;

/**
 * The container image `EdgeConnect` runs.
 *
 * The vendor's image from Amazon ECR Public, pinned by version tag or by digest; the same image
 * through Amazon ECR in your account (a pull-through cache rule, or a repository holding a copy),
 * which subnets without internet access can pull; or any container image. By default
 * `EdgeConnect` runs the release this library is tested with, `EdgeConnectImage.DEFAULT_VERSION`.
 * The tasks run on x86_64: an image from elsewhere must include the linux/amd64 variant.
 *
 * @example
 * // A newer release than the library's default
 * const image = EdgeConnectImage.fromTag('1.745.0');
 * // The default release through a pull-through cache rule for public.ecr.aws with prefix "ecr-public"
 * const cached = EdgeConnectImage.fromPullThroughCache('ecr-public');
 */
export class EdgeConnectImage {
  /** The vendor's repository in Amazon ECR Public. */
  public static readonly REPOSITORY = REPOSITORY;

  /**
   * The EdgeConnect release `EdgeConnect` runs unless `image` says otherwise: the version this
   * library is tested with (EdgeConnect 1.744.0, released 2026-07-27). A new library version
   * may move it to a newer release; pin your own with `fromTag` or `fromDigest` to decide when
   * you upgrade.
   */
  public static readonly DEFAULT_VERSION = '1.744.0';

  /**
   * The vendor's image with a tag, best a version such as `1.744.0`.
   *
   * A tag that is not a version (`latest`, or `1` or `1.744`) can move: deployments are not
   * repeatable and tasks of one service can run different versions, so it gets a synth-time
   * warning. For a tag that can never move, use `fromDigest`.
   *
   * @param tag the image tag
   */
  public static fromTag(tag: string): EdgeConnectImage {
    return new EdgeConnectImage('fromTag', tag, undefined, undefined);
  }

  /**
   * The vendor's image pinned to a digest (`sha256:` and 64 hex digits): every task runs
   * exactly this image.
   *
   * @param digest the image digest
   */
  public static fromDigest(digest: string): EdgeConnectImage {
    return new EdgeConnectImage('fromDigest', digest, undefined, undefined);
  }

  /**
   * The vendor's image from a repository of Amazon ECR, such as a copy you push into your own
   * registry (with its linux/amd64 variant): tasks in subnets without internet access can pull
   * it through VPC endpoints. The task execution role may pull from the repository.
   *
   * The reference is checked and warned about as in `fromTag` and `fromDigest`. For a
   * pull-through cache rule, use `fromPullThroughCache`, which also grants what the first
   * pull of a tag needs.
   *
   * @example
   * declare const repository: ecr.IRepository;
   * const image = EdgeConnectImage.fromEcrRepository(repository, '1.744.0');
   *
   * @param repository the repository
   * @param tagOrDigest a version tag such as `1.744.0`, or a digest (`sha256:` and 64 hex digits);
   * default `EdgeConnectImage.DEFAULT_VERSION`
   */
  public static fromEcrRepository(repository: ecr.IRepository, tagOrDigest?: string): EdgeConnectImage {
    return new EdgeConnectImage('fromEcrRepository', tagOrDigest ?? EdgeConnectImage.DEFAULT_VERSION, undefined, repository);
  }

  /**
   * The vendor's image through an Amazon ECR pull-through cache rule for Amazon ECR Public
   * (`public.ecr.aws`) in the stack's account and region: the repository
   * `{ecrRepositoryPrefix}/dynatrace/edgeconnect`, which ECR creates and fills on the first pull.
   * Tasks in subnets without internet access can pull it through VPC endpoints, since ECR
   * fetches from upstream, not the task.
   *
   * The task execution role may pull from that repository, create it and import images into it
   * (`ecr:CreateRepository`, `ecr:BatchImportUpstreamImage`), which the first pull of a tag
   * needs. Unless `initImage` is given, the init container's busybox image comes through the
   * same rule too (`{ecrRepositoryPrefix}/docker/library/busybox`).
   *
   * @example
   * new ecr.CfnPullThroughCacheRule(this, 'EcrPublicCache', { ecrRepositoryPrefix: 'ecr-public', upstreamRegistryUrl: 'public.ecr.aws' });
   * const image = EdgeConnectImage.fromPullThroughCache('ecr-public', '1.744.0');
   *
   * @param ecrRepositoryPrefix the rule's `ecrRepositoryPrefix`, such as `ecr-public`
   * @param tagOrDigest a version tag such as `1.744.0`, or a digest (`sha256:` and 64 hex digits);
   * default `EdgeConnectImage.DEFAULT_VERSION`
   */
  public static fromPullThroughCache(ecrRepositoryPrefix: string, tagOrDigest?: string): EdgeConnectImage {
    return new EdgeConnectImage('fromPullThroughCache', tagOrDigest ?? EdgeConnectImage.DEFAULT_VERSION, ecrRepositoryPrefix, undefined);
  }

  /**
   * Any container image, such as the vendor's image copied into your private registry.
   *
   * @param image the image
   */
  public static fromContainerImage(image: ecs.ContainerImage): EdgeConnectImage {
    return new EdgeConnectImage('fromContainerImage', undefined, undefined, undefined, image);
  }

  private constructor(
    private readonly factory: string,
    private readonly reference: string | undefined,
    private readonly cachePrefix: string | undefined,
    private readonly repository: ecr.IRepository | undefined,
    private readonly image?: ecs.ContainerImage,
  ) {}

  /**
   * Validates the reference, warns about a moving tag and returns the image.
   *
   * @internal
   */
  public _resolve(scope: Construct): ecs.ContainerImage {
    if (this.image) return this.image;
    const reference = this.reference!;
    switch (this.factory) {
      case 'fromTag':
        this.checkTag(scope, reference);
        return ecs.ContainerImage.fromRegistry(`${REPOSITORY}:${reference}`);
      case 'fromDigest':
        if (isLiteral(reference) && !DIGEST.test(reference)) {
          invalid(scope, `\`EdgeConnectImage.fromDigest\` must be "sha256:" followed by 64 lowercase hex digits, got: ${show(reference)}`);
        }
        return ecs.ContainerImage.fromRegistry(`${REPOSITORY}@${reference}`);
      case 'fromEcrRepository':
        this.checkTagOrDigest(scope, reference);
        return ecs.ContainerImage.fromEcrRepository(this.repository!, reference);
      default: // fromPullThroughCache
        this.checkTagOrDigest(scope, reference);
        return new PullThroughCacheImage(scope, 'ImageRepository', this.cacheRepository(scope, EDGE_CONNECT_REPOSITORY), reference);
    }
  }

  /**
   * The init container's image that goes with this one: through the same pull-through cache
   * rule, or none (the caller's default).
   *
   * @internal
   */
  public _initImage(scope: Construct): ecs.ContainerImage | undefined {
    if (this.factory !== 'fromPullThroughCache') return undefined;
    return new PullThroughCacheImage(scope, 'InitImageRepository', this.cacheRepository(scope, BUSYBOX.repository), BUSYBOX.tag);
  }

  private cacheRepository(scope: Construct, upstream: string): string {
    const prefix = this.cachePrefix!;
    if (isLiteral(prefix) && (prefix.length < 2 || prefix.length > 30 || !CACHE_PREFIX.test(prefix))) {
      invalid(scope, '`EdgeConnectImage.fromPullThroughCache` `ecrRepositoryPrefix` must be the prefix of a pull-through cache rule: ' +
        `2 to 30 characters, lowercase words of letters and digits joined by . _ - or /, got: ${show(prefix)}`);
    }
    return `${prefix.replace(/\/$/, '')}/${upstream}`;
  }

  private checkTag(scope: Construct, tag: string): void {
    if (isLiteral(tag) && !TAG.test(tag)) {
      invalid(scope, `\`EdgeConnectImage.fromTag\` must be a Docker tag (letters, digits, _ . -, at most 128), got: ${show(tag)}`);
    }
    if (!Token.isUnresolved(tag) && !VERSION_TAG.test(tag)) {
      const call = this.factory === 'fromTag' ? `fromTag(${show(tag)})` : `${this.factory}(…, ${show(tag)})`;
      const advice = this.factory === 'fromTag'
        ? `Use a version tag such as EdgeConnectImage.fromTag("${EdgeConnectImage.DEFAULT_VERSION}"), or EdgeConnectImage.fromDigest("sha256:…").`
        : `Use a version tag such as "${EdgeConnectImage.DEFAULT_VERSION}", or a digest ("sha256:…").`;
      Annotations.of(scope).addWarningV2('cdk-saas-privatelink:edgeConnectMovingTag',
        `EdgeConnectImage.${call} is not a version tag and can move: deployments are not repeatable, ` +
        'and tasks of one service can run different EdgeConnect versions (each new task pulls whatever the tag names then). ' + advice);
    }
  }

  /** A tag (checked as `fromTag` does) or a digest, for the ECR factories. */
  private checkTagOrDigest(scope: Construct, reference: string): void {
    if (!isLiteral(reference) || DIGEST.test(reference)) return;
    if (!TAG.test(reference)) {
      invalid(scope, '`tagOrDigest` of `EdgeConnectImage.fromEcrRepository` and `.fromPullThroughCache` must be a Docker tag ' +
        `(letters, digits, _ . -, at most 128) or "sha256:" followed by 64 lowercase hex digits, got: ${show(reference)}`);
    }
    this.checkTag(scope, reference);
  }
}
