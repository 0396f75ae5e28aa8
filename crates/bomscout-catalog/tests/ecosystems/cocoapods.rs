//! CocoaPods: `Podfile.lock` on real files (each fixture's README names its source),
//! subspecs merged into their pod, and Flutter plugins reported as the pub packages they are.

use crate::common::malformed::{diagnostics_name, parse_bytes, truncations, GARBAGE};
use crate::common::{self, clean, find, line, project_kinds, purls, scopes};
use bomscout_core::{Cataloger, DepKind, Scope};
use test_case::test_case;

#[test_case(Cataloger::PodfileLock, "cocoapods/home-assistant/Podfile.lock" ; "home assistant")]
#[test_case(Cataloger::PodfileLock, "cocoapods/flutter-gallery/ios/Podfile.lock" ; "flutter ios")]
#[test_case(Cataloger::PodfileLock, "cocoapods/flutter-gallery/macos/Podfile.lock" ; "flutter macos")]
#[test_case(Cataloger::PubspecLock, "cocoapods/flutter-gallery/pubspec.lock" ; "flutter pubspec lock")]
fn snapshot(cataloger: Cataloger, rel: &str) {
    common::assert_fixture(cataloger, rel);
}

#[test]
fn podfile_lock_home_assistant() {
    let c = clean(
        Cataloger::PodfileLock,
        "cocoapods/home-assistant/Podfile.lock",
    );
    // python3: 63 `  - Name (version)` entries under PODS; by the part before `/` they are
    // 38 pods, and SPEC CHECKSUMS has 38 keys. OHHTTPStubs and SwiftFormat appear only as
    // subspecs (`OHHTTPStubs/Core (9.1.0)`, `SwiftFormat/CLI (0.53.1)`).
    assert_eq!(c.packages.len(), 38);
    assert!(c
        .packages
        .iter()
        .all(|p| p.component.properties.contains_key("podspec-sha1")));
    let gu = find(&c, "pkg:cocoapods/GoogleUtilities@7.11.0");
    assert_eq!(
        gu.component.properties["podspec-sha1"],
        "c2bdc4cf2ce786c4d2e6b3bcfd599a25ca78f06f"
    );
    // Subspecs merge into their pod; the subspec is not in the purl.
    find(&c, "pkg:cocoapods/OHHTTPStubs@9.1.0");
    find(&c, "pkg:cocoapods/SwiftFormat@0.53.1");
    // Pods from git (EXTERNAL SOURCES `:git`) are components like the others.
    find(&c, "pkg:cocoapods/Starscream@4.0.4");
    find(&c, "pkg:cocoapods/GRDB.swift@7.8.0");
    // DEPENDENCIES: 31 lines, 29 pods (HAKit three times).
    assert_eq!(c.projects[0].deps.len(), 29);
    // HAKit → Starscream (HAKit/Core), PromiseKit (HAKit/PromiseKit); HAKit/Mocks → itself.
    assert_eq!(find(&c, "pkg:cocoapods/HAKit@0.4.9").deps.len(), 2);
    // FirebaseMessaging → FirebaseCore, FirebaseInstallations, GoogleDataTransport,
    // GoogleUtilities, nanopb (GoogleUtilities named by four subspecs).
    assert_eq!(
        find(&c, "pkg:cocoapods/FirebaseMessaging@10.5.0")
            .deps
            .len(),
        5
    );
    assert_eq!(line(&c, "pkg:cocoapods/Alamofire@5.8.1"), Some(2));
    let s = scopes(c);
    assert_eq!(s.len(), 38);
    assert!(s.iter().all(|(_, sc)| *sc == Scope::Required));
}

/// Flutter plugins are `:path` pods under `.symlinks/plugins/`: third-party pub packages
/// that ship in the app. They are the components the app's pubspec.lock locks (so the two
/// files give one component each), never left out as if first-party; `Flutter` and
/// `FlutterMacOS` (the app's own tree) are.
#[test]
fn podfile_lock_flutter_plugins_are_their_pub_packages() {
    for (lock, plugins) in [
        (
            "cocoapods/flutter-gallery/ios/Podfile.lock",
            [
                "pkg:pub/path_provider_foundation@2.3.1",
                "pkg:pub/url_launcher_ios@6.2.0",
            ],
        ),
        (
            "cocoapods/flutter-gallery/macos/Podfile.lock",
            [
                "pkg:pub/path_provider_foundation@2.3.1",
                "pkg:pub/url_launcher_macos@3.1.0",
            ],
        ),
    ] {
        let c = clean(Cataloger::PodfileLock, lock);
        assert_eq!(purls(&c), plugins, "{lock}");
        assert_eq!(project_kinds(&c), [DepKind::Normal; 2], "{lock}: direct");
        // The same component as the pubspec.lock cataloger's.
        let pubspec = clean(
            Cataloger::PubspecLock,
            "cocoapods/flutter-gallery/pubspec.lock",
        );
        for p in plugins {
            find(&pubspec, p);
        }
    }
}

/// Without the app's pubspec.lock (a Podfile.lock scanned on its own), a plugin is still
/// reported, as the pod, marked with its package.
#[test]
fn podfile_lock_flutter_plugins_without_pubspec_lock_are_pods() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = common::fixture("cocoapods/flutter-gallery/ios/Podfile.lock");
    std::fs::create_dir(dir.path().join("ios")).unwrap();
    let rel = "ios/Podfile.lock";
    std::fs::write(dir.path().join(rel), &bytes).unwrap();
    let c = common::catalog_in(dir.path(), Cataloger::PodfileLock, rel);
    assert_eq!(
        purls(&c),
        [
            "pkg:cocoapods/path_provider_foundation@0.0.1",
            "pkg:cocoapods/url_launcher_ios@0.0.1"
        ]
    );
    assert_eq!(
        c.packages[1].component.properties["flutter-plugin"],
        "url_launcher_ios"
    );
    // A pubspec.lock that is not YAML is a warning naming it; the pods are still there.
    std::fs::write(dir.path().join("pubspec.lock"), "packages: [\n").unwrap();
    let c = common::catalog_in(dir.path(), Cataloger::PodfileLock, rel);
    assert_eq!(c.packages.len(), 2);
    assert_eq!(c.diagnostics.len(), 1, "{:?}", c.diagnostics);
    assert!(c.diagnostics[0]
        .message
        .starts_with("pubspec.lock: invalid YAML"));
}

#[test]
fn malformed_podfile_lock() {
    let rel = "cocoapods/home-assistant/Podfile.lock";
    truncations(Cataloger::PodfileLock, rel);
    assert!(parse_bytes(Cataloger::PodfileLock, rel, GARBAGE).is_err());
    // Valid YAML, but not a Podfile.lock.
    assert!(parse_bytes(Cataloger::PodfileLock, rel, b"COCOAPODS: 1.15.2\n").is_err());
    // A PODS entry cut before its version: a diagnostic naming the file.
    let bytes = common::fixture(rel);
    let text = std::str::from_utf8(&bytes).unwrap();
    let cut = text.find("  - Alamofire (5.8.1)").unwrap() + "  - Alamofire".len();
    let c = parse_bytes(Cataloger::PodfileLock, rel, &bytes[..cut]).unwrap();
    assert_eq!(c.diagnostics.len(), 1, "{:?}", c.diagnostics);
    diagnostics_name(&c, rel);
    assert!(c.packages.is_empty());
}
