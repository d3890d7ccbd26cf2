/*
 * Rotation of an ActiveGate token by Secrets Manager (the same bundle as the custom resource; the
 * construct's rotation function has ROTATION_CONFIG set). Secrets Manager calls the function four
 * times per rotation with {SecretId, ClientRequestToken, Step}:
 *
 * - createSecret: POST a new token named `<Name> [cdk-<hash of stack and resource> from <current id>]`
 *   and store it as the version ClientRequestToken, labelled AWSPENDING. Idempotent: a pending
 *   version that already holds a live token is kept. A POST whose answer was lost made a token
 *   whose value nobody has; the next attempt finds it by its name and deletes it before posting
 *   again, so a retried step never leaves a second pending token behind.
 * - setSecret: nothing to do: Dynatrace made the token valid when it created it.
 * - testSecret: the pending token must be in the environment's token list.
 * - finishSecret: AWSCURRENT moves to the new version (the old one becomes AWSPREVIOUS). The old
 *   token stays valid until it expires by itself, so an ActiveGate that has not re-read the secret
 *   keeps its connection; it is deleted now only with DeleteReplaced (`deleteReplacedTokens`).
 *
 * A scheduled event (EventBridge, every few hours) publishes DaysToExpiry of the token the secret
 * holds, read from the token list (0 when the secret holds no live token): the alarm's signal.
 * A failed step or check throws, which is the function's Errors metric: the other alarm.
 */
import { createHash } from 'crypto';
import { redactAll, withDeadline, WorkContext } from '../../../internal/runtime/custom-resource';
import { AmbiguousOutcomeError } from '../../../internal/runtime/http-client';
import { ApiDeps, ApiProperties, DynatraceApi } from '../dynatrace-api';
import { byHand, deleteUnstored, listTokens, messageOf, TOKEN_ID, TOKENS, tokenPath } from './token-api';
import { tokenIdOf } from './token-secret';

/** The environment variable holding the rotation function's RotationConfig (JSON). */
export const ROTATION_CONFIG_ENV = 'ROTATION_CONFIG';
/** Where DaysToExpiry is published. */
export const METRIC_NAMESPACE = 'cdk-saas-privatelink/ActiveGateToken';
export const DAYS_TO_EXPIRY = 'DaysToExpiry';
const MAX_NAME = 100;
const DAY_MS = 86_400_000;
/** Time kept back from the Lambda timeout so that a failure is still reported, not cut off. */
const RESERVE_MS = 5_000;

/** What the construct writes into ROTATION_CONFIG: how to reach Dynatrace and what to make. */
export interface RotationConfig extends ApiProperties {
  readonly TargetSecretArn: string;
  readonly Name: string;
  readonly ActiveGateType: string;
  readonly ExpirationDate: string;
  /** The custom resource's stack and logical ID: rotated tokens carry a name derived from them. */
  readonly StackId: string;
  readonly LogicalResourceId: string;
  /** 'true' to delete the replaced token when the new one becomes current. */
  readonly DeleteReplaced?: string;
}

export interface RotationEvent {
  readonly SecretId: string;
  readonly ClientRequestToken: string;
  readonly Step: 'createSecret' | 'setSecret' | 'testSecret' | 'finishSecret';
}

/** The Secrets Manager calls a rotation needs (a typed fake in tests that stages versions). */
export interface RotationSecrets {
  /** DescribeSecret: the version IDs and their staging labels. */
  versions(secretId: string, signal: AbortSignal): Promise<Record<string, string[]>>;
  /** GetSecretValue of a version ID or a stage; throws ResourceNotFoundException when there is none. */
  value(secretId: string, select: { versionId?: string; stage?: string }, signal: AbortSignal): Promise<string | undefined>;
  /** PutSecretValue with ClientRequestToken `versionId` and the stage AWSPENDING. */
  putPending(secretId: string, versionId: string, value: string, signal: AbortSignal): Promise<void>;
  /** UpdateSecretVersionStage: AWSCURRENT to `versionId`, removed from `fromVersionId`. */
  promote(secretId: string, versionId: string, fromVersionId: string | undefined, signal: AbortSignal): Promise<void>;
}

/** PutMetricData of DaysToExpiry (a fake in tests). */
export interface ExpiryMetrics {
  putDaysToExpiry(secretArn: string, days: number, signal: AbortSignal): Promise<void>;
}

export interface RotationDeps extends ApiDeps {
  readonly rotation: RotationSecrets;
  readonly metrics: ExpiryMetrics;
  readonly log?: (line: string) => void;
  /** @default Date.now */
  readonly now?: () => number;
}

export function isRotationEvent(event: unknown): event is RotationEvent {
  const e = event as Partial<RotationEvent> | undefined;
  return typeof e?.SecretId === 'string' && typeof e.ClientRequestToken === 'string' && typeof e.Step === 'string';
}

/** An EventBridge scheduled event (the expiry check). */
export function isScheduledEvent(event: unknown): boolean {
  return (event as { ['detail-type']?: string } | undefined)?.['detail-type'] === 'Scheduled Event';
}

/** The name of a token made by rotating `fromId`; see the header comment. */
export function rotationName(config: Pick<RotationConfig, 'Name' | 'StackId' | 'LogicalResourceId'>, fromId: string): string {
  const suffix = `[cdk-${resourceHash(config.StackId, config.LogicalResourceId)} from ${fromId}]`;
  return `${String(config.Name).slice(0, MAX_NAME - suffix.length - 1).trimEnd()} ${suffix}`;
}

/** The token a rotation of this resource replaced by the token named `name`, if it is one. */
export function rotatedFrom(name: string, stackId: string, logicalId: string): string | undefined {
  const match = / \[cdk-([0-9a-f]{10}) from (dt0g\d\d\.[A-Za-z0-9]+)\]$/.exec(name);
  return match && match[1] === resourceHash(stackId, logicalId) ? match[2] : undefined;
}

/**
 * The tokens descended by rotation from `id` (rotated from it, or from one of those), in the
 * order they were made: what a resource whose physical ID is `id` owns besides `id` itself.
 */
export function rotationDescendants(listed: readonly { id: string; name: string }[], id: string, stackId: string, logicalId: string): string[] {
  const out: string[] = [];
  let frontier = [id];
  while (frontier.length > 0) {
    const next = listed.filter((t) => frontier.includes(rotatedFrom(t.name, stackId, logicalId) ?? '') && !out.includes(t.id) && t.id !== id);
    out.push(...next.map((t) => t.id));
    frontier = next.map((t) => t.id);
  }
  return out;
}

function resourceHash(stackId: string, logicalId: string): string {
  return createHash('sha256').update(`${stackId}/${logicalId}`).digest('hex').slice(0, 10);
}

/**
 * The rotation function's entry: a rotation step or the scheduled check, within the Lambda's
 * time. Failures are thrown (Secrets Manager marks the rotation failed; Lambda counts an error)
 * with every secret redacted from the message.
 */
export async function handleRotation(event: unknown, remainingMs: number, config: RotationConfig, deps: RotationDeps): Promise<string> {
  const secrets: string[] = [];
  const log = (line: string) => (deps.log ?? console.log)(redactAll(line, secrets));
  const budget = Math.max(1_000, remainingMs - RESERVE_MS);
  const controller = new AbortController();
  const ctx: RotationContext = {
    deadline: Date.now() + budget,
    signal: controller.signal,
    log,
    redact: (s) => { if (s) secrets.push(s); },
    config,
    deps,
    now: deps.now ?? Date.now,
  };
  try {
    const summary = await withDeadline(isRotationEvent(event) ? rotationStep(ctx, event) : checkExpiry(ctx, event), budget, controller);
    log(summary);
    return summary;
  } catch (error) {
    const message = redactAll(messageOf(error), secrets);
    log(`FAILED: ${message}`);
    throw Object.assign(new Error(message), { name: (error as Error)?.name ?? 'Error' });
  }
}

interface RotationContext {
  readonly deadline: number;
  readonly signal: AbortSignal;
  readonly log: (line: string) => void;
  readonly redact: (secret: string) => void;
  readonly config: RotationConfig;
  readonly deps: RotationDeps;
  readonly now: () => number;
}

async function connect(ctx: RotationContext): Promise<DynatraceApi> {
  // DynatraceApi reads only the deadline, signal, redaction and log of a custom resource's context.
  const work = { ...ctx, event: undefined } as unknown as WorkContext;
  return DynatraceApi.connect(ctx.config, work, ctx.deps);
}

async function rotationStep(ctx: RotationContext, event: RotationEvent): Promise<string> {
  const { config, deps, signal } = ctx;
  const secret = event.SecretId;
  if (secret !== config.TargetSecretArn) {
    throw new Error(`this function rotates the ActiveGate token in ${config.TargetSecretArn} only, not ${secret}`);
  }
  const version = event.ClientRequestToken;
  const versions = await deps.rotation.versions(secret, signal);
  const stages = versions[version];
  if (!stages) throw new Error(`${event.Step}: version ${version} of ${secret} has no stage for rotation`);
  if (stages.includes('AWSCURRENT')) return `${event.Step}: version ${version} is already AWSCURRENT: nothing to do`;
  if (!stages.includes('AWSPENDING')) throw new Error(`${event.Step}: version ${version} of ${secret} is not AWSPENDING`);
  switch (event.Step) {
    case 'createSecret': return createPending(ctx, secret, version);
    case 'setSecret': return 'setSecret: nothing to do (Dynatrace made the token valid when it created it)';
    case 'testSecret': return testPending(ctx, secret, version);
    case 'finishSecret': return finish(ctx, secret, version, versions);
    default: throw new Error(`unknown rotation step ${JSON.stringify(String(event.Step).slice(0, 40))}`);
  }
}

async function createPending(ctx: RotationContext, secret: string, version: string): Promise<string> {
  const { config, deps, signal } = ctx;
  const current = await heldAt(ctx, secret, { stage: 'AWSCURRENT' });
  if (!current) {
    throw new Error(`the current version of ${secret} holds no ActiveGate token: rotation starts from the token the stack created`);
  }
  const api = await connect(ctx);
  const listed = await listTokens(api);
  const pending = await heldAt(ctx, secret, { versionId: version, stage: 'AWSPENDING' });
  if (pending) {
    if (listed.some((t) => t.id === pending.id)) return `createSecret: version ${version} already holds ActiveGate token ${pending.id}: kept`;
    throw new Error(`version ${version} of ${secret} holds ActiveGate token ${pending.id}, which no longer exists in Dynatrace; ` +
      `cancel this rotation (aws secretsmanager cancel-rotate-secret --secret-id ${secret}) and rotate again`);
  }
  const name = rotationName(config, current.id);
  // Tokens with this name were made by attempts whose answer was lost: their value is lost too.
  for (const t of listed.filter((l) => l.name === name)) {
    await api.call('DELETE', tokenPath(t.id), { accept: [404] });
    ctx.log(`deleted ActiveGate token ${t.id} "${name}" (made by an earlier attempt whose answer was lost)`);
  }
  let res;
  try {
    res = await api.call('POST', TOKENS, {
      body: { name, activeGateType: config.ActiveGateType, seedToken: false, expirationDate: config.ExpirationDate },
      expectJson: true,
    });
  } catch (error) {
    const next = error instanceof AmbiguousOutcomeError ? '; the next attempt deletes what it may have made (found by its name) and creates again' : '';
    throw new Error(`createSecret: could not create ActiveGate token "${name}": ${messageOf(error)}${next}`);
  }
  const { id, token, expirationDate } = res.json;
  if (typeof token === 'string') ctx.redact(token);
  if (typeof id !== 'string' || typeof token !== 'string' || !TOKEN_ID.test(id) || !token.startsWith(`${id}.`)) {
    throw new Error(`createSecret: POST ${TOKENS} answered HTTP ${res.status} without a token ID of the form dt0g02.XXXXXXXX and its value: ` +
      `nothing was stored; the next attempt deletes tokens named "${name}" and creates again`);
  }
  try {
    await deps.rotation.putPending(secret, version, token, signal);
  } catch (error) {
    const fate = await deleteUnstored(api, id, '; the next attempt deletes it by its name');
    throw new Error(`createSecret: could not store ActiveGate token ${id} as AWSPENDING in ${secret}: ${messageOf(error)}; ${fate}`);
  }
  return `createSecret: created ActiveGate token ${id} "${name}", expires ${expirationDate ?? config.ExpirationDate}; ` +
    `stored as version ${version} (AWSPENDING)`;
}

async function testPending(ctx: RotationContext, secret: string, version: string): Promise<string> {
  const pending = await heldAt(ctx, secret, { versionId: version, stage: 'AWSPENDING' });
  if (!pending) throw new Error(`testSecret: version ${version} of ${secret} holds no ActiveGate token`);
  const listed = await listTokens(await connect(ctx));
  if (!listed.some((t) => t.id === pending.id)) {
    throw new Error(`testSecret: ActiveGate token ${pending.id} of version ${version} is not in the environment's token list`);
  }
  return `testSecret: ActiveGate token ${pending.id} exists in Dynatrace`;
}

async function finish(ctx: RotationContext, secret: string, version: string, versions: Record<string, string[]>): Promise<string> {
  const { config, deps, signal } = ctx;
  const currentVersion = Object.keys(versions).find((v) => versions[v].includes('AWSCURRENT'));
  const old = currentVersion ? await heldAt(ctx, secret, { versionId: currentVersion }) : undefined;
  const fresh = await heldAt(ctx, secret, { versionId: version, stage: 'AWSPENDING' });
  await deps.rotation.promote(secret, version, currentVersion, signal);
  ctx.log(`finishSecret: version ${version} (ActiveGate token ${fresh?.id ?? 'unknown'}) is AWSCURRENT; ` +
    `version ${currentVersion ?? 'none'} (${old?.id ?? 'no token'}) is AWSPREVIOUS`);
  const api = await connect(ctx);
  let fate = old ? `the replaced token ${old.id} stays valid until it expires` : 'no token was replaced';
  if (old && old.id !== fresh?.id && config.DeleteReplaced === 'true') {
    try {
      await api.call('DELETE', tokenPath(old.id), { accept: [404] });
      fate = `deleted the replaced token ${old.id} (deleteReplacedTokens)`;
    } catch (error) {
      throw new Error(`finishSecret: the new token ${fresh?.id} is current, but deleting the replaced token ${old.id} failed ` +
        `(${messageOf(error)}); ${byHand([old.id])}`);
    }
  }
  const days = await publishDaysToExpiry(ctx, api, secret, fresh?.id);
  return `finishSecret: ActiveGate token ${fresh?.id} is current (${days} days to expiry); ${fate}`;
}

/** The scheduled check: DaysToExpiry of the token the secret holds. */
async function checkExpiry(ctx: RotationContext, event: unknown): Promise<string> {
  if (!isScheduledEvent(event)) {
    throw new Error('not a Secrets Manager rotation step nor a scheduled check: this function is invoked by Secrets Manager and its schedule only');
  }
  const secret = ctx.config.TargetSecretArn;
  const held = await heldAt(ctx, secret, { stage: 'AWSCURRENT' });
  const days = await publishDaysToExpiry(ctx, await connect(ctx), secret, held?.id);
  return `check: the secret ${secret} holds ${held ? `ActiveGate token ${held.id}` : 'no ActiveGate token'}; ${DAYS_TO_EXPIRY} ${days}`;
}

/** Publishes the days until `id` expires, as the token list says; 0 when it is not live. */
async function publishDaysToExpiry(ctx: RotationContext, api: DynatraceApi, secret: string, id: string | undefined): Promise<number> {
  const listed = id ? (await listTokens(api)).find((t) => t.id === id) : undefined;
  const expiry = listed?.expirationDate ? Date.parse(listed.expirationDate) : NaN;
  // A token without an expiry date never expires; a year is far beyond any alarm window.
  const days = !listed ? 0 : Number.isNaN(expiry) ? 365 : Math.max(0, Math.floor((expiry - ctx.now()) / DAY_MS));
  if (id && !listed) ctx.log(`ActiveGate token ${id}, which the secret ${secret} holds, is not in the environment's token list`);
  await ctx.deps.metrics.putDaysToExpiry(secret, days, ctx.signal);
  return days;
}

/** The ActiveGate token a version holds (its value registered for redaction), or undefined. */
async function heldAt(
  ctx: RotationContext, secret: string, select: { versionId?: string; stage?: string },
): Promise<{ id: string; value: string } | undefined> {
  let value: string | undefined;
  try {
    value = await ctx.deps.rotation.value(secret, select, ctx.signal);
  } catch (error) {
    if ((error as { name?: string })?.name === 'ResourceNotFoundException') return undefined;
    throw new Error(`could not read ${select.stage ?? ''} ${select.versionId ? `version ${select.versionId}` : ''} of ${secret}: ${messageOf(error)}`.replace(/ +/g, ' '));
  }
  if (!value) return undefined;
  ctx.redact(value);
  const id = tokenIdOf(value);
  return id ? { id, value: value.trim() } : undefined;
}

/** Secrets Manager and CloudWatch through the AWS SDK v3 clients that the Lambda runtime provides. */
export function awsRotationDeps(): Pick<RotationDeps, 'rotation' | 'metrics'> {
  // Loaded lazily so tests can run without the SDK; the Lambda runtime provides it (not bundled).
  /* eslint-disable @typescript-eslint/no-require-imports, import/no-extraneous-dependencies */
  const sm = require('@aws-sdk/client-secrets-manager');
  const cw = require('@aws-sdk/client-cloudwatch');
  /* eslint-enable @typescript-eslint/no-require-imports, import/no-extraneous-dependencies */
  const secrets = new sm.SecretsManagerClient({});
  const cloudwatch = new cw.CloudWatchClient({});
  return {
    rotation: {
      async versions(secretId, signal) {
        const out = await secrets.send(new sm.DescribeSecretCommand({ SecretId: secretId }), { abortSignal: signal });
        return out.VersionIdsToStages ?? {};
      },
      async value(secretId, select, signal) {
        const out = await secrets.send(new sm.GetSecretValueCommand({ SecretId: secretId, VersionId: select.versionId, VersionStage: select.stage }),
          { abortSignal: signal });
        return out.SecretString;
      },
      async putPending(secretId, versionId, value, signal) {
        await secrets.send(new sm.PutSecretValueCommand({ SecretId: secretId, ClientRequestToken: versionId, SecretString: value, VersionStages: ['AWSPENDING'] }),
          { abortSignal: signal });
      },
      async promote(secretId, versionId, fromVersionId, signal) {
        await secrets.send(new sm.UpdateSecretVersionStageCommand({
          SecretId: secretId, VersionStage: 'AWSCURRENT', MoveToVersionId: versionId, RemoveFromVersionId: fromVersionId,
        }), { abortSignal: signal });
      },
    },
    metrics: {
      async putDaysToExpiry(secretArn, days, signal) {
        await cloudwatch.send(new cw.PutMetricDataCommand({
          Namespace: METRIC_NAMESPACE,
          MetricData: [{ MetricName: DAYS_TO_EXPIRY, Dimensions: [{ Name: 'SecretArn', Value: secretArn }], Value: days, Unit: 'Count' }],
        }), { abortSignal: signal });
      },
    },
  };
}
