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

use super::pep508::normalize_name;
use crate::paths::{dir_of, join_dir};
use crate::vcs::git_vcs_url;
use crate::{text, Input, ParseError};
use bomscout_core::escape::{quote, QUOTE_LIMIT};
use bomscout_core::{
    Catalog, Component, DepKind, Diagnostic, Ecosystem, Hash, Location, NodeRef, Project,
};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};

#[derive(Deserialize)]
struct Lock {
    #[serde(default)]
    package: Vec<Package>,
}

#[derive(Deserialize)]
struct Package {
    name: Option<String>,
    version: Option<String>,
    #[serde(default)]
    source: BTreeMap<String, toml::Value>,
    #[serde(default)]
    dependencies: Vec<Dep>,
    #[serde(default, rename = "optional-dependencies")]
    optional: BTreeMap<String, Vec<Dep>>,
    #[serde(default, rename = "dev-dependencies")]
    dev: BTreeMap<String, Vec<Dep>>,
    sdist: Option<Dist>,
    #[serde(default)]
    wheels: Vec<Dist>,
}

#[derive(Deserialize)]
struct Dep {
    name: String,
    version: Option<String>,
    #[serde(default)]
    source: BTreeMap<String, toml::Value>,
    #[serde(default)]
    extra: Vec<String>,
}

#[derive(Deserialize)]
struct Dist {
    hash: Option<String>,
}

/// Parses one `uv.lock`.
pub fn parse(input: &Input) -> Result<Catalog, ParseError> {
    let text = text::utf8(input.bytes)?;
    // One `[[package]]` at a time: memory stays near the file's size (see the function).
    let (mut lock, package): (Lock, Vec<Package>) =
        crate::nesting::toml_array_of_tables(text, "package")?;
    lock.package.extend(package);
    let mut cat = Catalog::default();
    let nodes: Vec<Option<NodeRef>> = lock
        .package
        .iter()
        .map(|p| add_node(&mut cat, p, input.path))
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
                link(&mut cat, &index, &lock.package, from, d, kind, input.path);
            }
        }
    }
    Ok(cat)
}

/// A project for a first-party source, a component otherwise, `None` (with a warning) for
/// an entry without a name.
fn add_node(cat: &mut Catalog, p: &Package, path: &str) -> Option<NodeRef> {
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
        project.version = p.version.clone();
        project.purl = Component::new(Ecosystem::PyPI, None, name, version)
            .ok()
            .map(|c| c.purl);
        return Some(cat.add_project(project));
    }
    let qualifiers = source_qualifiers(&p.source);
    let refs: Vec<(&str, &str)> = qualifiers.iter().map(|(k, v)| (*k, v.as_str())).collect();
    match Component::with_qualifiers(Ecosystem::PyPI, None, name, version, &refs) {
        Ok(mut c) => {
            for h in hashes(p) {
                c.add_hash(h);
            }
            Some(cat.add_package(c.at(Location::new(path))))
        }
        Err(e) => {
            cat.diagnostics
                .push(Diagnostic::warning(path, e.to_string()));
            None
        }
    }
}

/// The directory of a `virtual`, `editable`, `directory` or `path` source.
fn first_party_dir(source: &BTreeMap<String, toml::Value>) -> Option<&str> {
    ["virtual", "editable", "directory", "path"]
        .iter()
        .find_map(|k| source.get(*k).and_then(toml::Value::as_str))
}

fn source_qualifiers(source: &BTreeMap<String, toml::Value>) -> Vec<(&'static str, String)> {
    if let Some(git) = source.get("git").and_then(toml::Value::as_str) {
        return vec![("vcs_url", git_vcs_url(git))];
    }
    if let Some(url) = source.get("url").and_then(toml::Value::as_str) {
        return vec![("download_url", url.to_string())];
    }
    Vec::new()
}

fn hashes(p: &Package) -> Vec<Hash> {
    let dists: Vec<&Dist> = match &p.sdist {
        Some(sdist) if sdist.hash.is_some() => vec![sdist],
        _ => p.wheels.iter().collect(),
    };
    dists
        .iter()
        .filter_map(|d| d.hash.as_deref())
        .filter_map(Hash::parse_prefixed)
        .collect()
}

/// Packages by normalized name, to resolve dependency entries.
struct Index {
    by_name: HashMap<String, Vec<(usize, NodeRef)>>,
}

impl Index {
    fn new(packages: &[Package], nodes: &[Option<NodeRef>]) -> Index {
        let mut by_name: HashMap<String, Vec<(usize, NodeRef)>> = HashMap::new();
        for (i, p) in packages.iter().enumerate() {
            if let (Some(name), Some(node)) = (&p.name, nodes[i]) {
                by_name
                    .entry(normalize_name(name))
                    .or_default()
                    .push((i, node));
            }
        }
        Index { by_name }
    }

    /// The package a dependency entry names: the only one of that name, or the one whose
    /// version and source match.
    fn resolve(&self, packages: &[Package], d: &Dep) -> Option<(usize, NodeRef)> {
        let candidates = self.by_name.get(&normalize_name(&d.name))?;
        if let [only] = candidates.as_slice() {
            return Some(*only);
        }
        candidates.iter().copied().find(|(i, _)| {
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
            .get(extra)
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

    #[test]
    fn not_toml_is_an_error_with_a_line() {
        let options = Options::default();
        let input = Input {
            bytes: b"version = 1\n[[package]\nname = 1",
            path: "uv.lock",
            abs: Path::new("uv.lock"),
            root: std::path::Path::new("/"),
            options: &options,
            tree: &crate::DISK,
        };
        assert_eq!(parse(&input).unwrap_err().line(), Some(2));
    }
}
