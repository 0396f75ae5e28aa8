//! bun: `bun.lock`, bun's text lockfile (JSON with trailing commas).
//!
//! `workspaces` maps each project's directory (`""` is the root) to its name and its
//! `dependencies` / `devDependencies` / `optionalDependencies` / `peerDependencies`: the
//! projects and their edge kinds. `packages` maps a key to `[name@version, registry,
//! {dependencies, optionalDependencies, peerDependencies}, integrity]`; a key is the
//! install path, `name` when hoisted, `parent/name` when nested under `parent` (Node's
//! resolution: a dependency of `parent` is looked up as `parent/dep`, then up the path).
//! `name@workspace:dir` entries are the workspace projects, and `name@root:` the root
//! project (bun writes it when a workspace depends on the root package): first-party, never
//! components. `name@github:…`/`git+…` are git sources.

use crate::npm::{component, integrity_hashes};
use crate::{Input, ParseError};
use bomscout_core::{Catalog, DepKind, Diagnostic, Ecosystem, NodeRef, Project};
use serde_json::{Map, Value};
use std::collections::{HashMap, HashSet};

/// Parses one `bun.lock`.
pub fn parse(input: &Input) -> Result<Catalog, ParseError> {
    let text = crate::text::utf8(input.bytes)?;
    let json = strip_trailing_commas(text);
    let doc: Value = serde_json::from_str(&json)?;
    let doc = doc
        .as_object()
        .ok_or_else(|| ParseError::format("bun.lock must be a JSON object"))?;
    if !doc.contains_key("lockfileVersion") {
        return Err(ParseError::format("not a bun lockfile: no lockfileVersion"));
    }
    let mut catalog = Catalog::default();
    let mut by_key: HashMap<String, usize> = HashMap::new();
    let mut by_purl: HashMap<String, usize> = HashMap::new();
    let empty = Map::new();
    let packages = doc
        .get("packages")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let lines = entry_lines(text);
    let line_of = |key: &str| lines.get(key).unwrap_or(1);
    // Keys of the root, the workspaces and local packages: edges to them are first-party.
    let mut first_party: HashSet<&str> = HashSet::new();
    for (key, entry) in packages {
        let line = line_of(key);
        match package(entry) {
            Ok(Some(c)) => {
                let i = *by_purl.entry(c.purl.to_string()).or_insert_with(|| {
                    match catalog.add_package(c.at(input.at_line(line))) {
                        NodeRef::Package(i) => i,
                        NodeRef::Project(i) => i,
                    }
                });
                by_key.insert(key.clone(), i);
            }
            Ok(None) => {
                first_party.insert(key.as_str());
            }
            Err(message) => {
                catalog.diagnostics.push(
                    Diagnostic::warning(input.path(), format!("{key}: {message}")).at_line(line),
                );
            }
        }
    }
    for (key, entry) in packages {
        let Some(&from) = by_key.get(key) else {
            continue;
        };
        let Some(meta) = entry.get(2).and_then(Value::as_object) else {
            continue;
        };
        for (field, kind) in [
            ("dependencies", DepKind::Normal),
            ("optionalDependencies", DepKind::Optional),
            ("peerDependencies", DepKind::Peer),
        ] {
            for name in meta
                .get(field)
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
                .map(|(n, _)| n)
            {
                match resolve(&by_key, key, name) {
                    Some(to) => {
                        catalog.add_edge(NodeRef::Package(from), NodeRef::Package(to), kind)
                    }
                    None if kind == DepKind::Normal && !first_party.contains(name.as_str()) => {
                        catalog.diagnostics.push(
                            Diagnostic::warning(
                                input.path(),
                                format!("{key}: dependency {name} is not in the lockfile"),
                            )
                            .at_line(line_of(key)),
                        );
                    }
                    None => {}
                }
            }
        }
    }
    workspaces(doc, input, &by_key, &mut catalog);
    Ok(catalog)
}

/// The component of a `packages` entry; `None` for first-party entries (the root, the
/// workspaces, links and local directories).
fn package(entry: &Value) -> Result<Option<bomscout_core::Component>, String> {
    let spec = entry
        .get(0)
        .and_then(Value::as_str)
        .ok_or("the entry has no name@version")?;
    let at = spec
        .get(1..)
        .and_then(|s| s.find('@'))
        .ok_or("the entry has no name@version")?
        + 1;
    let (name, reference) = (
        spec.get(..at).unwrap_or_default(),
        spec.get(at + 1..).unwrap_or_default(),
    );
    if reference == "root:"
        || reference.starts_with("workspace:")
        || reference.starts_with("link:")
        || reference.starts_with("file:")
    {
        return Ok(None);
    }
    let (version, source) = match reference.split_once(':') {
        // `github:owner/repo#sha`, `git+https://…#sha`: a git source.
        Some((proto, rest))
            if !proto.is_empty() && !reference.starts_with(|c: char| c.is_ascii_digit()) =>
        {
            let sha = rest.rsplit('#').next().unwrap_or(rest);
            (sha.to_string(), Some(format!("{proto}:{rest}")))
        }
        _ => (reference.to_string(), None),
    };
    let mut c = component(name, &version, source.as_deref()).map_err(|e| e.to_string())?;
    if let Some(integrity) = entry.get(3).and_then(Value::as_str) {
        for h in integrity_hashes(integrity) {
            c.add_hash(h);
        }
    }
    Ok(Some(c))
}

/// Node's resolution over install paths: `parent/name`, then up `parent`'s path, then `name`.
fn resolve(by_key: &HashMap<String, usize>, from_key: &str, name: &str) -> Option<usize> {
    let mut path = segments(from_key);
    loop {
        let key = if path.is_empty() {
            name.to_string()
        } else {
            format!("{}/{name}", path.join("/"))
        };
        if let Some(&i) = by_key.get(&key) {
            return Some(i);
        }
        path.pop()?;
    }
}

/// An install path's package names: `a/@s/b/c` → `["a", "@s/b", "c"]`.
fn segments(key: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut scope: Option<&str> = None;
    for part in key.split('/') {
        match scope.take() {
            Some(s) => out.push(format!("{s}/{part}")),
            None if part.starts_with('@') => scope = Some(part),
            None => out.push(part.to_string()),
        }
    }
    out
}

fn workspaces(
    doc: &Map<String, Value>,
    input: &Input,
    by_key: &HashMap<String, usize>,
    catalog: &mut Catalog,
) {
    let base = crate::paths::dir_of(input.path());
    let Some(ws) = doc.get("workspaces").and_then(Value::as_object) else {
        return;
    };
    for (dir, w) in ws {
        let dir = if dir.is_empty() {
            base.to_string()
        } else {
            crate::paths::join_dir(base, dir)
        };
        let project = catalog.add_project(Project::in_dir(Ecosystem::Npm, &dir, input.path()));
        let ws_name = w.get("name").and_then(Value::as_str).unwrap_or_default();
        for (field, kind) in [
            ("dependencies", DepKind::Normal),
            ("optionalDependencies", DepKind::Optional),
            ("peerDependencies", DepKind::Peer),
            ("devDependencies", DepKind::Dev),
        ] {
            for (name, range) in w
                .get(field)
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
            {
                if range.as_str().is_some_and(|r| r.starts_with("workspace:")) {
                    continue;
                }
                let nested = (!ws_name.is_empty())
                    .then(|| by_key.get(&format!("{ws_name}/{name}")))
                    .flatten();
                if let Some(&to) = nested.or_else(|| by_key.get(name.as_str())) {
                    catalog.add_edge(project, NodeRef::Package(to), kind);
                }
            }
        }
    }
}

/// Removes the trailing commas (and `//` comments) JSON does not allow, outside strings.
fn strip_trailing_commas(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let (mut in_string, mut escaped) = (false, false);
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if in_string {
            if escaped {
                escaped = false;
            } else if c == b'\\' {
                escaped = true;
            } else if c == b'"' {
                in_string = false;
            }
        } else if c == b'"' {
            in_string = true;
        } else if c == b'/' && bytes.get(i + 1) == Some(&b'/') {
            while i < bytes.len() && bytes[i] != b'\n' {
                i += 1;
            }
            continue;
        } else if c == b',' {
            let next = bytes[i + 1..].iter().find(|b| !b.is_ascii_whitespace());
            if matches!(next, Some(b'}') | Some(b']')) {
                i += 1;
                continue;
            }
        }
        // Copy whole UTF-8 sequences: only ASCII bytes are ever skipped above.
        let len = utf8_len(c);
        out.push_str(text.get(i..(i + len).min(text.len())).unwrap_or_default());
        i += len;
    }
    out
}

fn utf8_len(first: u8) -> usize {
    match first {
        0xF0..=0xFF => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}

/// The line of each `packages` entry, `"key": [`, found once.
fn entry_lines(text: &str) -> crate::text::KeyLines<'_> {
    crate::text::KeyLines::new(text, |l| {
        crate::text::json_key(l).and_then(|(key, rest)| rest.starts_with('[').then_some(key))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse_str;

    fn run(text: &str) -> Result<Catalog, ParseError> {
        parse_str(parse, "bun.lock", text)
    }

    #[test]
    fn trailing_commas_and_comments() {
        assert_eq!(
            strip_trailing_commas("{\"a\": [1, 2,],\n // x\n \"b,}\": \"é,]\",}"),
            "{\"a\": [1, 2],\n \n \"b,}\": \"é,]\"}"
        );
    }

    #[test]
    fn nested_install_paths_resolve_like_node() {
        let text = r#"{"lockfileVersion": 1, "workspaces": {"": {"name": "r", "dependencies": {"a": "^1", "@s/b": "^1",},},},
          "packages": {
            "a": ["a@1.0.0", "", {"dependencies": {"c": "^2"}}, "sha1-3uQ6JXzRdQ1X6L+OfDUb8FNEIhw="],
            "@s/b": ["@s/b@1.0.0", "", {"dependencies": {"c": "^1"}}, ""],
            "c": ["c@1.0.0", "", {}, ""],
            "a/c": ["c@2.0.0", "", {}, ""],
            "g": ["g@github:o/r#abc123", "", {}, ""],
          }}"#;
        let c = run(text).unwrap();
        assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
        let purl = |i: usize| c.packages[i].component.purl.to_string();
        let edges: Vec<(String, String)> = c
            .packages
            .iter()
            .enumerate()
            .flat_map(|(i, p)| p.deps.iter().map(move |e| (i, e)))
            .map(|(i, e)| match e.to {
                NodeRef::Package(j) => (purl(i), purl(j)),
                NodeRef::Project(_) => unreachable!(),
            })
            .collect();
        assert_eq!(
            edges,
            [
                ("pkg:npm/%40s/b@1.0.0".into(), "pkg:npm/c@1.0.0".into()),
                ("pkg:npm/a@1.0.0".into(), "pkg:npm/c@2.0.0".into())
            ]
        );
        assert!(
            purl(4).starts_with("pkg:npm/g@abc123?vcs_url="),
            "{}",
            purl(4)
        );
        assert_eq!(c.projects[0].deps.len(), 2);
        assert_eq!(segments("a/@s/b/c"), ["a", "@s/b", "c"]);
    }

    #[test]
    fn the_root_and_workspaces_are_first_party() {
        // A package depending on the root package (a plugin of the monorepo, say).
        let text = r#"{"lockfileVersion": 1, "workspaces": {"": {"name": "r"}, "p": {"name": "p"}},
          "packages": {
            "r": ["r@root:", {}],
            "p": ["p@workspace:p"],
            "x": ["x@1.0.0", "", {"dependencies": {"r": "*", "p": "*"}}, "sha512-AAAA"],
          }}"#;
        let c = run(text).unwrap();
        let purls: Vec<String> = c
            .packages
            .iter()
            .map(|p| p.component.purl.to_string())
            .collect();
        assert_eq!(purls, ["pkg:npm/x@1.0.0"]);
        assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
    }

    #[test]
    fn malformed() {
        assert!(run("").is_err());
        assert!(run("{\"packages\": {}}").is_err());
        assert!(run("{\"lockfileVersion\": 1, \"packages\": {\"a\": [")
            .unwrap_err()
            .line()
            .is_some());
        let c = run(r#"{"lockfileVersion": 1, "packages": {"a": [3], "b": ["b@1.0.0", "", {"dependencies": {"zz": "1"}}]}}"#).unwrap();
        assert_eq!(c.diagnostics.len(), 2, "{:?}", c.diagnostics);
    }
}
