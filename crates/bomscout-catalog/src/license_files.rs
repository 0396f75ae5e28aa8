//! License files beside an installed package, matched to SPDX licenses.
//!
//! Used by the installed-tree catalogers (the documented exception to "parsers read only
//! their input") for packages whose metadata declares no license: the `LICENSE`, `LICENCE`
//! or `COPYING` file in the package's directory (or the files its metadata names) is read,
//! at most [`MAX_FILE`] bytes of at most [`MAX_FILES`] files, and matched against the SPDX
//! license texts. A match at or above the configured confidence becomes license evidence of
//! kind `File`, with its confidence.

use bomscout_core::{License, SourceKind};
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

/// Licenses detected in `names` (relative to `dir`), or when `names` is empty in the
/// license files found directly in `dir`. `rel_dir` is `dir` relative to the scan root.
pub fn detect(dir: &Path, rel_dir: &str, names: &[String], threshold: f32) -> Vec<License> {
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
    candidates.sort();
    candidates.truncate(MAX_FILES);
    let mut out: Vec<License> = Vec::new();
    for name in candidates {
        if name.contains("..") {
            continue;
        }
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
