//! yarn berry's lockfile (v2+): YAML, keyed by comma-separated descriptors with their
//! protocol (`lodash@npm:^4.17.21`). `resolution` names the locked package
//! (`name@npm:1.0.0`); `workspace:` resolutions are the projects, whose dependencies are
//! edges of the kind their `package.json` declares; `patch:` resolutions lock the patched
//! package (`patched` property); `checksum` is the hash of yarn's own cache archive, not of
//! the registry tarball, so it is kept as a property rather than a package hash.
//! - Dependency ranges are written with their protocol since lockfile version 8
//!   (`dep: "npm:^1.0.0"`), without it before (`dep: ^1.0.0`, yarn 2 and 3); a range
//!   without a protocol is looked up with berry's default one, `npm:`.
//! - The YAML is read by [`crate::yaml_block`] (one pass, strings borrowed, each key's line),
//!   with serde_norway behind it for anything berry does not write.

use super::{split_descriptor, Manifest};
use crate::npm::component;
use crate::yaml_block::{self, Node as Yaml, Reader};
use crate::{Input, ParseError};
use bomscout_core::escape::{quote, QUOTE_LIMIT};
use bomscout_core::{Catalog, DepKind, Diagnostic, Ecosystem, NodeRef, Project};
use foldhash::{HashMap, HashMapExt};
use std::borrow::Cow;

enum Node {
    Package(usize),
    Project(NodeRef, String),
}

pub(super) fn parse(text: &str, input: &Input) -> Result<Catalog, ParseError> {
    parse_with(text, input, Reader::Fast)
}

/// [`parse`], with the YAML read by `reader` (the tests compare both).
pub(super) fn parse_with(text: &str, input: &Input, reader: Reader) -> Result<Catalog, ParseError> {
    let doc = yaml_block::parse(text, reader)?;
    let entries = doc
        .as_map()
        .ok_or_else(|| ParseError::format("a yarn berry lockfile must be a mapping"))?;
    let mut catalog = Catalog::default();
    catalog.packages.reserve(entries.len());
    let mut by_descriptor: HashMap<&str, usize> = HashMap::with_capacity(entries.len());
    let mut by_purl: HashMap<String, usize> = HashMap::new();
    let mut nodes: Vec<(Node, &Yaml, u32)> = Vec::new();
    let base = crate::paths::dir_of(input.path());
    for e in entries {
        let Some(key) = e.key.as_str().filter(|k| *k != "__metadata") else {
            continue;
        };
        let (entry, line) = (&e.value, e.line);
        let Some(resolution) = entry.get("resolution").and_then(Yaml::as_str) else {
            warn(
                &mut catalog,
                input,
                line,
                format!("{key} has no resolution"),
            );
            continue;
        };
        let Some((name, reference)) = split_descriptor(resolution) else {
            warn(
                &mut catalog,
                input,
                line,
                format!(
                    "{key}: resolution {} is not name@reference",
                    quote(resolution, QUOTE_LIMIT)
                ),
            );
            continue;
        };
        let node = if let Some(dir) = reference.strip_prefix("workspace:") {
            let dir = if dir == "." {
                base.to_string()
            } else {
                crate::paths::join_dir(base, dir)
            };
            let project = catalog.add_project(Project::in_dir(Ecosystem::Npm, &dir, input.path()));
            Node::Project(project, dir)
        } else {
            match package(
                name,
                reference,
                entry,
                input,
                line,
                &mut catalog,
                &mut by_purl,
            ) {
                Some(i) => Node::Package(i),
                None => continue,
            }
        };
        if let Node::Package(i) = node {
            for d in key.split(", ") {
                by_descriptor.insert(d.trim(), i);
            }
        }
        nodes.push((node, entry, line));
    }
    // `name@range`, reused from dependency to dependency.
    let mut descriptor = String::new();
    for (node, entry, line) in &nodes {
        let (from, kinds) = match node {
            Node::Package(i) => (NodeRef::Package(*i), HashMap::new()),
            Node::Project(p, dir) => (*p, project_kinds(input, base, dir)),
        };
        for (field, default) in [
            ("dependencies", DepKind::Normal),
            ("peerDependencies", DepKind::Peer),
        ] {
            let Some(deps) = entry.get(field).and_then(Yaml::as_map) else {
                continue;
            };
            for dep in deps {
                let (Some(name), Some(range)) = (dep.key.as_str(), dep.value.as_str()) else {
                    continue;
                };
                if range.starts_with("workspace:")
                    || range.starts_with("link:")
                    || range.starts_with("portal:")
                {
                    continue;
                }
                let Some(to) = lookup(&by_descriptor, name, range, &mut descriptor) else {
                    // An unmet peer dependency is not in the lockfile, and that is fine.
                    if field == "dependencies" {
                        warn(
                            &mut catalog,
                            input,
                            *line,
                            format!("{name}@{range} is not in the lockfile"),
                        );
                    }
                    continue;
                };
                let kind = kinds.get(name).copied().unwrap_or(default);
                let kind = if optional_meta(entry, name) {
                    DepKind::Optional
                } else {
                    kind
                };
                catalog.add_edge(from, NodeRef::Package(to), kind);
            }
        }
    }
    Ok(catalog)
}

/// The package a `resolution` locks, deduplicated by purl.
fn package(
    name: &str,
    reference: &str,
    entry: &Yaml,
    input: &Input,
    line: u32,
    catalog: &mut Catalog,
    by_purl: &mut HashMap<String, usize>,
) -> Option<usize> {
    let version = entry.get("version").and_then(|v| match v.as_str() {
        Some(s) => Some(Cow::Borrowed(s)),
        None => v.as_f64().map(|v| Cow::Owned(v.to_string())),
    });
    let Some(version) = version else {
        warn(
            catalog,
            input,
            line,
            format!("{name}@{reference} has no version"),
        );
        return None;
    };
    let patched = reference.starts_with("patch:");
    let source = match reference {
        r if r.starts_with("npm:") || patched => None,
        r => Some(r.split_once(':').map(|(_, url)| url).unwrap_or(r)),
    };
    let mut c = match component(name, &version, source) {
        Ok(c) => c,
        Err(e) => {
            warn(catalog, input, line, format!("{name}@{reference}: {e}"));
            return None;
        }
    };
    if let Some(&i) = by_purl.get(c.purl.as_str()) {
        return Some(i);
    }
    if patched {
        c.properties.insert("patched".into(), reference.to_string());
    }
    if let Some(sum) = entry.get("checksum").and_then(Yaml::as_str) {
        c.properties.insert("yarn-checksum".into(), sum.to_string());
    }
    let purl = c.purl.to_string();
    match catalog.add_package(c.at(input.at_line(line))) {
        NodeRef::Package(i) => {
            by_purl.insert(purl, i);
            Some(i)
        }
        NodeRef::Project(_) => None,
    }
}

/// Dependency kinds of the workspace in `dir` (relative to the scan root), from its
/// `package.json`.
fn project_kinds(input: &Input, base: &str, dir: &str) -> HashMap<String, DepKind> {
    let Some(root) = input.abs.parent() else {
        return HashMap::new();
    };
    let rel = dir
        .strip_prefix(base)
        .unwrap_or(dir)
        .trim_start_matches('/');
    let abs = if rel.is_empty() || rel == "." {
        root.to_path_buf()
    } else {
        root.join(rel)
    };
    Manifest::read(input.tree, input.root, &abs)
        .map(|m| {
            m.kinds()
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect()
        })
        .unwrap_or_default()
}

/// The package a dependency `name: range` resolves to. The range is looked up as written,
/// then, when it names no protocol (`^1.0.0`, `latest`, as lockfiles of yarn 2 and 3 write
/// it: `__metadata.version` 4 to 6), with berry's default protocol `npm:`, the one the
/// lockfile's keys carry (`name@npm:^1.0.0`).
fn lookup(
    by_descriptor: &HashMap<&str, usize>,
    name: &str,
    range: &str,
    descriptor: &mut String,
) -> Option<usize> {
    let mut find = |protocol: &str| {
        descriptor.clear();
        descriptor.push_str(name);
        descriptor.push('@');
        descriptor.push_str(protocol);
        descriptor.push_str(range);
        by_descriptor.get(descriptor.as_str()).copied()
    };
    find("").or_else(|| (!range.contains(':')).then(|| find("npm:")).flatten())
}

/// `dependenciesMeta: {name: {optional: true}}`.
fn optional_meta(entry: &Yaml, name: &str) -> bool {
    entry
        .get("dependenciesMeta")
        .and_then(|m| m.get(name))
        .and_then(|m| m.get("optional"))
        .and_then(Yaml::as_bool)
        .unwrap_or(false)
}

fn warn(catalog: &mut Catalog, input: &Input, line: u32, message: String) {
    let mut d = Diagnostic::warning(input.path(), message);
    d.line = (line > 0).then_some(line);
    catalog.diagnostics.push(d);
}

#[cfg(test)]
mod tests {
    use crate::parse_str;
    use bomscout_core::Catalog;

    fn run(text: &str) -> Result<Catalog, crate::ParseError> {
        parse_str(super::super::parse, "web/yarn.lock", text)
    }

    #[test]
    fn workspaces_patches_aliases_and_meta() {
        let text = "__metadata:\n  version: 8\n  cacheKey: 10c0\n\n\"app@workspace:.\":\n  version: 0.0.0-use.local\n  resolution: \"app@workspace:.\"\n  dependencies:\n    alias: \"npm:real@1.0.0\"\n    fsevents: \"patch:fsevents@npm%3A2.3.3#~builtin<compat/fsevents>\"\n    opt: \"npm:^1\"\n  dependenciesMeta:\n    opt:\n      optional: true\n  languageName: unknown\n  linkType: soft\n\n\"alias@npm:real@1.0.0\":\n  version: 1.0.0\n  resolution: \"real@npm:1.0.0\"\n  checksum: 10c0/abc\n  languageName: node\n  linkType: hard\n\n\"fsevents@patch:fsevents@npm%3A2.3.3#~builtin<compat/fsevents>\":\n  version: 2.3.3\n  resolution: \"fsevents@patch:fsevents@npm%3A2.3.3#~builtin<compat/fsevents>::version=2.3.3&hash=df0bf1\"\n  languageName: node\n  linkType: hard\n\n\"opt@npm:^1\":\n  version: 1.5.0\n  resolution: \"opt@npm:1.5.0\"\n  languageName: node\n  linkType: hard\n";
        let c = run(text).unwrap();
        assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
        let purls: Vec<String> = c
            .packages
            .iter()
            .map(|p| p.component.purl.to_string())
            .collect();
        assert_eq!(
            purls,
            [
                "pkg:npm/real@1.0.0",
                "pkg:npm/fsevents@2.3.3",
                "pkg:npm/opt@1.5.0"
            ]
        );
        assert!(c.packages[1].component.properties.contains_key("patched"));
        assert_eq!(c.projects[0].dir, "web");
        let kinds: Vec<_> = c.projects[0].deps.iter().map(|e| e.kind).collect();
        use bomscout_core::DepKind::*;
        assert_eq!(kinds, [Normal, Normal, Optional]);
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
    }

    #[test]
    fn malformed() {
        assert!(run("__metadata:\n  version: 8\nx: [\n")
            .unwrap_err()
            .line()
            .is_some());
        assert!(run("__metadata:\n  version: 8\n")
            .unwrap()
            .packages
            .is_empty());
        let c = run("__metadata:\n  version: 8\n\"a@npm:^1\":\n  version: 1.0.0\n\"b@npm:^1\":\n  resolution: \"b@npm:1.0.0\"\n").unwrap();
        assert_eq!(c.diagnostics.len(), 2, "{:?}", c.diagnostics);
        assert!(run("__metadata: 1\n- a\n").is_err());
    }
}
