"""krun mode: the runtime, as host root, reads /.krun_vm.json at create and /.krun_config.json at delete from
an image it does not trust. Whatever the image put there (a FIFO, a device node, a symlink to a host file,
a directory) is refused or left alone without ever being opened for reading: inotify on the planted entry
sees no open. Through the libkrun TEST DOUBLE (tests/libkrun-double, not a VM)."""
import ctypes
import os
import stat
import struct
import time

import pytest

from krun_double import fake_devices, krun_runtime

IN_ACCESS = 0x1
IN_OPEN = 0x20
_libc = ctypes.CDLL(None, use_errno=True)


class OpenWatch:
    """Records IN_OPEN/IN_ACCESS on one inode (not following a symlink: the watch is on what was planted)."""

    IN_DONT_FOLLOW = 0x02000000

    def __init__(self, path):
        self.fd = _libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC)
        assert self.fd >= 0, ctypes.get_errno()
        wd = _libc.inotify_add_watch(self.fd, os.fsencode(path), IN_OPEN | IN_ACCESS | self.IN_DONT_FOLLOW)
        assert wd >= 0, ctypes.get_errno()

    def opened(self):
        masks = []
        try:
            buf = os.read(self.fd, 65536)
        except BlockingIOError:
            return masks
        off = 0
        while off < len(buf):
            _, mask, _, name_len = struct.unpack_from("iIII", buf, off)
            masks.append(mask)
            off += 16 + name_len
        return [m for m in masks if m & (IN_OPEN | IN_ACCESS)]

    def close(self):
        os.close(self.fd)


@pytest.fixture
def krt(tmp_path, rt):
    with fake_devices("/dev/kvm"):
        yield krun_runtime(rt, str(tmp_path / "double.jsonl"))


def plant(path, kind, tmp_path):
    """Put `kind` at `path`; returns what to watch (the symlink's target for a symlink)."""
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "chardev":
        os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    elif kind == "directory":
        os.mkdir(path)
    elif kind == "symlink":
        target = tmp_path / "host-secret"
        target.write_text('{"cpus": 1}')
        os.symlink(str(target), path)
        return str(target)
    return path


WHAT = {"fifo": "a FIFO", "chardev": "a character device", "directory": "a directory", "symlink": "a symbolic link"}


@pytest.mark.parametrize("kind", sorted(WHAT))
def test_planted_vm_json_is_refused_unopened(krt, tmp_path, kind):
    b = krt.bundle(args=["true"])
    watched = plant(os.path.join(b, "rootfs", ".krun_vm.json"), kind, tmp_path)
    watch = OpenWatch(watched)
    try:
        cid = krt.new_id()
        start = time.monotonic()
        r = krt.run("create", "--bundle", b, cid, timeout=30)
        assert time.monotonic() - start < 20
        opened = watch.opened()
    finally:
        watch.close()
    assert r.returncode != 0
    assert f"read `/.krun_vm.json` in the rootfs: {WHAT[kind]} (expected a regular file)" in r.stderr, r
    assert opened == [], f"the runtime opened the planted {kind}"
    assert krt.run("state", cid).returncode != 0
    assert not os.path.lexists(os.path.join(b, "rootfs", ".krun_config.json"))


def test_symlink_to_host_shadow_is_refused(krt):
    b = krt.bundle(args=["true"])
    os.symlink("/etc/shadow", os.path.join(b, "rootfs", ".krun_vm.json"))
    cid = krt.new_id()
    r = krt.run("create", "--bundle", b, cid)
    assert r.returncode != 0
    assert "`/.krun_vm.json` in the rootfs: a symbolic link (expected a regular file)" in r.stderr, r


@pytest.mark.parametrize("kind", ["fifo", "chardev"])
def test_config_replaced_after_create_is_not_opened_by_delete(krt, tmp_path, kind):
    """delete compares /.krun_config.json with what create wrote before removing it: a node the container
    put there instead is neither opened nor removed."""
    b = krt.bundle(args=["true"])
    cid = krt.new_id()
    assert krt.run("create", "--bundle", b, cid).returncode == 0
    dst = os.path.join(b, "rootfs", ".krun_config.json")
    os.unlink(dst)
    plant(dst, kind, tmp_path)
    watch = OpenWatch(dst)
    try:
        r = krt.run("delete", "--force", cid, timeout=30)
        opened = watch.opened()
    finally:
        watch.close()
    assert r.returncode == 0, r
    assert opened == [], f"delete opened the planted {kind}"
    assert not stat.S_ISREG(os.lstat(dst).st_mode)
