#!/usr/bin/env bash
# Liveness and readiness: the local server must answer "ruok" with "imok".
# Needs ruok in 4lw.commands.whitelist (zkGenConfig.sh sets it); without it the answer is empty.
# Not `echo ruok | nc`: with Debian's nc.openbsd that came back empty about one time in twenty
# (measured: 14 of 300), enough for three failures in a row to restart a healthy member now and
# then. This writes the word and reads until the server closes the connection (300 of 300).
ZK_CLIENT_PORT=${ZK_CLIENT_PORT:-2181}
answer=$( { exec 3<>"/dev/tcp/127.0.0.1/$ZK_CLIENT_PORT" && printf ruok >&3 && timeout 3 cat <&3; } 2>/dev/null)
if [ "$answer" == "imok" ]; then
  exit 0
fi
echo "zkOk.sh: expected imok from 127.0.0.1:$ZK_CLIENT_PORT, got '${answer}'" >&2
exit 1
