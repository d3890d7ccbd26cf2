/*
 * A MongoDB Atlas Administration API (v2) client for the Lambda handlers (no aws-cdk-lib
 * imports): the versioned media type every private-endpoint call needs, and the two ways Atlas
 * authenticates a program:
 * - a service account (recommended): client ID and secret exchanged at `POST /api/oauth/token`
 *   (HTTP Basic, `grant_type=client_credentials`) for a Bearer token that lasts an hour, fetched
 *   once per invocation;
 * - an API key (legacy): public and private key over HTTP Digest (RFC 2617, MD5, qop "auth"):
 *   the first call of an invocation is answered 401 with a challenge, and each later call
 *   answers the server's latest nonce with a new count.
 * Secrets, tokens and digests are sent in the Authorization header only and registered for
 * redaction; errors never carry headers.
 */
import * as crypto from 'crypto';
import type { WorkContext } from '../../internal/runtime/custom-resource';
import { ClientOptions, HttpClient, HttpError, HttpResponse } from '../../internal/runtime/http-client';
import type { Pause } from '../../internal/runtime/poll';
import { parseJsonSecret, readNamedSecret, SecretsReader } from '../../internal/runtime/secrets';

/** The only resource version in which Atlas offers the private-endpoint calls. */
export const ATLAS_API_VERSION = '2023-01-01';
/** The media type of that version: sent as Accept (and Content-Type with a body) on every call. */
export const ATLAS_MEDIA_TYPE = `application/vnd.atlas.${ATLAS_API_VERSION}+json`;

/** The resource properties every Atlas custom resource has. */
export interface AtlasProperties {
  /** `https://cloud.mongodb.com` (Atlas for Government: `https://cloud.mongodbgov.com`). */
  readonly ApiUrl: string;
  /** The project (group) ID, 24 hexadecimal characters. */
  readonly ProjectId: string;
  /** A JSON secret with `clientId` and `clientSecret` (a service account) or `publicKey` and `privateKey` (an API key). */
  readonly CredentialSecretArn: string;
}

export interface AtlasDeps {
  readonly secrets: SecretsReader;
  /** Test seams for the HTTP client (fetch, sleep, jitter, retry policy). */
  readonly client?: Omit<ClientOptions, 'deadline' | 'log' | 'signal'>;
  /** Pauses between status polls (a test seam); the work's signal ends them. */
  readonly pause?: Pause;
}

export interface AtlasCallOptions {
  readonly body?: unknown;
  /** Statuses besides 2xx that the caller handles. */
  readonly accept?: number[];
  readonly expectJson?: boolean;
}

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

interface Credential {
  readonly kind: 'service account' | 'API key';
  readonly user: string;
  readonly secret: string;
}

export class AtlasApi {
  /**
   * Reads the credential (registered for redaction) and returns a client. A failed read keeps
   * the SDK's error name, so that a Delete can tell a secret that is gone from a slow one.
   */
  public static async connect(props: AtlasProperties, ctx: WorkContext, deps: AtlasDeps): Promise<AtlasApi> {
    const raw = await readNamedSecret(deps.secrets, props.CredentialSecretArn, undefined, 'the Atlas credential', ctx.signal);
    const credential = credentialOf(raw, props.CredentialSecretArn);
    ctx.redact(credential.secret);
    return new AtlasApi(props.ApiUrl.replace(/\/+$/, ''), credential, ctx, {
      ...deps.client, deadline: ctx.deadline, signal: ctx.signal, log: ctx.log,
    });
  }

  private readonly http: HttpClient;
  private bearer?: string;
  private challenge?: DigestChallenge;
  private count = 0;

  private constructor(private readonly baseUrl: string, private readonly credential: Credential,
    private readonly ctx: WorkContext, options: ClientOptions) {
    this.http = new HttpClient(options);
  }

  /** What authenticates the calls, for messages: "service account mdb_sa_id_…" or "API key abcdefgh". */
  public get who(): string {
    return `${this.credential.kind} ${this.credential.user}`;
  }

  public async call(method: Method, path: string, options: AtlasCallOptions = {}): Promise<HttpResponse> {
    const accept = options.accept ?? [];
    try {
      if (this.credential.kind === 'service account') {
        return await this.send(method, path, options, { authorization: `Bearer ${await this.token()}` }, accept);
      }
      // Digest: answer the last challenge if there is one; a 401 with a new challenge is answered once.
      if (this.challenge) {
        const res = await this.send(method, path, options, { authorization: this.digest(method, path) }, [...accept, 401]);
        if (res.status !== 401 || accept.includes(401)) return res;
        this.readChallenge(res);
      } else {
        this.readChallenge(await this.send(method, path, options, {}, [...accept, 401]));
      }
      return await this.send(method, path, options, { authorization: this.digest(method, path) }, accept);
    } catch (error) {
      throw explain(error, this.who);
    }
  }

  private send(method: Method, path: string, options: AtlasCallOptions, auth: Record<string, string>, accept: number[]): Promise<HttpResponse> {
    const body = options.body === undefined ? undefined : JSON.stringify(options.body);
    return this.http.send({
      method,
      url: `${this.baseUrl}${path}`,
      headers: { ...auth, accept: ATLAS_MEDIA_TYPE, ...(body !== undefined ? { 'content-type': ATLAS_MEDIA_TYPE } : {}) },
      body,
      expectJson: options.expectJson,
    }, accept);
  }

  /** A Bearer token for the service account, fetched once per invocation. */
  private async token(): Promise<string> {
    if (this.bearer) return this.bearer;
    const basic = Buffer.from(`${this.credential.user}:${this.credential.secret}`).toString('base64');
    this.ctx.redact(basic);
    const res = await this.http.send({
      method: 'POST',
      url: `${this.baseUrl}/api/oauth/token`,
      headers: { 'authorization': `Basic ${basic}`, 'accept': 'application/json', 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
      // Asking for a token creates nothing: repeating it is harmless.
      idempotent: true,
      expectJson: true,
    });
    const token = res.json.access_token;
    if (typeof token !== 'string' || token.length === 0) {
      throw new Error(`POST /api/oauth/token answered ${res.summary} without an access_token`);
    }
    this.ctx.redact(token);
    this.bearer = token;
    return token;
  }

  private readChallenge(res: HttpResponse): void {
    if (res.status !== 401) {
      throw new Error(`${res.summary}: Atlas did not ask for Digest authentication (expected 401 with a challenge)`);
    }
    const challenge = parseChallenge(res.headers.get('www-authenticate'));
    if (!challenge) {
      throw new HttpError('Atlas refused the API key (HTTP 401) without a Digest challenge to answer', 401, res.json);
    }
    this.challenge = challenge;
    this.count = 0;
  }

  private digest(method: Method, path: string): string {
    const c = this.challenge!;
    const nc = (++this.count).toString(16).padStart(8, '0');
    const cnonce = crypto.randomBytes(8).toString('hex');
    const ha1 = md5(`${this.credential.user}:${c.realm}:${this.credential.secret}`);
    const ha2 = md5(`${method}:${path}`);
    const response = md5(`${ha1}:${c.nonce}:${nc}:${cnonce}:auth:${ha2}`);
    return `Digest username="${this.credential.user}", realm="${c.realm}", nonce="${c.nonce}", uri="${path}", ` +
      `qop=auth, nc=${nc}, cnonce="${cnonce}", response="${response}", algorithm=MD5`;
  }
}

interface DigestChallenge {
  readonly realm: string;
  readonly nonce: string;
}

/** The realm and nonce of a `Digest` challenge that offers MD5 with qop "auth", else undefined. */
export function parseChallenge(header: string | null): DigestChallenge | undefined {
  if (!header || !/^\s*Digest\s/i.test(header)) return undefined;
  const fields = new Map<string, string>();
  for (const m of header.matchAll(/(\w+)=(?:"([^"]*)"|([^\s,]+))/g)) fields.set(m[1].toLowerCase(), m[2] ?? m[3]);
  const algorithm = (fields.get('algorithm') ?? 'MD5').toUpperCase();
  const qops = (fields.get('qop') ?? '').split(',').map((q) => q.trim());
  if (algorithm !== 'MD5' || !qops.includes('auth') || !fields.has('nonce')) return undefined;
  return { realm: fields.get('realm') ?? '', nonce: fields.get('nonce')! };
}

function md5(text: string): string {
  return crypto.createHash('md5').update(text).digest('hex');
}

/** The credential in the secret; errors name the secret and the fields, never a value. */
function credentialOf(raw: string, arn: string): Credential {
  const fields = parseJsonSecret(raw);
  const text = (key: string) => (typeof fields?.[key] === 'string' && (fields[key] as string).length > 0 ? (fields[key] as string).trim() : undefined);
  const clientId = text('clientId');
  const clientSecret = text('clientSecret');
  if (clientId && clientSecret) return { kind: 'service account', user: clientId, secret: clientSecret };
  const publicKey = text('publicKey');
  const privateKey = text('privateKey');
  if (publicKey && privateKey) return { kind: 'API key', user: publicKey, secret: privateKey };
  throw new Error(`secret ${arn} must be JSON with "clientId" and "clientSecret" (an Atlas service account) or ` +
    `"publicKey" and "privateKey" (an API key), got ${fields ? `fields ${Object.keys(fields).map((k) => JSON.stringify(k)).join(', ') || 'none'}` : 'a value that is not a JSON object'}`);
}

/** Adds what to check to 401, 403, 406 and 410, keeping the status for the Delete's decisions. */
function explain(error: unknown, who: string): unknown {
  if (!(error instanceof HttpError) || error.status === undefined) return error;
  const hint: Record<number, string> = {
    401: `Atlas refused the ${who}: check the secret, that it belongs to the project's organization, and the ` +
      'organization\'s API access list (a Lambda function without a fixed egress address is refused where one is required)',
    403: `the ${who} lacks the Project Owner role on the project, which creating and deleting private endpoints needs`,
    406: `Atlas refused the API version ${ATLAS_API_VERSION} this library sends; upgrade cdk-saas-privatelink`,
    410: `Atlas has removed the API version ${ATLAS_API_VERSION} this library sends; upgrade cdk-saas-privatelink`,
  };
  const more = hint[error.status];
  return more ? new HttpError(`${error.message} (${more})`, error.status, error.body, error.networkCode) : error;
}
