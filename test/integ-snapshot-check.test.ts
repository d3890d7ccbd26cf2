/*
 * The integ snapshot check (scripts/integ.ts, `npx projen integ` in `npm test`): what it masks,
 * and that any other change to a template or the integ manifest fails it.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { canonical, compareWithSnapshot, differences, errorAnnotations, missingParameters, testFiles } from '../scripts/integ';

const HASH_A = 'a'.repeat(64);
const HASH_B = 'b'.repeat(64);

function template(overrides: { hash?: string; salt?: string; port?: number; extra?: boolean } = {}): object {
  return {
    Resources: {
      Handler: { Type: 'AWS::Lambda::Function', Properties: { Code: { S3Key: `${overrides.hash ?? HASH_A}.zip` } } },
      Listener: { Type: 'AWS::ElasticLoadBalancingV2::Listener', Properties: { Port: overrides.port ?? 22 } },
      Check: { Type: 'Custom::DeployAssert@SdkCallEC2describeVpcEndpoints', Properties: { salt: overrides.salt ?? '1795931363114' } },
      ...(overrides.extra ? { Extra: { Type: 'AWS::SNS::Topic' } } : {}),
    },
  };
}

function assembly(files: Record<string, object>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'integ-check-'));
  for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), JSON.stringify(content));
  return dir;
}

const manifest = { version: '54.0.0', testCases: { Test: { stacks: ['Stack'] } } };

describe('compareWithSnapshot', () => {
  test('passes when only asset hashes, assertion salts and the schema version differ', () => {
    const snapshot = assembly({ 'Stack.template.json': template(), 'integ.json': manifest });
    const fresh = assembly({
      'Stack.template.json': template({ hash: HASH_B, salt: '1795931378597' }),
      'integ.json': { ...manifest, version: '55.0.0' },
    });
    expect(compareWithSnapshot(fresh, snapshot)).toEqual([]);
  });

  test('fails on a changed property, naming the file and the JSON path', () => {
    const snapshot = assembly({ 'Stack.template.json': template(), 'integ.json': manifest });
    const fresh = assembly({ 'Stack.template.json': template({ port: 2222 }), 'integ.json': manifest });
    expect(compareWithSnapshot(fresh, snapshot)).toEqual(['Stack.template.json.Resources.Listener.Properties.Port: 22 -> 2222']);
  });

  test('fails on an added resource, a stack that appeared or vanished, and a changed test case', () => {
    const snapshot = assembly({ 'Stack.template.json': template(), 'Old.template.json': template(), 'integ.json': manifest });
    const fresh = assembly({
      'Stack.template.json': template({ extra: true }),
      'New.template.json': template(),
      'integ.json': { ...manifest, testCases: { Test: { stacks: ['Stack', 'New'] } } },
    });
    expect(compareWithSnapshot(fresh, snapshot)).toEqual([
      'Old.template.json: in the snapshot, no longer synthesized',
      'New.template.json: synthesized, not in the snapshot',
      'Stack.template.json.Resources.Extra: added',
      'integ.json.testCases.Test.stacks[1]: added',
    ]);
  });

  test('fails when there is no snapshot, saying how to make one', () => {
    const fresh = assembly({ 'Stack.template.json': template() });
    expect(compareWithSnapshot(fresh, path.join(fresh, 'missing'))).toEqual([expect.stringContaining('npx projen integ:update')]);
  });
});

describe('canonical and differences', () => {
  test('a salt outside an assertion resource is not masked', () => {
    const t = { Resources: { R: { Type: 'AWS::SNS::Topic', Properties: { salt: '1' } } } };
    expect(canonical('Stack.template.json', t)).toEqual(t);
  });

  test("an equality assertion's output name loses its hash, other outputs keep theirs", () => {
    const outputs = (suffix: string) => ({
      Outputs: {
        [`AssertionResultsEqualsAssertionProbeCheck${suffix}`]: { Value: 'x' },
        [`Other${suffix}`]: { Value: 'y' },
      },
    });
    const a = canonical('Assert.template.json', outputs('ae65376338aea80b38e4a799d75ae8f8'));
    const b = canonical('Assert.template.json', outputs('eacf3794338cdfb4ffe39f947717c4fe'));
    expect(differences(a, b)).toEqual([
      '.Outputs.Otherae65376338aea80b38e4a799d75ae8f8: removed',
      '.Outputs.Othereacf3794338cdfb4ffe39f947717c4fe: added',
    ]);
  });

  test('differences stops at the limit', () => {
    const a = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`k${i}`, i]));
    const b = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`k${i}`, i + 1]));
    expect(differences(a, b, '', 5)).toHaveLength(5);
  });
});

test('error annotations in the manifest are problems', () => {
  const dir = assembly({
    'manifest.json': {
      artifacts: {
        Stack: { metadata: { '/Stack/Probe': [{ type: 'aws:cdk:warning', data: 'w' }, { type: 'aws:cdk:error', data: 'broken' }] } },
      },
    },
  });
  expect(errorAnnotations(dir)).toEqual(['error at /Stack/Probe: broken']);
});

test('the integ tests the issue asks for exist, each with a committed snapshot', () => {
  const files = testFiles([]);
  expect(files).toEqual([
    'integ.dynatrace-hub-and-spoke.ts',
    'integ.edgeconnect.ts',
    'integ.privatelink-endpoint.ts',
    'integ.privatelink-service.ts',
  ]);
  for (const file of files) {
    expect(fs.existsSync(path.join(__dirname, 'integ', `${file}.snapshot`, 'integ.json'))).toBe(true);
  }
  expect(() => testFiles(['nope'])).toThrow(/no integ test named nope/);
});

test('a deploy names the parameters that have neither a default nor a value', () => {
  const dir = assembly({
    'Hub.template.json': {
      Parameters: {
        BootstrapVersion: { Type: 'AWS::SSM::Parameter::Value<String>', Default: '/cdk-bootstrap/hnb659fds/version' },
        DynatraceEnvironmentId: { Type: 'String', Description: 'the environment ID' },
        TokenSecretName: { Type: 'String' },
      },
    },
    'Spoke.template.json': { Resources: {} },
  });
  expect(missingParameters(dir, {})).toEqual(['Hub:DynatraceEnvironmentId: the environment ID', 'Hub:TokenSecretName: no description']);
  expect(missingParameters(dir, { 'Hub:DynatraceEnvironmentId': 'abc12345', 'TokenSecretName': 's' })).toEqual([]);
});
