/**
 * Resource parity: the library reference app (bench/library-reference-app.js) and the raw one
 * (bench/raw-reference-app.js) must build the same resources, the same resource types and as
 * many of each over the whole app, or the timing ratio compares different infrastructure. The
 * two may lay them out in different stacks (the raw app as a team would by hand), so stacks are
 * not compared one by one; each app's stacks are listed with their resource counts. No stack of
 * either may pass CloudFormation's 500 resources (a template over CloudFormation's 1 MB is
 * reported, not failed on). The timing benchmarks (bench/synth-spokes.ts,
 * bench/reference-app.ts, bench/spoke-layout.ts) check it on their warm-up round and stop before
 * timing anything when the apps differ. Run on its own, it synthesizes both apps once per spoke
 * count (default: the issue's 1, 50 and 125), prints each stack's resource count, and exits
 * non-zero on any difference:
 *   npx ts-node --project tsconfig.dev.json bench/resource-parity.ts [spokes ...] [--types]
 * (--types also lists each stack's resource types and counts.)
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** Per stack, the number of resources of each type. */
export type StackResourceTypes = Record<string, Record<string, number>>;

/**
 * The spoke counts of the per-spoke benchmark (bench/synth-spokes.ts). Not 87 to 98: there the
 * library already splits its group stacks (at 450 resources) and the raw app not yet (at 500),
 * so the two would build different numbers of probes.
 */
export const SPOKE_COUNTS = [1, 10, 50, 125];

/** The spoke counts issue 21 asks the layout benchmark for (bench/spoke-layout.ts). */
export const ISSUE_SPOKE_COUNTS = [1, 50, 125];

/** CloudFormation's limit of resources per stack. */
export const MAX_RESOURCES_PER_STACK = 500;

function stackName(templateFile: string): string {
  return templateFile.replace(/\.template\.json$/, '');
}

/** The resource types and counts of every stack template in a cloud assembly directory. */
export function stackResourceTypes(outdir: string): StackResourceTypes {
  const stacks: StackResourceTypes = {};
  const files = fs.readdirSync(outdir).filter((f) => f.endsWith('.template.json'));
  for (const file of files.sort((a, b) => stackName(a).localeCompare(stackName(b)))) {
    const template = JSON.parse(fs.readFileSync(path.join(outdir, file), 'utf8'));
    const types: Record<string, number> = {};
    for (const resource of Object.values<{ Type: string }>(template.Resources ?? {})) {
      types[resource.Type] = (types[resource.Type] ?? 0) + 1;
    }
    stacks[stackName(file)] = types;
  }
  return stacks;
}

/** The number of resources of each type over every stack of an app. */
export function appResourceTypes(stacks: StackResourceTypes): Record<string, number> {
  const types: Record<string, number> = {};
  for (const stackTypes of Object.values(stacks)) {
    for (const [type, n] of Object.entries(stackTypes)) types[type] = (types[type] ?? 0) + n;
  }
  return types;
}

/** Every resource type whose count over the whole app differs between the two apps. */
export function parityDifferences(library: StackResourceTypes, raw: StackResourceTypes): string[] {
  const l = appResourceTypes(library);
  const r = appResourceTypes(raw);
  const differences: string[] = [];
  for (const type of [...new Set([...Object.keys(l), ...Object.keys(r)])].sort()) {
    if ((l[type] ?? 0) !== (r[type] ?? 0)) differences.push(`${type}: library ${l[type] ?? 0}, raw ${r[type] ?? 0}`);
  }
  return differences;
}

/** Throws, naming every difference, unless both apps have as many resources of each type. */
export function assertParity(label: string, library: StackResourceTypes, raw: StackResourceTypes): void {
  const differences = parityDifferences(library, raw);
  if (differences.length > 0) {
    throw new Error(`${label}: the library and raw reference apps build different resources, so their times are not comparable:\n  ` +
      differences.join('\n  '));
  }
}

/** CloudFormation's limit of a template's size (a template uploaded to S3, as the CDK does for large ones). */
export const MAX_TEMPLATE_BYTES = 1_048_576;

/**
 * Every template in a cloud assembly directory larger than CloudFormation accepts, even without
 * the indentation the CDK writes (so a lower bound of what CloudFormation gets).
 */
export function oversizedTemplates(outdir: string): string[] {
  return fs.readdirSync(outdir).filter((f) => f.endsWith('.template.json')).sort().flatMap((file) => {
    const bytes = Buffer.byteLength(JSON.stringify(JSON.parse(fs.readFileSync(path.join(outdir, file), 'utf8'))));
    return bytes > MAX_TEMPLATE_BYTES
      ? [`stack ${stackName(file)}: template ${bytes} bytes without indentation, CloudFormation accepts ${MAX_TEMPLATE_BYTES}`]
      : [];
  });
}

/** Every stack with more resources than CloudFormation accepts. */
export function oversizedStacks(stacks: StackResourceTypes): string[] {
  return Object.entries(stacks).filter(([, types]) => total(types) > MAX_RESOURCES_PER_STACK)
    .map(([stack, types]) => `stack ${stack}: ${total(types)} resources, CloudFormation accepts ${MAX_RESOURCES_PER_STACK}`);
}

function total(types: Record<string, number>): number {
  return Object.values(types).reduce((sum, n) => sum + n, 0);
}

/** The number of resources over every stack of an app. */
export function resourceTotal(stacks: StackResourceTypes): number {
  return total(appResourceTypes(stacks));
}

/**
 * Resources per stack, in the order of the cloud assembly (by name), and over the app:
 * "Hub 51, Spokes 100, Hub-Spokes-HubSide 250, Hub-Spokes-SpokeDns 260 (661 in 4 stacks)".
 */
export function stackSummary(stacks: StackResourceTypes): string {
  const entries = Object.entries(stacks);
  return `${entries.map(([stack, types]) => `${stack} ${total(types)}`).join(', ')} ` +
    `(${resourceTotal(stacks)} in ${entries.length} stacks)`;
}

/**
 * Synthesizes one app with CDK_OUTDIR set, as `cdk synth` does, and returns what `read` makes of
 * its cloud assembly directory (removed afterwards).
 */
export function synthesizeWith<T>(app: string, spokes: number, read: (outdir: string) => T): T {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-parity-'));
  try {
    const env: NodeJS.ProcessEnv = { ...process.env, CDK_OUTDIR: outdir };
    delete env.NODE_OPTIONS;
    const result = spawnSync(process.execPath, [app, String(spokes)], { env, encoding: 'utf8', cwd: path.join(__dirname, '..') });
    if (result.status !== 0) throw new Error(`"node ${app} ${spokes}" failed (${result.status ?? result.signal}):\n${result.stderr.slice(-3000)}`);
    return read(outdir);
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

/** Synthesizes one app with CDK_OUTDIR set, as `cdk synth` does, and reads its templates. */
export function synthesize(app: string, spokes: number): StackResourceTypes {
  return synthesizeWith(app, spokes, stackResourceTypes);
}

/** Resource types and counts, first over the whole app, then of each stack. */
function printTypes(label: string, stacks: StackResourceTypes): void {
  const list = (types: Record<string, number>) =>
    Object.entries(types).sort(([a], [b]) => a.localeCompare(b)).map(([type, n]) => `${n} ${type}`).join(', ');
  console.log(`  ${label}, whole app (${resourceTotal(stacks)}): ${list(appResourceTypes(stacks))}`);
  for (const [stack, types] of Object.entries(stacks)) console.log(`    ${stack} (${total(types)}): ${list(types)}`);
}

function main(): void {
  const counts = process.argv.slice(2).map(Number).filter((n) => Number.isInteger(n) && n > 0);
  const showTypes = process.argv.includes('--types');
  let failed = false;
  for (const spokes of counts.length > 0 ? counts : ISSUE_SPOKE_COUNTS) {
    const read = (outdir: string) => ({ types: stackResourceTypes(outdir), largeTemplates: oversizedTemplates(outdir) });
    const { types: library, largeTemplates: libraryLarge } = synthesizeWith('bench/library-reference-app.js', spokes, read);
    const { types: raw, largeTemplates: rawLarge } = synthesizeWith('bench/raw-reference-app.js', spokes, read);
    const differences = parityDifferences(library, raw);
    const oversized = [...oversizedStacks(library).map((s) => `library ${s}`), ...oversizedStacks(raw).map((s) => `raw ${s}`)];
    console.log(`${spokes} spokes: ` + (differences.length === 0
      ? 'same resource types and counts over the whole app'
      : `${differences.length} resource types with different counts over the whole app:`));
    for (const difference of differences) console.log(`  ${difference}`);
    for (const stack of oversized) console.log(`  ${stack}`);
    // Reported, not failed on: the apps still build the same resources, but a deploy would fail.
    for (const large of [...libraryLarge.map((s) => `library ${s}`), ...rawLarge.map((s) => `raw ${s}`)]) console.log(`  WARNING ${large}`);
    console.log(`  library: ${stackSummary(library)}`);
    console.log(`  raw:     ${stackSummary(raw)}`);
    if (showTypes) {
      printTypes('library', library);
      printTypes('raw', raw);
    }
    failed ||= differences.length > 0 || oversized.length > 0;
  }
  if (failed) process.exitCode = 1;
}

if (require.main === module) {
  main();
}
