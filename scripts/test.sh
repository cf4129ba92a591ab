#!/bin/sh
# Every test, from a fresh machine: install dependencies, build (gcc, plus a clang ASan/UBSan build of the
# unit tests), check formatting, static analysis (scripts/lint.sh), run the unit tests, the fuzz targets for a bounded time (scripts/fuzz.sh,
# FUZZ_SECONDS each), then the integration tests as root.
# Usage: scripts/test.sh [pytest args...]   (e.g. scripts/test.sh -k lifecycle)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
if [ "$(id -u)" != 0 ]; then
        # As root there is no sudo to call (a fresh Debian has none); a normal user goes through it.
        command -v sudo >/dev/null && exec sudo "$0" "$@"
        echo "test.sh: the integration tests run real containers: run as root (or install sudo)" >&2
        exit 1
fi
scripts/deps.sh
scripts/criu.sh
echo "== build"
scripts/build.sh
echo "== format"
scripts/check-format.sh
echo "== lint (clang-tidy, cppcheck: zero findings)"
scripts/lint.sh
echo "== unit tests"
meson test -C build --suite unit --print-errorlogs -q
echo "== clang build (-Werror) and unit tests under AddressSanitizer + UndefinedBehaviorSanitizer"
[ -f build-clang-asan/build.ninja ] || CC=clang meson setup build-clang-asan -Db_sanitize=address,undefined \
        -Db_lundef=false -Dbuildtype=debug >/dev/null
ninja -C build-clang-asan >/dev/null || ninja -C build-clang-asan
UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 meson test -C build-clang-asan --suite unit --print-errorlogs -q
echo "== fuzz targets (libFuzzer, ASan + UBSan, \${FUZZ_SECONDS:-60} s each; a crash fails the run)"
scripts/fuzz.sh
echo "== integration tests (real containers, as root)"
KRUN_BUILD="$top/build" /usr/bin/python3 -m pytest -q -p no:cacheprovider tests/integration "$@"
