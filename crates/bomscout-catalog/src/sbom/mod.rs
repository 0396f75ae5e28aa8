//! SBOM documents as input: CycloneDX JSON and SPDX 2.3 JSON, read back into a [`Catalog`]
//! for `bomscout convert` and `bomscout merge`.
//!
//! Reading an SBOM is parsing one more file format, so it lives with the other parsers and
//! yields the same [`Catalog`]: the builder then deduplicates by purl and recomputes scope
//! over the graph exactly as for a scan. These readers are not in the walker's table: a
//! scan reports packages, not SBOM files it happens to find.
//!
//! What is kept: every component (name, group, version, purl as written, hashes, licenses,
//! locations from CycloneDX `evidence.occurrences` or bomscout's SPDX comments, `bomscout:`
//! properties, copyright statements from CycloneDX `copyright` / SPDX `copyrightText`, one
//! per line, attributed to the document since the file they came from is not recorded),
//! projects (bomscout's own marks: `bomscout:project-dir` in CycloneDX, the
//! "First-party … project in …" comment in SPDX), and every dependency edge with its kind
//! where the format has one (SPDX `DEV_DEPENDENCY_OF`, …; CycloneDX has none, so an edge from
//! a project to a component CycloneDX marks `excluded` is read as a dev edge).

pub mod cyclonedx;
pub mod spdx;

use bomscout_core::{Component, Ecosystem, Purl};

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

/// Which SBOM format a document is, from its first keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentFormat {
    /// CycloneDX JSON.
    CycloneDx,
    /// SPDX 2.x JSON.
    Spdx,
}

/// Recognizes a CycloneDX or SPDX JSON document and returns its format and its subject's
/// name (`metadata.component.name`, or SPDX `name`).
pub fn sniff(bytes: &[u8]) -> Option<(DocumentFormat, Option<String>)> {
    let doc: serde_json::Value = serde_json::from_slice(bytes).ok()?;
    let text = |p: &str| {
        doc.pointer(p)
            .and_then(serde_json::Value::as_str)
            .map(str::to_string)
    };
    if text("/bomFormat").as_deref() == Some("CycloneDX") {
        return Some((DocumentFormat::CycloneDx, text("/metadata/component/name")));
    }
    if text("/spdxVersion").is_some_and(|v| v.starts_with("SPDX-2.")) {
        return Some((DocumentFormat::Spdx, text("/name")));
    }
    None
}
