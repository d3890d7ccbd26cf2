/*
 * Custom resource: creates a Dynatrace ActiveGate token (POST /api/v2/activeGateTokens),
 * writes it into the Secrets Manager secret the stack created for it, and returns only the
 * token's ID to CloudFormation. Deleting the resource deletes the token. Any change of its
 * properties creates a new token (new physical ID); CloudFormation then deletes the old one.
 */
import { apiRoot, DynatraceApi } from './dynatrace-api';
import {
  CustomResourceEvent, CustomResourceResult, LambdaContext, runCustomResource, WorkContext,
} from '../../internal/runtime/custom-resource';
import { ClientOptions } from '../../internal/runtime/http-client';
import { awsSecretsReader, readSecret, SecretsReader } from '../../internal/runtime/secrets';

const TOKENS = '/api/v2/activeGateTokens';

/** Writes a secret's value (PutSecretValue), a typed fake in tests. */
export interface SecretsWriter {
  putSecretString(secretId: string, value: string): Promise<void>;
}

export interface TokenDeps {
  readonly secrets: SecretsReader;
  readonly writer: SecretsWriter;
  readonly client?: Omit<ClientOptions, 'deadline' | 'log'>;
}

interface Props {
  readonly ApiUrl: string;
  readonly TokenSecretArn: string;
  readonly TokenSecretField?: string;
  readonly TargetSecretArn: string;
  readonly Name: string;
  readonly ActiveGateType: string;
  readonly ExpirationDate: string;
}

export async function activeGateTokenWork(ctx: WorkContext, deps: TokenDeps): Promise<CustomResourceResult> {
  const event = ctx.event;
  const props = event.ResourceProperties as Props;
  const apiToken = await readSecret(deps.secrets, props.TokenSecretArn, props.TokenSecretField || undefined);
  ctx.redact(apiToken);
  const api = new DynatraceApi(apiRoot(props.ApiUrl), apiToken, { ...deps.client, deadline: ctx.deadline, log: ctx.log });

  if (event.RequestType === 'Delete') {
    const id = event.PhysicalResourceId!;
    const res = await api.call('DELETE', `${TOKENS}/${encodeURIComponent(id)}`, undefined, [404]);
    ctx.log(`deleted ActiveGate token ${id}${res.status === 404 ? ' (it was already gone)' : ''}`);
    return { physicalResourceId: id };
  }

  const res = await api.call('POST', TOKENS, {
    name: props.Name,
    activeGateType: props.ActiveGateType,
    seedToken: false,
    expirationDate: props.ExpirationDate,
  });
  const { id, token, expirationDate } = res.json ?? {};
  if (typeof id !== 'string' || typeof token !== 'string') {
    throw new Error(`POST ${TOKENS} answered HTTP ${res.status} without a token id and value`);
  }
  ctx.redact(token);
  try {
    await deps.writer.putSecretString(props.TargetSecretArn, token);
  } catch (error) {
    // Leave no orphan token behind: the stack has no record of it.
    await api.call('DELETE', `${TOKENS}/${encodeURIComponent(id)}`, undefined, [404]).catch(() => undefined);
    throw new Error(`could not store the new ActiveGate token in ${props.TargetSecretArn}: ${(error as Error).message}`);
  }
  ctx.log(`created ActiveGate token ${id} (${props.ActiveGateType}), expires ${expirationDate ?? 'as requested'}`);
  return { physicalResourceId: id, data: { TokenId: id, ExpirationDate: String(expirationDate ?? '') } };
}

/** A SecretsWriter over the AWS SDK v3 client the Lambda runtime provides. */
function awsSecretsWriter(): SecretsWriter {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { SecretsManagerClient, PutSecretValueCommand } = require('@aws-sdk/client-secrets-manager');
  const client = new SecretsManagerClient({});
  return {
    async putSecretString(secretId, value) {
      await client.send(new PutSecretValueCommand({ SecretId: secretId, SecretString: value }));
    },
  };
}

export async function handler(event: CustomResourceEvent, context: LambdaContext): Promise<void> {
  const deps: TokenDeps = { secrets: awsSecretsReader(), writer: awsSecretsWriter() };
  await runCustomResource(event, context, (ctx) => activeGateTokenWork(ctx, deps));
}
