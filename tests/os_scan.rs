//! A scan of root filesystems' package databases end to end: the `operating-system`
//! component and the OS packages come out of the binary, and the CycloneDX document holding
//! them validates against every schema version bomscout writes.

mod common;

use common::*;
use serde_json::Value;

fn scan(path: &str, version: &str) -> Value {
    let out = bomscout()
        .args(["scan", "--no-caches", "-q", "-o", "cyclonedx-json"])
        .args(["--cyclonedx-version", version])
        .arg(fixture(path))
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
fn an_operating_system_and_its_packages_validate_in_every_cyclonedx_version() {
    for version in ["1.4", "1.5", "1.6", "1.7"] {
        let doc = scan("os", version);
        let errs = errors(
            &schema(&format!("cyclonedx/bom-{version}.SNAPSHOT.schema.json")),
            &doc,
        );
        assert!(errs.is_empty(), "CycloneDX {version}: {errs:#?}");
        let components = doc["components"].as_array().unwrap();
        let os: Vec<&Value> = components
            .iter()
            .filter(|c| c["type"] == "operating-system")
            .collect();
        // Debian 12 (three roots, one component) is the only release file under fixtures/os.
        assert_eq!(os.len(), 1, "{os:#?}");
        assert_eq!(os[0]["name"], "debian");
        assert_eq!(os[0]["version"], "12");
        let purls: Vec<&str> = components
            .iter()
            .filter_map(|c| c["purl"].as_str())
            .collect();
        for prefix in ["pkg:deb/debian/", "pkg:apk/alpine/", "pkg:rpm/"] {
            assert!(
                purls.iter().any(|p| p.starts_with(prefix)),
                "no {prefix} in CycloneDX {version}"
            );
        }
        assert!(components
            .iter()
            .filter(|c| c["purl"]
                .as_str()
                .is_some_and(|p| p.starts_with("pkg:deb/")))
            .all(|c| c["type"] == "library"));
    }
}
