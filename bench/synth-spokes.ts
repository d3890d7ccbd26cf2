/**
 * Synth benchmark: a Sydney hub (endpoint + DNS override) with 1, 10, 50 and 100 spoke VPCs in
 * Tokyo over peering. Prints, per size, the median synth time, the ratio to an empty-stack
 * synth, the resources in the hub stack, and the total template size. Measures; never fails
 * on time. Run: npx projen bench
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { App, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { DnsTarget, PrivateDnsOverride, PrivateLinkEndpoint, SpokePeering } from 'cdk-saas-privatelink';

const ACCOUNT = '111111111111';
const RUNS = Number(process.env.BENCH_RUNS ?? 5);

function emptyApp(outdir: string): App {
  const app = new App({ outdir });
  new Stack(app, 'Empty', { env: { account: ACCOUNT, region: 'ap-southeast-2' } });
  return app;
}

export function spokesApp(outdir: string, spokes: number): App {
  const app = new App({ outdir });
  const sydney = new Stack(app, 'Hub', { env: { account: ACCOUNT, region: 'ap-southeast-2' } });
  const tokyo = new Stack(app, 'Spokes', { env: { account: ACCOUNT, region: 'ap-northeast-1' }, crossRegionReferences: true });
  const vpc = new ec2.Vpc(sydney, 'HubVpc', {
    ipAddresses: ec2.IpAddresses.cidr('10.0.0.0/16'),
    availabilityZones: ['ap-southeast-2a', 'ap-southeast-2b'],
    natGateways: 0,
    subnetConfiguration: [{ name: 'Private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 }],
  });
  const endpoint = new PrivateLinkEndpoint(sydney, 'Vendor', { vpc, serviceName: 'com.amazonaws.vpce.ap-southeast-2.vpce-svc-0123456789abcdef0' });
  const dns = new PrivateDnsOverride(sydney, 'Dns', { zoneName: 'abc12345.live.dynatrace.com', vpc, target: DnsTarget.fromEndpoint(endpoint) });
  for (let i = 0; i < spokes; i++) {
    const spokeVpc = ec2.Vpc.fromVpcAttributes(tokyo, `Vpc${i}`, {
      vpcId: `vpc-${String(i).padStart(17, '0')}`,
      vpcCidrBlock: `10.${1 + Math.floor(i / 16)}.${(i % 16) * 16}.0/20`,
      availabilityZones: ['ap-northeast-1a'],
      privateSubnetIds: [`subnet-${i}`],
      privateSubnetRouteTableIds: [`rtb-${i}`],
    });
    new SpokePeering(sydney, `Spoke${i}`, { endpoint, spokeVpc, dnsOverrides: [dns] });
  }
  return app;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function timeSynth(make: (outdir: string) => App): { ms: number; resources: Record<string, number>; bytes: number } {
  const times: number[] = [];
  let resources: Record<string, number> = {};
  let bytes = 0;
  for (let run = 0; run < RUNS; run++) {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-'));
    const start = performance.now();
    const assembly = make(outdir).synth();
    times.push(performance.now() - start);
    resources = Object.fromEntries(assembly.stacks.map((s) => [s.stackName, Object.keys((s.template as any).Resources ?? {}).length]));
    bytes = assembly.stacks.reduce((sum, s) => sum + fs.statSync(path.join(outdir, s.templateFile)).size, 0);
    fs.rmSync(outdir, { recursive: true, force: true });
  }
  return { ms: median(times), resources, bytes };
}

function main(): void {
  timeSynth((o) => spokesApp(o, 1)); // warm up module loading and the JIT
  const empty = timeSynth(emptyApp);
  console.log(`synth benchmark: median of ${RUNS} runs; node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}`);
  console.log(`empty stack: ${empty.ms.toFixed(1)} ms\n`);
  console.log('| spokes | synth ms | × empty | hub resources | spoke-stack resources | templates KB | ms per spoke |');
  console.log('|---:|---:|---:|---:|---:|---:|---:|');
  let base: number | undefined;
  for (const spokes of [1, 10, 50, 100]) {
    const r = timeSynth((o) => spokesApp(o, spokes));
    base ??= r.ms;
    const perSpoke = spokes > 1 ? ((r.ms - base) / (spokes - 1)).toFixed(1) : '–';
    console.log(`| ${spokes} | ${r.ms.toFixed(0)} | ${(r.ms / empty.ms).toFixed(1)} | ${r.resources.Hub} | ${r.resources.Spokes} | ${(r.bytes / 1024).toFixed(0)} | ${perSpoke} |`);
  }
}

if (require.main === module) {
  main();
}
