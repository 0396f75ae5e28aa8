//! Supplier and upkeep facts from `--enrich`: the schema 3 migration, recording, the
//! `where` and `health` queries, the scorecard summary and page, merging shards.

use crate::git::Head;
use crate::repos::Repo;
use crate::store::{RepoScan, Scanned};
use crate::{query, render::text, Store};
use bomscout_core::{
    Catalog, Component, DepKind, Ecosystem, Health, Project, Sbom, SbomBuilder, Scorecard,
};
use std::path::{Path, PathBuf};

/// An SBOM of npm packages `(name, scorecard, archived)`; the first one also gets a
/// repository, a latest release and a supplier.
fn sbom(packages: &[(&str, Option<f32>, Option<bool>)]) -> Sbom {
    let mut cat = Catalog::default();
    let mut app = Project::new(Ecosystem::Npm, "package-lock.json");
    for (i, (name, score, archived)) in packages.iter().enumerate() {
        let mut c = Component::new(Ecosystem::Npm, None, name, "1.0.0").unwrap();
        if score.is_some() || archived.is_some() {
            c.health = Some(Box::new(Health {
                repository: Some(format!("https://github.com/o/{name}")),
                scorecard: score.map(|s| Scorecard {
                    score: s,
                    date: None,
                    failing: Vec::new(),
                }),
                archived: *archived,
                latest_release: (i == 0).then(|| "2019-03-01".to_string()),
                ..Default::default()
            }));
        }
        if i == 0 {
            c.properties.insert("supplier".into(), "Acme".into());
        }
        let node = cat.add_package(c);
        app.add_dep(node, DepKind::Normal);
    }
    cat.add_project(app);
    let mut b = SbomBuilder::new("t");
    b.add(cat);
    b.finish()
}

fn record(store: &mut Store, run: i64, repo: &str, sbom: Sbom) {
    let cyclonedx = format!("{:?}", sbom.components).into_bytes();
    store
        .record(
            run,
            &RepoScan {
                repo: Repo {
                    path: repo.into(),
                    name: repo.into(),
                    abs: PathBuf::from(repo),
                },
                head: Head {
                    commit: None,
                    branch: None,
                },
                scanned_at: 0,
                duration_ms: 0,
                result: Ok(Scanned {
                    sbom,
                    cyclonedx,
                    evaluation: None,
                    ntia: (0, 0),
                }),
            },
        )
        .unwrap();
}

fn night(path: &Path, repos: &[(&str, Sbom)]) -> (Store, i64) {
    let mut store = Store::open(path).unwrap();
    let run = store.begin_run("night", 0, None, None).unwrap();
    for (repo, s) in repos {
        record(&mut store, run, repo, s.clone());
    }
    store.finish_run(run, 1).unwrap();
    (store, run)
}

#[test]
fn a_database_of_schema_2_is_migrated_and_old_rows_know_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(crate::schema::MIGRATIONS[0]).unwrap();
        conn.execute_batch(crate::schema::MIGRATIONS[1]).unwrap();
        conn.pragma_update(None, "user_version", 2).unwrap();
        conn.execute_batch(
            "INSERT INTO runs (id, label, started_at, finished_at, tool_version)
               VALUES (1, 'old', 0, 1, 't');
             INSERT INTO repositories (id, name, path) VALUES (1, 'a', 'org/a');
             INSERT INTO boms (id, digest, cyclonedx) VALUES (1, 'd', x'');
             INSERT INTO components (id, purl, ecosystem, name, version)
               VALUES (1, 'pkg:npm/a@1.0.0', 'npm', 'a', '1.0.0');
             INSERT INTO bom_components (bom_id, component_id, scope, spdx)
               VALUES (1, 1, 'required', 1);
             INSERT INTO scans (run_id, repo_id, scanned_at, ok, bom_id, duration_ms,
                 components, with_license, with_spdx, projects, manifests_unlocked,
                 ntia_checked, ntia_missing, errors, warnings)
               VALUES (1, 1, 0, 1, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0);",
        )
        .unwrap();
    }
    let err = Store::open_read_only(&path).err().unwrap().to_string();
    assert!(err.contains("older than this bomscout"), "{err}");
    let mut store = Store::open(&path).unwrap();
    let version: i64 = store
        .conn()
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(version, crate::schema::VERSION);
    let rows = query::where_used(&store, 1, "a", None).unwrap().rows;
    assert_eq!(rows.len(), 1);
    assert!(
        rows[0][6].is_null(),
        "an old row has no scorecard: {rows:?}"
    );
    assert!(query::health(&store, 1, None).unwrap().rows.is_empty());
    let summary = query::health_summary(&store, 1).unwrap();
    assert_eq!((summary.scored, summary.unscored), (0, 1));
    // And the migrated file takes a new, enriched run.
    let run = store.begin_run("new", 2, None, None).unwrap();
    record(&mut store, run, "org/a", sbom(&[("a", Some(4.0), None)]));
    let rows = query::where_used(&store, run, "a", None).unwrap().rows;
    assert_eq!(rows[0][6], serde_json::json!(4.0));
}

#[test]
fn health_is_recorded_queried_lowest_first_and_summarized() {
    let dir = tempfile::tempdir().unwrap();
    let (store, run) = night(
        &dir.path().join("i.db"),
        &[
            (
                "org/a",
                sbom(&[
                    ("low", Some(2.3), Some(false)),
                    ("mid", Some(5.0), None),
                    ("none", None, None),
                ]),
            ),
            (
                "org/b",
                sbom(&[("gone", Some(9.9), Some(true)), ("mid", Some(5.0), None)]),
            ),
        ],
    );
    let t = query::health(&store, run, None).unwrap();
    let got: Vec<(String, String, String)> = t
        .rows
        .iter()
        .map(|r| (text(&r[0]), text(&r[1]), text(&r[6])))
        .collect();
    assert_eq!(
        got,
        [
            (
                "pkg:npm/low@1.0.0".to_string(),
                "2.3".to_string(),
                "1".to_string()
            ),
            ("pkg:npm/mid@1.0.0".into(), "5.0".into(), "2".into()),
            ("pkg:npm/gone@1.0.0".into(), "9.9".into(), "1".into()),
        ]
    );
    assert_eq!(text(&t.rows[0][2]), "https://github.com/o/low");
    assert_eq!(text(&t.rows[0][4]), "2019-03-01");
    assert_eq!(text(&t.rows[0][5]), "Acme");
    assert_eq!(t.rows[2][3], serde_json::json!(true));
    let below = query::health(&store, run, Some(5.0)).unwrap();
    assert_eq!(below.rows.len(), 1, "only the one below 5");
    let where_rows = query::where_used(&store, run, "low", None).unwrap().rows;
    assert_eq!(where_rows[0][6], serde_json::json!(2.3));

    let card = query::scorecard(&store, run).unwrap();
    assert_eq!((card.health.scored, card.health.unscored), (3, 1));
    assert_eq!(card.health.archived, 1);
    let bands: Vec<i64> = card.health.distribution.iter().map(|b| b.1).collect();
    assert_eq!(bands, [0, 1, 1, 0, 1]);
    assert_eq!(card.health.lowest[0].purl, "pkg:npm/low@1.0.0");
    let mut page = Vec::new();
    crate::html::write(&card, &[], &mut page).unwrap();
    let page = String::from_utf8(page).unwrap();
    assert!(
        page.contains("OpenSSF Scorecard (3 scored packages, 1 unscored)"),
        "{page}"
    );
    assert!(page.contains("<h2>Lowest OpenSSF Scorecards</h2>"));
    assert!(page.contains("<tr><td>pkg:npm/low@1.0.0</td><td class=\"n\">2.3</td><td>github.com/o/low</td><td class=\"n\">1</td></tr>"), "{page}");
    assert!(
        !page.contains("https://"),
        "the page names no URL it could fetch"
    );
}

#[test]
fn an_unenriched_run_has_no_scorecard_section() {
    let dir = tempfile::tempdir().unwrap();
    let (store, run) = night(
        &dir.path().join("i.db"),
        &[("org/a", sbom(&[("x", None, None)]))],
    );
    let card = query::scorecard(&store, run).unwrap();
    let mut page = Vec::new();
    crate::html::write(&card, &[], &mut page).unwrap();
    let page = String::from_utf8(page).unwrap();
    assert!(!page.contains("OpenSSF"), "{page}");
}

#[test]
fn merged_shards_keep_health() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.db");
    let b = dir.path().join("b.db");
    drop(night(&a, &[("org/a", sbom(&[("low", Some(1.0), None)]))]));
    drop(night(
        &b,
        &[("org/b", sbom(&[("high", Some(9.0), Some(true))]))],
    ));
    let mut merged = Store::open(&dir.path().join("m.db")).unwrap();
    crate::merge::merge_into(&mut merged, &a).unwrap();
    crate::merge::merge_into(&mut merged, &b).unwrap();
    let run = merged.latest_run().unwrap();
    let rows = query::health(&merged, run, None).unwrap().rows;
    let got: Vec<(String, String, String)> = rows
        .iter()
        .map(|r| (text(&r[0]), text(&r[1]), text(&r[3])))
        .collect();
    assert_eq!(
        got,
        [
            (
                "pkg:npm/low@1.0.0".to_string(),
                "1.0".to_string(),
                String::new()
            ),
            ("pkg:npm/high@1.0.0".into(), "9.0".into(), "true".into()),
        ]
    );
}
