//! `Client::send` against a loopback server: methods, secret headers, JSON and multipart
//! bodies, answers of any status, retries, and redirects that are not followed.

use bomscout_net::testing::{Canned, Server};
use bomscout_net::{Client, ClientConfig, FormPart, Header, Method, NetError, Outgoing, Payload};
use std::time::Duration;

fn client() -> Client {
    let mut config = ClientConfig::new(bomscout_net::user_agent("0.0.0-test"));
    config.backoff_base = Duration::from_millis(10);
    config.max_backoff = Duration::from_millis(50);
    config.attempts = 3;
    config.read_timeout = Duration::from_millis(500);
    Client::new(config).unwrap()
}

const KEY: &str = "odt_SeCrEtKeY0123456789";

fn key_header() -> [Header<'static>; 1] {
    [Header {
        name: "X-Api-Key",
        value: KEY,
        secret: true,
    }]
}

#[test]
fn put_json_with_a_secret_header() {
    let server = Server::sequence(vec![Canned::json(r#"{"token":"t"}"#)]);
    let url = format!("{}/api/v1/bom", server.url());
    let headers = key_header();
    let answer = client()
        .send(
            &Outgoing {
                method: Method::Put,
                url: &url,
                headers: &headers,
                body: Payload::Json(br#"{"a":1}"#),
            },
            1024,
        )
        .unwrap();
    assert_eq!(answer.status, 200);
    assert_eq!(answer.body, br#"{"token":"t"}"#);
    assert_eq!(answer.content_type.as_deref(), Some("application/json"));
    let req = &server.requests()[0];
    assert_eq!(req.method, "PUT");
    assert_eq!(req.path, "/api/v1/bom");
    assert_eq!(req.header("x-api-key"), Some(KEY));
    assert_eq!(req.header("content-type"), Some("application/json"));
    assert_eq!(req.body, br#"{"a":1}"#);
    // The header's Debug output hides a secret value.
    assert_eq!(format!("{:?}", headers[0]), "X-Api-Key: ***");
}

#[test]
fn multipart_parts_arrive_as_sent() {
    let server = Server::sequence(vec![Canned::json("{}")]);
    let url = format!("{}/upload", server.url());
    let bom = b"{\"bomFormat\":\"CycloneDX\"}\r\n--not-a-boundary\r\n".to_vec();
    let parts = [
        FormPart {
            name: "projectName",
            value: b"org/team/service",
            file: None,
        },
        FormPart {
            name: "bom",
            value: &bom,
            file: Some(("bom.json", "application/json")),
        },
    ];
    let answer = client()
        .send(
            &Outgoing {
                method: Method::Post,
                url: &url,
                headers: &[],
                body: Payload::Multipart(&parts),
            },
            1024,
        )
        .unwrap();
    assert_eq!(answer.status, 200);
    let req = &server.requests()[0];
    assert_eq!(req.method, "POST");
    let got = req.multipart().expect("a well-formed multipart body");
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].name, "projectName");
    assert_eq!(got[0].text(), "org/team/service");
    assert_eq!(got[0].file_name, None);
    assert_eq!(got[1].name, "bom");
    assert_eq!(got[1].file_name.as_deref(), Some("bom.json"));
    assert_eq!(got[1].content_type.as_deref(), Some("application/json"));
    assert_eq!(got[1].body, bom);
}

#[test]
fn client_errors_are_answers_not_retried() {
    for status in [401, 403, 404, 413] {
        let server2 = Server::sequence(vec![Canned {
            body: b"The principal does not have permission".to_vec(),
            ..Canned::status(status)
        }]);
        let url = format!("{}/x", server2.url());
        let answer = client()
            .send(
                &Outgoing {
                    method: Method::Get,
                    url: &url,
                    headers: &key_header(),
                    body: Payload::Empty,
                },
                8,
            )
            .unwrap();
        assert_eq!(answer.status, status);
        assert!(!answer.is_success());
        // At most the limit of the body is kept.
        assert_eq!(answer.body, b"The prin");
        assert_eq!(answer.text(40), "\"The prin\"");
        assert_eq!(server2.count(), 1, "{status} is not retried");
    }
}

#[test]
fn server_errors_are_retried_then_succeed() {
    let server = Server::sequence(vec![Canned::status(500), Canned::json("{}")]);
    let url = format!("{}/x", server.url());
    let answer = client()
        .send(
            &Outgoing {
                method: Method::Put,
                url: &url,
                headers: &key_header(),
                body: Payload::Json(b"{}"),
            },
            1024,
        )
        .unwrap();
    assert_eq!(answer.status, 200);
    assert_eq!(server.count(), 2);
    // The body went out again with the retry.
    assert_eq!(server.requests()[1].body, b"{}");
}

#[test]
fn timeouts_are_retried_then_fail_without_the_key() {
    let server = Server::sequence(vec![Canned::json("{}").delayed(Duration::from_secs(2))]);
    let url = format!("{}/x", server.url());
    let err = client()
        .send(
            &Outgoing {
                method: Method::Get,
                url: &url,
                headers: &key_header(),
                body: Payload::Empty,
            },
            1024,
        )
        .unwrap_err();
    assert!(
        matches!(err, NetError::Transport { attempts: 3, .. }),
        "{err}"
    );
    let text = format!("{err} {err:?}");
    assert!(text.contains("timed out"), "{text}");
    assert!(!text.contains(KEY), "{text}");
}

#[test]
fn redirects_are_answers_and_the_key_goes_nowhere_else() {
    let elsewhere = Server::sequence(vec![Canned::json("{}")]);
    let server = Server::sequence(vec![
        Canned::status(307).header("Location", &format!("{}/stolen", elsewhere.url()))
    ]);
    let url = format!("{}/x", server.url());
    let answer = client()
        .send(
            &Outgoing {
                method: Method::Put,
                url: &url,
                headers: &key_header(),
                body: Payload::Json(b"{}"),
            },
            1024,
        )
        .unwrap();
    assert_eq!(answer.status, 307);
    assert_eq!(elsewhere.count(), 0);
}

#[test]
fn a_bad_header_value_is_refused_without_showing_it() {
    let err = client()
        .send(
            &Outgoing {
                method: Method::Get,
                url: "http://127.0.0.1:9/x",
                headers: &[Header {
                    name: "X-Api-Key",
                    value: "secret\nvalue",
                    secret: true,
                }],
                body: Payload::Empty,
            },
            1024,
        )
        .unwrap_err();
    let text = err.to_string();
    assert!(text.contains("X-Api-Key"), "{text}");
    assert!(!text.contains("secret"), "{text}");
}
