//! Relative paths as the parsers use them: `/`-separated, relative to the scan root, `.` for
//! the root itself; and the checks that keep paths written in scanned files (or names from
//! lockfiles) from steering a read outside where it belongs:
//!
//! - [`inside_root`]: a file reached through a path written in a scanned file (an include,
//!   a parent POM, an MSBuild import) is read only if it resolves, symlinks included,
//!   inside the scan root;
//! - [`is_plain_name`]: a package name or version used to build a path (a vendored
//!   crate's directory, a cache entry) is one plain path component;
//! - [`is_contained_relative`]: a file name a package's metadata gives (`license-file`,
//!   `License-File`) is relative and stays inside the package's directory.

use bomscout_walk::Tree;
use std::path::{Path, PathBuf};

/// The directory part of a relative path (`.` for a file at the root).
pub fn dir_of(path: &str) -> &str {
    path.rsplit_once('/').map(|(d, _)| d).unwrap_or(".")
}

/// `dir` joined with a relative `sub` directory (`.` and `./` mean `dir` itself).
pub fn join_dir(dir: &str, sub: &str) -> String {
    let sub = sub.trim_start_matches("./").trim_end_matches('/');
    match (dir, sub) {
        (_, "" | ".") => dir.to_string(),
        (".", s) => s.to_string(),
        (d, s) => format!("{d}/{s}"),
    }
}

/// True for a single plain path segment (a package name used as a directory name): not
/// empty, not `.` or `..`, no separator. A lockfile naming `../x` must not steer reads
/// out of the directory it names.
pub fn is_plain_name(name: &str) -> bool {
    !name.is_empty() && name != "." && name != ".." && !name.contains(['/', '\\', '\0'])
}

/// True for a relative `/`-separated path of plain names only ([`is_plain_name`] for each
/// segment): a Go module path or a vendored module directory, used to build a path.
pub fn is_plain_path(path: &str) -> bool {
    path.split('/').all(is_plain_name)
}

/// `candidate` of `tree` with symlinks resolved, if it exists and lies inside `root` (which
/// must be canonical, as [`crate::Input::root`] is); `None` when it is outside the root or
/// cannot be resolved (missing). Callers say which reference was not followed, never what
/// the file holds.
pub fn inside_root(tree: &dyn Tree, root: &Path, candidate: &Path) -> Option<PathBuf> {
    let real = tree.canonicalize(candidate)?;
    real.starts_with(root).then_some(real)
}

/// True when something is at `path` itself, a symlink not followed (so a dangling link
/// counts): on disk, its `lstat`. A tree in memory resolves links inside itself only, so
/// there a dangling link is as good as missing.
pub fn exists_nofollow(tree: &dyn Tree, path: &Path) -> bool {
    if tree.is_host() {
        std::fs::symlink_metadata(path).is_ok()
    } else {
        tree.kind(path).is_some()
    }
}

/// True for a relative `/`-separated path that cannot leave the directory it is relative
/// to: not empty, not absolute, no `..` component, no `\\`, NUL or drive prefix.
pub fn is_contained_relative(path: &str) -> bool {
    !path.is_empty()
        && !path.starts_with('/')
        && !path.contains(['\\', '\0', ':'])
        && path.split('/').all(|seg| seg != "..")
}

#[cfg(test)]
mod tests {
    use super::*;
    use bomscout_walk::MemTree;
    use std::sync::Arc;

    #[test]
    fn inside_root_in_a_tree_in_memory() {
        let mut t = MemTree::new();
        t.insert_file("app/sub/in.txt", 1, 0, Some(Arc::from(&b"x"[..])));
        t.insert_file("secret", 1, 0, Some(Arc::from(&b"x"[..])));
        t.insert_symlink("app/link", "/secret", 0);
        t.insert_symlink("app/dangling", "nothing", 0);
        let app = MemTree::abs("app");
        assert_eq!(
            inside_root(&t, &app, &app.join("sub/../sub/in.txt")),
            Some(MemTree::abs("app/sub/in.txt"))
        );
        assert_eq!(inside_root(&t, &app, &app.join("link")), None, "out of app");
        let root = Path::new(MemTree::ROOT);
        assert_eq!(
            inside_root(&t, root, &app.join("link")),
            Some(MemTree::abs("secret"))
        );
        assert_eq!(inside_root(&t, root, &app.join("missing")), None);
        assert!(exists_nofollow(&t, &app.join("sub")));
        assert!(!exists_nofollow(&t, &app.join("dangling")));
        assert!(!exists_nofollow(&t, &app.join("missing")));
    }

    #[test]
    fn dirs() {
        assert_eq!(dir_of("uv.lock"), ".");
        assert_eq!(dir_of("a/b/uv.lock"), "a/b");
        assert_eq!(join_dir(".", "."), ".");
        assert_eq!(join_dir("a", "./pkg/x"), "a/pkg/x");
        assert_eq!(join_dir(".", "pkg"), "pkg");
    }

    #[test]
    fn plain_names() {
        for n in ["jason", "GRDB.swift", "http-1.1.0"] {
            assert!(is_plain_name(n), "{n}");
        }
        for n in ["", ".", "..", "../x", "a/b", "a\\b"] {
            assert!(!is_plain_name(n), "{n}");
        }
        assert!(is_plain_path("github.com/Azure/go-amqp"));
        for p in ["/etc", "a/../../b", "a//b", "a/", "a\\..\\b"] {
            assert!(!is_plain_path(p), "{p}");
        }
    }

    #[test]
    fn contained_relative_paths() {
        for p in ["LICENSE", "docs/LICENSE.txt", "./LICENSE", "a/./b"] {
            assert!(is_contained_relative(p), "{p}");
        }
        for p in [
            "",
            "/etc/shadow",
            "../x",
            "a/../../x",
            "a/..",
            "C:\\x",
            "a\\..\\b",
            "a\0",
        ] {
            assert!(!is_contained_relative(p), "{p}");
        }
    }

    #[test]
    fn only_paths_inside_the_root_resolve() {
        let dir = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(dir.path()).unwrap().join("root");
        std::fs::create_dir_all(root.join("sub")).unwrap();
        std::fs::write(root.join("sub/in.txt"), "x").unwrap();
        std::fs::write(dir.path().join("secret"), "x").unwrap();
        std::os::unix::fs::symlink(dir.path().join("secret"), root.join("link")).unwrap();
        let disk = &bomscout_walk::DISK;
        assert_eq!(
            inside_root(disk, &root, &root.join("sub/../sub/in.txt")),
            Some(root.join("sub/in.txt"))
        );
        assert_eq!(inside_root(disk, &root, &root.join("../secret")), None);
        assert_eq!(inside_root(disk, &root, &dir.path().join("secret")), None);
        assert_eq!(
            inside_root(disk, &root, &root.join("link")),
            None,
            "a symlink out"
        );
        assert_eq!(inside_root(disk, &root, &root.join("missing")), None);
        assert_eq!(inside_root(disk, &root, Path::new("/etc/passwd")), None);
    }
}
