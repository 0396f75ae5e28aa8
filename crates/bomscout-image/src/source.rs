//! Where an image's files are: a directory (an OCI layout) or a tar (a `docker save`
//! archive, or an OCI layout in a tar). A tar's entries are indexed once (headers only,
//! seeking past the data), and each blob is then read by seeking to its offset, so the
//! outer tar is never read twice.

use crate::ImageError;
use bomscout_core::escape::{quote, QUOTE_LIMIT};
use std::collections::HashMap;
use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

/// Most entries indexed in an outer tar: an image holds a few per layer.
const MAX_OUTER_ENTRIES: usize = 100_000;
/// Most links followed to find one outer-tar entry.
const MAX_LINK_HOPS: usize = 8;
/// Most headers looked at by [`sniff_tar`].
const SNIFF_ENTRIES: usize = 10_000;

/// One file of an outer tar.
#[derive(Debug, Clone)]
pub enum TarEntry {
    /// A regular file: its data's offset in the tar and its size.
    File { offset: u64, size: u64 },
    /// A symbolic or hard link to another entry (already made relative to the root).
    Link(String),
}

/// The files of an image, by their `/`-separated path relative to the image's root.
#[derive(Debug)]
pub enum Source {
    /// An OCI layout directory.
    Dir(PathBuf),
    /// A tar, with its entries indexed.
    Tar {
        path: PathBuf,
        entries: HashMap<String, TarEntry>,
    },
}

/// A path inside an image, lexically normalized: `./` and empty segments dropped;
/// `None` when it is absolute or has a `..` (an image names its own files only).
pub fn clean_name(name: &str) -> Option<String> {
    let mut out: Vec<&str> = Vec::new();
    if name.starts_with('/') {
        return None;
    }
    for seg in name.split('/') {
        match seg {
            "" | "." => {}
            ".." => return None,
            s => out.push(s),
        }
    }
    (!out.is_empty()).then(|| out.join("/"))
}

/// True when the file at `path` is a plain tar (ustar magic at offset 257).
fn is_tar(file: &mut File) -> bool {
    let mut header = [0u8; 512];
    if file.read_exact(&mut header).is_err() {
        return false;
    }
    &header[257..262] == b"ustar"
}

/// The root-level names `sniff` looks for in a tar, found among its first
/// [`SNIFF_ENTRIES`] headers.
pub fn sniff_tar(path: &Path) -> Option<(bool, bool, bool)> {
    let mut file = File::open(path).ok()?;
    if !file.metadata().ok()?.is_file() || !is_tar(&mut file) {
        return None;
    }
    file.seek(SeekFrom::Start(0)).ok()?;
    let mut archive = tar::Archive::new(file);
    let (mut manifest, mut layout, mut index) = (false, false, false);
    for entry in archive.entries_with_seek().ok()?.take(SNIFF_ENTRIES) {
        let Ok(entry) = entry else { break };
        let name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        match clean_name(&name).as_deref() {
            Some("manifest.json") => manifest = true,
            Some("oci-layout") => layout = true,
            Some("index.json") => index = true,
            _ => {}
        }
        if layout && index {
            break;
        }
    }
    Some((manifest, layout, index))
}

impl Source {
    /// Indexes the tar at `path`: every entry's name and where its data is.
    pub fn open_tar(path: &Path) -> Result<Source, ImageError> {
        let file = File::open(path)?;
        let mut archive = tar::Archive::new(file);
        let mut entries = HashMap::new();
        let where_ = path.display();
        for (n, entry) in archive.entries_with_seek()?.enumerate() {
            if n >= MAX_OUTER_ENTRIES {
                return Err(ImageError::Invalid(format!(
                    "{where_}: more than {MAX_OUTER_ENTRIES} entries; an image archive holds a few per layer, so this is not one"
                )));
            }
            let entry = entry.map_err(|e| {
                ImageError::Invalid(format!(
                    "{where_}: the archive is damaged after {n} entries ({e}); re-export the image"
                ))
            })?;
            let raw = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
            let Some(name) = clean_name(&raw) else {
                continue;
            };
            let kind = entry.header().entry_type();
            let value = if kind.is_file() || kind == tar::EntryType::Continuous {
                TarEntry::File {
                    offset: entry.raw_file_position(),
                    size: entry.size(),
                }
            } else if kind.is_symlink() || kind.is_hard_link() {
                let Some(target) = entry.link_name_bytes() else {
                    continue;
                };
                let target = String::from_utf8_lossy(&target).into_owned();
                let joined = if kind.is_symlink() {
                    match name.rsplit_once('/') {
                        Some((dir, _)) => format!("{dir}/{target}"),
                        None => target,
                    }
                } else {
                    target
                };
                match resolve_dots(&joined) {
                    Some(t) => TarEntry::Link(t),
                    None => continue,
                }
            } else {
                continue;
            };
            entries.insert(name, value);
        }
        Ok(Source::Tar {
            path: path.to_path_buf(),
            entries,
        })
    }

    /// True when the image has a file `name`.
    pub fn has(&self, name: &str) -> bool {
        match self {
            Source::Dir(dir) => dir.join(name).is_file(),
            Source::Tar { .. } => self.locate(name).is_some(),
        }
    }

    fn locate(&self, name: &str) -> Option<(u64, u64)> {
        let Source::Tar { entries, .. } = self else {
            return None;
        };
        let mut name = name.to_string();
        for _ in 0..=MAX_LINK_HOPS {
            match entries.get(&name)? {
                TarEntry::File { offset, size } => return Some((*offset, *size)),
                TarEntry::Link(target) => name = target.clone(),
            }
        }
        None
    }

    /// Reads the whole file `name` (at most `limit` bytes).
    pub fn read(&self, name: &str, limit: u64) -> Result<Vec<u8>, ImageError> {
        let (reader, size) = self.open(name)?;
        if size > limit {
            return Err(ImageError::Invalid(format!(
                "{}: {} is {size} bytes, over the {limit}-byte limit for image metadata; this is not an image this reader accepts",
                self.display(),
                quote(name, QUOTE_LIMIT)
            )));
        }
        let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
        reader.take(limit).read_to_end(&mut bytes)?;
        Ok(bytes)
    }

    /// Opens the file `name` for streaming; also gives its size.
    pub fn open(&self, name: &str) -> Result<(Box<dyn Read + Send>, u64), ImageError> {
        let missing = || {
            ImageError::Invalid(format!(
                "{}: {} is missing from the image; the archive is incomplete",
                self.display(),
                quote(name, QUOTE_LIMIT)
            ))
        };
        match self {
            Source::Dir(dir) => {
                let path = dir.join(name);
                let meta = std::fs::metadata(&path).map_err(|_| missing())?;
                if !meta.is_file() {
                    return Err(missing());
                }
                let file = File::open(&path)?;
                let size = meta.len();
                Ok((Box::new(BufReader::new(file).take(size)), size))
            }
            Source::Tar { path, .. } => {
                let (offset, size) = self.locate(name).ok_or_else(missing)?;
                let mut file = File::open(path)?;
                file.seek(SeekFrom::Start(offset))?;
                Ok((Box::new(BufReader::new(file).take(size)), size))
            }
        }
    }

    /// The image's path, for messages.
    pub fn display(&self) -> String {
        match self {
            Source::Dir(p) | Source::Tar { path: p, .. } => p.display().to_string(),
        }
    }
}

/// `path` with `.` and `..` applied; `None` when `..` leaves the root.
fn resolve_dots(path: &str) -> Option<String> {
    let mut out: Vec<&str> = Vec::new();
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                out.pop()?;
            }
            s => out.push(s),
        }
    }
    Some(out.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_cleaned_and_escapes_refused() {
        assert_eq!(
            clean_name("./blobs/sha256/ab").as_deref(),
            Some("blobs/sha256/ab")
        );
        assert_eq!(clean_name("a//b/./c").as_deref(), Some("a/b/c"));
        assert_eq!(clean_name("../etc/passwd"), None);
        assert_eq!(clean_name("a/../../b"), None);
        assert_eq!(clean_name("/etc/passwd"), None);
        assert_eq!(clean_name("./"), None);
        assert_eq!(resolve_dots("a/b/../c").as_deref(), Some("a/c"));
        assert_eq!(resolve_dots("a/../../c"), None);
    }
}
