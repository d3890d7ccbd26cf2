/*
 * Drives the real EdgeConnect provisioner handler (provision) against the EdgeConnect stand-in,
 * a fake Secrets Manager and a CloudFormation stand-in, for the handler's tests and its lifecycle rows.
 */
import {
  ACCESS_TOKEN, EdgeConnectStandIn, FakeSecrets, OAUTH_RESOURCE, PROVISIONER_ARN, PROVISIONER_SECRET, StandInConfiguration, TARGET_ARN,
} from './edge-connect-stand-in';
import type { CustomResourceEvent } from '../../../../src/internal/runtime/custom-resource';
import type { RetryPolicy } from '../../../../src/internal/runtime/http-client';
import { ProvisionerProperties, provision } from '../../../../src/vendors/dynatrace/edgeconnect/edge-connect-provisioner.lambda';
import { LocalServer } from '../../../support/local-server';

export interface HarnessOptions {
  /** The retry policy of every run (a run's own `retry` goes on top). */
  readonly retry?: Partial<RetryPolicy>;
  /** The handler's waits are recorded in `sleeps` and return at once, instead of waiting. */
  readonly recordSleeps?: boolean;
}

export interface RunOptions {
  /** What the Lambda context reports as its remaining time when the invocation starts; it counts down. */
  readonly remainingMs?: number;
  readonly reserveMs?: number;
  readonly retry?: Partial<RetryPolicy>;
  readonly fetchFn?: typeof fetch;
}

export interface RunResult {
  /** The vendor calls of this run, as "METHOD path" with IDs as {id}. */
  readonly calls: string[];
  /** CloudFormation's answer. */
  readonly answer: any;
  readonly elapsedMs: number;
  readonly remainingMs: number;
}

/** The resource properties as CloudFormation sends them: the construct's, and the ServiceToken. */
export type SentProperties = ProvisionerProperties & { readonly ServiceToken: string };

export class Harness {
  public static async start(options: HarnessOptions = {}): Promise<Harness> {
    return new Harness(await EdgeConnectStandIn.start(), await LocalServer.start(() => ({ status: 200 })), options);
  }

  public readonly secrets = new FakeSecrets();
  /** The handler's log lines. */
  public readonly lines: string[] = [];
  /** The handler's waits, when `recordSleeps` is on. */
  public readonly sleeps: number[] = [];

  private constructor(public readonly api: EdgeConnectStandIn, public readonly cfn: LocalServer, private readonly options: HarnessOptions) {}

  public properties(overrides: Partial<ProvisionerProperties> = {}): SentProperties {
    return {
      ServiceToken: 'arn:aws:lambda:fn',
      EdgeConnectsUrl: this.api.apiUrl,
      OAuthEndpoint: this.api.tokenUrl,
      OAuthResource: OAUTH_RESOURCE,
      ProvisionerSecretArn: PROVISIONER_ARN,
      TargetSecretArn: TARGET_ARN,
      Name: 'corporate-network',
      HostPatterns: ['*.corp.example.com'],
      HostMappings: [],
      ...overrides,
    };
  }

  public event(requestType: CustomResourceEvent['RequestType'], extra: Partial<CustomResourceEvent> = {}): CustomResourceEvent {
    return {
      RequestType: requestType,
      ResponseURL: `${this.cfn.url}/cfn-response?X-Amz-Signature=abc`,
      StackId: 'arn:aws:cloudformation:eu-west-1:111111111111:stack/s/1',
      RequestId: 'req-1',
      LogicalResourceId: 'EdgeConnect',
      ResourceType: 'Custom::DynatraceEdgeConnect',
      ResourceProperties: this.properties(),
      ...extra,
    };
  }

  /** An Update of `physicalId` to the default properties with `changes`, from the default properties with `old`. */
  public update(physicalId: string, changes: Partial<ProvisionerProperties> = {}, old: Partial<ProvisionerProperties> = {}): CustomResourceEvent {
    return this.event('Update', { PhysicalResourceId: physicalId, ResourceProperties: this.properties(changes), OldResourceProperties: this.properties(old) });
  }

  /**
   * A configuration made by an earlier Create, its client stored in the target secret over the
   * placeholder (which is then the secret's previous version).
   */
  public existing(hostPatterns = ['*.corp.example.com'], name = 'corporate-network'): StandInConfiguration {
    const { configuration, client } = this.api.seed(name, hostPatterns);
    this.secrets.previous.set(TARGET_ARN, this.secrets.values.get(TARGET_ARN)!);
    this.secrets.values.set(TARGET_ARN, JSON.stringify({
      clientId: client.clientId, clientSecret: client.clientSecret, resource: OAUTH_RESOURCE, edgeConnectId: configuration.id,
    }));
    return configuration;
  }

  /**
   * The end state, in words for the test's output: the client the target secret holds (and
   * whether it exists at the stand-in), and the clients that exist at the stand-in.
   */
  public credentials(): { held: string; live: string[]; text: string } {
    const held = this.secrets.target().clientId ?? 'nothing';
    const live = [...this.api.configurations.values()].map((c) => `${c.oauthClientId} (EdgeConnect ${c.id} "${c.name}")`);
    const holds = held === 'pending' ? 'its placeholder (client ID "pending", no client)'
      : `${held} (${this.api.clients.has(held) ? 'exists' : 'does not exist'} at the stand-in)`;
    return { held, live, text: `the target secret holds ${holds}; clients at the stand-in: ${live.length > 0 ? live.join(', ') : 'none'}` };
  }

  /** Runs the real handler; returns the vendor calls it made and CloudFormation's answer. */
  public async run(e: CustomResourceEvent, options: RunOptions = {}): Promise<RunResult> {
    const from = this.api.requests.length;
    const remainingMs = options.remainingMs ?? 60_000;
    const started = Date.now();
    await provision(e, { getRemainingTimeInMillis: () => remainingMs - (Date.now() - started) }, {
      secrets: this.secrets,
      fetchFn: options.fetchFn,
      log: (line) => this.lines.push(line),
      sleep: this.options.recordSleeps ? async (ms) => { this.sleeps.push(ms); } : undefined,
      reserveMs: options.reserveMs,
      retry: { requestTimeoutMs: 2_000, ...this.options.retry, ...options.retry },
    });
    const answer = this.cfn.requests[this.cfn.requests.length - 1].json;
    return { calls: this.api.calls.slice(from), answer, elapsedMs: Date.now() - started, remainingMs };
  }

  /**
   * `count` configurations and OAuth clients exist; the configuration the answer names is one of
   * them, the target secret holds its client, and the answer is a SUCCESS carrying both IDs.
   */
  public expectClientStored(answer: any, count = 1): StandInConfiguration {
    expect(this.api.configurations.size).toBe(count);
    expect(this.api.clients.size).toBe(count);
    const configuration = this.api.configurations.get(answer.PhysicalResourceId);
    expect(configuration).toBeDefined();
    const client = this.api.clients.get(configuration!.oauthClientId);
    expect(client).toBeDefined();
    expect(this.secrets.target()).toEqual({
      clientId: client!.clientId, clientSecret: client!.clientSecret, resource: OAUTH_RESOURCE, edgeConnectId: configuration!.id,
    });
    expect(answer).toMatchObject({ Status: 'SUCCESS', Data: { EdgeConnectId: configuration!.id, OAuthClientId: client!.clientId } });
    return configuration!;
  }

  /**
   * Nothing that CloudFormation or the logs see holds a secret: the provisioner's, the access
   * token, or any issued client's, of which there must be at least `clients`.
   */
  public expectNoSecretLeaks(clients = 0): void {
    expect(this.api.issued.length).toBeGreaterThanOrEqual(clients);
    const visible = JSON.stringify(this.cfn.requests) + this.lines.join('\n');
    for (const secret of [PROVISIONER_SECRET, ACCESS_TOKEN, ...this.api.issued.map((c) => c.clientSecret)]) {
      expect(visible).not.toContain(secret);
    }
  }

  public async stop(): Promise<void> {
    try {
      this.expectNoSecretLeaks();
    } finally {
      await this.api.stop();
      await this.cfn.stop();
    }
  }
}
