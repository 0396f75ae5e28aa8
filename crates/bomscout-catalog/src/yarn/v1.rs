//! yarn v1's lockfile: blocks keyed by one or more `name@range` descriptors, each with
//! `version`, `resolved` (`URL#sha1`), `integrity` and `dependencies` /
//! `optionalDependencies` maps of `name range`. An `npm:` alias key
//! (`alias@npm:real@1.0.0`) locks the real package.

use super::{split_descriptor, workspace_dirs, Manifest};
use crate::npm::{component, integrity_hash_iter};
use crate::{Input, ParseError};
use bomscout_core::{Catalog, DepKind, Diagnostic, Ecosystem, NodeRef, Project};
use foldhash::{HashMap, HashMapExt};

/// One block of the lockfile, borrowed from its text.
#[derive(Debug, Default)]
struct Block<'a> {
    line: u32,
    descriptors: Vec<&'a str>,
    version: Option<&'a str>,
    resolved: Option<&'a str>,
    integrity: Option<&'a str>,
    deps: Vec<(&'a str, &'a str, DepKind)>,
}

pub(super) fn parse(text: &str, input: &Input) -> Result<Catalog, ParseError> {
    let blocks = blocks(text)?;
    let mut catalog = Catalog::default();
    catalog.packages.reserve(blocks.len());
    let mut by_descriptor: HashMap<&str, usize> = HashMap::with_capacity(blocks.len() * 2);
    let mut nodes: Vec<Option<usize>> = Vec::with_capacity(blocks.len());
    let mut by_purl: HashMap<String, usize> = HashMap::with_capacity(blocks.len());
    for b in &blocks {
        let node = package(b, input, &mut catalog, &mut by_purl);
        for d in &b.descriptors {
            if let Some(n) = node {
                by_descriptor.insert(d, n);
            }
        }
        nodes.push(node);
    }
    let mut descriptor = String::new();
    for (b, node) in blocks.iter().zip(&nodes) {
        let Some(from) = node else { continue };
        for (name, range, kind) in &b.deps {
            match by_descriptor.get(descriptor_of(&mut descriptor, name, range)) {
                Some(&to) => catalog.add_edge(NodeRef::Package(*from), NodeRef::Package(to), *kind),
                None => catalog.diagnostics.push(
                    Diagnostic::warning(
                        input.path(),
                        format!("{name}@{range} is not in the lockfile"),
                    )
                    .at_line(b.line),
                ),
            }
        }
    }
    projects(input, &by_descriptor, &mut catalog);
    Ok(catalog)
}

/// The component of a block, deduplicated by purl (two ranges resolving to one version
/// are usually one block, but aliases can split them).
fn package(
    b: &Block<'_>,
    input: &Input,
    catalog: &mut Catalog,
    by_purl: &mut HashMap<String, usize>,
) -> Option<usize> {
    let first = b.descriptors.first()?;
    let (key_name, range) = split_descriptor(first)?;
    let real = range
        .strip_prefix("npm:")
        .and_then(|r| split_descriptor(r).map(|(n, _)| n).or(Some(r)));
    let name = real.unwrap_or(key_name);
    let Some(version) = b.version else {
        catalog.diagnostics.push(
            Diagnostic::warning(input.path(), format!("{first} has no version")).at_line(b.line),
        );
        return None;
    };
    let mut c = match component(
        name,
        version,
        b.resolved.map(|r| r.split('#').next().unwrap_or(r)),
    ) {
        Ok(c) => c,
        Err(e) => {
            catalog
                .diagnostics
                .push(Diagnostic::warning(input.path(), format!("{first}: {e}")).at_line(b.line));
            return None;
        }
    };
    if let Some(&i) = by_purl.get(c.purl.as_str()) {
        return Some(i);
    }
    if real.is_some() && name != key_name {
        c.properties.insert("alias".into(), key_name.to_string());
    }
    for h in b.integrity.into_iter().flat_map(integrity_hash_iter) {
        c.add_hash(h);
    }
    let purl = c.purl.to_string();
    match catalog.add_package(c.at(input.at_line(b.line))) {
        NodeRef::Package(i) => {
            by_purl.insert(purl, i);
            Some(i)
        }
        NodeRef::Project(_) => None,
    }
}

/// The project beside the lockfile and its workspaces, with edges from their
/// `package.json` declarations to the locked packages.
fn projects(input: &Input, by_descriptor: &HashMap<&str, usize>, catalog: &mut Catalog) {
    let Some(root) = input.abs.parent() else {
        return;
    };
    let base = crate::paths::dir_of(input.path());
    let Some(manifest) = Manifest::read(input.tree, input.root, root) else {
        return;
    };
    let mut dirs = vec![(base.to_string(), manifest)];
    for ws in workspace_dirs(input.tree, root, &dirs[0].1.workspaces.clone()) {
        if let Some(m) = Manifest::read(input.tree, input.root, &root.join(&ws)) {
            dirs.push((crate::paths::join_dir(base, &ws), m));
        }
    }
    let mut descriptor = String::new();
    for (dir, m) in dirs {
        let project = catalog.add_project(Project::in_dir(Ecosystem::Npm, &dir, input.path()));
        for (name, range, kind) in &m.deps {
            if let Some(&to) = by_descriptor.get(descriptor_of(&mut descriptor, name, range)) {
                catalog.add_edge(project, NodeRef::Package(to), *kind);
            }
        }
    }
}

/// `name@range` in `buf` (one buffer for every lookup, not a string per dependency).
fn descriptor_of<'b>(buf: &'b mut String, name: &str, range: &str) -> &'b str {
    buf.clear();
    buf.push_str(name);
    buf.push('@');
    buf.push_str(range);
    buf
}

/// Splits the text into blocks; a line that fits no rule is an error with its line.
fn blocks(text: &str) -> Result<Vec<Block<'_>>, ParseError> {
    let mut out: Vec<Block> = Vec::new();
    let mut section: Option<DepKind> = None;
    for (i, raw) in text.lines().enumerate() {
        let line_no = i as u32 + 1;
        let line = raw.trim_end();
        if line.trim_start().starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let indent = line.len() - line.trim_start().len();
        let bad = |what: &str| ParseError::Format {
            line: Some(line_no),
            message: format!("not a yarn v1 lockfile: {what}"),
        };
        match indent {
            0 => {
                let keys = line
                    .strip_suffix(':')
                    .ok_or_else(|| bad("a top-level line must end with `:`"))?;
                out.push(Block {
                    line: line_no,
                    descriptors: split_keys(keys),
                    ..Block::default()
                });
                section = None;
            }
            2 => {
                let block = out
                    .last_mut()
                    .ok_or_else(|| bad("a field before any package"))?;
                let field = line.trim();
                if let Some(name) = field.strip_suffix(':') {
                    section = match name {
                        "dependencies" => Some(DepKind::Normal),
                        "optionalDependencies" => Some(DepKind::Optional),
                        _ => None,
                    };
                    continue;
                }
                section = None;
                let (key, value) = field
                    .split_once(' ')
                    .ok_or_else(|| bad("a field without a value"))?;
                let value = unquote(value.trim());
                match key {
                    "version" => block.version = Some(value),
                    "resolved" => block.resolved = Some(value),
                    "integrity" => block.integrity = Some(value),
                    _ => {}
                }
            }
            4 => {
                let (Some(kind), Some(block)) = (section, out.last_mut()) else {
                    continue;
                };
                let field = line.trim();
                let (name, range) =
                    split_pair(field).ok_or_else(|| bad("a dependency without a range"))?;
                block.deps.push((name, range, kind));
            }
            _ => {}
        }
    }
    Ok(out)
}

/// `"a@^1", a@^1.1` → `["a@^1", "a@^1.1"]`.
fn split_keys(keys: &str) -> Vec<&str> {
    keys.split(", ")
        .map(|k| unquote(k.trim()))
        .filter(|k| !k.is_empty())
        .collect()
}

/// `"@s/n" "^1.0.0"` or `name ^1` → `(name, range)`.
fn split_pair(field: &str) -> Option<(&str, &str)> {
    let (name, rest) = if let Some(rest) = field.strip_prefix('"') {
        let end = rest.find('"')?;
        (rest.get(..end)?, rest.get(end + 1..)?.trim())
    } else {
        let (n, r) = field.split_once(' ')?;
        (n, r.trim())
    };
    Some((name, unquote(rest)))
}

/// The text between double quotes, as written (escapes are kept, not decoded).
fn unquote(s: &str) -> &str {
    s.strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse_str;
    fn run(text: &str) -> Result<Catalog, ParseError> {
        parse_str(super::super::parse, "yarn.lock", text)
    }

    #[test]
    fn multi_descriptor_keys_scopes_and_aliases() {
        let text = "# yarn lockfile v1\n\n\n\"@s/a@^1.0.0\", \"@s/a@^1.1.0\":\n  version \"1.2.0\"\n  resolved \"https://registry.example.invalid/@s/a/-/a-1.2.0.tgz#abc\"\n  integrity sha1-3uQ6JXzRdQ1X6L+OfDUb8FNEIhw=\n  dependencies:\n    b \"~2\"\n    \"@s/c\" \"^3.0.0\"\n\nb@~2:\n  version \"2.0.1\"\n\n\"@s/c@^3.0.0\":\n  version \"3.1.0\"\n  optionalDependencies:\n    b \"~2\"\n\n\"x@npm:b@2.0.1\":\n  version \"2.0.1\"\n";
        let c = run(text).unwrap();
        let purls: Vec<String> = c
            .packages
            .iter()
            .map(|p| p.component.purl.to_string())
            .collect();
        assert_eq!(
            purls,
            [
                "pkg:npm/%40s/a@1.2.0",
                "pkg:npm/b@2.0.1",
                "pkg:npm/%40s/c@3.1.0"
            ]
        );
        assert_eq!(c.packages[0].component.hashes.len(), 1);
        assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
        let kinds: Vec<DepKind> = c.packages[0]
            .deps
            .iter()
            .chain(&c.packages[2].deps)
            .map(|e| e.kind)
            .collect();
        assert_eq!(kinds, [DepKind::Normal, DepKind::Normal, DepKind::Optional]);
        assert_eq!(
            c.packages[1]
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
    fn values_are_borrowed_as_written_and_every_dependency_is_found() {
        // Quotes are removed, a backslash inside them is kept (the reader never decoded
        // escapes); dependencies are found whichever block comes first.
        let text = "b@^2:\n  version \"2.0.0\"\n  dependencies:\n    \"@s/a\" \"1.0.0-x\\\"y\"\n\n\"@s/a@1.0.0-x\\\"y\", \"@s/a@^1\":\n  version \"1.0.0\"\n  resolved \"https://registry.example.invalid/@s/a/-/a-1.0.0.tgz#ab\"\n  dependencies:\n    b \"^2\"\n";
        let c = run(text).unwrap();
        assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
        let purls: Vec<&str> = c
            .packages
            .iter()
            .map(|p| p.component.purl.as_str())
            .collect();
        assert_eq!(purls, ["pkg:npm/b@2.0.0", "pkg:npm/%40s/a@1.0.0"]);
        assert_eq!(c.packages[0].deps[0].to, NodeRef::Package(1));
        assert_eq!(c.packages[1].deps[0].to, NodeRef::Package(0));
        let missing =
            run("a@^1:\n  version \"1.0.0\"\n  dependencies:\n    \"@s/q\" \"^9\"\n").unwrap();
        assert_eq!(missing.diagnostics.len(), 1);
        assert!(
            missing.diagnostics[0]
                .message
                .contains("@s/q@^9 is not in the lockfile"),
            "{:?}",
            missing.diagnostics
        );
    }

    #[test]
    fn malformed() {
        assert_eq!(run("a@1\n").unwrap_err().line(), Some(1));
        assert_eq!(run("  version \"1\"\n").unwrap_err().line(), Some(1));
        let c = run("a@^1:\n  resolved \"x\"\nb@^1:\n  version \"1.0.0\"\n  dependencies:\n    missing \"^9\"\n").unwrap();
        assert_eq!(c.packages.len(), 1);
        assert_eq!(c.diagnostics.len(), 2, "{:?}", c.diagnostics);
        assert!(run("").unwrap().packages.is_empty());
    }
}
