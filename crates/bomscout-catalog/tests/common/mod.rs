//! Helpers shared by the fixture tests: reading a fixture file and parsing it the way a
//! scan would (with local package caches off, so results do not depend on the machine),
//! looking things up in what it gave, the snapshot tester ([`snapshot`]) and the
//! truncated-and-garbage input checks ([`malformed`]).
#![allow(dead_code)]

pub mod malformed;
pub mod snapshot;

pub use snapshot::assert_fixture;

use bomscout_catalog::{parse, Input, Options};
use bomscout_core::{Catalog, Cataloger, DepKind, HashAlg, Package, SbomBuilder, Scope};
use std::path::PathBuf;

/// The absolute path of `fixtures/<rel>`.
pub fn fixture_path(rel: &str) -> PathBuf {
    snapshot::fixtures_dir().join(rel)
}

/// The bytes of `fixtures/<rel>`; panics (naming it) if it cannot be read.
pub fn fixture(rel: &str) -> Vec<u8> {
    std::fs::read(fixture_path(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// Parses `fixtures/<rel>` with `cataloger`; panics on a parse error.
pub fn catalog(cataloger: Cataloger, rel: &str) -> Catalog {
    let abs = fixture_path(rel);
    let bytes = fixture(rel);
    let options = Options {
        read_caches: false,
        ..Options::default()
    };
    let input = Input {
        bytes: &bytes,
        path: rel,
        abs: &abs,
        root: std::path::Path::new("/"),
        options: &options,
    };
    parse(cataloger, &input).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// [`catalog`], and checks the file gave no diagnostics.
pub fn clean(cataloger: Cataloger, rel: &str) -> Catalog {
    let c = catalog(cataloger, rel);
    assert!(c.diagnostics.is_empty(), "{rel}: {:?}", c.diagnostics);
    c
}

/// `(purl, scope)` of every component once the builder has computed scopes.
pub fn scopes(catalog: Catalog) -> Vec<(String, Scope)> {
    let mut b = SbomBuilder::new("t");
    b.add(catalog);
    b.finish()
        .components
        .into_iter()
        .map(|c| (c.purl.to_string(), c.scope))
        .collect()
}

/// How many of `s` have `scope`.
pub fn count_scope(s: &[(String, Scope)], scope: Scope) -> usize {
    s.iter().filter(|(_, sc)| *sc == scope).count()
}

/// The purls of `s` that have `scope`, sorted.
pub fn with_scope(s: &[(String, Scope)], scope: Scope) -> Vec<&str> {
    let mut found: Vec<&str> = s
        .iter()
        .filter(|(_, sc)| *sc == scope)
        .map(|(p, _)| p.as_str())
        .collect();
    found.sort();
    found
}

/// The purls of the catalog's packages, in the parser's order.
pub fn purls(c: &Catalog) -> Vec<String> {
    c.packages
        .iter()
        .map(|p| p.component.purl.to_string())
        .collect()
}

/// The package with this purl; panics listing the purls there are.
pub fn find<'a>(c: &'a Catalog, purl: &str) -> &'a Package {
    c.packages
        .iter()
        .find(|p| p.component.purl.as_str() == purl)
        .unwrap_or_else(|| panic!("{purl} not in {:?}", purls(c)))
}

/// The line of the first location of the package with this purl.
pub fn line(c: &Catalog, purl: &str) -> Option<u32> {
    find(c, purl)
        .component
        .locations
        .iter()
        .next()
        .unwrap_or_else(|| panic!("{purl} has no location"))
        .line
}

/// The one hash of the package with this purl, checked to be SHA-512.
pub fn sha512(c: &Catalog, purl: &str) -> String {
    let h = &find(c, purl).component.hashes;
    assert_eq!(h.len(), 1, "{purl}: {h:?}");
    assert_eq!(h[0].alg, HashAlg::Sha512);
    h[0].value.clone()
}

/// The kinds of the first project's edges.
pub fn project_kinds(c: &Catalog) -> Vec<DepKind> {
    c.projects[0].deps.iter().map(|e| e.kind).collect()
}
