/**
 * Reference app: the Dynatrace hub with 50 spoke VPCs, as a whole `cdk synth` app process,
 * built with this library (bench/library-reference-app.js) and with aws-cdk-lib alone
 * (bench/raw-reference-app.js, the same resource types and counts over the whole app, laid out
 * as a team would by hand: checked after the warm-up round, bench/resource-parity.ts). Prints
 * both medians and library / raw (goal: at most 1.3×), then the import cost
 * (bench/import-cost.ts). Measures; never fails on time.
 * Run: npx projen bench (after `npx projen compile`).
 */
import { printImportCost } from './import-cost';
import { assertParity, stackSummary } from './resource-parity';
import { alternate, machine, runCount, signedMs, spread, Timing } from './whole-process';

const SPOKES = 50;
const RUNS = runCount(9);

function main(): void {
  const [library, raw, checked] = alternate([
    { name: 'library', args: ['bench/library-reference-app.js', String(SPOKES)] },
    { name: 'raw', args: ['bench/raw-reference-app.js', String(SPOKES)] },
    { name: 'library + checks', args: ['bench/library-reference-app.js', String(SPOKES), '--checks'] },
  ], RUNS, {
    afterWarmUp: ([libraryTypes, rawTypes, checkedTypes]) => {
      assertParity(`${SPOKES} spokes`, libraryTypes, rawTypes);
      assertParity(`${SPOKES} spokes, with --checks`, checkedTypes, rawTypes);
    },
  });
  console.log(`reference app: the Dynatrace hub (Sydney) and ${SPOKES} spoke VPCs (Tokyo); each run is one fresh`);
  console.log('`node <app>.js` process with CDK_OUTDIR set, i.e. what `cdk synth` runs (the CLI\'s own start-up, the same');
  console.log('for every app, is not included). Denominator of "× raw": the same infrastructure written with aws-cdk-lib alone.');
  console.log(`machine: ${machine()}; median of ${RUNS} runs, the three apps alternated in each round, after one warm-up round\n`);
  console.log(`resources per stack, library: ${stackSummary(library.resourceTypes)}`);
  console.log(`resources per stack, raw:     ${stackSummary(raw.resourceTypes)}\n`);
  console.log('| app | wall ms | min–max ms | × raw | CPU ms | × raw (CPU) |');
  console.log('|---|---:|---:|---:|---:|---:|');
  const row = (label: string, t: Timing): void => console.log(`| ${label} | ${t.median.toFixed(0)} | ${spread(t)} | ` +
    `${(t.median / raw.median).toFixed(2)} | ${t.cpuMedian.toFixed(0)} | ${(t.cpuMedian / raw.cpuMedian).toFixed(2)} |`);
  row('raw aws-cdk-lib (bench/raw-reference-app.js)', raw);
  row('library (bench/library-reference-app.js)', library);
  row('library + PrivateLinkChecks (loads cdk-nag, runs the rules)', checked);
  const ratio = library.median / raw.median;
  console.log(`\nlibrary / raw: ${ratio.toFixed(2)}× wall (${library.median.toFixed(0)} ms / ${raw.median.toFixed(0)} ms, ` +
    `${signedMs(library.median - raw.median)} ms; goal ≤ 1.3×: ${ratio <= 1.3 ? 'met' : 'not met'}), ` +
    `${(library.cpuMedian / raw.cpuMedian).toFixed(2)}× CPU (${library.cpuMedian.toFixed(0)} ms / ${raw.cpuMedian.toFixed(0)} ms)\n`);
  printImportCost();
}

main();
