import { CustomResourceEvent, WorkContext } from '../../src/internal/runtime/custom-resource';
import { whyDeleteCannotAct } from '../../src/internal/runtime/delete-leaves';
import { AmbiguousOutcomeError, HttpError } from '../../src/internal/runtime/http-client';
import { relayToWorker, runAsWorker, WorkerInvoker } from '../../src/internal/runtime/worker-relay';

const EVENT: CustomResourceEvent = {
  RequestType: 'Create',
  ResponseURL: 'https://cfn.example/r',
  StackId: 'stack',
  RequestId: 'r1',
  LogicalResourceId: 'R',
  ResourceType: 'Custom::Thing',
  ResourceProperties: {},
};
const SECRET = 'sup3r-secret-value';

function ctx(budgetMs: number, logs: string[] = []): WorkContext {
  return { event: EVENT, deadline: Date.now() + budgetMs, signal: new AbortController().signal, redact: () => undefined, log: (l) => logs.push(l) };
}
const answering = (payload: unknown): WorkerInvoker => ({ invoke: async () => ({ payload: JSON.stringify(payload) }) });

describe('runAsWorker', () => {
  test('redacts what the work registered from its reason, data and logs', async () => {
    const logs: string[] = [];
    const ok = await runAsWorker({ Event: EVENT, Deadline: Date.now() + 10_000 }, { getRemainingTimeInMillis: () => 60_000 }, async (c) => {
      c.redact(SECRET);
      c.log(`read ${SECRET}`);
      return { physicalResourceId: 'p', data: { Echo: SECRET }, reason: `kept ${SECRET}` };
    }, { log: (l) => logs.push(l) });
    expect(ok).toEqual({ Status: 'SUCCESS', PhysicalResourceId: 'p', Data: { Echo: '***' }, Reason: 'kept ***' });
    const failed = await runAsWorker({ Event: EVENT, Deadline: Date.now() + 10_000 }, { getRemainingTimeInMillis: () => 60_000 }, async (c) => {
      c.redact(SECRET);
      throw new Error(`refused ${SECRET}`);
    }, { log: (l) => logs.push(l) });
    expect(failed).toEqual({ Status: 'FAILED', Reason: 'refused ***' });
    expect(logs.join('\n')).not.toContain(SECRET);
  });

  test('stops the work at the deadline it was handed, not its own Lambda timeout', async () => {
    let aborted = false;
    const out = await runAsWorker({ Event: EVENT, Deadline: Date.now() + 1_200 }, { getRemainingTimeInMillis: () => 300_000 }, (c) =>
      new Promise((_, reject) => c.signal.addEventListener('abort', () => { aborted = true; reject(new Error('aborted')); })), { log: () => undefined });
    expect(aborted).toBe(true);
    expect(out).toMatchObject({ Status: 'FAILED', Reason: expect.stringMatching(/gave up after 1 s/) });
  });
});

describe('relayToWorker', () => {
  test('hands the worker a deadline that leaves the answering function its margin', async () => {
    let sent: any;
    const c = ctx(100_000);
    await relayToWorker(c, 'w', { invoke: async (_n, p) => { sent = JSON.parse(p); return { payload: JSON.stringify({ Status: 'SUCCESS', PhysicalResourceId: 'p' }) }; } });
    expect(sent.Deadline).toBe(c.deadline - 20_000);
    expect(sent.Event).toEqual({ ...EVENT, ResponseURL: '' });
  });

  test('an answer that is not a worker outcome, or a FAILED one without a reason, is a failure that says so', async () => {
    await expect(relayToWorker(ctx(60_000), 'w', answering({ statusCode: 200 }))).rejects.toThrow(/the in-VPC function w answered something that is not a worker outcome/);
    await expect(relayToWorker(ctx(60_000), 'w', answering({ Status: 'FAILED' }))).rejects.toThrow('the in-VPC function w failed without a reason');
  });

  test('no time left for the worker: nothing is invoked', async () => {
    let invoked = false;
    await expect(relayToWorker(ctx(20_500), 'w', { invoke: async () => { invoked = true; return {}; } })).rejects.toThrow(/no time left to invoke/);
    expect(invoked).toBe(false);
  });
});

describe('a worker\'s error keeps its kind through the relay, so a Delete decides on it as if it had run there', () => {
  /** The worker's outcome for an error thrown by its work, handed back through the relay. */
  async function throughRelay(error: unknown): Promise<{ outcome: any; relayed: unknown }> {
    const outcome = await runAsWorker({ Event: EVENT, Deadline: Date.now() + 10_000 }, { getRemainingTimeInMillis: () => 60_000 }, async (c) => {
      c.redact(SECRET);
      throw error;
    }, { log: () => undefined });
    const relayed = await relayToWorker(ctx(60_000), 'w', answering(outcome)).catch((e) => e);
    return { outcome, relayed };
  }
  const sdkError = (name: string, message: string) => Object.assign(new Error(message), { name });

  test('a host that does not resolve: an HttpError with its network code', async () => {
    const { outcome, relayed } = await throughRelay(new HttpError('DELETE https://abc12345.invalid/x failed after 6 attempts: network error: ENOTFOUND', undefined, undefined, 'ENOTFOUND'));
    expect(outcome.Error).toEqual({ Name: 'HttpError', NetworkCode: 'ENOTFOUND' });
    expect(relayed).toBeInstanceOf(HttpError);
    expect(relayed).toMatchObject({ networkCode: 'ENOTFOUND', status: undefined, message: expect.stringContaining('ENOTFOUND') });
    expect(whyDeleteCannotAct(relayed)).toMatch(/no longer resolves/);
  });

  test.each([401, 403])('HTTP %i: an HttpError with its status', async (status) => {
    const { outcome, relayed } = await throughRelay(new HttpError(`GET failed with HTTP ${status}`, status, { error: { message: 'no' } }));
    expect(outcome.Error).toEqual({ Name: 'HttpError', Status: status });
    expect(whyDeleteCannotAct(relayed)).toMatch(new RegExp(`HTTP ${status}`));
  });

  test.each([
    ['ResourceNotFoundException', 'Secrets Manager can\'t find the specified secret.', /no longer exists/],
    ['InvalidRequestException', 'You can\'t perform this operation on the secret because it was marked for deletion.', /scheduled for deletion/],
    ['DecryptionFailure', 'Secrets Manager can\'t decrypt the protected secret text using the provided KMS key.', /KMS key refuses/],
  ])('a secret that cannot be read (%s): the SDK\'s error name', async (name, message, reason) => {
    const { outcome, relayed } = await throughRelay(sdkError(name, message));
    expect(outcome.Error).toEqual({ Name: name });
    expect(relayed).toMatchObject({ name, message });
    expect(whyDeleteCannotAct(relayed)).toMatch(reason);
  });

  test('transient failures stay undecided: 503, throttling, an ambiguous create', async () => {
    const http503 = await throughRelay(new HttpError('failed after 6 attempts with HTTP 503', 503));
    expect(whyDeleteCannotAct(http503.relayed)).toBeUndefined();
    const throttled = await throughRelay(sdkError('ThrottlingException', 'Rate exceeded'));
    expect(whyDeleteCannotAct(throttled.relayed)).toBeUndefined();
    const ambiguous = await throughRelay(new AmbiguousOutcomeError('POST answered 503', 503));
    expect(ambiguous.relayed).toBeInstanceOf(AmbiguousOutcomeError);
    expect(ambiguous.relayed).toMatchObject({ status: 503 });
  });

  test('a plain Error carries no kind; the kind never carries a secret or a body', async () => {
    const plain = await throughRelay(new Error(`refused ${SECRET}`));
    expect(plain.outcome).toEqual({ Status: 'FAILED', Reason: 'refused ***' });
    expect(plain.relayed).toMatchObject({ name: 'Error', message: 'refused ***' });
    const withBody = await throughRelay(new HttpError(`refused ${SECRET}`, 401, { token: SECRET }));
    expect(JSON.stringify(withBody.outcome)).not.toContain(SECRET);
  });

  test('an answer whose kind is malformed is still a failure with its reason', async () => {
    const relayed = await relayToWorker(ctx(60_000), 'w', answering({ Status: 'FAILED', Reason: 'no', Error: 'HttpError' })).catch((e) => e);
    expect(relayed).toMatchObject({ name: 'Error', message: 'no' });
    expect(whyDeleteCannotAct(relayed)).toBeUndefined();
  });
});
