//! License files beside an installed package, matched to SPDX licenses.
//!
//! Used by the installed-tree catalogers (the documented exception to "parsers read only
//! their input") and by the cargo registry lookup: the `LICENSE`, `LICENCE` or `COPYING`
//! files in the package's directory (or the files its metadata names) are read, at most
//! [`MAX_FILE`] bytes of at most [`MAX_FILES`] files, and matched against the SPDX license
//! texts (never a file of a vendored subtree, `_vendor/` or `vendor/`: it is about the
//! vendored code, see [`is_vendored`]). What they say becomes license evidence of kind
//! `File`, with its confidence:
//!
//! - with no declared license, a match at or above the threshold is the evidence the
//!   component's license rests on;
//! - with a declared license, the file is checked against it: a file that *confirms* it is
//!   kept as supporting evidence, and one that is confidently *another* license is kept too
//!   and reported as a conflict (the declared license still governs; a reviewer decides).
//!
//! Every package also gets the SHA-256 of each license file as the property
//! `license-file-sha256` (`NAME:HEX`, comma-separated): hashing is cheap, and it is what a
//! policy curation's `license-file-sha256` is checked against, so a curation lapses when
//! the file it was verified against changes. Findings are memoized per process by that
//! hash, so a text seen in many packages (or many repositories) is matched once.
//!
//! Attribution comes from the same files plus the package's `NOTICE*` and `COPYRIGHT*`
//! files (as many and as bounded as license files): the copyright statements of every one
//! of them ([`bomscout_license::copyright::extract`]) become the component's `copyrights`,
//! and a `NOTICE` file's text is kept verbatim in its `notices` (Apache-2.0 §4(d) requires
//! reproducing it).

use bomscout_core::{Component, License, SourceKind};
use bomscout_license::detect::{Finding, LicenseText};
use bomscout_walk::{EntryKind, Tree};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::Path;
use std::sync::{Mutex, OnceLock};

/// Bytes read of one license file.
pub const MAX_FILE: u64 = 256 * 1024;
/// License files looked at per package.
pub const MAX_FILES: usize = 8;
/// Distinct findings remembered per process; past this, texts are simply matched again.
const MEMO_LIMIT: usize = 100_000;

/// True for an Apache-style `NOTICE` file (`NOTICE`, `NOTICE.txt`, `NOTICE.md` …).
pub fn is_notice_file(name: &str) -> bool {
    name.to_ascii_lowercase().starts_with("notice")
}

/// True for a file read only for its copyright statements: `NOTICE*`, `COPYRIGHT*`.
fn is_attribution_file(name: &str) -> bool {
    is_notice_file(name) || name.to_ascii_lowercase().starts_with("copyright")
}

/// True for a file name that is conventionally a license file.
pub fn is_license_file(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    ["license", "licence", "copying", "unlicense"]
        .iter()
        .any(|p| n.starts_with(p))
}

/// Adds the license-file evidence of a package in `dir` to `component`: the files'
/// fingerprints, and what their texts say (see the module docs). `names` are the files its
/// metadata names (relative to `dir`); when empty, the conventional license files in `dir`
/// are used. `rel_dir` is `dir` as shown in evidence. Returns a message for each file that
/// contradicts the declared license, for the caller to report as a diagnostic.
pub fn add_evidence(
    tree: &dyn Tree,
    component: &mut Component,
    dir: &Path,
    rel_dir: &str,
    names: &[String],
    threshold: f32,
) -> Vec<String> {
    // Symlinks resolved, every file read must lie in the package's own directory: a name
    // from metadata (or a `LICENSE` symlink) never reaches `/etc/shadow`.
    let real_dir = tree.canonicalize(dir);
    let read_in = |name: &str| {
        real_dir
            .as_deref()
            .and_then(|d| read(tree, d, &dir.join(name)))
    };
    let licenses = candidates(tree, dir, names);
    let read_all = |names: Vec<String>| -> Vec<(String, String, Vec<u8>)> {
        names
            .into_iter()
            .filter_map(|name| {
                let bytes = read_in(&name)?;
                let path = join(rel_dir, &name);
                Some((name, path, bytes))
            })
            .collect()
    };
    let attribution = read_all(attribution_files(tree, dir, &licenses));
    let licenses = read_all(licenses);
    evidence(component, &attribution, &licenses, threshold)
}

/// [`add_evidence`] for a package whose files are already in memory (read from inside an
/// archive, never from disk): `files` are `(name, path, bytes)`, `name` relative to the
/// package's directory (`LICENSE`, `licenses/COPYING`), `path` as shown in evidence
/// (`dist/x.whl!/x-1.0.dist-info/LICENSE`). The conventional license files among them
/// (by file name, none vendored) are matched and the `NOTICE*`/`COPYRIGHT*` ones read for
/// attribution, each kind sorted by name and at most [`MAX_FILES`]; each is expected to be
/// at most [`MAX_FILE`] bytes already (the caller bounds what it inflates).
pub fn add_evidence_from_files(
    component: &mut Component,
    files: &[(String, String, Vec<u8>)],
    threshold: f32,
) -> Vec<String> {
    let base = |name: &str| name.rsplit('/').next().unwrap_or(name).to_string();
    let mut sorted: Vec<&(String, String, Vec<u8>)> = files
        .iter()
        .filter(|(name, _, _)| crate::paths::is_contained_relative(name) && !is_vendored(name))
        .collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    let pick = |wanted: &dyn Fn(&str) -> bool| -> Vec<(String, String, Vec<u8>)> {
        sorted
            .iter()
            .filter(|(name, _, _)| wanted(&base(name)))
            .take(MAX_FILES)
            .map(|&f| f.clone())
            .collect()
    };
    let licenses = pick(&|n| is_license_file(n));
    let attribution = pick(&|n| is_attribution_file(n) && !is_license_file(n));
    evidence(component, &attribution, &licenses, threshold)
}

/// What `attribution` and `licenses` files (`(name, path, bytes)`) say, added to
/// `component` (see the module docs); returns the conflicts with the declared license.
fn evidence(
    component: &mut Component,
    attribution: &[(String, String, Vec<u8>)],
    licenses: &[(String, String, Vec<u8>)],
    threshold: f32,
) -> Vec<String> {
    let declared = declared_ids(component);
    let declared: Vec<&str> = declared.iter().map(String::as_str).collect();
    let mut prints = Vec::new();
    let mut conflicts = Vec::new();
    for (name, path, bytes) in attribution {
        add_attribution(component, name, path, bytes);
    }
    for (name, path, bytes) in licenses {
        let hex = sha256_hex(bytes);
        prints.push(format!("{name}:{hex}"));
        add_attribution(component, name, path, bytes);
        let (detected, differs) = match finding(&hex, bytes, &declared, threshold) {
            Finding::Confirms(d) => (d, false),
            Finding::Differs(d) => (d, !declared.is_empty()),
            Finding::Unrecognized => continue,
        };
        if differs {
            conflicts.push(format!(
                "{}: declares {} but {path} reads as {} (confidence {:.2})",
                component.purl,
                declared.join(", "),
                detected.id,
                detected.confidence
            ));
        }
        if !component
            .licenses
            .iter()
            .any(|l| l.source.kind == SourceKind::File && *l.raw == *detected.id)
        {
            let mut l = License::of_kind(&detected.id, path, "license-file", SourceKind::File);
            l.expression = Some(detected.id.into());
            l.confidence = Some(detected.confidence);
            component.add_license(l);
        }
    }
    if !prints.is_empty() {
        component
            .properties
            .insert("license-file-sha256".into(), prints.join(","));
    }
    conflicts
}

/// The copyright statements of a license or notice file, and a `NOTICE` file's text.
fn add_attribution(component: &mut Component, name: &str, path: &str, bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    for statement in bomscout_license::copyright::extract(&text) {
        component.add_copyright(&statement, path);
    }
    let file_name = name.rsplit('/').next().unwrap_or(name);
    if is_notice_file(file_name) && !text.trim().is_empty() {
        component.add_notice(&text, path);
    }
}

/// The `NOTICE*` and `COPYRIGHT*` files in `dir` that are not among `licenses`: sorted,
/// bounded like license files.
fn attribution_files(tree: &dyn Tree, dir: &Path, licenses: &[String]) -> Vec<String> {
    let mut names: Vec<String> = files_in(tree, dir)
        .into_iter()
        .filter(|n| is_attribution_file(n) && !licenses.contains(n))
        .collect();
    names.sort();
    names.truncate(MAX_FILES);
    names
}

/// The SPDX ids of the component's own statements (declared fields and classifiers).
fn declared_ids(component: &Component) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    for l in &component.licenses {
        if l.source.kind == SourceKind::File {
            continue;
        }
        let expression = match &l.expression {
            Some(e) => Some(e.to_string()),
            None if l.source.kind == SourceKind::Classifier => {
                bomscout_license::classifier_to_spdx(&l.raw).map(str::to_string)
            }
            None => bomscout_license::normalize(&l.raw).expression,
        };
        for id in expression
            .map(|e| bomscout_license::expression_ids(&e))
            .unwrap_or_default()
        {
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
    }
    ids
}

/// What a license file's text says about `declared`, memoized by the text's hash.
fn finding(hex: &str, bytes: &[u8], declared: &[&str], threshold: f32) -> Finding {
    type Key = (String, Vec<String>, u32);
    static MEMO: OnceLock<Mutex<HashMap<Key, Finding>>> = OnceLock::new();
    let memo = MEMO.get_or_init(Mutex::default);
    let key: Key = (
        hex.to_string(),
        declared.iter().map(|s| s.to_string()).collect(),
        threshold.to_bits(),
    );
    if let Some(hit) = memo.lock().ok().and_then(|m| m.get(&key).cloned()) {
        return hit;
    }
    let text = String::from_utf8_lossy(bytes);
    let found = match LicenseText::new(&text) {
        Some(t) => t.check(declared, threshold),
        None => Finding::Unrecognized,
    };
    if let Ok(mut m) = memo.lock() {
        if m.len() < MEMO_LIMIT {
            m.insert(key, found.clone());
        }
    }
    found
}

fn join(rel_dir: &str, name: &str) -> String {
    if rel_dir.is_empty() || rel_dir == "." {
        name.to_string()
    } else {
        format!("{rel_dir}/{name}")
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The license files to look at: `names`, or the conventional ones in `dir`; sorted,
/// bounded, never escaping `dir`, and none from a vendored subtree ([`is_vendored`]).
fn candidates(tree: &dyn Tree, dir: &Path, names: &[String]) -> Vec<String> {
    let mut candidates: Vec<String> = if names.is_empty() {
        let mut names = files_in(tree, dir);
        names.retain(|n| is_license_file(n));
        names
    } else {
        names.to_vec()
    };
    candidates.retain(|n| crate::paths::is_contained_relative(n) && !is_vendored(n));
    candidates.sort();
    candidates.truncate(MAX_FILES);
    candidates
}

/// True for a file inside a vendored subtree: a path with a `_vendor` or `vendor`
/// directory (pip names `licenses/src/pip/_vendor/idna/LICENSE.md` among its own
/// `License-File`s).
///
/// A vendored copy is another project's code, shipped inside this package under that
/// project's license: its license file says what *that* code is under, not what the outer
/// package is under. Taken as evidence about the outer package it would be a false
/// "conflict" (pip, MIT, "reads as" BSD-3-Clause because of its vendored idna) or, with
/// no declared license, a wrong one. So it neither confirms nor contradicts the outer
/// package, and it does not use up the [`MAX_FILES`] files looked at.
fn is_vendored(name: &str) -> bool {
    name.split(['/', '\\'])
        .rev()
        .skip(1)
        .any(|d| d == "_vendor" || d == "vendor")
}

/// The names of the regular files in `dir` (symlinks not followed, as listed), unsorted.
/// On the host's disk the directory is streamed rather than listed and sorted first: this
/// runs for every installed package of a scan.
fn files_in(tree: &dyn Tree, dir: &Path) -> Vec<String> {
    if tree.is_host() {
        return std::fs::read_dir(dir)
            .into_iter()
            .flatten()
            .flatten()
            .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
            .filter_map(|e| e.file_name().into_string().ok())
            .collect();
    }
    tree.read_dir(dir)
        .unwrap_or_default()
        .into_iter()
        .filter(|e| e.kind == EntryKind::File)
        .map(|e| e.name)
        .collect()
}

/// A license file of at most [`MAX_FILE`] bytes, if it is a regular file inside `dir`
/// (canonical) once symlinks are resolved.
fn read(tree: &dyn Tree, dir: &Path, path: &Path) -> Option<Vec<u8>> {
    let real = crate::paths::inside_root(tree, dir, path)?;
    crate::text::read_side_bytes(tree, &real, MAX_FILE).ok()?
}

#[cfg(test)]
mod tests {
    use super::*;
    use bomscout_core::Ecosystem;
    use bomscout_walk::{MemTree, DISK};
    use std::sync::Arc;

    /// The same package read from a tree in memory: license files by name (symlinks and
    /// directories among them skipped), NOTICE for attribution, nothing outside the dir.
    #[test]
    fn a_package_in_a_tree_in_memory() {
        let mut t = MemTree::new();
        let put = |t: &mut MemTree, rel: &str, text: &str| {
            t.insert_file(rel, text.len() as u64, 0, Some(Arc::from(text.as_bytes())));
        };
        put(&mut t, "node_modules/x/LICENSE", MIT);
        put(
            &mut t,
            "node_modules/x/NOTICE",
            "x\nCopyright 2021 Ada Lovelace\n",
        );
        put(&mut t, "secret/LICENSE.md", MIT);
        t.insert_symlink("node_modules/x/LICENSE-OUT", "../../secret/LICENSE.md", 0);
        t.insert_dir("node_modules/x/LICENSES", 0);
        let mut c = Component::new(Ecosystem::Npm, None, "x", "1.0.0").unwrap();
        let dir = MemTree::abs("node_modules/x");
        let conflicts = add_evidence(&t, &mut c, &dir, "node_modules/x", &[], 0.9);
        assert!(conflicts.is_empty(), "{conflicts:?}");
        let found: Vec<(&str, &str)> = c
            .licenses
            .iter()
            .map(|l| (l.raw.as_str(), l.source.path.as_str()))
            .collect();
        assert_eq!(found, [("MIT", "node_modules/x/LICENSE")]);
        let prints = c.properties.get("license-file-sha256").unwrap();
        assert!(prints.starts_with("LICENSE:"), "{prints}");
        assert!(!prints.contains("LICENSE-OUT"), "{prints}");
        assert_eq!(c.notices.len(), 1, "{:?}", c.notices);
        // A name from metadata that resolves outside the package's directory is not read.
        let mut c = Component::new(Ecosystem::Npm, None, "x", "1.0.0").unwrap();
        add_evidence(
            &t,
            &mut c,
            &dir,
            "node_modules/x",
            &["LICENSE-OUT".into()],
            0.9,
        );
        assert!(c.licenses.is_empty(), "{:?}", c.licenses);
    }

    use crate::MIT_TEXT as MIT;

    /// A package directory holding an MIT `LICENSE`, and a component declaring `declared`.
    fn package(declared: Option<&str>) -> (tempfile::TempDir, Component) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("LICENSE"), MIT).unwrap();
        std::fs::write(dir.path().join("README.md"), "# x").unwrap();
        let mut c = Component::new(Ecosystem::Npm, None, "x", "1.0.0").unwrap();
        if let Some(d) = declared {
            c.add_license(License::declared(
                d,
                "node_modules/x/package.json",
                "license",
            ));
        }
        (dir, c)
    }

    fn file_evidence(c: &Component) -> Vec<(&str, &str)> {
        c.licenses
            .iter()
            .filter(|l| l.source.kind == SourceKind::File)
            .map(|l| (l.raw.as_str(), l.source.path.as_str()))
            .collect()
    }

    #[test]
    fn an_undeclared_license_is_read_from_its_file() {
        let (dir, mut c) = package(None);
        let conflicts = add_evidence(&DISK, &mut c, dir.path(), "node_modules/x", &[], 0.9);
        assert!(conflicts.is_empty());
        assert_eq!(file_evidence(&c), [("MIT", "node_modules/x/LICENSE")]);
        assert!(c.licenses[0].confidence.unwrap() > 0.9);
        let print = &c.properties["license-file-sha256"];
        assert!(
            print.starts_with("LICENSE:") && print.len() == 8 + 64,
            "{print}"
        );
    }

    #[test]
    fn a_declared_license_is_confirmed_by_its_file() {
        // A legacy spelling is normalized before the comparison.
        let (dir, mut c) = package(Some("MIT/Apache-2.0"));
        let conflicts = add_evidence(&DISK, &mut c, dir.path(), "node_modules/x", &[], 0.9);
        assert!(conflicts.is_empty(), "{conflicts:?}");
        assert_eq!(file_evidence(&c), [("MIT", "node_modules/x/LICENSE")]);
        assert_eq!(c.licenses[0].source.kind, SourceKind::Declared);
    }

    #[test]
    fn a_file_of_another_license_is_a_conflict() {
        let (dir, mut c) = package(Some("GPL-3.0-only"));
        let conflicts = add_evidence(&DISK, &mut c, dir.path(), "node_modules/x", &[], 0.9);
        assert_eq!(conflicts.len(), 1);
        assert!(
            conflicts[0].contains("declares GPL-3.0-only but node_modules/x/LICENSE reads as MIT"),
            "{conflicts:?}"
        );
        // Both statements stay; the declared one still comes first.
        assert_eq!(c.licenses[0].raw, "GPL-3.0-only");
        assert_eq!(file_evidence(&c), [("MIT", "node_modules/x/LICENSE")]);
    }

    /// pip's own METADATA names the license files of what it vendors; they say nothing
    /// about pip (MIT) and must not read as a conflict, nor crowd out its own file.
    #[test]
    fn vendored_license_files_are_not_evidence_about_the_package() {
        let (dir, mut c) = package(Some("MIT"));
        let bsd = spdx::license_id("BSD-3-Clause").unwrap().text();
        let apache = spdx::license_id("Apache-2.0").unwrap().text();
        let mut names = Vec::new();
        for (i, (sub, text)) in [("_vendor", bsd), ("vendor", apache)]
            .iter()
            .cycle()
            .take(10)
            .enumerate()
        {
            let name = format!("licenses/src/pip/{sub}/p{i}/LICENSE.txt");
            std::fs::create_dir_all(dir.path().join(&name).parent().unwrap()).unwrap();
            std::fs::write(dir.path().join(&name), text).unwrap();
            names.push(name);
        }
        names.push("LICENSE".to_string());
        let conflicts = add_evidence(
            &DISK,
            &mut c,
            dir.path(),
            "site-packages/pip-25.0.dist-info",
            &names,
            0.9,
        );
        assert!(conflicts.is_empty(), "{conflicts:?}");
        assert_eq!(
            file_evidence(&c),
            [("MIT", "site-packages/pip-25.0.dist-info/LICENSE")]
        );
        assert!(is_vendored("src/pip/_vendor/idna/LICENSE.md"));
        assert!(!is_vendored("LICENSE.vendor"));
        assert!(!is_vendored("vendor"));
    }

    #[test]
    fn named_files_stay_inside_the_package() {
        let (dir, mut c) = package(None);
        let names = ["../LICENSE".to_string(), "MISSING".to_string()];
        assert!(add_evidence(&DISK, &mut c, dir.path(), "", &names, 0.9).is_empty());
        assert!(c.licenses.is_empty());
        assert!(!c.properties.contains_key("license-file-sha256"));
    }

    #[test]
    fn absolute_symlinked_and_special_license_files_are_not_read() {
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("shadow"), MIT).unwrap();
        let (dir, mut c) = package(None);
        std::fs::remove_file(dir.path().join("LICENSE")).unwrap();
        let shadow = outside.path().join("shadow");
        std::os::unix::fs::symlink(&shadow, dir.path().join("LICENSE")).unwrap();
        std::os::unix::fs::symlink("/dev/zero", dir.path().join("LICENSE-ZERO")).unwrap();
        assert!(std::process::Command::new("mkfifo")
            .arg(dir.path().join("COPYING"))
            .status()
            .unwrap()
            .success());
        let names = [shadow.display().to_string()];
        add_evidence(&DISK, &mut c, dir.path(), "", &names, 0.9);
        add_evidence(&DISK, &mut c, dir.path(), "", &[], 0.9);
        let named = ["LICENSE-ZERO".to_string(), "COPYING".to_string()];
        add_evidence(&DISK, &mut c, dir.path(), "", &named, 0.9);
        assert!(c.licenses.is_empty(), "{:?}", c.licenses);
        assert!(!c.properties.contains_key("license-file-sha256"));
    }

    #[test]
    fn copyrights_and_notice_texts_are_kept_with_their_files() {
        let (dir, mut c) = package(Some("Apache-2.0 AND MIT"));
        let notice = "Acme Widgets\nCopyright 2019 Acme Corp.\n\nThis product includes software developed at\nThe Apache Software Foundation (https://www.apache.org/).\n";
        std::fs::write(dir.path().join("NOTICE"), notice).unwrap();
        std::fs::write(dir.path().join("COPYRIGHT"), "Copyright (c) 2020 Ada\n").unwrap();
        std::fs::create_dir(dir.path().join("NOTICE.d")).unwrap();
        add_evidence(&DISK, &mut c, dir.path(), "node_modules/x", &[], 0.9);
        let copyrights: Vec<(&str, &str)> = c
            .copyrights
            .iter()
            .map(|c| (c.text.as_str(), c.path.as_str()))
            .collect();
        assert_eq!(
            copyrights,
            [
                ("Copyright (c) 2020 Ada", "node_modules/x/COPYRIGHT"),
                ("Copyright (c) 2024 Jane Doe", "node_modules/x/LICENSE"),
                ("Copyright 2019 Acme Corp.", "node_modules/x/NOTICE"),
            ]
        );
        assert_eq!(c.notices.len(), 1);
        assert_eq!(c.notices[0].path, "node_modules/x/NOTICE");
        assert_eq!(c.notices[0].text, notice);
        // Attribution files are not license files: no fingerprint, no license evidence.
        assert_eq!(
            c.properties["license-file-sha256"].split(',').count(),
            1,
            "{:?}",
            c.properties
        );
    }

    #[test]
    fn a_named_notice_file_is_kept_as_a_notice() {
        let (dir, mut c) = package(None);
        std::fs::create_dir(dir.path().join("licenses")).unwrap();
        std::fs::write(
            dir.path().join("licenses/NOTICE"),
            "Requests\nCopyright 2019 Kenneth Reitz\n",
        )
        .unwrap();
        let names = ["LICENSE".to_string(), "licenses/NOTICE".to_string()];
        add_evidence(&DISK, &mut c, dir.path(), "x.dist-info", &names, 0.9);
        assert_eq!(c.notices.len(), 1);
        assert_eq!(c.notices[0].path, "x.dist-info/licenses/NOTICE");
        let texts: Vec<&str> = c.copyrights.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "Copyright (c) 2024 Jane Doe",
                "Copyright 2019 Kenneth Reitz"
            ]
        );
    }

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
