//! Dart and Flutter: `pubspec.lock`.
//!
//! Each package has `dependency` (`direct main`, `direct dev`, `direct overridden`,
//! `transitive`), `source` (`hosted`, `git`, `path`, `sdk`), `version` and a `description`
//! (`sha256` of the archive for hosted packages since Dart 3, `url`/`resolved-ref` for git).
//! Direct main and overridden packages are Normal edges of the project, direct dev ones
//! Dev. The lockfile records no graph, so transitive packages are not attached to a
//! project and keep the default scope: a transitive package used only by dev tools cannot
//! be told apart. SDK packages (`flutter`, `flutter_test`) ship with the SDK and are not
//! components; path packages are first-party.

use crate::{Input, ParseError};
use bomscout_core::{
    Catalog, Cataloger, Component, DepKind, Diagnostic, Ecosystem, Hash, HashAlg, Location, Project,
};
use serde_norway::Value;

/// Parses one `pubspec.lock`.
pub fn parse(_cataloger: Cataloger, input: &Input) -> Result<Catalog, ParseError> {
    let text = crate::text::utf8(input.bytes)?;
    let doc: Value = serde_norway::from_str(text).map_err(|e| crate::text::yaml_error(&e))?;
    let packages = doc
        .get("packages")
        .and_then(Value::as_mapping)
        .ok_or_else(|| ParseError::format("not a pubspec.lock: no `packages`"))?;
    let mut catalog = Catalog::default();
    let mut project = Project::new(Ecosystem::Pub, input.path);
    for (name, p) in packages {
        let Some(name) = name.as_str() else { continue };
        let line = text
            .find(&format!("\n  {name}:"))
            .map(|o| crate::text::line_of(text, o + 1))
            .unwrap_or(1);
        let source = p.get("source").and_then(Value::as_str).unwrap_or("hosted");
        if matches!(source, "sdk" | "path") {
            continue;
        }
        let Some(version) = p.get("version").and_then(Value::as_str) else {
            catalog.diagnostics.push(
                Diagnostic::warning(input.path, format!("{name} has no version")).at_line(line),
            );
            continue;
        };
        let description = p.get("description");
        let result = if source == "git" {
            let url = description
                .and_then(|d| d.get("url"))
                .and_then(Value::as_str)
                .unwrap_or_default();
            let rev = description
                .and_then(|d| d.get("resolved-ref"))
                .and_then(Value::as_str)
                .unwrap_or(version);
            Component::with_qualifiers(
                Ecosystem::Pub,
                None,
                name,
                version,
                &[("vcs_url", &format!("git+{url}@{rev}"))],
            )
        } else {
            Component::new(Ecosystem::Pub, None, name, version)
        };
        let mut c = match result {
            Ok(c) => c,
            Err(e) => {
                catalog
                    .diagnostics
                    .push(Diagnostic::warning(input.path, format!("{name}: {e}")).at_line(line));
                continue;
            }
        };
        if let Some(h) = description
            .and_then(|d| d.get("sha256"))
            .and_then(Value::as_str)
            .and_then(|h| Hash::hex(HashAlg::Sha256, h))
        {
            c.add_hash(h);
        }
        let kind = match p.get("dependency").and_then(Value::as_str) {
            Some("direct main" | "direct overridden") => Some(DepKind::Normal),
            Some("direct dev") => Some(DepKind::Dev),
            _ => None,
        };
        let node = catalog.add_package(c.at(Location::at_line(input.path, line)));
        if let Some(kind) = kind {
            project.add_dep(node, kind);
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
    fn sources_and_kinds() {
        let text = "packages:\n  http:\n    dependency: \"direct main\"\n    description:\n      name: http\n      sha256: \"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\"\n      url: \"https://registry.example.invalid\"\n    source: hosted\n    version: \"1.1.0\"\n  flutter:\n    dependency: \"direct main\"\n    description: flutter\n    source: sdk\n    version: \"0.0.0\"\n  lints:\n    dependency: \"direct dev\"\n    description: {name: lints, url: x}\n    source: hosted\n    version: \"3.0.0\"\n  forked:\n    dependency: transitive\n    description:\n      path: \".\"\n      ref: main\n      resolved-ref: \"abc123\"\n      url: \"https://example.invalid/forked.git\"\n    source: git\n    version: \"0.1.0\"\n  local:\n    dependency: \"direct main\"\n    description: {path: ../local, relative: true}\n    source: path\n    version: \"1.0.0\"\nsdks:\n  dart: \">=3.0.0 <4.0.0\"\n";
        let c = parse_str(|i| parse(Cataloger::PubspecLock, i), "pubspec.lock", text).unwrap();
        let purls: Vec<String> = c
            .packages
            .iter()
            .map(|p| p.component.purl.to_string())
            .collect();
        assert_eq!(purls[..2], ["pkg:pub/http@1.1.0", "pkg:pub/lints@3.0.0"]);
        assert!(purls[2].starts_with("pkg:pub/forked@0.1.0?vcs_url="));
        assert_eq!(
            c.projects[0]
                .deps
                .iter()
                .map(|e| e.kind)
                .collect::<Vec<_>>(),
            [DepKind::Normal, DepKind::Dev]
        );
        assert_eq!(c.packages[0].component.hashes.len(), 1);
    }

    #[test]
    fn malformed() {
        assert!(parse_str(
            |i| parse(Cataloger::PubspecLock, i),
            "pubspec.lock",
            "sdks: {}\n"
        )
        .is_err());
        assert!(parse_str(
            |i| parse(Cataloger::PubspecLock, i),
            "pubspec.lock",
            "packages: [\n"
        )
        .unwrap_err()
        .line()
        .is_some());
        let c = parse_str(
            |i| parse(Cataloger::PubspecLock, i),
            "pubspec.lock",
            "packages:\n  x:\n    source: hosted\n",
        )
        .unwrap();
        assert_eq!(c.diagnostics.len(), 1);
    }
}
