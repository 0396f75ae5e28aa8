//! What to scan and how: [`RawSettings`] as a front end collects them, [`Settings`] once
//! they have been checked.
//!
//! The split is ripgrep's (`lowargs.rs` → `hiargs.rs`): a front end (the CLI's clap
//! structs, a test, a later service) fills the plain [`RawSettings`], and
//! [`Settings::new`] validates it once, so the stages downstream never re-check a path, a
//! glob or a number. Nothing here knows about clap.

use crate::Error;
use bomscout_core::escape::printable;
use bomscout_core::Severity;
use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The enrichment step's engine, shared: an `inventory` run hands the same one to every
/// repository's settings, so each distinct package is asked about once per run.
pub type SharedEnricher = Arc<EnrichStep>;

/// The enrichment engine, and the lock that makes scans sharing it enrich one at a time:
/// the engine remembers every answer, but two scans asking at the same moment would both
/// miss the memory and ask the same package twice. One at a time, the second finds the
/// first one's answers (and the engine still runs its requests in parallel within a scan).
#[derive(Debug)]
pub struct EnrichStep {
    enricher: bomscout_enrich::engine::Enricher,
    one_at_a_time: std::sync::Mutex<()>,
}

impl EnrichStep {
    /// The step around `enricher`, ready to share.
    pub fn new(enricher: bomscout_enrich::engine::Enricher) -> SharedEnricher {
        Arc::new(EnrichStep {
            enricher,
            one_at_a_time: std::sync::Mutex::new(()),
        })
    }

    /// The engine (for lookups outside a scan, `bomscout vet`).
    pub fn enricher(&self) -> &bomscout_enrich::engine::Enricher {
        &self.enricher
    }

    /// Enriches `sbom`, after any other scan sharing this step has finished enriching.
    pub fn enrich(
        &self,
        sbom: &mut bomscout_core::Sbom,
        reporter: &dyn bomscout_core::Reporter,
    ) -> bomscout_enrich::engine::Outcome {
        // A scan that panicked while enriching leaves nothing half-done that matters here:
        // the engine's memory is its own, so a poisoned lock is still a lock.
        let _turn = self
            .one_at_a_time
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        self.enricher.enrich(sbom, reporter)
    }
}

/// Unchecked scan settings, as a front end gathers them. Turn them into [`Settings`] with
/// [`Settings::new`].
#[derive(Debug, Clone)]
pub struct RawSettings {
    /// Directories or files to scan (a file is read as the file it is). Must not be empty.
    pub paths: Vec<PathBuf>,
    /// Globs of paths to skip: a glob without `/` matches a file or directory name at any
    /// depth (`node_modules`), one with `/` a path relative to the scan root (`vendor/**`).
    pub excludes: Vec<String>,
    /// Follow symbolic links (loops are detected and reported).
    pub follow_links: bool,
    /// Worker threads; `None` for the number of cores. Must be at least 1 when given.
    pub jobs: Option<usize>,
    /// May catalogers read local package caches outside the scanned paths for licenses?
    pub read_caches: bool,
    /// Minimum confidence, from 0 to 1, for a license file's text to count as license
    /// evidence.
    pub license_threshold: f32,
    /// Leave dev-only components out of the result.
    pub no_dev: bool,
    /// Unparseable files and paths holding nothing to catalog are errors, not warnings.
    pub strict: bool,
    /// The document's subject; `None` for the scanned directory's name (`scan` for several
    /// paths).
    pub name: Option<String>,
    /// Ask online sources for what the files do not say (licenses, suppliers, health);
    /// `None`, the default, sends nothing anywhere.
    pub enricher: Option<SharedEnricher>,
    /// The platform (`os/arch[/variant]`) to pick from a multi-platform container image;
    /// `None` for `linux/amd64` when an image offers several, else its only one.
    pub platform: Option<String>,
}

impl Default for RawSettings {
    /// The current directory, with every default the CLI has.
    fn default() -> Self {
        RawSettings {
            paths: vec![PathBuf::from(".")],
            excludes: Vec::new(),
            follow_links: false,
            jobs: None,
            read_caches: true,
            license_threshold: bomscout_license::detect::DEFAULT_THRESHOLD,
            no_dev: false,
            strict: false,
            name: None,
            enricher: None,
            platform: None,
        }
    }
}

/// Validated scan settings: every path existed when they were built, every exclude glob
/// compiles, the threshold is in range and `jobs` is at least 1. Build them with
/// [`Settings::new`]; run them with [`crate::run`] or a [`crate::Pipeline`].
#[derive(Debug, Clone)]
pub struct Settings {
    pub(crate) paths: Vec<PathBuf>,
    pub(crate) excludes: Vec<String>,
    pub(crate) follow_links: bool,
    pub(crate) jobs: Option<NonZeroUsize>,
    pub(crate) read_caches: bool,
    pub(crate) license_threshold: f32,
    pub(crate) no_dev: bool,
    pub(crate) strict: bool,
    pub(crate) nothing_found: Severity,
    pub(crate) name: String,
    /// True when the name was given, not derived from the paths.
    pub(crate) name_given: bool,
    pub(crate) enricher: Option<SharedEnricher>,
    pub(crate) platform: Option<String>,
}

impl Settings {
    /// Checks `raw` and builds the settings, or says what is wrong with the first bad
    /// value: a path that does not exist (named), a threshold outside 0–1, an exclude glob
    /// that does not compile (quoted), `jobs` of 0.
    pub fn new(raw: RawSettings) -> Result<Settings, Error> {
        check_paths(&raw.paths)?;
        let threshold = raw.license_threshold;
        if !(0.0..=1.0).contains(&threshold) {
            return Err(Error::Threshold {
                value: threshold.to_string(),
            });
        }
        for glob in &raw.excludes {
            crate::check_exclude(glob)?;
        }
        let jobs = match raw.jobs {
            None => None,
            Some(n) => Some(NonZeroUsize::new(n).ok_or(Error::Jobs)?),
        };
        if let Some(p) = &raw.platform {
            check_platform(p)?;
        }
        let name_given = raw.name.is_some();
        let name = raw.name.unwrap_or_else(|| document_name(&raw.paths));
        Ok(Settings {
            paths: raw.paths,
            excludes: raw.excludes,
            follow_links: raw.follow_links,
            jobs,
            read_caches: raw.read_caches,
            license_threshold: threshold,
            no_dev: raw.no_dev,
            strict: raw.strict,
            nothing_found: if raw.strict {
                Severity::Error
            } else {
                Severity::Warning
            },
            name,
            name_given,
            enricher: raw.enricher,
            platform: raw.platform,
        })
    }

    /// The same settings for other paths under another document name: how a run over many
    /// repositories (`inventory`) derives each repository's settings from the ones it
    /// validated once. The new paths are checked as [`Settings::new`] checks them.
    pub fn for_paths(&self, paths: Vec<PathBuf>, name: String) -> Result<Settings, Error> {
        check_paths(&paths)?;
        Ok(Settings {
            paths,
            name,
            name_given: true,
            ..self.clone()
        })
    }

    /// The severity of the diagnostic for a directory under which nothing at all was
    /// found: a warning, an error with `strict`. A run where such directories are normal
    /// (a repository of documents in a nightly inventory) lowers it to info.
    pub fn with_nothing_found(mut self, severity: Severity) -> Settings {
        self.nothing_found = severity;
        self
    }

    /// The paths to scan.
    pub fn paths(&self) -> &[PathBuf] {
        &self.paths
    }

    /// The exclude globs, as given.
    pub fn excludes(&self) -> &[String] {
        &self.excludes
    }

    /// Worker threads; `None` for the number of cores.
    pub fn jobs(&self) -> Option<NonZeroUsize> {
        self.jobs
    }

    /// Whether unparseable files are errors (the caller's exit code should say so).
    pub fn strict(&self) -> bool {
        self.strict
    }

    /// Whether dev-only components are left out.
    pub fn no_dev(&self) -> bool {
        self.no_dev
    }

    /// The severity of the "nothing found to catalog" diagnostic.
    pub fn nothing_found(&self) -> Severity {
        self.nothing_found
    }

    /// The document's subject.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The enrichment engine, when enrichment was asked for.
    pub fn enricher(&self) -> Option<&SharedEnricher> {
        self.enricher.as_ref()
    }

    /// The walk's options.
    pub(crate) fn walk_options(&self) -> bomscout_walk::WalkOptions {
        bomscout_walk::WalkOptions {
            follow_links: self.follow_links,
            excludes: self.excludes.clone(),
            threads: self.jobs.map_or(0, NonZeroUsize::get),
        }
    }

    /// The catalogers' options.
    pub(crate) fn catalog_options(&self) -> bomscout_catalog::Options {
        bomscout_catalog::Options {
            read_caches: self.read_caches,
            license_threshold: self.license_threshold,
            ..bomscout_catalog::Options::default()
        }
    }
}

/// `os/arch[/variant]`: two or three non-empty parts of letters, digits, `_`, `-`, `.`.
fn check_platform(platform: &str) -> Result<(), Error> {
    let parts: Vec<&str> = platform.split('/').collect();
    let plain = |p: &&str| {
        !p.is_empty()
            && p.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
    };
    if (2..=3).contains(&parts.len()) && parts.iter().all(plain) {
        Ok(())
    } else {
        Err(Error::Platform {
            value: platform.to_string(),
        })
    }
}

/// At least one path, and every one exists (a dangling symlink does not).
fn check_paths(paths: &[PathBuf]) -> Result<(), Error> {
    if paths.is_empty() {
        return Err(Error::NoPaths);
    }
    for path in paths {
        match path.try_exists() {
            Ok(true) => {}
            Ok(false) => return Err(Error::MissingPath { path: shown(path) }),
            Err(error) => {
                return Err(Error::UnreadablePath {
                    path: shown(path),
                    error,
                })
            }
        }
    }
    Ok(())
}

/// A path for a message: control characters made visible.
fn shown(path: &Path) -> String {
    printable(&path.display().to_string()).into_owned()
}

/// The document's subject: the scanned directory's name, or `scan` for several.
fn document_name(paths: &[PathBuf]) -> String {
    let [path] = paths else {
        return "scan".to_string();
    };
    let absolute = std::fs::canonicalize(path).unwrap_or_else(|_| path.clone());
    absolute
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "scan".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw_in(dir: &Path) -> RawSettings {
        RawSettings {
            paths: vec![dir.to_path_buf()],
            ..RawSettings::default()
        }
    }

    #[test]
    fn a_missing_path_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("no-such-checkout");
        let raw = RawSettings {
            paths: vec![dir.path().to_path_buf(), missing.clone()],
            ..RawSettings::default()
        };
        let err = Settings::new(raw).unwrap_err();
        assert!(matches!(err, Error::MissingPath { .. }), "{err:?}");
        let message = err.to_string();
        assert!(
            message.starts_with(&format!("{}: no such file or directory", missing.display())),
            "{message}"
        );
    }

    #[test]
    fn no_path_at_all_is_refused() {
        let raw = RawSettings {
            paths: Vec::new(),
            ..RawSettings::default()
        };
        assert!(matches!(Settings::new(raw), Err(Error::NoPaths)));
    }

    #[test]
    fn a_bad_exclude_glob_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let raw = RawSettings {
            excludes: vec!["vendor/**".into(), "src/[oops".into()],
            ..raw_in(dir.path())
        };
        let err = Settings::new(raw).unwrap_err();
        assert!(matches!(err, Error::Exclude { .. }), "{err:?}");
        let message = err.to_string();
        assert!(message.contains("\"src/[oops\""), "{message}");
        assert!(message.contains("unclosed character class"), "{message}");
        // The reason is in the message once: a chain printer (anyhow's `{:#}`) must not
        // repeat it.
        assert!(std::error::Error::source(&err).is_none());
    }

    #[test]
    fn a_threshold_outside_zero_to_one_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        for bad in [1.5, -0.1, f32::NAN, f32::INFINITY] {
            let raw = RawSettings {
                license_threshold: bad,
                ..raw_in(dir.path())
            };
            let err = Settings::new(raw).unwrap_err();
            assert!(matches!(err, Error::Threshold { .. }), "{bad}: {err:?}");
            assert!(err.to_string().contains("from 0 to 1"), "{err}");
        }
        for good in [0.0, 0.5, 1.0] {
            let raw = RawSettings {
                license_threshold: good,
                ..raw_in(dir.path())
            };
            assert!(Settings::new(raw).is_ok(), "{good}");
        }
    }

    #[test]
    fn platforms_are_os_arch_and_an_optional_variant() {
        let dir = tempfile::tempdir().unwrap();
        for ok in ["linux/amd64", "linux/arm64/v8", "windows/amd64"] {
            let raw = RawSettings {
                platform: Some(ok.to_string()),
                ..raw_in(dir.path())
            };
            assert!(Settings::new(raw).is_ok(), "{ok}");
        }
        for bad in [
            "linux",
            "linux/",
            "/amd64",
            "linux/arm/v7/x",
            "linux/amd 64",
            "",
        ] {
            let raw = RawSettings {
                platform: Some(bad.to_string()),
                ..raw_in(dir.path())
            };
            let err = Settings::new(raw).unwrap_err();
            assert!(matches!(err, Error::Platform { .. }), "{bad}");
            assert!(err.to_string().contains("linux/amd64"), "{err}");
        }
    }

    #[test]
    fn zero_jobs_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let raw = RawSettings {
            jobs: Some(0),
            ..raw_in(dir.path())
        };
        assert!(matches!(Settings::new(raw), Err(Error::Jobs)));
        let raw = RawSettings {
            jobs: Some(3),
            ..raw_in(dir.path())
        };
        assert_eq!(Settings::new(raw).unwrap().jobs().map(|n| n.get()), Some(3));
    }

    #[test]
    fn strict_makes_nothing_found_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let lax = Settings::new(raw_in(dir.path())).unwrap();
        assert_eq!(lax.nothing_found(), Severity::Warning);
        let strict = Settings::new(RawSettings {
            strict: true,
            ..raw_in(dir.path())
        })
        .unwrap();
        assert_eq!(strict.nothing_found(), Severity::Error);
        let quiet = strict.with_nothing_found(Severity::Info);
        assert_eq!(quiet.nothing_found(), Severity::Info);
    }

    #[test]
    fn the_name_is_the_directory_or_scan() {
        let dir = tempfile::tempdir().unwrap();
        let one = dir.path().join("shop");
        std::fs::create_dir(&one).unwrap();
        assert_eq!(Settings::new(raw_in(&one)).unwrap().name(), "shop");
        let two = Settings::new(RawSettings {
            paths: vec![one.clone(), dir.path().to_path_buf()],
            ..RawSettings::default()
        })
        .unwrap();
        assert_eq!(two.name(), "scan");
        assert!(!two.name_given, "derived from the paths");
        let derived = two.for_paths(vec![one], "repo".into()).unwrap();
        assert_eq!(derived.name(), "repo");
        // A name given for a repository is kept even when its path is a container image.
        assert!(derived.name_given);
        assert!(derived
            .for_paths(vec![dir.path().join("gone")], "x".into())
            .is_err());
    }
}
