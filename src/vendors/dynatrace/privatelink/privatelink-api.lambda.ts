/*
 * Custom resource over Dynatrace's AWS PrivateLink API (configuration API v1).
 * - Operation "Allowlist": makes every wanted AWS account allowlisted (reading the allowlist
 *   first, so an account removed by hand is restored and an update with nothing to repair
 *   writes nothing) and returns the environment's vpcEndpointServiceName.
 * - Operation "Enable": enables PrivateLink (created after the DNS override exists).
 *
 * The physical ID names the environment (its ID), never the URL that reaches it, so moving
 * from the SaaS URL to an ActiveGate or another spelling is an in-place update. The allowlist
 * and the enabled flag are environment-wide state that other stacks may rely on: Delete
 * keeps both unless the resource opted in to removing them, and then decides that before it
 * reads the token. A Delete that cannot act because the vendor side is gone (the host no longer
 * resolves, the token's secret is deleted or unreadable, the token is refused) answers SUCCESS
 * and says what was left behind and how to remove it by hand; transient failures still fail.
 *
 * A Delete whose physical ID this handler never gave (CloudFormation cancelled the create) is
 * undone like any other: what the create did is found by the environment and the accounts in
 * its properties, and removed only where this resource opted in to removing it.
 *
 * With the API reached from a VPC, the Dynatrace calls run in a worker function in the VPC and
 * the region check (EC2) in the function that answers CloudFormation (see worker-relay.ts).
 */
import { CustomResourceEvent, CustomResourceResult, LambdaContext, WorkContext } from '../../../internal/runtime/custom-resource';
import { whyDeleteCannotAct } from '../../../internal/runtime/delete-leaves';
import { awsSecretsStore } from '../../../internal/runtime/secrets';
import { serveCustomResource, ServeOptions, SplitWork, WorkerAnswer } from '../../../internal/runtime/worker-relay';
import { ApiDeps, ApiProperties, DynatraceApi, environmentOf } from '../dynatrace-api';

const PRIVATE_LINK = '/api/config/v1/aws/privateLink';
const ALLOWLIST = `${PRIVATE_LINK}/allowlistedAccounts`;
/** The physical IDs this handler gives; any other on a Delete was made up by CloudFormation. */
const OWN_PHYSICAL_ID = /^dynatrace-privatelink:(allowlist|enable):[^:]+$/;
/** The only thing this handler puts into an allowlist URL. */
const ACCOUNT_ID = /^\d{12}$/;
/** The form of an endpoint service name, checked before EC2 is asked about it. */
const SERVICE_NAME = /^com\.amazonaws\.vpce\.[a-z]{2}(?:-[a-z]+)+-\d\.vpce-svc-[0-9a-z]+$/;

/** What the region check asks EC2 (in the VPC's region). */
export interface EndpointServices {
  /**
   * Whether the endpoint service in `serviceRegion` accepts endpoints from this region
   * (native cross-region PrivateLink): DescribeVpcEndpointServices with `ServiceRegions`.
   */
  acceptsCrossRegion(serviceName: string, serviceRegion: string, signal?: AbortSignal): Promise<boolean>;
}

export interface Deps extends ApiDeps {
  /**
   * Asked only when the service's region is not the VPC's.
   *
   * @default - EC2 in the function's region
   */
  readonly endpointServices?: EndpointServices;
}

interface Props extends ApiProperties {
  readonly Operation: 'Allowlist' | 'Enable';
  readonly Accounts?: string[];
  /** The region of the VPC the endpoint is made in (older resources have none: no check). */
  readonly VpcRegion?: string;
  /** "false" removes the accounts on delete; anything else keeps them. */
  readonly RetainOnDelete?: string;
  readonly DisableOnDelete?: string;
}

/** The whole work, in one function (no VPC placement, and the handler's tests). */
export async function privateLinkWork(ctx: WorkContext, deps: Deps): Promise<CustomResourceResult> {
  return regionPart(ctx, deps, await dynatracePart(ctx, deps));
}

/**
 * The work split by network: the Dynatrace calls (in the VPC when the API is reached from one)
 * and the region check, which calls EC2 and so runs in the function that answers CloudFormation.
 */
export function privateLinkSplit(deps: Deps): SplitWork {
  return { vendor: (ctx) => dynatracePart(ctx, deps), aws: (ctx, result) => regionPart(ctx, deps, result) };
}

async function regionPart(ctx: WorkContext, deps: Deps, result: CustomResourceResult): Promise<CustomResourceResult> {
  const props = ctx.event.ResourceProperties as Props;
  if (ctx.event.RequestType === 'Delete' || props.Operation !== 'Allowlist') return result;
  const serviceName = result.data?.ServiceName ?? '';
  return { ...result, data: { ...result.data, ServiceRegion: await checkRegion(ctx, deps, props, serviceName) } };
}

async function dynatracePart(ctx: WorkContext, deps: Deps): Promise<CustomResourceResult> {
  const { event } = ctx;
  const props = event.ResourceProperties as Props;
  if (props.Operation !== 'Allowlist' && props.Operation !== 'Enable') {
    throw new Error(`unknown Operation ${JSON.stringify(props.Operation)}`);
  }
  const environment = environmentOf(props);
  const physicalResourceId = sameEnvironment(event) && event.PhysicalResourceId
    ? event.PhysicalResourceId
    : `dynatrace-privatelink:${props.Operation.toLowerCase()}:${environment}`;

  if (event.RequestType === 'Delete') {
    if (!OWN_PHYSICAL_ID.test(event.PhysicalResourceId ?? '')) {
      ctx.log(`physical ID ${event.PhysicalResourceId} is not one this handler gives (a create that CloudFormation cancelled, ` +
        `or a resource from an older version): what it did is found by environment ${environment} and the properties`);
    }
    return props.Operation === 'Allowlist'
      ? deleteAllowlist(ctx, deps, props, environment)
      : deleteEnable(ctx, deps, props, environment);
  }
  const api = await DynatraceApi.connect(props, ctx, deps);
  if (props.Operation === 'Allowlist') {
    return { physicalResourceId, data: await convergeAllowlist(api, ctx, props) };
  }
  await setEnabled(api, true, ctx.log);
  return { physicalResourceId, data: { Enabled: 'true' } };
}

async function convergeAllowlist(api: DynatraceApi, ctx: WorkContext, props: Props): Promise<Record<string, string>> {
  const { event, log } = ctx;
  const wanted = props.Accounts ?? [];
  const current = await readAllowlist(api);
  for (const id of wanted.filter((a) => !current.has(a))) {
    const res = await api.call('PUT', accountPath(id), { body: { id } });
    log(`allowlisted account ${id} (${res.status === 201 ? 'added' : 'already there'})`);
  }
  if (event.RequestType === 'Update' && sameEnvironment(event) && props.RetainOnDelete === 'false') {
    const dropped = ((event.OldResourceProperties?.Accounts ?? []) as string[]).filter((a) => !wanted.includes(a) && current.has(a));
    for (const id of dropped) await removeAccount(api, accountPath(id), id, log);
  }
  const config = await api.call('GET', PRIVATE_LINK, { expectJson: true });
  const serviceName = config.json.vpcEndpointServiceName;
  if (typeof serviceName !== 'string' || serviceName.length === 0) {
    throw new Error(`GET ${PRIVATE_LINK} answered without a vpcEndpointServiceName (${config.summary}): ` +
      'AWS PrivateLink is not available for this environment; ask Dynatrace to offer it for the environment\'s region');
  }
  log(`endpoint service ${serviceName}; PrivateLink ${config.json.enabled ? 'enabled' : 'not enabled yet'}`);
  return { ServiceName: serviceName };
}

/**
 * The region the endpoint must name as its service region: the VPC's own when the service is
 * there; the service's when it accepts this region natively (cross-region PrivateLink); else a
 * failure that names both regions and the fix.
 */
async function checkRegion(ctx: WorkContext, deps: Deps, props: Props, serviceName: string): Promise<string> {
  const serviceRegion = serviceName.match(/^com\.amazonaws\.vpce\.([a-z]{2}(?:-[a-z]+)+-\d)\./)?.[1];
  const vpcRegion = props.VpcRegion;
  if (!vpcRegion) return serviceRegion ?? '';
  if (!serviceRegion) {
    throw new Error(`the endpoint service name ${serviceName} that Dynatrace returned names no AWS region, so the endpoint ` +
      'cannot be placed; expected com.amazonaws.vpce.<region>.vpce-svc-…');
  }
  if (serviceRegion === vpcRegion) return vpcRegion;
  if (!SERVICE_NAME.test(serviceName)) {
    throw new Error(`the endpoint service name ${serviceName} that Dynatrace returned is not of the form ` +
      'com.amazonaws.vpce.<region>.vpce-svc-…, so EC2 was not asked about it');
  }
  if (await (deps.endpointServices ?? awsEndpointServices()).acceptsCrossRegion(serviceName, serviceRegion, ctx.signal)) {
    ctx.log(`endpoint service ${serviceName} is in ${serviceRegion} and accepts endpoints from ${vpcRegion}: native cross-region PrivateLink`);
    return serviceRegion;
  }
  throw new Error(`the Dynatrace environment's endpoint service ${serviceName} is in ${serviceRegion}, but the VPC of this ` +
    `DynatracePrivateLink is in ${vpcRegion}, and the service does not accept endpoints from ${vpcRegion} (native cross-region ` +
    `PrivateLink). The accounts are allowlisted; to finish, put the hub VPC (and this construct's stack) in ${serviceRegion}, ` +
    `or make a DynatracePrivateLink in ${serviceRegion} the hub and add this VPC to it with addSpokeVpc()`);
}

async function readAllowlist(api: DynatraceApi): Promise<Set<string>> {
  const res = await api.call('GET', ALLOWLIST, { expectJson: true });
  const values = res.json.values;
  if (!Array.isArray(values)) {
    throw new Error(`GET ${ALLOWLIST} answered ${res.summary} without a "values" list`);
  }
  return new Set(values.map((v: { id?: unknown }) => String(v?.id)));
}

async function deleteAllowlist(ctx: WorkContext, deps: Deps, props: Props, environment: string): Promise<CustomResourceResult> {
  const accounts = props.Accounts ?? [];
  const physicalResourceId = ctx.event.PhysicalResourceId!;
  const byHand = `remove them by hand if no other stack relies on them: DELETE ${ALLOWLIST}/{id} with a WriteConfig token, ` +
    'or Settings > Cloud and virtualization > AWS PrivateLink';
  if (props.RetainOnDelete !== 'false') {
    return {
      physicalResourceId,
      reason: `kept AWS accounts ${accounts.join(', ')} allowlisted in Dynatrace environment ${environment} ` +
      `(the allowlist is environment-wide and retained by default); ${byHand}`,
    };
  }
  // Checked before the token is read, so that a malformed account fails the same with or without a vendor.
  const paths = accounts.map(accountPath);
  const removed: string[] = [];
  try {
    const api = await DynatraceApi.connect(props, ctx, deps);
    for (const [i, id] of accounts.entries()) {
      await removeAccount(api, paths[i], id, ctx.log);
      removed.push(id);
    }
    return { physicalResourceId };
  } catch (error) {
    const why = whyDeleteCannotAct(error);
    if (!why) throw error;
    const left = accounts.filter((a) => !removed.includes(a));
    return {
      physicalResourceId,
      reason: `could not remove AWS accounts ${left.join(', ')} from the allowlist of Dynatrace environment ${environment}: ` +
      `${why} (${messageOf(error)}); the resource is deleted, the accounts stay allowlisted; ${byHand}`,
    };
  }
}

async function deleteEnable(ctx: WorkContext, deps: Deps, props: Props, environment: string): Promise<CustomResourceResult> {
  const physicalResourceId = ctx.event.PhysicalResourceId!;
  if (props.DisableOnDelete !== 'true') {
    return {
      physicalResourceId,
      reason: `left AWS PrivateLink enabled in Dynatrace environment ${environment}: ` +
      'it is environment-wide and other VPCs may rely on it',
    };
  }
  try {
    const api = await DynatraceApi.connect(props, ctx, deps);
    await setEnabled(api, false, ctx.log);
    return { physicalResourceId };
  } catch (error) {
    const why = whyDeleteCannotAct(error);
    if (!why) throw error;
    return {
      physicalResourceId,
      reason: `could not disable AWS PrivateLink in Dynatrace environment ${environment}: ${why} (${messageOf(error)}); ` +
      `the resource is deleted, PrivateLink stays enabled; disable it by hand with PUT ${PRIVATE_LINK} {"enabled": false}`,
    };
  }
}

/** The allowlist URL of an account, refused before any call unless the ID is 12 digits. */
function accountPath(id: string): string {
  if (typeof id !== 'string' || !ACCOUNT_ID.test(id)) {
    throw new Error(`AWS account ID ${JSON.stringify(id)} is not 12 digits: no allowlist call was made with it`);
  }
  return `${ALLOWLIST}/${id}`;
}

async function removeAccount(api: DynatraceApi, path: string, id: string, log: (l: string) => void): Promise<void> {
  const res = await api.call('DELETE', path, { accept: [404] });
  log(`removed account ${id} from the allowlist${res.status === 404 ? ' (it was not there)' : ''}`);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function setEnabled(api: DynatraceApi, enabled: boolean, log: (l: string) => void): Promise<void> {
  const current = await api.call('GET', PRIVATE_LINK, { expectJson: true });
  if (current.json.enabled === enabled) {
    log(`PrivateLink already ${enabled ? 'enabled' : 'disabled'}`);
    return;
  }
  await api.call('PUT', PRIVATE_LINK, { body: { enabled } });
  log(`PrivateLink ${enabled ? 'enabled' : 'disabled'}`);
}

/** An update of the same environment, however reached (otherwise a replacement: start anew). */
function sameEnvironment(event: CustomResourceEvent): boolean {
  return event.RequestType === 'Update' && environmentOf(event.OldResourceProperties) === environmentOf(event.ResourceProperties);
}

/** EC2 in the function's region, loaded only when a region check needs it. */
function awsEndpointServices(): EndpointServices {
  return {
    async acceptsCrossRegion(serviceName, serviceRegion, signal) {
      const { EC2Client, DescribeVpcEndpointServicesCommand } = await import('@aws-sdk/client-ec2');
      try {
        const out = await new EC2Client({}).send(
          new DescribeVpcEndpointServicesCommand({ ServiceNames: [serviceName], ServiceRegions: [serviceRegion] }), { abortSignal: signal });
        return (out.ServiceDetails ?? []).some((d) => d.ServiceName === serviceName);
      } catch (error) {
        if ((error as { name?: string }).name === 'InvalidServiceName') return false;
        throw error;
      }
    },
  };
}

/**
 * CloudFormation's event (answered) or, in the worker in the VPC, the answering function's
 * request (returned): see worker-relay.ts.
 */
export async function handleEvent(event: unknown, context: LambdaContext, deps: Deps, options?: ServeOptions): Promise<WorkerAnswer | void> {
  return serveCustomResource(event, context, privateLinkSplit(deps), options);
}

export async function handler(event: unknown, context: LambdaContext): Promise<WorkerAnswer | void> {
  return handleEvent(event, context, { secrets: awsSecretsStore() });
}
