//! Small text helpers shared by parsers.

use crate::ParseError;
use std::io::Read;
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
    1 + bytes[..end].iter().filter(|&&b| b == b'\n').count() as u32
}

/// Reads a small file beside an input (a package's metadata): `Ok(None)` when there is no
/// such file, an error message when it cannot be read, is over `limit` bytes or is not
/// UTF-8. Only the first `limit + 1` bytes are ever read.
pub fn read_side_file(path: &Path, limit: u64) -> Result<Option<String>, String> {
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("cannot open: {e}")),
    };
    if !file.metadata().is_ok_and(|m| m.is_file()) {
        return Ok(None);
    }
    let mut bytes = Vec::new();
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read: {e}"))?;
    if bytes.len() as u64 > limit {
        return Err(format!("over the {limit}-byte limit"));
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes[..]);
    String::from_utf8(bytes.to_vec())
        .map(Some)
        .map_err(|_| "not UTF-8".to_string())
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
        assert_eq!(read_side_file(dir.path(), 10), Ok(None), "a directory");
        std::fs::write(&f, "0123456789").unwrap();
        assert_eq!(read_side_file(&f, 10), Ok(Some("0123456789".into())));
        assert!(read_side_file(&f, 9).unwrap_err().contains("limit"));
        std::fs::write(&f, b"\xff").unwrap();
        assert!(read_side_file(&f, 9).is_err());
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
