/*
 * Each row of the README's Lifecycle table for Custom::MongoDbAtlasEndpoint, driven through the
 * real handler against the Atlas stand-in: the calls made, what CloudFormation was told, and
 * what is left registered at the stand-in.
 */
import { AtlasHarness, OTHER_VPCE, PROJECT_ID, VPCE } from './atlas-harness';
import { CLIENT_ID, CLIENT_SECRET, StandInService } from './atlas-stand-in';
import { ENDPOINT_REGISTRATION_LIFECYCLE } from './endpoint-registration.lifecycle';
import { Scenario, lifecycleTests } from '../../lifecycle/drive';
import { LifecycleEvent } from '../../lifecycle/lifecycle';
import { UNREADABLE_SECRETS } from '../dynatrace/privatelink/privatelink-api-harness';

let h: AtlasHarness;
let service: StandInService;
beforeEach(async () => ({ h, service } = await AtlasHarness.withService()));
afterEach(async () => h.stop());

const REVOKED_SECRET = `mdb_sa_sk_${'REV0KED'.repeat(6)}`;
const physicalId = (vpce = VPCE) => `mongodb-atlas:endpoint:${PROJECT_ID}:${service.id}:${vpce}`;
const create = (props: Record<string, unknown> = {}) => h.endpointEvent('Create', service.id, props);
const deleted = (props: Record<string, unknown> = {}, id = physicalId()) =>
  h.endpointEvent('Delete', service.id, props, { PhysicalResourceId: id });
/** The by-hand advice every Delete that could not act gives. */
const BY_HAND = `deregister it by hand: DELETE /api/atlas/v2/groups/${PROJECT_ID}/privateEndpoint/AWS/endpointService/`;

/** What is registered at the stand-in now, by vpce, with its status. */
function registered(): Record<string, string> {
  return Object.fromEntries([...service.endpoints.values()].map((e) => [e.id, e.connectionStatus]));
}

const scenarios: Record<LifecycleEvent, Scenario> = {
  'create': async (mark) => {
    mark();
    const answer = await h.invoke(create());
    expect(answer.PhysicalResourceId).toBe(physicalId());
    expect(answer.Data).toEqual({ ConnectionStatus: 'AVAILABLE' });
    expect(registered()).toEqual({ [VPCE]: 'AVAILABLE' });
    return answer;
  },
  'create delivered twice': async (mark) => {
    const e = create();
    await h.invoke(e);
    mark();
    const answer = await h.invoke(e);
    expect(answer.PhysicalResourceId).toBe(physicalId());
    expect(registered()).toEqual({ [VPCE]: 'AVAILABLE' });
    return answer;
  },
  'update that changes nothing': async (mark) => {
    const e = create();
    await h.invoke(e);
    mark();
    const answer = await h.invoke(h.endpointEvent('Update', service.id, {}, { PhysicalResourceId: physicalId(), OldResourceProperties: e.ResourceProperties }));
    expect(answer.PhysicalResourceId).toBe(physicalId());
    return answer;
  },
  'update that changes something': async (mark) => {
    const e = create();
    await h.invoke(e);
    service.endpoints.delete(VPCE); // deregistered by hand
    mark();
    const answer = await h.invoke(h.endpointEvent('Update', service.id, { ApiUrl: `${h.atlas.url}/` },
      { PhysicalResourceId: physicalId(), OldResourceProperties: e.ResourceProperties }));
    expect(answer.PhysicalResourceId).toBe(physicalId());
    expect(registered()).toEqual({ [VPCE]: 'AVAILABLE' });
    return answer;
  },
  'replacement': async (mark, stop) => {
    const old = create();
    await h.invoke(old);
    mark();
    const answer = await h.invoke(h.endpointEvent('Update', service.id, { EndpointId: OTHER_VPCE },
      { PhysicalResourceId: physicalId(), OldResourceProperties: old.ResourceProperties }));
    expect(answer.PhysicalResourceId).toBe(physicalId(OTHER_VPCE));
    expect(registered()).toEqual({ [VPCE]: 'AVAILABLE', [OTHER_VPCE]: 'AVAILABLE' });
    stop();
    // The cleanup's Delete of the old resource, with the old properties.
    const deleteOld = await h.invoke(deleted());
    expect(deleteOld).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: physicalId(), Reason: `deregistered endpoint ${VPCE} from Atlas` });
    expect(registered()).toEqual({ [OTHER_VPCE]: 'AVAILABLE' });
    expect(h.atlas.services.has(service.id)).toBe(true);
    return answer;
  },
  'delete': async (mark) => {
    await h.invoke(create());
    mark();
    const answer = await h.invoke(deleted());
    expect(answer.PhysicalResourceId).toBe(physicalId());
    expect(answer.Reason).toBe(`deregistered endpoint ${VPCE} from Atlas; it was the last endpoint of Atlas endpoint service ` +
      `${service.id}, so Atlas removes that service too`);
    expect(h.atlas.services.has(service.id)).toBe(false);
    return answer;
  },
  'delete delivered twice': async (mark) => {
    await h.invoke(create());
    const e = deleted();
    expect((await h.invoke(e)).Status).toBe('SUCCESS');
    mark();
    const answer = await h.invoke(e);
    expect(answer.Reason).toBe(`endpoint ${VPCE} was not registered with Atlas (already deregistered)`);
    return answer;
  },
  'delete with a revoked token': async (mark) => {
    await h.invoke(create());
    h.credential = { clientId: CLIENT_ID, clientSecret: REVOKED_SECRET };
    mark();
    const answer = await h.invoke(deleted());
    expect(answer.Reason).toMatch(new RegExp(`^could not deregister endpoint ${VPCE} from Atlas: the vendor refused the credential \\(HTTP 401\\)`));
    expect(answer.Reason).toContain('invalid_client');
    expect(answer.Reason).toContain(BY_HAND);
    expect(registered()).toEqual({ [VPCE]: 'AVAILABLE' });
    expect(JSON.stringify(answer) + h.logs.join('\n')).not.toContain(REVOKED_SECRET);
    return answer;
  },
  'vendor down during delete': async (mark) => {
    await h.invoke(create());
    h.afterRequests(2, ...Array(10).fill({ status: 503 }));
    mark();
    const answer = await h.invoke(deleted());
    expect(answer.PhysicalResourceId).toBe(physicalId());
    expect(answer.Reason).toMatch(/^DELETE .*\/endpoint\/vpce-0123456789abcdef0 failed after 6 attempts: HTTP 503/);
    expect(h.callsSince(0).filter((c) => c.startsWith('DELETE'))).toHaveLength(6);
    expect(registered()).toEqual({ [VPCE]: 'AVAILABLE' });
    return answer;
  },
  'vendor never answering': async (mark) => {
    const answer = await h.neverAnswering(create(), (id) => deleted({}, id), /GET .*\/endpoint\/vpce-0123456789abcdef0/, mark);
    expect(registered()).toEqual({});
    return answer;
  },
  'update rolled back after an in-place update': async (mark) => {
    const before = create().ResourceProperties;
    const after = { ...before, ApiUrl: `${h.atlas.url}/` };
    await h.invoke(create());
    await h.invoke(h.endpointEvent('Update', service.id, after, { PhysicalResourceId: physicalId(), OldResourceProperties: before }));
    mark();
    const answer = await h.invoke(h.endpointEvent('Update', service.id, before, { PhysicalResourceId: physicalId(), OldResourceProperties: after }));
    expect(answer.PhysicalResourceId).toBe(physicalId());
    expect(registered()).toEqual({ [VPCE]: 'AVAILABLE' });
    return answer;
  },
  'update rolled back after a replacement': async (mark) => {
    const old = create();
    await h.invoke(old);
    const replaced = await h.invoke(h.endpointEvent('Update', service.id, { EndpointId: OTHER_VPCE },
      { PhysicalResourceId: physicalId(), OldResourceProperties: old.ResourceProperties }));
    expect(replaced.PhysicalResourceId).toBe(physicalId(OTHER_VPCE));
    mark();
    const answer = await h.invoke(deleted({ EndpointId: OTHER_VPCE }, physicalId(OTHER_VPCE)));
    expect(answer.PhysicalResourceId).toBe(physicalId(OTHER_VPCE));
    expect(answer.Reason).toBe(`deregistered endpoint ${OTHER_VPCE} from Atlas`);
    expect(registered()).toEqual({ [VPCE]: 'AVAILABLE' });
    expect(h.atlas.services.has(service.id)).toBe(true);
    return answer;
  },
  'create cancelled': async (mark) => {
    await h.invoke(create());
    const madeUp = 'Stack-Registration-1A2B3C4D5E6F';
    mark();
    const answer = await h.invoke(deleted({}, madeUp));
    expect(answer.PhysicalResourceId).toBe(madeUp);
    expect(answer.Reason).toMatch(new RegExp(`^deregistered endpoint ${VPCE} from Atlas`));
    expect(h.logs.join('\n')).toContain(`physical ID ${madeUp} is not one this handler gives (a create that CloudFormation cancelled)`);
    expect(h.atlas.services.has(service.id)).toBe(false); // it was the last endpoint: Atlas removed the service with it
    return answer;
  },
  'delete when the vendor\'s host does not resolve': async (mark) => {
    await h.invoke(create());
    mark();
    const answer = await h.invoke(deleted({ ApiUrl: 'https://atlas.invalid' }));
    expect(answer.Reason).toMatch(new RegExp(`^could not deregister endpoint ${VPCE} from Atlas: the vendor's host name no longer resolves \\(ENOTFOUND\\)`));
    expect(answer.Reason).toContain(BY_HAND);
    expect(registered()).toEqual({ [VPCE]: 'AVAILABLE' });
    return answer;
  },
  'delete when the credential secret is deleted, pending deletion, or its key refuses': async (mark) => {
    await h.invoke(create());
    const reads = h.secretReads;
    mark();
    let answer: any;
    for (const [, error] of UNREADABLE_SECRETS) {
      h.secretError = error;
      answer = await h.invoke(deleted());
      expect(answer.Status).toBe('SUCCESS');
      expect(answer.Reason).toMatch(new RegExp(`^could not deregister endpoint ${VPCE} from Atlas: the credential's secret ` +
        '(no longer exists|is scheduled for deletion|cannot be decrypted)'));
      expect(answer.Reason).toContain(error.message);
      expect(answer.Reason).toContain(BY_HAND);
    }
    expect(h.secretReads - reads).toBe(UNREADABLE_SECRETS.length);
    expect(registered()).toEqual({ [VPCE]: 'AVAILABLE' });
    return answer;
  },
};

lifecycleTests(ENDPOINT_REGISTRATION_LIFECYCLE, { count: () => h.atlas.calls.length, since: (from) => h.callsSince(from) }, scenarios);

test('the revoked secret used above is not the stand-in\'s valid one', () => {
  expect(REVOKED_SECRET).not.toBe(CLIENT_SECRET);
});
