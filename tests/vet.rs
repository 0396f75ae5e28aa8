//! `bomscout vet PURL...` end to end, against a loopback server standing in for PyPI and
//! deps.dev (`bomscout_enrich::testing::Server`); no test touches the public network.
//!
//! The answers are canned JSON in the documented shapes: PyPI's JSON API
//! (`/pypi/{name}/{version}/json`, `/pypi/{name}/json`: `info.version`,
//! `info.license_expression`, `info.project_urls`, `urls[].upload_time_iso_8601`) and
//! deps.dev API v3 (`/v3/systems/{system}/packages/{name}/versions/{version}`:
//! `licenses`, `advisoryKeys[].id`; `/v3/projects/{id}`: `scorecard.overallScore`,
//! `scorecard.date`, `scorecard.checks[]`), the fields the sources read.

mod common;

use bomscout_enrich::sources::{Endpoints, NAMES};
use bomscout_enrich::testing::{Canned, Request, Server};
use common::*;
use serde_json::{json, Value};
use std::path::Path;

/// `(name, version, license, upload day)` PyPI knows; the last version of a name is its
/// latest release.
const PYPI: &[(&str, &str, &str, &str)] = &[
    ("idna", "3.20", "BSD-3-Clause", "2026-10-01"),
    ("requests", "2.33.0", "Apache-2.0", "2025-01-10"),
    ("requests", "2.34.2", "Apache-2.0", "2026-09-15"),
    ("gplthing", "1.0.0", "GPL-3.0-only", "2019-03-01"),
    ("py", "1.11.0", "MIT", "2021-11-04"),
];

fn pypi_version(name: &str, version: &str, license: &str, day: &str) -> String {
    json!({
        "info": {
            "name": name,
            "version": version,
            "license_expression": license,
            "author": format!("{name} authors"),
            "project_urls": {"Source": format!("https://github.com/example/{name}")},
        },
        "urls": [{"upload_time_iso_8601": format!("{day}T12:00:00.000000Z")}],
    })
    .to_string()
}

fn answer(req: &Request) -> Canned {
    for (name, version, license, day) in PYPI {
        if req.path == format!("/pypi/{name}/{version}/json") {
            return Canned::json(pypi_version(name, version, license, day));
        }
    }
    if let Some(name) = req
        .path
        .strip_prefix("/pypi/")
        .and_then(|p| p.strip_suffix("/json"))
    {
        if let Some((_, version, license, day)) = PYPI.iter().rev().find(|p| p.0 == name) {
            return Canned::json(pypi_version(name, version, license, day));
        }
    }
    match req.path.as_str() {
        "/v3/systems/pypi/packages/requests/versions/2.34.2" => Canned::json(
            json!({
                "versionKey": {"system": "PYPI", "name": "requests", "version": "2.34.2"},
                "licenses": ["Apache-2.0"],
                "advisoryKeys": [{"id": "GHSA-0000-test-0001"}],
            })
            .to_string(),
        ),
        "/v3/projects/github.com%2Fexample%2Fidna" => Canned::json(
            json!({
                "projectKey": {"id": "github.com/example/idna"},
                "scorecard": {
                    "date": "2026-11-30T00:00:00Z",
                    "overallScore": 3.2,
                    "checks": [
                        {"name": "Maintained", "score": 0, "reason": "project is archived"},
                        {"name": "Code-Review", "score": 2, "reason": "Found 2/10 approved changesets"},
                        {"name": "License", "score": 10, "reason": "license file detected"},
                    ],
                },
            })
            .to_string(),
        ),
        _ => Canned::not_found(),
    }
}

/// `bomscout vet ARGS` with the cache in `cache`, every source's URL at `url`, the policy
/// file (if any) in `cwd`, and no local advisory database.
fn vet(url: &str, cache: &Path, cwd: &Path, args: &[&str]) -> (i32, String, String) {
    let mut cmd = bomscout();
    cmd.current_dir(cwd)
        .env("BOMSCOUT_CACHE_DIR", cache)
        .env_remove("BOMSCOUT_POLICY")
        .env_remove("BOMSCOUT_ADVISORY_DB")
        .env_remove("GOPROXY");
    for name in NAMES {
        cmd.env(Endpoints::env_var(name), url);
    }
    outcome(cmd.arg("vet").args(args).args(["--date", "2026-12-04"]))
}

struct Setup {
    server: Server,
    cache: tempfile::TempDir,
    cwd: tempfile::TempDir,
}

fn setup() -> Setup {
    Setup {
        server: Server::start(answer),
        cache: tempfile::tempdir().unwrap(),
        cwd: tempfile::tempdir().unwrap(),
    }
}

impl Setup {
    fn vet(&self, args: &[&str]) -> (i32, String, String) {
        vet(&self.server.url(), self.cache.path(), self.cwd.path(), args)
    }
}

const TWO: [&str; 2] = ["pkg:pypi/idna@3.20", "pkg:pypi/requests"];

#[test]
fn two_packages_as_a_table() {
    let s = setup();
    let (code, stdout, stderr) = s.vet(&TWO);
    // requests has an advisory of unknown severity: review, which fails only with
    // --fail-on review.
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert!(stdout.contains("policy: "), "{stdout}");
    assert!(stdout.contains("pkg:pypi/idna@3.20: ALLOWED"), "{stdout}");
    assert!(stdout.contains("pkg:pypi/requests: REVIEW"), "{stdout}");
    // The version-less purl is the latest release.
    assert!(stdout.contains("pkg:pypi/requests@2.34.2"), "{stdout}");
    assert!(
        stdout.contains("BSD-3-Clause [permissive]: allowed"),
        "{stdout}"
    );
    assert!(stdout.contains("GHSA-0000-test-0001 (unknown)"), "{stdout}");
    assert!(
        stdout.contains("severities unknown (run `bomscout advisories update`"),
        "{stdout}"
    );
    assert!(
        stdout.contains("3.2 (2026-11-30); failing: Maintained 0, Code-Review 2"),
        "{stdout}"
    );
    assert!(stdout.contains("archived    yes"), "{stdout}");
    assert!(
        stdout.contains("2.34.2, released 2026-09-15 (80 days ago)"),
        "{stdout}"
    );
    assert!(stdout.contains("idna authors"), "{stdout}");
    assert!(
        stderr.contains("no policy file found: judged by builtin:stage1"),
        "{stderr}"
    );

    let (code, _, _) = s.vet(&[TWO[0], TWO[1], "--fail-on", "review"]);
    assert_eq!(code, 1, "a review fails with --fail-on review");
}

#[test]
fn two_packages_as_json() {
    let s = setup();
    let (code, stdout, stderr) = s.vet(&[TWO[0], TWO[1], "--format", "json"]);
    assert_eq!(code, 0, "{stderr}");
    let doc: Value = serde_json::from_str(&stdout).unwrap();
    let packages = doc["packages"].as_array().unwrap();
    assert_eq!(packages.len(), 2);
    assert_eq!(packages[0]["asked"], "pkg:pypi/idna@3.20");
    assert_eq!(packages[0]["verdict"], "allowed");
    assert_eq!(packages[0]["licenses"][0]["expression"], "BSD-3-Clause");
    assert_eq!(packages[0]["licenses"][0]["categories"], "permissive");
    assert_eq!(packages[0]["health"]["scorecard"]["score"], 3.2);
    assert_eq!(packages[0]["health"]["archived"], true);
    assert_eq!(packages[1]["purl"], "pkg:pypi/requests@2.34.2");
    assert_eq!(packages[1]["verdict"], "review");
    assert_eq!(packages[1]["health"]["latest_version"], "2.34.2");
    assert_eq!(packages[1]["latest_release_age_days"], 80);
    assert_eq!(
        packages[1]["vulnerabilities"][0]["id"],
        "GHSA-0000-test-0001"
    );
    assert_eq!(packages[1]["vulnerabilities"][0]["severity"], "unknown");
    let reasons = packages[1]["reasons"].to_string();
    assert!(reasons.contains("severity unknown"), "{reasons}");
}

#[test]
fn two_packages_as_markdown() {
    let s = setup();
    let (code, stdout, stderr) = s.vet(&[TWO[0], TWO[1], "--format", "markdown"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.starts_with("## bomscout vet\n"), "{stdout}");
    assert!(
        stdout.contains("| pkg:pypi/idna@3.20 | **allowed** |"),
        "{stdout}"
    );
    assert!(
        stdout.contains("| pkg:pypi/requests | **review** |"),
        "{stdout}"
    );
    assert!(
        stdout.contains("### pkg:pypi/requests — review"),
        "{stdout}"
    );
    assert!(
        stdout.contains("| vuln | GHSA-0000-test-0001 (unknown) |"),
        "{stdout}"
    );
}

#[test]
fn a_denied_license_exits_1_with_the_guidance() {
    let s = setup();
    std::fs::write(
        s.cwd.path().join("bomscout-policy.toml"),
        "[policy]\nname = \"acme\"\n\n[licenses]\nallow = [\"category:permissive\"]\n\
         deny = [\"category:strong-copyleft\"]\n\n[guidance]\n\"category:strong-copyleft\" = \
         \"Shipping it obliges us to publish our source: ask the OSPO.\"\n",
    )
    .unwrap();
    let (code, stdout, stderr) = s.vet(&["pkg:pypi/gplthing@1.0.0", "pkg:pypi/idna@3.20"]);
    assert_eq!(code, 1, "{stdout}\n{stderr}");
    assert!(stdout.contains("policy: acme"), "{stdout}");
    assert!(
        stdout.contains("pkg:pypi/gplthing@1.0.0: DENIED"),
        "{stdout}"
    );
    assert!(
        stdout.contains("GPL-3.0-only [strong-copyleft]: denied"),
        "{stdout}"
    );
    assert!(
        stdout.contains("obliges     Shipping it obliges us to publish our source"),
        "{stdout}"
    );
    assert!(stdout.contains("pkg:pypi/idna@3.20: ALLOWED"), "{stdout}");
}

#[test]
fn health_rules_of_the_policy_decide_too() {
    let s = setup();
    let policy = s.cwd.path().join("health.toml");
    std::fs::write(
        &policy,
        "[policy]\nextends = [\"builtin:stage1\"]\n\n[health]\nmin-scorecard = 5.0\n\
         deny-archived = true\naction = \"deny\"\n",
    )
    .unwrap();
    let (code, stdout, stderr) = s.vet(&[
        "pkg:pypi/idna@3.20",
        "--policy",
        &policy.display().to_string(),
    ]);
    assert_eq!(code, 1, "{stdout}\n{stderr}");
    assert!(stdout.contains("pkg:pypi/idna@3.20: DENIED"), "{stdout}");
    assert!(stdout.contains("archived"), "{stdout}");
}

#[test]
fn nothing_known_is_never_allowed() {
    let s = setup();
    let (code, stdout, stderr) = s.vet(&["pkg:pypi/no-such-package@1.0.0", "pkg:pypi/idna@3.20"]);
    assert_eq!(code, 2, "{stdout}\n{stderr}");
    assert!(
        stdout.contains("pkg:pypi/no-such-package@1.0.0: UNKNOWN"),
        "{stdout}"
    );
    assert!(stdout.contains("no source knows this package"), "{stdout}");
}

#[test]
fn offline_answers_from_the_cache_only() {
    let s = setup();
    // Nothing cached yet: offline, nothing can be decided, and no socket is opened.
    let (code, stdout, _) = s.vet(&[TWO[0], "--offline"]);
    assert_eq!(code, 2, "{stdout}");
    assert_eq!(s.server.connections(), 0);
    let (code, online, _) = s.vet(&TWO);
    assert_eq!(code, 0);
    // The same answers from the cache, with a fresh server that must see nothing.
    let quiet = Server::start(answer);
    let (code, offline, stderr) = vet(
        &quiet.url(),
        s.cache.path(),
        s.cwd.path(),
        &[TWO[0], TWO[1], "--offline"],
    );
    assert_eq!(code, 0, "{stderr}");
    for (a, b) in offline.lines().zip(online.lines()) {
        assert_eq!(a, b);
    }
    assert_eq!(offline, online);
    assert_eq!(quiet.connections(), 0);
}

#[test]
fn a_bad_purl_is_refused_before_anything_is_asked() {
    let s = setup();
    let (code, _, stderr) = s.vet(&["left-pad@1.3.0"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("pkg:npm/left-pad@1.3.0"), "{stderr}");
    assert_eq!(s.server.connections(), 0);
}

#[test]
fn a_local_advisory_database_gives_the_vulnerabilities() {
    let s = setup();
    let db = fixture("advisories").display().to_string();
    let (code, stdout, stderr) = s.vet(&[
        "pkg:pypi/py@1.11.0",
        "--advisory-db",
        &db,
        "--format",
        "json",
    ]);
    assert!(code == 0 || code == 1, "{stdout}\n{stderr}");
    let doc: Value = serde_json::from_str(&stdout).unwrap();
    assert!(
        doc["vulnerabilities_from"]
            .as_str()
            .unwrap()
            .starts_with("the local advisory database"),
        "{doc}"
    );
    let vulns = doc["packages"][0]["vulnerabilities"].to_string();
    assert!(vulns.contains("PYSEC-2022-42969"), "{vulns}");
    // deps.dev's advisory keys are not what is shown when a database is there.
    assert!(!vulns.contains("GHSA-0000-test"), "{vulns}");
}
