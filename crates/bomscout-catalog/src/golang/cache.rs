//! License files of modules in the local module cache (`$GOMODCACHE`, else
//! `$GOPATH/pkg/mod`, else `~/go/pkg/mod`), read only when caches may be read. Nothing is
//! downloaded: a module not in the cache simply gets no license evidence.

use bomscout_core::Component;
use bomscout_walk::{Tree, DISK};
use std::path::{Path, PathBuf};

/// The module cache root, if one exists on this machine.
pub fn root() -> Option<PathBuf> {
    let candidates = [
        std::env::var_os("GOMODCACHE").map(PathBuf::from),
        std::env::var_os("GOPATH").map(|p| PathBuf::from(p).join("pkg/mod")),
        std::env::var_os("HOME").map(|h| PathBuf::from(h).join("go/pkg/mod")),
    ];
    candidates.into_iter().flatten().find(|p| DISK.is_dir(p))
}

/// The cache directory of `path@version`: upper-case letters are escaped as `!` + lower
/// case (`github.com/Azure/x` → `github.com/!azure/x`). `None` for a module path or
/// version (from a scanned `go.mod`) that could leave the cache: `..`, absolute, `\\`.
pub fn module_dir(root: &Path, path: &str, version: &str) -> Option<PathBuf> {
    if !crate::paths::is_plain_path(path) || !crate::paths::is_plain_name(version) {
        return None;
    }
    let mut escaped = String::with_capacity(path.len() + 4);
    for c in path.chars() {
        if c.is_ascii_uppercase() {
            escaped.push('!');
            escaped.push(c.to_ascii_lowercase());
        } else {
            escaped.push(c);
        }
    }
    Some(root.join(format!("{escaped}@{version}")))
}

/// Adds the license evidence of the module's files in `dir` (on the host's disk), if it is
/// there.
pub fn add_licenses(component: &mut Component, dir: &Path, shown: &str, threshold: f32) {
    if DISK.is_dir(dir) {
        crate::license_files::add_evidence(&DISK, component, dir, shown, &[], threshold);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_encoding() {
        assert_eq!(
            module_dir(Path::new("/c"), "github.com/Azure/go-AMQP", "v1.0.0"),
            Some(PathBuf::from("/c/github.com/!azure/go-!a!m!q!p@v1.0.0"))
        );
        for (p, v) in [
            ("../../etc", "v1"),
            ("/etc", "v1"),
            ("a/b", "../v1"),
            ("a/b", "v/1"),
        ] {
            assert_eq!(module_dir(Path::new("/c"), p, v), None, "{p}@{v}");
        }
    }
}
