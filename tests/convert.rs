//! `convert` and `merge`: bomscout's CycloneDX → SPDX → CycloneDX loses no component,
//! license or edge; merging deduplicates by purl and keeps every occurrence.

mod common;

use common::*;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// Every SPDX id or license name a `licenses` array mentions.
fn terms(licenses: Option<&Value>) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for l in licenses.and_then(Value::as_array).into_iter().flatten() {
        if let Some(e) = l.get("expression").and_then(Value::as_str) {
            out.extend(
                e.split([' ', '(', ')'])
                    .filter(|t| !t.is_empty() && !["AND", "OR", "WITH"].contains(t))
                    .map(str::to_string),
            );
        }
        for k in ["/license/id", "/license/name"] {
            out.extend(l.pointer(k).and_then(Value::as_str).map(str::to_string));
        }
    }
    out
}

/// bom-ref → (scope, license terms incl. evidence, hashes, locations), and the edge set.
type Summary = (
    BTreeMap<String, (String, BTreeSet<String>, usize, usize)>,
    BTreeSet<(String, String)>,
);

fn summary(doc: &Value) -> Summary {
    let comps = doc["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let mut t = terms(c.get("licenses"));
            t.extend(terms(c.pointer("/evidence/licenses")));
            let hashes = c
                .get("hashes")
                .and_then(Value::as_array)
                .map_or(0, Vec::len);
            let locs = c
                .pointer("/evidence/occurrences")
                .and_then(Value::as_array)
                .map_or(0, Vec::len);
            let scope = c
                .get("scope")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            (
                c["bom-ref"].as_str().unwrap().to_string(),
                (scope, t, hashes, locs),
            )
        })
        .collect();
    let edges = doc["dependencies"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|d| {
            let from = d["ref"].as_str().unwrap().to_string();
            d["dependsOn"]
                .as_array()
                .unwrap()
                .iter()
                .map(move |t| (from.clone(), t.as_str().unwrap().to_string()))
        })
        .collect();
    (comps, edges)
}

/// Licenses whose terms are a LicenseRef made from an unparsed name are written back as
/// that name, so compare names and ids after dropping `LicenseRef-` forms of names.
fn without_refs(s: &Summary) -> Summary {
    let mut s = s.clone();
    for v in s.0.values_mut() {
        v.1.retain(|t| {
            !t.starts_with("LicenseRef-")
                || t == "LicenseRef-Public-Domain"
                || t == "LicenseRef-UNLICENSED"
        });
    }
    s
}

#[test]
fn cyclonedx_to_spdx_and_back_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let cdx = dir.path().join("a.cdx.json");
    let spdx = dir.path().join("a.spdx.json");
    let back = dir.path().join("b.cdx.json");
    let fixtures = fixture("");
    scan_into(&fixtures, "cyclonedx-json", &cdx);
    convert_into(&cdx, "spdx-json", &spdx);
    convert_into(&spdx, "cyclonedx-json", &back);
    let (a, b) = (summary(&load_json(&cdx)), summary(&load_json(&back)));
    assert_eq!(
        a.0.keys().collect::<Vec<_>>(),
        b.0.keys().collect::<Vec<_>>(),
        "same components and projects"
    );
    assert_eq!(a.1, b.1, "same edges");
    let (a, b) = (without_refs(&a), without_refs(&b));
    for (k, va) in &a.0 {
        let vb = &b.0[k];
        assert_eq!(va.0, vb.0, "{k}: scope");
        assert!(
            vb.1.is_superset(&va.1),
            "{k}: licenses {:?} vs {:?}",
            va.1,
            vb.1
        );
        assert_eq!((va.2, va.3), (vb.2, vb.3), "{k}: hashes and locations");
    }
}

#[test]
fn cyclonedx_to_cyclonedx_is_stable() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.json");
    let b = dir.path().join("b.json");
    let fixtures = fixture("npm");
    scan_into(&fixtures, "cyclonedx-json", &a);
    convert_into(&a, "cyclonedx-json", &b);
    assert_eq!(summary(&load_json(&a)), summary(&load_json(&b)));
}

#[test]
fn merge_dedupes_by_purl_and_keeps_every_occurrence() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.json");
    let b = dir.path().join("b.spdx.json");
    let m = dir.path().join("m.json");
    scan_into(&fixture("python/uv"), "cyclonedx-json", &a);
    scan_into(&fixture("python/pipenv"), "spdx-json", &b);
    merge_into(&[&a, &b], "json", &m);
    let merged = load_json(&m);
    let comps = merged["components"].as_array().unwrap();
    let purls: BTreeSet<&str> = comps.iter().map(|c| c["purl"].as_str().unwrap()).collect();
    assert_eq!(purls.len(), comps.len(), "no duplicates");
    let requests = comps.iter().find(|c| c["name"] == "requests").unwrap();
    let paths = location_paths(requests);
    assert_eq!(
        paths,
        ["pipenv/Pipfile.lock", "uv/uv.lock"],
        "found in both inputs, each under its document"
    );
    assert_eq!(merged["projects"].as_array().unwrap().len(), 2);
}

#[test]
fn not_an_sbom_is_a_clear_error() {
    let out = bomscout()
        .args(["convert"])
        .arg(fixture("npm/lock-v3/package-lock.json"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("package-lock.json: a JSON document, but no SBOM bomscout reads"),
        "{stderr}"
    );
}
