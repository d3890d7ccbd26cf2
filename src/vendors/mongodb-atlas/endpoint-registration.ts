/*
 * Custom::MongoDbAtlasEndpoint: tells Atlas the ID of our interface endpoint, so that Atlas
 * accepts it, and waits until Atlas reports it AVAILABLE. Handler code: no aws-cdk-lib imports.
 *
 * The VPC endpoint ID is the natural key: Create (and an Update that finds the registration
 * gone) reads it first and registers only when Atlas does not know it; after an ambiguous
 * register it reads again. REJECTED and FAILED fail the deploy with Atlas's own message. A
 * Create that failed once Atlas knew the endpoint keeps its physical ID, so the rollback's Delete
 * deregisters; an Update that registered and then failed deregisters before it answers.
 *
 * Physical ID: `mongodb-atlas:endpoint:{projectId}:{serviceId}:{vpce}`. Delete deregisters and
 * waits until Atlas has let go of the endpoint (it must, before EC2 deletes the endpoint), and
 * says when it was the service's last: Atlas then removes the endpoint service too. A Delete with
 * a physical ID this handler never gave (a cancelled create) deregisters by the properties.
 */
import { AtlasApi, AtlasDeps, AtlasProperties } from './atlas-api';
import { endpointPath, endpointsPath, servicePath } from './atlas-paths';
import { CustomResourceResult, FailedAfterMaking, WorkContext } from '../../internal/runtime/custom-resource';
import { whyDeleteCannotAct } from '../../internal/runtime/delete-leaves';
import { AmbiguousOutcomeError, HttpError } from '../../internal/runtime/http-client';
import { pollUntil } from '../../internal/runtime/poll';

export interface EndpointProperties extends AtlasProperties {
  /** The Atlas endpoint service's ID (24 hex). */
  readonly ServiceId: string;
  /** Our interface endpoint's ID (`vpce-…`). */
  readonly EndpointId: string;
}

interface Registration {
  readonly connectionStatus?: string;
  readonly errorMessage?: string | null;
}

const PREFIX = 'mongodb-atlas:endpoint:';
const OWN_PHYSICAL_ID = /^mongodb-atlas:endpoint:([0-9a-f]{24}):([0-9a-f]{24}):(vpce-[0-9a-f]+)$/;
/** Atlas's answers that end the wait in failure. */
const REFUSED = ['REJECTED', 'FAILED', 'DELETED'];

export async function endpointWork(ctx: WorkContext, deps: AtlasDeps): Promise<CustomResourceResult> {
  const { event } = ctx;
  const props = event.ResourceProperties as EndpointProperties;
  if (event.RequestType === 'Delete') return deregister(ctx, deps, props);

  const path = endpointPath(props.ProjectId, props.ServiceId, props.EndpointId); // checked before the credential is read
  const physicalResourceId = `${PREFIX}${props.ProjectId}:${props.ServiceId}:${props.EndpointId}`;
  const api = await AtlasApi.connect(props, ctx, deps);
  // Whether Atlas knows our endpoint (registered now, or before: the endpoint is this stack's own).
  let known = false;
  let registered = false;
  try {
    let current = await read(api, path);
    if (current?.connectionStatus === 'DELETING') {
      await waitGone(ctx, deps, api, path, props.EndpointId);
      current = undefined;
    }
    known = current !== undefined;
    if (!current) {
      registered = await register(ctx, api, props, path);
      known = true;
    }
    await pollUntil(ctx, deps.pause, `Atlas to accept endpoint ${props.EndpointId}`, async () => {
      const now = await read(api, path);
      if (!now) throw new Error(`Atlas no longer knows endpoint ${props.EndpointId}: it was deregistered while this deploy waited`);
      if (REFUSED.includes(String(now.connectionStatus))) {
        throw new Error(`Atlas reports endpoint ${props.EndpointId} as ${now.connectionStatus}: ${now.errorMessage || 'no message'} ` +
          '(check that the endpoint\'s region is the service\'s or one of its accepted regions, and that the endpoint has subnets)');
      }
      return now.connectionStatus === 'AVAILABLE' ? { value: true, state: 'AVAILABLE' } : { state: String(now.connectionStatus) };
    });
    return { physicalResourceId, data: { ConnectionStatus: 'AVAILABLE' } };
  } catch (error) {
    // A Create keeps the physical ID of a registration Atlas knows, so the rollback's Delete removes it.
    if (known && event.RequestType === 'Create') throw new FailedAfterMaking(messageOf(error), physicalResourceId);
    if (!registered || event.RequestType !== 'Update') throw error;
    // An Update keeps the old physical ID, whose Delete never comes for what it registered now: undone here.
    const undone = await api.call('DELETE', path, { accept: [404] }).then(() => 'deregistered it again', (e) => `could not deregister it (${messageOf(e)})`);
    throw new Error(`${messageOf(error)}; the registration this update made was ${undone}`);
  }
}

async function read(api: AtlasApi, path: string): Promise<Registration | undefined> {
  const res = await api.call('GET', path, { accept: [404], expectJson: true });
  return res.status === 404 ? undefined : res.json;
}

/** POSTs the registration; true when this call made it (a 409 means it was there). */
async function register(ctx: WorkContext, api: AtlasApi, props: EndpointProperties, path: string): Promise<boolean> {
  try {
    await api.call('POST', endpointsPath(props.ProjectId, props.ServiceId), { body: { id: props.EndpointId }, expectJson: true });
    ctx.log(`registered endpoint ${props.EndpointId} with Atlas endpoint service ${props.ServiceId}`);
    return true;
  } catch (error) {
    if (error instanceof HttpError && error.status === 409) return false;
    if (!(error instanceof AmbiguousOutcomeError)) throw error;
    if (!(await read(api, path))) throw new Error(`${error.message}; and Atlas does not know endpoint ${props.EndpointId}: deploy again`);
    ctx.log(`the ambiguous registration of ${props.EndpointId} went through`);
    return true;
  }
}

async function waitGone(ctx: WorkContext, deps: AtlasDeps, api: AtlasApi, path: string, vpce: string, stopAt?: number): Promise<void> {
  await pollUntil(ctx, deps.pause, `Atlas to let go of endpoint ${vpce}`, async () => {
    const now = await read(api, path);
    return now ? { state: String(now.connectionStatus) } : { value: true, state: 'gone' };
  }, stopAt);
}

async function deregister(ctx: WorkContext, deps: AtlasDeps, props: EndpointProperties): Promise<CustomResourceResult> {
  const physicalResourceId = ctx.event.PhysicalResourceId!;
  const own = OWN_PHYSICAL_ID.exec(physicalResourceId);
  if (!own) {
    ctx.log(`physical ID ${physicalResourceId} is not one this handler gives (a create that CloudFormation cancelled): ` +
      `deregistering endpoint ${props.EndpointId} by the properties`);
  }
  const [projectId, serviceId, vpce] = own ? own.slice(1) : [props.ProjectId, props.ServiceId, props.EndpointId];
  const path = endpointPath(projectId, serviceId, vpce);
  const byHand = `deregister it by hand: DELETE ${path}, or Atlas > Network Access > Private Endpoint`;
  try {
    const api = await AtlasApi.connect({ ...props, ProjectId: projectId }, ctx, deps);
    const service = await api.call('GET', servicePath(projectId, serviceId), { accept: [404] });
    const others = service.status === 404 ? [] : ((service.json?.interfaceEndpoints ?? []) as string[]).filter((e) => e !== vpce);
    const res = await api.call('DELETE', path, { accept: [404] });
    if (res.status === 404) return { physicalResourceId, reason: `endpoint ${vpce} was not registered with Atlas (already deregistered)` };
    await waitGone(ctx, deps, api, path, vpce);
    const last = service.status !== 404 && others.length === 0
      ? `; it was the last endpoint of Atlas endpoint service ${serviceId}, so Atlas removes that service too`
      : '';
    return { physicalResourceId, reason: `deregistered endpoint ${vpce} from Atlas${last}` };
  } catch (error) {
    const why = whyDeleteCannotAct(error);
    if (!why) throw error;
    return { physicalResourceId, reason: `could not deregister endpoint ${vpce} from Atlas: ${why} (${messageOf(error)}); ${byHand}` };
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
