/**
 * Handler bundles: size of each bundled Lambda handler (goal ≤ 50 KB) and its cold `require`
 * time in a fresh Node.js process (median of several processes). Measures; never fails on
 * time. Run: npx projen bench (after `npx projen bundle`).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const assets = path.join(__dirname, '..', 'assets');

function bundles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return bundles(full);
    return entry.name === 'index.js' ? [full] : [];
  });
}

/** Milliseconds to require the bundle in a new process (the AWS SDK stays lazy, as on Lambda). */
function coldRequireMs(file: string): number {
  const script = `const t=process.hrtime.bigint();require(${JSON.stringify(file)});process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))`;
  const times = Array.from({ length: RUNS }, () => Number(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })));
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
}

function main(): void {
  const files = bundles(assets).sort();
  if (files.length === 0) {
    console.error('no handler bundles under assets/: run "npx projen bundle" first');
    process.exitCode = 1;
    return;
  }
  console.log(`handler bundles: size and cold require (median of ${RUNS} fresh processes, node ${process.version})\n`);
  console.log('| handler | bundle KB | within 50 KB | cold require ms |');
  console.log('|---|---:|:---:|---:|');
  for (const file of files) {
    const kb = fs.statSync(file).size / 1024;
    const name = path.relative(assets, path.dirname(file));
    console.log(`| ${name} | ${kb.toFixed(1)} | ${kb <= 50 ? 'yes' : 'no'} | ${coldRequireMs(file).toFixed(1)} |`);
  }
}

main();
