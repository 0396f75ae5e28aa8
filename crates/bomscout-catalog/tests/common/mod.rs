//! Helpers shared by the fixture tests: reading a fixture file and parsing it the way a
//! scan would (with local package caches off, so results do not depend on the machine).
#![allow(dead_code)]

use bomscout_catalog::{parse, Input, Options};
use bomscout_core::{Catalog, Cataloger, SbomBuilder, Scope};
use std::path::PathBuf;

/// Parses `fixtures/<rel>` with `cataloger`; panics on a parse error.
pub fn catalog(cataloger: Cataloger, rel: &str) -> Catalog {
    let abs = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures")
        .join(rel);
    let bytes = std::fs::read(&abs).unwrap_or_else(|e| panic!("{rel}: {e}"));
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
