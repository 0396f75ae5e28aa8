//! `audit`, `scan --advisories` and `check` on OS package databases against OSV's Debian and
//! Alpine records (`fixtures/advisories/{debian,alpine}`, see SOURCES.md there): a package is
//! looked up under its release (`distro` → `Debian:12`, `Alpine:v3.18`) and its source
//! package (apk's origin, dpkg's `Source`), in the distribution's version order.

mod common;

use bomscout_enrich::testing::{Canned, Server};
use common::{bomscout, copy_tree, fixture, outcome};
use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};

/// `bomscout ARGS` with its cache in `cache` (never the user's).
fn run(cache: &Path, args: &[&str]) -> (i32, String, String) {
    outcome(bomscout().env("BOMSCOUT_CACHE_DIR", cache).args(args))
}

fn advisories() -> String {
    fixture("advisories").display().to_string()
}

/// A root holding `fixtures/os/{apk_fixture}`'s `lib/apk/db/installed` and the real Alpine
/// 3.18.1 release file of `fixtures/os-advisories` as `etc/os-release` (neither Alpine database
/// fixture comes with one; see that directory's README).
fn alpine_root(dir: &Path, apk_fixture: &str) -> PathBuf {
    let root = dir.join(apk_fixture);
    copy_tree(&fixture(&format!("os/{apk_fixture}")), &root);
    std::fs::create_dir_all(root.join("etc")).unwrap();
    std::fs::copy(
        fixture("os-advisories/alpine-3.18-os-release"),
        root.join("etc/os-release"),
    )
    .unwrap();
    root
}

/// `audit PATH --advisory-db fixtures/advisories -o json`: exit code, `(id, purl, fixed)` of
/// every finding, stderr.
fn audit_json(cache: &Path, path: &Path) -> (i32, Vec<(String, String, String)>, String) {
    let (code, out, err) = run(
        cache,
        &[
            "audit",
            &path.display().to_string(),
            "--advisory-db",
            &advisories(),
            "-o",
            "json",
        ],
    );
    let json: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}{err}"));
    let mut findings: Vec<(String, String, String)> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["id"].as_str().unwrap().to_string(),
                f["purl"].as_str().unwrap().to_string(),
                f["fixed"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    findings.sort();
    (code, findings, err)
}

const NO_RELEASE: &str = "have no distro release; they were not matched against advisories";

#[test]
fn alpine_packages_are_matched_by_origin_under_their_release() {
    let cache = tempfile::tempdir().unwrap();
    let root = alpine_root(cache.path(), "alpine-trivy");
    let (code, findings, err) = audit_json(cache.path(), &root);
    // musl 1.1.14-r10 and its subpackage musl-utils (origin musl) are before Alpine 3.18's
    // fix 1.2.4-r3; the record is rated high (CVSS 7.0), which the default gate denies.
    assert_eq!(
        findings,
        [
            (
                "ALPINE-CVE-2025-26519".to_string(),
                "pkg:apk/alpine/musl-utils@1.1.14-r10?arch=x86_64&distro=alpine-3.18.1".to_string(),
                "1.2.4-r3".to_string(),
            ),
            (
                "ALPINE-CVE-2025-26519".to_string(),
                "pkg:apk/alpine/musl@1.1.14-r10?arch=x86_64&distro=alpine-3.18.1".to_string(),
                "1.2.4-r3".to_string(),
            ),
        ],
        "{err}"
    );
    assert_eq!(code, 1, "{err}");
    assert!(!err.contains(NO_RELEASE), "{err}");
}

#[test]
fn a_fixed_alpine_version_is_not_matched_though_a_later_branch_lists_it() {
    let cache = tempfile::tempdir().unwrap();
    let root = alpine_root(cache.path(), "alpine-syft");
    // musl 1.2.4_git20230717-r4 is past 3.18's fix (`_git` sorts after 1.2.4); 3.19's entry
    // (fixed 1.2.4_git20230717-r5) would include it, but this root is 3.18.
    let (code, findings, err) = audit_json(cache.path(), &root);
    assert_eq!(findings, [], "{err}");
    assert_eq!(code, 0, "{err}");
    assert!(!err.contains(NO_RELEASE), "{err}");
}

#[test]
fn debian_12_packages_match_only_debian_12_entries_of_their_source_package() {
    let cache = tempfile::tempdir().unwrap();
    // liblzma5 5.4.1-1 (source xz-utils): DEBIAN-CVE-2025-31115's Debian 12 fix is that very
    // version; DEBIAN-CVE-2024-3094's range (fixed 5.6.1+really5.4.5-1) includes it but is
    // filed for Debian 13 and 14 only.
    let (code, findings, err) = audit_json(cache.path(), &fixture("os/dpkg-host"));
    assert_eq!(findings, [], "{err}");
    assert_eq!(code, 0, "{err}");
    assert!(
        !err.contains(NO_RELEASE),
        "every package has its release: {err}"
    );
    assert!(
        !err.contains("ecosystems OSV does not cover"),
        "deb is covered now: {err}"
    );
}

#[test]
fn os_packages_without_a_release_are_said_once_never_silently_unmatched() {
    let cache = tempfile::tempdir().unwrap();
    // No etc/os-release beside this database: its purls have no distro.
    let (code, findings, err) = audit_json(cache.path(), &fixture("os/alpine-syft"));
    assert_eq!(findings, [], "{err}");
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = err.lines().filter(|l| l.contains(NO_RELEASE)).collect();
    assert_eq!(lines.len(), 1, "{err}");
    assert!(
        lines[0].contains("warning") && lines[0].contains("4 OS package(s)"),
        "{}",
        lines[0]
    );
}

#[test]
fn check_with_a_security_table_and_scan_with_advisories_see_os_findings() {
    let cache = tempfile::tempdir().unwrap();
    let root = alpine_root(cache.path(), "alpine-trivy");
    let root = root.display().to_string();
    let policy = cache.path().join("policy.toml");
    std::fs::write(
        &policy,
        "[licenses]\nallow = [\"category:permissive\", \"category:weak-copyleft\", \
         \"category:strong-copyleft\", \"category:public-domain\"]\n\
         review = [\"category:unknown\"]\n\
         [security]\ndeny-severity = \"high\"\n",
    )
    .unwrap();
    let (code, out, err) = run(
        cache.path(),
        &[
            "check",
            &root,
            "--policy",
            &policy.display().to_string(),
            "--advisory-db",
            &advisories(),
        ],
    );
    // The fixture's non-SPDX license fields are denied as well; the security half must deny
    // musl's advisory on its own line.
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        out.contains("vulnerable: ALPINE-CVE-2025-26519 [high 7.0]")
            && out.contains("high is at or above deny-severity high"),
        "{out}{err}"
    );

    let (code, out, err) = run(
        cache.path(),
        &[
            "scan",
            &root,
            "--advisories",
            "--advisory-db",
            &advisories(),
            "-o",
            "cyclonedx-json",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let doc: Value = serde_json::from_str(&out).unwrap();
    let vulns = doc["vulnerabilities"].as_array().unwrap();
    let ids: Vec<&str> = vulns.iter().filter_map(|v| v["id"].as_str()).collect();
    assert_eq!(ids, ["ALPINE-CVE-2025-26519"]);
    let mut refs: Vec<&str> = vulns[0]["affects"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a["ref"].as_str())
        .collect();
    refs.sort_unstable();
    assert_eq!(refs.len(), 2, "{refs:?}");
    assert!(refs.iter().all(|r| r.contains("musl")), "{refs:?}");
    let validator = common::schema("cyclonedx/bom-1.6.SNAPSHOT.schema.json");
    assert_eq!(common::errors(&validator, &doc), Vec::<String>::new());
}

/// OSV's export of a distribution: the fixture records of `dir`, one `ID.json` each.
fn export_of(dir: &str) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let mut files: Vec<PathBuf> = std::fs::read_dir(fixture(&format!("advisories/{dir}")))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    for f in files {
        let name = f.file_name().unwrap().to_str().unwrap().to_string();
        w.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        w.write_all(&std::fs::read(&f).unwrap()).unwrap();
    }
    w.finish().unwrap().into_inner()
}

#[test]
fn advisories_update_downloads_the_debian_and_alpine_exports_that_audit_then_reads() {
    let debian = export_of("debian");
    let alpine = export_of("alpine");
    let server = Server::start(move |req| match req.path.as_str() {
        "/Debian/all.zip" => Canned::ok(debian.clone()),
        "/Alpine/all.zip" => Canned::ok(alpine.clone()),
        _ => Canned::status(404),
    });
    let cache = tempfile::tempdir().unwrap();
    let url = server.url();
    let mut update = bomscout();
    update
        .args([
            "advisories",
            "update",
            "--ecosystem",
            "deb",
            "--ecosystem",
            "Alpine",
        ])
        .args(["--osv-url", url.as_str()])
        .env("BOMSCOUT_CACHE_DIR", cache.path())
        .env_remove("BOMSCOUT_OSV_URL")
        .env_remove("BOMSCOUT_ADVISORY_DB")
        .env_remove("HTTP_PROXY")
        .env_remove("http_proxy")
        .env_remove("ALL_PROXY")
        .env_remove("all_proxy");
    let (code, out, err) = outcome(&mut update);
    assert_eq!(code, 0, "{out}{err}");
    let mut paths: Vec<String> = server.requests().iter().map(|r| r.path.clone()).collect();
    paths.sort();
    assert_eq!(paths, ["/Alpine/all.zip", "/Debian/all.zip"]);
    assert!(cache.path().join("osv/Debian/all.zip").is_file());

    // The audit reads the cache: the Alpine export holds every branch, the 3.18 root is
    // matched against 3.18's entry only.
    let root = alpine_root(cache.path(), "alpine-trivy");
    let (code, out, err) = run(
        cache.path(),
        &["audit", &root.display().to_string(), "-o", "json"],
    );
    assert_eq!(code, 1, "{out}{err}");
    let json: Value = serde_json::from_str(&out).unwrap();
    let fixed: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["fixed"].as_str())
        .collect();
    assert_eq!(fixed, ["1.2.4-r3", "1.2.4-r3"], "{out}");
    let (code, out, err) = run(
        cache.path(),
        &[
            "audit",
            &fixture("os/dpkg-host").display().to_string(),
            "-o",
            "json",
        ],
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("\"findings\": []"), "{out}");
}
