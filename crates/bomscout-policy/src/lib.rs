//! The policy gate: a small TOML policy file, evaluated the same way in every repository,
//! with reports a reviewer can act on. Licenses are judged by `[licenses]`, known
//! vulnerabilities (`Sbom::vulnerabilities`) by `[security]`, both into one
//! [`Evaluation`] so `check` fails on either with one report; [`vex`] reads OpenVEX and
//! CycloneDX VEX documents that suppress findings.
//!
//! ```
//! use bomscout_policy::{evaluate, Action, Date, Policy};
//! use bomscout_core::{Catalog, Component, DepKind, Ecosystem, License, Project, SbomBuilder};
//!
//! let policy = Policy::load("builtin:stage1").unwrap();
//! let mut cat = Catalog::default();
//! let mut gpl = Component::new(Ecosystem::Npm, None, "gpl-thing", "1.0.0").unwrap();
//! let mut l = License::declared("GPL-3.0-only", "package-lock.json", "license");
//! l.expression = Some("GPL-3.0-only".into());
//! gpl.add_license(l);
//! let node = cat.add_package(gpl);
//! let mut app = Project::new(Ecosystem::Npm, "package-lock.json");
//! app.add_dep(node, DepKind::Normal);
//! cat.add_project(app);
//! let mut b = SbomBuilder::new("app");
//! b.add(cat);
//! let eval = evaluate(&policy, &b.finish(), Date::parse("2026-11-25").unwrap());
//! assert_eq!(eval.findings[0].verdict, Action::Deny);
//! assert_eq!(eval.exit_code(Action::Deny), 1);
//! ```
#![deny(missing_docs)]

pub mod baseline;
mod cfg;
mod eval;
mod health;
mod matching;
pub mod report;
mod security;
pub mod vex;

pub use cfg::{
    Action, Curation, EnrichPolicy, Entry, Exception, HealthIgnore, HealthPolicy, Ignore, Policy,
    PolicyError, SecurityPolicy, BUILTIN, STARTER,
};
pub use eval::{effective, evaluate, Evaluation, Finding, Outcome, Rule};
pub use health::{HealthFinding, HealthRule, HealthStatus};
pub use matching::{
    compare as compare_versions, in_range, parse_range, scheme_of_purl_type, Cmp, Date,
    PackageMatch,
};
pub use security::{SecurityFinding, SecurityStatus};
