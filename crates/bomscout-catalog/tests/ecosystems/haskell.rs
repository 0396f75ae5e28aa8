//! Haskell: `cabal.project.freeze` and `stack.yaml.lock` from real projects (each
//! fixture's README names its source).

use crate::common::malformed::{parse_bytes, truncations, GARBAGE};
use crate::common::{self, clean, find, line, scopes};
use bomscout_core::Cataloger;
use test_case::test_case;

const FREEZE: &str = "haskell/pandoc-plot/cabal.project.freeze";

#[test_case(Cataloger::CabalFreeze, FREEZE ; "cabal freeze")]
#[test_case(Cataloger::StackLock, "haskell/stack/stack.yaml.lock" ; "stack lock")]
fn snapshot(cataloger: Cataloger, rel: &str) {
    common::assert_fixture(cataloger, rel);
}

#[test]
fn cabal_freeze_pandoc_plot() {
    let c = clean(Cataloger::CabalFreeze, FREEZE);
    // python3: len(re.findall(r"any\.([A-Za-z0-9-]+) ==([0-9.]+)", text)) → 228; the 66
    // flag lines (`aeson -cffi +ordered-keymap`) are not packages.
    assert_eq!(c.packages.len(), 228);
    assert_eq!(
        c.packages[0].component.purl.as_str(),
        "pkg:hackage/Cabal@3.4.0.0"
    );
    assert_eq!(line(&c, "pkg:hackage/pandoc@2.17"), Some(186));
    // A one-component version.
    assert_eq!(line(&c, "pkg:hackage/type-equality@1"), Some(261));
    // The last constraint, on the line before `index-state:`.
    assert_eq!(
        c.packages[227].component.purl.as_str(),
        "pkg:hackage/zlib@0.6.2.3"
    );
    find(&c, "pkg:hackage/aeson@2.0.3.0");
    let s = scopes(c);
    assert_eq!(s.len(), 228);
}

#[test]
fn malformed_cabal_freeze() {
    // A line-oriented format: a cut file still parses (the pins before the cut).
    assert_eq!(truncations(Cataloger::CabalFreeze, FREEZE), 0);
    let bytes = common::fixture(FREEZE);
    let text = std::str::from_utf8(&bytes).unwrap();
    let cut = text.find("any.pandoc ==").unwrap();
    let c = parse_bytes(Cataloger::CabalFreeze, FREEZE, &bytes[..cut]).unwrap();
    assert!(c.packages.len() < 228);
    assert!(c.packages.iter().all(|p| p.component.name != "pandoc"));
    assert!(parse_bytes(Cataloger::CabalFreeze, FREEZE, GARBAGE).is_err());
}

#[test]
fn stack_yaml_lock() {
    let c = clean(Cataloger::StackLock, "haskell/stack/stack.yaml.lock");
    assert_eq!(c.packages.len(), 24);
    let cabal = &c.packages[0].component;
    assert_eq!(cabal.purl.as_str(), "pkg:hackage/Cabal@3.16.1.0");
    assert_eq!(
        cabal.properties["cabal-file-sha256"],
        "39873317ab895194547c3fd72c91cdb97c800a49b2656920854747ee466627ca"
    );
}
