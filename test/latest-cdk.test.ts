/**
 * The comparison behind `npx projen test:latest-cdk` (scripts/latest-cdk.ts), on made-up pass
 * summaries: what counts as a difference, what breaks the runtime policy, how versions are ordered.
 */
import * as fs from 'fs';
import * as path from 'path';
import { checkPolicy, compareVersions, differences, matcher, policyRuntime } from '../scripts/latest-cdk';
import type { ExampleSummary, FunctionSummary, PassSummary } from '../scripts/latest-cdk-pass';

const handler = (runtime: string, l1: FunctionSummary['l1'], l1Reason?: string): FunctionSummary =>
  ({ runtime, library: true, l1, ...(l1Reason === undefined ? {} : { l1Reason }) });

function summary(fns: Record<string, FunctionSummary>, extra: Partial<ExampleSummary> = {}, nodejsLatest = 'nodejs24.x'): PassSummary {
  return {
    versions: { 'aws-cdk-lib': '2.262.0', 'constructs': '10.5.1', 'cdk-nag': '3.0.2' },
    nodejsLatest,
    nodejsNewest: 'nodejs26.x',
    examples: { app: { stacks: { S: { 'AWS::Lambda::Function': Object.keys(fns).length } }, findings: [], errors: [], functions: fns, ...extra } },
  };
}

let log: jest.SpyInstance;
beforeEach(() => { log = jest.spyOn(console, 'log').mockImplementation(() => undefined); });
afterEach(() => log.mockRestore());

test('the policy runtime is the handler bundles\' esbuild target', () => {
  const tasks = fs.readFileSync(path.join(__dirname, '..', '.projen', 'tasks.json'), 'utf-8');
  const target = /--target=node(\d+)/.exec(tasks)![1];
  expect(policyRuntime()).toBe(`nodejs${target}.x`);
});

test('versions are ordered as numbers, not in the order the registry lists them', () => {
  expect(['2.278.0', '2.277.0', '2.9.0', '2.100.1'].sort(compareVersions)).toEqual(['2.9.0', '2.100.1', '2.277.0', '2.278.0']);
});

test('a handler acknowledged with a reason, or compliant, on the pinned runtime holds the policy', () => {
  const p = policyRuntime();
  expect(checkPolicy('floor', summary({ 'A/Fn/Resource': handler(p, 'compliant') }))).toEqual([]);
  expect(checkPolicy('latest', summary({ 'A/Fn/Resource': handler(p, 'acknowledged', 'pinned LTS') }))).toEqual([]);
});

test('an unacknowledged finding, an empty reason, another runtime, or no handler at all break the policy', () => {
  const p = policyRuntime();
  const breaches = checkPolicy('latest', summary({
    'A/Unacked/Resource': handler(p, 'finding'),
    'A/Empty/Resource': handler(p, 'acknowledged', ' '),
    'A/Other/Resource': handler('nodejs26.x', 'compliant'),
  }));
  expect(breaches).toEqual([
    `latest: A/Unacked/Resource (${p}): AwsSolutions-L1 with no acknowledgement`,
    'latest: A/Empty/Resource: AwsSolutions-L1 acknowledged without a reason',
    `latest: A/Other/Resource runs on nodejs26.x, not ${p}`,
  ]);
  expect(checkPolicy('floor', summary({}))).toEqual(['floor: no library function found: the policy check saw nothing']);
  // A function that is not the library's may run on anything, but an unacknowledged L1 still counts.
  expect(checkPolicy('floor', summary({ 'A/Theirs/Resource': { runtime: 'nodejs20.x', library: false, l1: 'finding' }, 'A/Fn/Resource': handler(p, 'compliant') })))
    .toEqual(['floor: A/Theirs/Resource (nodejs20.x): AwsSolutions-L1 with no acknowledgement']);
});

test('differences name resource counts, findings, runtimes and a newer NODEJS_LATEST, one line each', () => {
  const p = policyRuntime();
  const floor = summary({ 'A/Fn/Resource': handler(p, 'compliant') });
  const later = summary({ 'A/Fn/Resource': handler('nodejs26.x', 'compliant') }, {
    stacks: { S: { 'AWS::Lambda::Function': 2 } },
    findings: ['AwsSolutions-L1 at A/Fn/Resource'],
  }, 'nodejs26.x');
  expect(differences(floor, later)).toEqual([
    'app/S: AWS::Lambda::Function 1 on floor, 2 on latest',
    `app: runtime of A/Fn/Resource: ${p} on floor, nodejs26.x on latest`,
    'app: finding only on latest: AwsSolutions-L1 at A/Fn/Resource',
    `runtime policy: aws-cdk-lib's Runtime.NODEJS_LATEST is nodejs26.x on latest, newer than the handlers' ${p}`,
  ]);
  expect(differences(floor, floor)).toEqual([]);
});

test('a known difference matches with * and nothing else', () => {
  expect(matcher('app: finding only on latest: AwsSolutions-L1 at *').test('app: finding only on latest: AwsSolutions-L1 at A/Fn/Resource')).toBe(true);
  expect(matcher('app: finding only on latest: AwsSolutions-L1 at *').test('app: finding only on floor: AwsSolutions-L1 at A/Fn/Resource')).toBe(false);
  expect(matcher('a.b (c)').test('aXb (c)')).toBe(false);
});
