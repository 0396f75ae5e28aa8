//! `bomscout inventory merge`: folding shard databases into one.
//!
//! Runs are matched by label (shards of one night share it), repositories by path,
//! components by purl, stored BOMs and verdict sets by digest; ids are remapped. The
//! result is the database one unsharded run would have written. Each shard is folded in
//! one transaction, so an interrupted merge leaves the target as it was before that shard.

use crate::{Error, Store};
use rusqlite::{params, OptionalExtension};
use std::path::Path;

/// Folds the database at `shard` into `target`.
pub fn merge_into(target: &mut Store, shard: &Path) -> Result<(), Error> {
    // Opening it first checks it is an inventory, and migrates an older one.
    drop(Store::open(shard)?);
    let Some(conn) = target.sqlite_mut() else {
        return crate::pgmerge::merge_into_postgres(target, shard);
    };
    conn.execute(
        "ATTACH DATABASE ?1 AS shard",
        [shard.to_string_lossy().as_ref()],
    )?;
    let result = fold(conn);
    conn.execute("DETACH DATABASE shard", [])?;
    result
}

/// A shard's run: id, label, started, finished, tool version, policy, advisories.
type ShardRun = (
    i64,
    String,
    i64,
    Option<i64>,
    String,
    Option<String>,
    Option<String>,
);

fn fold(conn: &mut rusqlite::Connection) -> Result<(), Error> {
    let tx = conn.transaction()?;
    tx.execute_batch(
        "INSERT OR IGNORE INTO main.components (purl, ecosystem, name, version)
           SELECT purl, ecosystem, name, version FROM shard.components;
         INSERT INTO main.repositories (name, path)
           SELECT name, path FROM shard.repositories WHERE true
           ON CONFLICT(path) DO NOTHING;
         INSERT OR IGNORE INTO main.boms (digest, cyclonedx)
           SELECT digest, cyclonedx FROM shard.boms;
         INSERT OR IGNORE INTO main.bom_components
             (bom_id, component_id, scope, license, spdx, category, location,
              scorecard, repository, archived, latest_release, supplier)
           SELECT mb.id, mc.id, bc.scope, bc.license, bc.spdx, bc.category, bc.location,
             bc.scorecard, bc.repository, bc.archived, bc.latest_release, bc.supplier
           FROM shard.bom_components bc
           JOIN shard.boms sb ON sb.id = bc.bom_id
           JOIN main.boms mb ON mb.digest = sb.digest
           JOIN shard.components sc ON sc.id = bc.component_id
           JOIN main.components mc ON mc.purl = sc.purl;
         INSERT OR IGNORE INTO main.verdict_sets (digest)
           SELECT digest FROM shard.verdict_sets;
         INSERT OR IGNORE INTO main.verdicts
           SELECT mv.id, mc.id, v.action, v.license, v.rule, v.reason
           FROM shard.verdicts v
           JOIN shard.verdict_sets sv ON sv.id = v.set_id
           JOIN main.verdict_sets mv ON mv.digest = sv.digest
           JOIN shard.components sc ON sc.id = v.component_id
           JOIN main.components mc ON mc.purl = sc.purl;
         INSERT OR IGNORE INTO main.advisories (digest, vuln_id, aliases, severity, score, summary)
           SELECT digest, vuln_id, aliases, severity, score, summary FROM shard.advisories;
         INSERT OR IGNORE INTO main.advisory_ids
           SELECT i.alias, ma.id FROM shard.advisory_ids i
           JOIN shard.advisories sa ON sa.id = i.advisory_id
           JOIN main.advisories ma ON ma.digest = sa.digest;",
    )?;
    let runs: Vec<ShardRun> = {
        let mut stmt = tx.prepare(
            "SELECT id, label, started_at, finished_at, tool_version, policy, advisories
             FROM shard.runs",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
            ))
        })?;
        rows.collect::<Result<_, _>>()?
    };
    for (shard_run, label, started, finished, tool, policy, advisories) in runs {
        let (run, created) = target_run(&tx, &label, started, finished, &tool, policy.as_deref())?;
        copy_scans(&tx, shard_run, run)?;
        crate::incremental::merge_removed(&tx, shard_run, run)?;
        copy_findings(&tx, shard_run, run, created, advisories.as_deref())?;
    }
    tx.execute_batch(
        "INSERT INTO main.violation_first_seen
           SELECT mr.id, mc.id, f.action, mru.id, f.first_seen
           FROM shard.violation_first_seen f
           JOIN shard.repositories sr ON sr.id = f.repo_id
           JOIN main.repositories mr ON mr.path = sr.path
           JOIN shard.components sc ON sc.id = f.component_id
           JOIN main.components mc ON mc.purl = sc.purl
           JOIN shard.runs sru ON sru.id = f.first_run_id
           JOIN main.runs mru ON mru.label = sru.label AND mru.shard IS 'merged'
           WHERE true
           ON CONFLICT(repo_id, component_id, action) DO UPDATE SET
             first_run_id = CASE WHEN excluded.first_seen < first_seen
                                 THEN excluded.first_run_id ELSE first_run_id END,
             first_seen = min(first_seen, excluded.first_seen);",
    )?;
    tx.commit()?;
    Ok(())
}

/// The target's run for `label`, created on first sight. It is finished when every
/// shard folded into it finished: one interrupted shard marks the night incomplete.
fn target_run(
    tx: &rusqlite::Transaction,
    label: &str,
    started: i64,
    finished: Option<i64>,
    tool: &str,
    policy: Option<&str>,
) -> Result<(i64, bool), Error> {
    let existing: Option<(i64, Option<i64>)> = tx
        .query_row(
            "SELECT id, finished_at FROM main.runs WHERE label = ?1 AND shard IS 'merged'",
            [label],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    match existing {
        Some((id, was_finished)) => {
            let finished = match (was_finished, finished) {
                (Some(a), Some(b)) => Some(a.max(b)),
                _ => None,
            };
            tx.execute(
                "UPDATE main.runs SET started_at = min(started_at, ?2), finished_at = ?3
                 WHERE id = ?1",
                params![id, started, finished],
            )?;
            Ok((id, false))
        }
        None => {
            tx.execute(
                "INSERT INTO main.runs (label, started_at, finished_at, tool_version, policy, shard)
                 VALUES (?1, ?2, ?3, ?4, ?5, 'merged')",
                params![label, started, finished, tool, policy],
            )?;
            Ok((tx.last_insert_rowid(), true))
        }
    }
}

/// Copies the shard run's findings into `run`. The merged run counts as matched against
/// advisories only if every shard folded into it was: one unmatched shard must not read as
/// "no vulnerabilities" for its repositories.
fn copy_findings(
    tx: &rusqlite::Transaction,
    shard_run: i64,
    run: i64,
    created: bool,
    advisories: Option<&str>,
) -> Result<(), Error> {
    tx.execute(
        "INSERT OR IGNORE INTO main.findings
           SELECT ?2, ma.id, mc.id, f.fixed, f.suppressed
           FROM shard.findings f
           JOIN shard.advisories sa ON sa.id = f.advisory_id
           JOIN main.advisories ma ON ma.digest = sa.digest
           JOIN shard.components sc ON sc.id = f.component_id
           JOIN main.components mc ON mc.purl = sc.purl
           WHERE f.run_id = ?1",
        params![shard_run, run],
    )?;
    let sql = if created {
        "UPDATE main.runs SET advisories = ?2 WHERE id = ?1"
    } else {
        "UPDATE main.runs SET advisories = CASE WHEN ?2 IS NULL THEN NULL ELSE advisories END
         WHERE id = ?1"
    };
    tx.execute(sql, params![run, advisories])?;
    Ok(())
}

/// Copies the shard run's scans (and their diagnostics) into `run`, replacing a
/// repository already recorded there (a shard merged twice, or retried).
fn copy_scans(tx: &rusqlite::Transaction, shard_run: i64, run: i64) -> Result<(), Error> {
    let scans: Vec<(i64, String)> = {
        let mut stmt = tx.prepare(
            "SELECT s.id, r.path FROM shard.scans s JOIN shard.repositories r ON r.id = s.repo_id
             WHERE s.run_id = ?1",
        )?;
        let rows = stmt.query_map([shard_run], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect::<Result<_, _>>()?
    };
    for (shard_scan, path) in scans {
        let repo: i64 = tx.query_row(
            "SELECT id FROM main.repositories WHERE path = ?1",
            [&path],
            |r| r.get(0),
        )?;
        tx.execute(
            "DELETE FROM main.diagnostics WHERE scan_id IN
               (SELECT id FROM main.scans WHERE run_id = ?1 AND repo_id = ?2)",
            params![run, repo],
        )?;
        tx.execute(
            "DELETE FROM main.scans WHERE run_id = ?1 AND repo_id = ?2",
            params![run, repo],
        )?;
        tx.execute(
            "INSERT INTO main.scans (run_id, repo_id, scanned_at, commit_sha, branch, ok, error,
                bom_id, verdict_set_id, duration_ms, components, with_license, with_spdx,
                projects, manifests_unlocked, allow, review, deny, expired_exceptions,
                ntia_checked, ntia_missing, errors, warnings, status, tree_digest, scan_key)
             SELECT ?1, ?2, s.scanned_at, s.commit_sha, s.branch, s.ok, s.error,
                (SELECT mb.id FROM main.boms mb JOIN shard.boms sb ON sb.digest = mb.digest
                 WHERE sb.id = s.bom_id),
                (SELECT mv.id FROM main.verdict_sets mv
                 JOIN shard.verdict_sets sv ON sv.digest = mv.digest WHERE sv.id = s.verdict_set_id),
                s.duration_ms, s.components, s.with_license, s.with_spdx, s.projects,
                s.manifests_unlocked, s.allow, s.review, s.deny, s.expired_exceptions,
                s.ntia_checked, s.ntia_missing, s.errors, s.warnings, s.status, s.tree_digest,
                s.scan_key
             FROM shard.scans s WHERE s.id = ?3",
            params![run, repo, shard_scan],
        )?;
        let scan = tx.last_insert_rowid();
        tx.execute(
            "INSERT INTO main.diagnostics (scan_id, severity, path, line, message)
             SELECT ?1, severity, path, line, message FROM shard.diagnostics WHERE scan_id = ?2",
            params![scan, shard_scan],
        )?;
    }
    Ok(())
}
