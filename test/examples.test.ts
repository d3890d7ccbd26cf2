import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { AwsSolutionsChecks } from 'cdk-nag';
import { loadExample, maskAssetHashes, templatesOf } from './support/templates';

const examplesDir = path.join(__dirname, '..', 'examples');
const examples = fs.readdirSync(examplesDir)
  .filter((name) => fs.existsSync(path.join(examplesDir, name, 'main.ts')))
  .sort();

function synthExample(name: string) {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), `example-${name}-`));
  const app = loadExample(name)({ outdir });
  return { app, assembly: app.synth() };
}

test('there are examples to check', () => {
  expect(examples).toContain('provider-service');
});

describe.each(examples)('example %s', (name) => {
  const { app, assembly } = synthExample(name);

  test('matches its snapshot', () => {
    expect(maskAssetHashes(templatesOf(assembly))).toMatchSnapshot();
  });

  test('has no unacknowledged cdk-nag AwsSolutions finding', () => {
    const report = new AwsSolutionsChecks().validateScope(app);
    expect(report.violations.map((v) => `${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
  });

  test('synthesizes byte-identically twice', () => {
    expect(JSON.stringify(templatesOf(synthExample(name).assembly))).toEqual(JSON.stringify(templatesOf(assembly)));
  });
});

test('the cdk-nag harness does catch findings', () => {
  const app = new App();
  const stack = new Stack(app, 'Bad');
  const vpc = new ec2.Vpc(stack, 'Vpc');
  new ec2.SecurityGroup(stack, 'Open', { vpc }).addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(22));
  const rules = new AwsSolutionsChecks().validateScope(app).violations.map((v) => v.ruleName);
  expect(rules).toEqual(expect.arrayContaining(['AwsSolutions-VPC7', 'AwsSolutions-EC23']));
});
