//! SBOM documents as input: everything bomscout writes (CycloneDX JSON and XML, SPDX 2.3
//! JSON and tag-value, SPDX 3.0.1 JSON-LD, bomscout's own JSON), read back into a
//! [`Catalog`] for `bomscout convert`, `bomscout merge` and `check --baseline`.
//!
//! Reading an SBOM is parsing one more file format, so it lives with the other parsers and
//! yields the same [`Catalog`]: the builder then deduplicates by purl and recomputes scope
//! over the graph exactly as for a scan. These readers are not in the walker's table: a
//! scan reports packages, not SBOM files it happens to find.
//!
//! [`read`] recognizes the format by content, never by file name (`convert -` reads stdin):
//! `<` starts XML (CycloneDX when the root is `<bom>`), `{` starts JSON (told apart by
//! `bomFormat`, `spdxVersion`, an SPDX 3 `@context` or `bomscout_json_version`), and a first
//! tag `SPDXVersion:` starts SPDX tag-value. One file per format; the XML, tag-value and
//! SPDX 3 readers rebuild the JSON shape of their sibling (CycloneDX JSON, SPDX 2 JSON) and
//! share its mapping, so every format keeps the same facts the same way.
//!
//! What is kept: every component (name, group, version, purl as written, hashes, licenses,
//! locations from CycloneDX `evidence.occurrences` or bomscout's SPDX comments, `bomscout:`
//! properties, copyright statements from CycloneDX `copyright` / SPDX `copyrightText`, one
//! per line, attributed to the document since the file they came from is not recorded),
//! projects (bomscout's own marks: `bomscout:project-dir` in CycloneDX, the
//! "First-party … project in …" comment in SPDX), and every dependency edge with its kind
//! where the format has one (SPDX `DEV_DEPENDENCY_OF`, …; CycloneDX has none, so an edge from
//! a project to a component CycloneDX marks `excluded` is read as a dev edge). bomscout's
//! JSON is the model itself and loses nothing but the diagnostics of the scan that made it.

pub mod bomscout_json;
pub mod cyclonedx;
pub mod cyclonedx_xml;
pub mod spdx;
pub mod spdx3;
pub mod spdx_tag_value;

use crate::{Input, ParseError};
use bomscout_core::{Catalog, Component, Ecosystem, Purl};
use serde_json::Value;

/// A component from an SBOM's fields, keeping the document's purl when it has one (it may
/// carry qualifiers bomscout would not have rebuilt), else a `pkg:generic` one.
fn component(
    purl: Option<&str>,
    group: Option<&str>,
    name: &str,
    version: Option<&str>,
    requirement: Option<&str>,
) -> Option<Component> {
    let ecosystem = purl
        .and_then(|p| p.strip_prefix("pkg:"))
        .and_then(|p| p.split('/').next())
        .map(Ecosystem::from_purl_type)
        .unwrap_or(Ecosystem::Generic);
    let mut c = match (version, requirement) {
        (Some(v), _) if !v.is_empty() => Component::new(ecosystem, group, name, v).ok()?,
        (_, Some(r)) => Component::unresolved(ecosystem, group, name, r).ok()?,
        _ => Component::new(ecosystem, group, name, "").ok()?,
    };
    if let Some(p) = purl.filter(|p| p.starts_with("pkg:")) {
        c.purl = Purl::from_canonical(p);
    }
    Some(c)
}

/// Copyright statements kept per component read from an SBOM.
const MAX_COPYRIGHTS: usize = 1000;

/// Adds the statements of a CycloneDX `copyright` / SPDX `copyrightText` field, one per
/// line (`NOASSERTION` and `NONE` are not statements), attributed to the document `path`.
fn add_copyrights(c: &mut Component, text: Option<&str>, path: &str) {
    let Some(text) = text.filter(|t| !matches!(t.trim(), "NOASSERTION" | "NONE")) else {
        return;
    };
    for line in text
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|l| !l.is_empty())
        .take(MAX_COPYRIGHTS)
    {
        c.add_copyright(&line, path);
    }
}

/// Which SBOM format a document is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentFormat {
    /// CycloneDX JSON.
    CycloneDx,
    /// CycloneDX XML.
    CycloneDxXml,
    /// SPDX 2.x JSON.
    Spdx,
    /// SPDX 2.x tag-value.
    SpdxTagValue,
    /// SPDX 3 JSON-LD.
    Spdx3,
    /// bomscout's own JSON (`-o json`).
    Bomscout,
}

impl DocumentFormat {
    /// The format's name for people.
    pub fn name(self) -> &'static str {
        match self {
            DocumentFormat::CycloneDx => "CycloneDX JSON",
            DocumentFormat::CycloneDxXml => "CycloneDX XML",
            DocumentFormat::Spdx => "SPDX 2 JSON",
            DocumentFormat::SpdxTagValue => "SPDX 2 tag-value",
            DocumentFormat::Spdx3 => "SPDX 3 JSON-LD",
            DocumentFormat::Bomscout => "bomscout JSON",
        }
    }
}

/// The formats [`read`] knows, for messages.
pub const KNOWN_FORMATS: &str = "CycloneDX (JSON or XML), SPDX 2 (JSON or tag-value), \
SPDX 3 JSON-LD or bomscout JSON";

/// One SBOM document read back.
#[derive(Debug)]
pub struct Document {
    /// What it was written as.
    pub format: DocumentFormat,
    /// Its subject's name (CycloneDX `metadata.component.name`, SPDX document name,
    /// bomscout JSON `name`), when it has one.
    pub name: Option<String>,
    /// Its projects, components and edges.
    pub catalog: Catalog,
}

/// Reads an SBOM document of any format bomscout writes, recognized by its content.
///
/// Errors say which format was recognized and what is wrong with it, with the line where
/// known; input that is no SBOM bomscout reads names the formats it does.
pub fn read(input: &Input) -> Result<Document, ParseError> {
    let bytes = input
        .bytes
        .strip_prefix(b"\xEF\xBB\xBF")
        .unwrap_or(input.bytes);
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace()).copied();
    match first {
        Some(b'<') => {
            let (catalog, name) = cyclonedx_xml::read(input)?;
            return Ok(Document {
                format: DocumentFormat::CycloneDxXml,
                name,
                catalog,
            });
        }
        Some(b'{') => return read_json(input, bytes),
        _ => {}
    }
    if spdx_tag_value::looks_like(bytes) {
        let (catalog, name) = spdx_tag_value::read(input)?;
        return Ok(Document {
            format: DocumentFormat::SpdxTagValue,
            name,
            catalog,
        });
    }
    Err(ParseError::format(format!(
        "not an SBOM document bomscout reads: expected {KNOWN_FORMATS}"
    )))
}

fn read_json(input: &Input, bytes: &[u8]) -> Result<Document, ParseError> {
    let doc: Value = serde_json::from_slice(bytes)?;
    let text = |p: &str| doc.pointer(p).and_then(Value::as_str).map(str::to_string);
    let (format, name, catalog) = if text("/bomFormat").as_deref() == Some("CycloneDX") {
        let name = text("/metadata/component/name");
        (
            DocumentFormat::CycloneDx,
            name,
            cyclonedx::catalog(&doc, input.path()),
        )
    } else if text("/spdxVersion").is_some_and(|v| v.starts_with("SPDX-2.")) {
        (
            DocumentFormat::Spdx,
            text("/name"),
            spdx::catalog(&doc, input.path()),
        )
    } else if spdx3::is_spdx3(&doc) {
        let (spdx2, name) = spdx3::to_spdx2(&doc);
        drop(doc);
        (
            DocumentFormat::Spdx3,
            name,
            spdx::catalog(&spdx2, input.path()),
        )
    } else if doc.get("bomscout_json_version").is_some() {
        drop(doc);
        let (catalog, name) = bomscout_json::read(input)?;
        (DocumentFormat::Bomscout, name, catalog)
    } else {
        return Err(ParseError::format(format!(
            "a JSON document, but no SBOM bomscout reads (no \"bomFormat\": \"CycloneDX\", \
             \"spdxVersion\": \"SPDX-2.x\", SPDX 3 \"@context\" or \"bomscout_json_version\"); \
             expected {KNOWN_FORMATS}"
        )));
    };
    Ok(Document {
        format,
        name,
        catalog,
    })
}

/// `(raw, kind)` of each license of a component read from a document, for the readers'
/// unit tests.
#[cfg(test)]
pub(crate) fn license_kinds(
    c: &bomscout_core::Component,
) -> Vec<(&str, bomscout_core::SourceKind)> {
    c.licenses
        .iter()
        .map(|l| (l.raw.as_str(), l.source.kind))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn read_bytes(bytes: &[u8]) -> Result<Document, ParseError> {
        let options = crate::Options::default();
        read(&Input {
            bytes,
            shared_path: &bomscout_core::SharedStr::from("bom"),
            abs: std::path::Path::new("bom"),
            root: std::path::Path::new("/"),
            options: &options,
            tree: &crate::DISK,
        })
    }

    /// One document of each format, as the readers' own tests write them.
    fn samples() -> Vec<(DocumentFormat, String)> {
        vec![
            (
                DocumentFormat::CycloneDxXml,
                cyclonedx_xml::tests::DOC.to_string(),
            ),
            (
                DocumentFormat::SpdxTagValue,
                spdx_tag_value::tests::DOC.to_string(),
            ),
            (DocumentFormat::Spdx3, spdx3::tests::doc().to_string()),
            (
                DocumentFormat::Bomscout,
                bomscout_json::tests::DOC.to_string(),
            ),
        ]
    }

    #[test]
    fn each_format_is_recognized_by_content() {
        for (format, doc) in samples() {
            let read = read_bytes(doc.as_bytes()).unwrap();
            assert_eq!(read.format, format);
            assert!(!read.catalog.packages.is_empty(), "{}", format.name());
            // Leading whitespace and a byte-order mark change nothing.
            let padded = format!("\u{feff}\n  {doc}");
            assert_eq!(read_bytes(padded.as_bytes()).unwrap().format, format);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// A document cut short, or with bytes spliced in, is read or refused: never a panic.
        #[test]
        fn broken_documents_never_panic(
            which in 0usize..4,
            cut in any::<prop::sample::Index>(),
            at in any::<prop::sample::Index>(),
            junk in prop::collection::vec(any::<u8>(), 0..24),
        ) {
            let (_, doc) = &samples()[which];
            let bytes = doc.as_bytes();
            let _ = read_bytes(bytes.get(..cut.index(bytes.len() + 1)).unwrap_or_default());
            let mut spliced = bytes.to_vec();
            let at = at.index(bytes.len() + 1);
            spliced.splice(at..at, junk);
            let _ = read_bytes(&spliced);
        }
    }
}
