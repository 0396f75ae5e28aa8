//! CocoaPods: `Podfile.lock` (YAML). `PODS` lists every pod as `Name (version)`, with its
//! dependencies nested under it; a subspec `Firebase/Core (10.0.0)` is the pod `Firebase`
//! with the subspec as the purl's subpath (one component per pod and version: subspecs of
//! one pod merge). `DEPENDENCIES` are the Podfile's direct dependencies. `SPEC CHECKSUMS`
//! (SHA-1 of the podspec) are kept as the property `podspec-sha1`; `EXTERNAL SOURCES` and
//! `CHECKOUT OPTIONS` mark pods from git or local paths (a local `:path` pod is
//! first-party). purls are `pkg:cocoapods/<Name>@<version>`.

use crate::{Input, ParseError};
use bomscout_core::{
    Catalog, Cataloger, Component, DepKind, Diagnostic, Ecosystem, Location, NodeRef, Project,
};
use serde_norway::Value;
use std::collections::{BTreeMap, HashMap, HashSet};

/// Parses one `Podfile.lock`.
pub fn parse(_cataloger: Cataloger, input: &Input) -> Result<Catalog, ParseError> {
    let text = crate::text::utf8(input.bytes)?;
    let doc: Value = serde_norway::from_str(text).map_err(|e| crate::text::yaml_error(&e))?;
    let pods = doc
        .get("PODS")
        .and_then(Value::as_sequence)
        .ok_or_else(|| ParseError::format("not a Podfile.lock: no PODS"))?;
    let local: HashSet<String> = doc
        .get("EXTERNAL SOURCES")
        .and_then(Value::as_mapping)
        .map(|m| {
            m.iter()
                .filter(|(_, v)| v.get(":path").is_some())
                .filter_map(|(k, _)| k.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let checksums: HashMap<String, String> = doc
        .get("SPEC CHECKSUMS")
        .and_then(Value::as_mapping)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| Some((k.as_str()?.to_string(), v.as_str()?.to_string())))
                .collect()
        })
        .unwrap_or_default();
    let mut catalog = Catalog::default();
    let mut nodes: HashMap<String, NodeRef> = HashMap::new();
    let mut edges: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for entry in pods {
        let (spec, deps) = match entry {
            Value::String(s) => (s.as_str(), Vec::new()),
            Value::Mapping(m) => match m.iter().next() {
                Some((k, v)) => (
                    k.as_str().unwrap_or_default(),
                    v.as_sequence()
                        .map(|s| s.iter().filter_map(Value::as_str).map(pod_name).collect())
                        .unwrap_or_default(),
                ),
                None => continue,
            },
            _ => continue,
        };
        let Some((full, version)) = spec
            .split_once(" (")
            .map(|(n, v)| (n, v.trim_end_matches(')')))
        else {
            catalog.diagnostics.push(Diagnostic::warning(
                input.path,
                format!("{spec:?} is not `Name (version)`"),
            ));
            continue;
        };
        let name = pod_name(full);
        edges.entry(name.clone()).or_default().extend(deps);
        if nodes.contains_key(&name) || local.contains(&name) {
            continue;
        }
        let line = text
            .find(&format!("- {spec}"))
            .map(|o| crate::text::line_of(text, o))
            .unwrap_or(1);
        match Component::new(Ecosystem::Cocoapods, None, &name, version) {
            Ok(mut c) => {
                if let Some(sum) = checksums.get(&name) {
                    c.properties.insert("podspec-sha1".into(), sum.clone());
                }
                nodes.insert(
                    name,
                    catalog.add_package(c.at(Location::at_line(input.path, line))),
                );
            }
            Err(e) => catalog
                .diagnostics
                .push(Diagnostic::warning(input.path, format!("{spec}: {e}")).at_line(line)),
        }
    }
    for (from, deps) in &edges {
        let Some(&f) = nodes.get(from) else { continue };
        let mut seen = HashSet::new();
        for d in deps {
            if let Some(&t) = nodes.get(d).filter(|t| **t != f) {
                if seen.insert(d.clone()) {
                    catalog.add_edge(f, t, DepKind::Normal);
                }
            }
        }
    }
    let mut project = Project::new(Ecosystem::Cocoapods, input.path);
    let mut seen = HashSet::new();
    for d in doc
        .get("DEPENDENCIES")
        .and_then(Value::as_sequence)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
    {
        let name = pod_name(d);
        if let Some(&to) = nodes.get(&name) {
            if seen.insert(name) {
                project.add_dep(to, DepKind::Normal);
            }
        }
    }
    catalog.add_project(project);
    Ok(catalog)
}

/// `Firebase/Core (= 10.0)` → `Firebase`.
fn pod_name(spec: &str) -> String {
    let name = spec.split(" (").next().unwrap_or(spec).trim();
    name.split('/')
        .next()
        .unwrap_or(name)
        .trim_matches('"')
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse_str;

    #[test]
    fn pods_subspecs_and_dependencies() {
        let text = "PODS:\n  - Alamofire (5.8.1)\n  - Firebase/Core (10.18.0):\n    - Firebase/CoreOnly\n    - FirebaseAnalytics (~> 10.18.0)\n  - Firebase/CoreOnly (10.18.0):\n    - FirebaseCore (= 10.18.0)\n  - FirebaseAnalytics (10.18.0)\n  - FirebaseCore (10.18.0)\n  - LocalKit (0.1.0)\n\nDEPENDENCIES:\n  - Alamofire (~> 5.8)\n  - Firebase/Core\n  - LocalKit (from `../LocalKit`)\n\nEXTERNAL SOURCES:\n  LocalKit:\n    :path: \"../LocalKit\"\n\nSPEC CHECKSUMS:\n  Alamofire: 3ca42e259043ee0dc5c0cdd76c4bc568b8e42af7\n\nPODFILE CHECKSUM: 0e3e3f1a\n\nCOCOAPODS: 1.14.3\n";
        let c = parse_str(
            |i| parse(Cataloger::PodfileLock, i),
            "ios/Podfile.lock",
            text,
        )
        .unwrap();
        assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
        let purls: Vec<&str> = c
            .packages
            .iter()
            .map(|p| p.component.purl.as_str())
            .collect();
        assert_eq!(
            purls,
            [
                "pkg:cocoapods/Alamofire@5.8.1",
                "pkg:cocoapods/Firebase@10.18.0",
                "pkg:cocoapods/FirebaseAnalytics@10.18.0",
                "pkg:cocoapods/FirebaseCore@10.18.0"
            ]
        );
        assert_eq!(
            c.packages[1].deps.len(),
            2,
            "Firebase → FirebaseAnalytics, FirebaseCore"
        );
        assert_eq!(c.projects[0].deps.len(), 2);
        assert_eq!(
            c.packages[0].component.properties["podspec-sha1"],
            "3ca42e259043ee0dc5c0cdd76c4bc568b8e42af7"
        );
    }

    #[test]
    fn malformed() {
        assert!(parse_str(
            |i| parse(Cataloger::PodfileLock, i),
            "Podfile.lock",
            "COCOAPODS: 1\n"
        )
        .is_err());
        assert!(parse_str(
            |i| parse(Cataloger::PodfileLock, i),
            "Podfile.lock",
            "PODS: [\n"
        )
        .unwrap_err()
        .line()
        .is_some());
        let c = parse_str(
            |i| parse(Cataloger::PodfileLock, i),
            "Podfile.lock",
            "PODS:\n  - NoVersion\n",
        )
        .unwrap();
        assert_eq!(c.diagnostics.len(), 1);
    }
}
