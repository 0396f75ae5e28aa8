//! A project's `package.json` (outside `node_modules`): the project itself, and its declared
//! dependencies as unresolved components with their ranges.
//!
//! `dependencies`, `optionalDependencies`, `peerDependencies` and `devDependencies` give
//! Normal, Optional, Peer and Dev edges. An `npm:real@range` alias declares the real package.
//! `workspace:`, `file:`, `link:` and `portal:` ranges point at first-party code and are
//! skipped. When a lockfile beside it pins a name, the builder drops the declaration, so a
//! range appears only where nothing resolved it.

use super::{licenses, split_name};
use crate::{Input, ParseError};
use bomscout_core::{Catalog, Component, DepKind, Diagnostic, Ecosystem, Project, Purl};
use serde_json::{Map, Value};

/// Parses one `package.json`.
pub fn parse(input: &Input) -> Result<Catalog, ParseError> {
    let doc: Value = serde_json::from_slice(input.bytes)?;
    let doc = doc
        .as_object()
        .ok_or_else(|| ParseError::format("package.json must be a JSON object"))?;
    let mut cat = Catalog::default();
    let mut project = Project::new(Ecosystem::Npm, input.path());
    let name = doc
        .get("name")
        .and_then(Value::as_str)
        .filter(|n| !n.is_empty());
    let version = doc.get("version").and_then(Value::as_str);
    project.name = name.map(str::to_string);
    project.version = version.map(str::to_string);
    if let (Some(n), Some(v)) = (name, version) {
        let (ns, short) = split_name(n);
        project.purl = Purl::build(Ecosystem::Npm, ns, short, Some(v), &[]).ok();
    }
    project.licenses = licenses(doc, input.path());
    let project = cat.add_project(project);
    for (field, kind) in [
        ("dependencies", DepKind::Normal),
        ("optionalDependencies", DepKind::Optional),
        ("peerDependencies", DepKind::Peer),
        ("devDependencies", DepKind::Dev),
    ] {
        for (name, range) in declared(doc, field) {
            match unresolved(name, range) {
                Some(Ok(c)) => {
                    let node = cat.add_package(c.at(input.location()));
                    cat.add_edge(project, node, kind);
                }
                Some(Err(e)) => cat.diagnostics.push(Diagnostic::warning(
                    input.path(),
                    format!("{field}.{name}: {e}"),
                )),
                None => {}
            }
        }
    }
    Ok(cat)
}

fn declared<'a>(doc: &'a Map<String, Value>, field: &str) -> Vec<(&'a str, &'a str)> {
    doc.get(field)
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| Some((k.as_str(), v.as_str()?)))
                .collect()
        })
        .unwrap_or_default()
}

/// The unresolved component a declaration names; `None` for first-party ranges.
fn unresolved(name: &str, range: &str) -> Option<Result<Component, bomscout_core::PurlError>> {
    let first_party = ["workspace:", "file:", "link:", "portal:"];
    if first_party.iter().any(|p| range.starts_with(p)) {
        return None;
    }
    let (real, range) = match range.strip_prefix("npm:") {
        Some(spec) => match spec.rsplit_once('@').filter(|(n, _)| !n.is_empty()) {
            Some((n, r)) => (n, r),
            None => (spec, "*"),
        },
        None => (name, range),
    };
    let (ns, short) = split_name(real);
    let range = if range.trim().is_empty() { "*" } else { range };
    Some(Component::unresolved(Ecosystem::Npm, ns, short, range))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str) -> Result<Catalog, ParseError> {
        crate::parse_str(parse, "app/package.json", text)
    }

    #[test]
    fn declarations_become_unresolved_components_with_edge_kinds() {
        let cat = run(r#"{"name": "@acme/app", "version": "1.0.0", "license": "MIT",
            "dependencies": {"lodash": "^4.17.0", "nm": "npm:is-number@^7", "mine": "workspace:*", "local": "file:../x"},
            "devDependencies": {"@types/node": "20"}}"#).unwrap();
        let keys: Vec<String> = cat.packages.iter().map(|p| p.component.key()).collect();
        assert_eq!(
            keys,
            [
                "unresolved:pkg:npm/lodash@^4.17.0",
                "unresolved:pkg:npm/is-number@^7",
                "unresolved:pkg:npm/%40types/node@20"
            ]
        );
        let kinds: Vec<DepKind> = cat.projects[0].deps.iter().map(|e| e.kind).collect();
        assert_eq!(kinds, [DepKind::Normal, DepKind::Normal, DepKind::Dev]);
        assert_eq!(cat.projects[0].dir, "app");
        assert_eq!(
            cat.projects[0].purl.as_ref().unwrap().as_str(),
            "pkg:npm/%40acme/app@1.0.0"
        );
        assert_eq!(cat.projects[0].licenses[0].raw, "MIT");
    }

    #[test]
    fn bad_input() {
        assert!(run("[]").is_err());
        assert!(run("{\"name\": ").is_err());
        let cat = run(r#"{"dependencies": {"a": 5, "b": "1.0.0"}}"#).unwrap();
        assert_eq!(cat.packages.len(), 1, "a non-string range is skipped");
    }
}
