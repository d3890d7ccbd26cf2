/**
 * Reference app: every construct of the library in one app, with 50 spoke VPCs joined to the
 * Dynatrace hub over peering. Prints its median synth time divided by an empty-stack synth,
 * the cost per spoke (from a 0-spoke and a 50-spoke build), and the resources per stack.
 * Measures; never fails on time. Run: npx projen bench
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { App, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import {
  DynatraceActiveGateToken, DynatraceEnvironment, DynatracePrivateLink, EdgeConnect, EdgeConnectConfig, EdgeConnectOAuthClient,
  HostnameTargetSync, MonteCarloPrivateLink, PrivateLinkChecks, PrivateLinkService, RiveryPrivateLink, RiveryTarget, ServiceTarget,
  SyncedHostname,
} from 'cdk-saas-privatelink';

const ACCOUNT = '111111111111';
const RUNS = Number(process.env.BENCH_RUNS ?? 5);

export function referenceApp(outdir: string, spokes: number): App {
  const app = new App({ outdir });
  const sydney = new Stack(app, 'Hub', { env: { account: ACCOUNT, region: 'ap-southeast-2' } });
  const tokyo = new Stack(app, 'Spokes', { env: { account: ACCOUNT, region: 'ap-northeast-1' }, crossRegionReferences: true });
  const vpc = new ec2.Vpc(sydney, 'Vpc', {
    ipAddresses: ec2.IpAddresses.cidr('10.0.0.0/16'),
    availabilityZones: ['ap-southeast-2a', 'ap-southeast-2b'],
    natGateways: 1,
  });
  const apiToken = secretsmanager.Secret.fromSecretNameV2(sydney, 'ApiToken', 'dynatrace/api-token');
  const environment = DynatraceEnvironment.saas('abc12345');

  const dynatrace = new DynatracePrivateLink(sydney, 'Dynatrace', { environment, apiToken, vpc });
  new DynatraceActiveGateToken(sydney, 'AgToken', { environment, apiToken });
  new MonteCarloPrivateLink(sydney, 'MonteCarlo', { vpc, serviceName: 'com.amazonaws.vpce.ap-southeast-2.vpce-svc-0123456789abcdef0' });
  const tunnel = new ec2.Instance(sydney, 'Tunnel', {
    vpc, instanceType: new ec2.InstanceType('t3.micro'), machineImage: ec2.MachineImage.latestAmazonLinux2023(),
  });
  new RiveryPrivateLink(sydney, 'Rivery', { vpc, target: RiveryTarget.sshTunnel(tunnel) });
  const service = new PrivateLinkService(sydney, 'Service', {
    vpc,
    allowedPrincipals: ['222222222222'],
    ports: [{ port: 5432, ipTargetsSyncedExternally: true }, { port: 443, targets: [ServiceTarget.ipAddress('10.0.100.10')] }],
  });
  new HostnameTargetSync(sydney, 'Sync', {
    hostname: SyncedHostname.of('db.internal.example.com'),
    targetGroup: service.targetGroupFor(5432) as elbv2.ITargetGroup,
    port: 5432,
    vpc,
  });
  new EdgeConnect(sydney, 'EdgeConnect', {
    vpc,
    config: new EdgeConnectConfig({ name: 'corporate-network', apiEndpointHost: 'abc12345.apps.dynatrace.com', restrictHostsTo: ['*.corp.example.com'] }),
    oauthClient: EdgeConnectOAuthClient.fromSecret(secretsmanager.Secret.fromSecretNameV2(sydney, 'OAuth', 'dynatrace/edgeconnect')),
  });
  for (let i = 0; i < spokes; i++) {
    dynatrace.addSpokeVpc(`Spoke${i}`, ec2.Vpc.fromVpcAttributes(tokyo, `Vpc${i}`, {
      vpcId: `vpc-${String(i).padStart(17, '0')}`,
      vpcCidrBlock: `10.${1 + Math.floor(i / 16)}.${(i % 16) * 16}.0/20`,
      availabilityZones: ['ap-northeast-1a'],
      privateSubnetIds: [`subnet-${i}`],
      privateSubnetRouteTableIds: [`rtb-${i}`],
    }));
  }
  // Checked directly: Validations.of(app).addPlugins needs a newer aws-cdk-lib for cdk-nag 3.
  new PrivateLinkChecks().validateScope(app);
  return app;
}

function emptyApp(outdir: string): App {
  const app = new App({ outdir });
  new Stack(app, 'Empty', { env: { account: ACCOUNT, region: 'ap-southeast-2' } });
  return app;
}

function measure(make: (outdir: string) => App): { ms: number; resources: Record<string, number> } {
  const times: number[] = [];
  let resources: Record<string, number> = {};
  for (let run = 0; run < RUNS; run++) {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-ref-'));
    const start = performance.now();
    const assembly = make(outdir).synth();
    times.push(performance.now() - start);
    resources = Object.fromEntries(assembly.stacks.map((s) => [s.stackName, Object.keys((s.template as any).Resources ?? {}).length]));
    fs.rmSync(outdir, { recursive: true, force: true });
  }
  return { ms: times.sort((a, b) => a - b)[Math.floor(times.length / 2)], resources };
}

function main(): void {
  measure((o) => referenceApp(o, 1)); // warm up
  const empty = measure(emptyApp);
  const none = measure((o) => referenceApp(o, 0));
  const fifty = measure((o) => referenceApp(o, 50));
  console.log(`reference app (every construct, PrivateLinkChecks on): median of ${RUNS} synths, node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}\n`);
  console.log('| app | synth ms | × empty stack | resources (hub / spokes) |');
  console.log('|---|---:|---:|---:|');
  console.log(`| empty stack | ${empty.ms.toFixed(1)} | 1.0 | – |`);
  console.log(`| reference, 0 spokes | ${none.ms.toFixed(0)} | ${(none.ms / empty.ms).toFixed(0)} | ${none.resources.Hub} / ${none.resources.Spokes} |`);
  console.log(`| reference, 50 spokes | ${fifty.ms.toFixed(0)} | ${(fifty.ms / empty.ms).toFixed(0)} | ${fifty.resources.Hub} / ${fifty.resources.Spokes} |`);
  console.log(`\nper spoke: ${((fifty.ms - none.ms) / 50).toFixed(1)} ms and ${((fifty.resources.Hub - none.resources.Hub) / 50).toFixed(0)} hub + ${((fifty.resources.Spokes - none.resources.Spokes) / 50).toFixed(0)} spoke-stack resources`);
}

if (require.main === module) {
  main();
}
