/**
 * One synth of the Dynatrace same-region app (examples/dynatrace-same-region/main.ts) in
 * TypeScript against the compiled library (lib/, as npm users get it), timed from inside a fresh
 * Node.js process. bench/python-binding.sh runs it and bench/python-binding.py (the same app
 * through the Python binding) several times each and prints the ratio.
 * Prints one JSON line: {"load_ms", "synth_ms", "total_ms"}.
 */
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';

function main(): void {
  const start = performance.now();
  // Loading the libraries counts: Python's `import aws_cdk` (which starts the jsii runtime) does too.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const cdk: typeof import('aws-cdk-lib') = require('aws-cdk-lib');
  const ec2: typeof import('aws-cdk-lib/aws-ec2') = require('aws-cdk-lib/aws-ec2');
  const logs: typeof import('aws-cdk-lib/aws-logs') = require('aws-cdk-lib/aws-logs');
  const secretsmanager: typeof import('aws-cdk-lib/aws-secretsmanager') = require('aws-cdk-lib/aws-secretsmanager');
  const lib: typeof import('../lib') = require('../lib');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const loaded = performance.now();

  const app = new cdk.App({ outdir: path.join(os.tmpdir(), `bench-python-binding-ts-${process.pid}`) });
  const stack = new cdk.Stack(app, 'DynatraceSameRegion');
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    ipAddresses: ec2.IpAddresses.cidr('10.60.0.0/16'),
    maxAzs: 2,
    natGateways: 0,
    subnetConfiguration: [{ name: 'Private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 }],
    flowLogs: {
      all: {
        destination: ec2.FlowLogDestination.toCloudWatchLogs(new logs.LogGroup(stack, 'FlowLogs', {
          retention: logs.RetentionDays.ONE_YEAR,
          removalPolicy: cdk.RemovalPolicy.RETAIN,
        })),
      },
    },
  });
  const apiToken = secretsmanager.Secret.fromSecretNameV2(stack, 'ApiToken', 'dynatrace/api-token');
  const environment = lib.DynatraceEnvironment.saas('abc12345');
  new lib.DynatracePrivateLink(stack, 'Dynatrace', { environment, apiToken, apiTokenField: 'apiToken', vpc });
  new lib.DynatraceActiveGateToken(stack, 'ActiveGateToken', {
    environment,
    apiToken,
    apiTokenField: 'apiToken',
    tokenName: 'vpc-activegate',
  });
  const assembly = app.synth();
  const end = performance.now();

  const resources = Object.keys(assembly.getStackByName('DynatraceSameRegion').template.Resources).length;
  console.log(JSON.stringify({ load_ms: loaded - start, synth_ms: end - loaded, total_ms: end - start, resources }));
}

main();
