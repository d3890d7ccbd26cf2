#!/usr/bin/env bash
# API compatibility with the last release: jsii-diff compares the assembly just compiled (.jsii)
# with the newest version of this package on npm, and fails on breaking changes to stable APIs
# (the package is `experimental`, so jsii-diff lists changes to experimental APIs without failing;
# accept one by adding its key to .compatignore). Part of `npm test`, after the jsii compile.
# Until a version is on npm it runs in a dry mode that cannot fail: jsii-diff compares the
# assembly with itself, which checks the tool and the assembly load, and says so.
set -euo pipefail
cd "$(dirname "$0")/.."
name=$(node -p "require('./package.json').name")
[ -f .jsii ] || { echo "compat: .jsii is missing: run 'npx projen compile' first" >&2; exit 1; }
errors=$(mktemp)
trap 'rm -f "$errors"' EXIT
set +e
released=$(npm view "$name" version --json 2> "$errors")
rc=$?
set -e
if [ $rc -ne 0 ]; then
  if grep -q 'E404' "$errors"; then
    echo "compat: DRY RUN: $name has no release on npm yet, so there is nothing to compare with; jsii-diff compares the assembly with itself and cannot fail"
    if npx --no-install jsii-diff --keys --ignore-file .compatignore . .; then
      echo "compat: (dry run) jsii-diff ran: no difference between the assembly and itself"
    else
      echo "compat: (dry run) jsii-diff exited non-zero; ignored in the dry run"
    fi
    exit 0
  fi
  cat "$errors" >&2
  echo "compat: FAILED: could not ask the npm registry for the last release of $name" >&2
  exit 1
fi
released=$(node -p "JSON.parse(process.argv[1])" "$released")
echo "compat: jsii-diff against $name@$released (the last release on npm)"
npx --no-install jsii-diff --keys --ignore-file .compatignore "npm:$name@$released" .
echo "compat: no breaking change to stable APIs since $name@$released"
