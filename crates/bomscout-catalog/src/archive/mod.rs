//! Packages that lie in a tree as built artifacts rather than as manifests: Rust
//! executables built with `cargo auditable` ([`auditable`]), Python wheels and eggs
//! ([`wheel`]), and npm tarballs ([`npm_tarball`]).
//!
//! Every archive is read from memory, never unpacked to disk, and no name inside one is
//! ever used as a path on disk: an entry called `../../etc/passwd` is only a string. Each
//! reader bounds what it inflates ([`MAX_ENTRIES`] entries looked at, [`MAX_META`] bytes of
//! a metadata entry, [`crate::license_files::MAX_FILE`] bytes of a license file,
//! [`MAX_INFLATED`] bytes of a whole tarball stream, [`auditable::MAX_DEP_INFO`] bytes of a
//! binary's dependency list); past a bound the entry is skipped with a diagnostic.
//!
//! A component found in an archive is located at the archive's path; the evidence of its
//! licenses names the entry inside it as `ARCHIVE!/ENTRY`
//! (`dist/six-1.17.0-py2.py3-none-any.whl!/six-1.17.0.dist-info/METADATA`), the form Java
//! tooling uses for `jar:` URLs.

pub mod auditable;
pub mod npm_tarball;
pub mod wheel;

use crate::{Input, ParseError};
use bomscout_core::{Catalog, Diagnostic, Edge, Hash, HashAlg, NodeRef};
use sha2::{Digest, Sha256, Sha512};
use std::io::Read;

/// Entries of one archive looked at.
pub const MAX_ENTRIES: usize = 65_536;
/// Bytes inflated of one metadata entry (`METADATA`, `PKG-INFO`, `package.json`).
pub const MAX_META: u64 = 1 << 20;
/// Bytes inflated of a whole tarball stream (a `.tgz` is read in one pass).
pub const MAX_INFLATED: u64 = 64 << 20;
/// License, notice and copyright files read from one archive (each at most
/// [`crate::license_files::MAX_FILE`] bytes), before the detector picks at most
/// [`crate::license_files::MAX_FILES`] of each kind.
pub const MAX_CANDIDATES: usize = 4 * crate::license_files::MAX_FILES;

/// An executable that may carry Go build info or a `cargo auditable` dependency list: the
/// `go-binary` cataloger's parser. The walker picks executables by name only (`bin/*`
/// without an extension, `*.exe`) and gives each file to one cataloger, so both readers
/// run here; each yields nothing, silently, for a file it does not recognize.
pub fn parse_executable(input: &Input) -> Result<Catalog, ParseError> {
    let mut catalog = crate::golang::binary::parse(input)?;
    match auditable::parse(input) {
        Ok(rust) => append(&mut catalog, rust),
        // A Go program whose bytes merely look like a broken Rust dependency list keeps
        // its Go findings; the problem is reported beside them.
        Err(e) if !catalog.packages.is_empty() || !catalog.projects.is_empty() => catalog
            .diagnostics
            .push(Diagnostic::warning(input.path(), e.to_string())),
        Err(e) => return Err(e),
    }
    Ok(catalog)
}

/// Moves everything in `from` into `into`, renumbering `from`'s nodes.
fn append(into: &mut Catalog, from: Catalog) {
    let (projects, packages) = (into.projects.len(), into.packages.len());
    let shift = |e: Edge| Edge {
        to: match e.to {
            NodeRef::Project(i) => NodeRef::Project(i + projects),
            NodeRef::Package(i) => NodeRef::Package(i + packages),
        },
        kind: e.kind,
    };
    for mut p in from.projects {
        p.deps = p.deps.into_iter().map(shift).collect();
        into.projects.push(p);
    }
    for mut p in from.packages {
        p.deps = p.deps.into_iter().map(shift).collect();
        into.packages.push(p);
    }
    into.diagnostics.extend(from.diagnostics);
}

/// Why a bounded read stopped.
#[derive(Debug)]
enum Capped {
    /// More than the limit: not read.
    TooLarge,
    /// The data could not be read (a truncated or corrupt stream).
    Broken(String),
}

impl std::fmt::Display for Capped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Capped::TooLarge => f.write_str("too large"),
            Capped::Broken(e) => f.write_str(e),
        }
    }
}

/// All of `reader`, unless it holds more than `cap` bytes.
fn read_capped(reader: impl Read, cap: u64) -> Result<Vec<u8>, Capped> {
    let mut out = Vec::new();
    reader
        .take(cap.saturating_add(1))
        .read_to_end(&mut out)
        .map_err(|e| Capped::Broken(e.to_string()))?;
    if out.len() as u64 > cap {
        return Err(Capped::TooLarge);
    }
    Ok(out)
}

/// The SHA-256 and SHA-512 of an archive's bytes (npm's `integrity` is the SHA-512 of the
/// tarball; a wheel's hash in a lockfile is its SHA-256).
fn archive_hashes(bytes: &[u8]) -> Vec<Hash> {
    let hex = |d: &[u8]| d.iter().map(|b| format!("{b:02x}")).collect::<String>();
    [
        Hash::hex(HashAlg::Sha256, &hex(&Sha256::digest(bytes))),
        Hash::hex(HashAlg::Sha512, &hex(&Sha512::digest(bytes))),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// `ARCHIVE!/ENTRY`: where inside an archive a piece of evidence came from.
fn inside(archive: &str, entry: &str) -> String {
    format!("{archive}!/{entry}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use bomscout_core::{Component, DepKind, Ecosystem, Project};

    #[test]
    fn append_renumbers_nodes() {
        let mut a = Catalog::default();
        a.add_package(Component::new(Ecosystem::Golang, None, "a", "v1").unwrap());
        let mut b = Catalog::default();
        let x = b.add_package(Component::new(Ecosystem::Cargo, None, "x", "1.0.0").unwrap());
        let y = b.add_package(Component::new(Ecosystem::Cargo, None, "y", "1.0.0").unwrap());
        b.add_edge(x, y, DepKind::Build);
        let mut p = Project::new(Ecosystem::Cargo, "bin/tool");
        p.add_dep(x, DepKind::Normal);
        b.add_project(p);
        append(&mut a, b);
        assert_eq!(a.packages.len(), 3);
        assert_eq!(a.packages[1].deps[0].to, NodeRef::Package(2));
        assert_eq!(a.projects[0].deps[0].to, NodeRef::Package(1));
    }

    #[test]
    fn read_capped_refuses_more_than_the_cap() {
        assert_eq!(read_capped(&b"abcd"[..], 4).unwrap(), b"abcd");
        assert!(matches!(
            read_capped(&b"abcde"[..], 4),
            Err(Capped::TooLarge)
        ));
    }
}
