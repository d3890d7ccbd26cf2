import { RecordedRequest, Reply } from '../../support/local-server';
import { VendorStandIn } from '../../support/vendor-stand-in';

/** A well-formed API token for tests (never a real one). */
export const API_TOKEN = `dt0c01.${'A'.repeat(24)}.${'S3CR3TPART'.repeat(6)}QRST`;
export const READ_ONLY_TOKEN = `dt0c01.${'B'.repeat(24)}.${'R'.repeat(64)}`;
export const SERVICE_NAME = 'com.amazonaws.vpce.ap-southeast-2.vpce-svc-0dynatrace0000001';

/**
 * A stand-in for a Dynatrace environment's API on 127.0.0.1, speaking the contract in
 * DESIGN.md: the AWS PrivateLink configuration API and the ActiveGate tokens API. Tests can
 * queue failures that are answered before the contract's own answer.
 */
export class DynatraceStandIn extends VendorStandIn {
  /** Starts the stand-in; with `tls` it serves HTTPS with that key and certificate, as an ActiveGate does. */
  public static async start(tls?: { key: string; cert: string }): Promise<DynatraceStandIn> {
    return VendorStandIn.listen(new DynatraceStandIn(), tls);
  }

  public enabled = false;
  public readonly allowlist = new Set<string>();
  public readonly activeGateTokens = new Map<string, { name: string; token: string }>();
  /** Answers used, in order, before the contract answers (for 429s, 500s, slow answers). */
  public readonly failures: Reply[] = [];
  /**
   * Answers used, in order, after the contract has done its work, instead of its answer: a
   * POST that created a token and then answers 503, hangs or resets the connection.
   */
  public readonly afterWork: Reply[] = [];
  /** Tokens per page of GET /api/v2/activeGateTokens (Dynatrace's minimum page size is 100). */
  public pageSize = 100;
  /**
   * Answers used, in order, instead of the 201 of POST /api/v2/activeGateTokens once the token
   * is created (whatever calls came before it): a create that then answers 503, hangs or resets.
   */
  public readonly afterCreate: Reply[] = [];
  private nextToken = 1;

  protected answer(req: RecordedRequest): Reply {
    const failure = this.failures.shift();
    if (failure) return failure;
    const reply = this.contract(req);
    return this.afterWork.shift() ?? reply;
  }

  private contract(req: RecordedRequest): Reply {
    const auth = req.headers.authorization;
    if (auth !== `Api-Token ${API_TOKEN}` && auth !== `Api-Token ${READ_ONLY_TOKEN}`) {
      return error(401, 'Token Authentication failed');
    }
    if (req.method !== 'GET' && auth === `Api-Token ${READ_ONLY_TOKEN}`) {
      return error(403, 'Token is missing required scope. Use one of: WriteConfig (Write configuration)');
    }
    // An ActiveGate or a Managed cluster serves the same API under /e/{environmentId}.
    const [fullPath, query] = req.path.split('?');
    const path = fullPath.replace(/^\/e\/[^/]+(?=\/api\/)/, '');
    if (path === '/api/config/v1/aws/privateLink') {
      if (req.method === 'GET') return { status: 200, body: { enabled: this.enabled, vpcEndpointServiceName: SERVICE_NAME } };
      if (req.method === 'PUT') {
        this.enabled = req.json?.enabled === true;
        return { status: 204 };
      }
    }
    const account = /^\/api\/config\/v1\/aws\/privateLink\/allowlistedAccounts\/([^/]+)$/.exec(path)?.[1];
    if (account !== undefined) {
      if (!/^\d{12}$/.test(account)) {
        return error(400, 'Constraints violated.', [{ path: 'id', message: 'must be a 12-digit AWS account ID', parameterLocation: 'PATH' }]);
      }
      if (req.method === 'PUT') {
        const existed = this.allowlist.has(account);
        this.allowlist.add(account);
        return { status: existed ? 204 : 201 };
      }
      if (req.method === 'DELETE') {
        this.allowlist.delete(account);
        return { status: 204 };
      }
    }
    if (path === '/api/config/v1/aws/privateLink/allowlistedAccounts' && req.method === 'GET') {
      return { status: 200, body: { values: [...this.allowlist].map((id) => ({ id })) } };
    }
    if (path === '/api/v2/activeGateTokens' && req.method === 'POST') {
      const id = `dt0g02.TOKEN${String(this.nextToken++).padStart(3, '0')}`;
      const token = `${id}.${'G'.repeat(64)}`;
      this.activeGateTokens.set(id, { name: req.json?.name, token });
      return this.afterCreate.shift() ?? { status: 201, body: { id, token, expirationDate: EXPIRATION_DATE } };
    }
    if (path === '/api/v2/activeGateTokens' && req.method === 'GET') {
      return this.listTokens(new URLSearchParams(query ?? ''));
    }
    const tokenId = /^\/api\/v2\/activeGateTokens\/([^/]+)$/.exec(path)?.[1];
    if (tokenId !== undefined && req.method === 'DELETE') {
      const id = decodeURIComponent(tokenId);
      if (!this.activeGateTokens.delete(id)) return error(404, `Token ${id} not found`);
      return { status: 204 };
    }
    return error(404, `No route for ${req.method} ${path}`);
  }

  /** Pages of the token list; a page key must come alone, as Dynatrace requires. */
  private listTokens(query: URLSearchParams): Reply {
    const key = query.get('nextPageKey');
    if (key !== null && [...query.keys()].length > 1) {
      return error(400, 'nextPageKey must be the only query parameter');
    }
    const start = key === null ? 0 : Number(Buffer.from(key, 'base64').toString('utf8'));
    const all = [...this.activeGateTokens.entries()];
    const page = all.slice(start, start + this.pageSize);
    const next = start + this.pageSize < all.length ? Buffer.from(String(start + this.pageSize)).toString('base64') : undefined;
    return {
      status: 200,
      body: {
        activeGateTokens: page.map(([id, t]) => ({
          id,
          name: t.name,
          owner: 'stand-in',
          creationDate: '2026-11-28T10:00:00.000Z',
          expirationDate: EXPIRATION_DATE,
          activeGateType: 'ENVIRONMENT',
          seedToken: false,
        })),
        totalCount: all.length,
        pageSize: this.pageSize,
        ...(next ? { nextPageKey: next } : {}),
      },
    };
  }
}

/** The expiry date the stand-in gives every token it creates. */
export const EXPIRATION_DATE = '2027-05-21T10:00:00.000Z';

function error(code: number, message: string, constraintViolations?: unknown[]): Reply {
  return { status: code, body: { error: { code, message, ...(constraintViolations ? { constraintViolations } : {}) } } };
}
