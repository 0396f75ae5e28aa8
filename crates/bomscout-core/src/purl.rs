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
        let namespace = namespace.filter(|ns| !ns.is_empty());
        let version = version.filter(|v| !v.is_empty());
        let parts = Parts {
            ecosystem,
            namespace,
            name,
            version,
            qualifiers,
        };
        MEMO.with_borrow_mut(|memo| memo.get_or_build(&parts))
    }

    /// [`Purl::build`] without the memo; `namespace` and `version` already filtered.
    fn build_uncached(parts: &Parts) -> Result<Purl, PurlError> {
        let Parts {
            ecosystem,
            namespace,
            name,
            version,
            qualifiers,
        } = *parts;
        let err = |e: packageurl::Error| PurlError {
            name: name.to_string(),
            reason: e.to_string(),
        };
        let name = normalize_name(ecosystem, name);
        let mut purl =
            packageurl::PackageUrl::new(ecosystem.purl_type(), name.as_str()).map_err(err)?;
        if let Some(ns) = namespace {
            purl.with_namespace(ns).map_err(err)?;
        }
        if let Some(v) = version {
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

/// What a purl is built from.
#[derive(Clone, Copy)]
struct Parts<'a> {
    ecosystem: Ecosystem,
    namespace: Option<&'a str>,
    name: &'a str,
    version: Option<&'a str>,
    qualifiers: &'a [(&'a str, &'a str)],
}

impl Parts<'_> {
    /// The parts as one byte string, each length-prefixed, so no two different sets of
    /// parts write the same key.
    fn write_key(&self, key: &mut Vec<u8>) {
        fn field(key: &mut Vec<u8>, text: Option<&str>) {
            match text {
                None => key.push(0),
                Some(t) => {
                    key.push(1);
                    key.extend_from_slice(&(t.len() as u64).to_le_bytes());
                    key.extend_from_slice(t.as_bytes());
                }
            }
        }
        key.clear();
        field(key, Some(self.ecosystem.purl_type()));
        field(key, self.namespace);
        field(key, Some(self.name));
        field(key, self.version);
        for (k, v) in self.qualifiers {
            field(key, Some(k));
            field(key, Some(v));
        }
    }
}

/// How many purls a thread remembers before it forgets them all. Enough for the packages of
/// many lockfiles; small enough (well under a megabyte) not to matter to a scan's memory.
const MEMO_ENTRIES: usize = 4096;

thread_local! {
    static MEMO: std::cell::RefCell<Memo> = std::cell::RefCell::default();
}

/// Purls built recently on this thread, by their parts. An organization's lockfiles name
/// the same packages again and again, and each copy of a package builds its purl: the
/// `packageurl` crate's build and display (percent-encoding through `fmt`) was 6% of a
/// scan of 500 repositories. A hit costs one hash of the parts and a copy of the string.
#[derive(Default)]
struct Memo {
    /// Reused for every lookup's key: a hit allocates only the returned string.
    key: Vec<u8>,
    built: std::collections::HashMap<Box<[u8]>, Purl, foldhash::fast::RandomState>,
}

impl Memo {
    fn get_or_build(&mut self, parts: &Parts) -> Result<Purl, PurlError> {
        parts.write_key(&mut self.key);
        if let Some(purl) = self.built.get(self.key.as_slice()) {
            return Ok(purl.clone());
        }
        let purl = Purl::build_uncached(parts)?;
        if self.built.len() >= MEMO_ENTRIES {
            self.built.clear();
        }
        self.built.insert(self.key.as_slice().into(), purl.clone());
        Ok(purl)
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

    /// The memo answers what a fresh build answers: for repeats, for parts that differ only
    /// in where one field ends and the next begins, past the memo's size, and for errors
    /// (never remembered).
    #[test]
    fn remembered_purls_are_the_purls_a_fresh_build_makes() {
        let eco = [
            Ecosystem::Npm,
            Ecosystem::PyPI,
            Ecosystem::Cargo,
            Ecosystem::Maven,
        ];
        let mut cases: Vec<(Ecosystem, Option<String>, String, Option<String>)> = Vec::new();
        for i in 0..(MEMO_ENTRIES + 500) {
            let e = eco[i % eco.len()];
            let ns = (i % 3 == 0).then(|| format!("@scope{}", i % 7));
            cases.push((
                e,
                ns,
                format!("Pkg_{}", i % 1300),
                Some(format!("1.{}", i % 5)),
            ));
        }
        // Field boundaries: `ab` + `c` is not `a` + `bc`.
        cases.push((Ecosystem::Maven, Some("ab".into()), "c".into(), None));
        cases.push((Ecosystem::Maven, Some("a".into()), "bc".into(), None));
        cases.push((
            Ecosystem::Npm,
            Some(String::new()),
            "x".into(),
            Some(String::new()),
        ));
        for round in 0..2 {
            for (e, ns, name, v) in &cases {
                let parts = Parts {
                    ecosystem: *e,
                    namespace: ns.as_deref().filter(|s| !s.is_empty()),
                    name,
                    version: v.as_deref().filter(|s| !s.is_empty()),
                    qualifiers: &[("vcs_url", "git+https://example.invalid/x")],
                };
                let fresh = Purl::build_uncached(&parts).map_err(|e| e.to_string());
                let built = Purl::build(*e, ns.as_deref(), name, v.as_deref(), parts.qualifiers)
                    .map_err(|e| e.to_string());
                assert_eq!(built, fresh, "round {round}: {e:?} {ns:?} {name} {v:?}");
            }
        }
        let a = Purl::build(Ecosystem::Maven, Some("ab"), "c", None, &[]).unwrap();
        let b = Purl::build(Ecosystem::Maven, Some("a"), "bc", None, &[]).unwrap();
        assert_ne!(a, b);
        for _ in 0..2 {
            assert!(Purl::build(Ecosystem::Npm, None, "", Some("1"), &[]).is_err());
        }
    }

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
