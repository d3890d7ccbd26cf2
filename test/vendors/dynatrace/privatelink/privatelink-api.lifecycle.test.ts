/*
 * Each row of the README's Lifecycle tables for Custom::DynatracePrivateLink, driven through
 * the real handler against the Dynatrace stand-in.
 */
import { API_TOKEN } from '../dynatrace-stand-in';
import { allowlist, enable, ENV, GONE_URL, Harness, UNREADABLE_SECRETS } from './privatelink-api-harness';
import { ALLOWLIST_LIFECYCLE, ENABLE_LIFECYCLE } from './privatelink-api.lifecycle';
import { lifecycleTests, Scenario } from '../../../lifecycle/drive';
import { LifecycleEvent } from '../../../lifecycle/lifecycle';

let h: Harness;
beforeEach(async () => { h = await Harness.start(); });
afterEach(async () => h.stop());

const REVOKED = `dt0c01.${'D'.repeat(24)}.${'S3CR3TPART'.repeat(6)}QRST`;


/**
 * @param optIn the properties that make Delete act on Dynatrace (remove the accounts, disable)
 * @param left what an opted-in Delete that could not act says it left behind
 */
function scenarios(
  props: () => Record<string, unknown>, physicalId: string, otherIdPrefix: string, optIn: Record<string, unknown>, left: RegExp,
): Record<LifecycleEvent, Scenario> {
  const create = () => h.event('Create', props());
  const deleted = (extra: Record<string, unknown> = {}) => h.event('Delete', { ...props(), ...extra }, { PhysicalResourceId: physicalId });
  return {
    'create': async (mark) => {
      mark();
      const answer = await h.invoke(create());
      expect(answer.PhysicalResourceId).toBe(physicalId);
      return answer;
    },
    'create delivered twice': async (mark) => {
      const e = create();
      await h.invoke(e);
      mark();
      const answer = await h.invoke(e);
      expect(answer.PhysicalResourceId).toBe(physicalId);
      return answer;
    },
    'update that changes nothing': async (mark) => {
      const e = create();
      await h.invoke(e);
      mark();
      const answer = await h.invoke(h.event('Update', props(), { PhysicalResourceId: physicalId, OldResourceProperties: e.ResourceProperties }));
      expect(answer.PhysicalResourceId).toBe(physicalId);
      return answer;
    },
    'update that changes something': async (mark) => {
      const old = { ...props(), ApiUrl: `https://${ENV}.live.dynatrace.com` };
      await h.invoke(h.event('Create', props()));
      h.dynatrace.allowlist.clear();
      h.dynatrace.enabled = false;
      mark();
      const answer = await h.invoke(h.event('Update', props(), { PhysicalResourceId: physicalId, OldResourceProperties: old }));
      expect(answer.PhysicalResourceId).toBe(physicalId);
      return answer;
    },
    'replacement': async (mark) => {
      const old = { ...props(), EnvironmentId: 'old00000' };
      const oldId = `${otherIdPrefix}old00000`;
      mark();
      const answer = await h.invoke(h.event('Update', props(), { PhysicalResourceId: oldId, OldResourceProperties: old }));
      expect(answer.PhysicalResourceId).toBe(physicalId);
      const deleteOld = await h.invoke(h.event('Delete', old, { PhysicalResourceId: oldId }));
      expect(deleteOld).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: oldId, Reason: expect.stringContaining('old00000') });
      return answer;
    },
    'delete': async (mark) => {
      mark();
      const answer = await h.invoke(deleted());
      expect(answer.Reason).toMatch(/^(kept AWS accounts 111111111111 allowlisted|left AWS PrivateLink enabled) in Dynatrace environment abc12345/);
      return answer;
    },
    'delete delivered twice': async (mark) => {
      mark();
      const e = deleted();
      expect((await h.invoke(e)).Status).toBe('SUCCESS');
      return h.invoke(e);
    },
    'delete with a revoked token': async (mark) => {
      h.token = REVOKED;
      mark();
      return h.invoke(deleted());
    },
    'vendor down during delete': async (mark) => {
      h.dynatrace.failures.push(...Array(10).fill({ status: 503 }));
      mark();
      return h.invoke(deleted());
    },
    'vendor never answering': async (mark) => {
      h.dynatrace.failures.push(...Array(20).fill({ status: 200, hang: true }));
      mark();
      const answer = await h.invoke(create(), { remainingMs: 2_000, reserveMs: 500, requestTimeoutMs: 200 });
      expect(answer.Reason).toMatch(/^GET .* (failed after 6 attempts|failed: no time left before the deadline|failed: the next retry .* would pass the deadline).*no answer within 200 ms/);
      return answer;
    },
    'update rolled back after an in-place update': async (mark) => {
      const before = h.event('Create', props()).ResourceProperties;
      // The deploy's update: another spelling of the same environment's URL and, for the allowlist, one more account.
      const after = { ...before, ApiUrl: `${h.dynatrace.url}/`, ...(before.Accounts ? { Accounts: ['111111111111', '222222222222'] } : {}) };
      await h.invoke(h.event('Create', before));
      await h.invoke(h.event('Update', after, { PhysicalResourceId: physicalId, OldResourceProperties: before }));
      mark();
      const answer = await h.invoke(h.event('Update', before, { PhysicalResourceId: physicalId, OldResourceProperties: after }));
      expect(answer.PhysicalResourceId).toBe(physicalId);
      if (before.Accounts) expect([...h.dynatrace.allowlist].sort()).toEqual(['111111111111', '222222222222']);
      else expect(h.dynatrace.enabled).toBe(true);
      return answer;
    },
    'update rolled back after a replacement': async (mark) => {
      const old = h.event('Create', { ...props(), EnvironmentId: 'old00000' }).ResourceProperties;
      const oldId = `${otherIdPrefix}old00000`;
      await h.invoke(h.event('Create', old));
      const replaced = await h.invoke(h.event('Update', props(), { PhysicalResourceId: oldId, OldResourceProperties: old }));
      expect(replaced.PhysicalResourceId).toBe(physicalId);
      mark();
      const answer = await h.invoke(h.event('Delete', props(), { PhysicalResourceId: physicalId }));
      expect(answer.PhysicalResourceId).toBe(physicalId);
      expect(answer.Reason).toContain(`Dynatrace environment ${ENV}`);
      expect(answer.Reason).not.toContain('old00000');
      return answer;
    },
    'create cancelled': async (mark) => {
      await h.invoke(create());
      const madeUp = 'Stack-Allowlist-1A2B3C4D5E6F';
      mark();
      const answer = await h.invoke(h.event('Delete', props(), { PhysicalResourceId: madeUp }));
      expect(answer.PhysicalResourceId).toBe(madeUp);
      expect(answer.Reason).toMatch(/^(kept AWS accounts 111111111111 allowlisted|left AWS PrivateLink enabled) in Dynatrace environment abc12345/);
      expect(h.logs.join('\n')).toContain(`physical ID ${madeUp} is not one this handler gives (a create that CloudFormation cancelled`);
      expect(h.secretReads).toBe(1); // the create's only
      return answer;
    },
    'delete when the vendor\'s host does not resolve': async (mark) => {
      mark();
      const kept = await h.invoke(h.event('Delete', { ...props(), ApiUrl: GONE_URL }, { PhysicalResourceId: physicalId }));
      expect(kept.Status).toBe('SUCCESS');
      const answer = await h.invoke(h.event('Delete', { ...props(), ...optIn, ApiUrl: GONE_URL }, { PhysicalResourceId: physicalId }));
      expect(answer.Reason).toMatch(left);
      expect(answer.Reason).toMatch(/host name no longer resolves \(ENOTFOUND\)/);
      return answer;
    },
    'delete when the credential secret is deleted, pending deletion, or its key refuses': async (mark) => {
      mark();
      let answer: any;
      for (const [, error] of UNREADABLE_SECRETS) {
        h.secretError = error;
        expect((await h.invoke(deleted())).Status).toBe('SUCCESS');
        answer = await h.invoke(deleted(optIn));
        expect(answer.Status).toBe('SUCCESS');
        expect(answer.Reason).toMatch(left);
        expect(answer.Reason).toMatch(/the credential's secret (no longer exists|is scheduled for deletion|cannot be decrypted)/);
        expect(answer.Reason).toContain(error.message);
      }
      expect(h.secretReads).toBe(UNREADABLE_SECRETS.length);
      return answer;
    },
  };
}

lifecycleTests(ALLOWLIST_LIFECYCLE, calls(), scenarios(() => allowlist(['111111111111'], { RetainOnDelete: 'true' }), `dynatrace-privatelink:allowlist:${ENV}`,
  'dynatrace-privatelink:allowlist:', { RetainOnDelete: 'false' }, /^could not remove AWS accounts 111111111111 from the allowlist of Dynatrace environment abc12345: .*the accounts stay allowlisted/));
lifecycleTests(ENABLE_LIFECYCLE, calls(), scenarios(() => enable(), `dynatrace-privatelink:enable:${ENV}`,
  'dynatrace-privatelink:enable:', { DisableOnDelete: 'true' }, /^could not disable AWS PrivateLink in Dynatrace environment abc12345: .*PrivateLink stays enabled/));

test('the revoked token used above is not the stand-in\'s valid one', () => {
  expect(REVOKED).not.toBe(API_TOKEN);
});

/** The Dynatrace stand-in's calls, as the rows write them. */
function calls() {
  return { count: () => h.dynatrace.calls.length, since: (from: number) => h.callsSince(from) };
}
