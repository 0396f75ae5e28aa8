//! Small text helpers shared by parsers.

use crate::ParseError;

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
    fn invalid_utf8_names_its_line() {
        let err = utf8(b"a\nb\n\xff").unwrap_err();
        assert_eq!(err.line(), Some(3));
    }

    #[test]
    fn bom_is_stripped() {
        assert_eq!(utf8(b"\xEF\xBB\xBF{}").unwrap(), "{}");
    }
}
