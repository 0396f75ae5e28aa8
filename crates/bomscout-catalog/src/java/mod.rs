//! The JVM: Maven `pom.xml`, Gradle dependency lockfiles and version catalogs, and Java
//! archives (jar, war, ear, …) with the Maven metadata inside them.
//!
//! purls are `pkg:maven/<groupId>/<artifactId>@<version>`, with `type` / `classifier`
//! qualifiers only when they are not the defaults (`jar`, none).

pub mod archive;
pub mod gradle;
mod m2;
pub mod pom;

use crate::{Input, ParseError};
use bomscout_core::{Catalog, Cataloger, Component, Ecosystem, PurlError};

/// Parses one JVM file for `cataloger`.
pub fn parse(cataloger: Cataloger, input: &Input) -> Result<Catalog, ParseError> {
    match cataloger {
        Cataloger::GradleLock => gradle::parse_lockfile(input),
        Cataloger::GradleCatalog => gradle::parse_catalog(input),
        Cataloger::JavaArchive => archive::parse(input),
        _ => pom::parse(input),
    }
}

/// A resolved Maven component.
pub fn component(group: &str, artifact: &str, version: &str) -> Result<Component, PurlError> {
    Component::new(Ecosystem::Maven, Some(group), artifact, version)
}
