//! The advisory database over real OSV records (`fixtures/advisories`, see its SOURCES.md):
//! loading trees and zip exports, the index, matching in each ecosystem's order, alias
//! merging, severity, and hostile input.

use bomscout_advisory::{Database, Location, Options, SourceKind};
use bomscout_core::vuln::{RatingMethod, VulnSeverity, Vulnerability};
use bomscout_core::{
    Catalog, Component, Ecosystem, Project, Sbom, SbomBuilder, Severity, OSV_CRATES_ECOSYSTEM,
};
use std::io::Write;
use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/advisories")
}

fn open_tree(dir: &Path) -> Database {
    Database::open(&Location::path(dir), &Options::default()).expect("database opens")
}

/// An SBOM of the given `(ecosystem, namespace, name, version)` components.
fn sbom(components: &[(Ecosystem, Option<&str>, &str, &str)]) -> Sbom {
    let mut catalog = Catalog::default();
    let mut project = Project::new(Ecosystem::Generic, "app/lock");
    for (eco, ns, name, version) in components {
        let id = catalog.add_package(Component::new(*eco, *ns, name, version).unwrap());
        project.add_dep(id, bomscout_core::DepKind::Normal);
    }
    catalog.add_project(project);
    let mut builder = SbomBuilder::new("app");
    builder.add(catalog);
    builder.finish()
}

/// `(id, component key, fixed)` of every finding, sorted.
fn findings(vulns: &[Vulnerability]) -> Vec<(String, String, Option<String>)> {
    let mut out: Vec<_> = vulns
        .iter()
        .flat_map(|v| {
            v.affects
                .iter()
                .map(|a| (v.advisory.id.clone(), a.component.clone(), a.fixed.clone()))
        })
        .collect();
    out.sort();
    out
}

fn ids_for(vulns: &[Vulnerability], key: &str) -> Vec<String> {
    vulns
        .iter()
        .filter(|v| v.affects.iter().any(|a| a.component == key))
        .map(|v| v.advisory.id.clone())
        .collect()
}

/// Files of the fixture tree containing `needle`.
fn count_files(dir: &Path, needle: &str) -> u64 {
    let mut n = 0;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if matches!(
                p.extension().and_then(|x| x.to_str()),
                Some("json" | "yaml")
            ) {
                let text = std::fs::read_to_string(&p).unwrap();
                if text.contains(needle) {
                    n += 1;
                }
            }
        }
    }
    n
}

#[test]
fn the_real_record_tree_loads_withdrawn_records_are_counted_not_indexed() {
    let db = open_tree(&fixtures());
    assert!(db.diagnostics().is_empty(), "{:?}", db.diagnostics());
    let status = db.status();
    assert_eq!(status.len(), 1);
    let s = &status[0];
    assert_eq!(s.kind, SourceKind::Tree);
    let total = count_files(&fixtures(), "");
    let withdrawn = count_files(&fixtures().join("pypa"), "\nwithdrawn:")
        + count_files(&fixtures().join("go"), "\"withdrawn\"");
    assert!(withdrawn >= 20, "the fixtures hold withdrawn records");
    assert_eq!(s.withdrawn, withdrawn);
    assert_eq!(s.records + s.withdrawn, total);
    assert!(s.ecosystems.get("PyPI").copied().unwrap_or(0) > 150);
    assert!(s.ecosystems.get("Go").copied().unwrap_or(0) > 50);
    assert!(s.newest_modified.is_some());
}

#[test]
fn pip_and_setuptools_of_the_installed_fixture_are_matched_end_to_end() {
    // The real installed environment of fixtures/python, read by the catalog.
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/python/installed");
    let root = std::fs::canonicalize(root).unwrap();
    let site = root.join("venv/lib/python3.11/site-packages");
    let options = bomscout_catalog::Options {
        read_caches: false,
        ..Default::default()
    };
    let mut builder = SbomBuilder::new("installed");
    for dist in [
        "pip-23.2.1.dist-info",
        "setuptools-65.5.0.dist-info",
        "requests-2.34.2.dist-info",
    ] {
        let abs = site.join(dist).join("METADATA");
        let detected = bomscout_core::Detected {
            rel: abs
                .strip_prefix(&root)
                .unwrap()
                .to_string_lossy()
                .into_owned(),
            abs,
            cataloger: bomscout_core::Cataloger::PythonInstalled,
            root: root.clone(),
        };
        builder.add(bomscout_catalog::catalog_file(
            &detected,
            &bomscout_catalog::DISK,
            &options,
        ));
    }
    let sbom = builder.finish();
    assert_eq!(sbom.components.len(), 3, "{:?}", sbom.diagnostics);
    let db = open_tree(&fixtures());
    let matched = db.match_sbom(&sbom);
    let pip = "pkg:pypi/pip@23.2.1";
    let setuptools = "pkg:pypi/setuptools@65.5.0";
    assert_eq!(ids_for(&matched.vulnerabilities, pip), ["PYSEC-2023-228"]);
    assert_eq!(
        ids_for(&matched.vulnerabilities, setuptools),
        ["PYSEC-2022-43012"]
    );
    assert!(ids_for(&matched.vulnerabilities, "pkg:pypi/requests@2.34.2").is_empty());
    let pip_vuln = matched
        .vulnerabilities
        .iter()
        .find(|v| v.affects.iter().any(|a| a.component == pip))
        .unwrap();
    // PYSEC-2023-228 and GHSA-mq26-g339-26xf share CVE-2023-5752: one finding, the PyPA
    // id primary, both others aliases, GitHub's CVSS vector scored.
    assert_eq!(pip_vuln.advisory.id, "PYSEC-2023-228");
    assert_eq!(
        pip_vuln.advisory.aliases.iter().collect::<Vec<_>>(),
        ["CVE-2023-5752", "GHSA-mq26-g339-26xf"]
    );
    assert_eq!(pip_vuln.affects.len(), 1);
    assert_eq!(pip_vuln.affects[0].fixed.as_deref(), Some("23.3"));
    let cvss = pip_vuln
        .advisory
        .ratings
        .iter()
        .find(|r| r.method == RatingMethod::CvssV31)
        .expect("the GHSA's CVSS 3.1 vector");
    assert_eq!(cvss.score, Some(5.5));
    assert_eq!(pip_vuln.advisory.severity, VulnSeverity::Medium);
    assert_eq!(
        pip_vuln.advisory.source.url.as_deref(),
        Some("pypa/vulns/pip/PYSEC-2023-228.yaml")
    );
    assert_eq!(pip_vuln.advisory.source.name, "PyPA Advisory Database");
    // The record's FIX reference (the pull request) is kept apart for SPDX's `fix`.
    assert!(
        pip_vuln
            .advisory
            .fixes
            .contains(&"https://github.com/pypa/pip/pull/12306".to_string()),
        "{:?}",
        pip_vuln.advisory.fixes
    );
    // setuptools' record also has a GIT range: said once, as info, not evaluated.
    let setuptools_vuln = matched
        .vulnerabilities
        .iter()
        .find(|v| v.advisory.id == "PYSEC-2022-43012")
        .unwrap();
    assert_eq!(setuptools_vuln.affects[0].fixed.as_deref(), Some("65.5.1"));
    assert_eq!(setuptools_vuln.advisory.severity, VulnSeverity::Unknown);
    let git: Vec<_> = matched
        .diagnostics
        .iter()
        .filter(|d| d.message.contains("GIT"))
        .collect();
    assert_eq!(git.len(), 1, "{:?}", matched.diagnostics);
    assert_eq!(git[0].severity, Severity::Info);
}

#[test]
fn a_go_mod_of_the_fixtures_is_matched_with_pseudo_versions() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/golang/hc-vendor/go.mod");
    let bytes = std::fs::read(&path).unwrap();
    let options = bomscout_catalog::Options::default();
    let input = bomscout_catalog::Input {
        bytes: &bytes,
        shared_path: &bomscout_core::SharedStr::from("hc-vendor/go.mod"),
        abs: &path,
        root: path.parent().unwrap(),
        options: &options,
        tree: &bomscout_catalog::DISK,
    };
    let catalog = bomscout_catalog::parse(bomscout_core::Cataloger::GoMod, &input).unwrap();
    let mut builder = SbomBuilder::new("hc");
    builder.add(catalog);
    let sbom = builder.finish();
    let db = open_tree(&fixtures());
    let matched = db.match_sbom(&sbom);
    let net = "pkg:golang/golang.org/x/net@v0.0.0-20190125091013-d26f9f9a57f3";
    let net_ids = ids_for(&matched.vulnerabilities, net);
    // GO-2020-0014 is fixed in exactly this pseudo-version, GO-2022-0197 earlier the same
    // day: neither affects it; GO-2022-0536 (fixed 2019-08-13) does.
    assert!(
        !net_ids.contains(&"GO-2020-0014".to_string()),
        "{net_ids:?}"
    );
    assert!(
        !net_ids.contains(&"GO-2022-0197".to_string()),
        "{net_ids:?}"
    );
    assert!(net_ids.contains(&"GO-2022-0536".to_string()), "{net_ids:?}");
    let crypto = "pkg:golang/golang.org/x/crypto@v0.0.0-20181203042331-505ab145d0a9";
    let crypto_ids = ids_for(&matched.vulnerabilities, crypto);
    assert!(crypto_ids.contains(&"GO-2022-0209".to_string()));
    assert!(!crypto_ids.contains(&"GO-2020-0013".to_string()));
    let f = findings(&matched.vulnerabilities);
    assert!(f.contains(&(
        "GO-2022-0209".into(),
        crypto.into(),
        Some("v0.0.0-20190320223903-b7391e95e576".into())
    )));
    let dns = "pkg:golang/github.com/miekg/dns@v1.1.4";
    assert_eq!(
        ids_for(&matched.vulnerabilities, dns),
        ["GO-2020-0008"],
        "fixed in 1.1.25-0.2019… (a pseudo-version above 1.1.4); 1.0.10 and 1.0.4-0.… are below"
    );
    // Sorted by id; affects by component key.
    let ids: Vec<_> = matched
        .vulnerabilities
        .iter()
        .map(|v| &v.advisory.id)
        .collect();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted);
}

#[test]
fn go_incompatible_versions_compare_as_semver() {
    // GO-2021-0072: github.com/docker/distribution fixed in 2.7.0-rc.0+incompatible.
    let db = open_tree(&fixtures().join("go"));
    let s = sbom(&[
        (
            Ecosystem::Golang,
            Some("github.com/docker"),
            "distribution",
            "v2.6.2+incompatible",
        ),
        (
            Ecosystem::Golang,
            Some("github.com/docker"),
            "distribution",
            "v2.7.1+incompatible",
        ),
    ]);
    let m = db.match_sbom(&s);
    assert_eq!(
        findings(&m.vulnerabilities)
            .into_iter()
            .filter(|f| f.0 == "GO-2021-0072")
            .collect::<Vec<_>>(),
        [(
            "GO-2021-0072".to_string(),
            "pkg:golang/github.com/docker/distribution@v2.6.2%2Bincompatible".to_string(),
            Some("v2.7.0-rc.0+incompatible".to_string())
        )]
    );
}

#[test]
fn pep440_hard_cases_in_real_ranges() {
    let db = open_tree(&fixtures().join("pypa"));
    let check = |name: &str, version: &str, id: &str| -> Option<Option<String>> {
        let s = sbom(&[(Ecosystem::PyPI, None, name, version)]);
        let m = db.match_sbom(&s);
        m.vulnerabilities
            .iter()
            .find(|v| v.advisory.id == id)
            .map(|v| v.affects[0].fixed.clone())
    };
    // Django PYSEC-2022-213: [3.2, 3.2.14) and [4.0, 4.0.6).
    let id = "PYSEC-2022-213";
    assert_eq!(check("Django", "3.2.13", id), Some(Some("3.2.14".into())));
    assert_eq!(
        check("django", "3.2.14rc1", id),
        Some(Some("3.2.14".into())),
        "pre-release below"
    );
    assert_eq!(
        check("django", "3.2.14.dev0", id),
        Some(Some("3.2.14".into())),
        "dev below"
    );
    assert_eq!(
        check("django", "3.2.13+ubuntu1", id),
        Some(Some("3.2.14".into())),
        "local"
    );
    assert_eq!(check("django", "3.2.14", id), None);
    assert_eq!(check("django", "3.2.14.post1", id), None, "post above");
    assert_eq!(
        check("django", "3.2.0", id),
        Some(Some("3.2.14".into())),
        "3.2.0 == 3.2"
    );
    assert_eq!(check("django", "3.1.99", id), None);
    assert_eq!(check("django", "4.0.5", id), Some(Some("4.0.6".into())));
    // py PYSEC-2022-42969: last_affected 1.11.0, no fix.
    let id = "PYSEC-2022-42969";
    assert_eq!(check("py", "1.11.0", id), Some(None));
    assert_eq!(check("py", "1.11.0.post1", id), None);
    // salt PYSEC-2021-73: fifteen introduced/fixed pairs, a fix that is a pre-release.
    let id = "PYSEC-2021-73";
    assert_eq!(
        check("salt", "2015.8.9", id),
        Some(Some("2015.8.10".into()))
    );
    assert_eq!(check("salt", "2015.8.10", id), None);
    assert_eq!(
        check("salt", "2015.8.11", id),
        Some(Some("2015.8.13".into()))
    );
    assert_eq!(check("salt", "2016.3.5", id), Some(Some("2016.3.6".into())));
    assert_eq!(check("salt", "2018.2.9", id), None, "between two pairs");
    assert_eq!(
        check("salt", "2018.3.0rc1", id),
        Some(Some("2019.2.0rc1".into()))
    );
    assert_eq!(
        check("salt", "2018.3.5", id),
        Some(Some("2019.2.0rc1".into()))
    );
    assert_eq!(check("salt", "3002.4", id), Some(Some("3002.5".into())));
    assert_eq!(check("salt", "3003", id), None);
    // PEP 503: the record says PyYAML; `pyyaml` and `PyYAML` are one package.
    let lower = db.match_sbom(&sbom(&[(Ecosystem::PyPI, None, "pyyaml", "5.3")]));
    let upper = db.match_sbom(&sbom(&[(Ecosystem::PyPI, None, "PyYAML", "5.3")]));
    assert!(!lower.vulnerabilities.is_empty());
    assert_eq!(
        lower
            .vulnerabilities
            .iter()
            .map(|v| &v.advisory.id)
            .collect::<Vec<_>>(),
        upper
            .vulnerabilities
            .iter()
            .map(|v| &v.advisory.id)
            .collect::<Vec<_>>()
    );
}

#[test]
fn maven_qualifiers_last_affected_and_versions_lists_of_log4shell() {
    let db = open_tree(&fixtures().join("ghsa"));
    let core = Some("org.apache.logging.log4j");
    let s = sbom(&[
        (Ecosystem::Maven, core, "log4j-core", "2.14.1"),
        (Ecosystem::Maven, core, "log4j-core", "2.0-beta9"),
        (Ecosystem::Maven, core, "log4j-core", "2.0-alpha1"),
        (Ecosystem::Maven, core, "log4j-core", "2.12.1"),
        (Ecosystem::Maven, core, "log4j-core", "2.12.2"),
        (Ecosystem::Maven, core, "log4j-core", "2.15.0"),
        (Ecosystem::Maven, core, "log4j-core", "2.13.0-SNAPSHOT"),
        (
            Ecosystem::Maven,
            Some("com.guicedee.services"),
            "log4j-core",
            "1.2.1.2-jre17",
        ),
        (
            Ecosystem::Maven,
            Some("com.guicedee.services"),
            "log4j-core",
            "1.2.1.3",
        ),
        (
            Ecosystem::Maven,
            Some("uk.co.nichesolutions.logging.log4j"),
            "log4j-core",
            "2.6.3-CUSTOM",
        ),
        (
            Ecosystem::Maven,
            Some("uk.co.nichesolutions.logging.log4j"),
            "log4j-core",
            "2.6.3",
        ),
    ]);
    let m = db.match_sbom(&s);
    assert_eq!(m.vulnerabilities.len(), 1);
    let v = &m.vulnerabilities[0];
    assert_eq!(v.advisory.id, "GHSA-jfh8-c2jp-5v3q");
    assert_eq!(v.advisory.severity, VulnSeverity::Critical);
    assert_eq!(v.advisory.score(), Some(10.0));
    assert!(v.advisory.aliases.contains("CVE-2021-44228"));
    let got: Vec<(&str, Option<&str>)> = v
        .affects
        .iter()
        .map(|a| (a.component.as_str(), a.fixed.as_deref()))
        .collect();
    assert_eq!(
        got,
        [
            (
                "pkg:maven/com.guicedee.services/log4j-core@1.2.1.2-jre17",
                None
            ),
            (
                "pkg:maven/org.apache.logging.log4j/log4j-core@2.0-beta9",
                Some("2.3.1")
            ),
            (
                "pkg:maven/org.apache.logging.log4j/log4j-core@2.12.1",
                Some("2.12.2")
            ),
            // 2.13.0-SNAPSHOT sorts above 2.12.2 and below 2.13.0: in no range. 2.0-alpha1
            // sorts below 2.0-beta9: not affected.
            (
                "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1",
                Some("2.15.0")
            ),
            (
                "pkg:maven/uk.co.nichesolutions.logging.log4j/log4j-core@2.6.3-CUSTOM",
                None
            ),
        ]
    );
}

#[test]
fn rust_records_use_the_registry_ecosystem_name() {
    let dir = tempfile::tempdir().unwrap();
    let record = serde_json::json!({
        "id": "RUSTSEC-2099-0001",
        "aliases": ["GHSA-aaaa-bbbb-cccc"],
        "affected": [{
            "package": {"ecosystem": OSV_CRATES_ECOSYSTEM, "name": "some_crate"},
            "ranges": [{"type": "SEMVER", "events": [
                {"introduced": "0.0.0-0"}, {"fixed": "0.9.1"},
                {"introduced": "1.0.0-alpha.1"}, {"fixed": "1.2.0"}]}]
        }]
    });
    std::fs::write(
        dir.path().join("RUSTSEC-2099-0001.json"),
        serde_json::to_vec(&record).unwrap(),
    )
    .unwrap();
    let db = open_tree(dir.path());
    let s = sbom(&[
        (Ecosystem::Cargo, None, "some_crate", "0.9.0"),
        (Ecosystem::Cargo, None, "some_crate", "0.9.1"),
        (Ecosystem::Cargo, None, "some_crate", "1.0.0-beta.2"),
        (Ecosystem::Cargo, None, "some_crate", "1.2.0"),
        (Ecosystem::Cargo, None, "some-crate", "0.9.0"),
    ]);
    let m = db.match_sbom(&s);
    assert_eq!(
        findings(&m.vulnerabilities),
        [
            (
                "RUSTSEC-2099-0001".to_string(),
                "pkg:cargo/some_crate@0.9.0".to_string(),
                Some("0.9.1".to_string())
            ),
            (
                "RUSTSEC-2099-0001".to_string(),
                "pkg:cargo/some_crate@1.0.0-beta.2".to_string(),
                Some("1.2.0".to_string())
            ),
        ]
    );
    assert_eq!(
        m.vulnerabilities[0].advisory.source.name,
        "RustSec Advisory Database"
    );
}

#[test]
fn unresolved_components_are_counted_once() {
    let db = open_tree(&fixtures().join("ghsa"));
    let mut catalog = Catalog::default();
    let mut project = Project::new(Ecosystem::PyPI, "app/requirements.in");
    for name in ["pip", "django"] {
        let id =
            catalog.add_package(Component::unresolved(Ecosystem::PyPI, None, name, ">=1").unwrap());
        project.add_dep(id, bomscout_core::DepKind::Normal);
    }
    catalog.add_project(project);
    let mut builder = SbomBuilder::new("app");
    builder.add(catalog);
    let m = db.match_sbom(&builder.finish());
    assert!(m.vulnerabilities.is_empty());
    let d: Vec<_> = m
        .diagnostics
        .iter()
        .filter(|d| d.message.contains("without a resolved version"))
        .collect();
    assert_eq!(d.len(), 1);
    assert!(
        d[0].message.starts_with("2 component(s)"),
        "{}",
        d[0].message
    );
}

// ---- zip exports ----

/// Writes `{dir}/{ecosystem}/all.zip` holding the given `(name, bytes)` entries.
fn write_zip(dir: &Path, ecosystem: &str, entries: &[(String, Vec<u8>)]) -> PathBuf {
    let path = dir.join(ecosystem).join("all.zip");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let file = std::fs::File::create(&path).unwrap();
    let mut zip = zip::ZipWriter::new(file);
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in entries {
        zip.start_file(name.as_str(), opts).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap();
    path
}

/// The Go fixtures as `(entry name, JSON)`, as OSV's Go export holds them.
fn go_entries() -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<_> = std::fs::read_dir(fixtures().join("go"))
        .unwrap()
        .flatten()
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

/// The PyPA fixtures converted to JSON, as OSV's PyPI export holds them.
fn pypi_entries() -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![fixtures().join("pypa")];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let v: serde_json::Value =
                    serde_norway::from_slice(&std::fs::read(&p).unwrap()).unwrap();
                let name = p.file_stem().unwrap().to_string_lossy().into_owned() + ".json";
                out.push((name, serde_json::to_vec(&v).unwrap()));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn exports_load_per_ecosystem_and_a_corrupt_zip_only_loses_its_own() {
    let dir = tempfile::tempdir().unwrap();
    write_zip(dir.path(), "Go", &go_entries());
    let pypi = write_zip(dir.path(), "PyPI", &pypi_entries());
    // Truncate the PyPI export: its central directory is gone.
    let bytes = std::fs::read(&pypi).unwrap();
    std::fs::write(&pypi, &bytes[..bytes.len() / 2]).unwrap();
    let db = open_tree(dir.path());
    let status = db.status();
    assert_eq!(status.len(), 1, "only Go loaded");
    assert_eq!(status[0].name, "Go");
    assert_eq!(status[0].kind, SourceKind::Export);
    let errors: Vec<_> = db
        .diagnostics()
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .collect();
    assert_eq!(errors.len(), 1, "{:?}", db.diagnostics());
    assert!(errors[0].path.ends_with("all.zip"));
    assert!(errors[0].message.contains("PyPI"), "{}", errors[0].message);
    let s = sbom(&[(Ecosystem::Golang, Some("github.com/miekg"), "dns", "v1.1.4")]);
    let m = db.match_sbom(&s);
    assert_eq!(
        ids_for(&m.vulnerabilities, "pkg:golang/github.com/miekg/dns@v1.1.4"),
        ["GO-2020-0008"]
    );
    assert_eq!(
        m.vulnerabilities[0].advisory.source.url.as_deref(),
        Some("Go/all.zip#GO-2020-0008.json")
    );
}

#[test]
fn only_corrupt_exports_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("npm")).unwrap();
    std::fs::write(dir.path().join("npm/all.zip"), b"PK\x03\x04 not really").unwrap();
    let err = Database::open(&Location::path(dir.path()), &Options::default()).unwrap_err();
    assert!(err.to_string().contains("could be loaded"), "{err}");
}

#[test]
fn an_empty_or_missing_location_is_an_error_that_says_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let err = Database::open(&Location::path(dir.path()), &Options::default()).unwrap_err();
    assert!(err.to_string().contains("advisories update"), "{err}");
    let err = Database::open(
        &Location::path(dir.path().join("nope")),
        &Options::default(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("advisories update"), "{err}");
}

#[test]
fn a_zip_bomb_entry_and_malformed_records_are_diagnostics_the_rest_loads() {
    let dir = tempfile::tempdir().unwrap();
    let mut entries = go_entries();
    // 16 MiB of zeros deflate to a few KiB: over the 1 MiB limit set below.
    entries.push(("BOMB.json".into(), vec![b' '; 16 * 1024 * 1024]));
    entries.push((
        "BROKEN.json".into(),
        b"{\"id\": \"GO-x\", \"affected\": [".to_vec(),
    ));
    entries.push(("NOID.json".into(), b"{\"summary\": \"no id\"}".to_vec()));
    write_zip(dir.path(), "Go", &entries);
    let options = Options {
        max_record_bytes: 1024 * 1024,
        ..Options::default()
    };
    let db = Database::open(&Location::path(dir.path()), &options).unwrap();
    let status = &db.status()[0];
    assert_eq!(status.skipped, 3);
    let messages: Vec<_> = db.diagnostics().iter().map(|d| d.to_string()).collect();
    assert_eq!(messages.len(), 3, "{messages:?}");
    assert!(messages
        .iter()
        .any(|m| m.contains("BOMB.json") && m.contains("limit")));
    assert!(messages.iter().any(|m| m.contains("BROKEN.json")));
    assert!(messages.iter().any(|m| m.contains("NOID.json")));
    assert!(status.records > 50);
}

#[test]
fn the_index_is_built_once_and_rebuilt_when_the_export_changes() {
    let dir = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let entries = go_entries();
    let zip = write_zip(dir.path(), "Go", &entries[..40]);
    let options = Options {
        index_dir: Some(cache.path().join("osv-index")),
        ..Options::default()
    };
    let first = Database::open(&Location::path(dir.path()), &options).unwrap();
    let first_status = first.status();
    drop(first);
    let files: Vec<_> = std::fs::read_dir(cache.path().join("osv-index"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let built = std::fs::metadata(&files[0]).unwrap().modified().unwrap();
    let second = Database::open(&Location::path(dir.path()), &options).unwrap();
    assert_eq!(second.status(), first_status);
    assert_eq!(
        std::fs::metadata(&files[0]).unwrap().modified().unwrap(),
        built,
        "reused"
    );
    drop(second);
    // A new export (another size): rebuilt.
    write_zip(dir.path(), "Go", &entries);
    let third = Database::open(&Location::path(dir.path()), &options).unwrap();
    assert!(third.status()[0].records > first_status[0].records);
    // A truncated export: the previous index answers, with a warning.
    let bytes = std::fs::read(&zip).unwrap();
    std::fs::write(&zip, &bytes[..100]).unwrap();
    let fourth = Database::open(&Location::path(dir.path()), &options).unwrap();
    assert_eq!(fourth.status()[0].records, third.status()[0].records);
    assert!(fourth
        .diagnostics()
        .iter()
        .any(|d| d.severity == Severity::Warning && d.message.contains("previous copy")));
    // The database directory itself was never written to.
    let in_db: Vec<_> = std::fs::read_dir(dir.path().join("Go"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(in_db, ["all.zip"]);
}

#[test]
fn a_tree_with_a_yaml_float_version_reports_the_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("PYSEC-0000-1.yaml"),
        "id: PYSEC-0000-1\naffected:\n- package: {name: a, ecosystem: PyPI}\n  ranges:\n  - type: ECOSYSTEM\n    events:\n    - introduced: \"0\"\n    - fixed: 1.10\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("PYSEC-0000-2.yaml"),
        "id: PYSEC-0000-2\naffected:\n- package: {name: a, ecosystem: PyPI}\n  versions: [\"1.0\"]\n",
    )
    .unwrap();
    let db = open_tree(dir.path());
    assert_eq!(db.status()[0].records, 1);
    let d = &db.diagnostics()[0];
    assert!(d.path.ends_with("PYSEC-0000-1.yaml"), "{d}");
    assert!(d.message.contains("quote it"), "{d}");
}

#[test]
fn a_yaml_alias_bomb_is_a_diagnostic_not_an_allocation() {
    // Nine levels of nine aliases: 9^9 strings if expanded.
    let mut text = String::from("a0: &a0 [\"x\"]\n");
    for i in 1..10 {
        let prev = format!("*a{}", i - 1);
        let refs = vec![prev; 9].join(", ");
        text.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
    }
    text.push_str("id: PYSEC-0000-3\naliases: *a9\n");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bomb.yaml"), &text).unwrap();
    std::fs::write(
        dir.path().join("ok.yaml"),
        "id: PYSEC-0000-4\naffected:\n- package: {name: a, ecosystem: PyPI}\n  versions: [\"1.0\"]\n",
    )
    .unwrap();
    let db = open_tree(dir.path());
    assert_eq!(db.status()[0].records, 1);
    assert_eq!(db.status()[0].skipped, 1);
    assert!(db.diagnostics()[0].path.ends_with("bomb.yaml"));
}
