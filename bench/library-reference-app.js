'use strict';
/*
 * The reference app, built with this library: the Dynatrace hub in Sydney (a VPC, a
 * DynatracePrivateLink) and N spoke VPCs in Tokyo joined with addSpokeVpc. Plain JavaScript
 * against the compiled library (lib/, what npm users get), so that timing its process times
 * what `cdk synth` runs and nothing else. bench/raw-reference-app.js builds the same
 * infrastructure with aws-cdk-lib alone; bench/reference-app.ts and bench/synth-spokes.ts
 * time both.
 *
 * Run: CDK_OUTDIR=$(mktemp -d) node bench/library-reference-app.js [spokes=50] [--checks]
 * (--checks also runs the PrivateLinkChecks rule pack, which loads cdk-nag.)
 */
const cdk = require('aws-cdk-lib');
const ec2 = require('aws-cdk-lib/aws-ec2');
const secretsmanager = require('aws-cdk-lib/aws-secretsmanager');
// Exports are read where they are used, as TypeScript's compiled imports do: lib/index.js loads
// a module (and PrivateLinkChecks loads cdk-nag) only on the first use of one of its exports.
const saas = require('../lib');

const ACCOUNT = '111111111111';
const spokeCount = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 50);

const app = new cdk.App();
const hub = new cdk.Stack(app, 'Hub', { env: { account: ACCOUNT, region: 'ap-southeast-2' } });
const spokes = new cdk.Stack(app, 'Spokes', { env: { account: ACCOUNT, region: 'ap-northeast-1' }, crossRegionReferences: true });

const vpc = new ec2.Vpc(hub, 'Vpc', {
  ipAddresses: ec2.IpAddresses.cidr('10.0.0.0/16'),
  availabilityZones: ['ap-southeast-2a', 'ap-southeast-2b'],
  natGateways: 1,
});
const dynatrace = new saas.DynatracePrivateLink(hub, 'Dynatrace', {
  environment: saas.DynatraceEnvironment.saas('abc12345'),
  apiToken: secretsmanager.Secret.fromSecretNameV2(hub, 'ApiToken', 'dynatrace/api-token'),
  vpc,
});
for (let i = 0; i < spokeCount; i++) {
  dynatrace.addSpokeVpc(`Spoke${i}`, ec2.Vpc.fromVpcAttributes(spokes, `Vpc${i}`, {
    vpcId: `vpc-${String(i).padStart(17, '0')}`,
    vpcCidrBlock: `10.${1 + Math.floor(i / 16)}.${(i % 16) * 16}.0/20`,
    availabilityZones: ['ap-northeast-1a'],
    privateSubnetIds: [`subnet-${i}`],
    privateSubnetRouteTableIds: [`rtb-${i}`],
  }));
}
if (process.argv.includes('--checks')) {
  new saas.PrivateLinkChecks().validateScope(app);
}

// `cdk synth` sets CDK_OUTDIR, and the app then synthesizes itself on exit.
if (!process.env.CDK_OUTDIR) app.synth();
