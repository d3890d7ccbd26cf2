import * as ecs from 'aws-cdk-lib/aws-ecs';
import type { IConstruct } from 'constructs';
import { invalid, isLiteral, show } from '../../internal/validation';

const REPOSITORY = 'public.ecr.aws/dynatrace/edgeconnect';
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;

/**
 * The container image `EdgeConnect` runs.
 *
 * The vendor's image from Amazon ECR Public, pinned by tag or (best) by digest, or any
 * container image, such as a copy in your own registry.
 */
export class EdgeConnectImage {
  /** The vendor's repository in Amazon ECR Public. */
  public static readonly REPOSITORY = REPOSITORY;

  /**
   * The vendor's image with a tag, such as `latest` or a version.
   *
   * A tag can move: each new task may start a newer version. Pin a digest for repeatable
   * deployments.
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
   * Validates the reference and returns the image.
   *
   * @internal
   */
  public _resolve(scope: IConstruct): ecs.ContainerImage {
    if (this.image) return this.image;
    if (this.tag !== undefined) {
      if (isLiteral(this.tag) && !TAG.test(this.tag)) {
        invalid(scope, `\`EdgeConnectImage.fromTag\` must be a Docker tag (letters, digits, _ . -, at most 128), got: ${show(this.tag)}`);
      }
      return ecs.ContainerImage.fromRegistry(`${REPOSITORY}:${this.tag}`);
    }
    if (isLiteral(this.digest) && !DIGEST.test(this.digest!)) {
      invalid(scope, `\`EdgeConnectImage.fromDigest\` must be "sha256:" followed by 64 lowercase hex digits, got: ${show(this.digest)}`);
    }
    return ecs.ContainerImage.fromRegistry(`${REPOSITORY}@${this.digest}`);
  }
}
