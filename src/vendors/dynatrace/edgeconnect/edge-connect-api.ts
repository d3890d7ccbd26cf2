/*
 * The Dynatrace calls of the EdgeConnect provisioner (bundled into its Lambda handler): a
 * client-credentials token for the provisioner OAuth client, and the platform's EdgeConnect
 * configurations API (`…/platform/app-engine/edge-connect/v1/edge-connects`). Every call runs
 * through one HttpClient that carries the work's deadline and AbortSignal.
 */
import type { WorkContext } from '../../../internal/runtime/custom-resource';
import { AmbiguousOutcomeError, HttpClient, HttpError } from '../../../internal/runtime/http-client';
import type { HttpRequest, HttpResponse, RetryPolicy } from '../../../internal/runtime/http-client';
import { readSecret } from '../../../internal/runtime/secrets';
import type { SecretsReader } from '../../../internal/runtime/secrets';

/** The scopes the provisioner client needs: manage EdgeConnects and their OAuth clients. */
export const PROVISIONER_SCOPES = [
  'app-engine:edge-connects:read',
  'app-engine:edge-connects:write',
  'app-engine:edge-connects:delete',
  'oauth2:clients:manage',
].join(' ');

export interface HostMapping {
  readonly from: string;
  readonly to: string;
}

/** A configuration as GET shows it: never with the client secret. */
export interface EdgeConnectRecord {
  readonly id: string;
  readonly name?: string;
  readonly hostPatterns?: unknown;
  readonly hostMappings?: unknown;
  readonly oauthClientId?: string;
}

/** What a successful POST returns: the only time the client secret is shown. */
export interface CreatedEdgeConnect {
  readonly id: string;
  readonly oauthClientId: string;
  readonly oauthClientSecret: string;
  readonly oauthClientResource?: string;
}

export interface EdgeConnectBody {
  readonly name: string;
  readonly hostPatterns: string[];
  readonly hostMappings: HostMapping[];
  readonly oauthClientId?: string;
}

/** The token endpoint refused the provisioner client itself (revoked, deleted or unauthorized). */
export class TokenRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TokenRefusedError';
  }
}

export interface EdgeConnectApiSettings {
  readonly edgeConnectsUrl: string;
  readonly oauthEndpoint: string;
  readonly oauthResource: string;
  /** JSON secret with `clientId` and `clientSecret` of the provisioner OAuth client. */
  readonly provisionerSecretArn: string;
  readonly secrets: SecretsReader;
  readonly fetchFn?: typeof fetch;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly retry?: Partial<RetryPolicy>;
}

/** Pages read at most while looking a configuration up by name. */
const MAX_LIST_PAGES = 50;

/** OAuth errors (RFC 6749 §5.2) that mean the client itself may no longer get tokens. */
const REFUSED_CLIENT_ERRORS = new Set(['invalid_client', 'unauthorized_client']);

export class EdgeConnectApi {
  private readonly http: HttpClient;
  private token?: string;

  constructor(private readonly settings: EdgeConnectApiSettings, private readonly ctx: WorkContext) {
    this.http = new HttpClient({
      signal: ctx.signal,
      deadline: ctx.deadline,
      fetchFn: settings.fetchFn,
      sleep: settings.sleep,
      retry: settings.retry,
      log: ctx.log,
    });
  }

  public itemUrl(id: string): string {
    return `${this.settings.edgeConnectsUrl}/${encodeURIComponent(id)}`;
  }

  /**
   * POSTs a new configuration. Never repeated by the client once it may have reached Dynatrace:
   * an unclear outcome (timeout, reset, 5xx, a 2xx without the new client) throws
   * AmbiguousOutcomeError, and the caller looks the name up.
   */
  public async create(body: EdgeConnectBody): Promise<CreatedEdgeConnect> {
    const url = this.settings.edgeConnectsUrl;
    const res = await this.call({ method: 'POST', url, body, expectJson: true });
    const created = res.json;
    if (typeof created.oauthClientSecret === 'string') this.ctx.redact(created.oauthClientSecret);
    const { id, oauthClientId, oauthClientSecret } = created;
    if (![id, oauthClientId, oauthClientSecret].every((v) => typeof v === 'string' && v.length > 0)) {
      throw new AmbiguousOutcomeError(`POST ${url} answered HTTP ${res.status} without id, oauthClientId and oauthClientSecret`, res.status);
    }
    const resource = typeof created.oauthClientResource === 'string' ? created.oauthClientResource : undefined;
    return { id, oauthClientId, oauthClientSecret, oauthClientResource: resource };
  }

  /** The configuration, or undefined when it does not exist (404). */
  public async get(id: string): Promise<EdgeConnectRecord | undefined> {
    const res = await this.call({ method: 'GET', url: this.itemUrl(id), expectJson: true }, [404]);
    if (res.status === 404) return undefined;
    return { ...res.json, id };
  }

  public async update(id: string, body: EdgeConnectBody): Promise<void> {
    await this.call({ method: 'PUT', url: this.itemUrl(id), body });
  }

  /** Deletes the configuration (Dynatrace deletes its generated OAuth client with it); false if it was already gone. */
  public async delete(id: string): Promise<boolean> {
    const res = await this.call({ method: 'DELETE', url: this.itemUrl(id) }, [404]);
    return res.status !== 404;
  }

  /**
   * The configurations named exactly `name`, each read by ID (for its oauthClientId).
   *
   * Relied on: the List EdgeConnects docs (GET …/edge-connects with the query parameters
   * `filter`, `page`, `page-size` and `add-fields`; `filter` on `name` with `=` is exact and
   * case-sensitive) and the Dynatrace operator's client, which sends
   * `filter=name='…'&add-fields=name,…` and reads `{"edgeConnects": [...], "totalCount": n}`.
   * Not documented: which fields a listed item has by default and whether `page` counts from
   * 0 or 1. So the name is asked for, matches are kept client-side by exact name (an item
   * without a name is read to check), and pages are walked until `totalCount` IDs were seen or
   * two pages in a row bring nothing new.
   */
  public async findByName(name: string): Promise<EdgeConnectRecord[]> {
    const found: EdgeConnectRecord[] = [];
    for (const item of (await this.list(`name='${name}'`, name)).values()) {
      if (item.name !== undefined && item.name !== name) continue;
      const record = await this.get(item.id);
      if (record?.name === name) found.push(record);
    }
    return found;
  }

  /**
   * The configuration whose OAuth client is `clientId`, or undefined. The list cannot be
   * filtered by client, so each listed configuration is read until one matches: used only for
   * secret versions written before the configuration's ID was stored with its client.
   */
  public async findByClientId(clientId: string): Promise<EdgeConnectRecord | undefined> {
    for (const item of (await this.list(undefined, `OAuth client ${clientId}`)).values()) {
      const record = await this.get(item.id);
      if (record?.oauthClientId === clientId) return record;
    }
    return undefined;
  }

  /** The listed configurations' IDs (and names), every page, bounded by MAX_LIST_PAGES. */
  private async list(filter: string | undefined, lookingFor: string): Promise<Map<string, { id: string; name?: unknown }>> {
    const url = this.settings.edgeConnectsUrl;
    const seen = new Map<string, { id: string; name?: unknown }>();
    let total = Number.POSITIVE_INFINITY;
    let stale = 0;
    for (let page = 0; page < MAX_LIST_PAGES && seen.size < total && stale < 2; page++) {
      const query = new URLSearchParams({ ...(filter ? { filter } : {}), 'add-fields': 'name' });
      if (page > 0) query.set('page', String(page));
      const res = await this.call({ method: 'GET', url: `${url}?${query}`, expectJson: true });
      const items: unknown = res.json.edgeConnects;
      if (!Array.isArray(items)) {
        throw new HttpError(`GET ${url} answered HTTP ${res.status} without an edgeConnects list`, res.status);
      }
      total = typeof res.json.totalCount === 'number' ? res.json.totalCount : items.length;
      const before = seen.size;
      for (const item of items) {
        if (typeof item?.id === 'string' && item.id.length > 0 && !seen.has(item.id)) seen.set(item.id, item);
      }
      if (items.length === 0) break;
      stale = seen.size === before ? stale + 1 : 0;
    }
    if (seen.size < total) {
      this.ctx.log(`GET ${url} listed ${seen.size} of ${total} configurations; looked for ${lookingFor} among those`);
    }
    return seen;
  }

  private async call(request: Omit<HttpRequest, 'headers'>, accept: number[] = []): Promise<HttpResponse> {
    const token = await this.accessToken();
    return this.http.send({ ...request, headers: { authorization: `Bearer ${token}` } }, accept);
  }

  /** A client-credentials token for the provisioner client, fetched once per invocation. */
  private async accessToken(): Promise<string> {
    if (this.token) return this.token;
    const { settings, ctx } = this;
    const arn = settings.provisionerSecretArn;
    const raw = await settings.secrets.getSecretString(arn, ctx.signal);
    const once: SecretsReader = { getSecretString: async () => raw };
    const clientId = await readSecret(once, arn, 'clientId');
    const clientSecret = await readSecret(once, arn, 'clientSecret');
    ctx.redact(clientSecret);
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: clientId,
      client_secret: clientSecret,
      scope: PROVISIONER_SCOPES,
      resource: settings.oauthResource,
    });
    let res;
    try {
      res = await this.http.send({
        method: 'POST',
        url: settings.oauthEndpoint,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form.toString(),
        // Asking for a token twice creates nothing.
        idempotent: true,
        expectJson: true,
      });
    } catch (error) {
      const message = `could not get an OAuth token for the provisioner client ${clientId} (scopes ${PROVISIONER_SCOPES}): ${messageOf(error)}`;
      if (isRefusedClient(error)) throw new TokenRefusedError(message);
      // Kept an HttpError so that a Delete can tell a host that no longer resolves from an outage.
      throw error instanceof HttpError ? new HttpError(message, error.status, error.body, error.networkCode) : new Error(message);
    }
    const token = res.json.access_token;
    if (typeof token !== 'string' || token.length === 0) {
      throw new Error(`POST ${settings.oauthEndpoint} answered HTTP ${res.status} without an access_token for the provisioner client ${clientId}`);
    }
    ctx.redact(token);
    this.token = token;
    return token;
  }
}

/**
 * A POST refused because the name is taken. Dynatrace's status for it is not documented: a
 * 409, or a 400 whose error mentions the name and that it exists or must be unique. Other
 * 400s (such as a host pattern used by another EdgeConnect) are plain failures.
 */
/**
 * The exact form of the IDs Dynatrace gives EdgeConnect configurations (UUIDs). Anything else,
 * such as the physical ID CloudFormation makes up for a create it stopped waiting for, was
 * never issued, and no call is made with it.
 */
export function isEdgeConnectId(id: string | undefined): id is string {
  return typeof id === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id);
}

export function isNameCollision(error: unknown): boolean {
  if (!(error instanceof HttpError)) return false;
  if (error.status === 409) return true;
  if (error.status !== 400) return false;
  const text = JSON.stringify(error.body ?? {});
  return /name/i.test(text) && /already exists|exists already|unique|duplicate|taken/i.test(text);
}

/** The provisioner client was refused by the token endpoint or by the API (401/403). */
export function isAccessRefused(error: unknown): boolean {
  return error instanceof TokenRefusedError || (error instanceof HttpError && (error.status === 401 || error.status === 403));
}

function isRefusedClient(error: unknown): boolean {
  if (!(error instanceof HttpError)) return false;
  if (error.status === 401 || error.status === 403) return true;
  return error.status === 400 && REFUSED_CLIENT_ERRORS.has(error.body?.error);
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
