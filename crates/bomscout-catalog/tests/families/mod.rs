//! The parser families that fuzzing and the property tests drive, shared by the `cargo fuzz`
//! targets in `fuzz/` (which include this file by path), the fuzz regression test
//! (`tests/fuzz_regressions.rs`) and the property tests (`tests/proptest_parsers.rs`), so a
//! crash the fuzzer finds replays through exactly the entry points it was found with.
//!
//! A family is the set of parsers that read one kind of syntax (JSON lockfiles, YAML, TOML,
//! line formats, XML, binaries and archives, SBOM documents). Every input is given to every
//! member of its family: a mutation of an npm lockfile is then also a hostile composer.lock
//! and a hostile `Package.resolved`, and a fuzz input needs no selector byte, so the seed
//! corpora are the fixture files as they are.
//!
//! Inputs are parsed as files under a directory that does not exist
//! ([`MISSING_ROOT`]) with local package caches off, so the parsers that look at side files
//! find none and no run depends on the machine.
#![allow(dead_code)]

use bomscout_catalog::{Input, Options, ParseError};
use bomscout_core::{Catalog, Cataloger};
use std::path::Path;

/// The directory inputs pretend to live in; it must not exist.
pub const MISSING_ROOT: &str = "/nonexistent/bomscout-fuzz";

/// How a member is reached: through the cataloger table, or an SBOM reader (not a cataloger:
/// the walker never picks SBOM files).
#[derive(Clone, Copy)]
pub enum Entry {
    /// `bomscout_catalog::parse(cataloger, input)`.
    Cataloger(Cataloger),
    /// A reader such as `bomscout_catalog::sbom::cyclonedx::parse`.
    Reader(fn(&Input) -> Result<Catalog, ParseError>),
}

/// One parser of a family, with the path (relative to the scan root) its input is given as.
#[derive(Clone, Copy)]
pub struct Member {
    /// The file's path as the walker would report it; some parsers look at the name.
    pub path: &'static str,
    /// The parser.
    pub entry: Entry,
    /// Fixture files (relative to the repository root) in this member's format.
    pub fixtures: &'static [&'static str],
}

/// A fuzz target's set of parsers.
pub struct Family {
    /// The fuzz target's name (`fuzz/fuzz_targets/<name>.rs`) and the prefix of its
    /// regression files.
    pub name: &'static str,
    /// Its parsers.
    pub members: &'static [Member],
}

const fn cat(path: &'static str, c: Cataloger, fixtures: &'static [&'static str]) -> Member {
    Member {
        path,
        entry: Entry::Cataloger(c),
        fixtures,
    }
}

/// Every family, one fuzz target each.
pub static FAMILIES: &[Family] = &[
    Family {
        name: "json",
        members: &[
            cat(
                "package-lock.json",
                Cataloger::NpmLock,
                &[
                    "fixtures/npm/lock-v1/package-lock.json",
                    "fixtures/npm/lock-v3/package-lock.json",
                    "fixtures/npm/workspaces/package-lock.json",
                ],
            ),
            cat("package.json", Cataloger::NpmManifest, &[]),
            cat("node_modules/x/package.json", Cataloger::NpmInstalled, &[]),
            cat(
                "composer.lock",
                Cataloger::ComposerLock,
                &["fixtures/php/composer/composer.lock"],
            ),
            cat(
                "vendor/composer/installed.json",
                Cataloger::ComposerInstalled,
                &[],
            ),
            cat(
                "Pipfile.lock",
                Cataloger::PipfileLock,
                &["fixtures/python/pipenv/Pipfile.lock"],
            ),
            cat(
                "packages.lock.json",
                Cataloger::NugetLock,
                &["fixtures/dotnet/flow-launcher/packages.lock.json"],
            ),
            cat(
                "App.deps.json",
                Cataloger::DotnetDeps,
                &["fixtures/dotnet/syft-testlibrary/TestLibrary.deps.json"],
            ),
            cat(
                "Package.resolved",
                Cataloger::SwiftResolved,
                &[
                    "fixtures/swift/moya/Package.resolved",
                    "fixtures/swift/isowords/Package.resolved",
                ],
            ),
            cat(
                "bun.lock",
                Cataloger::BunLock,
                &[
                    "fixtures/bun/basic/bun.lock",
                    "fixtures/bun/workspaces/bun.lock",
                ],
            ),
            cat(
                "conan.lock",
                Cataloger::ConanLock,
                &["fixtures/conan/plotjuggler/conan.lock"],
            ),
            cat("vcpkg.json", Cataloger::Vcpkg, &[]),
            cat(
                "renv.lock",
                Cataloger::RenvLock,
                &["fixtures/r/renv/renv.lock"],
            ),
        ],
    },
    Family {
        name: "yaml",
        members: &[
            cat(
                "pnpm-lock.yaml",
                Cataloger::PnpmLock,
                &[
                    "fixtures/pnpm/v6/pnpm-lock.yaml",
                    "fixtures/pnpm/v9/pnpm-lock.yaml",
                ],
            ),
            cat(
                "yarn.lock",
                Cataloger::YarnLock,
                &["fixtures/yarn/berry/yarn.lock"],
            ),
            cat(
                "stack.yaml.lock",
                Cataloger::StackLock,
                &["fixtures/haskell/stack/stack.yaml.lock"],
            ),
            cat(
                ".github/workflows/ci.yml",
                Cataloger::GithubActions,
                &["fixtures/github-actions/ripgrep/.github/workflows/ci.yml"],
            ),
            cat(
                "pubspec.lock",
                Cataloger::PubspecLock,
                &["fixtures/dart/gallery/pubspec.lock"],
            ),
        ],
    },
    Family {
        name: "toml",
        members: &[
            cat(
                "Cargo.lock",
                Cataloger::CargoLock,
                &[
                    "fixtures/cargo/lock-v1/Cargo.lock",
                    "fixtures/cargo/workspace/Cargo.lock",
                ],
            ),
            cat("Cargo.toml", Cataloger::CargoManifest, &[]),
            cat(
                "uv.lock",
                Cataloger::UvLock,
                &["fixtures/python/uv/uv.lock"],
            ),
            cat(
                "poetry.lock",
                Cataloger::PoetryLock,
                &["fixtures/python/poetry/poetry.lock"],
            ),
            cat(
                "pylock.toml",
                Cataloger::Pylock,
                &["fixtures/python/pylock/pylock.toml"],
            ),
            cat("pyproject.toml", Cataloger::Pyproject, &[]),
            cat(
                "gradle/libs.versions.toml",
                Cataloger::GradleCatalog,
                &["fixtures/maven/nowinandroid/gradle/libs.versions.toml"],
            ),
        ],
    },
    Family {
        name: "lines",
        members: &[
            cat(
                "requirements.txt",
                Cataloger::PipRequirements,
                &["fixtures/python/requirements-quirks/requirements.txt"],
            ),
            cat(
                "yarn.lock",
                Cataloger::YarnLock,
                &["fixtures/yarn/v1/yarn.lock"],
            ),
            cat(
                "go.mod",
                Cataloger::GoMod,
                &["fixtures/golang/cobra/go.mod"],
            ),
            cat(
                "vendor/modules.txt",
                Cataloger::GoVendor,
                &["fixtures/golang/hc-vendor/vendor/modules.txt"],
            ),
            cat(
                "Gemfile.lock",
                Cataloger::GemfileLock,
                &["fixtures/ruby/fastlane/Gemfile.lock"],
            ),
            cat("specifications/x-1.0.gemspec", Cataloger::GemInstalled, &[]),
            cat(
                "site-packages/x-1.0.dist-info/METADATA",
                Cataloger::PythonInstalled,
                &[],
            ),
            cat(
                "mix.lock",
                Cataloger::MixLock,
                &["fixtures/elixir/phoenix/mix.lock"],
            ),
            cat(
                "rebar.lock",
                Cataloger::RebarLock,
                &[
                    "fixtures/erlang/grisp/rebar.lock",
                    "fixtures/erlang/legacy/rebar.lock",
                ],
            ),
            cat(
                "Podfile.lock",
                Cataloger::PodfileLock,
                &["fixtures/cocoapods/home-assistant/Podfile.lock"],
            ),
            cat(
                "gradle.lockfile",
                Cataloger::GradleLock,
                &["fixtures/maven/gradle-maybe/gradle.lockfile"],
            ),
            cat(
                "cabal.project.freeze",
                Cataloger::CabalFreeze,
                &["fixtures/haskell/pandoc-plot/cabal.project.freeze"],
            ),
        ],
    },
    Family {
        name: "xml",
        members: &[
            cat(
                "pom.xml",
                Cataloger::MavenPom,
                &["fixtures/maven/petclinic/pom.xml"],
            ),
            cat(
                "App.csproj",
                Cataloger::DotnetProject,
                &["fixtures/dotnet/flow-launcher/Flow.Launcher.Infrastructure.csproj"],
            ),
            cat(
                "Directory.Packages.props",
                Cataloger::DotnetProject,
                &["fixtures/dotnet/nuget-package-explorer/Directory.Packages.props"],
            ),
        ],
    },
    Family {
        name: "binary",
        members: &[
            cat("bin/app", Cataloger::GoBinary, &[]),
            cat(
                "lib/app.jar",
                Cataloger::JavaArchive,
                &["fixtures/maven/jars/slf4j-api-1.7.32.jar"],
            ),
            cat(
                "target/release/app",
                Cataloger::RustAuditable,
                &["fixtures/archives/rust/target/release/tinyaud"],
            ),
            cat(
                "dist/app-1.0-py3-none-any.whl",
                Cataloger::PythonArchive,
                &[
                    "fixtures/archives/python/six-1.17.0-py2.py3-none-any.whl",
                    "fixtures/archives/python/six-1.17.0-py3.11.egg",
                ],
            ),
            cat(
                "dist/app-1.0.0.tgz",
                Cataloger::NpmTarball,
                &["fixtures/archives/npm/left-pad-1.3.0.tgz"],
            ),
        ],
    },
    Family {
        name: "sbom",
        members: &[
            Member {
                path: "bom.cdx.json",
                entry: Entry::Reader(bomscout_catalog::sbom::cyclonedx::parse),
                fixtures: &[],
            },
            Member {
                path: "bom.spdx.json",
                entry: Entry::Reader(bomscout_catalog::sbom::spdx::parse),
                fixtures: &[],
            },
        ],
    },
];

/// The family named `name`.
pub fn family(name: &str) -> Option<&'static Family> {
    FAMILIES.iter().find(|f| f.name == name)
}

/// The options every fuzzed parse runs with: local caches off, nothing read from the machine.
pub fn options() -> Options {
    Options {
        read_caches: false,
        ..Options::default()
    }
}

/// Parses `bytes` with one member, as the file `member.path` under [`MISSING_ROOT`].
pub fn parse_member(
    member: &Member,
    bytes: &[u8],
    options: &Options,
) -> Result<Catalog, ParseError> {
    let abs = Path::new(MISSING_ROOT).join(member.path);
    let input = Input {
        bytes,
        shared_path: &bomscout_core::SharedStr::from(member.path),
        abs: &abs,
        root: Path::new(MISSING_ROOT),
        options,
        tree: &bomscout_catalog::DISK,
    };
    match member.entry {
        Entry::Cataloger(c) => bomscout_catalog::parse(c, &input),
        Entry::Reader(read) => read(&input),
    }
}

/// Gives `bytes` to every member of `family`; a panic propagates (that is the finding).
pub fn run(family: &Family, bytes: &[u8]) {
    let options = options();
    for member in family.members {
        // The result is not judged here: an error is a fine answer to hostile bytes.
        let _ = parse_member(member, bytes, &options);
    }
}
