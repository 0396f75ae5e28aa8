//! The client against bomscout-net's loopback server, which answers as Dependency-Track's
//! API documents (see the crate documentation for where the shapes come from).
#![allow(clippy::unwrap_used)]

use super::*;
use bomscout_net::testing::{Canned, Request, Server};
use bomscout_net::ClientConfig;
use std::sync::atomic::AtomicUsize;
use std::sync::Arc;

const KEY: &str = "odt_0123456789abcdefSECRET";
const TOKEN: &str = "c2c8a8e5-3e8c-4f0a-9e3b-0a1b2c3d4e5f";
const BOM: &[u8] = br#"{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"components":[]}"#;

fn client() -> Client {
    let mut config = ClientConfig::new(bomscout_net::user_agent("0.0.0-test"));
    config.backoff_base = Duration::from_millis(10);
    config.max_backoff = Duration::from_millis(50);
    config.attempts = 3;
    config.read_timeout = Duration::from_millis(500);
    Client::new(config).unwrap()
}

fn dtrack(url: &str, options: Options) -> Dtrack {
    Dtrack::new(url, ApiKey::new(KEY).unwrap(), client(), options).unwrap()
}

fn project() -> Project {
    Project {
        name: "acme/payments".to_string(),
        version: "main".to_string(),
    }
}

fn upload(d: &Dtrack) -> Result<Uploaded, DtrackError> {
    d.upload(&Upload {
        source: "payments.cdx.json",
        project: &project(),
        bom: BOM,
    })
}

fn token_json() -> Canned {
    Canned::json(format!(r#"{{"token":"{TOKEN}"}}"#))
}

fn processing(p: bool) -> Canned {
    Canned::json(format!(r#"{{"processing":{p}}}"#))
}

/// A server that accepts uploads and says each token is done.
fn accepting() -> Server {
    Server::start(|req| match (req.method.as_str(), req.path.as_str()) {
        ("PUT" | "POST", "/api/v1/bom") => token_json(),
        ("GET", p) if p == format!("/api/v1/event/token/{TOKEN}") => processing(false),
        _ => Canned::not_found(),
    })
}

fn waiting() -> Options {
    Options {
        wait: Duration::from_secs(10),
        ..Options::default()
    }
}

#[test]
fn json_form_is_a_put_with_the_documented_fields() {
    let server = accepting();
    let d = dtrack(
        &server.url(),
        Options {
            parent: Some(Parent {
                name: "acme".into(),
                version: Some("2026".into()),
            }),
            ..waiting()
        },
    );
    let up = upload(&d).unwrap();
    assert_eq!(up.form, Form::Json);
    assert_eq!(up.token, TOKEN);
    assert_eq!(up.processing, Processing::Done { polls: 1 });
    let reqs = server.requests();
    assert_eq!(reqs.len(), 2);
    let put = &reqs[0];
    assert_eq!(
        (put.method.as_str(), put.path.as_str()),
        ("PUT", "/api/v1/bom")
    );
    assert_eq!(put.header("X-Api-Key"), Some(KEY));
    assert_eq!(put.header("Content-Type"), Some("application/json"));
    let json: serde_json::Value = serde_json::from_slice(&put.body).unwrap();
    assert_eq!(json["projectName"], "acme/payments");
    assert_eq!(json["projectVersion"], "main");
    assert_eq!(json["autoCreate"], true);
    assert_eq!(json["parentName"], "acme");
    assert_eq!(json["parentVersion"], "2026");
    let bom = base64::engine::general_purpose::STANDARD
        .decode(json["bom"].as_str().unwrap())
        .unwrap();
    assert_eq!(bom, BOM);
    let get = &reqs[1];
    assert_eq!(get.method, "GET");
    assert_eq!(get.path, format!("/api/v1/event/token/{TOKEN}"));
    assert_eq!(get.header("X-Api-Key"), Some(KEY));
}

#[test]
fn multipart_form_is_a_post_with_the_documented_parts() {
    let server = accepting();
    let d = dtrack(
        &server.url(),
        Options {
            form: FormChoice::Multipart,
            parent: Some(Parent {
                name: "acme".into(),
                version: None,
            }),
            ..waiting()
        },
    );
    assert_eq!(upload(&d).unwrap().form, Form::Multipart);
    let post = &server.requests()[0];
    assert_eq!(
        (post.method.as_str(), post.path.as_str()),
        ("POST", "/api/v1/bom")
    );
    assert_eq!(post.header("X-Api-Key"), Some(KEY));
    assert!(post
        .header("Content-Type")
        .unwrap()
        .starts_with("multipart/form-data; boundary="));
    let parts = post.multipart().unwrap();
    let field = |name: &str| {
        parts
            .iter()
            .find(|p| p.name == name)
            .map(bomscout_net::testing::FormPart::text)
    };
    assert_eq!(field("projectName").as_deref(), Some("acme/payments"));
    assert_eq!(field("projectVersion").as_deref(), Some("main"));
    assert_eq!(field("autoCreate").as_deref(), Some("true"));
    assert_eq!(field("parentName").as_deref(), Some("acme"));
    assert_eq!(field("parentVersion"), None);
    let bom = parts.iter().find(|p| p.name == "bom").unwrap();
    assert_eq!(bom.body, BOM);
    assert_eq!(bom.file_name.as_deref(), Some("bom.json"));
}

#[test]
fn auto_form_switches_to_multipart_above_the_json_limit() {
    assert_eq!(FormChoice::Auto.for_size(0), Form::Json);
    assert_eq!(FormChoice::Auto.for_size(JSON_FORM_LIMIT), Form::Json);
    assert_eq!(
        FormChoice::Auto.for_size(JSON_FORM_LIMIT + 1),
        Form::Multipart
    );
    assert_eq!(FormChoice::Json.for_size(usize::MAX), Form::Json);
    assert_eq!(FormChoice::Multipart.for_size(1), Form::Multipart);
    // The limit's base64 stays under the server's 20,000,000 characters.
    assert!(JSON_FORM_LIMIT.div_ceil(3) * 4 < 20_000_000);
    for (name, choice) in [
        ("auto", FormChoice::Auto),
        ("json", FormChoice::Json),
        ("multipart", FormChoice::Multipart),
    ] {
        assert_eq!(FormChoice::from_name(name), Some(choice));
    }
    assert_eq!(FormChoice::from_name("xml"), None);
}

#[test]
fn the_token_is_polled_until_processing_ends() {
    let polls = Arc::new(AtomicUsize::new(0));
    let server = Server::start({
        let polls = Arc::clone(&polls);
        move |req| match req.method.as_str() {
            "PUT" => token_json(),
            _ => processing(polls.fetch_add(1, Ordering::SeqCst) < 2),
        }
    });
    let started = Instant::now();
    let up = upload(&dtrack(&server.url(), waiting())).unwrap();
    assert_eq!(up.processing, Processing::Done { polls: 3 });
    // Paused 250 ms, then 500 ms, between the polls.
    let reqs = server.requests();
    assert!(reqs[2].at - reqs[1].at >= Duration::from_millis(250));
    assert!(reqs[3].at - reqs[2].at >= Duration::from_millis(500));
    assert!(started.elapsed() >= Duration::from_millis(750));
}

#[test]
fn the_wait_is_bounded() {
    let server = Server::start(|req| match req.method.as_str() {
        "PUT" => token_json(),
        _ => processing(true),
    });
    let options = Options {
        wait: Duration::from_millis(600),
        ..Options::default()
    };
    let up = upload(&dtrack(&server.url(), options)).unwrap();
    assert!(
        matches!(up.processing, Processing::StillRunning { waited } if waited < Duration::from_millis(600)),
        "{:?}",
        up.processing
    );
    // Polled at 0 and 250 ms; the next pause (500 ms) would pass the wait.
    assert_eq!(server.count(), 1 + 2);
}

#[test]
fn no_wait_means_no_poll() {
    let server = accepting();
    let up = upload(&dtrack(&server.url(), Options::default())).unwrap();
    assert_eq!(up.processing, Processing::NotWaited);
    assert_eq!(server.count(), 1);
}

#[test]
fn servers_before_4_11_are_polled_at_the_old_path() {
    let server = Server::routes(vec![
        ("/api/v1/bom".into(), token_json()),
        (format!("/api/v1/bom/token/{TOKEN}"), processing(false)),
    ]);
    let d = dtrack(&server.url(), waiting());
    assert_eq!(
        upload(&d).unwrap().processing,
        Processing::Done { polls: 1 }
    );
    assert_eq!(
        upload(&d).unwrap().processing,
        Processing::Done { polls: 1 }
    );
    let paths: Vec<String> = server.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(
        paths,
        [
            "/api/v1/bom".to_string(),
            format!("/api/v1/event/token/{TOKEN}"),
            format!("/api/v1/bom/token/{TOKEN}"),
            // The old path is remembered.
            "/api/v1/bom".to_string(),
            format!("/api/v1/bom/token/{TOKEN}"),
        ]
    );
}

fn failure(canned: Canned, options: Options) -> (String, usize) {
    let server = Server::sequence(vec![canned]);
    let err = upload(&dtrack(&server.url(), options)).unwrap_err();
    let text = format!("{err} | {err:?}");
    assert!(!text.contains(KEY), "the key leaked: {text}");
    assert!(text.contains("payments.cdx.json"), "{text}");
    assert!(text.contains("acme/payments@main"), "{text}");
    (err.to_string(), server.count())
}

fn with_body(status: u16, body: &str) -> Canned {
    Canned {
        body: body.as_bytes().to_vec(),
        ..Canned::status(status)
    }
}

#[test]
fn documented_failures_say_what_to_do() {
    let (e, n) = failure(Canned::status(401), Options::default());
    assert!(e.contains("401") && e.contains("BOM_UPLOAD"), "{e}");
    assert!(e.contains("PROJECT_CREATION_UPLOAD"), "{e}");
    assert_eq!(n, 1, "not retried");
    let (e, _) = failure(
        with_body(
            401,
            "The principal does not have permission to create project.",
        ),
        Options::default(),
    );
    assert!(e.contains("permission to create project"), "{e}");
    let (e, _) = failure(
        with_body(403, "Access to the specified project is forbidden"),
        Options::default(),
    );
    assert!(
        e.contains("403") && e.contains("access to the project"),
        "{e}"
    );
    let (e, _) = failure(
        with_body(404, "The project could not be found."),
        Options::default(),
    );
    assert!(e.contains("404") && e.contains("--dtrack-url"), "{e}");
    let (e, _) = failure(Canned::status(413), Options::default());
    assert!(
        e.contains("413") && e.contains("--dtrack-form multipart"),
        "{e}"
    );
    assert!(e.contains("JSON (PUT)"), "{e}");
    let (e, _) = failure(
        Canned::status(413),
        Options {
            form: FormChoice::Multipart,
            ..Options::default()
        },
    );
    assert!(
        e.contains("client_max_body_size") && !e.contains("--dtrack-form"),
        "{e}"
    );
    let problem = r#"{"status":400,"title":"The uploaded BOM is invalid","detail":"Schema validation failed","errors":["$.components[0].type: is missing but it is required"]}"#;
    let (e, _) = failure(
        with_body(400, problem).header("Content-Type", "application/problem+json"),
        Options::default(),
    );
    assert!(
        e.contains("The uploaded BOM is invalid: Schema validation failed; $.components[0].type"),
        "{e}"
    );
    let (e, _) = failure(Canned::json(r#"{"tok":1}"#), Options::default());
    assert!(e.contains("unexpected answer"), "{e}");
    let (e, _) = failure(Canned::json(r#"{"token":"../../x"}"#), Options::default());
    assert!(e.contains("not a UUID"), "{e}");
}

#[test]
fn server_errors_are_retried_then_the_upload_succeeds() {
    let server = Server::sequence(vec![Canned::status(500), Canned::status(503), token_json()]);
    let up = upload(&dtrack(&server.url(), Options::default())).unwrap();
    assert_eq!(up.token, TOKEN);
    let reqs = server.requests();
    assert_eq!(reqs.len(), 3);
    assert!(reqs
        .iter()
        .all(|r| r.method == "PUT" && r.body == reqs[0].body));
}

#[test]
fn server_errors_past_the_attempts_fail_naming_the_project() {
    let (e, n) = failure(Canned::status(502), Options::default());
    assert_eq!(n, 3);
    assert!(e.contains("502") && e.contains("after 3 attempts"), "{e}");
}

#[test]
fn a_timeout_is_retried_then_fails() {
    let (e, n) = failure(
        token_json().delayed(Duration::from_secs(2)),
        Options::default(),
    );
    assert_eq!(n, 3);
    assert!(e.contains("timed out"), "{e}");
}

/// A server with no parent project until `PUT /api/v1/project` creates it, answering
/// uploads as `BomResource` does for a missing parent.
fn parentless(create: Canned) -> (Server, Arc<AtomicBool>) {
    let exists = Arc::new(AtomicBool::new(false));
    let server = Server::start({
        let exists = Arc::clone(&exists);
        move |req: &Request| match (req.method.as_str(), req.path.as_str()) {
            ("PUT", "/api/v1/bom") if !exists.load(Ordering::SeqCst) => {
                with_body(404, "The parent component could not be found.")
            }
            ("PUT", "/api/v1/bom") => token_json(),
            ("PUT", "/api/v1/project") => {
                if create.status == 201 {
                    exists.store(true, Ordering::SeqCst);
                }
                create.clone()
            }
            _ => Canned::not_found(),
        }
    });
    (server, exists)
}

fn with_parent() -> Options {
    Options {
        parent: Some(Parent {
            name: "acme".into(),
            version: None,
        }),
        ..Options::default()
    }
}

#[test]
fn a_missing_parent_is_created_once() {
    let (server, _) = parentless(Canned {
        status: 201,
        ..Canned::json(r#"{"name":"acme"}"#)
    });
    let d = dtrack(&server.url(), with_parent());
    let first = upload(&d).unwrap();
    assert!(first.created_parent);
    let second = upload(&d).unwrap();
    assert!(!second.created_parent);
    let reqs = server.requests();
    let create: Vec<&Request> = reqs
        .iter()
        .filter(|r| r.path == "/api/v1/project")
        .collect();
    assert_eq!(create.len(), 1);
    assert_eq!(create[0].method, "PUT");
    assert_eq!(create[0].header("X-Api-Key"), Some(KEY));
    let json: serde_json::Value = serde_json::from_slice(&create[0].body).unwrap();
    assert_eq!(json["name"], "acme");
    assert_eq!(json["classifier"], "APPLICATION");
    assert!(json.get("version").is_none());
    // 404, create, upload again; then one upload.
    assert_eq!(reqs.len(), 4);
}

#[test]
fn a_parent_the_key_may_not_create_is_an_error_saying_so() {
    let (server, _) = parentless(Canned::status(403));
    let err = upload(&dtrack(&server.url(), with_parent()))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("parent project \"acme\" does not exist"),
        "{err}"
    );
    assert!(err.contains("PORTFOLIO_MANAGEMENT"), "{err}");
}

#[test]
fn urls_are_the_api_servers_base() {
    for base in [
        "http://127.0.0.1:1",
        "http://127.0.0.1:1/",
        "http://127.0.0.1:1/api",
        "http://127.0.0.1:1/api/",
    ] {
        let d = dtrack(base, Options::default());
        assert_eq!(
            d.endpoint(&["v1", "bom"]).unwrap(),
            "http://127.0.0.1:1/api/v1/bom"
        );
    }
    let d = dtrack(
        "https://dt.example.invalid/tools/dtrack",
        Options::default(),
    );
    assert_eq!(
        d.endpoint(&["v1", "bom"]).unwrap(),
        "https://dt.example.invalid/tools/dtrack/api/v1/bom"
    );
    let err = Dtrack::new(
        "ftp://user:pw@dt.example.invalid",
        ApiKey::new(KEY).unwrap(),
        client(),
        Options::default(),
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("--dtrack-url") && !err.contains("pw@"),
        "{err}"
    );
}

#[test]
fn api_keys_are_checked_and_never_shown() {
    assert!(ApiKey::new("").is_err());
    assert!(ApiKey::new("  \n").is_err());
    let err = ApiKey::new("abc\ndef").unwrap_err().to_string();
    assert!(!err.contains("abc"), "{err}");
    let key = ApiKey::new(" odt_x \n").unwrap();
    assert_eq!(key.0, "odt_x");
    assert_eq!(format!("{key:?}"), "ApiKey(***)");
    let d = dtrack("http://127.0.0.1:1", Options::default());
    assert!(!format!("{d:?}").contains(KEY));
}

#[test]
fn uuids() {
    assert!(is_uuid(TOKEN));
    for bad in [
        "",
        "x",
        "c2c8a8e5-3e8c-4f0a-9e3b-0a1b2c3d4e5",
        "c2c8a8e5/3e8c-4f0a-9e3b-0a1b2c3d4e5f",
        "c2c8a8e5-3e8c-4f0a-9e3b-0a1b2c3d4e5g",
    ] {
        assert!(!is_uuid(bad), "{bad}");
    }
}
