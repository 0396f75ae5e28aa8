//! Findings: storage, migration of older files, rematch runs, merging shards.

use crate::{query, render::text, Store};
use bomscout_core::vuln::{Advisory, AdvisorySource, Affected, VulnSeverity, Vulnerability};
use rusqlite::params;
use std::path::Path;

/// One finished run (`label`) of repository `org/a` whose BOM holds `purls` (all npm,
/// required scope except names starting with `dev-`).
fn run_with(store: &Store, label: &str, purls: &[&str]) -> i64 {
    let conn = store.conn();
    conn.execute(
        "INSERT INTO runs (label, started_at, finished_at, tool_version) VALUES (?1, 0, 1, 't')",
        [label],
    )
    .unwrap();
    let run = conn.last_insert_rowid();
    conn.execute(
        "INSERT OR IGNORE INTO repositories (name, path) VALUES ('a', 'org/a')",
        [],
    )
    .unwrap();
    conn.execute(
        "INSERT INTO boms (digest, cyclonedx) VALUES (?1, x'')",
        // Content-addressed: the digest stands for the content.
        [format!("{purls:?}")],
    )
    .unwrap();
    let bom = conn.last_insert_rowid();
    conn.execute(
        "INSERT INTO scans (run_id, repo_id, scanned_at, ok, bom_id, duration_ms,
             components, with_license, with_spdx, projects, manifests_unlocked,
             ntia_checked, ntia_missing, errors, warnings)
           VALUES (?1, (SELECT id FROM repositories WHERE path = 'org/a'), 0, 1, ?2, 0,
                   0, 0, 0, 0, 0, 0, 0, 0, 0)",
        params![run, bom],
    )
    .unwrap();
    for purl in purls {
        let (name, version) = purl.rsplit_once('@').unwrap();
        let name = name.rsplit_once('/').unwrap().1;
        conn.execute(
            "INSERT OR IGNORE INTO components (purl, ecosystem, name, version)
             VALUES (?1, 'npm', ?2, ?3)",
            params![purl, name, version],
        )
        .unwrap();
        let scope = if name.starts_with("dev-") {
            "dev"
        } else {
            "required"
        };
        conn.execute(
            "INSERT INTO bom_components (bom_id, component_id, scope, spdx, location)
             VALUES (?1, (SELECT id FROM components WHERE purl = ?2), ?3, 1, 'package-lock.json')",
            params![bom, purl, scope],
        )
        .unwrap();
    }
    run
}

fn vuln(id: &str, alias: &str, severity: VulnSeverity, affects: &[&str]) -> Vulnerability {
    Vulnerability {
        advisory: Advisory {
            aliases: [alias.to_string()].into_iter().collect(),
            summary: Some(format!("{id} summary")),
            ..Advisory::new(
                id,
                severity,
                AdvisorySource {
                    name: "GitHub Advisory Database".into(),
                    url: None,
                },
            )
        },
        affects: affects
            .iter()
            .map(|c| Affected {
                component: c.to_string(),
                version: c.rsplit_once('@').unwrap().1.to_string(),
                fixed: Some("9.9.9".into()),
                suppressed: None,
            })
            .collect(),
    }
}

fn ids(store: &Store, run: i64, severity: Option<VulnSeverity>) -> Vec<String> {
    query::vulns(store, run, severity, None)
        .unwrap()
        .rows
        .iter()
        .map(|r| format!("{} {} {}", text(&r[0]), text(&r[4]), text(&r[10])))
        .collect()
}

#[test]
fn findings_are_replaced_per_run_and_filtered_by_severity() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("i.db")).unwrap();
    let run = run_with(&store, "n", &["pkg:npm/a@1.0.0", "pkg:npm/dev-b@2.0.0"]);
    let err = query::vulns(&store, run, None, None)
        .unwrap_err()
        .to_string();
    assert!(err.contains("not matched against advisories"), "{err}");
    let found = [
        vuln("GHSA-1", "CVE-1", VulnSeverity::High, &["pkg:npm/a@1.0.0"]),
        vuln(
            "GHSA-2",
            "CVE-2",
            VulnSeverity::Unknown,
            &["pkg:npm/a@1.0.0", "pkg:npm/dev-b@2.0.0"],
        ),
        // A component not in the store is not a finding.
        vuln("GHSA-3", "CVE-3", VulnSeverity::Low, &["pkg:npm/zzz@1.0.0"]),
    ];
    assert_eq!(store.record_findings(run, "db", &found).unwrap(), 3);
    assert_eq!(
        ids(&store, run, None),
        [
            "GHSA-1 pkg:npm/a@1.0.0 false",
            "GHSA-2 pkg:npm/a@1.0.0 false",
            "GHSA-2 pkg:npm/dev-b@2.0.0 true",
        ],
        "the worst first, unknown last"
    );
    assert_eq!(
        ids(&store, run, Some(VulnSeverity::Medium)),
        ["GHSA-1 pkg:npm/a@1.0.0 false"]
    );
    assert_eq!(ids(&store, run, Some(VulnSeverity::Unknown)).len(), 2);
    let by_alias = query::vulns(&store, run, None, Some("cve-1")).unwrap();
    assert_eq!(by_alias.rows.len(), 1);
    // Recording again replaces, never adds.
    store.record_findings(run, "db", &found[..1]).unwrap();
    assert_eq!(ids(&store, run, None), ["GHSA-1 pkg:npm/a@1.0.0 false"]);
    store.record_findings(run, "db", &[]).unwrap();
    assert!(
        ids(&store, run, None).is_empty(),
        "matched, and nothing found"
    );
}

#[test]
fn a_rerated_advisory_does_not_rewrite_an_older_run() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("i.db")).unwrap();
    let first = run_with(&store, "one", &["pkg:npm/a@1.0.0"]);
    store
        .record_findings(
            first,
            "db",
            &[vuln(
                "GHSA-1",
                "CVE-1",
                VulnSeverity::Unknown,
                &["pkg:npm/a@1.0.0"],
            )],
        )
        .unwrap();
    let second = store.begin_rematch(first, "two", 5).unwrap();
    store
        .record_findings(
            second,
            "db",
            &[vuln(
                "GHSA-1",
                "CVE-1",
                VulnSeverity::Critical,
                &["pkg:npm/a@1.0.0"],
            )],
        )
        .unwrap();
    store.finish_run(second, 6).unwrap();
    let severity = |run| text(&query::vulns(&store, run, None, None).unwrap().rows[0][2]);
    assert_eq!(severity(first), "unknown");
    assert_eq!(severity(second), "critical");
    // The rematch run has the scanned run's repositories and components.
    let (components, skipped) = store.components_of_run(second).unwrap();
    assert_eq!(skipped, 0);
    assert_eq!(components.len(), 1);
    assert_eq!(components[0].key(), "pkg:npm/a@1.0.0");
    assert_eq!(components[0].version.as_deref(), Some("1.0.0"));
    let card = query::scorecard(&store, second).unwrap();
    assert_eq!(card.repositories.len(), 1);
    assert_eq!(card.repositories[0].numbers.vulnerabilities, Some(1));
    assert_eq!(card.repositories[0].numbers.vulns_critical_high, Some(1));
    assert_eq!(
        card.org_previous.and_then(|p| p.vulns_critical_high),
        Some(0)
    );
}

#[test]
fn a_database_of_schema_1_is_migrated_and_its_runs_are_not_matched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(crate::schema::MIGRATIONS[0]).unwrap();
        conn.pragma_update(None, "user_version", 1).unwrap();
        conn.execute(
            "INSERT INTO runs (label, started_at, finished_at, tool_version)
             VALUES ('old', 0, 1, 't')",
            [],
        )
        .unwrap();
    }
    let err = Store::open_read_only(&path).err().unwrap().to_string();
    assert!(err.contains("older than this bomscout"), "{err}");
    let store = Store::open(&path).unwrap();
    let run = store.latest_run().unwrap();
    assert_eq!(store.advisories_of_run(run).unwrap(), None);
    assert!(query::vulns(&store, run, None, None).is_err());
    assert_eq!(
        query::scorecard(&store, run).unwrap().org.vulnerabilities,
        None
    );
}

fn shard(dir: &Path, name: &str, purl: &str, matched: bool) -> std::path::PathBuf {
    let path = dir.join(name);
    let mut store = Store::open(&path).unwrap();
    let run = run_with(&store, "night", &[purl]);
    store
        .conn()
        .execute(
            "UPDATE repositories SET path = ?1, name = ?1",
            [format!("org/{name}")],
        )
        .unwrap();
    if matched {
        store
            .record_findings(
                run,
                "db",
                &[vuln("GHSA-1", "CVE-1", VulnSeverity::High, &[purl])],
            )
            .unwrap();
    }
    path
}

#[test]
fn merged_shards_keep_findings_and_an_unmatched_shard_unmatches_the_night() {
    let dir = tempfile::tempdir().unwrap();
    let a = shard(dir.path(), "a", "pkg:npm/a@1.0.0", true);
    let b = shard(dir.path(), "b", "pkg:npm/b@1.0.0", true);
    let c = shard(dir.path(), "c", "pkg:npm/c@1.0.0", false);
    let mut both = Store::open(&dir.path().join("both.db")).unwrap();
    crate::merge::merge_into(&mut both, &a).unwrap();
    crate::merge::merge_into(&mut both, &b).unwrap();
    let run = both.latest_run().unwrap();
    assert_eq!(both.advisories_of_run(run).unwrap().as_deref(), Some("db"));
    let rows = query::vulns(&both, run, None, None).unwrap().rows;
    let repos: Vec<String> = rows.iter().map(|r| text(&r[7])).collect();
    assert_eq!(repos, ["org/a", "org/b"]);
    // Whichever order: a night with one unmatched shard is not matched.
    for order in [[&a, &c], [&c, &a]] {
        let target = dir.path().join(format!("mixed-{}.db", order[0] == &c));
        let mut mixed = Store::open(&target).unwrap();
        for s in order {
            crate::merge::merge_into(&mut mixed, s).unwrap();
        }
        let run = mixed.latest_run().unwrap();
        assert_eq!(mixed.advisories_of_run(run).unwrap(), None, "{order:?}");
    }
}
