#!/usr/bin/env bash
# Assembles a kind node image without any registry, the way kind's node-image builder does, from:
#   - a Debian root filesystem with systemd, containerd and runc (Debian packages),
#   - kind's own base files (entrypoint, units, containerd config) read from the kind module,
#   - the Kubernetes binaries and component images built by build-kubernetes.sh / build-components.sh.
# Usage: build-node-image.sh BIN_DIR IMAGE
#        build-node-image.sh --prefetch   (only the Debian root filesystems: no CPU-heavy work)
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"
source "$(dirname "$0")/../lib/go.sh"
source "$(dirname "$0")/versions.sh"
LOG_PREFIX=kind-toolchain
bin=${1:-}
image=${2:-}
cache="$ZK_CHAOS_CACHE/kind"
ensure_go
modules=$(go env GOMODCACHE)
[ -n "$modules" ] || fail "go env GOMODCACHE printed nothing" "check the Go installation (go env)"
kind_module=$modules/sigs.k8s.io/kind@$KIND_VERSION
mkdir -p "$cache/src"
for module in "sigs.k8s.io/kind@$KIND_VERSION" "k8s.io/kubernetes@$KUBERNETES_VERSION"; do
  [ -d "$modules/$module" ] && continue
  step "downloading the Go module $module (its manifests and base files)"
  (cd "$cache/src" && go mod download "$module") \
    || fail "downloading the Go module $module failed (go mod download, GOPROXY=$(go env GOPROXY))" \
      "check access to the Go module proxy, or set GOPROXY to one that answers"
done
step_done

# The online path's node image must be the one this kind version defaults to.
kind_default=$(sed -n 's/^const Image = "\(.*\)"$/\1/p' "$kind_module/pkg/apis/config/defaults/image.go")
[ "$kind_default" = "$KIND_DEFAULT_NODE_IMAGE" ] \
  || fail "kind $KIND_VERSION defaults to $kind_default, but versions.sh says $KIND_DEFAULT_NODE_IMAGE" "set KIND_DEFAULT_NODE_IMAGE in scripts/kind/versions.sh to $kind_default"

# The rest needs root (debootstrap, chroot, root's files copied into images, containerd). The Go
# modules above stay the user's: root reads them where the user's Go keeps them.
rerun_as_root "building the kind node image (debootstrap, chroot, containerd)" \
  "allow this user password-less sudo, or build the toolchain once as root into this cache: sudo env ZK_CHAOS_CACHE=$ZK_CHAOS_CACHE bash scripts/kind/toolchain.sh" \
  GOMODCACHE="$modules" -- "$0" "$@"

# A cached Debian root filesystem (debootstrap_cached in lib/common.sh); prints its folder.
rootfs() {
  debootstrap_cached "$cache/rootfs/$1" "$2"
  echo "$cache/rootfs/$1"
}

# 1. The node's root filesystem: kind's base image, from Debian packages.
node_packages=systemd,conntrack,iptables,nftables,iproute2,ethtool,util-linux,mount,kmod,libseccomp2,pigz,fuse-overlayfs,bash,ca-certificates,curl,jq,procps,containerd,runc,containernetworking-plugins,socat,ipset
base=$(rootfs "kind-node-base-$(echo "$node_packages" | sha256sum | cut -c1-10)" "$node_packages")

tools=$(rootfs "kind-net-tools" "iptables,nftables,conntrack,iproute2,ipset,kmod")
[ "$bin" = "--prefetch" ] && exit 0

# 2. Component images (docker save archives), tagged exactly as kubeadm and kind's manifests ask.
images="$cache/images-$KUBERNETES_VERSION"
mkdir -p "$images"
registry=registry.k8s.io
kubeadm_images=$("$bin/kubeadm" config images list --kubernetes-version "$KUBERNETES_VERSION")
image_tag() { grep -m1 "/$1:" <<<"$kubeadm_images"; }
kind_const() { sed -n "s/^const $1 = \"\(.*\)\"/\1/p" "$kind_module/pkg/build/nodeimage/$2"; }
# Pod networking: kind's kindnetd cannot be built from the module proxy; images/podnet replaces it.
podnet_image="zk-chaos/podnet:$KUBERNETES_VERSION"
cni_manifest=$(sed "s|PODNET_IMAGE|docker.io/$podnet_image|" "$ZK_CHAOS_ROOT/images/podnet/podnet.yaml")
provisioner_image=$(kind_const storageProvisionerImage const_storage.go)
helper_image=$(kind_const storageHelperImage const_storage.go)
# kind's default storage manifest, a Go string with the two image names concatenated in.
storage_manifest=$(awk '/^const defaultStorageManifest = `/{f=1; sub(/.*`/, ""); } f && /^`/ {exit} f' "$kind_module/pkg/build/nodeimage/const_storage.go" \
  | sed -e "s|\` + storageProvisionerImage + \`|$provisioner_image|" -e "s|\` + storageHelperImage + \`|$helper_image|")
if grep -q '`' <<<"$storage_manifest"; then
  fail "could not read kind's storage manifest from const_storage.go" "update build-node-image.sh for kind $KIND_VERSION"
fi
sandbox_image=$(sed -n 's/.*sandbox_image = "\(.*\)"/\1/p' "$kind_module/images/base/files/etc/containerd/config.toml")

# make_image TAG ROOTFS_OR_EMPTY BINARY DEST ENTRYPOINT_JSON: one image archive, cached by tag.
make_image() {
  local tag=$1 rootfs=$2 binary=$3 dest=$4 entrypoint=$5 file="$images/$(echo "$1" | tr '/:' '__').tar"
  [ -f "$file" ] && return 0
  # Global, for the exit trap: a failed step leaves no stage folder behind.
  stage=$(mktemp -d)
  if [ -n "$rootfs" ]; then cp -a "$rootfs/." "$stage/"; fi
  install -D -m 0755 "$binary" "$stage$dest"
  mkdir -p "$stage/tmp" "$stage/etc" && chmod 1777 "$stage/tmp"
  [ -f "$stage/etc/passwd" ] || printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' > "$stage/etc/passwd"
  [ -f "$stage/etc/group" ] || printf 'root:x:0:\nnogroup:x:65534:\n' > "$stage/etc/group"
  tar -C "$stage" -c . | docker import --change "ENTRYPOINT $entrypoint" \
    --change 'ENV PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin' - "$tag" >/dev/null
  docker save "$tag" -o "$file"
  rm -rf "$stage"
  stage=
}
stage=
trap 'rm -rf ${stage:+"$stage"}' EXIT
step "making component images (${KUBERNETES_VERSION}, etcd, CoreDNS, pause, podnet, local-path)"
for component in kube-apiserver kube-controller-manager kube-scheduler; do
  make_image "$(image_tag "$component")" "" "$bin/$component" "/usr/local/bin/$component" "[\"/usr/local/bin/$component\"]"
done
make_image "$(image_tag kube-proxy)" "$tools" "$bin/kube-proxy" /usr/local/bin/kube-proxy '["/usr/local/bin/kube-proxy"]'
make_image "$(image_tag etcd)" "" "$bin/etcd" /usr/local/bin/etcd '["/usr/local/bin/etcd"]'
make_image "$(image_tag coredns)" "" "$bin/coredns" /coredns '["/coredns"]'
make_image "$(image_tag pause)" "" "$bin/pause" /pause '["/pause"]'
[ "$sandbox_image" = "$(image_tag pause)" ] || make_image "$sandbox_image" "" "$bin/pause" /pause '["/pause"]'
make_image "docker.io/$podnet_image" "$tools" "$bin/kubectl" /usr/local/bin/kubectl '["/bin/sh"]'
make_image "$provisioner_image" "" "$bin/local-path-provisioner" /usr/local/bin/local-path-provisioner '["/usr/local/bin/local-path-provisioner"]'
make_image "$helper_image" "$tools" /bin/true /usr/local/bin/noop '["/bin/sh"]'

# 3. The node: base files, binaries, manifests, and the images in containerd's store.
step "assembling the node image $image"
overlay=$(mktemp -d)
trap 'set +e; [ -n "${containerd_pid:-}" ] && kill "$containerd_pid" 2>/dev/null && wait "$containerd_pid" 2>/dev/null; [ -n "${container:-}" ] && docker rm -f "$container" >/dev/null 2>&1; rm -rf "$overlay" ${state:+"$state"}; true' EXIT
cp -a "$kind_module/images/base/files/." "$overlay/"
chmod -R u+w "$overlay"
# Lowering a process's oom_score_adj needs CAP_SYS_RESOURCE, which nodes on hosts with an incomplete
# capability set lack (see scripts/runc-capfilter); runc then fails every critical pod's sandbox.
# Clamping to containerd's own score, as kind does for rootless nodes, costs nothing elsewhere.
sed -i 's/restrict_oom_score_adj = false/restrict_oom_score_adj = true/' "$overlay/etc/containerd/config.toml"
grep -q 'restrict_oom_score_adj = true' "$overlay/etc/containerd/config.toml" \
  || fail "kind's containerd config changed: restrict_oom_score_adj not found" "update build-node-image.sh for kind $KIND_VERSION"
chmod 0755 "$overlay/usr/local/bin/"* "$overlay/kind/bin/"*
mkdir -p "$overlay/usr/bin" "$overlay/usr/local/bin" "$overlay/opt/cni" "$overlay/etc/kubernetes/manifests" "$overlay/kind/manifests"
# Debian installs containerd in /usr/bin and the CNI plugins in /usr/lib/cni; kind's units and
# containerd's defaults look in /usr/local/bin and /opt/cni/bin.
for b in containerd containerd-shim-runc-v2 ctr; do ln -sf "/usr/bin/$b" "$overlay/usr/local/bin/$b"; done
ln -sf /usr/lib/cni "$overlay/opt/cni/bin"
install -m 0755 "$bin/kubeadm" "$bin/kubelet" "$bin/kubectl" "$overlay/usr/bin/"
install -m 0755 "$bin/crictl" "$overlay/usr/local/bin/"
echo "$KUBERNETES_VERSION" > "$overlay/kind/version"
printf '%s\n' "$cni_manifest" > "$overlay/kind/manifests/default-cni.yaml"
printf '%s\n' "$storage_manifest" > "$overlay/kind/manifests/default-storage.yaml"
# containerd's base OCI spec, as kind's base image makes it (product_uuid hook, no rlimits).
chroot "$base" ctr oci spec \
  | jq '.hooks.createContainer[.hooks.createContainer | length] |= . + {"path": "/kind/bin/mount-product-files.sh"}' \
  | jq 'del(.process.rlimits)' > "$overlay/etc/containerd/cri-base.json"
# Import the images into the node's containerd store with the host's containerd (Debian's, the
# same version as the node's), so no privileged build container is needed.
state=$(mktemp -d)
printf 'version = 2\nroot = "%s"\nstate = "%s"\n[grpc]\n  address = "%s"\n' \
  "$overlay/var/lib/containerd" "$state" "$state/containerd.sock" > "$state/config.toml"
containerd --config "$state/config.toml" >"$state/log" 2>&1 &
containerd_pid=$!
for _ in $(seq 1 50); do [ -S "$state/containerd.sock" ] && break; sleep 0.2; done
# Its state folder goes with the build (the trap above), so its log is shown here.
[ -S "$state/containerd.sock" ] || { tail -n 20 "$state/log" >&2; fail "the build's containerd did not start (the end of its log is above)" "see why containerd cannot start here, e.g. run: containerd --version"; }
for archive in "$images"/*.tar; do
  ctr --address "$state/containerd.sock" -n k8s.io images import --all-platforms --no-unpack --digests - < "$archive" >/dev/null \
    || fail "importing $archive failed" "delete $images and rerun"
done
for name in $(ctr --address "$state/containerd.sock" -n k8s.io images ls -q); do
  ctr --address "$state/containerd.sock" -n k8s.io images label "$name" io.cri-containerd.pinned=pinned >/dev/null
done
kill "$containerd_pid"; wait "$containerd_pid" 2>/dev/null || true; containerd_pid=""

# The image: kind's base settings; systemd units enabled as kind's Dockerfile does.
base_image="zk-chaos/kind-base:$KUBERNETES_VERSION"
if ! docker image inspect "$base_image" >/dev/null 2>&1; then
  step "importing the node's base file system"
  tar -C "$base" -c . | docker import - "$base_image" >/dev/null
fi
container=$(docker create --entrypoint /bin/true "$base_image")
docker cp "$overlay/." "$container:/" >/dev/null
docker commit "$container" "$image-stage" >/dev/null && docker rm "$container" >/dev/null
container=$(docker create --entrypoint /bin/sh "$image-stage" -c '
  set -e
  find /lib/systemd/system/sysinit.target.wants/ -name "systemd-tmpfiles-setup.service" -delete
  rm -f /lib/systemd/system/multi-user.target.wants/* /etc/systemd/system/*.wants/* \
        /lib/systemd/system/local-fs.target.wants/* /lib/systemd/system/sockets.target.wants/*udev* \
        /lib/systemd/system/sockets.target.wants/*initctl* /lib/systemd/system/basic.target.wants/*
  echo "ReadKMsg=no" >> /etc/systemd/journald.conf
  ln -sf /usr/lib/systemd/systemd /sbin/init
  systemctl enable kubelet.service containerd.service undo-mount-hacks.service
  systemctl mask systemd-binfmt.service')
docker start -a "$container" >/dev/null || fail "configuring systemd units in the node image failed" "docker logs $container"
docker commit "$container" "$image-configured" >/dev/null
# `docker commit --change` cannot set STOPSIGNAL; a FROM-only build (no network) can.
printf '%s\n' "FROM $image-configured" 'ENV container=docker' 'STOPSIGNAL SIGRTMIN+3' \
  'ENTRYPOINT [ "/usr/local/bin/entrypoint", "/sbin/init" ]' 'CMD []' \
  | DOCKER_BUILDKIT=0 docker build -q -t "$image" - >/dev/null 2>"$cache/node-image-build.log" \
  || fail "setting the node image's configuration failed" "read $cache/node-image-build.log"
docker rmi "$image-configured" >/dev/null
docker rm "$container" >/dev/null; container=""; docker rmi "$image-stage" >/dev/null
step_done
echo "[$LOG_PREFIX] node image $image ready" >&2
