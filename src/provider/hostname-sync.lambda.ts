/*
 * Keeps a Network Load Balancer IP target group equal to what a DNS name resolves to
 * (HostnameTargetSync). Runs on a schedule and on RDS failover/maintenance events.
 *
 * Safety rules, in the order the run applies them:
 * - an address the name resolves to is registered at once, with the target port, and with
 *   AvailabilityZone "all" when it lies outside the VPC;
 * - a registered address the name no longer resolves to is deregistered only after it has
 *   been missing from N consecutive complete runs AND for T seconds since a run first missed
 *   it (one failover sets off several runs within seconds); that state lives in one tag on
 *   the target group (hostname-sync-state.ts), so no bucket or table is needed;
 * - when any lookup fails, or registration fails, nothing is deregistered and no counter
 *   moves: a resolver outage must never empty the target group;
 * - runs never overlap: the function's reserved concurrency is 1, so two runs cannot race on
 *   the tag;
 * - every failure is collected and the invocation throws at the end, after the safe work is
 *   done, so the Lambda Errors alarm fires. Metrics go out as CloudWatch Embedded Metric
 *   Format log lines, which need no API call and so cannot fail the run.
 */
import { promises as dns } from 'dns';
import {
  AddTagsCommand, DeregisterTargetsCommand, DescribeTagsCommand, DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client, RegisterTargetsCommand, RemoveTagsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { advanceState, formatState, MissingState, parseState, STATE_TAG } from './hostname-sync-state';
import { compareAddresses, inCidr } from '../internal/addresses';

export { STATE_TAG } from './hostname-sync-state';

/** A target as DescribeTargetHealth reports it. */
export interface RegisteredTarget {
  readonly id: string;
  readonly port: number;
  /** `healthy`, `initial`, `draining`, … */
  readonly state?: string;
}

export interface NewTarget {
  readonly id: string;
  readonly port: number;
  readonly availabilityZone?: string;
}

/** The calls the sync makes on its target group (the AWS SDK in Lambda, moto or a fake in tests). */
export interface TargetGroupApi {
  describeTargets(): Promise<RegisteredTarget[]>;
  registerTargets(targets: NewTarget[]): Promise<void>;
  deregisterTargets(targets: { id: string; port: number }[]): Promise<void>;
  /** The state tag's value, or undefined when the tag is absent. */
  readState(): Promise<string | undefined>;
  /** Writes the state tag; an empty value removes it. */
  writeState(value: string): Promise<void>;
}

/** Resolves a name to addresses; throws on any resolver error, including no answer. */
export interface HostResolver {
  resolve(hostname: string): Promise<string[]>;
}

/** Receives the run's metrics. */
export type MetricsSink = (metrics: SyncMetrics) => void;

export interface SyncMetrics {
  /** Distinct addresses the name resolved to in this run. */
  readonly ipCount: number;
  readonly registrations: number;
  readonly deregistrations: number;
  /** 1 when the run failed, else 0. */
  readonly failures: number;
}

export interface SyncConfig {
  readonly hostname: string;
  readonly port: number;
  /** Complete runs an address must be missing from before it is deregistered. */
  readonly missedRunsBeforeDeregistration: number;
  /** Seconds since a run first missed an address before it is deregistered (0: runs only). */
  readonly missingSecondsBeforeDeregistration: number;
  /** Lookups per run; their union is the answer (a reader endpoint answers one address per lookup). */
  readonly lookupsPerRun: number;
  /** Pause between lookups, so round-robin answers rotate. */
  readonly lookupIntervalMs: number;
  /** CIDR blocks of the target group's VPC; addresses outside get AvailabilityZone "all". Empty: never. */
  readonly vpcCidrBlocks: string[];
}

export interface SyncDeps {
  readonly targetGroup: TargetGroupApi;
  readonly resolver: HostResolver;
  readonly metrics: MetricsSink;
  readonly log?: (line: string) => void;
  readonly sleep?: (ms: number) => Promise<void>;
  /** The clock, in epoch milliseconds. */
  readonly now?: () => number;
}

export interface SyncResult {
  readonly resolved: string[];
  readonly registered: string[];
  readonly deregistered: string[];
  /** The addresses still in their deregistration grace after the run. */
  readonly missing: MissingState;
  readonly failures: string[];
}

/** Thrown at the end of a run that failed; `result` says what the run still did. */
export class SyncError extends Error {
  constructor(readonly result: SyncResult) {
    super(`hostname sync failed: ${result.failures.join('; ')}`);
    this.name = 'SyncError';
  }
}

/** One run of the sync. Throws SyncError after doing what is safe when anything failed. */
export async function syncTargets(config: SyncConfig, deps: SyncDeps): Promise<SyncResult> {
  const log = deps.log ?? ((line: string) => console.log(line));
  const failures: string[] = [];
  const registered: string[] = [];
  const deregistered: string[] = [];

  let targets: RegisteredTarget[];
  let stateValue: string | undefined;
  try {
    targets = await deps.targetGroup.describeTargets();
    stateValue = await deps.targetGroup.readState();
  } catch (error) {
    // Without the current targets nothing can be decided safely.
    failures.push(`reading the target group failed: ${message(error)}`);
    return finish(config, deps, log, { resolved: [], registered, deregistered, missing: {}, failures });
  }
  const now = Math.floor((deps.now ?? Date.now)() / 1000);
  let missing = parseState(stateValue, now);

  const lookup = await resolveAll(config, deps);
  const resolved = [...lookup.addresses].sort(compareAddresses);
  if (lookup.errors.length > 0) {
    failures.push(`resolving ${config.hostname} failed (${lookup.errors.join('; ')}); no target was deregistered`);
  }

  // Draining targets are already on their way out: an address that comes back is registered again.
  const active = targets.filter((t) => t.state !== 'draining');
  const current = new Set(active.filter((t) => t.port === config.port).map((t) => t.id));
  const otherPort = active.filter((t) => t.port !== config.port);

  const toRegister = resolved.filter((ip) => !current.has(ip));
  if (toRegister.length > 0) {
    try {
      await deps.targetGroup.registerTargets(toRegister.map((ip) => ({
        id: ip,
        port: config.port,
        ...(config.vpcCidrBlocks.length > 0 && !config.vpcCidrBlocks.some((c) => inCidr(ip, c))
          ? { availabilityZone: 'all' } : {}),
      })));
      registered.push(...toRegister);
    } catch (error) {
      failures.push(`registering ${toRegister.join(', ')} failed: ${message(error)}; no target was deregistered`);
    }
  }

  // Deregistration runs only after a complete resolution and a successful registration.
  if (failures.length === 0) {
    const next = advanceState(missing, current, lookup.addresses, now, {
      runs: config.missedRunsBeforeDeregistration,
      seconds: config.missingSecondsBeforeDeregistration,
    });
    missing = next.missing;
    const expired = next.expired;
    const toDeregister = [
      ...expired.map((id) => ({ id, port: config.port })),
      // A target on another port is left over from an earlier port setting, not a DNS change.
      ...otherPort.map((t) => ({ id: t.id, port: t.port })),
    ];
    if (toDeregister.length > 0) {
      try {
        await deps.targetGroup.deregisterTargets(toDeregister);
        deregistered.push(...toDeregister.map((t) => (t.port === config.port ? t.id : `${t.id}:${t.port}`)));
        for (const ip of expired) delete missing[ip];
      } catch (error) {
        failures.push(`deregistering ${toDeregister.map((t) => t.id).join(', ')} failed: ${message(error)}`);
      }
    }
  } else {
    // Seeing an address proves it is there; that much is safe to record.
    for (const ip of lookup.addresses) delete missing[ip];
  }

  // Compared with the tag as read, so a tag in the format before the time grace is rewritten.
  const after = formatState(missing, log);
  if (after !== (stateValue ?? '')) {
    try {
      await deps.targetGroup.writeState(after);
    } catch (error) {
      // The old state stays: that only delays a deregistration by a run.
      failures.push(`saving the deregistration state failed: ${message(error)}`);
    }
  }
  return finish(config, deps, log, { resolved, registered, deregistered, missing, failures });
}

function finish(
  config: SyncConfig, deps: SyncDeps, log: (line: string) => void, result: SyncResult,
): SyncResult {
  deps.metrics({
    ipCount: result.resolved.length,
    registrations: result.registered.length,
    deregistrations: result.deregistered.length,
    failures: result.failures.length > 0 ? 1 : 0,
  });
  log(JSON.stringify({
    hostname: config.hostname,
    resolved: result.resolved,
    registered: result.registered,
    deregistered: result.deregistered,
    missing: result.missing,
    failures: result.failures,
  }));
  if (result.failures.length > 0) throw new SyncError(result);
  return result;
}

async function resolveAll(config: SyncConfig, deps: SyncDeps): Promise<{ addresses: Set<string>; errors: string[] }> {
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const addresses = new Set<string>();
  const errors: string[] = [];
  for (let i = 0; i < config.lookupsPerRun; i++) {
    if (i > 0) await sleep(config.lookupIntervalMs);
    try {
      const answer = await deps.resolver.resolve(config.hostname);
      if (answer.length === 0) throw new Error('no addresses in the answer');
      answer.forEach((ip) => addresses.add(ip));
    } catch (error) {
      errors.push(`lookup ${i + 1}: ${message(error)}`);
    }
  }
  return { addresses, errors };
}

function message(error: unknown): string {
  if (error instanceof Error) return `${error.name === 'Error' ? '' : `${error.name}: `}${error.message}`;
  return String(error);
}

/** A TargetGroupApi over the AWS SDK v3 ELBv2 client. */
export function sdkTargetGroup(client: ElasticLoadBalancingV2Client, targetGroupArn: string): TargetGroupApi {
  return {
    async describeTargets() {
      const out = await client.send(new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn }));
      return (out.TargetHealthDescriptions ?? []).map((d) => ({
        id: d.Target!.Id!,
        port: d.Target!.Port!,
        state: d.TargetHealth?.State,
      }));
    },
    async registerTargets(targets) {
      await client.send(new RegisterTargetsCommand({
        TargetGroupArn: targetGroupArn,
        Targets: targets.map((t) => ({ Id: t.id, Port: t.port, AvailabilityZone: t.availabilityZone })),
      }));
    },
    async deregisterTargets(targets) {
      await client.send(new DeregisterTargetsCommand({
        TargetGroupArn: targetGroupArn,
        Targets: targets.map((t) => ({ Id: t.id, Port: t.port })),
      }));
    },
    async readState() {
      const out = await client.send(new DescribeTagsCommand({ ResourceArns: [targetGroupArn] }));
      return out.TagDescriptions?.[0]?.Tags?.find((t) => t.Key === STATE_TAG)?.Value;
    },
    async writeState(value) {
      if (value) {
        await client.send(new AddTagsCommand({ ResourceArns: [targetGroupArn], Tags: [{ Key: STATE_TAG, Value: value }] }));
      } else {
        await client.send(new RemoveTagsCommand({ ResourceArns: [targetGroupArn], TagKeys: [STATE_TAG] }));
      }
    },
  };
}

/** A HostResolver over Node's resolver, which in a VPC Lambda asks the VPC's resolver. */
export function dnsResolver(family: 'IPV4' | 'IPV6', timeoutMs = 2000): HostResolver {
  const resolver = new dns.Resolver({ timeout: timeoutMs, tries: 2 });
  return {
    resolve: (hostname) => (family === 'IPV6' ? resolver.resolve6(hostname) : resolver.resolve4(hostname)),
  };
}

/** Metrics as a CloudWatch Embedded Metric Format log line: no API call, no IAM permission. */
export function embeddedMetrics(namespace: string, dimensions: Record<string, string>, write = console.log): MetricsSink {
  return (metrics) => {
    write(JSON.stringify({
      _aws: {
        Timestamp: Date.now(),
        CloudWatchMetrics: [{
          Namespace: namespace,
          Dimensions: [Object.keys(dimensions)],
          Metrics: [
            { Name: 'IpCount', Unit: 'Count' },
            { Name: 'Registrations', Unit: 'Count' },
            { Name: 'Deregistrations', Unit: 'Count' },
            { Name: 'Failures', Unit: 'Count' },
          ],
        }],
      },
      ...dimensions,
      IpCount: metrics.ipCount,
      Registrations: metrics.registrations,
      Deregistrations: metrics.deregistrations,
      Failures: metrics.failures,
    }));
  };
}

/** Reads the handler's settings from its environment. */
export function configFromEnv(env: NodeJS.ProcessEnv): SyncConfig & { targetGroupArn: string; family: 'IPV4' | 'IPV6' } {
  const required = (name: string) => {
    const value = env[name];
    if (!value) throw new Error(`environment variable ${name} is not set`);
    return value;
  };
  return {
    hostname: required('HOSTNAME_TO_SYNC'),
    targetGroupArn: required('TARGET_GROUP_ARN'),
    port: Number(required('TARGET_PORT')),
    missedRunsBeforeDeregistration: Number(env.MISSED_RUNS_BEFORE_DEREGISTRATION ?? '3'),
    missingSecondsBeforeDeregistration: Number(env.MISSING_SECONDS_BEFORE_DEREGISTRATION ?? '180'),
    lookupsPerRun: Number(env.LOOKUPS_PER_RUN ?? '5'),
    lookupIntervalMs: Number(env.LOOKUP_INTERVAL_MS ?? '200'),
    vpcCidrBlocks: (env.VPC_CIDR_BLOCKS ?? '').split(',').filter(Boolean),
    family: env.IP_ADDRESS_TYPE === 'ipv6' ? 'IPV6' : 'IPV4',
  };
}

/** A failover event's detail, logged so a run can be traced back to what triggered it. */
interface TriggerEvent {
  readonly 'detail-type'?: string;
  readonly 'detail'?: { EventID?: string; SourceIdentifier?: string; Message?: string };
}

export async function handler(event: TriggerEvent = {}): Promise<SyncResult> {
  const config = configFromEnv(process.env);
  if (event.detail?.EventID) {
    console.log(`triggered by ${event['detail-type']} ${event.detail.EventID} for ${event.detail.SourceIdentifier}: ${event.detail.Message}`);
  }
  // Throttling is retried by the SDK with adaptive backoff; what still fails fails the run.
  const client = new ElasticLoadBalancingV2Client({ maxAttempts: 6, retryMode: 'adaptive' });
  const targetGroupName = config.targetGroupArn.split(':').pop() ?? config.targetGroupArn;
  return syncTargets(config, {
    targetGroup: sdkTargetGroup(client, config.targetGroupArn),
    resolver: dnsResolver(config.family),
    metrics: embeddedMetrics(process.env.METRICS_NAMESPACE ?? 'SaasPrivateLink/HostnameTargetSync', {
      TargetGroup: targetGroupName,
    }),
  });
}
