//! The names of the parsers: the walker picks one per detected file, the catalog runs it.

use crate::Ecosystem;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Which parser reads a detected file.
///
/// The walker (`bomscout-walk`) maps file names to these; `bomscout-catalog` maps these to
/// parse functions. Keeping the enum here lets both sides agree without depending on each
/// other.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Cataloger {
    /// `package-lock.json` / `npm-shrinkwrap.json`, lockfile versions 1–3.
    NpmLock,
    /// A project's `package.json` (outside `node_modules`): the project, and declared
    /// dependencies as unresolved components.
    NpmManifest,
    /// `node_modules/**/package.json`: an installed package.
    NpmInstalled,
    /// `Cargo.lock`, versions 1–4.
    CargoLock,
    /// `Cargo.toml`: a crate or workspace manifest.
    CargoManifest,
    /// `requirements*.txt` and other pip requirements files.
    PipRequirements,
    /// `Pipfile.lock`.
    PipfileLock,
    /// `poetry.lock`.
    PoetryLock,
    /// `uv.lock`.
    UvLock,
    /// `pylock.toml` / `pylock.*.toml` (PEP 751).
    Pylock,
    /// `pyproject.toml` (PEP 621 and dependency groups).
    Pyproject,
    /// `*.dist-info/METADATA` and `*.egg-info/PKG-INFO`: an installed distribution.
    PythonInstalled,
}

impl Cataloger {
    /// Every cataloger, for tables and tests.
    pub const ALL: &'static [Cataloger] = &[
        Cataloger::NpmLock,
        Cataloger::NpmManifest,
        Cataloger::NpmInstalled,
        Cataloger::CargoLock,
        Cataloger::CargoManifest,
        Cataloger::PipRequirements,
        Cataloger::PipfileLock,
        Cataloger::PoetryLock,
        Cataloger::UvLock,
        Cataloger::Pylock,
        Cataloger::Pyproject,
        Cataloger::PythonInstalled,
    ];

    /// The ecosystem whose packages this cataloger finds.
    pub fn ecosystem(self) -> Ecosystem {
        match self {
            Cataloger::NpmLock | Cataloger::NpmManifest | Cataloger::NpmInstalled => Ecosystem::Npm,
            Cataloger::CargoLock | Cataloger::CargoManifest => Ecosystem::Cargo,
            Cataloger::PipRequirements
            | Cataloger::PipfileLock
            | Cataloger::PoetryLock
            | Cataloger::UvLock
            | Cataloger::Pylock
            | Cataloger::Pyproject
            | Cataloger::PythonInstalled => Ecosystem::PyPI,
        }
    }

    /// True for catalogers of resolved sets (lockfiles, installed records), whose versions
    /// win over a manifest's declared ranges.
    pub fn is_manifest(self) -> bool {
        matches!(
            self,
            Cataloger::NpmManifest | Cataloger::CargoManifest | Cataloger::Pyproject
        )
    }

    /// A stable kebab-case name, used in diagnostics and `--catalogers` style filters.
    pub fn name(self) -> &'static str {
        match self {
            Cataloger::NpmLock => "npm-lock",
            Cataloger::NpmManifest => "npm-manifest",
            Cataloger::NpmInstalled => "npm-installed",
            Cataloger::CargoLock => "cargo-lock",
            Cataloger::CargoManifest => "cargo-manifest",
            Cataloger::PipRequirements => "pip-requirements",
            Cataloger::PipfileLock => "pipfile-lock",
            Cataloger::PoetryLock => "poetry-lock",
            Cataloger::UvLock => "uv-lock",
            Cataloger::Pylock => "pylock",
            Cataloger::Pyproject => "pyproject",
            Cataloger::PythonInstalled => "python-installed",
        }
    }
}

impl fmt::Display for Cataloger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A file the walker detected, and the cataloger that reads it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Detected {
    /// Path relative to the scan root, `/`-separated: what reports show.
    pub rel: String,
    /// Where to read it.
    pub abs: std::path::PathBuf,
    /// Which parser reads it.
    pub cataloger: Cataloger,
}
