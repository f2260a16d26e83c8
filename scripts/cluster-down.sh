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
# A creation that was interrupted can still be making node containers inside the Docker engine
# (each `docker run` kind started completes on the engine's side): they appear after kind has
# deleted what it saw. Remove the late ones too, until none has appeared for three seconds.
if command -v docker >/dev/null; then
  quiet=0
  for _ in $(seq 1 60); do
    late=$(docker ps -a --filter "label=io.x-k8s.kind.cluster=$name" --format '{{.Names}}')
    if [ -z "$late" ]; then
      quiet=$((quiet + 1))
      [ "$quiet" -ge 3 ] && break
    else
      quiet=0
      echo "[$LOG_PREFIX] removing node containers of $name that appeared while it was deleted: $(echo $late)" >&2
      # shellcheck disable=SC2086 # container names contain no spaces
      docker rm -f -v $late >/dev/null 2>&1 || true
    fi
    sleep 1
  done
  [ -z "$(docker ps -a --filter "label=io.x-k8s.kind.cluster=$name" -q)" ] \
    || fail "node containers of $name are still there" "docker ps -a --filter label=io.x-k8s.kind.cluster=$name; docker rm -f them"
fi
# cluster-up.sh's note that it created this cluster (read by .ci/run) ends with the cluster.
rm -f "$ZK_CHAOS_CACHE/cluster-created-$name"
step_done
