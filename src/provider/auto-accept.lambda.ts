/*
 * Accepts pending connections to a VPC endpoint service whose endpoint owner is an allowed
 * account, and rejects or leaves the others. Invoked by the service's connection notification
 * (SNS) and by a periodic sweep: every invocation sweeps all pending connections, so a lost
 * notification only delays an acceptance until the next sweep, and a repeated one is harmless.
 * Any failure fails the invocation after the rest of the sweep is done.
 */
import {
  AcceptVpcEndpointConnectionsCommand, DescribeVpcEndpointConnectionsCommand, EC2Client, RejectVpcEndpointConnectionsCommand,
} from '@aws-sdk/client-ec2';

export interface PendingConnection {
  readonly endpointId: string;
  readonly owner: string;
}

/** The EC2 calls the sweep makes (the AWS SDK in Lambda, a typed fake in tests). */
export interface EndpointConnectionsApi {
  /** Every connection of the service in state pendingAcceptance. */
  pendingConnections(serviceId: string): Promise<PendingConnection[]>;
  /** Returns the endpoint IDs that failed, with the reason. */
  accept(serviceId: string, endpointIds: string[]): Promise<Record<string, string>>;
  reject(serviceId: string, endpointIds: string[]): Promise<Record<string, string>>;
}

export interface SweepConfig {
  readonly serviceId: string;
  /** Principals from the service's allowlist: account IDs or IAM ARNs. */
  readonly allowedPrincipals: string[];
  /** What to do with a connection from any other account. */
  readonly unlisted: 'leave' | 'reject';
}

export interface SweepResult {
  readonly accepted: string[];
  readonly rejected: string[];
  readonly leftPending: string[];
  readonly failures: string[];
}

/** The 12-digit account of an account ID or an IAM ARN (`arn:aws:iam::123456789012:root`). */
export function accountOf(principal: string): string {
  const trimmed = principal.trim();
  if (/^\d{12}$/.test(trimmed)) return trimmed;
  const account = trimmed.split(':')[4];
  if (trimmed.startsWith('arn:') && account && /^\d{12}$/.test(account)) return account;
  throw new Error(`allowed principal ${JSON.stringify(principal)} is neither a 12-digit account ID nor an IAM ARN`);
}

export async function sweep(config: SweepConfig, api: EndpointConnectionsApi, log = (l: string) => console.log(l)): Promise<SweepResult> {
  const allowed = new Set(config.allowedPrincipals.filter((p) => p.trim()).map(accountOf));
  const pending = await api.pendingConnections(config.serviceId);
  const toAccept = pending.filter((c) => allowed.has(c.owner)).map((c) => c.endpointId);
  const others = pending.filter((c) => !allowed.has(c.owner));
  const failures: string[] = [];
  const accepted: string[] = [];
  const rejected: string[] = [];

  const apply = async (verb: 'accept' | 'reject', ids: string[], done: string[]) => {
    if (ids.length === 0) return;
    try {
      const unsuccessful = await api[verb](config.serviceId, ids);
      for (const id of ids) {
        if (unsuccessful[id]) failures.push(`${verb} ${id}: ${unsuccessful[id]}`);
        else done.push(id);
      }
    } catch (error) {
      failures.push(`${verb} ${ids.join(', ')}: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
    }
  };
  await apply('accept', toAccept, accepted);
  const leftPending: string[] = [];
  if (config.unlisted === 'reject') {
    await apply('reject', others.map((c) => c.endpointId), rejected);
  } else {
    leftPending.push(...others.map((c) => c.endpointId));
  }

  const result = { accepted, rejected, leftPending, failures };
  log(JSON.stringify({
    serviceId: config.serviceId,
    ...result,
    unlistedOwners: [...new Set(others.map((c) => c.owner))],
  }));
  if (failures.length > 0) {
    throw new Error(`auto-accept for ${config.serviceId} failed: ${failures.join('; ')}`);
  }
  return result;
}

/** An EndpointConnectionsApi over the AWS SDK v3 EC2 client. */
export function sdkEndpointConnections(client: Pick<EC2Client, 'send'>): EndpointConnectionsApi {
  const unsuccessful = (items?: { ResourceId?: string; Error?: { Code?: string; Message?: string } }[]) =>
    Object.fromEntries((items ?? []).map((u) => [u.ResourceId ?? '?', `${u.Error?.Code ?? 'Error'}: ${u.Error?.Message ?? ''}`]));
  return {
    async pendingConnections(serviceId) {
      const found: PendingConnection[] = [];
      let nextToken: string | undefined;
      do {
        const out = await client.send(new DescribeVpcEndpointConnectionsCommand({
          Filters: [
            { Name: 'service-id', Values: [serviceId] },
            { Name: 'vpc-endpoint-state', Values: ['pendingAcceptance'] },
          ],
          NextToken: nextToken,
        }));
        for (const c of out.VpcEndpointConnections ?? []) {
          // The API answers "pendingAcceptance" where the SDK's enum says "PendingAcceptance": compare either way.
          if (c.VpcEndpointId && c.VpcEndpointOwner && String(c.VpcEndpointState).toLowerCase() === 'pendingacceptance') {
            found.push({ endpointId: c.VpcEndpointId, owner: c.VpcEndpointOwner });
          }
        }
        nextToken = out.NextToken;
      } while (nextToken);
      return found;
    },
    async accept(serviceId, endpointIds) {
      const out = await client.send(new AcceptVpcEndpointConnectionsCommand({ ServiceId: serviceId, VpcEndpointIds: endpointIds }));
      return unsuccessful(out.Unsuccessful);
    },
    async reject(serviceId, endpointIds) {
      const out = await client.send(new RejectVpcEndpointConnectionsCommand({ ServiceId: serviceId, VpcEndpointIds: endpointIds }));
      return unsuccessful(out.Unsuccessful);
    },
  };
}

export function configFromEnv(env: NodeJS.ProcessEnv): SweepConfig {
  if (!env.SERVICE_ID) throw new Error('environment variable SERVICE_ID is not set');
  if (!env.ALLOWED_PRINCIPALS) throw new Error('environment variable ALLOWED_PRINCIPALS is not set');
  return {
    serviceId: env.SERVICE_ID,
    allowedPrincipals: env.ALLOWED_PRINCIPALS.split(','),
    unlisted: env.UNLISTED_CONNECTIONS === 'reject' ? 'reject' : 'leave',
  };
}

export async function handler(): Promise<SweepResult> {
  return sweep(configFromEnv(process.env), sdkEndpointConnections(new EC2Client({ maxAttempts: 6, retryMode: 'adaptive' })));
}
