#!/usr/bin/env python3
"""Benchmark of online enrichment: what `--enrich` costs per 1,000 distinct packages, with a
cold cache and a warm one, against a loopback server that answers instantly from canned
responses (so what is measured is bomscout's own overhead, not a service's latency).

1. Writes a requirements.txt pinning N distinct packages (`bench-pkg-0000==1.0.0` ...).
2. Starts a loopback HTTP server (Python's http.server, threads) answering each PyPI JSON
   API version document (`/pypi/{name}/{version}/json`) with a pre-built body in the shape
   the PyPI source reads, and 404 to everything else (the other sources' questions).
3. Times, median of RUNS runs each, `bomscout licenses DIR --no-caches -q -o json=/dev/null`:
     baseline   no enrichment
     cold       --enrich, a fresh cache directory each run (N requests to the server)
     warm       --enrich, the cache a cold run filled (no request)
   once with `--enrich-sources pypi` (one source) and once with every source (the others
   get 404s, which are cached as "not found" too). Wall time, the bomscout process's CPU
   time (user+sys, from os.wait4: its own cost, the server's excluded), peak RSS, and the
   requests the server saw.
Results go to stdout and are appended to bench/RESULTS-enrich.md.

Usage: bench/enrich.py [--packages 1000] [--runs 5] [--bin PATH]
"""
import argparse
import http.server
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
NAMES = ["npm", "pypi", "crates", "rubygems", "nuget", "packagist", "pub", "hex", "maven",
         "goproxy", "clearlydefined", "depsdev"]
LICENSES = ["MIT", "Apache-2.0", "BSD-3-Clause", "ISC", "MPL-2.0"]


def find_binary(explicit):
    if explicit:
        return Path(explicit)
    target = Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
    for profile in ("release", "debug"):
        b = target / profile / "bomscout"
        if b.exists():
            return b
    sys.exit("no bomscout binary: build it (cargo build) or pass --bin PATH")


def make_server(n):
    bodies = {}
    for i in range(n):
        name = f"bench-pkg-{i:04d}"
        doc = {
            "info": {
                "name": name,
                "version": "1.0.0",
                "license_expression": LICENSES[i % len(LICENSES)],
                "author": f"Author {i}",
                "project_urls": {"Source": f"https://github.com/bench/{name}"},
            },
            "urls": [{"upload_time_iso_8601": "2025-06-01T12:00:00.000000Z"}],
        }
        bodies[f"/pypi/{name}/1.0.0/json"] = json.dumps(doc).encode()
    seen = {"requests": 0}
    lock = threading.Lock()

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # One write per response, sent at once: unbuffered, the head and the body went out
        # in separate segments and Nagle's algorithm held the second (5 ms a request).
        wbufsize = 1 << 16
        disable_nagle_algorithm = True

        def answer(self):
            with lock:
                seen["requests"] += 1
            body = bodies.get(self.path)
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body or b"")))
            self.end_headers()
            if body:
                self.wfile.write(body)

        def do_GET(self):
            self.answer()

        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.answer()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, seen


def run(binary, args, env):
    start = time.perf_counter()
    proc = subprocess.Popen([str(binary), *args], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    stderr = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        sys.exit(f"bomscout {' '.join(args)} exited {code}:\n{stderr.decode(errors='replace')}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, stderr.decode(errors="replace")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--packages", type=int, default=1000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--bin")
    a = ap.parse_args()
    binary = find_binary(a.bin)
    work = Path(tempfile.mkdtemp(prefix="bomscout-bench-enrich-"))
    tree = work / "tree"
    tree.mkdir()
    (tree / "requirements.txt").write_text(
        "".join(f"bench-pkg-{i:04d}==1.0.0\n" for i in range(a.packages)))
    server, seen = make_server(a.packages)
    url = f"http://127.0.0.1:{server.server_address[1]}"
    env = dict(os.environ)
    for name in NAMES:
        env[f"BOMSCOUT_{name.upper()}_URL"] = url
    env.pop("BOMSCOUT_POLICY", None)
    base = ["licenses", str(tree), "--no-caches", "-o", "json=/dev/null"]

    rows = []

    def measure(label, sources, mode):
        walls, cpus, rsss, requests = [], [], [], []
        warm_cache = work / f"warm-{sources}"
        if mode == "warm":
            shutil.rmtree(warm_cache, ignore_errors=True)
            env["BOMSCOUT_CACHE_DIR"] = str(warm_cache)
            run(binary, base + enrich_args(sources), env)  # fill the cache
        for i in range(a.runs):
            if mode == "cold":
                cache = work / f"cold-{sources}-{i}"
                env["BOMSCOUT_CACHE_DIR"] = str(cache)
            elif mode == "warm":
                env["BOMSCOUT_CACHE_DIR"] = str(warm_cache)
            else:
                env["BOMSCOUT_CACHE_DIR"] = str(work / "unused")
            before = seen["requests"]
            args = base + (enrich_args(sources) if mode != "baseline" else [])
            wall, cpu, rss, stderr = run(binary, args, env)
            requests.append(seen["requests"] - before)
            walls.append(wall)
            cpus.append(cpu)
            rsss.append(rss)
            if mode != "baseline" and f"enriched {a.packages} of {a.packages}" not in stderr:
                sys.exit(f"{label}: not every package was enriched:\n{stderr}")
        rows.append((label, statistics.median(walls), statistics.median(cpus),
                     max(rsss), statistics.median(requests)))

    def enrich_args(sources):
        args = ["--enrich", "--enrich-timeout", "600"]
        if sources != "all":
            args += ["--enrich-sources", sources]
        return args

    measure("baseline (no --enrich)", None, "baseline")
    for sources in ("pypi", "all"):
        measure(f"cold, sources={sources}", sources, "cold")
        measure(f"warm, sources={sources}", sources, "warm")
    server.shutdown()
    shutil.rmtree(work, ignore_errors=True)

    per = 1000 / a.packages
    base_wall, base_cpu = rows[0][1], rows[0][2]
    lines = [
        f"| run | wall s | CPU s | wall - baseline per 1,000 purls | CPU - baseline per 1,000 purls | peak RSS MiB | requests |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for label, wall, cpu, rss, req in rows:
        lines.append(
            f"| {label} | {wall:.3f} | {cpu:.3f} | {(wall - base_wall) * per:.3f} s | "
            f"{(cpu - base_cpu) * per:.3f} s | {rss:.0f} | {req:.0f} |")
    table = "\n".join(lines)
    print(table)
    header = (
        f"\n## {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}: {a.packages} distinct "
        f"PyPI packages, median of {a.runs} runs, binary {binary.relative_to(REPO) if binary.is_relative_to(REPO) else binary} "
        f"({'release' if '/release/' in str(binary) else 'debug build: slower than release'}), "
        f"{os.cpu_count()} cores\n\n"
        "Loopback server (Python http.server) answering canned PyPI documents instantly; "
        "CPU is the bomscout process's own (user+sys), the server's excluded.\n\n")
    with open(REPO / "bench" / "RESULTS-enrich.md", "a") as f:
        if f.tell() == 0:
            f.write("# Enrichment cost (bench/enrich.py)\n")
        f.write(header + table + "\n")


if __name__ == "__main__":
    main()
