"""Any seccomp profile (issue 11 item 5): `run` and `exec` under the profiles real engines ship (Docker's
default, podman's from containers-common) and under a deny-by-default one that does not allow close_range,
with and without noNewPrivileges (without it the filter loads before the runtime's last syscalls); and the
runtime itself under a filter that answers clone3 with ENOSYS (Docker's profile, valgrind, old kernels)."""
import json
import os
import shutil
import subprocess

import pytest

import seccomp_profiles

HERE = os.path.dirname(os.path.abspath(__file__))
PODMAN_PROFILE = "/usr/share/containers/seccomp.json"


def podman_default(caps):
    if not os.path.exists(PODMAN_PROFILE):
        pytest.skip(f"{PODMAN_PROFILE} (containers-common) is not installed")
    with open(PODMAN_PROFILE) as f:
        return seccomp_profiles.from_engine_format(json.load(f), caps)


PROFILES = {
    "docker": seccomp_profiles.docker_default,
    "podman": podman_default,
    "deny-by-default": lambda caps: seccomp_profiles.deny_by_default(),
}


def filtered_bundle(rt, args, profile, nnp):
    cfg = rt.config()
    cfg["process"]["args"] = args
    cfg["process"]["noNewPrivileges"] = nnp
    cfg["linux"]["seccomp"] = PROFILES[profile](cfg["process"]["capabilities"]["bounding"])
    return rt.bundle(config=cfg)


@pytest.mark.parametrize("nnp", [False, True], ids=["privs", "nnp"])
@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_run_and_exec_under_profile(rt, profile, nnp):
    r = rt.run("run", "--bundle", filtered_bundle(rt, ["sh", "-c", "grep Seccomp: /proc/self/status"], profile, nnp),
               rt.new_id())
    assert r.returncode == 0, r
    assert r.stdout.split() == ["Seccomp:", "2"], r
    cid = rt.new_id()
    r = rt.run("run", "-d", "--bundle", filtered_bundle(rt, ["sleep", "600"], profile, nnp), cid)
    assert r.returncode == 0, r
    r = rt.run("exec", cid, "sh", "-c", "grep Seccomp: /proc/self/status")
    assert r.returncode == 0, r
    assert r.stdout.split() == ["Seccomp:", "2"], r


def test_deny_by_default_still_denies(rt):
    """The filter is really in force: a syscall the profile leaves out fails (mkdir), in run and exec."""
    b = filtered_bundle(rt, ["sh", "-c", "mkdir /x && echo made || echo denied"], "deny-by-default", False)
    r = rt.run("run", "--bundle", b, rt.new_id())
    assert r.returncode == 0 and r.stdout.strip() == "denied", r


@pytest.fixture(scope="module")
def no_clone3(tmp_path_factory):
    if shutil.which("gcc") is None:
        pytest.skip("gcc is needed to build the no_clone3 helper")
    out = str(tmp_path_factory.mktemp("noclone3") / "no_clone3")
    r = subprocess.run(["gcc", "-O1", "-o", out, os.path.join(HERE, "helpers", "no_clone3.c"), "-lseccomp"],
                       capture_output=True, text=True)
    if r.returncode != 0:
        pytest.skip(f"cannot build no_clone3 (libseccomp-dev missing?): {r.stderr.strip()}")
    check = subprocess.run([out, "python3", "-c", "import ctypes,os; l=ctypes.CDLL(None, use_errno=True); "
                            "print(l.syscall(435, 0, 0), ctypes.get_errno())"], capture_output=True, text=True)
    assert check.stdout.split() == ["-1", "38"], check
    return out


def test_runtime_under_clone3_enosys_falls_back_to_clone(rt, no_clone3):
    """Every runtime process inherits the filter: create's clone3 of the init gets ENOSYS."""
    def run(*argv):
        cp = subprocess.run([no_clone3, rt.binary, "--root", rt.root, *argv], capture_output=True, text=True,
                            stdin=subprocess.DEVNULL, timeout=60)
        return cp

    r = run("run", "--bundle", rt.bundle(["echo", "ran"]), rt.new_id())
    assert r.returncode == 0 and r.stdout == "ran\n", r
    cid = rt.new_id()
    assert rt.run("run", "-d", "--bundle", rt.bundle(["sleep", "600"]), cid).returncode == 0
    r = run("exec", cid, "echo", "exec ran")
    assert r.returncode == 0 and r.stdout == "exec ran\n", r
    with open(os.path.join(rt.workdir, "detached.err"), "w+") as err:
        r = subprocess.run([no_clone3, rt.binary, "--root", rt.root, "run", "-d", "--bundle",
                            rt.bundle(["sleep", "600"]), rt.new_id()], stdin=subprocess.DEVNULL,
                           stdout=subprocess.DEVNULL, stderr=err, timeout=60)
        err.seek(0)
        assert r.returncode == 0, err.read()


def test_profile_denying_the_identity_switch_is_named(rt):
    """Without noNewPrivileges, a profile that denies what the runtime needs after loading it is named in
    the error, with the list of what it must allow (exec shares the path: a container whose profile denies
    it never starts)."""
    cfg = rt.config()
    cfg["process"]["noNewPrivileges"] = False
    profile = seccomp_profiles.deny_by_default()
    profile["syscalls"][0]["names"].remove("setresuid")
    cfg["linux"]["seccomp"] = profile
    r = rt.run("run", "--bundle", rt.bundle(["true"], config=cfg), rt.new_id())
    assert r.returncode != 0, r
    assert "linux.seccomp: the profile" in r.stderr and "must allow prctl" in r.stderr, r
    assert "setresuid(0): Operation not permitted" in r.stderr, r
