"""create / start / run / kill / delete / state / list: the OCI lifecycle with real containers."""
import json
import os
import signal
import threading
import time

import pytest


def wait_status(rt, cid, want, timeout=10):
    deadline = time.time() + timeout
    st = None
    while time.time() < deadline:
        r = rt.run("state", cid)
        st = json.loads(r.stdout) if r.returncode == 0 else None  # a foreground `run` may still be creating it
        if st and st["status"] == want:
            return st
        time.sleep(0.05)
    raise AssertionError(f"{cid}: status {st and st['status']}, expected {want}")


def test_run_prints_and_exits_zero(rt):
    cid = rt.new_id()
    r = rt.run("run", "--bundle", rt.bundle(["echo", "hello from krun"]), cid)
    assert r.returncode == 0, r
    assert r.stdout == "hello from krun\n"
    assert not os.path.exists(os.path.join(rt.root, cid)), "run without --keep deletes the container"


def test_run_exit_status_is_the_workload_status(rt):
    r = rt.run("run", "--bundle", rt.bundle(["sh", "-c", "exit 7"]), rt.new_id())
    assert r.returncode == 7, r


def test_run_killed_by_signal_exits_128_plus_n(rt):
    import subprocess
    # The init of a pid namespace cannot SIGKILL itself: kill it from the host, as the OOM killer would.
    cid = rt.new_id()
    p = subprocess.Popen([rt.binary, "--root", rt.root, "run", "--bundle", rt.bundle(["sleep", "600"]), cid],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    st = wait_status(rt, cid, "running")
    os.kill(st["pid"], signal.SIGKILL)
    _, err = p.communicate(timeout=10)
    assert p.returncode == 128 + 9, err


def test_run_passes_stdin_through(rt):
    r = rt.run("run", "--bundle", rt.bundle(["cat"]), rt.new_id(), input=b"piped\n")
    assert r.returncode == 0, r
    assert r.stdout == "piped\n"


def test_create_start_kill_delete(rt):
    cid = rt.new_id()
    b = rt.bundle(["sh", "-c", "echo started > /tmp/marker; sleep 600"])
    pidfile = os.path.join(rt.workdir, "pid")
    r = rt.run("create", "--bundle", b, "--pid-file", pidfile, cid)
    assert r.returncode == 0, r
    assert r.stdout == "", "create must not write to stdout (it is the container's)"
    st = rt.state(cid)
    assert st["status"] == "created"
    assert st["id"] == cid and st["bundle"] == b and st["pid"] > 0
    assert st["ociVersion"] and st["created"].endswith("Z")
    with open(pidfile) as f:
        content = f.read()
    assert content == str(st["pid"]), "pid file: decimal pid, no newline"
    # Not started yet: the workload has not run.
    assert not os.path.exists(os.path.join(b, "rootfs", "tmp", "marker"))
    assert rt.run("start", cid).returncode == 0
    wait_status(rt, cid, "running")
    deadline = time.time() + 5
    while not os.path.exists(os.path.join(b, "rootfs", "tmp", "marker")) and time.time() < deadline:
        time.sleep(0.05)
    assert os.path.exists(os.path.join(b, "rootfs", "tmp", "marker"))
    r = rt.run("start", cid)
    assert r.returncode != 0, "a container starts only once"
    r = rt.run("delete", cid)
    assert r.returncode != 0 and "running" in r.stderr, r
    assert rt.run("kill", cid, "KILL").returncode == 0
    st = wait_status(rt, cid, "stopped")
    assert st["pid"] == 0
    r = rt.run("kill", cid, "TERM")
    assert r.returncode != 0
    assert rt.run("delete", cid).returncode == 0
    r = rt.run("state", cid)
    assert r.returncode == 1 and "does not exist" in r.stderr


def test_delete_created_container_kills_it(rt):
    cid = rt.new_id()
    assert rt.run("create", "--bundle", rt.bundle(["true"]), cid).returncode == 0
    pid = rt.state(cid)["pid"]
    assert rt.run("delete", cid).returncode == 0
    time.sleep(0.1)
    assert not os.path.exists(f"/proc/{pid}") or open(f"/proc/{pid}/stat").read().split()[2] in "ZX"


@pytest.mark.parametrize("sig", ["KILL", "SIGKILL", "9", "sigkill"])
def test_kill_signal_spellings(rt, sig):
    cid = rt.new_id()
    assert rt.run("run", "-d", "--bundle", rt.bundle(["sleep", "600"]), cid).returncode == 0
    # Lower case too: runc matches names case-insensitively (crun only upper case).
    r = rt.run("kill", cid, sig)
    assert r.returncode == 0, r
    wait_status(rt, cid, "stopped")


def test_kill_unknown_signal_is_an_error(rt):
    cid = rt.new_id()
    assert rt.run("run", "-d", "--bundle", rt.bundle(["sleep", "600"]), cid).returncode == 0
    r = rt.run("kill", cid, "NOPE")
    assert r.returncode != 0 and "NOPE" in r.stderr
    assert rt.state(cid)["status"] == "running"


def test_kill_default_is_sigterm(rt):
    cid = rt.new_id()
    # The shell traps TERM and leaves a mark, so we can tell which signal arrived.
    b = rt.bundle(["sh", "-c", "trap 'echo term > /tmp/got; exit 42' TERM; while :; do sleep 0.05; done"])
    assert rt.run("run", "-d", "--bundle", b, cid).returncode == 0
    time.sleep(0.3)
    assert rt.run("kill", cid).returncode == 0
    wait_status(rt, cid, "stopped")
    with open(os.path.join(b, "rootfs", "tmp", "got")) as f:
        assert f.read() == "term\n"


def test_run_detach_then_force_delete(rt):
    cid = rt.new_id()
    r = rt.run("run", "-d", "--bundle", rt.bundle(["sleep", "600"]), cid)
    assert r.returncode == 0, r
    st = rt.state(cid)
    assert st["status"] == "running"
    pid = st["pid"]
    assert rt.run("delete", "--force", cid).returncode == 0
    assert not os.path.exists(os.path.join(rt.root, cid))
    time.sleep(0.1)
    assert not os.path.exists(f"/proc/{pid}/cmdline") or open(f"/proc/{pid}/stat").read().split()[2] in "ZX"


def test_run_keep_leaves_a_stopped_container(rt):
    cid = rt.new_id()
    r = rt.run("run", "--keep", "--bundle", rt.bundle(["true"]), cid)
    assert r.returncode == 0, r
    st = rt.state(cid)
    assert st["status"] == "stopped" and st["pid"] == 0
    assert rt.run("delete", cid).returncode == 0


def test_forwarded_signal_reaches_the_container(rt, tmp_path):
    import subprocess
    b = rt.bundle(["sh", "-c", "trap 'echo got-term; exit 3' TERM; while :; do sleep 0.05; done"])
    p = subprocess.Popen([rt.binary, "--root", rt.root, "run", "--bundle", b, rt.new_id()],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(0.5)
    p.send_signal(signal.SIGTERM)
    out, err = p.communicate(timeout=10)
    assert p.returncode == 3, (out, err)
    assert b"got-term" in out


def test_state_of_unknown_container(rt):
    r = rt.run("state", "nope-123")
    assert r.returncode == 1
    assert "does not exist" in r.stderr


def test_delete_force_of_unknown_container_succeeds(rt):
    assert rt.run("delete", "--force", "nope-456").returncode == 0


@pytest.mark.parametrize("bad", ["a/b", "..", ".hidden", "x" * 300, "sp ace"])
def test_invalid_ids_are_refused(rt, bad):
    r = rt.run("create", "--bundle", rt.bundle(["true"]), bad)
    assert r.returncode != 0
    assert "id" in r.stderr.lower()
    assert not os.path.isdir(rt.root) or os.listdir(rt.root) == []


def test_duplicate_id_is_refused(rt):
    cid = rt.new_id()
    assert rt.run("create", "--bundle", rt.bundle(["true"]), cid).returncode == 0
    r = rt.run("create", "--bundle", rt.bundle(["true"]), cid)
    assert r.returncode != 0 and "already exists" in r.stderr, r
    assert rt.state(cid)["status"] == "created", "the first container is untouched"


def test_list(rt):
    a, b = rt.new_id(), rt.new_id()
    assert rt.run("create", "--bundle", rt.bundle(["true"]), a).returncode == 0
    assert rt.run("run", "--keep", "--bundle", rt.bundle(["true"]), b).returncode == 0
    r = rt.run("list", "-q")
    assert sorted(r.stdout.split()) == sorted([a, b])
    entries = {e["id"]: e for e in json.loads(rt.run("list", "--format", "json").stdout)}
    assert entries[a]["status"] == "created" and entries[a]["pid"] > 0
    assert entries[b]["status"] == "stopped" and entries[b]["pid"] == 0
    table = rt.run("list").stdout.splitlines()
    assert table[0].split()[:3] == ["NAME", "PID", "STATUS"]
    assert len(table) == 3


def test_list_empty_json_is_an_empty_array(rt):
    r = rt.run("list", "--format=json")
    assert r.returncode == 0 and json.loads(r.stdout) == []


def test_concurrent_creates_on_one_state_root(rt):
    ids = [rt.new_id() for _ in range(8)]
    bundles = [rt.bundle(["sleep", "600"]) for _ in ids]
    results = {}

    def create(cid, b):
        results[cid] = rt.run("create", "--bundle", b, cid)

    threads = [threading.Thread(target=create, args=(c, b)) for c, b in zip(ids, bundles)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for cid in ids:
        assert results[cid].returncode == 0, results[cid]
    pids = {rt.state(cid)["pid"] for cid in ids}
    assert len(pids) == len(ids)
    for cid in ids:
        assert rt.run("delete", "--force", cid).returncode == 0


def test_crashed_create_leaves_no_running_ghost(rt):
    """A container whose init died before start is reported stopped, and delete cleans it."""
    cid = rt.new_id()
    assert rt.run("create", "--bundle", rt.bundle(["true"]), cid).returncode == 0
    os.kill(rt.state(cid)["pid"], signal.SIGKILL)
    wait_status(rt, cid, "stopped")
    assert rt.run("delete", cid).returncode == 0
