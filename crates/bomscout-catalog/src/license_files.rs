//! License files beside an installed package, matched to SPDX licenses.
//!
//! Used by the installed-tree catalogers (the documented exception to "parsers read only
//! their input") for packages whose metadata declares no license: the `LICENSE`, `LICENCE`
//! or `COPYING` file in the package's directory (or the files its metadata names) is read,
//! at most [`MAX_FILE`] bytes of at most [`MAX_FILES`] files, and matched against the SPDX
//! license texts. A match at or above the configured confidence becomes license evidence of
//! kind `File`, with its confidence.
//!
//! Every installed package also gets the SHA-256 of each license file as the property
//! `license-file-sha256` (`NAME:HEX`, comma-separated), declared license or not: hashing is
//! cheap, and it is what a policy curation's `license-file-sha256` is checked against, so a
//! curation lapses when the file it was verified against changes.

use bomscout_core::{Component, License, SourceKind};
use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::Path;

/// Bytes read of one license file.
pub const MAX_FILE: u64 = 256 * 1024;
/// License files looked at per package.
pub const MAX_FILES: usize = 8;

/// True for a file name that is conventionally a license file.
pub fn is_license_file(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    ["license", "licence", "copying", "unlicense"]
        .iter()
        .any(|p| n.starts_with(p))
}

/// Adds the license-file evidence of an installed package in `dir` to `component`: the
/// files' fingerprints always, and the licenses their texts match when the package
/// declares none. `names` are the files its metadata names (relative to `dir`); when empty,
/// the conventional license files in `dir` are used.
pub fn add_evidence(
    component: &mut Component,
    dir: &Path,
    rel_dir: &str,
    names: &[String],
    threshold: f32,
) {
    let files = candidates(dir, names);
    let prints: Vec<String> = files
        .iter()
        .filter_map(|name| Some(format!("{name}:{}", sha256(&dir.join(name))?)))
        .collect();
    if !prints.is_empty() {
        component
            .properties
            .insert("license-file-sha256".into(), prints.join(","));
    }
    if component.licenses.is_empty() {
        for l in detect_in(dir, rel_dir, files, threshold) {
            component.add_license(l);
        }
    }
}

/// SHA-256 (hex) of the first [`MAX_FILE`] bytes of a file.
fn sha256(path: &Path) -> Option<String> {
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .ok()?
        .take(MAX_FILE)
        .read_to_end(&mut bytes)
        .ok()?;
    let digest = Sha256::digest(&bytes);
    Some(digest.iter().map(|b| format!("{b:02x}")).collect())
}

/// Licenses detected in `names` (relative to `dir`), or when `names` is empty in the
/// license files found directly in `dir`. `rel_dir` is `dir` relative to the scan root.
pub fn detect(dir: &Path, rel_dir: &str, names: &[String], threshold: f32) -> Vec<License> {
    detect_in(dir, rel_dir, candidates(dir, names), threshold)
}

/// The license files to look at: `names`, or the conventional ones in `dir`; sorted,
/// bounded, never escaping `dir`.
fn candidates(dir: &Path, names: &[String]) -> Vec<String> {
    let mut candidates: Vec<String> = if names.is_empty() {
        std::fs::read_dir(dir)
            .into_iter()
            .flatten()
            .flatten()
            .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
            .filter_map(|e| e.file_name().to_str().map(str::to_string))
            .filter(|n| is_license_file(n))
            .collect()
    } else {
        names.to_vec()
    };
    candidates.retain(|n| !n.contains(".."));
    candidates.sort();
    candidates.truncate(MAX_FILES);
    candidates
}

fn detect_in(dir: &Path, rel_dir: &str, candidates: Vec<String>, threshold: f32) -> Vec<License> {
    let mut out: Vec<License> = Vec::new();
    for name in candidates {
        let Some(text) = read(&dir.join(&name)) else {
            continue;
        };
        let Some(d) = bomscout_license::detect::detect(&text, threshold) else {
            continue;
        };
        if out.iter().any(|l| l.raw == d.id) {
            continue;
        }
        let path = if rel_dir.is_empty() || rel_dir == "." {
            name.clone()
        } else {
            format!("{rel_dir}/{name}")
        };
        let mut l = License::of_kind(&d.id, &path, "license-file", SourceKind::File);
        l.expression = Some(d.id);
        l.confidence = Some(d.confidence);
        out.push(l);
    }
    out
}

fn read(path: &Path) -> Option<String> {
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .ok()?
        .take(MAX_FILE)
        .read_to_end(&mut bytes)
        .ok()?;
    Some(String::from_utf8_lossy(&bytes).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn license_file_names() {
        for n in [
            "LICENSE",
            "LICENSE.md",
            "license-mit",
            "LICENCE.txt",
            "COPYING",
            "UNLICENSE",
        ] {
            assert!(is_license_file(n), "{n}");
        }
        for n in ["README.md", "package.json", "lib.rs"] {
            assert!(!is_license_file(n), "{n}");
        }
    }
}
