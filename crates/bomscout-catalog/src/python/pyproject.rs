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
//!
//! `[build-system] requires` is not read: a build backend builds the package but is not part
//! of what ships, and no lockfile pins it, so it would only add unresolved noise (Syft and
//! Trivy leave it out too).
//!
//! Every dependency is an unresolved component with its specifier as written (PEP 508 via
//! [`super::pep508`], Poetry constraints verbatim), so that a lockfile beside it wins.
//! A PEP 508 string's location carries the line it is first written on. A malformed entry is
//! a warning and is skipped; a file that is not TOML is an error. A project with no `name`
//! is still a project, known by its directory.

use super::declare;
use super::pep508::{normalize_name, parse_requirement};
use crate::{text, Input, ParseError};
use bomscout_core::escape::{quote, QUOTE_LIMIT};
use bomscout_core::{
    Catalog, Component, DepKind, Diagnostic, Ecosystem, License, Location, NodeRef, Project, Purl,
};
use std::collections::{HashMap, HashSet};
use toml::{Table, Value};

/// How deep `include-group` may nest before bomscout stops following it.
pub const MAX_GROUP_DEPTH: usize = 16;

/// Parses one `pyproject.toml`.
pub fn parse(input: &Input) -> Result<Catalog, ParseError> {
    let text = text::utf8(input.bytes)?;
    let doc: Table = crate::nesting::toml(text)?;
    let mut b = Builder::new(input.path(), text);
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
    Ok(b.finish())
}

struct Builder<'a> {
    path: &'a str,
    /// The line of each quoted string, found once.
    strings: text::KeyLines<'a>,
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
            strings: text::KeyLines::new(text, quoted_strings),
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
            Purl::build(
                Ecosystem::PyPI,
                None,
                name,
                self.project.version.as_deref(),
                &[],
            )
            .ok()
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
                self.warn(format!("{field}: {} skipped: {e}", quote(s, QUOTE_LIMIT)));
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
        let location = match self.strings.get(s) {
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
            return self.warn(format!(
                "dependency-groups: included group {} not found",
                quote(name, QUOTE_LIMIT)
            ));
        };
        if stack.contains(&wanted) {
            return self.warn(format!(
                "dependency-groups: include cycle through {}",
                quote(real, QUOTE_LIMIT)
            ));
        }
        if stack.len() >= MAX_GROUP_DEPTH {
            return self.warn(format!(
                "dependency-groups: includes nest deeper than {MAX_GROUP_DEPTH} at {}",
                quote(real, QUOTE_LIMIT)
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
        for dep in deps
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
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

/// The strings of a TOML line: basic (`"…"`, escapes kept) and literal (`'…'`). Text
/// between two `'` inside a basic string is included too, harmlessly: it is only looked
/// up, as a search of the text for `'s'` would have found it.
fn quoted_strings(line: &str) -> impl Iterator<Item = &str> {
    let literal = line.split('\'').collect::<Vec<_>>();
    let inner = literal.len().saturating_sub(1);
    text::quoted_strings(line).chain(literal.into_iter().take(inner).skip(1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Options;
    use std::path::Path;
    use test_case::test_case;

    fn parse_str(text: &str) -> Result<Catalog, ParseError> {
        let options = Options::default();
        let input = Input {
            bytes: text.as_bytes(),
            shared_path: &bomscout_core::SharedStr::from("svc/pyproject.toml"),
            abs: Path::new("/nonexistent"),
            root: std::path::Path::new("/"),
            options: &options,
            tree: &crate::DISK,
        };
        parse(&input)
    }

    /// `name requirement purl kind [props]` per project edge.
    fn rows(c: &Catalog) -> Vec<String> {
        c.projects[0]
            .deps
            .iter()
            .map(|e| {
                let NodeRef::Package(i) = e.to else {
                    unreachable!()
                };
                let c = &c.packages[i].component;
                let props: Vec<String> = c
                    .properties
                    .iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect();
                format!(
                    "{} {} {} {:?} [{}]",
                    c.name,
                    c.requirement.as_deref().unwrap_or("-"),
                    c.purl,
                    e.kind,
                    props.join(" ")
                )
            })
            .collect()
    }

    #[test_case("[project]\nname='x'\nlicense = {text = 'BSD'}", &[("BSD", "project.license.text")]; "license text table")]
    #[test_case("[project]\nname='x'\nlicense = {file = 'LICENSE'}", &[]; "license file table is not read")]
    #[test_case("[project]\nname='x'\nlicense = 'MIT'\n[tool.poetry]\nlicense = 'MIT'", &[("MIT", "project.license"), ("MIT", "tool.poetry.license")]; "both tables")]
    fn project_licenses(text: &str, expected: &[(&str, &str)]) {
        let c = parse_str(text).unwrap();
        let got: Vec<(&str, &str)> = c.projects[0]
            .licenses
            .iter()
            .map(|l| (l.raw.as_str(), l.source.field.as_str()))
            .collect();
        assert_eq!(got, expected);
    }

    #[test]
    fn dynamic_or_missing_name_is_a_project_by_directory() {
        let c = parse_str("[project]\ndynamic = ['name', 'version']\n").unwrap();
        let p = &c.projects[0];
        assert_eq!(
            (p.dir.as_str(), p.name.as_deref(), p.purl.as_ref()),
            ("svc", None, None)
        );
        let c = parse_str("").unwrap();
        assert_eq!(c.projects.len(), 1);
        assert!(c.packages.is_empty());
    }

    #[test]
    fn include_group_cycles_and_missing_groups_warn() {
        let text = "[dependency-groups]\na = ['x', {include-group = 'B'}]\nb = ['y', {include-group = 'a'}, {include-group = 'nope'}, 3]\n";
        let c = parse_str(text).unwrap();
        assert_eq!(
            rows(&c),
            [
                "x * pkg:pypi/x Dev [group=a]",
                "y * pkg:pypi/y Dev [group=a]",
            ]
        );
        let msgs: Vec<&str> = c.diagnostics.iter().map(|d| d.message.as_str()).collect();
        assert!(msgs.iter().any(|m| m.contains("include cycle")), "{msgs:?}");
        assert!(
            msgs.iter().any(|m| m.contains("\"nope\" not found")),
            "{msgs:?}"
        );
        assert!(
            msgs.iter().any(|m| m.contains("unknown entry 3")),
            "{msgs:?}"
        );
    }

    #[test]
    fn include_group_depth_is_bounded() {
        let mut text = String::from("[dependency-groups]\n");
        for i in 0..40 {
            text.push_str(&format!(
                "g{i} = ['p{i}', {{include-group = 'g{}'}}]\n",
                i + 1
            ));
        }
        let c = parse_str(&text).unwrap();
        assert!(c
            .diagnostics
            .iter()
            .any(|d| d.message.contains("nest deeper")));
    }

    #[test]
    fn poetry_dependency_shapes() {
        let text = r#"
[tool.poetry.dependencies]
python = "^3.11"
plain = "1.2.3"
git-dep = { git = "https://e.invalid/g.git", tag = "v1" }
url-dep = { url = "https://e.invalid/u-1.0.tar.gz" }
local = { path = "../local", develop = true }
multi = [
    { version = "<2", python = "<3.9" },
    { version = ">=2", python = ">=3.9" },
]
marked = { version = "*", markers = "sys_platform == 'linux'" }

[tool.poetry.dev-dependencies]
old-dev = "^1"
"#;
        let c = parse_str(text).unwrap();
        assert_eq!(
            rows(&c),
            [
                "git-dep git+https://e.invalid/g.git@v1 pkg:pypi/git-dep?vcs_url=git%2Bhttps:%2F%2Fe.invalid%2Fg.git%40v1 Normal []",
                "marked * pkg:pypi/marked Normal [marker=sys_platform == 'linux']",
                "multi <2 || >=2 pkg:pypi/multi Normal [python=<3.9]",
                "plain 1.2.3 pkg:pypi/plain Normal []",
                "url-dep https://e.invalid/u-1.0.tar.gz pkg:pypi/url-dep?download_url=https:%2F%2Fe.invalid%2Fu-1.0.tar.gz Normal []",
                "old-dev ^1 pkg:pypi/old-dev Dev [group=dev]",
            ]
        );
        assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
    }

    #[test]
    fn poetry_2_table_only_annotates_project_dependencies() {
        let text = "[project]\nname = 'x'\ndependencies = ['requests>=2']\n[tool.poetry.dependencies]\nrequests = { source = 'private' }\n[tool.poetry.group.test.dependencies]\npytest = '*'\n";
        let c = parse_str(text).unwrap();
        assert_eq!(
            rows(&c),
            [
                "requests >=2 pkg:pypi/requests Normal []",
                "pytest * pkg:pypi/pytest Dev [group=test]",
            ]
        );
    }

    #[test]
    fn direct_reference_in_pep621() {
        let c =
            parse_str("[project]\ndependencies = ['pip @ git+https://e.invalid/pip.git@22.0']\n")
                .unwrap();
        assert_eq!(
            rows(&c),
            ["pip git+https://e.invalid/pip.git@22.0 pkg:pypi/pip?vcs_url=git%2Bhttps:%2F%2Fe.invalid%2Fpip.git%4022.0 Normal []"]
        );
        assert_eq!(
            c.packages[0]
                .component
                .locations
                .iter()
                .next()
                .and_then(|l| l.line),
            Some(2)
        );
    }

    #[test_case("[project]\ndependencies = 'requests'", "project.dependencies is not an array"; "dependencies not array")]
    #[test_case("[project]\ndependencies = [1]", "project.dependencies: entry 1 is not a string"; "entry not string")]
    #[test_case("[project]\ndependencies = ['requests >= ']", "project.dependencies: \"requests >= \" skipped: expected a version after \">=\" at 12"; "bad pep 508")]
    #[test_case("[project]\noptional-dependencies = []", "project.optional-dependencies is not a table"; "extras not table")]
    #[test_case("[project]\nlicense = 3", "project.license is neither a string nor a table"; "license wrong type")]
    #[test_case("dependency-groups = 1", "dependency-groups is not a table"; "groups wrong type")]
    #[test_case("[tool.poetry]\ndependencies = []", "tool.poetry.dependencies is not a table"; "poetry deps wrong type")]
    #[test_case("[tool.poetry.dependencies]\nx = 1", "tool.poetry.dependencies.x skipped: not a string, table or array"; "poetry dep wrong type")]
    #[test_case("[tool.poetry.dependencies]\nx = []", "tool.poetry.dependencies.x skipped: empty constraint list"; "poetry empty array")]
    fn wrong_types_warn(text: &str, message: &str) {
        let c = parse_str(text).unwrap();
        let msgs: Vec<&str> = c.diagnostics.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(msgs, [message]);
        assert!(c.packages.is_empty());
    }

    #[test]
    fn hostile_input() {
        assert_eq!(
            parse_str("[project\nname = 'x'").unwrap_err().line(),
            Some(1)
        );
        let options = Options::default();
        let input = Input {
            bytes: b"[project]\nname = '\xff'\n",
            shared_path: &bomscout_core::SharedStr::from("pyproject.toml"),
            abs: Path::new("/x"),
            root: std::path::Path::new("/"),
            options: &options,
            tree: &crate::DISK,
        };
        assert_eq!(parse(&input).unwrap_err().line(), Some(2));
        let deep = format!("x = {}{}", "[".repeat(5_000), "]".repeat(5_000));
        assert!(parse_str(&deep).is_err());
        let many: String = (0..5_000).map(|i| format!("'p{i}>=1',")).collect();
        let c = parse_str(&format!("[project]\ndependencies = [{many}]")).unwrap();
        assert_eq!(c.packages.len(), 5_000);
    }
}
