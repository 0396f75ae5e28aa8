//! SPDX 2.3 tag-value: read back with a small reader; required tags present, every
//! relationship names a defined SPDXID, and the content equals the JSON document's.

mod sboms;

use bomscout_report::Format;
use sboms::{all, render, sample, sample_reversed};
use serde_json::Value;
use std::collections::{BTreeSet, HashSet};

/// Every tag the writer may emit; anything else means a value leaked into a new line.
const KNOWN_TAGS: &[&str] = &[
    "SPDXVersion",
    "DataLicense",
    "SPDXID",
    "DocumentName",
    "DocumentNamespace",
    "DocumentComment",
    "LicenseListVersion",
    "Creator",
    "Created",
    "PackageName",
    "PackageVersion",
    "PackageSupplier",
    "PackageDownloadLocation",
    "FilesAnalyzed",
    "PackageChecksum",
    "PackageLicenseConcluded",
    "PackageLicenseDeclared",
    "PackageCopyrightText",
    "PackageComment",
    "ExternalRef",
    "ExternalRefComment",
    "PrimaryPackagePurpose",
    "Relationship",
    "LicenseID",
    "ExtractedText",
    "LicenseName",
    "LicenseComment",
];

/// `(tag, value)` pairs; a `<text>` value may span lines and ends at `</text>`.
fn parse(doc: &str) -> Vec<(String, String)> {
    let mut pairs = Vec::new();
    let mut lines = doc.lines();
    while let Some(line) = lines.next() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let (tag, value) = line
            .split_once(':')
            .unwrap_or_else(|| panic!("no tag: {line:?}"));
        let mut value = value.trim().to_string();
        if let Some(rest) = value.strip_prefix("<text>") {
            let mut text = rest.to_string();
            while !text.contains("</text>") {
                let next = lines
                    .next()
                    .unwrap_or_else(|| panic!("unterminated <text> in {tag}"));
                text.push('\n');
                text.push_str(next);
            }
            let (inner, after) = text.split_once("</text>").unwrap();
            assert!(
                after.trim().is_empty(),
                "text after </text> in {tag}: {after:?}"
            );
            value = inner.to_string();
        }
        pairs.push((tag.to_string(), value));
    }
    pairs
}

fn values<'a>(pairs: &'a [(String, String)], tag: &str) -> Vec<&'a str> {
    pairs
        .iter()
        .filter(|(t, _)| t == tag)
        .map(|(_, v)| v.as_str())
        .collect()
}

/// Packages as lists of pairs, split at each `PackageName`.
fn package_blocks(pairs: &[(String, String)]) -> Vec<Vec<(String, String)>> {
    let mut blocks: Vec<Vec<(String, String)>> = Vec::new();
    let mut current: Option<Vec<(String, String)>> = None;
    for (tag, value) in pairs {
        if tag == "PackageName" {
            blocks.extend(current.take());
            current = Some(Vec::new());
        } else if tag == "Relationship" || tag == "LicenseID" {
            blocks.extend(current.take());
        }
        if let Some(block) = current.as_mut() {
            block.push((tag.clone(), value.clone()));
        }
    }
    blocks.extend(current);
    blocks
}

#[test]
fn documents_read_back_with_required_tags_and_closed_relationships() {
    for (name, sbom) in all() {
        let text = render(Format::SpdxTagValue, &sbom);
        let pairs = parse(&text);
        for (tag, _) in &pairs {
            assert!(
                KNOWN_TAGS.contains(&tag.as_str()),
                "{name}: unexpected tag {tag}"
            );
        }
        assert_eq!(
            pairs[0],
            ("SPDXVersion".into(), "SPDX-2.3".into()),
            "{name}"
        );
        assert_eq!(values(&pairs, "DataLicense"), ["CC0-1.0"], "{name}");
        for tag in ["DocumentName", "DocumentNamespace", "Creator", "Created"] {
            assert_eq!(values(&pairs, tag).len(), 1, "{name}: {tag}");
        }
        assert_eq!(values(&pairs, "Created"), ["2024-03-06T00:00:00Z"]);

        let blocks = package_blocks(&pairs);
        assert!(!blocks.is_empty(), "{name}");
        for block in &blocks {
            for tag in [
                "SPDXID",
                "PackageDownloadLocation",
                "FilesAnalyzed",
                "PackageLicenseDeclared",
            ] {
                assert_eq!(
                    block.iter().filter(|(t, _)| t == tag).count(),
                    1,
                    "{name}: {tag} in {block:?}"
                );
            }
        }

        let ids: Vec<&str> = values(&pairs, "SPDXID");
        let defined: HashSet<&str> = ids.iter().copied().collect();
        assert_eq!(defined.len(), ids.len(), "{name}: duplicate SPDXID");
        assert_eq!(ids.len(), blocks.len() + 1, "{name}");
        for rel in values(&pairs, "Relationship") {
            let parts: Vec<&str> = rel.split_whitespace().collect();
            assert_eq!(parts.len(), 3, "{name}: {rel}");
            assert!(defined.contains(parts[0]), "{name}: {rel}");
            assert!(defined.contains(parts[2]), "{name}: {rel}");
        }

        let license_ids: HashSet<&str> = values(&pairs, "LicenseID").into_iter().collect();
        for expr in values(&pairs, "PackageLicenseDeclared")
            .into_iter()
            .chain(values(&pairs, "PackageLicenseConcluded"))
        {
            for term in expr.split(|c: char| c.is_whitespace() || c == '(' || c == ')') {
                if term.starts_with("LicenseRef-") {
                    assert!(
                        license_ids.contains(term),
                        "{name}: {term} has no LicenseID"
                    );
                }
            }
        }
    }
}

#[test]
fn tag_value_says_what_the_json_says() {
    for (name, sbom) in all() {
        let pairs = parse(&render(Format::SpdxTagValue, &sbom));
        let json: Value = serde_json::from_str(&render(Format::SpdxJson, &sbom)).unwrap();

        let tv_rels: BTreeSet<String> = values(&pairs, "Relationship")
            .into_iter()
            .map(str::to_string)
            .collect();
        let json_rels: BTreeSet<String> = json["relationships"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                format!(
                    "{} {} {}",
                    r["spdxElementId"].as_str().unwrap(),
                    r["relationshipType"].as_str().unwrap(),
                    r["relatedSpdxElement"].as_str().unwrap()
                )
            })
            .collect();
        assert_eq!(tv_rels, json_rels, "{name}");

        let tv_packages: BTreeSet<(String, String, String)> = package_blocks(&pairs)
            .iter()
            .map(|b| {
                let get = |tag: &str| {
                    b.iter()
                        .find(|(t, _)| t == tag)
                        .map(|(_, v)| v.clone())
                        .unwrap_or_default()
                };
                (
                    get("SPDXID"),
                    get("PackageLicenseDeclared"),
                    get("PackageChecksum"),
                )
            })
            .collect();
        let json_packages: BTreeSet<(String, String, String)> = json["packages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                let checksum = p["checksums"]
                    .get(0)
                    .map(|c| {
                        format!(
                            "{}: {}",
                            c["algorithm"].as_str().unwrap(),
                            c["checksumValue"].as_str().unwrap()
                        )
                    })
                    .unwrap_or_default();
                (
                    p["SPDXID"].as_str().unwrap().to_string(),
                    p["licenseDeclared"].as_str().unwrap().to_string(),
                    checksum,
                )
            })
            .collect();
        assert_eq!(tv_packages, json_packages, "{name}");

        let tv_texts: Vec<&str> = values(&pairs, "ExtractedText");
        let json_texts: Vec<&str> = json["hasExtractedLicensingInfos"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|e| e["extractedText"].as_str().unwrap())
                    .collect()
            })
            .unwrap_or_default();
        let defused: Vec<String> = json_texts
            .iter()
            .map(|t| t.replace("</text>", "</ text>"))
            .collect();
        assert_eq!(tv_texts, defused, "{name}");
    }
}

#[test]
fn multi_line_values_are_wrapped_in_text() {
    let text = render(Format::SpdxTagValue, &sample());
    assert!(text.contains(
        "ExtractedText: <text>Copyright (c) 2001 Legacy Authors\n\nPermission is granted to use this software.</text>"
    ));
    assert!(text.contains("ExternalRef: PACKAGE-MANAGER purl pkg:npm/%40babel/core@7.24.0\n"));
    assert!(text.contains("PackageChecksum: SHA512: "));
}

#[test]
fn hostile_names_do_not_start_new_tags() {
    let text = render(Format::SpdxTagValue, &sboms::hostile());
    assert!(text.contains("PackageName: x SPDXID: SPDXRef-DOCUMENT\n"));
    assert!(text.contains("PackageCopyrightText: <text>(c) </ text> <b>me</b></text>"));
}

#[test]
fn output_is_byte_identical_across_runs_and_file_orders() {
    let first = render(Format::SpdxTagValue, &sample());
    assert_eq!(first, render(Format::SpdxTagValue, &sample()));
    assert_eq!(first, render(Format::SpdxTagValue, &sample_reversed()));
}
