//! Online enrichment: what a lockfile does not say about a package, asked of the services
//! that know it. Off unless the user asks (`--enrich`); only package coordinates (ecosystem,
//! name, version) are ever sent, and every fact kept names the URL that answered.
//!
//! A lockfile-only checkout (a pull request's CI) has versions but, for most ecosystems, no
//! licenses and no supplier. This crate fills them from, in order of precedence:
//!
//! 1. the package registries' own metadata for the version ([`sources`]: npm, PyPI, the Rust
//!    crate registry, RubyGems, NuGet, Packagist, pub, Hex, Maven POMs with their parents, and
//!    for Go the module zip's LICENSE files from the module proxy);
//! 2. ClearlyDefined's definitions (curated or harvested from the package's files);
//! 3. deps.dev (licenses, source repositories, and the repositories' OpenSSF Scorecards).
//!
//! Local evidence (what the scanned files declare, installed packages' license files) always
//! comes first: a fetched license is added beside it as evidence of kind
//! [`SourceKind::Registry`](bomscout_core::SourceKind), `ClearlyDefined` or `DepsDev`, and a
//! disagreement is reported, never silently resolved.
//!
//! Each source is a module behind the one [`Source`] trait. Answers are kept in one SQLite
//! cache under the cache directory ([`cache`]), shared with the advisory database and safe
//! for several processes at once: what a version is never changes, so those answers are
//! kept for good; "not found", latest releases and scorecards expire.
//!
//! # The engine
//!
//! [`Enricher`] runs the sources ([`engine`]). Given an SBOM it asks about each distinct
//! resolved package once (however many projects list it; git and URL dependencies are not
//! the registry's package and are left alone), of each source that knows its ecosystem, in
//! the source's batches: version-level facts always, the latest release when
//! [`Settings::latest`], and the scorecard of every repository an answer named. It answers
//! from memory first (an `Enricher` kept for a whole `inventory` run asks about each package
//! once, failures included), then from the cache, then from the network: one HTTP client
//! (connections reused; 3 attempts with backoff from 500 ms, `Retry-After` honoured; 20 s
//! per read; answers up to 32 MiB), [`Settings::concurrency`] requests in flight, and one
//! time budget per call ([`Settings::timeout`]) past which no request starts. With
//! [`Settings::offline`] no client is built at all and only the cache answers.
//!
//! The answers are then applied to each component ([`apply`]), in order of precedence:
//! licenses become evidence of the source's kind (the URL that answered as their path)
//! beside the local ones, which keep deciding; a disagreement between the local evidence
//! and a source, or between two sources, is a warning in the words of the license-file
//! conflicts (`pkg:npm/x@1.0.0: package-lock.json declares MIT but the npm registry (URL)
//! says ISC`); a component without a supplier gets the first answer's (`supplier`,
//! `supplier-source`); and [`Health`](bomscout_core::Health) gets the repository, release
//! dates, scorecard and archived flag, each from the first answer that has it.
//!
//! Enrichment never fails a scan: a source that fails or runs out of time, an unusable
//! cache, or offline with nothing cached is one warning per source on the SBOM ("312
//! components not enriched: depsdev timed out") and a [`Shortfall`] in the [`Outcome`].
//!
//! ```no_run
//! use bomscout_enrich::{Enricher, Settings};
//! # fn demo(sbom: &mut bomscout_core::Sbom) -> Result<(), bomscout_enrich::EnrichError> {
//! let mut settings = Settings::new("/var/cache/bomscout".into(), "bomscout/1.0".into());
//! settings.only = Some(vec!["depsdev".into()]);
//! let enricher = Enricher::new(settings)?;
//! let outcome = enricher.enrich(sbom, &bomscout_core::Silent);
//! for shortfall in &outcome.shortfalls {
//!     eprintln!("{shortfall}");
//! }
//! # Ok(())
//! # }
//! ```
#![deny(missing_docs)]

pub mod apply;
pub mod cache;
pub mod engine;
pub mod facts;
pub mod source;
pub mod sources;
/// The loopback test server (feature `testing`), bomscout-net's.
#[cfg(feature = "testing")]
pub use bomscout_net::testing;

pub use cache::{Cache, CacheError, Level};
pub use engine::{EnrichError, Enricher, Gathered, Outcome, Settings, Shortfall, SourceAnswer};
pub use facts::{Answer, Coordinates, Facts, FoundLicense};
pub use source::{Http, Source, SourceError};
pub use sources::Endpoints;
