/*
 * throughActiveGate() and managed() for real: the PrivateLink handler calls an HTTPS stand-in on
 * 127.0.0.1 that serves a self-signed certificate, as an Environment ActiveGate does, through
 * the handler's own HTTPS client (no fetch seam), trusting the certificate it is given.
 */
import { CustomResourceEvent, runCustomResource } from '../../../../src/internal/runtime/custom-resource';
import { SecretsReader } from '../../../../src/internal/runtime/secrets';
import { Deps, privateLinkWork } from '../../../../src/vendors/dynatrace/privatelink/privatelink-api.lambda';
import { LocalServer } from '../../../support/local-server';
import { selfSignedCertificate } from '../../../support/test-certificate';
import { API_TOKEN, DynatraceStandIn, SERVICE_NAME } from '../dynatrace-stand-in';

const TOKEN_ARN = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:api-token-AbCdEf';
const CA_ARN = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:activegate-ca-GhIjKl';

const certificate = selfSignedCertificate();
const other = selfSignedCertificate();
let activeGate: DynatraceStandIn;
let cfn: LocalServer;

beforeAll(async () => {
  activeGate = await DynatraceStandIn.start(certificate);
  cfn = await LocalServer.start(() => ({ status: 200 }));
});
afterAll(async () => {
  await activeGate.stop();
  await cfn.stop();
});

const secrets: SecretsReader = {
  getSecretString: async (id) => ({ [TOKEN_ARN]: API_TOKEN, [CA_ARN]: JSON.stringify({ pem: certificate.cert }) } as Record<string, string>)[id],
};
const deps: Deps = { secrets, client: { retry: { maxAttempts: 2, requestTimeoutMs: 3_000 }, sleep: async () => undefined } };

async function create(props: Record<string, unknown>): Promise<any> {
  const event: CustomResourceEvent = {
    RequestType: 'Create',
    ResponseURL: `${cfn.url}/response`,
    StackId: 's',
    RequestId: `r-${cfn.requests.length}`,
    LogicalResourceId: 'Allowlist',
    ResourceType: 'Custom::DynatracePrivateLink',
    ResourceProperties: {
      ApiUrl: `${activeGate.url}/e/abc12345`,
      EnvironmentId: 'abc12345',
      TokenSecretArn: TOKEN_ARN,
      Operation: 'Allowlist',
      Accounts: ['111111111111'],
      ...props,
    },
  };
  await runCustomResource(event, { getRemainingTimeInMillis: () => 60_000 }, (ctx) => privateLinkWork(ctx, deps), { log: () => undefined });
  return cfn.requests[cfn.requests.length - 1].json;
}

test('the ActiveGate URL form reaches /e/{env}/api/… over HTTPS when its certificate is trusted (PEM in the properties)', async () => {
  const before = activeGate.calls.length;
  const answer = await create({ TrustedCertificates: [certificate.cert] });
  expect(answer.Reason).toBe('OK');
  expect(answer).toMatchObject({ Status: 'SUCCESS', Data: { ServiceName: SERVICE_NAME }, PhysicalResourceId: 'dynatrace-privatelink:allowlist:abc12345' });
  expect(activeGate.calls.slice(before)).toEqual([
    'GET /e/abc12345/api/config/v1/aws/privateLink/allowlistedAccounts',
    'PUT /e/abc12345/api/config/v1/aws/privateLink/allowlistedAccounts/111111111111',
    'GET /e/abc12345/api/config/v1/aws/privateLink',
  ]);
});

test('the certificate can come from a secret field, read at deploy time', async () => {
  const answer = await create({ TrustedCertificateSecrets: [`${CA_ARN}#pem`] });
  expect(answer.Status).toBe('SUCCESS');
});

test('without the certificate the self-signed ActiveGate is refused, and the reason says why', async () => {
  const answer = await create({});
  expect(answer.Status).toBe('FAILED');
  expect(answer.Reason).toMatch(/^GET https:\/\/127\.0\.0\.1:\d+\/e\/abc12345\/api\/config\/v1\/aws\/privateLink\/allowlistedAccounts failed after 2 attempts: network error: (DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN)/);
});

test('trusting another certificate does not trust this one', async () => {
  const answer = await create({ TrustedCertificates: [other.cert] });
  expect(answer.Status).toBe('FAILED');
  expect(answer.Reason).toMatch(/network error: (DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE)/);
});

test('a trusted certificate for another host name is refused: host names are still checked', async () => {
  const wrongName = selfSignedCertificate('127.0.0.2');
  const server = await DynatraceStandIn.start(wrongName);
  try {
    const answer = await create({ ApiUrl: `${server.url}/e/abc12345`, TrustedCertificates: [wrongName.cert] });
    expect(answer.Status).toBe('FAILED');
    expect(answer.Reason).toMatch(/network error: ERR_TLS_CERT_ALTNAME_INVALID/);
  } finally {
    await server.stop();
  }
});
