import { Harness, OTHER_API_SECRET, STACK_ID, TARGET_SECRET, TOKENS } from './activegate-token-harness';
import { TokenDeps, uniqueName } from '../../../../src/vendors/dynatrace/activegate/activegate-token.lambda';
import { Reply } from '../../../support/local-server';
import { EXPIRATION_DATE, READ_ONLY_TOKEN } from '../dynatrace-stand-in';

let h: Harness;
beforeEach(async () => { h = await Harness.start(); });
afterEach(async () => h.stop());

const tokenIds = () => [...h.dynatrace.activeGateTokens.keys()];
const only = () => {
  expect(h.dynatrace.activeGateTokens.size).toBe(1);
  return tokenIds()[0];
};
const createName = () => uniqueName(h.event('Create'), 'vpc-activegate');
const answer = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

describe('create', () => {
  test('looks for its name, posts the token request, stores the token in the secret, and returns only its ID', async () => {
    const result = await h.invoke(h.event('Create'));
    expect(h.dynatrace.calls).toEqual([`GET ${TOKENS}?pageSize=100`, `POST ${TOKENS}`]);
    expect(h.dynatrace.requests[1].json).toEqual({ name: createName(), activeGateType: 'ENVIRONMENT', seedToken: false, expirationDate: 'now+6M' });
    const id = only();
    expect(h.stored.get(TARGET_SECRET)).toBe(h.dynatrace.activeGateTokens.get(id)!.token);
    expect(result).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: id, Data: { TokenId: id, ExpirationDate: EXPIRATION_DATE } });
  });

  test('the name sent is the given name and a suffix from the stack and logical ID (and an update\'s request)', () => {
    const name = createName();
    expect(name).toMatch(/^vpc-activegate \[cdk-[0-9a-f]{10}\]$/);
    expect(uniqueName(h.event('Create', { RequestId: 'another-request' }), 'vpc-activegate')).toBe(name);
    expect(uniqueName(h.event('Create', { StackId: STACK_ID.replace('001', '002') }), 'vpc-activegate')).not.toBe(name);
    expect(uniqueName(h.event('Create', { LogicalResourceId: 'Other' }), 'vpc-activegate')).not.toBe(name);
    const replacement = uniqueName(h.event('Update', { RequestId: 'r1' }), 'vpc-activegate');
    expect(replacement).not.toBe(name);
    expect(uniqueName(h.event('Update', { RequestId: 'r1' }), 'vpc-activegate')).toBe(replacement);
    expect(uniqueName(h.event('Update', { RequestId: 'r2' }), 'vpc-activegate')).not.toBe(replacement);
    const long = uniqueName(h.event('Create'), 'x'.repeat(100));
    expect(long).toHaveLength(100);
    expect(long).toMatch(/^x{83} \[cdk-[0-9a-f]{10}\]$/);
  });

  test('a create delivered twice adopts the token the secret holds: no second token', async () => {
    const e = h.event('Create');
    const first = await h.invoke(e);
    const second = await h.invoke(e);
    expect(second).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: first.PhysicalResourceId, Data: { TokenId: first.PhysicalResourceId, ExpirationDate: EXPIRATION_DATE } });
    expect(h.dynatrace.calls).toEqual([`GET ${TOKENS}?pageSize=100`, `POST ${TOKENS}`, `GET ${TOKENS}?pageSize=100`]);
    expect(only()).toBe(first.PhysicalResourceId);
    expect(h.logs).toContain(`adopted ActiveGate token ${first.PhysicalResourceId} "${createName()}": the secret ${TARGET_SECRET} already holds it`);
  });

  test('a token with our name that the secret does not hold (its value is lost) is deleted before the POST', async () => {
    h.dynatrace.activeGateTokens.set('dt0g02.ORPHAN01', { name: createName(), token: `dt0g02.ORPHAN01.${'G'.repeat(64)}` });
    h.dynatrace.activeGateTokens.set('dt0g02.SOMEONE1', { name: 'vpc-activegate', token: `dt0g02.SOMEONE1.${'G'.repeat(64)}` });
    const result = await h.invoke(h.event('Create'));
    expect(h.dynatrace.calls).toEqual([`GET ${TOKENS}?pageSize=100`, `DELETE ${TOKENS}/dt0g02.ORPHAN01`, `POST ${TOKENS}`]);
    expect(tokenIds()).toEqual(['dt0g02.SOMEONE1', result.PhysicalResourceId]);
    expect(h.stored.get(TARGET_SECRET)).toBe(h.dynatrace.activeGateTokens.get(result.PhysicalResourceId)!.token);
  });

  test('a token that cannot be stored is deleted again, and the failure says so', async () => {
    const result = await h.invoke(h.event('Create'), h.deps({ writer: { putSecretString: async () => { throw new Error('AccessDeniedException'); } } }));
    expect(result).toMatchObject({
      Status: 'FAILED',
      Reason: `could not store the new ActiveGate token dt0g02.TOKEN001 in ${TARGET_SECRET}: AccessDeniedException; the token dt0g02.TOKEN001 was deleted again`,
    });
    expect(h.dynatrace.activeGateTokens.size).toBe(0);
    expect(h.dynatrace.calls).toEqual([`GET ${TOKENS}?pageSize=100`, `POST ${TOKENS}`, `DELETE ${TOKENS}/dt0g02.TOKEN001`]);
  });

  test('a token that cannot be stored nor deleted is named in the failure, with how to delete it by hand', async () => {
    const result = await h.invoke(h.event('Create'), h.deps({
      writer: { putSecretString: async () => { throw new Error('AccessDeniedException'); } },
      intercept: (method) => (method === 'DELETE' ? answer(400, { error: { code: 400, message: 'Token is in use' } }) : undefined),
    }));
    expect(result.Reason).toMatch(/^could not store the new ActiveGate token dt0g02\.TOKEN001 in .*: AccessDeniedException; deleting the token dt0g02\.TOKEN001 failed too \(DELETE .* failed with HTTP 400: Token is in use\): delete it by hand on the Access tokens page \(ActiveGate tokens\) or with DELETE \/api\/v2\/activeGateTokens\/dt0g02\.TOKEN001/);
    expect(tokenIds()).toEqual(['dt0g02.TOKEN001']);
  });

  test('Dynatrace refusing the request fails with its message', async () => {
    const refusal = { error: { code: 400, message: 'Constraints violated.', constraintViolations: [{ path: 'activeGateType', message: 'must be ENVIRONMENT or CLUSTER' }] } };
    const result = await h.invoke(h.event('Create', {}, { ActiveGateType: 'OTHER' }), h.deps({ intercept: (method) => (method === 'POST' ? answer(400, refusal) : undefined) }));
    expect(result.Reason).toMatch(/^POST .*\/api\/v2\/activeGateTokens failed with HTTP 400: Constraints violated\. \(activeGateType: must be ENVIRONMENT or CLUSTER\)$/);
    expect(h.stored.size).toBe(0);
  });

  test('429 on the POST is retried (nothing was created)', async () => {
    const result = await h.invoke(h.event('Create'), h.deps({ intercept: (method, nth) => (method === 'POST' && nth === 1 ? answer(429, {}) : undefined) }));
    expect(result.Status).toBe('SUCCESS');
    expect(h.dynatrace.calls).toEqual([`GET ${TOKENS}?pageSize=100`, `POST ${TOKENS}`]);
    expect(only()).toBe(result.PhysicalResourceId);
  });
});

describe('a create whose outcome is unknown is looked up, never blindly repeated', () => {
  test.each<[string, Reply]>([
    ['answers 503 after creating the token', { status: 503, body: { error: { code: 503, message: 'Service unavailable' } } }],
    ['never answers after creating the token', { status: 200, hang: true }],
    ['resets the connection after creating the token', { status: 0, reset: true }],
    ['answers 201 with a malformed body', { status: 201, body: '<html>created</html>', raw: true }],
    ['answers 201 without the token value', { status: 201, body: { id: 'dt0g02.TOKEN001' } }],
  ])('the POST %s: the lost token is deleted, one token exists, and the secret holds it', async (_, reply) => {
    h.dynatrace.afterCreate.push(reply);
    const result = await h.invoke(h.event('Create'), h.deps({ requestTimeoutMs: 300 }));
    expect(h.dynatrace.calls).toEqual([
      `GET ${TOKENS}?pageSize=100`, `POST ${TOKENS}`,
      `GET ${TOKENS}?pageSize=100`, `DELETE ${TOKENS}/dt0g02.TOKEN001`, `POST ${TOKENS}`,
    ]);
    const id = only();
    expect(id).toBe('dt0g02.TOKEN002');
    expect(h.dynatrace.activeGateTokens.get(id)!.name).toBe(createName());
    expect(h.stored.get(TARGET_SECRET)).toBe(h.dynatrace.activeGateTokens.get(id)!.token);
    expect(result).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: id });
    expect(h.logs.some((l) => l.startsWith('round 1/3: ') && l.endsWith(`looking the token up by its name "${createName()}"`))).toBe(true);
  });

  test('the look-up follows nextPageKey alone to the last page (150 other tokens, pages of 100)', async () => {
    for (let i = 0; i < 150; i++) {
      const id = `dt0g02.OTHER${String(i).padStart(3, '0')}`;
      h.dynatrace.activeGateTokens.set(id, { name: `someone else's ${i}`, token: `${id}.${'G'.repeat(64)}` });
    }
    h.dynatrace.afterCreate.push({ status: 503 });
    const result = await h.invoke(h.event('Create'));
    const calls = h.dynatrace.calls;
    expect(calls.map((c) => c.split('?')[0])).toEqual([
      `GET ${TOKENS}`, `GET ${TOKENS}`, `POST ${TOKENS}`,
      `GET ${TOKENS}`, `GET ${TOKENS}`, `DELETE ${TOKENS}/dt0g02.TOKEN001`, `POST ${TOKENS}`,
    ]);
    expect(calls[0]).toBe(`GET ${TOKENS}?pageSize=100`);
    expect(calls[1]).toMatch(/^GET \/api\/v2\/activeGateTokens\?nextPageKey=[^&]+$/);
    expect(calls[4]).toBe(calls[1]);
    expect(h.dynatrace.activeGateTokens.size).toBe(151);
    expect([...h.dynatrace.activeGateTokens.values()].filter((t) => t.name === createName())).toHaveLength(1);
    expect(result).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'dt0g02.TOKEN002' });
    expect(h.stored.get(TARGET_SECRET)).toBe(h.dynatrace.activeGateTokens.get('dt0g02.TOKEN002')!.token);
  });

  test('a redelivered create finds its token on the second page and adopts it', async () => {
    for (let i = 0; i < 150; i++) {
      const id = `dt0g02.OTHER${String(i).padStart(3, '0')}`;
      h.dynatrace.activeGateTokens.set(id, { name: `someone else's ${i}`, token: `${id}.${'G'.repeat(64)}` });
    }
    const e = h.event('Create');
    const first = await h.invoke(e);
    const second = await h.invoke(e);
    expect(second.PhysicalResourceId).toBe(first.PhysicalResourceId);
    expect(h.dynatrace.activeGateTokens.size).toBe(151);
    expect(h.dynatrace.calls.slice(3).map((c) => c.split('?')[0])).toEqual([`GET ${TOKENS}`, `GET ${TOKENS}`]);
  });

  test('after three unknown outcomes it fails, having deleted what they made', async () => {
    h.dynatrace.afterCreate.push({ status: 503 }, { status: 503 }, { status: 503 });
    const result = await h.invoke(h.event('Create'));
    expect(h.dynatrace.calls).toEqual([
      `GET ${TOKENS}?pageSize=100`, `POST ${TOKENS}`,
      `GET ${TOKENS}?pageSize=100`, `DELETE ${TOKENS}/dt0g02.TOKEN001`, `POST ${TOKENS}`,
      `GET ${TOKENS}?pageSize=100`, `DELETE ${TOKENS}/dt0g02.TOKEN002`, `POST ${TOKENS}`,
      `GET ${TOKENS}?pageSize=100`, `DELETE ${TOKENS}/dt0g02.TOKEN003`,
    ]);
    expect(h.dynatrace.activeGateTokens.size).toBe(0);
    expect(result.Status).toBe('FAILED');
    expect(result.Reason).toMatch(new RegExp('^could not create ActiveGate token "vpc-activegate \\[cdk-[0-9a-f]{10}\\]": 3 attempts each had an unknown outcome ' +
      '\\(last: POST .* answered HTTP 503 .*\\); no token named ".*" is left in Dynatrace$'));
    expect(h.stored.size).toBe(0);
  });

  test('the failure names the tokens it could not delete at the end', async () => {
    h.dynatrace.afterCreate.push({ status: 503 }, { status: 503 }, { status: 503 });
    const refuseThird = (method: string, nth: number) => (method === 'DELETE' && nth === 3 ? answer(400, { error: { code: 400, message: 'Token is in use' } }) : undefined);
    const result = await h.invoke(h.event('Create'), h.deps({ intercept: refuseThird }));
    expect(tokenIds()).toEqual(['dt0g02.TOKEN003']);
    expect(result.Reason).toMatch(/; tokens left in Dynatrace: dt0g02\.TOKEN003 \(DELETE .* failed with HTTP 400: Token is in use\); delete it by hand on the Access tokens page \(ActiveGate tokens\) or with DELETE \/api\/v2\/activeGateTokens\/dt0g02\.TOKEN003 /);
  });

  test('a lost token that cannot be deleted stops the create before a second POST, naming it', async () => {
    h.dynatrace.afterCreate.push({ status: 503 });
    const result = await h.invoke(h.event('Create'), h.deps({
      intercept: (method) => (method === 'DELETE' ? answer(400, { error: { code: 400, message: 'Token is in use' } }) : undefined),
    }));
    expect(h.dynatrace.calls).toEqual([`GET ${TOKENS}?pageSize=100`, `POST ${TOKENS}`, `GET ${TOKENS}?pageSize=100`]);
    expect(tokenIds()).toEqual(['dt0g02.TOKEN001']);
    expect(result).toMatchObject({ Status: 'FAILED' });
    expect(result.Reason).toMatch(/^could not delete ActiveGate tokens named "vpc-activegate \[cdk-[0-9a-f]{10}\]" whose value is lost: dt0g02\.TOKEN001 \(.*Token is in use\); delete it by hand/);
  });
});

describe('expiry is checked when the token is made (deploy time), before any call', () => {
  const day = 86_400_000;
  test.each([
    ['2020-01-01T00:00:00.000Z', /^ExpirationDate "2020-01-01T00:00:00\.000Z" is in the past at deploy time \(\d{4}-.*Z\): an ActiveGate token's expiry must be in the future and at most two years ahead/],
    [new Date(Date.now() + 800 * day).toISOString(), /is more than two years after the deploy .*: an ActiveGate token's expiry must be in the future and at most two years ahead.*; set the construct's `expiry` to/],
    ['now+3y', /^ExpirationDate "now\+3y" is more than two years after the deploy/],
  ])('%p is refused', async (expiry, reason) => {
    const result = await h.invoke(h.event('Create', {}, { ExpirationDate: expiry }));
    expect(result).toMatchObject({ Status: 'FAILED' });
    expect(result.Reason).toMatch(reason);
    expect(h.dynatrace.calls).toEqual([]);
  });

  test('a date within two years is sent as is', async () => {
    const inAYear = new Date(Date.now() + 365 * day).toISOString();
    expect((await h.invoke(h.event('Create', {}, { ExpirationDate: inAYear }))).Status).toBe('SUCCESS');
    expect(h.dynatrace.requests[1].json.expirationDate).toBe(inAYear);
  });

  test('an in-place update does not check it again (the token exists)', async () => {
    const created = await h.invoke(h.event('Create', {}, { ExpirationDate: new Date(Date.now() + 365 * day).toISOString() }));
    const props = { ExpirationDate: '2020-01-01T00:00:00.000Z' };
    const result = await h.invoke(h.update(created.PhysicalResourceId, { ...props, TokenSecretArn: OTHER_API_SECRET }, props));
    expect(result).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: created.PhysicalResourceId });
  });
});

describe('update', () => {
  async function created() {
    const result = await h.invoke(h.event('Create'));
    h.dynatrace.requests.length = 0;
    return result.PhysicalResourceId as string;
  }

  test('reaching the same environment another way keeps the token: no write, same physical ID', async () => {
    const id = await created();
    const result = await h.invoke(h.update(id, { ApiUrl: `${h.dynatrace.url}/`, TokenSecretArn: OTHER_API_SECRET, TrustedCertificates: [] }, {
      ApiUrl: 'https://abc12345.live.dynatrace.com',
    }));
    expect(h.dynatrace.calls).toEqual([`GET ${TOKENS}?pageSize=100`]);
    expect(result).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: id, Data: { TokenId: id, ExpirationDate: EXPIRATION_DATE } });
    expect(only()).toBe(id);
  });

  test('a resource created before EnvironmentId existed: the environment is read from its old URL', async () => {
    const id = await created();
    const old = { ApiUrl: 'https://abc12345.live.dynatrace.com', EnvironmentId: undefined };
    expect((await h.invoke(h.update(id, {}, old))).PhysicalResourceId).toBe(id);
    expect((await h.invoke(h.update(id, { EnvironmentId: 'xyz98765' }, old))).PhysicalResourceId).not.toBe(id);
  });

  test.each([
    ['Name', { Name: 'renamed' }],
    ['ExpirationDate', { ExpirationDate: 'now+12M' }],
    ['ActiveGateType', { ActiveGateType: 'CLUSTER' }],
    ['the environment', { EnvironmentId: 'xyz98765' }],
    ['TargetSecretArn', { TargetSecretArn: `${TARGET_SECRET}-2` }],
  ])('changing %s makes a new token under a new physical ID and a name of its own', async (_, props) => {
    const id = await created();
    const e = h.update(id, props);
    const result = await h.invoke(e);
    expect(result.Status).toBe('SUCCESS');
    expect(result.PhysicalResourceId).not.toBe(id);
    expect(h.dynatrace.activeGateTokens.size).toBe(2);
    expect(h.dynatrace.calls).toEqual([`GET ${TOKENS}?pageSize=100`, `POST ${TOKENS}`]);
    const name = uniqueName(e, e.ResourceProperties.Name);
    expect(h.dynatrace.activeGateTokens.get(result.PhysicalResourceId)!.name).toBe(name);
    expect(name).not.toBe(createName());
    const target = e.ResourceProperties.TargetSecretArn;
    expect(h.stored.get(target)).toBe(h.dynatrace.activeGateTokens.get(result.PhysicalResourceId)!.token);
  });

  test('a token deleted by hand is made again on the next update', async () => {
    const id = await created();
    h.dynatrace.activeGateTokens.delete(id);
    const result = await h.invoke(h.update(id, { TokenSecretArn: OTHER_API_SECRET }));
    expect(result.Status).toBe('SUCCESS');
    expect(result.PhysicalResourceId).not.toBe(id);
    expect(h.stored.get(TARGET_SECRET)).toBe(h.dynatrace.activeGateTokens.get(result.PhysicalResourceId)!.token);
    expect(h.logs).toContain(`ActiveGate token ${id} no longer exists in Dynatrace: making a new token`);
  });

  test('a secret overwritten by hand gets a new token on the next update', async () => {
    const id = await created();
    h.stored.set(TARGET_SECRET, 'something else');
    const result = await h.invoke(h.update(id, {}));
    expect(result.PhysicalResourceId).not.toBe(id);
    expect(h.stored.get(TARGET_SECRET)).toBe(h.dynatrace.activeGateTokens.get(result.PhysicalResourceId)!.token);
  });

  test('a target secret that cannot be read fails the update (no new token on a guess)', async () => {
    const id = await created();
    const d = h.deps();
    const failing: TokenDeps = {
      ...d,
      secrets: {
        getSecretString: async (secretId) => {
          if (secretId === TARGET_SECRET) throw Object.assign(new Error('User is not authorized to perform secretsmanager:GetSecretValue'), { name: 'AccessDeniedException' });
          return d.secrets.getSecretString(secretId);
        },
      },
    };
    const result = await h.invoke(h.update(id, {}), failing);
    expect(result.Reason).toBe(`could not read the secret ${TARGET_SECRET} to learn which ActiveGate token it holds: User is not authorized to perform secretsmanager:GetSecretValue`);
    expect(only()).toBe(id);
  });
});

describe('delete', () => {
  test('deletes the token', async () => {
    const id = (await h.invoke(h.event('Create'))).PhysicalResourceId;
    const result = await h.invoke(h.event('Delete', { PhysicalResourceId: id }));
    expect(result).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: id, Reason: `the secret ${TARGET_SECRET} holds no ActiveGate token now ("no ActiveGate token: ${id} was deleted with its resource"), instead of the deleted ${id}` });
    expect(h.dynatrace.activeGateTokens.size).toBe(0);
    expect(h.logs).toContain(`deleted ActiveGate token ${id}`);
    // The secret says it holds no token, rather than the deleted one.
    expect(h.heldId()).toBe('a value that is not an ActiveGate token');
  });

  test('a token already gone is fine, and said', async () => {
    const result = await h.invoke(h.event('Delete', { PhysicalResourceId: 'dt0g02.GONE0001' }));
    expect(result).toMatchObject({ Status: 'SUCCESS', Reason: 'ActiveGate token dt0g02.GONE0001 was already gone' });
    expect(h.dynatrace.calls).toEqual([`DELETE ${TOKENS}/dt0g02.GONE0001`]);
  });

  test('a create that answered FAILED: the Delete looks for what it left, and without an API token still succeeds, saying so', async () => {
    h.apiToken = '';
    const result = await h.invoke(h.event('Delete', { PhysicalResourceId: 'create-failed:req-1' }));
    expect(result).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'create-failed:req-1' });
    expect(result.Reason).toMatch(/^the create had failed, and looking for what it may have left failed too \(.*has no string value\)/);
    expect(h.dynatrace.calls).toEqual([]);
  });

  test('a physical ID that is not a token ID looks for the tokens a cancelled create made, by the create\'s name', async () => {
    h.dynatrace.activeGateTokens.set('dt0g02.OTHER001', { name: 'someone else\'s', token: `dt0g02.OTHER001.${'G'.repeat(64)}` });
    const result = await h.invoke(h.event('Delete', { PhysicalResourceId: 'create-failed-in-0.x' }));
    expect(result).toMatchObject({
      Status: 'SUCCESS',
      Reason: `nothing to delete: "create-failed-in-0.x" is not an ActiveGate token ID, and no token named "${createName()}" exists`,
    });
    expect(h.dynatrace.calls).toEqual([`GET ${TOKENS}?pageSize=100`]);
    expect(tokenIds()).toEqual(['dt0g02.OTHER001']);
  });

  test.each([
    ['revoked (401)', 'dt0c01.REVOKEDREVOKEDREVOKED00.' + 'R'.repeat(64), /the API token is not valid/],
    ['missing the write scope (403)', READ_ONLY_TOKEN, /the API token lacks a scope/],
  ])('an API token %s: SUCCESS, naming the token left behind and how to delete it', async (_, token, why) => {
    h.dynatrace.activeGateTokens.set('dt0g02.LEFT0001', { name: 'x', token: `dt0g02.LEFT0001.${'G'.repeat(64)}` });
    h.apiToken = token;
    const result = await h.invoke(h.event('Delete', { PhysicalResourceId: 'dt0g02.LEFT0001' }));
    expect(result.Status).toBe('SUCCESS');
    expect(result.Reason).toMatch(/^left ActiveGate token dt0g02\.LEFT0001 behind in Dynatrace environment abc12345: DELETE .*; the resource is deleted, the token is not; delete it by hand on the Access tokens page \(ActiveGate tokens\) or with DELETE \/api\/v2\/activeGateTokens\/dt0g02\.LEFT0001 and a token with the scope activeGateTokenManagement\.write$/);
    expect(result.Reason).toMatch(why);
    expect(tokenIds()).toEqual(['dt0g02.LEFT0001']);
  });

  test('any other refusal fails the delete with Dynatrace\'s message', async () => {
    h.dynatrace.failures.push({ status: 400, body: { error: { code: 400, message: 'Token is in use' } } });
    const result = await h.invoke(h.event('Delete', { PhysicalResourceId: 'dt0g02.TOKEN001' }));
    expect(result).toMatchObject({ Status: 'FAILED', PhysicalResourceId: 'dt0g02.TOKEN001' });
    expect(result.Reason).toMatch(/^DELETE .*\/api\/v2\/activeGateTokens\/dt0g02\.TOKEN001 failed with HTTP 400: Token is in use$/);
  });
});
