//! .NET: NuGet's `packages.lock.json`, a built application's `*.deps.json`, and the
//! `PackageReference`s of MSBuild project files (`*.csproj`, `*.fsproj`, `*.vbproj`,
//! `Directory.Packages.props`).
//!
//! - `packages.lock.json`: per target framework, packages with `type` `Direct`,
//!   `Transitive`, `CentralTransitive` or `Project` (a sibling project: first-party),
//!   `resolved` version, `contentHash` (base64 SHA-512 of the package) and `dependencies`.
//!   A package in several frameworks is one component; direct ones are edges of the project.
//!   The lock does not say which references are build-time only, so the project files
//!   beside it are read for `PrivateAssets="all"` (those edges are Dev).
//! - `*.deps.json`: `libraries` of `type: package` are NuGet packages (`sha512-…` hashes),
//!   `targets` give the graph; the `project` library is the application itself.
//! - Project files: `<PackageReference Include="X" Version="1.0"/>` (or a `<Version>`
//!   child); a reference without a version takes it from central package management
//!   (`<PackageVersion>` in the nearest `Directory.Packages.props` up the tree, read through
//!   `Input::abs`); `$(Property)` versions from the file's `<PropertyGroup>`;
//!   `PrivateAssets="all"` marks build-time tools and analyzers (Dev: not shipped).
//!   Floating (`1.*`) and range (`[1.0,2.0)`) versions are unresolved declarations.
//!   `<GlobalPackageReference>`s of `Directory.Packages.props` are Dev references of every
//!   project under it.
//!
//! Licenses: none of these files carry one; resolved packages get theirs from NuGet's global
//! packages folder when it is there ([`cache`]).
//!
//! purls are `pkg:nuget/<Id>@<version>` (the id as written).

mod cache;

use crate::xml::Element;
use crate::{Input, ParseError};
use base64::Engine;
use bomscout_core::{
    Catalog, Component, DepKind, Diagnostic, Ecosystem, Hash, HashAlg, NodeRef, Project,
};
use bomscout_walk::Tree;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

/// Parses a NuGet `packages.lock.json`.
pub fn parse_lock(input: &Input) -> Result<Catalog, ParseError> {
    let doc: Value = serde_json::from_slice(input.bytes)?;
    let frameworks = doc
        .get("dependencies")
        .and_then(Value::as_object)
        .ok_or_else(|| ParseError::format("not a packages.lock.json: no `dependencies`"))?;
    let mut catalog = Catalog::default();
    let mut project = Project::new(Ecosystem::Nuget, input.path());
    let cache_root = input.read_caches().then(cache::root).flatten();
    let mut nodes: HashMap<(String, String), NodeRef> = HashMap::new();
    let mut edges: Vec<(NodeRef, Vec<String>)> = Vec::new();
    let mut direct: BTreeMap<(String, String), NodeRef> = BTreeMap::new();
    for packages in frameworks.values().filter_map(Value::as_object) {
        for (id, p) in packages {
            let kind = p
                .get("type")
                .and_then(Value::as_str)
                .unwrap_or("Transitive");
            if kind == "Project" {
                continue;
            }
            let Some(version) = p.get("resolved").and_then(Value::as_str) else {
                catalog.diagnostics.push(Diagnostic::warning(
                    input.path(),
                    format!("{id} has no resolved version"),
                ));
                continue;
            };
            let key = (id.to_ascii_lowercase(), version.to_string());
            let node = match nodes.get(&key) {
                Some(n) => *n,
                None => {
                    let mut c = match Component::new(Ecosystem::Nuget, None, id, version) {
                        Ok(c) => c,
                        Err(e) => {
                            catalog
                                .diagnostics
                                .push(Diagnostic::warning(input.path(), format!("{id}: {e}")));
                            continue;
                        }
                    };
                    if let Some(h) = p
                        .get("contentHash")
                        .and_then(Value::as_str)
                        .and_then(base64_sha512)
                    {
                        c.add_hash(h);
                    }
                    if let Some(root) = &cache_root {
                        add_cached_licenses(&mut c, root, id, version, input, &mut catalog);
                    }
                    let n = catalog.add_package(c.at(input.location()));
                    nodes.insert(key.clone(), n);
                    n
                }
            };
            if kind == "Direct" {
                direct.insert(key, node);
            }
            let deps = p
                .get("dependencies")
                .and_then(Value::as_object)
                .map(|d| d.keys().map(|k| k.to_ascii_lowercase()).collect())
                .unwrap_or_default();
            edges.push((node, deps));
        }
    }
    let by_id: HashMap<String, NodeRef> =
        nodes.iter().map(|((id, _), n)| (id.clone(), *n)).collect();
    for (from, deps) in edges {
        for d in deps {
            if let Some(&to) = by_id.get(&d) {
                if from != to && !catalog_has_edge(&catalog, from, to) {
                    catalog.add_edge(from, to, DepKind::Normal);
                }
            }
        }
    }
    // The lock does not say which direct references are build-time only; the project file
    // beside it does (`PrivateAssets="all"`: analyzers, source generators, build tasks).
    let private = input
        .abs
        .parent()
        .map(|dir| private_references(input.tree, input.root, dir, input.options.max_file_size))
        .unwrap_or_default();
    for ((id, _), node) in direct {
        let kind = if private.contains(&id) {
            DepKind::Dev
        } else {
            DepKind::Normal
        };
        project.add_dep(node, kind);
    }
    catalog.add_project(project);
    Ok(catalog)
}

/// Adds the NuGet global packages folder's license statements for `id@version`.
fn add_cached_licenses(
    c: &mut Component,
    root: &Path,
    id: &str,
    version: &str,
    input: &Input,
    catalog: &mut Catalog,
) {
    let threshold = input.options.license_threshold;
    for message in cache::add_licenses(c, root, id, version, threshold) {
        catalog
            .diagnostics
            .push(Diagnostic::warning(input.path(), message));
    }
}

/// Project files read beside a lock, at most.
const MAX_PROJECT_FILES: usize = 8;

/// The (lower-cased) ids that the project files in `dir` reference with
/// `PrivateAssets="all"`, and the global package references of the nearest
/// `Directory.Packages.props` (which are private by definition). Files over `limit` bytes
/// are not read, nor files outside the scan `root`.
fn private_references(tree: &dyn Tree, root: &Path, dir: &Path, limit: u64) -> HashSet<String> {
    let mut files: Vec<std::path::PathBuf> = tree
        .read_dir(dir)
        .unwrap_or_default()
        .into_iter()
        .map(|e| dir.join(e.name))
        .filter(|p| {
            p.extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| matches!(e, "csproj" | "fsproj" | "vbproj"))
        })
        .collect();
    files.sort();
    files.truncate(MAX_PROJECT_FILES);
    let mut ids: HashSet<String> = nearest_props(tree, root, dir, limit)
        .globals
        .into_iter()
        .map(|(id, _)| id.to_ascii_lowercase())
        .collect();
    for file in files {
        let Some(tree) = read_xml_in_root(tree, root, &file, limit) else {
            continue;
        };
        for r in tree
            .all("ItemGroup")
            .flat_map(|g| g.all("PackageReference"))
        {
            if let (Some(id), true) = (attr(r, "Include"), is_private(r)) {
                ids.insert(id.to_ascii_lowercase());
            }
        }
    }
    ids
}

/// `PrivateAssets="all"`, as an attribute or a child element.
fn is_private(r: &Element) -> bool {
    attr(r, "PrivateAssets")
        .or_else(|| r.text_at(&["PrivateAssets"]))
        .is_some_and(|p| p.trim().eq_ignore_ascii_case("all"))
}

fn catalog_has_edge(catalog: &Catalog, from: NodeRef, to: NodeRef) -> bool {
    match from {
        NodeRef::Package(i) => catalog.packages[i].deps.iter().any(|e| e.to == to),
        NodeRef::Project(_) => false,
    }
}

fn base64_sha512(b64: &str) -> Option<Hash> {
    let bytes = base64::engine::general_purpose::STANDARD.decode(b64).ok()?;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    Hash::hex(HashAlg::Sha512, &hex)
}

/// Parses a built application's `*.deps.json`.
pub fn parse_deps(input: &Input) -> Result<Catalog, ParseError> {
    let doc: Value = serde_json::from_slice(input.bytes)?;
    let libraries = doc
        .get("libraries")
        .and_then(Value::as_object)
        .ok_or_else(|| ParseError::format("not a deps.json: no `libraries`"))?;
    let mut catalog = Catalog::default();
    let mut project = Project::new(Ecosystem::Nuget, input.path());
    let cache_root = input.read_caches().then(cache::root).flatten();
    let mut nodes: HashMap<String, NodeRef> = HashMap::new();
    // The application is the `project` library the file is named after (`App.deps.json`);
    // other `project` libraries are its project references. Without a match, the first.
    let stem = input
        .path()
        .rsplit('/')
        .next()
        .and_then(|f| f.strip_suffix(".deps.json"));
    let mut app: Option<String> = None;
    for (key, lib) in libraries {
        let Some((id, version)) = key.split_once('/') else {
            continue;
        };
        match lib.get("type").and_then(Value::as_str) {
            Some("package") => {}
            Some("project") => {
                if app.is_none() || stem.is_some_and(|s| s.eq_ignore_ascii_case(id)) {
                    app = Some(key.clone());
                    project.name = Some(id.to_string());
                }
                continue;
            }
            _ => continue,
        }
        let mut c = match Component::new(Ecosystem::Nuget, None, id, version) {
            Ok(c) => c,
            Err(e) => {
                catalog
                    .diagnostics
                    .push(Diagnostic::warning(input.path(), format!("{key}: {e}")));
                continue;
            }
        };
        if let Some(h) = lib
            .get("sha512")
            .and_then(Value::as_str)
            .and_then(|s| s.strip_prefix("sha512-"))
            .and_then(base64_sha512)
        {
            c.add_hash(h);
        }
        if let Some(root) = &cache_root {
            add_cached_licenses(&mut c, root, id, version, input, &mut catalog);
        }
        nodes.insert(
            id.to_ascii_lowercase(),
            catalog.add_package(c.at(input.location())),
        );
    }
    let targets = doc.get("targets").and_then(Value::as_object);
    for target in targets
        .into_iter()
        .flat_map(|t| t.values())
        .filter_map(Value::as_object)
    {
        for (key, entry) in target {
            let Some((id, _)) = key.split_once('/') else {
                continue;
            };
            let deps: Vec<String> = entry
                .get("dependencies")
                .and_then(Value::as_object)
                .map(|d| d.keys().map(|k| k.to_ascii_lowercase()).collect())
                .unwrap_or_default();
            let from = if app.as_deref() == Some(key.as_str()) {
                None
            } else {
                nodes.get(&id.to_ascii_lowercase()).copied()
            };
            for d in deps {
                let Some(&to) = nodes.get(&d) else { continue };
                match from {
                    Some(f) if !catalog_has_edge(&catalog, f, to) => {
                        catalog.add_edge(f, to, DepKind::Normal)
                    }
                    Some(_) => {}
                    None => project.add_dep_once(to, DepKind::Normal),
                }
            }
        }
    }
    catalog.add_project(project);
    Ok(catalog)
}

/// Parses an MSBuild project file (`*.csproj`, `*.fsproj`, `*.vbproj`) or a
/// `Directory.Packages.props`.
pub fn parse_project(input: &Input) -> Result<Catalog, ParseError> {
    let text = crate::text::utf8(input.bytes)?;
    let tree = crate::xml::parse(text)?;
    let props = properties(&tree);
    let mut central = central_versions(&tree, &props);
    if input.path().ends_with(".props") {
        // Directory.Packages.props itself declares versions, not references; its global
        // references are packages of every project (added to each project file's graph).
        let mut catalog = Catalog::default();
        references(&tree, &props, &central, input, &mut catalog, None);
        for (id, version, line) in global_references(&tree, &props) {
            add_reference(&id, Some(version), line, input, &mut catalog, None, true);
        }
        return Ok(catalog);
    }
    let mut globals = Vec::new();
    if let Some(dir) = input.abs.parent() {
        let nearest = nearest_props(input.tree, input.root, dir, input.options.max_file_size);
        for (k, v) in nearest.versions {
            central.entry(k).or_insert(v);
        }
        globals = nearest.globals;
    }
    let mut catalog = Catalog::default();
    let mut project = Project::new(Ecosystem::Nuget, input.path());
    project.name = input
        .path()
        .rsplit('/')
        .next()
        .and_then(|n| n.rsplit_once('.'))
        .map(|(n, _)| n.to_string());
    references(
        &tree,
        &props,
        &central,
        input,
        &mut catalog,
        Some(&mut project),
    );
    for (id, version) in globals {
        // Declared in Directory.Packages.props, not here: no line in this file.
        add_reference(
            &id,
            Some(version),
            0,
            input,
            &mut catalog,
            Some(&mut project),
            true,
        );
    }
    catalog.add_project(project);
    Ok(catalog)
}

fn references(
    tree: &Element,
    props: &HashMap<String, String>,
    central: &HashMap<String, String>,
    input: &Input,
    catalog: &mut Catalog,
    mut project: Option<&mut Project>,
) {
    for group in tree.all("ItemGroup") {
        for r in group.all("PackageReference") {
            let Some(id) = attr(r, "Include").or_else(|| attr(r, "Update")) else {
                continue;
            };
            let version = attr(r, "Version")
                .or_else(|| r.text_at(&["Version"]))
                .or_else(|| attr(r, "VersionOverride"))
                .map(|v| interpolate(v, props))
                .or_else(|| central.get(&id.to_ascii_lowercase()).cloned());
            let private = is_private(r);
            add_reference(
                id,
                version,
                r.line,
                input,
                catalog,
                project.as_deref_mut(),
                private,
            );
        }
    }
}

/// Adds one package reference (at `line`, 0 for none) and, with a project, its edge:
/// Dev when the reference is private (build-time only, not shipped).
fn add_reference(
    id: &str,
    version: Option<String>,
    line: u32,
    input: &Input,
    catalog: &mut Catalog,
    project: Option<&mut Project>,
    private: bool,
) {
    let c = match version.as_deref() {
        Some(v) if is_exact(v) => Component::new(
            Ecosystem::Nuget,
            None,
            id,
            v.trim_start_matches('[').trim_end_matches(']'),
        ),
        Some(v) => Component::unresolved(Ecosystem::Nuget, None, id, v),
        None => Component::unresolved(Ecosystem::Nuget, None, id, "(no version)"),
    };
    let location = if line > 0 {
        input.at_line(line)
    } else {
        input.location()
    };
    match c {
        Ok(c) => {
            let node = catalog.add_package(c.at(location));
            if let Some(p) = project {
                p.add_dep(
                    node,
                    if private {
                        DepKind::Dev
                    } else {
                        DepKind::Normal
                    },
                );
            }
        }
        Err(e) => {
            let d = Diagnostic::warning(input.path(), format!("{id}: {e}"));
            catalog
                .diagnostics
                .push(if line > 0 { d.at_line(line) } else { d });
        }
    }
}

fn attr<'a>(e: &'a Element, name: &str) -> Option<&'a str> {
    e.attrs
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// `<PropertyGroup>` values, for `$(Name)` interpolation.
fn properties(tree: &Element) -> HashMap<String, String> {
    tree.all("PropertyGroup")
        .flat_map(|g| g.children.iter())
        .map(|p| (p.name.to_ascii_lowercase(), p.text.clone()))
        .collect()
}

fn interpolate(value: &str, props: &HashMap<String, String>) -> String {
    let mut out = value.to_string();
    for _ in 0..8 {
        let Some(start) = out.find("$(") else { break };
        let Some(len) = out.get(start..).and_then(|s| s.find(')')) else {
            break;
        };
        let name = out.get(start + 2..start + len).unwrap_or_default();
        let Some(v) = props.get(&name.to_ascii_lowercase()) else {
            break;
        };
        let (before, after) = (out.get(..start), out.get(start + len + 1..));
        out = format!(
            "{}{v}{}",
            before.unwrap_or_default(),
            after.unwrap_or_default()
        );
    }
    out
}

/// `<PackageVersion Include="X" Version="1.0"/>` declarations (central package management).
fn central_versions(tree: &Element, props: &HashMap<String, String>) -> HashMap<String, String> {
    tree.all("ItemGroup")
        .flat_map(|g| g.all("PackageVersion"))
        .filter_map(|p| {
            Some((
                attr(p, "Include")?.to_ascii_lowercase(),
                interpolate(attr(p, "Version")?, props),
            ))
        })
        .collect()
}

/// `<GlobalPackageReference Include="X" Version="1.0"/>`: a package every project gets,
/// private by definition (analyzers, versioning tools). `(id, version, line)`.
fn global_references(
    tree: &Element,
    props: &HashMap<String, String>,
) -> Vec<(String, String, u32)> {
    tree.all("ItemGroup")
        .flat_map(|g| g.all("GlobalPackageReference"))
        .filter_map(|r| {
            let version = attr(r, "Version").or_else(|| r.text_at(&["Version"]))?;
            Some((
                attr(r, "Include")?.to_string(),
                interpolate(version, props),
                r.line,
            ))
        })
        .collect()
}

/// What the nearest `Directory.Packages.props` says for the projects under it.
#[derive(Default)]
struct Central {
    /// Lower-cased id → version.
    versions: HashMap<String, String>,
    /// `(id, version)` of its global package references.
    globals: Vec<(String, String)>,
}

/// The nearest `Directory.Packages.props` at or above `dir` (at most 16 levels up, never
/// above the scan `root`) that can be read (at most `limit` bytes) and parsed.
fn nearest_props(tree: &dyn Tree, root: &Path, dir: &Path, limit: u64) -> Central {
    for d in dir.ancestors().take(16) {
        let props = d.join("Directory.Packages.props");
        if let Some(tree) = read_xml_in_root(tree, root, &props, limit) {
            let props = properties(&tree);
            return Central {
                versions: central_versions(&tree, &props),
                globals: global_references(&tree, &props)
                    .into_iter()
                    .map(|(id, v, _)| (id, v))
                    .collect(),
            };
        }
    }
    Central::default()
}

/// The element tree of an XML file in a package cache (a `.nuspec`), if it is there, a
/// regular file of at most `limit` bytes, UTF-8 (a BOM skipped) and well-formed.
fn read_xml(path: &Path, limit: u64) -> Option<Element> {
    let text = crate::text::read_side_file(&bomscout_walk::DISK, path, limit).ok()??;
    crate::xml::parse(&text).ok()
}

/// [`read_xml`] for an MSBuild file of the scanned tree: only inside the scan `root`.
fn read_xml_in_root(tree: &dyn Tree, root: &Path, path: &Path, limit: u64) -> Option<Element> {
    let text = crate::text::read_in_root(tree, root, path, limit).ok()??;
    crate::xml::parse(&text).ok()
}

/// A pinned version: not floating (`*`), not a range (brackets with a comma or open end).
fn is_exact(v: &str) -> bool {
    let v = v.trim();
    !v.is_empty()
        && !v.contains('*')
        && !v.contains(',')
        && !v.contains("$(")
        && !v.starts_with('(')
        && (!v.starts_with('[') || v.ends_with(']'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse_str;

    #[test]
    fn lock_frameworks_types_and_hashes() {
        let text = r#"{"version": 1, "dependencies": {
          "net8.0": {
            "Newtonsoft.Json": {"type": "Direct", "requested": "[13.0.3, )", "resolved": "13.0.3", "contentHash": "HrC5BXdl00IP9zeV+0Z848QWPAoCr9P3bDEZguI+gkLcBKAOxix/tLEAAHC+UvDNPv4a2d18lOReHMOagPa+zQ=="},
            "Serilog": {"type": "Direct", "requested": "[3.1.1, )", "resolved": "3.1.1", "contentHash": "P6G4/4Kt9bT635bhuwdXlJ2SCqqn2nhh4gqFqQueCOr9bK/e7W9ll/IoX1Ter948cV2Z/5+5v8pAfJYUISY03A==", "dependencies": {"System.Diagnostics.DiagnosticSource": "7.0.2"}},
            "System.Diagnostics.DiagnosticSource": {"type": "Transitive", "resolved": "7.0.2", "contentHash": "hYr3I9N9811e0Bjf2WNwAGGyTuAFbbTgX1RPLt/3Wbm68x3IGcX5Cl75CMmgT6WlNwLQ2tCCWfqYPpypjaf2xA=="},
            "MyLib": {"type": "Project"}
          },
          "net6.0": {
            "Newtonsoft.Json": {"type": "Direct", "requested": "[13.0.3, )", "resolved": "13.0.3", "contentHash": "HrC5BXdl00IP9zeV+0Z848QWPAoCr9P3bDEZguI+gkLcBKAOxix/tLEAAHC+UvDNPv4a2d18lOReHMOagPa+zQ=="}
          }}}"#;
        let c = parse_str(parse_lock, "src/App/packages.lock.json", text).unwrap();
        let purls: Vec<&str> = c
            .packages
            .iter()
            .map(|p| p.component.purl.as_str())
            .collect();
        assert_eq!(
            purls,
            [
                "pkg:nuget/Newtonsoft.Json@13.0.3",
                "pkg:nuget/Serilog@3.1.1",
                "pkg:nuget/System.Diagnostics.DiagnosticSource@7.0.2"
            ]
        );
        assert_eq!(c.projects[0].deps.len(), 2);
        assert_eq!(c.packages[1].deps.len(), 1);
        assert_eq!(c.packages[0].component.hashes[0].alg, HashAlg::Sha512);
    }

    #[test]
    fn deps_json_libraries_and_targets() {
        let text = r#"{"runtimeTarget": {"name": ".NETCoreApp,Version=v8.0"}, "targets": {".NETCoreApp,Version=v8.0": {
            "App/1.0.0": {"dependencies": {"Serilog": "3.1.1"}, "runtime": {"App.dll": {}}},
            "Serilog/3.1.1": {"dependencies": {"Tiny": "1.0.0"}},
            "Tiny/1.0.0": {}}},
          "libraries": {"App/1.0.0": {"type": "project", "serviceable": false, "sha512": ""},
            "Serilog/3.1.1": {"type": "package", "serviceable": true, "sha512": "sha512-P6G4/4Kt9bT635bhuwdXlJ2SCqqn2nhh4gqFqQueCOr9bK/e7W9ll/IoX1Ter948cV2Z/5+5v8pAfJYUISY03A==", "path": "serilog/3.1.1"},
            "Tiny/1.0.0": {"type": "package", "sha512": "sha512-P6G4/4Kt9bT635bhuwdXlJ2SCqqn2nhh4gqFqQueCOr9bK/e7W9ll/IoX1Ter948cV2Z/5+5v8pAfJYUISY03A=="}}}"#;
        let c = parse_str(parse_deps, "bin/App.deps.json", text).unwrap();
        assert_eq!(c.packages.len(), 2);
        assert_eq!(c.projects[0].name.as_deref(), Some("App"));
        assert_eq!(c.projects[0].deps.len(), 1);
        assert_eq!(c.packages[0].deps.len(), 1);
        // A project reference sorting before the application does not take its place.
        let with_ref = text.replace(
            r#""libraries": {"#,
            r#""libraries": {"Aaa.Common/1.0.0": {"type": "project", "sha512": ""},"#,
        );
        let c = parse_str(parse_deps, "bin/App.deps.json", &with_ref).unwrap();
        assert_eq!(c.projects[0].name.as_deref(), Some("App"));
        assert_eq!(c.projects[0].deps.len(), 1);
    }

    #[test]
    fn project_files() {
        let text = r#"<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup><SerilogVersion>3.1.1</SerilogVersion></PropertyGroup>
  <ItemGroup>
    <PackageReference Include="Serilog" Version="$(SerilogVersion)" />
    <PackageReference Include="StyleCop.Analyzers" Version="1.1.118" PrivateAssets="all" />
    <PackageReference Include="Floating" Version="2.*" />
    <PackageReference Include="Child">
      <Version>4.0.0</Version>
    </PackageReference>
    <PackageReference Include="Central" />
  </ItemGroup>
</Project>"#;
        let c = parse_str(parse_project, "src/App/App.csproj", text).unwrap();
        let got: Vec<(String, Option<String>)> = c
            .packages
            .iter()
            .map(|p| {
                (
                    p.component.purl.to_string(),
                    p.component.requirement.clone(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("pkg:nuget/Serilog@3.1.1".to_string(), None),
                ("pkg:nuget/StyleCop.Analyzers@1.1.118".to_string(), None),
                ("pkg:nuget/Floating".to_string(), Some("2.*".to_string())),
                ("pkg:nuget/Child@4.0.0".to_string(), None),
                (
                    "pkg:nuget/Central".to_string(),
                    Some("(no version)".to_string())
                ),
            ]
        );
        assert_eq!(c.projects[0].deps[1].kind, DepKind::Dev);
        assert_eq!(c.projects[0].name.as_deref(), Some("App"));
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("Directory.Packages.props"), "<Project><ItemGroup><PackageVersion Include=\"central\" Version=\"9.0.0\" /></ItemGroup></Project>").unwrap();
        std::fs::create_dir_all(dir.path().join("src")).unwrap();
        let abs = dir.path().join("src/App.csproj");
        let options = crate::Options::default();
        let input = Input {
            bytes: text.as_bytes(),
            shared_path: &bomscout_core::SharedStr::from("src/App.csproj"),
            abs: &abs,
            root: std::path::Path::new("/"),
            options: &options,
            tree: &crate::DISK,
        };
        let c = parse_project(&input).unwrap();
        assert_eq!(
            c.packages[4].component.purl.as_str(),
            "pkg:nuget/Central@9.0.0"
        );
    }

    #[test]
    fn msbuild_files_above_the_scan_root_are_not_read() {
        let text =
            "<Project><ItemGroup><PackageReference Include=\"Central\" /></ItemGroup></Project>";
        let base = tempfile::tempdir().unwrap();
        std::fs::write(base.path().join("Directory.Packages.props"), "<Project><ItemGroup><PackageVersion Include=\"central\" Version=\"9.0.0\" /></ItemGroup></Project>").unwrap();
        let root = base.path().join("repo");
        std::fs::create_dir_all(root.join("src")).unwrap();
        let c = crate::parse_in(parse_project, &root, "src/App.csproj", text).unwrap();
        assert_eq!(c.packages[0].component.purl.as_str(), "pkg:nuget/Central");
        let c = crate::parse_in(parse_project, base.path(), "repo/src/App.csproj", text).unwrap();
        assert_eq!(
            c.packages[0].component.purl.as_str(),
            "pkg:nuget/Central@9.0.0",
            "inside the root it is read"
        );
    }

    #[test]
    fn malformed() {
        assert!(parse_str(parse_lock, "packages.lock.json", "{}").is_err());
        assert!(parse_str(parse_deps, "a.deps.json", "{\"targets\": {")
            .unwrap_err()
            .line()
            .is_some());
        assert!(parse_str(parse_project, "a.csproj", "<Project><ItemGroup>").is_err());
    }
}
