import type { CustomResourceEvent } from '../../../src/internal/runtime/custom-resource';
import type { SecretsReader } from '../../../src/internal/runtime/secrets';
import {
  PROVISIONER_SCOPES, ProvisionerProperties, SecretsWriter, provision,
} from '../../../src/vendors/dynatrace/edge-connect-provisioner.lambda';
import { LocalServer, RecordedRequest, Reply } from '../../support/local-server';

const TOKEN_PATH = '/sso/oauth2/token';
const API_PATH = '/platform/app-engine/edge-connect/v1/edge-connects';
const PROVISIONER_ARN = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:provisioner-AbCdEf';
const TARGET_ARN = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:edgeconnect-client-GhIjKl';
const PROVISIONER_SECRET = 'provisioner-client-secret-value-0123456789';
const ACCESS_TOKEN = 'eyJhbGciOi.access-token-value.signature';
const NEW_CLIENT_SECRET = 'dt0s10.NEWCLIENT.new-client-secret-value-9876543210';

/** A Secrets Manager stand-in that records reads and writes. */
class FakeSecrets implements SecretsReader, SecretsWriter {
  public readonly values = new Map<string, string>([
    [PROVISIONER_ARN, JSON.stringify({ clientId: 'dt0s02.PROVISIONER', clientSecret: PROVISIONER_SECRET })],
  ]);
  public readonly writes: { secretId: string; value: string }[] = [];
  public failWrite?: Error;

  public async getSecretString(secretId: string): Promise<string | undefined> {
    return this.values.get(secretId);
  }

  public async putSecretString(secretId: string, value: string): Promise<void> {
    if (this.failWrite) throw this.failWrite;
    this.writes.push({ secretId, value });
  }
}

const created = {
  id: 'ec-123',
  name: 'corporate-network',
  hostPatterns: ['*.corp.example.com'],
  hostMappings: [],
  oauthClientId: 'dt0s10.NEWCLIENT',
  oauthClientSecret: NEW_CLIENT_SECRET,
  oauthClientResource: 'urn:dtenvironment:abc12345',
};

/** The Dynatrace side as a route table: override one answer per test. */
function dynatrace(overrides: Partial<Record<string, Reply | ((req: RecordedRequest) => Reply)>> = {}) {
  return (req: RecordedRequest): Reply => {
    const path = req.path.split('?')[0];
    const key = `${req.method} ${path.startsWith(`${API_PATH}/`) ? `${API_PATH}/{id}` : path}`;
    const override = overrides[key];
    if (override) return typeof override === 'function' ? override(req) : override;
    switch (key) {
      case `POST ${TOKEN_PATH}`: return { status: 200, body: { access_token: ACCESS_TOKEN, token_type: 'Bearer', expires_in: 300 } };
      case `POST ${API_PATH}`: return { status: 201, body: created };
      case `GET ${API_PATH}/{id}`: return { status: 200, body: { ...created, oauthClientSecret: undefined } };
      case `PUT ${API_PATH}/{id}`: return { status: 200, body: {} };
      case `DELETE ${API_PATH}/{id}`: return { status: 204 };
      case 'PUT /cfn-response': return { status: 200 };
      default: return { status: 500, body: { error: { message: `unexpected ${key}` } } };
    }
  };
}

describe('EdgeConnect provisioner handler', () => {
  let server: LocalServer;
  let secrets: FakeSecrets;
  let lines: string[];
  let sleeps: number[];

  beforeEach(async () => {
    server = await LocalServer.start(dynatrace());
    secrets = new FakeSecrets();
    lines = [];
    sleeps = [];
  });
  afterEach(() => server.stop());

  function properties(overrides: Partial<ProvisionerProperties> = {}): ProvisionerProperties {
    return {
      EdgeConnectsUrl: `${server.url}${API_PATH}`,
      OAuthEndpoint: `${server.url}${TOKEN_PATH}`,
      OAuthResource: 'urn:dtenvironment:abc12345',
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
      ResponseURL: `${server.url}/cfn-response?X-Amz-Signature=abc`,
      StackId: 'arn:aws:cloudformation:eu-west-1:111111111111:stack/s/1',
      RequestId: 'req-1',
      LogicalResourceId: 'EdgeConnect',
      ResourceType: 'Custom::DynatraceEdgeConnect',
      ResourceProperties: { ServiceToken: 'arn:aws:lambda:fn', ...properties() },
      ...(requestType === 'Create' ? {} : { PhysicalResourceId: 'ec-123' }),
      ...extra,
    };
  }

  async function run(e: CustomResourceEvent, retry = {}) {
    await provision(e, { getRemainingTimeInMillis: () => 60_000 }, {
      secrets,
      log: (line) => lines.push(line),
      sleep: async (ms) => { sleeps.push(ms); },
      retry: { requestTimeoutMs: 2_000, ...retry },
    });
    const calls = server.requests.map((r) => `${r.method} ${r.path.split('?')[0].replace(server.url, '')}`);
    const answer = server.requests[server.requests.length - 1].json;
    return { calls, answer };
  }

  /** Nothing that CloudFormation or the logs see may hold a secret. */
  function expectNoSecretLeaks() {
    const visible = JSON.stringify(server.requests.filter((r) => r.path.startsWith('/cfn-response'))) + lines.join('\n');
    for (const secret of [PROVISIONER_SECRET, ACCESS_TOKEN, NEW_CLIENT_SECRET]) {
      expect(visible).not.toContain(secret);
    }
  }

  test('Create: token, then POST, stores the new OAuth client in the target secret only, answers with the ID', async () => {
    const { calls, answer } = await run(event('Create'));
    expect(calls).toEqual([`POST ${TOKEN_PATH}`, `POST ${API_PATH}`, 'PUT /cfn-response']);

    const [tokenCall, postCall] = server.requests;
    expect(tokenCall.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(new URLSearchParams(tokenCall.body))).toEqual({
      grant_type: 'client_credentials',
      client_id: 'dt0s02.PROVISIONER',
      client_secret: PROVISIONER_SECRET,
      scope: PROVISIONER_SCOPES,
      resource: 'urn:dtenvironment:abc12345',
    });
    expect(PROVISIONER_SCOPES.split(' ')).toEqual([
      'app-engine:edge-connects:read', 'app-engine:edge-connects:write', 'app-engine:edge-connects:delete', 'oauth2:clients:manage',
    ]);
    expect(postCall.headers.authorization).toBe(`Bearer ${ACCESS_TOKEN}`);
    expect(postCall.json).toEqual({ name: 'corporate-network', hostPatterns: ['*.corp.example.com'], hostMappings: [] });

    expect(secrets.writes).toEqual([{
      secretId: TARGET_ARN,
      value: JSON.stringify({ clientId: 'dt0s10.NEWCLIENT', clientSecret: NEW_CLIENT_SECRET, resource: 'urn:dtenvironment:abc12345' }),
    }]);
    expect(answer).toMatchObject({
      Status: 'SUCCESS',
      PhysicalResourceId: 'ec-123',
      Data: { EdgeConnectId: 'ec-123', OAuthClientId: 'dt0s10.NEWCLIENT' },
    });
    expect(Object.keys(answer.Data)).toEqual(['EdgeConnectId', 'OAuthClientId']);
    expectNoSecretLeaks();
    expect(lines.join('\n')).toContain('created EdgeConnect ec-123 "corporate-network" with OAuth client dt0s10.NEWCLIENT');
  });

  test('Create sends host mappings as the API expects them', async () => {
    const mappings = [{ from: 'k8s-api-dev', to: 'kubernetes.default.svc.cluster.local' }];
    await run(event('Create', { ResourceProperties: { ...properties({ HostPatterns: ['k8s-api-dev'], HostMappings: mappings }) } }));
    expect(server.requests[1].json).toEqual({ name: 'corporate-network', hostPatterns: ['k8s-api-dev'], hostMappings: mappings });
  });

  test.each([401, 403])('an OAuth %i fails the resource with the reason, before any API call or write', async (status) => {
    server.route = dynatrace({
      [`POST ${TOKEN_PATH}`]: { status, body: { error: 'invalid_client', error_description: 'Client authentication failed' } },
    });
    const { calls, answer } = await run(event('Create'));
    expect(calls).toEqual([`POST ${TOKEN_PATH}`, 'PUT /cfn-response']);
    expect(answer.Status).toBe('FAILED');
    expect(answer.Reason).toMatch(new RegExp(`could not get an OAuth token for the provisioner client dt0s02\\.PROVISIONER .*HTTP ${status}: Client authentication failed`));
    expect(secrets.writes).toEqual([]);
    expectNoSecretLeaks();
  });

  test('an OAuth answer without access_token fails', async () => {
    server.route = dynatrace({ [`POST ${TOKEN_PATH}`]: { status: 200, body: { token_type: 'Bearer' } } });
    const { answer } = await run(event('Create'));
    expect(answer.Reason).toMatch(/answered HTTP 200 without an access_token for the provisioner client dt0s02.PROVISIONER/);
  });

  test('a provisioner secret without clientSecret fails, naming the secret and field only', async () => {
    secrets.values.set(PROVISIONER_ARN, JSON.stringify({ clientId: 'dt0s02.PROVISIONER' }));
    const { calls, answer } = await run(event('Create'));
    expect(calls).toEqual(['PUT /cfn-response']);
    expect(answer.Reason).toBe(`secret ${PROVISIONER_ARN} has no non-empty string field "clientSecret"`);
  });

  test('a 400 from the API fails with the vendor\'s message and writes nothing', async () => {
    server.route = dynatrace({
      [`POST ${API_PATH}`]: { status: 400, body: { error: { code: 400, message: 'Host pattern *.corp.example.com is already used by EdgeConnect other' } } },
    });
    const { calls, answer } = await run(event('Create'));
    expect(calls).toEqual([`POST ${TOKEN_PATH}`, `POST ${API_PATH}`, 'PUT /cfn-response']);
    expect(answer).toMatchObject({ Status: 'FAILED', PhysicalResourceId: 'create-failed:req-1' });
    expect(answer.Reason).toMatch(/POST .*edge-connects failed with HTTP 400: Host pattern \*\.corp\.example\.com is already used/);
    expect(secrets.writes).toEqual([]);
  });

  test('a 429 is retried after Retry-After, then succeeds', async () => {
    let posts = 0;
    server.route = dynatrace({
      [`POST ${API_PATH}`]: () => (++posts === 1 ? { status: 429, headers: { 'retry-after': '2' }, body: {} } : { status: 201, body: created }),
    });
    const { calls, answer } = await run(event('Create'));
    expect(calls).toEqual([`POST ${TOKEN_PATH}`, `POST ${API_PATH}`, `POST ${API_PATH}`, 'PUT /cfn-response']);
    expect(sleeps).toEqual([2_000]);
    expect(answer.Status).toBe('SUCCESS');
    expect(secrets.writes).toHaveLength(1);
  });

  test('a 500 fails at once (not retried), with the status', async () => {
    server.route = dynatrace({ [`POST ${API_PATH}`]: { status: 500, body: { error: { code: 500, message: 'internal error' } } } });
    const { calls, answer } = await run(event('Create'));
    expect(calls.filter((c) => c === `POST ${API_PATH}`)).toHaveLength(1);
    expect(answer.Reason).toMatch(/failed with HTTP 500: internal error/);
  });

  test('a success answer with malformed JSON fails and says where to look', async () => {
    server.route = dynatrace({ [`POST ${API_PATH}`]: { status: 201, body: '{"id": "ec-1", oops', raw: true } });
    const { answer } = await run(event('Create'));
    expect(answer.Status).toBe('FAILED');
    expect(answer.Reason).toMatch(/answered HTTP 201 without id, oauthClientId and oauthClientSecret \(the body is not JSON\); check the EdgeConnect management app for a configuration named "corporate-network"/);
    expect(secrets.writes).toEqual([]);
  });

  test('an answer slower than the request timeout is retried, then fails with what happened', async () => {
    server.route = dynatrace({ [`POST ${API_PATH}`]: { status: 201, body: created, delayMs: 1_000 } });
    const { calls, answer } = await run(event('Create'), { requestTimeoutMs: 150, maxAttempts: 2 });
    expect(calls.filter((c) => c === `POST ${API_PATH}`)).toHaveLength(2);
    expect(answer.Status).toBe('FAILED');
    expect(answer.Reason).toMatch(/POST .*edge-connects failed after 2 attempts: no answer within 150 ms/);
  });

  test('when the secret cannot be written, the new EdgeConnect is deleted again and the failure says so', async () => {
    secrets.failWrite = new Error('AccessDeniedException: not authorized to perform secretsmanager:PutSecretValue');
    const { calls, answer } = await run(event('Create'));
    expect(calls).toEqual([`POST ${TOKEN_PATH}`, `POST ${API_PATH}`, `DELETE ${API_PATH}/ec-123`, 'PUT /cfn-response']);
    expect(answer.Status).toBe('FAILED');
    expect(answer.Reason).toMatch(/created EdgeConnect ec-123 but could not store its OAuth client in .*edgeconnect-client.*AccessDeniedException.*deleted the EdgeConnect again/);
    expectNoSecretLeaks();
  });

  test('Update without changes reads the configuration and writes nothing', async () => {
    const { calls, answer } = await run(event('Update', { OldResourceProperties: properties() }));
    expect(calls).toEqual([`POST ${TOKEN_PATH}`, `GET ${API_PATH}/ec-123`, 'PUT /cfn-response']);
    expect(secrets.writes).toEqual([]);
    expect(answer).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'ec-123', Data: { EdgeConnectId: 'ec-123', OAuthClientId: 'dt0s10.NEWCLIENT' } });
  });

  test('Update of host patterns and mappings PUTs them in place, keeping the OAuth client', async () => {
    const mappings = [{ from: 'k8s-api-dev', to: 'kubernetes.default.svc.cluster.local' }];
    const updated = properties({ HostPatterns: ['*.corp.example.com', 'k8s-api-dev'], HostMappings: mappings });
    const { calls, answer } = await run(event('Update', { ResourceProperties: { ...updated }, OldResourceProperties: properties() }));
    expect(calls).toEqual([`POST ${TOKEN_PATH}`, `GET ${API_PATH}/ec-123`, `PUT ${API_PATH}/ec-123`, 'PUT /cfn-response']);
    expect(server.requests[2].json).toEqual({
      name: 'corporate-network', hostPatterns: ['*.corp.example.com', 'k8s-api-dev'], hostMappings: mappings, oauthClientId: 'dt0s10.NEWCLIENT',
    });
    expect(secrets.writes).toEqual([]);
    expect(answer.PhysicalResourceId).toBe('ec-123');
  });

  test.each([
    ['Name', { Name: 'other-network' }],
    ['OAuthResource', { OAuthResource: 'urn:dtenvironment:xyz98765' }],
    ['TargetSecretArn', { TargetSecretArn: `${TARGET_ARN}-other` }],
  ])('Update of %s creates a new configuration (new physical ID)', async (_, change) => {
    server.route = dynatrace({ [`POST ${API_PATH}`]: { status: 201, body: { ...created, id: 'ec-456' } } });
    const { calls, answer } = await run(event('Update', {
      ResourceProperties: { ...properties(change as Partial<ProvisionerProperties>) }, OldResourceProperties: properties(),
    }));
    expect(calls).toEqual([`POST ${TOKEN_PATH}`, `POST ${API_PATH}`, 'PUT /cfn-response']);
    expect(answer).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'ec-456' });
    expect(secrets.writes).toHaveLength(1);
  });

  test('Update of a configuration deleted outside CloudFormation creates it again', async () => {
    server.route = dynatrace({
      [`GET ${API_PATH}/{id}`]: { status: 404, body: { error: { code: 404, message: 'not found' } } },
      [`POST ${API_PATH}`]: { status: 201, body: { ...created, id: 'ec-789' } },
    });
    const { calls, answer } = await run(event('Update', { OldResourceProperties: properties() }));
    expect(calls).toEqual([`POST ${TOKEN_PATH}`, `GET ${API_PATH}/ec-123`, `POST ${API_PATH}`, 'PUT /cfn-response']);
    expect(answer.PhysicalResourceId).toBe('ec-789');
  });

  test('Update fails when the configuration has no OAuth client ID', async () => {
    server.route = dynatrace({ [`GET ${API_PATH}/{id}`]: { status: 200, body: { id: 'ec-123', name: 'corporate-network' } } });
    const { answer } = await run(event('Update', { OldResourceProperties: properties() }));
    expect(answer).toMatchObject({ Status: 'FAILED', PhysicalResourceId: 'ec-123' });
    expect(answer.Reason).toMatch(/answered without the oauthClientId of EdgeConnect ec-123/);
  });

  test('Delete removes the configuration', async () => {
    const { calls, answer } = await run(event('Delete'));
    expect(calls).toEqual([`POST ${TOKEN_PATH}`, `DELETE ${API_PATH}/ec-123`, 'PUT /cfn-response']);
    expect(server.requests[1].headers.authorization).toBe(`Bearer ${ACCESS_TOKEN}`);
    expect(answer).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'ec-123' });
    expect(secrets.writes).toEqual([]);
  });

  test('Delete of a configuration that is already gone (404) succeeds', async () => {
    server.route = dynatrace({ [`DELETE ${API_PATH}/{id}`]: { status: 404, body: { error: { code: 404, message: 'not found' } } } });
    const { answer } = await run(event('Delete'));
    expect(answer.Status).toBe('SUCCESS');
    expect(lines.join('\n')).toContain('EdgeConnect ec-123 was already gone');
  });

  test('Delete that the API refuses fails with the reason', async () => {
    server.route = dynatrace({ [`DELETE ${API_PATH}/{id}`]: { status: 403, body: { error: { code: 403, message: 'missing scope app-engine:edge-connects:delete' } } } });
    const { answer } = await run(event('Delete'));
    expect(answer).toMatchObject({ Status: 'FAILED', PhysicalResourceId: 'ec-123' });
    expect(answer.Reason).toMatch(/DELETE .*edge-connects\/ec-123 failed with HTTP 403: missing scope/);
  });

  test('Delete after a failed create calls nothing', async () => {
    const { calls, answer } = await run(event('Delete', { PhysicalResourceId: 'create-failed:req-0' }));
    expect(calls).toEqual(['PUT /cfn-response']);
    expect(answer.Status).toBe('SUCCESS');
  });

  test('missing resource properties fail with the property name', async () => {
    const { answer } = await run(event('Create', { ResourceProperties: { ...properties(), HostPatterns: [] } }));
    expect(answer.Reason).toBe('resource property HostPatterns must list at least one host pattern');
  });
});
