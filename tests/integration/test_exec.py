"""`exec` end to end with real containers: the exec'd process joins every namespace of the init (the pid
namespace really: it is not pid 1 and sees the init), its cgroup, and gets the container's seccomp filter and
execCPUAffinity; every option (--cwd, -e, -u, --additional-gids, --cap, --no-new-privs, --process, -t with
--console-socket, --detach/--pid-file, --preserve-fds); exit statuses (the process's own, 127, 126); the
refusals (stopped, paused, krun containers)."""
import fcntl
import json
import os
import pty
import select
import socket
import struct
import subprocess
import termios
import threading
import time

import pytest

from conftest import CRUN
from krun_double import fake_devices, krun_runtime

NS = ["cgroup", "ipc", "mnt", "net", "pid", "time", "user", "uts"]


def wait_for(cond, timeout=20, what="condition"):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def proc_status(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return line.split(":", 1)[1].strip()
    raise KeyError(field)


def kill_and_reap(pid):
    """The detached process was re-parented to us (pytest is a subreaper, like conmon): reap it, or the
    container's init, stuck waiting for every process of its pid namespace to be released, never dies."""
    try:
        os.kill(pid, 9)
    except ProcessLookupError:
        pass
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass


def alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] not in "ZX"
    except OSError:
        return False


@pytest.fixture
def running(rt):
    """Start a `sleep` container (optionally edited); returns (cid, init pid)."""
    def start(edit=None):
        cid = rt.new_id()
        b = rt.bundle(["sleep", "300"], edit=edit)
        if edit is userns_edit:  # the rootfs belongs to the container's root and is reachable by it
            subprocess.run(["chown", "-R", "100000:100000", os.path.join(b, "rootfs")], check=True)
            d = b
            while d not in ("/", "/tmp"):
                os.chmod(d, os.stat(d).st_mode | 0o711)
                d = os.path.dirname(d)
        rt.run("run", "--detach", "--bundle", b, cid, check=True)
        return cid, rt.state(cid)["pid"]
    return start


def exec_(rt, cid, *args, **kw):
    return rt.run("exec", cid, *args, **kw)


def detached(rt, cid, tmp_path, *args, opts=()):
    """`exec --detach --pid-file` of a long-running command; returns its host pid."""
    pid_file = str(tmp_path / f"exec-{time.monotonic_ns()}.pid")
    r = rt.run("exec", "--detach", "--pid-file", pid_file, *opts, cid, *args, timeout=20)
    assert r.returncode == 0, r
    with open(pid_file) as f:
        return int(f.read())


# ---- namespaces, cgroup ----

def userns_edit(c):
    c["linux"]["namespaces"] += [{"type": "user"}, {"type": "cgroup"}, {"type": "time"}]
    c["linux"]["uidMappings"] = [{"containerID": 0, "hostID": 100000, "size": 65536}]
    c["linux"]["gidMappings"] = [{"containerID": 0, "hostID": 100000, "size": 65536}]


@pytest.mark.parametrize("edit", [None, userns_edit], ids=["default", "user-cgroup-time"])
def test_exec_joins_every_namespace_and_the_cgroup(rt, running, tmp_path, edit):
    if edit and not os.path.exists("/proc/self/ns/time"):
        pytest.skip("this kernel has no time namespace")
    cid, init = running(edit)
    pid = detached(rt, cid, tmp_path, "sleep", "300")
    try:
        for ns in NS:
            if os.path.exists(f"/proc/self/ns/{ns}"):
                assert os.readlink(f"/proc/{pid}/ns/{ns}") == os.readlink(f"/proc/{init}/ns/{ns}"), ns
        with open(f"/proc/{pid}/cgroup") as a, open(f"/proc/{init}/cgroup") as b:
            assert a.read() == b.read()
        with open(f"/proc/{pid}/status") as f:
            nspid = [ln.split()[1:] for ln in f if ln.startswith("NSpid:")][0]
        assert nspid[0] == str(pid) and nspid[-1] != "1", nspid  # a second pid inside the container
        assert os.readlink(f"/proc/{pid}/root") == os.readlink(f"/proc/{init}/root")
        if edit:
            assert proc_status(pid, "Uid").split()[0] == "100000"  # container root, mapped
    finally:
        kill_and_reap(pid)


def test_exec_is_inside_the_pid_namespace(rt, running):
    cid, _ = running()
    r = exec_(rt, cid, "sh", "-c", "echo pid=$$; ps -o pid,args")
    assert r.returncode == 0, r
    lines = r.stdout.splitlines()
    assert lines[0] != "pid=1" and int(lines[0][4:]) > 1, r
    assert any(ln.split()[:3] == ["1", "sleep", "300"] for ln in lines), r  # ps sees the init
    assert not any("pytest" in ln for ln in lines), r  # and nothing of the host


def test_exec_hostname_and_mounts_are_the_containers(rt, running):
    def edit(c):
        c["hostname"] = "exec-host"
    cid, _ = running(edit)
    r = exec_(rt, cid, "sh", "-c", "hostname; cat /etc/passwd | head -1; ls /proc/1/cmdline")
    assert r.returncode == 0 and r.stdout.splitlines()[0] == "exec-host", r


# ---- process options ----

def test_cwd_and_env(rt, running):
    cid, _ = running()
    r = exec_(rt, cid, "sh", "-c", "pwd; echo A=$A B=$B; echo PATH=$PATH")
    assert r.returncode == 0 and r.stdout.splitlines()[0] == "/", r
    r = rt.run("exec", "--cwd", "/tmp", "-e", "A=1", "--env", "B=two words", "-e", "A=3", "-e", "PATH=/bin", cid,
               "sh", "-c", "pwd; echo A=$A B=$B; echo PATH=$PATH; env | grep -c ^PATH=")
    assert r.returncode == 0, r
    assert r.stdout.splitlines() == ["/tmp", "A=3 B=two words", "PATH=/bin", "1"], r


def test_cwd_missing_is_an_error(rt, running):
    cid, _ = running()
    r = rt.run("exec", "--cwd", "/no/such/dir", cid, "true")
    assert r.returncode != 0 and "/no/such/dir" in r.stderr, r


def test_bad_env_is_rejected(rt, running):
    cid, _ = running()
    r = rt.run("exec", "-e", "NOEQUALS", cid, "true")
    assert r.returncode != 0 and "NAME=VALUE" in r.stderr, r


def test_user_and_additional_gids(rt, running):
    cid, _ = running()
    r = rt.run("exec", "-u", "1000:1001", "--additional-gids", "5", "--additional-gids", "7", cid, "sh", "-c",
               "id -u; id -g; id -G; grep ^Groups: /proc/self/status")
    assert r.returncode == 0, r
    out = r.stdout.splitlines()
    assert out[:2] == ["1000", "1001"], r
    assert sorted(out[2].split()) == ["1001", "5", "7"], r
    assert sorted(out[3].split()[1:]) == ["5", "7"], r
    # `-u UID` alone keeps the container's gid (0).
    r = rt.run("exec", "-u", "1000", cid, "sh", "-c", "id -u; id -g; echo HOME=$HOME")
    assert r.returncode == 0 and r.stdout.splitlines() == ["1000", "0", "HOME=/home/user"], r


def test_bad_user_is_rejected(rt, running):
    cid, _ = running()
    r = rt.run("exec", "-u", "alice", cid, "true")
    assert r.returncode != 0 and "--user" in r.stderr, r


CAP_SYS_ADMIN, CAP_NET_RAW = 21, 13


def test_cap_is_added_to_the_containers_set(rt, running):
    cid, _ = running()
    base = exec_(rt, cid, "grep", "CapEff", "/proc/self/status")
    assert base.returncode == 0, base
    base_eff = int(base.stdout.split()[1], 16)
    assert not base_eff & (1 << CAP_SYS_ADMIN)
    r = rt.run("exec", "--cap", "CAP_SYS_ADMIN", "--cap", "CAP_NET_RAW", cid, "grep", "^Cap", "/proc/self/status")
    assert r.returncode == 0, r
    caps = {ln.split()[0].rstrip(":"): int(ln.split()[1], 16) for ln in r.stdout.splitlines()}
    want = base_eff | 1 << CAP_SYS_ADMIN | 1 << CAP_NET_RAW
    assert caps["CapEff"] == want and caps["CapPrm"] == want and caps["CapBnd"] & want == want, r
    r = rt.run("exec", "--cap", "CAP_NOT_A_CAP", cid, "true")
    assert r.returncode != 0 and "CAP_NOT_A_CAP" in r.stderr, r


def test_cap_sys_admin_really_works(rt, running):
    cid, _ = running()
    r = exec_(rt, cid, "sh", "-c", "mount -t tmpfs none /tmp && echo mounted")
    assert r.returncode != 0, r  # not without the capability
    r = rt.run("exec", "--cap", "CAP_SYS_ADMIN", cid, "sh", "-c", "mount -t tmpfs none /tmp && echo mounted")
    assert r.returncode == 0 and "mounted" in r.stdout, r


def test_no_new_privs(rt, running):
    def edit(c):
        c["process"]["noNewPrivileges"] = False
    cid, _ = running(edit)
    r = exec_(rt, cid, "grep", "NoNewPrivs", "/proc/self/status")
    assert r.returncode == 0 and r.stdout.split()[1] == "0", r
    r = rt.run("exec", "--no-new-privs", cid, "grep", "NoNewPrivs", "/proc/self/status")
    assert r.returncode == 0 and r.stdout.split()[1] == "1", r


def test_process_file(rt, running, tmp_path):
    cid, _ = running()
    proc = {"args": ["sh", "-c", "id -u; id -g; id -G; pwd; echo X=$X; grep NoNewPrivs /proc/self/status"],
            "env": ["PATH=/bin:/usr/bin", "X=from-json"], "cwd": "/var", "user": {"uid": 1000, "gid": 1000,
                                                                             "additionalGids": [44]},
            "noNewPrivileges": True, "terminal": False}
    p = tmp_path / "process.json"
    p.write_text(json.dumps(proc))
    r = rt.run("exec", "--process", str(p), cid)
    assert r.returncode == 0, r
    assert r.stdout.split("\n")[:5] == ["1000", "1000", "1000 44", "/var", "X=from-json"], r
    assert r.stdout.splitlines()[5].split()[1] == "1"
    # Command-line options still override the JSON.
    r = rt.run("exec", "--process", str(p), "--cwd", "/tmp", "-e", "X=cli", cid)
    assert r.returncode == 0 and r.stdout.splitlines()[3:5] == ["/tmp", "X=cli"], r


def test_process_file_errors(rt, running, tmp_path):
    cid, _ = running()
    r = rt.run("exec", "--process", str(tmp_path / "missing.json"), cid)
    assert r.returncode != 0 and "missing.json" in r.stderr, r
    p = tmp_path / "bad.json"
    p.write_text(json.dumps({"args": "not-an-array", "cwd": "/"}))
    r = rt.run("exec", "--process", str(p), cid)
    assert r.returncode != 0 and "args" in r.stderr, r
    r = rt.run("exec", "--process", str(p), cid, "true")
    assert r.returncode != 0 and "--process" in r.stderr, r


# ---- terminal ----

class ConsoleSocket:
    """conmon's side of --console-socket: receives the pty master over SCM_RIGHTS, then reads the output."""

    def __init__(self, path):
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.bind(path)
        self.sock.listen(1)
        self.sock.settimeout(30)
        self.master = None
        self.output = b""
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        conn, _ = self.sock.accept()
        with conn:
            _, fds, _, _ = socket.recv_fds(conn, 4096, 1)
        if not fds:
            return
        self.master = fds[0]
        while True:
            try:
                chunk = os.read(self.master, 4096)
            except OSError:  # EIO: the slave side is gone
                break
            if not chunk:
                break
            self.output += chunk

    def close(self):
        self.sock.close()
        if self.master is not None:
            os.close(self.master)


def test_tty_with_console_socket(rt, running, tmp_path):
    cid, _ = running()
    cs = ConsoleSocket(str(tmp_path / "console.sock"))
    try:
        r = rt.run("exec", "-t", "--console-socket", cs.path, cid, "sh", "-c",
                   "tty; [ -t 0 ] && [ -t 1 ] && echo stdio-is-a-tty; stty size; exit 4")
        cs.thread.join(20)
        assert cs.master is not None, "no pty master received on the console socket"
        out = cs.output.decode(errors="replace").replace("\r\n", "\n")
    finally:
        cs.close()
    assert r.returncode == 4, r
    assert out.startswith("/dev/pts/"), out
    assert "stdio-is-a-tty" in out, out


def test_tty_detached_with_console_socket(rt, running, tmp_path):
    cid, _ = running()
    cs = ConsoleSocket(str(tmp_path / "console.sock"))
    pid_file = str(tmp_path / "tty.pid")
    try:
        r = rt.run("exec", "--tty", "--detach", "--console-socket", cs.path, "--pid-file", pid_file, cid, "sh", "-c",
                   "echo detached-tty; tty", timeout=20)
        assert r.returncode == 0, r
        cs.thread.join(20)
        out = cs.output.decode(errors="replace")
        with open(pid_file) as f:
            kill_and_reap(int(f.read()))
    finally:
        cs.close()
    assert "detached-tty" in out and "/dev/pts/" in out, out


def test_tty_detached_needs_console_socket(rt, running):
    cid, _ = running()
    r = rt.run("exec", "-t", "-d", cid, "true")
    assert r.returncode != 0 and "--console-socket" in r.stderr, r


def test_without_tty_stdio_is_inherited(rt, running):
    cid, _ = running()
    r = rt.run("exec", cid, "sh", "-c", "read x; echo got=$x; echo err >&2; [ -t 0 ] || echo not-a-tty",
               input=b"hello\n")
    assert r.returncode == 0 and r.stdout.splitlines() == ["got=hello", "not-a-tty"] and "err" in r.stderr, r


def test_tty_in_the_foreground_relays_our_terminal(rt, running):
    """No console socket: the runtime relays between its terminal and the process's pty."""
    cid, _ = running()
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 21, 66, 0, 0))
    try:
        p = subprocess.Popen([CRUN, "--root", rt.root, "exec", "-t", cid, "sh", "-c",
                              "tty; stty size; read line; echo got=$line; exit 3"],
                             stdin=slave, stdout=slave, stderr=slave, start_new_session=True)
        os.close(slave)
        slave = None
        out = b""
        end = time.monotonic() + 20
        while b"21 66" not in out and time.monotonic() < end:
            if select.select([master], [], [], 0.5)[0]:
                out += os.read(master, 4096)
        os.write(master, b"hello\r")
        while time.monotonic() < end:
            if select.select([master], [], [], 0.5)[0]:
                try:
                    chunk = os.read(master, 4096)
                except OSError:
                    break
                if not chunk:
                    break
                out += chunk
                if b"got=" in out:
                    break
        rc = p.wait(20)
    finally:
        if slave is not None:
            os.close(slave)
        os.close(master)
    text = out.decode(errors="replace")
    assert "/dev/pts/" in text and "21 66" in text and "got=hello" in text, text
    assert rc == 3


# ---- cgroup, LSM labels ----

def test_sub_cgroup(rt, running):
    cid, init = running()
    with open(f"/proc/{init}/cgroup") as f:
        unified = [ln.split(":", 2)[2].strip() for ln in f if ln.startswith("0::")]
    base = "/sys/fs/cgroup" if os.path.exists("/sys/fs/cgroup/cgroup.controllers") else "/sys/fs/cgroup/unified"
    if not unified or not os.path.isdir(base + unified[0]):
        pytest.skip("the container has no cgroup v2 directory")
    sub = base + unified[0] + "/execsub"
    os.mkdir(sub)  # like runc, --cgroup names an existing sub-cgroup; delete removes it with the container
    r = rt.run("exec", "--cgroup", "execsub", cid, "cat", "/proc/self/cgroup")
    assert r.returncode == 0, r
    assert [ln for ln in r.stdout.splitlines() if ln.startswith("0::")][0].endswith("/execsub"), r
    r = rt.run("exec", "--cgroup", "missing", cid, "true")
    assert r.returncode != 0 and "missing" in r.stderr, r
    r = rt.run("exec", "--cgroup", "../escape", cid, "true")
    assert r.returncode != 0 and "without `..`" in r.stderr, r


def test_lsm_labels_are_ignored_when_the_lsm_is_off(rt, running):
    if os.path.exists("/sys/module/apparmor/parameters/enabled") or os.path.exists("/sys/fs/selinux/enforce"):
        pytest.skip("this host has AppArmor or SELinux: the labels would apply")
    cid, _ = running()
    r = rt.run("exec", "--apparmor", "some-profile", "--process-label", "system_u:system_r:container_t:s0", cid,
               "true", global_args=("--log-level=debug",))
    assert r.returncode == 0, r
    assert "AppArmor is not enabled: ignoring process.apparmorProfile `some-profile`" in r.stderr, r
    assert "SELinux is not enabled: ignoring process.selinuxLabel" in r.stderr, r


# ---- detach, pid file, preserve-fds ----

def test_detach_writes_pid_file_and_returns(rt, running, tmp_path):
    cid, init = running()
    t0 = time.monotonic()
    pid = detached(rt, cid, tmp_path, "sleep", "300")
    try:
        assert time.monotonic() - t0 < 10, "detach returns while the process runs"
        assert alive(pid)
        with open(f"/proc/{pid}/cmdline") as f:
            assert f.read().split("\0")[:2] == ["sleep", "300"]
        r = exec_(rt, cid, "ps", "-o", "args")
        assert r.stdout.count("sleep 300") == 2, r  # the container sees it
    finally:
        kill_and_reap(pid)
    # Killing the container kills the exec'd process too (same cgroup / pid namespace).
    pid = detached(rt, cid, tmp_path, "sleep", "301")
    assert rt.run("kill", cid, "KILL").returncode == 0
    wait_for(lambda: not alive(pid), what="the exec'd process to die with the container")
    kill_and_reap(pid)


def test_pid_file_foreground(rt, running, tmp_path):
    cid, _ = running()
    pid_file = tmp_path / "fg.pid"
    r = rt.run("exec", "--pid-file", str(pid_file), cid, "sh", "-c", "echo $PPID")
    assert r.returncode == 0, r
    assert int(pid_file.read_text()) > 0


def test_preserve_fds(rt, running, tmp_path):
    cid, _ = running()
    out3 = tmp_path / "fd3"
    with open(out3, "w") as f3, open(os.devnull) as f4:
        def fds():
            os.dup2(f3.fileno(), 3)
            os.dup2(f4.fileno(), 4)
        cmd = "echo via-fd3 >&3; [ -e /proc/self/fd/4 ] && echo fd4-open || echo fd4-closed"
        r = rt.run("exec", "--preserve-fds", "1", cid, "sh", "-c", cmd, close_fds=False, preexec_fn=fds)
        assert r.returncode == 0 and r.stdout.strip() == "fd4-closed", r
        r = rt.run("exec", cid, "sh", "-c", cmd, close_fds=False, preexec_fn=fds)
        assert r.returncode != 0 or "fd4-closed" in r.stdout, r  # without the option fd 3 is not passed
    assert out3.read_text() == "via-fd3\n"


# ---- exit statuses ----

@pytest.mark.parametrize("script,code", [("exit 0", 0), ("exit 7", 7), ("kill -9 $$", 137), ("exit 255", 255)])
def test_exit_status_is_the_processes(rt, running, script, code):
    cid, _ = running()
    assert exec_(rt, cid, "sh", "-c", script).returncode == code


def test_not_found_is_127_not_executable_is_126(rt, running):
    cid, _ = running()
    r = exec_(rt, cid, "no-such-command")
    assert r.returncode == 127 and "no-such-command" in r.stderr and "not found" in r.stderr, r
    r = exec_(rt, cid, "/no/such/path")
    assert r.returncode == 127, r
    r = exec_(rt, cid, "/etc/passwd")
    assert r.returncode == 126 and "Permission denied" in r.stderr, r
    r = exec_(rt, cid, "/tmp")
    assert r.returncode == 126, r
    assert rt.state(cid)["status"] == "running"


# ---- refusals ----

def test_exec_into_a_stopped_container(rt, tmp_path):
    cid = rt.new_id()
    rt.run("run", "--detach", "--bundle", rt.bundle(["true"]), cid, check=True)
    wait_for(lambda: rt.state(cid)["status"] == "stopped", what="the container to stop")
    r = exec_(rt, cid, "true")
    assert r.returncode == 1 and "stopped" in r.stderr, r


def test_exec_into_a_paused_container(rt, running):
    cid, _ = running()
    assert rt.run("pause", cid).returncode == 0
    try:
        r = exec_(rt, cid, "true")
        assert r.returncode == 1 and "paused" in r.stderr and cid in r.stderr, r
    finally:
        assert rt.run("resume", cid).returncode == 0
    assert exec_(rt, cid, "true").returncode == 0


def test_exec_into_an_unknown_container(rt):
    r = exec_(rt, "no-such-container", "true")
    assert r.returncode == 1 and "no-such-container" in r.stderr, r


def test_exec_into_a_krun_container_never_runs_on_the_host(rt, tmp_path):
    """krun: exec goes to the in-guest agent (test_krun_agent.py), never into the container's namespaces next
    to the VM."""
    with fake_devices("/dev/kvm"):
        krt = krun_runtime(rt, str(tmp_path / "double.jsonl"))
        cid = krt.new_id()
        assert krt.run("run", "--detach", "--bundle", krt.bundle(["sleep", "300"]), cid).returncode == 0
        marker = tmp_path / "ran-on-host"
        r = krt.run("exec", cid, "sh", "-c", f"touch {marker} 2>/dev/null; tr '\\0' ' ' </proc/$PPID/cmdline")
        assert r.returncode == 0, r
        assert r.stdout.startswith("/.krun-agent "), r
        assert not marker.exists()
        assert krt.state(cid)["status"] == "running"
        assert krt.run("delete", "--force", cid).returncode == 0


# ---- what the container's config imposes ----

@pytest.mark.parametrize("nnp", [True, False])
def test_containers_seccomp_applies(rt, running, nnp):
    def edit(c):
        c["process"]["noNewPrivileges"] = nnp
        c["linux"]["seccomp"] = {"defaultAction": "SCMP_ACT_ALLOW",
                                 "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]}
    cid, _ = running(edit)
    r = exec_(rt, cid, "sh", "-c", "grep ^Seccomp: /proc/self/status; mkdir /tmp/x; echo rc=$?; touch /tmp/y && "
              "echo touched")
    assert r.returncode == 0, r
    assert r.stdout.splitlines()[0].split() == ["Seccomp:", "2"], r
    assert "rc=1" in r.stdout and "touched" in r.stdout, r
    assert "Operation not permitted" in r.stderr, r


def test_exec_cpu_affinity(rt, running):
    if len(os.sched_getaffinity(0)) < 2:
        pytest.skip("needs two CPUs")
    cpus = sorted(os.sched_getaffinity(0))

    def edit(c):
        c["process"]["execCPUAffinity"] = {"final": str(cpus[1])}
    cid, init = running(edit)
    assert proc_status(init, "Cpus_allowed_list") == str(cpus[1])
    r = exec_(rt, cid, "grep", "Cpus_allowed_list", "/proc/self/status")
    assert r.returncode == 0 and r.stdout.split()[1] == str(cpus[1]), r


def test_rlimits_apply(rt, running):
    def edit(c):
        c["process"]["rlimits"] = [{"type": "RLIMIT_NOFILE", "hard": 512, "soft": 300}]
    cid, _ = running(edit)
    r = exec_(rt, cid, "sh", "-c", "ulimit -n; ulimit -Hn")
    assert r.returncode == 0 and r.stdout.split() == ["300", "512"], r


def test_exec_leaves_no_process_behind(rt, running):
    cid, init = running()
    for _ in range(3):
        assert exec_(rt, cid, "true").returncode == 0
    r = exec_(rt, cid, "ps", "-o", "pid,args")
    assert len([ln for ln in r.stdout.splitlines()[1:] if ln.strip()]) == 2, r  # the init and ps


def test_help_exits_0():
    r = subprocess.run([CRUN, "exec", "--help"], capture_output=True, text=True)
    assert r.returncode == 0 and "--console-socket" in r.stdout and "--preserve-fds" in r.stdout
