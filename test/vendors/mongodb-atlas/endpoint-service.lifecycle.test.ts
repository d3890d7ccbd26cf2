/*
 * Each row of the README's Lifecycle table for Custom::MongoDbAtlasEndpointService, driven through
 * the real handler against the Atlas stand-in: the calls made, what CloudFormation was told, and
 * which endpoint services are left at the stand-in.
 */
import { API_KEY_SECRET_ARN, AtlasHarness, PROJECT_ID } from './atlas-harness';
import { CLIENT_ID, CLIENT_SECRET } from './atlas-stand-in';
import { ENDPOINT_SERVICE_LIFECYCLE } from './endpoint-service.lifecycle';
import { Scenario, lifecycleTests } from '../../lifecycle/drive';
import { LifecycleEvent } from '../../lifecycle/lifecycle';
import { UNREADABLE_SECRETS } from '../dynatrace/privatelink/privatelink-api-harness';

let h: AtlasHarness;
beforeEach(async () => { h = await AtlasHarness.start(); });
afterEach(async () => h.stop());

const REVOKED_SECRET = `mdb_sa_sk_${'REV0KED'.repeat(6)}`;
const PREFIX = `mongodb-atlas:endpoint-service:${PROJECT_ID}:`;
const createdId = (serviceId: string, region = 'US_EAST_1') => `${PREFIX}${region}:created:${serviceId}`;
const create = (props: Record<string, unknown> = {}) => h.serviceEvent('Create', props);
const deleted = (physicalId: string, props: Record<string, unknown> = {}) => h.serviceEvent('Delete', props, { PhysicalResourceId: physicalId });
const update = (physicalId: string, props: Record<string, unknown>, old: Record<string, unknown>) =>
  h.serviceEvent('Update', props, { PhysicalResourceId: physicalId, OldResourceProperties: old });
/** The by-hand advice every Delete that could not act gives. */
const BY_HAND = `delete it by hand if nothing uses it: DELETE /api/atlas/v2/groups/${PROJECT_ID}/privateEndpoint/AWS/endpointService/`;

/** The services at the stand-in, as "REGION status". */
function services(): string[] {
  return [...h.atlas.services.values()].map((s) => `${s.region} ${s.status}`).sort();
}

/** Creates the service through the handler and returns the created physical ID. */
async function created(props: Record<string, unknown> = {}): Promise<string> {
  const answer = await h.invoke(create(props));
  expect(answer).toMatchObject({ Status: 'SUCCESS', Data: { Created: 'true' } });
  return answer.PhysicalResourceId;
}

const serviceIdOf = (physicalId: string) => physicalId.split(':created:')[1];

const scenarios: Record<LifecycleEvent, Scenario> = {
  'create': async (mark) => {
    mark();
    const answer = await h.invoke(create());
    const [service] = h.atlas.services.values();
    expect(answer.PhysicalResourceId).toBe(createdId(service.id));
    expect(answer.Data).toEqual({ ServiceId: service.id, ServiceName: service.endpointServiceName, ServiceRegion: 'us-east-1', Created: 'true' });
    expect(services()).toEqual(['US_EAST_1 WAITING_FOR_USER']);
    return answer;
  },
  'create delivered twice': async (mark) => {
    const e = create();
    const first = await h.invoke(e);
    mark();
    const answer = await h.invoke(e);
    expect(answer.PhysicalResourceId).toBe(`${PREFIX}US_EAST_1`);
    expect(answer.Data).toMatchObject({ ServiceId: first.Data.ServiceId, Created: 'false' });
    expect(services()).toEqual(['US_EAST_1 WAITING_FOR_USER']);
    return answer;
  },
  'update that changes nothing': async (mark) => {
    const e = create();
    const id = (await h.invoke(e)).PhysicalResourceId;
    mark();
    const answer = await h.invoke(update(id, {}, e.ResourceProperties));
    expect(answer.PhysicalResourceId).toBe(id);
    expect(answer.Data.Created).toBe('true');
    return answer;
  },
  'update that changes something': async (mark) => {
    // What a user of MongoDbAtlasPrivateLink can change without another project or region: the credential.
    const e = create();
    const id = (await h.invoke(e)).PhysicalResourceId;
    const tokens = h.atlas.tokensIssued;
    mark();
    const answer = await h.invoke(update(id, { CredentialSecretArn: API_KEY_SECRET_ARN }, e.ResourceProperties));
    expect(answer.PhysicalResourceId).toBe(id);
    expect(answer.Data).toMatchObject({ ServiceId: serviceIdOf(id), Created: 'true' });
    expect(h.atlas.tokensIssued).toBe(tokens); // the API key, not the service account, made the calls
    expect(services()).toEqual(['US_EAST_1 WAITING_FOR_USER']);
    return answer;
  },
  'replacement': async (mark, stop) => {
    const old = create();
    const oldId = (await h.invoke(old)).PhysicalResourceId;
    mark();
    const answer = await h.invoke(update(oldId, { Region: 'eu-west-1' }, old.ResourceProperties));
    const eu = [...h.atlas.services.values()].find((s) => s.region === 'EU_WEST_1')!;
    expect(answer.PhysicalResourceId).toBe(createdId(eu.id, 'EU_WEST_1'));
    expect(answer.Data).toMatchObject({ ServiceId: eu.id, ServiceRegion: 'eu-west-1' });
    expect(services()).toEqual(['EU_WEST_1 WAITING_FOR_USER', 'US_EAST_1 WAITING_FOR_USER']);
    stop();
    // The cleanup's Delete of the old resource, with the old properties.
    const deleteOld = await h.invoke(deleted(oldId, old.ResourceProperties));
    expect(deleteOld).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: oldId });
    expect(deleteOld.Reason).toBe(`deleted the Atlas endpoint service ${serviceIdOf(oldId)} for US_EAST_1, which this stack created`);
    expect(services()).toEqual(['EU_WEST_1 WAITING_FOR_USER']);
    return answer;
  },
  'delete': async (mark) => {
    const id = await created();
    mark();
    const answer = await h.invoke(deleted(id));
    expect(answer.PhysicalResourceId).toBe(id);
    expect(answer.Reason).toBe(`deleted the Atlas endpoint service ${serviceIdOf(id)} for US_EAST_1, which this stack created`);
    expect(services()).toEqual([]);
    return answer;
  },
  'delete delivered twice': async (mark) => {
    const id = await created();
    const e = deleted(id);
    expect((await h.invoke(e)).Status).toBe('SUCCESS');
    mark();
    const answer = await h.invoke(e);
    expect(answer.Reason).toBe(`the Atlas endpoint service ${serviceIdOf(id)} was already gone (Atlas removes a service with its last endpoint)`);
    return answer;
  },
  'delete with a revoked token': async (mark) => {
    const id = await created();
    h.credential = { clientId: CLIENT_ID, clientSecret: REVOKED_SECRET };
    mark();
    const answer = await h.invoke(deleted(id));
    expect(answer.Reason).toMatch(new RegExp(`^could not delete the Atlas endpoint service ${serviceIdOf(id)}: the vendor refused the credential \\(HTTP 401\\)`));
    expect(answer.Reason).toContain('invalid_client');
    expect(answer.Reason).toContain(`${BY_HAND}${serviceIdOf(id)}`);
    expect(services()).toEqual(['US_EAST_1 WAITING_FOR_USER']);
    expect(JSON.stringify(answer) + h.logs.join('\n')).not.toContain(REVOKED_SECRET);
    return answer;
  },
  'vendor down during delete': async (mark) => {
    const id = await created();
    h.afterRequests(1, ...Array(10).fill({ status: 503 }));
    mark();
    const answer = await h.invoke(deleted(id));
    expect(answer.PhysicalResourceId).toBe(id);
    expect(answer.Reason).toMatch(new RegExp(`^GET .*/endpointService/${serviceIdOf(id)} failed after 6 attempts: HTTP 503`));
    expect(services()).toEqual(['US_EAST_1 WAITING_FOR_USER']);
    return answer;
  },
  'vendor never answering': async (mark) => {
    const answer = await h.neverAnswering(create(), (id) => deleted(id), /GET .*\/AWS\/endpointService/, mark);
    expect(services()).toEqual([]);
    return answer;
  },
  'update rolled back after an in-place update': async (mark) => {
    const before = create().ResourceProperties;
    const after = { ...before, CredentialSecretArn: API_KEY_SECRET_ARN };
    const id = await created(before);
    await h.invoke(update(id, after, before));
    mark();
    const answer = await h.invoke(update(id, before, after));
    expect(answer.PhysicalResourceId).toBe(id);
    expect(services()).toEqual(['US_EAST_1 WAITING_FOR_USER']);
    return answer;
  },
  'update rolled back after a replacement': async (mark) => {
    const old = create();
    const oldId = (await h.invoke(old)).PhysicalResourceId;
    const replaced = await h.invoke(update(oldId, { Region: 'eu-west-1' }, old.ResourceProperties));
    const newId = replaced.PhysicalResourceId;
    expect(newId).toMatch(new RegExp(`^${PREFIX}EU_WEST_1:created:`));
    mark();
    const answer = await h.invoke(deleted(newId, { Region: 'eu-west-1' }));
    expect(answer.PhysicalResourceId).toBe(newId);
    expect(answer.Reason).toBe(`deleted the Atlas endpoint service ${serviceIdOf(newId)} for EU_WEST_1, which this stack created`);
    expect(services()).toEqual(['US_EAST_1 WAITING_FOR_USER']);
    expect(h.atlas.services.has(serviceIdOf(oldId))).toBe(true);
    return answer;
  },
  'create cancelled': async (mark) => {
    await h.invoke(create());
    const madeUp = 'Stack-EndpointService-1A2B3C4D5E6F';
    const reads = h.secretReads;
    mark();
    const answer = await h.invoke(deleted(madeUp));
    expect(answer.PhysicalResourceId).toBe(madeUp);
    expect(answer.Reason).toMatch(new RegExp(`^kept any Atlas endpoint service for US_EAST_1 in project ${PROJECT_ID}: a create that did not finish may have made it`));
    expect(answer.Reason).toContain(`${BY_HAND}{id}`);
    expect(h.secretReads).toBe(reads);
    expect(services()).toEqual(['US_EAST_1 WAITING_FOR_USER']);
    return answer;
  },
  'delete when the vendor\'s host does not resolve': async (mark) => {
    const id = await created();
    mark();
    const answer = await h.invoke(deleted(id, { ApiUrl: 'https://atlas.invalid' }));
    expect(answer.Reason).toMatch(new RegExp(`^could not delete the Atlas endpoint service ${serviceIdOf(id)}: the vendor's host name no longer resolves \\(ENOTFOUND\\)`));
    expect(answer.Reason).toContain(`${BY_HAND}${serviceIdOf(id)}`);
    expect(services()).toEqual(['US_EAST_1 WAITING_FOR_USER']);
    return answer;
  },
  'delete when the credential secret is deleted, pending deletion, or its key refuses': async (mark) => {
    const id = await created();
    const reads = h.secretReads;
    mark();
    let answer: any;
    for (const [, error] of UNREADABLE_SECRETS) {
      h.secretError = error;
      answer = await h.invoke(deleted(id));
      expect(answer.Status).toBe('SUCCESS');
      expect(answer.Reason).toMatch(new RegExp(`^could not delete the Atlas endpoint service ${serviceIdOf(id)}: the credential's secret ` +
        '(no longer exists|is scheduled for deletion|cannot be decrypted)'));
      expect(answer.Reason).toContain(error.message);
      expect(answer.Reason).toContain(`${BY_HAND}${serviceIdOf(id)}`);
    }
    expect(h.secretReads - reads).toBe(UNREADABLE_SECRETS.length);
    expect(services()).toEqual(['US_EAST_1 WAITING_FOR_USER']);
    return answer;
  },
};

lifecycleTests(ENDPOINT_SERVICE_LIFECYCLE, { count: () => h.atlas.calls.length, since: (from) => h.callsSince(from) }, scenarios);

test('the revoked secret used above is not the stand-in\'s valid one', () => {
  expect(REVOKED_SECRET).not.toBe(CLIENT_SECRET);
});
