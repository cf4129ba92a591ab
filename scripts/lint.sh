#!/bin/sh
# Static analysis of src/ with the checked-in configuration: clang-tidy (.clang-tidy, which also holds
# every function to 80 lines), cppcheck (.cppcheck-suppressions, each suppression with its reason) and
# scripts/include_cycles.py (no two modules include each other, directly or around a loop). Any finding
# fails. Needs build/ configured
# (scripts/build.sh): clang-tidy compiles each file with its flags from build/compile_commands.json.
# Usage: scripts/lint.sh [FILE.c...]   (default: every .c under src/)
set -eu
cd "$(dirname "$0")/.."
[ -f build/compile_commands.json ] || { echo "lint.sh: run scripts/build.sh first" >&2; exit 1; }
if [ $# -gt 0 ]; then files="$*"; else files=$(find src -name '*.c' | sort); fi
jobs=$(nproc 2>/dev/null || echo 2)
out=$(mktemp)
trap 'rm -f "$out"' EXIT

echo "== clang-tidy ($(echo "$files" | wc -w) files)"
# shellcheck disable=SC2086 # one file per word
printf '%s\n' $files | xargs -P "$jobs" -n 1 clang-tidy -p build --quiet >"$out" 2>/dev/null || true
tidy=$(grep -cE '^[^ ]+:[0-9]+:[0-9]+: (warning|error):' "$out" || true)
grep -A3 -E '^[^ ]+:[0-9]+:[0-9]+: (warning|error):' "$out" || true

echo "== cppcheck"
# One configuration (the build's): checking every #ifdef combination would take minutes and test nothing
# we build. build/ holds build_config.h.
# shellcheck disable=SC2086
cppcheck -q -j "$jobs" --max-configs=1 -I src -I build -D_GNU_SOURCE --std=c11 \
        --enable=warning,portability,performance --inline-suppr --suppressions-list=.cppcheck-suppressions \
        --template='{file}:{line}: {severity}: {message} [{id}]' $files >"$out" 2>&1 || true
cpp=$(grep -c ': \(error\|warning\|portability\|performance\|style\):' "$out" || true)
cat "$out"

echo "== include cycles"
cycles=0
python3 scripts/include_cycles.py src || cycles=$?

echo "lint: clang-tidy $tidy, cppcheck $cpp finding(s), include cycles $([ "$cycles" = 0 ] && echo none || echo found)"
[ "$tidy" = 0 ] && [ "$cpp" = 0 ] && [ "$cycles" = 0 ]
