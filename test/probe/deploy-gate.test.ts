/*
 * The deploy-time gate fails a deploy, never a rollback: the runner reads its stack's status
 * (a typed fake of DescribeStacks) only when a failed check would fail the deploy, and answers
 * through runCustomResource to a local response URL, as CloudFormation receives it.
 */
import { DnsStandIn } from './network-stand-ins';
import { runnerFakes } from './runner-fakes';
import { CustomResourceEvent, runCustomResource } from '../../src/internal/runtime/custom-resource';
import { DEPLOY_STATUSES, gateDecision } from '../../src/probe/deploy-gate';
import { probeWork } from '../../src/probe/probe-runner.lambda';
import { LocalServer } from '../support/local-server';

const HOST = 'vendor.example.com';
const STACK_ID = 'arn:aws:cloudformation:eu-west-1:111111111111:stack/Stack/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0';
let dns: DnsStandIn;
let cfn: LocalServer;
let fakes: ReturnType<typeof runnerFakes>;

beforeAll(async () => {
  dns = await DnsStandIn.start();
  cfn = await LocalServer.start(() => ({ status: 200 }));
});
afterAll(async () => { await Promise.all([dns.stop(), cfn.stop()]); });
beforeEach(() => {
  dns.replies.clear();
  // A public answer: every check fails at once, without connecting anywhere.
  dns.replies.set(HOST, { addresses: ['35.157.1.2'] });
  fakes = runnerFakes({ dnsServer: dns.server }, { lookupTimeoutMs: 200 });
});

function event(type: 'Create' | 'Update', failDeployment = 'true', probes = [{ FunctionArn: 'fn-a', VpcId: 'vpc-a', VpcCidr: '10.1.0.0/16' }]): CustomResourceEvent {
  return {
    RequestType: type,
    ResponseURL: `${cfn.url}/r`,
    StackId: STACK_ID,
    RequestId: 'req-1',
    LogicalResourceId: 'ProbeDeployTimeCheck',
    ResourceType: 'Custom::PrivateLinkProbe',
    ...(type === 'Update' ? { PhysicalResourceId: `privatelink-probe:${HOST}:443` } : {}),
    ResourceProperties: { Hostname: HOST, Port: '443', StepTimeoutMs: '500', FailDeployment: failDeployment, Probes: probes },
  };
}

async function invoke(e: CustomResourceEvent): Promise<{ json: any; body: string }> {
  await runCustomResource(e, { getRemainingTimeInMillis: () => 60_000 }, (ctx) => probeWork(ctx, fakes.deps),
    { log: () => undefined, reserveMs: 500, sleep: async () => undefined });
  return cfn.requests[cfn.requests.length - 1];
}

const ROLLBACK_STATUSES = [
  'UPDATE_ROLLBACK_IN_PROGRESS', 'ROLLBACK_IN_PROGRESS', 'IMPORT_ROLLBACK_IN_PROGRESS', 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS',
  'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS',
];

describe('a failed check with failDeployment', () => {
  test.each(DEPLOY_STATUSES.map((s) => [s]))('fails the deploy while the stack is %s, after reading the stack\'s own status', async (status) => {
    fakes.cloudFormation.status = status;
    const { json } = await invoke(event(status === 'CREATE_IN_PROGRESS' ? 'Create' : 'Update'));
    expect(json.Status).toBe('FAILED');
    expect(json.Reason).toMatch(/^PrivateLink probe of vendor\.example\.com:443 failed \(failDeployment is on\):\nvpc-a: .*resolved to public 35\.157\.1\.2/);
    expect(fakes.cloudFormation.stackIds).toEqual([STACK_ID]);
    expect(fakes.calls).toEqual(['lambda:InvokeFunction', 'cloudwatch:PutMetricData', 'cloudformation:DescribeStacks']);
  });

  test.each(ROLLBACK_STATUSES.map((s) => [s]))('answers SUCCESS while the stack is %s: the diagnosis in the Reason and the data', async (status) => {
    fakes.cloudFormation.status = status;
    const { json } = await invoke(event('Update'));
    expect(json).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: `privatelink-probe:${HOST}:443`, Data: { Ok: 'false' } });
    expect(json.Data.Diagnosis).toMatch(/^vpc-a: vendor\.example\.com resolved to public 35\.157\.1\.2/);
    expect(json.Reason).toBe(`the stack is ${status}: failDeployment fails a deploy, never a rollback (failing it would leave the stack in ` +
      `UPDATE_ROLLBACK_FAILED), so this answer is SUCCESS. 0 of 1 VPC(s) reach ${HOST}:443 privately:\n${json.Data.Diagnosis}`);
    expect(JSON.parse(json.Data.Results)).toEqual([expect.objectContaining({ vpcId: 'vpc-a', ok: false, failedStep: 'private' })]);
  });

  test('throttled twice, then the status: retried, and the deploy still fails', async () => {
    fakes.cloudFormation.failures = ['throttled', 'throttled'];
    fakes.cloudFormation.status = 'UPDATE_IN_PROGRESS';
    const { json } = await invoke(event('Update'));
    expect(json.Status).toBe('FAILED');
    expect(fakes.calls.slice(-3)).toEqual(Array(3).fill('cloudformation:DescribeStacks'));
  });

  test.each([
    ['throttled beyond the retries', ['throttled', 'throttled', 'throttled'], 3, 'Throttling: Rate exceeded'],
    ['never answering', ['hang', 'hang', 'hang'], 3, 'no answer within 0.2 s'],
    ['denied (no retry: another attempt cannot change it)', ['denied'], 1,
      'AccessDenied: You are not authorized to perform: cloudformation:DescribeStacks'],
  ] as const)('a status that cannot be read (%s): SUCCESS, and the Reason says the gate could not tell', async (_name, failures, calls, cause) => {
    fakes.cloudFormation.failures = [...failures];
    fakes.cloudFormation.status = 'UPDATE_ROLLBACK_IN_PROGRESS';
    const { json } = await invoke(event('Update'));
    expect(json).toMatchObject({ Status: 'SUCCESS', Data: { Ok: 'false' } });
    expect(json.Reason).toBe(`could not tell whether the stack is rolling back (cloudformation:DescribeStacks: ${cause}), so failDeployment ` +
      'did not fail it: a stack stuck in UPDATE_ROLLBACK_FAILED is worse than one deploy that went on; the canary\'s alarm still fires. ' +
      `0 of 1 VPC(s) reach ${HOST}:443 privately:\n${json.Data.Diagnosis}`);
    expect(fakes.calls.filter((c) => c === 'cloudformation:DescribeStacks')).toHaveLength(calls);
  });

  test('a rollback answer with 40 VPCs stays under 4,096 bytes: the Reason quotes what fits and says how much more', async () => {
    fakes.cloudFormation.status = 'UPDATE_ROLLBACK_IN_PROGRESS';
    const probes = Array.from({ length: 40 }, (_, i) => ({ FunctionArn: `fn-${i}`, VpcId: `vpc-0${String(i).padStart(16, '0')}`, VpcCidr: '10.1.0.0/16' }));
    const long = { ...event('Update', 'true', probes), StackId: `arn:aws:cloudformation:eu-west-1:111111111111:stack/${'S'.repeat(128)}/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0` };
    const { json, body } = await invoke(long);
    expect(Buffer.byteLength(body)).toBeLessThan(4096);
    expect(json.Status).toBe('SUCCESS');
    expect(json.Reason).toMatch(/^the stack is UPDATE_ROLLBACK_IN_PROGRESS: .*\n(vpc-0\d+: .*\n)+… and \d+ more line\(s\) in the probe runner's log$/);
  });
});

describe('the stack\'s status is not read', () => {
  test('when the check fails without failDeployment', async () => {
    const { json } = await invoke(event('Create', 'false'));
    expect(json).toMatchObject({ Status: 'SUCCESS', Reason: `0 of 1 VPC(s) reach ${HOST}:443 privately: see the Diagnosis attribute` });
    expect(fakes.calls).toEqual(['lambda:InvokeFunction', 'cloudwatch:PutMetricData']);
  });

  test('when the check passes with failDeployment', async () => {
    fakes.lambda.invoke = async () => {
      fakes.calls.push('lambda:InvokeFunction');
      return { payload: JSON.stringify({ vpcId: 'vpc-a', ok: true, diagnosis: 'OK', addresses: ['10.1.0.5'], resolved: true, private: true, tlsOk: true }) };
    };
    const { json } = await invoke(event('Update'));
    expect(json).toMatchObject({ Status: 'SUCCESS', Data: { Ok: 'true' }, Reason: `1 of 1 VPC(s) reach ${HOST}:443 privately` });
    expect(fakes.calls).toEqual(['lambda:InvokeFunction', 'cloudwatch:PutMetricData']);
  });

  test('when the signal fires while reading it, the work stops with the signal\'s reason', async () => {
    fakes.cloudFormation.failures = ['hang'];
    const controller = new AbortController();
    const decided = gateDecision(STACK_ID, { cloudFormation: fakes.cloudFormation, timeoutMs: 60_000 }, controller.signal);
    controller.abort(new Error('deadline'));
    await expect(decided).rejects.toThrow('deadline');
  });
});
