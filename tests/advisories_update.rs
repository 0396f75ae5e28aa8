//! `bomscout advisories update|status` against a loopback server started by each test:
//! download, 304 on the second run, retries, `Retry-After`, a corrupt download that keeps the
//! old database, `--offline` with no connection at all. No test uses the public network.

mod common;

use bomscout_enrich::testing::{Canned, Server};
use common::*;
use std::io::Write;
use std::path::Path;
use std::time::Duration;

/// A real zip of OSV records for `ecosystem`, one `ID.json` each, as OSV's exports are.
fn osv_zip(ecosystem: &str, ids: &[&str]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for id in ids {
        w.start_file(format!("{id}.json"), opts).unwrap();
        let record = serde_json::json!({
            "schema_version": "1.6.0",
            "id": id,
            "modified": "2024-05-01T00:00:00Z",
            "aliases": ["CVE-2024-0001"],
            "affected": [{
                "package": {"ecosystem": ecosystem, "name": "example"},
                "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1.2.3"}]}]
            }]
        });
        w.write_all(record.to_string().as_bytes()).unwrap();
    }
    w.finish().unwrap().into_inner()
}

/// `bomscout advisories ARGS` with a private cache and no proxy or user settings in the way.
fn advisories(cache: &Path, args: &[&str]) -> (i32, String, String) {
    let mut cmd = bomscout();
    cmd.arg("advisories")
        .args(args)
        .env("BOMSCOUT_CACHE_DIR", cache)
        .env_remove("BOMSCOUT_OSV_URL")
        .env_remove("BOMSCOUT_ADVISORY_DB")
        .env_remove("HTTP_PROXY")
        .env_remove("HTTPS_PROXY")
        .env_remove("ALL_PROXY")
        .env_remove("http_proxy")
        .env_remove("https_proxy")
        .env_remove("all_proxy")
        .env_remove("SSL_CERT_FILE");
    outcome(&mut cmd)
}

/// Serves `{eco}/all.zip` for each (eco, zip) with ETag `"{eco}-1"`, answering 304 to a
/// request that carries it.
fn export_server(exports: Vec<(String, Vec<u8>)>) -> Server {
    Server::start(move |req| {
        for (eco, zip) in &exports {
            let path = format!("/{}/all.zip", eco.replace(' ', "%20"));
            if req.path == path {
                let etag = format!("\"{}-1\"", eco.replace(' ', "_"));
                if req.header("If-None-Match") == Some(etag.as_str()) {
                    return Canned::status(304).header("ETag", &etag);
                }
                return Canned::ok(zip.clone()).header("ETag", &etag);
            }
        }
        Canned::status(404)
    })
}

#[test]
fn update_downloads_then_the_second_run_is_a_304() {
    let rust = bomscout_core::OSV_CRATES_ECOSYSTEM;
    let npm = osv_zip("npm", &["GHSA-1111-2222-3333", "GHSA-4444-5555-6666"]);
    let crates = osv_zip(rust, &["RUSTSEC-2024-0001"]);
    let server = export_server(vec![
        ("npm".into(), npm.clone()),
        (rust.into(), crates.clone()),
    ]);
    let cache = tempfile::tempdir().unwrap();
    let url = server.url();
    let args = [
        "update",
        "--ecosystem",
        "npm",
        "--ecosystem",
        "cargo",
        "--osv-url",
        url.as_str(),
    ];

    let (code, stdout, stderr) = advisories(cache.path(), &args);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert!(
        stdout.contains("updated    npm") && stdout.contains("2 records"),
        "{stdout}"
    );
    assert!(stdout.contains(&format!("updated    {rust}")), "{stdout}");
    assert!(
        stdout.contains("2 updated, 0 unchanged, 0 failed"),
        "{stdout}"
    );
    let osv = cache.path().join("osv");
    assert_eq!(std::fs::read(osv.join("npm/all.zip")).unwrap(), npm);
    assert_eq!(
        std::fs::read(osv.join(rust).join("all.zip")).unwrap(),
        crates
    );

    let (code, stdout, stderr) = advisories(cache.path(), &args);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert!(
        stdout.contains("0 updated, 2 unchanged, 0 failed"),
        "{stdout}"
    );
    assert!(stdout.contains("unchanged  npm"), "{stdout}");

    let requests = server.requests();
    assert_eq!(requests.len(), 4, "{requests:?}");
    assert_eq!(requests[0].path, "/npm/all.zip");
    assert_eq!(requests[1].path, format!("/{rust}/all.zip"));
    assert!(requests[..2]
        .iter()
        .all(|r| r.header("If-None-Match").is_none()));
    assert_eq!(requests[2].header("If-None-Match"), Some("\"npm-1\""));
    assert_eq!(
        requests[3].header("If-None-Match"),
        Some(format!("\"{rust}-1\"").as_str())
    );
    let ua = requests[0].header("User-Agent").unwrap_or_default();
    assert!(
        ua.starts_with(&format!("bomscout/{}", env!("CARGO_PKG_VERSION"))),
        "{ua}"
    );
    // Only the ecosystem is named: no query, no body, no package names.
    assert!(requests
        .iter()
        .all(|r| r.method == "GET" && !r.path.contains('?')));
}

#[test]
fn a_500_then_200_is_retried() {
    let zip = osv_zip("PyPI", &["PYSEC-2024-1"]);
    let server = Server::sequence(vec![Canned::status(500), Canned::ok(zip.clone())]);
    let cache = tempfile::tempdir().unwrap();
    let url = server.url();
    let (code, stdout, stderr) = advisories(
        cache.path(),
        &["update", "--ecosystem", "PyPI", "--osv-url", &url],
    );
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert_eq!(server.requests().len(), 2);
    assert_eq!(
        std::fs::read(cache.path().join("osv/PyPI/all.zip")).unwrap(),
        zip
    );
}

#[test]
fn a_429_with_retry_after_1_is_honoured() {
    let zip = osv_zip("Go", &["GO-2024-0001"]);
    let server = Server::sequence(vec![
        Canned::status(429).header("Retry-After", "1"),
        Canned::ok(zip),
    ]);
    let cache = tempfile::tempdir().unwrap();
    let url = server.url();
    let (code, stdout, stderr) = advisories(
        cache.path(),
        &["update", "--ecosystem", "go", "--osv-url", &url],
    );
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    let gap = requests[1].at - requests[0].at;
    assert!(gap >= Duration::from_secs(1), "retried after {gap:?}");
}

#[test]
fn a_truncated_zip_keeps_the_old_database_and_fails() {
    let old = osv_zip("npm", &["GHSA-old1-old1-old1"]);
    let cache = tempfile::tempdir().unwrap();
    {
        let server = Server::sequence(vec![Canned::ok(old.clone()).header("ETag", "\"old\"")]);
        let url = server.url();
        let (code, _, _) = advisories(
            cache.path(),
            &["update", "--ecosystem", "npm", "--osv-url", &url],
        );
        assert_eq!(code, 0);
    }
    let file = cache.path().join("osv/npm/all.zip");
    let sidecar = std::fs::read(cache.path().join("osv/npm/all.zip.meta")).unwrap();

    let new = osv_zip("npm", &["GHSA-new1-new1-new1", "GHSA-new2-new2-new2"]);
    let truncated = new[..new.len() - 40].to_vec();
    let pypi = osv_zip("PyPI", &["PYSEC-2024-1"]);
    let server = Server::start(move |req| match req.path.as_str() {
        "/npm/all.zip" => Canned::ok(truncated.clone()).header("ETag", "\"new\""),
        _ => Canned::ok(pypi.clone()),
    });
    let url = server.url();

    // Only npm asked: everything failed, exit 2.
    let (code, stdout, stderr) = advisories(
        cache.path(),
        &["update", "--ecosystem", "npm", "--osv-url", &url],
    );
    assert_eq!(code, 2, "{stdout}\n{stderr}");
    assert!(stdout.contains("failed     npm"), "{stdout}");
    assert!(stdout.contains("not valid"), "{stdout}");
    assert!(stdout.contains("the previous copy is kept"), "{stdout}");
    assert_eq!(
        std::fs::read(&file).unwrap(),
        old,
        "old copy byte-identical"
    );
    assert_eq!(
        std::fs::read(cache.path().join("osv/npm/all.zip.meta")).unwrap(),
        sidecar
    );
    let names: Vec<_> = std::fs::read_dir(cache.path().join("osv/npm"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 2, "no temporary file left: {names:?}");

    // npm fails, PyPI succeeds: exit 1.
    let (code, stdout, stderr) = advisories(
        cache.path(),
        &[
            "update",
            "--ecosystem",
            "npm",
            "--ecosystem",
            "pypi",
            "--osv-url",
            &url,
        ],
    );
    assert_eq!(code, 1, "{stdout}\n{stderr}");
    assert!(
        stdout.contains("1 updated, 0 unchanged, 1 failed"),
        "{stdout}"
    );
    assert_eq!(std::fs::read(&file).unwrap(), old);
}

#[test]
fn offline_makes_no_connection_at_all() {
    let server = Server::sequence(vec![Canned::ok(osv_zip("npm", &["A"]))]);
    let cache = tempfile::tempdir().unwrap();
    let url = server.url();
    let (code, stdout, stderr) =
        advisories(cache.path(), &["update", "--offline", "--osv-url", &url]);
    // Updating needs the network: offline, nothing is updated, and that is no success.
    assert_eq!(code, 2, "{stdout}\n{stderr}");
    assert!(
        stderr.contains("offline: `advisories update` needs the network")
            && stderr.contains("nothing was updated, no connection made"),
        "{stderr}"
    );
    // Also through the environment variable.
    let mut cmd = bomscout();
    cmd.args(["advisories", "update", "--offline"])
        .env("BOMSCOUT_CACHE_DIR", cache.path())
        .env("BOMSCOUT_OSV_URL", &url);
    let (code, _, _) = outcome(&mut cmd);
    assert_eq!(code, 2);
    assert_eq!(server.connections(), 0);
    assert!(!cache.path().join("osv").exists());
}

#[test]
fn status_lists_records_and_warns_when_old() {
    let cache = tempfile::tempdir().unwrap();
    let (code, stdout, _) = advisories(cache.path(), &["status"]);
    assert_eq!(code, 0);
    assert!(stdout.contains("no advisory database here yet"), "{stdout}");

    let server = export_server(vec![(
        "npm".into(),
        osv_zip(
            "npm",
            &[
                "GHSA-1111-2222-3333",
                "GHSA-4444-5555-6666",
                "GHSA-7777-8888-9999",
            ],
        ),
    )]);
    let url = server.url();
    let (code, _, _) = advisories(
        cache.path(),
        &["update", "--ecosystem", "npm", "--osv-url", &url],
    );
    assert_eq!(code, 0);

    let (code, stdout, stderr) = advisories(cache.path(), &["status"]);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert!(stdout.contains("npm  3 records"), "{stdout}");
    assert!(
        stdout.contains("checked less than a minute ago"),
        "{stdout}"
    );
    assert!(stdout.contains("not downloaded: PyPI"), "{stdout}");
    assert!(!stdout.contains("warning"), "{stdout}");

    // Last confirmed current ten days ago: a warning past the default seven days, none at 30.
    let meta = cache.path().join("osv/npm/all.zip.meta");
    let mut sidecar: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&meta).unwrap()).unwrap();
    let ten_days_ago = jiff::Timestamp::now() - jiff::SignedDuration::from_hours(240);
    sidecar["checked_at"] = ten_days_ago.to_string().into();
    std::fs::write(&meta, sidecar.to_string()).unwrap();
    let (code, stdout, _) = advisories(cache.path(), &["status", "--ecosystem", "npm"]);
    assert_eq!(code, 0);
    assert!(stdout.contains("checked 10 days ago"), "{stdout}");
    assert!(
        stdout.contains("warning: npm: the advisory database is 10 days old, more than 7 days"),
        "{stdout}"
    );
    let (_, stdout, _) = advisories(
        cache.path(),
        &["status", "--ecosystem", "npm", "--max-age", "30"],
    );
    assert!(!stdout.contains("warning"), "{stdout}");

    // A copied folder, through --advisory-db.
    let copy = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(copy.path().join("npm")).unwrap();
    std::fs::copy(
        cache.path().join("osv/npm/all.zip"),
        copy.path().join("npm/all.zip"),
    )
    .unwrap();
    let dir = copy.path().to_string_lossy().into_owned();
    let (code, stdout, _) = advisories(
        tempfile::tempdir().unwrap().path(),
        &["status", "--advisory-db", &dir],
    );
    assert_eq!(code, 0);
    assert!(
        stdout.contains("npm  3 records") && stdout.contains("modified"),
        "{stdout}"
    );
}

#[test]
fn status_reports_a_corrupt_export_and_a_record_tree() {
    let db = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(db.path().join("npm")).unwrap();
    std::fs::write(db.path().join("npm/all.zip"), b"PK\x03\x04 not really").unwrap();
    let dir = db.path().to_string_lossy().into_owned();
    let (code, stdout, _) = advisories(db.path(), &["status", "--advisory-db", &dir]);
    assert_eq!(code, 1, "{stdout}");
    assert!(stdout.contains("npm  unreadable"), "{stdout}");

    let tree = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(tree.path().join("vulns/pkg")).unwrap();
    for id in ["PYSEC-2024-1", "PYSEC-2024-2"] {
        std::fs::write(tree.path().join(format!("vulns/pkg/{id}.yaml")), "id: x\n").unwrap();
    }
    let dir = tree.path().to_string_lossy().into_owned();
    let (code, stdout, _) = advisories(tree.path(), &["status", "--advisory-db", &dir]);
    assert_eq!(code, 0);
    assert!(stdout.contains("2 OSV record files"), "{stdout}");
}

#[test]
fn usage_errors_exit_2() {
    let cache = tempfile::tempdir().unwrap();
    let (code, _, stderr) = advisories(cache.path(), &["update", "--ecosystem", "cobol"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("use one of: npm, PyPI"), "{stderr}");
    let (code, _, stderr) = advisories(
        cache.path(),
        &["update", "--osv-url", "ftp://mirror.example.invalid/osv"],
    );
    assert_eq!(code, 2);
    assert!(stderr.contains("not a usable http(s) URL"), "{stderr}");
    let (code, _, stderr) = advisories(
        cache.path(),
        &["status", "--advisory-db", "/nonexistent/advisories"],
    );
    assert_eq!(code, 2);
    assert!(stderr.contains("no such directory"), "{stderr}");
}

#[test]
fn no_server_at_all_fails_fast() {
    // Every answer breaks off: the first ecosystem spends its attempts, the others are not
    // tried.
    let zip = osv_zip("npm", &["A"]);
    let server = Server::sequence(vec![Canned::ok(zip.clone()).cut_after(zip.len() / 2)]);
    let cache = tempfile::tempdir().unwrap();
    let url = server.url();
    let (code, stdout, stderr) = advisories(
        cache.path(),
        &[
            "update",
            "--ecosystem",
            "npm",
            "--ecosystem",
            "PyPI",
            "--ecosystem",
            "Go",
            "--osv-url",
            &url,
        ],
    );
    assert_eq!(code, 2, "{stdout}\n{stderr}");
    assert!(stdout.contains("after 4 attempts"), "{stdout}");
    assert!(
        stdout
            .contains("PyPI  not tried: npm got no complete answer from the server [no copy yet]"),
        "{stdout}"
    );
    assert!(
        stdout.contains("0 updated, 0 unchanged, 3 failed"),
        "{stdout}"
    );
    let requests = server.requests();
    assert_eq!(requests.len(), 4, "{requests:?}");
    assert!(requests.iter().all(|r| r.path == "/npm/all.zip"));
}

#[test]
fn cache_dir_flag_beats_the_environment() {
    let env_cache = tempfile::tempdir().unwrap();
    let flag_cache = tempfile::tempdir().unwrap();
    let flag = flag_cache.path().to_string_lossy().into_owned();
    let (code, stdout, _) = advisories(env_cache.path(), &["status", "--cache-dir", &flag]);
    assert_eq!(code, 0);
    let shown = format!(
        "advisory database: {}",
        flag_cache.path().join("osv").display()
    );
    assert!(stdout.starts_with(&shown), "{stdout}");
    let (_, stdout, _) = advisories(env_cache.path(), &["status"]);
    let shown = format!(
        "advisory database: {}",
        env_cache.path().join("osv").display()
    );
    assert!(stdout.starts_with(&shown), "{stdout}");
}
