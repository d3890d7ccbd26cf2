/**
 * Per-spoke cost: the reference app (bench/library-reference-app.js) and the same
 * infrastructure in aws-cdk-lib alone (bench/raw-reference-app.js) with 1, 10, 50 and 125 spoke
 * VPCs, each run a whole `cdk synth` app process, all eight commands alternated in every round.
 * Stops after the warm-up round unless both apps have the same resource types and counts over
 * the whole app (bench/resource-parity.ts). Prints the medians and the least-squares slope in
 * ms per spoke for each. Measures; never fails on time.
 * Run: npx projen bench (after `npx projen compile`).
 */
import { assertParity, SPOKE_COUNTS, stackSummary } from './resource-parity';
import { alternate, leastSquares, machine, runCount, Timing } from './whole-process';

// Each spoke adds resources to its group's stacks, which go on in another pair before
// CloudFormation's 500 resources per stack, so those no longer bound the count; SpokePeering's
// limit of 125 peering connections per hub VPC (the AWS quota's maximum) does. 125 spokes: 6 stacks.
const SIZES = SPOKE_COUNTS;
const RUNS = runCount(7);

function slope(timings: Timing[], cpu: boolean): string {
  const fit = leastSquares(SIZES.map((n, i) => [n, cpu ? timings[i].cpuMedian : timings[i].median]));
  return `${fit.slope.toFixed(1)} ms per spoke (intercept ${fit.intercept.toFixed(0)} ms)`;
}

function main(): void {
  const timings = alternate(SIZES.flatMap((n) => [
    { name: `library ${n}`, args: ['bench/library-reference-app.js', String(n)] },
    { name: `raw ${n}`, args: ['bench/raw-reference-app.js', String(n)] },
  ]), RUNS, {
    afterWarmUp: (resources) => SIZES.forEach((n, i) => assertParity(`${n} spokes`, resources[2 * i], resources[2 * i + 1])),
  });
  const library = SIZES.map((_, i) => timings[2 * i]);
  const raw = SIZES.map((_, i) => timings[2 * i + 1]);
  console.log(`per-spoke cost: the reference app with ${SIZES.join(', ')} spoke VPCs; each run is one fresh \`node <app>.js\``);
  console.log('process with CDK_OUTDIR set, i.e. what `cdk synth` runs. Denominator of "× raw": the same infrastructure');
  console.log('written with aws-cdk-lib alone (bench/raw-reference-app.js) with as many spokes.');
  console.log(`machine: ${machine()}; median of ${RUNS} runs, all ${timings.length} commands alternated in each round, after one warm-up round\n`);
  console.log('| spokes | library wall ms | raw wall ms | × raw | library CPU ms | raw CPU ms | × raw (CPU) | library resources per stack |');
  console.log('|---:|---:|---:|---:|---:|---:|---:|---:|');
  SIZES.forEach((n, i) => {
    const l = library[i];
    const r = raw[i];
    console.log(`| ${n} | ${l.median.toFixed(0)} | ${r.median.toFixed(0)} | ${(l.median / r.median).toFixed(2)} | ` +
      `${l.cpuMedian.toFixed(0)} | ${r.cpuMedian.toFixed(0)} | ${(l.cpuMedian / r.cpuMedian).toFixed(2)} | ${stackSummary(l.resourceTypes)} |`);
  });
  console.log(`\nslope, least squares over the ${SIZES.length} medians:`);
  console.log(`  wall: library ${slope(library, false)}, raw ${slope(raw, false)}`);
  console.log(`  CPU:  library ${slope(library, true)}, raw ${slope(raw, true)}`);
}

main();
