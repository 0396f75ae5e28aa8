//! `--enrich` end to end: the binary against a loopback server standing in for PyPI
//! (`bomscout_enrich::testing::Server`); no test touches the public network. Every source's
//! URL variable points at the server, so a request any source makes is seen.
//!
//! One test serves the PyPI answers recorded under fixtures/enrich/pypi/ (provenance in
//! fixtures/enrich/SOURCES.md) for the poetry fixture's lock. The others use canned JSON in
//! the shape of PyPI's JSON API, so each can say exactly what a source answers
//! (`GET /pypi/{name}/{version}/json`: `info.license_expression`, `info.author`,
//! `info.project_urls`, `urls[].upload_time_iso_8601`; `GET /pypi/{name}/json` for the
//! latest release), the fields the PyPI source reads.

mod common;

use bomscout_enrich::sources::{Endpoints, NAMES};
use bomscout_enrich::testing::{Canned, Request, Server};
use common::*;
use serde_json::{json, Value};
use std::path::Path;
use std::time::{Duration, Instant};

/// The pinned packages of fixtures/python/requirements/requirements.txt, with the license
/// the canned answers give each.
const PACKAGES: &[(&str, &str, &str)] = &[
    ("certifi", "2026.10.19.post1", "MPL-2.0"),
    ("charset-normalizer", "3.5.2", "MIT"),
    ("click", "8.5.1", "BSD-3-Clause"),
    ("idna", "3.20", "BSD-3-Clause"),
    ("requests", "2.34.2", "Apache-2.0"),
    ("urllib3", "2.8.0", "MIT"),
];

/// A version document in PyPI's JSON API shape.
pub fn version_doc(name: &str, version: &str, license: &str) -> String {
    json!({
        "info": {
            "name": name,
            "version": version,
            "license_expression": license,
            "author": format!("{name} authors"),
            "project_urls": {"Source": format!("https://github.com/example/{name}")},
        },
        "urls": [{"upload_time_iso_8601": "2025-06-01T12:00:00.000000Z"}],
    })
    .to_string()
}

/// A server answering PyPI version documents for [`PACKAGES`], 404 for anything else.
fn pypi() -> Server {
    Server::start(|req: &Request| {
        for (name, version, license) in PACKAGES {
            if req.path == format!("/pypi/{name}/{version}/json") {
                return Canned::json(version_doc(name, version, license));
            }
        }
        Canned::not_found()
    })
}

/// `bomscout ARGS` with the cache in `cache` and every source's URL at `server`.
fn run(server_url: &str, cache: &Path, args: &[&str]) -> (i32, String, String) {
    let mut cmd = bomscout();
    cmd.env("BOMSCOUT_CACHE_DIR", cache);
    for name in NAMES {
        cmd.env(Endpoints::env_var(name), server_url);
    }
    cmd.env_remove("BOMSCOUT_POLICY").env_remove("GOPROXY");
    outcome(cmd.args(args))
}

/// Requests to the PyPI API (the other sources are asked too, and answered 404).
fn pypi_requests(server: &Server) -> usize {
    server
        .requests()
        .iter()
        .filter(|r| r.path.starts_with("/pypi/"))
        .count()
}

fn requirements() -> String {
    fixture("python/requirements/requirements.txt")
        .display()
        .to_string()
}

/// `name → license expression` of a bomscout JSON document.
fn licenses(doc: &Value) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = doc["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let strongest = c["licenses"]
                .as_array()
                .and_then(|l| l.iter().find_map(|l| l["expression"].as_str()))
                .unwrap_or("(none)")
                .to_string();
            (c["name"].as_str().unwrap().to_string(), strongest)
        })
        .collect();
    out.sort();
    out
}

fn expected() -> Vec<(String, String)> {
    PACKAGES
        .iter()
        .map(|(n, _, l)| (n.to_string(), l.to_string()))
        .collect()
}

#[test]
fn enrich_fills_licenses_of_a_lockfile_and_a_second_run_asks_nothing() {
    let server = pypi();
    let cache = tempfile::tempdir().unwrap();
    let req = requirements();
    let args = [
        "scan",
        req.as_str(),
        "--no-caches",
        "-o",
        "json",
        "--enrich",
        "--enrich-sources",
        "pypi",
    ];
    let (code, stdout, stderr) = run(&server.url(), cache.path(), &args);
    assert_eq!(code, 0, "{stderr}");
    let doc: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(licenses(&doc), expected());
    // Evidence names the URL that answered, with the host of the server.
    let idna = doc["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "idna")
        .unwrap();
    assert!(idna.to_string().contains("/pypi/idna/3.20/json"), "{idna}");
    assert_eq!(server.count(), PACKAGES.len(), "{:?}", server.requests());
    assert!(
        stderr.contains(&format!(
            "enriched 6 of 6 components ({} requests, 0 from cache)",
            PACKAGES.len()
        )),
        "{stderr}"
    );
    // Only coordinates were sent: every request is a GET of a package path, no body.
    for r in server.requests() {
        assert_eq!(r.method, "GET");
        assert!(r.body.is_empty());
        assert!(r.path.starts_with("/pypi/"), "{}", r.path);
    }

    let (code, stdout, stderr) = run(&server.url(), cache.path(), &args);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        server.count(),
        PACKAGES.len(),
        "the second run is served from the cache"
    );
    let again: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(licenses(&again), expected());
    assert!(stderr.contains("(0 requests, "), "{stderr}");
}

#[test]
fn without_enrich_nothing_is_asked() {
    let server = pypi();
    let cache = tempfile::tempdir().unwrap();
    let req = requirements();
    for command in [
        vec!["scan", req.as_str(), "--no-caches", "-o", "json"],
        vec!["licenses", req.as_str(), "--no-caches"],
        vec![
            "check",
            req.as_str(),
            "--no-caches",
            "--policy",
            "builtin:stage1",
        ],
    ] {
        let (code, _, stderr) = run(&server.url(), cache.path(), &command);
        assert!(code == 0 || code == 1, "{command:?}: {stderr}");
        assert!(!stderr.contains("enriched"), "{stderr}");
    }
    assert_eq!(
        server.connections(),
        0,
        "nothing leaves the machine unless asked"
    );
    assert!(!cache.path().join("enrich").exists());
}

/// A copy of the requirements fixture with a policy file beside it.
fn tree_with_policy(policy: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        fixture("python/requirements/requirements.txt"),
        dir.path().join("requirements.txt"),
    )
    .unwrap();
    std::fs::write(dir.path().join("bomscout-policy.toml"), policy).unwrap();
    dir
}

const ENRICH_POLICY: &str = "[policy]\nextends = [\"builtin:stage1\"]\n\n[enrich]\nenrich = true\n";

#[test]
fn the_policy_turns_enrichment_on_and_offline_still_opens_no_socket() {
    let server = pypi();
    let cache = tempfile::tempdir().unwrap();
    let tree = tree_with_policy(ENRICH_POLICY);
    let path = tree.path().display().to_string();
    for command in [
        vec![
            "scan",
            path.as_str(),
            "--no-caches",
            "-o",
            "json",
            "--offline",
        ],
        vec!["check", path.as_str(), "--no-caches", "--offline"],
        vec!["licenses", path.as_str(), "--no-caches", "--offline"],
        vec![
            "audit",
            path.as_str(),
            "--no-caches",
            "--offline",
            "--advisory-db",
        ],
    ] {
        let mut command = command;
        let db = fixture("advisories").display().to_string();
        if command.last() == Some(&"--advisory-db") {
            command.push(&db);
            let (code, _, stderr) = run(&server.url(), cache.path(), &command);
            assert!(code == 0 || code == 1, "{command:?}: {stderr}");
        } else {
            let (code, _, stderr) = run(&server.url(), cache.path(), &command);
            assert!(code == 0 || code == 1, "{command:?}: {stderr}");
            assert!(stderr.contains("offline"), "{command:?}: {stderr}");
        }
    }
    assert_eq!(server.connections(), 0, "--offline forbids the network");

    // Without --offline, the policy's `enrich = true` asks.
    let (code, stdout, stderr) = run(
        &server.url(),
        cache.path(),
        &["scan", &path, "--no-caches", "-o", "json"],
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(pypi_requests(&server), PACKAGES.len());
    let doc: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(licenses(&doc), expected());

    // Now the cache holds the answers: --enrich --offline uses them, with no socket.
    let quiet = pypi();
    let (code, stdout, stderr) = run(
        &quiet.url(),
        cache.path(),
        &["scan", &path, "--no-caches", "-o", "json", "--offline"],
    );
    assert_eq!(code, 0, "{stderr}");
    let doc: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(licenses(&doc), expected());
    assert_eq!(quiet.connections(), 0);
    assert!(
        !stderr.contains("not enriched"),
        "all from the cache: {stderr}"
    );
}

#[test]
fn check_judges_the_licenses_enrichment_found() {
    let server = pypi();
    let cache = tempfile::tempdir().unwrap();
    let tree = tree_with_policy(
        "[policy]\nextends = [\"builtin:stage1\"]\n\n[licenses]\ndeny = [\"MPL-2.0\"]\n",
    );
    let path = tree.path().display().to_string();
    // Unenriched, every license is unknown; enriched, certifi's MPL-2.0 is denied.
    let (_, stdout, stderr) = run(
        &server.url(),
        cache.path(),
        &["check", &path, "--no-caches", "-o", "json"],
    );
    let before: Value = serde_json::from_str(&stdout).unwrap_or_else(|_| panic!("{stderr}"));
    assert!(
        before["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["rule"] == "unknown"),
        "{before}"
    );
    let (code, stdout, stderr) = run(
        &server.url(),
        cache.path(),
        &["check", &path, "--no-caches", "-o", "json", "--enrich"],
    );
    assert_eq!(code, 1, "{stdout}\n{stderr}");
    let after: Value = serde_json::from_str(&stdout).unwrap();
    let certifi = after["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "certifi")
        .unwrap();
    assert_eq!(certifi["verdict"], "deny", "{certifi}");
    assert_eq!(certifi["license"], "MPL-2.0");
    assert_eq!(certifi["rule"], "denied");
    // The others' licenses are on stage1's allow list now.
    let allowed = after["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["verdict"] == "allow")
        .count();
    assert_eq!(allowed, PACKAGES.len() - 1, "{after}");
}

#[test]
fn a_dead_service_degrades_the_scan_within_the_budget() {
    // A service that accepts and never answers in time.
    let server = Server::start(|_| Canned::json("{}").delayed(Duration::from_secs(60)));
    let cache = tempfile::tempdir().unwrap();
    let req = requirements();
    let clock = Instant::now();
    let (code, stdout, stderr) = run(
        &server.url(),
        cache.path(),
        &[
            "scan",
            &req,
            "--no-caches",
            "-o",
            "json",
            "--enrich",
            "--enrich-sources",
            "pypi",
            "--enrich-timeout",
            "2",
        ],
    );
    let took = clock.elapsed();
    assert_eq!(code, 0, "a dead service never fails the scan: {stderr}");
    assert!(took < Duration::from_secs(2 + 8), "took {took:?}");
    let doc: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(doc["components"].as_array().unwrap().len(), PACKAGES.len());
    assert!(stderr.contains("enriched 0 of 6 components"), "{stderr}");
    assert!(stderr.contains("not enriched: "), "{stderr}");
    assert!(
        stderr.contains("timed out") || stderr.contains("time"),
        "{stderr}"
    );
    // The shortfall is in the document's diagnostics too, as a warning.
    let diagnostics = doc["diagnostics"].to_string();
    assert!(diagnostics.contains("not enriched"), "{diagnostics}");
}

#[test]
fn a_refused_connection_degrades_too() {
    // A port nothing listens on: bind, read the port, close.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let cache = tempfile::tempdir().unwrap();
    let req = requirements();
    let (code, _, stderr) = run(
        &format!("http://127.0.0.1:{port}"),
        cache.path(),
        &[
            "licenses",
            &req,
            "--no-caches",
            "--enrich",
            "--enrich-timeout",
            "5",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("enriched 0 of 6 components"), "{stderr}");
    assert!(stderr.contains("not enriched"), "{stderr}");
}

#[test]
fn inventory_asks_each_package_once_per_run() {
    let server = pypi();
    let cache = tempfile::tempdir().unwrap();
    let root = tempfile::tempdir().unwrap();
    for repo in ["one", "two", "three"] {
        let dir = root.path().join(repo);
        std::fs::create_dir_all(dir.join(".git")).unwrap();
        std::fs::copy(
            fixture("python/requirements/requirements.txt"),
            dir.join("requirements.txt"),
        )
        .unwrap();
    }
    let db = root.path().join("org.db");
    let (code, _, stderr) = run(
        &server.url(),
        cache.path(),
        &[
            "inventory",
            &root.path().display().to_string(),
            "--db",
            &db.display().to_string(),
            "--no-caches",
            "--enrich",
            "--enrich-sources",
            "pypi",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        server.count(),
        PACKAGES.len(),
        "one request per distinct package, not per repository: {:?}",
        server
            .requests()
            .iter()
            .map(|r| &r.path)
            .collect::<Vec<_>>()
    );
    assert!(
        stderr.contains("enriched 18 of 18 components in 3 repositories (6 requests"),
        "{stderr}"
    );
}

#[test]
fn bad_enrichment_options_are_refused_with_the_list() {
    let cache = tempfile::tempdir().unwrap();
    let req = requirements();
    let (code, _, stderr) = run(
        "http://127.0.0.1:9",
        cache.path(),
        &["scan", &req, "--enrich", "--enrich-sources", "pypi,nmp"],
    );
    assert_eq!(code, 2);
    assert!(
        stderr.contains("unknown enrichment source \"nmp\""),
        "{stderr}"
    );
    assert!(stderr.contains("npm, pypi, crates"), "{stderr}");
    let tree = tree_with_policy("[enrich]\nenrich = true\nsources = [\"pipy\"]\n");
    let (code, _, stderr) = run(
        "http://127.0.0.1:9",
        cache.path(),
        &["check", &tree.path().display().to_string()],
    );
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("`pipy`, which is no source"), "{stderr}");
    assert!(stderr.contains("bomscout-policy.toml"), "{stderr}");
}

#[test]
fn no_dev_packages_are_not_asked_about() {
    let server = pypi();
    let cache = tempfile::tempdir().unwrap();
    let dir = fixture("python/requirements").display().to_string();
    let (code, stdout, stderr) = run(
        &server.url(),
        cache.path(),
        &[
            "scan",
            &dir,
            "--no-caches",
            "-o",
            "json",
            "--no-dev",
            "--enrich",
            "--enrich-sources",
            "pypi",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    let doc: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(licenses(&doc), expected());
    // coverage, pytest and ruff are dev-only: left out of the report, never sent.
    let paths: Vec<String> = server.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(paths.len(), PACKAGES.len(), "{paths:?}");
    for dev in ["coverage", "pytest", "ruff"] {
        assert!(
            !paths.iter().any(|p| p.contains(dev)),
            "{dev} asked: {paths:?}"
        );
    }
}

/// A server answering PyPI version documents from the recorded fixtures
/// (fixtures/enrich/pypi/{name}-{version}.json; provenance in fixtures/enrich/SOURCES.md).
fn recorded_pypi() -> Server {
    let dir = fixture("enrich/pypi");
    Server::start(move |req: &Request| {
        let file = req
            .path
            .strip_prefix("/pypi/")
            .and_then(|p| p.strip_suffix("/json"))
            .and_then(|p| p.split_once('/'))
            .map(|(name, version)| dir.join(format!("{name}-{version}.json")));
        match file.and_then(|f| std::fs::read(f).ok()) {
            Some(body) => Canned::json(body),
            None => Canned::not_found(),
        }
    })
}

#[test]
fn a_poetry_lock_gets_its_licenses_from_recorded_answers() {
    let server = recorded_pypi();
    let cache = tempfile::tempdir().unwrap();
    let dir = fixture("python/poetry").display().to_string();
    let (code, stdout, stderr) = run(
        &server.url(),
        cache.path(),
        &[
            "scan",
            &dir,
            "--no-caches",
            "-o",
            "json",
            "--enrich",
            "--enrich-sources",
            "pypi",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    let doc: Value = serde_json::from_str(&stdout).unwrap();
    let got = licenses(&doc);
    let want: Vec<(String, String)> = [
        ("certifi", "MPL-2.0"),
        ("charset-normalizer", "MIT"),
        ("colorama", "BSD-3-Clause"),
        ("idna", "BSD-3-Clause"),
        ("iniconfig", "MIT"),
        ("packaging", "Apache-2.0 OR BSD-2-Clause"),
        ("pluggy", "MIT"),
        ("pygments", "BSD-2-Clause"),
        ("pysocks", "BSD-3-Clause"),
        ("pytest", "MIT"),
        ("requests", "Apache-2.0"),
        ("urllib3", "MIT"),
    ]
    .iter()
    .map(|(n, l)| (n.to_string(), l.to_string()))
    .collect();
    assert_eq!(got, want, "{stderr}");
    assert!(stderr.contains("enriched 12 of 12 components"), "{stderr}");
}

#[test]
fn a_baseline_written_without_enrich_is_enriched_like_the_scan() {
    let server = pypi();
    let cache = tempfile::tempdir().unwrap();
    let tree = tree_with_policy("[policy]\nextends = [\"builtin:stage1\"]\n");
    let path = tree.path().display().to_string();
    let baseline = tree.path().join("base.cdx.json").display().to_string();
    let (code, _, stderr) = run(
        &server.url(),
        cache.path(),
        &[
            "scan",
            &path,
            "--no-caches",
            "-q",
            "-o",
            &format!("cyclonedx-json={baseline}"),
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(server.connections(), 0);
    // The same tree against its own unenriched baseline: nothing changed, nothing new.
    let (code, stdout, stderr) = run(
        &server.url(),
        cache.path(),
        &[
            "check",
            &path,
            "--no-caches",
            "--baseline",
            &baseline,
            "--enrich",
            "--enrich-sources",
            "pypi",
            "-o",
            "json",
        ],
    );
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert!(
        stderr.contains("0 new, 0 removed package(s), 0 license change(s)"),
        "{stderr}"
    );
    assert_eq!(
        pypi_requests(&server),
        PACKAGES.len(),
        "the baseline's packages are the scan's: answered from memory"
    );
}
