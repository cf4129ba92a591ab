"""The start path does no needless work (issue 15): system calls of one `run`, traced with strace."""
import collections
import os
import pwd
import re
import shutil
import subprocess

import pytest

pytestmark = pytest.mark.skipif(shutil.which("strace") is None, reason="strace is not installed")


def traced_run(rt, tmp_path, calls="fsync,fdatasync,sync_file_range,openat,write,connect"):
    """(exit code, strace lines) of `run` of busybox `true` from the default bundle."""
    log = str(tmp_path / "strace.log")
    cid = rt.new_id("hot")
    b = rt.bundle(args=["true"])
    cmd = ["strace", "-f", "-qq", "-s", "64", "-o", log, "-e", "trace=" + calls,
           rt.binary, "--root", rt.root, "run", "--bundle", b, cid]
    cp = subprocess.run(cmd, capture_output=True, timeout=60)
    with open(log) as f:
        return cp.returncode, cp.stderr.decode(errors="replace"), f.read().splitlines()


def test_run_does_not_sync_state(rt, tmp_path):
    # state.json is replaced by rename only; an fsync cost ~7.5 ms per write on an ext4 state root.
    rc, err, lines = traced_run(rt, tmp_path)
    assert rc == 0, err
    syncs = [ln for ln in lines if re.search(r"\b(fsync|fdatasync|sync_file_range)\(", ln)]
    assert syncs == []


def test_run_reads_own_cgroups_once_per_process(rt, tmp_path):
    # The /sys/fs/cgroup mount used to re-read /proc/self/cgroup for each v1 hierarchy.
    rc, err, lines = traced_run(rt, tmp_path)
    assert rc == 0, err
    opens = collections.Counter(ln.split()[0] for ln in lines if '"/proc/self/cgroup"' in ln)
    assert opens and max(opens.values()) == 1, opens


@pytest.mark.skipif(not os.path.isdir("/sys/fs/cgroup/devices"), reason="no cgroup v1 devices hierarchy")
def test_run_clears_device_list_once(rt, tmp_path):
    # The default config starts with a deny-all rule: it is not written a second time.
    rc, err, lines = traced_run(rt, tmp_path)
    assert rc == 0, err
    deny_all = [ln for ln in lines if re.search(r'write\(\d+, "a \*:\* rwm"', ln)]
    assert len(deny_all) == 1, deny_all


def test_run_reads_no_timezone(rt, tmp_path):
    # `created` is UTC: formatting it must not load the local time zone (strftime's tzset).
    rc, err, lines = traced_run(rt, tmp_path)
    assert rc == 0, err
    assert not [ln for ln in lines if "/etc/localtime" in ln]


def test_run_parses_config_once(rt, tmp_path):
    # The delete at the end of `run` takes the poststop hooks from the config `run` already parsed.
    rc, err, lines = traced_run(rt, tmp_path)
    assert rc == 0, err
    reads = [ln for ln in lines if re.search(r'openat\(.*config\.json", O_RDONLY', ln)]
    assert len(reads) == 1, reads


def test_run_owner_without_name_service(rt, tmp_path):
    # The state's owner comes from the host's /etc/passwd read directly: getpwuid went through the name
    # service first (two nscd connects, nsswitch.conf) while the init waited for the state to be written.
    rc, err, lines = traced_run(rt, tmp_path)
    assert rc == 0, err
    assert not [ln for ln in lines if "nsswitch.conf" in ln or "/nscd/" in ln]


def test_state_owner_is_the_user_name(rt):
    cid = rt.new_id("owner")
    assert rt.run("create", "--bundle", rt.bundle(args=["true"]), cid).returncode == 0
    try:
        assert rt.state(cid)["owner"] == pwd.getpwuid(os.geteuid()).pw_name
    finally:
        rt.run("delete", "--force", cid)


def test_run_reads_cgroup_layout_once(rt, tmp_path):
    # The delete at the end of `run` removes the cgroup with the layout create found: it used to read
    # /proc/self/mountinfo again (`delete` alone still reads it, in a fresh process).
    rc, err, lines = traced_run(rt, tmp_path)
    assert rc == 0, err
    runtime = lines[0].split()[0]
    reads = [ln for ln in lines if ln.split()[0] == runtime and '"/proc/self/mountinfo"' in ln]
    assert len(reads) <= 1, reads


def test_run_reads_cgroup_controllers_once(rt, tmp_path):
    # The unified root's cgroup.controllers was read once for the controllers' map and again to enable
    # them in cgroup.subtree_control, then a third time by the delete.
    rc, err, lines = traced_run(rt, tmp_path)
    assert rc == 0, err
    opens = collections.Counter(m.group(1) for m in (re.search(r'"([^"]*/cgroup\.controllers)"', ln) for ln in lines) if m)
    assert not opens or max(opens.values()) == 1, opens


def test_run_reads_cgroup_layout_before_clone(rt, tmp_path):
    # The init waits from the clone until its cgroup is ready: the layout is found before the clone.
    rc, err, lines = traced_run(rt, tmp_path, "openat,clone,clone3")
    assert rc == 0, err
    runtime = lines[0].split()[0]
    mine = [ln for ln in lines if ln.split()[0] == runtime]
    clone = next(i for i, ln in enumerate(mine) if re.search(r"\bclone3?\(", ln))
    reads = [i for i, ln in enumerate(mine) if '"/proc/self/mountinfo"' in ln]
    assert reads and all(i < clone for i in reads), mine


@pytest.mark.skipif(not os.path.isdir("/sys/fs/cgroup/devices"), reason="no cgroup v1 devices hierarchy")
def test_run_opens_device_rules_once(rt, tmp_path):
    # The v1 device rules are written one per write on one open devices.allow (it was opened per rule).
    rc, err, lines = traced_run(rt, tmp_path)
    assert rc == 0, err
    opens = [ln for ln in lines if re.search(r'openat\(.*/devices\.allow"', ln)]
    assert len(opens) == 1, opens
