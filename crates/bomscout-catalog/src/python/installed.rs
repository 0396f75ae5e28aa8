//! Installed Python distributions: `*.dist-info/METADATA` and `*.egg-info/PKG-INFO`
//! (core metadata, all versions up to 2.4).
//!
//! The file is an RFC 822 style header block: `Key: value` lines, continuation lines start
//! with a space or tab, and the first empty line ends the headers (the description body
//! after it is ignored, and need not be UTF-8). Read:
//! - `Name`, `Version`: one resolved component. When `METADATA` has no `Version` (or no
//!   `Name`), the directory name supplies it (`requests-2.31.0.dist-info`,
//!   `six-1.17.0-py3.11.egg-info`); when both are there and disagree, a warning says so and
//!   the file wins;
//! - `License-Expression` (metadata 2.4, an SPDX expression): a declared license, field
//!   `License-Expression`;
//! - `License` (free text): a declared license, field `License`. Many packages put a whole
//!   license text here (numpy ≤ 1.26 does). A value of more than one line or over
//!   [`MAX_LICENSE_LEN`] characters is such a text: only its first non-blank line is kept
//!   (clipped to [`MAX_LICENSE_LEN`]), still with field `License`, so the evidence is
//!   visible but short. `UNKNOWN` (what old setuptools writes when there is none) is
//!   skipped;
//! - `Classifier: License :: …`: one classifier license each, field `Classifier`;
//! - `License-File`: the `license-files` property, comma-joined.
//!
//! `Requires-Dist` names no versions, so no edges are made, and installed records belong
//! to no project. The cataloger reads only the bytes given.

use super::pep508::normalize_name;
use crate::{Input, ParseError};
use bomscout_core::escape::{quote, QUOTE_LIMIT};
use bomscout_core::{Catalog, Component, Diagnostic, Ecosystem, License, SourceKind};

/// Longest `License` value taken as a license name rather than a license text.
pub const MAX_LICENSE_LEN: usize = 100;

/// Parses one installed distribution's metadata file.
pub fn parse(input: &Input) -> Result<Catalog, ParseError> {
    let mut catalog = Catalog::default();
    let headers = read_headers(input, &mut catalog.diagnostics);
    let from_dir = dir_name_version(input.path());
    let field = |key: &str| {
        headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    };
    let name = field("Name").or(from_dir.map(|(n, _)| n));
    let version = field("Version").or(from_dir.and_then(|(_, v)| v));
    let (Some(name), Some(version)) = (name, version) else {
        return Err(ParseError::format(
            "no Name and Version in the metadata or the directory name",
        ));
    };
    if let Some((dir_name, dir_version)) = from_dir {
        check_dir(
            input.path(),
            (name, version),
            (dir_name, dir_version),
            &mut catalog,
        );
    }
    let mut component = Component::new(Ecosystem::PyPI, None, name, version)
        .map_err(|e| ParseError::format(e.to_string()))?
        .at(input.location());
    add_licenses(&mut component, &headers, input.path());
    for message in license_file_evidence(&mut component, &headers, input) {
        catalog
            .diagnostics
            .push(Diagnostic::warning(input.path(), message));
    }
    catalog.add_package(component);
    Ok(catalog)
}

/// The header block as `(key, value)` pairs, continuation lines joined with `\n`.
fn read_headers(input: &Input, diagnostics: &mut Vec<Diagnostic>) -> Vec<(String, String)> {
    let bytes = input
        .bytes
        .strip_prefix(b"\xEF\xBB\xBF")
        .unwrap_or(input.bytes);
    let end = header_end(bytes);
    let block = bytes.get(..end).unwrap_or(bytes);
    let text = String::from_utf8_lossy(block);
    if matches!(text, std::borrow::Cow::Owned(_)) {
        diagnostics.push(Diagnostic::warning(
            input.path(),
            "metadata headers are not UTF-8; invalid bytes replaced",
        ));
    }
    let mut headers: Vec<(String, String)> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.starts_with([' ', '\t']) {
            if let Some((_, value)) = headers.last_mut() {
                value.push('\n');
                value.push_str(line.trim());
            }
            continue;
        }
        match line.split_once(':') {
            Some((key, value)) if !key.is_empty() && !key.contains(' ') => {
                headers.push((key.to_string(), value.trim().to_string()));
            }
            _ => {
                let n = u32::try_from(i + 1).unwrap_or(u32::MAX);
                let msg = "line is not a `Key: value` header; rest of the headers ignored";
                diagnostics.push(Diagnostic::warning(input.path(), msg).at_line(n));
                break;
            }
        }
    }
    headers
}

/// Byte offset of the empty line that ends the headers (or the end of input).
fn header_end(bytes: &[u8]) -> usize {
    let mut start = 0;
    for line in bytes.split_inclusive(|&b| b == b'\n') {
        if line == b"\n" || line == b"\r\n" {
            return start;
        }
        start += line.len();
    }
    bytes.len()
}

/// The license files `License-File` names (in `licenses/` since metadata 2.4, else beside
/// `METADATA`), or the conventional ones in the metadata directory: fingerprinted and
/// matched by text (see [`crate::license_files`]); returns the conflicts with the declared
/// license. Reading them is this cataloger's documented exception to reading only its input.
fn license_file_evidence(
    component: &mut Component,
    headers: &[(String, String)],
    input: &Input,
) -> Vec<String> {
    let Some(dir) = input.abs.parent() else {
        return Vec::new();
    };
    let rel_dir = crate::paths::dir_of(input.path());
    let named: Vec<String> = headers
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case("license-file"))
        .map(|(_, v)| v.trim().to_string())
        .flat_map(|f| [format!("licenses/{f}"), f])
        .filter(|f| crate::paths::is_contained_relative(f) && input.tree.is_file(&dir.join(f)))
        .collect();
    let threshold = input.options.license_threshold;
    crate::license_files::add_evidence(input.tree, component, dir, rel_dir, &named, threshold)
}

fn add_licenses(component: &mut Component, headers: &[(String, String)], path: &str) {
    let mut files = Vec::new();
    for (key, value) in headers {
        let value = value.trim();
        match key.to_ascii_lowercase().as_str() {
            "license-expression" if !value.is_empty() => {
                component.add_license(License::declared(value, path, "License-Expression"));
            }
            "license" => {
                if let Some(raw) = license_name(value) {
                    component.add_license(License::declared(&raw, path, "License"));
                }
            }
            "classifier" if value.starts_with("License ::") => {
                component.add_license(License::of_kind(
                    value,
                    path,
                    "Classifier",
                    SourceKind::Classifier,
                ));
            }
            "license-file" if !value.is_empty() => files.push(value),
            // Who made it: the NTIA "supplier" of an open source package.
            "author" | "author-email" | "maintainer" if !value.is_empty() && value != "UNKNOWN" => {
                component
                    .properties
                    .entry("author".into())
                    .or_insert_with(|| value.to_string());
            }
            _ => {}
        }
    }
    if !files.is_empty() {
        component
            .properties
            .insert("license-files".into(), files.join(","));
    }
}

/// What to keep of a `License` value: a short one as is; the first line of a license
/// text; nothing for an empty value or `UNKNOWN`.
fn license_name(value: &str) -> Option<String> {
    let first = value.lines().map(str::trim).find(|l| !l.is_empty())?;
    if first.eq_ignore_ascii_case("UNKNOWN") && !value.contains('\n') {
        return None;
    }
    if !value.contains('\n') && value.chars().count() <= MAX_LICENSE_LEN {
        return Some(value.to_string());
    }
    Some(match first.char_indices().nth(MAX_LICENSE_LEN) {
        Some((i, _)) => first.get(..i).unwrap_or(first).to_string(),
        None => first.to_string(),
    })
}

/// `(name, version)` from `name-version.dist-info` or `name-version-pyX.Y.egg-info`
/// (`name.egg-info` has no version).
fn dir_name_version(path: &str) -> Option<(&str, Option<&str>)> {
    let mut parts = path.rsplit('/');
    parts.next();
    let dir = parts.next()?;
    let stem = dir
        .strip_suffix(".dist-info")
        .or_else(|| dir.strip_suffix(".egg-info"))?;
    let mut fields = stem.split('-');
    let name = fields.next().filter(|n| !n.is_empty())?;
    Some((name, fields.next().filter(|v| !v.is_empty())))
}

/// Warns when the directory name and the metadata disagree (a broken or hand-edited
/// install), comparing names by PEP 503 and dist-info's `_` escaping.
fn check_dir(
    path: &str,
    (name, version): (&str, &str),
    (dir_name, dir_version): (&str, Option<&str>),
    catalog: &mut Catalog,
) {
    if normalize_name(name) != normalize_name(dir_name) {
        let msg = format!(
            "Name {} does not match the directory name {}",
            quote(name, QUOTE_LIMIT),
            quote(dir_name, QUOTE_LIMIT)
        );
        catalog.diagnostics.push(Diagnostic::warning(path, msg));
    }
    if let Some(dir_version) = dir_version.filter(|v| *v != version) {
        let msg = format!(
            "Version {} does not match the directory's {}",
            quote(version, QUOTE_LIMIT),
            quote(dir_version, QUOTE_LIMIT)
        );
        catalog.diagnostics.push(Diagnostic::warning(path, msg));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Options;
    use std::path::Path;
    use test_case::test_case;

    const AT: &str = "site-packages/foo-1.0.dist-info/METADATA";

    fn parse_at(bytes: &[u8], path: &str) -> Result<Catalog, ParseError> {
        let options = Options::default();
        let input = Input {
            bytes,
            shared_path: &bomscout_core::SharedStr::from(path),
            abs: Path::new("/nonexistent"),
            root: std::path::Path::new("/"),
            options: &options,
            tree: &crate::DISK,
        };
        parse(&input)
    }

    fn licenses(c: &Catalog) -> Vec<(String, String)> {
        c.packages[0]
            .component
            .licenses
            .iter()
            .map(|l| (l.raw.to_string(), l.source.field.to_string()))
            .collect()
    }

    #[test]
    fn headers_continuations_and_body() {
        let text = "Metadata-Version: 2.1\nName: foo\nVersion: 1.0\nLicense: MIT\nClassifier: License :: OSI Approved :: MIT License\nClassifier: Topic :: Utilities\nLicense-File: LICENSE\nLicense-File: NOTICE\n\nLicense: GPL-3.0 in the body is ignored\nName: bar\n";
        let c = parse_at(text.as_bytes(), AT).unwrap();
        assert_eq!(c.packages.len(), 1);
        let comp = &c.packages[0].component;
        assert_eq!(comp.purl.as_str(), "pkg:pypi/foo@1.0");
        assert_eq!(
            licenses(&c),
            [
                ("MIT".into(), "License".into()),
                (
                    "License :: OSI Approved :: MIT License".into(),
                    "Classifier".into()
                )
            ]
        );
        assert_eq!(comp.licenses[1].source.kind, SourceKind::Classifier);
        assert_eq!(comp.properties["license-files"], "LICENSE,NOTICE");
        assert!(c.projects.is_empty());
        assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
    }

    #[test_case("License: MIT", Some("MIT"); "short")]
    #[test_case("License: UNKNOWN", None; "unknown is no license")]
    #[test_case("License: ", None; "empty")]
    #[test_case("License: Copyright (c) Foo.\n        All rights reserved.\n        \n        Redistribution ...", Some("Copyright (c) Foo."); "text keeps first line")]
    #[test_case("License: \n        BSD 3-Clause\n        more", Some("BSD 3-Clause"); "text starting on continuation")]
    fn license_field(header: &str, expected: Option<&str>) {
        let text = format!("Name: foo\nVersion: 1.0\n{header}\n");
        let c = parse_at(text.as_bytes(), AT).unwrap();
        let got: Vec<String> = licenses(&c).into_iter().map(|(raw, _)| raw).collect();
        assert_eq!(got, expected.into_iter().collect::<Vec<_>>());
    }

    #[test]
    fn long_single_line_license_is_clipped() {
        let text = format!("Name: foo\nVersion: 1.0\nLicense: {}\n", "x".repeat(500));
        let c = parse_at(text.as_bytes(), AT).unwrap();
        assert_eq!(licenses(&c)[0].0.len(), MAX_LICENSE_LEN);
    }

    #[test]
    fn license_expression_is_declared() {
        let text = "Name: foo\nVersion: 1.0\nLicense-Expression: Apache-2.0 OR MIT\n";
        let c = parse_at(text.as_bytes(), AT).unwrap();
        assert_eq!(
            licenses(&c),
            [("Apache-2.0 OR MIT".into(), "License-Expression".into())]
        );
    }

    #[test_case("site-packages/foo-1.0.dist-info/METADATA", "Name: foo\n", "pkg:pypi/foo@1.0"; "version from dist-info")]
    #[test_case("site-packages/foo_bar-2.0.dist-info/METADATA", "Metadata-Version: 2.1\n", "pkg:pypi/foo-bar@2.0"; "name and version from dist-info")]
    #[test_case("lib/foo-1.0-py3.11.egg-info/PKG-INFO", "Name: foo\n", "pkg:pypi/foo@1.0"; "version from egg-info")]
    #[test_case("site-packages/foo-1.0.dist-info/METADATA", "", "pkg:pypi/foo@1.0"; "empty file")]
    fn directory_name_fills_gaps(path: &str, text: &str, purl: &str) {
        let c = parse_at(text.as_bytes(), path).unwrap();
        assert_eq!(c.packages[0].component.purl.as_str(), purl);
        assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
    }

    #[test]
    fn disagreeing_directory_warns_and_file_wins() {
        let c = parse_at(
            b"Name: Foo.Bar\nVersion: 1.1\n",
            "x/foo_bar-1.0.dist-info/METADATA",
        )
        .unwrap();
        assert_eq!(
            c.packages[0].component.purl.as_str(),
            "pkg:pypi/foo-bar@1.1"
        );
        assert_eq!(c.diagnostics.len(), 1);
        assert!(c.diagnostics[0].message.contains("Version"));
    }

    #[test_case(b"Name: foo\n" as &[u8]; "no version anywhere")]
    #[test_case(b""; "empty")]
    #[test_case(b"\xff\xfe\x00"; "binary")]
    fn unusable_without_directory(bytes: &[u8]) {
        assert!(parse_at(bytes, "foo.egg-info/PKG-INFO").is_err());
    }

    #[test]
    fn hostile_input() {
        // CRLF, a non-header line, non-UTF-8 body.
        let c = parse_at(b"Name: foo\r\nVersion: 1.0\r\n\r\n\xff\xff", AT).unwrap();
        assert_eq!(c.packages[0].component.version.as_deref(), Some("1.0"));
        assert!(c.diagnostics.is_empty());
        let c = parse_at(b"Name: foo\nVersion: 1.0\nnot a header\nLicense: MIT\n", AT).unwrap();
        assert_eq!(c.diagnostics[0].line, Some(3));
        assert!(c.packages[0].component.licenses.is_empty());
        let c = parse_at(b"Name: f\xffo\nVersion: 1.0\n", AT).unwrap();
        assert_eq!(c.diagnostics.len(), 2, "{:?}", c.diagnostics);
        let huge = format!(
            "Name: foo\nVersion: 1.0\nLicense: a\n{}",
            " b\n".repeat(200_000)
        );
        assert!(parse_at(huge.as_bytes(), AT).is_ok());
        let continuation_first = b" orphan\nName: foo\nVersion: 1.0\n";
        assert!(parse_at(continuation_first, AT).is_ok());
    }

    #[test]
    fn license_files_named_outside_the_package_are_not_read() {
        let base = tempfile::tempdir().unwrap();
        let secret = base.path().join("passwd");
        std::fs::write(&secret, crate::MIT_TEXT).unwrap();
        let root = base.path().join("venv");
        std::fs::create_dir_all(root.join("foo-1.0.dist-info")).unwrap();
        let text = format!(
            "Metadata-Version: 2.1\nName: foo\nVersion: 1.0\nLicense-File: {}\nLicense-File: ../../passwd\n",
            secret.display()
        );
        let c = crate::parse_in(parse, &root, "foo-1.0.dist-info/METADATA", &text).unwrap();
        let comp = &c.packages[0].component;
        assert!(
            !comp.properties.contains_key("license-file-sha256"),
            "{comp:?}"
        );
        assert!(comp.licenses.is_empty(), "{:?}", comp.licenses);
    }
}
