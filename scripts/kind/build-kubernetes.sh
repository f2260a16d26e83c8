#!/usr/bin/env bash
# Builds the Kubernetes binaries a kind node needs from the Go module proxy (no git, no registry):
# a throw-away module requiring k8s.io/kubernetes, with its staging modules pinned the way its
# own go.mod leaves them (v0.0.0 + replace), and the version stamped so kubeadm sees it.
# Usage: build-kubernetes.sh OUT_DIR
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"
source "$(dirname "$0")/../lib/go.sh"
source "$(dirname "$0")/versions.sh"
LOG_PREFIX=kind-toolchain
out=$1
binaries=(kube-apiserver kube-controller-manager kube-scheduler kube-proxy kubelet kubeadm kubectl)

if [ -f "$out/.done-$KUBERNETES_VERSION" ]; then exit 0; fi
ensure_go

work="$ZK_CHAOS_CACHE/kind/src/kubernetes-$KUBERNETES_VERSION"
mkdir -p "$work" "$out"
step "downloading k8s.io/kubernetes@$KUBERNETES_VERSION module"
gomod=$(cd "$work" && go mod download -json "k8s.io/kubernetes@$KUBERNETES_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
[ -f "$gomod" ] || fail "could not download k8s.io/kubernetes@$KUBERNETES_VERSION" "check access to the Go module proxy (GOPROXY)"
staging_version="v0.${KUBERNETES_VERSION#v1.}"
go_directive=$(grep -m1 '^go ' "$gomod")
{
  echo "module zk-chaos.invalid/kubernetes-build"
  echo "$go_directive"
  echo "require k8s.io/kubernetes $KUBERNETES_VERSION"
  echo "replace ("
  # Every k8s.io module k8s.io/kubernetes requires at v0.0.0 is one of its staging repositories.
  grep -E '^\s+k8s\.io/[a-z0-9-]+ v0\.0\.0(\s|$)' "$gomod" | awk -v v="$staging_version" '{ print "\t" $1 " => " $1 " " v }'
  echo ")"
} > "$work/go.mod"
echo 'package main' > "$work/main.go"; echo 'func main() {}' >> "$work/main.go"

minor=${KUBERNETES_VERSION#v1.}; minor=${minor%%.*}
pkg_version=""
for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  pkg_version+=" -X $p.gitVersion=$KUBERNETES_VERSION -X $p.gitMajor=1 -X $p.gitMinor=$minor"
  pkg_version+=" -X $p.gitCommit=0000000000000000000000000000000000000000 -X $p.gitTreeState=clean"
  pkg_version+=" -X $p.buildDate=2000-01-01T00:00:00Z"
done
step "compiling ${binaries[*]} (the slow part: 5-25 min on 2 cores when cold; about 2,500 packages)"
# shellcheck disable=SC2046 # one argument per binary
(cd "$work" && GOFLAGS=-mod=mod CGO_ENABLED=0 with_progress "$work/build.log" go build -v -trimpath -ldflags "-s -w $pkg_version" -o "$out/" \
    $(printf 'k8s.io/kubernetes/cmd/%s ' "${binaries[@]}")) \
  || fail "go build of Kubernetes failed (go build in $work; its last lines above, all of it in $work/build.log)" "check access to the Go module proxy (GOPROXY=$(go env GOPROXY)) and free disk"
"$out/kubeadm" version -o short | grep -qx "$KUBERNETES_VERSION" || fail "kubeadm does not report $KUBERNETES_VERSION" "the version stamping failed"
touch "$out/.done-$KUBERNETES_VERSION"
step_done
