//! `Cargo.toml` on its own: a crate whose lockfile is not committed (libraries often do
//! not commit one), or a workspace member.
//!
//! The `[package]` is a [`Project`]; every dependency in `[dependencies]`,
//! `[dev-dependencies]`, `[build-dependencies]` and their `[target.'…'.*]` forms is an
//! unresolved component with its requirement and the matching edge kind. Renamed
//! dependencies (`package = "…"`) name the real crate; `workspace = true` ones take their
//! requirement from the workspace root's `[workspace.dependencies]`, found by walking up
//! the directories of the scanned path (a documented read of files beside the input);
//! `version.workspace` / `license.workspace` are inherited likewise. Path dependencies are
//! first-party and skipped; git dependencies keep their URL (and `rev` / `tag` / `branch`) as
//! the requirement. A virtual manifest (only `[workspace]`) has no project. When a
//! `Cargo.lock` pins the same names, the builder keeps the lock's versions only.

use super::workspace::{dep_tables, entry_kind, field, read_toml, real_name};
use crate::{text, Input, ParseError};
use bomscout_core::{Catalog, Component, Diagnostic, Ecosystem, Project, Purl};
use toml::{Table, Value};

/// Parses one `Cargo.toml`.
pub fn parse(input: &Input) -> Result<Catalog, ParseError> {
    let text = text::utf8(input.bytes)?;
    let doc: Table = crate::nesting::toml(text)?;
    let mut cat = Catalog::default();
    let Some(package) = doc.get("package").and_then(Value::as_table) else {
        return Ok(cat);
    };
    let root = workspace_root(input);
    let empty = Table::new();
    let inherited = root
        .as_ref()
        .and_then(|r| r.get("workspace"))
        .and_then(|w| w.get("package"))
        .and_then(Value::as_table)
        .unwrap_or(&empty);
    let ws_deps = root
        .as_ref()
        .and_then(|r| r.get("workspace"))
        .and_then(|w| w.get("dependencies"))
        .and_then(Value::as_table);

    let mut project = Project::new(Ecosystem::Cargo, input.path());
    let name = package.get("name").and_then(Value::as_str);
    project.name = name.map(str::to_string);
    project.version = field(package, inherited, "version");
    if let (Some(n), Some(v)) = (name, project.version.as_deref()) {
        project.purl = Purl::build(Ecosystem::Cargo, None, n, Some(v), &[]).ok();
    }
    if let Some(l) = field(package, inherited, "license") {
        project.licenses.push(input.license(&l, "package.license"));
    }
    let project = cat.add_project(project);
    for (table, kind) in dep_tables(&doc) {
        for (key, spec) in table {
            let spec = inherit(spec, key, ws_deps);
            let Some(requirement) = requirement(&spec) else {
                continue;
            };
            match Component::unresolved(Ecosystem::Cargo, None, real_name(key, &spec), &requirement)
            {
                Ok(c) => {
                    let node = cat.add_package(c.at(input.location()));
                    cat.add_edge(project, node, entry_kind(&spec, kind));
                }
                Err(e) => cat
                    .diagnostics
                    .push(Diagnostic::warning(input.path(), format!("{key}: {e}"))),
            }
        }
    }
    Ok(cat)
}

/// A `workspace = true` entry merged over the workspace's entry of the same key.
fn inherit(spec: &Value, key: &str, ws_deps: Option<&Table>) -> Value {
    let inherits = spec.get("workspace").and_then(Value::as_bool) == Some(true);
    match (inherits, ws_deps.and_then(|d| d.get(key))) {
        (true, Some(Value::String(v))) => Value::String(v.clone()),
        (true, Some(Value::Table(t))) => {
            let mut merged = t.clone();
            if let Some(own) = spec.as_table() {
                for (k, v) in own.iter().filter(|(k, _)| k.as_str() != "workspace") {
                    merged.insert(k.clone(), v.clone());
                }
            }
            Value::Table(merged)
        }
        (true, _) => Value::String("workspace".into()),
        _ => spec.clone(),
    }
}

/// The requirement a dependency states; `None` for a path (first-party) dependency.
fn requirement(spec: &Value) -> Option<String> {
    match spec {
        Value::String(v) => Some(v.clone()),
        Value::Table(t) => {
            if let Some(git) = t.get("git").and_then(Value::as_str) {
                let pin = ["rev", "tag", "branch"]
                    .iter()
                    .find_map(|k| t.get(*k).and_then(Value::as_str));
                return Some(match pin {
                    Some(p) => format!("git+{git}#{p}"),
                    None => format!("git+{git}"),
                });
            }
            if t.contains_key("path") {
                return None;
            }
            Some(
                t.get("version")
                    .and_then(Value::as_str)
                    .unwrap_or("*")
                    .to_string(),
            )
        }
        _ => None,
    }
}

/// The nearest enclosing manifest with a `[workspace]` table, at most as many levels up as
/// the input's relative path has, so the walk stays inside the scanned tree.
fn workspace_root(input: &Input) -> Option<Table> {
    let levels = input.path().matches('/').count();
    let dir = input.abs.parent()?;
    dir.ancestors()
        .take(levels + 1)
        .filter_map(|d| read_toml(input.tree, Some(input.root), &d.join("Cargo.toml")))
        .find(|t| t.contains_key("workspace"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use bomscout_core::DepKind;

    fn run(text: &str) -> Catalog {
        crate::parse_str(parse, "Cargo.toml", text).unwrap()
    }

    #[test]
    fn dependency_tables_renames_git_and_path() {
        let cat = run(r#"
[package]
name = "x"
version = "0.1.0"
license = "MIT"
[dependencies]
serde = { version = "1", features = ["derive"], optional = true }
rand_old = { package = "rand", version = "0.7" }
local = { path = "../local" }
gitdep = { git = "https://example.com/g.git", tag = "v1" }
[dev-dependencies]
tempfile = "3"
[target.'cfg(unix)'.build-dependencies]
cc = "1"
"#);
        let got: Vec<(String, DepKind)> = cat.projects[0]
            .deps
            .iter()
            .map(|e| match e.to {
                bomscout_core::NodeRef::Package(i) => (cat.packages[i].component.key(), e.kind),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(
            got,
            [
                (
                    "unresolved:pkg:cargo/gitdep@git+https://example.com/g.git#v1".to_string(),
                    DepKind::Normal
                ),
                ("unresolved:pkg:cargo/rand@0.7".to_string(), DepKind::Normal),
                (
                    "unresolved:pkg:cargo/serde@1".to_string(),
                    DepKind::Optional
                ),
                ("unresolved:pkg:cargo/tempfile@3".to_string(), DepKind::Dev),
                ("unresolved:pkg:cargo/cc@1".to_string(), DepKind::Build),
            ]
        );
        assert_eq!(cat.projects[0].licenses[0].raw, "MIT");
    }

    #[test]
    fn a_virtual_manifest_has_no_project() {
        assert!(run("[workspace]\nmembers = [\"a\"]\n").projects.is_empty());
    }
}
