//! The database: opening it, runs, and recording one repository's scan in one transaction.

use crate::db::{vals, Db, Dialect, Insert, Value};
use crate::location::Location;
use crate::repos::{Repo, Shard};
use crate::{git::Head, schema, Error};
use bomscout_core::escape::quote;
use bomscout_core::vuln::Vulnerability;
use bomscout_core::{Component, Ecosystem, Purl, Sbom, Severity};
use bomscout_policy::{Action, Evaluation};
use rusqlite::{Connection, OpenFlags};
use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

/// A run's id.
pub type RunId = i64;

/// One inventory database: a SQLite file or a PostgreSQL database.
pub struct Store {
    db: Db,
    location: Location,
}

/// What the binary found in one repository: its scan, or why there is none.
pub struct RepoScan {
    /// The repository.
    pub repo: Repo,
    /// Its checked-out commit and branch.
    pub head: Head,
    /// When it was scanned (Unix seconds).
    pub scanned_at: i64,
    /// How long the scan took.
    pub duration_ms: u64,
    /// The SBOM, its CycloneDX JSON and the policy evaluation; or the error that stopped it.
    pub result: Result<Scanned, String>,
}

/// A successful scan of one repository.
pub struct Scanned {
    /// The repository's SBOM.
    pub sbom: Sbom,
    /// The same SBOM as CycloneDX JSON: what `export` reads back.
    pub cyclonedx: Vec<u8>,
    /// The policy's verdicts, when a policy was given.
    pub evaluation: Option<Evaluation>,
    /// Component x element pairs of the NTIA minimum elements checked, and how many missing.
    pub ntia: (u64, u64),
}

/// A policy verdict other than allow, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// The component's key.
    pub purl: String,
    /// review or deny.
    pub action: String,
    /// The license evaluated.
    pub license: String,
    /// The rule that decided.
    pub rule: String,
    /// Why.
    pub reason: String,
}

/// The per-scan numbers the scorecard reads.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Third-party components.
    pub components: i64,
    /// Components with at least one license statement.
    pub with_license: i64,
    /// Components whose effective license is a valid SPDX expression.
    pub with_spdx: i64,
    /// First-party projects.
    pub projects: i64,
    /// Projects described only by a manifest: their versions are ranges, not pins.
    pub manifests_unlocked: i64,
}

/// A run as listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunInfo {
    /// Its id.
    pub id: RunId,
    /// Its label (by default the UTC date it started).
    pub label: String,
    /// Unix seconds.
    pub started_at: i64,
    /// Unix seconds, `None` if it was interrupted or is still running.
    pub finished_at: Option<i64>,
    /// Repositories recorded.
    pub repositories: i64,
}

impl Store {
    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    ///
    /// A file that is not a SQLite database, is corrupt, is locked for longer than a few
    /// seconds, or was written by a newer bomscout is an error naming the file.
    pub fn open(path: &Path) -> Result<Store, Error> {
        let conn = Connection::open(path).map_err(|e| Error::open(path, e))?;
        conn.busy_timeout(BUSY_TIMEOUT)
            .map_err(|e| Error::open(path, e))?;
        // WAL keeps readers (queries) working while a run writes; NORMAL sync is durable
        // across a process kill, which is what an interrupted nightly run needs.
        use_wal(&conn).map_err(|e| Error::open(path, e))?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(|e| Error::open(path, e))?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(|e| Error::open(path, e))?;
        let db = Db::Sqlite(conn);
        schema::migrate(&db).map_err(|e| Error::Open {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        Ok(Store {
            db,
            location: Location::Sqlite(path.to_path_buf()),
        })
    }

    /// Opens the database at `location` for writing, as [`Store::open`] does for a file; a
    /// PostgreSQL database is connected to and migrated (once, however many shard workers
    /// connect at the same time).
    pub fn open_location(location: &Location) -> Result<Store, Error> {
        match location {
            Location::Sqlite(path) => Store::open(path),
            Location::Postgres(url) => {
                let db = Db::postgres(crate::location::connect(url)?);
                schema::migrate(&db).map_err(|e| Error::Connect {
                    url: location.shown(),
                    message: e.to_string(),
                })?;
                Ok(Store {
                    db,
                    location: location.clone(),
                })
            }
        }
    }

    /// Opens the database at `location` for reading only, as `bomscout query` does (see
    /// [`Store::open_read_only`]). A PostgreSQL session is made read-only
    /// (`default_transaction_read_only`), so a read-only role is all `query` needs.
    pub fn open_read_only_location(location: &Location) -> Result<Store, Error> {
        match location {
            Location::Sqlite(path) => Store::open_read_only(path),
            Location::Postgres(url) => {
                let db = Db::postgres(crate::location::connect(url)?);
                db.execute_batch("SET default_transaction_read_only = on")?;
                let current = schema::version(&db)?;
                if let Some(message) = version_problem(current, &location.shown()) {
                    return Err(Error::Connect {
                        url: location.shown(),
                        message,
                    });
                }
                Ok(Store {
                    db,
                    location: location.clone(),
                })
            }
        }
    }

    /// Opens the database at `path` for reading only, as `bomscout query` does: nothing is
    /// migrated, locked for writing or created, so a file that is read-only, or owned by
    /// another user in a directory this one cannot write, can be queried, and a query
    /// leaves the file and its directory exactly as they were.
    ///
    /// While a run writes (its `-wal` file exists) the query reads through the writer's
    /// WAL and sees every committed repository. When no `-wal` file exists, the file holds
    /// everything and is opened `immutable` (SQLite then creates no `-wal`/`-shm` and takes
    /// no lock); the one thing that cannot see is a run that starts during the query and
    /// checkpoints before it ends, a window of about a thousand written pages.
    ///
    /// A database whose schema is older than this bomscout's is an error that says to run
    /// `bomscout inventory` to migrate it; one written by a newer bomscout is refused.
    pub fn open_read_only(path: &Path) -> Result<Store, Error> {
        let mut wal = path.as_os_str().to_owned();
        wal.push("-wal");
        let writer_active = Path::new(&wal).exists();
        let uri = sqlite_uri(
            path,
            if writer_active {
                "mode=ro"
            } else {
                "mode=ro&immutable=1"
            },
        );
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_URI
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(&uri, flags).map_err(|e| Error::open(path, e))?;
        conn.busy_timeout(BUSY_TIMEOUT)
            .map_err(|e| Error::open(path, e))?;
        let current: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(|e| Error::open(path, e))?;
        if let Some(message) = version_problem(current, &path.display().to_string()) {
            return Err(Error::Open {
                path: path.to_path_buf(),
                message,
            });
        }
        Ok(Store {
            db: Db::Sqlite(conn),
            location: Location::Sqlite(path.to_path_buf()),
        })
    }

    /// The connection, for queries.
    pub fn db(&self) -> &Db {
        &self.db
    }

    /// Where the database is.
    pub fn location(&self) -> &Location {
        &self.location
    }

    /// The SQLite connection (tests of SQLite-only behaviour).
    #[cfg(test)]
    pub(crate) fn conn(&self) -> &Connection {
        match &self.db {
            Db::Sqlite(c) => c,
            Db::Postgres(_) => panic!("not a SQLite store"),
        }
    }

    pub(crate) fn sqlite_mut(&mut self) -> Option<&mut Connection> {
        match &mut self.db {
            Db::Sqlite(c) => Some(c),
            Db::Postgres(_) => None,
        }
    }

    /// Starts a run; its repositories are recorded with [`Store::record`].
    pub fn begin_run(
        &self,
        label: &str,
        started_at: i64,
        policy: Option<&str>,
        shard: Option<&str>,
    ) -> Result<RunId, Error> {
        self.db
            .query_one(
                "INSERT INTO runs (label, started_at, tool_version, policy, shard)
                 VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id",
                &vals![label, started_at, env!("CARGO_PKG_VERSION"), policy, shard],
            )?
            .get(0)
    }

    /// Joins (creating on first sight) the run that every shard of one night shares by
    /// `key`, and records shard `shard` (I of N) as started in it. The shards may
    /// start in any order and at the same time; the first creates the run with its `label`,
    /// `policy` and the earliest start seen. A later shard takes the run's label unless
    /// `label_given` (the label was asked for, not a default such as today's date: a retried
    /// worker may start after midnight), when it must be the same. Finish the shard with [`Store::finish_shard`]:
    /// the run is finished when all N are. A shard started again (a retried worker) starts
    /// over: the repositories it records replace what it recorded before.
    pub fn join_run(
        &self,
        key: &str,
        label: &str,
        label_given: bool,
        started_at: i64,
        policy: Option<&str>,
        shard: Shard,
    ) -> Result<RunId, Error> {
        let (i, n) = shard_numbers(shard);
        self.db.transaction(|tx| {
            tx.execute(
                "INSERT INTO runs (label, started_at, tool_version, policy, run_key)
                 VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (run_key) DO NOTHING",
                &vals![label, started_at, env!("CARGO_PKG_VERSION"), policy, key],
            )?;
            let row = tx.query_one(
                "SELECT id, label, policy FROM runs WHERE run_key = ?1",
                &vals![key],
            )?;
            let run: RunId = row.get(0)?;
            let (had_label, had_policy): (String, Option<String>) = (row.get(1)?, row.get(2)?);
            if (label_given && had_label != label) || had_policy.as_deref() != policy {
                return Err(Error::Query(format!(
                    "run key {} is already used by a run labelled {} with policy {}; the \
                     shards of one run must agree on --label and --policy (or use a new key)",
                    quote(key, 80),
                    quote(&had_label, 80),
                    had_policy
                        .as_deref()
                        .map_or("(none)".into(), |p| quote(p, 80)),
                )));
            }
            let other_n: Option<i64> = tx
                .query_opt(
                    "SELECT shards FROM run_shards WHERE run_id = ?1 AND shards != ?2 LIMIT 1",
                    &vals![run, n],
                )?
                .map(|r| r.get(0))
                .transpose()?;
            if let Some(other) = other_n {
                return Err(Error::Query(format!(
                    "run key {} has shards of {other}, not {n}: every shard of one run must \
                     give the same --shard I/N total",
                    quote(key, 80)
                )));
            }
            tx.execute(
                "UPDATE runs SET started_at = CASE WHEN started_at < ?2 THEN started_at ELSE ?2 END,
                     finished_at = NULL
                 WHERE id = ?1",
                &vals![run, started_at],
            )?;
            tx.execute(
                "INSERT INTO run_shards (run_id, shard, shards, started_at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (run_id, shard) DO UPDATE SET started_at = excluded.started_at,
                     finished_at = NULL",
                &vals![run, i, n, started_at],
            )?;
            Ok(run)
        })
    }

    /// Marks shard `shard` of the shared run `run` finished; the run is finished when all
    /// of its shards are (at the latest shard's time). Returns whether the run is finished.
    pub fn finish_shard(&self, run: RunId, shard: Shard, finished_at: i64) -> Result<bool, Error> {
        let (i, n) = shard_numbers(shard);
        self.db.transaction(|tx| {
            // Two last shards finishing at once: the row lock makes one wait for the other,
            // so the later one sees both finished (SQLite's writer lock does that already).
            if tx.dialect() == Dialect::Postgres {
                tx.query("SELECT id FROM runs WHERE id = ?1 FOR UPDATE", &vals![run])?;
            }
            tx.execute(
                "UPDATE run_shards SET finished_at = ?3 WHERE run_id = ?1 AND shard = ?2",
                &vals![run, i, finished_at],
            )?;
            let row = tx.query_one(
                "SELECT count(*), max(finished_at) FROM run_shards
                 WHERE run_id = ?1 AND finished_at IS NOT NULL",
                &vals![run],
            )?;
            let (done, last): (i64, Option<i64>) = (row.get(0)?, row.get(1)?);
            let finished = done >= n;
            if finished {
                tx.execute(
                    "UPDATE runs SET finished_at = ?2 WHERE id = ?1",
                    &vals![run, last.unwrap_or(finished_at)],
                )?;
            }
            Ok(finished)
        })
    }

    /// Marks a run finished. A run never finished was interrupted: what it recorded is
    /// kept (each repository is whole), and queries skip it unless asked for by id.
    pub fn finish_run(&self, run: RunId, finished_at: i64) -> Result<(), Error> {
        self.db.execute(
            "UPDATE runs SET finished_at = ?2 WHERE id = ?1",
            &vals![run, finished_at],
        )?;
        Ok(())
    }

    /// Records one repository's scan in `run`, all of it or nothing (one transaction).
    ///
    /// On PostgreSQL other shard workers write at the same time; a transaction that
    /// PostgreSQL aborts for a deadlock or a serialization failure is retried whole (a few
    /// times, with a short growing pause).
    pub fn record(&mut self, run: RunId, scan: &RepoScan) -> Result<(), Error> {
        self.transaction_retried(|tx| record_in(tx, run, scan))
    }

    /// Runs `f` in one transaction; one that PostgreSQL aborts for a deadlock or a
    /// serialization failure is run again whole (a few times, with a short growing pause).
    pub(crate) fn transaction_retried<T>(
        &self,
        mut f: impl FnMut(&Db) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let mut attempt = 0u32;
        loop {
            match self.db.transaction(&mut f) {
                Err(e) if e.is_retryable() && attempt < RETRIES => {
                    attempt += 1;
                    std::thread::sleep(Duration::from_millis(20 << attempt));
                }
                other => return other,
            }
        }
    }

    /// Every run, oldest first.
    pub fn runs(&self) -> Result<Vec<RunInfo>, Error> {
        self.db
            .query(
                "SELECT r.id, r.label, r.started_at, r.finished_at,
                        (SELECT count(*) FROM scans s WHERE s.run_id = r.id)
                 FROM runs r ORDER BY r.started_at, r.id",
                &[],
            )?
            .iter()
            .map(|r| {
                Ok(RunInfo {
                    id: r.get(0)?,
                    label: r.get(1)?,
                    started_at: r.get(2)?,
                    finished_at: r.get(3)?,
                    repositories: r.get(4)?,
                })
            })
            .collect()
    }

    /// Each successful scan of `run`: the repository's path and its stored CycloneDX JSON.
    pub fn boms_of_run(&self, run: RunId) -> Result<Vec<(String, Vec<u8>)>, Error> {
        let rows = self.db.query(
            "SELECT r.path, b.cyclonedx FROM scans s
             JOIN repositories r ON r.id = s.repo_id JOIN boms b ON b.id = s.bom_id
             WHERE s.run_id = ?1 ORDER BY r.path",
            &vals![run],
        )?;
        let mut out = Vec::new();
        for row in rows {
            let (path, blob): (String, Vec<u8>) = (row.get(0)?, row.get(1)?);
            let json = decompress(&blob)
                .map_err(|e| Error::Query(format!("the stored SBOM of {path} is damaged: {e}")))?;
            out.push((path, json));
        }
        Ok(out)
    }

    /// The distinct resolved components of `run`'s successful scans, sorted by key, as
    /// components to match against advisories (what a rematch reads instead of scanning);
    /// and how many stored components could not be rebuilt (a name no purl accepts).
    ///
    /// Unresolved components (a manifest's range, no version) are left out: advisories
    /// match versions.
    pub fn components_of_run(&self, run: RunId) -> Result<(Vec<Component>, usize), Error> {
        let rows = self.db.query(
            "SELECT c.purl, c.ecosystem, c.name, c.version FROM components c
             WHERE c.version IS NOT NULL AND c.purl NOT LIKE 'unresolved:%'
               AND c.id IN (SELECT bc.component_id FROM scans s
                            JOIN bom_components bc ON bc.bom_id = s.bom_id
                            WHERE s.run_id = ?1)
             ORDER BY c.purl",
            &vals![run],
        )?;
        let (mut out, mut skipped) = (Vec::new(), 0usize);
        for r in rows {
            let purl: String = r.get(0)?;
            let ecosystem: String = r.get(1)?;
            let name: String = r.get(2)?;
            let version: String = r.get(3)?;
            // Stored as people write it, `namespace/name`: the namespace never holds the
            // last `/` (npm scopes, Maven groups, Go module prefixes).
            let (namespace, name) = match name.rsplit_once('/') {
                Some((ns, n)) if !ns.is_empty() && !n.is_empty() => (Some(ns), n),
                _ => (None, name.as_str()),
            };
            match Component::new(
                Ecosystem::from_purl_type(&ecosystem),
                namespace,
                name,
                &version,
            ) {
                Ok(mut c) => {
                    // The stored key, qualifiers and all: findings point back at it.
                    c.purl = Purl::from_canonical(purl);
                    out.push(c);
                }
                Err(_) => skipped += 1,
            }
        }
        out.sort_by_key(|c| c.key());
        Ok((out, skipped))
    }

    /// Records the vulnerabilities found in `run`'s components, replacing any recorded
    /// before, and marks the run matched against `source` (the advisory database, in words).
    /// One transaction: a run is matched wholly or not at all. Returns the findings stored.
    pub fn record_findings(
        &mut self,
        run: RunId,
        source: &str,
        vulnerabilities: &[Vulnerability],
    ) -> Result<usize, Error> {
        self.db.transaction(|tx| {
            tx.execute("DELETE FROM findings WHERE run_id = ?1", &vals![run])?;
            let mut stored = 0usize;
            for v in vulnerabilities {
                let advisory = advisory_id(tx, v)?;
                for a in &v.affects {
                    let Some(component) = tx
                        .query_opt(
                            "SELECT id FROM components WHERE purl = ?1",
                            &vals![&a.component],
                        )?
                        .map(|r| r.get::<i64>(0))
                        .transpose()?
                    else {
                        continue;
                    };
                    let suppressed = a.suppressed.as_ref().map(|s| match &s.justification {
                        Some(j) => format!("{}: {j} ({})", s.state, s.source),
                        None => format!("{} ({})", s.state, s.source),
                    });
                    stored += tx.execute(
                        "INSERT INTO findings (run_id, advisory_id, component_id, fixed, suppressed)
                         VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING",
                        &vals![run, advisory, component, &a.fixed, suppressed],
                    )? as usize;
                }
            }
            tx.execute(
                "UPDATE runs SET advisories = ?2 WHERE id = ?1",
                &vals![run, source],
            )?;
            Ok(stored)
        })
    }

    /// What `run` was matched against, `None` if it was not.
    pub fn advisories_of_run(&self, run: RunId) -> Result<Option<String>, Error> {
        Ok(self
            .db
            .query_opt("SELECT advisories FROM runs WHERE id = ?1", &vals![run])?
            .map(|r| r.get::<Option<String>>(0))
            .transpose()?
            .flatten())
    }

    /// Starts a run that re-uses `from`'s scans as they are (no repository is read again):
    /// the run a rematch against a newer advisory database records its findings in. Its
    /// repositories, SBOMs, verdicts and diagnostics are `from`'s; finish it with
    /// [`Store::finish_run`] once its findings are recorded. (A rematch of a merged run is
    /// not itself marked merged: tonight's shards, merged under the same label, must not
    /// fold into it.)
    pub fn begin_rematch(
        &mut self,
        from: RunId,
        label: &str,
        started_at: i64,
    ) -> Result<RunId, Error> {
        self.db.transaction(|tx| {
            let run: RunId = tx
                .query_opt(
                    "INSERT INTO runs (label, started_at, tool_version, policy, shard)
                     SELECT ?2, ?3, ?4, policy,
                            CASE WHEN shard = 'merged' THEN NULL ELSE shard END
                     FROM runs WHERE id = ?1 RETURNING id",
                    &vals![from, label, started_at, env!("CARGO_PKG_VERSION")],
                )?
                .ok_or_else(|| Error::Query(format!("there is no run {from}")))?
                .get(0)?;
            tx.execute(
                "INSERT INTO scans (run_id, repo_id, scanned_at, commit_sha, branch, ok, error,
                    bom_id, verdict_set_id, duration_ms, components, with_license, with_spdx,
                    projects, manifests_unlocked, allow, review, deny, expired_exceptions,
                    ntia_checked, ntia_missing, errors, warnings, status, tree_digest,
                    scan_key)
                 SELECT ?2, repo_id, scanned_at, commit_sha, branch, ok, error,
                    bom_id, verdict_set_id, duration_ms, components, with_license, with_spdx,
                    projects, manifests_unlocked, allow, review, deny, expired_exceptions,
                    ntia_checked, ntia_missing, errors, warnings, 'reused', tree_digest,
                    scan_key
                 FROM scans WHERE run_id = ?1",
                &vals![from, run],
            )?;
            tx.execute(
                "INSERT INTO diagnostics (scan_id, severity, path, line, message)
                 SELECT n.id, d.severity, d.path, d.line, d.message
                 FROM scans o JOIN scans n ON n.repo_id = o.repo_id AND n.run_id = ?2
                 JOIN diagnostics d ON d.scan_id = o.id
                 WHERE o.run_id = ?1",
                &vals![from, run],
            )?;
            Ok(run)
        })
    }

    /// The newest finished run, the default subject of every query.
    pub fn latest_run(&self) -> Result<RunId, Error> {
        self.db
            .query_opt(
                "SELECT id FROM runs WHERE finished_at IS NOT NULL
                 ORDER BY started_at DESC, id DESC LIMIT 1",
                &[],
            )?
            .ok_or_else(|| Error::Query("the database has no finished run yet".into()))?
            .get(0)
    }

    /// The run `id`, checked to exist.
    pub fn run(&self, id: RunId) -> Result<RunId, Error> {
        self.db
            .query_opt("SELECT id FROM runs WHERE id = ?1", &vals![id])?
            .ok_or_else(|| Error::Query(format!("there is no run {id}")))?
            .get(0)
    }
}

/// A shard's index and count as stored.
fn shard_numbers(shard: Shard) -> (i64, i64) {
    let n = |x: u64| i64::try_from(x).unwrap_or(i64::MAX);
    (n(shard.index), n(shard.count))
}

/// How often a repository's transaction is retried after a PostgreSQL deadlock.
const RETRIES: u32 = 6;

/// Why a database whose schema is `current` cannot be queried by this bomscout, if it cannot.
fn version_problem(current: i64, shown: &str) -> Option<String> {
    if current == schema::VERSION {
        return None;
    }
    Some(if current == 0 {
        format!(
            "not a bomscout inventory (no schema); `bomscout inventory ROOT --db {shown}` \
             creates one"
        )
    } else if current > schema::VERSION {
        format!(
            "written by a newer bomscout (schema {current}; this one knows up to {})",
            schema::VERSION
        )
    } else {
        format!(
            "schema version {current} is older than this bomscout's ({}); `query` \
             never changes the database: run `bomscout inventory ROOT --db {shown}` with \
             this version to migrate it",
            schema::VERSION
        )
    })
}
/// `path` as an SQLite URI filename with `query` parameters: every byte but unreserved
/// characters and `/` percent-encoded, so `?`, `#` and `%` in a name stay part of the path.
fn sqlite_uri(path: &Path, query: &str) -> String {
    let bytes: std::borrow::Cow<[u8]> = {
        #[cfg(unix)]
        {
            use std::os::unix::ffi::OsStrExt;
            std::borrow::Cow::Borrowed(path.as_os_str().as_bytes())
        }
        #[cfg(not(unix))]
        {
            std::borrow::Cow::Owned(path.to_string_lossy().into_owned().into_bytes())
        }
    };
    // `file://` and an empty authority: a path that itself starts with `//` stays a path.
    let mut uri = String::from(if bytes.first() == Some(&b'/') {
        "file://"
    } else {
        "file:"
    });
    for &b in bytes.iter() {
        if b.is_ascii_alphanumeric() || matches!(b, b'/' | b'-' | b'_' | b'.' | b'~') {
            uri.push(char::from(b));
        } else {
            uri.push_str(&format!("%{b:02X}"));
        }
    }
    uri.push('?');
    uri.push_str(query);
    uri
}

/// How long opening waits for another process that holds the database.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Switches a database to WAL. Two processes opening a new file at once both try to, and
/// SQLite answers the switch with "busy" at once rather than through the busy timeout;
/// so it is retried for up to [`BUSY_TIMEOUT`]. A file already in WAL needs no lock.
fn use_wal(conn: &Connection) -> rusqlite::Result<()> {
    let mode: String = conn.pragma_query_value(None, "journal_mode", |r| r.get(0))?;
    if mode.eq_ignore_ascii_case("wal") {
        return Ok(());
    }
    let deadline = std::time::Instant::now() + BUSY_TIMEOUT;
    loop {
        match conn.pragma_update(None, "journal_mode", "WAL") {
            Err(e)
                if matches!(
                    e.sqlite_error_code(),
                    Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
                ) && std::time::Instant::now() < deadline =>
            {
                std::thread::sleep(Duration::from_millis(10));
            }
            other => return other,
        }
    }
}

pub(crate) fn record_in(tx: &Db, run: RunId, scan: &RepoScan) -> Result<(), Error> {
    let repo_id = repository_id(tx, &scan.repo)?;
    // Re-recording a repository in the same run (a retried shard) replaces it.
    let old: Option<i64> = tx
        .query_opt(
            "SELECT id FROM scans WHERE run_id = ?1 AND repo_id = ?2",
            &vals![run, repo_id],
        )?
        .map(|r| r.get(0))
        .transpose()?;
    if let Some(old) = old {
        tx.execute("DELETE FROM diagnostics WHERE scan_id = ?1", &vals![old])?;
        tx.execute("DELETE FROM scans WHERE id = ?1", &vals![old])?;
    }
    let scanned = match &scan.result {
        Ok(s) => s,
        Err(error) => {
            tx.execute(
                "INSERT INTO scans (run_id, repo_id, scanned_at, commit_sha, branch, ok, error,
                    duration_ms, components, with_license, with_spdx, projects,
                    manifests_unlocked, ntia_checked, ntia_missing, errors, warnings)
                 VALUES (?1, ?2, ?3, ?4, ?5, 0, ?6, ?7, 0, 0, 0, 0, 0, 0, 0, 1, 0)",
                &vals![
                    run,
                    repo_id,
                    scan.scanned_at,
                    &scan.head.commit,
                    &scan.head.branch,
                    error,
                    scan.duration_ms as i64
                ],
            )?;
            return Ok(());
        }
    };
    let bom_id = store_bom(tx, scanned)?;
    let verdicts = scanned.evaluation.as_ref().map(verdicts_of);
    let set_id = match &verdicts {
        Some(v) => Some(store_verdicts(tx, v)?),
        None => None,
    };
    let counts = counts(&scanned.sbom);
    let tally = scanned.evaluation.as_ref().map(tally);
    let (errors, warnings) = severities(&scanned.sbom);
    let scan_id: i64 = tx
        .query_one(
            "INSERT INTO scans (run_id, repo_id, scanned_at, commit_sha, branch, ok, bom_id,
                verdict_set_id, duration_ms, components, with_license, with_spdx, projects,
                manifests_unlocked, allow, review, deny, expired_exceptions, ntia_checked,
                ntia_missing, errors, warnings)
             VALUES (?1, ?2, ?3, ?4, ?5, 1, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,
                     ?17, ?18, ?19, ?20, ?21)
             RETURNING id",
            &vals![
                run,
                repo_id,
                scan.scanned_at,
                &scan.head.commit,
                &scan.head.branch,
                bom_id,
                set_id,
                scan.duration_ms as i64,
                counts.components,
                counts.with_license,
                counts.with_spdx,
                counts.projects,
                counts.manifests_unlocked,
                tally.map(|t| t.0),
                tally.map(|t| t.1),
                tally.map(|t| t.2),
                tally.map(|t| t.3),
                scanned.ntia.0 as i64,
                scanned.ntia.1 as i64,
                errors,
                warnings
            ],
        )?
        .get(0)?;
    store_diagnostics(tx, scan_id, &scanned.sbom)?;
    if let Some(v) = &verdicts {
        note_first_seen(tx, run, repo_id, scan.scanned_at, v)?;
    }
    Ok(())
}

/// The id of the row keyed by `key` in a content-addressed or interned table: inserted
/// unless there, else read. `insert` is an `INSERT ... ON CONFLICT DO NOTHING RETURNING id`
/// whose first parameter is the key; `find` selects the id by it. Safe with other writers:
/// a concurrent insert of the same key waits for theirs and then reads their row.
fn intern(tx: &Db, insert: &str, find: &str, params: &[Value]) -> Result<(i64, bool), Error> {
    if let Some(row) = tx.query_opt(find, &params[..1])? {
        return Ok((row.get(0)?, false));
    }
    match tx.query_opt(insert, params)? {
        Some(row) => Ok((row.get(0)?, true)),
        None => Ok((tx.query_one(find, &params[..1])?.get(0)?, false)),
    }
}

/// The stored row of `v`'s advisory, content-addressed (id, aliases, severity, score and
/// summary): a re-rated advisory is a new row and older runs keep what they saw.
fn advisory_id(tx: &Db, v: &Vulnerability) -> Result<i64, Error> {
    let a = &v.advisory;
    let aliases: Vec<&str> = a
        .aliases
        .iter()
        .map(String::as_str)
        .filter(|x| *x != a.id)
        .collect();
    let aliases = aliases.join(" ");
    let severity = a.severity.as_str();
    let score = a.score();
    let summary = a.summary.as_deref();
    let digest = digest(
        format!(
            "{}\n{aliases}\n{severity}\n{score:?}\n{}",
            a.id,
            summary.unwrap_or("")
        )
        .as_bytes(),
    );
    let (id, created) = intern(
        tx,
        "INSERT INTO advisories (digest, vuln_id, aliases, severity, score, summary)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (digest) DO NOTHING RETURNING id",
        "SELECT id FROM advisories WHERE digest = ?1",
        &vals![digest, &a.id, aliases, severity, score, summary],
    )?;
    if created {
        for x in a.ids() {
            tx.execute(
                "INSERT INTO advisory_ids (alias, advisory_id) VALUES (?1, ?2)
                 ON CONFLICT DO NOTHING",
                &vals![x, id],
            )?;
        }
    }
    Ok(id)
}

pub(crate) fn repository_id(tx: &Db, repo: &Repo) -> Result<i64, Error> {
    tx.query_one(
        "INSERT INTO repositories (name, path) VALUES (?1, ?2)
         ON CONFLICT(path) DO UPDATE SET name = excluded.name RETURNING id",
        &vals![&repo.name, &repo.path],
    )?
    .get(0)
}

/// Interns a component by key, returning its id.
pub(crate) fn component_id(
    tx: &Db,
    key: &str,
    ecosystem: &str,
    name: &str,
    version: Option<&str>,
) -> Result<i64, Error> {
    Ok(intern(
        tx,
        "INSERT INTO components (purl, ecosystem, name, version) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (purl) DO NOTHING RETURNING id",
        "SELECT id FROM components WHERE purl = ?1",
        &vals![key, ecosystem, name, version],
    )?
    .0)
}

/// Stores the BOM unless an identical one is stored already; returns its id.
fn store_bom(tx: &Db, scanned: &Scanned) -> Result<i64, Error> {
    let digest = digest(&scanned.cyclonedx);
    if let Some(row) = tx.query_opt("SELECT id FROM boms WHERE digest = ?1", &vals![&digest])? {
        return row.get(0);
    }
    // Not there a moment ago: inserted straight away (no second look first).
    let bom_id: i64 = match tx.query_opt(
        "INSERT INTO boms (digest, cyclonedx) VALUES (?1, ?2)
         ON CONFLICT (digest) DO NOTHING RETURNING id",
        &vals![&digest, compress(&scanned.cyclonedx)],
    )? {
        Some(row) => row.get(0)?,
        None => {
            // Another writer stored the same BOM a moment ago, components and all.
            return tx
                .query_one("SELECT id FROM boms WHERE digest = ?1", &vals![digest])?
                .get(0);
        }
    };
    let components = &scanned.sbom.components;
    let keys: Vec<String> = components.iter().map(Component::key).collect();
    let names: Vec<String> = components.iter().map(Component::display_name).collect();
    let ids = component_ids(
        tx,
        components
            .iter()
            .zip(&keys)
            .zip(&names)
            .map(|((c, key), name)| NewComponent {
                key,
                ecosystem: c.ecosystem.purl_type(),
                name,
                version: c.version.as_deref(),
            }),
    )?;
    let mut rows = Vec::with_capacity(components.len() * BOM_COMPONENTS.columns.len());
    for (c, key) in components.iter().zip(&keys) {
        let id = ids
            .get(key.as_str())
            .copied()
            .ok_or_else(|| not_interned(key))?;
        let (license, spdx) = license_of(c);
        let category = spdx
            .then(|| license.as_deref().and_then(category_of))
            .flatten();
        let location = c.locations.iter().next().map(|l| &*l.path);
        let health = c.health.as_ref();
        let scorecard = health
            .and_then(|h| h.scorecard.as_ref())
            .map(|s| f64::from(s.score))
            .filter(|s| s.is_finite());
        rows.extend(vals![
            bom_id,
            id,
            c.scope.as_str(),
            license,
            spdx,
            category,
            location,
            scorecard,
            health.and_then(|h| h.repository.as_deref()),
            health.and_then(|h| h.archived),
            health.and_then(|h| h.latest_release.as_deref()),
            c.properties.get("supplier").map(String::as_str),
        ]);
    }
    tx.insert_rows(&BOM_COMPONENTS, &rows)?;
    Ok(bom_id)
}

/// A BOM's components, as [`store_bom`] writes them.
pub(crate) const BOM_COMPONENTS: Insert = Insert {
    table: "bom_components",
    columns: &[
        ("bom_id", "bigint"),
        ("component_id", "bigint"),
        ("scope", "text"),
        ("license", "text"),
        ("spdx", "bigint"),
        ("category", "text"),
        ("location", "text"),
        ("scorecard", "double precision"),
        ("repository", "text"),
        ("archived", "bigint"),
        ("latest_release", "text"),
        ("supplier", "text"),
    ],
    tail: "ON CONFLICT DO NOTHING",
};

/// A component to intern: its key and what is stored beside it.
struct NewComponent<'a> {
    key: &'a str,
    ecosystem: &'a str,
    name: &'a str,
    version: Option<&'a str>,
}

/// Interns every component, returning each key's id.
///
/// SQLite: [`component_id`] for each, in their order. PostgreSQL: the known keys are read in
/// one statement, the new ones inserted in one (sorted by key, so two writers inserting
/// overlapping sets take their row locks in the same order and do not deadlock), and the
/// few another writer inserted in between are read again, as [`intern`] does for one.
fn component_ids<'a>(
    tx: &Db,
    components: impl Iterator<Item = NewComponent<'a>>,
) -> Result<HashMap<&'a str, i64>, Error> {
    let mut ids = HashMap::new();
    if tx.dialect() == Dialect::Sqlite {
        for c in components {
            let id = component_id(tx, c.key, c.ecosystem, c.name, c.version)?;
            ids.insert(c.key, id);
        }
        return Ok(ids);
    }
    let mut todo: Vec<NewComponent<'a>> = components.collect();
    todo.sort_by(|a, b| a.key.cmp(b.key));
    todo.dedup_by(|a, b| a.key == b.key);
    let keys: Vec<&str> = todo.iter().map(|c| c.key).collect();
    read_ids(tx, &keys, &mut ids)?;
    let mut rows = Vec::new();
    for c in todo.iter().filter(|c| !ids.contains_key(c.key)) {
        rows.extend(vals![c.key, c.ecosystem, c.name, c.version]);
    }
    if rows.is_empty() {
        return Ok(ids);
    }
    for r in tx.insert_rows(&COMPONENTS, &rows)? {
        let key: String = r.get(0)?;
        if let Ok(at) = keys.binary_search(&key.as_str()) {
            ids.insert(keys[at], r.get(1)?);
        }
    }
    let raced: Vec<&str> = keys
        .iter()
        .copied()
        .filter(|k| !ids.contains_key(k))
        .collect();
    read_ids(tx, &raced, &mut ids)?;
    Ok(ids)
}

/// New components, as [`component_ids`] inserts them on PostgreSQL.
const COMPONENTS: Insert = Insert {
    table: "components",
    columns: &[
        ("purl", "text"),
        ("ecosystem", "text"),
        ("name", "text"),
        ("version", "text"),
    ],
    tail: "ON CONFLICT (purl) DO NOTHING RETURNING purl, id",
};

/// Adds the ids of the stored components among `keys` to `ids`.
fn read_ids<'a>(tx: &Db, keys: &[&'a str], ids: &mut HashMap<&'a str, i64>) -> Result<(), Error> {
    if keys.is_empty() {
        return Ok(());
    }
    let rows = tx.find_by_text(
        "SELECT purl, id FROM components WHERE purl = ?1",
        "SELECT purl, id FROM components WHERE purl = ANY($1::text[])",
        keys,
    )?;
    for r in rows {
        let key: String = r.get(0)?;
        // `keys` is sorted: the borrowed key, not a copy, goes into the map.
        if let Ok(at) = keys.binary_search(&key.as_str()) {
            ids.insert(keys[at], r.get(1)?);
        }
    }
    Ok(())
}

fn not_interned(key: &str) -> Error {
    Error::Query(format!(
        "component {} has no stored row after it was interned; the database was changed by \
         something else than bomscout",
        quote(key, 200)
    ))
}

/// The effective license (as the policy gate reads it) and whether it is SPDX.
fn license_of(c: &Component) -> (Option<String>, bool) {
    if c.licenses.is_empty() {
        return (None, false);
    }
    let (text, spdx) = bomscout_policy::effective(&c.licenses);
    (Some(text), spdx)
}

fn category_of(expression: &str) -> Option<&'static str> {
    bomscout_license::expression_category(expression).map(|c| c.as_str())
}

pub(crate) fn verdicts_of(eval: &Evaluation) -> Vec<Verdict> {
    eval.problems()
        .map(|f| Verdict {
            purl: f.key.clone(),
            action: action_name(f.verdict).to_string(),
            license: f.license.clone(),
            rule: f.rule.id().to_string(),
            reason: f.reason.clone(),
        })
        .collect()
}

/// (allow, review, deny, expired exceptions).
pub(crate) fn tally(eval: &Evaluation) -> (i64, i64, i64, i64) {
    let count = |a: Action| eval.findings.iter().filter(|f| f.verdict == a).count() as i64;
    let expired = eval
        .notes
        .iter()
        .filter(|n| n.contains(" expired on "))
        .count() as i64;
    (
        count(Action::Allow),
        count(Action::Review),
        count(Action::Deny),
        expired,
    )
}

pub(crate) fn store_verdicts(tx: &Db, verdicts: &[Verdict]) -> Result<i64, Error> {
    let mut text = String::new();
    for v in verdicts {
        text.push_str(&format!(
            "{}\t{}\t{}\t{}\t{}\n",
            v.purl, v.action, v.license, v.rule, v.reason
        ));
    }
    let digest = digest(text.as_bytes());
    let (set_id, created) = intern(
        tx,
        "INSERT INTO verdict_sets (digest) VALUES (?1)
         ON CONFLICT (digest) DO NOTHING RETURNING id",
        "SELECT id FROM verdict_sets WHERE digest = ?1",
        &vals![digest],
    )?;
    if !created {
        return Ok(set_id);
    }
    let ids = ids_of(tx, verdicts)?;
    let mut rows = Vec::with_capacity(verdicts.len() * VERDICTS.columns.len());
    for (v, id) in verdicts.iter().zip(ids) {
        rows.extend(vals![set_id, id, &v.action, &v.license, &v.rule, &v.reason]);
    }
    tx.insert_rows(&VERDICTS, &rows)?;
    Ok(set_id)
}

/// A verdict set's rows, as [`store_verdicts`] writes them.
pub(crate) const VERDICTS: Insert = Insert {
    table: "verdicts",
    columns: &[
        ("set_id", "bigint"),
        ("component_id", "bigint"),
        ("action", "text"),
        ("license", "text"),
        ("rule", "text"),
        ("reason", "text"),
    ],
    tail: "ON CONFLICT DO NOTHING",
};

/// The stored id of each verdict's component, in their order; a component never stored is
/// an error (its BOM stored it in the same transaction).
fn ids_of(tx: &Db, verdicts: &[Verdict]) -> Result<Vec<i64>, Error> {
    let mut keys: Vec<&str> = verdicts.iter().map(|v| v.purl.as_str()).collect();
    keys.sort_unstable();
    keys.dedup();
    let mut ids = HashMap::new();
    read_ids(tx, &keys, &mut ids)?;
    verdicts
        .iter()
        .map(|v| {
            ids.get(v.purl.as_str()).copied().ok_or_else(|| {
                Error::Query(format!(
                    "a policy verdict names component {}, which is not stored; the database \
                     was changed by something else than bomscout",
                    quote(&v.purl, 200)
                ))
            })
        })
        .collect()
}

pub(crate) fn note_first_seen(
    tx: &Db,
    run: RunId,
    repo_id: i64,
    at: i64,
    verdicts: &[Verdict],
) -> Result<(), Error> {
    let ids = ids_of(tx, verdicts)?;
    let mut rows = Vec::with_capacity(verdicts.len() * FIRST_SEEN.columns.len());
    for (v, id) in verdicts.iter().zip(ids) {
        rows.extend(vals![repo_id, id, &v.action, run, at]);
    }
    tx.insert_rows(&FIRST_SEEN, &rows)?;
    Ok(())
}

/// A repository's violations as first seen, as [`note_first_seen`] writes them.
pub(crate) const FIRST_SEEN: Insert = Insert {
    table: "violation_first_seen",
    columns: &[
        ("repo_id", "bigint"),
        ("component_id", "bigint"),
        ("action", "text"),
        ("first_run_id", "bigint"),
        ("first_seen", "bigint"),
    ],
    tail: "ON CONFLICT DO NOTHING",
};

fn store_diagnostics(tx: &Db, scan_id: i64, sbom: &Sbom) -> Result<(), Error> {
    let mut rows = Vec::new();
    for d in sbom
        .diagnostics
        .iter()
        .filter(|d| d.severity >= Severity::Warning)
    {
        rows.extend(vals![
            scan_id,
            severity_name(d.severity),
            &d.path,
            d.line.map(i64::from),
            &d.message
        ]);
    }
    tx.insert_rows(&DIAGNOSTICS, &rows)?;
    Ok(())
}

/// A scan's diagnostics, as [`store_diagnostics`] writes them.
pub(crate) const DIAGNOSTICS: Insert = Insert {
    table: "diagnostics",
    columns: &[
        ("scan_id", "bigint"),
        ("severity", "text"),
        ("path", "text"),
        ("line", "bigint"),
        ("message", "text"),
    ],
    tail: "",
};

/// The scorecard's numbers for one SBOM.
pub fn counts(sbom: &Sbom) -> Counts {
    let with_license = sbom
        .components
        .iter()
        .filter(|c| !c.licenses.is_empty())
        .count();
    let with_spdx = sbom.components.iter().filter(|c| license_of(c).1).count();
    let unlocked = sbom
        .projects
        .iter()
        .filter(|p| {
            p.manifests
                .iter()
                .all(|m| bomscout_walk::detect(m).is_none_or(|cataloger| cataloger.is_manifest()))
        })
        .count();
    Counts {
        components: sbom.components.len() as i64,
        with_license: with_license as i64,
        with_spdx: with_spdx as i64,
        projects: sbom.projects.len() as i64,
        manifests_unlocked: unlocked as i64,
    }
}

fn action_name(a: Action) -> &'static str {
    match a {
        Action::Allow => "allow",
        Action::Review => "review",
        Action::Deny => "deny",
    }
}

fn severity_name(s: Severity) -> &'static str {
    match s {
        Severity::Info => "info",
        Severity::Warning => "warning",
        Severity::Error => "error",
    }
}

fn severities(sbom: &Sbom) -> (i64, i64) {
    let n = |s: Severity| sbom.diagnostics.iter().filter(|d| d.severity == s).count() as i64;
    (n(Severity::Error), n(Severity::Warning))
}

/// Stored SBOMs are zlib-compressed: CycloneDX JSON shrinks about tenfold, and a year of
/// nights stores every changed repository's SBOM again.
fn compress(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
    // Writing to a Vec cannot fail.
    let _ = z.write_all(bytes);
    z.finish().unwrap_or_default()
}

pub(crate) fn decompress(bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut out = Vec::new();
    flate2::read::ZlibDecoder::new(bytes)
        .take(1 << 30)
        .read_to_end(&mut out)?;
    Ok(out)
}

/// FNV-1a 128-bit, hex: content addressing needs a stable digest, not a cryptographic one.
pub(crate) fn digest(bytes: &[u8]) -> String {
    let mut h: u128 = 0x6c62272e07bb014262b821756295c58d;
    for b in bytes {
        h ^= u128::from(*b);
        h = h.wrapping_mul(0x0000000001000000000000000000013b);
    }
    format!("{h:032x}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;
    use std::time::SystemTime;

    /// The directory's entries with a digest of their bytes and their modification times.
    fn snapshot(dir: &Path) -> Vec<(String, String, SystemTime)> {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| {
                let e = e.unwrap();
                let meta = e.metadata().unwrap();
                (
                    e.file_name().to_string_lossy().into_owned(),
                    digest(&std::fs::read(e.path()).unwrap()),
                    meta.modified().unwrap(),
                )
            })
            .collect();
        entries.sort();
        entries
    }

    fn finished_run(store: &Store, label: &str) -> RunId {
        let run = store.begin_run(label, 100, None, None).unwrap();
        store.finish_run(run, 200).unwrap();
        run
    }

    fn chmod(path: &Path, mode: u32) {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    }

    #[test]
    fn read_only_open_leaves_file_and_directory_as_they_were() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("ro dir ?#%");
        std::fs::create_dir(&dir).unwrap();
        let path = dir.join("inv?.db");
        let run = finished_run(&Store::open(&path).unwrap(), "night");
        chmod(&path, 0o444);
        chmod(&dir, 0o555);
        let before = snapshot(&dir);
        assert_eq!(before.len(), 1, "a closed database is one file");
        {
            let store = Store::open_read_only(&path).unwrap();
            assert_eq!(store.latest_run().unwrap(), run);
            assert_eq!(store.runs().unwrap().len(), 1);
            // The connection is read-only whoever runs it (tests run as root, whom file
            // modes do not stop): a write is refused by SQLite itself.
            let err = store
                .conn()
                .execute(
                    "INSERT INTO repositories (name, path) VALUES ('a', 'a')",
                    [],
                )
                .unwrap_err();
            assert_eq!(err.sqlite_error_code(), Some(rusqlite::ErrorCode::ReadOnly));
        }
        assert_eq!(
            snapshot(&dir),
            before,
            "no -wal, -shm or -journal; bytes unchanged"
        );
        chmod(&dir, 0o755);
    }

    #[test]
    fn read_only_open_sees_what_a_running_writer_committed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("inv.db");
        let writer = Store::open(&path).unwrap();
        finished_run(&writer, "first");
        let second = finished_run(&writer, "second");
        let before: Vec<String> = snapshot(dir.path()).into_iter().map(|e| e.0).collect();
        assert!(before.iter().any(|n| n.ends_with("-wal")), "{before:?}");
        let reader = Store::open_read_only(&path).unwrap();
        assert_eq!(reader.latest_run().unwrap(), second);
        drop(reader);
        let after: Vec<String> = snapshot(dir.path()).into_iter().map(|e| e.0).collect();
        assert_eq!(after, before);
    }

    #[test]
    fn read_only_open_refuses_an_unmigrated_file_and_says_what_to_do() {
        let dir = tempfile::tempdir().unwrap();
        let empty = dir.path().join("empty.db");
        Connection::open(&empty)
            .unwrap()
            .execute_batch("CREATE TABLE x (y)")
            .unwrap();
        let err = Store::open_read_only(&empty).err().unwrap().to_string();
        assert!(err.contains("not a bomscout inventory"), "{err}");
        assert!(err.contains("bomscout inventory ROOT --db"), "{err}");
        let newer = dir.path().join("newer.db");
        Connection::open(&newer)
            .unwrap()
            .pragma_update(None, "user_version", schema::VERSION + 1)
            .unwrap();
        let err = Store::open_read_only(&newer).err().unwrap().to_string();
        assert!(err.contains("newer bomscout"), "{err}");
        let garbage = dir.path().join("garbage.db");
        std::fs::write(&garbage, vec![b'x'; 4096]).unwrap();
        let err = Store::open_read_only(&garbage).err().unwrap().to_string();
        assert!(err.contains("not a SQLite database"), "{err}");
    }
}
