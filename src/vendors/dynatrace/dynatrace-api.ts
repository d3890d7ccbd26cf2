/*
 * A Dynatrace API client for the Lambda handlers (no aws-cdk-lib imports): the base URL, the
 * `Api-Token` header, private CAs (an ActiveGate's or a Managed cluster's certificate), and
 * errors that add what to check for 401 and 403. The token is only ever sent in the
 * Authorization header; errors never carry headers.
 */
import type { WorkContext } from '../../internal/runtime/custom-resource';
import { ClientOptions, HttpClient, HttpError, HttpResponse } from '../../internal/runtime/http-client';
import { fetchTrusting } from '../../internal/runtime/https-fetch';
import { readNamedSecret, SecretsReader } from '../../internal/runtime/secrets';

/** The resource properties every Dynatrace API custom resource has. */
export interface ApiProperties {
  /** The API root: `https://{env}.live.dynatrace.com`, `https://{domain}/e/{env}` or `https://{activegate}:9999/e/{env}`. */
  readonly ApiUrl: string;
  /** What the environment is, whatever URL reaches it (absent in resources created by 0.x). */
  readonly EnvironmentId?: string;
  readonly TokenSecretArn: string;
  readonly TokenSecretField?: string;
  /** PEM certificates to trust besides the system CAs. */
  readonly TrustedCertificates?: string[];
  /** Secrets holding PEM certificates to trust, as `arn` or `arn#field`. */
  readonly TrustedCertificateSecrets?: string[];
}

export interface ApiDeps {
  readonly secrets: SecretsReader;
  /** Test seams for the HTTP client (fetch, sleep, jitter, retry policy). */
  readonly client?: Omit<ClientOptions, 'deadline' | 'log' | 'signal'>;
}

export interface CallOptions {
  readonly body?: unknown;
  /** Statuses besides 2xx that the caller handles. */
  readonly accept?: number[];
  /** The answer must be a JSON object (retried, then failed, when it is not). */
  readonly expectJson?: boolean;
}

export class DynatraceApi {
  /**
   * Reads the token (registered for redaction) and the certificates, and returns a client.
   * A failed read keeps the SDK's error name (ResourceNotFoundException, DecryptionFailure, …),
   * so that a Delete can tell a secret that is gone from one that is only slow to answer.
   */
  public static async connect(props: ApiProperties, ctx: WorkContext, deps: ApiDeps): Promise<DynatraceApi> {
    const token = await readNamedSecret(deps.secrets, props.TokenSecretArn, props.TokenSecretField, 'the API token', ctx.signal);
    ctx.redact(token);
    const pems = [...props.TrustedCertificates ?? []];
    for (const ref of props.TrustedCertificateSecrets ?? []) {
      const [arn, field] = ref.split('#');
      pems.push(await readNamedSecret(deps.secrets, arn, field, 'a trusted certificate', ctx.signal));
    }
    const fetchFn = deps.client?.fetchFn ?? (pems.length > 0 ? fetchTrusting(pems) : undefined);
    return new DynatraceApi(apiRoot(props.ApiUrl), token, {
      ...deps.client, fetchFn, deadline: ctx.deadline, signal: ctx.signal, log: ctx.log,
    });
  }

  private readonly http: HttpClient;

  /**
   * @param baseUrl the environment's API root, such as `https://abc12345.live.dynatrace.com`
   *   or `https://{domain}/e/{env}` (no trailing slash)
   * @param token the API token (read from Secrets Manager at run time)
   */
  constructor(private readonly baseUrl: string, private readonly token: string, options: ClientOptions = {}) {
    this.http = new HttpClient(options);
  }

  public async call(method: 'GET' | 'PUT' | 'POST' | 'DELETE', path: string, options: CallOptions = {}): Promise<HttpResponse> {
    try {
      return await this.http.send({
        method,
        url: `${this.baseUrl}${path}`,
        headers: { authorization: `Api-Token ${this.token}` },
        body: options.body,
        expectJson: options.expectJson,
      }, options.accept ?? []);
    } catch (error) {
      if (error instanceof HttpError && error.status === 401) {
        throw new HttpError(`${error.message} (the API token is not valid for this environment: check the secret's value)`, 401, error.body);
      }
      if (error instanceof HttpError && error.status === 403) {
        throw new HttpError(`${error.message} (the API token lacks a scope this call needs: see the construct's documentation)`, 403, error.body);
      }
      throw error;
    }
  }
}

/** The environment's API root from a resource property, without a trailing slash. */
export function apiRoot(url: string): string {
  return url.replace(/\/+$/, '');
}

/**
 * The environment a resource is for: its EnvironmentId, or for resources created before that
 * property existed, the ID in its API URL (`https://{env}.live.dynatrace.com` or `…/e/{env}`).
 */
export function environmentOf(props: Record<string, any> | undefined): string {
  if (typeof props?.EnvironmentId === 'string' && props.EnvironmentId) return props.EnvironmentId;
  const url = apiRoot(String(props?.ApiUrl ?? ''));
  return /\/e\/([^/]+)$/.exec(url)?.[1] ?? /^https:\/\/([^./]+)\.live\.dynatrace\.com$/.exec(url)?.[1] ?? url;
}

/**
 * True when a refusal means the token can no longer act (revoked, expired, rotated, scope
 * removed). A Delete decides with whyDeleteCannotAct (internal/runtime/delete-leaves.ts), which
 * also covers a host that no longer resolves and a secret that is gone or cannot be decrypted.
 */
export function isAuthRefusal(error: unknown): boolean {
  return error instanceof HttpError && (error.status === 401 || error.status === 403);
}
