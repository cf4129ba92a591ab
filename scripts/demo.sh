#!/bin/sh
# The newcomer's first command: install dependencies, build, make a busybox bundle and run a real
# container in it with our runtime. Prints "hello from krun".
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
if [ "$(id -u)" != 0 ]; then
        # Installing packages and creating a container need root; a normal user goes through sudo.
        command -v sudo >/dev/null && exec sudo "$0" "$@"
        echo "demo.sh: installs packages and runs a container: run as root (or install sudo)" >&2
        exit 1
fi
"$top/scripts/deps.sh"
"$top/scripts/build.sh"
bundle=$(mktemp -d /tmp/krun-demo.XXXXXX)
trap 'rm -rf "$bundle"' EXIT INT TERM
"$top/scripts/mkrootfs.sh" "$bundle/rootfs"
(cd "$bundle" && "$top/build/crun" spec)
# The default spec runs `sh` on a terminal; the demo runs one command with plain stdio.
/usr/bin/python3 - "$bundle/config.json" <<'PY'
import json, sys
path = sys.argv[1]
with open(path) as f:
    cfg = json.load(f)
cfg["process"]["terminal"] = False
cfg["process"]["args"] = ["echo", "hello from krun"]
with open(path, "w") as f:
    json.dump(cfg, f, indent=2)
PY
status=0
"$top/build/crun" run --bundle "$bundle" "krun-demo-$$" || status=$?
exit $status
