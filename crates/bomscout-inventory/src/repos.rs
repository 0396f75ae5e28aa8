//! Finding the repositories under the roots, and sharding them.

use std::path::{Path, PathBuf};

/// One repository to scan.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Repo {
    /// Its identity across runs and machines: the path relative to the root's parent
    /// (`root-name/team/service`), `/`-separated. Shards checked out under different
    /// absolute directories still agree on it.
    pub path: String,
    /// Its directory name, for people.
    pub name: String,
    /// Where it is on this machine.
    pub abs: PathBuf,
}

/// Directories never searched for repositories: dependency trees and tool caches.
const SKIP: &[&str] = &[
    "node_modules",
    "vendor",
    "target",
    "site-packages",
    "__pycache__",
];

/// How deep under a root repositories are looked for (`org/team/group/repo` is 4).
const MAX_DEPTH: usize = 6;

/// The repositories under `roots`, sorted by path: with `children`, every immediate
/// subdirectory of a root; otherwise every directory holding a `.git` entry (a directory,
/// or a file as in worktrees and submodules), not descending into a repository found.
pub fn discover(roots: &[PathBuf], children: bool) -> std::io::Result<Vec<Repo>> {
    let mut out = Vec::new();
    for root in roots {
        let base = root_name(root);
        if children {
            for entry in sorted_dirs(root)? {
                let name = file_name(&entry);
                out.push(Repo {
                    path: format!("{base}/{name}"),
                    name,
                    abs: entry,
                });
            }
        } else {
            find(root, &base, 0, &mut out)?;
        }
    }
    out.sort();
    out.dedup_by(|a, b| a.path == b.path);
    Ok(out)
}

fn find(dir: &Path, rel: &str, depth: usize, out: &mut Vec<Repo>) -> std::io::Result<()> {
    if dir.join(".git").exists() {
        out.push(Repo {
            path: rel.to_string(),
            name: file_name(dir),
            abs: dir.to_path_buf(),
        });
        return Ok(());
    }
    if depth >= MAX_DEPTH {
        return Ok(());
    }
    let entries = match sorted_dirs(dir) {
        Ok(e) => e,
        // An unreadable directory below a root hides nothing we could have scanned.
        Err(_) if depth > 0 => return Ok(()),
        Err(e) => return Err(e),
    };
    for sub in entries {
        let name = file_name(&sub);
        if name.starts_with('.') || SKIP.contains(&name.as_str()) {
            continue;
        }
        find(&sub, &format!("{rel}/{name}"), depth + 1, out)?;
    }
    Ok(())
}

/// Subdirectories (not symlinks), sorted.
fn sorted_dirs(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .map(|e| e.path())
        .filter(|p| !file_name(p).starts_with('.'))
        .collect();
    dirs.sort();
    Ok(dirs)
}

/// The name a root's repositories' paths start with: the root's directory name (symlinks
/// resolved), `root` for `/`.
pub fn root_name(root: &Path) -> String {
    let absolute = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    let name = file_name(&absolute);
    if name.is_empty() {
        "root".to_string()
    } else {
        name
    }
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// `--shard I/N`: the `I`-th of `N` stable slices (0-based, so a Kubernetes Indexed Job's
/// `JOB_COMPLETION_INDEX` is used as is).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// Which slice, `0..count`.
    pub index: u64,
    /// How many slices.
    pub count: u64,
}

impl Shard {
    /// Parses `I/N` with `0 <= I < N`.
    pub fn parse(text: &str) -> Result<Shard, String> {
        let bad = || format!("--shard {text:?}: expected I/N with 0 <= I < N, e.g. 0/4");
        let (i, n) = text.split_once('/').ok_or_else(bad)?;
        let index: u64 = i.trim().parse().map_err(|_| bad())?;
        let count: u64 = n.trim().parse().map_err(|_| bad())?;
        if count == 0 || index >= count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }

    /// True if this shard scans the repository at `path` (its [`Repo::path`]). The hash
    /// is FNV-1a of the path: stable across machines, versions and runs.
    pub fn selects(&self, path: &str) -> bool {
        let mut h: u64 = 0xcbf29ce484222325;
        for b in path.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x100000001b3);
        }
        h % self.count == self.index
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn tree() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for d in [
            "org/a/.git",
            "org/team/b/.git",
            "org/team/b/sub/.git",
            "org/node_modules/x/.git",
            "org/.hidden/c/.git",
            "org/plain/src",
        ] {
            fs::create_dir_all(dir.path().join(d)).unwrap();
        }
        fs::create_dir_all(dir.path().join("org/wt")).unwrap();
        fs::write(dir.path().join("org/wt/.git"), "gitdir: /elsewhere\n").unwrap();
        dir
    }

    #[test]
    fn finds_repositories_without_descending_into_them() {
        let dir = tree();
        let repos = discover(&[dir.path().join("org")], false).unwrap();
        let paths: Vec<&str> = repos.iter().map(|r| r.path.as_str()).collect();
        assert_eq!(paths, ["org/a", "org/team/b", "org/wt"]);
        assert_eq!(repos[1].name, "b");
    }

    #[test]
    fn children_mode_takes_every_subdirectory() {
        let dir = tree();
        let repos = discover(&[dir.path().join("org")], true).unwrap();
        let paths: Vec<&str> = repos.iter().map(|r| r.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "org/a",
                "org/node_modules",
                "org/plain",
                "org/team",
                "org/wt"
            ]
        );
    }

    #[test]
    fn shards_partition_the_repositories() {
        let paths: Vec<String> = (0..1000).map(|i| format!("org/repo-{i}")).collect();
        let shards: Vec<Shard> = (0..4).map(|i| Shard { index: i, count: 4 }).collect();
        for p in &paths {
            assert_eq!(shards.iter().filter(|s| s.selects(p)).count(), 1, "{p}");
        }
        let first = paths.iter().filter(|p| shards[0].selects(p)).count();
        assert!((200..300).contains(&first), "{first} of 1000 in shard 0");
    }

    #[test]
    fn shard_syntax() {
        assert_eq!(Shard::parse("1/3"), Ok(Shard { index: 1, count: 3 }));
        for bad in ["3/3", "1", "a/b", "0/0", "-1/2"] {
            assert!(Shard::parse(bad).is_err(), "{bad}");
        }
    }
}
