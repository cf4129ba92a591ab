"""containerd 1.6 (Debian's containerd + ctr) running tasks through the runc v2 shim with our binary as its
runc: as `crun`, and as `krun` through the libkrun TEST DOUBLE (tests/libkrun-double: not a VM).

containerd is started by the module fixture on a private socket, state and root under a temporary
directory, with the CRI plugin disabled; the image is an OCI layout tarball built from scripts/mkrootfs.sh
and imported with `ctr images import`. The shim calls the runtime as go-runc does (cli-contract.md §5):
`--root R --log …/log.json --log-format json create|start|exec|kill|delete|state|ps|pause|resume`.
"""
import os
import re
import shlex
import shutil
import subprocess
import tempfile
import time
import uuid

import pytest

from conftest import BUILD
from clients.common import HERE, fake_kvm, processes_in_cgroups_named, runtime_binary
from clients.containerd import IMAGE, Containerd, ContainerdUnavailable
from clients.oci_image import make_rootfs, oci_archive

pytestmark = pytest.mark.skipif(
    not all(shutil.which(b) for b in ("containerd", "ctr", "containerd-shim-runc-v2", "script")),
    reason="containerd, ctr, containerd-shim-runc-v2 or script(1) not installed (scripts/deps.sh installs them)")

LOOP = 'trap "exit 42" TERM; while :; do sleep 0.1; done'
# ctr sizes the exec's pty (through the shim, on the master we sent it) only after the process started.
SIZE_AFTER_RESIZE = ('tty; i=0; while [ "$(stty size 2>/dev/null)" != "30 100" ] && [ $i -lt 50 ]; do sleep 0.1; '
                     'i=$((i+1)); done; stty size')


@pytest.fixture(scope="module", params=["crun", "krun"])
def cd(request, tmp_path_factory):
    kind = request.param
    tmp = str(tmp_path_factory.mktemp(f"containerd-{kind}"))
    image = oci_archive(make_rootfs(os.path.join(tmp, "rootfs")), os.path.join(tmp, "busybox-oci.tar"), IMAGE)
    # Short: the shim's and containerd's unix socket paths live below it.
    c = Containerd(tempfile.mkdtemp(prefix=f"kc-{kind}-", dir="/tmp"), runtime_binary(kind, BUILD, tmp))
    c.kind = kind
    with fake_kvm(kind == "krun"):
        try:
            try:
                c.start()
            except ContainerdUnavailable as e:
                pytest.skip(f"containerd cannot run on this host: {e}")
            c.ok("images", "import", image)
            yield c
        finally:
            leaked = c.teardown()
            shutil.rmtree(c.tmp, ignore_errors=True)
    assert not leaked, f"containerd teardown had to clean up: {leaked}"


@pytest.fixture
def ids(cd):
    """ids() gives a fresh container ID; teardown removes those containers and checks for leaks."""
    created = []

    def new():
        cid = f"kc-{uuid.uuid4().hex[:10]}"
        created.append(cid)
        return cid
    yield new
    for cid in created:
        cd.remove_container(cid)
    left = [cid for cid in cd.ok("container", "ls", "--quiet").stdout.split() if cid in created]
    state = [cid for cid in created if os.path.exists(os.path.join(cd.runc_root, cd.namespace, cid))]
    procs = processes_in_cgroups_named(created)
    assert not (left or state or procs), f"left: containers {left}, runtime state {state}, processes {procs}"


def run(cd, cid, *cmd, opts=(), **kw):
    return cd.ctr("run", *cd.run_args(), *opts, IMAGE, cid, *cmd, **kw)


def exit_code_of_delete(cd, cid):
    """`ctr task delete` reports a non-zero exit status of the task as a warning on stderr."""
    r = cd.ok("task", "delete", cid)
    m = re.search(r"exit with non-zero exit code (\d+)", r.stderr)
    return int(m.group(1)) if m else 0


def wait_status(cd, cid, want, timeout=15):
    deadline = time.monotonic() + timeout
    status = None
    while time.monotonic() < deadline:
        status = cd.tasks().get(cid)
        if status == want:
            break
        time.sleep(0.1)
    return status


def test_run_output_and_exit_status(cd, ids):
    r = run(cd, ids(), "sh", "-c", "echo hello; echo err >&2; exit 3", opts=["--rm"])
    assert r.returncode == 3, r
    assert r.stdout == "hello\n"
    assert "err" in r.stderr


def test_runtime_error_reaches_ctr(cd, ids):
    """The shim reads the last "error" record of our --log (JSON) file and reports its msg."""
    r = run(cd, ids(), "no-such-command", opts=["--rm"])
    assert r.returncode != 0, r
    assert "exec: `no-such-command`: executable file not found in $PATH" in r.stderr, r


def test_detached_task_ps_pause_kill(cd, ids):
    cid = ids()
    r = run(cd, cid, "sh", "-c", LOOP, opts=["--detach"])
    assert r.returncode == 0, r
    assert cd.tasks()[cid] == "RUNNING"
    assert os.path.isfile(os.path.join(cd.runc_root, cd.namespace, cid, "state.json"))  # our --root
    pids = cd.ok("task", "ps", cid).stdout.split()[2::2]
    assert pids and all(p.isdigit() for p in pids), pids
    cd.ok("task", "pause", cid)
    assert cd.tasks()[cid] == "PAUSED"
    cd.ok("task", "resume", cid)
    assert cd.tasks()[cid] == "RUNNING"
    # SIGTERM runs the trap (krun: delivered in the guest by the in-guest agent).
    cd.ok("task", "kill", cid)
    assert wait_status(cd, cid, "STOPPED") == "STOPPED"
    assert exit_code_of_delete(cd, cid) == 42


def test_task_exec(cd, ids):
    cid = ids()
    assert run(cd, cid, "sh", "-c", LOOP, opts=["--detach"]).returncode == 0
    r = cd.ctr("task", "exec", "--exec-id", "e1", cid, "sh", "-c", "echo from-exec; exit 5")
    assert (r.returncode, r.stdout) == (5, "from-exec\n"), r
    r = cd.ctr("task", "exec", "--exec-id", "e2", cid, "sh", "-c", "kill -9 $$")
    assert r.returncode == 137, r


def test_task_exec_with_terminal(cd, ids):
    cid = ids()
    assert run(cd, cid, "sh", "-c", LOOP, opts=["--detach"]).returncode == 0
    argv = ["ctr", "--address", cd.sock, "--namespace", cd.namespace, "task", "exec", "-t", "--exec-id", "t1", cid,
            "sh", "-c", SIZE_AFTER_RESIZE + "; exit 6"]
    r = cd.runner.run(["script", "-qec", "stty rows 30 cols 100; exec " + shlex.join(argv), "/dev/null"], feed=[],
                      timeout=60)
    assert r.returncode == 6, r
    assert re.search(r"/dev/pts/\d+\r*\n", r.stdout), r
    assert "30 100" in r.stdout, r


def test_readme_cri_runtime_class_is_accepted():
    """The README's config.toml snippet parses, and containerd keeps BinaryName for the krun class."""
    r = subprocess.run(["containerd", "--config", os.path.join(HERE, "containerd-cri-krun.toml"), "config", "dump"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    section = r.stdout.split('[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.krun]', 1)[1]
    assert 'runtime_type = "io.containerd.runc.v2"' in section
    assert 'BinaryName = "/usr/local/bin/krun"' in section.split("[plugins.", 2)[1]
    assert 'pod_annotations = ["krun.*"]' in section.split("[plugins.", 1)[0]
    crun = r.stdout.split('[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.crun]', 1)[1]
    assert 'BinaryName = "/usr/local/bin/crun"' in crun.split("[plugins.", 2)[1]


def remove_pod_cgroup(name):
    """The runtime never removes a parent cgroup: the pod's goes once its containers are gone."""
    for hierarchy in os.listdir("/sys/fs/cgroup"):
        top = os.path.join("/sys/fs/cgroup", hierarchy, name)
        if os.path.isdir(top):
            for sub, _, _ in sorted(os.walk(top), key=lambda w: -len(w[0])):
                os.rmdir(sub)


def test_pod_pattern_with_ns(cd, ids):
    """Kubernetes' pod through the runc shim: a pause-like sandbox task, app tasks joining its network,
    IPC and UTS namespaces (`ctr run --with-ns`), every cgroup under one pod cgroup, containerd's default
    seccomp profile (RuntimeDefault) on the apps, a probe over the pod's loopback, ordered teardown."""
    pod = f"kt-pod-{uuid.uuid4().hex[:8]}"
    sandbox, web, probe = ids(), ids(), ids()
    try:
        r = run(cd, sandbox, "sh", "-c", LOOP, opts=["--detach", "--cgroup", f"/{pod}/{sandbox}"])
        assert r.returncode == 0, r
        pid = int([l.split()[1] for l in cd.ok("task", "ls").stdout.splitlines() if l.startswith(sandbox)][0])
        join = [o for t, n in (("network", "net"), ("ipc", "ipc"), ("uts", "uts"))
                for o in ("--with-ns", f"{t}:/proc/{pid}/ns/{n}")]
        serve = "mkdir -p /www && echo pod ok > /www/index.html && exec httpd -f -p 127.0.0.1:8080 -h /www"
        r = run(cd, web, "sh", "-c", serve, opts=["--detach", "--seccomp", "--cgroup", f"/{pod}/{web}", *join])
        assert r.returncode == 0, r
        # The probe: another app of the pod reaches the server over the shared loopback.
        check = ("for i in $(seq 50); do wget -qO- http://127.0.0.1:8080/ 2>/dev/null && exit 0; sleep 0.1; "
                 "done; exit 1")
        r = run(cd, probe, "sh", "-c", f"{check}; ", opts=["--rm", "--seccomp", "--cgroup", f"/{pod}/{probe}",
                                                           *join])
        assert r.returncode == 0 and r.stdout == "pod ok\n", r
        if cd.kind == "crun":
            # Exec probes (the VM refuses exec: test_task_exec).
            r = cd.ctr("task", "exec", "--exec-id", "probe", web, "sh", "-c",
                       "grep ^Seccomp: /proc/self/status; cat /proc/1/cgroup")
            assert r.returncode == 0 and "Seccomp:\t2" in r.stdout, r
            assert f"/{pod}/{web}" in r.stdout, r
        # Ordered teardown: the app first, the sandbox last.
        cd.remove_container(web)
        assert cd.tasks()[sandbox] == "RUNNING"
        cd.remove_container(sandbox)
    finally:
        for cid in (probe, web, sandbox):
            cd.remove_container(cid)
        remove_pod_cgroup(pod)
