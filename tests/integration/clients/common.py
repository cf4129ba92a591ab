"""What the podman and containerd suites share: the runtime under test (crun, or krun with the libkrun test
double behind a wrapper), a fake /dev/kvm, reaping of client daemons re-parented to pytest, and cgroup
lookups by pid."""
import contextlib
import os
import subprocess
import tempfile
import threading
import time

from krun_double import fake_devices

HERE = os.path.dirname(os.path.abspath(__file__))
KVM = "/dev/kvm"
# podman passes no --root: every runtime command it runs resolves the default state root (XDG_RUNTIME_DIR
# is unset or empty in the environments we give the clients), see shared/spec/cli-contract.md §2.
DEFAULT_STATE_ROOT = "/run/krun"


def render(template, dest, tmp):
    """Copy clients/<template> to dest with @TMP@ replaced by tmp."""
    with open(os.path.join(HERE, template)) as f:
        text = f.read().replace("@TMP@", tmp)
    with open(dest, "w") as f:
        f.write(text)
    return dest


def runtime_binary(kind, build, workdir):
    """The path a client gets as its runtime. `krun`: a wrapper script named `krun` (the binary selects the
    krun handler from argv[0]'s basename, and the wrapper execs build/krun, so it stays `krun`) that puts
    the libkrun test double on LD_LIBRARY_PATH — conmon and the containerd shim give the runtime their own
    environment, not the test's."""
    if kind == "crun":
        return os.path.join(build, "crun")
    d = os.path.join(workdir, "krun-wrapper")
    os.makedirs(d, exist_ok=True)
    path = os.path.join(d, "krun")
    double = os.path.join(build, "tests", "libkrun-double")
    with open(path, "w") as f:
        f.write("#!/bin/sh\n# libkrun TEST DOUBLE (not a VM): tests/libkrun-double/README.md\n"
                f"export LD_LIBRARY_PATH='{double}'\nexec '{os.path.join(build, 'krun')}' \"$@\"\n")
    os.chmod(path, 0o755)
    return path


def live_processes(marker, exe_suffix=b""):
    """Live (not zombie) processes whose command line contains `marker` (bytes) and whose argv[0] ends with
    `exe_suffix`: the daemons a client instance started with our private paths in their arguments."""
    found = []
    for p in os.listdir("/proc"):
        if not p.isdigit():
            continue
        try:
            with open(f"/proc/{p}/cmdline", "rb") as f:
                argv = f.read().split(b"\0")
            with open(f"/proc/{p}/stat") as f:
                state = f.read().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z" and argv and argv[0].endswith(exe_suffix) and marker in b" ".join(argv):
            found.append(int(p))
    return found


@contextlib.contextmanager
def fake_kvm(needed):
    """A /dev/kvm node (c 10:232) for krun on a host without KVM; nothing opens it (the double does not).
    krun_double.fake_devices keeps it for the whole session."""
    with fake_devices(KVM) if needed else contextlib.nullcontext():
        yield


class Result:
    def __init__(self, argv, returncode, stdout, stderr):
        self.argv, self.returncode, self.stdout, self.stderr = argv, returncode, stdout, stderr

    def __repr__(self):
        return f"<{' '.join(self.argv[-6:])}: rc={self.returncode} stdout={self.stdout!r} stderr={self.stderr!r}>"


class Runner:
    """Runs client commands with files (not pipes) as stdio: daemons they leave behind (conmon, the
    containerd shim) must not hold our pipes open. pytest is the subreaper of everything the tests start
    (conftest.py), so those daemons become our children when their parent exits: `reap()` collects the
    exited ones that are not a command we are still waiting for."""

    def __init__(self, env):
        self.env = env
        self._lock = threading.Lock()
        self._running = set()

    def run(self, argv, timeout=120, input=None, feed=None):
        """input: text written to stdin, then EOF. feed: [(delay_s, text), ...] written one by one, stdin
        kept open until the command exits (a terminal session must not see EOF early)."""
        piped = input is not None or feed is not None
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            with self._lock:  # registered before any reap() can see it exit
                p = subprocess.Popen(argv, stdin=subprocess.PIPE if piped else subprocess.DEVNULL, stdout=out,
                                     stderr=err, env=self.env)
                self._running.add(p.pid)
            try:
                if input is not None:
                    p.stdin.write(input.encode())
                    p.stdin.close()
                for delay, text in feed or ():
                    time.sleep(delay)
                    p.stdin.write(text.encode())
                    p.stdin.flush()
                rc = p.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
                raise
            finally:
                if feed is not None:
                    p.stdin.close()
                with self._lock:
                    self._running.discard(p.pid)
            out.seek(0)
            err.seek(0)
            r = Result(argv, rc, out.read().decode(errors="replace"), err.read().decode(errors="replace"))
        self.reap()
        return r

    def reap(self):
        me = os.getpid()
        for p in os.listdir("/proc"):
            if not p.isdigit():
                continue
            try:
                with open(f"/proc/{p}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if fields[0] == "Z" and int(fields[1]) == me:
                with self._lock:
                    if int(p) in self._running:
                        continue
                    try:
                        os.waitpid(int(p), os.WNOHANG)
                    except ChildProcessError:
                        pass


def wait_until(fetch, pred, timeout=30):
    """fetch() until pred holds of its value or timeout seconds pass; returns the last value either way, so
    the caller's assertion shows what was there."""
    deadline = time.monotonic() + timeout
    while True:
        value = fetch()
        if pred(value) or time.monotonic() > deadline:
            return value
        time.sleep(0.1)


def cgroup_dir(pid, controller):
    """The cgroup directory of pid for a v1 controller (hybrid/legacy hosts) or the unified hierarchy."""
    with open(f"/proc/{pid}/cgroup") as f:
        lines = [line.rstrip("\n").split(":", 2) for line in f]
    for _, ctrls, path in lines:
        if controller in ctrls.split(","):
            return f"/sys/fs/cgroup/{controller}{path}"
    for hid, ctrls, path in lines:
        if hid == "0" and ctrls == "":
            base = "/sys/fs/cgroup/unified" if os.path.isdir("/sys/fs/cgroup/unified") else "/sys/fs/cgroup"
            return base + path
    raise AssertionError(f"no cgroup for controller {controller} in /proc/{pid}/cgroup")


def cgroup_read(pid, controller, v1_file, v2_file):
    d = cgroup_dir(pid, controller)
    name = v1_file if os.path.exists(os.path.join(d, v1_file)) else v2_file
    with open(os.path.join(d, name)) as f:
        return f.read().strip()


def processes_in_cgroups_named(names):
    """Live (non-zombie) processes whose cgroup path contains one of names."""
    found = []
    for p in os.listdir("/proc"):
        if not p.isdigit():
            continue
        try:
            with open(f"/proc/{p}/cgroup") as f:
                cg = f.read()
            with open(f"/proc/{p}/stat") as f:
                st = f.read().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if st not in "ZX" and any(n in cg for n in names):
            found.append(int(p))
    return found


def cgroup_dirs_named(names, root="/sys/fs/cgroup", depth=8):
    found = []
    for dirpath, dirnames, _ in os.walk(root):
        for d in dirnames:
            if any(n in d for n in names):
                found.append(os.path.join(dirpath, d))
        if dirpath.count("/") > depth:
            dirnames[:] = []
    return found


def mounts_below(path):
    with open("/proc/self/mountinfo") as f:
        return [line.split()[4] for line in f if line.split()[4].startswith(path)]
