//! The merged, deduplicated document every writer reads.

use crate::{Component, DepKind, Diagnostic, Ecosystem, License, Purl, SharedStr, Vulnerability};
use serde::Serialize;
use std::collections::BTreeSet;

/// A first-party project in the merged document.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProjectEntry {
    /// Its reference in the document: `project:<ecosystem>:<dir>`.
    pub bom_ref: String,
    /// The ecosystem of its manifests.
    pub ecosystem: Ecosystem,
    /// Its directory relative to the scan root.
    pub dir: String,
    /// Every file that described it (manifest, lockfile).
    pub manifests: BTreeSet<String>,
    /// Its own name, if declared.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Its own version, if declared.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Its purl, if it has a name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub purl: Option<Purl>,
    /// Its own declared licenses.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub licenses: Vec<License>,
}

impl ProjectEntry {
    /// The reference a project gets in a document.
    pub fn make_ref(ecosystem: Ecosystem, dir: &str) -> String {
        format!("project:{ecosystem}:{dir}")
    }

    /// A name for people: the declared name, else the directory.
    pub fn display_name(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.dir)
    }
}

/// A dependency edge between two refs of the document (a project or a component).
///
/// The refs are shared: an organization's document holds tens of thousands of edges
/// naming a few thousand refs, and each edge owned two copies of them.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Dependency {
    /// The dependent's ref.
    pub from: SharedStr,
    /// The dependency's ref.
    pub to: SharedStr,
    /// How it was declared.
    pub kind: DepKind,
}

/// One SBOM: every project and component of a scan, deduplicated by identity.
///
/// Invariants, upheld by [`crate::SbomBuilder`]: component keys are unique; components,
/// projects and dependencies are sorted; every dependency's `from` and `to` name a project
/// or component of this document.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Sbom {
    /// What was scanned (the root's name), used as the document's subject.
    pub name: String,
    /// First-party projects, sorted by ref.
    pub projects: Vec<ProjectEntry>,
    /// Third-party components, sorted by key.
    pub components: Vec<Component>,
    /// Dependency edges, sorted and unique.
    pub dependencies: Vec<Dependency>,
    /// Problems met on the way, sorted.
    pub diagnostics: Vec<Diagnostic>,
    /// Known vulnerabilities of the components, sorted by advisory id; empty unless
    /// advisories were matched.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub vulnerabilities: Vec<Vulnerability>,
}

impl Sbom {
    /// The component with this key, if any (binary search: components are sorted).
    pub fn component(&self, key: &str) -> Option<&Component> {
        self.components
            .binary_search_by(|c| c.key().as_str().cmp(key))
            .ok()
            .map(|i| &self.components[i])
    }

    /// The edges leaving `from`.
    pub fn dependencies_of<'a>(&'a self, from: &'a str) -> impl Iterator<Item = &'a Dependency> {
        let start = self.dependencies.partition_point(|d| &*d.from < from);
        self.dependencies[start..]
            .iter()
            .take_while(move |d| *d.from == *from)
    }

    /// True if any diagnostic is an error (a file could not be used).
    pub fn has_errors(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.severity == crate::Severity::Error)
    }
}

impl Sbom {
    /// The document without dev-scoped components and the edges to them (`--no-dev`).
    ///
    /// Dev components are kept and marked by default; this is the explicit opt-out.
    pub fn without_dev(mut self) -> Sbom {
        let dropped: std::collections::HashSet<String> = self
            .components
            .iter()
            .filter(|c| c.scope == crate::Scope::Dev)
            .map(|c| c.key())
            .collect();
        self.components.retain(|c| c.scope != crate::Scope::Dev);
        self.dependencies
            .retain(|d| !dropped.contains(&*d.from) && !dropped.contains(&*d.to));
        // A finding about a component that is no longer in the document would dangle.
        for v in &mut self.vulnerabilities {
            v.affects.retain(|a| !dropped.contains(&a.component));
        }
        self.vulnerabilities.retain(|v| !v.affects.is_empty());
        self
    }
}
