#!/usr/bin/env bash
# Python binding vs TypeScript: the Dynatrace same-region app synthesized by bench/python-binding.py
# (through the wheel jsii-pacmak builds, in .venv-bindings/) and by bench/python-binding.ts (the
# compiled library on Node.js), each in fresh processes, alternating; one warm-up run of each is
# discarded, then the median of BENCH_RUNS (default 5) runs. Prints Python's synth time divided by
# TypeScript's. Measures only: never fails on time. Run: npx projen bench, or bash bench/python-binding.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${BENCH_RUNS:-5}

[ -f .jsii ] && [ -f lib/index.js ] || npx projen compile
log=$(mktemp)
if ! bash bindings/run.sh --prepare-only python >"$log" 2>&1; then
  cat "$log" >&2
  echo "bench/python-binding.sh: building the Python binding failed (output above)" >&2
  exit 1
fi
rm -f "$log"

results=$(mktemp)
for i in $(seq 0 "$runs"); do
  ts=$(npx --no-install ts-node --transpile-only --project tsconfig.dev.json bench/python-binding.ts)
  py=$(.venv-bindings/bin/python bench/python-binding.py)
  [ "$i" -eq 0 ] && continue # warm-up: jsii's package cache, the OS file cache
  echo "ts $ts" >>"$results"
  echo "py $py" >>"$results"
done

python3 - "$results" "$runs" <<'PY'
import json, statistics, sys
rows = {"ts": [], "py": []}
for line in open(sys.argv[1]):
    lang, data = line.split(" ", 1)
    rows[lang].append(json.loads(data))
med = {lang: {k: statistics.median(r[k] for r in rs) for k in ("load_ms", "synth_ms", "total_ms")} for lang, rs in rows.items()}
resources = {r["resources"] for rs in rows.values() for r in rs}
print(f"python-binding: the Dynatrace same-region app ({'/'.join(map(str, sorted(resources)))} resources), "
      f"median of {sys.argv[2]} fresh processes per language after one warm-up\n")
print("| | load libraries s | build + synth s | total s |")
print("|---|---:|---:|---:|")
for lang, name in (("ts", "TypeScript (Node.js, lib/)"), ("py", "Python (jsii binding)")):
    m = med[lang]
    print(f"| {name} | {m['load_ms'] / 1000:.2f} | {m['synth_ms'] / 1000:.2f} | {m['total_ms'] / 1000:.2f} |")
print()
print(f"Python / TypeScript synth time: {med['py']['total_ms'] / med['ts']['total_ms']:.1f}x "
      f"(build + synth alone: {med['py']['synth_ms'] / med['ts']['synth_ms']:.1f}x; "
      f"Python's load is the jsii runtime starting Node.js and loading aws-cdk-lib)")
PY
rm -f "$results"
