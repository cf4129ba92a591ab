"""The in-guest agent (src/agent/) end to end through the libkrun TEST DOUBLE (tests/libkrun-double, not a VM):
the double maps the agent's vsock port to <state>/agent/agent.sock like libkrun and runs the agent as the guest's
workload, so `krun exec`, `kill` and `ps` travel the same path as with a real VM: runtime -> unix socket ->
agent -> process. What a double cannot show (a real guest kernel, AF_VSOCK) is in docs/krun-mode.md.
"""
import fcntl
import json
import os
import shutil
import signal
import stat
import struct
import subprocess
import termios
import time

import pytest

from krun_double import AGENT_ARGV, AGENT_PORT, calls, fake_devices, krun_runtime, named, wait_stopped
from test_exec import ConsoleSocket

SLEEPER = ["sh", "-c", "echo $$ > /tmp/workload.pid; trap 'echo got-term > /tmp/trapped; exit 3' TERM; "
           "while :; do sleep 0.1; done"]


@pytest.fixture
def krt(tmp_path, rt):
    with fake_devices("/dev/kvm"):
        yield krun_runtime(rt, str(tmp_path / "double.jsonl"))


def wait_for(pred, timeout=10, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = pred()
        if v:
            return v
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def rootfs_file(b, name):
    p = os.path.join(b, "rootfs", name)
    return open(p).read() if os.path.exists(p) else None


@pytest.fixture
def running(krt):
    """A detached krun container running SLEEPER; yields (id, bundle) once its workload wrote its pid."""
    def start(args=SLEEPER, edit=None):
        b = krt.bundle(args=args, edit=edit)
        cid = krt.new_id()
        r = krt.run("run", "--detach", "--bundle", b, cid)
        assert r.returncode == 0, r
        if args is SLEEPER:
            wait_for(lambda: rootfs_file(b, "tmp/workload.pid"), what="the workload")
        return cid, b
    return start


def reap(pid, timeout=10):
    """The status of a process re-parented to the test (conftest makes pytest a subreaper)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        p, status = os.waitpid(pid, os.WNOHANG)
        if p == pid:
            return status
        time.sleep(0.02)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    raise AssertionError(f"{pid} did not exit")


def test_the_agent_runs_the_workload_and_maps_its_port(krt):
    """The guest config starts the agent in front of the workload; libkrun gets the listening port mapping to
    the state directory (through the VMM's fd to it), never a path in the image; output and status unchanged."""
    b = krt.bundle(args=["sh", "-c", "echo out; echo err >&2; exit 5"])
    cid = krt.new_id()
    r = krt.run("run", "--bundle", b, cid)
    assert (r.returncode, r.stdout, r.stderr) == (5, "out\n", "err\n"), r
    lines = calls(krt, b)
    port = named(lines, "krun_add_vsock_port2")[0]["args"]
    assert port["port"] == AGENT_PORT and port["listen"] is True
    assert port["path"].startswith("/proc/self/fd/") and port["path"].endswith("/agent.sock")
    listen = named(lines, "vsock_listen")
    assert listen and listen[0]["ret"] == 0
    assert named(lines, "guest_exec")[0]["args"]["argv"] == AGENT_ARGV + ["sh", "-c", "echo out; echo err >&2; exit 5"]
    # The mount point the runtime made (0 bytes) is gone with the container; the image never held the agent.
    assert not os.path.lexists(os.path.join(b, "rootfs", ".krun-agent"))


@pytest.mark.parametrize("script,code", [("exit 0", 0), ("exit 9", 9), ("kill -TERM $$", 128 + 15),
                                         ("kill -9 $$", 128 + 9)])
def test_workload_status_through_the_agent(krt, script, code):
    """The agent leaves like the workload: same code, or the same signal re-raised (init reports 128+n)."""
    b = krt.bundle(args=["sh", "-c", script])
    r = krt.run("run", "--bundle", b, krt.new_id())
    assert r.returncode == code, r


@pytest.mark.parametrize("cmd,code", [("no-such-command", 127), ("/etc/passwd", 126)])
def test_workload_exec_failures_keep_init_codes(krt, tmp_path, cmd, code):
    """The agent execs the workload with the rules of libkrun's init: not found 127, not executable 126.
    (create checks the executable on the host; a workload that vanished later still gets the init's code.)"""
    b = krt.bundle(args=["sh", "-c", f"exec {cmd}"])
    r = krt.run("run", "--bundle", b, krt.new_id())
    assert r.returncode == code, r


def test_exec_runs_in_the_guest_through_the_agent(krt, running):
    cid, _ = running()
    r = krt.run("exec", cid, "sh", "-c", "echo hello; echo oops >&2; cat /proc/$PPID/cmdline | tr '\\0' ' '")
    assert r.returncode == 0, r
    out = r.stdout.splitlines()
    assert out[0] == "hello" and r.stderr == "oops\n", r
    # The process's parent is the agent's session (a fork of /.krun-agent), not the runtime.
    assert out[1].startswith("/.krun-agent --port"), r


@pytest.mark.parametrize("script,code", [("exit 0", 0), ("exit 42", 42), ("kill -9 $$", 137)])
def test_exec_exit_status(krt, running, script, code):
    cid, _ = running()
    r = krt.run("exec", cid, "sh", "-c", script)
    assert r.returncode == code, r


def test_exec_not_found_and_not_executable(krt, running):
    cid, _ = running()
    r = krt.run("exec", cid, "no-such-command")
    assert r.returncode == 127 and "no-such-command" in r.stderr and "in the VM" in r.stderr, r
    r = krt.run("exec", cid, "/etc/passwd")
    assert r.returncode == 126, r
    assert krt.state(cid)["status"] == "running"


def test_exec_stdin_env_cwd(krt, running):
    cid, _ = running()
    r = krt.run("exec", "--env", "FOO=bar baz", "--cwd", "/tmp", cid, "sh", "-c",
                "echo \"$FOO\"; pwd; echo $PATH; cat", input=b"from-stdin\n")
    assert r.returncode == 0, r
    assert r.stdout.splitlines() == ["bar baz", "/tmp", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                                     "from-stdin"], r


def test_exec_home_from_the_guest_passwd(krt, running):
    """No HOME in the process env: the user's home from the guest's /etc/passwd (as a native exec), else /."""
    def caps(cfg):
        for s in ("bounding", "effective", "permitted"):
            cfg["process"]["capabilities"][s] += ["CAP_SETUID", "CAP_SETGID"]
    cid, _ = running(edit=caps)
    assert krt.run("exec", cid, "sh", "-c", "echo $HOME").stdout == "/root\n"
    assert krt.run("exec", "--user", "1000:1000", cid, "sh", "-c", "echo $HOME").stdout == "/home/user\n"
    assert krt.run("exec", "--user", "4242:4242", cid, "sh", "-c", "echo $HOME").stdout == "/\n"
    assert krt.run("exec", "--env", "HOME=/x", cid, "sh", "-c", "echo $HOME").stdout == "/x\n"


def test_exec_bad_cwd(krt, running):
    cid, _ = running()
    r = krt.run("exec", "--cwd", "/no/such/dir", cid, "true")
    assert r.returncode != 0 and "chdir" in r.stderr, r


def test_exec_user_and_groups(krt, running):
    """--user / --additional-gids are applied by the agent (it needs CAP_SETUID/SETGID: root in a real guest;
    with the double it has the container's capabilities, so this container grants them)."""
    def caps(cfg):
        for s in ("bounding", "effective", "permitted"):
            cfg["process"]["capabilities"][s] += ["CAP_SETUID", "CAP_SETGID"]
    cid, _ = running(edit=caps)
    r = krt.run("exec", "--user", "1000:1001", "--additional-gids", "1002", cid, "sh", "-c", "id -u; id -g; id -G")
    assert r.returncode == 0, r
    assert r.stdout.split() == ["1000", "1001", "1001", "1002"], r


def test_exec_process_file(krt, running, tmp_path):
    cid, _ = running()
    proc = {"args": ["sh", "-c", "echo $A; pwd; exit 3"], "env": ["A=from-process-file", "PATH=/bin"], "cwd": "/etc",
            "user": {"uid": 0, "gid": 0}, "terminal": False}
    p = tmp_path / "process.json"
    p.write_text(json.dumps(proc))
    r = krt.run("exec", "--process", str(p), cid)
    assert r.returncode == 3, r
    assert r.stdout.splitlines() == ["from-process-file", "/etc"], r


def test_exec_detach_with_pid_file(krt, running, tmp_path):
    """--detach returns at once; the pid file names the runtime-side stand-in of the guest process: it exits
    with the process's status and forwards the signals it gets."""
    cid, b = running()
    pid_file = tmp_path / "exec.pid"
    r = krt.run("exec", "--detach", "--pid-file", str(pid_file), cid, "sh", "-c",
                "echo started > /tmp/detached; sleep 0.3; exit 6")
    assert r.returncode == 0, r
    pid = int(pid_file.read_text())
    assert os.WEXITSTATUS(reap(pid)) == 6
    assert rootfs_file(b, "tmp/detached") == "started\n"

    r = krt.run("exec", "--detach", "--pid-file", str(pid_file), cid, "sleep", "100")
    assert r.returncode == 0, r
    pid = int(pid_file.read_text())
    # It holds its stdio, the connection to the agent and its signalfd: nothing else of the runtime's.
    # (It drops the rest right after the fork, so this may take a moment.)
    wait_for(lambda: len(os.listdir(f"/proc/{pid}/fd")) == 5, what="the stand-in's fds")
    os.kill(pid, signal.SIGTERM)
    status = reap(pid)
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGTERM, status


def test_exec_tty_with_console_socket(krt, running, tmp_path):
    cid, _ = running()
    cs = ConsoleSocket(str(tmp_path / "console.sock"))
    try:
        r = krt.run("exec", "-t", "--console-socket", cs.path, cid, "sh", "-c",
                    "tty; [ -t 0 ] && [ -t 1 ] && echo stdio-is-a-tty; exit 4")
        cs.thread.join(20)
        assert cs.master is not None, "no pty master received on the console socket"
        out = cs.output.decode(errors="replace").replace("\r\n", "\n")
    finally:
        cs.close()
    assert r.returncode == 4, r
    assert out.startswith("/dev/pts/") and "stdio-is-a-tty" in out, out


def test_exec_tty_detached_with_console_socket(krt, running, tmp_path):
    cid, _ = running()
    cs = ConsoleSocket(str(tmp_path / "console.sock"))
    pid_file = tmp_path / "tty.pid"
    try:
        r = krt.run("exec", "--tty", "--detach", "--console-socket", cs.path, "--pid-file", str(pid_file), cid,
                    "sh", "-c", "echo detached-tty; tty")
        assert r.returncode == 0, r
        assert os.WEXITSTATUS(reap(int(pid_file.read_text()))) == 0
        cs.thread.join(20)
        out = cs.output.decode(errors="replace")
    finally:
        cs.close()
    assert "detached-tty" in out and "/dev/pts/" in out, out


def test_exec_foreground_terminal(krt, running):
    """--tty without a console socket: the runtime's own terminal (a pty here) is relayed raw."""
    import pty
    cid, _ = running()
    pid, master = pty.fork()
    if pid == 0:
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 33, 101, 0, 0))
        os.execve(krt.binary, [krt.binary, "--root", krt.root, "exec", "-t", cid, "sh", "-c", "tty; stty size; exit 2"],
                  krt.env)
    out = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    os.close(master)
    _, status = os.waitpid(pid, 0)
    assert os.WEXITSTATUS(status) == 2, out
    assert b"/dev/pts/" in out, out
    assert b"33 101" in out, out  # the runtime's terminal size became the guest pty's


def test_kill_term_reaches_the_workload_and_stops_at_once(krt, running):
    """Before the agent the TERM went to the VMM (the container's pid-1), which drops it: a stop waited for the
    grace time. Now the workload's trap runs and the container stops as soon as it exits."""
    cid, b = running()
    t0 = time.monotonic()
    r = krt.run("kill", cid, "TERM")
    assert r.returncode == 0, r
    wait_stopped(krt, cid, timeout=5)
    elapsed = time.monotonic() - t0
    assert rootfs_file(b, "tmp/trapped") == "got-term\n"
    assert elapsed < 1.5, elapsed
    lines = calls(krt, b)
    assert named(lines, "guest_exit")[0]["args"]["code"] == 3


def test_kill_default_signal_ends_a_plain_sleep(krt, running):
    cid, _ = running(args=["sleep", "1000"])
    wait_for(lambda: krt.run("ps", "--format", "json", cid).stdout.strip() not in ("", "[]"), what="the workload")
    t0 = time.monotonic()
    assert krt.run("kill", cid).returncode == 0
    wait_stopped(krt, cid, timeout=5)
    assert time.monotonic() - t0 < 1.5


def test_kill_all_signals_every_guest_process(krt, running, tmp_path):
    cid, b = running()
    pid_file = tmp_path / "exec.pid"
    assert krt.run("exec", "--detach", "--pid-file", str(pid_file), cid, "sleep", "100").returncode == 0
    relay = int(pid_file.read_text())
    r = krt.run("kill", "--all", cid, "TERM")
    assert r.returncode == 0, r
    wait_stopped(krt, cid, timeout=5)
    assert rootfs_file(b, "tmp/trapped") == "got-term\n"
    status = reap(relay)
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGTERM, status


def test_kill_kill_stays_on_the_host(krt, running):
    cid, _ = running()
    assert krt.run("kill", cid, "KILL").returncode == 0
    wait_stopped(krt, cid, timeout=5)


def test_ps_lists_the_guest_processes(krt, running, tmp_path):
    cid, b = running()
    workload = int(rootfs_file(b, "tmp/workload.pid"))
    r = krt.run("exec", "--detach", "--pid-file", str(tmp_path / "p"), cid, "sh", "-c",
                "echo $$ > /tmp/exec.pid; exec sleep 100")
    assert r.returncode == 0, r
    exec_pid = int(wait_for(lambda: rootfs_file(b, "tmp/exec.pid"), what="the exec"))
    r = krt.run("ps", "--format", "json", cid)
    assert r.returncode == 0, r
    pids = json.loads(r.stdout)
    assert workload in pids and exec_pid in pids, (pids, workload, exec_pid)
    assert 1 not in pids  # the guest's init (with the double: the VMM) is not the container's workload
    r = krt.run("ps", cid)
    assert r.stdout.splitlines()[0] == "PID" and str(workload) in r.stdout.split()
    os.kill(int((tmp_path / "p").read_text()), signal.SIGKILL)
    reap(int((tmp_path / "p").read_text()))


def test_agent_socket_lives_in_the_state_directory(krt, running):
    cid, b = running()
    sock = os.path.join(krt.root, cid, "agent", "agent.sock")
    assert stat.S_ISSOCK(os.lstat(sock).st_mode)
    assert stat.S_IMODE(os.lstat(os.path.dirname(sock)).st_mode) == 0o700
    # The image only has the 0-byte mount point, with the agent bind-mounted read-only on it in the container.
    assert os.path.getsize(os.path.join(b, "rootfs", ".krun-agent")) == 0


def test_exec_into_a_created_container_fails_cleanly(krt):
    b = krt.bundle(args=["true"])
    cid = krt.new_id()
    assert krt.run("create", "--bundle", b, cid).returncode == 0
    r = krt.run("exec", cid, "true", timeout=30)
    assert r.returncode != 0 and "agent" in r.stderr, r


def test_foreground_exec_forwards_signals(krt, running):
    """Signals sent to a foreground `krun exec` reach the process in the guest (conmon and shells send them
    to the runtime's pid)."""
    cid, b = running()
    p = subprocess.Popen([krt.binary, "--root", krt.root, "exec", cid, "sh", "-c",
                          "trap 'exit 7' TERM; touch /tmp/fg-ready; while :; do sleep 0.1; done"],
                         env=krt.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: os.path.exists(os.path.join(b, "rootfs", "tmp", "fg-ready")), what="the exec")
        p.send_signal(signal.SIGTERM)
        assert p.wait(timeout=10) == 7
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()


def test_planted_agent_entry_is_not_followed(krt, tmp_path):
    """The image cannot turn the agent's mount point into a write to a host file."""
    victim = tmp_path / "victim"
    victim.write_text("precious")
    b = krt.bundle(args=["true"])
    os.symlink(str(victim), os.path.join(b, "rootfs", ".krun-agent"))
    r = krt.run("run", "--bundle", b, krt.new_id())
    assert r.returncode == 0, r
    assert victim.read_text() == "precious"
    assert not os.path.lexists(os.path.join(b, "rootfs", ".krun-agent"))


def test_missing_agent_fails_create_cleanly(krt, tmp_path):
    """A runtime installed without krun-agent next to it or in libexecdir fails `create` with one line naming
    the agent, and leaves no state and nothing in the image."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    shutil.copy(os.path.join(os.path.dirname(krt.binary), "crun"), bindir / "crun")
    os.symlink("crun", bindir / "krun")
    k = krun_runtime(krt, krt.log, binary=str(bindir / "krun"))
    b = k.bundle(args=["true"])
    cid = k.new_id()
    r = k.run("run", "--bundle", b, cid)
    assert r.returncode == 1, r
    assert "krun-agent" in r.stderr and len(r.stderr.strip().splitlines()) == 1, r
    assert k.run("state", cid).returncode != 0
    assert not os.path.lexists(os.path.join(b, "rootfs", ".krun-agent"))
    assert not os.path.lexists(os.path.join(b, "rootfs", ".krun_config.json"))


def test_exec_and_kill_with_a_user_namespace(krt):
    """The VMM runs as the container's root mapped to host uid 100000: the socket directory is handed to that
    uid, so libkrun can create the socket there, and exec and kill still work."""
    def edit(c):
        c["linux"]["namespaces"].append({"type": "user"})
        c["linux"]["uidMappings"] = [{"containerID": 0, "hostID": 100000, "size": 65536}]
        c["linux"]["gidMappings"] = [{"containerID": 0, "hostID": 100000, "size": 65536}]
    b = krt.bundle(SLEEPER, edit=edit)
    subprocess.run(["chown", "-R", "100000:100000", os.path.join(b, "rootfs")], check=True)
    d = b
    while d != "/tmp":  # uid 100000 must reach the rootfs through pytest's private directories
        os.chmod(d, os.stat(d).st_mode | 0o711)
        d = os.path.dirname(d)
    cid = krt.new_id()
    r = krt.run("run", "--detach", "--bundle", b, cid)
    assert r.returncode == 0, r
    wait_for(lambda: rootfs_file(b, "tmp/workload.pid"), what="the workload")
    st = os.lstat(os.path.join(krt.root, cid, "agent"))
    assert (st.st_uid, st.st_gid) == (100000, 100000)
    r = krt.run("exec", cid, "sh", "-c", "cat /proc/self/uid_map")
    assert r.returncode == 0 and r.stdout.split() == ["0", "100000", "65536"], r
    assert krt.run("kill", cid, "TERM").returncode == 0
    wait_stopped(krt, cid, timeout=5)
    assert rootfs_file(b, "tmp/trapped") == "got-term\n"


def test_exec_output_into_a_closed_pipe_ends_the_process(krt, running):
    """`krun exec c yes | head -1`: when the reader goes away the process gets SIGPIPE, as it would writing
    into the pipe itself."""
    cid, _ = running()
    cmd = f"{krt.binary} --root {krt.root} exec {cid} yes | head -1"
    r = subprocess.run(["sh", "-c", cmd], env=krt.env, capture_output=True, timeout=20)
    assert r.stdout == b"y\n", r


def test_exec_tty_resize_after_start_reaches_the_guest(krt, running, tmp_path):
    """conmon and the containerd shim size the pty (on the master they got) after the process started: the
    detached stand-in sees SIGWINCH on its pty and resizes the guest's."""
    cid, _ = running()
    cs = ConsoleSocket(str(tmp_path / "console.sock"))
    pid_file = tmp_path / "tty.pid"
    script = ('i=0; while [ "$(stty size 2>/dev/null)" != "30 100" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); '
              'done; stty size')
    try:
        r = krt.run("exec", "--tty", "--detach", "--console-socket", cs.path, "--pid-file", str(pid_file), cid,
                    "sh", "-c", script)
        assert r.returncode == 0, r
        wait_for(lambda: cs.master is not None, what="the pty master")
        fcntl.ioctl(cs.master, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
        assert os.WEXITSTATUS(reap(int(pid_file.read_text()))) == 0
        cs.thread.join(20)
        out = cs.output.decode(errors="replace")
    finally:
        cs.close()
    assert "30 100" in out, out


def _frame(type_, payload=b""):
    return struct.pack(">IB", len(payload) + 1, type_) + payload


def _read_frame(s):
    hdr = b""
    while len(hdr) < 5:
        chunk = s.recv(5 - len(hdr))
        if not chunk:
            return None, None
        hdr += chunk
    length, type_ = struct.unpack(">IB", hdr)
    payload = b""
    while len(payload) < length - 1:
        payload += s.recv(length - 1 - len(payload))
    return type_, payload


def test_protocol_version_and_garbage(krt, running):
    """Speaking the protocol by hand on the mapped socket: an unknown version gets ERROR, garbage and a
    dropped connection only end that session; the agent and the workload go on."""
    import socket
    cid, b = running()
    path = os.path.join(krt.root, cid, "agent", "agent.sock")
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.connect(path)
        s.sendall(_frame(1, struct.pack(">I", 99)))  # HELLO, version 99
        type_, payload = _read_frame(s)
        assert type_ == 10 and b"version 99" in payload[4:], (type_, payload)  # ERROR
    for junk in (b"\xff\xff\xff\xff\x01", b"\x00\x00\x00\x00", _frame(1, struct.pack(">I", 1)) + _frame(2, b"\x01"),
                 _frame(1, struct.pack(">I", 1)) + _frame(77)):
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.connect(path)
            s.sendall(junk)
            s.shutdown(socket.SHUT_WR)  # (a half-sent frame would otherwise wait for the rest)
            s.settimeout(5)
            while True:  # the session answers (HELLO, ERROR) or just closes; never hangs
                type_, _ = _read_frame(s)
                if type_ is None or type_ == 10:
                    break
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.connect(path)
        s.close()
    r = krt.run("exec", cid, "echo", "still-serving")
    assert (r.returncode, r.stdout) == (0, "still-serving\n"), r
    assert krt.state(cid)["status"] == "running"


def test_exec_preserve_fds_is_refused(krt, running):
    """Descriptors cannot cross into a VM: refused with the reason rather than silently dropped."""
    cid, _ = running()
    r = krt.run("exec", "--preserve-fds", "1", cid, "true")
    assert r.returncode == 1 and "--preserve-fds" in r.stderr and "VM" in r.stderr, r
    assert krt.run("exec", "--preserve-fds", "0", cid, "true").returncode == 0
