//! The parsers: one module per ecosystem, the one place that knows file formats.
//!
//! Every parser has the same shape, [`Parser`]: `fn(&Input) -> Result<Catalog, ParseError>`;
//! it gets a file's bytes and its path relative to the scan root, and returns the projects,
//! packages and edges the file describes. Parsers are pure: they read nothing but the bytes
//! given, except the catalogers of installed trees and Cargo's license lookup, which say so
//! in their docs and read beside their input only through [`Input::tree`]: the host's disk
//! ([`DISK`]) for a directory scan, an image's merged layers ([`MemTree`]) for a container
//! image, so the same cataloger reads both and an image scan never reads the host's files.
//! Package caches outside the scanned paths are the host's, read only when
//! [`Input::read_caches`] says so. [`catalog_files`] runs them in parallel and turns every failure into a
//! [`Diagnostic`] naming the file, so one bad file never stops a scan.
//!
//! Which files a parser reads is not written here: each cataloger is one entry of the
//! table in [`bomscout_core::catalogers!`] (its name, ecosystem, file globs and parse
//! function), which the walker reads for detection and [`parser`] for dispatch. A new
//! format is that one entry plus its parser module here.
#![deny(missing_docs)]
#![deny(clippy::string_slice)]

pub mod archive;
mod borrowed_json;
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
mod in_image;
pub mod java;
pub mod license_files;
pub mod ml;
mod nesting;
pub mod npm;
mod ordered;
pub mod os;
mod paths;
pub mod php;
pub mod pnpm;
pub mod python;
pub mod r;
pub mod ruby;
pub mod sbom;
pub mod swift;
mod terms;
#[cfg(test)]
mod test_rng;
mod text;
mod toml_lock;
pub mod vcpkg;
mod vcs;
mod xml;
mod yaml_block;
pub mod yarn;

pub use bomscout_walk::{Disk, MemTree, Tree, DISK};
pub use error::ParseError;
pub use in_image::wanted_in_image;

use bomscout_core::{
    Catalog, Cataloger, Detected, Diagnostic, License, Location, Reporter, SharedStr, SourceKind,
};
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
    /// Its path relative to the scan root, `/`-separated ([`Input::path`]), as one shared
    /// string made once per file: every `Location` and license statement of the file clones
    /// it ([`Input::location`], [`Input::at_line`], [`Input::license`]) instead of copying the
    /// path into a string of its own (a scan of an organization makes hundreds of thousands
    /// of them).
    pub shared_path: &'a SharedStr,
    /// Where it is in [`Input::tree`]. Pure parsers ignore it; installed-tree catalogers
    /// may read siblings through it (and the tree, never `std::fs`).
    pub abs: &'a Path,
    /// The scan root it was found under, canonical (symlinks resolved). A path written in
    /// the file (an include, a parent POM, an import, a license file) is only followed when
    /// it resolves inside this root (`paths::inside_root`).
    pub root: &'a Path,
    /// Options of this run.
    pub options: &'a Options,
    /// The tree `abs` and `root` are paths of: [`DISK`] for a directory scan, an image's
    /// [`MemTree`] for an image. Every read beside the input goes through it, never
    /// through `std::fs`.
    pub tree: &'a dyn Tree,
}

impl<'a> Input<'a> {
    /// The file's path relative to the scan root, `/`-separated.
    pub fn path(&self) -> &'a str {
        self.shared_path
    }

    /// A location in this file, without a line.
    pub fn location(&self) -> Location {
        Location::new(self.shared())
    }

    /// A location in this file at a 1-based line.
    pub fn at_line(&self, line: u32) -> Location {
        Location::at_line(self.shared(), line)
    }

    /// A license declared in `field` of this file ([`License::declared`]).
    pub fn license(&self, raw: &str, field: &str) -> License {
        self.license_of_kind(raw, field, SourceKind::Declared)
    }

    /// A license of any kind read from `field` of this file ([`License::of_kind`]).
    pub fn license_of_kind(&self, raw: &str, field: &str, kind: SourceKind) -> License {
        License::found_in(raw, self.shared(), field, kind)
    }

    fn shared(&self) -> SharedStr {
        self.shared_path.clone()
    }

    /// May this input's cataloger read package caches outside the scanned paths
    /// ([`Options::read_caches`])? Only when the scan reads the host's own disk: the
    /// host's `~/.cargo` says nothing about the packages inside an image.
    pub fn read_caches(&self) -> bool {
        self.options.read_caches && self.tree.is_host()
    }
}

/// The one signature every parser has: a file's bytes and path in, what it describes out.
pub type Parser = fn(&Input) -> Result<Catalog, ParseError>;

/// Expands the `parse` column of the one table of catalogers
/// ([`bomscout_core::catalogers!`]) into [`parser`]. Each entry names its function by its
/// path in this crate; one of another signature than [`Parser`] does not compile.
macro_rules! parsers {
    ($(
        $(#[$doc:meta])*
        $variant:ident = $name:literal {
            ecosystem: $eco:ident, kind: $kind:ident,
            files: [$($files:tt)*],
            parse: $parse:path $(,)?
        }
    )+) => {
        /// The parser registered for `cataloger`.
        pub fn parser(cataloger: Cataloger) -> Parser {
            match cataloger {
                $(Cataloger::$variant => $parse,)+
            }
        }
    };
}

bomscout_core::catalogers!(parsers);

/// Runs the parser `cataloger` on one input.
pub fn parse(cataloger: Cataloger, input: &Input) -> Result<Catalog, ParseError> {
    parser(cataloger)(input)
}

/// Reads and parses every detected file in parallel and hands each catalog to `sink`, in
/// the order of `files`, while the next files are parsed ([`ordered::for_each_in_order`]):
/// the (serial) merge overlaps the (parallel) parse, and only a few catalogs per thread
/// wait to be merged at any time, not the whole tree's. A file that could not be read or
/// parsed yields a catalog holding only a diagnostic that names it.
pub fn catalog_each(
    files: &[Detected],
    tree: &dyn Tree,
    options: &Options,
    reporter: &dyn Reporter,
    sink: impl FnMut(Catalog) + Send,
) {
    let done = AtomicU64::new(0);
    let total = files.len() as u64;
    let parse = |i: usize| {
        let catalog = catalog_file(&files[i], tree, options);
        let n = done.fetch_add(1, Ordering::Relaxed) + 1;
        if n.is_multiple_of(256) || n == total {
            reporter.parsed(n, total);
        }
        catalog
    };
    ordered::for_each_in_order(files.len(), parse, sink);
}

/// Reads and parses every detected file in parallel; one catalog per file, in order.
pub fn catalog_files(
    files: &[Detected],
    tree: &dyn Tree,
    options: &Options,
    reporter: &dyn Reporter,
) -> Vec<Catalog> {
    let mut out = Vec::with_capacity(files.len());
    catalog_each(files, tree, options, reporter, |c| out.push(c));
    out
}

/// A read buffer larger than this is not kept for the thread's next file: one huge file
/// must not hold its size for the rest of the scan.
const KEEP_BUFFER: usize = 8 << 20;

thread_local! {
    /// The buffer this thread reads its files into, kept between files (see
    /// [`bomscout_walk::read_regular_into`]). Taken while a file is parsed, so a parser that
    /// catalogs a file of its own starts with an empty one.
    static READ_BUFFER: std::cell::Cell<Vec<u8>> = const { std::cell::Cell::new(Vec::new()) };
}

/// Reads and parses one file of `tree` ([`DISK`] for a directory scan); never fails.
pub fn catalog_file(file: &Detected, tree: &dyn Tree, options: &Options) -> Catalog {
    let mut bytes = READ_BUFFER.take();
    let read = match ml::head_limit(file.cataloger) {
        Some(limit) => ml::read_model_head(
            tree,
            file.cataloger,
            &file.abs,
            limit.min(options.max_file_size),
        )
        .map(|head| bytes = head),
        None => tree
            .read_into(&file.abs, options.max_file_size, &mut bytes)
            .map_err(|e| e.to_string()),
    };
    let catalog = match read {
        Ok(()) => parse_file(file, &bytes, tree, options),
        Err(message) => failed(Diagnostic::error(&file.rel, message)),
    };
    if bytes.capacity() <= KEEP_BUFFER {
        READ_BUFFER.set(bytes);
    }
    catalog
}

/// Parses the file `file`'s `bytes` were read from.
fn parse_file(file: &Detected, bytes: &[u8], tree: &dyn Tree, options: &Options) -> Catalog {
    let shared_path = SharedStr::from(file.rel.as_str());
    let input = Input {
        bytes,
        shared_path: &shared_path,
        abs: &file.abs,
        root: &file.root,
        options,
        tree,
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
        shared_path: &bomscout_core::SharedStr::from(path),
        abs: &abs,
        root: Path::new("/nonexistent"),
        options: &options,
        tree: &DISK,
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
        shared_path: &bomscout_core::SharedStr::from(path),
        abs: &abs,
        root: &root,
        options: &options,
        tree: &DISK,
    };
    parse(&input)
}

/// Runs a parser on the file `rel` of the in-memory `tree` (its bytes read from the tree),
/// as an image scan does: root [`MemTree::ROOT`], local caches allowed (and still never
/// read, the tree not being the host's).
#[cfg(test)]
pub(crate) fn parse_tree(
    parse: fn(&Input) -> Result<Catalog, ParseError>,
    tree: &MemTree,
    rel: &str,
) -> Result<Catalog, ParseError> {
    let options = Options::default();
    let abs = MemTree::abs(rel);
    let bytes = tree
        .read(&abs, options.max_file_size)
        .map_err(|e| ParseError::format(format!("test tree: {rel}: {e}")))?;
    let input = Input {
        bytes: &bytes,
        shared_path: &bomscout_core::SharedStr::from(rel),
        abs: &abs,
        root: Path::new(MemTree::ROOT),
        options: &options,
        tree,
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

#[cfg(test)]
mod isolation_tests {
    use super::*;

    /// Every registered parser, handed an empty file under the name its first pattern
    /// claims, answers with a catalog or an error; none panics.
    #[test]
    fn every_registered_parser_answers_an_empty_file() {
        for &cataloger in Cataloger::ALL {
            let glob = cataloger
                .patterns()
                .first()
                .map(|p| p.glob)
                .unwrap_or_default();
            let path = glob.trim_start_matches("**/").replace('*', "x");
            if let Err(e) = isolated(|| parse_str(parser(cataloger), &path, "")) {
                assert!(
                    !e.to_string().contains("a bug in bomscout"),
                    "{cataloger}: {e}"
                );
            }
        }
    }

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

/// The file `rel` under `root`, written with `text` (`None`: left absent), as the walker
/// would detect it for `cataloger`.
#[cfg(test)]
fn detected_on_disk(root: &Path, rel: &str, text: Option<&str>, cataloger: Cataloger) -> Detected {
    let abs = root.join(rel);
    if let Some(text) = text {
        std::fs::create_dir_all(abs.parent().unwrap()).unwrap();
        std::fs::write(&abs, text).unwrap();
    }
    Detected {
        rel: rel.to_string(),
        abs,
        cataloger,
        root: root.to_path_buf(),
    }
}

#[cfg(test)]
mod input_tests {
    use super::*;

    /// What an input makes is about its file: the locations and license statements carry
    /// its path, with the line and kind asked for, all one shared string.
    #[test]
    fn an_input_hands_out_its_one_path() {
        let options = Options::default();
        let shared = SharedStr::from("app/package-lock.json");
        let input = Input {
            bytes: b"",
            shared_path: &shared,
            abs: Path::new("/nonexistent/app/package-lock.json"),
            root: Path::new("/nonexistent"),
            options: &options,
            tree: &DISK,
        };
        assert_eq!(input.location(), Location::new("app/package-lock.json"));
        assert_eq!(
            input.at_line(7),
            Location::at_line("app/package-lock.json", 7)
        );
        assert_eq!(
            input.license(" MIT ", "license"),
            License::declared("MIT", "app/package-lock.json", "license")
        );
        let file = input.license_of_kind("ISC", "LICENSE", SourceKind::File);
        assert_eq!(
            file,
            License::of_kind("ISC", "app/package-lock.json", "LICENSE", SourceKind::File)
        );
        for path in [
            &input.location().path,
            &input.at_line(1).path,
            &input.license("MIT", "license").source.path,
            &file.source.path,
        ] {
            assert!(SharedStr::ptr_eq(path, &shared));
        }
    }

    /// Files read one after another into the thread's one buffer: each is parsed from its
    /// own bytes (a short file after a long one sees none of the long one's tail), and a
    /// file that cannot be read after one that could is reported, not parsed from the last.
    #[test]
    fn the_reused_read_buffer_never_leaks_one_file_into_the_next() {
        let dir = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(dir.path()).unwrap();
        let lock = |packages: &str| {
            format!(
                r#"{{"name": "app", "lockfileVersion": 3, "packages": {{"": {{"name": "app"}}{packages}}}}}"#
            )
        };
        let many: String = (0..200)
            .map(|i| format!(r#", "node_modules/p{i}": {{"version": "1.0.{i}"}}"#))
            .collect();
        let files = [
            ("long/package-lock.json", Some(lock(&many))),
            (
                "short/package-lock.json",
                Some(lock(r#", "node_modules/q": {"version": "2.0.0"}"#)),
            ),
            ("gone/package-lock.json", None),
        ];
        let mut names = Vec::new();
        for (rel, text) in &files {
            let file = detected_on_disk(&root, rel, text.as_deref(), Cataloger::NpmLock);
            let catalog = catalog_file(&file, &DISK, &Options::default());
            names.push((
                catalog.packages.len(),
                catalog.packages.last().map(|p| p.component.name.clone()),
                catalog.diagnostics.len(),
            ));
        }
        assert_eq!(names[0].0, 200);
        assert_eq!(names[1], (1, Some("q".to_string()), 0));
        assert_eq!(
            (names[2].0, names[2].2),
            (0, 1),
            "unreadable: a diagnostic, no packages"
        );
    }

    /// `catalog_file` makes the shared path once per file: every location and license
    /// statement of a lock points at it.
    #[test]
    fn a_files_catalog_shares_its_path() {
        let dir = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(dir.path()).unwrap();
        let rel = "app/package-lock.json";
        let lock = r#"{"name": "app", "lockfileVersion": 3, "packages": {
            "": {"name": "app", "version": "1.0.0", "license": "MIT"},
            "node_modules/a": {"version": "1.0.0", "license": "MIT"},
            "node_modules/b": {"version": "2.0.0", "license": "ISC"}}}"#;
        let file = detected_on_disk(&root, rel, Some(lock), Cataloger::NpmLock);
        let catalog = catalog_file(&file, &DISK, &Options::default());
        let components = catalog.packages.iter().map(|p| &p.component);
        let paths: Vec<&SharedStr> = components
            .clone()
            .flat_map(|c| c.locations.iter().map(|l| &l.path))
            .chain(components.flat_map(|c| c.licenses.iter().map(|l| &l.source.path)))
            .collect();
        assert_eq!(paths.len(), 4, "two locations, two statements");
        assert!(paths
            .iter()
            .all(|p| **p == rel && SharedStr::ptr_eq(p, paths[0])));
    }
}

#[cfg(test)]
mod batch_tests {
    use super::*;

    /// Many more files than are parsed ahead of the merge: every catalog reaches the sink
    /// once, in the order of the files, though later files are parsed while earlier ones
    /// are merged.
    #[test]
    fn catalogs_reach_the_sink_in_file_order() {
        let dir = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(dir.path()).unwrap();
        let n = 20 * rayon::current_num_threads() + 37;
        let files: Vec<Detected> = (0..n)
            .map(|i| {
                detected_on_disk(
                    &root,
                    &format!("r{i}/requirements.txt"),
                    Some(&format!("pkg{i}==1.0.{i}\n")),
                    Cataloger::PipRequirements,
                )
            })
            .collect();
        let mut seen = Vec::new();
        catalog_each(
            &files,
            &DISK,
            &Options::default(),
            &bomscout_core::Silent,
            |c| {
                let names: Vec<String> = c
                    .packages
                    .iter()
                    .map(|p| p.component.name.clone())
                    .collect();
                seen.push(names);
            },
        );
        let expected: Vec<Vec<String>> = (0..n).map(|i| vec![format!("pkg{i}")]).collect();
        assert_eq!(seen, expected);
    }
}
