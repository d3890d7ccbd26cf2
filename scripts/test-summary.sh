#!/usr/bin/env bash
# Prints the jest totals as the last line of `npm test` ("jest: N passed, N failed"), read from
# the JUnit report jest-junit writes, so CI's log ends with the count of tests that ran.
set -euo pipefail
report=test-reports/junit.xml
[ -f "$report" ] || { echo "test-summary: $report is missing" >&2; exit 1; }
header=$(grep -m1 '<testsuites' "$report")
total=$(sed -E 's/.* tests="([0-9]+)".*/\1/' <<< "$header")
failures=$(sed -E 's/.* failures="([0-9]+)".*/\1/' <<< "$header")
errors=$(sed -E 's/.* errors="([0-9]+)".*/\1/' <<< "$header")
failed=$((failures + errors))
echo "jest: $((total - failed)) passed, $failed failed"
[ "$failed" -eq 0 ]
