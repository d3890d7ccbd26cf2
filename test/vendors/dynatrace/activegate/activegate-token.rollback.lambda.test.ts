/*
 * The ActiveGate token handler when another resource fails (rollbacks, cancelled creates) and
 * when the vendor side is gone: the error paths behind the lifecycle rows of the same names.
 */
import { Harness, sdkError, TARGET_SECRET, TOKENS } from './activegate-token-harness';
import { uniqueName } from '../../../../src/vendors/dynatrace/activegate/activegate-token.lambda';

let h: Harness;
beforeEach(async () => { h = await Harness.start(); });
afterEach(async () => h.stop());

const tokenIds = () => [...h.dynatrace.activeGateTokens.keys()];
const createName = () => uniqueName(h.event('Create'), 'vpc-activegate');
const answer = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
const NEW = { Name: 'vpc-activegate-2' };
const MADE_UP = 'app-Token-1R2S3T4U5V6W7';

/** Creates token A, then rotates it by a new name to token B (held by the secret); returns both IDs. */
async function rotated(): Promise<[string, string]> {
  const a = (await h.invoke(h.event('Create'))).PhysicalResourceId;
  const b = (await h.invoke(h.update(a, NEW))).PhysicalResourceId;
  expect(h.heldId()).toBe(b);
  h.dynatrace.requests.length = 0;
  return [a, b];
}

describe('a rolled back replacement (Delete of the new token, with the new properties)', () => {
  test('a redelivered Delete finds the old token in the secret already, and the new one gone', async () => {
    const [a, b] = await rotated();
    const e = h.event('Delete', { PhysicalResourceId: b }, NEW);
    await h.invoke(e);
    const result = await h.invoke(e);
    expect(result).toMatchObject({ Status: 'SUCCESS', Reason: `ActiveGate token ${b} was already gone` });
    expect(h.heldId()).toBe(a);
    expect(tokenIds()).toEqual([a]);
  });

  test('when the old token was deleted by hand, nothing live can replace the new one: it is deleted, as on a stack delete', async () => {
    const [a, b] = await rotated();
    h.dynatrace.activeGateTokens.delete(a);
    const result = await h.invoke(h.event('Delete', { PhysicalResourceId: b }, NEW));
    expect(result).toMatchObject({ Status: 'SUCCESS', Reason: `the secret ${TARGET_SECRET} holds no ActiveGate token now ("no ActiveGate token: ${b} was deleted with its resource"), instead of the deleted ${b}` });
    expect(h.dynatrace.calls).toEqual([`GET ${TOKENS}?pageSize=100`, `DELETE ${TOKENS}/${b}`]);
    // Neither token is live: the secret says it holds none, rather than holding the deleted B.
    expect(h.heldId()).toBe('a value that is not an ActiveGate token');
  });

  test('when the old token cannot be put back, the new one is kept (the secret holds it), and the Reason says how to delete it later', async () => {
    const [, b] = await rotated();
    const result = await h.invoke(h.event('Delete', { PhysicalResourceId: b }, NEW), h.deps({
      writer: { putSecretString: async () => { throw sdkError('AccessDeniedException', 'User is not authorized to perform secretsmanager:PutSecretValue'); } },
    }));
    expect(result.Status).toBe('SUCCESS');
    expect(result.Reason).toMatch(new RegExp(`^kept ActiveGate token ${b.replace('.', '\\.')}: the secret ${TARGET_SECRET} holds it, and putting back ` +
      'its previous token dt0g02\\.TOKEN001 failed \\(User is not authorized to perform secretsmanager:PutSecretValue\\); once an ActiveGate ' +
      `no longer uses ${b.replace('.', '\\.')}, delete it by hand`));
    expect(h.dynatrace.calls).toEqual([`GET ${TOKENS}?pageSize=100`]);
    expect(h.heldId()).toBe(b);
  });

  test('a previous version that cannot be read fails the delete, which deletes nothing (a retry can act)', async () => {
    const [a, b] = await rotated();
    const d = h.deps();
    const result = await h.invoke(h.event('Delete', { PhysicalResourceId: b }, NEW), {
      ...d, previous: { getPreviousSecretString: async () => { throw sdkError('ThrottlingException', 'Rate exceeded'); } },
    });
    expect(result).toMatchObject({ Status: 'FAILED', PhysicalResourceId: b, Reason: `could not read the previous version of the secret ${TARGET_SECRET}: Rate exceeded` });
    expect(tokenIds()).toEqual([a, b]);
  });
});

describe('delete after a successful rotation, then of the stack', () => {
  test('the cleanup deletes the old token and only it; the stack delete then deletes the new one', async () => {
    const [a, b] = await rotated();
    expect(await h.invoke(h.event('Delete', { PhysicalResourceId: a }))).toMatchObject({ Status: 'SUCCESS', Reason: 'OK' });
    // The secret holds B, not A: the list tells whether B was made by a scheduled rotation of A (it was not).
    expect(h.dynatrace.calls).toEqual([`GET ${TOKENS}?pageSize=100`, `DELETE ${TOKENS}/${a}`]);
    expect(tokenIds()).toEqual([b]);
    expect(await h.invoke(h.event('Delete', { PhysicalResourceId: b }, NEW))).toMatchObject({ Status: 'SUCCESS', Reason: `the secret ${TARGET_SECRET} holds no ActiveGate token now ("no ActiveGate token: ${b} was deleted with its resource"), instead of the deleted ${b}` });
    expect(tokenIds()).toEqual([]);
    expect(h.heldId()).toBe('a value that is not an ActiveGate token');
  });

  /** Creates a token, then deletes it while reading the target secret throws `error`. */
  async function deleteWhileTargetReadFails(error: Error): Promise<{ id: string; result: any }> {
    const id = (await h.invoke(h.event('Create'))).PhysicalResourceId;
    const d = h.deps();
    const result = await h.invoke(h.event('Delete', { PhysicalResourceId: id }), {
      ...d,
      secrets: {
        getSecretString: async (secretId) => {
          if (secretId === TARGET_SECRET) throw error;
          return d.secrets.getSecretString(secretId);
        },
      },
    });
    return { id, result };
  }

  test('a target secret that cannot be decrypted does not stop the delete (nobody can read it)', async () => {
    const { result } = await deleteWhileTargetReadFails(
      sdkError('DecryptionFailure', 'Secrets Manager can\'t decrypt the protected secret text using the provided KMS key.'));
    expect(result).toMatchObject({ Status: 'SUCCESS', Reason: 'OK' });
    expect(tokenIds()).toEqual([]);
  });

  test('a target secret read that is throttled fails the delete', async () => {
    const { id, result } = await deleteWhileTargetReadFails(sdkError('ThrottlingException', 'Rate exceeded'));
    expect(result).toMatchObject({ Status: 'FAILED', PhysicalResourceId: id });
    expect(result.Reason).toBe(`could not read the secret ${TARGET_SECRET} to learn which ActiveGate token it holds: Rate exceeded`);
    expect(tokenIds()).toEqual([id]);
  });
});

describe('a cancelled create (Delete with a physical ID CloudFormation made up)', () => {
  test('every token with the create\'s name is deleted, others are not', async () => {
    h.dynatrace.activeGateTokens.set('dt0g02.OTHER001', { name: 'vpc-activegate', token: `dt0g02.OTHER001.${'G'.repeat(64)}` });
    h.dynatrace.activeGateTokens.set('dt0g02.LOST0001', { name: createName(), token: `dt0g02.LOST0001.${'G'.repeat(64)}` });
    const made = (await h.invoke(h.event('Create'))).PhysicalResourceId;
    h.dynatrace.requests.length = 0;
    const result = await h.invoke(h.event('Delete', { PhysicalResourceId: MADE_UP }));
    expect(result).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: MADE_UP });
    expect(result.Reason).toContain(`: deleted ActiveGate token ${made} named "${createName()}", which that create made`);
    expect(tokenIds()).toEqual(['dt0g02.OTHER001']);
  });

  test('a listed token of our name whose ID is not of a token ID\'s form gets no call', async () => {
    h.dynatrace.activeGateTokens.set('dt0g02.X/../../v1/other', { name: createName(), token: 'irrelevant' });
    const result = await h.invoke(h.event('Delete', { PhysicalResourceId: MADE_UP }));
    expect(result.Reason).toBe(`nothing to delete: "${MADE_UP}" is not an ActiveGate token ID, and no token named "${createName()}" exists`);
    expect(h.dynatrace.calls).toEqual([`GET ${TOKENS}?pageSize=100`]);
  });

  test('the vendor down fails the delete, keeping the physical ID; a retried delete cleans up', async () => {
    await h.invoke(h.event('Create'));
    for (let i = 0; i < 6; i++) h.dynatrace.failures.push({ status: 503, body: { error: { code: 503, message: 'Service unavailable' } } });
    const e = h.event('Delete', { PhysicalResourceId: MADE_UP });
    const failed = await h.invoke(e);
    expect(failed).toMatchObject({ Status: 'FAILED', PhysicalResourceId: MADE_UP });
    expect(failed.Reason).toMatch(/^GET .*\/api\/v2\/activeGateTokens failed .*HTTP 503: Service unavailable$/);
    expect(tokenIds()).toHaveLength(1);
    expect(await h.invoke(e)).toMatchObject({ Status: 'SUCCESS' });
    expect(tokenIds()).toEqual([]);
  });

  test('a host that does not resolve: SUCCESS, naming the name to look for', async () => {
    const result = await h.invoke(h.event('Delete', { PhysicalResourceId: MADE_UP }, { ApiUrl: 'https://abc12345.invalid' }));
    expect(result.Status).toBe('SUCCESS');
    expect(result.Reason).toMatch(new RegExp('^left any ActiveGate token named "vpc-activegate \\[cdk-[0-9a-f]{10}\\]" \\(made by a create CloudFormation ' +
      'stopped waiting for\\) behind in Dynatrace environment abc12345: .*ENOTFOUND.*; the resource is deleted, the token is not; delete it by hand .*' +
      'DELETE /api/v2/activeGateTokens/\\{id\\}'));
    expect(h.elsewhere.length).toBeGreaterThan(1);
    expect(h.elsewhere.every((c) => c === `GET ${TOKENS}?pageSize=100`)).toBe(true);
  });

  test('a revoked API token: SUCCESS, naming what is left', async () => {
    await h.invoke(h.event('Create'));
    h.apiToken = `dt0c01.${'V'.repeat(24)}.${'W'.repeat(64)}`;
    const result = await h.invoke(h.event('Delete', { PhysicalResourceId: MADE_UP }));
    expect(result.Status).toBe('SUCCESS');
    expect(result.Reason).toMatch(/^left any ActiveGate token named .* HTTP 401.*refused the credential \(HTTP 401\)/);
    expect(tokenIds()).toHaveLength(1);
  });
});

describe('deletes over a vendor side that is gone', () => {
  test('throttling throughout still fails, after the bounded retries', async () => {
    const id = (await h.invoke(h.event('Create'))).PhysicalResourceId;
    for (let i = 0; i < 50; i++) h.dynatrace.failures.push({ status: 429, body: { error: { code: 429, message: 'Too many requests' } } });
    const result = await h.invoke(h.event('Delete', { PhysicalResourceId: id }));
    expect(result).toMatchObject({ Status: 'FAILED', PhysicalResourceId: id });
    expect(result.Reason).toMatch(/HTTP 429/);
  });

  test('an API token secret read that is throttled still fails', async () => {
    const id = (await h.invoke(h.event('Create'))).PhysicalResourceId;
    const result = await h.invoke(h.event('Delete', { PhysicalResourceId: id }), h.deps({ apiSecretError: sdkError('ThrottlingException', 'Rate exceeded') }));
    expect(result).toMatchObject({ Status: 'FAILED', PhysicalResourceId: id });
    expect(result.Reason).toMatch(/Rate exceeded$/);
    expect(tokenIds()).toEqual([id]);
  });
});

describe('IDs from Dynatrace are checked before use', () => {
  test('a POST answering an ID of another form fails the create without a call made with it, and without quoting it', async () => {
    const odd = 'dt0g02.ABC/../../v1/x';
    const result = await h.invoke(h.event('Create'), h.deps({
      intercept: (method) => (method === 'POST' ? answer(201, { id: odd, token: `${odd}.${'G'.repeat(64)}` }) : undefined),
    }));
    expect(result.Status).toBe('FAILED');
    expect(result.Reason).toMatch(new RegExp(`^POST ${TOKENS} answered HTTP 201 with a token ID of ${odd.length} characters that is not of the form dt0g02\\.XXXXXXXX`));
    expect(result.Reason).not.toContain(odd);
    expect(h.dynatrace.calls).toEqual([`GET ${TOKENS}?pageSize=100`]);
    expect(h.stored.has(TARGET_SECRET)).toBe(false);
  });
});

describe('the secret after its token is deleted with nothing live to put back', () => {
  test('it is told it holds no token only after the delete succeeded: Dynatrace down leaves it holding the live token', async () => {
    const id = (await h.invoke(h.event('Create'))).PhysicalResourceId;
    for (let i = 0; i < 10; i++) h.dynatrace.failures.push({ status: 503, body: { error: { code: 503, message: 'Service unavailable' } } });
    const result = await h.invoke(h.event('Delete', { PhysicalResourceId: id }));
    expect(result.Status).toBe('FAILED');
    expect(h.heldId()).toBe(id);
    expect(tokenIds()).toEqual([id]);
  });

  test('when that write fails, the Reason says the secret still holds the deleted token', async () => {
    const id = (await h.invoke(h.event('Create'))).PhysicalResourceId;
    const d = h.deps();
    const result = await h.invoke(h.event('Delete', { PhysicalResourceId: id }), {
      ...d,
      writer: { putSecretString: async () => { throw sdkError('ThrottlingException', 'Rate exceeded'); } },
    });
    expect(result).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: id });
    expect(result.Reason).toBe(`the secret ${TARGET_SECRET} still holds the deleted ActiveGate token ${id}: writing a value that holds no token ` +
      'failed (Rate exceeded); put one there by hand');
    expect(tokenIds()).toEqual([]);
  });
});
