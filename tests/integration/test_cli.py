"""The command line contract: version, help, usage errors, spec."""
import json
import os
import re
import shutil
import subprocess

import pytest

from conftest import CRUN, KRUN

COMMANDS = ["create", "start", "run", "kill", "delete", "state", "list", "spec"]


def run(*argv, **kw):
    return subprocess.run([CRUN, *argv], capture_output=True, text=True, **kw)


def test_version():
    r = run("--version")
    assert r.returncode == 0
    lines = r.stdout.splitlines()
    # crun's first line (go-runc cuts 13 bytes; scripts match "crun version")
    assert re.fullmatch(r"crun version \d+\.\d+\.\d+", lines[0]), lines[0]
    assert any(line.startswith("commit: ") for line in lines)
    assert any(line.startswith("spec: ") for line in lines)
    feat = [line for line in lines if line.startswith("+") or line.startswith("-")][0]
    assert "+SECCOMP" in feat and "+CAP" in feat and feat.split()[-1] == "+JSON_C"
    # +CRIU exactly when a criu binary is there for checkpoint/restore (crun: when built with it).
    assert ("+CRIU" in feat.split()) == (shutil.which("criu") is not None), feat
    r = run("--criu", "/nonexistent/criu", "--version")
    assert "+CRIU" not in r.stdout.split(), r.stdout


def test_version_lists_criu_given_by_path(tmp_path):
    fake = tmp_path / "criu"
    fake.write_text("#!/bin/sh\nexit 0\n")
    fake.chmod(0o755)
    r = run("--criu", str(fake), "--version")
    assert "+CRIU" in r.stdout.split(), r.stdout


def test_krun_symlink_is_the_same_binary():
    assert os.path.islink(KRUN) and os.readlink(KRUN) == "crun"


@pytest.mark.parametrize("cmd", COMMANDS)
def test_help_of_every_command_exits_zero(cmd):
    r = run(cmd, "--help")
    assert r.returncode == 0 and cmd in r.stdout


def test_global_help_lists_commands():
    r = run("--help")
    assert r.returncode == 0
    for c in COMMANDS:
        assert c in r.stdout


def test_unknown_command():
    r = run("frobnicate")
    assert r.returncode == 1 and "frobnicate" in r.stderr


def test_unknown_option():
    r = run("create", "--frobnicate", "x")
    assert r.returncode != 0 and "frobnicate" in r.stderr


def test_missing_argument():
    r = run("start")
    assert r.returncode == 1 and "requires a minimum of 1" in r.stderr


def test_spec_writes_a_valid_config_and_refuses_to_overwrite(tmp_path):
    assert run("spec", "--bundle", str(tmp_path)).returncode == 0
    with open(tmp_path / "config.json") as f:
        cfg = json.load(f)
    assert cfg["process"]["args"] == ["sh"] and cfg["process"]["terminal"] is True
    assert cfg["root"]["path"] == "rootfs"
    r = run("spec", "--bundle", str(tmp_path))
    assert r.returncode != 0 and "already exists" in r.stderr


def test_spec_rootless(tmp_path):
    assert run("spec", "--rootless", "--bundle", str(tmp_path)).returncode == 0
    with open(tmp_path / "config.json") as f:
        cfg = json.load(f)
    # crun's --rootless: a user namespace, and no devpts gid=5 (unmappable without a mapping for it).
    assert any(ns["type"] == "user" for ns in cfg["linux"]["namespaces"])
    pts = [m for m in cfg["mounts"] if m["destination"] == "/dev/pts"][0]
    assert "gid=5" not in pts["options"]


def test_global_options_accept_equals_form(rt):
    r = rt.run("list", global_args=("--log-format=json", "--log-level=debug", "--cgroup-manager=cgroupfs"))
    assert r.returncode == 0, r
