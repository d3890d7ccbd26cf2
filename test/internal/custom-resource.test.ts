import { ANSWER_RESERVE_MS, CREATE_FAILED_PREFIX, CustomResourceEvent, redactAll, runCustomResource } from '../../src/internal/runtime/custom-resource';
import { LocalServer } from '../support/local-server';

function event(server: LocalServer, overrides: Partial<CustomResourceEvent> = {}): CustomResourceEvent {
  return {
    RequestType: 'Create',
    ResponseURL: `${server.url}/cfn-response?X-Amz-Signature=abc`,
    StackId: 'arn:aws:cloudformation:eu-west-1:111111111111:stack/s/1',
    RequestId: 'req-1',
    LogicalResourceId: 'Thing',
    ResourceType: 'Custom::Thing',
    ResourceProperties: { ServiceToken: 'arn', Name: 'n' },
    ...overrides,
  };
}

const context = (ms = 60_000) => ({ getRemainingTimeInMillis: () => ms });

describe('runCustomResource', () => {
  let server: LocalServer;
  let lines: string[];
  beforeEach(async () => {
    server = await LocalServer.start(() => ({ status: 200 }));
    lines = [];
  });
  afterEach(() => server.stop());

  const opts = () => ({ log: (l: string) => lines.push(l), sleep: async () => undefined });

  test('answers SUCCESS with the physical ID and data, as a PUT with an empty content type', async () => {
    await runCustomResource(event(server), context(), async () => ({ physicalResourceId: 'pid', data: { Name: 'v' } }), opts());
    expect(server.requests).toHaveLength(1);
    const [put] = server.requests;
    expect(put.method).toBe('PUT');
    expect(put.path).toBe('/cfn-response?X-Amz-Signature=abc');
    expect(put.headers['content-type']).toBe('');
    expect(put.json).toEqual({
      Status: 'SUCCESS',
      Reason: 'OK',
      PhysicalResourceId: 'pid',
      StackId: event(server).StackId,
      RequestId: 'req-1',
      LogicalResourceId: 'Thing',
      NoEcho: false,
      Data: { Name: 'v' },
    });
  });

  test('a failure answers FAILED with the reason, redacted, and a create-failed physical ID', async () => {
    await runCustomResource(event(server), context(), async ({ redact }) => {
      redact('dt0c01.SECRETSECRETSECRET');
      throw new Error('GET /x failed with HTTP 401: token dt0c01.SECRETSECRETSECRET is invalid');
    }, opts());
    const answer = server.requests[0].json;
    expect(answer.Status).toBe('FAILED');
    expect(answer.Reason).toBe('GET /x failed with HTTP 401: token *** is invalid');
    expect(answer.PhysicalResourceId).toBe(`${CREATE_FAILED_PREFIX}req-1`);
    expect(lines.join('\n')).not.toContain('SECRET');
    expect(lines.join('\n')).toContain('FAILED: GET /x failed with HTTP 401: token *** is invalid');
  });

  test('a failed update keeps the existing physical ID', async () => {
    await runCustomResource(event(server, { RequestType: 'Update', PhysicalResourceId: 'old' }), context(), async () => {
      throw new Error('nope');
    }, opts());
    expect(server.requests[0].json).toMatchObject({ Status: 'FAILED', PhysicalResourceId: 'old' });
  });

  test('deleting a resource whose create failed does no work', async () => {
    const work = jest.fn();
    await runCustomResource(event(server, { RequestType: 'Delete', PhysicalResourceId: `${CREATE_FAILED_PREFIX}req-0` }), context(), work, opts());
    expect(work).not.toHaveBeenCalled();
    expect(server.requests[0].json).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: `${CREATE_FAILED_PREFIX}req-0` });
  });

  test('work that outlives its budget is answered FAILED before the Lambda times out', async () => {
    await runCustomResource(event(server), context(1_200), () => new Promise(() => undefined), { ...opts(), reserveMs: 200 });
    expect(server.requests[0].json).toMatchObject({ Status: 'FAILED', Reason: expect.stringMatching(/gave up after 1 s, before the Lambda timeout/) });
  });

  test('gives the work a deadline inside the budget', async () => {
    let deadline = 0;
    const before = Date.now();
    await runCustomResource(event(server), context(60_000), async (ctx) => {
      deadline = ctx.deadline;
      return { physicalResourceId: 'p' };
    }, { ...opts(), reserveMs: 10_000 });
    expect(deadline - before).toBeGreaterThanOrEqual(49_000);
    expect(deadline - before).toBeLessThanOrEqual(50_500);
  });

  test('retries the ResponseURL, then fails loudly', async () => {
    let calls = 0;
    server.route = () => (++calls < 3 ? { status: 500 } : { status: 200 });
    await runCustomResource(event(server), context(), async () => ({ physicalResourceId: 'p' }), opts());
    expect(calls).toBe(3);
    server.route = () => ({ status: 403 });
    await expect(runCustomResource(event(server), context(), async () => ({ physicalResourceId: 'p' }), opts()))
      .rejects.toThrow('could not answer CloudFormation after 4 attempts: HTTP 403');
  });

  test('by default keeps 30 s for the answer: enough for every attempt to deliver it', async () => {
    let deadline = 0;
    const before = Date.now();
    await runCustomResource(event(server), context(300_000), async (ctx) => {
      deadline = ctx.deadline;
      return { physicalResourceId: 'p' };
    }, opts());
    expect(ANSWER_RESERVE_MS).toBe(30_000);
    expect(deadline - before).toBeGreaterThanOrEqual(269_000);
    expect(deadline - before).toBeLessThanOrEqual(270_500);
  });

  test('every attempt to deliver the answer is bounded, so the answer itself fits in the reserve', async () => {
    server.route = () => ({ status: 200, hang: true });
    const started = Date.now();
    await expect(runCustomResource(event(server), context(60_000), async () => ({ physicalResourceId: 'p' }), { ...opts(), reserveMs: 2_000 }))
      .rejects.toThrow(/could not answer CloudFormation after \d attempts/);
    expect(Date.now() - started).toBeLessThan(4_000);
  });

  test('at the deadline the work\'s signal fires, so what it started stops and nothing resumes later', async () => {
    let aborted: unknown;
    let resumed = false;
    await runCustomResource(event(server), context(1_200), async (ctx) => {
      ctx.signal.addEventListener('abort', () => { aborted = ctx.signal.reason; });
      await new Promise((r) => setTimeout(r, 1_500));
      if (!ctx.signal.aborted) resumed = true;
      return { physicalResourceId: 'p' };
    }, { ...opts(), reserveMs: 200 });
    expect(server.requests[0].json).toMatchObject({ Status: 'FAILED', Reason: 'gave up after 1 s, before the Lambda timeout: the work was cancelled' });
    expect((aborted as Error).message).toBe('gave up after 1 s, before the Lambda timeout: the work was cancelled');
    await new Promise((r) => setTimeout(r, 600));
    expect(resumed).toBe(false);
    expect(server.requests).toHaveLength(1);
  });

  test('work that fails because its signal fired reports the deadline, not its own abort error', async () => {
    await runCustomResource(event(server), context(1_200), (ctx) => new Promise((_, reject) => {
      ctx.signal.addEventListener('abort', () => reject(new Error('AbortError: This operation was aborted')));
    }), { ...opts(), reserveMs: 200 });
    expect(server.requests[0].json.Reason).toBe('gave up after 1 s, before the Lambda timeout: the work was cancelled');
  });

  test('a SUCCESS can carry a reason (what a delete left behind), redacted', async () => {
    await runCustomResource(event(server, { RequestType: 'Delete', PhysicalResourceId: 'p' }), context(), async ({ redact }) => {
      redact('dt0c01.SECRETSECRETSECRET');
      return { physicalResourceId: 'p', reason: 'kept token dt0c01.SECRETSECRETSECRET' };
    }, opts());
    expect(server.requests[0].json).toMatchObject({ Status: 'SUCCESS', Reason: 'kept token ***' });
    expect(lines).toContain('kept token ***');
  });

  test('cuts very long reasons so the whole answer fits 4,096 bytes, and says so (more in answer-size.test.ts)', async () => {
    await runCustomResource(event(server), context(), async () => { throw new Error('x'.repeat(10_000)); }, opts());
    expect(Buffer.byteLength(server.requests[0].body)).toBeLessThanOrEqual(4096);
    expect(server.requests[0].json.Reason).toMatch(/^x+ … \(cut: [\d,]+ bytes of reason, to fit CloudFormation's 4,096-byte answer\)$/);
    expect(lines).toContain(`FAILED: ${'x'.repeat(10_000)}`);
  });

  test('redacts registered secrets from Data too', async () => {
    await runCustomResource(event(server), context(), async ({ redact }) => {
      redact('dt0c01.SECRETSECRETSECRET');
      return { physicalResourceId: 'p', data: { Echo: 'value dt0c01.SECRETSECRETSECRET' } };
    }, opts());
    expect(server.requests[0].json.Data).toEqual({ Echo: 'value ***' });
  });
});

test('redactAll replaces plain and URL-encoded forms and ignores tiny values', () => {
  expect(redactAll('a s3cr/et b s3cr%2Fet', ['s3cr/et'])).toBe('a *** b ***');
  expect(redactAll('abc', ['ab'])).toBe('abc');
});
