"""An unprivileged test user for the rootless suites: created by useradd with its own subuid/subgid range and
a login-like runtime directory (XDG_RUNTIME_DIR=/run/user/UID), removed with everything it owns afterwards.

Commands run as that user through setpriv (no PAM session, nothing logged) with a clean environment, the
way a login shell would give it: HOME, USER, LOGNAME, PATH, XDG_RUNTIME_DIR.
"""
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
import uuid

from conftest import reap_orphans

SUBID_FILES = ("/etc/subuid", "/etc/subgid")
SUBID_SIZE = 65536
# Far above the ranges other suites or packages hand out (useradd's default starts at 100000); one slot per
# uid, so parallel runs with different users never overlap.
SUBID_BASE = 10_000_000


class Result:
    def __init__(self, cp):
        self.returncode = cp.returncode
        self.stdout = cp.stdout.decode(errors="replace")
        self.stderr = cp.stderr.decode(errors="replace")

    def __repr__(self):
        return f"<rc={self.returncode} stdout={self.stdout!r} stderr={self.stderr!r}>"


def _uid_processes(uid):
    """Live (not zombie) processes whose real uid is `uid`."""
    reap_orphans()  # pytest is the subreaper: conmon and podman's pause process become ours
    pids = []
    for p in os.listdir("/proc"):
        if not p.isdigit():
            continue
        try:
            with open(f"/proc/{p}/status") as f:
                fields = dict(line.split(":", 1) for line in f if ":" in line)
        except OSError:
            continue
        if int(fields.get("Uid", "-1 ").split()[0]) == uid and not fields.get("State", "").strip().startswith(("Z", "X")):
            pids.append(int(p))
    return pids


class RootlessUser:
    def __init__(self, groups=()):
        self.name = f"krl{uuid.uuid4().hex[:10]}"
        # The work dir is the user's home: a 0700 directory only it (and root) can enter.
        self.home = tempfile.mkdtemp(prefix=f"{self.name}-", dir="/tmp")
        argv = ["useradd", "-M", "-d", self.home, "-s", "/bin/sh", "-U", self.name]
        if groups:
            argv += ["-G", ",".join(groups)]
        subprocess.run(argv, check=True, capture_output=True)
        pw = pwd.getpwnam(self.name)
        self.uid, self.gid = pw.pw_uid, pw.pw_gid
        os.chown(self.home, self.uid, self.gid)
        os.chmod(self.home, 0o700)
        self.subid_start = SUBID_BASE + (self.uid % 10_000) * SUBID_SIZE
        rng = f"{self.subid_start}-{self.subid_start + SUBID_SIZE - 1}"
        subprocess.run(["usermod", "--add-subuids", rng, "--add-subgids", rng, self.name], check=True,
                       capture_output=True)
        self.runtime_dir = f"/run/user/{self.uid}"
        os.makedirs("/run/user", exist_ok=True)
        os.mkdir(self.runtime_dir, 0o700)
        os.chown(self.runtime_dir, self.uid, self.gid)

    def env(self, **extra):
        e = {
            "HOME": self.home,
            "USER": self.name,
            "LOGNAME": self.name,
            "PATH": "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin",
            "XDG_RUNTIME_DIR": self.runtime_dir,
        }
        e.update({k: v for k, v in extra.items() if v is not None})
        for k in [k for k, v in extra.items() if v is None]:
            e.pop(k, None)
        return e

    def argv(self, argv, env=None):
        """argv run as the user: setpriv drops to its uid, gid and groups; env -i gives a clean env."""
        e = self.env(**(env or {}))
        return ["setpriv", f"--reuid={self.uid}", f"--regid={self.gid}", "--init-groups", "env", "-i",
                *[f"{k}={v}" for k, v in e.items()], *argv]

    def run(self, argv, env=None, input=None, timeout=60, cwd=None, check=False):
        # Files, not pipes: a container left running must not hold our pipes open.
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            cp = subprocess.run(self.argv(argv, env), input=input, stdout=out, stderr=err, timeout=timeout,
                                cwd=cwd or self.home)
            out.seek(0)
            err.seek(0)
            cp.stdout, cp.stderr = out.read(), err.read()
        r = Result(cp)
        if check and r.returncode != 0:
            raise AssertionError(f"{argv} as {self.name} failed: {r}")
        return r

    def sh(self, script, **kw):
        return self.run(["sh", "-c", script], **kw)

    def processes(self):
        return _uid_processes(self.uid)

    def remove(self):
        """Everything the user left goes: its processes (only those: found by its uid), the account with its
        subordinate ranges, the runtime dir and the home. Returns what was still running."""
        left = []
        for pid in self.processes():
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    argv = f.read().split(b"\0")
                left.append(f"{pid} {b' '.join(argv).decode(errors='replace').strip()}")
            except OSError:
                pass
        for sig in (signal.SIGTERM, signal.SIGKILL):
            for pid in self.processes():
                try:
                    os.kill(pid, sig)
                except OSError:
                    pass
            deadline = time.monotonic() + 5
            while self.processes() and time.monotonic() < deadline:
                time.sleep(0.05)
        rng = f"{self.subid_start}-{self.subid_start + SUBID_SIZE - 1}"
        subprocess.run(["usermod", "--del-subuids", rng, "--del-subgids", rng, self.name], capture_output=True)
        subprocess.run(["userdel", self.name], capture_output=True)
        subprocess.run(["groupdel", self.name], capture_output=True)
        shutil.rmtree(self.runtime_dir, ignore_errors=True)
        shutil.rmtree(self.home, ignore_errors=True)
        return left

    def leftovers(self):
        """Traces of the user that remove() should have taken away."""
        found = []
        try:
            pwd.getpwnam(self.name)
            found.append(f"user {self.name}")
        except KeyError:
            pass
        for path in SUBID_FILES:
            with open(path) as f:
                if any(line.startswith(self.name + ":") for line in f):
                    found.append(f"{path} entry")
        for d in (self.runtime_dir, self.home):
            if os.path.exists(d):
                found.append(d)
        return found
