"""The benchmarks' bundle: a busybox rootfs and our `spec` template running `true` without a terminal."""
import json
import os
import subprocess

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def make_bundle(workdir, runtime):
    bundle = os.path.join(workdir, "bundle")
    subprocess.run([os.path.join(TOP, "scripts", "mkrootfs.sh"), os.path.join(bundle, "rootfs")], check=True)
    subprocess.run([runtime, "spec", "--bundle", bundle], check=True)
    with open(os.path.join(bundle, "config.json")) as f:
        cfg = json.load(f)
    cfg["process"]["terminal"] = False
    cfg["process"]["args"] = ["true"]
    with open(os.path.join(bundle, "config.json"), "w") as f:
        json.dump(cfg, f)
    return bundle
