//! Java archives (`*.jar`, `*.war`, `*.ear`, …): the Maven coordinates inside them.
//!
//! Each `META-INF/maven/<group>/<artifact>/pom.properties` is a component (a shaded or fat
//! jar holds several). Without one, `META-INF/MANIFEST.MF` names the archive
//! (`Implementation-Title`/`-Version`, `Bundle-SymbolicName`/`-Version`; `Bundle-License`
//! is license evidence), and failing that the file name `name-1.2.3.jar` does (property
//! `identified-by`). Archives nested in `BOOT-INF/lib/`, `WEB-INF/lib/`, `lib/`, … are read
//! from memory, recursively, and are dependencies of the outer archive.
//!
//! **Limits**, so a hostile archive is a diagnostic and never an OOM or a hang: nesting
//! depth [`MAX_DEPTH`], [`MAX_ENTRIES`] entries looked at per archive; per scanned file,
//! across all nesting (one budget passed down the recursion), [`MAX_TOTAL_ENTRIES`]
//! entries and [`MAX_TOTAL`] decompressed bytes; metadata entries capped at [`MAX_META`]
//! bytes; an entry whose declared size is over [`MAX_RATIO`] times its compressed size
//! (and large) is treated as a zip bomb and skipped; and a nested archive whose bytes
//! (header and data) overlap those of one already read (one nested jar named hundreds of
//! times in the central directory, the overlapping-files zip bomb) is not read again, so
//! no bytes are inflated twice.

#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use super::component;
use crate::{Input, ParseError};
use bomscout_core::escape::{quote, QUOTE_LIMIT};
use bomscout_core::{
    Catalog, Component, DepKind, Diagnostic, Ecosystem, Hash, HashAlg, License, Location, NodeRef,
};
use sha2::{Digest, Sha256};
use std::io::{Cursor, Read};

/// Archives inside archives, at most this deep.
pub const MAX_DEPTH: usize = 3;
/// Entries looked at per archive.
pub const MAX_ENTRIES: usize = 65_536;
/// Decompressed bytes read per scanned file, across all nesting.
pub const MAX_TOTAL: u64 = 256 << 20;
/// Archive entries looked at per scanned file, across all nesting.
pub const MAX_TOTAL_ENTRIES: usize = 65_536;
/// Bytes read of one metadata entry.
pub const MAX_META: u64 = 1 << 20;
/// Declared-to-compressed size ratio above which a large entry is a suspected zip bomb.
pub const MAX_RATIO: u64 = 200;

/// What reading one scanned file may still cost, shared by every archive nested in it.
#[derive(Debug)]
struct Budget {
    /// Decompressed bytes left.
    bytes: u64,
    /// Entries left to look at.
    entries: usize,
}

impl Default for Budget {
    fn default() -> Self {
        Budget {
            bytes: MAX_TOTAL,
            entries: MAX_TOTAL_ENTRIES,
        }
    }
}

/// Parses one archive.
pub fn parse(input: &Input) -> Result<Catalog, ParseError> {
    let mut catalog = Catalog::default();
    let mut budget = Budget::default();
    let name = input.path().rsplit('/').next().unwrap_or(input.path());
    let top = read_archive(
        input.bytes,
        input.path(),
        name,
        0,
        &mut budget,
        &mut catalog,
    )
    .map_err(|e| ParseError::format(format!("not a readable Java archive: {e}")))?;
    if let Some(top) = top.and_then(|i| catalog.packages.get_mut(i)) {
        let digest = Sha256::digest(input.bytes);
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        if let Some(h) = Hash::hex(HashAlg::Sha256, &hex) {
            top.component.add_hash(h);
        }
    }
    Ok(catalog)
}

/// Reads one archive's components into `catalog`; returns the archive's own component.
fn read_archive(
    bytes: &[u8],
    shown: &str,
    file_name: &str,
    depth: usize,
    budget: &mut Budget,
    catalog: &mut Catalog,
) -> Result<Option<usize>, String> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| e.to_string())?;
    let allowed = zip.len().min(MAX_ENTRIES).min(budget.entries);
    budget.entries -= allowed;
    let names: Vec<String> = zip
        .file_names()
        .take(allowed)
        .filter_map(Result::ok)
        .map(|n| n.into_owned())
        .collect();
    if zip.len() > allowed {
        catalog.diagnostics.push(Diagnostic::warning(
            shown,
            format!(
                "{} entries: only the first {allowed} were looked at (at most {MAX_ENTRIES} per archive and {MAX_TOTAL_ENTRIES} per scanned file, nested archives included)",
                zip.len()
            ),
        ));
    }

    let mut own: Vec<usize> = Vec::new();
    for name in names
        .iter()
        .filter(|n| n.starts_with("META-INF/maven/") && n.ends_with("/pom.properties"))
    {
        let Some(text) = read_entry(&mut zip, name, MAX_META, budget, shown, catalog) else {
            continue;
        };
        let props = properties(&String::from_utf8_lossy(&text));
        let (Some(g), Some(a), Some(v)) = (
            props.get("groupId"),
            props.get("artifactId"),
            props.get("version"),
        ) else {
            continue;
        };
        match component(g, a, v) {
            Ok(c) => own.push(add(catalog, c, shown)),
            Err(e) => catalog.diagnostics.push(Diagnostic::warning(
                shown,
                format!("{}: {e}", quote(name, QUOTE_LIMIT)),
            )),
        }
    }
    let manifest = read_entry(
        &mut zip,
        "META-INF/MANIFEST.MF",
        MAX_META,
        budget,
        shown,
        catalog,
    )
    .map(|b| manifest(&String::from_utf8_lossy(&b)))
    .unwrap_or_default();
    // The archive itself: the pom.properties whose artifact the file is named after, the
    // only one, or else the manifest's or file name's identity.
    let stem = file_name
        .rsplit_once('.')
        .map(|(s, _)| s)
        .unwrap_or(file_name);
    let primary = own
        .iter()
        .copied()
        .find(|&i| {
            catalog
                .packages
                .get(i)
                .is_some_and(|p| stem.starts_with(p.component.name.as_str()))
        })
        .or(match own.as_slice() {
            [only] => Some(*only),
            _ => None,
        })
        .or_else(|| identify(&manifest, stem).map(|c| add(catalog, c, shown)));
    let license = header(&manifest, "Bundle-License");
    if let (Some(p), Some(license)) = (primary.and_then(|p| catalog.packages.get_mut(p)), license) {
        p.component.add_license(License::declared(
            license,
            &format!("{shown}!/META-INF/MANIFEST.MF"),
            "Bundle-License",
        ));
    }
    if let Some(p) = primary {
        for &i in own.iter().filter(|&&i| i != p) {
            catalog.add_edge(NodeRef::Package(p), NodeRef::Package(i), DepKind::Normal);
        }
    }
    // Nested archives whose bytes overlap one already read would inflate the same data
    // again: each span of the archive is read once.
    let mut spans = Spans::default();
    let mut overlapping = 0usize;
    for name in names.iter().filter(|n| is_archive_name(n)) {
        if depth + 1 > MAX_DEPTH {
            catalog.diagnostics.push(Diagnostic::warning(
                shown,
                format!(
                    "{}: archives nested more than {MAX_DEPTH} deep are not read",
                    quote(name, QUOTE_LIMIT)
                ),
            ));
            break;
        }
        if budget.entries == 0 {
            catalog.diagnostics.push(Diagnostic::warning(
                shown,
                format!("{} and the archives after it not read: the {MAX_TOTAL_ENTRIES}-entry limit per scanned file is reached", quote(name, QUOTE_LIMIT)),
            ));
            break;
        }
        if !entry_span(&mut zip, name).is_some_and(|span| spans.claim(span)) {
            overlapping += 1;
            continue;
        }
        let limit = budget.bytes;
        let Some(inner) = read_entry(&mut zip, name, limit, budget, shown, catalog) else {
            continue;
        };
        let inner_shown = format!("{shown}!/{name}");
        let inner_name = name.rsplit('/').next().unwrap_or(name);
        match read_archive(&inner, &inner_shown, inner_name, depth + 1, budget, catalog) {
            Ok(Some(child)) => {
                if let Some(p) = primary {
                    catalog.add_edge(
                        NodeRef::Package(p),
                        NodeRef::Package(child),
                        DepKind::Normal,
                    );
                }
            }
            Ok(None) => {}
            Err(e) => catalog.diagnostics.push(Diagnostic::warning(
                &inner_shown,
                format!("not a readable archive: {e}"),
            )),
        }
    }
    if overlapping > 0 {
        catalog.diagnostics.push(Diagnostic::warning(
            shown,
            format!("{overlapping} nested archive entries overlap the bytes of another entry (a zip-bomb shape): not read again"),
        ));
    }
    Ok(primary)
}

/// Byte ranges of an archive already read, none overlapping another.
#[derive(Default)]
struct Spans(std::collections::BTreeMap<u64, u64>);

impl Spans {
    /// Records `start..end` and returns true, unless it overlaps a recorded range.
    fn claim(&mut self, (start, end): (u64, u64)) -> bool {
        let before = self.0.range(..=start).next_back();
        let after = self.0.range(start..).next();
        if before.is_some_and(|(_, &e)| e > start) || after.is_some_and(|(&s, _)| s < end) {
            return false;
        }
        self.0.insert(start, end);
        true
    }
}

/// The bytes an entry occupies, from its local header to the end of its data.
fn entry_span<R: Read + std::io::Seek>(
    zip: &mut zip::ZipArchive<R>,
    name: &str,
) -> Option<(u64, u64)> {
    let index = zip.index_for_name(name)?;
    let entry = zip.by_index_raw(index).ok()?;
    let start = entry.header_start();
    let end = entry.data_start()?.checked_add(entry.compressed_size())?;
    Some((start, end.max(start + 1)))
}

fn add(catalog: &mut Catalog, c: Component, shown: &str) -> usize {
    match catalog.add_package(c.at(Location::new(shown))) {
        NodeRef::Package(i) | NodeRef::Project(i) => i,
    }
}

/// An entry's bytes, at most `limit` of them and never past the file's budget; a
/// suspected zip bomb or a read error is a diagnostic and `None`.
fn read_entry<R: Read + std::io::Seek>(
    zip: &mut zip::ZipArchive<R>,
    name: &str,
    limit: u64,
    budget: &mut Budget,
    shown: &str,
    catalog: &mut Catalog,
) -> Option<Vec<u8>> {
    let index = zip.index_for_name(name)?;
    let mut entry = match zip.by_index(index) {
        Ok(e) => e,
        Err(e) => {
            catalog.diagnostics.push(Diagnostic::warning(
                shown,
                format!("{}: {e}", quote(name, QUOTE_LIMIT)),
            ));
            return None;
        }
    };
    let (size, packed) = (entry.size(), entry.compressed_size().max(1));
    if size > 1 << 20 && size / packed > MAX_RATIO {
        catalog.diagnostics.push(Diagnostic::warning(
            shown,
            format!(
                "{}: {size} bytes packed into {packed}: a suspected zip bomb, skipped",
                quote(name, QUOTE_LIMIT)
            ),
        ));
        return None;
    }
    let cap = limit.min(budget.bytes);
    if size > cap {
        catalog.diagnostics.push(Diagnostic::warning(
            shown,
            format!(
                "{}: {size} bytes is over the {cap}-byte limit, skipped",
                quote(name, QUOTE_LIMIT)
            ),
        ));
        return None;
    }
    let mut out = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    match (&mut entry).take(cap + 1).read_to_end(&mut out) {
        Ok(n) if n as u64 > cap => {
            catalog.diagnostics.push(Diagnostic::warning(
                shown,
                format!(
                    "{}: larger than it declares, skipped",
                    quote(name, QUOTE_LIMIT)
                ),
            ));
            None
        }
        Ok(n) => {
            budget.bytes = budget.bytes.saturating_sub(n as u64);
            Some(out)
        }
        Err(e) => {
            catalog.diagnostics.push(Diagnostic::warning(
                shown,
                format!("{}: {e}", quote(name, QUOTE_LIMIT)),
            ));
            None
        }
    }
}

fn is_archive_name(name: &str) -> bool {
    [".jar", ".war", ".ear", ".rar", ".hpi", ".jpi", ".nar"]
        .iter()
        .any(|e| name.ends_with(e))
}

/// `key=value` lines of a `.properties` file (comments and blanks skipped).
fn properties(text: &str) -> std::collections::HashMap<String, String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with(['#', '!']))
        .filter_map(|l| l.split_once(['=', ':']))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect()
}

/// The main section of a manifest, with 72-byte continuation lines (a leading space) joined.
fn manifest(text: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        let line = line.trim_end_matches('\r');
        if line.is_empty() {
            break; // the main section ends at the first blank line
        }
        if let Some(rest) = line.strip_prefix(' ') {
            if let Some(last) = out.last_mut() {
                last.1.push_str(rest);
            }
        } else if let Some((k, v)) = line.split_once(':') {
            out.push((k.trim().to_string(), v.trim().to_string()));
        }
    }
    out
}

fn header<'a>(manifest: &'a [(String, String)], key: &str) -> Option<&'a str> {
    manifest
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.is_empty())
}

/// The archive's identity from its manifest, else its file name.
fn identify(manifest: &[(String, String)], stem: &str) -> Option<Component> {
    let version =
        header(manifest, "Implementation-Version").or_else(|| header(manifest, "Bundle-Version"));
    let symbolic =
        header(manifest, "Bundle-SymbolicName").map(|s| s.split(';').next().unwrap_or(s).trim());
    let title = header(manifest, "Implementation-Title");
    let group = header(manifest, "Implementation-Vendor-Id")
        .or_else(|| symbolic.and_then(|s| s.rsplit_once('.')).map(|(g, _)| g));
    let (from_name, name_version) = split_file_name(stem);
    let artifact = symbolic
        .and_then(|s| s.rsplit('.').next())
        .or(title)
        .unwrap_or(from_name);
    let version = version.or(name_version)?;
    let group = group.unwrap_or(artifact);
    let mut c = component(group, artifact, version).ok()?;
    let by = if header(manifest, "Implementation-Version")
        .or_else(|| header(manifest, "Bundle-Version"))
        .is_some()
    {
        "manifest"
    } else {
        "filename"
    };
    c.properties.insert("identified-by".into(), by.into());
    let _ = Ecosystem::Maven;
    Some(c)
}

/// `commons-lang3-3.12.0` → `("commons-lang3", Some("3.12.0"))`: the version starts at the
/// first `-` followed by a digit.
fn split_file_name(stem: &str) -> (&str, Option<&str>) {
    let bytes = stem.as_bytes();
    for (i, b) in bytes.iter().enumerate() {
        if *b == b'-' && bytes.get(i + 1).is_some_and(u8::is_ascii_digit) {
            return (stem.get(..i).unwrap_or_default(), stem.get(i + 1..));
        }
    }
    (stem, None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use zip::write::SimpleFileOptions;

    fn jar(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        {
            let mut w = zip::ZipWriter::new(&mut out);
            for (name, data) in entries {
                w.start_file(*name, SimpleFileOptions::default()).unwrap();
                w.write_all(data).unwrap();
            }
            w.finish().unwrap();
        }
        out.into_inner()
    }

    fn run(bytes: &[u8], path: &str) -> Result<Catalog, ParseError> {
        let options = crate::Options::default();
        parse(&Input {
            bytes,
            shared_path: &bomscout_core::SharedStr::from(path),
            abs: std::path::Path::new("/nonexistent"),
            root: std::path::Path::new("/"),
            options: &options,
            tree: &crate::DISK,
        })
    }

    #[test]
    fn manifest_continuations_and_file_names() {
        let m = manifest("Manifest-Version: 1.0\r\nBundle-License: https://www.apache.org/licenses/LICE\r\n NSE-2.0.txt\r\n\r\nName: x\r\nY: z\r\n");
        assert_eq!(
            header(&m, "bundle-license"),
            Some("https://www.apache.org/licenses/LICENSE-2.0.txt")
        );
        assert_eq!(header(&m, "Y"), None);
        assert_eq!(
            split_file_name("commons-lang3-3.12.0"),
            ("commons-lang3", Some("3.12.0"))
        );
        assert_eq!(split_file_name("app"), ("app", None));
    }

    #[test]
    fn fat_jar_with_nested_jars_and_shaded_poms() {
        let inner = jar(&[(
            "META-INF/maven/org.slf4j/slf4j-api/pom.properties",
            b"groupId=org.slf4j\nartifactId=slf4j-api\nversion=1.7.32\n",
        )]);
        let plain = jar(&[("META-INF/MANIFEST.MF", b"Manifest-Version: 1.0\nBundle-SymbolicName: org.example.tool\nBundle-Version: 2.0.1\nBundle-License: MIT\n")]);
        let outer = jar(&[
            (
                "META-INF/maven/com.acme/app/pom.properties",
                b"#generated\ngroupId=com.acme\nartifactId=app\nversion=1.0.0\n",
            ),
            (
                "META-INF/maven/com.google.guava/guava/pom.properties",
                b"groupId=com.google.guava\nartifactId=guava\nversion=32.1.3-jre\n",
            ),
            ("BOOT-INF/lib/slf4j-api-1.7.32.jar", &inner),
            ("BOOT-INF/lib/tool.jar", &plain),
            ("BOOT-INF/lib/broken.jar", b"not a zip"),
        ]);
        let c = run(&outer, "target/app-1.0.0.jar").unwrap();
        let purls: Vec<String> = c
            .packages
            .iter()
            .map(|p| p.component.purl.to_string())
            .collect();
        assert_eq!(
            purls,
            [
                "pkg:maven/com.acme/app@1.0.0",
                "pkg:maven/com.google.guava/guava@32.1.3-jre",
                "pkg:maven/org.slf4j/slf4j-api@1.7.32",
                "pkg:maven/org.example/tool@2.0.1"
            ]
        );
        assert_eq!(
            c.packages[0].deps.len(),
            3,
            "shaded guava and two nested jars"
        );
        assert_eq!(c.packages[0].component.hashes.len(), 1);
        assert_eq!(c.packages[3].component.licenses[0].raw, "MIT");
        assert_eq!(
            &*c.packages[2]
                .component
                .locations
                .iter()
                .next()
                .unwrap()
                .path,
            "target/app-1.0.0.jar!/BOOT-INF/lib/slf4j-api-1.7.32.jar"
        );
        assert_eq!(c.diagnostics.len(), 1, "{:?}", c.diagnostics);
    }

    #[test]
    fn zip_bombs_deep_nesting_and_garbage() {
        // 16 MiB of zeros deflates to ~16 KiB: the ratio check refuses to inflate it.
        let zeros = vec![0u8; 16 << 20];
        let bomb = jar(&[("META-INF/MANIFEST.MF", &zeros)]);
        let c = run(&bomb, "bomb-1.0.jar").unwrap();
        assert!(
            c.diagnostics.iter().any(|d| d.message.contains("zip bomb")),
            "{:?}",
            c.diagnostics
        );
        let mut nested = jar(&[(
            "META-INF/MANIFEST.MF",
            b"Implementation-Title: x\nImplementation-Version: 1\n",
        )]);
        for i in 0..6 {
            nested = jar(&[(&format!("lib/n{i}.jar"), &nested)]);
        }
        let c = run(&nested, "deep.jar").unwrap();
        assert!(c
            .diagnostics
            .iter()
            .any(|d| d.message.contains("nested more than")));
        assert!(run(b"PK\x03\x04garbage", "x.jar").is_err());
        assert!(run(b"", "x.jar").is_err());
    }

    /// A jar holding `inner` tiny jars, named `copies` times in the outer central directory
    /// (all entries pointing at the same bytes), as `zip`'s shallow copy writes them.
    pub(crate) fn overlapping_jar(inner: usize, copies: usize) -> Vec<u8> {
        let tiny = jar(&[("META-INF/MANIFEST.MF", b"Manifest-Version: 1.0\r\n")]);
        let names: Vec<String> = (0..inner).map(|i| format!("lib/t{i}-1.0.jar")).collect();
        let entries: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), &tiny[..])).collect();
        let nested = jar(&entries);
        let mut out = Cursor::new(Vec::new());
        {
            let mut w = zip::ZipWriter::new(&mut out);
            w.start_file("BOOT-INF/lib/nested-1.0.jar", SimpleFileOptions::default())
                .unwrap();
            w.write_all(&nested).unwrap();
            for i in 0..copies {
                w.shallow_copy_file(
                    "BOOT-INF/lib/nested-1.0.jar",
                    &format!("BOOT-INF/lib/c{i}-1.0.jar"),
                )
                .unwrap();
            }
            w.finish().unwrap();
        }
        out.into_inner()
    }

    #[test]
    fn a_nested_jar_named_many_times_is_read_once() {
        let bytes = overlapping_jar(50, 200);
        let c = run(&bytes, "app-1.0.jar").unwrap();
        // app, nested, and its 50 tiny jars: once, not 201 times.
        assert_eq!(c.packages.len(), 52, "{:?}", c.diagnostics);
        assert!(
            c.diagnostics
                .iter()
                .any(|d| d.message.starts_with("200 nested archive entries overlap")),
            "{:?}",
            c.diagnostics
        );
    }

    #[test]
    fn entries_are_bounded_across_nesting() {
        let tiny = jar(&[("META-INF/MANIFEST.MF", b"Manifest-Version: 1.0\r\n")]);
        // Two nested jars of 600 tiny jars each, under a budget of 1,000 entries: each
        // nested jar is within it, the two together are not.
        let names: Vec<String> = (0..600).map(|i| format!("lib/t{i}-1.0.jar")).collect();
        let entries: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), &tiny[..])).collect();
        let nested = jar(&entries);
        let outer = jar(&[("lib/a-1.0.jar", &nested), ("lib/b-1.0.jar", &nested)]);
        let mut budget = Budget {
            bytes: MAX_TOTAL,
            entries: 1000,
        };
        let mut c = Catalog::default();
        read_archive(&outer, "app-1.0.jar", "app-1.0.jar", 0, &mut budget, &mut c).unwrap();
        assert_eq!(budget.entries, 0);
        assert!(c.packages.len() <= 1000, "{}", c.packages.len());
        assert!(
            c.diagnostics
                .iter()
                .any(|d| d.message.contains("per scanned file")),
            "{:?}",
            c.diagnostics.iter().take(3).collect::<Vec<_>>()
        );
    }
}
