//! The PostgreSQL backend against a real server (`crate::testing`): the same answers as
//! SQLite, concurrent shard writers, and a worker killed inside a repository's transaction.

use crate::db::vals;
use crate::git::Head;
use crate::repos::{Repo, Shard};
use crate::store::{record_in, RepoScan, Scanned};
use crate::{query, testing, Location, Store};
use bomscout_core::{Catalog, Component, DepKind, Ecosystem, Project, Sbom, SbomBuilder};
use std::path::PathBuf;

/// An SBOM of npm packages `name@version`.
fn sbom(packages: &[(&str, &str)]) -> Sbom {
    let mut cat = Catalog::default();
    let mut app = Project::new(Ecosystem::Npm, "package-lock.json");
    for (name, version) in packages {
        let mut c = Component::new(Ecosystem::Npm, None, name, version).unwrap();
        c.licenses = vec![bomscout_core::License::declared(
            if name.starts_with('g') {
                "GPL-3.0-only"
            } else {
                "MIT"
            },
            "package-lock.json",
            "license",
        )];
        let node = cat.add_package(c);
        app.add_dep(node, DepKind::Normal);
    }
    cat.add_project(app);
    let mut b = SbomBuilder::new("t");
    b.add(cat);
    let mut s = b.finish();
    bomscout_license::normalize_sbom(&mut s);
    s
}

fn scan(repo: &str, sbom: Sbom) -> RepoScan {
    RepoScan {
        repo: Repo {
            path: repo.into(),
            name: repo.rsplit('/').next().unwrap_or(repo).into(),
            abs: PathBuf::from(repo),
        },
        head: Head {
            commit: Some("0123abcd".into()),
            branch: Some("main".into()),
        },
        scanned_at: 1_700_000_000,
        duration_ms: 3,
        result: Ok(Scanned {
            cyclonedx: format!("{:?}", sbom.components).into_bytes(),
            sbom,
            evaluation: None,
            ntia: (6, 1),
        }),
    }
}

fn shard(index: u32, count: u32) -> Shard {
    Shard {
        index: index.into(),
        count: count.into(),
    }
}

fn pg_store(name: &str) -> Option<Store> {
    let url = testing::database(name)?;
    Some(Store::open_location(&Location::Postgres(url)).unwrap())
}

/// Two nights into `store`; the second upgrades one package and adds a repository.
fn two_nights(store: &mut Store) {
    let first = store.begin_run("n1", 100, None, None).unwrap();
    store
        .record(
            first,
            &scan(
                "org/a",
                sbom(&[("left-pad", "1.0.0"), ("gpl-lib", "2.0.0")]),
            ),
        )
        .unwrap();
    store
        .record(first, &scan("org/b", sbom(&[("left-pad", "1.0.0")])))
        .unwrap();
    store.finish_run(first, 101).unwrap();
    let second = store.begin_run("n2", 200, None, None).unwrap();
    store
        .record(
            second,
            &scan(
                "org/a",
                sbom(&[("left-pad", "1.1.0"), ("gpl-lib", "2.0.0")]),
            ),
        )
        .unwrap();
    store
        .record(second, &scan("org/b", sbom(&[("left-pad", "1.0.0")])))
        .unwrap();
    store
        .record(second, &scan("org/c", sbom(&[("Typing_Ext", "4.0.0")])))
        .unwrap();
    store.finish_run(second, 201).unwrap();
}

#[test]
fn the_same_nights_give_the_same_answers_on_both_backends() {
    let Some(mut pg) = pg_store("same_answers") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut lite = Store::open(&dir.path().join("i.db")).unwrap();
    two_nights(&mut lite);
    two_nights(&mut pg);
    let answers = |s: &Store| {
        let run = s.latest_run().unwrap();
        vec![
            query::where_used(s, run, "left-pad", None).unwrap().rows,
            query::where_used(s, run, "LEFT-PAD", Some(">=1.1.0"))
                .unwrap()
                .rows,
            query::where_used(s, run, "typing_ext", None).unwrap().rows,
            query::where_used(s, run, "pkg:npm/typing_ext", None)
                .unwrap()
                .rows,
            query::where_used(s, run, "pkg:npm/%", None).unwrap().rows,
            query::licenses(s, run, None).unwrap().rows,
            query::licenses(s, run, Some("strong-copyleft"))
                .unwrap()
                .rows,
            query::diff(s, run - 1, run).unwrap().rows,
            query::scorecard(s, run).unwrap().table().rows,
            query::health(s, run, None).unwrap().rows,
        ]
    };
    // The run ids are the same (1 and 2) on both: the answers must be identical.
    assert_eq!(answers(&lite), answers(&pg));
    assert_eq!(
        lite.runs().unwrap(),
        pg.runs().unwrap(),
        "runs, their labels and repository counts"
    );
    assert_eq!(lite.boms_of_run(2).unwrap(), pg.boms_of_run(2).unwrap());
    // Case-insensitive name lookup found the mixed-case package on both.
    assert_eq!(answers(&pg)[2].len(), 1);
}

#[test]
fn shards_writing_at_once_share_one_run_and_lose_nothing() {
    let Some(url) = testing::database("concurrent") else {
        return;
    };
    let location = Location::Postgres(url);
    const SHARDS: u32 = 4;
    const REPOS: usize = 12;
    let handles: Vec<_> = (1..=SHARDS)
        .map(|i| {
            let location = location.clone();
            std::thread::spawn(move || {
                let mut store = Store::open_location(&location).unwrap();
                let run = store
                    .join_run(
                        "gh-1234",
                        "night",
                        true,
                        100 + i64::from(i),
                        None,
                        shard(i - 1, SHARDS),
                    )
                    .unwrap();
                for r in 0..REPOS {
                    // Every shard stores the same packages in a different order, so their
                    // transactions intern the same rows at the same time.
                    let mut pkgs: Vec<(String, String)> = (0..20)
                        .map(|p| (format!("pkg{p}"), format!("1.0.{}", (p + r) % 3)))
                        .collect();
                    if i % 2 == 0 {
                        pkgs.reverse();
                    }
                    let pkgs: Vec<(&str, &str)> =
                        pkgs.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
                    store
                        .record(run, &scan(&format!("org/s{i}/r{r}"), sbom(&pkgs)))
                        .unwrap();
                }
                (
                    run,
                    store.finish_shard(run, shard(i - 1, SHARDS), 300).unwrap(),
                )
            })
        })
        .collect();
    let results: Vec<(i64, bool)> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    let run = results[0].0;
    assert!(results.iter().all(|r| r.0 == run), "one run: {results:?}");
    assert_eq!(
        results.iter().filter(|r| r.1).count(),
        1,
        "exactly one shard finished the run: {results:?}"
    );
    let store = Store::open_read_only_location(&location).unwrap();
    let runs = store.runs().unwrap();
    assert_eq!(runs.len(), 1, "{runs:?}");
    assert_eq!(runs[0].repositories, i64::from(SHARDS) * REPOS as i64);
    assert_eq!(runs[0].started_at, 101, "the earliest shard's start");
    assert_eq!(runs[0].finished_at, Some(300));
    assert_eq!(store.latest_run().unwrap(), run);
    let n: i64 = store
        .db()
        .query_one("SELECT count(*) FROM components", &[])
        .unwrap()
        .get(0)
        .unwrap();
    assert_eq!(n, 60, "each of 20 packages in 3 versions, interned once");
    // A read-only session refuses writes.
    assert!(store
        .db()
        .execute("DELETE FROM runs", &[])
        .unwrap_err()
        .to_string()
        .contains("read-only"));
}

#[test]
fn a_run_with_a_shard_not_finished_is_interrupted_until_that_shard_runs_again() {
    let Some(url) = testing::database("rerun_shard") else {
        return;
    };
    let store = Store::open_location(&Location::Postgres(url)).unwrap();
    let run = store
        .join_run("k", "night", true, 1, None, shard(0, 2))
        .unwrap();
    assert!(!store.finish_shard(run, shard(0, 2), 5).unwrap());
    assert!(store.latest_run().is_err(), "no finished run yet");
    assert_eq!(
        store
            .join_run("k", "tomorrow", false, 2, None, shard(1, 2))
            .unwrap(),
        run
    );
    assert!(store.finish_shard(run, shard(1, 2), 9).unwrap());
    assert_eq!(store.latest_run().unwrap(), run);
    assert_eq!(
        store.runs().unwrap()[0].label,
        "night",
        "the default label gave way"
    );
    let err = store
        .join_run("k", "other", true, 3, None, shard(0, 2))
        .unwrap_err();
    assert!(err.to_string().contains("must agree on --label"), "{err}");
    let err = store
        .join_run("k", "night", true, 3, None, shard(0, 3))
        .unwrap_err();
    assert!(err.to_string().contains("same --shard I/N total"), "{err}");
}

#[test]
fn a_worker_killed_inside_a_repository_leaves_nothing_of_it() {
    let Some(url) = testing::database("killed") else {
        return;
    };
    let location = Location::Postgres(url);
    let worker = Store::open_location(&location).unwrap();
    let run = worker.begin_run("night", 1, None, None).unwrap();
    let pid: i32 = {
        let row = worker
            .db()
            .query_one("SELECT pg_backend_pid()", &[])
            .unwrap();
        i32::try_from(row.get::<i64>(0).unwrap()).unwrap()
    };
    // The worker is inside one repository's transaction, rows written, not committed...
    worker.db().execute_batch("BEGIN").unwrap();
    record_in(
        worker.db(),
        run,
        &scan(
            "org/half",
            sbom(&[("left-pad", "1.0.0"), ("gpl-lib", "1.0.0")]),
        ),
    )
    .unwrap();
    // ...when it dies (its connection is cut, as when the pod or runner is killed).
    let other = Store::open_location(&location).unwrap();
    other
        .db()
        .query("SELECT pg_terminate_backend(?1)", &vals![i64::from(pid)])
        .unwrap();
    assert!(worker.db().execute_batch("COMMIT").is_err());
    for table in [
        "repositories",
        "scans",
        "boms",
        "bom_components",
        "components",
    ] {
        let n: i64 = other
            .db()
            .query_one(&format!("SELECT count(*) FROM {table}"), &[])
            .unwrap()
            .get(0)
            .unwrap();
        assert_eq!(n, 0, "{table} holds rows of the killed repository");
    }
    let runs = other.runs().unwrap();
    assert_eq!(runs[0].finished_at, None, "the run is interrupted");
}

#[test]
fn a_postgres_database_of_another_schema_is_refused_for_queries() {
    let Some(url) = testing::database("schema") else {
        return;
    };
    let location = Location::Postgres(url.clone());
    let err = Store::open_read_only_location(&location)
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("not a bomscout inventory"), "{err}");
    assert!(!err.contains(testing::PASSWORD), "{err}");
    drop(Store::open_location(&location).unwrap());
    let mut c = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    c.batch_execute("UPDATE bomscout_schema SET version = 99")
        .unwrap();
    let err = Store::open_read_only_location(&location)
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("newer bomscout"), "{err}");
    let err = Store::open_location(&location).err().unwrap().to_string();
    assert!(err.contains("newer bomscout"), "{err}");
}

#[test]
fn sslmode_require_insists_on_tls() {
    let Some(url) = testing::database("tls") else {
        return;
    };
    // The test server speaks no TLS: asked for it, the client refuses to go on in clear.
    let err = crate::location::connect(&format!("{url}?sslmode=require"))
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(err.contains("TLS"), "{err}");
    assert!(!err.contains(testing::PASSWORD), "{err}");
    assert!(crate::location::connect(&format!("{url}?sslmode=disable")).is_ok());
}

/// `t`'s rows through [`crate::db::Db::insert_rows`]: `rows` rows, every third a repeat of
/// the one before (key `i - 1`), with NULLs and text that array literals would have to
/// quote.
fn bulk_rows(db: &crate::db::Db, rows: usize) -> Vec<crate::db::Row> {
    use crate::db::{Insert, Value};
    db.execute_batch(
        "CREATE TABLE t (k INTEGER PRIMARY KEY, s TEXT, f REAL, n INTEGER);
         CREATE TABLE u (s TEXT)",
    )
    .unwrap();
    let insert = Insert {
        table: "t",
        columns: &[
            ("k", "bigint"),
            ("s", "text"),
            ("f", "double precision"),
            ("n", "bigint"),
        ],
        tail: "ON CONFLICT DO NOTHING RETURNING k",
    };
    let mut values = Vec::new();
    for i in 0..rows {
        let k = if i % 3 == 2 { i - 1 } else { i } as i64;
        values.extend(vals![
            k,
            format!("{i} \"q\" {{a,b}} \\ NULL ' é\t\n"),
            (i % 2 == 0).then_some(i as f64 / 4.0),
            (i % 5 != 0).then_some(-(i as i64)),
        ]);
    }
    let returned = db.insert_rows(&insert, &values).unwrap();
    assert_eq!(
        returned.len(),
        rows - rows / 3,
        "a row repeating an earlier key meets ON CONFLICT DO NOTHING"
    );
    // Misaligned values are refused, not cut.
    let err = db.insert_rows(&insert, &values[..5]).unwrap_err();
    assert!(
        err.to_string().contains("5 values for 4 columns of t"),
        "{err}"
    );
    // No rows: no statement.
    let plain = Insert {
        table: "u",
        columns: &[("s", "text")],
        tail: "",
    };
    assert!(db.insert_rows(&plain, &[]).unwrap().is_empty());
    db.insert_rows(&plain, &[Value::Null, Value::from("x")])
        .unwrap();
    db.query("SELECT k, s, f, n FROM t ORDER BY k", &[])
        .unwrap()
        .into_iter()
        .chain(
            db.query("SELECT count(*), count(s), max(s) FROM u", &[])
                .unwrap(),
        )
        .collect()
}

#[test]
fn many_rows_in_one_insert_are_stored_as_single_inserts_store_them() {
    let Some(url) = testing::database("insert_rows") else {
        return;
    };
    let pg = crate::db::Db::postgres(crate::location::connect(&url).unwrap());
    let lite = crate::db::Db::Sqlite(rusqlite::Connection::open_in_memory().unwrap());
    // Three statements' worth on PostgreSQL, the last one short.
    let rows = 2 * crate::db::BULK_ROWS + 7;
    let on_pg = bulk_rows(&pg, rows);
    let on_lite = bulk_rows(&lite, rows);
    assert_eq!(on_pg.len(), rows - rows / 3 + 1);
    assert_eq!(on_pg.len(), on_lite.len());
    for (pg, lite) in on_pg.iter().zip(&on_lite) {
        assert_eq!(pg, lite);
    }
    // The first of two rows with one key is the one kept.
    assert_eq!(
        on_pg[2].get::<String>(1).unwrap(),
        "3 \"q\" {a,b} \\ NULL ' é\t\n"
    );
    assert_eq!(on_pg[1].get::<Option<i64>>(3).unwrap(), Some(-1));
}

/// One repository's rows, in a form both backends give alike: each table's rows with
/// component ids replaced by purls, sorted.
fn stored(store: &Store) -> Vec<Vec<crate::db::Value>> {
    let db = store.db();
    let mut out = Vec::new();
    for sql in [
        "SELECT c.purl, c.ecosystem, c.name, c.version FROM components c",
        "SELECT b.digest, c.purl, bc.scope, bc.license, bc.spdx, bc.category, bc.location,
                bc.scorecard, bc.repository, bc.archived, bc.latest_release, bc.supplier
         FROM bom_components bc JOIN boms b ON b.id = bc.bom_id
         JOIN components c ON c.id = bc.component_id",
        "SELECT s.digest, c.purl, v.action, v.license, v.rule, v.reason
         FROM verdicts v JOIN verdict_sets s ON s.id = v.set_id
         JOIN components c ON c.id = v.component_id",
        "SELECT r.path, c.purl, f.action, f.first_run_id, f.first_seen
         FROM violation_first_seen f JOIN repositories r ON r.id = f.repo_id
         JOIN components c ON c.id = f.component_id",
        "SELECT r.path, s.run_id, d.severity, d.path, d.line, d.message
         FROM diagnostics d JOIN scans s ON s.id = d.scan_id
         JOIN repositories r ON r.id = s.repo_id",
        "SELECT r.path, s.run_id, s.components, s.allow, s.review, s.deny, s.warnings
         FROM scans s JOIN repositories r ON r.id = s.repo_id",
    ] {
        let mut rows: Vec<Vec<crate::db::Value>> = db
            .query(sql, &[])
            .unwrap()
            .into_iter()
            .map(|r| r.values().to_vec())
            .collect();
        rows.sort_by(|a, b| format!("{a:?}").cmp(&format!("{b:?}")));
        out.push(vec![crate::db::Value::Int(rows.len() as i64)]);
        out.extend(rows);
    }
    out
}

/// A repository with more components, verdicts and diagnostics than one PostgreSQL
/// statement carries, with some components known from an earlier repository.
fn large_scan(repo: &str, from: usize, count: usize) -> RepoScan {
    let names: Vec<(String, String)> = (from..from + count)
        .map(|i| {
            let name = if i % 4 == 0 {
                format!("gpl-{i}")
            } else {
                format!("lib-{i}")
            };
            (name, format!("1.{}.0", i % 7))
        })
        .collect();
    let pkgs: Vec<(&str, &str)> = names
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let mut s = sbom(&pkgs);
    for i in 0..count {
        let mut d = bomscout_core::Diagnostic::warning(
            format!("dir {i}/package-lock.json"),
            format!("odd entry {i}: \"{{x}}\" \\ ' é"),
        );
        d.line = (i % 3 != 0).then_some(i as u32);
        s.diagnostics.push(d);
    }
    let policy = bomscout_policy::Policy::load("builtin:stage1").unwrap();
    let today = bomscout_policy::Date::parse("2026-06-01").unwrap();
    let evaluation = bomscout_policy::evaluate(&policy, &s, today);
    let mut scan = scan(repo, s);
    if let Ok(scanned) = &mut scan.result {
        assert!(evaluation.problems().count() > crate::db::BULK_ROWS / 4);
        scanned.evaluation = Some(evaluation);
    }
    scan
}

#[test]
fn repositories_larger_than_one_batch_are_stored_alike_on_both_backends() {
    let Some(mut pg) = pg_store("bulk_store") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut lite = Store::open(&dir.path().join("i.db")).unwrap();
    let count = 2 * crate::db::BULK_ROWS + 3;
    for store in [&mut lite, &mut pg] {
        let run = store.begin_run("n1", 100, Some("stage1"), None).unwrap();
        store.record(run, &large_scan("org/a", 0, count)).unwrap();
        // Half of these components are known already; the BOM of org/c is org/a's.
        store
            .record(run, &large_scan("org/b", count / 2, count))
            .unwrap();
        store.record(run, &large_scan("org/c", 0, count)).unwrap();
        store.finish_run(run, 101).unwrap();
        // A second night re-records org/b (new scan, same BOM) in a new run.
        let run = store.begin_run("n2", 200, Some("stage1"), None).unwrap();
        store
            .record(run, &large_scan("org/b", count / 2, count))
            .unwrap();
        // And records it again in the same run (a retried shard): it is replaced.
        store
            .record(run, &large_scan("org/b", count / 2, count))
            .unwrap();
        store.finish_run(run, 201).unwrap();
    }
    let (on_lite, on_pg) = (stored(&lite), stored(&pg));
    assert_eq!(
        on_lite[0],
        vec![crate::db::Value::Int((count + count / 2) as i64)]
    );
    assert_eq!(on_lite.len(), on_pg.len());
    for (lite, pg) in on_lite.iter().zip(&on_pg) {
        assert_eq!(lite, pg);
    }
    let run = pg.latest_run().unwrap();
    assert_eq!(
        query::violations(&lite, run, None).unwrap().rows,
        query::violations(&pg, run, None).unwrap().rows
    );
}
