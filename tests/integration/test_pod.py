"""The Kubernetes pod pattern, driven directly as a CRI runtime drives us: a pause-like sandbox container
that owns the pod's network, IPC and UTS namespaces, app containers that join them by path, every cgroup
nested under one pod cgroup, a RuntimeDefault-like seccomp profile on the apps, exec probes, and the
ordered teardown (apps first, then the sandbox). The same through containerd is in test_containerd.py.

The pod cgroup is made by the runtime with the first container (a delete never removes parents): the
fixture removes it from every hierarchy at the end, after the containers are gone.
"""
import os
import time
import uuid

import pytest

# Like containerd's and CRI-O's RuntimeDefault in effect for these calls: they fail with EPERM.
DENIED = ["acct", "add_key", "bpf", "clock_adjtime", "clock_settime", "delete_module", "finit_module",
          "init_module", "kexec_file_load", "kexec_load", "keyctl", "mount", "open_by_handle_at", "pivot_root",
          "ptrace", "reboot", "request_key", "setns", "settimeofday", "swapoff", "swapon", "umount2", "unshare"]
RUNTIME_DEFAULT = {"defaultAction": "SCMP_ACT_ALLOW",
                   "syscalls": [{"names": DENIED, "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}


def wait_for(cond, what, timeout=10):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def ns(pid, name):
    return os.readlink(f"/proc/{pid}/ns/{name}")


def cgroup_of(pid, controller="pids"):
    with open(f"/proc/{pid}/cgroup") as f:
        for line in f:
            _, ctrls, path = line.rstrip("\n").split(":", 2)
            if controller in ctrls.split(","):
                return path
    pytest.skip(f"no v1 {controller} controller on this host")


class Pod:
    def __init__(self, rt, name):
        self.rt = rt
        self.name = name
        self.sandbox = None
        self.sandbox_pid = None

    def _start(self, cid, args, edit, hook=None):
        b = self.rt.bundle(args, edit=edit)
        if hook:
            hook(b)
        r = self.rt.run("run", "-d", "--bundle", b, cid)
        assert r.returncode == 0, r
        return self.rt.state(cid)["pid"]

    def start_sandbox(self):
        self.sandbox = self.rt.new_id("kt-sandbox")

        def edit(c):
            c["hostname"] = "kt-pod"
            c["linux"]["cgroupsPath"] = f"/{self.name}/{self.sandbox}"
            c["linux"]["namespaces"] = [{"type": t} for t in ("pid", "network", "ipc", "uts", "mount")]
        # pause: sleeps until killed (busybox has no pause; PID 1 ignores unhandled signals, so TERM is
        # trapped to exit like the real one).
        self.sandbox_pid = self._start(self.sandbox, ["sh", "-c", "trap 'exit 0' TERM; while :; do sleep 1; done"],
                                       edit)

    def start_app(self, args, hook=None):
        cid = self.rt.new_id("kt-app")
        joined = {t: f"/proc/{self.sandbox_pid}/ns/{p}" for t, p in (("network", "net"), ("ipc", "ipc"),
                                                                     ("uts", "uts"))}

        def edit(c):
            c["linux"]["cgroupsPath"] = f"/{self.name}/{cid}"
            c.pop("hostname", None)  # the pod's, from the sandbox's UTS namespace
            c["linux"]["namespaces"] = [{"type": "pid"}, {"type": "mount"}] + [
                {"type": t, "path": p} for t, p in joined.items()]
            c["linux"]["seccomp"] = RUNTIME_DEFAULT
        return cid, self._start(cid, args, edit, hook)


@pytest.fixture
def pod(rt):
    p = Pod(rt, f"kt-pod-{uuid.uuid4().hex[:8]}")
    yield p
    rt.cleanup()
    for hierarchy in os.listdir("/sys/fs/cgroup"):
        top = os.path.join("/sys/fs/cgroup", hierarchy, p.name)
        if os.path.isdir(top):
            for sub, _, _ in sorted(os.walk(top), key=lambda w: -len(w[0])):
                os.rmdir(sub)


def www(text):
    def hook(b):
        os.makedirs(os.path.join(b, "rootfs", "www"))
        with open(os.path.join(b, "rootfs", "www", "index.html"), "w") as f:
            f.write(text)
    return hook


def stop(rt, cid, grace=3):
    """The kubelet's stop: TERM, then KILL after the grace period (busybox httpd as PID 1 ignores TERM)."""
    assert rt.run("kill", cid, "TERM").returncode == 0
    try:
        wait_for(lambda: rt.state(cid)["status"] == "stopped", f"{cid} to stop", timeout=grace)
    except AssertionError:
        assert rt.run("kill", cid, "KILL").returncode == 0
        wait_for(lambda: rt.state(cid)["status"] == "stopped", f"{cid} to stop after KILL")


def test_pod_lifecycle(rt, pod):
    pod.start_sandbox()
    web, web_pid = pod.start_app(["httpd", "-f", "-p", "127.0.0.1:8080", "-h", "/www"], www("pod ok\n"))
    side, side_pid = pod.start_app(["sh", "-c", "trap 'exit 0' TERM; while :; do sleep 1; done"])

    # The apps share the sandbox's network, IPC and UTS namespaces, and have their own pid and mount ones.
    for pid in (web_pid, side_pid):
        for name in ("net", "ipc", "uts"):
            assert ns(pid, name) == ns(pod.sandbox_pid, name), name
        for name in ("pid", "mnt"):
            assert ns(pid, name) != ns(pod.sandbox_pid, name), name
    # Every container's cgroup sits under the pod's.
    for cid, pid in ((pod.sandbox, pod.sandbox_pid), (web, web_pid), (side, side_pid)):
        assert cgroup_of(pid) == f"/{pod.name}/{cid}"

    # Exec probes, as the kubelet runs them: the sidecar reaches the web server over the shared loopback
    # (up in the sandbox's new network namespace), the hostname is the pod's, a failing probe fails.
    def probe_ok():
        r = rt.run("exec", side, "wget", "-qO-", "http://127.0.0.1:8080/")
        return r.returncode == 0 and r.stdout == "pod ok\n"
    wait_for(probe_ok, "the web server to answer the sidecar's probe")
    r = rt.run("exec", web, "hostname")
    assert r.returncode == 0 and r.stdout.strip() == "kt-pod", r
    r = rt.run("exec", web, "sh", "-c", "exit 3")
    assert r.returncode == 3, r

    # The RuntimeDefault-like profile is on the apps (and on their exec'd processes), not on the sandbox.
    r = rt.run("exec", side, "sh", "-c", "grep ^Seccomp: /proc/self/status; unshare -u true; echo rc=$?")
    assert r.stdout.split()[:2] == ["Seccomp:", "2"], r
    assert "rc=1" in r.stdout and "Operation not permitted" in r.stderr, r
    with open(f"/proc/{pod.sandbox_pid}/status") as f:
        assert "Seccomp:\t0" in f.read()

    # Ordered teardown: the apps stop and go first; the sandbox keeps the namespaces until the end.
    for cid in (web, side):
        stop(rt, cid)
        assert rt.run("delete", cid).returncode == 0
    assert rt.state(pod.sandbox)["status"] == "running"
    stop(rt, pod.sandbox)
    assert rt.run("delete", pod.sandbox).returncode == 0
    # Nothing of the pod is left below its cgroup, which the kubelet (here the fixture) then removes.
    for hierarchy in os.listdir("/sys/fs/cgroup"):
        top = os.path.join("/sys/fs/cgroup", hierarchy, pod.name)
        if os.path.isdir(top):
            assert [d for d in os.listdir(top) if os.path.isdir(os.path.join(top, d))] == [], top


def test_app_joining_a_gone_sandbox_fails_cleanly(rt, pod):
    pod.start_sandbox()
    pid = pod.sandbox_pid
    assert rt.run("delete", "--force", pod.sandbox).returncode == 0
    cid = rt.new_id("kt-app")

    def edit(c):
        c["linux"]["cgroupsPath"] = f"/{pod.name}/{cid}"
        c["linux"]["namespaces"] = [{"type": "pid"}, {"type": "mount"},
                                    {"type": "network", "path": f"/proc/{pid}/ns/net"}]
    r = rt.run("create", "--bundle", rt.bundle(["true"], edit=edit), cid)
    assert r.returncode != 0 and f"/proc/{pid}/ns/net" in r.stderr, r
    assert not os.path.exists(os.path.join(rt.root, cid))
