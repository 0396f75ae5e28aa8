//! The cache directory, and the sidecar that remembers how a cached file was fetched.

use crate::NetError;
use serde::{Deserialize, Serialize};
use std::io::Read;
use std::path::{Path, PathBuf};

/// The environment variable naming the cache directory when `--cache-dir` is not given.
pub const CACHE_DIR_ENV: &str = "BOMSCOUT_CACHE_DIR";

/// bomscout's cache directory: `explicit` (the `--cache-dir` flag) if given, else
/// `BOMSCOUT_CACHE_DIR` if set and not empty, else the platform's cache directory
/// (`$XDG_CACHE_HOME` or `~/.cache` on Linux, `~/Library/Caches` on macOS, `%LOCALAPPDATA%`
/// on Windows) plus `bomscout`. The directory is not created here.
pub fn cache_dir(explicit: Option<&Path>) -> Result<PathBuf, NetError> {
    let env = std::env::var_os(CACHE_DIR_ENV);
    resolve(explicit, env.as_deref().map(Path::new), dirs::cache_dir())
}

/// Where `bomscout advisories update` keeps OSV's exports: `{cache}/osv`, holding
/// `{Ecosystem}/all.zip` (and each one's [`Sidecar`]). The advisory reader's default database.
pub fn osv_dir(explicit_cache: Option<&Path>) -> Result<PathBuf, NetError> {
    Ok(cache_dir(explicit_cache)?.join("osv"))
}

fn resolve(
    explicit: Option<&Path>,
    env: Option<&Path>,
    platform: Option<PathBuf>,
) -> Result<PathBuf, NetError> {
    if let Some(dir) = explicit {
        return Ok(dir.to_path_buf());
    }
    if let Some(dir) = env.filter(|d| !d.as_os_str().is_empty()) {
        return Ok(dir.to_path_buf());
    }
    platform
        .map(|d| d.join("bomscout"))
        .ok_or(NetError::NoCacheDir)
}

/// How a cached file was fetched, kept beside it as `FILE.meta` (JSON).
///
/// The name does not end in `.json` on purpose: a directory of cached OSV exports may be
/// handed to a reader that also accepts trees of OSV `.json` records, and the sidecar must not
/// pass for one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sidecar {
    /// The URL the file came from; conditional headers are only sent back to the same URL.
    pub url: String,
    /// The `ETag` of the last `200` response, sent back as `If-None-Match`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    /// The `Last-Modified` of the last `200` response, sent back as `If-Modified-Since`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<String>,
    /// When the file was last downloaded (RFC 3339, UTC).
    pub fetched_at: String,
    /// When the server last confirmed the file current (a `200` or a `304`; RFC 3339, UTC).
    pub checked_at: String,
    /// The file's size in bytes.
    pub bytes: u64,
}

/// Sidecars are tiny; anything larger is not one of ours.
const SIDECAR_LIMIT: u64 = 64 * 1024;

impl Sidecar {
    /// The sidecar's path for a cached file: `FILE.meta`.
    pub fn path_for(file: &Path) -> PathBuf {
        let mut name = file.as_os_str().to_owned();
        name.push(".meta");
        PathBuf::from(name)
    }

    /// The sidecar of `file`, if there is a readable one. A missing, oversized or corrupt
    /// sidecar is `None`: the next download is then unconditional, which is always safe.
    pub fn read(file: &Path) -> Option<Sidecar> {
        let f = std::fs::File::open(Self::path_for(file)).ok()?;
        let mut text = String::new();
        f.take(SIDECAR_LIMIT).read_to_string(&mut text).ok()?;
        serde_json::from_str(&text).ok()
    }

    /// When the server last confirmed the file current, if the sidecar's `checked_at` parses.
    pub fn checked_time(&self) -> Option<std::time::SystemTime> {
        let t: jiff::Timestamp = self.checked_at.parse().ok()?;
        std::time::SystemTime::try_from(t).ok()
    }

    /// Writes the sidecar of `file`, atomically (a temporary file renamed over the old one).
    pub fn write(&self, file: &Path) -> Result<(), NetError> {
        let path = Self::path_for(file);
        let dir = parent_dir(&path);
        let text = serde_json::to_string_pretty(self)
            .map_err(|e| NetError::io(&path, "serialize", std::io::Error::other(e)))?;
        let mut tmp = tempfile::Builder::new()
            .prefix(".sidecar.")
            .suffix(".part")
            .tempfile_in(dir)
            .map_err(|e| NetError::io(dir, "create a temporary file in", e))?;
        std::io::Write::write_all(&mut tmp, text.as_bytes())
            .map_err(|e| NetError::io(tmp.path(), "write", e))?;
        tmp.as_file()
            .sync_all()
            .map_err(|e| NetError::io(tmp.path(), "sync", e))?;
        tmp.persist(&path)
            .map_err(|e| NetError::io(&path, "replace", e.error))?;
        Ok(())
    }
}

/// The directory holding `path` (`.` for a bare file name).
pub(crate) fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// The current time as RFC 3339 UTC, seconds precision.
pub(crate) fn now_rfc3339() -> String {
    jiff::Timestamp::now()
        .round(jiff::Unit::Second)
        .unwrap_or_else(|_| jiff::Timestamp::now())
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_dir_precedence() {
        let flag = Path::new("/flag");
        let env = Path::new("/env");
        let platform = || Some(PathBuf::from("/home/u/.cache"));
        assert_eq!(
            resolve(Some(flag), Some(env), platform()).unwrap(),
            PathBuf::from("/flag")
        );
        assert_eq!(
            resolve(None, Some(env), platform()).unwrap(),
            PathBuf::from("/env")
        );
        assert_eq!(
            resolve(None, Some(Path::new("")), platform()).unwrap(),
            PathBuf::from("/home/u/.cache/bomscout")
        );
        assert_eq!(
            resolve(None, None, platform()).unwrap(),
            PathBuf::from("/home/u/.cache/bomscout")
        );
        assert!(matches!(
            resolve(None, None, None),
            Err(NetError::NoCacheDir)
        ));
    }

    #[test]
    fn sidecar_round_trip_and_corruption() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("all.zip");
        assert_eq!(Sidecar::path_for(&file), dir.path().join("all.zip.meta"));
        assert_eq!(Sidecar::read(&file), None);
        let meta = Sidecar {
            url: "http://127.0.0.1:1/npm/all.zip".into(),
            etag: Some("\"abc\"".into()),
            last_modified: None,
            fetched_at: now_rfc3339(),
            checked_at: now_rfc3339(),
            bytes: 42,
        };
        meta.write(&file).unwrap();
        assert_eq!(Sidecar::read(&file), Some(meta.clone()));
        let age = meta.checked_time().unwrap().elapsed().unwrap_or_default();
        assert!(age.as_secs() < 60, "{age:?}");
        let old = Sidecar {
            checked_at: "2020-01-02T03:04:05Z".into(),
            ..meta
        };
        assert_eq!(
            old.checked_time(),
            Some(std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_577_934_245))
        );
        std::fs::write(Sidecar::path_for(&file), "{not json").unwrap();
        assert_eq!(Sidecar::read(&file), None);
        // Nothing but the sidecar is left in the directory (no temporary files).
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["all.zip.meta"]);
    }

    #[test]
    fn timestamps_are_rfc3339_utc() {
        let now = now_rfc3339();
        assert!(now.ends_with('Z'), "{now}");
        assert!(now.parse::<jiff::Timestamp>().is_ok(), "{now}");
    }
}
