/*
 * Each row of the README's Lifecycle table for Custom::PrivateLinkProbe, then a failure at each
 * step, driven through runCustomResource and the real runner work: typed fakes of EC2 and
 * CloudWatch, a fake Lambda that runs the real probe handler against DNS and TLS stand-ins on
 * 127.0.0.1, and a local server as CloudFormation's response URL.
 */
import { DnsStandIn, certificateFor, closedPort, TlsStandIn } from './network-stand-ins';
import { PRIVATELINK_PROBE_LIFECYCLE } from './privatelink-probe.lifecycle';
import { runnerFakes } from './runner-fakes';
import { CustomResourceEvent, runCustomResource } from '../../src/internal/runtime/custom-resource';
import { probeWork } from '../../src/probe/probe-runner.lambda';
import { collapse, LifecycleEvent, row } from '../lifecycle/lifecycle';
import { LocalServer } from '../support/local-server';

const HOST = 'vendor.example.com';
const ENDPOINT = 'vpce-0123456789abcdef0';
const FN_A = 'arn:aws:lambda:eu-west-1:111111111111:function:probe-a';
const STACK_ID = 'arn:aws:cloudformation:eu-west-1:111111111111:stack/Stack/1';
const certificate = certificateFor(HOST);

let cfn: LocalServer;
let dns: DnsStandIn;
let vendor: TlsStandIn;
let fakes: ReturnType<typeof runnerFakes>;
let requests = 0;

beforeAll(async () => {
  cfn = await LocalServer.start(() => ({ status: 200 }));
  dns = await DnsStandIn.start();
  vendor = await TlsStandIn.start(certificate);
});
afterAll(async () => {
  await Promise.all([cfn.stop(), dns.stop(), vendor.stop()]);
});
beforeEach(() => {
  dns.replies.clear();
  dns.replies.set(HOST, { addresses: ['127.0.0.1'] });
  fakes = runnerFakes({ dnsServer: dns.server, extraCaPem: [certificate.cert] }, { lookupTimeoutMs: 200 });
  fakes.ec2.endpoints.set(ENDPOINT, { state: 'Available', networkInterfaceIds: ['eni-a'] });
  fakes.ec2.interfaces.set('eni-a', ['127.0.0.1']);
});

/** The custom resource's properties as CloudFormation hands them over: every scalar a string. */
function properties(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ServiceToken: 'arn:aws:lambda:eu-west-1:111111111111:function:runner',
    Hostname: HOST,
    Port: String(vendor.port),
    EndpointId: ENDPOINT,
    EndpointRegion: 'eu-west-1',
    StepTimeoutMs: '1000',
    FailDeployment: 'false',
    Probes: [{ FunctionArn: FN_A, VpcId: 'vpc-0aaa1111', VpcCidr: '127.0.0.0/8' }],
    ...extra,
  };
}

function event(type: CustomResourceEvent['RequestType'], props = properties(), extra: Partial<CustomResourceEvent> = {}): CustomResourceEvent {
  return {
    RequestType: type,
    ResponseURL: `${cfn.url}/response`,
    StackId: STACK_ID,
    RequestId: `req-${++requests}`,
    LogicalResourceId: 'ProbeDeployTimeCheck',
    ResourceType: 'Custom::PrivateLinkProbe',
    ResourceProperties: props,
    ...extra,
  };
}

async function invoke(e: CustomResourceEvent, remainingMs = 60_000): Promise<any> {
  await runCustomResource(e, { getRemainingTimeInMillis: () => remainingMs }, (ctx) => probeWork(ctx, fakes.deps),
    { log: () => undefined, reserveMs: 500, sleep: async () => undefined });
  return cfn.requests[cfn.requests.length - 1].json;
}

/** The vendor's service refuses: the name and the endpoint's interface point at 127.0.0.2, where nothing listens. */
function vendorDown(): void {
  dns.replies.set(HOST, { addresses: ['127.0.0.2'] });
  fakes.ec2.interfaces.set('eni-a', ['127.0.0.2']);
}

const physicalId = () => `privatelink-probe:${HOST}:${vendor.port}`;
const okDiagnosis = () => `vpc-0aaa1111: OK: ${HOST} resolved to 127.0.0.1 (addresses of ${ENDPOINT}); TCP and TLS to port ${vendor.port} ` +
  `succeeded, certificate valid for ${HOST}`;

const scenarios: Record<LifecycleEvent, (mark: () => void) => Promise<any>> = {
  'create': async (mark) => {
    mark();
    const answer = await invoke(event('Create'));
    expect(answer).toMatchObject({ PhysicalResourceId: physicalId(), Data: { Ok: 'true', Diagnosis: okDiagnosis() } });
    expect(JSON.parse(answer.Data.Results)).toEqual([{
      vpcId: 'vpc-0aaa1111', ok: true, addresses: ['127.0.0.1'], dnsMs: expect.any(Number), tcpConnectMs: expect.any(Number), tlsHandshakeMs: expect.any(Number),
    }]);
    expect(answer.Reason).toBe(`1 of 1 VPC(s) reach ${HOST}:${vendor.port} privately`);
    return answer;
  },
  'create delivered twice': async (mark) => {
    const e = event('Create');
    const first = await invoke(e);
    mark();
    const second = await invoke(e);
    expect(second.PhysicalResourceId).toBe(first.PhysicalResourceId);
    expect([second.Data.Ok, second.Data.Diagnosis]).toEqual([first.Data.Ok, first.Data.Diagnosis]);
    return second;
  },
  'update that changes nothing': async (mark) => {
    mark();
    const answer = await invoke(event('Update', properties(), { PhysicalResourceId: physicalId(), OldResourceProperties: properties() }));
    expect(answer).toMatchObject({ PhysicalResourceId: physicalId(), Data: { Ok: 'true' } });
    return answer;
  },
  'update that changes something': async (mark) => {
    mark();
    const changed = properties({ ExpectedCertificateName: 'other.example.com' });
    const answer = await invoke(event('Update', changed, { PhysicalResourceId: physicalId(), OldResourceProperties: properties() }));
    expect(answer.PhysicalResourceId).toBe(physicalId());
    expect(answer.Data.Ok).toBe('false');
    expect(answer.Data.Diagnosis).toMatch(/certificate name mismatch: .* presented a certificate for vendor\.example\.com, not other\.example\.com/);
    return answer;
  },
  'replacement': async (mark) => {
    const old = properties({ Port: '8443' });
    mark();
    const answer = await invoke(event('Update', properties(), { PhysicalResourceId: `privatelink-probe:${HOST}:8443`, OldResourceProperties: old }));
    expect(answer.PhysicalResourceId).toBe(physicalId());
    return answer;
  },
  'delete': async (mark) => { mark(); return invoke(event('Delete', properties(), { PhysicalResourceId: physicalId() })); },
  'delete delivered twice': async (mark) => {
    mark();
    const e = event('Delete', properties(), { PhysicalResourceId: physicalId() });
    expect((await invoke(e)).Status).toBe('SUCCESS');
    return invoke(e);
  },
  'delete with a revoked token': async (mark) => {
    fakes.ec2.denied = true;
    fakes.lambda.denied = true;
    fakes.cloudWatch.fail = true;
    mark();
    const answer = await invoke(event('Delete', properties(), { PhysicalResourceId: physicalId() }));
    expect(answer.Reason).toBe('Nothing to undo: the probe changes nothing');
    return answer;
  },
  'vendor down during delete': async (mark) => {
    fakes.ec2.hang = true;
    fakes.lambda.behaviour.set(FN_A, 'hang');
    mark();
    return invoke(event('Delete', properties(), { PhysicalResourceId: physicalId() }), 2_000);
  },
  'vendor never answering': async (mark) => {
    fakes.ec2.hang = true;
    mark();
    const answer = await invoke(event('Create'));
    expect(answer.Data.Ok).toBe('false');
    expect(answer.Data.Diagnosis).toBe(`could not read the addresses of ${ENDPOINT} in eu-west-1 (no answer within 0.2 s): check ` +
      '`endpoint` and `endpointRegion`; the probes ran without checking the answers against the endpoint\n' +
      `vpc-0aaa1111: OK: ${HOST} resolved to 127.0.0.1 (private); TCP and TLS to port ${vendor.port} succeeded, certificate valid for ${HOST}`);
    return answer;
  },
  'update rolled back after an in-place update': async (mark) => {
    vendorDown();
    const old = properties({ FailDeployment: 'true' });
    const wanted = properties({ FailDeployment: 'true', StepTimeoutMs: '2000' });
    fakes.cloudFormation.status = 'UPDATE_IN_PROGRESS';
    const deploy = await invoke(event('Update', wanted, { PhysicalResourceId: physicalId(), OldResourceProperties: old }));
    expect(deploy).toMatchObject({ Status: 'FAILED', PhysicalResourceId: physicalId() });
    expect(deploy.Reason).toMatch(/failDeployment is on.*\n.*was refused/);
    // Another resource failed too; CloudFormation sends the old properties back.
    fakes.cloudFormation.status = 'UPDATE_ROLLBACK_IN_PROGRESS';
    mark();
    const answer = await invoke(event('Update', old, { PhysicalResourceId: physicalId(), OldResourceProperties: wanted }));
    expect(answer).toMatchObject({ PhysicalResourceId: physicalId(), Data: { Ok: 'false' } });
    expect(answer.Data.Diagnosis).toMatch(/^vpc-0aaa1111: TCP to 127\.0\.0\.2:\d+ was refused/);
    expect(answer.Reason).toBe('the stack is UPDATE_ROLLBACK_IN_PROGRESS: failDeployment fails a deploy, never a rollback (failing it ' +
      `would leave the stack in UPDATE_ROLLBACK_FAILED), so this answer is SUCCESS. 0 of 1 VPC(s) reach ${HOST}:${vendor.port} ` +
      `privately:\n${answer.Data.Diagnosis}`);
    expect(fakes.cloudFormation.stackIds).toEqual([STACK_ID, STACK_ID]);
    return answer;
  },
  'update rolled back after a replacement': async (mark) => {
    const old = properties({ Port: '8443' });
    const replaced = await invoke(event('Update', properties(), { PhysicalResourceId: `privatelink-probe:${HOST}:8443`, OldResourceProperties: old }));
    expect(replaced.PhysicalResourceId).toBe(physicalId());
    fakes.cloudFormation.status = 'UPDATE_ROLLBACK_IN_PROGRESS';
    mark();
    const answer = await invoke(event('Delete', properties(), { PhysicalResourceId: physicalId() }));
    expect(answer).toMatchObject({ PhysicalResourceId: physicalId(), Reason: 'Nothing to undo: the probe changes nothing' });
    // One answer per event: nothing went to the old resource.
    expect(cfn.requests.slice(-2).map((r) => r.json.PhysicalResourceId)).toEqual([physicalId(), physicalId()]);
    return answer;
  },
  'create cancelled': async (mark) => {
    const created = await invoke(event('Create'));
    expect(created.Data.Ok).toBe('true');
    expect(fakes.cloudWatch.inputs).toHaveLength(1);
    mark();
    const madeUp = 'Stack-ProbeDeployTimeCheck-1A2B3C4D5E6F';
    const answer = await invoke(event('Delete', properties(), { PhysicalResourceId: madeUp }));
    expect(answer).toMatchObject({ PhysicalResourceId: madeUp, Reason: 'Nothing to undo: the probe changes nothing' });
    return answer;
  },
  'delete when the vendor\'s host does not resolve': async (mark) => {
    dns.replies.set(HOST, { rcode: 'NXDOMAIN' });
    const asked = dns.questions.length;
    mark();
    const answer = await invoke(event('Delete', properties(), { PhysicalResourceId: physicalId() }));
    expect(dns.questions.length).toBe(asked);
    return answer;
  },
  'delete when the credential secret is deleted, pending deletion, or its key refuses': async (mark) => {
    // There is no secret to lose: the properties name none, so nothing can be read or refused.
    expect(Object.keys(properties()).filter((k) => /secret|token|key/i.test(k) && k !== 'ServiceToken')).toEqual([]);
    fakes.ec2.denied = true;
    fakes.lambda.denied = true;
    fakes.cloudWatch.fail = true;
    fakes.cloudFormation.failures = ['denied'];
    mark();
    const answer = await invoke(event('Delete', properties(), { PhysicalResourceId: physicalId() }));
    expect(answer.Reason).toBe('Nothing to undo: the probe changes nothing');
    return answer;
  },
};

describe(PRIVATELINK_PROBE_LIFECYCLE.resource, () => {
  test.each(PRIVATELINK_PROBE_LIFECYCLE.rows.map((r) => [r.event]))('%s', async (name) => {
    const expected = row(PRIVATELINK_PROBE_LIFECYCLE, name as LifecycleEvent);
    let from = 0;
    const answer = await scenarios[name as LifecycleEvent](() => { from = fakes.calls.length; });
    expect(collapse(fakes.calls.slice(from))).toEqual(expected.calls);
    expect(answer.Status).toBe(expected.status);
  });
});

describe('Custom::PrivateLinkProbe: a failure at each step', () => {
  type Setup = () => Promise<Record<string, unknown>>;
  const steps: [string, Setup, RegExp][] = [
    ['dns (NXDOMAIN)', async () => { dns.replies.set(HOST, { rcode: 'NXDOMAIN' }); return {}; }, /does not exist \(NXDOMAIN\)/],
    ['private (a public answer)', async () => { dns.replies.set(HOST, { addresses: ['35.157.1.2'] }); return {}; },
      /resolved to public 35\.157\.1\.2: the private hosted zone is not associated with vpc-0aaa1111/],
    ['endpoint (another private address)', async () => { dns.replies.set(HOST, { addresses: ['127.0.0.9'] }); return {}; },
      /resolved to 127\.0\.0\.9, private but not an address of vpce-0123456789abcdef0/],
    ['tcp (refused)', async () => ({ Port: String(await closedPort()) }), /TCP to 127\.0\.0\.1:\d+ was refused from 127\.0\.0\.0\/8/],
    ['tls (certificate name)', async () => ({ ExpectedCertificateName: 'other.example.com' }), /certificate name mismatch/],
    ['probe (the function failed)', async () => { fakes.lambda.behaviour.set(FN_A, 'crash'); return {}; },
      /the probe function gave no result \(Unhandled: Task timed out after 20\.00 seconds\)/],
  ];

  test.each(steps)('%s: SUCCESS with Ok "false" and the diagnosis; metrics still published', async (_name, setup, diagnosis) => {
    const answer = await invoke(event('Create', properties(await setup())));
    expect(answer).toMatchObject({ Status: 'SUCCESS', Data: { Ok: 'false', Diagnosis: expect.stringMatching(diagnosis) } });
    expect(answer.Reason).toMatch(/^0 of 1 VPC\(s\) reach .* privately: see the Diagnosis attribute$/);
    expect(fakes.calls[fakes.calls.length - 1]).toBe('cloudwatch:PutMetricData');
    expect(fakes.cloudWatch.valuesByVpc()['vpc-0aaa1111'].Reachable).toBe(0);
  });

  test.each(steps)('%s with failDeployment: FAILED, the reason is the diagnosis', async (_name, setup, diagnosis) => {
    const props = properties({ FailDeployment: 'true', ...await setup() });
    const answer = await invoke(event('Create', props));
    expect(answer.Status).toBe('FAILED');
    expect(answer.Reason).toMatch(new RegExp(`^PrivateLink probe of ${HOST.replace(/\./g, '\\.')}:\\d+ failed \\(failDeployment is on\\):\\nvpc-0aaa1111: `));
    expect(answer.Reason).toMatch(diagnosis);
    // A failed Create leaves a physical ID whose Delete calls nothing.
    expect(answer.PhysicalResourceId).toMatch(/^create-failed:req-\d+$/);
  });

  test('a failure of PutMetricData does not fail the check: the answer matters more than one data point', async () => {
    fakes.cloudWatch.fail = true;
    const answer = await invoke(event('Create'));
    expect(answer).toMatchObject({ Status: 'SUCCESS', Data: { Ok: 'true' } });
  });

  test('a probe that never answers is abandoned: a diagnosis, not a hung stack', async () => {
    fakes.lambda.behaviour.set(FN_A, 'hang');
    fakes = { ...fakes, deps: { ...fakes.deps, invokeTimeoutMs: 200 } };
    const answer = await invoke(event('Create'));
    expect(answer.Data.Diagnosis).toBe('vpc-0aaa1111: the probe function gave no result (no answer within 0.2 s): see the probe function\'s log group');
  });

  test('at the deadline the work is cancelled and CloudFormation is told FAILED, before the Lambda timeout', async () => {
    fakes.lambda.behaviour.set(FN_A, 'hang');
    const answer = await invoke(event('Create'), 1_600);
    expect(answer).toMatchObject({ Status: 'FAILED', Reason: 'gave up after 1 s, before the Lambda timeout: the work was cancelled' });
  });
});

/*
 * A spoke group's gate carries `EndpointDefinition`, a fingerprint of the hub endpoint's
 * definition (src/internal/definition-fingerprint.ts), and reads `EndpointId` weakly from the hub.
 * When the hub's endpoint is replaced both change, CloudFormation sends the gate an Update, and
 * the runner must check the spokes against the new endpoint; if the spokes' stack then rolls
 * back, the old endpoint may already be gone, and the rollback must still succeed.
 */
describe('Custom::PrivateLinkProbe of a spoke group: the hub endpoint replaced', () => {
  const NEW_ENDPOINT = 'vpce-0fedcba9876543210';
  const before = () => properties({ FailDeployment: 'true', EndpointDefinition: '1111111111111111' });
  const after = () => properties({ FailDeployment: 'true', EndpointDefinition: '2222222222222222', EndpointId: NEW_ENDPOINT });

  beforeEach(() => {
    // The new endpoint answers at the addresses the host now resolves to; the old one is gone.
    fakes.ec2.endpoints.delete(ENDPOINT);
    fakes.ec2.endpoints.set(NEW_ENDPOINT, { state: 'Available', networkInterfaceIds: ['eni-b'] });
    fakes.ec2.interfaces.set('eni-b', ['127.0.0.1']);
    fakes.cloudFormation.status = 'UPDATE_IN_PROGRESS';
  });

  test('the Update the new fingerprint causes probes again, against the new endpoint', async () => {
    const answer = await invoke(event('Update', after(), { PhysicalResourceId: physicalId(), OldResourceProperties: before() }));
    expect(answer).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: physicalId(), Data: { Ok: 'true' } });
    expect(answer.Data.Diagnosis).toContain(`(addresses of ${NEW_ENDPOINT})`);
    expect(fakes.calls).toEqual(['ec2:DescribeVpcEndpoints', 'ec2:DescribeNetworkInterfaces', 'lambda:InvokeFunction', 'cloudwatch:PutMetricData']);
  });

  test('a spoke that cannot reach the new endpoint fails the deploy (failDeployment), naming it', async () => {
    fakes.ec2.interfaces.set('eni-b', ['127.0.0.9']);
    const answer = await invoke(event('Update', after(), { PhysicalResourceId: physicalId(), OldResourceProperties: before() }));
    expect(answer.Status).toBe('FAILED');
    expect(answer.Reason).toMatch(/resolved to 127\.0\.0\.1, private but not an address of vpce-0fedcba9876543210/);
  });

  test('rolled back to the old fingerprint with the old endpoint gone: SUCCESS, and the diagnosis says so', async () => {
    fakes.cloudFormation.status = 'UPDATE_ROLLBACK_IN_PROGRESS';
    const answer = await invoke(event('Update', before(), { PhysicalResourceId: physicalId(), OldResourceProperties: after() }));
    expect(answer).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: physicalId() });
    expect(answer.Data.Diagnosis).toMatch(/could not read the addresses of vpce-0123456789abcdef0 in eu-west-1 \(no such endpoint\)/);
    expect(answer.Reason).toMatch(/^the stack is UPDATE_ROLLBACK_IN_PROGRESS: failDeployment fails a deploy, never a rollback/);
  });
});
