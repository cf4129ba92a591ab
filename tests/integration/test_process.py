"""process.*: user, groups, umask, env, cwd, capabilities, rlimits, noNewPrivileges, oomScoreAdj."""
import resource

import pytest


def run_out(rt, args, edit=None):
    r = rt.run("run", "--bundle", rt.bundle(args, edit=edit), rt.new_id())
    assert r.returncode == 0, r
    return r.stdout


def status_field(out, name):
    for line in out.splitlines():
        if line.startswith(name + ":"):
            return line.split(":", 1)[1].strip()
    raise AssertionError(f"{name} not in {out!r}")


def test_user_and_groups(rt):
    def edit(c):
        c["process"]["user"] = {"uid": 1000, "gid": 1000, "additionalGids": [10, 20]}
    out = run_out(rt, ["id"], edit)
    assert "uid=1000" in out and "gid=1000" in out
    assert "10" in out.split("groups=")[1] and "20" in out.split("groups=")[1]


def test_umask(rt):
    def edit(c):
        c["process"]["user"]["umask"] = 0o077
    assert run_out(rt, ["sh", "-c", "umask"], edit).strip() == "0077"


def test_default_umask_is_0022(rt):
    assert run_out(rt, ["sh", "-c", "umask"]).strip() == "0022"


def test_env_and_cwd(rt):
    def edit(c):
        c["process"]["env"].append("FOO=bar baz")
        c["process"]["cwd"] = "/tmp"
    out = run_out(rt, ["sh", "-c", 'echo "$FOO"; pwd'], edit)
    assert out.splitlines() == ["bar baz", "/tmp"]


def test_home_from_passwd_when_unset(rt):
    def edit(c):
        c["process"]["user"] = {"uid": 1000, "gid": 1000}
    assert run_out(rt, ["sh", "-c", 'echo "$HOME"'], edit).strip() == "/home/user"


def test_home_kept_when_set(rt):
    def edit(c):
        c["process"]["env"].append("HOME=/custom")
    assert run_out(rt, ["sh", "-c", 'echo "$HOME"'], edit).strip() == "/custom"


def test_capabilities(rt):
    def edit(c):
        caps = ["CAP_KILL", "CAP_CHOWN"]
        c["process"]["capabilities"] = {k: caps for k in ["bounding", "effective", "permitted"]}
    out = run_out(rt, ["cat", "/proc/self/status"], edit)
    want = (1 << 5) | (1 << 0)  # CAP_KILL=5, CAP_CHOWN=0
    assert int(status_field(out, "CapEff"), 16) == want
    assert int(status_field(out, "CapBnd"), 16) == want
    assert int(status_field(out, "CapPrm"), 16) == want
    assert int(status_field(out, "CapInh"), 16) == 0


def test_ambient_capabilities_for_non_root(rt):
    def edit(c):
        caps = ["CAP_NET_BIND_SERVICE"]
        c["process"]["user"] = {"uid": 1000, "gid": 1000}
        c["process"]["capabilities"] = {k: caps for k in ["bounding", "effective", "permitted", "inheritable", "ambient"]}
    out = run_out(rt, ["cat", "/proc/self/status"], edit)
    assert int(status_field(out, "CapAmb"), 16) == 1 << 10
    assert int(status_field(out, "CapEff"), 16) == 1 << 10


def test_no_new_privileges(rt):
    def edit(c):
        c["process"]["noNewPrivileges"] = True
    assert status_field(run_out(rt, ["cat", "/proc/self/status"], edit), "NoNewPrivs") == "1"


def test_no_new_privileges_off(rt):
    def edit(c):
        c["process"]["noNewPrivileges"] = False
    assert status_field(run_out(rt, ["cat", "/proc/self/status"], edit), "NoNewPrivs") == "0"


def test_rlimits_lowered(rt):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want_hard = min(hard, 512)

    def edit(c):
        c["process"]["rlimits"] = [{"type": "RLIMIT_NOFILE", "soft": 256, "hard": want_hard}]
    out = run_out(rt, ["sh", "-c", "ulimit -n; ulimit -Hn"], edit)
    assert out.split() == ["256", str(want_hard)]


def test_raising_hard_rlimit_needs_cap_sys_resource(rt):
    """This sandbox lacks CAP_SYS_RESOURCE: raising a hard limit must fail with a clear error."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY:
        pytest.skip("hard RLIMIT_NOFILE is unlimited here")

    def edit(c):
        c["process"]["rlimits"] = [{"type": "RLIMIT_NOFILE", "soft": hard + 1, "hard": hard + 1}]
    cid = rt.new_id()
    r = rt.run("run", "--bundle", rt.bundle(["true"], edit=edit), cid)
    if r.returncode == 0:
        pytest.skip("this host lets us raise hard rlimits (CAP_SYS_RESOURCE present)")
    assert "RLIMIT_NOFILE" in r.stderr, r


def test_oom_score_adj(rt):
    def edit(c):
        c["process"]["oomScoreAdj"] = 500
    assert run_out(rt, ["cat", "/proc/self/oom_score_adj"], edit).strip() == "500"


def test_args_with_spaces_and_no_shell(rt):
    assert run_out(rt, ["echo", "a  b", "c"]) == "a  b c\n"
