/**
 * Resource parity: the library reference app (bench/library-reference-app.js) and the raw one
 * (bench/raw-reference-app.js) must build the same stacks with the same resource types and
 * counts in each, or the timing ratio compares different infrastructure. The timing benchmarks
 * (bench/synth-spokes.ts, bench/reference-app.ts) check it on their warm-up round and stop
 * before timing anything when the apps differ. Run on its own, it synthesizes both apps once per
 * spoke count (default: the per-spoke benchmark's), prints each stack's resource count, and exits
 * non-zero on any difference:
 *   npx ts-node --project tsconfig.dev.json bench/resource-parity.ts [spokes ...] [--types]
 * (--types also lists each kind of stack's resource types and counts.)
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** Per stack, the number of resources of each type. */
export type StackResourceTypes = Record<string, Record<string, number>>;

/** The spoke counts of the per-spoke benchmark (bench/synth-spokes.ts). */
export const SPOKE_COUNTS = [1, 10, 50, 90];

/** The resource types and counts of every stack template in a cloud assembly directory. */
export function stackResourceTypes(outdir: string): StackResourceTypes {
  const stacks: StackResourceTypes = {};
  for (const file of fs.readdirSync(outdir).filter((f) => f.endsWith('.template.json')).sort()) {
    const template = JSON.parse(fs.readFileSync(path.join(outdir, file), 'utf8'));
    const types: Record<string, number> = {};
    for (const resource of Object.values<{ Type: string }>(template.Resources ?? {})) {
      types[resource.Type] = (types[resource.Type] ?? 0) + 1;
    }
    stacks[file.replace(/\.template\.json$/, '')] = types;
  }
  return stacks;
}

/** Every stack missing on one side, and every resource type whose count differs. */
export function parityDifferences(library: StackResourceTypes, raw: StackResourceTypes): string[] {
  const differences: string[] = [];
  for (const stack of [...new Set([...Object.keys(library), ...Object.keys(raw)])].sort()) {
    const l = library[stack];
    const r = raw[stack];
    if (!l || !r) {
      differences.push(`stack ${stack}: only in the ${l ? 'library' : 'raw'} app`);
      continue;
    }
    for (const type of [...new Set([...Object.keys(l), ...Object.keys(r)])].sort()) {
      if ((l[type] ?? 0) !== (r[type] ?? 0)) differences.push(`stack ${stack}: ${type} library ${l[type] ?? 0}, raw ${r[type] ?? 0}`);
    }
  }
  return differences;
}

/** Throws, naming every difference, unless both apps have the same resources per stack. */
export function assertParity(label: string, library: StackResourceTypes, raw: StackResourceTypes): void {
  const differences = parityDifferences(library, raw);
  if (differences.length > 0) {
    throw new Error(`${label}: the library and raw reference apps build different resources, so their times are not comparable:\n  ` +
      differences.join('\n  '));
  }
}

/** A per-spoke stack's name with its spoke number replaced by <i>. */
function perSpoke(stack: string): string {
  return stack.replace(/Spoke\d+/, 'Spoke<i>');
}

function total(types: Record<string, number>): number {
  return Object.values(types).reduce((sum, n) => sum + n, 0);
}

/**
 * Resources per stack, the per-spoke stacks folded into one entry when they are all alike:
 * "Hub 52, Spokes 106, Hub-Dynatrace-Spoke<i> 10 (×50), Hub-Dynatrace-Spoke<i>-Probe 16 (×50)".
 */
export function stackSummary(stacks: StackResourceTypes): string {
  const groups = new Map<string, number[]>();
  for (const [stack, types] of Object.entries(stacks)) {
    const name = perSpoke(stack);
    groups.set(name, [...groups.get(name) ?? [], total(types)]);
  }
  // The app's own stacks first, then the per-spoke ones.
  const ordered = [...groups].sort(([a], [b]) => Number(a.includes('<i>')) - Number(b.includes('<i>')) || a.length - b.length);
  return ordered.map(([name, totals]) => {
    if (totals.length === 1 && !name.includes('<i>')) return `${name} ${totals[0]}`;
    const distinct = [...new Set(totals)];
    return `${name} ${distinct.length === 1 ? distinct[0] : `${Math.min(...totals)}–${Math.max(...totals)}`} (×${totals.length})`;
  }).join(', ');
}

/** Synthesizes one app with CDK_OUTDIR set, as `cdk synth` does, and reads its templates. */
export function synthesize(app: string, spokes: number): StackResourceTypes {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-parity-'));
  try {
    const env: NodeJS.ProcessEnv = { ...process.env, CDK_OUTDIR: outdir };
    delete env.NODE_OPTIONS;
    const result = spawnSync(process.execPath, [app, String(spokes)], { env, encoding: 'utf8', cwd: path.join(__dirname, '..') });
    if (result.status !== 0) throw new Error(`"node ${app} ${spokes}" failed (${result.status ?? result.signal}):\n${result.stderr.slice(-3000)}`);
    return stackResourceTypes(outdir);
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

/** Resource types and counts of one stack of each kind (the first per-spoke stack stands for the rest). */
function printTypes(stacks: StackResourceTypes): void {
  const seen = new Set<string>();
  const ordered = Object.entries(stacks).sort(([a], [b]) => Number(a.includes('-')) - Number(b.includes('-')) || a.length - b.length);
  for (const [stack, types] of ordered) {
    if (seen.has(perSpoke(stack))) continue;
    seen.add(perSpoke(stack));
    const list = Object.entries(types).sort(([a], [b]) => a.localeCompare(b)).map(([type, n]) => `${n} ${type}`);
    console.log(`  ${perSpoke(stack)} (${total(types)}): ${list.join(', ')}`);
  }
}

function main(): void {
  const counts = process.argv.slice(2).map(Number).filter((n) => Number.isInteger(n) && n > 0);
  const showTypes = process.argv.includes('--types');
  let failed = false;
  for (const spokes of counts.length > 0 ? counts : SPOKE_COUNTS) {
    const library = synthesize('bench/library-reference-app.js', spokes);
    const raw = synthesize('bench/raw-reference-app.js', spokes);
    const differences = parityDifferences(library, raw);
    console.log(`${spokes} spokes: ${Object.keys(library).length} stacks; library: ${stackSummary(library)}; raw: ${stackSummary(raw)}; ` +
      (differences.length === 0 ? 'same resource types and counts in every stack' : `${differences.length} differences:`));
    for (const difference of differences) console.log(`  ${difference}`);
    if (showTypes) printTypes(raw);
    failed ||= differences.length > 0;
  }
  if (failed) process.exitCode = 1;
}

if (require.main === module) {
  main();
}
