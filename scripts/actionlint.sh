#!/usr/bin/env bash
# Lints the generated GitHub workflows (.github/workflows/*.yml) with actionlint, a Go program
# installed from the Go module proxy into .tools/bin/ inside this clone (GOBIN; gitignored) and
# reused while its version is the pinned one. Part of `npm test` (test:workflows).
# Where Go is missing it says so and skips, as the Go binding test does; CI (CI=true) has Go and
# fails instead. shellcheck and pyflakes integrations are off, so every machine checks the same.
set -euo pipefail
cd "$(dirname "$0")/.."
version=v1.7.12
bin=.tools/bin
if ! command -v go > /dev/null; then
  if [ "${CI:-}" = "true" ]; then
    echo "actionlint: FAILED: Go is not installed on this CI machine (needed to install actionlint $version)" >&2
    exit 1
  fi
  echo "actionlint: SKIPPED: Go is not installed here, so actionlint $version cannot be installed; the workflows were not linted (CI lints them)" >&2
  exit 0
fi
if [ "$("$bin/actionlint" -version 2> /dev/null | head -1)" != "$version" ]; then
  echo "actionlint: installing github.com/rhysd/actionlint/cmd/actionlint@$version into $bin/"
  GOBIN="$PWD/$bin" go install "github.com/rhysd/actionlint/cmd/actionlint@$version"
fi
workflows=(.github/workflows/*.yml)
"$bin/actionlint" -shellcheck= -pyflakes= "${workflows[@]}"
echo "actionlint: ${#workflows[@]} workflows ok (${workflows[*]})"
