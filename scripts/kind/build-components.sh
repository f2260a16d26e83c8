#!/usr/bin/env bash
# Builds, from the Go module proxy and Debian's compiler, every non-Kubernetes binary an offline
# kind cluster needs: kind itself, etcd, CoreDNS, kindnetd, local-path-provisioner, crictl, pause.
# etcd and CoreDNS are built through a three-line main of ours importing their libraries (their
# own main modules carry replace directives that `go install` refuses). Each binary is cached.
# Usage: build-components.sh OUT_DIR
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"
source "$(dirname "$0")/../lib/go.sh"
source "$(dirname "$0")/versions.sh"
LOG_PREFIX=kind-toolchain
out=$1
src="$ZK_CHAOS_CACHE/kind/src"
mkdir -p "$out" "$src"
ensure_go
export CGO_ENABLED=0 GOFLAGS=-mod=mod

# wrapper_build NAME MODULE@VERSION MAIN_GO PACKAGE_TO_BUILD
wrapper_build() {
  local name=$1 requirement=$2 main=$3 dir="$src/$1"
  mkdir -p "$dir"
  printf 'module zk-chaos.invalid/%s\n\ngo 1.24\n\nrequire %s\n' "$name" "${requirement/@/ }" > "$dir/go.mod"
  printf '%s\n' "$main" > "$dir/main.go"
  (cd "$dir" && go mod tidy >/dev/null 2>&1 || true; go build -trimpath -ldflags '-s -w' -o "$out/$name" .) \
    || fail "building $name failed" "read the errors above"
}

# go_install NAME PACKAGE@VERSION: a module whose main package can be installed as it is.
go_install() {
  [ -x "$out/$1" ] && return 0
  step "building $1 ${2##*@}"
  GOBIN="$out" go install "$2" || fail "go install $2 failed" "read the errors above; check access to the Go module proxy"
}

go_install kind "sigs.k8s.io/kind@$KIND_VERSION"
go_install local-path-provisioner "github.com/rancher/local-path-provisioner@$LOCAL_PATH_PROVISIONER_VERSION"
go_install crictl "sigs.k8s.io/cri-tools/cmd/crictl@$CRI_TOOLS_VERSION"

if [ ! -x "$out/etcd" ]; then
  step "building etcd $ETCD_VERSION"
  wrapper_build etcd "go.etcd.io/etcd/server/v3@$ETCD_VERSION" 'package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }'
fi

if [ ! -x "$out/coredns" ]; then
  step "building CoreDNS $COREDNS_VERSION (the plugins kubeadm's Corefile uses)"
  plugins=""
  for p in cache errors forward health kubernetes loadbalance log loop metrics ready reload whoami; do
    plugins+="	_ \"github.com/coredns/coredns/plugin/$p\""$'\n'
  done
  wrapper_build coredns "github.com/coredns/coredns@$COREDNS_VERSION" "package main

import (
	_ \"github.com/coredns/coredns/core/dnsserver\"
	\"github.com/coredns/coredns/coremain\"
$plugins)

func main() { coremain.Run() }"
fi

if [ ! -x "$out/pause" ]; then
  step "building pause (static C)"
  pause_c=$(go env GOMODCACHE)/k8s.io/kubernetes@$KUBERNETES_VERSION/build/pause/linux/pause.c
  [ -f "$pause_c" ] || (cd "$src" && go mod download "k8s.io/kubernetes@$KUBERNETES_VERSION")
  if ! command -v gcc >/dev/null; then
    can_be_root && command -v apt-get >/dev/null || fail "gcc is missing (it compiles pause)" "apt-get install gcc libc6-dev (as root)"
    apt_install gcc libc6-dev || fail "apt-get install gcc libc6-dev failed" "install gcc and libc6-dev"
  fi
  gcc -Os -static -Wall -DVERSION=3.10.1 -o "$out/pause" "$pause_c" || fail "compiling pause failed" "apt-get install gcc libc6-dev"
fi
step_done
