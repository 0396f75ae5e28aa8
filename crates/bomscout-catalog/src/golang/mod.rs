//! Go modules: `go.mod` with the `go.sum` beside it, `vendor/modules.txt`, and (module
//! cache permitting) the license files of each module.
//!
//! **The build list rule.** Since Go 1.17 (`go 1.17` or later in `go.mod`), `go.mod`
//! requires every module that provides a package the main module's build needs, the
//! indirect ones marked `// indirect`: that list is the component list. `go.sum` adds only
//! the `h1:` hash of each (property `go-sum`); its `/go.mod`-only lines are checksums of
//! modules Go merely considered, not packages. For older `go.mod` files, which list only
//! direct requirements, modules with a full-content (`h1:` without `/go.mod`) line in
//! `go.sum` are added as indirect components (property `from`: `go.sum`), at the highest
//! version listed — what minimal version selection picks; this can include a dependency's
//! test-only modules, the same over-approximation Trivy makes.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

pub mod binary;
mod cache;
pub mod go_mod;
pub mod vendor;

use bomscout_core::{Component, Ecosystem, PurlError};

/// `pkg:golang/<path minus last segment>/<last segment>@<version>`.
pub fn component(path: &str, version: &str) -> Result<Component, PurlError> {
    let (namespace, name) = match path.rsplit_once('/') {
        Some((ns, n)) => (Some(ns), n),
        None => (None, path),
    };
    Component::new(Ecosystem::Golang, namespace, name, version)
}

/// Go's version ordering (`v` prefix, pre-releases below releases, pseudo-versions by
/// their timestamps, `+incompatible` ignored), from the shared orderings crate; text that
/// is not a Go version compares as text.
pub fn compare_versions(a: &str, b: &str) -> std::cmp::Ordering {
    bomscout_versions::compare(bomscout_versions::Scheme::Go, a, b).unwrap_or_else(|| a.cmp(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purls_and_versions() {
        let c = component("github.com/spf13/pflag", "v1.0.9").unwrap();
        assert_eq!(c.purl.as_str(), "pkg:golang/github.com/spf13/pflag@v1.0.9");
        let c = component("golang.org/x/sys", "v0.0.0-20220722155257-8c9f86f7a55f").unwrap();
        assert_eq!(
            c.purl.as_str(),
            "pkg:golang/golang.org/x/sys@v0.0.0-20220722155257-8c9f86f7a55f"
        );
        use std::cmp::Ordering::*;
        assert_eq!(compare_versions("v1.10.0", "v1.9.9"), Greater);
        assert_eq!(compare_versions("v1.0.0-rc.1", "v1.0.0"), Less);
        assert_eq!(compare_versions("v2.0.0+incompatible", "v2.0.0"), Equal);
    }
}
