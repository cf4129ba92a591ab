"""The runtime against a REAL libkrun (not the test double): every configuration call the runtime makes for
each feature combination is accepted by the real library, up to krun_start_enter.

Which library: <repo>/../shared/real-libkrun (libkrun 1.19.0 + libkrunfw 5.5.0; CI clones the repository
beside shared/), or $KRUN_REAL_LIBKRUN_DIR. Without one the tests skip saying so.

How it is observed, without any test-only code path in the runtime: `--log-level=debug` makes the container
init log each libkrun call with its result ("krun: krun_set_vm_config -> 0") and "entering
krun_start_enter" right before the VMM takes over. Then:
* where /dev/kvm cannot be opened (a placeholder node, as on machines whose KVM is unusable), libkrun's
  krun_start_enter fails with that errno and the container exits 1: the configuration was still accepted;
* where it can, the VMM runs (on a PVM host the stock guest needs ~20 s to die): the test waits for
  libkrun's own debug output and ends the container with SIGKILL.
"""
import os
import re
import subprocess
import time

import pytest

from conftest import KRUN, Runtime
from krun_double import annotate, fake_devices, real_libkrun_dir, write_rootfs

CALL = re.compile(r"krun: (krun_[a-z0-9_]+) -> (-?\d+)")


@pytest.fixture
def real(rt, tmp_path):
    d = real_libkrun_dir()
    if not d:
        pytest.skip("skipped: no real libkrun (<repo>/../shared/real-libkrun or $KRUN_REAL_LIBKRUN_DIR)")
    env = {k: v for k, v in os.environ.items() if not k.startswith("KRUN_DOUBLE") and k != "LD_PRELOAD"}
    env["LD_LIBRARY_PATH"] = d
    k = Runtime(rt.workdir, rt.rootfs_src, binary=KRUN, env=env)
    k.root, k.ids = rt.root, rt.ids  # rt's teardown deletes and checks what we create
    with fake_devices("/dev/kvm"):
        yield k


def run_until_start_enter(k, b, tmp_path, timeout=60):
    """`krun run` with debug logging until the VMM took over; returns (libkrun calls and results, stderr,
    exit status or None when the VMM was still running and had to be killed)."""
    cid = k.new_id()
    err_path = tmp_path / f"{cid}.stderr"
    with open(err_path, "w") as err, open(os.devnull, "w") as out:
        p = subprocess.Popen([k.binary, "--root", k.root, "--log-level", "debug", "run", "--bundle", b, cid],
                             stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=k.env)
    status = None
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            status = p.poll()
            text = err_path.read_text(errors="replace")
            if status is not None:
                break
            if "entering krun_start_enter" in text:
                time.sleep(2)  # let libkrun log its device set
                status = p.poll()
                if status is None:
                    k.run("kill", cid, "KILL")
                    p.wait(timeout=30)
                break
            time.sleep(0.1)
        else:
            raise AssertionError(f"no krun_start_enter within {timeout}s: {err_path.read_text()}")
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
        k.run("delete", "--force", cid)
    text = err_path.read_text(errors="replace")
    return [(m[0], int(m[1])) for m in CALL.findall(text)], text, status


def assert_accepted(calls, text, status, expected):
    # The in-guest agent's port (listen mode, a socket in the state directory) is the last call before
    # krun_start_enter in every plain-variant run.
    expected = expected + ["krun_add_vsock_port2"]
    assert [c for c, _ in calls] == expected, text
    assert all(r >= 0 for _, r in calls), text
    # Every configuration call answered >= 0 and the init went on into krun_start_enter; whatever happens
    # after that (the VMM killed, or KVM unusable here) is libkrun's.
    assert "entering krun_start_enter" in text, text
    assert status is None or status != 0 or "Kvm" not in text, text


BASE = ["krun_set_log_level", "krun_add_virtiofs2", "krun_set_vm_config", "krun_set_rlimits"]


def test_plain(real, tmp_path):
    b = real.bundle(args=["true"], edit=lambda cfg: cfg["process"].pop("rlimits", None))
    calls, text, status = run_until_start_enter(real, b, tmp_path)
    assert_accepted(calls, text, status, BASE[:3])


def test_env_cwd_user_and_rlimits(real, tmp_path):
    def edit(cfg):
        cfg["process"]["env"].append("FOO=bar baz")
        cfg["process"]["cwd"] = "/tmp"
        cfg["process"]["user"] = {"uid": 1000, "gid": 1000}
        cfg["process"]["rlimits"] = [{"type": "RLIMIT_NOFILE", "soft": 4096, "hard": 8192},
                                     {"type": "RLIMIT_CORE", "soft": 0, "hard": 18446744073709551615}]
    b = real.bundle(args=["sh", "-c", "echo $FOO"], edit=edit)
    os.makedirs(os.path.join(b, "rootfs", "tmp"), exist_ok=True)
    calls, text, status = run_until_start_enter(real, b, tmp_path)
    assert_accepted(calls, text, status, BASE)


def test_kernel_fields_of_krun_vm_json(real, tmp_path):
    b = real.bundle(args=["true"])
    write_rootfs(b, "boot/vmlinuz", b"\0" * 4096)
    write_rootfs(b, "boot/initrd.img", b"\0" * 4096)
    write_rootfs(b, ".krun_vm.json", '{"kernel_path": "/boot/vmlinuz", "kernel_format": 0, '
                 '"initrd_path": "/boot/initrd.img", "kernel_cmdline": "console=hvc0", "cpus": 2, "ram_mib": 512}')
    calls, text, status = run_until_start_enter(real, b, tmp_path)
    assert_accepted(calls, text, status, BASE + ["krun_set_kernel"])


def test_nested_virt(real, tmp_path):
    b = real.bundle(args=["true"], edit=annotate(nested_virt="1"))
    calls, text, status = run_until_start_enter(real, b, tmp_path)
    # krun_check_nested_virt answers 0 or 1 here (a warning only), krun_set_nested_virt must accept.
    assert_accepted(calls, text, status, BASE + ["krun_check_nested_virt", "krun_set_nested_virt"])


def test_passt(real, tmp_path):
    """libkrun's default build has no virtio-net (NET=1 is opt-in): krun_has_feature says so and `create`
    refuses with one line; a NET build must accept the passt socket."""
    b = real.bundle(args=["true"], edit=annotate(use_passt="1"))
    cid = real.new_id()
    r = real.run("create", "--bundle", b, cid)
    if r.returncode != 0:
        assert "krun.use_passt: libkrun.so.1 was built without networking (NET=1)" in r.stderr, r
        assert real.run("state", cid).returncode != 0
        return
    real.run("delete", "--force", cid)
    calls, text, status = run_until_start_enter(real, b, tmp_path)
    assert_accepted(calls, text, status, BASE + ["krun_add_net_unixstream"])


def test_gpu_flags_on_a_build_without_gpu(real):
    def edit(cfg):
        cfg["mounts"].append({"destination": "/dev/dri", "type": "tmpfs", "source": "tmpfs"})
        annotate(gpu_flags="1")(cfg)
    b = real.bundle(args=["true"], edit=edit)
    cid = real.new_id()
    r = real.run("create", "--bundle", b, cid)
    if r.returncode == 0:
        real.run("delete", "--force", cid)
        pytest.skip("this libkrun has the GPU device")
    assert "krun.gpu_flags: libkrun.so.1 was built without the GPU (GPU=1)" in r.stderr, r
