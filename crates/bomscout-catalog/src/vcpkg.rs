//! C/C++ vcpkg: the `vcpkg.json` manifest.
//!
//! `dependencies` are names or objects (`name`, `version>=`, `features`, `platform`,
//! `host: true` for build tools: Build edges); `overrides` pin exact versions. A manifest
//! declares: a dependency pinned by an override is a component at that version, one with
//! only `version>=` or nothing is an unresolved declaration (the registry baseline decides,
//! and it is not read). `builtin-baseline` is kept as a property of each declaration.
//! vcpkg has no purl type of its own; components are `pkg:generic/vcpkg/<name>@<version>`
//! (the namespace says where the port comes from).

use crate::{Input, ParseError};
use bomscout_core::{Catalog, Component, DepKind, Diagnostic, Ecosystem, NodeRef, Project};
use serde_json::Value;
use std::collections::HashMap;

/// Parses one `vcpkg.json`.
pub fn parse(input: &Input) -> Result<Catalog, ParseError> {
    let doc: Value = serde_json::from_slice(input.bytes)?;
    let doc = doc
        .as_object()
        .ok_or_else(|| ParseError::format("vcpkg.json must be a JSON object"))?;
    let strings = crate::text::KeyLines::new(
        std::str::from_utf8(input.bytes).unwrap_or_default(),
        crate::text::quoted_strings,
    );
    let overrides: HashMap<&str, &str> = doc
        .get("overrides")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|o| {
            Some((
                o.get("name")?.as_str()?,
                o.get("version")
                    .or_else(|| o.get("version-string"))
                    .or_else(|| o.get("version-semver"))?
                    .as_str()?,
            ))
        })
        .collect();
    let baseline = doc.get("builtin-baseline").and_then(Value::as_str);
    let mut catalog = Catalog::default();
    let mut project = Project::new(Ecosystem::Generic, input.path());
    project.name = doc.get("name").and_then(Value::as_str).map(str::to_string);
    project.version = doc
        .get("version")
        .or_else(|| doc.get("version-string"))
        .and_then(Value::as_str)
        .map(str::to_string);
    // A port listed twice (for two platforms, or once more as a host tool) is one component.
    let mut seen: HashMap<&str, NodeRef> = HashMap::new();
    for dep in doc
        .get("dependencies")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let (name, minimum, host) = match dep {
            Value::String(s) => (s.as_str(), None, false),
            Value::Object(o) => match o.get("name").and_then(Value::as_str) {
                Some(n) => (
                    n,
                    o.get("version>=").and_then(Value::as_str),
                    o.get("host").and_then(Value::as_bool).unwrap_or(false),
                ),
                None => continue,
            },
            _ => continue,
        };
        let kind = if host {
            DepKind::Build
        } else {
            DepKind::Normal
        };
        if let Some(&node) = seen.get(name) {
            project.add_dep_once(node, kind);
            continue;
        }
        let line = strings.get(name).unwrap_or(1);
        let result = match overrides.get(name) {
            Some(v) => Component::new(Ecosystem::Generic, Some("vcpkg"), name, v),
            None => Component::unresolved(
                Ecosystem::Generic,
                Some("vcpkg"),
                name,
                &minimum
                    .map(|m| format!(">={m}"))
                    .unwrap_or_else(|| "(baseline)".into()),
            ),
        };
        match result {
            Ok(mut c) => {
                if let Some(b) = baseline {
                    c.properties.insert("vcpkg-baseline".into(), b.to_string());
                }
                let node = catalog.add_package(c.at(input.at_line(line)));
                seen.insert(name, node);
                project.add_dep(node, kind);
            }
            Err(e) => catalog
                .diagnostics
                .push(Diagnostic::warning(input.path(), format!("{name}: {e}")).at_line(line)),
        }
    }
    catalog.add_project(project);
    Ok(catalog)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse_str;

    #[test]
    fn dependencies_overrides_and_host_tools() {
        let text = r#"{"name": "app", "version": "1.0.0", "builtin-baseline": "3426db05b996481ca31e95fff3734cf23e0f51bc",
          "dependencies": ["fmt", {"name": "zlib", "version>=": "1.2.13"}, {"name": "vcpkg-cmake", "host": true}],
          "overrides": [{"name": "fmt", "version": "10.1.1"}]}"#;
        let c = parse_str(parse, "vcpkg.json", text).unwrap();
        let got: Vec<(&str, Option<&str>)> = c
            .packages
            .iter()
            .map(|p| {
                (
                    p.component.purl.as_str(),
                    p.component.requirement.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("pkg:generic/vcpkg/fmt@10.1.1", None),
                ("pkg:generic/vcpkg/zlib", Some(">=1.2.13")),
                ("pkg:generic/vcpkg/vcpkg-cmake", Some("(baseline)"))
            ]
        );
        assert_eq!(c.projects[0].deps[2].kind, DepKind::Build);
        // One port listed twice, and once more as a host tool: one component, two edges.
        let text = r#"{"dependencies": ["zstd", {"name": "qtbase", "platform": "linux"}, "zstd",
          {"name": "qtbase", "host": true}, {"name": "qtbase", "platform": "windows"}]}"#;
        let c = parse_str(parse, "vcpkg.json", text).unwrap();
        assert_eq!(c.packages.len(), 2);
        assert_eq!(
            c.projects[0]
                .deps
                .iter()
                .map(|e| e.kind)
                .collect::<Vec<_>>(),
            [DepKind::Normal, DepKind::Normal, DepKind::Build]
        );
    }

    #[test]
    fn malformed() {
        assert!(parse_str(parse, "vcpkg.json", "[]").is_err());
        assert!(parse_str(parse, "vcpkg.json", "{\"dependencies\": [")
            .unwrap_err()
            .line()
            .is_some());
        assert!(
            parse_str(parse, "vcpkg.json", "{\"dependencies\": [3, {}]}")
                .unwrap()
                .packages
                .is_empty()
        );
    }
}
