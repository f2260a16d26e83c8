#!/usr/bin/env bash
# Builds the ZooKeeper image from Debian packages without any container registry, small enough to
# load into five kind nodes quickly:
#   1. a build root filesystem with Debian's zookeeper package (3.8.0) and JDK (debootstrap);
#   2. there, jlink makes a Java runtime of only the modules ZooKeeper needs (jdeps lists them);
#   3. a minimal root filesystem (bash, nc, ps, ip, tini) gets that runtime, the jars on
#      zookeeper.jar's class path (followed through every jar's manifest), Debian's launch scripts,
#      zkGenConfig.sh and zkOk.sh, and the user zookeeper (uid 1000, as the tutorial runs it);
#   4. `docker import` of that tree.
# Cached: both root filesystems under $ZK_CHAOS_CACHE, the image by a hash of its inputs. Prints the
# image reference on stdout.
#   ZK_CHAOS_ZK_IMAGE   image name (default zk-chaos/zookeeper:local)
#   ZK_CHAOS_REBUILD=1  ignore the caches
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
LOG_PREFIX=zk-image

image=${ZK_CHAOS_ZK_IMAGE:-zk-chaos/zookeeper:local}
DEBIAN_SUITE=bookworm
build_packages=zookeeper,openjdk-17-jdk-headless,unzip,binutils   # binutils: jlink strips with objcopy
run_packages=netcat-openbsd,procps,tini,iproute2
inputs_hash=$( { cat "$0" "$ZK_CHAOS_ROOT"/images/zookeeper/*; echo "$DEBIAN_SUITE $build_packages $run_packages"; } | sha256sum | cut -c1-16)

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

key() { echo "$DEBIAN_SUITE $1" | sha256sum | cut -c1-12; }
build="$ZK_CHAOS_CACHE/rootfs/zookeeper-build-$DEBIAN_SUITE-$(key "$build_packages")"
run="$ZK_CHAOS_CACHE/rootfs/zookeeper-run-$DEBIAN_SUITE-$(key "$run_packages")"
if [ "${ZK_CHAOS_REBUILD:-0}" = 1 ]; then rm -f "$build.done" "$run.done"; fi
debootstrap_cached "$build" "$build_packages"
debootstrap_cached "$run" "$run_packages"

stage=$(mktemp -d)
trap 'umount "$build/proc" 2>/dev/null || true; rm -rf "$stage"' EXIT
mountpoint -q "$build/proc" || mount -t proc proc "$build/proc"   # the JDK's tools want /proc

# The jars: zookeeper.jar and log4j's SLF4J binding (images/zookeeper/environment), then whatever
# their manifests' Class-Path name, transitively (Debian links its Java libraries this way).
step "collecting the jars on zookeeper.jar's class path"
declare -A seen=()
queue=(/usr/share/java/zookeeper.jar /usr/share/java/slf4j-log4j12.jar /usr/share/java/log4j-1.2.jar)
while [ ${#queue[@]} -gt 0 ]; do
  jar=${queue[0]}; queue=("${queue[@]:1}")
  [ -n "${seen[$jar]:-}" ] && continue
  seen[$jar]=1
  chroot "$build" test -e "$jar" || continue   # a Class-Path entry Debian does not ship: the JVM skips it too
  for next in $(chroot "$build" unzip -p "$jar" META-INF/MANIFEST.MF 2>/dev/null | tr -d '\r' \
      | awk '/^Class-Path:/ { sub(/^Class-Path: ?/, ""); cp = $0; more = 1; next } more && /^ / { cp = cp substr($0, 2); next } { more = 0 } END { print cp }'); do
    case "$next" in /*) queue+=("$next") ;; *) queue+=("$(dirname "$jar")/$next") ;; esac
  done
done
jars=()
for jar in "${!seen[@]}"; do chroot "$build" test -e "$jar" && jars+=("$jar"); done
[ ${#jars[@]} -gt 3 ] || fail "found only ${#jars[@]} jars on zookeeper.jar's class path" "inspect $build/usr/share/java"

# The Java runtime: the modules jdeps finds in those jars, plus the ones reached only by reflection
# or service lookup (JMX, JNDI, SASL/Kerberos, TLS curves, zip file systems).
step "making a Java runtime with jlink (modules from jdeps)"
real_jars=$(for jar in "${jars[@]}"; do chroot "$build" readlink -f "$jar"; done | sort -u | tr '\n' ' ')
# shellcheck disable=SC2086 # the jar paths contain no spaces
modules=$(chroot "$build" jdeps --ignore-missing-deps --print-module-deps --multi-release 17 $real_jars 2>"$stage/jdeps.log" || true)
[ -n "$modules" ] || { echo "[$LOG_PREFIX] jdeps listed no modules ($(tail -n 2 "$stage/jdeps.log" | tr '\n' ' ')); using a fixed list" >&2; modules=java.base,java.desktop,java.logging,java.naming,java.sql,java.xml; }
modules="$modules,java.management,jdk.management,java.naming,java.security.jgss,java.security.sasl,jdk.crypto.ec,jdk.naming.dns,jdk.zipfs,jdk.unsupported,jdk.jdwp.agent"
rm -rf "$build/opt/zk-jre"
chroot "$build" jlink --add-modules "$modules" --strip-debug --no-man-pages --no-header-files --compress=2 --output /opt/zk-jre >"$stage/jlink.log" 2>&1 \
  || fail "jlink failed: $(tail -n 3 "$stage/jlink.log" | tr '\n' ' ')" "check the JDK in $build (delete $build.done to rebuild it)"
umount "$build/proc"

step "assembling the image's file system"
root="$stage/root"
cp -a "$run" "$root"
rm -rf "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/usr/share/locale/* \
  "$root"/var/cache/apt/* "$root"/var/lib/apt/lists/* "$root"/var/cache/debconf/*-old "$root"/var/log/*.log
mkdir -p "$root/opt" && cp -a "$build/opt/zk-jre" "$root/opt/zk-jre"
ln -sf /opt/zk-jre/bin/java "$root/usr/bin/java"
# A peer name that did not resolve is not remembered. Members start one by one and a peer is in
# DNS only once its pod exists, so a member's first lookups of the next ones fail; the JVM's
# default keeps each failure for 10 s, and a member told to follow a leader it cannot resolve yet
# gives up and waits out another election round (10-20 s more per ensemble start). Safety is not
# at stake: only how soon a member sees a name that exists. Successful lookups keep the default.
security="$root/opt/zk-jre/conf/security/java.security"
sed -i 's/^networkaddress\.cache\.negative\.ttl=.*/networkaddress.cache.negative.ttl=0/' "$security"
grep -qx 'networkaddress.cache.negative.ttl=0' "$security" || fail "could not set the DNS negative cache in $security" "check the JDK's java.security"
for jar in "${jars[@]}"; do
  real=$(chroot "$build" readlink -f "$jar")
  install -D -m 0644 "$build$real" "$root$real"
  [ "$real" = "$jar" ] || ln -sf "$real" "$root$jar"
done
mkdir -p "$root/usr/share/zookeeper"
cp -a "$build/usr/share/zookeeper/bin" "$root/usr/share/zookeeper/"
# The tutorial runs the server as uid/gid 1000 (securityContext runAsUser/fsGroup 1000).
chroot "$root" groupadd -g 1000 zookeeper
chroot "$root" useradd -u 1000 -g 1000 -d /var/lib/zookeeper -s /bin/bash zookeeper
mkdir -p "$root/var/lib/zookeeper" "$root/var/log/zookeeper" "$root/etc/zookeeper/conf"
cp -a "$build/etc/zookeeper/conf_example/log4j.properties" "$root/etc/zookeeper/conf/"
install -m 0644 "$ZK_CHAOS_ROOT/images/zookeeper/environment" "$root/etc/zookeeper/conf/environment"
# Debian's zkServer.sh reads its environment through zkEnv.sh.
ln -sf /etc/zookeeper/conf/environment "$root/usr/share/zookeeper/bin/zkEnv.sh"
# The scripts live in a folder the server's user owns: the tutorial's "delete the liveness probe
# script" disruption is done as that user (kubectl exec runs as uid 1000 here).
install -D -m 0755 "$ZK_CHAOS_ROOT/images/zookeeper/zkGenConfig.sh" "$root/opt/zookeeper/bin/zkGenConfig.sh"
install -D -m 0755 "$ZK_CHAOS_ROOT/images/zookeeper/zkOk.sh" "$root/opt/zookeeper/bin/zkOk.sh"
chown -R 1000:1000 "$root/var/lib/zookeeper" "$root/var/log/zookeeper" "$root/etc/zookeeper/conf" "$root/opt/zookeeper"

step "importing $image"
# tini -g: signals reach the whole process group, so `docker stop` ends the JVM promptly, and a
# JVM killed with SIGKILL ends the container (bash, not java, is tini's child).
tar -C "$root" -c . | docker import \
  --change 'ENV PATH=/opt/zookeeper/bin:/usr/local/bin:/usr/share/zookeeper/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'USER 1000:1000' \
  --change 'WORKDIR /var/lib/zookeeper' \
  --change 'EXPOSE 2181 2888 3888' \
  --change "LABEL zk-chaos.inputs=$inputs_hash org.opencontainers.image.title=zk-chaos-zookeeper" \
  --change 'ENTRYPOINT ["/usr/bin/tini", "-g", "--"]' \
  --change 'CMD ["bash", "-c", "zkGenConfig.sh && zkServer.sh start-foreground"]' \
  - "$image" >/dev/null || fail "docker import failed" "read Docker's error above (disk space)"
docker run --rm --entrypoint java "$image" -version >"$stage/java.log" 2>&1 \
  || fail "the image's Java runtime does not start: $(tr '\n' ' ' <"$stage/java.log")" "read the jlink modules above; delete $build.done to rebuild"
step_done
echo "[$LOG_PREFIX] built $image (inputs $inputs_hash, ${#jars[@]} jars, modules $modules; $(docker image inspect -f '{{.Size}}' "$image" | awk '{printf "%.0f MB", $1/1e6}'))" >&2
echo "$image"
