//! The parsers: one module per ecosystem, the one place that knows file formats.
//!
//! Every parser has the same shape, `fn parse(input: &Input) -> Result<Catalog, ParseError>`:
//! it gets a file's bytes and its path relative to the scan root, and returns the projects,
//! packages and edges the file describes. Parsers are pure: they read nothing but the bytes
//! given, except the catalogers of installed trees and Cargo's license lookup, which say so
//! in their docs. [`catalog_files`] runs them in parallel and turns every failure into a
//! [`Diagnostic`] naming the file, so one bad file never stops a scan.
#![deny(missing_docs)]
#![deny(clippy::string_slice)]

pub mod bun;
pub mod cargo;
pub mod cocoapods;
pub mod conan;
pub mod dart;
pub mod dotnet;
pub mod elixir;
pub mod erlang;
mod error;
pub mod github_actions;
pub mod golang;
pub mod haskell;
pub mod java;
pub mod license_files;
mod nesting;
pub mod npm;
mod paths;
pub mod php;
pub mod pnpm;
pub mod python;
pub mod r;
pub mod ruby;
pub mod sbom;
pub mod swift;
mod terms;
mod text;
pub mod vcpkg;
mod vcs;
mod xml;
pub mod yarn;

pub use error::ParseError;

use bomscout_core::{Catalog, Cataloger, Detected, Diagnostic, Reporter};
use rayon::prelude::*;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

/// Knobs that change what catalogers may do.
#[derive(Debug, Clone)]
pub struct Options {
    /// May catalogers read local package caches outside the scanned paths (the cargo
    /// registry in `$CARGO_HOME`, the Go module cache, `~/.m2`, NuGet's global packages,
    /// the pub cache, ...) for licenses? `--no-caches` turns this off, so nothing outside
    /// the scanned paths is read. No subprocess is ever run either way.
    pub read_caches: bool,
    /// Files larger than this are skipped with a diagnostic, so memory stays bounded.
    pub max_file_size: u64,
    /// Minimum confidence for a license file's text to count as license evidence.
    pub license_threshold: f32,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            read_caches: true,
            max_file_size: 256 * 1024 * 1024,
            license_threshold: bomscout_license::detect::DEFAULT_THRESHOLD,
        }
    }
}

/// One file handed to a parser.
#[derive(Debug, Clone, Copy)]
pub struct Input<'a> {
    /// The file's contents.
    pub bytes: &'a [u8],
    /// Its path relative to the scan root, `/`-separated; use it in every `Location`.
    pub path: &'a str,
    /// Where it is on disk. Pure parsers ignore it; installed-tree catalogers may read
    /// siblings through it.
    pub abs: &'a Path,
    /// The scan root it was found under, canonical (symlinks resolved). A path written in
    /// the file (an include, a parent POM, an import, a license file) is only followed when
    /// it resolves inside this root (`paths::inside_root`).
    pub root: &'a Path,
    /// Options of this run.
    pub options: &'a Options,
}

/// Runs the parser `cataloger` on one input.
pub fn parse(cataloger: Cataloger, input: &Input) -> Result<Catalog, ParseError> {
    match cataloger {
        Cataloger::NpmLock => npm::package_lock::parse(input),
        Cataloger::NpmManifest => npm::package_json::parse(input),
        Cataloger::NpmInstalled => npm::installed::parse(input),
        Cataloger::CargoLock => cargo::lock::parse(input),
        Cataloger::CargoManifest => cargo::manifest::parse(input),
        Cataloger::PipRequirements => python::requirements::parse(input),
        Cataloger::PipfileLock => python::pipfile_lock::parse(input),
        Cataloger::PoetryLock => python::poetry_lock::parse(input),
        Cataloger::UvLock => python::uv_lock::parse(input),
        Cataloger::Pylock => python::pylock::parse(input),
        Cataloger::Pyproject => python::pyproject::parse(input),
        Cataloger::PythonInstalled => python::installed::parse(input),
        Cataloger::YarnLock => yarn::parse(cataloger, input),
        Cataloger::PnpmLock => pnpm::parse(cataloger, input),
        Cataloger::BunLock => bun::parse(cataloger, input),
        Cataloger::GoMod | Cataloger::GoVendor | Cataloger::GoBinary => {
            golang::parse(cataloger, input)
        }
        Cataloger::GithubActions => github_actions::parse(cataloger, input),
        Cataloger::SwiftResolved => swift::parse(cataloger, input),
        Cataloger::PodfileLock => cocoapods::parse(cataloger, input),
        Cataloger::MavenPom
        | Cataloger::GradleLock
        | Cataloger::GradleCatalog
        | Cataloger::JavaArchive => java::parse(cataloger, input),
        Cataloger::GemfileLock | Cataloger::GemInstalled => ruby::parse(cataloger, input),
        Cataloger::ComposerLock | Cataloger::ComposerInstalled => php::parse(cataloger, input),
        Cataloger::NugetLock | Cataloger::DotnetDeps | Cataloger::DotnetProject => {
            dotnet::parse(cataloger, input)
        }
        Cataloger::PubspecLock => dart::parse(cataloger, input),
        Cataloger::MixLock => elixir::parse(cataloger, input),
        Cataloger::RebarLock => erlang::parse(cataloger, input),
        Cataloger::ConanLock => conan::parse(cataloger, input),
        Cataloger::Vcpkg => vcpkg::parse(cataloger, input),
        Cataloger::StackLock | Cataloger::CabalFreeze => haskell::parse(cataloger, input),
        Cataloger::RenvLock => r::parse(cataloger, input),
    }
}

/// Files parsed in parallel per batch: enough to keep every core busy, few enough that the
/// catalogs waiting to be merged stay small.
const BATCH: usize = 2048;

/// Reads and parses every detected file in parallel and hands each catalog to `sink`, in
/// the order of `files`. Catalogs are produced a batch at a time, so memory holds one
/// batch of catalogs, not the whole tree's; a file that could not be read or parsed yields
/// a catalog holding only a diagnostic that names it.
pub fn catalog_each(
    files: &[Detected],
    options: &Options,
    reporter: &dyn Reporter,
    mut sink: impl FnMut(Catalog),
) {
    let done = AtomicU64::new(0);
    let total = files.len() as u64;
    for batch in files.chunks(BATCH) {
        let catalogs: Vec<Catalog> = batch
            .par_iter()
            .map(|file| {
                let catalog = catalog_file(file, options);
                let n = done.fetch_add(1, Ordering::Relaxed) + 1;
                if n.is_multiple_of(256) || n == total {
                    reporter.parsed(n, total);
                }
                catalog
            })
            .collect();
        catalogs.into_iter().for_each(&mut sink);
    }
}

/// Reads and parses every detected file in parallel; one catalog per file, in order.
pub fn catalog_files(
    files: &[Detected],
    options: &Options,
    reporter: &dyn Reporter,
) -> Vec<Catalog> {
    let mut out = Vec::with_capacity(files.len());
    catalog_each(files, options, reporter, |c| out.push(c));
    out
}

/// Reads and parses one file; never fails.
pub fn catalog_file(file: &Detected, options: &Options) -> Catalog {
    let bytes = match read_bounded(&file.abs, options.max_file_size) {
        Ok(bytes) => bytes,
        Err(message) => return failed(Diagnostic::error(&file.rel, message)),
    };
    let input = Input {
        bytes: &bytes,
        path: &file.rel,
        abs: &file.abs,
        root: &file.root,
        options,
    };
    match parse_isolated(file.cataloger, &input) {
        Ok(catalog) => catalog,
        Err(e) => {
            let mut d = Diagnostic::error(&file.rel, format!("{} skipped: {e}", file.cataloger));
            d.line = e.line();
            failed(d)
        }
    }
}

/// [`parse`], with a panic turned into an error for this file alone. Parsers are written
/// not to panic, but a scan of thousands of hostile files must not depend on that: one
/// bug in one parser costs one file, never the whole scan or the gate's verdict.
fn parse_isolated(cataloger: Cataloger, input: &Input) -> Result<Catalog, ParseError> {
    isolated(|| parse(cataloger, input))
}

fn isolated(run: impl FnOnce() -> Result<Catalog, ParseError>) -> Result<Catalog, ParseError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(run)).unwrap_or_else(|payload| {
        let what = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        Err(ParseError::Format {
            line: None,
            message: format!(
                "the parser failed on this file (a bug in bomscout; please report it): {}",
                bomscout_core::escape::quote(&what, 120)
            ),
        })
    })
}

/// Runs a parser on `text` as the file `path` (under a directory that does not exist, so a
/// parser that looks beside its input finds nothing): the unit tests' one way in.
#[cfg(test)]
pub(crate) fn parse_str(
    parse: fn(&Input) -> Result<Catalog, ParseError>,
    path: &str,
    text: &str,
) -> Result<Catalog, ParseError> {
    let options = Options::default();
    let abs = Path::new("/nonexistent").join(path);
    let input = Input {
        bytes: text.as_bytes(),
        path,
        abs: &abs,
        root: Path::new("/nonexistent"),
        options: &options,
    };
    parse(&input)
}

/// Runs a parser on `text` as the file `path` under the real directory `root` (so a parser
/// that looks beside its input finds what a test put there), with local caches off.
#[cfg(test)]
pub(crate) fn parse_in(
    parse: fn(&Input) -> Result<Catalog, ParseError>,
    root: &Path,
    path: &str,
    text: &str,
) -> Result<Catalog, ParseError> {
    let options = Options {
        read_caches: false,
        ..Options::default()
    };
    let root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    let abs = root.join(path);
    let input = Input {
        bytes: text.as_bytes(),
        path,
        abs: &abs,
        root: &root,
        options: &options,
    };
    parse(&input)
}

/// `(raw, kind, path, field)` of each license of a component, for unit tests.
#[cfg(test)]
pub(crate) fn license_rows(
    c: &bomscout_core::Component,
) -> Vec<(&str, bomscout_core::SourceKind, &str, &str)> {
    c.licenses
        .iter()
        .map(|l| {
            (
                l.raw.as_str(),
                l.source.kind,
                l.source.path.as_str(),
                l.source.field.as_str(),
            )
        })
        .collect()
}

/// The MIT license text, as a package's `LICENSE` would hold it (for unit tests).
#[cfg(test)]
pub(crate) const MIT_TEXT: &str = "MIT License\n\nCopyright (c) 2024 Jane Doe\n\nPermission is hereby granted, free of charge, to any person obtaining a copy of this software and associated documentation files (the \"Software\"), to deal in the Software without restriction, including without limitation the rights to use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies of the Software, and to permit persons to whom the Software is furnished to do so, subject to the following conditions:\n\nThe above copyright notice and this permission notice shall be included in all copies or substantial portions of the Software.\n\nTHE SOFTWARE IS PROVIDED \"AS IS\", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.\n";

fn failed(diagnostic: Diagnostic) -> Catalog {
    Catalog {
        diagnostics: vec![diagnostic],
        ..Catalog::default()
    }
}

/// Reads a whole file through [`bomscout_walk::read_regular`]: only a regular file, never
/// a FIFO or device, and never more than `limit` bytes.
fn read_bounded(path: &Path, limit: u64) -> Result<Vec<u8>, String> {
    bomscout_walk::read_regular(path, limit).map_err(|e| e.to_string())
}

#[cfg(test)]
mod isolation_tests {
    use super::*;

    #[test]
    fn a_panicking_parser_costs_one_file() {
        let err = isolated(|| panic!("byte index 3 is not a char boundary")).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("a bug in bomscout"), "{text}");
        assert!(text.contains("char boundary"), "{text}");
        let ok = isolated(|| Ok(Catalog::default()));
        assert!(ok.is_ok());
    }
}
