import { Harness } from './edge-connect-provisioner-harness';
import {
  ACCESS_TOKEN, API_PATH, OAUTH_RESOURCE, PLACEHOLDER, PROVISIONER_ARN, PROVISIONER_CLIENT_ID, PROVISIONER_SECRET, TARGET_ARN,
  TOKEN_PATH,
} from './edge-connect-stand-in';
import { MAX_CREATE_ROUNDS, PROVISIONER_SCOPES } from '../../../../src/vendors/dynatrace/edgeconnect/edge-connect-provisioner.lambda';
import { Reply } from '../../../support/local-server';

const T = `POST ${TOKEN_PATH}`;
const C = `POST ${API_PATH}`;
const L = `GET ${API_PATH}`;
const G = `GET ${API_PATH}/{id}`;
const P = `PUT ${API_PATH}/{id}`;
const D = `DELETE ${API_PATH}/{id}`;

describe('EdgeConnect provisioner handler', () => {
  let h: Harness;
  beforeEach(async () => { h = await Harness.start({ recordSleeps: true }); });
  afterEach(async () => h.stop());

  test('Create: token, then POST, stores the new OAuth client in the target secret only, answers with the ID', async () => {
    const { calls, answer } = await h.run(h.event('Create'));
    expect(calls).toEqual([T, C]);

    const [tokenCall, postCall] = h.api.requests;
    expect(tokenCall.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(new URLSearchParams(tokenCall.body))).toEqual({
      grant_type: 'client_credentials',
      client_id: PROVISIONER_CLIENT_ID,
      client_secret: PROVISIONER_SECRET,
      scope: PROVISIONER_SCOPES,
      resource: OAUTH_RESOURCE,
    });
    expect(PROVISIONER_SCOPES.split(' ')).toEqual([
      'app-engine:edge-connects:read', 'app-engine:edge-connects:write', 'app-engine:edge-connects:delete', 'oauth2:clients:manage',
    ]);
    expect(postCall.headers.authorization).toBe(`Bearer ${ACCESS_TOKEN}`);
    expect(postCall.json).toEqual({ name: 'corporate-network', hostPatterns: ['*.corp.example.com'], hostMappings: [] });

    const configuration = h.expectClientStored(answer);
    expect(h.secrets.writes.map((w) => w.secretId)).toEqual([TARGET_ARN]);
    expect(Object.keys(answer.Data)).toEqual(['EdgeConnectId', 'OAuthClientId']);
    expect(h.secrets.signals).toEqual([true, true]);
    h.expectNoSecretLeaks(1);
    expect(h.lines.join('\n')).toContain(`created EdgeConnect ${configuration.id} "corporate-network" with OAuth client ${configuration.oauthClientId}`);
  });

  test('Create sends host mappings as the API expects them', async () => {
    const mappings = [{ from: 'k8s-api-dev', to: 'kubernetes.default.svc.cluster.local' }];
    await h.run(h.event('Create', { ResourceProperties: h.properties({ HostPatterns: ['k8s-api-dev'], HostMappings: mappings }) }));
    expect(h.api.requests[1].json).toEqual({ name: 'corporate-network', hostPatterns: ['k8s-api-dev'], hostMappings: mappings });
    expect([...h.api.configurations.values()][0].hostMappings).toEqual(mappings);
  });

  test.each([401, 403])('an OAuth %i fails the Create with the reason, before any API call or write', async (status) => {
    h.api.failures.push({ on: T, reply: { status, body: { error: 'invalid_client', error_description: 'Client authentication failed' } } });
    const { calls, answer } = await h.run(h.event('Create'));
    expect(calls).toEqual([T]);
    expect(answer).toMatchObject({ Status: 'FAILED', PhysicalResourceId: 'create-failed:req-1' });
    expect(answer.Reason).toMatch(new RegExp(`could not get an OAuth token for the provisioner client dt0s02\\.PROVISIONER .*HTTP ${status}: (invalid_client: )?Client authentication failed`));
    expect(h.secrets.writes).toEqual([]);
    h.expectNoSecretLeaks();
  });

  test('an OAuth answer without access_token fails', async () => {
    h.api.failures.push({ on: T, reply: { status: 200, body: { token_type: 'Bearer' } } });
    const { answer } = await h.run(h.event('Create'));
    expect(answer.Reason).toMatch(/answered HTTP 200 without an access_token for the provisioner client dt0s02.PROVISIONER/);
  });

  test('a provisioner secret without clientSecret fails, naming the secret and field only', async () => {
    h.secrets.values.set(PROVISIONER_ARN, JSON.stringify({ clientId: PROVISIONER_CLIENT_ID }));
    const { calls, answer } = await h.run(h.event('Create'));
    expect(calls).toEqual([]);
    expect(answer.Reason).toBe(`secret ${PROVISIONER_ARN} has no non-empty string field "clientSecret"`);
  });

  test('a 400 that is not about the name fails with the vendor\'s message, looks nothing up and writes nothing', async () => {
    h.api.failures.push({ on: C, reply: { status: 400, body: { error: { code: 400, message: 'Host pattern *.corp.example.com is already used by EdgeConnect other' } } } });
    const { calls, answer } = await h.run(h.event('Create'));
    expect(calls).toEqual([T, C]);
    expect(answer).toMatchObject({ Status: 'FAILED', PhysicalResourceId: 'create-failed:req-1' });
    expect(answer.Reason).toMatch(/POST .*edge-connects failed with HTTP 400: Host pattern \*\.corp\.example\.com is already used/);
    expect(h.secrets.writes).toEqual([]);
    expect(h.api.configurations.size).toBe(0);
  });

  test('a 429 is retried after Retry-After (nothing was created), then succeeds', async () => {
    h.api.failures.push({ on: C, reply: { status: 429, headers: { 'retry-after': '2' }, body: {} } });
    const { calls, answer } = await h.run(h.event('Create'));
    expect(calls).toEqual([T, C, C]);
    expect(h.sleeps).toEqual([2_000]);
    h.expectClientStored(answer);
  });

  test('a 503 before any work is not retried blindly: the name is looked up, nothing found, POSTed again', async () => {
    h.api.failures.push({ on: C, reply: { status: 503, body: { error: { code: 503, message: 'unavailable' } } } });
    const { calls, answer } = await h.run(h.event('Create'));
    expect(calls).toEqual([T, C, L, C]);
    expect(h.api.requests[2].path).toBe(`${API_PATH}?filter=name%3D%27corporate-network%27&add-fields=name`);
    h.expectClientStored(answer);
    expect(h.lines.join('\n')).toMatch(/POST .*edge-connects answered HTTP 503 \(unavailable\): the request may have been carried out: looking "corporate-network" up/);
  });

  const afterWork: [string, Reply][] = [
    ['a 503', { status: 503, body: { error: { code: 503, message: 'unavailable' } } }],
    ['no answer (timeout)', { status: 201, hang: true }],
    ['a connection reset', { status: 201, reset: true }],
    ['a malformed 201', { status: 201, body: '{"id": "6f1c", oops', raw: true }],
    ['a 201 without the client', { status: 201, body: { id: 'whatever' } }],
  ];

  test.each(afterWork)('a create that worked but answered %s: found by name, deleted (its secret is lost), created again', async (_, reply) => {
    h.api.afterWork.push({ on: C, reply });
    const { calls, answer } = await h.run(h.event('Create'), { retry: { requestTimeoutMs: reply.hang ? 1_000 : 2_000 } });
    expect(calls).toEqual([T, C, L, G, D, C]);
    const lost = h.api.issued[0];
    const configuration = h.expectClientStored(answer);
    expect(configuration.oauthClientId).not.toBe(lost.clientId);
    expect(h.lines.join('\n')).toContain('its client secret was never stored');
    h.expectNoSecretLeaks(1);
  });

  test(`after ${MAX_CREATE_ROUNDS} unclear creates it gives up, deletes what they left and says so`, async () => {
    for (let i = 0; i < MAX_CREATE_ROUNDS; i++) h.api.afterWork.push({ on: C, reply: { status: 503, body: {} } });
    const { calls, answer } = await h.run(h.event('Create'));
    expect(calls).toEqual([T, C, L, G, D, C, L, G, D, C, L, G, D]);
    const ids = h.api.issued.map((c) => c.clientId);
    expect(ids).toHaveLength(3);
    expect(answer).toMatchObject({ Status: 'FAILED', PhysicalResourceId: 'create-failed:req-1' });
    expect(answer.Reason).toMatch(/could not create EdgeConnect "corporate-network": 3 attempts had an unclear outcome \(last: POST .*HTTP 503.*\); deleted the configurations they left \(6f1c0e2a-0000-4000-8000-000000000001, .*-000000000002, .*-000000000003\), so nothing is left in Dynatrace/);
    expect(h.api.configurations.size).toBe(0);
    expect(h.api.clients.size).toBe(0);
    expect(h.secrets.values.get(TARGET_ARN)).toBe(PLACEHOLDER);
    h.expectNoSecretLeaks(1);
  });

  test('a leftover that cannot be deleted fails the Create, naming it and how to remove it', async () => {
    h.api.afterWork.push({ on: C, reply: { status: 503, body: {} } });
    h.api.failures.push({ on: D, reply: { status: 403, body: { error: { code: 403, message: 'missing scope app-engine:edge-connects:delete' } } } });
    const { calls, answer } = await h.run(h.event('Create'));
    expect(calls).toEqual([T, C, L, G, D]);
    const [left] = h.api.configurations.values();
    expect(answer.Status).toBe('FAILED');
    expect(answer.Reason).toContain(`found EdgeConnect ${left.id} "corporate-network" (OAuth client ${left.oauthClientId}) whose client secret is not in ${TARGET_ARN}`);
    expect(answer.Reason).toMatch(/missing scope .*; it is left in Dynatrace: delete it in the EdgeConnect management app, or DELETE .*edge-connects\/6f1c/);
  });

  test.each([409, 400] as const)('a Create delivered twice (name taken, HTTP %i) adopts the configuration the first delivery stored', async (status) => {
    h.api.nameTakenStatus = status;
    const first = await h.run(h.event('Create'));
    const second = await h.run(h.event('Create'));
    expect(second.calls).toEqual([T, C, L, G]);
    const configuration = h.expectClientStored(second.answer);
    expect(second.answer.PhysicalResourceId).toBe(first.answer.PhysicalResourceId);
    expect(h.secrets.writes).toHaveLength(1);
    expect(h.lines.join('\n')).toContain(`adopting EdgeConnect ${configuration.id} "corporate-network": its OAuth client ${configuration.oauthClientId} is already in`);
    h.expectNoSecretLeaks(1);
  });

  test('an adopted configuration gets the wanted host patterns in place', async () => {
    const configuration = h.existing(['*.old.example.com']);
    const { calls, answer } = await h.run(h.event('Create'));
    expect(calls).toEqual([T, C, L, G, P]);
    h.expectClientStored(answer);
    expect(configuration.hostPatterns).toEqual(['*.corp.example.com']);
  });

  test('a name taken by a configuration that was there before and whose client is not ours: left alone, FAILED saying how to resolve it', async () => {
    const { configuration: foreign } = h.api.seed('corporate-network');
    const { calls, answer } = await h.run(h.event('Create'));
    expect(calls).toEqual([T, C, L, G]);
    expect(answer.Status).toBe('FAILED');
    expect(answer.Reason).toMatch(new RegExp(`an EdgeConnect configuration named "corporate-network" already exists \\(${foreign.id}, OAuth client .*\\) ` +
      'and its client is not in .*, so it is not this resource\'s: give this EdgeConnect another name, or delete that configuration'));
    expect([...h.api.configurations.keys()]).toEqual([foreign.id]);
  });

  test('a name taken after this invocation\'s own unclear POST is ours: deleted, then created anew', async () => {
    h.api.afterWork.push({ on: C, reply: { status: 503 } });
    h.api.failures.push({ on: L, reply: { status: 200, body: { edgeConnects: [], totalCount: 0 } } });
    const { calls, answer } = await h.run(h.event('Create'));
    expect(calls.slice(0, 3)).toEqual([T, C, L]);
    expect(calls).toContain(D);
    h.expectClientStored(answer);
  });

  test('a name collision the lookup cannot confirm fails with the vendor\'s answer', async () => {
    h.api.failures.push({ on: C, reply: { status: 409, body: { error: { code: 409, message: 'EdgeConnect with name \'corporate-network\' already exists' } } } });
    const { calls, answer } = await h.run(h.event('Create'));
    expect(calls).toEqual([T, C, L]);
    expect(answer.Status).toBe('FAILED');
    expect(answer.Reason).toMatch(/failed with HTTP 409: EdgeConnect with name 'corporate-network' already exists/);
  });

  test('a target secret that cannot be read stops the adoption and changes nothing', async () => {
    const configuration = h.existing();
    h.secrets.failRead = { secretId: TARGET_ARN, error: new Error('AccessDeniedException: not authorized to perform secretsmanager:GetSecretValue') };
    const { calls, answer } = await h.run(h.event('Create'));
    expect(calls).toEqual([T, C, L, G]);
    expect(answer.Status).toBe('FAILED');
    expect(answer.Reason).toMatch(new RegExp(`found EdgeConnect ${configuration.id} "corporate-network" but could not read .*AccessDeniedException.*nothing was changed`));
    expect(h.api.configurations.size).toBe(1);
  });

  test.each([0, 1] as const)('the lookup filters by exact name and walks every page (pages counted from %i) when the API ignores the filter', async (firstPage) => {
    h.api.ignoreFilter = true;
    h.api.pageSize = 2;
    h.api.firstPage = firstPage;
    for (const name of ['corporate-network-2', 'other', 'corporate', 'corporate-network-x']) h.api.seed(name);
    h.api.afterWork.push({ on: C, reply: { status: 503, body: {} } });
    const { calls, answer } = await h.run(h.event('Create'));
    expect(calls.filter((c) => c === L).length).toBeGreaterThanOrEqual(3);
    // Only the configuration listed under the exact name is read, deleted and created again.
    expect(calls.filter((c) => c !== L)).toEqual([T, C, G, D, C]);
    expect(h.api.configurations.size).toBe(5);
    const ours = [...h.api.configurations.values()].filter((c) => c.name === 'corporate-network');
    expect(ours).toHaveLength(1);
    expect(answer).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: ours[0].id });
    expect(h.secrets.target().clientId).toBe(ours[0].oauthClientId);
  });

  test('when the secret cannot be written, the new EdgeConnect is deleted again and the failure says so', async () => {
    h.secrets.failWrite = new Error('AccessDeniedException: not authorized to perform secretsmanager:PutSecretValue');
    const { calls, answer } = await h.run(h.event('Create'));
    expect(calls).toEqual([T, C, D]);
    expect(answer.Status).toBe('FAILED');
    expect(answer.Reason).toMatch(/created EdgeConnect 6f1c\S+ but could not store its OAuth client in .*edgeconnect-client.*AccessDeniedException.*deleted the EdgeConnect again/);
    expect(h.api.configurations.size).toBe(0);
    expect(h.api.clients.size).toBe(0);
    h.expectNoSecretLeaks(1);
  });

  test('Update without changes reads the configuration and writes nothing', async () => {
    const configuration = h.existing();
    const { calls, answer } = await h.run(h.update(configuration.id));
    expect(calls).toEqual([T, G]);
    expect(h.secrets.writes).toEqual([]);
    h.expectClientStored(answer);
  });

  test('Update of how the API is reached (a trailing slash) is no new configuration', async () => {
    const configuration = h.existing();
    const { calls, answer } = await h.run(h.update(configuration.id, { EdgeConnectsUrl: `${h.api.apiUrl}/` }));
    expect(calls).toEqual([T, G]);
    expect(h.api.requests[1].path).toBe(`${API_PATH}/${configuration.id}`);
    h.expectClientStored(answer);
  });

  test('Update of host patterns and mappings PUTs them in place, keeping the OAuth client', async () => {
    const configuration = h.existing();
    const mappings = [{ from: 'k8s-api-dev', to: 'kubernetes.default.svc.cluster.local' }];
    const { calls, answer } = await h.run(h.update(configuration.id, { HostPatterns: ['*.corp.example.com', 'k8s-api-dev'], HostMappings: mappings }));
    expect(calls).toEqual([T, G, P]);
    expect(h.api.requests[2].json).toEqual({
      name: 'corporate-network', hostPatterns: ['*.corp.example.com', 'k8s-api-dev'], hostMappings: mappings, oauthClientId: configuration.oauthClientId,
    });
    expect(configuration.hostMappings).toEqual(mappings);
    expect(h.secrets.writes).toEqual([]);
    h.expectClientStored(answer);
  });

  test('Update of the Name creates a new configuration (new physical ID); the old one is left for CloudFormation\'s Delete', async () => {
    const old = h.existing();
    const { calls, answer } = await h.run(h.update(old.id, { Name: 'other-network' }));
    expect(calls).toEqual([T, C]);
    expect(answer.Status).toBe('SUCCESS');
    expect(answer.PhysicalResourceId).not.toBe(old.id);
    expect(h.api.configurations.get(answer.PhysicalResourceId)?.name).toBe('other-network');
    expect(h.api.configurations.has(old.id)).toBe(true);
    expect(h.secrets.target().clientId).toBe(h.api.configurations.get(answer.PhysicalResourceId)?.oauthClientId);
  });

  test.each([
    ['OAuthResource', { OAuthResource: 'urn:dtenvironment:xyz98765' }],
    ['EdgeConnectsUrl host', { EdgeConnectsUrl: `https://xyz98765.apps.dynatrace.com${API_PATH}` }],
  ])('Update of the environment (%s) creates a new configuration', async (_, old) => {
    const { calls, answer } = await h.run(h.update('old-environment-id', {}, old));
    expect(calls).toEqual([T, C]);
    h.expectClientStored(answer);
  });

  test('Update of the TargetSecretArn keeps the name: the old configuration is replaced, the new secret gets the client', async () => {
    const old = h.existing();
    const otherSecret = `${TARGET_ARN}-other`;
    h.secrets.values.set(otherSecret, PLACEHOLDER);
    const { calls, answer } = await h.run(h.update(old.id, { TargetSecretArn: otherSecret }));
    expect(calls).toEqual([T, C, L, G, D, C]);
    const [configuration] = h.api.configurations.values();
    expect(h.api.configurations.size).toBe(1);
    expect(answer).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: configuration.id });
    expect(configuration.id).not.toBe(old.id);
    expect(h.secrets.target(otherSecret).clientId).toBe(configuration.oauthClientId);
  });

  test('Update of a configuration deleted outside CloudFormation creates it again', async () => {
    const { calls, answer } = await h.run(h.update('6f1c0e2a-0000-4000-8000-00000000ffff'));
    expect(calls).toEqual([T, G, C]);
    h.expectClientStored(answer);
  });

  test('Update fails when the configuration has no OAuth client ID', async () => {
    const configuration = h.existing();
    h.api.afterWork.push({ on: G, reply: { status: 200, body: { id: configuration.id, name: 'corporate-network' } } });
    const { answer } = await h.run(h.update(configuration.id));
    expect(answer).toMatchObject({ Status: 'FAILED', PhysicalResourceId: configuration.id });
    expect(answer.Reason).toMatch(new RegExp(`answered without the oauthClientId of EdgeConnect ${configuration.id}`));
  });

  test('Delete removes the configuration and its client', async () => {
    const configuration = h.existing();
    const { calls, answer } = await h.run(h.event('Delete', { PhysicalResourceId: configuration.id }));
    expect(calls).toEqual([T, D]);
    expect(h.api.requests[1].headers.authorization).toBe(`Bearer ${ACCESS_TOKEN}`);
    expect(answer).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: configuration.id });
    expect(answer.Reason).toBe(`deleted EdgeConnect ${configuration.id} "corporate-network" and its OAuth client; ${TARGET_ARN} holds its placeholder again`);
    expect(h.api.configurations.size).toBe(0);
    expect(h.api.clients.size).toBe(0);
    // The deleted client is not left in the secret as if it were live: the placeholder it replaced is back.
    expect(h.secrets.writes).toEqual([{ secretId: TARGET_ARN, value: PLACEHOLDER }]);
  });

  test('Delete of a configuration that is already gone (404) succeeds', async () => {
    const { answer } = await h.run(h.event('Delete', { PhysicalResourceId: '6f1c0e2a-0000-4000-8000-00000000ffff' }));
    expect(answer.Status).toBe('SUCCESS');
    expect(answer.Reason).toBe('EdgeConnect 6f1c0e2a-0000-4000-8000-00000000ffff "corporate-network" was already gone');
  });

  const refusals: [string, () => void][] = [
    ['the token endpoint refuses the revoked client (401 invalid_client)', () => { h.api.clientRevoked = true; }],
    ['the token endpoint answers 400 invalid_client', () => {
      h.api.failures.push({ on: T, reply: { status: 400, body: { error: 'invalid_client', error_description: 'unknown client' } } });
    }],
    ['the DELETE is forbidden (403)', () => {
      h.api.failures.push({ on: D, reply: { status: 403, body: { error: { code: 403, message: 'missing scope app-engine:edge-connects:delete' } } } });
    }],
    ['the DELETE is unauthorized (401)', () => {
      h.api.failures.push({ on: D, reply: { status: 401, body: { error: { code: 401, message: 'token revoked' } } } });
    }],
  ];

  test.each(refusals)('Delete when %s succeeds and says what was left behind and how to remove it', async (_, refuse) => {
    const configuration = h.existing();
    refuse();
    const { answer } = await h.run(h.event('Delete', { PhysicalResourceId: configuration.id }));
    expect(answer).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: configuration.id });
    expect(answer.Reason).toContain(`EdgeConnect ${configuration.id} "corporate-network" and its OAuth client ${configuration.oauthClientId} are left behind`);
    expect(answer.Reason).toContain(`DELETE ${h.api.apiUrl}/${configuration.id}`);
    expect(answer.Reason).toMatch(/EdgeConnect management app/);
    expect(h.api.configurations.has(configuration.id)).toBe(true);
    h.expectNoSecretLeaks(1);
  });

  test('Delete that fails otherwise (HTTP 500) fails with the reason', async () => {
    const configuration = h.existing();
    h.api.always = { on: D, reply: { status: 500, body: { error: { code: 500, message: 'internal error' } } } };
    const { calls, answer } = await h.run(h.event('Delete', { PhysicalResourceId: configuration.id }));
    expect(calls).toEqual([T, D]);
    expect(answer).toMatchObject({ Status: 'FAILED', PhysicalResourceId: configuration.id });
    expect(answer.Reason).toMatch(/DELETE .*edge-connects\/6f1c\S+ failed with HTTP 500: internal error/);
  });

  test('missing resource properties fail with the property name', async () => {
    const { answer } = await h.run(h.event('Create', { ResourceProperties: { ...h.properties(), HostPatterns: [] } }));
    expect(answer.Reason).toBe('resource property HostPatterns must list at least one host pattern');
  });

  test('every Dynatrace call carries the work\'s signal, which fires once CloudFormation is answered', async () => {
    const signals: AbortSignal[] = [];
    const fetchFn: typeof fetch = (input, init) => {
      if (String(input).startsWith(h.api.url)) signals.push(init!.signal!);
      return fetch(input, init);
    };
    await h.run(h.event('Create'), { fetchFn, retry: { requestTimeoutMs: 30_000 } });
    expect(h.cfn.requests[0].json.Status).toBe('SUCCESS');
    expect(signals).toHaveLength(2);
    // Each attempt's own timeout is 30 s away: only the work's signal can have fired.
    expect(signals.map((s) => s.aborted)).toEqual([true, true]);
    expect(h.secrets.signals).toEqual([true, true]);
  });

  test('nothing goes on after the answer: the deadline cancels the calls under way', async () => {
    h.api.always = { reply: { status: 200, hang: true } };
    await h.run(h.event('Create'), { remainingMs: 1_400, reserveMs: 400, retry: { requestTimeoutMs: 5_000 } });
    const answered = h.api.requests.length;
    expect(answered).toBe(1);
    expect(h.cfn.requests[0].json.Status).toBe('FAILED');
    await new Promise((r) => setTimeout(r, 300));
    expect(h.api.requests.length).toBe(answered);
  });
});
