/*
 * Custom::MongoDbAtlasEndpointService: the project's Atlas endpoint service for one AWS region
 * (Atlas builds a Network Load Balancer and an endpoint service in its own account), which our
 * interface endpoint connects to. Handler code: no aws-cdk-lib imports.
 *
 * Atlas allows one service per project, provider and region, and its API has no idempotency
 * key: that rule is the key. Create (and an Update that finds the service gone) lists the
 * project's services and adopts the region's; only when there is none does it POST, and after a
 * 409 or an ambiguous POST it lists again and takes what is there. Then it waits until Atlas
 * reports WAITING_FOR_USER or AVAILABLE with a service name (3 to 5 minutes).
 *
 * The physical ID says what the resource is and whether this stack made it:
 * `mongodb-atlas:endpoint-service:{projectId}:{REGION}` for an adopted service,
 * `…:{REGION}:created:{serviceId}` for one this resource created. Delete removes only a service
 * this resource created, by its ID, and only while no endpoint uses it; a service that was
 * there before (or that a repeated Create found) is never deleted. Atlas removes a service by
 * itself with its last endpoint, so a Delete usually finds it gone.
 */
import { AtlasApi, AtlasDeps, AtlasProperties } from './atlas-api';
import { atlasRegion, createServicePath, regionOfServiceName, servicePath, servicesPath } from './atlas-paths';
import { CustomResourceResult, FailedAfterMaking, WorkContext } from '../../internal/runtime/custom-resource';
import { whyDeleteCannotAct } from '../../internal/runtime/delete-leaves';
import { AmbiguousOutcomeError, HttpError } from '../../internal/runtime/http-client';
import { pollUntil } from '../../internal/runtime/poll';

export interface ServiceProperties extends AtlasProperties {
  /** The Atlas region (`US_EAST_1`; `us-east-1` is accepted too). */
  readonly Region: string;
  /** Other AWS regions whose endpoints the service accepts (Atlas form); absent: left as they are. */
  readonly SupportedRemoteRegions?: string[];
}

/** What Atlas answers for an endpoint service (the fields used here). */
interface Service {
  readonly id: string;
  readonly regionName?: string;
  readonly status?: string;
  readonly endpointServiceName?: string | null;
  readonly errorMessage?: string | null;
  readonly interfaceEndpoints?: string[];
  readonly supportedRemoteRegions?: string[];
}

const PREFIX = 'mongodb-atlas:endpoint-service:';
const OWN_PHYSICAL_ID = /^mongodb-atlas:endpoint-service:([0-9a-f]{24}):([A-Z0-9_]+)(?::created:([0-9a-f]{24}))?$/;
const READY = ['WAITING_FOR_USER', 'AVAILABLE'];

export async function endpointServiceWork(ctx: WorkContext, deps: AtlasDeps): Promise<CustomResourceResult> {
  const { event } = ctx;
  const props = event.ResourceProperties as ServiceProperties;
  const region = atlasRegion(String(props.Region ?? ''));
  if (event.RequestType === 'Delete') return deleteService(ctx, deps, props, region);

  servicesPath(props.ProjectId); // refuses a malformed project ID before the credential is read
  const api = await AtlasApi.connect(props, ctx, deps);
  const path = servicesPath(props.ProjectId);
  let service = await findService(api, path, region);
  let created = false;
  if (service?.status === 'DELETING') {
    await pollUntil(ctx, deps.pause, `Atlas to finish deleting the endpoint service ${service.id} for ${region}`, async () => {
      const res = await api.call('GET', `${path}/${service!.id}`, { accept: [404] });
      return res.status === 404 ? { value: true, state: 'gone' } : { state: String(res.json?.status) };
    });
    service = undefined;
  }
  if (!service) ({ service, created } = await createService(ctx, api, props, region));
  const physicalResourceId = created
    ? `${PREFIX}${props.ProjectId}:${region}:created:${service.id}`
    : sameOrAdopted(ctx, props, region, service.id);
  try {
    const ready = await waitReady(ctx, deps, api, path, service.id, region, props);
    const serviceName = ready.endpointServiceName!;
    return {
      physicalResourceId,
      data: { ServiceId: ready.id, ServiceName: serviceName, ServiceRegion: regionOfServiceName(serviceName) ?? '', Created: String(created || physicalResourceId.includes(':created:')) },
    };
  } catch (error) {
    // A Create that made the service keeps its physical ID, so the rollback's Delete removes it.
    if (created && event.RequestType === 'Create') throw new FailedAfterMaking(messageOf(error), physicalResourceId);
    throw error;
  }
}

/** The physical ID of an Update that still has its service (created or adopted), else of an adoption. */
function sameOrAdopted(ctx: WorkContext, props: ServiceProperties, region: string, serviceId: string): string {
  const old = OWN_PHYSICAL_ID.exec(ctx.event.PhysicalResourceId ?? '');
  if (ctx.event.RequestType === 'Update' && old && old[1] === props.ProjectId && old[2] === region && (!old[3] || old[3] === serviceId)) {
    return ctx.event.PhysicalResourceId!;
  }
  return `${PREFIX}${props.ProjectId}:${region}`;
}

async function findService(api: AtlasApi, path: string, region: string): Promise<Service | undefined> {
  const res = await api.call('GET', path);
  if (!Array.isArray(res.json)) throw new Error(`GET ${path} answered ${res.summary}, not the list of endpoint services`);
  return (res.json as Service[]).find((s) => atlasRegion(String(s.regionName ?? '')) === region);
}

/** POSTs a service; after a 409 or an ambiguous answer, the region's service found by listing. */
async function createService(
  ctx: WorkContext, api: AtlasApi, props: ServiceProperties, region: string,
): Promise<{ service: Service; created: boolean }> {
  const remote = props.SupportedRemoteRegions?.map(atlasRegion);
  const body = { providerName: 'AWS', region, ...(remote ? { supportedRemoteRegions: remote } : {}) };
  const path = servicesPath(props.ProjectId);
  try {
    const res = await api.call('POST', createServicePath(props.ProjectId), { body, expectJson: true });
    ctx.log(`created Atlas endpoint service ${res.json.id} for ${region}`);
    return { service: res.json, created: true };
  } catch (error) {
    const conflict = error instanceof HttpError && error.status === 409;
    if (!conflict && !(error instanceof AmbiguousOutcomeError)) throw error;
    const found = await findService(api, path, region);
    if (!found) {
      throw new Error(`${messageOf(error)}; and listing the project's services finds none for ${region}: deploy again`);
    }
    // After an ambiguous POST the service found is the one it made (there was none just before);
    // after a 409, another caller made it first.
    ctx.log(`${conflict ? 'another caller created' : 'the ambiguous POST created'} endpoint service ${found.id} for ${region}`);
    return { service: found, created: !conflict };
  }
}

async function waitReady(
  ctx: WorkContext, deps: AtlasDeps, api: AtlasApi, path: string, id: string, region: string, props: ServiceProperties,
): Promise<Service> {
  const service = await pollUntil(ctx, deps.pause, `the Atlas endpoint service ${id} for ${region}`, async () => {
    const res = await api.call('GET', `${path}/${id}`, { accept: [404], expectJson: true });
    if (res.status === 404) throw new Error(`the Atlas endpoint service ${id} for ${region} was deleted while this deploy waited for it`);
    const s = res.json as Service;
    if (s.status === 'FAILED' || (s.errorMessage ?? '') !== '') {
      throw new Error(`Atlas reports the endpoint service ${id} for ${region} as ${s.status}: ${s.errorMessage ?? 'no message'}; ` +
        'delete it in Atlas (Network Access > Private Endpoint) and deploy again');
    }
    return READY.includes(String(s.status)) && s.endpointServiceName ? { value: s, state: String(s.status) } : { state: String(s.status) };
  });
  const wanted = props.SupportedRemoteRegions?.map(atlasRegion);
  if (wanted && !sameSet(wanted, service.supportedRemoteRegions ?? [])) {
    await api.call('PATCH', `${createServicePath(props.ProjectId)}/${id}`, { body: { cloudProvider: 'AWS', supportedRemoteRegions: wanted } });
    ctx.log(`accepted endpoint regions of ${id} set to ${wanted.join(', ') || 'none'}`);
  }
  return service;
}

async function deleteService(ctx: WorkContext, deps: AtlasDeps, props: ServiceProperties, region: string): Promise<CustomResourceResult> {
  const physicalResourceId = ctx.event.PhysicalResourceId!;
  const own = OWN_PHYSICAL_ID.exec(physicalResourceId);
  // Never throws: a Delete must answer even for properties no call could be made with.
  const byHand = (id: string) => `delete it by hand if nothing uses it: DELETE /api/atlas/v2/groups/${props.ProjectId}/privateEndpoint/AWS/` +
    `endpointService/${id}, or Atlas > Network Access > Private Endpoint`;
  if (!own) {
    return {
      physicalResourceId,
      reason: `kept any Atlas endpoint service for ${region} in project ${props.ProjectId}: a create that did not finish may have ` +
        'made it, and this stack cannot tell it from one made by hand (Atlas removes it by itself with its last endpoint); ' +
        byHand('{id}'),
    };
  }
  const serviceId = own[3];
  if (!serviceId) {
    return { physicalResourceId, reason: `kept the Atlas endpoint service for ${own[2]} in project ${own[1]}: it was there before this stack, which only adopted it` };
  }
  const path = servicePath(own[1], serviceId);
  try {
    const api = await AtlasApi.connect({ ...props, ProjectId: own[1] }, ctx, deps);
    const res = await api.call('GET', path, { accept: [404] });
    if (res.status === 404) {
      return { physicalResourceId, reason: `the Atlas endpoint service ${serviceId} was already gone (Atlas removes a service with its last endpoint)` };
    }
    const endpoints = (res.json as Service | undefined)?.interfaceEndpoints ?? [];
    if (endpoints.length > 0) {
      return { physicalResourceId, reason: `kept the Atlas endpoint service ${serviceId}: endpoints ${endpoints.join(', ')} still use it; Atlas removes it with the last of them` };
    }
    await api.call('DELETE', path, { accept: [404] });
    return { physicalResourceId, reason: `deleted the Atlas endpoint service ${serviceId} for ${own[2]}, which this stack created` };
  } catch (error) {
    const why = whyDeleteCannotAct(error);
    if (!why) throw error;
    return { physicalResourceId, reason: `could not delete the Atlas endpoint service ${serviceId}: ${why} (${messageOf(error)}); ${byHand(serviceId)}` };
  }
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const x = new Set(a.map(atlasRegion));
  const y = new Set(b.map(atlasRegion));
  return x.size === y.size && [...x].every((r) => y.has(r));
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
