//! PHP Composer: `composer.lock` and `vendor/composer/installed.json`.
//!
//! `composer.lock` lists `packages` and `packages-dev`; each has `name`
//! (`vendor/package`, the purl's namespace and name), `version` as Composer writes it,
//! `require` (edges; the platform requirements `php`, `ext-*`, `lib-*`, `composer-*-api`
//! are not packages), `license` (an array of alternatives: joined with OR), `dist.shasum`
//! (SHA-1, when not empty) and `source.reference`. The project's direct dependencies come
//! from the `composer.json` beside it (`require` Normal, `require-dev` Dev), read through
//! `Input::abs`; without it, every package is a direct dependency, `packages-dev` ones Dev
//! — Composer puts exactly the dev-only packages there.
//!
//! `installed.json` (Composer 1: an array; Composer 2: `{packages, dev-package-names}`)
//! is what is installed under `vendor/`; the project is the directory holding `vendor/`.

use crate::{Input, ParseError};
use bomscout_core::escape::{quote, QUOTE_LIMIT};
use bomscout_core::{
    Catalog, Component, DepKind, Diagnostic, Ecosystem, Hash, HashAlg, License, NodeRef, Project,
};
use serde_json::{Map, Value};
use std::collections::{HashMap, HashSet};

/// Parses a `composer.lock`.
pub fn parse_lock(input: &Input) -> Result<Catalog, ParseError> {
    lock(&serde_json::from_slice(input.bytes)?, input)
}

/// Parses Composer's record of an installed tree, `vendor/composer/installed.json`.
pub fn parse_installed(input: &Input) -> Result<Catalog, ParseError> {
    installed(&serde_json::from_slice(input.bytes)?, input)
}

fn lock(doc: &Value, input: &Input) -> Result<Catalog, ParseError> {
    let doc = doc
        .as_object()
        .ok_or_else(|| ParseError::format("composer.lock must be a JSON object"))?;
    if !doc.contains_key("packages") {
        return Err(ParseError::format("not a composer.lock: no `packages`"));
    }
    let lines = name_lines(std::str::from_utf8(input.bytes).unwrap_or_default());
    let mut catalog = Catalog::default();
    let mut nodes: HashMap<String, usize> = HashMap::new();
    let mut requires: Vec<(usize, Vec<String>)> = Vec::new();
    let mut dev: HashSet<usize> = HashSet::new();
    for (field, is_dev) in [("packages", false), ("packages-dev", true)] {
        for p in doc
            .get(field)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let Some(p) = p.as_object() else { continue };
            let name = p.get("name").and_then(Value::as_str).unwrap_or_default();
            let line = lines.get(name).unwrap_or(1);
            match component(p, input.path()) {
                Ok(c) => {
                    if let NodeRef::Package(i) = catalog.add_package(c.at(input.at_line(line))) {
                        nodes.insert(name.to_ascii_lowercase(), i);
                        requires.push((i, required(p, "require")));
                        if is_dev {
                            dev.insert(i);
                        }
                    }
                }
                Err(message) => catalog.diagnostics.push(
                    Diagnostic::warning(input.path(), format!("{field}: {message}")).at_line(line),
                ),
            }
        }
    }
    for (from, names) in &requires {
        for n in names {
            if let Some(&to) = nodes.get(&n.to_ascii_lowercase()) {
                catalog.add_edge(
                    NodeRef::Package(*from),
                    NodeRef::Package(to),
                    DepKind::Normal,
                );
            }
        }
    }
    let mut project = Project::new(Ecosystem::Composer, input.path());
    let manifest = crate::text::sibling_bytes(input, "composer.json")
        .and_then(|b| serde_json::from_slice::<Value>(&b).ok());
    match manifest.as_ref().and_then(Value::as_object) {
        Some(m) => {
            project.name = m.get("name").and_then(Value::as_str).map(str::to_string);
            for (field, kind) in [("require", DepKind::Normal), ("require-dev", DepKind::Dev)] {
                for n in required(m, field) {
                    if let Some(&to) = nodes.get(&n.to_ascii_lowercase()) {
                        project.add_dep(NodeRef::Package(to), kind);
                    }
                }
            }
        }
        None => {
            let mut all: Vec<usize> = nodes.values().copied().collect();
            all.sort_unstable();
            for i in all {
                project.add_dep(
                    NodeRef::Package(i),
                    if dev.contains(&i) {
                        DepKind::Dev
                    } else {
                        DepKind::Normal
                    },
                );
            }
        }
    }
    catalog.add_project(project);
    Ok(catalog)
}

fn installed(doc: &Value, input: &Input) -> Result<Catalog, ParseError> {
    let (packages, dev_names): (&[Value], HashSet<String>) = match doc {
        Value::Array(a) => (a, HashSet::new()),
        Value::Object(o) => (
            o.get("packages")
                .and_then(Value::as_array)
                .map(Vec::as_slice)
                .unwrap_or_default(),
            o.get("dev-package-names")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_ascii_lowercase)
                        .collect()
                })
                .unwrap_or_default(),
        ),
        _ => {
            return Err(ParseError::format(
                "installed.json must be an array or an object",
            ))
        }
    };
    // vendor/composer/installed.json → the project is the directory holding vendor/.
    let vendor = crate::paths::dir_of(crate::paths::dir_of(input.path()));
    let project_dir = crate::paths::dir_of(vendor);
    let mut catalog = Catalog::default();
    let mut project = Project::in_dir(Ecosystem::Composer, project_dir, input.path());
    for p in packages {
        let Some(p) = p.as_object() else { continue };
        match component(p, input.path()) {
            Ok(c) => {
                let is_dev = dev_names.contains(&c.display_name().to_ascii_lowercase());
                let node = catalog.add_package(c.at(input.location()));
                project.add_dep(
                    node,
                    if is_dev {
                        DepKind::Dev
                    } else {
                        DepKind::Normal
                    },
                );
            }
            Err(message) => catalog
                .diagnostics
                .push(Diagnostic::warning(input.path(), message)),
        }
    }
    catalog.add_project(project);
    Ok(catalog)
}

fn component(p: &Map<String, Value>, path: &str) -> Result<Component, String> {
    let name = p
        .get("name")
        .and_then(Value::as_str)
        .ok_or("a package without a name")?;
    let version = p
        .get("version")
        .and_then(Value::as_str)
        .ok_or_else(|| format!("{name} has no version"))?;
    let (vendor, package) = name
        .split_once('/')
        .ok_or_else(|| format!("{} is not vendor/package", quote(name, QUOTE_LIMIT)))?;
    let mut c = Component::new(Ecosystem::Composer, Some(vendor), package, version)
        .map_err(|e| format!("{name}: {e}"))?;
    let licenses: Vec<&str> = p
        .get("license")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    if !licenses.is_empty() {
        let expr = if licenses.len() == 1 {
            licenses[0].to_string()
        } else {
            format!("({})", licenses.join(" OR "))
        };
        c.add_license(License::declared(&expr, path, "license"));
    }
    if let Some(sha1) = p
        .get("dist")
        .and_then(|d| d.get("shasum"))
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
    {
        if let Some(h) = Hash::hex(HashAlg::Sha1, sha1) {
            c.add_hash(h);
        }
    }
    if let Some(r) = p
        .get("source")
        .and_then(|s| s.get("reference"))
        .and_then(Value::as_str)
    {
        c.properties
            .insert("source-reference".into(), r.to_string());
    }
    Ok(c)
}

/// Package names a `require` map names, platform requirements left out.
fn required(p: &Map<String, Value>, field: &str) -> Vec<String> {
    p.get(field)
        .and_then(Value::as_object)
        .map(|m| m.keys().filter(|k| k.contains('/')).cloned().collect())
        .unwrap_or_default()
}

/// The line of each package's `"name": "…"`, found once.
fn name_lines(text: &str) -> crate::text::KeyLines<'_> {
    crate::text::KeyLines::new(text, |l| {
        let (key, rest) = crate::text::json_key(l)?;
        (key == "name")
            .then(|| crate::text::quoted_strings(rest).next())
            .flatten()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse_str;

    #[test]
    fn installed_composer_1_and_2() {
        let v2 = r#"{"packages": [{"name": "monolog/monolog", "version": "3.5.0", "license": ["MIT"]}, {"name": "phpunit/phpunit", "version": "10.5.0", "license": ["BSD-3-Clause"]}], "dev": true, "dev-package-names": ["phpunit/phpunit"]}"#;
        let c = parse_str(parse_installed, "app/vendor/composer/installed.json", v2).unwrap();
        assert_eq!(c.projects[0].dir, "app");
        assert_eq!(
            c.projects[0]
                .deps
                .iter()
                .map(|e| e.kind)
                .collect::<Vec<_>>(),
            [DepKind::Normal, DepKind::Dev]
        );
        assert_eq!(
            c.packages[0].component.purl.as_str(),
            "pkg:composer/monolog/monolog@3.5.0"
        );
        let v1 = r#"[{"name": "psr/log", "version": "1.1.4", "license": ["MIT", "Apache-2.0"]}]"#;
        let c = parse_str(parse_installed, "vendor/composer/installed.json", v1).unwrap();
        assert_eq!(
            c.packages[0].component.licenses[0].raw,
            "(MIT OR Apache-2.0)"
        );
        assert_eq!(c.projects[0].dir, ".");
    }

    #[test]
    fn malformed() {
        assert!(parse_str(parse_lock, "composer.lock", "{\"packages\": [")
            .unwrap_err()
            .line()
            .is_some());
        assert!(parse_str(parse_lock, "composer.lock", "[]").is_err());
        let c = parse_str(
            parse_lock,
            "composer.lock",
            r#"{"packages": [{"name": "nover/x"}, {"name": "noslash", "version": "1"}, 3]}"#,
        )
        .unwrap();
        assert_eq!(c.diagnostics.len(), 2);
    }
}
