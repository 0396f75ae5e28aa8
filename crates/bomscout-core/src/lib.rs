//! The bomscout data model. No I/O lives here.
//!
//! Data flows one way through bomscout: *walk → detect → parse → resolve → license → report*.
//! This crate holds the types every stage shares:
//!
//! - [`Cataloger`]: which parser reads a detected file (the walker picks it, the catalog runs it),
//!   each registered once, with its file patterns and parser, in the table [`catalogers!`].
//! - [`Catalog`]: what one parser found in one file: [`Project`]s, [`Package`]s, edges, diagnostics.
//! - [`Component`]: one third-party package, identified by its [`Purl`].
//! - [`Sbom`]: many catalogs merged by [`SbomBuilder`] into one deduplicated document, with
//!   scope computed over the dependency graph.
//!
//! ```
//! use bomscout_core::{Catalog, Component, DepKind, Ecosystem, Project, SbomBuilder, Scope};
//!
//! let mut catalog = Catalog::default();
//! let lodash = catalog.add_package(Component::new(Ecosystem::Npm, None, "lodash", "4.17.21").unwrap());
//! let mut app = Project::new(Ecosystem::Npm, "app/package-lock.json");
//! app.name = Some("app".into());
//! app.add_dep(lodash, DepKind::Dev);
//! catalog.add_project(app);
//!
//! let mut builder = SbomBuilder::new("app");
//! builder.add(catalog);
//! let sbom = builder.finish();
//! assert_eq!(sbom.components.len(), 1);
//! assert_eq!(sbom.components[0].scope, Scope::Dev);
//! ```
#![deny(missing_docs)]

mod build;
mod catalog;
mod cataloger;
mod component;
mod diagnostic;
mod ecosystem;
pub mod escape;
pub mod health;
mod license;
mod locations;
mod purl;
mod reporter;
mod sbom;
mod shared_str;
pub mod vuln;

pub use build::SbomBuilder;
pub use catalog::{Catalog, DepKind, Edge, NodeRef, Package, Project};
pub use cataloger::{Cataloger, CatalogerKind, Detected, FilePattern};
pub use component::{
    Component, ComponentKind, Copyright, Hash, HashAlg, Location, NoticeText, Scope,
};
pub use diagnostic::{Diagnostic, Severity};
pub use ecosystem::{Ecosystem, OSV_CRATES_ECOSYSTEM};
pub use health::{Health, Scorecard, ScorecardCheck};
pub use license::{License, LicenseSource, SourceKind};
pub use locations::Locations;
pub use purl::{pep503, Purl, PurlError};
pub use reporter::{Reporter, Silent};
pub use sbom::{Dependency, ProjectEntry, Sbom};
pub use shared_str::SharedStr;
pub use vuln::{Advisory, Affected, VulnSeverity, Vulnerability};
