//! vcpkg: a manifest (`vcpkg.json`) from a real project (the fixture's README names it):
//! override pins are versions, `version>=` and bare names are unresolved declarations.

use crate::common::malformed::assert_json_truncations_are_errors;
use crate::common::{self, clean, find, project_kinds};
use bomscout_core::{Cataloger, DepKind, SbomBuilder};

const MANIFEST: &str = "vcpkg/cemu/vcpkg.json";

#[test]
fn snapshot() {
    common::assert_fixture(Cataloger::Vcpkg, MANIFEST);
}

#[test]
fn vcpkg_json_cemu() {
    let c = clean(Cataloger::Vcpkg, MANIFEST);
    assert_eq!(c.projects[0].name.as_deref(), Some("cemu"));
    assert_eq!(c.projects[0].version.as_deref(), Some("1.0"));
    // python3: 30 `dependencies` entries naming 29 ports ("zstd" twice); 3 `overrides`.
    assert_eq!(c.packages.len(), 29);
    assert_eq!(c.projects[0].deps.len(), 29);
    // Pinned by an override: a version.
    for p in [
        "pkg:generic/vcpkg/glslang@15.1.0",
        "pkg:generic/vcpkg/sdl3@3.4.10",
        "pkg:generic/vcpkg/wxwidgets@3.3.3",
    ] {
        assert!(find(&c, p).component.requirement.is_none());
    }
    // `version>=` only, or nothing: an unresolved declaration.
    assert_eq!(
        find(&c, "pkg:generic/vcpkg/fmt")
            .component
            .requirement
            .as_deref(),
        Some(">=12.1.0")
    );
    assert_eq!(
        find(&c, "pkg:generic/vcpkg/zstd")
            .component
            .requirement
            .as_deref(),
        Some("(baseline)")
    );
    let resolved = c
        .packages
        .iter()
        .filter(|p| p.component.version.is_some())
        .count();
    assert_eq!(resolved, 3);
    assert!(c
        .packages
        .iter()
        .all(|p| p.component.properties["vcpkg-baseline"]
            == "f0fb3ddba5135b80982668de39dbaa139c00d281"));
    assert!(project_kinds(&c).iter().all(|k| *k == DepKind::Normal));
    let mut b = SbomBuilder::new("t");
    b.add(c);
    assert_eq!(b.finish().components.len(), 29);
}

#[test]
fn malformed_json_is_an_error() {
    assert_json_truncations_are_errors(Cataloger::Vcpkg, MANIFEST);
}
