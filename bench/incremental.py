#!/usr/bin/env python3
"""Benchmark of incremental nightly runs: a simulated stretch of nights over a generated
organization, `bomscout inventory --full` (every repository scanned every night) against the
default incremental run (an unchanged repository reuses its stored scan), in lockstep on the
same tree: wall time per night and database growth.

1. Generates the organization with bench.py's generator (real fixtures, 1-2 ecosystems per
   repository, FILES ordinary source files each) and gives every repository a git HEAD
   (`ref: refs/heads/main` and a commit id), except every tenth, whose HEAD is left out:
   those are compared by the digest of their catalogued files, the path a folder without
   git takes.
2. Night 1 scans everything in both modes. On every later night ~CHANGE of the repositories
   (default 3%) change: a new commit, and a changed lockfile (a `bump/requirements.txt` pinning
   a version that moves each time), so each change is a new SBOM. Then both modes run
   (`--policy builtin:stage1`, `--no-caches`), each into its own database, one after the
   other, warm cache.
3. Per size: night 1's time; the median, p90 and total of the later nights; the database
   size after night 1 and after the last night; the growth per night and its extrapolation
   to a year. Results go to stdout and bench/RESULTS-incremental.md.

Usage: bench/incremental.py [--repos 500,5000] [--nights 60] [--files 40] [--change 0.03]
                            [--exe PATH]
"""
import argparse
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench  # noqa: E402

REPO = bench.REPO
OUT = bench.OUT / "incremental"
SUMMARY = re.compile(r"\((\d+) scanned, (\d+) reused, (\d+) removed\)")


def give_heads(root: Path, rng: random.Random):
    """A HEAD on `main` at a random commit for 9 repositories in 10."""
    repos = sorted(p for p in root.iterdir() if p.is_dir())
    for i, repo in enumerate(repos):
        if i % 10 == 9:
            continue
        git = repo / ".git"
        (git / "refs" / "heads").mkdir(parents=True, exist_ok=True)
        (git / "HEAD").write_text("ref: refs/heads/main\n")
        new_commit(repo, rng)
    return repos


def new_commit(repo: Path, rng: random.Random):
    ref = repo / ".git" / "refs" / "heads" / "main"
    if ref.parent.is_dir():
        ref.write_text("%040x\n" % rng.getrandbits(160))


def change(repo: Path, night: int, rng: random.Random):
    """A new commit that bumps a pinned dependency."""
    bump = repo / "bump"
    bump.mkdir(exist_ok=True)
    (bump / "requirements.txt").write_text(f"six==1.{night}.{rng.randrange(100)}\n")
    new_commit(repo, rng)


def db_size(db: Path) -> int:
    return sum(os.path.getsize(f"{db}{s}") for s in ("", "-wal") if os.path.exists(f"{db}{s}"))


def night_run(exe: Path, root: Path, db: Path, night: int, full: bool):
    cmd = [str(exe), "inventory", str(root), "--db", str(db), "--no-caches",
           "--policy", "builtin:stage1", "--label", f"night-{night:03d}"]
    if full:
        cmd.append("--full")
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    secs = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"inventory failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    m = SUMMARY.search(proc.stderr)
    if not m:
        raise SystemExit(f"no summary line in:\n{proc.stderr[-2000:]}")
    return secs, tuple(int(x) for x in m.groups())


def p90(xs):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(0.9 * (len(xs) - 1))))]


def simulate(exe: Path, repos: int, nights: int, files: int, share: float, seed: int = 17):
    rng = random.Random(seed)
    root = OUT / f"org-{repos}"
    bench.generate(root, repos, repos * files)
    dirs = give_heads(root, rng)
    nfiles = int(subprocess.run(f"find {root} -type f | wc -l", shell=True, capture_output=True, text=True).stdout)
    dbs = {mode: OUT / f"{mode}-{repos}.db" for mode in ("full", "incremental")}
    for db in dbs.values():
        for s in ("", "-wal", "-shm"):
            Path(f"{db}{s}").unlink(missing_ok=True)
    times = {mode: [] for mode in dbs}
    sizes = {mode: [] for mode in dbs}
    counts = []
    # Warm the page cache once, into a database that is thrown away.
    scratch = OUT / "scratch.db"
    night_run(exe, root, scratch, 0, True)
    for s in ("", "-wal", "-shm"):
        Path(f"{scratch}{s}").unlink(missing_ok=True)
    for night in range(1, nights + 1):
        if night > 1:
            for repo in rng.sample(dirs, max(1, round(share * len(dirs)))):
                change(repo, night, rng)
        for mode, db in dbs.items():
            secs, c = night_run(exe, root, db, night, mode == "full")
            times[mode].append(secs)
            sizes[mode].append(db_size(db))
            if mode == "incremental":
                counts.append(c)
        print(f"  {repos} repos, night {night}: full {times['full'][-1]:.2f} s, "
              f"incremental {times['incremental'][-1]:.2f} s {counts[-1]}", flush=True)
    shutil.rmtree(root)
    return {"repos": repos, "files": nfiles, "nights": nights, "times": times, "sizes": sizes,
            "counts": counts}


def report(results, share, files):
    mib = 1024 * 1024
    lines = [
        "# Incremental nightly runs\n",
        f"`bench/incremental.py`: {os.cpu_count()} cores (shared with other jobs while it ran), "
        "release build, warm cache. A generated organization (bench.py's generator: real "
        f"fixtures, 1-2 ecosystems per repository, ~{files} ordinary files each); 9 repositories "
        "in 10 have a git HEAD, the tenth is compared by the digest of its catalogued files. "
        f"Every night after the first, {share:.0%} of the repositories get a new commit that "
        "bumps a pinned dependency (a new SBOM). Both modes run on the same tree each night, "
        "`--policy builtin:stage1 --no-caches`, each into its own database: `--full` scans "
        "every repository every night, the default reuses unchanged ones (and still evaluates "
        "the policy on them).\n",
        "| repositories (files) | nights | mode | night 1 | later nights: median | p90 | "
        "total, all nights | DB after night 1 | DB after last night | growth per night | "
        "a year at that rate |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    notes = []
    for r in results:
        n = r["nights"]
        for mode in ("full", "incremental"):
            t, s = r["times"][mode], r["sizes"][mode]
            later = t[1:] or t
            growth = (s[-1] - s[0]) / max(1, n - 1)
            lines.append(
                f"| {r['repos']} ({r['files']}) | {n} | {'`--full`' if mode == 'full' else 'incremental'} "
                f"| {t[0]:.2f} s | {statistics.median(later):.2f} s | {p90(later):.2f} s "
                f"| {sum(t):.0f} s | {s[0] / mib:.1f} MiB | {s[-1] / mib:.1f} MiB "
                f"| {growth / 1024:.0f} KiB | {(s[0] + 364 * growth) / mib:.0f} MiB |"
            )
        later = r["counts"][1:]
        if later:
            scanned = statistics.mean(c[0] for c in later)
            reused = statistics.mean(c[1] for c in later)
            notes.append(
                f"{r['repos']} repositories: on nights 2-{n} the incremental run scanned "
                f"{scanned:.1f} and reused {reused:.1f} repositories a night on average "
                f"(`query runs`); speed-up of the median later night: "
                f"{statistics.median(r['times']['full'][1:]) / statistics.median(r['times']['incremental'][1:]):.1f}x."
            )
    return "\n".join(lines) + "\n\n" + "\n\n".join(notes) + "\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repos", default="500,5000")
    ap.add_argument("--nights", default="60",
                    help="nights per size, one number or one per size (e.g. 60,20)")
    ap.add_argument("--files", type=int, default=40, help="ordinary files per repository")
    ap.add_argument("--change", type=float, default=0.03)
    ap.add_argument("--exe", help="the bomscout binary (default: a release build of this tree)")
    args = ap.parse_args()
    if args.exe:
        exe = Path(args.exe)
    else:
        subprocess.run(["cargo", "build", "--release", "--quiet", "--bin", "bomscout"], cwd=REPO, check=True)
        target = Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
        exe = target / "release" / "bomscout"
    sizes = [int(x) for x in args.repos.split(",")]
    nights = [int(x) for x in args.nights.split(",")]
    nights += [nights[-1]] * (len(sizes) - len(nights))
    OUT.mkdir(parents=True, exist_ok=True)
    results = [simulate(exe, n, k, args.files, args.change) for n, k in zip(sizes, nights)]
    text = report(results, args.change, args.files)
    print(text)
    (REPO / "bench" / "RESULTS-incremental.md").write_text(text)
    shutil.rmtree(OUT)


if __name__ == "__main__":
    main()
