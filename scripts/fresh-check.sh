#!/usr/bin/env bash
# The fresh-machine check: the README's two commands, `npm run e2e` then `npm test`, run from a
# clean clone of the committed HEAD with HOME pointed at an empty folder, so that the npm cache,
# the Go module and build caches and ZK_CHAOS_CACHE all start empty, and without the project's
# Docker images. Prints a summary of step times and writes it to fresh-check.json in the work
# folder. A warm machine hides missing install steps; this does not.
#   --home DIR      use DIR (must be empty or absent) instead of a temporary folder
#   --keep          keep the work folder and its caches afterwards (default: delete them)
#   --keep-images   do not remove the project's Docker images first
#   --only STEP     run one step only: e2e or test
#   --host-go       let the steps use this host's Go (default: hidden from PATH, as on a host
#                   without Go, so the project must fetch Go itself)
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
LOG_PREFIX=fresh-check

home="" keep=0 keep_images=0 only="" host_go=0
while [ $# -gt 0 ]; do
  case "$1" in
    --home) home=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    --keep-images) keep_images=1; shift ;;
    --only) only=$2; shift 2 ;;
    --host-go) host_go=1; shift ;;
    *) fail "unknown option $1" "see the options at the top of scripts/fresh-check.sh" ;;
  esac
done
case "$only" in ""|e2e|test) ;; *) fail "--only takes e2e or test, got $only" "scripts/fresh-check.sh --only test" ;; esac

if [ -z "$home" ]; then home=$(mktemp -d /var/tmp/zk-chaos-fresh.XXXXXX)
elif [ -e "$home" ] && [ -n "$(ls -A "$home")" ]; then fail "$home is not empty" "name an empty or absent folder with --home"
fi
mkdir -p "$home"
home=$(cd "$home" && pwd)
work="$home/zk-chaos"
started=$(date +%s)

cleanup() {
  # The engine started only to remove the images, when the check stopped before it stopped it.
  [ "${engine_for_removal:-0}" = 0 ] || bash "$ZK_CHAOS_ROOT/scripts/docker-engine.sh" stop >/dev/null 2>&1 || true
  # dockerd, if this check's setup started it, records its pid under the fresh HOME.
  env HOME="$home" bash "$work/scripts/docker-engine.sh" stop >/dev/null 2>&1 || true
  # As a user, the image builds ran under sudo and left root's files in the cache.
  local remove="chmod -R u+w $home && rm -rf $home"
  [ "$(id -u)" = 0 ] || remove="sudo rm -rf $home"
  if [ "$keep" = 1 ]; then
    echo "[$LOG_PREFIX] kept $home (caches included); delete it with: $remove" >&2
  else
    chmod -R u+w "$home" 2>/dev/null || true   # the Go module cache is read-only
    rm -rf "$home" 2>/dev/null || { can_be_root && as_root rm -rf "$home"; } \
      || echo "[$LOG_PREFIX] could not remove $home; delete it with: $remove" >&2
  fi
}
trap cleanup EXIT

# Images outlive a stopped engine, and a check that cannot remove them reuses them instead of
# building them fresh: an engine is started for the removal and stopped again afterwards, so the
# check, like a new machine, starts its own.
engine_for_removal=0
if [ "$keep_images" = 0 ] && command -v docker >/dev/null 2>&1 && ! docker info >/dev/null 2>&1; then
  # Stopped afterwards only if started here: docker-engine.sh records the pid of a dockerd it starts.
  pid_before=$(cat "$ZK_CHAOS_CACHE/dockerd.pid" 2>/dev/null || true)
  if bash "$ZK_CHAOS_ROOT/scripts/docker-engine.sh" >/dev/null; then
    pid_after=$(cat "$ZK_CHAOS_CACHE/dockerd.pid" 2>/dev/null || true)
    [ -z "$pid_after" ] || [ "$pid_after" = "$pid_before" ] || engine_for_removal=1
  else echo "[$LOG_PREFIX] warning: no Docker engine could be started, so the project's images were not removed: an image left from earlier runs is reused, not rebuilt" >&2
  fi
fi
if docker info >/dev/null 2>&1; then
  if docker ps -aq --filter "label=io.x-k8s.kind.cluster=${ZK_CHAOS_CLUSTER:-zk-chaos}" | grep -q .; then
    fail "the kind cluster ${ZK_CHAOS_CLUSTER:-zk-chaos} already exists" "delete it first (npm run cluster:down), so that the check creates it from nothing"
  fi
  if [ "$keep_images" = 0 ]; then
    step "removing the project's Docker images (zk-chaos/*, kindest/node)"
    docker images --format '{{.Repository}}:{{.Tag}}' | { grep -E '^(zk-chaos/|kindest/node:)' || true; } | xargs -r docker rmi -f >/dev/null
    step_done
  fi
fi
if [ "$engine_for_removal" = 1 ]; then
  bash "$ZK_CHAOS_ROOT/scripts/docker-engine.sh" stop >/dev/null
  engine_for_removal=0
fi

step "cloning the committed HEAD into $work"
git clone --quiet "$ZK_CHAOS_ROOT" "$work"
step_done
echo "[$LOG_PREFIX] HOME=$home (empty npm cache, Go caches and ZK_CHAOS_CACHE); commit $(git -C "$work" rev-parse --short HEAD)" >&2

# A fresh machine need not have Go: its folders on PATH are swapped for ones without it.
fresh_path=$PATH
if [ "$host_go" = 0 ]; then
  fresh_path=$(bash "$ZK_CHAOS_ROOT/scripts/path-without-go.sh" "$home/.path-without-go")
  echo "[$LOG_PREFIX] the host's Go is hidden from PATH (--host-go keeps it)" >&2
fi

# in_fresh_home COMMAND...: runs in the clone with only the fresh HOME's caches.
in_fresh_home() {
  (cd "$work" && env -u ZK_CHAOS_CACHE -u XDG_CACHE_HOME -u GOPATH -u GOMODCACHE -u GOCACHE -u GOFLAGS \
    -u ZK_CHAOS_CLUSTER_TEST HOME="$home" PATH="$fresh_path" "$@")
}

declare -a names=() codes=() seconds=()
run_step() {
  local name=$1; shift
  local log="$home/$name.log" t0; t0=$(date +%s)
  echo "[$LOG_PREFIX] >>> $name: $* (log $log)" >&2
  set +e
  in_fresh_home "$@" 2>&1 | tee "$log"
  local code=${PIPESTATUS[0]}
  set -e
  names+=("$name"); codes+=("$code"); seconds+=("$(( $(date +%s) - t0 ))")
  echo "[$LOG_PREFIX] <<< $name: exit $code in ${seconds[-1]} s" >&2
}

[ "$only" = test ] || run_step e2e npm run e2e
[ "$only" = e2e ] || run_step test npm test

summary="$home/fresh-check.json"
{
  echo "{"
  echo "  \"commit\": \"$(git -C "$work" rev-parse HEAD)\","
  echo "  \"date\": \"$(date -u +%FT%TZ)\","
  echo "  \"totalSeconds\": $(( $(date +%s) - started )),"
  echo "  \"steps\": ["
  for i in "${!names[@]}"; do
    sep=","; [ "$i" = $(( ${#names[@]} - 1 )) ] && sep=""
    echo "    { \"step\": \"${names[$i]}\", \"exitCode\": ${codes[$i]}, \"seconds\": ${seconds[$i]} }$sep"
  done
  echo "  ],"
  timings="$work/test-results/e2e-timings.json"
  echo "  \"e2eTimings\": $( [ -f "$timings" ] && cat "$timings" || echo null)"
  echo "}"
} > "$summary"
echo "[$LOG_PREFIX] summary ($summary):" >&2
for i in "${!names[@]}"; do printf '[%s]   %-5s exit %s in %s s\n' "$LOG_PREFIX" "${names[$i]}" "${codes[$i]}" "${seconds[$i]}" >&2; done
cp "$summary" "$ZK_CHAOS_ROOT/test-results/fresh-check.json"
for code in "${codes[@]}"; do [ "$code" = 0 ] || exit 1; done
