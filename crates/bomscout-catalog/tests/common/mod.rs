//! Helpers shared by the fixture tests: reading a fixture file and parsing it the way a
//! scan would (with local package caches off, so results do not depend on the machine),
//! looking things up in what it gave, the snapshot tester ([`snapshot`]) and the
//! truncated-and-garbage input checks ([`malformed`]).
#![allow(dead_code)]

pub mod malformed;
pub mod snapshot;

pub use snapshot::assert_fixture;

use bomscout_catalog::{parse, Input, Options, ParseError};
use bomscout_core::{Catalog, Cataloger, DepKind, HashAlg, Package, Sbom, SbomBuilder, Scope};
use std::path::{Path, PathBuf};

/// The absolute path of `fixtures/<rel>`.
pub fn fixture_path(rel: &str) -> PathBuf {
    snapshot::fixtures_dir().join(rel)
}

/// The bytes of `fixtures/<rel>`; panics (naming it) if it cannot be read.
pub fn fixture(rel: &str) -> Vec<u8> {
    std::fs::read(fixture_path(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// What a test scan runs with: the defaults, with local package caches off so results do
/// not depend on the machine.
pub fn options() -> Options {
    Options {
        read_caches: false,
        ..Options::default()
    }
}

/// Parses `bytes` as the file `rel` of a scan rooted at `/`, on disk at `abs` (where side
/// files are looked up), with `options`.
pub fn parse_as(
    cataloger: Cataloger,
    bytes: &[u8],
    rel: &str,
    abs: &Path,
    options: &Options,
) -> Result<Catalog, ParseError> {
    let input = Input {
        bytes,
        shared_path: &bomscout_core::SharedStr::from(rel),
        abs,
        root: Path::new("/"),
        options,
        tree: &bomscout_catalog::DISK,
    };
    parse(cataloger, &input)
}

/// Parses the file at `abs` as the file `rel` of a scan rooted at `/`, with `options`;
/// panics (naming it) if it cannot be read.
pub fn parse_file(
    cataloger: Cataloger,
    abs: &Path,
    rel: &str,
    options: &Options,
) -> Result<Catalog, ParseError> {
    let bytes = std::fs::read(abs).unwrap_or_else(|e| panic!("{}: {e}", abs.display()));
    parse_as(cataloger, &bytes, rel, abs, options)
}

/// Parses `<base>/<rel>` with `cataloger` as the file `rel`, caches off.
pub fn try_catalog_in(base: &Path, cataloger: Cataloger, rel: &str) -> Result<Catalog, ParseError> {
    parse_file(cataloger, &base.join(rel), rel, &options())
}

/// [`try_catalog_in`]; panics on a parse error.
pub fn catalog_in(base: &Path, cataloger: Cataloger, rel: &str) -> Catalog {
    try_catalog_in(base, cataloger, rel).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// Parses `fixtures/<rel>` with `cataloger`; panics on a parse error.
pub fn catalog(cataloger: Cataloger, rel: &str) -> Catalog {
    catalog_in(&snapshot::fixtures_dir(), cataloger, rel)
}

/// [`catalog`], and checks the file gave no diagnostics.
pub fn clean(cataloger: Cataloger, rel: &str) -> Catalog {
    let c = catalog(cataloger, rel);
    assert!(c.diagnostics.is_empty(), "{rel}: {:?}", c.diagnostics);
    c
}

/// `(purl, scope)` of every component once the builder has computed scopes.
pub fn scopes(catalog: Catalog) -> Vec<(String, Scope)> {
    sbom(vec![catalog])
        .components
        .into_iter()
        .map(|c| (c.purl.to_string(), c.scope))
        .collect()
}

/// The SBOM the builder makes of `catalogs`.
pub fn sbom(catalogs: Vec<Catalog>) -> Sbom {
    let mut b = SbomBuilder::new("t");
    catalogs.into_iter().for_each(|c| b.add(c));
    b.finish()
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

/// The (first) package with this name; panics listing the purls there are.
pub fn named<'a>(c: &'a Catalog, name: &str) -> &'a Package {
    c.packages
        .iter()
        .find(|p| p.component.name == name)
        .unwrap_or_else(|| panic!("no package named {name} in {:?}", purls(c)))
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
