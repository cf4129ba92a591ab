#!/bin/sh
# Build the libFuzzer targets (clang, ASan + UBSan) into build-fuzz/ and run each for a bounded time from
# its seed corpus in tests/fuzz/corpus/<name>/. Fails on the first crash, leak, sanitizer report or
# timeout; the reproducer is left in build-fuzz/fuzz-artifacts/.
# Usage: scripts/fuzz.sh [target...]   (default: all)   FUZZ_SECONDS=N per target (default 60).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
seconds=${FUZZ_SECONDS:-60}
targets=${*:-spec state vm_config krun_annotations agent_protocol mountinfo passwd}

[ -f build-fuzz/build.ninja ] || CC=clang meson setup build-fuzz -Dbuildtype=debug -Db_lundef=false >/dev/null
for t in $targets; do
        exe=fuzz-$(echo "$t" | tr _ -)
        ninja -C build-fuzz "tests/fuzz/$exe" >/dev/null || ninja -C build-fuzz "tests/fuzz/$exe"
done

artifacts="$top/build-fuzz/fuzz-artifacts"
mkdir -p "$artifacts"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for t in $targets; do
        exe=fuzz-$(echo "$t" | tr _ -)
        seeds="tests/fuzz/corpus/$t"
        [ -d "$seeds" ] || { echo "fuzz.sh: no seed corpus $seeds" >&2; exit 1; }
        # New inputs go to a scratch corpus (listed first); the seeds in the repository stay as they are.
        mkdir -p "$work/$t"
        echo "== fuzz $t (${seconds}s)"
        if ! UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ASAN_OPTIONS=detect_leaks=1 \
                "build-fuzz/tests/fuzz/$exe" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
                -max_len=65536 -print_final_stats=1 -artifact_prefix="$artifacts/$t-" \
                "$work/$t" "$seeds" >"$work/$t.log" 2>&1; then
                tail -n 60 "$work/$t.log" >&2
                echo "fuzz.sh: $t failed; reproducer: $(ls -t "$artifacts/$t-"* 2>/dev/null | head -n 1)" >&2
                exit 1
        fi
        grep -E '^stat::number_of_executed_units|^Done' "$work/$t.log" | tail -n 1
done
