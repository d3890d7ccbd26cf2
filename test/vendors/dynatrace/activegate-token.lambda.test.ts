import { API_TOKEN, DynatraceStandIn } from './dynatrace-stand-in';
import { CustomResourceEvent, runCustomResource } from '../../../src/internal/runtime/custom-resource';
import { activeGateTokenWork, SecretsWriter, TokenDeps } from '../../../src/vendors/dynatrace/activegate-token.lambda';
import { LocalServer } from '../../support/local-server';

const API_SECRET = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:api-AbCdEf';
const TARGET_SECRET = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:activegate-token-XyZ';

let dynatrace: DynatraceStandIn;
let cfn: LocalServer;
let logs: string[];
let stored: Map<string, string>;

beforeEach(async () => {
  dynatrace = await DynatraceStandIn.start();
  cfn = await LocalServer.start(() => ({ status: 200 }));
  logs = [];
  stored = new Map();
});

afterEach(async () => {
  // Neither the API token nor any ActiveGate token value reaches a log line or CloudFormation.
  const seen = [logs.join('\n'), ...cfn.requests.map((r) => r.body)].join('\n');
  expect(seen).not.toContain(API_TOKEN.split('.')[2]);
  for (const { token } of dynatrace.activeGateTokens.values()) expect(seen).not.toContain(token);
  expect(seen).not.toContain('G'.repeat(64));
  await dynatrace.stop();
  await cfn.stop();
});

function deps(writer?: SecretsWriter): TokenDeps {
  return {
    secrets: { getSecretString: async () => API_TOKEN },
    writer: writer ?? { putSecretString: async (id, value) => { stored.set(id, value); } },
    client: { sleep: async () => undefined },
  };
}

function event(type: CustomResourceEvent['RequestType'], extra: Partial<CustomResourceEvent> = {}, props: Record<string, unknown> = {}): CustomResourceEvent {
  return {
    RequestType: type,
    ResponseURL: `${cfn.url}/r`,
    StackId: 's',
    RequestId: `req-${cfn.requests.length + 1}`,
    LogicalResourceId: 'Token',
    ResourceType: 'Custom::DynatraceActiveGateToken',
    ResourceProperties: {
      ApiUrl: dynatrace.url,
      TokenSecretArn: API_SECRET,
      TargetSecretArn: TARGET_SECRET,
      Name: 'vpc-activegate',
      ActiveGateType: 'ENVIRONMENT',
      ExpirationDate: 'now+6M',
      ...props,
    },
    ...extra,
  };
}

async function invoke(e: CustomResourceEvent, d = deps()) {
  await runCustomResource(e, { getRemainingTimeInMillis: () => 60_000 }, (ctx) => activeGateTokenWork(ctx, d), { log: (l) => logs.push(l) });
  return cfn.requests[cfn.requests.length - 1].json;
}

test('create: posts the token request, stores the token in the secret, and returns only its ID', async () => {
  const answer = await invoke(event('Create'));
  expect(dynatrace.calls).toEqual(['POST /api/v2/activeGateTokens']);
  expect(dynatrace.requests[0].json).toEqual({ name: 'vpc-activegate', activeGateType: 'ENVIRONMENT', seedToken: false, expirationDate: 'now+6M' });
  const [id] = [...dynatrace.activeGateTokens.keys()];
  expect(stored.get(TARGET_SECRET)).toBe(dynatrace.activeGateTokens.get(id)!.token);
  expect(answer).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: id, Data: { TokenId: id, ExpirationDate: '2027-05-21T10:00:00.000Z' } });
});

test('delete deletes the token; a token already gone is fine', async () => {
  await invoke(event('Create'));
  const [id] = [...dynatrace.activeGateTokens.keys()];
  expect((await invoke(event('Delete', { PhysicalResourceId: id }))).Status).toBe('SUCCESS');
  expect(dynatrace.activeGateTokens.size).toBe(0);
  expect((await invoke(event('Delete', { PhysicalResourceId: id }))).Status).toBe('SUCCESS');
  expect(logs).toContain(`deleted ActiveGate token ${id} (it was already gone)`);
  expect(dynatrace.calls.slice(1)).toEqual([`DELETE /api/v2/activeGateTokens/${encodeURIComponent(id)}`, `DELETE /api/v2/activeGateTokens/${encodeURIComponent(id)}`]);
});

test('an update creates a new token under a new physical ID (CloudFormation then deletes the old one)', async () => {
  const first = await invoke(event('Create'));
  const second = await invoke(event('Update', { PhysicalResourceId: first.PhysicalResourceId }, { Name: 'renamed' }));
  expect(second.PhysicalResourceId).not.toBe(first.PhysicalResourceId);
  expect(dynatrace.activeGateTokens.size).toBe(2);
});

test('a token that cannot be stored is deleted again, and the failure says why', async () => {
  const answer = await invoke(event('Create'), deps({ putSecretString: async () => { throw new Error('AccessDeniedException'); } }));
  expect(answer).toMatchObject({ Status: 'FAILED', Reason: `could not store the new ActiveGate token in ${TARGET_SECRET}: AccessDeniedException` });
  expect(dynatrace.activeGateTokens.size).toBe(0);
});

test('Dynatrace refusing the request (expiry beyond two years) fails with its message', async () => {
  dynatrace.failures.push({ status: 400, body: { error: { code: 400, message: 'Constraints violated.', constraintViolations: [{ path: 'expirationDate', message: 'must not exceed two years' }] } } });
  const answer = await invoke(event('Create', {}, { ExpirationDate: 'now+3y' }));
  expect(answer.Reason).toMatch(/^POST .*\/api\/v2\/activeGateTokens failed with HTTP 400: Constraints violated\. \(expirationDate: must not exceed two years\)$/);
  expect(stored.size).toBe(0);
});

test('an answer without a token fails instead of storing nothing', async () => {
  dynatrace.failures.push({ status: 201, body: { id: 'dt0g02.X' } });
  const answer = await invoke(event('Create'));
  expect(answer.Reason).toBe('POST /api/v2/activeGateTokens answered HTTP 201 without a token id and value');
});

test('429 is retried', async () => {
  dynatrace.failures.push({ status: 429, headers: { 'retry-after': '1' } });
  expect((await invoke(event('Create'))).Status).toBe('SUCCESS');
  expect(dynatrace.calls).toEqual(['POST /api/v2/activeGateTokens', 'POST /api/v2/activeGateTokens']);
});
