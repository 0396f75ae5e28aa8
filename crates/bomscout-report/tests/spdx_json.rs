//! SPDX 2.3 JSON: schema-valid, ids valid and unique, relationships closed, the graph and
//! the licenses as expected, deterministic.

mod sboms;

use bomscout_report::Format;
use sboms::{all, render, sample, sample_reversed};
use serde_json::Value;
use std::collections::{BTreeSet, HashMap, HashSet};

fn schema() -> jsonschema::Validator {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/schemas/spdx/spdx-schema-2.3.json"
    );
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    jsonschema::validator_for(&schema).unwrap()
}

fn doc(sbom: &bomscout_core::Sbom) -> Value {
    serde_json::from_str(&render(Format::SpdxJson, sbom)).unwrap()
}

fn packages(doc: &Value) -> &Vec<Value> {
    doc["packages"].as_array().unwrap()
}

/// `SPDXID` → package name.
fn names(doc: &Value) -> HashMap<String, String> {
    packages(doc)
        .iter()
        .map(|p| {
            (
                p["SPDXID"].as_str().unwrap().to_string(),
                p["name"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn package<'a>(doc: &'a Value, name: &str, version: Option<&str>) -> &'a Value {
    packages(doc)
        .iter()
        .find(|p| p["name"] == name && p["versionInfo"].as_str() == version)
        .unwrap_or_else(|| panic!("no package {name} {version:?}"))
}

fn is_valid_id(id: &str) -> bool {
    id.strip_prefix("SPDXRef-").is_some_and(|r| {
        !r.is_empty()
            && r.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
    })
}

#[test]
fn every_document_is_valid_against_the_spdx_2_3_schema() {
    let validator = schema();
    for (name, sbom) in all() {
        let doc = doc(&sbom);
        let errors: Vec<String> = validator
            .iter_errors(&doc)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{name}: {errors:#?}");
    }
}

#[test]
fn spdx_ids_are_valid_and_unique() {
    for (name, sbom) in all() {
        let doc = doc(&sbom);
        let mut seen = HashSet::new();
        assert!(seen.insert("SPDXRef-DOCUMENT".to_string()));
        for p in packages(&doc) {
            let id = p["SPDXID"].as_str().unwrap();
            assert!(is_valid_id(id), "{name}: invalid {id}");
            assert!(seen.insert(id.to_string()), "{name}: duplicate {id}");
        }
    }
}

#[test]
fn every_relationship_names_elements_of_the_document() {
    for (name, sbom) in all() {
        let doc = doc(&sbom);
        let mut ids: HashSet<String> = names(&doc).into_keys().collect();
        ids.insert("SPDXRef-DOCUMENT".into());
        for r in doc["relationships"].as_array().unwrap() {
            for end in ["spdxElementId", "relatedSpdxElement"] {
                let id = r[end].as_str().unwrap();
                assert!(ids.contains(id), "{name}: {id} in {r}");
            }
        }
    }
}

#[test]
fn relationships_of_the_sample_are_exactly_its_graph() {
    let doc = doc(&sample());
    let names = names(&doc);
    let name = |id: &str| names.get(id).cloned().unwrap_or_else(|| id.to_string());
    let got: BTreeSet<(String, String, String)> = doc["relationships"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                name(r["spdxElementId"].as_str().unwrap()),
                r["relationshipType"].as_str().unwrap().to_string(),
                name(r["relatedSpdxElement"].as_str().unwrap()),
            )
        })
        .collect();
    let want: BTreeSet<(String, String, String)> = [
        ("SPDXRef-DOCUMENT", "DESCRIBES", "app"),
        ("SPDXRef-DOCUMENT", "DESCRIBES", "svc"),
        ("SPDXRef-DOCUMENT", "DESCRIBES", "tool"),
        ("app", "DEPENDS_ON", "@babel/core"),
        ("app", "DEPENDS_ON", "left-pad"),
        ("lodash", "DEV_DEPENDENCY_OF", "app"),
        ("fsevents", "OPTIONAL_DEPENDENCY_OF", "app"),
        ("@babel/core", "DEPENDS_ON", "debug"),
        // npm peer dependencies are installed, so they are plain dependencies in 2.3.
        ("debug", "DEPENDS_ON", "ms"),
        ("svc", "DEPENDS_ON", "requests"),
        ("svc", "DEPENDS_ON", "Foo_Bar"),
        ("svc", "DEPENDS_ON", "curated"),
        ("legacy", "OPTIONAL_DEPENDENCY_OF", "svc"),
        ("pytest", "DEV_DEPENDENCY_OF", "svc"),
        ("tool", "DEPENDS_ON", "serde"),
        ("tool", "DEPENDS_ON", "odd"),
        ("cc", "BUILD_DEPENDENCY_OF", "tool"),
        ("serde", "DEPENDS_ON", "wasi"),
    ]
    .into_iter()
    .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
    .collect();
    assert_eq!(got, want);
}

#[test]
fn packages_carry_versions_purls_hashes_and_purposes() {
    let doc = doc(&sample());
    let babel = package(&doc, "@babel/core", Some("7.24.0"));
    assert_eq!(babel["primaryPackagePurpose"], "LIBRARY");
    assert_eq!(babel["supplier"], "NOASSERTION");
    assert_eq!(babel["filesAnalyzed"], false);
    assert_eq!(
        babel["downloadLocation"],
        "https://registry.example.invalid/@babel/core/-/core-7.24.0.tgz"
    );
    assert_eq!(
        babel["externalRefs"],
        serde_json::json!([{
            "referenceCategory": "PACKAGE-MANAGER",
            "referenceType": "purl",
            "referenceLocator": "pkg:npm/%40babel/core@7.24.0"
        }])
    );
    assert_eq!(
        babel["checksums"],
        serde_json::json!([
            {"algorithm": "SHA1", "checksumValue": "cd".repeat(20)},
            {"algorithm": "SHA512", "checksumValue": "ab".repeat(64)},
        ])
    );
    assert_eq!(
        babel["copyrightText"],
        "Copyright (c) 2014-present Sebastian McKenzie and other contributors"
    );
    // A `file:` link is no download location SPDX accepts.
    assert_eq!(
        package(&doc, "fsevents", Some("2.3.3"))["downloadLocation"],
        "NOASSERTION"
    );
    // PyPI names keep their spelling; the purl is normalized.
    let foo = package(&doc, "Foo_Bar", Some("1.0"));
    assert_eq!(
        foo["externalRefs"][0]["referenceLocator"],
        "pkg:pypi/foo-bar@1.0"
    );

    let left_pad = package(&doc, "left-pad", None);
    assert!(left_pad.get("versionInfo").is_none());
    assert_eq!(
        left_pad["externalRefs"][0]["referenceLocator"],
        "pkg:npm/left-pad"
    );
    assert!(left_pad["comment"]
        .as_str()
        .unwrap()
        .contains("Unresolved: declared as \"^1.3.0\""));

    let app = package(&doc, "app", Some("1.0.0"));
    assert_eq!(app["primaryPackagePurpose"], "APPLICATION");
    let tool = package(&doc, "tool", Some("0.3.0"));
    assert_eq!(tool["licenseDeclared"], "MIT");
}

#[test]
fn licenses_become_expressions_or_extracted_refs() {
    let doc = doc(&sample());
    let declared = |name: &str, version: &str| {
        package(&doc, name, Some(version))["licenseDeclared"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(declared("@babel/core", "7.24.0"), "MIT");
    assert_eq!(declared("serde", "1.0.197"), "MIT OR Apache-2.0");
    assert_eq!(
        declared("wasi", "0.11.0"),
        "Apache-2.0 WITH LLVM-exception OR Apache-2.0 OR MIT"
    );
    // Declared field and classifier agree: one term.
    assert_eq!(declared("requests", "2.31.0"), "Apache-2.0");
    assert_eq!(declared("Foo_Bar", "1.0"), "LicenseRef-Custom-Corp-License");
    assert_eq!(declared("odd", "0.1.0"), "LicenseRef-Odd-1.0");
    assert_eq!(declared("pytest", "8.0.0"), "NOASSERTION");
    // A curation is the concluded license; without one, bomscout concludes nothing.
    let curated = package(&doc, "curated", Some("2.0"));
    assert_eq!(curated["licenseConcluded"], "BSD-3-Clause");
    assert_eq!(curated["licenseDeclared"], "LicenseRef-BSD");
    assert_eq!(
        package(&doc, "serde", Some("1.0.197"))["licenseConcluded"],
        "NOASSERTION"
    );

    let extracted: Vec<(&str, &str, &str)> = doc["hasExtractedLicensingInfos"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["licenseId"].as_str().unwrap(),
                e["name"].as_str().unwrap(),
                e["extractedText"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        extracted,
        [
            ("LicenseRef-BSD", "BSD", "BSD"),
            (
                "LicenseRef-Copyright-c-2001-Legacy-Authors-Permission-is-granted-to-use-thi",
                "Copyright (c) 2001 Legacy Authors",
                "Copyright (c) 2001 Legacy Authors\n\nPermission is granted to use this software."
            ),
            (
                "LicenseRef-Custom-Corp-License",
                "Custom Corp License",
                "Custom Corp License"
            ),
            ("LicenseRef-Odd-1.0", "Odd-1.0", "LicenseRef-Odd-1.0"),
            ("LicenseRef-UNLICENSED", "UNLICENSED", "UNLICENSED"),
        ]
    );
}

#[test]
fn every_license_ref_used_is_extracted() {
    for (name, sbom) in all() {
        let doc = doc(&sbom);
        let extracted: HashSet<&str> = doc["hasExtractedLicensingInfos"]
            .as_array()
            .map(|a| a.iter().map(|e| e["licenseId"].as_str().unwrap()).collect())
            .unwrap_or_default();
        for p in packages(&doc) {
            for field in ["licenseDeclared", "licenseConcluded"] {
                let expr = p[field].as_str().unwrap();
                for term in expr.split(|c: char| c.is_whitespace() || c == '(' || c == ')') {
                    if term.starts_with("LicenseRef-") {
                        assert!(extracted.contains(term), "{name}: {term} not extracted");
                    }
                }
            }
        }
    }
}

#[test]
fn document_header_is_spdx_2_3_with_a_deterministic_namespace() {
    let doc = doc(&sample());
    assert_eq!(doc["spdxVersion"], "SPDX-2.3");
    assert_eq!(doc["dataLicense"], "CC0-1.0");
    assert_eq!(doc["SPDXID"], "SPDXRef-DOCUMENT");
    assert_eq!(doc["name"], "monorepo");
    assert_eq!(doc["creationInfo"]["created"], "2024-03-06T00:00:00Z");
    assert_eq!(
        doc["creationInfo"]["creators"],
        serde_json::json!(["Tool: bomscout-0.1.0"])
    );
    let ns = doc["documentNamespace"].as_str().unwrap();
    let hash = ns
        .strip_prefix("https://bomscout.invalid/spdxdocs/monorepo-")
        .unwrap();
    assert_eq!(hash.len(), 32);
    assert!(hash.bytes().all(|b| b.is_ascii_hexdigit()));
}

#[test]
fn namespace_changes_with_content() {
    let base = doc(&sample())["documentNamespace"].clone();
    let mut relicensed = sample();
    relicensed.components[0].licenses[0].expression = Some("ISC".into());
    assert_ne!(doc(&relicensed)["documentNamespace"], base);
    let mut fewer_edges = sample();
    fewer_edges.dependencies.pop();
    assert_ne!(doc(&fewer_edges)["documentNamespace"], base);
}

#[test]
fn output_is_byte_identical_across_runs_and_file_orders() {
    let first = render(Format::SpdxJson, &sample());
    assert_eq!(first, render(Format::SpdxJson, &sample()));
    assert_eq!(first, render(Format::SpdxJson, &sample_reversed()));
}

#[test]
fn a_scan_without_projects_describes_the_scanned_tree() {
    let doc = doc(&sboms::no_projects());
    let root = package(&doc, "installed", None);
    assert_eq!(root["primaryPackagePurpose"], "SOURCE");
    let root_id = root["SPDXID"].as_str().unwrap();
    let names = names(&doc);
    let rels: Vec<(String, &str, String)> = doc["relationships"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let n = |k: &str| {
                let id = r[k].as_str().unwrap();
                names.get(id).cloned().unwrap_or_else(|| id.to_string())
            };
            (
                n("spdxElementId"),
                r["relationshipType"].as_str().unwrap(),
                n("relatedSpdxElement"),
            )
        })
        .collect();
    assert_eq!(
        rels,
        [
            (
                "SPDXRef-DOCUMENT".to_string(),
                "DESCRIBES",
                "installed".to_string()
            ),
            ("installed".to_string(), "CONTAINS", "a".to_string()),
            ("a".to_string(), "DEPENDS_ON", "b".to_string()),
        ]
    );
    assert_eq!(root_id, "SPDXRef-Root");
}

#[test]
fn hostile_metadata_stays_inside_its_fields() {
    let doc = doc(&sboms::hostile());
    assert_eq!(doc["name"], "bomscout-sbom");
    let ids: Vec<&str> = doc["hasExtractedLicensingInfos"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["licenseId"].as_str().unwrap())
        .collect();
    // "Foo License" and "Foo_License" sanitize alike; the second gets a hash suffix.
    assert_eq!(ids.len(), 3);
    assert!(ids.contains(&"LicenseRef-Foo-License"));
    assert!(ids
        .iter()
        .any(|id| id.starts_with("LicenseRef-Foo-License-")));
    // Two versions of a package whose name has no id characters still get distinct ids.
    let kanji: Vec<&str> = packages(&doc)
        .iter()
        .filter(|p| p["name"] == "名前")
        .map(|p| p["SPDXID"].as_str().unwrap())
        .collect();
    assert_eq!(kanji.len(), 2);
    assert_ne!(kanji[0], kanji[1]);
}

#[test]
fn the_schema_check_is_not_vacuous() {
    let validator = schema();
    let mut broken = doc(&sample());
    broken["relationships"][0]["relationshipType"] = "DEPENDS_ON_SOMETHING".into();
    assert!(!validator.is_valid(&broken));
    let mut no_name = doc(&sample());
    no_name["packages"][0]
        .as_object_mut()
        .unwrap()
        .remove("name");
    assert!(!validator.is_valid(&no_name));
}

/// Writes the sample documents for the official validators, which are not part of the
/// build: `SPDX_OUT_DIR=/tmp/out cargo test -p bomscout-report --test spdx_json -- --ignored`,
/// then `pyspdxtools -i /tmp/out/sample.spdx.json`, `pyspdxtools -i /tmp/out/sample.spdx`,
/// `sbomcheck --file /tmp/out/sample.spdx.json`.
#[test]
#[ignore = "writes files for external validators; needs SPDX_OUT_DIR"]
fn write_samples_for_the_official_validators() {
    let dir = std::path::PathBuf::from(std::env::var("SPDX_OUT_DIR").expect("set SPDX_OUT_DIR"));
    std::fs::create_dir_all(&dir).unwrap();
    for (name, sbom) in all() {
        for (format, ext) in [
            (Format::SpdxJson, "spdx.json"),
            (Format::SpdxTagValue, "spdx"),
            (Format::Spdx3Json, "spdx3.json"),
            (Format::Notice, "NOTICE.txt"),
            (Format::NoticeMarkdown, "NOTICE.md"),
        ] {
            std::fs::write(dir.join(format!("{name}.{ext}")), render(format, &sbom)).unwrap();
        }
    }
}
