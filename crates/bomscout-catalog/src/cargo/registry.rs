//! Declared licenses of registry crates, read offline from files cargo already has.
//!
//! Looked up, in order: the workspace's `vendor/<name>-<version>/` or `vendor/<name>/`
//! (what `cargo vendor` writes), then the local registry source cache
//! `$CARGO_HOME/registry/src/<index>/<name>-<version>/Cargo.toml` (`$CARGO_HOME` defaults to
//! `~/.cargo`). Results are memoized per process: a nightly scan of a thousand Rust
//! repositories reads each crate's manifest once. The cache is consulted only when
//! [`crate::Options::read_caches`] allows it (`--no-caches` keeps the scan to the tree itself).

use super::workspace::{field, read_toml};
use bomscout_walk::{Tree, DISK};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};
use toml::Value;

/// `(name, version)` → what the registry cache said, once per process.
type Memo = HashMap<(String, String), Option<Found>>;

/// A crate's declared license and where it was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// The path shown as evidence (`$CARGO_HOME/…` or the vendor path).
    pub shown_path: String,
    /// The crate's source directory, where its license files are.
    pub dir: PathBuf,
    /// `package.license`, if set.
    pub license: Option<String>,
    /// `package.license-file`, if set instead.
    pub license_file: Option<String>,
    /// True when read from the registry cache (the host's disk), false from `vendor/` (in
    /// the scanned tree).
    pub cached: bool,
}

/// The license of `name@version` from `vendor/` under `workspace` (a directory that has a
/// `vendor/`, and the scan root it must stay in; `None` when it has none) or the registry
/// cache. A name or version that is not one plain path component (`../../../x` in a hostile
/// lockfile) is never looked up.
pub fn lookup(
    tree: &dyn Tree,
    name: &str,
    version: &str,
    workspace: Option<(&Path, &Path)>,
    cargo_home: bool,
) -> Option<Found> {
    if !crate::paths::is_plain_name(name) || !crate::paths::is_plain_name(version) {
        return None;
    }
    if let Some(found) = workspace.and_then(|(w, root)| in_vendor(tree, w, root, name, version)) {
        return Some(found);
    }
    if !cargo_home {
        return None;
    }
    static CACHE: OnceLock<Mutex<Memo>> = OnceLock::new();
    let cache = CACHE.get_or_init(Mutex::default);
    let key = (name.to_string(), version.to_string());
    if let Some(hit) = cache.lock().ok().and_then(|c| c.get(&key).cloned()) {
        return hit;
    }
    let found = home().and_then(|h| in_registry_cache(&h, index_dirs(&h), name, version));
    if let Ok(mut c) = cache.lock() {
        c.insert(key, found.clone());
    }
    found
}

/// `$CARGO_HOME`, else `~/.cargo`.
fn home() -> Option<PathBuf> {
    std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
}

/// The registry source directories under a cargo home, listed once per process.
fn index_dirs(home: &Path) -> &'static [PathBuf] {
    static DIRS: OnceLock<Vec<PathBuf>> = OnceLock::new();
    DIRS.get_or_init(|| list_index_dirs(home))
}

/// `<home>/registry/src/*`, sorted.
pub fn list_index_dirs(home: &Path) -> Vec<PathBuf> {
    let src = home.join("registry").join("src");
    DISK.read_dir(&src)
        .unwrap_or_default()
        .into_iter()
        .map(|e| src.join(e.name))
        .collect()
}

/// Looks in each index directory for `<name>-<version>/Cargo.toml`.
pub fn in_registry_cache(
    home: &Path,
    index_dirs: &[PathBuf],
    name: &str,
    version: &str,
) -> Option<Found> {
    index_dirs.iter().find_map(|dir| {
        let manifest = dir.join(format!("{name}-{version}")).join("Cargo.toml");
        let shown = manifest
            .strip_prefix(home)
            .map(|rel| format!("$CARGO_HOME/{}", rel.to_string_lossy()))
            .unwrap_or_else(|_| manifest.to_string_lossy().into_owned());
        read(&DISK, None, &manifest, shown, name, version)
    })
}

fn in_vendor(
    tree: &dyn Tree,
    workspace: &Path,
    root: &Path,
    name: &str,
    version: &str,
) -> Option<Found> {
    [format!("{name}-{version}"), name.to_string()]
        .iter()
        .find_map(|d| {
            let manifest = workspace.join("vendor").join(d).join("Cargo.toml");
            read(
                tree,
                Some(root),
                &manifest,
                format!("vendor/{d}/Cargo.toml"),
                name,
                version,
            )
        })
}

/// Reads a crate manifest (inside `root`, if given), checking it is the crate asked for.
fn read(
    tree: &dyn Tree,
    root: Option<&Path>,
    manifest: &Path,
    shown_path: String,
    name: &str,
    version: &str,
) -> Option<Found> {
    let doc = read_toml(tree, root, manifest)?;
    let package = doc.get("package").and_then(Value::as_table)?;
    let empty = toml::Table::new();
    let is_it = package.get("name").and_then(Value::as_str) == Some(name)
        && field(package, &empty, "version").as_deref() == Some(version);
    is_it.then(|| Found {
        shown_path,
        dir: manifest.parent().map(Path::to_path_buf).unwrap_or_default(),
        license: package
            .get("license")
            .and_then(Value::as_str)
            .map(str::to_string),
        license_file: package
            .get("license-file")
            .and_then(Value::as_str)
            .map(str::to_string),
        cached: root.is_none(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fake_home() -> tempfile::TempDir {
        let home = tempfile::tempdir().unwrap();
        let krate = home
            .path()
            .join("registry/src/index.example-0123/itoa-1.0.19");
        std::fs::create_dir_all(&krate).unwrap();
        std::fs::write(
            krate.join("Cargo.toml"),
            "[package]\nname = \"itoa\"\nversion = \"1.0.19\"\nlicense = \"MIT OR Apache-2.0\"\n",
        )
        .unwrap();
        home
    }

    #[test]
    fn reads_the_registry_cache() {
        let home = fake_home();
        let dirs = list_index_dirs(home.path());
        let found = in_registry_cache(home.path(), &dirs, "itoa", "1.0.19").unwrap();
        assert_eq!(found.license.as_deref(), Some("MIT OR Apache-2.0"));
        assert_eq!(
            found.shown_path,
            "$CARGO_HOME/registry/src/index.example-0123/itoa-1.0.19/Cargo.toml"
        );
        assert_eq!(in_registry_cache(home.path(), &dirs, "itoa", "0.4.8"), None);
    }

    #[test]
    fn vendor_directories_win_and_must_match_the_version() {
        let ws = tempfile::tempdir().unwrap();
        let v = ws.path().join("vendor/memchr");
        std::fs::create_dir_all(&v).unwrap();
        std::fs::write(
            v.join("Cargo.toml"),
            "[package]\nname = \"memchr\"\nversion = \"2.8.3\"\nlicense = \"Unlicense OR MIT\"\n",
        )
        .unwrap();
        let at = Some((ws.path(), Path::new("/")));
        let found = lookup(&DISK, "memchr", "2.8.3", at, false).unwrap();
        assert_eq!(found.shown_path, "vendor/memchr/Cargo.toml");
        assert!(!found.cached);
        assert_eq!(lookup(&DISK, "memchr", "2.7.0", at, false), None);
    }
}
