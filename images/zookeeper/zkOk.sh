#!/usr/bin/env bash
# Liveness and readiness: the local server must answer "ruok" with "imok".
# Needs ruok in 4lw.commands.whitelist (zkGenConfig.sh sets it); without it the answer is empty.
ZK_CLIENT_PORT=${ZK_CLIENT_PORT:-2181}
answer=$(echo ruok | nc -w 3 127.0.0.1 "$ZK_CLIENT_PORT" 2>/dev/null)
if [ "$answer" == "imok" ]; then
  exit 0
fi
echo "zkOk.sh: expected imok from 127.0.0.1:$ZK_CLIENT_PORT, got '${answer}'" >&2
exit 1
