"""Runtime-spec MUSTs and crun behaviours that images and tools rely on (issue 13): a process.cwd that does
not exist, mount destinations behind dangling symlinks, and the smaller conformance points below."""
import os

import pytest


def run(rt, args, edit=None, bundle_hook=None):
    b = rt.bundle(args, edit=edit)
    if bundle_hook:
        bundle_hook(b)
    return rt.run("run", "--bundle", b, rt.new_id())


def test_missing_cwd_is_created_inside_the_root_before_the_readonly_remount(rt):
    def edit(c):
        c["process"]["cwd"] = "/srv/app/work"
        c["root"]["readonly"] = True
    r = run(rt, ["pwd"], edit)
    assert r.returncode == 0, r
    assert r.stdout.strip() == "/srv/app/work"


def test_missing_cwd_behind_a_dangling_symlink_stays_inside_the_root(rt, tmp_path):
    outside = tmp_path / "outside-cwd"

    def hook(b):
        os.symlink(str(outside), os.path.join(b, "rootfs", "work"))

    def edit(c):
        c["process"]["cwd"] = "/work"
    r = run(rt, ["pwd"], edit, hook)
    assert r.returncode == 0, r
    assert not outside.exists(), "the symlink was followed out of the rootfs"


@pytest.mark.parametrize("link", ["/data/real", "data/real", "../../data/real"])
def test_mount_destination_behind_a_dangling_symlink_is_created_inside_the_root(rt, tmp_path, link):
    src = tmp_path / "src"
    src.mkdir()
    (src / "marker").write_text("bound")
    bundle = {}

    def hook(b):
        bundle["b"] = b
        os.symlink(link, os.path.join(b, "rootfs", "vol"))

    def edit(c):
        c["mounts"].append({"destination": "/vol", "type": "bind", "source": str(src), "options": ["rbind"]})
    r = run(rt, ["cat", "/data/real/marker"], edit, hook)
    assert r.returncode == 0, r
    assert r.stdout == "bound"
    assert os.path.isdir(os.path.join(bundle["b"], "rootfs", "data", "real"))


def test_file_mount_destination_behind_a_dangling_symlink_is_created_inside_the_root(rt, tmp_path):
    src = tmp_path / "file-src"
    src.write_text("file")
    outside = tmp_path / "outside-file"

    def hook(b):
        os.symlink(str(outside), os.path.join(b, "rootfs", "conf"))

    def edit(c):
        c["mounts"].append({"destination": "/conf", "type": "bind", "source": str(src), "options": ["bind"]})
    r = run(rt, ["cat", str(outside)], edit, hook)
    assert r.returncode == 0, r
    assert r.stdout == "file"
    assert not outside.exists(), "the symlink was followed out of the rootfs"
