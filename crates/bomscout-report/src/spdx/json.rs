//! SPDX 2.3 JSON (`spdx-json`), as the official `spdx-schema.json` of SPDX 2.3 defines it.
//!
//! Plain serde structs, declared in the order the specification lists the fields, so the
//! output reads like the examples in the specification and diffs cleanly.

use super::model::{Document, Package, Purpose, DOCUMENT_ID};
use super::{checksum_algorithm, relationships, NOASSERTION};
use serde::Serialize;
use std::io::{self, Write};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonDocument<'a> {
    spdx_version: &'static str,
    data_license: &'static str,
    #[serde(rename = "SPDXID")]
    spdx_id: &'static str,
    name: &'a str,
    document_namespace: &'a str,
    creation_info: CreationInfo,
    #[serde(skip_serializing_if = "Option::is_none")]
    comment: Option<&'a str>,
    packages: Vec<JsonPackage<'a>>,
    relationships: Vec<Relationship<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    has_extracted_licensing_infos: Vec<ExtractedInfo<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CreationInfo {
    created: String,
    creators: Vec<String>,
    license_list_version: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonPackage<'a> {
    #[serde(rename = "SPDXID")]
    spdx_id: &'a str,
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    version_info: Option<&'a str>,
    supplier: String,
    download_location: &'a str,
    files_analyzed: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    checksums: Vec<Checksum<'a>>,
    license_concluded: &'a str,
    license_declared: &'a str,
    copyright_text: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    comment: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    external_refs: Vec<ExternalRef<'a>>,
    primary_package_purpose: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Checksum<'a> {
    algorithm: &'static str,
    checksum_value: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ExternalRef<'a> {
    reference_category: &'static str,
    reference_type: &'static str,
    reference_locator: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    comment: Option<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Relationship<'a> {
    spdx_element_id: &'a str,
    relationship_type: &'static str,
    related_spdx_element: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ExtractedInfo<'a> {
    license_id: &'a str,
    extracted_text: &'a str,
    name: &'a str,
    comment: &'a str,
}

/// Writes `doc` as pretty-printed SPDX 2.3 JSON, with a final newline.
pub(crate) fn write(doc: &Document, out: &mut dyn Write) -> io::Result<()> {
    let json = JsonDocument {
        spdx_version: "SPDX-2.3",
        data_license: "CC0-1.0",
        spdx_id: DOCUMENT_ID,
        name: &doc.name,
        document_namespace: &doc.namespace,
        creation_info: CreationInfo {
            created: doc.created.clone(),
            creators: vec![format!("Tool: {}", doc.tool)],
            license_list_version: license_list_version(),
        },
        comment: doc.comment.as_deref(),
        packages: doc.packages.iter().map(package).collect(),
        relationships: relationships(doc)
            .into_iter()
            .map(|(from, kind, to)| Relationship {
                spdx_element_id: from,
                relationship_type: kind,
                related_spdx_element: to,
            })
            .collect(),
        has_extracted_licensing_infos: doc
            .extracted
            .iter()
            .map(|e| ExtractedInfo {
                license_id: &e.id,
                extracted_text: &e.text,
                name: &e.name,
                comment: &e.comment,
            })
            .collect(),
    };
    serde_json::to_writer_pretty(&mut *out, &json)?;
    writeln!(out)
}

fn package(p: &Package) -> JsonPackage<'_> {
    JsonPackage {
        spdx_id: &p.id,
        name: &p.name,
        version_info: p.version.as_deref(),
        supplier: p
            .supplier
            .as_ref()
            .map_or_else(|| NOASSERTION.to_string(), |s| s.spdx()),
        download_location: p.download_location.as_deref().unwrap_or(NOASSERTION),
        files_analyzed: false,
        checksums: p
            .checksums
            .iter()
            .map(|h| Checksum {
                algorithm: checksum_algorithm(h.alg),
                checksum_value: &h.value,
            })
            .collect(),
        license_concluded: p.concluded.as_deref().unwrap_or(NOASSERTION),
        license_declared: p.declared.as_deref().unwrap_or(NOASSERTION),
        copyright_text: p.copyright.as_deref().unwrap_or(NOASSERTION),
        comment: p.comment.as_deref(),
        external_refs: p
            .purl
            .iter()
            .map(|purl| ExternalRef {
                reference_category: "PACKAGE-MANAGER",
                reference_type: "purl",
                reference_locator: purl,
                comment: None,
            })
            .chain(p.security_refs.iter().map(|r| ExternalRef {
                reference_category: "SECURITY",
                reference_type: r.reference_type,
                reference_locator: &r.locator,
                comment: Some(&r.comment),
            }))
            .collect(),
        primary_package_purpose: purpose(p.purpose),
    }
}

/// The SPDX 2.3 `primaryPackagePurpose` value.
pub(crate) fn purpose(p: Purpose) -> &'static str {
    match p {
        Purpose::Application => "APPLICATION",
        Purpose::Library => "LIBRARY",
        Purpose::Source => "SOURCE",
    }
}

/// `M.N` of the SPDX license list the expressions were checked against (the spec's
/// pattern for `licenseListVersion` has no patch number).
pub(crate) fn license_list_version() -> &'static str {
    let v = ::spdx::license_version();
    match v.match_indices('.').nth(1) {
        Some((i, _)) => &v[..i],
        None => v,
    }
}
