#!/bin/sh
# Configure (once) and build krun into build/ (build/crun and the build/krun symlink).
set -eu
cd "$(dirname "$0")/.."
[ -f build/build.ninja ] || meson setup build >/dev/null
ninja -C build >/dev/null || ninja -C build
