#!/usr/bin/python3
"""Scale against Debian's crun, on the same layout as start_latency.py (host_layout.py):

- parallel: N `run`s of busybox `true` (distinct IDs, one --root) all launched at once; the total wall
  time until the last one exits, R rounds alternating ours and crun;
- exec: `exec ID true` into a running busybox `sleep`, E times alternating ours and crun; wall and CPU per
  exec (from wait4, bench/spawn_rusage.c).

`list` of 1,000 containers is bench/list_scale.py.

Usage: bench/scale.py [-n PARALLEL] [-r ROUNDS] [-e EXECS] [--build DIR] [--layout host|v1-view]   (as root)
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import tempfile
import time

from bundle import make_bundle
from host_layout import hugetlb_v1
from start_latency import V1_VIEW, build_spawner, v1_view

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PREFIX = []  # --layout v1-view: see start_latency.py


def parallel_runs(binary, root, bundle, n, tag):
    t0 = time.perf_counter()
    procs = [subprocess.Popen([*PREFIX, binary, "--root", root, "run", "--bundle", bundle, f"{tag}-{i}"],
                              stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
             for i in range(n)]
    failed = []
    for p in procs:
        _, err = p.communicate()
        if p.returncode != 0:
            failed.append(err.decode().strip())
    dt = time.perf_counter() - t0
    if failed:
        raise SystemExit(f"{binary}: {len(failed)} of {n} parallel runs failed: {failed[0]}")
    return dt


def exec_once(spawner, binary, root, cid, errlog):
    out = subprocess.run([*PREFIX, spawner, binary, "--root", root, "exec", cid, "true"], check=True,
                         env=dict(os.environ, SPAWN_STDERR=errlog), stdout=subprocess.PIPE, text=True).stdout.split()
    if out[0] != "0":
        with open(errlog) as f:
            raise SystemExit(f"{binary} exec failed ({out[0]}): {f.read().strip()}")
    return int(out[1]) / 1e9, (int(out[2]) + int(out[3])) / 1e6


def cleanup(runtimes, state_dir):
    for name, binary in runtimes.items():
        root = os.path.join(state_dir, name)
        for cid in os.listdir(root) if os.path.isdir(root) else ():
            subprocess.run([binary, "--root", root, "delete", "--force", cid],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("-n", "--parallel", type=int, default=100)
    p.add_argument("-r", "--rounds", type=int, default=3)
    p.add_argument("-e", "--execs", type=int, default=30)
    p.add_argument("--build", default=os.path.join(TOP, "build"))
    p.add_argument("--layout", choices=("host", "v1-view"), default="host", help="as in start_latency.py")
    args = p.parse_args()
    global PREFIX
    PREFIX = V1_VIEW if args.layout == "v1-view" else []
    if os.geteuid() != 0:
        raise SystemExit("scale.py: run as root (it runs real containers)")
    runtimes = {"ours": os.path.join(args.build, "crun"), "crun": shutil.which("crun")}
    workdir = tempfile.mkdtemp(prefix="krun-scale-")
    state_dir = tempfile.mkdtemp(prefix="krun-scale-state-", dir="/dev/shm")
    par = {name: [] for name in runtimes}
    ex = {name: [] for name in runtimes}
    try:
        spawner = build_spawner(workdir)
        bundle = make_bundle(workdir, runtimes["ours"])
        sleeper = os.path.join(workdir, "sleeper")
        os.makedirs(sleeper)
        os.symlink(os.path.join(bundle, "rootfs"), os.path.join(sleeper, "rootfs"))
        with open(os.path.join(bundle, "config.json")) as f:
            cfg = json.load(f)
        cfg["process"]["args"] = ["sleep", "1000"]
        with open(os.path.join(sleeper, "config.json"), "w") as f:
            json.dump(cfg, f)
        with (hugetlb_v1() if not PREFIX else v1_view()) as layout:
            try:
                for r in range(args.rounds):
                    for name, binary in runtimes.items():
                        par[name].append(parallel_runs(binary, os.path.join(state_dir, name), bundle,
                                                       args.parallel, f"par{r}"))
                for name, binary in runtimes.items():
                    root = os.path.join(state_dir, name)
                    subprocess.run([*PREFIX, binary, "--root", root, "run", "-d", "--bundle", sleeper, "sleeper"],
                                   check=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
                errlog = os.path.join(workdir, "stderr")
                for _ in range(args.execs):
                    for name, binary in runtimes.items():
                        ex[name].append(exec_once(spawner, binary, os.path.join(state_dir, name), "sleeper", errlog))
            finally:
                cleanup(runtimes, state_dir)
    finally:
        shutil.rmtree(state_dir, ignore_errors=True)
        shutil.rmtree(workdir, ignore_errors=True)
    print(f"cgroups: {layout}; state roots on tmpfs")
    print(f"{args.parallel} parallel `run`s of busybox `true`, total wall s, median (min-max) of {args.rounds} rounds")
    for name in runtimes:
        print(f"  {name:5s} {statistics.median(par[name]):.2f} ({min(par[name]):.2f}-{max(par[name]):.2f})")
    print(f"  ratio ours/crun: {statistics.median(a / b for a, b in zip(par['ours'], par['crun'])):.2f}")
    print(f"`exec ID true`, median (min-max) of {args.execs}, ms")
    for name in runtimes:
        w = [x[0] * 1e3 for x in ex[name]]
        c = [x[1] * 1e3 for x in ex[name]]
        print(f"  {name:5s} wall {statistics.median(w):.1f} ({min(w):.1f}-{max(w):.1f})  "
              f"cpu {statistics.median(c):.1f} ({min(c):.1f}-{max(c):.1f})")
    ratios = [(a[0] / b[0], a[1] / b[1]) for a, b in zip(ex["ours"], ex["crun"])]
    print(f"  ratio ours/crun: wall {statistics.median(r[0] for r in ratios):.2f}  "
          f"cpu {statistics.median(r[1] for r in ratios):.2f}")


if __name__ == "__main__":
    main()
