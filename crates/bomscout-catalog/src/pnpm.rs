//! pnpm: `pnpm-lock.yaml`, lockfile versions 5.x, 6.x and 9.x.
//!
//! - **Projects** are the importers (`importers:`; or, for a single-project 5.x/6.x lock, the
//!   root-level `dependencies` / `devDependencies` / `optionalDependencies`), each in its own
//!   directory relative to the lockfile, with Normal / Dev / Optional edges. `link:`
//!   versions point at sibling workspace projects and are not packages.
//! - **Packages**: 5.x keys are `/name/1.0.0[_peer@1.0.0]`, 6.x keys `/name@1.0.0[(peer@1.0.0)]`,
//!   9.x keys `name@1.0.0` in `packages` (metadata: resolution, integrity) with the graph in
//!   `snapshots` under peer-suffixed ids. A peer suffix is a variant of one package: all
//!   variants are one component, and their edges are united.
//! - A dependency's version may name another package (an `npm:` alias): `/real@1.0.0` (6.x),
//!   `real@1.0.0` (9.x) or `/real/1.0.0` (5.x); the component is the real package, with the
//!   alias as a property.
//! - `resolution.integrity` gives hashes; a `tarball` or git `repo`/`commit` resolution gives
//!   a qualified purl, as for npm.
//! - **Several YAML documents**: pnpm 11 writes its environment lockfile (the
//!   `configDependencies` and `packageManagerDependencies` of the root importer: pnpm's own
//!   config packages and pnpm itself, not the project's dependencies) as a first document,
//!   and the lockfile after it. As pnpm does, the lockfile is the document after the
//!   environment document; the environment document is left out, with an info diagnostic.

use crate::npm::{component, integrity_hashes};
use crate::{Input, ParseError};
use bomscout_core::escape::{quote, QUOTE_LIMIT};
use bomscout_core::{
    Catalog, DepKind, Diagnostic, Ecosystem, Location, NodeRef, Project, Severity,
};
use serde_norway::{Mapping, Value};
use std::collections::HashMap;

/// Parses one `pnpm-lock.yaml`.
pub fn parse(input: &Input) -> Result<Catalog, ParseError> {
    let text = crate::text::utf8(input.bytes)?;
    let (doc, notes) = lockfile_document(text, input.path)?;
    let major = lockfile_major(&doc.value)?;
    if is_env_document(&doc.value) {
        // Only pnpm's environment lockfile (written before the first install): nothing of
        // the project's is locked yet.
        let mut catalog = Catalog::default();
        catalog.diagnostics.push(
            Diagnostic::new(
                Severity::Info,
                input.path,
                "holds only pnpm's environment lockfile (configDependencies / packageManagerDependencies): no project dependency is locked yet; run `pnpm install`",
            )
            .at_line(doc.first_line),
        );
        return Ok(catalog);
    }
    let mut lock = Lock {
        input,
        major,
        keys: crate::text::KeyLines::new(doc.text, |l| crate::text::yaml_key_at(l, 2)),
        first_line: doc.first_line,
        catalog: Catalog::default(),
        nodes: HashMap::new(),
    };
    lock.catalog.diagnostics.extend(notes);
    let doc = doc.value;
    let meta = mapping(&doc, "packages");
    // 9.x splits metadata (`packages`) from the graph (`snapshots`); before, one map holds both.
    let graph = if major >= 9 {
        mapping(&doc, "snapshots")
    } else {
        meta
    };
    for (key, entry) in meta.iter() {
        if let Some(key) = key.as_str() {
            lock.package(key, entry);
        }
    }
    for (key, entry) in graph.iter() {
        let Some(key) = key.as_str() else { continue };
        let Some(from) = lock.node_of_key(key) else {
            continue;
        };
        for (field, kind) in [
            ("dependencies", DepKind::Normal),
            ("optionalDependencies", DepKind::Optional),
        ] {
            for (name, reference) in deps(entry.get(field)) {
                lock.edge(NodeRef::Package(from), &name, &reference, kind);
            }
        }
    }
    lock.importers(&doc);
    Ok(lock.catalog)
}

struct Lock<'a> {
    input: &'a Input<'a>,
    major: u32,
    /// The line of each top-level entry (`  key:`) in the lockfile's document, found once.
    keys: crate::text::KeyLines<'a>,
    /// The line the lockfile's document begins on.
    first_line: u32,
    catalog: Catalog,
    /// `name@version` → package index.
    nodes: HashMap<String, usize>,
}

impl Lock<'_> {
    /// Adds the package of a `packages` key, once per `name@version`.
    fn package(&mut self, key: &str, entry: &Value) {
        let id = self.id_of_key(key);
        if self.nodes.contains_key(&id) {
            return;
        }
        let Some((name, version)) = split_id(&id) else {
            self.warn(
                key,
                format!(
                    "package key {} is not name@version",
                    quote(key, QUOTE_LIMIT)
                ),
            );
            return;
        };
        let resolution = entry.get("resolution");
        let source = resolution.and_then(|r| {
            r.get("tarball")
                .or_else(|| r.get("repo"))
                .and_then(Value::as_str)
                .map(|s| match r.get("type").and_then(Value::as_str) {
                    Some("git") => format!("git+{s}"),
                    _ => s.to_string(),
                })
        });
        let mut c = match component(name, version, source.as_deref()) {
            Ok(c) => c,
            Err(e) => {
                self.warn(key, format!("{key}: {e}"));
                return;
            }
        };
        if let Some(i) = resolution
            .and_then(|r| r.get("integrity"))
            .and_then(Value::as_str)
        {
            for h in integrity_hashes(i) {
                c.add_hash(h);
            }
        }
        let location = match self.line_of(key) {
            Some(l) => Location::at_line(self.input.path, l),
            None => Location::new(self.input.path),
        };
        let node = self.catalog.add_package(c.at(location));
        if let NodeRef::Package(i) = node {
            self.nodes.insert(id, i);
        }
    }

    fn node_of_key(&self, key: &str) -> Option<usize> {
        self.nodes.get(&self.id_of_key(key)).copied()
    }

    /// `name@version` of a `packages`/`snapshots` key: no leading `/`, no peer suffix.
    fn id_of_key(&self, key: &str) -> String {
        let key = key.strip_prefix('/').unwrap_or(key);
        if self.major < 6 {
            // `@scope/name/1.0.0_peer@1.0.0`
            let key = key.split('_').next().unwrap_or(key);
            return match key.rsplit_once('/') {
                Some((name, version)) => format!("{name}@{version}"),
                None => key.to_string(),
            };
        }
        strip_peers(key).to_string()
    }

    /// The package a dependency `name: reference` points at, as `name@version`; `None` for
    /// links to workspace projects and local directories.
    fn id_of_dep(&self, name: &str, reference: &str) -> Option<String> {
        if reference.starts_with("link:") || reference.starts_with("file:") {
            return None;
        }
        let r = reference.strip_prefix('/').unwrap_or(reference);
        if r.starts_with(|c: char| c.is_ascii_digit()) {
            let version = if self.major < 6 {
                r.split('_').next().unwrap_or(r)
            } else {
                strip_peers(r)
            };
            return Some(format!("{name}@{version}"));
        }
        // An alias: the reference names the real package.
        Some(self.id_of_key(reference))
    }

    fn edge(&mut self, from: NodeRef, name: &str, reference: &str, kind: DepKind) {
        let Some(id) = self.id_of_dep(name, reference) else {
            return;
        };
        match self.nodes.get(&id) {
            Some(&to) => {
                if split_id(&id).is_some_and(|(real, _)| real != name) {
                    let c = &mut self.catalog.packages[to].component;
                    c.properties
                        .entry("alias".into())
                        .or_insert_with(|| name.to_string());
                }
                self.catalog.add_edge(from, NodeRef::Package(to), kind);
            }
            None => self.warn(
                name,
                format!("{name}: {reference} is not in the lockfile's packages"),
            ),
        }
    }

    /// Projects and their direct dependencies.
    fn importers(&mut self, doc: &Value) {
        let base = crate::paths::dir_of(self.input.path);
        let single;
        let importers: Vec<(String, &Value)> =
            match doc.get("importers").and_then(Value::as_mapping) {
                Some(m) => m
                    .iter()
                    .filter_map(|(k, v)| Some((k.as_str()?.to_string(), v)))
                    .collect(),
                None => {
                    single = doc.clone();
                    vec![(".".to_string(), &single)]
                }
            };
        for (dir, importer) in importers {
            let dir = if dir == "." {
                base.to_string()
            } else {
                crate::paths::join_dir(base, &dir)
            };
            let project =
                self.catalog
                    .add_project(Project::in_dir(Ecosystem::Npm, &dir, self.input.path));
            for (field, kind) in [
                ("dependencies", DepKind::Normal),
                ("devDependencies", DepKind::Dev),
                ("optionalDependencies", DepKind::Optional),
            ] {
                for (name, reference) in deps(importer.get(field)) {
                    self.edge(project, &name, &reference, kind);
                }
            }
        }
    }

    fn line_of(&self, key: &str) -> Option<u32> {
        self.keys
            .get(key)
            .map(|l| l.saturating_add(self.first_line - 1))
    }

    fn warn(&mut self, key: &str, message: String) {
        let mut d = Diagnostic::warning(self.input.path, message);
        d.line = self.line_of(key);
        self.catalog.diagnostics.push(d);
    }
}

/// One parsed YAML document of the file.
struct Document<'a> {
    value: Value,
    text: &'a str,
    first_line: u32,
}

/// The document of a `pnpm-lock.yaml` that is the lockfile, and info diagnostics for the
/// documents left out. pnpm reads the document after its environment document (one whose
/// root importer holds only `configDependencies` / `packageManagerDependencies`); of the
/// other documents, the last with a `lockfileVersion` is taken.
fn lockfile_document<'a>(
    text: &'a str,
    path: &str,
) -> Result<(Document<'a>, Vec<Diagnostic>), ParseError> {
    let mut docs = Vec::new();
    crate::nesting::check_yaml(text, crate::nesting::MAX_DEPTH)?;
    for (first_line, chunk) in crate::text::yaml_documents(text) {
        let value: Value = serde_norway::from_str(chunk)
            .map_err(|e| crate::text::yaml_error_at(chunk, &e, first_line))?;
        if !value.is_null() {
            docs.push(Document {
                value,
                text: chunk,
                first_line,
            });
        }
    }
    let is_lockfile = |d: &Document| d.value.get("lockfileVersion").is_some();
    let main = docs
        .iter()
        .rposition(|d| is_lockfile(d) && !is_env_document(&d.value))
        .or_else(|| docs.iter().rposition(is_lockfile))
        .or(docs.len().checked_sub(1));
    let Some(main) = main else {
        return Err(ParseError::format("not a pnpm lockfile: the file is empty"));
    };
    let mut notes = Vec::new();
    let mut chosen = None;
    for (i, d) in docs.into_iter().enumerate() {
        if i == main {
            chosen = Some(d);
            continue;
        }
        let what = if is_env_document(&d.value) {
            let names: Vec<String> = ["configDependencies", "packageManagerDependencies"]
                .iter()
                .flat_map(|field| deps(root_importer(&d.value).and_then(|r| r.get(field))))
                .map(|(name, _)| quote(&name, QUOTE_LIMIT))
                .collect();
            let shown = match names.len() {
                0 => "none".to_string(),
                n if n > 5 => format!("{} and {} more", names[..5].join(", "), n - 5),
                _ => names.join(", "),
            };
            format!(
                "pnpm's environment lockfile (configDependencies / packageManagerDependencies: {shown}) holds pnpm's own tooling, not the project's dependencies: not catalogued"
            )
        } else {
            "this YAML document is not the lockfile pnpm reads and is not catalogued".to_string()
        };
        notes.push(Diagnostic::new(Severity::Info, path, what).at_line(d.first_line));
    }
    let chosen = chosen.ok_or_else(|| ParseError::format("not a pnpm lockfile"))?;
    Ok((chosen, notes))
}

fn root_importer(doc: &Value) -> Option<&Value> {
    doc.get("importers").and_then(|i| i.get("."))
}

/// pnpm's environment lockfile: importers that hold nothing but `configDependencies` and
/// `packageManagerDependencies`, one of them at the root.
fn is_env_document(doc: &Value) -> bool {
    let env_field = |k: &Value| {
        matches!(
            k.as_str(),
            Some("configDependencies" | "packageManagerDependencies")
        )
    };
    let Some(importers) = doc.get("importers").and_then(Value::as_mapping) else {
        return false;
    };
    root_importer(doc)
        .and_then(Value::as_mapping)
        .is_some_and(|root| root.keys().any(env_field))
        && importers
            .values()
            .all(|imp| imp.as_mapping().is_some_and(|m| m.keys().all(env_field)))
}

/// `(name, reference)` pairs of a dependency map: `name: 1.0.0` (5.x and snapshots) or
/// `name: {specifier, version}` (importers, 6.x and 9.x).
fn deps(map: Option<&Value>) -> Vec<(String, String)> {
    let Some(map) = map.and_then(Value::as_mapping) else {
        return Vec::new();
    };
    map.iter()
        .filter_map(|(k, v)| {
            let name = k.as_str()?;
            let reference = match v {
                Value::Mapping(m) => m.get("version")?.as_str()?.to_string(),
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                _ => return None,
            };
            Some((name.to_string(), reference))
        })
        .collect()
}

fn mapping<'v>(doc: &'v Value, field: &str) -> &'v Mapping {
    static EMPTY: std::sync::OnceLock<Mapping> = std::sync::OnceLock::new();
    doc.get(field)
        .and_then(Value::as_mapping)
        .unwrap_or_else(|| EMPTY.get_or_init(Mapping::new))
}

/// `lockfileVersion` as its major number: `5.4`, `'6.0'`, `'9.0'`.
fn lockfile_major(doc: &Value) -> Result<u32, ParseError> {
    let v = match doc.get("lockfileVersion") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => {
            return Err(ParseError::format(
                "not a pnpm lockfile: no lockfileVersion",
            ))
        }
    };
    let major: u32 = v
        .split('.')
        .next()
        .and_then(|m| m.parse().ok())
        .ok_or_else(|| {
            ParseError::format(format!(
                "lockfileVersion {} is not a number",
                quote(&v, QUOTE_LIMIT)
            ))
        })?;
    if !(5..=9).contains(&major) {
        return Err(ParseError::format(format!(
            "lockfileVersion {v} is not supported (5.x–9.x are)"
        )));
    }
    Ok(major)
}

/// `react-dom@18.3.1(react@18.3.1)` → `react-dom@18.3.1`.
fn strip_peers(id: &str) -> &str {
    id.split('(').next().unwrap_or(id)
}

/// `@scope/name@1.0.0` → `("@scope/name", "1.0.0")`.
fn split_id(id: &str) -> Option<(&str, &str)> {
    let at = id.get(1..)?.rfind('@')? + 1;
    let (name, version) = (id.get(..at)?, id.get(at + 1..)?);
    (!name.is_empty() && !version.is_empty()).then_some((name, version))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse_str;

    fn run(text: &str) -> Result<Catalog, ParseError> {
        parse_str(parse, "pnpm-lock.yaml", text)
    }

    #[test]
    fn ids() {
        assert_eq!(
            split_id("@babel/core@7.0.0"),
            Some(("@babel/core", "7.0.0"))
        );
        assert_eq!(split_id("x"), None);
        assert_eq!(
            strip_peers("react-dom@18.3.1(react@18.3.1)"),
            "react-dom@18.3.1"
        );
    }

    #[test]
    fn lockfile_5_keys_peers_and_aliases() {
        let text = "lockfileVersion: 5.4\nspecifiers:\n  a: ^1.0.0\n  b: npm:real@^2\n  d: ^1\ndependencies:\n  a: 1.0.0_react@18.0.0\n  b: /real/2.0.0\ndevDependencies:\n  d: 1.0.0\npackages:\n  /a/1.0.0_react@18.0.0:\n    resolution: {integrity: sha1-3uQ6JXzRdQ1X6L+OfDUb8FNEIhw=}\n    dependencies:\n      '@s/c': 3.0.0\n    dev: false\n  /real/2.0.0:\n    resolution: {integrity: sha1-3uQ6JXzRdQ1X6L+OfDUb8FNEIhw=}\n  /@s/c/3.0.0:\n    resolution: {integrity: sha1-3uQ6JXzRdQ1X6L+OfDUb8FNEIhw=}\n  /d/1.0.0:\n    dev: true\n";
        let c = run(text).unwrap();
        let purls: Vec<String> = c
            .packages
            .iter()
            .map(|p| p.component.purl.to_string())
            .collect();
        assert_eq!(
            purls,
            [
                "pkg:npm/a@1.0.0",
                "pkg:npm/real@2.0.0",
                "pkg:npm/%40s/c@3.0.0",
                "pkg:npm/d@1.0.0"
            ]
        );
        assert_eq!(c.packages[1].component.properties["alias"], "b");
        assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
        let kinds: Vec<DepKind> = c.projects[0].deps.iter().map(|e| e.kind).collect();
        assert_eq!(kinds, [DepKind::Normal, DepKind::Normal, DepKind::Dev]);
        assert_eq!(c.packages[0].component.hashes.len(), 1);
        assert_eq!(
            c.packages[0]
                .component
                .locations
                .iter()
                .next()
                .unwrap()
                .line,
            Some(12)
        );
    }

    #[test]
    fn documents() {
        let lock = "lockfileVersion: '9.0'\nimporters:\n  .:\n    dependencies:\n      x: {specifier: ^1, version: 1.0.0}\npackages:\n  x@1.0.0: {}\nsnapshots:\n  x@1.0.0: {}\n";
        // Another document before the lockfile: left out, said so; lines from the top.
        let c = run(&format!("---\nfoo: bar\n---\n{lock}")).unwrap();
        assert_eq!(c.packages.len(), 1);
        assert_eq!(
            c.packages[0]
                .component
                .locations
                .iter()
                .next()
                .unwrap()
                .line,
            Some(10)
        );
        assert_eq!(c.diagnostics.len(), 1);
        assert_eq!(
            (c.diagnostics[0].severity, c.diagnostics[0].line),
            (Severity::Info, Some(1))
        );
        // A broken document names its line in the file.
        let err = run(&format!("---\nfoo: bar\n---\n{lock}  x@1.0.0: {{}}\n")).unwrap_err();
        assert_eq!(err.line(), Some(13), "{err}");
        // Only the environment document: nothing of the project's, and no component.
        let env = "---\nlockfileVersion: '9.0'\nimporters:\n  .:\n    configDependencies:\n      x: {specifier: 1.0.0, version: 1.0.0}\npackages:\n  x@1.0.0: {}\nsnapshots:\n  x@1.0.0: {}\n";
        let c = run(&format!("{env}---\n")).unwrap();
        assert!(c.packages.is_empty() && c.projects.is_empty(), "{c:?}");
        assert_eq!(c.diagnostics.len(), 1);
        assert_eq!(c.diagnostics[0].severity, Severity::Info);
        // The environment document, then the lockfile.
        let c = run(&format!("{env}---\n{lock}")).unwrap();
        let purls: Vec<String> = c
            .packages
            .iter()
            .map(|p| p.component.purl.to_string())
            .collect();
        assert_eq!(purls, ["pkg:npm/x@1.0.0"]);
        assert_eq!(
            c.packages[0]
                .component
                .locations
                .iter()
                .next()
                .unwrap()
                .line,
            Some(18)
        );
        // A file of nothing but documents markers is not a lockfile.
        assert!(run("---\n---\n").is_err());
    }

    #[test]
    fn malformed() {
        assert!(run("").is_err());
        assert!(run("lockfileVersion: 'x'\n").is_err());
        assert!(run("lockfileVersion: '4.0'\n").is_err());
        assert!(run("lockfileVersion: '9.0'\npackages: [\n")
            .unwrap_err()
            .line()
            .is_some());
        let c = run("lockfileVersion: '9.0'\nimporters:\n  .:\n    dependencies:\n      x: {specifier: ^1, version: 1.0.0}\npackages:\n  noversion: {}\n  3: 4\n").unwrap();
        assert_eq!(c.diagnostics.len(), 2, "{:?}", c.diagnostics);
    }
}
