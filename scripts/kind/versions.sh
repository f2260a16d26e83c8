# Versions of the offline kind toolchain. Changing one rebuilds what depends on it (the cache is
# keyed by these). Sourced, never run.
KIND_VERSION=v0.32.0
# The node image kind $KIND_VERSION defaults to (pkg/apis/config/defaults/image.go of its module),
# pinned by digest: the online path on cgroup v2 hosts. build-node-image.sh checks it still matches.
KIND_DEFAULT_NODE_IMAGE=kindest/node:v1.36.1@sha256:3489c7674813ba5d8b1a9977baea8a6e553784dab7b84759d1014dbd78f7ebd5
KUBERNETES_VERSION=v1.34.4          # the offline build; cgroup v1 hosts: kubelets from 1.35 refuse v1
ETCD_VERSION=v3.6.5
COREDNS_VERSION=v1.12.1
LOCAL_PATH_PROVISIONER_VERSION=v0.0.30     # the newest the module proxy serves
CRI_TOOLS_VERSION=v1.34.0
DEBIAN_SUITE=bookworm               # systemd 252: fine on cgroup v1 (trixie's 257 stalls there)
