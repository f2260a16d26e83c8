#!/usr/bin/env bash
# The server's launcher in images built from Maven Central's jars (--zk-version), standing in for
# the distribution's zkServer.sh with the one command the image runs: start-foreground. Same
# contract as the default image: configuration from zkGenConfig.sh (zoo.cfg, java.env), logs on
# the console, the JVM as this shell's successor so signals reach it.
set -euo pipefail
ZOOCFGDIR=${ZOOCFGDIR:-/etc/zookeeper/conf}
case "${1:-}" in
  start-foreground) ;;
  *) echo "usage: zkServer.sh start-foreground (this image runs the server in the foreground only)" >&2; exit 2 ;;
esac
SERVER_JVMFLAGS=""
if [ -f "$ZOOCFGDIR/java.env" ]; then . "$ZOOCFGDIR/java.env"; fi
# shellcheck disable=SC2086 # SERVER_JVMFLAGS holds several flags
exec java $SERVER_JVMFLAGS -Dzookeeper.log.dir=/var/log/zookeeper -Dzookeeper.root.logger=INFO,CONSOLE \
  -cp "$ZOOCFGDIR:/opt/zookeeper/lib/*" org.apache.zookeeper.server.quorum.QuorumPeerMain "$ZOOCFGDIR/zoo.cfg"
