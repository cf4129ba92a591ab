#!/usr/bin/python3
"""Start latency: `RUNTIME run` of a busybox `true` from the `spec` bundle (create + start + wait + delete),
for our crun, Debian's crun and runc, and our krun mode with the libkrun test double (tests/libkrun-double/:
not libkrun, no VM), interleaved in one run on the real host layout (host_layout.py: hugetlb gets a v1
hierarchy for the run so that crun 1.8.1 accepts this hybrid host; restored afterwards).

Krun mode is measured twice. "krun mode, up to krun_start_enter" is the runtime's own cost: the double runs
with KRUN_DOUBLE_NO_GUEST=1, so its krun_start_enter records the call and exits 0 at once, where a real
libkrun would start booting the VM; `true` never runs. "krun mode, double plays the guest" adds what the
double does in place of the guest (it forks and execs the in-guest agent, which forks and execs `true`):
guest work, not the runtime's, and nothing like what a VM costs; --no-krun-guest drops that row.

Per run, from wait4 in a small C parent (spawn_rusage.c): wall time, CPU time (user + sys of the runtime
and every process it reaped) and peak RSS (ru_maxrss: the largest process of the run). Prints median (min-max) per runtime and the medians of
the pair-by-pair ratios. State roots on a tmpfs (/dev/shm) as /run is on most hosts; --state-dir to change.

Usage: bench/start_latency.py [-n RUNS] [--build DIR] [--base DIR] [--state-dir DIR] [--layout host|v1-view]
                              [--no-runc] [--no-krun] [--no-krun-guest]   (as root)
--base DIR interleaves an earlier build too ("base" rows and ratios): an A/B of a change in one run.
"""
import argparse
import contextlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from bundle import make_bundle
from host_layout import fake_kvm, hugetlb_v1

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def ensure_packages():
    missing = [p for p in ("crun", "runc") if shutil.which(p) is None]
    if missing:
        subprocess.run([os.path.join(TOP, "scripts", "deps.sh"), *missing], check=True)


# --layout v1-view: each run in a private mount namespace where an empty tmpfs hides cgroup2 (set up before
# the timed command starts), for when the host layout cannot be changed (other users' containers).
PREFIX = []
V1_VIEW = ["unshare", "-m", "--propagation", "private", "sh", "-c",
           'mount -t tmpfs bench-hide /sys/fs/cgroup/unified && exec "$@"', "sh"]


def build_spawner(workdir):
    """bench/spawn_rusage.c: a small C parent that times one run and reports its wait4 rusage."""
    exe = os.path.join(workdir, "spawn_rusage")
    subprocess.run(["cc", "-O2", "-o", exe, os.path.join(TOP, "bench", "spawn_rusage.c")], check=True)
    return exe


def time_run(spawner, rt, root, cid, errlog):
    """(wall s, CPU s, peak RSS KiB) of one `run`; raises on failure."""
    argv = [rt["binary"], "--root", root, "run", "--bundle", rt["bundle"], cid]
    out = subprocess.run([*PREFIX, spawner, *argv], env=dict(rt["env"], SPAWN_STDERR=errlog), check=True,
                         stdout=subprocess.PIPE, text=True).stdout.split()
    if out[0] != "0":
        with open(errlog) as f:
            raise SystemExit(f"{' '.join(argv)} failed ({out[0]}): {f.read().strip()}")
    return int(out[1]) / 1e9, (int(out[2]) + int(out[3])) / 1e6, int(out[4])


def measure(spawner, runtimes, state_dir, runs, ensure_kvm):
    """Per runtime, lists of (wall, cpu, rss); runs interleaved so that load drifts hit all alike."""
    out = {name: [] for name in runtimes}
    errlog = os.path.join(state_dir, "stderr")
    for i in range(-1, runs):  # -1: warm-up (page cache, cgroup parents), not counted
        for name, rt in runtimes.items():
            root = os.path.join(state_dir, "root-" + name.replace(" ", "-"))
            cid = f"bench-{os.getpid()}-{name.replace(' ', '-')}-{i + 1}"
            for attempt in range(3):
                if "krun" in name:
                    ensure_kvm()  # others' tests remove their fake /dev/kvm when they end
                try:
                    sample = time_run(spawner, rt, root, f"{cid}-{attempt}", errlog)
                    break
                except SystemExit as e:
                    if "krun" not in name or "/dev/kvm" not in str(e) or attempt == 2:
                        raise
            if i >= 0:
                out[name].append(sample)
    return out


@contextlib.contextmanager
def v1_view():
    yield "pure v1 view (cgroup2 hidden by a tmpfs in a private mount namespace per run)"


def delete_leftovers(runtimes, state_dir):
    """After a failed run: what a runtime left in its root (and the cgroups it names) goes."""
    for name, rt in runtimes.items():
        root = os.path.join(state_dir, "root-" + name.replace(" ", "-"))
        for cid in os.listdir(root) if os.path.isdir(root) else ():
            subprocess.run([rt["binary"], "--root", root, "delete", "--force", cid], env=rt["env"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def spread(values, scale, fmt):
    return f"{fmt.format(statistics.median(values) * scale)} ({fmt.format(min(values) * scale)}-" \
           f"{fmt.format(max(values) * scale)})"


def ratio(samples, a, b, k):
    return statistics.median(x[k] / y[k] for x, y in zip(samples[a], samples[b]))


NAMES = {
    "ours": "ours (crun mode)",
    "crun": "Debian crun",
    "runc": "Debian runc",
    "krun": "ours, krun mode up to krun_start_enter",
    "krun-guest": "ours, krun mode, double plays the guest",
}


def report(samples, runs, layout, state_dir):
    print(f"`run` of busybox `true`, {runs} interleaved runs; median (min-max)")
    print(f"  cgroups: {layout}; state roots: {state_dir}")
    print(f"  {'':48s} {'wall ms':>20s} {'cpu ms':>20s} {'peak RSS KiB':>20s}")
    for name, s in samples.items():
        wall, cpu, rss = zip(*s)
        print(f"  {NAMES.get(name) or 'base: ' + NAMES[name[5:]]:48s} {spread(wall, 1e3, '{:.1f}'):>20s} {spread(cpu, 1e3, '{:.1f}'):>20s} "
              f"{spread(rss, 1, '{:.0f}'):>20s}")
    if "krun" in samples:
        print("  krun mode runs the libkrun TEST DOUBLE (not libkrun, no VM); \"up to krun_start_enter\": the double")
        print("  exits there (KRUN_DOUBLE_NO_GUEST=1), the runtime's own cost; \"double plays the guest\": plus the")
        print("  double's stand-in for the guest (agent + workload forked and exec'd), not a VM's cost")
    pairs = [("ours", "crun"), ("ours", "runc"), ("krun", "ours"), ("krun-guest", "ours"),
             ("base ours", "crun"), ("base krun", "base ours")]
    pairs += [(n, "base " + n) for n in ("ours", "krun", "krun-guest")]
    for a, b in pairs:
        if a in samples and b in samples:
            print(f"  ratio {a}/{b}: wall {ratio(samples, a, b, 0):.2f}  cpu {ratio(samples, a, b, 1):.2f}  "
                  f"peak RSS {ratio(samples, a, b, 2):.2f}")


ENV = {"PATH": os.environ.get("PATH", "/usr/sbin:/usr/bin:/sbin:/bin")}


def ours(build, prefix, bundle, workdir, args):
    """Our runtime from `build`: crun mode, and krun mode with that build's libkrun test double."""
    runtimes = {prefix + "ours": {"binary": os.path.join(build, "crun"), "bundle": bundle, "env": ENV}}
    if args.no_krun:
        return runtimes
    double = dict(ENV, LD_LIBRARY_PATH=os.path.join(build, "tests", "libkrun-double"))
    variants = {"krun": dict(double, KRUN_DOUBLE_NO_GUEST="1")}
    if not args.no_krun_guest:
        variants["krun-guest"] = double
    for name, kenv in variants.items():
        # A bundle of its own: the double writes its call log into the rootfs.
        kbundle = os.path.join(workdir, "bundle-" + (prefix + name).replace(" ", "-"))
        shutil.copytree(bundle, kbundle, symlinks=True)
        runtimes[prefix + name] = {"binary": os.path.join(build, "krun"), "bundle": kbundle, "env": kenv}
    return runtimes


def main():
    p = argparse.ArgumentParser()
    p.add_argument("-n", "--runs", type=int, default=40)
    p.add_argument("--build", default=os.path.join(TOP, "build"))
    p.add_argument("--state-dir", default="/dev/shm", help="where the state roots go (tmpfs by default)")
    p.add_argument("--base", metavar="DIR", help="an earlier build directory, interleaved as \"base ...\" rows "
                                                 "(A/B of a change; its own test double for krun mode)")
    p.add_argument("--no-runc", action="store_true", help="skip runc")
    p.add_argument("--no-krun", action="store_true", help="skip krun mode")
    p.add_argument("--no-krun-guest", action="store_true",
                   help="skip the krun row in which the test double plays the guest")
    p.add_argument("--layout", choices=("host", "v1-view"), default="host",
                   help="host: the real hybrid layout with hugetlb in v1 for the run; v1-view: cgroup2 hidden "
                        "in a private mount namespace per run (the host is not touched)")
    args = p.parse_args()
    global PREFIX
    PREFIX = V1_VIEW if args.layout == "v1-view" else []
    if os.geteuid() != 0:
        raise SystemExit("start_latency.py: run as root (it runs real containers)")
    ensure_packages()
    workdir = tempfile.mkdtemp(prefix="krun-bench-")
    state_dir = tempfile.mkdtemp(prefix="krun-bench-state-", dir=args.state_dir)
    try:
        spawner = build_spawner(workdir)
        bundle = make_bundle(workdir, os.path.join(args.build, "crun"))
        runtimes = ours(args.build, "", bundle, workdir, args)
        runtimes["crun"] = {"binary": shutil.which("crun"), "bundle": bundle, "env": ENV}
        if not args.no_runc:
            runtimes["runc"] = {"binary": shutil.which("runc"), "bundle": bundle, "env": ENV}
        if args.base:
            runtimes.update(ours(args.base, "base ", bundle, workdir, args))
        with (hugetlb_v1() if not PREFIX else v1_view()) as layout, \
                (fake_kvm() if "krun" in runtimes else contextlib.nullcontext(lambda: None)) as ensure_kvm:
            try:
                samples = measure(spawner, runtimes, state_dir, args.runs, ensure_kvm)
            finally:
                delete_leftovers(runtimes, state_dir)
    finally:
        shutil.rmtree(state_dir, ignore_errors=True)
        shutil.rmtree(workdir, ignore_errors=True)
    report(samples, args.runs, layout, args.state_dir)


if __name__ == "__main__":
    sys.exit(main())
