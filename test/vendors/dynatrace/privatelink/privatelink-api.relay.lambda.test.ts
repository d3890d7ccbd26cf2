/*
 * The PrivateLink API handler split for a VPC placement, driven through its real entry
 * (handleEvent): the answering function relays the Dynatrace part to a worker, here the same
 * handler in work mode run in-process (or a failing stand-in for Lambda's Invoke), and keeps the
 * region check (EC2) for itself.
 */
import { allowlist, ENV, Harness } from './privatelink-api-harness';
import { CustomResourceEvent, LambdaContext } from '../../../../src/internal/runtime/custom-resource';
import { HANDLER_MODE_ENV, ServeOptions, WORK_MODE, WORKER_FUNCTION_ENV, WorkerInvoker } from '../../../../src/internal/runtime/worker-relay';
import { Deps, EndpointServices, handleEvent } from '../../../../src/vendors/dynatrace/privatelink/privatelink-api.lambda';
import { SERVICE_NAME } from '../dynatrace-stand-in';

let h: Harness;
beforeEach(async () => { h = await Harness.start(); });
afterEach(async () => h.stop());

const WORKER = 'Stack-DynatracePrivateLinkApiWorker-abc';

const context = (remainingMs: number): LambdaContext => {
  const started = Date.now();
  return { getRemainingTimeInMillis: () => remainingMs - (Date.now() - started) };
};

/** EC2 as the answering function sees it; the worker's must never be asked. */
function endpointServices(answer: boolean): EndpointServices & { asked: string[] } {
  const asked: string[] = [];
  return { asked, acceptsCrossRegion: async (name, region) => { asked.push(`${name}@${region}`); return answer; } };
}

/** The answering function never reads a secret: it has no grant to. */
const answeringDeps = (ec2 = endpointServices(true)): Deps => ({
  secrets: { getSecretString: async (id) => { throw new Error(`the answering function read ${id}`); } },
  endpointServices: ec2,
});

/** Lambda's Invoke running the real handler in work mode, in-process; records what it was sent. */
function inProcessWorker(workerDeps: Deps = { ...h.deps(), endpointServices: { acceptsCrossRegion: async () => { throw new Error('EC2 asked from the VPC'); } } }) {
  const requests: any[] = [];
  const invoker: WorkerInvoker = {
    invoke: async (name, payload) => {
      expect(name).toBe(WORKER);
      requests.push(JSON.parse(payload));
      const answer = await handleEvent(JSON.parse(payload), context(300_000), workerDeps,
        { env: { [HANDLER_MODE_ENV]: WORK_MODE }, log: (l) => h.logs.push(`worker: ${l}`) });
      return { payload: JSON.stringify(answer) };
    },
  };
  return { invoker, requests };
}

async function relay(e: CustomResourceEvent, invoker: WorkerInvoker, options: Partial<ServeOptions> & { remainingMs?: number; deps?: Deps } = {}) {
  const answersBefore = h.cfn.requests.length;
  const started = Date.now();
  await handleEvent(e, context(options.remainingMs ?? 60_000), options.deps ?? answeringDeps(), {
    env: { [WORKER_FUNCTION_ENV]: WORKER },
    invoker,
    log: (l) => h.logs.push(l),
    sleep: async () => undefined,
    ...options,
  });
  expect(h.cfn.requests.length).toBe(answersBefore + 1);
  return { answer: h.cfn.requests[h.cfn.requests.length - 1].json, ms: Date.now() - started };
}

describe('answer mode with a worker', () => {
  test('create: the worker calls Dynatrace, the answering function answers with its result and the region it checked', async () => {
    const worker = inProcessWorker();
    const { answer } = await relay(h.event('Create', allowlist(['111111111111'], { VpcRegion: 'ap-southeast-2' })), worker.invoker);
    expect(answer).toMatchObject({
      Status: 'SUCCESS',
      PhysicalResourceId: `dynatrace-privatelink:allowlist:${ENV}`,
      Data: { ServiceName: SERVICE_NAME, ServiceRegion: 'ap-southeast-2' },
    });
    expect(h.dynatrace.allowlist.has('111111111111')).toBe(true);
    // The worker got the event without the response URL, and a deadline well inside the answering function's.
    expect(worker.requests).toHaveLength(1);
    expect(worker.requests[0].Event.ResponseURL).toBe('');
    expect(worker.requests[0].Deadline).toBeLessThan(Date.now() + 60_000 - 30_000 - 19_000);
  });

  test('the region check (EC2) runs in the answering function, outside the VPC', async () => {
    const ec2 = endpointServices(true);
    const { answer } = await relay(h.event('Create', allowlist(['111111111111'], { VpcRegion: 'ap-northeast-1' })),
      inProcessWorker().invoker, { deps: answeringDeps(ec2) });
    expect(answer).toMatchObject({ Status: 'SUCCESS', Data: { ServiceName: SERVICE_NAME, ServiceRegion: 'ap-southeast-2' } });
    expect(ec2.asked).toEqual([`${SERVICE_NAME}@ap-southeast-2`]);
  });

  test('a failure in the worker (a revoked token) is answered FAILED with its reason, and no secret', async () => {
    h.token = `dt0c01.${'R'.repeat(24)}.${'REVOKEDSECRET'.repeat(5)}`;
    const { answer } = await relay(h.event('Create', allowlist()), inProcessWorker().invoker);
    expect(answer.Status).toBe('FAILED');
    expect(answer.Reason).toMatch(/401.*the API token is not valid/);
    expect(answer.Reason).not.toContain('REVOKEDSECRET');
    expect(answer.PhysicalResourceId).toMatch(/^create-failed:/);
  });

  test('a worker that throws (a Lambda function error) fails the create with what Lambda said', async () => {
    const invoker: WorkerInvoker = {
      invoke: async () => ({ functionError: 'Unhandled', payload: JSON.stringify({ errorType: 'Runtime.ImportModuleError', errorMessage: 'Cannot find module' }) }),
    };
    const { answer } = await relay(h.event('Create', allowlist()), invoker);
    expect(answer).toMatchObject({ Status: 'FAILED' });
    expect(answer.Reason).toBe(`the in-VPC function ${WORKER} failed (Unhandled): Runtime.ImportModuleError: Cannot find module`);
  });

  test('an invoke Lambda refuses fails the create, naming the error', async () => {
    const invoker: WorkerInvoker = {
      invoke: async () => { throw Object.assign(new Error('not authorized to perform lambda:InvokeFunction'), { name: 'AccessDeniedException' }); },
    };
    const { answer } = await relay(h.event('Create', allowlist()), invoker);
    expect(answer.Status).toBe('FAILED');
    expect(answer.Reason).toBe(`could not invoke the in-VPC function ${WORKER}: AccessDeniedException: not authorized to perform lambda:InvokeFunction`);
  });

  test('a worker that never answers (no route from its subnets) fails before the deadline, saying what to check', async () => {
    let seen: AbortSignal | undefined;
    const invoker: WorkerInvoker = {
      invoke: (_name, _payload, signal) => new Promise((_, reject) => {
        seen = signal;
        signal.addEventListener('abort', () => reject(Object.assign(new Error('aborted'), { name: 'AbortError' })));
      }),
    };
    const { answer, ms } = await relay(h.event('Create', allowlist()), invoker,
      { remainingMs: 2_500, reserveMs: 500, relay: { afterWorkMs: 400, returnMarginMs: 100 } });
    expect(answer.Status).toBe('FAILED');
    expect(answer.Reason).toMatch(new RegExp(`the in-VPC function ${WORKER} did not answer within \\d+ s: check that its subnets reach Secrets Manager`));
    expect(ms).toBeLessThan(2_000);
    expect(seen?.aborted).toBe(true);
  });

  test('an idle worker that is not ready yet is invoked again, and its result answered', async () => {
    const worker = inProcessWorker();
    const pauses: number[] = [];
    let first = true;
    const invoker: WorkerInvoker = {
      invoke: async (name, payload, signal) => {
        if (first) {
          first = false;
          throw Object.assign(new Error('The function is inactive'), { name: 'ResourceNotReadyException' });
        }
        return worker.invoker.invoke(name, payload, signal);
      },
    };
    const { answer } = await relay(h.event('Create', allowlist()), invoker, { relay: { pause: async (ms) => { pauses.push(ms); } } });
    expect(answer.Status).toBe('SUCCESS');
    expect(pauses).toEqual([5_000]);
  });

  test('delete: removal opted in is done by the worker and answered', async () => {
    h.dynatrace.allowlist.add('111111111111');
    const { answer } = await relay(h.event('Delete', allowlist(['111111111111'], { RetainOnDelete: 'false' }),
      { PhysicalResourceId: `dynatrace-privatelink:allowlist:${ENV}` }), inProcessWorker().invoker);
    expect(answer).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: `dynatrace-privatelink:allowlist:${ENV}` });
    expect(h.dynatrace.allowlist.has('111111111111')).toBe(false);
  });

  test('delete: a worker that fails or hangs still gets the delete answered (FAILED, with the reason)', async () => {
    const hanging: WorkerInvoker = { invoke: (_n, _p, signal) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason))) };
    const { answer } = await relay(h.event('Delete', allowlist(['111111111111'], { RetainOnDelete: 'false' }),
      { PhysicalResourceId: `dynatrace-privatelink:allowlist:${ENV}` }), hanging,
    { remainingMs: 2_500, reserveMs: 500, relay: { afterWorkMs: 400, returnMarginMs: 100 } });
    expect(answer).toMatchObject({ Status: 'FAILED', PhysicalResourceId: `dynatrace-privatelink:allowlist:${ENV}` });
    expect(answer.Reason).toMatch(/did not answer within/);
  });

  test('delete of a create that failed invokes nothing', async () => {
    const invoker: WorkerInvoker = { invoke: async () => { throw new Error('invoked'); } };
    const { answer } = await relay(h.event('Delete', allowlist(), { PhysicalResourceId: 'create-failed:req-0' }), invoker);
    expect(answer).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'create-failed:req-0' });
  });
});

describe('work mode', () => {
  test('returns the Dynatrace part\'s result and never answers CloudFormation, even with a response URL', async () => {
    const e = h.event('Create', allowlist(['111111111111'], { VpcRegion: 'eu-west-1' }));
    const out = await handleEvent({ Event: e, Deadline: Date.now() + 30_000 }, context(300_000), h.deps(),
      { env: { [HANDLER_MODE_ENV]: WORK_MODE }, log: (l) => h.logs.push(l) });
    // No region check here: it is the answering function's.
    expect(out).toEqual({
      Status: 'SUCCESS', PhysicalResourceId: `dynatrace-privatelink:allowlist:${ENV}`, Data: { ServiceName: SERVICE_NAME },
    });
    expect(h.cfn.requests).toHaveLength(0);
  });

  test('a failure is returned FAILED with the redacted reason, never answered', async () => {
    h.token = `dt0c01.${'R'.repeat(24)}.${'REVOKEDSECRET'.repeat(5)}`;
    const out = await handleEvent({ Event: h.event('Create', allowlist()), Deadline: Date.now() + 30_000 }, context(300_000), h.deps(),
      { env: { [HANDLER_MODE_ENV]: WORK_MODE }, log: (l) => h.logs.push(l) });
    expect(out).toMatchObject({ Status: 'FAILED', Reason: expect.stringMatching(/401/) });
    expect(JSON.stringify(out)).not.toContain('REVOKEDSECRET');
    expect(h.cfn.requests).toHaveLength(0);
  });

  test('CloudFormation\'s own event, or a deadline already passed, is refused without a call or an answer', async () => {
    const env = { [HANDLER_MODE_ENV]: WORK_MODE };
    const direct = await handleEvent(h.event('Create', allowlist()), context(300_000), h.deps(), { env, log: () => undefined });
    expect(direct).toMatchObject({ Status: 'FAILED', Reason: expect.stringMatching(/not a worker request/) });
    const late = await handleEvent({ Event: h.event('Create', allowlist()), Deadline: Date.now() - 1 }, context(300_000), h.deps(), { env, log: () => undefined });
    expect(late).toMatchObject({ Status: 'FAILED', Reason: expect.stringMatching(/nothing was called/) });
    expect(h.dynatrace.calls).toEqual([]);
    expect(h.cfn.requests).toHaveLength(0);
  });
});
