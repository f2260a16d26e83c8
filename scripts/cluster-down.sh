#!/usr/bin/env bash
# Deletes the kind cluster (ZK_CHAOS_CLUSTER, default zk-chaos).
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
LOG_PREFIX=cluster
name=${ZK_CHAOS_CLUSTER:-zk-chaos}
kind=$(kind_binary)
[ -n "$kind" ] || fail "kind is not installed" "nothing to delete, or install kind"
step "deleting cluster $name"
"$kind" delete cluster --name "$name"
step_done
