#!/usr/bin/env python3
"""Benchmark: a full scan of an organization whose lockfiles are real (issue 17, section 0).

Builds an organization of N repositories from the lockfiles in bench/lockfiles/<tool>/ (made
by npm, pnpm, yarn 1, yarn 4, cargo, uv, pipenv and pip-compile; see bench/lockfiles/README.md):
each repository gets 1-3 of those sets (the first at its root, the others in a folder named
after the tool), a `.git` directory, and ordinary source files (.rs, .py, .ts, .md) in nested
folders around them. Then measures, in ONE run, warm page cache, RUNS rounds in which every
command runs once in turn (so a machine that slows for a while slows every tool alike):

  find        `find ROOT > /dev/null`: the walk floor
  walk+read   `find ROOT -type f ( -name <each lockfile/manifest name> ) -print0 |
              xargs -0 cat > /dev/null`: walk the tree and read exactly the files bomscout
              parses here (the names of the sets' files; bomscout reads no other file in
              these repositories; `Pipfile` and `requirements.in` are not among them), in
              one pass of `find` and a few `cat` processes
  bomscout    `bomscout scan ROOT -q -o cyclonedx-json=/dev/null` (every --exe given)
  trivy       `trivy fs --offline-scan ...` as bench/bench.py runs it, when on PATH

median wall and CPU time and highest and median peak RSS (GNU time's %M) of each, and each tool's ratio
to walk+read taken round by round (median, lowest-highest). `--exe NAME=PATH` may repeat, so a build
before and after a change is measured against the same tree in the same run.

Usage: bench/real.py [--repos 500,5000] [--runs 3] [--exe after=target/release/bomscout]
                     [--no-trivy] [--keep] [--reuse] [--write]
"""
import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import time
from pathlib import Path

from bench import OUT, REPO, TIME, run

LOCKFILES = REPO / "bench" / "lockfiles"
# Files of the sets that no cataloger claims (crates/bomscout-core/src/cataloger.rs): the
# walk+read floor does not read them, as bomscout does not.
NOT_PARSED = {"Pipfile", "requirements.in", "README.md"}
SOURCES = {
    ".rs": "// module {n}\npub fn f{n}(x: u32) -> u32 {{ x.wrapping_mul({n}) }}\n",
    ".py": "# module {n}\ndef f{n}(x):\n    return x * {n}\n",
    ".ts": "// module {n}\nexport const f{n} = (x: number): number => x * {n};\n",
    ".md": "# Notes {n}\n\nNothing here is a manifest.\n",
}


def sets():
    """Every bench/lockfiles/<tool>/ folder: (tool, [files])."""
    out = []
    for d in sorted(LOCKFILES.iterdir()):
        if d.is_dir():
            files = sorted(f for f in d.iterdir() if f.is_file())
            if files:
                out.append((d.name, files))
    if not out:
        raise SystemExit("no lockfile sets under bench/lockfiles/<tool>/")
    return out


def generate(root: Path, repos: int, sources_per_repo: int = 60, seed: int = 17):
    """The organization; returns (bytes of lockfiles and manifests, their file names)."""
    rng = random.Random(seed)
    pool = sets()
    if root.exists():
        shutil.rmtree(root)
    total = 0
    names = set()
    for i in range(repos):
        repo = root / f"repo-{i:05d}"
        k = rng.choices([1, 2, 3], weights=[5, 3, 2])[0]
        for j, (tool, files) in enumerate(rng.sample(pool, k=k)):
            dest = repo if j == 0 else repo / tool
            dest.mkdir(parents=True, exist_ok=True)
            for f in files:
                shutil.copyfile(f, dest / f.name)
                total += f.stat().st_size
                names.add(f.name)
        git = repo / ".git" / "objects"
        git.mkdir(parents=True, exist_ok=True)
        for g in range(8):
            (git / f"obj{g}").write_bytes(b"x" * 64)
        for n in range(sources_per_repo):
            ext = list(SOURCES)[n % len(SOURCES)]
            d = repo / "src" / f"m{n % 5}" / f"d{n % 3}"
            d.mkdir(parents=True, exist_ok=True)
            (d / f"file{n}{ext}").write_text(SOURCES[ext].format(n=n))
    return total, sorted(names)


def timed(cmd):
    """Runs cmd under GNU time; returns (wall seconds, CPU seconds (user + sys), peak RSS in
    KiB). CPU time is reported beside wall time because the machine may be shared: another
    job's load stretches wall time, hardly CPU time."""
    argv = ["sh", "-c", cmd] if isinstance(cmd, str) else list(cmd)
    start = time.perf_counter()
    proc = subprocess.run([TIME, "-f", "%U %S %M", *argv], capture_output=True)
    wall = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise SystemExit(f"command failed ({proc.returncode}): {cmd}\n{proc.stderr.decode()[-2000:]}")
    user, sys_, peak = proc.stderr.decode().strip().splitlines()[-1].split()
    return wall, float(user) + float(sys_), int(peak)


def measure(cmds, runs):
    """Runs every command once to warm the page cache, then `runs` rounds of every command in
    turn, so a machine that slows down for a while slows every tool's round alike. Returns,
    per command, its samples in round order."""
    for cmd in cmds.values():
        timed(cmd)
    samples = {tool: [] for tool in cmds}
    for _ in range(runs):
        for tool, cmd in cmds.items():
            samples[tool].append(timed(cmd))
    return samples


def summary(samples, floor):
    """Median wall and CPU time, the highest and the median peak RSS, and the ratio to the
    floor taken round by round (median, lowest, highest): a ratio of two medians could pair
    a fast round of one tool with a slow round of the other."""
    ratios = [s[0] / f[0] for s, f in zip(samples, floor)]
    return (
        statistics.median(s[0] for s in samples),
        statistics.median(s[1] for s in samples),
        (max(s[2] for s in samples), statistics.median(s[2] for s in samples)),
        (statistics.median(ratios), min(ratios), max(ratios)),
    )


def ratio(a, b):
    """a / b, or NaN where GNU time's 10 ms resolution rounded b to nothing (small trees)."""
    return a / b if b else float("nan")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repos", default="500,5000")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--exe", action="append", default=[], help="NAME=PATH of a bomscout build")
    ap.add_argument("--no-trivy", action="store_true")
    ap.add_argument("--keep", action="store_true", help="keep generated trees")
    ap.add_argument("--reuse", action="store_true", help="reuse a tree kept by --keep (same seed)")
    ap.add_argument("--write", action="store_true", help="add the table to bench/RESULTS.md")
    args = ap.parse_args()

    exes = [e.split("=", 1) for e in args.exe]
    if not exes:
        target = Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
        subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=REPO, check=True)
        exes = [("bomscout", str(target / "release" / "bomscout"))]
    rows = []
    for repos in [int(r) for r in args.repos.split(",")]:
        root = OUT / f"real-{repos}"
        t0 = time.perf_counter()
        marker = OUT / f"real-{repos}.json"
        if args.reuse and marker.exists():
            lock_bytes, names = json.loads(marker.read_text())
        else:
            lock_bytes, names = generate(root, repos)
            marker.write_text(json.dumps([lock_bytes, names]))
        nfiles = int(subprocess.run(f"find {root} -type f | wc -l", shell=True, capture_output=True, text=True).stdout)
        print(f"{repos} repos: {nfiles} files, {lock_bytes / 1e6:.1f} MB of lockfiles and manifests, "
              f"generated in {time.perf_counter() - t0:.1f}s", flush=True)
        pattern = " -o ".join(f"-name '{n}'" for n in names if n not in NOT_PARSED)
        cmds = {
            "find": f"find {root} > /dev/null",
            "walk+read": f"find {root} -type f \\( {pattern} \\) -print0 | xargs -0 cat > /dev/null",
        }
        for name, exe in exes:
            cmds[name] = [exe, "scan", str(root), "-q", "-o", "cyclonedx-json=/dev/null"]
        if shutil.which("trivy") and not args.no_trivy:
            cmds["trivy"] = (
                "trivy fs --quiet --offline-scan --skip-db-update --skip-java-db-update "
                f"--scanners license --include-dev-deps --list-all-pkgs -f cyclonedx -o /dev/null {root}"
            )
        samples = measure(cmds, args.runs)
        results = {tool: summary(samples[tool], samples["walk+read"]) for tool in cmds}
        for tool, (wall, cpu, (rss, _), (xmed, xlo, xhi)) in results.items():
            print(f"  {tool:10} {wall * 1000:9.1f} ms  cpu {cpu * 1000:9.1f} ms  {rss / 1024:7.1f} MiB  "
                  f"{xmed:.2f}x floor ({xlo:.2f}-{xhi:.2f})", flush=True)
        components = {}
        for name, exe in exes:
            _, _, out = run([exe, "scan", str(root), "-q", "-o", "json"])
            components[name] = len(json.loads(out)["components"])
        _, floor_cpu, _, _ = results["walk+read"]
        trivy, trivy_cpu, _, _ = results.get("trivy", (float("nan"), float("nan"), 0, None))
        for tool, (secs, cpu, rss, xfloor) in results.items():
            row = (repos, nfiles, lock_bytes, tool, secs, cpu, rss, xfloor, ratio(cpu, floor_cpu),
                   ratio(trivy, secs), ratio(trivy_cpu, cpu), components.get(tool, ""))
            rows.append(row)
        if not args.keep:
            shutil.rmtree(root)
            marker.unlink(missing_ok=True)
    table = [
        "| repos | files | lockfile MB | tool | wall (ms) | CPU (ms) | peak RSS, highest (median) (MiB) "
        "| × walk+read (wall, by round) | × walk+read (CPU) | Trivy ÷ tool (wall) | Trivy ÷ tool (CPU) | components |",
        "|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for repos, nfiles, lb, tool, secs, cpu, rss, xfloor, xfloor_cpu, xtrivy, xtrivy_cpu, comps in rows:
        table.append(f"| {repos} | {nfiles} | {lb / 1e6:.1f} | {tool} | {secs * 1000:.1f} | {cpu * 1000:.1f} "
                     f"| {rss[0] / 1024:.1f} ({rss[1] / 1024:.1f}) "
                     f"| {xfloor[0]:.2f} ({xfloor[1]:.2f}-{xfloor[2]:.2f}) | {xfloor_cpu:.2f} | {xtrivy:.1f} | {xtrivy_cpu:.1f} | {comps} |")
    print("\n".join(table))
    if args.write:
        write_results(table, args.runs)


def write_results(table, runs):
    """Puts this run's table at the top of bench/RESULTS.md, keeping every earlier section."""
    import datetime

    today = datetime.date.today().isoformat()
    lines = [
        f"## {today}: `bench/real.py --runs {runs}` (fill in what changed)",
        "",
        f"Machine: {os.cpu_count()} cores, `{os.uname()[0]} {os.uname()[2]}`; warm page cache; median of {runs} interleaved rounds.",
        "",
        *table,
        "",
    ]
    path = REPO / "bench" / "RESULTS.md"
    old = path.read_text() if path.exists() else "# Benchmark results\n"
    title, _, rest = old.partition("\n")
    path.write_text(title + "\n\n" + "\n".join(lines) + "\n" + rest.lstrip("\n"))


if __name__ == "__main__":
    main()
