//! Swift Package Manager: `Package.resolved` versions 1, 2 and 3, on real files (each
//! fixture's README names its source).

use crate::common::malformed::assert_json_truncations_are_errors;
use crate::common::{self, clean, find, line};
use bomscout_core::Cataloger;
use test_case::test_case;

#[test_case("swift/moya/Package.resolved" ; "v1 moya")]
#[test_case("swift/isowords/Package.resolved" ; "v2 isowords")]
#[test_case("swift/home-assistant/Package.resolved" ; "v3 home assistant")]
fn snapshot(rel: &str) {
    common::assert_fixture(Cataloger::SwiftResolved, rel);
}

#[test]
fn package_resolved_v1_moya() {
    let c = clean(Cataloger::SwiftResolved, "swift/moya/Package.resolved");
    // python3: len(json.load(f)["object"]["pins"]) → 13, all with a version.
    assert_eq!(c.packages.len(), 13);
    assert_eq!(c.projects[0].deps.len(), 13);
    assert_eq!(
        c.packages[0].component.purl.as_str(),
        "pkg:swift/github.com/Alamofire/Alamofire@5.4.3"
    );
    // A location without `.git`.
    find(&c, "pkg:swift/github.com/shibapm/Logger@0.2.3");
    find(&c, "pkg:swift/github.com/kareman/SwiftShell@5.1.0-beta.1");
    assert_eq!(line(&c, "pkg:swift/github.com/jpsim/Yams@4.0.6"), Some(114));
}

#[test]
fn package_resolved_v2_isowords() {
    let c = clean(Cataloger::SwiftResolved, "swift/isowords/Package.resolved");
    // python3: d=json.load(f); d["version"] → 2, len(d["pins"]) → 42, all
    // remoteSourceControl; 39 with a version, 3 pinned to a branch (a short hash) and revision.
    assert_eq!(c.packages.len(), 42);
    assert_eq!(c.projects[0].deps.len(), 42);
    find(&c, "pkg:swift/github.com/vapor/async-kit@1.20.0");
    // A branch pin is versioned by its revision, the branch kept as a property.
    let html = find(
        &c,
        "pkg:swift/github.com/pointfreeco/swift-html@14d01d19e43598167a8f8965af478285835ca010",
    );
    assert_eq!(
        html.component.properties.get("branch").map(String::as_str),
        Some("14d01d1")
    );
}

#[test]
fn package_resolved_v3_home_assistant() {
    let c = clean(
        Cataloger::SwiftResolved,
        "swift/home-assistant/Package.resolved",
    );
    // python3: d=json.load(f); d["version"] → 3, len(d["pins"]) → 39, all
    // remoteSourceControl; 3 pins have no `version` (one `branch: main`, two revision-only).
    assert_eq!(c.packages.len(), 39);
    find(&c, "pkg:swift/github.com/firebase/firebase-ios-sdk@12.15.0");
    // A trailing `/` on the location.
    find(&c, "pkg:swift/github.com/mxcl/PromiseKit@8.1.1");
    let branch = find(
        &c,
        "pkg:swift/github.com/improv-wifi/sdk-iOS@937732ba42aeebfaf07434bd4e771fb7796e0489",
    );
    assert_eq!(branch.component.properties["branch"], "main");
    let rev_only = find(
        &c,
        "pkg:swift/github.com/bgoncal/starscream@aaaf609d07eb487b2fccbe77f6267cf0843e2b19",
    );
    assert!(rev_only.component.properties.is_empty());
    let versioned = c
        .packages
        .iter()
        .filter(|p| p.component.properties.is_empty())
        .count();
    assert_eq!(versioned, 38);
}

#[test]
fn malformed_json_is_an_error() {
    assert_json_truncations_are_errors(Cataloger::SwiftResolved, "swift/moya/Package.resolved");
    assert_json_truncations_are_errors(
        Cataloger::SwiftResolved,
        "swift/home-assistant/Package.resolved",
    );
}
