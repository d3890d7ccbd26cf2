import { Annotations, Token } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import type { IConstruct } from 'constructs';
import { invalid, isLiteral, show } from '../../../internal/validation';

const REPOSITORY = 'public.ecr.aws/dynatrace/edgeconnect';
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;
/** A tag naming one release (major.minor.patch, optionally with a suffix); any other tag may move. */
const VERSION_TAG = /^v?\d+\.\d+\.\d+([-+_.][A-Za-z0-9_.-]*)?$/;

/**
 * The container image `EdgeConnect` runs.
 *
 * The vendor's image from Amazon ECR Public, pinned by version tag or by digest, or any
 * container image, such as a copy in your own registry. By default `EdgeConnect` runs the
 * release this library is tested with, `EdgeConnectImage.DEFAULT_VERSION`.
 *
 * @example
 * // A newer release than the library's default
 * const image = EdgeConnectImage.fromTag('1.745.0');
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
    return new EdgeConnectImage(tag, undefined, undefined);
  }

  /**
   * The vendor's image pinned to a digest (`sha256:` and 64 hex digits): every task runs
   * exactly this image.
   *
   * @param digest the image digest
   */
  public static fromDigest(digest: string): EdgeConnectImage {
    return new EdgeConnectImage(undefined, digest, undefined);
  }

  /**
   * Any container image, such as the vendor's image copied into your private registry.
   *
   * @param image the image
   */
  public static fromContainerImage(image: ecs.ContainerImage): EdgeConnectImage {
    return new EdgeConnectImage(undefined, undefined, image);
  }

  private constructor(
    private readonly tag: string | undefined,
    private readonly digest: string | undefined,
    private readonly image: ecs.ContainerImage | undefined,
  ) {}

  /**
   * Validates the reference, warns about a moving tag and returns the image.
   *
   * @internal
   */
  public _resolve(scope: IConstruct): ecs.ContainerImage {
    if (this.image) return this.image;
    if (this.tag !== undefined) {
      if (isLiteral(this.tag) && !TAG.test(this.tag)) {
        invalid(scope, `\`EdgeConnectImage.fromTag\` must be a Docker tag (letters, digits, _ . -, at most 128), got: ${show(this.tag)}`);
      }
      if (!Token.isUnresolved(this.tag) && !VERSION_TAG.test(this.tag)) {
        Annotations.of(scope).addWarningV2('cdk-saas-privatelink:edgeConnectMovingTag',
          `EdgeConnectImage.fromTag(${show(this.tag)}) is not a version tag and can move: deployments are not repeatable, ` +
          'and tasks of one service can run different EdgeConnect versions (each new task pulls whatever the tag names then). ' +
          `Use a version tag such as EdgeConnectImage.fromTag("${EdgeConnectImage.DEFAULT_VERSION}"), or EdgeConnectImage.fromDigest("sha256:…").`);
      }
      return ecs.ContainerImage.fromRegistry(`${REPOSITORY}:${this.tag}`);
    }
    if (isLiteral(this.digest) && !DIGEST.test(this.digest!)) {
      invalid(scope, `\`EdgeConnectImage.fromDigest\` must be "sha256:" followed by 64 lowercase hex digits, got: ${show(this.digest)}`);
    }
    return ecs.ContainerImage.fromRegistry(`${REPOSITORY}@${this.digest}`);
  }
}
