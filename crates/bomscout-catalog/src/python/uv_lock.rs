//! `uv.lock` (lock `version = 1`, any `revision`).
//!
//! Supported:
//! - `[[package]]` with `name`, `version`, `source`: `registry` (a plain purl), `git`
//!   (`vcs_url` qualifier: the URL with `#commit` turned into `@commit`), `url`
//!   (`download_url`); `virtual`, `editable`, `directory` and `path` sources are first-party:
//!   they become [`Project`]s in their directory, not components;
//! - `dependencies`, `optional-dependencies.<extra>` and `dev-dependencies.<group>` as edges
//!   of kind Normal, Optional and Dev; a dependency's `version` / `source` pick the right
//!   package when one name is locked at several versions (forked resolutions); a
//!   dependency's `extra = [...]` makes the target's optional dependencies for those extras
//!   plain dependencies of the target (they are installed whenever it is);
//! - hashes: the `sdist` hash, or when a package has no sdist, every wheel hash (each is
//!   the hash of an artifact that may be installed; which one depends on the platform).
//!
//! A package without a name, or a dependency naming nothing locked, is a warning; the rest
//! of the lock is kept.
//!
//! Read with `toml_lock`, the one-pass reader of the shape uv writes (strings
//! borrowed from the text); a file outside that shape goes through the toml crate as
//! before, which fills the same structs and gives the error of a broken file.

use super::pep508::normalize_name;
use crate::paths::{dir_of, join_dir};
use crate::toml_lock::{self, Fast, Reader, Sink, Unsupported, Value};
use crate::vcs::git_vcs_url;
use crate::{text, Input, ParseError};
use bomscout_core::escape::{quote, QUOTE_LIMIT};
use bomscout_core::SharedStr;
use bomscout_core::{
    Catalog, Component, DepKind, Diagnostic, Ecosystem, Hash, Location, NodeRef, Project,
};
use serde::Deserialize;
use std::borrow::Cow;
use std::collections::BTreeMap;

/// A `source` table: `{ registry = "…" }`, `{ virtual = "." }`, ….
type Source<'a> = BTreeMap<Cow<'a, str>, Value<'a>>;

/// The lock, as the toml crate deserializes it (owned strings) or the fast reader fills it
/// (strings borrowed from the text).
#[derive(Deserialize, Debug, Default, PartialEq)]
struct Lock<'a> {
    #[serde(default)]
    package: Vec<Package<'a>>,
}

#[derive(Deserialize, Debug, Default, PartialEq)]
struct Package<'a> {
    name: Option<Cow<'a, str>>,
    version: Option<Cow<'a, str>>,
    #[serde(default)]
    source: Source<'a>,
    #[serde(default)]
    dependencies: Vec<Dep<'a>>,
    #[serde(default, rename = "optional-dependencies")]
    optional: BTreeMap<Cow<'a, str>, Vec<Dep<'a>>>,
    #[serde(default, rename = "dev-dependencies")]
    dev: BTreeMap<Cow<'a, str>, Vec<Dep<'a>>>,
    sdist: Option<Dist<'a>>,
    #[serde(default)]
    wheels: Vec<Dist<'a>>,
}

#[derive(Deserialize, Debug, PartialEq)]
struct Dep<'a> {
    name: Cow<'a, str>,
    version: Option<Cow<'a, str>>,
    #[serde(default)]
    source: Source<'a>,
    #[serde(default)]
    extra: Vec<Cow<'a, str>>,
}

#[derive(Deserialize, Debug, Default, PartialEq)]
struct Dist<'a> {
    hash: Option<Cow<'a, str>>,
}

/// Parses one `uv.lock`.
pub fn parse(input: &Input) -> Result<Catalog, ParseError> {
    let text = text::utf8(input.bytes)?;
    let lock = match read_fast(text) {
        Ok(lock) => lock,
        Err(Unsupported) => read_toml(text)?,
    };
    Ok(catalog(&lock, input.shared_path))
}

/// The lock through the toml crate: one `[[package]]` at a time, so memory stays near the
/// file's size (see the function), after the nesting pre-scan.
fn read_toml(text: &str) -> Result<Lock<'static>, ParseError> {
    let (mut lock, package): (Lock, Vec<Package>) =
        crate::nesting::toml_array_of_tables(text, "package")?;
    lock.package.extend(package);
    Ok(lock)
}

/// The lock through the one-pass reader ([`toml_lock`]), for the shape uv writes.
fn read_fast(text: &str) -> Fast<Lock<'_>> {
    let mut lock = Lock::default();
    toml_lock::read(text, "package", &mut lock)?;
    Ok(lock)
}

impl<'a> Sink<'a> for Lock<'a> {
    fn element(&mut self) -> Fast<()> {
        self.package.push(Package::default());
        Ok(())
    }

    fn table(&mut self, path: &[&'a str]) -> Fast<()> {
        match path {
            ["package", "optional-dependencies" | "dev-dependencies" | "metadata"]
            | ["package", "metadata", _] => Ok(()),
            // `[package.sdist]` and the like: a shape uv does not write.
            ["package", ..] => Err(Unsupported),
            _ => Ok(()),
        }
    }

    fn key(&mut self, path: &[&'a str], key: &'a str, r: &mut Reader<'a>) -> Fast<()> {
        match path {
            [] if key == "package" => Err(Unsupported),
            ["package"] => {
                let p = self.package.last_mut().ok_or(Unsupported)?;
                match key {
                    "name" => p.name = Some(r.cow()?),
                    "version" => p.version = Some(r.cow()?),
                    "source" => p.source = r.string_table()?,
                    "dependencies" => p.dependencies = deps(r)?,
                    "sdist" => p.sdist = Some(dist(r)?),
                    "wheels" => r.array(|r| {
                        p.wheels.push(dist(r)?);
                        Ok(())
                    })?,
                    "optional-dependencies" | "dev-dependencies" => return Err(Unsupported),
                    _ => r.skip_value()?,
                }
                Ok(())
            }
            ["package", group @ ("optional-dependencies" | "dev-dependencies")] => {
                let p = self.package.last_mut().ok_or(Unsupported)?;
                let groups = if *group == "dev-dependencies" {
                    &mut p.dev
                } else {
                    &mut p.optional
                };
                groups.insert(Cow::Borrowed(key), deps(r)?);
                Ok(())
            }
            _ => r.skip_value(),
        }
    }
}

/// An array of dependency tables: `[{ name = "x", version = "1", source = {…} }, …]`.
fn deps<'a>(r: &mut Reader<'a>) -> Fast<Vec<Dep<'a>>> {
    let mut out = Vec::new();
    r.array(|r| {
        let (mut name, mut version, mut source, mut extra) =
            (None, None, Source::new(), Vec::new());
        r.table(|r, key| {
            match key {
                "name" => name = Some(r.cow()?),
                "version" => version = Some(r.cow()?),
                "source" => source = r.string_table()?,
                "extra" => extra = r.strings()?,
                _ => r.skip_value()?,
            }
            Ok(())
        })?;
        out.push(Dep {
            // Required, as for serde.
            name: name.ok_or(Unsupported)?,
            version,
            source,
            extra,
        });
        Ok(())
    })?;
    Ok(out)
}

/// An sdist or wheel table: only its hash is used (the URL, size and time are checked
/// and skipped).
fn dist<'a>(r: &mut Reader<'a>) -> Fast<Dist<'a>> {
    let mut dist = Dist::default();
    r.table(|r, key| {
        if key == "hash" {
            dist.hash = Some(r.cow()?);
            Ok(())
        } else {
            r.skip_value()
        }
    })?;
    Ok(dist)
}

/// The catalog of the lock at `path` (shared by its locations).
fn catalog(lock: &Lock, path: &SharedStr) -> Catalog {
    let mut cat = Catalog::default();
    let nodes: Vec<Option<NodeRef>> = lock
        .package
        .iter()
        .map(|p| add_node(&mut cat, p, path))
        .collect();
    let index = Index::new(&lock.package, &nodes);
    for (i, p) in lock.package.iter().enumerate() {
        let Some(from) = nodes[i] else { continue };
        let groups = std::iter::once((DepKind::Normal, &p.dependencies))
            .chain(p.optional.values().map(|d| (DepKind::Optional, d)))
            .chain(p.dev.values().map(|d| (DepKind::Dev, d)));
        for (kind, deps) in groups {
            // Only a project's own extras are optional; a package's extras are pulled in by
            // whoever asks for them (below).
            if kind == DepKind::Optional && matches!(from, NodeRef::Package(_)) {
                continue;
            }
            for d in deps {
                link(&mut cat, &index, &lock.package, from, d, kind, path);
            }
        }
    }
    cat
}

/// A project for a first-party source, a component otherwise, `None` (with a warning) for
/// an entry without a name.
fn add_node(cat: &mut Catalog, p: &Package, shared_path: &SharedStr) -> Option<NodeRef> {
    let path: &str = shared_path;
    let Some(name) = p.name.as_deref() else {
        cat.diagnostics.push(Diagnostic::warning(
            path,
            "a [[package]] without a name was skipped",
        ));
        return None;
    };
    let version = p.version.as_deref().unwrap_or_default();
    if let Some(dir) = first_party_dir(&p.source) {
        let mut project = Project::in_dir(Ecosystem::PyPI, &join_dir(dir_of(path), dir), path);
        project.name = Some(name.to_string());
        project.version = p.version.as_deref().map(str::to_string);
        project.purl = Component::new(Ecosystem::PyPI, None, name, version)
            .ok()
            .map(|c| c.purl);
        return Some(cat.add_project(project));
    }
    let qualifier = source_qualifier(&p.source);
    let pair;
    let refs: &[(&str, &str)] = match &qualifier {
        Some((k, v)) => {
            pair = [(*k, v.as_ref())];
            &pair
        }
        None => &[],
    };
    match Component::with_qualifiers(Ecosystem::PyPI, None, name, version, refs) {
        Ok(mut c) => {
            c.add_hashes(hashes(p));
            Some(cat.add_package(c.at(Location::new(shared_path.clone()))))
        }
        Err(e) => {
            cat.diagnostics
                .push(Diagnostic::warning(path, e.to_string()));
            None
        }
    }
}

/// The directory of a `virtual`, `editable`, `directory` or `path` source.
fn first_party_dir<'s>(source: &'s Source) -> Option<&'s str> {
    ["virtual", "editable", "directory", "path"]
        .iter()
        .find_map(|k| source.get(*k).and_then(Value::as_str))
}

/// The purl qualifier a `git` or `url` source gives.
fn source_qualifier<'s>(source: &'s Source) -> Option<(&'static str, Cow<'s, str>)> {
    if let Some(git) = source.get("git").and_then(Value::as_str) {
        return Some(("vcs_url", Cow::Owned(git_vcs_url(git))));
    }
    let url = source.get("url").and_then(Value::as_str)?;
    Some(("download_url", Cow::Borrowed(url)))
}

/// The sdist's hash, or when there is none, every wheel's.
fn hashes<'p>(p: &'p Package) -> impl Iterator<Item = Hash> + 'p {
    let dists: &[Dist] = match &p.sdist {
        Some(sdist) if sdist.hash.is_some() => std::slice::from_ref(sdist),
        _ => &p.wheels,
    };
    dists
        .iter()
        .filter_map(|d| d.hash.as_deref())
        .filter_map(Hash::parse_prefixed)
}

/// [`normalize_name`], without a copy when the name is normalized already (uv writes
/// names normalized).
fn normalized(name: &str) -> Cow<'_, str> {
    let b = name.as_bytes();
    let plain = !b.is_empty()
        && b.iter()
            .all(|&c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-')
        && b.first() != Some(&b'-')
        && b.last() != Some(&b'-')
        && !name.contains("--");
    if plain {
        Cow::Borrowed(name)
    } else {
        Cow::Owned(normalize_name(name))
    }
}

/// Packages by normalized name, to resolve dependency entries: sorted by name, packages
/// of one name in lock order.
struct Index<'p> {
    by_name: Vec<(Cow<'p, str>, usize, NodeRef)>,
}

impl<'p> Index<'p> {
    fn new(packages: &'p [Package], nodes: &[Option<NodeRef>]) -> Index<'p> {
        let mut by_name: Vec<(Cow<'p, str>, usize, NodeRef)> = packages
            .iter()
            .zip(nodes)
            .enumerate()
            .filter_map(|(i, (p, node))| Some((normalized(p.name.as_deref()?), i, (*node)?)))
            .collect();
        // Stable: one name's packages stay in lock order.
        by_name.sort_by(|a, b| a.0.cmp(&b.0));
        Index { by_name }
    }

    /// The packages of one normalized name.
    fn named(&self, name: &str) -> &[(Cow<'p, str>, usize, NodeRef)] {
        let name = normalized(name);
        let start = self.by_name.partition_point(|e| *e.0 < *name);
        let len = self
            .by_name
            .get(start..)
            .unwrap_or_default()
            .partition_point(|e| *e.0 == *name);
        self.by_name.get(start..start + len).unwrap_or_default()
    }

    /// The package a dependency entry names: the only one of that name, or the one whose
    /// version and source match.
    fn resolve(&self, packages: &[Package], d: &Dep) -> Option<(usize, NodeRef)> {
        let candidates = self.named(&d.name);
        if let [(_, i, node)] = candidates {
            return Some((*i, *node));
        }
        candidates
            .iter()
            .map(|&(_, i, node)| (i, node))
            .find(|(i, _)| {
                let p = &packages[*i];
                d.version
                    .as_ref()
                    .is_none_or(|v| p.version.as_ref() == Some(v))
                    && (d.source.is_empty() || d.source == p.source)
            })
    }
}

fn link(
    cat: &mut Catalog,
    index: &Index,
    packages: &[Package],
    from: NodeRef,
    d: &Dep,
    kind: DepKind,
    path: &str,
) {
    let Some((target, to)) = index.resolve(packages, d) else {
        cat.diagnostics.push(Diagnostic::warning(
            path,
            format!(
                "dependency {} names no locked package; edge skipped",
                quote(&d.name, QUOTE_LIMIT)
            ),
        ));
        return;
    };
    cat.add_edge(from, to, kind);
    for extra in &d.extra {
        let wanted = packages[target]
            .optional
            .get(extra.as_ref())
            .map(Vec::as_slice)
            .unwrap_or_default();
        for e in wanted {
            if let Some((_, dep)) = index.resolve(packages, e) {
                cat.add_edge(to, dep, DepKind::Normal);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Options;
    use std::path::Path;

    fn run(text: &str) -> Catalog {
        crate::parse_str(parse, "app/uv.lock", text).unwrap()
    }

    #[test]
    fn forked_versions_are_told_apart_by_version() {
        let cat = run(r#"
version = 1
[[package]]
name = "app"
version = "0.1.0"
source = { virtual = "." }
dependencies = [{ name = "numpy", version = "1.26.4" }]
[[package]]
name = "numpy"
version = "1.26.4"
source = { registry = "https://registry.example.invalid/simple" }
[[package]]
name = "numpy"
version = "2.1.0"
source = { registry = "https://registry.example.invalid/simple" }
"#);
        assert_eq!(cat.projects.len(), 1);
        assert_eq!(cat.projects[0].dir, "app");
        let to = cat.projects[0].deps[0].to;
        let NodeRef::Package(i) = to else {
            panic!("{to:?}")
        };
        assert_eq!(cat.packages[i].component.version.as_deref(), Some("1.26.4"));
    }

    #[test]
    fn requested_extras_pull_in_optional_dependencies() {
        let cat = run(r#"
version = 1
[[package]]
name = "app"
version = "0.1.0"
source = { editable = "." }
dependencies = [{ name = "httpx", extra = ["http2"] }]
[[package]]
name = "httpx"
version = "0.28.1"
source = { registry = "https://registry.example.invalid/simple" }
[package.optional-dependencies]
http2 = [{ name = "h2" }]
[[package]]
name = "h2"
version = "4.1.0"
source = { registry = "https://registry.example.invalid/simple" }
"#);
        let httpx = &cat.packages[0];
        assert_eq!(
            httpx.deps.len(),
            1,
            "httpx -> h2 because the app asked for httpx[http2]"
        );
    }

    #[test]
    fn git_sources_are_qualified_and_missing_names_warn() {
        let cat = run(r#"
version = 1
[[package]]
name = "lib"
version = "1.0.0"
source = { git = "https://example.com/lib.git?rev=main#0123456789abcdef" }
[[package]]
version = "1.0"
"#);
        assert_eq!(
            cat.packages[0].component.purl.as_str(),
            "pkg:pypi/lib@1.0.0?vcs_url=git%2Bhttps:%2F%2Fexample.com%2Flib.git%400123456789abcdef"
        );
        assert_eq!(cat.diagnostics.len(), 1);
    }

    use crate::toml_lock::tests::{mutation_rounds, repo_files};

    /// Every real uv.lock of the repository: the fast reader fills the structs the toml
    /// crate fills, the catalogs are the same, and a broken one is left to the toml crate.
    #[test]
    fn the_fast_reader_reads_every_real_lock_as_the_toml_crate_does() {
        let files = repo_files("uv.lock");
        assert!(files.len() >= 3, "{files:?}");
        let mut read = 0;
        for file in &files {
            let text = std::fs::read_to_string(file).unwrap();
            let shown = file.display();
            match (read_fast(&text), read_toml(&text)) {
                (Ok(fast), Ok(slow)) => {
                    assert_eq!(fast, slow, "{shown}");
                    assert_eq!(
                        catalog(&fast, &"app/uv.lock".into()),
                        catalog(&slow, &"app/uv.lock".into()),
                        "{shown}"
                    );
                    read += 1;
                }
                (Err(Unsupported), Err(_)) => {}
                (Ok(_), Err(e)) => panic!("{shown}: read, but the toml crate says {e}"),
                (Err(Unsupported), Ok(_)) => panic!("{shown}: a real lock the fast reader left"),
            }
        }
        assert!(read >= 3, "{files:?}");
    }

    /// Real locks with lines deleted, duplicated, re-indented, escapes, comments, dotted
    /// keys, `'''`, tabs and stray bytes put in: the fast reader says unsupported or reads
    /// exactly what the toml crate reads.
    #[test]
    fn mutated_locks_are_left_to_the_toml_crate_or_read_the_same() {
        let (agreed, left) = mutation_rounds("uv.lock", 0x75_77, 150, |mutated| {
            let Ok(fast) = read_fast(mutated) else {
                return false;
            };
            let slow = read_toml(mutated)
                .unwrap_or_else(|e| panic!("read, but the toml crate says {e}:\n{mutated}"));
            assert_eq!(fast, slow, "{mutated}");
            true
        });
        assert!(agreed > 100 && left > 100, "{agreed} read, {left} left");
    }

    /// A 10 MB line is read; deep inline tables and NUL bytes end with the toml path's
    /// error naming the line, never a panic.
    #[test]
    fn hostile_locks_end_with_a_diagnostic() {
        let long = format!(
            "version = 1\n[[package]]\nname = \"x\"\nversion = \"1.0\"\nsource = {{ registry = \"{}\" }}\n",
            "r".repeat(10 << 20)
        );
        assert_eq!(run(&long).packages.len(), 1);
        let deep = format!(
            "version = 1\n[[package]]\nname = \"x\"\nsdist = {}\n",
            "{ a = ".repeat(100_000)
        );
        let nul = "version = 1\n[[package]]\nname = \"x\0\"\n";
        for (text, line) in [(deep.as_str(), 4), (nul, 3)] {
            let err = crate::parse_str(parse, "uv.lock", text).unwrap_err();
            assert_eq!(err.line(), Some(line), "{err}");
        }
    }

    #[test]
    fn not_toml_is_an_error_with_a_line() {
        let options = Options::default();
        let input = Input {
            bytes: b"version = 1\n[[package]\nname = 1",
            shared_path: &bomscout_core::SharedStr::from("uv.lock"),
            abs: Path::new("uv.lock"),
            root: std::path::Path::new("/"),
            options: &options,
            tree: &crate::DISK,
        };
        assert_eq!(parse(&input).unwrap_err().line(), Some(2));
    }
}
