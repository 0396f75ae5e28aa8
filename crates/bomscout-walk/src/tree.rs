//! Where a scan's files live: on disk ([`Disk`]), or in memory ([`MemTree`]), the merged
//! layers of a container image that is never unpacked.
//!
//! Catalogers that look beside the file they were given (license files, a package's
//! `dist-info` directory, Debian's copyright files) do so through a [`Tree`], never through
//! `std::fs`, so the same cataloger reads a checked-out repository and an image alike.
//!
//! Paths given to a tree are absolute: a disk path for [`Disk`], or a path under
//! [`MemTree::ROOT`] for a [`MemTree`]. That root holds a NUL byte on purpose: a cataloger
//! that slips and calls `std::fs` with an image's path gets an error, never the host's file
//! of the same name.

use crate::read::{read_regular, read_regular_into, ReadError};
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

/// What a path names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EntryKind {
    /// A regular file.
    File,
    /// A directory.
    Dir,
    /// A symbolic link (only from [`Tree::read_dir`], which does not follow links).
    Symlink,
    /// Anything else: a FIFO, socket or device. Never read.
    Other,
}

/// One entry of a directory listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirEntry {
    /// The entry's file name.
    pub name: String,
    /// What it is, symlinks not followed.
    pub kind: EntryKind,
}

/// A file tree a scan reads from. Implementations must never block and never read
/// outside the tree's bounds (see [`read_regular`] for what that means on disk).
pub trait Tree: Send + Sync + fmt::Debug {
    /// Reads the regular file at `path` (symlinks followed), at most `limit` bytes.
    fn read(&self, path: &Path, limit: u64) -> Result<Vec<u8>, ReadError>;

    /// [`Tree::read`] into `bytes` (replacing what it held), for a reader that reuses one
    /// buffer across files; a tree whose files are already in memory just hands one over.
    fn read_into(&self, path: &Path, limit: u64, bytes: &mut Vec<u8>) -> Result<(), ReadError> {
        bytes.clear();
        *bytes = self.read(path, limit)?;
        Ok(())
    }

    /// What `path` names, symlinks followed; `None` when nothing is there.
    fn kind(&self, path: &Path) -> Option<EntryKind>;

    /// The entries of the directory `path`, sorted by name, symlinks not followed.
    fn read_dir(&self, path: &Path) -> std::io::Result<Vec<DirEntry>>;

    /// `path` with every symlink resolved, or `None` when it does not exist.
    fn canonicalize(&self, path: &Path) -> Option<PathBuf>;

    /// True when paths are the host's own (a directory scan). Package caches outside the
    /// scanned paths (`~/.cargo`, `~/.m2`, ...) belong to the host, so only a scan on disk
    /// may read them.
    fn is_host(&self) -> bool;

    /// [`Tree::read`] for a file that may be absent: `Ok(None)` when there is none.
    fn read_if_exists(&self, path: &Path, limit: u64) -> Result<Option<Vec<u8>>, ReadError> {
        match self.read(path, limit) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(ReadError::NotFound) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// True when `path` is a regular file (symlinks followed).
    fn is_file(&self, path: &Path) -> bool {
        self.kind(path) == Some(EntryKind::File)
    }

    /// True when `path` is a directory (symlinks followed).
    fn is_dir(&self, path: &Path) -> bool {
        self.kind(path) == Some(EntryKind::Dir)
    }
}

/// The host's file system, read through [`read_regular`].
#[derive(Debug, Clone, Copy, Default)]
pub struct Disk;

/// The one [`Disk`], for `&'static dyn Tree`.
pub static DISK: Disk = Disk;

impl Tree for Disk {
    fn read(&self, path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
        read_regular(path, limit)
    }

    fn read_into(&self, path: &Path, limit: u64, bytes: &mut Vec<u8>) -> Result<(), ReadError> {
        read_regular_into(path, limit, bytes)
    }

    fn kind(&self, path: &Path) -> Option<EntryKind> {
        std::fs::metadata(path)
            .ok()
            .map(|m| kind_of(&m.file_type()))
    }

    fn read_dir(&self, path: &Path) -> std::io::Result<Vec<DirEntry>> {
        let mut out = Vec::new();
        for entry in std::fs::read_dir(path)? {
            let entry = entry?;
            let Ok(name) = entry.file_name().into_string() else {
                continue;
            };
            let kind = entry
                .file_type()
                .map(|t| kind_of(&t))
                .unwrap_or(EntryKind::Other);
            out.push(DirEntry { name, kind });
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }

    fn canonicalize(&self, path: &Path) -> Option<PathBuf> {
        std::fs::canonicalize(path).ok()
    }

    fn is_host(&self) -> bool {
        true
    }
}

fn kind_of(t: &std::fs::FileType) -> EntryKind {
    if t.is_file() {
        EntryKind::File
    } else if t.is_dir() {
        EntryKind::Dir
    } else if t.is_symlink() {
        EntryKind::Symlink
    } else {
        EntryKind::Other
    }
}

/// One entry of a [`MemTree`].
#[derive(Debug, Clone)]
pub struct MemEntry {
    /// What it is.
    pub kind: EntryKind,
    /// A regular file's size in bytes (as the archive declared it).
    pub size: u64,
    /// Index of the layer that last wrote this path (an image's layers, in order).
    pub layer: u32,
    /// A regular file's contents, when they were kept (see [`MemTree::insert_file`]).
    pub content: Option<Arc<[u8]>>,
    /// A symlink's target, as written.
    pub target: Option<String>,
}

/// Most symlinks followed while resolving one path, as Linux's `MAXSYMLINKS`.
const MAX_HOPS: usize = 40;

/// A file tree held in memory: an image's layers applied in order. Keys are relative,
/// `/`-separated paths without `.` or `..` (`usr/share/doc/bash/copyright`). Contents are
/// kept only for the files a scan may read; every other file is listed with its size.
///
/// Symlinks resolve as they do inside a container: an absolute target is relative to the
/// tree's root and `..` stops at the root, so no path ever resolves outside the tree.
#[derive(Debug, Clone, Default)]
pub struct MemTree {
    entries: BTreeMap<String, MemEntry>,
}

impl MemTree {
    /// The absolute path of the tree's root; see the module docs for the NUL.
    pub const ROOT: &'static str = "/\0image";

    /// An empty tree.
    pub fn new() -> MemTree {
        MemTree::default()
    }

    /// The absolute path of the relative path `rel`.
    pub fn abs(rel: &str) -> PathBuf {
        Path::new(Self::ROOT).join(rel)
    }

    /// The relative key of an absolute path under [`MemTree::ROOT`], lexically normalized
    /// (`.` dropped, `..` stopping at the root); `None` for a path outside the root.
    pub fn rel(path: &Path) -> Option<String> {
        let rest = path.strip_prefix(Self::ROOT).ok()?;
        Some(normalize(rest.to_str()?))
    }

    /// Adds (or replaces) a regular file, with its contents when they are kept. Missing
    /// parent directories are added, as a tar may omit them.
    pub fn insert_file(&mut self, rel: &str, size: u64, layer: u32, content: Option<Arc<[u8]>>) {
        self.insert(
            rel,
            MemEntry {
                kind: EntryKind::File,
                size,
                layer,
                content,
                target: None,
            },
        );
    }

    /// Adds a directory (an existing one keeps its children).
    pub fn insert_dir(&mut self, rel: &str, layer: u32) {
        let rel = normalize(rel);
        if self.entries.get(&rel).map(|e| e.kind) == Some(EntryKind::Dir) {
            return;
        }
        self.insert(
            &rel,
            MemEntry {
                kind: EntryKind::Dir,
                size: 0,
                layer,
                content: None,
                target: None,
            },
        );
    }

    /// Adds a symbolic link to `target` (as written in the archive).
    pub fn insert_symlink(&mut self, rel: &str, target: &str, layer: u32) {
        self.insert(
            rel,
            MemEntry {
                kind: EntryKind::Symlink,
                size: 0,
                layer,
                content: None,
                target: Some(target.to_string()),
            },
        );
    }

    /// Removes `rel` and everything under it (a whiteout).
    pub fn remove(&mut self, rel: &str) {
        let rel = normalize(rel);
        self.entries.remove(&rel);
        self.clear_dir(&rel);
    }

    /// Removes everything under the directory `rel`, keeping it (an opaque whiteout).
    pub fn clear_dir(&mut self, rel: &str) {
        let prefix = format!("{}/", normalize(rel));
        let doomed: Vec<String> = self
            .entries
            .range(prefix.clone()..)
            .take_while(|(k, _)| k.starts_with(&prefix))
            .map(|(k, _)| k.clone())
            .collect();
        for k in doomed {
            self.entries.remove(&k);
        }
    }

    /// Adds a FIFO, socket or device node: listed, never read.
    pub fn insert_other(&mut self, rel: &str, layer: u32) {
        self.insert(
            rel,
            MemEntry {
                kind: EntryKind::Other,
                size: 0,
                layer,
                content: None,
                target: None,
            },
        );
    }

    /// Removes everything under the directory `rel` (the whole tree for `""`) except the
    /// entries `keep` says to keep and the directories that lead to them: an opaque
    /// whiteout, which hides the lower layers' entries but not its own layer's. Returns how
    /// many entries it looked at, for a caller that bounds the work.
    pub fn clear_dir_except(&mut self, rel: &str, keep: impl Fn(&str, &MemEntry) -> bool) -> usize {
        let rel = normalize(rel);
        let prefix = if rel.is_empty() {
            String::new()
        } else {
            format!("{rel}/")
        };
        let mut kept_dirs: std::collections::HashSet<&str> = std::collections::HashSet::new();
        let mut doomed: Vec<String> = Vec::new();
        let under = self
            .entries
            .range(prefix.clone()..)
            .take_while(|(k, _)| k.starts_with(&prefix));
        for (k, e) in under.clone() {
            if keep(k, e) {
                let mut dir = k.as_str();
                while let Some((parent, _)) = dir.rsplit_once('/') {
                    if parent.len() < prefix.len() || !kept_dirs.insert(parent) {
                        break;
                    }
                    dir = parent;
                }
            }
        }
        let mut seen = 0;
        for (k, e) in under {
            seen += 1;
            if !keep(k, e) && !kept_dirs.contains(k.as_str()) {
                doomed.push(k.clone());
            }
        }
        for k in doomed {
            self.entries.remove(&k);
        }
        seen
    }

    /// The entry at `rel`, symlinks not followed.
    pub fn get(&self, rel: &str) -> Option<&MemEntry> {
        self.entries.get(rel)
    }

    /// Every entry, sorted by path.
    pub fn entries(&self) -> impl Iterator<Item = (&str, &MemEntry)> {
        self.entries.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// How many entries the tree holds.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True for a tree with no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The layer that last wrote the file `rel` resolves to.
    pub fn layer_of(&self, rel: &str) -> Option<u32> {
        let real = self.resolve(rel)?;
        self.entries.get(&real).map(|e| e.layer)
    }

    fn insert(&mut self, rel: &str, entry: MemEntry) {
        let rel = normalize(rel);
        if rel.is_empty() {
            return;
        }
        let mut parent = rel.as_str();
        while let Some((dir, _)) = parent.rsplit_once('/') {
            if !self.entries.contains_key(dir) {
                self.entries.insert(
                    dir.to_string(),
                    MemEntry {
                        kind: EntryKind::Dir,
                        size: 0,
                        layer: entry.layer,
                        content: None,
                        target: None,
                    },
                );
            }
            parent = dir;
        }
        if entry.kind != EntryKind::Dir {
            self.clear_dir(&rel);
        }
        self.entries.insert(rel, entry);
    }

    /// Resolves every symlink in `rel` (its parents' and its own), container style; `None`
    /// when a component is missing or the links loop.
    pub fn resolve(&self, rel: &str) -> Option<String> {
        let mut hops = 0;
        // The resolved prefix, kept as one string (a segment pushed or popped at its end),
        // so a long path costs its length, not its length times its depth.
        let mut here = String::new();
        let mut todo: Vec<String> = normalize(rel)
            .split('/')
            .filter(|s| !s.is_empty())
            .rev()
            .map(str::to_string)
            .collect();
        let pop = |here: &mut String| {
            let cut = here.rfind('/').unwrap_or(0);
            here.truncate(cut);
        };
        while let Some(seg) = todo.pop() {
            if seg == ".." {
                pop(&mut here);
                continue;
            }
            if !here.is_empty() {
                here.push('/');
            }
            here.push_str(&seg);
            let entry = self.entries.get(&here)?;
            if entry.kind != EntryKind::Symlink {
                continue;
            }
            hops += 1;
            if hops > MAX_HOPS {
                return None;
            }
            pop(&mut here);
            let target = entry.target.as_deref().unwrap_or("");
            if target.starts_with('/') {
                here.clear();
            }
            todo.extend(
                target
                    .split('/')
                    .filter(|s| !s.is_empty() && *s != ".")
                    .rev()
                    .map(str::to_string),
            );
        }
        Some(here)
    }

    fn resolved_entry(&self, path: &Path) -> Option<(String, &MemEntry)> {
        let rel = Self::rel(path)?;
        if rel.is_empty() {
            return None;
        }
        let real = self.resolve(&rel)?;
        let entry = self.entries.get(&real)?;
        Some((real, entry))
    }
}

impl Tree for MemTree {
    fn read(&self, path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
        let (_, entry) = self.resolved_entry(path).ok_or(ReadError::NotFound)?;
        match entry.kind {
            EntryKind::File => {}
            EntryKind::Dir => return Err(ReadError::NotRegular("a directory")),
            _ => return Err(ReadError::NotRegular("not a file")),
        }
        if entry.size > limit {
            return Err(ReadError::TooLarge {
                len: entry.size,
                limit,
            });
        }
        match &entry.content {
            Some(bytes) => Ok(bytes.to_vec()),
            None => Err(ReadError::Io(std::io::Error::other(
                "this file of the image was not kept in memory",
            ))),
        }
    }

    fn kind(&self, path: &Path) -> Option<EntryKind> {
        if Self::rel(path).as_deref() == Some("") {
            return Some(EntryKind::Dir);
        }
        self.resolved_entry(path).map(|(_, e)| e.kind)
    }

    fn read_dir(&self, path: &Path) -> std::io::Result<Vec<DirEntry>> {
        let not_found = || std::io::Error::from(std::io::ErrorKind::NotFound);
        let rel = Self::rel(path).ok_or_else(not_found)?;
        let dir = if rel.is_empty() {
            rel
        } else {
            let (real, entry) = self.resolved_entry(path).ok_or_else(not_found)?;
            if entry.kind != EntryKind::Dir {
                return Err(std::io::Error::other("not a directory"));
            }
            real
        };
        let prefix = if dir.is_empty() {
            String::new()
        } else {
            format!("{dir}/")
        };
        Ok(self
            .entries
            .range(prefix.clone()..)
            .take_while(|(k, _)| k.starts_with(&prefix))
            .filter_map(|(k, e)| {
                let name = &k[prefix.len()..];
                (!name.contains('/')).then(|| DirEntry {
                    name: name.to_string(),
                    kind: e.kind,
                })
            })
            .collect())
    }

    fn canonicalize(&self, path: &Path) -> Option<PathBuf> {
        let rel = Self::rel(path)?;
        if rel.is_empty() {
            return Some(PathBuf::from(Self::ROOT));
        }
        let real = self.resolve(&rel)?;
        Some(Self::abs(&real))
    }

    fn is_host(&self) -> bool {
        false
    }
}

/// `rel` without empty, `.` and leading `/` segments, with `..` applied and stopping at
/// the root.
fn normalize(rel: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    for c in Path::new(rel).components() {
        match c {
            Component::Normal(s) => {
                if let Some(s) = s.to_str() {
                    out.push(s);
                }
            }
            Component::ParentDir => {
                out.pop();
            }
            _ => {}
        }
    }
    out.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes(s: &str) -> Option<Arc<[u8]>> {
        Some(Arc::from(s.as_bytes()))
    }

    #[test]
    fn files_dirs_and_whiteouts() {
        let mut t = MemTree::new();
        t.insert_file("etc/os-release", 3, 0, bytes("a=b"));
        t.insert_file("usr/share/doc/bash/copyright", 1, 0, bytes("x"));
        t.insert_file("usr/share/doc/zsh/copyright", 1, 1, None);
        assert_eq!(t.kind(&MemTree::abs("usr/share/doc")), Some(EntryKind::Dir));
        assert_eq!(t.read(&MemTree::abs("etc/os-release"), 10).unwrap(), b"a=b");
        assert!(matches!(
            t.read(&MemTree::abs("etc/os-release"), 2),
            Err(ReadError::TooLarge { .. })
        ));
        assert!(t
            .read(&MemTree::abs("usr/share/doc/zsh/copyright"), 9)
            .is_err());
        let names: Vec<String> = t
            .read_dir(&MemTree::abs("usr/share/doc"))
            .unwrap()
            .into_iter()
            .map(|e| e.name)
            .collect();
        assert_eq!(names, ["bash", "zsh"]);
        t.remove("usr/share/doc/bash");
        assert!(!t.is_file(&MemTree::abs("usr/share/doc/bash/copyright")));
        t.clear_dir("usr/share/doc");
        assert!(t.is_dir(&MemTree::abs("usr/share/doc")));
        assert!(t
            .read_dir(&MemTree::abs("usr/share/doc"))
            .unwrap()
            .is_empty());
        assert_eq!(t.layer_of("etc/os-release"), Some(0));
    }

    #[test]
    fn opaque_clear_keeps_what_keep_says_and_its_parents() {
        let mut t = MemTree::new();
        t.insert_file("etc/a", 1, 0, None);
        t.insert_file("etc/sub/b", 1, 0, None);
        t.insert_file("etc/sub/c", 1, 1, None);
        t.insert_file("etc-x/d", 1, 0, None);
        t.insert_other("dev/null", 0);
        assert_eq!(t.clear_dir_except("etc", |_, e| e.layer == 1), 4);
        let keys: Vec<&str> = t.entries().map(|(k, _)| k).collect();
        assert_eq!(
            keys,
            [
                "dev",
                "dev/null",
                "etc",
                "etc-x",
                "etc-x/d",
                "etc/sub",
                "etc/sub/c"
            ]
        );
        assert_eq!(t.kind(&MemTree::abs("dev/null")), Some(EntryKind::Other));
        t.clear_dir_except("", |k, _| k == "etc-x/d");
        let keys: Vec<&str> = t.entries().map(|(k, _)| k).collect();
        assert_eq!(keys, ["etc-x", "etc-x/d"]);
    }

    #[test]
    fn symlinks_resolve_inside_the_root() {
        let mut t = MemTree::new();
        t.insert_file("usr/lib/os-release", 3, 0, bytes("x=y"));
        t.insert_symlink("etc/os-release", "../usr/lib/os-release", 0);
        t.insert_symlink("etc/abs", "/usr/lib/os-release", 0);
        t.insert_symlink("etc/escape", "../../../../usr/lib/os-release", 0);
        t.insert_symlink("loop/a", "b", 0);
        t.insert_symlink("loop/b", "a", 0);
        for link in ["etc/os-release", "etc/abs", "etc/escape"] {
            assert_eq!(t.read(&MemTree::abs(link), 9).unwrap(), b"x=y", "{link}");
        }
        assert!(matches!(
            t.read(&MemTree::abs("loop/a"), 9),
            Err(ReadError::NotFound)
        ));
        assert_eq!(
            t.canonicalize(&MemTree::abs("etc/abs")),
            Some(MemTree::abs("usr/lib/os-release"))
        );
        // The host's files are never reached through an image path.
        assert!(std::fs::metadata(MemTree::abs("etc")).is_err());
    }

    #[test]
    fn deep_paths_resolve_through_linked_directories() {
        let mut t = MemTree::new();
        let deep: Vec<String> = (0..2000).map(|i| format!("d{i}")).collect();
        let deep = deep.join("/");
        t.insert_file(&format!("real/{deep}/f"), 1, 0, bytes("x"));
        t.insert_symlink("link", "real", 0);
        assert_eq!(
            t.resolve(&format!("link/{deep}/f")),
            Some(format!("real/{deep}/f"))
        );
        assert_eq!(t.resolve(&format!("link/{deep}/../../d1998/f")), None);
        assert_eq!(
            t.resolve("link/d0/.."),
            Some("real".to_string()),
            "`..` after a link leaves the link's target, as the kernel does"
        );
    }
}
