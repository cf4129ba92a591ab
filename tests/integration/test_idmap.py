"""Idmapped bind mounts (`idmap`, `ridmap`, crun's `idmap=uids=…;gids=…`, a mount's own uidMappings/gidMappings).

Semantics checked on the host: an entry {containerID A, hostID B, size N} shows the ids A.. stored on the
source filesystem as host ids B.. through the mount, and stores what host id B+k creates as A+k. With the
container's user namespace (0 -> 100000) as the mapping, host-root files are the container root's, and
what the container's root creates is owned by host root on disk.
"""
import os
import subprocess

import pytest

USERNS_MAP = [{"containerID": 0, "hostID": 100000, "size": 65536}]


def with_userns(c):
    c["linux"]["namespaces"].append({"type": "user"})
    c["linux"]["uidMappings"] = USERNS_MAP
    c["linux"]["gidMappings"] = USERNS_MAP


def userns_bundle(rt, args, edit):
    """A bundle whose rootfs belongs to the container's root (host uid 100000) and is reachable by it."""
    def both(c):
        with_userns(c)
        edit(c)
    b = rt.bundle(args, edit=both)
    subprocess.run(["chown", "-R", "100000:100000", os.path.join(b, "rootfs")], check=True)
    d = b
    while d not in ("/", "/tmp"):
        os.chmod(d, os.stat(d).st_mode | 0o711)
        d = os.path.dirname(d)
    return b


def make_file(path, uid, gid, mode=0o644):
    with open(path, "w") as f:
        f.write("x\n")
    os.chown(path, uid, gid)
    os.chmod(path, mode)


def run(rt, b, expect=0):
    r = rt.run("run", "--bundle", b, rt.new_id())
    assert r.returncode == expect, r
    return r


def owners(out):
    """`stat -c '%n %u:%g'` lines -> {name: "uid:gid"}."""
    return dict(line.split() for line in out.splitlines() if line.startswith("/"))


@pytest.fixture
def host_mount(rt, tmp_path):
    """Mount a filesystem on the host for a test; unmounted before rt's leak check."""
    mounted = []

    def mount(fstype, target):
        os.makedirs(target, exist_ok=True)
        subprocess.run(["mount", "-t", fstype, fstype, target], check=True)
        mounted.append(target)
        return target

    yield mount
    for t in reversed(mounted):
        subprocess.run(["umount", "-l", t], check=False)


def test_idmap_through_the_container_user_namespace(rt, tmp_path):
    src = tmp_path / "src"
    src.mkdir(mode=0o755)
    make_file(src / "hostroot", 0, 0)
    make_file(src / "user1000", 1000, 1000)

    def edit(c):
        c["mounts"].append({"destination": "/data", "type": "bind", "source": str(src), "options": ["bind", "idmap"]})
        # The same directory without idmap, for contrast: host root is unmapped in the user namespace.
        c["mounts"].append({"destination": "/plain", "type": "bind", "source": str(src), "options": ["bind"]})
        # Options apply to the idmapped mount like to any bind.
        c["mounts"].append({"destination": "/ro", "type": "bind", "source": str(src), "options": ["bind", "idmap", "ro"]})
        for kind in ("bounding", "effective", "permitted"):
            c["process"]["capabilities"][kind].append("CAP_CHOWN")

    b = userns_bundle(rt, ["sh", "-c",
                           "stat -c '%n %u:%g' /data/hostroot /data/user1000 /plain/hostroot /ro/hostroot; "
                           "touch /ro/nope 2>&1; "
                           "echo new > /data/created && echo new > /data/created2 && "
                           "chown 1000:1000 /data/created2 && "
                           "stat -c '%n %u:%g' /data/created /data/created2; grep ' /data ' /proc/self/mountinfo"],
                       edit)
    out = run(rt, b).stdout
    seen = owners(out)
    assert seen["/data/hostroot"] == "0:0"
    assert seen["/data/user1000"] == "1000:1000"
    assert seen["/plain/hostroot"] == "65534:65534"
    assert seen["/ro/hostroot"] == "0:0"
    assert "Read-only file system" in out and not (src / "nope").exists()
    assert seen["/data/created"] == "0:0"
    assert seen["/data/created2"] == "1000:1000"
    assert "idmapped" in out.splitlines()[-1]
    # On disk: what the container's root (host uid 100000) created belongs to host root, and its uid 1000
    # is host uid 1000, not 101000.
    st = os.stat(src / "created")
    assert (st.st_uid, st.st_gid) == (0, 0)
    st = os.stat(src / "created2")
    assert (st.st_uid, st.st_gid) == (1000, 1000)


def own_mapping_mount(how, src, dest="/data"):
    m = {"destination": dest, "type": "bind", "source": str(src)}
    if how == "uidMappings":
        # runc's form: the mappings alone make the bind idmapped.
        m["options"] = ["bind"]
        m["uidMappings"] = [{"containerID": 0, "hostID": 1000, "size": 10}]
        m["gidMappings"] = [{"containerID": 0, "hostID": 2000, "size": 10}]
    else:
        m["options"] = ["bind", "idmap=uids=0-1000-10;gids=0-2000-10"]
    return m


@pytest.mark.parametrize("how", ["uidMappings", "idmap-option"])
def test_own_mapping_without_a_container_user_namespace(rt, tmp_path, how):
    src = tmp_path / "src"
    src.mkdir()
    os.chmod(src, 0o777)
    make_file(src / "root", 0, 0)
    make_file(src / "five", 5, 5)
    make_file(src / "fifty", 50, 50)  # outside the mapping

    def as_user(c):
        c["mounts"].append(own_mapping_mount(how, src))
        c["process"]["user"] = {"uid": 1003, "gid": 2003}

    b = rt.bundle(["sh", "-c", "stat -c '%n %u:%g' /data/root /data/five /data/fifty; "
                               "echo new > /data/byuser && stat -c '%n %u:%g' /data/byuser"], edit=as_user)
    seen = owners(run(rt, b).stdout)
    assert seen == {"/data/root": "1000:2000", "/data/five": "1005:2005", "/data/fifty": "65534:65534",
                    "/data/byuser": "1003:2003"}
    st = os.stat(src / "byuser")
    assert (st.st_uid, st.st_gid) == (3, 3)

    # Host root (uid 0) is outside the mapping: the kernel refuses to store its files through the mount.
    b = rt.bundle(["sh", "-c", "echo new > /data/byroot"], edit=lambda c: c["mounts"].append(
        own_mapping_mount(how, src)))
    r = run(rt, b, expect=1)
    assert "Value too large" in r.stderr, r
    assert not (src / "byroot").exists()


def test_ridmap_maps_submounts_and_idmap_does_not(rt, tmp_path, host_mount):
    src = tmp_path / "src"
    src.mkdir(mode=0o755)
    make_file(src / "top", 0, 0)
    sub = host_mount("tmpfs", str(src / "sub"))  # tmpfs supports idmapped mounts since Linux 6.3
    make_file(os.path.join(sub, "inner"), 0, 0)

    def edit(c):
        c["mounts"].append({"destination": "/r", "type": "bind", "source": str(src), "options": ["rbind", "ridmap"]})
        c["mounts"].append({"destination": "/n", "type": "bind", "source": str(src), "options": ["rbind", "idmap"]})

    b = userns_bundle(rt, ["stat", "-c", "%n %u:%g", "/r/top", "/r/sub/inner", "/n/top", "/n/sub/inner"], edit)
    seen = owners(run(rt, b).stdout)
    assert seen == {"/r/top": "0:0", "/r/sub/inner": "0:0", "/n/top": "0:0", "/n/sub/inner": "65534:65534"}


def test_filesystem_without_idmap_support_is_a_clear_error(rt, tmp_path, host_mount):
    src = host_mount("ramfs", str(tmp_path / "ramfs"))  # ramfs has no FS_ALLOW_IDMAP
    b = userns_bundle(rt, ["true"], lambda c: c["mounts"].append(
        {"destination": "/data", "type": "bind", "source": src, "options": ["bind", "idmap"]}))
    r = run(rt, b, expect=1)
    assert "mount `/data`" in r.stderr, r
    assert "ramfs" in r.stderr and "does not support idmapped mounts" in r.stderr, r
    assert rt.run("list", "-q").stdout.strip() == ""


@pytest.mark.parametrize("mount,userns,message", [
    ({"type": "bind", "options": ["bind", "idmap"]}, False, "linux.namespaces has no `user`"),
    ({"type": "tmpfs", "source": "tmpfs", "options": ["idmap"]}, True, "must be a bind mount"),
    ({"type": "bind", "options": ["bind", "idmap=uids=0-1;gids=0-1-1"]}, True, "expected [@]FROM-TO-SIZE"),
    ({"type": "bind", "options": ["bind", "idmap=uids=0-1-0"]}, True, "size must be at least 1"),
    ({"type": "bind", "options": ["bind", "idmap=users=0-1-1"]}, True, "expected uids=… or gids=…"),
    ({"type": "bind", "options": ["bind", "idmap=uids=@0-70000-1"]}, True, "inside one entry of linux.uidMappings"),
    ({"type": "bind", "options": ["bind", "idmap=gids=0-1-1"]}, False, "no uids= and no linux.uidMappings"),
])
def test_bad_idmapped_mounts_are_clear_errors(rt, tmp_path, mount, userns, message):
    src = tmp_path / "src"
    src.mkdir()
    m = {"destination": "/data", "source": str(src), **mount}
    if userns:
        b = userns_bundle(rt, ["true"], lambda c: c["mounts"].append(m))
    else:
        b = rt.bundle(["true"], edit=lambda c: c["mounts"].append(m))
    r = run(rt, b, expect=1)
    assert "mount `/data`" in r.stderr and message in r.stderr, r


def test_relative_idmap_option_goes_through_the_container_mapping(rt, tmp_path):
    """crun's `@`: uids=@0-1000-10 means container uid 1000, which is host uid 101000."""
    src = tmp_path / "src"
    src.mkdir(mode=0o755)
    make_file(src / "root", 0, 0)

    def edit(c):
        c["mounts"].append({"destination": "/data", "type": "bind", "source": str(src),
                            "options": ["bind", "idmap=uids=@0-1000-10;gids=@0-2000-10"]})

    b = userns_bundle(rt, ["stat", "-c", "%n %u:%g", "/data/root"], edit)
    assert owners(run(rt, b).stdout) == {"/data/root": "1000:2000"}
