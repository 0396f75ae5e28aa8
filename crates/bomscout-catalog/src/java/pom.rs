//! Maven `pom.xml`: the project, and its dependencies with the versions Maven would use.
//!
//! - **Interpolation**: `${name}` from `<properties>`, `project.*` / `pom.*` coordinates and
//!   the parent's, repeated (bounded) for properties that name properties.
//! - **Inheritance**: the parent is read from `<relativePath>` (default `../pom.xml`)
//!   when the POM there is that parent, else from the local Maven repository when caches
//!   may be read; its properties, managed versions, dependencies and licenses are inherited,
//!   up to [`MAX_PARENTS`] levels. A parent found nowhere is a diagnostic naming it, and the
//!   dependencies it would have versioned stay unresolved: never a guessed version.
//! - **dependencyManagement** supplies missing versions and scopes; `<scope>import</scope>`
//!   BOMs are read from the local repository like parents.
//! - **Scopes**: `compile`/`runtime` are Normal edges, `test` Dev, `provided` and `system`
//!   Normal with the property `maven-scope` (they are on the compile classpath, and a
//!   license gate should see them), `<optional>true</optional>` Optional.
//! - A version range (`[1.0,2.0)`) or an unresolvable `${…}` is an unresolved declaration.
//! - Licenses of dependencies come from their POMs in the local repository (following
//!   their parents there), when caches may be read.

use super::{component, m2};
use crate::xml::Element;
use crate::{Input, ParseError};
use bomscout_core::{Catalog, Component, DepKind, Diagnostic, Ecosystem, License, Project, Purl};
use bomscout_walk::{Tree, DISK};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Parent POMs followed at most.
pub const MAX_PARENTS: usize = 8;

/// A POM with everything it inherits applied.
#[derive(Debug, Default, Clone)]
struct Effective {
    group: Option<String>,
    artifact: Option<String>,
    version: Option<String>,
    props: HashMap<String, String>,
    /// `(group, artifact)` → `(version, scope)`.
    managed: HashMap<(String, String), (Option<String>, Option<String>)>,
    deps: Vec<Dep>,
    licenses: Vec<(String, String)>,
    /// The first ancestor that could not be found, with the line of its `<parent>`.
    missing_parent: Option<(String, u32)>,
    /// Imported BOMs that could not be found, with their lines.
    missing_boms: Vec<(String, u32)>,
}

#[derive(Debug, Clone)]
struct Dep {
    group: String,
    artifact: String,
    version: Option<String>,
    scope: Option<String>,
    optional: bool,
    classifier: Option<String>,
    kind: Option<String>,
    line: u32,
}

/// Where parents and BOMs may be looked up.
struct Sources<'a> {
    m2: Option<&'a Path>,
    /// The scan root: a `relativePath` outside it is not followed.
    root: &'a Path,
    /// The tree the scan root is in (the local repository is only ever the host's).
    tree: &'a dyn Tree,
}

/// Parses one `pom.xml`.
pub fn parse(input: &Input) -> Result<Catalog, ParseError> {
    let text = crate::text::utf8(input.bytes)?;
    let tree = crate::xml::parse(text)?;
    if tree.name != "project" {
        return Err(ParseError::format(format!(
            "not a Maven POM: the root element is <{}>",
            tree.name
        )));
    }
    let m2_root = input.read_caches().then(m2::root).flatten();
    let sources = Sources {
        m2: m2_root.as_deref(),
        root: input.root,
        tree: input.tree,
    };
    let dir = input.abs.parent().map(Path::to_path_buf);
    let pom = effective(&tree, dir.as_deref(), input.path(), &sources, 0);
    Ok(catalog(&pom, input, &sources))
}

fn catalog(pom: &Effective, input: &Input, sources: &Sources) -> Catalog {
    let mut catalog = Catalog::default();
    let mut project = Project::new(Ecosystem::Maven, input.path());
    project.name = pom.artifact.clone();
    project.version = pom.version.clone();
    if let (Some(g), Some(a), Some(v)) = (&pom.group, &pom.artifact, &pom.version) {
        project.purl = Purl::build(Ecosystem::Maven, Some(g), a, Some(v), &[]).ok();
    }
    project.licenses = pom
        .licenses
        .iter()
        .map(|(name, path)| License::declared(name, path, "licenses.license.name"))
        .collect();
    let mut unresolved = 0;
    for dep in &pom.deps {
        let (managed_version, managed_scope) = pom
            .managed
            .get(&(dep.group.clone(), dep.artifact.clone()))
            .cloned()
            .unwrap_or_default();
        let version = dep
            .version
            .clone()
            .or(managed_version)
            .map(|v| interpolate(&v, &pom.props));
        let scope = dep
            .scope
            .clone()
            .or(managed_scope)
            .unwrap_or_else(|| "compile".into());
        if scope == "import" {
            continue;
        }
        let location = input.at_line(dep.line);
        let c = match version.as_deref().filter(|v| is_exact(v)) {
            Some(v) => resolved(dep, v, &scope, sources),
            None => {
                unresolved += 1;
                let requirement = version.unwrap_or_else(|| "(no version)".into());
                Component::unresolved(
                    Ecosystem::Maven,
                    Some(&dep.group),
                    &dep.artifact,
                    &requirement,
                )
                .map_err(|e| e.to_string())
            }
        };
        let c = match c {
            Ok(c) => c,
            Err(e) => {
                catalog.diagnostics.push(
                    Diagnostic::warning(
                        input.path(),
                        format!("{}:{}: {e}", dep.group, dep.artifact),
                    )
                    .at_line(dep.line),
                );
                continue;
            }
        };
        let kind = match (scope.as_str(), dep.optional) {
            (_, true) => DepKind::Optional,
            ("test", _) => DepKind::Dev,
            _ => DepKind::Normal,
        };
        let node = catalog.add_package(c.at(location));
        project.add_dep(node, kind);
    }
    if let (Some((parent, line)), true) = (&pom.missing_parent, unresolved > 0) {
        catalog.diagnostics.push(
            Diagnostic::warning(
                input.path(),
                format!("parent {parent} is not available offline (not at its relativePath, not in the local Maven repository): {unresolved} dependenc{} without a version stay unresolved", if unresolved == 1 { "y" } else { "ies" }),
            )
            .at_line(*line),
        );
    }
    if unresolved > 0 {
        for (bom, line) in &pom.missing_boms {
            catalog.diagnostics.push(
                Diagnostic::warning(
                    input.path(),
                    format!("imported BOM {bom} is not available offline (not in the local Maven repository): the versions it manages stay unresolved"),
                )
                .at_line(*line),
            );
        }
    }
    catalog.add_project(project);
    catalog
}

fn resolved(dep: &Dep, version: &str, scope: &str, sources: &Sources) -> Result<Component, String> {
    let mut qualifiers: Vec<(&str, &str)> = Vec::new();
    if let Some(c) = dep.classifier.as_deref() {
        qualifiers.push(("classifier", c));
    }
    if let Some(t) = dep.kind.as_deref().filter(|t| *t != "jar") {
        qualifiers.push(("type", t));
    }
    let mut c = if qualifiers.is_empty() {
        component(&dep.group, &dep.artifact, version)
    } else {
        Component::with_qualifiers(
            Ecosystem::Maven,
            Some(&dep.group),
            &dep.artifact,
            version,
            &qualifiers,
        )
    }
    .map_err(|e| e.to_string())?;
    if matches!(scope, "provided" | "system" | "runtime") {
        c.properties.insert("maven-scope".into(), scope.to_string());
    }
    if let Some(root) = sources.m2 {
        for (name, path) in repository_licenses(root, &dep.group, &dep.artifact, version) {
            c.add_license(License::declared(&name, &path, "licenses.license.name"));
        }
    }
    Ok(c)
}

/// The licenses a POM in the local repository declares, or its nearest ancestor's there.
fn repository_licenses(
    root: &Path,
    group: &str,
    artifact: &str,
    version: &str,
) -> Vec<(String, String)> {
    let (mut g, mut a, mut v) = (group.to_string(), artifact.to_string(), version.to_string());
    for _ in 0..MAX_PARENTS {
        let Some(path) = m2::pom_path(root, &g, &a, &v) else {
            return Vec::new();
        };
        let Some(tree) = m2::read(&DISK, &path).and_then(|t| crate::xml::parse(&t).ok()) else {
            return Vec::new();
        };
        let shown = format!(
            "~/.m2/repository/{}",
            path.strip_prefix(root).unwrap_or(&path).display()
        );
        let own = licenses(&tree, &shown);
        if !own.is_empty() {
            return own;
        }
        let Some(parent) = tree.child("parent") else {
            return Vec::new();
        };
        match (
            parent.text_at(&["groupId"]),
            parent.text_at(&["artifactId"]),
            parent.text_at(&["version"]),
        ) {
            (Some(pg), Some(pa), Some(pv)) => (g, a, v) = (pg.into(), pa.into(), pv.into()),
            _ => return Vec::new(),
        }
    }
    Vec::new()
}

fn licenses(tree: &Element, shown: &str) -> Vec<(String, String)> {
    tree.child("licenses")
        .map(|l| {
            l.all("license")
                .filter_map(|x| x.text_at(&["name"]).or_else(|| x.text_at(&["url"])))
                .map(|n| (n.to_string(), shown.to_string()))
                .collect()
        })
        .unwrap_or_default()
}

/// The POM `tree` with its ancestors applied.
fn effective(
    tree: &Element,
    dir: Option<&Path>,
    shown: &str,
    sources: &Sources,
    depth: usize,
) -> Effective {
    let parent_ref = tree.child("parent");
    let mut pom = match parent_ref {
        Some(p) if depth < MAX_PARENTS => parent(p, dir, sources, depth),
        _ => Effective::default(),
    };
    let parent_group = pom.group.clone();
    let parent_version = pom.version.clone();
    pom.group = tree
        .text_at(&["groupId"])
        .map(str::to_string)
        .or(parent_group.clone())
        .or_else(|| {
            parent_ref
                .and_then(|p| p.text_at(&["groupId"]))
                .map(str::to_string)
        });
    pom.version = tree
        .text_at(&["version"])
        .map(str::to_string)
        .or(parent_version.clone())
        .or_else(|| {
            parent_ref
                .and_then(|p| p.text_at(&["version"]))
                .map(str::to_string)
        });
    pom.artifact = tree.text_at(&["artifactId"]).map(str::to_string);
    if let Some(props) = tree.child("properties") {
        for p in &props.children {
            pom.props.insert(p.name.clone(), p.text.clone());
        }
    }
    for (k, v) in [
        ("groupId", &pom.group),
        ("artifactId", &pom.artifact),
        ("version", &pom.version),
    ] {
        if let Some(v) = v {
            for prefix in ["project.", "pom.", ""] {
                pom.props.insert(format!("{prefix}{k}"), v.clone());
            }
        }
    }
    if let Some(p) = parent_ref {
        for k in ["groupId", "artifactId", "version"] {
            if let Some(v) = p.text_at(&[k]) {
                pom.props
                    .insert(format!("project.parent.{k}"), v.to_string());
                pom.props.insert(format!("parent.{k}"), v.to_string());
            }
        }
    }
    for dep in deps_of(tree.at(&["dependencyManagement", "dependencies"])) {
        let version = dep.version.as_deref().map(|v| interpolate(v, &pom.props));
        if dep.scope.as_deref() == Some("import") {
            let bom = version.as_deref().zip(sources.m2).and_then(|(v, root)| {
                let bom_path = m2::pom_path(root, &dep.group, &dep.artifact, v)?;
                let tree = m2::read(&DISK, &bom_path).and_then(|t| crate::xml::parse(&t).ok())?;
                Some(effective(
                    &tree,
                    bom_path.parent(),
                    shown,
                    sources,
                    depth + 1,
                ))
            });
            match bom {
                Some(b) => {
                    for (k, v) in b.managed {
                        pom.managed.entry(k).or_insert(v);
                    }
                }
                None => pom.missing_boms.push((
                    format!(
                        "{}:{}:{}",
                        dep.group,
                        dep.artifact,
                        version.as_deref().unwrap_or("?")
                    ),
                    dep.line,
                )),
            }
            continue;
        }
        pom.managed.insert(
            (interpolate(&dep.group, &pom.props), dep.artifact.clone()),
            (version, dep.scope.clone()),
        );
    }
    for dep in deps_of(tree.child("dependencies")) {
        let mut dep = dep;
        dep.group = interpolate(&dep.group, &pom.props);
        dep.artifact = interpolate(&dep.artifact, &pom.props);
        pom.deps.push(dep);
    }
    // A dependency declared again (here, or here over the parent's) replaces the earlier
    // one and takes its place at the end: keep each one's last declaration, in one pass.
    let mut seen = std::collections::HashSet::new();
    let mut deps: Vec<Dep> = std::mem::take(&mut pom.deps)
        .into_iter()
        .rev()
        .filter(|d| seen.insert((d.group.clone(), d.artifact.clone())))
        .collect();
    deps.reverse();
    pom.deps = deps;
    let own = licenses(tree, shown);
    if !own.is_empty() {
        pom.licenses = own;
    }
    pom
}

/// The parent's effective POM: at `relativePath` if that POM is the parent, else from the
/// local repository; or an empty one that remembers what was missing.
fn parent(p: &Element, dir: Option<&Path>, sources: &Sources, depth: usize) -> Effective {
    let (g, a, v) = (
        p.text_at(&["groupId"]),
        p.text_at(&["artifactId"]),
        p.text_at(&["version"]),
    );
    let rel = p
        .child("relativePath")
        .map(|r| r.text.as_str())
        .unwrap_or("../pom.xml");
    if let (Some(dir), false) = (dir, rel.is_empty()) {
        let mut path: PathBuf = dir.join(rel);
        if sources.tree.is_dir(&path) {
            path.push("pom.xml");
        }
        // A path written in the POM: followed only inside the scan root (or, for a POM
        // from the local repository, inside that repository; a repository is only ever
        // read when the scan's tree is the host's disk).
        let allowed = crate::paths::inside_root(sources.tree, sources.root, &path).or_else(|| {
            let m2 = DISK.canonicalize(sources.m2?)?;
            crate::paths::inside_root(&DISK, &m2, &path)
        });
        if let Some(tree) = allowed
            .and_then(|p| m2::read(sources.tree, &p))
            .and_then(|t| crate::xml::parse(&t).ok())
        {
            if tree.text_at(&["artifactId"]) == a {
                return effective(
                    &tree,
                    path.parent(),
                    &path.display().to_string(),
                    sources,
                    depth + 1,
                );
            }
        }
    }
    if let Some(path) = sources
        .m2
        .zip(g.zip(a).zip(v))
        .and_then(|(root, ((g, a), v))| m2::pom_path(root, g, a, v))
    {
        if let Some(tree) = m2::read(&DISK, &path).and_then(|t| crate::xml::parse(&t).ok()) {
            return effective(
                &tree,
                path.parent(),
                &path.display().to_string(),
                sources,
                depth + 1,
            );
        }
    }
    Effective {
        missing_parent: Some((
            format!(
                "{}:{}:{}",
                g.unwrap_or("?"),
                a.unwrap_or("?"),
                v.unwrap_or("?")
            ),
            p.line,
        )),
        ..Effective::default()
    }
}

fn deps_of(list: Option<&Element>) -> Vec<Dep> {
    let Some(list) = list else { return Vec::new() };
    list.all("dependency")
        .filter_map(|d| {
            Some(Dep {
                group: d.text_at(&["groupId"])?.to_string(),
                artifact: d.text_at(&["artifactId"])?.to_string(),
                version: d.text_at(&["version"]).map(str::to_string),
                scope: d.text_at(&["scope"]).map(str::to_string),
                optional: d.text_at(&["optional"]) == Some("true"),
                classifier: d.text_at(&["classifier"]).map(str::to_string),
                kind: d.text_at(&["type"]).map(str::to_string),
                line: d.line,
            })
        })
        .collect()
}

/// Replaces `${name}` from `props`, up to 10 rounds (properties naming properties);
/// unknown names are left as written.
fn interpolate(value: &str, props: &HashMap<String, String>) -> String {
    let mut s = value.to_string();
    for _ in 0..10 {
        let Some(start) = s.find("${") else { break };
        let Some(len) = s.get(start..).and_then(|r| r.find('}')) else {
            break;
        };
        let name = s.get(start + 2..start + len).unwrap_or_default();
        let after = s.get(start + len + 1..).unwrap_or_default();
        let Some(v) = props.get(name) else {
            // Leave it, but look for later ones.
            let rest = interpolate(after, props);
            return format!("{}{rest}", s.get(..start + len + 1).unwrap_or_default());
        };
        s = format!("{}{v}{after}", s.get(..start).unwrap_or_default());
    }
    s
}

/// A pinned version: no range brackets, no unresolved property.
fn is_exact(v: &str) -> bool {
    !v.is_empty() && !v.contains("${") && !v.starts_with(['[', '(']) && !v.contains(',')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse_str;

    const POM: &str = r#"<?xml version="1.0"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>com.example</groupId>
  <artifactId>app</artifactId>
  <version>1.0.0</version>
  <licenses><license><name>Apache License, Version 2.0</name></license></licenses>
  <properties>
    <lib.version>2.1.0</lib.version>
    <alias.version>${lib.version}</alias.version>
  </properties>
  <dependencyManagement>
    <dependencies>
      <dependency><groupId>org.m</groupId><artifactId>managed</artifactId><version>3.0</version><scope>runtime</scope></dependency>
    </dependencies>
  </dependencyManagement>
  <dependencies>
    <dependency><groupId>org.a</groupId><artifactId>lib</artifactId><version>${alias.version}</version></dependency>
    <dependency><groupId>org.m</groupId><artifactId>managed</artifactId></dependency>
    <dependency><groupId>junit</groupId><artifactId>junit</artifactId><version>4.13.2</version><scope>test</scope></dependency>
    <dependency><groupId>org.o</groupId><artifactId>opt</artifactId><version>1</version><optional>true</optional></dependency>
    <dependency><groupId>javax.servlet</groupId><artifactId>servlet-api</artifactId><version>2.5</version><scope>provided</scope></dependency>
    <dependency><groupId>org.r</groupId><artifactId>ranged</artifactId><version>[1.0,2.0)</version></dependency>
    <dependency><groupId>${project.groupId}</groupId><artifactId>sibling</artifactId><version>${project.version}</version><classifier>tests</classifier><type>test-jar</type><scope>test</scope></dependency>
  </dependencies>
</project>
"#;

    #[test]
    fn interpolation_management_scopes_and_ranges() {
        let c = parse_str(parse, "app/pom.xml", POM).unwrap();
        assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
        let got: Vec<(String, DepKind, u32)> = c.projects[0]
            .deps
            .iter()
            .map(|e| match e.to {
                bomscout_core::NodeRef::Package(i) => {
                    let comp = &c.packages[i].component;
                    (
                        comp.purl.to_string(),
                        e.kind,
                        comp.locations.iter().next().unwrap().line.unwrap(),
                    )
                }
                _ => unreachable!(),
            })
            .collect();
        assert_eq!(
            got,
            [
                ("pkg:maven/org.a/lib@2.1.0".to_string(), DepKind::Normal, 18),
                (
                    "pkg:maven/org.m/managed@3.0".to_string(),
                    DepKind::Normal,
                    19
                ),
                ("pkg:maven/junit/junit@4.13.2".to_string(), DepKind::Dev, 20),
                ("pkg:maven/org.o/opt@1".to_string(), DepKind::Optional, 21),
                (
                    "pkg:maven/javax.servlet/servlet-api@2.5".to_string(),
                    DepKind::Normal,
                    22
                ),
                ("pkg:maven/org.r/ranged".to_string(), DepKind::Normal, 23),
                (
                    "pkg:maven/com.example/sibling@1.0.0?classifier=tests&type=test-jar"
                        .to_string(),
                    DepKind::Dev,
                    24
                ),
            ]
        );
        assert_eq!(c.packages[1].component.properties["maven-scope"], "runtime");
        assert_eq!(
            c.packages[5].component.requirement.as_deref(),
            Some("[1.0,2.0)")
        );
        let p = &c.projects[0];
        assert_eq!(
            p.purl.as_ref().unwrap().as_str(),
            "pkg:maven/com.example/app@1.0.0"
        );
        assert_eq!(p.licenses[0].raw, "Apache License, Version 2.0");
    }

    #[test]
    fn a_missing_parent_is_a_diagnostic_not_a_guess() {
        let text = "<project><parent><groupId>org.springframework.boot</groupId><artifactId>spring-boot-starter-parent</artifactId><version>3.2.0</version></parent>\n<artifactId>x</artifactId><dependencies><dependency><groupId>org.springframework.boot</groupId><artifactId>spring-boot-starter-web</artifactId></dependency></dependencies></project>";
        let c = parse_str(parse, "pom.xml", text).unwrap();
        assert_eq!(
            c.packages[0].component.purl.as_str(),
            "pkg:maven/org.springframework.boot/spring-boot-starter-web"
        );
        assert!(!c.packages[0].component.is_resolved());
        assert_eq!(c.diagnostics.len(), 1);
        assert!(c.diagnostics[0]
            .message
            .contains("spring-boot-starter-parent:3.2.0 is not available offline"));
        assert_eq!(
            c.projects[0].version.as_deref(),
            Some("3.2.0"),
            "the version is inherited from <parent>"
        );
    }

    #[test]
    fn a_relative_path_outside_the_scan_root_is_not_followed() {
        let base = tempfile::tempdir().unwrap();
        let parent = "<project><groupId>org.p</groupId><artifactId>parent</artifactId><version>1</version><properties><x.version>9.9</x.version></properties><dependencyManagement><dependencies><dependency><groupId>org.x</groupId><artifactId>x</artifactId><version>${x.version}</version></dependency></dependencies></dependencyManagement></project>";
        std::fs::write(base.path().join("pom.xml"), parent).unwrap();
        let root = base.path().join("root");
        std::fs::create_dir_all(root.join("app")).unwrap();
        std::fs::write(root.join("pom.xml"), parent).unwrap();
        let child = |rel: &str| {
            format!("<project><parent><groupId>org.p</groupId><artifactId>parent</artifactId><version>1</version><relativePath>{rel}</relativePath></parent><artifactId>app</artifactId><dependencies><dependency><groupId>org.x</groupId><artifactId>x</artifactId></dependency></dependencies></project>")
        };
        let inside = crate::parse_in(parse, &root, "app/pom.xml", &child("../pom.xml")).unwrap();
        assert_eq!(inside.packages[0].component.version.as_deref(), Some("9.9"));
        for rel in [
            "../../pom.xml",
            &base.path().join("pom.xml").display().to_string(),
        ] {
            let c = crate::parse_in(parse, &root, "app/pom.xml", &child(rel)).unwrap();
            assert!(!c.packages[0].component.is_resolved(), "{rel}");
            assert!(c.diagnostics[0].message.contains("not available offline"));
        }
    }

    #[test]
    fn parents_and_licenses_from_a_local_repository() {
        let root = tempfile::tempdir().unwrap();
        let put = |g: &str, a: &str, v: &str, body: &str| {
            let p = m2::pom_path(root.path(), g, a, v).unwrap();
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, format!("<project><groupId>{g}</groupId><artifactId>{a}</artifactId><version>{v}</version>{body}</project>")).unwrap();
        };
        put("org.p", "parent", "1", "<licenses><license><name>MIT</name></license></licenses><properties><x.version>9.9</x.version></properties><dependencyManagement><dependencies><dependency><groupId>org.x</groupId><artifactId>x</artifactId><version>${x.version}</version></dependency></dependencies></dependencyManagement>");
        put("org.x", "x", "9.9", "<parent><groupId>org.p</groupId><artifactId>parent</artifactId><version>1</version></parent>");
        let sources = Sources {
            m2: Some(root.path()),
            root: Path::new("/nonexistent"),
            tree: &DISK,
        };
        let tree = crate::xml::parse("<project><parent><groupId>org.p</groupId><artifactId>parent</artifactId><version>1</version></parent><artifactId>app</artifactId><dependencies><dependency><groupId>org.x</groupId><artifactId>x</artifactId></dependency></dependencies></project>").unwrap();
        let pom = effective(&tree, None, "pom.xml", &sources, 0);
        let options = crate::Options::default();
        let input = Input {
            bytes: b"",
            shared_path: &bomscout_core::SharedStr::from("pom.xml"),
            abs: Path::new("/nonexistent/pom.xml"),
            root: std::path::Path::new("/"),
            options: &options,
            tree: &DISK,
        };
        let c = catalog(&pom, &input, &sources);
        let x = &c.packages[0].component;
        assert_eq!(x.purl.as_str(), "pkg:maven/org.x/x@9.9");
        assert_eq!(
            x.licenses[0].raw, "MIT",
            "inherited from the parent in the repository"
        );
        assert_eq!(c.projects[0].licenses[0].raw, "MIT");
    }

    #[test]
    fn malformed() {
        assert!(parse_str(parse, "pom.xml", "<project><dependencies>")
            .unwrap_err()
            .line()
            .is_some());
        assert!(parse_str(parse, "pom.xml", "<settings/>").is_err());
        let cyclic = "<project><properties><a>${b}</a><b>${a}</b></properties><artifactId>x</artifactId><dependencies><dependency><groupId>g</groupId><artifactId>d</artifactId><version>${a}</version></dependency></dependencies></project>";
        let c = parse_str(parse, "pom.xml", cyclic).unwrap();
        assert!(!c.packages[0].component.is_resolved());
    }
}
