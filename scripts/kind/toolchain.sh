#!/usr/bin/env bash
# The offline kind toolchain: kind and a node image built from the Go module proxy and Debian
# packages, for hosts that cannot pull from container registries. Everything is cached under
# $ZK_CHAOS_CACHE/kind, keyed by the versions in versions.sh; a second run only checks.
# Prints two lines: the kind binary and the node image.
set -euo pipefail
here=$(dirname "$0")
source "$here/../lib/common.sh"
source "$here/versions.sh"
LOG_PREFIX=kind-toolchain

bin="$ZK_CHAOS_CACHE/kind/bin/$KUBERNETES_VERSION-kind-$KIND_VERSION"
node_image="zk-chaos/kind-node:$KUBERNETES_VERSION-kind-$KIND_VERSION"
if ! docker image inspect "$node_image" >/dev/null 2>&1 || [ ! -x "$bin/kind" ]; then
  started=$(date +%s)
  echo "[$LOG_PREFIX] building the offline toolchain into $ZK_CHAOS_CACHE/kind (cold: about 15 min on 2 cores plus module downloads; cached afterwards)" >&2
  bash "$here/build-node-image.sh" --prefetch >/dev/null
  bash "$here/build-kubernetes.sh" "$bin"
  bash "$here/build-components.sh" "$bin"
  bash "$here/build-node-image.sh" "$bin" "$node_image"
  echo "[$LOG_PREFIX] toolchain built in $(( $(date +%s) - started ))s" >&2
fi
echo "$bin/kind"
echo "$node_image"
