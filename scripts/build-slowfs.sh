#!/usr/bin/env bash
# Builds slowfs (images/slowfs: a passthrough FUSE file system whose fsync waits, for the
# --slow-fsync member) with Go from the Go module proxy. Cached under $ZK_CHAOS_CACHE/bin by a hash
# of its sources. Prints the binary's path on stdout.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/go.sh"
LOG_PREFIX=slowfs
src="$ZK_CHAOS_ROOT/images/slowfs"
hash=$(cat "$src/main.go" "$src/go.mod" "$src/go.sum" | sha256sum | cut -c1-16)
out="$ZK_CHAOS_CACHE/bin/slowfs-$hash"
if [ ! -x "$out" ]; then
  ensure_go
  mkdir -p "$ZK_CHAOS_CACHE/bin"
  step "building slowfs (go build, modules from $(go env GOPROXY))"
  (cd "$src" && GOFLAGS=-mod=mod CGO_ENABLED=0 go build -trimpath -ldflags '-s -w' -o "$out.tmp" .) \
    || fail "go build of images/slowfs failed (its output above)" "check access to the Go module proxy (GOPROXY=$(go env GOPROXY))"
  mv "$out.tmp" "$out"
  step_done
fi
echo "$out"
