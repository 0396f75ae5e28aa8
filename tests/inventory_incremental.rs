//! Incremental nightly runs end to end: an unchanged repository (same commit; without git,
//! same catalogued files) is not read again, its stored scan is reused; a changed one is
//! scanned; a vanished one is recorded removed; `--full` scans everything; reused
//! components still meet today's policy and today's advisories; an older database is
//! upgraded in place.

mod common;

use common::{bomscout, copy_tree, fixture, outcome, query};
use serde_json::Value;
use std::path::{Path, PathBuf};

const A: &str = "0123456789abcdef0123456789abcdef01234567";
const B: &str = "89abcdef0123456789abcdef0123456789abcdef";

/// A repository at `org/name` from fixtures, on branch `main` at commit `A`.
fn repo(org: &Path, name: &str, fixtures: &[&str]) -> PathBuf {
    let dir = org.join(name);
    for f in fixtures {
        copy_tree(&fixture(f), &dir.join(f.replace('/', "-")));
    }
    std::fs::create_dir_all(dir.join(".git/refs/heads")).unwrap();
    std::fs::write(dir.join(".git/HEAD"), "ref: refs/heads/main\n").unwrap();
    set_commit(&dir, A);
    dir
}

/// Moves `main` to `commit`, as a pull does (here through `packed-refs`, as after a
/// `git gc`: the loose ref is gone).
fn set_commit(dir: &Path, commit: &str) {
    let _ = std::fs::remove_file(dir.join(".git/refs/heads/main"));
    std::fs::write(
        dir.join(".git/packed-refs"),
        format!("# pack-refs with: peeled fully-peeled sorted\n{commit} refs/heads/main\n"),
    )
    .unwrap();
}

fn org(root: &Path) -> PathBuf {
    let org = root.join("org");
    repo(&org, "web", &["npm/lock-v3"]);
    repo(&org, "tools", &["cargo/simple", "python/uv"]);
    org
}

/// Runs `inventory` (not quiet: the summary line is part of what is checked) and returns
/// its stderr.
fn inventory(db: &Path, roots: &[&Path], extra: &[&str]) -> String {
    let (code, _, err) = outcome(
        bomscout()
            .arg("inventory")
            .args(roots)
            .arg("--db")
            .arg(db)
            .args(["--no-caches", "--policy", "builtin:stage1"])
            .args(extra),
    );
    assert_eq!(code, 0, "{err}");
    err
}

fn query_json(db: &Path, args: &[&str]) -> Value {
    let mut all = args.to_vec();
    all.extend(["-o", "json"]);
    let (code, out, err) = query(db, &all);
    assert_eq!(code, 0, "{err}");
    serde_json::from_str(&out).unwrap()
}

/// `query repos` of `run` as (repository, status) pairs.
fn statuses(db: &Path, run: i64) -> Vec<(String, String)> {
    let rows = query_json(db, &["repos", "--run", &run.to_string()]);
    rows.as_array()
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

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

/// (repository, purl, license) of every component of `run`, sorted.
fn components(db: &Path, run: i64) -> Vec<(String, String, String)> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT r.path, c.purl, coalesce(bc.license, '') FROM scans s
             JOIN repositories r ON r.id = s.repo_id
             JOIN bom_components bc ON bc.bom_id = s.bom_id
             JOIN components c ON c.id = bc.component_id
             WHERE s.run_id = ?1 ORDER BY 1, 2",
        )
        .unwrap();
    let rows = stmt
        .query_map([run], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap();
    rows.collect::<Result<_, _>>().unwrap()
}

/// The stored diagnostics of `repo`'s scan in `run`: (severity, path).
fn diagnostics(db: &Path, run: i64, repo: &str) -> Vec<(String, String)> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT d.severity, d.path FROM diagnostics d JOIN scans s ON s.id = d.scan_id
             JOIN repositories r ON r.id = s.repo_id
             WHERE s.run_id = ?1 AND r.path = ?2 ORDER BY 1, 2",
        )
        .unwrap();
    let rows = stmt
        .query_map(rusqlite::params![run, repo], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap();
    rows.collect::<Result<_, _>>().unwrap()
}

/// One value of one row of SQL on the database.
fn sql_i64(db: &Path, sql: &str) -> i64 {
    rusqlite::Connection::open(db)
        .unwrap()
        .query_row(sql, [], |r| r.get(0))
        .unwrap()
}

#[test]
fn an_unchanged_repository_is_reused_without_reading_its_files_until_full() {
    let tmp = tempfile::tempdir().unwrap();
    let org = org(tmp.path());
    let db = tmp.path().join("inv.db");
    let err = inventory(&db, &[&org], &["--label", "night-1"]);
    assert!(err.contains("(2 scanned, 0 reused, 0 removed)"), "{err}");
    assert_eq!(
        statuses(&db, 1),
        pairs(&[("org/tools", "scanned"), ("org/web", "scanned")])
    );
    let night1 = components(&db, 1);
    assert!(night1.iter().any(|c| c.0 == "org/web"), "{night1:?}");
    let violations1 = query_json(&db, &["violations", "--run", "1"]);

    // The lockfile is corrupted on disk, the commit stays: a reused repository's files
    // are not read, so the night shows what the commit holds, without a diagnostic.
    let lock = org.join("web/npm-lock-v3/package-lock.json");
    assert!(lock.is_file());
    std::fs::write(&lock, "{ this is not json").unwrap();
    let err = inventory(&db, &[&org], &["--label", "night-2"]);
    assert!(err.contains("(0 scanned, 2 reused, 0 removed)"), "{err}");
    assert_eq!(
        statuses(&db, 2),
        pairs(&[("org/tools", "reused"), ("org/web", "reused")])
    );
    assert_eq!(components(&db, 2), night1);
    assert_eq!(
        diagnostics(&db, 2, "org/web"),
        diagnostics(&db, 1, "org/web")
    );
    // The policy ran again on the stored SBOMs and reached the same verdicts: the same
    // content-addressed verdict set, the same violations (first seen on night 1).
    assert_eq!(
        sql_i64(
            &db,
            "SELECT count(DISTINCT coalesce(verdict_set_id, -1)) FROM scans
             WHERE repo_id = (SELECT id FROM repositories WHERE path = 'org/tools')"
        ),
        1
    );
    assert_eq!(query_json(&db, &["violations", "--run", "2"]), violations1);
    assert!(
        sql_i64(
            &db,
            "SELECT count(*) FROM scans WHERE run_id = 2 AND allow IS NOT NULL"
        ) == 2
    );
    // No BOM was stored twice.
    assert_eq!(sql_i64(&db, "SELECT count(*) FROM boms"), 2);
    let runs = query_json(&db, &["runs"]);
    assert_eq!(runs[1]["reused"], 2);
    assert_eq!(runs[1]["scanned"], 0);

    // --full reads every file: the corrupt lockfile is reported.
    let err = inventory(&db, &[&org], &["--label", "night-3", "--full"]);
    assert!(err.contains("(2 scanned, 0 reused, 0 removed)"), "{err}");
    let found = diagnostics(&db, 3, "org/web");
    assert!(
        found
            .iter()
            .any(|(severity, path)| severity == "error" && path.ends_with("package-lock.json")),
        "{found:?}"
    );
    assert_ne!(components(&db, 3), night1);
}

#[test]
fn a_new_commit_is_scanned_and_the_others_reused() {
    let tmp = tempfile::tempdir().unwrap();
    let org = org(tmp.path());
    let db = tmp.path().join("inv.db");
    inventory(&db, &[&org], &["--label", "night-1"]);
    // `web` moves to a new commit that replaced its npm project by a workspace.
    std::fs::remove_dir_all(org.join("web/npm-lock-v3")).unwrap();
    copy_tree(&fixture("npm/workspaces"), &org.join("web/npm-workspaces"));
    set_commit(&org.join("web"), B);
    let err = inventory(&db, &[&org], &["--label", "night-2"]);
    assert!(err.contains("(1 scanned, 1 reused, 0 removed)"), "{err}");
    assert_eq!(
        statuses(&db, 2),
        pairs(&[("org/tools", "reused"), ("org/web", "scanned")])
    );
    let rows = query_json(&db, &["repos", "--run", "2", "--status", "scanned"]);
    assert_eq!(rows.as_array().unwrap().len(), 1);
    assert_eq!(rows[0]["commit"], B);
    assert_eq!(rows[0]["branch"], "main");
    // The diff sees the change of the scanned repository and none in the reused one.
    let diff = query_json(&db, &["diff"]);
    let repos: std::collections::BTreeSet<&str> = diff
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["repository"].as_str().unwrap())
        .collect();
    assert_eq!(repos.into_iter().collect::<Vec<_>>(), ["org/web"]);
    // A different scan setting is a different scan: nothing is reused.
    let err = inventory(
        &db,
        &[&org],
        &["--label", "night-3", "--exclude", "nothing-here"],
    );
    assert!(err.contains("(2 scanned, 0 reused, 0 removed)"), "{err}");
}

#[test]
fn a_folder_without_git_is_reused_until_a_catalogued_file_changes() {
    let tmp = tempfile::tempdir().unwrap();
    let org = tmp.path().join("org");
    copy_tree(&fixture("cargo/simple"), &org.join("rust"));
    copy_tree(&fixture("python/uv"), &org.join("py"));
    let db = tmp.path().join("inv.db");
    let children = ["--repos-are-children"];
    let err = inventory(&db, &[&org], &children);
    assert!(err.contains("(2 scanned, 0 reused, 0 removed)"), "{err}");
    // A file no cataloger reads changes nothing.
    std::fs::write(org.join("rust/NOTES.md"), "notes\n").unwrap();
    let err = inventory(&db, &[&org], &children);
    assert!(err.contains("(0 scanned, 2 reused, 0 removed)"), "{err}");
    // One byte of a lockfile changes the digest: that folder is scanned again.
    let lock = org.join("rust/Cargo.lock");
    let mut text = std::fs::read_to_string(&lock).unwrap();
    text.push('\n');
    std::fs::write(&lock, text).unwrap();
    let err = inventory(&db, &[&org], &children);
    assert!(err.contains("(1 scanned, 1 reused, 0 removed)"), "{err}");
    assert_eq!(
        statuses(&db, 3),
        pairs(&[("org/py", "reused"), ("org/rust", "scanned")])
    );
    let digests = sql_i64(
        &db,
        "SELECT count(DISTINCT tree_digest) FROM scans
         WHERE repo_id = (SELECT id FROM repositories WHERE path = 'org/rust')",
    );
    assert_eq!(digests, 2);
}

#[test]
fn a_repository_that_disappeared_is_recorded_removed_once() {
    let tmp = tempfile::tempdir().unwrap();
    let org = org(tmp.path());
    repo(&org, "old", &["cargo/simple"]);
    // Another root, in the same database, that the next runs do not scan: its
    // repositories are out of their scope, not removed.
    let other = tmp.path().join("other");
    repo(&other, "lib", &["python/uv"]);
    let db = tmp.path().join("inv.db");
    inventory(&db, &[&org, &other], &[]);
    inventory(&db, &[&org], &[]);
    std::fs::remove_dir_all(org.join("old")).unwrap();
    let err = inventory(&db, &[&org], &[]);
    assert!(err.contains("(0 scanned, 2 reused, 1 removed)"), "{err}");
    let removed = query_json(&db, &["repos", "--status", "removed"]);
    assert_eq!(removed.as_array().unwrap().len(), 1, "{removed}");
    assert_eq!(removed[0]["repository"], "org/old");
    assert_eq!(removed[0]["last-run"], 2);
    let runs = query_json(&db, &["runs"]);
    let removed_per_run: Vec<i64> = runs
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["removed"].as_i64().unwrap())
        .collect();
    assert_eq!(removed_per_run, [0, 0, 1]);
    // Removed once: the next night does not record it again. Back again, it is found.
    let err = inventory(&db, &[&org], &[]);
    assert!(err.contains("(0 scanned, 2 reused, 0 removed)"), "{err}");
    repo(&org, "old", &["cargo/simple"]);
    let err = inventory(&db, &[&org], &[]);
    assert!(err.contains("(0 scanned, 3 reused, 0 removed)"), "{err}");
}

#[test]
fn shards_reuse_from_their_own_database_and_merge_keeps_the_statuses() {
    let tmp = tempfile::tempdir().unwrap();
    let org = tmp.path().join("org");
    for i in 0..6 {
        repo(&org, &format!("svc-{i}"), &["cargo/simple"]);
    }
    let shard_db = |i: usize| tmp.path().join(format!("shard-{i}.db"));
    let night = |label: &str| {
        for i in 0..2 {
            inventory(
                &shard_db(i),
                &[&org],
                &["--shard", &format!("{i}/2"), "--label", label],
            );
        }
    };
    night("night-1");
    std::fs::remove_dir_all(org.join("svc-0")).unwrap();
    set_commit(&org.join("svc-1"), B);
    night("night-2");
    let merged = tmp.path().join("org.db");
    let (code, _, err) = outcome(
        bomscout()
            .args(["inventory", "merge"])
            .arg(shard_db(0))
            .arg(shard_db(1))
            .arg("--db")
            .arg(&merged),
    );
    assert_eq!(code, 0, "{err}");
    let runs = query_json(&merged, &["runs"]);
    assert_eq!(runs.as_array().unwrap().len(), 2, "{runs}");
    assert_eq!(runs[0]["scanned"], 6);
    assert_eq!(runs[1]["scanned"], 1);
    assert_eq!(runs[1]["reused"], 4);
    assert_eq!(runs[1]["removed"], 1);
    let removed = query_json(&merged, &["repos", "--status", "removed"]);
    assert_eq!(removed[0]["repository"], "org/svc-0");
    assert_eq!(statuses(&merged, 2).len(), 6);
}

/// A repository holding the real Gradle lockfile of the fixtures with log4j-core 2.14.1.
fn log4j_repo(org: &Path) {
    let dir = org.join("svc");
    std::fs::create_dir_all(dir.join(".git/refs/heads")).unwrap();
    std::fs::write(dir.join(".git/HEAD"), "ref: refs/heads/main\n").unwrap();
    set_commit(&dir, A);
    let text = std::fs::read_to_string(fixture("maven/gradle-maybe/gradle.lockfile"))
        .unwrap()
        .replace(
            "empty=",
            "org.apache.logging.log4j:log4j-core:2.14.1=compileClasspath,runtimeClasspath\nempty=",
        );
    std::fs::write(dir.join("gradle.lockfile"), text).unwrap();
}

#[test]
fn reused_components_meet_advisories_published_since_their_scan() {
    let tmp = tempfile::tempdir().unwrap();
    let org = tmp.path().join("org");
    log4j_repo(&org);
    // Last night's advisory database did not have Log4Shell yet.
    let advisories = tmp.path().join("advisories");
    copy_tree(&fixture("advisories"), &advisories);
    let held = tmp.path().join("held");
    std::fs::create_dir(&held).unwrap();
    let mut moved = Vec::new();
    for entry in walk_files(&advisories) {
        if std::fs::read_to_string(&entry).is_ok_and(|t| t.contains("CVE-2021-44228")) {
            let to = held.join(moved.len().to_string());
            std::fs::rename(&entry, &to).unwrap();
            moved.push((entry, to));
        }
    }
    assert!(!moved.is_empty(), "the fixtures hold Log4Shell");
    let db = tmp.path().join("inv.db");
    let run = |label: &str| {
        let (code, _, err) = outcome(
            bomscout()
                .arg("inventory")
                .arg(&org)
                .arg("--db")
                .arg(&db)
                .args(["--no-caches", "--label", label, "--advisory-db"])
                .arg(&advisories)
                .env("BOMSCOUT_CACHE_DIR", tmp.path().join("cache")),
        );
        assert_eq!(code, 0, "{err}");
        err
    };
    run("night-1");
    assert!(query_json(&db, &["vulns", "--id", "CVE-2021-44228"])
        .as_array()
        .unwrap()
        .is_empty());
    // Published overnight; the repository did not change.
    for (from, to) in &moved {
        std::fs::rename(to, from).unwrap();
    }
    let err = run("night-2");
    assert!(err.contains("(0 scanned, 1 reused, 0 removed)"), "{err}");
    let found = query_json(&db, &["vulns", "--id", "CVE-2021-44228"]);
    let rows = found.as_array().unwrap();
    assert!(!rows.is_empty(), "{found}");
    assert!(rows.iter().all(|r| r["repository"] == "org/svc"), "{found}");
    assert!(
        rows.iter()
            .any(|r| r["package"] == "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"),
        "{found}"
    );
}

fn walk_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk_files(&path));
        } else {
            out.push(path);
        }
    }
    out.sort();
    out
}

#[test]
fn a_database_of_the_previous_schema_is_upgraded_in_place_and_then_reused() {
    let tmp = tempfile::tempdir().unwrap();
    // The organization the fixture database was written from (see its header).
    let org = tmp.path().join("org");
    repo(&org, "web", &["npm/lock-v3"]);
    repo(&org, "tools", &["cargo/simple"]);
    let db = tmp.path().join("inv.db");
    let sql = std::fs::read_to_string(fixture("inventory/schema-3.sql")).unwrap();
    rusqlite::Connection::open(&db)
        .unwrap()
        .execute_batch(&sql)
        .unwrap();
    assert_eq!(sql_i64(&db, "PRAGMA user_version"), 3);
    let before = components(&db, 1);
    assert!(!before.is_empty());
    // `query` never migrates: it says what to do.
    let (code, _, err) = query(&db, &["runs"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("older than this bomscout"), "{err}");

    // The first run after the upgrade scans everything (the old scans carry no scan
    // settings to compare with); the one after reuses.
    let err = inventory(&db, &[&org], &["--label", "night-2"]);
    assert!(err.contains("(2 scanned, 0 reused, 0 removed)"), "{err}");
    assert!(sql_i64(&db, "PRAGMA user_version") > 3);
    assert_eq!(components(&db, 1), before, "the old run is kept as it was");
    assert_eq!(
        statuses(&db, 1),
        pairs(&[("org/tools", "scanned"), ("org/web", "scanned")])
    );
    assert_eq!(components(&db, 2), before);
    let err = inventory(&db, &[&org], &["--label", "night-3"]);
    assert!(err.contains("(0 scanned, 2 reused, 0 removed)"), "{err}");
    // The same SBOMs all along: the upgraded file stored no BOM twice.
    assert_eq!(sql_i64(&db, "SELECT count(*) FROM boms"), 2);
}

#[test]
fn a_rematch_run_is_reused_from_like_any_other() {
    let tmp = tempfile::tempdir().unwrap();
    let org = tmp.path().join("org");
    log4j_repo(&org);
    let db = tmp.path().join("inv.db");
    let advisories = fixture("advisories");
    let run = |args: &[&str]| {
        let (code, _, err) = outcome(
            bomscout()
                .args(args)
                .arg("--db")
                .arg(&db)
                .arg("--advisory-db")
                .arg(&advisories)
                .env("BOMSCOUT_CACHE_DIR", tmp.path().join("cache")),
        );
        assert_eq!(code, 0, "{err}");
        err
    };
    let org_arg = org.to_str().unwrap();
    run(&["inventory", org_arg, "--no-caches"]);
    run(&["inventory", "rematch"]);
    // The rematch copied the scans, with what the next run compares with.
    let runs = query_json(&db, &["runs"]);
    assert_eq!(runs[1]["reused"], 1, "{runs}");
    let err = run(&["inventory", org_arg, "--no-caches"]);
    assert!(err.contains("(0 scanned, 1 reused, 0 removed)"), "{err}");
}
