#!/usr/bin/python3
"""Start latency: wall time of `RUNTIME run` of a trivial busybox container (create + start + wait +
delete), for our crun, Debian's crun and Debian's runc, interleaved in one run; prints medians and the
ratios ours/crun and ours/runc.

Debian 12's crun 1.8.1 refuses hybrid cgroup hosts ("cgroups in hybrid mode not supported, drop all
controllers from cgroupv2") because hugetlb sits in the unified hierarchy. So the comparison runs in a
private mount namespace where /sys/fs/cgroup/unified is hidden under an empty tmpfs: all three runtimes
then see the same pure-v1 layout. Ours is also timed on the real hybrid layout, outside that namespace.

Usage: bench/start_latency.py [-n RUNS] [--build DIR]   (as root; installs crun and runc if missing)
"""
import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from bundle import make_bundle

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def ensure_packages():
    missing = [p for p in ("crun", "runc") if shutil.which(p) is None]
    if missing:
        subprocess.run([os.path.join(TOP, "scripts", "deps.sh"), *missing], check=True)


def time_run(binary, root, bundle, i):
    """(wall seconds, CPU seconds user+sys of the runtime and everything it waited for)."""
    cid = f"bench-{os.getpid()}-{i}"
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    r = subprocess.run([binary, "--root", root, "run", "--bundle", bundle, cid],
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    dt = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if r.returncode != 0:
        raise SystemExit(f"{binary} run failed ({r.returncode}): {r.stderr.decode().strip()}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return dt, cpu


def measure(runtimes, bundle, workdir, runs):
    """Medians of wall and CPU time per runtime, runs interleaved so that load drifts hit all alike."""
    times = {name: [] for name in runtimes}
    cpus = {name: [] for name in runtimes}
    roots = {name: os.path.join(workdir, "root-" + name) for name in runtimes}
    for name, binary in runtimes.items():  # warm-up: page cache, binaries, cgroup parents
        time_run(binary, roots[name], bundle, "warm")
    for i in range(runs):
        for name, binary in runtimes.items():
            dt, cpu = time_run(binary, roots[name], bundle, i)
            times[name].append(dt)
            cpus[name].append(cpu)
    return {name: [statistics.median(times[name]), statistics.median(cpus[name])] for name in runtimes}


def inner(args):
    """Runs inside a private mount namespace. State roots live on a tmpfs, as /run does on production
    hosts (this sandbox's /run is on ext4, where the fsync of our crash-safe state write costs 1-8 ms)."""
    roots = os.path.join(args.workdir, "roots")
    os.makedirs(roots)
    subprocess.run(["mount", "-t", "tmpfs", "bench-roots", roots], check=True)
    hybrid = measure({"ours": args.ours}, args.bundle, roots, args.runs)["ours"]
    subprocess.run(["mount", "-t", "tmpfs", "bench", "/sys/fs/cgroup/unified"], check=True)
    runtimes = {"ours": args.ours, "crun": shutil.which("crun"), "runc": shutil.which("runc")}
    med = measure(runtimes, args.bundle, roots, args.runs)
    med["ours-hybrid"] = hybrid
    json.dump(med, sys.stdout)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("-n", "--runs", type=int, default=30)
    p.add_argument("--build", default=os.path.join(TOP, "build"))
    p.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--ours", help=argparse.SUPPRESS)
    p.add_argument("--bundle", help=argparse.SUPPRESS)
    p.add_argument("--workdir", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.inner:
        return inner(args)
    if os.geteuid() != 0:
        raise SystemExit("start_latency.py: run as root (it runs real containers)")
    ensure_packages()
    ours = os.path.join(args.build, "crun")
    workdir = tempfile.mkdtemp(prefix="krun-bench-")
    try:
        bundle = make_bundle(workdir, ours)
        out = subprocess.run(["unshare", "-m", "--propagation", "private", sys.executable, __file__, "--inner",
                              "--runs", str(args.runs), "--ours", ours, "--bundle", bundle, "--workdir", workdir],
                             check=True, stdout=subprocess.PIPE).stdout
        med = json.loads(out)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(f"start latency, `run` of a trivial busybox container, median of {args.runs} runs")
    print("  layout: pure v1 view (cgroup2 hidden; Debian's crun 1.8.1 refuses this hybrid host otherwise)")
    print(f"  {'':5s} {'wall ms':>8s} {'cpu ms':>8s}")
    for name in ("ours", "crun", "runc"):
        print(f"  {name:5s} {med[name][0] * 1000:8.2f} {med[name][1] * 1000:8.2f}")
    for other in ("crun", "runc"):
        print(f"  ratio ours/{other}: wall {med['ours'][0] / med[other][0]:.2f}   cpu {med['ours'][1] / med[other][1]:.2f}")
    hybrid = med["ours-hybrid"]
    print(f"  ours on the real hybrid layout: wall {hybrid[0] * 1000:.2f} ms, cpu {hybrid[1] * 1000:.2f} ms")


if __name__ == "__main__":
    main()
