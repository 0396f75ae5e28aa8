#!/usr/bin/env python3
"""Checks bomscout against what the package managers themselves resolved.

Not part of `cargo test` (it needs the package registries): a developer tool. For each
project directory given (made by npm, cargo, uv, pip-tools, pipenv or pip), it asks the
package manager for its own list of resolved packages and their dev/optional status, runs
`bomscout scan DIR -o json`, and prints every difference: missing or extra packages, wrong
versions, wrong scope.

Usage: scripts/verify_real.py [--bomscout PATH] KIND=DIR ...
  KIND: npm | cargo | uv | piptools | pipenv | venv
"""
import argparse
import json
import re
import subprocess
import sys
from pathlib import Path


def sh(cmd, cwd):
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=True).stdout


def norm(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def expected_npm(d):
    """npm's own view of the installed tree: `npm query '*'`."""
    nodes = json.loads(sh(["npm", "query", "*"], d))
    out = {}
    for n in nodes:
        if n.get("location", "") == "" or n.get("link"):
            continue
        scope = "dev" if n.get("dev") else "optional" if n.get("optional") else "required"
        out[(n["name"], n["version"])] = scope
    return "npm", out


def expected_cargo(d):
    meta = json.loads(sh(["cargo", "metadata", "--format-version", "1", "--locked", "--offline"], d))
    members = set(meta["workspace_members"])
    everything = {(p["name"], p["version"]) for p in meta["packages"] if p["id"] not in members}
    normal = sh(["cargo", "tree", "-e", "no-dev", "--prefix", "none", "--offline", "--all-targets"], d)
    runtime = set()
    for line in normal.splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[1].startswith("v"):
            runtime.add((parts[0], parts[1][1:]))
    return "cargo", {k: ("required" if k in runtime else "dev") for k in everything}


def pins(text):
    out = set()
    for line in text.splitlines():
        m = re.match(r"^([A-Za-z0-9_.\-]+)(\[[^\]]*\])?==([^\s;\\]+)", line.strip())
        if m:
            out.add((norm(m.group(1)), m.group(3)))
    return out


def expected_uv(d):
    everything = pins(sh(["uv", "export", "--no-hashes", "--all-groups", "--all-extras", "--no-emit-project"], d))
    required = pins(sh(["uv", "export", "--no-hashes", "--no-dev", "--no-emit-project"], d))
    with_extras = pins(sh(["uv", "export", "--no-hashes", "--no-dev", "--all-extras", "--no-emit-project"], d))
    def scope(k):
        return "required" if k in required else "optional" if k in with_extras else "dev"
    return "pypi", {k: scope(k) for k in everything}


def expected_piptools(d):
    return "pypi", {k: "required" for k in pins((Path(d) / "requirements.txt").read_text())}


def expected_pipenv(d):
    default = pins(sh(["pipenv", "requirements"], d))
    dev = pins(sh(["pipenv", "requirements", "--dev-only"], d))
    out = {k: "dev" for k in dev}
    out.update({k: "required" for k in default})
    return "pypi", out


def expected_venv(d):
    py = Path(d) / "bin" / "python"
    listed = json.loads(sh([str(py), "-m", "pip", "list", "--format", "json"], d))
    return "pypi", {(norm(p["name"]), p["version"]): "required" for p in listed}


KINDS = {
    "npm": expected_npm, "cargo": expected_cargo, "uv": expected_uv,
    "piptools": expected_piptools, "pipenv": expected_pipenv, "venv": expected_venv,
}


def found(bomscout, d, ecosystem):
    out = subprocess.run([bomscout, "scan", d, "-q", "-o", "json"], capture_output=True, text=True, check=True).stdout
    doc = json.loads(out)
    got = {}
    for c in doc["components"]:
        if c["ecosystem"] != ecosystem or "version" not in c:
            continue
        name = c["name"] if ecosystem != "pypi" else norm(c["name"])
        if c.get("namespace"):
            name = f"{c['namespace']}/{name}"
        got[(name, c["version"])] = (c["scope"], [l.get("expression") or l["raw"] for l in c.get("licenses", [])])
    return got, doc


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bomscout", default=str(Path(__file__).resolve().parent.parent / "target/release/bomscout"))
    ap.add_argument("projects", nargs="+")
    args = ap.parse_args()
    failures = 0
    for spec in args.projects:
        kind, d = spec.split("=", 1)
        ecosystem, want = KINDS[kind](d)
        got, doc = found(args.bomscout, d, ecosystem)
        missing = sorted(set(want) - set(got))
        extra = sorted(set(got) - set(want))
        wrong = sorted((k, want[k], got[k][0]) for k in set(want) & set(got) if want[k] != got[k][0])
        unlicensed = sorted(k for k in set(want) & set(got) if not got[k][1])
        ok = not (missing or extra or wrong)
        failures += not ok
        print(f"{kind:9} {d}: expected {len(want)}, found {len(got)}; missing {len(missing)}, extra {len(extra)}, "
              f"wrong scope {len(wrong)}, without license {len(unlicensed)}, diagnostics {len(doc['diagnostics'])}")
        for label, items in (("missing", missing), ("extra", extra), ("wrong scope (want, got)", wrong), ("no license", unlicensed)):
            for item in items[:10]:
                print(f"    {label}: {item}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
