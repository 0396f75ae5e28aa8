//! The security step: the document's components matched against a local advisory database,
//! then VEX statements applied. Nothing leaves the machine: the database is files on disk
//! (`bomscout advisories update` is the only command that downloads, and it names only
//! ecosystems).

use bomscout_advisory::{Database, Location, Options};
use bomscout_core::{Diagnostic, Sbom};
use bomscout_policy::vex;
use std::path::PathBuf;

/// Where the advisories are and what to apply to them.
#[derive(Debug, Clone, Default)]
pub struct AdvisorySettings {
    /// The database: a directory of `{Ecosystem}/all.zip` exports (the cache's `osv` folder
    /// or a copy of it) or any tree of OSV `.json`/`.yaml` records.
    pub database: PathBuf,
    /// Where the database's index is kept between runs (`{cache}/osv-index`). `None` builds
    /// it in memory on every run, which costs seconds for a large export.
    pub index_dir: Option<PathBuf>,
    /// VEX documents (OpenVEX or CycloneDX VEX) whose `not_affected` statements suppress
    /// findings.
    pub vex: Vec<PathBuf>,
}

/// Why the security step could not run. A gate that was asked to judge vulnerabilities
/// must not pass without a database, so these are errors, not diagnostics.
#[derive(Debug, thiserror::Error)]
pub enum AdvisoryError {
    /// No part of the database could be opened.
    #[error(
        "{0}\n  `bomscout advisories update` downloads the advisory data; --advisory-db DIR \
         reads a copied cache folder or a tree of OSV records"
    )]
    Database(#[from] bomscout_advisory::Error),
    /// A VEX document could not be used.
    #[error(transparent)]
    Vex(#[from] vex::VexError),
}

/// Matches `sbom`'s components against the database and applies the VEX documents:
/// `sbom.vulnerabilities` is replaced, and what could not be evaluated (a record skipped,
/// a range type not evaluated, a VEX statement not understood) joins its diagnostics.
pub fn attach(sbom: &mut Sbom, settings: &AdvisorySettings) -> Result<(), AdvisoryError> {
    // Read the VEX documents first: a typo in their path should not cost an index build.
    let vex = if settings.vex.is_empty() {
        None
    } else {
        Some(vex::load(&settings.vex)?)
    };
    let options = Options {
        index_dir: settings.index_dir.clone(),
        ..Options::default()
    };
    let db = Database::open(&Location::path(&settings.database), &options)?;
    let matched = db.match_sbom(sbom);
    let mut diagnostics: Vec<Diagnostic> = db.diagnostics().to_vec();
    diagnostics.extend(matched.diagnostics);
    sbom.vulnerabilities = matched.vulnerabilities;
    if let Some(vex) = vex {
        diagnostics.extend(vex.apply(sbom));
    }
    sbom.diagnostics.extend(diagnostics);
    sbom.diagnostics.sort();
    sbom.diagnostics.dedup();
    Ok(())
}
