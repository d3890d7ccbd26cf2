import * as fs from 'fs';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as ssm from 'aws-cdk-lib/aws-ssm';
import type { IConstruct } from 'constructs';
import { invalid, show } from '../../internal/validation';

/** Certificates are small; the limit keeps the task definition well under ECS's size limit. */
const MAX_FILE_BYTES = 16 * 1024;

/**
 * How `EdgeConnect`'s init container gets one certificate: as an ECS secret (PEM text), or
 * as base64 in a plain environment variable (public certificate data); `format` is `pem` or `der`.
 */
type ResolvedCertificate = { readonly secret?: ecs.Secret; readonly base64?: string; readonly format: string };

/** How a Lambda handler gets one certificate: PEM text in its properties, or a secret it reads. */
interface HandlerCertificate {
  readonly pem?: string;
  readonly secret?: secretsmanager.ISecret;
  readonly field?: string;
}

/**
 * A trusted root certificate: for EdgeConnect, of the internal hosts it calls over HTTPS or
 * of a TLS-intercepting proxy (`EdgeConnect` writes it into the container and lists it in
 * `root_certificate_paths`); for the Dynatrace API handlers, of an ActiveGate or a Managed
 * cluster (see `DynatraceApiAccess.trustedCertificates`).
 */
export class RootCertificate {
  /**
   * A PEM certificate held in Secrets Manager (the whole secret, or one field of a JSON secret).
   *
   * @param secret the secret
   * @param field the JSON field holding the PEM text
   * @default - the whole secret string
   */
  public static fromSecret(secret: secretsmanager.ISecret, field?: string): RootCertificate {
    return new RootCertificate(
      () => ({ secret: ecs.Secret.fromSecretsManager(secret, field), format: 'pem' }),
      () => ({ secret, field }),
    );
  }

  /**
   * A PEM certificate held in an SSM parameter (String or SecureString).
   *
   * @param parameter the parameter
   */
  public static fromSsmParameter(parameter: ssm.IParameter): RootCertificate {
    return new RootCertificate(
      () => ({ secret: ecs.Secret.fromSsmParameter(parameter), format: 'pem' }),
      (scope) => invalid(scope, '`trustedCertificates` entries must be `RootCertificate.fromFile` or `RootCertificate.fromSecret`: ' +
        `the API handler does not read SSM parameters, got: RootCertificate.fromSsmParameter(${show(parameter.parameterName)})`),
    );
  }

  /**
   * A certificate file (PEM or DER, at most 16 KiB) read at synth time. A certificate is
   * public data, so its content goes into the template; a file holding a private key is refused.
   *
   * @param path the file's path
   */
  public static fromFile(path: string): RootCertificate {
    return new RootCertificate(
      (scope) => readCertificateFile(scope, path),
      (scope) => ({ pem: toPem(readCertificateFile(scope, path)) }),
    );
  }

  private constructor(
    private readonly resolver: (scope: IConstruct) => ResolvedCertificate,
    private readonly handlerResolver: (scope: IConstruct) => HandlerCertificate,
  ) {}

  /** @internal */
  public _resolve(scope: IConstruct): { readonly secret?: ecs.Secret; readonly base64?: string; readonly format: string } {
    return this.resolver(scope);
  }

  /**
   * The certificate for a Lambda handler: PEM text, or a secret holding PEM text.
   *
   * @internal
   */
  public _resolveForHandler(scope: IConstruct): { readonly pem?: string; readonly secret?: secretsmanager.ISecret; readonly field?: string } {
    return this.handlerResolver(scope);
  }
}

/** PEM text of a certificate file read as base64 (a DER file is wrapped as PEM). */
function toPem(file: ResolvedCertificate): string {
  const content = Buffer.from(file.base64!, 'base64');
  if (file.format === 'pem') return content.toString('latin1');
  const lines = content.toString('base64').match(/.{1,64}/g) ?? [];
  return ['-----BEGIN CERTIFICATE-----', ...lines, '-----END CERTIFICATE-----', ''].join('\n');
}

function readCertificateFile(scope: IConstruct, path: string): ResolvedCertificate {
  let content: Buffer;
  try {
    content = fs.readFileSync(path);
  } catch (error) {
    return invalid(scope, `\`RootCertificate.fromFile\` must name a readable file, got: ${show(path)} (${(error as NodeJS.ErrnoException).code})`);
  }
  if (content.length > MAX_FILE_BYTES) {
    invalid(scope, `\`RootCertificate.fromFile\` must name a certificate of at most ${MAX_FILE_BYTES} bytes, got: ${show(path)} of ${content.length} bytes`);
  }
  const text = content.toString('latin1');
  if (text.includes('PRIVATE KEY')) {
    invalid(scope, `\`RootCertificate.fromFile\` must name a certificate, got a file with a private key: ${show(path)}; a key must never go into a template`);
  }
  const isPem = text.includes('-----BEGIN CERTIFICATE-----');
  // A DER certificate is an ASN.1 SEQUENCE: its first byte is 0x30.
  const isDer = !isPem && content[0] === 0x30;
  if (!isPem && !isDer) {
    invalid(scope, `\`RootCertificate.fromFile\` must name a PEM or DER certificate, got: ${show(path)}`);
  }
  return { base64: content.toString('base64'), format: isPem ? 'pem' : 'der' };
}
