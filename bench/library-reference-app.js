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
const secretsmanager = require('aws-cdk-lib/aws-secretsmanager');
// Exports are read where they are used, as TypeScript's compiled imports do: lib/index.js loads
// a module (and PrivateLinkChecks loads cdk-nag) only on the first use of one of its exports.
const saas = require('../lib');
const { referenceNetwork } = require('./reference-network');

const { spokeCount, app, hub, vpc, spokeVpc } = referenceNetwork();

const dynatrace = new saas.DynatracePrivateLink(hub, 'Dynatrace', {
  environment: saas.DynatraceEnvironment.saas('abc12345'),
  apiToken: secretsmanager.Secret.fromSecretNameV2(hub, 'ApiToken', 'dynatrace/api-token'),
  vpc,
});
for (let i = 0; i < spokeCount; i++) {
  dynatrace.addSpokeVpc(`Spoke${i}`, spokeVpc(i));
}
if (process.argv.includes('--checks')) {
  new saas.PrivateLinkChecks().validateScope(app);
}

// `cdk synth` sets CDK_OUTDIR, and the app then synthesizes itself on exit.
if (!process.env.CDK_OUTDIR) app.synth();
