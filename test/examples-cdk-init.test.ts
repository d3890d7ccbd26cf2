/*
 * Every example again, synthesized as an app `cdk init` creates today would synthesize it: with
 * the feature flags the CDK CLI writes into a new cdk.json (weak cross-stack references, the VPC
 * default security group restriction, …). cfn-lint and checkov read these templates in
 * `npm test` too (examples/cdk.out/cdk-init/, scripts/check-templates.sh).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { AwsSolutionsChecks } from 'cdk-nag';
import { loadExample } from './support/templates';
import { examplePasses, REFERENCE_STRENGTH_FLAG } from '../scripts/cdk-init-flags';

const examplesDir = path.join(__dirname, '..', 'examples');
const examples = fs.readdirSync(examplesDir).filter((name) => fs.existsSync(path.join(examplesDir, name, 'main.ts'))).sort();
const passes = examplePasses();

/**
 * Where a template splits a value another stack gave it (an export, a stack output, a
 * cross-region reader's attribute): a list that crossed stacks as one joined string.
 */
export function crossStackSplits(template: any): string[] {
  const readers = new Set(Object.entries(template.Resources ?? {})
    .filter(([, r]: [string, any]) => r.Type === 'Custom::CrossRegionExportReader').map(([id]) => id));
  const crossed = (value: unknown): boolean => {
    if (Array.isArray(value)) return value.some(crossed);
    if (typeof value !== 'object' || value === null) return false;
    const entries = Object.entries(value);
    if (entries.length === 1) {
      const [key, arg] = entries[0];
      if (key === 'Fn::ImportValue' || key === 'Fn::GetStackOutput') return true;
      if (key === 'Fn::GetAtt' && Array.isArray(arg) && readers.has(arg[0])) return true;
    }
    return entries.some(([, v]) => crossed(v));
  };
  const found: string[] = [];
  const walk = (value: unknown, at: string) => {
    if (Array.isArray(value)) return value.forEach((v, i) => walk(v, `${at}[${i}]`));
    if (typeof value !== 'object' || value === null) return;
    for (const [key, v] of Object.entries(value)) {
      if (key === 'Fn::Split' && Array.isArray(v) && crossed(v[1])) found.push(at);
      walk(v, `${at}.${key}`);
    }
  };
  walk(template.Resources, 'Resources');
  walk(template.Outputs, 'Outputs');
  return found;
}

test('cdk init writes weak references today, and the second pass uses its flags', () => {
  expect(passes[1].context[REFERENCE_STRENGTH_FLAG]).toBe('weak');
  expect(passes[0].context[REFERENCE_STRENGTH_FLAG]).toBe('strong');
  // More than the reference strength: the whole set of flags a new app gets.
  expect(Object.keys(passes[1].context).length).toBeGreaterThan(50);
});

test('the split check does catch a list that crossed stacks', () => {
  expect(crossStackSplits({
    Resources: {
      Alias: { Properties: { AliasTarget: { DNSName: { 'Fn::Select': [1, { 'Fn::Split': [':', { 'Fn::Select': [0, { 'Fn::Split': ['||', { 'Fn::GetStackOutput': { StackName: 'Hub', OutputName: 'X' } }] }] }] }] } } } },
      Local: { Properties: { Name: { 'Fn::Select': [1, { 'Fn::Split': [':', { 'Fn::Select': [0, { 'Fn::GetAtt': ['Endpoint', 'DnsEntries'] }] }] }] } } },
    },
  })).toEqual([
    'Resources.Alias.Properties.AliasTarget.DNSName.Fn::Select[1]',
    'Resources.Alias.Properties.AliasTarget.DNSName.Fn::Select[1].Fn::Split[1].Fn::Select[1]',
  ]);
});

describe.each(examples)('example %s', (name) => {
  describe.each(passes)('with $name', ({ context }) => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), `example-init-${name}-`));
    const app = loadExample(name)({ outdir, context });
    const assembly = app.synth();

    test('no stack splits a value another stack gave it: DNS names and zone IDs cross as plain strings', () => {
      const splits = assembly.stacks.flatMap((s) => crossStackSplits(s.template).map((at) => `${s.stackName}: ${at}`));
      expect(splits).toEqual([]);
    });

    test('has no unacknowledged cdk-nag AwsSolutions finding', () => {
      const report = new AwsSolutionsChecks().validateScope(app);
      expect(report.violations.map((v) => `${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
    });
  });
});
