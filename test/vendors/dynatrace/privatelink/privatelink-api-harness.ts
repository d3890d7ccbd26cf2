/*
 * Drives the real PrivateLink API handler (runCustomResource + privateLinkWork) against the
 * Dynatrace stand-in and a CloudFormation stand-in, for the handler's tests and its lifecycle rows.
 */
import { CustomResourceEvent, runCustomResource } from '../../../../src/internal/runtime/custom-resource';
import { SecretsReader } from '../../../../src/internal/runtime/secrets';
import { Deps, privateLinkWork } from '../../../../src/vendors/dynatrace/privatelink/privatelink-api.lambda';
import { LocalServer } from '../../../support/local-server';
import { API_TOKEN, DynatraceStandIn } from '../dynatrace-stand-in';

export const SECRET_ARN = 'arn:aws:secretsmanager:ap-southeast-2:111111111111:secret:dynatrace-api-token-AbCdEf';
export const ENV = 'abc12345';
export const PL = '/api/config/v1/aws/privateLink';
export const ALLOWLIST = `${PL}/allowlistedAccounts`;

export interface InvokeOptions {
  readonly requestTimeoutMs?: number;
  /** What the Lambda context reports as its remaining time. */
  readonly remainingMs?: number;
  readonly reserveMs?: number;
  readonly deps?: Deps;
}

export class Harness {
  public static async start(): Promise<Harness> {
    return new Harness(await DynatraceStandIn.start(), await LocalServer.start(() => ({ status: 200 })));
  }

  public readonly logs: string[] = [];
  public readonly sleeps: number[] = [];
  public token = API_TOKEN;
  /** Thrown by every read of the token's secret, as the SDK throws it (a secret that is gone or refused). */
  public secretError?: Error;
  /** The number of reads of the token's secret. */
  public secretReads = 0;
  private requestCount = 0;

  private constructor(public readonly dynatrace: DynatraceStandIn, public readonly cfn: LocalServer) {}

  public deps(requestTimeoutMs = 2_000): Deps {
    const secrets: SecretsReader = {
      getSecretString: async (id) => {
        this.secretReads++;
        if (this.secretError) throw this.secretError;
        return id === SECRET_ARN ? JSON.stringify({ apiToken: this.token }) : undefined;
      },
    };
    return { secrets, client: { sleep: async (ms) => { this.sleeps.push(ms); }, random: () => 0.5, retry: { requestTimeoutMs } } };
  }

  public event(
    requestType: CustomResourceEvent['RequestType'],
    props: Record<string, unknown>,
    extra: Partial<CustomResourceEvent> = {},
  ): CustomResourceEvent {
    return {
      RequestType: requestType,
      ResponseURL: `${this.cfn.url}/response`,
      StackId: 'arn:aws:cloudformation:ap-southeast-2:111111111111:stack/s/1',
      RequestId: `req-${++this.requestCount}`,
      LogicalResourceId: 'Allowlist',
      ResourceType: 'Custom::DynatracePrivateLink',
      ResourceProperties: {
        ApiUrl: this.dynatrace.url, EnvironmentId: ENV, TokenSecretArn: SECRET_ARN, TokenSecretField: 'apiToken', ...props,
      },
      ...extra,
    };
  }

  /** Runs the handler and returns CloudFormation's answer. */
  public async invoke(e: CustomResourceEvent, options: InvokeOptions = {}): Promise<any> {
    const deps = options.deps ?? this.deps(options.requestTimeoutMs);
    await runCustomResource(e, { getRemainingTimeInMillis: () => options.remainingMs ?? 60_000 },
      (ctx) => privateLinkWork(ctx, deps), { log: (l) => this.logs.push(l), reserveMs: options.reserveMs, sleep: async () => undefined });
    return this.cfn.requests[this.cfn.requests.length - 1].json;
  }

  /** The calls Dynatrace saw since `from`, as "METHOD path" with account IDs as {id}. */
  public callsSince(from: number): string[] {
    return this.dynatrace.calls.slice(from).map((c) => c.split('?')[0].replace(/\/allowlistedAccounts\/[^/]+$/, '/allowlistedAccounts/{id}'));
  }

  public async stop(): Promise<void> {
    // Whatever happened, the token never reached a log line or CloudFormation.
    const secretPart = API_TOKEN.split('.')[2];
    expect(this.logs.join('\n')).not.toContain(secretPart);
    expect(this.cfn.requests.map((r) => r.body).join('\n')).not.toContain(secretPart);
    await this.dynatrace.stop();
    await this.cfn.stop();
  }
}

/** An error as the AWS SDK throws it: its class's name, and the service's message. */
export function awsError(name: string, message: string): Error {
  return Object.assign(new Error(message), { name });
}

/** How Secrets Manager and KMS refuse a secret that is gone or cannot be decrypted (the SDK's names and messages). */
export const UNREADABLE_SECRETS: Array<[string, Error]> = [
  ['deleted', awsError('ResourceNotFoundException', 'Secrets Manager can\'t find the specified secret.')],
  ['pending deletion', awsError('InvalidRequestException', 'You can\'t perform this operation on the secret because it was marked for deletion.')],
  ['its KMS key disabled', awsError('DecryptionFailure', 'Secrets Manager can\'t decrypt the protected secret text using the provided KMS key.')],
  ['its KMS key\'s policy refusing', awsError('AccessDeniedException', 'Access to KMS is not allowed')],
];

/** A Dynatrace URL whose host never resolves (RFC 6761), as a deleted trial tenant's. */
export const GONE_URL = `https://${ENV}.invalid`;

export const allowlist = (accounts = ['111111111111'], extra: Record<string, unknown> = {}) => ({ Operation: 'Allowlist', Accounts: accounts, ...extra });
export const enable = (extra: Record<string, unknown> = {}) => ({ Operation: 'Enable', ...extra });
