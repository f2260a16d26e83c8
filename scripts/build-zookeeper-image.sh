#!/usr/bin/env bash
# Builds the ZooKeeper image from Debian packages without any container registry:
# debootstrap a minimal Debian with the zookeeper package, add zkGenConfig.sh and zkOk.sh,
# and `docker import` the tree. Cached: the root filesystem under $ZK_CHAOS_CACHE, the image
# by a hash of its inputs. Prints the image reference on stdout.
#   ZK_CHAOS_ZK_IMAGE   image name (default zk-chaos/zookeeper:local)
#   ZK_CHAOS_REBUILD=1  ignore the caches
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
LOG_PREFIX=zk-image

image=${ZK_CHAOS_ZK_IMAGE:-zk-chaos/zookeeper:local}
suite=bookworm
packages=zookeeper,netcat-openbsd,procps,tini,iproute2
inputs_hash=$( { cat "$0" "$ZK_CHAOS_ROOT"/images/zookeeper/*; echo "$suite $packages"; } | sha256sum | cut -c1-16)

command -v docker >/dev/null || fail "the docker command is missing" "run scripts/docker-engine.sh or install Docker"
docker info >/dev/null 2>&1 || fail "no Docker engine answers" "run scripts/docker-engine.sh (starts one) or start Docker"

if [ "${ZK_CHAOS_REBUILD:-0}" != 1 ] &&
   [ "$(docker image inspect -f '{{ index .Config.Labels "zk-chaos.inputs" }}' "$image" 2>/dev/null)" = "$inputs_hash" ]; then
  echo "[$LOG_PREFIX] $image is up to date (inputs $inputs_hash)" >&2
  echo "$image"
  exit 0
fi

# debootstrap, chroot and the files owned by uid 1000 need root: without it, rerun under sudo
# when that needs no password (CI runners), else say so.
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    echo "[$LOG_PREFIX] building the image needs root: continuing under sudo" >&2
    exec sudo -n env ZK_CHAOS_CACHE="$ZK_CHAOS_CACHE" ZK_CHAOS_ZK_IMAGE="$image" ZK_CHAOS_REBUILD="${ZK_CHAOS_REBUILD:-0}" \
      ${ZK_CHAOS_DEBIAN_MIRROR:+ZK_CHAOS_DEBIAN_MIRROR="$ZK_CHAOS_DEBIAN_MIRROR"} PATH="$PATH" bash "$0" "$@"
  fi
  fail "building the ZooKeeper image needs root (debootstrap, chroot)" "run npm run zk-image once as root (or with sudo), then rerun"
fi

rootfs_key=$(echo "$suite $packages" | sha256sum | cut -c1-12)
rootfs="$ZK_CHAOS_CACHE/rootfs/zookeeper-$suite-$rootfs_key"
if [ "${ZK_CHAOS_REBUILD:-0}" = 1 ] || [ ! -f "$rootfs.done" ]; then
  command -v debootstrap >/dev/null || {
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      step "installing debootstrap"
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null || fail "apt-get install debootstrap failed" "install debootstrap"
    else
      fail "debootstrap is missing" "apt-get install debootstrap (as root)"
    fi
  }
  [ "$(id -u)" = 0 ] || fail "debootstrap needs root" "run as root"
  mirror=$(debian_mirror)
  step "debootstrap $suite with $packages from $mirror (about 1-2 min; log $rootfs.log)"
  rm -rf "$rootfs" "$rootfs.done"
  mkdir -p "$(dirname "$rootfs")"
  # Print debootstrap's stages and a package count: its per-package lines number in the hundreds.
  if ! debootstrap --variant=minbase --include="$packages" "$suite" "$rootfs" "$mirror" 2>&1 \
      | tee "$rootfs.log" | awk '
          /^I: Retrieving [a-z0-9]/ && !/Release|Packages/ { n++; if (n % 50 == 0) { print "[zk-image]   retrieved " n " packages"; fflush() } ; next }
          /packages\.\.\.$|system\.\.\.$|successfully/ { print "[zk-image]   " $0; fflush() }' >&2; then
    fail "debootstrap failed" "read $rootfs.log; set ZK_CHAOS_DEBIAN_MIRROR to a reachable Debian mirror"
  fi
  grep -q "Base system installed successfully" "$rootfs.log" || fail "debootstrap did not finish" "read $rootfs.log"
  step "preparing the root filesystem (user zookeeper as uid 1000, scripts)"
  # The tutorial runs the server as uid/gid 1000 (securityContext runAsUser/fsGroup 1000).
  chroot "$rootfs" groupmod -g 1000 zookeeper
  chroot "$rootfs" usermod -u 1000 -g 1000 zookeeper
  mkdir -p "$rootfs/var/lib/zookeeper" "$rootfs/var/log/zookeeper"
  # Replace Debian's alternatives link with a plain folder zkGenConfig.sh can write to.
  rm -rf "$rootfs/etc/zookeeper/conf" && mkdir -p "$rootfs/etc/zookeeper/conf"
  cp -a "$rootfs/etc/zookeeper/conf_example/log4j.properties" "$rootfs/etc/zookeeper/conf/"
  chroot "$rootfs" chown -R zookeeper:zookeeper /var/lib/zookeeper /var/log/zookeeper /etc/zookeeper/conf
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  touch "$rootfs.done"
fi

step "importing $image"
overlay=$(mktemp -d)
trap 'rm -rf "$overlay"' EXIT
# The scripts live in a folder the server's user owns: the tutorial's "delete the liveness probe
# script" disruption is done as that user (kubectl exec runs as uid 1000 here).
install -D -m 0755 -o 1000 -g 1000 "$ZK_CHAOS_ROOT/images/zookeeper/zkGenConfig.sh" "$overlay/opt/zookeeper/bin/zkGenConfig.sh"
install -D -m 0755 -o 1000 -g 1000 "$ZK_CHAOS_ROOT/images/zookeeper/zkOk.sh" "$overlay/opt/zookeeper/bin/zkOk.sh"
install -D -m 0644 "$ZK_CHAOS_ROOT/images/zookeeper/environment" "$overlay/etc/zookeeper/conf/environment"
# tini -g: signals reach the whole process group, so `docker stop` ends the JVM promptly, and a
# JVM killed with SIGKILL ends the container (bash, not java, is tini's child).
chown 1000:1000 "$overlay/opt/zookeeper" "$overlay/opt/zookeeper/bin"
# The overlay adds files, plus the directories the root filesystem lacks (docker import refuses
# duplicate paths).
overlay_files=$(cd "$overlay" && find . \( -type f -o -type l \) -o \( -type d -path './opt/*' \))
# shellcheck disable=SC2086 # the overlay's paths contain no spaces
tar -C "$rootfs" -c . -C "$overlay" --no-recursion $overlay_files | docker import \
    --change 'ENV PATH=/opt/zookeeper/bin:/usr/local/bin:/usr/share/zookeeper/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'USER 1000:1000' \
  --change 'WORKDIR /var/lib/zookeeper' \
  --change 'EXPOSE 2181 2888 3888' \
  --change "LABEL zk-chaos.inputs=$inputs_hash org.opencontainers.image.title=zk-chaos-zookeeper" \
  --change 'ENTRYPOINT ["/usr/bin/tini", "-g", "--"]' \
  --change 'CMD ["bash", "-c", "zkGenConfig.sh && zkServer.sh start-foreground"]' \
  - "$image" >/dev/null || fail "docker import failed" "read Docker's error above (disk space, duplicate paths in the overlay)"
step_done
echo "[$LOG_PREFIX] built $image (inputs $inputs_hash, $(docker image inspect -f '{{.Size}}' "$image" | awk '{printf "%.0f MB", $1/1e6}'))" >&2
echo "$image"
