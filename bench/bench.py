#!/usr/bin/env python3
"""Benchmark: bomscout against the I/O floor on a generated organization.

Generates a synthetic organization from the real fixtures (N repositories, each with one or
two ecosystems' manifests copied from fixtures/, M ordinary source files in nested folders,
a .git directory, installed trees where the fixture has them), then measures, warm cache,
median of RUNS runs:

  find       `find ROOT` : the walk floor
  walk+read  `find ROOT -name <manifest names> -exec cat {} +` : walk and read every manifest
  bomscout   `bomscout scan ROOT -q -o cyclonedx-json=/dev/null`
  pr-gate    `bomscout check` on one repository of 5,000 components (SARIF out)
  trivy      `trivy fs --offline-scan --include-dev-deps ...` when trivy is on PATH

and the time of every output writer on a synthetic 50,000-component SBOM.

and peak RSS of each (os.wait4). Results go to stdout and bench/RESULTS.md.

Usage: bench/bench.py [--sizes small,medium,large] [--runs 5] [--keep]
"""
import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"
OUT = REPO / "bench" / "out"
SIZES = {"small": (50, 10_000), "medium": (500, 100_000), "large": (5_000, 1_000_000)}
MANIFEST_NAMES = [
    "package.json", "package-lock.json", "npm-shrinkwrap.json", "Cargo.lock", "Cargo.toml",
    "requirements*.txt", "Pipfile.lock", "poetry.lock", "uv.lock", "pylock*.toml",
    "pyproject.toml", "METADATA", "PKG-INFO", "yarn.lock", "pnpm-lock.yaml", "bun.lock",
    "go.mod", "go.sum", "modules.txt", "pom.xml", "*.lockfile", "*.versions.toml",
    "Gemfile.lock", "Gemfile", "composer.lock", "composer.json", "packages.lock.json",
    "*.deps.json", "*.csproj", "Package.resolved", "Podfile.lock", "pubspec.lock",
    "mix.lock", "mix.exs", "rebar.lock", "conan.lock", "vcpkg.json", "stack.yaml.lock",
    "cabal.project.freeze", "renv.lock", "*.yml",
]


def scenarios():
    """Every fixture scenario directory except corrupt ones: fixtures/<eco>/<scenario>/."""
    out = []
    for eco in sorted(FIXTURES.iterdir()):
        if not eco.is_dir():
            continue
        for sc in sorted(eco.iterdir()):
            # Corrupt and hostile inputs are tests, not organizations; prebuilt binaries
            # (a Go executable, jars) would make every generated repository megabytes.
            skip = ("corrupt", "hostile", "binary", "jars")
            if sc.is_dir() and not any(s in sc.name for s in skip):
                out.append(sc)
    if not out:
        sys.exit("no fixtures found under fixtures/<ecosystem>/<scenario>/")
    return out


def generate(root: Path, repos: int, files: int, seed: int = 7):
    rng = random.Random(seed)
    pool = scenarios()
    if root.exists():
        shutil.rmtree(root)
    per_repo = max(1, files // repos)
    for i in range(repos):
        repo = root / f"repo-{i:05d}"
        for sc in rng.sample(pool, k=min(len(pool), rng.choice([1, 2]))):
            shutil.copytree(sc, repo / sc.parent.name / sc.name, symlinks=True, dirs_exist_ok=True)
        git = repo / ".git" / "objects"
        git.mkdir(parents=True, exist_ok=True)
        for g in range(8):
            (git / f"obj{g}").write_bytes(b"x" * 64)
        made = sum(1 for _ in repo.rglob("*"))
        for n in range(max(0, per_repo - made)):
            d = repo / "src" / f"m{n % 7}" / f"s{n % 5}" / f"d{n % 3}"
            d.mkdir(parents=True, exist_ok=True)
            (d / f"file{n}.rs").write_text(f"// source file {n}\nfn f{n}() {{}}\n")


TIME = shutil.which("time") or "/usr/bin/time"


def run(cmd, cwd=None):
    """Runs cmd under `time -f %M`; returns (seconds, peak RSS in KiB, stdout bytes).

    The peak comes from GNU time, not from this process's rusage: a forked child's
    ru_maxrss starts at the size of the Python parent it was forked from.
    """
    argv = ["sh", "-c", cmd] if isinstance(cmd, str) else list(cmd)
    start = time.perf_counter()
    proc = subprocess.run([TIME, "-f", "%M", *argv], cwd=cwd, capture_output=True)
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise SystemExit(f"command failed ({proc.returncode}): {cmd}\n{proc.stderr.decode()[-2000:]}")
    peak = int(proc.stderr.decode().strip().splitlines()[-1])
    return elapsed, peak, proc.stdout


def measure(cmd, runs):
    run(cmd)  # warm the page cache
    samples = [run(cmd) for _ in range(runs)]
    return statistics.median(s[0] for s in samples), max(s[1] for s in samples)


def pr_gate(exe, runs, n=5000):
    """`bomscout check` on one repository of ~n components (warm cache): a package-lock v3
    shaped like the npm fixture's, with n synthetic packages, a mix of licenses."""
    root = OUT / "pr-gate"
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    licenses = ["MIT", "ISC", "Apache-2.0", "BSD-3-Clause", "MPL-2.0", "(MIT OR Apache-2.0)"]
    packages = {"": {"name": "gate", "version": "1.0.0", "dependencies": {f"p{i}": "*" for i in range(0, n, 10)}}}
    for i in range(n):
        deps = {f"p{j}": "*" for j in (i + 1, i + 2) if j < n}
        packages[f"node_modules/p{i}"] = {"version": f"1.{i % 10}.0", "license": licenses[i % len(licenses)], "dependencies": deps}
    lock = {"name": "gate", "version": "1.0.0", "lockfileVersion": 3, "requires": True, "packages": packages}
    import json
    (root / "package-lock.json").write_text(json.dumps(lock))
    cmd = [str(exe), "check", str(root), "-q", "--policy", "builtin:stage1", "-o", "sarif=/dev/null"]
    secs, rss = measure(cmd, runs)
    shutil.rmtree(root)
    return secs, rss


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="small,medium")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--keep", action="store_true", help="keep generated trees")
    args = ap.parse_args()

    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=REPO, check=True)
    exe = REPO / "target" / "release" / "bomscout"
    names = " -o ".join(f"-name '{n}'" for n in MANIFEST_NAMES)
    rows = []
    for size in args.sizes.split(","):
        repos, files = SIZES[size]
        root = OUT / size
        t0 = time.perf_counter()
        generate(root, repos, files)
        nfiles = int(subprocess.run(f"find {root} -type f | wc -l", shell=True, capture_output=True, text=True).stdout)
        print(f"{size}: generated {repos} repos, {nfiles} files in {time.perf_counter() - t0:.1f}s", flush=True)
        cmds = {
            "find": f"find {root} > /dev/null",
            "walk+read": f"find {root} -type f \\( {names} \\) -exec cat {{}} + > /dev/null",
            "bomscout": [str(exe), "scan", str(root), "-q", "-o", "cyclonedx-json=/dev/null"],
        }
        if shutil.which("trivy"):
            # License scanning only (the vulnerability DB is not reachable offline), dev
            # dependencies included so both tools report the same packages.
            cmds["trivy"] = (
                "trivy fs --quiet --offline-scan --skip-db-update --skip-java-db-update "
                f"--scanners license --include-dev-deps --list-all-pkgs -f cyclonedx -o /dev/null {root}"
            )
        results = {k: measure(c, args.runs) for k, c in cmds.items()}
        _, _, out = run([str(exe), "scan", str(root), "-q", "-o", "json"])
        import json
        components = len(json.loads(out)["components"])
        floor = results["walk+read"][0]
        for tool, (secs, rss) in results.items():
            rows.append((size, repos, nfiles, tool, secs, rss / 1024, secs / results["find"][0], secs / floor, components if tool == "bomscout" else ""))
            print(f"  {tool:10} {secs*1000:9.1f} ms  {rss/1024:7.1f} MiB  x{secs/floor:5.2f} of walk+read", flush=True)
        if not args.keep:
            shutil.rmtree(root)
    gate_secs, gate_rss = pr_gate(exe, args.runs)
    print(f"pr-gate: check on 5000 components {gate_secs*1000:.1f} ms, {gate_rss/1024:.1f} MiB", flush=True)
    rows.append(("pr-gate", 1, 1, "bomscout check", gate_secs, gate_rss / 1024, float("nan"), float("nan"), 5000))
    writers = subprocess.run(
        ["cargo", "run", "--quiet", "--release", "-p", "bomscout-report", "--example", "write_large"],
        cwd=REPO, capture_output=True, text=True, check=True,
    ).stdout
    print(writers)
    write_results(rows, args.runs, writers)


def write_results(rows, runs, writers):
    """Puts this run's section at the top of bench/RESULTS.md, under its title, and keeps
    every earlier section: the file is the history of the numbers, not the last run."""
    import datetime

    today = datetime.date.today().isoformat()
    lines = [
        f"## {today}: `bench/bench.py --runs {runs}` (fill in what changed)",
        "",
        f"Machine: {os.cpu_count()} cores, `{' '.join(os.uname()[0:1] + os.uname()[2:3])}`; warm page cache; median of {runs} runs.",
        "",
        "| size | repos | files | tool | wall (ms) | peak RSS (MiB) | × find | × walk+read | components |",
        "|---|---:|---:|---|---:|---:|---:|---:|---:|",
    ]
    for size, repos, files, tool, secs, rss, xfind, xfloor, comps in rows:
        lines.append(f"| {size} | {repos} | {files} | {tool} | {secs*1000:.1f} | {rss:.1f} | {xfind:.2f} | {xfloor:.2f} | {comps} |")
    lines += [
        "",
        "Writing a 50,000-component SBOM (`cargo run --release -p bomscout-report --example write_large`):",
        "",
        "```",
        writers.strip(),
        "```",
        "",
    ]
    path = REPO / "bench" / "RESULTS.md"
    old = path.read_text() if path.exists() else "# Benchmark results\n"
    title, _, rest = old.partition("\n")
    path.write_text(title + "\n\n" + "\n".join(lines) + "\n" + rest.lstrip("\n"))


if __name__ == "__main__":
    main()
