#!/usr/bin/env bash
# Install what bench/run.py needs besides the Python venv: wrk (Debian) and the Node baselines
# (@apollo/gateway, @apollo/server, @graphql-hive/gateway and Node 26 from the `node` npm package),
# pinned by bench/node/package-lock.json.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

if ! command -v wrk >/dev/null; then
  sudo_cmd=""
  if [ "$(id -u)" -ne 0 ]; then sudo_cmd="sudo"; fi
  $sudo_cmd apt-get update -qq
  $sudo_cmd apt-get install -y -qq wrk
fi
command -v taskset >/dev/null || { echo "taskset (util-linux) is required" >&2; exit 1; }

cd "$here/node"
npm ci --no-audit --no-fund
node26="$here/node/node_modules/.bin/node"
version="$("$node26" --version 2>/dev/null || true)"
case "$version" in
  v26.*) echo "Node for the baselines: $version ($node26)" ;;
  *) echo "WARNING: node@26 did not install ($version); bench/run.py will use $(command -v node) $(node --version)" >&2 ;;
esac
wrk --version 2>&1 | head -1 || true
echo "ready: .venv/bin/python -m bench.run --quick --gateways apollo,hive"
