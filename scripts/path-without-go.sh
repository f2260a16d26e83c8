#!/usr/bin/env bash
# path-without-go.sh FOLDER: prints $PATH with Go left out, as on a host without Go. A PATH folder
# holding a `go` command is replaced by a folder under FOLDER of links to everything else in it
# (Debian's /usr/bin/go shares /usr/bin with node, git and docker, so the folder cannot just go).
# Used by the fresh-machine check and by the tests of the Go fetch.
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: $0 FOLDER (where the stand-in folders of links are made)" >&2; exit 2; }
base=$1 path="" n=0
IFS=: read -r -a dirs <<<"$PATH"
for dir in "${dirs[@]}"; do
  if [ -f "$dir/go" ] && [ -x "$dir/go" ]; then
    n=$((n + 1)) && without="$base/$n" && rm -rf "$without" && mkdir -p "$without"
    for entry in "$dir"/*; do
      case "${entry##*/}" in go|gofmt) ;; *) ln -s "$entry" "$without/" ;; esac
    done
    dir=$without
  fi
  path="${path:+$path:}$dir"
done
echo "$path"
