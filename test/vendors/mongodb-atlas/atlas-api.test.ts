/*
 * The Atlas Admin API client (atlas-api.ts) against the Atlas stand-in, through the handler
 * where that is simplest and directly otherwise: the pinned API version, service-account
 * tokens, API-key Digest authentication, the credential secret's shapes, the hints added to
 * Atlas's refusals, and throttling.
 */
import { AtlasHarness, PROJECT_ID, SECRET_ARN, VPCE } from './atlas-harness';
import {
  atlasError, ATLAS_MEDIA_TYPE as STAND_IN_MEDIA_TYPE, CLIENT_ID, CLIENT_SECRET, DIGEST_REALM, parseDigest, PUBLIC_KEY,
  READ_ONLY_CLIENT_ID, READ_ONLY_CLIENT_SECRET, StandInService,
} from './atlas-stand-in';
import { redactAll, WorkContext } from '../../../src/internal/runtime/custom-resource';
import { ATLAS_API_VERSION, ATLAS_MEDIA_TYPE, AtlasApi, parseChallenge } from '../../../src/vendors/mongodb-atlas/atlas-api';
import { Reply } from '../../support/local-server';

let h: AtlasHarness;
let service: StandInService;
beforeEach(async () => ({ h, service } = await AtlasHarness.withService()));
afterEach(async () => h.stop());

/** A value a test puts into the secret to prove that it never reaches a message or a log. */
const RECOGNISABLE = 'RECOGNISABLE-s3cr3t-VALUE-4711';
const create = (props: Record<string, unknown> = {}) => h.endpointEvent('Create', service.id, props);
const deleted = () => h.endpointEvent('Delete', service.id, {}, { PhysicalResourceId: `mongodb-atlas:endpoint:${PROJECT_ID}:${service.id}:${VPCE}` });
const apiRequests = () => h.atlas.requests.filter((r) => r.path.startsWith('/api/atlas/v2/'));
const shown = () => [...h.logs, ...h.cfn.requests.map((r) => r.body)].join('\n');

/** AtlasApi.connect outside the handler, with the runtime's redaction of what it registers. */
async function connect(secret: string, logs: string[] = []): Promise<AtlasApi> {
  const secrets: string[] = [];
  const ctx: WorkContext = {
    event: create(),
    deadline: Date.now() + 60_000,
    signal: new AbortController().signal,
    redact: (s) => { secrets.push(s); },
    log: (l) => logs.push(redactAll(l, secrets)),
  };
  return AtlasApi.connect({ ApiUrl: h.atlas.url, ProjectId: PROJECT_ID, CredentialSecretArn: SECRET_ARN }, ctx,
    { ...h.deps(), secrets: { getSecretString: async () => secret } });
}

describe('the API version', () => {
  test('is 2023-01-01, the only version with the private-endpoint calls', () => {
    expect(ATLAS_MEDIA_TYPE).toBe('application/vnd.atlas.2023-01-01+json');
    expect(ATLAS_API_VERSION).toBe('2023-01-01');
    expect(STAND_IN_MEDIA_TYPE).toBe(ATLAS_MEDIA_TYPE);
  });

  test.each(['service account', 'API key'])('every Admin API call carries it as Accept, and as Content-Type with a body (%s)', async (kind) => {
    if (kind === 'API key') h.useApiKey();
    expect((await h.invoke(create())).Status).toBe('SUCCESS');
    expect((await h.invoke(deleted())).Status).toBe('SUCCESS');
    const other = h.atlas.addService('EU_WEST_1');
    const api = await connect(JSON.stringify(h.credential));
    const patched = await api.call('PATCH', `/api/atlas/v2/groups/${PROJECT_ID}/privateEndpoint/endpointService/${other.id}`,
      { body: { cloudProvider: 'AWS', supportedRemoteRegions: ['US_WEST_2'] } });
    expect(patched.status).toBe(200);
    expect(other.supportedRemoteRegions).toEqual(['US_WEST_2']);

    const requests = apiRequests();
    expect(new Set(requests.map((r) => r.method))).toEqual(new Set(['GET', 'POST', 'DELETE', 'PATCH']));
    for (const r of requests) {
      expect(r.headers.accept).toBe('application/vnd.atlas.2023-01-01+json');
      expect(r.headers['content-type']).toBe(r.method === 'POST' || r.method === 'PATCH' ? 'application/vnd.atlas.2023-01-01+json' : undefined);
    }
    for (const r of h.atlas.requests.filter((x) => x.path === '/api/oauth/token')) {
      expect(r.headers).toMatchObject({ 'accept': 'application/json', 'content-type': 'application/x-www-form-urlencoded' });
    }
  });

  test.each([
    [406, 'INVALID_VERSION_DATE', 'The version in the Accept header is not supported.', 'refused'],
    [410, 'VERSION_GONE', 'The API version 2023-01-01 has been removed.', 'has removed'],
  ])('a %i names the version and says to upgrade', async (status, code, detail, verb) => {
    h.afterRequests(1, atlasError(status, code, detail));
    const answer = await h.invoke(create());
    expect(answer.Status).toBe('FAILED');
    expect(answer.Reason).toMatch(new RegExp(`^GET .* failed with HTTP ${status}: ${code}: `));
    expect(answer.Reason).toContain(`(Atlas ${verb} the API version 2023-01-01 this library sends; upgrade cdk-saas-privatelink)`);
  });
});

describe('a service account', () => {
  test('gets one token per invocation, however many calls it makes', async () => {
    await h.invoke(create());
    expect(h.atlas.tokensIssued).toBe(1);
    const bearers = new Set(apiRequests().map((r) => r.headers.authorization));
    expect(apiRequests().length).toBeGreaterThan(4);
    expect(bearers.size).toBe(1);
    expect([...bearers][0]).toMatch(/^Bearer \S{20,}$/);

    await h.invoke(deleted());
    expect(h.atlas.tokensIssued).toBe(2);
    expect(h.atlas.calls.filter((c) => c === 'POST /api/oauth/token')).toHaveLength(2);
  });

  test('its Basic header and secret never reach a log or CloudFormation, not even when refused', async () => {
    h.credential = { clientId: CLIENT_ID, clientSecret: RECOGNISABLE };
    const answer = await h.invoke(create());
    expect(answer.Status).toBe('FAILED');
    expect(answer.Reason).toMatch(/^POST .*\/api\/oauth\/token failed with HTTP 401: invalid_client: Invalid client credentials \(Atlas refused the service account mdb_sa_id_/);
    const basic = h.atlas.requests[0].headers.authorization!;
    expect(basic).toMatch(/^Basic /);
    expect(shown()).not.toContain(basic.slice(6));
    expect(shown()).not.toContain(RECOGNISABLE);
  });

  test.each([
    ['no access_token', { token_type: 'Bearer', expires_in: 3600 }],
    ['an empty access_token', { access_token: '', token_type: 'Bearer' }],
  ])('a token answer with %s is a clear error, and no Admin API call follows', async (_, body) => {
    h.afterRequests(0, { status: 200, body });
    const answer = await h.invoke(create());
    expect(answer.Status).toBe('FAILED');
    expect(answer.Reason).toMatch(/^POST \/api\/oauth\/token answered HTTP 200 with \d+ bytes of application\/json \(a JSON object\) without an access_token$/);
    expect(apiRequests()).toEqual([]);
  });
});

describe('an API key (HTTP Digest)', () => {
  beforeEach(() => h.useApiKey());

  test('answers the challenge once per invocation, counting its nonce uses', async () => {
    expect((await h.invoke(create())).Status).toBe('SUCCESS');
    const [challenged, ...answered] = apiRequests();
    expect(challenged.headers.authorization).toBeUndefined();
    expect(h.atlas.tokensIssued).toBe(0);
    const digests = answered.map((r) => parseDigest(r.headers.authorization ?? ''));
    expect(digests.map((d) => d?.username)).toEqual(answered.map(() => PUBLIC_KEY));
    expect(digests.map((d) => d?.realm)).toEqual(answered.map(() => DIGEST_REALM));
    expect(digests.map((d) => d?.nc)).toEqual(answered.map((_, i) => (i + 1).toString(16).padStart(8, '0')));
    expect(new Set(digests.map((d) => d?.nonce)).size).toBe(1);
  });

  test('a wrong private key gets a 401 with the hint, after one answer to the challenge', async () => {
    h.credential = { publicKey: PUBLIC_KEY, privateKey: RECOGNISABLE };
    const answer = await h.invoke(create());
    expect(answer.Status).toBe('FAILED');
    expect(answer.Reason).toMatch(/^GET .* failed with HTTP 401: UNAUTHORIZED: You are not authorized for this resource\. /);
    expect(answer.Reason).toContain('(Atlas refused the API key abcdefgh: check the secret, that it belongs to the project\'s organization, ' +
      'and the organization\'s API access list');
    expect(apiRequests()).toHaveLength(2);
    expect(shown()).not.toContain(RECOGNISABLE);
  });

  test('a 401 without a Digest challenge is a clear error', async () => {
    h.afterRequests(0, atlasError(401, 'UNAUTHORIZED', 'You are not authorized for this resource.'));
    const answer = await h.invoke(create());
    expect(answer.Status).toBe('FAILED');
    expect(answer.Reason).toMatch(/^Atlas refused the API key \(HTTP 401\) without a Digest challenge to answer \(Atlas refused the API key abcdefgh/);
    expect(apiRequests()).toHaveLength(1);
  });
});

describe('the credential secret', () => {
  const expected = `secret ${SECRET_ARN} must be JSON with "clientId" and "clientSecret" (an Atlas service account) or ` +
    '"publicKey" and "privateKey" (an API key), got ';

  test.each([
    ['a misspelt field', { clientId: CLIENT_ID, client_secret: RECOGNISABLE }, 'fields "clientId", "client_secret"'],
    ['half an API key', { publicKey: RECOGNISABLE }, 'fields "publicKey"'],
    ['an empty client secret', { clientId: CLIENT_ID, clientSecret: '' }, 'fields "clientId", "clientSecret"'],
  ])('%s: the error names the secret and the fields expected, never a value', async (_, credential, got) => {
    h.credential = credential;
    const answer = await h.invoke(create());
    expect(answer).toMatchObject({ Status: 'FAILED', Reason: `${expected}${got}` });
    expect(shown()).not.toContain(RECOGNISABLE);
    expect(h.atlas.calls).toEqual([]);
  });

  test.each([
    ['plain text', RECOGNISABLE],
    ['a JSON string', JSON.stringify(RECOGNISABLE)],
  ])('a value that is not a JSON object (%s) is named as such, never quoted', async (_, value) => {
    const logs: string[] = [];
    const error: Error = await connect(value, logs).then(() => { throw new Error('connected'); }, (e) => e);
    expect(error.message).toBe(`${expected}a value that is not a JSON object`);
    expect(logs.join('\n')).not.toContain(RECOGNISABLE);
  });
});

describe('hints and throttling', () => {
  test('a 403 names the Project Owner role', async () => {
    h.credential = { clientId: READ_ONLY_CLIENT_ID, clientSecret: READ_ONLY_CLIENT_SECRET };
    const answer = await h.invoke(create());
    expect(answer.Status).toBe('FAILED');
    expect(answer.Reason).toMatch(/^POST .* failed with HTTP 403: USER_UNAUTHORIZED: /);
    expect(answer.Reason).toContain(`(the service account ${READ_ONLY_CLIENT_ID} lacks the Project Owner role on the project, ` +
      'which creating and deleting private endpoints needs)');
    expect(shown()).not.toContain(READ_ONLY_CLIENT_SECRET);
  });

  test('a 401 from the API (the token is fine) points at the API access list', async () => {
    h.afterRequests(1, atlasError(401, 'IP_ADDRESS_NOT_ON_ACCESS_LIST', 'IP address 3.3.3.3 is not allowed to access this resource.'));
    const answer = await h.invoke(create());
    expect(answer.Reason).toMatch(/^GET .* failed with HTTP 401: IP_ADDRESS_NOT_ON_ACCESS_LIST: /);
    expect(answer.Reason).toContain(`(Atlas refused the service account ${CLIENT_ID}: check the secret, that it belongs to the project's ` +
      'organization, and the organization\'s API access list (a Lambda function without a fixed egress address is refused where one is required))');
  });

  const throttled = (seconds: number): Reply => ({
    ...atlasError(429, 'RATE_LIMITED_TOKEN_BUCKET', 'Too many requests.'), headers: { 'retry-after': String(seconds) },
  });

  test('a 429 waits as long as Retry-After says, then goes on', async () => {
    h.afterRequests(1, throttled(7));
    const answer = await h.invoke(create());
    expect(answer.Status).toBe('SUCCESS');
    expect(h.sleeps).toEqual([7_000]);
    const [, first, again] = h.callsSince(0);
    expect(first).toMatch(/^GET .*\/endpoint\/\{vpce\}$/);
    expect(again).toBe(first);
  });

  test('a Retry-After beyond the deadline fails at once, saying so', async () => {
    h.afterRequests(1, throttled(3_600));
    const answer = await h.invoke(create());
    expect(answer.Status).toBe('FAILED');
    expect(answer.Reason).toMatch(/^GET .* failed: HTTP 429: RATE_LIMITED_TOKEN_BUCKET: Too many requests\., and the server asked to retry after 3600 s \(Retry-After\), past the deadline \d+ s away$/);
    expect(h.sleeps).toEqual([]);
    expect(apiRequests()).toHaveLength(1);
  });
});

describe('parseChallenge', () => {
  test.each([
    `Digest realm="${DIGEST_REALM}", domain="", nonce="bm9uY2U=", algorithm=MD5, qop="auth", stale=false`,
    'Digest realm="r", nonce="bm9uY2U=", qop="auth,auth-int"',
    'digest realm="r", nonce="bm9uY2U=", qop=auth',
  ])('accepts MD5 (stated or by default) with qop auth: %s', (header) => {
    expect(parseChallenge(header)).toEqual({ realm: expect.any(String), nonce: 'bm9uY2U=' });
  });

  test('returns the realm and nonce as sent', () => {
    expect(parseChallenge(`Digest realm="${DIGEST_REALM}", nonce="n1", algorithm=MD5, qop="auth"`)).toEqual({ realm: DIGEST_REALM, nonce: 'n1' });
  });

  test.each([
    ['SHA-256 only', 'Digest realm="r", nonce="n", algorithm=SHA-256, qop="auth"'],
    ['no qop', 'Digest realm="r", nonce="n", algorithm=MD5'],
    ['qop auth-int only', 'Digest realm="r", nonce="n", algorithm=MD5, qop="auth-int"'],
    ['no nonce', 'Digest realm="r", algorithm=MD5, qop="auth"'],
    ['Basic', 'Basic realm="r"'],
    ['no header', null],
  ])('refuses %s', (_, header) => {
    expect(parseChallenge(header)).toBeUndefined();
  });
});

test('the secret values the tests use are not the stand-in\'s valid ones', () => {
  expect([CLIENT_SECRET, READ_ONLY_CLIENT_SECRET]).not.toContain(RECOGNISABLE);
});
