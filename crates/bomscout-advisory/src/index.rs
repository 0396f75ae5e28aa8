//! The on-disk index: one SQLite file per source (per ecosystem export, or per tree), built
//! once per version of the source and reused until the source changes.
//!
//! Each record is parsed once, at build time, and stored as compact JSON (deflated) with one
//! row per `(ecosystem, normalized name)` it affects, so a scan reads and parses only the
//! records of the packages it has. The file is written beside its final name and renamed
//! into place, so a reader never sees half an index, two builders never corrupt each
//! other, and a failed build keeps the previous index (used with a warning).

use crate::matching::normalize_name;
use crate::osv::Record;
use crate::source::{format_of, read_bounded, tree_files, Format, Source, SourceKind};
use crate::{Error, Options, SourceStatus};
use bomscout_core::escape::{quote, QUOTE_LIMIT};
use bomscout_core::{Diagnostic, Severity};
use flate2::read::DeflateDecoder;
use flate2::write::DeflateEncoder;
use flate2::Compression;
use rusqlite::{params, Connection, OpenFlags, OptionalExtension};
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

/// Bumped whenever the tables or the stored record form change: an index of another
/// version is rebuilt.
const SCHEMA: &str = "bomscout-osv-index-1";

/// Diagnostics kept per source; the rest are counted in one summary line.
const MAX_DIAGNOSTICS: usize = 50;

/// One source's index, open for lookups.
pub(crate) struct Index {
    conn: Connection,
    pub status: SourceStatus,
    pub diagnostics: Vec<Diagnostic>,
    /// For export sources: the OSV ecosystem it holds (lookups of others are skipped).
    pub ecosystem: Option<String>,
    /// The prefix of `Advisory.source.url` for its records (`PyPI/all.zip` or `.`).
    pub label: String,
    max_record_bytes: u64,
}

/// A record read back from an index.
pub(crate) struct Stored {
    pub entry: String,
    pub record: Record,
}

impl Index {
    /// Opens the index of `source`, building it first when it is missing or stale.
    pub fn open(source: &Source, label: String, options: &Options) -> Result<Index, Error> {
        let mut diagnostics = Vec::new();
        let conn = match &options.index_dir {
            Some(dir) => on_disk(source, dir, options, &mut diagnostics)?,
            None => {
                let mut conn = Connection::open_in_memory().map_err(|e| sql(&source.path, e))?;
                build(&mut conn, source, options)?;
                conn
            }
        };
        let (status, stored) = read_status(&conn, source).map_err(|e| sql(&source.path, e))?;
        diagnostics.extend(stored);
        Ok(Index {
            conn,
            status,
            diagnostics,
            ecosystem: source.ecosystem.clone(),
            label,
            max_record_bytes: options.max_record_bytes,
        })
    }

    /// The records that affect `name` (normalized) in `ecosystem`.
    pub fn lookup(&self, ecosystem: &str, name: &str) -> Result<Vec<Stored>, String> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT r.id, r.entry, r.data FROM packages p JOIN records r ON r.id = p.record \
                 WHERE p.ecosystem = ?1 AND p.name = ?2 ORDER BY r.id",
            )
            .map_err(|e| e.to_string())?;
        let rows = stmt
            .query_map(params![ecosystem, name], |row| {
                Ok((
                    row.get::<_, i64>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, Vec<u8>>(2)?,
                ))
            })
            .map_err(|e| e.to_string())?;
        let mut out = Vec::new();
        for row in rows {
            let (_, entry, data) = row.map_err(|e| e.to_string())?;
            let json = match read_bounded(DeflateDecoder::new(&data[..]), self.max_record_bytes) {
                Ok(Ok(json)) => json,
                _ => return Err(format!("record {entry} in the index is damaged")),
            };
            let record = Record::from_json(&json)
                .map_err(|e| format!("record {entry} in the index is damaged: {e}"))?;
            out.push(Stored { entry, record });
        }
        Ok(out)
    }
}

fn sql(path: &Path, e: rusqlite::Error) -> Error {
    Error::Index {
        path: path.to_path_buf(),
        reason: e.to_string(),
    }
}

/// The index file of `source` under `dir`: named after a hash of the source's path (so two
/// databases never share one) and the source's name (so a person can tell them apart).
fn index_path(source: &Source, dir: &Path) -> PathBuf {
    use sha2::{Digest, Sha256};
    let canonical = fs::canonicalize(&source.path).unwrap_or_else(|_| source.path.clone());
    let hash = Sha256::digest(canonical.to_string_lossy().as_bytes());
    let tag: String = source
        .name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .take(40)
        .collect();
    dir.join(format!("{}-{tag}.sqlite", &format!("{hash:x}")[..16]))
}

fn on_disk(
    source: &Source,
    dir: &Path,
    options: &Options,
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<Connection, Error> {
    let path = index_path(source, dir);
    if let Some(conn) = open_current(&path, Some(&source.fingerprint)) {
        return Ok(conn);
    }
    let built = fs::create_dir_all(dir)
        .map_err(|e| Error::Index {
            path: dir.to_path_buf(),
            reason: e.to_string(),
        })
        .and_then(|()| build_file(source, &path, options));
    match built {
        Ok(conn) => Ok(conn),
        Err(e @ (Error::Read { .. } | Error::Corrupt { .. })) => {
            // The source itself is broken: an older index of it is better than nothing.
            match open_current(&path, None) {
                Some(conn) => {
                    diagnostics.push(Diagnostic::warning(
                        source.path.display().to_string(),
                        format!(
                            "{e}; using the index built from its previous copy \
                             (run `bomscout advisories update` to replace it)"
                        ),
                    ));
                    Ok(conn)
                }
                None => Err(e),
            }
        }
        Err(e @ Error::Index { .. }) => {
            // The cache directory is not writable: index in memory for this run.
            diagnostics.push(Diagnostic::warning(
                dir.display().to_string(),
                format!("{e}; indexing in memory for this run, which is slower"),
            ));
            let mut conn = Connection::open_in_memory().map_err(|e| sql(&source.path, e))?;
            build(&mut conn, source, options)?;
            Ok(conn)
        }
        Err(e) => Err(e),
    }
}

/// Opens `path` read-only when it is an index of this schema (and of `fingerprint`, when
/// given).
fn open_current(path: &Path, fingerprint: Option<&str>) -> Option<Connection> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .ok()?;
    let meta = |key: &str| -> Option<String> {
        conn.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()
            .ok()
            .flatten()
    };
    if meta("schema").as_deref() != Some(SCHEMA) {
        return None;
    }
    if let Some(fp) = fingerprint {
        if meta("fingerprint").as_deref() != Some(fp) {
            return None;
        }
    }
    Some(conn)
}

fn build_file(source: &Source, path: &Path, options: &Options) -> Result<Connection, Error> {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let tmp = path.with_extension(format!("tmp-{}-{nanos}", std::process::id()));
    let result = (|| {
        let mut conn = Connection::open(&tmp).map_err(|e| sql(&tmp, e))?;
        conn.execute_batch("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;")
            .map_err(|e| sql(&tmp, e))?;
        build(&mut conn, source, options)?;
        conn.close().map_err(|(_, e)| sql(&tmp, e))?;
        fs::rename(&tmp, path).map_err(|e| Error::Index {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result?;
    open_current(path, Some(&source.fingerprint)).ok_or_else(|| Error::Index {
        path: path.to_path_buf(),
        reason: "the index just built could not be opened".into(),
    })
}

/// What a build counts.
#[derive(Default)]
struct Tally {
    records: u64,
    withdrawn: u64,
    skipped: u64,
    ecosystems: BTreeMap<String, u64>,
    newest: Option<String>,
    diagnostics: Vec<Diagnostic>,
    more_diagnostics: u64,
}

impl Tally {
    fn diagnose(&mut self, d: Diagnostic) {
        self.skipped += 1;
        if self.diagnostics.len() < MAX_DIAGNOSTICS {
            self.diagnostics.push(d);
        } else {
            self.more_diagnostics += 1;
        }
    }
}

fn build(conn: &mut Connection, source: &Source, options: &Options) -> Result<(), Error> {
    let e = |err| sql(&source.path, err);
    conn.execute_batch(
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
         CREATE TABLE records (id INTEGER PRIMARY KEY, entry TEXT NOT NULL, data BLOB NOT NULL);
         CREATE TABLE packages (ecosystem TEXT NOT NULL, name TEXT NOT NULL, record INTEGER NOT NULL);
         CREATE TABLE ecosystems (name TEXT PRIMARY KEY, records INTEGER NOT NULL);
         CREATE TABLE diagnostics (path TEXT NOT NULL, severity TEXT NOT NULL, message TEXT NOT NULL);",
    )
    .map_err(e)?;
    let tx = conn.transaction().map_err(e)?;
    let mut tally = Tally::default();
    {
        let mut insert_record = tx
            .prepare("INSERT INTO records (entry, data) VALUES (?1, ?2)")
            .map_err(e)?;
        let mut insert_package = tx
            .prepare("INSERT INTO packages (ecosystem, name, record) VALUES (?1, ?2, ?3)")
            .map_err(e)?;
        let mut add =
            |tally: &mut Tally, entry: &str, diag_path: &str, bytes: &[u8], format: Format| {
                let parsed = match format {
                    Format::Json => Record::from_json(bytes),
                    Format::Yaml => Record::from_yaml(bytes),
                };
                let record = match parsed {
                    Ok(r) => r,
                    Err(err) => {
                        tally.diagnose(Diagnostic::warning(
                            diag_path,
                            format!("record skipped: {err}"),
                        ));
                        return Ok(());
                    }
                };
                if record.withdrawn.is_some() {
                    tally.withdrawn += 1;
                    return Ok(());
                }
                let keys: BTreeSet<(String, String)> = record
                    .affected
                    .iter()
                    .filter_map(|a| a.package.as_ref())
                    .filter(|p| !p.ecosystem.is_empty() && !p.name.is_empty())
                    .map(|p| (p.ecosystem.clone(), normalize_name(&p.ecosystem, &p.name)))
                    .collect();
                if keys.is_empty() {
                    return Ok(());
                }
                let json = serde_json::to_vec(&record).unwrap_or_default();
                let mut enc = DeflateEncoder::new(Vec::new(), Compression::fast());
                let data = enc
                    .write_all(&json)
                    .and_then(|()| enc.finish())
                    .unwrap_or_default();
                insert_record.execute(params![entry, data])?;
                let key = tx.last_insert_rowid();
                for (eco, name) in &keys {
                    insert_package.execute(params![eco, name, key])?;
                }
                let ecos: BTreeSet<&str> = keys.iter().map(|(e, _)| e.as_str()).collect();
                for eco in ecos {
                    *tally.ecosystems.entry(eco.to_string()).or_default() += 1;
                }
                tally.records += 1;
                if let Some(m) = &record.modified {
                    if tally.newest.as_ref().is_none_or(|n| m > n) {
                        tally.newest = Some(m.clone());
                    }
                }
                Ok::<(), rusqlite::Error>(())
            };
        match source.kind {
            SourceKind::Export => read_zip(source, options, &mut add, &mut tally)?,
            SourceKind::Tree => {
                for file in tree_files(&source.path, options.max_files)? {
                    let shown = file.abs.display().to_string();
                    let Some(format) = format_of(&file.rel) else {
                        continue;
                    };
                    if file.size > options.max_record_bytes {
                        tally.diagnose(too_big(&shown, file.size, options.max_record_bytes));
                        continue;
                    }
                    let read = fs::File::open(&file.abs)
                        .and_then(|f| read_bounded(f, options.max_record_bytes));
                    match read {
                        Ok(Ok(bytes)) => {
                            add(&mut tally, &file.rel, &shown, &bytes, format).map_err(e)?
                        }
                        Ok(Err(())) => {
                            tally.diagnose(too_big(&shown, file.size, options.max_record_bytes))
                        }
                        Err(err) => tally.diagnose(Diagnostic::warning(
                            &shown,
                            format!("record skipped: it could not be read: {err}"),
                        )),
                    }
                }
            }
        }
        tx.execute_batch("CREATE INDEX packages_key ON packages (ecosystem, name);")
            .map_err(e)?;
        let mut meta = tx
            .prepare("INSERT INTO meta (key, value) VALUES (?1, ?2)")
            .map_err(e)?;
        let built = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let updated = source
            .updated
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
            .map_or(String::new(), |d| d.as_secs().to_string());
        for (k, v) in [
            ("schema", SCHEMA.to_string()),
            ("fingerprint", source.fingerprint.clone()),
            ("records", tally.records.to_string()),
            ("withdrawn", tally.withdrawn.to_string()),
            ("skipped", tally.skipped.to_string()),
            ("newest", tally.newest.clone().unwrap_or_default()),
            ("updated", updated),
            ("built", built.to_string()),
        ] {
            meta.execute(params![k, v]).map_err(e)?;
        }
        let mut eco = tx
            .prepare("INSERT INTO ecosystems (name, records) VALUES (?1, ?2)")
            .map_err(e)?;
        for (name, n) in &tally.ecosystems {
            eco.execute(params![name, n]).map_err(e)?;
        }
        if tally.more_diagnostics > 0 {
            let n = tally.more_diagnostics;
            tally.diagnostics.push(Diagnostic::warning(
                source.path.display().to_string(),
                format!("{n} more records skipped (only the first {MAX_DIAGNOSTICS} are listed)"),
            ));
        }
        let mut diag = tx
            .prepare("INSERT INTO diagnostics (path, severity, message) VALUES (?1, ?2, ?3)")
            .map_err(e)?;
        for d in &tally.diagnostics {
            let sev = match d.severity {
                Severity::Info => "info",
                Severity::Warning => "warning",
                Severity::Error => "error",
            };
            diag.execute(params![d.path, sev, d.message]).map_err(e)?;
        }
    }
    tx.commit().map_err(e)
}

fn too_big(path: &str, size: u64, limit: u64) -> Diagnostic {
    Diagnostic::warning(
        path,
        format!(
            "record skipped: it is {size} bytes or more, over the {limit}-byte limit for one \
             record (raise it with the advisory options if the record is genuine)"
        ),
    )
}

type Add<'a> = dyn FnMut(&mut Tally, &str, &str, &[u8], Format) -> Result<(), rusqlite::Error> + 'a;

fn read_zip(
    source: &Source,
    options: &Options,
    add: &mut Add<'_>,
    tally: &mut Tally,
) -> Result<(), Error> {
    let shown = source.path.display().to_string();
    let file = fs::File::open(&source.path).map_err(|e| Error::Read {
        path: source.path.clone(),
        reason: e.to_string(),
    })?;
    let mut archive =
        zip::ZipArchive::new(std::io::BufReader::new(file)).map_err(|e| Error::Corrupt {
            path: source.path.clone(),
            reason: e.to_string(),
        })?;
    if archive.len() as u64 > options.max_files {
        return Err(Error::TooManyFiles {
            path: source.path.clone(),
            limit: options.max_files,
        });
    }
    for i in 0..archive.len() {
        let mut entry = match archive.by_index(i) {
            Ok(entry) => entry,
            Err(err) => {
                tally.diagnose(Diagnostic::warning(
                    &shown,
                    format!("entry {i} skipped: {err}"),
                ));
                continue;
            }
        };
        if entry.is_dir() {
            continue;
        }
        let name = match entry.name() {
            Ok(name) => name.into_owned(),
            Err(err) => {
                tally.diagnose(Diagnostic::warning(
                    &shown,
                    format!("entry {i} skipped: its name is unreadable: {err}"),
                ));
                continue;
            }
        };
        let Some(format) = format_of(&name) else {
            continue;
        };
        let at = format!("{shown}: {}", quote(&name, QUOTE_LIMIT));
        if entry.size() > options.max_record_bytes {
            tally.diagnose(too_big(&at, entry.size(), options.max_record_bytes));
            continue;
        }
        match read_bounded(&mut entry, options.max_record_bytes) {
            Ok(Ok(bytes)) => {
                add(tally, &name, &at, &bytes, format).map_err(|e| sql(&source.path, e))?
            }
            Ok(Err(())) => tally.diagnose(too_big(&at, entry.size(), options.max_record_bytes)),
            Err(err) => tally.diagnose(Diagnostic::warning(
                &at,
                format!("record skipped: the archive entry is damaged: {err}"),
            )),
        }
    }
    Ok(())
}

fn read_status(
    conn: &Connection,
    source: &Source,
) -> rusqlite::Result<(SourceStatus, Vec<Diagnostic>)> {
    let meta: BTreeMap<String, String> = conn
        .prepare("SELECT key, value FROM meta")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let num = |k: &str| meta.get(k).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
    let ecosystems: BTreeMap<String, u64> = conn
        .prepare("SELECT name, records FROM ecosystems")?
        .query_map([], |r| Ok((r.get(0)?, r.get::<_, i64>(1)?.max(0) as u64)))?
        .collect::<Result<_, _>>()?;
    let diagnostics = conn
        .prepare("SELECT path, severity, message FROM diagnostics")?
        .query_map([], |r| {
            let sev: String = r.get(1)?;
            let severity = match sev.as_str() {
                "info" => Severity::Info,
                "error" => Severity::Error,
                _ => Severity::Warning,
            };
            Ok(Diagnostic::new(
                severity,
                r.get::<_, String>(0)?,
                r.get::<_, String>(2)?,
            ))
        })?
        .collect::<Result<_, _>>()?;
    let secs = |k: &str| {
        meta.get(k)
            .and_then(|v| v.parse::<u64>().ok())
            .map(|s| UNIX_EPOCH + std::time::Duration::from_secs(s))
    };
    let status = SourceStatus {
        name: source.name.clone(),
        kind: source.kind,
        path: source.path.clone(),
        records: num("records"),
        withdrawn: num("withdrawn"),
        skipped: num("skipped"),
        ecosystems,
        newest_modified: meta.get("newest").filter(|s| !s.is_empty()).cloned(),
        updated: secs("updated"),
        indexed: secs("built"),
    };
    Ok((status, diagnostics))
}
