/*
 * Drives the real Atlas handler (runCustomResource + atlasWork) against the Atlas stand-in and a
 * CloudFormation stand-in, for the handler's tests and its lifecycle rows.
 */
import { AtlasStandIn, CLIENT_ID, CLIENT_SECRET, PRIVATE_KEY, PROJECT_ID, PUBLIC_KEY, StandInService } from './atlas-stand-in';
import { CustomResourceEvent, runCustomResource } from '../../../src/internal/runtime/custom-resource';
import { SecretsReader } from '../../../src/internal/runtime/secrets';
import { AtlasDeps } from '../../../src/vendors/mongodb-atlas/atlas-api';
import { atlasWork, ENDPOINT_RESOURCE_TYPE, SERVICE_RESOURCE_TYPE } from '../../../src/vendors/mongodb-atlas/atlas-privatelink.lambda';
import { LocalServer, Reply } from '../../support/local-server';

export const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:111111111111:secret:mongodb-atlas-AbCdEf';
/** A second secret, which always holds the API key: for an update that changes the credential. */
export const API_KEY_SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:111111111111:secret:mongodb-atlas-api-key-GhIjKl';
export const VPCE = 'vpce-0123456789abcdef0';
export const OTHER_VPCE = 'vpce-0fedcba9876543210';
export { PROJECT_ID };

export interface InvokeOptions {
  readonly requestTimeoutMs?: number;
  /** What the Lambda context reports as its remaining time. */
  readonly remainingMs?: number;
  readonly reserveMs?: number;
}

export class AtlasHarness {
  public static async start(): Promise<AtlasHarness> {
    return new AtlasHarness(await AtlasStandIn.start(), await LocalServer.start(() => ({ status: 200 })));
  }

  /** A harness whose stand-in already has a ready endpoint service in `region` (Atlas's spelling). */
  public static async withService(region = 'US_EAST_1'): Promise<{ h: AtlasHarness; service: StandInService }> {
    const h = await AtlasHarness.start();
    return { h, service: h.atlas.addService(region) };
  }

  public readonly logs: string[] = [];
  /** Pauses the HTTP client asked for (backoff, Retry-After). */
  public readonly sleeps: number[] = [];
  /** Pauses between status polls. */
  public readonly polls: number[] = [];
  /** The secret's value: a service account by default. */
  public credential: Record<string, string> = { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET };
  /** Thrown by every read of the credential's secret, as the SDK throws it. */
  public secretError?: Error;
  public secretReads = 0;
  private requestCount = 0;

  private constructor(public readonly atlas: AtlasStandIn, public readonly cfn: LocalServer) {}

  /** Use the API key (HTTP Digest) instead of the service account. */
  public useApiKey(): void {
    this.credential = { publicKey: PUBLIC_KEY, privateKey: PRIVATE_KEY };
  }

  public deps(requestTimeoutMs = 2_000): AtlasDeps {
    const secrets: SecretsReader = {
      getSecretString: async (id) => {
        this.secretReads++;
        if (this.secretError) throw this.secretError;
        if (id === API_KEY_SECRET_ARN) return JSON.stringify({ publicKey: PUBLIC_KEY, privateKey: PRIVATE_KEY });
        return id === SECRET_ARN ? JSON.stringify(this.credential) : undefined;
      },
    };
    return {
      secrets,
      client: { sleep: async (ms) => { this.sleeps.push(ms); }, random: () => 0.5, retry: { requestTimeoutMs } },
      pause: async (ms) => { this.polls.push(ms); },
    };
  }

  /** A Custom::MongoDbAtlasEndpointService event for us-east-1. */
  public serviceEvent(requestType: CustomResourceEvent['RequestType'], props: Record<string, unknown> = {},
    extra: Partial<CustomResourceEvent> = {}): CustomResourceEvent {
    return this.event(SERVICE_RESOURCE_TYPE, 'EndpointService', requestType, { Region: 'us-east-1', ...props }, extra);
  }

  /** A Custom::MongoDbAtlasEndpoint event for VPCE with the given service. */
  public endpointEvent(requestType: CustomResourceEvent['RequestType'], serviceId: string, props: Record<string, unknown> = {},
    extra: Partial<CustomResourceEvent> = {}): CustomResourceEvent {
    return this.event(ENDPOINT_RESOURCE_TYPE, 'Registration', requestType, { ServiceId: serviceId, EndpointId: VPCE, ...props }, extra);
  }

  /**
   * Lets the next `n` requests through to the stand-in's contract, then answers `replies` (the
   * stand-in passes over an empty entry of its `failures` queue).
   */
  public afterRequests(n: number, ...replies: Reply[]): void {
    this.atlas.failures.push(...new Array<Reply>(n), ...replies);
  }

  /**
   * "Vendor never answering": after the first request (the token) every call hangs; the create
   * must answer FAILED with a create-failed ID within the Lambda's 2 s, naming `call` and the
   * per-request time-out, and the rollback's Delete of that ID must call nothing.
   */
  public async neverAnswering(create: CustomResourceEvent, deleteOf: (physicalId: string) => CustomResourceEvent,
    call: RegExp, mark: () => void): Promise<any> {
    this.afterRequests(1, ...Array(20).fill({ status: 200, hang: true }));
    mark();
    const started = Date.now();
    const answer = await this.invoke(create, { remainingMs: 2_000, reserveMs: 500, requestTimeoutMs: 200 });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(answer.Reason).toMatch(new RegExp(`^${call.source} (failed after 6 attempts|failed: no time left before the deadline|` +
      'failed: the next retry .* would pass the deadline).*no answer within 200 ms'));
    expect(answer.PhysicalResourceId).toMatch(/^create-failed:/);
    const calls = this.atlas.calls.length;
    expect((await this.invoke(deleteOf(answer.PhysicalResourceId))).Status).toBe('SUCCESS');
    expect(this.atlas.calls.length).toBe(calls);
    return answer;
  }

  /** Runs the handler and returns CloudFormation's answer. */
  public async invoke(e: CustomResourceEvent, options: InvokeOptions = {}): Promise<any> {
    const deps = this.deps(options.requestTimeoutMs);
    await runCustomResource(e, { getRemainingTimeInMillis: () => options.remainingMs ?? 300_000 },
      (ctx) => atlasWork(ctx, deps), { log: (l) => this.logs.push(l), reserveMs: options.reserveMs, sleep: async () => undefined });
    return this.cfn.requests[this.cfn.requests.length - 1].json;
  }

  /**
   * The Atlas calls since `from`, as "METHOD path" with IDs as {projectId}, {serviceId} and
   * {vpce}; the token request is "POST /api/oauth/token".
   */
  public callsSince(from: number): string[] {
    return this.atlas.calls.slice(from).map((c) => c.split('?')[0]
      .replace(PROJECT_ID, '{projectId}')
      .replace(/\/endpointService\/[0-9a-f]{24}/, '/endpointService/{serviceId}')
      .replace(/\/vpce-[0-9a-f]+$/, '/{vpce}'));
  }

  public async stop(): Promise<void> {
    // Whatever happened, no credential reached a log line or CloudFormation.
    const shown = [...this.logs, ...this.cfn.requests.map((r) => r.body)].join('\n');
    for (const secret of [CLIENT_SECRET, PRIVATE_KEY, Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64')]) {
      expect(shown).not.toContain(secret);
    }
    expect(shown).not.toMatch(/Bearer |Digest username/);
    await this.atlas.stop();
    await this.cfn.stop();
  }

  private event(type: string, logicalId: string, requestType: CustomResourceEvent['RequestType'], props: Record<string, unknown>,
    extra: Partial<CustomResourceEvent>): CustomResourceEvent {
    return {
      RequestType: requestType,
      ResponseURL: `${this.cfn.url}/response`,
      StackId: 'arn:aws:cloudformation:us-east-1:111111111111:stack/s/1',
      RequestId: `req-${++this.requestCount}`,
      LogicalResourceId: logicalId,
      ResourceType: type,
      ResourceProperties: { ApiUrl: this.atlas.url, ProjectId: PROJECT_ID, CredentialSecretArn: SECRET_ARN, ...props },
      ...extra,
    };
  }
}
