//! Every standard output format of a scan of all fixtures validates against its official
//! schema: the files auditors receive are never invalid.

mod common;

use common::*;
use serde_json::Value;

fn scan_to(format: &str, extra: &[&str]) -> Value {
    let out = bomscout()
        .args(["scan", "--no-cargo", "-q", "-o", format])
        .args(extra)
        .arg(fixture(""))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn cyclonedx_of_every_fixture_is_valid_in_every_version() {
    for (version, file) in [
        ("1.4", "cyclonedx/bom-1.4.SNAPSHOT.schema.json"),
        ("1.5", "cyclonedx/bom-1.5.SNAPSHOT.schema.json"),
        ("1.6", "cyclonedx/bom-1.6.SNAPSHOT.schema.json"),
        ("1.7", "cyclonedx/bom-1.7.SNAPSHOT.schema.json"),
    ] {
        let doc = scan_to("cyclonedx-json", &["--cyclonedx-version", version]);
        assert!(doc["components"].as_array().unwrap().len() > 50);
        let errs = errors(&schema(file), &doc);
        assert!(errs.is_empty(), "CycloneDX {version}: {errs:#?}");
    }
}

#[test]
fn spdx_of_every_fixture_is_valid() {
    let doc = scan_to("spdx-json", &[]);
    let errs = errors(&schema("spdx/spdx-schema-2.3.json"), &doc);
    assert!(errs.is_empty(), "SPDX 2.3: {errs:#?}");
    let doc = scan_to("spdx3-json", &[]);
    let errs = errors(&schema("spdx/spdx-json-schema-3.0.1.json"), &doc);
    assert!(errs.is_empty(), "SPDX 3.0.1: {errs:#?}");
}

#[test]
fn cyclonedx_refs_are_unique_and_closed() {
    let doc = scan_to("cyclonedx-json", &[]);
    let mut refs = std::collections::HashSet::new();
    refs.insert(
        doc["metadata"]["component"]["bom-ref"]
            .as_str()
            .unwrap()
            .to_string(),
    );
    for c in doc["components"].as_array().unwrap() {
        assert!(
            refs.insert(c["bom-ref"].as_str().unwrap().to_string()),
            "duplicate {}",
            c["bom-ref"]
        );
    }
    for d in doc["dependencies"].as_array().unwrap() {
        for to in d["dependsOn"].as_array().unwrap() {
            assert!(refs.contains(to.as_str().unwrap()), "dangling {to}");
        }
    }
}
