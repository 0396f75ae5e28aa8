//! `audit`, `scan --advisories` and the security half of `check`, end to end over real OSV
//! records (`fixtures/advisories`, see its SOURCES.md) and a real installed environment
//! (`fixtures/python/installed`: pip 23.2.1 and setuptools 65.5.0, both with advisories).

mod common;

use common::{bomscout, fixture, outcome};
use serde_json::Value;
use std::path::Path;

/// `bomscout ARGS` with its cache in `cache` (never the user's).
fn run(cache: &Path, args: &[&str]) -> (i32, String, String) {
    outcome(bomscout().env("BOMSCOUT_CACHE_DIR", cache).args(args))
}

fn python() -> String {
    fixture("python/installed").display().to_string()
}

fn advisories() -> String {
    fixture("advisories").display().to_string()
}

/// `bomscout audit` of the installed environment against the fixture records, then `extra`.
fn audit(cache: &Path, extra: &[&str]) -> (i32, String, String) {
    let (python, db) = (python(), advisories());
    let mut args = vec!["audit", python.as_str(), "--advisory-db", db.as_str()];
    args.extend(extra);
    run(cache, &args)
}

/// A policy whose licenses the fixture passes and whose security table denies medium and
/// above.
const GATE: &str = "[licenses]\nallow = [\"category:permissive\", \"category:weak-copyleft\", \"category:public-domain\"]\n\
    [security]\ndeny-severity = \"medium\"\n";

/// Writes `toml` as `policy.toml` in `dir`; returns its path.
fn write_policy(dir: &Path, toml: &str) -> String {
    let path = dir.join("policy.toml");
    std::fs::write(&path, toml).unwrap();
    path.display().to_string()
}

#[test]
fn audit_lists_each_finding_with_aliases_severity_fix_and_path() {
    let cache = tempfile::tempdir().unwrap();
    let (code, out, err) = audit(cache.path(), &[]);
    assert_eq!(
        code, 0,
        "medium and unknown are reviewed, not denied: {err}"
    );
    let pip = out
        .lines()
        .find(|l| l.contains("PYSEC-2023-228"))
        .expect("pip's advisory");
    for word in [
        "pip",
        "23.2.1",
        "medium 5.5",
        "upgrade to 23.3",
        "CVE-2023-5752",
        "GHSA-mq26-g339-26xf",
    ] {
        assert!(pip.contains(word), "{word} in {pip:?}");
    }
    let setuptools = out
        .lines()
        .find(|l| l.contains("PYSEC-2022-43012"))
        .expect("setuptools' advisory");
    assert!(
        setuptools.starts_with("unknown"),
        "no severity published: unknown, never low: {setuptools:?}"
    );
    // The index is kept in the cache, not beside the database.
    assert!(cache.path().join("osv-index").is_dir());
}

#[test]
fn audit_fails_when_the_policy_denies_the_severity() {
    let cache = tempfile::tempdir().unwrap();
    let policy = write_policy(
        cache.path(),
        "[security]\ndeny-severity = \"medium\"\nreview-severity = \"low\"\n",
    );
    let (code, out, err) = audit(cache.path(), &["--policy", &policy, "-o", "json"]);
    assert_eq!(code, 1, "{out}{err}");
    let json: Value = serde_json::from_str(&out).expect("json report");
    assert!(out.contains("PYSEC-2023-228"), "{json}");
}

#[test]
fn an_ignore_with_a_reason_sets_the_finding_aside_and_the_audit_passes() {
    let cache = tempfile::tempdir().unwrap();
    let policy = write_policy(
        cache.path(),
        "[security]\ndeny-severity = \"medium\"\n\n[[security.ignore]]\nid = \"CVE-2023-5752\"\n\
         reason = \"pip is only used at build time here\"\n",
    );
    let (code, out, err) = audit(cache.path(), &["--policy", &policy]);
    assert_eq!(code, 0, "the alias matches the ignore: {out}{err}");
    assert!(
        out.contains("pip is only used at build time here"),
        "the reason is shown with the set-aside finding: {out}"
    );
}

#[test]
fn a_vex_statement_suppresses_with_its_justification() {
    let cache = tempfile::tempdir().unwrap();
    let vex = cache.path().join("vex.json");
    std::fs::write(
        &vex,
        r#"{
  "@context": "https://openvex.dev/ns/v0.2.0",
  "@id": "https://example.com/vex/2026-001",
  "author": "Example Security",
  "timestamp": "2026-11-01T00:00:00Z",
  "version": 1,
  "statements": [
    {
      "vulnerability": { "name": "CVE-2023-5752" },
      "products": [ { "@id": "pkg:pypi/pip@23.2.1" } ],
      "status": "not_affected",
      "justification": "vulnerable_code_not_in_execute_path"
    }
  ]
}"#,
    )
    .unwrap();
    let (code, out, err) = run(
        cache.path(),
        &[
            "scan",
            &python(),
            "--advisory-db",
            &advisories(),
            "--vex",
            vex.to_str().unwrap(),
            "-o",
            "cyclonedx-json",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let doc: Value = serde_json::from_str(&out).unwrap();
    let vulns = doc["vulnerabilities"].as_array().expect("vulnerabilities");
    let pip = vulns
        .iter()
        .find(|v| v["id"] == "PYSEC-2023-228" && v.get("analysis").is_some())
        .expect("the suppressed finding carries an analysis");
    assert_eq!(pip["analysis"]["state"], "not_affected");
    assert_eq!(pip["analysis"]["justification"], "code_not_reachable");
    let validator = common::schema("cyclonedx/bom-1.6.SNAPSHOT.schema.json");
    assert!(common::errors(&validator, &doc).is_empty());
}

#[test]
fn scan_with_advisories_puts_them_into_a_schema_valid_cyclonedx() {
    let cache = tempfile::tempdir().unwrap();
    let (code, out, err) = run(
        cache.path(),
        &[
            "scan",
            &python(),
            "--advisories",
            "--advisory-db",
            &advisories(),
            "-o",
            "cyclonedx-json",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let doc: Value = serde_json::from_str(&out).unwrap();
    let ids: Vec<&str> = doc["vulnerabilities"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|v| v["id"].as_str())
        .collect();
    assert_eq!(ids, ["PYSEC-2022-43012", "PYSEC-2023-228"]);
    let validator = common::schema("cyclonedx/bom-1.6.SNAPSHOT.schema.json");
    assert_eq!(common::errors(&validator, &doc), Vec::<String>::new());
}

#[test]
fn no_database_is_an_error_naming_how_to_get_one_never_zero_findings() {
    let cache = tempfile::tempdir().unwrap();
    let (code, out, err) = run(cache.path(), &["audit", &python()]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("advisories update"), "{err}");
    let (code, _, err) = run(
        cache.path(),
        &["audit", &python(), "--advisory-db", "/nonexistent/osv"],
    );
    assert_eq!(code, 2);
    assert!(err.contains("/nonexistent/osv"), "{err}");
}

#[test]
fn check_with_a_security_table_matches_without_a_flag_and_never_passes_blind() {
    let cache = tempfile::tempdir().unwrap();
    let policy = &write_policy(cache.path(), GATE);
    // No database anywhere: no verdict rather than a pass.
    let (code, out, err) = run(cache.path(), &["check", &python(), "--policy", policy]);
    assert_eq!(code, 2, "{out}{err}");
    // With one: pip's medium finding is denied, in SARIF with its severity for GitHub.
    let (code, out, err) = run(
        cache.path(),
        &[
            "check",
            &python(),
            "--policy",
            policy,
            "--advisory-db",
            &advisories(),
            "-o",
            "sarif",
        ],
    );
    assert_eq!(code, 1, "{err}");
    let sarif: Value = serde_json::from_str(&out).unwrap();
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    let rule = rules
        .iter()
        .find(|r| r["id"] == "PYSEC-2023-228")
        .expect("one rule per advisory");
    assert_eq!(rule["properties"]["security-severity"], "5.5");
}

#[test]
fn check_against_a_baseline_with_the_same_finding_passes() {
    let cache = tempfile::tempdir().unwrap();
    let policy = write_policy(cache.path(), GATE);
    let baseline = cache.path().join("base.cdx.json");
    let (code, _, err) = run(
        cache.path(),
        &[
            "scan",
            &python(),
            "-o",
            &format!("cyclonedx-json={}", baseline.display()),
        ],
    );
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = run(
        cache.path(),
        &[
            "check",
            &python(),
            "--policy",
            &policy,
            "--advisory-db",
            &advisories(),
            "--baseline",
            baseline.to_str().unwrap(),
        ],
    );
    assert_eq!(
        code, 0,
        "the base branch had the same vulnerable pip: not new\n{out}{err}"
    );
}

#[test]
fn an_export_older_than_max_age_is_a_warning_naming_the_update() {
    use std::io::Write;
    let cache = tempfile::tempdir().unwrap();
    let db = cache.path().join("osv");
    std::fs::create_dir_all(db.join("PyPI")).unwrap();
    let zip_path = db.join("PyPI/all.zip");
    let record = std::fs::read(fixture("advisories/pypa/vulns/pip/PYSEC-2023-228.yaml")).unwrap();
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&zip_path).unwrap());
    zip.start_file(
        "PYSEC-2023-228.yaml",
        zip::write::SimpleFileOptions::default(),
    )
    .unwrap();
    zip.write_all(&record).unwrap();
    zip.finish().unwrap();
    let month_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(30 * 86_400);
    std::fs::File::options()
        .write(true)
        .open(&zip_path)
        .unwrap()
        .set_modified(month_ago)
        .unwrap();
    let db = db.display().to_string();
    let (code, out, err) = run(cache.path(), &["audit", &python(), "--advisory-db", &db]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("PYSEC-2023-228"), "the export is read: {out}");
    assert!(
        err.contains("PyPI advisories are 30 days old")
            && err.contains("bomscout advisories update --ecosystem 'PyPI'"),
        "{err}"
    );
    let (_, _, err) = run(
        cache.path(),
        &["audit", &python(), "--advisory-db", &db, "--max-age", "60"],
    );
    assert!(!err.contains("days old"), "{err}");
}
