/*
 * A Secrets Manager rotation of an ActiveGate token, end to end: the custom resource creates token
 * A (the real handler, against the Dynatrace stand-in), then the rotation function runs the four
 * steps against the same stand-in and a fake Secrets Manager that stages versions.
 */
import { Harness, PROPS, STACK_ID, TARGET_SECRET, TOKENS, sdkError } from './activegate-token-harness';
import { RecordedMetrics, StagingSecret } from './rotation-fakes';
import {
  handleRotation, RotationConfig, RotationDeps, rotationName, rotatedFrom, rotationDescendants,
} from '../../../../src/vendors/dynatrace/activegate/token-rotation';
import { EXPIRATION_DATE } from '../dynatrace-stand-in';

const NOW = Date.parse('2027-04-21T10:00:00.000Z'); // 30 days before the stand-in's expiry date
const STEPS = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const;

let h: Harness;
let secret: StagingSecret;
let metrics: RecordedMetrics;
beforeEach(async () => { h = await Harness.start(); });
afterEach(async () => h.stop());

const tokenIds = () => [...h.dynatrace.activeGateTokens.keys()];
const nameOf = (id: string) => h.dynatrace.activeGateTokens.get(id)?.name;
const idOf = (value: string | undefined) => value?.slice(0, value.lastIndexOf('.'));

function config(extra: Partial<RotationConfig> = {}): RotationConfig {
  return { ApiUrl: h.dynatrace.url, ...PROPS, StackId: STACK_ID, LogicalResourceId: 'Token', ...extra };
}

function deps(extra: Partial<RotationDeps> = {}, intercept?: (method: string, nth: number) => Response | undefined): RotationDeps {
  return { ...h.deps({ intercept }), rotation: secret, metrics, log: (l) => h.logs.push(l), now: () => NOW, ...extra };
}

/** The custom resource's Create: token A, in the secret. */
async function created(): Promise<string> {
  const answer = await h.invoke(h.event('Create'));
  expect(answer.Status).toBe('SUCCESS');
  secret = new StagingSecret(TARGET_SECRET, h.stored.get(TARGET_SECRET)!);
  metrics = new RecordedMetrics();
  return answer.PhysicalResourceId;
}

const step = (version: string, s: typeof STEPS[number], c = config(), d = deps()) =>
  handleRotation({ SecretId: TARGET_SECRET, ClientRequestToken: version, Step: s }, 60_000, c, d);

/** RotateSecret: stages the version, then the four steps, as Secrets Manager calls them. */
async function rotate(version: string, c = config()): Promise<string[]> {
  secret.startRotation(version);
  const out: string[] = [];
  for (const s of STEPS) out.push(await step(version, s, c));
  // What the custom resource's handler then reads (its own fake reads these maps).
  h.put(TARGET_SECRET, secret.at('AWSCURRENT')!);
  return out;
}

describe('a scheduled rotation, end to end', () => {
  test('create, stage, promote: the new token is current, the old one is AWSPREVIOUS and stays valid until it expires', async () => {
    const a = await created();
    const first = h.dynatrace.calls.length;
    const summaries = await rotate('v1');
    const b = idOf(secret.at('AWSCURRENT'))!;
    expect(b).not.toBe(a);
    expect(idOf(secret.at('AWSPREVIOUS'))).toBe(a);
    expect(secret.byVersion.get('v1')!.stages.sort()).toEqual(['AWSCURRENT', 'AWSPENDING']);
    expect(tokenIds()).toEqual([a, b]); // A kept: an ActiveGate that has not re-read the secret keeps its connection
    expect(nameOf(b)).toBe(rotationName(config(), a));
    expect(rotatedFrom(nameOf(b)!, STACK_ID, 'Token')).toBe(a);
    expect(rotatedFrom(nameOf(b)!, STACK_ID, 'OtherToken')).toBeUndefined();
    expect(h.dynatrace.calls.slice(first).map((c) => c.split('?')[0])).toEqual([
      `GET ${TOKENS}`, `POST ${TOKENS}`, // createSecret
      `GET ${TOKENS}`, // testSecret
      `GET ${TOKENS}`, // finishSecret: the new token's expiry
    ]);
    expect(summaries[0]).toMatch(new RegExp(`^createSecret: created ActiveGate token ${b.replace('.', '\\.')} .*stored as version v1 \\(AWSPENDING\\)$`));
    expect(summaries[3]).toBe(`finishSecret: ActiveGate token ${b} is current (30 days to expiry); the replaced token ${a} stays valid until it expires`);
    const expected = Math.floor((Date.parse(EXPIRATION_DATE) - NOW) / 86_400_000);
    expect(metrics.published).toEqual([{ secret: TARGET_SECRET, days: expected }]);
  });

  test('with deleteReplacedTokens, finishSecret deletes the replaced token', async () => {
    const a = await created();
    const summaries = await rotate('v1', config({ DeleteReplaced: 'true' }));
    const b = idOf(secret.at('AWSCURRENT'))!;
    expect(tokenIds()).toEqual([b]);
    expect(summaries[3]).toContain(`deleted the replaced token ${a} (deleteReplacedTokens)`);
  });

  test('a deleteReplacedTokens delete that fails fails the step, after the new token is current (the alarm tells)', async () => {
    const a = await created();
    secret.startRotation('v1');
    for (const s of STEPS.slice(0, 3)) await step('v1', s);
    const d = deps({}, (method) => (method === 'DELETE' ? new Response('{}', { status: 400 }) : undefined));
    await expect(step('v1', 'finishSecret', config({ DeleteReplaced: 'true' }), d)).rejects.toThrow(
      new RegExp(`^finishSecret: the new token dt0g02\\.TOKEN002 is current, but deleting the replaced token ${a.replace('.', '\\.')} failed .*delete it by hand`));
    expect(idOf(secret.at('AWSCURRENT'))).toBe('dt0g02.TOKEN002');
    // Secrets Manager's retry of the step finds it done.
    await expect(step('v1', 'finishSecret', config({ DeleteReplaced: 'true' }))).resolves.toBe('finishSecret: version v1 is already AWSCURRENT: nothing to do');
  });

  test('a second rotation starts from the first one\'s token; the stack delete deletes every token this resource made', async () => {
    const a = await created();
    await rotate('v1');
    const b = idOf(secret.at('AWSCURRENT'))!;
    await rotate('v2');
    const c = idOf(secret.at('AWSCURRENT'))!;
    expect(nameOf(c)).toBe(rotationName(config(), b));
    expect(rotationDescendants([...h.dynatrace.activeGateTokens].map(([id, t]) => ({ id, name: t.name })), a, STACK_ID, 'Token')).toEqual([b, c]);
    // An update that changes nothing keeps the physical ID: the secret holds a token rotated from it.
    const update = await h.invoke(h.update(a, {}));
    expect(update).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: a });
    expect(tokenIds()).toEqual([a, b, c]);
    const deleted = await h.invoke(h.event('Delete', { PhysicalResourceId: a }));
    expect(deleted).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: a });
    expect(deleted.Reason).toBe(`deleted ActiveGate token ${b}, ${c}, which the scheduled rotation made from ${a}; ` + `the secret ${TARGET_SECRET} holds no ActiveGate token now ("no ActiveGate token: ${c} was deleted with its resource"), instead of the deleted ${c}`);
    expect(tokenIds()).toEqual([]);
    expect(h.heldId()).toBe('a value that is not an ActiveGate token');
  });

  test('a rotation of another resource of the same stack is not this resource\'s: its stack delete leaves it', async () => {
    const a = await created();
    await rotate('v1', config({ LogicalResourceId: 'OtherToken' }));
    const b = idOf(secret.at('AWSCURRENT'))!;
    const deleted = await h.invoke(h.event('Delete', { PhysicalResourceId: a }));
    expect(deleted).toMatchObject({ Status: 'SUCCESS', Reason: 'OK' });
    expect(tokenIds()).toEqual([b]);
  });
});

describe('retried and failing steps', () => {
  test('a second createSecret for the same ClientRequestToken keeps the pending token: no second POST', async () => {
    await created();
    secret.startRotation('v1');
    await step('v1', 'createSecret');
    const posts = () => h.dynatrace.calls.filter((c) => c.startsWith('POST')).length;
    const before = posts();
    await expect(step('v1', 'createSecret')).resolves.toBe('createSecret: version v1 already holds ActiveGate token dt0g02.TOKEN002: kept');
    expect(posts()).toBe(before);
    expect(tokenIds()).toHaveLength(2);
  });

  test('a POST that made a token and answered 503 fails the step; the retry deletes that token and makes one pending token', async () => {
    const a = await created();
    secret.startRotation('v1');
    h.dynatrace.afterCreate.push({ status: 503, body: { error: { code: 503, message: 'Service unavailable' } } });
    await expect(step('v1', 'createSecret')).rejects.toThrow(/^createSecret: could not create ActiveGate token ".*": POST http:\/\/127\.0\.0\.1:\d+\/api\/v2\/activeGateTokens answered HTTP 503 .*the request may have been carried out; the next attempt deletes what it may have made/);
    expect(tokenIds()).toEqual([a, 'dt0g02.TOKEN002']); // made, but its value is lost
    expect(secret.at('AWSPENDING')).toBeUndefined();
    await step('v1', 'createSecret');
    expect(tokenIds()).toEqual([a, 'dt0g02.TOKEN003']);
    expect(idOf(secret.at('AWSPENDING'))).toBe('dt0g02.TOKEN003');
    expect(h.logs.join('\n')).toContain('deleted ActiveGate token dt0g02.TOKEN002');
  });

  test('Dynatrace throttling (429) on every attempt fails the step with no token made; the retry succeeds', async () => {
    const a = await created();
    secret.startRotation('v1');
    const throttled = deps({}, (method) => (method === 'POST' ? new Response('{}', { status: 429 }) : undefined));
    await expect(step('v1', 'createSecret', config(), throttled)).rejects.toThrow(/^createSecret: could not create ActiveGate token .*429/);
    expect(tokenIds()).toEqual([a]);
    await step('v1', 'createSecret');
    expect(tokenIds()).toEqual([a, 'dt0g02.TOKEN002']);
  });

  test('a pending version that cannot be stored deletes the new token again', async () => {
    const a = await created();
    secret.startRotation('v1');
    secret.failNext = { call: 'putPending', error: sdkError('InternalServiceError', 'Internal error') };
    await expect(step('v1', 'createSecret')).rejects.toThrow(/could not store ActiveGate token dt0g02\.TOKEN002 as AWSPENDING .*Internal error; the token dt0g02\.TOKEN002 was deleted again/);
    expect(tokenIds()).toEqual([a]);
  });

  test('testSecret fails when the pending token is not in the token list', async () => {
    await created();
    secret.startRotation('v1');
    await step('v1', 'createSecret');
    h.dynatrace.activeGateTokens.delete('dt0g02.TOKEN002');
    await expect(step('v1', 'testSecret')).rejects.toThrow('testSecret: ActiveGate token dt0g02.TOKEN002 of version v1 is not in the environment\'s token list');
  });

  test('a version that is not AWSPENDING, another secret, or a secret without a token is refused', async () => {
    await created();
    await expect(step('nope', 'createSecret')).rejects.toThrow('createSecret: version nope of');
    await expect(handleRotation({ SecretId: 'arn:other', ClientRequestToken: 'v1', Step: 'createSecret' }, 60_000, config(), deps()))
      .rejects.toThrow(`this function rotates the ActiveGate token in ${TARGET_SECRET} only, not arn:other`);
    secret = new StagingSecret(TARGET_SECRET, 'not-a-token');
    secret.startRotation('v1');
    await expect(step('v1', 'createSecret', config(), deps())).rejects.toThrow('holds no ActiveGate token');
  });
});

describe('the scheduled expiry check', () => {
  const scheduled = { 'detail-type': 'Scheduled Event', 'source': 'aws.events' };

  test('publishes the days until the token the secret holds expires', async () => {
    const a = await created();
    const summary = await handleRotation(scheduled, 60_000, config(), deps());
    expect(summary).toBe(`check: the secret ${TARGET_SECRET} holds ActiveGate token ${a}; DaysToExpiry 30`);
    expect(metrics.published).toEqual([{ secret: TARGET_SECRET, days: 30 }]);
  });

  test('publishes 0 when the token the secret holds is no longer live', async () => {
    const a = await created();
    h.dynatrace.activeGateTokens.delete(a);
    await handleRotation(scheduled, 60_000, config(), deps());
    expect(metrics.published).toEqual([{ secret: TARGET_SECRET, days: 0 }]);
    expect(h.logs.join('\n')).toContain(`ActiveGate token ${a}, which the secret ${TARGET_SECRET} holds, is not in the environment's token list`);
  });

  test('a Dynatrace that does not answer fails the check (the function\'s Errors alarm), publishing nothing', async () => {
    await created();
    const down = deps({}, () => new Response('{}', { status: 500 }));
    await expect(handleRotation(scheduled, 60_000, config(), down)).rejects.toThrow(/^GET http:\/\/127\.0\.0\.1:\d+\/api\/v2\/activeGateTokens failed with HTTP 500/);
    expect(metrics.published).toEqual([]);
  });

  test('an event that is neither a step nor a schedule is refused', async () => {
    await created();
    await expect(handleRotation({ RequestType: 'Create' }, 60_000, config(), deps())).rejects.toThrow('not a Secrets Manager rotation step nor a scheduled check');
  });
});

describe('the bundle\'s entry', () => {
  test('the custom resource\'s function (no ROTATION_CONFIG) refuses a rotation step and a schedule instead of treating them as CloudFormation events', async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { handler } = require('../../../../src/vendors/dynatrace/activegate/activegate-token.lambda');
    const context = { getRemainingTimeInMillis: () => 60_000 };
    for (const event of [{ SecretId: TARGET_SECRET, ClientRequestToken: 'v1', Step: 'createSecret' }, { 'detail-type': 'Scheduled Event' }]) {
      await expect(handler(event, context)).rejects.toThrow('this function handles CloudFormation\'s events only; rotation runs in a function with ROTATION_CONFIG set');
    }
  });
});
