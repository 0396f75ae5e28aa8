//! The parallel filesystem walk, and the table that maps a file to the cataloger that reads it.
//!
//! The walk reads no file contents: it yields [`Detected`] files, sorted, for
//! `bomscout-catalog` to parse. It never follows symlinks unless asked (and then detects
//! loops), prunes VCS internals, honours `--exclude` globs, and turns every unreadable
//! directory into a [`Diagnostic`] instead of stopping. `node_modules` and
//! `site-packages` are walked: installed-package records are evidence too.
#![deny(missing_docs)]

mod detect;
pub mod read;
pub mod tree;

pub use detect::detect;
pub use read::{read_if_exists, read_regular, read_regular_into, ReadError};
pub use tree::{DirEntry, Disk, EntryKind, MemEntry, MemTree, Tree, DISK};

use bomscout_core::{Detected, Diagnostic, Reporter};
use globset::{Glob, GlobSet, GlobSetBuilder};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

/// Directory names never descended into: version-control internals hold no packages.
const PRUNED_DIRS: &[&str] = &[".git", ".hg", ".svn"];

/// Report progress every this many entries.
const PROGRESS_EVERY: u64 = 4096;

/// How to walk.
#[derive(Debug, Clone, Default)]
pub struct WalkOptions {
    /// Follow symbolic links (loops are detected and reported).
    pub follow_links: bool,
    /// Globs of paths to skip. A glob without `/` matches a file or directory name at any
    /// depth (`node_modules`, `*.min.js`); one with `/` matches the path relative to the
    /// scan root (`vendor/**`, `**/testdata/**`).
    pub excludes: Vec<String>,
    /// Worker threads; 0 picks the number of cores.
    pub threads: usize,
}

/// A glob in `--exclude` did not parse.
#[derive(Debug, thiserror::Error)]
#[error("invalid --exclude glob {glob:?}: {source}")]
pub struct ExcludeError {
    glob: String,
    source: globset::Error,
}

/// What a walk found.
#[derive(Debug, Default)]
pub struct Walked {
    /// Detected files, sorted by relative path.
    pub files: Vec<Detected>,
    /// Directories or files that could not be read, symlink loops.
    pub diagnostics: Vec<Diagnostic>,
    /// How many directory entries were visited (for progress and benchmarks).
    pub entries: u64,
    /// Roots under which no file was detected, as given: a scan that finds nothing where
    /// the user pointed must say so rather than report an empty, clean result.
    pub empty_roots: Vec<PathBuf>,
}

/// Compiled exclude globs: names (no `/`) and paths (with `/`).
#[derive(Clone)]
struct Excludes {
    names: GlobSet,
    paths: GlobSet,
}

impl Excludes {
    fn new(globs: &[String]) -> Result<Excludes, ExcludeError> {
        let mut names = GlobSetBuilder::new();
        let mut paths = GlobSetBuilder::new();
        for g in globs {
            let trimmed = g.trim_start_matches("./").trim_end_matches('/');
            let glob = Glob::new(trimmed).map_err(|source| ExcludeError {
                glob: g.clone(),
                source,
            })?;
            if trimmed.contains('/') {
                paths.add(glob);
            } else {
                names.add(glob);
            }
        }
        let build = |b: GlobSetBuilder, g: &str| {
            b.build().map_err(|source| ExcludeError {
                glob: g.to_string(),
                source,
            })
        };
        Ok(Excludes {
            names: build(names, "")?,
            paths: build(paths, "")?,
        })
    }

    fn matches(&self, rel: &str, name: &str) -> bool {
        self.names.is_match(name) || self.paths.is_match(rel)
    }
}

/// Walks every root in parallel and returns the detected files.
///
/// Relative paths are relative to the root they were found under; when several roots are
/// given, each path is prefixed with its root as given, so that paths stay unique. A root
/// that is a file is catalogued as the file it is (see `file_root`).
pub fn walk(
    roots: &[PathBuf],
    options: &WalkOptions,
    reporter: &dyn Reporter,
) -> Result<Walked, ExcludeError> {
    walk_prefixed(roots, roots.len() > 1, options, reporter)
}

/// [`walk`], with each path prefixed by its root ([`root_prefix`]) when `prefix` is true
/// even for one root: a scan of a directory and a container image together prefixes the
/// directory's paths as it prefixes the image's.
pub fn walk_prefixed(
    roots: &[PathBuf],
    prefix: bool,
    options: &WalkOptions,
    reporter: &dyn Reporter,
) -> Result<Walked, ExcludeError> {
    let excludes = Excludes::new(&options.excludes)?;
    let mut out = Walked::default();
    for root in roots {
        let before = out.files.len();
        if std::fs::metadata(root).is_ok_and(|m| !m.is_dir()) {
            let prefix = |base: &Path| prefix.then(|| slash_path(base));
            file_root(root, prefix, &mut out);
        } else {
            let prefix = prefix.then(|| slash_path(root));
            walk_root(
                root,
                prefix.as_deref(),
                options,
                &excludes,
                reporter,
                &mut out,
            );
        }
        if out.files.len() == before {
            out.empty_roots.push(root.clone());
        }
    }
    out.files.sort();
    out.files.dedup();
    out.diagnostics.sort();
    Ok(out)
}

/// Detects the files of an in-memory tree (an image's merged layers) as [`walk`] detects
/// a directory's: the same [`detect`] table, the same excludes and pruned directories,
/// symbolic links never followed (a symlinked file is not detected twice), sorted output.
/// Each file's `abs` is [`MemTree::abs`] of its relative path and its `root` is
/// [`MemTree::ROOT`], so the catalogers read beside it through the same tree.
///
/// Nothing is read: a file whose contents the tree did not keep is still detected, and
/// reading it gives the cataloger a clear error.
pub fn walk_tree(tree: &MemTree, options: &WalkOptions) -> Result<Walked, ExcludeError> {
    let excludes = Excludes::new(&options.excludes)?;
    let mut out = Walked::default();
    // Directories skipped with all they hold; a parent's key sorts before its children's,
    // so it is decided before any of them is seen.
    let mut skipped: std::collections::HashSet<&str> = std::collections::HashSet::new();
    for (rel, entry) in tree.entries() {
        out.entries += 1;
        let (parent, name) = rel.rsplit_once('/').unwrap_or(("", rel));
        if !parent.is_empty() && skipped.contains(parent) {
            if entry.kind == EntryKind::Dir {
                skipped.insert(rel);
            }
            continue;
        }
        match entry.kind {
            EntryKind::Dir => {
                if PRUNED_DIRS.contains(&name) || excludes.matches(rel, name) {
                    skipped.insert(rel);
                }
            }
            EntryKind::File => {
                if excludes.matches(rel, name) {
                    continue;
                }
                if let Some(cataloger) = detect(rel) {
                    out.files.push(Detected {
                        rel: rel.to_string(),
                        abs: MemTree::abs(rel),
                        cataloger,
                        root: PathBuf::from(MemTree::ROOT),
                    });
                }
            }
            EntryKind::Symlink | EntryKind::Other => {}
        }
    }
    out.files.sort();
    Ok(out)
}

fn walk_root(
    root: &Path,
    prefix: Option<&str>,
    options: &WalkOptions,
    excludes: &Excludes,
    reporter: &dyn Reporter,
    out: &mut Walked,
) {
    let files = Mutex::new(Vec::new());
    let diagnostics = Mutex::new(Vec::new());
    let entries = AtomicU64::new(0);
    let detected = AtomicU64::new(0);
    let root_owned = root.to_path_buf();
    // What references in scanned files may reach, symlinks resolved.
    let canonical_root = canonical(root);
    let filter_root = root_owned.clone();
    let excludes = excludes.clone();
    ignore::WalkBuilder::new(root)
        .standard_filters(false)
        .follow_links(options.follow_links)
        .threads(options.threads)
        .filter_entry(move |entry| keep(&filter_root, &excludes, entry))
        .build_parallel()
        .run(|| {
            let root = &root_owned;
            let canonical_root = &canonical_root;
            let files = &files;
            let diagnostics = &diagnostics;
            let entries = &entries;
            let detected = &detected;
            Box::new(move |result| {
                let seen = entries.fetch_add(1, Ordering::Relaxed) + 1;
                if seen.is_multiple_of(PROGRESS_EVERY) {
                    reporter.walked(seen, detected.load(Ordering::Relaxed));
                }
                match result {
                    Ok(entry) => {
                        if entry.file_type().is_some_and(|t| t.is_file()) {
                            let rel = relative(root, entry.path());
                            if let Some(cataloger) = detect(&rel) {
                                let rel = match prefix {
                                    Some(p) => format!("{p}/{rel}"),
                                    None => rel,
                                };
                                let found = Detected {
                                    rel,
                                    abs: entry.into_path(),
                                    cataloger,
                                    root: canonical_root.clone(),
                                };
                                detected.fetch_add(1, Ordering::Relaxed);
                                files.lock().expect("no panics while held").push(found);
                            }
                        }
                    }
                    Err(err) => {
                        let d = walk_diagnostic(root, prefix, &err);
                        diagnostics.lock().expect("no panics while held").push(d);
                    }
                }
                ignore::WalkState::Continue
            })
        });
    out.files.extend(files.into_inner().unwrap_or_default());
    out.diagnostics
        .extend(diagnostics.into_inner().unwrap_or_default());
    out.entries += entries.into_inner();
}

/// A file given as a root: `bomscout scan app/package-lock.json` reads that file, with the
/// same relative path and context a scan of its directory would give it.
///
/// The file's cataloger is chosen from the path as given, because some names need their
/// directories (`vendor/modules.txt`, `x.dist-info/METADATA`); its relative path is the
/// shortest tail of that path that the detection table reads the same way, and the rest
/// is the base that path is relative to, so parsers find its siblings as usual. A file no
/// cataloger reads is an error: the user asked for it, and silence would look like a pass.
fn file_root(root: &Path, prefix: impl Fn(&Path) -> Option<String>, out: &mut Walked) {
    let given = slash_path(root);
    let Some(cataloger) = detect(given.trim_start_matches("./")) else {
        out.diagnostics.push(Diagnostic::error(
            given,
            "not a file bomscout reads (a lockfile, manifest or installed-package record); \
             give its directory to scan everything under it",
        ));
        return;
    };
    let components: Vec<&std::ffi::OsStr> = root
        .components()
        .filter(|c| matches!(c, std::path::Component::Normal(_)))
        .map(|c| c.as_os_str())
        .collect();
    let tail_len = (1..=components.len())
        .find(|&n| {
            let tail: PathBuf = components[components.len() - n..].iter().collect();
            detect(&slash_path(&tail)) == Some(cataloger)
        })
        .unwrap_or(1);
    let mut base = root.to_path_buf();
    for _ in 0..tail_len {
        base.pop();
    }
    let rel = relative(&base, root);
    let rel = match prefix(&base) {
        Some(p) if !p.is_empty() => format!("{p}/{rel}"),
        _ => rel,
    };
    out.files.push(Detected {
        rel,
        abs: root.to_path_buf(),
        cataloger,
        // The base its relative path starts from: its siblings are read for context.
        root: canonical(&base),
    });
}

/// `dir` with symlinks resolved (`.` for an empty path), or as given if that fails.
fn canonical(dir: &Path) -> PathBuf {
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf())
}

/// False for entries the walk must not yield or descend into: VCS internals, excludes.
fn keep(root: &Path, excludes: &Excludes, entry: &ignore::DirEntry) -> bool {
    let name = entry.file_name().to_string_lossy();
    let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
    if is_dir && PRUNED_DIRS.contains(&name.as_ref()) {
        return false;
    }
    entry.depth() == 0 || !excludes.matches(&relative(root, entry.path()), &name)
}

/// A walk error as a diagnostic naming the path it concerns.
fn walk_diagnostic(root: &Path, prefix: Option<&str>, err: &ignore::Error) -> Diagnostic {
    let path = error_path(err)
        .map(|p| relative(root, p))
        .unwrap_or_else(|| slash_path(root));
    let path = match prefix {
        Some(p) => format!("{p}/{path}"),
        None => path,
    };
    if is_loop(err) {
        return Diagnostic::warning(path, "symbolic link loop; not followed again");
    }
    // An unreadable directory is a whole subtree the result does not cover: as serious as
    // a file that could not be parsed, so `--strict` and the gate fail on it.
    Diagnostic::error(
        path,
        format!(
            "cannot read: {}; everything under it is missing from the result",
            io_message(err)
        ),
    )
}

fn error_path(err: &ignore::Error) -> Option<&Path> {
    match err {
        ignore::Error::WithPath { path, .. } => Some(path),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            error_path(err)
        }
        ignore::Error::Loop { child, .. } => Some(child),
        _ => None,
    }
}

fn is_loop(err: &ignore::Error) -> bool {
    match err {
        ignore::Error::Loop { .. } => true,
        ignore::Error::WithPath { err, .. }
        | ignore::Error::WithDepth { err, .. }
        | ignore::Error::WithLineNumber { err, .. } => is_loop(err),
        _ => false,
    }
}

fn io_message(err: &ignore::Error) -> String {
    match err {
        ignore::Error::WithPath { err, .. }
        | ignore::Error::WithDepth { err, .. }
        | ignore::Error::WithLineNumber { err, .. } => io_message(err),
        ignore::Error::Io(e) => e.to_string(),
        other => other.to_string(),
    }
}

/// `path` relative to `root`, `/`-separated. Non-UTF-8 names are escaped without loss
/// (see [`component_text`]), so two directories whose names differ only in invalid bytes
/// stay two projects; the absolute path is kept as bytes for reading.
fn relative(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let s = slash_path(rel);
    if s.is_empty() {
        ".".to_string()
    } else {
        s
    }
}

/// How a root's paths are prefixed when several roots are scanned together: the root as
/// given, `/`-separated, non-UTF-8 bytes escaped without loss.
pub fn root_prefix(path: &Path) -> String {
    slash_path(path)
}

fn slash_path(path: &Path) -> String {
    let mut out = String::new();
    for c in path.components() {
        let part = component_text(c.as_os_str());
        if part == "/" || part.is_empty() {
            if out.is_empty() {
                out.push('/');
            }
            continue;
        }
        if !out.is_empty() && !out.ends_with('/') {
            out.push('/');
        }
        out.push_str(&part);
    }
    out
}

/// A path component as text. Valid UTF-8 is kept as it is (a backslash doubled); each byte
/// of an invalid sequence becomes `\xNN`. The mapping is one-to-one, so the text can be
/// an identity, unlike `to_string_lossy`, which maps every invalid byte to U+FFFD.
#[cfg(unix)]
fn component_text(part: &std::ffi::OsStr) -> std::borrow::Cow<'_, str> {
    use std::os::unix::ffi::OsStrExt;
    let bytes = part.as_bytes();
    match std::str::from_utf8(bytes) {
        Ok(s) if !s.contains('\\') => std::borrow::Cow::Borrowed(s),
        _ => {
            let mut out = String::with_capacity(bytes.len() + 8);
            for chunk in bytes.utf8_chunks() {
                out.push_str(&chunk.valid().replace('\\', "\\\\"));
                for b in chunk.invalid() {
                    out.push_str(&format!("\\x{b:02x}"));
                }
            }
            std::borrow::Cow::Owned(out)
        }
    }
}

/// A path component as text (Windows names are UTF-16; unpaired surrogates are rare and
/// shown lossily).
#[cfg(not(unix))]
fn component_text(part: &std::ffi::OsStr) -> std::borrow::Cow<'_, str> {
    part.to_string_lossy()
}

#[cfg(test)]
mod tree_tests {
    use super::*;
    use std::sync::Arc;

    /// The same files, on disk and in memory: the two walks detect the same paths with
    /// the same catalogers (excludes, pruned directories and symlinks alike).
    #[test]
    fn a_tree_in_memory_is_walked_as_a_directory_is() {
        let files = [
            "package-lock.json",
            "app/node_modules/x/package.json",
            "app/node_modules/x/LICENSE",
            ".git/package-lock.json",
            "sub/.hg/Cargo.lock",
            "skipme/Cargo.lock",
            "deep/skipme/go.mod",
            "var/lib/dpkg/status",
            "usr/lib/os-release",
            "usr/lib/python3/site-packages/a-1.0.dist-info/METADATA",
            "src/main.rs",
        ];
        let dir = tempfile::tempdir().unwrap();
        let mut tree = MemTree::new();
        for f in files {
            let p = dir.path().join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(&p, "x").unwrap();
            tree.insert_file(f, 1, 0, Some(Arc::from(&b"x"[..])));
        }
        // Symlinks: a file and a directory, neither followed.
        std::fs::create_dir_all(dir.path().join("etc")).unwrap();
        std::os::unix::fs::symlink("../usr/lib/os-release", dir.path().join("etc/os-release"))
            .unwrap();
        std::os::unix::fs::symlink("app", dir.path().join("link")).unwrap();
        tree.insert_symlink("etc/os-release", "../usr/lib/os-release", 0);
        tree.insert_symlink("link", "app", 0);
        let options = WalkOptions {
            excludes: vec!["skipme".into()],
            threads: 1,
            ..WalkOptions::default()
        };
        let on_disk = walk(
            &[dir.path().to_path_buf()],
            &options,
            &bomscout_core::Silent,
        )
        .unwrap();
        let in_memory = walk_tree(&tree, &options).unwrap();
        let rows = |w: &Walked| -> Vec<(String, bomscout_core::Cataloger)> {
            w.files
                .iter()
                .map(|f| (f.rel.clone(), f.cataloger))
                .collect()
        };
        assert_eq!(rows(&in_memory), rows(&on_disk));
        assert_eq!(
            rows(&in_memory)
                .iter()
                .map(|r| r.0.as_str())
                .collect::<Vec<_>>(),
            [
                "app/node_modules/x/package.json",
                "package-lock.json",
                "usr/lib/os-release",
                "usr/lib/python3/site-packages/a-1.0.dist-info/METADATA",
                "var/lib/dpkg/status",
            ]
        );
        let f = &in_memory.files[0];
        assert_eq!(f.abs, MemTree::abs("app/node_modules/x/package.json"));
        assert_eq!(f.root, Path::new(MemTree::ROOT));
        assert!(walk_tree(
            &tree,
            &WalkOptions {
                excludes: vec!["a{".into()],
                ..WalkOptions::default()
            }
        )
        .is_err());
    }
}
