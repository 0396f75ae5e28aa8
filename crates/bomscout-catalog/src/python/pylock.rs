//! `pylock.toml` and `pylock.<name>.toml` (PEP 751, `lock-version = "1.0"`).
//!
//! Supported: `[[packages]]` with `name`, `version`, `marker`, `sdist` / `wheels` /
//! `archive` hashes (the sdist's, else every wheel's, as for `uv.lock`), `vcs` (`vcs_url`
//! qualifier pinned to `commit-id`), `archive` URLs (`download_url`); `directory` packages are
//! first-party and skipped. Dependency edges, when a package lists `dependencies`, resolve by
//! name (and version where given).
//!
//! PEP 751 has no dev flag: a lock lists what an install of its groups and extras needs.
//! The project therefore depends on every package; a package whose `marker` tests
//! `dependency_groups` is reached by a Dev edge and one that tests `extras` by an Optional
//! edge, which is how the PEP itself expresses non-default groups and extras.

use super::pep508::normalize_name;
use crate::vcs::git_vcs_url;
use crate::{text, Input, ParseError};
use bomscout_core::escape::{quote, QUOTE_LIMIT};
use bomscout_core::SharedStr;
use bomscout_core::{
    Catalog, Component, DepKind, Diagnostic, Ecosystem, Hash, HashAlg, Location, NodeRef, Project,
};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};

#[derive(Deserialize)]
struct Lock {
    #[serde(default)]
    packages: Vec<Package>,
}

#[derive(Deserialize)]
struct Package {
    name: Option<String>,
    version: Option<String>,
    marker: Option<String>,
    sdist: Option<Dist>,
    #[serde(default)]
    wheels: Vec<Dist>,
    archive: Option<Archive>,
    vcs: Option<Vcs>,
    directory: Option<toml::Value>,
    #[serde(default)]
    dependencies: Vec<DepRef>,
}

#[derive(Deserialize)]
struct Dist {
    #[serde(default)]
    hashes: BTreeMap<String, String>,
}

#[derive(Deserialize)]
struct Archive {
    url: Option<String>,
    #[serde(default)]
    hashes: BTreeMap<String, String>,
}

#[derive(Deserialize)]
struct Vcs {
    url: Option<String>,
    #[serde(rename = "commit-id")]
    commit_id: Option<String>,
}

#[derive(Deserialize)]
struct DepRef {
    name: Option<String>,
    version: Option<String>,
}

/// Parses one PEP 751 lock.
pub fn parse(input: &Input) -> Result<Catalog, ParseError> {
    let text = text::utf8(input.bytes)?;
    // One `[[packages]]` at a time: memory stays near the file's size (see the function).
    let (mut lock, packages): (Lock, Vec<Package>) =
        crate::nesting::toml_array_of_tables(text, "packages")?;
    lock.packages.extend(packages);
    let mut cat = Catalog::default();
    let project = cat.add_project(Project::new(Ecosystem::PyPI, input.path()));
    let mut nodes: HashMap<String, Vec<(Option<String>, NodeRef)>> = HashMap::new();
    let mut added = Vec::new();
    for p in &lock.packages {
        match component(p, input.shared_path) {
            Ok(Some(c)) => {
                let node = cat.add_package(c);
                let name = normalize_name(p.name.as_deref().unwrap_or_default());
                nodes
                    .entry(name)
                    .or_default()
                    .push((p.version.clone(), node));
                cat.add_edge(project, node, edge_kind(p.marker.as_deref()));
                added.push((p, node));
            }
            Ok(None) => {}
            Err(message) => cat
                .diagnostics
                .push(Diagnostic::warning(input.path(), message)),
        }
    }
    for (p, from) in added {
        for d in &p.dependencies {
            let Some(candidates) = d
                .name
                .as_deref()
                .and_then(|n| nodes.get(&normalize_name(n)))
            else {
                continue;
            };
            let to = candidates
                .iter()
                .find(|(v, _)| d.version.is_none() || *v == d.version)
                .map(|(_, n)| *n);
            if let Some(to) = to {
                cat.add_edge(from, to, DepKind::Normal);
            }
        }
    }
    Ok(cat)
}

/// Dev for a package only some dependency group needs, Optional for one only an extra needs.
fn edge_kind(marker: Option<&str>) -> DepKind {
    match marker {
        Some(m) if m.contains("dependency_groups") => DepKind::Dev,
        Some(m) if m.contains("extras") => DepKind::Optional,
        _ => DepKind::Normal,
    }
}

fn component(p: &Package, path: &SharedStr) -> Result<Option<Component>, String> {
    let Some(name) = p.name.as_deref() else {
        return Err("a [[packages]] entry without a name was skipped".into());
    };
    if p.directory.is_some() {
        return Ok(None);
    }
    let (qualifier, version) = match (&p.vcs, &p.archive) {
        (Some(vcs), _) => {
            let url = vcs.url.clone().unwrap_or_default();
            let full = match &vcs.commit_id {
                Some(c) => format!("{url}#{c}"),
                None => url,
            };
            let version = p.version.clone().or_else(|| vcs.commit_id.clone());
            (Some(("vcs_url", git_vcs_url(&full))), version)
        }
        (None, Some(Archive { url: Some(url), .. })) => {
            (Some(("download_url", url.clone())), p.version.clone())
        }
        _ => (None, p.version.clone()),
    };
    let Some(version) = version else {
        return Err(format!(
            "package {} has no version; skipped",
            quote(name, QUOTE_LIMIT)
        ));
    };
    let qualifiers: Vec<(&str, &str)> = qualifier.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let mut c = Component::with_qualifiers(Ecosystem::PyPI, None, name, &version, &qualifiers)
        .map_err(|e| e.to_string())?;
    let hash_tables: Vec<&BTreeMap<String, String>> = match (&p.sdist, &p.archive) {
        (Some(s), _) if !s.hashes.is_empty() => vec![&s.hashes],
        (_, Some(a)) if !a.hashes.is_empty() => vec![&a.hashes],
        _ => p.wheels.iter().map(|w| &w.hashes).collect(),
    };
    for (alg, hex) in hash_tables.into_iter().flatten() {
        if let Some(h) = HashAlg::from_name(alg).and_then(|a| Hash::hex(a, hex)) {
            c.add_hash(h);
        }
    }
    if let Some(m) = &p.marker {
        c.properties.insert("marker".into(), m.clone());
    }
    Ok(Some(c.at(Location::new(path.clone()))))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str) -> Result<Catalog, ParseError> {
        crate::parse_str(parse, "pylock.toml", text)
    }

    #[test]
    fn markers_on_groups_and_extras_set_the_edge_kind() {
        let cat = run(r#"
lock-version = "1.0"
[[packages]]
name = "a"
version = "1.0"
[[packages]]
name = "pytest"
version = "8.0"
marker = "'dev' in dependency_groups"
[[packages]]
name = "pysocks"
version = "1.7.1"
marker = "'socks' in extras"
[[packages]]
name = "mine"
directory = { path = "." }
"#)
        .unwrap();
        let kinds: Vec<DepKind> = cat.projects[0].deps.iter().map(|e| e.kind).collect();
        assert_eq!(kinds, [DepKind::Normal, DepKind::Dev, DepKind::Optional]);
    }

    #[test]
    fn vcs_packages_are_pinned_to_their_commit() {
        let cat = run(r#"
[[packages]]
name = "lib"
vcs = { type = "git", url = "https://example.com/lib.git", commit-id = "abc" }
"#)
        .unwrap();
        assert_eq!(
            cat.packages[0].component.purl.as_str(),
            "pkg:pypi/lib@abc?vcs_url=git%2Bhttps:%2F%2Fexample.com%2Flib.git%40abc"
        );
    }

    #[test]
    fn bad_input() {
        assert!(run("[[packages]\n").is_err());
        let cat = run("[[packages]]\nversion = \"1\"\n[[packages]]\nname = \"x\"\n").unwrap();
        assert_eq!(cat.diagnostics.len(), 2);
    }
}
