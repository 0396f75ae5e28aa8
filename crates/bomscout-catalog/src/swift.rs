//! Swift Package Manager: `Package.resolved`, versions 1 (`object.pins[]` with `package`,
//! `repositoryURL`) and 2/3 (`pins[]` with `identity`, `kind`, `location`). Each pin's
//! `state` has a `version`, or only a `branch` and `revision`, in which case the revision
//! is the version. purls are `pkg:swift/<host>/<owner>/<repo>@<version>` (namespace = the
//! location's host and path, name = the repository without `.git`); a local
//! (`fileSystem`) pin is first-party. The file records no graph: every pin is a direct
//! Normal dependency of the package.

use crate::{Input, ParseError};
use bomscout_core::{Catalog, Component, DepKind, Diagnostic, Ecosystem, Project};
use serde_json::Value;

/// Parses one `Package.resolved`.
pub fn parse(input: &Input) -> Result<Catalog, ParseError> {
    let doc: Value = serde_json::from_slice(input.bytes)?;
    let strings = crate::text::KeyLines::new(
        std::str::from_utf8(input.bytes).unwrap_or_default(),
        crate::text::quoted_strings,
    );
    let pins = doc
        .get("pins")
        .or_else(|| doc.get("object").and_then(|o| o.get("pins")))
        .and_then(Value::as_array)
        .ok_or_else(|| ParseError::format("not a Package.resolved: no `pins`"))?;
    // The directory holding an Xcode workspace's `…/xcshareddata/swiftpm/Package.resolved`
    // is not the package's; the file's own directory is the best project anchor anyway.
    let mut catalog = Catalog::default();
    let mut project = Project::new(Ecosystem::Swift, input.path());
    for pin in pins {
        let location = pin
            .get("location")
            .or_else(|| pin.get("repositoryURL"))
            .and_then(Value::as_str)
            .unwrap_or_default();
        let line = strings
            .get(location)
            .filter(|_| !location.is_empty())
            .unwrap_or(1);
        if pin.get("kind").and_then(Value::as_str) == Some("fileSystem") {
            continue;
        }
        match component(location, pin.get("state")) {
            Ok(c) => {
                let node = catalog.add_package(c.at(input.at_line(line)));
                project.add_dep(node, DepKind::Normal);
            }
            Err(message) => catalog.diagnostics.push(
                Diagnostic::warning(input.path(), format!("{location}: {message}")).at_line(line),
            ),
        }
    }
    catalog.add_project(project);
    Ok(catalog)
}

fn component(location: &str, state: Option<&Value>) -> Result<Component, String> {
    let s = |k: &str| state.and_then(|s| s.get(k)).and_then(Value::as_str);
    let version = s("version")
        .or_else(|| s("revision"))
        .ok_or("no version or revision")?;
    let (namespace, name) = split_location(location).ok_or("no repository location")?;
    let mut c = Component::new(Ecosystem::Swift, Some(&namespace), &name, version)
        .map_err(|e| e.to_string())?;
    if let (Some(b), None) = (s("branch"), s("version")) {
        c.properties.insert("branch".into(), b.to_string());
    }
    Ok(c)
}

/// `https://github.com/apple/swift-nio.git` → `("github.com/apple", "swift-nio")`; also
/// `git@github.com:apple/swift-nio.git`.
fn split_location(location: &str) -> Option<(String, String)> {
    let rest = location
        .split_once("://")
        .map(|(_, r)| r)
        .unwrap_or(location);
    let rest = rest
        .rsplit_once('@')
        .map(|(_, r)| r)
        .unwrap_or(rest)
        .replacen(':', "/", 1);
    let rest = rest.trim_end_matches('/').trim_end_matches(".git");
    let (ns, name) = rest.rsplit_once('/')?;
    (!ns.is_empty() && !name.is_empty()).then(|| (ns.to_string(), name.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse_str;

    #[test]
    fn versions_1_and_2() {
        let v1 = r#"{"object": {"pins": [{"package": "swift-argument-parser", "repositoryURL": "https://github.com/apple/swift-argument-parser.git", "state": {"branch": null, "revision": "6b2aa2748a7881eebb9f84fb10c01293e15b52ca", "version": "0.5.0"}}]}, "version": 1}"#;
        let c = parse_str(parse, "Package.resolved", v1).unwrap();
        assert_eq!(
            c.packages[0].component.purl.as_str(),
            "pkg:swift/github.com/apple/swift-argument-parser@0.5.0"
        );
        let v2 = r#"{"originHash": "x", "pins": [{"identity": "swift-nio", "kind": "remoteSourceControl", "location": "git@github.com:apple/swift-nio.git", "state": {"branch": "main", "revision": "aaa111"}}, {"identity": "local", "kind": "fileSystem", "location": "/tmp/local", "state": {}}], "version": 3}"#;
        let c = parse_str(parse, "Package.resolved", v2).unwrap();
        assert_eq!(c.packages.len(), 1);
        assert_eq!(
            c.packages[0].component.purl.as_str(),
            "pkg:swift/github.com/apple/swift-nio@aaa111"
        );
        assert_eq!(c.packages[0].component.properties["branch"], "main");
    }

    #[test]
    fn malformed() {
        assert!(parse_str(parse, "Package.resolved", "{}").is_err());
        assert!(parse_str(parse, "Package.resolved", "{\"pins\": [")
            .unwrap_err()
            .line()
            .is_some());
        let c = parse_str(
            parse,
            "Package.resolved",
            r#"{"pins": [{"location": "https://x/y.git", "state": {}}]}"#,
        )
        .unwrap();
        assert_eq!(c.diagnostics.len(), 1);
    }
}
