//! Checking a downloaded zip before it replaces the previous copy.
//!
//! [`check_zip`] opens the archive (which reads its central directory: a truncated file has
//! none and is refused), then reads every entry through to its end, which makes the `zip`
//! crate compare each entry's CRC-32 with the directory's. Reading is streamed into a sink, so
//! memory stays small; the sizes are bounded ([`ZipLimits`]) so a zip bomb costs a bounded
//! amount of time.
//!
//! [`count_entries`] is the cheap variant for status displays: the central directory only.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

/// What a zip may hold before it is refused.
#[derive(Debug, Clone, Copy)]
pub struct ZipLimits {
    /// The most entries.
    pub max_entries: usize,
    /// The largest single entry, uncompressed.
    pub max_entry_bytes: u64,
    /// The most bytes over all entries, uncompressed.
    pub max_total_bytes: u64,
}

impl Default for ZipLimits {
    /// Generous for OSV exports (hundreds of thousands of records of a few KB each; the largest
    /// export is under a gigabyte unzipped) and still bounded.
    fn default() -> Self {
        ZipLimits {
            max_entries: 2_000_000,
            max_entry_bytes: 64 * 1024 * 1024,
            max_total_bytes: 16 * 1024 * 1024 * 1024,
        }
    }
}

/// What a valid zip holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ZipSummary {
    /// File entries (directories not counted); for an OSV export, one record each.
    pub files: usize,
    /// Their uncompressed size in bytes.
    pub uncompressed_bytes: u64,
}

/// Why a zip was refused.
#[derive(Debug, thiserror::Error)]
pub enum ZipCheckError {
    /// The file could not be read.
    #[error("cannot read: {0}")]
    Io(#[from] io::Error),
    /// No readable central directory (truncated, not a zip).
    #[error("not a readable zip (truncated or not a zip): {0}")]
    Archive(String),
    /// An entry's data is damaged (bad CRC, bad compression, cut short).
    #[error("entry {index} ({name}) is damaged: {reason}")]
    Entry {
        /// The entry's position.
        index: usize,
        /// Its name, quoted and bounded.
        name: String,
        /// What failed.
        reason: String,
    },
    /// Past a limit.
    #[error("{0}")]
    Limit(String),
}

/// Checks every entry of the zip at `path` (see the module documentation).
pub fn check_zip(path: &Path, limits: ZipLimits) -> Result<ZipSummary, ZipCheckError> {
    let file = File::open(path)?;
    let mut archive =
        zip::ZipArchive::new(file).map_err(|e| ZipCheckError::Archive(e.to_string()))?;
    if archive.len() > limits.max_entries {
        return Err(ZipCheckError::Limit(format!(
            "{} entries, more than the {} allowed",
            archive.len(),
            limits.max_entries
        )));
    }
    let mut summary = ZipSummary {
        files: 0,
        uncompressed_bytes: 0,
    };
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index).map_err(|e| ZipCheckError::Entry {
            index,
            name: String::from("?"),
            reason: e.to_string(),
        })?;
        let name = quote_name(&String::from_utf8_lossy(entry.name_raw()));
        if entry.is_dir() {
            continue;
        }
        let declared = entry.size();
        if declared > limits.max_entry_bytes {
            return Err(ZipCheckError::Limit(format!(
                "entry {name} is {declared} bytes uncompressed, more than the {} allowed",
                limits.max_entry_bytes
            )));
        }
        let damaged = |reason: String| ZipCheckError::Entry {
            index,
            name: name.clone(),
            reason,
        };
        // Reading to the end is what makes the crate check the CRC; one byte more than the
        // declared size is allowed so a lying directory shows up as a size mismatch.
        let read = io::copy(&mut (&mut entry).take(declared + 1), &mut io::sink())
            .map_err(|e| damaged(e.to_string()))?;
        if read != declared {
            return Err(damaged(format!(
                "{read} bytes where the directory says {declared}"
            )));
        }
        summary.files += 1;
        summary.uncompressed_bytes += read;
        if summary.uncompressed_bytes > limits.max_total_bytes {
            return Err(ZipCheckError::Limit(format!(
                "more than {} bytes uncompressed in all",
                limits.max_total_bytes
            )));
        }
    }
    Ok(summary)
}

/// The number of file entries in the zip at `path`, from its central directory only.
pub fn count_entries(path: &Path) -> Result<usize, ZipCheckError> {
    let file = File::open(path)?;
    let archive = zip::ZipArchive::new(file).map_err(|e| ZipCheckError::Archive(e.to_string()))?;
    Ok(archive
        .file_names_raw()
        .filter(|n| !n.ends_with(b"/"))
        .count())
}

fn quote_name(name: &str) -> String {
    bomscout_core::escape::quote(name, bomscout_core::escape::QUOTE_LIMIT)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(io::Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, data) in entries {
            w.start_file(*name, opts).unwrap();
            w.write_all(data).unwrap();
        }
        w.finish().unwrap().into_inner()
    }

    fn write(dir: &Path, bytes: &[u8]) -> std::path::PathBuf {
        let path = dir.join("all.zip");
        std::fs::write(&path, bytes).unwrap();
        path
    }

    const RECORD: &[u8] = br#"{"id":"GHSA-xxxx-yyyy-zzzz","modified":"2024-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"npm","name":"left-pad"}}]}"#;

    #[test]
    fn a_good_zip_is_counted() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(
            dir.path(),
            &zip_of(&[("A.json", RECORD), ("B.json", RECORD)]),
        );
        let summary = check_zip(&path, ZipLimits::default()).unwrap();
        assert_eq!(summary.files, 2);
        assert_eq!(summary.uncompressed_bytes, 2 * RECORD.len() as u64);
        assert_eq!(count_entries(&path).unwrap(), 2);
    }

    #[test]
    fn a_truncated_zip_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let bytes = zip_of(&[("A.json", RECORD), ("B.json", RECORD)]);
        for cut in [0, 1, bytes.len() / 2, bytes.len() - 1] {
            let path = write(dir.path(), &bytes[..cut]);
            let err = check_zip(&path, ZipLimits::default()).unwrap_err();
            assert!(matches!(err, ZipCheckError::Archive(_)), "cut {cut}: {err}");
        }
    }

    #[test]
    fn a_flipped_data_byte_fails_the_crc() {
        let dir = tempfile::tempdir().unwrap();
        let mut w = zip::ZipWriter::new(io::Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        w.start_file("A.json", opts).unwrap();
        w.write_all(RECORD).unwrap();
        let mut bytes = w.finish().unwrap().into_inner();
        // The stored data starts after the 30-byte local header and the name.
        let at = 30 + "A.json".len() + 5;
        bytes[at] ^= 0x20;
        let path = write(dir.path(), &bytes);
        // The central directory is intact: only reading the data finds the damage.
        assert_eq!(count_entries(&path).unwrap(), 1);
        let err = check_zip(&path, ZipLimits::default()).unwrap_err();
        assert!(
            matches!(err, ZipCheckError::Entry { index: 0, .. }),
            "{err}"
        );
    }

    #[test]
    fn limits_are_enforced() {
        let dir = tempfile::tempdir().unwrap();
        let big = vec![b'a'; 10_000];
        let path = write(dir.path(), &zip_of(&[("A.json", &big), ("B.json", &big)]));
        let tight = ZipLimits {
            max_entries: 1,
            ..ZipLimits::default()
        };
        assert!(matches!(
            check_zip(&path, tight),
            Err(ZipCheckError::Limit(_))
        ));
        let tight = ZipLimits {
            max_entry_bytes: 9_999,
            ..ZipLimits::default()
        };
        assert!(matches!(
            check_zip(&path, tight),
            Err(ZipCheckError::Limit(_))
        ));
        let tight = ZipLimits {
            max_total_bytes: 15_000,
            ..ZipLimits::default()
        };
        assert!(matches!(
            check_zip(&path, tight),
            Err(ZipCheckError::Limit(_))
        ));
    }

    #[test]
    fn directories_are_not_records() {
        let dir = tempfile::tempdir().unwrap();
        let mut w = zip::ZipWriter::new(io::Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default();
        w.add_directory("sub/", opts).unwrap();
        w.start_file("sub/A.json", opts).unwrap();
        w.write_all(RECORD).unwrap();
        let path = write(dir.path(), &w.finish().unwrap().into_inner());
        assert_eq!(check_zip(&path, ZipLimits::default()).unwrap().files, 1);
        assert_eq!(count_entries(&path).unwrap(), 1);
    }
}
