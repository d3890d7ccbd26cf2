import { Harness, RunResult } from './edge-connect-provisioner-harness';
import { EDGE_CONNECT_PROVISIONER_LIFECYCLE as BLOCK } from './edge-connect-provisioner.lifecycle';
import { API_PATH } from './edge-connect-stand-in';
import { collapse, LIFECYCLE_EVENTS, LifecycleEvent, row } from '../../../lifecycle/lifecycle';

describe(`${BLOCK.resource} lifecycle`, () => {
  let h: Harness;
  beforeEach(async () => { h = await Harness.start({ retry: { baseDelayMs: 10, maxDelayMs: 40 } }); });
  afterEach(async () => h.stop());

  /** Each event, driven against the stand-in; returns the delivery its row describes (the last one). */
  const scenarios: Record<LifecycleEvent, () => Promise<RunResult>> = {
    'create': async () => h.run(h.event('Create')),
    'create delivered twice': async () => {
      const first = await h.run(h.event('Create'));
      const second = await h.run(h.event('Create'));
      expect(second.answer.PhysicalResourceId).toBe(first.answer.PhysicalResourceId);
      return second;
    },
    'update that changes nothing': async () => {
      const { id } = h.existing();
      return h.run(h.update(id));
    },
    'update that changes something': async () => {
      const { id } = h.existing();
      return h.run(h.update(id, { HostPatterns: ['*.corp.example.com', 'erp'] }));
    },
    'replacement': async () => {
      const { id } = h.existing();
      const result = await h.run(h.update(id, { Name: 'corporate-network-v2' }));
      expect(result.answer.PhysicalResourceId).not.toBe(id);
      return result;
    },
    'delete': async () => {
      const { id } = h.existing();
      return h.run(h.event('Delete', { PhysicalResourceId: id }));
    },
    'delete delivered twice': async () => {
      const { id } = h.existing();
      await h.run(h.event('Delete', { PhysicalResourceId: id }));
      return h.run(h.event('Delete', { PhysicalResourceId: id }));
    },
    'delete with a revoked token': async () => {
      const { id } = h.existing();
      h.api.clientRevoked = true;
      return h.run(h.event('Delete', { PhysicalResourceId: id }));
    },
    'vendor down during delete': async () => {
      const { id } = h.existing();
      h.api.always = { on: `DELETE ${API_PATH}/{id}`, reply: { status: 503, body: { error: { code: 503, message: 'Service Unavailable' } } } };
      const result = await h.run(h.event('Delete', { PhysicalResourceId: id }), {
        remainingMs: 1_500, reserveMs: 500, retry: { baseDelayMs: 100, maxDelayMs: 200, maxAttempts: 1_000 },
      });
      // Whether the last retry or the deadline ends it, the log shows the DELETE answered 503 and was retried.
      expect(h.lines.join('\n')).toMatch(/DELETE \S+\/edge-connects\/6f1c\S+: HTTP 503: Service Unavailable; retry 2\//);
      return result;
    },
    'vendor never answering': async () => {
      h.api.always = { reply: { status: 200, hang: true } };
      return h.run(h.event('Create'), { remainingMs: 1_500, reserveMs: 500, retry: { requestTimeoutMs: 200, maxAttempts: 1_000 } });
    },
  };

  /** The key facts of each row's `told`, as a pattern on the Reason. */
  const reasons: Record<LifecycleEvent, RegExp> = {
    'create': /^OK$/,
    'create delivered twice': /^OK$/,
    'update that changes nothing': /^OK$/,
    'update that changes something': /^OK$/,
    'replacement': /^OK$/,
    'delete': /^deleted EdgeConnect 6f1c\S+ "corporate-network" and its OAuth client$/,
    'delete delivered twice': /^EdgeConnect 6f1c\S+ "corporate-network" was already gone$/,
    'delete with a revoked token': /HTTP 401.*EdgeConnect 6f1c\S+ "corporate-network" and its OAuth client dt0s10\.EC\d+ are left behind\. Remove them by hand: .*EdgeConnect management app.*DELETE http\S+\/edge-connects\/6f1c/,
    'vendor down during delete': /DELETE \S+\/edge-connects\/6f1c\S+ failed: .*HTTP 503: Service Unavailable|before the Lambda timeout/,
    'vendor never answering': /deadline|before the Lambda timeout/,
  };

  test('the block has one row per event, in order', () => {
    expect(BLOCK.rows.map((r) => r.event)).toEqual([...LIFECYCLE_EVENTS]);
  });

  test.each(LIFECYCLE_EVENTS.map((e) => [e]))('%s', async (name) => {
    const expected = row(BLOCK, name);
    const { calls, answer, elapsedMs, remainingMs } = await scenarios[name]();
    expect(collapse(calls)).toEqual(expected.calls);
    expect(answer.Status).toBe(expected.status);
    expect(answer.Reason).toMatch(reasons[name]);
    expect(elapsedMs).toBeLessThan(remainingMs);
    h.expectNoSecretLeaks();
    if (expected.status === 'SUCCESS' && !name.startsWith('delete')) {
      // A successful create or update leaves exactly one configuration, its client in the target secret.
      h.expectClientStored(answer, name === 'replacement' ? 2 : 1);
    }
    const leftBehind = ['delete with a revoked token', 'vendor down during delete'].includes(name);
    if (name.startsWith('delete') || name === 'vendor down during delete') {
      expect(h.api.configurations.size).toBe(leftBehind ? 1 : 0);
    }
  });
});
