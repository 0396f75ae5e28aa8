//! Operating-system packages, read from the package databases of a root filesystem (a
//! chroot, an unpacked image, a mounted disk): dpkg ([`dpkg`]), Alpine's apk ([`apk`]) and
//! RPM's SQLite database ([`rpm`]), plus the release file that names the distribution
//! ([`release`]).
//!
//! These are installed-tree catalogers: besides the database they are given, they read the
//! release file of the same root (for the purl's namespace and `distro` qualifier) and, for
//! dpkg, each package's `usr/share/doc/<name>/copyright` ([`copyright`]). The root is the
//! directory the database's fixed path hangs from (`ROOT/var/lib/dpkg/status`); every file
//! read besides the input must resolve, symlinks included, inside that root and inside the
//! scan root, so a symlink in a hostile image never reaches the host's files.

pub mod apk;
pub mod copyright;
pub mod dpkg;
pub mod release;
pub mod rpm;

use crate::Input;
use bomscout_core::{Component, License};
use bomscout_walk::Tree;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Largest auxiliary file (a release file, a copyright file) read whole; past this only the
/// first this-many bytes are read.
pub const MAX_AUX_FILE: u64 = 1024 * 1024;

/// A root filesystem a package database was found in.
#[derive(Debug, Clone)]
pub struct Root {
    /// Its directory on disk (as given, not canonical).
    pub abs: PathBuf,
    /// Its path relative to the scan root, with a trailing `/` unless it is the scan root
    /// itself (then empty): prefix it to a root-relative path to get a scan-relative one.
    pub rel: String,
}

impl Root {
    /// The root that `input` hangs from at the fixed relative path `suffix`
    /// (`var/lib/dpkg/status`); `None` when the input's path does not end with it.
    pub fn of(input: &Input, suffix: &str) -> Option<Root> {
        let rel = input.path().strip_suffix(suffix)?;
        if !(rel.is_empty() || rel.ends_with('/')) {
            return None;
        }
        let mut abs = input.abs.to_path_buf();
        for _ in 0..suffix.split('/').count() {
            abs = abs.parent()?.to_path_buf();
        }
        Some(Root {
            abs,
            rel: rel.to_string(),
        })
    }

    /// The scan-relative form of a root-relative path.
    pub fn rel_path(&self, path: &str) -> String {
        format!("{}{path}", self.rel)
    }

    /// Reads the root-relative `path` of `tree` (its first [`MAX_AUX_FILE`] bytes) if it
    /// is a regular file that resolves, symlinks included, inside this root and inside the
    /// scan root `scan_root`; `None` when it is missing, unreadable, not a regular file (a
    /// FIFO would block) or outside.
    pub fn read(&self, tree: &dyn Tree, scan_root: &Path, path: &str) -> Option<Vec<u8>> {
        let real = self.resolve(tree, scan_root, path)?;
        if !tree.is_host() {
            // In memory already (bounded by the image reader): cut, as on disk. Anything
            // but a regular file is an error here.
            let mut bytes = tree.read(&real, u64::MAX).ok()?;
            bytes.truncate(usize::try_from(MAX_AUX_FILE).unwrap_or(usize::MAX));
            return Some(bytes);
        }
        // Opened without blocking (a FIFO would block a plain open), then only read if
        // what was opened is a regular file (never a FIFO or a device).
        let mut options = std::fs::OpenOptions::new();
        options.read(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY);
        }
        let file = options.open(&real).ok()?;
        if !file.metadata().ok()?.is_file() {
            return None;
        }
        let mut bytes = Vec::new();
        file.take(MAX_AUX_FILE).read_to_end(&mut bytes).ok()?;
        Some(bytes)
    }

    /// The real path of the root-relative `path` of `tree` when it exists and lies inside
    /// this root and inside `scan_root` (see [`Root::read`]).
    pub fn resolve(&self, tree: &dyn Tree, scan_root: &Path, path: &str) -> Option<PathBuf> {
        if !crate::paths::is_contained_relative(path) {
            return None;
        }
        let real_root = tree.canonicalize(&self.abs)?;
        let real = crate::paths::inside_root(tree, scan_root, &self.abs.join(path))?;
        real.starts_with(&real_root).then_some(real)
    }
}

/// Adds a declared license read from `field` of the database at `path`. A strict SPDX
/// conjunction of plain ids (`MIT AND BSD-3-Clause`) is one statement per id, the way
/// writers and readers of every SBOM format join and split a component's statements; any
/// other text (a choice, an exception, free text) is one statement as written.
pub fn add_declared(component: &mut Component, raw: &str, path: &str, field: &str) {
    let n = bomscout_license::normalize(raw);
    let strict = n.mapped_from.is_none() && n.expression.as_deref() == Some(raw.trim());
    let plain = !raw.contains(" OR ") && !raw.contains(" WITH ") && !raw.contains('(');
    if strict && plain {
        for term in raw.trim().split(" AND ") {
            component.add_license(License::declared(term, path, field));
        }
    } else {
        component.add_license(License::declared(raw, path, field));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Options;

    #[test]
    fn declared_conjunctions_are_statements() {
        let raws = |raw: &str| {
            let mut c = Component::new(bomscout_core::Ecosystem::Rpm, None, "x", "1").unwrap();
            add_declared(&mut c, raw, "db", "LICENSE");
            c.licenses.into_iter().map(|l| l.raw).collect::<Vec<_>>()
        };
        assert_eq!(raws("MIT AND BSD-3-Clause"), ["MIT", "BSD-3-Clause"]);
        assert_eq!(
            raws("(MIT OR Apache-2.0) AND Zlib"),
            ["(MIT OR Apache-2.0) AND Zlib"]
        );
        assert_eq!(raws("GPLv2+ and LGPLv2+"), ["GPLv2+ and LGPLv2+"]);
        assert_eq!(raws("MIT BSD GPL2+"), ["MIT BSD GPL2+"]);
    }

    /// A FIFO where a copyright file is expected is not read (and does not block).
    #[test]
    fn a_fifo_in_the_root_is_not_read() {
        let dir = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(dir.path()).unwrap();
        std::fs::create_dir_all(root.join("usr/share/doc/x")).unwrap();
        std::fs::write(root.join("usr/share/doc/x/README"), "ok").unwrap();
        assert!(std::process::Command::new("mkfifo")
            .arg(root.join("usr/share/doc/x/copyright"))
            .status()
            .unwrap()
            .success());
        let r = Root {
            abs: root.clone(),
            rel: String::new(),
        };
        let disk = &bomscout_walk::DISK;
        assert_eq!(
            r.read(disk, &root, "usr/share/doc/x/README"),
            Some(b"ok".to_vec())
        );
        assert_eq!(r.read(disk, &root, "usr/share/doc/x/copyright"), None);
    }

    #[test]
    fn root_of_a_nested_database() {
        let options = Options::default();
        let abs = Path::new("/scan/img/var/lib/dpkg/status");
        let input = Input {
            bytes: b"",
            shared_path: &bomscout_core::SharedStr::from("img/var/lib/dpkg/status"),
            abs,
            root: Path::new("/scan"),
            options: &options,
            tree: &bomscout_walk::DISK,
        };
        let root = Root::of(&input, "var/lib/dpkg/status").unwrap();
        assert_eq!(root.abs, Path::new("/scan/img"));
        assert_eq!(root.rel, "img/");
        assert_eq!(root.rel_path("etc/os-release"), "img/etc/os-release");
        assert!(Root::of(&input, "lib/apk/db/installed").is_none());
        let top = Input {
            shared_path: &bomscout_core::SharedStr::from("var/lib/dpkg/status"),
            abs: Path::new("/scan/var/lib/dpkg/status"),
            ..input
        };
        assert_eq!(Root::of(&top, "var/lib/dpkg/status").unwrap().rel, "");
        let glued = Input {
            shared_path: &bomscout_core::SharedStr::from("xvar/lib/dpkg/status"),
            ..input
        };
        assert!(Root::of(&glued, "var/lib/dpkg/status").is_none());
    }
}
