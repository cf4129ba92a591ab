#!/bin/sh
# Fail when a C file differs from .clang-format's style (scripts/check-format.sh --fix rewrites them).
set -eu
cd "$(dirname "$0")/.."
files=$(git ls-files '*.c' '*.h' 2>/dev/null || find src tests -name '*.[ch]')
if [ "${1:-}" = --fix ]; then
        # shellcheck disable=SC2086
        clang-format -i $files
        exit 0
fi
bad=""
for f in $files; do
        clang-format "$f" | cmp -s - "$f" || bad="$bad $f"
done
[ -z "$bad" ] && exit 0
echo "check-format.sh: not clang-formatted (run scripts/check-format.sh --fix):$bad" >&2
exit 1
