//! `pyproject.toml`: the project and the dependencies it declares.
//!
//! Read:
//! - PEP 621 `[project]`: `name`, `version` (absent when `dynamic`), `license` as a PEP 639
//!   SPDX string or a legacy `{ text = … }` table (declared licenses of the project, fields
//!   `project.license` / `project.license.text`; a `{ file = … }` table names a file this
//!   pure parser does not read), `dependencies` ([`DepKind::Normal`]) and
//!   `optional-dependencies` ([`DepKind::Optional`], property `extra`);
//! - PEP 735 `[dependency-groups]`: [`DepKind::Dev`] edges with property `group`;
//!   `{include-group = "…"}` entries are expanded (names compared PEP 503-normalized),
//!   cycles and nesting past [`MAX_GROUP_DEPTH`] are warnings;
//! - Poetry's `[tool.poetry]`: `name`, `version`, `license`; `dependencies` (except
//!   `python`; `optional = true` makes an Optional edge, with property `extra` from
//!   `[tool.poetry.extras]`), `group.<name>.dependencies` and the legacy
//!   `dev-dependencies` (Dev, property `group`). A constraint is a string, a table
//!   (`version`, `extras`, `markers`, `python` (property `python`), `git` + `rev`/`tag`/`branch`, `url`; `path` is
//!   first-party and skipped) or an array of such tables (constraints joined with ` || `).
//!   With Poetry 2, names already declared in `[project]` are not declared again;
//! - `[build-system] requires`: [`DepKind::Build`] edges.
//!
//! Every dependency is an unresolved component with its specifier as written (PEP 508 via
//! [`super::pep508`], Poetry constraints verbatim), so that a lockfile beside it wins.
//! A PEP 508 string's location carries the line it is first written on. A malformed entry is
//! a warning and is skipped; a file that is not TOML is an error. A project with no `name`
//! is still a project, known by its directory.

use super::declare;
use super::pep508::{normalize_name, parse_requirement};
use crate::{text, Input, ParseError};
use bomscout_core::{
    Catalog, Component, DepKind, Diagnostic, Ecosystem, License, Location, NodeRef, Project,
    Purl,
};
use std::collections::{HashMap, HashSet};
use toml::{Table, Value};

/// How deep `include-group` may nest before bomscout stops following it.
pub const MAX_GROUP_DEPTH: usize = 16;

/// Parses one `pyproject.toml`.
pub fn parse(input: &Input) -> Result<Catalog, ParseError> {
    let text = text::utf8(input.bytes)?;
    let doc: Table = toml::from_str(text).map_err(|e| ParseError::toml(text, &e))?;
    let mut b = Builder::new(input.path, text);
    let project = doc.get("project").and_then(Value::as_table);
    let poetry = table_at(&doc, &["tool", "poetry"]);
    if let Some(project) = project {
        b.pep621(project);
    }
    if let Some(groups) = doc.get("dependency-groups") {
        b.dependency_groups(groups);
    }
    if let Some(poetry) = poetry {
        b.poetry(poetry);
    }
    if let Some(requires) = table_at(&doc, &["build-system"]).and_then(|t| t.get("requires")) {
        b.pep508_list(requires, "build-system.requires", DepKind::Build, None);
    }
    Ok(b.finish())
}

struct Builder<'a> {
    path: &'a str,
    text: &'a str,
    catalog: Catalog,
    project: Project,
    nodes: HashMap<String, NodeRef>,
    edges: HashSet<(NodeRef, DepKind)>,
    /// Normalized names `[project]` declares, which Poetry 2's table only annotates.
    pep621_names: HashSet<String>,
}

impl<'a> Builder<'a> {
    fn new(path: &'a str, text: &'a str) -> Self {
        Builder {
            path,
            text,
            catalog: Catalog::default(),
            project: Project::new(Ecosystem::PyPI, path),
            nodes: HashMap::new(),
            edges: HashSet::new(),
            pep621_names: HashSet::new(),
        }
    }

    fn warn(&mut self, message: String) {
        self.catalog
            .diagnostics
            .push(Diagnostic::warning(self.path, message));
    }

    fn finish(mut self) -> Catalog {
        self.project.purl = self.project.name.as_deref().and_then(|name| {
            Purl::build(Ecosystem::PyPI, None, name, self.project.version.as_deref(), &[]).ok()
        });
        self.catalog.add_project(self.project);
        self.catalog
    }

    /// Adds a component and a project edge to it, once per (component, kind).
    fn declare(&mut self, component: Component, kind: DepKind) {
        let key = component.key();
        let node = match self.nodes.get(&key) {
            Some(node) => *node,
            None => {
                let node = self.catalog.add_package(component);
                self.nodes.insert(key, node);
                node
            }
        };
        if self.edges.insert((node, kind)) {
            self.project.add_dep(node, kind);
        }
    }

    fn identity(&mut self, name: Option<&Value>, version: Option<&Value>) {
        if self.project.name.is_none() {
            self.project.name = name.and_then(Value::as_str).map(str::to_string);
        }
        if self.project.version.is_none() {
            self.project.version = version.and_then(Value::as_str).map(str::to_string);
        }
    }

    fn pep621(&mut self, project: &Table) {
        self.identity(project.get("name"), project.get("version"));
        match project.get("license") {
            Some(Value::String(s)) => self.license(s, "project.license"),
            Some(Value::Table(t)) => {
                if let Some(text) = t.get("text").and_then(Value::as_str) {
                    self.license(text, "project.license.text");
                }
            }
            Some(_) => self.warn("project.license is neither a string nor a table".into()),
            None => {}
        }
        if let Some(deps) = project.get("dependencies") {
            let names = self.pep508_list(deps, "project.dependencies", DepKind::Normal, None);
            self.pep621_names.extend(names);
        }
        match project.get("optional-dependencies") {
            Some(Value::Table(extras)) => {
                for (extra, deps) in extras {
                    let field = format!("project.optional-dependencies.{extra}");
                    let prop = Some(("extra", extra.as_str()));
                    self.pep508_list(deps, &field, DepKind::Optional, prop);
                }
            }
            Some(_) => self.warn("project.optional-dependencies is not a table".into()),
            None => {}
        }
    }

    fn license(&mut self, raw: &str, field: &str) {
        if !raw.trim().is_empty() {
            let license = License::declared(raw, self.path, field);
            if !self.project.licenses.contains(&license) {
                self.project.licenses.push(license);
            }
        }
    }

    /// Declares every PEP 508 string of an array; returns their normalized names.
    fn pep508_list(
        &mut self,
        deps: &Value,
        field: &str,
        kind: DepKind,
        property: Option<(&str, &str)>,
    ) -> Vec<String> {
        let Some(deps) = deps.as_array() else {
            self.warn(format!("{field} is not an array"));
            return Vec::new();
        };
        let mut names = Vec::new();
        for dep in deps {
            match dep.as_str() {
                Some(s) => names.extend(self.pep508(s, field, kind, property)),
                None => self.warn(format!("{field}: entry {dep} is not a string")),
            }
        }
        names
    }

    fn pep508(
        &mut self,
        s: &str,
        field: &str,
        kind: DepKind,
        property: Option<(&str, &str)>,
    ) -> Option<String> {
        let req = match parse_requirement(s) {
            Ok(req) => req,
            Err(e) => {
                self.warn(format!("{field}: {s:?} skipped: {e}"));
                return None;
            }
        };
        let mut c = match declare::unresolved(&req) {
            Ok(c) => c,
            Err(e) => {
                self.warn(format!("{field}: {e}"));
                return None;
            }
        };
        if let Some((k, v)) = property {
            c.properties.insert(k.into(), v.into());
        }
        let location = match line_of_string(self.text, s) {
            Some(line) => Location::at_line(self.path, line),
            None => Location::new(self.path),
        };
        self.declare(c.at(location), kind);
        Some(normalize_name(&req.name))
    }

    fn dependency_groups(&mut self, groups: &Value) {
        let Some(groups) = groups.as_table() else {
            return self.warn("dependency-groups is not a table".into());
        };
        for name in groups.keys() {
            let mut entries = Vec::new();
            let mut stack = Vec::new();
            self.expand_group(groups, name, &mut stack, &mut entries);
            let field = format!("dependency-groups.{name}");
            for entry in entries {
                self.pep508(&entry, &field, DepKind::Dev, Some(("group", name)));
            }
        }
    }

    /// Collects a group's requirement strings, following `include-group`.
    fn expand_group(
        &mut self,
        groups: &Table,
        name: &str,
        stack: &mut Vec<String>,
        out: &mut Vec<String>,
    ) {
        let wanted = normalize_name(name);
        let Some((real, value)) = groups.iter().find(|(k, _)| normalize_name(k) == wanted) else {
            return self.warn(format!("dependency-groups: included group {name:?} not found"));
        };
        if stack.contains(&wanted) {
            return self.warn(format!("dependency-groups: include cycle through {real:?}"));
        }
        if stack.len() >= MAX_GROUP_DEPTH {
            return self.warn(format!(
                "dependency-groups: includes nest deeper than {MAX_GROUP_DEPTH} at {real:?}"
            ));
        }
        let Some(entries) = value.as_array() else {
            return self.warn(format!("dependency-groups.{real} is not an array"));
        };
        stack.push(wanted);
        for entry in entries {
            match entry {
                Value::String(s) => out.push(s.clone()),
                Value::Table(t) => match t.get("include-group").and_then(Value::as_str) {
                    Some(include) => self.expand_group(groups, include, stack, out),
                    None => self.warn(format!("dependency-groups.{real}: unknown entry {t}")),
                },
                other => self.warn(format!("dependency-groups.{real}: unknown entry {other}")),
            }
        }
        stack.pop();
    }

    fn poetry(&mut self, poetry: &Table) {
        self.identity(poetry.get("name"), poetry.get("version"));
        if let Some(license) = poetry.get("license").and_then(Value::as_str) {
            self.license(license, "tool.poetry.license");
        }
        let extras = poetry_extras(poetry.get("extras"));
        if let Some(deps) = poetry.get("dependencies") {
            self.poetry_deps(deps, "tool.poetry.dependencies", None, &extras);
        }
        if let Some(deps) = poetry.get("dev-dependencies") {
            self.poetry_deps(deps, "tool.poetry.dev-dependencies", Some("dev"), &extras);
        }
        if let Some(groups) = poetry.get("group").and_then(Value::as_table) {
            for (group, body) in groups {
                if let Some(deps) = body.get("dependencies") {
                    let field = format!("tool.poetry.group.{group}.dependencies");
                    self.poetry_deps(deps, &field, Some(group), &extras);
                }
            }
        }
    }

    /// One Poetry dependency table; `group` is `None` for the main dependencies.
    fn poetry_deps(
        &mut self,
        deps: &Value,
        field: &str,
        group: Option<&str>,
        extras: &HashMap<String, String>,
    ) {
        let Some(deps) = deps.as_table() else {
            return self.warn(format!("{field} is not a table"));
        };
        for (name, spec) in deps {
            let norm = normalize_name(name);
            if norm == "python" || (group.is_none() && self.pep621_names.contains(&norm)) {
                continue;
            }
            let dep = match poetry_dep(name, spec) {
                Ok(Some(dep)) => dep,
                Ok(None) => continue,
                Err(e) => {
                    self.warn(format!("{field}.{name} skipped: {e}"));
                    continue;
                }
            };
            let (mut c, optional) = dep;
            let kind = match group {
                Some(group) => {
                    c.properties.insert("group".into(), group.into());
                    DepKind::Dev
                }
                None if optional => {
                    if let Some(extra) = extras.get(&norm) {
                        c.properties.insert("extra".into(), extra.clone());
                    }
                    DepKind::Optional
                }
                None => DepKind::Normal,
            };
            self.declare(c.at(Location::new(self.path)), kind);
        }
    }
}

/// A Poetry dependency as an unresolved component and whether it is optional, or `None`
/// for a local path (first-party code).
fn poetry_dep(name: &str, spec: &Value) -> Result<Option<(Component, bool)>, String> {
    let tables: Vec<&Table> = match spec {
        Value::String(constraint) => {
            let c = Component::unresolved(Ecosystem::PyPI, None, name, constraint.trim())
                .map_err(|e| e.to_string())?;
            return Ok(Some((c, false)));
        }
        Value::Table(t) => vec![t],
        Value::Array(items) => items.iter().filter_map(Value::as_table).collect(),
        _ => return Err("not a string, table or array".into()),
    };
    let Some(first) = tables.first() else {
        return Err("empty constraint list".into());
    };
    if first.contains_key("path") {
        return Ok(None);
    }
    let optional = first.get("optional").and_then(Value::as_bool) == Some(true);
    let mut c = if let Some(git) = first.get("git").and_then(Value::as_str) {
        let rev = ["rev", "tag", "branch"]
            .iter()
            .find_map(|k| first.get(*k).and_then(Value::as_str));
        let url = match rev {
            Some(rev) => format!("git+{git}@{rev}"),
            None => format!("git+{git}"),
        };
        declare::url_unresolved(name, &url).map_err(|e| e.to_string())?
    } else if let Some(url) = first.get("url").and_then(Value::as_str) {
        declare::url_unresolved(name, url).map_err(|e| e.to_string())?
    } else {
        let versions: Vec<&str> = tables
            .iter()
            .map(|t| t.get("version").and_then(Value::as_str).unwrap_or("*"))
            .collect();
        Component::unresolved(Ecosystem::PyPI, None, name, &versions.join(" || "))
            .map_err(|e| e.to_string())?
    };
    let extras: Vec<&str> = first
        .get("extras")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    if !extras.is_empty() {
        c.properties.insert("extras".into(), extras.join(","));
    }
    for (key, prop) in [("markers", "marker"), ("python", "python")] {
        if let Some(v) = first.get(key).and_then(Value::as_str) {
            c.properties.insert(prop.into(), v.trim().to_string());
        }
    }
    Ok(Some((c, optional)))
}

/// `[tool.poetry.extras]` inverted: normalized dependency name → the extras naming it.
fn poetry_extras(extras: Option<&Value>) -> HashMap<String, String> {
    let mut out: HashMap<String, Vec<&str>> = HashMap::new();
    for (extra, deps) in extras.and_then(Value::as_table).into_iter().flatten() {
        for dep in deps.as_array().into_iter().flatten().filter_map(Value::as_str) {
            out.entry(normalize_name(dep)).or_default().push(extra);
        }
    }
    out.into_iter().map(|(k, v)| (k, v.join(","))).collect()
}

fn table_at<'t>(doc: &'t Table, keys: &[&str]) -> Option<&'t Table> {
    let mut table = doc;
    for key in keys {
        table = table.get(*key)?.as_table()?;
    }
    Some(table)
}

/// The 1-based line where `s` is first written as a quoted TOML string.
fn line_of_string(text: &str, s: &str) -> Option<u32> {
    let offset = text
        .find(&format!("\"{s}\""))
        .or_else(|| text.find(&format!("'{s}'")))?;
    Some(text::line_of(text, offset))
}

#[cfg(test)]
mod tests {}
