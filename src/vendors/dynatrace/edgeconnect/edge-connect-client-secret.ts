/*
 * The EdgeConnect provisioner's target secret: the OAuth client the ECS service authenticates
 * with. Besides the current value, the provisioner reads the version before it (Secrets
 * Manager's AWSPREVIOUS stage): when CloudFormation rolls a replacement back, it deletes the new
 * configuration, whose client the secret holds, while the old configuration is current again;
 * the previous version holds that old client, and is written back before the new one goes.
 */
import { parseJsonSecret } from '../../../internal/runtime/secrets';
import type { SecretsReader, SecretsWriter } from '../../../internal/runtime/secrets';

/** What the provisioner needs of Secrets Manager for its target secret (a typed fake in tests). */
export interface ClientSecretStore extends SecretsReader, SecretsWriter {
  /** The value staged AWSPREVIOUS, or undefined when the secret has no such version. */
  getPreviousSecretString(secretId: string, signal?: AbortSignal): Promise<string | undefined>;
}

/** The client ID the construct's placeholder secret holds until the first client is stored. */
export const PLACEHOLDER_CLIENT_ID = 'pending';

/** One version of the target secret, as the provisioner reads it. */
export interface StoredClient {
  /** The value as stored, to write back unchanged. */
  readonly raw: string;
  /** The OAuth client's ID, when the version holds a client with a secret (not the placeholder). */
  readonly clientId?: string;
  /** The configuration the client belongs to; versions written before it was recorded lack it. */
  readonly edgeConnectId?: string;
  /** The construct's placeholder: no client stored yet. */
  readonly placeholder: boolean;
}

/**
 * Reads one version of the target secret; `redact` receives the client secret so that it can
 * never reach a log line.
 */
export function storedClient(raw: string | undefined, redact: (value: string) => void): StoredClient | undefined {
  if (raw === undefined) return undefined;
  const fields = parseJsonSecret(raw);
  const secret = fields?.clientSecret;
  if (typeof secret === 'string' && secret.length > 0) redact(secret);
  const clientId = fields?.clientId;
  const placeholder = clientId === PLACEHOLDER_CLIENT_ID;
  const usable = typeof clientId === 'string' && clientId.length > 0 && !placeholder && typeof secret === 'string' && secret.length > 0;
  const edgeConnectId = typeof fields?.edgeConnectId === 'string' ? fields.edgeConnectId : undefined;
  return { raw, clientId: usable ? clientId : undefined, edgeConnectId, placeholder };
}

/** The value the provisioner stores: what the ECS service reads, and the configuration it belongs to. */
export function clientSecretValue(client: { clientId: string; clientSecret: string; resource: string; edgeConnectId: string }): string {
  const { clientId, clientSecret, resource, edgeConnectId } = client;
  return JSON.stringify({ clientId, clientSecret, resource, edgeConnectId });
}

/**
 * Secrets Manager through the AWS SDK v3 client that the Lambda runtime provides. Needs
 * `secretsmanager:GetSecretValue` (both stages) and `secretsmanager:PutSecretValue`.
 */
export function awsClientSecretStore(): ClientSecretStore {
  // Loaded lazily so tests can run without the SDK; the Lambda runtime provides it (kept external by the bundle).
  // eslint-disable-next-line @typescript-eslint/no-require-imports, import/no-extraneous-dependencies
  const { SecretsManagerClient, GetSecretValueCommand, PutSecretValueCommand } = require('@aws-sdk/client-secrets-manager');
  const client = new SecretsManagerClient({});
  const read = async (secretId: string, signal?: AbortSignal, versionStage?: string): Promise<string | undefined> => {
    const out = await client.send(new GetSecretValueCommand({ SecretId: secretId, VersionStage: versionStage }), { abortSignal: signal });
    return out.SecretString;
  };
  return {
    getSecretString: (secretId, signal) => read(secretId, signal),
    async getPreviousSecretString(secretId, signal) {
      try {
        return await read(secretId, signal, 'AWSPREVIOUS');
      } catch (error) {
        // Asked for a stage no version carries (a secret written once), Secrets Manager answers
        // ResourceNotFoundException; the current version was read just before, so the secret exists.
        if ((error as { name?: string }).name === 'ResourceNotFoundException') return undefined;
        throw error;
      }
    },
    async putSecretString(secretId, value, signal) {
      await client.send(new PutSecretValueCommand({ SecretId: secretId, SecretString: value }), { abortSignal: signal });
    },
  };
}
