"""Escapes through `exec` (issue 11 items 1 and 2), with real containers.

CVE-2024-21626 class: a cwd or an executable path through /proc/self/fd/N must never reach a directory the
runtime holds open on the host (`exec --cwd`, `exec --process`, a container whose process.cwd is such a
path, and the create path with an fd inherited from the caller).
CVE-2019-5736 class: while `exec` runs our binary inside the container's pid namespace, a root process of
the container racing on /proc/PID/exe, /proc/PID/mem and /proc/PID/fd must get nowhere, and the runtime
binary must be unchanged afterwards."""
import hashlib
import json
import os
import shutil
import subprocess

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
# A file every Debian host has and the busybox rootfs has not: seeing it means seeing the host.
HOST_ONLY = "/usr/bin/python3"
UP = "/.." * 32
FDS = range(3, 13)
HOSTBIN_C = '#include <stdio.h>\nint main(void) { puts("HOSTBIN"); return 0; }\n'


def escaped_cmd():
    return ["sh", "-c", f"test -e .{UP}{HOST_ONLY} && echo ESCAPED; pwd"]


def running(rt, edit=None):
    cid = rt.new_id()
    b = rt.bundle(["sleep", "600"], edit=edit)
    assert not os.path.exists(os.path.join(b, "rootfs", HOST_ONLY.lstrip("/")))
    r = rt.run("run", "-d", "--bundle", b, cid)
    assert r.returncode == 0, r
    return cid


def assert_refused_or_inside(r, what):
    """Either a clear refusal naming process.cwd, or a process that stayed inside the container."""
    assert "ESCAPED" not in r.stdout, f"{what}: the process saw the host: {r}"
    if r.returncode != 0:
        assert "process.cwd" in r.stderr, f"{what}: unclear error: {r}"


def test_exec_cwd_through_runtime_fds_is_refused(rt):
    cid = running(rt)
    for n in FDS:
        r = rt.run("exec", "--cwd", f"/proc/self/fd/{n}", cid, *escaped_cmd())
        assert r.returncode != 0, f"fd {n}: a magic-link cwd must be refused: {r}"
        assert_refused_or_inside(r, f"exec --cwd /proc/self/fd/{n}")
    r = rt.run("exec", "--cwd", "/proc/self/fd/3", cid, "true")
    assert "is refused" in r.stderr and "/proc/self/fd/3" in r.stderr, r
    # An ordinary cwd still works, and so does a symlink that stays inside.
    r = rt.run("exec", "--cwd", "/etc", cid, "pwd")
    assert r.returncode == 0 and r.stdout.strip() == "/etc", r


def test_exec_process_file_cwd_through_runtime_fds_is_refused(rt, tmp_path):
    cid = running(rt)
    for n in FDS:
        p = tmp_path / f"p{n}.json"
        p.write_text(json.dumps({"cwd": f"/proc/self/fd/{n}", "args": escaped_cmd(), "env": ["PATH=/bin"],
                                 "user": {"uid": 0, "gid": 0}}))
        r = rt.run("exec", "--process", str(p), cid)
        assert r.returncode != 0, f"fd {n}: {r}"
        assert_refused_or_inside(r, f"exec --process (cwd /proc/self/fd/{n})")


def test_container_with_magic_link_cwd_is_refused_at_create_and_exec(rt):
    """process.cwd = /proc/self/fd/N in config.json: create refuses it (it used to accept fd 3, the rootfs,
    and a plain exec, which reuses process.cwd, then started on the host)."""
    for n in (3, 4, 5):
        def edit(c, n=n):
            c["process"]["cwd"] = f"/proc/self/fd/{n}"
        cid = rt.new_id()
        r = rt.run("run", "-d", "--bundle", rt.bundle(["sleep", "600"], edit=edit), cid)
        if r.returncode == 0:
            e = rt.run("exec", cid, *escaped_cmd())
            rt.run("delete", "-f", cid)
            assert_refused_or_inside(e, f"plain exec, process.cwd /proc/self/fd/{n}")
        assert r.returncode != 0 and "process.cwd" in r.stderr and "is refused" in r.stderr, r


def test_create_cwd_through_an_inherited_host_fd_is_refused(rt, tmp_path):
    """The create path: an fd the caller leaked to us (not even --preserve-fds) is a host directory."""
    fd = os.open(str(tmp_path), os.O_RDONLY | os.O_DIRECTORY)
    try:
        def edit(c):
            c["process"]["cwd"] = f"/proc/self/fd/{fd}"
            c["process"]["args"] = escaped_cmd()
        r = rt.run("run", "--bundle", rt.bundle(edit=edit), rt.new_id(), pass_fds=(fd,))
    finally:
        os.close(fd)
    assert_refused_or_inside(r, "run with an inherited fd as cwd")
    assert r.returncode != 0 and "is refused" in r.stderr, r


def test_exec_executable_through_runtime_fds_is_refused(rt, tmp_path):
    """args[0] = /proc/self/fd/N/../..../host/binary: the kernel would run a host file in the container."""
    if shutil.which("gcc") is None:
        pytest.skip("gcc is needed to build the static host binary")
    hostbin = str(tmp_path / "hostbin")
    r = subprocess.run(["gcc", "-static", "-x", "c", "-o", hostbin, "-"], input=HOSTBIN_C, capture_output=True,
                       text=True)
    if r.returncode != 0:
        pytest.skip(f"cannot build a static binary: {r.stderr.strip()}")
    cid = running(rt)
    for n in FDS:
        r = rt.run("exec", cid, f"/proc/self/fd/{n}{UP}{hostbin}")
        assert "HOSTBIN" not in r.stdout, f"fd {n}: a host executable ran: {r}"
        assert r.returncode == 127 and ("is refused" in r.stderr or "not found" in r.stderr), r


@pytest.fixture(scope="module")
def racer(tmp_path_factory):
    """helpers/exe_racer.c, built static so it runs in the busybox rootfs."""
    if shutil.which("gcc") is None:
        pytest.skip("gcc is needed to build the static racer helper")
    out = str(tmp_path_factory.mktemp("racer") / "exe_racer")
    r = subprocess.run(["gcc", "-static", "-O2", "-o", out, os.path.join(HERE, "helpers", "exe_racer.c")],
                       capture_output=True, text=True)
    if r.returncode != 0:
        pytest.skip(f"cannot build the static racer (static libc missing?): {r.stderr.strip()}")
    return out


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def test_exec_process_is_never_reachable_through_proc(rt, racer, tmp_path):
    """A root process of the container scans /proc for our binary while `exec` runs 150 times, as root with
    the container's capabilities: between the capability switch and execve only non-dumpability protects.
    The runtime under test is a copy, so that even a successful attack could not damage the build."""
    os.mkdir(tmp_path / "bin")
    binary = str(tmp_path / "bin" / "crun")  # the name picks the mode
    shutil.copy2(rt.binary, binary)
    rt.binary = binary
    before = sha256(binary)
    st = os.stat(binary)
    cid = rt.new_id()

    def edit(c):
        c["process"]["noNewPrivileges"] = False
    b = rt.bundle(["/racer", str(st.st_dev), str(st.st_ino), "25", "/result"], edit=edit)
    shutil.copy(racer, os.path.join(b, "rootfs", "racer"))
    assert rt.run("run", "-d", "--bundle", b, cid).returncode == 0
    for _ in range(150):
        r = rt.run("exec", cid, "true")
        assert r.returncode == 0, r
    result = os.path.join(b, "rootfs", "result")
    subprocess.run(["sh", "-c", f"until grep -q '^done' {result} 2>/dev/null; do sleep 0.2; done"], timeout=60)
    with open(result) as f:
        lines = f.read().splitlines()
    assert lines and lines[-1].startswith("done"), lines
    assert lines == lines[-1:], f"the container reached the exec process through /proc: {lines[:5]}"
    assert sha256(binary) == before


def test_krun_vmm_is_not_reachable_through_proc(rt, tmp_path):
    """The krun VMM never execs: for the container's whole life its /proc/PID/exe is our binary. A process
    with the VMM's own uid and capabilities (what the container's root has) must not open it."""
    from krun_double import fake_devices, krun_runtime
    with fake_devices("/dev/kvm"):
        krt = krun_runtime(rt, str(tmp_path / "double.jsonl"))
        cid = krt.new_id()
        assert krt.run("run", "--detach", "--bundle", krt.bundle(args=["sleep", "300"]), cid).returncode == 0
        pid = krt.state(cid)["pid"]
        caps = ",".join("+" + c[4:].lower() for c in krt.config()["process"]["capabilities"]["bounding"])

        def peek(p, f):
            return subprocess.run(["setpriv", "--bounding-set", f"-all,{caps}", "--inh-caps", "-all", "cat",
                                   f"/proc/{p}/{f}"], capture_output=True, text=True)
        try:
            for f in ("exe", "environ", "mem"):
                r = peek(pid, f)
                assert r.returncode != 0 and "Permission denied" in r.stderr, (f, r)
            # The probe is able: a plain container's workload (dumpable after its execve) is readable.
            plain = running(rt)
            assert peek(rt.state(plain)["pid"], "environ").returncode == 0
        finally:
            krt.run("delete", "--force", cid)
