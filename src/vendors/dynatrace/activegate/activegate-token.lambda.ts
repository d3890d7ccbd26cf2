/*
 * Custom resource: a Dynatrace ActiveGate token (POST /api/v2/activeGateTokens), written into
 * the Secrets Manager secret the stack made for it. Only the token's ID reaches CloudFormation.
 *
 * - The physical ID is the token's ID (`dt0g02.XXXXXXXX`). A new token is made only when a
 *   property that defines it changes (Name, ActiveGateType, ExpirationDate, the environment,
 *   TargetSecretArn); CloudFormation then deletes the old one. Reaching the same environment
 *   another way (URL form, API token secret, certificates) is an in-place update that writes
 *   nothing: it checks that the token still exists and that the secret still holds it, and makes
 *   a new token (a new physical ID) only if not, which repairs a token deleted by hand. A token
 *   that a scheduled rotation made from this one (token-rotation.ts) counts as this resource's.
 * - Unique names. Dynatrace does not keep names unique and shows a token's value only once, so
 *   after a POST whose outcome is unknown the handler must find what it made. It sends
 *   `${Name} [cdk-${h}]`, h being the first 10 hex digits of SHA-256 over
 *   `StackId/LogicalResourceId` for a Create, and `StackId/LogicalResourceId/RequestId` for a
 *   token made by an Update, so that a replacement is never mistaken for the token it replaces
 *   (which still exists and is still in the secret). A redelivered event has the same RequestId,
 *   hence the same name. Name is shortened so the whole stays within Dynatrace's 100 characters.
 * - Making a token is a round: list the tokens (every page) and keep those with our name; if the
 *   target secret holds one of them, adopt it (a redelivered event, or a Lambda retry after the
 *   POST succeeded); delete the others; then POST once. A POST with an ambiguous outcome (timeout,
 *   reset, 5xx, a 2xx without the token) is never retried as such: the next round looks it up.
 *   After 3 rounds the create fails, naming the tokens it could not delete, if any. Exactly one
 *   token with our name exists at the end, and its value is in the target secret.
 * - The expiry is checked against the clock when the token is made (deploy time), not at synth.
 * - Delete (token-delete.ts): a token ID is deleted, after putting the secret's previous token
 *   back when it is live (a rolled back replacement); any other physical ID is CloudFormation's
 *   own for a cancelled create, whose token is found by its name. 404 is success; a vendor side
 *   that is gone (host, API token secret, 401/403) is success naming the token left behind and
 *   how to delete it by hand; any other failure is FAILED.
 */
import { createHash } from 'crypto';
import { CustomResourceEvent, CustomResourceResult, LambdaContext, WorkContext } from '../../../internal/runtime/custom-resource';
import { AmbiguousOutcomeError, HttpResponse } from '../../../internal/runtime/http-client';
import { awsSecretsStore } from '../../../internal/runtime/secrets';
import { serveCustomResource, ServeOptions, WorkerAnswer } from '../../../internal/runtime/worker-relay';
import { ApiProperties, DynatraceApi, environmentOf } from '../dynatrace-api';
import { byHand, deleteUnstored, ListedToken, listTokens, messageOf, TOKEN_ID, TOKENS, tokenPath } from './token-api';
import { deleteToken } from './token-delete';
import { awsRotationDeps, handleRotation, isRotationEvent, isScheduledEvent, ROTATION_CONFIG_ENV, RotationConfig, rotationDescendants } from './token-rotation';
import { awsPreviousSecretReader, heldToken, TokenDeps } from './token-secret';

export type { TokenDeps } from './token-secret';

/** Dynatrace's limit on a token name. */
const MAX_NAME = 100;
/** Rounds of look-up-then-POST before a create gives up. */
const MAX_ROUNDS = 3;
/** Dynatrace refuses expiry dates more than two years ahead (as the construct counts them). */
const MAX_DAYS = 731;
const DAY_MS = 86_400_000;
const UNIT_DAYS: Record<string, number> = { s: 1 / 86400, m: 1 / 1440, h: 1 / 24, d: 1, w: 7, M: 365.25 / 12, y: 365.25 };
/** Properties whose change makes a new token. */
const DEFINING = ['Name', 'ActiveGateType', 'ExpirationDate', 'TargetSecretArn'] as const;

interface Props extends ApiProperties {
  readonly TargetSecretArn: string;
  readonly Name: string;
  readonly ActiveGateType: string;
  readonly ExpirationDate: string;
}

export async function activeGateTokenWork(ctx: WorkContext, deps: TokenDeps): Promise<CustomResourceResult> {
  const { event } = ctx;
  const props = event.ResourceProperties as Props;
  if (event.RequestType === 'Delete') return deleteToken(ctx, deps, props, uniqueName(event, props.Name));

  const inPlace = event.RequestType === 'Update' && !definesNewToken(event.OldResourceProperties, props);
  if (!inPlace) checkExpiry(props.ExpirationDate, Date.now());
  const api = await DynatraceApi.connect(props, ctx, deps);
  if (inPlace) {
    const id = event.PhysicalResourceId ?? '';
    const tokens = await listTokens(api);
    const listed = tokens.find((t) => t.id === id);
    // After a scheduled rotation the secret holds a token rotated from this one: still this resource's.
    const own = [id, ...rotationDescendants(tokens, id, event.StackId, event.LogicalResourceId)];
    const heldId = (await heldToken(ctx, deps.secrets, props.TargetSecretArn))?.id;
    const held = tokens.find((t) => t.id === heldId && own.includes(t.id));
    if (held) {
      ctx.log(held.id === id
        ? `ActiveGate token ${id} is unchanged (only how the environment is reached changed)`
        : `ActiveGate token ${id} is unchanged; the secret holds ${held.id}, which a rotation made from it`);
      return tokenResult(id, (listed ?? held).expirationDate);
    }
    ctx.log(listed
      ? `the secret ${props.TargetSecretArn} no longer holds ActiveGate token ${id}: making a new token`
      : `ActiveGate token ${id} no longer exists in Dynatrace: making a new token`);
    checkExpiry(props.ExpirationDate, Date.now());
  }
  return makeToken(ctx, deps, api, props, uniqueName(event, props.Name));
}

/** The name sent to Dynatrace; see the header comment. */
export function uniqueName(event: CustomResourceEvent, name: string): string {
  const basis = [event.StackId, event.LogicalResourceId, ...(event.RequestType === 'Update' ? [event.RequestId] : [])].join('/');
  const suffix = `[cdk-${createHash('sha256').update(basis).digest('hex').slice(0, 10)}]`;
  return `${String(name).slice(0, MAX_NAME - suffix.length - 1).trimEnd()} ${suffix}`;
}

async function makeToken(ctx: WorkContext, deps: TokenDeps, api: DynatraceApi, props: Props, name: string): Promise<CustomResourceResult> {
  let last = '';
  for (let round = 1; round <= MAX_ROUNDS; round++) {
    const adopted = await adoptOrClear(ctx, deps, api, props, name);
    if (adopted) return adopted;
    let res: HttpResponse;
    try {
      res = await api.call('POST', TOKENS, {
        body: { name, activeGateType: props.ActiveGateType, seedToken: false, expirationDate: props.ExpirationDate },
        expectJson: true,
      });
    } catch (error) {
      if (!(error instanceof AmbiguousOutcomeError)) throw error;
      last = error.message;
      ctx.log(`round ${round}/${MAX_ROUNDS}: ${last}; looking the token up by its name "${name}"`);
      continue;
    }
    const { id, token, expirationDate } = res.json;
    if (typeof token === 'string') ctx.redact(token);
    if (typeof id !== 'string' || typeof token !== 'string') {
      last = `POST ${TOKENS} answered HTTP ${res.status} without a token id and value`;
      ctx.log(`round ${round}/${MAX_ROUNDS}: ${last}; looking the token up by its name "${name}"`);
      continue;
    }
    if (!TOKEN_ID.test(id) || !token.startsWith(`${id}.`)) {
      // No call is made with an ID of another form; its length, never its text, is said.
      throw new Error(`POST ${TOKENS} answered HTTP ${res.status} with a token ID of ${id.length} characters that is not of the form ` +
        `dt0g02.XXXXXXXX (or a value that does not start with it): nothing was stored; look for tokens named "${name}" and ${byHand(['{id}'])}`);
    }
    await store(ctx, deps, api, props, id, token);
    ctx.log(`created ActiveGate token ${id} "${name}" (${props.ActiveGateType}), expires ${expirationDate ?? props.ExpirationDate}`);
    return tokenResult(id, expirationDate);
  }
  throw new Error(`could not create ActiveGate token "${name}": ${MAX_ROUNDS} attempts each had an unknown outcome ` +
    `(last: ${last}); ${await leftBehind(ctx, api, name)}`);
}

/**
 * Looks the tokens named `name` up: adopts the one the target secret holds, and deletes every
 * other (made by an earlier attempt whose answer was lost, so its value is lost too).
 */
async function adoptOrClear(
  ctx: WorkContext, deps: TokenDeps, api: DynatraceApi, props: Props, name: string,
): Promise<CustomResourceResult | undefined> {
  const mine = (await listTokens(api)).filter((t) => t.name === name);
  if (mine.length === 0) return undefined;
  const held = (await heldToken(ctx, deps.secrets, props.TargetSecretArn))?.id;
  const adopted = mine.find((t) => t.id === held);
  const left = await deleteAll(ctx, api, mine.filter((t) => t !== adopted));
  if (left.length > 0) {
    throw new Error(`could not delete ActiveGate tokens named "${name}" whose value is lost: ${describe(left)}; ${byHand(left.map((l) => l.id))}`);
  }
  if (!adopted) return undefined;
  ctx.log(`adopted ActiveGate token ${adopted.id} "${name}": the secret ${props.TargetSecretArn} already holds it`);
  return tokenResult(adopted.id, adopted.expirationDate);
}

/** After the last round: deletes what the lost answers made, and says what is left. */
async function leftBehind(ctx: WorkContext, api: DynatraceApi, name: string): Promise<string> {
  try {
    const mine = (await listTokens(api)).filter((t) => t.name === name);
    const left = await deleteAll(ctx, api, mine);
    if (left.length === 0) return `no token named "${name}" is left in Dynatrace`;
    return `tokens left in Dynatrace: ${describe(left)}; ${byHand(left.map((l) => l.id))}`;
  } catch (error) {
    return `could not check for tokens left behind (${messageOf(error)}): look for tokens named "${name}" and ${byHand(['{id}'])}`;
  }
}

interface Undeleted {
  readonly id: string;
  readonly why: string;
}

/** Deletes the tokens; returns those that could not be deleted, with why. */
async function deleteAll(ctx: WorkContext, api: DynatraceApi, tokens: readonly ListedToken[]): Promise<Undeleted[]> {
  const left: Undeleted[] = [];
  for (const t of tokens) {
    try {
      await api.call('DELETE', tokenPath(t.id), { accept: [404] });
      ctx.log(`deleted ActiveGate token ${t.id} "${t.name}" (made by an attempt whose answer was lost)`);
    } catch (error) {
      left.push({ id: t.id, why: messageOf(error) });
    }
  }
  return left;
}

/** Writes the token into the target secret; on failure deletes it again, and says so. */
async function store(ctx: WorkContext, deps: TokenDeps, api: DynatraceApi, props: Props, id: string, token: string): Promise<void> {
  try {
    await deps.writer.putSecretString(props.TargetSecretArn, token, ctx.signal);
  } catch (error) {
    // Leave no orphan token behind: nobody could read its value.
    const fate = await deleteUnstored(api, id, `: ${byHand([id])}`);
    throw new Error(`could not store the new ActiveGate token ${id} in ${props.TargetSecretArn}: ${messageOf(error)}; ${fate}`);
  }
}

/**
 * Refuses an expiry that Dynatrace would refuse, measured against the clock of the deploy: an
 * absolute date must be in the future and at most two years ahead; a relative one at most two
 * years. Other forms are left to Dynatrace.
 */
export function checkExpiry(expiry: string, now: number): void {
  const relative = /^now\+(\d+)([smhdwMy])$/.exec(expiry);
  const days = relative
    ? Number(relative[1]) * UNIT_DAYS[relative[2]]
    : /^\d{4}-\d{2}-\d{2}T/.test(expiry) ? (Date.parse(expiry) - now) / DAY_MS : NaN;
  if (Number.isNaN(days)) return;
  const rule = 'an ActiveGate token\'s expiry must be in the future and at most two years ahead (Dynatrace\'s rule)';
  const fix = 'set the construct\'s `expiry` to a later date, or to a relative one such as ActiveGateTokenExpiry.months(6)';
  const at = new Date(now).toISOString();
  if (days <= 0) throw new Error(`ExpirationDate ${JSON.stringify(expiry)} is in the past at deploy time (${at}): ${rule}; ${fix}`);
  if (days > MAX_DAYS) throw new Error(`ExpirationDate ${JSON.stringify(expiry)} is more than two years after the deploy (${at}): ${rule}; ${fix}`);
}

function definesNewToken(old: Record<string, any> | undefined, props: Props): boolean {
  return DEFINING.some((k) => String(old?.[k] ?? '') !== String(props[k] ?? '')) || environmentOf(old) !== environmentOf(props);
}

function tokenResult(id: string, expirationDate: unknown): CustomResourceResult {
  return { physicalResourceId: id, data: { TokenId: id, ExpirationDate: typeof expirationDate === 'string' ? expirationDate : '' } };
}

function describe(left: readonly Undeleted[]): string {
  return left.map((l) => `${l.id} (${l.why})`).join('; ');
}

/**
 * CloudFormation's event (answered) or, in the worker in the VPC, the answering function's
 * request (returned): the whole work calls only Dynatrace and Secrets Manager, so the answering
 * function of a VPC placement relays all of it (see worker-relay.ts).
 */
export async function handleEvent(event: unknown, context: LambdaContext, deps: TokenDeps, options?: ServeOptions): Promise<WorkerAnswer | void> {
  // A create cut off after its POST leaves a token named after the resource: its Delete looks it up.
  return serveCustomResource(event, context, { vendor: (ctx) => activeGateTokenWork(ctx, deps) }, { ...options, findFailedCreates: true });
}

export async function handler(event: unknown, context: LambdaContext): Promise<WorkerAnswer | string | void> {
  const secrets = awsSecretsStore();
  // The construct's rotation function (the same bundle) is invoked by Secrets Manager and a schedule.
  const rotation = process.env[ROTATION_CONFIG_ENV];
  if (rotation) {
    return handleRotation(event, context.getRemainingTimeInMillis(), JSON.parse(rotation) as RotationConfig, { secrets, ...awsRotationDeps() });
  }
  if (isRotationEvent(event) || isScheduledEvent(event)) {
    throw new Error(`this function handles CloudFormation's events only; rotation runs in a function with ${ROTATION_CONFIG_ENV} set`);
  }
  return handleEvent(event, context, { secrets, writer: secrets, previous: awsPreviousSecretReader() });
}
