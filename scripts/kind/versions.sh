# Versions of the offline kind toolchain. Changing one rebuilds what depends on it (the cache is
# keyed by these). Sourced, never run.
KIND_VERSION=v0.32.0
KUBERNETES_VERSION=v1.34.4          # cgroup v1 hosts: kubelets from 1.35 refuse v1 unless told
ETCD_VERSION=v3.6.5
COREDNS_VERSION=v1.12.1
LOCAL_PATH_PROVISIONER_VERSION=v0.0.30     # the newest the module proxy serves
CRI_TOOLS_VERSION=v1.34.0
DEBIAN_SUITE=bookworm               # systemd 252: fine on cgroup v1 (trixie's 257 stalls there)
