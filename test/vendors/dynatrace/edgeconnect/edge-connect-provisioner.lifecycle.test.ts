import { Harness, RunResult } from './edge-connect-provisioner-harness';
import { EDGE_CONNECT_PROVISIONER_LIFECYCLE as BLOCK } from './edge-connect-provisioner.lifecycle';
import { API_PATH, PLACEHOLDER, PROVISIONER_ARN, TARGET_ARN } from './edge-connect-stand-in';
import { collapse, LIFECYCLE_EVENTS, LifecycleEvent, row } from '../../../lifecycle/lifecycle';

/** The rows of issue 20, after the common ones (until they join LIFECYCLE_EVENTS). */
const ROLLBACK_EVENTS = [
  'update rolled back after an in-place update',
  'update rolled back after a replacement',
  'create cancelled',
  'delete when the vendor\'s host does not resolve',
  'delete when the credential secret is deleted, pending deletion, or its key refuses',
] as unknown as LifecycleEvent[];
const EVENTS: LifecycleEvent[] = [...LIFECYCLE_EVENTS, ...ROLLBACK_EVENTS.filter((e) => !(LIFECYCLE_EVENTS as readonly string[]).includes(e))];

/** Secrets Manager's errors for a secret that cannot be read, as the SDK names them. */
function awsError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}
const UNREADABLE: [Error, RegExp][] = [
  [awsError('ResourceNotFoundException', 'Secrets Manager can\'t find the specified secret.'), /secret no longer exists in Secrets Manager/],
  [awsError('InvalidRequestException', 'You can\'t perform this operation on the secret because it was marked for deletion.'), /secret is scheduled for deletion/],
  [awsError('DecryptionFailure', 'Secrets Manager can\'t decrypt the protected secret text using the provided KMS key.'), /its KMS key refuses/],
];

describe(`${BLOCK.resource} lifecycle`, () => {
  let h: Harness;
  beforeEach(async () => { h = await Harness.start({ retry: { baseDelayMs: 10, maxDelayMs: 40 } }); });
  afterEach(async () => h.stop());

  /** Each event, driven against the stand-in; returns the delivery its row describes (the last one). */
  const scenarios: Record<string, () => Promise<RunResult>> = {
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
    'update rolled back after an in-place update': async () => {
      const { id } = h.existing();
      const wider = { HostPatterns: ['*.corp.example.com', 'erp'] };
      const forward = await h.run(h.update(id, wider));
      expect(forward.answer.Status).toBe('SUCCESS');
      const result = await h.run(h.update(id, {}, wider));
      expect(result.answer.PhysicalResourceId).toBe(id);
      expect(h.api.configurations.get(id)!.hostPatterns).toEqual(['*.corp.example.com']);
      return result;
    },
    'update rolled back after a replacement': async () => {
      const old = h.existing();
      const renamed = { Name: 'corporate-network-v2' };
      const forward = await h.run(h.update(old.id, renamed));
      const newId = forward.answer.PhysicalResourceId;
      expect(newId).not.toBe(old.id);
      expect(h.secrets.target().edgeConnectId).toBe(newId);
      const from = h.api.requests.length;
      const result = await h.run(h.event('Delete', { PhysicalResourceId: newId, ResourceProperties: h.properties(renamed) }));
      // Nothing but a read reaches the old configuration, which is current again.
      const touched = h.api.requests.slice(from).filter((r) => r.path.includes(old.id)).map((r) => r.method);
      expect(touched).toEqual(['GET']);
      expect(h.api.configurations.has(newId)).toBe(false);
      expect(h.api.configurations.get(old.id)).toMatchObject({ name: 'corporate-network', oauthClientId: old.oauthClientId });
      return result;
    },
    'create cancelled': async () => {
      const created = await h.run(h.event('Create'));
      const made = created.answer.PhysicalResourceId;
      // CloudFormation stopped waiting for that create and made up the physical ID of its Delete.
      const result = await h.run(h.event('Delete', { PhysicalResourceId: 's-EdgeConnect-1RZ0B3XKQ9ZTM' }));
      expect(h.api.requests.map((r) => r.path).filter((p) => p.includes('s-EdgeConnect'))).toEqual([]);
      expect(h.api.configurations.has(made)).toBe(false);
      expect(h.secrets.values.get(TARGET_ARN)).toBe(PLACEHOLDER);
      return result;
    },
    'delete when the vendor\'s host does not resolve': async () => {
      const { id } = h.existing();
      // .invalid never resolves (RFC 6761): the tenant's host, as after a deleted trial tenant.
      const gone = h.properties({ EdgeConnectsUrl: 'https://abc12345.apps.invalid/platform/app-engine/edge-connect/v1/edge-connects' });
      const result = await h.run(h.event('Delete', { PhysicalResourceId: id, ResourceProperties: gone }), { retry: { maxAttempts: 3 } });
      expect(h.lines.join('\n')).toMatch(/ENOTFOUND/);
      return result;
    },
    'delete when the credential secret is deleted, pending deletion, or its key refuses': async () => {
      const { id } = h.existing();
      let last: RunResult | undefined;
      for (const [error, why] of UNREADABLE) {
        h.secrets.failRead = { secretId: PROVISIONER_ARN, error };
        last = await h.run(h.event('Delete', { PhysicalResourceId: id }));
        expect(last.answer.Status).toBe('SUCCESS');
        expect(last.answer.Reason).toMatch(why);
        expect(last.answer.Reason).toMatch(/\(arn:\S+:secret:provisioner-AbCdEf\): .* and its OAuth client dt0s10\.EC000001 are left behind\. Remove them by hand/);
        expect(last.calls).toEqual([]);
      }
      // Until its secret is readable again, nothing changed: the configuration and its client are still in Dynatrace.
      expect(h.api.configurations.has(id)).toBe(true);
      expect(h.secrets.values.get(TARGET_ARN)).toContain(id);
      return last!;
    },
  };

  /** Rows after which the output names the client the target secret holds and the clients at the stand-in. */
  const credentialRows: Record<string, { held: RegExp; live: number }> = {
    'update rolled back after an in-place update': { held: /^dt0s10\.EC000001$/, live: 1 },
    'update rolled back after a replacement': { held: /^dt0s10\.EC000001$/, live: 1 },
    'create cancelled': { held: /^pending$/, live: 0 },
  };

  /** The key facts of each row's `told`, as a pattern on the Reason. */
  const reasons: Record<string, RegExp> = {
    'create': /^OK$/,
    'create delivered twice': /^OK$/,
    'update that changes nothing': /^OK$/,
    'update that changes something': /^OK$/,
    'replacement': /^OK$/,
    'delete': new RegExp(`^deleted EdgeConnect 6f1c\\S+ "corporate-network" and its OAuth client; ${TARGET_ARN} holds its placeholder again$`),
    'delete delivered twice': /^EdgeConnect 6f1c\S+ "corporate-network" was already gone$/,
    'delete with a revoked token': /HTTP 401.*EdgeConnect 6f1c\S+ "corporate-network" and its OAuth client dt0s10\.EC\d+ are left behind\. Remove them by hand: .*EdgeConnect management app.*DELETE http\S+\/edge-connects\/6f1c/,
    'vendor down during delete': /DELETE \S+\/edge-connects\/6f1c\S+ failed: .*HTTP 503: Service Unavailable|before the Lambda timeout/,
    'vendor never answering': /deadline|before the Lambda timeout/,
    'update rolled back after an in-place update': /^OK$/,
    'update rolled back after a replacement': new RegExp(`^deleted EdgeConnect 6f1c\\S+ "corporate-network-v2" and its OAuth client; ${TARGET_ARN} ` +
      'holds the client dt0s10\\.EC000001 of EdgeConnect 6f1c0e2a-0000-4000-8000-000000000001 again$'),
    'create cancelled': new RegExp(`^deleted EdgeConnect 6f1c\\S+ "corporate-network" and its OAuth client; ${TARGET_ARN} holds its placeholder again$`),
    'delete when the vendor\'s host does not resolve': /^the vendor's host name no longer resolves \(ENOTFOUND\).*, so EdgeConnect 6f1c\S+ "corporate-network" and its OAuth client dt0s10\.EC000001 are left behind\. Remove them by hand: .*DELETE https:\/\/abc12345\.apps\.invalid\/\S+\/6f1c/,
    'delete when the credential secret is deleted, pending deletion, or its key refuses': /^the credential's secret cannot be decrypted: its KMS key refuses .*\(arn:aws:secretsmanager:\S+:secret:provisioner-AbCdEf\): Secrets Manager can't decrypt .*, so EdgeConnect 6f1c\S+ "corporate-network" and its OAuth client dt0s10\.EC000001 are left behind/,
  };

  test('the block has one row per event, in order', () => {
    expect(BLOCK.rows.map((r) => r.event)).toEqual(EVENTS);
  });

  test.each(EVENTS.map((e) => [e]))('%s', async (name) => {
    const expected = row(BLOCK, name);
    const { calls, answer, elapsedMs, remainingMs } = await scenarios[name]();
    expect(collapse(calls)).toEqual(expected.calls);
    expect(answer.Status).toBe(expected.status);
    expect(answer.Reason).toMatch(reasons[name]);
    expect(elapsedMs).toBeLessThan(remainingMs);
    h.expectNoSecretLeaks();
    // After every row: the target secret holds a client that exists at the stand-in, or its
    // placeholder (no client): never the secret of a client that was deleted.
    const { held, text } = h.credentials();
    console.log(`${BLOCK.resource}, ${name}: ${text}`);
    expect([name, held === 'pending' || h.api.clients.has(held)]).toEqual([name, true]);
    const credentials = credentialRows[name];
    if (credentials) {
      const end = h.credentials();
      // The "must show" of issue 20: which client the secret holds at the end, and which exist (printed above).
      expect(end.held).toMatch(credentials.held);
      expect(end.live).toHaveLength(credentials.live);
      // Whatever client the secret holds exists; with none left, the secret is back to its placeholder.
      if (credentials.live > 0) expect(h.api.clients.has(end.held)).toBe(true);
    }
    if (expected.status === 'SUCCESS' && !name.startsWith('delete') && !['update rolled back after a replacement', 'create cancelled'].includes(name)) {
      // A successful create or update leaves exactly one configuration, its client in the target secret.
      h.expectClientStored(answer, name === 'replacement' ? 2 : 1);
    }
    const leftBehind = ['delete with a revoked token', 'vendor down during delete'].includes(name) || name.startsWith('delete when');
    if (name.startsWith('delete') || name === 'vendor down during delete') {
      expect(h.api.configurations.size).toBe(leftBehind ? 1 : 0);
    }
  });
});
