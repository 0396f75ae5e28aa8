//! Package URLs: the identity of every component.
//!
//! Built with the `packageurl` crate, after applying the per-type name rules of the purl
//! specification that the crate leaves to callers (PEP 503 normalization for `pypi`).

use crate::Ecosystem;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A canonical package URL string, e.g. `pkg:npm/%40babel/core@7.24.0`.
///
/// Two components with the same `Purl` are the same package; bomscout never emits two
/// components with one purl.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Purl(String);

/// A purl could not be built from the given parts.
#[derive(Debug, thiserror::Error)]
#[error("invalid package URL for {name:?}: {reason}")]
pub struct PurlError {
    name: String,
    reason: String,
}

impl Purl {
    /// Builds a purl for `ecosystem`, applying the type's name rules.
    ///
    /// `qualifiers` are `(key, value)` pairs such as `("vcs_url", "git+https://…")`; the
    /// purl spec sorts them, and the `packageurl` crate does so on display.
    pub fn build(
        ecosystem: Ecosystem,
        namespace: Option<&str>,
        name: &str,
        version: Option<&str>,
        qualifiers: &[(&str, &str)],
    ) -> Result<Purl, PurlError> {
        let err = |e: packageurl::Error| PurlError {
            name: name.to_string(),
            reason: e.to_string(),
        };
        let name = normalize_name(ecosystem, name);
        let mut purl =
            packageurl::PackageUrl::new(ecosystem.purl_type(), name.as_str()).map_err(err)?;
        if let Some(ns) = namespace.filter(|ns| !ns.is_empty()) {
            purl.with_namespace(ns).map_err(err)?;
        }
        if let Some(v) = version.filter(|v| !v.is_empty()) {
            purl.with_version(v).map_err(err)?;
        }
        for (k, v) in qualifiers {
            purl.add_qualifier(*k, *v).map_err(err)?;
        }
        Ok(Purl(purl.to_string()))
    }

    /// Wraps a purl string that is already canonical (e.g. read back from an SBOM).
    pub fn from_canonical(s: impl Into<String>) -> Purl {
        Purl(s.into())
    }

    /// The purl as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Applies the purl spec's name rules that `packageurl` does not: PEP 503 for `pypi`
/// (lowercase, runs of `-`, `_`, `.` become one `-`).
pub(crate) fn normalize_name(ecosystem: Ecosystem, name: &str) -> String {
    match ecosystem {
        Ecosystem::PyPI => pep503(name),
        _ => name.to_string(),
    }
}

/// PEP 503 name normalization: lowercase, runs of `-`, `_`, `.` become one `-`. The one
/// implementation every Python parser and the purl builder share.
pub fn pep503(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut sep = false;
    for c in name.trim().chars() {
        if matches!(c, '-' | '_' | '.') {
            sep = true;
        } else {
            if sep && !out.is_empty() {
                out.push('-');
            }
            sep = false;
            out.extend(c.to_lowercase());
        }
    }
    out
}

impl fmt::Display for Purl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn npm_scope_is_percent_encoded() {
        let p = Purl::build(Ecosystem::Npm, Some("@babel"), "core", Some("7.24.0"), &[]).unwrap();
        assert_eq!(p.as_str(), "pkg:npm/%40babel/core@7.24.0");
    }

    #[test]
    fn pypi_names_follow_pep503() {
        let p = Purl::build(Ecosystem::PyPI, None, "Zope.Interface__x", Some("6.0"), &[]).unwrap();
        assert_eq!(p.as_str(), "pkg:pypi/zope-interface-x@6.0");
    }

    #[test]
    fn cargo_names_are_kept_as_is() {
        let p = Purl::build(Ecosystem::Cargo, None, "serde_json", Some("1.0.0"), &[]).unwrap();
        assert_eq!(p.as_str(), "pkg:cargo/serde_json@1.0.0");
    }

    #[test]
    fn qualifiers_are_sorted() {
        let p = Purl::build(
            Ecosystem::Cargo,
            None,
            "x",
            Some("1.0.0"),
            &[
                ("vcs_url", "git+https://example.com/x"),
                ("download_url", "https://e.com/x"),
            ],
        )
        .unwrap();
        assert!(p.as_str().find("download_url").unwrap() < p.as_str().find("vcs_url").unwrap());
    }
}
