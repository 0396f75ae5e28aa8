#!/usr/bin/env python3
"""Benchmark: one night of a large organization written by N shard workers at once, into one
PostgreSQL database (no merge) and into N SQLite files + `inventory merge`.

1. Generates the organization with bench.py's generator (default 10,000 small repositories).
2. Starts a PostgreSQL server of its own (Debian's binaries, a temporary data directory, a
   free port, default durability settings; as root it runs as the `postgres` user), unless
   --url names one.
3. PostgreSQL: N `bomscout inventory --shard I/N --run-key K` processes started together;
   the wall time until the last ends. SQLite: N processes into N files, then `inventory merge`.
4. Database sizes (pg_database_size; the merged file) and the time of each query on both
   (median of --runs). Results go to stdout and bench/RESULTS-postgres.md.

Beside wall times it reports CPU time (user+sys): of the shard workers (and the merge), and of
the PostgreSQL server it started (the postmaster and its reaped backends) while the shards ran.
On a shared machine CPU time is the number to compare; wall time swings with the load.

Usage: bench/inventory_postgres.py [--repos 10000] [--files 100000] [--shards 10] [--runs 3]
       [--exe PATH] [--url postgres://...]
"""
import argparse
import glob
import os
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench  # noqa: E402

REPO = bench.REPO
OUT = bench.OUT / "inventory-postgres"


def pg_bin():
    found = shutil.which("initdb")
    for d in [os.path.dirname(os.path.realpath(found)) if found else ""] + sorted(glob.glob("/usr/lib/postgresql/*/bin"))[::-1]:
        if d and os.path.exists(os.path.join(d, "psql")):
            return d
    sys.exit("no PostgreSQL binaries (apt-get install postgresql)")


def start_server(tmp):
    """A throwaway server with default durability; returns (url, stop)."""
    bindir = pg_bin()
    root = Path(tmp) / "pg"
    root.mkdir()
    as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    if as_user:
        os.chmod(tmp, 0o755)  # mkdtemp's 0700 would keep the postgres user out
        shutil.chown(root, "postgres", "postgres")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    data = root / "data"
    subprocess.run(as_user + [f"{bindir}/initdb", "-D", str(data), "-U", "bench", "--auth=trust",
                              "-E", "UTF8", "--locale=C.UTF-8"], check=True, capture_output=True)
    opts = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c max_connections=100"
    subprocess.run(as_user + [f"{bindir}/pg_ctl", "-D", str(data), "-o", opts, "-l", str(root / "log"),
                              "-w", "start"], check=True, capture_output=True)

    def stop():
        subprocess.run(as_user + [f"{bindir}/pg_ctl", "-D", str(data), "-m", "fast", "-w", "stop"],
                       capture_output=True)

    def server_cpu():
        """CPU seconds of the postmaster and its ended backends so far."""
        pid = (data / "postmaster.pid").read_text().split()[0]
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        # utime, stime, cutime, cstime: fields 14-17 of stat(5), 12-15 after the name.
        return sum(int(x) for x in fields[11:15]) / os.sysconf("SC_CLK_TCK")

    try:
        subprocess.run(as_user + [f"{bindir}/psql", "-h", "127.0.0.1", "-p", str(port), "-U", "bench",
                                  "-d", "postgres", "-qc", "CREATE DATABASE inventory"], check=True)
    except BaseException:
        stop()
        raise
    return f"postgres://bench@127.0.0.1:{port}/inventory", stop, server_cpu


def children_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def shards_at_once(exe, root, db_of, n, extra):
    """Starts n shard workers together; returns the wall time until the last has ended and
    the CPU time they used."""
    cpu = children_cpu()
    start = time.perf_counter()
    procs = [subprocess.Popen([str(exe), "inventory", str(root), "--db", db_of(i), "-q",
                               "--policy", "builtin:stage1", "--label", "bench",
                               "--shard", f"{i}/{n}", *extra],
                              stderr=subprocess.PIPE)
             for i in range(n)]
    for p in procs:
        _, err = p.communicate()
        if p.returncode != 0:
            sys.exit(f"a shard failed: {err.decode()[-2000:]}")
    return time.perf_counter() - start, children_cpu() - cpu


def timed(cmd, runs):
    subprocess.run(cmd, check=True, capture_output=True)
    samples = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        samples.append(time.perf_counter() - t)
    return statistics.median(samples)


def queries(exe, db):
    q = [str(exe), "query", "--db", db]
    return {
        "runs": q + ["runs", "-o", "csv"],
        "where requests": q + ["where", "requests", "-o", "csv"],
        "where pkg:cargo/itoa <1": q + ["where", "pkg:cargo/itoa", "--version", "<1", "-o", "csv"],
        "licenses": q + ["licenses", "-o", "csv"],
        "licenses --category unknown": q + ["licenses", "--category", "unknown", "-o", "csv"],
        "violations": q + ["violations", "-o", "csv"],
        "violations --since": q + ["violations", "--since", "2026-01-01", "-o", "csv"],
        "scorecard (json)": q + ["scorecard", "-o", "json"],
        "export (CycloneDX)": q + ["export", "-o", "cyclonedx-json=/dev/null"],
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repos", type=int, default=10_000)
    ap.add_argument("--files", type=int, default=100_000)
    ap.add_argument("--shards", type=int, default=10)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--exe", default=None, help="a release build of bomscout")
    ap.add_argument("--url", default=None, help="an existing, empty PostgreSQL database")
    ap.add_argument("--out", default=str(OUT), help="where the organization is generated")
    ap.add_argument("--results", default=str(REPO / "bench" / "RESULTS-postgres.md"))
    ap.add_argument("--reuse-org", action="store_true",
                    help="keep an organization generated by an earlier run of this script")
    args = ap.parse_args()
    exe = Path(args.exe) if args.exe else None
    if exe is None:
        subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=REPO, check=True)
        target = Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
        exe = target / "release" / "bomscout"
    out = Path(args.out)
    root = out / "org"
    if not (args.reuse_org and root.is_dir()):
        bench.generate(root, args.repos, args.files)
    nfiles = int(subprocess.run(f"find {root} -type f | wc -l", shell=True, capture_output=True,
                                text=True).stdout)
    n = args.shards
    with tempfile.TemporaryDirectory() as tmp:
        url, stop, server_cpu = (args.url, lambda: None, None) if args.url else start_server(tmp)
        try:
            # Warm the page cache with one read of every file.
            subprocess.run(f"find {root} -type f -exec cat {{}} + > /dev/null", shell=True)
            server_before = server_cpu() if server_cpu else None
            pg_wall, pg_cpu = shards_at_once(exe, root, lambda i: url, n,
                                             ["--run-key", "bench-night"])
            server = server_cpu() - server_before if server_cpu else None
            shards = [str(Path(tmp) / f"shard-{i}.db") for i in range(n)]
            lite_wall, lite_cpu = shards_at_once(exe, root, lambda i: shards[i], n, [])
            merged = str(Path(tmp) / "org.db")
            t, cpu = time.perf_counter(), children_cpu()
            subprocess.run([str(exe), "inventory", "merge", *shards, "--db", merged], check=True,
                           capture_output=True)
            merge_wall, merge_cpu = time.perf_counter() - t, children_cpu() - cpu
            pg_size = int(subprocess.run(
                [f"{pg_bin()}/psql", url, "-Atc", "SELECT pg_database_size(current_database())"],
                capture_output=True, text=True, check=True).stdout.strip() or 0)
            tables_size = int(subprocess.run(
                [f"{pg_bin()}/psql", url, "-Atc",
                 "SELECT sum(pg_total_relation_size(oid)) FROM pg_class "
                 "WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace"],
                capture_output=True, text=True, check=True).stdout.strip() or 0)
            lite_size = os.path.getsize(merged)
            shard_size = sum(os.path.getsize(s) for s in shards)
            qp = {k: timed(c, args.runs) for k, c in queries(exe, url).items()}
            ql = {k: timed(c, args.runs) for k, c in queries(exe, merged).items()}
        finally:
            stop()
    lines = [
        "# Inventory into PostgreSQL vs SQLite + merge\n",
        f"{os.cpu_count()} cores (shared with other work: wall times are noisy); "
        f"{args.repos} generated repositories, {nfiles} files; {n} shard processes started "
        f"together; `--policy builtin:stage1`; warm page cache; release build. PostgreSQL "
        f"{subprocess.run([pg_bin() + '/postgres', '--version'], capture_output=True, text=True).stdout.split()[2]}"
        f" on the same machine (loopback TCP, default durability: fsync on).\n",
        "| step | PostgreSQL | SQLite |",
        "|---|---|---|",
        f"| {n} shards at once (wall, until the last ends) | {pg_wall:.1f} s | {lite_wall:.1f} s |",
        f"| `inventory merge` of the {n} shard files | (none needed) | {merge_wall:.1f} s |",
        f"| total | {pg_wall:.1f} s | {lite_wall + merge_wall:.1f} s |",
        f"| CPU (user+sys) of the {n} shard workers | {pg_cpu:.1f} s | {lite_cpu:.1f} s |",
        f"| CPU (user+sys) of the merge | (none needed) | {merge_cpu:.1f} s |",
        f"| CPU (user+sys) of the PostgreSQL server while the shards ran | "
        f"{'(not measured: --url)' if server is None else f'{server:.1f} s'} | (in the workers) |",
        f"| CPU in all | {'?' if server is None else f'{pg_cpu + server:.1f} s'} | "
        f"{lite_cpu + merge_cpu:.1f} s |",
        f"| database size | {tables_size / 1024 / 1024:.1f} MiB in bomscout's tables with their "
        f"indexes and TOAST ({pg_size / 1024 / 1024:.1f} MiB `pg_database_size`, catalog included) | "
        f"{lite_size / 1024 / 1024:.1f} MiB merged ({shard_size / 1024 / 1024:.1f} MiB in shards) |",
        "",
        f"Query times, `bomscout query` end to end (process start, connect, query, render; median of {args.runs}):\n",
        "| query | PostgreSQL | SQLite |",
        "|---|---|---|",
    ]
    for k in qp:
        lines.append(f"| `{k}` | {qp[k] * 1000:.0f} ms | {ql[k] * 1000:.0f} ms |")
    text = "\n".join(lines) + "\n"
    print(text)
    Path(args.results).write_text(text)
    if not args.reuse_org:
        shutil.rmtree(out)


if __name__ == "__main__":
    main()
