//! License normalization: every declared license string becomes an SPDX expression, or is
//! kept verbatim as a name.
#![deny(missing_docs)]

use bomscout_core::License;

/// The result of normalizing one declared license string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Normalized {
    /// A valid SPDX expression, when one could be reached.
    pub expression: Option<String>,
    /// The alias-table entry used, if the raw text was not already SPDX.
    pub mapped_from: Option<String>,
}

/// Normalizes `raw` to an SPDX expression. (Skeleton: to be replaced by the real table.)
pub fn normalize(raw: &str) -> Normalized {
    let expression = spdx::Expression::parse(raw).ok().map(|e| e.to_string());
    Normalized {
        expression,
        mapped_from: None,
    }
}

/// Fills `expression` and `mapped_from` of a license found by a cataloger.
pub fn normalize_license(license: &mut License) {
    let n = normalize(&license.raw);
    license.expression = n.expression;
    license.mapped_from = n.mapped_from;
}

/// Normalizes every license of every component and project of `sbom`.
pub fn normalize_sbom(sbom: &mut bomscout_core::Sbom) {
    for c in &mut sbom.components {
        c.licenses.iter_mut().for_each(normalize_license);
    }
    for p in &mut sbom.projects {
        p.licenses.iter_mut().for_each(normalize_license);
    }
}
