"""Helpers for the krun-mode tests that run through the libkrun TEST DOUBLE (tests/libkrun-double, not a VM).

The double records every libkrun call as JSON lines: in $KRUN_DOUBLE_LOG while the runtime's fd is open,
then (after the init closed fds and switched root) in <rootfs>/.krun-double.jsonl.

Fake host device nodes: on a host without KVM a /dev/kvm character node (c 10:232) is created the first
time a test needs it, so the runtime's host checks pass; without a KVM driver opening it gives ENODEV/ENXIO,
which the runtime reports as a warning only (a node nobody but a test creates), and the double never opens
it. Tests compare with kvm_rdev(), the host node's numbers, so a real /dev/kvm works as well. A node made
here is marked (/run/krun-test-fake-*) and stays until the session ends (conftest removes it) or a test
needs /dev without it (no_fake_devices puts it back afterwards): a node removed while a module-scoped
client fixture still used it broke that client's krun containers.
"""
import contextlib
import json
import os
import stat
import subprocess
import time

from conftest import DOUBLE_DIR, KRUN, TOP, Runtime

# Misc-device numbers: kvm is fixed (10:232); sev and nitro are dynamic on real hosts, these are plausible.
FAKE_NODES = {"/dev/kvm": (10, 232), "/dev/sev": (10, 124), "/dev/nitro_enclaves": (10, 122)}


def kvm_rdev():
    """The host /dev/kvm's "major:minor" (the fake node's, or a real one's)."""
    rdev = os.stat("/dev/kvm").st_rdev
    return f"{os.major(rdev)}:{os.minor(rdev)}"


def _marker(path):
    return "/run/krun-test-fake" + path.replace("/", "-")


def _make_node(p):
    major, minor = FAKE_NODES[p]
    with open(_marker(p), "w") as f:  # first: a crash after mknod must not leave an unmarked node
        f.write(str(os.getpid()))
    with contextlib.suppress(FileExistsError):
        os.mknod(p, 0o666 | stat.S_IFCHR, os.makedev(major, minor))
    os.chmod(p, 0o666)  # mknod's mode is cut by the umask; rootless users must be able to open it


@contextlib.contextmanager
def fake_devices(*paths):
    """Make the given host nodes exist (fake char nodes where absent). A node made here stays until the end of
    the test session (remove_fake_devices, from conftest) or until no_fake_devices: module-scoped client
    fixtures (podman, Docker) and the tests inside them must never see it vanish under them."""
    for p in paths:
        if not os.path.exists(p):
            _make_node(p)
    yield


def _owned_by_another_live_run(p):
    """A node another pytest session (alive) made: not ours to remove (developers run suites side by side)."""
    try:
        with open(_marker(p)) as f:
            pid = int(f.read().strip() or 0)
    except (OSError, ValueError):
        return False
    if pid in (0, os.getpid()):
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    return True


def remove_fake_devices():
    """Remove the nodes a fake_devices made (marked), also those of an earlier run that was killed."""
    removed = []
    for p in FAKE_NODES:
        if os.path.exists(_marker(p)) and not _owned_by_another_live_run(p):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(p)
            os.unlink(_marker(p))
            removed.append(p)
    return removed


@contextlib.contextmanager
def no_fake_devices():
    """/dev with no fake node, for the real no-KVM path; the fake nodes come back afterwards. Yields False if
    the host has a /dev/kvm of its own (the test then has nothing to check)."""
    removed = remove_fake_devices()
    try:
        yield not os.path.exists("/dev/kvm")
    finally:
        for p in removed:
            _make_node(p)


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


def _main_checkout():
    """The main checkout of a git worktree (its shared/ sibling is the one beside the repository)."""
    r = subprocess.run(["git", "-C", TOP, "rev-parse", "--path-format=absolute", "--git-common-dir"],
                       capture_output=True, text=True)
    return os.path.dirname(r.stdout.strip()) if r.returncode == 0 and r.stdout.strip() else TOP


def real_libkrun_dir():
    """A directory with a REAL libkrun.so.1 (never the double): $KRUN_REAL_LIBKRUN_DIR, else
    <repo>/../shared/real-libkrun (CI clones the repository beside shared/; read only), or None."""
    for d in (os.environ.get("KRUN_REAL_LIBKRUN_DIR"), os.path.join(TOP, "..", "shared", "real-libkrun"),
              os.path.join(_main_checkout(), "..", "shared", "real-libkrun")):
        if d and os.path.exists(os.path.join(d, "libkrun.so.1")):
            return os.path.realpath(d)
    return None
