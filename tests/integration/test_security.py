"""The container is hostile: it must not reach the runtime's binary or host files through the runtime."""
import os



def test_init_binary_is_not_reachable_from_a_container_sharing_its_pid_namespace(rt):
    """CVE-2019-5736 class: before it execs the workload, the init is our own binary. Another container
    joining its pid namespace must not be able to open /proc/1/exe (and later write the runtime)."""
    victim = rt.new_id()
    assert rt.run("create", "--bundle", rt.bundle(["sleep", "600"]), victim).returncode == 0
    pid = rt.state(victim)["pid"]
    assert os.path.realpath(f"/proc/{pid}/exe") == os.path.realpath(rt.binary), "the init has not exec'd yet"

    def edit(c):
        for n in c["linux"]["namespaces"]:
            if n["type"] == "pid":
                n["path"] = f"/proc/{pid}/ns/pid"
    attacker = rt.bundle(["sh", "-c", "cat /proc/1/exe > /dev/null && echo opened || echo refused"], edit=edit)
    r = rt.run("run", "--bundle", attacker, rt.new_id())
    assert r.returncode == 0, r
    assert r.stdout.strip() == "refused", r


def test_workload_is_dumpable_again_after_exec(rt):
    """Non-dumpable is only for the runtime's own code: the workload gets normal /proc ownership."""
    r = rt.run("run", "--bundle", rt.bundle(["sh", "-c", "stat -c %U /proc/self/mem"]), rt.new_id())
    assert r.returncode == 0 and r.stdout.strip() == "root", r


def test_rootfs_symlink_to_host_file_is_not_written_by_hostname_or_mounts(rt, tmp_path):
    """A planted /etc/hosts symlink to a host file is never followed when the runtime creates a bind
    target: the bind lands inside the rootfs, the host file is untouched."""
    host_file = tmp_path / "precious"
    host_file.write_text("keep me\n")
    src = tmp_path / "src"
    src.write_text("container data\n")

    def edit(c):
        c["mounts"].append({"destination": "/etc/planted", "type": "bind", "source": str(src), "options": ["bind"]})
    b = rt.bundle(["cat", "/etc/planted"], edit=edit)
    os.symlink(str(host_file), os.path.join(b, "rootfs", "etc", "planted"))
    r = rt.run("run", "--bundle", b, rt.new_id())
    assert host_file.read_text() == "keep me\n"
    if r.returncode == 0:
        assert r.stdout == "container data\n"
