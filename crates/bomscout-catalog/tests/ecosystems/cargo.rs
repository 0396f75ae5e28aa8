//! Cargo lockfiles made by real cargo: components, member projects in their directories,
//! dev and build scope from the manifests, and nothing ever executed.

use crate::common;
use bomscout_catalog::Options;
use bomscout_core::{Catalog, Cataloger, Scope};
use std::path::{Path, PathBuf};
use test_case::test_case;

fn root() -> PathBuf {
    common::fixture_path("cargo")
}

fn catalog(cataloger: Cataloger, rel: &str) -> Catalog {
    common::catalog_in(&root(), cataloger, rel)
}

/// `(key, scope)` of every component: the key, so an unresolved requirement shows apart
/// from the locked package of the same name.
fn scoped(cats: Vec<Catalog>) -> Vec<(String, Scope)> {
    common::sbom(cats)
        .components
        .into_iter()
        .map(|c| (c.key(), c.scope))
        .collect()
}

fn rows(rows: &[(&str, Scope)]) -> Vec<(String, Scope)> {
    rows.iter().map(|(k, s)| (k.to_string(), *s)).collect()
}

fn simple_expected() -> Vec<(String, Scope)> {
    use Scope::*;
    rows(&[
        // A `[build-dependencies]` crate runs in the build script; it does not ship.
        ("pkg:cargo/autocfg@1.5.1", Build),
        ("pkg:cargo/itoa@1.0.19", Required),
        ("pkg:cargo/log@0.4.35", Required),
        ("pkg:cargo/memchr@2.8.3", Required),
        ("pkg:cargo/static_assertions@1.1.0", Dev),
    ])
}

#[test]
fn simple_lock_scopes_come_from_the_manifest() {
    let cat = catalog(Cataloger::CargoLock, "simple/Cargo.lock");
    assert!(cat.diagnostics.is_empty(), "{:?}", cat.diagnostics);
    assert_eq!(cat.projects.len(), 1);
    assert_eq!(cat.projects[0].dir, "simple");
    assert_eq!(cat.projects[0].licenses[0].raw, "MIT");
    assert!(
        cat.packages.iter().all(|p| p.component.hashes.len() == 1),
        "checksums"
    );
    assert_eq!(scoped(vec![cat]), simple_expected());
}

#[test]
fn every_lock_version_gives_the_same_result() {
    for v in ["lock-v1", "lock-v2", "lock-v3"] {
        let cat = catalog(Cataloger::CargoLock, &format!("{v}/Cargo.lock"));
        assert!(
            cat.packages.iter().all(|p| p.component.hashes.len() == 1),
            "{v}: checksums"
        );
        assert_eq!(scoped(vec![cat]), simple_expected(), "{v}");
    }
}

#[test]
fn lock_and_manifest_together_leave_no_unresolved_duplicates() {
    let lock = catalog(Cataloger::CargoLock, "simple/Cargo.lock");
    let manifest = catalog(Cataloger::CargoManifest, "simple/Cargo.toml");
    assert_eq!(scoped(vec![lock, manifest]), simple_expected());
}

#[test]
fn workspace_members_are_projects_in_their_directories() {
    let lock = catalog(Cataloger::CargoLock, "workspace/Cargo.lock");
    let mut dirs: Vec<&str> = lock.projects.iter().map(|p| p.dir.as_str()).collect();
    dirs.sort();
    assert_eq!(dirs, ["workspace/crates/app", "workspace/crates/lib-a"]);
    let lib = lock
        .projects
        .iter()
        .find(|p| p.name.as_deref() == Some("lib-a"))
        .unwrap();
    assert_eq!(lib.version.as_deref(), Some("0.3.0"), "inherited");
    // Described by the lock (the Cargo.toml manifests add themselves when scanned).
    assert!(lock
        .projects
        .iter()
        .all(|p| p.manifest == "workspace/Cargo.lock"));
    assert_eq!(lib.licenses[0].raw, "Apache-2.0", "inherited");
    let manifests: Vec<Catalog> = [
        "workspace/crates/app/Cargo.toml",
        "workspace/crates/lib-a/Cargo.toml",
    ]
    .iter()
    .map(|m| catalog(Cataloger::CargoManifest, m))
    .collect();
    let mut all = vec![lock];
    all.extend(manifests);
    use Scope::*;
    assert_eq!(
        scoped(all),
        rows(&[
            ("pkg:cargo/itoa@0.4.8", Required),
            ("pkg:cargo/itoa@1.0.19", Required),
            ("pkg:cargo/memchr@2.8.3", Required),
            ("pkg:cargo/static_assertions@1.1.0", Dev),
        ])
    );
}

#[test]
fn corrupt_files_are_named_with_lines_or_warned_about() {
    let options = common::options();
    let truncated = root().join("corrupt/truncated/Cargo.lock");
    assert!(
        common::parse_file(Cataloger::CargoLock, &truncated, "Cargo.lock", &options)
            .unwrap_err()
            .line()
            .is_some()
    );
    let cat = catalog(Cataloger::CargoLock, "corrupt/no-name/Cargo.lock");
    assert_eq!(
        cat.diagnostics
            .iter()
            .filter(|d| d.severity == bomscout_core::Severity::Warning)
            .count(),
        2
    );
    let manifest = root().join("corrupt/bad-manifest/Cargo.toml");
    assert!(
        common::parse_file(Cataloger::CargoManifest, &manifest, "Cargo.toml", &options).is_err()
    );
}

/// The tree's `.cargo/config.toml` and `rust-toolchain.toml` name scripts that would create
/// `EXECUTED`; scanning a copy of it, with every cargo-related option on, must not.
#[test]
fn a_hostile_cargo_config_never_runs() {
    let tmp = tempfile::tempdir().unwrap();
    copy(&root().join("hostile-config"), tmp.path());
    let options = Options {
        read_caches: true,
        ..Options::default()
    };
    for (cataloger, rel) in [
        (Cataloger::CargoLock, "Cargo.lock"),
        (Cataloger::CargoManifest, "Cargo.toml"),
    ] {
        common::parse_file(cataloger, &tmp.path().join(rel), rel, &options).unwrap();
    }
    assert!(
        !tmp.path().join("EXECUTED").exists(),
        "the scan ran code from the tree"
    );
}

fn copy(from: &Path, to: &Path) {
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).unwrap();
        }
    }
}

/// An `optional = true` dependency is built only when a feature enables it; Cargo.lock lists
/// it regardless, so it is Optional, not Required.
#[test]
fn optional_dependencies_are_optional() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("Cargo.toml"),
        "[package]\nname = \"app\"\nversion = \"0.1.0\"\n\n[dependencies]\nitoa = \"1\"\nmemchr = { version = \"2\", optional = true }\n",
    )
    .unwrap();
    std::fs::write(
        tmp.path().join("Cargo.lock"),
        "version = 4\n\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\"itoa\", \"memchr\"]\n\n[[package]]\nname = \"itoa\"\nversion = \"1.0.19\"\nsource = \"registry+https://registry.example.invalid/index\"\n\n[[package]]\nname = \"memchr\"\nversion = \"2.8.3\"\nsource = \"registry+https://registry.example.invalid/index\"\n",
    )
    .unwrap();
    use Scope::*;
    assert_eq!(
        scoped(vec![common::catalog_in(
            tmp.path(),
            Cataloger::CargoLock,
            "Cargo.lock"
        )]),
        rows(&[
            ("pkg:cargo/itoa@1.0.19", Required),
            ("pkg:cargo/memchr@2.8.3", Optional)
        ])
    );
}

#[test_case(Cataloger::CargoLock, "cargo/simple/Cargo.lock" ; "simple lock")]
#[test_case(Cataloger::CargoManifest, "cargo/simple/Cargo.toml" ; "simple manifest")]
#[test_case(Cataloger::CargoLock, "cargo/lock-v1/Cargo.lock" ; "lock v1")]
#[test_case(Cataloger::CargoLock, "cargo/lock-v2/Cargo.lock" ; "lock v2")]
#[test_case(Cataloger::CargoLock, "cargo/lock-v3/Cargo.lock" ; "lock v3")]
#[test_case(Cataloger::CargoLock, "cargo/workspace/Cargo.lock" ; "workspace lock")]
#[test_case(Cataloger::CargoManifest, "cargo/workspace/Cargo.toml" ; "workspace manifest")]
#[test_case(Cataloger::CargoManifest, "cargo/workspace/crates/app/Cargo.toml" ; "workspace member app")]
#[test_case(Cataloger::CargoManifest, "cargo/workspace/crates/lib-a/Cargo.toml" ; "workspace member lib")]
#[test_case(Cataloger::CargoLock, "cargo/vendored/Cargo.lock" ; "vendored lock")]
#[test_case(Cataloger::CargoLock, "cargo/corrupt/no-name/Cargo.lock" ; "lock entry without a name")]
fn snapshot(cataloger: Cataloger, rel: &str) {
    common::assert_fixture(cataloger, rel);
}

#[test_case(Cataloger::CargoLock, "cargo/corrupt/truncated/Cargo.lock" ; "truncated lock")]
#[test_case(Cataloger::CargoManifest, "cargo/corrupt/bad-manifest/Cargo.toml" ; "bad manifest")]
fn snapshot_corrupt(cataloger: Cataloger, rel: &str) {
    assert!(common::snapshot::assert_fixture_outcome(cataloger, rel).is_err());
}
