#!/usr/bin/env bash
# Removes every container and network zk-chaos started in Docker (label io.zk-chaos.owned).
set -euo pipefail
containers=$(docker ps -aq --filter label=io.zk-chaos.owned=true)
if [ -n "$containers" ]; then
  echo "[clean] removing $(echo "$containers" | wc -w) leftover zk-chaos container(s)" >&2
  # shellcheck disable=SC2086
  docker rm -f $containers >/dev/null
fi
# The ensembles' networks (labelled by zk-chaos; older ones by testcontainers): remove those no
# container uses any more.
for network in $(docker network ls -q --filter label=io.zk-chaos.owned=true) $(docker network ls -q --filter label=org.testcontainers=true); do
  docker network rm "$network" >/dev/null 2>&1 || true
done
