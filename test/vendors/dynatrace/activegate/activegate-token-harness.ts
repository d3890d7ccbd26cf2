/*
 * Drives the real ActiveGate token handler (runCustomResource + activeGateTokenWork) against the
 * Dynatrace stand-in, an in-memory Secrets Manager and a CloudFormation stand-in, for the
 * handler's tests and its lifecycle rows.
 */
import { CustomResourceEvent, runCustomResource } from '../../../../src/internal/runtime/custom-resource';
import { SecretsWriter } from '../../../../src/internal/runtime/secrets';
import { activeGateTokenWork, TokenDeps } from '../../../../src/vendors/dynatrace/activegate/activegate-token.lambda';
import { LocalServer } from '../../../support/local-server';
import { API_TOKEN, DynatraceStandIn } from '../dynatrace-stand-in';

export const API_SECRET = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:api-AbCdEf';
/** Holds the same API token as API_SECRET: a rotation to another secret. */
export const OTHER_API_SECRET = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:api-rotated-GhIjKl';
export const TARGET_SECRET = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:activegate-token-XyZ';
export const STACK_ID = 'arn:aws:cloudformation:eu-west-1:111111111111:stack/app/0f1e2d3c-aaaa-bbbb-cccc-000000000001';
/** What CloudFormation generates into a new secret before the handler writes the token. */
export const GENERATED = 'Qx7.generated-password-by-cloudformation';
export const TOKENS = '/api/v2/activeGateTokens';

export const PROPS = {
  TokenSecretArn: API_SECRET,
  EnvironmentId: 'abc12345',
  TargetSecretArn: TARGET_SECRET,
  Name: 'vpc-activegate',
  ActiveGateType: 'ENVIRONMENT',
  ExpirationDate: 'now+6M',
};

export interface DepsOptions {
  readonly writer?: SecretsWriter;
  /** Thrown when the API token's secret is read (an SDK error: deleted, pending deletion, KMS refusal). */
  readonly apiSecretError?: Error;
  readonly requestTimeoutMs?: number;
  /** Answers some calls instead of the stand-in (they are then not in dynatrace.calls). */
  readonly intercept?: (method: string, nth: number) => Response | undefined;
}

export interface InvokeOptions {
  readonly deps?: TokenDeps;
  /** What the Lambda context reports as its remaining time when the invocation starts; it counts down. */
  readonly remainingMs?: number;
  readonly reserveMs?: number;
  /** As the handler's entry sets it (true); false shows what a Delete of a failed create did before. */
  readonly findFailedCreates?: boolean;
}

export interface Outcome {
  /** The calls of this invocation (not those of earlier ones). */
  readonly calls: string[];
  /** The calls of this invocation that were sent to another host than the stand-in (attempts, as "METHOD path"). */
  readonly elsewhere: string[];
  /** CloudFormation's answer. */
  readonly answer: any;
  readonly ms: number;
}

export class Harness {
  public static async start(): Promise<Harness> {
    return new Harness(await DynatraceStandIn.start(), await LocalServer.start(() => ({ status: 200 })));
  }

  public readonly logs: string[] = [];
  /** What the handler wrote to Secrets Manager, by secret ARN (the version labelled AWSCURRENT). */
  public readonly stored = new Map<string, string>();
  /**
   * The version labelled AWSPREVIOUS, by secret ARN: as Secrets Manager does, a write moves the
   * label to the version that was current (CloudFormation's generated value, the first time).
   */
  public readonly previous = new Map<string, string>();
  /** Calls the handler tried to send to other hosts than the stand-in (such as one under .invalid). */
  public readonly elsewhere: string[] = [];
  /** Every API token the API secrets have held, for the leak check. */
  private readonly apiTokens = [API_TOKEN];
  private currentApiToken = API_TOKEN;

  private constructor(public readonly dynatrace: DynatraceStandIn, public readonly cfn: LocalServer) {}

  /** The API token both API secrets hold. */
  public get apiToken(): string {
    return this.currentApiToken;
  }

  public set apiToken(token: string) {
    this.currentApiToken = token;
    this.apiTokens.push(token);
  }

  public deps(options: DepsOptions = {}): TokenDeps {
    const counts = new Map<string, number>();
    const fetchFn: typeof fetch = async (input, init) => {
      const method = init?.method ?? 'GET';
      const nth = (counts.get(method) ?? 0) + 1;
      counts.set(method, nth);
      const url = new URL(String(input instanceof Request ? input.url : input));
      if (url.origin !== new URL(this.dynatrace.url).origin) this.elsewhere.push(`${method} ${url.pathname}${url.search}`);
      return options.intercept?.(method, nth) ?? fetch(input, init);
    };
    return {
      secrets: {
        getSecretString: async (id) => {
          if ((id === API_SECRET || id === OTHER_API_SECRET) && options.apiSecretError) throw options.apiSecretError;
          if (id === API_SECRET || id === OTHER_API_SECRET) return this.apiToken;
          return id === TARGET_SECRET ? this.stored.get(id) ?? GENERATED : undefined;
        },
      },
      writer: options.writer ?? { putSecretString: async (id, value) => this.put(id, value) },
      previous: {
        getPreviousSecretString: async (id) => {
          const value = this.previous.get(id);
          if (value === undefined) {
            throw sdkError('ResourceNotFoundException', 'Secrets Manager can\'t find the specified secret value for staging label: AWSPREVIOUS');
          }
          return value;
        },
      },
      client: { sleep: async () => undefined, random: () => 0.5, fetchFn, retry: { requestTimeoutMs: options.requestTimeoutMs ?? 2_000 } },
    };
  }

  /** PutSecretValue: the new version becomes AWSCURRENT, the one that was becomes AWSPREVIOUS. */
  public put(id: string, value: string): void {
    this.previous.set(id, this.stored.get(id) ?? GENERATED);
    this.stored.set(id, value);
  }

  /** The ID of the token a secret's current version holds (for the tests' output), or what it holds instead. */
  public heldId(id: string = TARGET_SECRET): string {
    const value = this.stored.get(id);
    if (value === undefined) return 'the value CloudFormation generated';
    const tokenId = value.slice(0, value.lastIndexOf('.'));
    if (!/^dt0g\d\d\./.test(tokenId)) return 'a value that is not an ActiveGate token';
    return this.dynatrace.activeGateTokens.get(tokenId)?.token === value ? tokenId : `${tokenId} (not live at the stand-in)`;
  }

  public event(type: CustomResourceEvent['RequestType'], extra: Partial<CustomResourceEvent> = {}, props: Record<string, unknown> = {}): CustomResourceEvent {
    return {
      RequestType: type,
      ResponseURL: `${this.cfn.url}/r`,
      StackId: STACK_ID,
      RequestId: `req-${this.cfn.requests.length + 1}`,
      LogicalResourceId: 'Token',
      ResourceType: 'Custom::DynatraceActiveGateToken',
      ResourceProperties: { ApiUrl: this.dynatrace.url, ...PROPS, ...props },
      ...extra,
    };
  }

  /** An Update of `physicalId` to PROPS and `props`, from PROPS and `old`. */
  public update(physicalId: string, props: Record<string, unknown>, old: Record<string, unknown> = {}): CustomResourceEvent {
    return this.event('Update', {
      PhysicalResourceId: physicalId,
      OldResourceProperties: { ApiUrl: this.dynatrace.url, ...PROPS, ...old },
    }, props);
  }

  /** Runs the handler; returns its calls, CloudFormation's answer and how long it took. */
  public async run(e: CustomResourceEvent, options: InvokeOptions = {}): Promise<Outcome> {
    const first = this.dynatrace.requests.length;
    const firstElsewhere = this.elsewhere.length;
    const deps = options.deps ?? this.deps();
    const remainingMs = options.remainingMs ?? 60_000;
    const started = Date.now();
    await runCustomResource(e, { getRemainingTimeInMillis: () => remainingMs - (Date.now() - started) },
      (ctx) => activeGateTokenWork(ctx, deps),
      {
        log: (l) => this.logs.push(l),
        reserveMs: options.reserveMs,
        sleep: async () => undefined,
        findFailedCreates: options.findFailedCreates ?? true,
      });
    return {
      calls: this.dynatrace.calls.slice(first),
      elsewhere: this.elsewhere.slice(firstElsewhere),
      answer: this.cfn.requests[this.cfn.requests.length - 1].json,
      ms: Date.now() - started,
    };
  }

  /** Runs the handler and returns CloudFormation's answer. */
  public async invoke(e: CustomResourceEvent, deps?: TokenDeps): Promise<any> {
    return (await this.run(e, { deps })).answer;
  }

  public async stop(): Promise<void> {
    // No API token, ActiveGate token value or generated secret value reaches a log line or CloudFormation.
    const seen = [this.logs.join('\n'), ...this.cfn.requests.map((r) => r.body)].join('\n');
    const apiTokenSecrets = this.apiTokens.map((t) => t.split('.')[2]).filter((s) => s);
    const tokens = [...this.dynatrace.activeGateTokens.values()].map((t) => t.token)
      .concat([...this.stored.values(), ...this.previous.values()].filter((v) => v.startsWith('dt0g')));
    try {
      for (const secret of [...apiTokenSecrets, ...tokens, 'G'.repeat(64), GENERATED]) expect(seen).not.toContain(secret);
    } finally {
      await this.dynatrace.stop();
      await this.cfn.stop();
    }
  }
}

/** An error as the AWS SDK throws it: its name is the service's error code. */
export function sdkError(name: string, message: string): Error {
  return Object.assign(new Error(message), { name });
}
