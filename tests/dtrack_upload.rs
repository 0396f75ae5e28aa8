//! `bomscout upload` and `bomscout inventory --upload-dtrack` against a loopback server that
//! checks every request against Dependency-Track's documented BOM API and answers as it
//! does.
//!
//! Where the shapes come from: Dependency-Track's OpenAPI description (served by every API
//! server at `/api/openapi.json`) and its 4.x sources, `BomResource` (`PUT /api/v1/bom` with a
//! JSON `BomSubmitRequest`, `POST /api/v1/bom` as multipart/form-data with the fields
//! `projectName`, `projectVersion`, `autoCreate`, `parentName`, `parentVersion` and the file
//! part `bom`; both answer `BomUploadResponse` `{"token": UUID}`; `404` "The parent component
//! could not be found." for a missing parent; `401` "The principal does not have permission
//! to create project."), `EventResource` (`GET /api/v1/event/token/{uuid}` answering
//! `IsTokenBeingProcessedResponse` `{"processing": bool}`) and `ProjectResource` (`PUT
//! /api/v1/project`, `201` or `409` when it exists).

mod common;

use base64::Engine;
use bomscout_net::testing::{Canned, Request, Server};
use common::{bomscout, copy_tree, fixture, outcome};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const KEY: &str = "odt_e2eTESTkey0123456789abcdef";
const VAR: &str = "BOMSCOUT_TEST_DTRACK_KEY";

/// A token per upload, in the documented `8-4-4-4-12` form.
fn token(n: usize) -> String {
    format!("00000000-0000-4000-8000-{n:012}")
}

/// What one upload request carried, read as Dependency-Track reads it.
#[derive(Debug)]
struct Sent {
    form: &'static str,
    fields: BTreeMap<String, String>,
    bom: Vec<u8>,
}

/// Checks `req` is an upload as documented (method, path, key, content type, fields) and
/// returns what it carried. Panics (failing the test) on anything else.
fn read_upload(req: &Request) -> Sent {
    assert_eq!(req.path, "/api/v1/bom", "{req:?}");
    assert_eq!(
        req.header("X-Api-Key"),
        Some(KEY),
        "the key goes in X-Api-Key"
    );
    let content_type = req.header("Content-Type").unwrap_or_default();
    match req.method.as_str() {
        "PUT" => {
            assert_eq!(content_type, "application/json");
            let json: Value = serde_json::from_slice(&req.body).expect("a JSON body");
            let mut fields = BTreeMap::new();
            for (k, v) in json.as_object().expect("an object") {
                assert!(
                    [
                        "projectName",
                        "projectVersion",
                        "autoCreate",
                        "parentName",
                        "parentVersion",
                        "bom"
                    ]
                    .contains(&k.as_str()),
                    "{k} is not a BomSubmitRequest field this client should send"
                );
                if k != "bom" {
                    let text = match v {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    fields.insert(k.clone(), text);
                }
            }
            let bom = base64::engine::general_purpose::STANDARD
                .decode(json["bom"].as_str().expect("bom is a string"))
                .expect("bom is base64");
            Sent {
                form: "json",
                fields,
                bom,
            }
        }
        "POST" => {
            assert!(
                content_type.starts_with("multipart/form-data; boundary="),
                "{content_type}"
            );
            let parts = req.multipart().expect("a well-formed multipart body");
            let mut fields = BTreeMap::new();
            let mut bom = None;
            for p in parts {
                if p.name == "bom" {
                    assert!(p.file_name.is_some(), "bom is a file part");
                    bom = Some(p.body);
                } else {
                    assert!(p.file_name.is_none(), "{} is a plain field", p.name);
                    fields.insert(p.name.clone(), p.text());
                }
            }
            Sent {
                form: "multipart",
                fields,
                bom: bom.expect("a bom part"),
            }
        }
        other => panic!("an upload is a PUT or a POST, not {other}"),
    }
}

/// The document is CycloneDX JSON that validates against the vendored schema of its version.
fn assert_valid_cyclonedx(bom: &[u8]) -> Value {
    let doc: Value = serde_json::from_slice(bom).expect("the bom is JSON");
    assert_eq!(doc["bomFormat"], "CycloneDX");
    let version = doc["specVersion"]
        .as_str()
        .expect("specVersion")
        .to_string();
    assert!(
        ["1.4", "1.5", "1.6"].contains(&version.as_str()),
        "Dependency-Track 4.x accepts up to 1.6, not {version}"
    );
    let validator = common::schema(&format!("cyclonedx/bom-{version}.SNAPSHOT.schema.json"));
    let errors = common::errors(&validator, &doc);
    assert!(errors.is_empty(), "{errors:#?}");
    doc
}

/// A Dependency-Track that takes every upload (tokens numbered in arrival order) and
/// answers each token's first `busy` polls with `processing: true`.
struct FakeDtrack {
    server: Server,
}

impl FakeDtrack {
    fn start(
        busy: usize,
        reject: impl Fn(&Request) -> Option<Canned> + Send + Sync + 'static,
    ) -> FakeDtrack {
        let uploads = AtomicUsize::new(0);
        let polls: Mutex<BTreeMap<String, usize>> = Mutex::default();
        let server = Server::start(move |req| {
            if let Some(canned) = reject(req) {
                return canned;
            }
            match (req.method.as_str(), req.path.as_str()) {
                ("PUT" | "POST", "/api/v1/bom") => {
                    let n = uploads.fetch_add(1, Ordering::SeqCst);
                    Canned::json(format!(r#"{{"token":"{}"}}"#, token(n)))
                }
                ("GET", p) if p.starts_with("/api/v1/event/token/") => {
                    let t = p.trim_start_matches("/api/v1/event/token/").to_string();
                    let mut polls = polls.lock().unwrap();
                    let seen = polls.entry(t).or_default();
                    *seen += 1;
                    Canned::json(format!(r#"{{"processing":{}}}"#, *seen <= busy))
                }
                _ => Canned::not_found(),
            }
        });
        FakeDtrack { server }
    }

    fn uploads(&self) -> Vec<Sent> {
        self.server
            .requests()
            .iter()
            .filter(|r| r.path == "/api/v1/bom")
            .map(read_upload)
            .collect()
    }

    fn polls(&self) -> Vec<Request> {
        let polls: Vec<Request> = self
            .server
            .requests()
            .into_iter()
            .filter(|r| r.path.starts_with("/api/v1/event/token/"))
            .collect();
        for p in &polls {
            assert_eq!(p.method, "GET");
            assert_eq!(p.header("X-Api-Key"), Some(KEY));
        }
        polls
    }
}

fn no_rejection(_: &Request) -> Option<Canned> {
    None
}

/// A CycloneDX document of a real fixture, written by bomscout.
fn sbom(dir: &Path, version: &str) -> PathBuf {
    let out = dir.join(format!("shop-{version}.cdx.json"));
    let (code, _, err) = outcome(
        bomscout()
            .args(["scan", "--no-caches", "-q"])
            .arg(fixture("npm/lock-v3"))
            .args(["--cyclonedx-version", version, "-o"])
            .arg(format!("cyclonedx-json={}", out.display())),
    );
    assert_eq!(code, 0, "{err}");
    out
}

/// `bomscout upload FILE --dtrack-url URL --api-key-env VAR ARGS...`, with the key set.
fn upload(server: &Server, file: &Path, extra: &[&str]) -> (i32, String, String) {
    let result = outcome(
        bomscout()
            .arg("upload")
            .arg(file)
            .args(["--dtrack-url", &server.url(), "--api-key-env", VAR])
            .args(extra)
            .env(VAR, KEY),
    );
    assert!(
        !result.1.contains(KEY) && !result.2.contains(KEY),
        "the API key was printed: {result:?}"
    );
    result
}

#[test]
fn json_upload_as_documented_then_the_token_is_polled() {
    let dir = tempfile::tempdir().unwrap();
    let file = sbom(dir.path(), "1.6");
    let dt = FakeDtrack::start(2, no_rejection);
    let (code, _, err) = upload(
        &dt.server,
        &file,
        &[
            "--project-version",
            "main",
            "--parent",
            "acme",
            "--parent-version",
            "2026",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let uploads = dt.uploads();
    assert_eq!(uploads.len(), 1);
    let sent = &uploads[0];
    assert_eq!(sent.form, "json");
    let expected: BTreeMap<String, String> = [
        ("autoCreate", "true"),
        ("parentName", "acme"),
        ("parentVersion", "2026"),
        ("projectName", "lock-v3"),
        ("projectVersion", "main"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    assert_eq!(sent.fields, expected);
    // Sent as written: the same bytes, valid CycloneDX 1.6.
    assert_eq!(sent.bom, std::fs::read(&file).unwrap());
    assert_valid_cyclonedx(&sent.bom);
    // Processing true twice, then false.
    let polls = dt.polls();
    assert_eq!(polls.len(), 3);
    assert!(polls
        .iter()
        .all(|p| p.path == format!("/api/v1/event/token/{}", token(0))));
    assert!(err.contains("uploaded (JSON (PUT)), processed"), "{err}");
    assert!(err.contains("lock-v3@main"), "{err}");
}

#[test]
fn multipart_upload_as_documented() {
    let dir = tempfile::tempdir().unwrap();
    let file = sbom(dir.path(), "1.6");
    let dt = FakeDtrack::start(0, no_rejection);
    let (code, _, err) = upload(
        &dt.server,
        &file,
        &[
            "--dtrack-form",
            "multipart",
            "--project-name",
            "acme/shop",
            "--project-version",
            "v1.2.0",
            "--parent",
            "acme",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let uploads = dt.uploads();
    assert_eq!(uploads.len(), 1);
    assert_eq!(uploads[0].form, "multipart");
    assert_eq!(uploads[0].fields["projectName"], "acme/shop");
    assert_eq!(uploads[0].fields["projectVersion"], "v1.2.0");
    assert_eq!(uploads[0].fields["autoCreate"], "true");
    assert_eq!(uploads[0].fields["parentName"], "acme");
    assert!(!uploads[0].fields.contains_key("parentVersion"));
    assert_valid_cyclonedx(&uploads[0].bom);
    assert_eq!(dt.polls().len(), 1);
}

#[test]
fn cyclonedx_1_7_is_converted_to_a_version_dependency_track_accepts() {
    let dir = tempfile::tempdir().unwrap();
    let file = sbom(dir.path(), "1.7");
    for (flag, want) in [(None, "1.6"), (Some("1.5"), "1.5")] {
        let dt = FakeDtrack::start(0, no_rejection);
        let mut extra = vec!["--project-version", "main"];
        if let Some(v) = flag {
            extra.extend(["--cyclonedx-version", v]);
        }
        let (code, _, err) = upload(&dt.server, &file, &extra);
        assert_eq!(code, 0, "{err}");
        let doc = assert_valid_cyclonedx(&dt.uploads()[0].bom);
        assert_eq!(doc["specVersion"], want);
        assert_eq!(dt.uploads()[0].fields["projectName"], "lock-v3");
    }
}

#[test]
fn the_version_comes_from_the_git_checkout_holding_the_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join(".git/refs/heads")).unwrap();
    std::fs::write(
        dir.path().join(".git/HEAD"),
        "ref: refs/heads/release/3.x\n",
    )
    .unwrap();
    std::fs::create_dir_all(dir.path().join("out")).unwrap();
    let file = sbom(&dir.path().join("out"), "1.6");
    let dt = FakeDtrack::start(0, no_rejection);
    let (code, _, err) = upload(&dt.server, &file, &["--dtrack-wait", "0"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(dt.uploads()[0].fields["projectVersion"], "release/3.x");
    // No wait: no poll.
    assert!(dt.polls().is_empty());
    assert!(err.contains(&format!("token {}", token(0))), "{err}");
}

fn with_body(status: u16, body: &str) -> Canned {
    Canned {
        body: body.as_bytes().to_vec(),
        ..Canned::status(status)
    }
}

#[test]
fn refusals_exit_2_naming_the_file_the_project_and_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    let file = sbom(dir.path(), "1.6");
    let cases: [(Canned, &[&str]); 4] = [
        (
            Canned::status(401),
            &["401", "BOM_UPLOAD", "PROJECT_CREATION_UPLOAD"],
        ),
        (
            with_body(403, "Access to the specified project is forbidden"),
            &[
                "403",
                "access to the project",
                "Access to the specified project is forbidden",
            ],
        ),
        (
            with_body(404, "The project could not be found."),
            &["404", "--dtrack-url"],
        ),
        (
            Canned::status(413),
            &["413", "--dtrack-form multipart", "client_max_body_size"],
        ),
    ];
    for (canned, needles) in cases {
        let server = Server::sequence(vec![canned]);
        let (code, _, err) = upload(&server, &file, &["--project-version", "main"]);
        assert_eq!(code, 2, "{err}");
        assert!(err.contains("shop-1.6.cdx.json"), "{err}");
        assert!(err.contains("\"lock-v3@main\""), "{err}");
        for n in needles {
            assert!(err.contains(n), "{n:?} missing in: {err}");
        }
        // A refusal is an answer: not retried.
        assert_eq!(server.count(), 1, "{err}");
    }
}

#[test]
fn a_server_error_is_retried_then_the_upload_succeeds() {
    let dir = tempfile::tempdir().unwrap();
    let file = sbom(dir.path(), "1.6");
    let server = Server::sequence(vec![
        Canned::status(500),
        Canned::json(format!(r#"{{"token":"{}"}}"#, token(7))),
        Canned::json(r#"{"processing":false}"#),
    ]);
    let (code, _, err) = upload(&server, &file, &["--project-version", "main"]);
    assert_eq!(code, 0, "{err}");
    let reqs = server.requests();
    assert_eq!(reqs.len(), 3);
    let first = read_upload(&reqs[0]);
    let second = read_upload(&reqs[1]);
    assert_eq!(first.bom, second.bom);
    assert_eq!(reqs[2].path, format!("/api/v1/event/token/{}", token(7)));
}

#[test]
fn a_timeout_is_retried_boundedly_then_fails() {
    let dir = tempfile::tempdir().unwrap();
    let file = sbom(dir.path(), "1.6");
    let server = Server::sequence(vec![Canned::json("{}").delayed(Duration::from_secs(3))]);
    let (code, _, err) = upload(
        &server,
        &file,
        &[
            "--project-version",
            "main",
            "--dtrack-timeout",
            "1",
            "--dtrack-retries",
            "1",
        ],
    );
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("timed out") && err.contains("after 2 attempts"),
        "{err}"
    );
    assert!(
        err.contains("shop-1.6.cdx.json") && err.contains("lock-v3@main"),
        "{err}"
    );
    assert_eq!(server.count(), 2);
}

#[test]
fn without_the_key_nothing_is_sent() {
    let dir = tempfile::tempdir().unwrap();
    let file = sbom(dir.path(), "1.6");
    let server = Server::sequence(vec![Canned::json("{}")]);
    let (code, _, err) = outcome(
        bomscout()
            .arg("upload")
            .arg(&file)
            .args(["--dtrack-url", &server.url(), "--api-key-env", VAR])
            .env_remove(VAR),
    );
    assert_eq!(code, 2);
    assert!(err.contains(VAR) && err.contains("not set"), "{err}");
    let (code, _, err) = outcome(
        bomscout()
            .arg("upload")
            .arg(&file)
            .args(["--dtrack-url", &server.url()]),
    );
    assert_eq!(code, 2);
    assert!(err.contains("--api-key-env"), "{err}");
    // A key is never a plain flag.
    let (code, _, _) = outcome(bomscout().arg("upload").arg(&file).args([
        "--dtrack-url",
        &server.url(),
        "--api-key",
        KEY,
    ]));
    assert_eq!(code, 2);
    assert_eq!(server.count(), 0);
}

/// A repository at `org/name` from fixtures, with a `.git` whose HEAD is `head`.
fn repo(org: &Path, name: &str, fixture_dir: &str, head: &str) {
    let dir = org.join(name);
    copy_tree(&fixture(fixture_dir), &dir.join("app"));
    std::fs::create_dir_all(dir.join(".git/refs/tags")).unwrap();
    std::fs::write(dir.join(".git/HEAD"), head).unwrap();
}

const COMMIT: &str = "0123456789abcdef0123456789abcdef01234567";

/// An organization of three repositories: two on branches, one at a tag (detached).
fn org(root: &Path) -> PathBuf {
    let org = root.join("acme");
    repo(&org, "web", "npm/lock-v3", "ref: refs/heads/main\n");
    repo(&org, "tools", "cargo/simple", "ref: refs/heads/develop\n");
    repo(&org, "api", "python/pipenv", &format!("{COMMIT}\n"));
    std::fs::write(org.join("api/.git/refs/tags/v2.0.0"), format!("{COMMIT}\n")).unwrap();
    org
}

fn inventory(root: &Path, server: &Server, extra: &[&str]) -> (i32, String, String) {
    let result = outcome(
        bomscout()
            .arg("inventory")
            .arg(root)
            .arg("--db")
            .arg(root.parent().unwrap().join("org.db"))
            .args([
                "--no-caches",
                "--upload-dtrack",
                &server.url(),
                "--api-key-env",
                VAR,
            ])
            .args(extra)
            .env(VAR, KEY),
    );
    assert!(
        !result.1.contains(KEY) && !result.2.contains(KEY),
        "the API key was printed: {result:?}"
    );
    result
}

#[test]
fn inventory_uploads_one_project_per_repository_under_the_parent() {
    let dir = tempfile::tempdir().unwrap();
    let root = org(dir.path());
    // No parent project until bomscout creates it, as Dependency-Track answers.
    let parent_exists = Arc::new(AtomicBool::new(false));
    let created = Arc::new(AtomicUsize::new(0));
    let dt = FakeDtrack::start(1, {
        let parent_exists = Arc::clone(&parent_exists);
        let created = Arc::clone(&created);
        move |req| match (req.method.as_str(), req.path.as_str()) {
            ("PUT" | "POST", "/api/v1/bom") if !parent_exists.load(Ordering::SeqCst) => {
                Some(with_body(404, "The parent component could not be found."))
            }
            ("PUT", "/api/v1/project") => {
                let json: Value = serde_json::from_slice(&req.body).unwrap();
                assert_eq!(json["name"], "acme-org");
                assert_eq!(req.header("X-Api-Key"), Some(KEY));
                created.fetch_add(1, Ordering::SeqCst);
                parent_exists.store(true, Ordering::SeqCst);
                Some(Canned {
                    status: 201,
                    ..Canned::json(r#"{"name":"acme-org"}"#)
                })
            }
            _ => None,
        }
    });
    let (code, _, err) = inventory(&root, &dt.server, &["--parent", "acme-org"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        created.load(Ordering::SeqCst),
        1,
        "the parent is created once"
    );
    let mut projects: Vec<(String, String)> = Vec::new();
    for sent in dt.uploads() {
        assert_eq!(sent.fields["parentName"], "acme-org");
        assert_eq!(sent.fields["autoCreate"], "true");
        assert_valid_cyclonedx(&sent.bom);
        projects.push((
            sent.fields["projectName"].clone(),
            sent.fields["projectVersion"].clone(),
        ));
    }
    projects.sort();
    projects.dedup();
    assert_eq!(
        projects,
        [
            ("acme/api".to_string(), "v2.0.0".to_string()),
            ("acme/tools".to_string(), "develop".to_string()),
            ("acme/web".to_string(), "main".to_string()),
        ]
    );
    // Every token polled until processed (true once, then false).
    assert_eq!(dt.polls().len(), 2 * 3);
    assert!(err.contains("3 uploaded, 0 failed"), "{err}");
    assert!(
        err.contains("created the parent project \"acme-org\""),
        "{err}"
    );
}

#[test]
fn inventory_goes_on_past_a_failed_upload_and_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let root = org(dir.path());
    let dt = FakeDtrack::start(0, |req| {
        (req.path == "/api/v1/bom" && read_upload(req).fields["projectName"] == "acme/tools")
            .then(|| Canned::status(413))
    });
    let (code, _, err) = inventory(&root, &dt.server, &["-q", "--dtrack-wait", "0"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("acme/tools") && err.contains("413"), "{err}");
    assert!(err.contains("2 uploaded, 1 failed"), "{err}");
    // The run itself was recorded whole.
    let (code, out, qerr) = common::query(&dir.path().join("org.db"), &["runs", "-o", "json"]);
    assert_eq!(code, 0, "{qerr}");
    let runs: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(runs[0]["repositories"], 3, "{runs}");
}

#[test]
fn inventory_sends_nothing_without_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    let root = org(dir.path());
    let (code, _, err) = outcome(
        bomscout()
            .arg("inventory")
            .arg(&root)
            .arg("--db")
            .arg(dir.path().join("org.db"))
            .args(["-q", "--no-caches", "--parent", "acme"]),
    );
    assert_eq!(code, 2);
    assert!(err.contains("--upload-dtrack"), "{err}");
    let (code, _, err) = outcome(
        bomscout()
            .arg("inventory")
            .arg(&root)
            .arg("--db")
            .arg(dir.path().join("org.db"))
            .args(["-q", "--no-caches"]),
    );
    assert_eq!(code, 0, "{err}");
    assert!(err.is_empty(), "{err}");
}
