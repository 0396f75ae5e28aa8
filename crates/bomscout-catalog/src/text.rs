//! Small text helpers shared by parsers, and the readers of files beside an input.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use crate::ParseError;
use std::path::Path;

/// The input as UTF-8 (a leading BOM removed), or an error naming the line of the first
/// invalid byte.
pub fn utf8(bytes: &[u8]) -> Result<&str, ParseError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    std::str::from_utf8(bytes).map_err(|e| ParseError::NotUtf8 {
        line: line_of_bytes(bytes, e.valid_up_to()),
    })
}

/// 1-based line of byte `offset` in `text`.
pub fn line_of(text: &str, offset: usize) -> u32 {
    line_of_bytes(text.as_bytes(), offset)
}

fn line_of_bytes(bytes: &[u8], offset: usize) -> u32 {
    let end = offset.min(bytes.len());
    let before = bytes.get(..end).unwrap_or_default();
    1 + before.iter().filter(|&&b| b == b'\n').count() as u32
}

/// What a side-file error says when the file resolves outside the scan root.
pub const OUTSIDE_ROOT: &str = "outside the scanned root; not read";

/// Reads a small file beside an input or in a package cache (a package's metadata):
/// `Ok(None)` when there is no such file, an error message when it cannot be read, is not
/// a regular file (a FIFO, a device), is over `limit` bytes or is not UTF-8. Goes through
/// [`bomscout_walk::read_regular`], so it never blocks and never reads past `limit`.
/// Files reached through a path written in a scanned file use [`read_in_root`] instead.
pub fn read_side_file(path: &Path, limit: u64) -> Result<Option<String>, String> {
    read_side_bytes(path, limit)?.map(to_text).transpose()
}

/// [`read_side_file`]'s bytes, not decoded.
pub fn read_side_bytes(path: &Path, limit: u64) -> Result<Option<Vec<u8>>, String> {
    bomscout_walk::read_if_exists(path, limit).map_err(|e| e.to_string())
}

/// [`read_side_file`] for a file that must lie inside the scan `root` once symlinks are
/// resolved: a missing file is `Ok(None)`, one outside the root is the error
/// [`OUTSIDE_ROOT`] (its content is never read).
pub fn read_in_root(root: &Path, path: &Path, limit: u64) -> Result<Option<String>, String> {
    read_bytes_in_root(root, path, limit)?
        .map(to_text)
        .transpose()
}

/// [`read_in_root`]'s bytes, not decoded.
pub fn read_bytes_in_root(root: &Path, path: &Path, limit: u64) -> Result<Option<Vec<u8>>, String> {
    if std::fs::symlink_metadata(path).is_err() {
        return Ok(None);
    }
    match crate::paths::inside_root(root, path) {
        Some(real) => read_side_bytes(&real, limit),
        None => Err(OUTSIDE_ROOT.to_string()),
    }
}

/// The file `name` (a fixed name such as `go.sum` or `package.json`) in the input's
/// directory, read as [`read_in_root`] reads (inside the scan root, a regular file, at most
/// [`crate::Options::max_file_size`] bytes); `None` when it is absent or cannot be read.
pub fn sibling_bytes(input: &crate::Input, name: &str) -> Option<Vec<u8>> {
    let path = input.abs.parent()?.join(name);
    read_bytes_in_root(input.root, &path, input.options.max_file_size).ok()?
}

/// [`sibling_bytes`] as UTF-8 text (a BOM removed).
pub fn sibling(input: &crate::Input, name: &str) -> Option<String> {
    to_text(sibling_bytes(input, name)?).ok()
}

fn to_text(bytes: Vec<u8>) -> Result<String, String> {
    let bytes = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) => rest.to_vec(),
        None => bytes,
    };
    String::from_utf8(bytes).map_err(|_| "not UTF-8".to_string())
}

/// A YAML error with the line serde_norway reports.
pub fn yaml_error(e: &serde_norway::Error) -> ParseError {
    ParseError::Format {
        line: e.location().map(|l| l.line() as u32),
        message: format!("invalid YAML: {e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn side_files_are_bounded() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("meta");
        assert_eq!(read_side_file(&f, 10), Ok(None));
        assert!(read_side_file(dir.path(), 10).is_err(), "a directory");
        std::fs::write(&f, "0123456789").unwrap();
        assert_eq!(read_side_file(&f, 10), Ok(Some("0123456789".into())));
        assert!(read_side_file(&f, 9).unwrap_err().contains("limit"));
        std::fs::write(&f, b"\xff").unwrap();
        assert!(read_side_file(&f, 9).is_err());
    }

    #[test]
    fn side_files_in_root_stay_in_root() {
        let dir = tempfile::tempdir().unwrap();
        let base = std::fs::canonicalize(dir.path()).unwrap();
        let root = base.join("root");
        std::fs::create_dir(&root).unwrap();
        std::fs::write(base.join("secret"), "aws_access_key_id = AKIA").unwrap();
        std::fs::write(root.join("ok"), "fine").unwrap();
        std::os::unix::fs::symlink(base.join("secret"), root.join("link")).unwrap();
        assert_eq!(
            read_in_root(&root, &root.join("ok"), 10),
            Ok(Some("fine".into()))
        );
        assert_eq!(read_in_root(&root, &root.join("none"), 10), Ok(None));
        for p in [
            root.join("link"),
            root.join("../secret"),
            base.join("secret"),
        ] {
            assert_eq!(
                read_in_root(&root, &p, 100),
                Err(OUTSIDE_ROOT.into()),
                "{p:?}"
            );
        }
    }

    #[test]
    fn side_files_never_block_or_read_devices() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("go.sum");
        assert!(std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success());
        assert!(read_side_file(&fifo, 1024).unwrap_err().contains("FIFO"));
        let zero = dir.path().join("LICENSE");
        std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
        assert!(read_side_file(&zero, 1024).unwrap_err().contains("device"));
    }

    #[test]
    fn invalid_utf8_names_its_line() {
        let err = utf8(b"a\nb\n\xff").unwrap_err();
        assert_eq!(err.line(), Some(3));
    }

    #[test]
    fn bom_is_stripped() {
        assert_eq!(utf8(b"\xEF\xBB\xBF{}").unwrap(), "{}");
    }
}
