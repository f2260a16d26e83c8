#!/usr/bin/env bash
# Builds the ZooKeeper image from Debian packages without any container registry, small enough to
# load into five kind nodes quickly:
#   1. a build root filesystem with Debian's zookeeper package (3.8.0) and JDK (debootstrap);
#   2. there, jlink makes a Java runtime of only the modules ZooKeeper needs (jdeps lists them);
#   3. a minimal root filesystem (bash, nc, ps, ip, tini) gets that runtime, the jars on
#      zookeeper.jar's class path (followed through every jar's manifest), Debian's launch scripts,
#      zkGenConfig.sh and zkOk.sh, and the user zookeeper (uid 1000, as the tutorial runs it);
#   4. `docker import` of that tree.
# Any other ZooKeeper release (ZK_CHAOS_ZK_VERSION=3.4.11, ...): the same, except that the jars are
# that release's from Maven Central (resolved by Maven, with their runtime dependencies) and the
# server starts from images/zookeeper/maven/zkServer.sh, which keeps the same contract.
# Cached: both root filesystems and each release's jars under $ZK_CHAOS_CACHE, the image by a hash
# of its inputs. Prints the image reference on stdout.
#   ZK_CHAOS_ZK_VERSION a ZooKeeper release from Maven Central (default: Debian's package, 3.8.0)
#   ZK_CHAOS_ZK_IMAGE   image name (default zk-chaos/zookeeper:local, or zk-chaos/zookeeper:VERSION)
#   ZK_CHAOS_REBUILD=1  ignore the caches
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
LOG_PREFIX=zk-image

zk_version=${ZK_CHAOS_ZK_VERSION:-}
if [ -n "$zk_version" ] && [[ ! $zk_version =~ ^3\.[3-9]\.[0-9]+(-[a-z]+)?$ ]]; then
  fail "'$zk_version' is not a ZooKeeper release number" "use one from https://repo1.maven.org/maven2/org/apache/zookeeper/zookeeper/ (e.g. 3.4.11, 3.6.3, 3.9.1)"
fi
image=${ZK_CHAOS_ZK_IMAGE:-zk-chaos/zookeeper:${zk_version:-local}}
DEBIAN_SUITE=bookworm
build_packages=zookeeper,openjdk-17-jdk-headless,unzip,binutils   # binutils: jlink strips with objcopy
run_packages=netcat-openbsd,procps,tini,iproute2
inputs_hash=$( { cat "$0" $(find "$ZK_CHAOS_ROOT/images/zookeeper" -type f | sort); echo "$DEBIAN_SUITE $build_packages $run_packages ${zk_version:-debian}"; } | sha256sum | cut -c1-16)

command -v docker >/dev/null || fail "the docker command is missing" "run scripts/docker-engine.sh or install Docker"
docker info >/dev/null 2>&1 || fail "no Docker engine answers" "run scripts/docker-engine.sh (starts one) or start Docker"

if [ "${ZK_CHAOS_REBUILD:-0}" != 1 ] &&
   [ "$(docker image inspect -f '{{ index .Config.Labels "zk-chaos.inputs" }}' "$image" 2>/dev/null)" = "$inputs_hash" ]; then
  echo "[$LOG_PREFIX] $image is up to date (inputs $inputs_hash)" >&2
  echo "$image"
  exit 0
fi

# debootstrap, chroot and the files owned by uid 1000 need root.
rerun_as_root "building the ZooKeeper image (debootstrap, chroot)" "run npm run zk-image once as root (or with sudo), then rerun" \
  ZK_CHAOS_ZK_IMAGE="$image" ZK_CHAOS_ZK_VERSION="$zk_version" MAVEN_USER_SETTINGS="$HOME/.m2/settings.xml" -- "$0" "$@"

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
debian_jars() {
  step "collecting the jars on zookeeper.jar's class path"
  declare -A seen=()
  local queue=(/usr/share/java/zookeeper.jar /usr/share/java/slf4j-log4j12.jar /usr/share/java/log4j-1.2.jar) jar next
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
}

# The jars of a release from Maven Central: the zookeeper artifact with its runtime dependencies,
# resolved by Maven into a per-release cache. 3.6+ also need metrics-core and snappy-java at run
# time although their pom marks them provided (so Maven does not pass them on); their versions
# come from that release's parent pom. junit (a stray runtime dependency of 3.4) and netty's TLS
# natives (unused: members talk in plain text) stay out.
maven_jars() {
  local dir="$ZK_CHAOS_CACHE/zookeeper-jars/$zk_version" minor extra="" managed=""
  minor=$(cut -d. -f2 <<<"$zk_version")
  if [ "$minor" -ge 6 ]; then
    managed="<dependencyManagement><dependencies><dependency><groupId>org.apache.zookeeper</groupId><artifactId>parent</artifactId><version>$zk_version</version><type>pom</type><scope>import</scope></dependency></dependencies></dependencyManagement>"
    extra="<dependency><groupId>io.dropwizard.metrics</groupId><artifactId>metrics-core</artifactId></dependency><dependency><groupId>org.xerial.snappy</groupId><artifactId>snappy-java</artifactId></dependency>"
  fi
  if [ ! -f "$dir.done" ] || [ "${ZK_CHAOS_REBUILD:-0}" = 1 ]; then
    command -v mvn >/dev/null || {
      can_be_root && command -v apt-get >/dev/null || fail "Maven (mvn) is missing" "install Maven, e.g. apt-get install maven (as root)"
      step "installing Maven (apt-get install maven)"
      apt_install maven || fail "apt-get install maven failed" "install Maven"
    }
    step "resolving ZooKeeper $zk_version's jars from Maven Central (log $dir.log)"
    rm -rf "$dir" "$dir.done"; mkdir -p "$dir"
    cat >"$dir/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
  <groupId>io.zk-chaos</groupId><artifactId>zookeeper-runtime</artifactId><version>$zk_version</version><packaging>pom</packaging>
  $managed
  <dependencies><dependency><groupId>org.apache.zookeeper</groupId><artifactId>zookeeper</artifactId><version>$zk_version</version></dependency>$extra</dependencies>
</project>
POM
    # The user's Maven settings (a mirror, on restricted hosts), also when this build reruns under sudo.
    local settings=() user_settings=${MAVEN_USER_SETTINGS:-$HOME/.m2/settings.xml}
    [ -f "$user_settings" ] && settings=(-s "$user_settings")
    with_progress "$dir.log" mvn -B "${settings[@]}" -f "$dir/pom.xml" -Dmaven.repo.local="$ZK_CHAOS_CACHE/maven" \
        dependency:copy-dependencies -DincludeScope=runtime -DexcludeArtifactIds=junit,netty-tcnative-boringssl-static -DoutputDirectory="$dir/lib" \
      || fail "Maven could not resolve ZooKeeper $zk_version: $(grep -m1 ERROR "$dir.log" | cut -c1-300)" \
        "check that $zk_version is a release on https://repo1.maven.org/maven2/org/apache/zookeeper/zookeeper/ (restricted hosts: a Maven mirror in ~/.m2/settings.xml)"
    touch "$dir.done"
  fi
  # jdeps runs in the build root: give it the jars there.
  rm -rf "$build/opt/zk-lib" && mkdir -p "$build/opt/zk-lib" && cp "$dir"/lib/*.jar "$build/opt/zk-lib/"
  jars=()
  local jar
  for jar in "$build"/opt/zk-lib/*.jar; do jars+=("/opt/zk-lib/$(basename "$jar")"); done
  [ -e "$build/opt/zk-lib/zookeeper-$zk_version.jar" ] || fail "Maven's output has no zookeeper-$zk_version.jar" "read $dir.log"
}

if [ -n "$zk_version" ]; then maven_jars; else debian_jars; fi

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
if [ -n "$zk_version" ]; then
  # Maven's jars, the launcher and console logging for log4j 1.2 (3.4-3.7) and logback (3.8+).
  install -d "$root/opt/zookeeper/lib" "$root/etc/zookeeper/conf"
  cp "$build"/opt/zk-lib/*.jar "$root/opt/zookeeper/lib/"
  install -D -m 0755 "$ZK_CHAOS_ROOT/images/zookeeper/maven/zkServer.sh" "$root/opt/zookeeper/bin/zkServer.sh"
  install -m 0644 "$ZK_CHAOS_ROOT/images/zookeeper/maven/log4j.properties" "$ZK_CHAOS_ROOT/images/zookeeper/maven/logback.xml" "$root/etc/zookeeper/conf/"
else
  for jar in "${jars[@]}"; do
    real=$(chroot "$build" readlink -f "$jar")
    install -D -m 0644 "$build$real" "$root$real"
    [ "$real" = "$jar" ] || ln -sf "$real" "$root$jar"
  done
  mkdir -p "$root/usr/share/zookeeper"
  cp -a "$build/usr/share/zookeeper/bin" "$root/usr/share/zookeeper/"
fi
# The tutorial runs the server as uid/gid 1000 (securityContext runAsUser/fsGroup 1000).
chroot "$root" groupadd -g 1000 zookeeper
chroot "$root" useradd -u 1000 -g 1000 -d /var/lib/zookeeper -s /bin/bash zookeeper
mkdir -p "$root/var/lib/zookeeper" "$root/var/log/zookeeper" "$root/etc/zookeeper/conf"
if [ -z "$zk_version" ]; then
  cp -a "$build/etc/zookeeper/conf_example/log4j.properties" "$root/etc/zookeeper/conf/"
  install -m 0644 "$ZK_CHAOS_ROOT/images/zookeeper/environment" "$root/etc/zookeeper/conf/environment"
  # Debian's zkServer.sh reads its environment through zkEnv.sh.
  ln -sf /etc/zookeeper/conf/environment "$root/usr/share/zookeeper/bin/zkEnv.sh"
fi
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
  --change "LABEL zk-chaos.inputs=$inputs_hash zk-chaos.zookeeper-version=${zk_version:-debian-3.8.0} org.opencontainers.image.title=zk-chaos-zookeeper" \
  --change 'ENTRYPOINT ["/usr/bin/tini", "-g", "--"]' \
  --change 'CMD ["bash", "-c", "zkGenConfig.sh && zkServer.sh start-foreground"]' \
  - "$image" >/dev/null || fail "docker import failed" "read Docker's error above (disk space)"
docker run --rm --entrypoint java "$image" -version >"$stage/java.log" 2>&1 \
  || fail "the image's Java runtime does not start: $(tr '\n' ' ' <"$stage/java.log")" "read the jlink modules above; delete $build.done to rebuild"
step_done
echo "[$LOG_PREFIX] built $image (inputs $inputs_hash, ${#jars[@]} jars, modules $modules; $(docker image inspect -f '{{.Size}}' "$image" | awk '{printf "%.0f MB", $1/1e6}'))" >&2
echo "$image"
