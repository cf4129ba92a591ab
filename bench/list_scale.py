#!/usr/bin/python3
"""`list` and `state` with many stopped containers (issue 6: `list` of 1,000 stopped containers < 50 ms).

The containers are real: `run --keep` of busybox `true` (create + start + exit, the state kept as
`stopped`), N of them in a private --root, created two at a time. Then `list` (table), `list --format
json`, `list -q` and `state ID` are timed (wall time of the whole command, median and max of R runs),
and every container is deleted again.

Usage: bench/list_scale.py [-n CONTAINERS] [-r RUNS] [--build DIR]   (as root)
"""
import argparse
import concurrent.futures
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from bundle import make_bundle

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET_MS = 50.0


def timed(argv, runs):
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), max(times)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=1000, help="number of stopped containers (default 1000)")
    ap.add_argument("-r", type=int, default=20, help="timed runs per command (default 20)")
    ap.add_argument("--build", default=os.environ.get("KRUN_BUILD", os.path.join(TOP, "build")),
                    help="build directory with crun (default: $KRUN_BUILD, else build/)")
    a = ap.parse_args()
    crun = os.path.join(a.build, "crun")
    work = tempfile.mkdtemp(prefix="krun-list-scale-")
    root = os.path.join(work, "state")
    ids = [f"ls-{i:05d}" for i in range(a.n)]
    try:
        bundle = make_bundle(work, crun)
        t0 = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            runs = [pool.submit(subprocess.run, [crun, "--root", root, "run", "--keep", "--bundle", bundle, cid],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True) for cid in ids]
        failed = [f.result() for f in runs if f.result().returncode != 0]
        if failed:  # say why rather than only counting the missing ones below
            print(f"{len(failed)} of {a.n} `run --keep` failed; first: {failed[0].args}: {failed[0].stderr.strip()}")
        made = time.perf_counter() - t0
        out = subprocess.run([crun, "--root", root, "list", "--format", "json"], check=True, capture_output=True)
        entries = json.loads(out.stdout)
        stopped = sum(1 for e in entries if e["status"] == "stopped")
        print(f"{len(entries)} containers ({stopped} stopped) created with `run --keep true` in {made:.1f} s")
        assert stopped == a.n, "every container must be listed as stopped"
        results = {
            "list": timed([crun, "--root", root, "list"], a.r),
            "list --format json": timed([crun, "--root", root, "list", "--format", "json"], a.r),
            "list -q": timed([crun, "--root", root, "list", "-q"], a.r),
            "state ID": timed([crun, "--root", root, "state", ids[a.n // 2]], a.r),
        }
        for name, (med, worst) in results.items():
            verdict = ""
            if name.startswith("list"):
                verdict = "  OK" if med < TARGET_MS else f"  ABOVE the {TARGET_MS:.0f} ms target"
            print(f"{name:20s} median {med:7.2f} ms  max {worst:7.2f} ms{verdict}")
        return 0 if results["list"][0] < TARGET_MS else 1
    finally:
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            for cid in ids:
                pool.submit(subprocess.run, [crun, "--root", root, "delete", "--force", cid],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
