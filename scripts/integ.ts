/**
 * The integration tests in test/integ/integ.*.ts: snapshot check (part of `npm test`), snapshot
 * update, and deploy-and-verify for anyone with an AWS account.
 *
 *   check   (`npx projen integ`)          synthesize each app as integ-runner does and compare it with
 *                                          its committed snapshot, integ.<name>.ts.snapshot/; no AWS
 *   update  (`npx projen integ:update`)   rewrite the snapshots from a fresh synth; no AWS
 *   deploy  (`npx projen integ:deploy`)   `cdk deploy --all` each app with the account's credentials, so
 *                                          its integ-tests-alpha assertions run, check every assertion
 *                                          result, then `cdk destroy --all` (`--keep` keeps the stacks)
 *
 * Why not integ-runner itself: aws-cdk-lib 2.262.0 (the floor) writes cloud assembly schema 54,
 * and the newest @aws-cdk/integ-runner the npm registry serves (2.197.10) reads schema 53 at most
 * ("Maximum schema version supported is 53.x.x, but found 54.0.0"): it cannot read these apps at
 * all. This script does what integ-runner's snapshot test does (the same synth context and
 * environment, asset hashes masked, every template and the integ manifest compared) in the
 * directory layout integ-runner uses, so the snapshots carry over once a release of it reads the
 * schema. Deploys use the aws-cdk CLI of the dev dependencies, which reads it.
 *
 * Usage: ts-node -T --project tsconfig.dev.json scripts/integ.ts <check|update|deploy> [--keep] [name ...]
 *   name: integ.privatelink-service, or privatelink-service (default: every test)
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CURRENTLY_RECOMMENDED_FLAGS } from 'aws-cdk-lib/cx-api';

const root = path.join(__dirname, '..');
const integDir = path.join(root, 'test', 'integ');
const TEST_FILE = /^integ\..+\.ts$/;

/** The app command: TypeScript run as is, `cdk-saas-privatelink` resolved to src/ (tsconfig.dev.json paths). */
const APP_COMMAND = ['node', '-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register'];

/**
 * What integ-runner synthesizes snapshots with (runner-base.ts, DEFAULT_SYNTH_OPTIONS), plus the
 * feature flags `cdk init` gives on the floor: no metadata, no version reporting, and fixed
 * placeholders for the account, region and AZs, so a snapshot never depends on who made it.
 */
const SYNTH_CONTEXT: Record<string, unknown> = {
  ...CURRENTLY_RECOMMENDED_FLAGS,
  'aws:cdk:enable-path-metadata': false,
  'aws:cdk:enable-asset-metadata': false,
  'aws:cdk:version-reporting': false,
  'aws:cdk:availability-zones:fallback': ['test-region-1a', 'test-region-1b', 'test-region-1c'],
  'availability-zones:account=12345678:region=test-region': ['test-region-1a', 'test-region-1b', 'test-region-1c'],
};
const SYNTH_ENV: Record<string, string> = {
  CDK_INTEG_ACCOUNT: '12345678',
  CDK_INTEG_REGION: 'test-region',
};

/** Snapshot files compared: every stack template and the integ manifest. Assets are not kept. */
const COMPARED = /(\.template\.json|^integ\.json)$/;
/** Snapshot files kept besides them: what a deploy of the snapshot itself needs to name its assets. */
const KEPT = /(\.template\.json|\.assets\.json|^integ\.json|^manifest\.json)$/;

/** An asset's content hash: masked, as integ-runner masks them, so a handler change is not a template change. */
const ASSET_HASH = /\b[0-9a-f]{64}\b/g;

export function testFiles(names: string[]): string[] {
  const all = fs.readdirSync(integDir).filter((f) => TEST_FILE.test(f)).sort();
  if (names.length === 0) return all;
  return names.map((name) => {
    const file = all.find((f) => f === name || f === `${name}.ts` || f === `integ.${name}.ts`);
    if (!file) throw new Error(`no integ test named ${name}: expected one of ${all.join(', ')}`);
    return file;
  });
}

export function snapshotDir(file: string): string {
  return path.join(integDir, `${file}.snapshot`);
}

/** Synthesizes one integ app into `outdir`; for a snapshot, with placeholders for the account and region. */
function synth(file: string, outdir: string, forSnapshot: boolean): void {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TS_NODE_PROJECT: path.join(root, 'tsconfig.dev.json'),
    CDK_OUTDIR: outdir,
    CDK_CONTEXT_JSON: JSON.stringify(SYNTH_CONTEXT),
  };
  if (forSnapshot) {
    Object.assign(env, SYNTH_ENV);
    delete env.CDK_DEFAULT_ACCOUNT;
    delete env.CDK_DEFAULT_REGION;
  }
  const run = spawnSync(APP_COMMAND[0], [...APP_COMMAND.slice(1), path.join(integDir, file)], { cwd: root, env, encoding: 'utf8' });
  if (run.status !== 0) {
    throw new Error(`${file} failed to synthesize (exit ${run.status}):\n${run.stderr || run.stdout}`);
  }
}

function readJson(file: string): unknown {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

/**
 * A template or manifest as compared: asset hashes masked; the manifest's schema version left out;
 * the `salt` of integ-tests-alpha's assertion resources (the synth time, so that every deploy runs
 * them again) and the hash in an equality assertion's output name masked.
 */
export function canonical(name: string, content: unknown): unknown {
  const masked = JSON.parse(JSON.stringify(content).replace(ASSET_HASH, '<asset-hash>'));
  if (name === 'integ.json') delete masked.version;
  // An equality assertion's output is named after a hash of its token-valued inputs, whose token
  // numbers vary from one synth to the next.
  if (masked.Outputs) {
    masked.Outputs = Object.fromEntries(Object.entries(masked.Outputs)
      .map(([key, value]) => [key.replace(/^(AssertionResultsEqualsAssertion\w*?)[0-9a-f]{32}$/, '$1<hash>'), value]));
  }
  for (const resource of Object.values<{ Type?: string; Properties?: Record<string, unknown> }>(masked.Resources ?? {})) {
    if (resource.Type?.startsWith('Custom::DeployAssert@') && resource.Properties?.salt !== undefined) {
      resource.Properties.salt = '<synth time>';
    }
  }
  return masked;
}

/** The JSON paths where two values differ, at most `limit` of them. */
export function differences(a: unknown, b: unknown, at = '', limit = 20): string[] {
  const out: string[] = [];
  const walk = (x: unknown, y: unknown, p: string): void => {
    if (out.length >= limit) return;
    if (x !== null && y !== null && typeof x === 'object' && typeof y === 'object' && Array.isArray(x) === Array.isArray(y)) {
      const keys = [...new Set([...Object.keys(x as object), ...Object.keys(y as object)])].sort();
      for (const key of keys) {
        const xv = (x as Record<string, unknown>)[key];
        const yv = (y as Record<string, unknown>)[key];
        const child = Array.isArray(x) ? `${p}[${key}]` : `${p}.${key}`;
        if (xv === undefined) out.push(`${child}: added`);
        else if (yv === undefined) out.push(`${child}: removed`);
        else walk(xv, yv, child);
        if (out.length >= limit) return;
      }
    } else if (JSON.stringify(x) !== JSON.stringify(y)) {
      out.push(`${p}: ${JSON.stringify(x)} -> ${JSON.stringify(y)}`.slice(0, 300));
    }
  };
  walk(a, b, at);
  return out;
}

/** Compares a fresh synth with the committed snapshot; returns the problems, none when they match. */
export function compareWithSnapshot(fresh: string, snapshot: string): string[] {
  if (!fs.existsSync(snapshot)) return [`no snapshot at ${path.relative(root, snapshot)}: run \`npx projen integ:update\``];
  const names = (dir: string) => fs.readdirSync(dir).filter((f) => COMPARED.test(f)).sort();
  const problems: string[] = [];
  const freshNames = names(fresh);
  const snapNames = names(snapshot);
  for (const name of snapNames.filter((n) => !freshNames.includes(n))) problems.push(`${name}: in the snapshot, no longer synthesized`);
  for (const name of freshNames.filter((n) => !snapNames.includes(n))) problems.push(`${name}: synthesized, not in the snapshot`);
  for (const name of freshNames.filter((n) => snapNames.includes(n))) {
    const diff = differences(canonical(name, readJson(path.join(snapshot, name))), canonical(name, readJson(path.join(fresh, name))));
    problems.push(...diff.map((d) => `${name}${d}`));
  }
  return problems;
}

/** Error annotations in the fresh synth (`cdk synth` would refuse the app): each one is a problem. */
export function errorAnnotations(outdir: string): string[] {
  const manifest = readJson(path.join(outdir, 'manifest.json')) as {
    artifacts?: Record<string, { metadata?: Record<string, { type: string; data?: unknown }[]> }>;
  };
  return Object.values(manifest.artifacts ?? {}).flatMap((artifact) => Object.entries(artifact.metadata ?? {})
    .flatMap(([at, entries]) => entries.filter((e) => e.type === 'aws:cdk:error').map((e) => `error at ${at}: ${String(e.data)}`)));
}

function writeSnapshot(fresh: string, snapshot: string): void {
  fs.rmSync(snapshot, { recursive: true, force: true });
  fs.mkdirSync(snapshot, { recursive: true });
  for (const name of fs.readdirSync(fresh).filter((f) => KEPT.test(f))) {
    fs.copyFileSync(path.join(fresh, name), path.join(snapshot, name));
  }
}

function withFreshSynth<T>(file: string, forSnapshot: boolean, use: (outdir: string) => T): T {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'integ-'));
  try {
    synth(file, outdir, forSnapshot);
    return use(outdir);
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

interface IntegManifest {
  readonly testCases: Record<string, {
    readonly stacks: string[];
    readonly assertionStack?: string;
    readonly cdkCommandOptions?: { readonly deploy?: { readonly args?: { readonly parameters?: Record<string, string> } } };
  }>;
}

function cdk(args: string[], outdir: string): number {
  const cli = path.join(root, 'node_modules', '.bin', 'cdk');
  console.log(`$ cdk ${args.join(' ')}`);
  return spawnSync(cli, [...args, '--app', outdir], { cwd: root, stdio: 'inherit' }).status ?? 1;
}

/**
 * The CloudFormation parameters of the app's templates that have neither a default nor a value in
 * `given` (keys `Stack:Name` or `Name`), as `Stack:Name: description`.
 */
export function missingParameters(outdir: string, given: Record<string, string>): string[] {
  return fs.readdirSync(outdir).filter((f) => f.endsWith('.template.json')).sort().flatMap((f) => {
    const stack = f.replace(/\.template\.json$/, '');
    const params = (readJson(path.join(outdir, f)) as { Parameters?: Record<string, { Default?: unknown; Description?: string }> }).Parameters ?? {};
    return Object.entries(params)
      .filter(([name, p]) => p.Default === undefined && given[`${stack}:${name}`] === undefined && given[name] === undefined)
      .map(([name, p]) => `${stack}:${name}: ${p.Description ?? 'no description'}`);
  });
}

/**
 * Deploys one app, checks its assertion results, destroys it (unless `keep`). Returns the problems,
 * or undefined when the app was skipped: a parameter has no value and the test was not named.
 */
function deploy(file: string, keep: boolean, named: boolean): string[] | undefined {
  return withFreshSynth(file, false, (outdir) => {
    const manifest = readJson(path.join(outdir, 'integ.json')) as IntegManifest;
    const given: Record<string, string> = Object.assign({}, ...Object.values(manifest.testCases)
      .map((c) => c.cdkCommandOptions?.deploy?.args?.parameters ?? {}));
    const missing = missingParameters(outdir, given);
    if (missing.length > 0) {
      console.log(`${file} needs values for: ${missing.join('; ')}`);
      return named ? missing.map((m) => `no value for ${m}`) : undefined;
    }
    const parameters = Object.entries(given).flatMap(([key, value]) => ['--parameters', `${key}=${value}`]);
    const outputsFile = path.join(outdir, 'outputs.json');
    const problems: string[] = [];
    const deployed = cdk(['deploy', '--all', '--require-approval', 'never', '--outputs-file', outputsFile, ...parameters], outdir);
    if (deployed !== 0) problems.push(`cdk deploy failed (exit ${deployed}): a failed assertion that waits fails its stack; see the events above`);
    if (fs.existsSync(outputsFile)) {
      const outputs = readJson(outputsFile) as Record<string, Record<string, string>>;
      for (const [stack, values] of Object.entries(outputs)) {
        for (const [key, value] of Object.entries(values).filter(([k]) => k.startsWith('AssertionResults'))) {
          const status = (JSON.parse(value) as { status?: string; message?: string });
          console.log(`${stack} ${key}: ${status.status}`);
          if (status.status !== 'success') problems.push(`${stack} ${key}: ${status.message ?? value}`);
        }
      }
    }
    if (!keep) {
      const destroyed = cdk(['destroy', '--all', '--force'], outdir);
      if (destroyed !== 0) problems.push(`cdk destroy failed (exit ${destroyed}): delete the stacks of ${file} by hand`);
    }
    return problems;
  });
}

function main(argv: string[]): number {
  const [mode, ...rest] = argv;
  const keep = rest.includes('--keep');
  const names = rest.filter((a) => a !== '--keep');
  const files = testFiles(names);
  let failed = 0;
  let skipped = 0;
  for (const file of files) {
    const started = Date.now();
    let problems: string[];
    if (mode === 'check') {
      problems = withFreshSynth(file, true, (outdir) => [...errorAnnotations(outdir), ...compareWithSnapshot(outdir, snapshotDir(file))]);
    } else if (mode === 'update') {
      problems = withFreshSynth(file, true, (outdir) => {
        const errors = errorAnnotations(outdir);
        if (errors.length === 0) writeSnapshot(outdir, snapshotDir(file));
        return errors;
      });
    } else if (mode === 'deploy') {
      const result = deploy(file, keep, names.length > 0);
      if (result === undefined) {
        console.log(`integ deploy: SKIPPED  ${file}`);
        skipped++;
        continue;
      }
      problems = result;
    } else {
      console.error('usage: scripts/integ.ts <check|update|deploy> [--keep] [name ...]');
      return 2;
    }
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    const verdict = problems.length === 0 ? (mode === 'update' ? 'UPDATED' : 'OK') : 'FAILED';
    console.log(`integ ${mode}: ${verdict.padEnd(8)} ${file} (${seconds}s)`);
    for (const problem of problems) console.log(`    ${problem}`);
    if (problems.length > 0) failed++;
  }
  console.log(`integ ${mode}: ${files.length - failed - skipped} of ${files.length} passed` + (skipped > 0 ? `, ${skipped} skipped` : ''));
  if (failed > 0 && mode === 'check') {
    console.log('A template changed: if the change is intended, run `npx projen integ:update` and commit the snapshot.');
  }
  return failed > 0 ? 1 : 0;
}

if (require.main === module) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (err) {
    console.error((err as Error).message);
    process.exitCode = 1;
  }
}
