"""The state store survives whatever is in it (issue 11 items 3, 4, 6).

Large state: whatever `create` accepts (a 70 KiB annotation, 10,000 annotations, a 15 MB config.json), every
later command handles. Damaged state: with state.json empty, cut, garbage, an array, 100 KB, a symlink, a
directory, missing, a FIFO, or annotations holding null, `list` and `state` report that container as broken
(with the reason) without hanging or crashing and go on with the others, and `delete --force` still kills
the init and removes every cgroup (the `rt` fixture fails the test on any leak).
"""
import json
import os
import time

import pytest

LIST_TIMEOUT = 20  # a FIFO once made list/state/delete hang forever: a bound, not an expected duration


def sleeper(rt, edit=None):
    cid = rt.new_id("st")
    b = rt.bundle(["sleep", "1000"], edit=edit)
    rt.run("create", "--bundle", b, cid, check=True)
    return cid


def statedir(rt, cid):
    return os.path.join(rt.root, cid)


def is_alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] not in "ZX"
    except OSError:
        return False


def wait_dead(pid, timeout=5):
    deadline = time.monotonic() + timeout
    while is_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.02)
    return not is_alive(pid)


def annotations(**extra):
    def edit(cfg):
        cfg.setdefault("annotations", {}).update(extra)
    return edit


def many_annotations(cfg):
    cfg["annotations"] = {f"org.example.k{i}": f"value-{i}" for i in range(10000)}


def fifteen_megabytes(cfg):
    cfg["annotations"] = {"org.example.blob": "b" * (15 * 1000 * 1000)}


@pytest.mark.parametrize("edit", [annotations(big="x" * 70 * 1024), many_annotations, fifteen_megabytes],
                         ids=["70KiB-annotation", "10000-annotations", "15MB-config"])
def test_every_command_handles_what_create_accepted(rt, edit):
    cid = sleeper(rt, edit)
    cfg = {}
    edit(cfg)
    st = rt.state(cid)
    assert st["status"] == "created"
    assert st["annotations"] == cfg["annotations"]
    rt.run("start", cid, check=True)
    assert rt.state(cid)["status"] == "running"
    assert cid in rt.run("list", "-q", check=True).stdout.split()
    listed = json.loads(rt.run("list", "--format", "json", check=True).stdout)
    assert [e["status"] for e in listed if e["id"] == cid] == ["running"]
    assert rt.run("exec", cid, "true", check=True).returncode == 0
    assert str(st["pid"]) in rt.run("ps", "--format", "json", cid, check=True).stdout
    rt.run("pause", cid, check=True)
    assert rt.state(cid)["status"] == "paused"
    rt.run("resume", cid, check=True)
    rt.run("update", "--pids-limit", "50", cid, check=True)
    rt.run("kill", cid, "KILL", check=True)
    assert wait_dead(st["pid"])
    rt.run("delete", cid, check=True)
    assert not os.path.exists(statedir(rt, cid))


def _write(path, data):
    with open(path, "wb") as f:
        f.write(data)


def _replace(path, make):
    os.unlink(path)
    make(path)


def corrupt_empty(d):
    _write(os.path.join(d, "state.json"), b"")


def corrupt_truncated(d):
    p = os.path.join(d, "state.json")
    data = open(p, "rb").read()
    _write(p, data[: len(data) // 2])


def corrupt_garbage(d):
    _write(os.path.join(d, "state.json"), os.urandom(300))


def corrupt_array(d):
    _write(os.path.join(d, "state.json"), b"[1, 2, 3]")


def corrupt_100k(d):
    _write(os.path.join(d, "state.json"), b'{"pid": 1, "pad": "' + b"p" * 100 * 1024 + b'"}')


def corrupt_symlink(d):
    _replace(os.path.join(d, "state.json"), lambda p: os.symlink("/etc/passwd", p))


def corrupt_directory(d):
    _replace(os.path.join(d, "state.json"), os.mkdir)


def corrupt_missing(d):
    os.unlink(os.path.join(d, "state.json"))


def corrupt_fifo(d):
    _replace(os.path.join(d, "state.json"), os.mkfifo)


def corrupt_nul_byte(d):
    p = os.path.join(d, "state.json")
    _write(p, b'{"pid": 1}\0' + open(p, "rb").read())


def corrupt_wrong_types(d):
    p = os.path.join(d, "state.json")
    st = json.load(open(p))
    st.update(pid="1", cgroup_path=None, rootfs=["x"])
    _write(p, json.dumps(st).encode())


def corrupt_escaping_cgroup(d):
    p = os.path.join(d, "state.json")
    st = json.load(open(p))
    st["cgroup_path"] = "/../../x"
    _write(p, json.dumps(st).encode())


CORRUPTIONS = [corrupt_empty, corrupt_truncated, corrupt_garbage, corrupt_array, corrupt_100k, corrupt_symlink,
               corrupt_directory, corrupt_missing, corrupt_fifo, corrupt_nul_byte, corrupt_wrong_types,
               corrupt_escaping_cgroup]


@pytest.mark.parametrize("corrupt", CORRUPTIONS, ids=lambda f: f.__name__[len("corrupt_"):])
def test_broken_state_is_reported_and_force_deleted(rt, corrupt):
    good = sleeper(rt)
    bad = sleeper(rt)
    rt.run("start", bad, check=True)
    pid = rt.state(bad)["pid"]
    corrupt(statedir(rt, bad))

    lst = rt.run("list", timeout=LIST_TIMEOUT)
    assert lst.returncode == 0, lst
    rows = {line.split()[0]: line.split() for line in lst.stdout.splitlines()[1:]}
    assert rows[good][2] == "created"
    assert rows[bad][2] == "broken"
    assert f"container `{bad}` is broken" in lst.stderr
    listed = json.loads(rt.run("list", "--format", "json", timeout=LIST_TIMEOUT, check=True).stdout)
    assert {e["id"]: e["status"] for e in listed} == {good: "created", bad: "broken"}

    st = rt.run("state", bad, timeout=LIST_TIMEOUT)
    assert st.returncode != 0 and "state.json" in st.stderr, st
    assert rt.state(good)["status"] == "created"
    for cmd in (["start", bad], ["kill", bad, "TERM"], ["delete", bad]):
        r = rt.run(*cmd, timeout=LIST_TIMEOUT)
        assert r.returncode != 0 and "state.json" in r.stderr, (cmd, r)
    assert is_alive(pid)

    d = rt.run("delete", "--force", bad, timeout=LIST_TIMEOUT)
    assert d.returncode == 0, d
    assert wait_dead(pid, timeout=0), "delete --force returned 0 with the init alive"
    assert not os.path.lexists(statedir(rt, bad))
    assert rt.state(good)["status"] == "created"


STATE_CONFIG_MAX = 16 << 20  # src/oci/state.h: the one cap of config.json, at create and in the state


def test_create_refuses_a_config_over_the_state_cap(rt):
    cid = rt.new_id("st")
    b = rt.bundle(["true"], edit=annotations(blob="b" * STATE_CONFIG_MAX))
    r = rt.run("create", "--bundle", b, cid)
    assert r.returncode != 0 and f"larger than {STATE_CONFIG_MAX} bytes" in r.stderr, r
    assert not os.path.lexists(statedir(rt, cid))


def config_oversize(p):
    _write(p, b"{}" + b" " * STATE_CONFIG_MAX)


CONFIG_DAMAGES = {
    "missing": os.unlink,
    "fifo": lambda p: _replace(p, os.mkfifo),
    "symlink": lambda p: _replace(p, lambda q: os.symlink("/etc/passwd", q)),
    "directory": lambda p: _replace(p, os.mkdir),
    "oversize": config_oversize,
}


@pytest.mark.parametrize("damage", CONFIG_DAMAGES.values(), ids=CONFIG_DAMAGES.keys())
def test_damaged_config_copy_is_refused_without_hanging(rt, damage):
    """exec and delete read the state's copy of config.json like every state file: a FIFO there once made
    exec hang."""
    cid = sleeper(rt)
    rt.run("start", cid, check=True)
    damage(os.path.join(statedir(rt, cid), "config.json"))
    r = rt.run("exec", cid, "true", timeout=LIST_TIMEOUT)
    assert r.returncode != 0 and "config.json" in r.stderr, r
    d = rt.run("delete", "--force", cid, timeout=LIST_TIMEOUT)
    assert d.returncode == 0, d
    assert not os.path.lexists(statedir(rt, cid))


def test_null_annotation_breaks_only_state_of_that_container(rt):
    good = sleeper(rt, annotations(a="b"))
    bad = sleeper(rt, annotations(a="b"))
    _write(os.path.join(statedir(rt, bad), "annotations.json"), b'{"a": null, "b": "c"}')
    st = rt.run("state", bad, timeout=LIST_TIMEOUT)
    assert st.returncode == 1 and "annotations.json: `a`: expected a string" in st.stderr, st
    assert rt.state(good)["annotations"] == {"a": "b"}
    lst = rt.run("list", "-q", timeout=LIST_TIMEOUT, check=True)
    assert sorted(lst.stdout.split()) == sorted([good, bad])
    pid = json.load(open(os.path.join(statedir(rt, bad), "state.json")))["pid"]
    assert rt.run("delete", "--force", bad, timeout=LIST_TIMEOUT).returncode == 0
    assert not is_alive(pid)


def test_null_annotation_in_an_old_state_json_is_ignored(rt):
    """Older versions kept the annotations in state.json (and crashed on a null there): still read, the
    null left out."""
    cid = sleeper(rt)
    p = os.path.join(statedir(rt, cid), "state.json")
    st = json.load(open(p))
    st["annotations"] = {"a": None, "b": "c"}
    _write(p, json.dumps(st).encode())
    got = rt.state(cid)
    assert got["status"] == "created" and got["annotations"] == {"b": "c"}
    assert rt.run("list", timeout=LIST_TIMEOUT, check=True).stdout.count(cid) == 1
    assert rt.run("delete", "--force", cid).returncode == 0


def test_teardown_record_alone_is_not_enough_to_lose_the_container(rt):
    """Both records damaged: delete --force must not claim success (the init lives), and works once one
    of them is readable again."""
    cid = sleeper(rt)
    d = statedir(rt, cid)
    pid = rt.state(cid)["pid"]
    saved = open(os.path.join(d, "teardown.json"), "rb").read()
    corrupt_garbage(d)
    _write(os.path.join(d, "teardown.json"), b"{")
    r = rt.run("delete", "--force", cid, timeout=LIST_TIMEOUT)
    assert r.returncode != 0 and "cannot tell what to undo" in r.stderr, r
    assert is_alive(pid) and os.path.isdir(d)
    _write(os.path.join(d, "teardown.json"), saved)
    assert rt.run("delete", "--force", cid, timeout=LIST_TIMEOUT).returncode == 0
    assert wait_dead(pid, timeout=0)


def test_damaged_teardown_record_does_not_matter_while_state_is_good(rt):
    cid = sleeper(rt)
    _write(os.path.join(statedir(rt, cid), "teardown.json"), b"[]")
    assert rt.state(cid)["status"] == "created"
    assert rt.run("delete", "--force", cid).returncode == 0


def test_directory_claimed_but_nothing_recorded_is_removed(rt):
    """A create killed between its mkdir and its first record left an empty directory: nothing to undo."""
    cid = rt.new_id("st")
    os.makedirs(statedir(rt, cid))
    assert rt.run("delete", cid).returncode != 0
    assert rt.run("delete", "--force", cid).returncode == 0
    assert not os.path.exists(statedir(rt, cid))


def test_list_is_silent_while_containers_are_created_and_deleted(rt):
    """list used to warn "does not exist" about containers caught between mkdir and state.json."""
    import threading

    b = rt.bundle(["true"])
    stop = threading.Event()
    errors = []

    def churn():
        while not stop.is_set():
            cid = rt.new_id("churn")
            rt.run("create", "--bundle", b, cid)
            rt.run("delete", "--force", cid)

    t = threading.Thread(target=churn)
    t.start()
    try:
        deadline = time.monotonic() + 8
        n = 0
        while time.monotonic() < deadline:
            r = rt.run("list", timeout=LIST_TIMEOUT)
            n += 1
            if r.returncode != 0 or r.stderr:
                errors.append(r)
    finally:
        stop.set()
        t.join()
    assert n > 10
    assert not errors, errors[:3]


def test_force_delete_detaches_a_mount_left_in_the_state_dir(rt, tmp_path):
    """A command killed while it had something mounted in the state directory (restore binds the rootfs
    on criu-root): delete --force detaches it and never deletes the files of what is mounted there."""
    import subprocess

    cid = sleeper(rt)
    keep = tmp_path / "precious"
    keep.mkdir()
    (keep / "file").write_text("still here")
    target = os.path.join(statedir(rt, cid), "criu-root")
    os.mkdir(target)
    subprocess.run(["mount", "--bind", str(keep), target], check=True)
    try:
        r = rt.run("delete", "--force", cid)
        assert r.returncode == 0, r
        assert not os.path.exists(statedir(rt, cid))
        assert (keep / "file").read_text() == "still here"
    finally:
        subprocess.run(["umount", target], capture_output=True)
