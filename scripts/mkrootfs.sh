#!/bin/sh
# Build a minimal busybox rootfs from Debian's busybox-static: scripts/mkrootfs.sh DIR
# DIR/bin/busybox plus one symlink per applet, /etc/passwd and /etc/group, and empty mount points.
set -eu
dir=${1:?usage: mkrootfs.sh DIR}
bb=/bin/busybox
[ -x "$bb" ] || { echo "mkrootfs.sh: $bb missing (apt-get install busybox-static)" >&2; exit 1; }
mkdir -p "$dir/bin" "$dir/sbin" "$dir/usr/bin" "$dir/usr/sbin" "$dir/etc" "$dir/proc" "$dir/sys" \
        "$dir/dev" "$dir/tmp" "$dir/root" "$dir/home/user" "$dir/run" "$dir/var"
chmod 1777 "$dir/tmp"
cp "$bb" "$dir/bin/busybox"
for applet in $("$bb" --list); do
        [ "$applet" = busybox ] || ln -sf /bin/busybox "$dir/bin/$applet"
done
printf 'root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000:user:/home/user:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$dir/etc/passwd"
printf 'root:x:0:\nuser:x:1000:\nnogroup:x:65534:\n' >"$dir/etc/group"
: >"$dir/etc/hosts"
: >"$dir/etc/resolv.conf"
