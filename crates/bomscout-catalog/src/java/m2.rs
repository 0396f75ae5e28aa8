//! The local Maven repository (`~/.m2/repository`): POMs of dependencies and parents, read
//! only when caches may be read, never downloaded.

use bomscout_walk::{Tree, DISK};
use std::path::{Path, PathBuf};

/// `~/.m2/repository`, if it exists.
pub fn root() -> Option<PathBuf> {
    let home = std::env::var_os("HOME")?;
    let root = PathBuf::from(home).join(".m2/repository");
    DISK.is_dir(&root).then_some(root)
}

/// Where `group:artifact:version`'s POM is in a repository laid out like Maven's; `None`
/// when a group segment, the artifact or the version is not one plain path component
/// (coordinates come from scanned files and must not steer the read elsewhere).
pub fn pom_path(root: &Path, group: &str, artifact: &str, version: &str) -> Option<PathBuf> {
    let plain = group.split('.').all(crate::paths::is_plain_name)
        && crate::paths::is_plain_name(artifact)
        && crate::paths::is_plain_name(version);
    if !plain {
        return None;
    }
    let mut p = root.to_path_buf();
    p.extend(group.split('.'));
    p.push(artifact);
    p.push(version);
    p.push(format!("{artifact}-{version}.pom"));
    Some(p)
}

/// Reads a POM of at most 4 MiB of `tree` (a regular file only, see
/// [`crate::text::read_side_file`]); the local repository is on [`DISK`].
pub fn read(tree: &dyn Tree, path: &Path) -> Option<String> {
    crate::text::read_side_file(tree, path, 4 << 20).ok()?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coordinates_are_plain_path_components() {
        let root = Path::new("/m2");
        assert_eq!(
            pom_path(root, "org.x", "x", "1.0"),
            Some(PathBuf::from("/m2/org/x/x/1.0/x-1.0.pom"))
        );
        for (g, a, v) in [
            ("org..x", "x", "1"),
            ("org.x", "../../../etc", "1"),
            ("org.x", "x", "../1"),
            ("/etc", "x", "1"),
            ("org.x", "x", ""),
        ] {
            assert_eq!(pom_path(root, g, a, v), None, "{g}:{a}:{v}");
        }
    }
}
