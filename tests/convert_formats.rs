//! `convert` and `merge` read every format bomscout writes. The round trip is the test: for
//! rich fixtures, `scan -o FORMAT=f` then `convert f -o json` gives the components,
//! licenses, locations, projects and dependency edges of `scan -o json`, as far as FORMAT
//! carries them (each limit is asserted where it applies, with the reason). Hostile input
//! (truncated XML, a 10 MB tag-value line, something that is no SBOM) is a clear error that
//! names the file.

mod common;

use common::*;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// Every output format that is an SBOM document.
const FORMATS: [&str; 6] = [
    "json",
    "cyclonedx-json",
    "cyclonedx-xml",
    "spdx-json",
    "spdx-tag-value",
    "spdx3-json",
];

fn text(v: &Value, key: &str) -> String {
    v.get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

/// A component's key in bomscout JSON: its purl, or the `unresolved:` form of a range.
fn key(c: &Value) -> String {
    match (
        c.get("version"),
        c.get("requirement").and_then(Value::as_str),
    ) {
        (None, Some(req)) => format!("unresolved:{}@{req}", text(c, "purl")),
        _ => text(c, "purl"),
    }
}

fn by_key(doc: &Value) -> BTreeMap<String, &Value> {
    doc["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (key(c), c))
        .collect()
}

/// The statements of a `licenses` array: the SPDX expression, or the raw text of one that
/// did not normalize; with the kind of evidence.
fn licenses(v: &Value) -> BTreeSet<(String, String)> {
    v.get("licenses")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|l| {
            let statement = l
                .get("expression")
                .and_then(Value::as_str)
                .unwrap_or_else(|| l["raw"].as_str().unwrap());
            (statement.to_string(), text(&l["source"], "kind"))
        })
        .collect()
}

fn statements(v: &Value) -> BTreeSet<String> {
    licenses(v).into_iter().map(|(s, _)| s).collect()
}

fn copyright_texts(v: &Value) -> BTreeSet<String> {
    v.get("copyrights")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|c| text(c, "text"))
        .collect()
}

fn edges(doc: &Value) -> BTreeSet<(String, String, String)> {
    doc["dependencies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (text(d, "from"), text(d, "to"), text(d, "kind")))
        .collect()
}

/// Asserts that `back` (read from `format`) holds what `scan` (the scan's own JSON) holds,
/// as far as `format` carries it.
fn assert_round_trip(fixture: &str, format: &str, scan: &Value, back: &Value) {
    let at = format!("{fixture} via {format}");
    let (a, b) = (by_key(scan), by_key(back));
    assert_eq!(
        a.keys().collect::<Vec<_>>(),
        b.keys().collect::<Vec<_>>(),
        "{at}: same components"
    );
    assert!(!a.is_empty(), "{at}: the fixture has components");
    for (k, ca) in &a {
        let cb = b[k];
        // Every format carries these: name and namespace (SPDX as `namespace/name`, split
        // again where the purl puts its namespace), version or range, purl, scope (CycloneDX
        // `scope` + `bomscout:scope`, SPDX the package comment), locations (CycloneDX
        // `evidence.occurrences`, SPDX the "Found in" comment), hashes and properties.
        for field in [
            "name",
            "namespace",
            "version",
            "requirement",
            "purl",
            "ecosystem",
            "scope",
            "direct",
            "locations",
            "hashes",
            "properties",
        ] {
            assert_eq!(ca.get(field), cb.get(field), "{at}: {k}: {field}");
        }
        // Copyright texts travel everywhere; the file each came from only in bomscout JSON
        // (CycloneDX `copyright` and SPDX `copyrightText` are one text per package).
        assert_eq!(
            copyright_texts(ca),
            copyright_texts(cb),
            "{at}: {k}: copyrights"
        );
        match format {
            // The model itself: every statement with its evidence, every notice.
            "json" => {
                assert_eq!(
                    ca.get("licenses"),
                    cb.get("licenses"),
                    "{at}: {k}: licenses"
                );
                assert_eq!(ca.get("notices"), cb.get("notices"), "{at}: {k}: notices");
            }
            // CycloneDX keeps each statement as an expression (or a name) in `licenses`
            // (declared) or `evidence.licenses` (license files): the statements are kept,
            // the raw text behind a normalized one is not.
            "cyclonedx-json" | "cyclonedx-xml" => {
                assert_eq!(statements(ca), statements(cb), "{at}: {k}: licenses");
            }
            // SPDX has one declared and one concluded expression per package: bomscout
            // writes the strongest statements there, so a license file's evidence that a
            // declared license outranks is not carried. What is read back is among the
            // statements, and every declared one is there.
            _ => {
                let (sa, sb) = (statements(ca), statements(cb));
                assert!(sb.is_subset(&sa), "{at}: {k}: {sb:?} ⊄ {sa:?}");
                assert_eq!(sa.is_empty(), sb.is_empty(), "{at}: {k}: licenses");
                for (statement, kind) in licenses(ca) {
                    if kind == "declared" {
                        assert!(sb.contains(&statement), "{at}: {k}: {statement} lost");
                    }
                }
            }
        }
    }

    let (ea, eb) = (edges(scan), edges(back));
    assert!(!ea.is_empty(), "{at}: the fixture has edges");
    match format {
        "json" => assert_eq!(ea, eb, "{at}: edges"),
        // CycloneDX dependencies carry no kind (the reader infers one from scopes): the
        // edges themselves must all be there, nothing more.
        "cyclonedx-json" | "cyclonedx-xml" => {
            let pairs = |e: &BTreeSet<(String, String, String)>| -> BTreeSet<(String, String)> {
                e.iter().map(|(f, t, _)| (f.clone(), t.clone())).collect()
            };
            assert_eq!(pairs(&ea), pairs(&eb), "{at}: edges");
        }
        // SPDX has no peer relationship: a peer edge is written as DEPENDS_ON.
        _ => {
            let expected: BTreeSet<_> = ea
                .into_iter()
                .map(|(f, t, k)| (f, t, if k == "peer" { "normal".into() } else { k }))
                .collect();
            assert_eq!(expected, eb, "{at}: edges");
        }
    }

    let projects = |doc: &Value| -> BTreeMap<String, Value> {
        doc["projects"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                let mut p = p.clone();
                let statements = statements(&p);
                if let Some(o) = p.as_object_mut() {
                    // Compared apart: the evidence path is the document's once converted.
                    o.remove("licenses");
                    o.insert("statements".into(), serde_json::json!(statements));
                }
                (text(&p, "bom_ref"), p)
            })
            .collect()
    };
    assert_eq!(projects(scan), projects(back), "{at}: projects");
}

/// Scans `fixture` once into every format, converts each back to bomscout JSON and
/// compares it with the scan's own JSON.
fn round_trip(fixture_dir: &str) {
    let dir = tempfile::tempdir().unwrap();
    let root = fixture(fixture_dir);
    let mut args = vec![
        "scan".to_string(),
        "--no-caches".into(),
        "-q".into(),
        root.to_str().unwrap().into(),
    ];
    for f in FORMATS {
        args.push("-o".into());
        args.push(format!("{f}={}", dir.path().join(f).display()));
    }
    run_ok(&args.iter().map(String::as_str).collect::<Vec<_>>());
    let scan = load_json(&dir.path().join("json"));
    for f in FORMATS {
        let back = dir.path().join(format!("{f}.back.json"));
        convert_into(&dir.path().join(f), "json", &back);
        assert_round_trip(fixture_dir, f, &scan, &load_json(&back));
    }
}

/// Every fixture at once: 80-odd projects of every ecosystem, every edge kind (dev, build,
/// optional, peer), unresolved ranges, hashes, license files, copyrights and notices.
#[test]
fn every_format_round_trips_the_whole_fixture_tree() {
    round_trip("");
}

/// Licenses and copyrights on every package, from an npm lockfile and its installed tree.
#[test]
fn every_format_round_trips_licenses_and_copyrights() {
    round_trip("npm/attribution");
}

/// Dev and optional groups of a Poetry project.
#[test]
fn every_format_round_trips_dev_and_optional_scopes() {
    round_trip("python/poetry");
}

#[test]
fn convert_recognizes_every_format_on_stdin() {
    let dir = tempfile::tempdir().unwrap();
    let (_, scan, _) = scan_json(&fixture("cargo/workspace"), &[]);
    let expected: BTreeSet<&str> = scan["components"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["purl"].as_str())
        .collect();
    assert!(!expected.is_empty());
    for f in ["cyclonedx-xml", "spdx-tag-value", "spdx3-json", "json"] {
        let doc = dir.path().join(f);
        scan_into(&fixture("cargo/workspace"), f, &doc);
        let (code, stdout, stderr) = outcome(
            bomscout()
                .args(["convert", "-q", "-", "-o", "json"])
                .write_stdin(std::fs::read(&doc).unwrap()),
        );
        assert_eq!(code, 0, "{f}: {stderr}");
        let out: Value = serde_json::from_str(&stdout).unwrap();
        let purls: BTreeSet<&str> = out["components"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|c| c["purl"].as_str())
            .collect();
        assert_eq!(purls, expected, "{f}");
    }
}

#[test]
fn merge_reads_cyclonedx_xml_and_spdx_tag_value_together() {
    let dir = tempfile::tempdir().unwrap();
    let xml = dir.path().join("uv.cdx.xml");
    let tv = dir.path().join("pipenv.spdx");
    let merged = dir.path().join("merged.json");
    let (uv, pipenv) = (fixture("python/uv"), fixture("python/pipenv"));
    scan_into(&uv, "cyclonedx-xml", &xml);
    scan_into(&pipenv, "spdx-tag-value", &tv);
    merge_into(&[&xml, &tv], "json", &merged);
    let merged = load_json(&merged);
    let (_, a, _) = scan_json(&uv, &[]);
    let (_, b, _) = scan_json(&pipenv, &[]);

    // One component per purl: the union of both scans.
    let comps = merged["components"].as_array().unwrap();
    let keys: BTreeSet<String> = comps.iter().map(key).collect();
    assert_eq!(keys.len(), comps.len(), "no duplicates");
    let expected: BTreeSet<String> = by_key(&a)
        .into_keys()
        .chain(by_key(&b).into_keys())
        .collect();
    assert_eq!(keys, expected);

    // Found in both: every occurrence kept, each under its document's subject.
    let requests = comps.iter().find(|c| c["name"] == "requests").unwrap();
    let paths = location_paths(requests);
    assert_eq!(paths, ["pipenv/Pipfile.lock", "uv/uv.lock"]);

    // Each input's projects and edges, with its paths prefixed.
    let dirs: BTreeSet<&str> = merged["projects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["dir"].as_str().unwrap())
        .collect();
    assert_eq!(dirs, BTreeSet::from(["pipenv", "uv"]));
    let prefixed = |doc: &Value, name: &str| -> BTreeSet<(String, String)> {
        edges(doc)
            .into_iter()
            .map(|(f, t, _)| (f.replace(":.", &format!(":{name}")), t))
            .collect()
    };
    let expected: BTreeSet<_> = prefixed(&a, "uv")
        .union(&prefixed(&b, "pipenv"))
        .cloned()
        .collect();
    let got: BTreeSet<_> = edges(&merged).into_iter().map(|(f, t, _)| (f, t)).collect();
    assert_eq!(got, expected, "edges of both documents");
}

/// `convert FILE -o json` on a hostile FILE: exit 2, and stderr names the file.
fn refused(name: &str, bytes: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    let (code, stdout, stderr) = outcome(bomscout().arg("convert").arg(&path).args(["-o", "json"]));
    assert_eq!(code, 2, "{name}: {stderr}");
    assert!(stdout.is_empty(), "{name}: nothing written");
    assert!(
        stderr.contains(&path.display().to_string()),
        "{name}: names the file: {stderr}"
    );
    assert!(stderr.len() < 2000, "{name}: a short message: {stderr}");
    stderr
}

fn written(format: &str) -> Vec<u8> {
    let (code, stdout, stderr) = outcome(bomscout().args([
        "scan",
        "--no-caches",
        "-q",
        fixture("npm/attribution").to_str().unwrap(),
        "-o",
        format,
    ]));
    assert_eq!(code, 0, "{stderr}");
    stdout.into_bytes()
}

#[test]
fn truncated_cyclonedx_xml_is_an_error_at_its_line() {
    let xml = written("cyclonedx-xml");
    let cut = &xml[..xml.len() / 2];
    let stderr = refused("bom.cdx.xml", cut);
    assert!(stderr.contains("invalid XML"), "{stderr}");
    let lines = cut.iter().filter(|b| **b == b'\n').count() + 1;
    assert!(
        stderr.contains(&format!("bom.cdx.xml:{lines}:")),
        "the line where it ends ({lines}): {stderr}"
    );
}

#[test]
fn spdx_tag_value_with_a_10_mb_line_is_refused_at_its_line() {
    let doc = String::from_utf8(written("spdx-tag-value")).unwrap();
    let (head, tail) = doc.split_at(doc.find("\nPackageName:").unwrap() + 1);
    let line = head.lines().count() + 1;
    let huge = "x".repeat(10 * 1024 * 1024);
    // A value far past any real one.
    let stderr = refused(
        "bom.spdx",
        format!("{head}PackageName: {huge}\n{tail}").as_bytes(),
    );
    assert!(stderr.contains(&format!("bom.spdx:{line}:")), "{stderr}");
    assert!(stderr.contains("PackageName"), "{stderr}");
    // A line that is no tag at all: quoted, briefly.
    let stderr = refused("garbage.spdx", format!("{head}{huge}\n{tail}").as_bytes());
    assert!(
        stderr.contains(&format!("garbage.spdx:{line}:")),
        "{stderr}"
    );
    assert!(stderr.contains("not a `Tag: value` line"), "{stderr}");
}

#[test]
fn a_10_mb_text_block_in_tag_value_is_read() {
    // `<text>` values are bounded by the file size only: bomscout itself writes every
    // location of a component into one comment.
    let doc = String::from_utf8(written("spdx-tag-value")).unwrap();
    let huge = format!(
        "PackageComment: <text>{}</text>\n",
        "x".repeat(10 * 1024 * 1024)
    );
    let patched = doc.replacen(
        "PrimaryPackagePurpose: LIBRARY\n",
        &format!("{huge}PrimaryPackagePurpose: LIBRARY\n"),
        1,
    );
    assert_ne!(patched, doc);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.spdx");
    std::fs::write(&path, patched).unwrap();
    let (code, _, stderr) = outcome(bomscout().arg("convert").arg(&path).args(["-o", "json"]));
    assert_eq!(code, 0, "{stderr}");
}

#[test]
fn no_sbom_is_refused_with_the_formats_bomscout_reads() {
    let expected = "expected CycloneDX (JSON or XML), SPDX 2 (JSON or tag-value), SPDX 3 JSON-LD or bomscout JSON";
    for (name, bytes) in [
        ("notes.txt", b"just some text\n".as_slice()),
        ("empty", b"".as_slice()),
        ("binary", b"\x00\x01\xff\xfe".as_slice()),
        ("lock.yaml", b"lockfileVersion: '9.0'\n".as_slice()),
        (
            "package-lock.json",
            &std::fs::read(fixture("npm/lock-v3/package-lock.json")).unwrap(),
        ),
    ] {
        let stderr = refused(name, bytes);
        assert!(stderr.contains(expected), "{name}: {stderr}");
    }
    let stderr = refused(
        "pom.xml",
        &std::fs::read(fixture("maven/jsoup/pom.xml")).unwrap(),
    );
    assert!(
        stderr.contains("not CycloneDX: its root element is \"project\""),
        "{stderr}"
    );
    let stderr = refused("bad.json", b"{\n  \"bomFormat\": \"CycloneDX\",\n  oops\n}");
    assert!(stderr.contains("bad.json:3:"), "{stderr}");
}

/// `check --baseline` reads its SBOM the way `convert` does: any format bomscout writes.
/// The venv has a denied license, so without a baseline the check fails; with the tree's own
/// SBOM as baseline nothing is new, whatever format the baseline was written in.
#[test]
fn a_baseline_in_any_format_hides_known_violations() {
    let venv = fixture("python/installed/venv");
    let check = |extra: &[&str]| {
        outcome(
            bomscout()
                .args(["check", "--no-caches", "--date", "2026-11-25"])
                .args(["--policy", "builtin:permissive"])
                .arg(&venv)
                .args(extra),
        )
    };
    assert_eq!(check(&[]).0, 1, "the venv has a denied license");
    let dir = tempfile::tempdir().unwrap();
    for f in FORMATS {
        let base = dir.path().join(f);
        scan_into(&venv, f, &base);
        let (code, stdout, stderr) = check(&["--baseline", base.to_str().unwrap()]);
        assert_eq!(code, 0, "{f}: {stdout}{stderr}");
        assert!(
            stderr.contains("against the baseline: 0 new, 0 removed"),
            "{f}: {stderr}"
        );
    }
}
