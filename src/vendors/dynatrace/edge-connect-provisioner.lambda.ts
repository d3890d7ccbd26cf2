/*
 * Custom resource Custom::DynatraceEdgeConnect: what the Dynatrace Kubernetes operator calls
 * "provisioner" mode, for CloudFormation.
 *
 * With the provisioner OAuth client (read from Secrets Manager) it gets a token from the
 * OAuth endpoint, creates the EdgeConnect configuration through the platform API, and stores
 * the OAuth client the API returns (its secret is returned only once) in the target secret
 * that the ECS service reads. Updates change host patterns and mappings in place; a new name,
 * environment or target secret replaces the configuration; Delete removes it (404 counts as
 * already gone). The OAuth client secret goes only into the target secret: never into the
 * answer to CloudFormation or a log line.
 */
import { runCustomResource } from '../../internal/runtime/custom-resource';
import type { CustomResourceEvent, CustomResourceResult, LambdaContext, WorkContext } from '../../internal/runtime/custom-resource';
import { HttpClient } from '../../internal/runtime/http-client';
import type { RetryPolicy } from '../../internal/runtime/http-client';
import { awsSecretsReader, readSecret } from '../../internal/runtime/secrets';
import type { SecretsReader } from '../../internal/runtime/secrets';

/** The scopes the provisioner client needs: manage EdgeConnects and their OAuth clients. */
export const PROVISIONER_SCOPES = [
  'app-engine:edge-connects:read',
  'app-engine:edge-connects:write',
  'app-engine:edge-connects:delete',
  'oauth2:clients:manage',
].join(' ');

/** Writes a secret's value (a typed fake in tests). */
export interface SecretsWriter {
  putSecretString(secretId: string, value: string): Promise<void>;
}

export interface ProvisionerDeps {
  readonly secrets: SecretsReader & SecretsWriter;
  readonly fetchFn?: typeof fetch;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly log?: (line: string) => void;
  readonly retry?: Partial<RetryPolicy>;
  /** Time kept back to answer CloudFormation (see runCustomResource). */
  readonly reserveMs?: number;
}

export interface HostMapping {
  readonly from: string;
  readonly to: string;
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

/** Properties whose change needs a new EdgeConnect configuration (and a new physical ID). */
const REPLACING: (keyof ProvisionerProperties)[] = ['Name', 'EdgeConnectsUrl', 'OAuthResource', 'TargetSecretArn'];

export async function handler(event: CustomResourceEvent, context: LambdaContext): Promise<void> {
  await provision(event, context, { secrets: awsSecretsStore() });
}

/** The handler with its clients injected. */
export async function provision(event: CustomResourceEvent, context: LambdaContext, deps: ProvisionerDeps): Promise<void> {
  await runCustomResource(event, context, (ctx) => work(ctx, deps), {
    fetchFn: deps.fetchFn,
    log: deps.log,
    sleep: deps.sleep,
    reserveMs: deps.reserveMs,
  });
}

async function work(ctx: WorkContext, deps: ProvisionerDeps): Promise<CustomResourceResult> {
  const { event } = ctx;
  const props = readProperties(event.ResourceProperties);
  const api = new EdgeConnectApi(props, ctx, deps);
  switch (event.RequestType) {
    case 'Create':
      return api.create();
    case 'Update': {
      const old = readProperties(event.OldResourceProperties ?? {});
      const changed = REPLACING.filter((key) => old[key] !== props[key]);
      if (changed.length > 0) {
        ctx.log(`${changed.join(', ')} changed: creating a new EdgeConnect configuration; CloudFormation deletes the old one`);
        return api.create();
      }
      return api.update(event.PhysicalResourceId!);
    }
    case 'Delete':
      return api.remove(event.PhysicalResourceId!);
  }
}

class EdgeConnectApi {
  private readonly http: HttpClient;
  private token?: string;

  constructor(private readonly props: ProvisionerProperties, private readonly ctx: WorkContext, private readonly deps: ProvisionerDeps) {
    this.http = new HttpClient({
      deadline: ctx.deadline,
      fetchFn: deps.fetchFn,
      sleep: deps.sleep,
      retry: deps.retry,
      log: ctx.log,
    });
  }

  public async create(): Promise<CustomResourceResult> {
    const { props, ctx } = this;
    const body = { name: props.Name, hostPatterns: props.HostPatterns, hostMappings: props.HostMappings ?? [] };
    const res = await this.call('POST', props.EdgeConnectsUrl, body);
    const created = res.json ?? {};
    if (typeof created.oauthClientSecret === 'string') ctx.redact(created.oauthClientSecret);
    const { id, oauthClientId, oauthClientSecret } = created;
    if (![id, oauthClientId, oauthClientSecret].every((v) => typeof v === 'string' && v.length > 0)) {
      if (typeof id === 'string' && id) await this.deleteQuietly(id);
      throw new Error(`POST ${props.EdgeConnectsUrl} answered HTTP ${res.status} without id, oauthClientId and oauthClientSecret ` +
        `(${res.json === undefined ? 'the body is not JSON' : 'fields missing'}); check the EdgeConnect management app ` +
        `for a configuration named "${props.Name}" and delete it before retrying`);
    }
    const resource = created.oauthClientResource ?? props.OAuthResource;
    const value = JSON.stringify({ clientId: oauthClientId, clientSecret: oauthClientSecret, resource });
    try {
      await this.deps.secrets.putSecretString(props.TargetSecretArn, value);
    } catch (error) {
      await this.deleteQuietly(id);
      throw new Error(`created EdgeConnect ${id} but could not store its OAuth client in ${props.TargetSecretArn} ` +
        `(${messageOf(error)}); deleted the EdgeConnect again, so a retry starts clean`);
    }
    ctx.log(`created EdgeConnect ${id} "${props.Name}" with OAuth client ${oauthClientId}, stored in ${props.TargetSecretArn}`);
    return { physicalResourceId: id, data: { EdgeConnectId: id, OAuthClientId: oauthClientId } };
  }

  public async update(id: string): Promise<CustomResourceResult> {
    const { props, ctx } = this;
    const url = this.itemUrl(id);
    const res = await this.call('GET', url, undefined, [404]);
    if (res.status === 404) {
      ctx.log(`EdgeConnect ${id} no longer exists: creating a new one`);
      return this.create();
    }
    const current = res.json ?? {};
    const oauthClientId = current.oauthClientId;
    if (typeof oauthClientId !== 'string' || oauthClientId.length === 0) {
      throw new Error(`GET ${url} answered without the oauthClientId of EdgeConnect ${id}`);
    }
    const wanted = { hostPatterns: props.HostPatterns, hostMappings: props.HostMappings ?? [] };
    if (sameSet(current.hostPatterns, wanted.hostPatterns) && sameSet(mappingKeys(current.hostMappings), mappingKeys(wanted.hostMappings))
      && current.name === props.Name) {
      ctx.log(`EdgeConnect ${id} already has the wanted host patterns and mappings: nothing to change`);
    } else {
      await this.call('PUT', url, { name: props.Name, ...wanted, oauthClientId });
      ctx.log(`updated EdgeConnect ${id}: host patterns ${JSON.stringify(wanted.hostPatterns)}, ${wanted.hostMappings.length} host mappings`);
    }
    return { physicalResourceId: id, data: { EdgeConnectId: id, OAuthClientId: oauthClientId } };
  }

  public async remove(id: string): Promise<CustomResourceResult> {
    const res = await this.call('DELETE', this.itemUrl(id), undefined, [404]);
    this.ctx.log(res.status === 404 ? `EdgeConnect ${id} was already gone` : `deleted EdgeConnect ${id} and its OAuth client`);
    return { physicalResourceId: id };
  }

  private async deleteQuietly(id: string): Promise<void> {
    try {
      await this.call('DELETE', this.itemUrl(id), undefined, [404]);
    } catch (error) {
      this.ctx.log(`could not delete EdgeConnect ${id} after the failure (${messageOf(error)}); delete it in the EdgeConnect management app`);
    }
  }

  private itemUrl(id: string): string {
    return `${this.props.EdgeConnectsUrl}/${encodeURIComponent(id)}`;
  }

  private async call(method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, body?: unknown, accept: number[] = []) {
    const token = await this.accessToken();
    return this.http.send({ method, url, body, headers: { authorization: `Bearer ${token}` } }, accept);
  }

  /** A client-credentials token for the provisioner client, fetched once per invocation. */
  private async accessToken(): Promise<string> {
    if (this.token) return this.token;
    const { props, ctx } = this;
    const raw = await this.deps.secrets.getSecretString(props.ProvisionerSecretArn);
    const once: SecretsReader = { getSecretString: async () => raw };
    const clientId = await readSecret(once, props.ProvisionerSecretArn, 'clientId');
    const clientSecret = await readSecret(once, props.ProvisionerSecretArn, 'clientSecret');
    ctx.redact(clientSecret);
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: clientId,
      client_secret: clientSecret,
      scope: PROVISIONER_SCOPES,
      resource: props.OAuthResource,
    });
    let res;
    try {
      res = await this.http.send({
        method: 'POST',
        url: props.OAuthEndpoint,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form.toString(),
      });
    } catch (error) {
      throw new Error(`could not get an OAuth token for the provisioner client ${clientId} (scopes ${PROVISIONER_SCOPES}): ${messageOf(error)}`);
    }
    const token = res.json?.access_token;
    if (typeof token !== 'string' || token.length === 0) {
      throw new Error(`POST ${props.OAuthEndpoint} answered HTTP ${res.status} without an access_token for the provisioner client ${clientId}`);
    }
    ctx.redact(token);
    this.token = token;
    return token;
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

function sameSet(current: unknown, wanted: string[]): boolean {
  const have = Array.isArray(current) ? current.map((v) => String(v).toLowerCase()).sort() : [];
  const want = wanted.map((v) => v.toLowerCase()).sort();
  return have.length === want.length && have.every((v, i) => v === want[i]);
}

function mappingKeys(mappings: unknown): string[] {
  return Array.isArray(mappings) ? mappings.map((m: HostMapping) => `${m?.from}\u0000${m?.to}`) : [];
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Secrets Manager through the AWS SDK v3 that the Lambda runtime provides. */
function awsSecretsStore(): SecretsReader & SecretsWriter {
  const reader = awsSecretsReader();
  // Loaded lazily so tests can run without the SDK.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { SecretsManagerClient, PutSecretValueCommand } = require('@aws-sdk/client-secrets-manager');
  const client = new SecretsManagerClient({});
  return {
    getSecretString: (secretId) => reader.getSecretString(secretId),
    async putSecretString(secretId, value) {
      await client.send(new PutSecretValueCommand({ SecretId: secretId, SecretString: value }));
    },
  };
}
