//! The catalogers: every file format bomscout reads, registered once.
//!
//! [`catalogers!`](crate::catalogers) is the one table of them. Each entry gives a
//! cataloger's variant, its stable name, its ecosystem, whether it reads a manifest or a
//! resolved set, the file patterns it claims and its parse function. Three crates read that
//! one table, each taking the columns it needs:
//!
//! - this crate expands it into the [`Cataloger`] enum, its names, ecosystems and
//!   [`FilePattern`]s ([`Cataloger::patterns`]);
//! - `bomscout-walk` indexes the patterns (by file name, then extension) for `detect`;
//! - `bomscout-catalog` expands the `parse` column into its dispatch. That column names a
//!   function by its path in `bomscout-catalog` and is only ever expanded there, so the
//!   dependency direction stays core ← walk ← catalog and this crate stays free of I/O.
//!
//! A new format is one entry here plus its parser module in `bomscout-catalog`. Every
//! parser has the same signature, `fn(&Input) -> Result<Catalog, ParseError>`; an entry
//! naming a function of another shape does not compile.

use crate::Ecosystem;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The one table of catalogers, handed to the macro `$then` (see the module docs).
///
/// Each entry reads
///
/// ```text
/// /// What it reads (becomes the variant's docs).
/// Variant = "kebab-name" {
///     ecosystem: Ecosystem variant,
///     kind: Resolved | Manifest,
///     files: ["**/glob", "**/glob" except "name glob", ...],
///     parse: path::to::parse,   // in bomscout-catalog
/// }
/// ```
///
/// Globs are described at [`FilePattern`]. When patterns of two entries match one path, a
/// pattern naming the file exactly wins over one matching its extension, which wins over
/// one matching any name; among equals, the earlier entry wins.
#[macro_export]
macro_rules! catalogers {
    ($then:ident) => {
        $then! {
            /// `package-lock.json` / `npm-shrinkwrap.json`, lockfile versions 1–3.
            NpmLock = "npm-lock" {
                ecosystem: Npm, kind: Resolved,
                files: ["**/package-lock.json", "**/npm-shrinkwrap.json"],
                parse: npm::package_lock::parse,
            }
            /// A project's `package.json` (outside `node_modules`): the project, and declared
            /// dependencies as unresolved components.
            NpmManifest = "npm-manifest" {
                ecosystem: Npm, kind: Manifest,
                files: ["**/package.json"],
                parse: npm::package_json::parse,
            }
            /// `node_modules/**/package.json`: an installed package (only the `package.json`
            /// at a package's root, `node_modules/<name>/` or `node_modules/@scope/<name>/`).
            NpmInstalled = "npm-installed" {
                ecosystem: Npm, kind: Resolved,
                files: ["**/node_modules/*/package.json", "**/node_modules/@*/*/package.json"],
                parse: npm::installed::parse,
            }
            /// `Cargo.lock`, versions 1–4.
            CargoLock = "cargo-lock" {
                ecosystem: Cargo, kind: Resolved,
                files: ["**/Cargo.lock"],
                parse: cargo::lock::parse,
            }
            /// `Cargo.toml`: a crate or workspace manifest.
            CargoManifest = "cargo-manifest" {
                ecosystem: Cargo, kind: Manifest,
                files: ["**/Cargo.toml"],
                parse: cargo::manifest::parse,
            }
            /// `requirements*.txt` and other pip requirements files (`*.in` files are
            /// pip-compile inputs, not pins, and are left out).
            PipRequirements = "pip-requirements" {
                ecosystem: PyPI, kind: Resolved,
                files: ["**/*requirements*.txt", "**/requirements/*.txt"],
                parse: python::requirements::parse,
            }
            /// `Pipfile.lock`.
            PipfileLock = "pipfile-lock" {
                ecosystem: PyPI, kind: Resolved,
                files: ["**/Pipfile.lock"],
                parse: python::pipfile_lock::parse,
            }
            /// `poetry.lock`.
            PoetryLock = "poetry-lock" {
                ecosystem: PyPI, kind: Resolved,
                files: ["**/poetry.lock"],
                parse: python::poetry_lock::parse,
            }
            /// `uv.lock`.
            UvLock = "uv-lock" {
                ecosystem: PyPI, kind: Resolved,
                files: ["**/uv.lock"],
                parse: python::uv_lock::parse,
            }
            /// `pylock.toml` / `pylock.*.toml` (PEP 751).
            Pylock = "pylock" {
                ecosystem: PyPI, kind: Resolved,
                files: ["**/pylock.toml", "**/pylock.*.toml"],
                parse: python::pylock::parse,
            }
            /// `pyproject.toml` (PEP 621 and dependency groups).
            Pyproject = "pyproject" {
                ecosystem: PyPI, kind: Manifest,
                files: ["**/pyproject.toml"],
                parse: python::pyproject::parse,
            }
            /// `*.dist-info/METADATA` and `*.egg-info/PKG-INFO`: an installed distribution.
            PythonInstalled = "python-installed" {
                ecosystem: PyPI, kind: Resolved,
                files: ["**/*.dist-info/METADATA", "**/*.egg-info/PKG-INFO"],
                parse: python::installed::parse,
            }
            /// `yarn.lock`: yarn v1 and yarn berry (v2+).
            YarnLock = "yarn-lock" {
                ecosystem: Npm, kind: Resolved,
                files: ["**/yarn.lock"],
                parse: yarn::parse,
            }
            /// `pnpm-lock.yaml`, lockfile versions 5.x, 6.x and 9.x.
            PnpmLock = "pnpm-lock" {
                ecosystem: Npm, kind: Resolved,
                files: ["**/pnpm-lock.yaml"],
                parse: pnpm::parse,
            }
            /// `bun.lock`, bun's text lockfile.
            BunLock = "bun-lock" {
                ecosystem: Npm, kind: Resolved,
                files: ["**/bun.lock"],
                parse: bun::parse,
            }
            /// `go.mod`, with the `go.sum` beside it.
            GoMod = "go-mod" {
                ecosystem: Golang, kind: Resolved,
                files: ["**/go.mod"],
                parse: golang::go_mod::parse,
            }
            /// `vendor/modules.txt`: Go's vendored modules.
            GoVendor = "go-vendor" {
                ecosystem: Golang, kind: Resolved,
                files: ["**/vendor/modules.txt"],
                parse: golang::vendor::parse,
            }
            /// An executable that may carry Go build info or a `cargo auditable` dependency
            /// list (read, never run): a file without an extension in a `bin/` directory, or
            /// `*.exe`. The walker sees names only; the parser checks the bytes and quietly
            /// yields nothing for anything else. Other executables are not read: sniffing
            /// every file would cost a read per file. (The name predates the Rust reader and
            /// is kept: names are an interface.)
            GoBinary = "go-binary" {
                ecosystem: Golang, kind: Resolved,
                files: ["**/bin/*" except "*.*", "**/*.exe"],
                parse: archive::parse_executable,
            }
            /// A Rust executable in Cargo's output directory (`target/release/*`,
            /// `target/debug/*`, without an extension) that may carry a `cargo auditable`
            /// dependency list; anything else yields nothing, silently.
            RustAuditable = "rust-auditable" {
                ecosystem: Cargo, kind: Resolved,
                files: ["**/target/release/*" except "*.*", "**/target/debug/*" except "*.*"],
                parse: archive::auditable::parse,
            }
            /// A Python wheel (`*.whl`) or egg (`*.egg`): the distribution's metadata and
            /// license files inside the zip.
            PythonArchive = "python-archive" {
                ecosystem: PyPI, kind: Resolved,
                files: ["**/*.whl", "**/*.egg"],
                parse: archive::wheel::parse,
            }
            /// An npm package tarball (`*.tgz` with `package/package.json`).
            NpmTarball = "npm-tarball" {
                ecosystem: Npm, kind: Resolved,
                files: ["**/*.tgz"],
                parse: archive::npm_tarball::parse,
            }
            /// `pom.xml`.
            MavenPom = "maven-pom" {
                ecosystem: Maven, kind: Manifest,
                files: ["**/pom.xml"],
                parse: java::pom::parse,
            }
            /// `gradle.lockfile` and `gradle/dependency-locks/*.lockfile`.
            GradleLock = "gradle-lock" {
                ecosystem: Maven, kind: Resolved,
                files: ["**/gradle.lockfile", "**/dependency-locks/*.lockfile"],
                parse: java::gradle::parse_lockfile,
            }
            /// `gradle/*.versions.toml`: a Gradle version catalog.
            GradleCatalog = "gradle-catalog" {
                ecosystem: Maven, kind: Manifest,
                files: ["**/gradle/*.versions.toml"],
                parse: java::gradle::parse_catalog,
            }
            /// `*.jar`, `*.war`, `*.ear` and other Java archives.
            JavaArchive = "java-archive" {
                ecosystem: Maven, kind: Resolved,
                files: [
                    "**/*.jar", "**/*.war", "**/*.ear", "**/*.par", "**/*.sar", "**/*.nar",
                    "**/*.jpi", "**/*.hpi", "**/*.kar",
                ],
                parse: java::archive::parse,
            }
            /// `Gemfile.lock` / `gems.locked`.
            GemfileLock = "gemfile-lock" {
                ecosystem: Gem, kind: Resolved,
                files: ["**/Gemfile.lock", "**/gems.locked"],
                parse: ruby::parse_lockfile,
            }
            /// `specifications/*.gemspec`: an installed gem.
            GemInstalled = "gem-installed" {
                ecosystem: Gem, kind: Resolved,
                files: ["**/specifications/*.gemspec"],
                parse: ruby::parse_installed,
            }
            /// `composer.lock`.
            ComposerLock = "composer-lock" {
                ecosystem: Composer, kind: Resolved,
                files: ["**/composer.lock"],
                parse: php::parse_lock,
            }
            /// `vendor/composer/installed.json`.
            ComposerInstalled = "composer-installed" {
                ecosystem: Composer, kind: Resolved,
                files: ["**/vendor/composer/installed.json"],
                parse: php::parse_installed,
            }
            /// `packages.lock.json`.
            NugetLock = "nuget-lock" {
                ecosystem: Nuget, kind: Resolved,
                files: ["**/packages.lock.json"],
                parse: dotnet::parse_lock,
            }
            /// `*.deps.json`: a built .NET application's dependencies.
            DotnetDeps = "dotnet-deps" {
                ecosystem: Nuget, kind: Resolved,
                files: ["**/*.deps.json"],
                parse: dotnet::parse_deps,
            }
            /// `*.csproj`, `*.fsproj`, `*.vbproj`, `Directory.Packages.props`.
            DotnetProject = "dotnet-project" {
                ecosystem: Nuget, kind: Manifest,
                files: ["**/*.csproj", "**/*.fsproj", "**/*.vbproj", "**/Directory.Packages.props"],
                parse: dotnet::parse_project,
            }
            /// `Package.resolved`, versions 1–3.
            SwiftResolved = "swift-resolved" {
                ecosystem: Swift, kind: Resolved,
                files: ["**/Package.resolved"],
                parse: swift::parse,
            }
            /// `Podfile.lock`.
            PodfileLock = "podfile-lock" {
                ecosystem: Cocoapods, kind: Resolved,
                files: ["**/Podfile.lock"],
                parse: cocoapods::parse,
            }
            /// `pubspec.lock`.
            PubspecLock = "pubspec-lock" {
                ecosystem: Pub, kind: Resolved,
                files: ["**/pubspec.lock"],
                parse: dart::parse,
            }
            /// `mix.lock`.
            MixLock = "mix-lock" {
                ecosystem: Hex, kind: Resolved,
                files: ["**/mix.lock"],
                parse: elixir::parse,
            }
            /// `rebar.lock`.
            RebarLock = "rebar-lock" {
                ecosystem: Hex, kind: Resolved,
                files: ["**/rebar.lock"],
                parse: erlang::parse,
            }
            /// `conan.lock`.
            ConanLock = "conan-lock" {
                ecosystem: Conan, kind: Resolved,
                files: ["**/conan.lock"],
                parse: conan::parse,
            }
            /// `vcpkg.json`: a vcpkg manifest.
            Vcpkg = "vcpkg" {
                ecosystem: Generic, kind: Manifest,
                files: ["**/vcpkg.json"],
                parse: vcpkg::parse,
            }
            /// `stack.yaml.lock`.
            StackLock = "stack-lock" {
                ecosystem: Hackage, kind: Resolved,
                files: ["**/stack.yaml.lock"],
                parse: haskell::parse_stack_lock,
            }
            /// `cabal.project.freeze`.
            CabalFreeze = "cabal-freeze" {
                ecosystem: Hackage, kind: Resolved,
                files: ["**/cabal.project.freeze"],
                parse: haskell::parse_cabal_freeze,
            }
            /// `renv.lock`.
            RenvLock = "renv-lock" {
                ecosystem: Cran, kind: Resolved,
                files: ["**/renv.lock"],
                parse: r::parse,
            }
            /// `var/lib/dpkg/status`: a Debian or Ubuntu root's installed packages.
            DpkgStatus = "dpkg-status" {
                ecosystem: Deb, kind: Resolved,
                files: ["**/var/lib/dpkg/status"],
                parse: os::dpkg::parse_status,
            }
            /// `var/lib/dpkg/status.d/*`: a distroless image's installed packages, one file
            /// each. The `*.md5sums` lists beside them are claimed too (a package name may
            /// hold a dot, so no name glob tells them apart) and quietly give nothing.
            DpkgStatusD = "dpkg-status-d" {
                ecosystem: Deb, kind: Resolved,
                files: ["**/var/lib/dpkg/status.d/*"],
                parse: os::dpkg::parse_status_d,
            }
            /// `lib/apk/db/installed`: an Alpine root's installed packages.
            ApkInstalled = "apk-installed" {
                ecosystem: Apk, kind: Resolved,
                files: ["**/lib/apk/db/installed"],
                parse: os::apk::parse,
            }
            /// `var/lib/rpm/rpmdb.sqlite` (and `usr/lib/sysimage/rpm/`): an RPM root's
            /// installed packages; the BerkeleyDB `Packages` and NDB `Packages.db` of older
            /// releases are named and reported as unsupported.
            RpmDb = "rpmdb" {
                ecosystem: Rpm, kind: Resolved,
                files: [
                    "**/var/lib/rpm/rpmdb.sqlite", "**/usr/lib/sysimage/rpm/rpmdb.sqlite",
                    "**/var/lib/rpm/Packages", "**/var/lib/rpm/Packages.db",
                    "**/usr/lib/sysimage/rpm/Packages", "**/usr/lib/sysimage/rpm/Packages.db",
                ],
                parse: os::rpm::parse,
            }
            /// `etc/os-release` / `usr/lib/os-release`: the operating system of a root.
            OsRelease = "os-release" {
                ecosystem: Generic, kind: Resolved,
                files: ["**/etc/os-release", "**/usr/lib/os-release"],
                parse: os::release::parse,
            }
            /// `.github/workflows/*.yml` and `action.yml`: the actions a repository's CI uses.
            GithubActions = "github-actions" {
                ecosystem: Github, kind: Resolved,
                files: [
                    "**/.github/workflows/*.yml", "**/.github/workflows/*.yaml",
                    "**/action.yml", "**/action.yaml",
                ],
                parse: github_actions::parse,
            }
            /// A Hugging Face hub cache repository, `models--ORG--NAME/refs/main` or
            /// `datasets--ORG--NAME/refs/main`: a model or dataset per snapshot, with its
            /// card (`README.md` front matter) and `config.json` read beside it.
            HuggingfaceCache = "huggingface-cache" {
                ecosystem: Huggingface, kind: Resolved,
                files: ["**/models--*/refs/main", "**/datasets--*/refs/main"],
                parse: ml::hub::parse,
            }
            /// `*.gguf`: a model file's header (`general.name`, `general.license` ...);
            /// only the header is read, never the weights.
            Gguf = "gguf" {
                ecosystem: Generic, kind: Resolved,
                files: ["**/*.gguf"],
                parse: ml::gguf::parse,
            }
            /// `*.safetensors`: a model file's header `__metadata__`; only the header is
            /// read, never the weights.
            Safetensors = "safetensors" {
                ecosystem: Generic, kind: Resolved,
                files: ["**/*.safetensors"],
                parse: ml::safetensors::parse,
            }
        }
    };
}

/// Whether a cataloger reads what a project declares or what was resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CatalogerKind {
    /// A resolved set (a lockfile, an installed-package record, a binary's build info):
    /// its versions win over a manifest's declared ranges.
    Resolved,
    /// A manifest: declared dependencies, often ranges.
    Manifest,
}

/// A file pattern a cataloger claims, Syft-style: `**/pnpm-lock.yaml`.
///
/// A glob is `**/` followed by `/`-separated segments, matched against the last segments of
/// a path (relative, `/`-separated). In a segment, `*` matches any run of characters; a
/// segment starting with `*` does not match a name starting with `.` (as in a shell).
/// `**` appears only at the start. `except`, when set, is a glob on the file name alone
/// that excludes names the glob would match (`**/bin/*` except `*.*`).
///
/// Paths under a `node_modules` directory are matched only by patterns that name
/// `node_modules`: lockfiles and manifests shipped inside installed packages are not what
/// was installed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FilePattern {
    /// The glob.
    pub glob: &'static str,
    /// A glob on the file name that excludes names the glob matches.
    pub except: Option<&'static str>,
}

/// `None`, or the `except` glob of a table entry's pattern.
macro_rules! catalogers_except {
    () => {
        None
    };
    ($not:literal) => {
        Some($not)
    };
}

macro_rules! define_catalogers {
    ($(
        $(#[$doc:meta])*
        $variant:ident = $name:literal {
            ecosystem: $eco:ident, kind: $kind:ident,
            files: [$($glob:literal $(except $not:literal)?),+ $(,)?],
            parse: $parse:path $(,)?
        }
    )+) => {
        /// Which parser reads a detected file.
        ///
        /// Generated from the one table of catalogers ([`crate::catalogers!`]): the walker
        /// picks one per file from its [`FilePattern`]s, the catalog runs its parser.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        pub enum Cataloger {
            $(
                $(#[$doc])*
                #[serde(rename = $name)]
                $variant,
            )+
        }

        impl Cataloger {
            /// Every cataloger, in the table's order.
            pub const ALL: &'static [Cataloger] = &[$(Cataloger::$variant),+];

            /// A stable kebab-case name, used in diagnostics, JSON output, the inventory and
            /// `--catalogers` style filters (the serialized form too).
            pub fn name(self) -> &'static str {
                match self {
                    $(Cataloger::$variant => $name,)+
                }
            }

            /// The ecosystem whose packages this cataloger finds.
            pub fn ecosystem(self) -> Ecosystem {
                match self {
                    $(Cataloger::$variant => Ecosystem::$eco,)+
                }
            }

            /// Whether it reads a manifest or a resolved set.
            pub fn kind(self) -> CatalogerKind {
                match self {
                    $(Cataloger::$variant => CatalogerKind::$kind,)+
                }
            }

            /// The file patterns it claims (see [`FilePattern`]).
            pub fn patterns(self) -> &'static [FilePattern] {
                match self {
                    $(Cataloger::$variant => &[
                        $(FilePattern { glob: $glob, except: catalogers_except!($($not)?) },)+
                    ],)+
                }
            }
        }
    };
}

catalogers!(define_catalogers);

impl Cataloger {
    /// True for catalogers of manifests, whose declared ranges give way to the versions a
    /// lockfile or installed record beside them resolved.
    pub fn is_manifest(self) -> bool {
        self.kind() == CatalogerKind::Manifest
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// The names are an interface (JSON output, the inventory's rows, diagnostics): they
    /// were written out here when the table replaced the hand-written enum, and may only
    /// grow.
    #[test]
    fn names_are_stable_and_serialize_as_themselves() {
        let before = [
            "npm-lock",
            "npm-manifest",
            "npm-installed",
            "cargo-lock",
            "cargo-manifest",
            "pip-requirements",
            "pipfile-lock",
            "poetry-lock",
            "uv-lock",
            "pylock",
            "pyproject",
            "python-installed",
            "yarn-lock",
            "pnpm-lock",
            "bun-lock",
            "go-mod",
            "go-vendor",
            "go-binary",
            "maven-pom",
            "gradle-lock",
            "gradle-catalog",
            "java-archive",
            "gemfile-lock",
            "gem-installed",
            "composer-lock",
            "composer-installed",
            "nuget-lock",
            "dotnet-deps",
            "dotnet-project",
            "swift-resolved",
            "podfile-lock",
            "pubspec-lock",
            "mix-lock",
            "rebar-lock",
            "conan-lock",
            "vcpkg",
            "stack-lock",
            "cabal-freeze",
            "renv-lock",
            "github-actions",
            "rust-auditable",
            "python-archive",
            "npm-tarball",
        ];
        let names: Vec<&str> = Cataloger::ALL.iter().map(|c| c.name()).collect();
        for name in before {
            assert!(names.contains(&name), "cataloger name {name:?} disappeared");
        }
        let unique: BTreeSet<&str> = names.iter().copied().collect();
        assert_eq!(unique.len(), names.len(), "duplicate names in {names:?}");
        for &c in Cataloger::ALL {
            let json = serde_json::to_string(&c).unwrap();
            assert_eq!(json, format!("\"{}\"", c.name()));
            assert_eq!(serde_json::from_str::<Cataloger>(&json).unwrap(), c);
            assert_eq!(c.to_string(), c.name());
            let kebab = c
                .name()
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
            assert!(kebab, "{:?} is not kebab-case", c.name());
        }
    }

    #[test]
    fn manifests_are_the_declaring_formats() {
        let manifests: Vec<&str> = Cataloger::ALL
            .iter()
            .filter(|c| c.is_manifest())
            .map(|c| c.name())
            .collect();
        assert_eq!(
            manifests,
            [
                "npm-manifest",
                "cargo-manifest",
                "pyproject",
                "maven-pom",
                "gradle-catalog",
                "dotnet-project",
                "vcpkg"
            ]
        );
        assert_eq!(Cataloger::PnpmLock.ecosystem(), Ecosystem::Npm);
        assert_eq!(Cataloger::Vcpkg.ecosystem(), Ecosystem::Generic);
    }

    /// Every glob has the one shape the walker's index understands, and no two patterns
    /// in the table are the same glob.
    #[test]
    fn every_pattern_is_a_well_formed_glob() {
        let mut seen = BTreeSet::new();
        for &c in Cataloger::ALL {
            assert!(!c.patterns().is_empty(), "{c} claims no files");
            for p in c.patterns() {
                let tail = p.glob.strip_prefix("**/");
                assert!(tail.is_some(), "{c}: {:?} must start with **/", p.glob);
                let tail = tail.unwrap_or_default();
                assert!(
                    !tail.contains("**"),
                    "{c}: {:?}: ** only at the start",
                    p.glob
                );
                assert!(
                    tail.split('/').all(|s| !s.is_empty()),
                    "{c}: {:?} has an empty segment",
                    p.glob
                );
                if let Some(not) = p.except {
                    assert!(!not.contains('/'), "{c}: except {not:?} is a name glob");
                }
                assert!(seen.insert(p.glob), "{c}: {:?} claimed twice", p.glob);
            }
        }
    }
}
