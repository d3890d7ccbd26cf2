/*
 * Custom resource over Dynatrace's AWS PrivateLink API (configuration API v1):
 * - Operation "Allowlist": allowlists AWS accounts and returns the environment's
 *   vpcEndpointServiceName; on delete removes the accounts unless told to retain them.
 * - Operation "Enable": enables PrivateLink (created after the DNS override exists); on delete
 *   disables it only if asked, since other VPCs may rely on it.
 * Idempotent: 201 and 204 both mean success, state is read before it is written, and an update
 * that changes nothing makes no write call. A changed API URL gives a new physical ID, so
 * CloudFormation replaces the resource and deletes the old one with its old properties.
 */
import { apiRoot, DynatraceApi } from './dynatrace-api';
import {
  CustomResourceEvent, CustomResourceResult, LambdaContext, runCustomResource, WorkContext,
} from '../../internal/runtime/custom-resource';
import { ClientOptions } from '../../internal/runtime/http-client';
import { awsSecretsReader, readSecret, SecretsReader } from '../../internal/runtime/secrets';

const PRIVATE_LINK = '/api/config/v1/aws/privateLink';

export interface Deps {
  readonly secrets: SecretsReader;
  /** Test seams for the HTTP client (fetch, sleep, jitter). */
  readonly client?: Omit<ClientOptions, 'deadline' | 'log'>;
}

interface Props {
  readonly ApiUrl: string;
  readonly TokenSecretArn: string;
  readonly TokenSecretField?: string;
  readonly Operation: 'Allowlist' | 'Enable';
  readonly Accounts?: string[];
  readonly RetainOnDelete?: string;
  readonly DisableOnDelete?: string;
}

export async function privateLinkWork(ctx: WorkContext, deps: Deps): Promise<CustomResourceResult> {
  const event = ctx.event;
  const props = event.ResourceProperties as Props;
  if (props.Operation !== 'Allowlist' && props.Operation !== 'Enable') {
    throw new Error(`unknown Operation ${JSON.stringify(props.Operation)}`);
  }
  const physicalResourceId = `dynatrace-privatelink:${props.Operation}:${apiRoot(props.ApiUrl)}`;
  const token = await readSecret(deps.secrets, props.TokenSecretArn, props.TokenSecretField || undefined);
  ctx.redact(token);
  const api = new DynatraceApi(apiRoot(props.ApiUrl), token, { ...deps.client, deadline: ctx.deadline, log: ctx.log });

  if (props.Operation === 'Allowlist') {
    return allowlist(api, event, props, physicalResourceId, ctx.log);
  }
  return enable(api, event, props, physicalResourceId, ctx.log);
}

async function allowlist(
  api: DynatraceApi, event: CustomResourceEvent, props: Props, physicalResourceId: string, log: (l: string) => void,
): Promise<CustomResourceResult> {
  const wanted = props.Accounts ?? [];
  if (event.RequestType === 'Delete') {
    if (props.RetainOnDelete === 'true') {
      log(`retaining allowlisted accounts ${wanted.join(', ')}`);
    } else {
      for (const id of wanted) await removeAccount(api, id, log);
    }
    return { physicalResourceId: event.PhysicalResourceId ?? physicalResourceId };
  }
  const old = event.RequestType === 'Update' && sameResource(event) ? (event.OldResourceProperties?.Accounts as string[] ?? []) : [];
  for (const id of wanted.filter((a) => !old.includes(a))) {
    const res = await api.call('PUT', `${PRIVATE_LINK}/allowlistedAccounts/${encodeURIComponent(id)}`, { id });
    log(`allowlisted account ${id} (${res.status === 201 ? 'added' : 'already there'})`);
  }
  if (props.RetainOnDelete !== 'true') {
    for (const id of old.filter((a) => !wanted.includes(a))) await removeAccount(api, id, log);
  }
  const config = await api.call('GET', PRIVATE_LINK);
  const serviceName = config.json?.vpcEndpointServiceName;
  if (typeof serviceName !== 'string' || serviceName.length === 0) {
    throw new Error(`GET ${PRIVATE_LINK} returned no vpcEndpointServiceName: is AWS PrivateLink available for this environment?`);
  }
  log(`endpoint service ${serviceName}; PrivateLink ${config.json?.enabled ? 'enabled' : 'not enabled yet'}`);
  return { physicalResourceId, data: { ServiceName: serviceName } };
}

async function removeAccount(api: DynatraceApi, id: string, log: (l: string) => void): Promise<void> {
  const res = await api.call('DELETE', `${PRIVATE_LINK}/allowlistedAccounts/${encodeURIComponent(id)}`, undefined, [404]);
  log(`removed account ${id} from the allowlist${res.status === 404 ? ' (it was not there)' : ''}`);
}

async function enable(
  api: DynatraceApi, event: CustomResourceEvent, props: Props, physicalResourceId: string, log: (l: string) => void,
): Promise<CustomResourceResult> {
  if (event.RequestType === 'Delete') {
    if (props.DisableOnDelete === 'true') {
      await setEnabled(api, false, log);
    } else {
      log('leaving PrivateLink enabled: other VPCs may rely on it');
    }
    return { physicalResourceId: event.PhysicalResourceId ?? physicalResourceId };
  }
  await setEnabled(api, true, log);
  return { physicalResourceId, data: { Enabled: 'true' } };
}

async function setEnabled(api: DynatraceApi, enabled: boolean, log: (l: string) => void): Promise<void> {
  const current = await api.call('GET', PRIVATE_LINK);
  if (current.json?.enabled === enabled) {
    log(`PrivateLink already ${enabled ? 'enabled' : 'disabled'}`);
    return;
  }
  await api.call('PUT', PRIVATE_LINK, { enabled });
  log(`PrivateLink ${enabled ? 'enabled' : 'disabled'}`);
}

/** An update to the same environment (otherwise it is a replacement: start from nothing). */
function sameResource(event: CustomResourceEvent): boolean {
  return apiRoot(String(event.OldResourceProperties?.ApiUrl ?? '')) === apiRoot(String(event.ResourceProperties.ApiUrl));
}

export async function handler(event: CustomResourceEvent, context: LambdaContext): Promise<void> {
  const deps: Deps = { secrets: awsSecretsReader() };
  await runCustomResource(event, context, (ctx) => privateLinkWork(ctx, deps));
}
