//! R: renv's `renv.lock` (JSON). `Packages` maps names to `Package`, `Version`, `Source`
//! (`Repository` with `Repository: CRAN` or a Bioconductor repository, `GitHub` with
//! `RemoteUsername`/`RemoteRepo`/`RemoteSha`, …), `Hash` (MD5 of the package's DESCRIPTION
//! fields, kept as a property: it is not a hash of a downloadable artifact) and the
//! dependency fields (`Requirements` since renv 1.0, else `Depends`/`Imports`/`LinkingTo`):
//! edges to the other locked packages; base R packages (`R`, `methods`, `utils`, …) are not
//! locked and not components. Packages are `pkg:cran/<name>@<version>`; GitHub sources add
//! a `vcs_url` qualifier, Bioconductor ones the property `repository`. renv records no
//! direct/indirect distinction: packages nothing else depends on are the project's direct
//! dependencies.

use crate::{Input, ParseError};
use bomscout_core::{Catalog, Component, DepKind, Diagnostic, Ecosystem, NodeRef, Project};
use serde_json::Value;
use std::collections::{HashMap, HashSet};

/// Parses one `renv.lock`.
pub fn parse(input: &Input) -> Result<Catalog, ParseError> {
    let doc: Value = serde_json::from_slice(input.bytes)?;
    let packages = doc
        .get("Packages")
        .and_then(Value::as_object)
        .ok_or_else(|| ParseError::format("not a renv.lock: no `Packages`"))?;
    let lines =
        crate::text::KeyLines::new(std::str::from_utf8(input.bytes).unwrap_or_default(), |l| {
            crate::text::json_key(l).and_then(|(key, rest)| rest.starts_with('{').then_some(key))
        });
    let mut catalog = Catalog::default();
    let mut nodes: HashMap<&str, usize> = HashMap::new();
    for (key, p) in packages {
        let line = lines.get(key).unwrap_or(1);
        match component(key, p) {
            Ok(c) => {
                if let NodeRef::Package(i) = catalog.add_package(c.at(input.at_line(line))) {
                    nodes.insert(key.as_str(), i);
                }
            }
            Err(message) => catalog
                .diagnostics
                .push(Diagnostic::warning(input.path(), format!("{key}: {message}")).at_line(line)),
        }
    }
    let mut depended: HashSet<usize> = HashSet::new();
    for (key, p) in packages {
        let Some(&from) = nodes.get(key.as_str()) else {
            continue;
        };
        for dep in requirements(p) {
            if let Some(&to) = nodes.get(dep.as_str()) {
                catalog.add_edge(
                    NodeRef::Package(from),
                    NodeRef::Package(to),
                    DepKind::Normal,
                );
                depended.insert(to);
            }
        }
    }
    let mut project = Project::new(Ecosystem::Cran, input.path());
    let mut roots: Vec<usize> = nodes
        .values()
        .copied()
        .filter(|i| !depended.contains(i))
        .collect();
    roots.sort_unstable();
    for i in roots {
        project.add_dep(NodeRef::Package(i), DepKind::Normal);
    }
    catalog.add_project(project);
    Ok(catalog)
}

fn component(key: &str, p: &Value) -> Result<Component, String> {
    let s = |k: &str| p.get(k).and_then(Value::as_str);
    let name = s("Package").unwrap_or(key);
    let version = s("Version").ok_or("no Version")?;
    let mut c = match (
        s("Source"),
        s("RemoteUsername"),
        s("RemoteRepo"),
        s("RemoteSha"),
    ) {
        (Some("GitHub"), Some(user), Some(repo), Some(sha)) => {
            let host = s("RemoteHost")
                .filter(|h| *h != "api.github.com")
                .unwrap_or("github.com");
            Component::with_qualifiers(
                Ecosystem::Cran,
                None,
                name,
                version,
                &[(
                    "vcs_url",
                    &format!("git+https://{host}/{user}/{repo}@{sha}"),
                )],
            )
        }
        _ => Component::new(Ecosystem::Cran, None, name, version),
    }
    .map_err(|e| e.to_string())?;
    if let Some(r) = s("Repository").filter(|r| *r != "CRAN") {
        c.properties.insert("repository".into(), r.to_string());
    }
    if let Some(h) = s("Hash") {
        c.properties.insert("renv-hash".into(), h.to_string());
    }
    Ok(c)
}

/// Package names from `Requirements`, or `Depends`/`Imports`/`LinkingTo` (DESCRIPTION
/// syntax: `pkg (>= 1.0), other`).
fn requirements(p: &Value) -> Vec<String> {
    if let Some(r) = p.get("Requirements").and_then(Value::as_array) {
        return r
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect();
    }
    ["Depends", "Imports", "LinkingTo"]
        .iter()
        .filter_map(|f| p.get(*f))
        .flat_map(|v| match v {
            Value::Array(a) => a
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect::<Vec<_>>(),
            Value::String(s) => s.split(',').map(str::to_string).collect(),
            _ => Vec::new(),
        })
        .map(|d| {
            d.split(['(', ' '])
                .next()
                .unwrap_or_default()
                .trim()
                .to_string()
        })
        .filter(|d| !d.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse_str;

    #[test]
    fn sources_and_requirements() {
        let text = r#"{"R": {"Version": "4.3.0"}, "Packages": {
          "cli": {"Package": "cli", "Version": "3.6.1", "Source": "Repository", "Repository": "CRAN", "Hash": "89e6d8219950eac806ae0c489052048a", "Requirements": ["R", "utils"]},
          "gh": {"Package": "gh", "Version": "1.4.0", "Source": "GitHub", "RemoteType": "github", "RemoteHost": "api.github.com", "RemoteUsername": "r-lib", "RemoteRepo": "gh", "RemoteSha": "abc123", "Imports": "cli (>= 3.0.1), jsonlite"},
          "Biobase": {"Package": "Biobase", "Version": "2.60.0", "Source": "Bioconductor", "Repository": "BioCsoft"}
        }}"#;
        let c = parse_str(parse, "renv.lock", text).unwrap();
        let purls: Vec<String> = c
            .packages
            .iter()
            .map(|p| p.component.purl.to_string())
            .collect();
        assert_eq!(purls[0], "pkg:cran/Biobase@2.60.0");
        assert_eq!(purls[1], "pkg:cran/cli@3.6.1");
        assert!(
            purls[2].starts_with("pkg:cran/gh@1.4.0?vcs_url="),
            "{}",
            purls[2]
        );
        assert_eq!(
            c.packages[2].deps.len(),
            1,
            "gh → cli; jsonlite is not locked"
        );
        assert_eq!(c.projects[0].deps.len(), 2, "Biobase and gh are roots");
    }

    #[test]
    fn malformed() {
        assert!(parse_str(parse, "renv.lock", "{}").is_err());
        assert!(parse_str(parse, "renv.lock", "{\"Packages\": {")
            .unwrap_err()
            .line()
            .is_some());
        let c = parse_str(
            parse,
            "renv.lock",
            r#"{"Packages": {"x": {"Package": "x"}}}"#,
        )
        .unwrap();
        assert_eq!(c.diagnostics.len(), 1);
    }
}
