"""checkpoint / restore through CRIU (`criu` on PATH: scripts/criu.sh installs one that works on this
kernel). Real containers are dumped and restored: the round trip of a counter, a copy restored under a
new ID and cgroup while the original runs, the restored container's stdio, a foreground restore's exit
status, pre-dump (CRIU's reason when the kernel lacks memory tracking), and the errors, each checked to
leave nothing behind (the fixture fails a test on a leaked state dir, mount, cgroup or process)."""
import json
import os
import shutil
import subprocess
import time

import pytest

from conftest import CRUN
from krun_double import fake_devices, krun_runtime

COUNTER = ["sh", "-c", "i=0; while true; do i=$((i+1)); echo $i > /tmp/counter; sleep 0.1; done"]
# The same counter, also on stdout: where restore connects the restored tree's stdio.
TALKER = ["sh", "-c", "i=0; while true; do i=$((i+1)); echo $i > /tmp/counter; echo tick $i; sleep 0.1; done"]


def find_criu():
    return shutil.which("criu") or next((p for p in ("/usr/local/sbin/criu", "/usr/sbin/criu")
                                         if os.access(p, os.X_OK)), None)


CRIU = find_criu()


@pytest.fixture(scope="module")
def criu():
    """The criu binary, once it passed `criu check` (printed); else the test skips with CRIU's reason."""
    if not CRIU:
        pytest.skip("no criu on PATH (scripts/criu.sh installs one)")
    r = subprocess.run([CRIU, "check"], capture_output=True, text=True)
    print(f"{CRIU} check: rc={r.returncode}\n{r.stdout}{r.stderr}")
    if r.returncode != 0:
        errors = [ln for ln in r.stderr.splitlines() if "Error" in ln] or r.stderr.splitlines()[-1:]
        pytest.skip(f"{CRIU} cannot work on this kernel: " + "; ".join(errors))
    return CRIU


def counter(bundle):
    try:
        with open(os.path.join(bundle, "rootfs", "tmp", "counter")) as f:
            text = f.read().strip()
    except FileNotFoundError:
        return 0
    return int(text) if text else 0


def wait_for(cond, timeout=20, what="condition"):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def cgroup_of(pid):
    with open(f"/proc/{pid}/cgroup") as f:
        return {ln.split(":", 2)[1]: ln.split(":", 2)[2].strip() for ln in f}


def run_detached(rt, bundle, cid, stdout=subprocess.DEVNULL):
    """`run -d` with stdio a caller would give (rt.run's are Python temporary files, opened O_NOFOLLOW:
    CRIU restores an inherited file by reopening /proc/self/fd/N with the dumped flags, which fails on
    O_NOFOLLOW with ELOOP)."""
    err_path = os.path.join(rt.workdir, f"{cid}.stderr")
    with open(err_path, "w") as err:  # a file: a pipe would stay open in the detached container
        r = subprocess.run([CRUN, "--root", rt.root, "run", "-d", "--bundle", bundle, cid],
                           stdin=subprocess.DEVNULL, stdout=stdout, stderr=err)
    with open(err_path) as f:
        assert r.returncode == 0, f.read()


def start_counter(rt, args=COUNTER, **kw):
    b = rt.bundle(args, **kw)
    cid = rt.new_id()
    run_detached(rt, b, cid)
    wait_for(lambda: counter(b) > 3, what="the counter")
    return b, cid


def checkpoint(rt, cid, image, *extra):
    r = rt.run("checkpoint", "--image-path", str(image), *extra, cid)
    print(f"checkpoint {' '.join(extra)}: rc={r.returncode}\n{r.stderr}")
    return r


def assert_gone(rt, cid):
    r = rt.run("state", cid)
    assert r.returncode != 0 and "does not exist" in r.stderr, r
    assert not os.path.exists(os.path.join(rt.root, cid))


@pytest.mark.parametrize("cmd", ["checkpoint", "restore"])
def test_help_exits_0(cmd):
    r = subprocess.run([CRUN, cmd, "--help"], capture_output=True, text=True)
    assert r.returncode == 0 and "--image-path" in r.stdout, r


def test_counter_round_trip(rt, tmp_path, criu):
    b, cid = start_counter(rt)
    image = tmp_path / "image"
    r = checkpoint(rt, cid, image, "--work-path", str(tmp_path / "work"))
    assert r.returncode == 0, r
    assert (tmp_path / "work" / "dump.log").exists() and (image / "inventory.img").exists()
    # The dump stopped the tree and the container is gone, as with crun and runc.
    assert_gone(rt, cid)
    stopped_at = counter(b)
    time.sleep(0.3)
    assert counter(b) == stopped_at, "nothing runs after the dump"

    pid_file = tmp_path / "restored.pid"
    r = rt.run("restore", "--detach", "--bundle", b, "--image-path", str(image), "--pid-file", str(pid_file), cid)
    print(f"restore: rc={r.returncode}\n{r.stderr}")
    assert r.returncode == 0, r
    st = rt.state(cid)
    assert st["status"] == "running" and st["pid"] == int(pid_file.read_text()), st
    assert st["bundle"] == b
    # The same process tree goes on counting from where it stopped (a restart would begin at 1).
    wait_for(lambda: counter(b) > stopped_at + 3, what="the restored counter to go on")
    assert all(path == f"/{cid}" for path in cgroup_of(st["pid"]).values())
    with open(f"/proc/{st['pid']}/cmdline", "rb") as f:
        assert f.read().split(b"\0")[:2] == [b"sh", b"-c"]
    # It is a container like any other: exec, ps, kill, delete.
    r = rt.run("exec", cid, "cat", "/proc/1/cmdline")
    assert r.returncode == 0 and r.stdout.startswith("sh\0-c"), r
    assert st["pid"] in [int(p) for p in rt.run("ps", "--format", "json", cid, check=True).stdout.strip("[]\n").split(",")]
    assert rt.run("kill", cid, "KILL").returncode == 0
    wait_for(lambda: rt.state(cid)["status"] == "stopped", what="the restored container to stop")
    assert rt.run("delete", cid).returncode == 0


def test_restore_a_copy_under_a_new_id(rt, tmp_path, criu):
    """--leave-running: the original goes on; its copy runs from a second bundle in its own cgroup, with the
    cgroup mounts of the new container (CRIU is told where they are now)."""
    b, cid = start_counter(rt)
    image = tmp_path / "image"
    assert checkpoint(rt, cid, image, "--leave-running").returncode == 0
    assert rt.state(cid)["status"] == "running"
    plan = json.loads((image / "krun-checkpoint.json").read_text())
    assert any(m["mountpoint"].startswith("/sys/fs/cgroup") for m in plan["cgroupMounts"]), plan

    b2 = rt.bundle(COUNTER)
    copy = rt.new_id()
    r = rt.run("restore", "--detach", "--bundle", b2, "--image-path", str(image), copy)
    print(f"restore: rc={r.returncode}\n{r.stderr}")
    assert r.returncode == 0, r
    wait_for(lambda: counter(b2) > 3, what="the copy to count in its own rootfs")
    before = counter(b)
    wait_for(lambda: counter(b) > before, what="the original to go on")
    pid = rt.state(copy)["pid"]
    assert pid != rt.state(cid)["pid"]
    assert all(path == f"/{copy}" for path in cgroup_of(pid).values())
    with open(f"/proc/{pid}/mountinfo") as f:
        cgroup_roots = [ln.split()[3] for ln in f if " - cgroup" in ln]
    assert cgroup_roots and all(root == f"/{copy}" for root in cgroup_roots), cgroup_roots
    for c in (cid, copy):
        assert rt.run("delete", "--force", c).returncode == 0


def read_ticks(fd, want, timeout=20):
    """Lines "tick N" read from a pipe until `want` of them came; their numbers."""
    os.set_blocking(fd, False)
    buf, end = b"", time.monotonic() + timeout
    while buf.count(b"tick") < want and time.monotonic() < end:
        try:
            buf += os.read(fd, 4096)
        except BlockingIOError:
            time.sleep(0.05)
    return [int(t) for t in buf.split() if t.isdigit()]


def test_restored_stdio(rt, tmp_path, criu):
    """stdout a pipe (as conmon gives): after restore the tree writes to the pipe restore was given. stderr
    a host file: restore hands CRIU that same file again."""
    b = rt.bundle(TALKER)
    cid = rt.new_id()
    r1, w1 = os.pipe()
    r2, w2 = os.pipe()
    try:
        with open(tmp_path / "err", "w") as err:
            r = subprocess.run([CRUN, "--root", rt.root, "run", "-d", "--bundle", b, cid], stdin=subprocess.DEVNULL,
                               stdout=w1, stderr=err)
        assert r.returncode == 0, (tmp_path / "err").read_text()
        os.close(w1)
        w1 = -1
        assert len(read_ticks(r1, 3)) >= 3
        image = tmp_path / "image"
        assert checkpoint(rt, cid, image).returncode == 0
        stdio = json.loads((image / "krun-checkpoint.json").read_text())["stdio"]
        assert stdio[1]["id"].startswith("pipe:[") and not stdio[1]["hostFile"], stdio
        assert stdio[2]["hostFile"] and stdio[2]["path"] == str(tmp_path / "err"), stdio
        last = read_ticks(r1, 10**6, timeout=0.5)[-1]
        with open(tmp_path / "restore.err", "w") as err:
            r = subprocess.run([CRUN, "--root", rt.root, "restore", "-d", "--bundle", b, "--image-path", str(image),
                                cid], stdout=w2, stdin=subprocess.DEVNULL, stderr=err)
        assert r.returncode == 0, (tmp_path / "restore.err").read_text()
        os.close(w2)
        w2 = -1
        ticks = read_ticks(r2, 3)
        assert len(ticks) >= 3 and ticks[0] == last + 1, (last, ticks[:3])
    finally:
        for fd in (r1, w1, r2, w2):
            if fd >= 0:
                os.close(fd)
    assert rt.run("delete", "--force", cid).returncode == 0


def test_foreground_restore_returns_the_exit_status(rt, tmp_path, criu):
    script = "i=0; while [ $i -lt 40 ]; do i=$((i+1)); echo $i > /tmp/counter; sleep 0.1; done; exit 7"
    b, cid = start_counter(rt, ["sh", "-c", script])
    image = tmp_path / "image"
    assert checkpoint(rt, cid, image).returncode == 0
    t0 = time.monotonic()
    r = rt.run("restore", "--bundle", b, "--image-path", str(image), cid, timeout=60)
    print(f"restore: rc={r.returncode} after {time.monotonic() - t0:.1f}s\n{r.stderr}")
    assert r.returncode == 7, r
    assert counter(b) == 40
    assert_gone(rt, cid)  # like `run`, a foreground restore deletes the container when it exits


def test_pre_dump_or_criu_reason(rt, tmp_path, criu):
    """A pre-dump (memory only, the container keeps running) then a dump against it. CRIU needs the kernel's
    soft-dirty memory tracking for that; without it the command fails with CRIU's reason and the container
    runs on, and the test skips with that reason."""
    b, cid = start_counter(rt)
    r = checkpoint(rt, cid, tmp_path / "pre", "--pre-dump")
    if r.returncode != 0:
        assert "criu pre-dump` failed" in r.stderr and "pre-dump.log" in r.stderr, r
        assert rt.state(cid)["status"] == "running"
        before = counter(b)
        wait_for(lambda: counter(b) > before, what="the counter to go on")
        assert rt.run("delete", "--force", cid).returncode == 0
        reason = [ln.split("): ", 1)[-1] for ln in r.stderr.splitlines() if "Error" in ln][-1]
        pytest.skip(f"CRIU cannot pre-dump on this kernel: {reason}")
    assert rt.state(cid)["status"] == "running"
    assert checkpoint(rt, cid, tmp_path / "final", "--parent-path", "../pre").returncode == 0
    stopped_at = counter(b)
    r = rt.run("restore", "-d", "--bundle", b, "--image-path", str(tmp_path / "final"), cid)
    assert r.returncode == 0, r
    wait_for(lambda: counter(b) > stopped_at + 3, what="the restored counter")
    assert rt.run("delete", "--force", cid).returncode == 0


@pytest.fixture
def image(rt, tmp_path, criu):
    """A checkpoint of a counter (the container is gone) and its bundle."""
    b, cid = start_counter(rt)
    img = tmp_path / "image"
    assert checkpoint(rt, cid, img).returncode == 0
    return b, img


def assert_left_nothing(rt, cid):
    assert_gone(rt, cid)
    with open("/proc/self/mountinfo") as f:
        assert "criu-root" not in f.read()


def test_restore_onto_an_existing_id(rt, image):
    b, img = image
    other_b, other = start_counter(rt)
    r = rt.run("restore", "-d", "--bundle", b, "--image-path", str(img), other)
    assert r.returncode == 1 and f"`{other}` already exists" in r.stderr, r
    assert rt.state(other)["status"] == "running" and rt.state(other)["bundle"] == other_b
    assert rt.run("delete", "--force", other).returncode == 0


def test_restore_with_a_broken_record(rt, image):
    b, img = image
    (img / "krun-checkpoint.json").write_text('{"stdio": [null, null], "cgroupMounts": []}')
    cid = rt.new_id()
    r = rt.run("restore", "-d", "--bundle", b, "--image-path", str(img), cid)
    assert r.returncode == 1 and "krun-checkpoint.json" in r.stderr and "stdio" in r.stderr, r
    assert_left_nothing(rt, cid)


def test_restore_when_criu_fails(rt, image):
    """A damaged image: CRIU's own error comes back, and the state, cgroup and root mount are undone."""
    b, img = image
    (img / "inventory.img").write_bytes(b"\x00" * 16)
    cid = rt.new_id()
    r = rt.run("restore", "-d", "--bundle", b, "--image-path", str(img), cid)
    print(r.stderr)
    assert r.returncode == 1 and "criu restore` failed" in r.stderr and "restore.log" in r.stderr, r
    assert "Error" in r.stderr, "the tail of CRIU's log names the reason"
    assert_left_nothing(rt, cid)


def restore_with_config(rt, image, edit):
    """Restore the checkpoint after `edit` changed the bundle's config.json; the command's result."""
    b, img = image
    with open(os.path.join(b, "config.json")) as f:
        cfg = json.load(f)
    edit(cfg)
    with open(os.path.join(b, "config.json"), "w") as f:
        json.dump(cfg, f)
    cid = rt.new_id()
    return cid, rt.run("restore", "-d", "--bundle", b, "--image-path", str(img), cid)


def test_restore_refuses_a_terminal(rt, image):
    cid, r = restore_with_config(rt, image, lambda cfg: cfg["process"].update(terminal=True))
    assert r.returncode == 1 and "terminal" in r.stderr, r
    assert_left_nothing(rt, cid)


def test_restore_refuses_a_krun_bundle(rt, image):
    cid, r = restore_with_config(rt, image,
                                 lambda cfg: cfg.setdefault("annotations", {}).update({"run.oci.handler": "krun"}))
    assert r.returncode == 1 and "microVM" in r.stderr, r
    assert_left_nothing(rt, cid)


def test_restore_without_an_image(rt, tmp_path):
    cid = rt.new_id()
    r = rt.run("restore", "--bundle", rt.bundle(["true"]), "--image-path", str(tmp_path / "none"), cid)
    assert r.returncode == 1 and "no checkpoint image" in r.stderr and "inventory.img" in r.stderr, r
    assert_left_nothing(rt, cid)


def test_criu_not_found(rt, tmp_path):
    b, cid = start_counter(rt)
    r = rt.run("checkpoint", "--image-path", str(tmp_path / "img"), cid, env={"PATH": str(tmp_path)})
    assert r.returncode == 1 and "criu: not found on PATH" in r.stderr, r
    assert rt.state(cid)["status"] == "running"
    r = rt.run("--criu", str(tmp_path / "nope"), "checkpoint", "--image-path", str(tmp_path / "img"), cid)
    assert r.returncode == 1 and "nope" in r.stderr, r
    assert rt.state(cid)["status"] == "running"
    assert rt.run("delete", "--force", cid).returncode == 0


def test_checkpoint_of_a_stopped_container(rt, tmp_path):
    cid = rt.new_id()
    rt.run("run", "--detach", "--bundle", rt.bundle(["true"]), cid, check=True)
    wait_for(lambda: rt.state(cid)["status"] == "stopped", what="the container to stop")
    r = rt.run("checkpoint", "--image-path", str(tmp_path / "img"), cid)
    assert r.returncode == 1 and "is stopped" in r.stderr and cid in r.stderr, r


def test_checkpoint_of_an_unknown_container(rt, tmp_path):
    r = rt.run("checkpoint", "--image-path", str(tmp_path / "img"), "no-such-ctr")
    assert r.returncode == 1 and "no-such-ctr" in r.stderr, r


def test_checkpoint_option_errors(rt):
    r = rt.run("checkpoint", "--manage-cgroups-mode", "sometimes", "x")
    assert r.returncode != 0 and "--manage-cgroups-mode" in r.stderr and "sometimes" in r.stderr, r
    r = rt.run("checkpoint")
    assert r.returncode != 0, r


def test_checkpoint_of_a_krun_container_is_refused(rt, tmp_path):
    with fake_devices("/dev/kvm"):
        krt = krun_runtime(rt, str(tmp_path / "double.jsonl"))
        cid = krt.new_id()
        assert krt.run("run", "--detach", "--bundle", krt.bundle(["sleep", "300"]), cid).returncode == 0
        r = krt.run("checkpoint", "--image-path", str(tmp_path / "img"), cid)
        assert r.returncode == 1 and "microVM" in r.stderr, r
        assert krt.state(cid)["status"] == "running"
        assert krt.run("delete", "--force", cid).returncode == 0
