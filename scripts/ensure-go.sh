#!/usr/bin/env bash
# Prints the path of a Go >= 1.24: the host's, or the one scripts/lib/go.sh fetches and caches.
# For the TypeScript side (the Porcupine benchmark), which cannot source the shell helpers.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/go.sh"
ensure_go
step_done
command -v go
