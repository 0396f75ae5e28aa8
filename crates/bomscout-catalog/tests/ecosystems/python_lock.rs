//! Python lockfiles made by the real tools (uv, pipenv): exact components, and the scope
//! computed over their graphs matches what the tool itself calls dev / optional.

use crate::common;
use bomscout_core::{Catalog, Cataloger, Scope};
use test_case::test_case;

fn catalog(cataloger: Cataloger, rel: &str) -> Catalog {
    common::catalog_in(&common::fixture_path("python"), cataloger, rel)
}

/// `(name, version, scope)` of every component after the builder.
fn scan(cataloger: Cataloger, rel: &str) -> Vec<(String, String, Scope)> {
    let catalog = catalog(cataloger, rel);
    assert!(catalog.diagnostics.is_empty(), "{:?}", catalog.diagnostics);
    common::sbom(vec![catalog])
        .components
        .iter()
        .map(|c| {
            (
                c.name.clone(),
                c.version.clone().unwrap_or_default(),
                c.scope,
            )
        })
        .collect()
}

fn owned(rows: &[(&str, &str, Scope)]) -> Vec<(String, String, Scope)> {
    rows.iter()
        .map(|(n, v, s)| (n.to_string(), v.to_string(), *s))
        .collect()
}

#[test]
fn uv_lock_scopes_match_uv_export() {
    use Scope::*;
    // `uv export --no-dev` lists the required ones, `--all-extras` adds pysocks, and
    // `--all-groups` adds pytest and its dependencies (colorama only through pytest: this
    // click release no longer depends on it, as `uv export --no-dev` confirms).
    assert_eq!(
        scan(Cataloger::UvLock, "uv/uv.lock"),
        owned(&[
            ("certifi", "2026.10.19.post1", Required),
            ("charset-normalizer", "3.5.2", Required),
            ("click", "8.5.1", Required),
            ("colorama", "0.4.6", Dev),
            ("idna", "3.20", Required),
            ("iniconfig", "2.3.1", Dev),
            ("packaging", "26.3", Dev),
            ("pluggy", "1.7.0", Dev),
            ("pygments", "2.21.0", Dev),
            ("pysocks", "1.7.1", Optional),
            ("pytest", "9.2.0", Dev),
            ("requests", "2.34.2", Required),
            ("urllib3", "2.8.0", Required),
        ])
    );
}

#[test]
fn uv_lock_project_is_first_party_and_hashes_are_kept() {
    let catalog = catalog(Cataloger::UvLock, "uv/uv.lock");
    assert_eq!(catalog.projects.len(), 1);
    assert_eq!(catalog.projects[0].name.as_deref(), Some("fixture-uv"));
    assert_eq!(catalog.projects[0].dir, "uv");
    assert!(catalog
        .packages
        .iter()
        .all(|p| p.component.name != "fixture-uv"));
    let requests = common::named(&catalog, "requests");
    assert_eq!(requests.component.hashes.len(), 1, "the sdist hash");
    assert_eq!(requests.component.purl.as_str(), "pkg:pypi/requests@2.34.2");
}

#[test]
fn pipfile_lock_default_is_required_and_develop_is_dev() {
    use Scope::*;
    assert_eq!(
        scan(Cataloger::PipfileLock, "pipenv/Pipfile.lock"),
        owned(&[
            ("certifi", "2026.10.19.post1", Required),
            ("charset-normalizer", "3.5.2", Required),
            ("idna", "3.20", Required),
            ("iniconfig", "2.3.1", Dev),
            ("packaging", "26.3", Dev),
            ("pluggy", "1.7.0", Dev),
            ("pygments", "2.21.0", Dev),
            ("pytest", "9.2.0", Dev),
            ("requests", "2.34.2", Required),
            ("urllib3", "2.8.0", Required),
        ])
    );
}

#[test]
fn poetry_lock_scopes_come_from_the_pyproject_beside_it() {
    use Scope::*;
    assert_eq!(
        scan(Cataloger::PoetryLock, "poetry/poetry.lock"),
        owned(&[
            ("certifi", "2026.10.19.post1", Required),
            ("charset-normalizer", "3.5.2", Required),
            ("colorama", "0.4.6", Dev),
            ("idna", "3.20", Required),
            ("iniconfig", "2.3.1", Dev),
            ("packaging", "26.3", Dev),
            ("pluggy", "1.7.0", Dev),
            ("pygments", "2.21.0", Dev),
            ("pysocks", "1.7.1", Optional),
            ("pytest", "8.4.2", Dev),
            ("requests", "2.34.2", Required),
            ("urllib3", "2.8.0", Required),
        ])
    );
}

#[test]
fn pylock_lists_every_package_the_export_installs() {
    let rows = scan(Cataloger::Pylock, "pylock/pylock.toml");
    let names: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
    assert_eq!(
        names,
        [
            "certifi",
            "charset-normalizer",
            "click",
            "colorama",
            "idna",
            "iniconfig",
            "packaging",
            "pluggy",
            "pygments",
            "pysocks",
            "pytest",
            "requests",
            "urllib3"
        ]
    );
    assert!(
        rows.iter().all(|r| r.2 == Scope::Required),
        "an all-groups export has no group markers"
    );
}

#[test_case(Cataloger::UvLock, "python/uv/uv.lock" ; "uv")]
#[test_case(Cataloger::PipfileLock, "python/pipenv/Pipfile.lock" ; "pipenv")]
#[test_case(Cataloger::PoetryLock, "python/poetry/poetry.lock" ; "poetry")]
#[test_case(Cataloger::Pylock, "python/pylock/pylock.toml" ; "pylock")]
fn snapshot(cataloger: Cataloger, rel: &str) {
    common::assert_fixture(cataloger, rel);
}

/// `fixtures/python/corrupt-lock/`: truncated copies of the uv and pipenv locks, wrong types
/// in the poetry and pylock ones: each an error naming its line.
#[test_case(Cataloger::UvLock, "python/corrupt-lock/uv/uv.lock" ; "uv")]
#[test_case(Cataloger::PipfileLock, "python/corrupt-lock/pipenv/Pipfile.lock" ; "pipenv")]
#[test_case(Cataloger::PoetryLock, "python/corrupt-lock/poetry/poetry.lock" ; "poetry")]
#[test_case(Cataloger::Pylock, "python/corrupt-lock/pylock/pylock.toml" ; "pylock")]
fn snapshot_corrupt(cataloger: Cataloger, rel: &str) {
    let err = common::snapshot::assert_fixture_outcome(cataloger, rel).expect_err(rel);
    assert!(err.line().is_some(), "{rel}: {err}");
}
