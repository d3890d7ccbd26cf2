/**
 * The latest aws-cdk-lib check. Every example is synthesized with the compiled library (lib/)
 * on the floor (the dev dependencies) and on a later aws-cdk-lib, constructs and cdk-nag, and
 * the two are compared: resource types per stack, PrivateLinkChecks and AwsSolutions findings,
 * error annotations, each Lambda function's runtime. scripts/latest-cdk.json records which later
 * versions count ("recorded") and the differences they are known to make, each with its reason.
 *
 *   latest-cdk.ts check    (npm test, `test:latest-cdk`) the recorded versions, installed into
 *                          .latest-cdk/<versions>/; fails on a difference the record does not
 *                          explain, or on a handler outside the runtime policy. It never asks the
 *                          registry which version is newest, so a publish upstream cannot fail it.
 *   latest-cdk.ts newest   (npm test, `test:latest-cdk:newest`) asks the registry for the newest
 *                          versions the peer ranges allow and prints what they would change
 *                          against the record. Never fails.
 *   latest-cdk.ts bump [aws-cdk-lib version]
 *                          (`latest-cdk:bump`) records the newest (or the given) versions, drops
 *                          known differences no longer seen, and adds each new one with an empty
 *                          reason, which `check` refuses until someone writes it.
 */
import { execFile, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { promisify } from 'util';
import { CDK_PACKAGES } from './latest-cdk-pass';
import type { PassSummary } from './latest-cdk-pass';

const root = path.join(__dirname, '..');
const cacheDir = path.join(root, '.latest-cdk');
const recordFile = path.join(__dirname, 'latest-cdk.json');
const execFileAsync = promisify(execFile);

type Versions = Record<string, string>;
interface KnownDifference {
  /** the difference as this script prints it; `*` matches any text */
  readonly difference: string;
  /** why it is expected */
  readonly reason: string;
}
interface LatestRecord {
  readonly '//': string;
  readonly 'recorded': Versions;
  readonly 'known': KnownDifference[];
}

const describe = (v: Versions) => CDK_PACKAGES.map((pkg) => `${pkg}@${v[pkg]}`).join(', ');
const readRecord = () => JSON.parse(fs.readFileSync(recordFile, 'utf-8')) as LatestRecord;

// ---------------------------------------------------------------------------------------------
// Versions and installs

/** Compares release versions (x.y.z) numerically. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return pa[i] - pb[i];
  return 0;
}

/** The newest release (no pre-release) of `pkg` within `range`, from the npm registry. */
async function newest(pkg: string, range: string): Promise<string> {
  const { stdout } = await execFileAsync('npm', ['view', `${pkg}@${range}`, 'version', '--json'], { cwd: os.tmpdir(), timeout: 60_000 });
  const parsed = JSON.parse(stdout) as string | string[];
  // npm lists them in publish order, not version order (2.278.0 came before 2.277.0 once).
  const releases = (Array.isArray(parsed) ? parsed : [parsed]).filter((v) => /^\d+\.\d+\.\d+$/.test(v));
  return releases.sort(compareVersions).pop()!;
}

async function newestVersions(pin?: string): Promise<Versions> {
  const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf-8')) as { peerDependencies: Versions };
  const found = await Promise.all(CDK_PACKAGES.map((pkg) =>
    pkg === 'aws-cdk-lib' && pin ? Promise.resolve(pin) : newest(pkg, manifest.peerDependencies[pkg])));
  return Object.fromEntries(CDK_PACKAGES.map((pkg, i) => [pkg, found[i]]));
}

/** Where `versions` are installed: .latest-cdk/aws-cdk-lib@X+constructs@Y+cdk-nag@Z/ */
const folderOf = (versions: Versions) => path.join(cacheDir, CDK_PACKAGES.map((pkg) => `${pkg}@${versions[pkg]}`).join('+'));

/** Installs exactly `versions` into their folder unless they are there; returns that folder. */
async function install(versions: Versions): Promise<string> {
  const dir = folderOf(versions);
  const stamp = path.join(dir, 'installed.json');
  if (fs.existsSync(stamp) && describe(JSON.parse(fs.readFileSync(stamp, 'utf-8')) as Versions) === describe(versions)) {
    console.log(`latest-cdk: ${describe(versions)} already in ${path.relative(root, dir)}/`);
    return dir;
  }
  console.log(`latest-cdk: installing ${describe(versions)} into ${path.relative(root, dir)}/`);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({
    private: true,
    description: 'CDK packages for scripts/latest-cdk.ts (gitignored)',
    dependencies: versions,
  }, undefined, 2));
  await execFileAsync('npm', ['install', '--no-audit', '--no-fund', '--no-package-lock', '--loglevel=error'], { cwd: dir, timeout: 600_000 });
  fs.writeFileSync(stamp, JSON.stringify(versions, undefined, 2));
  return dir;
}

/** Removes what earlier runs left in .latest-cdk/ other than the installs of `keep` (all installs: `undefined`). */
function prune(keep: Versions[] | undefined): void {
  if (!fs.existsSync(cacheDir)) return;
  const kept = keep?.map(folderOf);
  for (const entry of fs.readdirSync(cacheDir)) {
    const dir = path.join(cacheDir, entry);
    if (kept ? !kept.includes(dir) : !entry.startsWith(`${CDK_PACKAGES[0]}@`)) fs.rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Passes and their comparison

/** Runs scripts/latest-cdk-pass.ts in a child process on this same node (ts-node transpiles only). */
function pass(cdk: 'floor' | string, outFile: string): Promise<PassSummary> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join(__dirname, 'latest-cdk-pass.ts'), cdk, outFile], {
      stdio: 'inherit',
      cwd: root,
      env: { ...process.env, TS_NODE_PROJECT: path.join(root, 'tsconfig.dev.json') },
    });
    child.on('error', reject);
    child.on('exit', (code) => code === 0
      ? resolve(JSON.parse(fs.readFileSync(outFile, 'utf-8')) as PassSummary)
      : reject(new Error(`latest-cdk: the pass on ${cdk === 'floor' ? 'the floor' : path.basename(cdk)} exited with ${code}`)));
  });
}

/** The floor and the `dir` pass, both at once (they are independent; the machine has two cores). */
async function passes(dir: string): Promise<[PassSummary, PassSummary]> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'latest-cdk-'));
  try {
    const results = await Promise.allSettled([pass('floor', path.join(work, 'floor.json')), pass(dir, path.join(work, 'later.json'))]);
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed.length > 0) throw new Error(failed.map((r) => (r.reason as Error).message).join('\n'));
    const [floor, later] = results.map((r) => (r as PromiseFulfilledResult<PassSummary>).value);
    return [floor, later];
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** Every difference between the floor and a later pass, one line each. */
export function differences(floor: PassSummary, later: PassSummary): string[] {
  const out: string[] = [];
  const names = [...new Set([...Object.keys(floor.examples), ...Object.keys(later.examples)])].sort();
  for (const name of names) {
    const f = floor.examples[name];
    const l = later.examples[name];
    if (!f || !l) {
      out.push(`${name}: example only in the ${f ? 'floor' : 'latest'} pass`);
      continue;
    }
    if (f.failure !== l.failure) out.push(`${name}: synth on floor: ${f.failure ?? 'ok'}; on latest: ${l.failure ?? 'ok'}`);
    for (const stack of [...new Set([...Object.keys(f.stacks), ...Object.keys(l.stacks)])].sort()) {
      const a = f.stacks[stack];
      const b = l.stacks[stack];
      if (!a || !b) {
        out.push(`${name}/${stack}: stack only on ${a ? 'floor' : 'latest'}`);
        continue;
      }
      for (const type of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
        if ((a[type] ?? 0) !== (b[type] ?? 0)) out.push(`${name}/${stack}: ${type} ${a[type] ?? 0} on floor, ${b[type] ?? 0} on latest`);
      }
    }
    for (const [fn, summary] of Object.entries(f.functions)) {
      const other = l.functions[fn];
      if (other && other.runtime !== summary.runtime) out.push(`${name}: runtime of ${fn}: ${summary.runtime} on floor, ${other.runtime} on latest`);
    }
    for (const [what, a, b] of [['finding', f.findings, l.findings], ['error annotation', f.errors, l.errors]] as const) {
      for (const x of a.filter((v) => !b.includes(v))) out.push(`${name}: ${what} only on floor: ${x}`);
      for (const x of b.filter((v) => !a.includes(v))) out.push(`${name}: ${what} only on latest: ${x}`);
    }
  }
  const policy = policyRuntime();
  if (compareRuntimes(later.nodejsLatest, policy) > 0) {
    out.push(`runtime policy: aws-cdk-lib's Runtime.NODEJS_LATEST is ${later.nodejsLatest} on latest, newer than the handlers' ${policy}`);
  }
  return out;
}

export const matcher = (pattern: string) =>
  new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);

// ---------------------------------------------------------------------------------------------
// The handlers' runtime policy (README: Handler runtime)

const runtimeMajor = (runtime: string) => Number(/^nodejs(\d+)\.x$/.exec(runtime)?.[1] ?? NaN);
const compareRuntimes = (a: string, b: string) => runtimeMajor(a) - runtimeMajor(b);

/** The runtime the handlers are pinned to: the esbuild target of every bundle task, `nodeNN` -> `nodejsNN.x`. */
export function policyRuntime(): string {
  const tasks = (JSON.parse(fs.readFileSync(path.join(root, '.projen', 'tasks.json'), 'utf-8')) as {
    tasks: Record<string, { steps?: { execArgs?: string[] }[] }>;
  }).tasks;
  const targets = new Set(Object.entries(tasks)
    .filter(([name]) => /^bundle:.*\.lambda$/.test(name))
    .flatMap(([, task]) => (task.steps ?? []).flatMap((s) => s.execArgs ?? []))
    .filter((arg) => arg.startsWith('--target='))
    .map((arg) => arg.slice('--target='.length)));
  if (targets.size !== 1) throw new Error(`latest-cdk: the handler bundles have ${targets.size} esbuild targets (${[...targets].join(', ')}), the policy wants one`);
  return `nodejs${[...targets][0].replace(/^node/, '')}.x`;
}

/** Prints how a pass's functions meet the policy; returns the breaches. */
export function checkPolicy(label: string, summary: PassSummary): string[] {
  const policy = policyRuntime();
  const fns = Object.values(summary.examples).flatMap((e) => Object.entries(e.functions));
  const ours = fns.filter(([, f]) => f.library);
  const count = (l1: string) => ours.filter(([, f]) => f.l1 === l1).length;
  console.log(`  ${label}: ${ours.length} library functions, ${ours.filter(([, f]) => f.runtime === policy).length} on ${policy}; `
    + `AwsSolutions-L1 compliant on ${count('compliant')}, acknowledged on ${count('acknowledged')}, finding on ${count('finding')}; `
    + `aws-cdk-lib's NODEJS_LATEST ${summary.nodejsLatest}, newest it knows ${summary.nodejsNewest}; other functions: ${fns.length - ours.length}`);
  const breaches: string[] = [];
  if (ours.length === 0) breaches.push(`${label}: no library function found: the policy check saw nothing`);
  for (const [fnPath, f] of fns) {
    if (f.library && f.runtime !== policy) breaches.push(`${label}: ${fnPath} runs on ${f.runtime}, not ${policy}`);
    if (f.l1 === 'finding') breaches.push(`${label}: ${fnPath} (${f.runtime}): AwsSolutions-L1 with no acknowledgement`);
    if (f.l1 === 'acknowledged' && !f.l1Reason?.trim()) breaches.push(`${label}: ${fnPath}: AwsSolutions-L1 acknowledged without a reason`);
  }
  return breaches;
}

// ---------------------------------------------------------------------------------------------
// The three commands

interface Comparison {
  readonly later: PassSummary;
  readonly explained: string[];
  readonly unexplained: string[];
  readonly unseen: KnownDifference[];
  readonly breaches: string[];
}

async function compare(versions: Versions, known: KnownDifference[], label: string): Promise<Comparison> {
  const dir = await install(versions);
  const [floor, later] = await passes(dir);
  if (describe(later.versions) !== describe(versions)) {
    throw new Error(`latest-cdk: the ${label} pass loaded ${describe(later.versions)}, not ${describe(versions)}`);
  }
  const stacks = Object.values(floor.examples).reduce((n, e) => n + Object.keys(e.stacks).length, 0);
  console.log(`latest-cdk: floor ${describe(floor.versions)}`);
  console.log(`latest-cdk: ${label} ${describe(later.versions)}`);
  console.log(`latest-cdk: ${Object.keys(floor.examples).length} examples, ${stacks} stacks synthesized on each`);
  console.log(`latest-cdk: runtime policy: the handlers run on ${policyRuntime()}, the target their bundles are built for`);
  const breaches = [...checkPolicy('floor', floor), ...checkPolicy(label, later)];
  const used = new Set<KnownDifference>();
  const explained: string[] = [];
  const unexplained: string[] = [];
  for (const d of differences(floor, later)) {
    const k = known.find((entry) => matcher(entry.difference).test(d));
    if (k) {
      used.add(k);
      explained.push(d);
      console.log(`  known: ${d}\n         (${k.reason || 'NO REASON YET'})`);
    } else {
      unexplained.push(d);
    }
  }
  return { later, explained, unexplained, unseen: known.filter((k) => !used.has(k)), breaches };
}

async function check(): Promise<number> {
  const started = Date.now();
  const record = readRecord();
  console.log(`latest-cdk: recorded ${describe(record.recorded)} (scripts/latest-cdk.json; npx projen latest-cdk:bump moves it)`);
  prune(undefined);
  const result = await compare(record.recorded, record.known, 'recorded');
  for (const k of result.unseen) {
    console.log(`latest-cdk: note: the known difference "${k.difference}" was not seen; latest-cdk:bump drops it`);
  }
  const problems = [
    ...result.breaches.map((b) => `runtime policy: ${b}`),
    ...record.known.filter((k) => !k.reason.trim()).map((k) => `no reason given for the known difference "${k.difference}"`),
    ...result.unexplained,
  ];
  if (problems.length > 0) {
    console.error(`latest-cdk: FAILED: ${problems.length} problem(s) between the floor and the recorded ${describe(record.recorded)}:`);
    for (const p of problems) console.error(`  ${p}`);
    console.error('latest-cdk: fix the library, or explain each difference in scripts/latest-cdk.json with its reason');
    return 1;
  }
  console.log(`latest-cdk: ok after ${((Date.now() - started) / 1000).toFixed(0)}s: `
    + `${result.explained.length === 0 ? 'no difference' : `only known differences (${result.explained.length}, explained)`}; runtime policy holds on both`);
  return 0;
}

async function reportNewest(): Promise<number> {
  const record = readRecord();
  let versions: Versions;
  try {
    versions = await newestVersions();
  } catch (e) {
    console.log(`latest-cdk newest: could not ask the npm registry (${(e as Error).message.split('\n')[0]}); nothing to report`);
    return 0;
  }
  console.log(`latest-cdk newest: recorded ${describe(record.recorded)}; newest on the registry ${describe(versions)}`);
  if (describe(versions) === describe(record.recorded)) {
    console.log('latest-cdk newest: nothing new: the recorded versions are the newest');
    return 0;
  }
  try {
    const result = await compare(versions, record.known, 'newest');
    prune([record.recorded, versions]);
    const news = [...result.breaches.map((b) => `runtime policy: ${b}`), ...result.unexplained];
    console.log(`latest-cdk newest: ${news.length === 0 ? 'nothing new to explain' : `${news.length} difference(s) the record does not explain yet`} `
      + '(not a failure: npm test checks the recorded versions; `npx projen latest-cdk:bump` moves the record):');
    for (const n of news) console.log(`  new: ${n}`);
    for (const k of result.unseen) console.log(`  gone: ${k.difference}`);
  } catch (e) {
    console.log(`latest-cdk newest: could not compare (${(e as Error).message.split('\n')[0]}); not a failure`);
  }
  return 0;
}

async function bump(pin?: string): Promise<number> {
  const record = readRecord();
  const versions = await newestVersions(pin);
  console.log(`latest-cdk bump: ${describe(record.recorded)} -> ${describe(versions)}`);
  const result = await compare(versions, record.known, 'latest');
  const stubs = result.unexplained.map((difference) => ({ difference, reason: '' }));
  const kept = record.known.filter((k) => !result.unseen.includes(k));
  fs.writeFileSync(recordFile, JSON.stringify({ ...record, recorded: versions, known: [...kept, ...stubs] }, undefined, 2) + '\n');
  prune([versions]);
  console.log(`latest-cdk bump: recorded ${describe(versions)}; kept ${kept.length} known difference(s), dropped ${result.unseen.length}, added ${stubs.length} without a reason`);
  for (const b of result.breaches) console.log(`  runtime policy: ${b}`);
  if (stubs.length > 0 || result.breaches.length > 0) {
    console.log('latest-cdk bump: write each reason in scripts/latest-cdk.json (or fix the library), then run npx projen test:latest-cdk');
    return 1;
  }
  return 0;
}

if (require.main === module) {
  const [command, arg] = process.argv.slice(2);
  const run = command === 'check' ? check() : command === 'newest' ? reportNewest() : command === 'bump' ? bump(arg) : undefined;
  if (!run) {
    console.error('usage: latest-cdk.ts check | newest | bump [aws-cdk-lib version]');
    process.exit(2);
  }
  run.then((code) => process.exit(code), (e: Error) => {
    console.error(e.message);
    process.exit(command === 'newest' ? 0 : 1);
  });
}
