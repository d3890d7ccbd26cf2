/*
 * Reads a secret at run time inside a Lambda handler. The value is returned to the caller
 * only; errors name the secret and the field, never the value.
 */

/** The one call this module needs from a Secrets Manager client (a typed fake in tests). */
export interface SecretsReader {
  getSecretString(secretId: string): Promise<string | undefined>;
}

/** Reads the whole secret string, or one field of a JSON secret. */
export async function readSecret(reader: SecretsReader, secretId: string, jsonField?: string): Promise<string> {
  const raw = await reader.getSecretString(secretId);
  if (raw === undefined || raw.length === 0) {
    throw new Error(`secret ${secretId} has no string value`);
  }
  if (!jsonField) return raw.trim();
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new Error(`secret ${secretId} is not JSON, so its field "${jsonField}" cannot be read`);
  }
  const value = (parsed as Record<string, unknown>)?.[jsonField];
  if (typeof value !== 'string' || value.length === 0) {
    throw new Error(`secret ${secretId} has no non-empty string field "${jsonField}"`);
  }
  return value.trim();
}

/** A SecretsReader over the AWS SDK v3 client the Lambda runtime provides. */
export function awsSecretsReader(): SecretsReader {
  // Loaded lazily so tests can run without the SDK.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { SecretsManagerClient, GetSecretValueCommand } = require('@aws-sdk/client-secrets-manager');
  const client = new SecretsManagerClient({});
  return {
    async getSecretString(secretId: string) {
      const out = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
      return out.SecretString;
    },
  };
}
