//! `Pipfile.lock` (pipenv, `pipfile-spec` 6).
//!
//! Supported: the `default` and `develop` sections. Each entry's `version` (`==1.2.3`) makes
//! a resolved component, `hashes` (`sha256:…`) its hashes, `markers` and `extras` properties;
//! a `git` entry with `ref` gets a `vcs_url` purl qualifier; `path` / `file` / `editable`
//! local entries are first-party and skipped. The lock has no transitive graph, so the
//! project depends on every `default` entry (Normal) and every `develop` entry (Dev); an
//! entry in both is reached by both edges, which makes it required.

use crate::borrowed_json::Str;
use crate::vcs::git_vcs_url;
use crate::{Input, ParseError};
use bomscout_core::escape::{quote, QUOTE_LIMIT};
use bomscout_core::SharedStr;
use bomscout_core::{Catalog, Component, DepKind, Diagnostic, Ecosystem, Hash, Location, Project};
use serde::Deserialize;
use std::collections::BTreeMap;

/// The lock, its strings borrowed from the input unless they hold escapes.
#[derive(Deserialize)]
struct Lock<'a> {
    #[serde(default, borrow)]
    default: BTreeMap<Str<'a>, Entry<'a>>,
    #[serde(default, borrow)]
    develop: BTreeMap<Str<'a>, Entry<'a>>,
}

#[derive(Deserialize)]
struct Entry<'a> {
    #[serde(borrow)]
    version: Option<Str<'a>>,
    #[serde(default, borrow)]
    hashes: Vec<Str<'a>>,
    #[serde(borrow)]
    markers: Option<Str<'a>>,
    #[serde(default, borrow)]
    extras: Vec<Str<'a>>,
    #[serde(borrow)]
    git: Option<Str<'a>>,
    #[serde(rename = "ref", borrow)]
    git_ref: Option<Str<'a>>,
    #[serde(borrow)]
    path: Option<Str<'a>>,
    #[serde(borrow)]
    file: Option<Str<'a>>,
}

/// Parses one `Pipfile.lock`.
pub fn parse(input: &Input) -> Result<Catalog, ParseError> {
    let lock: Lock = serde_json::from_slice(input.bytes)?;
    let mut cat = Catalog::default();
    let project = cat.add_project(Project::new(Ecosystem::PyPI, input.path()));
    cat.packages
        .reserve(lock.default.len() + lock.develop.len());
    for (section, kind) in [
        (&lock.default, DepKind::Normal),
        (&lock.develop, DepKind::Dev),
    ] {
        for (name, entry) in section {
            match component(&name.0, entry, input.shared_path) {
                Ok(Some(c)) => {
                    let node = cat.add_package(c);
                    cat.add_edge(project, node, kind);
                }
                Ok(None) => {}
                Err(message) => cat
                    .diagnostics
                    .push(Diagnostic::warning(input.path(), message)),
            }
        }
    }
    Ok(cat)
}

/// The component for one entry; `None` for a local (first-party) entry.
fn component(name: &str, e: &Entry, path: &SharedStr) -> Result<Option<Component>, String> {
    if e.path.is_some() || e.file.is_some() {
        return Ok(None);
    }
    let version = e.version.as_ref().map(|v| v.0.as_ref());
    let git = e.git.as_ref().map(|g| g.0.as_ref());
    let git_ref = e.git_ref.as_ref().map(|r| r.0.as_ref());
    let mut c = match (version, git) {
        (Some(v), None) => {
            let v = v.trim_start_matches("===").trim_start_matches("==");
            Component::new(Ecosystem::PyPI, None, name, v)
        }
        (v, Some(git)) => {
            let url = match git_ref {
                Some(r) => format!("{git}#{r}"),
                None => git.to_string(),
            };
            let version = v.map(|v| v.trim_start_matches("==")).unwrap_or_default();
            let version = if version.is_empty() {
                git_ref.unwrap_or("HEAD")
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
    c.add_hashes(e.hashes.iter().filter_map(|h| prefixed_hash(&h.0)));
    if let Some(m) = &e.markers {
        c.properties.insert("marker".into(), m.0.to_string());
    }
    if !e.extras.is_empty() {
        let extras: Vec<&str> = e.extras.iter().map(|x| x.0.as_ref()).collect();
        c.properties.insert("extras".into(), extras.join(","));
    }
    Ok(Some(c.at(Location::new(path.clone()))))
}

/// `sha256:<hex>` as [`Hash::parse_prefixed`] reads it, the algorithm pipenv writes named
/// without its normalization (an allocation per hash).
fn prefixed_hash(text: &str) -> Option<Hash> {
    match text.strip_prefix("sha256:") {
        Some(hex) => Hash::hex(bomscout_core::HashAlg::Sha256, hex),
        None => Hash::parse_prefixed(text),
    }
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
    fn escaped_strings_duplicates_and_hashes() {
        let sha = |c: char| c.to_string().repeat(64);
        let text = format!(
            r#"{{"default": {{"caf\u00e9": {{"version": "==1.0", "markers": "python_version >= \"3.8\"",
                "hashes": ["sha256:{b}", "sha256:{a}", "SHA256:{a}", "sha256:{B}", "md5:x"]}},
                "b": {{"version": "==1.0"}}, "b": {{"version": "==2.0"}}}}}}"#,
            a = sha('a'),
            b = sha('b'),
            B = sha('B'),
        );
        let cat = run(&text).unwrap();
        assert!(cat.diagnostics.is_empty(), "{:?}", cat.diagnostics);
        let names: Vec<(&str, Option<&str>)> = cat
            .packages
            .iter()
            .map(|p| (p.component.name.as_str(), p.component.version.as_deref()))
            .collect();
        assert_eq!(names, [("b", Some("2.0")), ("café", Some("1.0"))]);
        let c = &cat.packages[1].component;
        assert_eq!(c.properties["marker"], "python_version >= \"3.8\"");
        // Sorted, each once (`B…` is `b…` lowercased), as `add_hash` one by one leaves them.
        let mut one_by_one = Component::new(Ecosystem::PyPI, None, "x", "1").unwrap();
        for h in [sha('b'), sha('a'), sha('a'), sha('b')] {
            one_by_one.add_hash(Hash::hex(bomscout_core::HashAlg::Sha256, &h).unwrap());
        }
        assert_eq!(c.hashes, one_by_one.hashes);
        assert_eq!(c.hashes.len(), 2);
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
