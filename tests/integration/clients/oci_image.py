"""Build image tarballs from the busybox rootfs of scripts/mkrootfs.sh (no registry is reachable here).

rootfs_tar(): a plain tar of the rootfs, for `podman import`.
oci_archive(): an OCI image layout (oci-layout, index.json, blobs/sha256/…) in a tar, for `ctr images import`:
one gzip layer, an image config with Cmd/Env, a manifest, and the index naming it by `ref`.
"""
import gzip
import hashlib
import io
import json
import os
import subprocess
import tarfile

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))


def make_rootfs(dest):
    subprocess.run([os.path.join(TOP, "scripts", "mkrootfs.sh"), dest], check=True)
    return dest


def rootfs_tar(rootfs, out):
    """Uncompressed tar of the rootfs' content, entries relative to its top (`./bin/busybox`)."""
    subprocess.run(["tar", "-C", rootfs, "--numeric-owner", "-cf", out, "."], check=True)
    return out


def _blob(tar, data, media_type):
    digest = hashlib.sha256(data).hexdigest()
    info = tarfile.TarInfo(f"blobs/sha256/{digest}")
    info.size = len(data)
    info.mode = 0o644
    tar.addfile(info, io.BytesIO(data))
    return {"mediaType": media_type, "digest": f"sha256:{digest}", "size": len(data)}


def _add_file(tar, name, data):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o644
    tar.addfile(info, io.BytesIO(data))


def oci_archive(rootfs, out, ref):
    """An OCI image layout tarball; `ref` goes into org.opencontainers.image.ref.name (ctr imports it as
    `ref` when given `--base-name`, or by its index annotation)."""
    layer_tar = out + ".layer.tar"
    rootfs_tar(rootfs, layer_tar)
    with open(layer_tar, "rb") as f:
        layer = f.read()
    os.unlink(layer_tar)
    diff_id = "sha256:" + hashlib.sha256(layer).hexdigest()
    layer_gz = gzip.compress(layer, compresslevel=1, mtime=0)
    config = {
        "architecture": {"x86_64": "amd64", "aarch64": "arm64"}.get(os.uname().machine, os.uname().machine),
        "os": "linux",
        "config": {"Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
                   "Cmd": ["sh"], "WorkingDir": "/"},
        "rootfs": {"type": "layers", "diff_ids": [diff_id]},
    }
    with tarfile.open(out, "w") as tar:
        _add_file(tar, "oci-layout", json.dumps({"imageLayoutVersion": "1.0.0"}).encode())
        layer_desc = _blob(tar, layer_gz, "application/vnd.oci.image.layer.v1.tar+gzip")
        config_desc = _blob(tar, json.dumps(config).encode(), "application/vnd.oci.image.config.v1+json")
        manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                    "config": config_desc, "layers": [layer_desc]}
        manifest_desc = _blob(tar, json.dumps(manifest).encode(), "application/vnd.oci.image.manifest.v1+json")
        manifest_desc["annotations"] = {"org.opencontainers.image.ref.name": ref}
        index = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
                 "manifests": [manifest_desc]}
        _add_file(tar, "index.json", json.dumps(index).encode())
    return out
