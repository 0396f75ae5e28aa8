//! Reading Cargo manifests: workspace members, dependency kinds, inherited fields.
//!
//! This is the documented I/O exception of the Cargo cataloger: a lockfile names members
//! but not where they live, and lists each member's dependencies without saying which are
//! dev or build dependencies. Both come from the manifests, read here with bounds (member
//! globs expand one path segment per `*`; path dependencies are followed at most
//! [`MAX_MANIFESTS`] manifests deep).

use bomscout_core::DepKind;
use bomscout_walk::{EntryKind, Tree};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use toml::{Table, Value};

/// At most this many manifests are read for one workspace.
pub const MAX_MANIFESTS: usize = 2_000;

/// A crate manifest that was read.
#[derive(Debug, Clone)]
pub struct Member {
    /// Its directory.
    pub dir: PathBuf,
    /// `package.name`.
    pub name: String,
    /// `package.version`, inherited from the workspace when `version.workspace = true`.
    pub version: Option<String>,
    /// `package.license`, inherited likewise.
    pub license: Option<String>,
    /// Dependency real name → kind (Normal beats Build beats Optional beats Dev when a name
    /// appears twice).
    pub kinds: HashMap<String, DepKind>,
}

/// Bytes read of one manifest.
const MAX_MANIFEST: u64 = 16 * 1024 * 1024;

/// Reads and parses a TOML file (a regular file of at most 16 MiB); `None` if it is
/// missing, unreadable or not TOML. With `root`, the file must resolve inside it: a
/// manifest reached through a path written in another (a member glob, a path dependency)
/// is never read from outside the scan root. Without, it is a cache file.
pub fn read_toml(tree: &dyn Tree, root: Option<&Path>, path: &Path) -> Option<Table> {
    let text = match root {
        Some(root) => crate::text::read_in_root(tree, root, path, MAX_MANIFEST),
        None => crate::text::read_side_file(tree, path, MAX_MANIFEST),
    };
    crate::nesting::toml(&text.ok()??).ok()
}

/// Every crate of the workspace whose root manifest is `root_dir/Cargo.toml`: the root
/// package if any, the `[workspace] members` (minus `exclude`), and path dependencies
/// reachable from them.
/// Manifests outside `scan_root` are not read.
pub fn members(tree: &dyn Tree, root_dir: &Path, scan_root: &Path) -> Vec<Member> {
    let Some(root) = read_toml(tree, Some(scan_root), &root_dir.join("Cargo.toml")) else {
        return Vec::new();
    };
    let ws = root.get("workspace").and_then(Value::as_table);
    let inherited = ws
        .and_then(|w| w.get("package"))
        .and_then(Value::as_table)
        .cloned()
        .unwrap_or_default();
    let mut queue: Vec<PathBuf> = vec![root_dir.to_path_buf()];
    if let Some(ws) = ws {
        let excluded: Vec<PathBuf> = strings(ws.get("exclude"))
            .iter()
            .map(|e| root_dir.join(e))
            .collect();
        for pattern in strings(ws.get("members")) {
            queue.extend(
                expand(tree, root_dir, &pattern)
                    .into_iter()
                    .filter(|d| !excluded.contains(d)),
            );
        }
    }
    let mut seen: BTreeMap<PathBuf, ()> = BTreeMap::new();
    let mut out = Vec::new();
    while let Some(dir) = queue.pop() {
        let dir = normalize(&dir);
        if seen.insert(dir.clone(), ()).is_some() || seen.len() > MAX_MANIFESTS {
            continue;
        }
        let Some(manifest) = read_toml(tree, Some(scan_root), &dir.join("Cargo.toml")) else {
            continue;
        };
        queue.extend(path_deps(&manifest).into_iter().map(|p| dir.join(p)));
        if let Some(m) = member(&dir, &manifest, &inherited) {
            out.push(m);
        }
    }
    out
}

fn member(dir: &Path, manifest: &Table, inherited: &Table) -> Option<Member> {
    let package = manifest.get("package").and_then(Value::as_table)?;
    let name = package.get("name").and_then(Value::as_str)?.to_string();
    Some(Member {
        dir: dir.to_path_buf(),
        name,
        version: field(package, inherited, "version"),
        license: field(package, inherited, "license"),
        kinds: dep_kinds(manifest),
    })
}

/// A `[package]` string field, or the workspace's when it says `field.workspace = true`.
pub fn field(package: &Table, inherited: &Table, key: &str) -> Option<String> {
    match package.get(key) {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Table(t)) if t.get("workspace").and_then(Value::as_bool) == Some(true) => {
            inherited
                .get(key)
                .and_then(Value::as_str)
                .map(str::to_string)
        }
        _ => None,
    }
}

/// Every dependency table of a manifest with its kind: `[dependencies]`,
/// `[dev-dependencies]`, `[build-dependencies]` and their `[target.'…'.*]` forms.
pub fn dep_tables(manifest: &Table) -> Vec<(&Table, DepKind)> {
    let kinds = [
        ("dependencies", DepKind::Normal),
        ("dev-dependencies", DepKind::Dev),
        ("dev_dependencies", DepKind::Dev),
        ("build-dependencies", DepKind::Build),
        ("build_dependencies", DepKind::Build),
    ];
    let targets = manifest
        .get("target")
        .and_then(Value::as_table)
        .into_iter()
        .flat_map(|t| t.values())
        .filter_map(Value::as_table);
    std::iter::once(manifest)
        .chain(targets)
        .flat_map(|t| {
            kinds.iter().filter_map(move |(k, kind)| {
                t.get(*k).and_then(Value::as_table).map(|d| (d, *kind))
            })
        })
        .collect()
}

/// The crate a dependency entry names: `package = "real"` when renamed, else its key.
pub fn real_name<'a>(key: &'a str, spec: &'a Value) -> &'a str {
    spec.get("package").and_then(Value::as_str).unwrap_or(key)
}

/// The kind of one entry: an `optional = true` normal dependency is compiled only when a
/// feature enables it, and Cargo.lock lists it either way, so it is Optional.
pub fn entry_kind(spec: &Value, kind: DepKind) -> DepKind {
    let optional = spec.get("optional").and_then(Value::as_bool) == Some(true);
    if optional && kind == DepKind::Normal {
        DepKind::Optional
    } else {
        kind
    }
}

fn dep_kinds(manifest: &Table) -> HashMap<String, DepKind> {
    let rank = |k: DepKind| match k {
        DepKind::Normal => 0,
        DepKind::Build => 1,
        DepKind::Optional => 2,
        _ => 3,
    };
    let mut out: HashMap<String, DepKind> = HashMap::new();
    for (table, table_kind) in dep_tables(manifest) {
        for (key, spec) in table {
            let kind = entry_kind(spec, table_kind);
            let e = out.entry(real_name(key, spec).to_string()).or_insert(kind);
            if rank(kind) < rank(*e) {
                *e = kind;
            }
        }
    }
    out
}

fn path_deps(manifest: &Table) -> Vec<String> {
    dep_tables(manifest)
        .into_iter()
        .flat_map(|(t, _)| t.values())
        .filter_map(|spec| spec.get("path").and_then(Value::as_str).map(str::to_string))
        .collect()
}

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// Expands a member pattern: each path segment that contains `*` or `?` matches directory
/// names in that position (glob syntax within one segment).
fn expand(tree: &dyn Tree, root: &Path, pattern: &str) -> Vec<PathBuf> {
    let mut dirs = vec![root.to_path_buf()];
    for segment in pattern.split('/').filter(|s| !s.is_empty() && *s != ".") {
        let is_glob = segment.contains(['*', '?', '[']);
        let matcher = globset::Glob::new(segment)
            .ok()
            .map(|g| g.compile_matcher());
        dirs = dirs
            .into_iter()
            .flat_map(|d| -> Vec<PathBuf> {
                match (&matcher, is_glob) {
                    (Some(m), true) => tree
                        .read_dir(&d)
                        .unwrap_or_default()
                        .into_iter()
                        .filter(|e| e.kind == EntryKind::Dir && m.is_match(&e.name))
                        .map(|e| d.join(e.name))
                        .collect(),
                    _ => vec![d.join(segment)],
                }
            })
            .collect();
    }
    dirs
}

/// `a/b/../c` → `a/c`, lexically, so one directory is one key.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            std::path::Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}
