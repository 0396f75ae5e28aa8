//! `Pipfile.lock` (pipenv, `pipfile-spec` 6).
//!
//! Supported: the `default` and `develop` sections. Each entry's `version` (`==1.2.3`) makes
//! a resolved component, `hashes` (`sha256:…`) its hashes, `markers` and `extras` properties;
//! a `git` entry with `ref` gets a `vcs_url` purl qualifier; `path` / `file` / `editable`
//! local entries are first-party and skipped. The lock has no transitive graph, so the
//! project depends on every `default` entry (Normal) and every `develop` entry (Dev); an
//! entry in both is reached by both edges, which makes it required.

use crate::vcs::git_vcs_url;
use crate::{Input, ParseError};
use bomscout_core::escape::{quote, QUOTE_LIMIT};
use bomscout_core::{Catalog, Component, DepKind, Diagnostic, Ecosystem, Hash, Location, Project};
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Deserialize)]
struct Lock {
    #[serde(default)]
    default: BTreeMap<String, Entry>,
    #[serde(default)]
    develop: BTreeMap<String, Entry>,
}

#[derive(Deserialize)]
struct Entry {
    version: Option<String>,
    #[serde(default)]
    hashes: Vec<String>,
    markers: Option<String>,
    #[serde(default)]
    extras: Vec<String>,
    git: Option<String>,
    #[serde(rename = "ref")]
    git_ref: Option<String>,
    path: Option<String>,
    file: Option<String>,
}

/// Parses one `Pipfile.lock`.
pub fn parse(input: &Input) -> Result<Catalog, ParseError> {
    let lock: Lock = serde_json::from_slice(input.bytes)?;
    let mut cat = Catalog::default();
    let project = cat.add_project(Project::new(Ecosystem::PyPI, input.path));
    for (section, kind) in [
        (&lock.default, DepKind::Normal),
        (&lock.develop, DepKind::Dev),
    ] {
        for (name, entry) in section {
            match component(name, entry, input.path) {
                Ok(Some(c)) => {
                    let node = cat.add_package(c);
                    cat.add_edge(project, node, kind);
                }
                Ok(None) => {}
                Err(message) => cat
                    .diagnostics
                    .push(Diagnostic::warning(input.path, message)),
            }
        }
    }
    Ok(cat)
}

/// The component for one entry; `None` for a local (first-party) entry.
fn component(name: &str, e: &Entry, path: &str) -> Result<Option<Component>, String> {
    if e.path.is_some() || e.file.is_some() {
        return Ok(None);
    }
    let mut c = match (&e.version, &e.git) {
        (Some(v), None) => {
            let v = v.trim_start_matches("===").trim_start_matches("==");
            Component::new(Ecosystem::PyPI, None, name, v)
        }
        (v, Some(git)) => {
            let url = match &e.git_ref {
                Some(r) => format!("{git}#{r}"),
                None => git.clone(),
            };
            let version = v
                .as_deref()
                .map(|v| v.trim_start_matches("=="))
                .unwrap_or_default();
            let version = if version.is_empty() {
                e.git_ref.as_deref().unwrap_or("HEAD")
            } else {
                version
            };
            Component::with_qualifiers(
                Ecosystem::PyPI,
                None,
                name,
                version,
                &[("vcs_url", &git_vcs_url(&url))],
            )
        }
        (None, None) => {
            return Err(format!(
                "entry {} has no version; skipped",
                quote(name, QUOTE_LIMIT)
            ))
        }
    }
    .map_err(|e| e.to_string())?;
    for h in &e.hashes {
        if let Some(hash) = Hash::parse_prefixed(h) {
            c.add_hash(hash);
        }
    }
    if let Some(m) = &e.markers {
        c.properties.insert("marker".into(), m.clone());
    }
    if !e.extras.is_empty() {
        c.properties.insert("extras".into(), e.extras.join(","));
    }
    Ok(Some(c.at(Location::new(path))))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str) -> Result<Catalog, ParseError> {
        crate::parse_str(parse, "Pipfile.lock", text)
    }

    #[test]
    fn sections_become_edge_kinds_and_local_entries_are_skipped() {
        let cat = run(r#"{"_meta": {}, "default": {"a": {"version": "==1.0"}, "me": {"editable": true, "path": "."}},
            "develop": {"b": {"version": "==2.0", "hashes": ["sha256:2a0d60c172f83ac6ab31e4554906c0f3b3588d37b5cb939b1c061f4907e278e0"]}}}"#).unwrap();
        assert_eq!(cat.packages.len(), 2);
        let kinds: Vec<DepKind> = cat.projects[0].deps.iter().map(|e| e.kind).collect();
        assert_eq!(kinds, [DepKind::Normal, DepKind::Dev]);
        assert_eq!(cat.packages[1].component.hashes.len(), 1);
    }

    #[test]
    fn git_entries_are_qualified() {
        let cat =
            run(r#"{"default": {"lib": {"git": "https://example.com/lib.git", "ref": "abc123"}}}"#)
                .unwrap();
        assert_eq!(
            cat.packages[0].component.purl.as_str(),
            "pkg:pypi/lib@abc123?vcs_url=git%2Bhttps:%2F%2Fexample.com%2Flib.git%40abc123"
        );
    }

    #[test]
    fn bad_input() {
        assert_eq!(run("{\n\"default\": 5}").unwrap_err().line(), Some(2));
        assert!(run("").is_err());
        let cat = run(r#"{"default": {"x": {}}}"#).unwrap();
        assert_eq!(
            cat.diagnostics.len(),
            1,
            "an entry without a version is a warning"
        );
    }
}
