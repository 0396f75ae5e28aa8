//! SPDX 2.x tag-value read into a [`Catalog`].
//!
//! The `Tag: value` lines are rebuilt in the shape of the SPDX 2 JSON serialization, which
//! [`super::spdx`] then maps, so both keep exactly the same facts. Supported: the document
//! header (`SPDXVersion`, `DocumentName`), packages (`PackageName` opens one; `SPDXID`,
//! `PackageVersion`, `PackageChecksum`, `PackageLicenseDeclared`, `PackageLicenseConcluded`,
//! `PackageCopyrightText`, `PackageComment`, `ExternalRef`, `PrimaryPackagePurpose`,
//! `PackageDownloadLocation`), `Relationship` lines and extracted licenses (`LicenseID` opens
//! one; `ExtractedText`, `LicenseName`, `LicenseComment`). Files and snippets (`FileName`,
//! `SnippetSPDXID` open them) are skipped, as are tags bomscout does not use.
//!
//! A value is the rest of the line, or a `<text>…</text>` block that may span lines.
//! Bounded: a one-line value longer than [`MAX_LINE_VALUE`] bytes is refused (no field
//! bomscout reads is that long; a `<text>` block is bounded only by the file size limit),
//! and a line that is not `Tag: value`, or a `<text>` never closed, is an error at its line.

use crate::{Input, ParseError};
use bomscout_core::escape::{quote, QUOTE_LIMIT};
use bomscout_core::Catalog;
use serde_json::{json, Map, Value};

/// The longest one-line value accepted, in bytes.
pub const MAX_LINE_VALUE: usize = 64 * 1024;

/// Reads one SPDX 2.x tag-value document.
pub fn parse(input: &Input) -> Result<Catalog, ParseError> {
    read(input).map(|(catalog, _)| catalog)
}

/// Reads one SPDX 2.x tag-value document: its catalog and its `DocumentName`.
pub(crate) fn read(input: &Input) -> Result<(Catalog, Option<String>), ParseError> {
    let text = crate::text::utf8(input.bytes)?;
    let doc = to_json(text)?;
    if !doc
        .get("spdxVersion")
        .and_then(Value::as_str)
        .is_some_and(|v| v.starts_with("SPDX-2."))
    {
        return Err(ParseError::format(
            "not an SPDX 2.x tag-value document (no \"SPDXVersion: SPDX-2.x\")",
        ));
    }
    let name = doc.get("name").and_then(Value::as_str).map(str::to_string);
    Ok((super::spdx::catalog(&doc, input.path()), name))
}

/// True when the first tag of `bytes` (after blank and `#` comment lines) is `SPDXVersion`.
pub(crate) fn looks_like(bytes: &[u8]) -> bool {
    bytes
        .split(|b| *b == b'\n')
        .map(|l| l.trim_ascii())
        .find(|l| !l.is_empty() && !l.starts_with(b"#"))
        .is_some_and(|l| l.starts_with(b"SPDXVersion:"))
}

/// Which element the tags being read belong to.
enum Section {
    Document,
    Package,
    License,
    /// A file or snippet: its tags are skipped.
    Other,
}

/// The document in SPDX 2 JSON's shape.
fn to_json(text: &str) -> Result<Value, ParseError> {
    let mut doc = Map::new();
    let mut packages: Vec<Map<String, Value>> = Vec::new();
    let mut relationships: Vec<Value> = Vec::new();
    let mut extracted: Vec<Map<String, Value>> = Vec::new();
    let mut section = Section::Document;
    let mut lines = text.lines().enumerate();
    while let Some((i, line)) = lines.next() {
        let number = line_number(i);
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let Some((tag, rest)) = trimmed
            .split_once(':')
            .filter(|(t, _)| !t.is_empty() && !t.contains(char::is_whitespace))
        else {
            return Err(ParseError::Format {
                line: Some(number),
                message: format!("not a `Tag: value` line: {}", quote(trimmed, QUOTE_LIMIT)),
            });
        };
        let rest = rest.trim_start();
        let value = if let Some(body) = rest.strip_prefix("<text>") {
            text_block(body, number, &mut lines)?
        } else if rest.len() > MAX_LINE_VALUE {
            return Err(ParseError::Format {
                line: Some(number),
                message: format!(
                    "the value of {tag} is {} bytes long; one-line values are limited to \
                     {MAX_LINE_VALUE} bytes (is this an SPDX tag-value document?)",
                    rest.len()
                ),
            });
        } else {
            rest.trim_end().to_string()
        };
        match tag {
            "PackageName" => {
                section = Section::Package;
                packages.push(Map::new());
            }
            "LicenseID" => {
                section = Section::License;
                extracted.push(Map::new());
            }
            "FileName" | "SnippetSPDXID" => section = Section::Other,
            _ => {}
        }
        if tag == "Relationship" {
            let parts: Vec<&str> = value.split_whitespace().collect();
            if let [a, kind, b] = parts[..] {
                relationships.push(json!({
                    "spdxElementId": a,
                    "relationshipType": kind,
                    "relatedSpdxElement": b,
                }));
            }
            continue;
        }
        match section {
            Section::Document => {
                let key = match tag {
                    "SPDXVersion" => "spdxVersion",
                    "DocumentName" => "name",
                    "DocumentNamespace" => "documentNamespace",
                    _ => continue,
                };
                doc.insert(key.into(), value.into());
            }
            Section::Package => {
                if let Some(p) = packages.last_mut() {
                    package_tag(p, tag, value);
                }
            }
            Section::License => {
                let key = match tag {
                    "LicenseID" => "licenseId",
                    "ExtractedText" => "extractedText",
                    "LicenseName" => "name",
                    "LicenseComment" => "comment",
                    _ => continue,
                };
                if let Some(e) = extracted.last_mut() {
                    e.insert(key.into(), value.into());
                }
            }
            Section::Other => {}
        }
    }
    doc.insert(
        "packages".into(),
        packages.into_iter().map(Value::Object).collect(),
    );
    doc.insert("relationships".into(), relationships.into());
    doc.insert(
        "hasExtractedLicensingInfos".into(),
        extracted.into_iter().map(Value::Object).collect(),
    );
    Ok(Value::Object(doc))
}

/// Sets the JSON field of one package tag.
fn package_tag(p: &mut Map<String, Value>, tag: &str, value: String) {
    let key = match tag {
        "PackageName" => "name",
        "SPDXID" => "SPDXID",
        "PackageVersion" => "versionInfo",
        "PackageLicenseDeclared" => "licenseDeclared",
        "PackageLicenseConcluded" => "licenseConcluded",
        "PackageCopyrightText" => "copyrightText",
        "PackageComment" => "comment",
        "PrimaryPackagePurpose" => "primaryPackagePurpose",
        "PackageDownloadLocation" => "downloadLocation",
        "PackageChecksum" => {
            if let Some((alg, hex)) = value.split_once(':') {
                push(
                    p,
                    "checksums",
                    json!({"algorithm": alg.trim(), "checksumValue": hex.trim()}),
                );
            }
            return;
        }
        "ExternalRef" => {
            let parts: Vec<&str> = value.split_whitespace().collect();
            if let [category, kind, locator] = parts[..] {
                push(
                    p,
                    "externalRefs",
                    json!({"referenceCategory": category, "referenceType": kind, "referenceLocator": locator}),
                );
            }
            return;
        }
        _ => return,
    };
    p.insert(key.into(), value.into());
}

fn push(p: &mut Map<String, Value>, key: &str, value: Value) {
    if let Value::Array(a) = p
        .entry(key.to_string())
        .or_insert_with(|| Value::Array(Vec::new()))
    {
        a.push(value);
    }
}

/// The text of a `<text>` block whose first line's rest is `body`: up to `</text>`, on this
/// line or a later one.
fn text_block<'a>(
    body: &str,
    opened: u32,
    lines: &mut impl Iterator<Item = (usize, &'a str)>,
) -> Result<String, ParseError> {
    if let Some(end) = body.find("</text>") {
        return Ok(body.get(..end).unwrap_or_default().to_string());
    }
    let mut out = body.to_string();
    for (_, line) in lines.by_ref() {
        out.push('\n');
        if let Some(end) = line.find("</text>") {
            out.push_str(line.get(..end).unwrap_or_default());
            return Ok(out);
        }
        out.push_str(line);
    }
    Err(ParseError::Format {
        line: Some(opened),
        message: "a <text> value opened here is never closed with </text>".into(),
    })
}

fn line_number(index: usize) -> u32 {
    u32::try_from(index).map_or(u32::MAX, |i| i.saturating_add(1))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use bomscout_core::{DepKind, NodeRef, SourceKind};

    fn input(text: &str) -> Result<Catalog, ParseError> {
        crate::parse_str(parse, "bom.spdx", text)
    }

    pub(crate) const DOC: &str = "SPDXVersion: SPDX-2.3
DataLicense: CC0-1.0
SPDXID: SPDXRef-DOCUMENT
DocumentName: demo

PackageName: app
SPDXID: SPDXRef-Project-app
PackageComment: <text>First-party npm project in .; defined by package-lock.json, package.json.</text>
PrimaryPackagePurpose: APPLICATION

PackageName: @babel/core
SPDXID: SPDXRef-Package-core
PackageVersion: 7.0.0
PackageChecksum: SHA256: abababababababababababababababababababababababababababababababab
PackageLicenseConcluded: NOASSERTION
PackageLicenseDeclared: MIT AND LicenseRef-x
PackageCopyrightText: <text>Copyright A
Copyright B</text>
PackageComment: <text>Scope: dev.
Found in: package-lock.json:12.</text>
ExternalRef: PACKAGE-MANAGER purl pkg:npm/%40babel/core@7.0.0
PrimaryPackagePurpose: LIBRARY

Relationship: SPDXRef-DOCUMENT DESCRIBES SPDXRef-Project-app
Relationship: SPDXRef-Package-core DEV_DEPENDENCY_OF SPDXRef-Project-app

LicenseID: LicenseRef-x
ExtractedText: <text>Some License</text>
LicenseName: Some License
";

    #[test]
    fn every_tag_bomscout_writes() {
        let cat = input(DOC).unwrap();
        assert_eq!(cat.projects.len(), 2, "one entry per manifest");
        assert_eq!(cat.projects[0].dir, ".");
        assert_eq!(cat.projects[0].deps[0].to, NodeRef::Package(0));
        assert_eq!(cat.projects[0].deps[0].kind, DepKind::Dev);
        let c = &cat.packages[0].component;
        assert_eq!(
            (c.namespace.as_deref(), c.name.as_str()),
            (Some("@babel"), "core")
        );
        assert_eq!(c.version.as_deref(), Some("7.0.0"));
        assert_eq!(c.hashes.len(), 1);
        let licenses = crate::sbom::license_kinds(c);
        assert_eq!(
            licenses,
            [
                ("MIT", SourceKind::Declared),
                ("Some License", SourceKind::Declared)
            ]
        );
        let texts: Vec<&str> = c.copyrights.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(texts, ["Copyright A", "Copyright B"]);
        let loc = c.locations.iter().next().unwrap();
        assert_eq!((&*loc.path, loc.line), ("package-lock.json", Some(12)));
    }

    #[test]
    fn bad_lines_are_errors_at_their_line() {
        let err = input("SPDXVersion: SPDX-2.3\nthis is no tag\n").unwrap_err();
        assert_eq!(err.line(), Some(2));
        assert!(err.to_string().contains("\"this is no tag\""), "{err}");
        let err =
            input("SPDXVersion: SPDX-2.3\n\nPackageComment: <text>open\nstill\n").unwrap_err();
        assert_eq!(err.line(), Some(3));
        let long = format!(
            "SPDXVersion: SPDX-2.3\nPackageName: {}\n",
            "a".repeat(MAX_LINE_VALUE + 1)
        );
        let err = input(&long).unwrap_err();
        assert_eq!(err.line(), Some(2));
        assert!(
            err.to_string().len() < 200,
            "the message does not repeat the value"
        );
        let err = input("SPDXVersion: SPDX-3.0\n").unwrap_err();
        assert!(err.to_string().contains("SPDX-2.x"), "{err}");
    }

    #[test]
    fn a_long_text_block_is_read() {
        let comment = format!(
            "Found in: {}.",
            vec!["a/package-lock.json:1"; 50_000].join(", ")
        );
        let doc = format!(
            "SPDXVersion: SPDX-2.3\nPackageName: x\nSPDXID: SPDXRef-x\nPackageVersion: 1\n\
             PackageComment: <text>{comment}</text>\nExternalRef: PACKAGE-MANAGER purl pkg:npm/x@1\n"
        );
        let cat = input(&doc).unwrap();
        assert_eq!(cat.packages[0].component.locations.len(), 1);
    }

    #[test]
    fn recognized_by_its_first_tag() {
        assert!(looks_like(b"\n# comment\nSPDXVersion: SPDX-2.3\n"));
        assert!(!looks_like(b"name: x\nSPDXVersion: SPDX-2.3\n"));
        assert!(!looks_like(b""));
    }
}
