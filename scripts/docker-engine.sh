#!/usr/bin/env bash
# Makes sure a Docker engine answers. Uses the one that runs; otherwise starts Debian's dockerd
# (installing docker.io when missing and allowed). Records the pid of a dockerd it started in
# $ZK_CHAOS_CACHE/dockerd.pid, so the caller can stop it again (scripts/docker-engine.sh stop).
#
# ZK_CHAOS_DOCKERD_DIR=DIR: an engine of its own instead, rooted in DIR (socket DIR/docker.sock,
# data, log and pid file there), for tests that stop and restart an engine under a run without
# touching the machine's. Start it inside a network namespace of its own (ip netns exec NS ...):
# its bridges and firewall rules then cannot meet the main engine's.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
LOG_PREFIX=docker

private_dir="${ZK_CHAOS_DOCKERD_DIR:-}"
if [ -n "$private_dir" ]; then
  mkdir -p "$private_dir"
  pidfile="$private_dir/dockerd.pid"
  logfile="$private_dir/dockerd.log"
  host="unix://$private_dir/docker.sock"
  root_flags=(--data-root "$private_dir/data" --exec-root "$private_dir/exec" --pidfile "$private_dir/dockerd-own.pid")
else
  pidfile="$ZK_CHAOS_CACHE/dockerd.pid"
  logfile="$ZK_CHAOS_CACHE/dockerd.log"
  host="unix:///var/run/docker.sock"
  root_flags=()
fi

if [ "${1:-}" = "stop" ]; then
  if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    step "stopping the dockerd this project started (pid $(cat "$pidfile"))"
    kill "$(cat "$pidfile")"
    for _ in $(seq 1 30); do kill -0 "$(cat "$pidfile")" 2>/dev/null || break; sleep 1; done
    rm -f "$pidfile"
    step_done
  fi
  exit 0
fi

if docker --host "$host" info >/dev/null 2>&1; then
  exit 0
fi

if ! command -v dockerd >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    step "installing Debian's docker.io (no Docker engine found)"
    apt_install docker.io || fail "apt-get install docker.io failed" "install Docker yourself (https://docs.docker.com/engine/install/)"
  else
    fail "no Docker engine answers and dockerd is not installed" \
      "start Docker (or install docker.io as root), then rerun"
  fi
fi

[ "$(id -u)" = 0 ] || fail "no Docker engine answers and only root can start dockerd here" \
  "start the Docker service (sudo systemctl start docker) or run as root"

runtime_flags=()
# On a host whose capability bounding set is incomplete, runc cannot start privileged containers
# or privileged execs (kind needs both). Route them through a wrapper that asks only for what the
# host can grant. A normal host (full bounding set) gets plain runc.
if [ "$(( 16#$(awk '/^CapBnd:/ { print $2 }' /proc/self/status) & 0x1ffffffffff ))" != "$(( 0x1ffffffffff ))" ]; then
  command -v jq >/dev/null || apt_install jq || fail "jq is missing (needed by scripts/runc-capfilter)" "apt-get install jq"
  echo "[$LOG_PREFIX] this host's capability bounding set is incomplete: privileged containers go through scripts/runc-capfilter" >&2
  runtime_flags=(--add-runtime "capfilter=$ZK_CHAOS_ROOT/scripts/runc-capfilter" --default-runtime capfilter)
fi

step "starting dockerd (log: $logfile)"
# containerd and runc come with docker.io; dockerd starts its own containerd.
# In a session of its own: a Ctrl-C meant for `npm run e2e` reaches the terminal's whole foreground
# process group, and an engine in it would die before the run could clean up its cluster.
setsid nohup dockerd --host "$host" "${root_flags[@]}" "${runtime_flags[@]}" >"$logfile" 2>&1 < /dev/null &
echo $! > "$pidfile"
for _ in $(seq 1 60); do
  if docker --host "$host" info >/dev/null 2>&1; then step_done; exit 0; fi
  kill -0 "$(cat "$pidfile")" 2>/dev/null || break
  sleep 1
done
tail -n 20 "$logfile" >&2 || true
fail "dockerd did not come up within 60 s" "read $logfile"
