/*
 * A create cut off at its deadline after Dynatrace made the token: CloudFormation gets FAILED
 * with a `create-failed:` physical ID, and its rollback's Delete of that ID looks the token up by
 * the name the create gave it, instead of answering "nothing to delete" and leaving it behind.
 */
import { Harness, TOKENS } from './activegate-token-harness';

let h: Harness;
beforeEach(async () => { h = await Harness.start(); });
afterEach(async () => h.stop());

const tokenIds = () => [...h.dynatrace.activeGateTokens.keys()];

/** The POST makes the token, then never answers: the create's deadline (1 s of work) cuts it off. */
async function cutOffCreate(): Promise<string> {
  h.dynatrace.afterCreate.push({ status: 201, hang: true });
  const created = await h.run(h.event('Create'), { remainingMs: 1_500, reserveMs: 500 });
  expect(created.answer).toMatchObject({ Status: 'FAILED', PhysicalResourceId: expect.stringMatching(/^create-failed:/) });
  expect(tokenIds()).toHaveLength(1);
  return created.answer.PhysicalResourceId;
}

test('the rollback\'s Delete of the failed create finds the token by its name and deletes it', async () => {
  const failedId = await cutOffCreate();
  const deleted = await h.run(h.event('Delete', { PhysicalResourceId: failedId }));
  expect(deleted.answer.Status).toBe('SUCCESS');
  expect(deleted.calls).toEqual([`GET ${TOKENS}?pageSize=100`, expect.stringMatching(new RegExp(`^DELETE ${TOKENS}/dt0g`))]);
  expect(tokenIds()).toEqual([]);
  console.log(`create cut off at its deadline: the Delete of ${failedId} left tokens at the stand-in: ${tokenIds().join(', ') || 'none'}`);
});

test('without the search (as before), the same Delete calls nothing and the token stays', async () => {
  const failedId = await cutOffCreate();
  const deleted = await h.run(h.event('Delete', { PhysicalResourceId: failedId }), { findFailedCreates: false });
  expect(deleted.answer).toMatchObject({ Status: 'SUCCESS', Reason: 'Nothing to delete: the create had failed' });
  expect(deleted.calls).toEqual([]);
  expect(tokenIds()).toHaveLength(1);
});

test('a create that failed before making anything: the Delete looks, finds nothing, and succeeds', async () => {
  h.dynatrace.failures.push({ status: 400, body: { error: { code: 400, message: 'Invalid expiration date' } } });
  const created = await h.run(h.event('Create'));
  expect(created.answer.Status).toBe('FAILED');
  const deleted = await h.run(h.event('Delete', { PhysicalResourceId: created.answer.PhysicalResourceId }));
  expect(deleted.answer.Status).toBe('SUCCESS');
  expect(deleted.calls).toEqual([`GET ${TOKENS}?pageSize=100`]);
  expect(tokenIds()).toEqual([]);
});

test('Dynatrace down during that Delete: SUCCESS with what to check, so the rollback is not stranded', async () => {
  const failedId = await cutOffCreate();
  for (let i = 0; i < 10; i++) h.dynatrace.failures.push({ status: 503, body: { error: { code: 503, message: 'Service unavailable' } } });
  const deleted = await h.run(h.event('Delete', { PhysicalResourceId: failedId }));
  expect(deleted.answer.Status).toBe('SUCCESS');
  expect(deleted.answer.Reason).toMatch(/the create had failed, and looking for what it may have left failed too \(.*503.*\): check the vendor by hand/);
  expect(tokenIds()).toHaveLength(1);
});
