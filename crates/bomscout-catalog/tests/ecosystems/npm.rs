//! npm lockfiles made by real npm: exact components, the Node resolution of nested
//! versions, aliases, workspaces, and scope computed over the graph matching npm's own flags.

use crate::common;
use bomscout_core::{Catalog, Cataloger, NodeRef, SbomBuilder, Scope};
use serde_json::Value;
use std::path::{Path, PathBuf};
use test_case::test_case;

fn path(rel: &str) -> PathBuf {
    common::fixture_path("npm").join(rel)
}

fn catalog(cataloger: Cataloger, rel: &str) -> Catalog {
    common::catalog_in(&common::fixture_path("npm"), cataloger, rel)
}

fn expected_v3() -> Vec<(String, Scope)> {
    use Scope::*;
    [
        ("pkg:npm/%40sindresorhus/is@4.6.0", Required),
        ("pkg:npm/debug@2.6.9", Required),
        ("pkg:npm/is-number@6.0.0", Optional),
        ("pkg:npm/is-number@7.0.0", Required),
        ("pkg:npm/is-odd@3.0.1", Optional),
        ("pkg:npm/left-pad@1.3.0", Dev),
        ("pkg:npm/ms@2.0.0", Required),
        ("pkg:npm/ms@2.1.3", Required),
    ]
    .iter()
    .map(|(p, s)| (p.to_string(), *s))
    .collect()
}

#[test]
fn lock_v3_components_and_scopes() {
    assert_eq!(
        common::scopes(catalog(Cataloger::NpmLock, "lock-v3/package-lock.json")),
        expected_v3()
    );
}

#[test]
fn lock_v2_and_v1_agree_with_v3() {
    assert_eq!(
        common::scopes(catalog(Cataloger::NpmLock, "lock-v2/package-lock.json")),
        expected_v3()
    );
    assert_eq!(
        common::scopes(catalog(Cataloger::NpmLock, "lock-v1/package-lock.json")),
        expected_v3()
    );
}

#[test]
fn computed_scope_matches_npms_own_flags() {
    let bytes = std::fs::read(path("lock-v3/package-lock.json")).unwrap();
    let lock: Value = serde_json::from_slice(&bytes).unwrap();
    let cat = catalog(Cataloger::NpmLock, "lock-v3/package-lock.json");
    let computed = common::scopes(cat.clone());
    for p in &cat.packages {
        let c = &p.component;
        let entry = lock["packages"]
            .as_object()
            .unwrap()
            .values()
            .find(|e| {
                e["version"] == c.version.as_deref().unwrap()
                    && (e["name"].is_null() || e["name"] == c.display_name())
            })
            .unwrap();
        let npm_says = if entry["dev"] == true {
            Scope::Dev
        } else if entry["optional"] == true {
            Scope::Optional
        } else {
            Scope::Required
        };
        let ours = computed
            .iter()
            .find(|(purl, _)| *purl == c.purl.to_string())
            .unwrap()
            .1;
        assert_eq!(ours, npm_says, "{}", c.purl);
    }
}

#[test]
fn nested_versions_resolve_like_node() {
    let cat = catalog(Cataloger::NpmLock, "lock-v3/package-lock.json");
    let debug = common::named(&cat, "debug");
    let NodeRef::Package(i) = debug.deps[0].to else {
        panic!()
    };
    assert_eq!(
        cat.packages[i].component.version.as_deref(),
        Some("2.0.0"),
        "debug's own ms"
    );
    let alias = cat
        .packages
        .iter()
        .find(|p| p.component.properties.contains_key("alias"))
        .unwrap();
    assert_eq!(alias.component.purl.as_str(), "pkg:npm/is-number@7.0.0");
    assert_eq!(alias.component.properties["alias"], "nm");
    let left_pad = common::named(&cat, "left-pad");
    assert_eq!(left_pad.component.licenses[0].raw, "WTFPL");
    assert_eq!(left_pad.component.hashes.len(), 1, "integrity");
}

#[test]
fn workspace_members_are_projects_not_components() {
    let cat = catalog(Cataloger::NpmLock, "workspaces/package-lock.json");
    let dirs: Vec<&str> = cat.projects.iter().map(|p| p.dir.as_str()).collect();
    assert_eq!(
        dirs,
        [
            "workspaces",
            "workspaces/packages/a",
            "workspaces/packages/b"
        ]
    );
    assert!(cat
        .packages
        .iter()
        .all(|p| !p.component.name.starts_with("@fx")
            && p.component.namespace.as_deref() != Some("@fx")));
    let b = &cat.projects[2];
    assert_eq!(b.name.as_deref(), Some("@fx/b"));
    assert!(
        b.deps.iter().any(|e| e.to == NodeRef::Project(1)),
        "b -> a is a project edge"
    );
    assert!(cat.diagnostics.is_empty(), "{:?}", cat.diagnostics);
    use Scope::*;
    assert_eq!(
        common::scopes(cat),
        [
            ("pkg:npm/is-number@7.0.0".to_string(), Required),
            ("pkg:npm/left-pad@1.3.0".to_string(), Dev),
            ("pkg:npm/ms@2.1.3".to_string(), Required)
        ]
    );
}

#[test]
fn installed_packages_merge_with_the_lock_by_purl() {
    let mut b = SbomBuilder::new("t");
    b.add(catalog(Cataloger::NpmLock, "installed/package-lock.json"));
    for rel in [
        "debug",
        "debug/node_modules/ms",
        "ms",
        "nm",
        "left-pad",
        "is-odd",
        "is-number",
        "@sindresorhus/is",
    ] {
        b.add(catalog(
            Cataloger::NpmInstalled,
            &format!("installed/node_modules/{rel}/package.json"),
        ));
    }
    let sbom = b.finish();
    assert_eq!(sbom.components.len(), 8, "no duplicates");
    assert!(
        sbom.components.iter().all(|c| c.locations.len() == 2),
        "lock + installed record"
    );
    let left_pad = sbom
        .components
        .iter()
        .find(|c| c.name == "left-pad")
        .unwrap();
    assert_eq!(left_pad.scope, Scope::Dev, "the lock's graph decides scope");
}

#[test]
fn corrupt_files_are_errors_with_lines_not_panics() {
    for (cataloger, rel) in [
        (Cataloger::NpmLock, "corrupt/truncated/package-lock.json"),
        (Cataloger::NpmLock, "corrupt/wrong-types/package-lock.json"),
        (Cataloger::NpmManifest, "corrupt/not-utf8/package.json"),
    ] {
        let result = common::try_catalog_in(&common::fixture_path("npm"), cataloger, rel);
        assert!(result.is_err(), "{rel}");
    }
}

#[test]
fn hostile_nesting_is_an_error_not_a_stack_overflow() {
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let result = common::parse_as(
        Cataloger::NpmLock,
        deep.as_bytes(),
        "package-lock.json",
        Path::new("x"),
        &common::options(),
    );
    assert!(result.is_err());
}

#[test]
fn an_installed_package_without_a_license_field_gets_its_license_file_matched() {
    let dir = tempfile::tempdir().unwrap();
    let pkg = dir.path().join("node_modules/quiet");
    std::fs::create_dir_all(&pkg).unwrap();
    std::fs::write(
        pkg.join("package.json"),
        r#"{"name": "quiet", "version": "1.0.0"}"#,
    )
    .unwrap();
    let text = spdx::license_id("MIT")
        .unwrap()
        .text()
        .replace("<year>", "2024")
        .replace("<copyright holders>", "Jane Doe");
    std::fs::write(pkg.join("LICENSE"), text).unwrap();
    std::fs::write(pkg.join("README.md"), "not a license").unwrap();
    let cat = common::parse_file(
        Cataloger::NpmInstalled,
        &pkg.join("package.json"),
        "node_modules/quiet/package.json",
        &common::options(),
    )
    .unwrap();
    let l = &cat.packages[0].component.licenses;
    assert_eq!(l.len(), 1, "{l:?}");
    assert_eq!(l[0].expression.as_deref(), Some("MIT"));
    assert_eq!(l[0].source.path, "node_modules/quiet/LICENSE");
    assert_eq!(l[0].source.kind, bomscout_core::SourceKind::File);
    assert!(l[0].confidence.unwrap() >= 0.9);
}

/// A v1 lock (npm 11, `--lockfile-version 1`) whose dev dependency `debug` nests its own
/// `ms@2.0.0` (`dependencies.debug.dependencies.ms`) while the root requires `ms@2.1.3`:
/// the nested package is dev-only like its parent, as npm's own `dev: true` flags say; and
/// the same without the `package.json` beside the lock.
#[test]
fn lock_v1_nested_under_a_dev_parent_is_dev() {
    use Scope::*;
    let want: Vec<(String, Scope)> = [
        ("pkg:npm/debug@2.6.9", Dev),
        ("pkg:npm/ms@2.0.0", Dev),
        ("pkg:npm/ms@2.1.3", Required),
    ]
    .iter()
    .map(|(p, s)| (p.to_string(), *s))
    .collect();
    let rel = "lock-v1-dev-nested/package-lock.json";
    assert_eq!(common::scopes(catalog(Cataloger::NpmLock, rel)), want);
    let bytes = std::fs::read(path(rel)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let abs = dir.path().join("package-lock.json");
    std::fs::write(&abs, &bytes).unwrap();
    let cat = common::parse_file(
        Cataloger::NpmLock,
        &abs,
        "package-lock.json",
        &common::options(),
    );
    assert_eq!(common::scopes(cat.unwrap()), want);
}

/// The same lock as npm 5.0 wrote it, before `requires` existed (edges then come only from
/// the nesting) and with the flag on the parent only: what is nested in a dev package's
/// `node_modules` is reachable from that package alone, so it is dev too. (The real lock
/// with `requires` and the nested entry's `dev` removed.)
#[test]
fn lock_v1_nested_under_a_dev_parent_is_dev_without_requires() {
    let rel = "lock-v1-dev-nested/package-lock.json";
    let mut lock: Value = serde_json::from_slice(&std::fs::read(path(rel)).unwrap()).unwrap();
    let debug = lock["dependencies"]["debug"].as_object_mut().unwrap();
    debug.remove("requires").unwrap();
    let nested = debug["dependencies"]["ms"].as_object_mut().unwrap();
    nested.remove("dev").unwrap();
    let bytes = serde_json::to_vec(&lock).unwrap();
    let cat = common::parse_as(
        Cataloger::NpmLock,
        &bytes,
        rel,
        &path(rel),
        &common::options(),
    );
    let scopes = common::scopes(cat.unwrap());
    assert!(
        scopes.contains(&("pkg:npm/ms@2.0.0".to_string(), Scope::Dev)),
        "{scopes:?}"
    );
}

#[test_case("npm/lock-v1/package-lock.json" ; "lock v1")]
#[test_case("npm/lock-v1-dev-nested/package-lock.json" ; "lock v1 dev nested")]
#[test_case("npm/lock-v2/package-lock.json" ; "lock v2")]
#[test_case("npm/lock-v3/package-lock.json" ; "lock v3")]
#[test_case("npm/workspaces/package-lock.json" ; "workspaces")]
#[test_case("npm/installed/package-lock.json" ; "installed lock")]
#[test_case("npm/attribution/package-lock.json" ; "attribution lock")]
fn snapshot(rel: &str) {
    common::assert_fixture(Cataloger::NpmLock, rel);
}

#[test_case("npm/lock-v3/package.json" ; "lock v3")]
#[test_case("npm/workspaces/package.json" ; "workspaces")]
fn snapshot_manifest(rel: &str) {
    common::assert_fixture(Cataloger::NpmManifest, rel);
}

#[test_case("npm/installed/node_modules" ; "installed")]
#[test_case("npm/attribution/node_modules" ; "attribution")]
fn snapshot_installed(dir: &str) {
    let records = common::snapshot::files_named(dir, "package.json");
    common::snapshot::assert_scenario(dir, Cataloger::NpmInstalled, &records);
}

#[test_case(Cataloger::NpmLock, "npm/corrupt/truncated/package-lock.json" ; "truncated")]
#[test_case(Cataloger::NpmLock, "npm/corrupt/wrong-types/package-lock.json" ; "wrong types")]
#[test_case(Cataloger::NpmManifest, "npm/corrupt/not-utf8/package.json" ; "not utf8")]
fn snapshot_corrupt(cataloger: Cataloger, rel: &str) {
    assert!(common::snapshot::assert_fixture_outcome(cataloger, rel).is_err());
}
