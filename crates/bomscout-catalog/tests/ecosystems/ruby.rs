//! Ruby: `Gemfile.lock` (with the Gemfile's groups beside it) and installed gemspecs, on
//! real files (each fixture's README names its source).

use crate::common::{self, clean, count_scope, scopes};
use bomscout_core::{Cataloger, Scope};
use test_case::test_case;

const INSTALLED: &str = "ruby/installed/specifications";

#[test_case("ruby/rails/Gemfile.lock" ; "rails")]
#[test_case("ruby/fastlane/Gemfile.lock" ; "fastlane")]
fn snapshot(rel: &str) {
    common::assert_fixture(Cataloger::GemfileLock, rel);
}

/// The installed gemspecs, sorted by file name.
fn installed() -> Vec<String> {
    let dir = common::fixture_path(INSTALLED);
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn snapshot_installed() {
    let rels: Vec<String> = installed()
        .iter()
        .map(|n| format!("{INSTALLED}/{n}"))
        .collect();
    common::snapshot::assert_scenario(INSTALLED, Cataloger::GemInstalled, &rels);
}

#[test]
fn installed_gemspecs_from_ruby_3_1() {
    // Ruby 3.1's bundled gems, as RubyGems installed them (Debian's libruby3.1).
    let names = installed();
    assert_eq!(names.len(), 15);
    let mut licenses = Vec::new();
    for n in &names {
        let c = clean(Cataloger::GemInstalled, &format!("{INSTALLED}/{n}"));
        assert_eq!(c.packages.len(), 1, "{n}");
        let comp = &c.packages[0].component;
        let stem = n.strip_suffix(".gemspec").unwrap();
        let (name, version) = stem.rsplit_once('-').unwrap();
        assert_eq!(comp.purl.as_str(), format!("pkg:gem/{name}@{version}"));
        let raw: Vec<&str> = comp.licenses.iter().map(|l| l.raw.as_str()).collect();
        licenses.push(format!("{name}: {}", raw.join(" + ")));
    }
    // `s.licenses = ["Ruby".freeze, "BSD-2-Clause".freeze]`: every entry kept, in order.
    assert!(licenses.contains(&"rake: MIT".to_string()), "{licenses:?}");
    assert!(
        licenses.contains(&"debug: Ruby + BSD-2-Clause".to_string()),
        "{licenses:?}"
    );
    assert!(
        licenses.contains(&"rbs: BSD-2-Clause + Ruby".to_string()),
        "{licenses:?}"
    );
}

#[test]
fn gemfile_lock_with_gemfile_groups() {
    let c = clean(Cataloger::GemfileLock, "ruby/rails/Gemfile.lock");
    // One component per gem even when it is locked for several platforms.
    let ffi: Vec<_> = c
        .packages
        .iter()
        .filter(|p| p.component.name == "ffi")
        .collect();
    assert_eq!(ffi.len(), 1);
    assert!(ffi[0].component.properties["platforms"].contains("x86_64-linux-gnu"));
    // PATH gems (rails itself) are first-party, not components.
    assert!(c.packages.iter().all(|p| p.component.name != "actioncable"));
    assert!(
        c.packages.iter().all(|p| p.component.hashes.len() == 1),
        "CHECKSUMS give every gem a sha256"
    );
    let s = scopes(c);
    assert_eq!((s.len(), count_scope(&s, Scope::Dev)), (218, 22));
    assert!(s.contains(&("pkg:gem/rubocop@1.79.2".to_string(), Scope::Dev)));
    let fastlane = clean(Cataloger::GemfileLock, "ruby/fastlane/Gemfile.lock");
    assert_eq!(fastlane.packages.len(), 86);
}
