//! SPDX documents: 2.3 JSON (`spdx-json`), 2.3 tag-value (`spdx-tag-value`) and 3.0.1
//! JSON-LD (`spdx3-json`).
//!
//! # Versions
//! - **SPDX 2.3** is what auditors' tools, the NTIA minimum-elements checkers and most
//!   consumers read today; bomscout writes it in both its serializations, checked in tests
//!   against the official `spdx-schema.json` (JSON) and a tag-value reader.
//! - **SPDX 3.0.1** is the current specification (its JSON-LD is checked against the
//!   official 3.0.1 JSON schema). Written for consumers that move ahead; the same content.
//!
//! # What goes where
//! - One package per first-party project (`primaryPackagePurpose: APPLICATION`) and per
//!   component (`LIBRARY`). When a scan found no project, one package for the scanned tree
//!   (`SOURCE`) is described instead and contains what was found.
//! - `SPDXRef-DOCUMENT DESCRIBES` each project, plus any component that no edge reaches.
//! - Edges: `A DEPENDS_ON B` for normal and peer edges (2.3 has no peer relationship),
//!   `B DEV_DEPENDENCY_OF A`, `B OPTIONAL_DEPENDENCY_OF A`, `B BUILD_DEPENDENCY_OF A`.
//!   In 3.0.1: `dependsOn`, a `LifecycleScopedRelationship` `dependsOn` with scope
//!   `development` or `build`, and `hasOptionalDependency`.
//! - Licenses: `licenseDeclared` is the authors' statements (manifest field, classifier,
//!   license file) as one expression; names that are not SPDX become `LicenseRef-…` with
//!   the statement as extracted text. `licenseConcluded` is `NOASSERTION` unless a person
//!   curated the license in the policy file: bomscout does not conclude licenses itself.
//! - `supplier` is the component's `supplier` property (filled by `--enrich`, or by an
//!   installed package's metadata) as `Organization: NAME` or `Person: NAME (EMAIL)` (see
//!   the `supplier` module for how a person is told from an organization); else
//!   `NOASSERTION`: lockfiles do not say who supplied a package, and a guess would be
//!   worse than saying so. In 3.0.1, `suppliedBy` points at one `Organization` or `Person`
//!   element per distinct supplier. `filesAnalyzed` is `false`: bomscout reads
//!   package metadata, not every file of a package.
//! - Identifiers are `SPDXRef-<Project|Package>-<sanitized name>-<hash of the key>`:
//!   readable, valid whatever the name contains, unique, and the same for the same
//!   component in every document.
//! - Known vulnerabilities (when advisories were matched): in 2.3, each affected package
//!   gets a `SECURITY` / `advisory` external reference to the advisory's page, its comment
//!   naming the id and aliases, the severity and score, the fix and any suppression (2.3
//!   has no vulnerability element). In 3.0.1, the security profile: a
//!   `security_Vulnerability` per advisory, CVSS assessments, VEX `affects` /
//!   `doesNotAffect` / `fixedIn` relationships (see `v3::Graph::security`).
//! - The namespace is `https://bomscout.invalid/spdxdocs/<name>-<content hash>` (the
//!   reserved `.invalid` domain: it names, it does not resolve), and the creation time
//!   comes from the caller (`SOURCE_DATE_EPOCH`), so equal input gives equal bytes.

pub(crate) mod ids;
mod json;
mod licenses;
mod model;
mod tag_value;
pub(crate) mod time;
mod v3;

use crate::Settings;
use bomscout_core::{DepKind, HashAlg, Sbom};
use model::{Document, DOCUMENT_ID};
use std::io::{self, Write};

/// SPDX's "the creator makes no assertion" value.
const NOASSERTION: &str = "NOASSERTION";

/// Writes SPDX 2.3 JSON. `namespace` overrides the generated document namespace.
pub(crate) fn write_json(
    sbom: &Sbom,
    settings: &Settings,
    namespace: Option<&str>,
    out: &mut dyn Write,
) -> io::Result<()> {
    json::write(&Document::new(sbom, settings, namespace), out)
}

/// Writes SPDX 2.3 tag-value. `namespace` overrides the generated document namespace.
pub(crate) fn write_tag_value(
    sbom: &Sbom,
    settings: &Settings,
    namespace: Option<&str>,
    out: &mut dyn Write,
) -> io::Result<()> {
    tag_value::write(&Document::new(sbom, settings, namespace), out)
}

/// Writes SPDX 3.0.1 JSON-LD. `namespace` overrides the generated IRI base.
pub(crate) fn write_v3_json(
    sbom: &Sbom,
    settings: &Settings,
    namespace: Option<&str>,
    out: &mut dyn Write,
) -> io::Result<()> {
    v3::write(&Document::new(sbom, settings, namespace), out)
}

/// The SPDX 2.3 checksum algorithm name.
fn checksum_algorithm(alg: HashAlg) -> &'static str {
    match alg {
        HashAlg::Md5 => "MD5",
        HashAlg::Sha1 => "SHA1",
        HashAlg::Sha256 => "SHA256",
        HashAlg::Sha384 => "SHA384",
        HashAlg::Sha512 => "SHA512",
        HashAlg::Blake2b256 => "BLAKE2b-256",
    }
}

/// Every SPDX 2.3 relationship of `doc` as `(element, type, related element)`: DESCRIBES,
/// then CONTAINS, then the dependency edges in the SBOM's order, without repeats.
fn relationships(doc: &Document) -> Vec<(&str, &'static str, &str)> {
    let describes = doc
        .describes
        .iter()
        .map(|id| (DOCUMENT_ID, "DESCRIBES", id.as_str()));
    let contains = doc
        .contains
        .iter()
        .map(|(from, to)| (from.as_str(), "CONTAINS", to.as_str()));
    let edges = doc.edges.iter().map(|e| {
        let (from, to) = (&*e.from, &*e.to);
        match e.kind {
            DepKind::Normal | DepKind::Peer => (from, "DEPENDS_ON", to),
            DepKind::Dev => (to, "DEV_DEPENDENCY_OF", from),
            DepKind::Optional => (to, "OPTIONAL_DEPENDENCY_OF", from),
            DepKind::Build => (to, "BUILD_DEPENDENCY_OF", from),
        }
    });
    // Edges come sorted by (from, to), so the only repeats (a Normal and a Peer edge
    // between the same two packages both read DEPENDS_ON) are neighbours.
    let mut all: Vec<(&str, &'static str, &str)> = describes.chain(contains).chain(edges).collect();
    all.dedup();
    all
}
