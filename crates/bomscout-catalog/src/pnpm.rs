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
//! - The YAML is read by [`crate::yaml_block`] (one pass, strings borrowed, each key's line),
//!   with serde_norway behind it for anything pnpm does not write.

use crate::npm::{component, integrity_hashes};
use crate::yaml_block::{Entry, Node, Reader};
use crate::{Input, ParseError};
use bomscout_core::escape::{quote, QUOTE_LIMIT};
use bomscout_core::{Catalog, DepKind, Diagnostic, Ecosystem, NodeRef, Project, Severity};
use foldhash::{HashMap, HashMapExt};
use std::borrow::Cow;
use std::cell::OnceCell;

/// Parses one `pnpm-lock.yaml`.
pub fn parse(input: &Input) -> Result<Catalog, ParseError> {
    parse_with(input, Reader::Fast)
}

/// [`parse`], with the YAML read by `reader` (the tests compare both).
pub(crate) fn parse_with(input: &Input, reader: Reader) -> Result<Catalog, ParseError> {
    let text = crate::text::utf8(input.bytes)?;
    let (doc, notes) = lockfile_document(text, input.path(), reader)?;
    let major = lockfile_major(&doc.value)?;
    if is_env_document(&doc.value) {
        // Only pnpm's environment lockfile (written before the first install): nothing of
        // the project's is locked yet.
        let mut catalog = Catalog::default();
        catalog.diagnostics.push(
            Diagnostic::new(
                Severity::Info,
                input.path(),
                "holds only pnpm's environment lockfile (configDependencies / packageManagerDependencies): no project dependency is locked yet; run `pnpm install`",
            )
            .at_line(doc.first_line),
        );
        return Ok(catalog);
    }
    let mut lock = Lock {
        input,
        major,
        text: doc.text,
        key_lines: OnceCell::new(),
        first_line: doc.first_line,
        catalog: Catalog::default(),
        nodes: HashMap::new(),
        id: String::new(),
        declared_before: HashMap::new(),
    };
    lock.catalog.diagnostics.extend(notes);
    let doc = &doc.value;
    // A package's line is the first line declaring its key as a second-level key, which
    // may come before `packages` (`patchedDependencies:` names `name@version` keys too):
    // the second-level keys of the sections before it, first line each.
    for section in doc.entries() {
        if section.key.as_str() == Some("packages") {
            break;
        }
        for e in section.value.entries() {
            if let Some(key) = e.key.as_str() {
                lock.declared_before.entry(key).or_insert(e.line);
            }
        }
    }
    let meta = doc.get("packages").map_or(&[][..], Node::entries);
    // 9.x splits metadata (`packages`) from the graph (`snapshots`); before, one map holds both.
    let graph = if major >= 9 {
        doc.get("snapshots").map_or(&[][..], Node::entries)
    } else {
        meta
    };
    lock.catalog.packages.reserve(meta.len());
    for e in meta {
        if let Some(key) = e.key.as_str() {
            lock.package(key, e);
        }
    }
    for Entry { key, value, .. } in graph {
        let Some(key) = key.as_str() else { continue };
        let Some(from) = lock.node_of_key(key) else {
            continue;
        };
        for (field, kind) in [
            ("dependencies", DepKind::Normal),
            ("optionalDependencies", DepKind::Optional),
        ] {
            for (name, reference) in deps(value.get(field)) {
                lock.edge(NodeRef::Package(from), name, &reference, kind);
            }
        }
    }
    lock.importers(doc);
    Ok(lock.catalog)
}

/// One lockfile being read; `'t` is the YAML tree's lifetime.
struct Lock<'a, 't> {
    input: &'a Input<'a>,
    major: u32,
    /// The lockfile's document.
    text: &'t str,
    /// The line of each top-level entry (`  key:`) of the document, found only when a
    /// diagnostic about a dependency name needs one.
    key_lines: OnceCell<crate::text::KeyLines<'t>>,
    /// The line the lockfile's document begins on.
    first_line: u32,
    catalog: Catalog,
    /// `name@version` → package index.
    nodes: HashMap<Cow<'t, str>, usize>,
    /// A dependency's `name@version`, reused from edge to edge.
    id: String,
    /// The first line of each second-level key of the sections before `packages`.
    declared_before: HashMap<&'t str, u32>,
}

impl<'t> Lock<'_, 't> {
    /// Adds the package of a `packages` entry, once per `name@version`.
    fn package(&mut self, key: &'t str, entry: &Entry) {
        let line = self.line_in_file(self.declared_before.get(key).copied().unwrap_or(entry.line));
        let id = self.id_of_key(key);
        if self.nodes.contains_key(id.as_ref()) {
            return;
        }
        let Some((name, version)) = split_id(&id) else {
            self.warn_at(
                line,
                format!(
                    "package key {} is not name@version",
                    quote(key, QUOTE_LIMIT)
                ),
            );
            return;
        };
        let resolution = entry.value.get("resolution");
        let source = resolution.and_then(|r| {
            r.get("tarball")
                .or_else(|| r.get("repo"))
                .and_then(Node::as_str)
                .map(|s| match r.get("type").and_then(Node::as_str) {
                    Some("git") => Cow::Owned(format!("git+{s}")),
                    _ => Cow::Borrowed(s),
                })
        });
        let mut c = match component(name, version, source.as_deref()) {
            Ok(c) => c,
            Err(e) => {
                self.warn_at(line, format!("{key}: {e}"));
                return;
            }
        };
        if let Some(i) = resolution
            .and_then(|r| r.get("integrity"))
            .and_then(Node::as_str)
        {
            for h in integrity_hashes(i) {
                c.add_hash(h);
            }
        }
        let location = match line {
            Some(l) => self.input.at_line(l),
            None => self.input.location(),
        };
        let node = self.catalog.add_package(c.at(location));
        if let NodeRef::Package(i) = node {
            self.nodes.insert(id, i);
        }
    }

    fn node_of_key(&self, key: &str) -> Option<usize> {
        self.nodes.get(self.id_of_key(key).as_ref()).copied()
    }

    /// `name@version` of a `packages`/`snapshots` key: no leading `/`, no peer suffix.
    fn id_of_key<'k>(&self, key: &'k str) -> Cow<'k, str> {
        let key = key.strip_prefix('/').unwrap_or(key);
        if self.major < 6 {
            // `@scope/name/1.0.0_peer@1.0.0`
            let key = key.split('_').next().unwrap_or(key);
            return match key.rsplit_once('/') {
                Some((name, version)) => Cow::Owned(format!("{name}@{version}")),
                None => Cow::Borrowed(key),
            };
        }
        Cow::Borrowed(strip_peers(key))
    }

    /// Writes into `id` the package a dependency `name: reference` points at, as
    /// `name@version`; `false` for links to workspace projects and local directories.
    fn id_of_dep(&self, name: &str, reference: &str, id: &mut String) -> bool {
        if reference.starts_with("link:") || reference.starts_with("file:") {
            return false;
        }
        let r = reference.strip_prefix('/').unwrap_or(reference);
        if r.starts_with(|c: char| c.is_ascii_digit()) {
            let version = if self.major < 6 {
                r.split('_').next().unwrap_or(r)
            } else {
                strip_peers(r)
            };
            id.push_str(name);
            id.push('@');
            id.push_str(version);
            return true;
        }
        // An alias: the reference names the real package.
        id.push_str(&self.id_of_key(reference));
        true
    }

    fn edge(&mut self, from: NodeRef, name: &str, reference: &str, kind: DepKind) {
        let mut id = std::mem::take(&mut self.id);
        id.clear();
        if self.id_of_dep(name, reference, &mut id) {
            match self.nodes.get(id.as_str()) {
                Some(&to) => {
                    if split_id(&id).is_some_and(|(real, _)| real != name) {
                        let c = &mut self.catalog.packages[to].component;
                        c.properties
                            .entry("alias".into())
                            .or_insert_with(|| name.to_string());
                    }
                    self.catalog.add_edge(from, NodeRef::Package(to), kind);
                }
                None => self.warn_at(
                    self.line_of_name(name),
                    format!("{name}: {reference} is not in the lockfile's packages"),
                ),
            }
        }
        self.id = id;
    }

    /// Projects and their direct dependencies.
    fn importers(&mut self, doc: &Node) {
        let base = crate::paths::dir_of(self.input.path());
        let importers: Vec<(&str, &Node)> = match doc.get("importers").and_then(Node::as_map) {
            Some(m) => m
                .iter()
                .filter_map(|e| Some((e.key.as_str()?, &e.value)))
                .collect(),
            None => vec![(".", doc)],
        };
        for (dir, importer) in importers {
            let dir = if dir == "." {
                base.to_string()
            } else {
                crate::paths::join_dir(base, dir)
            };
            let project =
                self.catalog
                    .add_project(Project::in_dir(Ecosystem::Npm, &dir, self.input.path()));
            for (field, kind) in [
                ("dependencies", DepKind::Normal),
                ("devDependencies", DepKind::Dev),
                ("optionalDependencies", DepKind::Optional),
            ] {
                for (name, reference) in deps(importer.get(field)) {
                    self.edge(project, name, &reference, kind);
                }
            }
        }
    }

    /// The line in the file of a line of the lockfile's document (0: unknown).
    fn line_in_file(&self, line: u32) -> Option<u32> {
        (line > 0).then(|| line.saturating_add(self.first_line - 1))
    }

    /// The first line of the document declaring `name` as a top-level entry (`  name:`),
    /// if any: where a diagnostic about a dependency name points.
    fn line_of_name(&self, name: &str) -> Option<u32> {
        let text = self.text;
        let keys = self
            .key_lines
            .get_or_init(|| crate::text::KeyLines::new(text, |l| crate::text::yaml_key_at(l, 2)));
        keys.get(name)
            .map(|l| l.saturating_add(self.first_line - 1))
    }

    fn warn_at(&mut self, line: Option<u32>, message: String) {
        let mut d = Diagnostic::warning(self.input.path(), message);
        d.line = line;
        self.catalog.diagnostics.push(d);
    }
}

/// One parsed YAML document of the file.
struct Document<'a> {
    value: Node<'a>,
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
    reader: Reader,
) -> Result<(Document<'a>, Vec<Diagnostic>), ParseError> {
    let docs: Vec<Document> = crate::yaml_block::documents(text, reader)?
        .into_iter()
        .filter(|(_, _, value)| !value.is_null())
        .map(|(first_line, text, value)| Document {
            value,
            text,
            first_line,
        })
        .collect();
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
                .map(|(name, _)| quote(name, QUOTE_LIMIT))
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

fn root_importer<'n, 'a>(doc: &'n Node<'a>) -> Option<&'n Node<'a>> {
    doc.get("importers").and_then(|i| i.get("."))
}

/// pnpm's environment lockfile: importers that hold nothing but `configDependencies` and
/// `packageManagerDependencies`, one of them at the root.
fn is_env_document(doc: &Node) -> bool {
    let env_field = |e: &Entry| {
        matches!(
            e.key.as_str(),
            Some("configDependencies" | "packageManagerDependencies")
        )
    };
    let Some(importers) = doc.get("importers").and_then(Node::as_map) else {
        return false;
    };
    root_importer(doc)
        .and_then(Node::as_map)
        .is_some_and(|root| root.iter().any(env_field))
        && importers
            .iter()
            .all(|imp| imp.value.as_map().is_some_and(|m| m.iter().all(env_field)))
}

/// `(name, reference)` pairs of a dependency map: `name: 1.0.0` (5.x and snapshots) or
/// `name: {specifier, version}` (importers, 6.x and 9.x).
fn deps<'n>(map: Option<&'n Node>) -> impl Iterator<Item = (&'n str, Cow<'n, str>)> {
    map.map_or(&[][..], Node::entries).iter().filter_map(|e| {
        let name = e.key.as_str()?;
        let reference = match &e.value {
            Node::Map(_) => Cow::Borrowed(e.value.get("version")?.as_str()?),
            Node::Str(s) => Cow::Borrowed(s.as_ref()),
            Node::Number(n) => Cow::Owned(n.to_string()),
            _ => return None,
        };
        Some((name, reference))
    })
}

/// `lockfileVersion` as its major number: `5.4`, `'6.0'`, `'9.0'`.
fn lockfile_major(doc: &Node) -> Result<u32, ParseError> {
    let v = match doc.get("lockfileVersion") {
        Some(Node::Str(s)) => s.to_string(),
        Some(Node::Number(n)) => n.to_string(),
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

    /// A package key declared before `packages` (a patched dependency) has that first
    /// line, whichever parser reads the YAML.
    #[test]
    fn a_package_declared_before_packages_has_its_first_line() {
        let text = "lockfileVersion: '9.0'\npatchedDependencies:\n  x@1.0.0:\n    hash: abc\n    path: patches/x@1.0.0.patch\nimporters:\n  .:\n    dependencies:\n      x: {specifier: ^1, version: 1.0.0}\npackages:\n  x@1.0.0: {}\n  y@1.0.0: {}\nsnapshots:\n  x@1.0.0: {}\n  y@1.0.0: {}\n";
        let options = crate::Options::default();
        let input = Input {
            bytes: text.as_bytes(),
            shared_path: &bomscout_core::SharedStr::from("pnpm-lock.yaml"),
            abs: std::path::Path::new("/nonexistent/pnpm-lock.yaml"),
            root: std::path::Path::new("/nonexistent"),
            options: &options,
            tree: &crate::DISK,
        };
        let fast = parse_with(&input, Reader::Fast).unwrap();
        assert_eq!(fast, parse_with(&input, Reader::Serde).unwrap());
        let lines: Vec<Option<u32>> = fast
            .packages
            .iter()
            .map(|p| p.component.locations.iter().next().unwrap().line)
            .collect();
        assert_eq!(lines, [Some(3), Some(12)]);
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
