/**
 * Import cost: a fresh `node -e "require('<repo>/lib')"` against one that loads what any CDK app
 * with a VPC loads (aws-cdk-lib and aws-cdk-lib/aws-ec2), alternated, medians (goal: at most
 * 50 ms more). lib/index.js loads each module on the first use of one of its exports, so the
 * bare require is cheap; further rows touch `DynatracePrivateLink`, which loads what the
 * reference app needs, and load the aws-cdk-lib modules it uses without the library. A bare
 * `node -e ""` shows Node.js's own start-up. Measures; never fails on time.
 * Run: npx projen bench (bench/reference-app.ts prints it), or ts-node bench/import-cost.ts.
 */
import * as path from 'path';
import { alternate, machine, runCount, signedMs, spread, Timing } from './whole-process';

const RUNS = runCount(15);
/**
 * The aws-cdk-lib modules DynatracePrivateLink's first use loads (its probe adds CloudWatch and
 * EventBridge): the raw reference app loads them too.
 */
const DYNATRACE_CDK_MODULES = ['aws-cdk-lib', 'aws-cdk-lib/aws-cloudwatch', 'aws-cdk-lib/aws-cloudwatch-actions', 'aws-cdk-lib/aws-ec2',
  'aws-cdk-lib/aws-events', 'aws-cdk-lib/aws-events-targets', 'aws-cdk-lib/aws-iam', 'aws-cdk-lib/aws-lambda', 'aws-cdk-lib/aws-logs',
  'aws-cdk-lib/aws-route53'];

function difference(timing: Timing, denominator: Timing): string {
  return signedMs(timing.median - denominator.median);
}

export function printImportCost(): void {
  const lib = JSON.stringify(path.join(__dirname, '..', 'lib'));
  const cdkModules = DYNATRACE_CDK_MODULES.map((m) => `require('${m}')`).join('; ');
  const [cdk, bare, library, dynatrace, dynatraceCdk] = alternate([
    { name: 'aws-cdk-lib', args: ['-e', 'require(\'aws-cdk-lib\'); require(\'aws-cdk-lib/aws-ec2\')'] },
    { name: 'node', args: ['-e', ''] },
    { name: 'library', args: ['-e', `require(${lib})`] },
    { name: 'library, DynatracePrivateLink', args: ['-e', `require(${lib}).DynatracePrivateLink`] },
    { name: 'aws-cdk-lib modules of DynatracePrivateLink', args: ['-e', cdkModules] },
  ], RUNS);
  console.log('import cost: one fresh `node -e` process per run. Denominator: require(\'aws-cdk-lib\') and');
  console.log('require(\'aws-cdk-lib/aws-ec2\'), which every app with a VPC loads anyway.');
  console.log(`machine: ${machine()}; median of ${RUNS} runs, the five commands alternated in each round, after one warm-up round\n`);
  console.log('| node -e … | wall ms | min–max ms | wall ms vs denominator | CPU ms | CPU ms vs denominator |');
  console.log('|---|---:|---:|---:|---:|---:|');
  const row = (label: string, t: Timing): void => console.log(`| ${label} | ${t.median.toFixed(0)} | ${spread(t)} | ` +
    `${t === cdk ? '–' : difference(t, cdk)} | ${t.cpuMedian.toFixed(0)} | ${t === cdk ? '–' : signedMs(t.cpuMedian - cdk.cpuMedian)} |`);
  row('"" (Node.js start-up alone)', bare);
  row('"require(\'aws-cdk-lib\'); require(\'aws-cdk-lib/aws-ec2\')" (denominator)', cdk);
  row('"require(\'<repo>/lib\')"', library);
  row('"require(\'<repo>/lib\').DynatracePrivateLink" (first use loads its modules)', dynatrace);
  row(`the aws-cdk-lib modules DynatracePrivateLink uses, without the library (${DYNATRACE_CDK_MODULES.map((m) => m.replace('aws-cdk-lib/', '')).join(', ')})`, dynatraceCdk);
  const extra = library.median - cdk.median;
  console.log(`\nrequire('<repo>/lib'): ${difference(library, cdk)} ms against aws-cdk-lib + aws-ec2 (goal ≤ +50 ms: ${extra <= 50 ? 'met' : 'not met'}); ` +
    `DynatracePrivateLink's first use: ${difference(dynatrace, cdk)} ms, and ${difference(dynatrace, dynatraceCdk)} ms against ` +
    'requiring the same aws-cdk-lib modules without the library (aws-cdk-lib loads its classes on first use too: ' +
    'that figure includes the aws-cdk-lib classes the library\'s modules extend, which an app loads anyway when it uses them)');
}

if (require.main === module) {
  printImportCost();
}
