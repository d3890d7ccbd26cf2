import { Harness, OTHER_API_SECRET, Outcome, sdkError, TARGET_SECRET } from './activegate-token-harness';
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

/**
 * What the secret holds at the end and which tokens exist at the stand-in, printed to the test's
 * output (the issue asks to see it) and returned for the test to assert.
 */
function endState(row: string): string {
  const live = [...h.dynatrace.activeGateTokens.keys()];
  const line = `${row}: the secret holds ${h.heldId()}; tokens at the stand-in: ${live.length > 0 ? live.join(', ') : 'none'}`;
  console.log(line);
  return line;
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
  'update rolled back after an in-place update': async () => {
    const id = await created();
    const moved = { ApiUrl: `${h.dynatrace.url}/`, TokenSecretArn: OTHER_API_SECRET };
    expect((await invoke(h.update(id, moved))).answer).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: id });
    // A later resource of the same deploy fails: CloudFormation sends an Update back to the old properties.
    const outcome = await invoke(h.update(id, {}, moved));
    expect(outcome.answer).toMatchObject({ PhysicalResourceId: id, Data: { TokenId: id } });
    expect(endState('update rolled back after an in-place update'))
      .toBe(`update rolled back after an in-place update: the secret holds ${id}; tokens at the stand-in: ${id}`);
    return outcome;
  },
  'update rolled back after a replacement': async () => {
    const a = await created();
    // The README's way to rotate: a new name makes a new token B, written into the secret.
    const rotated = await invoke(h.update(a, { Name: 'vpc-activegate-2' }));
    const b = rotated.answer.PhysicalResourceId;
    expect(b).not.toBe(a);
    expect(h.heldId()).toBe(b);
    // A later resource fails: CloudFormation deletes B (with the new properties) and keeps A, sending nothing to A.
    const outcome = await invoke(h.event('Delete', { PhysicalResourceId: b }, { Name: 'vpc-activegate-2' }));
    expect(outcome.answer).toMatchObject({ PhysicalResourceId: b, Reason: `the secret ${TARGET_SECRET} holds ActiveGate token ${a} again (its previous version), instead of ${b}` });
    expect(h.stored.get(TARGET_SECRET)).toBe(h.dynatrace.activeGateTokens.get(a)!.token);
    expect(endState('update rolled back after a replacement'))
      .toBe(`update rolled back after a replacement: the secret holds ${a}; tokens at the stand-in: ${a}`);
    return outcome;
  },
  'create cancelled': async () => {
    // The create does its work, but CloudFormation stopped waiting for it; then it sends a Delete with an ID of its own.
    const made = (await invoke(h.event('Create'))).answer.PhysicalResourceId;
    const madeUp = 'app-Token-1R2S3T4U5V6W7';
    const outcome = await invoke(h.event('Delete', { PhysicalResourceId: madeUp }));
    expect(outcome.answer.PhysicalResourceId).toBe(madeUp);
    expect(outcome.answer.Reason).toMatch(new RegExp(`^"${madeUp}" is not an ActiveGate token ID \\(CloudFormation made it up for a cancelled create\\): ` +
      `deleted ActiveGate token ${made.replace('.', '\\.')} named "vpc-activegate \\[cdk-[0-9a-f]{10}\\]", which that create made; ` +
      `the secret \\S+ holds no ActiveGate token now \\("no ActiveGate token: ${made.replace('.', '\\.')} was deleted with its resource"\\)`));
    // Nothing of this resource survives, and the secret (which a cancelled replacing create would leave in place) says it holds no token.
    expect(endState('create cancelled')).toBe('create cancelled: the secret holds a value that is not an ActiveGate token; tokens at the stand-in: none');
    return outcome;
  },
  'delete when the vendor\'s host does not resolve': async () => {
    const id = await created();
    // .invalid never resolves (RFC 6761): the tenant is gone.
    const outcome = await invoke(h.event('Delete', { PhysicalResourceId: id }, { ApiUrl: 'https://abc12345.invalid' }));
    expect(outcome.answer.Reason).toMatch(new RegExp(`^left ActiveGate token ${id.replace('.', '\\.')} behind in Dynatrace environment abc12345: ` +
      '.*\\(the vendor\'s host name no longer resolves \\(ENOTFOUND\\).*\\); the resource is deleted, the token is not; delete it by hand'));
    expect(outcome.ms).toBeLessThan(LAMBDA_REMAINING_MS);
    return { ...outcome, calls: outcome.elsewhere };
  },
  'delete when the credential secret is deleted, pending deletion, or its key refuses': async () => {
    const cases: Array<[Error, RegExp]> = [
      [sdkError('ResourceNotFoundException', 'Secrets Manager can\'t find the specified secret.'), /no longer exists in Secrets Manager/],
      [sdkError('InvalidRequestException', 'You can\'t perform this operation on the secret because it was marked for deletion.'), /scheduled for deletion/],
      [sdkError('DecryptionFailure', 'Secrets Manager can\'t decrypt the protected secret text using the provided KMS key.'), /its KMS key refuses/],
      [sdkError('AccessDeniedException', 'Access to KMS is not allowed'), /access to its KMS key is denied/],
    ];
    let outcome: Outcome | undefined;
    for (const [error, why] of cases) {
      const id = await created();
      const e = h.event('Delete', { PhysicalResourceId: id });
      outcome = await h.run(e, { deps: h.deps({ requestTimeoutMs: 250, apiSecretError: error }), remainingMs: LAMBDA_REMAINING_MS, reserveMs: 500 });
      expect(outcome.answer).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: id });
      expect(outcome.answer.Reason).toMatch(new RegExp(`^left ActiveGate token ${id.replace('.', '\\.')} behind in Dynatrace environment abc12345: `));
      expect(outcome.answer.Reason).toMatch(why);
      expect(outcome.calls).toEqual([]);
      expect(h.dynatrace.activeGateTokens.has(id)).toBe(true);
    }
    return outcome!;
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
    // After every row: the target secret holds a token that exists at the stand-in, or no token
    // at all (the value CloudFormation generated): never a token that was deleted.
    const held = h.heldId();
    endState(row.event);
    expect([row.event, held]).not.toEqual([row.event, expect.stringMatching(/not live at the stand-in/)]);
  });
});
