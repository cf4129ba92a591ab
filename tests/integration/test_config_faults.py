"""config.json faults that used to crash or corrupt later output: a missing or null `root` (segfault), any
top-level object missing, null or of the wrong type, invalid UTF-8 (accepted, then `state` printed invalid
JSON), non-UTF-8 bundle and rootfs paths, error records of a JSON log quoting such bytes, and a huge
process.env (the merge was quadratic: 200,000 entries took minutes)."""
import json
import os
import time

import pytest


def write_raw_config(bundle, data):
    with open(os.path.join(bundle, "config.json"), "wb") as f:
        f.write(data)


def assert_nothing_left(rt, cid):
    assert not os.path.exists(os.path.join(rt.root, cid)), "no state directory may survive a failed create"


@pytest.mark.parametrize("how", ["missing", "null"])
def test_config_without_root_fails_naming_root(rt, how):
    def edit(cfg):
        if how == "missing":
            del cfg["root"]
        else:
            cfg["root"] = None

    cid = rt.new_id()
    for cmd in ("create", "run"):
        r = rt.run(cmd, "--bundle", rt.bundle(["true"], edit=edit), cid)
        assert r.returncode == 1, r  # an error, not a signal
        assert "config.json: root: missing (required to run a container on Linux)" in r.stderr, r
        assert_nothing_left(rt, cid)


# Each top-level member: drop it, null it, or give it each wrong JSON type. Either the container runs (the
# member is optional) or create fails with exit 1 and an error naming it; never a crash.
TOP_LEVEL = ["root", "process", "linux", "mounts", "hooks", "annotations", "hostname", "domainname"]
VALUES = {"missing": ..., "null": None, "number": 7, "string": "x", "array": [], "object": {}, "bool": True}


@pytest.mark.parametrize("key", TOP_LEVEL)
def test_top_level_member_missing_null_or_wrong_type(rt, key):
    for name, value in VALUES.items():
        def edit(cfg):
            if value is ...:
                cfg.pop(key, None)
            else:
                cfg[key] = value

        cid = rt.new_id()
        r = rt.run("run", "--bundle", rt.bundle(["true"], edit=edit), cid, timeout=60)
        assert r.returncode in (0, 1), f"{key}={name}: {r}"
        if r.returncode != 0:
            assert f"config.json: {key}" in r.stderr, f"{key}={name}: {r}"
        assert_nothing_left(rt, cid)


@pytest.mark.parametrize("where,raw,path", [
    ("annotation value", b'"annotations": {"a": "\xff"}', "annotations.a"),
    ("annotation name", b'"annotations": {"\xc3\x28": "v"}', "annotations: a member name"),
    ("env entry", None, "process.env[1]"),
    ("surrogate in domainname", b'"domainname": "\xed\xa0\x80"', "domainname"),
])
def test_invalid_utf8_is_refused_with_its_json_path(rt, where, raw, path):
    b = rt.bundle(["true"])
    with open(os.path.join(b, "config.json"), "rb") as f:
        text = f.read()
    if raw is None:
        cfg = json.loads(text)
        cfg["process"]["env"] = ["A=1", "B=__BAD__"]
        text = json.dumps(cfg).encode().replace(b"__BAD__", b"\xe2\x82")
    else:
        text = text.replace(b"{", b"{" + raw + b", ", 1)
    write_raw_config(b, text)
    cid = rt.new_id()
    r = rt.run("create", "--bundle", b, cid)
    assert r.returncode == 1, r
    assert f"config.json: {path}" in r.stderr and "invalid UTF-8" in r.stderr, f"{where}: {r}"
    assert_nothing_left(rt, cid)


def test_state_of_unicode_annotations_is_valid_json(rt):
    ann = {"k\u00e9": "\u00e9t\u00e9 \U0001f600 \u20ac", "escaped": "\ud83d\ude00"}

    def edit(cfg):
        cfg["annotations"] = ann

    cid = rt.new_id()
    rt.run("create", "--bundle", rt.bundle(["true"], edit=edit), cid, check=True)
    try:
        state = json.loads(rt.run("state", cid, check=True).stdout.encode("utf-8", "strict"))
        for k, v in ann.items():
            assert state["annotations"][k] == v.encode("utf-16", "surrogatepass").decode("utf-16")
    finally:
        rt.run("delete", "--force", cid)


def test_200k_env_entries_run_in_seconds(rt):
    """200,000 entries, half of them overriding earlier ones: the container sees each key once with its
    last value. The stack rlimit is raised so execve's argument space (a quarter of it) holds them."""
    n = 100000

    def edit(cfg):
        env = [f"K{i}=first" for i in range(n)] + [f"K{i}=last" for i in range(n)]
        cfg["process"]["env"] = ["PATH=/bin:/usr/bin"] + env
        cfg["process"].setdefault("rlimits", []).append({"type": "RLIMIT_STACK", "soft": 256 << 20, "hard": 256 << 20})

    # `env` itself, not a shell: busybox ash imports its environment in quadratic time.
    b = rt.bundle(["env"], edit=edit)
    start = time.monotonic()
    r = rt.run("run", "--bundle", b, rt.new_id(), timeout=120)
    elapsed = time.monotonic() - start
    assert r.returncode == 0, r
    lines = r.stdout.splitlines()
    assert sum(1 for line in lines if line.startswith("K")) == n
    assert all(line.endswith("=last") for line in lines if line.startswith("K"))
    assert elapsed < 15, f"run took {elapsed:.1f} s"


@pytest.mark.parametrize("where", ["bundle", "rootfs"])
def test_non_utf8_bundle_or_rootfs_path_never_reaches_state(rt, where):
    """`state` prints the bundle and rootfs paths as JSON strings: a path that is not UTF-8 is refused at
    create (before, `state` printed invalid JSON)."""
    b = rt.bundle(["true"])
    if where == "bundle":
        odd = os.path.join(os.fsencode(rt.workdir), b"bundle-\xff")
        os.rename(b, odd)
        msg, bundle = "bundle: the absolute path is not valid UTF-8", odd
    else:
        odd = os.path.join(os.fsencode(b), b"rootfs-\xff")
        os.rename(os.path.join(b, "rootfs"), odd)
        os.symlink(odd, os.path.join(b, "rootfs"))
        msg, bundle = "config.json: root.path: the resolved path is not valid UTF-8", b
    cid = rt.new_id()
    r = rt.run("create", "--bundle", bundle, cid)
    if r.returncode == 0:
        out = rt.run("state", cid).stdout
        json.loads(out)  # the property that matters: whatever create accepts, state prints as JSON
    assert r.returncode == 1 and msg in r.stderr, r
    assert_nothing_left(rt, cid)


def test_json_log_stays_json_when_the_error_quotes_non_utf8(rt, tmp_path):
    """containerd reads the last error record of --log: an error quoting a non-UTF-8 path must not break it."""
    log = tmp_path / "runtime.log"
    cid = rt.new_id()
    r = rt.run("--log", str(log), "--log-format", "json", "create", "--bundle",
               os.path.join(os.fsencode(rt.workdir), b"missing-\xff"), cid)
    assert r.returncode == 1, r
    records = [json.loads(line) for line in log.read_bytes().decode("utf-8").splitlines() if line.strip()]
    assert any(rec["level"] == "error" and "missing-\ufffd" in rec["msg"] for rec in records), records
    assert_nothing_left(rt, cid)
