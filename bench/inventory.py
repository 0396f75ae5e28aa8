#!/usr/bin/env python3
"""Benchmark of the nightly inventory: `bomscout inventory` on a generated organization,
each query on the resulting database, then the same queries after a simulated year.

1. Generates the organization with bench.py's generator (default 500 repositories /
   100k files) and times `bomscout inventory ROOT --db F --policy builtin:stage1`
   (median of RUNS, a fresh database each time), with peak RSS and the database size.
2. Times every query (median of RUNS) on that one-run database.
3. Simulates a year of nightly runs directly in the database (Python's sqlite3, the
   documented schema): 364 more runs, each recording every repository, with ~2% of the
   repositories changing one dependency per night (a new content-addressed BOM), and times
   the queries again. Results go to stdout and bench/RESULTS-inventory.md.

Usage: bench/inventory.py [--repos 500] [--files 100000] [--runs 5] [--days 365]
"""
import argparse
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench  # noqa: E402

REPO = bench.REPO
OUT = bench.OUT / "inventory"


def timed(cmd, runs):
    samples = [bench.run(cmd) for _ in range(runs)]
    return statistics.median(s[0] for s in samples), max(s[1] for s in samples)


def queries(exe, db, to_run):
    q = [str(exe), "query", "--db", str(db)]
    return {
        "where requests": q + ["where", "requests", "-o", "csv"],
        "where pkg:cargo/itoa <1": q + ["where", "pkg:cargo/itoa", "--version", "<1", "-o", "csv"],
        "licenses": q + ["licenses", "-o", "csv"],
        "licenses --category unknown": q + ["licenses", "--category", "unknown", "-o", "csv"],
        "violations": q + ["violations", "-o", "csv"],
        "violations --since": q + ["violations", "--since", "2026-01-01", "-o", "csv"],
        "diff --from 1 --to <last run>": q + ["diff", "--from", "1", "--to", str(to_run), "-o", "csv"],
        "scorecard (json)": q + ["scorecard", "-o", "json"],
        "scorecard (html)": q + ["scorecard", "-o", "html=/dev/null"],
        "runs": q + ["runs", "-o", "csv"],
    }


def simulate_year(db, days, seed=11):
    """Adds `days - 1` nightly runs after run 1, in the documented schema."""
    rng = random.Random(seed)
    con = sqlite3.connect(db)
    cur = con.cursor()
    (started,) = cur.execute("SELECT started_at FROM runs WHERE id = 1").fetchone()
    scans = cur.execute("SELECT * FROM scans WHERE run_id = 1").fetchall()
    cols = [d[0] for d in cur.description]
    bom_of = {row[cols.index("repo_id")]: row[cols.index("bom_id")] for row in scans}
    for day in range(1, days):
        ts = started + day * 86400
        cur.execute(
            "INSERT INTO runs (label, started_at, finished_at, tool_version, policy) VALUES (?, ?, ?, 'sim', 'stage1')",
            (f"day-{day}", ts, ts + 60),
        )
        run = cur.lastrowid
        for row in scans:
            r = dict(zip(cols, row))
            repo = r["repo_id"]
            if bom_of[repo] is not None and rng.random() < 0.02:
                bom_of[repo] = mutate(cur, bom_of[repo], f"{day}-{repo}")
            r.update(id=None, run_id=run, scanned_at=ts, bom_id=bom_of[repo])
            cur.execute(
                f"INSERT INTO scans ({','.join(cols)}) VALUES ({','.join('?' * len(cols))})",
                [r[c] for c in cols],
            )
    con.commit()
    con.execute("VACUUM")
    con.close()


def mutate(cur, bom, tag):
    """A copy of BOM `bom` with one component replaced by a new version of it."""
    cur.execute("INSERT INTO boms (digest, cyclonedx) SELECT ?, cyclonedx FROM boms WHERE id = ?", (f"sim-{tag}", bom))
    new = cur.lastrowid
    rows = cur.execute("SELECT * FROM bom_components WHERE bom_id = ?", (bom,)).fetchall()
    if not rows:
        return new
    victim = rows[hash(tag) % len(rows)]
    purl, eco, name = cur.execute("SELECT purl, ecosystem, name FROM components WHERE id = ?", (victim[1],)).fetchone()
    version = f"9.9.{abs(hash(tag)) % 1000}"
    cur.execute("INSERT OR IGNORE INTO components (purl, ecosystem, name, version) VALUES (?, ?, ?, ?)",
                (f"{purl.split('@')[0]}@{version}", eco, name, version))
    (cid,) = cur.execute("SELECT id FROM components WHERE purl = ?", (f"{purl.split('@')[0]}@{version}",)).fetchone()
    for row in rows:
        row = list(row)
        row[0] = new
        if row[1] == victim[1]:
            row[1] = cid
        cur.execute("INSERT OR IGNORE INTO bom_components VALUES (?, ?, ?, ?, ?, ?, ?)", row)
    return new


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repos", type=int, default=500)
    ap.add_argument("--files", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--days", type=int, default=365)
    args = ap.parse_args()
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=REPO, check=True)
    exe = REPO / "target" / "release" / "bomscout"
    root = OUT / "org"
    bench.generate(root, args.repos, args.files)
    nfiles = int(subprocess.run(f"find {root} -type f | wc -l", shell=True, capture_output=True, text=True).stdout)
    db = OUT / "inv.db"

    def fresh_inventory():
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        return bench.run([str(exe), "inventory", str(root), "--db", str(db), "-q", "--policy", "builtin:stage1"])

    fresh_inventory()  # warm the page cache
    samples = [fresh_inventory() for _ in range(args.runs)]
    inv_secs = statistics.median(s[0] for s in samples)
    inv_rss = max(s[1] for s in samples) / 1024
    size1 = os.path.getsize(db)
    lines = [
        f"# Inventory benchmark\n",
        f"{os.cpu_count()} cores; {args.repos} repositories, {nfiles} files; median of {args.runs} runs, warm cache.\n",
        "| step | wall | peak RSS |",
        "|---|---|---|",
        f"| `inventory` ({args.repos} repositories) | {inv_secs * 1000:.0f} ms | {inv_rss:.1f} MiB |",
        f"\nDatabase after one run: {size1 / 1024 / 1024:.1f} MiB.\n",
    ]
    print("\n".join(lines), flush=True)
    one = {k: timed(c, args.runs)[0] for k, c in queries(exe, db, 1).items()}
    simulate_year(db, args.days)
    size_year = os.path.getsize(db)
    year = {k: timed(c, args.runs)[0] for k, c in queries(exe, db, args.days).items()}
    lines += [
        f"Database after {args.days} simulated nightly runs (~2% of repositories change a dependency each night): {size_year / 1024 / 1024:.1f} MiB.\n",
        f"| query | one run | {args.days} runs |",
        "|---|---|---|",
    ]
    for (k, a), b in zip(one.items(), year.values()):
        lines.append(f"| `{k}` | {a * 1000:.1f} ms | {b * 1000:.1f} ms |")
    text = "\n".join(lines) + "\n"
    print(text)
    (REPO / "bench" / "RESULTS-inventory.md").write_text(text)
    shutil.rmtree(OUT)


if __name__ == "__main__":
    main()
