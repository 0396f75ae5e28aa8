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
#![deny(missing_docs)]

pub mod apply;
pub mod cache;
pub mod engine;
pub mod facts;
pub mod source;
pub mod sources;
#[cfg(any(test, feature = "testing"))]
pub mod testing;

pub use cache::{Cache, CacheError, Level};
pub use engine::{EnrichError, Enricher, Gathered, Outcome, Settings, Shortfall, SourceAnswer};
pub use facts::{Answer, Coordinates, Facts, FoundLicense};
pub use source::{Http, Source, SourceError};
pub use sources::Endpoints;
