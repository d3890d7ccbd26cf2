/*
 * What `require('cdk-saas-privatelink')` loads, checked on the compiled package in lib/ (npm
 * test compiles before jest). Its cost in milliseconds is measured by `npx projen bench`, not here.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const lib = path.join(__dirname, '..', 'lib', 'index.js');

function loaded(script: string): string[] {
  if (!fs.existsSync(lib)) throw new Error('lib/index.js is missing: run "npx projen compile" first (npm test does)');
  const out = execFileSync(process.execPath, ['-e', `
    const lib = require(${JSON.stringify(lib)});
    ${script}
    const mods = Object.keys(require.cache);
    const heavy = ['cdk-nag', 'yaml', 'aws-cdk-lib/aws-ecs', 'aws-cdk-lib/aws-lambda', 'aws-cdk-lib/aws-ec2'];
    console.log(JSON.stringify(heavy.filter((m) => mods.some((k) => k.includes(\`/node_modules/\${m}/\`)))));
  `], { encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').pop()!);
}

test('loading the package loads no construct module: neither cdk-nag, yaml, nor aws-cdk-lib\'s service modules', () => {
  expect(loaded('')).toEqual([]);
});

test('every type of the jsii assembly is still exported, and loads on first use', () => {
  const assembly = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '.jsii'), 'utf8'));
  const names = Object.keys(assembly.types).map((fqn) => fqn.replace(/^cdk-saas-privatelink\./, ''));
  const classesAndEnums = Object.entries<any>(assembly.types).filter(([, t]) => t.kind !== 'interface').map(([fqn]) => fqn.split('.').pop()!);
  expect(classesAndEnums.length).toBeGreaterThan(20);
  const out = execFileSync(process.execPath, ['-e', `
    const lib = require(${JSON.stringify(lib)});
    const names = ${JSON.stringify(classesAndEnums)};
    console.log(JSON.stringify(names.filter((n) => lib[n] === undefined)));
  `], { encoding: 'utf8' });
  expect(JSON.parse(out.trim())).toEqual([]);
  expect(names.length).toBeGreaterThan(classesAndEnums.length);
});

test('PrivateLinkChecks loads cdk-nag on first use, and is the real rule pack', () => {
  expect(loaded(`
    const { NagPack } = require('cdk-nag');
    if (!(new lib.PrivateLinkChecks() instanceof NagPack)) throw new Error('not a NagPack');
  `)).toContain('cdk-nag');
});

test('reading or writing edgeConnect.yaml loads yaml on first use', () => {
  expect(loaded(`
    const config = new lib.EdgeConnectConfig({ name: 'corporate-network', apiEndpointHost: 'abc12345.apps.dynatrace.com' });
    if (!config.toYaml().includes('name: corporate-network')) throw new Error('no YAML');
  `)).toEqual(['yaml']);
});
