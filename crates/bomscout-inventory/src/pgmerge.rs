//! `inventory merge SHARD.db... --db postgres://...`: folding SQLite shard files into a
//! PostgreSQL database (a migration from files to the server, or shards made where the
//! server could not be reached). The result is what [`crate::merge::merge_into`] makes in a
//! SQLite target: runs matched by label (one `merged` run per label), repositories by path,
//! components by purl, BOMs, verdict sets and advisories by digest. SQLite's `ATTACH` has no
//! PostgreSQL counterpart, so rows are read from the shard and written through [`Db`], one
//! transaction per shard.

use crate::db::{vals, Db, Insert, Row, Value};
use crate::store::{BOM_COMPONENTS, DIAGNOSTICS, VERDICTS};
use crate::{Error, Store};
use std::collections::HashMap;
use std::path::Path;

/// Folds the SQLite database at `shard` into the PostgreSQL `target`.
pub(crate) fn merge_into_postgres(target: &mut Store, shard: &Path) -> Result<(), Error> {
    let from = Store::open(shard)?;
    let (src, dst) = (from.db(), target.db());
    dst.transaction(|tx| fold(src, tx))
}

/// Shard id → target id, for one table.
type Ids = HashMap<i64, i64>;

fn fold(src: &Db, tx: &Db) -> Result<(), Error> {
    let components = intern_all(
        src,
        tx,
        "SELECT id, purl, ecosystem, name, version FROM components",
        "INSERT INTO components (purl, ecosystem, name, version) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (purl) DO NOTHING",
        "SELECT id FROM components WHERE purl = ?1",
    )?;
    let repos = upsert_repositories(src, tx)?;
    let (boms, new_boms) = intern_new(
        src,
        tx,
        "SELECT id, digest, cyclonedx FROM boms",
        "INSERT INTO boms (digest, cyclonedx) VALUES (?1, ?2)
         ON CONFLICT (digest) DO NOTHING RETURNING id",
        "SELECT id FROM boms WHERE digest = ?1",
    )?;
    let mut rows = Vec::new();
    for r in src.query(
        "SELECT bom_id, component_id, scope, license, spdx, category, location,
                scorecard, repository, archived, latest_release, supplier
         FROM bom_components",
        &[],
    )? {
        let bom: i64 = r.get(0)?;
        if !new_boms.contains(&bom) {
            continue;
        }
        let mut p = remap(&r, &[(0, &boms), (1, &components)])?;
        p.truncate(12);
        rows.extend(p);
    }
    tx.insert_rows(&BOM_COMPONENTS, &rows)?;
    let (sets, new_sets) = intern_new(
        src,
        tx,
        "SELECT id, digest FROM verdict_sets",
        "INSERT INTO verdict_sets (digest) VALUES (?1)
         ON CONFLICT (digest) DO NOTHING RETURNING id",
        "SELECT id FROM verdict_sets WHERE digest = ?1",
    )?;
    let mut rows = Vec::new();
    for r in src.query(
        "SELECT set_id, component_id, action, license, rule, reason FROM verdicts",
        &[],
    )? {
        if !new_sets.contains(&r.get::<i64>(0)?) {
            continue;
        }
        rows.extend(remap(&r, &[(0, &sets), (1, &components)])?);
    }
    tx.insert_rows(&VERDICTS, &rows)?;
    let (advisories, new_advisories) = intern_new(
        src,
        tx,
        "SELECT id, digest, vuln_id, aliases, severity, score, summary FROM advisories",
        "INSERT INTO advisories (digest, vuln_id, aliases, severity, score, summary)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (digest) DO NOTHING RETURNING id",
        "SELECT id FROM advisories WHERE digest = ?1",
    )?;
    for r in src.query("SELECT alias, advisory_id FROM advisory_ids", &[])? {
        if !new_advisories.contains(&r.get::<i64>(1)?) {
            continue;
        }
        tx.execute(
            "INSERT INTO advisory_ids (alias, advisory_id) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
            &remap(&r, &[(1, &advisories)])?,
        )?;
    }
    let mut runs = Ids::new();
    for r in src.query(
        "SELECT id, label, started_at, finished_at, tool_version, policy, advisories
         FROM runs ORDER BY id",
        &[],
    )? {
        let shard_run: i64 = r.get(0)?;
        let (label, started, finished): (String, i64, Option<i64>) =
            (r.get(1)?, r.get(2)?, r.get(3)?);
        let (tool, policy, matched): (String, Option<String>, Option<String>) =
            (r.get(4)?, r.get(5)?, r.get(6)?);
        let existing = tx.query_opt(
            "SELECT id, finished_at FROM runs WHERE label = ?1 AND shard = 'merged' FOR UPDATE",
            &vals![&label],
        )?;
        let run = match existing {
            Some(row) => {
                let (id, was): (i64, Option<i64>) = (row.get(0)?, row.get(1)?);
                let finished = match (was, finished) {
                    (Some(a), Some(b)) => Some(a.max(b)),
                    _ => None,
                };
                tx.execute(
                    "UPDATE runs SET started_at = LEAST(started_at, ?2), finished_at = ?3,
                         advisories = CASE WHEN CAST(?4 AS TEXT) IS NULL THEN NULL
                                           ELSE advisories END
                     WHERE id = ?1",
                    &vals![id, started, finished, matched],
                )?;
                id
            }
            None => tx
                .query_one(
                    "INSERT INTO runs (label, started_at, finished_at, tool_version, policy,
                         shard, advisories)
                     VALUES (?1, ?2, ?3, ?4, ?5, 'merged', ?6) RETURNING id",
                    &vals![&label, started, finished, tool, policy, matched],
                )?
                .get(0)?,
        };
        runs.insert(shard_run, run);
        copy_scans(src, tx, shard_run, run, &repos, &boms, &sets)?;
        copy_removed(src, tx, shard_run, run, &repos, &runs)?;
        let mut rows = Vec::new();
        for f in src.query(
            "SELECT ?1, advisory_id, component_id, fixed, suppressed FROM findings
             WHERE run_id = ?2",
            &vals![run, shard_run],
        )? {
            rows.extend(remap(&f, &[(1, &advisories), (2, &components)])?);
        }
        tx.insert_rows(&FINDINGS, &rows)?;
    }
    // The shard's keys are unique and the maps one-to-one: no two rows of one statement
    // meet the same target row (which DO UPDATE would refuse).
    let mut rows = Vec::new();
    for r in src.query(
        "SELECT repo_id, component_id, action, first_run_id, first_seen
         FROM violation_first_seen",
        &[],
    )? {
        rows.extend(remap(&r, &[(0, &repos), (1, &components), (3, &runs)])?);
    }
    tx.insert_rows(&FIRST_SEEN, &rows)?;
    Ok(())
}

/// The member rows copied from a shard go in one statement per [`crate::db::BULK_ROWS`]
/// rows, into the tables as [`crate::store`] writes them (`BOM_COMPONENTS`, `VERDICTS`,
/// `DIAGNOSTICS` are its own), except for these two.
const FINDINGS: Insert = Insert {
    table: "findings",
    columns: &[
        ("run_id", "bigint"),
        ("advisory_id", "bigint"),
        ("component_id", "bigint"),
        ("fixed", "text"),
        ("suppressed", "text"),
    ],
    tail: "ON CONFLICT DO NOTHING",
};
/// The store's first-seen rows, but a violation another shard saw first keeps the earlier
/// run and time.
const FIRST_SEEN: Insert = Insert {
    tail: "ON CONFLICT (repo_id, component_id, action) DO UPDATE SET
               first_run_id = CASE WHEN excluded.first_seen < violation_first_seen.first_seen
                                   THEN excluded.first_run_id
                                   ELSE violation_first_seen.first_run_id END,
               first_seen = LEAST(violation_first_seen.first_seen, excluded.first_seen)",
    ..crate::store::FIRST_SEEN
};

/// `row`'s values with the id columns given replaced through their maps; an id the shard
/// does not define is an error (a damaged shard).
fn remap(row: &Row, maps: &[(usize, &Ids)]) -> Result<Vec<Value>, Error> {
    let mut values = row.values().to_vec();
    for (col, ids) in maps {
        if let Some(Value::Int(id)) = values.get(*col) {
            let mapped = ids.get(id).copied().ok_or_else(|| {
                Error::Query(format!(
                    "the shard refers to row {id} that it does not hold (column {col}); the \
                     shard file is damaged"
                ))
            })?;
            values[*col] = Value::Int(mapped);
        }
    }
    Ok(values)
}

/// Interns every row of `select` (id first, then the insert's parameters, key first).
fn intern_all(src: &Db, tx: &Db, select: &str, insert: &str, find: &str) -> Result<Ids, Error> {
    let mut ids = Ids::new();
    for r in src.query(select, &[])? {
        let values = r.values();
        let id: i64 = r.get(0)?;
        tx.execute(insert, &values[1..])?;
        ids.insert(id, tx.query_one(find, &values[1..2])?.get(0)?);
    }
    Ok(ids)
}

/// As [`intern_all`], also returning the shard ids whose rows were new in the target (their
/// member rows are copied; an existing one has them already).
fn intern_new(
    src: &Db,
    tx: &Db,
    select: &str,
    insert: &str,
    find: &str,
) -> Result<(Ids, std::collections::HashSet<i64>), Error> {
    let mut ids = Ids::new();
    let mut new = std::collections::HashSet::new();
    for r in src.query(select, &[])? {
        let values = r.values();
        let id: i64 = r.get(0)?;
        let target = match tx.query_opt(insert, &values[1..])? {
            Some(row) => {
                new.insert(id);
                row.get(0)?
            }
            None => tx.query_one(find, &values[1..2])?.get(0)?,
        };
        ids.insert(id, target);
    }
    Ok((ids, new))
}

fn upsert_repositories(src: &Db, tx: &Db) -> Result<Ids, Error> {
    let mut ids = Ids::new();
    for r in src.query("SELECT id, name, path FROM repositories", &[])? {
        let id: i64 = r.get(0)?;
        let target = tx
            .query_one(
                "INSERT INTO repositories (name, path) VALUES (?1, ?2)
                 ON CONFLICT (path) DO UPDATE SET name = excluded.name RETURNING id",
                &r.values()[1..],
            )?
            .get(0)?;
        ids.insert(id, target);
    }
    Ok(ids)
}

/// Copies the shard run's scans and diagnostics into `run`, replacing a repository already
/// recorded there (a shard merged twice).
fn copy_scans(
    src: &Db,
    tx: &Db,
    shard_run: i64,
    run: i64,
    repos: &Ids,
    boms: &Ids,
    sets: &Ids,
) -> Result<(), Error> {
    for s in src.query(
        "SELECT id, repo_id, scanned_at, commit_sha, branch, ok, error, bom_id, verdict_set_id,
                duration_ms, components, with_license, with_spdx, projects, manifests_unlocked,
                allow, review, deny, expired_exceptions, ntia_checked, ntia_missing, errors,
                warnings, status, tree_digest, scan_key
         FROM scans WHERE run_id = ?1",
        &vals![shard_run],
    )? {
        let shard_scan: i64 = s.get(0)?;
        let mut values = remap(&s, &[(1, repos), (7, boms), (8, sets)])?;
        let repo = values[1].clone();
        tx.execute(
            "DELETE FROM diagnostics WHERE scan_id IN
               (SELECT id FROM scans WHERE run_id = ?1 AND repo_id = ?2)",
            &[Value::Int(run), repo.clone()],
        )?;
        tx.execute(
            "DELETE FROM scans WHERE run_id = ?1 AND repo_id = ?2",
            &[Value::Int(run), repo],
        )?;
        values[0] = Value::Int(run);
        let scan: i64 = tx
            .query_one(
                "INSERT INTO scans (run_id, repo_id, scanned_at, commit_sha, branch, ok, error,
                    bom_id, verdict_set_id, duration_ms, components, with_license, with_spdx,
                    projects, manifests_unlocked, allow, review, deny, expired_exceptions,
                    ntia_checked, ntia_missing, errors, warnings, status, tree_digest,
                    scan_key)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,
                         ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26)
                 RETURNING id",
                &values,
            )?
            .get(0)?;
        let mut rows = Vec::new();
        for d in src.query(
            "SELECT ?1, severity, path, line, message FROM diagnostics WHERE scan_id = ?2",
            &vals![scan, shard_scan],
        )? {
            rows.extend(d.values().iter().cloned());
        }
        tx.insert_rows(&DIAGNOSTICS, &rows)?;
    }
    Ok(())
}

/// Copies the repositories the shard's run recorded as removed into `run`, as
/// [`crate::incremental::merge_removed`] does between SQLite files: the run that last
/// recorded one is mapped to its merged run (the shard's runs are folded oldest first;
/// one not folded maps to `run`), and a repository that another shard of the same night
/// recorded is not removed.
fn copy_removed(
    src: &Db,
    tx: &Db,
    shard_run: i64,
    run: i64,
    repos: &Ids,
    runs: &Ids,
) -> Result<(), Error> {
    for r in src.query(
        "SELECT repo_id, last_run_id FROM removed_repositories WHERE run_id = ?1",
        &vals![shard_run],
    )? {
        let values = remap(&r, &[(0, repos)])?;
        let last: i64 = r.get(1)?;
        let last = runs.get(&last).copied().unwrap_or(run);
        tx.execute(
            "INSERT INTO removed_repositories (run_id, repo_id, last_run_id)
             SELECT CAST(?1 AS BIGINT), CAST(?2 AS BIGINT), CAST(?3 AS BIGINT)
             WHERE NOT EXISTS (SELECT 1 FROM scans WHERE run_id = ?1 AND repo_id = ?2)
             ON CONFLICT (run_id, repo_id) DO UPDATE SET last_run_id = excluded.last_run_id",
            &[Value::Int(run), values[0].clone(), Value::Int(last)],
        )?;
    }
    tx.execute(
        "DELETE FROM removed_repositories WHERE run_id = ?1
           AND repo_id IN (SELECT repo_id FROM scans WHERE run_id = ?1)",
        &vals![run],
    )?;
    Ok(())
}
