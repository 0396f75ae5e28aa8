//! The `package.json` of an installed package (`node_modules/<name>/package.json`): one
//! resolved component with the license the package itself declares.
//!
//! Reads `name`, `version`, `license` / legacy `licenses`, `author` (property `author`:
//! who supplies the package, for NTIA), and the `_resolved` /
//! `_integrity` fields older npm versions wrote. A package with no license field gets its
//! `LICENSE` file's text matched instead (reading that sibling file is this cataloger's
//! documented exception to reading only its input). No edges: resolving names to other installed
//! packages needs other files, and the lockfile beside the tree carries the graph. The
//! builder merges this record with the lock's component of the same purl, so the license
//! found here completes the lock's entry instead of duplicating it.

use super::{component, integrity_hashes, licenses};
use crate::{Input, ParseError};
use bomscout_core::{Catalog, Diagnostic};
use serde_json::Value;

/// Parses one installed `package.json`.
pub fn parse(input: &Input) -> Result<Catalog, ParseError> {
    let doc: Value = serde_json::from_slice(input.bytes)?;
    let doc = doc
        .as_object()
        .ok_or_else(|| ParseError::format("package.json must be a JSON object"))?;
    let name = doc
        .get("name")
        .and_then(Value::as_str)
        .filter(|n| !n.is_empty());
    let version = doc
        .get("version")
        .and_then(Value::as_str)
        .filter(|v| !v.is_empty());
    let (Some(name), Some(version)) = (name, version) else {
        return Err(ParseError::format(
            "an installed package.json needs a name and a version",
        ));
    };
    let resolved = doc.get("_resolved").and_then(Value::as_str);
    let mut c =
        component(name, version, resolved).map_err(|e| ParseError::format(e.to_string()))?;
    for l in licenses(doc, input.path()) {
        c.add_license(l);
    }
    // The package's own LICENSE file: its fingerprint; what it says, to confirm the
    // license field or to stand in for a missing one.
    let mut conflicts = Vec::new();
    if let Some(dir) = input.abs.parent() {
        let rel_dir = crate::paths::dir_of(input.path());
        let threshold = input.options.license_threshold;
        conflicts =
            crate::license_files::add_evidence(input.tree, &mut c, dir, rel_dir, &[], threshold);
    }
    let author = match doc.get("author") {
        Some(Value::String(s)) => Some(s.as_str()),
        Some(Value::Object(o)) => o.get("name").and_then(Value::as_str),
        _ => None,
    };
    if let Some(a) = author.filter(|a| !a.trim().is_empty()) {
        c.properties.insert("author".into(), a.trim().to_string());
    }
    if let Some(i) = doc.get("_integrity").and_then(Value::as_str) {
        integrity_hashes(i).into_iter().for_each(|h| c.add_hash(h));
    }
    let mut cat = Catalog::default();
    for message in conflicts {
        cat.diagnostics
            .push(Diagnostic::warning(input.path(), message));
    }
    cat.add_package(c.at(input.location()));
    Ok(cat)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str) -> Result<Catalog, ParseError> {
        crate::parse_str(parse, "node_modules/x/package.json", text)
    }

    #[test]
    fn legacy_licenses_array() {
        let cat = run(r#"{"name": "x", "version": "1.0.0", "licenses": [{"type": "MIT"}, {"type": "Apache-2.0"}]}"#).unwrap();
        let raws: Vec<&str> = cat.packages[0]
            .component
            .licenses
            .iter()
            .map(|l| l.raw.as_str())
            .collect();
        assert_eq!(raws, ["MIT", "Apache-2.0"]);
    }

    #[test]
    fn a_package_json_without_name_or_version_is_not_a_package() {
        assert!(run(r#"{"name": "x"}"#).is_err());
        assert!(run(r#"{"type": "module"}"#).is_err());
        assert!(run("\u{0}").is_err());
    }
}
