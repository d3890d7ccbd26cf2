/*
 * Reads and writes secrets at run time inside a Lambda handler. Values go to the caller only;
 * errors name the secret and the field, never the value. Calls take the work's AbortSignal,
 * so a call still under way at the deadline stops with it.
 */

/** The one read this module needs from Secrets Manager (a typed fake in tests). */
export interface SecretsReader {
  getSecretString(secretId: string, signal?: AbortSignal): Promise<string | undefined>;
}

/** The one write this module needs (PutSecretValue), a typed fake in tests. */
export interface SecretsWriter {
  putSecretString(secretId: string, value: string, signal?: AbortSignal): Promise<void>;
}

/** Reads the whole secret string, or one field of a JSON secret. */
export async function readSecret(reader: SecretsReader, secretId: string, jsonField?: string, signal?: AbortSignal): Promise<string> {
  const raw = await reader.getSecretString(secretId, signal);
  if (raw === undefined || raw.length === 0) {
    throw new Error(`secret ${secretId} has no string value`);
  }
  if (!jsonField) return raw.trim();
  const fields = parseJsonSecret(raw);
  if (!fields) {
    throw new Error(`secret ${secretId} is not JSON, so its field "${jsonField}" cannot be read`);
  }
  const value = fields[jsonField];
  if (typeof value !== 'string' || value.length === 0) {
    throw new Error(`secret ${secretId} has no non-empty string field "${jsonField}"`);
  }
  return value.trim();
}

/**
 * A secret read whose failure says which secret and what for. The SDK's errors say neither
 * ("Secrets Manager can't find the specified secret."): they are re-thrown with the secret's
 * ARN in front and their name kept; readSecret's own errors already name the secret.
 */
export async function readNamedSecret(
  reader: SecretsReader, arn: string, field: string | undefined, what: string, signal: AbortSignal,
): Promise<string> {
  try {
    return await readSecret(reader, arn, field || undefined, signal);
  } catch (error) {
    const name = (error as { name?: unknown } | undefined)?.name;
    if (signal.aborted || !(error instanceof Error) || typeof name !== 'string' || name === 'Error') throw error;
    const named = new Error(`could not read ${what} from secret ${arn}: ${name}: ${error.message}`);
    named.name = name;
    throw named;
  }
}

/** A JSON secret's fields, or undefined when the value is not a JSON object. */
export function parseJsonSecret(raw: string | undefined): Record<string, unknown> | undefined {
  if (!raw) return undefined;
  try {
    const parsed = JSON.parse(raw);
    return typeof parsed === 'object' && parsed !== null ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** Secrets Manager through the AWS SDK v3 client that the Lambda runtime provides. */
export function awsSecretsStore(): SecretsReader & SecretsWriter {
  // Loaded lazily so tests can run without the SDK.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { SecretsManagerClient, GetSecretValueCommand, PutSecretValueCommand } = require('@aws-sdk/client-secrets-manager');
  const client = new SecretsManagerClient({});
  return {
    async getSecretString(secretId, signal) {
      const out = await client.send(new GetSecretValueCommand({ SecretId: secretId }), { abortSignal: signal });
      return out.SecretString;
    },
    async putSecretString(secretId, value, signal) {
      await client.send(new PutSecretValueCommand({ SecretId: secretId, SecretString: value }), { abortSignal: signal });
    },
  };
}

/** @deprecated use awsSecretsStore */
export const awsSecretsReader = awsSecretsStore;
