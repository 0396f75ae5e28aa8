//! Incremental runs: a night costs what changed, not what exists.
//!
//! A repository whose checked-out commit is the one of its last recorded scan (for a
//! folder without git, whose catalogued files hash to the same [`tree_digest`]), scanned
//! with the same tool version and settings (the *scan key*), is not scanned again: the run
//! records a scan that points at the stored BOM (no copy of it: BOMs are content-addressed),
//! with the counts and diagnostics of the scan it reuses, and the status `reused`. Policy
//! verdicts are recorded from a fresh evaluation of the stored SBOM (the caller's), and a
//! run's advisory matching reads the run's BOMs, so reused repositories get today's
//! verdicts and findings.
//!
//! A repository that an earlier run recorded and this run did not find (within this run's
//! roots and shard) is recorded as removed ([`Store::record_removed`]).
//!
//! The SQL of incremental runs is kept here, apart from the store's.

use crate::db::{vals, Db};
use crate::git::Head;
use crate::render::Table;
use crate::repos::Repo;
use crate::store::{self, RepoScan, RunId, Store};
use crate::Error;
use bomscout_policy::Evaluation;
use rusqlite::params;
use serde_json::json;
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};
use std::path::Path;

/// A scan made by reading the repository.
pub const SCANNED: &str = "scanned";
/// A scan that reuses the stored one of an unchanged repository.
pub const REUSED: &str = "reused";
/// A repository recorded before and not found by this run.
pub const REMOVED: &str = "removed";

/// What the next run compares a scan with: how it was made and, without a commit, what
/// the repository's catalogued files were.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScanState {
    /// For a repository without a resolvable commit: [`tree_digest`] of its files.
    pub tree_digest: Option<String>,
    /// The tool version and the settings that shape a scan, as one digest ([`scan_key`]).
    pub scan_key: String,
}

/// A repository's last recorded scan, as reuse compares with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Previous {
    /// The scan's id.
    pub scan_id: i64,
    /// The run it is part of.
    pub run_id: i64,
    /// Whether it succeeded (a failed scan is never reused).
    pub ok: bool,
    /// The commit it was made at.
    pub commit: Option<String>,
    /// Without a commit: the digest of the catalogued files.
    pub tree_digest: Option<String>,
    /// Its scan key; `None` for scans recorded before incremental runs existed.
    pub scan_key: Option<String>,
    /// Its stored BOM.
    pub bom_id: Option<i64>,
}

impl Previous {
    /// True if a repository now at `commit` (or, without one, whose files hash to `tree`),
    /// scanned under `key`, would give this scan again.
    pub fn reusable(&self, commit: Option<&str>, tree: Option<&str>, key: &str) -> bool {
        if !self.ok || self.bom_id.is_none() || self.scan_key.as_deref() != Some(key) {
            return false;
        }
        match commit {
            Some(c) => self.commit.as_deref() == Some(c),
            None => self.commit.is_none() && tree.is_some() && self.tree_digest.as_deref() == tree,
        }
    }
}

/// An unchanged repository, to be recorded in a run with its previous scan's results.
pub struct Reused {
    /// The repository.
    pub repo: Repo,
    /// Its checked-out commit and branch now.
    pub head: Head,
    /// The scan it reuses.
    pub from: Previous,
    /// When the run looked at it (Unix seconds).
    pub scanned_at: i64,
    /// How long deciding (and re-evaluating) took.
    pub duration_ms: u64,
    /// The policy's verdicts on the stored SBOM, when a policy was given.
    pub evaluation: Option<Evaluation>,
    /// What the next run compares with.
    pub state: ScanState,
}

/// How many repositories of a run were scanned, reused and removed, and how many scans
/// failed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunCounts {
    /// Read and catalogued.
    pub scanned: i64,
    /// Unchanged: the stored scan reused.
    pub reused: i64,
    /// Recorded before, gone now.
    pub removed: i64,
    /// Scans that failed (counted in `scanned`).
    pub failed: i64,
}

impl std::fmt::Display for RunCounts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} scanned, {} reused, {} removed",
            self.scanned, self.reused, self.removed
        )
    }
}

/// The scan key: `tool_version` and every setting that changes what a scan finds, as a
/// digest. A scan is reused only under the same key, so a new bomscout, another
/// `--exclude` or enrichment turned on scans every repository again.
pub fn scan_key(tool_version: &str, settings: &[(&str, String)]) -> String {
    let mut h = Sha256::new();
    // Each part length-prefixed: no value can pass for a boundary.
    for part in
        std::iter::once(tool_version).chain(settings.iter().flat_map(|(n, v)| [*n, v.as_str()]))
    {
        h.update((part.len() as u64).to_le_bytes());
        h.update(part.as_bytes());
    }
    format!("{:x}", h.finalize())
}

/// The digest of what a scan of `root` would catalog: the walk's detected files (the same
/// walk, with the same `excludes`, as a scan's), each file's relative path and bytes, and
/// the walk's diagnostics. Files are read (at most `limit` bytes each), never parsed: this
/// costs a walk and a read, a fraction of a scan. A file that cannot be read counts by its
/// error, so it becoming readable changes the digest.
///
/// Files a cataloger reads beside the detected ones (a package's license text) are not
/// part of it: a change to those alone is seen by a `--full` run.
pub fn tree_digest(root: &Path, excludes: &[String], limit: u64) -> Result<String, Error> {
    let options = bomscout_walk::WalkOptions {
        follow_links: false,
        excludes: excludes.to_vec(),
        threads: 1,
    };
    let walked = bomscout_walk::walk(&[root.to_path_buf()], &options, &bomscout_core::Silent)
        .map_err(|e| Error::Query(e.to_string()))?;
    let mut h = Sha256::new();
    for file in &walked.files {
        h.update((file.rel.len() as u64).to_le_bytes());
        h.update(file.rel.as_bytes());
        match bomscout_walk::read_regular(&file.abs, limit) {
            Ok(bytes) => {
                h.update((bytes.len() as u64).to_le_bytes());
                h.update(&bytes);
            }
            Err(e) => {
                let e = e.to_string();
                h.update(u64::MAX.to_le_bytes());
                h.update((e.len() as u64).to_le_bytes());
                h.update(e.as_bytes());
            }
        }
    }
    // After every file, marked: a diagnostic cannot pass for a file.
    h.update(u64::MAX.to_le_bytes());
    for d in &walked.diagnostics {
        for part in [&d.path, &d.message] {
            h.update((part.len() as u64).to_le_bytes());
            h.update(part.as_bytes());
        }
    }
    Ok(format!("{:x}", h.finalize()))
}

/// Deletes `repo_id`'s scan in `run`, if any (re-recording a repository replaces it).
fn forget_scan(tx: &Db, run: RunId, repo_id: i64) -> Result<(), Error> {
    tx.execute(
        "DELETE FROM diagnostics WHERE scan_id IN
           (SELECT id FROM scans WHERE run_id = ?1 AND repo_id = ?2)",
        &vals![run, repo_id],
    )?;
    tx.execute(
        "DELETE FROM scans WHERE run_id = ?1 AND repo_id = ?2",
        &vals![run, repo_id],
    )?;
    Ok(())
}

impl Store {
    /// Each repository's last recorded scan outside `run` (the newest by run id), keyed by
    /// the repository's path: what `run` may reuse.
    pub fn previous_scans(&self, run: RunId) -> Result<HashMap<String, Previous>, Error> {
        let rows = self.db().query(
            "SELECT r.path, s.id, s.run_id, s.ok, s.commit_sha, s.tree_digest, s.scan_key,
                    s.bom_id
             FROM repositories r
             JOIN scans s ON s.id = (SELECT p.id FROM scans p
                                     WHERE p.repo_id = r.id AND p.run_id <> ?1
                                     ORDER BY p.run_id DESC LIMIT 1)",
            &vals![run],
        )?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.get::<String>(0)?,
                    Previous {
                        scan_id: r.get(1)?,
                        run_id: r.get(2)?,
                        ok: r.get(3)?,
                        commit: r.get(4)?,
                        tree_digest: r.get(5)?,
                        scan_key: r.get(6)?,
                        bom_id: r.get(7)?,
                    },
                ))
            })
            .collect()
    }

    /// The stored CycloneDX JSON of BOM `bom_id`, decompressed.
    pub fn stored_bom(&self, bom_id: i64) -> Result<Vec<u8>, Error> {
        let blob: Vec<u8> = self
            .db()
            .query_opt("SELECT cyclonedx FROM boms WHERE id = ?1", &vals![bom_id])?
            .ok_or_else(|| Error::Query(format!("there is no stored BOM {bom_id}")))?
            .get(0)?;
        store::decompress(&blob)
            .map_err(|e| Error::Query(format!("the stored BOM {bom_id} is damaged: {e}")))
    }

    /// Records a scan made by reading the repository, with what the next run compares
    /// with: [`Store::record`] and its [`ScanState`], in one transaction.
    pub fn record_scanned(
        &mut self,
        run: RunId,
        scan: &RepoScan,
        state: &ScanState,
    ) -> Result<(), Error> {
        self.transaction_retried(|tx| {
            store::record_in(tx, run, scan)?;
            tx.execute(
                "UPDATE scans SET status = 'scanned', tree_digest = ?3, scan_key = ?4
                 WHERE run_id = ?1 AND repo_id = (SELECT id FROM repositories WHERE path = ?2)",
                &vals![run, &scan.repo.path, &state.tree_digest, &state.scan_key],
            )?;
            Ok(())
        })
    }

    /// Records an unchanged repository in `run`: a scan pointing at the BOM of the scan it
    /// reuses, with that scan's counts and diagnostics, today's policy verdicts, and the
    /// status `reused`. All of it or nothing (one transaction); a repository already
    /// recorded in `run` (a retried shard) is replaced.
    pub fn record_reused(&mut self, run: RunId, reused: &Reused) -> Result<(), Error> {
        let verdicts = reused.evaluation.as_ref().map(store::verdicts_of);
        let tally = reused.evaluation.as_ref().map(store::tally);
        self.transaction_retried(|tx| {
            let repo_id = store::repository_id(tx, &reused.repo)?;
            forget_scan(tx, run, repo_id)?;
            let set_id = match &verdicts {
                Some(v) => Some(store::store_verdicts(tx, v)?),
                None => None,
            };
            // Parameters in the select list are cast: PostgreSQL cannot infer their types
            // from the target columns of an INSERT ... SELECT.
            let scan_id: i64 = tx
                .query_opt(
                    "INSERT INTO scans (run_id, repo_id, scanned_at, commit_sha, branch, ok,
                        error, bom_id, verdict_set_id, duration_ms, components, with_license,
                        with_spdx, projects, manifests_unlocked, allow, review, deny,
                        expired_exceptions, ntia_checked, ntia_missing, errors, warnings,
                        status, tree_digest, scan_key)
                     SELECT CAST(?1 AS BIGINT), CAST(?2 AS BIGINT), CAST(?3 AS BIGINT),
                        CAST(?4 AS TEXT), CAST(?5 AS TEXT), ok, error, bom_id,
                        CAST(?6 AS BIGINT), CAST(?7 AS BIGINT), components, with_license,
                        with_spdx, projects, manifests_unlocked, CAST(?8 AS BIGINT),
                        CAST(?9 AS BIGINT), CAST(?10 AS BIGINT), CAST(?11 AS BIGINT),
                        ntia_checked, ntia_missing, errors, warnings, 'reused',
                        CAST(?12 AS TEXT), CAST(?13 AS TEXT)
                     FROM scans WHERE id = ?14
                     RETURNING id",
                    &vals![
                        run,
                        repo_id,
                        reused.scanned_at,
                        &reused.head.commit,
                        &reused.head.branch,
                        set_id,
                        reused.duration_ms as i64,
                        tally.map(|t| t.0),
                        tally.map(|t| t.1),
                        tally.map(|t| t.2),
                        tally.map(|t| t.3),
                        &reused.state.tree_digest,
                        &reused.state.scan_key,
                        reused.from.scan_id,
                    ],
                )?
                .ok_or_else(|| {
                    Error::Query(format!(
                        "the scan {} that {} was to reuse is no longer in the database; run \
                         with --full",
                        reused.from.scan_id,
                        bomscout_core::escape::printable(&reused.repo.path)
                    ))
                })?
                .get(0)?;
            tx.execute(
                "INSERT INTO diagnostics (scan_id, severity, path, line, message)
                 SELECT CAST(?1 AS BIGINT), severity, path, line, message FROM diagnostics
                 WHERE scan_id = ?2",
                &vals![scan_id, reused.from.scan_id],
            )?;
            if let Some(v) = &verdicts {
                store::note_first_seen(tx, run, repo_id, reused.scanned_at, v)?;
            }
            Ok(())
        })
    }

    /// Records as removed in `run` every repository that an earlier run recorded last
    /// (scanned, reused or failed, and not removed since), that `in_scope` says this run
    /// would have found (its roots, its shard), and that is not in `present`. Returns their
    /// paths, sorted. One transaction.
    pub fn record_removed(
        &mut self,
        run: RunId,
        present: &HashSet<&str>,
        in_scope: &dyn Fn(&str) -> bool,
    ) -> Result<Vec<String>, Error> {
        self.transaction_retried(|tx| {
            let known = tx.query(
                "SELECT r.id, r.path,
                    (SELECT max(s.run_id) FROM scans s WHERE s.repo_id = r.id AND s.run_id <> ?1),
                    (SELECT max(x.run_id) FROM removed_repositories x
                     WHERE x.repo_id = r.id AND x.run_id <> ?1)
                 FROM repositories r ORDER BY r.path",
                &vals![run],
            )?;
            let mut removed = Vec::new();
            for row in &known {
                let (repo_id, path): (i64, String) = (row.get(0)?, row.get(1)?);
                let (last_seen, last_removed): (Option<i64>, Option<i64>) =
                    (row.get(2)?, row.get(3)?);
                let Some(last_seen) = last_seen else { continue };
                if last_removed.is_some_and(|r| r > last_seen)
                    || present.contains(path.as_str())
                    || !in_scope(&path)
                {
                    continue;
                }
                tx.execute(
                    "INSERT INTO removed_repositories (run_id, repo_id, last_run_id)
                     VALUES (?1, ?2, ?3)
                     ON CONFLICT (run_id, repo_id) DO UPDATE SET last_run_id = excluded.last_run_id",
                    &vals![run, repo_id, last_seen],
                )?;
                removed.push(path);
            }
            Ok(removed)
        })
    }

    /// How many repositories `run` scanned, reused and recorded removed.
    pub fn run_counts(&self, run: RunId) -> Result<RunCounts, Error> {
        let row = self.db().query_one(
            "SELECT count(*) FILTER (WHERE status = 'scanned'),
                    count(*) FILTER (WHERE status = 'reused'),
                    count(*) FILTER (WHERE ok = 0),
                    (SELECT count(*) FROM removed_repositories WHERE run_id = ?1)
             FROM scans WHERE run_id = ?1",
            &vals![run],
        )?;
        Ok(RunCounts {
            scanned: row.get(0)?,
            reused: row.get(1)?,
            failed: row.get(2)?,
            removed: row.get(3)?,
        })
    }
}

/// `repos [--status STATUS]`: every repository of the run with what the run did with it:
/// `scanned`, `reused` (unchanged since its last scan) or `removed` (recorded before, gone
/// now); `failed` selects the scans that failed. Sorted by path.
pub fn repos(store: &Store, run: RunId, status: Option<&str>) -> Result<Table, Error> {
    if let Some(s) = status {
        if ![SCANNED, REUSED, REMOVED, "failed"].contains(&s) {
            return Err(Error::Query(format!(
                "unknown status {}; expected scanned, reused, removed or failed",
                bomscout_core::escape::quote(s, 40)
            )));
        }
    }
    let rows = store.db().query(
        "SELECT r.path, s.status, s.commit_sha, s.branch, s.ok, s.components, s.error,
                CAST(NULL AS BIGINT)
         FROM scans s JOIN repositories r ON r.id = s.repo_id WHERE s.run_id = ?1
         UNION ALL
         SELECT r.path, 'removed', NULL, NULL, NULL, NULL, NULL, x.last_run_id
         FROM removed_repositories x JOIN repositories r ON r.id = x.repo_id
         WHERE x.run_id = ?1
         ORDER BY 1",
        &vals![run],
    )?;
    let mut table = Table::new(&[
        "repository",
        "status",
        "commit",
        "branch",
        "ok",
        "components",
        "error",
        "last-run",
    ]);
    for r in &rows {
        let state: String = r.get(1)?;
        let ok: Option<bool> = r.get(4)?;
        let keep = match status {
            None => true,
            Some("failed") => ok == Some(false),
            Some(s) => s == state,
        };
        if !keep {
            continue;
        }
        table.rows.push(vec![
            json!(r.get::<String>(0)?),
            json!(state),
            json!(r.get::<Option<String>>(2)?),
            json!(r.get::<Option<String>>(3)?),
            json!(ok),
            json!(r.get::<Option<i64>>(5)?),
            json!(r.get::<Option<String>>(6)?),
            json!(r.get::<Option<i64>>(7)?),
        ]);
    }
    Ok(table)
}

/// `inventory merge`: copies the repositories the shard's run `shard_run` recorded as
/// removed into the target's run `run` (the shard database is attached as `shard`; runs
/// are matched by label, repositories by path). A repository a shard recorded removed
/// that another shard's run of the same night scanned is not removed.
pub(crate) fn merge_removed(
    tx: &rusqlite::Transaction,
    shard_run: i64,
    run: i64,
) -> Result<(), Error> {
    tx.execute(
        "INSERT OR REPLACE INTO main.removed_repositories (run_id, repo_id, last_run_id)
         SELECT ?2, mr.id, coalesce(
             (SELECT mru.id FROM shard.runs sru
              JOIN main.runs mru ON mru.label = sru.label AND mru.shard IS 'merged'
              WHERE sru.id = x.last_run_id),
             ?2)
         FROM shard.removed_repositories x
         JOIN shard.repositories sr ON sr.id = x.repo_id
         JOIN main.repositories mr ON mr.path = sr.path
         WHERE x.run_id = ?1
           AND NOT EXISTS (SELECT 1 FROM main.scans s WHERE s.run_id = ?2 AND s.repo_id = mr.id)",
        params![shard_run, run],
    )?;
    tx.execute(
        "DELETE FROM main.removed_repositories WHERE run_id = ?1
           AND repo_id IN (SELECT repo_id FROM main.scans WHERE run_id = ?1)",
        [run],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Scanned;
    use bomscout_core::{Catalog, Component, Ecosystem, SbomBuilder};
    use std::path::PathBuf;

    const LIMIT: u64 = 1 << 20;

    fn previous(commit: Option<&str>, tree: Option<&str>, key: Option<&str>) -> Previous {
        Previous {
            scan_id: 1,
            run_id: 1,
            ok: true,
            commit: commit.map(Into::into),
            tree_digest: tree.map(Into::into),
            scan_key: key.map(Into::into),
            bom_id: Some(1),
        }
    }

    #[test]
    fn reuse_needs_the_same_commit_or_files_and_the_same_key() {
        let git = previous(Some("c1"), None, Some("k"));
        assert!(git.reusable(Some("c1"), None, "k"));
        assert!(!git.reusable(Some("c2"), None, "k"), "a new commit");
        assert!(!git.reusable(Some("c1"), None, "k2"), "other settings");
        assert!(!git.reusable(None, Some("t"), "k"), "the commit is gone");
        let folder = previous(None, Some("t1"), Some("k"));
        assert!(folder.reusable(None, Some("t1"), "k"));
        assert!(!folder.reusable(None, Some("t2"), "k"), "a changed file");
        assert!(!folder.reusable(None, None, "k"), "files not hashed");
        assert!(
            !folder.reusable(Some("c1"), None, "k"),
            "now a git repository"
        );
        assert!(
            !previous(Some("c1"), None, None).reusable(Some("c1"), None, "k"),
            "a scan from before incremental runs"
        );
        let failed = Previous {
            ok: false,
            ..git.clone()
        };
        assert!(!failed.reusable(Some("c1"), None, "k"));
        let no_bom = Previous {
            bom_id: None,
            ..git
        };
        assert!(!no_bom.reusable(Some("c1"), None, "k"));
    }

    #[test]
    fn scan_keys_differ_by_version_and_every_setting() {
        let base = scan_key(
            "1.0",
            &[("exclude", "a".into()), ("enrich", "false".into())],
        );
        assert_eq!(
            base,
            scan_key(
                "1.0",
                &[("exclude", "a".into()), ("enrich", "false".into())]
            )
        );
        for other in [
            scan_key(
                "1.1",
                &[("exclude", "a".into()), ("enrich", "false".into())],
            ),
            scan_key(
                "1.0",
                &[("exclude", "b".into()), ("enrich", "false".into())],
            ),
            scan_key("1.0", &[("exclude", "a".into()), ("enrich", "true".into())]),
            // Boundaries are kept: a value holding what separates settings is its own.
            scan_key("1.0", &[("exclude", "a\0enrich=false".into())]),
        ] {
            assert_ne!(base, other);
        }
    }

    #[test]
    fn the_tree_digest_covers_catalogued_files_only() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("app/src")).unwrap();
        std::fs::write(root.join("app/Cargo.lock"), "version = 3\n").unwrap();
        std::fs::write(root.join("app/src/main.rs"), "fn main() {}\n").unwrap();
        let first = tree_digest(root, &[], LIMIT).unwrap();
        assert_eq!(first.len(), 64);
        assert_eq!(tree_digest(root, &[], LIMIT).unwrap(), first);
        // Source files are not catalogued: no change.
        std::fs::write(root.join("app/src/main.rs"), "fn main() { todo!() }\n").unwrap();
        assert_eq!(tree_digest(root, &[], LIMIT).unwrap(), first);
        // A changed byte of a lockfile, a new lockfile, a moved lockfile: changes.
        std::fs::write(root.join("app/Cargo.lock"), "version = 4\n").unwrap();
        let changed = tree_digest(root, &[], LIMIT).unwrap();
        assert_ne!(changed, first);
        std::fs::write(root.join("requirements.txt"), "six==1.16.0\n").unwrap();
        let added = tree_digest(root, &[], LIMIT).unwrap();
        assert_ne!(added, changed);
        // An excluded file is not read, as a scan with the same excludes would not.
        assert_eq!(
            tree_digest(root, &["requirements.txt".into()], LIMIT).unwrap(),
            changed
        );
        // A file over the limit counts by its error, and differs from its contents.
        assert_ne!(tree_digest(root, &[], 4).unwrap(), added);
    }

    fn scan_of(path: &str, commit: &str, names: &[&str]) -> RepoScan {
        let mut cat = Catalog::default();
        for n in names {
            cat.add_package(Component::new(Ecosystem::Npm, None, n, "1.0.0").unwrap());
        }
        let mut b = SbomBuilder::new(path);
        b.add(cat);
        let sbom = b.finish();
        RepoScan {
            repo: Repo {
                path: path.into(),
                name: path.into(),
                abs: PathBuf::from(path),
            },
            head: Head {
                commit: Some(commit.into()),
                branch: Some("main".into()),
            },
            scanned_at: 0,
            duration_ms: 1,
            result: Ok(Scanned {
                cyclonedx: format!("{:?}", sbom.components).into_bytes(),
                sbom,
                evaluation: None,
                ntia: (3, 0),
            }),
        }
    }

    #[test]
    fn reused_scans_point_at_the_same_bom_and_removals_are_recorded_once() {
        let dir = tempfile::tempdir().unwrap();
        reuse_and_removal(&mut Store::open(&dir.path().join("inv.db")).unwrap());
    }

    #[test]
    fn reused_scans_and_removals_on_postgres() {
        let Some(url) = crate::testing::database("incremental") else {
            return;
        };
        reuse_and_removal(&mut Store::open_location(&crate::Location::Postgres(url)).unwrap());
    }

    fn reuse_and_removal(store: &mut Store) {
        let state = ScanState {
            tree_digest: None,
            scan_key: "k".into(),
        };
        let one = store.begin_run("1", 1, None, None).unwrap();
        for (repo, names) in [("org/a", &["x", "y"][..]), ("org/b", &["z"][..])] {
            store
                .record_scanned(one, &scan_of(repo, "c1", names), &state)
                .unwrap();
        }
        store.finish_run(one, 2).unwrap();
        let two = store.begin_run("2", 3, None, None).unwrap();
        let previous = store.previous_scans(two).unwrap();
        let from = previous["org/a"].clone();
        assert!(from.reusable(Some("c1"), None, "k"));
        store
            .record_reused(
                two,
                &Reused {
                    repo: scan_of("org/a", "c1", &[]).repo,
                    head: Head {
                        commit: Some("c1".into()),
                        branch: Some("main".into()),
                    },
                    from: from.clone(),
                    scanned_at: 3,
                    duration_ms: 0,
                    evaluation: None,
                    state: state.clone(),
                },
            )
            .unwrap();
        let present: HashSet<&str> = ["org/a"].into_iter().collect();
        let removed = store.record_removed(two, &present, &|_| true).unwrap();
        assert_eq!(removed, ["org/b"]);
        store.finish_run(two, 4).unwrap();
        assert_eq!(
            store.run_counts(two).unwrap(),
            RunCounts {
                scanned: 0,
                reused: 1,
                removed: 1,
                failed: 0
            }
        );
        let row = store
            .db()
            .query_one(
                "SELECT (SELECT count(*) FROM boms), (SELECT components FROM scans
                 WHERE run_id = ?1)",
                &vals![two],
            )
            .unwrap();
        let (boms, components): (i64, i64) = (row.get(0).unwrap(), row.get(1).unwrap());
        assert_eq!((boms, components), (2, 2), "one BOM per distinct SBOM");
        // The next run reuses the reused scan, and does not remove `org/b` again;
        // out of scope, nothing is removed.
        let three = store.begin_run("3", 5, None, None).unwrap();
        let again = store.previous_scans(three).unwrap();
        assert_eq!(again["org/a"].run_id, two);
        assert_eq!(again["org/a"].bom_id, from.bom_id);
        assert!(store
            .record_removed(three, &HashSet::new(), &|p| p != "org/a")
            .unwrap()
            .is_empty());
        let table = repos(store, two, None).unwrap();
        let statuses: Vec<(String, String)> = table
            .rows
            .iter()
            .map(|r| (crate::render::text(&r[0]), crate::render::text(&r[1])))
            .collect();
        assert_eq!(
            statuses,
            [
                ("org/a".to_string(), "reused".to_string()),
                ("org/b".to_string(), "removed".to_string())
            ]
        );
        assert!(repos(store, two, Some("bogus")).is_err());
    }
}
