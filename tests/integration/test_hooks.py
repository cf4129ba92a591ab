"""OCI hooks end to end: each kind at its lifecycle point, in its namespace, with the state JSON on stdin;
timeouts; which failures abort `create`/`start` (leaving nothing) and which only warn (poststop)."""
import json
import os
import stat
import time

import pytest

HOST_MNT_NS = os.readlink("/proc/self/ns/mnt")

# Records what the hook saw: its stdin (the state JSON), its mount namespace and its cwd.
RECORDER = """#!/bin/sh
out="$1"
cat > "$out.json"
readlink /proc/self/ns/mnt > "$out.mnt"
pwd > "$out.cwd"
"""


def write_script(path, text):
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, stat.S_IRWXU | stat.S_IRGRP | stat.S_IXGRP | stat.S_IROTH | stat.S_IXOTH)


def record_hook(script, out):
    return {"path": script, "args": [script, out]}


def read_record(out):
    with open(out + ".json") as f:
        state = json.load(f)
    with open(out + ".mnt") as f:
        mnt = f.read().strip()
    with open(out + ".cwd") as f:
        cwd = f.read().strip()
    return state, mnt, cwd


@pytest.fixture
def recorder(tmp_path):
    p = str(tmp_path / "record.sh")
    write_script(p, RECORDER)
    return p


def hooked_bundle(rt, recorder, tmp_path, args=None):
    """A bundle with one recording hook of every kind. startContainer's path resolves inside the
    container, so the recorder is copied into the rootfs and writes below /."""
    outs = {k: str(tmp_path / f"out-{k}") for k in ("prestart", "createRuntime", "createContainer", "poststart",
                                                      "poststop")}

    def edit(c):
        c["hooks"] = {k: [record_hook(recorder, o)] for k, o in outs.items()}
        c["hooks"]["startContainer"] = [record_hook("/record.sh", "/out-startContainer")]
        c["annotations"] = {"org.test.hooks": "yes"}

    b = rt.bundle(args or ["true"], edit=edit)
    write_script(os.path.join(b, "rootfs", "record.sh"), RECORDER)
    outs["startContainer"] = os.path.join(b, "rootfs", "out-startContainer")
    return b, outs


def test_every_hook_kind_sees_its_state_and_namespace(rt, recorder, tmp_path):
    b, outs = hooked_bundle(rt, recorder, tmp_path, ["sleep", "30"])
    cid = rt.new_id()
    rt.run("create", "--bundle", b, cid, check=True)
    init_pid = rt.state(cid)["pid"]
    container_mnt = os.readlink(f"/proc/{init_pid}/ns/mnt")
    assert container_mnt != HOST_MNT_NS
    # create ran the first three, and nothing of start yet.
    for k in ("prestart", "createRuntime", "createContainer"):
        assert os.path.exists(outs[k] + ".json"), k
    for k in ("startContainer", "poststart", "poststop"):
        assert not os.path.exists(outs[k] + ".json"), k

    rt.run("start", cid, check=True)
    assert os.path.exists(outs["poststart"] + ".json")
    assert not os.path.exists(outs["poststop"] + ".json")
    rt.run("delete", "--force", cid, check=True)

    want = {
        "prestart": ("creating", HOST_MNT_NS),
        "createRuntime": ("creating", HOST_MNT_NS),
        "createContainer": ("creating", container_mnt),
        "startContainer": ("created", container_mnt),
        "poststart": ("running", HOST_MNT_NS),
        "poststop": ("stopped", HOST_MNT_NS),
    }
    for kind, (status, mnt) in want.items():
        state, hook_mnt, cwd = read_record(outs[kind])
        assert state["id"] == cid, kind
        assert state["status"] == status, kind
        assert state["bundle"] == b, kind
        assert state["annotations"] == {"org.test.hooks": "yes"}, kind
        assert hook_mnt == mnt, kind
        if kind in ("prestart", "createRuntime", "poststart"):
            assert state["pid"] == init_pid, kind  # the init as the host sees it
            assert cwd == b, kind
        elif kind in ("createContainer", "startContainer"):
            assert state["pid"] == 1, kind  # the init inside its pid namespace
        else:
            assert state["pid"] == 0, kind  # poststop: the process is gone


def test_run_runs_hooks_in_order(rt, tmp_path):
    log = str(tmp_path / "order.log")
    script = str(tmp_path / "append.sh")
    write_script(script, f'#!/bin/sh\necho "$1" >> {log}\n')

    def edit(c):
        c["hooks"] = {k: [{"path": script, "args": [script, k]}]
                      for k in ("prestart", "createRuntime", "createContainer", "poststart", "poststop")}

    r = rt.run("run", "--bundle", rt.bundle(["true"], edit=edit), rt.new_id())
    assert r.returncode == 0, r
    with open(log) as f:
        assert f.read().split() == ["prestart", "createRuntime", "createContainer", "poststart", "poststop"]


def test_hook_env_and_output_annotations(rt, tmp_path):
    out = str(tmp_path / "hook.out")
    script = str(tmp_path / "env.sh")
    write_script(script, '#!/bin/sh\necho "FOO=$FOO"\necho oops >&2\n')

    def edit(c):
        c["hooks"] = {"prestart": [{"path": script, "env": ["FOO=bar"]}]}
        c["annotations"] = {"run.oci.hooks.stdout": out, "run.oci.hooks.stderr": out}

    r = rt.run("run", "--bundle", rt.bundle(["true"], edit=edit), rt.new_id())
    assert r.returncode == 0, r
    assert "FOO=" not in r.stdout and "oops" not in r.stderr  # never on the runtime's stdio
    with open(out) as f:
        assert f.read().split() == ["FOO=bar", "oops"]


def test_hook_timeout_kills_it_and_aborts_create(rt, tmp_path):
    def edit(c):
        c["hooks"] = {"createRuntime": [{"path": "/bin/sleep", "args": ["sleep", "30"], "timeout": 1}]}

    cid = rt.new_id()
    t0 = time.monotonic()
    r = rt.run("create", "--bundle", rt.bundle(["true"], edit=edit), cid)
    assert time.monotonic() - t0 < 15
    assert r.returncode != 0
    assert "timeout" in r.stderr and "createRuntime" in r.stderr, r
    assert not os.path.exists(os.path.join(rt.root, cid))


@pytest.mark.parametrize("kind", ["prestart", "createRuntime", "createContainer", "startContainer", "poststart"])
def test_failing_hook_aborts_and_leaves_nothing(rt, tmp_path, kind):
    mark = "/ran"

    def edit(c):
        # /bin/false exists on the host and in the busybox rootfs (startContainer resolves it there).
        c["hooks"] = {kind: [{"path": "/bin/false"}]}

    b = rt.bundle(["touch", mark], edit=edit)
    cid = rt.new_id()
    r = rt.run("run", "--bundle", b, cid)
    assert r.returncode != 0, r
    assert kind in r.stderr and "/bin/false" in r.stderr, r
    if kind != "poststart":
        assert not os.path.exists(os.path.join(b, "rootfs", mark.lstrip("/")))
    assert not os.path.exists(os.path.join(rt.root, cid))
    assert rt.run("list", "-q").stdout.split() == []


@pytest.mark.parametrize("kind", ["startContainer", "poststart"])
def test_failing_start_hook_with_create_start(rt, kind):
    def edit(c):
        c["hooks"] = {kind: [{"path": "/bin/false"}]}

    cid = rt.new_id()
    rt.run("create", "--bundle", rt.bundle(["sleep", "30"], edit=edit), cid, check=True)
    r = rt.run("start", cid)
    assert r.returncode != 0 and kind in r.stderr, r
    if kind == "poststart":
        # crun: the started container is killed and deleted.
        assert not os.path.exists(os.path.join(rt.root, cid))


def test_poststop_failure_only_warns(rt, tmp_path):
    mark = str(tmp_path / "second-ran")

    def edit(c):
        c["hooks"] = {"poststop": [{"path": "/bin/false"}, {"path": "/bin/touch", "args": ["touch", mark]}]}

    cid = rt.new_id()
    # Warnings are shown from --log-level warning on (crun's default level is error).
    r = rt.run("run", "--bundle", rt.bundle(["true"], edit=edit), cid, global_args=("--log-level", "warning"))
    assert r.returncode == 0, r
    assert "poststop" in r.stderr and "/bin/false" in r.stderr  # the warning
    assert os.path.exists(mark)  # the remaining hooks still ran
    assert not os.path.exists(os.path.join(rt.root, cid))


def test_missing_hook_binary_is_a_clear_error(rt):
    def edit(c):
        c["hooks"] = {"prestart": [{"path": "/nonexistent/hook"}]}

    cid = rt.new_id()
    r = rt.run("create", "--bundle", rt.bundle(["true"], edit=edit), cid)
    assert r.returncode != 0
    assert "prestart" in r.stderr and "/nonexistent/hook" in r.stderr, r
    assert not os.path.exists(os.path.join(rt.root, cid))
