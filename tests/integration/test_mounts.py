"""Rootfs, mount types and options, devices, masked/readonly paths, hostile rootfs symlinks."""
import os
import stat

import pytest


def run_out(rt, args, edit=None, bundle_hook=None, expect=0):
    b = rt.bundle(args, edit=edit)
    if bundle_hook:
        bundle_hook(b)
    r = rt.run("run", "--bundle", b, rt.new_id())
    assert r.returncode == expect, r
    return r.stdout


def test_proc_sys_dev_are_mounted(rt):
    out = run_out(rt, ["sh", "-c", "cat /proc/mounts"])
    types = {line.split()[1]: line.split()[2] for line in out.splitlines()}
    assert types["/proc"] == "proc"
    assert types["/dev"] == "tmpfs"
    assert types["/dev/pts"] == "devpts"
    assert types["/dev/shm"] == "tmpfs"
    assert types["/dev/mqueue"] == "mqueue"
    assert types["/sys"] == "sysfs"


def test_default_devices(rt):
    out = run_out(rt, ["sh", "-c", "ls -l /dev/null /dev/zero /dev/full /dev/random /dev/urandom /dev/tty; "
                                   "echo x > /dev/null && head -c 4 /dev/zero | wc -c"])
    for dev in ["null", "zero", "full", "random", "urandom", "tty"]:
        assert f"/dev/{dev}" in out
    lines = out.splitlines()
    assert all(line.startswith("c") for line in lines[:6])
    assert lines[-1].strip() == "4"


def test_dev_symlinks(rt):
    out = run_out(rt, ["sh", "-c", "for l in /dev/fd /dev/stdin /dev/stdout /dev/stderr /dev/ptmx; do readlink $l; done"])
    assert out.split() == ["/proc/self/fd", "/proc/self/fd/0", "/proc/self/fd/1", "/proc/self/fd/2", "pts/ptmx"]


def test_linux_devices_are_created(rt):
    def edit(c):
        c["linux"]["devices"] = [{"path": "/dev/kmsg-copy", "type": "c", "major": 1, "minor": 11,
                                  "fileMode": 0o640, "uid": 0, "gid": 0}]
    out = run_out(rt, ["stat", "-c", "%F %t:%T %a", "/dev/kmsg-copy"], edit)
    assert out.split() == ["character", "special", "file", "1:b", "640"]


def test_tmpfs_with_size_and_mode(rt):
    def edit(c):
        c["mounts"].append({"destination": "/scratch", "type": "tmpfs", "source": "tmpfs",
                            "options": ["size=1m", "mode=700", "nosuid", "noexec"]})
    out = run_out(rt, ["sh", "-c", "grep ' /scratch ' /proc/mounts; stat -c %a /scratch"], edit)
    line, mode = out.splitlines()
    assert "size=1024k" in line and "nosuid" in line and "noexec" in line
    assert mode == "700"


def test_bind_mount_directory_read_only(rt, tmp_path):
    host = tmp_path / "hostdir"
    host.mkdir()
    (host / "f").write_text("from host\n")

    def edit(c):
        c["mounts"].append({"destination": "/data", "type": "bind", "source": str(host), "options": ["rbind", "ro"]})
    out = run_out(rt, ["sh", "-c", "cat /data/f; touch /data/g 2>/dev/null && echo writable || echo readonly"], edit)
    assert out.splitlines() == ["from host", "readonly"]
    assert not (host / "g").exists()


def test_bind_mount_file_read_write(rt, tmp_path):
    host = tmp_path / "hostfile"
    host.write_text("one\n")

    def edit(c):
        c["mounts"].append({"destination": "/etc/motd", "type": "none", "source": str(host), "options": ["bind"]})
    run_out(rt, ["sh", "-c", "echo two >> /etc/motd"], edit)
    assert host.read_text() == "one\ntwo\n"


def test_relative_bind_source_is_relative_to_the_bundle(rt):
    def hook(b):
        os.makedirs(os.path.join(b, "shared"))
        with open(os.path.join(b, "shared", "x"), "w") as f:
            f.write("rel\n")

    def edit(c):
        c["mounts"].append({"destination": "/shared", "type": "bind", "source": "shared", "options": ["bind"]})
    assert run_out(rt, ["cat", "/shared/x"], edit, hook) == "rel\n"


def test_mount_destination_symlink_stays_inside_the_rootfs(rt, tmp_path):
    """A hostile image points a mount destination at a host directory: the mount must land inside."""
    host = tmp_path / "hostdir"
    host.mkdir()
    victim = tmp_path / "victim"
    victim.mkdir()

    def hook(b):
        os.symlink(str(victim), os.path.join(b, "rootfs", "evil"))

    def edit(c):
        c["mounts"].append({"destination": "/evil/sub", "type": "bind", "source": str(host), "options": ["bind"]})
    run_out(rt, ["true"], edit, hook)
    assert not (victim / "sub").exists(), "the runtime created a directory outside the rootfs"


def test_root_readonly(rt):
    def edit(c):
        c["root"]["readonly"] = True
    out = run_out(rt, ["sh", "-c", "touch /x 2>/dev/null && echo writable || echo readonly; touch /tmp/y && echo tmp-ok"],
                  edit=lambda c: (edit(c), c["mounts"].append({"destination": "/tmp", "type": "tmpfs", "source": "tmpfs"})))
    assert out.splitlines() == ["readonly", "tmp-ok"]


def test_masked_and_readonly_paths(rt):
    # /proc/keys (a file: /dev/null on top) and /sys/firmware (a directory: empty read-only tmpfs) are in
    # the template's maskedPaths; /proc/sys in its readonlyPaths. Masked paths this kernel lacks
    # (/proc/kcore here) are skipped.
    assert os.path.getsize("/proc/keys") >= 0 and os.path.isdir("/sys/firmware")
    out = run_out(rt, ["sh", "-c", "wc -c < /proc/keys; ls /sys/firmware | wc -l; "
                                   "echo 1 > /proc/sys/kernel/ns_last_pid 2>/dev/null && echo rw || echo ro"])
    assert out.split() == ["0", "0", "ro"]


def test_no_pivot(rt):
    b = rt.bundle(["sh", "-c", "echo ok; ls /"])
    r = rt.run("run", "--no-pivot", "--bundle", b, rt.new_id())
    assert r.returncode == 0, r
    assert r.stdout.splitlines()[0] == "ok" and "bin" in r.stdout


def test_missing_mount_targets_are_created(rt):
    def edit(c):
        c["mounts"].append({"destination": "/a/b/c", "type": "tmpfs", "source": "tmpfs"})
    out = run_out(rt, ["sh", "-c", "grep -c ' /a/b/c ' /proc/mounts"], edit)
    assert out.strip() == "1"


def test_cgroup_mount(rt):
    out = run_out(rt, ["sh", "-c", "grep /sys/fs/cgroup /proc/mounts | head -1"])
    assert "/sys/fs/cgroup" in out


def test_sysfs_is_read_only(rt):
    out = run_out(rt, ["sh", "-c", "grep ' /sys ' /proc/mounts"])
    assert " ro," in out or " ro " in out
