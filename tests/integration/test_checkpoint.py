"""checkpoint / restore through CRIU (/usr/sbin/criu). First the attempt on a counter container, printed in
the test log: when CRIU cannot work on this kernel the command must fail with CRIU's own reason (its log
tail) and leave the container running, and the round trip is skipped with that reason. Then the errors that
do not need CRIU."""
import os
import subprocess
import time

import pytest

from conftest import CRUN
from krun_double import fake_devices, krun_runtime

CRIU = "/usr/sbin/criu"
COUNTER = ["sh", "-c", "i=0; while true; do i=$((i+1)); echo $i > /tmp/counter; sleep 0.1; done"]


def counter(bundle):
    with open(os.path.join(bundle, "rootfs", "tmp", "counter")) as f:
        text = f.read().strip()
    return int(text) if text else 0


def wait_for(cond, timeout=20, what="condition"):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.parametrize("cmd", ["checkpoint", "restore"])
def test_help_exits_0(cmd):
    r = subprocess.run([CRUN, cmd, "--help"], capture_output=True, text=True)
    assert r.returncode == 0 and "--image-path" in r.stdout, r


def test_counter_round_trip_or_criu_reason(rt, tmp_path):
    if not os.access(CRIU, os.X_OK):
        pytest.skip(f"{CRIU} is not installed (scripts/deps.sh installs Debian's criu)")
    b = rt.bundle(COUNTER)
    cid = rt.new_id()
    rt.run("run", "--detach", "--bundle", b, cid, check=True)
    wait_for(lambda: os.path.exists(os.path.join(b, "rootfs/tmp/counter")) and counter(b) > 3, what="the counter")
    image = tmp_path / "image"
    r = rt.run("checkpoint", "--image-path", str(image), "--work-path", str(tmp_path / "work"), cid)
    print(f"checkpoint: rc={r.returncode}\nstderr:\n{r.stderr}")
    if r.returncode != 0:
        assert "criu dump` failed" in r.stderr and "CRIU log" in r.stderr, r
        assert str(tmp_path / "work" / "dump.log") in r.stderr, r
        with open(tmp_path / "work" / "dump.log") as f:
            log = f.read()
        errors = [ln for ln in log.splitlines() if "Error" in ln]
        print("criu dump.log errors:\n" + "\n".join(errors))
        assert errors and errors[-1] in r.stderr, "the reason is CRIU's last error line"
        # A failed dump leaves the container alone.
        assert rt.state(cid)["status"] == "running"
        before = counter(b)
        wait_for(lambda: counter(b) > before, what="the counter to go on")
        pytest.skip("CRIU cannot checkpoint on this kernel: " + "; ".join(e.split("): ", 1)[-1] for e in errors))
    # CRIU worked: the dump stopped and removed the container; restore it and see the counter go on.
    assert rt.run("state", cid).returncode != 0
    stopped_at = counter(b)
    r = rt.run("restore", "--detach", "--bundle", b, "--image-path", str(image), cid)
    print(f"restore: rc={r.returncode}\nstderr:\n{r.stderr}")
    assert r.returncode == 0, r
    wait_for(lambda: counter(b) > stopped_at + 3, what="the restored counter to go on")


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


def test_restore_without_an_image(rt, tmp_path):
    r = rt.run("restore", "--bundle", rt.bundle(["true"]), "--image-path", str(tmp_path / "none"), rt.new_id())
    assert r.returncode == 1 and "no checkpoint image" in r.stderr and "inventory.img" in r.stderr, r


def test_restore_reports_why_criu_cannot_work(rt, tmp_path):
    if not os.access(CRIU, os.X_OK):
        pytest.skip(f"{CRIU} is not installed")
    image = tmp_path / "img"
    image.mkdir()
    (image / "inventory.img").write_bytes(b"")
    check = subprocess.run([CRIU, "check"], capture_output=True, text=True)
    print(f"criu check: rc={check.returncode}\n{check.stdout}{check.stderr}")
    cid = rt.new_id()
    r = rt.run("restore", "--detach", "--bundle", rt.bundle(["true"]), "--image-path", str(image), cid)
    print(f"restore: rc={r.returncode}\n{r.stderr}")
    assert r.returncode == 1, r
    if check.returncode != 0:
        last = [ln for ln in check.stderr.splitlines() if "Error" in ln][-1]
        assert "criu check` failed" in r.stderr and last in r.stderr, r
    else:
        assert "not implemented" in r.stderr, r
    assert rt.run("state", cid).returncode != 0
