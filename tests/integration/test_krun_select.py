"""Which executor runs a container (krun-mode.md §1), and whether `--version` / `features` advertise libkrun.
VM runs go through the libkrun TEST DOUBLE (tests/libkrun-double, not a VM); see krun_double.py.
"""
import ctypes
import json
import os
import subprocess

import pytest

from conftest import CRUN, DOUBLE_DIR, KRUN
from krun_double import annotate, calls, fake_devices, krun_funcs, krun_runtime


@pytest.fixture
def kvm():
    with fake_devices("/dev/kvm"):
        yield


def host_has_libkrun():
    """Whether some libkrun soname loads without our LD_LIBRARY_PATH (a real one installed on the host)."""
    for lib in ("libkrun.so.1", "libkrun-sev.so.1", "libkrun-awsnitro.so.1"):
        try:
            ctypes.CDLL(lib)
            return True
        except OSError:
            pass
    return False


def test_crun_with_handler_annotation_runs_in_the_vm_executor(rt, tmp_path, kvm):
    c = krun_runtime(rt, str(tmp_path / "d.jsonl"), binary=CRUN)
    b = c.bundle(args=["echo", "in the vm executor"], edit=annotate({"run.oci.handler": "krun"}))
    r = c.run("run", "--bundle", b, c.new_id())
    assert r.returncode == 0, r
    assert r.stdout == "in the vm executor\n"
    assert krun_funcs(calls(c, b))[-6:] == ["krun_set_log_level", "krun_add_virtiofs2", "krun_set_vm_config",
                                            "krun_set_rlimits", "krun_add_vsock_port2", "krun_start_enter"]


def test_crun_without_annotation_is_native(rt, tmp_path, kvm):
    c = krun_runtime(rt, str(tmp_path / "d.jsonl"), binary=CRUN)
    b = c.bundle(args=["echo", "native"])
    r = c.run("run", "--bundle", b, c.new_id())
    assert r.returncode == 0, r
    assert r.stdout == "native\n"
    assert calls(c, b) == []  # libkrun was not even loaded


def test_krun_plus_handler_annotation_is_refused(rt, tmp_path, kvm):
    k = krun_runtime(rt, str(tmp_path / "d.jsonl"))
    b = k.bundle(args=["true"], edit=annotate({"run.oci.handler": "krun"}))
    cid = k.new_id()
    r = k.run("run", "--bundle", b, cid)
    assert r.returncode != 0
    assert "invalid attempt to override already configured global handler" in r.stderr
    assert "Permission denied" in r.stderr  # EACCES, as upstream
    assert k.run("state", cid).returncode != 0
    assert calls(k, b) == []


def test_sandbox_container_runs_natively_under_krun(rt, tmp_path):
    """The pod's infra container starts natively even with `krun`: no libkrun, no /dev/kvm needed."""
    k = krun_runtime(rt, str(tmp_path / "d.jsonl"), lib_dir="/nonexistent")
    b = k.bundle(args=["sh", "-c", "echo native; test -e /dev/kvm || echo no-kvm"],
                 edit=annotate({"io.kubernetes.cri.container-type": "sandbox"}))
    r = k.run("run", "--bundle", b, k.new_id())
    assert r.returncode == 0, r
    assert r.stdout == "native\nno-kvm\n"
    assert calls(k, b) == []


def test_non_sandbox_container_type_still_runs_in_the_vm(rt, tmp_path, kvm):
    k = krun_runtime(rt, str(tmp_path / "d.jsonl"))
    b = k.bundle(args=["true"], edit=annotate({"io.kubernetes.cri.container-type": "container"}))
    r = k.run("run", "--bundle", b, k.new_id())
    assert r.returncode == 0, r
    assert "krun_start_enter" in krun_funcs(calls(k, b))


def test_unknown_handler_annotation_is_an_error(rt, tmp_path):
    c = krun_runtime(rt, str(tmp_path / "d.jsonl"), binary=CRUN)
    b = c.bundle(args=["true"], edit=annotate({"run.oci.handler": "wasm"}))
    cid = c.new_id()
    r = c.run("run", "--bundle", b, cid)
    assert r.returncode != 0
    assert "run.oci.handler: unknown handler `wasm`" in r.stderr
    assert c.run("state", cid).returncode != 0


def test_unknown_handler_from_invocation_name_is_an_error(rt, tmp_path):
    link = tmp_path / "crun-wasm"
    os.symlink(CRUN, link)
    c = krun_runtime(rt, str(tmp_path / "d.jsonl"), binary=str(link))
    b = c.bundle(args=["true"])
    cid = c.new_id()
    r = c.run("run", "--bundle", b, cid)
    assert r.returncode != 0
    assert "invoked as `crun-wasm`: unknown handler `wasm`" in r.stderr
    assert c.run("state", cid).returncode != 0


def test_crun_krun_name_selects_the_vm_executor(rt, tmp_path, kvm):
    link = tmp_path / "crun-krun"
    os.symlink(CRUN, link)
    c = krun_runtime(rt, str(tmp_path / "d.jsonl"), binary=str(link))
    b = c.bundle(args=["true"])
    r = c.run("run", "--bundle", b, c.new_id())
    assert r.returncode == 0, r
    assert "krun_start_enter" in krun_funcs(calls(c, b))


def _version_features(binary, lib_dir):
    env = dict(os.environ)
    env.pop("LD_LIBRARY_PATH", None)
    if lib_dir:
        env["LD_LIBRARY_PATH"] = lib_dir
    v = subprocess.run([binary, "--version"], capture_output=True, text=True, env=env, check=True).stdout
    f = subprocess.run([binary, "features"], capture_output=True, text=True, env=env, check=True).stdout
    return v.splitlines()[-1].split(), json.loads(f)


@pytest.mark.parametrize("binary", [CRUN, KRUN])
def test_version_and_features_with_a_loadable_libkrun(binary):
    tags, features = _version_features(binary, DOUBLE_DIR)
    assert "+LIBKRUN" in tags and "-LIBKRUN" not in tags
    assert features["annotations"]["org.krun.libkrun.available"] == "true"
    assert "krun." in features["potentiallyUnsafeConfigAnnotations"]


@pytest.mark.parametrize("binary", [CRUN, KRUN])
def test_version_and_features_without_libkrun(binary):
    if host_has_libkrun():
        pytest.skip("a libkrun is installed on this host: the negative case cannot be shown")
    tags, features = _version_features(binary, "/nonexistent")
    assert "-LIBKRUN" in tags and "+LIBKRUN" not in tags
    assert features["annotations"]["org.krun.libkrun.available"] == "false"


def test_version_needs_the_entry_point(tmp_path):
    """A library with libkrun's soname but no krun_create_ctx (here: libm) is not a usable libkrun."""
    if host_has_libkrun():
        pytest.skip("a libkrun is installed on this host")
    src = next((p for p in ("/lib/x86_64-linux-gnu/libm.so.6", "/usr/lib/x86_64-linux-gnu/libm.so.6",
                            "/lib64/libm.so.6", "/usr/lib64/libm.so.6") if os.path.exists(p)), None)
    if src is None:
        pytest.skip("no libm at a known path to stand in for libkrun")
    d = tmp_path / "lib"
    d.mkdir()
    os.symlink(src, d / "libkrun.so.1")
    tags, features = _version_features(KRUN, str(d))
    assert "-LIBKRUN" in tags
    assert features["annotations"]["org.krun.libkrun.available"] == "false"
