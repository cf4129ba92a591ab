"""podman 4.3 + conmon (Debian's packages) driving our runtime with `--runtime`: as `crun`, and as `krun`
through the libkrun TEST DOUBLE (tests/libkrun-double: not a VM; the workload runs in the container).

podman runs rootful with a private containers.conf and store under a temporary directory
(tests/integration/clients/), and imports a busybox image built from scripts/mkrootfs.sh. podman passes no
--root to the runtime: its containers live in our default state root. Every test removes its containers
and fails on leaks (podman containers, state directories, cgroups, processes).
"""
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from conftest import BUILD
from clients.common import (DEFAULT_STATE_ROOT, cgroup_dir, cgroup_dirs_named, cgroup_read, fake_kvm,
                            processes_in_cgroups_named, runtime_binary, wait_until)
from clients.oci_image import make_rootfs, rootfs_tar
from clients.podman import IMAGE, Podman

pytestmark = pytest.mark.skipif(not (shutil.which("podman") and shutil.which("conmon") and shutil.which("script")),
                                reason="podman, conmon or script(1) not installed (scripts/deps.sh installs them)")

MEMORY = 256 * 1024 * 1024  # krun gives the VM the memory limit as RAM: at least 128 MiB
LOOP = 'trap "exit 42" TERM; while :; do sleep 0.1; done'


@pytest.fixture(scope="module", params=["crun", "krun"])
def pm(request, tmp_path_factory):
    kind = request.param
    tmp = str(tmp_path_factory.mktemp(f"podman-{kind}"))
    tar = rootfs_tar(make_rootfs(os.path.join(tmp, "rootfs")), os.path.join(tmp, "busybox.tar"))
    with fake_kvm(kind == "krun"):
        # A short path: podman refuses a runroot longer than 50 characters.
        p = Podman(tempfile.mkdtemp(prefix=f"kp-{kind}-", dir="/tmp"), runtime_binary(kind, BUILD, tmp))
        p.kind = kind
        try:
            p.ok("import", "--change", 'CMD ["sh"]', tar, IMAGE)
            yield p
        finally:
            left = p.teardown()
            remove_libpod_parent()
    assert not left, f"conmon processes left: {left}"


def remove_libpod_parent():
    """podman's cgroupfs parent and conmon's cgroup, when nothing uses them any more."""
    for d in cgroup_dirs_named(["libpod_parent"], depth=4):
        for sub in (os.path.join(d, "conmon"), d):
            try:
                os.rmdir(sub)
            except OSError:
                pass


def our_state_entries(pm):
    """Entries of the runtime's default state root whose bundle is in this podman's store."""
    found = []
    if not os.path.isdir(DEFAULT_STATE_ROOT):
        return found
    for cid in os.listdir(DEFAULT_STATE_ROOT):
        try:
            with open(os.path.join(DEFAULT_STATE_ROOT, cid, "state.json")) as f:
                bundle = json.load(f).get("bundle", "")
        except (OSError, ValueError):
            continue
        if bundle.startswith(pm.tmp):
            found.append(cid)
    return found


@pytest.fixture
def names(pm):
    """names() gives a fresh container name; teardown removes those containers and checks for leaks."""
    created = []

    def new():
        n = pm.new_name()
        created.append(n)
        return n
    yield new
    if created:
        pm("rm", "--force", "--ignore", "--time", "0", *created)
    ids = pm.ids_of(set(created))
    leaks = []
    left = [n for n in pm.ok("ps", "-a", "--format", "{{.Names}}").stdout.split() if n in created]
    if left:
        leaks.append(f"podman containers left: {left}")
    state = our_state_entries(pm)
    if state:
        leaks.append(f"runtime state left in {DEFAULT_STATE_ROOT}: {state}")
    procs = processes_in_cgroups_named(ids)
    if procs:
        leaks.append(f"container processes left: {procs}")
    cg = cgroup_dirs_named(ids)
    if cg:
        leaks.append(f"cgroups left: {cg}")
    assert not leaks, "; ".join(leaks)


def run_detached(pm, name, *args, cmd=("sh", "-c", LOOP)):
    pm.ok("run", "-d", "--name", name, *args, IMAGE, *cmd)
    info = pm.inspect(name)
    assert info["State"]["Status"] == "running", info["State"]
    return info


# --- podman run: output, status, errors ---------------------------------------------------------------

def test_run_rm_output_and_exit_status(pm, names):
    n = names()
    r = pm("run", "--rm", "--name", n, IMAGE, "sh", "-c", "echo out; echo err >&2; exit 7")
    assert r.returncode == 7, r
    assert r.stdout == "out\n"
    assert "err\n" in r.stderr
    assert pm("container", "exists", n).returncode == 1


def test_missing_command_is_127_with_our_message(pm, names):
    r = pm("run", "--rm", "--name", names(), IMAGE, "no-such-command")
    assert r.returncode == 127, r
    assert "exec: `no-such-command`: executable file not found in $PATH" in r.stderr


def test_non_executable_command_is_126(pm, names):
    r = pm("run", "--rm", "--name", names(), IMAGE, "/etc/passwd")
    assert r.returncode == 126, r
    assert "exec: `/etc/passwd`: not an executable file (permission denied): Permission denied" in r.stderr


def test_error_reaches_podman_as_one_json_record(pm, names):
    """conmon runs `create` with --log-format=json --log userdata/oci-log; podman decodes that file as ONE
    JSON object and shows its msg."""
    n = names()
    pm.ok("create", "--name", n, IMAGE, "no-such-command")
    r = pm("start", n)
    assert r.returncode != 0, r
    cid = pm.inspect(n)["Id"]
    with open(os.path.join(pm.userdata(cid), "oci-log")) as f:
        lines = f.read().splitlines()
    assert len(lines) == 1, lines
    rec = json.loads(lines[0])
    assert sorted(rec) == ["level", "msg", "time"]
    assert rec["level"] == "error"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)", rec["time"]), rec
    assert rec["msg"] == "exec: `no-such-command`: executable file not found in $PATH: No such file or directory"
    assert rec["msg"] in r.stderr


def test_runtime_failure_message_reaches_podman(pm, names):
    """A mount podman does not check but the runtime cannot do (a file over a directory): our message."""
    r = pm("run", "--rm", "--name", names(), "--mount", "type=bind,src=/dev/null,dst=/bin", IMAGE, "true")
    assert r.returncode == 126, r  # podman's code for a runtime error it cannot classify
    assert "mount `/bin`: bind `/dev/null`: Not a directory" in r.stderr, r


# --- detached containers: lifecycle ------------------------------------------------------------------

def test_detached_lifecycle_stop_start_kill_restart_rm(pm, names):
    n = names()
    info = run_detached(pm, n)
    cid, pid = info["Id"], info["State"]["Pid"]
    # conmon read the pid file that `create` wrote: decimal, no newline.
    with open(os.path.join(pm.userdata(cid), "pidfile")) as f:
        assert f.read() == str(pid)
    # podman gave no --root: the container is in our default state root, and our `state` finds it there.
    assert os.path.isfile(os.path.join(DEFAULT_STATE_ROOT, cid, "state.json"))
    st = json.loads(pm.runner.run([pm.runtime, "state", cid]).stdout)
    assert (st["status"], st["pid"]) == ("running", pid)
    ps = json.loads(pm.ok("ps", "--format", "json").stdout)
    assert [c["State"] for c in ps if n in c["Names"]] == ["running"]

    r = pm("stop", "--time", "2", n)
    assert r.returncode == 0, r
    state = pm.inspect(n)["State"]
    assert state["Status"] == "exited"
    # The TERM trap ran (krun: `kill` delivered TERM in the guest through the agent).
    assert state["ExitCode"] == 42, state
    assert not os.path.exists(os.path.join(DEFAULT_STATE_ROOT, cid))
    assert n in pm.ok("ps", "-a", "--filter", "status=exited", "--format", "{{.Names}}").stdout.split()

    pm.ok("start", n)
    pid2 = pm.inspect(n)["State"]["Pid"]
    assert pid2 != pid and os.path.exists(f"/proc/{pid2}")
    pm.ok("kill", n)
    # `kill` returns once the signal is sent; podman shows "stopped" until its cleanup process has run.
    state = wait_until(lambda: pm.inspect(n)["State"], lambda s: s["Status"] == "exited")
    assert (state["Status"], state["ExitCode"]) == ("exited", 137), state

    pm.ok("start", n)
    pid3 = pm.inspect(n)["State"]["Pid"]
    pm.ok("restart", "--time", "1", n)
    state = pm.inspect(n)["State"]
    assert state["Status"] == "running" and state["Pid"] not in (0, pid3), state

    pm.ok("rm", "--force", "--time", "0", n)
    assert pm("container", "exists", n).returncode == 1
    assert not os.path.exists(os.path.join(DEFAULT_STATE_ROOT, cid))


def test_kill_with_signal_number_and_name(pm, names):
    n = names()
    run_detached(pm, n)
    pm.ok("kill", "--signal", "15", n)
    pm.ok("wait", n, timeout=30)
    assert pm.inspect(n)["State"]["ExitCode"] == 42


def test_stop_ends_when_the_workload_does(pm, names):
    """podman stop returns as soon as the workload exits on SIGTERM, far below the grace time (krun: before
    the agent the VMM dropped TERM and every stop waited for the grace time, then SIGKILL)."""
    n = names()
    run_detached(pm, n)
    t0 = time.monotonic()
    pm.ok("stop", "--time", "20", n)
    elapsed = time.monotonic() - t0
    assert pm.inspect(n)["State"]["ExitCode"] == 42
    assert elapsed < 5, elapsed


def test_top(pm, names):
    n = names()
    run_detached(pm, n, cmd=("sleep", "1000"))
    r = pm.ok("top", n, "pid", "args")
    assert re.search(r"^\s*1\s", r.stdout, re.M), r
    assert "sleep 1000" in r.stdout


def test_pause_unpause_freezes_the_cgroup(pm, names):
    n = names()
    pid = run_detached(pm, n)["State"]["Pid"]
    pm.ok("pause", n)
    assert pm.inspect(n)["State"]["Status"] == "paused"
    assert cgroup_read(pid, "freezer", "freezer.state", "cgroup.freeze") in ("FROZEN", "1")
    assert f"{n} Paused" in pm.ok("ps", "-a", "--format", "{{.Names}} {{.Status}}").stdout.splitlines()
    pm.ok("unpause", n)
    assert pm.inspect(n)["State"]["Status"] == "running"
    assert cgroup_read(pid, "freezer", "freezer.state", "cgroup.freeze") in ("THAWED", "0")


# --- exec through conmon (exec --detach --pid-file --process) ------------------------------------------

def test_exec_status_output_and_signal(pm, names):
    n = names()
    run_detached(pm, n)
    r = pm("exec", n, "sh", "-c", "echo out; echo err >&2; exit 5")
    assert (r.returncode, r.stdout) == (5, "out\n"), r
    assert "err" in r.stderr
    r = pm("exec", n, "sh", "-c", "kill -9 $$")
    assert r.returncode == 137, r
    r = pm("exec", "--user", "1000", "--env", "FOO=bar", "--workdir", "/tmp", n, "sh", "-c", 'id -u; echo $FOO; pwd')
    assert r.stdout.split() == ["1000", "bar", "/tmp"], r
    r = pm("exec", n, "no-such-command")
    assert r.returncode == 127, r
    assert "not found" in r.stderr
    r = pm("exec", "-i", n, "cat", input="through stdin\n")
    assert (r.returncode, r.stdout) == (0, "through stdin\n"), r


def test_exec_with_terminal(pm, names):
    n = names()
    run_detached(pm, n)
    r = pm.tty("exec", "-it", n, "sh", "-c", "tty; stty size; exit 6")
    assert r.returncode == 6, r
    assert re.search(r"/dev/pts/\d+\r*\n", r.stdout), r
    assert "30 100" in r.stdout, r


# --- terminals, init, users, mounts, security -------------------------------------------------------

def test_run_interactive_terminal(pm, names):
    r = pm.tty("run", "--rm", "-it", "--name", names(), IMAGE, "sh",
               feed=[(1.0, "tty; stty size; echo in-$((40+2))\n"), (0.5, "exit 3\n")])
    assert r.returncode == 3, r
    assert re.search(r"/dev/pts/\d+\r*\n", r.stdout), r
    assert "30 100" in r.stdout, r
    assert "in-42" in r.stdout, r


def test_init(pm, names):
    r = pm("run", "--rm", "--init", "--name", names(), IMAGE, "sh", "-c", "tr '\\0' ' ' </proc/$PPID/cmdline")
    assert r.returncode == 0, r
    assert r.stdout.startswith("/run/podman-init -- sh -c"), r


def test_read_only(pm, names):
    r = pm("run", "--rm", "--read-only", "--name", names(), IMAGE, "sh", "-c",
           "touch /x; echo rc=$?; touch /tmp/y && echo tmp-writable")
    assert r.stdout.split() == ["rc=1", "tmp-writable"], r
    assert "Read-only file system" in r.stderr


def caps(pm, name, *args):
    r = pm("run", "--rm", "--name", name, *args, IMAGE, "sh", "-c", "grep CapEff /proc/self/status")
    assert r.returncode == 0, r
    return int(r.stdout.split()[1], 16)


def test_capabilities(pm, names):
    CHOWN, NET_RAW, SYS_ADMIN = 1 << 0, 1 << 13, 1 << 21
    default = caps(pm, names())
    assert default & CHOWN and not default & SYS_ADMIN, hex(default)
    assert caps(pm, names(), "--cap-drop", "all", "--cap-add", "net_raw") == NET_RAW
    added = caps(pm, names(), "--cap-add", "sys_admin", "--cap-drop", "chown")
    assert added & SYS_ADMIN and not added & CHOWN, hex(added)


def test_seccomp(pm, names, tmp_path):
    r = pm("run", "--rm", "--name", names(), IMAGE, "grep", "Seccomp:", "/proc/self/status")
    assert r.stdout.split() == ["Seccomp:", "2"], r  # podman's default profile is loaded
    r = pm("run", "--rm", "--security-opt", "seccomp=unconfined", "--name", names(), IMAGE,
           "grep", "Seccomp:", "/proc/self/status")
    assert r.stdout.split() == ["Seccomp:", "0"], r
    profile = tmp_path / "deny-mkdir.json"
    profile.write_text(json.dumps({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
        {"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}))
    r = pm("run", "--rm", "--security-opt", f"seccomp={profile}", "--name", names(), IMAGE,
           "sh", "-c", "mkdir /tmp/d; echo rc=$?")
    assert r.stdout.strip() == "rc=1", r
    assert "Operation not permitted" in r.stderr


def test_user(pm, names):
    r = pm("run", "--rm", "--user", "1000:1000", "--name", names(), IMAGE, "id")
    assert r.stdout.strip() == "uid=1000(user) gid=1000(user) groups=1000(user)", r
    r = pm("run", "--rm", "--user", "nobody", "--name", names(), IMAGE, "id", "-u")
    assert r.stdout.strip() == "65534", r


def test_tmpfs(pm, names):
    r = pm("run", "--rm", "--tmpfs", "/scratch:size=1m,mode=1777", "--name", names(), IMAGE,
           "sh", "-c", "grep ' /scratch ' /proc/mounts; stat -c %a /scratch")
    assert r.returncode == 0, r
    line, mode = r.stdout.splitlines()
    assert line.startswith("tmpfs /scratch tmpfs rw,") and "size=1024k" in line, line
    assert mode == "1777"


def test_bind_mounts(pm, names, tmp_path):
    vol = tmp_path / "vol"
    vol.mkdir()
    (vol / "in").write_text("from host\n")
    r = pm("run", "--rm", "-v", f"{vol}:/vol", "--name", names(), IMAGE, "sh", "-c", "cat /vol/in; echo back >/vol/out")
    assert r.stdout == "from host\n", r
    assert (vol / "out").read_text() == "back\n"
    r = pm("run", "--rm", "-v", f"{vol}:/vol:ro", "--name", names(), IMAGE, "sh", "-c", "echo x >/vol/ro")
    assert r.returncode != 0 and "Read-only file system" in r.stderr, r
    assert not (vol / "ro").exists()


# --- resources and annotations reach the runtime ------------------------------------------------------

def test_resources_land_in_cgroups(pm, names):
    n = names()
    pid = run_detached(pm, n, "--memory", str(MEMORY), "--cpus", "0.5", "--pids-limit", "50")["State"]["Pid"]
    assert int(cgroup_read(pid, "memory", "memory.limit_in_bytes", "memory.max")) == MEMORY
    d = cgroup_dir(pid, "cpu")
    if os.path.exists(os.path.join(d, "cpu.cfs_quota_us")):
        quota = int(open(os.path.join(d, "cpu.cfs_quota_us")).read())
        period = int(open(os.path.join(d, "cpu.cfs_period_us")).read())
    else:
        quota, period = map(int, open(os.path.join(d, "cpu.max")).read().split())
    assert (quota, period) == (50000, 100000)
    assert cgroup_read(pid, "pids", "pids.max", "pids.max") == "50"
    cid = pm.inspect(n)["Id"]
    assert cid in cgroup_dir(pid, "memory")


def test_update_memory(pm, names):
    n = names()
    pid = run_detached(pm, n, "--memory", str(MEMORY))["State"]["Pid"]
    r = pm("update", "--memory", str(MEMORY + 64 * 1024 * 1024), n)
    assert r.returncode == 0, r
    assert int(cgroup_read(pid, "memory", "memory.limit_in_bytes", "memory.max")) == MEMORY + 64 * 1024 * 1024


def test_annotation_reaches_the_runtime(pm, names):
    n = names()
    cid = run_detached(pm, n, "--annotation", "com.example.krun-test=yes")["Id"]
    st = json.loads(pm.runner.run([pm.runtime, "state", cid]).stdout)
    assert st["annotations"]["com.example.krun-test"] == "yes", st
    assert st["annotations"]["io.podman.annotations.autoremove"] == "FALSE"


def test_krun_runs_the_workload_through_libkrun(pm, names):
    """Under `krun` the container's pid 1 is the (double's) VMM: krun_start_enter ran and read the config
    written for the guest."""
    if pm.kind != "krun":
        pytest.skip("krun only")
    script = "cat /.krun-double.jsonl; echo; cat /.krun_config.json"
    r = pm("run", "--rm", "--name", names(), IMAGE, "sh", "-c", script)
    assert r.returncode == 0, r
    lines = [json.loads(line) for line in r.stdout.splitlines() if line.strip()]
    calls, config = lines[:-1], lines[-1]
    assert all(c["double"] is True for c in calls)
    assert [c["func"] for c in calls if c["func"].startswith("krun_")][-1] == "krun_start_enter", calls
    assert any(c["func"] == "environment" and c["args"]["dev_kvm"] == "10:232" for c in calls), calls
    # The guest starts the in-guest agent, which runs the workload.
    assert config["process"]["args"] == ["/.krun-agent", "--port", "10700", "--", "sh", "-c", script]


# --- concurrency through podman (one default state root, locking) --------------------------------------

def test_concurrent_containers(pm, names):
    count = 6
    ns = [names() for _ in range(count)]
    with ThreadPoolExecutor(count) as pool:
        outs = list(pool.map(lambda i: pm("run", "--rm", "--name", ns[i], IMAGE, "sh", "-c", f"echo c{i}; exit {i}"),
                             range(count)))
        for i, r in enumerate(outs):
            assert (r.returncode, r.stdout) == (i, f"c{i}\n"), r
        ds = [names() for _ in range(count)]
        for r in pool.map(lambda n: pm("run", "-d", "--name", n, IMAGE, "sh", "-c", LOOP), ds):
            assert r.returncode == 0, r
        for i, r in enumerate(pool.map(lambda n: pm("exec", n, "cat", "/etc/hostname"), ds)):
            assert r.returncode == 0, r
            assert r.stdout.strip() == pm.inspect(ds[i])["Config"]["Hostname"]
        for r in pool.map(lambda n: pm("pause", n), ds):
            assert r.returncode == 0, r
        for r in pool.map(lambda n: pm("unpause", n), ds):
            assert r.returncode == 0, r
        for r in pool.map(lambda n: pm("rm", "--force", "--time", "0", n), ds):
            assert r.returncode == 0, r
    assert our_state_entries(pm) == []


def test_checkpoint_and_restore(pm, names):
    """`podman container checkpoint` then `restore` (same container), through our runtime and CRIU: the
    counter goes on from where it was, in the same container."""
    if pm.kind == "krun":
        pytest.skip("a microVM's workload cannot be checkpointed with CRIU (test_checkpoint.py checks the refusal)")
    criu = shutil.which("criu")
    if not criu:
        pytest.skip("no criu on PATH (scripts/criu.sh installs one)")
    r = subprocess.run([criu, "check"], capture_output=True, text=True)
    if r.returncode != 0:
        errors = [ln for ln in r.stderr.splitlines() if "Error" in ln] or r.stderr.splitlines()[-1:]
        pytest.skip(f"{criu} cannot work on this kernel (scripts/criu.sh builds one that can): " + "; ".join(errors))
    name = names()
    run_detached(pm, name, cmd=("sh", "-c", "i=0; while :; do i=$((i+1)); echo $i > /tmp/n; sleep 0.1; done"))
    time.sleep(0.5)
    r = pm("container", "checkpoint", name)
    assert r.returncode == 0, r.stderr
    assert pm.inspect(name)["State"]["Status"] == "exited"
    assert pm.ok("container", "inspect", "--format", "{{.State.Checkpointed}}", name).stdout.strip() == "true"
    r = pm("container", "restore", name)
    assert r.returncode == 0, r.stderr
    assert pm.inspect(name)["State"]["Status"] == "running"
    n1 = int(pm.ok("exec", name, "cat", "/tmp/n").stdout)
    time.sleep(0.5)
    n2 = int(pm.ok("exec", name, "cat", "/tmp/n").stdout)
    assert 3 <= n1 < n2, (n1, n2)
