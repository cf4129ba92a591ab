"""Stress (issue 11 item 8): many containers on one state root at once, and the runtime SIGKILLed at
random points of `create` (native and krun mode with the libkrun TEST DOUBLE, not a VM).

Each test ends with zero leaked state entries, cgroups (every v1 hierarchy and the unified one), mounts and
processes: the `rt` fixture checks that, and the loops check it after every single iteration too. The
SIGKILL loops are seeded: the seed is printed (run with -s) and in every failure message; set
KRUN_STRESS_SEED to replay a run, KRUN_STRESS_SCALE=N for N times the iterations.
"""
import json
import os
import random
import signal
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from conftest import cgroups_named, reap_orphans
from krun_double import annotate, fake_devices, krun_runtime

PARALLEL = 100
SCALE = int(os.environ.get("KRUN_STRESS_SCALE", "1"))


def test_hundred_containers_in_parallel(rt):
    b = rt.bundle(["sleep", "1000"])
    ids = [rt.new_id("par") for _ in range(PARALLEL)]

    def create_start(cid):
        r = rt.run("create", "--bundle", b, cid, timeout=120)
        if r.returncode == 0:
            r = rt.run("start", cid, timeout=120)
        return cid, r

    with ThreadPoolExecutor(max_workers=16) as pool:
        failed = [(cid, r) for cid, r in pool.map(create_start, ids) if r.returncode != 0]
    assert not failed, failed[:3]

    listed = json.loads(rt.run("list", "--format", "json", check=True).stdout)
    assert sorted(e["id"] for e in listed) == sorted(ids)
    assert {e["status"] for e in listed} == {"running"}
    assert all(e["pid"] > 0 for e in listed)

    with ThreadPoolExecutor(max_workers=16) as pool:
        failed = [r for r in pool.map(lambda cid: rt.run("delete", "--force", cid, timeout=120), ids)
                  if r.returncode != 0]
    assert not failed, failed[:3]
    assert os.listdir(rt.root) == []
    assert json.loads(rt.run("list", "--format", "json", check=True).stdout) == []
    assert cgroups_named(ids) == []


def _live_children():
    """Processes re-parented to us (we are the subreaper), zombies reaped first."""
    reap_orphans()
    me = str(os.getpid())
    found = []
    for p in os.listdir("/proc"):
        if not p.isdigit():
            continue
        try:
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[1] == me and fields[0] not in "ZX":
            found.append(int(p))
    return found


def _leaks(k, cid, rootfs):
    leaks = []
    if os.path.lexists(os.path.join(k.root, cid)):
        leaks.append(f"state {os.listdir(os.path.join(k.root, cid))}")
    cg = cgroups_named([cid])
    if cg:
        leaks.append(f"cgroups {cg}")
    if os.path.lexists(os.path.join(rootfs, ".krun_config.json")):
        leaks.append("/.krun_config.json in the image")
    # A create killed before it recorded the init: the init exits on the EOF of its sync socket, which
    # the kernel delivers as the runtime dies; give it that moment, not more.
    deadline = time.monotonic() + 1
    while _live_children() and time.monotonic() < deadline:
        time.sleep(0.01)
    if _live_children():
        leaks.append(f"processes {_live_children()}")
    return leaks


def _create_duration(k, bundle):
    """Wall time of a whole create (median of 3: the first one is cold), to spread the kill points over it."""
    times = []
    for _ in range(3):
        cid = k.new_id("kill")
        t0 = time.monotonic()
        k.run("create", "--bundle", bundle, cid, check=True)
        times.append(time.monotonic() - t0)
        k.run("delete", "--force", cid, check=True)
    return sorted(times)[1]


def _sigkill_loop(k, bundle, iterations, seed):
    rng = random.Random(seed)
    span = _create_duration(k, bundle)
    rootfs = os.path.join(bundle, "rootfs")
    env = dict(os.environ) if k.env is None else dict(k.env)
    outcomes = {"killed": 0, "finished": 0}
    for i in range(iterations):
        cid = k.new_id("kill")
        delay = rng.uniform(0, span)
        p = subprocess.Popen([k.binary, "--root", k.root, "create", "--bundle", bundle, cid],
                             stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        time.sleep(delay)
        p.send_signal(signal.SIGKILL)
        p.wait()
        outcomes["finished" if p.returncode == 0 else "killed"] += 1
        d = k.run("delete", "--force", cid, timeout=60)
        where = f"seed {seed}, iteration {i}, kill after {delay * 1000:.1f} ms of {span * 1000:.1f} ms"
        assert d.returncode == 0, f"{where}: delete --force: {d}"
        leaks = _leaks(k, cid, rootfs)
        assert not leaks, f"{where}: delete --force returned 0 but left: {'; '.join(leaks)}"
    print(f"SIGKILL loop seed {seed}: {iterations} iterations, {outcomes}")
    return outcomes


def _seed():
    return int(os.environ.get("KRUN_STRESS_SEED", str(random.SystemRandom().randrange(1 << 31))))


def test_sigkill_during_create_native(rt):
    b = rt.bundle(["sleep", "1000"])
    seed = _seed()
    print(f"KRUN_STRESS_SEED={seed}")
    outcomes = _sigkill_loop(rt, b, 30 * SCALE, seed)
    assert outcomes["killed"] > 0, f"seed {seed}: no create was interrupted: {outcomes}"


def test_sigkill_during_create_krun(rt, tmp_path):
    with fake_devices("/dev/kvm"):
        k = krun_runtime(rt, str(tmp_path / "double.jsonl"))
        b = k.bundle(["sleep", "1000"], edit=annotate(cpus="1"))
        seed = _seed()
        print(f"KRUN_STRESS_SEED={seed}")
        outcomes = _sigkill_loop(k, b, 15 * SCALE, seed)
    assert outcomes["killed"] > 0, f"seed {seed}: no create was interrupted: {outcomes}"


@pytest.mark.parametrize("point", ["before-teardown", "teardown-only", "cgroup-no-state"])
def test_force_delete_of_each_crash_point(rt, point):
    """The three states a create killed at a fixed point leaves, made by hand (deterministic companions
    of the random loop)."""
    cid = rt.new_id("crash")
    d = os.path.join(rt.root, cid)
    os.makedirs(d)
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump(rt.config(), f)
    if point == "before-teardown":
        assert rt.run("delete", "--force", cid).returncode == 0
        assert not os.path.exists(d)
        return
    rootfs = rt.bundle(["true"]) + "/rootfs"
    with open(os.path.join(d, "teardown.json"), "w") as f:
        json.dump({"id": cid, "pid": 0, "start_time": 0, "rootfs": rootfs, "cgroup_manager": "cgroupfs",
                   "cgroup_path": f"/{cid}", "executor": "native", "has_pidns": True}, f)
    made = []
    sleeper = None
    if point == "cgroup-no-state":
        # The cgroup exists in every hierarchy with a process in it, the pid is not recorded yet.
        sleeper = subprocess.Popen(["sleep", "1000"])
        for h in sorted(os.listdir("/sys/fs/cgroup")):
            base = os.path.join("/sys/fs/cgroup", h)
            if os.path.islink(base) or not os.path.exists(os.path.join(base, "cgroup.procs")):
                continue
            os.mkdir(os.path.join(base, cid))
            made.append(os.path.join(base, cid))
            for knob in ("cpuset.cpus", "cpuset.mems"):  # an empty cpuset takes no task
                if os.path.exists(os.path.join(base, knob)):
                    with open(os.path.join(base, knob)) as src, open(os.path.join(base, cid, knob), "w") as dst:
                        dst.write(src.read())
            with open(os.path.join(base, cid, "cgroup.procs"), "w") as f:
                f.write(str(sleeper.pid))
    try:
        r = rt.run("delete", "--force", cid)
        assert r.returncode == 0, r
        assert not os.path.exists(d)
        assert [m for m in made if os.path.exists(m)] == []
        if sleeper:
            assert sleeper.wait(timeout=5) == -signal.SIGKILL
    finally:
        if sleeper and sleeper.poll() is None:
            sleeper.kill()
            sleeper.wait()


@pytest.mark.parametrize("cut", [0, 0.5])
def test_krun_config_cut_short_by_a_kill_is_removed(rt, tmp_path, cut):
    """A create killed while writing /.krun_config.json leaves a prefix of the config (or an empty file)."""
    with fake_devices("/dev/kvm"):
        k = krun_runtime(rt, str(tmp_path / "double.jsonl"))
        b = k.bundle(["sleep", "1000"])
        cid = k.new_id("cut")
        k.run("create", "--bundle", b, cid, check=True)
        path = os.path.join(b, "rootfs", ".krun_config.json")
        with open(path, "rb") as f:
            data = f.read()
        os.chmod(path, 0o644)
        with open(path, "wb") as f:
            f.write(data[: int(len(data) * cut)])
        os.unlink(os.path.join(k.root, cid, "state.json"))
        r = k.run("delete", "--force", cid)
        assert r.returncode == 0, r
        assert not os.path.lexists(path)
