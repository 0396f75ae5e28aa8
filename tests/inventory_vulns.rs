//! `bomscout inventory --advisories`, `inventory rematch` and `query vulns` end to end: an
//! organization made of the real fixtures, matched against the real OSV records of
//! `fixtures/advisories` (see its SOURCES.md).

mod common;

use common::{bomscout, copy_tree, fixture, outcome, query};
use serde_json::Value;
use std::path::{Path, PathBuf};

const LOCK: &str = "maven/gradle-maybe/gradle.lockfile";

/// A repository `org/name` holding the real Gradle lockfile of the fixtures with one more
/// locked line (`extra`, e.g. a log4j-core version on a classpath), as Gradle writes them.
fn gradle_repo(org: &Path, name: &str, extra: &str) -> PathBuf {
    let dir = org.join(name);
    std::fs::create_dir_all(&dir).unwrap();
    let mut text = std::fs::read_to_string(fixture(LOCK)).unwrap();
    text = text.replace("empty=", &format!("{extra}\nempty="));
    assert!(
        text.contains(extra),
        "the lockfile ends with its `empty=` line"
    );
    std::fs::write(dir.join("gradle.lockfile"), text).unwrap();
    dir
}

/// svc ships log4j-core 2.14.1 (Log4Shell), tools uses 2.15.0 in tests only (fixed),
/// py is the real installed venv (pip 23.2.1: PYSEC-2023-228; setuptools 65.5.0).
fn org(root: &Path) -> PathBuf {
    let org = root.join("org");
    gradle_repo(
        &org,
        "svc",
        "org.apache.logging.log4j:log4j-core:2.14.1=compileClasspath,runtimeClasspath",
    );
    gradle_repo(
        &org,
        "tools",
        "org.apache.logging.log4j:log4j-core:2.15.0=testCompileClasspath,testRuntimeClasspath",
    );
    copy_tree(&fixture("python/installed"), &org.join("py"));
    org
}

/// A copy of the advisory fixtures the test may add records to.
fn advisory_copy(root: &Path) -> PathBuf {
    let dir = root.join("advisories");
    copy_tree(&fixture("advisories"), &dir);
    dir
}

fn inventory(root: &Path, org: &Path, db: &Path, advisories: &Path) -> (i32, String, String) {
    outcome(
        bomscout()
            .arg("inventory")
            .arg(org)
            .arg("--db")
            .arg(db)
            .args(["--repos-are-children", "--no-caches", "--advisory-db"])
            .arg(advisories)
            .env("BOMSCOUT_CACHE_DIR", root.join("cache")),
    )
}

fn inventory_ok(root: &Path, org: &Path, db: &Path, advisories: &Path) -> String {
    let (code, _, err) = inventory(root, org, db, advisories);
    assert_eq!(code, 0, "{err}");
    err
}

fn query_json(db: &Path, args: &[&str]) -> Value {
    let mut all = args.to_vec();
    all.extend(["-o", "json"]);
    let (code, out, err) = query(db, &all);
    assert_eq!(code, 0, "{err}");
    serde_json::from_str(&out).unwrap()
}

fn rows(v: &Value) -> &Vec<Value> {
    v.as_array().unwrap()
}

/// (id, repository, package, dev-only) of every row.
fn where_found(v: &Value) -> Vec<(String, String, String, bool)> {
    rows(v)
        .iter()
        .map(|r| {
            (
                r["id"].as_str().unwrap().to_string(),
                r["repository"].as_str().unwrap().to_string(),
                r["package"].as_str().unwrap().to_string(),
                r["dev-only"].as_bool().unwrap(),
            )
        })
        .collect()
}

const LOG4J_2_14: &str = "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1";

#[test]
fn where_in_the_organization_is_log4shell() {
    let tmp = tempfile::tempdir().unwrap();
    let org = org(tmp.path());
    let db = tmp.path().join("inv.db");
    let err = inventory_ok(tmp.path(), &org, &db, &fixture("advisories"));
    assert!(err.contains("known vulnerabilit"), "{err}");
    // By its CVE, in any case, although the record's own id is the GHSA.
    let found = query_json(&db, &["vulns", "--id", "cve-2021-44228"]);
    assert_eq!(
        where_found(&found),
        [(
            "GHSA-jfh8-c2jp-5v3q".to_string(),
            "org/svc".to_string(),
            LOG4J_2_14.to_string(),
            false
        )]
    );
    let row = &rows(&found)[0];
    assert_eq!(row["severity"], "critical");
    assert_eq!(row["score"], 10.0);
    assert_eq!(row["fixed"], "2.15.0");
    assert_eq!(row["version"], "2.14.1");
    assert_eq!(row["path"], "gradle.lockfile");
    assert_eq!(row["scope"], "required");
    assert!(row["aliases"].as_str().unwrap().contains("CVE-2021-44228"));
    // pip of the installed venv: one finding for the PYSEC record, its GHSA and its CVE.
    let pip = query_json(&db, &["vulns", "--id", "GHSA-mq26-g339-26xf"]);
    assert_eq!(
        where_found(&pip),
        [(
            "PYSEC-2023-228".to_string(),
            "org/py".to_string(),
            "pkg:pypi/pip@23.2.1".to_string(),
            false
        )]
    );
    assert_eq!(rows(&pip)[0]["severity"], "medium");
    // --severity high: high and worse only; unknown (unrated Go/PyPA records) is not on
    // that scale and is asked for by name.
    let high = query_json(&db, &["vulns", "--severity", "high"]);
    let ids: Vec<String> = where_found(&high).into_iter().map(|r| r.0).collect();
    assert_eq!(ids, ["GHSA-jfh8-c2jp-5v3q"]);
    let medium = query_json(&db, &["vulns", "--severity", "medium"]);
    let ids: Vec<String> = where_found(&medium).into_iter().map(|r| r.0).collect();
    assert_eq!(
        ids,
        ["GHSA-jfh8-c2jp-5v3q", "PYSEC-2023-228"],
        "worst first"
    );
    let unknown = query_json(&db, &["vulns", "--severity", "unknown"]);
    assert!(!rows(&unknown).is_empty());
    assert!(rows(&unknown).iter().all(|r| r["severity"] == "unknown"));
    let all = query_json(&db, &["vulns"]);
    assert_eq!(
        rows(&all).len(),
        rows(&medium).len() + rows(&unknown).len(),
        "{all:#}"
    );
    // An id nobody has: no rows, exit 0. A bad severity: a usage error.
    assert!(rows(&query_json(&db, &["vulns", "--id", "CVE-1999-0001"])).is_empty());
    let (code, _, err) = query(&db, &["vulns", "--severity", "severe"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("critical, high, medium"), "{err}");
}

#[test]
fn scorecard_and_html_count_vulnerabilities_per_repository() {
    let tmp = tempfile::tempdir().unwrap();
    let org = org(tmp.path());
    let db = tmp.path().join("inv.db");
    inventory_ok(tmp.path(), &org, &db, &fixture("advisories"));
    let card = query_json(&db, &["scorecard"]);
    let count = |repo: &str, key: &str| {
        rows(&card["repositories"])
            .iter()
            .find(|r| r["repository"] == repo)
            .unwrap()[key]
            .clone()
    };
    assert_eq!(count("org/svc", "vulnerabilities"), 1);
    assert_eq!(count("org/svc", "vulns_critical_high"), 1);
    assert_eq!(count("org/tools", "vulnerabilities"), 0, "2.15.0 is fixed");
    let py = count("org/py", "vulnerabilities").as_i64().unwrap();
    assert!(py >= 2, "pip and setuptools: {py}");
    assert_eq!(count("org/py", "vulns_critical_high"), 0);
    assert_eq!(card["org"]["vulnerabilities"].as_i64().unwrap(), py + 1);
    let html = tmp.path().join("card.html");
    let (code, _, err) = query(
        &db,
        &["scorecard", "-o", &format!("html={}", html.display())],
    );
    assert_eq!(code, 0, "{err}");
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("<th data-col=\"vulnerabilities\">"), "{page}");
    assert!(page.contains("<th data-col=\"critical-high\">"));
    assert!(page.contains("critical/high</div>"));

    // Without --advisories the counts are absent, not zero, and `vulns` refuses to answer.
    let plain = tmp.path().join("plain.db");
    let out = bomscout()
        .arg("inventory")
        .arg(&org)
        .arg("--db")
        .arg(&plain)
        .args(["--repos-are-children", "--no-caches", "-q"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let card = query_json(&plain, &["scorecard"]);
    assert!(card["org"]["vulnerabilities"].is_null(), "{card:#}");
    let (code, _, err) = query(&plain, &["vulns"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("not matched against advisories"), "{err}");
    assert!(err.contains("inventory rematch"), "{err}");
}

#[test]
fn diff_shows_vulnerabilities_fixed_and_introduced_between_nights() {
    let tmp = tempfile::tempdir().unwrap();
    let org = org(tmp.path());
    let db = tmp.path().join("inv.db");
    inventory_ok(tmp.path(), &org, &db, &fixture("advisories"));
    // Night two: svc upgrades past the fix; tools downgrades into the 2.4–2.12.2 range.
    gradle_repo(
        &org,
        "svc",
        "org.apache.logging.log4j:log4j-core:2.17.1=compileClasspath,runtimeClasspath",
    );
    gradle_repo(
        &org,
        "tools",
        "org.apache.logging.log4j:log4j-core:2.12.1=testCompileClasspath,testRuntimeClasspath",
    );
    inventory_ok(tmp.path(), &org, &db, &fixture("advisories"));
    let diff = query_json(&db, &["diff"]);
    let vulns: Vec<(String, String, String, String)> = rows(&diff)
        .iter()
        .filter(|r| r["change"].as_str().unwrap().starts_with("vulnerability-"))
        .map(|r| {
            (
                r["repository"].as_str().unwrap().to_string(),
                r["change"].as_str().unwrap().to_string(),
                r["package"].as_str().unwrap().to_string(),
                r["advisory"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let g = "GHSA-jfh8-c2jp-5v3q".to_string();
    assert_eq!(
        vulns,
        [
            (
                "org/svc".to_string(),
                "vulnerability-fixed".to_string(),
                LOG4J_2_14.to_string(),
                g.clone()
            ),
            (
                "org/tools".to_string(),
                "vulnerability-introduced".to_string(),
                "pkg:maven/org.apache.logging.log4j/log4j-core@2.12.1".to_string(),
                g.clone()
            ),
        ],
        "{diff:#}"
    );
    // The package rows are still there, with no advisory.
    assert!(rows(&diff).iter().any(|r| r["repository"] == "org/svc"
        && r["change"] == "upgraded"
        && r["advisory"].is_null()));
    // Tonight's Log4Shell is in tools, test-only.
    let now = query_json(&db, &["vulns", "--id", "CVE-2021-44228"]);
    assert_eq!(
        where_found(&now),
        [(
            g,
            "org/tools".to_string(),
            "pkg:maven/org.apache.logging.log4j/log4j-core@2.12.1".to_string(),
            true
        )]
    );
    assert_eq!(rows(&now)[0]["scope"], "dev");
    assert_eq!(rows(&now)[0]["fixed"], "2.12.2");
}

#[test]
fn rematch_finds_an_advisory_published_after_the_scan_without_scanning() {
    let tmp = tempfile::tempdir().unwrap();
    let org = org(tmp.path());
    // Last night's database did not have pip's advisory yet: both records that describe
    // it (PyPA's and GitHub's) are held back from the copy.
    let advisories = advisory_copy(tmp.path());
    let held = tmp.path().join("held");
    std::fs::create_dir(&held).unwrap();
    let records = [
        "pypa/vulns/pip/PYSEC-2023-228.yaml",
        "ghsa/GHSA-mq26-g339-26xf.json",
    ];
    for (i, r) in records.iter().enumerate() {
        std::fs::rename(advisories.join(r), held.join(i.to_string())).unwrap();
    }
    let db = tmp.path().join("inv.db");
    inventory_ok(tmp.path(), &org, &db, &advisories);
    assert!(rows(&query_json(&db, &["vulns", "--id", "CVE-2023-5752"])).is_empty());
    let before = query_json(&db, &["vulns"]);

    // The records are published; the repositories are gone from disk (nothing could be
    // scanned again), and the rematch still answers.
    for (i, r) in records.iter().enumerate() {
        std::fs::rename(held.join(i.to_string()), advisories.join(r)).unwrap();
    }
    std::fs::remove_dir_all(&org).unwrap();
    let (code, _, err) = outcome(
        bomscout()
            .args(["inventory", "rematch", "--db"])
            .arg(&db)
            .arg("--advisory-db")
            .arg(&advisories)
            .env("BOMSCOUT_CACHE_DIR", tmp.path().join("cache")),
    );
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("no repository scanned"), "{err}");
    let found = query_json(&db, &["vulns", "--id", "CVE-2023-5752"]);
    assert_eq!(
        where_found(&found),
        [(
            "PYSEC-2023-228".to_string(),
            "org/py".to_string(),
            "pkg:pypi/pip@23.2.1".to_string(),
            false
        )]
    );
    assert_eq!(rows(&found)[0]["fixed"], "23.3");
    // Everything found before is still found.
    let after = query_json(&db, &["vulns"]);
    assert_eq!(rows(&after).len(), rows(&before).len() + 1);
    // The rematch is a run of its own: the diff says what the new advisory introduced, and
    // nothing about packages (the SBOMs are the same).
    let runs = query_json(&db, &["runs"]);
    assert_eq!(rows(&runs).len(), 2);
    let diff = query_json(&db, &["diff"]);
    assert_eq!(rows(&diff).len(), 1, "{diff:#}");
    assert_eq!(diff[0]["change"], "vulnerability-introduced");
    assert_eq!(diff[0]["advisory"], "PYSEC-2023-228");
    assert_eq!(diff[0]["repository"], "org/py");
    // The scorecard of the rematch run has the repositories of the scanned one.
    let card = query_json(&db, &["scorecard"]);
    assert_eq!(rows(&card["repositories"]).len(), 3);
    assert_eq!(card["org"]["vulnerabilities"], before_org_plus_one(&db));
}

/// The organization's vulnerability count of run 1, plus one.
fn before_org_plus_one(db: &Path) -> i64 {
    let card = query_json(db, &["--run", "1", "scorecard"]);
    card["org"]["vulnerabilities"].as_i64().unwrap() + 1
}

#[test]
fn an_advisory_database_that_cannot_be_opened_stops_the_run() {
    let tmp = tempfile::tempdir().unwrap();
    let org = org(tmp.path());
    let db = tmp.path().join("inv.db");
    // Missing.
    let (code, _, err) = inventory(tmp.path(), &org, &db, &tmp.path().join("nowhere"));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("no such directory"), "{err}");
    assert!(!db.exists(), "nothing recorded");
    // Empty.
    let empty = tmp.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let (code, _, err) = inventory(tmp.path(), &org, &db, &empty);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("cannot be opened"), "{err}");
    assert!(err.contains("holds no"), "{err}");
    // Only a corrupt export.
    let corrupt = tmp.path().join("corrupt");
    std::fs::create_dir_all(corrupt.join("PyPI")).unwrap();
    std::fs::write(corrupt.join("PyPI/all.zip"), b"PK\x03\x04 truncated").unwrap();
    let (code, _, err) = inventory(tmp.path(), &org, &db, &corrupt);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("cannot be opened"), "{err}");
    assert!(!db.exists(), "nothing recorded");
    // --advisories alone with an empty cache: the same.
    let (code, _, err) = outcome(
        bomscout()
            .arg("inventory")
            .arg(&org)
            .arg("--db")
            .arg(&db)
            .args(["--repos-are-children", "--advisories"])
            .env_remove("BOMSCOUT_ADVISORY_DB")
            .env("BOMSCOUT_CACHE_DIR", tmp.path().join("empty-cache")),
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("advisories update"), "{err}");
    assert!(!db.exists());
    // rematch, too.
    let (code, _, err) = outcome(
        bomscout()
            .args(["inventory", "rematch", "--db"])
            .arg(tmp.path().join("missing.db"))
            .arg("--advisory-db")
            .arg(fixture("advisories")),
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("no such file"), "{err}");
}

#[test]
fn an_organization_vex_marks_its_findings_suppressed_in_every_run() {
    let tmp = tempfile::tempdir().unwrap();
    let org = org(tmp.path());
    let db = tmp.path().join("inv.db");
    let vex = tmp.path().join("org.openvex.json");
    std::fs::write(
        &vex,
        r#"{"@context": "https://openvex.dev/ns/v0.2.0", "@id": "https://example.com/vex/org",
            "author": "Security team", "timestamp": "2026-11-01T00:00:00Z", "version": 1,
            "statements": [{"vulnerability": {"name": "CVE-2023-5752"},
              "products": [{"@id": "pkg:pypi/pip@23.2.1"}], "status": "not_affected",
              "justification": "vulnerable_code_not_in_execute_path"}]}"#,
    )
    .unwrap();
    let (code, _, err) = outcome(
        bomscout()
            .arg("inventory")
            .arg(&org)
            .arg("--db")
            .arg(&db)
            .args(["--repos-are-children", "--no-caches", "--advisory-db"])
            .arg(fixture("advisories"))
            .arg("--vex")
            .arg(&vex)
            .env("BOMSCOUT_CACHE_DIR", tmp.path().join("cache")),
    );
    assert_eq!(code, 0, "{err}");
    let pip = query_json(&db, &["vulns", "--id", "CVE-2023-5752"]);
    let row = &rows(&pip)[0];
    let why = row["suppressed"].as_str().unwrap_or_default();
    assert!(
        why.starts_with("not_affected: vulnerable_code_not_in_execute_path")
            && why.contains("org.openvex.json"),
        "the state, the justification and the file that said so: {pip}"
    );
    // Still found by its id, but not counted: the scorecard counts open findings only.
    let log4shell = query_json(&db, &["vulns", "--id", "CVE-2021-44228"]);
    assert!(rows(&log4shell)[0]["suppressed"].is_null());
}
