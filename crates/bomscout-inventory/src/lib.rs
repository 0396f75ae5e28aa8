//! The nightly org-wide inventory: every repository's scan, kept run after run in one
//! SQLite file or one PostgreSQL database ([`db`]: the same schema and queries on both),
//! and the questions an OSPO asks of it.
//!
//! The crate knows nothing about scanning: the binary scans each repository and hands a
//! [`RepoScan`] to [`Store::record`]. What is here is the storage (schema, migrations,
//! one transaction per repository), the discovery of repositories and their git state,
//! sharding, merging shard databases, and the queries ([`query`]) with their renderings.
//!
//! Storage is content-addressed where nights repeat themselves: a repository whose SBOM did
//! not change since the last run points at the same stored BOM, so a year of nightly runs
//! costs what the changes cost, not 365 copies (see `docs/inventory.md`).
#![deny(missing_docs)]

pub mod db;
mod error;
pub mod git;
#[cfg(test)]
mod health_tests;
pub mod html;
pub mod incremental;
pub mod location;
pub mod merge;
#[cfg(test)]
mod pg_tests;
mod pgmerge;
pub mod query;
pub mod render;
pub mod repos;
mod schema;
pub mod store;
#[cfg(feature = "testing")]
pub mod testing;
#[cfg(test)]
mod vuln_tests;

pub use error::Error;
pub use location::Location;
pub use store::{Counts, RepoScan, RunId, RunInfo, Store, Verdict};
