#!/usr/bin/env bash
# cfn-lint and checkov over every synthesized example template (examples/cdk.out/),
# with the pinned tools scripts/python-tools.sh installs in .venv/.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/python-tools.sh
venv=.venv

mapfile -t templates < <(find examples/cdk.out -name '*.template.json' | sort)
if [ "${#templates[@]}" -eq 0 ]; then
  echo "no synthesized example templates under examples/cdk.out: run 'npx projen examples' first" >&2
  exit 1
fi

echo "cfn-lint $("$venv/bin/cfn-lint" --version | awk '{print $2}') over ${#templates[@]} templates"
# Any error, warning or informational finding fails the run (cfn-lint exits non-zero).
"$venv/bin/cfn-lint" --format parseable -- "${templates[@]}"
echo "cfn-lint: no findings"

echo "checkov $("$venv/bin/checkov" --version) over ${#templates[@]} templates"
args=()
for t in "${templates[@]}"; do args+=(--file "$t"); done
"$venv/bin/checkov" --config-file .checkov.yaml --quiet --compact "${args[@]}"
echo "checkov: every check passed or is skipped with a reason in .checkov.yaml"
