"""linux.seccomp end to end: the filter is in force in the workload (checked by what its syscalls return)."""
import json
import os
import socket
import threading

import pytest

# What busybox sh, echo, mkdir, kill and cat need, for the default-deny profiles.
BUSYBOX_SYSCALLS = [
    "execve", "execveat", "brk", "arch_prctl", "set_tid_address", "set_robust_list", "rseq", "prlimit64",
    "mmap", "munmap", "mprotect", "mremap", "read", "write", "writev", "readv", "pread64", "exit",
    "exit_group", "getuid", "geteuid", "getgid", "getegid", "getpid", "getppid", "getpgrp", "setpgid",
    "rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "rt_sigsuspend", "sigaltstack", "ioctl", "fstat",
    "newfstatat", "stat", "lstat", "statx", "open", "openat", "close", "fcntl", "getcwd", "chdir", "uname",
    "readlink", "readlinkat", "access", "faccessat", "faccessat2", "getrandom", "dup", "dup2", "dup3", "wait4",
    "waitid", "clone", "clone3", "fork", "vfork", "futex", "lseek", "poll", "ppoll", "pselect6", "select",
    "umask", "getdents64", "sched_getaffinity", "gettid", "kill", "tgkill", "pipe", "pipe2", "sysinfo",
    "time", "clock_gettime", "gettimeofday", "nanosleep", "clock_nanosleep", "getrlimit", "setrlimit",
]

ENOSPC = 28


def seccomp_edit(profile, nnp=None):
    def edit(c):
        c["linux"]["seccomp"] = profile
        if nnp is not None:
            c["process"]["noNewPrivileges"] = nnp
    return edit


def run(rt, args, edit):
    return rt.run("run", "--bundle", rt.bundle(args, edit=edit), rt.new_id())


def deny_mkdir(errno_ret=None):
    rule = {"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}
    if errno_ret is not None:
        rule["errnoRet"] = errno_ret
    return {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [rule]}


@pytest.mark.parametrize("nnp", [True, False])
def test_denied_syscall_gets_eperm_others_work(rt, nnp):
    r = run(rt, ["sh", "-c", "grep Seccomp: /proc/self/status; echo ok; mkdir /tmp/x; echo rc=$?"],
            seccomp_edit(deny_mkdir(), nnp))
    assert r.returncode == 0, r
    lines = r.stdout.splitlines()
    assert lines[0].split() == ["Seccomp:", "2"]  # filter mode, with and without noNewPrivileges
    assert "ok" in lines
    assert "Operation not permitted" in r.stdout + r.stderr
    assert "rc=1" in lines


def test_errno_ret_of_a_rule(rt):
    r = run(rt, ["sh", "-c", "mkdir /tmp/x"], seccomp_edit(deny_mkdir(errno_ret=ENOSPC)))
    assert r.returncode != 0
    assert "No space left on device" in r.stdout + r.stderr, r


def test_default_action_errno_with_default_errno_ret(rt):
    profile = {
        "defaultAction": "SCMP_ACT_ERRNO",
        "defaultErrnoRet": ENOSPC,
        "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
        "syscalls": [{"names": BUSYBOX_SYSCALLS, "action": "SCMP_ACT_ALLOW"}],
    }
    r = run(rt, ["sh", "-c", "echo allowed; mkdir /tmp/x"], seccomp_edit(profile))
    assert "allowed" in r.stdout, r
    assert "No space left on device" in r.stdout + r.stderr, r


def test_args_with_operators(rt):
    # kill(pid, 0) denied (SCMP_CMP_EQ on arg 1), other signals allowed; chmod to a mode without group and
    # other bits denied (SCMP_CMP_MASKED_EQ: mode & 077 == 0), other modes allowed.
    masked = {"value": 0o077, "valueTwo": 0, "op": "SCMP_CMP_MASKED_EQ"}
    profile = {
        "defaultAction": "SCMP_ACT_ALLOW",
        "syscalls": [
            {"names": ["kill"], "action": "SCMP_ACT_ERRNO",
             "args": [{"index": 1, "value": 0, "op": "SCMP_CMP_EQ"}]},
            {"names": ["chmod"], "action": "SCMP_ACT_ERRNO", "args": [dict(masked, index=1)]},
            {"names": ["fchmodat"], "action": "SCMP_ACT_ERRNO", "args": [dict(masked, index=2)]},
        ],
    }
    script = ("kill -0 $$; echo kill0=$?; kill -s CONT $$; echo cont=$?; touch /tmp/f; "
              "chmod 700 /tmp/f; echo private=$?; chmod 755 /tmp/f; echo public=$?")
    r = run(rt, ["sh", "-c", script], seccomp_edit(profile))
    lines = r.stdout.splitlines()
    assert "kill0=1" in lines and "cont=0" in lines, r
    assert "private=1" in lines and "public=0" in lines, r


def test_unknown_syscall_names_are_ignored(rt):
    profile = deny_mkdir()
    profile["syscalls"][0]["names"].append("no_such_syscall_krun")
    r = run(rt, ["sh", "-c", "mkdir /tmp/x || echo denied"], seccomp_edit(profile))
    assert r.returncode == 0, r
    assert "denied" in r.stdout


def test_unknown_action_is_a_clear_error(rt):
    profile = {"defaultAction": "SCMP_ACT_BOGUS"}
    cid = rt.new_id()
    r = rt.run("run", "--bundle", rt.bundle(["true"], edit=seccomp_edit(profile)), cid)
    assert r.returncode != 0
    assert "linux.seccomp.defaultAction" in r.stderr, r
    assert not os.path.exists(os.path.join(rt.root, cid))


class Listener:
    """A seccomp agent's socket: receives the notify fd (SCM_RIGHTS) and the JSON payload, then closes the
    fd, which makes the intercepted syscall fail with ENOSYS in the container."""

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.bind(path)
        self.sock.listen(1)
        self.sock.settimeout(30)
        self.payload = None
        self.fds = []
        self.error = None
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        try:
            conn, _ = self.sock.accept()
            with conn:
                data = b""
                while True:
                    msg, fds, _, _ = socket.recv_fds(conn, 65536, 4)
                    self.fds += fds
                    if not msg:
                        break
                    data += msg
                self.payload = json.loads(data)
                self.fd_kinds = [os.readlink(f"/proc/self/fd/{fd}") for fd in self.fds]
        except Exception as e:  # reported by the test
            self.error = e
        finally:
            for fd in self.fds:
                os.close(fd)

    def close(self):
        self.thread.join(30)
        self.sock.close()


@pytest.mark.parametrize("nnp", [True, False])
def test_listener_path_receives_the_notify_fd(rt, tmp_path, nnp):
    path = str(tmp_path / "agent.sock")
    listener = Listener(path)
    try:
        profile = {
            "defaultAction": "SCMP_ACT_ALLOW",
            "listenerPath": path,
            "listenerMetadata": "meta-data",
            "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_NOTIFY"}],
        }
        cid = rt.new_id()
        r = rt.run("run", "--bundle", rt.bundle(["sh", "-c", "mkdir /tmp/x; echo rc=$?"],
                                               edit=seccomp_edit(profile, nnp)), cid)
    finally:
        listener.close()
    assert listener.error is None, listener.error
    assert r.returncode == 0, r
    assert len(listener.fds) == 1 and listener.fd_kinds == ["anon_inode:seccomp notify"]
    p = listener.payload
    assert p["fds"] == ["seccompFd"] and p["metadata"] == "meta-data" and p["pid"] > 0
    assert p["state"]["id"] == cid
    # The agent went away without answering: the kernel fails the intercepted syscall.
    assert "rc=1" in r.stdout and "Function not implemented" in r.stdout + r.stderr, r


def test_listener_path_unreachable_is_a_clear_error(rt, tmp_path):
    profile = {
        "defaultAction": "SCMP_ACT_ALLOW",
        "listenerPath": str(tmp_path / "nobody-listens.sock"),
        "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_NOTIFY"}],
    }
    cid = rt.new_id()
    r = rt.run("run", "--bundle", rt.bundle(["true"], edit=seccomp_edit(profile)), cid)
    assert r.returncode != 0
    assert "listenerPath" in r.stderr, r
    assert not os.path.exists(os.path.join(rt.root, cid))


def test_listener_path_without_notify_rules_still_gets_a_notify_fd(rt, tmp_path):
    """crun's behaviour: listenerPath set, no rule uses SCMP_ACT_NOTIFY: the agent still gets the state and
    a notify fd, and the filter behaves exactly as written (nothing is ever intercepted)."""
    path = str(tmp_path / "agent.sock")
    listener = Listener(path)
    try:
        profile = {
            "defaultAction": "SCMP_ACT_ALLOW",
            "listenerPath": path,
            "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13}],
        }
        cid = rt.new_id()
        r = rt.run("run", "--bundle", rt.bundle(["sh", "-c", "mkdir /tmp/x; echo rc=$?; echo ppid=$PPID"],
                                               edit=seccomp_edit(profile, True)), cid)
    finally:
        listener.close()
    assert listener.error is None, listener.error
    assert r.returncode == 0, r
    assert listener.fd_kinds == ["anon_inode:seccomp notify"]
    assert listener.payload["state"]["id"] == cid
    assert "rc=1" in r.stdout and "Permission denied" in r.stdout + r.stderr, r
    assert "ppid=0" in r.stdout, r  # getppid (the syscall holding the listener's rule) still works


def test_listener_path_without_notify_rules_unreachable_fails_at_create(rt, tmp_path):
    profile = {"defaultAction": "SCMP_ACT_ALLOW", "listenerPath": str(tmp_path / "nobody.sock"), "syscalls": []}
    cid = rt.new_id()
    r = rt.run("create", "--bundle", rt.bundle(["true"], edit=seccomp_edit(profile)), cid)
    assert r.returncode != 0 and "listenerPath" in r.stderr, r
    assert not os.path.exists(os.path.join(rt.root, cid))
