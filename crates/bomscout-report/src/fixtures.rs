//! SBOMs the unit tests share.

use bomscout_core::vuln::{Advisory, AdvisorySource, Affected, Vulnerability};
use bomscout_core::{
    Catalog, Component, DepKind, Diagnostic, Ecosystem, Hash, HashAlg, License, Location, Project,
    Sbom, SbomBuilder, SourceKind, VulnSeverity,
};

/// An organization of `repos` repositories, each with one lockfile of the same few
/// hundred packages (some at another version per repository, some unresolved), so that
/// components carry from one to `repos` occurrences, licenses, hashes and edges; one
/// diagnostic, and one vulnerability over two lines.
pub(crate) fn organization(repos: usize) -> Sbom {
    let mut builder = SbomBuilder::new("org");
    for r in 0..repos {
        let lock = format!("repo-{r}/package-lock.json");
        let mut cat = Catalog::default();
        let mut project = Project::new(Ecosystem::Npm, &lock);
        project.name = Some(format!("app-{r}"));
        let mut previous = None;
        for p in 0..300 {
            let version = if p % 7 == 0 {
                format!("1.{r}.0")
            } else {
                "2.0.0".into()
            };
            let name = format!("pkg-{p}");
            let mut c = Component::new(Ecosystem::Npm, None, &name, &version)
                .expect("a valid name")
                .at(Location::at_line(lock.as_str(), (p * 10 + 3) as u32));
            let raw = if p % 5 == 0 {
                "MIT OR Apache-2.0"
            } else {
                "ISC\nline"
            };
            c.add_license(License::of_kind(
                raw,
                &lock,
                "license",
                SourceKind::Declared,
            ));
            if p % 3 == 0 {
                let hex = format!("{:02x}", p % 256).repeat(64);
                c.add_hash(Hash::hex(HashAlg::Sha512, &hex).expect("a valid digest"));
            }
            let node = cat.add_package(c);
            if let Some(prev) = previous {
                cat.add_edge(prev, node, DepKind::Normal);
            }
            if p % 50 == 0 {
                project.add_dep(node, DepKind::Normal);
            }
            previous = Some(node);
        }
        let range = Component::unresolved(Ecosystem::Npm, None, "left-pad", "^1.3.0")
            .expect("a valid name")
            .at(Location::at_line(format!("repo-{r}/package.json"), 9));
        let range = cat.add_package(range);
        project.add_dep(range, DepKind::Dev);
        cat.add_project(project);
        builder.add(cat);
    }
    builder.diagnostic(Diagnostic::warning("repo-0/yarn.lock", "unreadable\nhere"));
    let mut sbom = builder.finish();
    let affected = sbom
        .components
        .iter()
        .filter(|c| c.name == "pkg-7")
        .map(|c| Affected {
            component: c.key(),
            version: c.version.clone().unwrap_or_default(),
            fixed: Some("9.0.0".into()),
            suppressed: None,
        })
        .collect();
    sbom.vulnerabilities.push(Vulnerability {
        advisory: Advisory {
            aliases: ["CVE-2099-0001".to_string()].into(),
            summary: Some("A flaw\nover two lines".into()),
            ..Advisory::new(
                "GHSA-xxxx-yyyy-zzzz",
                VulnSeverity::High,
                AdvisorySource {
                    name: "OSV".into(),
                    url: None,
                },
            )
        },
        affects: affected,
    });
    sbom
}
