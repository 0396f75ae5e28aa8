//! Erlang: `rebar.lock`, the current format (levels and hashes) and the legacy one (git
//! dependencies), from real projects (each fixture's README names its source).

use crate::common::{self, clean};
use bomscout_core::Cataloger;
use test_case::test_case;

#[test_case("erlang/grisp/rebar.lock" ; "grisp")]
#[test_case("erlang/legacy/rebar.lock" ; "legacy")]
fn snapshot(rel: &str) {
    common::assert_fixture(Cataloger::RebarLock, rel);
}

#[test]
fn rebar_lock_levels_and_hashes() {
    let c = clean(Cataloger::RebarLock, "erlang/grisp/rebar.lock");
    let got: Vec<(String, bool, usize)> = c
        .packages
        .iter()
        .map(|p| {
            (
                p.component.purl.to_string(),
                p.component.properties.contains_key("indirect"),
                p.component.hashes.len(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("pkg:hex/grisp@0.1.1".to_string(), false, 1),
            ("pkg:hex/mapz@0.3.0".to_string(), true, 1)
        ]
    );
    let legacy = clean(Cataloger::RebarLock, "erlang/legacy/rebar.lock");
    assert_eq!(legacy.packages.len(), 10);
    // Every one is a git dependency on GitHub: named by its repository at the locked
    // commit, not as a hex release of that name that does not exist.
    assert!(legacy
        .packages
        .iter()
        .all(|p| p.component.purl.as_str().starts_with("pkg:github/")));
    assert_eq!(
        legacy.packages[0].component.purl.as_str(),
        "pkg:github/eproxus/meck@69664df5d0e01a0ae27efb62831d6eea45cc1cd4"
    );
    assert_eq!(
        legacy.packages[1].component.purl.as_str(),
        "pkg:github/ferd/interval-tree-clocks@168449da42871892f6047733edddf33936dd660f"
    );
    assert_eq!(
        legacy.packages[1].component.properties["package"],
        "hex:itc"
    );
}
