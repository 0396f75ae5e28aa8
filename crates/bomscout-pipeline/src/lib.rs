//! bomscout's pipeline as a library: **walk → catalog → merge → license → (no-dev) →
//! (enrich) → (policy)**, the one path that `scan`, `check`, `licenses` and `inventory`
//! share.
//!
//! A front end fills a [`RawSettings`], validates it once into [`Settings`]
//! ([`Settings::new`]: paths exist, exclude globs compile, the threshold is in 0–1, jobs ≥ 1)
//! and hands the settings to [`run`] (or [`check`], which also judges the result against a
//! policy). The writers (`bomscout-report`) take the resulting [`Sbom`]; this crate writes
//! nothing and prints nothing: progress goes to the caller's [`Reporter`], problems with
//! single files into the SBOM's diagnostics, and only a bad setting is an [`Error`].
//!
//! # Enrichment
//!
//! With an enricher in the settings ([`RawSettings::enricher`]), the components that
//! remain after the no-dev filter are enriched online (licenses, suppliers, health) before
//! any policy sees them: only what is reported is asked about. Enrichment never fails a
//! scan: a dead or slow service leaves components as the files described them, says so in
//! the SBOM's diagnostics (warnings), and in [`Scanned::enrichment`]'s shortfalls. A
//! component whose license stays unknown is judged `unknown` by the policy, as without
//! enrichment.
//!
//! # Threads
//!
//! Nothing here touches a global thread pool. `jobs` sizes the walker's threads; parsing
//! runs on the rayon pool that [`run`] is called in, so a caller that runs many scans at once
//! (the nightly inventory: one walker thread per repository, repositories in parallel on its
//! own pool) keeps control of the threads. A [`Pipeline`] owns a dedicated pool of `jobs`
//! threads, built once in [`Pipeline::new`], and runs every scan in it: that is what a
//! single command with `--jobs N` wants.
//!
//! # Example
//!
//! ```no_run
//! use bomscout_pipeline::{RawSettings, Settings, Pipeline};
//!
//! let settings = Settings::new(RawSettings {
//!     paths: vec!["fixtures/npm/lock-v3".into()],
//!     read_caches: false,
//!     ..RawSettings::default()
//! })?;
//! let sbom = Pipeline::new(settings)?.run(&bomscout_core::Silent)?;
//! for c in &sbom.components {
//!     println!("{} {}", c.display_name(), c.version.as_deref().unwrap_or("?"));
//! }
//! # Ok::<(), bomscout_pipeline::Error>(())
//! ```
#![deny(missing_docs)]

pub mod advisories;
mod image;
mod settings;

pub use advisories::{attach as attach_advisories, Advisories, AdvisoryError, AdvisorySettings};
/// What an enrichment step did: packages asked about, answers from the cache, requests
/// made, shortfalls.
pub use bomscout_enrich::engine::Outcome as EnrichOutcome;
pub use image::is_image;
pub use settings::{EnrichStep, RawSettings, Settings, SharedEnricher};

use bomscout_core::escape::{quote, QUOTE_LIMIT};
use bomscout_core::{Catalog, Diagnostic, Reporter, Sbom, SbomBuilder, Silent};
use bomscout_policy::baseline::{self, Changes};
use bomscout_policy::{Date, Evaluation, Policy};
use std::path::PathBuf;

/// Why a pipeline could not run: a setting that does not hold. Problems with single files
/// are never errors; they are diagnostics in the result.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// No path was given.
    #[error("no path to scan: give at least one directory or file")]
    NoPaths,
    /// A path to scan does not exist.
    #[error(
        "{path}: no such file or directory; check the path (relative paths are relative to \
         the current directory)"
    )]
    MissingPath {
        /// The path, as given (control characters made visible).
        path: String,
    },
    /// Whether a path to scan exists could not be found out.
    #[error("{path}: cannot be read ({error}); check its permissions and those of its parents")]
    UnreadablePath {
        /// The path, as given (control characters made visible).
        path: String,
        /// What the system said (in the message, so it is not a `source` too).
        error: std::io::Error,
    },
    /// The license-text threshold is not a number from 0 to 1.
    #[error(
        "license threshold {value} is out of range: give a score from 0 to 1 (the default \
         is {default})",
        default = bomscout_license::detect::DEFAULT_THRESHOLD
    )]
    Threshold {
        /// The value given.
        value: String,
    },
    /// An exclude glob does not compile.
    #[error(
        "invalid exclude glob {}: {reason}; write a name like `node_modules` or a path like \
         `vendor/**`",
        quote(glob, QUOTE_LIMIT)
    )]
    Exclude {
        /// The glob, as given.
        glob: String,
        /// What is wrong with it.
        reason: String,
    },
    /// `jobs` was 0.
    #[error("jobs must be at least 1 (leave it out to use every core)")]
    Jobs,
    /// `platform` is not `os/arch[/variant]`.
    #[error(
        "invalid platform {}: write OS/ARCH or OS/ARCH/VARIANT, like `linux/amd64` or \
         `linux/arm64/v8`",
        quote(value, QUOTE_LIMIT)
    )]
    Platform {
        /// The value given.
        value: String,
    },
    /// The worker threads of a [`Pipeline`] could not be started.
    #[error("cannot start {jobs} worker thread(s): {error}; try fewer jobs")]
    ThreadPool {
        /// How many were asked for.
        jobs: usize,
        /// Rayon's error (in the message, so it is not a `source` too).
        error: rayon::ThreadPoolBuildError,
    },
    /// The walk refused its options (an exclude glob; [`Settings::new`] checks them first).
    #[error(transparent)]
    Walk(#[from] bomscout_walk::ExcludeError),
    /// Vulnerabilities were to be judged and the advisory step could not run.
    #[error(transparent)]
    Advisories(#[from] AdvisoryError),
}

/// A scan's result.
#[derive(Debug)]
pub struct Scanned {
    /// What was found.
    pub sbom: Sbom,
    /// What the enrichment step did, when the settings have an enricher.
    pub enrichment: Option<EnrichOutcome>,
}

/// Scans `settings.paths()`: walks them, parses every detected file, merges the catalogs by
/// purl, normalizes licenses, and, with `no_dev`, leaves dev-only components out.
///
/// A directory under which nothing at all was detected gets a diagnostic of severity
/// [`Settings::nothing_found`]: an empty result must never look like a clean one. Parsing
/// runs on the current rayon pool (see the crate's notes on threads). With an enricher,
/// the enrichment step runs too; [`scan`] also returns what it did.
pub fn run(settings: &Settings, reporter: &dyn Reporter) -> Result<Sbom, Error> {
    scan(settings, reporter).map(|s| s.sbom)
}

/// [`run`], with what the enrichment step did.
///
/// A path that is a container image ([`is_image`]) is read as one: see the `image`
/// module's notes (its layers' merged file system, catalogued in memory, the image as a
/// `container` component and each package's layer as a property).
pub fn scan(settings: &Settings, reporter: &dyn Reporter) -> Result<Scanned, Error> {
    let (images, dirs): (Vec<&PathBuf>, Vec<&PathBuf>) =
        settings.paths.iter().partition(|p| image::is_image(p));
    let several = settings.paths.len() > 1;
    // One image alone names the document after itself, unless a name was given: it is
    // opened first for its name. Other images are opened one at a time below, so memory
    // holds one image's kept files at once.
    let mut first = None;
    let mut name = settings.name.clone();
    if let ([path], false) = (&images[..], several || settings.name_given) {
        let opened = image::open(path, settings);
        if let Ok(img) = &opened {
            name = image::document_name(img);
        }
        first = Some(opened);
    }
    let dirs: Vec<PathBuf> = dirs.into_iter().cloned().collect();
    let walked = bomscout_walk::walk_prefixed(&dirs, several, &settings.walk_options(), reporter)?;
    let mut builder = SbomBuilder::new(name);
    for d in walked.diagnostics {
        builder.diagnostic(d);
    }
    for root in walked.empty_roots.iter().filter(|r| r.is_dir()) {
        builder.diagnostic(Diagnostic::new(
            settings.nothing_found,
            root.display().to_string(),
            "nothing found to catalog: no lockfile, manifest or installed-package record \
             under this path (see README.md for the files bomscout reads)",
        ));
    }
    // The one call of the catalogers on disk.
    bomscout_catalog::catalog_each(
        &walked.files,
        &bomscout_walk::DISK,
        &settings.catalog_options(),
        reporter,
        |catalog| builder.add(catalog),
    );
    for path in images {
        let opened = match first.take() {
            Some(opened) => opened,
            None => image::open(path, settings),
        };
        match opened {
            Ok(img) => {
                let prefix = several.then(|| bomscout_walk::root_prefix(path));
                let label =
                    bomscout_core::escape::printable(&path.display().to_string()).into_owned();
                image::add(
                    &mut builder,
                    &img,
                    prefix.as_deref(),
                    &label,
                    settings,
                    reporter,
                )?;
            }
            Err(d) => builder.diagnostic(d),
        }
    }
    finish(builder, settings, reporter)
}

/// Scans an image already read ([`bomscout_image::open`], or built by hand): its files
/// catalogued through its tree with the host's caches off, the image as the `container`
/// component, each package's layer as a property; the document is named after the image
/// unless the settings name it. The settings' paths are not scanned.
pub fn scan_image(
    image: &bomscout_image::Image,
    settings: &Settings,
    reporter: &dyn Reporter,
) -> Result<Scanned, Error> {
    let name = if settings.name_given {
        settings.name.clone()
    } else {
        image::document_name(image)
    };
    let label = image::document_name(image);
    let mut builder = SbomBuilder::new(name);
    image::add(&mut builder, image, None, &label, settings, reporter)?;
    finish(builder, settings, reporter)
}

/// Merges, normalizes licenses, applies the no-dev filter and enriches: the end of every
/// scan.
fn finish(
    builder: SbomBuilder,
    settings: &Settings,
    reporter: &dyn Reporter,
) -> Result<Scanned, Error> {
    let mut sbom = builder.finish();
    bomscout_license::normalize_sbom(&mut sbom);
    if settings.no_dev {
        sbom = sbom.without_dev();
    }
    // After the no-dev filter: a package left out of the report is not asked about.
    let enrichment = settings
        .enricher
        .as_ref()
        .map(|enricher| enricher.enrich(&mut sbom, reporter));
    Ok(Scanned { sbom, enrichment })
}

/// The one call of the walk.
fn walk(
    roots: &[PathBuf],
    options: &bomscout_walk::WalkOptions,
    reporter: &dyn Reporter,
) -> Result<bomscout_walk::Walked, bomscout_walk::ExcludeError> {
    bomscout_walk::walk(roots, options, reporter)
}

/// Compiles `glob` exactly as the walk will, by walking no root with it: the settings
/// and the walk can never disagree on what a valid glob is. The error says why it does
/// not compile (the glob parser's own words).
fn check_exclude(glob: &str) -> Result<(), Error> {
    let options = bomscout_walk::WalkOptions {
        excludes: vec![glob.to_string()],
        ..bomscout_walk::WalkOptions::default()
    };
    walk(&[], &options, &Silent).map(drop).map_err(|e| {
        use std::error::Error as _;
        Error::Exclude {
            glob: glob.to_string(),
            reason: e
                .source()
                .map_or_else(|| e.to_string(), ToString::to_string),
        }
    })
}

/// One SBOM from catalogs that come from elsewhere (a baseline document, stored SBOMs):
/// merged by purl and license-normalized as a scan's are, so the two compare alike.
pub fn assemble(name: impl Into<String>, catalogs: impl IntoIterator<Item = Catalog>) -> Sbom {
    let mut builder = SbomBuilder::new(name);
    for catalog in catalogs {
        builder.add(catalog);
    }
    let mut sbom = builder.finish();
    bomscout_license::normalize_sbom(&mut sbom);
    sbom
}

/// How a scan is judged against a policy.
#[derive(Debug, Clone, Copy)]
pub struct CheckSettings<'a> {
    /// The day exceptions and dated rules are checked against.
    pub today: Date,
    /// Judge what could be read even if some files could not be: without it, unreadable
    /// input makes the outcome incomplete (no verdict).
    pub allow_unreadable: bool,
    /// The base branch's SBOM: only violations it does not have count.
    pub baseline: Option<&'a Sbom>,
    /// Judge known vulnerabilities too: the scan and the baseline are matched against this
    /// database (so a finding the base branch already had is not new). `None`: licenses
    /// only. Only [`check`] reads it; [`evaluate`] judges what the SBOMs already carry.
    pub advisories: Option<&'a AdvisorySettings>,
}

/// A scan and its verdict.
#[derive(Debug)]
pub struct Checked {
    /// What was found.
    pub sbom: Sbom,
    /// The policy's findings (only new ones when a baseline was given).
    pub evaluation: Evaluation,
    /// With a baseline: packages added and removed, licenses changed.
    pub changes: Option<Changes>,
    /// What the enrichment step did, when the settings have an enricher.
    pub enrichment: Option<EnrichOutcome>,
}

/// Judges `sbom` against `policy`: the policy step of [`check`], for callers that already
/// have an SBOM (one per repository in an inventory).
pub fn evaluate(
    sbom: &Sbom,
    policy: &Policy,
    check: &CheckSettings,
) -> (Evaluation, Option<Changes>) {
    let mut evaluation = bomscout_policy::evaluate(policy, sbom, check.today);
    evaluation.allow_unreadable = check.allow_unreadable;
    let changes = check.baseline.map(|old| {
        let before = bomscout_policy::evaluate(policy, old, check.today);
        baseline::only_new(&mut evaluation, &before);
        baseline::changes(sbom, old)
    });
    (evaluation, changes)
}

/// Scans ([`run`]), matches advisories when asked ([`Advisories`], the baseline too),
/// and judges the result against `policy` ([`evaluate`]): the path the `check` gate,
/// `audit` and every later command that gives a verdict share.
pub fn check(
    settings: &Settings,
    reporter: &dyn Reporter,
    policy: &Policy,
    check: &CheckSettings,
) -> Result<Checked, Error> {
    // Opened before the scan: a database that cannot be opened stops here, unscanned.
    let advisories = check.advisories.map(Advisories::open).transpose()?;
    let Scanned {
        mut sbom,
        enrichment,
    } = scan(settings, reporter)?;
    // The baseline gets the same steps as the scan, so the two compare alike: enriched
    // (from the memory of the scan's answers, mostly), then matched. A baseline written
    // without --enrich would otherwise show every license the scan fetched as a change.
    let mut baseline = check.baseline.map(|old| {
        let mut old = old.clone();
        if let Some(enricher) = &settings.enricher {
            enricher.enrich(&mut old, &Silent);
        }
        old
    });
    if let Some(advisories) = &advisories {
        advisories.apply(&mut sbom);
        if let Some(old) = baseline.as_mut() {
            advisories.apply(old);
        }
    }
    let judge = CheckSettings {
        baseline: baseline.as_ref(),
        ..*check
    };
    let (evaluation, changes) = evaluate(&sbom, policy, &judge);
    Ok(Checked {
        sbom,
        evaluation,
        changes,
        enrichment,
    })
}

/// Settings and the worker threads to run them on: [`Settings::jobs`] threads, started
/// once here, or the current rayon pool when `jobs` is not set. No global pool is touched.
#[derive(Debug)]
pub struct Pipeline {
    settings: Settings,
    pool: Option<rayon::ThreadPool>,
}

impl Pipeline {
    /// Starts the worker threads `settings` ask for, if any.
    pub fn new(settings: Settings) -> Result<Pipeline, Error> {
        let pool = match settings.jobs {
            Some(jobs) => Some(
                rayon::ThreadPoolBuilder::new()
                    .num_threads(jobs.get())
                    .thread_name(|i| format!("bomscout-parse-{i}"))
                    .build()
                    .map_err(|error| Error::ThreadPool {
                        jobs: jobs.get(),
                        error,
                    })?,
            ),
            None => None,
        };
        Ok(Pipeline { settings, pool })
    }

    /// The settings.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// [`run`] on this pipeline's threads.
    pub fn run(&self, reporter: &dyn Reporter) -> Result<Sbom, Error> {
        self.install(|| run(&self.settings, reporter))
    }

    /// [`scan`] on this pipeline's threads.
    pub fn scan(&self, reporter: &dyn Reporter) -> Result<Scanned, Error> {
        self.install(|| scan(&self.settings, reporter))
    }

    /// [`check`] on this pipeline's threads.
    pub fn check(
        &self,
        reporter: &dyn Reporter,
        policy: &Policy,
        settings: &CheckSettings,
    ) -> Result<Checked, Error> {
        self.install(|| check(&self.settings, reporter, policy, settings))
    }

    fn install<R: Send>(&self, f: impl FnOnce() -> R + Send) -> R {
        match &self.pool {
            Some(pool) => pool.install(f),
            None => f(),
        }
    }
}
