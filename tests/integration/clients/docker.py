"""Debian's docker.io 20.10 with a private dockerd: its own socket, data root, exec root, pid file, trust key and
daemon.json under one temporary directory, no iptables and no bridge, and our runtimes added with
--add-runtime. dockerd starts its own containerd (under the exec root); both are stopped by teardown()."""
import contextlib
import json
import os
import shlex
import shutil
import signal
import subprocess
import time
import uuid

from clients.common import Runner, live_processes, mounts_below, wait_until

# KRUN_DOCKERD: another dockerd command (e.g. a wrapper that starts it in a private mount namespace).
DOCKERD = os.environ.get("KRUN_DOCKERD", "/usr/sbin/dockerd")
DOCKER = "/usr/bin/docker"  # Debian's client: /usr/local/bin may hold another one
IMAGE = "krun-test/busybox:latest"


class DockerdError(Exception):
    pass


class Docker:
    def __init__(self, tmp, runtimes):
        """runtimes: {name: path} given to dockerd as --add-runtime name=path."""
        self.tmp = tmp
        self.sock = os.path.join(tmp, "docker.sock")
        self.cgroup_parent = f"krun-test-docker-{uuid.uuid4().hex[:8]}"
        for d in ("data", "exec", "client"):
            os.makedirs(os.path.join(tmp, d), exist_ok=True)
        # Our own daemon.json (never the host's /etc/docker/daemon.json); without deprecated-key-path dockerd
        # writes its trust key to /etc/docker/key.json.
        with open(os.path.join(tmp, "daemon.json"), "w") as f:
            json.dump({"deprecated-key-path": os.path.join(tmp, "key.json")}, f)
        env = {k: v for k, v in os.environ.items() if not k.startswith("DOCKER_")}
        env["DOCKER_CONFIG"] = os.path.join(tmp, "client")  # no ~/.docker
        self.runner = Runner(env)
        self.argv_daemon = [
            DOCKERD, "--config-file", os.path.join(tmp, "daemon.json"),
            "--data-root", os.path.join(tmp, "data"), "--exec-root", os.path.join(tmp, "exec"),
            "--pidfile", os.path.join(tmp, "dockerd.pid"), "-H", "unix://" + self.sock,
            "--iptables=false", "--ip-masq=false", "--ip-forward=false", "--bridge=none",
            "--userland-proxy=false", "--storage-driver=vfs", "--cgroup-parent", "/" + self.cgroup_parent,
            "--log-level=warn",
        ] + [f"--add-runtime={name}={path}" for name, path in runtimes.items()]
        self.daemon = None
        self.log_path = os.path.join(tmp, "dockerd.log")

    def start(self, timeout=90):
        log = open(self.log_path, "wb")
        self.daemon = subprocess.Popen(self.argv_daemon, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                       env=self.runner.env, start_new_session=True)
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.daemon.poll() is not None:
                raise DockerdError(f"dockerd exited with {self.daemon.returncode}: {self.log_tail()}")
            if os.path.exists(self.sock) and self("version", timeout=30).returncode == 0:
                return
            time.sleep(0.3)
        raise DockerdError(f"dockerd did not answer within {timeout}s: {self.log_tail()}")

    def log_tail(self, n=15):
        with contextlib.suppress(OSError), open(self.log_path, errors="replace") as f:
            return "".join(f.readlines()[-n:])
        return ""

    def argv(self, *args):
        return [DOCKER, "-H", "unix://" + self.sock, *args]

    def __call__(self, *args, timeout=120, input=None):
        return self.runner.run(self.argv(*args), timeout=timeout, input=input)

    def ok(self, *args, **kw):
        r = self(*args, **kw)
        if r.returncode != 0:
            raise AssertionError(f"docker failed: {r}")
        return r

    def tty(self, *args, feed=(), rows=30, cols=100, timeout=60):
        """docker ARGS on a pty made by script(1), sized rows x cols; feed is typed on that terminal.
        script -e returns docker's exit status."""
        cmd = f"stty rows {rows} cols {cols}; exec {' '.join(shlex.quote(a) for a in self.argv(*args))}"
        return self.runner.run(["script", "-qec", cmd, "/dev/null"], feed=list(feed), timeout=timeout)

    def inspect(self, name):
        return json.loads(self.ok("inspect", name).stdout)[0]

    def state(self, name):
        return self.inspect(name)["State"]

    def wait_state(self, name, pred, timeout=30):
        return wait_until(lambda: self.state(name), pred, timeout)

    def new_name(self, prefix="kd"):
        return f"{prefix}-{uuid.uuid4().hex[:10]}"

    def own_processes(self):
        """Live dockerd, containerd and shim processes of this instance (their command lines name our tmp)."""
        return live_processes(self.tmp.encode())

    def teardown(self):
        """Remove every container and image, stop dockerd (which stops its containerd), then remove what is
        left under tmp and our cgroup parent. Returns the processes that had to be killed."""
        if self.daemon and self.daemon.poll() is None:
            ids = self("ps", "-aq", timeout=60).stdout.split()
            if ids:
                self("rm", "-f", *ids, timeout=120)
            self("rmi", "-f", IMAGE, timeout=60)
            self.daemon.send_signal(signal.SIGTERM)
            try:
                self.daemon.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.daemon.kill()
                self.daemon.wait()
        deadline = time.monotonic() + 20
        while self.own_processes() and time.monotonic() < deadline:
            self.runner.reap()
            time.sleep(0.2)
        killed = self.own_processes()
        for pid in killed:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.runner.reap()
        for mp in reversed(mounts_below(self.tmp)):
            subprocess.run(["umount", "-l", mp], capture_output=True)
        for base in cgroup_roots():
            for dirpath, dirnames, _ in os.walk(os.path.join(base, self.cgroup_parent), topdown=False):
                with contextlib.suppress(OSError):
                    os.rmdir(dirpath)
        shutil.rmtree(self.tmp, ignore_errors=True)
        return killed


def cgroup_roots():
    """Every mounted cgroup hierarchy (v1 controllers and the unified one)."""
    roots = []
    with open("/proc/self/mountinfo") as f:
        for line in f:
            fields = line.split()
            fstype = fields[fields.index("-") + 1]
            if fstype in ("cgroup", "cgroup2"):
                roots.append(fields[4])
    return roots
