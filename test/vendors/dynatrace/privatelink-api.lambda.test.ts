import { API_TOKEN, DynatraceStandIn, READ_ONLY_TOKEN, SERVICE_NAME } from './dynatrace-stand-in';
import { CustomResourceEvent, runCustomResource } from '../../../src/internal/runtime/custom-resource';
import { SecretsReader } from '../../../src/internal/runtime/secrets';
import { Deps, privateLinkWork } from '../../../src/vendors/dynatrace/privatelink-api.lambda';
import { LocalServer } from '../../support/local-server';

const SECRET_ARN = 'arn:aws:secretsmanager:ap-southeast-2:111111111111:secret:dynatrace-api-token-AbCdEf';

let dynatrace: DynatraceStandIn;
let cfn: LocalServer;
let logs: string[];
let sleeps: number[];
let token: string;

beforeEach(async () => {
  dynatrace = await DynatraceStandIn.start();
  cfn = await LocalServer.start(() => ({ status: 200 }));
  logs = [];
  sleeps = [];
  token = API_TOKEN;
});

afterEach(async () => {
  // Whatever happened, the token never reached a log line or CloudFormation.
  const secretPart = API_TOKEN.split('.')[2];
  expect(logs.join('\n')).not.toContain(secretPart);
  expect(cfn.requests.map((r) => r.body).join('\n')).not.toContain(secretPart);
  await dynatrace.stop();
  await cfn.stop();
});

function deps(requestTimeoutMs = 2_000): Deps {
  const secrets: SecretsReader = { getSecretString: async (id) => (id === SECRET_ARN ? JSON.stringify({ apiToken: token }) : undefined) };
  return { secrets, client: { sleep: async (ms) => { sleeps.push(ms); }, random: () => 0.5, retry: { requestTimeoutMs } } };
}

function event(
  requestType: CustomResourceEvent['RequestType'],
  props: Record<string, unknown>,
  extra: Partial<CustomResourceEvent> = {},
): CustomResourceEvent {
  return {
    RequestType: requestType,
    ResponseURL: `${cfn.url}/response`,
    StackId: 'arn:aws:cloudformation:ap-southeast-2:111111111111:stack/s/1',
    RequestId: `req-${cfn.requests.length + 1}`,
    LogicalResourceId: 'Allowlist',
    ResourceType: 'Custom::DynatracePrivateLink',
    ResourceProperties: { ApiUrl: dynatrace.url, TokenSecretArn: SECRET_ARN, TokenSecretField: 'apiToken', ...props },
    ...extra,
  };
}

async function invoke(e: CustomResourceEvent, d = deps()) {
  await runCustomResource(e, { getRemainingTimeInMillis: () => 60_000 }, (ctx) => privateLinkWork(ctx, d), { log: (l) => logs.push(l) });
  return cfn.requests[cfn.requests.length - 1].json;
}

const allowlist = (accounts = ['111111111111']) => ({ Operation: 'Allowlist', Accounts: accounts });
const enable = (extra: Record<string, unknown> = {}) => ({ Operation: 'Enable', ...extra });
const PL = '/api/config/v1/aws/privateLink';

describe('Allowlist operation', () => {
  test('create: allowlists each account with its ID in the body, then reads the service name', async () => {
    const answer = await invoke(event('Create', allowlist(['111111111111', '222222222222'])));
    expect(dynatrace.calls).toEqual([
      `PUT ${PL}/allowlistedAccounts/111111111111`,
      `PUT ${PL}/allowlistedAccounts/222222222222`,
      `GET ${PL}`,
    ]);
    expect(dynatrace.requests[0].json).toEqual({ id: '111111111111' });
    expect(dynatrace.requests.every((r) => r.headers.authorization === `Api-Token ${API_TOKEN}`)).toBe(true);
    expect(answer).toMatchObject({
      Status: 'SUCCESS',
      PhysicalResourceId: `dynatrace-privatelink:Allowlist:${dynatrace.url}`,
      Data: { ServiceName: SERVICE_NAME },
    });
    expect([...dynatrace.allowlist]).toEqual(['111111111111', '222222222222']);
  });

  test('a create delivered twice succeeds twice (201, then 204)', async () => {
    const e = event('Create', allowlist());
    expect((await invoke(e)).Status).toBe('SUCCESS');
    expect((await invoke(e)).Status).toBe('SUCCESS');
    expect(logs.filter((l) => l.includes('allowlisted account 111111111111'))).toEqual([
      'allowlisted account 111111111111 (added)', 'allowlisted account 111111111111 (already there)',
    ]);
  });

  test('an update that changes nothing makes no write call', async () => {
    const physical = `dynatrace-privatelink:Allowlist:${dynatrace.url}`;
    const props = event('Create', allowlist()).ResourceProperties;
    const answer = await invoke(event('Update', allowlist(), { PhysicalResourceId: physical, OldResourceProperties: props }));
    expect(dynatrace.calls).toEqual([`GET ${PL}`]);
    expect(answer).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: physical, Data: { ServiceName: SERVICE_NAME } });
  });

  test('an update adds new accounts and removes dropped ones', async () => {
    dynatrace.allowlist.add('111111111111');
    const old = event('Create', allowlist(['111111111111'])).ResourceProperties;
    await invoke(event('Update', allowlist(['222222222222']), { PhysicalResourceId: 'p', OldResourceProperties: old }));
    expect(dynatrace.calls).toEqual([
      `PUT ${PL}/allowlistedAccounts/222222222222`,
      `DELETE ${PL}/allowlistedAccounts/111111111111`,
      `GET ${PL}`,
    ]);
    expect([...dynatrace.allowlist]).toEqual(['222222222222']);
  });

  test('a changed environment is a replacement: a new physical ID, and every account allowlisted there', async () => {
    const old = { ...event('Create', allowlist()).ResourceProperties, ApiUrl: 'https://old12345.live.dynatrace.com' };
    const answer = await invoke(event('Update', allowlist(), { PhysicalResourceId: 'dynatrace-privatelink:Allowlist:https://old12345.live.dynatrace.com', OldResourceProperties: old }));
    expect(answer.PhysicalResourceId).toBe(`dynatrace-privatelink:Allowlist:${dynatrace.url}`);
    expect(dynatrace.calls).toEqual([`PUT ${PL}/allowlistedAccounts/111111111111`, `GET ${PL}`]);
  });

  test('delete removes the accounts; an account already gone is fine', async () => {
    dynatrace.allowlist.add('111111111111');
    dynatrace.failures.push({ status: 404, body: { error: { code: 404, message: 'not allowlisted' } } });
    const answer = await invoke(event('Delete', allowlist(['222222222222', '111111111111']), { PhysicalResourceId: 'p' }));
    expect(dynatrace.calls).toEqual([`DELETE ${PL}/allowlistedAccounts/222222222222`, `DELETE ${PL}/allowlistedAccounts/111111111111`]);
    expect(dynatrace.allowlist.size).toBe(0);
    expect(answer).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'p' });
    expect(logs).toContain('removed account 222222222222 from the allowlist (it was not there)');
  });

  test('delete retains the accounts when told to', async () => {
    await invoke(event('Delete', { ...allowlist(), RetainOnDelete: 'true' }, { PhysicalResourceId: 'p' }));
    expect(dynatrace.calls).toEqual([]);
  });
});

describe('Enable operation', () => {
  test('enables PrivateLink when it is off', async () => {
    const answer = await invoke(event('Create', enable()));
    expect(dynatrace.calls).toEqual([`GET ${PL}`, `PUT ${PL}`]);
    expect(dynatrace.requests[1].json).toEqual({ enabled: true });
    expect(dynatrace.enabled).toBe(true);
    expect(answer).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: `dynatrace-privatelink:Enable:${dynatrace.url}` });
  });

  test('writes nothing when it is already on', async () => {
    dynatrace.enabled = true;
    await invoke(event('Create', enable()));
    expect(dynatrace.calls).toEqual([`GET ${PL}`]);
  });

  test('delete leaves PrivateLink on unless asked', async () => {
    dynatrace.enabled = true;
    await invoke(event('Delete', enable(), { PhysicalResourceId: 'p' }));
    expect(dynatrace.calls).toEqual([]);
    await invoke(event('Delete', enable({ DisableOnDelete: 'true' }), { PhysicalResourceId: 'p' }));
    expect(dynatrace.calls).toEqual([`GET ${PL}`, `PUT ${PL}`]);
    expect(dynatrace.enabled).toBe(false);
  });
});

describe('failures reach CloudFormation with the call, the status and Dynatrace\'s message', () => {
  test('400 with constraint violations', async () => {
    const answer = await invoke(event('Create', allowlist(['12345'])));
    expect(answer.Status).toBe('FAILED');
    expect(answer.Reason).toMatch(new RegExp(`^PUT ${dynatrace.url}${PL}/allowlistedAccounts/12345 failed with HTTP 400: Constraints violated\\. \\(id: must be a 12-digit AWS account ID\\)$`));
    expect(answer.PhysicalResourceId).toBe('create-failed:req-1');
  });

  test('401: a bad token', async () => {
    token = `dt0c01.${'C'.repeat(24)}.${'S3CR3TPART'.repeat(6)}QRST`;
    const answer = await invoke(event('Create', allowlist()));
    expect(answer.Reason).toMatch(/failed with HTTP 401: Token Authentication failed \(the API token is not valid for this environment: check the secret's value\)/);
    expect(answer.Reason).not.toContain(token);
  });

  test('403: a token without the WriteConfig scope', async () => {
    token = READ_ONLY_TOKEN;
    const answer = await invoke(event('Create', allowlist()));
    expect(answer.Reason).toMatch(/PUT .* failed with HTTP 403: Token is missing required scope\. Use one of: WriteConfig .*lacks a scope/);
  });

  test('404: an environment without the API', async () => {
    dynatrace.failures.push({ status: 404, body: { error: { code: 404, message: 'HTTP 404 Not Found' } } });
    const answer = await invoke(event('Create', enable()));
    expect(answer).toMatchObject({ Status: 'FAILED', Reason: expect.stringMatching(/^GET .*\/aws\/privateLink failed with HTTP 404: HTTP 404 Not Found$/) });
  });

  test('429 with Retry-After is retried after the time it asks for', async () => {
    dynatrace.failures.push({ status: 429, headers: { 'retry-after': '3' } }, { status: 429, headers: { 'retry-after': '1' } });
    const answer = await invoke(event('Create', allowlist()));
    expect(answer.Status).toBe('SUCCESS');
    expect(sleeps).toEqual([3000, 1000]);
    expect(dynatrace.calls.slice(0, 3)).toEqual(Array(3).fill(`PUT ${PL}/allowlistedAccounts/111111111111`));
  });

  test('429 without Retry-After is retried with backoff', async () => {
    dynatrace.failures.push({ status: 429 }, { status: 503 }, { status: 429 });
    const answer = await invoke(event('Create', enable()));
    expect(answer.Status).toBe('SUCCESS');
    expect(sleeps).toEqual([375, 750, 1500]);
  });

  test('429 that never ends fails after the bounded retries, saying so', async () => {
    for (let i = 0; i < 10; i++) dynatrace.failures.push({ status: 429, body: { error: { code: 429, message: 'Too many requests' } } });
    const answer = await invoke(event('Create', enable()));
    expect(answer.Reason).toMatch(/^GET .* failed after 6 attempts: HTTP 429: Too many requests$/);
    expect(dynatrace.calls).toHaveLength(6);
  });

  test('500 is not retried', async () => {
    dynatrace.failures.push({ status: 500, body: { error: { code: 500, message: 'Internal error' } } });
    const answer = await invoke(event('Create', enable()));
    expect(answer.Reason).toMatch(/failed with HTTP 500: Internal error$/);
    expect(dynatrace.calls).toHaveLength(1);
  });

  test('a slow answer past the timeout is retried', async () => {
    dynatrace.failures.push({ status: 200, body: {}, delayMs: 1_500 });
    const answer = await invoke(event('Create', enable()), deps(200));
    expect(answer.Status).toBe('SUCCESS');
    expect(dynatrace.calls).toEqual([`GET ${PL}`, `GET ${PL}`, `PUT ${PL}`]);
  });

  test('malformed JSON where the service name should be', async () => {
    dynatrace.failures.push({ status: 200, body: '{"enabled": tru', raw: true });
    const answer = await invoke(event('Create', allowlist([])));
    expect(answer.Reason).toBe(`GET ${PL} returned no vpcEndpointServiceName: is AWS PrivateLink available for this environment?`);
  });

  test('a secret without the token field', async () => {
    const d: Deps = { secrets: { getSecretString: async () => '{"other":"x"}' } };
    const answer = await invoke(event('Create', allowlist()), d);
    expect(answer.Reason).toBe(`secret ${SECRET_ARN} has no non-empty string field "apiToken"`);
    expect(dynatrace.calls).toEqual([]);
  });
});
