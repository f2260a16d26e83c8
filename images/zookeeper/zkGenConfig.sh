#!/usr/bin/env bash
# Writes zoo.cfg and myid from the ZK_* environment, as the Kubernetes tutorial's image does.
# The member's ordinal comes from its host name (zk-0 -> myid 1); every member gets the same
# environment, so the ensemble's configuration is identical everywhere.
set -euo pipefail

ZK_USER=${ZK_USER:-zookeeper}
ZK_ENSEMBLE=${ZK_ENSEMBLE:-zk-0;zk-1;zk-2}
ZK_HEAP_SIZE=${ZK_HEAP_SIZE:-512M}
ZK_TICK_TIME=${ZK_TICK_TIME:-2000}
ZK_INIT_LIMIT=${ZK_INIT_LIMIT:-10}
ZK_SYNC_LIMIT=${ZK_SYNC_LIMIT:-5}
ZK_MAX_CLIENT_CNXNS=${ZK_MAX_CLIENT_CNXNS:-60}
ZK_SNAP_RETAIN_COUNT=${ZK_SNAP_RETAIN_COUNT:-3}
ZK_PURGE_INTERVAL=${ZK_PURGE_INTERVAL:-0}
ZK_SNAP_COUNT=${ZK_SNAP_COUNT:-}   # empty: ZooKeeper's default (100,000 transactions per snapshot)
ZK_CLIENT_PORT=${ZK_CLIENT_PORT:-2181}
ZK_SERVER_PORT=${ZK_SERVER_PORT:-2888}
ZK_ELECTION_PORT=${ZK_ELECTION_PORT:-3888}
ZK_DATA_DIR=${ZK_DATA_DIR:-/var/lib/zookeeper/data}
ZK_DATA_LOG_DIR=${ZK_DATA_LOG_DIR:-/var/lib/zookeeper/log}
ZK_LOG_DIR=${ZK_LOG_DIR:-/var/log/zookeeper}
ZK_CONF_DIR=${ZK_CONF_DIR:-/etc/zookeeper/conf}

host=$(hostname -s)
domain=$(hostname -d 2>/dev/null || true)
if [[ ! $host =~ -([0-9]+)$ ]]; then
  echo "zkGenConfig.sh: host name '$host' does not end in -<ordinal> (expected e.g. zk-0); cannot derive myid" >&2
  exit 1
fi
ordinal=${BASH_REMATCH[1]}
myid=$((ordinal + 1))

mkdir -p "$ZK_DATA_DIR" "$ZK_DATA_LOG_DIR" "$ZK_LOG_DIR" "$ZK_CONF_DIR"
echo "$myid" > "$ZK_DATA_DIR/myid"

cfg="$ZK_CONF_DIR/zoo.cfg"
{
  echo "clientPort=$ZK_CLIENT_PORT"
  echo "dataDir=$ZK_DATA_DIR"
  echo "dataLogDir=$ZK_DATA_LOG_DIR"
  echo "tickTime=$ZK_TICK_TIME"
  echo "initLimit=$ZK_INIT_LIMIT"
  echo "syncLimit=$ZK_SYNC_LIMIT"
  echo "maxClientCnxns=$ZK_MAX_CLIENT_CNXNS"
  echo "autopurge.snapRetainCount=$ZK_SNAP_RETAIN_COUNT"
  echo "autopurge.purgeInterval=$ZK_PURGE_INTERVAL"
  if [[ -n $ZK_SNAP_COUNT ]]; then echo "snapCount=$ZK_SNAP_COUNT"; fi
  # ZooKeeper >= 3.5 answers four-letter words only when listed; zkOk.sh needs ruok.
  echo "4lw.commands.whitelist=ruok,srvr,mntr,stat,conf"
  # A member's own DNS record may not exist yet while it starts; listen on all addresses.
  echo "quorumListenOnAllIPs=true"
  echo "admin.enableServer=false"
  i=1
  IFS=';' read -r -a members <<< "$ZK_ENSEMBLE"
  for member in "${members[@]}"; do
    fqdn=$member
    if [[ -n $domain && $fqdn != *.* ]]; then fqdn="$member.$domain"; fi
    echo "server.$i=$fqdn:$ZK_SERVER_PORT:$ZK_ELECTION_PORT"
    i=$((i + 1))
  done
} > "$cfg"

# zkServer.sh reads JVM options from java.env next to zoo.cfg.
echo "SERVER_JVMFLAGS=\"-Xms$ZK_HEAP_SIZE -Xmx$ZK_HEAP_SIZE\"" > "$ZK_CONF_DIR/java.env"
echo "zkGenConfig.sh: myid=$myid, $((i - 1)) members, config in $cfg"
