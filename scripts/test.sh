#!/usr/bin/env bash
# `npm test`: setup, type check, then one vitest run of the unit and integration projects, plus the
# cluster test when the kind cluster is up (ZK_CHAOS_CLUSTER_TEST=1 always includes it, so a
# cluster that should be up but is not fails the test; =0 leaves it out).
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
LOG_PREFIX=test
cd "$ZK_CHAOS_ROOT"
bash scripts/setup.sh
tsc --noEmit
projects=(--project unit --project integration)
name=${ZK_CHAOS_CLUSTER:-zk-chaos}
kind=$(kind_binary)
cluster_up=0
[ -n "$kind" ] && "$kind" get clusters 2>/dev/null | grep -qx "$name" && cluster_up=1
case "${ZK_CHAOS_CLUSTER_TEST:-auto}" in
  1) [ "$cluster_up" = 1 ] || echo "[test] kind cluster $name is not up: the cluster test will fail (npm run cluster:up)" >&2
     projects+=(--project cluster) ;;
  0) ;;
  *) if [ "$cluster_up" = 1 ]; then projects+=(--project cluster)
     else echo "[test] kind cluster $name is not up: the cluster test is left out (npm run cluster:up includes it)" >&2; fi ;;
esac
exec vitest run "${projects[@]}"
