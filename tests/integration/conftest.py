"""Fixtures for the integration tests: real containers, run as root, on a busybox rootfs.

Every test gets its own state root (--root) and bundles in a temporary directory. Teardown force-deletes
whatever the test left, then fails the test if anything leaked: a container still listed, a mount
below the test's directory, a cgroup named after one of its containers, or a process of a container.
"""
import ctypes
import json
import os
import shutil
import subprocess
import tempfile
import uuid

import pytest

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("KRUN_BUILD", os.path.join(TOP, "build"))
CRUN = os.path.join(BUILD, "crun")
KRUN = os.path.join(BUILD, "krun")
DOUBLE_DIR = os.path.join(BUILD, "tests", "libkrun-double")
CGROUP_ROOT = "/sys/fs/cgroup"


PR_SET_CHILD_SUBREAPER = 36


def pytest_unconfigure(config):
    """The fake device nodes of the krun tests live for the session (krun_double.fake_devices)."""
    from krun_double import remove_fake_devices

    remove_fake_devices()


def pytest_configure(config):
    # Like conmon: be the subreaper of the containers we create, so their inits are reaped by us (this
    # sandbox's pid 1 reaps orphans only lazily, and zombies would look like leaked processes).
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    if os.geteuid() != 0:
        raise pytest.UsageError("the integration tests run real containers: run them as root")
    if not os.access(CRUN, os.X_OK):
        raise pytest.UsageError(f"{CRUN} not built (run scripts/build.sh)")


@pytest.fixture(scope="session")
def busybox_rootfs(tmp_path_factory):
    """A pristine busybox rootfs, built once; bundles copy it (tests may write into their copy)."""
    d = tmp_path_factory.mktemp("rootfs-src") / "rootfs"
    subprocess.run([os.path.join(TOP, "scripts", "mkrootfs.sh"), str(d)], check=True)
    return str(d)


def default_config():
    d = tempfile.mkdtemp()
    try:
        subprocess.run([CRUN, "spec", "--bundle", d], check=True, capture_output=True)
        with open(os.path.join(d, "config.json")) as f:
            cfg = json.load(f)
    finally:
        shutil.rmtree(d)
    cfg["process"]["terminal"] = False
    # The template's root is read-only (like crun's); tests write marks into their own rootfs copy.
    cfg["root"]["readonly"] = False
    return cfg


class Result:
    def __init__(self, cp):
        self.returncode = cp.returncode
        self.stdout = cp.stdout.decode(errors="replace") if isinstance(cp.stdout, bytes) else (cp.stdout or "")
        self.stderr = cp.stderr.decode(errors="replace") if isinstance(cp.stderr, bytes) else (cp.stderr or "")

    def __repr__(self):
        return f"<rc={self.returncode} stdout={self.stdout!r} stderr={self.stderr!r}>"


class Runtime:
    """Runs our binary with a private --root and remembers every container ID it touched."""

    def __init__(self, workdir, rootfs_src, binary=CRUN, env=None):
        self.workdir = workdir
        self.root = os.path.join(workdir, "state")
        self.rootfs_src = rootfs_src
        self.binary = binary
        self.env = env
        self.ids = set()
        self._template = None

    def new_id(self, prefix="kt"):
        cid = f"{prefix}-{uuid.uuid4().hex[:10]}"
        self.ids.add(cid)
        return cid

    def config(self):
        if self._template is None:
            self._template = default_config()
        return json.loads(json.dumps(self._template))

    def bundle(self, args=None, config=None, edit=None, name=None):
        """A bundle dir with a fresh rootfs copy and config.json (default spec, terminal off)."""
        b = os.path.join(self.workdir, name or f"bundle-{uuid.uuid4().hex[:8]}")
        os.makedirs(b)
        subprocess.run(["cp", "-a", self.rootfs_src, os.path.join(b, "rootfs")], check=True)
        cfg = config if config is not None else self.config()
        if args is not None:
            cfg["process"]["args"] = args
        if edit:
            edit(cfg)
        with open(os.path.join(b, "config.json"), "w") as f:
            json.dump(cfg, f, indent=2)
        return b

    def run(self, *argv, global_args=(), input=None, timeout=60, check=False, env=None, **kw):
        cmd = [self.binary, "--root", self.root, *global_args, *argv]
        e = dict(os.environ) if self.env is None else dict(self.env)
        if env:
            e.update(env)
        # Files, not pipes: the container inherits the runtime's stdio, and an init left in `created` (or
        # a detached container) would hold a pipe open and make us wait for EOF forever.
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            cp = subprocess.run(cmd, input=input, stdout=out, stderr=err, timeout=timeout, env=e, **kw)
            out.seek(0)
            err.seek(0)
            cp.stdout, cp.stderr = out.read(), err.read()
        r = Result(cp)
        if check and r.returncode != 0:
            raise AssertionError(f"{' '.join(cmd)} failed: {r}")
        return r

    def state(self, cid):
        r = self.run("state", cid, check=True)
        return json.loads(r.stdout)

    def cleanup(self):
        """delete --force every container; returns what failed, for the leak report."""
        if os.path.isdir(self.root):
            for cid in os.listdir(self.root):
                self.ids.add(cid)
        failed = []
        for cid in self.ids:
            r = self.run("delete", "--force", cid, timeout=30)
            if r.returncode != 0 and os.path.isdir(os.path.join(self.root, cid)):
                failed.append(f"delete --force {cid}: exit {r.returncode}: {r.stderr.strip()}")
        return failed


def _mounts_below(path):
    with open("/proc/self/mountinfo") as f:
        return [line.split()[4] for line in f if line.split()[4].startswith(path)]


def cgroups_named(ids):
    """Cgroup directories (any hierarchy) whose name is one of the container IDs."""
    found = []
    if not ids:
        return found
    for dirpath, dirnames, _ in os.walk(CGROUP_ROOT):
        for d in dirnames:
            if any(cid in d for cid in ids):
                found.append(os.path.join(dirpath, d))
        if dirpath.count("/") > 8:
            dirnames[:] = []
    return found


def reap_orphans():
    """Collect the exit status of container inits re-parented to us (we are their subreaper)."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def _container_processes(ids):
    """Live processes (not zombies) in a cgroup named after one of the container IDs."""
    procs = []
    for p in os.listdir("/proc"):
        if not p.isdigit():
            continue
        try:
            with open(f"/proc/{p}/cgroup") as f:
                cg = f.read()
        except OSError:
            continue
        try:
            with open(f"/proc/{p}/stat") as f:
                state = f.read().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state not in "ZX" and any(cid in cg for cid in ids):
            procs.append(int(p))
    return procs


@pytest.fixture
def rt(tmp_path, busybox_rootfs):
    """The runtime under test (our crun) with a private state root; leaks fail the test."""
    r = Runtime(str(tmp_path), busybox_rootfs)
    yield r
    leaks = r.cleanup()
    reap_orphans()
    if os.path.isdir(r.root) and os.listdir(r.root):
        leaks.append(f"state entries left: {os.listdir(r.root)}")
    m = _mounts_below(str(tmp_path))
    if m:
        leaks.append(f"mounts left: {m}")
        for mp in reversed(m):
            subprocess.run(["umount", "-l", mp], capture_output=True)
    procs = _container_processes(r.ids)
    if procs:
        leaks.append(f"container processes left: {procs}")
        for p in procs:
            try:
                os.kill(p, 9)
            except OSError:
                pass
    cg = cgroups_named(r.ids)
    if cg:
        leaks.append(f"cgroups left: {cg}")
        for d in sorted(cg, key=len, reverse=True):
            try:
                os.rmdir(d)
            except OSError:
                pass
    assert not leaks, "; ".join(leaks)
