/*
 * The runner's own decisions, with typed fakes: where it reads the endpoint, what it does when
 * it cannot, how several VPCs are reported, and how the answer stays within CloudFormation's
 * 4,096 bytes. The probe function is the real handler against a DNS stand-in.
 */
import { DnsStandIn } from './network-stand-ins';
import { runnerFakes } from './runner-fakes';
import { CustomResourceEvent, runCustomResource } from '../../src/internal/runtime/custom-resource';
import { failedResult, ProbeSettings } from '../../src/probe/probe-contract';
import { fitLines, resultsJson } from '../../src/probe/probe-results';
import { canaryRun, parseSettings, probeWork, publishMetrics } from '../../src/probe/probe-runner.lambda';
import { LocalServer } from '../support/local-server';

const HOST = 'vendor.example.com';
const ENDPOINT = 'vpce-0123456789abcdef0';
let dns: DnsStandIn;

beforeAll(async () => { dns = await DnsStandIn.start(); });
afterAll(() => dns.stop());
beforeEach(() => {
  dns.replies.clear();
  // Public, so no probe connects anywhere: these tests are about the runner.
  dns.replies.set(HOST, { addresses: ['35.157.1.2'] });
});

function settings(extra: Partial<ProbeSettings> = {}): ProbeSettings {
  return {
    Hostname: HOST,
    Port: 443,
    StepTimeoutMs: 500,
    Probes: [{ FunctionArn: 'fn-a', VpcId: 'vpc-a', VpcCidr: '10.1.0.0/16' }],
    ...extra,
  };
}

function fakes() {
  return runnerFakes({ dnsServer: dns.server }, { lookupTimeoutMs: 200 });
}

describe('the endpoint\'s addresses', () => {
  test('are read in the endpoint\'s region, interfaces after the endpoint', async () => {
    const f = fakes();
    f.ec2.endpoints.set(ENDPOINT, { state: 'Available', networkInterfaceIds: ['eni-1', 'eni-2'] });
    f.ec2.interfaces.set('eni-1', ['10.0.1.23']);
    f.ec2.interfaces.set('eni-2', ['10.0.2.45']);
    await canaryRun({ Probe: settings({ EndpointId: ENDPOINT, EndpointRegion: 'us-east-1' }) }, f.deps, AbortSignal.timeout(10_000));
    expect(f.ec2.regions).toEqual(['us-east-1', 'us-east-1']);
    expect(f.lambda.requests[0].endpointAddresses).toEqual(['10.0.1.23', '10.0.2.45']);
  });

  test('without EndpointRegion, the runner\'s own region', () => {
    expect(parseSettings(settings({ EndpointId: ENDPOINT }), 'eu-central-1').endpointRegion).toBe('eu-central-1');
  });

  test.each([
    ['PendingAcceptance', `${ENDPOINT} is PendingAcceptance: the vendor has not accepted the connection yet; the probes ran without checking the answers against the endpoint`],
    ['Rejected', `${ENDPOINT} is Rejected: the vendor rejected the connection; the probes ran without checking the answers against the endpoint`],
  ])('an endpoint that is %s: named first, and the VPCs are still probed', async (state, line) => {
    const f = fakes();
    f.ec2.endpoints.set(ENDPOINT, { state, networkInterfaceIds: [] });
    const outcome = await canaryRun({ Probe: settings({ EndpointId: ENDPOINT, EndpointRegion: 'eu-west-1' }) }, f.deps, AbortSignal.timeout(10_000));
    expect(outcome.lines[0]).toBe(line);
    expect(f.calls).toEqual(['ec2:DescribeVpcEndpoints', 'lambda:InvokeFunction', 'cloudwatch:PutMetricData']);
    expect(f.lambda.requests[0].endpointAddresses).toBeUndefined();
  });

  test('an endpoint that does not exist, or that the runner may not read', async () => {
    const f = fakes();
    const missing = await canaryRun({ Probe: settings({ EndpointId: ENDPOINT, EndpointRegion: 'eu-west-1' }) }, f.deps, AbortSignal.timeout(10_000));
    expect(missing.lines[0]).toBe(`could not read the addresses of ${ENDPOINT} in eu-west-1 (no such endpoint): check \`endpoint\` and ` +
      '`endpointRegion`; the probes ran without checking the answers against the endpoint');
    f.ec2.denied = true;
    const denied = await canaryRun({ Probe: settings({ EndpointId: ENDPOINT, EndpointRegion: 'eu-west-1' }) }, f.deps, AbortSignal.timeout(10_000));
    expect(denied.lines[0]).toMatch(/^could not read the addresses of vpce-0123456789abcdef0 in eu-west-1 \(AccessDenied: You are not authorized to perform: ec2:DescribeVpcEndpoints\)/);
    expect(denied.ok).toBe(false);
  });
});

describe('several VPCs', () => {
  test('are probed in parallel, each by its own function; one line and one set of metrics per VPC', async () => {
    const f = fakes();
    f.lambda.behaviour.set('fn-b', 'crash');
    const outcome = await canaryRun({
      Probe: settings({
        Probes: [
          { FunctionArn: 'fn-a', VpcId: 'vpc-a', VpcCidr: '10.1.0.0/16' },
          { FunctionArn: 'fn-b', VpcId: 'vpc-b', VpcCidr: '10.2.0.0/16' },
        ],
      }),
    }, f.deps, AbortSignal.timeout(10_000));
    expect(outcome.lines).toEqual([
      `vpc-a: ${HOST} resolved to public 35.157.1.2: the private hosted zone is not associated with vpc-a (associate it; for a VPC in another region, associate the zone with it across regions)`,
      'vpc-b: the probe function gave no result (Unhandled: Task timed out after 20.00 seconds): see the probe function\'s log group',
    ]);
    expect(f.lambda.requests.map((r) => [r.vpcId, r.vpcCidr])).toEqual([['vpc-a', '10.1.0.0/16'], ['vpc-b', '10.2.0.0/16']]);
    expect(f.cloudWatch.valuesByVpc()).toEqual({
      'vpc-a': { Resolved: 1, Private: 0, DnsMs: expect.any(Number), TlsOk: 0, Reachable: 0 },
      'vpc-b': { Resolved: 0, Private: 0, TlsOk: 0, Reachable: 0 },
    });
  });

  test('a probe function whose answer is not a probe result', async () => {
    const f = fakes();
    f.lambda.invoke = async () => ({ payload: 'null' });
    const outcome = await canaryRun({ Probe: settings() }, f.deps, AbortSignal.timeout(10_000));
    expect(outcome.lines).toEqual(['vpc-a: the probe function gave no result (its answer is not a probe result): see the probe function\'s log group']);
  });
});

describe('metrics', () => {
  test('at most 500 data per PutMetricData call; a refused call fails the canary run', async () => {
    const f = fakes();
    const results = Array.from({ length: 80 }, (_, i) => failedResult(`vpc-${i}`, 'dns', 'x'));
    await publishMetrics(parseSettings(settings(), 'eu-west-1'), results, f.deps, AbortSignal.timeout(1_000));
    expect(f.cloudWatch.inputs.map((i) => i.MetricData!.length)).toEqual([320]);
    const many = Array.from({ length: 130 }, (_, i) => failedResult(`vpc-${i}`, 'dns', 'x'));
    await publishMetrics(parseSettings(settings(), 'eu-west-1'), many, f.deps, AbortSignal.timeout(1_000));
    expect(f.cloudWatch.inputs.slice(1).map((i) => i.MetricData!.length)).toEqual([500, 20]);
    f.cloudWatch.fail = true;
    await expect(canaryRun({ Probe: settings() }, f.deps, AbortSignal.timeout(10_000))).rejects.toThrow(/not authorized to perform: cloudwatch:PutMetricData/);
  });
});

describe('settings', () => {
  test('CloudFormation\'s strings are read back into numbers and booleans', () => {
    expect(parseSettings({ ...settings(), Port: '8443', StepTimeoutMs: '2000', FailDeployment: 'true' }, 'eu-west-1'))
      .toMatchObject({ port: 8443, stepTimeoutMs: 2000, failDeployment: true });
  });

  test.each([
    [{ Hostname: '' }, /name no Hostname or no Probes/],
    [{ Probes: [] }, /name no Hostname or no Probes/],
    [{ Port: '0' }, /unusable Port \(0\) or StepTimeoutMs \(500\)/],
  ])('unusable settings are refused: %j', (extra, message) => {
    expect(() => parseSettings(settings(extra as Partial<ProbeSettings>), 'eu-west-1')).toThrow(message);
  });
});

describe('the answer to CloudFormation', () => {
  let cfn: LocalServer;
  beforeAll(async () => { cfn = await LocalServer.start(() => ({ status: 200 })); });
  afterAll(() => cfn.stop());

  test('stays under 4,096 bytes with 40 VPCs: the lines that fit, then how many more; Results stays JSON', async () => {
    const f = fakes();
    const probes = Array.from({ length: 40 }, (_, i) => ({ FunctionArn: `fn-${i}`, VpcId: `vpc-0${String(i).padStart(16, '0')}`, VpcCidr: '10.1.0.0/16' }));
    const event: CustomResourceEvent = {
      RequestType: 'Create',
      ResponseURL: `${cfn.url}/r`,
      StackId: `arn:aws:cloudformation:eu-west-1:111111111111:stack/${'S'.repeat(128)}/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0`,
      RequestId: '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0',
      LogicalResourceId: 'ProbeDeployTimeCheck0123456789ABCDEF',
      ResourceType: 'Custom::PrivateLinkProbe',
      ResourceProperties: { ...settings({ Probes: probes }), Port: '443', StepTimeoutMs: '500' },
    };
    await runCustomResource(event, { getRemainingTimeInMillis: () => 60_000 }, (ctx) => probeWork(ctx, f.deps),
      { log: () => undefined, reserveMs: 500 });
    const body = cfn.requests[cfn.requests.length - 1].body;
    expect(Buffer.byteLength(body)).toBeLessThan(4096);
    const data = JSON.parse(body).Data;
    expect(data.Diagnosis).toMatch(/\n… and \d+ more line\(s\) in the probe runner's log$/);
    const results = JSON.parse(data.Results);
    expect(results[results.length - 1]).toEqual({ omitted: expect.any(Number) });
  });

  test('fitLines and resultsJson keep everything when it fits', () => {
    expect(fitLines(['a', 'b'])).toBe('a\nb');
    expect(JSON.parse(resultsJson([failedResult('vpc-a', 'dns', 'x')]))).toEqual([{ vpcId: 'vpc-a', ok: false, failedStep: 'dns', addresses: [] }]);
  });
});
