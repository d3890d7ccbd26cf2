/*
 * The ActiveGate token handler split for a VPC placement, through its real entry (handleEvent):
 * the answering function reads no secret and calls no vendor; the worker (the same handler in
 * work mode, run in-process) does all of it and never answers CloudFormation.
 */
import { Harness, TARGET_SECRET } from './activegate-token-harness';
import { CustomResourceEvent, LambdaContext } from '../../../../src/internal/runtime/custom-resource';
import { HANDLER_MODE_ENV, WORK_MODE, WORKER_FUNCTION_ENV, WorkerInvoker } from '../../../../src/internal/runtime/worker-relay';
import { handleEvent, TokenDeps } from '../../../../src/vendors/dynatrace/activegate/activegate-token.lambda';

let h: Harness;
beforeEach(async () => { h = await Harness.start(); });
afterEach(async () => h.stop());

const WORKER = 'Stack-DynatraceActiveGateTokensWorker-abc';
const context = (remainingMs: number): LambdaContext => ({ getRemainingTimeInMillis: () => remainingMs });
const noSecrets: TokenDeps = {
  secrets: { getSecretString: async (id) => { throw new Error(`the answering function read ${id}`); } },
  writer: { putSecretString: async (id) => { throw new Error(`the answering function wrote ${id}`); } },
  previous: { getPreviousSecretString: async (id) => { throw new Error(`the answering function read ${id}`); } },
};

const inProcessWorker: WorkerInvoker = {
  invoke: async (_name, payload) => {
    const answer = await handleEvent(JSON.parse(payload), context(300_000), h.deps(),
      { env: { [HANDLER_MODE_ENV]: WORK_MODE }, log: (l) => h.logs.push(`worker: ${l}`) });
    return { payload: JSON.stringify(answer) };
  },
};

async function relay(e: CustomResourceEvent, invoker: WorkerInvoker = inProcessWorker): Promise<any> {
  const before = h.cfn.requests.length;
  await handleEvent(e, context(60_000), noSecrets, {
    env: { [WORKER_FUNCTION_ENV]: WORKER }, invoker, log: (l) => h.logs.push(l), sleep: async () => undefined,
  });
  expect(h.cfn.requests.length).toBe(before + 1);
  return h.cfn.requests[h.cfn.requests.length - 1].json;
}

test('create and delete through the worker: the token is made and stored in the VPC, and both events are answered', async () => {
  const created = await relay(h.event('Create'));
  expect(created).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: expect.stringMatching(/^dt0g02\./), Data: { TokenId: created.PhysicalResourceId } });
  expect(h.stored.get(TARGET_SECRET)).toMatch(new RegExp(`^${created.PhysicalResourceId.replace('.', '\\.')}\\.`));

  const deleted = await relay(h.event('Delete', { PhysicalResourceId: created.PhysicalResourceId }));
  expect(deleted).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: created.PhysicalResourceId });
  expect(h.dynatrace.activeGateTokens.size).toBe(0);
});

test('a delete whose worker cannot be invoked is answered FAILED with the reason, not left waiting', async () => {
  const refused: WorkerInvoker = { invoke: async () => { throw Object.assign(new Error('Rate exceeded'), { name: 'TooManyRequestsException' }); } };
  const answer = await relay(h.event('Delete', { PhysicalResourceId: 'dt0g02.ABCDEFGH' }), refused);
  expect(answer).toMatchObject({ Status: 'FAILED', PhysicalResourceId: 'dt0g02.ABCDEFGH' });
  expect(answer.Reason).toBe(`could not invoke the in-VPC function ${WORKER}: TooManyRequestsException: Rate exceeded`);
});

test('work mode returns the token\'s ID, never its value, and never answers CloudFormation', async () => {
  const out = await handleEvent({ Event: h.event('Create'), Deadline: Date.now() + 30_000 }, context(300_000), h.deps(),
    { env: { [HANDLER_MODE_ENV]: WORK_MODE }, log: (l) => h.logs.push(l) });
  expect(out).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: expect.stringMatching(/^dt0g02\./) });
  expect(JSON.stringify(out)).not.toContain(h.stored.get(TARGET_SECRET)!.split('.')[2]);
  expect(h.cfn.requests).toHaveLength(0);
});
