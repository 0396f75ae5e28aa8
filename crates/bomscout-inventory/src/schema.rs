//! The schema and its migrations, applied in order and recorded in `PRAGMA user_version`
//! (SQLite) or the `bomscout_schema` table (PostgreSQL). The migrations are written once,
//! in SQLite's DDL; [`ddl_to_postgres`] maps their types for PostgreSQL.
//!
//! A migration is never edited once released: a change is a new entry at the end. A file
//! written by a newer bomscout (a higher `user_version`) is refused rather than misread.

use crate::db::{ddl_to_postgres, vals, Db};
use crate::Error;

/// The migrations; entry `i` brings the schema from version `i` to `i + 1`.
pub(crate) const MIGRATIONS: &[&str] = &[
    r#"
-- One invocation of `bomscout inventory` (or a shard of one).
CREATE TABLE runs (
    id            INTEGER PRIMARY KEY,
    label         TEXT NOT NULL,          -- shards of one night share it; merge folds by it
    started_at    INTEGER NOT NULL,       -- Unix seconds
    finished_at   INTEGER,                -- NULL while running, or if interrupted
    tool_version  TEXT NOT NULL,
    policy        TEXT,                   -- the policy's name, if one was applied
    shard         TEXT                    -- 'I/N' when sharded
);
CREATE INDEX runs_label ON runs(label);

CREATE TABLE repositories (
    id    INTEGER PRIMARY KEY,
    name  TEXT NOT NULL,
    path  TEXT NOT NULL UNIQUE
);

-- Every package ever seen, interned by purl (or `unresolved:` key).
CREATE TABLE components (
    id         INTEGER PRIMARY KEY,
    purl       TEXT NOT NULL UNIQUE,
    ecosystem  TEXT NOT NULL,
    name       TEXT NOT NULL,             -- `namespace/name` as people write it
    version    TEXT
);
CREATE INDEX components_name ON components(name COLLATE NOCASE);

-- A repository's SBOM, content-addressed: identical nights share one row.
CREATE TABLE boms (
    id         INTEGER PRIMARY KEY,
    digest     TEXT NOT NULL UNIQUE,
    cyclonedx  BLOB NOT NULL              -- the full CycloneDX JSON, zlib-compressed
);
CREATE TABLE bom_components (
    bom_id        INTEGER NOT NULL REFERENCES boms(id),
    component_id  INTEGER NOT NULL REFERENCES components(id),
    scope         TEXT NOT NULL,
    license       TEXT,                   -- the SPDX expression, else the raw text; NULL if none
    spdx          INTEGER NOT NULL,       -- 1 if every license normalized to SPDX
    category      TEXT,                   -- the license's category (worst term)
    location      TEXT,                   -- the first file it was found in
    PRIMARY KEY (bom_id, component_id)
) WITHOUT ROWID;
CREATE INDEX bom_components_component ON bom_components(component_id);

-- Policy verdicts other than allow, content-addressed like BOMs.
CREATE TABLE verdict_sets (
    id      INTEGER PRIMARY KEY,
    digest  TEXT NOT NULL UNIQUE
);
CREATE TABLE verdicts (
    set_id        INTEGER NOT NULL REFERENCES verdict_sets(id),
    component_id  INTEGER NOT NULL REFERENCES components(id),
    action        TEXT NOT NULL,          -- review | deny
    license       TEXT NOT NULL,
    rule          TEXT NOT NULL,
    reason        TEXT NOT NULL,
    PRIMARY KEY (set_id, component_id)
) WITHOUT ROWID;

-- One repository in one run.
CREATE TABLE scans (
    id                  INTEGER PRIMARY KEY,
    run_id              INTEGER NOT NULL REFERENCES runs(id),
    repo_id             INTEGER NOT NULL REFERENCES repositories(id),
    scanned_at          INTEGER NOT NULL,
    commit_sha          TEXT,
    branch              TEXT,
    ok                  INTEGER NOT NULL,  -- 0: the scan failed; `error` says why
    error               TEXT,
    bom_id              INTEGER REFERENCES boms(id),
    verdict_set_id      INTEGER REFERENCES verdict_sets(id),
    duration_ms         INTEGER NOT NULL,
    components          INTEGER NOT NULL,
    with_license        INTEGER NOT NULL,
    with_spdx           INTEGER NOT NULL,
    projects            INTEGER NOT NULL,
    manifests_unlocked  INTEGER NOT NULL,  -- projects with a manifest and no lockfile
    allow               INTEGER,           -- verdict counts; NULL without a policy
    review              INTEGER,
    deny                INTEGER,
    expired_exceptions  INTEGER,
    ntia_checked        INTEGER NOT NULL,  -- component x element pairs checked
    ntia_missing        INTEGER NOT NULL,
    errors              INTEGER NOT NULL,  -- diagnostics by severity
    warnings            INTEGER NOT NULL,
    UNIQUE (run_id, repo_id)
);
CREATE INDEX scans_repo ON scans(repo_id, run_id);
CREATE INDEX scans_run_bom ON scans(run_id, bom_id);

CREATE TABLE diagnostics (
    scan_id   INTEGER NOT NULL REFERENCES scans(id),
    severity  TEXT NOT NULL,
    path      TEXT NOT NULL,
    line      INTEGER,
    message   TEXT NOT NULL
);
CREATE INDEX diagnostics_scan ON diagnostics(scan_id);

-- The first run each violation appeared in, per repository: kept at record time so
-- `violations --since` reads one row per violation instead of a year of history.
CREATE TABLE violation_first_seen (
    repo_id       INTEGER NOT NULL REFERENCES repositories(id),
    component_id  INTEGER NOT NULL REFERENCES components(id),
    action        TEXT NOT NULL,
    first_run_id  INTEGER NOT NULL REFERENCES runs(id),
    first_seen    INTEGER NOT NULL,
    PRIMARY KEY (repo_id, component_id, action)
) WITHOUT ROWID;
"#,
    r#"
-- Known vulnerabilities (`inventory --advisories`, `inventory rematch`).
-- What the run was matched against; NULL: not matched, so no finding is no news.
ALTER TABLE runs ADD COLUMN advisories TEXT;

-- An advisory as one run saw it, content-addressed: a re-rated or re-aliased advisory is a
-- new row, and older runs keep what they saw.
CREATE TABLE advisories (
    id        INTEGER PRIMARY KEY,
    digest    TEXT NOT NULL UNIQUE,
    vuln_id   TEXT NOT NULL,              -- the primary id (PYSEC-, GO-, GHSA-, CVE-...)
    aliases   TEXT NOT NULL,              -- the other ids, space-separated, sorted
    severity  TEXT NOT NULL,              -- critical | high | medium | low | none | unknown
    score     REAL,                       -- the best CVSS base score, if any
    summary   TEXT
);
-- Every id of an advisory, its own and its aliases: `query vulns --id CVE-...`.
CREATE TABLE advisory_ids (
    alias        TEXT NOT NULL COLLATE NOCASE,
    advisory_id  INTEGER NOT NULL REFERENCES advisories(id),
    PRIMARY KEY (alias, advisory_id)
) WITHOUT ROWID;

-- One row per vulnerable package of a run, not per repository: the repositories, paths
-- and scopes come from the run's stored BOMs (bom_components), so a package used in 300
-- repositories is one row.
CREATE TABLE findings (
    run_id        INTEGER NOT NULL REFERENCES runs(id),
    advisory_id   INTEGER NOT NULL REFERENCES advisories(id),
    component_id  INTEGER NOT NULL REFERENCES components(id),
    fixed         TEXT,                   -- the lowest fixed version above the found one
    suppressed    TEXT,                   -- why it does not count (VEX state, ignore), or NULL
    PRIMARY KEY (run_id, advisory_id, component_id)
) WITHOUT ROWID;
CREATE INDEX findings_component ON findings(component_id, run_id);
"#,
    r#"
-- What `--enrich` found about each component: who supplies it and its upkeep. Kept beside
-- the component in its stored BOM (the BOM's CycloneDX carries the same facts, so a changed
-- scorecard is a new BOM and older runs keep what they saw). NULL: not enriched, or not
-- known.
ALTER TABLE bom_components ADD COLUMN scorecard REAL;         -- OpenSSF Scorecard, 0 to 10
ALTER TABLE bom_components ADD COLUMN repository TEXT;        -- the source repository URL
ALTER TABLE bom_components ADD COLUMN archived INTEGER;       -- 1 if that repository is archived
ALTER TABLE bom_components ADD COLUMN latest_release TEXT;    -- YYYY-MM-DD of the latest release
ALTER TABLE bom_components ADD COLUMN supplier TEXT;          -- the NTIA supplier name
"#,
    r#"
-- Incremental runs: a repository whose commit (or, without git, whose catalogued files)
-- and scan settings are those of its last scan is not scanned again; its stored BOM is
-- reused. Scans recorded before this migration read as scanned, with no settings key, so
-- the first run after the upgrade scans every repository once.
ALTER TABLE scans ADD COLUMN status TEXT NOT NULL DEFAULT 'scanned';  -- scanned | reused
ALTER TABLE scans ADD COLUMN tree_digest TEXT;   -- no commit: SHA-256 of the catalogued files
ALTER TABLE scans ADD COLUMN scan_key TEXT;      -- the tool version and settings it was made with

-- A repository recorded in an earlier run and not found by this one.
CREATE TABLE removed_repositories (
    run_id       INTEGER NOT NULL REFERENCES runs(id),
    repo_id      INTEGER NOT NULL REFERENCES repositories(id),
    last_run_id  INTEGER NOT NULL REFERENCES runs(id),  -- the last run that recorded it
    PRIMARY KEY (run_id, repo_id)
) WITHOUT ROWID;
CREATE INDEX removed_repositories_repo ON removed_repositories(repo_id, run_id);
"#,
    r#"
-- Shards writing into one database at once (PostgreSQL: a CI matrix, a Kubernetes Indexed
-- Job) share one run, named by a key they all know (`inventory --run-key KEY`).
ALTER TABLE runs ADD COLUMN run_key TEXT;
CREATE UNIQUE INDEX runs_run_key ON runs(run_key);
-- The shards of a shared run. The run is finished when every one of its N shards is: a
-- killed worker leaves the night marked interrupted until that shard is run again.
CREATE TABLE run_shards (
    run_id       INTEGER NOT NULL REFERENCES runs(id),
    shard        INTEGER NOT NULL,        -- I of I/N, from 0
    shards       INTEGER NOT NULL,        -- N
    started_at   INTEGER NOT NULL,
    finished_at  INTEGER,
    PRIMARY KEY (run_id, shard)
) WITHOUT ROWID;

-- What dashboards (Grafana, Metabase) read: stable names over the tables, one row per
-- thing a person counts. Filter on run_id = (SELECT run_id FROM v_latest_run).
CREATE VIEW v_latest_run AS
  SELECT id AS run_id, label FROM runs WHERE finished_at IS NOT NULL
  ORDER BY started_at DESC, id DESC LIMIT 1;
CREATE VIEW v_runs AS
  SELECT r.id AS run_id, r.label, r.started_at, r.finished_at, r.policy, r.advisories,
         (SELECT count(*) FROM scans s WHERE s.run_id = r.id) AS repositories
  FROM runs r;
CREATE VIEW v_scans AS
  SELECT s.run_id, p.path AS repository, p.name, s.ok, s.error, s.commit_sha, s.branch,
         s.scanned_at, s.duration_ms, s.components, s.with_license, s.with_spdx,
         s.projects, s.manifests_unlocked, s.allow, s.review, s.deny,
         s.expired_exceptions, s.errors, s.warnings, s.status
  FROM scans s JOIN repositories p ON p.id = s.repo_id;
CREATE VIEW v_components AS
  SELECT s.run_id, p.path AS repository, c.purl, c.ecosystem, c.name, c.version,
         bc.scope, bc.license, bc.category, bc.location, bc.scorecard, bc.supplier
  FROM scans s JOIN repositories p ON p.id = s.repo_id
  JOIN bom_components bc ON bc.bom_id = s.bom_id
  JOIN components c ON c.id = bc.component_id;
CREATE VIEW v_violations AS
  SELECT s.run_id, p.path AS repository, c.purl, v.action, v.license, v.rule, v.reason
  FROM scans s JOIN repositories p ON p.id = s.repo_id
  JOIN verdicts v ON v.set_id = s.verdict_set_id
  JOIN components c ON c.id = v.component_id;
CREATE VIEW v_findings AS
  SELECT f.run_id, a.vuln_id, a.aliases, a.severity, a.score, c.purl, f.fixed, f.suppressed
  FROM findings f JOIN advisories a ON a.id = f.advisory_id
  JOIN components c ON c.id = f.component_id;
"#,
];

/// The schema version this build writes.
pub const VERSION: i64 = MIGRATIONS.len() as i64;

/// What PostgreSQL needs before the first migration: the `nocase` collation (SQLite's
/// `COLLATE NOCASE`), `group_concat` (SQLite's aggregate), and the table holding the
/// schema version (SQLite keeps it in `PRAGMA user_version`).
const POSTGRES_PRELUDE: &str = r#"
CREATE COLLATION IF NOT EXISTS nocase (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
CREATE OR REPLACE FUNCTION bomscout_concat(acc text, x text) RETURNS text
  LANGUAGE sql IMMUTABLE AS $$ SELECT CASE WHEN x IS NULL THEN acc WHEN acc IS NULL THEN x ELSE acc || ',' || x END $$;
CREATE OR REPLACE AGGREGATE group_concat(text) (SFUNC = bomscout_concat, STYPE = text);
CREATE TABLE IF NOT EXISTS bomscout_schema (version BIGINT NOT NULL);
"#;

/// Serializes migrations between processes on one PostgreSQL database (an advisory lock
/// key: "bomscout" in ASCII).
const POSTGRES_LOCK: i64 = 0x626f_6d73_636f_7574;

/// Brings `db` up to [`VERSION`], each migration in its own transaction.
///
/// Two runs may open the same new database at once: each migration runs holding the write
/// lock (SQLite: `BEGIN IMMEDIATE`; PostgreSQL: a transaction-scoped advisory lock) and
/// re-reads the schema version there, so only one of them applies it and the other sees
/// it applied.
pub fn migrate(db: &Db) -> Result<(), Error> {
    // The common case, an up-to-date database, takes no write lock.
    if check(version(db)?)? == VERSION {
        return Ok(());
    }
    loop {
        let done = db.transaction_immediate(|tx| {
            if let Db::Postgres(_) = tx {
                tx.query("SELECT pg_advisory_xact_lock(?1)", &vals![POSTGRES_LOCK])?;
                tx.execute_batch_verbatim(POSTGRES_PRELUDE)?;
            }
            let current = check(version(tx)?)?;
            let Some(sql) = usize::try_from(current)
                .ok()
                .and_then(|i| MIGRATIONS.get(i))
            else {
                // Up to date (another process may have just finished the work).
                return Ok(true);
            };
            match tx {
                Db::Sqlite(c) => {
                    c.execute_batch(sql)?;
                    c.pragma_update(None, "user_version", current + 1)?;
                }
                Db::Postgres(_) => {
                    tx.execute_batch(&ddl_to_postgres(sql))?;
                    tx.execute("DELETE FROM bomscout_schema", &[])?;
                    tx.execute(
                        "INSERT INTO bomscout_schema (version) VALUES (?1)",
                        &vals![current + 1],
                    )?;
                }
            }
            Ok(false)
        })?;
        if done {
            return Ok(());
        }
    }
}

/// The schema version recorded in the database (SQLite: `PRAGMA user_version`;
/// PostgreSQL: the `bomscout_schema` table, 0 before it exists).
pub(crate) fn version(db: &Db) -> Result<i64, Error> {
    match db {
        Db::Sqlite(c) => Ok(c.pragma_query_value(None, "user_version", |r| r.get(0))?),
        Db::Postgres(_) => {
            let exists: bool = db
                .query_one("SELECT to_regclass('bomscout_schema') IS NOT NULL", &[])?
                .get(0)?;
            if !exists {
                return Ok(0);
            }
            Ok(db
                .query_opt("SELECT version FROM bomscout_schema", &[])?
                .map(|r| r.get(0))
                .transpose()?
                .unwrap_or(0))
        }
    }
}

/// `current`, unless a newer bomscout wrote the database (or the version is negative).
fn check(current: i64) -> Result<i64, Error> {
    if !(0..=VERSION).contains(&current) {
        return Err(Error::Query(format!(
            "written by a newer bomscout (schema {current}; this one knows up to {VERSION})"
        )));
    }
    Ok(current)
}

#[cfg(test)]
mod tests {
    use crate::Store;
    use std::sync::{Arc, Barrier};

    /// Several processes (here: connections on several threads) creating the same new
    /// database at once all succeed: one migrates, the others see it done.
    #[test]
    fn concurrent_opens_of_a_new_database_all_succeed() {
        const THREADS: usize = 6;
        for round in 0..20 {
            let dir = tempfile::tempdir().unwrap();
            let path = Arc::new(dir.path().join("new.db"));
            let barrier = Arc::new(Barrier::new(THREADS));
            let handles: Vec<_> = (0..THREADS)
                .map(|_| {
                    let (path, barrier) = (Arc::clone(&path), Arc::clone(&barrier));
                    std::thread::spawn(move || {
                        barrier.wait();
                        Store::open(&path).map(|_| ()).map_err(|e| e.to_string())
                    })
                })
                .collect();
            for h in handles {
                let result = h.join().unwrap();
                assert!(result.is_ok(), "round {round}: {result:?}");
            }
            let store = Store::open(&path).unwrap();
            let version = super::version(store.db()).unwrap();
            assert_eq!(version, super::VERSION);
        }
    }
}
