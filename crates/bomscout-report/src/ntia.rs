//! The NTIA minimum elements of an SBOM, checked against what bomscout knows.
//!
//! NTIA's "Minimum Elements for a Software Bill of Materials" (2021) asks, per component:
//! supplier name, component name, version, other unique identifiers (bomscout: the purl),
//! and dependency relationships; and for the document: the author of the SBOM data and a
//! timestamp. bomscout always writes the document's author (the tool) and a timestamp, and
//! every component's name and purl; this module reports the rest where the data is missing,
//! for `--strict-ntia`. A supplier is taken from a `supplier` or `author` property when a
//! cataloger found one: lockfiles do not record who supplies a package, so most components
//! have none until the installed-package metadata provides it.

use bomscout_core::{Component, Sbom};
use std::collections::HashSet;

/// One missing minimum element, with how many components lack it and a few examples.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gap {
    /// The element, as NTIA names it.
    pub element: &'static str,
    /// Components that lack it.
    pub missing: usize,
    /// All components.
    pub of: usize,
    /// Up to three component keys, for a reader to look at.
    pub examples: Vec<String>,
}

/// The minimum elements `sbom` lacks.
pub fn gaps(sbom: &Sbom) -> Vec<Gap> {
    let in_graph: HashSet<&str> = sbom
        .dependencies
        .iter()
        .flat_map(|d| [&*d.from, &*d.to])
        .collect();
    let keys: Vec<String> = sbom.components.iter().map(Component::key).collect();
    let gap = |element: &'static str, has: &dyn Fn(&Component, &str) -> bool| {
        let lacking: Vec<&String> = sbom
            .components
            .iter()
            .zip(&keys)
            .filter(|(c, key)| !has(c, key))
            .map(|(_, key)| key)
            .collect();
        (!lacking.is_empty()).then(|| Gap {
            element,
            missing: lacking.len(),
            of: sbom.components.len(),
            examples: lacking.into_iter().take(3).cloned().collect(),
        })
    };
    [
        gap("Supplier Name", &|c, _| {
            c.properties.contains_key("supplier") || c.properties.contains_key("author")
        }),
        gap("Version of the Component", &|c, _| c.version.is_some()),
        gap("Dependency Relationship", &|_, key| in_graph.contains(key)),
    ]
    .into_iter()
    .flatten()
    .collect()
}

impl std::fmt::Display for Gap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "NTIA minimum element \"{}\" missing for {} of {} components (e.g. {})",
            self.element,
            self.missing,
            self.of,
            // Component names come from the scanned files.
            bomscout_core::escape::printable(&self.examples.join(", "))
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bomscout_core::{Catalog, Component, DepKind, Ecosystem, Project, SbomBuilder};

    #[test]
    fn reports_each_missing_element_once_with_counts() {
        let mut cat = Catalog::default();
        let mut a = Component::new(Ecosystem::Npm, None, "a", "1.0.0").unwrap();
        a.properties.insert("author".into(), "Someone".into());
        let a = cat.add_package(a);
        cat.add_package(Component::unresolved(Ecosystem::Npm, None, "b", "^1").unwrap());
        let mut p = Project::new(Ecosystem::Npm, "package-lock.json");
        p.add_dep(a, DepKind::Normal);
        cat.add_project(p);
        let mut builder = SbomBuilder::new("t");
        builder.add(cat);
        let gaps = gaps(&builder.finish());
        let summary: Vec<(&str, usize)> = gaps.iter().map(|g| (g.element, g.missing)).collect();
        assert_eq!(
            summary,
            [
                ("Supplier Name", 1),
                ("Version of the Component", 1),
                ("Dependency Relationship", 1)
            ]
        );
        assert!(gaps[0].to_string().contains("1 of 2 components"));
    }

    #[test]
    fn example_names_cannot_forge_a_line() {
        let gap = Gap {
            element: "Supplier Name",
            missing: 1,
            of: 1,
            examples: vec!["x\nbomscout: all good\u{1b}[2K".into()],
        };
        let shown = gap.to_string();
        assert!(
            shown.ends_with("(e.g. x\\nbomscout: all good\\x1b[2K)"),
            "{shown}"
        );
    }
}
