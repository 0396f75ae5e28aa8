//! Dart and Flutter: `pubspec.lock` with the `pubspec.yaml` beside it, from the Flutter
//! gallery (the fixture's README names its source).

use crate::common::{self, clean, count_scope, scopes};
use bomscout_core::{Cataloger, Scope};

const LOCK: &str = "dart/gallery/pubspec.lock";

#[test]
fn snapshot() {
    common::assert_fixture(Cataloger::PubspecLock, LOCK);
}

#[test]
fn pubspec_lock() {
    let c = clean(Cataloger::PubspecLock, LOCK);
    assert!(c.packages.iter().all(|p| p.component.hashes.len() == 1));
    assert!(
        c.packages.iter().all(|p| p.component.name != "flutter"),
        "SDK packages are not components"
    );
    let s = scopes(c);
    assert_eq!((s.len(), count_scope(&s, Scope::Dev)), (98, 7));
}
