//! The detection table: which cataloger reads a file, from its path alone.
//!
//! The patterns are not written here: they come from the one table of catalogers
//! ([`bomscout_core::catalogers!`], read through [`Cataloger::patterns`]), the same table
//! the catalog expands into its parsers. This module indexes them once, the first time
//! [`detect`] runs, so that a path costs at most one hash lookup by file name, one by
//! extension and a check of the few patterns that match any name (`**/bin/*`), never a scan
//! over every pattern: the walk calls it for every file of trees of a million files.
//!
//! When patterns of two catalogers match one path, the more specific kind wins: a pattern
//! naming the file exactly, then one matching its extension, then one matching any name;
//! among patterns of one kind, the cataloger listed first in the table.

use bomscout_core::{Cataloger, FilePattern};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::OnceLock;

/// The cataloger for a file at `rel` (relative, `/`-separated), or `None` for files no
/// cataloger reads. Looks only at names, never at contents.
///
/// Context matters for a few names: a `package.json` directly inside
/// `node_modules/<name>/` (or `node_modules/@scope/<name>/`) is an installed package, one
/// elsewhere under `node_modules` is a package's internal file (e.g. `dist/esm/package.json`
/// markers) and is ignored, and one outside `node_modules` is a project manifest. Lockfiles
/// shipped inside installed packages are not what was installed and are ignored: under
/// `node_modules`, only patterns that name `node_modules` apply (see [`FilePattern`]).
pub fn detect(rel: &str) -> Option<Cataloger> {
    let index = INDEX.get_or_init(Index::build);
    let (dir, name) = rel.rsplit_once('/').unwrap_or(("", rel));
    if name.is_empty() {
        return None;
    }
    let in_node_modules = rel.starts_with("node_modules/") || rel.contains("/node_modules/");
    let first_match = |tier: &[Compiled]| {
        tier.iter()
            .find(|p| p.matches(dir, name, in_node_modules))
            .map(|p| p.cataloger)
    };
    if let Some(found) = index.by_name.get(name).and_then(|t| first_match(t)) {
        return Some(found);
    }
    let by_extension = extension(name).and_then(|ext| index.by_extension.get(ext));
    if let Some(found) = by_extension.and_then(|t| first_match(t)) {
        return Some(found);
    }
    first_match(&index.any_name)
}

/// The patterns of every cataloger, indexed.
static INDEX: OnceLock<Index> = OnceLock::new();

/// File names and extensions are short and not chosen to collide with each other (a
/// collision costs a comparison, nothing more), so they are hashed a word at a time, the
/// way rustc's FxHasher does, rather than with the default SipHash: the walk asks for
/// every file it visits.
#[derive(Default)]
struct WordHasher(u64);

impl Hasher for WordHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x517c_c1b7_2722_0a95;
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(word)).wrapping_mul(K);
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word.iter_mut().zip(rest).for_each(|(w, &b)| *w = b);
            let word = u64::from_le_bytes(word) ^ ((rest.len() as u64) << 59);
            self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(K);
        }
    }
}

type Table = HashMap<&'static str, Vec<Compiled>, BuildHasherDefault<WordHasher>>;

struct Index {
    /// Patterns whose file-name segment is a literal, by that name.
    by_name: Table,
    /// Patterns whose file-name segment ends in a literal `.ext`, by `ext`.
    by_extension: Table,
    /// The rest: patterns that may match a name of any extension.
    any_name: Vec<Compiled>,
}

impl Index {
    fn build() -> Index {
        let mut index = Index {
            by_name: Table::default(),
            by_extension: Table::default(),
            any_name: Vec::new(),
        };
        // Table order within each list: the cataloger listed first wins among equals.
        for &cataloger in Cataloger::ALL {
            for pattern in cataloger.patterns() {
                let compiled = Compiled::new(cataloger, pattern);
                let name = compiled.name;
                if !name.contains('*') {
                    index.by_name.entry(name).or_default().push(compiled);
                } else if let Some(ext) = glob_extension(name) {
                    index.by_extension.entry(ext).or_default().push(compiled);
                } else {
                    index.any_name.push(compiled);
                }
            }
        }
        index
    }
}

/// One [`FilePattern`], split for matching.
struct Compiled {
    cataloger: Cataloger,
    /// The file name's glob.
    name: &'static str,
    /// What the directories above the file must be.
    dirs: Dirs,
    except: Option<&'static str>,
    /// Does the glob name `node_modules`? Only such patterns apply under it.
    names_node_modules: bool,
}

/// The directory part of a glob.
enum Dirs {
    /// Any directory (`**/name`).
    Any,
    /// Literal segments (`**/vendor/composer/installed.json`): the directory path is
    /// `vendor/composer` or ends in `/vendor/composer`, checked without splitting it.
    Literal(&'static str),
    /// Segments with wildcards, last first (`**/*.dist-info/METADATA`).
    Globs(Vec<&'static str>),
}

impl Compiled {
    fn new(cataloger: Cataloger, pattern: &FilePattern) -> Compiled {
        let tail = pattern.glob.strip_prefix("**/").unwrap_or(pattern.glob);
        let (dir, name) = tail.rsplit_once('/').unwrap_or(("", tail));
        let dirs = if dir.is_empty() {
            Dirs::Any
        } else if dir.contains('*') {
            Dirs::Globs(dir.rsplit('/').collect())
        } else {
            Dirs::Literal(dir)
        };
        Compiled {
            cataloger,
            name,
            dirs,
            except: pattern.except,
            names_node_modules: dir.split('/').any(|s| s == "node_modules"),
        }
    }

    /// Does a file named `name` in the directory `dir` (relative, `/`-separated, empty at
    /// the root) match? Directories first (the file name is usually what found this
    /// pattern), then the name, then `except`.
    fn matches(&self, dir: &str, name: &str, in_node_modules: bool) -> bool {
        if in_node_modules && !self.names_node_modules {
            return false;
        }
        let dirs_match = match &self.dirs {
            Dirs::Any => true,
            Dirs::Literal(want) => dir
                .strip_suffix(want)
                .is_some_and(|above| above.is_empty() || above.ends_with('/')),
            Dirs::Globs(globs) => {
                let mut parts = dir.rsplit('/');
                globs
                    .iter()
                    .all(|glob| parts.next().is_some_and(|part| segment_matches(glob, part)))
            }
        };
        dirs_match
            && segment_matches(self.name, name)
            && !self.except.is_some_and(|not| segment_matches(not, name))
    }
}

/// The extension of a file name (after its last `.`), if it has one.
fn extension(name: &str) -> Option<&str> {
    name.rsplit_once('.').map(|(_, ext)| ext)
}

/// The literal extension every name a name glob matches has (`*.csproj` → `csproj`,
/// `pylock.*.toml` → `toml`), or `None` when the glob's end is not literal (`*`).
fn glob_extension(glob: &'static str) -> Option<&'static str> {
    let (_, ext) = glob.rsplit_once('.')?;
    (!ext.is_empty() && !ext.contains('*')).then_some(ext)
}

/// Does the one-segment glob `glob` (`*` for any run of characters) match `text`? A glob
/// starting with `*` does not match a name starting with `.`, as in a shell. Linear in
/// `glob.len() × text.len()` at worst, both short.
fn segment_matches(glob: &str, text: &str) -> bool {
    let (glob, text) = (glob.as_bytes(), text.as_bytes());
    if text.is_empty() {
        return false; // no file or directory has an empty name
    }
    if !glob.contains(&b'*') {
        return glob == text;
    }
    if glob.first() == Some(&b'*') && text.first() == Some(&b'.') {
        return false;
    }
    // Classic wildcard matching: on a mismatch, let the last `*` swallow one more byte.
    let (mut g, mut t) = (0, 0);
    let mut last_star: Option<(usize, usize)> = None;
    while t < text.len() {
        match glob.get(g) {
            Some(b'*') => {
                last_star = Some((g, t));
                g += 1;
            }
            Some(&c) if Some(&c) == text.get(t) => {
                g += 1;
                t += 1;
            }
            _ => match last_star {
                Some((star, swallowed)) => {
                    last_star = Some((star, swallowed + 1));
                    g = star + 1;
                    t = swallowed + 1;
                }
                None => return false,
            },
        }
    }
    glob.iter().skip(g).all(|&c| c == b'*')
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

    /// Each pattern of each registration, written out as a path, is detected as that
    /// registration, at the root and deeper; and, unless the pattern names
    /// `node_modules`, not inside an installed package.
    #[test]
    fn every_registered_pattern_detects_its_cataloger() {
        for &c in Cataloger::ALL {
            for p in c.patterns() {
                let tail = p.glob.strip_prefix("**/").unwrap_or(p.glob);
                let example = tail.replace('*', "x");
                assert_eq!(detect(&example), Some(c), "{c}: {:?} as {example}", p.glob);
                let deeper = format!("a/b/{example}");
                assert_eq!(detect(&deeper), Some(c), "{c}: {:?} as {deeper}", p.glob);
                if !tail.split('/').any(|s| s == "node_modules") {
                    let installed = format!("node_modules/pkg/lib/{example}");
                    assert_eq!(detect(&installed), None, "{installed}");
                }
                if let Some(not) = p.except {
                    let excluded = tail.replace('*', "x.y");
                    assert!(segment_matches(not, "x.y"));
                    assert_ne!(detect(&excluded), Some(c), "{c}: {excluded} is excepted");
                }
            }
        }
    }

    /// Every file the README's supported-files table names (its `file` column, before
    /// any parenthesis or `+`, which name companions read beside the file) is detected.
    #[test]
    fn every_file_the_readme_documents_is_detected() {
        let readme = include_str!("../../../README.md");
        let header = "| ecosystem | file |";
        let table = readme
            .split_once(header)
            .map(|(_, rest)| rest)
            .expect("the README has its supported-files table");
        let mut checked = 0;
        for row in table.lines().skip(2).take_while(|l| l.starts_with('|')) {
            let mut cells = row.split('|').skip(1);
            let ecosystem = cells.next().unwrap_or_default().trim();
            if ecosystem == "SBOMs" {
                continue; // `convert` and `merge` inputs, not scanned files
            }
            let file = cells.next().unwrap_or_default();
            let file = file.split(['(', '+']).next().unwrap_or_default();
            for token in file.split('`').skip(1).step_by(2) {
                let path = token.replace("**/", "x/").replace('*', "x");
                assert!(
                    detect(&path).is_some(),
                    "README's `{token}` ({ecosystem}) as {path}"
                );
                checked += 1;
            }
        }
        assert!(
            checked >= 40,
            "only {checked} files read from the README's table"
        );
    }

    #[test]
    fn the_more_specific_pattern_wins() {
        let cases: &[(&str, Option<Cataloger>)] = &[
            ("bin/go.mod", Some(GoMod)),
            ("bin/METADATA", Some(GoBinary)),
            ("bin/tool.exe", Some(GoBinary)),
            ("bin/.hidden", None),
            ("requirements/modules.txt", Some(PipRequirements)),
            ("vendor/requirements.txt", Some(PipRequirements)),
            ("gradle/dependency-locks/gradle.lockfile", Some(GradleLock)),
            // Two extension patterns: the entry listed first wins (as it did before).
            ("gradle/pylock.versions.toml", Some(Pylock)),
            (".github/workflows/action.yml", Some(GithubActions)),
            ("node_modules/@scope/package.json", Some(NpmInstalled)),
            ("node_modules/@s/b/c/package.json", None),
            (".csproj", None),
            ("", None),
            ("a/", None),
        ];
        for (path, want) in cases {
            assert_eq!(detect(path), *want, "{path}");
        }
    }

    #[test]
    fn segment_globs() {
        let cases = [
            ("*", "a", true),
            ("*", ".a", false),
            ("*", "", false),
            ("*.jar", "a.jar", true),
            ("*.jar", ".jar", false),
            ("*.jar", "a.jar.bak", false),
            ("*requirements*.txt", "requirements.txt", true),
            ("*requirements*.txt", "dev-requirements-ci.txt", true),
            ("*requirements*.txt", "requirements.in", false),
            ("pylock.*.toml", "pylock.dev.toml", true),
            ("pylock.*.toml", "pylock.toml", false),
            ("@*", "@babel", true),
            ("@*", "babel", false),
            ("*.*", "run.sh", true),
            ("*.*", "server", false),
            ("a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false),
        ];
        for (glob, text, want) in cases {
            assert_eq!(segment_matches(glob, text), want, "{glob} ~ {text}");
        }
    }
}
