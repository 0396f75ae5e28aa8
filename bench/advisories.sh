#!/usr/bin/env bash
# Benchmark: the OSV advisory database (crates/bomscout-advisory).
#
# Builds a database in OSV's export layout under bench/out/advisories/db:
#   npm/all.zip   RECORDS synthetic npm records (~1.5 KB each, the shape of OSV's npm export:
#                 GHSA-style id, CVE alias, CVSS v3 vector, one SEMVER range, references),
#                 spread over RECORDS/3 package names;
#   PyPI/all.zip  the real PyPA records of fixtures/advisories (converted to JSON);
#   Go/all.zip    the real Go vulndb records of fixtures/advisories;
#   Maven/all.zip the real GHSA records of fixtures/advisories;
# and a 5,000-component SBOM (4,400 npm components drawn from the synthetic names, a third
# of them vulnerable, plus real PyPI, Go and Maven names at vulnerable and clean versions).
# Then, with the `match_sbom` example (optimized build), under /usr/bin/time -v:
#   cold      no index yet: open (index build) + match
#   warm      the index exists: open (fingerprint check) + match
#   memory    no index directory: everything indexed in memory for one run
# Results go to stdout; copy them into bench/RESULTS-advisories.md.
#
# Usage: bench/advisories.sh [RECORDS]     (default 200000)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
records=${1:-200000}
out="$root/bench/out/advisories"
rm -rf "$out"
mkdir -p "$out/db"

python3 - "$root" "$out" "$records" <<'PY'
import json, os, random, sys, zipfile
root, out, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
rng = random.Random(42)
fx = os.path.join(root, "fixtures", "advisories")
names = max(1, n // 3)

def zipdir(eco, entries):
    os.makedirs(os.path.join(out, "db", eco), exist_ok=True)
    with zipfile.ZipFile(os.path.join(out, "db", eco, "all.zip"), "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries:
            z.writestr(name, data)

details = ("A crafted input makes the parser allocate without bound, which lets a remote "
           "attacker exhaust the memory of a service that parses untrusted documents. ") * 5
def synthetic():
    for i in range(n):
        pkg = f"pkg-{i % names}"
        minor = i // names
        rid = f"GHSA-syn{i:07d}"
        rec = {
            "schema_version": "1.6.0", "id": rid, "modified": "2026-01-02T03:04:05Z",
            "published": "2025-01-02T03:04:05Z", "aliases": [f"CVE-2025-{i:06d}"],
            "summary": f"Uncontrolled resource consumption in {pkg}", "details": details,
            "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H"}],
            "affected": [{"package": {"ecosystem": "npm", "name": pkg, "purl": f"pkg:npm/{pkg}"},
                          "ranges": [{"type": "SEMVER", "events": [
                              {"introduced": f"{minor}.0.0"}, {"fixed": f"{minor}.5.0"}]}],
                          "database_specific": {"source": "https://example.invalid/advisories.json"}}],
            "references": [{"type": "ADVISORY", "url": f"https://example.invalid/advisories/{rid}"},
                           {"type": "WEB", "url": f"https://example.invalid/{pkg}/issues/{i}"},
                           {"type": "PACKAGE", "url": f"https://example.invalid/{pkg}"}],
            "database_specific": {"cwe_ids": ["CWE-400"], "severity": "HIGH", "github_reviewed": True},
        }
        yield f"{rid}.json", json.dumps(rec, indent=2)
zipdir("npm", synthetic())

def tree(sub):
    for d, _, files in os.walk(os.path.join(fx, sub)):
        for f in sorted(files):
            yield os.path.join(d, f)
try:
    import yaml  # PyYAML, when installed
    load_yaml = lambda p: yaml.safe_load(open(p))
except ImportError:
    load_yaml = None
pypi = []
for p in tree("pypa"):
    if load_yaml is None:
        break
    pypi.append((os.path.basename(p).rsplit(".", 1)[0] + ".json", json.dumps(load_yaml(p), default=str)))
if pypi:
    zipdir("PyPI", pypi)
zipdir("Go", [(os.path.basename(p), open(p).read()) for p in tree("go")])
zipdir("Maven", [(os.path.basename(p), open(p).read()) for p in tree("ghsa")])

rows = []
for _ in range(4400):
    i = rng.randrange(names)
    rows.append(("npm", "", f"pkg-{i}", f"{rng.randrange(4)}.{rng.randrange(10)}.{rng.randrange(3)}"))
real = [("pypi", "", "django", v) for v in ["1.11.0", "2.2.10", "3.2.13", "4.0.5", "4.2.0", "5.0.1"]]
real += [("pypi", "", p, v) for p in ["pip", "setuptools", "urllib3", "requests", "jinja2", "pyyaml",
         "cryptography", "numpy", "pygments", "idna", "certifi", "py"] for v in ["1.0", "2.0.1", "5.3", "20.0", "23.2.1", "65.5.0"]]
real += [("golang", "golang.org/x", m, v) for m in ["net", "crypto", "text", "sys"]
         for v in ["v0.0.0-20190125091013-d26f9f9a57f3", "v0.1.0", "v0.17.0", "v0.45.0"]]
real += [("maven", "org.apache.logging.log4j", "log4j-core", v) for v in ["2.0-beta9", "2.14.1", "2.17.1"]]
while len(rows) + len(real) < 5000:
    rows.append(("npm", "@scope", f"clean-{len(rows)}", "1.0.0"))
with open(os.path.join(out, "components.tsv"), "w") as f:
    for r in rows + real:
        f.write("\t".join(r) + "\n")
PY

du -sh "$out/db"/*/all.zip
python3 - "$out/db/npm/all.zip" <<'PY'
import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
print(f"npm export: {len(z.infolist())} records, {sum(i.file_size for i in z.infolist()) / 1e6:.0f} MB unzipped")
PY

cd "$root"
cargo build -q --release -p bomscout-advisory --example match_sbom
exe="${CARGO_TARGET_DIR:-$root/target}/release/examples/match_sbom"

run() {
    local label=$1; shift
    /usr/bin/time -v "$exe" "$@" 2>"$out/time.txt" | sed "s/^/$label: /"
    grep -E "Maximum resident|Elapsed \(wall" "$out/time.txt" | sed "s/^\s*/$label: /"
}
run cold "$out/db" "$out/index" "$out/components.tsv"
run warm "$out/db" "$out/index" "$out/components.tsv"
run warm2 "$out/db" "$out/index" "$out/components.tsv"
du -sh "$out/index" | sed 's/^/index size: /'
run memory "$out/db" - "$out/components.tsv"
