"""krun mode on a REAL microVM: only where the host has a working KVM device and a real libkrun (+ libkrunfw).

Never uses the libkrun test double: the runtime runs with LD_LIBRARY_PATH and the double's knobs removed
from its environment, the libkrun found that way must not export the double's marker symbol
(`krun_test_double`) nor live in our build tree, and afterwards no double call log may exist.
Elsewhere the test reports "skipped: no KVM" (or "skipped: no real libkrun" / "skipped: no libkrunfw").
"""
import fcntl
import os
import shutil
import stat
import subprocess
import sys

import pytest

from conftest import BUILD, KRUN, Runtime
from krun_double import real_libkrun_dir

KVM_GET_API_VERSION = 0xAE00  # _IO(KVMIO=0xAE, 0x00)
KVM_API_VERSION = 12


def clean_env():
    """No double: LD_LIBRARY_PATH and the knobs removed; the real libkrun of ../shared/real-libkrun when
    there is one (the probe below still refuses anything that is the double)."""
    env = {k: v for k, v in os.environ.items() if k != "LD_LIBRARY_PATH" and not k.startswith("KRUN_DOUBLE")}
    env.pop("LD_PRELOAD", None)
    d = real_libkrun_dir()
    if d:
        env["LD_LIBRARY_PATH"] = d
    return env


def kvm_works():
    """A real KVM device: a fake node (the double's tests create c 10:232 nodes) fails to open with ENXIO."""
    try:
        if not stat.S_ISCHR(os.stat("/dev/kvm").st_mode):
            return False
        fd = os.open("/dev/kvm", os.O_RDWR | os.O_CLOEXEC)
    except OSError:
        return False
    try:
        return fcntl.ioctl(fd, KVM_GET_API_VERSION) == KVM_API_VERSION
    except OSError:
        return False
    finally:
        os.close(fd)


# Run in a child with the runtime's clean environment: which libkrun.so.1 would the runtime get?
_PROBE = r"""
import ctypes, sys
try:
    lib = ctypes.CDLL("libkrun.so.1")
except OSError as e:
    print("missing", e); sys.exit(0)
marker = hasattr(lib, "krun_test_double")
path = next((l.split()[-1] for l in open("/proc/self/maps") if "libkrun.so.1" in l or "libkrun.so" in l), "?")
try:
    ctypes.CDLL("libkrunfw.so.5"); fw = "yes"
except OSError:
    fw = "no"
print("marker" if marker else "real", path, fw)
"""


def real_libkrun():
    """(ok, reason): whether the runtime would load a real libkrun and libkrunfw."""
    out = subprocess.run([sys.executable, "-c", _PROBE], capture_output=True, text=True, env=clean_env())
    words = out.stdout.split()
    if out.returncode != 0 or not words or words[0] == "missing":
        return False, "skipped: no real libkrun"
    if words[0] == "marker" or os.path.realpath(words[1]).startswith(os.path.realpath(BUILD)) \
            or "libkrun-double" in words[1]:
        return False, "skipped: no real libkrun (only the test double is reachable)"
    if words[2] != "yes":
        return False, "skipped: no libkrunfw"
    return True, ""


def pvm_reason():
    """PVM (module kvm_pvm, no vmx/svm CPU flag) runs small guests but emulates a stock Linux guest such as
    libkrunfw's and dies in early boot (~20 s): the VM cannot be booted there."""
    if os.path.exists("/sys/module/kvm_pvm"):
        return "skipped: PVM KVM (module kvm_pvm) cannot boot libkrunfw's guest kernel"
    try:
        with open("/proc/cpuinfo") as f:
            flags = {w for line in f if line.startswith("flags") for w in line.split()}
    except OSError:
        return None
    if flags and not flags & {"vmx", "svm"}:
        return "skipped: no vmx/svm CPU flag (PVM or emulated KVM) cannot boot libkrunfw's guest kernel"
    return None


@pytest.fixture
def real_krun(rt):
    if not kvm_works():
        pytest.skip("skipped: no KVM")
    reason = pvm_reason()
    if reason:
        pytest.skip(reason)
    ok, reason = real_libkrun()
    if not ok:
        pytest.skip(reason)
    if shutil.which("readelf"):
        out = subprocess.run(["readelf", "-d", KRUN], capture_output=True, text=True)
        assert "libkrun-double" not in out.stdout  # no RPATH to the double either
    k = Runtime(rt.workdir, rt.rootfs_src, binary=KRUN, env=clean_env())
    k.root, k.ids = rt.root, rt.ids  # rt's teardown deletes and checks what we create
    return k


def test_uname_in_the_microvm_differs_from_the_host(real_krun):
    b = real_krun.bundle(args=["uname", "-r"])
    r = real_krun.run("run", "--bundle", b, real_krun.new_id(), timeout=120)
    assert r.returncode == 0, r
    guest = r.stdout.strip()
    assert guest and guest != os.uname().release, r
    assert not os.path.exists(os.path.join(b, "rootfs", ".krun-double.jsonl"))


def test_exit_status_comes_back_from_the_microvm(real_krun):
    b = real_krun.bundle(args=["sh", "-c", "exit 3"])
    r = real_krun.run("run", "--bundle", b, real_krun.new_id(), timeout=120)
    assert r.returncode == 3, r
