"""Rootless podman (Debian's podman 4.3 + conmon) driving our runtime with --runtime: an unprivileged test user
(rootless_user.py: created with a subuid/subgid range, removed afterwards) with podman's rootless storage in a
private directory (vfs driver), network "none", cgroupfs (podman skips cgroups on this v1/hybrid host for a
rootless user). podman runs the runtime inside the user's namespace, where its euid is 0, and passes no
--root: our state goes to $XDG_RUNTIME_DIR/krun. Through `crun` and through `krun` (libkrun TEST DOUBLE
behind a wrapper script, not a VM).

Workflows: run (output, exit status, 127), --user (reopening its stdout), a volume owned by the user,
-d + exec, stop, rm -f of a running container.
"""
import os
import shutil
import signal
import subprocess
import uuid

import pytest

from conftest import BUILD
from clients.common import render, runtime_binary
from clients.oci_image import make_rootfs, rootfs_tar
from krun_double import fake_devices
from rootless_user import RootlessUser

pytestmark = pytest.mark.skipif(
    not (shutil.which("podman") and shutil.which("conmon") and shutil.which("newuidmap")),
    reason="podman, conmon or newuidmap (uidmap) not installed (scripts/deps.sh installs them)")

IMAGE = "localhost/krun-test/busybox:latest"
LOOP = 'trap "exit 42" TERM; while :; do sleep 0.1; done'

CONTAINERS_CONF = """# rootless podman for tests/integration/test_podman_rootless.py
[containers]
netns = "none"
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "@TMP@/events.log"
tmp_dir = "@TMP@/tmp"
volume_path = "@TMP@/volumes"
[network]
network_config_dir = "@TMP@/networks"
"""
STORAGE_CONF = """[storage]
driver = "vfs"
graphroot = "@TMP@/root"
runroot = "@RUN@"
"""


class RootlessPodman:
    def __init__(self, user, kind, tar):
        self.user, self.kind = user, kind
        self.tmp = os.path.join(user.home, f"podman-{kind}")
        os.mkdir(self.tmp)
        # podman refuses a runroot longer than 50 characters.
        self.runroot = os.path.join(user.runtime_dir, f"pm-{kind}")
        for name, text in (("containers.conf", CONTAINERS_CONF), ("storage.conf", STORAGE_CONF)):
            with open(os.path.join(self.tmp, name), "w") as f:
                f.write(text.replace("@TMP@", self.tmp).replace("@RUN@", self.runroot))
        # The krun wrapper lives where the user can read it; crun is the build's binary itself.
        self.runtime = runtime_binary(kind, BUILD, self.tmp)
        subprocess.run(["chown", "-R", f"{user.uid}:{user.gid}", self.tmp], check=True)
        self.env = {"CONTAINERS_CONF": os.path.join(self.tmp, "containers.conf"),
                    "CONTAINERS_STORAGE_CONF": os.path.join(self.tmp, "storage.conf")}
        self.ok("import", "--change", 'CMD ["sh"]', tar, IMAGE)

    def __call__(self, *args, timeout=120, check=False):
        return self.user.run(["podman", "--runtime", self.runtime, *args], env=self.env, timeout=timeout,
                             check=check)

    def ok(self, *args, **kw):
        return self(*args, check=True, **kw)

    def state_entries(self):
        d = os.path.join(self.user.runtime_dir, "krun")
        return os.listdir(d) if os.path.isdir(d) else []

    def teardown(self):
        self("rm", "--all", "--force", "--time", "0")
        self("rmi", "--all", "--force")
        # podman keeps the user's namespace alive with a pause process (catatonit -P): ours to end. Only
        # the test user's processes are looked at.
        for pid in self.user.processes():
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    if f.read().split(b"\0")[:2] == [b"catatonit", b"-P"]:
                        os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        shutil.rmtree(self.tmp, ignore_errors=True)
        shutil.rmtree(self.runroot, ignore_errors=True)


@pytest.fixture(scope="module")
def user(tmp_path_factory):
    u = RootlessUser()
    src = str(tmp_path_factory.mktemp("rootless-podman"))
    u.tar = os.path.join(u.home, "busybox.tar")
    rootfs_tar(make_rootfs(os.path.join(src, "rootfs")), u.tar)
    os.chown(u.tar, u.uid, u.gid)
    yield u
    left = u.remove()
    assert not left, f"processes of {u.name} left: {left}"
    assert not u.leftovers(), u.leftovers()


@pytest.fixture(scope="module", params=["crun", "krun"])
def pm(request, user):
    with fake_devices("/dev/kvm") if request.param == "krun" else _nothing():
        p = RootlessPodman(user, request.param, user.tar)
        try:
            yield p
        finally:
            p.teardown()


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


@pytest.fixture
def names(pm, user):
    created = []

    def new():
        n = f"krp-{uuid.uuid4().hex[:10]}"
        created.append(n)
        return n

    yield new
    for n in created:
        pm("rm", "--force", "--time", "0", n)
    assert pm.state_entries() == [], "state entries left in $XDG_RUNTIME_DIR/krun"


def test_run_output_and_exit_status(pm, names):
    r = pm("run", "--rm", "--name", names(), IMAGE, "sh", "-c", "echo hello; cat /proc/self/uid_map; exit 7")
    assert r.returncode == 7, r
    lines = r.stdout.strip().split("\n")
    assert lines[0] == "hello"
    # podman's user namespace: root is the user, the rest its /etc/subuid ranges.
    assert lines[1].split() == ["0", str(pm.user.uid), "1"]
    r = pm("run", "--rm", "--name", names(), IMAGE, "no-such-command")
    assert r.returncode == 127, r


def test_user_reopens_its_stdout(pm, names):
    r = pm("run", "--rm", "--name", names(), "--user", "1000:1000", IMAGE, "sh", "-c",
           "id -u; id -g; echo reopened > /proc/self/fd/1")
    assert r.returncode == 0, r
    assert r.stdout.split() == ["1000", "1000", "reopened"]


def test_volume_owned_by_the_user(pm, names, user):
    vol = os.path.join(user.home, f"vol-{pm.kind}")
    os.mkdir(vol, 0o700)
    os.chown(vol, user.uid, user.gid)
    try:
        with open(os.path.join(vol, "in"), "w") as f:
            f.write("host\n")
        os.chown(os.path.join(vol, "in"), user.uid, user.gid)
        r = pm("run", "--rm", "--name", names(), "-v", f"{vol}:/vol", IMAGE, "sh", "-c",
               "stat -c %u /vol/in; cat /vol/in; echo out > /vol/out")
        assert r.returncode == 0, r
        # The user's files are the container root's, and what its root writes is the user's on the host.
        assert r.stdout.split() == ["0", "host"]
        st = os.stat(os.path.join(vol, "out"))
        assert (st.st_uid, st.st_gid) == (user.uid, user.gid)
    finally:
        shutil.rmtree(vol)


def test_detach_exec_stop(pm, names):
    n = names()
    pm.ok("run", "-d", "--name", n, IMAGE, "sh", "-c", LOOP)
    assert pm.state_entries() != []  # our state, in the user's runtime dir
    r = pm("exec", n, "sh", "-c", "echo inside; exit 3")  # krun: through the in-guest agent
    assert (r.returncode, r.stdout) == (3, "inside\n"), r
    r = pm("stop", "--time", "5", n)
    assert r.returncode == 0, r
    code = pm.ok("inspect", n, "--format", "{{.State.ExitCode}}").stdout.strip()
    # The TERM trap ran (krun: the agent delivered SIGTERM in the guest), no SIGKILL after --time.
    assert code == "42"


def test_rm_force_of_a_running_container(pm, names):
    n = names()
    pm.ok("run", "-d", "--name", n, IMAGE, "sleep", "1000")
    r = pm("rm", "--force", "--time", "1", n)
    assert r.returncode == 0, r
    assert pm("container", "exists", n).returncode == 1
    assert pm.state_entries() == []
