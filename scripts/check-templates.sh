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

# A skip list in the config would hide from CI what users' own checkov runs report: skips live
# in the templates, each with its reason (see .checkov.yaml).
if grep -qE '^[[:space:]]*(skip-check|soft-fail|soft-fail-on|check)[[:space:]]*:' .checkov.yaml; then
  echo ".checkov.yaml must not skip, soft-fail or select checks: skip in the resource's Metadata, with a reason" >&2
  exit 1
fi

echo "checkov $("$venv/bin/checkov" --version) over ${#templates[@]} templates"
args=()
for t in "${templates[@]}"; do args+=(--file "$t"); done
report=.checkov-report
rm -rf "$report"
# The JSON report (not --quiet: it must list the skipped checks too) is read below; checkov's own
# exit status counts as well.
status=0
"$venv/bin/checkov" --config-file .checkov.yaml --compact "${args[@]}" -o json --output-file-path "$report" >/dev/null || status=$?
if [ ! -f "$report/results_json.json" ]; then
  echo "checkov wrote no report (exit status $status)" >&2
  exit 1
fi

# Fails on any failed check, unparsed template, or skip without a reason (checkov accepts a skip
# with no comment); counts the skips by check, each of which carries its reason in the template.
"$venv/bin/python" - "$report/results_json.json" "$status" <<'PY'
import collections, json, sys
data = json.load(open(sys.argv[1]))
reports = data if isinstance(data, list) else [data]
failed = [c for r in reports for c in r["results"]["failed_checks"]]
skipped = [c for r in reports for c in r["results"]["skipped_checks"]]
unparsed = sum(r["summary"]["parsing_errors"] for r in reports)
passed = sum(r["summary"]["passed"] for r in reports)
for c in failed:
    print(f"checkov: FAILED {c['check_id']} ({c['check_name']}) on {c['resource']} in {c['file_path']}", file=sys.stderr)
unexplained = [c for c in skipped
               if (c["check_result"].get("suppress_comment") or "").strip() in ("", "No comment provided")]
for c in unexplained:
    print(f"checkov: {c['check_id']} skipped without a reason on {c['resource']} in {c['file_path']}", file=sys.stderr)
if failed or unexplained or unparsed or sys.argv[2] != "0":
    sys.exit(f"checkov: {len(failed)} failed, {len(unexplained)} skipped without a reason, "
             f"{unparsed} templates not parsed (exit status {sys.argv[2]})")
by_check = collections.Counter(c["check_id"] for c in skipped)
print(f"checkov: {passed} passed, 0 failed, no project-wide skips; {len(skipped)} skipped, each with its reason "
      "in the resource's Metadata: " + ", ".join(f"{k} x{n}" for k, n in sorted(by_check.items())))
PY
