//! `package-lock.json` and `npm-shrinkwrap.json`, lockfile versions 1, 2 and 3.
//!
//! Supported:
//! - v2/v3 `packages`: the `""` entry is the root [`Project`]; `node_modules/…` entries are
//!   packages, named by the path after the last `node_modules/` unless the entry has a `name`
//!   (an `npm:` alias: the component is the real package, with property `alias`); other keys
//!   (`packages/a`) are workspace members, each a [`Project`] in its directory; `link: true`
//!   entries point at those members, so edges go to the member project, never to a
//!   third-party component.
//! - v1 `dependencies`: the nested tree (`requires`, `dependencies`, `dev`, `optional`,
//!   `bundled`, `npm:` versions), flattened to the same `node_modules/…` paths. v1 does not
//!   list the root's own dependencies, so they are read from the `package.json` beside the
//!   lock (through `Input::abs`, the one file this parser reads besides its input); without
//!   it, packages nothing else requires are taken as direct.
//! - Edges resolve a dependency name the way Node does: the package's own `node_modules`,
//!   then each enclosing one up to the root. Kinds: `dependencies` Normal,
//!   `optionalDependencies` Optional, `peerDependencies` Peer (Optional when
//!   `peerDependenciesMeta` says so), and for the root and workspace members
//!   `devDependencies` Dev. A missing optional or peer target is skipped quietly (e.g. a
//!   platform package not installed); a missing required one is a warning.
//! - `version`, `resolved` (property, and the purl qualifier for git / non-registry URLs),
//!   `integrity` (hashes), `license`, and the `dev` / `optional` / `devOptional` flags as the
//!   scope hint (in v1, no higher than the hint of the package it is nested in); `inBundle` / `bundled` become property `bundled`, `peer` property `peer`.
//!
//! Nesting beyond [`MAX_DEPTH`] levels in a v1 tree is a warning, never a stack overflow.

use super::{component, integrity_hashes, licenses, split_name};
use crate::{Input, ParseError};
use bomscout_core::escape::{quote, QUOTE_LIMIT};
use bomscout_core::{Catalog, DepKind, Diagnostic, Ecosystem, Location, NodeRef, Project, Scope};
use serde_json::{Map, Value};
use std::collections::HashMap;

/// How deep a v1 `dependencies` tree may nest.
pub const MAX_DEPTH: usize = 256;

/// One lock entry, the same for every lockfile version.
struct Entry<'a> {
    /// `node_modules/a/node_modules/b`, or a workspace path, or `""` for the root.
    key: String,
    doc: &'a Map<String, Value>,
    /// The real package name (from `name`, or an `npm:` alias in v1, or the key).
    name: String,
    version: Option<String>,
    /// The alias the package is installed under, if not its own name.
    alias: Option<String>,
    deps: Vec<(String, DepKind)>,
    /// The highest scope the entry can have: a v1 entry nested in a package's
    /// `dependencies` is in that package's `node_modules`, reachable from it alone, so it is
    /// no more than its parent (dev under a dev package, even where a lock written before
    /// `requires` existed gives no edge to it). `Required` for v2/v3 entries.
    cap: Scope,
}

/// Parses one lockfile.
pub fn parse(input: &Input) -> Result<Catalog, ParseError> {
    let doc: Value = serde_json::from_slice(input.bytes)?;
    let root = doc
        .as_object()
        .ok_or_else(|| ParseError::format("a lockfile must be a JSON object"))?;
    let mut cat = Catalog::default();
    let entries = match root.get("packages") {
        Some(Value::Object(packages)) => v2_entries(packages),
        Some(_) => return Err(not_an_object(input.bytes, "packages", "install paths")),
        None => match root.get("dependencies") {
            Some(Value::Object(deps)) => v1_entries(root, deps, input, &mut cat.diagnostics),
            None => Vec::new(),
            Some(_) => return Err(not_an_object(input.bytes, "dependencies", "package names")),
        },
    };
    build(&mut cat, &entries, root, input.path);
    Ok(cat)
}

/// `key` holds something other than an object: the error names the key's line (its first
/// occurrence, the top-level key in a lockfile npm wrote) and how to get a good lockfile.
fn not_an_object(bytes: &[u8], key: &str, keyed_by: &str) -> ParseError {
    let quoted = format!("\"{key}\"");
    let line = bytes
        .windows(quoted.len())
        .position(|w| w == quoted.as_bytes())
        .map(|at| crate::text::line_of_bytes(bytes, at));
    ParseError::Format {
        line,
        message: format!(
            "`{key}` must be an object keyed by {keyed_by}; the lockfile was edited or \
             written by another tool: regenerate it with `npm install --package-lock-only`"
        ),
    }
}

/// v2/v3: one entry per `packages` key.
fn v2_entries(packages: &Map<String, Value>) -> Vec<Entry<'_>> {
    packages
        .iter()
        .filter_map(|(key, v)| {
            let doc = v.as_object()?;
            let installed_as = installed_name(key);
            let name = match doc.get("name").and_then(Value::as_str) {
                Some(n) => n.to_string(),
                None => installed_as.to_string(),
            };
            let alias = (key.contains("node_modules/") && name != installed_as)
                .then(|| installed_as.to_string());
            let mut deps = dep_list(doc, "dependencies", DepKind::Normal);
            deps.extend(dep_list(doc, "optionalDependencies", DepKind::Optional));
            deps.extend(peer_deps(doc));
            if !key.contains("node_modules/") {
                deps.extend(dep_list(doc, "devDependencies", DepKind::Dev));
            }
            Some(Entry {
                key: key.clone(),
                doc,
                name,
                version: doc
                    .get("version")
                    .and_then(Value::as_str)
                    .map(str::to_string),
                alias,
                deps,
                cap: Scope::Required,
            })
        })
        .collect()
}

/// The name a package is installed under: the path after the last `node_modules/`.
fn installed_name(key: &str) -> &str {
    key.rsplit_once("node_modules/")
        .map(|(_, n)| n)
        .unwrap_or(key)
}

fn dep_list(doc: &Map<String, Value>, field: &str, kind: DepKind) -> Vec<(String, DepKind)> {
    doc.get(field)
        .and_then(Value::as_object)
        .map(|m| m.keys().map(|k| (k.clone(), kind)).collect())
        .unwrap_or_default()
}

fn peer_deps(doc: &Map<String, Value>) -> Vec<(String, DepKind)> {
    let meta = doc.get("peerDependenciesMeta").and_then(Value::as_object);
    let optional = |name: &str| {
        meta.and_then(|m| m.get(name))
            .and_then(|m| m.get("optional"))
            .and_then(Value::as_bool)
            .unwrap_or(false)
    };
    dep_list(doc, "peerDependencies", DepKind::Peer)
        .into_iter()
        .map(|(n, _)| {
            let kind = if optional(&n) {
                DepKind::Optional
            } else {
                DepKind::Peer
            };
            (n, kind)
        })
        .collect()
}

/// v1: flattens the nested tree into `node_modules/…` keys; the root entry comes from the
/// sibling `package.json`.
fn v1_entries<'a>(
    root: &'a Map<String, Value>,
    deps: &'a Map<String, Value>,
    input: &Input,
    diagnostics: &mut Vec<bomscout_core::Diagnostic>,
) -> Vec<Entry<'a>> {
    let mut out = vec![Entry {
        key: String::new(),
        doc: root,
        name: root
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
        version: root
            .get("version")
            .and_then(Value::as_str)
            .map(str::to_string),
        alias: None,
        deps: Vec::new(),
        cap: Scope::Required,
    }];
    let mut stack = vec![(String::new(), deps, 0usize, Scope::Required)];
    while let Some((prefix, deps, depth, cap)) = stack.pop() {
        if depth > MAX_DEPTH {
            diagnostics.push(Diagnostic::warning(
                input.path,
                format!("dependencies nest deeper than {MAX_DEPTH} levels; the rest is skipped"),
            ));
            continue;
        }
        for (installed_as, v) in deps {
            let Some(doc) = v.as_object() else { continue };
            let key = if prefix.is_empty() {
                format!("node_modules/{installed_as}")
            } else {
                format!("{prefix}/node_modules/{installed_as}")
            };
            let raw_version = doc
                .get("version")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let (name, version, alias) = match raw_version.strip_prefix("npm:") {
                Some(spec) => match spec.rsplit_once('@').filter(|(n, _)| !n.is_empty()) {
                    Some((n, v)) => (n.to_string(), v.to_string(), Some(installed_as.clone())),
                    None => (installed_as.clone(), spec.to_string(), None),
                },
                None => (installed_as.clone(), raw_version.to_string(), None),
            };
            let requires = dep_list(doc, "requires", DepKind::Normal);
            let cap = cap.min(hint(doc));
            if let Some(Value::Object(nested)) = doc.get("dependencies") {
                stack.push((key.clone(), nested, depth + 1, cap));
            }
            out.push(Entry {
                key,
                doc,
                name,
                version: Some(version).filter(|v| !v.is_empty()),
                alias,
                deps: requires,
                cap,
            });
        }
    }
    out[0].deps = v1_root_deps(input, &out);
    out
}

/// The root's direct dependencies for a v1 lock: from the sibling `package.json`, else the
/// top-level packages nothing requires.
fn v1_root_deps(input: &Input, entries: &[Entry]) -> Vec<(String, DepKind)> {
    let manifest = crate::text::sibling_bytes(input, "package.json")
        .and_then(|b| serde_json::from_slice::<Value>(&b).ok());
    if let Some(Value::Object(m)) = manifest {
        let mut deps = dep_list(&m, "dependencies", DepKind::Normal);
        deps.extend(dep_list(&m, "optionalDependencies", DepKind::Optional));
        deps.extend(peer_deps(&m));
        deps.extend(dep_list(&m, "devDependencies", DepKind::Dev));
        return deps;
    }
    let required: std::collections::HashSet<&str> = entries
        .iter()
        .flat_map(|e| e.deps.iter().map(|(n, _)| n.as_str()))
        .collect();
    entries
        .iter()
        .filter(|e| e.key.matches("node_modules/").count() == 1)
        .map(|e| installed_name(&e.key))
        .filter(|n| !required.contains(n))
        .map(|n| {
            let dev = entries
                .iter()
                .any(|e| e.key == format!("node_modules/{n}") && flag(e.doc, "dev"));
            (
                n.to_string(),
                if dev { DepKind::Dev } else { DepKind::Normal },
            )
        })
        .collect()
}

/// The scope npm's flags give an entry: `dev`, `optional` / `devOptional`, else required.
fn hint(doc: &Map<String, Value>) -> Scope {
    if flag(doc, "dev") {
        Scope::Dev
    } else if flag(doc, "optional") || flag(doc, "devOptional") {
        Scope::Optional
    } else {
        Scope::Required
    }
}

fn flag(doc: &Map<String, Value>, name: &str) -> bool {
    doc.get(name).and_then(Value::as_bool).unwrap_or(false)
}

/// Adds every entry as a project or package, then every edge.
fn build(cat: &mut Catalog, entries: &[Entry], root: &Map<String, Value>, path: &str) {
    let lock_dir = crate::paths::dir_of(path);
    let mut nodes: HashMap<&str, NodeRef> = HashMap::new();
    let mut links: HashMap<&str, &str> = HashMap::new();
    for e in entries {
        if flag(e.doc, "link") {
            if let Some(target) = e.doc.get("resolved").and_then(Value::as_str) {
                links.insert(&e.key, target);
            }
            continue;
        }
        let node = if e.key.contains("node_modules/") {
            package(cat, e, path)
        } else {
            Some(project(cat, e, root, lock_dir, path))
        };
        if let Some(node) = node {
            nodes.insert(&e.key, node);
        }
    }
    for e in entries {
        let Some(&from) = nodes.get(e.key.as_str()) else {
            continue;
        };
        for (name, kind) in &e.deps {
            let target = resolve(&e.key, name, &nodes, &links);
            match target {
                Some(to) => cat.add_edge(from, to, *kind),
                None if *kind == DepKind::Normal || *kind == DepKind::Dev => {
                    cat.diagnostics.push(Diagnostic::warning(
                        path,
                        format!(
                            "{} depends on {}, which the lock does not contain",
                            quote(&e.key, QUOTE_LIMIT),
                            quote(name, QUOTE_LIMIT)
                        ),
                    ));
                }
                None => {}
            }
        }
    }
}

/// Node's module resolution over lock keys, following workspace links.
fn resolve(
    from: &str,
    name: &str,
    nodes: &HashMap<&str, NodeRef>,
    links: &HashMap<&str, &str>,
) -> Option<NodeRef> {
    let mut base = from;
    loop {
        let candidate = if base.is_empty() {
            format!("node_modules/{name}")
        } else {
            format!("{base}/node_modules/{name}")
        };
        let key = links.get(candidate.as_str()).copied().unwrap_or(&candidate);
        if let Some(node) = nodes.get(key) {
            return Some(*node);
        }
        if base.is_empty() {
            return None;
        }
        base = match base.rfind("/node_modules/") {
            Some(i) => base.get(..i).unwrap_or_default(),
            None => "",
        };
    }
}

fn package(cat: &mut Catalog, e: &Entry, path: &str) -> Option<NodeRef> {
    let Some(version) = e.version.as_deref() else {
        cat.diagnostics.push(Diagnostic::warning(
            path,
            format!("{} has no version; skipped", quote(&e.key, QUOTE_LIMIT)),
        ));
        return None;
    };
    let resolved = e.doc.get("resolved").and_then(Value::as_str);
    let mut c = match component(&e.name, version, resolved) {
        Ok(c) => c,
        Err(err) => {
            cat.diagnostics.push(Diagnostic::warning(
                path,
                format!("{}: {err}", quote(&e.key, QUOTE_LIMIT)),
            ));
            return None;
        }
    };
    if let Some(i) = e.doc.get("integrity").and_then(Value::as_str) {
        integrity_hashes(i).into_iter().for_each(|h| c.add_hash(h));
    }
    for l in licenses(e.doc, path) {
        c.add_license(l);
    }
    c.scope = hint(e.doc).min(e.cap);
    if let Some(r) = resolved {
        c.properties.insert("resolved".into(), r.to_string());
    }
    if let Some(alias) = &e.alias {
        c.properties.insert("alias".into(), alias.clone());
    }
    if flag(e.doc, "inBundle") || flag(e.doc, "bundled") {
        c.properties.insert("bundled".into(), "true".into());
    }
    if flag(e.doc, "peer") {
        c.properties.insert("peer".into(), "true".into());
    }
    Some(cat.add_package(c.at(Location::new(path))))
}

fn project(
    cat: &mut Catalog,
    e: &Entry,
    root: &Map<String, Value>,
    lock_dir: &str,
    path: &str,
) -> NodeRef {
    let dir = crate::paths::join_dir(lock_dir, &e.key);
    let mut p = Project::in_dir(Ecosystem::Npm, &dir, path);
    let doc = if e.key.is_empty() { root } else { e.doc };
    let name = doc
        .get("name")
        .and_then(Value::as_str)
        .filter(|n| !n.is_empty());
    p.name = name.map(str::to_string);
    p.version = e.version.clone();
    if let (Some(n), Some(v)) = (name, e.version.as_deref()) {
        let (ns, short) = split_name(n);
        p.purl = bomscout_core::Purl::build(Ecosystem::Npm, ns, short, Some(v), &[]).ok();
    }
    p.licenses = licenses(doc, path);
    cat.add_project(p)
}
