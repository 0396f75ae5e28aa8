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
    /// `yarn.lock`: yarn v1 and yarn berry (v2+).
    YarnLock,
    /// `pnpm-lock.yaml`, lockfile versions 5.x, 6.x and 9.x.
    PnpmLock,
    /// `bun.lock`, bun's text lockfile.
    BunLock,
    /// `go.mod`, with the `go.sum` beside it.
    GoMod,
    /// `vendor/modules.txt`: Go's vendored modules.
    GoVendor,
    /// An executable that may carry Go build info (read, never run).
    GoBinary,
    /// `pom.xml`.
    MavenPom,
    /// `gradle.lockfile` and `gradle/dependency-locks/*.lockfile`.
    GradleLock,
    /// `gradle/*.versions.toml`: a Gradle version catalog.
    GradleCatalog,
    /// `*.jar`, `*.war`, `*.ear` and other Java archives.
    JavaArchive,
    /// `Gemfile.lock` / `gems.locked`.
    GemfileLock,
    /// `specifications/*.gemspec`: an installed gem.
    GemInstalled,
    /// `composer.lock`.
    ComposerLock,
    /// `vendor/composer/installed.json`.
    ComposerInstalled,
    /// `packages.lock.json`.
    NugetLock,
    /// `*.deps.json`: a built .NET application's dependencies.
    DotnetDeps,
    /// `*.csproj`, `*.fsproj`, `*.vbproj`, `Directory.Packages.props`.
    DotnetProject,
    /// `Package.resolved`, versions 1–3.
    SwiftResolved,
    /// `Podfile.lock`.
    PodfileLock,
    /// `pubspec.lock`.
    PubspecLock,
    /// `mix.lock`.
    MixLock,
    /// `rebar.lock`.
    RebarLock,
    /// `conan.lock`.
    ConanLock,
    /// `vcpkg.json`: a vcpkg manifest.
    Vcpkg,
    /// `stack.yaml.lock`.
    StackLock,
    /// `cabal.project.freeze`.
    CabalFreeze,
    /// `renv.lock`.
    RenvLock,
    /// `.github/workflows/*.yml` and `action.yml`: the actions a repository's CI uses.
    GithubActions,
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
        Cataloger::YarnLock,
        Cataloger::PnpmLock,
        Cataloger::BunLock,
        Cataloger::GoMod,
        Cataloger::GoVendor,
        Cataloger::GoBinary,
        Cataloger::MavenPom,
        Cataloger::GradleLock,
        Cataloger::GradleCatalog,
        Cataloger::JavaArchive,
        Cataloger::GemfileLock,
        Cataloger::GemInstalled,
        Cataloger::ComposerLock,
        Cataloger::ComposerInstalled,
        Cataloger::NugetLock,
        Cataloger::DotnetDeps,
        Cataloger::DotnetProject,
        Cataloger::SwiftResolved,
        Cataloger::PodfileLock,
        Cataloger::PubspecLock,
        Cataloger::MixLock,
        Cataloger::RebarLock,
        Cataloger::ConanLock,
        Cataloger::Vcpkg,
        Cataloger::StackLock,
        Cataloger::CabalFreeze,
        Cataloger::RenvLock,
        Cataloger::GithubActions,
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
            Cataloger::YarnLock | Cataloger::PnpmLock | Cataloger::BunLock => Ecosystem::Npm,
            Cataloger::GoMod | Cataloger::GoVendor | Cataloger::GoBinary => Ecosystem::Golang,
            Cataloger::MavenPom
            | Cataloger::GradleLock
            | Cataloger::GradleCatalog
            | Cataloger::JavaArchive => Ecosystem::Maven,
            Cataloger::GemfileLock | Cataloger::GemInstalled => Ecosystem::Gem,
            Cataloger::ComposerLock | Cataloger::ComposerInstalled => Ecosystem::Composer,
            Cataloger::NugetLock | Cataloger::DotnetDeps | Cataloger::DotnetProject => {
                Ecosystem::Nuget
            }
            Cataloger::SwiftResolved => Ecosystem::Swift,
            Cataloger::PodfileLock => Ecosystem::Cocoapods,
            Cataloger::PubspecLock => Ecosystem::Pub,
            Cataloger::MixLock | Cataloger::RebarLock => Ecosystem::Hex,
            Cataloger::ConanLock => Ecosystem::Conan,
            Cataloger::Vcpkg => Ecosystem::Generic,
            Cataloger::StackLock | Cataloger::CabalFreeze => Ecosystem::Hackage,
            Cataloger::RenvLock => Ecosystem::Cran,
            Cataloger::GithubActions => Ecosystem::Github,
        }
    }

    /// True for catalogers of resolved sets (lockfiles, installed records), whose versions
    /// win over a manifest's declared ranges.
    pub fn is_manifest(self) -> bool {
        matches!(
            self,
            Cataloger::NpmManifest
                | Cataloger::CargoManifest
                | Cataloger::Pyproject
                | Cataloger::MavenPom
                | Cataloger::GradleCatalog
                | Cataloger::DotnetProject
                | Cataloger::Vcpkg
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
            Cataloger::YarnLock => "yarn-lock",
            Cataloger::PnpmLock => "pnpm-lock",
            Cataloger::BunLock => "bun-lock",
            Cataloger::GoMod => "go-mod",
            Cataloger::GoVendor => "go-vendor",
            Cataloger::GoBinary => "go-binary",
            Cataloger::MavenPom => "maven-pom",
            Cataloger::GradleLock => "gradle-lock",
            Cataloger::GradleCatalog => "gradle-catalog",
            Cataloger::JavaArchive => "java-archive",
            Cataloger::GemfileLock => "gemfile-lock",
            Cataloger::GemInstalled => "gem-installed",
            Cataloger::ComposerLock => "composer-lock",
            Cataloger::ComposerInstalled => "composer-installed",
            Cataloger::NugetLock => "nuget-lock",
            Cataloger::DotnetDeps => "dotnet-deps",
            Cataloger::DotnetProject => "dotnet-project",
            Cataloger::SwiftResolved => "swift-resolved",
            Cataloger::PodfileLock => "podfile-lock",
            Cataloger::PubspecLock => "pubspec-lock",
            Cataloger::MixLock => "mix-lock",
            Cataloger::RebarLock => "rebar-lock",
            Cataloger::ConanLock => "conan-lock",
            Cataloger::Vcpkg => "vcpkg",
            Cataloger::StackLock => "stack-lock",
            Cataloger::CabalFreeze => "cabal-freeze",
            Cataloger::RenvLock => "renv-lock",
            Cataloger::GithubActions => "github-actions",
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
    /// The scan root it was found under, canonical (symlinks resolved): references written
    /// in the file (includes, parents, imports) may only reach files inside it.
    pub root: std::path::PathBuf,
}
