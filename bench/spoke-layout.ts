/**
 * Issue 21's benchmark: the reference app with 1, 50 and 125 spoke VPCs in another region than
 * the hub, built with this library (bench/library-reference-app.js) and with aws-cdk-lib alone
 * laid out as a team would by hand (bench/raw-reference-app.js: per spoke region one stack in
 * the hub's region and one in the spoke's). For each it counts, from the cloud assembly, the
 * stacks, the deploy waves (the longest chain of stack dependencies, what
 * `cdk deploy --all --concurrency N` has to wait through), the resources, Lambda functions and
 * custom resources, and what each spoke adds; and it times the whole `cdk synth` app process
 * (each run a fresh `node <app>.js N` with CDK_OUTDIR set, library and raw alternated in every
 * round, one warm-up round discarded, the median of BENCH_RUNS rounds, default 5). Beside them:
 * the figures of the layout before issue 21 (a stack pair per spoke), recorded in
 * bench/old-layout.json. Stops before timing unless both apps build the same resources
 * (bench/resource-parity.ts) in stacks of at most 500 resources; warns of a template over
 * CloudFormation's 1 MB. Measures; never fails on time.
 * Run (after `npx projen compile`):
 *   BENCH_RUNS=5 npx ts-node --project tsconfig.dev.json -r tsconfig-paths/register bench/spoke-layout.ts
 */
import * as fs from 'fs';
import * as path from 'path';
import * as cxapi from 'aws-cdk-lib/cx-api';
import {
  assertParity, ISSUE_SPOKE_COUNTS, oversizedStacks, oversizedTemplates, stackResourceTypes, StackResourceTypes, stackSummary,
  synthesizeWith,
} from './resource-parity';
import { alternate, machine, runCount } from './whole-process';
import { stackCosts } from '../scripts/deploy-waves';

const SIZES = ISSUE_SPOKE_COUNTS;
const RUNS = runCount(5);
const LIBRARY_APP = 'bench/library-reference-app.js';
const RAW_APP = 'bench/raw-reference-app.js';

/** What a layout costs at one spoke count: counted from its cloud assembly. */
export interface LayoutCounts {
  readonly stacks: number;
  readonly waves: number;
  readonly resources: number;
  readonly functions: number;
  readonly customResources: number;
}

/** The old layout's record at one spoke count (bench/old-layout.json). */
interface OldLayoutFigures extends LayoutCounts {
  readonly wallMs: number[];
  readonly wallMsMedian: number;
}

interface OldLayout {
  readonly commit: string;
  readonly node: string;
  readonly date: string;
  readonly command: string;
  readonly runs: number;
  readonly spokes: Record<string, OldLayoutFigures>;
}

/** The counts of a cloud assembly directory, and its resource types per stack. */
export function layoutCounts(outdir: string): { counts: LayoutCounts; types: StackResourceTypes; largeTemplates: string[] } {
  const stacks = new cxapi.CloudAssembly(outdir).stacks;
  const costs = stackCosts(stacks.map((s) => ({ id: s.id, stackName: s.stackName, dependencies: s.dependencies, template: s.template })));
  const sum = (key: 'resources' | 'functions' | 'customResources') => costs.reduce((n, c) => n + c[key], 0);
  return {
    counts: {
      stacks: costs.length,
      waves: Math.max(0, ...costs.map((c) => c.wave)),
      resources: sum('resources'),
      functions: sum('functions'),
      customResources: sum('customResources'),
    },
    types: stackResourceTypes(outdir),
    largeTemplates: oversizedTemplates(outdir),
  };
}

/** What each spoke adds: (total at n − total at 1 spoke) / (n − 1); at 1 spoke, the totals. */
function perSpoke(at: LayoutCounts, atOne: LayoutCounts, n: number): string {
  const one = (key: 'resources' | 'functions' | 'customResources') =>
    (n === 1 ? at[key] : Number(((at[key] - atOne[key]) / (n - 1)).toFixed(2)));
  return `${one('resources')} / ${one('functions')} / ${one('customResources')}`;
}

function main(): void {
  const old: OldLayout = JSON.parse(fs.readFileSync(path.join(__dirname, 'old-layout.json'), 'utf8'));
  const oldAt = (n: number): OldLayoutFigures => {
    const figures = old.spokes[String(n)];
    if (!figures) throw new Error(`bench/old-layout.json has no figures for ${n} spokes`);
    return figures;
  };

  // Count first (one untimed synth of each app per size), and stop unless the apps compare.
  const counted = SIZES.map((n) => {
    const library = synthesizeWith(LIBRARY_APP, n, layoutCounts);
    const raw = synthesizeWith(RAW_APP, n, layoutCounts);
    assertParity(`${n} spokes`, library.types, raw.types);
    const oversized = [...oversizedStacks(library.types).map((s) => `library ${s}`), ...oversizedStacks(raw.types).map((s) => `raw ${s}`)];
    if (oversized.length > 0) throw new Error(`${n} spokes: stacks CloudFormation would refuse:\n  ${oversized.join('\n  ')}`);
    return { n, library, raw };
  });

  const timings = alternate(SIZES.flatMap((n) => [
    { name: `library ${n}`, args: [LIBRARY_APP, String(n)] },
    { name: `raw ${n}`, args: [RAW_APP, String(n)] },
  ]), RUNS);

  const major = Number(/^v(\d+)/.exec(process.version)?.[1]);
  console.log(`spoke layout (issue 21): the reference app, the Dynatrace hub (Sydney) with ${SIZES.join(', ')} spoke VPCs (Tokyo).`);
  console.log(`Node.js ${process.version}${major === 22 || major === 24 ? '' : ' (the issue asks for Node.js 22 or 24)'}; machine: ${machine()}`);
  console.log(`library: ${LIBRARY_APP} (the compiled lib/); raw: ${RAW_APP}, the same resources in aws-cdk-lib alone, per spoke region`);
  console.log('one hub-side stack in the hub\'s region and one stack in the spoke\'s region, split only at CloudFormation\'s 500 resources.');
  console.log('waves: the longest chain of stack dependencies (manifest.json); custom resources: Custom::* and AWS::CloudFormation::CustomResource;');
  console.log('per spoke: (total at N − total at 1 spoke) / (N − 1), at 1 spoke the totals; resources / functions / custom resources.');
  console.log(`wall ms: median of ${RUNS} whole-process runs (\`node <app>.js N\` with CDK_OUTDIR set), the ${timings.length} commands alternated in each`);
  console.log('round after one warm-up round.');
  console.log(`old layout (a stack pair per spoke): bench/old-layout.json, commit ${old.commit}, Node.js ${old.node}, ${old.date}, median of ` +
    `${old.runs} runs of \`${old.command}\`.\n`);

  console.log('| spokes | stacks | waves | resources | Lambda functions | custom resources | per spoke | wall ms ' +
    '| raw stacks | raw waves | raw resources | raw wall ms ' +
    '| old stacks | old waves | old resources | old Lambda functions | old custom resources | old per spoke | old wall ms |');
  console.log(`|${' ---: |'.repeat(19)}`);
  const libraryAtOne = counted[0].library.counts;
  const oldAtOne = oldAt(SIZES[0]);
  counted.forEach(({ n, library, raw }, i) => {
    const l = library.counts;
    const r = raw.counts;
    const o = oldAt(n);
    console.log(`| ${n} | ${l.stacks} | ${l.waves} | ${l.resources} | ${l.functions} | ${l.customResources} | ${perSpoke(l, libraryAtOne, n)} ` +
      `| ${timings[2 * i].median.toFixed(0)} ` +
      `| ${r.stacks} | ${r.waves} | ${r.resources} | ${timings[2 * i + 1].median.toFixed(0)} ` +
      `| ${o.stacks} | ${o.waves} | ${o.resources} | ${o.functions} | ${o.customResources} | ${perSpoke(o, oldAtOne, n)} | ${o.wallMsMedian} |`);
  });
  console.log('\nresources per stack:');
  for (const { n, library, raw } of counted) {
    console.log(`  ${n} spokes, library: ${stackSummary(library.types)}`);
    console.log(`  ${n} spokes, raw:     ${stackSummary(raw.types)}`);
  }
  const large = counted.flatMap(({ n, library, raw }) => [
    ...library.largeTemplates.map((s) => `${n} spokes, library ${s}`),
    ...raw.largeTemplates.map((s) => `${n} spokes, raw ${s}`),
  ]);
  if (large.length > 0) console.log(`\nWARNING: templates CloudFormation would refuse (a deploy fails; synth times still compare):\n  ${large.join('\n  ')}`);
}

if (require.main === module) {
  main();
}
