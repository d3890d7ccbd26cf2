import { ACTIVEGATE_TOKEN_LIFECYCLE } from './activegate-token.lifecycle';
import { API_TOKEN, DynatraceStandIn } from './dynatrace-stand-in';
import { CustomResourceEvent, runCustomResource } from '../../../src/internal/runtime/custom-resource';
import { activeGateTokenWork, TokenDeps } from '../../../src/vendors/dynatrace/activegate-token.lambda';
import { collapse, LIFECYCLE_EVENTS, LifecycleEvent } from '../../lifecycle/lifecycle';
import { LocalServer } from '../../support/local-server';

const API_SECRET = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:api-AbCdEf';
const ROTATED_API_SECRET = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:api-rotated-GhIjKl';
const TARGET_SECRET = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:activegate-token-XyZ';
const GENERATED = 'Qx7.generated-password-by-cloudformation';
const REVOKED = `dt0c01.${'V'.repeat(24)}.${'W'.repeat(64)}`;

let dynatrace: DynatraceStandIn;
let cfn: LocalServer;
let logs: string[];
let stored: Map<string, string>;
let apiToken: string;

beforeEach(async () => {
  dynatrace = await DynatraceStandIn.start();
  cfn = await LocalServer.start(() => ({ status: 200 }));
  logs = [];
  stored = new Map();
  apiToken = API_TOKEN;
});

afterEach(async () => {
  const seen = [logs.join('\n'), ...cfn.requests.map((r) => r.body)].join('\n');
  for (const secret of [API_TOKEN.split('.')[2], REVOKED.split('.')[2], 'G'.repeat(64), GENERATED]) expect(seen).not.toContain(secret);
  await dynatrace.stop();
  await cfn.stop();
});

const deps = (): TokenDeps => ({
  secrets: {
    getSecretString: async (id) => {
      if (id === API_SECRET || id === ROTATED_API_SECRET) return apiToken;
      return id === TARGET_SECRET ? stored.get(id) ?? GENERATED : undefined;
    },
  },
  writer: { putSecretString: async (id, value) => { stored.set(id, value); } },
  client: { sleep: async () => undefined, random: () => 0.5, retry: { requestTimeoutMs: 250 } },
});

const PROPS = {
  TokenSecretArn: API_SECRET,
  EnvironmentId: 'abc12345',
  TargetSecretArn: TARGET_SECRET,
  Name: 'vpc-activegate',
  ActiveGateType: 'ENVIRONMENT',
  ExpirationDate: 'now+6M',
};

function event(type: CustomResourceEvent['RequestType'], extra: Partial<CustomResourceEvent> = {}, props: Record<string, unknown> = {}): CustomResourceEvent {
  return {
    RequestType: type,
    ResponseURL: `${cfn.url}/r`,
    StackId: 'arn:aws:cloudformation:eu-west-1:111111111111:stack/app/0f1e2d3c-aaaa-bbbb-cccc-000000000001',
    RequestId: `req-${cfn.requests.length + 1}`,
    LogicalResourceId: 'Token',
    ResourceType: 'Custom::DynatraceActiveGateToken',
    ResourceProperties: { ApiUrl: dynatrace.url, ...PROPS, ...props },
    ...extra,
  };
}

function update(physicalId: string, props: Record<string, unknown>): CustomResourceEvent {
  return event('Update', { PhysicalResourceId: physicalId, OldResourceProperties: { ApiUrl: dynatrace.url, ...PROPS } }, props);
}

/** The Lambda has 2.5 s left, of which 0.5 s is kept to answer: the work has 2 s. */
const LAMBDA_REMAINING_MS = 2_500;

interface Outcome {
  /** The calls of the event under test (not those of its set-up). */
  readonly calls: string[];
  readonly answer: any;
  readonly ms: number;
}

async function invoke(e: CustomResourceEvent): Promise<Outcome> {
  const first = dynatrace.requests.length;
  const started = Date.now();
  await runCustomResource(e, { getRemainingTimeInMillis: () => LAMBDA_REMAINING_MS - (Date.now() - started) },
    (ctx) => activeGateTokenWork(ctx, deps()), { log: (l) => logs.push(l), reserveMs: 500, sleep: async () => undefined });
  return { calls: dynatrace.calls.slice(first), answer: cfn.requests[cfn.requests.length - 1].json, ms: Date.now() - started };
}

/** "METHOD path" without the query, with the token ID as {id}. */
const asRow = (call: string) => call.split('?')[0].replace(/^(\w+ \/api\/v2\/activeGateTokens\/)[^/]+$/, '$1{id}');

async function created(): Promise<string> {
  const { answer } = await invoke(event('Create'));
  expect(answer.Status).toBe('SUCCESS');
  return answer.PhysicalResourceId;
}

/** Drives the event and checks what the row's "told" says, beyond the calls and the status. */
const scenarios: Record<LifecycleEvent, () => Promise<Outcome>> = {
  'create': async () => {
    const outcome = await invoke(event('Create'));
    const [id] = dynatrace.activeGateTokens.keys();
    expect(outcome.answer).toMatchObject({ PhysicalResourceId: id, Data: { TokenId: id, ExpirationDate: expect.any(String) } });
    expect(stored.get(TARGET_SECRET)).toBe(dynatrace.activeGateTokens.get(id)!.token);
    return outcome;
  },
  'create delivered twice': async () => {
    const e = event('Create');
    const first = await invoke(e);
    const outcome = await invoke(e);
    expect(outcome.answer.PhysicalResourceId).toBe(first.answer.PhysicalResourceId);
    expect(dynatrace.activeGateTokens.size).toBe(1);
    return outcome;
  },
  'update that changes nothing': async () => {
    const id = await created();
    const outcome = await invoke(update(id, {}));
    expect(outcome.answer).toMatchObject({ PhysicalResourceId: id, Data: { TokenId: id } });
    expect(dynatrace.activeGateTokens.size).toBe(1);
    return outcome;
  },
  'update that changes something': async () => {
    const id = await created();
    const outcome = await invoke(update(id, { ApiUrl: `${dynatrace.url}/`, TokenSecretArn: ROTATED_API_SECRET, TrustedCertificates: [] }));
    expect(outcome.answer.PhysicalResourceId).toBe(id);
    expect(dynatrace.activeGateTokens.size).toBe(1);
    return outcome;
  },
  'replacement': async () => {
    const id = await created();
    const outcome = await invoke(update(id, { ExpirationDate: 'now+12M' }));
    const newId = outcome.answer.PhysicalResourceId;
    expect(newId).not.toBe(id);
    expect([...dynatrace.activeGateTokens.keys()]).toEqual([id, newId]);
    expect(stored.get(TARGET_SECRET)).toBe(dynatrace.activeGateTokens.get(newId)!.token);
    return outcome;
  },
  'delete': async () => {
    const id = await created();
    const outcome = await invoke(event('Delete', { PhysicalResourceId: id }));
    expect(dynatrace.activeGateTokens.size).toBe(0);
    return outcome;
  },
  'delete delivered twice': async () => {
    const e = event('Delete', { PhysicalResourceId: await created() });
    await invoke(e);
    const outcome = await invoke(e);
    expect(outcome.answer.Reason).toMatch(/^ActiveGate token dt0g02\.\w+ was already gone$/);
    return outcome;
  },
  'delete with a revoked token': async () => {
    const id = await created();
    apiToken = REVOKED;
    const outcome = await invoke(event('Delete', { PhysicalResourceId: id }));
    expect(outcome.answer.Reason).toMatch(new RegExp(`^left ActiveGate token ${id.replace('.', '\\.')} behind .*HTTP 401.*` +
      `Access tokens page .*DELETE /api/v2/activeGateTokens/${id.replace('.', '\\.')} `));
    expect(dynatrace.activeGateTokens.has(id)).toBe(true);
    return outcome;
  },
  'vendor down during delete': async () => {
    const id = await created();
    for (let i = 0; i < 50; i++) dynatrace.failures.push({ status: 503, body: { error: { code: 503, message: 'Service unavailable' } } });
    const outcome = await invoke(event('Delete', { PhysicalResourceId: id }));
    expect(outcome.answer.Reason).toMatch(/^DELETE .*\/api\/v2\/activeGateTokens\/dt0g02\.\w+ failed.*HTTP 503: Service unavailable/);
    expect(outcome.answer.PhysicalResourceId).toBe(id);
    expect(outcome.ms).toBeLessThan(LAMBDA_REMAINING_MS);
    return outcome;
  },
  'vendor never answering': async () => {
    for (let i = 0; i < 50; i++) dynatrace.failures.push({ status: 200, hang: true });
    const outcome = await invoke(event('Create'));
    expect(outcome.answer.Reason).toMatch(/^GET .*\/api\/v2\/activeGateTokens failed.*no answer within 250 ms|^gave up after 2 s, before the Lambda timeout/);
    expect(outcome.ms).toBeLessThan(LAMBDA_REMAINING_MS);
    expect(dynatrace.activeGateTokens.size).toBe(0);
    return outcome;
  },
};

test('the block has one row per lifecycle event, in order', () => {
  expect(ACTIVEGATE_TOKEN_LIFECYCLE.rows.map((r) => r.event)).toEqual([...LIFECYCLE_EVENTS]);
});

describe(`${ACTIVEGATE_TOKEN_LIFECYCLE.resource} lifecycle`, () => {
  test.each(ACTIVEGATE_TOKEN_LIFECYCLE.rows.map((r) => [r.event, r] as const))('%s', async (_, row) => {
    const outcome = await scenarios[row.event]();
    expect(collapse(outcome.calls.map(asRow))).toEqual(row.calls);
    expect(outcome.answer.Status).toBe(row.status);
  });
});
