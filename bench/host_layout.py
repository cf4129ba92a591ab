"""Host preparation the comparisons need, undone afterwards.

Debian 12's crun 1.8.1 refuses a hybrid cgroup host whose cgroup2 hierarchy holds a controller ("cgroups
in hybrid mode not supported, drop all controllers from cgroupv2"). On this host that controller is
hugetlb: it has no v1 hierarchy, so it sits in /sys/fs/cgroup/unified. `hugetlb_v1()` gives it the v1
hierarchy a systemd hybrid host would have (/sys/fs/cgroup/hugetlb) for the duration, so that every
runtime runs on the same real hybrid layout; afterwards the hierarchy is unmounted, the kernel hands
hugetlb back to cgroup2 and the root's subtree_control gets it back. This changes the host for everyone
while it runs: containers others start meanwhile get hugetlb cgroups in v1 (their empty leftovers are
removed at the end). On a machine others use, prefer `--layout v1-view`.

`fake_kvm()` makes a /dev/kvm node for krun mode with the libkrun test double on a host without KVM,
marked the way tests/integration/krun_double.py marks it, and removes it again if it made it.
"""
import contextlib
import errno
import os
import signal
import stat
import subprocess
import time

CGROUP = "/sys/fs/cgroup"
UNIFIED = CGROUP + "/unified"
HUGETLB = CGROUP + "/hugetlb"
KVM = "/dev/kvm"
KVM_MARKER = "/run/krun-test-fake-dev-kvm"


def _read(path):
    with open(path) as f:
        return f.read().split()


def _write(path, text):
    with open(path, "w") as f:
        f.write(text)


def _hugetlb_hierarchy():
    """The hierarchy ID of hugetlb in /proc/cgroups (0: cgroup2)."""
    with open("/proc/cgroups") as f:
        for line in f:
            fields = line.split()
            if fields and fields[0] == "hugetlb":
                return int(fields[1])
    return None


def _remove_empty_children(top):
    """Other runtimes that started containers during the run made hugetlb cgroups in our temporary
    hierarchy; once those containers are gone the directories are empty and would keep the hierarchy (and
    hugetlb) away from cgroup2. Only empty ones go (rmdir refuses a cgroup with processes)."""
    left = 0
    for d, subdirs, _ in sorted(os.walk(top), key=lambda w: -w[0].count("/")):
        if d != top:
            try:
                os.rmdir(d)
            except OSError:
                left += 1
    return left


def _give_back_hugetlb(timeout=30.0):
    """After the unmount the kernel destroys the hierarchy once its last (dying) cgroup is released. A
    mount and unmount in a private mount namespace (so that no other runtime sees it) gets that done and
    removes empty leftovers. Then hugetlb is in cgroup2 again."""
    deadline = time.monotonic() + timeout
    script = 'd=$(mktemp -d) && mount -t cgroup -o hugetlb bench-hugetlb "$d" && ' \
             'find "$d" -mindepth 1 -depth -type d -exec rmdir {} + 2>/dev/null; umount "$d"; rmdir "$d"'
    while _hugetlb_hierarchy() not in (0, None) and time.monotonic() < deadline:
        subprocess.run(["unshare", "-m", "--propagation", "private", "sh", "-c", script])
        time.sleep(0.2)
    return _hugetlb_hierarchy() in (0, None)


def _disable_hugetlb(timeout=60.0):
    """EBUSY while a cgroup below the root enables hugetlb for its children (someone's containers):
    wait for them, then give up naming the reason."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return _write(UNIFIED + "/cgroup.subtree_control", "-hugetlb")
        except OSError as e:
            if e.errno != errno.EBUSY or time.monotonic() > deadline:
                raise SystemExit(f"{UNIFIED}/cgroup.subtree_control: cannot drop hugetlb ({e.strerror}): cgroups "
                                 "below the root use it (other containers?); the host is unchanged, retry later")
            time.sleep(1)


def _raise_exit(signo, _frame):
    raise SystemExit(f"interrupted by signal {signo}")


@contextlib.contextmanager
def _undo_even_if_signalled():
    """SIGTERM and SIGHUP end the run through the `finally` clauses, as Ctrl-C does. Yields a function that
    ignores SIGINT, SIGTERM and SIGHUP, called first in a `finally` that puts the host back, so that a second
    signal cannot cut the restoring short; the handlers from before come back at the end."""
    caught = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    before = {s: signal.getsignal(s) for s in caught}
    signal.signal(signal.SIGTERM, _raise_exit)
    signal.signal(signal.SIGHUP, _raise_exit)
    try:
        yield lambda: [signal.signal(s, signal.SIG_IGN) for s in caught]
    finally:
        for s, handler in before.items():
            signal.signal(s, handler)


@contextlib.contextmanager
def hugetlb_v1():
    """Yields a one-line description of the layout the runtimes see."""
    with _undo_even_if_signalled() as shield:
        yield from _hugetlb_v1(shield)


def _hugetlb_v1(shield):
    if not os.path.ismount(UNIFIED) or "hugetlb" not in _read(UNIFIED + "/cgroup.controllers") \
            or os.path.exists(HUGETLB):
        yield "the host's own layout"
        return
    was_enabled = "hugetlb" in _read(UNIFIED + "/cgroup.subtree_control")
    made_dir = mounted = False
    try:
        if was_enabled:
            _disable_hugetlb()
        os.mkdir(HUGETLB)
        made_dir = True
        # Refused while cgroup2 still holds dying hugetlb cgroups (containers just removed): retry.
        deadline = time.monotonic() + 30
        while subprocess.run(["mount", "-t", "cgroup", "-o", "hugetlb", "hugetlb", HUGETLB],
                             stderr=subprocess.DEVNULL).returncode != 0:
            if time.monotonic() > deadline:
                raise SystemExit(f"mount the hugetlb v1 hierarchy on {HUGETLB}: refused for 30 s")
            time.sleep(0.5)
        mounted = True
        yield "hybrid: v1 controllers (hugetlb v1 mounted for the run), empty cgroup2 at " + UNIFIED
    finally:
        shield()
        problems = []
        if mounted:
            deadline = time.monotonic() + 10
            while _remove_empty_children(HUGETLB) and time.monotonic() < deadline:
                time.sleep(0.2)
        if mounted and subprocess.run(["umount", HUGETLB]).returncode != 0:
            problems.append(f"umount {HUGETLB}")
        if made_dir:
            with contextlib.suppress(OSError):
                os.rmdir(HUGETLB)
        if mounted and not _give_back_hugetlb():
            problems.append("hugetlb still bound to a v1 hierarchy")
        if was_enabled:
            try:
                _write(UNIFIED + "/cgroup.subtree_control", "+hugetlb")
            except OSError as e:
                problems.append(f"+hugetlb in {UNIFIED}/cgroup.subtree_control: {e}")
        if problems:
            raise SystemExit("host layout NOT restored: " + "; ".join(problems))


@contextlib.contextmanager
def fake_kvm():
    with _undo_even_if_signalled() as shield:
        yield from _fake_kvm(shield)


def _fake_kvm(shield):
    """Yields ensure(): on a machine where tests make and remove their own fake node, it can vanish during a
    run; ensure() makes it again (marked, and removed at the end like the first)."""
    made = False

    def ensure():
        nonlocal made
        if not os.path.exists(KVM):
            open(KVM_MARKER, "w").close()  # first: a crash after mknod must not leave an unmarked node
            with contextlib.suppress(FileExistsError):
                os.mknod(KVM, 0o666 | stat.S_IFCHR, os.makedev(10, 232))
                os.chmod(KVM, 0o666)
                made = True

    ensure()
    try:
        yield ensure
    finally:
        shield()
        if made:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(KVM)
            with contextlib.suppress(FileNotFoundError):
                os.unlink(KVM_MARKER)
