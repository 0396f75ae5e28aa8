//! Gradle: dependency lockfiles and version catalogs.
//!
//! - `gradle.lockfile` (one file for every configuration) and the older
//!   `gradle/dependency-locks/<configuration>.lockfile`: `group:artifact:version=conf,conf`
//!   lines; `empty=` lists configurations with nothing locked. A dependency is a Normal
//!   edge of the project when a main classpath (`compileClasspath`, `runtimeClasspath`,
//!   `<sourceSet>CompileClasspath`/`RuntimeClasspath` other than tests) locks it: that is
//!   what ships. Locked only by test classpaths or by build tooling (`checkstyle`,
//!   `jacocoAnt`, `sonarlintPlugins`, annotation processors, …) it is a Dev edge. The project is the directory of the build (the
//!   lockfile's, or the one above `gradle/`).
//! - Version catalogs (`gradle/libs.versions.toml`): `[libraries]` with `module = "g:a"` or
//!   `group`/`name`, and `version = "1.0"`, `version.ref = "x"` or a rich
//!   `version = { strictly | require | prefer }`; `[plugins]` as their marker artifact
//!   `<id>:<id>.gradle.plugin`, Build edges: build tooling that does not ship
//!   (version-less plugins are the build's own convention plugins and are left out). A catalog declares, it does not resolve: exact versions
//!   become components, ranges (`[1.0,2.0)`, `1.+`) unresolved declarations.

use super::component;
use crate::{Input, ParseError};
use bomscout_core::escape::{quote, QUOTE_LIMIT};
use bomscout_core::{Catalog, Component, DepKind, Diagnostic, Ecosystem, Project};
use std::collections::BTreeMap;

/// Parses a Gradle dependency lockfile.
pub fn parse_lockfile(input: &Input) -> Result<Catalog, ParseError> {
    let text = crate::text::utf8(input.bytes)?;
    let dir = crate::paths::dir_of(input.path());
    let project_dir = match dir.strip_suffix("gradle/dependency-locks") {
        Some(d) => d.trim_end_matches('/'),
        None => dir,
    };
    let project_dir = if project_dir.is_empty() {
        "."
    } else {
        project_dir
    };
    let legacy_conf = dir.ends_with("dependency-locks").then(|| {
        input
            .path()
            .rsplit('/')
            .next()
            .unwrap_or("")
            .trim_end_matches(".lockfile")
            .to_string()
    });
    let mut catalog = Catalog::default();
    let mut project = Project::in_dir(Ecosystem::Maven, project_dir, input.path());
    for (i, line) in text.lines().enumerate() {
        let line_no = i as u32 + 1;
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with("empty=") {
            continue;
        }
        let (coords, confs) = match line.split_once('=') {
            Some((c, confs)) => (c, confs.to_string()),
            None => (line, legacy_conf.clone().unwrap_or_default()),
        };
        let parts: Vec<&str> = coords.split(':').collect();
        let [g, a, v] = parts.as_slice() else {
            catalog.diagnostics.push(
                Diagnostic::warning(
                    input.path(),
                    format!(
                        "{} is not group:artifact:version",
                        quote(coords, QUOTE_LIMIT)
                    ),
                )
                .at_line(line_no),
            );
            continue;
        };
        let mut c = match component(g, a, v) {
            Ok(c) => c,
            Err(e) => {
                catalog.diagnostics.push(
                    Diagnostic::warning(input.path(), format!("{coords}: {e}")).at_line(line_no),
                );
                continue;
            }
        };
        c.properties
            .insert("gradle-configurations".into(), confs.clone());
        let test_only = !confs.split(',').any(ships);
        let node = catalog.add_package(c.at(input.at_line(line_no)));
        project.add_dep(
            node,
            if test_only {
                DepKind::Dev
            } else {
                DepKind::Normal
            },
        );
    }
    catalog.add_project(project);
    Ok(catalog)
}

/// A main (non-test) compile or runtime classpath: what the built artifact needs. Test
/// source sets are named `test…`, `…Test…` (testFixtures, integrationTest).
fn ships(conf: &str) -> bool {
    let c = conf.trim();
    let classpath = c.ends_with("ompileClasspath") || c.ends_with("untimeClasspath");
    classpath && !c.starts_with("test") && !c.contains("Test")
}

/// Parses a Gradle version catalog.
pub fn parse_catalog(input: &Input) -> Result<Catalog, ParseError> {
    let text = crate::text::utf8(input.bytes)?;
    let doc: toml::Table = crate::nesting::toml(text)?;
    let versions: BTreeMap<String, String> = doc
        .get("versions")
        .and_then(toml::Value::as_table)
        .map(|t| {
            t.iter()
                .filter_map(|(k, v)| Some((k.clone(), rich(v)?)))
                .collect()
        })
        .unwrap_or_default();
    let dir = crate::paths::dir_of(input.path());
    let project_dir = dir
        .strip_suffix("gradle")
        .map(|d| d.trim_end_matches('/'))
        .filter(|d| !d.is_empty())
        .unwrap_or(".");
    let mut catalog = Catalog::default();
    let mut project = Project::in_dir(Ecosystem::Maven, project_dir, input.path());
    let entries = |table: &str| -> Vec<(String, toml::Value)> {
        doc.get(table)
            .and_then(toml::Value::as_table)
            .map(|t| t.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default()
    };
    // The line of each `alias = …` (or `alias=…`), found once.
    let aliases = crate::text::KeyLines::new(text, |l| {
        let end = l.find([' ', '='])?;
        l.get(..end).filter(|a| !a.is_empty())
    });
    for (alias, lib) in entries("libraries") {
        let (coords, version) = match &lib {
            toml::Value::String(s) => {
                let mut p = s.splitn(3, ':');
                let g = p.next().unwrap_or_default();
                let a = p.next().unwrap_or_default();
                ((g.to_string(), a.to_string()), p.next().map(str::to_string))
            }
            toml::Value::Table(t) => {
                let (g, a) = match t.get("module").and_then(toml::Value::as_str) {
                    Some(m) => m
                        .split_once(':')
                        .map(|(g, a)| (g.to_string(), a.to_string()))
                        .unwrap_or_default(),
                    None => (
                        t.get("group")
                            .and_then(toml::Value::as_str)
                            .unwrap_or_default()
                            .to_string(),
                        t.get("name")
                            .and_then(toml::Value::as_str)
                            .unwrap_or_default()
                            .to_string(),
                    ),
                };
                ((g, a), version_of(t, &versions))
            }
            _ => ((String::new(), String::new()), None),
        };
        add(
            &mut catalog,
            &mut project,
            input,
            &aliases,
            &alias,
            &coords.0,
            &coords.1,
            version,
            DepKind::Normal,
        );
    }
    for (alias, plugin) in entries("plugins") {
        let (id, version) = match &plugin {
            toml::Value::String(s) => match s.split_once(':') {
                Some((id, v)) => (id.to_string(), Some(v.to_string())),
                None => (s.clone(), None),
            },
            toml::Value::Table(t) => (
                t.get("id")
                    .and_then(toml::Value::as_str)
                    .unwrap_or_default()
                    .to_string(),
                version_of(t, &versions),
            ),
            _ => (String::new(), None),
        };
        // A plugin without a version is applied from the build itself (an included build's
        // convention plugin, like nowinandroid's `nowinandroid.android.library`) or pinned
        // in settings: nothing third-party to record here.
        if version.is_none() {
            continue;
        }
        let artifact = format!("{id}.gradle.plugin");
        add(
            &mut catalog,
            &mut project,
            input,
            &aliases,
            &alias,
            &id,
            &artifact,
            version,
            // A plugin runs in the build (Gradle's buildscript classpath); it does not ship
            // with what is built.
            DepKind::Build,
        );
    }
    catalog.add_project(project);
    Ok(catalog)
}

#[allow(clippy::too_many_arguments)]
fn add(
    catalog: &mut Catalog,
    project: &mut Project,
    input: &Input,
    aliases: &crate::text::KeyLines,
    alias: &str,
    group: &str,
    artifact: &str,
    version: Option<String>,
    kind: DepKind,
) {
    let line = aliases.get(alias);
    let warn = |catalog: &mut Catalog, message: String| {
        let mut d = Diagnostic::warning(input.path(), message);
        d.line = line;
        catalog.diagnostics.push(d);
    };
    if group.is_empty() || artifact.is_empty() || artifact == ".gradle.plugin" {
        warn(catalog, format!("{alias}: no module coordinates"));
        return;
    }
    let c: Result<Component, _> = match version.as_deref() {
        Some(v) if !v.contains(['[', '(', '+', ',']) && !v.is_empty() => {
            component(group, artifact, v)
        }
        Some(v) => Component::unresolved(Ecosystem::Maven, Some(group), artifact, v),
        None => Component::unresolved(Ecosystem::Maven, Some(group), artifact, "(no version)"),
    };
    match c {
        Ok(c) => {
            let location = match line {
                Some(l) => input.at_line(l),
                None => input.location(),
            };
            let node = catalog.add_package(c.at(location));
            project.add_dep(node, kind);
        }
        Err(e) => warn(catalog, format!("{alias}: {e}")),
    }
}

/// A library's or plugin's version: `version = "1"`, `version.ref = "x"`, or a rich table.
fn version_of(t: &toml::Table, versions: &BTreeMap<String, String>) -> Option<String> {
    match t.get("version")? {
        toml::Value::Table(v) => match v.get("ref").and_then(toml::Value::as_str) {
            Some(r) => versions.get(r).cloned(),
            None => rich(&toml::Value::Table(v.clone())),
        },
        other => rich(other),
    }
}

/// `"1.0"` or `{ strictly = "…" } | { require = "…" } | { prefer = "…" }`.
fn rich(v: &toml::Value) -> Option<String> {
    match v {
        toml::Value::String(s) => Some(s.clone()),
        toml::Value::Table(t) => ["strictly", "require", "prefer"]
            .iter()
            .find_map(|k| t.get(*k).and_then(toml::Value::as_str).map(str::to_string)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse_str;

    #[test]
    fn lockfile_configurations() {
        let text = "# This is a Gradle generated file for dependency locking.\n# Manual edits can break the build and are not advised.\n# This file is expected to be part of source control.\ncom.google.guava:guava:32.1.3-jre=compileClasspath,runtimeClasspath\njunit:junit:4.13.2=testCompileClasspath,testRuntimeClasspath\nbad-line=x\nempty=annotationProcessor\n";
        let c = parse_str(parse_lockfile, "svc/gradle.lockfile", text).unwrap();
        let got: Vec<(String, DepKind)> = c.projects[0]
            .deps
            .iter()
            .map(|e| match e.to {
                bomscout_core::NodeRef::Package(i) => {
                    (c.packages[i].component.purl.to_string(), e.kind)
                }
                _ => unreachable!(),
            })
            .collect();
        assert_eq!(
            got,
            [
                (
                    "pkg:maven/com.google.guava/guava@32.1.3-jre".into(),
                    DepKind::Normal
                ),
                ("pkg:maven/junit/junit@4.13.2".into(), DepKind::Dev)
            ]
        );
        assert_eq!(c.diagnostics.len(), 1);
        assert_eq!(c.diagnostics[0].line, Some(6));
        assert_eq!(c.projects[0].dir, "svc");
        let legacy = parse_str(
            parse_lockfile,
            "gradle/dependency-locks/testRuntimeClasspath.lockfile",
            "junit:junit:4.12\n",
        )
        .unwrap();
        assert_eq!(legacy.projects[0].deps[0].kind, DepKind::Dev);
        assert_eq!(legacy.projects[0].dir, ".");
    }

    #[test]
    fn version_catalog() {
        let text = "[versions]\nguava = \"32.1.3-jre\"\nslf = { strictly = \"[1.7, 1.8[\" }\n\n[libraries]\nguava = { module = \"com.google.guava:guava\", version.ref = \"guava\" }\nslf4j = { group = \"org.slf4j\", name = \"slf4j-api\", version.ref = \"slf\" }\ncommons = \"org.apache.commons:commons-lang3:3.14.0\"\nnover = { module = \"a:b\" }\n\n[plugins]\nversions = { id = \"com.github.ben-manes.versions\", version = \"0.51.0\" }\n";
        let c = parse_str(parse_catalog, "gradle/libs.versions.toml", text).unwrap();
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
                ("pkg:maven/org.apache.commons/commons-lang3@3.14.0".to_string(), None),
                ("pkg:maven/com.google.guava/guava@32.1.3-jre".to_string(), None),
                ("pkg:maven/a/b".to_string(), Some("(no version)".to_string())),
                ("pkg:maven/org.slf4j/slf4j-api".to_string(), Some("[1.7, 1.8[".to_string())),
                ("pkg:maven/com.github.ben-manes.versions/com.github.ben-manes.versions.gradle.plugin@0.51.0".to_string(), None),
            ]
        );
        assert_eq!(c.projects[0].dir, ".");
        // Libraries are run-time dependencies; plugins are build tooling.
        let kinds: Vec<DepKind> = c.projects[0].deps.iter().map(|e| e.kind).collect();
        assert_eq!(
            kinds,
            [
                DepKind::Normal,
                DepKind::Normal,
                DepKind::Normal,
                DepKind::Normal,
                DepKind::Build
            ]
        );
        assert!(
            parse_str(parse_catalog, "gradle/libs.versions.toml", "[libraries\n")
                .unwrap_err()
                .line()
                .is_some()
        );
    }
}
