//! SPDX 2.3 tag-value (`spdx-tag-value`): the same content as the JSON, as `Tag: value`
//! lines (SPDX 2.3 clause 5 and annex on the tag-value format).
//!
//! Free-text fields (comments, copyright text, extracted license text) are always written
//! as `<text>…</text>`, which may span lines. Fields the format allows only on one line
//! (names, versions) get any line break folded to a space, so hostile metadata cannot
//! start a new tag. Tag-value has no escape for `</text>` inside a text, so such a sequence
//! is written as `</ text>`.

use super::json::{license_list_version, purpose};
use super::model::{Document, Package, DOCUMENT_ID};
use super::{checksum_algorithm, relationships, NOASSERTION};
use std::io::{self, Write};

/// Writes `doc` as SPDX 2.3 tag-value.
pub(crate) fn write(doc: &Document, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "SPDXVersion: SPDX-2.3")?;
    writeln!(out, "DataLicense: CC0-1.0")?;
    writeln!(out, "SPDXID: {DOCUMENT_ID}")?;
    writeln!(out, "DocumentName: {}", line(&doc.name))?;
    writeln!(out, "DocumentNamespace: {}", line(&doc.namespace))?;
    if let Some(comment) = &doc.comment {
        writeln!(out, "DocumentComment: {}", text(comment))?;
    }
    writeln!(out, "LicenseListVersion: {}", license_list_version())?;
    writeln!(out, "Creator: Tool: {}", line(&doc.tool))?;
    writeln!(out, "Created: {}", doc.created)?;

    for p in &doc.packages {
        writeln!(out)?;
        package(p, out)?;
    }

    writeln!(out)?;
    for (from, kind, to) in relationships(doc) {
        writeln!(out, "Relationship: {from} {kind} {to}")?;
    }

    for e in &doc.extracted {
        writeln!(out)?;
        writeln!(out, "LicenseID: {}", e.id)?;
        writeln!(out, "ExtractedText: {}", text(&e.text))?;
        writeln!(out, "LicenseName: {}", line(&e.name))?;
        writeln!(out, "LicenseComment: {}", text(&e.comment))?;
    }
    Ok(())
}

fn package(p: &Package, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "PackageName: {}", line(&p.name))?;
    writeln!(out, "SPDXID: {}", p.id)?;
    if let Some(v) = &p.version {
        writeln!(out, "PackageVersion: {}", line(v))?;
    }
    match &p.supplier {
        Some(s) => writeln!(out, "PackageSupplier: {}", line(&s.spdx()))?,
        None => writeln!(out, "PackageSupplier: {NOASSERTION}")?,
    }
    let location = p.download_location.as_deref().unwrap_or(NOASSERTION);
    writeln!(out, "PackageDownloadLocation: {}", line(location))?;
    writeln!(out, "FilesAnalyzed: false")?;
    for h in &p.checksums {
        writeln!(
            out,
            "PackageChecksum: {}: {}",
            checksum_algorithm(h.alg),
            h.value
        )?;
    }
    let concluded = p.concluded.as_deref().unwrap_or(NOASSERTION);
    writeln!(out, "PackageLicenseConcluded: {concluded}")?;
    let declared = p.declared.as_deref().unwrap_or(NOASSERTION);
    writeln!(out, "PackageLicenseDeclared: {declared}")?;
    match &p.copyright {
        Some(c) => writeln!(out, "PackageCopyrightText: {}", text(c))?,
        None => writeln!(out, "PackageCopyrightText: {NOASSERTION}")?,
    }
    if let Some(c) = &p.comment {
        writeln!(out, "PackageComment: {}", text(c))?;
    }
    if let Some(purl) = &p.purl {
        writeln!(out, "ExternalRef: PACKAGE-MANAGER purl {}", line(purl))?;
    }
    for r in &p.security_refs {
        writeln!(
            out,
            "ExternalRef: SECURITY {} {}",
            r.reference_type,
            line(&r.locator)
        )?;
        writeln!(out, "ExternalRefComment: {}", text(&r.comment))?;
    }
    writeln!(out, "PrimaryPackagePurpose: {}", purpose(p.purpose))
}

/// A one-line value: line breaks (and the whitespace around them) become one space.
fn line(value: &str) -> String {
    if value.contains(['\n', '\r']) {
        value.split_whitespace().collect::<Vec<_>>().join(" ")
    } else {
        value.to_string()
    }
}

/// A `<text>` value; a literal `</text>` inside would end it early, so it is defused.
fn text(value: &str) -> String {
    format!("<text>{}</text>", value.replace("</text>", "</ text>"))
}

#[cfg(test)]
mod tests {
    use super::{line, text};

    #[test]
    fn one_line_values_cannot_start_a_new_tag() {
        assert_eq!(line("evil\nSPDXID: SPDXRef-x"), "evil SPDXID: SPDXRef-x");
        assert_eq!(line("plain  value"), "plain  value");
    }

    #[test]
    fn text_values_cannot_end_early() {
        assert_eq!(text("a</text>b"), "<text>a</ text>b</text>");
        assert_eq!(text("two\nlines"), "<text>two\nlines</text>");
    }
}
