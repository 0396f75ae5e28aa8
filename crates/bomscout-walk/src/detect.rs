//! The detection table: which cataloger reads a file, from its path alone.

use bomscout_core::Cataloger;

/// The cataloger for a file at `rel` (relative, `/`-separated), or `None` for files no
/// cataloger reads. Looks only at names, never at contents.
///
/// Context matters for a few names: a `package.json` directly inside
/// `node_modules/<name>/` (or `node_modules/@scope/<name>/`) is an installed package, one
/// elsewhere under `node_modules` is a package's internal file (e.g. `dist/esm/package.json`
/// markers) and is ignored, and one outside `node_modules` is a project manifest. Lockfiles
/// shipped inside installed packages are not what was installed and are ignored.
pub fn detect(rel: &str) -> Option<Cataloger> {
    let mut parts = rel.rsplit('/');
    let name = parts.next()?;
    let parent = parts.next().unwrap_or("");
    let grandparent = parts.next().unwrap_or("");
    let in_node_modules = rel.starts_with("node_modules/") || rel.contains("/node_modules/");
    Some(match name {
        "package.json" if in_node_modules => {
            let at_package_root = grandparent == "node_modules"
                || (grandparent.starts_with('@') && parts.next() == Some("node_modules"));
            if !at_package_root || parent.starts_with('.') {
                return None;
            }
            Cataloger::NpmInstalled
        }
        _ if in_node_modules => return None,
        "package.json" => Cataloger::NpmManifest,
        "package-lock.json" | "npm-shrinkwrap.json" => Cataloger::NpmLock,
        "Cargo.lock" => Cataloger::CargoLock,
        "Cargo.toml" => Cataloger::CargoManifest,
        "Pipfile.lock" => Cataloger::PipfileLock,
        "poetry.lock" => Cataloger::PoetryLock,
        "uv.lock" => Cataloger::UvLock,
        "pyproject.toml" => Cataloger::Pyproject,
        "METADATA" if parent.ends_with(".dist-info") => Cataloger::PythonInstalled,
        "PKG-INFO" if parent.ends_with(".egg-info") => Cataloger::PythonInstalled,
        _ if is_pylock(name) => Cataloger::Pylock,
        _ if is_requirements(name, parent) => Cataloger::PipRequirements,
        "yarn.lock" => Cataloger::YarnLock,
        "pnpm-lock.yaml" => Cataloger::PnpmLock,
        "bun.lock" => Cataloger::BunLock,
        "go.mod" => Cataloger::GoMod,
        "modules.txt" if parent == "vendor" => Cataloger::GoVendor,
        "pom.xml" => Cataloger::MavenPom,
        "gradle.lockfile" => Cataloger::GradleLock,
        _ if name.ends_with(".lockfile") && parent == "dependency-locks" => Cataloger::GradleLock,
        _ if name.ends_with(".versions.toml") && parent == "gradle" => Cataloger::GradleCatalog,
        _ if is_java_archive(name) => Cataloger::JavaArchive,
        "Gemfile.lock" | "gems.locked" => Cataloger::GemfileLock,
        _ if name.ends_with(".gemspec") && parent == "specifications" => Cataloger::GemInstalled,
        "composer.lock" => Cataloger::ComposerLock,
        "installed.json" if parent == "composer" && grandparent == "vendor" => {
            Cataloger::ComposerInstalled
        }
        "packages.lock.json" => Cataloger::NugetLock,
        _ if name.ends_with(".deps.json") => Cataloger::DotnetDeps,
        "Directory.Packages.props" => Cataloger::DotnetProject,
        _ if is_dotnet_project(name) => Cataloger::DotnetProject,
        "Package.resolved" => Cataloger::SwiftResolved,
        "Podfile.lock" => Cataloger::PodfileLock,
        "pubspec.lock" => Cataloger::PubspecLock,
        "mix.lock" => Cataloger::MixLock,
        "rebar.lock" => Cataloger::RebarLock,
        "conan.lock" => Cataloger::ConanLock,
        "vcpkg.json" => Cataloger::Vcpkg,
        "stack.yaml.lock" => Cataloger::StackLock,
        "cabal.project.freeze" => Cataloger::CabalFreeze,
        "renv.lock" => Cataloger::RenvLock,
        "action.yml" | "action.yaml" => Cataloger::GithubActions,
        _ if is_workflow(name, parent, grandparent) => Cataloger::GithubActions,
        _ if is_possible_go_binary(name, parent) => Cataloger::GoBinary,
        _ => return None,
    })
}

/// Java archives by extension: jar, war, ear, and the plugin/resource-adapter variants.
fn is_java_archive(name: &str) -> bool {
    const EXTS: &[&str] = &[
        ".jar", ".war", ".ear", ".par", ".sar", ".nar", ".jpi", ".hpi", ".kar",
    ];
    EXTS.iter()
        .any(|ext| name.ends_with(ext) && name.len() > ext.len())
}

/// MSBuild project files that may hold `PackageReference`s.
fn is_dotnet_project(name: &str) -> bool {
    [".csproj", ".fsproj", ".vbproj"]
        .iter()
        .any(|ext| name.ends_with(ext) && name.len() > ext.len())
}

/// `.github/workflows/*.yml` (or `.yaml`).
fn is_workflow(name: &str, parent: &str, grandparent: &str) -> bool {
    parent == "workflows"
        && grandparent == ".github"
        && (name.ends_with(".yml") || name.ends_with(".yaml"))
}

/// Executables that may be Go programs: files without an extension in a `bin/` directory,
/// and `*.exe`. The walker sees names only; the cataloger checks the magic bytes and quietly
/// yields nothing for anything that is not a Go binary. Other executables elsewhere in a
/// tree are not read: sniffing every file would cost a read per file.
fn is_possible_go_binary(name: &str, parent: &str) -> bool {
    (parent == "bin" && !name.contains('.') && !name.is_empty()) || name.ends_with(".exe")
}

/// `pylock.toml` or `pylock.<name>.toml` (PEP 751).
fn is_pylock(name: &str) -> bool {
    name == "pylock.toml" || (name.starts_with("pylock.") && name.ends_with(".toml"))
}

/// `requirements.txt`, `requirements-dev.txt`, `dev-requirements.txt`, `requirements/*.txt`,
/// `*.in` files are pip-compile inputs, not pins, and are left out.
fn is_requirements(name: &str, parent: &str) -> bool {
    name.ends_with(".txt") && (name.contains("requirements") || parent == "requirements")
}

#[cfg(test)]
mod tests {
    use super::*;
    use Cataloger::*;

    #[test]
    fn table() {
        let cases: &[(&str, Option<Cataloger>)] = &[
            ("package.json", Some(NpmManifest)),
            ("app/package.json", Some(NpmManifest)),
            ("package-lock.json", Some(NpmLock)),
            ("a/npm-shrinkwrap.json", Some(NpmLock)),
            ("node_modules/lodash/package.json", Some(NpmInstalled)),
            ("node_modules/@babel/core/package.json", Some(NpmInstalled)),
            (
                "app/node_modules/a/node_modules/b/package.json",
                Some(NpmInstalled),
            ),
            (
                "node_modules/a/node_modules/@s/b/package.json",
                Some(NpmInstalled),
            ),
            ("node_modules/lodash/dist/esm/package.json", None),
            ("node_modules/.package-lock.json", None),
            ("node_modules/.bin/package.json", None),
            ("node_modules/x/package-lock.json", None),
            ("node_modules/x/requirements.txt", None),
            ("Cargo.lock", Some(CargoLock)),
            ("crates/x/Cargo.toml", Some(CargoManifest)),
            ("requirements.txt", Some(PipRequirements)),
            ("requirements-dev.txt", Some(PipRequirements)),
            ("dev-requirements.txt", Some(PipRequirements)),
            ("requirements/base.txt", Some(PipRequirements)),
            ("requirements.in", None),
            ("notes.txt", None),
            ("Pipfile.lock", Some(PipfileLock)),
            ("Pipfile", None),
            ("poetry.lock", Some(PoetryLock)),
            ("uv.lock", Some(UvLock)),
            ("pylock.toml", Some(Pylock)),
            ("pylock.dev.toml", Some(Pylock)),
            ("pyproject.toml", Some(Pyproject)),
            (
                "venv/lib/python3.11/site-packages/requests-2.31.0.dist-info/METADATA",
                Some(PythonInstalled),
            ),
            ("lib/foo.egg-info/PKG-INFO", Some(PythonInstalled)),
            ("METADATA", None),
            ("sdist/PKG-INFO", None),
            ("yarn.lock", Some(YarnLock)),
            ("web/pnpm-lock.yaml", Some(PnpmLock)),
            ("bun.lock", Some(BunLock)),
            ("bun.lockb", None),
            ("go.mod", Some(GoMod)),
            ("go.sum", None),
            ("vendor/modules.txt", Some(GoVendor)),
            ("modules.txt", None),
            ("pom.xml", Some(MavenPom)),
            ("gradle.lockfile", Some(GradleLock)),
            (
                "gradle/dependency-locks/compileClasspath.lockfile",
                Some(GradleLock),
            ),
            ("gradle/libs.versions.toml", Some(GradleCatalog)),
            ("libs.versions.toml", None),
            ("lib/app.jar", Some(JavaArchive)),
            ("app.war", Some(JavaArchive)),
            (".jar", None),
            ("Gemfile.lock", Some(GemfileLock)),
            (
                "vendor/bundle/ruby/3.2.0/specifications/rake-13.0.6.gemspec",
                Some(GemInstalled),
            ),
            ("mygem.gemspec", None),
            ("composer.lock", Some(ComposerLock)),
            ("vendor/composer/installed.json", Some(ComposerInstalled)),
            ("installed.json", None),
            ("packages.lock.json", Some(NugetLock)),
            ("bin/Release/net8.0/App.deps.json", Some(DotnetDeps)),
            ("src/App/App.csproj", Some(DotnetProject)),
            ("Directory.Packages.props", Some(DotnetProject)),
            ("Package.resolved", Some(SwiftResolved)),
            ("Podfile.lock", Some(PodfileLock)),
            ("pubspec.lock", Some(PubspecLock)),
            ("mix.lock", Some(MixLock)),
            ("rebar.lock", Some(RebarLock)),
            ("conan.lock", Some(ConanLock)),
            ("vcpkg.json", Some(Vcpkg)),
            ("stack.yaml.lock", Some(StackLock)),
            ("cabal.project.freeze", Some(CabalFreeze)),
            ("renv.lock", Some(RenvLock)),
            (".github/workflows/ci.yml", Some(GithubActions)),
            (".github/workflows/release.yaml", Some(GithubActions)),
            (".github/actions/setup/action.yml", Some(GithubActions)),
            ("workflows/ci.yml", None),
            ("bin/server", Some(GoBinary)),
            ("dist/tool.exe", Some(GoBinary)),
            ("bin/run.sh", None),
            ("node_modules/x/yarn.lock", None),
            ("node_modules/x/bin/cli", None),
        ];
        for (path, want) in cases {
            assert_eq!(detect(path), *want, "{path}");
        }
    }
}
