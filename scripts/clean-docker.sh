#!/usr/bin/env bash
# Removes the containers and networks zk-chaos started in Docker (label io.zk-chaos.owned) and left
# behind. Those of a `zk-chaos run` or `hunt` still running (label io.zk-chaos.command=PID-START:
# process PID, started at or before START ms, still runs) are its own and left alone: `npm test`
# next to a hunt does not end the hunt. --all removes those too.
set -euo pipefail
all=0
[ "${1:-}" = --all ] && all=1

boot=$(awk '/^btime/ {print $2}' /proc/stat 2>/dev/null || echo 0)
ticks=$(getconf CLK_TCK 2>/dev/null || echo 100)

# Whether the command that owns something (label value PID-START) still runs: the process exists
# and began no later than START (a process number reused since then is another process).
running_command() {
  local pid=${1%%-*} start=${1#*-} stat fields
  [[ "$pid" =~ ^[0-9]+$ && "$start" =~ ^[0-9]+$ ]] || return 1
  stat=$(cat "/proc/$pid/stat" 2>/dev/null) || return 1
  # Field 22 (start time, clock ticks since boot), counted after the command name's closing parenthesis.
  read -r -a fields <<<"${stat##*) }"
  [ "$boot" -gt 0 ] && [ $((boot + ${fields[19]:-0} / ticks)) -le $((start / 1000 + 1)) ]
}

# Listed first so that a docker that fails fails this script (set -e), not a silent empty loop.
listing=$(docker ps -a --filter label=io.zk-chaos.owned=true --format '{{.ID}} {{.Label "io.zk-chaos.command"}}')
containers=()
kept=0
while read -r id owner; do
  [ -n "$id" ] || continue
  if [ "$all" = 0 ] && [ -n "$owner" ] && running_command "$owner"; then
    kept=$((kept + 1))
    continue
  fi
  containers+=("$id")
done <<<"$listing"
if [ "${#containers[@]}" -gt 0 ]; then
  echo "[clean] removing ${#containers[@]} leftover zk-chaos container(s)" >&2
  docker rm -f "${containers[@]}" >/dev/null
fi
if [ "$kept" -gt 0 ]; then
  echo "[clean] left $kept container(s) of a zk-chaos run or hunt still running (--all removes them too)" >&2
fi
# The ensembles' networks (labelled by zk-chaos; older ones by testcontainers): those no container
# uses any more (docker refuses to remove one in use), except a running command's, which may be
# between its members' restarts.
networks=$(docker network ls --filter label=io.zk-chaos.owned=true --format '{{.ID}} {{.Label "io.zk-chaos.command"}}'; docker network ls --filter label=org.testcontainers=true --format '{{.ID}}')
while read -r network owner; do
  [ -n "$network" ] || continue
  if [ "$all" = 0 ] && [ -n "${owner:-}" ] && running_command "$owner"; then continue; fi
  docker network rm "$network" >/dev/null 2>&1 || true
done <<<"$networks"
