//! PHP: `composer.lock` (with `composer.json` beside it) and Composer 1's
//! `vendor/composer/installed.json`, on real files (each fixture's README names its source).

use crate::common::{self, clean, count_scope, find, scopes};
use bomscout_core::{Cataloger, Scope};
use test_case::test_case;

#[test_case(Cataloger::ComposerLock, "php/composer/composer.lock" ; "composer lock")]
#[test_case(Cataloger::ComposerInstalled, "php/udoit/vendor/composer/installed.json" ; "installed json v1")]
fn snapshot(cataloger: Cataloger, rel: &str) {
    common::assert_fixture(cataloger, rel);
}

#[test]
fn composer_lock_with_composer_json() {
    let c = clean(Cataloger::ComposerLock, "php/composer/composer.lock");
    assert_eq!(c.projects[0].name.as_deref(), Some("composer/composer"));
    let first = &c.packages[0].component;
    assert_eq!(
        first.purl.as_str(),
        "pkg:composer/composer/ca-bundle@1.5.12"
    );
    assert_eq!(first.licenses[0].raw, "MIT");
    let s = scopes(c);
    // composer.lock: 30 `packages`, 6 `packages-dev`; the graph puts exactly those 6 in dev.
    assert_eq!((s.len(), count_scope(&s, Scope::Dev)), (36, 6));
}

#[test]
fn composer_installed_json_v1_udoit() {
    // Composer 1's installed.json (a bare array) from cidilabs/UDOIT.
    let c = clean(
        Cataloger::ComposerInstalled,
        "php/udoit/vendor/composer/installed.json",
    );
    // python3: len(json.load(f)) == 46
    assert_eq!(c.packages.len(), 46);
    let p = find(&c, "pkg:composer/doctrine/instantiator@1.0.5");
    assert_eq!(p.component.licenses[0].raw, "MIT");
    // EastDesire/jscolor declares no license: none is invented.
    assert!(find(&c, "pkg:composer/eastdesire/jscolor@1.4.2")
        .component
        .licenses
        .is_empty());
}
