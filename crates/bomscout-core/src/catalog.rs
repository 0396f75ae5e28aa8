//! What one parser found in one file.

use crate::{Component, Diagnostic, Ecosystem, License, Purl};

/// The kind of a dependency edge, as the manifest declared it.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum DepKind {
    /// An ordinary run-time dependency.
    Normal,
    /// A development/test dependency (npm `devDependencies`, Cargo `[dev-dependencies]`,
    /// Pipfile `develop`, Poetry non-main groups …).
    Dev,
    /// An optional dependency (npm `optionalDependencies`, Python extras, Cargo optional).
    Optional,
    /// An npm peer dependency (installed by npm ≥ 7, so needed at run time).
    Peer,
    /// A build-time dependency (Cargo `[build-dependencies]`, PEP 517 build requires).
    Build,
}

impl DepKind {
    /// The scope a path through an edge of this kind is limited to.
    pub fn scope_cap(self) -> crate::Scope {
        match self {
            DepKind::Dev => crate::Scope::Dev,
            DepKind::Build => crate::Scope::Build,
            DepKind::Optional => crate::Scope::Optional,
            DepKind::Normal | DepKind::Peer => crate::Scope::Required,
        }
    }
}

/// A node of one catalog's graph: an index into [`Catalog::projects`] or [`Catalog::packages`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NodeRef {
    /// A first-party project of this catalog.
    Project(usize),
    /// A third-party package of this catalog.
    Package(usize),
}

/// A dependency edge to another node of the same catalog.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Edge {
    /// The dependency.
    pub to: NodeRef,
    /// How it was declared.
    pub kind: DepKind,
}

/// A first-party project: a directory holding a manifest (a lockfile's root package, a
/// workspace member, a Cargo path member).
///
/// Projects are not third-party components; they are the roots scope is computed from.
/// Catalogs from several files of one directory (e.g. `package.json` and
/// `package-lock.json`) describe the same project and are merged by `(ecosystem, dir)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Project {
    /// The ecosystem of its manifest.
    pub ecosystem: Ecosystem,
    /// Its directory relative to the scan root (`.` for the root itself).
    pub dir: String,
    /// The file that defines it (relative path).
    pub manifest: String,
    /// The project's own name, if its manifest has one.
    pub name: Option<String>,
    /// The project's own version, if its manifest has one.
    pub version: Option<String>,
    /// A purl for the project, if it has a name.
    pub purl: Option<Purl>,
    /// The project's own declared licenses.
    pub licenses: Vec<License>,
    /// Its direct dependencies.
    pub deps: Vec<Edge>,
}

impl Project {
    /// A project defined by `manifest` (relative path); `dir` is derived from it.
    pub fn new(ecosystem: Ecosystem, manifest: &str) -> Project {
        let dir = match manifest.rfind('/') {
            Some(i) => &manifest[..i],
            None => ".",
        };
        Project::in_dir(ecosystem, dir, manifest)
    }

    /// A project in `dir` (relative path, `.` for the root) defined by `manifest`; used
    /// when a file describes a project in another directory (a Cargo workspace member).
    pub fn in_dir(ecosystem: Ecosystem, dir: &str, manifest: &str) -> Project {
        Project {
            ecosystem,
            dir: if dir.is_empty() {
                ".".into()
            } else {
                dir.to_string()
            },
            manifest: manifest.to_string(),
            name: None,
            version: None,
            purl: None,
            licenses: Vec::new(),
            deps: Vec::new(),
        }
    }

    /// Adds a dependency edge.
    pub fn add_dep(&mut self, to: NodeRef, kind: DepKind) {
        self.deps.push(Edge { to, kind });
    }

    /// Adds a dependency edge unless the same one (target and kind) is already there: for
    /// formats that may name one package twice (a port for two platforms, a reference in
    /// two sections).
    pub fn add_dep_once(&mut self, to: NodeRef, kind: DepKind) {
        if !self.deps.iter().any(|e| e.to == to && e.kind == kind) {
            self.add_dep(to, kind);
        }
    }
}

/// A third-party package found in one file, with its edges inside that file's graph.
#[derive(Debug, Clone, PartialEq)]
pub struct Package {
    /// The component. Its `scope` is the parser's hint (e.g. npm's `dev: true`), used only
    /// when no project reaches the package; otherwise scope is computed over the graph.
    pub component: Component,
    /// Its dependencies.
    pub deps: Vec<Edge>,
}

/// Everything one parser found in one file.
///
/// Indices in [`NodeRef`] point into this catalog's own vectors; the builder maps them to
/// document-wide identities.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Catalog {
    /// First-party projects the file defines.
    pub projects: Vec<Project>,
    /// Third-party packages the file lists.
    pub packages: Vec<Package>,
    /// Problems with parts of the file that were skipped.
    pub diagnostics: Vec<Diagnostic>,
}

impl Catalog {
    /// Adds a package and returns its node.
    pub fn add_package(&mut self, component: Component) -> NodeRef {
        self.packages.push(Package {
            component,
            deps: Vec::new(),
        });
        NodeRef::Package(self.packages.len() - 1)
    }

    /// Adds a project and returns its node.
    pub fn add_project(&mut self, project: Project) -> NodeRef {
        self.projects.push(project);
        NodeRef::Project(self.projects.len() - 1)
    }

    /// Adds an edge `from → to`. Does nothing if `from` is out of range.
    pub fn add_edge(&mut self, from: NodeRef, to: NodeRef, kind: DepKind) {
        let edge = Edge { to, kind };
        match from {
            NodeRef::Project(i) => {
                if let Some(p) = self.projects.get_mut(i) {
                    p.deps.push(edge);
                }
            }
            NodeRef::Package(i) => {
                if let Some(p) = self.packages.get_mut(i) {
                    p.deps.push(edge);
                }
            }
        }
    }

    /// The component of a package node.
    pub fn component_mut(&mut self, node: NodeRef) -> Option<&mut Component> {
        match node {
            NodeRef::Package(i) => self.packages.get_mut(i).map(|p| &mut p.component),
            NodeRef::Project(_) => None,
        }
    }
}
