import {
  ACCESS_TOKEN, API_PATH, EdgeConnectStandIn, FakeSecrets, OAUTH_RESOURCE, PLACEHOLDER, PROVISIONER_ARN, PROVISIONER_CLIENT_ID,
  PROVISIONER_SECRET, StandInConfiguration, TARGET_ARN, TOKEN_PATH,
} from './edge-connect-stand-in';
import type { CustomResourceEvent } from '../../../src/internal/runtime/custom-resource';
import {
  MAX_CREATE_ROUNDS, PROVISIONER_SCOPES, ProvisionerProperties, provision,
} from '../../../src/vendors/dynatrace/edge-connect-provisioner.lambda';
import { LocalServer, Reply } from '../../support/local-server';

const T = `POST ${TOKEN_PATH}`;
const C = `POST ${API_PATH}`;
const L = `GET ${API_PATH}`;
const G = `GET ${API_PATH}/{id}`;
const P = `PUT ${API_PATH}/{id}`;
const D = `DELETE ${API_PATH}/{id}`;

describe('EdgeConnect provisioner handler', () => {
  let api: EdgeConnectStandIn;
  let cfn: LocalServer;
  let secrets: FakeSecrets;
  let lines: string[];
  let sleeps: number[];

  beforeEach(async () => {
    api = await EdgeConnectStandIn.start();
    cfn = await LocalServer.start(() => ({ status: 200 }));
    secrets = new FakeSecrets();
    lines = [];
    sleeps = [];
  });
  afterEach(async () => {
    await api.stop();
    await cfn.stop();
  });

  function properties(overrides: Partial<ProvisionerProperties> = {}): ProvisionerProperties {
    return {
      EdgeConnectsUrl: api.apiUrl,
      OAuthEndpoint: api.tokenUrl,
      OAuthResource: OAUTH_RESOURCE,
      ProvisionerSecretArn: PROVISIONER_ARN,
      TargetSecretArn: TARGET_ARN,
      Name: 'corporate-network',
      HostPatterns: ['*.corp.example.com'],
      HostMappings: [],
      ...overrides,
    };
  }

  function event(requestType: CustomResourceEvent['RequestType'], extra: Partial<CustomResourceEvent> = {}): CustomResourceEvent {
    return {
      RequestType: requestType,
      ResponseURL: `${cfn.url}/cfn-response?X-Amz-Signature=abc`,
      StackId: 'arn:aws:cloudformation:eu-west-1:111111111111:stack/s/1',
      RequestId: 'req-1',
      LogicalResourceId: 'EdgeConnect',
      ResourceType: 'Custom::DynatraceEdgeConnect',
      ResourceProperties: { ServiceToken: 'arn:aws:lambda:fn', ...properties() },
      ...extra,
    };
  }

  /** A configuration made by an earlier Create, its client stored in the target secret. */
  function existing(hostPatterns = ['*.corp.example.com']): StandInConfiguration {
    const { configuration, client } = api.seed('corporate-network', hostPatterns);
    secrets.values.set(TARGET_ARN, JSON.stringify({ clientId: client.clientId, clientSecret: client.clientSecret, resource: OAUTH_RESOURCE }));
    return configuration;
  }

  async function run(e: CustomResourceEvent, retry = {}) {
    const from = api.requests.length;
    await provision(e, { getRemainingTimeInMillis: () => 60_000 }, {
      secrets,
      log: (line) => lines.push(line),
      sleep: async (ms) => { sleeps.push(ms); },
      retry: { requestTimeoutMs: 2_000, ...retry },
    });
    return { calls: api.calls.slice(from), answer: cfn.requests[cfn.requests.length - 1].json };
  }

  /** Exactly one configuration and one client exist, and the target secret holds that client. */
  function expectOneClientStored(answer: any): StandInConfiguration {
    expect(api.configurations.size).toBe(1);
    expect(api.clients.size).toBe(1);
    const [configuration] = api.configurations.values();
    const client = api.clients.get(configuration.oauthClientId)!;
    expect(secrets.target()).toEqual({ clientId: client.clientId, clientSecret: client.clientSecret, resource: OAUTH_RESOURCE });
    expect(answer).toMatchObject({
      Status: 'SUCCESS',
      PhysicalResourceId: configuration.id,
      Data: { EdgeConnectId: configuration.id, OAuthClientId: client.clientId },
    });
    return configuration;
  }

  /** Nothing that CloudFormation or the logs see may hold a secret. */
  function expectNoSecretLeaks() {
    const visible = JSON.stringify(cfn.requests) + lines.join('\n');
    const values = [PROVISIONER_SECRET, ACCESS_TOKEN, ...api.issued.map((c) => c.clientSecret)];
    expect(values.length).toBeGreaterThan(2);
    for (const secret of values) expect(visible).not.toContain(secret);
  }

  test('Create: token, then POST, stores the new OAuth client in the target secret only, answers with the ID', async () => {
    const { calls, answer } = await run(event('Create'));
    expect(calls).toEqual([T, C]);

    const [tokenCall, postCall] = api.requests;
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

    const configuration = expectOneClientStored(answer);
    expect(secrets.writes.map((w) => w.secretId)).toEqual([TARGET_ARN]);
    expect(Object.keys(answer.Data)).toEqual(['EdgeConnectId', 'OAuthClientId']);
    expect(secrets.signals).toEqual([true, true]);
    expectNoSecretLeaks();
    expect(lines.join('\n')).toContain(`created EdgeConnect ${configuration.id} "corporate-network" with OAuth client ${configuration.oauthClientId}`);
  });

  test('Create sends host mappings as the API expects them', async () => {
    const mappings = [{ from: 'k8s-api-dev', to: 'kubernetes.default.svc.cluster.local' }];
    await run(event('Create', { ResourceProperties: { ...properties({ HostPatterns: ['k8s-api-dev'], HostMappings: mappings }) } }));
    expect(api.requests[1].json).toEqual({ name: 'corporate-network', hostPatterns: ['k8s-api-dev'], hostMappings: mappings });
    expect([...api.configurations.values()][0].hostMappings).toEqual(mappings);
  });

  test.each([401, 403])('an OAuth %i fails the Create with the reason, before any API call or write', async (status) => {
    api.failures.push({ on: T, reply: { status, body: { error: 'invalid_client', error_description: 'Client authentication failed' } } });
    const { calls, answer } = await run(event('Create'));
    expect(calls).toEqual([T]);
    expect(answer).toMatchObject({ Status: 'FAILED', PhysicalResourceId: 'create-failed:req-1' });
    expect(answer.Reason).toMatch(new RegExp(`could not get an OAuth token for the provisioner client dt0s02\\.PROVISIONER .*HTTP ${status}: Client authentication failed`));
    expect(secrets.writes).toEqual([]);
    expectNoSecretLeaksWithoutClients();
  });

  function expectNoSecretLeaksWithoutClients() {
    const visible = JSON.stringify(cfn.requests) + lines.join('\n');
    for (const secret of [PROVISIONER_SECRET, ACCESS_TOKEN]) expect(visible).not.toContain(secret);
  }

  test('an OAuth answer without access_token fails', async () => {
    api.failures.push({ on: T, reply: { status: 200, body: { token_type: 'Bearer' } } });
    const { answer } = await run(event('Create'));
    expect(answer.Reason).toMatch(/answered HTTP 200 without an access_token for the provisioner client dt0s02.PROVISIONER/);
  });

  test('a provisioner secret without clientSecret fails, naming the secret and field only', async () => {
    secrets.values.set(PROVISIONER_ARN, JSON.stringify({ clientId: PROVISIONER_CLIENT_ID }));
    const { calls, answer } = await run(event('Create'));
    expect(calls).toEqual([]);
    expect(answer.Reason).toBe(`secret ${PROVISIONER_ARN} has no non-empty string field "clientSecret"`);
  });

  test('a 400 that is not about the name fails with the vendor\'s message, looks nothing up and writes nothing', async () => {
    api.failures.push({ on: C, reply: { status: 400, body: { error: { code: 400, message: 'Host pattern *.corp.example.com is already used by EdgeConnect other' } } } });
    const { calls, answer } = await run(event('Create'));
    expect(calls).toEqual([T, C]);
    expect(answer).toMatchObject({ Status: 'FAILED', PhysicalResourceId: 'create-failed:req-1' });
    expect(answer.Reason).toMatch(/POST .*edge-connects failed with HTTP 400: Host pattern \*\.corp\.example\.com is already used/);
    expect(secrets.writes).toEqual([]);
    expect(api.configurations.size).toBe(0);
  });

  test('a 429 is retried after Retry-After (nothing was created), then succeeds', async () => {
    api.failures.push({ on: C, reply: { status: 429, headers: { 'retry-after': '2' }, body: {} } });
    const { calls, answer } = await run(event('Create'));
    expect(calls).toEqual([T, C, C]);
    expect(sleeps).toEqual([2_000]);
    expectOneClientStored(answer);
  });

  test('a 503 before any work is not retried blindly: the name is looked up, nothing found, POSTed again', async () => {
    api.failures.push({ on: C, reply: { status: 503, body: { error: { code: 503, message: 'unavailable' } } } });
    const { calls, answer } = await run(event('Create'));
    expect(calls).toEqual([T, C, L, C]);
    expect(api.requests[2].path).toBe(`${API_PATH}?filter=name%3D%27corporate-network%27&add-fields=name`);
    expectOneClientStored(answer);
    expect(lines.join('\n')).toMatch(/POST .*edge-connects answered HTTP 503 \(unavailable\): the request may have been carried out: looking "corporate-network" up/);
  });

  const afterWork: [string, Reply][] = [
    ['a 503', { status: 503, body: { error: { code: 503, message: 'unavailable' } } }],
    ['no answer (timeout)', { status: 201, hang: true }],
    ['a connection reset', { status: 201, reset: true }],
    ['a malformed 201', { status: 201, body: '{"id": "6f1c", oops', raw: true }],
    ['a 201 without the client', { status: 201, body: { id: 'whatever' } }],
  ];

  test.each(afterWork)('a create that worked but answered %s: found by name, deleted (its secret is lost), created again', async (_, reply) => {
    api.afterWork.push({ on: C, reply });
    const { calls, answer } = await run(event('Create'), { requestTimeoutMs: reply.hang ? 1_000 : 2_000 });
    expect(calls).toEqual([T, C, L, G, D, C]);
    const lost = api.issued[0];
    const configuration = expectOneClientStored(answer);
    expect(configuration.oauthClientId).not.toBe(lost.clientId);
    expect(lines.join('\n')).toContain('its client secret was never stored');
    expectNoSecretLeaks();
  });

  test(`after ${MAX_CREATE_ROUNDS} unclear creates it gives up, deletes what they left and says so`, async () => {
    for (let i = 0; i < MAX_CREATE_ROUNDS; i++) api.afterWork.push({ on: C, reply: { status: 503, body: {} } });
    const { calls, answer } = await run(event('Create'));
    expect(calls).toEqual([T, C, L, G, D, C, L, G, D, C, L, G, D]);
    const ids = api.issued.map((c) => c.clientId);
    expect(ids).toHaveLength(3);
    expect(answer).toMatchObject({ Status: 'FAILED', PhysicalResourceId: 'create-failed:req-1' });
    expect(answer.Reason).toMatch(/could not create EdgeConnect "corporate-network": 3 attempts had an unclear outcome \(last: POST .*HTTP 503.*\); deleted the configurations they left \(6f1c0e2a-0000-4000-8000-000000000001, .*-000000000002, .*-000000000003\), so nothing is left in Dynatrace/);
    expect(api.configurations.size).toBe(0);
    expect(api.clients.size).toBe(0);
    expect(secrets.values.get(TARGET_ARN)).toBe(PLACEHOLDER);
    expectNoSecretLeaks();
  });

  test('a leftover that cannot be deleted fails the Create, naming it and how to remove it', async () => {
    api.afterWork.push({ on: C, reply: { status: 503, body: {} } });
    api.failures.push({ on: D, reply: { status: 403, body: { error: { code: 403, message: 'missing scope app-engine:edge-connects:delete' } } } });
    const { calls, answer } = await run(event('Create'));
    expect(calls).toEqual([T, C, L, G, D]);
    const [left] = api.configurations.values();
    expect(answer.Status).toBe('FAILED');
    expect(answer.Reason).toContain(`found EdgeConnect ${left.id} "corporate-network" (OAuth client ${left.oauthClientId}) whose client secret is not in ${TARGET_ARN}`);
    expect(answer.Reason).toMatch(/missing scope .*; it is left in Dynatrace: delete it in the EdgeConnect management app, or DELETE .*edge-connects\/6f1c/);
  });

  test.each([409, 400] as const)('a Create delivered twice (name taken, HTTP %i) adopts the configuration the first delivery stored', async (status) => {
    api.nameTakenStatus = status;
    const first = await run(event('Create'));
    const second = await run(event('Create'));
    expect(second.calls).toEqual([T, C, L, G]);
    const configuration = expectOneClientStored(second.answer);
    expect(second.answer.PhysicalResourceId).toBe(first.answer.PhysicalResourceId);
    expect(secrets.writes).toHaveLength(1);
    expect(lines.join('\n')).toContain(`adopting EdgeConnect ${configuration.id} "corporate-network": its OAuth client ${configuration.oauthClientId} is already in`);
    expectNoSecretLeaks();
  });

  test('an adopted configuration gets the wanted host patterns in place', async () => {
    const configuration = existing(['*.old.example.com']);
    const { calls, answer } = await run(event('Create'));
    expect(calls).toEqual([T, C, L, G, P]);
    expectOneClientStored(answer);
    expect(configuration.hostPatterns).toEqual(['*.corp.example.com']);
  });

  test('a name taken by a configuration that was there before and whose client is not ours: left alone, FAILED saying how to resolve it', async () => {
    const { configuration: foreign } = api.seed('corporate-network');
    const { calls, answer } = await run(event('Create'));
    expect(calls).toEqual([T, C, L, G]);
    expect(answer.Status).toBe('FAILED');
    expect(answer.Reason).toMatch(new RegExp(`an EdgeConnect configuration named "corporate-network" already exists \\(${foreign.id}, OAuth client .*\\) ` +
      'and its client is not in .*, so it is not this resource\'s: give this EdgeConnect another name, or delete that configuration'));
    expect([...api.configurations.keys()]).toEqual([foreign.id]);
  });

  test('a name taken after this invocation\'s own unclear POST is ours: deleted, then created anew', async () => {
    api.afterWork.push({ on: C, reply: { status: 503 } });
    api.failures.push({ on: L, reply: { status: 200, body: { edgeConnects: [], totalCount: 0 } } });
    const { calls, answer } = await run(event('Create'));
    expect(calls.slice(0, 3)).toEqual([T, C, L]);
    expect(calls).toContain(D);
    expectOneClientStored(answer);
  });

  test('a name collision the lookup cannot confirm fails with the vendor\'s answer', async () => {
    api.failures.push({ on: C, reply: { status: 409, body: { error: { code: 409, message: 'EdgeConnect with name \'corporate-network\' already exists' } } } });
    const { calls, answer } = await run(event('Create'));
    expect(calls).toEqual([T, C, L]);
    expect(answer.Status).toBe('FAILED');
    expect(answer.Reason).toMatch(/failed with HTTP 409: EdgeConnect with name 'corporate-network' already exists/);
  });

  test('a target secret that cannot be read stops the adoption and changes nothing', async () => {
    const configuration = existing();
    secrets.failRead = { secretId: TARGET_ARN, error: new Error('AccessDeniedException: not authorized to perform secretsmanager:GetSecretValue') };
    const { calls, answer } = await run(event('Create'));
    expect(calls).toEqual([T, C, L, G]);
    expect(answer.Status).toBe('FAILED');
    expect(answer.Reason).toMatch(new RegExp(`found EdgeConnect ${configuration.id} "corporate-network" but could not read .*AccessDeniedException.*nothing was changed`));
    expect(api.configurations.size).toBe(1);
  });

  test.each([0, 1] as const)('the lookup filters by exact name and walks every page (pages counted from %i) when the API ignores the filter', async (firstPage) => {
    api.ignoreFilter = true;
    api.pageSize = 2;
    api.firstPage = firstPage;
    for (const name of ['corporate-network-2', 'other', 'corporate', 'corporate-network-x']) api.seed(name);
    api.afterWork.push({ on: C, reply: { status: 503, body: {} } });
    const { calls, answer } = await run(event('Create'));
    expect(calls.filter((c) => c === L).length).toBeGreaterThanOrEqual(3);
    // Only the configuration listed under the exact name is read, deleted and created again.
    expect(calls.filter((c) => c !== L)).toEqual([T, C, G, D, C]);
    expect(api.configurations.size).toBe(5);
    const ours = [...api.configurations.values()].filter((c) => c.name === 'corporate-network');
    expect(ours).toHaveLength(1);
    expect(answer).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: ours[0].id });
    expect(secrets.target().clientId).toBe(ours[0].oauthClientId);
  });

  test('when the secret cannot be written, the new EdgeConnect is deleted again and the failure says so', async () => {
    secrets.failWrite = new Error('AccessDeniedException: not authorized to perform secretsmanager:PutSecretValue');
    const { calls, answer } = await run(event('Create'));
    expect(calls).toEqual([T, C, D]);
    expect(answer.Status).toBe('FAILED');
    expect(answer.Reason).toMatch(/created EdgeConnect 6f1c\S+ but could not store its OAuth client in .*edgeconnect-client.*AccessDeniedException.*deleted the EdgeConnect again/);
    expect(api.configurations.size).toBe(0);
    expect(api.clients.size).toBe(0);
    expectNoSecretLeaks();
  });

  test('Update without changes reads the configuration and writes nothing', async () => {
    const configuration = existing();
    const { calls, answer } = await run(event('Update', { PhysicalResourceId: configuration.id, OldResourceProperties: properties() }));
    expect(calls).toEqual([T, G]);
    expect(secrets.writes).toEqual([]);
    expectOneClientStored(answer);
  });

  test('Update of how the API is reached (a trailing slash) is no new configuration', async () => {
    const configuration = existing();
    const { calls, answer } = await run(event('Update', {
      PhysicalResourceId: configuration.id,
      ResourceProperties: { ...properties({ EdgeConnectsUrl: `${api.apiUrl}/` }) },
      OldResourceProperties: properties(),
    }));
    expect(calls).toEqual([T, G]);
    expect(api.requests[1].path).toBe(`${API_PATH}/${configuration.id}`);
    expectOneClientStored(answer);
  });

  test('Update of host patterns and mappings PUTs them in place, keeping the OAuth client', async () => {
    const configuration = existing();
    const mappings = [{ from: 'k8s-api-dev', to: 'kubernetes.default.svc.cluster.local' }];
    const updated = properties({ HostPatterns: ['*.corp.example.com', 'k8s-api-dev'], HostMappings: mappings });
    const { calls, answer } = await run(event('Update', {
      PhysicalResourceId: configuration.id, ResourceProperties: { ...updated }, OldResourceProperties: properties(),
    }));
    expect(calls).toEqual([T, G, P]);
    expect(api.requests[2].json).toEqual({
      name: 'corporate-network', hostPatterns: ['*.corp.example.com', 'k8s-api-dev'], hostMappings: mappings, oauthClientId: configuration.oauthClientId,
    });
    expect(configuration.hostMappings).toEqual(mappings);
    expect(secrets.writes).toEqual([]);
    expectOneClientStored(answer);
  });

  test('Update of the Name creates a new configuration (new physical ID); the old one is left for CloudFormation\'s Delete', async () => {
    const old = existing();
    const { calls, answer } = await run(event('Update', {
      PhysicalResourceId: old.id, ResourceProperties: { ...properties({ Name: 'other-network' }) }, OldResourceProperties: properties(),
    }));
    expect(calls).toEqual([T, C]);
    expect(answer.Status).toBe('SUCCESS');
    expect(answer.PhysicalResourceId).not.toBe(old.id);
    expect(api.configurations.get(answer.PhysicalResourceId)?.name).toBe('other-network');
    expect(api.configurations.has(old.id)).toBe(true);
    expect(secrets.target().clientId).toBe(api.configurations.get(answer.PhysicalResourceId)?.oauthClientId);
  });

  test.each([
    ['OAuthResource', { OAuthResource: 'urn:dtenvironment:xyz98765' }],
    ['EdgeConnectsUrl host', { EdgeConnectsUrl: `https://xyz98765.apps.dynatrace.com${API_PATH}` }],
  ])('Update of the environment (%s) creates a new configuration', async (_, old) => {
    const { calls, answer } = await run(event('Update', {
      PhysicalResourceId: 'old-environment-id',
      ResourceProperties: { ...properties() },
      OldResourceProperties: properties(old),
    }));
    expect(calls).toEqual([T, C]);
    expectOneClientStored(answer);
  });

  test('Update of the TargetSecretArn keeps the name: the old configuration is replaced, the new secret gets the client', async () => {
    const old = existing();
    const otherSecret = `${TARGET_ARN}-other`;
    secrets.values.set(otherSecret, PLACEHOLDER);
    const { calls, answer } = await run(event('Update', {
      PhysicalResourceId: old.id, ResourceProperties: { ...properties({ TargetSecretArn: otherSecret }) }, OldResourceProperties: properties(),
    }));
    expect(calls).toEqual([T, C, L, G, D, C]);
    const [configuration] = api.configurations.values();
    expect(api.configurations.size).toBe(1);
    expect(answer).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: configuration.id });
    expect(configuration.id).not.toBe(old.id);
    expect(secrets.target(otherSecret).clientId).toBe(configuration.oauthClientId);
  });

  test('Update of a configuration deleted outside CloudFormation creates it again', async () => {
    const { calls, answer } = await run(event('Update', {
      PhysicalResourceId: '6f1c0e2a-0000-4000-8000-00000000ffff', OldResourceProperties: properties(),
    }));
    expect(calls).toEqual([T, G, C]);
    expectOneClientStored(answer);
  });

  test('Update fails when the configuration has no OAuth client ID', async () => {
    const configuration = existing();
    api.afterWork.push({ on: G, reply: { status: 200, body: { id: configuration.id, name: 'corporate-network' } } });
    const { answer } = await run(event('Update', { PhysicalResourceId: configuration.id, OldResourceProperties: properties() }));
    expect(answer).toMatchObject({ Status: 'FAILED', PhysicalResourceId: configuration.id });
    expect(answer.Reason).toMatch(new RegExp(`answered without the oauthClientId of EdgeConnect ${configuration.id}`));
  });

  test('Delete removes the configuration and its client', async () => {
    const configuration = existing();
    const { calls, answer } = await run(event('Delete', { PhysicalResourceId: configuration.id }));
    expect(calls).toEqual([T, D]);
    expect(api.requests[1].headers.authorization).toBe(`Bearer ${ACCESS_TOKEN}`);
    expect(answer).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: configuration.id });
    expect(answer.Reason).toBe(`deleted EdgeConnect ${configuration.id} "corporate-network" and its OAuth client`);
    expect(api.configurations.size).toBe(0);
    expect(api.clients.size).toBe(0);
    expect(secrets.writes).toEqual([]);
  });

  test('Delete of a configuration that is already gone (404) succeeds', async () => {
    const { answer } = await run(event('Delete', { PhysicalResourceId: '6f1c0e2a-0000-4000-8000-00000000ffff' }));
    expect(answer.Status).toBe('SUCCESS');
    expect(answer.Reason).toBe('EdgeConnect 6f1c0e2a-0000-4000-8000-00000000ffff "corporate-network" was already gone');
  });

  const refusals: [string, () => void][] = [
    ['the token endpoint refuses the revoked client (401 invalid_client)', () => { api.clientRevoked = true; }],
    ['the token endpoint answers 400 invalid_client', () => {
      api.failures.push({ on: T, reply: { status: 400, body: { error: 'invalid_client', error_description: 'unknown client' } } });
    }],
    ['the DELETE is forbidden (403)', () => {
      api.failures.push({ on: D, reply: { status: 403, body: { error: { code: 403, message: 'missing scope app-engine:edge-connects:delete' } } } });
    }],
    ['the DELETE is unauthorized (401)', () => {
      api.failures.push({ on: D, reply: { status: 401, body: { error: { code: 401, message: 'token revoked' } } } });
    }],
  ];

  test.each(refusals)('Delete when %s succeeds and says what was left behind and how to remove it', async (_, refuse) => {
    const configuration = existing();
    refuse();
    const { answer } = await run(event('Delete', { PhysicalResourceId: configuration.id }));
    expect(answer).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: configuration.id });
    expect(answer.Reason).toContain(`EdgeConnect ${configuration.id} "corporate-network" and its OAuth client ${configuration.oauthClientId} are left behind`);
    expect(answer.Reason).toContain(`DELETE ${api.apiUrl}/${configuration.id}`);
    expect(answer.Reason).toMatch(/EdgeConnect management app/);
    expect(api.configurations.has(configuration.id)).toBe(true);
    expectNoSecretLeaks();
  });

  test('Delete that fails otherwise (HTTP 500) fails with the reason', async () => {
    const configuration = existing();
    api.always = { on: D, reply: { status: 500, body: { error: { code: 500, message: 'internal error' } } } };
    const { calls, answer } = await run(event('Delete', { PhysicalResourceId: configuration.id }));
    expect(calls).toEqual([T, D]);
    expect(answer).toMatchObject({ Status: 'FAILED', PhysicalResourceId: configuration.id });
    expect(answer.Reason).toMatch(/DELETE .*edge-connects\/6f1c\S+ failed with HTTP 500: internal error/);
  });

  test.each(['create-failed:req-0', 'arn:aws:cloudformation:eu-west-1:111111111111:stack/s/1|EdgeConnect'])(
    'Delete of %s calls nothing and reads no secret', async (physicalId) => {
      const { calls, answer } = await run(event('Delete', { PhysicalResourceId: physicalId }));
      expect(calls).toEqual([]);
      expect(secrets.signals).toEqual([]);
      expect(answer).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: physicalId });
    });

  test('missing resource properties fail with the property name', async () => {
    const { answer } = await run(event('Create', { ResourceProperties: { ...properties(), HostPatterns: [] } }));
    expect(answer.Reason).toBe('resource property HostPatterns must list at least one host pattern');
  });

  test('every Dynatrace call carries the work\'s signal, which fires once CloudFormation is answered', async () => {
    const signals: AbortSignal[] = [];
    const fetchFn: typeof fetch = (input, init) => {
      if (String(input).startsWith(api.url)) signals.push(init!.signal!);
      return fetch(input, init);
    };
    await provision(event('Create'), { getRemainingTimeInMillis: () => 60_000 }, {
      secrets, fetchFn, log: (line) => lines.push(line), retry: { requestTimeoutMs: 30_000 },
    });
    expect(cfn.requests[0].json.Status).toBe('SUCCESS');
    expect(signals).toHaveLength(2);
    // Each attempt's own timeout is 30 s away: only the work's signal can have fired.
    expect(signals.map((s) => s.aborted)).toEqual([true, true]);
    expect(secrets.signals).toEqual([true, true]);
  });

  test('nothing goes on after the answer: the deadline cancels the calls under way', async () => {
    api.always = { reply: { status: 200, hang: true } };
    await provision(event('Create'), { getRemainingTimeInMillis: () => 1_400 }, {
      secrets, log: (line) => lines.push(line), reserveMs: 400, retry: { requestTimeoutMs: 5_000 },
    });
    const answered = api.requests.length;
    expect(answered).toBe(1);
    expect(cfn.requests[0].json.Status).toBe('FAILED');
    await new Promise((r) => setTimeout(r, 300));
    expect(api.requests.length).toBe(answered);
  });
});
