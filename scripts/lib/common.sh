# Shared helpers for the shell scripts: one cache directory, timed steps, clear failures.
# Sourced, never run.

ZK_CHAOS_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
ZK_CHAOS_CACHE=${ZK_CHAOS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/zk-chaos}
mkdir -p "$ZK_CHAOS_CACHE"
# Root's tools (debootstrap, chroot) live in the sbin folders, which a user's PATH carried through
# sudo (rerun_as_root) lacks on Debian.
if [ "$(id -u)" = 0 ]; then
  for _sbin in /usr/local/sbin /usr/sbin /sbin; do
    case ":$PATH:" in *":$_sbin:"*) ;; *) PATH="$PATH:$_sbin" ;; esac
  done
  unset _sbin
fi

_step_name=""
_step_start=0

# step "what is happening": prints a numbered, timed progress line.
step() {
  step_done
  _step_name=$1
  _step_start=$(date +%s)
  # npm run e2e reads it when interrupted, to say which step of the setup was cut short. Written
  # before the line is printed, and whole (a rename): a Ctrl-C sent on seeing the line finds this
  # step, and one that lands mid-write leaves the step before, never an empty file.
  if [ -n "${ZK_CHAOS_STEP_FILE:-}" ]; then
    { printf '%s\n' "$_step_name" >"$ZK_CHAOS_STEP_FILE.part" && mv -f "$ZK_CHAOS_STEP_FILE.part" "$ZK_CHAOS_STEP_FILE"; } || true
  fi
  printf '[%s] %s ...\n' "${LOG_PREFIX:-zk-chaos}" "$_step_name" >&2
}

step_done() {
  if [ -n "$_step_name" ]; then
    printf '[%s] %s: done in %ss\n' "${LOG_PREFIX:-zk-chaos}" "$_step_name" "$(( $(date +%s) - _step_start ))" >&2
    _step_name=""
  fi
}

# Ends with_progress's command: its process group (setsid made it one), else the command alone.
_progress_stop() {
  [ -n "${_progress_pid:-}" ] || return 0
  kill -TERM -- "-$_progress_pid" 2>/dev/null || kill -TERM "$_progress_pid" 2>/dev/null || true
}

# with_progress LOG COMMAND...: runs COMMAND with its output in LOG, printing a line every 30 s
# with the time so far and, when the log grows line by line (go build -v, debootstrap), how many
# lines it has: long steps show they are alive. On failure, prints the log's last lines.
with_progress() {
  local log=$1; shift
  # A background job outlives the shell that started it: a TERM or INT for this script (sudo
  # passes on what npm run e2e sends at Ctrl-C) ends the command too, then the script (its EXIT
  # trap runs). Set before the command starts, so that no signal finds the script without it.
  # The command runs in a process group of its own, and the group gets TERM: a background job of
  # a script ignores INT (bash starts it so), and the command's own children (debootstrap's dpkg,
  # go build's compilers) must end with it; a user's Ctrl-C reaches a root command's group only
  # through this trap (sudo passes a signal to its one command).
  trap '_progress_stop; exit 143' TERM
  trap '_progress_stop; exit 130' INT
  if command -v setsid >/dev/null 2>&1; then setsid "$@" >"$log" 2>&1 &
  else "$@" >"$log" 2>&1 &
  fi
  _progress_pid=$!
  local t0 status=0; t0=$(date +%s)
  while kill -0 "$_progress_pid" 2>/dev/null; do
    for _ in $(seq 1 30); do kill -0 "$_progress_pid" 2>/dev/null || break; sleep 1; done
    kill -0 "$_progress_pid" 2>/dev/null && printf '[%s]   ... %s: %ss, %s lines of output (%s)\n' "${LOG_PREFIX:-zk-chaos}" "${_step_name:-working}" "$(( $(date +%s) - t0 ))" "$(wc -l <"$log")" "$log" >&2
  done
  trap - TERM INT
  wait "$_progress_pid" || status=$?
  _progress_pid=""
  if [ "$status" != 0 ]; then
    tail -n 15 "$log" | sed "s/^/[${LOG_PREFIX:-zk-chaos}]   | /" >&2
    return 1
  fi
}

# fail "problem" "fix": names the failing step, the problem and what to do, then exits.
fail() {
  printf '[%s] FAILED%s: %s\n' "${LOG_PREFIX:-zk-chaos}" "${_step_name:+ at step \"$_step_name\"}" "$1" >&2
  [ -n "${2:-}" ] && printf '[%s] fix: %s\n' "${LOG_PREFIX:-zk-chaos}" "$2" >&2
  exit 1
}

# can_be_root: whether this is root, or a user with password-less sudo (CI runners).
can_be_root() {
  [ "$(id -u)" = 0 ] || { command -v sudo >/dev/null && sudo -n true 2>/dev/null; }
}

# as_root COMMAND...: runs COMMAND as root (directly, or through password-less sudo).
as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo -n "$@"; fi
}

# apt_install PACKAGE...: installs Debian packages as root; returns 1 if they could not be.
apt_install() {
  as_root apt-get update -qq >/dev/null || { echo "[${LOG_PREFIX:-zk-chaos}] apt-get update failed: check the host's Debian mirror" >&2; return 1; }
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# rerun_as_root WHAT FIX [NAME=VALUE...] -- SCRIPT [ARG...]: returns at once as root; otherwise runs
# SCRIPT again under password-less sudo (CI runners), or fails saying WHAT needs root and FIX.
# sudo resets the environment: the rerun gets the user's PATH and cache folder, the zk-chaos
# settings, the Go, proxy and Docker settings a build reads (by name: values go on sudo's command
# line, visible to ps, so nothing else is carried), and the settings named. The step file goes
# along, so that an interrupted npm run e2e names the step (it lies in a folder of the user's own,
# where root's copy does not lock the user out: harness/cli/step-file.ts). What root makes in the
# cache stays root's: starting the cache over needs sudo too.
RERUN_AS_ROOT_CARRIES=(GOROOT GOPATH GOMODCACHE GOTOOLCHAIN GOFLAGS GOPROXY GOSUMDB GONOSUMDB GONOPROXY GOPRIVATE GOINSECURE
  http_proxy https_proxy no_proxy all_proxy HTTP_PROXY HTTPS_PROXY NO_PROXY ALL_PROXY DOCKER_HOST DOCKER_CONTEXT DOCKER_CONFIG)
rerun_as_root() {
  local what=$1 fix=$2; shift 2
  [ "$(id -u)" = 0 ] && return 0
  local settings=() name
  for name in $(compgen -e); do
    case "$name" in ZK_CHAOS_*) settings+=("$name=${!name}") ;; esac
  done
  for name in "${RERUN_AS_ROOT_CARRIES[@]}"; do
    [ -n "${!name+set}" ] && settings+=("$name=${!name}")
  done
  settings+=("ZK_CHAOS_CACHE=$ZK_CHAOS_CACHE")
  while [ "$#" -gt 0 ] && [ "$1" != -- ]; do settings+=("$1"); shift; done   # named last: they win
  [ "$#" -ge 2 ] || fail "rerun_as_root needs -- and the script to rerun" "call it as: rerun_as_root WHAT FIX [NAME=VALUE...] -- \"\$0\" \"\$@\""
  shift
  if can_be_root; then
    echo "[${LOG_PREFIX:-zk-chaos}] $what needs root: continuing under sudo" >&2
    exec sudo -n env "${settings[@]}" PATH="$PATH" bash "$@"
  fi
  fail "$what needs root" "$fix"
}

# The Debian mirror this host's apt uses (so restricted hosts reuse their configured mirror).
debian_mirror() {
  if [ -n "${ZK_CHAOS_DEBIAN_MIRROR:-}" ]; then echo "$ZK_CHAOS_DEBIAN_MIRROR"; return; fi
  # Only a Debian host's sources are a Debian mirror (an Ubuntu host's are not).
  if ! grep -qx 'ID=debian' /etc/os-release 2>/dev/null; then echo "http://deb.debian.org/debian"; return; fi
  local uri
  uri=$(grep -hE '^(URIs:|deb )' /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null \
    | grep -v security | head -n1 | sed -E 's/^URIs:[[:space:]]*//; s/^deb[[:space:]]+(\[[^]]*\][[:space:]]+)?//; s/[[:space:]].*$//')
  echo "${uri:-http://deb.debian.org/debian}"
}

# The kind binary cluster-up.sh used (the offline build or the PATH's), or nothing.
kind_binary() {
  cat "$ZK_CHAOS_CACHE/kind-binary" 2>/dev/null || command -v kind || true
}

# debootstrap_cached DIR PACKAGES: a minimal Debian root filesystem at DIR with PACKAGES, built once
# (DIR.done marks it complete; DIR.log keeps debootstrap's output). Needs root and debootstrap.
debootstrap_cached() {
  local dir=$1 packages=$2 suite=${DEBIAN_SUITE:-bookworm}
  [ -f "$dir.done" ] && return 0
  command -v debootstrap >/dev/null || {
    # Root only: debootstrap itself needs root, so the image builds rerun as root before this.
    [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null || fail "debootstrap is missing" "apt-get install debootstrap (as root)"
    apt_install debootstrap || fail "apt-get install debootstrap failed" "install debootstrap"
    command -v debootstrap >/dev/null || fail "debootstrap was installed but is not on PATH ($PATH)" "add the folder of debootstrap (usually /usr/sbin) to PATH"
  }
  step "debootstrap $suite for $(basename "$dir") ($(tr ',' ' ' <<<"$packages" | wc -w) extra packages; log $dir.log)"
  rm -rf "$dir"; mkdir -p "$(dirname "$dir")"
  with_progress "$dir.log" debootstrap --variant=minbase --include="$packages" "$suite" "$dir" "$(debian_mirror)" \
    || fail "debootstrap for $(basename "$dir") failed: $(tail -n 3 "$dir.log" | tr '\n' ' ')" "read $dir.log; set ZK_CHAOS_DEBIAN_MIRROR to a reachable Debian mirror"
  rm -rf "$dir"/var/cache/apt/archives/*.deb "$dir"/var/lib/apt/lists/*
  touch "$dir.done"
  step_done
}
