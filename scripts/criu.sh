#!/bin/sh
# Make sure a working CRIU is on PATH for checkpoint/restore. Debian 12's criu (3.17.1) cannot run on
# kernels whose vDSO layout it predates ("vdso: Unexpected rt vDSO area bounds", seen on 6.18): then build
# CRIU 4.2.1 from Debian's own source package (unstable's criu_4.2.1-1, checksum-pinned below) with
# bookworm's build dependencies, and install the binary as /usr/local/sbin/criu (ahead of /usr/sbin on
# PATH; the package's files are left alone). Idempotent: nothing happens once a criu on PATH passes
# `criu check`. Usage: scripts/criu.sh (as root)
set -eu
VERSION=4.2.1
TARBALL=criu_$VERSION.orig.tar.xz
SHA256=29ec0ee09e296479fe7048c80980e8ef1d0684d0b0204c2b101dfea19f6725b9
URL=http://deb.debian.org/debian/pool/main/c/criu/$TARBALL
DEST=/usr/local/sbin/criu
BUILD_DEPS="curl xz-utils make gcc libc6-dev pkg-config libprotobuf-c-dev protobuf-c-compiler libprotobuf-dev
protobuf-compiler libnl-3-dev libnet1-dev libbsd-dev libnftables-dev libcap-dev libgnutls28-dev uuid-dev
python3-protobuf iptables"

if command -v criu >/dev/null 2>&1 && criu check >/dev/null 2>&1; then
        exit 0
fi
[ "$(id -u)" = 0 ] || { echo "criu.sh: no working criu on PATH (run as root to build one)" >&2; exit 1; }
echo "criu.sh: $(command -v criu || echo criu) cannot work on this kernel; building CRIU $VERSION from Debian's source package" >&2
# shellcheck disable=SC2086
"$(dirname "$0")/deps.sh" $BUILD_DEPS
work=$(mktemp -d /tmp/criu-build.XXXXXX)
trap 'rm -rf "$work"' EXIT
curl -fsS --retry 3 -o "$work/$TARBALL" "$URL"
echo "$SHA256  $work/$TARBALL" | sha256sum -c --quiet
tar -C "$work" -xf "$work/$TARBALL"
make -C "$work/criu-$VERSION" -j"$(nproc)" criu >"$work/build.log" 2>&1 || { tail -30 "$work/build.log" >&2; exit 1; }
install -D -m 0755 "$work/criu-$VERSION/criu/criu" "$DEST"
"$DEST" check >/dev/null 2>&1 || { echo "criu.sh: the built $DEST fails \`criu check\`:" >&2; "$DEST" check >&2 || true; exit 1; }
echo "criu.sh: installed $DEST ($("$DEST" --version | head -1))" >&2
