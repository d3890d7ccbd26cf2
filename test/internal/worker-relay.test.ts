import { CustomResourceEvent, WorkContext } from '../../src/internal/runtime/custom-resource';
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
