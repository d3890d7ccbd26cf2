import { READ_ONLY_TOKEN, SERVICE_NAME } from '../dynatrace-stand-in';
import { ALLOWLIST, allowlist, enable, ENV, Harness, PL, SECRET_ARN } from './privatelink-api-harness';
import { Deps } from '../../../../src/vendors/dynatrace/privatelink/privatelink-api.lambda';

let h: Harness;
beforeEach(async () => { h = await Harness.start(); });
afterEach(async () => h.stop());

describe('Allowlist operation', () => {
  test('create reads the allowlist, adds each missing account with its ID in the body, then reads the service name', async () => {
    h.dynatrace.allowlist.add('222222222222');
    const answer = await h.invoke(h.event('Create', allowlist(['111111111111', '222222222222'])));
    expect(h.dynatrace.calls).toEqual([`GET ${ALLOWLIST}`, `PUT ${ALLOWLIST}/111111111111`, `GET ${PL}`]);
    expect(h.dynatrace.requests[1].json).toEqual({ id: '111111111111' });
    expect(answer).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: `dynatrace-privatelink:allowlist:${ENV}`, Data: { ServiceName: SERVICE_NAME } });
    expect([...h.dynatrace.allowlist].sort()).toEqual(['111111111111', '222222222222']);
  });

  test('an account removed by hand is restored by the next update, which otherwise writes nothing', async () => {
    const created = h.event('Create', allowlist());
    const { PhysicalResourceId } = await h.invoke(created);
    h.dynatrace.allowlist.clear(); // someone removed it in the Dynatrace UI
    const from = h.dynatrace.calls.length;
    const answer = await h.invoke(h.event('Update', allowlist(), { PhysicalResourceId, OldResourceProperties: created.ResourceProperties }));
    expect(h.callsSince(from)).toEqual([`GET ${ALLOWLIST}`, `PUT ${ALLOWLIST}/{id}`, `GET ${PL}`]);
    expect(answer).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId });
    expect(h.dynatrace.allowlist.has('111111111111')).toBe(true);
  });

  test('a new URL for the same environment (SaaS to ActiveGate, trailing slash) keeps the physical ID', async () => {
    const old = { ...h.event('Create', allowlist()).ResourceProperties, ApiUrl: `https://${ENV}.live.dynatrace.com` };
    const id = `dynatrace-privatelink:allowlist:${ENV}`;
    const answer = await h.invoke(h.event('Update', allowlist(), { PhysicalResourceId: id, OldResourceProperties: old }));
    expect(answer.PhysicalResourceId).toBe(id);
  });

  test('a resource created by 0.x (physical ID from its URL, no EnvironmentId) keeps its physical ID on update', async () => {
    const oldId = `dynatrace-privatelink:Allowlist:https://${ENV}.live.dynatrace.com`;
    const old = { ApiUrl: `https://${ENV}.live.dynatrace.com`, TokenSecretArn: SECRET_ARN, Operation: 'Allowlist', Accounts: ['111111111111'], RetainOnDelete: 'false' };
    const answer = await h.invoke(h.event('Update', allowlist(), { PhysicalResourceId: oldId, OldResourceProperties: old }));
    expect(answer).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: oldId });
  });

  test('a resource created by 0.x for an ActiveGate URL keeps its physical ID too', async () => {
    const oldId = `dynatrace-privatelink:Allowlist:https://ag.internal:9999/e/${ENV}`;
    const old = { ApiUrl: `https://ag.internal:9999/e/${ENV}/`, TokenSecretArn: SECRET_ARN, Operation: 'Allowlist', Accounts: ['111111111111'] };
    const answer = await h.invoke(h.event('Update', allowlist(), { PhysicalResourceId: oldId, OldResourceProperties: old }));
    expect(answer.PhysicalResourceId).toBe(oldId);
  });

  test('with removal opted in, an update removes the accounts dropped from the set, when they are still there', async () => {
    h.dynatrace.allowlist.add('111111111111');
    const old = h.event('Create', allowlist(['111111111111', '333333333333'], { RetainOnDelete: 'false' })).ResourceProperties;
    await h.invoke(h.event('Update', allowlist(['222222222222'], { RetainOnDelete: 'false' }), { PhysicalResourceId: 'p', OldResourceProperties: old }));
    expect(h.dynatrace.calls).toEqual([`GET ${ALLOWLIST}`, `PUT ${ALLOWLIST}/222222222222`, `DELETE ${ALLOWLIST}/111111111111`, `GET ${PL}`]);
    expect([...h.dynatrace.allowlist]).toEqual(['222222222222']);
  });

  test('by default an update keeps accounts dropped from the set (another stack may rely on them)', async () => {
    h.dynatrace.allowlist.add('111111111111');
    const old = h.event('Create', allowlist(['111111111111'], { RetainOnDelete: 'true' })).ResourceProperties;
    await h.invoke(h.event('Update', allowlist(['222222222222'], { RetainOnDelete: 'true' }), { PhysicalResourceId: 'p', OldResourceProperties: old }));
    expect(h.dynatrace.calls).toEqual([`GET ${ALLOWLIST}`, `PUT ${ALLOWLIST}/222222222222`, `GET ${PL}`]);
    expect([...h.dynatrace.allowlist].sort()).toEqual(['111111111111', '222222222222']);
  });

  test('with removal opted in, delete removes the accounts; an account already gone is fine', async () => {
    h.dynatrace.allowlist.add('111111111111');
    h.dynatrace.failures.push({ status: 404, body: { error: { code: 404, message: 'not allowlisted' } } });
    const answer = await h.invoke(h.event('Delete', allowlist(['222222222222', '111111111111'], { RetainOnDelete: 'false' }), { PhysicalResourceId: 'p' }));
    expect(h.dynatrace.calls).toEqual([`DELETE ${ALLOWLIST}/222222222222`, `DELETE ${ALLOWLIST}/111111111111`]);
    expect(h.dynatrace.allowlist.size).toBe(0);
    expect(answer).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'p', Reason: 'OK' });
    expect(h.logs).toContain('removed account 222222222222 from the allowlist (it was not there)');
  });

  test('with removal opted in, a revoked token on delete answers SUCCESS and says what stays allowlisted', async () => {
    h.dynatrace.allowlist.add('111111111111');
    h.token = `dt0c01.${'C'.repeat(24)}.${'S3CR3TPART'.repeat(6)}QRST`;
    const answer = await h.invoke(h.event('Delete', allowlist(['111111111111'], { RetainOnDelete: 'false' }), { PhysicalResourceId: 'p' }));
    expect(answer.Status).toBe('SUCCESS');
    expect(answer.Reason).toMatch(/could not remove AWS accounts 111111111111 from the allowlist of Dynatrace environment abc12345: .*HTTP 401.*the accounts stay allowlisted; remove them by hand/);
    expect(h.dynatrace.allowlist.has('111111111111')).toBe(true);
  });

  test('with removal opted in, Dynatrace down during delete fails the delete with the reason, within the deadline', async () => {
    for (let i = 0; i < 10; i++) h.dynatrace.failures.push({ status: 503 });
    const answer = await h.invoke(h.event('Delete', allowlist(['111111111111'], { RetainOnDelete: 'false' }), { PhysicalResourceId: 'p' }));
    expect(answer).toMatchObject({ Status: 'FAILED', PhysicalResourceId: 'p' });
    expect(answer.Reason).toMatch(/^DELETE .*allowlistedAccounts\/111111111111 failed after 6 attempts: HTTP 503/);
  });

  test('by default delete reads no token, calls nothing, and says the accounts stay allowlisted', async () => {
    const reads: string[] = [];
    const deps: Deps = { secrets: { getSecretString: async (id) => { reads.push(id); return undefined; } } };
    const answer = await h.invoke(h.event('Delete', allowlist(), { PhysicalResourceId: 'p' }), { deps });
    expect(reads).toEqual([]);
    expect(h.dynatrace.calls).toEqual([]);
    expect(answer.Reason).toMatch(/^kept AWS accounts 111111111111 allowlisted in Dynatrace environment abc12345 \(the allowlist is environment-wide/);
  });

  test('an allowlist answer without a values list fails naming the call', async () => {
    h.dynatrace.failures.push({ status: 200, body: { items: [] } });
    const answer = await h.invoke(h.event('Create', allowlist()));
    expect(answer.Reason).toBe(`GET ${ALLOWLIST} answered HTTP 200 with 12 bytes of application/json (a JSON object) without a "values" list`);
  });
});

describe('region check: the endpoint service against the VPC\'s region', () => {
  /** Deps whose EC2 answers whether the service accepts endpoints from other regions, and records the question. */
  function withEc2(accepts: boolean, asked: string[]): Deps {
    return {
      ...h.deps(),
      endpointServices: { acceptsCrossRegion: async (name, region) => { asked.push(`${name} in ${region}`); return accepts; } },
    };
  }

  test('the service in the VPC\'s region: ServiceRegion is that region, and EC2 is not asked', async () => {
    const asked: string[] = [];
    const answer = await h.invoke(h.event('Create', allowlist(undefined, { VpcRegion: 'ap-southeast-2' })), { deps: withEc2(false, asked) });
    expect(answer).toMatchObject({ Status: 'SUCCESS', Data: { ServiceName: SERVICE_NAME, ServiceRegion: 'ap-southeast-2' } });
    expect(asked).toEqual([]);
  });

  test('another region that the service accepts natively: ServiceRegion is the service\'s (cross-region PrivateLink)', async () => {
    const asked: string[] = [];
    const answer = await h.invoke(h.event('Create', allowlist(undefined, { VpcRegion: 'ap-northeast-1' })), { deps: withEc2(true, asked) });
    expect(answer).toMatchObject({ Status: 'SUCCESS', Data: { ServiceRegion: 'ap-southeast-2' } });
    expect(asked).toEqual([`${SERVICE_NAME} in ap-southeast-2`]);
    expect(h.logs.join('\n')).toContain('accepts endpoints from ap-northeast-1: native cross-region PrivateLink');
  });

  test('another region the service does not accept: FAILED, naming both regions and the fix, after allowlisting', async () => {
    const answer = await h.invoke(h.event('Create', allowlist(undefined, { VpcRegion: 'eu-west-1' })), { deps: withEc2(false, []) });
    expect(answer.Status).toBe('FAILED');
    expect(answer.Reason).toContain(`the Dynatrace environment's endpoint service ${SERVICE_NAME} is in ap-southeast-2, but the VPC of this ` +
      'DynatracePrivateLink is in eu-west-1, and the service does not accept endpoints from eu-west-1 (native cross-region PrivateLink). ' +
      'The accounts are allowlisted; to finish, put the hub VPC (and this construct\'s stack) in ap-southeast-2, or make a ' +
      'DynatracePrivateLink in ap-southeast-2 the hub and add this VPC to it with addSpokeVpc()');
    expect(h.dynatrace.allowlist.has('111111111111')).toBe(true);
  });

  test('EC2 failing to answer fails the resource with EC2\'s error, not a wrong region', async () => {
    const deps: Deps = { ...h.deps(), endpointServices: { acceptsCrossRegion: async () => { throw new Error('UnauthorizedOperation: not allowed'); } } };
    const answer = await h.invoke(h.event('Create', allowlist(undefined, { VpcRegion: 'eu-west-1' })), { deps });
    expect(answer).toMatchObject({ Status: 'FAILED', Reason: expect.stringContaining('UnauthorizedOperation: not allowed') });
  });

  test('a resource of an older version (no VpcRegion) is not checked', async () => {
    const asked: string[] = [];
    const answer = await h.invoke(h.event('Create', allowlist()), { deps: withEc2(false, asked) });
    expect(answer).toMatchObject({ Status: 'SUCCESS', Data: { ServiceRegion: 'ap-southeast-2' } });
    expect(asked).toEqual([]);
  });
});

describe('Enable operation', () => {
  test('enables PrivateLink when it is off', async () => {
    const answer = await h.invoke(h.event('Create', enable()));
    expect(h.dynatrace.calls).toEqual([`GET ${PL}`, `PUT ${PL}`]);
    expect(h.dynatrace.requests[1].json).toEqual({ enabled: true });
    expect(h.dynatrace.enabled).toBe(true);
    expect(answer).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: `dynatrace-privatelink:enable:${ENV}` });
  });

  test('writes nothing when it is already on', async () => {
    h.dynatrace.enabled = true;
    await h.invoke(h.event('Create', enable()));
    expect(h.dynatrace.calls).toEqual([`GET ${PL}`]);
  });

  test('delete leaves PrivateLink on, reading no token, unless asked to disable it', async () => {
    h.dynatrace.enabled = true;
    const kept = await h.invoke(h.event('Delete', enable(), { PhysicalResourceId: 'p' }));
    expect(h.dynatrace.calls).toEqual([]);
    expect(kept.Reason).toMatch(/^left AWS PrivateLink enabled in Dynatrace environment abc12345/);
    await h.invoke(h.event('Delete', enable({ DisableOnDelete: 'true' }), { PhysicalResourceId: 'p' }));
    expect(h.dynatrace.calls).toEqual([`GET ${PL}`, `PUT ${PL}`]);
    expect(h.dynatrace.enabled).toBe(false);
  });

  test('disable on delete with a token lacking WriteConfig answers SUCCESS and says it stays enabled', async () => {
    h.dynatrace.enabled = true;
    h.token = READ_ONLY_TOKEN;
    const answer = await h.invoke(h.event('Delete', enable({ DisableOnDelete: 'true' }), { PhysicalResourceId: 'p' }));
    expect(answer.Status).toBe('SUCCESS');
    expect(answer.Reason).toMatch(/could not disable AWS PrivateLink in Dynatrace environment abc12345: the vendor refused the credential \(HTTP 403\).*PUT .* HTTP 403.*PrivateLink stays enabled; disable it by hand/);
    expect(h.dynatrace.enabled).toBe(true);
  });
});

describe('failures reach CloudFormation with the call, the status and Dynatrace\'s message', () => {
  test('400 with constraint violations', async () => {
    h.dynatrace.failures.push({ status: 200, body: { values: [] } }, {
      status: 400,
      body: { error: { code: 400, message: 'Constraints violated.', constraintViolations: [{ path: 'id', message: 'must be a 12-digit AWS account ID', parameterLocation: 'PATH' }] } },
    });
    const answer = await h.invoke(h.event('Create', allowlist(['123456789012'])));
    expect(answer.Status).toBe('FAILED');
    expect(answer.Reason).toMatch(new RegExp(`^PUT ${h.dynatrace.url}${ALLOWLIST}/123456789012 failed with HTTP 400: Constraints violated\\. \\(id: must be a 12-digit AWS account ID\\)$`));
    expect(answer.PhysicalResourceId).toBe('create-failed:req-1');
  });

  test('an account ID that is not 12 digits is refused before any call is made with it', async () => {
    const answer = await h.invoke(h.event('Create', allowlist(['12345'])));
    expect(answer).toMatchObject({ Status: 'FAILED', Reason: 'AWS account ID "12345" is not 12 digits: no allowlist call was made with it' });
    expect(h.dynatrace.calls).toEqual([`GET ${ALLOWLIST}`]);
  });

  test('401: a bad token', async () => {
    h.token = `dt0c01.${'C'.repeat(24)}.${'S3CR3TPART'.repeat(6)}QRST`;
    const answer = await h.invoke(h.event('Create', allowlist()));
    expect(answer.Reason).toMatch(/failed with HTTP 401: Token Authentication failed \(the API token is not valid for this environment: check the secret's value\)/);
    expect(answer.Reason).not.toContain(h.token);
  });

  test('403: a token without the WriteConfig scope', async () => {
    h.token = READ_ONLY_TOKEN;
    const answer = await h.invoke(h.event('Create', allowlist()));
    expect(answer.Reason).toMatch(/PUT .* failed with HTTP 403: Token is missing required scope\. Use one of: WriteConfig .*lacks a scope/);
  });

  test('404: an environment without the API', async () => {
    h.dynatrace.failures.push({ status: 404, body: { error: { code: 404, message: 'HTTP 404 Not Found' } } });
    const answer = await h.invoke(h.event('Create', enable()));
    expect(answer).toMatchObject({ Status: 'FAILED', Reason: expect.stringMatching(/^GET .*\/aws\/privateLink failed with HTTP 404: HTTP 404 Not Found$/) });
  });

  test('429 with Retry-After is retried after the time it asks for', async () => {
    h.dynatrace.failures.push({ status: 429, headers: { 'retry-after': '3' } }, { status: 429, headers: { 'retry-after': '1' } });
    const answer = await h.invoke(h.event('Create', allowlist()));
    expect(answer.Status).toBe('SUCCESS');
    expect(h.sleeps).toEqual([3000, 1000]);
    expect(h.dynatrace.calls.slice(0, 3)).toEqual(Array(3).fill(`GET ${ALLOWLIST}`));
  });

  test('429 with a Retry-After past the deadline fails at once, saying so', async () => {
    h.dynatrace.failures.push({ status: 429, headers: { 'retry-after': '3600' } });
    const answer = await h.invoke(h.event('Create', allowlist()));
    expect(answer.Reason).toMatch(/^GET .*allowlistedAccounts failed: HTTP 429: .*asked to retry after 3600 s \(Retry-After\), past the deadline \d+ s away$/);
    expect(h.dynatrace.calls).toHaveLength(1);
    expect(h.sleeps).toEqual([]);
  });

  test('a Retry-After date in the past falls back to backoff instead of retrying at once', async () => {
    const past = new Date(Date.now() - 60_000).toUTCString();
    h.dynatrace.failures.push({ status: 429, headers: { 'retry-after': past } }, { status: 429, headers: { 'retry-after': past } });
    const answer = await h.invoke(h.event('Create', enable()));
    expect(answer.Status).toBe('SUCCESS');
    expect(h.sleeps).toEqual([375, 750]);
  });

  test('429 and 503 without Retry-After are retried with backoff', async () => {
    h.dynatrace.failures.push({ status: 429 }, { status: 503 }, { status: 429 });
    const answer = await h.invoke(h.event('Create', enable()));
    expect(answer.Status).toBe('SUCCESS');
    expect(h.sleeps).toEqual([375, 750, 1500]);
  });

  test('429 that never ends fails after the bounded retries, saying so', async () => {
    for (let i = 0; i < 10; i++) h.dynatrace.failures.push({ status: 429, body: { error: { code: 429, message: 'Too many requests' } } });
    const answer = await h.invoke(h.event('Create', enable()));
    expect(answer.Reason).toMatch(/^GET .* failed after 6 attempts: HTTP 429: Too many requests$/);
    expect(h.dynatrace.calls).toHaveLength(6);
  });

  test('500 is not retried', async () => {
    h.dynatrace.failures.push({ status: 500, body: { error: { code: 500, message: 'Internal error' } } });
    const answer = await h.invoke(h.event('Create', enable()));
    expect(answer.Reason).toMatch(/failed with HTTP 500: Internal error$/);
    expect(h.dynatrace.calls).toHaveLength(1);
  });

  test('a slow answer past the timeout is retried', async () => {
    h.dynatrace.failures.push({ status: 200, body: {}, delayMs: 1_500 });
    const answer = await h.invoke(h.event('Create', enable()), { requestTimeoutMs: 200 });
    expect(answer.Status).toBe('SUCCESS');
    expect(h.dynatrace.calls).toEqual([`GET ${PL}`, `GET ${PL}`, `PUT ${PL}`]);
  });

  test('a 200 with a malformed body is retried, then fails naming the call and describing the body (never quoting it)', async () => {
    for (let i = 0; i < 6; i++) h.dynatrace.failures.push({ status: 200, body: '{"enabled": tru', raw: true });
    const answer = await h.invoke(h.event('Create', enable()));
    expect(answer.Reason).toBe(`GET ${h.dynatrace.url}${PL} failed after 6 attempts: HTTP 200 with 15 bytes of application/json (not JSON), ` +
      'not the JSON object expected (a 2xx body is never quoted)');
  });

  test('a 200 with a malformed body once is retried and then succeeds', async () => {
    h.dynatrace.failures.push({ status: 200, body: '<html>maintenance</html>', raw: true });
    const answer = await h.invoke(h.event('Create', enable()));
    expect(answer.Status).toBe('SUCCESS');
    expect(h.dynatrace.calls).toEqual([`GET ${PL}`, `GET ${PL}`, `PUT ${PL}`]);
  });

  test('a well-formed answer without the service name says PrivateLink is not offered', async () => {
    h.dynatrace.failures.push({ status: 200, body: { values: [] } }, { status: 204 }, { status: 200, body: { enabled: false } });
    const answer = await h.invoke(h.event('Create', allowlist()));
    expect(answer.Reason).toMatch(/^GET \/api\/config\/v1\/aws\/privateLink answered without a vpcEndpointServiceName \(HTTP 200 with 17 bytes of application\/json \(a JSON object\)\): AWS PrivateLink is not available/);
  });

  test('a secret without the token field', async () => {
    const deps: Deps = { secrets: { getSecretString: async () => '{"other":"x"}' } };
    const answer = await h.invoke(h.event('Create', allowlist()), { deps });
    expect(answer.Reason).toBe(`secret ${SECRET_ARN} has no non-empty string field "apiToken"`);
    expect(h.dynatrace.calls).toEqual([]);
  });

  test('a vendor that never answers gives FAILED before the Lambda timeout, and nothing runs on afterwards', async () => {
    h.dynatrace.failures.push(...Array(20).fill({ status: 200, hang: true }));
    const started = Date.now();
    const answer = await h.invoke(h.event('Create', enable()), { remainingMs: 1_500, reserveMs: 500, requestTimeoutMs: 5_000 });
    expect(answer.Status).toBe('FAILED');
    // Whichever ends first, the deadline or the attempt's own timeout clamped to it, the answer
    // is FAILED with the reason, well before the Lambda's remaining 1.5 s run out.
    expect(answer.Reason).toMatch(/^(gave up after 1 s, before the Lambda timeout: the work was cancelled|GET .* failed: .*no answer within 5000 ms)$/);
    expect(Date.now() - started).toBeLessThan(1_500);
    const calls = h.dynatrace.calls.length;
    await new Promise((r) => setTimeout(r, 300));
    expect(h.dynatrace.calls.length).toBe(calls);
  });
});
