import type { ClientSecretStore } from '../../../../src/vendors/dynatrace/edgeconnect/edge-connect-client-secret';
import { PROVISIONER_SCOPES } from '../../../../src/vendors/dynatrace/edgeconnect/edge-connect-provisioner.lambda';
import { LocalServer, RecordedRequest, Reply } from '../../../support/local-server';

export const TOKEN_PATH = '/sso/oauth2/token';
export const API_PATH = '/platform/app-engine/edge-connect/v1/edge-connects';
export const PROVISIONER_ARN = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:provisioner-AbCdEf';
export const TARGET_ARN = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:edgeconnect-client-GhIjKl';
export const PROVISIONER_CLIENT_ID = 'dt0s02.PROVISIONER';
export const PROVISIONER_SECRET = 'dt0s02.PROVISIONER.provisioner-client-secret-value-0123456789';
export const ACCESS_TOKEN = 'eyJhbGciOi.access-token-value.signature';
export const OAUTH_RESOURCE = 'urn:dtenvironment:abc12345';
/** What the construct's secret holds until the provisioner writes a client. */
export const PLACEHOLDER = JSON.stringify({ clientId: 'pending', clientSecret: 'GeneratedPlaceholderValue0123456789' });

export interface StandInConfiguration {
  readonly id: string;
  name: string;
  hostPatterns: string[];
  hostMappings: { from: string; to: string }[];
  readonly oauthClientId: string;
}

export interface StandInClient {
  readonly clientId: string;
  readonly clientSecret: string;
}

/** An answer for the next call that matches `on` ("METHOD path", IDs written `{id}`), or for any call. */
export interface Fault {
  readonly on?: string;
  readonly reply: Reply;
}

const NAME = /^[a-z0-9]([a-z0-9-]{0,48}[a-z0-9])?$/;

/**
 * A stateful stand-in for a Dynatrace environment's EdgeConnect API and its SSO token endpoint
 * on 127.0.0.1, speaking the contract in DESIGN.md and the List EdgeConnects docs. Each POST
 * makes one configuration and one OAuth client (its secret shown in that answer only); DELETE
 * removes both; names are unique. Not documented by Dynatrace, and so choices of this stand-in:
 * the status for a taken name (409 unless `nameTakenStatus` says 400), listed items carry `id`
 * and, when `add-fields` asks for it, `name` only, and `page` counts from `firstPage`.
 */
export class EdgeConnectStandIn {
  public static async start(): Promise<EdgeConnectStandIn> {
    const standIn = new EdgeConnectStandIn();
    standIn.server = await LocalServer.start((req) => standIn.answer(req));
    return standIn;
  }

  public readonly configurations = new Map<string, StandInConfiguration>();
  public readonly clients = new Map<string, StandInClient>();
  /** Every client ever made, deleted ones too (for leak checks). */
  public readonly issued: StandInClient[] = [];
  /** Answered, in order, before the contract does any work (429s, 503s that changed nothing). */
  public readonly failures: Fault[] = [];
  /** Answered, in order, after the contract did its work, instead of its answer (503, hang, reset, malformed). */
  public readonly afterWork: Fault[] = [];
  /** Answered to every call matching `on` (or every call): a vendor down or never answering. */
  public always?: Fault;
  /** The provisioner client was revoked: the token endpoint answers 401 invalid_client. */
  public clientRevoked = false;
  public nameTakenStatus: 400 | 409 = 409;
  public pageSize = 100;
  public firstPage: 0 | 1 = 1;
  /** Lists every configuration whatever the filter says (the handler must filter and page itself). */
  public ignoreFilter = false;
  private server!: LocalServer;
  private next = 1;

  public get url(): string {
    return this.server.url;
  }

  public get apiUrl(): string {
    return `${this.server.url}${API_PATH}`;
  }

  public get tokenUrl(): string {
    return `${this.server.url}${TOKEN_PATH}`;
  }

  public get requests(): RecordedRequest[] {
    return this.server.requests;
  }

  /** Every request as "METHOD path": no query string, configuration IDs written `{id}`. */
  public get calls(): string[] {
    return this.server.requests.map(callOf);
  }

  public stop(): Promise<void> {
    return this.server.stop();
  }

  /** A configuration made outside the handler (by hand, or by a delivery whose answer was lost). */
  public seed(name: string, hostPatterns = ['*.corp.example.com']): { configuration: StandInConfiguration; client: StandInClient } {
    return this.make(name, hostPatterns, []);
  }

  private answer(req: RecordedRequest): Reply {
    const call = callOf(req);
    const failure = take(this.failures, call);
    if (failure) return failure;
    if (this.always && (!this.always.on || this.always.on === call)) return this.always.reply;
    const reply = this.contract(req);
    return take(this.afterWork, call) ?? reply;
  }

  private contract(req: RecordedRequest): Reply {
    const [path, query] = req.path.split('?');
    if (path === TOKEN_PATH && req.method === 'POST') return this.token(req);
    if (req.headers.authorization !== `Bearer ${ACCESS_TOKEN}`) return error(401, 'Unauthorized: no valid bearer token');
    if (path === API_PATH) {
      if (req.method === 'POST') return this.create(req.json);
      if (req.method === 'GET') return this.list(new URLSearchParams(query ?? ''));
    }
    const id = path.startsWith(`${API_PATH}/`) ? decodeURIComponent(path.slice(API_PATH.length + 1)) : undefined;
    if (id !== undefined && !id.includes('/')) {
      const configuration = this.configurations.get(id);
      if (!configuration) return error(404, `EdgeConnect ${id} not found`);
      if (req.method === 'GET') return { status: 200, body: view(configuration) };
      if (req.method === 'PUT') return this.update(configuration, req.json);
      if (req.method === 'DELETE') {
        this.configurations.delete(id);
        this.clients.delete(configuration.oauthClientId);
        return { status: 204 };
      }
    }
    return error(404, `no route for ${req.method} ${path}`);
  }

  private token(req: RecordedRequest): Reply {
    const form = new URLSearchParams(req.body);
    if (this.clientRevoked || form.get('client_id') !== PROVISIONER_CLIENT_ID || form.get('client_secret') !== PROVISIONER_SECRET) {
      return { status: 401, body: { error: 'invalid_client', error_description: 'Client authentication failed' } };
    }
    if (form.get('grant_type') !== 'client_credentials') return { status: 400, body: { error: 'unsupported_grant_type' } };
    const wanted = new Set(PROVISIONER_SCOPES.split(' '));
    const asked = (form.get('scope') ?? '').split(' ');
    if (asked.length !== wanted.size || !asked.every((s) => wanted.has(s)) || form.get('resource') !== OAUTH_RESOURCE) {
      return { status: 400, body: { error: 'invalid_scope', error_description: 'scope or resource not granted to this client' } };
    }
    return { status: 200, body: { access_token: ACCESS_TOKEN, token_type: 'Bearer', expires_in: 300, scope: PROVISIONER_SCOPES } };
  }

  private create(body: any): Reply {
    const invalid = validate(body);
    if (invalid) return invalid;
    if ([...this.configurations.values()].some((c) => c.name === body.name)) return this.nameTaken(body.name);
    const { configuration, client } = this.make(body.name, body.hostPatterns, body.hostMappings ?? []);
    return {
      status: 201,
      body: { ...view(configuration), oauthClientSecret: client.clientSecret, oauthClientResource: OAUTH_RESOURCE },
    };
  }

  private update(configuration: StandInConfiguration, body: any): Reply {
    const invalid = validate(body);
    if (invalid) return invalid;
    if (body.oauthClientId !== configuration.oauthClientId) return error(400, 'oauthClientId must be the configuration\'s own client');
    if ([...this.configurations.values()].some((c) => c !== configuration && c.name === body.name)) return this.nameTaken(body.name);
    configuration.name = body.name;
    configuration.hostPatterns = body.hostPatterns;
    configuration.hostMappings = body.hostMappings ?? [];
    return { status: 200 };
  }

  private list(query: URLSearchParams): Reply {
    let items = [...this.configurations.values()];
    const filter = query.get('filter');
    if (filter && !this.ignoreFilter) {
      const name = /^name\s*=\s*'([^']*)'$/.exec(filter)?.[1];
      if (name === undefined) return error(400, `unsupported filter: ${filter}`);
      items = items.filter((c) => c.name === name);
    }
    const pageSize = Number(query.get('page-size') ?? this.pageSize);
    const page = Number(query.get('page') ?? this.firstPage) - this.firstPage;
    const withName = (query.get('add-fields') ?? '').split(',').includes('name');
    const shown = items.slice(page * pageSize, (page + 1) * pageSize).map((c) => (withName ? { id: c.id, name: c.name } : { id: c.id }));
    return { status: 200, body: { edgeConnects: shown, totalCount: items.length } };
  }

  private nameTaken(name: string): Reply {
    const message = `EdgeConnect with name '${name}' already exists`;
    return this.nameTakenStatus === 409
      ? error(409, message)
      : error(400, 'Constraints violated.', [{ path: 'name', message, parameterLocation: 'PAYLOAD_BODY' }]);
  }

  private make(name: string, hostPatterns: string[], hostMappings: { from: string; to: string }[]) {
    const n = this.next++;
    const clientId = `dt0s10.EC${String(n).padStart(6, '0')}`;
    const client = { clientId, clientSecret: `${clientId}.${`S${n}`.repeat(32).slice(0, 64)}` };
    const configuration = {
      id: `6f1c0e2a-0000-4000-8000-${String(n).padStart(12, '0')}`,
      name,
      hostPatterns,
      hostMappings,
      oauthClientId: clientId,
    };
    this.clients.set(clientId, client);
    this.issued.push(client);
    this.configurations.set(configuration.id, configuration);
    return { configuration, client };
  }
}

/**
 * Secrets Manager as a typed fake: the provisioner client, the construct's placeholder target
 * secret, and the version before each secret's current one (AWSPREVIOUS), which a write stages.
 */
export class FakeSecrets implements ClientSecretStore {
  public readonly values = new Map<string, string>([
    [PROVISIONER_ARN, JSON.stringify({ clientId: PROVISIONER_CLIENT_ID, clientSecret: PROVISIONER_SECRET })],
    [TARGET_ARN, PLACEHOLDER],
  ]);
  /** The AWSPREVIOUS version of each secret that has one. */
  public readonly previous = new Map<string, string>();
  public readonly writes: { secretId: string; value: string }[] = [];
  /** Whether each call was handed an AbortSignal. */
  public readonly signals: boolean[] = [];
  public failWrite?: Error;
  public failRead?: { secretId: string; error: Error };

  public async getSecretString(secretId: string, signal?: AbortSignal): Promise<string | undefined> {
    this.signals.push(signal instanceof AbortSignal);
    if (this.failRead?.secretId === secretId) throw this.failRead.error;
    return this.values.get(secretId);
  }

  public async putSecretString(secretId: string, value: string, signal?: AbortSignal): Promise<void> {
    this.signals.push(signal instanceof AbortSignal);
    if (this.failWrite) throw this.failWrite;
    this.writes.push({ secretId, value });
    const current = this.values.get(secretId);
    if (current !== undefined) this.previous.set(secretId, current);
    this.values.set(secretId, value);
  }

  public async getPreviousSecretString(secretId: string, signal?: AbortSignal): Promise<string | undefined> {
    this.signals.push(signal instanceof AbortSignal);
    if (this.failRead?.secretId === secretId) throw this.failRead.error;
    return this.previous.get(secretId);
  }

  /** The target secret's fields. */
  public target(secretId = TARGET_ARN): { clientId?: string; clientSecret?: string; resource?: string; edgeConnectId?: string } {
    return JSON.parse(this.values.get(secretId) ?? '{}');
  }
}

function callOf(req: RecordedRequest): string {
  const path = req.path.split('?')[0].replace(new RegExp(`^(${API_PATH})/[^/]+`), '$1/{id}');
  return `${req.method} ${path}`;
}

function take(faults: Fault[], call: string): Reply | undefined {
  const index = faults.findIndex((f) => !f.on || f.on === call);
  return index < 0 ? undefined : faults.splice(index, 1)[0].reply;
}

function view(c: StandInConfiguration) {
  return {
    id: c.id,
    name: c.name,
    hostPatterns: c.hostPatterns,
    hostMappings: c.hostMappings,
    oauthClientId: c.oauthClientId,
    modificationInfo: { lastModifiedBy: PROVISIONER_CLIENT_ID, lastModifiedTime: '2025-01-01T00:00:00Z' },
  };
}

function validate(body: any): Reply | undefined {
  const violations: { path: string; message: string; parameterLocation: string }[] = [];
  if (typeof body?.name !== 'string' || !NAME.test(body.name)) {
    violations.push({ path: 'name', message: 'must be RFC 1123 compliant and at most 50 characters', parameterLocation: 'PAYLOAD_BODY' });
  }
  if (!Array.isArray(body?.hostPatterns) || body.hostPatterns.length === 0) {
    violations.push({ path: 'hostPatterns', message: 'must not be empty', parameterLocation: 'PAYLOAD_BODY' });
  }
  return violations.length > 0 ? error(400, 'Constraints violated.', violations) : undefined;
}

function error(code: number, message: string, constraintViolations?: unknown[]): Reply {
  return { status: code, body: { error: { code, message, ...(constraintViolations ? { details: { constraintViolations } } : {}) } } };
}
