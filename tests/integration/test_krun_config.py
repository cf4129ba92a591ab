"""The libkrun call plan for every annotation and .krun_vm.json field (krun-mode.md §2.4, §3, §7.2), through
the libkrun TEST DOUBLE (tests/libkrun-double, not a VM): precedence, defaults, OCI-derived vCPUs and RAM,
log levels, variants (sev, aws-nitro), passt, GPU, nested virtualization, external kernel, and every
validation error surfacing at `create`. Helpers and fixtures: krun_double.py.
"""
import json
import os

import pytest

from conftest import DOUBLE_DIR
from krun_double import (agent_dir_fd, annotate, calls, fake_devices, krun_funcs, kvm_rdev, krun_runtime, named,
                         write_rootfs)

LEGACY = os.path.join(DOUBLE_DIR, "legacy")
MINIMAL = os.path.join(DOUBLE_DIR, "minimal")
V1_10 = os.path.join(DOUBLE_DIR, "v1_10")


@pytest.fixture
def kvm():
    with fake_devices("/dev/kvm"):
        yield


@pytest.fixture
def krt(tmp_path, rt, kvm):
    return krun_runtime(rt, str(tmp_path / "double.jsonl"))


def vm_json(bundle, **fields):
    write_rootfs(bundle, ".krun_vm.json", json.dumps(fields))


def run_ok(k, b, *global_args, env=None):
    r = k.run(*global_args, "run", "--bundle", b, k.new_id(), env=env)
    assert r.returncode == 0, r
    return r, calls(k, b)


def create_fails(k, b, env=None, global_args=()):
    cid = k.new_id()
    r = k.run(*global_args, "create", "--bundle", b, cid, env=env)
    assert r.returncode != 0
    assert k.run("state", cid).returncode != 0
    assert "krun_start_enter" not in krun_funcs(calls(k, b))
    return r


def vm_config(lines):
    a = named(lines, "krun_set_vm_config")[0]["args"]
    return a["vcpus"], a["ram_mib"]


# ---- precedence, defaults, every field ----

def test_annotations_win_over_the_file(krt):
    b = krt.bundle(args=["true"], edit=annotate(cpus="1", ram_mib="512"))
    vm_json(b, cpus=2, ram_mib=300, virtiofs_shm_size=0)
    _, lines = run_ok(krt, b)
    assert vm_config(lines) == (1, 512)
    assert named(lines, "krun_add_virtiofs2")[0]["args"]["shm_size"] == 0


def test_annotation_zero_wins_over_the_file(krt, tmp_path):
    """A present annotation counts even when it is 0: the file's passt/gpu/nested are switched off."""
    b = krt.bundle(args=["true"], edit=annotate(use_passt="0", gpu_flags="0", nested_virt="0", cpus="0"))
    vm_json(b, use_passt=1, gpu_flags=1, nested_virt=1, cpus=1)
    _, lines = run_ok(krt, b)  # no passt on PATH, no /dev/dri: would fail if the file's values were used
    funcs = krun_funcs(lines)
    for f in ("krun_add_net_unixstream", "krun_set_gpu_options", "krun_set_nested_virt"):
        assert f not in funcs
    assert vm_config(lines)[0] == min(len(os.sched_getaffinity(0)), 16)  # cpus 0 = the default


def test_every_file_field(krt):
    b = krt.bundle(args=["true"])
    write_rootfs(b, "boot/vmlinuz", "kernel")
    write_rootfs(b, "boot/initrd.img", "initrd")
    vm_json(b, cpus=1, ram_mib=256, virtiofs_tag="myroot", virtiofs_shm_size=1 << 20, nested_virt=1,
            kernel_path="/boot/vmlinuz", kernel_format=1, initrd_path="/boot/initrd.img",
            kernel_cmdline="console=hvc0 root=myroot", flavor="plain")
    _, lines = run_ok(krt, b)
    assert krun_funcs(lines)[1:] == ["krun_set_log_level", "krun_add_virtiofs2", "krun_set_vm_config",
                                     "krun_set_rlimits", "krun_check_nested_virt", "krun_set_nested_virt", "krun_set_kernel",
                                     "krun_add_vsock_port2", "krun_start_enter"]
    assert named(lines, "krun_add_virtiofs2")[0]["args"] == {"ctx": 0, "tag": "myroot", "path": "/",
                                                             "shm_size": 1 << 20}
    assert vm_config(lines) == (1, 256)
    assert named(lines, "krun_set_nested_virt")[0]["args"]["enabled"] is True
    k = named(lines, "krun_set_kernel")[0]
    assert k["args"] == {"ctx": 0, "path": "/boot/vmlinuz", "format": 1, "initrd": "/boot/initrd.img",
                         "cmdline": "console=hvc0 root=myroot"}
    assert k["ret"] == 0  # the double found the initrd: paths are resolved in the container root


def test_external_kernel_replaces_libkrunfw(krt):
    """With the double's "no libkrunfw" knob the VM only starts when an external kernel is configured."""
    b = krt.bundle(args=["echo", "booted"])
    write_rootfs(b, "boot/vmlinuz", "kernel")
    vm_json(b, kernel_path="/boot/vmlinuz", kernel_format=0)
    r, lines = run_ok(krt, b, env={"KRUN_DOUBLE_NO_KRUNFW": "1"})
    assert r.stdout == "booted\n"
    assert named(lines, "krun_set_kernel")[0]["args"]["initrd"] is None


@pytest.mark.parametrize("fields,msg", [
    ({"kernel_path": "/boot/vmlinuz"}, ".krun_vm.json: kernel_path: requires kernel_format"),
    ({"kernel_format": 1}, ".krun_vm.json: kernel_format: requires kernel_path"),
    ({"kernel_path": "/k", "kernel_format": 6}, ".krun_vm.json: kernel_format: 6 is over the maximum 5"),
    ({"kernel_path": 7, "kernel_format": 1}, ".krun_vm.json: kernel_path: expected a string, got int"),
    ({"initrd_path": "/i"}, ".krun_vm.json: initrd_path: only used with kernel_path and kernel_format"),
    ({"cpus": 17}, ".krun_vm.json: cpus: 17 is over the maximum 16"),
    ({"cpus": 1.5}, ".krun_vm.json: cpus: expected an integer, got double"),
    ({"use_passt": True}, ".krun_vm.json: use_passt: expected an integer, got boolean"),
    ({"ram_mib": -5}, ".krun_vm.json: ram_mib: -5 is negative"),
    ({"flavor": "tdx"}, ".krun_vm.json: flavor: unknown variant `tdx`"),
    ({"virtiofs_tag": ""}, ".krun_vm.json: virtiofs_tag: must not be empty"),
])
def test_bad_vm_json_fails_at_create(krt, fields, msg):
    b = krt.bundle(args=["true"])
    vm_json(b, **fields)
    r = create_fails(krt, b)
    assert msg in r.stderr, r


def test_invalid_vm_json_fails_at_create(krt):
    b = krt.bundle(args=["true"])
    write_rootfs(b, ".krun_vm.json", '{"cpus": 1')
    assert ".krun_vm.json: invalid JSON" in create_fails(krt, b).stderr


@pytest.mark.parametrize("ann,msg", [
    ({"cpus": "17"}, "annotation krun.cpus: 17 is over the maximum 16"),
    ({"cpus": "two"}, "annotation krun.cpus: `two` is not an integer"),
    ({"cpus": "4abc"}, "annotation krun.cpus: `4abc` is not an integer"),
    ({"ram_mib": "-1"}, "annotation krun.ram_mib: -1 is negative"),
    ({"gpu_flags": "0x10"}, "annotation krun.gpu_flags: `0x10` is not an integer"),
    ({"use_passt": "yes"}, "annotation krun.use_passt: `yes` is not an integer"),
    ({"nested_virt": "-1"}, "annotation krun.nested_virt: -1 is negative"),
    ({"variant": "tdx"}, "annotation krun.variant: unknown variant `tdx`"),
])
def test_bad_annotation_fails_at_create_with_a_json_log_line(krt, tmp_path, ann, msg):
    b = krt.bundle(args=["true"], edit=annotate(**ann))
    log = tmp_path / "runtime.log"
    create_fails(krt, b, global_args=("--log", str(log), "--log-format", "json"))
    records = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
    assert any(rec["level"] == "error" and msg in rec["msg"] for rec in records), records


# ---- derived defaults: RAM and vCPUs from the OCI resources ----

def _memory_limit(mib):
    def edit(cfg):
        cfg["linux"].setdefault("resources", {})["memory"] = {"limit": mib << 20}
    return edit


def test_ram_defaults_to_the_memory_limit_with_a_warning(krt):
    b = krt.bundle(args=["true"], edit=_memory_limit(256))
    r, lines = run_ok(krt, b, "--log-level", "warning")
    assert vm_config(lines)[1] == 256
    assert "guest RAM defaults to the container memory limit (256 MiB)" in r.stderr


def test_ram_below_128_is_ignored_with_a_warning(krt):
    b = krt.bundle(args=["true"], edit=annotate(ram_mib="100"))
    r, lines = run_ok(krt, b, "--log-level", "warning")
    assert vm_config(lines)[1] == 1024
    assert "annotation krun.ram_mib: 100 MiB is below the minimum of 128 MiB, ignored" in r.stderr


def test_tiny_memory_limit_fails_at_create(krt):
    b = krt.bundle(args=["true"], edit=_memory_limit(64))
    r = create_fails(krt, b)
    assert "linux.resources.memory.limit" in r.stderr and "below the minimum of 128 MiB" in r.stderr


@pytest.mark.parametrize("cpu,vcpus", [
    ({"quota": 100000, "period": 100000}, 1),
    ({"quota": 50000, "period": 100000}, 1),
    ({"cpus": "0"}, 1),
])
def test_vcpus_follow_the_cpu_limits(krt, cpu, vcpus):
    def edit(cfg):
        cfg["linux"].setdefault("resources", {})["cpu"] = cpu
    b = krt.bundle(args=["true"], edit=edit)
    _, lines = run_ok(krt, b)
    assert vm_config(lines)[0] == vcpus


def test_vcpus_from_a_quota_above_one_cpu(krt):
    if len(os.sched_getaffinity(0)) < 2:
        pytest.skip("needs 2 CPUs in our affinity mask")

    def edit(cfg):
        cfg["linux"].setdefault("resources", {})["cpu"] = {"quota": 150000, "period": 100000}
    _, lines = run_ok(krt, krt.bundle(args=["true"], edit=edit))
    assert vm_config(lines)[0] == 2  # ceil(1.5)


def test_explicit_cpus_win_over_the_limits(krt):
    def edit(cfg):
        cfg["linux"].setdefault("resources", {})["cpu"] = {"cpus": "0"}
        annotate(cpus="3")(cfg)
    _, lines = run_ok(krt, krt.bundle(args=["true"], edit=edit))
    assert vm_config(lines)[0] == 3


# ---- log level ----

@pytest.mark.parametrize("args,level", [
    ((), 1), (("--log-level", "error"), 1), (("--log-level", "warning"), 2), (("--log-level", "debug"), 4),
    (("--debug",), 4),
])
def test_log_level_follows_our_verbosity(krt, args, level):
    _, lines = run_ok(krt, krt.bundle(args=["true"]), *args)
    assert named(lines, "krun_set_log_level")[0]["args"]["level"] == level


# ---- variants ----

@pytest.fixture
def sev():
    with fake_devices("/dev/kvm", "/dev/sev"):
        yield


def _sev_image(b):
    write_rootfs(b, "krun-sev.json", '{"workload_id": "test"}')
    write_rootfs(b, "disk.img", "")


@pytest.mark.parametrize("how", ["annotation", "file", "legacy"])
def test_sev_variant(krt, sev, how):
    edit = annotate(variant="sev") if how == "annotation" else None
    b = krt.bundle(args=["sh", "-c", "test -c /dev/sev && echo sev-node"], edit=edit)
    _sev_image(b)  # /krun-sev.json alone selects sev (legacy images)
    if how == "file":
        vm_json(b, flavor="sev")
    r, lines = run_ok(krt, b)
    assert r.stdout == "sev-node\n"
    used = [c for c in lines if c["func"].startswith("krun_") and c["func"] != "krun_create_ctx"]
    assert {c["variant"] for c in used} == {"sev"}
    assert [c["variant"] for c in named(lines, "krun_create_ctx")] == ["sev"]  # the only library loaded
    assert krun_funcs(used) == ["krun_set_log_level", "krun_set_root_disk", "krun_set_tee_config_file",
                                "krun_set_vm_config", "krun_set_rlimits", "krun_start_enter"]
    assert named(lines, "krun_set_root_disk")[0]["args"] == {"ctx": 0, "path": "/disk.img"}
    assert named(lines, "krun_set_tee_config_file")[0]["args"] == {"ctx": 0, "path": "/krun-sev.json"}


def test_plain_variant_annotation_wins_over_a_legacy_sev_image(krt, sev):
    b = krt.bundle(args=["true"], edit=annotate(variant="plain"))
    _sev_image(b)
    _, lines = run_ok(krt, b)
    assert named(lines, "krun_start_enter")[0]["variant"] == "plain"
    assert "krun_set_tee_config_file" not in krun_funcs(lines)


def test_sev_device_rule(krt, sev):
    b = krt.bundle(args=["sleep", "300"], edit=annotate(variant="sev"))
    _sev_image(b)
    cid = krt.new_id()
    assert krt.run("run", "--detach", "--bundle", b, cid).returncode == 0
    pid = krt.state(cid)["pid"]
    with open(f"/proc/{pid}/cgroup") as f:
        dev = [line.split(":", 2)[2].strip() for line in f if ":devices:" in line]
    path = f"/sys/fs/cgroup/devices{dev[0]}/devices.list" if dev else None
    if path and os.path.exists(path):
        with open(path) as f:
            rules = f.read().split("\n")
        assert f"c {kvm_rdev()} rwm" in rules and "c 10:124 rwm" in rules
    assert krt.run("delete", "--force", cid).returncode == 0


def test_sev_without_host_device_fails_at_create(krt):
    if os.path.exists("/dev/sev"):
        pytest.skip("the host has /dev/sev")
    b = krt.bundle(args=["true"], edit=annotate(variant="sev"))
    _sev_image(b)
    assert "variant sev: host `/dev/sev` unavailable" in create_fails(krt, b).stderr


def test_sev_rejects_an_external_kernel(krt, sev):
    b = krt.bundle(args=["true"], edit=annotate(variant="sev"))
    _sev_image(b)
    vm_json(b, kernel_path="/k", kernel_format=1)
    assert "kernel_path: not supported by the sev variant" in create_fails(krt, b).stderr


def test_sev_variant_library_missing(krt, sev, tmp_path):
    """Only libkrun.so.1 available: sev names its library."""
    d = tmp_path / "plain-only"
    d.mkdir()
    os.symlink(os.path.join(DOUBLE_DIR, "libkrun.so.1"), d / "libkrun.so.1")
    b = krt.bundle(args=["true"], edit=annotate(variant="sev"))
    _sev_image(b)
    r = create_fails(krt, b, env={"LD_LIBRARY_PATH": str(d)})
    assert "requires libkrun-sev.so.1 (variant sev) but it could not be loaded" in r.stderr


@pytest.fixture
def nitro():
    with fake_devices("/dev/kvm", "/dev/nitro_enclaves"):
        yield


def test_aws_nitro_variant(krt, nitro):
    b = krt.bundle(args=["sh", "-c", "echo nitro $FOO; exit 3"],
                   edit=lambda cfg: (annotate(variant="aws-nitro")(cfg), cfg["process"]["env"].append("FOO=bar")))
    r = krt.run("run", "--bundle", b, krt.new_id())
    assert r.returncode == 3, r
    assert r.stdout == "nitro bar\n"
    lines = calls(krt, b)
    used = [c for c in lines if c["func"].startswith("krun_") and c["func"] != "krun_create_ctx"]
    assert {c["variant"] for c in used} == {"aws-nitro"}
    # libkrun-awsnitro >= 1.19 (and the double's nitro build) exports no krun_add_virtiofs2: not called.
    assert krun_funcs(used) == ["krun_set_log_level", "krun_set_console_output", "krun_set_exec",
                                "krun_set_vm_config", "krun_set_rlimits", "krun_start_enter"]
    assert named(lines, "krun_set_console_output")[0]["args"]["path"] == "/dev/stdout"
    ex = named(lines, "krun_set_exec")[0]["args"]
    assert ex["argv"] == ["sh", "-c", "echo nitro $FOO; exit 3"]
    assert "FOO=bar" in ex["envp"]


def test_aws_nitro_without_virtiofs2_warns(krt, nitro):
    b = krt.bundle(args=["true"], edit=annotate(variant="aws-nitro"))
    r = krt.run("--log-level", "warning", "run", "--bundle", b, krt.new_id())
    assert r.returncode == 0, r
    assert "libkrun-awsnitro.so.1 does not provide krun_add_virtiofs2 (libkrun >= 1.19)" in r.stderr


def test_aws_nitro_without_host_device_fails_at_create(krt):
    if os.path.exists("/dev/nitro_enclaves"):
        pytest.skip("the host has /dev/nitro_enclaves")
    b = krt.bundle(args=["true"], edit=annotate(variant="aws-nitro"))
    assert "variant aws-nitro: host `/dev/nitro_enclaves` unavailable" in create_fails(krt, b).stderr


# ---- passt ----

def fake_passt(tmp_path, exit_code=0):
    """Logs its argv, hands the socket to a background reader that holds it until EOF, exits."""
    d = tmp_path / "bin"
    d.mkdir(exist_ok=True)
    script = ("#!/bin/sh\n"
              f'echo "$@" > {tmp_path}/passt.args\n'
              'while [ $# -gt 0 ]; do [ "$1" = --fd ] && fd=$2; shift; done\n'
              'eval "cat <&$fd >/dev/null &"\n'
              f"exit {exit_code}\n")
    (d / "passt").write_text(script)
    os.chmod(d / "passt", 0o755)
    return {"PATH": f"{d}:{os.environ['PATH']}"}


def test_passt(krt, tmp_path):
    b = krt.bundle(args=["true"], edit=annotate(use_passt="1"))
    _, lines = run_ok(krt, b, env=fake_passt(tmp_path))
    net = named(lines, "krun_add_net_unixstream")
    assert len(net) == 1
    a = net[0]["args"]
    assert a["mac"] == "5a:94:ef:e4:0c:ee" and a["path"] is None
    assert (a["features"], a["flags"], a["fd_domain"], a["fd_type"]) == (0x4C83, 2, 1, 1)
    assert a["fd_peer_alive"] is True
    passt_args = (tmp_path / "passt.args").read_text().split()
    # A parallel test run's fake /dev/nitro_enclaves makes this a "nitro host" (no UDP): both are right.
    assert passt_args[:-1] in (["-t", "all", "-u", "all", "--no-dhcp-dns", "--no-map-gw", "--fd"],
                               ["-t", "all", "--no-map-gw", "--fd"])
    # The passt socket survived fd closing, and it is the only fd beyond stdio.
    assert named(lines, "environment")[0]["args"]["fds"] == [0, 1, 2, a["fd"], agent_dir_fd(lines)]


def test_passt_dhcp_flag_retry_on_legacy_libkrun(krt, tmp_path):
    b = krt.bundle(args=["true"], edit=annotate(use_passt="1"))
    env = dict(fake_passt(tmp_path), LD_LIBRARY_PATH=LEGACY)
    _, lines = run_ok(krt, b, env=env)
    net = named(lines, "krun_add_net_unixstream")
    assert [(c["args"]["flags"], c["ret"]) for c in net] == [(2, -22), (0, 0)]


def test_passt_on_a_nitro_host_omits_udp(krt, nitro, tmp_path):
    b = krt.bundle(args=["true"], edit=annotate(use_passt="1"))
    run_ok(krt, b, env=fake_passt(tmp_path))
    args = (tmp_path / "passt.args").read_text().split()
    assert args[:4] == ["-t", "all", "--no-map-gw", "--fd"]


def test_passt_missing_fails_at_create(krt, tmp_path):
    b = krt.bundle(args=["true"], edit=annotate(use_passt="1"))
    r = create_fails(krt, b, env={"PATH": str(tmp_path)})
    assert "krun.use_passt: `passt` not found in $PATH" in r.stderr


def test_passt_failing_fails_at_create(krt, tmp_path):
    b = krt.bundle(args=["true"], edit=annotate(use_passt="1"))
    r = create_fails(krt, b, env=fake_passt(tmp_path, exit_code=1))
    assert "exited with status 1" in r.stderr


# ---- GPU ----

def _dev_dri(cfg):
    cfg["mounts"].append({"destination": "/dev/dri", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid"]})


def test_gpu_flags(krt):
    b = krt.bundle(args=["true"], edit=lambda cfg: (_dev_dri(cfg), annotate(gpu_flags="1")(cfg)))
    _, lines = run_ok(krt, b)
    assert named(lines, "krun_set_gpu_options")[0]["args"]["virgl_flags"] == 1


def test_gpu_without_dev_dri_fails_at_create(krt):
    b = krt.bundle(args=["true"], edit=annotate(gpu_flags="1"))
    assert "krun.gpu_flags: `/dev/dri` does not exist in the container" in create_fails(krt, b).stderr


def test_gpu_render_server(krt):
    flags = str(1 << 9)
    b = krt.bundle(args=["true"], edit=lambda cfg: (_dev_dri(cfg), annotate(gpu_flags=flags)(cfg)))
    assert "/usr/libexec/virgl_render_server" in create_fails(krt, b).stderr
    write_rootfs(b, "usr/libexec/virgl_render_server", "#!/bin/sh\n", mode=0o755)
    _, lines = run_ok(krt, b)
    assert named(lines, "krun_set_gpu_options")[0]["args"]["virgl_flags"] == 1 << 9


def test_gpu_on_a_build_without_gpu_fails_at_create(krt):
    """libkrun 1.19 built without GPU=1 still exports krun_set_gpu_options (the flags would be ignored);
    krun_has_feature says so, and `create` refuses."""
    b = krt.bundle(args=["true"], edit=lambda cfg: (_dev_dri(cfg), annotate(gpu_flags="1")(cfg)))
    r = create_fails(krt, b, env={"LD_LIBRARY_PATH": MINIMAL})
    assert "krun.gpu_flags: libkrun.so.1 was built without the GPU (GPU=1)" in r.stderr
    assert named(calls(krt, b), "krun_has_feature")[-1]["args"]["feature"] == 2


def test_passt_on_a_build_without_net_fails_at_create(krt, tmp_path):
    b = krt.bundle(args=["true"], edit=annotate(use_passt="1"))
    r = create_fails(krt, b, env=dict(fake_passt(tmp_path), LD_LIBRARY_PATH=MINIMAL))
    assert "krun.use_passt: libkrun.so.1 was built without networking (NET=1)" in r.stderr
    assert not os.path.exists(tmp_path / "passt.args")  # passt never started


def test_legacy_libkrun_loads_libkrunfw_4(krt):
    """libkrun 1.11-1.16 (no krun_has_feature, no krun_disable_implicit_vsock) loads libkrunfw.so.4."""
    b = krt.bundle(args=["true"])
    r = create_fails(krt, b, env={"LD_LIBRARY_PATH": LEGACY, "KRUN_DOUBLE_NO_KRUNFW": "1"})
    assert "could not load its guest kernel library libkrunfw.so.4" in r.stderr
    run_ok(krt, krt.bundle(args=["true"]), env={"LD_LIBRARY_PATH": LEGACY})


# ---- nested virtualization ----

def test_nested_virt_warns_when_unsupported(krt):
    b = krt.bundle(args=["true"], edit=annotate(nested_virt="1"))
    r, lines = run_ok(krt, b, "--log-level", "warning", env={"KRUN_DOUBLE_NESTED": "0"})
    assert named(lines, "krun_check_nested_virt")[0]["ret"] == 0
    assert named(lines, "krun_set_nested_virt")[0]["args"]["enabled"] is True
    assert "krun_check_nested_virt returned 0" in r.stderr
    if not host_nesting():
        assert "nested virtualization is not enabled in the host's KVM module" in r.stderr


def host_nesting():
    for mod in ("kvm_intel", "kvm_amd"):
        try:
            with open(f"/sys/module/{mod}/parameters/nested") as f:
                if f.read(1) in ("Y", "1"):
                    return True
        except OSError:
            pass
    return False


def test_nested_virt_without_symbol_fails_at_create(krt):
    b = krt.bundle(args=["true"], edit=annotate(nested_virt="1"))
    r = create_fails(krt, b, env={"LD_LIBRARY_PATH": V1_10})
    assert "does not provide krun_set_nested_virt, needed for krun.nested_virt" in r.stderr


def test_external_kernel_without_symbol_fails_at_create(krt):
    b = krt.bundle(args=["true"])
    vm_json(b, kernel_path="/k", kernel_format=1)
    r = create_fails(krt, b, env={"LD_LIBRARY_PATH": V1_10})
    assert "does not provide krun_set_kernel, needed for kernel_path in .krun_vm.json" in r.stderr


# ---- device nodes ----

def test_spec_listing_dev_kvm_skips_our_node(krt):
    """With /dev/kvm in linux.devices the user manages the node: ours (the host's numbers) is not created."""
    def edit(cfg):
        cfg["linux"].setdefault("devices", []).append(
            {"path": "/dev/kvm", "type": "c", "major": 1, "minor": 5, "fileMode": 0o666})
    _, lines = run_ok(krt, krt.bundle(args=["true"], edit=edit))
    assert named(lines, "environment")[0]["args"]["dev_kvm"] == "1:5"


def test_planted_dev_kvm_symlink_is_replaced(krt, tmp_path):
    """A /dev the image controls (here a bind-mounted directory) with kvm as a symlink: the symlink is
    replaced by the node, never followed."""
    devdir = tmp_path / "dev"
    devdir.mkdir()
    victim = tmp_path / "victim"
    victim.write_text("precious")
    os.symlink(str(victim), devdir / "kvm")

    def edit(cfg):
        cfg["mounts"].append({"destination": "/dev", "type": "bind", "source": str(devdir), "options": ["rbind"]})
    _, lines = run_ok(krt, krt.bundle(args=["true"], edit=edit))
    assert named(lines, "environment")[0]["args"]["dev_kvm"] == kvm_rdev()
    assert victim.read_text() == "precious"
    assert not os.path.islink(devdir / "kvm")
