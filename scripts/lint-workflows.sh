#!/usr/bin/env bash
# Checks .github/workflows with actionlint (syntax, expressions, matrix and job references, action
# inputs): the nightly workflow runs only on GitHub's runners, so this is what a change to it can be
# held to before it lands. actionlint is built once with Go from the Go module proxy, pinned below,
# and cached under $ZK_CHAOS_CACHE/bin. Exit code: actionlint's (0 clean, 1 problems found).
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/go.sh"
LOG_PREFIX=actionlint
ACTIONLINT_VERSION=v1.7.12
out="$ZK_CHAOS_CACHE/bin/actionlint-$ACTIONLINT_VERSION"
if [ ! -x "$out" ]; then
  ensure_go
  mkdir -p "$ZK_CHAOS_CACHE/bin"
  step "building actionlint $ACTIONLINT_VERSION (go install, modules from $(go env GOPROXY))"
  gobin=$(mktemp -d "$ZK_CHAOS_CACHE/bin/actionlint.XXXXXX")
  GOBIN="$gobin" CGO_ENABLED=0 go install -trimpath -ldflags '-s -w' "github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION" \
    || { rm -rf "$gobin"; fail "go install of actionlint failed (its output above)" "check access to the Go module proxy (GOPROXY=$(go env GOPROXY))"; }
  mv "$gobin/actionlint" "$out"
  rm -rf "$gobin"
  step_done
fi
cd "$ZK_CHAOS_ROOT"
# shellcheck, when this host has it, also checks the run: scripts; without it they are parsed only.
exec "$out" -no-color "$@"
