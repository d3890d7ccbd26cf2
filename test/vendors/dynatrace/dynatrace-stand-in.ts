import { LocalServer, RecordedRequest, Reply } from '../../support/local-server';

/** A well-formed API token for tests (never a real one). */
export const API_TOKEN = `dt0c01.${'A'.repeat(24)}.${'S3CR3TPART'.repeat(6)}QRST`;
export const READ_ONLY_TOKEN = `dt0c01.${'B'.repeat(24)}.${'R'.repeat(64)}`;
export const SERVICE_NAME = 'com.amazonaws.vpce.ap-southeast-2.vpce-svc-0dynatrace0000001';

/**
 * A stand-in for a Dynatrace environment's API on 127.0.0.1, speaking the contract in
 * DESIGN.md: the AWS PrivateLink configuration API and the ActiveGate tokens API. Tests can
 * queue failures that are answered before the contract's own answer.
 */
export class DynatraceStandIn {
  public static async start(): Promise<DynatraceStandIn> {
    const standIn = new DynatraceStandIn();
    standIn.server = await LocalServer.start((req) => standIn.answer(req));
    return standIn;
  }

  public enabled = false;
  public readonly allowlist = new Set<string>();
  public readonly activeGateTokens = new Map<string, { name: string; token: string }>();
  /** Answers used, in order, before the contract answers (for 429s, 500s, slow answers). */
  public readonly failures: Reply[] = [];
  private server!: LocalServer;
  private nextToken = 1;

  public get url(): string {
    return this.server.url;
  }

  /** Every request as "METHOD path", in order. */
  public get calls(): string[] {
    return this.server.requests.map((r) => `${r.method} ${r.path}`);
  }

  public get requests(): RecordedRequest[] {
    return this.server.requests;
  }

  public stop(): Promise<void> {
    return this.server.stop();
  }

  private answer(req: RecordedRequest): Reply {
    const failure = this.failures.shift();
    if (failure) return failure;
    const auth = req.headers.authorization;
    if (auth !== `Api-Token ${API_TOKEN}` && auth !== `Api-Token ${READ_ONLY_TOKEN}`) {
      return error(401, 'Token Authentication failed');
    }
    if (req.method !== 'GET' && auth === `Api-Token ${READ_ONLY_TOKEN}`) {
      return error(403, 'Token is missing required scope. Use one of: WriteConfig (Write configuration)');
    }
    const path = req.path;
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
      return { status: 201, body: { id, token, expirationDate: '2027-05-21T10:00:00.000Z' } };
    }
    const tokenId = /^\/api\/v2\/activeGateTokens\/([^/]+)$/.exec(path)?.[1];
    if (tokenId !== undefined && req.method === 'DELETE') {
      const id = decodeURIComponent(tokenId);
      if (!this.activeGateTokens.delete(id)) return error(404, `Token ${id} not found`);
      return { status: 204 };
    }
    return error(404, `No route for ${req.method} ${path}`);
  }
}

function error(code: number, message: string, constraintViolations?: unknown[]): Reply {
  return { status: code, body: { error: { code, message, ...(constraintViolations ? { constraintViolations } : {}) } } };
}
