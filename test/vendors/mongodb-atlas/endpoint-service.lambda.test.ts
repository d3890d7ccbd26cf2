/*
 * The Custom::MongoDbAtlasEndpointService handler beyond its lifecycle rows, driven through the
 * real handler against the Atlas stand-in: adopting or creating the region's service, a 409 or
 * an ambiguous POST, Atlas's FAILED and DELETING states, the wait's deadline, the accepted
 * regions, what Delete removes or keeps, and Atlas's refusals and throttling.
 */
import { AtlasHarness, OTHER_VPCE, PROJECT_ID, VPCE } from './atlas-harness';
import { ATLAS_MEDIA_TYPE, atlasError, CLIENT_ID, READ_ONLY_CLIENT_ID, READ_ONLY_CLIENT_SECRET, StandInService } from './atlas-stand-in';
import { RecordedRequest, Reply } from '../../support/local-server';

let h: AtlasHarness;
beforeEach(async () => { h = await AtlasHarness.start(); });
afterEach(async () => h.stop());

const SERVICES = `/api/atlas/v2/groups/${PROJECT_ID}/privateEndpoint/AWS/endpointService`;
const CREATE_PATH = `/api/atlas/v2/groups/${PROJECT_ID}/privateEndpoint/endpointService`;
const TOKEN = 'POST /api/oauth/token';
const LIST = 'GET /api/atlas/v2/groups/{projectId}/privateEndpoint/AWS/endpointService';
const POST = 'POST /api/atlas/v2/groups/{projectId}/privateEndpoint/endpointService';
const GET = `${LIST}/{serviceId}`;
const PATCH = 'PATCH /api/atlas/v2/groups/{projectId}/privateEndpoint/endpointService/{serviceId}';
const DELETE = 'DELETE /api/atlas/v2/groups/{projectId}/privateEndpoint/AWS/endpointService/{serviceId}';
const ADOPTED_ID = `mongodb-atlas:endpoint-service:${PROJECT_ID}:US_EAST_1`;
const createdId = (serviceId: string) => `${ADOPTED_ID}:created:${serviceId}`;
const create = (props: Record<string, unknown> = {}) => h.serviceEvent('Create', props);
const deleted = (physicalId: string) => h.serviceEvent('Delete', {}, { PhysicalResourceId: physicalId });

/** Lets the next `n` requests through to the stand-in's contract, then answers `replies`. */
function afterRequests(n: number, ...replies: Reply[]): void {
  h.atlas.failures.push(...new Array<Reply>(n), ...replies);
}

/** Runs `before` on each request ahead of the stand-in's contract; a Reply it returns answers instead. */
function beforeAtlas(before: (req: RecordedRequest) => Reply | undefined): void {
  h.atlas.before = before;
}

const isCreatePost = (req: RecordedRequest) => req.method === 'POST' && req.path === CREATE_PATH;
/** The only service at the stand-in (a test fails if there is not exactly one). */
function onlyService(): StandInService {
  expect(h.atlas.services.size).toBe(1);
  return [...h.atlas.services.values()][0];
}

describe('Create adopts the region\'s service', () => {
  test.each(['ATLAS', 'AWS'] as const)('when Atlas spells regionName the %s way: no POST, adopted physical ID', async (spelling) => {
    h.atlas.regionSpelling = spelling;
    const existing = h.atlas.addService('US_EAST_1');
    const answer = await h.invoke(create());
    expect(h.callsSince(0)).toEqual([TOKEN, LIST, GET]);
    expect(answer).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: ADOPTED_ID });
    expect(answer.Data).toEqual({ ServiceId: existing.id, ServiceName: existing.endpointServiceName, ServiceRegion: 'us-east-1', Created: 'false' });
    expect(onlyService()).toBe(existing);
  });

  test('but not another region\'s: it creates the one for its own region', async () => {
    const other = h.atlas.addService('EU_WEST_1');
    const answer = await h.invoke(create());
    expect(h.callsSince(0)).toEqual([TOKEN, LIST, POST, GET, GET, GET]);
    const mine = [...h.atlas.services.values()].find((s) => s.region === 'US_EAST_1')!;
    expect(answer).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: createdId(mine.id), Data: { ServiceId: mine.id, ServiceRegion: 'us-east-1' } });
    expect(mine.id).not.toBe(other.id);
    expect(h.atlas.services.size).toBe(2);
  });
});

describe('Create makes the service when the region has none', () => {
  test('POSTs Atlas\'s body with the versioned media type, then waits through INITIATING', async () => {
    h.atlas.serviceReadyAfterGets = 3;
    const answer = await h.invoke(create());
    expect(h.callsSince(0)).toEqual([TOKEN, LIST, POST, GET, GET, GET, GET]);
    const post = h.atlas.requests.find(isCreatePost)!;
    expect(JSON.parse(post.body)).toEqual({ providerName: 'AWS', region: 'US_EAST_1' });
    expect(post.headers).toMatchObject({ 'accept': ATLAS_MEDIA_TYPE, 'content-type': ATLAS_MEDIA_TYPE });
    expect(h.polls).toEqual([10_000, 10_000, 10_000]);
    const service = onlyService();
    expect(service.status).toBe('WAITING_FOR_USER');
    expect(answer).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: createdId(service.id) });
    expect(answer.Data).toEqual({ ServiceId: service.id, ServiceName: service.endpointServiceName, ServiceRegion: 'us-east-1', Created: 'true' });
    expect(h.logs).toContain(`waiting for the Atlas endpoint service ${service.id} for US_EAST_1: INITIATING`);
  });

  test('a 409 (another caller created it between the list and the POST) lists again and adopts it', async () => {
    let theirs: StandInService | undefined;
    beforeAtlas((req) => { if (isCreatePost(req)) theirs = h.atlas.addService('US_EAST_1'); return undefined; });
    const answer = await h.invoke(create());
    expect(h.callsSince(0)).toEqual([TOKEN, LIST, POST, LIST, GET]);
    expect(answer).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: ADOPTED_ID, Data: { ServiceId: theirs!.id, Created: 'false' } });
    expect(onlyService()).toBe(theirs);
  });

  test.each<[string, Reply]>([
    ['a 503', atlasError(503, 'SERVICE_UNAVAILABLE', 'Service temporarily unavailable.')],
    ['a reset connection', { status: 200, reset: true }],
    ['no answer', { status: 200, hang: true }],
  ])('a POST that made the service but got %s lists again and keeps it as created', async (_, reply) => {
    h.atlas.afterCreate.push(reply);
    const answer = await h.invoke(create(), { requestTimeoutMs: 300 });
    expect(h.callsSince(0)).toEqual([TOKEN, LIST, POST, LIST, GET, GET, GET]);
    const service = onlyService();
    expect(answer).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: createdId(service.id), Data: { Created: 'true' } });
  });

  test('an ambiguous POST that made nothing answers FAILED, saying to deploy again', async () => {
    beforeAtlas((req) => (isCreatePost(req) ? { status: 503 } : undefined));
    const answer = await h.invoke(create());
    expect(h.callsSince(0)).toEqual([TOKEN, LIST, POST, LIST]);
    expect(answer.Status).toBe('FAILED');
    expect(answer.Reason).toMatch(/^POST .*\/privateEndpoint\/endpointService answered HTTP 503 .*the request may have been carried out; and listing the project's services finds none for US_EAST_1: deploy again$/);
    expect(answer.PhysicalResourceId).toMatch(/^create-failed:/);
    expect(h.atlas.services.size).toBe(0);
  });
});

describe('Atlas reports the service FAILED', () => {
  const ATLAS_SAYS = 'Failed to create the network load balancer';

  test('on a Create that POSTed, FAILED keeps the created physical ID, and the rollback\'s Delete deletes the service', async () => {
    h.atlas.failServiceWith = ATLAS_SAYS;
    const answer = await h.invoke(create());
    const service = onlyService();
    expect(answer).toMatchObject({ Status: 'FAILED', PhysicalResourceId: createdId(service.id) });
    expect(answer.Reason).toBe(`Atlas reports the endpoint service ${service.id} for US_EAST_1 as FAILED: ${ATLAS_SAYS}; ` +
      'delete it in Atlas (Network Access > Private Endpoint) and deploy again');

    const from = h.atlas.calls.length;
    const rollback = await h.invoke(deleted(answer.PhysicalResourceId));
    expect(h.callsSince(from)).toEqual([TOKEN, GET, DELETE]);
    expect(rollback).toMatchObject({ Status: 'SUCCESS', Reason: `deleted the Atlas endpoint service ${service.id} for US_EAST_1, which this stack created` });
    expect(h.atlas.services.size).toBe(0);
  });

  test('on a service it adopted, FAILED makes nothing to roll back, and the service is kept', async () => {
    const existing = Object.assign(h.atlas.addService('US_EAST_1'), { status: 'FAILED', errorMessage: ATLAS_SAYS });
    const answer = await h.invoke(create());
    expect(h.callsSince(0)).toEqual([TOKEN, LIST, GET]);
    expect(answer.Status).toBe('FAILED');
    expect(answer.Reason).toContain(`as FAILED: ${ATLAS_SAYS}`);
    expect(answer.PhysicalResourceId).toMatch(/^create-failed:/);
    expect((await h.invoke(deleted(answer.PhysicalResourceId))).Status).toBe('SUCCESS');
    expect(h.callsSince(0)).toEqual([TOKEN, LIST, GET]);
    expect(onlyService()).toBe(existing);
  });
});

describe('the wait', () => {
  test('a service being deleted at create is waited out, then a new one is created', async () => {
    const old = h.atlas.addService('US_EAST_1', { status: 'DELETING' });
    let gets = 0;
    // Atlas finishes removing it before the second read.
    beforeAtlas((req) => { if (req.method === 'GET' && req.path === `${SERVICES}/${old.id}` && ++gets === 2) h.atlas.services.delete(old.id); return undefined; });
    const answer = await h.invoke(create());
    expect(h.callsSince(0)).toEqual([TOKEN, LIST, GET, GET, POST, GET, GET, GET]);
    const service = onlyService();
    expect(service.id).not.toBe(old.id);
    expect(answer).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: createdId(service.id) });
    expect(h.logs).toContain(`waiting for Atlas to finish deleting the endpoint service ${old.id} for US_EAST_1: DELETING`);
    expect(h.polls).toHaveLength(3);
  });

  // The work has 55 s: the wait stops once another 10 s pause would pass 45 s, well before the deadline.
  const EARLY = { remainingMs: 65_000, reserveMs: 10_000 };

  test('gives up before the deadline on a service that stays INITIATING, keeping the created physical ID', async () => {
    h.atlas.serviceReadyAfterGets = 1_000_000;
    const started = Date.now();
    const answer = await h.invoke(create(), EARLY);
    expect(Date.now() - started).toBeLessThan(5_000);
    const service = onlyService();
    expect(answer).toMatchObject({ Status: 'FAILED', PhysicalResourceId: createdId(service.id) });
    expect(answer.Reason).toBe(`gave up waiting for the Atlas endpoint service ${service.id} for US_EAST_1 after 40 s and 5 checks: ` +
      'the vendor still reports INITIATING');
    expect(h.polls).toHaveLength(4);
  });

  test('gives up before the deadline on a service that stays DELETING, having made nothing', async () => {
    const old = h.atlas.addService('US_EAST_1', { status: 'DELETING' });
    const answer = await h.invoke(create(), EARLY);
    expect(h.callsSince(0).filter((c) => c.startsWith('POST /api/atlas'))).toEqual([]);
    expect(answer.Status).toBe('FAILED');
    expect(answer.Reason).toBe(`gave up waiting for Atlas to finish deleting the endpoint service ${old.id} for US_EAST_1 after 40 s ` +
      'and 5 checks: the vendor still reports DELETING');
    expect(answer.PhysicalResourceId).toMatch(/^create-failed:/);
  });
});

describe('SupportedRemoteRegions', () => {
  test.each([
    [['EU_WEST_1', 'EU_CENTRAL_1']],
    [[]],
  ])('are PATCHed to %j when Atlas reports others', async (wanted) => {
    const existing = h.atlas.addService('US_EAST_1', { supportedRemoteRegions: ['AP_SOUTHEAST_2'] });
    const answer = await h.invoke(create({ SupportedRemoteRegions: wanted }));
    expect(h.callsSince(0)).toEqual([TOKEN, LIST, GET, PATCH]);
    const patch = h.atlas.requests.find((r) => r.method === 'PATCH')!;
    expect(JSON.parse(patch.body)).toEqual({ cloudProvider: 'AWS', supportedRemoteRegions: wanted });
    expect(patch.headers['content-type']).toBe(ATLAS_MEDIA_TYPE);
    expect(answer.Status).toBe('SUCCESS');
    expect(existing.supportedRemoteRegions).toEqual(wanted);
  });

  test('are not PATCHed when Atlas reports the same regions in another order', async () => {
    h.atlas.addService('US_EAST_1', { supportedRemoteRegions: ['EU_CENTRAL_1', 'EU_WEST_1'] });
    const answer = await h.invoke(create({ SupportedRemoteRegions: ['EU_WEST_1', 'EU_CENTRAL_1'] }));
    expect(h.callsSince(0)).toEqual([TOKEN, LIST, GET]);
    expect(answer.Status).toBe('SUCCESS');
  });

  test('are left as they are when the property is absent', async () => {
    const existing = h.atlas.addService('US_EAST_1', { supportedRemoteRegions: ['EU_WEST_1'] });
    await h.invoke(create());
    expect(h.callsSince(0)).toEqual([TOKEN, LIST, GET]);
    expect(existing.supportedRemoteRegions).toEqual(['EU_WEST_1']);
  });

  test('are sent in Atlas\'s spelling whatever spelling they are given in (Atlas refuses lower case)', async () => {
    await h.invoke(create({ SupportedRemoteRegions: ['eu-west-1'] }));
    expect(JSON.parse(h.atlas.requests.find(isCreatePost)!.body).supportedRemoteRegions).toEqual(['EU_WEST_1']);
    expect(onlyService().supportedRemoteRegions).toEqual(['EU_WEST_1']);
  });

  test('go with the POST of a new service, and need no PATCH after it', async () => {
    await h.invoke(create({ SupportedRemoteRegions: ['EU_WEST_1'] }));
    expect(h.callsSince(0)).toEqual([TOKEN, LIST, POST, GET, GET, GET]);
    expect(JSON.parse(h.atlas.requests.find(isCreatePost)!.body)).toEqual({ providerName: 'AWS', region: 'US_EAST_1', supportedRemoteRegions: ['EU_WEST_1'] });
    expect(onlyService().supportedRemoteRegions).toEqual(['EU_WEST_1']);
  });
});

test('an Update that finds its service gone (removed with its last endpoint) creates one under a new physical ID', async () => {
  const first = await h.invoke(create());
  h.atlas.services.clear();
  const from = h.atlas.calls.length;
  const answer = await h.invoke(h.serviceEvent('Update', {}, { PhysicalResourceId: first.PhysicalResourceId, OldResourceProperties: create().ResourceProperties }));
  expect(h.callsSince(from)).toEqual([TOKEN, LIST, POST, GET, GET, GET]);
  const service = onlyService();
  expect(answer).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: createdId(service.id), Data: { ServiceId: service.id } });
  expect(answer.PhysicalResourceId).not.toBe(first.PhysicalResourceId);
});

describe('Delete', () => {
  /** Creates the service through the handler; returns it and its physical ID. */
  async function createdService(): Promise<[StandInService, string]> {
    const answer = await h.invoke(create());
    expect(answer.Status).toBe('SUCCESS');
    return [onlyService(), answer.PhysicalResourceId];
  }

  test('of an adopted service calls nothing and reads no secret', async () => {
    const existing = h.atlas.addService('US_EAST_1');
    const answer = await h.invoke(deleted(ADOPTED_ID));
    expect(h.atlas.calls).toEqual([]);
    expect(h.secretReads).toBe(0);
    expect(answer).toMatchObject({
      Status: 'SUCCESS',
      PhysicalResourceId: ADOPTED_ID,
      Reason: `kept the Atlas endpoint service for US_EAST_1 in project ${PROJECT_ID}: it was there before this stack, which only adopted it`,
    });
    expect(onlyService()).toBe(existing);
  });

  test('of a created service that endpoints use keeps it and names them', async () => {
    const [service, id] = await createdService();
    h.atlas.addEndpoint(service.id, VPCE);
    h.atlas.addEndpoint(service.id, OTHER_VPCE);
    const from = h.atlas.calls.length;
    const answer = await h.invoke(deleted(id));
    expect(h.callsSince(from)).toEqual([TOKEN, GET]);
    expect(answer).toMatchObject({
      Status: 'SUCCESS',
      Reason: `kept the Atlas endpoint service ${service.id}: endpoints ${VPCE}, ${OTHER_VPCE} still use it; Atlas removes it with the last of them`,
    });
    expect(onlyService()).toBe(service);
  });

  test('of a created service that no endpoint uses deletes it', async () => {
    const [service, id] = await createdService();
    const from = h.atlas.calls.length;
    const answer = await h.invoke(deleted(id));
    expect(h.callsSince(from)).toEqual([TOKEN, GET, DELETE]);
    expect(h.atlas.requests[h.atlas.requests.length - 1].path).toBe(`${SERVICES}/${service.id}`);
    expect(answer).toMatchObject({ Status: 'SUCCESS', Reason: `deleted the Atlas endpoint service ${service.id} for US_EAST_1, which this stack created` });
    expect(h.atlas.services.size).toBe(0);
  });

  test('of a created service that is already gone answers SUCCESS', async () => {
    const [service, id] = await createdService();
    h.atlas.services.clear();
    const from = h.atlas.calls.length;
    const answer = await h.invoke(deleted(id));
    expect(h.callsSince(from)).toEqual([TOKEN, GET]);
    expect(answer).toMatchObject({
      Status: 'SUCCESS',
      Reason: `the Atlas endpoint service ${service.id} was already gone (Atlas removes a service with its last endpoint)`,
    });
  });

  test('with a physical ID the handler never gave calls nothing, and says what is kept and how to delete it by hand', async () => {
    h.atlas.addService('US_EAST_1');
    const answer = await h.invoke(deleted('Stack-EndpointService-1A2B3C4D5E6F'));
    expect(h.atlas.calls).toEqual([]);
    expect(h.secretReads).toBe(0);
    expect(answer.Status).toBe('SUCCESS');
    expect(answer.Reason).toMatch(new RegExp(`^kept any Atlas endpoint service for US_EAST_1 in project ${PROJECT_ID}: `));
    expect(answer.Reason).toContain(`delete it by hand if nothing uses it: DELETE ${SERVICES}/{id}, or Atlas > Network Access > Private Endpoint`);
    expect(h.atlas.services.size).toBe(1);
  });
});

describe('Atlas refuses or throttles', () => {
  test('a wrong service-account secret (401 at the token) answers FAILED with what to check', async () => {
    const wrong = `mdb_sa_sk_${'WR0NG'.repeat(7)}`;
    h.credential = { clientId: CLIENT_ID, clientSecret: wrong };
    const answer = await h.invoke(create());
    expect(h.callsSince(0)).toEqual([TOKEN]);
    expect(answer).toMatchObject({ Status: 'FAILED', PhysicalResourceId: expect.stringMatching(/^create-failed:/) });
    expect(answer.Reason).toMatch(/HTTP 401: invalid_client: Invalid client credentials/);
    expect(answer.Reason).toContain(`(Atlas refused the service account ${CLIENT_ID}: check the secret`);
    expect(JSON.stringify(answer) + h.logs.join('\n')).not.toContain(wrong);
  });

  test('a read-only service account (403 on the POST) answers FAILED naming the Project Owner role', async () => {
    h.credential = { clientId: READ_ONLY_CLIENT_ID, clientSecret: READ_ONLY_CLIENT_SECRET };
    const answer = await h.invoke(create());
    expect(h.callsSince(0)).toEqual([TOKEN, LIST, POST]);
    expect(answer.Status).toBe('FAILED');
    expect(answer.Reason).toMatch(/^POST .* failed with HTTP 403: USER_UNAUTHORIZED: /);
    expect(answer.Reason).toContain(`(the service account ${READ_ONLY_CLIENT_ID} lacks the Project Owner role on the project`);
    expect(h.atlas.services.size).toBe(0);
    expect(JSON.stringify(answer) + h.logs.join('\n')).not.toContain(READ_ONLY_CLIENT_SECRET);
  });

  test('an unknown project (404 GROUP_NOT_FOUND) answers FAILED naming it', async () => {
    const unknown = 'aaaaaaaaaaaaaaaaaaaaaaaa';
    const answer = await h.invoke(create({ ProjectId: unknown }));
    expect(h.atlas.calls).toEqual([TOKEN, `GET /api/atlas/v2/groups/${unknown}/privateEndpoint/AWS/endpointService`]);
    expect(answer.Status).toBe('FAILED');
    expect(answer.Reason).toContain(`failed with HTTP 404: GROUP_NOT_FOUND: No group with ID ${unknown} exists.`);
  });

  test('a 429 on the list is waited for as Retry-After says, then retried', async () => {
    afterRequests(1, { ...atlasError(429, 'RATE_LIMITED_TOKEN_BUCKET', 'Rate limit exceeded.'), headers: { 'retry-after': '7' } });
    const answer = await h.invoke(create());
    expect(h.callsSince(0)).toEqual([TOKEN, LIST, LIST, POST, GET, GET, GET]);
    expect(h.sleeps).toEqual([7_000]);
    expect(answer.Status).toBe('SUCCESS');
  });

  test('a 5xx on the GET of the service is retried', async () => {
    afterRequests(3, { status: 502 }, atlasError(503, 'SERVICE_UNAVAILABLE', 'Try again later.'));
    const answer = await h.invoke(create());
    expect(h.callsSince(0)).toEqual([TOKEN, LIST, POST, GET, GET, GET, GET, GET]);
    expect(h.sleeps).toHaveLength(2);
    expect(h.polls).toHaveLength(2);
    expect(answer).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: createdId(onlyService().id) });
  });

  test('a malformed project ID answers FAILED before any call and before the secret is read', async () => {
    const answer = await h.invoke(create({ ProjectId: 'not-a-project' }));
    expect(h.atlas.calls).toEqual([]);
    expect(h.secretReads).toBe(0);
    expect(answer).toMatchObject({
      Status: 'FAILED',
      Reason: 'project ID "not-a-project" is not 24 hexadecimal characters: no Atlas call was made with it',
    });
  });
});
