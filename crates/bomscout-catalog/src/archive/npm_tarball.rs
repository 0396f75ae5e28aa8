//! npm package tarballs (`*.tgz`, what `npm pack` writes and a registry serves): the
//! package in `package/package.json`.
//!
//! The gzip stream is inflated and the tar read in one pass, in memory, at most
//! [`MAX_INFLATED`] bytes and [`MAX_ENTRIES`] entries. The manifest is the regular file
//! `TOP/package.json` one level down (`TOP` is `package` in everything npm writes; a few
//! old tarballs use another name, and `package` wins when there are several); a name
//! whose top directory is empty, `.` or `..` is skipped (names are never paths here).
//! `name`, `version`, the license fields and `author` are read as for an installed
//! package ([`crate::npm`]); the license, notice and copyright files beside the manifest
//! go through the license-text detector. A `.tgz` without a `package.json` is some other
//! tarball and yields nothing, silently.

use super::{
    archive_hashes, inside, read_capped, Capped, MAX_CANDIDATES, MAX_ENTRIES, MAX_INFLATED,
    MAX_META,
};
use crate::license_files::{self, is_license_file, is_notice_file};
use crate::{Input, ParseError};
use bomscout_core::escape::{quote, QUOTE_LIMIT};
use bomscout_core::{Catalog, Diagnostic};
use serde_json::Value;
use std::io::{self, Read};

/// A reader that fails once `left` bytes were read, remembering that it did.
struct StreamLimit<R> {
    inner: R,
    left: u64,
    hit: bool,
}

impl<R: Read> Read for StreamLimit<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.left == 0 {
            self.hit = true;
            return Err(io::Error::other("inflated size limit reached"));
        }
        let want = buf
            .len()
            .min(usize::try_from(self.left).unwrap_or(usize::MAX));
        let n = self.inner.read(buf.get_mut(..want).unwrap_or_default())?;
        self.left -= n as u64;
        Ok(n)
    }
}

/// What one pass over the tarball kept.
#[derive(Default)]
struct Found {
    /// `(top directory, bytes)` of each `TOP/package.json`.
    manifests: Vec<(String, Vec<u8>)>,
    /// `(top directory, name below it, entry name, bytes)` of license-like files.
    licenses: Vec<(String, String, String, Vec<u8>)>,
}

/// Parses one tarball.
pub fn parse(input: &Input) -> Result<Catalog, ParseError> {
    let mut catalog = Catalog::default();
    let found = read_tarball(input, &mut catalog.diagnostics)?;
    let Some((top, manifest)) = found
        .manifests
        .iter()
        .find(|(top, _)| top == "package")
        .or(found.manifests.first())
    else {
        return Ok(catalog);
    };
    let entry = format!("{top}/package.json");
    let shown = inside(input.path(), &entry);
    let doc: Value = serde_json::from_slice(manifest)
        .map_err(|e| ParseError::format(format!("{entry}: not valid JSON ({e})")))?;
    let doc = doc
        .as_object()
        .ok_or_else(|| ParseError::format(format!("{entry} must be a JSON object")))?;
    let field = |k: &str| doc.get(k).and_then(Value::as_str).filter(|v| !v.is_empty());
    let (Some(name), Some(version)) = (field("name"), field("version")) else {
        return Err(ParseError::format(format!(
            "{entry} has no name and version: not a package tarball"
        )));
    };
    let mut c = crate::npm::component(name, version, None)
        .map_err(|e| ParseError::format(format!("{entry}: {e}")))?;
    for l in crate::npm::licenses(doc, &shown) {
        c.add_license(l);
    }
    let author = match doc.get("author") {
        Some(Value::String(s)) => Some(s.as_str()),
        Some(Value::Object(o)) => o.get("name").and_then(Value::as_str),
        _ => None,
    };
    if let Some(a) = author.filter(|a| !a.trim().is_empty()) {
        c.properties.insert("author".into(), a.trim().to_string());
    }
    let files: Vec<(String, String, Vec<u8>)> = found
        .licenses
        .into_iter()
        .filter(|(t, ..)| t == top)
        .map(|(_, name, entry, bytes)| (name, inside(input.path(), &entry), bytes))
        .collect();
    let threshold = input.options.license_threshold;
    for message in license_files::add_evidence_from_files(&mut c, &files, threshold) {
        catalog
            .diagnostics
            .push(Diagnostic::warning(input.path(), message));
    }
    archive_hashes(input.bytes)
        .into_iter()
        .for_each(|h| c.add_hash(h));
    catalog.add_package(c.at(input.location()));
    Ok(catalog)
}

/// One pass over the tarball: its manifests and license-like files.
fn read_tarball(input: &Input, diagnostics: &mut Vec<Diagnostic>) -> Result<Found, ParseError> {
    let mut found = Found::default();
    let mut stream = StreamLimit {
        inner: flate2::read::GzDecoder::new(input.bytes),
        left: MAX_INFLATED,
        hit: false,
    };
    let mut archive = tar::Archive::new(&mut stream);
    let entries = archive
        .entries()
        .map_err(|e| ParseError::format(format!("not a gzip-compressed tar archive ({e})")))?;
    let mut broken = None;
    for (count, entry) in entries.enumerate() {
        if count >= MAX_ENTRIES {
            diagnostics.push(Diagnostic::warning(
                input.path(),
                format!("more than {MAX_ENTRIES} entries: the rest were not looked at"),
            ));
            break;
        }
        let mut entry = match entry {
            Ok(entry) => entry,
            Err(e) => {
                broken = Some(e.to_string());
                break;
            }
        };
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let Some((top, rest)) = name.split_once('/') else {
            continue;
        };
        if matches!(top, "" | "." | "..") || rest.contains('/') {
            continue;
        }
        let is_manifest = rest == "package.json";
        let is_license = is_license_file(rest)
            || is_notice_file(rest)
            || rest.to_ascii_lowercase().starts_with("copyright");
        let cap = match (is_manifest, is_license) {
            (true, _) if found.manifests.len() < license_files::MAX_FILES => MAX_META,
            (false, true) if found.licenses.len() < MAX_CANDIDATES => license_files::MAX_FILE,
            _ => continue,
        };
        if entry.size() > cap {
            diagnostics.push(Diagnostic::warning(
                input.path(),
                format!(
                    "{}: {} bytes, more than the {cap} read: skipped",
                    quote(&name, QUOTE_LIMIT),
                    entry.size()
                ),
            ));
            continue;
        }
        let bytes = match read_capped(&mut entry, cap) {
            Ok(bytes) => bytes,
            Err(Capped::TooLarge) => continue,
            Err(Capped::Broken(e)) => {
                broken = Some(e);
                break;
            }
        };
        let top = top.to_string();
        if is_manifest {
            found.manifests.push((top, bytes));
        } else {
            found.licenses.push((top, rest.to_string(), name, bytes));
        }
    }
    if stream.hit {
        diagnostics.push(Diagnostic::warning(
            input.path(),
            format!(
                "inflates to more than {MAX_INFLATED} bytes (a gzip bomb?): the rest was not read"
            ),
        ));
    } else if let Some(e) = broken {
        if found.manifests.is_empty() {
            return Err(ParseError::format(format!(
                "not a readable gzip-compressed tar archive ({e}): the tarball is truncated or corrupt"
            )));
        }
        diagnostics.push(Diagnostic::warning(
            input.path(),
            format!("the tarball is truncated or corrupt after its package.json ({e})"),
        ));
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tgz(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut builder = tar::Builder::new(Vec::new());
        for (name, data) in entries {
            let mut h = tar::Header::new_ustar();
            h.set_size(data.len() as u64);
            h.set_mode(0o644);
            h.set_entry_type(tar::EntryType::Regular);
            // `set_path` refuses `..`; write the raw name as a hostile tool would.
            h.as_old_mut().name[..name.len()].copy_from_slice(name.as_bytes());
            h.set_cksum();
            builder.append(&h, *data).unwrap();
        }
        let tar = builder.into_inner().unwrap();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut gz, &tar).unwrap();
        gz.finish().unwrap()
    }

    fn run(bytes: &[u8]) -> Result<Catalog, ParseError> {
        let options = crate::Options::default();
        let input = Input {
            bytes,
            shared_path: &bomscout_core::SharedStr::from("dist/x.tgz"),
            abs: std::path::Path::new("/nonexistent/dist/x.tgz"),
            root: std::path::Path::new("/nonexistent"),
            options: &options,
            tree: &crate::DISK,
        };
        parse(&input)
    }

    #[test]
    fn package_wins_over_other_top_directories_and_dotdot_is_not_a_directory() {
        let bytes = tgz(&[
            ("../package.json", br#"{"name":"evil","version":"6.6.6"}"#),
            (
                "other/package.json",
                br#"{"name":"other","version":"1.0.0"}"#,
            ),
            (
                "package/package.json",
                br#"{"name":"@s/x","version":"1.0.0","license":"MIT"}"#,
            ),
            (
                "package/lib/package.json",
                br#"{"name":"nested","version":"1.0.0"}"#,
            ),
        ]);
        let c = run(&bytes).unwrap();
        assert_eq!(c.packages.len(), 1);
        let x = &c.packages[0].component;
        assert_eq!(x.purl.as_str(), "pkg:npm/%40s/x@1.0.0");
        assert_eq!(
            x.licenses[0].source.path,
            "dist/x.tgz!/package/package.json"
        );
        assert!(x.locations.iter().all(|l| &*l.path == "dist/x.tgz"));
    }

    #[test]
    fn a_tarball_without_a_manifest_is_not_a_package() {
        let c = run(&tgz(&[("data/file.txt", b"hello")])).unwrap();
        assert_eq!(c, Catalog::default());
        assert!(run(b"not gzip at all").is_err());
    }
}
