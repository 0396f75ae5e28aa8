//! `bomscout inventory` and `bomscout query` with `--db postgres://...` end to end, against a
//! real PostgreSQL server started for this test binary (`bomscout_inventory::testing`): the
//! same nights give the same answers as SQLite; shards write one run without a merge; a
//! worker killed mid-run leaves only whole repositories; the password is never shown; a
//! second night reuses unchanged repositories and records removed ones, as on SQLite;
//! `sslmode=require` against a server that takes TLS only.

mod common;

use bomscout_inventory::testing;
use common::{bomscout, copy_tree, fixture, outcome};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// A repository `org/name` holding copies of fixture folders.
fn repo(org: &Path, name: &str, fixtures: &[&str]) -> PathBuf {
    let dir = org.join(name);
    for f in fixtures {
        copy_tree(&fixture(f), &dir.join(f.replace('/', "-")));
    }
    dir
}

/// A repository holding the real Gradle lockfile with one more locked line.
fn gradle_repo(org: &Path, name: &str, extra: &str) {
    let dir = org.join(name);
    std::fs::create_dir_all(&dir).unwrap();
    let text = std::fs::read_to_string(fixture("maven/gradle-maybe/gradle.lockfile"))
        .unwrap()
        .replace("empty=", &format!("{extra}\nempty="));
    std::fs::write(dir.join("gradle.lockfile"), text).unwrap();
}

/// Night one's organization; `second` changes it as a night later would.
fn org(root: &Path, second: bool) -> PathBuf {
    let org = root.join(if second { "org2" } else { "org1" });
    let org = org.join("org");
    repo(&org, "web", &["npm/lock-v3"]);
    repo(&org, "tools", &["cargo/simple", "python/uv"]);
    if !second {
        repo(&org, "api", &["python/pipenv", "npm/workspaces"]);
    } else {
        repo(&org, "api2", &["npm/workspaces"]);
    }
    let log4j = if second { "2.15.0" } else { "2.14.1" };
    gradle_repo(
        &org,
        "svc",
        &format!("org.apache.logging.log4j:log4j-core:{log4j}=compileClasspath,runtimeClasspath"),
    );
    copy_tree(&fixture("python/installed"), &org.join("py"));
    org
}

fn inventory(db: &str, org: &Path, root: &Path, extra: &[&str]) -> (i32, String, String) {
    outcome(
        bomscout()
            .arg("inventory")
            .arg(org)
            .args(["--db", db])
            .args(["-q", "--repos-are-children", "--no-caches"])
            .args(["--policy", "builtin:stage1", "--advisory-db"])
            .arg(fixture("advisories"))
            .env("BOMSCOUT_CACHE_DIR", root.join("cache"))
            .args(extra),
    )
}

/// Runs both nights into `db`.
fn two_nights(db: &str, root: &Path) {
    for (second, label) in [(false, "n1"), (true, "n2")] {
        let org = org(root, second);
        let (code, _, err) = inventory(db, &org, root, &["--label", label]);
        assert_eq!(code, 0, "{err}");
    }
}

/// The questions, each as `query` arguments.
const QUESTIONS: &[&[&str]] = &[
    &["runs"],
    &["where", "log4j-core"],
    &["where", "LOG4J-CORE"],
    &["where", "pkg:maven/org.apache.logging.log4j/log4j-core"],
    &[
        "where",
        "pkg:maven/org.apache.logging.log4j/log4j-core@2.15.0",
    ],
    &["where", "log4j-core", "--version", ">=2.15.0"],
    &["where", "log4j-core", "--run", "1"],
    &["where", "%"],
    &["licenses"],
    &["licenses", "--category", "permissive"],
    &["licenses", "--run", "1"],
    &["violations"],
    &["violations", "--since", "2000-01-01"],
    &["vulns"],
    &["vulns", "--severity", "critical"],
    &["vulns", "--id", "CVE-2021-44228"],
    &["vulns", "--run", "1"],
    &["diff"],
    &["diff", "--from", "1", "--to", "2"],
    &["scorecard"],
    &["scorecard", "--run", "1"],
    &["repos"],
    &["repos", "--run", "1"],
    &["repos", "--status", "removed"],
];

fn answers(db: &str) -> Vec<String> {
    let mut out = Vec::new();
    for q in QUESTIONS {
        let (code, stdout, err) = outcome(
            bomscout()
                .arg("query")
                .args(["--db", db])
                .args(*q)
                .args(["-o", "json"]),
        );
        assert_eq!(code, 0, "query {q:?}: {err}");
        out.push(stdout);
    }
    let (code, stdout, err) =
        outcome(
            bomscout()
                .arg("query")
                .args(["--db", db, "export", "-o", "cyclonedx-json"]),
        );
    assert_eq!(code, 0, "export: {err}");
    out.push(stdout);
    out
}

#[test]
fn the_same_nights_answer_every_question_the_same_on_sqlite_and_postgres() {
    let Some(url) = testing::database("same_answers") else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let sqlite = tmp.path().join("inv.db");
    two_nights(sqlite.to_str().unwrap(), tmp.path());
    two_nights(&url, tmp.path());
    let (a, b) = (answers(sqlite.to_str().unwrap()), answers(&url));
    for ((q, x), y) in QUESTIONS
        .iter()
        .map(|q| format!("{q:?}"))
        .chain(["export".into()])
        .zip(&a)
        .zip(&b)
    {
        assert_eq!(x, y, "query {q} answers differently on PostgreSQL");
    }
    // Not vacuous: the questions found things.
    assert!(a[1].contains("log4j-core"), "{}", a[1]);
    assert!(a[16].contains("CVE-2021-44228"), "{}", a[16]);
    assert!(a[13].contains("PYSEC-2023-228"), "{}", a[13]);
    assert!(a[17].contains("upgraded"), "{}", a[17]);
    assert_eq!(a[2], a[1], "names are case-insensitive");
    assert!(!a[7].contains("log4j"), "`%` is not a wildcard: {}", a[7]);
}

#[test]
fn the_password_is_taken_from_pgpassword_or_pgpassfile_and_never_shown() {
    let Some(url) = testing::database("password") else {
        return;
    };
    let bare = url.replace(&format!(":{}@", testing::PASSWORD), "@");
    assert_ne!(bare, url);
    let tmp = tempfile::tempdir().unwrap();
    let org = org(tmp.path(), false);
    // From BOMSCOUT_DB (no --db) and PGPASSWORD.
    let (code, out, err) = outcome(
        bomscout()
            .args(["inventory", "--repos-are-children", "--no-caches"])
            .arg(&org)
            .env("BOMSCOUT_DB", &bare)
            .env("PGPASSWORD", testing::PASSWORD),
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains(&bare),
        "the closing line names the database: {err}"
    );
    assert!(!out.contains(testing::PASSWORD) && !err.contains(testing::PASSWORD));
    // From a password file.
    let pgpass = tmp.path().join("pgpass");
    std::fs::write(
        &pgpass,
        format!("*:*:*:{}:{}\n", testing::USER, testing::PASSWORD),
    )
    .unwrap();
    let (code, out, err) = outcome(
        bomscout()
            .args(["query", "--db", &bare, "runs"])
            .env("PGPASSFILE", &pgpass)
            .env_remove("PGPASSWORD"),
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("(interrupted)") || out.contains("repositories"),
        "{out}"
    );
    // A wrong password: refused, and the URL shown without it.
    let wrong = url.replace(testing::PASSWORD, "not-the-password");
    let (code, out, err) = outcome(bomscout().args(["query", "--db", &wrong, "runs"]));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("password authentication failed"), "{err}");
    assert!(err.contains(":***@"), "{err}");
    assert!(
        !err.contains("not-the-password") && !out.contains("not-the-password"),
        "{err}"
    );
}

#[test]
fn shards_write_one_run_into_postgres_with_no_merge_and_answer_as_one_run() {
    let Some(url) = testing::database("shards") else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let org = org(tmp.path(), false);
    let sqlite = tmp.path().join("one.db");
    let (code, _, err) = inventory(
        sqlite.to_str().unwrap(),
        &org,
        tmp.path(),
        &["--label", "n"],
    );
    assert_eq!(code, 0, "{err}");
    // Without a run key the shards would write separate runs: refused.
    let (code, _, err) = inventory(&url, &org, tmp.path(), &["--shard", "0/3"]);
    assert_eq!(code, 2);
    assert!(err.contains("--run-key"), "{err}");
    // Three workers at once, as a CI matrix would start them.
    let children: Vec<_> = (0..3)
        .map(|i| {
            bomscout()
                .arg("inventory")
                .arg(&org)
                .args(["--db", &url, "-q", "--repos-are-children", "--no-caches"])
                .args(["--policy", "builtin:stage1", "--advisory-db"])
                .arg(fixture("advisories"))
                .env("BOMSCOUT_CACHE_DIR", tmp.path().join("cache"))
                .args(["--label", "n", "--shard", &format!("{i}/3")])
                .env("BOMSCOUT_RUN_KEY", "gh-4242")
                .output()
                .unwrap()
        })
        .collect();
    for c in &children {
        assert!(c.status.success(), "{}", String::from_utf8_lossy(&c.stderr));
    }
    let run_rows = |db: &str| {
        let (code, out, err) =
            outcome(bomscout().args(["query", "--db", db, "runs", "-o", "json"]));
        assert_eq!(code, 0, "{err}");
        out
    };
    let runs: serde_json::Value = serde_json::from_str(&run_rows(&url)).unwrap();
    let runs = runs.as_array().unwrap();
    assert_eq!(runs.len(), 1, "{runs:?}");
    assert_eq!(runs[0]["repositories"], 5, "{runs:?}");
    assert_ne!(runs[0]["finished"], "(interrupted)", "{runs:?}");
    for q in [
        &["where", "log4j-core"][..],
        &["licenses"],
        &["violations"],
        &["vulns"],
        &["scorecard"],
    ] {
        let ask = |db: &str| {
            let (code, out, err) = outcome(
                bomscout()
                    .arg("query")
                    .args(["--db", db])
                    .args(q)
                    .args(["-o", "json"]),
            );
            assert_eq!(code, 0, "{q:?}: {err}");
            out
        };
        assert_eq!(ask(sqlite.to_str().unwrap()), ask(&url), "query {q:?}");
    }
}

#[test]
fn a_worker_killed_mid_run_leaves_only_whole_repositories() {
    let Some(url) = testing::database("killed_worker") else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let org = tmp.path().join("org");
    for i in 0..120 {
        repo(&org, &format!("r{i:03}"), &["npm/lock-v3", "cargo/simple"]);
    }
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_bomscout"))
        .arg("inventory")
        .arg(&org)
        .args([
            "--db",
            &url,
            "-q",
            "--repos-are-children",
            "--no-caches",
            "-j",
            "1",
        ])
        .args(["--run-key", "night-1", "--shard", "0/1"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let count = |c: &mut postgres::Client, sql: &str| -> i64 {
        c.query_one(sql, &[]).map(|r| r.get(0)).unwrap_or(0)
    };
    let deadline = Instant::now() + Duration::from_secs(120);
    while count(&mut client, "SELECT count(*) FROM scans") < 5 {
        assert!(Instant::now() < deadline, "the worker recorded nothing");
        assert!(
            child.try_wait().unwrap().is_none(),
            "the worker ended too soon"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let scans = count(&mut client, "SELECT count(*) FROM scans");
    assert!(scans < 120, "killed before the end: {scans}");
    // Every recorded repository is whole: its BOM with every component, its counts.
    let broken = count(
        &mut client,
        "SELECT count(*) FROM scans s WHERE s.ok = 1 AND (s.bom_id IS NULL OR s.components !=
           (SELECT count(*) FROM bom_components bc WHERE bc.bom_id = s.bom_id))",
    );
    assert_eq!(broken, 0);
    let orphans = count(
        &mut client,
        "SELECT count(*) FROM repositories r WHERE NOT EXISTS
           (SELECT 1 FROM scans s WHERE s.repo_id = r.id)",
    );
    assert_eq!(orphans, 0, "a repository row without its scan");
    assert_eq!(
        count(
            &mut client,
            "SELECT count(*) FROM runs WHERE finished_at IS NULL"
        ),
        1,
        "the run is interrupted"
    );
    // The worker run again (the Job's retry) finishes the run with every repository.
    let (code, _, err) = outcome(
        bomscout()
            .arg("inventory")
            .arg(&org)
            .args(["--db", &url, "-q", "--repos-are-children", "--no-caches"])
            .args(["--run-key", "night-1", "--shard", "0/1"]),
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(count(&mut client, "SELECT count(*) FROM runs"), 1);
    assert_eq!(
        count(
            &mut client,
            "SELECT count(*) FROM runs WHERE finished_at IS NOT NULL"
        ),
        1
    );
    assert_eq!(count(&mut client, "SELECT count(*) FROM scans"), 120);
}

#[test]
fn sqlite_shards_merged_into_postgres_answer_as_merged_into_sqlite() {
    let Some(url) = testing::database("merge") else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let org = org(tmp.path(), false);
    let mut shards = Vec::new();
    for i in 0..2 {
        let db = tmp.path().join(format!("s{i}.db"));
        let (code, _, err) = inventory(
            db.to_str().unwrap(),
            &org,
            tmp.path(),
            &["--label", "n", "--shard", &format!("{i}/2")],
        );
        assert_eq!(code, 0, "{err}");
        shards.push(db);
    }
    let merged = tmp.path().join("merged.db");
    for target in [merged.to_str().unwrap(), url.as_str()] {
        // Twice: merging a shard again replaces its repositories, it does not add them.
        for _ in 0..2 {
            let (code, _, err) = outcome(
                bomscout()
                    .args(["inventory", "merge"])
                    .args(&shards)
                    .args(["--db", target]),
            );
            assert_eq!(code, 0, "{err}");
            assert!(!err.contains(testing::PASSWORD), "{err}");
        }
    }
    let ask = |db: &str, q: &[&str]| {
        let (code, out, err) = outcome(
            bomscout()
                .arg("query")
                .args(["--db", db])
                .args(q)
                .args(["-o", "json"]),
        );
        assert_eq!(code, 0, "{q:?}: {err}");
        out
    };
    for q in [
        &["runs"][..],
        &["where", "log4j-core"],
        &["licenses"],
        &["violations", "--since", "2000-01-01"],
        &["vulns"],
        &["scorecard"],
    ] {
        assert_eq!(
            ask(merged.to_str().unwrap(), q),
            ask(&url, q),
            "query {q:?}"
        );
    }
    assert!(ask(&url, &["runs"]).contains("\"repositories\": 5"));
}

#[test]
fn a_read_only_role_can_query_and_read_the_views_but_not_write() {
    let Some(url) = testing::database("reader") else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let org = org(tmp.path(), false);
    let (code, _, err) = inventory(&url, &org, tmp.path(), &["--label", "n"]);
    assert_eq!(code, 0, "{err}");
    // The role README.md documents for `query` and dashboards.
    let db = url.rsplit('/').next().unwrap();
    let mut admin = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    admin
        .batch_execute(&format!(
            "DO $$ BEGIN CREATE ROLE inventory_reader LOGIN PASSWORD 'reader-pw';
             EXCEPTION WHEN duplicate_object THEN NULL; END $$;
             GRANT CONNECT ON DATABASE {db} TO inventory_reader;
             GRANT USAGE ON SCHEMA public TO inventory_reader;
             GRANT SELECT ON ALL TABLES IN SCHEMA public TO inventory_reader;"
        ))
        .unwrap();
    let reader = url.replace(
        &format!("{}:{}@", testing::USER, testing::PASSWORD),
        "inventory_reader:reader-pw@",
    );
    for q in [
        &["scorecard"][..],
        &["where", "log4j-core"],
        &["vulns"],
        &["export"],
    ] {
        let (code, _, err) = outcome(bomscout().arg("query").args(["--db", &reader]).args(q));
        assert_eq!(code, 0, "{q:?} as the read-only role: {err}");
    }
    let mut dashboard = postgres::Client::connect(&reader, postgres::NoTls).unwrap();
    let licensed: i64 = dashboard
        .query_one(
            "SELECT count(DISTINCT purl) FROM v_components
             WHERE run_id = (SELECT run_id FROM v_latest_run) AND license IS NOT NULL",
            &[],
        )
        .unwrap()
        .get(0);
    assert!(licensed > 10, "{licensed}");
    let repos: i64 = dashboard
        .query_one("SELECT repositories FROM v_runs", &[])
        .unwrap()
        .get(0);
    assert_eq!(repos, 5);
    let (code, _, err) = inventory(&reader, &org, tmp.path(), &["--label", "n2"]);
    assert_eq!(code, 2, "a read-only role cannot record a run");
    assert!(err.contains("permission denied"), "{err}");
}

/// `query ARGS -o json` of `db`, parsed.
fn ask_json(db: &str, q: &[&str]) -> serde_json::Value {
    let (code, out, err) = outcome(
        bomscout()
            .arg("query")
            .args(["--db", db])
            .args(q)
            .args(["-o", "json"]),
    );
    assert_eq!(code, 0, "query {q:?}: {err}");
    serde_json::from_str(&out).unwrap()
}

/// The (repository, status) pairs of `query repos` of `run`.
fn statuses(db: &str, run: &str) -> Vec<(String, String)> {
    ask_json(db, &["repos", "--run", run])
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["repository"].as_str().unwrap().to_string(),
                r["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// (scanned, reused, removed) of each run, as `query runs` lists them.
fn run_counts(db: &str) -> Vec<(i64, i64, i64)> {
    ask_json(db, &["runs"])
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let n = |k: &str| r[k].as_i64().unwrap();
            (n("scanned"), n("reused"), n("removed"))
        })
        .collect()
}

#[test]
fn a_second_night_on_postgres_reuses_unchanged_repositories_and_records_removed_ones() {
    let Some(url) = testing::database("incremental") else {
        return;
    };
    let Some(merged_url) = testing::database("incremental_merge") else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let sqlite = tmp.path().join("inv.db");
    let sqlite = sqlite.to_str().unwrap();
    two_nights(sqlite, tmp.path());
    two_nights(&url, tmp.path());
    // Night two: web, tools and py have the same files (no git: the same tree digest) and
    // are reused, with today's policy evaluated on their stored SBOMs (read back through
    // a read-only connection per worker); svc changed and api2 is new; api is gone.
    let night_two = [
        ("org/api", "removed"),
        ("org/api2", "scanned"),
        ("org/py", "reused"),
        ("org/svc", "scanned"),
        ("org/tools", "reused"),
        ("org/web", "reused"),
    ]
    .map(|(r, s)| (r.to_string(), s.to_string()));
    for db in [sqlite, url.as_str()] {
        assert_eq!(
            statuses(db, "2"),
            night_two,
            "{}",
            bomscout_inventory::location::redact(db)
        );
        assert_eq!(run_counts(db), [(5, 0, 0), (2, 3, 1)]);
    }
    for q in [
        &["runs"][..],
        &["repos"],
        &["repos", "--status", "reused"],
        &["repos", "--status", "removed"],
        &["violations"],
        &["where", "log4j-core"],
    ] {
        assert_eq!(ask_json(sqlite, q), ask_json(&url, q), "query {q:?}");
    }
    // A reused repository points at the BOM of its scan the night before.
    let mut client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let same: i64 = client
        .query_one(
            "SELECT count(*) FROM scans a JOIN scans b ON a.repo_id = b.repo_id
             WHERE a.run_id = 1 AND b.run_id = 2 AND a.bom_id = b.bom_id
               AND b.status = 'reused' AND b.scan_key = a.scan_key",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(same, 3);

    // The same two nights as SQLite shards, merged into PostgreSQL and into SQLite: the
    // statuses, keys and the removal are carried over alike.
    let mut shards = Vec::new();
    for i in 0..2 {
        let db = tmp.path().join(format!("s{i}.db"));
        for (second, label) in [(false, "n1"), (true, "n2")] {
            let (code, _, err) = inventory(
                db.to_str().unwrap(),
                &org(tmp.path(), second),
                tmp.path(),
                &["--label", label, "--shard", &format!("{i}/2")],
            );
            assert_eq!(code, 0, "{err}");
        }
        shards.push(db);
    }
    let merged = tmp.path().join("merged.db");
    let merged = merged.to_str().unwrap();
    for target in [merged, merged_url.as_str()] {
        let (code, _, err) = outcome(
            bomscout()
                .args(["inventory", "merge"])
                .args(&shards)
                .args(["--db", target]),
        );
        assert_eq!(code, 0, "{err}");
    }
    for db in [merged, merged_url.as_str()] {
        assert_eq!(
            statuses(db, "2"),
            night_two,
            "{}",
            bomscout_inventory::location::redact(db)
        );
        assert_eq!(run_counts(db), [(5, 0, 0), (2, 3, 1)]);
    }
    for q in [&["runs"][..], &["repos"], &["repos", "--status", "removed"]] {
        assert_eq!(ask_json(merged, q), ask_json(&merged_url, q), "query {q:?}");
    }
    let mut client = postgres::Client::connect(&merged_url, postgres::NoTls).unwrap();
    let keyed: i64 = client
        .query_one("SELECT count(*) FROM scans WHERE scan_key IS NOT NULL", &[])
        .unwrap()
        .get(0);
    assert_eq!(keyed, 10, "every merged scan keeps its scan key");
}

#[test]
fn sslmode_require_writes_and_queries_over_tls_verifying_the_servers_certificate() {
    let Some(db) = testing::tls_database("tls") else {
        return;
    };
    let url = format!("{}?sslmode=require", db.url);
    let tmp = tempfile::tempdir().unwrap();
    let org = org(tmp.path(), false);
    // The server's certificate authority trusted through SSL_CERT_FILE: written and read
    // over TLS (the server turns away TCP without TLS, below).
    let (code, out, err) = outcome(
        bomscout()
            .args(["inventory", "-q", "--repos-are-children", "--no-caches"])
            .arg(&org)
            .args(["--db", &url])
            .env("SSL_CERT_FILE", &db.ca),
    );
    assert_eq!(code, 0, "{err}");
    assert!(!out.contains(testing::PASSWORD) && !err.contains(testing::PASSWORD));
    let (code, out, err) = outcome(
        bomscout()
            .args(["query", "--db", &url, "where", "log4j-core", "-o", "csv"])
            .env("SSL_CERT_FILE", &db.ca),
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("2.14.1"), "{out}");
    // A certificate no trusted authority signed: refused, not used unverified.
    let (code, out, err) = outcome(
        bomscout()
            .args(["query", "--db", &url, "runs"])
            .env_remove("SSL_CERT_FILE"),
    );
    assert_eq!(code, 2, "{out}");
    assert!(err.to_ascii_lowercase().contains("certificate"), "{err}");
    assert!(err.contains(":***@"), "{err}");
    assert!(!err.contains(testing::PASSWORD), "{err}");
    // Without TLS the server does not let the client in.
    let clear = format!("{}?sslmode=disable", db.url);
    let (code, _, err) = outcome(bomscout().args(["query", "--db", &clear, "runs"]));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("no encryption"), "{err}");
    assert!(!err.contains(testing::PASSWORD), "{err}");
}
