"""linux.rootfsPropagation: the container's `/` has the asked propagation when its process starts, binds
still work with the unbindable forms, and none of the container's mounts reaches the host.

The rootfs sits on a tmpfs that is shared in the host's namespace (made and removed here), so that the
slave forms have a master to follow; the host's own `/` may well be private.
"""
import os
import shutil
import subprocess
import uuid

import pytest


def optional_fields(mountinfo_line):
    """The propagation fields of a mountinfo line: shared:N, master:N, propagate_from:N, unbindable."""
    fields = mountinfo_line.split(" - ", 1)[0].split()[6:]
    return {f.split(":")[0] for f in fields}


@pytest.fixture
def shared_rootfs(rt, tmp_path):
    """A copy of the busybox rootfs in a directory of a shared tmpfs mount; unmounted before rt's leak check."""
    mnt = tmp_path / f"shared-{uuid.uuid4().hex[:6]}"
    mnt.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "tmpfs", str(mnt)], check=True)
    try:
        subprocess.run(["mount", "--make-shared", str(mnt)], check=True)
        # A directory below the mount point, as usual (containers/storage, containerd snapshots).
        subprocess.run(["cp", "-a", rt.rootfs_src, str(mnt / "rootfs")], check=True)
        yield str(mnt / "rootfs")
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=True)


def run_with_propagation(rt, rootfs, prop, tmp_path):
    src = tmp_path / "bind-src"
    src.mkdir(exist_ok=True)

    def edit(c):
        c["root"]["path"] = rootfs
        c["linux"]["rootfsPropagation"] = prop
        # A bind and the default masked/read-only paths (binds too) must all work with every form.
        c["mounts"].append({"destination": "/mnt", "type": "bind", "source": str(src), "options": ["rbind"]})
    bundle = rt.bundle(["cat", "/proc/self/mountinfo"], edit=edit)
    shutil.rmtree(os.path.join(bundle, "rootfs"))
    r = rt.run("run", "--bundle", bundle, rt.new_id())
    assert r.returncode == 0, r
    lines = r.stdout.splitlines()
    root = [l for l in lines if l.split()[4] == "/"]
    assert len(root) == 1, lines
    assert any(l.split()[4] == "/mnt" for l in lines), "the bind mount is there"
    return root[0], lines


@pytest.mark.parametrize("prop,want", [
    ("shared", {"shared"}), ("rshared", {"shared"}),
    ("slave", {"master"}), ("rslave", {"master"}),
    ("private", set()), ("rprivate", set()),
    ("unbindable", {"unbindable"}), ("runbindable", {"unbindable"}),
])
def test_root_has_the_propagation(rt, shared_rootfs, tmp_path, prop, want):
    with open("/proc/self/mountinfo") as f:
        before = [l for l in f if shared_rootfs in l]
    root, lines = run_with_propagation(rt, shared_rootfs, prop, tmp_path)
    assert optional_fields(root) == want, root
    if prop.startswith("r") and prop != "rprivate":
        # The recursive forms reach the mounts below `/` too (here /mnt, a bind made before).
        mnt = [l for l in lines if l.split()[4] == "/mnt"][0]
        assert want <= optional_fields(mnt) or prop == "rslave", mnt
    with open("/proc/self/mountinfo") as f:
        assert [l for l in f if shared_rootfs in l] == before, "nothing propagated to the host"
