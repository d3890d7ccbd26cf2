/**
 * Timing whole Node.js processes, the way a user waits for `cdk synth`: each measured command
 * is a fresh `node` process, the commands being compared run alternated within one round
 * (A B A B …) so machine drift hits all of them equally, one warm-up round is discarded, and
 * the median of the remaining rounds is reported: wall-clock time (what the user waits for)
 * and the CPU time the process used (bench/cpu-usage.js), which other work on a shared machine
 * disturbs less. Used by the benchmarks in bench/.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { stackResourceTypes, StackResourceTypes } from './resource-parity';

/** One command to time: `node <args>`, with CDK_OUTDIR set to a fresh directory per run. */
export interface NodeCommand {
  readonly name: string;
  readonly args: string[];
}

export interface Timing {
  readonly name: string;
  /** Wall-clock milliseconds of each measured run, in run order. */
  readonly runs: number[];
  /** Median wall-clock milliseconds. */
  readonly median: number;
  /** Median CPU milliseconds (user + system) of the process. */
  readonly cpuMedian: number;
  /** Resource types and their counts per stack in the cloud assembly the warm-up run wrote (empty when none). */
  readonly resourceTypes: StackResourceTypes;
}

export interface AlternateOptions {
  /**
   * Called with each command's resource types per stack once the warm-up round has run, before
   * any measured round; throwing stops the benchmark there.
   */
  readonly afterWarmUp?: (resourceTypes: StackResourceTypes[]) => void;
}

/** The number of measured runs: BENCH_RUNS when set, else the given default. */
export function runCount(fallback: number): number {
  const n = Number(process.env.BENCH_RUNS);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Least-squares line through the points: y = intercept + slope × x. */
export function leastSquares(points: Array<[number, number]>): { slope: number; intercept: number } {
  const n = points.length;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  const sxy = points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0);
  const sxx = points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  const slope = sxx === 0 ? 0 : sxy / sxx;
  return { slope, intercept: my - slope * mx };
}

/** The machine, for the heading of every table: cores, CPU model, Node.js and aws-cdk-lib versions. */
export function machine(): string {
  let model = os.cpus()[0]?.model ?? 'unknown CPU';
  try {
    model = /^model name\s*:\s*(.+)$/m.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? model;
  } catch {
    // not Linux: os.cpus() has the model too
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const cdkVersion: string = require('aws-cdk-lib/package.json').version;
  let cores = String(os.availableParallelism());
  try {
    cores = execFileSync('nproc', { encoding: 'utf8' }).trim();
  } catch {
    // no coreutils: Node's count is the same figure
  }
  return `nproc ${cores}, ${model}, Node.js ${process.version}, aws-cdk-lib ${cdkVersion}`;
}

const CPU_USAGE = path.join(__dirname, 'cpu-usage.js');

/** Wall-clock and CPU milliseconds of one fresh `node` process, and the directory it wrote its cloud assembly to. */
function timeOnce(command: NodeCommand): { ms: number; cpuMs: number; outdir: string } {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-process-'));
  const env: NodeJS.ProcessEnv = { ...process.env, CDK_OUTDIR: outdir };
  delete env.NODE_OPTIONS; // the benchmark's own loaders (ts-node) must not reach the timed process
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, ['-r', CPU_USAGE, ...command.args], { env, encoding: 'utf8', cwd: path.join(__dirname, '..') });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) {
    fs.rmSync(outdir, { recursive: true, force: true });
    throw new Error(`"node ${command.args.join(' ')}" failed (${result.status ?? result.signal}):\n${result.stderr.slice(-3000)}`);
  }
  const cpu = /^bench-cpu-ms (\S+)$/m.exec(result.stderr);
  if (!cpu) throw new Error(`"node ${command.args.join(' ')}" did not report its CPU time (bench/cpu-usage.js)`);
  return { ms, cpuMs: Number(cpu[1]), outdir };
}

/**
 * Runs every command once per round, in the given order, for one discarded warm-up round and
 * then `runs` measured rounds. Returns the timings in the order of the commands.
 */
export function alternate(commands: NodeCommand[], runs: number, options: AlternateOptions = {}): Timing[] {
  const times = commands.map(() => [] as number[]);
  const cpu = commands.map(() => [] as number[]);
  const resourceTypes = commands.map(() => ({} as StackResourceTypes));
  for (let round = 0; round <= runs; round++) {
    commands.forEach((command, i) => {
      const { ms, cpuMs, outdir } = timeOnce(command);
      if (round === 0) resourceTypes[i] = stackResourceTypes(outdir);
      if (round > 0) {
        times[i].push(ms);
        cpu[i].push(cpuMs);
      }
      fs.rmSync(outdir, { recursive: true, force: true });
    });
    if (round === 0) options.afterWarmUp?.(resourceTypes);
  }
  return commands.map((command, i) => ({
    name: command.name,
    runs: times[i],
    median: median(times[i]),
    cpuMedian: median(cpu[i]),
    resourceTypes: resourceTypes[i],
  }));
}

/** A difference in milliseconds with its sign: "+12", "−3". */
export function signedMs(ms: number): string {
  return `${ms >= 0 ? '+' : '−'}${Math.abs(ms).toFixed(0)}`;
}

/** The spread of the runs, for a table cell: "min–max". */
export function spread(timing: Timing): string {
  return `${Math.min(...timing.runs).toFixed(0)}–${Math.max(...timing.runs).toFixed(0)}`;
}
