//! `bomscout check` end to end: exit codes, exact findings, SARIF validity, exceptions,
//! baseline, and policy-file errors.

mod common;

use common::*;
use std::fs;

const DATE: &str = "2026-11-25";

fn check(path: &str, policy: &str, extra: &[&str]) -> (i32, String, String) {
    check_on(DATE, path, policy, extra)
}

fn check_on(date: &str, path: &str, policy: &str, extra: &[&str]) -> (i32, String, String) {
    outcome(
        bomscout()
            .args(["check", "--no-caches", "--date", date, "--policy", policy])
            .arg(fixture(path))
            .args(extra),
    )
}

#[test]
fn a_clean_tree_passes_with_exit_0() {
    let (code, stdout, _) = check("npm/installed", "builtin:stage1", &[]);
    assert_eq!(code, 0, "{stdout}");
    assert!(
        stdout.contains("PASS: policy stage1: 7 checked, 0 denied"),
        "{stdout}"
    );
    assert!(
        stdout.contains("1 not in checked scopes"),
        "left-pad is dev-only: {stdout}"
    );
}

#[test]
fn a_denied_license_fails_with_exit_1_and_names_package_rule_and_place() {
    let (code, stdout, _) = check("python/installed/venv", "builtin:permissive", &[]);
    assert_eq!(code, 1, "{stdout}");
    assert!(stdout.contains("denied: MPL-2.0 (1 package)"), "{stdout}");
    assert!(stdout.contains("certifi@2026.10.19.post1  in lib/python3.11/site-packages/certifi-2026.10.19.post1.dist-info/METADATA"), "{stdout}");
    assert!(
        stdout.contains(
            "rule: license-denied: MPL-2.0 is weak-copyleft, denied by category:weak-copyleft"
        ),
        "{stdout}"
    );
}

#[test]
fn review_fails_only_with_fail_on_review() {
    let (code, stdout, _) = check("python/installed/venv", "builtin:stage1", &[]);
    assert_eq!(code, 0, "{stdout}");
    assert!(stdout.contains("review: MPL-2.0"), "{stdout}");
    let (code, _, _) = check(
        "python/installed/venv",
        "builtin:stage1",
        &["--fail-on", "review"],
    );
    assert_eq!(code, 1);
}

#[test]
fn sarif_is_valid_and_has_results_only_for_violations() {
    let dir = tempfile::tempdir().unwrap();
    let sarif = dir.path().join("out.sarif");
    let (code, _, _) = check(
        "python/installed/venv",
        "builtin:permissive",
        &["-o", &format!("sarif={}", sarif.display())],
    );
    assert_eq!(code, 1);
    let doc: serde_json::Value = serde_json::from_slice(&fs::read(&sarif).unwrap()).unwrap();
    let errs = errors(&schema("sarif/sarif-schema-2.1.0.json"), &doc);
    assert!(errs.is_empty(), "{errs:#?}");
    let results = doc["runs"][0]["results"].as_array().unwrap();
    assert_eq!(
        results.len(),
        1,
        "one denied package, no result per allowed license"
    );
    assert_eq!(results[0]["ruleId"], "license-denied");
    assert_eq!(
        results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "lib/python3.11/site-packages/certifi-2026.10.19.post1.dist-info/METADATA"
    );
}

#[test]
fn an_exception_lets_a_package_pass_and_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("policy.toml");
    fs::write(
        &policy,
        "[policy]\nextends = [\"builtin:permissive\"]\n\n[[exception]]\npackage = \"pkg:pypi/certifi\"\nlicenses = [\"MPL-2.0\"]\nreason = \"CA bundle, data only; OSPO-7\"\nexpires = \"2027-01-01\"\n",
    )
    .unwrap();
    let (code, stdout, _) = check(
        "python/installed/venv",
        policy.to_str().unwrap(),
        &["-o", "json"],
    );
    assert_eq!(code, 0, "{stdout}");
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let certifi = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "certifi")
        .unwrap();
    assert_eq!(certifi["rule"], "excepted");
    assert_eq!(certifi["exception"], "CA bundle, data only; OSPO-7");
    let (code, stdout, _) = check_on(
        "2027-02-01",
        "python/installed/venv",
        policy.to_str().unwrap(),
        &[],
    );
    assert_eq!(code, 1, "after it expires");
    assert!(
        stdout.contains("note: exception for pkg:pypi/certifi expired on 2027-01-01"),
        "{stdout}"
    );
}

#[test]
fn a_baseline_fails_only_new_violations() {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("base.cdx.json");
    bomscout()
        .args(["scan", "--no-caches", "-q", "-o"])
        .arg(format!("cyclonedx-json={}", base.display()))
        .arg(fixture("python/installed/venv"))
        .assert()
        .success();
    let (code, stdout, stderr) = check(
        "python/installed/venv",
        "builtin:permissive",
        &["--baseline", base.to_str().unwrap()],
    );
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        stderr.contains("against the baseline: 0 new, 0 removed"),
        "{stderr}"
    );
}

#[test]
fn policy_file_errors_point_at_line_and_column_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("policy.toml");
    fs::write(
        &policy,
        "[licenses]\nallow = [\"MIT\"]\ndeny = [\"category:copyleftish\"]\n",
    )
    .unwrap();
    let (code, _, stderr) = check("npm/installed", policy.to_str().unwrap(), &[]);
    assert_eq!(code, 2);
    assert!(stderr.contains("policy.toml:3:9"), "{stderr}");
    assert!(
        stderr.contains("unknown license category \"copyleftish\""),
        "{stderr}"
    );
}

#[test]
fn markdown_and_github_reports() {
    let (_, md, _) = check(
        "python/installed/venv",
        "builtin:permissive",
        &["-o", "markdown"],
    );
    assert!(
        md.contains("## bomscout license check: ❌ failed")
            && md.contains("| certifi | 2026.10.19.post1 | MPL-2.0 | deny |"),
        "{md}"
    );
    let (_, gh, _) = check(
        "python/installed/venv",
        "builtin:permissive",
        &["-o", "github"],
    );
    assert!(gh.starts_with("::error file=lib/python3.11/site-packages/certifi-2026.10.19.post1.dist-info/METADATA,title=license-denied%3A certifi::"), "{gh}");
}

#[test]
fn policy_init_writes_a_starter_that_validates() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("p.toml");
    bomscout()
        .args(["policy", "init"])
        .arg(&file)
        .assert()
        .success();
    bomscout()
        .args(["policy", "init"])
        .arg(&file)
        .assert()
        .code(2);
    let (code, _, stderr) = check("npm/installed", file.to_str().unwrap(), &[]);
    assert_eq!(code, 0, "{stderr}");
}

#[test]
fn licenses_lists_every_license_with_its_category() {
    let out = bomscout()
        .args(["licenses", "--no-caches"])
        .arg(fixture("python/installed/venv"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.lines()
            .any(|l| l.starts_with("MPL-2.0") && l.contains("weak-copyleft")),
        "{text}"
    );
}
