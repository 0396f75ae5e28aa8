//! Where records come from: per-ecosystem `all.zip` exports (`{root}/{Ecosystem}/all.zip`, the
//! layout OSV publishes and osv-scanner reads offline) or any directory tree of `.json` /
//! `.yaml` records. Every read is bounded: a record over [`crate::Options::max_record_bytes`]
//! (declared or actual, so a zip bomb never inflates past it) is refused with a diagnostic.

use crate::Error;
use sha2::{Digest, Sha256};
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// What kind of source a database part is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SourceKind {
    /// One ecosystem's `all.zip` export.
    Export,
    /// A directory tree of record files.
    Tree,
}

/// One part of a database: one export or one tree.
#[derive(Debug, Clone)]
pub(crate) struct Source {
    /// The ecosystem directory's name for an export (`PyPI`), `.` for a tree.
    pub name: String,
    /// The OSV ecosystem an export holds (its directory's name); `None` for a tree.
    pub ecosystem: Option<String>,
    pub kind: SourceKind,
    /// The zip file or the tree's directory.
    pub path: PathBuf,
    /// Changes whenever the content may have changed (size + mtime of the zip; every
    /// record file's path, size and mtime for a tree).
    pub fingerprint: String,
    /// When the data was last written (the zip's mtime; the newest record file's).
    pub updated: Option<SystemTime>,
}

/// Deepest directory level a tree walk descends to.
const MAX_DEPTH: usize = 32;

/// Finds the sources under `root`: every `{root}/*/all.zip` (and `root` itself when it is
/// a zip file); when there is none, `root` as one tree of records.
pub(crate) fn discover(root: &Path, max_files: u64) -> Result<Vec<Source>, Error> {
    let meta = fs::metadata(root).map_err(|e| Error::Open {
        path: root.to_path_buf(),
        reason: e.to_string(),
    })?;
    if meta.is_file() {
        let name = root
            .parent()
            .and_then(Path::file_name)
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        return Ok(vec![export(root, &name, &meta)]);
    }
    let mut exports = Vec::new();
    let entries = fs::read_dir(root).map_err(|e| Error::Open {
        path: root.to_path_buf(),
        reason: e.to_string(),
    })?;
    for entry in entries.flatten() {
        let zip = entry.path().join("all.zip");
        if let Ok(meta) = fs::metadata(&zip) {
            if meta.is_file() {
                let name = entry.file_name().to_string_lossy().into_owned();
                exports.push(export(&zip, &name, &meta));
            }
        }
    }
    if !exports.is_empty() {
        exports.sort_by(|a, b| a.name.cmp(&b.name));
        return Ok(exports);
    }
    let files = tree_files(root, max_files)?;
    if files.is_empty() {
        return Err(Error::Empty {
            path: root.to_path_buf(),
        });
    }
    let mut hash = Sha256::new();
    let mut updated: Option<SystemTime> = None;
    for f in &files {
        hash.update(f.rel.as_bytes());
        hash.update(b"\0");
        hash.update(f.size.to_le_bytes());
        hash.update(nanos(f.mtime).to_le_bytes());
        updated = updated.max(f.mtime);
    }
    Ok(vec![Source {
        name: ".".into(),
        ecosystem: None,
        kind: SourceKind::Tree,
        path: root.to_path_buf(),
        fingerprint: format!("{:x}", hash.finalize()),
        updated,
    }])
}

fn export(zip: &Path, name: &str, meta: &fs::Metadata) -> Source {
    let mtime = meta.modified().ok();
    Source {
        name: name.to_string(),
        ecosystem: Some(name.to_string()),
        kind: SourceKind::Export,
        path: zip.to_path_buf(),
        fingerprint: format!("{}:{}", meta.len(), nanos(mtime)),
        updated: mtime,
    }
}

fn nanos(t: Option<SystemTime>) -> u128 {
    t.and_then(|t| t.duration_since(SystemTime::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos())
}

/// A record file in a tree.
#[derive(Debug)]
pub(crate) struct TreeFile {
    /// `/`-separated path relative to the tree's root.
    pub rel: String,
    pub abs: PathBuf,
    pub size: u64,
    pub mtime: Option<SystemTime>,
}

/// The format of a record file, from its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Json,
    Yaml,
}

pub(crate) fn format_of(name: &str) -> Option<Format> {
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".json") {
        Some(Format::Json)
    } else if lower.ends_with(".yaml") || lower.ends_with(".yml") {
        Some(Format::Yaml)
    } else {
        None
    }
}

/// Every `.json` / `.yaml` file under `root`, sorted by path. Hidden directories (`.git`,
/// `.github`) are skipped and symbolic links are not followed, so the walk ends.
pub(crate) fn tree_files(root: &Path, max_files: u64) -> Result<Vec<TreeFile>, Error> {
    let mut out = Vec::new();
    let mut stack = vec![(root.to_path_buf(), String::new(), 0usize)];
    while let Some((dir, rel, depth)) = stack.pop() {
        let Ok(entries) = fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') {
                continue;
            }
            let Ok(ty) = entry.file_type() else { continue };
            let child_rel = if rel.is_empty() {
                name.clone()
            } else {
                format!("{rel}/{name}")
            };
            if ty.is_dir() {
                if depth < MAX_DEPTH {
                    stack.push((entry.path(), child_rel, depth + 1));
                }
            } else if ty.is_file() && format_of(&name).is_some() {
                let meta = entry.metadata().ok();
                out.push(TreeFile {
                    rel: child_rel,
                    abs: entry.path(),
                    size: meta.as_ref().map_or(0, fs::Metadata::len),
                    mtime: meta.and_then(|m| m.modified().ok()),
                });
                if out.len() as u64 > max_files {
                    return Err(Error::TooManyFiles {
                        path: root.to_path_buf(),
                        limit: max_files,
                    });
                }
            }
        }
    }
    out.sort_by(|a, b| a.rel.cmp(&b.rel));
    Ok(out)
}

/// Reads at most `limit` bytes from `reader`; `Err(actual_or_more)` when there is more.
pub(crate) fn read_bounded(reader: impl Read, limit: u64) -> std::io::Result<Result<Vec<u8>, ()>> {
    let mut buf = Vec::new();
    reader.take(limit.saturating_add(1)).read_to_end(&mut buf)?;
    if buf.len() as u64 > limit {
        return Ok(Err(()));
    }
    Ok(Ok(buf))
}
