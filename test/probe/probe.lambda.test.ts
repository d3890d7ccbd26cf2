/*
 * The probe for real, on 127.0.0.1: a canary run of the runner invokes (through a fake Lambda)
 * the real probe handler, which asks a DNS stand-in, connects and handshakes with a TLS
 * stand-in, and the runner publishes the metrics to a typed fake CloudWatch. Each scenario
 * asserts the exact diagnosis and the metrics. The VPC's CIDR block is 127.0.0.0/8, so
 * loopback answers count as private, as the VPC's own addresses do.
 */
import * as net from 'net';
import { DnsStandIn, certificateFor, closedPort, SilentListener, TlsStandIn } from './network-stand-ins';
import { runnerFakes } from './runner-fakes';
import { ProbeSettings } from '../../src/probe/probe-contract';
import { canaryRun } from '../../src/probe/probe-runner.lambda';
import { createHandler } from '../../src/probe/probe.lambda';

const HOST = 'vendor.example.com';
const VPC = 'vpc-0aaa1111';
const FN = 'arn:aws:lambda:eu-west-1:111111111111:function:probe-a';
const ENDPOINT = 'vpce-0123456789abcdef0';

const certificate = certificateFor(HOST);
const wrongCertificate = certificateFor('wrong.example.net');
let dns: DnsStandIn;
let vendor: TlsStandIn;
let wrongVendor: TlsStandIn;
let silent: SilentListener;

beforeAll(async () => {
  dns = await DnsStandIn.start();
  vendor = await TlsStandIn.start(certificate);
  wrongVendor = await TlsStandIn.start(wrongCertificate);
  silent = await SilentListener.start();
});
afterAll(async () => {
  await Promise.all([dns.stop(), vendor.stop(), wrongVendor.stop(), silent.stop()]);
});
beforeEach(() => dns.replies.clear());

function settings(extra: Partial<ProbeSettings> = {}): ProbeSettings {
  return {
    Hostname: HOST,
    Port: vendor.port,
    StepTimeoutMs: 1_000,
    Probes: [{ FunctionArn: FN, VpcId: VPC, VpcCidr: '127.0.0.0/8' }],
    ...extra,
  };
}

async function run(extra: Partial<ProbeSettings> = {}, trust: string[] = [certificate.cert, wrongCertificate.cert]) {
  const fakes = runnerFakes({ dnsServer: dns.server, extraCaPem: trust });
  fakes.ec2.endpoints.set(ENDPOINT, { state: 'available', networkInterfaceIds: ['eni-a'] });
  fakes.ec2.interfaces.set('eni-a', ['127.0.0.1']);
  const outcome = await canaryRun({ Probe: settings(extra) }, fakes.deps, AbortSignal.timeout(30_000));
  expect(fakes.cloudWatch.inputs.map((i) => i.Namespace)).toEqual(['SaasPrivateLink/Probe']);
  for (const datum of fakes.cloudWatch.inputs[0].MetricData!) {
    expect(datum.Dimensions).toEqual([{ Name: 'Hostname', Value: HOST }, { Name: 'VpcId', Value: VPC }]);
    expect(datum.Unit).toBe(datum.MetricName!.endsWith('Ms') ? 'Milliseconds' : 'Count');
  }
  return { outcome, result: outcome.results[0], metrics: fakes.cloudWatch.valuesByVpc()[VPC], fakes };
}

const ms = expect.any(Number);

test('private and reachable: the endpoint\'s address, TCP, and TLS with SNI and a certificate valid for the name', async () => {
  dns.replies.set(HOST, { addresses: ['127.0.0.1'] });
  const { outcome, result, metrics, fakes } = await run({ EndpointId: ENDPOINT, EndpointRegion: 'eu-west-1' });
  expect(result.diagnosis).toBe(`OK: ${HOST} resolved to 127.0.0.1 (addresses of ${ENDPOINT}); TCP and TLS to port ${vendor.port} ` +
    `succeeded, certificate valid for ${HOST}`);
  expect(outcome).toMatchObject({ ok: true, lines: [`${VPC}: ${result.diagnosis}`] });
  expect(metrics).toEqual({ Resolved: 1, Private: 1, DnsMs: ms, TcpConnectMs: ms, TlsHandshakeMs: ms, TlsOk: 1, Reachable: 1 });
  expect(vendor.serverNames).toContain(HOST);
  expect(fakes.calls).toEqual(['ec2:DescribeVpcEndpoints', 'ec2:DescribeNetworkInterfaces', 'lambda:InvokeFunction', 'cloudwatch:PutMetricData']);
  expect(fakes.lambda.requests[0]).toEqual({
    hostname: HOST, port: vendor.port, vpcId: VPC, vpcCidr: '127.0.0.0/8', endpointId: ENDPOINT, endpointAddresses: ['127.0.0.1'], stepTimeoutMs: 1_000,
  });
});

test('a public answer: the private hosted zone is not associated with the VPC; nothing is connected to', async () => {
  dns.replies.set(HOST, { addresses: ['35.157.1.2'] });
  const { result, metrics } = await run();
  expect(result.diagnosis).toBe(`${HOST} resolved to public 35.157.1.2: the private hosted zone is not associated with ${VPC} ` +
    '(associate it; for a VPC in another region, associate the zone with it across regions)');
  expect(result).toMatchObject({ ok: false, failedStep: 'private', addresses: ['35.157.1.2'] });
  expect(metrics).toEqual({ Resolved: 1, Private: 0, DnsMs: ms, TlsOk: 0, Reachable: 0 });
});

test('NXDOMAIN: the zone has no record for the name', async () => {
  dns.replies.set(HOST, { rcode: 'NXDOMAIN' });
  const { result, metrics } = await run();
  expect(result.diagnosis).toBe(`${HOST} does not exist (NXDOMAIN) as seen from ${VPC}: the private hosted zone has no record for it, ` +
    `or no zone for it is associated with ${VPC}; add the record, or associate the zone`);
  expect(metrics).toEqual({ Resolved: 0, Private: 0, TlsOk: 0, Reachable: 0 });
});

test('SERVFAIL: the resolver could not get an answer (forwarding rule or DNSSEC)', async () => {
  dns.replies.set(HOST, { rcode: 'SERVFAIL' });
  const { result, metrics } = await run();
  expect(result.diagnosis).toBe(`SERVFAIL for ${HOST} from the resolver of ${VPC}: the resolver could not get an answer; a Route 53 ` +
    'Resolver forwarding rule for this domain points at a DNS server that does not answer, or DNSSEC validation failed');
  expect(metrics).toEqual({ Resolved: 0, Private: 0, TlsOk: 0, Reachable: 0 });
});

test('no A record (NOERROR, no data): the zone holds another record type', async () => {
  const { result } = await run();
  expect(result.diagnosis).toBe(`${HOST} has no IPv4 address (no A record) as seen from ${VPC}: the private hosted zone holds another ` +
    'record type for it; add an A alias record to the endpoint\'s DNS name');
});

test('no DNS answer within the step timeout: security group or DNS support', async () => {
  dns.replies.set(HOST, { silent: true });
  const { result, metrics } = await run({ StepTimeoutMs: 300 });
  expect(result.diagnosis).toBe(`no DNS answer for ${HOST} within 300 ms from the resolver of ${VPC}: the probe's security ` +
    'group must allow DNS (port 53) to the VPC\'s CIDR block, and the VPC needs DNS support (enableDnsSupport)');
  expect(metrics).toEqual({ Resolved: 0, Private: 0, TlsOk: 0, Reachable: 0 });
});

test('a private answer that is not the endpoint\'s: the record points elsewhere', async () => {
  dns.replies.set(HOST, { addresses: ['127.0.0.2'] });
  const { result, metrics } = await run({ EndpointId: ENDPOINT, EndpointRegion: 'eu-west-1' });
  expect(result.diagnosis).toBe(`${HOST} resolved to 127.0.0.2, private but not an address of ${ENDPOINT} (127.0.0.1): the record ` +
    `points at another endpoint or a stale address; point it at ${ENDPOINT}'s DNS name`);
  expect(metrics).toEqual({ Resolved: 1, Private: 1, DnsMs: ms, TlsOk: 0, Reachable: 0 });
});

test('connection refused: no listener on the port', async () => {
  const port = await closedPort();
  dns.replies.set(HOST, { addresses: ['127.0.0.1'] });
  const { result, metrics } = await run({ Port: port });
  expect(result.diagnosis).toBe(`TCP to 127.0.0.1:${port} was refused from 127.0.0.0/8: nothing accepts connections on port ${port} ` +
    'there; the endpoint service has no listener on this port (check `port`), or the address is not the endpoint\'s');
  expect(result.failedStep).toBe('tcp');
  expect(metrics).toEqual({ Resolved: 1, Private: 1, DnsMs: ms, TlsOk: 0, Reachable: 0 });
});

test('TCP timeout: the handshake never completes within the step timeout', async () => {
  dns.replies.set(HOST, { addresses: ['127.0.0.1'] });
  const { result, metrics } = await run({ Port: silent.port, StepTimeoutMs: 300 });
  expect(result.diagnosis).toBe(`TCP to 127.0.0.1:${silent.port} timed out from 127.0.0.0/8: the endpoint's security group does not ` +
    'allow this CIDR, or the route to the hub is missing');
  expect(metrics).toEqual({ Resolved: 1, Private: 1, DnsMs: ms, TlsOk: 0, Reachable: 0 });
});

test('wrong certificate name: the certificate\'s names and the expected one', async () => {
  dns.replies.set(HOST, { addresses: ['127.0.0.1'] });
  const { result, metrics } = await run({ Port: wrongVendor.port });
  expect(result.diagnosis).toBe(`TLS handshake failed: certificate name mismatch: 127.0.0.1:${wrongVendor.port} presented a certificate ` +
    `for wrong.example.net, not ${HOST}: the name leads to another service's endpoint, or the vendor's certificate carries another ` +
    'name (set `expectedCertificateName`)');
  expect(result.failedStep).toBe('tls');
  expect(metrics).toEqual({ Resolved: 1, Private: 1, DnsMs: ms, TcpConnectMs: ms, TlsOk: 0, Reachable: 0 });
});

test('expectedCertificateName: the certificate is checked against it, SNI stays the hostname', async () => {
  dns.replies.set(HOST, { addresses: ['127.0.0.1'] });
  const before = wrongVendor.serverNames.length;
  const { result, metrics } = await run({ Port: wrongVendor.port, ExpectedCertificateName: 'wrong.example.net' });
  expect(result.diagnosis).toBe(`OK: ${HOST} resolved to 127.0.0.1 (private); TCP and TLS to port ${wrongVendor.port} succeeded, ` +
    'certificate valid for wrong.example.net');
  expect(wrongVendor.serverNames.slice(before)).toEqual([HOST]);
  expect(metrics.Reachable).toBe(1);
});

test('an untrusted certificate: the chain does not lead to a trusted CA', async () => {
  dns.replies.set(HOST, { addresses: ['127.0.0.1'] });
  const { result, metrics } = await run({}, []);
  expect(result.diagnosis).toBe(`TLS handshake failed: certificate not trusted (DEPTH_ZERO_SELF_SIGNED_CERT) at 127.0.0.1:${vendor.port}: ` +
    'its chain does not lead to a CA that Node.js trusts; a TLS-inspecting proxy or another service answers');
  expect(metrics).toMatchObject({ TcpConnectMs: ms, TlsOk: 0, Reachable: 0 });
});

test('several answers: each is connected to; the first failure is the diagnosis, the others are named', async () => {
  const port = await closedPort();
  dns.replies.set(HOST, { addresses: ['127.0.0.3', '127.0.0.4'] });
  const { result } = await run({ Port: port });
  expect(result.addresses).toEqual(['127.0.0.3', '127.0.0.4']);
  expect(result.diagnosis).toMatch(new RegExp(`^TCP to 127\\.0\\.0\\.3:${port} was refused .* \\(also failed: 127\\.0\\.0\\.4\\)$`));
});

test('TLS timeout: TCP connects, but nothing speaks TLS within the step timeout', async () => {
  const sockets: net.Socket[] = [];
  const mute = net.createServer((socket) => sockets.push(socket));
  await new Promise<void>((resolve) => mute.listen(0, '127.0.0.1', resolve));
  const port = (mute.address() as net.AddressInfo).port;
  try {
    dns.replies.set(HOST, { addresses: ['127.0.0.1'] });
    const { result, metrics } = await run({ Port: port, StepTimeoutMs: 300 });
    expect(result.diagnosis).toBe(`TLS handshake with 127.0.0.1:${port} timed out: TCP connects but no TLS answer for ${HOST}; ` +
      'the port does not speak TLS, or the service behind the endpoint is down');
    expect(metrics).toEqual({ Resolved: 1, Private: 1, DnsMs: ms, TcpConnectMs: ms, TlsOk: 0, Reachable: 0 });
  } finally {
    sockets.forEach((socket) => socket.destroy());
    await new Promise<void>((resolve) => mute.close(() => resolve()));
  }
});

test('the handler refuses an event that is not the runner\'s, with a diagnosis instead of a crash', async () => {
  const result = await createHandler({ log: () => undefined })({} as any);
  expect(result).toEqual({
    vpcId: 'unknown',
    ok: false,
    failedStep: 'probe',
    addresses: [],
    resolved: false,
    private: false,
    tlsOk: false,
    diagnosis: 'the probe was invoked without hostname, port, vpcId, vpcCidr and stepTimeoutMs: it is run by the probe runner only',
  });
});
