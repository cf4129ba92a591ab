"""krun mode end to end through the libkrun TEST DOUBLE (tests/libkrun-double, not a VM).

The double records every libkrun call as JSON lines: in $KRUN_DOUBLE_LOG while the runtime's fd is open,
then (after the init closed fds and switched root) in <rootfs>/.krun-double.jsonl. On a host without KVM
a fake /dev/kvm node (c 10:232) exists only for the duration of a test; nothing opens it.
"""
import json
import os
import stat

import pytest

from conftest import DOUBLE_DIR, KRUN, Runtime

KVM = "/dev/kvm"


@pytest.fixture
def fake_kvm():
    created = False
    if not os.path.exists(KVM):
        os.mknod(KVM, 0o666 | stat.S_IFCHR, os.makedev(10, 232))
        created = True
    yield
    if created:
        os.unlink(KVM)


@pytest.fixture
def krt(tmp_path, rt, fake_kvm):
    """`krun` with the double on the library path; the `rt` fixture's leak checks still apply."""
    log = str(tmp_path / "double.jsonl")
    env = dict(os.environ, LD_LIBRARY_PATH=DOUBLE_DIR, KRUN_DOUBLE_LOG=log)
    k = Runtime(rt.workdir, rt.rootfs_src, binary=KRUN, env=env)
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


def named(lines, func):
    return [c for c in lines if c["func"] == func]


def annotate(**ann):
    def edit(cfg):
        cfg.setdefault("annotations", {}).update({k.replace("_", ".", 1): v for k, v in ann.items()})
    return edit


def affinity():
    return min(len(os.sched_getaffinity(0)), 16)


def test_run_default_sequence_and_output(krt):
    b = krt.bundle(args=["echo", "hello"])
    r = krt.run("run", "--bundle", b, krt.new_id())
    assert r.returncode == 0, r
    assert r.stdout == "hello\n"
    lines = calls(krt, b)
    funcs = [c["func"] for c in lines if c["func"].startswith("krun_")]
    assert funcs == ["krun_create_ctx"] * 3 + ["krun_set_log_level", "krun_add_virtiofs2", "krun_set_vm_config",
                                               "krun_start_enter"]
    assert named(lines, "krun_add_virtiofs2")[0]["args"] == {"ctx": 0, "tag": "/dev/root", "path": "/",
                                                             "shm_size": 536870912}
    vm = named(lines, "krun_set_vm_config")[0]["args"]
    assert (vm["vcpus"], vm["ram_mib"]) == (affinity(), 1024)
    assert named(lines, "krun_set_log_level")[0]["args"]["level"] == 1
    # krun_create_ctx ran in the runtime, in the host mount namespace, before the container existed.
    host_ns = os.readlink("/proc/self/ns/mnt")
    assert all(c["mntns"] == host_ns for c in named(lines, "krun_create_ctx"))
    assert named(lines, "krun_start_enter")[0]["mntns"] != host_ns
    env = named(lines, "environment")[0]["args"]
    assert env["dev_kvm"] == "10:232"


@pytest.mark.parametrize("code", [0, 1, 7, 125])
def test_exit_status_is_the_workload_status(krt, code):
    b = krt.bundle(args=["sh", "-c", f"exit {code}"])
    r = krt.run("run", "--bundle", b, krt.new_id())
    assert r.returncode == code, r


def test_env_and_cwd_come_from_krun_config(krt):
    def edit(cfg):
        cfg["process"]["env"].append("FOO=bar")
        cfg["process"]["cwd"] = "/tmp"
    b = krt.bundle(args=["sh", "-c", "echo $FOO $HOME; pwd"], edit=edit)
    r = krt.run("run", "--bundle", b, krt.new_id())
    assert r.returncode == 0, r
    assert r.stdout.split("\n")[:2] == ["bar /", "/tmp"]


def test_krun_config_is_the_bundle_config_read_only(krt):
    b = krt.bundle(args=["true"])
    r = krt.run("run", "--bundle", b, krt.new_id())
    assert r.returncode == 0, r
    dst = os.path.join(b, "rootfs", ".krun_config.json")
    with open(os.path.join(b, "config.json"), "rb") as f, open(dst, "rb") as g:
        assert f.read() == g.read()
    assert stat.S_IMODE(os.lstat(dst).st_mode) == 0o444


def test_planted_symlink_is_not_followed(krt, tmp_path):
    victim = tmp_path / "victim"
    victim.write_text("precious")
    b = krt.bundle(args=["true"])
    os.symlink(str(victim), os.path.join(b, "rootfs", ".krun_config.json"))
    r = krt.run("run", "--bundle", b, krt.new_id())
    assert r.returncode == 0, r
    assert victim.read_text() == "precious"
    assert not os.path.islink(os.path.join(b, "rootfs", ".krun_config.json"))


def test_annotations_and_file_precedence(krt):
    b = krt.bundle(args=["true"], edit=annotate(krun_cpus="1", krun_ram_mib="512"))
    with open(os.path.join(b, "rootfs", ".krun_vm.json"), "w") as f:
        json.dump({"cpus": 3, "ram_mib": 300, "virtiofs_shm_size": 0}, f)
    r = krt.run("run", "--bundle", b, krt.new_id())
    assert r.returncode == 0, r
    lines = calls(krt, b)
    vm = named(lines, "krun_set_vm_config")[0]["args"]
    assert (vm["vcpus"], vm["ram_mib"]) == (1, 512)
    assert named(lines, "krun_add_virtiofs2")[0]["args"]["shm_size"] == 0


@pytest.mark.parametrize("ann,msg", [
    ({"krun.cpus": "17"}, "annotation krun.cpus: 17 is over the maximum 16"),
    ({"krun.cpus": "two"}, "annotation krun.cpus: `two` is not an integer"),
    ({"krun.ram_mib": "-1"}, "annotation krun.ram_mib: -1 is negative"),
    ({"krun.variant": "tdx"}, "annotation krun.variant: unknown variant `tdx`"),
])
def test_bad_annotation_fails_at_create(krt, ann, msg):
    b = krt.bundle(args=["true"], edit=lambda cfg: cfg.setdefault("annotations", {}).update(ann))
    cid = krt.new_id()
    r = krt.run("create", "--bundle", b, cid)
    assert r.returncode != 0
    assert msg in r.stderr
    assert krt.run("state", cid).returncode != 0


def test_bad_vm_json_type_fails_at_create(krt):
    b = krt.bundle(args=["true"])
    with open(os.path.join(b, "rootfs", ".krun_vm.json"), "w") as f:
        f.write('{"cpus": "4"}')
    r = krt.run("create", "--bundle", b, krt.new_id())
    assert r.returncode != 0
    assert ".krun_vm.json: cpus: expected an integer, got string" in r.stderr


def test_missing_executable_fails_at_create(krt):
    b = krt.bundle(args=["no-such-program"])
    r = krt.run("create", "--bundle", b, krt.new_id())
    assert r.returncode != 0
    assert "executable file `no-such-program` not found in $PATH" in r.stderr


def test_passt(krt, tmp_path):
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "passt").write_text('#!/bin/sh\necho "$@" > %s/passt.args\nexit 0\n' % tmp_path)
    os.chmod(fake / "passt", 0o755)
    b = krt.bundle(args=["true"], edit=annotate(krun_use_passt="1"))
    r = krt.run("run", "--bundle", b, krt.new_id(), env={"PATH": f"{fake}:{os.environ['PATH']}"})
    assert r.returncode == 0, r
    net = named(calls(krt, b), "krun_add_net_unixstream")[0]["args"]
    assert net["mac"] == "5a:94:ef:e4:0c:ee"
    assert (net["features"], net["flags"], net["fd_domain"], net["fd_type"]) == (0x4C83, 2, 1, 1)
    assert (tmp_path / "passt.args").read_text().startswith("-t all -u all --no-dhcp-dns --no-map-gw --fd ")


def test_gpu_without_symbol_fails_at_create(krt):
    b = krt.bundle(args=["true"], edit=annotate(krun_gpu_flags="1"))
    r = krt.run("create", "--bundle", b, krt.new_id(),
                env={"LD_LIBRARY_PATH": os.path.join(DOUBLE_DIR, "minimal")})
    assert r.returncode != 0
    assert "krun_set_gpu_options" in r.stderr


def test_no_libkrun_is_a_hard_error(krt):
    b = krt.bundle(args=["true"])
    r = krt.run("create", "--bundle", b, krt.new_id(), env={"LD_LIBRARY_PATH": "/nonexistent"})
    assert r.returncode != 0
    for lib in ("libkrun.so.1", "libkrun-sev.so.1", "libkrun-awsnitro.so.1"):
        assert lib in r.stderr


def test_no_kvm_fails_at_create(rt, tmp_path):
    if os.path.exists(KVM):
        pytest.skip("the host has /dev/kvm")
    env = dict(os.environ, LD_LIBRARY_PATH=DOUBLE_DIR, KRUN_DOUBLE_LOG=str(tmp_path / "d.jsonl"))
    k = Runtime(rt.workdir, rt.rootfs_src, binary=KRUN, env=env)
    k.root, k.ids = rt.root, rt.ids
    b = k.bundle(args=["true"])
    r = k.run("run", "--bundle", b, k.new_id())
    assert r.returncode != 0
    assert "/dev/kvm" in r.stderr and "unavailable" in r.stderr
