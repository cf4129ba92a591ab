"""cgroups end to end: every resource on a real container, read back from the host's cgroup files (and from
inside where the container sees them); update, pause/resume, ps, kill --all, delete --force, OOM kills,
cgroupsPath, the disabled and systemd managers, kernel-rejected limits and parallel containers.

The expectations follow the host's layout, detected from /proc/self/mountinfo: a controller is checked in
its v1 hierarchy when one carries it, else in the unified one. Paths this host cannot exercise skip with
the reason (pure v1 / pure v2 layouts and the systemd unit-name form are covered by the unit tests of
src/cgroup).
"""
import json
import os
import subprocess
import threading
import time
import uuid

import pytest

from conftest import reap_orphans

CG = "/sys/fs/cgroup"


def _layout():
    v1, unified = {}, None
    with open("/proc/self/mountinfo") as f:
        for line in f:
            pre, post = line.split(" - ", 1)
            fstype, _, opts = post.split()[:3]
            mnt = pre.split()[4]
            if fstype == "cgroup2":
                unified = unified or mnt
            elif fstype == "cgroup":
                for o in opts.split(","):
                    if o not in ("rw", "ro") and "=" not in o or o.startswith("name="):
                        v1.setdefault(o, mnt)
    return v1, unified


V1, UNIFIED = _layout()


def unified_controllers():
    try:
        with open(os.path.join(UNIFIED, "cgroup.controllers")) as f:
            return f.read().split()
    except (TypeError, OSError):
        return []


def cg_dir(controller, path):
    """The container's directory for `controller`: its v1 hierarchy, else the unified one."""
    if controller in V1:
        return V1[controller] + path
    if UNIFIED and (controller in unified_controllers() or controller == "unified"):
        return UNIFIED + path
    pytest.skip(f"no {controller} controller on this host")


def read(controller, path, name):
    with open(os.path.join(cg_dir(controller, path), name)) as f:
        return f.read().strip()


def need_v1(*controllers):
    for c in controllers:
        if c not in V1:
            pytest.skip(f"these expectations are for a v1 {c} controller (this host has none); the cgroup v2 "
                        "translation is covered by tests/unit/cgroup/test_resources.c")


def with_resources(res, extra=None):
    def edit(c):
        c["linux"]["resources"] = res
        if extra:
            extra(c)
    return edit


def run_detached(rt, res, args=("sleep", "600"), extra=None, cid=None, global_args=()):
    cid = cid or rt.new_id()
    r = rt.run("run", "-d", "--bundle", rt.bundle(list(args), edit=with_resources(res, extra)), cid,
               global_args=global_args)
    assert r.returncode == 0, r
    return cid, rt.state(cid)


def run_out(rt, res, script, extra=None):
    r = rt.run("run", "--bundle", rt.bundle(["sh", "-c", script], edit=with_resources(res, extra)), rt.new_id())
    return r


def wait_for(pred, timeout=10, what="condition"):
    deadline = time.time() + timeout
    while time.time() < deadline:
        v = pred()
        if v:
            return v
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def procs_of(cid):
    """Pids listed in the container's cgroup (the unified one when present: we join it on hybrid too)."""
    d = (UNIFIED if UNIFIED else V1["pids"]) + "/" + cid
    with open(os.path.join(d, "cgroup.procs")) as f:
        return sorted(int(x) for x in f.read().split())


# ---- resources at create ----

def test_memory_limit_reservation_swap_swappiness_oom_killer(rt):
    need_v1("memory")
    res = {"memory": {"limit": 64 << 20, "reservation": 32 << 20, "swap": 128 << 20, "swappiness": 10,
                      "disableOOMKiller": True}}
    cid, _ = run_detached(rt, res)
    p = "/" + cid
    assert read("memory", p, "memory.limit_in_bytes") == str(64 << 20)
    assert read("memory", p, "memory.soft_limit_in_bytes") == str(32 << 20)
    if os.path.exists(cg_dir("memory", p) + "/memory.memsw.limit_in_bytes"):
        assert read("memory", p, "memory.memsw.limit_in_bytes") == str(128 << 20)
    assert read("memory", p, "memory.swappiness") == "10"
    assert "oom_kill_disable 1" in read("memory", p, "memory.oom_control")
    # Inside: the container's /sys/fs/cgroup shows its own cgroup.
    r = rt.run("exec", cid, "cat", "/sys/fs/cgroup/memory/memory.limit_in_bytes")
    assert r.returncode == 0 and r.stdout.strip() == str(64 << 20), r


def test_cpu_shares_quota_period_cpus_mems(rt):
    need_v1("cpu", "cpuset")
    cpus = os.sched_getaffinity(0)
    cpu = str(max(cpus))
    res = {"cpu": {"shares": 256, "quota": 30000, "period": 60000, "cpus": cpu, "mems": "0"}}
    cid, st = run_detached(rt, res)
    p = "/" + cid
    assert read("cpu", p, "cpu.shares") == "256"
    assert read("cpu", p, "cpu.cfs_quota_us") == "30000"
    assert read("cpu", p, "cpu.cfs_period_us") == "60000"
    assert read("cpuset", p, "cpuset.cpus") == cpu
    assert read("cpuset", p, "cpuset.mems") == "0"
    # The effect: the init may run only on that CPU.
    with open(f"/proc/{st['pid']}/status") as f:
        allowed = [l.split()[1] for l in f if l.startswith("Cpus_allowed_list")][0]
    assert allowed == cpu


def test_cpu_realtime(rt):
    need_v1("cpu")
    if not os.path.exists(V1["cpu"] + "/cpu.rt_runtime_us"):
        pytest.skip("the kernel has no RT group scheduling (CONFIG_RT_GROUP_SCHED)")
    with open(V1["cpu"] + "/cpu.rt_runtime_us") as f:
        if int(f.read()) < 20000:
            pytest.skip("the root cgroup has too little realtime runtime to hand out")
    cid, _ = run_detached(rt, {"cpu": {"realtimeRuntime": 10000, "realtimePeriod": 1000000}})
    assert read("cpu", "/" + cid, "cpu.rt_runtime_us") == "10000"
    assert read("cpu", "/" + cid, "cpu.rt_period_us") == "1000000"


def test_pids_limit_stops_forks(rt):
    res = {"pids": {"limit": 4}}
    r = run_out(rt, res, "cat /sys/fs/cgroup/pids/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids.max; "
                         "for i in 1 2 3 4 5 6; do sleep 30 & done; echo forked")
    assert r.stdout.splitlines()[0] == "4", r
    assert "can't fork" in r.stderr, r


def test_pids_limit_on_host(rt):
    cid, _ = run_detached(rt, {"pids": {"limit": 33}})
    assert read("pids", "/" + cid, "pids.max") == "33"


def _block_device():
    """A whole disk of this host (not a loop or zram device), as (major, minor)."""
    for dev in sorted(os.listdir("/sys/dev/block")):
        real = os.path.realpath("/sys/dev/block/" + dev)
        name = os.path.basename(real)
        if name.startswith(("loop", "zram", "ram")) or os.path.exists(real + "/partition"):
            continue
        if os.path.exists(real + "/queue/scheduler"):
            major, minor = dev.split(":")
            return int(major), int(minor)
    pytest.skip("no disk with a request queue on this host")


def blkio_weight_file():
    """The v1 weight file this kernel has (BFQ's, or CFQ's before 5.0), or None: a kernel without the BFQ
    I/O scheduler has neither, and crun and runc then fail a config that sets a weight, as we do."""
    if "blkio" not in V1:
        return None
    for name in ("blkio.bfq.weight", "blkio.weight"):
        if os.path.exists(os.path.join(V1["blkio"], name)):
            return name
    return None


def test_blkio_weight(rt):
    need_v1("blkio")
    weight = blkio_weight_file()
    if not weight:
        pytest.skip("the kernel has no blkio weight file (no BFQ I/O scheduler)")
    cid, _ = run_detached(rt, {"blockIO": {"weight": 300}})
    assert read("blkio", "/" + cid, weight).split()[-1] == "300"


def test_blkio_throttles(rt):
    need_v1("blkio")
    major, minor = _block_device()
    res = {"blockIO": {"throttleReadBpsDevice": [{"major": major, "minor": minor, "rate": 1 << 20}],
                       "throttleWriteBpsDevice": [{"major": major, "minor": minor, "rate": 2 << 20}],
                       "throttleReadIOPSDevice": [{"major": major, "minor": minor, "rate": 100}],
                       "throttleWriteIOPSDevice": [{"major": major, "minor": minor, "rate": 50}]}}
    cid, _ = run_detached(rt, res)
    p = "/" + cid
    dev = f"{major}:{minor}"
    assert read("blkio", p, "blkio.throttle.read_bps_device") == f"{dev} {1 << 20}"
    assert read("blkio", p, "blkio.throttle.write_bps_device") == f"{dev} {2 << 20}"
    assert read("blkio", p, "blkio.throttle.read_iops_device") == f"{dev} 100"
    assert read("blkio", p, "blkio.throttle.write_iops_device") == f"{dev} 50"


@pytest.fixture
def loop_device(tmp_path):
    """A loop device over a small file, detached afterwards; its scheduler is ours to change."""
    img = tmp_path / "disk.img"
    with open(img, "wb") as f:
        f.truncate(8 << 20)
    r = subprocess.run(["losetup", "-f", "--show", str(img)], capture_output=True, text=True)
    if r.returncode != 0:
        pytest.skip(f"cannot attach a loop device: {r.stderr.strip()}")
    dev = r.stdout.strip()
    yield dev
    subprocess.run(["losetup", "-d", dev], capture_output=True)


def test_blkio_weight_device_needs_bfq(rt, loop_device):
    need_v1("blkio")
    name = os.path.basename(loop_device)
    sched = f"/sys/block/{name}/queue/scheduler"
    with open(f"/sys/block/{name}/dev") as f:
        major, minor = (int(x) for x in f.read().split(":"))
    res = {"blockIO": {"weightDevice": [{"major": major, "minor": minor, "weight": 500}]}}
    with open(sched, "w") as f:
        f.write("none")
    r = run_out(rt, res, "true")
    assert r.returncode != 0 and "linux.resources.blockIO.weightDevice" in r.stderr, r
    with open(sched) as f:
        if "bfq" not in f.read():
            pytest.skip("the kernel has no bfq I/O scheduler")
    with open(sched, "w") as f:
        f.write("bfq")
    cid, _ = run_detached(rt, res)
    assert f"{major}:{minor} 500" in read("blkio", "/" + cid, "blkio.bfq.weight_device")


def test_hugepage_limits(rt):
    if not os.path.isdir("/sys/kernel/mm/hugepages/hugepages-2048kB"):
        pytest.skip("no 2MB huge pages on this host")
    cid, _ = run_detached(rt, {"hugepageLimits": [{"pageSize": "2MB", "limit": 4 << 20}]})
    ctl = "hugetlb"
    name = "hugetlb.2MB.limit_in_bytes" if ctl in V1 else "hugetlb.2MB.max"
    assert read(ctl, "/" + cid, name) == str(4 << 20)
    inside = ("/sys/fs/cgroup/hugetlb/" if ctl in V1 else
              "/sys/fs/cgroup/unified/" if UNIFIED != CG else "/sys/fs/cgroup/") + name
    r = rt.run("exec", cid, "cat", inside)
    assert r.returncode == 0 and r.stdout.strip() == str(4 << 20), r


def test_network_class_id_and_priorities(rt):
    if "net_cls" not in V1 or "net_prio" not in V1:
        pytest.skip("net_cls/net_prio (cgroup v1 only) are not mounted on this host")
    cid, _ = run_detached(rt, {"network": {"classID": 0x100001, "priorities": [{"name": "lo", "priority": 5}]}})
    assert read("net_cls", "/" + cid, "net_cls.classid") == str(0x100001)
    assert "lo 5" in read("net_prio", "/" + cid, "net_prio.ifpriomap")


def test_network_without_its_controller_is_a_clear_error(rt):
    if "net_cls" in V1:
        pytest.skip("net_cls is mounted here: test_network_class_id_and_priorities covers it")
    r = run_out(rt, {"network": {"classID": 42}}, "true")
    assert r.returncode != 0
    assert "net_cls controller is not" in r.stderr, r


def test_devices_allow_and_deny(rt):
    # Nodes of a major no driver owns: the devices controller answers EPERM before the open can reach
    # the missing driver (ENXIO), so the error tells which of the two refused.
    def extra(c):
        c["linux"]["devices"] = [{"path": "/dev/allowed0", "type": "c", "major": 42, "minor": 1},
                                 {"path": "/dev/denied0", "type": "c", "major": 42, "minor": 2},
                                 {"path": "/dev/readonly0", "type": "c", "major": 42, "minor": 3}]

    res = {"devices": [{"allow": False, "access": "rwm"},
                       {"allow": True, "type": "c", "major": 42, "minor": 1, "access": "rw"},
                       {"allow": True, "type": "c", "major": 42, "minor": 3, "access": "rwm"},
                       {"allow": False, "type": "c", "major": 42, "minor": 3, "access": "w"}]}
    script = ("echo ok > /dev/null && echo null-ok; "
              "cat /dev/allowed0; cat /dev/denied0; cat /dev/readonly0; echo x > /dev/readonly0")
    r = run_out(rt, res, script, extra)
    assert "null-ok" in r.stdout, r
    err = r.stderr.splitlines()
    assert any("allowed0" in l and "No such device" in l for l in err), r
    assert any("denied0" in l and "Operation not permitted" in l for l in err), r
    assert any("readonly0" in l and "cat" in l and "No such device" in l for l in err), r
    assert any("readonly0" in l and "cat" not in l and "Operation not permitted" in l for l in err), r


def test_devices_list_on_host(rt):
    need_v1("devices")
    res = {"devices": [{"allow": False, "access": "rwm"},
                       {"allow": True, "type": "c", "major": 42, "minor": 1, "access": "rw"}]}
    cid, _ = run_detached(rt, res)
    lst = read("devices", "/" + cid, "devices.list").splitlines()
    assert "c 42:1 rw" in lst and "a *:* rwm" not in lst, lst
    assert "c 1:3 rwm" in lst, "the default allow-list (/dev/null) is always there"


def test_unified_valid_key(rt):
    if not UNIFIED or "hugetlb" not in unified_controllers():
        pytest.skip("no hugetlb controller in the unified hierarchy on this host")
    cid, _ = run_detached(rt, {"unified": {"hugetlb.2MB.max": str(6 << 20)}})
    assert read("unified", "/" + cid, "hugetlb.2MB.max") == str(6 << 20)


@pytest.mark.parametrize("key,expect", [
    ("hugetlb.2MB.nonexistent", "linux.resources.unified.hugetlb.2MB.nonexistent"),
    ("nosuch.max", "the nosuch controller is not available"),
])
def test_unified_invalid_key_is_a_clear_error(rt, key, expect):
    if not UNIFIED:
        pytest.skip("no cgroup v2 hierarchy on this host")
    r = run_out(rt, {"unified": {key: "1"}}, "true")
    assert r.returncode != 0 and expect in r.stderr, r


def test_unified_key_of_a_v1_controller_on_hybrid(rt):
    if not UNIFIED or UNIFIED == CG or "memory" not in V1:
        pytest.skip("only a hybrid host has memory on v1 next to a unified hierarchy")
    r = run_out(rt, {"unified": {"memory.max": "1000000"}}, "true")
    assert r.returncode != 0
    assert "linux.resources.unified.memory.max" in r.stderr and "cgroup v1" in r.stderr, r


# ---- update ----

def test_update_from_file_stdin_and_flags(rt):
    need_v1("memory", "cpu", "pids")
    cid, _ = run_detached(rt, {"memory": {"limit": 128 << 20}, "pids": {"limit": 100}})
    p = "/" + cid
    f = os.path.join(rt.workdir, "res.json")
    with open(f, "w") as fp:
        json.dump({"memory": {"limit": 96 << 20}, "cpu": {"shares": 300}}, fp)
    assert rt.run("update", "--resources", f, cid).returncode == 0
    assert read("memory", p, "memory.limit_in_bytes") == str(96 << 20)
    assert read("cpu", p, "cpu.shares") == "300"
    r = rt.run("update", "-r", "-", cid, input=json.dumps({"pids": {"limit": 77}}).encode())
    assert r.returncode == 0, r
    assert read("pids", p, "pids.max") == "77"
    r = rt.run("update", "--memory", "64m", "--cpu-quota", "25000", "--cpu-period", "100000", "--pids-limit", "20",
               "--cpu-share", "512", cid)
    assert r.returncode == 0, r
    assert read("memory", p, "memory.limit_in_bytes") == str(64 << 20)
    assert read("cpu", p, "cpu.cfs_quota_us") == "25000"
    assert read("cpu", p, "cpu.shares") == "512"
    assert read("pids", p, "pids.max") == "20"
    r = rt.run("update", "--pids-limit", "-1", cid)
    assert r.returncode == 0 and read("pids", p, "pids.max") == "max", r
    cpu = str(max(os.sched_getaffinity(0)))
    weight = blkio_weight_file()
    r = rt.run("update", "--memory", "80m", "--memory-swap", "160m", "--memory-reservation", "40m",
               "--cpuset-cpus", cpu, *(["--blkio-weight", "200"] if weight else []), cid)
    assert r.returncode == 0, r
    assert read("memory", p, "memory.limit_in_bytes") == str(80 << 20)
    assert read("memory", p, "memory.soft_limit_in_bytes") == str(40 << 20)
    if os.path.exists(cg_dir("memory", p) + "/memory.memsw.limit_in_bytes"):
        assert read("memory", p, "memory.memsw.limit_in_bytes") == str(160 << 20)
    if "cpuset" in V1:
        assert read("cpuset", p, "cpuset.cpus") == cpu
    if weight:
        assert read("blkio", p, weight).split()[-1] == "200"


def test_update_paused_and_stopped(rt):
    cid, _ = run_detached(rt, {"pids": {"limit": 50}})
    assert rt.run("pause", cid).returncode == 0
    assert rt.run("update", "--pids-limit", "40", cid).returncode == 0
    assert read("pids", "/" + cid, "pids.max") == "40"
    assert rt.run("resume", cid).returncode == 0
    assert rt.run("kill", cid, "KILL").returncode == 0
    wait_for(lambda: rt.state(cid)["status"] == "stopped", what="stopped")
    r = rt.run("update", "--pids-limit", "30", cid)
    assert r.returncode != 0 and "stopped" in r.stderr, r


def test_update_errors(rt):
    cid, _ = run_detached(rt, {})
    r = rt.run("update", "-r", "-", cid, input=b"{not json")
    assert r.returncode != 0 and "stdin" in r.stderr, r
    r = rt.run("update", "--memory", "lots", cid)
    assert r.returncode != 0 and "--memory" in r.stderr, r
    # Below the current usage: the kernel refuses (v1 EBUSY) and we name the field.
    need_v1("memory")
    r = rt.run("update", "--memory", "4k", cid)
    assert r.returncode != 0 and "linux.resources.memory.limit" in r.stderr, r
    r = rt.run("update", "--memory", "1m", "nosuch-" + uuid.uuid4().hex[:6])
    assert r.returncode != 0 and "does not exist" in r.stderr, r


# ---- pause / resume / ps / kill --all / delete --force ----

COUNTER = "i=0; while :; do i=$((i+1)); echo $i > /tmp/count; sleep 0.02; done"


def _count(rt, bundle):
    try:
        with open(os.path.join(bundle, "rootfs", "tmp", "count")) as f:
            return int(f.read().strip() or 0)
    except (OSError, ValueError):
        return 0


def test_pause_resume(rt):
    cid = rt.new_id()
    b = rt.bundle(["sh", "-c", COUNTER])
    assert rt.run("run", "-d", "--bundle", b, cid).returncode == 0
    wait_for(lambda: _count(rt, b) > 2, what="the counter to start")
    assert rt.run("pause", cid).returncode == 0
    assert rt.state(cid)["status"] == "paused"
    lst = json.loads(rt.run("list", "--format", "json", check=True).stdout)
    assert [e["status"] for e in lst if e["id"] == cid] == ["paused"]
    if "freezer" in V1:
        assert read("freezer", "/" + cid, "freezer.state") == "FROZEN"
    else:
        assert "frozen 1" in read("unified", "/" + cid, "cgroup.events")
    before = _count(rt, b)
    time.sleep(0.5)
    assert _count(rt, b) == before, "a paused container does not progress"
    r = rt.run("pause", cid)
    assert r.returncode != 0 and "paused" in r.stderr, r
    r = rt.run("exec", cid, "true")
    assert r.returncode != 0, "exec into a paused container is refused"
    assert rt.run("resume", cid).returncode == 0
    assert rt.state(cid)["status"] == "running"
    wait_for(lambda: _count(rt, b) > before + 3, what="the counter to continue after resume")
    r = rt.run("resume", cid)
    assert r.returncode != 0 and "running" in r.stderr, r


def test_ps_json_and_table(rt):
    cid, st = run_detached(rt, {}, args=("sh", "-c", "sleep 600 & sleep 600 & wait"))
    wait_for(lambda: len(procs_of(cid)) == 3, what="three processes")
    r = rt.run("ps", "--format", "json", cid)
    assert r.returncode == 0 and r.stderr == "", r
    pids = json.loads(r.stdout)
    assert sorted(pids) == procs_of(cid) and st["pid"] in pids
    r = rt.run("ps", cid)
    lines = r.stdout.splitlines()
    assert lines[0] == "PID" and sorted(int(x) for x in lines[1:]) == procs_of(cid), r
    r = rt.run("ps", "-f", "yaml", cid)
    assert r.returncode != 0 and "yaml" in r.stderr


def test_kill_all_signals_every_process(rt):
    # Each child records the signal; the init (pid 1 of its namespace) too, through its trap.
    # Each one says it is ready once its trap is set: a USR1 before that would end it without a record.
    script = ('for i in 1 2 3; do (trap "echo $i > /tmp/got$i; exit 0" USR1; : > /tmp/ready$i; '
              'while :; do sleep 0.05; done) & done; '
              'trap "echo 0 > /tmp/got0" USR1; : > /tmp/ready0; while :; do sleep 0.05; done')
    cid = rt.new_id()
    b = rt.bundle(["sh", "-c", script])
    assert rt.run("run", "-d", "--bundle", b, cid).returncode == 0
    ready = lambda: all(os.path.exists(os.path.join(b, "rootfs", "tmp", f"ready{i}")) for i in range(4))
    wait_for(ready, what="every process to set its trap")
    assert rt.run("kill", "--all", cid, "USR1").returncode == 0
    got = lambda: all(os.path.exists(os.path.join(b, "rootfs", "tmp", f"got{i}")) for i in range(4))
    wait_for(got, what="every process to get SIGUSR1")
    assert rt.run("kill", "--all", cid, "KILL").returncode == 0
    wait_for(lambda: rt.state(cid)["status"] == "stopped", what="stopped")


@pytest.mark.parametrize("paused", [False, True], ids=["running", "paused"])
def test_delete_force(rt, paused):
    cid, st = run_detached(rt, {"pids": {"limit": 50}}, args=("sh", "-c", "sleep 600 & sleep 600 & wait"))
    wait_for(lambda: len(procs_of(cid)) == 3, what="three processes")
    pids = procs_of(cid)
    if paused:
        assert rt.run("pause", cid).returncode == 0
        assert rt.state(cid)["status"] == "paused"
    r = rt.run("delete", cid)
    assert r.returncode != 0 and ("paused" if paused else "running") in r.stderr, r
    assert rt.run("delete", "--force", cid).returncode == 0
    reap_orphans()
    for p in pids:
        assert not os.path.exists(f"/proc/{p}") or open(f"/proc/{p}/stat").read().split(") ")[1][0] in "ZX"
    assert not os.path.exists(cg_dir("pids", "/" + cid))


# ---- OOM, paths, managers, errors, parallel ----

def test_oom_kill_is_exit_status_137(rt):
    # tail keeps its last "line": /dev/zero has no newline, so it grows until the OOM killer stops it.
    # The limit (and swap = limit: no swap) bounds it; the timeout only guards the test.
    res = {"memory": {"limit": 32 << 20, "swap": 32 << 20}}
    b = rt.bundle(["tail", "/dev/zero"], edit=with_resources(res))
    r = rt.run("run", "--bundle", b, rt.new_id(), timeout=60)
    assert r.returncode == 137, r


def test_memory_limit_too_low_for_setup_names_the_oom(rt):
    r = run_out(rt, {"memory": {"limit": 4096}}, "true")
    assert r.returncode != 0
    assert "OOM killer" in r.stderr and "linux.resources.memory.limit" in r.stderr, r


@pytest.fixture
def parent_cgroup(rt):
    """A parent cgroup name for cgroupsPath tests, removed (in every hierarchy) afterwards."""
    name = "krun-test-" + uuid.uuid4().hex[:8]
    yield name
    # This teardown runs before rt's: delete the containers first (rt's own cleanup repeats it
    # harmlessly), then only empty directories are left, children first; the kernel may need a moment
    # to release a cgroup.
    rt.cleanup()
    reap_orphans()
    left = []
    for h in list(V1.values()) + ([UNIFIED] if UNIFIED else []):
        top = os.path.join(h, name)
        for dirpath, _, _ in sorted(os.walk(top), key=lambda w: -len(w[0])):
            for _ in range(50):
                try:
                    os.rmdir(dirpath)
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.02)
            else:
                left.append(dirpath)
    assert not left, f"cgroups left: {left}"


@pytest.mark.parametrize("form", ["absolute", "relative"])
def test_cgroups_path(rt, parent_cgroup, form):
    cid = rt.new_id()
    path = f"/{parent_cgroup}/{cid}" if form == "absolute" else f"{parent_cgroup}/{cid}"

    def extra(c):
        c["linux"]["cgroupsPath"] = path

    _, st = run_detached(rt, {"pids": {"limit": 9}}, extra=extra, cid=cid)
    assert read("pids", f"/{parent_cgroup}/{cid}", "pids.max") == "9"
    with open(f"/proc/{st['pid']}/cgroup") as f:
        lines = f.read().splitlines()
    assert all(l.endswith(f"/{parent_cgroup}/{cid}") for l in lines), lines
    assert rt.run("delete", "--force", cid).returncode == 0
    assert not os.path.exists(cg_dir("pids", f"/{parent_cgroup}/{cid}"))
    assert os.path.isdir(cg_dir("pids", f"/{parent_cgroup}")), "the parent was not ours to remove"


def test_crashed_create_leaves_a_cgroup_that_delete_force_removes(rt):
    # The prestart hook runs in the runtime once the cgroup exists: killing its parent is a crash there.
    cid = rt.new_id()

    def extra(c):
        c["hooks"] = {"prestart": [{"path": "/bin/sh", "args": ["sh", "-c", "kill -9 $PPID"]}]}

    b = rt.bundle(["sleep", "600"], edit=with_resources({"pids": {"limit": 12}}, extra))
    r = rt.run("create", "--bundle", b, cid)
    assert r.returncode == -9, r
    assert read("pids", "/" + cid, "pids.max") == "12", "the crash left the cgroup"
    left = procs_of(cid)
    assert rt.run("delete", "--force", cid).returncode == 0
    reap_orphans()
    assert not os.path.exists(cg_dir("pids", "/" + cid))
    assert not os.path.exists(os.path.join(rt.root, cid))
    for p in left:
        assert not os.path.exists(f"/proc/{p}") or open(f"/proc/{p}/stat").read().split(") ")[1][0] in "ZX"


def test_cgroups_path_with_dotdot_is_refused(rt):
    def extra(c):
        c["linux"]["cgroupsPath"] = "/../escape"
    r = rt.run("run", "--bundle", rt.bundle(["true"], edit=extra), rt.new_id())
    assert r.returncode != 0 and "cgroupsPath" in r.stderr and ".." in r.stderr, r


def test_cgroup_manager_disabled_creates_no_cgroup(rt):
    cid = rt.new_id()
    b = rt.bundle(["sleep", "600"], edit=with_resources({"pids": {"limit": 10}}))
    r = rt.run("run", "-d", "--bundle", b, cid, global_args=("--cgroup-manager=disabled",))
    assert r.returncode == 0, r
    pid = rt.state(cid)["pid"]
    with open("/proc/self/cgroup") as f:
        mine = f.read()
    with open(f"/proc/{pid}/cgroup") as f:
        theirs = f.read()
    assert theirs == mine, "the container stays in the runtime's cgroups"
    assert not any(os.path.exists(d + "/" + cid) for d in list(V1.values()) + [UNIFIED] if d)
    r = rt.run("pause", cid)
    assert r.returncode != 0 and "cgroup" in r.stderr, r
    r = rt.run("ps", cid)
    assert r.returncode != 0 and "cgroup" in r.stderr, r


def test_systemd_cgroup_without_systemd_is_a_clear_error(rt):
    with open("/proc/1/comm") as f:
        if f.read().strip() == "systemd":
            pytest.skip("systemd is PID 1 here: the systemd driver would work")
    for flag in (("--systemd-cgroup",), ("--cgroup-manager=systemd",)):
        cid = rt.new_id()
        r = rt.run("run", "--bundle", rt.bundle(["true"]), cid, global_args=flag)
        assert r.returncode != 0
        assert "systemd is not running as PID 1" in r.stderr, r
        assert not os.path.exists(os.path.join(rt.root, cid)), "nothing is left behind"


@pytest.mark.parametrize("res,field", [
    ({"cpu": {"quota": 500, "period": 100000}}, "linux.resources.cpu.quota"),
    ({"cpu": {"cpus": "999"}}, "linux.resources.cpu.cpus"),
    ({"cpu": {"realtimeRuntime": 2000000, "realtimePeriod": 1000000}}, "linux.resources.cpu.realtimeRuntime"),
    ({"blockIO": {"weight": 5}}, "linux.resources.blockIO.weight"),
])
def test_rejected_limit_names_the_resource(rt, res, field):
    if "realtimeRuntime" in field and not os.path.exists(V1.get("cpu", "/nonexistent") + "/cpu.rt_runtime_us"):
        pytest.skip("no RT group scheduling on this host")
    r = run_out(rt, res, "true")
    assert r.returncode != 0 and field in r.stderr, r


def test_parallel_containers_get_their_own_cgroups(rt):
    ids = [rt.new_id() for _ in range(4)]
    bundles = [rt.bundle(["sleep", "600"], edit=with_resources({"pids": {"limit": 10 + i}})) for i in range(4)]
    results = [None] * 4

    def go(i):
        results[i] = rt.run("run", "-d", "--bundle", bundles[i], ids[i])

    threads = [threading.Thread(target=go, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(r.returncode == 0 for r in results), results
    for i, cid in enumerate(ids):
        assert read("pids", "/" + cid, "pids.max") == str(10 + i)
        assert procs_of(cid) == [rt.state(cid)["pid"]]


def test_parallel_containers_never_share_a_cgroups_path(rt, parent_cgroup):
    path = f"/{parent_cgroup}/shared"
    n = 4
    ids = [rt.new_id() for _ in range(n)]

    def extra(c):
        c["linux"]["cgroupsPath"] = path

    bundles = [rt.bundle(["sleep", "600"], edit=extra) for _ in range(n)]
    results = [None] * n
    barrier = threading.Barrier(n)

    def go(i):
        barrier.wait()
        results[i] = rt.run("run", "-d", "--bundle", bundles[i], ids[i])

    threads = [threading.Thread(target=go, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ok = [i for i in range(n) if results[i].returncode == 0]
    assert len(ok) == 1, results
    assert all("already has processes" in results[i].stderr for i in range(n) if i not in ok), results
    assert procs_of(f"{parent_cgroup}/shared") == [rt.state(ids[ok[0]])["pid"]]
    assert rt.run("delete", "--force", ids[ok[0]]).returncode == 0
    assert not os.path.exists(cg_dir("pids", path))


def test_a_join_failing_half_way_leaves_no_cgroup_behind(rt):
    """The init joins the hierarchies one by one; when a later one refuses it (here a pre-existing v1
    cpuset cgroup with no CPUs: ENOSPC), the cgroups we made in the earlier ones must still go away."""
    cpuset = os.path.join(CG, "cpuset")
    if not os.path.isdir(cpuset) or not os.path.isdir(os.path.join(CG, "cpu")):
        pytest.skip("needs v1 cpu and cpuset hierarchies (this test provokes a v1 join failure)")
    name = f"kt-joinfail-{uuid.uuid4().hex[:8]}"
    os.mkdir(os.path.join(cpuset, name))  # not ours: no cpuset.cpus, so joining it fails
    try:
        cid = rt.new_id()
        b = rt.bundle(["true"], edit=lambda c: c["linux"].__setitem__("cgroupsPath", "/" + name))
        r = rt.run("create", "--bundle", b, cid)
        assert r.returncode != 0 and "cpuset" in r.stderr, r
        left = [h for h in os.listdir(CG) if h != "cpuset" and os.path.isdir(os.path.join(CG, h, name))]
        assert left == [], f"cgroups left behind in {left}"
        assert os.path.isdir(os.path.join(cpuset, name)), "a cgroup we did not create must not be removed"
    finally:
        for h in os.listdir(CG):
            d = os.path.join(CG, h, name)
            if os.path.isdir(d):
                os.rmdir(d)
