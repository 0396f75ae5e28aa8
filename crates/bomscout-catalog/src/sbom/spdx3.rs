//! SPDX 3.0 JSON-LD read into a [`Catalog`].
//!
//! The `@graph` is rebuilt in the shape of an SPDX 2 JSON document, which [`super::spdx`]
//! then maps, so every SPDX serialization keeps the same facts. What moves:
//! - `software_Package` (and its subclasses `ai_AIPackage`, `dataset_DatasetPackage`) → a
//!   package: `spdxId` (the IRI, used as its id), `name`,
//!   `software_packageVersion`, the purl (`software_packageUrl`, or an
//!   `externalIdentifier` of type `packageUrl`), `software_primaryPurpose` (upper-cased:
//!   `application` → `APPLICATION`), `verifiedUsing` hashes, `software_copyrightText`,
//!   `comment` (where bomscout keeps scope, locations and `bomscout:` properties).
//! - `Relationship` / `LifecycleScopedRelationship`: `dependsOn` (scope `development` or
//!   `test` → a dev edge, `build` → a build edge, else normal) and `hasOptionalDependency`
//!   become edges; `hasDeclaredLicense` / `hasConcludedLicense` point at a
//!   `simplelicensing_LicenseExpression` whose expression becomes the package's declared /
//!   concluded license.
//! - A `LicenseRef-` of an expression resolves through `simplelicensing_customIdToUri` to a
//!   `simplelicensing_SimpleLicensingText`, whose text is the statement as found.
//!
//! Other elements (agents, tools, files, annotations) are skipped. Elements may come in
//! any order: packages and licenses are collected before relationships are applied.

use crate::{Input, ParseError};
use bomscout_core::Catalog;
use serde_json::{json, Map, Value};
use std::collections::HashMap;

/// Reads one SPDX 3 JSON-LD document.
pub fn parse(input: &Input) -> Result<Catalog, ParseError> {
    let doc: Value = serde_json::from_slice(input.bytes)?;
    if !is_spdx3(&doc) {
        return Err(ParseError::format(
            "not an SPDX 3 JSON-LD document (no \"@context\" of SPDX 3 and no \"@graph\")",
        ));
    }
    let (spdx2, _) = to_spdx2(&doc);
    Ok(super::spdx::catalog(&spdx2, input.path()))
}

/// True for a JSON-LD document with an SPDX 3 `@context` (a string or a list holding one)
/// and a `@graph`.
pub(crate) fn is_spdx3(doc: &Value) -> bool {
    let spdx3 = |v: &Value| v.as_str().is_some_and(|c| c.contains("spdx.org/rdf/3"));
    let context = match doc.get("@context") {
        Some(Value::Array(a)) => a.iter().any(spdx3),
        Some(v) => spdx3(v),
        None => false,
    };
    context && doc.get("@graph").is_some_and(Value::is_array)
}

/// The document as SPDX 2 JSON, and its name (the `SpdxDocument`'s).
pub(crate) fn to_spdx2(doc: &Value) -> (Value, Option<String>) {
    let graph: &[Value] = doc
        .get("@graph")
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice);

    let mut name = None;
    let mut packages: Vec<Map<String, Value>> = Vec::new();
    let mut by_id: HashMap<&str, usize> = HashMap::new();
    let mut expressions: HashMap<&str, &str> = HashMap::new();
    let mut texts: HashMap<&str, &str> = HashMap::new();
    let mut refs: Vec<(&str, &str)> = Vec::new();
    for e in graph {
        match ty(e) {
            "SpdxDocument" => {
                name = e.get("name").and_then(Value::as_str).map(str::to_string);
            }
            // A model (`ai_AIPackage`) and a dataset (`dataset_DatasetPackage`) are packages too.
            "software_Package" | "ai_AIPackage" | "dataset_DatasetPackage" => {
                if let Some(spdx_id) = id(e) {
                    by_id.insert(spdx_id, packages.len());
                    packages.push(package(e, spdx_id));
                }
            }
            "simplelicensing_LicenseExpression" => {
                let expr = e
                    .get("simplelicensing_licenseExpression")
                    .and_then(Value::as_str);
                if let (Some(spdx_id), Some(expr)) = (id(e), expr) {
                    expressions.insert(spdx_id, expr);
                }
                for entry in e
                    .get("simplelicensing_customIdToUri")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    let key = entry.get("key").and_then(Value::as_str);
                    let value = entry.get("value").and_then(Value::as_str);
                    if let (Some(k), Some(v)) = (key, value) {
                        refs.push((k, v));
                    }
                }
            }
            "simplelicensing_SimpleLicensingText" => {
                let text = e.get("simplelicensing_licenseText").and_then(Value::as_str);
                if let (Some(spdx_id), Some(text)) = (id(e), text) {
                    texts.insert(spdx_id, text);
                }
            }
            _ => {}
        }
    }

    let mut relationships = Vec::new();
    for e in graph {
        if !matches!(ty(e), "Relationship" | "LifecycleScopedRelationship") {
            continue;
        }
        let Some(from) = e.get("from").and_then(Value::as_str) else {
            continue;
        };
        let targets = e
            .get("to")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str);
        let scope = e.get("scope").and_then(Value::as_str);
        let kind = e
            .get("relationshipType")
            .and_then(Value::as_str)
            .unwrap_or_default();
        for to in targets {
            let (a, rel, b) = match (kind, scope) {
                ("dependsOn", Some("development" | "test")) => (to, "DEV_DEPENDENCY_OF", from),
                ("dependsOn", Some("build")) => (to, "BUILD_DEPENDENCY_OF", from),
                ("dependsOn", _) => (from, "DEPENDS_ON", to),
                ("hasOptionalDependency", _) => (to, "OPTIONAL_DEPENDENCY_OF", from),
                ("hasDeclaredLicense" | "hasConcludedLicense", _) => {
                    let field = if kind == "hasDeclaredLicense" {
                        "licenseDeclared"
                    } else {
                        "licenseConcluded"
                    };
                    let package = by_id.get(from).and_then(|&i| packages.get_mut(i));
                    if let (Some(p), Some(expr)) = (package, expressions.get(to)) {
                        let joined = match p.get(field).and_then(Value::as_str) {
                            Some(before) => format!("{before} AND {expr}"),
                            None => expr.to_string(),
                        };
                        p.insert(field.into(), joined.into());
                    }
                    continue;
                }
                _ => continue,
            };
            relationships.push(json!({
                "spdxElementId": a,
                "relationshipType": rel,
                "relatedSpdxElement": b,
            }));
        }
    }

    let extracted: Vec<Value> = refs
        .into_iter()
        .filter_map(|(key, iri)| {
            let text = texts.get(iri)?;
            Some(json!({"licenseId": key, "extractedText": text}))
        })
        .collect();
    let spdx2 = json!({
        "spdxVersion": "SPDX-2.3",
        "name": name,
        "packages": packages.into_iter().map(Value::Object).collect::<Vec<_>>(),
        "relationships": relationships,
        "hasExtractedLicensingInfos": extracted,
    });
    (spdx2, name)
}

fn ty(e: &Value) -> &str {
    e.get("type").and_then(Value::as_str).unwrap_or_default()
}

fn id(e: &Value) -> Option<&str> {
    e.get("spdxId").and_then(Value::as_str)
}

/// A `software_Package` as an SPDX 2 package.
fn package(e: &Value, spdx_id: &str) -> Map<String, Value> {
    let text = |k: &str| e.get(k).and_then(Value::as_str);
    let mut p = Map::new();
    p.insert("SPDXID".into(), spdx_id.into());
    for (from, to) in [
        ("name", "name"),
        ("software_packageVersion", "versionInfo"),
        ("software_copyrightText", "copyrightText"),
        ("comment", "comment"),
        ("software_downloadLocation", "downloadLocation"),
    ] {
        if let Some(v) = text(from) {
            p.insert(to.into(), v.into());
        }
    }
    if let Some(purpose) = text("software_primaryPurpose") {
        p.insert(
            "primaryPackagePurpose".into(),
            purpose.to_ascii_uppercase().into(),
        );
    }
    let purl = text("software_packageUrl").or_else(|| {
        e.get("externalIdentifier")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .find(|x| x.get("externalIdentifierType").and_then(Value::as_str) == Some("packageUrl"))
            .and_then(|x| x.get("identifier")?.as_str())
    });
    if let Some(purl) = purl {
        p.insert(
            "externalRefs".into(),
            json!([{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": purl}]),
        );
    }
    let checksums: Vec<Value> = e
        .get("verifiedUsing")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|h| {
            Some(json!({
                "algorithm": h.get("algorithm")?.as_str()?,
                "checksumValue": h.get("hashValue")?.as_str()?,
            }))
        })
        .collect();
    if !checksums.is_empty() {
        p.insert("checksums".into(), checksums.into());
    }
    p
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use bomscout_core::{DepKind, NodeRef, SourceKind};

    fn input(text: &str) -> Result<Catalog, ParseError> {
        crate::parse_str(parse, "bom.spdx3.json", text)
    }

    /// A document with every element kind the reader maps.
    pub(crate) fn doc() -> Value {
        json!({
            "@context": "https://spdx.org/rdf/3.0.1/spdx-context.jsonld",
            "@graph": [
                {"type": "LifecycleScopedRelationship", "spdxId": "d#r1", "from": "d#app",
                 "relationshipType": "dependsOn", "to": ["d#core"], "scope": "development"},
                {"type": "Relationship", "spdxId": "d#r2", "from": "d#core",
                 "relationshipType": "hasDeclaredLicense", "to": ["d#lic"]},
                {"type": "software_Package", "spdxId": "d#app", "name": "app",
                 "software_primaryPurpose": "application",
                 "comment": "First-party npm project in .; defined by package.json."},
                {"type": "software_Package", "spdxId": "d#core", "name": "@babel/core",
                 "software_primaryPurpose": "library", "software_packageVersion": "7.0.0",
                 "externalIdentifier": [{"type": "ExternalIdentifier",
                    "externalIdentifierType": "packageUrl", "identifier": "pkg:npm/%40babel/core@7.0.0"}],
                 "verifiedUsing": [{"type": "Hash", "algorithm": "sha256", "hashValue": "abababababababababababababababababababababababababababababababab"}]},
                {"type": "simplelicensing_LicenseExpression", "spdxId": "d#lic",
                 "simplelicensing_licenseExpression": "MIT AND LicenseRef-x",
                 "simplelicensing_customIdToUri": [{"type": "DictionaryEntry", "key": "LicenseRef-x", "value": "d#LicenseRef-x"}]},
                {"type": "simplelicensing_SimpleLicensingText", "spdxId": "d#LicenseRef-x",
                 "simplelicensing_licenseText": "Some License"},
                {"type": "SpdxDocument", "spdxId": "d#SPDXRef-DOCUMENT", "name": "demo"}
            ]
        })
    }

    #[test]
    fn packages_edges_and_licenses() {
        let doc = doc();
        assert_eq!(to_spdx2(&doc).1.as_deref(), Some("demo"));
        let cat = input(&doc.to_string()).unwrap();
        assert_eq!(cat.projects.len(), 1);
        assert_eq!(cat.projects[0].deps[0].to, NodeRef::Package(0));
        assert_eq!(cat.projects[0].deps[0].kind, DepKind::Dev);
        let c = &cat.packages[0].component;
        assert_eq!(
            (c.namespace.as_deref(), c.name.as_str()),
            (Some("@babel"), "core")
        );
        assert_eq!(c.purl.as_str(), "pkg:npm/%40babel/core@7.0.0");
        assert_eq!(c.hashes.len(), 1);
        let licenses = crate::sbom::license_kinds(c);
        assert_eq!(
            licenses,
            [
                ("MIT", SourceKind::Declared),
                ("Some License", SourceKind::Declared)
            ]
        );
    }

    #[test]
    fn other_json_ld_is_not_spdx3() {
        let err = input(r#"{"@context": "https://schema.org", "@graph": []}"#).unwrap_err();
        assert!(err.to_string().contains("SPDX 3"), "{err}");
        assert!(!is_spdx3(
            &json!({"@context": ["https://spdx.org/rdf/3.0.1/x"]})
        ));
        assert!(is_spdx3(
            &json!({"@context": ["https://spdx.org/rdf/3.0.1/x"], "@graph": []})
        ));
    }
}
