import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { API_TOKEN, READ_ONLY_TOKEN } from './dynatrace-stand-in';
import { DynatraceActiveGateToken, DynatraceEnvironment, DynatracePrivateLink } from '../../../src';
import { loadExample } from '../../support/templates';

/** Any Dynatrace token with its secret part (API, ActiveGate, EdgeConnect, PaaS, ...). */
const TOKEN_SHAPE = /dt0[a-z]\d{2}\.[A-Za-z0-9]{8,24}\.[A-Za-z0-9]{64}/g;
const root = path.join(__dirname, '..', '..', '..');
const examples = fs.readdirSync(path.join(root, 'examples')).filter((n) => fs.existsSync(path.join(root, 'examples', n, 'main.ts')));

function leaksIn(text: string): string[] {
  const found = [...text.matchAll(TOKEN_SHAPE)].map((m) => m[0].replace(/\.[A-Za-z0-9]{64}$/, '.<secret>'));
  for (const known of [API_TOKEN, READ_ONLY_TOKEN]) if (text.includes(known.split('.')[2])) found.push('a test token');
  return found;
}

function synthTemplates(app: App): string {
  return app.synth().stacks.map((s) => JSON.stringify(s.template)).join('\n');
}

test.each(examples)('the synthesized templates of example %s hold no token', (name) => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'leak-'));
  expect(leaksIn(synthTemplates(loadExample(name)({ outdir })))).toEqual([]);
});

test('a stack with every Dynatrace construct, given the token secret, holds no token', () => {
  const app = new App();
  const stack = new Stack(app, 'S');
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0 });
  const apiToken = secretsmanager.Secret.fromSecretNameV2(stack, 'Token', 'dynatrace/api-token');
  new DynatracePrivateLink(stack, 'Dynatrace', { environment: DynatraceEnvironment.saas('abc12345'), apiToken, vpc });
  new DynatraceActiveGateToken(stack, 'AgToken', { environment: DynatraceEnvironment.saas('abc12345'), apiToken });
  const template = synthTemplates(app);
  expect(template).toContain('dynatrace/api-token');
  expect(leaksIn(template)).toEqual([]);
});

test('no snapshot holds a token', () => {
  const dir = path.join(root, 'test', '__snapshots__');
  const snapshots = fs.readdirSync(dir).map((f) => fs.readFileSync(path.join(dir, f), 'utf8')).join('\n');
  expect(snapshots.length).toBeGreaterThan(0);
  expect(leaksIn(snapshots)).toEqual([]);
});

test('the leak check itself finds a planted token', () => {
  expect(leaksIn(`{"Value":"${API_TOKEN}"}`)).toEqual([`${API_TOKEN.split('.').slice(0, 2).join('.')}.<secret>`, 'a test token']);
});
