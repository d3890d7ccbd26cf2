/*
 * The PrivateLink API handler through what CloudFormation sends when another resource fails
 * (rollbacks, a cancelled create) and through deletes over a vendor side that is gone, with the
 * removal on delete opted in: the lifecycle rows drive the defaults, these drive what acts.
 */
import { allowlist, ALLOWLIST, awsError, enable, ENV, GONE_URL, Harness, PL, SECRET_ARN, UNREADABLE_SECRETS } from './privatelink-api-harness';
import { CustomResourceEvent, LambdaContext } from '../../../../src/internal/runtime/custom-resource';
import { HANDLER_MODE_ENV, WORK_MODE, WORKER_FUNCTION_ENV, WorkerInvoker } from '../../../../src/internal/runtime/worker-relay';
import { Deps, handleEvent } from '../../../../src/vendors/dynatrace/privatelink/privatelink-api.lambda';

let h: Harness;
beforeEach(async () => { h = await Harness.start(); });
afterEach(async () => h.stop());

const REMOVE = { RetainOnDelete: 'false' };
const DISABLE = { DisableOnDelete: 'true' };
const ALLOWLIST_ID = `dynatrace-privatelink:allowlist:${ENV}`;
const MADE_UP = 'Stack-Allowlist-1A2B3C4D5E6F';

/** The harness's deps with a fetch that answers some requests itself (else the stand-in answers). */
function depsAnswering(answer: (method: string, url: string) => Response | undefined): Deps {
  const deps = h.deps();
  const fetchFn: typeof fetch = async (input, init) => answer(init?.method ?? 'GET', String(input)) ?? fetch(input, init);
  return { ...deps, client: { ...deps.client, fetchFn } };
}

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

describe('a create CloudFormation cancelled: the Delete with a physical ID the handler never gave', () => {
  test('with removal opted in, the accounts the create allowlisted are found by the properties and removed', async () => {
    const created = await h.invoke(h.event('Create', allowlist(['111111111111', '222222222222'], REMOVE)));
    expect(created.PhysicalResourceId).toBe(ALLOWLIST_ID);
    expect(h.dynatrace.allowlist.size).toBe(2);
    const from = h.dynatrace.calls.length;
    const answer = await h.invoke(h.event('Delete', allowlist(['111111111111', '222222222222'], REMOVE), { PhysicalResourceId: MADE_UP }));
    expect(answer).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: MADE_UP });
    expect(h.callsSince(from)).toEqual([`DELETE ${ALLOWLIST}/{id}`, `DELETE ${ALLOWLIST}/{id}`]);
    expect(h.dynatrace.allowlist.size).toBe(0);
    expect(h.logs.join('\n')).toContain(`physical ID ${MADE_UP} is not one this handler gives`);
  });

  test('with removal opted in, an account that another stack keeps is kept when this resource does not list it', async () => {
    h.dynatrace.allowlist.add('333333333333');
    await h.invoke(h.event('Create', allowlist(['111111111111'], REMOVE)));
    await h.invoke(h.event('Delete', allowlist(['111111111111'], REMOVE), { PhysicalResourceId: MADE_UP }));
    expect([...h.dynatrace.allowlist]).toEqual(['333333333333']);
  });

  test('with disabling opted in, the enable the create did is undone', async () => {
    await h.invoke(h.event('Create', enable(DISABLE)));
    expect(h.dynatrace.enabled).toBe(true);
    const answer = await h.invoke(h.event('Delete', enable(DISABLE), { PhysicalResourceId: 'Stack-Enable-XYZ' }));
    expect(answer).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'Stack-Enable-XYZ' });
    expect(h.dynatrace.enabled).toBe(false);
  });
});

describe('rollbacks with removal opted in', () => {
  test('update rolled back after an in-place update: the account the failed deploy added is removed, the old ones stay', async () => {
    const before = h.event('Create', allowlist(['111111111111'], REMOVE)).ResourceProperties;
    const after = h.event('Create', allowlist(['111111111111', '222222222222'], REMOVE)).ResourceProperties;
    await h.invoke(h.event('Create', before));
    await h.invoke(h.event('Update', after, { PhysicalResourceId: ALLOWLIST_ID, OldResourceProperties: before }));
    expect(h.dynatrace.allowlist.has('222222222222')).toBe(true);
    const from = h.dynatrace.calls.length;
    const answer = await h.invoke(h.event('Update', before, { PhysicalResourceId: ALLOWLIST_ID, OldResourceProperties: after }));
    expect(answer).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: ALLOWLIST_ID });
    expect(h.callsSince(from)).toEqual([`GET ${ALLOWLIST}`, `DELETE ${ALLOWLIST}/{id}`, `GET ${PL}`]);
    expect([...h.dynatrace.allowlist]).toEqual(['111111111111']);
  });

  test('update rolled back after a replacement: the new environment\'s accounts are removed, nothing is sent to the old one', async () => {
    // Environments told apart by their URL (ActiveGate form), which the stand-in serves alike.
    const old = allowlist(['111111111111'], { ...REMOVE, ApiUrl: `${h.dynatrace.url}/e/old00000`, EnvironmentId: 'old00000' });
    const replacement = allowlist(['111111111111'], { ...REMOVE, ApiUrl: `${h.dynatrace.url}/e/${ENV}`, EnvironmentId: ENV });
    const oldProps = h.event('Create', old).ResourceProperties;
    await h.invoke(h.event('Create', old));
    const replaced = await h.invoke(h.event('Update', replacement, { PhysicalResourceId: 'dynatrace-privatelink:allowlist:old00000', OldResourceProperties: oldProps }));
    expect(replaced.PhysicalResourceId).toBe(ALLOWLIST_ID);
    const from = h.dynatrace.calls.length;
    const answer = await h.invoke(h.event('Delete', replacement, { PhysicalResourceId: ALLOWLIST_ID }));
    expect(answer).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: ALLOWLIST_ID });
    expect(h.dynatrace.calls.slice(from)).toEqual([`DELETE /e/${ENV}${ALLOWLIST}/111111111111`]);
  });
});

describe('a Delete over a vendor side that is gone answers SUCCESS and names what it left', () => {
  test('the host no longer resolves (the real resolver, after the bounded retries)', async () => {
    const answer = await h.invoke(h.event('Delete', allowlist(['111111111111', '222222222222'], { ...REMOVE, ApiUrl: GONE_URL }), { PhysicalResourceId: ALLOWLIST_ID }));
    expect(answer.Status).toBe('SUCCESS');
    expect(answer.Reason).toMatch(/^could not remove AWS accounts 111111111111, 222222222222 from the allowlist of Dynatrace environment abc12345: the vendor's host name no longer resolves \(ENOTFOUND\)/);
    expect(answer.Reason).toMatch(/DELETE \{id\} with a WriteConfig token|DELETE \/api\/config\/v1\/aws\/privateLink\/allowlistedAccounts\/\{id\}/);
  });

  test.each(UNREADABLE_SECRETS)('the token\'s secret is %s: SUCCESS naming the secret, nothing called', async (_what, error) => {
    h.secretError = error;
    const answer = await h.invoke(h.event('Delete', enable(DISABLE), { PhysicalResourceId: `dynatrace-privatelink:enable:${ENV}` }));
    expect(answer.Status).toBe('SUCCESS');
    expect(answer.Reason).toMatch(/^could not disable AWS PrivateLink in Dynatrace environment abc12345: the credential's secret/);
    expect(answer.Reason).toContain(`could not read the API token from secret ${SECRET_ARN}: ${error.name}: ${error.message}`);
    expect(answer.Reason).toMatch(/PrivateLink stays enabled; disable it by hand/);
    expect(h.dynatrace.calls).toEqual([]);
  });

  test('a refusal half-way: the accounts already removed are not named as left', async () => {
    h.dynatrace.allowlist.add('111111111111').add('222222222222');
    const deps = depsAnswering((method, url) => (method === 'DELETE' && url.endsWith('/222222222222')
      ? json(403, { error: { code: 403, message: 'Token is missing required scope' } }) : undefined));
    const answer = await h.invoke(h.event('Delete', allowlist(['111111111111', '222222222222'], REMOVE), { PhysicalResourceId: ALLOWLIST_ID }), { deps });
    expect(answer.Status).toBe('SUCCESS');
    expect(answer.Reason).toMatch(/^could not remove AWS accounts 222222222222 from the allowlist .*refused the credential \(HTTP 403\)/);
    expect([...h.dynatrace.allowlist]).toEqual(['222222222222']);
  });
});

describe('transient failures still fail, so that CloudFormation\'s retried delete cleans up', () => {
  test.each([503, 429])('HTTP %i on every attempt: FAILED after the bounded retries, naming the call', async (status) => {
    h.dynatrace.failures.push(...Array(10).fill({ status, body: { error: { code: status, message: 'busy' } } }));
    const answer = await h.invoke(h.event('Delete', allowlist(['111111111111'], REMOVE), { PhysicalResourceId: ALLOWLIST_ID }));
    expect(answer.Status).toBe('FAILED');
    expect(answer.Reason).toMatch(new RegExp(`^DELETE .*allowlistedAccounts/111111111111 .*${status}`));
    expect(h.dynatrace.calls.length).toBeLessThanOrEqual(6);
  });

  test.each([
    awsError('ThrottlingException', 'Rate exceeded'),
    awsError('InternalServiceError', 'An error occurred on the server side.'),
    awsError('InvalidRequestException', 'You provided a parameter value that is not valid for the current state of the resource.'),
  ])('reading the secret fails with $name: FAILED', async (error) => {
    h.secretError = error;
    const answer = await h.invoke(h.event('Delete', allowlist(['111111111111'], REMOVE), { PhysicalResourceId: ALLOWLIST_ID }));
    expect(answer.Status).toBe('FAILED');
    expect(answer.Reason).toBe(`could not read the API token from secret ${SECRET_ARN}: ${error.name}: ${error.message}`);
  });
});

describe('what the handler puts in a URL is checked for its exact form first', () => {
  test('an account ID that is not 12 digits: FAILED before the token is read or anything is called', async () => {
    const answer = await h.invoke(h.event('Delete', allowlist(['111111111111', '12345/../../privateLink'], REMOVE), { PhysicalResourceId: ALLOWLIST_ID }));
    expect(answer).toMatchObject({ Status: 'FAILED', Reason: 'AWS account ID "12345/../../privateLink" is not 12 digits: no allowlist call was made with it' });
    expect(h.secretReads).toBe(0);
    expect(h.dynatrace.calls).toEqual([]);
  });

  test('on create, no PUT is made with it', async () => {
    const answer = await h.invoke(h.event('Create', allowlist(['1234567890123'])));
    expect(answer.Status).toBe('FAILED');
    expect(h.dynatrace.calls).toEqual([`GET ${ALLOWLIST}`]);
  });

  test('an endpoint service name that is not of the expected form: EC2 is not asked about it', async () => {
    const asked: string[] = [];
    const bad = 'com.amazonaws.vpce.us-east-1.vpce-svc-0abc?x=1';
    const deps: Deps = {
      ...depsAnswering((method, url) => (method === 'GET' && url.endsWith(PL) ? json(200, { enabled: false, vpcEndpointServiceName: bad }) : undefined)),
      endpointServices: { acceptsCrossRegion: async (name) => { asked.push(name); return true; } },
    };
    const answer = await h.invoke(h.event('Create', allowlist(['111111111111'], { VpcRegion: 'ap-southeast-2' })), { deps });
    expect(answer.Status).toBe('FAILED');
    expect(answer.Reason).toContain(`the endpoint service name ${bad} that Dynatrace returned is not of the form`);
    expect(asked).toEqual([]);
  });
});

describe('placed in a VPC: the worker decides, and its error keeps its kind through the relay', () => {
  const context = (): LambdaContext => ({ getRemainingTimeInMillis: () => 60_000 });
  const worker = (deps: Deps): WorkerInvoker => ({
    invoke: async (_name, payload) => {
      const options = { env: { [HANDLER_MODE_ENV]: WORK_MODE }, log: (l: string) => h.logs.push(l) };
      return { payload: JSON.stringify(await handleEvent(JSON.parse(payload), context(), deps, options)) };
    },
  });
  async function relay(e: CustomResourceEvent, invoker: WorkerInvoker): Promise<any> {
    const answering: Deps = { secrets: { getSecretString: async (id) => { throw new Error(`the answering function read ${id}`); } } };
    await handleEvent(e, context(), answering, { env: { [WORKER_FUNCTION_ENV]: 'w' }, invoker, log: (l) => h.logs.push(l), sleep: async () => undefined });
    return h.cfn.requests[h.cfn.requests.length - 1].json;
  }

  test.each(UNREADABLE_SECRETS)('the token\'s secret is %s: SUCCESS', async (_what, error) => {
    h.secretError = error;
    const answer = await relay(h.event('Delete', allowlist(['111111111111'], REMOVE), { PhysicalResourceId: ALLOWLIST_ID }), worker(h.deps()));
    expect(answer.Status).toBe('SUCCESS');
    expect(answer.Reason).toMatch(/^could not remove AWS accounts 111111111111 .*the credential's secret/);
  });

  test('the host no longer resolves: SUCCESS; a vendor down: FAILED', async () => {
    const gone = await relay(h.event('Delete', enable({ ...DISABLE, ApiUrl: GONE_URL }), { PhysicalResourceId: `dynatrace-privatelink:enable:${ENV}` }), worker(h.deps()));
    expect(gone).toMatchObject({ Status: 'SUCCESS', Reason: expect.stringMatching(/no longer resolves \(ENOTFOUND\)/) });
    h.dynatrace.failures.push(...Array(10).fill({ status: 503 }));
    const down = await relay(h.event('Delete', enable(DISABLE), { PhysicalResourceId: `dynatrace-privatelink:enable:${ENV}` }), worker(h.deps()));
    expect(down.Status).toBe('FAILED');
  });
});
