"""podman 4.3 + conmon with a private configuration and store, pointed at our runtime with --runtime."""
import json
import os
import shlex
import shutil
import subprocess
import time
import uuid

from clients.common import Runner, live_processes, render, mounts_below

IMAGE = "localhost/krun-test/busybox:latest"


class Podman:
    def __init__(self, tmp, runtime):
        self.tmp = tmp
        self.runtime = runtime
        for d in ("tmp", "root", "runroot", "networks", "volumes"):
            os.makedirs(os.path.join(tmp, d), exist_ok=True)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("CONTAINERS_", "XDG_RUNTIME_DIR"))}
        env["CONTAINERS_CONF"] = render("containers.conf", os.path.join(tmp, "containers.conf"), tmp)
        env["CONTAINERS_STORAGE_CONF"] = render("storage.conf", os.path.join(tmp, "storage.conf"), tmp)
        self.runner = Runner(env)
        self.globals = ["--root", os.path.join(tmp, "root"), "--runroot", os.path.join(tmp, "runroot"),
                        "--runtime", runtime]

    def argv(self, *args):
        return ["podman", *self.globals, *args]

    def __call__(self, *args, timeout=120, input=None, check=False):
        r = self.runner.run(self.argv(*args), timeout=timeout, input=input)
        if check and r.returncode != 0:
            raise AssertionError(f"podman failed: {r}")
        return r

    def tty(self, *args, feed=(), rows=30, cols=100, timeout=60):
        """podman ARGS on a pty made by script(1), sized rows x cols (podman -t copies it to the container's
        pty); feed is typed on that terminal. script -e returns podman's exit status."""
        cmd = f"stty rows {rows} cols {cols}; exec {' '.join(shlex.quote(a) for a in self.argv(*args))}"
        return self.runner.run(["script", "-qec", cmd, "/dev/null"], feed=list(feed), timeout=timeout)

    def ids_of(self, names):
        """Container IDs by name, from podman's event log (also for containers already removed)."""
        ids = set()
        try:
            with open(os.path.join(self.tmp, "events.log")) as f:
                for line in f:
                    try:
                        ev = json.loads(line)
                    except ValueError:
                        continue
                    if ev.get("Type") == "container" and ev.get("Name") in names:
                        ids.add(ev["ID"])
        except FileNotFoundError:
            pass
        return ids

    def ok(self, *args, **kw):
        return self(*args, check=True, **kw)

    def inspect(self, name):
        return json.loads(self.ok("container", "inspect", name).stdout)[0]

    def userdata(self, cid):
        """conmon's per-container run directory (pid file, oci-log, exec sessions)."""
        return os.path.join(self.tmp, "runroot", "overlay-containers", cid, "userdata")

    def new_name(self, prefix="kp"):
        return f"{prefix}-{uuid.uuid4().hex[:10]}"

    def conmons(self):
        """Live conmon processes of this podman instance (they carry our --root in their exit command)."""
        return live_processes(self.tmp.encode(), b"conmon")

    def wait_conmons_gone(self, timeout=20):
        deadline = time.monotonic() + timeout
        while self.conmons() and time.monotonic() < deadline:
            self.runner.reap()
            time.sleep(0.1)
        self.runner.reap()
        return self.conmons()

    def teardown(self):
        """Remove every container and image of this private store, then the store itself (its overlay
        mounts first). Only paths under self.tmp are touched."""
        self("rm", "--all", "--force", "--time", "0", timeout=120)
        self("rmi", "--all", "--force", timeout=120)
        left = self.wait_conmons_gone()
        for pid in left:
            os.kill(pid, 9)
        self.runner.reap()
        for mp in reversed(mounts_below(self.tmp)):
            subprocess.run(["umount", "-l", mp], capture_output=True)
        shutil.rmtree(self.tmp, ignore_errors=True)
        return left
