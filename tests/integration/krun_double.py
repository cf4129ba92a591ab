"""Helpers for the krun-mode tests that run through the libkrun TEST DOUBLE (tests/libkrun-double, not a VM).

The double records every libkrun call as JSON lines: in $KRUN_DOUBLE_LOG while the runtime's fd is open,
then (after the init closed fds and switched root) in <rootfs>/.krun-double.jsonl.

Fake host device nodes: on a host without KVM a /dev/kvm character node (c 10:232) is created for the
duration of a test so the runtime's host checks pass; nothing opens it when the double is loaded. /dev is
the host's, shared by every test run on the machine (other engineers run the suite in parallel), so the
nodes are reference-counted with flock: each user holds a shared lock; whoever can upgrade to an exclusive
lock at the end is the last user and removes the nodes a fixture created (a marker file records which).
"""
import contextlib
import fcntl
import json
import os
import stat
import time

from conftest import DOUBLE_DIR, KRUN, Runtime

LOCK = "/run/krun-test-fake-devices.lock"
# Misc-device numbers: kvm is fixed (10:232); sev and nitro are dynamic on real hosts, these are plausible.
FAKE_NODES = {"/dev/kvm": (10, 232), "/dev/sev": (10, 124), "/dev/nitro_enclaves": (10, 122)}


def _marker(path):
    return "/run/krun-test-fake" + path.replace("/", "-")


@contextlib.contextmanager
def fake_devices(*paths):
    """Make the given host nodes exist (fake char nodes where absent) for the duration of the block."""
    fd = os.open(LOCK, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH)  # held while the nodes are in use: nobody removes them meanwhile
        for p in paths:
            if not os.path.exists(p):
                major, minor = FAKE_NODES[p]
                open(_marker(p), "w").close()  # first: a crash after mknod must not leave an unmarked node
                with contextlib.suppress(FileExistsError):  # a parallel user was faster
                    os.mknod(p, 0o666 | stat.S_IFCHR, os.makedev(major, minor))
        yield
    finally:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pass  # someone still uses them: the last one removes them
        else:
            for p in FAKE_NODES:
                if os.path.exists(_marker(p)):
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(p)
                    os.unlink(_marker(p))
        os.close(fd)


@contextlib.contextmanager
def no_fake_devices(timeout=120):
    """Exclusive use of /dev with no fake node: for the real no-KVM path. Yields False if the host has a
    /dev/kvm of its own (the test then has nothing to check)."""
    fd = os.open(LOCK, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise TimeoutError("fake /dev/kvm still in use by another test run")
                time.sleep(0.2)
        for p in FAKE_NODES:  # a run killed before its teardown
            if os.path.exists(_marker(p)):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(p)
                os.unlink(_marker(p))
        yield not os.path.exists("/dev/kvm")
    finally:
        os.close(fd)


def krun_runtime(rt, log, binary=KRUN, lib_dir=DOUBLE_DIR, extra_env=None):
    """A Runtime for `binary` with the double on the library path, sharing rt's root and leak checks."""
    env = dict(os.environ, KRUN_DOUBLE_LOG=log)
    env.pop("LD_LIBRARY_PATH", None)
    if lib_dir:
        env["LD_LIBRARY_PATH"] = lib_dir
    env.update(extra_env or {})
    k = Runtime(rt.workdir, rt.rootfs_src, binary=binary, env=env)
    k.root = rt.root
    k.ids = rt.ids  # rt's teardown deletes and checks what we create
    k.log = log
    return k


def calls(k, bundle):
    lines = []
    for path in (k.log, os.path.join(bundle, "rootfs", ".krun-double.jsonl")):
        if os.path.exists(path):
            with open(path) as f:
                lines += [json.loads(line) for line in f if line.strip()]
    assert all(c["double"] is True for c in lines)
    return lines


# What the runtime puts in front of process.args in /.krun_config.json: the in-guest agent (src/agent/).
AGENT_PORT = 10700
AGENT_ARGV = ["/.krun-agent", "--port", str(AGENT_PORT), "--"]


def with_agent(cfg):
    """The guest's config for a bundle config: the agent in front of the workload."""
    cfg = json.loads(json.dumps(cfg))
    cfg["process"]["args"] = AGENT_ARGV + cfg["process"]["args"]
    return cfg


def agent_dir_fd(lines):
    """The VMM's fd to <state>/agent, through which libkrun creates the agent's socket."""
    path = named(lines, "krun_add_vsock_port2")[0]["args"]["path"]
    return int(path.split("/")[4])


def krun_funcs(lines):
    return [c["func"] for c in lines if c["func"].startswith("krun_")]


def named(lines, func):
    return [c for c in lines if c["func"] == func]


def annotate(ann=None, **krun):
    """An edit adding annotations: annotate({"run.oci.handler": "krun"}) or annotate(cpus="2") for krun.cpus."""
    def edit(cfg):
        cfg.setdefault("annotations", {}).update(ann or {})
        cfg["annotations"].update({"krun." + k: v for k, v in krun.items()})
    return edit


def write_rootfs(bundle, name, data, mode=None):
    path = os.path.join(bundle, "rootfs", name.lstrip("/"))
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w" if isinstance(data, str) else "wb") as f:
        f.write(data)
    if mode is not None:
        os.chmod(path, mode)
    return path


def wait_stopped(k, cid, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if k.state(cid)["status"] == "stopped":
            return
        time.sleep(0.05)
    raise AssertionError(f"{cid} did not stop")
