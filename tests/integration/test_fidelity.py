"""The rest of config.json's Linux fields and the runtime's fd/env conventions, checked from inside a
real container: sysctl, --preserve-fds, LISTEN_FDS, NOTIFY_SOCKET, personality, scheduler, ioPriority,
execCPUAffinity, memoryPolicy, timeOffsets, netDevices, mount options and devices."""
import os
import shutil
import socket
import subprocess
import threading
import time
import uuid

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))


@pytest.fixture(scope="session")
def probe(tmp_path_factory):
    """tests/integration/helpers/probe.c, built static so it runs in the busybox rootfs."""
    if not shutil.which("gcc"):
        pytest.skip("gcc is needed to build the static probe helper")
    out = str(tmp_path_factory.mktemp("probe") / "probe")
    r = subprocess.run(["gcc", "-static", "-O1", "-o", out, os.path.join(HERE, "helpers", "probe.c")],
                       capture_output=True, text=True)
    if r.returncode != 0:
        pytest.skip(f"cannot build a static probe (libc.a missing?): {r.stderr.strip()}")
    return out


def bundle_with_probe(rt, probe, args, edit=None):
    b = rt.bundle(args, edit=edit)
    shutil.copy(probe, os.path.join(b, "rootfs", "bin", "probe"))
    return b


def run_ok(rt, bundle, **kw):
    r = rt.run("run", "--bundle", bundle, rt.new_id(), **kw)
    assert r.returncode == 0, r
    return r.stdout


def run_fails(rt, bundle, *needles):
    cid = rt.new_id()
    r = rt.run("run", "--bundle", bundle, cid)
    assert r.returncode != 0, r
    for n in needles:
        assert n in r.stderr, r
    assert not os.path.exists(os.path.join(rt.root, cid))
    return r


# ---- sysctl ----

def test_sysctl_applied_in_the_container_namespaces(rt):
    def edit(c):
        c["linux"]["sysctl"] = {"net.ipv4.ip_forward": "1", "kernel.shmmni": "1234"}
    b = rt.bundle(["sh", "-c", "cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/shmmni"], edit=edit)
    assert run_ok(rt, b).split() == ["1", "1234"]
    with open("/proc/sys/kernel/shmmni") as f:
        assert f.read().strip() != "1234"  # the host's ipc namespace is untouched


@pytest.mark.parametrize("key,ns", [("net.ipv4.ip_forward", "network"), ("kernel.msgmax", "ipc")])
def test_sysctl_refused_without_its_namespace(rt, key, ns):
    def edit(c):
        c["linux"]["namespaces"] = [n for n in c["linux"]["namespaces"] if n["type"] != ns]
        c["linux"]["sysctl"] = {key: "1"}
    r = run_fails(rt, rt.bundle(["true"], edit=edit), key)
    assert ns in r.stderr.lower(), r


def test_sysctl_not_namespaced_is_refused(rt):
    def edit(c):
        c["linux"]["sysctl"] = {"vm.swappiness": "10"}
    run_fails(rt, rt.bundle(["true"], edit=edit), "vm.swappiness")


# ---- fds and environment conventions ----

def test_preserve_fds_passes_fd_3(rt, tmp_path):
    f = tmp_path / "fd3.txt"
    f.write_text("through fd 3\n")
    fd = os.open(str(f), os.O_RDONLY)
    try:
        b = rt.bundle(["sh", "-c", "cat <&3; ls /proc/self/fd | sort -n | tr '\\n' ' '"])
        r = rt.run("run", "--preserve-fds", "1", "--bundle", b, rt.new_id(), close_fds=False,
                   preexec_fn=lambda: os.dup2(fd, 3))
    finally:
        os.close(fd)
    assert r.returncode == 0, r
    lines = r.stdout.splitlines()
    assert lines[0] == "through fd 3"
    # stdio, fd 3, and ls's own directory fd: nothing else leaked from the runtime.
    assert lines[1].split() == ["0", "1", "2", "3", "4"], r


def test_without_preserve_fds_nothing_leaks(rt, tmp_path):
    f = tmp_path / "fd3.txt"
    f.write_text("x")
    fd = os.open(str(f), os.O_RDONLY)
    try:
        b = rt.bundle(["sh", "-c", "ls /proc/self/fd | sort -n | tr '\\n' ' '"])
        r = rt.run("run", "--bundle", b, rt.new_id(), close_fds=False, preexec_fn=lambda: os.dup2(fd, 3))
    finally:
        os.close(fd)
    assert r.returncode == 0, r
    assert r.stdout.split() == ["0", "1", "2", "3"], r  # 3 is ls's directory fd


def test_listen_fds_socket_activation(rt):
    a, b_ = socket.socketpair()
    try:
        b = rt.bundle(["sh", "-c", 'echo "$LISTEN_FDS $LISTEN_PID"; echo hello >&3'])
        r = rt.run("run", "--bundle", b, rt.new_id(), env={"LISTEN_FDS": "1", "LISTEN_PID": str(os.getpid())},
                   close_fds=False, preexec_fn=lambda: os.dup2(b_.fileno(), 3))
        assert r.returncode == 0, r
        assert r.stdout.split() == ["1", "1"]  # LISTEN_PID is the workload's own pid
        a.settimeout(5)
        assert a.recv(100) == b"hello\n"
    finally:
        a.close()
        b_.close()


class NotifyHost:
    """The host's NOTIFY_SOCKET (systemd's side): records every datagram and when it came."""

    def __init__(self, path):
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(path)
        self.sock.settimeout(0.2)
        self.messages = []
        self.stop = False
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    def _loop(self):
        while not self.stop:
            try:
                self.messages.append((time.monotonic(), self.sock.recv(4096).decode()))
            except socket.timeout:
                pass

    def close(self):
        self.stop = True
        self.thread.join(5)
        self.sock.close()


def test_notify_socket_ready_and_start_waits(rt, probe, tmp_path):
    host = NotifyHost(str(tmp_path / "notify.sock"))
    try:
        cid = rt.new_id()
        b = bundle_with_probe(rt, probe, ["sh", "-c", "echo $NOTIFY_SOCKET > /tmp/env; sleep 2; "
                                          "probe notify STATUS=almost; probe notify READY=1; sleep 30"])
        env = {"NOTIFY_SOCKET": host.path}
        rt.run("create", "--bundle", b, cid, env=env, check=True)
        t0 = time.monotonic()
        rt.run("start", cid, env=env, check=True)
        returned = time.monotonic()
        time.sleep(0.3)
        msgs = [m for _, m in host.messages]
        assert "READY=1" in msgs and "STATUS=almost" in msgs, msgs
        ready_at = [t for t, m in host.messages if m == "READY=1"][0]
        assert returned - t0 >= 1.5  # start waited for the workload's READY=1
        assert ready_at <= returned + 0.05
        with open(os.path.join(b, "rootfs", "tmp", "env")) as f:
            # crun's layout: the host's NOTIFY_SOCKET path is a directory in the container, socket `notify`
            assert f.read().strip() == host.path + "/notify"
        rt.run("delete", "--force", cid, check=True)
    finally:
        host.close()


def test_notify_socket_run_detached_and_dead_container(rt, probe, tmp_path):
    host = NotifyHost(str(tmp_path / "notify.sock"))
    try:
        # A workload that exits without READY=1 must not hang `run -d`.
        b = bundle_with_probe(rt, probe, ["true"])
        cid = rt.new_id()
        r = rt.run("run", "-d", "--bundle", b, cid, env={"NOTIFY_SOCKET": host.path}, timeout=20)
        assert r.returncode == 0, r
        rt.run("delete", "--force", cid, check=True)
        # Foreground run forwards too.
        b = bundle_with_probe(rt, probe, ["probe", "notify", "READY=1"])
        run_ok(rt, b, env={"NOTIFY_SOCKET": host.path})
        time.sleep(0.3)
        assert "READY=1" in [m for _, m in host.messages]
    finally:
        host.close()


# ---- mounts and devices ----

def mountinfo_line(out, target):
    for line in out.splitlines():
        f = line.split()
        if len(f) > 5 and f[4] == target:
            return f
    raise AssertionError(f"{target} not mounted: {out}")


def test_mount_options_nosymfollow_rro_tmpcopyup(rt, tmp_path):
    src = tmp_path / "src"
    (src / "sub").mkdir(parents=True)

    def edit(c):
        c["mounts"] += [
            {"destination": "/nosym", "type": "tmpfs", "source": "tmpfs", "options": ["nosymfollow"]},
            {"destination": "/rro", "type": "bind", "source": str(tmp_path), "options": ["rbind", "rro"]},
            {"destination": "/etc", "type": "tmpfs", "source": "tmpfs", "options": ["tmpcopyup"]},
        ]
    script = ("grep -E ' /(nosym|rro|rro/src|etc) ' /proc/self/mountinfo; echo ---; "
              "ln -s /etc/passwd /nosym/l; cat /nosym/l >/dev/null 2>&1; echo follow=$?; "
              "touch /rro/x 2>/dev/null; echo rro=$?; cat /etc/passwd | head -1")
    out = run_ok(rt, rt.bundle(["sh", "-c", script], edit=edit))
    info, rest = out.split("---\n")
    assert "nosymfollow" in mountinfo_line(info, "/nosym")[5]
    assert mountinfo_line(info, "/rro")[5].startswith("ro")
    lines = rest.splitlines()
    assert "follow=1" in lines and "rro=1" in lines
    assert lines[-1].startswith("root:x:0:0")  # tmpcopyup copied the rootfs's /etc into the tmpfs
    assert mountinfo_line(info, "/etc")[8] == "tmpfs"


def test_devices_with_mode_uid_gid(rt):
    def edit(c):
        c["linux"]["devices"] = [{"path": "/dev/mynull", "type": "c", "major": 1, "minor": 3,
                                  "fileMode": 0o640, "uid": 1000, "gid": 1000}]
        c["linux"]["resources"]["devices"] = [{"allow": True, "type": "c", "major": 1, "minor": 3,
                                               "access": "rwm"}]
        c["process"]["user"] = {"uid": 1000, "gid": 1000}  # the owner may write it (root lacks DAC_OVERRIDE)
    out = run_ok(rt, rt.bundle(["sh", "-c", "stat -c '%F %t,%T %a %u %g' /dev/mynull; echo x > /dev/mynull"],
                               edit=edit))
    assert out.split() == ["character", "special", "file", "1,3", "640", "1000", "1000"]


# ---- process attributes applied before exec ----

def test_personality_linux32(rt, probe):
    def edit(c):
        c["linux"]["personality"] = {"domain": "LINUX32"}
    out = run_ok(rt, bundle_with_probe(rt, probe, ["sh", "-c", "probe personality; uname -m"], edit))
    lines = out.split()
    assert lines[0] == "0x8"  # PER_LINUX32
    assert lines[1] in ("i686", "i386")  # uname reports the 32-bit machine


def test_personality_bad_domain_is_a_clear_error(rt):
    def edit(c):
        c["linux"]["personality"] = {"domain": "BSD"}
    run_fails(rt, rt.bundle(["true"], edit=edit), "linux.personality.domain")


@pytest.mark.parametrize("sched,want", [
    ({"policy": "SCHED_BATCH", "nice": 5}, "3 0 5"),
    ({"policy": "SCHED_IDLE"}, "5 0 0"),
    ({"policy": "SCHED_FIFO", "priority": 10}, "1 10 0"),
    ({"policy": "SCHED_RR", "priority": 20, "flags": ["SCHED_FLAG_RESET_ON_FORK"]}, "2 20 0"),
])
def test_scheduler(rt, probe, sched, want):
    def edit(c):
        c["process"]["scheduler"] = sched
        if sched.get("priority"):
            # With CONFIG_RT_GROUP_SCHED (cgroup v1 cpu controller) a new cgroup has no real-time budget.
            c["linux"].setdefault("resources", {})["cpu"] = {"realtimeRuntime": 10000, "realtimePeriod": 1000000}
    out = run_ok(rt, bundle_with_probe(rt, probe, ["probe", "sched"], edit))
    assert " ".join(out.split()[:3]) == want, out


def test_scheduler_deadline(rt, probe):
    sched = {"policy": "SCHED_DEADLINE", "runtime": 1000000, "deadline": 10000000, "period": 10000000,
             "flags": ["SCHED_FLAG_RESET_ON_FORK"]}

    def edit(c):
        c["process"]["scheduler"] = sched
    cid = rt.new_id()
    r = rt.run("run", "--bundle", bundle_with_probe(rt, probe, ["probe", "sched"], edit), cid)
    if r.returncode != 0 and "sched_setattr" in r.stderr:
        # The deadline class needs admission control room: refused when RT bandwidth is not available to
        # our cgroup (cgroup v1 cpu.rt_runtime_us of 0 below the root, as on this kind of host).
        pytest.skip(f"SCHED_DEADLINE refused by the kernel here: {r.stderr.strip()}")
    assert r.returncode == 0, r
    assert r.stdout.split() == ["6", "0", "0", "1000000", "10000000", "10000000", "1"]


@pytest.mark.parametrize("sched,needle", [
    ({"policy": "SCHED_NOPE"}, "process.scheduler.policy"),
    ({"policy": "SCHED_FIFO"}, "process.scheduler.priority"),
    ({"policy": "SCHED_OTHER", "nice": 40}, "process.scheduler.nice"),
    ({"policy": "SCHED_OTHER", "flags": ["SCHED_FLAG_BOGUS"]}, "process.scheduler.flags"),
])
def test_scheduler_bad_values(rt, sched, needle):
    def edit(c):
        c["process"]["scheduler"] = sched
    run_fails(rt, rt.bundle(["true"], edit=edit), needle)


@pytest.mark.parametrize("cls,prio,want", [("IOPRIO_CLASS_BE", 6, "2 6"), ("IOPRIO_CLASS_IDLE", 0, "3 0"),
                                           ("IOPRIO_CLASS_RT", 2, "1 2")])
def test_io_priority(rt, probe, cls, prio, want):
    def edit(c):
        c["process"]["ioPriority"] = {"class": cls, "priority": prio}
    assert run_ok(rt, bundle_with_probe(rt, probe, ["probe", "ioprio"], edit)).strip() == want


def test_io_priority_bad_class(rt):
    def edit(c):
        c["process"]["ioPriority"] = {"class": "IOPRIO_CLASS_NONE", "priority": 0}
    run_fails(rt, rt.bundle(["true"], edit=edit), "process.ioPriority.class")


def test_exec_cpu_affinity(rt, probe):
    if os.cpu_count() < 2:
        pytest.skip("needs two CPUs")

    def edit(c):
        c["process"]["execCPUAffinity"] = {"initial": "0", "final": "1"}
    out = run_ok(rt, bundle_with_probe(rt, probe, ["sh", "-c", "probe affinity; grep Cpus_allowed_list /proc/1/status"],
                                       edit))
    assert out.split()[0] == "1", out
    assert out.split()[-1] == "1", out


def test_exec_cpu_affinity_bad_list(rt):
    def edit(c):
        c["process"]["execCPUAffinity"] = {"final": "3-1"}
    run_fails(rt, rt.bundle(["true"], edit=edit), "process.execCPUAffinity.final")


def test_memory_policy(rt, probe):
    def edit(c):
        c["linux"]["memoryPolicy"] = {"mode": "MPOL_BIND", "nodes": "0", "flags": ["MPOL_F_STATIC_NODES"]}
    out = run_ok(rt, bundle_with_probe(rt, probe, ["probe", "mempolicy"], edit))
    mode, mask = out.split()
    assert int(mode) == 2 | (1 << 15)  # MPOL_BIND with MPOL_F_STATIC_NODES
    assert int(mask, 16) == 1


def test_memory_policy_bad_values(rt):
    def edit(c):
        c["linux"]["memoryPolicy"] = {"mode": "MPOL_BIND"}
    run_fails(rt, rt.bundle(["true"], edit=edit), "linux.memoryPolicy.nodes")


def test_time_offsets(rt):
    def edit(c):
        c["linux"]["namespaces"].append({"type": "time"})
        c["linux"]["timeOffsets"] = {"monotonic": {"secs": 86400 * 365, "nanosecs": 0},
                                     "boottime": {"secs": 86400 * 30, "nanosecs": 5}}
    out = run_ok(rt, rt.bundle(["sh", "-c", "cat /proc/self/timens_offsets; cut -d. -f1 /proc/uptime"], edit=edit))
    lines = out.splitlines()
    assert "monotonic" in lines[0] and lines[0].split()[1:] == ["31536000", "0"], out
    assert "boottime" in lines[1] and lines[1].split()[1:] == ["2592000", "5"], out
    with open("/proc/uptime") as f:
        host_uptime = float(f.read().split()[0])
    assert int(lines[2]) >= 86400 * 30 + int(host_uptime) - 5  # uptime counts the boottime offset


def test_time_offsets_need_a_time_namespace(rt):
    def edit(c):
        c["linux"]["timeOffsets"] = {"monotonic": {"secs": 10}}
    run_fails(rt, rt.bundle(["true"], edit=edit), "linux.timeOffsets", "time namespace")


# ---- netDevices ----

@pytest.fixture
def dummy_link():
    """A host interface to move: a dummy one, or one end of a veth pair where the kernel has no dummy
    driver (as on this machine); deleting the peer removes both ends."""
    name = "kd" + uuid.uuid4().hex[:8]
    peer = None
    r = subprocess.run(["ip", "link", "add", name, "type", "dummy"], capture_output=True, text=True)
    if r.returncode != 0:
        peer = "kp" + name[2:]
        r2 = subprocess.run(["ip", "link", "add", name, "type", "veth", "peer", "name", peer], capture_output=True,
                            text=True)
        if r2.returncode != 0:
            pytest.skip(f"cannot create a dummy ({r.stderr.strip()}) or veth ({r2.stderr.strip()}) interface")
    yield name
    # Gone from the host once moved (it dies with the container's netns); delete what is still here.
    subprocess.run(["ip", "link", "del", name], capture_output=True)
    if peer:
        subprocess.run(["ip", "link", "del", peer], capture_output=True)


def test_net_devices_moved_and_renamed(rt, dummy_link):
    def edit(c):
        c["linux"]["netDevices"] = {dummy_link: {"name": "ctr0"}}
    out = run_ok(rt, rt.bundle(["sh", "-c", "ls /sys/class/net"], edit=edit))
    assert "ctr0" in out.split() and dummy_link not in out.split(), out
    assert not os.path.exists(f"/sys/class/net/{dummy_link}")  # left the host with the container


def test_net_devices_missing_interface_is_a_clear_error(rt):
    def edit(c):
        c["linux"]["netDevices"] = {"nosuchif0": {"name": "ctr0"}}
    run_fails(rt, rt.bundle(["true"], edit=edit), "linux.netDevices.nosuchif0")


def test_net_devices_need_a_new_netns(rt, dummy_link):
    def edit(c):
        c["linux"]["namespaces"] = [n for n in c["linux"]["namespaces"] if n["type"] != "network"]
        c["linux"]["netDevices"] = {dummy_link: {}}
    run_fails(rt, rt.bundle(["true"], edit=edit), "linux.netDevices", "network namespace")
    assert os.path.exists(f"/sys/class/net/{dummy_link}")
