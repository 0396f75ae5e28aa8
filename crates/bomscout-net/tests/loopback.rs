//! The client against a loopback server started by each test: conditional GET, retries,
//! `Retry-After`, validation and the atomic replace. No test touches the public network.

use bomscout_net::testing::{Canned, Server};
use bomscout_net::zipcheck::{check_zip, ZipLimits};
use bomscout_net::{Client, ClientConfig, Fetched, NetError, Sidecar};
use std::io::Write;
use std::path::Path;
use std::time::Duration;

/// A real zip of OSV records, as OSV's exports are (one `ID.json` per record).
fn osv_zip(ids: &[&str]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for id in ids {
        w.start_file(format!("{id}.json"), opts).unwrap();
        let record = format!(
            r#"{{"schema_version":"1.6.0","id":"{id}","modified":"2024-05-01T00:00:00Z","affected":[{{"package":{{"ecosystem":"npm","name":"example"}},"ranges":[{{"type":"SEMVER","events":[{{"introduced":"0"}},{{"fixed":"1.2.3"}}]}}]}}]}}"#
        );
        w.write_all(record.as_bytes()).unwrap();
    }
    w.finish().unwrap().into_inner()
}

/// Fast retries so tests take milliseconds, except where a `Retry-After` is under test.
fn client() -> Client {
    let mut config = ClientConfig::new(bomscout_net::user_agent("0.0.0-test"));
    config.backoff_base = Duration::from_millis(10);
    config.max_backoff = Duration::from_millis(50);
    config.attempts = 3;
    config.max_retry_after = Duration::from_secs(5);
    Client::new(config).unwrap()
}

fn validate(path: &Path) -> Result<usize, bomscout_net::zipcheck::ZipCheckError> {
    check_zip(path, ZipLimits::default()).map(|s| s.files)
}

/// Names in a directory other than the file and its sidecar (temporary files left behind).
fn leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "all.zip" && n != "all.zip.meta")
        .collect()
}

#[test]
fn first_download_then_304_with_if_none_match() {
    let zip = osv_zip(&["GHSA-aaaa-bbbb-cccc", "GHSA-dddd-eeee-ffff"]);
    let server = Server::start({
        let zip = zip.clone();
        move |req| {
            if req.header("If-None-Match") == Some("\"v1\"") {
                Canned::status(304).header("ETag", "\"v1\"")
            } else {
                Canned::ok(zip.clone())
                    .header("ETag", "\"v1\"")
                    .header("Last-Modified", "Wed, 01 May 2024 00:00:00 GMT")
            }
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("osv/npm/all.zip");
    let url = format!("{}/npm/all.zip", server.url());
    let client = client();

    match client.download(&url, &dest, validate).unwrap() {
        Fetched::Updated {
            bytes,
            validated,
            sidecar,
        } => {
            assert_eq!(bytes, zip.len() as u64);
            assert_eq!(validated, 2);
            assert_eq!(sidecar.etag.as_deref(), Some("\"v1\""));
            assert_eq!(
                sidecar.last_modified.as_deref(),
                Some("Wed, 01 May 2024 00:00:00 GMT")
            );
        }
        other => panic!("expected a download, got {other:?}"),
    }
    assert_eq!(std::fs::read(&dest).unwrap(), zip);
    assert_eq!(Sidecar::read(&dest).unwrap().url, url);

    let second = client.download(&url, &dest, validate).unwrap();
    assert!(matches!(second, Fetched::Unchanged { .. }), "{second:?}");
    assert_eq!(std::fs::read(&dest).unwrap(), zip);

    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[0].header("If-None-Match"), None);
    assert_eq!(requests[1].header("If-None-Match"), Some("\"v1\""));
    assert_eq!(
        requests[1].header("If-Modified-Since"),
        Some("Wed, 01 May 2024 00:00:00 GMT")
    );
    assert!(
        requests[0]
            .header("User-Agent")
            .is_some_and(|ua| ua.starts_with("bomscout/0.0.0-test")),
        "{:?}",
        requests[0].headers
    );
    assert_eq!(requests[0].path, "/npm/all.zip");
    assert!(leftovers(dest.parent().unwrap()).is_empty());
}

#[test]
fn no_conditional_request_when_the_file_is_gone_or_the_url_changed() {
    let zip = osv_zip(&["A"]);
    let server = Server::sequence(vec![Canned::ok(zip.clone()).header("ETag", "\"e\"")]);
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("all.zip");
    let client = client();
    let url = format!("{}/npm/all.zip", server.url());
    client.download(&url, &dest, validate).unwrap();
    // Another mirror: its validators are not ours to send.
    let other = format!("{}/mirror/npm/all.zip", server.url());
    client.download(&other, &dest, validate).unwrap();
    // The file was deleted by hand: a 304 could not restore it.
    std::fs::remove_file(&dest).unwrap();
    client.download(&other, &dest, validate).unwrap();
    let requests = server.requests();
    assert_eq!(requests.len(), 3);
    assert!(requests.iter().all(|r| r.header("If-None-Match").is_none()));
    assert_eq!(std::fs::read(&dest).unwrap(), zip);
}

#[test]
fn a_500_is_retried_then_succeeds() {
    let zip = osv_zip(&["A", "B", "C"]);
    let server = Server::sequence(vec![Canned::status(500), Canned::ok(zip.clone())]);
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("all.zip");
    let url = format!("{}/PyPI/all.zip", server.url());
    let got = client().download(&url, &dest, validate).unwrap();
    assert!(
        matches!(got, Fetched::Updated { validated: 3, .. }),
        "{got:?}"
    );
    assert_eq!(server.requests().len(), 2);
    assert_eq!(std::fs::read(&dest).unwrap(), zip);
}

#[test]
fn a_429_with_retry_after_is_waited_out() {
    let zip = osv_zip(&["A"]);
    let server = Server::sequence(vec![
        Canned::status(429).header("Retry-After", "1"),
        Canned::ok(zip),
    ]);
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("all.zip");
    let url = format!("{}/Go/all.zip", server.url());
    client().download(&url, &dest, validate).unwrap();
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    let gap = requests[1].at - requests[0].at;
    // The backoff alone would be 10 ms; the server asked for a second.
    assert!(gap >= Duration::from_secs(1), "retried after {gap:?}");
}

#[test]
fn a_retry_after_beyond_the_limit_is_not_hammered() {
    let server = Server::sequence(vec![Canned::status(503).header("Retry-After", "3600")]);
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("all.zip");
    let url = format!("{}/Go/all.zip", server.url());
    let err = client().download(&url, &dest, validate).unwrap_err();
    assert!(matches!(err, NetError::RetryAfterTooLong { .. }), "{err}");
    assert!(err.to_string().contains("3600"), "{err}");
    assert_eq!(server.requests().len(), 1);
    assert!(!dest.exists());
}

#[test]
fn persistent_5xx_gives_up_after_the_attempts() {
    let server = Server::sequence(vec![Canned::status(503)]);
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("all.zip");
    let url = format!("{}/Go/all.zip", server.url());
    let err = client().download(&url, &dest, validate).unwrap_err();
    assert_eq!(server.requests().len(), 3);
    let text = err.to_string();
    assert!(
        text.contains("503") && text.contains("after 3 attempts"),
        "{text}"
    );
}

#[test]
fn a_404_is_not_retried() {
    let server = Server::sequence(vec![Canned::status(404)]);
    let dir = tempfile::tempdir().unwrap();
    let url = format!("{}/Nope/all.zip", server.url());
    let err = client()
        .download(&url, &dir.path().join("all.zip"), validate)
        .unwrap_err();
    assert_eq!(server.requests().len(), 1);
    assert!(err.to_string().contains("404"), "{err}");
}

/// A first good copy put in place (its bytes and sidecar text), for a failed second
/// download to leave alone.
struct OldCopy {
    dir: tempfile::TempDir,
    dest: std::path::PathBuf,
    bytes: Vec<u8>,
    sidecar: String,
}

fn with_old_copy() -> OldCopy {
    let old = osv_zip(&["OLD-1", "OLD-2"]);
    let server = Server::sequence(vec![Canned::ok(old.clone()).header("ETag", "\"old\"")]);
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("all.zip");
    client()
        .download(&format!("{}/npm/all.zip", server.url()), &dest, validate)
        .unwrap();
    let sidecar = std::fs::read_to_string(Sidecar::path_for(&dest)).unwrap();
    OldCopy {
        dir,
        dest,
        bytes: old,
        sidecar,
    }
}

impl OldCopy {
    /// The copy and its sidecar are byte-identical, and no temporary file is left.
    fn assert_kept(&self) {
        assert_eq!(
            std::fs::read(&self.dest).unwrap(),
            self.bytes,
            "old copy byte-identical"
        );
        assert_eq!(
            std::fs::read_to_string(Sidecar::path_for(&self.dest)).unwrap(),
            self.sidecar
        );
        assert_no_leftovers(self.dir.path());
    }
}

fn assert_no_leftovers(dir: &Path) {
    assert!(leftovers(dir).is_empty(), "{:?}", leftovers(dir));
}

#[test]
fn a_truncated_zip_keeps_the_old_copy() {
    let old = with_old_copy();
    let new = osv_zip(&["NEW-1", "NEW-2", "NEW-3"]);
    // A complete HTTP response whose body is a zip cut in half (a broken mirror).
    let server = Server::sequence(vec![
        Canned::ok(new[..new.len() / 2].to_vec()).header("ETag", "\"new\"")
    ]);
    let err = client()
        .download(
            &format!("{}/npm/all.zip", server.url()),
            &old.dest,
            validate,
        )
        .unwrap_err();
    assert!(matches!(err, NetError::Invalid { .. }), "{err}");
    assert!(err.to_string().contains("left as it was"), "{err}");
    old.assert_kept();
}

#[test]
fn a_body_cut_short_is_retried_and_keeps_the_old_copy() {
    let old = with_old_copy();
    let new = osv_zip(&["NEW-1"]);
    // Content-Length announces the whole zip; the connection closes halfway.
    let server = Server::sequence(vec![Canned::ok(new.clone()).cut_after(new.len() / 2)]);
    let err = client()
        .download(
            &format!("{}/npm/all.zip", server.url()),
            &old.dest,
            validate,
        )
        .unwrap_err();
    assert!(
        matches!(err, NetError::Transport { attempts: 3, .. }),
        "{err}"
    );
    assert_eq!(server.requests().len(), 3);
    old.assert_kept();
}

#[test]
fn a_refused_connection_is_retried_then_reported() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let dir = tempfile::tempdir().unwrap();
    let url = format!("http://127.0.0.1:{port}/npm/all.zip");
    let err = client()
        .download(&url, &dir.path().join("all.zip"), validate)
        .unwrap_err();
    assert!(
        matches!(err, NetError::Transport { attempts: 3, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("cannot connect"), "{err}");
}

#[test]
fn too_large_bodies_are_refused() {
    let server = Server::sequence(vec![Canned::ok(vec![b'x'; 5000])]);
    let mut config = ClientConfig::new("t");
    config.max_bytes = 4096;
    let client = Client::new(config).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let err = client
        .download(
            &format!("{}/x", server.url()),
            &dir.path().join("all.zip"),
            validate,
        )
        .unwrap_err();
    assert!(
        matches!(err, NetError::TooLarge { limit: 4096, .. }),
        "{err}"
    );
    let err = client
        .get_bytes(&format!("{}/x", server.url()), 100)
        .unwrap_err();
    assert!(
        matches!(err, NetError::TooLarge { limit: 100, .. }),
        "{err}"
    );
    assert_eq!(
        client
            .get_bytes(&format!("{}/x", server.url()), 5000)
            .unwrap(),
        vec![b'x'; 5000]
    );
}

#[test]
fn a_password_in_the_url_is_sent_but_never_written_or_shown() {
    let server = Server::start(|req| match req.path.as_str() {
        "/npm/all.zip" => Canned::ok(osv_zip(&["A"])).header("ETag", "\"e\""),
        _ => Canned::status(404),
    });
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("all.zip");
    let base = server.url().replace("http://", "http://ci:s3cret@");
    client()
        .download(&format!("{base}/npm/all.zip"), &dest, validate)
        .unwrap();
    let requests = server.requests();
    assert!(
        requests[0]
            .header("Authorization")
            .is_some_and(|a| a.starts_with("Basic ")),
        "{:?}",
        requests[0].headers
    );
    let sidecar = std::fs::read_to_string(Sidecar::path_for(&dest)).unwrap();
    assert!(
        !sidecar.contains("s3cret") && sidecar.contains("ci:***@"),
        "{sidecar}"
    );
    // The second run still sends its validators (the redacted URL is what is compared).
    client()
        .download(&format!("{base}/npm/all.zip"), &dest, validate)
        .unwrap();
    assert_eq!(server.requests()[1].header("If-None-Match"), Some("\"e\""));
    let err = client()
        .download(&format!("{base}/Go/all.zip"), &dest, validate)
        .unwrap_err()
        .to_string();
    assert!(err.contains("404") && !err.contains("s3cret"), "{err}");
}

#[test]
fn an_endless_body_without_a_length_is_cut_at_the_limit() {
    let zip = osv_zip(&["A"]);
    let server = Server::sequence(vec![
        Canned::ok(vec![b'x'; 10_000]).without_length(),
        Canned::ok(zip.clone()).without_length(),
    ]);
    let mut config = ClientConfig::new("t");
    config.max_bytes = 4096;
    let client = Client::new(config).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("all.zip");
    let url = format!("{}/npm/all.zip", server.url());
    let err = client.download(&url, &dest, validate).unwrap_err();
    assert!(
        matches!(err, NetError::TooLarge { limit: 4096, .. }),
        "{err}"
    );
    assert!(!dest.exists());
    assert_no_leftovers(dir.path());
    // A body that ends with the connection is complete when it is under the limit.
    client.download(&url, &dest, validate).unwrap();
    assert_eq!(std::fs::read(&dest).unwrap(), zip);
}

#[test]
fn hostile_validators_are_not_kept_or_sent_back() {
    let zip = osv_zip(&["A"]);
    let huge = format!("\"{}\"", "e".repeat(5000));
    let server = Server::sequence(vec![Canned::ok(zip)
        .header("ETag", &huge)
        .header("Last-Modified", "Wed, 01 May 2024 \u{e9}t\u{e9}")]);
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("all.zip");
    let url = format!("{}/npm/all.zip", server.url());
    let client = client();
    match client.download(&url, &dest, validate).unwrap() {
        Fetched::Updated { sidecar, .. } => {
            assert_eq!(sidecar.etag, None);
            assert_eq!(sidecar.last_modified, None);
        }
        other => panic!("{other:?}"),
    }
    client.download(&url, &dest, validate).unwrap();
    let second = &server.requests()[1];
    assert_eq!(second.header("If-None-Match"), None);
    assert_eq!(second.header("If-Modified-Since"), None);
}
