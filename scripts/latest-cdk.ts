/**
 * The latest aws-cdk-lib pass (`npx projen test:latest-cdk`, part of `npm test`).
 *
 * Installs the newest aws-cdk-lib, constructs and cdk-nag that the library's peer ranges allow
 * into .latest-cdk/ (gitignored; installed again only when one of those versions changes), then
 * synthesizes every app in examples/*\/main.ts twice with the compiled library (lib/): once on the
 * floor (the dev dependencies in node_modules/, which the jest suite uses) and once on the latest.
 * Each pass records per stack the resource types and their counts, and per example the
 * PrivateLinkChecks and cdk-nag AwsSolutions findings and any error annotation. Every difference
 * between the two passes fails the run unless scripts/latest-cdk-known.json explains it.
 *
 * Usage: ts-node --project tsconfig.dev.json scripts/latest-cdk.ts
 */
import { execFile, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { promisify } from 'util';

const root = path.join(__dirname, '..');
const latestDir = path.join(root, '.latest-cdk');
const knownFile = path.join(__dirname, 'latest-cdk-known.json');
const CDK_PACKAGES = ['aws-cdk-lib', 'constructs', 'cdk-nag'] as const;

/** What one pass records for one example. */
interface ExampleSummary {
  /** stack name -> resource type -> count */
  readonly stacks: Record<string, Record<string, number>>;
  /** "<pack rule> at <construct path>", sorted */
  readonly findings: string[];
  /** "<construct path>: <message>" of error annotations, sorted */
  readonly errors: string[];
  /** set when the example failed to synthesize */
  readonly failure?: string;
}

interface PassSummary {
  readonly versions: Record<string, string>;
  readonly examples: Record<string, ExampleSummary>;
}

interface KnownDifference {
  /** the difference as this script prints it; `*` matches any text */
  readonly difference: string;
  /** why it is expected */
  readonly reason: string;
}

// ---------------------------------------------------------------------------------------------
// One pass (a child process): `latest-cdk.ts --pass <floor|latest> <output.json>`

/** Makes `cdk-saas-privatelink` the compiled lib/, and (for the latest pass) CDK packages come from `cdkDir`. */
function redirectModules(cdkDir: string | undefined): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Module = require('module');
  const resolve = Module._resolveFilename;
  const libIndex = path.join(root, 'lib', 'index.js');
  const cdkRequest = new RegExp(`^(${CDK_PACKAGES.join('|')})(/|$)`);
  Module._resolveFilename = function (request: string, parent: unknown, isMain: boolean, options?: object) {
    if (request === 'cdk-saas-privatelink') return libIndex;
    if (cdkDir && cdkRequest.test(request)) {
      return resolve.call(this, request, parent, isMain, { paths: [cdkDir] });
    }
    return resolve.call(this, request, parent, isMain, options);
  };
}

function runPass(which: string, outFile: string): void {
  redirectModules(which === 'latest' ? latestDir : undefined);
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { exampleNames, loadExample } = require('./synth-examples') as typeof import('./synth-examples');
  const { AwsSolutionsChecks } = require('cdk-nag') as typeof import('cdk-nag');
  const { PrivateLinkChecks } = require('cdk-saas-privatelink') as typeof import('../src');
  const versionOf = (pkg: string) => (require(`${pkg}/package.json`) as { version: string }).version;
  /* eslint-enable @typescript-eslint/no-require-imports */

  const versions = Object.fromEntries(CDK_PACKAGES.map((pkg) => [pkg, versionOf(pkg)]));
  const examples: Record<string, ExampleSummary> = {};
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), `latest-cdk-${which}-`));
  try {
    for (const name of exampleNames()) {
      try {
        const app = loadExample(name)({ outdir: path.join(tmp, name) });
        const assembly = app.synth();
        const stacks: ExampleSummary['stacks'] = {};
        const errors: string[] = [];
        for (const stack of assembly.stacks) {
          const counts: Record<string, number> = {};
          const resources = (stack.template as { Resources?: Record<string, { Type: string }> }).Resources ?? {};
          for (const r of Object.values(resources)) counts[r.Type] = (counts[r.Type] ?? 0) + 1;
          stacks[stack.stackName] = counts;
          for (const m of stack.messages) {
            if (String(m.level) === 'error') errors.push(`${m.id}: ${String(m.entry.data)}`);
          }
        }
        const findings = [new PrivateLinkChecks(), new AwsSolutionsChecks()].flatMap((pack) =>
          pack.validateScope(app).violations.flatMap((v) =>
            v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath ?? r.resourceLogicalId}`)));
        examples[name] = { stacks, findings: findings.sort(), errors: errors.sort() };
      } catch (e) {
        examples[name] = { stacks: {}, findings: [], errors: [], failure: (e as Error).message.split('\n')[0] };
      }
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  // One copy of each CDK package, the pass's own, or the comparison means nothing.
  const expected = fs.realpathSync(path.join(which === 'latest' ? latestDir : root, 'node_modules')) + path.sep;
  const strays = Object.keys(require.cache).filter((file) =>
    CDK_PACKAGES.some((pkg) => file.includes(`${path.sep}node_modules${path.sep}${pkg}${path.sep}`))
    && !CDK_PACKAGES.some((pkg) => file.startsWith(`${expected}${pkg}${path.sep}`)));
  if (strays.length > 0) {
    throw new Error(`latest-cdk: the ${which} pass loaded CDK modules from outside ${expected}: ${strays.slice(0, 3).join(', ')}`);
  }
  fs.writeFileSync(outFile, JSON.stringify({ versions, examples } satisfies PassSummary, undefined, 2));
}

// ---------------------------------------------------------------------------------------------
// The driver

const execFileAsync = promisify(execFile);

/** The newest version of `pkg` within `range`, from the npm registry. */
async function newest(pkg: string, range: string): Promise<string> {
  const { stdout } = await execFileAsync('npm', ['view', `${pkg}@${range}`, 'version', '--json'], { cwd: os.tmpdir() });
  const parsed = JSON.parse(stdout) as string | string[];
  return Array.isArray(parsed) ? parsed[parsed.length - 1] : parsed;
}

/** Installs the newest CDK packages the peer ranges allow into .latest-cdk/, unless they are there already. */
async function ensureLatest(): Promise<Record<string, string>> {
  const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf-8')) as { peerDependencies: Record<string, string> };
  const stampFile = path.join(latestDir, 'installed.json');
  const installed = fs.existsSync(stampFile) ? JSON.parse(fs.readFileSync(stampFile, 'utf-8')) as Record<string, string> : undefined;
  let wanted: Record<string, string>;
  try {
    const found = await Promise.all(CDK_PACKAGES.map((pkg) => newest(pkg, manifest.peerDependencies[pkg])));
    wanted = Object.fromEntries(CDK_PACKAGES.map((pkg, i) => [pkg, found[i]]));
  } catch (e) {
    if (!installed) throw new Error(`latest-cdk: cannot ask the npm registry for the newest versions: ${(e as Error).message}`);
    console.log(`latest-cdk: the npm registry did not answer; using the versions installed before (${describe(installed)})`);
    return installed;
  }
  if (installed && describe(installed) === describe(wanted) && fs.existsSync(path.join(latestDir, 'node_modules', 'aws-cdk-lib'))) {
    console.log(`latest-cdk: ${describe(wanted)} already in .latest-cdk/`);
    return wanted;
  }
  console.log(`latest-cdk: installing ${describe(wanted)} into .latest-cdk/`);
  fs.rmSync(latestDir, { recursive: true, force: true });
  fs.mkdirSync(latestDir, { recursive: true });
  fs.writeFileSync(path.join(latestDir, 'package.json'), JSON.stringify({
    private: true,
    description: 'The newest CDK packages for scripts/latest-cdk.ts (gitignored)',
    dependencies: wanted,
  }, undefined, 2));
  await execFileAsync('npm', ['install', '--no-audit', '--no-fund', '--no-package-lock', '--loglevel=error'], { cwd: latestDir });
  fs.writeFileSync(stampFile, JSON.stringify(wanted, undefined, 2));
  return wanted;
}

function describe(versions: Record<string, string>): string {
  return CDK_PACKAGES.map((pkg) => `${pkg}@${versions[pkg]}`).join(', ');
}

/**
 * Runs one pass in a child process (each pass needs a module cache of its own) on this same node.
 * The examples are TypeScript: ts-node transpiles them only (the typecheck task checks their types).
 */
function pass(name: 'floor' | 'latest', outFile: string): Promise<PassSummary> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', __filename, '--pass', name, outFile], {
      stdio: 'inherit',
      cwd: root,
      env: { ...process.env, TS_NODE_PROJECT: path.join(root, 'tsconfig.dev.json') },
    });
    child.on('error', reject);
    child.on('exit', (code) => code === 0
      ? resolve(JSON.parse(fs.readFileSync(outFile, 'utf-8')) as PassSummary)
      : reject(new Error(`latest-cdk: the ${name} pass exited with ${code}`)));
  });
}

/** Every difference between the floor and the latest pass, one line each. */
function differences(floor: PassSummary, latest: PassSummary): string[] {
  const out: string[] = [];
  const names = [...new Set([...Object.keys(floor.examples), ...Object.keys(latest.examples)])].sort();
  for (const name of names) {
    const f = floor.examples[name];
    const l = latest.examples[name];
    if (!f || !l) {
      out.push(`${name}: example only in the ${f ? 'floor' : 'latest'} pass`);
      continue;
    }
    if (f.failure !== l.failure) {
      out.push(`${name}: synth on floor: ${f.failure ?? 'ok'}; on latest: ${l.failure ?? 'ok'}`);
    }
    for (const stack of [...new Set([...Object.keys(f.stacks), ...Object.keys(l.stacks)])].sort()) {
      const fs1 = f.stacks[stack];
      const ls1 = l.stacks[stack];
      if (!fs1 || !ls1) {
        out.push(`${name}/${stack}: stack only on ${fs1 ? 'floor' : 'latest'}`);
        continue;
      }
      for (const type of [...new Set([...Object.keys(fs1), ...Object.keys(ls1)])].sort()) {
        if ((fs1[type] ?? 0) !== (ls1[type] ?? 0)) {
          out.push(`${name}/${stack}: ${type} ${fs1[type] ?? 0} on floor, ${ls1[type] ?? 0} on latest`);
        }
      }
    }
    for (const [what, a, b] of [['finding', f.findings, l.findings], ['error annotation', f.errors, l.errors]] as const) {
      for (const x of a.filter((v) => !b.includes(v))) out.push(`${name}: ${what} only on floor: ${x}`);
      for (const x of b.filter((v) => !a.includes(v))) out.push(`${name}: ${what} only on latest: ${x}`);
    }
  }
  return out;
}

function matcher(pattern: string): RegExp {
  return new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
}

async function main(): Promise<void> {
  const started = Date.now();
  const versions = await ensureLatest();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'latest-cdk-'));
  let floor: PassSummary;
  let latest: PassSummary;
  try {
    // Both at once: the passes are independent, and this machine has two cores.
    const results = await Promise.allSettled([pass('floor', path.join(work, 'floor.json')), pass('latest', path.join(work, 'latest.json'))]);
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed.length > 0) throw new Error(failed.map((r) => (r.reason as Error).message).join('\n'));
    [floor, latest] = results.map((r) => (r as PromiseFulfilledResult<PassSummary>).value);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  if (describe(latest.versions) !== describe(versions)) {
    throw new Error(`latest-cdk: the latest pass loaded ${describe(latest.versions)}, not ${describe(versions)}`);
  }
  const stacks = Object.values(floor.examples).reduce((n, e) => n + Object.keys(e.stacks).length, 0);
  console.log(`latest-cdk: floor ${describe(floor.versions)}`);
  console.log(`latest-cdk: latest ${describe(latest.versions)}`);
  console.log(`latest-cdk: ${Object.keys(floor.examples).length} examples, ${stacks} stacks synthesized on each`);

  const known = (JSON.parse(fs.readFileSync(knownFile, 'utf-8')) as { known: KnownDifference[] }).known;
  const used = new Set<KnownDifference>();
  const unexplained: string[] = [];
  for (const d of differences(floor, latest)) {
    const k = known.find((entry) => matcher(entry.difference).test(d));
    if (k) {
      used.add(k);
      console.log(`  known: ${d}\n         (${k.reason})`);
    } else {
      unexplained.push(d);
    }
  }
  for (const k of known.filter((entry) => !used.has(entry))) {
    console.log(`latest-cdk: note: the known difference "${k.difference}" was not seen; remove it from scripts/latest-cdk-known.json once it is gone for good`);
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  if (unexplained.length > 0) {
    console.error(`latest-cdk: FAILED: ${unexplained.length} difference(s) between the floor and the latest aws-cdk-lib that scripts/latest-cdk-known.json does not explain:`);
    for (const d of unexplained) console.error(`  ${d}`);
    console.error('latest-cdk: fix the library, or add each to scripts/latest-cdk-known.json with the reason');
    process.exit(1);
  }
  console.log(`latest-cdk: ok after ${seconds}s: ${used.size === 0 ? 'no difference' : `only known differences (${used.size} explained)`}`);
}

if (process.argv[2] === '--pass') {
  runPass(process.argv[3], process.argv[4]);
} else if (require.main === module) {
  main().catch((e: Error) => {
    console.error(e.message);
    process.exit(1);
  });
}
