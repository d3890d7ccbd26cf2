/*
 * The target secret as the ActiveGate token handler sees it: which token its current version
 * holds, and which one it held before. Secrets Manager moves the label AWSPREVIOUS to the
 * version that was current when PutSecretValue stores a new one, so after a replacement wrote
 * token B over token A, AWSPREVIOUS holds A: what a rollback of that replacement restores.
 */
import type { WorkContext } from '../../../internal/runtime/custom-resource';
import type { SecretsReader, SecretsWriter } from '../../../internal/runtime/secrets';
import type { ApiDeps } from '../dynatrace-api';
import { messageOf, TOKEN_ID } from './token-api';

export interface TokenDeps extends ApiDeps {
  /** Writes a token into the target secret (reads go through `secrets`). */
  readonly writer: SecretsWriter;
  /** Reads the target secret's previous version, which a rolled back replacement puts back. */
  readonly previous: PreviousSecretReader;
}

/** GetSecretValue with VersionStage AWSPREVIOUS (a typed fake in tests). */
export interface PreviousSecretReader {
  /** The value of the version labelled AWSPREVIOUS; throws ResourceNotFoundException when there is none. */
  getPreviousSecretString(secretId: string, signal?: AbortSignal): Promise<string | undefined>;
}

/** A token's value and its ID, as a version of the target secret holds it. */
export interface HeldToken {
  readonly id: string;
  readonly value: string;
}

/** Secrets Manager through the AWS SDK v3 client that the Lambda runtime provides. */
export function awsPreviousSecretReader(): PreviousSecretReader {
  // Loaded lazily so tests can run without the SDK; the Lambda runtime provides it (not bundled).
  // eslint-disable-next-line @typescript-eslint/no-require-imports, import/no-extraneous-dependencies
  const { SecretsManagerClient, GetSecretValueCommand } = require('@aws-sdk/client-secrets-manager');
  const client = new SecretsManagerClient({});
  return {
    async getPreviousSecretString(secretId, signal) {
      const out = await client.send(new GetSecretValueCommand({ SecretId: secretId, VersionStage: 'AWSPREVIOUS' }), { abortSignal: signal });
      return out.SecretString;
    },
  };
}

/** The ID of an ActiveGate token value (`dt0g02.XXXXXXXX.{secret}`), or undefined when it is not one. */
export function tokenIdOf(value: string | undefined): string | undefined {
  const trimmed = (value ?? '').trim();
  const id = trimmed.slice(0, Math.max(0, trimmed.lastIndexOf('.')));
  return TOKEN_ID.test(id) ? id : undefined;
}

/** The ActiveGate token the secret's current version holds, if it holds one. */
export async function heldToken(ctx: WorkContext, secrets: SecretsReader, secretArn: string): Promise<HeldToken | undefined> {
  let value: string | undefined;
  try {
    value = await secrets.getSecretString(secretArn, ctx.signal);
  } catch (error) {
    if ((error as { name?: string })?.name === 'ResourceNotFoundException') return undefined;
    throw Object.assign(new Error(`could not read the secret ${secretArn} to learn which ActiveGate token it holds: ${messageOf(error)}`),
      { name: (error as { name?: string })?.name ?? 'Error' });
  }
  return asHeld(ctx, value);
}

/** The ActiveGate token the secret's previous version (AWSPREVIOUS) holds, if there is one and it holds one. */
export async function previousToken(ctx: WorkContext, reader: PreviousSecretReader, secretArn: string): Promise<HeldToken | undefined> {
  let value: string | undefined;
  try {
    value = await reader.getPreviousSecretString(secretArn, ctx.signal);
  } catch (error) {
    if ((error as { name?: string })?.name === 'ResourceNotFoundException') return undefined;
    throw new Error(`could not read the previous version of the secret ${secretArn}: ${messageOf(error)}`);
  }
  return asHeld(ctx, value);
}

function asHeld(ctx: WorkContext, value: string | undefined): HeldToken | undefined {
  if (!value) return undefined;
  ctx.redact(value);
  const id = tokenIdOf(value);
  return id ? { id, value: value.trim() } : undefined;
}
