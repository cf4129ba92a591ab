"""Each namespace type: created new, or joined by path."""
import os
import subprocess
import time
import uuid

import pytest


def ns_inode(pid, ns):
    return os.readlink(f"/proc/{pid}/ns/{ns}")


def run_out(rt, args, edit=None):
    r = rt.run("run", "--bundle", rt.bundle(args, edit=edit), rt.new_id())
    assert r.returncode == 0, r
    return r.stdout


@pytest.mark.parametrize("ns", ["mnt", "pid", "net", "ipc", "uts", "cgroup"])
def test_new_namespaces_differ_from_the_host(rt, ns):
    def edit(c):
        # The template has a cgroup namespace only on pure cgroup v2 hosts (like crun's): ask for it.
        if not any(n["type"] == "cgroup" for n in c["linux"]["namespaces"]):
            c["linux"]["namespaces"].append({"type": "cgroup"})
    out = run_out(rt, ["readlink", f"/proc/self/ns/{ns}"], edit)
    assert out.strip() != ns_inode("self", ns)


def test_cgroup_namespace_root_is_the_container_cgroup(rt):
    def edit(c):
        if not any(n["type"] == "cgroup" for n in c["linux"]["namespaces"]):
            c["linux"]["namespaces"].append({"type": "cgroup"})
    out = run_out(rt, ["cat", "/proc/self/cgroup"], edit)
    for line in out.splitlines():
        assert line.split(":", 2)[2] == "/", line


def test_pid_namespace_makes_the_workload_pid_1(rt):
    assert run_out(rt, ["sh", "-c", "echo $$"]).strip() == "1"


def test_hostname_in_uts_namespace(rt):
    def edit(c):
        c["hostname"] = "kontainer"
    assert run_out(rt, ["hostname"], edit).strip() == "kontainer"
    assert os.uname().nodename != "kontainer"


def test_network_namespace_has_only_loopback(rt):
    out = run_out(rt, ["ls", "/sys/class/net"])
    assert out.split() == ["lo"]


def test_loopback_of_a_new_network_namespace_is_up(rt):
    """As with crun and runc: 127.0.0.1 must work in a new network namespace (IFF_UP is bit 0)."""
    out = run_out(rt, ["cat", "/sys/class/net/lo/flags"])
    assert int(out.strip(), 16) & 1, out


def test_without_network_namespace_shares_the_host_network(rt):
    def edit(c):
        c["linux"]["namespaces"] = [n for n in c["linux"]["namespaces"] if n["type"] != "network"]
    out = run_out(rt, ["readlink", "/proc/self/ns/net"], edit)
    assert out.strip() == ns_inode("self", "net")


def test_join_network_namespace_by_path(rt):
    name = f"kt-{uuid.uuid4().hex[:8]}"
    subprocess.run(["ip", "netns", "add", name], check=True)
    try:
        path = f"/run/netns/{name}"
        fd = os.open(path, os.O_RDONLY)
        try:
            want = "net:[%d]" % os.fstat(fd).st_ino
        finally:
            os.close(fd)

        def edit(c):
            for n in c["linux"]["namespaces"]:
                if n["type"] == "network":
                    n["path"] = path
        assert run_out(rt, ["readlink", "/proc/self/ns/net"], edit).strip() == want
    finally:
        subprocess.run(["ip", "netns", "delete", name], check=True)


def test_join_namespace_bad_path_is_a_clear_error(rt):
    def edit(c):
        for n in c["linux"]["namespaces"]:
            if n["type"] == "network":
                n["path"] = "/nonexistent/netns"
    cid = rt.new_id()
    r = rt.run("create", "--bundle", rt.bundle(["true"], edit=edit), cid)
    assert r.returncode != 0 and "/nonexistent/netns" in r.stderr
    assert not os.path.exists(os.path.join(rt.root, cid))


def test_user_namespace_with_mappings(rt):
    def edit(c):
        c["linux"]["namespaces"].append({"type": "user"})
        c["linux"]["uidMappings"] = [{"containerID": 0, "hostID": 100000, "size": 65536}]
        c["linux"]["gidMappings"] = [{"containerID": 0, "hostID": 100000, "size": 65536}]
        # The bundle's rootfs belongs to host root, which is unmapped: make it readable.
    b = rt.bundle(["cat", "/proc/self/uid_map", "/proc/self/gid_map"], edit=edit)
    subprocess.run(["chown", "-R", "100000:100000", os.path.join(b, "rootfs")], check=True)
    # The container's root is host uid 100000: it must be able to reach the rootfs through pytest's
    # private (0700) temporary directories.
    d = b
    while d != "/tmp":
        os.chmod(d, os.stat(d).st_mode | 0o711)
        d = os.path.dirname(d)
    r = rt.run("run", "--bundle", b, rt.new_id())
    assert r.returncode == 0, r
    lines = [line.split() for line in r.stdout.splitlines()]
    assert lines == [["0", "100000", "65536"], ["0", "100000", "65536"]]


def test_ipc_namespace_isolates_shm(rt):
    out = run_out(rt, ["sh", "-c", "cat /proc/sysvipc/shm | wc -l"])
    assert out.strip() == "1", "only the header line: no host segments visible"


@pytest.fixture
def mount_ns_holder():
    """A process in a private mount namespace of its own (a copy of the host's), killed afterwards: its
    namespace, and every mount the container made in it, goes away with it."""
    p = subprocess.Popen(["unshare", "--mount", "--propagation", "private", "sleep", "600"])
    try:
        for _ in range(200):
            if ns_inode(p.pid, "mnt") != ns_inode("self", "mnt"):
                break
            time.sleep(0.01)
        yield p.pid
    finally:
        p.kill()
        p.wait()


def test_join_mount_namespace_by_path(rt, mount_ns_holder):
    """The spec: a namespace with a path is joined. The rootfs is set up inside the joined namespace, so the
    container runs in it (same inode) and the host's mount table is untouched."""
    path = f"/proc/{mount_ns_holder}/ns/mnt"
    want = ns_inode(mount_ns_holder, "mnt")

    def edit(c):
        for n in c["linux"]["namespaces"]:
            if n["type"] == "mount":
                n["path"] = path
    bundle = rt.bundle(["sh", "-c", "readlink /proc/self/ns/mnt; cat /proc/self/mountinfo; sleep 600"], edit=edit)
    cid = rt.new_id()
    r = rt.run("run", "-d", "--bundle", bundle, cid)
    assert r.returncode == 0, r
    pid = rt.state(cid)["pid"]
    assert ns_inode(pid, "mnt") == want
    with open(f"/proc/{pid}/mountinfo") as f:
        assert any(l.split()[4] == "/proc" for l in f), "the container's /proc is mounted in the joined namespace"
    with open("/proc/self/mountinfo") as f:
        assert str(bundle) not in f.read(), "no mount of the container reaches the host's namespace"
