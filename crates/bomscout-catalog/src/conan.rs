//! C/C++ Conan: `conan.lock`.
//!
//! Conan 2 (`version: "0.5"`): `requires`, `build_requires` and `python_requires` are
//! lists of references `name/version[@user/channel][#recipe-revision[%timestamp]]`; a
//! build requirement is a Build edge (a tool used to build, not linked). Conan 1
//! (`graph_lock.nodes`): node `"0"` is the consumer (the project), other nodes carry a
//! `ref` (or, in the 0.1/0.2 lockfiles of Conan 1.18–1.2x, a `pref` whose recipe part is
//! the reference) and their `requires` / `build_requires` node ids (a list, or in 0.2 an
//! object from reference to id), which give the graph. purls are
//! `pkg:conan/<name>@<version>` with `user`, `channel` and `rrev` qualifiers (purl spec).

use crate::text::KeyLines;
use crate::{Input, ParseError};
use bomscout_core::{Catalog, Component, DepKind, Diagnostic, Ecosystem, NodeRef, Project};
use serde_json::Value;
use std::collections::HashMap;

/// Parses one `conan.lock`.
pub fn parse(input: &Input) -> Result<Catalog, ParseError> {
    let doc: Value = serde_json::from_slice(input.bytes)?;
    let lines = &reference_lines(std::str::from_utf8(input.bytes).unwrap_or_default());
    let mut catalog = Catalog::default();
    let mut project = Project::new(Ecosystem::Conan, input.path());
    if let Some(nodes) = doc
        .get("graph_lock")
        .and_then(|g| g.get("nodes"))
        .and_then(Value::as_object)
    {
        let mut refs: HashMap<&str, NodeRef> = HashMap::new();
        for (id, node) in nodes.iter().filter(|(id, _)| id.as_str() != "0") {
            let Some(r) = node_reference(node) else {
                continue;
            };
            if let Some(n) = add(&mut catalog, r, input, lines) {
                refs.insert(id.as_str(), n);
            }
        }
        for (id, node) in nodes {
            for (field, kind) in [
                ("requires", DepKind::Normal),
                ("build_requires", DepKind::Build),
            ] {
                for dep in node_ids(node.get(field)) {
                    let Some(&to) = refs.get(dep) else { continue };
                    match refs.get(id.as_str()) {
                        Some(&from) => catalog.add_edge(from, to, kind),
                        None if id == "0" => project.add_dep(to, kind),
                        None => {}
                    }
                }
            }
        }
    } else if doc.get("requires").is_some() || doc.get("build_requires").is_some() {
        // A reference can be both a requirement and a build requirement (the same recipe
        // revision in the host and the build context): one component, one edge per kind.
        let mut seen: HashMap<&str, NodeRef> = HashMap::new();
        for (field, kind) in [
            ("requires", DepKind::Normal),
            ("build_requires", DepKind::Build),
            ("python_requires", DepKind::Build),
        ] {
            for r in doc
                .get(field)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
            {
                let key = r.split('%').next().unwrap_or(r);
                let node = match seen.get(key) {
                    Some(&n) => Some(n),
                    None => add(&mut catalog, r, input, lines).inspect(|&n| {
                        seen.insert(key, n);
                    }),
                };
                if let Some(n) = node {
                    project.add_dep_once(n, kind);
                }
            }
        }
    } else {
        return Err(ParseError::format(
            "not a conan.lock: neither `requires` (Conan 2) nor `graph_lock` (Conan 1)",
        ));
    }
    catalog.add_project(project);
    Ok(catalog)
}

/// A Conan 1 node's reference: `ref` (lockfile 0.3+), or the recipe part of `pref`
/// (`name/version@user/channel#rrev:package_id#prev`, lockfiles 0.1 and 0.2 of Conan
/// 1.18–1.2x).
fn node_reference(node: &Value) -> Option<&str> {
    if let Some(r) = node.get("ref").and_then(Value::as_str) {
        return Some(r);
    }
    let pref = node.get("pref").and_then(Value::as_str)?;
    Some(pref.split_once(':').map_or(pref, |(r, _)| r))
}

/// The node ids a Conan 1 `requires` names: a list of ids (0.3+), or an object from
/// reference to id (0.1, 0.2).
fn node_ids(field: Option<&Value>) -> Vec<&str> {
    match field {
        Some(Value::Array(ids)) => ids.iter().filter_map(Value::as_str).collect(),
        Some(Value::Object(by_ref)) => by_ref.values().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

/// The line of each reference, found once: every string of a line, and the recipe part of
/// a Conan 1 `pref` (before its `:`).
fn reference_lines(text: &str) -> KeyLines<'_> {
    KeyLines::new(text, |l| {
        crate::text::quoted_strings(l)
            .flat_map(|s| [Some(s), s.split_once(':').map(|(r, _)| r)])
            .flatten()
    })
}

fn add(catalog: &mut Catalog, reference: &str, input: &Input, lines: &KeyLines) -> Option<NodeRef> {
    let line = lines.get(reference).unwrap_or(1);
    match component(reference) {
        Ok(c) => Some(catalog.add_package(c.at(input.at_line(line)))),
        Err(message) => {
            catalog.diagnostics.push(
                Diagnostic::warning(input.path(), format!("{reference}: {message}")).at_line(line),
            );
            None
        }
    }
}

/// `zlib/1.2.13@user/channel#rrev%1690000000.0`.
fn component(reference: &str) -> Result<Component, String> {
    let (main, rrev) = match reference.split_once('#') {
        Some((m, r)) => (m, Some(r.split('%').next().unwrap_or(r))),
        None => (reference, None),
    };
    let (nv, user_channel) = match main.split_once('@') {
        Some((nv, uc)) => (nv, uc.split_once('/')),
        None => (main, None),
    };
    let (name, version) = nv.split_once('/').ok_or("not name/version")?;
    let mut qualifiers: Vec<(&str, &str)> = Vec::new();
    if let Some((u, c)) = user_channel {
        qualifiers.push(("user", u));
        qualifiers.push(("channel", c));
    }
    if let Some(r) = rrev.filter(|r| !r.is_empty()) {
        qualifiers.push(("rrev", r));
    }
    Component::with_qualifiers(Ecosystem::Conan, None, name, version, &qualifiers)
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse_str;

    #[test]
    fn conan_2_and_1() {
        let v2 = r#"{"version": "0.5", "requires": ["zlib/1.3.1#f52e03ae3d251dec704634230cd806a2%1708593606.497", "openssl/3.2.1@acme/stable#abc"], "build_requires": ["cmake/3.28.1#1fc1b3d2a5f3c9a4b8b2e9b1d0a0f6f1%1"], "python_requires": [], "config_requires": []}"#;
        let c = parse_str(parse, "conan.lock", v2).unwrap();
        let purls: Vec<&str> = c
            .packages
            .iter()
            .map(|p| p.component.purl.as_str())
            .collect();
        assert_eq!(
            purls,
            [
                "pkg:conan/zlib@1.3.1?rrev=f52e03ae3d251dec704634230cd806a2",
                "pkg:conan/openssl@3.2.1?channel=stable&rrev=abc&user=acme",
                "pkg:conan/cmake@3.28.1?rrev=1fc1b3d2a5f3c9a4b8b2e9b1d0a0f6f1"
            ]
        );
        assert_eq!(c.projects[0].deps[2].kind, DepKind::Build);
        // The same reference in `requires` and `build_requires` is one component.
        let both = r#"{"version": "0.5", "requires": ["libiconv/1.17#99%1774021608.288"], "build_requires": ["libiconv/1.17#99%1774021608.288"]}"#;
        let c = parse_str(parse, "conan.lock", both).unwrap();
        assert_eq!(c.packages.len(), 1);
        assert_eq!(
            c.projects[0]
                .deps
                .iter()
                .map(|e| e.kind)
                .collect::<Vec<_>>(),
            [DepKind::Normal, DepKind::Build]
        );
        let v1 = r#"{"graph_lock": {"nodes": {"0": {"ref": "app/1.0", "requires": ["1"], "build_requires": ["2"]}, "1": {"ref": "zlib/1.2.11"}, "2": {"ref": "cmake/3.20.0"}}}, "version": "0.4"}"#;
        let c = parse_str(parse, "conan.lock", v1).unwrap();
        assert_eq!(c.packages.len(), 2);
        assert_eq!(
            c.projects[0]
                .deps
                .iter()
                .map(|e| e.kind)
                .collect::<Vec<_>>(),
            [DepKind::Normal, DepKind::Build]
        );
    }

    #[test]
    fn malformed() {
        assert!(parse_str(parse, "conan.lock", "{}").is_err());
        assert!(parse_str(parse, "conan.lock", "{\"requires\": [")
            .unwrap_err()
            .line()
            .is_some());
        let c = parse_str(parse, "conan.lock", r#"{"requires": ["noversion"]}"#).unwrap();
        assert_eq!(c.diagnostics.len(), 1);
    }

    #[test]
    fn conan_1_lockfile_0_2_with_prefs() {
        // What `conan install` of `[requires] zlib/1.2.11` wrote with Conan 1.21, as shown
        // in Uilian Ries's talk on Conan (uilianries/gitpitch-conan-tretas).
        let lock = r#"{
 "profile_host": "[settings]\narch=x86_64\nos=Linux\n[options]\n[build_requires]\n[env]\n",
 "graph_lock": {
  "nodes": {
   "0": {
    "pref": null,
    "options": "zlib:fPIC=True\nzlib:minizip=False\nzlib:shared=False",
    "requires": {
     "zlib/1.2.11#419994c54789da229ef991be6c2563b3": "1"
    },
    "path": "/tmp/python_requires/conanfile.txt"
   },
   "1": {
    "pref": "zlib/1.2.11#419994c54789da229ef991be6c2563b3:6af9cc7cb931c5ad942174fd7838eb655717c709#4c5a825d90e0aec90feebe62f3e60a7b",
    "options": "fPIC=True\nminizip=False\nshared=False"
   }
  }
 },
 "version": "0.2"
}"#;
        let c = parse_str(parse, "conan.lock", lock).unwrap();
        assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
        assert_eq!(c.packages.len(), 1);
        assert_eq!(
            c.packages[0].component.purl.as_str(),
            "pkg:conan/zlib@1.2.11?rrev=419994c54789da229ef991be6c2563b3"
        );
        assert_eq!(c.projects[0].deps.len(), 1);
    }
}
