#!/usr/bin/env python3
"""Benchmark of `bomscout inventory --advisories` on the generated organization.

Generates the organization with bench.py's generator (default 500 repositories / 100k
files), then, median of RUNS with peak RSS (GNU time, as bench.run does):

  inventory                      no advisories (the baseline), a fresh database each run
  inventory --advisories (cold)  a fresh database and a fresh cache: the advisory index is built
  inventory --advisories (warm)  a fresh database, the index kept
  inventory rematch              a new run from the stored components, no repository read
  query vulns / --severity high / --id / scorecard / diff   on the resulting database

The advisory database is ADVISORY_DB (default: the real OSV records of fixtures/advisories;
bench/advisories.sh builds a 200,000-record export layout under bench/out/advisories/db).
Results go to stdout; copy them into bench/RESULTS-advisories.md.

Usage: bench/inventory_advisories.py --exe PATH [--repos 500] [--files 100000] [--runs 3]
       [--advisory-db DIR]
"""
import argparse
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench  # noqa: E402

OUT = bench.OUT / "inventory-advisories"


def median_of(make_cmd, runs, before=None):
    samples = []
    for _ in range(runs):
        if before:
            before()
        samples.append(bench.run(make_cmd()))
    return statistics.median(s[0] for s in samples), max(s[1] for s in samples)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--exe", required=True, help="the bomscout binary to measure")
    ap.add_argument("--repos", type=int, default=500)
    ap.add_argument("--files", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--advisory-db", default=str(bench.FIXTURES / "advisories"))
    args = ap.parse_args()
    exe = str(Path(args.exe).resolve())
    root = OUT / "org"
    OUT.mkdir(parents=True, exist_ok=True)
    bench.generate(root, args.repos, args.files)
    db = OUT / "inv.db"
    cache = OUT / "cache"

    def fresh_db():
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)

    def fresh_all():
        fresh_db()
        shutil.rmtree(cache, ignore_errors=True)

    base = [exe, "inventory", str(root), "--db", str(db), "-q", "--no-caches",
            "--policy", "builtin:stage1"]
    adv = ["--advisory-db", args.advisory_db, "--cache-dir", str(cache)]
    rows = []
    bench.run(base)  # warm the page cache
    fresh_db()
    rows.append(("inventory (no advisories)", *median_of(lambda: base, args.runs, fresh_db)))
    rows.append(("inventory --advisories, cold index",
                 *median_of(lambda: base + adv, args.runs, fresh_all)))
    rows.append(("inventory --advisories, warm index",
                 *median_of(lambda: base + adv, args.runs, fresh_db)))
    rematch = [exe, "inventory", "rematch", "--db", str(db), "-q"] + adv
    rows.append(("inventory rematch (warm index)", *median_of(lambda: rematch, args.runs)))
    q = [exe, "query", "--db", str(db)]
    queries = {
        "query vulns": q + ["vulns", "-o", "csv"],
        "query vulns --severity high": q + ["vulns", "--severity", "high", "-o", "csv"],
        "query vulns --id CVE-2023-5752": q + ["vulns", "--id", "CVE-2023-5752", "-o", "csv"],
        "query scorecard (json)": q + ["scorecard", "-o", "json"],
        "query diff (rematch vs previous)": q + ["diff", "-o", "csv"],
    }
    for name, cmd in queries.items():
        rows.append((name, *bench.measure(cmd, args.runs)))
    _, _, out = bench.run(q + ["vulns", "-o", "csv"])
    findings = max(0, len(out.decode().splitlines()) - 1)
    _, _, runs_out = bench.run(q + ["runs", "-o", "csv"])
    nfiles = int(subprocess.run(f"find {root} -type f | wc -l", shell=True,
                                capture_output=True, text=True).stdout)
    size = db.stat().st_size
    print(f"organization: {args.repos} repositories, {nfiles} files; advisory db: {args.advisory_db}")
    print(f"database after the runs above: {size / 1e6:.1f} MB; vulns rows in the newest run: {findings}")
    print(runs_out.decode())
    print("| step | median s | peak RSS MB |")
    print("|---|---:|---:|")
    for name, secs, rss in rows:
        print(f"| {name} | {secs:.2f} | {rss / 1024:.0f} |")


if __name__ == "__main__":
    main()
