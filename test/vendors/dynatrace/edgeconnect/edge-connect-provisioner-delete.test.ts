/*
 * The Delete of the EdgeConnect provisioner beyond its lifecycle rows: which client the target
 * secret ends holding, what a cancelled create may and may not remove, and which failures answer
 * SUCCESS over a vendor side that is gone while the others still fail.
 */
import { Harness } from './edge-connect-provisioner-harness';
import { API_PATH, OAUTH_RESOURCE, PLACEHOLDER, PROVISIONER_ARN, TARGET_ARN, TOKEN_PATH } from './edge-connect-stand-in';
import { isEdgeConnectId } from '../../../../src/vendors/dynatrace/edgeconnect/edge-connect-api';

const T = `POST ${TOKEN_PATH}`;
const L = `GET ${API_PATH}`;
const G = `GET ${API_PATH}/{id}`;
const D = `DELETE ${API_PATH}/{id}`;
const MADE_UP = 's-EdgeConnect-1RZ0B3XKQ9ZTM';

function awsError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

describe('EdgeConnect provisioner Delete', () => {
  let h: Harness;
  beforeEach(async () => { h = await Harness.start({ recordSleeps: true, retry: { maxAttempts: 3 } }); });
  afterEach(async () => h.stop());

  /** Configuration A, then a replacement B (name "…-v2") whose client the secret holds, A's in its previous version. */
  async function replaced(): Promise<{ a: string; b: string; aClient: string; bClient: string }> {
    const a = h.existing();
    const forward = await h.run(h.update(a.id, { Name: 'corporate-network-v2' }));
    const b = forward.answer.PhysicalResourceId;
    return { a: a.id, b, aClient: a.oauthClientId, bClient: h.api.configurations.get(b)!.oauthClientId };
  }

  test.each([
    ['00000000-0000-4000-8000-000000000001', true],
    ['6F1C0E2A-0000-4000-8000-000000000001', true],
    [MADE_UP, false],
    ['create-failed:req-1', false],
    ['6f1c0e2a-0000-4000-8000-00000000001', false],
    ['6f1c0e2a-0000-4000-8000-000000000001/x', false],
    ['../6f1c0e2a-0000-4000-8000-000000000001', false],
  ])('%s is an ID Dynatrace issues: %s', (id, issued) => {
    expect(isEdgeConnectId(id)).toBe(issued);
  });

  test('Delete of a create that failed (create-failed:…) looks in the target secret; holding its placeholder, it calls Dynatrace not at all', async () => {
    const { calls, answer } = await h.run(h.event('Delete', { PhysicalResourceId: 'create-failed:req-0' }));
    expect(calls).toEqual([]);
    expect(h.secrets.signals.length).toBeGreaterThan(0);
    expect(answer).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'create-failed:req-0' });
  });

  test.each(['arn:aws:cloudformation:eu-west-1:111111111111:stack/s/1|EdgeConnect', 's-EdgeConnect-1RZ0B3XKQ9ZTM'])(
    'Delete of %s, with no client stored, calls nothing and reads only the target secret', async (physicalId) => {
      h.secrets.failRead = { secretId: PROVISIONER_ARN, error: new Error('the provisioner secret must not be read') };
      const { calls, answer } = await h.run(h.event('Delete', { PhysicalResourceId: physicalId }));
      expect(calls).toEqual([]);
      expect(h.secrets.signals).toEqual([true]);
      expect(answer).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: physicalId });
      expect(answer.Reason).toBe(`nothing to delete: ${physicalId} is not an EdgeConnect ID that Dynatrace issued (a create CloudFormation ` +
        `stopped waiting for), and ${TARGET_ARN} holds no OAuth client that it stored`);
    });

  test('the cleanup after a successful replacement deletes the old configuration and leaves the new client in the secret', async () => {
    const { a, b, bClient } = await replaced();
    const { calls, answer } = await h.run(h.event('Delete', { PhysicalResourceId: a }));
    expect(calls).toEqual([T, D]);
    expect(answer.Reason).toBe(`deleted EdgeConnect ${a} "corporate-network" and its OAuth client`);
    expect(h.secrets.target()).toMatchObject({ clientId: bClient, edgeConnectId: b });
    expect([...h.api.configurations.keys()]).toEqual([b]);
  });

  test('a replacement rolled back after the old configuration was deleted by hand: the new client is kept in the secret, and the reason says so', async () => {
    const { a, b, bClient } = await replaced();
    h.api.configurations.delete(a);
    const { calls, answer } = await h.run(h.event('Delete', { PhysicalResourceId: b, ResourceProperties: h.properties({ Name: 'corporate-network-v2' }) }));
    expect(calls).toEqual([T, G, D]);
    expect(answer.Reason).toBe(`deleted EdgeConnect ${b} "corporate-network-v2" and its OAuth client; ${TARGET_ARN} still holds the ` +
      `deleted client ${bClient}: it has no earlier version whose client exists`);
  });

  test('a previous version written before the configuration ID was stored is found by its client ID, then written back', async () => {
    const { a, b, aClient } = await replaced();
    const old = JSON.parse(h.secrets.previous.get(TARGET_ARN)!);
    delete old.edgeConnectId;
    h.secrets.previous.set(TARGET_ARN, JSON.stringify(old));
    const { calls, answer } = await h.run(h.event('Delete', { PhysicalResourceId: b, ResourceProperties: h.properties({ Name: 'corporate-network-v2' }) }));
    expect(calls).toEqual([T, L, G, D]);
    expect(answer.Reason).toMatch(new RegExp(`holds the client ${aClient.replace('.', '\\.')} of EdgeConnect ${a} again$`));
    expect(h.secrets.target()).toEqual({ clientId: aClient, clientSecret: old.clientSecret, resource: OAUTH_RESOURCE });
  });

  test('a redelivered rollback Delete finds the old client already back and only confirms the new configuration is gone', async () => {
    const { b, aClient } = await replaced();
    const del = h.event('Delete', { PhysicalResourceId: b, ResourceProperties: h.properties({ Name: 'corporate-network-v2' }) });
    await h.run(del);
    const { calls, answer } = await h.run(del);
    expect(calls).toEqual([T, D]);
    expect(answer.Reason).toBe(`EdgeConnect ${b} "corporate-network-v2" was already gone`);
    expect(h.secrets.target().clientId).toBe(aClient);
  });

  test('a 503 on the old configuration\'s check fails the rollback after the retries, deleting and writing nothing', async () => {
    const { b, bClient } = await replaced();
    h.api.always = { on: G, reply: { status: 503, body: { error: { code: 503, message: 'Service Unavailable' } } } };
    const writes = h.secrets.writes.length;
    const { answer } = await h.run(h.event('Delete', { PhysicalResourceId: b, ResourceProperties: h.properties({ Name: 'corporate-network-v2' }) }));
    expect(answer.Status).toBe('FAILED');
    expect(answer.Reason).toMatch(/HTTP 503/);
    expect(h.api.configurations.has(b)).toBe(true);
    expect(h.secrets.writes.length).toBe(writes);
    expect(h.secrets.target().clientId).toBe(bClient);
  });

  test('a cancelled create: a same-named configuration whose client is not the stored one is kept', async () => {
    const theirs = h.api.seed('corporate-network').configuration;
    h.secrets.values.set(TARGET_ARN, JSON.stringify({ clientId: 'dt0s10.OTHER', clientSecret: 'x'.repeat(20), resource: OAUTH_RESOURCE }));
    const { calls, answer } = await h.run(h.event('Delete', { PhysicalResourceId: MADE_UP }));
    expect(calls).toEqual([T, L, G]);
    expect(answer.Status).toBe('SUCCESS');
    expect(answer.Reason).toBe(`nothing to delete: ${MADE_UP} is not an EdgeConnect ID that Dynatrace issued (a create CloudFormation ` +
      `stopped waiting for), and no configuration named "corporate-network" has the OAuth client dt0s10.OTHER in ${TARGET_ARN}; ` +
      `"corporate-network" (${theirs.id}) has another client, so it is not this resource's and is kept`);
    expect(h.api.configurations.has(theirs.id)).toBe(true);
  });

  test('a cancelled create over a vendor host that no longer resolves answers SUCCESS, naming the configuration by its name', async () => {
    await h.run(h.event('Create'));
    const gone = h.properties({ EdgeConnectsUrl: 'https://abc12345.apps.invalid/platform/app-engine/edge-connect/v1/edge-connects' });
    const { answer } = await h.run(h.event('Delete', { PhysicalResourceId: MADE_UP, ResourceProperties: gone }));
    expect(answer.Status).toBe('SUCCESS');
    expect(answer.Reason).toMatch(/no longer resolves \(ENOTFOUND\).*, so any EdgeConnect named "corporate-network" that the cancelled create made and its OAuth client dt0s10\.EC000001 are left behind/);
  });

  test('a token endpoint whose host does not resolve answers SUCCESS too', async () => {
    const { id } = h.existing();
    const gone = h.properties({ OAuthEndpoint: 'https://sso.abc12345.invalid/sso/oauth2/token' });
    const { calls, answer } = await h.run(h.event('Delete', { PhysicalResourceId: id, ResourceProperties: gone }));
    expect(calls).toEqual([]);
    expect(answer.Status).toBe('SUCCESS');
    expect(answer.Reason).toMatch(/no longer resolves \(ENOTFOUND\).*: could not get an OAuth token .*, so EdgeConnect \S+ "corporate-network" and its OAuth client dt0s10\.EC000001 are left behind/);
  });

  test.each([
    awsError('ThrottlingException', 'Rate exceeded'),
    awsError('InternalServiceError', 'An error occurred on the server side.'),
    awsError('InvalidRequestException', 'You provided a parameter value that is not valid for the current state of the resource.'),
  ])('a provisioner secret read that may pass (%s) still fails, so a retried delete cleans up', async (error) => {
    const { id } = h.existing();
    h.secrets.failRead = { secretId: PROVISIONER_ARN, error };
    const { calls, answer } = await h.run(h.event('Delete', { PhysicalResourceId: id }));
    expect(calls).toEqual([]);
    expect(answer.Status).toBe('FAILED');
    expect(answer.Reason).toBe(error.message);
    expect(h.api.configurations.has(id)).toBe(true);
  });

  test('a target secret that is gone does not stop the Delete: the configuration is still deleted', async () => {
    const { id } = h.existing();
    h.secrets.failRead = { secretId: TARGET_ARN, error: awsError('ResourceNotFoundException', 'Secrets Manager can\'t find the specified secret.') };
    const { calls, answer } = await h.run(h.event('Delete', { PhysicalResourceId: id }));
    expect(calls).toEqual([T, D]);
    expect(answer).toMatchObject({ Status: 'SUCCESS', Reason: `deleted EdgeConnect ${id} "corporate-network" and its OAuth client` });
    expect(h.lines.join('\n')).toMatch(/could not read \S+edgeconnect-client-GhIjKl \(the credential's secret no longer exists/);
  });

  test('a target secret read that may pass fails the Delete before any call', async () => {
    const { id } = h.existing();
    h.secrets.failRead = { secretId: TARGET_ARN, error: awsError('ThrottlingException', 'Rate exceeded') };
    const { calls, answer } = await h.run(h.event('Delete', { PhysicalResourceId: id }));
    expect(calls).toEqual([]);
    expect(answer).toMatchObject({ Status: 'FAILED', Reason: 'Rate exceeded' });
  });

  test('after a cancelled create and its Delete, a new Create of the same name succeeds (no name collision left)', async () => {
    await h.run(h.event('Create'));
    await h.run(h.event('Delete', { PhysicalResourceId: MADE_UP }));
    expect(h.secrets.values.get(TARGET_ARN)).toBe(PLACEHOLDER);
    const { calls, answer } = await h.run(h.event('Create', { RequestId: 'req-2' }));
    expect(calls).toEqual([T, `POST ${API_PATH}`]);
    h.expectClientStored(answer);
  });
});
