import { Harness, OTHER_API_SECRET, Outcome, TARGET_SECRET } from './activegate-token-harness';
import { ACTIVEGATE_TOKEN_LIFECYCLE } from './activegate-token.lifecycle';
import { CustomResourceEvent } from '../../../../src/internal/runtime/custom-resource';
import { collapse, LIFECYCLE_EVENTS, LifecycleEvent } from '../../../lifecycle/lifecycle';

const REVOKED = `dt0c01.${'V'.repeat(24)}.${'W'.repeat(64)}`;

let h: Harness;
beforeEach(async () => { h = await Harness.start(); });
afterEach(async () => h.stop());

/** The Lambda has 2.5 s left, of which 0.5 s is kept to answer: the work has 2 s. */
const LAMBDA_REMAINING_MS = 2_500;

const invoke = (e: CustomResourceEvent): Promise<Outcome> =>
  h.run(e, { deps: h.deps({ requestTimeoutMs: 250 }), remainingMs: LAMBDA_REMAINING_MS, reserveMs: 500 });

/** "METHOD path" without the query, with the token ID as {id}. */
const asRow = (call: string) => call.split('?')[0].replace(/^(\w+ \/api\/v2\/activeGateTokens\/)[^/]+$/, '$1{id}');

async function created(): Promise<string> {
  const { answer } = await invoke(h.event('Create'));
  expect(answer.Status).toBe('SUCCESS');
  return answer.PhysicalResourceId;
}

/** Drives the event and checks what the row's "told" says, beyond the calls and the status. */
const scenarios: Record<LifecycleEvent, () => Promise<Outcome>> = {
  'create': async () => {
    const outcome = await invoke(h.event('Create'));
    const [id] = h.dynatrace.activeGateTokens.keys();
    expect(outcome.answer).toMatchObject({ PhysicalResourceId: id, Data: { TokenId: id, ExpirationDate: expect.any(String) } });
    expect(h.stored.get(TARGET_SECRET)).toBe(h.dynatrace.activeGateTokens.get(id)!.token);
    return outcome;
  },
  'create delivered twice': async () => {
    const e = h.event('Create');
    const first = await invoke(e);
    const outcome = await invoke(e);
    expect(outcome.answer.PhysicalResourceId).toBe(first.answer.PhysicalResourceId);
    expect(h.dynatrace.activeGateTokens.size).toBe(1);
    return outcome;
  },
  'update that changes nothing': async () => {
    const id = await created();
    const outcome = await invoke(h.update(id, {}));
    expect(outcome.answer).toMatchObject({ PhysicalResourceId: id, Data: { TokenId: id } });
    expect(h.dynatrace.activeGateTokens.size).toBe(1);
    return outcome;
  },
  'update that changes something': async () => {
    const id = await created();
    const outcome = await invoke(h.update(id, { ApiUrl: `${h.dynatrace.url}/`, TokenSecretArn: OTHER_API_SECRET, TrustedCertificates: [] }));
    expect(outcome.answer.PhysicalResourceId).toBe(id);
    expect(h.dynatrace.activeGateTokens.size).toBe(1);
    return outcome;
  },
  'replacement': async () => {
    const id = await created();
    const outcome = await invoke(h.update(id, { ExpirationDate: 'now+12M' }));
    const newId = outcome.answer.PhysicalResourceId;
    expect(newId).not.toBe(id);
    expect([...h.dynatrace.activeGateTokens.keys()]).toEqual([id, newId]);
    expect(h.stored.get(TARGET_SECRET)).toBe(h.dynatrace.activeGateTokens.get(newId)!.token);
    return outcome;
  },
  'delete': async () => {
    const id = await created();
    const outcome = await invoke(h.event('Delete', { PhysicalResourceId: id }));
    expect(h.dynatrace.activeGateTokens.size).toBe(0);
    return outcome;
  },
  'delete delivered twice': async () => {
    const e = h.event('Delete', { PhysicalResourceId: await created() });
    await invoke(e);
    const outcome = await invoke(e);
    expect(outcome.answer.Reason).toMatch(/^ActiveGate token dt0g02\.\w+ was already gone$/);
    return outcome;
  },
  'delete with a revoked token': async () => {
    const id = await created();
    h.apiToken = REVOKED;
    const outcome = await invoke(h.event('Delete', { PhysicalResourceId: id }));
    expect(outcome.answer.Reason).toMatch(new RegExp(`^left ActiveGate token ${id.replace('.', '\\.')} behind .*HTTP 401.*` +
      `Access tokens page .*DELETE /api/v2/activeGateTokens/${id.replace('.', '\\.')} `));
    expect(h.dynatrace.activeGateTokens.has(id)).toBe(true);
    return outcome;
  },
  'vendor down during delete': async () => {
    const id = await created();
    for (let i = 0; i < 50; i++) h.dynatrace.failures.push({ status: 503, body: { error: { code: 503, message: 'Service unavailable' } } });
    const outcome = await invoke(h.event('Delete', { PhysicalResourceId: id }));
    expect(outcome.answer.Reason).toMatch(/^DELETE .*\/api\/v2\/activeGateTokens\/dt0g02\.\w+ failed.*HTTP 503: Service unavailable/);
    expect(outcome.answer.PhysicalResourceId).toBe(id);
    expect(outcome.ms).toBeLessThan(LAMBDA_REMAINING_MS);
    return outcome;
  },
  'vendor never answering': async () => {
    for (let i = 0; i < 50; i++) h.dynatrace.failures.push({ status: 200, hang: true });
    const outcome = await invoke(h.event('Create'));
    expect(outcome.answer.Reason).toMatch(/^GET .*\/api\/v2\/activeGateTokens failed.*no answer within 250 ms|^gave up after 2 s, before the Lambda timeout/);
    expect(outcome.ms).toBeLessThan(LAMBDA_REMAINING_MS);
    expect(h.dynatrace.activeGateTokens.size).toBe(0);
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
