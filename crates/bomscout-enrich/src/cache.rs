//! The answers cache: one SQLite file (`{cache_dir}/enrich/facts.sqlite`) shared by every
//! bomscout process on the machine.
//!
//! One row per (source, level, key): the source's name, what was asked (a version, a
//! package's latest release, a repository) and the key asked about (the package URL, or the
//! repository URL), holding the [`Answer`] as JSON and the time it was fetched.
//!
//! - What a published version is never changes: a found version-level answer is kept for
//!   good. "Not found" (the package may be published tomorrow), package-level answers (the
//!   latest release) and project-level answers (scorecards, archived) expire after the
//!   time to live; an expired row reads as absent and is replaced by the next answer.
//! - Several processes share the file: the database is in WAL mode (readers never wait for
//!   a writer), every connection waits up to [`BUSY_TIMEOUT`] for a lock, and writes take
//!   the write lock at their start (`BEGIN IMMEDIATE`), so two writers queue instead of
//!   failing with "database is locked". A row is replaced whole (`INSERT OR REPLACE`): two
//!   processes that fetched the same answer write the same row.
//! - The cache is an optimisation: a file that cannot be opened or read is reported by the
//!   caller and the run goes on without it.

use crate::Answer;
use rusqlite::{params, Connection, OpenFlags, OptionalExtension};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// How long a connection waits for another process's lock before giving up.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// The schema version this code reads and writes (`PRAGMA user_version`).
const SCHEMA_VERSION: i64 = 1;

/// What an answer is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// One version of a package (licenses, supplier, repository): kept for good when found.
    Version,
    /// A package as a whole (its latest release): expires.
    Package,
    /// A source repository (scorecard, archived): expires.
    Project,
}

impl Level {
    /// The name stored in the cache's `level` column.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Version => "version",
            Level::Package => "package",
            Level::Project => "project",
        }
    }
}

/// Why the cache could not be used.
#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    /// The directory could not be made.
    #[error("{}: cannot create the enrichment cache directory: {source}; check permissions or give another --cache-dir", path.display())]
    Dir {
        /// The directory.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// SQLite failed opening, reading or writing the file.
    #[error("{}: the enrichment cache cannot be used ({source}); delete the file to start a new one", path.display())]
    Sqlite {
        /// The cache file.
        path: PathBuf,
        /// The cause.
        source: rusqlite::Error,
    },
    /// The file was written by a newer bomscout.
    #[error("{}: the enrichment cache has schema version {found}, newer than this bomscout's {SCHEMA_VERSION}; upgrade bomscout or give another --cache-dir", path.display())]
    Newer {
        /// The cache file.
        path: PathBuf,
        /// The version found.
        found: i64,
    },
}

/// The open cache. Safe to share between threads (one connection behind a lock; SQLite
/// work is short next to a network request).
#[derive(Debug)]
pub struct Cache {
    path: PathBuf,
    conn: Mutex<Connection>,
    ttl: Duration,
}

/// One answer to store.
#[derive(Debug, Clone)]
pub struct Row<'a> {
    /// The source's name.
    pub source: &'a str,
    /// What was asked.
    pub level: Level,
    /// The key asked about (a package URL, a repository URL).
    pub key: &'a str,
    /// The answer.
    pub answer: &'a Answer,
}

impl Cache {
    /// The cache file under a cache directory: `{cache_dir}/enrich/facts.sqlite`.
    pub fn path_in(cache_dir: &Path) -> PathBuf {
        cache_dir.join("enrich").join("facts.sqlite")
    }

    /// Opens (creating when missing) the cache file at `path`; answers that may change
    /// expire after `ttl`.
    pub fn open(path: &Path, ttl: Duration) -> Result<Cache, CacheError> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|source| CacheError::Dir {
                path: dir.to_path_buf(),
                source,
            })?;
        }
        let sqlite = |source| CacheError::Sqlite {
            path: path.to_path_buf(),
            source,
        };
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(sqlite)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(sqlite)?;
        // Switching to WAL takes an exclusive lock for a moment; a process starting at the
        // same time may hold it, and this pragma does not always wait on the busy handler.
        with_busy_retries(|| {
            conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get::<_, String>(0))
        })
        .map_err(sqlite)?;
        conn.execute_batch("PRAGMA synchronous = NORMAL")
            .map_err(sqlite)?;
        let version: i64 =
            with_busy_retries(|| conn.query_row("PRAGMA user_version", [], |r| r.get(0)))
                .map_err(sqlite)?;
        if version > SCHEMA_VERSION {
            return Err(CacheError::Newer {
                path: path.to_path_buf(),
                found: version,
            });
        }
        with_busy_retries(|| {
            conn.execute_batch(
                "BEGIN IMMEDIATE;
                 CREATE TABLE IF NOT EXISTS answers (
                     source  TEXT NOT NULL,
                     level   TEXT NOT NULL,
                     key     TEXT NOT NULL,
                     found   INTEGER NOT NULL,
                     fetched INTEGER NOT NULL,
                     answer  TEXT NOT NULL,
                     PRIMARY KEY (source, level, key)
                 ) WITHOUT ROWID;
                 PRAGMA user_version = 1;
                 COMMIT;",
            )
            .inspect_err(|_| {
                let _ = conn.execute_batch("ROLLBACK");
            })
        })
        .map_err(sqlite)?;
        Ok(Cache {
            path: path.to_path_buf(),
            conn: Mutex::new(conn),
            ttl,
        })
    }

    /// The cache file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The stored answer of `source` for `key` at `level`, unless absent or expired.
    pub fn get(&self, source: &str, level: Level, key: &str) -> Result<Option<Answer>, CacheError> {
        Ok(self.get_many(&[(source, level, key)])?.pop().flatten())
    }

    /// The stored answers for many `(source, level, key)` questions, in order, read in one
    /// transaction (one snapshot, one lock).
    pub fn get_many(
        &self,
        questions: &[(&str, Level, &str)],
    ) -> Result<Vec<Option<Answer>>, CacheError> {
        let mut conn = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        let now = now_secs();
        let ttl = self.ttl.as_secs() as i64;
        let result = (|| {
            let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Deferred)?;
            let mut out = Vec::with_capacity(questions.len());
            {
                let mut stmt = tx.prepare_cached(
                    "SELECT found, fetched, answer FROM answers
                     WHERE source = ?1 AND level = ?2 AND key = ?3",
                )?;
                for (source, level, key) in questions {
                    let row: Option<(bool, i64, String)> = stmt
                        .query_row(params![source, level.as_str(), key], |r| {
                            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
                        })
                        .optional()?;
                    out.push(row.and_then(|(found, fetched, text)| {
                        let lasting = found && *level == Level::Version;
                        if !lasting && now.saturating_sub(fetched) >= ttl {
                            return None;
                        }
                        // A row this code cannot read (written by a bug, or hand-edited)
                        // is a miss: the answer is fetched again and the row replaced.
                        serde_json::from_str(&text).ok()
                    }));
                }
            }
            tx.commit()?;
            Ok(out)
        })();
        result.map_err(|source| self.error(source))
    }

    /// Stores answers, replacing what was there, in one transaction.
    pub fn put(&self, rows: &[Row<'_>]) -> Result<(), CacheError> {
        if rows.is_empty() {
            return Ok(());
        }
        let now = now_secs();
        let encoded: Vec<(bool, String)> = rows
            .iter()
            .filter_map(|r| {
                let found = matches!(r.answer, Answer::Found(_));
                serde_json::to_string(r.answer).ok().map(|t| (found, t))
            })
            .collect();
        let mut conn = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        let result = (|| {
            let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            {
                let mut stmt = tx.prepare_cached(
                    "INSERT OR REPLACE INTO answers (source, level, key, found, fetched, answer)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )?;
                for (row, (found, text)) in rows.iter().zip(&encoded) {
                    stmt.execute(params![
                        row.source,
                        row.level.as_str(),
                        row.key,
                        found,
                        now,
                        text
                    ])?;
                }
            }
            tx.commit()
        })();
        result.map_err(|source| self.error(source))
    }

    fn error(&self, source: rusqlite::Error) -> CacheError {
        CacheError::Sqlite {
            path: self.path.clone(),
            source,
        }
    }
}

/// Runs `f` again while SQLite says the database is busy or locked, for up to
/// [`BUSY_TIMEOUT`] (for the statements SQLite does not retry on its busy handler).
fn with_busy_retries<T>(mut f: impl FnMut() -> rusqlite::Result<T>) -> rusqlite::Result<T> {
    let start = std::time::Instant::now();
    let mut wait = Duration::from_millis(5);
    loop {
        match f() {
            Err(rusqlite::Error::SqliteFailure(e, _))
                if matches!(
                    e.code,
                    rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
                ) && start.elapsed() < BUSY_TIMEOUT =>
            {
                std::thread::sleep(wait);
                wait = (wait * 2).min(Duration::from_millis(200));
            }
            other => return other,
        }
    }
}

fn now_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::Facts;

    fn found(url: &str) -> Answer {
        Answer::found(Facts {
            url: url.into(),
            ..Facts::default()
        })
    }

    #[test]
    fn answers_round_trip_and_survive_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let path = Cache::path_in(dir.path());
        let a = found("http://x/a");
        {
            let cache = Cache::open(&path, Duration::from_secs(3600)).unwrap();
            assert_eq!(
                cache.get("npm", Level::Version, "pkg:npm/a@1").unwrap(),
                None
            );
            cache
                .put(&[Row {
                    source: "npm",
                    level: Level::Version,
                    key: "pkg:npm/a@1",
                    answer: &a,
                }])
                .unwrap();
        }
        let cache = Cache::open(&path, Duration::from_secs(3600)).unwrap();
        assert_eq!(
            cache.get("npm", Level::Version, "pkg:npm/a@1").unwrap(),
            Some(a)
        );
        // Another source, another level: other rows.
        assert_eq!(
            cache.get("pypi", Level::Version, "pkg:npm/a@1").unwrap(),
            None
        );
        assert_eq!(
            cache.get("npm", Level::Package, "pkg:npm/a@1").unwrap(),
            None
        );
    }

    #[test]
    fn only_found_versions_outlive_the_ttl() {
        let dir = tempfile::tempdir().unwrap();
        // A zero time to live: everything that may expire has expired at once.
        let cache = Cache::open(&Cache::path_in(dir.path()), Duration::ZERO).unwrap();
        let a = found("http://x/a");
        let missing = Answer::NotFound {
            url: "http://x/b".into(),
        };
        cache
            .put(&[
                Row {
                    source: "s",
                    level: Level::Version,
                    key: "found",
                    answer: &a,
                },
                Row {
                    source: "s",
                    level: Level::Version,
                    key: "missing",
                    answer: &missing,
                },
                Row {
                    source: "s",
                    level: Level::Package,
                    key: "found",
                    answer: &a,
                },
                Row {
                    source: "s",
                    level: Level::Project,
                    key: "found",
                    answer: &a,
                },
            ])
            .unwrap();
        assert_eq!(cache.get("s", Level::Version, "found").unwrap(), Some(a));
        assert_eq!(cache.get("s", Level::Version, "missing").unwrap(), None);
        assert_eq!(cache.get("s", Level::Package, "found").unwrap(), None);
        assert_eq!(cache.get("s", Level::Project, "found").unwrap(), None);
    }

    #[test]
    fn a_cache_dir_that_cannot_be_made_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("not-a-dir");
        std::fs::write(&file, b"x").unwrap();
        let err = Cache::open(&Cache::path_in(&file), Duration::from_secs(1)).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("not-a-dir"), "{text}");
        assert!(text.contains("--cache-dir"), "{text}");
    }

    #[test]
    fn a_cache_from_a_newer_bomscout_is_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = Cache::path_in(dir.path());
        drop(Cache::open(&path, Duration::from_secs(1)).unwrap());
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch("PRAGMA user_version = 7").unwrap();
        drop(conn);
        let err = Cache::open(&path, Duration::from_secs(1)).unwrap_err();
        assert!(err.to_string().contains("schema version 7"), "{err}");
    }

    #[test]
    fn a_corrupt_file_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = Cache::path_in(dir.path());
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, vec![0x5a; 8192]).unwrap();
        let err = Cache::open(&path, Duration::from_secs(1)).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("facts.sqlite"), "{text}");
        assert!(text.contains("delete the file"), "{text}");
    }
}
