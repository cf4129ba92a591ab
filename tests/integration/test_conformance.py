"""Runtime-spec MUSTs and crun behaviours that images and tools rely on (issue 13): a process.cwd that does
not exist, mount destinations behind dangling symlinks, and the smaller conformance points below."""
import json
import os
import subprocess
import uuid

import pytest


def run(rt, args, edit=None, bundle_hook=None):
    b = rt.bundle(args, edit=edit)
    if bundle_hook:
        bundle_hook(b)
    return rt.run("run", "--bundle", b, rt.new_id())


def test_missing_cwd_is_created_inside_the_root_before_the_readonly_remount(rt):
    def edit(c):
        c["process"]["cwd"] = "/srv/app/work"
        c["root"]["readonly"] = True
    r = run(rt, ["pwd"], edit)
    assert r.returncode == 0, r
    assert r.stdout.strip() == "/srv/app/work"


def test_missing_cwd_behind_a_dangling_symlink_stays_inside_the_root(rt, tmp_path):
    outside = tmp_path / "outside-cwd"

    def hook(b):
        os.symlink(str(outside), os.path.join(b, "rootfs", "work"))

    def edit(c):
        c["process"]["cwd"] = "/work"
    r = run(rt, ["pwd"], edit, hook)
    assert r.returncode == 0, r
    assert not outside.exists(), "the symlink was followed out of the rootfs"


@pytest.mark.parametrize("link", ["/data/real", "data/real", "../../data/real"])
def test_mount_destination_behind_a_dangling_symlink_is_created_inside_the_root(rt, tmp_path, link):
    src = tmp_path / "src"
    src.mkdir()
    (src / "marker").write_text("bound")
    bundle = {}

    def hook(b):
        bundle["b"] = b
        os.symlink(link, os.path.join(b, "rootfs", "vol"))

    def edit(c):
        c["mounts"].append({"destination": "/vol", "type": "bind", "source": str(src), "options": ["rbind"]})
    r = run(rt, ["cat", "/data/real/marker"], edit, hook)
    assert r.returncode == 0, r
    assert r.stdout == "bound"
    assert os.path.isdir(os.path.join(bundle["b"], "rootfs", "data", "real"))


def test_file_mount_destination_behind_a_dangling_symlink_is_created_inside_the_root(rt, tmp_path):
    src = tmp_path / "file-src"
    src.write_text("file")
    outside = tmp_path / "outside-file"

    def hook(b):
        os.symlink(str(outside), os.path.join(b, "rootfs", "conf"))

    def edit(c):
        c["mounts"].append({"destination": "/conf", "type": "bind", "source": str(src), "options": ["bind"]})
    r = run(rt, ["cat", str(outside)], edit, hook)
    assert r.returncode == 0, r
    assert r.stdout == "file"
    assert not outside.exists(), "the symlink was followed out of the rootfs"


def _v1_cpu_mount():
    with open("/proc/self/mountinfo") as f:
        for line in f:
            pre, post = line.split(" - ", 1)
            fstype, _, opts = post.split()[:3]
            if fstype == "cgroup" and "cpu" in opts.split(","):
                return pre.split()[4]
    return None


def need_rt_group_sched():
    cpu = _v1_cpu_mount()
    if not cpu or not os.path.exists(cpu + "/cpu.rt_runtime_us"):
        pytest.skip("no cgroup v1 cpu controller with RT group scheduling: real-time policies need no budget")
    with open(cpu + "/cpu.rt_runtime_us") as f:
        if int(f.read()) < 100000:
            pytest.skip("the root cpu cgroup has too little real-time time to hand out")
    return cpu


@pytest.fixture
def parent_cgroup(rt):
    """A cgroup name to nest containers under (the runtime makes it; a delete never removes parents):
    the containers are deleted first, then it is removed from every hierarchy."""
    name = f"kt-parent-{uuid.uuid4().hex[:8]}"
    yield name
    rt.cleanup()
    for hierarchy in os.listdir("/sys/fs/cgroup"):
        top = os.path.join("/sys/fs/cgroup", hierarchy, name)
        if not os.path.isdir(top):
            continue
        for sub, _, _ in sorted(os.walk(top), key=lambda w: -len(w[0])):
            os.rmdir(sub)


def fifo(c, cgroups_path=None):
    c["process"]["scheduler"] = {"policy": "SCHED_FIFO", "priority": 10}
    if cgroups_path:
        c["linux"]["cgroupsPath"] = cgroups_path


def test_fifo_without_a_budget_in_the_config_runs(rt):
    need_rt_group_sched()
    r = run(rt, ["sh", "-c", "grep ^policy /proc/self/sched"], fifo)
    assert r.returncode == 0, r
    assert r.stdout.split()[-1] == "1", r  # SCHED_FIFO


def test_fifo_in_a_nested_cgroup_made_by_the_runtime(rt, parent_cgroup):
    need_rt_group_sched()
    r = run(rt, ["sh", "-c", "grep ^policy /proc/self/sched"],
            lambda c: fifo(c, f"/{parent_cgroup}/{rt.new_id()}"))
    assert r.returncode == 0, r
    assert r.stdout.split()[-1] == "1", r


def test_fifo_under_a_parent_without_room_fails_at_create(rt, parent_cgroup):
    cpu = need_rt_group_sched()
    os.mkdir(os.path.join(cpu, parent_cgroup))  # ours, not the runtime's: it keeps its 0 µs
    cid = rt.new_id()
    r = rt.run("create", "--bundle", rt.bundle(["true"], edit=lambda c: fifo(c, f"/{parent_cgroup}/{cid}")), cid)
    assert r.returncode != 0
    assert "process.scheduler" in r.stderr and "cpu.rt_runtime_us" in r.stderr, r
    assert not os.path.exists(os.path.join(rt.root, cid))
    assert not os.path.exists(os.path.join(cpu, parent_cgroup, cid))


def test_explicit_budget_is_handed_down_through_new_parents(rt, parent_cgroup):
    cpu = need_rt_group_sched()
    cid = rt.new_id()

    def edit(c):
        fifo(c, f"/{parent_cgroup}/{cid}")
        c["linux"]["resources"] = {"cpu": {"realtimeRuntime": 20000, "realtimePeriod": 1000000}}
    r = rt.run("run", "-d", "--bundle", rt.bundle(["sleep", "600"], edit=edit), cid)
    assert r.returncode == 0, r
    for d in (os.path.join(cpu, parent_cgroup), os.path.join(cpu, parent_cgroup, cid)):
        with open(d + "/cpu.rt_runtime_us") as f:
            assert f.read().strip() == "20000", d


def test_failing_poststop_hook_warns_at_the_default_log_level(rt, tmp_path):
    """The spec: the runtime MUST log a warning when a poststop hook fails. crun's default level (error)
    hides ordinary warnings; this one is shown anyway, on stderr and in --log."""
    log = tmp_path / "runtime.log"

    def edit(c):
        c["hooks"] = {"poststop": [{"path": "/bin/false"}]}
    cid = rt.new_id()
    r = rt.run("run", "--bundle", rt.bundle(["true"], edit=edit), cid)
    assert r.returncode == 0, r
    assert "warning:" in r.stderr and "poststop" in r.stderr and "/bin/false" in r.stderr, r
    cid = rt.new_id()
    r = rt.run("run", "--bundle", rt.bundle(["true"], edit=edit), cid,
               global_args=("--log", str(log), "--log-format", "json"))
    assert r.returncode == 0, r
    records = [json.loads(l) for l in log.read_text().splitlines()]
    assert any(x["level"] == "warning" and "/bin/false" in x["msg"] for x in records), records


def test_dest_nofollow_binds_over_the_symlink_itself(rt, tmp_path):
    src = tmp_path / "nofollow-src"
    src.write_text("bound")

    def hook(b):
        with open(os.path.join(b, "rootfs", "target"), "w") as f:
            f.write("orig")
        os.symlink("/target", os.path.join(b, "rootfs", "link"))

    def edit(c):
        c["mounts"].append({"destination": "/link", "type": "bind", "source": str(src),
                            "options": ["bind", "dest-nofollow"]})
    r = run(rt, ["sh", "-c", "cat /link; echo; cat /target"], edit, hook)
    assert r.returncode == 0, r
    assert r.stdout.split() == ["bound", "orig"], r


def test_src_nofollow_binds_the_symlink_itself(rt, tmp_path):
    (tmp_path / "real").write_text("real")
    os.symlink(str(tmp_path / "real"), tmp_path / "src-link")

    def edit(c):
        c["mounts"].append({"destination": "/dst", "type": "bind", "source": str(tmp_path / "src-link"),
                            "options": ["bind", "src-nofollow"]})
    r = run(rt, ["readlink", "/dst"], edit)
    assert r.returncode == 0, r
    assert r.stdout.strip() == str(tmp_path / "real")


def test_device_path_with_a_trailing_slash_is_normalised(rt):
    def edit(c):
        c["linux"]["devices"] = [{"type": "c", "path": "/dev/kt-null/", "major": 1, "minor": 3, "fileMode": 0o666}]
    r = run(rt, ["sh", "-c", "ls -l /dev/kt-null && echo x > /dev/kt-null"], edit)
    assert r.returncode == 0, r
    assert r.stdout.startswith("c"), r


def test_default_devices_exist_without_a_dev_tmpfs(rt):
    def edit(c):
        c["mounts"] = [m for m in c["mounts"] if m["destination"] != "/dev"]
    script = ("for d in null zero full random urandom tty; do ls -l /dev/$d; done; "
              "for l in fd stdin stdout stderr ptmx; do readlink /dev/$l; done; echo x > /dev/null")
    r = run(rt, ["sh", "-c", script], edit)
    assert r.returncode == 0, r
    lines = r.stdout.splitlines()
    assert all(l.startswith("c") for l in lines[:6]), lines
    assert lines[6:] == ["/proc/self/fd", "/proc/self/fd/0", "/proc/self/fd/1", "/proc/self/fd/2", "pts/ptmx"]


def test_memory_kernel_tcp_is_applied_where_the_kernel_has_the_file(rt):
    mem = None
    with open("/proc/self/mountinfo") as f:
        for line in f:
            pre, post = line.split(" - ", 1)
            if post.split()[0] == "cgroup" and "memory" in post.split()[2].split(","):
                mem = pre.split()[4]
    if not mem or not os.path.exists(mem + "/memory.kmem.tcp.limit_in_bytes"):
        pytest.skip("no cgroup v1 memory.kmem.tcp.limit_in_bytes on this kernel")
    cid = rt.new_id()

    def edit(c):
        c["linux"]["resources"] = {"memory": {"kernelTCP": 16 << 20}}
    r = rt.run("run", "-d", "--bundle", rt.bundle(["sleep", "600"], edit=edit), cid)
    assert r.returncode == 0, r
    with open(f"{mem}/{cid}/memory.kmem.tcp.limit_in_bytes") as f:
        assert int(f.read()) == 16 << 20


def test_create_without_process_works_and_start_fails(rt):
    """The spec: `process` is required by `start`, not by `create`."""
    cid = rt.new_id()
    r = rt.run("create", "--bundle", rt.bundle(["true"], edit=lambda c: c.pop("process")), cid)
    assert r.returncode == 0, r
    assert rt.state(cid)["status"] == "created"
    r = rt.run("start", cid)
    assert r.returncode != 0 and "process: missing" in r.stderr, r
    assert rt.run("delete", "--force", cid).returncode == 0
    assert not os.path.exists(os.path.join(rt.root, cid))


def test_run_without_process_is_refused_at_once(rt):
    cid = rt.new_id()
    r = rt.run("run", "--bundle", rt.bundle(["true"], edit=lambda c: c.pop("process")), cid)
    assert r.returncode != 0 and "process: missing" in r.stderr, r
    assert not os.path.exists(os.path.join(rt.root, cid))


def test_delete_regex_removes_every_matching_container(rt):
    """crun's `delete --regex`: ID is a POSIX extended regular expression (unanchored, as crun's regexec)."""
    tag = uuid.uuid4().hex[:6]
    web = [rt.new_id(f"kt-web{tag}") for _ in range(2)]
    other = rt.new_id(f"kt-db{tag}")
    for cid in web:
        assert rt.run("run", "-d", "--bundle", rt.bundle(["sleep", "600"]), cid).returncode == 0
    assert rt.run("create", "--bundle", rt.bundle(["true"]), other).returncode == 0
    # Running ones are refused without --force; the other one is not matched.
    r = rt.run("delete", "--regex", f"^kt-web{tag}-")
    assert r.returncode != 0 and "not in created or stopped state" in r.stderr, r
    assert all(os.path.exists(os.path.join(rt.root, c)) for c in web)
    r = rt.run("delete", "--force", "--regex", f"web{tag}")
    assert r.returncode == 0, r
    assert not any(os.path.exists(os.path.join(rt.root, c)) for c in web)
    assert os.path.exists(os.path.join(rt.root, other))
    assert rt.run("delete", "-f", "-r", "^no-such-container-[0-9]+$").returncode == 0  # no match: no error
    r = rt.run("delete", "-r", "([")
    assert r.returncode != 0 and "invalid regular expression" in r.stderr, r


def test_read_only_image_without_a_dev_tmpfs_still_runs(rt, tmp_path):
    """The default devices go into the image's /dev only where it can take them: an image on a read-only
    filesystem keeps the /dev it has."""
    ro = tmp_path / "ro-rootfs"
    ro.mkdir()
    subprocess.run(["cp", "-a", rt.rootfs_src + "/.", str(ro)], check=True)
    subprocess.run(["mount", "--bind", str(ro), str(ro)], check=True)
    try:
        subprocess.run(["mount", "-o", "remount,bind,ro", str(ro)], check=True)

        def edit(c):
            c["root"]["path"] = str(ro)
            c["mounts"] = [m for m in c["mounts"] if m["destination"] in ("/proc", "/sys")]
            c["linux"]["maskedPaths"] = []  # masking binds /dev/null, which this image has not
        r = rt.run("run", "--bundle", rt.bundle(["sh", "-c", "echo ok"], edit=edit), rt.new_id())
        assert r.returncode == 0 and r.stdout == "ok\n", r
    finally:
        subprocess.run(["umount", "-l", str(ro)], check=True)
