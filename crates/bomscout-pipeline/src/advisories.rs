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
    /// What the front end found out about the database before opening it (an export not
    /// confirmed current for too long): added to the diagnostics of every SBOM matched, so
    /// the reports carry it.
    pub notes: Vec<Diagnostic>,
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

/// An opened advisory database and the VEX documents to apply: opened once, applied to as
/// many SBOMs as the caller has (a scan and its baseline, every run of an inventory).
pub struct Advisories {
    db: Database,
    vex: Option<vex::Vex>,
    notes: Vec<Diagnostic>,
}

impl Advisories {
    /// Reads the VEX documents, then opens the database (building its index if it changed).
    pub fn open(settings: &AdvisorySettings) -> Result<Advisories, AdvisoryError> {
        // The VEX documents first: a typo in their path should not cost an index build.
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
        Ok(Advisories {
            db,
            vex,
            notes: settings.notes.clone(),
        })
    }

    /// The database, for what it holds ([`Database::status`]).
    pub fn database(&self) -> &Database {
        &self.db
    }

    /// Matches `sbom`'s components and applies the VEX documents: `sbom.vulnerabilities` is
    /// replaced, and what could not be evaluated (a record skipped, a range type not
    /// evaluated, a VEX statement not understood) joins its diagnostics.
    pub fn apply(&self, sbom: &mut Sbom) {
        let matched = self.db.match_sbom(sbom);
        let mut diagnostics: Vec<Diagnostic> = self.notes.clone();
        diagnostics.extend_from_slice(self.db.diagnostics());
        diagnostics.extend(matched.diagnostics);
        sbom.vulnerabilities = matched.vulnerabilities;
        if let Some(vex) = &self.vex {
            diagnostics.extend(vex.apply(sbom));
        }
        sbom.diagnostics.extend(diagnostics);
        sbom.diagnostics.sort();
        sbom.diagnostics.dedup();
    }
}

/// [`Advisories::open`] and [`Advisories::apply`] for one SBOM.
pub fn attach(sbom: &mut Sbom, settings: &AdvisorySettings) -> Result<(), AdvisoryError> {
    Advisories::open(settings)?.apply(sbom);
    Ok(())
}
