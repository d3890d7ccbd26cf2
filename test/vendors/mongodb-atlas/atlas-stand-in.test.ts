import {
  ATLAS_MEDIA_TYPE, AtlasStandIn, CLIENT_ID, CLIENT_SECRET, PRIVATE_KEY, PROJECT_ID, PUBLIC_KEY,
  READ_ONLY_CLIENT_ID, READ_ONLY_CLIENT_SECRET, digestHeader,
} from './atlas-stand-in';

/**
 * Checks the Atlas Admin API stand-in with plain fetch, so that handler tests built on it can be
 * trusted: auth (service account and Digest), versioning, and the private-endpoint lifecycle.
 */

const SERVICES = `/api/atlas/v2/groups/${PROJECT_ID}/privateEndpoint/AWS/endpointService`;
const CREATE = `/api/atlas/v2/groups/${PROJECT_ID}/privateEndpoint/endpointService`;
const VPCE = 'vpce-0123456789abcdef0';

let atlas: AtlasStandIn;
beforeEach(async () => { atlas = await AtlasStandIn.start(); });
afterEach(async () => { await atlas.stop(); });

async function token(id = CLIENT_ID, secret = CLIENT_SECRET): Promise<Response> {
  return fetch(`${atlas.url}/api/oauth/token`, {
    method: 'POST',
    headers: {
      'authorization': `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
      'accept': 'application/json',
    },
    body: 'grant_type=client_credentials',
  });
}

async function bearer(id = CLIENT_ID, secret = CLIENT_SECRET): Promise<string> {
  const body = await (await token(id, secret)).json() as { access_token: string };
  return `Bearer ${body.access_token}`;
}

interface CallOptions { body?: unknown; auth?: string; accept?: string | null; contentType?: string }

/** One Admin API call with the pinned version; by default as the owner service account. */
async function call(method: string, path: string, opts: CallOptions = {}): Promise<{ status: number; json: any; headers: Headers }> {
  const headers: Record<string, string> = { authorization: opts.auth ?? await bearer() };
  if (opts.accept !== null) headers.accept = opts.accept ?? ATLAS_MEDIA_TYPE;
  if (opts.body !== undefined) headers['content-type'] = opts.contentType ?? ATLAS_MEDIA_TYPE;
  const res = await fetch(atlas.url + path, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined, headers: res.headers };
}

const createService = (body: object = { providerName: 'AWS', region: 'US_EAST_1' }) => call('POST', CREATE, { body });

describe('authentication', () => {
  test('a service account gets a Bearer token that the API accepts; a wrong secret gets invalid_client', async () => {
    const res = await token();
    const body = await res.json() as { access_token: string };
    expect(res.status).toBe(200);
    expect(body).toEqual({ access_token: expect.stringMatching(/^\S{20,}$/), token_type: 'Bearer', expires_in: 3600 });
    expect((await call('GET', SERVICES, { auth: `Bearer ${body.access_token}` })).status).toBe(200);

    const wrong = await token(CLIENT_ID, 'mdb_sa_sk_wrong');
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual({ error: 'invalid_client', error_description: 'Invalid client credentials' });
    expect(atlas.tokensIssued).toBe(1);
  });

  test('an unknown or missing Bearer token is refused in Atlas\'s error shape', async () => {
    for (const auth of ['Bearer not-a-token-we-issued', '']) {
      const res = await call('GET', SERVICES, { auth });
      expect(res.status).toBe(401);
      expect(res.json).toEqual({ detail: expect.any(String), error: 401, errorCode: expect.any(String), parameters: [], reason: 'Unauthorized' });
    }
  });

  test('a read-only token may GET but not create', async () => {
    const auth = await bearer(READ_ONLY_CLIENT_ID, READ_ONLY_CLIENT_SECRET);
    expect((await call('GET', SERVICES, { auth })).status).toBe(200);
    const res = await call('POST', CREATE, { auth, body: { providerName: 'AWS', region: 'US_EAST_1' } });
    expect(res.status).toBe(403);
    expect(res.json).toMatchObject({ error: 403, errorCode: 'USER_UNAUTHORIZED', detail: expect.stringContaining('Project Owner') });
    expect(atlas.services.size).toBe(0);
  });

  test('Digest: a challenge with a fresh nonce, then the right answer to it is accepted', async () => {
    const first = await call('GET', SERVICES, { auth: '' });
    const challenge = first.headers.get('www-authenticate') ?? '';
    expect(first.status).toBe(401);
    expect(challenge).toMatch(/^Digest realm="MMS Public API", domain="", nonce="[^"]+", algorithm=MD5, qop="auth", stale=false$/);
    const again = (await call('GET', SERVICES, { auth: '' })).headers.get('www-authenticate');
    expect(again).not.toBe(challenge);

    const ok = await call('POST', CREATE, {
      auth: digestHeader('POST', CREATE, challenge, PUBLIC_KEY, PRIVATE_KEY),
      body: { providerName: 'AWS', region: 'US_EAST_1' },
    });
    expect(ok.status).toBe(200);
    expect(atlas.services.size).toBe(1);
  });

  test.each([
    ['a wrong private key', (c: string) => digestHeader('GET', SERVICES, c, PUBLIC_KEY, 'wrong-private-key')],
    ['a wrong public key', (c: string) => digestHeader('GET', SERVICES, c, 'zzzzzzzz', PRIVATE_KEY)],
    ['a nonce the stand-in never issued', () => digestHeader('GET', SERVICES, 'Digest realm="MMS Public API", nonce="made-up"', PUBLIC_KEY, PRIVATE_KEY)],
    ['a correct answer for another URI', (c: string) => digestHeader('GET', CREATE, c, PUBLIC_KEY, PRIVATE_KEY)],
  ])('Digest: %s is refused with a new challenge', async (_, answer) => {
    const challenge = (await call('GET', SERVICES, { auth: '' })).headers.get('www-authenticate') ?? '';
    const res = await call('GET', SERVICES, { auth: answer(challenge) });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Digest realm="MMS Public API"/);
  });
});

describe('versioning', () => {
  test.each([
    ['no Accept', 406, 'INVALID_VERSION_DATE', null],
    ['plain JSON', 406, 'INVALID_VERSION_DATE', 'application/json'],
    ['an unknown version', 406, 'INVALID_VERSION_DATE', 'application/vnd.atlas.2099-01-01+json'],
    ['a removed version', 410, 'VERSION_GONE', 'application/vnd.atlas.2020-01-01+json'],
  ])('%s answers %d %s', async (_, status, errorCode, accept) => {
    const res = await call('GET', SERVICES, { accept });
    expect(res.status).toBe(status);
    expect(res.json).toMatchObject({ error: status, errorCode, parameters: [] });
  });

  test('a POST whose body is not the versioned media type is refused and creates nothing', async () => {
    const res = await call('POST', CREATE, { body: { providerName: 'AWS', region: 'US_EAST_1' }, contentType: 'application/json' });
    expect(res.status).toBe(415);
    expect(atlas.services.size).toBe(0);
  });
});

describe('endpoint services', () => {
  test('create answers INITIATING; GETs show INITIATING twice, then WAITING_FOR_USER with a service name', async () => {
    const created = await createService();
    expect(created.status).toBe(200);
    expect(created.json).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{24}$/),
      cloudProvider: 'AWS',
      regionName: 'US_EAST_1',
      status: 'INITIATING',
      endpointServiceName: null,
      errorMessage: null,
      interfaceEndpoints: [],
      supportedRemoteRegions: [],
    });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await call('GET', `${SERVICES}/${created.json.id}`)).json);
    expect(statuses.map((s) => s.status)).toEqual(['INITIATING', 'INITIATING', 'WAITING_FOR_USER']);
    expect(statuses[1].endpointServiceName).toBeNull();
    expect(statuses[2].endpointServiceName).toMatch(/^com\.amazonaws\.vpce\.us-east-1\.vpce-svc-[0-9a-f]{17}$/);
  });

  test('a second service for the same region (either spelling) is a 409; another region is fine', async () => {
    await createService();
    const second = await createService({ providerName: 'AWS', region: 'us-east-1' });
    expect(second.status).toBe(409);
    expect(second.json).toMatchObject({ error: 409, errorCode: 'PRIVATE_ENDPOINT_SERVICE_ALREADY_EXISTS_FOR_REGION', reason: 'Conflict' });
    expect((await createService({ providerName: 'AWS', region: 'EU_WEST_1' })).status).toBe(200);
    expect(atlas.services.size).toBe(2);
  });

  test('remote regions: lower case and the home region are refused; PATCH replaces and clears them', async () => {
    const lower = await createService({ providerName: 'AWS', region: 'US_EAST_1', supportedRemoteRegions: ['us-west-2'] });
    expect(lower.json).toMatchObject({ error: 400, errorCode: 'INVALID_ATTRIBUTE' });
    const self = await createService({ providerName: 'AWS', region: 'US_EAST_1', supportedRemoteRegions: ['US_EAST_1'] });
    expect(self.json).toMatchObject({ error: 400, errorCode: 'CROSS_REGION_PRIVATE_LINK_SELF_REGION' });
    expect(atlas.services.size).toBe(0);

    const { json: svc } = await createService({ providerName: 'AWS', region: 'US_EAST_1', supportedRemoteRegions: ['US_WEST_2'] });
    expect(svc.supportedRemoteRegions).toEqual(['US_WEST_2']);
    const patched = await call('PATCH', `${CREATE}/${svc.id}`, { body: { cloudProvider: 'AWS', supportedRemoteRegions: ['EU_WEST_1', 'AP_SOUTHEAST_2'] } });
    expect(patched.json.supportedRemoteRegions).toEqual(['EU_WEST_1', 'AP_SOUTHEAST_2']);
    await call('PATCH', `${CREATE}/${svc.id}`, { body: { cloudProvider: 'AWS', supportedRemoteRegions: [] } });
    expect(atlas.services.get(svc.id)?.supportedRemoteRegions).toEqual([]);
  });

  test('unknown project and unknown service are 404 with their codes', async () => {
    const group = await call('GET', SERVICES.replace(PROJECT_ID, 'ffffffffffffffffffffffff'));
    expect(group.json).toMatchObject({ error: 404, errorCode: 'GROUP_NOT_FOUND' });
    const service = await call('GET', `${SERVICES}/ffffffffffffffffffffffff`);
    expect(service.json).toMatchObject({ error: 404, errorCode: 'PRIVATE_ENDPOINT_SERVICE_NOT_FOUND' });
  });

  test('regionSpelling AWS lists regionName as us-east-1; a failing service ends FAILED with its message', async () => {
    atlas.regionSpelling = 'AWS';
    atlas.serviceReadyAfterGets = 0;
    atlas.failServiceWith = 'Internal error creating the load balancer';
    const { json: svc } = await createService();
    expect((await call('GET', SERVICES)).json.map((s: any) => s.regionName)).toEqual(['us-east-1']);
    const got = await call('GET', `${SERVICES}/${svc.id}`);
    expect(got.json).toMatchObject({ status: 'FAILED', errorMessage: 'Internal error creating the load balancer', endpointServiceName: null });
  });

  test('a service with endpoints cannot be deleted; an empty one is deleted, then 404', async () => {
    const busy = atlas.addService('US_EAST_1');
    atlas.addEndpoint(busy.id, VPCE);
    expect((await call('DELETE', `${SERVICES}/${busy.id}`)).json).toMatchObject({ error: 400, errorCode: 'CANNOT_DELETE_ENDPOINT_SERVICE_WITH_ENDPOINTS' });
    const empty = atlas.addService('EU_WEST_1');
    expect((await call('DELETE', `${SERVICES}/${empty.id}`)).status).toBe(204);
    expect((await call('DELETE', `${SERVICES}/${empty.id}`)).status).toBe(404);
    expect([...atlas.services.keys()]).toEqual([busy.id]);
  });

  test('failures come before auth; afterCreate replaces the answer of a create that still happened', async () => {
    atlas.failures.push({ status: 429, body: { errorCode: 'RATE_LIMITED_TOKEN_BUCKET' } });
    expect((await call('GET', SERVICES, { auth: 'Bearer nonsense' })).status).toBe(429);
    atlas.afterCreate.push({ status: 503 });
    expect((await createService()).status).toBe(503);
    expect([...atlas.services.values()].map((s) => s.status)).toEqual(['INITIATING']);
  });
});

describe('endpoint registrations', () => {
  const endpointPath = (serviceId: string, vpce = VPCE) => `${SERVICES}/${serviceId}/endpoint/${vpce}`;

  test('register: PENDING_ACCEPTANCE twice, PENDING once, then AVAILABLE, and the service turns AVAILABLE', async () => {
    const svc = atlas.addService('US_EAST_1');
    const created = await call('POST', `${SERVICES}/${svc.id}/endpoint`, { body: { id: VPCE } });
    expect(created.json).toEqual({ cloudProvider: 'AWS', interfaceEndpointId: VPCE, connectionStatus: 'PENDING_ACCEPTANCE', deleteRequested: false, errorMessage: null });
    const seen = [];
    for (let i = 0; i < 4; i++) seen.push((await call('GET', endpointPath(svc.id))).json.connectionStatus);
    expect(seen).toEqual(['PENDING_ACCEPTANCE', 'PENDING_ACCEPTANCE', 'PENDING', 'AVAILABLE']);
    expect((await call('GET', `${SERVICES}/${svc.id}`)).json).toMatchObject({ status: 'AVAILABLE', interfaceEndpoints: [VPCE] });
  });

  test('a malformed vpce ID is 400, a second registration 409, an unknown one 404', async () => {
    const svc = atlas.addService('US_EAST_1');
    expect((await call('POST', `${SERVICES}/${svc.id}/endpoint`, { body: { id: 'vpce-XYZ' } })).json).toMatchObject({ error: 400, errorCode: 'INVALID_ATTRIBUTE' });
    await call('POST', `${SERVICES}/${svc.id}/endpoint`, { body: { id: VPCE } });
    expect((await call('POST', `${SERVICES}/${svc.id}/endpoint`, { body: { id: VPCE } })).json).toMatchObject({ error: 409, errorCode: 'PRIVATE_ENDPOINT_ALREADY_EXISTS' });
    expect((await call('GET', endpointPath(svc.id, 'vpce-0fffffffffffffff0'))).json).toMatchObject({ error: 404, errorCode: 'PRIVATE_ENDPOINT_NOT_FOUND' });
  });

  test('a rejected endpoint ends REJECTED with the message and leaves the service waiting', async () => {
    atlas.endpointReadyAfterGets = 0;
    atlas.rejectEndpointWith = 'Endpoint region is not an accepted region';
    const svc = atlas.addService('US_EAST_1');
    await call('POST', `${SERVICES}/${svc.id}/endpoint`, { body: { id: VPCE } });
    expect((await call('GET', endpointPath(svc.id))).json).toMatchObject({ connectionStatus: 'REJECTED', errorMessage: 'Endpoint region is not an accepted region' });
    expect(atlas.services.get(svc.id)?.status).toBe('WAITING_FOR_USER');
  });

  test('deregistering: 204, DELETING once, then 404; the service goes with its last endpoint only', async () => {
    const svc = atlas.addService('US_EAST_1');
    const other = 'vpce-0aaaaaaaaaaaaaaa0';
    atlas.addEndpoint(svc.id, VPCE);
    atlas.addEndpoint(svc.id, other);
    for (const vpce of [VPCE, other]) {
      expect((await call('DELETE', endpointPath(svc.id, vpce))).status).toBe(204);
      expect((await call('GET', endpointPath(svc.id, vpce))).json).toMatchObject({ connectionStatus: 'DELETING', deleteRequested: true });
      expect((await call('GET', endpointPath(svc.id, vpce))).status).toBe(404);
      if (vpce === VPCE) expect((await call('GET', `${SERVICES}/${svc.id}`)).json.interfaceEndpoints).toEqual([other]);
    }
    expect((await call('GET', `${SERVICES}/${svc.id}`)).json).toMatchObject({ error: 404, errorCode: 'PRIVATE_ENDPOINT_SERVICE_NOT_FOUND' });
  });
});
