/*
 * Custom resource Custom::DynatraceEdgeConnect: what the Dynatrace Kubernetes operator calls
 * "provisioner" mode, for CloudFormation.
 *
 * With the provisioner OAuth client (read from Secrets Manager) it creates the EdgeConnect
 * configuration through the platform API and stores the OAuth client the API returns (its
 * secret is shown only once) in the target secret that the ECS service reads. The physical ID
 * is the configuration's ID; its name is unique in the environment.
 * - Create never repeats a POST blindly. After an unclear outcome (timeout, reset, 5xx, a 2xx
 *   without the client), or a POST refused because the name is taken (a redelivered Create),
 *   it looks the name up: a configuration whose client is already in the target secret is
 *   adopted; any other is deleted and the POST is made again, at most MAX_CREATE_ROUNDS times.
 * - Update changes host patterns and mappings in place, and writes nothing when nothing
 *   changed; a new name, environment or target secret creates a new configuration, and
 *   CloudFormation then deletes the old one.
 * - Delete (edge-connect-removal.ts): keeps the target secret holding a client that exists
 *   through rollbacks, finds what a cancelled create made by its name, and answers SUCCESS over
 *   a vendor side that is gone, naming what was left behind.
 * The client secret goes only into the target secret: never into the answer or a log line.
 */
import { EdgeConnectApi, isEdgeConnectId, isNameCollision, messageOf } from './edge-connect-api';
import type { CreatedEdgeConnect, EdgeConnectRecord, HostMapping } from './edge-connect-api';
import { awsClientSecretStore, clientSecretValue, storedClient } from './edge-connect-client-secret';
import type { ClientSecretStore } from './edge-connect-client-secret';
import { EdgeConnectRemoval } from './edge-connect-removal';
import { runCustomResource } from '../../../internal/runtime/custom-resource';
import type { CustomResourceEvent, CustomResourceResult, LambdaContext, WorkContext } from '../../../internal/runtime/custom-resource';
import { AmbiguousOutcomeError } from '../../../internal/runtime/http-client';
import type { RetryPolicy } from '../../../internal/runtime/http-client';

export { PROVISIONER_SCOPES } from './edge-connect-api';
export type { HostMapping } from './edge-connect-api';

export interface ProvisionerDeps {
  readonly secrets: ClientSecretStore;
  readonly fetchFn?: typeof fetch;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly log?: (line: string) => void;
  readonly retry?: Partial<RetryPolicy>;
  /** Time kept back to answer CloudFormation (see runCustomResource). */
  readonly reserveMs?: number;
}

/** The resource properties the construct sends. */
export interface ProvisionerProperties {
  /** `https://{env}.apps.dynatrace.com/platform/app-engine/edge-connect/v1/edge-connects` */
  readonly EdgeConnectsUrl: string;
  readonly OAuthEndpoint: string;
  readonly OAuthResource: string;
  /** JSON secret with `clientId` and `clientSecret` of the provisioner OAuth client. */
  readonly ProvisionerSecretArn: string;
  /** The secret that receives `{"clientId", "clientSecret", "resource"}` of the new client. */
  readonly TargetSecretArn: string;
  readonly Name: string;
  readonly HostPatterns: string[];
  readonly HostMappings?: HostMapping[];
}

/**
 * What a configuration is: its name, its environment (the API's host and the OAuth resource)
 * and the secret that holds its client. A change to any of them needs a new configuration
 * (and a new physical ID); how the API is reached (a trailing slash) does not.
 */
const IDENTITY: Record<string, (p: ProvisionerProperties) => string> = {
  Name: (p) => p.Name,
  EdgeConnectsUrl: (p) => hostOf(p.EdgeConnectsUrl),
  OAuthResource: (p) => p.OAuthResource,
  TargetSecretArn: (p) => p.TargetSecretArn,
};

/** POSTs made at most by one Create: each unclear outcome costs a lookup and maybe a delete. */
export const MAX_CREATE_ROUNDS = 3;

export async function handler(event: CustomResourceEvent, context: LambdaContext): Promise<void> {
  await provision(event, context, { secrets: awsClientSecretStore() });
}

/** The handler with its clients injected. */
export async function provision(event: CustomResourceEvent, context: LambdaContext, deps: ProvisionerDeps): Promise<void> {
  // A create cut off after the vendor made the configuration: its Delete looks it up by name.
  await runCustomResource(event, context, (ctx) => work(ctx, deps), {
    findFailedCreates: true,
    fetchFn: deps.fetchFn,
    log: deps.log,
    sleep: deps.sleep,
    reserveMs: deps.reserveMs,
  });
}

async function work(ctx: WorkContext, deps: ProvisionerDeps): Promise<CustomResourceResult> {
  const { event } = ctx;
  const props = readProperties(event.ResourceProperties);
  const provisioner = new Provisioner(props, ctx, deps);
  switch (event.RequestType) {
    case 'Create':
      return provisioner.create();
    case 'Update': {
      const old = readProperties(event.OldResourceProperties ?? {});
      const changed = Object.keys(IDENTITY).filter((key) => IDENTITY[key](old) !== IDENTITY[key](props));
      if (changed.length > 0) {
        ctx.log(`${changed.join(', ')} changed: creating a new EdgeConnect configuration; CloudFormation deletes the old one`);
        // With the same name the new configuration clashes with the old one: that one is ours to replace.
        return provisioner.create(event.PhysicalResourceId);
      }
      return provisioner.update(event.PhysicalResourceId!);
    }
    case 'Delete':
      return provisioner.remove(event.PhysicalResourceId!);
  }
}

class Provisioner {
  private readonly api: EdgeConnectApi;

  constructor(private readonly props: ProvisionerProperties, private readonly ctx: WorkContext, private readonly deps: ProvisionerDeps) {
    this.api = new EdgeConnectApi({
      edgeConnectsUrl: props.EdgeConnectsUrl.replace(/\/+$/, ''),
      oauthEndpoint: props.OAuthEndpoint,
      oauthResource: props.OAuthResource,
      provisionerSecretArn: props.ProvisionerSecretArn,
      secrets: deps.secrets,
      fetchFn: deps.fetchFn,
      sleep: deps.sleep,
      retry: deps.retry,
    }, ctx);
  }

  /** @param replacing the configuration this one replaces (an Update): it may be deleted to free its name */
  public async create(replacing?: string): Promise<CustomResourceResult> {
    const { props, ctx } = this;
    const body = { name: props.Name, hostPatterns: props.HostPatterns, hostMappings: props.HostMappings ?? [] };
    let last = '';
    const deleted: string[] = [];
    // Only a POST of this invocation whose outcome is unclear makes a same-named configuration
    // provably ours; one that was there before (a name collision on a fresh Create) may be a
    // configuration someone else relies on, so it is adopted only when its client is ours.
    let unclearPost = false;
    for (let round = 1; round <= MAX_CREATE_ROUNDS; round++) {
      let created: CreatedEdgeConnect;
      try {
        created = await this.api.create(body);
      } catch (error) {
        const collision = isNameCollision(error);
        if (!collision && !(error instanceof AmbiguousOutcomeError)) throw error;
        if (!collision) unclearPost = true;
        last = messageOf(error);
        ctx.log(collision
          ? `the name "${props.Name}" is taken (${last}): looking the configuration up`
          : `${last}: looking "${props.Name}" up before anything else`);
        const found = await this.api.findByName(props.Name);
        // A collision that the lookup cannot confirm is an error of its own, not a reason to retry.
        if (collision && found.length === 0) throw error;
        const adopted = await this.adoptOrDelete(found, deleted, unclearPost || found.some((r) => r.id === replacing));
        if (adopted) return adopted;
        continue;
      }
      return this.store(created);
    }
    const cleaned = deleted.length > 0 ? `deleted the configurations they left (${deleted.join(', ')})` : 'none of them left a configuration';
    throw new Error(`could not create EdgeConnect "${props.Name}": ${MAX_CREATE_ROUNDS} attempts had an unclear outcome ` +
      `(last: ${last}); ${cleaned}, so nothing is left in Dynatrace`);
  }

  public async update(id: string): Promise<CustomResourceResult> {
    const record = isEdgeConnectId(id) ? await this.api.get(id) : undefined;
    if (!record) {
      this.ctx.log(`EdgeConnect ${id} no longer exists: creating a new one`);
      return this.create();
    }
    if (typeof record.oauthClientId !== 'string' || record.oauthClientId.length === 0) {
      throw new Error(`GET ${this.api.itemUrl(id)} answered without the oauthClientId of EdgeConnect ${id}`);
    }
    return this.converge(record);
  }

  public async remove(id: string): Promise<CustomResourceResult> {
    const { props } = this;
    return new EdgeConnectRemoval(this.api, {
      name: props.Name, targetSecretArn: props.TargetSecretArn, provisionerSecretArn: props.ProvisionerSecretArn,
    }, this.deps.secrets, this.ctx).remove(id);
  }

  /**
   * Adopts the configuration whose client the target secret holds. Every other one is deleted
   * when an unclear POST of this invocation may have made it; otherwise it is not ours to
   * delete, and the create fails saying how to resolve the clash.
   */
  private async adoptOrDelete(found: EdgeConnectRecord[], deleted: string[], mayDelete: boolean): Promise<CustomResourceResult | undefined> {
    const { props, ctx } = this;
    if (found.length === 0) {
      ctx.log(`no configuration named "${props.Name}" exists: creating it again`);
      return undefined;
    }
    const stored = await this.storedClientId(found);
    const ours = found.find((record) => stored !== undefined && record.oauthClientId === stored);
    if (!ours && !mayDelete) {
      const record = found[0];
      throw new Error(`an EdgeConnect configuration named "${props.Name}" already exists (${record.id}, OAuth client ` +
        `${record.oauthClientId ?? 'unknown'}) and its client is not in ${props.TargetSecretArn}, so it is not this resource's: ` +
        'give this EdgeConnect another name, or delete that configuration in the EdgeConnect management app ' +
        `(or DELETE ${this.api.itemUrl(record.id)}) if nothing uses it, then retry`);
    }
    for (const record of found) {
      if (record === ours) continue;
      try {
        await this.api.delete(record.id);
      } catch (error) {
        throw new Error(`found EdgeConnect ${record.id} "${props.Name}" (OAuth client ${record.oauthClientId ?? 'unknown'}) whose client ` +
          `secret is not in ${props.TargetSecretArn}, and could not delete it (${messageOf(error)}); it is left in Dynatrace: ` +
          `delete it in the EdgeConnect management app, or DELETE ${this.api.itemUrl(record.id)}, then retry`);
      }
      deleted.push(record.id);
      ctx.log(`deleted EdgeConnect ${record.id} "${props.Name}": its client secret was never stored, so it cannot be used`);
    }
    if (!ours) return undefined;
    ctx.log(`adopting EdgeConnect ${ours.id} "${props.Name}": its OAuth client ${ours.oauthClientId} is already in ${props.TargetSecretArn}`);
    return this.converge(ours);
  }

  /**
   * The client ID in the target secret when it holds a real client (not the placeholder) with
   * a secret. A secret that cannot be read stops the create: guessing could delete a
   * configuration that is in use.
   */
  private async storedClientId(found: EdgeConnectRecord[]): Promise<string | undefined> {
    const { props, ctx } = this;
    let raw: string | undefined;
    try {
      raw = await this.deps.secrets.getSecretString(props.TargetSecretArn, ctx.signal);
    } catch (error) {
      throw new Error(`found EdgeConnect ${found.map((r) => r.id).join(', ')} "${props.Name}" but could not read ${props.TargetSecretArn} ` +
        `to tell whether its OAuth client is stored there (${messageOf(error)}); nothing was changed`);
    }
    return storedClient(raw, ctx.redact)?.clientId;
  }

  /** Puts the wanted host patterns and mappings on a configuration; writes nothing when they are there. */
  private async converge(record: EdgeConnectRecord): Promise<CustomResourceResult> {
    const { props, ctx } = this;
    const id = record.id;
    const oauthClientId = record.oauthClientId!;
    const wanted = { hostPatterns: props.HostPatterns, hostMappings: props.HostMappings ?? [] };
    if (sameSet(record.hostPatterns, wanted.hostPatterns) && sameSet(mappingKeys(record.hostMappings), mappingKeys(wanted.hostMappings))
      && record.name === props.Name) {
      ctx.log(`EdgeConnect ${id} already has the wanted host patterns and mappings: nothing to change`);
    } else {
      await this.api.update(id, { name: props.Name, ...wanted, oauthClientId });
      ctx.log(`updated EdgeConnect ${id}: host patterns ${JSON.stringify(wanted.hostPatterns)}, ${wanted.hostMappings.length} host mappings`);
    }
    return { physicalResourceId: id, data: { EdgeConnectId: id, OAuthClientId: oauthClientId } };
  }

  /** Stores the new client in the target secret; a configuration whose client cannot be stored is deleted again. */
  private async store(created: CreatedEdgeConnect): Promise<CustomResourceResult> {
    const { props, ctx } = this;
    const { id, oauthClientId, oauthClientSecret } = created;
    const resource = created.oauthClientResource ?? props.OAuthResource;
    const value = clientSecretValue({ clientId: oauthClientId, clientSecret: oauthClientSecret, resource, edgeConnectId: id });
    try {
      await this.deps.secrets.putSecretString(props.TargetSecretArn, value, ctx.signal);
    } catch (error) {
      let cleanup = 'deleted the EdgeConnect again, so a retry starts clean';
      try {
        await this.api.delete(id);
      } catch (deleteError) {
        cleanup = `could not delete it again (${messageOf(deleteError)}): delete it in the EdgeConnect management app`;
      }
      throw new Error(`created EdgeConnect ${id} but could not store its OAuth client in ${props.TargetSecretArn} ` +
        `(${messageOf(error)}); ${cleanup}`);
    }
    ctx.log(`created EdgeConnect ${id} "${props.Name}" with OAuth client ${oauthClientId}, stored in ${props.TargetSecretArn}`);
    return { physicalResourceId: id, data: { EdgeConnectId: id, OAuthClientId: oauthClientId } };
  }
}

function readProperties(raw: Record<string, any>): ProvisionerProperties {
  const props = raw as ProvisionerProperties;
  for (const key of ['EdgeConnectsUrl', 'OAuthEndpoint', 'OAuthResource', 'ProvisionerSecretArn', 'TargetSecretArn', 'Name'] as const) {
    if (typeof props[key] !== 'string' || props[key].length === 0) {
      throw new Error(`resource property ${key} is missing`);
    }
  }
  if (!Array.isArray(props.HostPatterns) || props.HostPatterns.length === 0) {
    throw new Error('resource property HostPatterns must list at least one host pattern');
  }
  return props;
}

function hostOf(url: string): string {
  try {
    return new URL(url).host.toLowerCase();
  } catch {
    return url;
  }
}

function sameSet(current: unknown, wanted: string[]): boolean {
  const have = Array.isArray(current) ? current.map((v) => String(v).toLowerCase()).sort() : [];
  const want = wanted.map((v) => v.toLowerCase()).sort();
  return have.length === want.length && have.every((v, i) => v === want[i]);
}

function mappingKeys(mappings: unknown): string[] {
  return Array.isArray(mappings) ? mappings.map((m: HostMapping) => `${m?.from}\u0000${m?.to}`) : [];
}
