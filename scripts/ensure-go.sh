#!/usr/bin/env bash
# Prints the path of a Go >= 1.24: the host's, or the one scripts/lib/go.sh fetches and caches.
# For the TypeScript side (the Porcupine benchmark, the tests), which cannot source the shell helpers.
#   --check   fetch nothing: exit 0 and print the host's Go when it is new enough, else exit 1
set -euo pipefail
if [ "${1:-}" = --check ]; then
  # go.sh's rule alone (it only defines functions when sourced): no cache folder, no download.
  source "$(dirname "$0")/lib/go.sh"
  host_go_is_recent && command -v go
  exit
fi
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/go.sh"
[ $# -eq 0 ] || { echo "usage: $0 [--check]" >&2; exit 2; }
ensure_go
step_done
command -v go
