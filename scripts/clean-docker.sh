#!/usr/bin/env bash
# Removes the containers and networks zk-chaos started in Docker (label io.zk-chaos.owned) and left
# behind. Those of a `zk-chaos run` or `hunt` still running (label io.zk-chaos.command=PID-START,
# PID a live zk-chaos process) are its own and left alone: `npm test` next to a hunt does not end
# the hunt. --all removes those too.
set -euo pipefail
all=0
[ "${1:-}" = --all ] && all=1

# Whether the command that owns a container (label value PID-START) still runs on this host.
running_command() {
  local pid=${1%%-*}
  [[ "$pid" =~ ^[0-9]+$ ]] && [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q zk-chaos
}

containers=()
kept=0
while read -r id owner; do
  [ -n "$id" ] || continue
  if [ "$all" = 0 ] && [ -n "$owner" ] && running_command "$owner"; then
    kept=$((kept + 1))
    continue
  fi
  containers+=("$id")
done < <(docker ps -a --filter label=io.zk-chaos.owned=true --format '{{.ID}} {{.Label "io.zk-chaos.command"}}')
if [ "${#containers[@]}" -gt 0 ]; then
  echo "[clean] removing ${#containers[@]} leftover zk-chaos container(s)" >&2
  docker rm -f "${containers[@]}" >/dev/null
fi
[ "$kept" -gt 0 ] && echo "[clean] left $kept container(s) of a zk-chaos run or hunt still running (--all removes them too)" >&2
# The ensembles' networks (labelled by zk-chaos; older ones by testcontainers): remove those no
# container uses any more (docker refuses to remove a network in use).
for network in $(docker network ls -q --filter label=io.zk-chaos.owned=true) $(docker network ls -q --filter label=org.testcontainers=true); do
  docker network rm "$network" >/dev/null 2>&1 || true
done
