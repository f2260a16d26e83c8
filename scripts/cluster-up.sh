#!/usr/bin/env bash
# Creates the kind cluster from kind-config.yaml and loads the ZooKeeper image into it.
#   ZK_CHAOS_CLUSTER   cluster name (default zk-chaos)
#   ZK_CHAOS_PORT_MAPPINGS=0  no NodePorts mapped to 127.0.0.1 (the host reaches only the API server)
#   ZK_CHAOS_OFFLINE   1: build kind and the node image here (no registry); 0: stock kind and
#                      kindest/node from the registries; unset: online when kindest/node can be
#                      pulled, offline otherwise
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/go.sh"
source "$(dirname "$0")/kind/versions.sh"
LOG_PREFIX=cluster
cd "$ZK_CHAOS_ROOT"
name=${ZK_CHAOS_CLUSTER:-zk-chaos}
started=$(date +%s)

bash scripts/docker-engine.sh

# Online: kind's own default node image, pinned by digest, which needs a cgroup v2 host (its
# kubelet refuses v1). Offline, or on a cgroup v1 host: Kubernetes $KUBERNETES_VERSION built here.
online_image=$KIND_DEFAULT_NODE_IMAGE
cgroup_v2=0; [ "$(stat -fc %T /sys/fs/cgroup 2>/dev/null)" = cgroup2fs ] && cgroup_v2=1
mode=${ZK_CHAOS_OFFLINE:-auto}
if [ "$mode" = auto ]; then
  if [ "$cgroup_v2" = 0 ]; then
    echo "[$LOG_PREFIX] this host uses cgroup v1; kind's default node image ($online_image) needs v2: building Kubernetes $KUBERNETES_VERSION here" >&2
    mode=1
  elif docker image inspect "$online_image" >/dev/null 2>&1; then mode=0
  else
    step "checking whether $online_image can be pulled"
    if timeout 120 docker pull -q "$online_image" >/dev/null 2>&1; then mode=0
    else echo "[$LOG_PREFIX] $online_image cannot be pulled here: building kind and the node image instead" >&2; mode=1; fi
    step_done
  fi
elif [ "$mode" = 0 ]; then
  [ "$cgroup_v2" = 1 ] || fail "--online needs a cgroup v2 host: $online_image (kind $KIND_VERSION's default) refuses cgroup v1" "drop --online (Kubernetes $KUBERNETES_VERSION is then built here), or use a cgroup v2 host"
  if ! docker image inspect "$online_image" >/dev/null 2>&1; then
    step "pulling $online_image"
    docker pull -q "$online_image" >/dev/null 2>"$ZK_CHAOS_CACHE/pull.log" \
      || fail "the pull of $online_image was refused: $(tail -n 2 "$ZK_CHAOS_CACHE/pull.log" | tr '\n' ' ')" "check access to the registry, or drop --online to build the node image here"
    step_done
  fi
fi
if [ "$mode" = 1 ]; then
  echo "[$LOG_PREFIX] offline mode: kind and the node image are built here" >&2
  # Not `mapfile < <(...)`: a process substitution's failure would be lost.
  toolchain=$(bash scripts/kind/toolchain.sh) \
    || fail "building the offline kind toolchain failed (its failing step is named above)" "fix that step, then rerun npm run cluster:up (what was built is cached)"
  kind=$(sed -n 1p <<<"$toolchain"); node_image=$(sed -n 2p <<<"$toolchain")
  [ -x "$kind" ] && [ -n "$node_image" ] || fail "the offline toolchain did not name a kind binary and a node image (got: $toolchain)" "rerun npm run toolchain and read its output"
else
  echo "[$LOG_PREFIX] online mode: stock kind and $online_image" >&2
  kind=$(command -v kind || true)
  if [ -z "$kind" ] && [ -x "$ZK_CHAOS_CACHE/bin/kind" ]; then kind="$ZK_CHAOS_CACHE/bin/kind"; fi
  if [ -z "$kind" ]; then
    ensure_go
    step "installing kind $KIND_VERSION (go install)"
    GOBIN="$ZK_CHAOS_CACHE/bin" go install "sigs.k8s.io/kind@$KIND_VERSION" || fail "could not install kind" "install kind: https://kind.sigs.k8s.io/docs/user/quick-start/"
    kind="$ZK_CHAOS_CACHE/bin/kind"
  fi
  node_image=$online_image
fi

# Many nodes on one kernel exhaust the default inotify limits (kubelet, systemd, containerd).
# Raised (never lowered) as root, or through password-less sudo; otherwise left as they are.
raise_inotify_limit() {
  local key=$1 want=$2 have
  have=$(cat "/proc/sys/${key//.//}" 2>/dev/null) || return 0   # sysctl is not on a user's PATH
  [ "$have" -ge "$want" ] && return 0
  if can_be_root; then
    as_root sysctl -qw "$key=$want" || true
  else
    echo "[$LOG_PREFIX] $key is $have, below the $want kind's nodes may need; raise it as root (sysctl -w $key=$want)" >&2
  fi
}
raise_inotify_limit fs.inotify.max_user_watches 524288
raise_inotify_limit fs.inotify.max_user_instances 512

# A failed listing is not an absent cluster (creating it then fails on the nodes that exist):
# the listing is retried, and named when it keeps failing.
list_clusters() {
  local attempt
  for attempt in 1 2 3; do
    "$kind" get clusters 2>"$ZK_CHAOS_CACHE/get-clusters.log" && return 0
    [ "$attempt" = 3 ] || sleep $((attempt * 2))
  done
  return 1
}
clusters=$(list_clusters) \
  || fail "kind get clusters failed 3 times: $(tail -n 2 "$ZK_CHAOS_CACHE/get-clusters.log" | tr '\n' ' ')" "check the Docker engine (docker ps), then rerun npm run cluster:up"
reused=0
if grep -qx "$name" <<<"$clusters"; then
  echo "[$LOG_PREFIX] cluster $name exists; reusing it" >&2
  reused=1
  # After a host or Docker restart the node containers may be stopped, or just starting.
  mapfile -t stopped < <(docker ps -a --filter "label=io.x-k8s.kind.cluster=$name" --filter status=exited --format '{{.Names}}')
  if [ "${#stopped[@]}" -gt 0 ]; then
    step "starting the stopped nodes of $name (${stopped[*]})"
    docker start "${stopped[@]}" >/dev/null || fail "could not start the nodes of $name" "delete the cluster: npm run cluster:down"
  fi
else
  shared="$ZK_CHAOS_CACHE/shared-volumes/$name"
  mkdir -p "$shared"
  config=$(mktemp --suffix=.yaml)
  trap 'rm -f "$config"' EXIT
  sed "s|ZK_CHAOS_SHARED_DIR|$shared|g" kind-config.yaml > "$config"
  if [ "${ZK_CHAOS_PORT_MAPPINGS:-1}" = 0 ]; then
    # A cluster the host reaches only through its API server, like most clusters users have:
    # the suites then reach the members through port-forwards (e2e --context ... --access port-forward).
    sed -i '/extraPortMappings:/d; /containerPort: [0-9]*, hostPort:/d' "$config"
  fi
  # Tells .ci/run that this run created the cluster, so it deletes it afterwards: written before
  # the creation, so that a creation cut short is cleaned too (cluster-down.sh removes it).
  touch "$ZK_CHAOS_CACHE/cluster-created-$name"
  step "creating cluster $name (1 control plane, 4 workers) from $node_image"
  "$kind" create cluster --name "$name" --config "$config" --image "$node_image" --wait 5m \
    || fail "kind create cluster failed" "rerun with --retain via: $kind create cluster --retain ...; then $kind export logs"
fi
"$kind" get kubeconfig --name "$name" > "$ZK_CHAOS_CACHE/kubeconfig-$name"
kubectl_bin=$(command -v kubectl || echo "$(dirname "$kind")/kubectl")
kubectl_cluster() { "$kubectl_bin" --kubeconfig "$ZK_CHAOS_CACHE/kubeconfig-$name" "$@"; }
if [ "$reused" = 1 ]; then
  # A reused cluster may still be coming back: its API server, then its nodes, must answer first.
  step "waiting for the API server and the nodes of $name"
  deadline=$(( $(date +%s) + 300 ))
  until kubectl_cluster get --raw /readyz >/dev/null 2>&1; do
    [ "$(date +%s)" -lt "$deadline" ] || fail "the API server of $name does not answer" "delete and recreate the cluster: npm run cluster:down && npm run cluster:up"
    sleep 2
  done
  kubectl_cluster wait --for=condition=Ready nodes --all --timeout=300s >/dev/null \
    || fail "the nodes of $name are not Ready" "see kubectl describe nodes, or recreate: npm run cluster:down && npm run cluster:up"
  # A run killed during the drain suite leaves nodes cordoned; the next drain would then find no
  # room. Say what is being undone.
  cordoned=$(kubectl_cluster get nodes -o jsonpath='{range .items[?(@.spec.unschedulable==true)]}{.metadata.name}{" "}{end}')
  if [ -n "$cordoned" ]; then
    echo "[$LOG_PREFIX] uncordoning nodes an earlier run left cordoned: $cordoned" >&2
    # shellcheck disable=SC2086 # node names contain no spaces
    kubectl_cluster uncordon $cordoned >/dev/null || fail "could not uncordon $cordoned" "kubectl uncordon $cordoned"
  fi
  # Namespaces a killed or interrupted run left: the main ensemble's is reused (the suites re-apply
  # it); every other one holding an ensemble of the harness's (labelled io.zk-chaos/ensemble, as
  # harness/zookeeper/ensemble-manifests.ts makes them: the negative control's, `zk-chaos run
  # --target kind`'s, the tests') is deleted: each holds three members' memory and CPU, and maybe
  # the NodePorts. Namespaces without the label are not the harness's to delete, whatever their name.
  main_ns=${ZK_CHAOS_NAMESPACE:-zk-chaos}
  ours=$(kubectl_cluster get namespaces -l io.zk-chaos/ensemble -o jsonpath='{range .items[*]}{.metadata.name}{" "}{end}')
  if [[ " $ours " == *" $main_ns "* ]]; then
    echo "[$LOG_PREFIX] namespace $main_ns is left from an earlier run: the suites re-apply its ensemble and reuse it" >&2
  fi
  stale=()
  for ns in $ours; do
    [[ $ns != "$main_ns" ]] && stale+=("$ns")
  done
  if [ "${#stale[@]}" -gt 0 ]; then
    step "deleting namespaces an earlier run left (${stale[*]})"
    kubectl_cluster delete namespace "${stale[@]}" --wait --timeout=300s >/dev/null \
      || fail "could not delete ${stale[*]}" "kubectl delete namespace ${stale[*]}"
    step_done
  fi
fi
step "installing the shared storage class (manifests/storage)"
kubectl_cluster apply --server-side -f manifests/storage/ >/dev/null \
  || fail "applying manifests/storage failed" "check the cluster with kubectl get nodes"
zk_image=$(bash scripts/build-zookeeper-image.sh)
# Only the workers run pods (kind taints the control plane when there are workers).
workers=$("$kind" get nodes --name "$name" | grep -v control-plane | sort | paste -sd, -)
step "loading $zk_image into the workers ($workers)"
"$kind" load docker-image --name "$name" --nodes "$workers" "$zk_image" >/dev/null || fail "kind load of $zk_image failed" "check disk space"
step_done
echo "[$LOG_PREFIX] cluster $name ready in $(( $(date +%s) - started ))s (kubectl context kind-$name)" >&2
echo "$kind" > "$ZK_CHAOS_CACHE/kind-binary"
