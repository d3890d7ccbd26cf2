/*
 * Custom::MongoDbAtlasEndpoint's handler (endpoint-registration.ts) against the Atlas stand-in:
 * registering by the VPC endpoint ID as the natural key, Atlas's refusals, waiting within the
 * deadline, and the Delete's decisions about what it may leave registered.
 */
import { AtlasHarness, OTHER_VPCE, PROJECT_ID, VPCE } from './atlas-harness';
import { atlasError, READ_ONLY_CLIENT_ID, READ_ONLY_CLIENT_SECRET, StandInService } from './atlas-stand-in';
import { Reply } from '../../support/local-server';
import { UNREADABLE_SECRETS } from '../dynatrace/privatelink/privatelink-api-harness';

let h: AtlasHarness;
let service: StandInService;
beforeEach(async () => ({ h, service } = await AtlasHarness.withService()));
afterEach(async () => h.stop());

const ENDPOINT = '/api/atlas/v2/groups/{projectId}/privateEndpoint/AWS/endpointService/{serviceId}/endpoint';
const TOKEN = 'POST /api/oauth/token';
const physicalId = (vpce = VPCE, serviceId = service.id) => `mongodb-atlas:endpoint:${PROJECT_ID}:${serviceId}:${vpce}`;
const create = (props: Record<string, unknown> = {}) => h.endpointEvent('Create', service.id, props);
const deleted = (props: Record<string, unknown> = {}, id = physicalId()) => h.endpointEvent('Delete', service.id, props, { PhysicalResourceId: id });

/** What is registered with the stand-in's service now, by vpce, with its status. */
function registered(): Record<string, string> {
  return Object.fromEntries([...service.endpoints.values()].map((e) => [e.id, e.connectionStatus]));
}

const posts = () => h.atlas.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/endpoint'));

describe('Create', () => {
  test('an endpoint Atlas does not know is registered by its ID, then awaited through PENDING_ACCEPTANCE and PENDING', async () => {
    const answer = await h.invoke(create());
    expect(answer).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: physicalId(), Data: { ConnectionStatus: 'AVAILABLE' } });
    expect(h.callsSince(0)).toEqual([TOKEN, `GET ${ENDPOINT}/{vpce}`, `POST ${ENDPOINT}`, ...Array(4).fill(`GET ${ENDPOINT}/{vpce}`)]);
    expect(posts().map((r) => r.json)).toEqual([{ id: VPCE }]);
    const waits = h.logs.filter((l) => l.startsWith(`waiting for Atlas to accept endpoint ${VPCE}`));
    expect(waits).toEqual([...Array(2).fill(`waiting for Atlas to accept endpoint ${VPCE}: PENDING_ACCEPTANCE`),
      `waiting for Atlas to accept endpoint ${VPCE}: PENDING`]);
    expect(h.polls).toEqual([10_000, 10_000, 10_000]);
    expect(registered()).toEqual({ [VPCE]: 'AVAILABLE' });
  });

  test('an endpoint already registered is not registered again', async () => {
    h.atlas.addEndpoint(service.id, VPCE, 'PENDING');
    const answer = await h.invoke(create());
    expect(answer).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: physicalId() });
    expect(posts()).toHaveLength(0);
    expect(registered()).toEqual({ [VPCE]: 'AVAILABLE' });
  });

  test('a 409 to the POST (registered in between) counts as registered', async () => {
    h.atlas.addEndpoint(service.id, VPCE);
    // The first GET misses it; the POST then meets the stand-in's 409.
    h.afterRequests(1, atlasError(404, 'PRIVATE_ENDPOINT_NOT_FOUND', `No private endpoint with ID ${VPCE} exists.`));
    const answer = await h.invoke(create());
    expect(answer).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: physicalId() });
    expect(h.callsSince(0)).toEqual([TOKEN, `GET ${ENDPOINT}/{vpce}`, `POST ${ENDPOINT}`, `GET ${ENDPOINT}/{vpce}`]);
    expect(registered()).toEqual({ [VPCE]: 'AVAILABLE' });
  });

  test.each<[string, Reply]>([
    ['a 503', { status: 503 }],
    ['a connection reset', { status: 200, reset: true }],
    ['no answer', { status: 200, hang: true }],
  ])('a POST answered with %s after registering is looked up again, never repeated', async (_, reply) => {
    h.atlas.afterCreate.push(reply);
    const answer = await h.invoke(create(), { requestTimeoutMs: 300 });
    expect(answer).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: physicalId() });
    expect(posts()).toHaveLength(1);
    expect(h.callsSince(0).slice(0, 4)).toEqual([TOKEN, `GET ${ENDPOINT}/{vpce}`, `POST ${ENDPOINT}`, `GET ${ENDPOINT}/{vpce}`]);
    expect(h.logs).toContain(`the ambiguous registration of ${VPCE} went through`);
    expect(registered()).toEqual({ [VPCE]: 'AVAILABLE' });
  });

  test('an ambiguous POST that registered nothing fails, saying to deploy again', async () => {
    h.afterRequests(2, { status: 503 }); // before the stand-in registers anything
    const answer = await h.invoke(create());
    expect(answer.Status).toBe('FAILED');
    expect(answer.Reason).toMatch(/^POST .* answered HTTP 503 .*the request may have been carried out; and Atlas does not know endpoint vpce-0123456789abcdef0: deploy again$/);
    expect(answer.PhysicalResourceId).toMatch(/^create-failed:/);
    expect(registered()).toEqual({});
  });

  test.each([
    ['REJECTED', 'rejectEndpointWith'],
    ['FAILED', 'failEndpointWith'],
  ] as const)('%s fails with Atlas\'s message; the rollback\'s Delete deregisters what the create registered', async (status, setting) => {
    h.atlas[setting] = 'No dns entries found for endpoint vpce-0123456789abcdef0';
    const answer = await h.invoke(create());
    expect(answer.Status).toBe('FAILED');
    expect(answer.Reason).toBe(`Atlas reports endpoint ${VPCE} as ${status}: No dns entries found for endpoint ${VPCE} (check that the ` +
      'endpoint\'s region is the service\'s or one of its accepted regions, and that the endpoint has subnets)');
    expect(answer.PhysicalResourceId).toBe(physicalId());
    expect(registered()).toEqual({ [VPCE]: status });

    const rollback = await h.invoke(deleted({}, answer.PhysicalResourceId));
    expect(rollback.Status).toBe('SUCCESS');
    expect(rollback.Reason).toMatch(new RegExp(`^deregistered endpoint ${VPCE} from Atlas`));
    expect(h.atlas.services.has(service.id)).toBe(false); // its only endpoint: Atlas removed the service with it
  });

  test('a create that finds our endpoint already registered (a lost first answer) and then sees it rejected keeps the physical ID', async () => {
    h.atlas.addEndpoint(service.id, VPCE, 'PENDING_ACCEPTANCE');
    h.atlas.rejectEndpointWith = 'Endpoint region eu-west-1 is not accepted';
    const answer = await h.invoke(create());
    expect(answer.Status).toBe('FAILED');
    expect(posts()).toHaveLength(0);
    // The endpoint is this stack's own, so a registration of it is too: the rollback's Delete must find it.
    expect(answer.PhysicalResourceId).toBe(physicalId());
    const rollback = await h.invoke(deleted({}, answer.PhysicalResourceId));
    expect(rollback.Reason).toMatch(new RegExp(`^deregistered endpoint ${VPCE} from Atlas`));
    expect(registered()).toEqual({});
  });

  test('a create that fails before Atlas knows the endpoint answers with a create-failed ID, whose Delete calls nothing', async () => {
    h.atlas.failures.push(atlasError(404, 'GROUP_NOT_FOUND', `No group with ID ${PROJECT_ID} exists.`));
    const answer = await h.invoke(create());
    expect(answer.Status).toBe('FAILED');
    expect(answer.PhysicalResourceId).toMatch(/^create-failed:/);
  });

  test('a replacement that Atlas rejects deregisters the endpoint it registered and says so; the old one stays', async () => {
    h.atlas.addEndpoint(service.id, VPCE);
    h.atlas.rejectEndpointWith = 'Endpoint region eu-west-1 is not accepted';
    const update = h.endpointEvent('Update', service.id, { EndpointId: OTHER_VPCE },
      { PhysicalResourceId: physicalId(), OldResourceProperties: create().ResourceProperties });
    const answer = await h.invoke(update);
    expect(answer.Status).toBe('FAILED');
    expect(answer.PhysicalResourceId).toBe(physicalId());
    expect(answer.Reason).toMatch(new RegExp(`^Atlas reports endpoint ${OTHER_VPCE} as REJECTED: Endpoint region eu-west-1 is not accepted .*` +
      '; the registration this update made was deregistered it again$'));
    expect(h.callsSince(0).slice(-1)).toEqual([`DELETE ${ENDPOINT}/{vpce}`]);
    expect(h.atlas.calls.slice(-1)[0]).toContain(OTHER_VPCE);
    expect(service.endpoints.get(OTHER_VPCE)?.deleteRequested).toBe(true);
    expect(service.endpoints.get(VPCE)).toMatchObject({ connectionStatus: 'AVAILABLE', deleteRequested: false });
  });

  test('an endpoint still DELETING is awaited until it is gone, then registered', async () => {
    h.atlas.addEndpoint(service.id, OTHER_VPCE); // keeps the service alive when ours goes
    Object.assign(h.atlas.addEndpoint(service.id, VPCE, 'DELETING'), { deleteRequested: true });
    h.atlas.deleteAfterGets = 2;
    const answer = await h.invoke(create());
    expect(answer).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: physicalId() });
    expect(h.callsSince(0).slice(0, 5)).toEqual([TOKEN, ...Array(3).fill(`GET ${ENDPOINT}/{vpce}`), `POST ${ENDPOINT}`]);
    expect(h.logs).toContain(`waiting for Atlas to let go of endpoint ${VPCE}: DELETING`);
    expect(registered()).toEqual({ [OTHER_VPCE]: 'AVAILABLE', [VPCE]: 'AVAILABLE' });
  });

  test('the wait gives up before the deadline, naming the last status; the rollback can still deregister', async () => {
    h.atlas.endpointReadyAfterGets = 1_000;
    const budgetMs = 60_000;
    const answer = await h.invoke(create(), { remainingMs: budgetMs + 30_000, reserveMs: 30_000 });
    expect(answer.Status).toBe('FAILED');
    expect(answer.Reason).toMatch(new RegExp(`^gave up waiting for Atlas to accept endpoint ${VPCE} after \\d+ s and \\d+ checks: ` +
      'the vendor still reports PENDING_ACCEPTANCE$'));
    expect(answer.PhysicalResourceId).toBe(physicalId());
    // Virtual time: the pauses taken, plus the one not taken, fit in the work's budget.
    expect(h.polls.length).toBeGreaterThan(2);
    expect(h.polls.reduce((a, b) => a + b, 0) + 10_000).toBeLessThanOrEqual(budgetMs);

    const rollback = await h.invoke(deleted({}, answer.PhysicalResourceId));
    expect(rollback).toMatchObject({ Status: 'SUCCESS', Reason: expect.stringMatching(new RegExp(`^deregistered endpoint ${VPCE} from Atlas`)) });
    expect(registered()).toEqual({});
  });

  test.each(['vpce-XYZ', '${Token[TOKEN.123]}', 'vpce-0123456789abcdef'])('a malformed VPC endpoint ID %s fails before the secret is read or any call', async (id) => {
    const answer = await h.invoke(create({ EndpointId: id }));
    expect(answer.Status).toBe('FAILED');
    expect(answer.Reason).toBe(`VPC endpoint ID ${JSON.stringify(id)} is not "vpce-" and 8 or 17 hexadecimal characters: no Atlas call was made with it`);
    expect(answer.PhysicalResourceId).toMatch(/^create-failed:/);
    expect(h.secretReads).toBe(0);
    expect(h.atlas.calls).toEqual([]);
    // Its rollback's Delete has nothing to do.
    expect((await h.invoke(deleted({ EndpointId: id }, answer.PhysicalResourceId))).Status).toBe('SUCCESS');
    expect(h.atlas.calls).toEqual([]);
  });
});

describe('Delete', () => {
  test('deregisters and waits until Atlas answers 404; ours was the last endpoint, so the service goes too', async () => {
    h.atlas.addEndpoint(service.id, VPCE);
    h.atlas.deleteAfterGets = 3;
    const answer = await h.invoke(deleted());
    expect(answer).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: physicalId() });
    expect(answer.Reason).toBe(`deregistered endpoint ${VPCE} from Atlas; it was the last endpoint of Atlas endpoint service ` +
      `${service.id}, so Atlas removes that service too`);
    expect(h.callsSince(0)).toEqual([TOKEN, `GET ${ENDPOINT.replace(/\/endpoint$/, '')}`, `DELETE ${ENDPOINT}/{vpce}`,
      ...Array(4).fill(`GET ${ENDPOINT}/{vpce}`)]);
    expect(h.atlas.services.has(service.id)).toBe(false);
  });

  test('with another endpoint on the service, the reason does not speak of the last endpoint and the service stays', async () => {
    h.atlas.addEndpoint(service.id, VPCE);
    h.atlas.addEndpoint(service.id, OTHER_VPCE);
    const answer = await h.invoke(deleted());
    expect(answer).toMatchObject({ Status: 'SUCCESS', Reason: `deregistered endpoint ${VPCE} from Atlas` });
    expect(registered()).toEqual({ [OTHER_VPCE]: 'AVAILABLE' });
    expect(h.atlas.services.has(service.id)).toBe(true);
  });

  test('an endpoint that is not registered is already deregistered', async () => {
    const answer = await h.invoke(deleted());
    expect(answer).toMatchObject({ Status: 'SUCCESS', Reason: `endpoint ${VPCE} was not registered with Atlas (already deregistered)` });
    expect(h.atlas.calls.filter((c) => c.startsWith('DELETE'))).toHaveLength(1);
  });

  test('a service that is gone answers SUCCESS', async () => {
    const gone = 'feedfacefeedfacefeedface';
    const answer = await h.invoke(h.endpointEvent('Delete', gone, {}, { PhysicalResourceId: physicalId(VPCE, gone) }));
    expect(answer).toMatchObject({ Status: 'SUCCESS', Reason: `endpoint ${VPCE} was not registered with Atlas (already deregistered)` });
  });

  test('a physical ID the handler never gave deregisters by the properties', async () => {
    h.atlas.addEndpoint(service.id, VPCE);
    h.atlas.addEndpoint(service.id, OTHER_VPCE);
    const answer = await h.invoke(deleted({ EndpointId: OTHER_VPCE }, 'Stack-Registration-XYZ'));
    expect(answer).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'Stack-Registration-XYZ', Reason: `deregistered endpoint ${OTHER_VPCE} from Atlas` });
    expect(registered()).toEqual({ [VPCE]: 'AVAILABLE' });
  });

  test('the physical ID, not the properties, names what a Delete deregisters', async () => {
    h.atlas.addEndpoint(service.id, VPCE);
    h.atlas.addEndpoint(service.id, OTHER_VPCE);
    const answer = await h.invoke(deleted({ EndpointId: OTHER_VPCE }, physicalId(VPCE)));
    expect(answer.Reason).toBe(`deregistered endpoint ${VPCE} from Atlas`);
    expect(registered()).toEqual({ [OTHER_VPCE]: 'AVAILABLE' });
  });

  describe('when it cannot act: SUCCESS, naming what is left and how to deregister it by hand', () => {
    const leftBehind = (answer: any, why: RegExp) => {
      expect(answer.Status).toBe('SUCCESS');
      expect(answer.Reason).toMatch(new RegExp(`^could not deregister endpoint ${VPCE} from Atlas: `));
      expect(answer.Reason).toMatch(why);
      expect(answer.Reason).toContain(`deregister it by hand: DELETE /api/atlas/v2/groups/${PROJECT_ID}/privateEndpoint/AWS/endpointService/` +
        `${service.id}/endpoint/${VPCE}, or Atlas > Network Access > Private Endpoint`);
    };
    beforeEach(() => { h.atlas.addEndpoint(service.id, VPCE); });
    afterEach(() => { expect(registered()).toEqual({ [VPCE]: 'AVAILABLE' }); });

    test('the service account is refused (401)', async () => {
      h.credential = { clientId: 'mdb_sa_id_000000000000000000000000', clientSecret: 'mdb_sa_sk_not-valid' };
      leftBehind(await h.invoke(deleted()), /the vendor refused the credential \(HTTP 401\)/);
    });

    test('the service account lacks Project Owner (403)', async () => {
      h.credential = { clientId: READ_ONLY_CLIENT_ID, clientSecret: READ_ONLY_CLIENT_SECRET };
      const answer = await h.invoke(deleted());
      leftBehind(answer, /the vendor refused the credential \(HTTP 403\).*lacks the Project Owner role/);
      expect(JSON.stringify(answer) + h.logs.join('\n')).not.toContain(READ_ONLY_CLIENT_SECRET);
    });

    test('the host does not resolve (ENOTFOUND)', async () => {
      leftBehind(await h.invoke(deleted({ ApiUrl: 'https://atlas.invalid' })), /host name no longer resolves \(ENOTFOUND\)/);
    });

    test.each(UNREADABLE_SECRETS)('the secret is %s', async (_, error) => {
      h.secretError = error;
      const answer = await h.invoke(deleted());
      leftBehind(answer, /the credential's secret (no longer exists|is scheduled for deletion|cannot be decrypted)/);
      expect(h.atlas.calls).toEqual([]);
    });
  });

  test('a 5xx that persists fails after bounded retries, keeping the physical ID', async () => {
    h.atlas.addEndpoint(service.id, VPCE);
    h.afterRequests(2, ...Array(10).fill(atlasError(503, 'SERVICE_UNAVAILABLE', 'Service unavailable')));
    const answer = await h.invoke(deleted());
    expect(answer).toMatchObject({ Status: 'FAILED', PhysicalResourceId: physicalId() });
    expect(answer.Reason).toMatch(/^DELETE .* failed after 6 attempts: HTTP 503: SERVICE_UNAVAILABLE: Service unavailable$/);
    expect(h.atlas.calls.filter((c) => c.startsWith('DELETE'))).toHaveLength(6);
    expect(h.sleeps).toHaveLength(5);
    expect(registered()).toEqual({ [VPCE]: 'AVAILABLE' });
  });
});
