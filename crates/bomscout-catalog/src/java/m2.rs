//! The local Maven repository (`~/.m2/repository`): POMs of dependencies and parents, read
//! only when caches may be read, never downloaded.

use std::path::{Path, PathBuf};

/// `~/.m2/repository`, if it exists.
pub fn root() -> Option<PathBuf> {
    let home = std::env::var_os("HOME")?;
    let root = PathBuf::from(home).join(".m2/repository");
    root.is_dir().then_some(root)
}

/// Where `group:artifact:version`'s POM is in a repository laid out like Maven's.
pub fn pom_path(root: &Path, group: &str, artifact: &str, version: &str) -> PathBuf {
    let mut p = root.to_path_buf();
    p.extend(group.split('.'));
    p.push(artifact);
    p.push(version);
    p.push(format!("{artifact}-{version}.pom"));
    p
}

/// Reads a POM of at most 4 MiB.
pub fn read(path: &Path) -> Option<String> {
    use std::io::Read;
    let mut text = String::new();
    std::fs::File::open(path)
        .ok()?
        .take(4 << 20)
        .read_to_string(&mut text)
        .ok()?;
    Some(text)
}
