"""containerd (Debian's 1.6 + ctr) on a private socket, state and root under a temporary directory; tasks
use the runc v2 shim with our binary as its runc (`ctr run --runc-binary`, `--runc-root`)."""
import os
import signal
import subprocess
import time
import uuid

from clients.common import Runner, cgroup_dirs_named, mounts_below, render

IMAGE = "localhost/krun-test/busybox:latest"
RUN_DIR = "/run/containerd"


class ContainerdUnavailable(Exception):
    pass


class Containerd:
    def __init__(self, tmp, runtime):
        self.tmp = tmp
        self.runtime = runtime
        self.sock = os.path.join(tmp, "containerd.sock")
        self.runc_root = os.path.join(tmp, "runc-root")
        # The namespace names the parent cgroup of the tasks (/NAMESPACE/ID): unique per instance.
        self.namespace = f"krun-test-{uuid.uuid4().hex[:8]}"
        self.runner = Runner({k: v for k, v in os.environ.items() if not k.startswith("CONTAINERD_")})
        self.proc = None
        # The shim's socket (/run/containerd/s/HASH) and ctr's fifos (/run/containerd/fifo/…) have fixed
        # locations in containerd 1.6; they are removed after use, the directories are ours to remove if we
        # made them.
        self.made_run_dir = not os.path.exists(RUN_DIR)

    def start(self, timeout=20):
        config = render("containerd.toml", os.path.join(self.tmp, "containerd.toml"), self.tmp)
        self.log = open(os.path.join(self.tmp, "containerd.log"), "w+")
        self.proc = subprocess.Popen(["containerd", "--config", config], stdin=subprocess.DEVNULL,
                                     stdout=self.log, stderr=self.log)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise ContainerdUnavailable(f"containerd exited with status {self.proc.returncode}: {self.log_tail()}")
            if os.path.exists(self.sock) and self.ctr("version").returncode == 0:
                return
            time.sleep(0.1)
        raise ContainerdUnavailable(f"containerd did not serve {self.sock} within {timeout}s: {self.log_tail()}")

    def log_tail(self, n=5):
        self.log.flush()
        with open(self.log.name) as f:
            lines = [line.strip() for line in f if "level=error" in line or "level=fatal" in line]
        return " | ".join(lines[-n:]) or "(no error in its log)"

    def ctr(self, *args, timeout=60, **kw):
        return self.runner.run(["ctr", "--address", self.sock, "--namespace", self.namespace, *args],
                               timeout=timeout, **kw)

    def ok(self, *args, **kw):
        r = self.ctr(*args, **kw)
        if r.returncode != 0:
            raise AssertionError(f"ctr failed: {r}")
        return r

    def run_args(self):
        """`ctr run` options selecting our runtime for the runc v2 shim."""
        return ["--runc-binary", self.runtime, "--runc-root", self.runc_root]

    def tasks(self):
        """{id: status} from `ctr task ls`."""
        out = self.ok("task", "ls").stdout.splitlines()[1:]
        return {f[0]: f[2] for f in (line.split() for line in out) if len(f) >= 3}

    def shims(self):
        """Live shim processes serving our containerd (their command line names our socket)."""
        pids = []
        for p in os.listdir("/proc"):
            if not p.isdigit():
                continue
            try:
                with open(f"/proc/{p}/cmdline", "rb") as f:
                    cmd = f.read()
                with open(f"/proc/{p}/stat") as f:
                    state = f.read().rsplit(")", 1)[1].split()[0]
            except OSError:
                continue
            if state != "Z" and b"containerd-shim" in cmd and self.sock.encode() in cmd:
                pids.append(int(p))
        return pids

    def remove_container(self, cid):
        """Kill and delete the task, then the container (each step may find nothing to do)."""
        if cid in self.tasks():
            self.ctr("task", "kill", "--signal", "SIGKILL", cid)
            deadline = time.monotonic() + 10
            while self.tasks().get(cid) not in (None, "STOPPED") and time.monotonic() < deadline:
                time.sleep(0.1)
            self.ctr("task", "delete", "--force", cid)
        self.ctr("container", "delete", cid)

    def teardown(self):
        """Stop everything this instance started; returns what had to be killed (a leak)."""
        leaked = []
        if self.proc and self.proc.poll() is None:
            for cid in self.ctr("container", "ls", "--quiet").stdout.split():
                self.remove_container(cid)
            self.ctr("image", "remove", IMAGE)
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                leaked.append(f"containerd {self.proc.pid} ignored SIGTERM")
                self.proc.kill()
                self.proc.wait()
        for pid in self.shims():
            leaked.append(f"shim {pid}")
            os.kill(pid, signal.SIGKILL)
        self.runner.reap()
        for mp in reversed(mounts_below(self.tmp)):
            leaked.append(f"mount {mp}")
            subprocess.run(["umount", "-l", mp], capture_output=True)
        for d in sorted(cgroup_dirs_named([self.namespace], depth=4), key=len, reverse=True):
            try:
                os.rmdir(d)
            except OSError:
                leaked.append(f"cgroup {d}")
        if self.made_run_dir:
            for d in ("s", "fifo", ""):
                try:
                    os.rmdir(os.path.join(RUN_DIR, d))
                except OSError:
                    pass
        if self.proc:
            self.log.close()
        return leaked
