"""krun mode end to end through the libkrun TEST DOUBLE (tests/libkrun-double, not a VM): the default call
sequence, exit statuses, the lifecycle (create/start/kill/delete), /.krun_config.json and /.krun_vm.json
handling with hostile images, and the real no-KVM path. Helpers and fixtures: krun_double.py.
"""
import json
import os
import shutil
import stat
import subprocess
import tempfile
import time

import pytest

from conftest import CGROUP_ROOT, DOUBLE_DIR, KRUN
from krun_double import (AGENT_ARGV, agent_dir_fd, calls, fake_devices, kvm_rdev, krun_funcs, krun_runtime, named,
                         no_fake_devices, wait_stopped, with_agent, write_rootfs)


@pytest.fixture
def kvm():
    with fake_devices("/dev/kvm"):
        yield


@pytest.fixture
def krt(tmp_path, rt, kvm):
    """`krun` with the double on the library path; the `rt` fixture's leak checks still apply."""
    return krun_runtime(rt, str(tmp_path / "double.jsonl"))


def affinity():
    return min(len(os.sched_getaffinity(0)), 16)


def test_run_default_sequence_and_output(krt):
    b = krt.bundle(args=["echo", "hello"])
    r = krt.run("run", "--bundle", b, krt.new_id())
    assert r.returncode == 0, r
    assert r.stdout == "hello\n"
    lines = calls(krt, b)
    assert krun_funcs(lines) == ["krun_create_ctx", "krun_set_log_level", "krun_add_virtiofs2",
                                 "krun_set_vm_config", "krun_set_rlimits", "krun_add_vsock_port2",
                                 "krun_start_enter"]
    # Only the flavor's library is loaded (the sev and aws-nitro variants are never opened).
    assert [c["variant"] for c in named(lines, "krun_create_ctx")] == ["plain"]
    assert named(lines, "krun_add_virtiofs2")[0]["args"] == {"ctx": 0, "tag": "/dev/root", "path": "/",
                                                             "shm_size": 536870912}
    vm = named(lines, "krun_set_vm_config")[0]["args"]
    assert (vm["vcpus"], vm["ram_mib"]) == (affinity(), 1024)
    assert named(lines, "krun_set_log_level")[0]["args"]["level"] == 1
    # krun_create_ctx ran in the runtime, in the host mount namespace, before the container existed.
    host_ns = os.readlink("/proc/self/ns/mnt")
    assert all(c["mntns"] == host_ns for c in named(lines, "krun_create_ctx"))
    assert named(lines, "krun_start_enter")[0]["mntns"] != host_ns
    env = named(lines, "environment")[0]["args"]
    assert env["dev_kvm"] == kvm_rdev()
    # The VMM holds stdio and the agent's socket directory only: the runtime's fds (log, `start` connection,
    # the double's log) were closed.
    assert env["fds"] == [0, 1, 2, agent_dir_fd(lines)]
    assert named(lines, "guest_exec")[0]["args"]["argv"] == AGENT_ARGV + ["echo", "hello"]


def test_preserved_fd_reaches_the_vmm(krt, tmp_path):
    """--preserve-fds descriptors stay open in the VMM (everything else the runtime had is closed)."""
    out = tmp_path / "fd3.out"
    fd = os.open(out, os.O_WRONLY | os.O_CREAT, 0o644)
    try:
        b = krt.bundle(args=["sh", "-c", "echo via-fd >&3"])
        r = krt.run("run", "--preserve-fds", "1", "--bundle", b, krt.new_id(), close_fds=False,
                    preexec_fn=lambda: os.dup2(fd, 3))
    finally:
        os.close(fd)
    assert r.returncode == 0, r
    assert out.read_text() == "via-fd\n"
    lines = calls(krt, b)
    assert named(lines, "environment")[0]["args"]["fds"] == [0, 1, 2, 3, agent_dir_fd(lines)]


@pytest.mark.parametrize("script,code", [
    ("exit 0", 0), ("exit 1", 1), ("exit 7", 7), ("exit 125", 125),
    ("/etc/passwd", 126),           # not executable
    ("no-such-command", 127),       # not found (by the workload's shell)
    ("kill -9 $$", 128 + 9),        # killed by a signal
])
def test_exit_status_is_the_workload_status(krt, script, code):
    b = krt.bundle(args=["sh", "-c", script])
    r = krt.run("run", "--bundle", b, krt.new_id())
    assert r.returncode == code, r
    assert named(calls(krt, b), "guest_exit")[0]["args"]["code"] == code


def test_env_and_cwd_come_from_krun_config(krt):
    def edit(cfg):
        cfg["process"]["env"].append("FOO=bar")
        cfg["process"]["cwd"] = "/tmp"
    b = krt.bundle(args=["sh", "-c", "echo $FOO $HOME; pwd"], edit=edit)
    r = krt.run("run", "--bundle", b, krt.new_id())
    assert r.returncode == 0, r
    assert r.stdout.split("\n")[:2] == ["bar /", "/tmp"]


def test_created_state_then_start(krt):
    b = krt.bundle(args=["sh", "-c", "echo started > /out"])
    cid = krt.new_id()
    r = krt.run("create", "--bundle", b, cid)
    assert r.returncode == 0, r
    st = krt.state(cid)
    assert st["status"] == "created"
    # Created: the context exists, no configuration call and no VM start yet; the config file is written.
    assert krun_funcs(calls(krt, b)) == ["krun_create_ctx"]
    assert os.path.exists(os.path.join(b, "rootfs", ".krun_config.json"))
    assert not os.path.exists(os.path.join(b, "rootfs", "out"))
    r = krt.run("start", cid)
    assert r.returncode == 0, r
    wait_stopped(krt, cid)
    with open(os.path.join(b, "rootfs", "out")) as f:
        assert f.read() == "started\n"
    assert krun_funcs(calls(krt, b))[-1] == "krun_start_enter"
    r = krt.run("delete", cid)
    assert r.returncode == 0, r
    # delete removes the config it wrote into the image.
    assert not os.path.lexists(os.path.join(b, "rootfs", ".krun_config.json"))


def _cgroup_v1_devices(pid):
    with open(f"/proc/{pid}/cgroup") as f:
        for line in f:
            _, ctrl, path = line.rstrip("\n").split(":", 2)
            if "devices" in ctrl.split(","):
                return os.path.join(CGROUP_ROOT, "devices", path.lstrip("/"), "devices.list")
    return None


def test_kill_and_delete_a_running_container(krt):
    b = krt.bundle(args=["sleep", "300"])
    cid = krt.new_id()
    assert krt.run("run", "--detach", "--bundle", b, cid).returncode == 0
    st = krt.state(cid)
    assert st["status"] == "running"
    # The device cgroup lets the VMM use /dev/kvm (v1 devices.list; v2 uses a BPF program).
    devices = _cgroup_v1_devices(st["pid"])
    if devices and os.path.exists(devices):
        with open(devices) as f:
            assert f"c {kvm_rdev()} rwm" in f.read().split("\n")
    r = krt.run("delete", cid)
    assert r.returncode != 0 and "running" in r.stderr
    assert krt.run("kill", cid, "KILL").returncode == 0
    wait_stopped(krt, cid)
    assert krt.run("delete", cid).returncode == 0
    assert krt.run("state", cid).returncode != 0
    assert not os.path.lexists(os.path.join(b, "rootfs", ".krun_config.json"))


def test_vmm_shows_the_workload_as_its_command_line(krt):
    """The VMM never execs: without a new title, `ps` and `podman top` would show the runtime's `create`."""
    b = krt.bundle(args=["sleep", "300"])
    cid = krt.new_id()
    assert krt.run("run", "--detach", "--bundle", b, cid).returncode == 0
    pid = krt.state(cid)["pid"]
    with open(f"/proc/{pid}/cmdline", "rb") as f:
        assert f.read().rstrip(b"\0") == b"[krun] sleep 300"
    with open(f"/proc/{pid}/comm") as f:
        assert f.read().strip() == "[krun]"
    assert krt.run("delete", "--force", cid).returncode == 0


def test_force_delete_a_running_container(krt):
    b = krt.bundle(args=["sleep", "300"])
    cid = krt.new_id()
    assert krt.run("run", "--detach", "--bundle", b, cid).returncode == 0
    assert krt.run("delete", "--force", cid).returncode == 0
    assert krt.run("state", cid).returncode != 0


def test_krun_config_is_the_bundle_config_read_only(krt):
    b = krt.bundle(args=["true"])
    r = krt.run("run", "--keep", "--bundle", b, krt.new_id())
    assert r.returncode == 0, r
    dst = os.path.join(b, "rootfs", ".krun_config.json")
    with open(os.path.join(b, "config.json"), "rb") as f, open(dst, "rb") as g:
        assert json.loads(g.read()) == with_agent(json.loads(f.read()))
    assert stat.S_IMODE(os.lstat(dst).st_mode) == 0o444


def test_run_removes_the_config_and_the_rootfs_can_run_again(krt):
    b = krt.bundle(args=["true"])
    for _ in range(2):
        r = krt.run("run", "--bundle", b, krt.new_id())
        assert r.returncode == 0, r
        assert not os.path.lexists(os.path.join(b, "rootfs", ".krun_config.json"))


def test_restart_over_a_left_config(krt):
    """A config left by an earlier container (different config) is replaced, and not deleted by ours."""
    b = krt.bundle(args=["true"])
    left = write_rootfs(b, ".krun_config.json", '{"process": {"args": ["false"]}}', mode=0o444)
    r = krt.run("run", "--keep", "--bundle", b, krt.new_id())
    assert r.returncode == 0, r
    with open(left) as f:
        assert json.load(f)["process"]["args"] == AGENT_ARGV + ["true"]


@pytest.mark.parametrize("kind", ["symlink", "hardlink", "fifo"])
def test_planted_config_entry_is_not_followed(krt, tmp_path, kind):
    victim = tmp_path / "victim"
    victim.write_text("precious")
    b = krt.bundle(args=["true"])
    dst = os.path.join(b, "rootfs", ".krun_config.json")
    if kind == "symlink":
        os.symlink(str(victim), dst)
    elif kind == "hardlink":
        os.link(str(victim), dst)
    else:
        os.mkfifo(dst)
    r = krt.run("run", "--keep", "--bundle", b, krt.new_id(), timeout=30)
    assert r.returncode == 0, r
    assert victim.read_text() == "precious"
    assert stat.S_ISREG(os.lstat(dst).st_mode)
    with open(dst) as f:
        assert json.load(f)["process"]["args"] == AGENT_ARGV + ["true"]


def test_delete_leaves_a_replaced_config_alone(krt, tmp_path):
    """delete removes only the file it wrote: a symlink planted after create is not followed or removed."""
    victim = tmp_path / "victim"
    victim.write_text("precious")
    b = krt.bundle(args=["true"])
    cid = krt.new_id()
    assert krt.run("create", "--bundle", b, cid).returncode == 0
    dst = os.path.join(b, "rootfs", ".krun_config.json")
    os.unlink(dst)
    os.symlink(str(victim), dst)
    assert krt.run("delete", "--force", cid).returncode == 0
    assert os.path.islink(dst)
    assert victim.read_text() == "precious"


@pytest.mark.parametrize("kind,msg", [
    ("symlink", ".krun_vm.json"),
    ("fifo", "a FIFO (expected a regular file)"),
    ("huge", "larger than"),
    ("directory", ".krun_vm.json"),
])
def test_hostile_vm_json_fails_at_create(krt, tmp_path, kind, msg):
    b = krt.bundle(args=["true"])
    dst = os.path.join(b, "rootfs", ".krun_vm.json")
    if kind == "symlink":
        target = tmp_path / "vm.json"
        target.write_text('{"cpus": 1}')
        os.symlink(str(target), dst)
    elif kind == "fifo":
        os.mkfifo(dst)
    elif kind == "directory":
        os.mkdir(dst)
    else:
        with open(dst, "w") as f:
            f.write('{"cpus": 1, "pad": "' + "x" * (2 << 20) + '"}')
    cid = krt.new_id()
    start = time.monotonic()
    r = krt.run("create", "--bundle", b, cid, timeout=30)
    assert time.monotonic() - start < 20
    assert r.returncode != 0
    assert msg in r.stderr, r
    assert krt.run("state", cid).returncode != 0
    # A refused container writes nothing into the image.
    assert not os.path.lexists(os.path.join(b, "rootfs", ".krun_config.json"))


def test_missing_executable_fails_at_create(krt):
    b = krt.bundle(args=["no-such-program"])
    cid = krt.new_id()
    r = krt.run("create", "--bundle", b, cid)
    assert r.returncode != 0
    assert "exec: `no-such-program`: executable file not found in $PATH" in r.stderr
    assert krt.run("state", cid).returncode != 0
    assert krun_funcs(calls(krt, b)) == ["krun_create_ctx"]  # the VM never started
    assert not os.path.lexists(os.path.join(b, "rootfs", ".krun_config.json"))


@pytest.mark.parametrize("args", [["/etc/passwd"], ["not-exec"]])
def test_non_executable_fails_at_create_with_permission_denied(krt, args):
    """An existing file without x bits (by path, or the only match in $PATH): "permission denied" with
    EACCES, which podman and docker map to exit 126 (not "not found", 127)."""
    b = krt.bundle(args=args)
    with open(os.path.join(b, "rootfs", "bin", "not-exec"), "w") as f:
        f.write("#!/bin/sh\n")
    cid = krt.new_id()
    r = krt.run("create", "--bundle", b, cid)
    assert r.returncode != 0
    assert f"exec: `{args[0]}`: not an executable file (permission denied): Permission denied" in r.stderr, r
    assert krt.run("state", cid).returncode != 0


def test_vm_start_failure_is_reported(krt):
    """krun_start_enter failing ends the container with status 1 and the reason on its stderr."""
    b = krt.bundle(args=["true"])
    r = krt.run("run", "--bundle", b, krt.new_id(), env={"KRUN_DOUBLE_FAIL": "krun_start_enter:22"})
    assert r.returncode == 1, r
    assert "could not start the VM (krun_start_enter): Invalid argument" in r.stderr
    assert named(calls(krt, b), "krun_start_enter")[0]["ret"] == -22


def test_missing_libkrunfw_fails_at_create(krt):
    """libkrun loads libkrunfw in krun_create_ctx and would only fail in krun_start_enter, after `start`
    (the double's knob: "not installed"): `create` refuses with one line and leaves nothing behind."""
    b = krt.bundle(args=["true"])
    cid = krt.new_id()
    r = krt.run("create", "--bundle", b, cid, env={"KRUN_DOUBLE_NO_KRUNFW": "1"})
    assert r.returncode != 0
    err = [line for line in r.stderr.splitlines() if line.strip()]
    assert len(err) == 1 and "libkrun.so.1 could not load its guest kernel library libkrunfw.so.5" in err[0], r
    assert krt.run("state", cid).returncode != 0
    assert not os.path.lexists(os.path.join(b, "rootfs", ".krun_config.json"))
    assert "krun_start_enter" not in krun_funcs(calls(krt, b))


def test_rlimits_reach_the_guest(krt):
    """process.rlimits go to krun_set_rlimits as "RESOURCE=SOFT:HARD" (7 = RLIMIT_NOFILE); the double's
    guest applies them before it starts the workload, as libkrun's init does."""
    def edit(cfg):
        cfg["process"]["rlimits"] = [{"type": "RLIMIT_NOFILE", "soft": 321, "hard": 654},
                                     {"type": "RLIMIT_CORE", "soft": 0, "hard": 18446744073709551615}]
    b = krt.bundle(args=["sh", "-c", "ulimit -n; ulimit -Hn"], edit=edit)
    r = krt.run("run", "--bundle", b, krt.new_id())
    assert r.returncode == 0, r
    assert r.stdout.split() == ["321", "654"]
    lines = calls(krt, b)
    assert named(lines, "krun_set_rlimits")[0]["args"]["rlimits"] == ["7=321:654", "4=0:18446744073709551615"]
    assert [(c["args"]["item"], c["ret"]) for c in named(lines, "guest_rlimit")] == \
        [("7=321:654", 0), ("4=0:18446744073709551615", 0)]


def test_no_rlimits_no_call(krt):
    b = krt.bundle(args=["true"], edit=lambda cfg: cfg["process"].pop("rlimits", None))
    r = krt.run("run", "--bundle", b, krt.new_id())
    assert r.returncode == 0, r
    assert "krun_set_rlimits" not in krun_funcs(calls(krt, b))


def test_guest_hostname_comes_from_the_env_like_libkrun_init(krt):
    """libkrun's init ignores the OCI hostname and sets $HOSTNAME, else "localhost"; the double does the same
    in the container's own UTS namespace (it needs CAP_SYS_ADMIN there, which the guest's root has)."""
    def with_sys_admin(cfg):
        for s in ("bounding", "effective", "permitted"):
            cfg["process"]["capabilities"][s].append("CAP_SYS_ADMIN")

    def edit(cfg):
        with_sys_admin(cfg)
        cfg["hostname"] = "oci-name"
        cfg["process"]["env"].append("HOSTNAME=from-env")
    b = krt.bundle(args=["hostname"], edit=edit)
    r = krt.run("run", "--bundle", b, krt.new_id())
    assert r.returncode == 0, r
    assert r.stdout == "from-env\n"
    h = named(calls(krt, b), "guest_hostname")[0]
    assert h["args"] == {"hostname": "from-env", "applied": True} and h["ret"] == 0
    b = krt.bundle(args=["hostname"], edit=with_sys_admin)
    r = krt.run("run", "--bundle", b, krt.new_id())
    assert r.stdout == "localhost\n", r


def test_no_libkrun_is_a_hard_error(krt):
    b = krt.bundle(args=["true"])
    r = krt.run("create", "--bundle", b, krt.new_id(), env={"LD_LIBRARY_PATH": "/nonexistent"})
    assert r.returncode != 0
    for lib in ("libkrun.so.1", "libkrun-sev.so.1", "libkrun-awsnitro.so.1"):
        assert lib in r.stderr


def test_no_kvm_fails_at_create(rt, tmp_path):
    with no_fake_devices() as is_kvmless:
        if not is_kvmless:
            pytest.skip("the host has /dev/kvm")
        k = krun_runtime(rt, str(tmp_path / "d.jsonl"))
        b = k.bundle(args=["true"])
        cid = k.new_id()
        r = k.run("run", "--bundle", b, cid)
        assert r.returncode != 0
        err = [line for line in r.stderr.splitlines() if line.strip()]
        assert len(err) == 1 and "`/dev/kvm` unavailable" in err[0], r
        assert k.run("state", cid).returncode != 0
        assert not os.listdir(k.root) if os.path.isdir(k.root) else True
        assert not os.path.lexists(os.path.join(b, "rootfs", ".krun_config.json"))
        # The library was loaded, but no VM was configured.
        assert krun_funcs(calls(k, b)) == ["krun_create_ctx"]


def test_rootless_user_without_kvm_access_fails_at_create(rt, tmp_path):
    """`create` opens /dev/kvm as the user who runs it (the VMM's user): a rootless user outside the `kvm`
    group gets one line saying so, instead of a VM that dies after `start`."""
    with fake_devices("/dev/kvm"):
        st = os.stat("/dev/kvm")
        if st.st_mode & 0o006 == 0o006:
            pytest.skip("this host's /dev/kvm is world-accessible")
        nobody = 65534
        top = tempfile.mkdtemp(prefix="krun-rootless-", dir="/tmp")  # pytest's tmp_path is 0700 root
        try:
            os.chmod(top, 0o755)
            b = rt.bundle(args=["true"])
            shutil.copytree(b, os.path.join(top, "b"), symlinks=True)
            cfg_path = os.path.join(top, "b", "config.json")
            with open(cfg_path) as f:
                cfg = json.load(f)
            cfg["process"]["terminal"] = False
            cfg["linux"]["namespaces"].append({"type": "user"})
            cfg["linux"]["uidMappings"] = [{"containerID": 0, "hostID": nobody, "size": 1}]
            cfg["linux"]["gidMappings"] = [{"containerID": 0, "hostID": nobody, "size": 1}]
            with open(cfg_path, "w") as f:
                json.dump(cfg, f)
            os.makedirs(os.path.join(top, "state"))
            subprocess.run(["chown", "-R", f"{nobody}:{nobody}", top], check=True)
            env = {"PATH": "/usr/bin:/bin", "XDG_RUNTIME_DIR": os.path.join(top, "state"),
                   "LD_LIBRARY_PATH": DOUBLE_DIR}
            cmd = ["setpriv", f"--reuid={nobody}", f"--regid={nobody}", "--clear-groups", KRUN,
                   "--root", os.path.join(top, "state"), "create", "--bundle", os.path.join(top, "b"), "c1"]
            r = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=top, timeout=60)
            if r.returncode == 0:
                subprocess.run(cmd[:5] + ["--root", os.path.join(top, "state"), "delete", "--force", "c1"],
                               env=env, cwd=top, timeout=60)
            assert r.returncode != 0
            err = [line for line in r.stderr.splitlines() if line.strip()]
            assert err == ["krun: `/dev/kvm` unavailable: this user may not use KVM (add it to the `kvm` group): "
                           "Permission denied"], r
            assert os.listdir(os.path.join(top, "state")) == []
            assert not os.path.lexists(os.path.join(top, "b", "rootfs", ".krun_config.json"))
        finally:
            shutil.rmtree(top, ignore_errors=True)


def _lsm():
    try:
        with open("/sys/module/apparmor/parameters/enabled") as f:
            if f.read(1) == "Y":
                return "apparmor"
    except OSError:
        pass
    return "selinux" if os.path.exists("/sys/fs/selinux/enforce") else None


def test_lsm_label_applies_to_the_vmm(krt):
    """The VMM never execs, so the label is applied to it with attr/current right before krun_start_enter.
    Needs AppArmor or SELinux on the host (the pure part is unit-tested in tests/unit/linux/test_lsm.c)."""
    lsm = _lsm()
    if not lsm:
        pytest.skip("no AppArmor or SELinux on this host: the VMM's label is covered by unit tests only")
    if lsm == "apparmor":
        label, key = "unconfined", "apparmorProfile"
    else:
        with open("/proc/self/attr/current") as f:
            label, key = f.read().strip("\0\n"), "selinuxLabel"
    b = krt.bundle(args=["true"], edit=lambda cfg: cfg["process"].update({key: label}))
    r = krt.run("run", "--bundle", b, krt.new_id())
    assert r.returncode == 0, r
    assert named(calls(krt, b), "environment")[0]["args"]["lsm_current"].startswith(label)


def test_runtime_binary_has_no_rpath(rt):
    """Sanity for every other test: the double is reached only through LD_LIBRARY_PATH (no RPATH)."""
    if not shutil.which("readelf"):
        pytest.skip("readelf not installed")
    out = subprocess.run(["readelf", "-d", krun_runtime(rt, "x").binary], capture_output=True, text=True, check=True)
    assert "RPATH" not in out.stdout and "RUNPATH" not in out.stdout and "libkrun-double" not in out.stdout
