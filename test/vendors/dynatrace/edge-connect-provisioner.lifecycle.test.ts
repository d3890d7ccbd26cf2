import { EDGE_CONNECT_PROVISIONER_LIFECYCLE as BLOCK } from './edge-connect-provisioner.lifecycle';
import {
  ACCESS_TOKEN, API_PATH, EdgeConnectStandIn, FakeSecrets, OAUTH_RESOURCE, PROVISIONER_ARN, PROVISIONER_SECRET,
  StandInConfiguration, TARGET_ARN,
} from './edge-connect-stand-in';
import type { CustomResourceEvent } from '../../../src/internal/runtime/custom-resource';
import type { RetryPolicy } from '../../../src/internal/runtime/http-client';
import { ProvisionerProperties, provision } from '../../../src/vendors/dynatrace/edge-connect-provisioner.lambda';
import { collapse, LIFECYCLE_EVENTS, LifecycleEvent, row } from '../../lifecycle/lifecycle';
import { LocalServer } from '../../support/local-server';

interface Run {
  readonly remainingMs?: number;
  readonly reserveMs?: number;
  readonly retry?: Partial<RetryPolicy>;
}

describe(`${BLOCK.resource} lifecycle`, () => {
  let api: EdgeConnectStandIn;
  let cfn: LocalServer;
  let secrets: FakeSecrets;
  let lines: string[];

  beforeEach(async () => {
    api = await EdgeConnectStandIn.start();
    cfn = await LocalServer.start(() => ({ status: 200 }));
    secrets = new FakeSecrets();
    lines = [];
  });
  afterEach(async () => {
    await api.stop();
    await cfn.stop();
  });

  function properties(overrides: Partial<ProvisionerProperties> = {}): Record<string, any> {
    return {
      ServiceToken: 'arn:aws:lambda:fn',
      EdgeConnectsUrl: api.apiUrl,
      OAuthEndpoint: api.tokenUrl,
      OAuthResource: OAUTH_RESOURCE,
      ProvisionerSecretArn: PROVISIONER_ARN,
      TargetSecretArn: TARGET_ARN,
      Name: 'corporate-network',
      HostPatterns: ['*.corp.example.com'],
      HostMappings: [],
      ...overrides,
    };
  }

  function event(requestType: CustomResourceEvent['RequestType'], extra: Partial<CustomResourceEvent> = {}): CustomResourceEvent {
    return {
      RequestType: requestType,
      ResponseURL: `${cfn.url}/cfn-response?X-Amz-Signature=abc`,
      StackId: 'arn:aws:cloudformation:eu-west-1:111111111111:stack/s/1',
      RequestId: 'req-1',
      LogicalResourceId: 'EdgeConnect',
      ResourceType: 'Custom::DynatraceEdgeConnect',
      ResourceProperties: properties(),
      ...extra,
    };
  }

  /** A configuration an earlier Create made, its client in the target secret. */
  function existing(): StandInConfiguration {
    const { configuration, client } = api.seed('corporate-network');
    secrets.values.set(TARGET_ARN, JSON.stringify({ clientId: client.clientId, clientSecret: client.clientSecret, resource: OAUTH_RESOURCE }));
    return configuration;
  }

  /** Drives the real handler; returns the vendor calls it made and CloudFormation's answer. */
  async function run(e: CustomResourceEvent, options: Run = {}) {
    const from = api.requests.length;
    const remainingMs = options.remainingMs ?? 60_000;
    const started = Date.now();
    await provision(e, { getRemainingTimeInMillis: () => remainingMs - (Date.now() - started) }, {
      secrets,
      log: (line) => lines.push(line),
      reserveMs: options.reserveMs,
      retry: { baseDelayMs: 10, maxDelayMs: 40, requestTimeoutMs: 2_000, ...options.retry },
    });
    const answer = cfn.requests[cfn.requests.length - 1].json;
    return { calls: collapse(api.calls.slice(from)), answer, elapsedMs: Date.now() - started, remainingMs };
  }

  function expectNoSecretLeaks() {
    const visible = JSON.stringify(cfn.requests) + lines.join('\n');
    for (const secret of [PROVISIONER_SECRET, ACCESS_TOKEN, ...api.issued.map((c) => c.clientSecret)]) {
      expect(visible).not.toContain(secret);
    }
  }

  /** Each event, driven against the stand-in; returns the delivery its row describes (the last one). */
  const scenarios: Record<LifecycleEvent, () => Promise<{ calls: string[]; answer: any; elapsedMs: number; remainingMs: number }>> = {
    'create': async () => run(event('Create')),
    'create delivered twice': async () => {
      const first = await run(event('Create'));
      const second = await run(event('Create'));
      expect(second.answer.PhysicalResourceId).toBe(first.answer.PhysicalResourceId);
      return second;
    },
    'update that changes nothing': async () => {
      const { id } = existing();
      return run(event('Update', { PhysicalResourceId: id, OldResourceProperties: properties() }));
    },
    'update that changes something': async () => {
      const { id } = existing();
      return run(event('Update', {
        PhysicalResourceId: id, ResourceProperties: properties({ HostPatterns: ['*.corp.example.com', 'erp'] }), OldResourceProperties: properties(),
      }));
    },
    'replacement': async () => {
      const { id } = existing();
      const result = await run(event('Update', {
        PhysicalResourceId: id, ResourceProperties: properties({ Name: 'corporate-network-v2' }), OldResourceProperties: properties(),
      }));
      expect(result.answer.PhysicalResourceId).not.toBe(id);
      return result;
    },
    'delete': async () => {
      const { id } = existing();
      return run(event('Delete', { PhysicalResourceId: id }));
    },
    'delete delivered twice': async () => {
      const { id } = existing();
      await run(event('Delete', { PhysicalResourceId: id }));
      return run(event('Delete', { PhysicalResourceId: id }));
    },
    'delete with a revoked token': async () => {
      const { id } = existing();
      api.clientRevoked = true;
      return run(event('Delete', { PhysicalResourceId: id }));
    },
    'vendor down during delete': async () => {
      const { id } = existing();
      api.always = { on: `DELETE ${API_PATH}/{id}`, reply: { status: 503, body: { error: { code: 503, message: 'Service Unavailable' } } } };
      const result = await run(event('Delete', { PhysicalResourceId: id }), {
        remainingMs: 1_500, reserveMs: 500, retry: { baseDelayMs: 100, maxDelayMs: 200, maxAttempts: 1_000 },
      });
      // Whether the last retry or the deadline ends it, the log shows the DELETE answered 503 and was retried.
      expect(lines.join('\n')).toMatch(/DELETE \S+\/edge-connects\/6f1c\S+: HTTP 503: Service Unavailable; retry 2\//);
      return result;
    },
    'vendor never answering': async () => {
      api.always = { reply: { status: 200, hang: true } };
      return run(event('Create'), { remainingMs: 1_500, reserveMs: 500, retry: { requestTimeoutMs: 200, maxAttempts: 1_000 } });
    },
  };

  /** The key facts of each row's `told`, as a pattern on the Reason. */
  const reasons: Record<LifecycleEvent, RegExp> = {
    'create': /^OK$/,
    'create delivered twice': /^OK$/,
    'update that changes nothing': /^OK$/,
    'update that changes something': /^OK$/,
    'replacement': /^OK$/,
    'delete': /^deleted EdgeConnect 6f1c\S+ "corporate-network" and its OAuth client$/,
    'delete delivered twice': /^EdgeConnect 6f1c\S+ "corporate-network" was already gone$/,
    'delete with a revoked token': /HTTP 401.*EdgeConnect 6f1c\S+ "corporate-network" and its OAuth client dt0s10\.EC\d+ are left behind\. Remove them by hand: .*EdgeConnect management app.*DELETE http\S+\/edge-connects\/6f1c/,
    'vendor down during delete': /DELETE \S+\/edge-connects\/6f1c\S+ failed: .*HTTP 503: Service Unavailable|before the Lambda timeout/,
    'vendor never answering': /deadline|before the Lambda timeout/,
  };

  test('the block has one row per event, in order', () => {
    expect(BLOCK.rows.map((r) => r.event)).toEqual([...LIFECYCLE_EVENTS]);
  });

  test.each(LIFECYCLE_EVENTS.map((e) => [e]))('%s', async (name) => {
    const expected = row(BLOCK, name);
    const { calls, answer, elapsedMs, remainingMs } = await scenarios[name]();
    expect(calls).toEqual(expected.calls);
    expect(answer.Status).toBe(expected.status);
    expect(answer.Reason).toMatch(reasons[name]);
    expect(elapsedMs).toBeLessThan(remainingMs);
    expectNoSecretLeaks();
    if (expected.status === 'SUCCESS' && !name.startsWith('delete')) {
      // A successful create or update leaves exactly one configuration, its client in the target secret.
      expect(api.configurations.size).toBe(name === 'replacement' ? 2 : 1);
      const ours = api.configurations.get(answer.PhysicalResourceId);
      expect(secrets.target().clientId).toBe(ours?.oauthClientId);
      expect(api.clients.has(ours!.oauthClientId)).toBe(true);
    }
    const leftBehind = ['delete with a revoked token', 'vendor down during delete'].includes(name);
    if (name.startsWith('delete') || name === 'vendor down during delete') {
      expect(api.configurations.size).toBe(leftBehind ? 1 : 0);
    }
  });
});
