# ensure_go: puts a Go >= 1.24 on PATH for the scripts that build from Go modules (the offline kind
# toolchain, slowfs). The host's Go when it is new enough; otherwise Go's own release as the Go
# module proxy serves it (the golang.org/toolchain module, what `go` fetches for a GOTOOLCHAIN
# switch), checked against the SHA-256 pinned here and cached under $ZK_CHAOS_CACHE/go. So a host
# without Go, or with Debian's older one, needs only the proxy it already uses for the modules.
# Sourced after common.sh, never run.

GO_TOOLCHAIN_VERSION=1.26.8
declare -A GO_TOOLCHAIN_SHA256=(
  [amd64]=30c2b1bf7dcc88d3eb0a1364e47ddd9128edb3110a30e8a0ef61cd5856b31de7
  [arm64]=02b36b6787b3ac767668f630e2998df45a3b1f9ffee08d1bf3ef6487cd658d99
)
GO_MIN_MINOR=24

# go_is_recent GO_BINARY: true when it reports go1.N with N >= GO_MIN_MINOR.
go_is_recent() {
  local v minor
  v=$(GOTOOLCHAIN=local "$1" env GOVERSION 2>/dev/null) || return 1
  minor=$(echo "$v" | sed -nE 's/^go1\.([0-9]+).*/\1/p')
  [ -n "$minor" ] && [ "$minor" -ge "$GO_MIN_MINOR" ]
}

# The first proxy in GOPROXY that is a URL (not "direct" or "off"), default Go's own.
go_proxy_url() {
  local entry
  for entry in $(echo "${GOPROXY:-https://proxy.golang.org}" | tr ',|' '  '); do
    case "$entry" in http://*|https://*) echo "${entry%/}"; return ;; esac
  done
  echo "https://proxy.golang.org"
}

ensure_go() {
  if command -v go >/dev/null && go_is_recent "$(command -v go)"; then return 0; fi
  local arch
  case "$(uname -m)" in x86_64) arch=amd64 ;; aarch64|arm64) arch=arm64 ;; *) arch="" ;; esac
  [ "$(uname -s)" = Linux ] && [ -n "$arch" ] \
    || fail "Go >= 1.$GO_MIN_MINOR is missing" "install Go >= 1.$GO_MIN_MINOR from go.dev (zk-chaos fetches it itself only on Linux x64/arm64)"
  local root="$ZK_CHAOS_CACHE/go/go$GO_TOOLCHAIN_VERSION.linux-$arch"
  if [ ! -x "$root/bin/go" ]; then
    local module="golang.org/toolchain@v0.0.1-go$GO_TOOLCHAIN_VERSION.linux-$arch"
    local url zip tmp
    url="$(go_proxy_url)/golang.org/toolchain/@v/v0.0.1-go$GO_TOOLCHAIN_VERSION.linux-$arch.zip"
    zip="$ZK_CHAOS_CACHE/go/toolchain-$GO_TOOLCHAIN_VERSION-$arch.zip"
    step "fetching Go $GO_TOOLCHAIN_VERSION ($(command -v go >/dev/null && echo "the host's Go is older than 1.$GO_MIN_MINOR" || echo "no Go on this host"); from $url)"
    mkdir -p "$ZK_CHAOS_CACHE/go"
    curl -fsSL --retry 3 -o "$zip.part" "$url" \
      || fail "could not download Go $GO_TOOLCHAIN_VERSION from $url" "install Go >= 1.$GO_MIN_MINOR yourself, or set GOPROXY to a Go module proxy this host reaches"
    echo "${GO_TOOLCHAIN_SHA256[$arch]}  $zip.part" | sha256sum -c --quiet - >/dev/null 2>&1 \
      || { rm -f "$zip.part"; fail "the Go $GO_TOOLCHAIN_VERSION download from $url does not match its pinned SHA-256" "check that GOPROXY is a faithful Go module proxy, or install Go >= 1.$GO_MIN_MINOR yourself"; }
    tmp=$(mktemp -d "$ZK_CHAOS_CACHE/go/unpack.XXXXXX")
    if command -v unzip >/dev/null; then
      unzip -q "$zip.part" -d "$tmp" || fail "unzip of $zip.part failed" "free some disk space and run again"
    elif command -v python3 >/dev/null; then
      python3 -m zipfile -e "$zip.part" "$tmp" || fail "unpacking $zip.part failed" "free some disk space and run again"
      # Python's zipfile drops the execute bits the archive records.
      chmod -R a+x "$tmp/$module/bin" "$tmp/$module/pkg/tool"
    else
      fail "neither unzip nor python3 is installed (needed once, to unpack Go)" "apt-get install unzip"
    fi
    rm -rf "$root" && mv "$tmp/$module" "$root" && rm -rf "$tmp" "$zip.part"
    step_done
  fi
  go_is_recent "$root/bin/go" || fail "the Go unpacked at $root does not run" "remove $ZK_CHAOS_CACHE/go and run again"
  export PATH="$root/bin:$PATH"
}
