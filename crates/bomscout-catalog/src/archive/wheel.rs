//! Python wheels (`*.whl`) and eggs (`*.egg`): the distribution a zip archive holds.
//!
//! A wheel has its core metadata at `NAME-VERSION.dist-info/METADATA`, an egg at
//! `EGG-INFO/PKG-INFO`; only those top-level entries count (an entry named
//! `../x.dist-info/METADATA` or `a/b.dist-info/METADATA` is not a wheel's metadata). The
//! metadata is read by the installed-distribution parser ([`crate::python::installed`]),
//! with no directory on disk behind it, so nothing outside the archive is ever read. The
//! license files inside the archive — those in the metadata directory and its `licenses/`
//! subtree, plus, for an egg, those at the top level — are matched by the license-text
//! detector ([`crate::license_files::add_evidence_from_files`]).
//!
//! The component is located at the archive; its license evidence names the entry it came
//! from, `ARCHIVE!/ENTRY`. The archive's SHA-256 and SHA-512 are its hashes.

use super::{archive_hashes, inside, read_capped, Capped, MAX_CANDIDATES, MAX_ENTRIES, MAX_META};
use crate::license_files::{self, is_license_file, is_notice_file};
use crate::{Input, ParseError};
use bomscout_core::escape::{quote, QUOTE_LIMIT};
use bomscout_core::{Catalog, Diagnostic};
use std::collections::BTreeSet;
use std::io::Cursor;
use std::path::Path;

/// Parses one wheel or egg.
pub fn parse(input: &Input) -> Result<Catalog, ParseError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(input.bytes)).map_err(|e| {
        ParseError::format(format!(
            "not a readable zip archive ({e}): the wheel or egg is truncated or corrupt"
        ))
    })?;
    let mut diagnostics = Vec::new();
    if zip.len() > MAX_ENTRIES {
        diagnostics.push(Diagnostic::warning(
            input.path(),
            format!(
                "{} entries: only the first {MAX_ENTRIES} were looked at",
                zip.len()
            ),
        ));
    }
    let names: Vec<String> = zip
        .file_names()
        .take(MAX_ENTRIES)
        .filter_map(Result::ok)
        .map(|n| n.into_owned())
        .collect();
    let metadata: BTreeSet<&str> = names
        .iter()
        .map(String::as_str)
        .filter(|n| is_metadata(n))
        .collect();
    let Some(&entry) = metadata.first() else {
        return Err(ParseError::format(
            "no `NAME-VERSION.dist-info/METADATA` (wheel) or `EGG-INFO/PKG-INFO` (egg) at the archive's top level: not a wheel or egg",
        ));
    };
    if metadata.len() > 1 {
        diagnostics.push(Diagnostic::warning(
            input.path(),
            format!(
                "{} metadata files at the top level; {} was read",
                metadata.len(),
                quote(entry, QUOTE_LIMIT)
            ),
        ));
    }
    let bytes = read_entry(&mut zip, entry, MAX_META)
        .map_err(|e| ParseError::format(format!("{}: {e}", quote(entry, QUOTE_LIMIT))))?;
    let shown = inside(input.path(), entry);
    // No directory on disk behind the metadata: an empty `abs` has no parent, so the
    // installed-distribution parser looks for no license file beside it.
    let inner = Input {
        bytes: &bytes,
        shared_path: &bomscout_core::SharedStr::from(shown.as_str()),
        abs: Path::new(""),
        root: input.root,
        options: input.options,
        tree: input.tree,
    };
    let mut catalog = crate::python::installed::parse(&inner)?;
    for d in &mut catalog.diagnostics {
        d.path = input.path().to_string();
        d.message = match d.line.take() {
            Some(line) => format!("{entry}, line {line}: {}", d.message),
            None => format!("{entry}: {}", d.message),
        };
    }
    let dir = entry.rsplit_once('/').map(|(d, _)| d).unwrap_or_default();
    let is_egg = dir == "EGG-INFO";
    let mut files = Vec::new();
    let candidates: Vec<(&String, &str)> = names
        .iter()
        .filter_map(|n| Some((n, license_candidate(n, dir, is_egg)?)))
        .collect();
    if candidates.len() > MAX_CANDIDATES {
        diagnostics.push(Diagnostic::warning(
            input.path(),
            format!(
                "{} license, notice and copyright files: only the first {MAX_CANDIDATES} were read",
                candidates.len()
            ),
        ));
    }
    for (name, relative) in candidates.into_iter().take(MAX_CANDIDATES) {
        match read_entry(&mut zip, name, license_files::MAX_FILE) {
            Ok(bytes) => files.push((relative.to_string(), inside(input.path(), name), bytes)),
            Err(e) => diagnostics.push(Diagnostic::warning(
                input.path(),
                format!("{}: {e}", quote(name, QUOTE_LIMIT)),
            )),
        }
    }
    let threshold = input.options.license_threshold;
    for package in &mut catalog.packages {
        let c = &mut package.component;
        c.locations.clear();
        c.locations.insert(input.location());
        for message in license_files::add_evidence_from_files(c, &files, threshold) {
            diagnostics.push(Diagnostic::warning(input.path(), message));
        }
        archive_hashes(input.bytes)
            .into_iter()
            .for_each(|h| c.add_hash(h));
    }
    catalog.diagnostics.extend(diagnostics);
    Ok(catalog)
}

/// `NAME.dist-info/METADATA` or `EGG-INFO/PKG-INFO`, at the top level.
fn is_metadata(name: &str) -> bool {
    match name.split_once('/') {
        Some(("EGG-INFO", "PKG-INFO")) => true,
        Some((dir, "METADATA")) => {
            dir.len() > ".dist-info".len() && dir.ends_with(".dist-info") && !dir.starts_with('.')
        }
        _ => false,
    }
}

/// The name relative to the metadata directory of an entry read for license evidence: a
/// license, notice or copyright file in `dir` or its `licenses/` subtree, or for an egg
/// at the archive's top level.
fn license_candidate<'a>(name: &'a str, dir: &str, is_egg: bool) -> Option<&'a str> {
    let base = name.rsplit('/').next().unwrap_or(name);
    let wanted = is_license_file(base)
        || is_notice_file(base)
        || base.to_ascii_lowercase().starts_with("copyright");
    if !wanted || name.ends_with('/') {
        return None;
    }
    if let Some(rest) = name.strip_prefix(dir).and_then(|r| r.strip_prefix('/')) {
        let direct = !rest.contains('/');
        let licenses = rest.starts_with("licenses/");
        return (direct || licenses).then_some(rest);
    }
    (is_egg && !name.contains('/')).then_some(name)
}

/// One entry's bytes, at most `cap`.
fn read_entry(
    zip: &mut zip::ZipArchive<Cursor<&[u8]>>,
    name: &str,
    cap: u64,
) -> Result<Vec<u8>, String> {
    let entry = zip.by_name(name).map_err(|e| e.to_string())?;
    if entry.size() > cap {
        return Err(format!(
            "declares {} bytes, more than the {cap} read: skipped",
            entry.size()
        ));
    }
    read_capped(entry, cap).map_err(|e| match e {
        Capped::TooLarge => {
            format!("inflates to more than the {cap} bytes read (a zip bomb?): skipped")
        }
        Capped::Broken(e) => format!("cannot be read ({e}): the archive is corrupt"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_top_level_metadata_counts() {
        assert!(is_metadata("six-1.17.0.dist-info/METADATA"));
        assert!(is_metadata("EGG-INFO/PKG-INFO"));
        assert!(!is_metadata("../six-1.17.0.dist-info/METADATA"));
        assert!(!is_metadata("a/six-1.17.0.dist-info/METADATA"));
        assert!(!is_metadata(".dist-info/METADATA"));
        assert!(!is_metadata("six.egg-info/PKG-INFO"));
    }

    #[test]
    fn license_candidates() {
        let d = "x-1.0.dist-info";
        assert_eq!(
            license_candidate("x-1.0.dist-info/LICENSE", d, false),
            Some("LICENSE")
        );
        assert_eq!(
            license_candidate("x-1.0.dist-info/licenses/sub/COPYING.txt", d, false),
            Some("licenses/sub/COPYING.txt")
        );
        assert_eq!(
            license_candidate("x-1.0.dist-info/NOTICE", d, false),
            Some("NOTICE")
        );
        assert_eq!(license_candidate("x-1.0.dist-info/RECORD", d, false), None);
        assert_eq!(license_candidate("x/LICENSE", d, false), None);
        assert_eq!(license_candidate("LICENSE", d, false), None);
        assert_eq!(
            license_candidate("LICENSE", "EGG-INFO", true),
            Some("LICENSE")
        );
    }
}
