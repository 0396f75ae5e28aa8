//! The builder's merge rules: dedup by purl, scope over the graph, lockfile beats manifest.

use bomscout_core::{
    Catalog, Component, DepKind, Ecosystem, Location, NodeRef, Project, SbomBuilder, Scope,
};

fn npm(name: &str, version: &str, at: &str) -> Component {
    Component::new(Ecosystem::Npm, None, name, version)
        .unwrap()
        .at(Location::new(at))
}

/// app → a (normal) → c ; app → b (dev) → c ; app → d (dev) → e (optional).
fn graph() -> Catalog {
    let mut cat = Catalog::default();
    let a = cat.add_package(npm("a", "1.0.0", "package-lock.json"));
    let b = cat.add_package(npm("b", "1.0.0", "package-lock.json"));
    let c = cat.add_package(npm("c", "1.0.0", "package-lock.json"));
    let d = cat.add_package(npm("d", "1.0.0", "package-lock.json"));
    let e = cat.add_package(npm("e", "1.0.0", "package-lock.json"));
    let mut app = Project::new(Ecosystem::Npm, "package-lock.json");
    app.add_dep(a, DepKind::Normal);
    app.add_dep(b, DepKind::Dev);
    app.add_dep(d, DepKind::Dev);
    cat.add_project(app);
    cat.add_edge(a, c, DepKind::Normal);
    cat.add_edge(b, c, DepKind::Normal);
    cat.add_edge(d, e, DepKind::Optional);
    cat
}

fn scope_of(sbom: &bomscout_core::Sbom, name: &str) -> Scope {
    sbom.components
        .iter()
        .find(|c| c.name == name)
        .unwrap()
        .scope
}

/// app → cmake (build) → zlib ; app → zlib (normal) ; app → bison (build) → m4 ;
/// app → t (dev) → m4 ; app → o (optional) → bison.
#[test]
fn build_tools_are_build_scope_unless_also_needed_at_run_time() {
    let mut cat = Catalog::default();
    let [cmake, zlib, bison, m4, t, o] =
        ["cmake", "zlib", "bison", "m4", "t", "o"].map(|n| cat.add_package(npm(n, "1.0.0", "l")));
    let mut app = Project::new(Ecosystem::Npm, "package-lock.json");
    app.add_dep(cmake, DepKind::Build);
    app.add_dep(zlib, DepKind::Normal);
    app.add_dep(bison, DepKind::Build);
    app.add_dep(t, DepKind::Dev);
    app.add_dep(o, DepKind::Optional);
    cat.add_project(app);
    cat.add_edge(cmake, zlib, DepKind::Normal);
    cat.add_edge(bison, m4, DepKind::Normal);
    cat.add_edge(t, m4, DepKind::Normal);
    cat.add_edge(o, bison, DepKind::Build);
    let mut b = SbomBuilder::new("t");
    b.add(cat);
    let sbom = b.finish();
    assert_eq!(scope_of(&sbom, "cmake"), Scope::Build);
    assert_eq!(
        scope_of(&sbom, "zlib"),
        Scope::Required,
        "also a normal dep"
    );
    assert_eq!(scope_of(&sbom, "bison"), Scope::Build);
    assert_eq!(scope_of(&sbom, "m4"), Scope::Build, "build beats dev");
    assert_eq!(scope_of(&sbom, "o"), Scope::Optional);
}

#[test]
fn scope_is_dev_only_when_every_path_is_dev() {
    let mut b = SbomBuilder::new("t");
    b.add(graph());
    let sbom = b.finish();
    assert_eq!(scope_of(&sbom, "a"), Scope::Required);
    assert_eq!(scope_of(&sbom, "b"), Scope::Dev);
    assert_eq!(
        scope_of(&sbom, "c"),
        Scope::Required,
        "reached via a normal path too"
    );
    assert_eq!(scope_of(&sbom, "d"), Scope::Dev);
    assert_eq!(
        scope_of(&sbom, "e"),
        Scope::Dev,
        "optional below dev is still dev"
    );
}

#[test]
fn directness_comes_from_project_edges() {
    let mut b = SbomBuilder::new("t");
    b.add(graph());
    let sbom = b.finish();
    let direct: Vec<_> = sbom
        .components
        .iter()
        .filter(|c| c.direct)
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(direct, ["a", "b", "d"]);
}

#[test]
fn same_purl_in_two_files_is_one_component_with_two_locations() {
    let mut b = SbomBuilder::new("t");
    b.add(graph());
    let mut other = Catalog::default();
    let c = other.add_package(npm("c", "1.0.0", "other/package-lock.json"));
    let mut p = Project::new(Ecosystem::Npm, "other/package-lock.json");
    p.add_dep(c, DepKind::Dev);
    other.add_project(p);
    b.add(other);
    let sbom = b.finish();
    let cs: Vec<_> = sbom.components.iter().filter(|c| c.name == "c").collect();
    assert_eq!(cs.len(), 1);
    assert_eq!(cs[0].locations.len(), 2);
    assert_eq!(cs[0].scope, Scope::Required);
    assert_eq!(sbom.projects.len(), 2, "each project keeps its own edges");
    assert!(sbom
        .dependencies
        .iter()
        .any(|d| &*d.from == "project:npm:other" && &*d.to == "pkg:npm/c@1.0.0"));
}

#[test]
fn lockfile_supersedes_manifest_range_of_the_same_project() {
    let mut manifest = Catalog::default();
    let decl =
        manifest.add_package(Component::unresolved(Ecosystem::Npm, None, "a", "^1.0.0").unwrap());
    let flask =
        manifest.add_package(Component::unresolved(Ecosystem::Npm, None, "zzz", "^2").unwrap());
    let mut p = Project::new(Ecosystem::Npm, "package.json");
    p.name = Some("app".into());
    p.add_dep(decl, DepKind::Normal);
    p.add_dep(flask, DepKind::Normal);
    manifest.add_project(p);

    let mut b = SbomBuilder::new("t");
    b.add(manifest);
    b.add(graph());
    let sbom = b.finish();
    assert!(sbom
        .components
        .iter()
        .all(|c| c.requirement.as_deref() != Some("^1.0.0")));
    let zzz = sbom.components.iter().find(|c| c.name == "zzz").unwrap();
    assert_eq!(
        zzz.key(),
        "unresolved:pkg:npm/zzz@^2",
        "a name the lock lacks stays, unresolved"
    );
    assert_eq!(sbom.projects.len(), 1);
    assert_eq!(sbom.projects[0].manifests.len(), 2);
    assert_eq!(sbom.projects[0].name.as_deref(), Some("app"));
}

#[test]
fn unreached_packages_keep_the_parsers_scope_hint() {
    let mut cat = Catalog::default();
    let mut c = npm("x", "1.0.0", "node_modules/x/package.json");
    c.scope = Scope::Dev;
    cat.add_package(c);
    let mut b = SbomBuilder::new("t");
    b.add(cat);
    assert_eq!(b.finish().components[0].scope, Scope::Dev);
}

#[test]
fn every_dependency_ref_exists_and_output_is_sorted() {
    let mut b = SbomBuilder::new("t");
    b.add(graph());
    let sbom = b.finish();
    for d in &sbom.dependencies {
        let known =
            |r: &str| sbom.component(r).is_some() || sbom.projects.iter().any(|p| p.bom_ref == r);
        assert!(known(&d.from) && known(&d.to), "{d:?}");
    }
    let keys: Vec<_> = sbom.components.iter().map(Component::key).collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
    let _ = NodeRef::Package(0);
}

#[test]
fn a_declaration_of_a_linked_workspace_sibling_is_not_a_third_party_component() {
    let mut member_b = Catalog::default();
    let decl = member_b
        .add_package(Component::unresolved(Ecosystem::Npm, Some("@fx"), "a", "^0.1.0").unwrap());
    let mut b = Project::new(Ecosystem::Npm, "packages/b/package.json");
    b.add_dep(decl, DepKind::Normal);
    member_b.add_project(b);

    let mut lock = Catalog::default();
    let mut a = Project::in_dir(Ecosystem::Npm, "packages/a", "package-lock.json");
    a.name = Some("@fx/a".into());
    let a = lock.add_project(a);
    let mut b = Project::in_dir(Ecosystem::Npm, "packages/b", "package-lock.json");
    b.add_dep(a, DepKind::Normal);
    lock.add_project(b);

    let mut builder = SbomBuilder::new("t");
    builder.add(member_b);
    builder.add(lock);
    let sbom = builder.finish();
    assert!(sbom.components.is_empty(), "{:?}", sbom.components);
    assert!(sbom
        .dependencies
        .iter()
        .any(|d| &*d.from == "project:npm:packages/b" && &*d.to == "project:npm:packages/a"));
}

#[test]
fn without_dev_drops_the_findings_of_the_components_it_drops() {
    use bomscout_core::vuln::{AdvisorySource, Affected, Vulnerability};
    use bomscout_core::{Advisory, VulnSeverity};
    let mut b = SbomBuilder::new("t");
    b.add(graph());
    let mut sbom = b.finish();
    let key = |name: &str| {
        sbom.components
            .iter()
            .find(|c| c.name == name)
            .unwrap()
            .key()
    };
    let finding = |id: &str, on: &[String]| Vulnerability {
        advisory: Advisory::new(
            id,
            VulnSeverity::High,
            AdvisorySource {
                name: "OSV".into(),
                url: None,
            },
        ),
        affects: on
            .iter()
            .map(|k| Affected {
                component: k.clone(),
                version: "1.0.0".into(),
                fixed: None,
                suppressed: None,
            })
            .collect(),
    };
    let (a, b_dev, d_dev) = (key("a"), key("b"), key("d"));
    sbom.vulnerabilities = vec![
        finding("GHSA-aaaa-aaaa-aaaa", &[a.clone(), b_dev.clone()]),
        finding("GHSA-dddd-dddd-dddd", &[d_dev]),
    ];
    let runtime = sbom.without_dev();
    assert_eq!(runtime.vulnerabilities.len(), 1, "d's finding went with d");
    let kept: Vec<&str> = runtime.vulnerabilities[0]
        .affects
        .iter()
        .map(|x| x.component.as_str())
        .collect();
    assert_eq!(
        kept,
        [a.as_str()],
        "b is dev-only: its half of the finding is gone"
    );
}
