//! A repository's checked-out commit and branch, read from `.git` directly: a nightly job
//! over thousands of repositories must not spawn `git` for each.
//!
//! Handles a `.git` directory and a `.git` file (`gitdir: …`, worktrees and submodules),
//! symbolic `HEAD` resolved through loose refs and `packed-refs`, and a detached `HEAD`.
//! Anything unreadable yields `None` fields, never an error: the scan matters more.

use std::path::{Path, PathBuf};

/// What `HEAD` points at.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Head {
    /// The commit id (hex), when it could be resolved.
    pub commit: Option<String>,
    /// The branch name (`main`), `None` when detached.
    pub branch: Option<String>,
}

/// Reads `HEAD` of the repository whose work tree is `repo`.
pub fn head(repo: &Path) -> Head {
    let Some(git_dir) = git_dir(repo) else {
        return Head::default();
    };
    let Some(text) = read_small(&git_dir.join("HEAD")) else {
        return Head::default();
    };
    let text = text.trim();
    match text.strip_prefix("ref:") {
        Some(reference) => {
            let reference = reference.trim();
            Head {
                commit: resolve(&git_dir, reference),
                branch: Some(
                    reference
                        .strip_prefix("refs/heads/")
                        .unwrap_or(reference)
                        .to_string(),
                ),
            }
        }
        None => Head {
            commit: is_object_id(text).then(|| text.to_string()),
            branch: None,
        },
    }
}

/// The git directory of a work tree: `.git` itself, or where a `.git` file points.
fn git_dir(repo: &Path) -> Option<PathBuf> {
    let dot_git = repo.join(".git");
    if dot_git.is_dir() {
        return Some(dot_git);
    }
    let text = read_small(&dot_git)?;
    let target = text.trim().strip_prefix("gitdir:")?.trim();
    Some(repo.join(target))
}

/// The commit a ref names: a loose ref file, else a `packed-refs` line. Worktrees keep
/// branch refs in the main repository (`commondir`).
fn resolve(git_dir: &Path, reference: &str) -> Option<String> {
    // A ref is a path under the git directory: `refs/…`, never `..` or absolute.
    if !reference.starts_with("refs/") || reference.split('/').any(|s| s == "..") {
        return None;
    }
    let common = read_small(&git_dir.join("commondir"))
        .map(|c| git_dir.join(c.trim()))
        .unwrap_or_else(|| git_dir.to_path_buf());
    for dir in [git_dir, common.as_path()] {
        if let Some(id) = read_small(&dir.join(reference)) {
            let id = id.trim();
            if is_object_id(id) {
                return Some(id.to_string());
            }
        }
        if let Some(packed) = read_small(&dir.join("packed-refs")) {
            let found = packed.lines().find_map(|line| {
                let (id, name) = line.split_once(' ')?;
                (name.trim() == reference && is_object_id(id)).then(|| id.to_string())
            });
            if found.is_some() {
                return found;
            }
        }
    }
    None
}

/// SHA-1 (40) or SHA-256 (64) hex.
fn is_object_id(s: &str) -> bool {
    (s.len() == 40 || s.len() == 64) && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Reads a small text file; refs files are tiny, packed-refs rarely more than megabytes.
/// Through [`bomscout_walk::read_regular`]: a FIFO or device planted as `.git/HEAD` is
/// refused, never waited on.
fn read_small(path: &Path) -> Option<String> {
    let bytes = bomscout_walk::read_regular(path, 64 * 1024 * 1024).ok()?;
    String::from_utf8(bytes).ok()
}

/// The tags naming `commit`, sorted: loose `refs/tags/…` files holding that id (lightweight
/// tags), and `packed-refs` lines holding it or peeling to it (`^id`, annotated tags packed
/// by `git pack-refs` or a clone). A loose annotated tag holds the id of its tag object,
/// which only the object store maps to the commit: such tags are not found (the caller falls
/// back to the commit). At most 10,000 loose tags are looked at.
pub fn tags_at(repo: &Path, commit: &str) -> Vec<String> {
    if !is_object_id(commit) {
        return Vec::new();
    }
    let Some(git_dir) = git_dir(repo) else {
        return Vec::new();
    };
    let common = read_small(&git_dir.join("commondir"))
        .map(|c| git_dir.join(c.trim()))
        .unwrap_or_else(|| git_dir.clone());
    let mut tags = Vec::new();
    let mut budget = 10_000usize;
    for dir in [git_dir.as_path(), common.as_path()] {
        loose_tags(&dir.join("refs/tags"), "", commit, &mut budget, &mut tags);
        if let Some(packed) = read_small(&dir.join("packed-refs")) {
            // A tag line's id is the commit, unless a `^peeled` line follows it: then the
            // id is the annotated tag's object and the peeled one is the commit.
            let mut pending: Option<(&str, &str)> = None;
            for line in packed.lines().chain(std::iter::once("")) {
                let peeled = line.strip_prefix('^').map(str::trim);
                if let Some((name, id)) = pending.take() {
                    if peeled.unwrap_or(id).eq_ignore_ascii_case(commit) {
                        tags.push(name.to_string());
                    }
                }
                if peeled.is_some() {
                    continue;
                }
                let Some((id, name)) = line.split_once(' ') else {
                    continue;
                };
                if let Some(tag) = name.trim().strip_prefix("refs/tags/") {
                    pending = Some((tag, id));
                }
            }
        }
    }
    tags.sort();
    tags.dedup();
    tags
}

/// Loose tag files under `dir` (`prefix` is the tag name's path so far) holding `commit`.
fn loose_tags(dir: &Path, prefix: &str, commit: &str, budget: &mut usize, out: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        if *budget == 0 {
            return;
        }
        *budget -= 1;
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        let name = entry.file_name().to_string_lossy().into_owned();
        let tag = if prefix.is_empty() {
            name
        } else {
            format!("{prefix}/{name}")
        };
        if kind.is_dir() {
            loose_tags(&entry.path(), &tag, commit, budget, out);
        } else if kind.is_file() {
            if let Some(id) = read_small(&entry.path()) {
                if id.trim().eq_ignore_ascii_case(commit) {
                    out.push(tag);
                }
            }
        }
    }
}

#[cfg(test)]
mod tag_tests {
    use super::*;
    use std::fs;

    const A: &str = "0123456789abcdef0123456789abcdef01234567";
    const B: &str = "89abcdef0123456789abcdef0123456789abcdef";
    const T: &str = "fedcba9876543210fedcba9876543210fedcba98";

    #[test]
    fn loose_and_packed_tags_at_a_commit() {
        let dir = tempfile::tempdir().unwrap();
        let git = dir.path().join(".git");
        fs::create_dir_all(git.join("refs/tags/release")).unwrap();
        fs::write(git.join("HEAD"), format!("{A}\n")).unwrap();
        fs::write(git.join("refs/tags/v1.0.0"), format!("{A}\n")).unwrap();
        fs::write(git.join("refs/tags/release/2026-12"), format!("{A}\n")).unwrap();
        fs::write(git.join("refs/tags/other"), format!("{B}\n")).unwrap();
        fs::write(
            git.join("packed-refs"),
            format!(
                "# pack-refs with: peeled fully-peeled sorted\n\
                 {A} refs/heads/main\n\
                 {A} refs/tags/v1.0.0\n\
                 {T} refs/tags/v0.9-annotated\n^{A}\n\
                 {T} refs/tags/v0.8-annotated-elsewhere\n^{B}\n\
                 {B} refs/tags/v0.1\n"
            ),
        )
        .unwrap();
        assert_eq!(
            tags_at(dir.path(), A),
            ["release/2026-12", "v0.9-annotated", "v1.0.0"]
        );
        assert_eq!(
            tags_at(dir.path(), B),
            ["other", "v0.1", "v0.8-annotated-elsewhere"]
        );
        assert!(tags_at(dir.path(), T).is_empty());
        assert!(tags_at(dir.path(), "not-an-id").is_empty());
        assert!(tags_at(Path::new("/nonexistent"), A).is_empty());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    const A: &str = "0123456789abcdef0123456789abcdef01234567";
    const B: &str = "89abcdef0123456789abcdef0123456789abcdef";

    fn repo_with(head: &str) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join(".git/refs/heads")).unwrap();
        fs::write(dir.path().join(".git/HEAD"), head).unwrap();
        dir
    }

    #[test]
    fn branch_from_a_loose_ref() {
        let dir = repo_with("ref: refs/heads/main\n");
        fs::write(dir.path().join(".git/refs/heads/main"), format!("{A}\n")).unwrap();
        let h = head(dir.path());
        assert_eq!(h.commit.as_deref(), Some(A));
        assert_eq!(h.branch.as_deref(), Some("main"));
    }

    #[test]
    fn branch_from_packed_refs() {
        let dir = repo_with("ref: refs/heads/release/1.x\n");
        let packed = format!(
            "# pack-refs with: peeled fully-peeled sorted\n{B} refs/heads/release/1.x\n^{A}\n"
        );
        fs::write(dir.path().join(".git/packed-refs"), packed).unwrap();
        let h = head(dir.path());
        assert_eq!(h.commit.as_deref(), Some(B));
        assert_eq!(h.branch.as_deref(), Some("release/1.x"));
    }

    #[test]
    fn a_fifo_head_or_hostile_ref_is_not_read() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join(".git")).unwrap();
        let made = std::process::Command::new("mkfifo")
            .arg(dir.path().join(".git/HEAD"))
            .status()
            .unwrap();
        assert!(made.success());
        assert_eq!(head(dir.path()), Head::default());
        let dir = repo_with("ref: refs/../../outside\n");
        fs::write(dir.path().join("outside"), format!("{A}\n")).unwrap();
        assert_eq!(head(dir.path()).commit, None);
    }

    #[test]
    fn detached_head() {
        let dir = repo_with(&format!("{A}\n"));
        assert_eq!(
            head(dir.path()),
            Head {
                commit: Some(A.into()),
                branch: None
            }
        );
    }

    #[test]
    fn gitdir_file_of_a_worktree() {
        let main = repo_with("ref: refs/heads/main\n");
        fs::write(main.path().join(".git/refs/heads/topic"), A).unwrap();
        let wt_git = main.path().join(".git/worktrees/wt");
        fs::create_dir_all(&wt_git).unwrap();
        fs::write(wt_git.join("HEAD"), "ref: refs/heads/topic\n").unwrap();
        fs::write(wt_git.join("commondir"), "../..\n").unwrap();
        let wt = tempfile::tempdir().unwrap();
        fs::write(
            wt.path().join(".git"),
            format!("gitdir: {}\n", wt_git.display()),
        )
        .unwrap();
        let h = head(wt.path());
        assert_eq!(h.commit.as_deref(), Some(A));
        assert_eq!(h.branch.as_deref(), Some("topic"));
    }

    #[test]
    fn unborn_branch_and_garbage_are_not_errors() {
        let dir = repo_with("ref: refs/heads/main\n");
        assert_eq!(head(dir.path()).commit, None);
        let dir = repo_with("\u{0}\u{ff}garbage");
        assert_eq!(head(dir.path()), Head::default());
        assert_eq!(head(Path::new("/nonexistent")), Head::default());
    }
}
