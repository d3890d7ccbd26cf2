/*
 * Delete of an ActiveGate token, for every way CloudFormation sends one:
 *
 * - The physical ID is a token ID (the form this handler gives): that token is deleted. Before
 *   deleting the token the target secret holds, the secret's previous version (AWSPREVIOUS) is
 *   put back when the token it holds is still live at Dynatrace: that is a rolled back
 *   replacement (CloudFormation deletes the new token B and keeps the old A), and the secret must
 *   hold A again. When no earlier token is live, the token goes, and then the secret is given a
 *   value that holds no token (it says which token was deleted), so that it never holds a deleted
 *   token. When the secret holds
 *   another token, the tokens that scheduled rotations made from this one (named `… from <id>]`,
 *   see token-rotation.ts) go with it too.
 * - Any other physical ID: CloudFormation made it up for a create it stopped waiting for
 *   (cancelled), which may still have made a token. The create named it from the stack and the
 *   logical ID, so the tokens with that name are looked up and deleted (the same secret rule).
 * - The vendor side is gone (the host does not resolve, the API token's secret is deleted,
 *   scheduled for deletion or its KMS key refuses, the API token is refused): SUCCESS, naming
 *   what was left behind, so a stack is never stranded. Transient failures (5xx, time-outs,
 *   throttling) still FAIL after the bounded retries, so that a retried delete cleans up.
 */
import { whyDeleteCannotAct } from '../../../internal/runtime/delete-leaves';
import { DynatraceApi, environmentOf } from '../dynatrace-api';
import { byHand, ListedToken, listTokens, messageOf, TOKEN_ID, tokenPath } from './token-api';
import { rotationDescendants } from './token-rotation';
import { HeldToken, heldToken, previousToken, TokenDeps } from './token-secret';
import type { CustomResourceResult, WorkContext } from '../../../internal/runtime/custom-resource';
import type { ApiProperties } from '../dynatrace-api';

export interface DeleteProps extends ApiProperties {
  readonly TargetSecretArn: string;
}

/**
 * @param createName the name a Create of this resource gives its token (see uniqueName), which
 *   finds what a cancelled create made
 */
export async function deleteToken(ctx: WorkContext, deps: TokenDeps, props: DeleteProps, createName: string): Promise<CustomResourceResult> {
  const id = ctx.event.PhysicalResourceId ?? '';
  const ours = TOKEN_ID.test(id);
  try {
    const api = await DynatraceApi.connect(props, ctx, deps);
    return ours ? await deleteById(ctx, deps, api, props, id) : await deleteCancelled(ctx, deps, api, props, id, createName);
  } catch (error) {
    const why = whyDeleteCannotAct(error);
    if (!why) throw error;
    const what = ours ? `ActiveGate token ${id}` : `any ActiveGate token named "${createName}" (made by a create CloudFormation stopped waiting for)`;
    return {
      physicalResourceId: id,
      reason: `left ${what} behind in Dynatrace environment ${environmentOf(props)}: ${messageOf(error)} (${why}); ` +
        `the resource is deleted, the token is not; ${byHand([ours ? id : '{id}'])}`,
    };
  }
}

async function deleteById(ctx: WorkContext, deps: TokenDeps, api: DynatraceApi, props: DeleteProps, id: string): Promise<CustomResourceResult> {
  const { listed, rotated } = await rotatedTokens(ctx, deps, api, props, id);
  const { kept, note: restored, clear } = await keepSecretLive(ctx, deps, api, props, [id, ...rotated], listed);
  if (kept === id) return { physicalResourceId: id, reason: restored };
  const res = await api.call('DELETE', tokenPath(id), { accept: [404] });
  const notes: string[] = [];
  if (res.status === 404) notes.push(`ActiveGate token ${id} was already gone`);
  else ctx.log(`deleted ActiveGate token ${id}`);
  const doomed = rotated.filter((r) => r !== kept);
  for (const r of doomed) {
    await api.call('DELETE', tokenPath(r), { accept: [404] });
    ctx.log(`deleted ActiveGate token ${r} (made by the scheduled rotation of ${id})`);
  }
  if (doomed.length > 0) notes.push(`deleted ActiveGate token ${doomed.join(', ')}, which the scheduled rotation made from ${id}`);
  if (restored) notes.push(restored);
  if (clear) notes.push(await clearSecret(ctx, deps, props.TargetSecretArn, clear));
  return { physicalResourceId: id, reason: notes.length > 0 ? notes.join('; ') : undefined };
}

/**
 * The tokens this resource's scheduled rotations made from `id` (see token-rotation.ts), which
 * go with it. Looked up only when the secret holds another token than `id`: a completed rotation
 * always leaves the secret holding the token it made.
 */
async function rotatedTokens(
  ctx: WorkContext, deps: TokenDeps, api: DynatraceApi, props: DeleteProps, id: string,
): Promise<{ listed?: ListedToken[]; rotated: string[] }> {
  let held: HeldToken | undefined;
  try {
    held = await heldToken(ctx, deps.secrets, props.TargetSecretArn);
  } catch (error) {
    if (!whyDeleteCannotAct(error)) throw error;
    return { rotated: [] }; // keepSecretLive says why
  }
  if (!held || held.id === id) return { rotated: [] };
  const listed = await listTokens(api);
  return { listed, rotated: rotationDescendants(listed, id, ctx.event.StackId, ctx.event.LogicalResourceId) };
}

async function deleteCancelled(
  ctx: WorkContext, deps: TokenDeps, api: DynatraceApi, props: DeleteProps, physicalId: string, name: string,
): Promise<CustomResourceResult> {
  const listed = await listTokens(api);
  const mine = listed.filter((t) => t.name === name);
  const notOurs = `${JSON.stringify(physicalId)} is not an ActiveGate token ID`;
  if (mine.length === 0) {
    return { physicalResourceId: physicalId, reason: `nothing to delete: ${notOurs}, and no token named "${name}" exists` };
  }
  const { kept, note, clear } = await keepSecretLive(ctx, deps, api, props, mine.map((t) => t.id), listed);
  const doomed = mine.filter((t) => t.id !== kept);
  for (const t of doomed) {
    await api.call('DELETE', tokenPath(t.id), { accept: [404] });
    ctx.log(`deleted ActiveGate token ${t.id} "${name}" (made by a create CloudFormation stopped waiting for)`);
  }
  const deleted = doomed.length > 0 ? `: deleted ActiveGate token ${doomed.map((t) => t.id).join(', ')} named "${name}", which that create made` : '';
  const cleared = clear ? await clearSecret(ctx, deps, props.TargetSecretArn, clear) : undefined;
  return {
    physicalResourceId: physicalId,
    reason: joined(joined(`${notOurs} (CloudFormation made it up for a cancelled create)${deleted}`, note), cleared),
  };
}

interface SecretCare {
  /** The token the secret holds, kept because nothing live could be put back in its place. */
  readonly kept?: string;
  /** What was done to the secret, for the Reason. */
  readonly note?: string;
  /** The token the secret holds, with no live earlier one: once it is deleted, clearSecret. */
  readonly clear?: string;
}

/**
 * After the token the secret held was deleted, with no live earlier token to put back: the
 * secret must not go on holding a deleted token (it outlives the token when it is retained, or
 * when a replacing create was cancelled), so it is given a value that says it holds none. Only
 * after the delete: a delete that fails (vendor down, token refused) leaves the secret as it was.
 */
async function clearSecret(ctx: WorkContext, deps: TokenDeps, secret: string, deletedId: string): Promise<string> {
  const none = noTokenValue(deletedId);
  try {
    await deps.writer.putSecretString(secret, none, ctx.signal);
  } catch (error) {
    return `the secret ${secret} still holds the deleted ActiveGate token ${deletedId}: writing a value that holds no token ` +
      `failed (${messageOf(error)}); put one there by hand`;
  }
  const note = `the secret ${secret} holds no ActiveGate token now ("${none}"), instead of the deleted ${deletedId}`;
  ctx.log(note);
  return note;
}

/**
 * Before the tokens `ids` are deleted: when the target secret holds one of them and its previous
 * version holds another token that is still live, puts that one back; if that write fails, the
 * tokens are kept, so that the secret never holds a deleted token while a live one exists.
 */
async function keepSecretLive(
  ctx: WorkContext, deps: TokenDeps, api: DynatraceApi, props: DeleteProps, ids: readonly string[], listed?: readonly ListedToken[],
): Promise<SecretCare> {
  const secret = props.TargetSecretArn;
  let held: HeldToken | undefined;
  try {
    held = await heldToken(ctx, deps.secrets, secret);
  } catch (error) {
    // Nobody can read a secret the handler cannot read (deleted key, refused decryption).
    const why = whyDeleteCannotAct(error);
    if (!why) throw error;
    ctx.log(`${messageOf(error)} (${why}): deleting without checking what it holds`);
    return {};
  }
  if (!held || !ids.includes(held.id)) return {};
  const previous = await previousToken(ctx, deps.previous, secret);
  const live = previous && !ids.includes(previous.id) && (listed ?? await listTokens(api)).some((t) => t.id === previous.id);
  if (!previous || !live) {
    // No live token to put back: once the held token is deleted, the secret is told so (clearSecret).
    return { clear: held.id };
  }
  try {
    await deps.writer.putSecretString(secret, previous.value, ctx.signal);
  } catch (error) {
    return {
      kept: held.id,
      note: `kept ActiveGate token ${held.id}: the secret ${secret} holds it, and putting back its previous token ${previous.id} ` +
        `failed (${messageOf(error)}); once an ActiveGate no longer uses ${held.id}, ${byHand([held.id])}`,
    };
  }
  const note = `the secret ${secret} holds ActiveGate token ${previous.id} again (its previous version), instead of ${held.id}`;
  ctx.log(note);
  return { note };
}

/** What the target secret holds once its token is deleted with nothing live to put back: no credential, said in words. */
export function noTokenValue(deletedId: string): string {
  return `no ActiveGate token: ${deletedId} was deleted with its resource`;
}

function joined(first: string, second: string | undefined): string {
  return second ? `${first}; ${second}` : first;
}
