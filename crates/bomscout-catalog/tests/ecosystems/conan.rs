//! Conan: a version 2 `conan.lock` from a real project (the fixture's README names it):
//! requires and build requires, recipe revisions in the purl.

use crate::common::malformed::assert_json_truncations_are_errors;
use crate::common::{self, clean, find, line, project_kinds, purls, scopes};
use bomscout_core::{Cataloger, DepKind, Scope};

const LOCK: &str = "conan/plotjuggler/conan.lock";

#[test]
fn snapshot() {
    common::assert_fixture(Cataloger::ConanLock, LOCK);
}

#[test]
fn conan_lock_v2_plotjuggler() {
    let c = clean(Cataloger::ConanLock, LOCK);
    // python3: 44 `requires` + 19 `build_requires` = 63 references, 62 distinct:
    // libiconv/1.17#9923bc6d… is in both lists. pkgconf and nasm are there in 3 versions each.
    assert_eq!(c.packages.len(), 62);
    assert_eq!(
        c.packages[0].component.purl.as_str(),
        "pkg:conan/zstd@1.5.5?rrev=a4398ab5244b10fb081eeac217b5ef9f"
    );
    find(
        &c,
        "pkg:conan/vaapi@system?rrev=cdcdbc227b2ffe0c7659b6ceef30ee3a",
    );
    find(
        &c,
        "pkg:conan/rapidjson@cci.20230929?rrev=8dc0392af2b3aaea7312095f0ba53467",
    );
    find(
        &c,
        "pkg:conan/cmake@4.4.2?rrev=8a0d360635c870b1d5c675489ee25074",
    );
    let nasm = purls(&c)
        .into_iter()
        .filter(|p| p.starts_with("pkg:conan/nasm@"))
        .count();
    assert_eq!(nasm, 3);
    // 44 Normal edges and 19 Build edges (libiconv has one of each).
    let kinds = project_kinds(&c);
    assert_eq!(kinds.iter().filter(|k| **k == DepKind::Normal).count(), 44);
    assert_eq!(kinds.iter().filter(|k| **k == DepKind::Build).count(), 19);
    assert_eq!(
        line(
            &c,
            "pkg:conan/libiconv@1.17?rrev=9923bc6dc6f106646d6967e0039a5ada"
        ),
        Some(28)
    );
    let s = scopes(c);
    assert_eq!(s.len(), 62);
    // python3: set(build_requires) - set(requires) = 18 build tools (cmake, autoconf, bison,
    // m4, ...), only needed to build; libiconv is in both lists, so it ships: required.
    let build: Vec<&str> = s
        .iter()
        .filter(|(_, sc)| *sc == Scope::Build)
        .map(|(p, _)| p.split('?').next().unwrap_or(p))
        .collect();
    assert_eq!(build.len(), 18, "{build:?}");
    for tool in ["cmake@4.4.2", "autoconf@2.71", "bison@3.8.2", "m4@1.4.19"] {
        assert!(
            build.contains(&format!("pkg:conan/{tool}").as_str()),
            "{tool}"
        );
    }
    assert_eq!(
        s.iter().filter(|(_, sc)| *sc == Scope::Required).count(),
        44
    );
}

#[test]
fn malformed_json_is_an_error() {
    assert_json_truncations_are_errors(Cataloger::ConanLock, LOCK);
}
