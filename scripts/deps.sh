#!/bin/sh
# Install the Debian packages krun needs to build and test. Idempotent and quiet when all is present.
# podman + conmon (catatonit for `podman run --init`), containerd (+ ctr and the runc v2 shim) and docker.io
# (dockerd 20.10 + the docker CLI) are the real clients of tests/integration/test_podman.py, test_containerd.py
# and test_docker.py; rootful, without network, so none of their recommended packages (slirp4netns,
# fuse-overlayfs, CNI plugins) is needed. uidmap (newuidmap/newgidmap) is for the rootless suites
# (test_rootless.py, test_podman_rootless.py).
# Usage: scripts/deps.sh [extra packages...]
set -eu
pkgs="meson ninja-build pkg-config gcc libc6-dev clang libclang-rt-14-dev clang-format clang-tidy cppcheck libjson-c-dev libseccomp-dev libcap-dev
libsystemd-dev libcmocka-dev python3-pytest python3-jsonschema busybox-static iproute2 util-linux procps
podman conmon catatonit containerd docker.io criu uidmap $*"
missing=""
for p in $pkgs; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
        echo "deps.sh: missing packages:$missing (run as root to install them)" >&2
        exit 1
fi
echo "deps.sh: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null || apt-get update
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
