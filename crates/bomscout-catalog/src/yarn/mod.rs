//! yarn: `yarn.lock` of yarn v1 (its own text format) and of yarn berry (v2+, YAML with a
//! `__metadata` header); the header decides which.
//!
//! Neither format records which dependencies are dev, optional or peer: that lives in the
//! `package.json` beside the lockfile (and in each workspace's), which the parser reads
//! through `Input::abs` — its documented exception to reading only its input. Without it,
//! direct dependencies are Normal edges.

mod berry;
mod v1;

use crate::{Input, ParseError};
use bomscout_core::{Catalog, DepKind};
use bomscout_walk::Tree;
use foldhash::HashMap;
use serde_json::Value;
use std::path::Path;

/// Parses one `yarn.lock`.
pub fn parse(input: &Input) -> Result<Catalog, ParseError> {
    let text = crate::text::utf8(input.bytes)?;
    if text.lines().any(|l| l.starts_with("__metadata:")) {
        berry::parse(text, input)
    } else {
        v1::parse(text, input)
    }
}

/// A berry lockfile's catalog with its YAML read by `reader` (the tests compare both).
#[cfg(test)]
pub(crate) fn berry_with(
    text: &str,
    input: &Input,
    reader: crate::yaml_block::Reader,
) -> Result<Catalog, ParseError> {
    berry::parse_with(text, input, reader)
}

/// Bytes read of one `package.json`.
const MAX_MANIFEST: u64 = 16 * 1024 * 1024;

/// A project's declared dependencies from its `package.json`: `(name, range, kind)`, in the
/// order of the fields, and its `workspaces` globs.
#[derive(Debug, Default)]
struct Manifest {
    deps: Vec<(String, String, DepKind)>,
    workspaces: Vec<String>,
}

impl Manifest {
    /// Reads `dir/package.json`; `None` if it is missing, outside the scan `root` (a
    /// workspace glob or a lockfile's workspace path written as `../..`), or not a JSON
    /// object.
    fn read(tree: &dyn Tree, root: &Path, dir: &Path) -> Option<Manifest> {
        let manifest = dir.join("package.json");
        let bytes = crate::text::read_bytes_in_root(tree, root, &manifest, MAX_MANIFEST).ok()??;
        let doc: Value = serde_json::from_slice(&bytes).ok()?;
        let doc = doc.as_object()?;
        let mut m = Manifest::default();
        for (field, kind) in [
            ("dependencies", DepKind::Normal),
            ("optionalDependencies", DepKind::Optional),
            ("peerDependencies", DepKind::Peer),
            ("devDependencies", DepKind::Dev),
        ] {
            for (name, range) in doc
                .get(field)
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
            {
                if let Some(range) = range.as_str() {
                    m.deps.push((name.clone(), range.to_string(), kind));
                }
            }
        }
        // A name in `dependencies` and `optionalDependencies` is optional: the last field
        // naming it wins, and takes its place (one pass, not a search per name).
        let mut seen = std::collections::HashSet::new();
        let mut deps: Vec<_> = std::mem::take(&mut m.deps)
            .into_iter()
            .rev()
            .filter(|(n, _, _)| seen.insert(n.clone()))
            .collect();
        deps.reverse();
        m.deps = deps;
        let globs = match doc.get("workspaces") {
            Some(Value::Array(a)) => a.clone(),
            Some(Value::Object(o)) => o
                .get("packages")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default(),
            _ => Vec::new(),
        };
        m.workspaces = globs
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect();
        Some(m)
    }

    /// The kind of the dependency `name`, Normal when not declared.
    fn kinds(&self) -> HashMap<&str, DepKind> {
        self.deps.iter().map(|(n, _, k)| (n.as_str(), *k)).collect()
    }
}

/// Workspace directories (relative, `/`-separated) matching `globs` under `root`: exact
/// paths and a trailing `/*` or `/**` (one level), which is what workspaces use.
fn workspace_dirs(tree: &dyn Tree, root: &Path, globs: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for glob in globs.iter().take(256) {
        let glob = glob.trim_start_matches("./").trim_end_matches('/');
        match glob.strip_suffix("/**").or_else(|| glob.strip_suffix("/*")) {
            Some(parent) => {
                let dir = root.join(parent);
                let mut subs: Vec<String> = tree
                    .read_dir(&dir)
                    .unwrap_or_default()
                    .into_iter()
                    .filter(|e| tree.is_file(&dir.join(&e.name).join("package.json")))
                    .map(|e| format!("{parent}/{}", e.name))
                    .collect();
                subs.sort();
                out.extend(subs);
            }
            None if !glob.contains('*') => out.push(glob.to_string()),
            None => {}
        }
    }
    out.dedup();
    out
}

/// `name@range` → `(name, range)`; the name may be scoped (`@s/n@^1`).
fn split_descriptor(d: &str) -> Option<(&str, &str)> {
    let at = d.get(1..)?.find('@')? + 1;
    Some((d.get(..at)?, d.get(at + 1..)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_kinds_last_field_wins() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("package.json"),
            r#"{"dependencies": {"a": "^1", "b": "^2"}, "optionalDependencies": {"a": "^1"},
                "devDependencies": {"c": "^3"}}"#,
        )
        .unwrap();
        let m = Manifest::read(&bomscout_walk::DISK, dir.path(), dir.path()).unwrap();
        let got: Vec<(&str, DepKind)> = m.deps.iter().map(|(n, _, k)| (n.as_str(), *k)).collect();
        assert_eq!(
            got,
            [
                ("b", DepKind::Normal),
                ("a", DepKind::Optional),
                ("c", DepKind::Dev)
            ]
        );
    }
}
