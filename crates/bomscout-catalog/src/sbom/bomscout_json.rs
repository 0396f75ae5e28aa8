//! bomscout's own JSON (`-o json`, documented in `docs/json-format.md`) read into a
//! [`Catalog`].
//!
//! The format is the model itself, so nothing is inferred: projects with every manifest,
//! components with their scope, licenses (raw text, expression and evidence as written),
//! hashes, copyrights, notices, locations and properties, and edges with their kinds. Only
//! the `diagnostics` of the scan that wrote it are not read: they describe that scan's
//! files, not the document's content. Unknown fields are ignored, so a later version that
//! only adds fields stays readable; a higher `bomscout_json_version` is refused.

use crate::{Input, ParseError};
use bomscout_core::{
    Catalog, Component, Copyright, DepKind, Ecosystem, Hash, License, Locations, NodeRef,
    NoticeText, Project, Purl, Scope,
};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};

/// The newest `bomscout_json_version` this reader knows (the writer's `JSON_FORMAT_VERSION`).
pub const MAX_VERSION: u32 = 1;

#[derive(Deserialize)]
struct Doc {
    bomscout_json_version: u32,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    projects: Vec<ProjectIn>,
    #[serde(default)]
    components: Vec<ComponentIn>,
    #[serde(default)]
    dependencies: Vec<DependencyIn>,
}

#[derive(Deserialize)]
struct ProjectIn {
    bom_ref: String,
    ecosystem: Ecosystem,
    dir: String,
    #[serde(default)]
    manifests: Vec<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    version: Option<String>,
    #[serde(default)]
    purl: Option<Purl>,
    #[serde(default)]
    licenses: Vec<License>,
}

#[derive(Deserialize)]
struct ComponentIn {
    ecosystem: Ecosystem,
    #[serde(default)]
    namespace: Option<String>,
    name: String,
    #[serde(default)]
    version: Option<String>,
    #[serde(default)]
    requirement: Option<String>,
    purl: Purl,
    #[serde(default)]
    scope: Scope,
    #[serde(default)]
    direct: bool,
    #[serde(default)]
    licenses: Vec<License>,
    #[serde(default)]
    hashes: Vec<Hash>,
    #[serde(default)]
    copyrights: Vec<Copyright>,
    #[serde(default)]
    notices: Vec<NoticeText>,
    #[serde(default)]
    locations: Locations,
    #[serde(default)]
    properties: BTreeMap<String, String>,
    #[serde(default)]
    kind: bomscout_core::ComponentKind,
    #[serde(default)]
    health: Option<Box<bomscout_core::Health>>,
}

#[derive(Deserialize)]
struct DependencyIn {
    from: String,
    to: String,
    kind: DepKind,
}

/// Reads one bomscout JSON document.
pub fn parse(input: &Input) -> Result<Catalog, ParseError> {
    read(input).map(|(catalog, _)| catalog)
}

/// Reads one bomscout JSON document: its catalog and its `name`.
pub(crate) fn read(input: &Input) -> Result<(Catalog, Option<String>), ParseError> {
    let bytes = input
        .bytes
        .strip_prefix(b"\xEF\xBB\xBF")
        .unwrap_or(input.bytes);
    let doc: Doc = serde_json::from_slice(bytes)?;
    if doc.bomscout_json_version > MAX_VERSION {
        return Err(ParseError::format(format!(
            "bomscout JSON version {} was written by a newer bomscout; this one reads up to \
             version {MAX_VERSION}: upgrade bomscout, or convert from CycloneDX or SPDX",
            doc.bomscout_json_version
        )));
    }
    let mut cat = Catalog::default();
    let mut refs: HashMap<String, NodeRef> = HashMap::new();
    for p in doc.projects {
        let mut manifests = p.manifests.into_iter();
        let first = manifests.next().unwrap_or_else(|| input.path().to_string());
        let mut project = Project::in_dir(p.ecosystem, &p.dir, &first);
        project.name = p.name;
        project.version = p.version;
        project.purl = p.purl;
        project.licenses = p.licenses;
        let node = cat.add_project(project);
        // Every other manifest as the same project (the builder merges them by directory).
        for m in manifests {
            cat.add_project(Project::in_dir(p.ecosystem, &p.dir, &m));
        }
        refs.insert(p.bom_ref, node);
    }
    for c in doc.components {
        let component = Component {
            ecosystem: c.ecosystem,
            namespace: c.namespace,
            name: c.name,
            version: c.version,
            requirement: c.requirement,
            purl: c.purl,
            scope: c.scope,
            direct: c.direct,
            licenses: c.licenses,
            hashes: c.hashes,
            copyrights: c.copyrights,
            notices: c.notices,
            locations: c.locations,
            properties: c.properties,
            kind: c.kind,
            health: c.health,
        };
        let key = component.key();
        let node = cat.add_package(component);
        refs.insert(key, node);
    }
    for d in doc.dependencies {
        if let (Some(from), Some(to)) = (refs.get(&d.from), refs.get(&d.to)) {
            cat.add_edge(*from, *to, d.kind);
        }
    }
    Ok((cat, doc.name))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    fn input(text: &str) -> Result<Catalog, ParseError> {
        crate::parse_str(parse, "bom.json", text)
    }

    pub(crate) const DOC: &str = r#"{
  "bomscout_json_version": 1,
  "name": "demo",
  "projects": [{"bom_ref": "project:npm:.", "ecosystem": "npm", "dir": ".",
                "manifests": ["package-lock.json", "package.json"], "name": "app"}],
  "components": [
    {"ecosystem": "npm", "name": "left-pad", "version": "1.3.0",
     "purl": "pkg:npm/left-pad@1.3.0", "scope": "dev", "direct": true,
     "licenses": [{"raw": "WTFPL", "expression": "WTFPL",
                   "source": {"path": "package-lock.json", "field": "license", "kind": "declared"}}],
     "locations": [{"path": "package-lock.json", "line": 7}],
     "properties": {"resolved": "https://registry.example.invalid/left-pad.tgz"}},
    {"ecosystem": "npm", "name": "ms", "requirement": "^2", "purl": "pkg:npm/ms",
     "scope": "required", "direct": true, "locations": [{"path": "package.json"}]}
  ],
  "dependencies": [
    {"from": "project:npm:.", "to": "pkg:npm/left-pad@1.3.0", "kind": "dev"},
    {"from": "project:npm:.", "to": "unresolved:pkg:npm/ms@^2", "kind": "normal"},
    {"from": "project:npm:.", "to": "pkg:npm/nowhere@1", "kind": "normal"}
  ],
  "diagnostics": [],
  "a_later_field": {"ignored": true}
}"#;

    #[test]
    fn the_model_as_written() {
        let (cat, name) = read(&Input {
            bytes: DOC.as_bytes(),
            shared_path: &bomscout_core::SharedStr::from("bom.json"),
            abs: std::path::Path::new("bom.json"),
            root: std::path::Path::new("/"),
            options: &crate::Options::default(),
            tree: &crate::DISK,
        })
        .unwrap();
        assert_eq!(name.as_deref(), Some("demo"));
        assert_eq!(cat.projects.len(), 2, "one entry per manifest");
        let edges: Vec<(NodeRef, DepKind)> = cat.projects[0]
            .deps
            .iter()
            .map(|e| (e.to, e.kind))
            .collect();
        assert_eq!(
            edges,
            [
                (NodeRef::Package(0), DepKind::Dev),
                (NodeRef::Package(1), DepKind::Normal)
            ],
            "an edge to a ref the document lacks is dropped"
        );
        let c = &cat.packages[0].component;
        assert_eq!(c.scope, Scope::Dev);
        assert_eq!(c.licenses[0].source.path, "package-lock.json");
        assert_eq!(c.locations.iter().next().unwrap().line, Some(7));
        assert_eq!(cat.packages[1].component.requirement.as_deref(), Some("^2"));
    }

    #[test]
    fn newer_and_broken_documents_are_errors() {
        let err = input(r#"{"bomscout_json_version": 2}"#).unwrap_err();
        assert!(err.to_string().contains("newer bomscout"), "{err}");
        let err =
            input("{\"bomscout_json_version\": 1,\n\"components\": [{\"name\": 3}]}").unwrap_err();
        assert_eq!(err.line(), Some(2));
    }
}
