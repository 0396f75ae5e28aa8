//! Version orderings, one per ecosystem.
//!
//! Every ecosystem orders its versions by its own rules: `1.0.0-rc1` is below `1.0.0` in SemVer,
//! `1.0.post1` is above `1.0` in PEP 440, `1.0-SNAPSHOT` is below `1.0` in Maven, `1.0~rc1` is below
//! `1.0` in Debian. Policy matching (`version < 2.0`) and advisory ranges (OSV's `introduced` /
//! `fixed` / `last_affected` events, which OSV says are evaluated "in the ecosystem's own version
//! order") ask the same question, so this one crate holds every ordering and both callers share
//! it: a rule fixed here is fixed for both, and a version is never ordered one way by the gate and
//! another way by the advisory matcher.
//!
//! A [`Version`] is parsed once and compared cheaply many times (the advisory index compares one
//! installed version against many range events). Parsing never panics; a string that does not
//! parse in a scheme is a [`VersionError`], and [`compare`] returns `None` for it so the caller
//! decides (an advisory matcher may fall back to the record's explicit `versions` list; policy
//! matching may report the rule as not applicable). Input longer than [`MAX_LEN`] bytes is refused
//! before any parsing, so a hostile version string costs nothing.
//!
//! The schemes and their sources of truth:
//!
//! - [`Scheme::SemVer`]: Semantic Versioning 2.0.0 (semver.org), parsed by the `semver` crate;
//!   build metadata ignored for ordering. Lenient where lockfiles are: a leading `v`/`V`/`=` and
//!   surrounding spaces are dropped, and a short core (`1`, `1.2`) is padded with zeros
//!   (`1.0 == 1.0.0`), as npm's coercion and Go's shorthand do. OSV's `SEMVER` ranges always carry
//!   full versions, so the padding only widens what an installed version may look like.
//!   Checked against npm's `semver` package.
//! - [`Scheme::Go`]: Go module versions (`golang.org/x/mod/semver`): SemVer with a `v` prefix,
//!   `+incompatible` ignored, pseudo-versions ordered as the SemVer pre-releases they are.
//! - [`Scheme::Pep440`]: PEP 440 (the Python Packaging Authority's version specifiers), via
//!   `pep440_rs`: epochs, pre/post/dev releases, local versions, `1.0 == 1.0.0`. Checked against
//!   Python's `packaging`.
//! - [`Scheme::Maven`]: Maven's `ComparableVersion` (maven-artifact; the POM reference's
//!   "Version Order Specification"), implemented here and checked against Maven 3.8's own
//!   class. Maven's rules are not transitive in a few odd corners (`0-alpha < 0 < a < 0-alpha`);
//!   there this ordering makes one consistent choice, since a sort needs a total order.
//! - [`Scheme::RubyGems`]: RubyGems' `Gem::Version#<=>` (segments, string segments are
//!   pre-releases), checked against RubyGems itself. CocoaPods uses it too.
//! - [`Scheme::NuGet`]: NuGet's `NuGetVersion` (SemVer 2 with an optional fourth number,
//!   case-insensitive pre-release labels).
//! - [`Scheme::Composer`]: Composer's `VersionParser::normalize` followed by PHP's
//!   `version_compare`, as Composer's constraint matching does.
//! - [`Scheme::Debian`]: Debian Policy §5.6.12 (`dpkg --compare-versions`), checked against
//!   dpkg. What dpkg only warns about (a version not starting with a digit, a character outside
//!   the policy's set) is an error here.
//! - [`Scheme::Alpine`]: apk-tools 2's version comparison (`apk version -t`), checked against
//!   apk-tools' own test expectations, quirks included (`1.0_rc1 > 1.0` there).
//! - [`Scheme::Rpm`]: RPM's `[epoch:]version[-release]` with `rpmvercmp` (`~` and `^`
//!   included), checked against rpm 4.18's own comparison.
//! - [`Scheme::Generic`]: dotted numbers compared numerically, anything else as text: the
//!   fallback for ecosystems with no ordering of their own.
//!
//! ```
//! use bomscout_versions::{compare, Scheme, Version};
//! use std::cmp::Ordering;
//!
//! assert_eq!(compare(Scheme::SemVer, "1.0.0-rc1", "1.0.0"), Some(Ordering::Less));
//! assert_eq!(compare(Scheme::Maven, "1.0", "1-ga"), Some(Ordering::Equal));
//! assert_eq!(compare(Scheme::Debian, "1.0~rc1", "1.0"), Some(Ordering::Less));
//! assert_eq!(compare(Scheme::Pep440, "not a version!", "1.0"), None);
//!
//! let installed = Version::parse(Scheme::Pep440, "2.31.0").unwrap();
//! let fixed = Version::parse(Scheme::Pep440, "2.32.0").unwrap();
//! assert!(installed < fixed);
//! ```
#![deny(missing_docs)]

/// Implements `PartialEq`, `Eq`, `PartialOrd` and `Ord` for a parsed version from its inherent
/// `order` method, so that equality is always the scheme's equality (`1.0 == 1.0.0` in Maven),
/// never a structural one that could disagree with the ordering.
macro_rules! order_by {
    ($ty:ty) => {
        impl PartialEq for $ty {
            fn eq(&self, other: &Self) -> bool {
                self.order(other) == std::cmp::Ordering::Equal
            }
        }
        impl Eq for $ty {}
        impl PartialOrd for $ty {
            fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
                Some(self.cmp(other))
            }
        }
        impl Ord for $ty {
            fn cmp(&self, other: &Self) -> std::cmp::Ordering {
                self.order(other)
            }
        }
    };
}

mod alpine;
mod composer;
mod debian;
mod generic;
mod maven;
mod nuget;
mod pep440;
mod rpm;
mod rubygems;
mod semver_scheme;

use bomscout_core::escape::{quote, QUOTE_LIMIT};
use bomscout_core::Ecosystem;
use std::cmp::Ordering;
use std::fmt;

/// The longest version string accepted, in bytes. Real versions are far shorter (the longest Go
/// pseudo-versions are under 80 bytes); anything longer is refused before parsing.
pub const MAX_LEN: usize = 256;

/// A version ordering: the rules one ecosystem uses to sort its versions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scheme {
    /// Semantic Versioning 2.0.0 (npm, Cargo, Hex, Pub, Swift, ...).
    SemVer,
    /// Go module versions: SemVer with a `v` prefix, pseudo-versions, `+incompatible`.
    Go,
    /// Python's PEP 440.
    Pep440,
    /// Maven's `ComparableVersion`.
    Maven,
    /// RubyGems' `Gem::Version`.
    RubyGems,
    /// NuGet's versions (SemVer 2 with an optional fourth number).
    NuGet,
    /// Composer's (Packagist) versions.
    Composer,
    /// Debian's `epoch:upstream-revision`.
    Debian,
    /// Alpine's apk versions.
    Alpine,
    /// RPM's `[epoch:]version[-release]`.
    Rpm,
    /// Dotted numbers with a text fallback.
    Generic,
}

impl Scheme {
    /// Every scheme, in declaration order.
    pub const ALL: [Scheme; 11] = [
        Scheme::SemVer,
        Scheme::Go,
        Scheme::Pep440,
        Scheme::Maven,
        Scheme::RubyGems,
        Scheme::NuGet,
        Scheme::Composer,
        Scheme::Debian,
        Scheme::Alpine,
        Scheme::Rpm,
        Scheme::Generic,
    ];

    /// The ordering an ecosystem's versions follow.
    pub fn for_ecosystem(ecosystem: Ecosystem) -> Scheme {
        match ecosystem {
            Ecosystem::Npm | Ecosystem::Cargo | Ecosystem::Hex | Ecosystem::Pub => Scheme::SemVer,
            Ecosystem::Swift => Scheme::SemVer,
            Ecosystem::Golang => Scheme::Go,
            Ecosystem::PyPI => Scheme::Pep440,
            Ecosystem::Maven => Scheme::Maven,
            Ecosystem::Gem => Scheme::RubyGems,
            // CocoaPods versions follow RubyGems' `Gem::Version` (Pod::Version subclasses it).
            Ecosystem::Cocoapods => Scheme::RubyGems,
            Ecosystem::Nuget => Scheme::NuGet,
            Ecosystem::Composer => Scheme::Composer,
            Ecosystem::Deb => Scheme::Debian,
            Ecosystem::Apk => Scheme::Alpine,
            Ecosystem::Rpm => Scheme::Rpm,
            Ecosystem::Conan
            | Ecosystem::Hackage
            | Ecosystem::Cran
            | Ecosystem::Github
            | Ecosystem::Bitbucket
            | Ecosystem::Docker
            | Ecosystem::Huggingface
            | Ecosystem::Generic => Scheme::Generic,
        }
    }

    /// The ordering of an OSV `affected[].package.ecosystem` name (`npm`, `PyPI`, `Maven`,
    /// `Debian:12`, `Alpine:v3.19`, ...), or `None` for an ecosystem with no ordering here
    /// (OSV's `GIT` ranges and unknown ecosystems: the caller says it did not evaluate them).
    ///
    /// A `:suffix` (an OS release) is ignored. The Rust ecosystem's OSV name is its registry's
    /// host, which this repository never writes literally; callers pass it through
    /// [`Scheme::for_ecosystem`] with [`Ecosystem::Cargo`] instead.
    pub fn for_osv_ecosystem(name: &str) -> Option<Scheme> {
        let base = name.split(':').next().unwrap_or(name).trim();
        let scheme = match base {
            "npm" | "Hex" | "Pub" | "SwiftURL" | "Bitnami" => Scheme::SemVer,
            "Go" => Scheme::Go,
            "PyPI" => Scheme::Pep440,
            "Maven" => Scheme::Maven,
            "RubyGems" => Scheme::RubyGems,
            "NuGet" => Scheme::NuGet,
            "Packagist" => Scheme::Composer,
            "Debian" | "Ubuntu" => Scheme::Debian,
            // Wolfi and Chainguard build apk packages and use apk's version rules.
            "Alpine" | "Wolfi" | "Chainguard" => Scheme::Alpine,
            "Red Hat" | "Rocky Linux" | "AlmaLinux" | "openSUSE" | "SUSE" | "Mageia"
            | "openEuler" => Scheme::Rpm,
            // Dotted numbers (Hackage's `1.2.3.4`, CRAN's `1.2-3`), which the generic
            // ordering compares exactly.
            "Hackage" | "CRAN" => Scheme::Generic,
            _ => return None,
        };
        Some(scheme)
    }

    /// A short name for messages.
    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::SemVer => "SemVer",
            Scheme::Go => "Go",
            Scheme::Pep440 => "PEP 440",
            Scheme::Maven => "Maven",
            Scheme::RubyGems => "RubyGems",
            Scheme::NuGet => "NuGet",
            Scheme::Composer => "Composer",
            Scheme::Debian => "Debian",
            Scheme::Alpine => "Alpine",
            Scheme::Rpm => "RPM",
            Scheme::Generic => "generic",
        }
    }
}

impl fmt::Display for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a string is not a version in a scheme.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VersionError {
    /// The string is empty (or only spaces).
    #[error("empty {scheme} version: a version such as `1.0.0` was expected")]
    Empty {
        /// The scheme asked for.
        scheme: Scheme,
    },
    /// The string is longer than [`MAX_LEN`].
    #[error(
        "{scheme} version {quoted} is {len} bytes long, over the {MAX_LEN}-byte limit: \
         it is not a version string; check the field it was read from"
    )]
    TooLong {
        /// The scheme asked for.
        scheme: Scheme,
        /// The length in bytes.
        len: usize,
        /// The start of the string, escaped and bounded for display.
        quoted: String,
    },
    /// The string does not follow the scheme's grammar.
    #[error("{quoted} is not a valid {scheme} version: {reason}")]
    Invalid {
        /// The scheme asked for.
        scheme: Scheme,
        /// The string, escaped and bounded for display.
        quoted: String,
        /// What is wrong with it.
        reason: String,
    },
}

impl VersionError {
    pub(crate) fn invalid(scheme: Scheme, text: &str, reason: impl Into<String>) -> VersionError {
        VersionError::Invalid {
            scheme,
            quoted: quote(text, QUOTE_LIMIT),
            reason: reason.into(),
        }
    }
}

/// A version parsed in one scheme. Ordering follows the scheme's rules; versions of different
/// schemes order by scheme first (a total order, though comparing across schemes means nothing).
///
/// Equality is the scheme's equality, not the text's: `1.0` and `1.0.0` are equal in PEP 440
/// and Maven. [`Version::as_str`] keeps the text as given.
#[derive(Debug, Clone)]
pub struct Version {
    text: Box<str>,
    key: Key,
}

/// The parsed, comparable form of a version.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Key {
    SemVer(semver::Version),
    Go(semver::Version),
    Pep440(pep440_rs::Version),
    Maven(maven::MavenVersion),
    RubyGems(rubygems::GemVersion),
    NuGet(nuget::NuGetVersion),
    Composer(composer::ComposerVersion),
    Debian(debian::DebianVersion),
    Alpine(alpine::AlpineVersion),
    Rpm(rpm::RpmVersion),
    Generic(generic::GenericVersion),
}

impl Version {
    /// Parses `text` in `scheme`. Surrounding spaces are ignored; an empty string, a string
    /// longer than [`MAX_LEN`] bytes, or one outside the scheme's grammar is an error.
    pub fn parse(scheme: Scheme, text: &str) -> Result<Version, VersionError> {
        if text.len() > MAX_LEN {
            return Err(VersionError::TooLong {
                scheme,
                len: text.len(),
                quoted: quote(text, QUOTE_LIMIT),
            });
        }
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err(VersionError::Empty { scheme });
        }
        let key = match scheme {
            Scheme::SemVer => Key::SemVer(semver_scheme::parse_semver(trimmed)?),
            Scheme::Go => Key::Go(semver_scheme::parse_go(trimmed)?),
            Scheme::Pep440 => Key::Pep440(pep440::parse(trimmed)?),
            Scheme::Maven => Key::Maven(maven::MavenVersion::parse(trimmed)?),
            Scheme::RubyGems => Key::RubyGems(rubygems::GemVersion::parse(trimmed)?),
            Scheme::NuGet => Key::NuGet(nuget::NuGetVersion::parse(trimmed)?),
            Scheme::Composer => Key::Composer(composer::ComposerVersion::parse(trimmed)?),
            Scheme::Debian => Key::Debian(debian::DebianVersion::parse(trimmed)?),
            Scheme::Alpine => Key::Alpine(alpine::AlpineVersion::parse(trimmed)?),
            Scheme::Rpm => Key::Rpm(rpm::RpmVersion::parse(trimmed)?),
            Scheme::Generic => Key::Generic(generic::GenericVersion::parse(trimmed)?),
        };
        Ok(Version {
            text: trimmed.into(),
            key,
        })
    }

    /// The scheme this version was parsed in.
    pub fn scheme(&self) -> Scheme {
        match self.key {
            Key::SemVer(_) => Scheme::SemVer,
            Key::Go(_) => Scheme::Go,
            Key::Pep440(_) => Scheme::Pep440,
            Key::Maven(_) => Scheme::Maven,
            Key::RubyGems(_) => Scheme::RubyGems,
            Key::NuGet(_) => Scheme::NuGet,
            Key::Composer(_) => Scheme::Composer,
            Key::Debian(_) => Scheme::Debian,
            Key::Alpine(_) => Scheme::Alpine,
            Key::Rpm(_) => Scheme::Rpm,
            Key::Generic(_) => Scheme::Generic,
        }
    }

    /// The text as given (surrounding spaces removed).
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl PartialEq for Version {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Version {}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        self.key.cmp(&other.key)
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// Compares two version strings in `scheme`; `None` when either does not parse in it.
///
/// To compare one version with many, parse it once with [`Version::parse`] instead.
pub fn compare(scheme: Scheme, a: &str, b: &str) -> Option<Ordering> {
    let a = Version::parse(scheme, a).ok()?;
    let b = Version::parse(scheme, b).ok()?;
    Some(a.cmp(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_ecosystem_has_a_scheme() {
        assert_eq!(Scheme::for_ecosystem(Ecosystem::Npm), Scheme::SemVer);
        assert_eq!(Scheme::for_ecosystem(Ecosystem::Cargo), Scheme::SemVer);
        assert_eq!(Scheme::for_ecosystem(Ecosystem::Golang), Scheme::Go);
        assert_eq!(Scheme::for_ecosystem(Ecosystem::PyPI), Scheme::Pep440);
        assert_eq!(Scheme::for_ecosystem(Ecosystem::Maven), Scheme::Maven);
        assert_eq!(Scheme::for_ecosystem(Ecosystem::Gem), Scheme::RubyGems);
        assert_eq!(Scheme::for_ecosystem(Ecosystem::Nuget), Scheme::NuGet);
        assert_eq!(Scheme::for_ecosystem(Ecosystem::Composer), Scheme::Composer);
        assert_eq!(Scheme::for_ecosystem(Ecosystem::Conan), Scheme::Generic);
        assert_eq!(Scheme::for_ecosystem(Ecosystem::Deb), Scheme::Debian);
        assert_eq!(Scheme::for_ecosystem(Ecosystem::Apk), Scheme::Alpine);
        assert_eq!(Scheme::for_ecosystem(Ecosystem::Rpm), Scheme::Rpm);
    }

    #[test]
    fn osv_ecosystem_names() {
        assert_eq!(Scheme::for_osv_ecosystem("PyPI"), Some(Scheme::Pep440));
        assert_eq!(Scheme::for_osv_ecosystem("Debian:12"), Some(Scheme::Debian));
        assert_eq!(
            Scheme::for_osv_ecosystem("Alpine:v3.19"),
            Some(Scheme::Alpine)
        );
        assert_eq!(
            Scheme::for_osv_ecosystem("Packagist"),
            Some(Scheme::Composer)
        );
        assert_eq!(Scheme::for_osv_ecosystem("Wolfi"), Some(Scheme::Alpine));
        assert_eq!(Scheme::for_osv_ecosystem("Hackage"), Some(Scheme::Generic));
        assert_eq!(Scheme::for_osv_ecosystem("GIT"), None);
        // RPM-based distributions order by rpm's rules.
        assert_eq!(Scheme::for_osv_ecosystem("Red Hat"), Some(Scheme::Rpm));
        assert_eq!(
            Scheme::for_osv_ecosystem("Rocky Linux:9"),
            Some(Scheme::Rpm)
        );
    }

    #[test]
    fn too_long_and_empty_are_errors_in_every_scheme() {
        let long = "1.".repeat(200);
        for scheme in Scheme::ALL {
            assert!(matches!(
                Version::parse(scheme, &long),
                Err(VersionError::TooLong { len: 400, .. })
            ));
            assert_eq!(
                Version::parse(scheme, "  "),
                Err(VersionError::Empty { scheme })
            );
            assert_eq!(compare(scheme, &long, "1.0"), None);
        }
    }

    #[test]
    fn a_version_keeps_its_text_and_compares_by_its_scheme() {
        let short = Version::parse(Scheme::Pep440, " 1.0 ").unwrap();
        let long = Version::parse(Scheme::Pep440, "1.0.0").unwrap();
        assert_eq!(short, long, "PEP 440 says 1.0 == 1.0.0");
        assert_eq!(short.as_str(), "1.0");
        assert_eq!(long.to_string(), "1.0.0");
        assert_eq!(short.scheme(), Scheme::Pep440);
        // The same text in SemVer pads to the same version.
        assert_eq!(
            compare(Scheme::SemVer, "1.0", "1.0.0"),
            Some(Ordering::Equal)
        );
    }

    #[test]
    fn one_parsed_version_against_many() {
        let installed = Version::parse(Scheme::Maven, "2.14.1").unwrap();
        let events = [
            "2.0-beta9",
            "2.3.1",
            "2.12.2",
            "2.15.0",
            "2.15.0-rc1",
            "3.0-SNAPSHOT",
        ];
        let below: Vec<&str> = events
            .iter()
            .copied()
            .filter(|e| Version::parse(Scheme::Maven, e).unwrap() < installed)
            .collect();
        assert_eq!(below, ["2.0-beta9", "2.3.1", "2.12.2"]);
    }

    #[test]
    fn different_schemes_order_by_scheme_first() {
        let semver = Version::parse(Scheme::SemVer, "9.0.0").unwrap();
        let pep = Version::parse(Scheme::Pep440, "1.0").unwrap();
        assert!(semver < pep, "SemVer is declared before PEP 440");
        assert_ne!(semver, pep);
    }

    #[test]
    fn error_messages_escape_the_input() {
        let Err(err) = Version::parse(Scheme::SemVer, "1.0.0-\u{1b}[31m\u{0}") else {
            panic!("an escape sequence is not a SemVer version");
        };
        let message = err.to_string();
        assert!(!message.contains('\u{1b}'), "{message}");
        assert!(message.contains("SemVer"), "{message}");
    }
}
