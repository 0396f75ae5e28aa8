//! The JVM: Maven `pom.xml`, Gradle dependency lockfiles and version catalogs, and Java
//! archives (jar, war, ear, …) with the Maven metadata inside them.
//!
//! purls are `pkg:maven/<groupId>/<artifactId>@<version>`, with `type` / `classifier`
//! qualifiers only when they are not the defaults (`jar`, none).

pub mod archive;
pub mod gradle;
mod m2;
pub mod pom;

use bomscout_core::{Component, Ecosystem, PurlError};

/// A resolved Maven component.
pub fn component(group: &str, artifact: &str, version: &str) -> Result<Component, PurlError> {
    Component::new(Ecosystem::Maven, Some(group), artifact, version)
}
