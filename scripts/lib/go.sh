# ensure_go: puts a Go >= 1.24 on PATH for the scripts that build from Go modules (the offline kind
# toolchain, slowfs). The host's Go when it is new enough; otherwise Go's own release as the Go
# module proxy serves it (the golang.org/toolchain module, what `go` fetches for a GOTOOLCHAIN
# switch), checked against the SHA-256 pinned here and cached under $ZK_CHAOS_CACHE/go. So a host
# without Go, or with Debian's older one, needs only the proxy it already uses for the modules.
# Sourced after common.sh, never run.

GO_TOOLCHAIN_VERSION=1.26.8
GO_MIN_MINOR=24

# The pinned SHA-256 of the toolchain zip for one architecture.
go_toolchain_sha256() {
  case "$1" in
    amd64) echo 30c2b1bf7dcc88d3eb0a1364e47ddd9128edb3110a30e8a0ef61cd5856b31de7 ;;
    arm64) echo 02b36b6787b3ac767668f630e2998df45a3b1f9ffee08d1bf3ef6487cd658d99 ;;
  esac
}

# go_is_recent GO_BINARY: true when it reports go1.N with N >= GO_MIN_MINOR.
go_is_recent() {
  local v minor
  v=$("$1" env GOVERSION 2>/dev/null) || return 1
  minor=$(echo "$v" | sed -nE 's/^go1\.([0-9]+).*/\1/p')
  [ -n "$minor" ] && [ "$minor" -ge "$GO_MIN_MINOR" ]
}

# host_go_is_recent: true when the go on PATH is new enough (then nothing needs fetching).
host_go_is_recent() {
  command -v go >/dev/null && go_is_recent "$(command -v go)"
}

# The GOPROXY setting as Go would read it (the environment, else an older host Go's own setting).
go_proxy_setting() {
  local setting=${GOPROXY:-}
  if [ -z "$setting" ] && command -v go >/dev/null; then setting=$(go env GOPROXY 2>/dev/null || true); fi
  echo "${setting:-https://proxy.golang.org,direct}"
}

# The proxies of that setting to fetch from, in order: its URLs up to an "off" ("direct" names none).
go_proxy_urls() {
  local entry
  for entry in $(go_proxy_setting | tr ',|' '  '); do
    case "$entry" in
      off) return ;;
      http://*|https://*|file://*) echo "${entry%/}" ;;
    esac
  done
}

# _go_fetch ROOT ARCH: downloads, checks and unpacks the toolchain into ROOT. Run in a subshell:
# its trap removes the download and a half-unpacked copy whatever happens.
_go_fetch() {
  local root=$1 arch=$2
  local name="v0.0.1-go$GO_TOOLCHAIN_VERSION.linux-$arch"
  local module="golang.org/toolchain@$name" tmp proxy fetched=""
  tmp=$(mktemp -d "$ZK_CHAOS_CACHE/go/unpack.XXXXXX")
  # Expanded now: the trap runs after this function's locals are gone.
  # shellcheck disable=SC2064
  trap "rm -rf '$tmp'" EXIT
  for proxy in $(go_proxy_urls); do
    if curl -fsSL --retry 2 -o "$tmp/toolchain.zip" "$proxy/golang.org/toolchain/@v/$name.zip"; then fetched=$proxy; break; fi
  done
  [ -n "$fetched" ] || fail "could not download Go $GO_TOOLCHAIN_VERSION from the Go module proxy (GOPROXY=$(go_proxy_setting))" \
    "install Go >= 1.$GO_MIN_MINOR yourself, or set GOPROXY to a Go module proxy this host reaches"
  echo "$(go_toolchain_sha256 "$arch")  $tmp/toolchain.zip" | sha256sum -c --quiet - >/dev/null 2>&1 \
    || fail "the Go $GO_TOOLCHAIN_VERSION download from $fetched does not match its pinned SHA-256" "check that GOPROXY is a faithful Go module proxy, or install Go >= 1.$GO_MIN_MINOR yourself"
  if command -v unzip >/dev/null; then
    unzip -q "$tmp/toolchain.zip" -d "$tmp/unpacked" || fail "unzip of the Go download failed" "free some disk space under $ZK_CHAOS_CACHE and run again"
  elif command -v python3 >/dev/null; then
    python3 -m zipfile -e "$tmp/toolchain.zip" "$tmp/unpacked" || fail "unpacking the Go download failed" "free some disk space under $ZK_CHAOS_CACHE and run again"
    # Python's zipfile drops the execute bits the archive records.
    chmod -R a+x "$tmp/unpacked/$module/bin" "$tmp/unpacked/$module/pkg/tool" || fail "chmod of the unpacked Go failed" "remove $ZK_CHAOS_CACHE/go and run again"
  else
    fail "neither unzip nor python3 is installed (needed once, to unpack Go)" "apt-get install unzip"
  fi
  mv "$tmp/unpacked/$module" "$root" || fail "could not move Go into $root" "remove $ZK_CHAOS_CACHE/go and run again"
}

ensure_go() {
  if host_go_is_recent; then return 0; fi
  local arch
  case "$(uname -m)" in x86_64) arch=amd64 ;; aarch64|arm64) arch=arm64 ;; *) arch="" ;; esac
  [ "$(uname -s)" = Linux ] && [ -n "$arch" ] \
    || fail "Go >= 1.$GO_MIN_MINOR is missing" "install Go >= 1.$GO_MIN_MINOR from go.dev (zk-chaos fetches it itself only on Linux x64/arm64)"
  local root="$ZK_CHAOS_CACHE/go/go$GO_TOOLCHAIN_VERSION.linux-$arch" lock
  if [ ! -x "$root/bin/go" ]; then
    [ -n "$(go_proxy_urls)" ] || fail "Go >= 1.$GO_MIN_MINOR is missing and GOPROXY=$(go_proxy_setting) names no proxy to fetch it from" \
      "install Go >= 1.$GO_MIN_MINOR, or check access to the Go module proxy (e.g. GOPROXY=https://proxy.golang.org)"
    mkdir -p "$ZK_CHAOS_CACHE/go"
    # One fetch at a time: a second script waits, then finds Go there.
    exec {lock}>"$ZK_CHAOS_CACHE/go/.lock"
    command -v flock >/dev/null && flock "$lock"
    if [ ! -x "$root/bin/go" ]; then
      step "fetching Go $GO_TOOLCHAIN_VERSION ($(command -v go >/dev/null && echo "the host's Go is older than 1.$GO_MIN_MINOR" || echo "no Go on this host"); from the Go module proxy)"
      ( _go_fetch "$root" "$arch" ) || exit 1
      step_done
    fi
    exec {lock}>&-
  fi
  go_is_recent "$root/bin/go" || fail "the Go unpacked at $root does not run" "remove $ZK_CHAOS_CACHE/go and run again"
  # This Go, its own standard library, and no switch to another toolchain.
  export PATH="$root/bin:$PATH" GOROOT="$root" GOTOOLCHAIN=local
}
