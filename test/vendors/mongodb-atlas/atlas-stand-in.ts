import { createHash, randomBytes } from 'crypto';
import { STATUS_CODES } from 'http';
import { RecordedRequest, Reply } from '../../support/local-server';
import { VendorStandIn } from '../../support/vendor-stand-in';

/**
 * A stand-in for the MongoDB Atlas Admin API v2 (private endpoints for AWS) on 127.0.0.1,
 * speaking the contract in /work/shared/vendor-guides/mongodb-atlas-privatelink.md: service
 * account tokens and API-key Digest auth (§3), the 2023-01-01 resource version, endpoint
 * services and endpoint registrations (§2), their statuses (§4), the one-service-per-region
 * rule (§8) and the removal of a service with its last endpoint (§9). All credentials are fakes.
 */

/** The only project (group) that exists. */
export const PROJECT_ID = '0123456789abcdef01234567';
/** A service account with Project Owner. */
export const CLIENT_ID = 'mdb_sa_id_0123456789abcdef01234567';
export const CLIENT_SECRET = 'mdb_sa_sk_' + 'S3CR3T'.repeat(6);
/** A service account with Project Read Only: its token may only GET. */
export const READ_ONLY_CLIENT_ID = 'mdb_sa_id_fedcba9876543210fedcba98';
export const READ_ONLY_CLIENT_SECRET = 'mdb_sa_sk_' + 'R3AD0N'.repeat(6);
/** A legacy API key with Project Owner (public key = Digest user name, private key = password). */
export const PUBLIC_KEY = 'abcdefgh';
export const PRIVATE_KEY = '01234567-89ab-cdef-0123-' + '456789abcdef';
/** The media type every private-endpoint call must send. */
export const ATLAS_MEDIA_TYPE = 'application/vnd.atlas.2023-01-01+json';
export const DIGEST_REALM = 'MMS Public API';

/** One endpoint registration (AWS interface endpoint) of a service. */
export interface StandInEndpoint {
  readonly id: string;
  connectionStatus: string;
  deleteRequested: boolean;
  errorMessage: string | null;
  /** GETs of this endpoint since it was registered or since its deletion was requested. */
  gets: number;
}

/** One endpoint service (one per region), as the stand-in keeps it. */
export interface StandInService {
  readonly id: string;
  /** The home region in Atlas spelling, e.g. `US_EAST_1`. */
  readonly region: string;
  status: string;
  endpointServiceName: string | null;
  errorMessage: string | null;
  supportedRemoteRegions: string[];
  readonly endpoints: Map<string, StandInEndpoint>;
  /** GETs of this service by id so far (lists do not count). */
  gets: number;
}

const SERVICE_PATH = /^\/api\/atlas\/v2\/groups\/([^/]+)\/privateEndpoint\/(?:AWS\/)?endpointService(?:\/([^/]+))?(?:\/endpoint(?:\/([^/]+))?)?$/;
const VPCE_ID = /^vpce-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;
const ATLAS_REGION = /^[A-Z]{2}(?:_[A-Z]+)+_\d$/;
const AWS_REGION = /^[a-z]{2}(?:-[a-z]+)+-\d$/;

/**
 * The stand-in. Tests read and seed `services`, tune the timing fields, and queue answers in
 * `failures` (before the contract), `afterWork` (instead of the contract's answer, after its
 * work) and `afterCreate` (instead of the 200 of a POST that created a service or endpoint).
 */
export class AtlasStandIn extends VendorStandIn {
  public static async start(): Promise<AtlasStandIn> {
    return VendorStandIn.listen(new AtlasStandIn());
  }

  /** Endpoint services by id. */
  public readonly services = new Map<string, StandInService>();
  /** How `regionName` is spelled in answers: `US_EAST_1` (ATLAS) or `us-east-1` (AWS); UNCONFIRMED which Atlas uses. */
  public regionSpelling: 'ATLAS' | 'AWS' = 'ATLAS';
  /** GETs of a new service that still show INITIATING before it becomes WAITING_FOR_USER. */
  public serviceReadyAfterGets = 2;
  /** GETs of a new endpoint that still show PENDING_ACCEPTANCE; the next shows PENDING, then AVAILABLE. */
  public endpointReadyAfterGets = 2;
  /** GETs of a deregistered endpoint that still show DELETING before it is gone (404). */
  public deleteAfterGets = 1;
  /** When set, a service that would become ready becomes FAILED with this errorMessage. */
  public failServiceWith?: string;
  /** When set, an endpoint that would be accepted becomes REJECTED with this errorMessage. */
  public rejectEndpointWith?: string;
  /** When set, an endpoint that would be accepted becomes FAILED with this errorMessage. */
  public failEndpointWith?: string;
  public readonly failures: Reply[] = [];
  public readonly afterWork: Reply[] = [];
  public readonly afterCreate: Reply[] = [];
  /**
   * Runs before every request's answer: a test's hook to change the state first (another caller
   * creating a service between our list and our POST), or to answer instead (a reply returned).
   */
  public before?: (req: RecordedRequest) => Reply | undefined;
  /** Bearer tokens issued, and whether each may write. */
  private readonly tokens = new Map<string, { canWrite: boolean }>();
  private readonly nonces = new Set<string>();

  /** How many access tokens were issued (a handler should reuse its token within an invocation). */
  public get tokensIssued(): number {
    return this.tokens.size;
  }

  /** Adds a service as if made earlier (by hand or another stack); ready (WAITING_FOR_USER) unless told otherwise. */
  public addService(region: string, opts: { status?: string; supportedRemoteRegions?: string[] } = {}): StandInService {
    const home = toAtlasRegion(region);
    const status = opts.status ?? 'WAITING_FOR_USER';
    const service: StandInService = {
      id: randomBytes(12).toString('hex'),
      region: home,
      status,
      endpointServiceName: status === 'INITIATING' ? null : serviceName(home),
      errorMessage: null,
      supportedRemoteRegions: opts.supportedRemoteRegions ?? [],
      endpoints: new Map(),
      gets: 0,
    };
    this.services.set(service.id, service);
    return service;
  }

  /** Registers an endpoint on a service directly; an AVAILABLE one makes the service AVAILABLE. */
  public addEndpoint(serviceId: string, vpce: string, connectionStatus = 'AVAILABLE'): StandInEndpoint {
    const service = this.services.get(serviceId);
    if (!service) throw new Error(`no service ${serviceId}`);
    const endpoint: StandInEndpoint = { id: vpce, connectionStatus, deleteRequested: false, errorMessage: null, gets: 0 };
    service.endpoints.set(vpce, endpoint);
    if (connectionStatus === 'AVAILABLE') service.status = 'AVAILABLE';
    return endpoint;
  }


  protected answer(req: RecordedRequest): Reply {
    const instead = this.before?.(req);
    if (instead) return instead;
    const failure = this.failures.shift();
    if (failure) return failure;
    const reply = this.contract(req);
    return this.afterWork.shift() ?? reply;
  }

  private contract(req: RecordedRequest): Reply {
    const path = req.path.split('?')[0];
    if (path === '/api/oauth/token' && req.method === 'POST') return this.issueToken(req);
    if (!path.startsWith('/api/atlas/v2/')) return atlasError(404, 'RESOURCE_NOT_FOUND', `No route for ${req.method} ${path}`);
    // Assumed order: authentication, then the version, then the role.
    const auth = this.authenticate(req);
    if ('status' in auth) return auth;
    const version = checkVersion(req);
    if (version) return version;
    if (req.method !== 'GET' && !auth.canWrite) {
      return atlasError(403, 'USER_UNAUTHORIZED',
        `The currently logged in user does not have the Project Owner role in group ${PROJECT_ID}.`);
    }
    return this.route(req.method, path, req.json);
  }

  private issueToken(req: RecordedRequest): Reply {
    const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const [id, secret] = Buffer.from(basic ?? '', 'base64').toString('utf8').split(/:(.*)/s);
    const owner = id === CLIENT_ID && secret === CLIENT_SECRET;
    if (!owner && !(id === READ_ONLY_CLIENT_ID && secret === READ_ONLY_CLIENT_SECRET)) {
      return { status: 401, body: { error: 'invalid_client', error_description: 'Invalid client credentials' } };
    }
    // RFC 6749 §5.2; Atlas's exact answer to another grant type is not known.
    if (new URLSearchParams(req.body).get('grant_type') !== 'client_credentials') {
      return { status: 400, body: { error: 'unsupported_grant_type', error_description: 'Only client_credentials is supported' } };
    }
    const token = randomBytes(32).toString('base64url');
    this.tokens.set(token, { canWrite: owner });
    return { status: 200, body: { access_token: token, token_type: 'Bearer', expires_in: 3600 } };
  }

  /** Who is calling (and whether they may write), or the 401 to answer. */
  private authenticate(req: RecordedRequest): { canWrite: boolean } | Reply {
    const header = req.headers.authorization ?? '';
    if (header.startsWith('Bearer ')) {
      // Error code assumed; the detail is Atlas's usual 401 text.
      return this.tokens.get(header.slice(7)) ?? atlasError(401, 'UNAUTHORIZED', 'Current user is not authorized to perform this action.');
    }
    const p = parseDigest(header);
    const ok = p !== undefined && p.username === PUBLIC_KEY && p.realm === DIGEST_REALM && this.nonces.has(p.nonce)
      && p.uri === req.path && p.qop === 'auth' && (p.algorithm ?? 'MD5').toUpperCase() === 'MD5'
      && p.response === digestResponse(req.method, p.uri, DIGEST_REALM, p.nonce, p.nc, p.cnonce, PUBLIC_KEY, PRIVATE_KEY);
    if (ok) return { canWrite: true };
    const nonce = randomBytes(16).toString('base64');
    this.nonces.add(nonce);
    return {
      ...atlasError(401, 'UNAUTHORIZED', 'You are not authorized for this resource.'),
      headers: { 'www-authenticate': `Digest realm="${DIGEST_REALM}", domain="", nonce="${nonce}", algorithm=MD5, qop="auth", stale=false` },
    };
  }

  private route(method: string, path: string, body: any): Reply {
    const m = SERVICE_PATH.exec(path);
    if (!m) return atlasError(404, 'RESOURCE_NOT_FOUND', `No route for ${method} ${path}`);
    const [, groupId, serviceId, vpce] = m;
    const hasAws = path.includes('/privateEndpoint/AWS/');
    const endpointPart = path.endsWith('/endpoint') || vpce !== undefined;
    if (groupId !== PROJECT_ID) return atlasError(404, 'GROUP_NOT_FOUND', `No group with ID ${groupId} exists.`);
    if (serviceId === undefined) {
      if (method === 'POST' && !hasAws) return this.createService(body);
      if (method === 'GET' && hasAws) return { status: 200, body: [...this.services.values()].map((s) => this.render(s)) };
      return noRoute(method, path);
    }
    if (!endpointPart && method === 'PATCH' && !hasAws) return this.updateService(serviceId, body);
    if (!hasAws) return noRoute(method, path);
    const service = this.services.get(serviceId);
    if (!service) return atlasError(404, 'PRIVATE_ENDPOINT_SERVICE_NOT_FOUND', `No private endpoint service with ID ${serviceId} exists.`);
    if (!endpointPart) {
      if (method === 'GET') return { status: 200, body: this.render(this.advanceService(service)) };
      if (method === 'DELETE') return this.deleteService(service);
      return noRoute(method, path);
    }
    if (vpce === undefined) return method === 'POST' ? this.register(service, body) : noRoute(method, path);
    const endpoint = service.endpoints.get(vpce);
    const gone = atlasError(404, 'PRIVATE_ENDPOINT_NOT_FOUND', `No private endpoint with ID ${vpce} exists in service ${serviceId}.`);
    if (!endpoint) return method === 'GET' || method === 'DELETE' ? gone : noRoute(method, path);
    if (method === 'DELETE') {
      Object.assign(endpoint, { deleteRequested: true, connectionStatus: 'DELETING', gets: 0 });
      return { status: 204 };
    }
    if (method !== 'GET') return noRoute(method, path);
    return this.advanceEndpoint(service, endpoint) ? { status: 200, body: renderEndpoint(endpoint) } : gone;
  }

  private createService(body: any): Reply {
    if (body?.providerName !== 'AWS') return invalid('providerName');
    if (typeof body.region !== 'string' || !(ATLAS_REGION.test(body.region) || AWS_REGION.test(body.region))) return invalid('region');
    const home = toAtlasRegion(body.region);
    const remote = checkRemoteRegions(body.supportedRemoteRegions ?? [], home);
    if ('status' in remote) return remote;
    if ([...this.services.values()].some((s) => s.region === home)) {
      return atlasError(409, 'PRIVATE_ENDPOINT_SERVICE_ALREADY_EXISTS_FOR_REGION',
        `Private endpoint service already exists for region ${home}.`, ['AWS', home]);
    }
    const service = this.addService(home, { status: 'INITIATING', supportedRemoteRegions: remote.regions });
    return this.afterCreate.shift() ?? { status: 200, body: this.render(service) };
  }

  private updateService(serviceId: string, body: any): Reply {
    const service = this.services.get(serviceId);
    if (!service) return atlasError(404, 'PRIVATE_ENDPOINT_SERVICE_NOT_FOUND', `No private endpoint service with ID ${serviceId} exists.`);
    if (body?.cloudProvider !== 'AWS') return invalid('cloudProvider');
    const remote = checkRemoteRegions(body.supportedRemoteRegions ?? [], service.region);
    if ('status' in remote) return remote;
    service.supportedRemoteRegions = remote.regions;
    return { status: 200, body: this.render(service) };
  }

  private deleteService(service: StandInService): Reply {
    if (service.endpoints.size > 0) {
      // Error code and detail assumed: the fact sheet does not say how Atlas refuses this.
      return atlasError(400, 'CANNOT_DELETE_ENDPOINT_SERVICE_WITH_ENDPOINTS',
        `Cannot delete private endpoint service ${service.id} while it has private endpoints.`);
    }
    this.services.delete(service.id);
    return { status: 204 };
  }

  private register(service: StandInService, body: any): Reply {
    const vpce = body?.id;
    if (typeof vpce !== 'string' || !VPCE_ID.test(vpce)) return invalid('id');
    if (service.endpoints.has(vpce)) {
      // Error code assumed.
      return atlasError(409, 'PRIVATE_ENDPOINT_ALREADY_EXISTS', `Private endpoint ${vpce} already exists.`, [vpce]);
    }
    const endpoint = this.addEndpoint(service.id, vpce, 'PENDING_ACCEPTANCE');
    return this.afterCreate.shift() ?? { status: 200, body: renderEndpoint(endpoint) };
  }

  /** One GET of a service: INITIATING for `serviceReadyAfterGets` GETs, then ready (or FAILED). */
  private advanceService(service: StandInService): StandInService {
    if (service.status !== 'INITIATING' || ++service.gets <= this.serviceReadyAfterGets) return service;
    if (this.failServiceWith !== undefined) {
      Object.assign(service, { status: 'FAILED', errorMessage: this.failServiceWith });
    } else {
      Object.assign(service, { status: 'WAITING_FOR_USER', endpointServiceName: serviceName(service.region) });
    }
    return service;
  }

  /** One GET of an endpoint; false when it is gone (and its service with it if it was the last). */
  private advanceEndpoint(service: StandInService, endpoint: StandInEndpoint): boolean {
    if (endpoint.deleteRequested) {
      if (++endpoint.gets <= this.deleteAfterGets) return true;
      service.endpoints.delete(endpoint.id);
      if (service.endpoints.size === 0) this.services.delete(service.id);
      return false;
    }
    if (endpoint.connectionStatus === 'PENDING') {
      endpoint.connectionStatus = 'AVAILABLE';
      service.status = 'AVAILABLE';
    } else if (endpoint.connectionStatus === 'PENDING_ACCEPTANCE' && ++endpoint.gets > this.endpointReadyAfterGets) {
      if (this.rejectEndpointWith !== undefined) {
        Object.assign(endpoint, { connectionStatus: 'REJECTED', errorMessage: this.rejectEndpointWith });
      } else if (this.failEndpointWith !== undefined) {
        Object.assign(endpoint, { connectionStatus: 'FAILED', errorMessage: this.failEndpointWith });
      } else {
        endpoint.connectionStatus = 'PENDING';
      }
    }
    return true;
  }

  private render(s: StandInService): object {
    return {
      id: s.id,
      cloudProvider: 'AWS',
      regionName: this.regionSpelling === 'AWS' ? toAwsRegion(s.region) : s.region,
      status: s.status,
      endpointServiceName: s.endpointServiceName,
      errorMessage: s.errorMessage,
      interfaceEndpoints: [...s.endpoints.keys()],
      supportedRemoteRegions: [...s.supportedRemoteRegions],
    };
  }
}

/**
 * The AWS endpoint view of the 2023-01-01 API (atlas-sdk-go `ApiAtlasAWSInterfaceEndpointView`):
 * the vpce ID comes back as `interfaceEndpointId`, not `id`.
 */
function renderEndpoint(e: StandInEndpoint): object {
  return {
    cloudProvider: 'AWS',
    interfaceEndpointId: e.id,
    connectionStatus: e.connectionStatus,
    deleteRequested: e.deleteRequested,
    errorMessage: e.errorMessage,
  };
}

/** Atlas's error shape. */
export function atlasError(status: number, errorCode: string, detail: string, parameters: unknown[] = []): Reply {
  return { status, body: { detail, error: status, errorCode, parameters, reason: STATUS_CODES[status] ?? 'Error' } };
}

function invalid(attribute: string): Reply {
  return atlasError(400, 'INVALID_ATTRIBUTE', `Invalid attribute ${attribute} specified.`, [attribute]);
}

function noRoute(method: string, path: string): Reply {
  return atlasError(404, 'RESOURCE_NOT_FOUND', `No route for ${method} ${path}`);
}

/** 406 for a missing or unknown version, 410 for a removed one, 415 for a POST/PATCH body of another type. */
function checkVersion(req: RecordedRequest): Reply | undefined {
  const version = /application\/vnd\.atlas\.(\d{4}-\d{2}-\d{2})\+json/.exec(req.headers.accept ?? '')?.[1];
  // VERSION_GONE is an invented code: the fact sheet gives only the status.
  if (version === '2020-01-01') return atlasError(410, 'VERSION_GONE', 'The API version 2020-01-01 has been removed.');
  if (version !== '2023-01-01') {
    return atlasError(406, 'INVALID_VERSION_DATE', `The version in the Accept header (${req.headers.accept ?? 'none'}) is not supported.`);
  }
  if ((req.method === 'POST' || req.method === 'PATCH') && !(req.headers['content-type'] ?? '').startsWith(ATLAS_MEDIA_TYPE)) {
    // Status and code assumed.
    return atlasError(415, 'UNSUPPORTED_MEDIA_TYPE', `Content-Type must be ${ATLAS_MEDIA_TYPE}.`);
  }
  return undefined;
}

function checkRemoteRegions(regions: unknown, home: string): { regions: string[] } | Reply {
  if (!Array.isArray(regions) || regions.length > 35) return invalid('supportedRemoteRegions');
  if (!regions.every((r) => typeof r === 'string' && ATLAS_REGION.test(r))) return invalid('supportedRemoteRegions');
  if (regions.includes(home)) {
    return atlasError(400, 'CROSS_REGION_PRIVATE_LINK_SELF_REGION', `Supported remote regions cannot include the home region ${home}.`);
  }
  return { regions: [...regions] };
}

function toAtlasRegion(region: string): string {
  return region.toUpperCase().replace(/-/g, '_');
}

function toAwsRegion(region: string): string {
  return region.toLowerCase().replace(/_/g, '-');
}

function serviceName(region: string): string {
  return `com.amazonaws.vpce.${toAwsRegion(region)}.vpce-svc-${randomBytes(9).toString('hex').slice(0, 17)}`;
}

function md5(text: string): string {
  return createHash('md5').update(text).digest('hex');
}

/** RFC 2617 `response` for qop=auth: MD5(MD5(user:realm:pass):nonce:nc:cnonce:auth:MD5(method:uri)). */
function digestResponse(method: string, uri: string, realm: string, nonce: string, nc: string, cnonce: string, user: string, pass: string): string {
  return md5(`${md5(`${user}:${realm}:${pass}`)}:${nonce}:${nc}:${cnonce}:auth:${md5(`${method}:${uri}`)}`);
}

/** The name=value pairs of a `Digest ...` header (challenge or answer), or undefined. */
export function parseDigest(header: string): Record<string, string> | undefined {
  if (!/^Digest\s/i.test(header)) return undefined;
  const params: Record<string, string> = {};
  for (const [, key, quoted, bare] of header.slice(7).matchAll(/(\w+)=(?:"([^"]*)"|([^\s,]*))/g)) {
    params[key] = quoted ?? bare;
  }
  return params;
}

/**
 * The Authorization header answering a Digest challenge (RFC 2617, MD5, qop=auth, nc=00000001),
 * for the stand-in's own test.
 */
export function digestHeader(method: string, uri: string, challengeHeader: string, user: string, pass: string): string {
  const challenge = parseDigest(challengeHeader) ?? {};
  const [realm, nonce] = [challenge.realm ?? '', challenge.nonce ?? ''];
  const cnonce = randomBytes(8).toString('hex');
  const response = digestResponse(method, uri, realm, nonce, '00000001', cnonce, user, pass);
  return `Digest username="${user}", realm="${realm}", nonce="${nonce}", uri="${uri}", algorithm=MD5, `
    + `response="${response}", qop=auth, nc=00000001, cnonce="${cnonce}"`;
}
