"""`features`: the document validates against the runtime-spec schema (features-schema.json +
features-linux.json, with python3-jsonschema), and what it lists is what the config parser accepts: every
namespace, seccomp action, operator and architecture of the spec's vocabulary is listed exactly when a
config.json using it gets past the parser (the parser's error names the JSON path of what it rejects)."""
import json
import os
import subprocess

import pytest

from conftest import CRUN

SCHEMA_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "schema")
jsonschema = pytest.importorskip("jsonschema", reason="python3-jsonschema is not installed (scripts/deps.sh)")


@pytest.fixture(scope="module")
def features():
    r = subprocess.run([CRUN, "features"], capture_output=True, text=True, check=True)
    return json.loads(r.stdout)


def defs_linux():
    with open(os.path.join(SCHEMA_DIR, "defs-linux.json")) as f:
        return json.load(f)["definitions"]


def test_validates_against_the_schema(features):
    with open(os.path.join(SCHEMA_DIR, "features-schema.json")) as f:
        schema = json.load(f)
    resolver = jsonschema.RefResolver(base_uri=f"file://{SCHEMA_DIR}/", referrer=schema)
    jsonschema.Draft4Validator(schema, resolver=resolver).validate(features)
    # The schema allows almost everything to be absent: require what we claim to support.
    lx = features["linux"]
    for key in ("namespaces", "capabilities", "cgroup", "seccomp", "apparmor", "selinux", "intelRdt",
                "mountExtensions", "netDevices"):
        assert key in lx, key
    assert set(features) >= {"ociVersionMin", "ociVersionMax", "hooks", "mountOptions", "annotations",
                             "potentiallyUnsafeConfigAnnotations"}


def test_hooks_and_mount_options(features):
    assert features["hooks"] == ["prestart", "createRuntime", "createContainer", "startContainer", "poststart",
                                 "poststop"]
    mo = features["mountOptions"]
    assert len(mo) == len(set(mo))
    assert {"ro", "rw", "nosuid", "nodev", "noexec", "bind", "rbind", "rprivate", "rro", "idmap", "tmpcopyup"} <= set(mo)
    # Filesystem data options are passed through, not part of the table.
    assert not any("=" in o for o in mo)


def test_capabilities_are_the_kernels(features):
    caps = features["linux"]["capabilities"]
    with open("/proc/sys/kernel/cap_last_cap") as f:
        last = int(f.read())
    assert "CAP_SYS_ADMIN" in caps and "CAP_CHOWN" in caps
    assert len(caps) >= min(last + 1, 41)  # everything this libcap can name


class Parser:
    """Asks the config parser whether a value is accepted: `create` a container with it; the parser's
    rejection names the JSON path."""

    def __init__(self, rt):
        self.rt = rt

    def accepts(self, edit, path):
        cid = self.rt.new_id()
        r = self.rt.run("create", "--bundle", self.rt.bundle(["true"], edit=edit), cid)
        self.rt.run("delete", "--force", cid)
        rejected = path in r.stderr
        assert r.returncode != 0 or not rejected, r
        return not rejected, r


def test_namespaces_are_the_parsers(rt, features):
    listed = features["linux"]["namespaces"]
    assert len(listed) == len(set(listed))
    p = Parser(rt)
    for name in defs_linux()["NamespaceType"]["enum"] + ["bogus"]:
        def edit(c, name=name):
            c["linux"]["namespaces"] = [n for n in c["linux"]["namespaces"] if n["type"] != name]
            c["linux"]["namespaces"].append({"type": name})
        index = len([n for n in rt.config()["linux"]["namespaces"] if n["type"] != name])
        ok, r = p.accepts(edit, f"linux.namespaces[{index}].type")
        assert ok == (name in listed), (name, r)


def seccomp_profile(action="SCMP_ACT_ERRNO", op=None, arch=None):
    rule = {"names": ["acct"], "action": action}
    if action == "SCMP_ACT_NOTIFY":
        rule["names"] = ["swapon"]
    if op:
        rule["args"] = [{"index": 0, "value": 1, "valueTwo": 1, "op": op}]
    prof = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [rule]}
    if arch:
        prof["architectures"] = [arch]
    if action == "SCMP_ACT_NOTIFY":
        prof["listenerPath"] = "/nonexistent/listener.sock"
    return prof


@pytest.mark.parametrize("kind", ["actions", "operators", "archs"])
def test_seccomp_vocabulary_is_the_parsers(rt, features, kind):
    sc = features["linux"]["seccomp"]
    assert sc["enabled"] is True
    listed = sc[kind]
    schema_enum = {"actions": "SeccompAction", "operators": "SeccompOperators", "archs": "SeccompArch"}[kind]
    p = Parser(rt)
    for name in defs_linux()[schema_enum]["enum"] + [f"SCMP_{kind.upper()}_BOGUS"]:
        if kind == "actions":
            prof, path = seccomp_profile(action=name), "linux.seccomp.syscalls[0].action"
        elif kind == "operators":
            prof, path = seccomp_profile(op=name), "linux.seccomp.syscalls[0].args[0].op"
        else:
            prof, path = seccomp_profile(arch=name), "linux.seccomp.architectures[0]"

        def edit(c, prof=prof):
            c["linux"]["seccomp"] = prof
        ok, r = p.accepts(edit, path)
        assert ok == (name in listed), (name, r)


def test_lsm_and_extensions(features):
    lx = features["linux"]
    assert lx["apparmor"] == {"enabled": True} and lx["selinux"] == {"enabled": True}
    assert lx["intelRdt"] == {"enabled": False}
    assert lx["mountExtensions"]["idmap"]["enabled"] is True
    assert lx["cgroup"]["v1"] and lx["cgroup"]["v2"] and lx["cgroup"]["systemd"]


def test_annotations_describe_krun(features):
    an = features["annotations"]
    assert an["org.krun.exec.vm"] == "true"  # exec into a krun container runs in the VM (test_krun_agent.py)
    assert an["org.krun.libkrun.available"] in ("true", "false")
    assert an["org.krun.checkpoint.enabled"] in ("true", "false")
    assert "krun." in features["potentiallyUnsafeConfigAnnotations"]


def test_features_help_and_extra_args():
    assert subprocess.run([CRUN, "features", "--help"], capture_output=True).returncode == 0
    r = subprocess.run([CRUN, "features", "extra"], capture_output=True, text=True)
    assert r.returncode != 0, r
