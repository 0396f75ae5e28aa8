//! The lockfile-only cases of issue 15, end to end: a Go, a Maven, a Ruby and a Python
//! project scanned from their lockfiles alone, with `--enrich` asking a loopback server that
//! serves the fixtures under fixtures/enrich/ (provenance in fixtures/enrich/SOURCES.md).
//! Every component a source knows must come back with a license, with the URL that answered
//! as its evidence; what no source knows stays unknown (and the gate says so). For Python,
//! `check` on the lockfile alone must give the verdicts `check` gives on the installed tree.

mod common;

use bomscout_enrich::sources::{Endpoints, NAMES};
use bomscout_enrich::testing::{Canned, Request, Server};
use common::*;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Serves `fixtures/enrich/<source>/...` under `/<source>/...`:
///
/// - `goproxy` and `maven` by path, as the module proxy and a Maven repository lay files out;
/// - `pypi` version documents (`/pypi/pypi/NAME/VERSION/json`) from `NAME-VERSION.json`;
/// - `rubygems` version documents (`/rubygems/api/v2/rubygems/NAME/versions/V.json`) from
///   the one `NAME-*.json` there is: those fixtures hold the facts of Debian's packaged gem,
///   not always at the version the lock pins (SOURCES.md), so they are served by name.
fn recorded() -> Server {
    let root = fixture("enrich");
    Server::start(move |req: &Request| match answer(&root, &req.path) {
        Some(body) => Canned::ok(body),
        None => Canned::not_found(),
    })
}

fn answer(root: &Path, path: &str) -> Option<Vec<u8>> {
    let (source, rest) = path.strip_prefix('/')?.split_once('/')?;
    if rest.split('/').any(|s| s == ".." || s == ".") {
        return None;
    }
    let file: PathBuf = match source {
        "goproxy" | "maven" => root.join(source).join(rest),
        // `/npm/NAME/VERSION` (no scoped names in that tree).
        "npm" => {
            let (name, version) = rest.split_once('/')?;
            root.join("npm/express")
                .join(format!("{name}-{version}.json"))
        }
        "pypi" => {
            let (name, version) = rest
                .strip_prefix("pypi/")?
                .strip_suffix("/json")?
                .split_once('/')?;
            root.join("pypi").join(format!("{name}-{version}.json"))
        }
        "rubygems" => {
            let name = rest.strip_prefix("api/v2/rubygems/")?.split('/').next()?;
            by_name(&root.join("rubygems"), name)?
        }
        _ => return None,
    };
    std::fs::read(file).ok()
}

/// The fixture `NAME-VERSION.json` of gem `name` (a version starts with a digit, so
/// `rack-1.0.json` is not taken for the gem `rack-test`).
fn by_name(dir: &Path, name: &str) -> Option<PathBuf> {
    std::fs::read_dir(dir).ok()?.flatten().find_map(|e| {
        let file = e.file_name().to_string_lossy().into_owned();
        let version = file.strip_prefix(name)?.strip_prefix('-')?;
        version
            .starts_with(|c: char| c.is_ascii_digit())
            .then(|| e.path())
    })
}

/// `bomscout ARGS` with a fresh cache, enrichment asking only `source`, at `/<source>` on
/// the server (every other source pointed at the server too, so a stray request is seen).
fn enriched(server: &Server, cache: &Path, source: &str, args: &[&str]) -> (i32, String, String) {
    let mut cmd = bomscout();
    cmd.env("BOMSCOUT_CACHE_DIR", cache);
    for name in NAMES {
        cmd.env(Endpoints::env_var(name), format!("{}/{name}", server.url()));
    }
    cmd.env_remove("BOMSCOUT_POLICY").env_remove("GOPROXY");
    cmd.args(args)
        .args(["--no-caches", "--enrich", "--enrich-sources", source]);
    outcome(&mut cmd)
}

/// name → (license expressions, evidence paths) of each component of a JSON SBOM.
fn licenses(doc: &Value) -> BTreeMap<String, (Vec<String>, Vec<String>)> {
    doc["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let name = match c["namespace"].as_str() {
                Some(ns) => format!("{ns}/{}", c["name"].as_str().unwrap()),
                None => c["name"].as_str().unwrap().to_string(),
            };
            let list = c["licenses"].as_array().cloned().unwrap_or_default();
            let exprs = list
                .iter()
                .filter_map(|l| l["expression"].as_str().map(str::to_string))
                .collect();
            let evidence = list
                .iter()
                .filter_map(|l| l["source"]["path"].as_str().map(str::to_string))
                .collect();
            (name, (exprs, evidence))
        })
        .collect()
}

fn scan(server: &Server, fixture_dir: &str, source: &str) -> (Value, String) {
    let cache = tempfile::tempdir().unwrap();
    let dir = fixture(fixture_dir).display().to_string();
    let (code, stdout, stderr) =
        enriched(server, cache.path(), source, &["scan", &dir, "-o", "json"]);
    assert_eq!(code, 0, "{stderr}");
    (serde_json::from_str(&stdout).unwrap(), stderr)
}

#[test]
fn a_go_module_gets_every_license_from_the_module_proxy() {
    let server = recorded();
    let (doc, stderr) = scan(&server, "golang/cobra", "goproxy");
    let got = licenses(&doc);
    let want = [
        ("github.com/cpuguy83/go-md2man/v2", vec!["MIT"]),
        ("github.com/inconshreveable/mousetrap", vec!["Apache-2.0"]),
        ("github.com/russross/blackfriday/v2", vec!["BSD-2-Clause"]),
        ("github.com/spf13/pflag", vec!["BSD-3-Clause"]),
        ("go.yaml.in/yaml/v3", vec!["MIT", "Apache-2.0"]),
        ("gopkg.in/check.v1", vec!["BSD-2-Clause"]),
    ];
    assert_eq!(got.len(), want.len(), "{got:?}");
    for (name, licenses) in want {
        let (mut exprs, evidence) = got[name].clone();
        let mut licenses: Vec<String> = licenses.into_iter().map(String::from).collect();
        exprs.sort();
        licenses.sort();
        assert_eq!(exprs, licenses, "{name}: {stderr}");
        // The evidence is the module zip that was read, on the server that answered.
        assert!(
            evidence
                .iter()
                .all(|e| e.starts_with(&server.url()) && e.contains(".zip")),
            "{name}: {evidence:?}"
        );
    }
    assert!(stderr.contains("enriched 6 of 6 components"), "{stderr}");
}

#[test]
fn a_maven_project_gets_the_licenses_its_poms_state() {
    let server = recorded();
    let (doc, stderr) = scan(&server, "maven/jsoup", "maven");
    let got = licenses(&doc);
    // gson's POM states its license; the POM is the evidence.
    let (exprs, evidence) = &got["com.google.code.gson/gson"];
    assert_eq!(exprs, &vec!["Apache-2.0".to_string()], "{stderr}");
    assert_eq!(
        evidence,
        &vec![format!(
            "{}/maven/com/google/code/gson/gson/2.14.0/gson-2.14.0.pom",
            server.url()
        )]
    );
    // No POM of re2j, jspecify or junit is recorded: they stay without a license rather
    // than get a guessed one.
    for name in [
        "com.google.re2j/re2j",
        "org.jspecify/jspecify",
        "org.junit.jupiter/junit-jupiter",
    ] {
        assert!(got[name].0.is_empty(), "{name}: {:?}", got[name]);
    }
}

#[test]
fn a_gemfile_lock_gets_licenses_for_every_gem_the_registry_knows() {
    let server = recorded();
    let (doc, stderr) = scan(&server, "ruby/rails", "rubygems");
    let got = licenses(&doc);
    let dir = fixture("enrich/rubygems");
    let mut known = 0;
    for (name, (exprs, evidence)) in &got {
        let Some(file) = by_name(&dir, name) else {
            assert!(exprs.is_empty(), "{name} has no recorded answer: {exprs:?}");
            continue;
        };
        let answer: Value = serde_json::from_slice(&std::fs::read(file).unwrap()).unwrap();
        let declared = answer["licenses"].as_array().map_or(0, Vec::len);
        if declared == 0 {
            continue;
        }
        known += 1;
        assert!(!evidence.is_empty(), "{name}: no license; {stderr}");
        assert!(
            evidence.iter().all(|e| e.contains("/api/v2/rubygems/")),
            "{name}: {evidence:?}"
        );
    }
    // 126 of the recorded gems declare a license; the lock lists most of them.
    assert!(known >= 100, "only {known} gems of the lock were known");
}

#[test]
fn a_lockfile_alone_gets_a_supplier_for_every_component_and_passes_strict_ntia() {
    let server = recorded();
    let cache = tempfile::tempdir().unwrap();
    // The lockfile and manifest only: no node_modules, as on a fresh CI checkout.
    let tree = tempfile::tempdir().unwrap();
    for file in ["package.json", "package-lock.json"] {
        std::fs::copy(
            fixture("npm/attribution").join(file),
            tree.path().join(file),
        )
        .unwrap();
    }
    let dir = tree.path().display().to_string();
    let (bare, _, bare_err) =
        outcome(bomscout().args(["scan", &dir, "--no-caches", "--strict-ntia"]));
    assert_eq!(
        bare, 2,
        "without --enrich the supplier is missing: {bare_err}"
    );
    assert!(bare_err.contains("Supplier Name"), "{bare_err}");

    let (code, stdout, stderr) = enriched(
        &server,
        cache.path(),
        "npm",
        &["scan", &dir, "-o", "json", "--strict-ntia"],
    );
    assert_eq!(code, 0, "{stderr}");
    let doc: Value = serde_json::from_str(&stdout).unwrap();
    let components = doc["components"].as_array().unwrap();
    assert_eq!(components.len(), 72);
    for c in components {
        let props = &c["properties"];
        assert!(props["supplier"].is_string(), "{}: {props}", c["name"]);
        assert!(
            props["supplier-source"]
                .as_str()
                .is_some_and(|s| s.starts_with(&server.url())),
            "{props}"
        );
    }
    // `accepts` names no author: its supplier is the owner of its repository.
    let accepts = components.iter().find(|c| c["name"] == "accepts").unwrap();
    assert_eq!(accepts["properties"]["supplier"], "jshttp");
}

/// A policy that denies one license and reviews another, so that both verdicts are tested.
const POLICY: &str = r#"
[policy]
name = "same-verdict"

[licenses]
allow = ["MIT", "BSD-2-Clause", "BSD-3-Clause"]
review = ["Apache-2.0"]
deny = ["MPL-2.0"]
unknown = "deny"
unlisted = "review"
scopes = ["required", "optional", "dev"]
"#;

/// key → verdict of each finding of a `check -o json` report.
fn verdicts(report: &str) -> BTreeMap<String, String> {
    let doc: Value = serde_json::from_str(report).unwrap();
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["key"].as_str().unwrap().to_string(),
                format!("{} {}", f["verdict"], f["license"]),
            )
        })
        .collect()
}

#[test]
fn a_poetry_lock_alone_with_enrich_is_judged_as_its_installed_tree() {
    let server = recorded();
    let cache = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("policy.toml");
    std::fs::write(&policy, POLICY).unwrap();
    let policy = policy.display().to_string();

    let installed = fixture("python/poetry-installed").display().to_string();
    let (installed_code, installed_report, stderr) = outcome(
        bomscout()
            .env_remove("BOMSCOUT_POLICY")
            .args(["check", &installed, "--policy", &policy, "-o", "json"]),
    );
    assert_eq!(installed_code, 1, "MPL-2.0 is denied: {stderr}");

    let lockfile = fixture("python/poetry").display().to_string();
    let (bare_code, _, _) = outcome(bomscout().env_remove("BOMSCOUT_POLICY").args([
        "check",
        &lockfile,
        "--no-caches",
        "--policy",
        &policy,
    ]));
    let (code, report, stderr) = enriched(
        &server,
        cache.path(),
        "pypi",
        &["check", &lockfile, "--policy", &policy, "-o", "json"],
    );
    assert_eq!(code, installed_code, "{stderr}");
    let got = verdicts(&report);
    assert_eq!(got, verdicts(&installed_report), "{stderr}");
    assert_eq!(got.len(), 12);
    assert_eq!(
        got["pkg:pypi/certifi@2026.10.19.post1"],
        "\"deny\" \"MPL-2.0\""
    );
    assert_eq!(got["pkg:pypi/requests@2.34.2"], "\"review\" \"Apache-2.0\"");
    // Without --enrich the same lockfile is all unknown: also a failure, for another reason.
    assert_eq!(bare_code, 1);
}
