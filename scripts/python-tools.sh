#!/usr/bin/env bash
# Creates .venv/ and installs the pinned Python tools npm test needs (cfn-lint, checkov, moto).
# Re-runs pip only when scripts/python-requirements.txt changes.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.venv
requirements=scripts/python-requirements.txt
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
stamp="$venv/.installed-$(sha256sum "$requirements" | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  echo "installing $(grep -cv '^\s*#' "$requirements") Python tools into $venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements"
  rm -f "$venv"/.installed-*
  touch "$stamp"
fi
