//! The package ecosystems bomscout knows, and the purl type each maps to.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A package ecosystem: the registry world a package name lives in.
///
/// The variant decides the purl type and the name rules (see [`crate::Purl`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Ecosystem {
    /// JavaScript packages (npm, yarn, pnpm, bun).
    Npm,
    /// Rust crates.
    Cargo,
    /// Python distributions.
    #[serde(rename = "pypi")]
    PyPI,
    /// Go modules.
    Golang,
    /// Maven artifacts (Maven, Gradle, jars).
    Maven,
    /// Ruby gems.
    Gem,
    /// PHP Composer packages.
    Composer,
    /// .NET NuGet packages.
    Nuget,
    /// Swift packages.
    Swift,
    /// CocoaPods.
    Cocoapods,
    /// Dart/Flutter pub packages.
    Pub,
    /// Elixir/Erlang Hex packages.
    Hex,
    /// Conan C/C++ packages.
    Conan,
    /// Haskell Hackage packages.
    Hackage,
    /// R CRAN packages.
    Cran,
    /// GitHub repositories (e.g. GitHub Actions `uses:`).
    Github,
    /// Bitbucket repositories (a dependency fetched from a Bitbucket git repository).
    Bitbucket,
    /// Container images (`docker://` actions).
    Docker,
    /// Debian and Ubuntu packages (`var/lib/dpkg/status`).
    Deb,
    /// Alpine packages (`lib/apk/db/installed`).
    Apk,
    /// RPM packages (`var/lib/rpm/rpmdb.sqlite`).
    Rpm,
    /// Hugging Face models and datasets.
    Huggingface,
    /// Anything else.
    Generic,
}

impl Ecosystem {
    /// The purl `type` for this ecosystem, per the purl specification.
    pub fn purl_type(self) -> &'static str {
        match self {
            Ecosystem::Npm => "npm",
            Ecosystem::Cargo => "cargo",
            Ecosystem::PyPI => "pypi",
            Ecosystem::Golang => "golang",
            Ecosystem::Maven => "maven",
            Ecosystem::Gem => "gem",
            Ecosystem::Composer => "composer",
            Ecosystem::Nuget => "nuget",
            Ecosystem::Swift => "swift",
            Ecosystem::Cocoapods => "cocoapods",
            Ecosystem::Pub => "pub",
            Ecosystem::Hex => "hex",
            Ecosystem::Conan => "conan",
            Ecosystem::Hackage => "hackage",
            Ecosystem::Cran => "cran",
            Ecosystem::Github => "github",
            Ecosystem::Bitbucket => "bitbucket",
            Ecosystem::Docker => "docker",
            Ecosystem::Deb => "deb",
            Ecosystem::Apk => "apk",
            Ecosystem::Rpm => "rpm",
            Ecosystem::Huggingface => "huggingface",
            Ecosystem::Generic => "generic",
        }
    }

    /// Every ecosystem, the most used first (the order `advisories update` lists them in).
    pub const ALL: [Ecosystem; 23] = [
        Ecosystem::Npm,
        Ecosystem::PyPI,
        Ecosystem::Cargo,
        Ecosystem::Golang,
        Ecosystem::Maven,
        Ecosystem::Nuget,
        Ecosystem::Gem,
        Ecosystem::Composer,
        Ecosystem::Hex,
        Ecosystem::Pub,
        Ecosystem::Swift,
        Ecosystem::Hackage,
        Ecosystem::Cran,
        Ecosystem::Conan,
        Ecosystem::Github,
        Ecosystem::Cocoapods,
        Ecosystem::Bitbucket,
        Ecosystem::Docker,
        Ecosystem::Deb,
        Ecosystem::Apk,
        Ecosystem::Rpm,
        Ecosystem::Huggingface,
        Ecosystem::Generic,
    ];

    /// The ecosystem of a purl `type` (`Generic` for types bomscout has no ecosystem for).
    pub fn from_purl_type(ty: &str) -> Ecosystem {
        let ty = ty.to_ascii_lowercase();
        Ecosystem::ALL
            .into_iter()
            .find(|e| e.purl_type() == ty)
            .unwrap_or(Ecosystem::Generic)
    }

    /// The ecosystem's name in OSV records (`affected[].package.ecosystem`), if OSV has one.
    ///
    /// For Debian and Alpine packages this is the name of OSV's export (`Debian/all.zip`,
    /// one file for every release): their records name the release too (`Debian:12`,
    /// `Alpine:v3.20`), which the advisory matcher reads from each component's `distro`
    /// qualifier. RPM distributions (Red Hat, Rocky, openSUSE ...) have one OSV ecosystem
    /// each and are not matched.
    ///
    /// OSV names the Rust ecosystem after its registry's host, which this repository never
    /// writes literally: [`OSV_CRATES_ECOSYSTEM`] assembles it from parts, here only.
    pub fn osv_name(self) -> Option<&'static str> {
        let name = match self {
            Ecosystem::Npm => "npm",
            Ecosystem::Cargo => OSV_CRATES_ECOSYSTEM,
            Ecosystem::PyPI => "PyPI",
            Ecosystem::Golang => "Go",
            Ecosystem::Maven => "Maven",
            Ecosystem::Gem => "RubyGems",
            Ecosystem::Composer => "Packagist",
            Ecosystem::Nuget => "NuGet",
            Ecosystem::Swift => "SwiftURL",
            Ecosystem::Pub => "Pub",
            Ecosystem::Hex => "Hex",
            Ecosystem::Conan => "ConanCenter",
            Ecosystem::Hackage => "Hackage",
            Ecosystem::Cran => "CRAN",
            Ecosystem::Github => "GitHub Actions",
            Ecosystem::Deb => "Debian",
            Ecosystem::Apk => "Alpine",
            Ecosystem::Cocoapods
            | Ecosystem::Bitbucket
            | Ecosystem::Docker
            | Ecosystem::Rpm
            | Ecosystem::Huggingface
            | Ecosystem::Generic => return None,
        };
        Some(name)
    }

    /// A short human name, as shown in the table output.
    pub fn as_str(self) -> &'static str {
        self.purl_type()
    }
}

impl fmt::Display for Ecosystem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// OSV's ecosystem name for Rust crates: the crate registry's host, assembled from parts so
/// that the host never appears literally in this repository.
pub const OSV_CRATES_ECOSYSTEM: &str = concat!("crates", ".", "io");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_lists_each_ecosystem_once_and_purl_types_lead_back() {
        let mut types: Vec<&str> = Ecosystem::ALL.iter().map(|e| e.purl_type()).collect();
        types.sort_unstable();
        types.dedup();
        assert_eq!(types.len(), Ecosystem::ALL.len());
        for e in Ecosystem::ALL {
            assert_eq!(Ecosystem::from_purl_type(e.purl_type()), e);
        }
    }
}
