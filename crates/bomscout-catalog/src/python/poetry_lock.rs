//! `poetry.lock`: the Poetry 1.x format (`lock-version` 1.x: `category = "main"|"dev"`,
//! hashes in `[metadata.files]`) and the 2.x format (`lock-version` 2.x: `files` inline,
//! `groups = [...]` since Poetry 2).
//!
//! Supported: `[[package]]` name, version, `optional`, `category` / `groups`, `files` or
//! `[metadata.files]` hashes, `[package.dependencies]` (a constraint string, a table, or an
//! array of tables for multiple-constraint dependencies) as edges to the locked package of
//! that name, `[package.source]` (`git` → `vcs_url`, `url` → `download_url`, `legacy` and
//! none → the registry; `directory` / `file` are first-party and skipped).
//!
//! The lock does not say which packages the project itself depends on. That comes from the
//! `pyproject.toml` beside it (read through `Input::abs`: the one file this parser reads
//! besides its input): `[tool.poetry.dependencies]` (Normal, Optional when `optional =
//! true`), `[tool.poetry.group.<g>.dependencies]` and legacy `dev-dependencies` (Dev),
//! PEP 621 `[project] dependencies` / `optional-dependencies` (Normal / Optional). Without
//! it, packages no other package depends on are taken as direct, Dev when the lock marks
//! them `category = "dev"` or outside the `main` group; that flag is also each package's
//! scope hint.

use super::pep508::{normalize_name, parse_requirement};
use crate::vcs::git_vcs_url;
use crate::{text, Input, ParseError};
use bomscout_core::SharedStr;
use bomscout_core::{
    Catalog, Component, DepKind, Diagnostic, Ecosystem, Hash, Location, NodeRef, Project, Scope,
};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap, HashSet};
use toml::Value;

#[derive(Deserialize)]
struct Lock {
    #[serde(default)]
    package: Vec<Package>,
    #[serde(default)]
    metadata: Metadata,
}

#[derive(Deserialize, Default)]
struct Metadata {
    /// Poetry 1.x: `name = [{file, hash}]`.
    #[serde(default)]
    files: BTreeMap<String, Vec<FileHash>>,
}

#[derive(Deserialize)]
struct Package {
    name: Option<String>,
    version: Option<String>,
    #[serde(default)]
    optional: bool,
    category: Option<String>,
    groups: Option<Vec<String>>,
    #[serde(default)]
    files: Vec<FileHash>,
    #[serde(default)]
    dependencies: BTreeMap<String, Value>,
    source: Option<Source>,
}

#[derive(Deserialize)]
struct FileHash {
    hash: Option<String>,
}

#[derive(Deserialize)]
struct Source {
    #[serde(rename = "type")]
    kind: Option<String>,
    url: Option<String>,
    resolved_reference: Option<String>,
}

/// Parses one `poetry.lock`.
pub fn parse(input: &Input) -> Result<Catalog, ParseError> {
    let text = text::utf8(input.bytes)?;
    // One `[[package]]` at a time: memory stays near the file's size (see the function).
    let (mut lock, package): (Lock, Vec<Package>) =
        crate::nesting::toml_array_of_tables(text, "package")?;
    lock.package.extend(package);
    let mut cat = Catalog::default();
    let mut by_name: HashMap<String, NodeRef> = HashMap::new();
    for p in &lock.package {
        match component(p, &lock.metadata, input.shared_path) {
            Ok(Some(c)) => {
                let key = normalize_name(&c.name);
                by_name.insert(key, cat.add_package(c));
            }
            Ok(None) => {}
            Err(message) => cat
                .diagnostics
                .push(Diagnostic::warning(input.path(), message)),
        }
    }
    let mut depended_on = HashSet::new();
    for p in &lock.package {
        let Some(from) = p
            .name
            .as_deref()
            .and_then(|n| by_name.get(&normalize_name(n)))
        else {
            continue;
        };
        for (name, spec) in &p.dependencies {
            let Some(to) = by_name.get(&normalize_name(name)) else {
                continue;
            };
            let kind = if is_optional(spec) {
                DepKind::Optional
            } else {
                DepKind::Normal
            };
            cat.add_edge(*from, *to, kind);
            depended_on.insert(*to);
        }
    }
    let project = cat.add_project(Project::new(Ecosystem::PyPI, input.path()));
    match direct_deps(input) {
        Some(direct) => {
            for (name, kind) in direct {
                if let Some(to) = by_name.get(&name) {
                    cat.add_edge(project, *to, kind);
                }
            }
        }
        None => {
            for (i, p) in cat.packages.clone().iter().enumerate() {
                let node = NodeRef::Package(i);
                if !depended_on.contains(&node) {
                    let kind = match p.component.scope {
                        Scope::Dev => DepKind::Dev,
                        _ => DepKind::Normal,
                    };
                    cat.add_edge(project, node, kind);
                }
            }
        }
    }
    Ok(cat)
}

fn component(p: &Package, meta: &Metadata, path: &SharedStr) -> Result<Option<Component>, String> {
    let (Some(name), Some(version)) = (p.name.as_deref(), p.version.as_deref()) else {
        return Err("a [[package]] without name or version was skipped".into());
    };
    let qualifier = match &p.source {
        Some(s) => match (s.kind.as_deref(), s.url.as_deref()) {
            (Some("directory" | "file"), _) => return Ok(None),
            (Some("git"), Some(url)) => {
                let full = match &s.resolved_reference {
                    Some(r) => format!("{url}#{r}"),
                    None => url.to_string(),
                };
                Some(("vcs_url", git_vcs_url(&full)))
            }
            (Some("url"), Some(url)) => Some(("download_url", url.to_string())),
            _ => None,
        },
        None => None,
    };
    let qualifiers: Vec<(&str, &str)> = qualifier.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let mut c = Component::with_qualifiers(Ecosystem::PyPI, None, name, version, &qualifiers)
        .map_err(|e| e.to_string())?;
    let files = if p.files.is_empty() {
        meta.files.get(name).map(Vec::as_slice).unwrap_or_default()
    } else {
        &p.files
    };
    c.add_hashes(
        files
            .iter()
            .filter_map(|f| f.hash.as_deref().and_then(Hash::parse_prefixed)),
    );
    let dev = p.category.as_deref() == Some("dev")
        || p.groups
            .as_ref()
            .is_some_and(|g| !g.iter().any(|g| g == "main"));
    c.scope = if dev {
        Scope::Dev
    } else if p.optional {
        Scope::Optional
    } else {
        Scope::Required
    };
    Ok(Some(c.at(Location::new(path.clone()))))
}

/// `{version = "…", optional = true}` (or an array of such tables, all optional).
fn is_optional(spec: &Value) -> bool {
    let optional = |v: &Value| v.get("optional").and_then(Value::as_bool).unwrap_or(false);
    match spec {
        Value::Table(_) => optional(spec),
        Value::Array(items) => !items.is_empty() && items.iter().all(optional),
        _ => false,
    }
}

/// The project's direct dependencies from the `pyproject.toml` beside the lock, by
/// normalized name; `None` if there is none or it does not parse.
fn direct_deps(input: &Input) -> Option<Vec<(String, DepKind)>> {
    let text = crate::text::sibling(input, "pyproject.toml")?;
    let doc: toml::Table = crate::nesting::toml(&text).ok()?;
    let mut out = Vec::new();
    let poetry = doc.get("tool").and_then(|t| t.get("poetry"));
    if let Some(deps) = poetry
        .and_then(|p| p.get("dependencies"))
        .and_then(Value::as_table)
    {
        for (name, spec) in deps.iter().filter(|(n, _)| n.as_str() != "python") {
            let kind = if is_optional(spec) {
                DepKind::Optional
            } else {
                DepKind::Normal
            };
            out.push((normalize_name(name), kind));
        }
    }
    let groups = poetry
        .and_then(|p| p.get("group"))
        .and_then(Value::as_table);
    let group_tables = groups
        .into_iter()
        .flat_map(|g| g.values())
        .filter_map(|g| g.get("dependencies"))
        .chain(poetry.and_then(|p| p.get("dev-dependencies")));
    for deps in group_tables.filter_map(Value::as_table) {
        out.extend(deps.keys().map(|n| (normalize_name(n), DepKind::Dev)));
    }
    let project = doc.get("project");
    let pep621 = project
        .and_then(|p| p.get("dependencies"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|v| (v, DepKind::Normal));
    let extras = project
        .and_then(|p| p.get("optional-dependencies"))
        .and_then(Value::as_table)
        .into_iter()
        .flat_map(|t| t.values())
        .filter_map(Value::as_array)
        .flatten()
        .map(|v| (v, DepKind::Optional));
    for (v, kind) in pep621.chain(extras) {
        if let Some(req) = v.as_str().and_then(|s| parse_requirement(s).ok()) {
            out.push((normalize_name(&req.name), kind));
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str) -> Result<Catalog, ParseError> {
        crate::parse_str(parse, "poetry.lock", text)
    }

    #[test]
    fn poetry_1_format_categories_and_metadata_files() {
        let cat = run(r#"
[[package]]
name = "requests"
version = "2.31.0"
category = "main"
optional = false
[package.dependencies]
idna = ">=2.5,<4"
[[package]]
name = "idna"
version = "3.6"
category = "main"
optional = false
[[package]]
name = "pytest"
version = "8.0.0"
category = "dev"
optional = false
[metadata]
lock-version = "1.1"
[metadata.files]
idna = [{file = "idna-3.6.tar.gz", hash = "sha256:9ecdbbd083b06798ae1e86adcbfe8ab1479cf864e4ee30fe4e46a003d12491ca"}]
"#)
        .unwrap();
        assert_eq!(cat.packages[1].component.hashes.len(), 1);
        assert_eq!(cat.packages[2].component.scope, Scope::Dev);
        let kinds: Vec<DepKind> = cat.projects[0].deps.iter().map(|e| e.kind).collect();
        assert_eq!(
            kinds,
            [DepKind::Normal, DepKind::Dev],
            "roots: requests, pytest (dev)"
        );
    }

    #[test]
    fn poetry_2_groups_and_multiple_constraints() {
        let cat = run(r#"
[[package]]
name = "a"
version = "1.0"
groups = ["main"]
files = []
[package.dependencies]
b = [{version = "<2", markers = "python_version < '3.9'"}, {version = ">=2", markers = "python_version >= '3.9'"}]
[[package]]
name = "b"
version = "2.0"
groups = ["main", "dev"]
files = []
[[package]]
name = "c"
version = "1.0"
groups = ["docs"]
files = []
[metadata]
lock-version = "2.1"
"#)
        .unwrap();
        assert_eq!(
            cat.packages[0].deps.len(),
            1,
            "a -> b through the constraint array"
        );
        assert_eq!(cat.packages[1].component.scope, Scope::Required, "in main");
        assert_eq!(cat.packages[2].component.scope, Scope::Dev, "only in docs");
    }

    #[test]
    fn local_sources_are_first_party_and_bad_entries_warn() {
        let cat = run(r#"
[[package]]
name = "mine"
version = "0.1.0"
[package.source]
type = "directory"
url = "../mine"
[[package]]
name = "broken"
"#)
        .unwrap();
        assert!(cat.packages.is_empty());
        assert_eq!(cat.diagnostics.len(), 1);
        assert!(run("[[package]\n").is_err());
    }
}
