//! Small text helpers shared by parsers, and the readers of files beside an input.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use crate::ParseError;
use bomscout_walk::Tree;
use std::collections::HashMap;
use std::path::Path;

/// The input as UTF-8 (a leading BOM removed), or an error naming the line of the first
/// invalid byte.
pub fn utf8(bytes: &[u8]) -> Result<&str, ParseError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    std::str::from_utf8(bytes).map_err(|e| ParseError::NotUtf8 {
        line: line_of_bytes(bytes, e.valid_up_to()),
    })
}

/// 1-based line of byte `offset` in `text`. This counts from the start: for one lookup
/// only; a parser that looks up many lines uses a [`LineIndex`] or [`KeyLines`].
pub fn line_of(text: &str, offset: usize) -> u32 {
    line_of_bytes(text.as_bytes(), offset)
}

/// The line of any byte offset, with the newlines counted once: `line` is a binary search.
#[derive(Debug, Clone)]
pub struct LineIndex {
    /// Byte offset of each `\n`, ascending.
    newlines: Vec<usize>,
}

impl LineIndex {
    /// Indexes the newlines of `text` (one pass).
    pub fn new(text: &str) -> LineIndex {
        let newlines = text
            .bytes()
            .enumerate()
            .filter_map(|(i, b)| (b == b'\n').then_some(i))
            .collect();
        LineIndex { newlines }
    }

    /// 1-based line of byte `offset` (an offset past the end is on the last line).
    pub fn line(&self, offset: usize) -> u32 {
        let before = self.newlines.partition_point(|&n| n < offset);
        u32::try_from(before).unwrap_or(u32::MAX - 1) + 1
    }
}

/// The first line on which each key is written, found in one pass over the lines: the
/// replacement for searching the whole text for each entry's key, which is quadratic.
///
/// `keys_of` gives the keys a line declares (often none or one, as an `Option`); a key seen
/// again on a later line keeps its first line, as a search from the start would.
#[derive(Debug, Default)]
pub struct KeyLines<'a> {
    first: HashMap<&'a str, u32>,
}

impl<'a> KeyLines<'a> {
    /// Indexes the keys of every line of `text`.
    pub fn new<I>(text: &'a str, mut keys_of: impl FnMut(&'a str) -> I) -> KeyLines<'a>
    where
        I: IntoIterator<Item = &'a str>,
    {
        let mut first = HashMap::new();
        for (i, line) in text.lines().enumerate() {
            let n = u32::try_from(i).unwrap_or(u32::MAX - 1) + 1;
            for key in keys_of(line) {
                first.entry(key).or_insert(n);
            }
        }
        KeyLines { first }
    }

    /// The first line declaring `key`.
    pub fn get(&self, key: &str) -> Option<u32> {
        self.first.get(key).copied()
    }
}

/// The double-quoted strings of a line, as written between the quotes (escapes kept): the
/// strings of a JSON line such as `"name": "x",` are `name` and `x`.
pub fn quoted_strings(line: &str) -> impl Iterator<Item = &str> {
    let mut rest = line;
    std::iter::from_fn(move || {
        let open = rest.find('"')?;
        let (quoted, after) = split_quoted(rest.get(open + 1..)?)?;
        rest = after;
        Some(quoted)
    })
}

/// `text` after an opening `"`, split at its closing quote (a `\` escapes): the string as
/// written and what follows the closing quote.
fn split_quoted(text: &str) -> Option<(&str, &str)> {
    let mut escaped = false;
    let close = text.char_indices().find_map(|(i, c)| {
        let end = c == '"' && !escaped;
        escaped = c == '\\' && !escaped;
        end.then_some(i)
    })?;
    Some((text.get(..close)?, text.get(close + 1..)?))
}

/// The key of a JSON-style line that begins with one, `  "key": rest`, and what follows the
/// colon with spaces trimmed: `"a": [1],` gives `("a", "[1],")`.
pub fn json_key(line: &str) -> Option<(&str, &str)> {
    let (key, after) = split_quoted(line.trim_start().strip_prefix('"')?)?;
    let rest = after.trim_start().strip_prefix(':')?;
    Some((key, rest.trim()))
}

/// The key of a YAML line declaring a mapping key at exactly `indent` spaces, plain or
/// quoted: `  name:` and `  'name':` and `  "name":` give `name`.
pub fn yaml_key_at(line: &str, indent: usize) -> Option<&str> {
    let rest = line.get(indent..)?;
    if !line.as_bytes().get(..indent)?.iter().all(|&b| b == b' ') || rest.starts_with(' ') {
        return None;
    }
    for q in ['\'', '"'] {
        if let Some(quoted) = rest.strip_prefix(q) {
            let end = quoted.find(q)?;
            return quoted
                .get(end + 1..)?
                .starts_with(':')
                .then(|| quoted.get(..end))
                .flatten();
        }
    }
    // A plain key ends at the first `: ` or at a `:` ending the line.
    let end = rest
        .match_indices(':')
        .map(|(i, _)| i)
        .find(|&i| matches!(rest.as_bytes().get(i + 1), None | Some(b' ' | b'\r')))?;
    rest.get(..end)
}

/// 1-based line of byte `offset` in `bytes` (counted from the start: for one lookup).
pub fn line_of_bytes(bytes: &[u8], offset: usize) -> u32 {
    let end = offset.min(bytes.len());
    let before = bytes.get(..end).unwrap_or_default();
    1 + before.iter().filter(|&&b| b == b'\n').count() as u32
}

/// What a side-file error says when the file resolves outside the scan root.
pub const OUTSIDE_ROOT: &str = "outside the scanned root; not read";

/// Reads a small file of `tree` beside an input, or one in a package cache (on [`DISK`]
/// then: a cache is the host's): `Ok(None)` when there is no such file, an error message
/// when it cannot be read, is not a regular file (a FIFO, a device), is over `limit` bytes
/// or is not UTF-8. On disk this goes through [`bomscout_walk::read_regular`], so it never
/// blocks and never reads past `limit`. Files reached through a path written in a scanned
/// file use [`read_in_root`] instead.
///
/// [`DISK`]: bomscout_walk::DISK
pub fn read_side_file(tree: &dyn Tree, path: &Path, limit: u64) -> Result<Option<String>, String> {
    read_side_bytes(tree, path, limit)?.map(to_text).transpose()
}

/// [`read_side_file`]'s bytes, not decoded.
pub fn read_side_bytes(
    tree: &dyn Tree,
    path: &Path,
    limit: u64,
) -> Result<Option<Vec<u8>>, String> {
    tree.read_if_exists(path, limit).map_err(|e| e.to_string())
}

/// [`read_side_file`] for a file that must lie inside the scan `root` once symlinks are
/// resolved: a missing file is `Ok(None)`, one outside the root is the error
/// [`OUTSIDE_ROOT`] (its content is never read).
pub fn read_in_root(
    tree: &dyn Tree,
    root: &Path,
    path: &Path,
    limit: u64,
) -> Result<Option<String>, String> {
    read_bytes_in_root(tree, root, path, limit)?
        .map(to_text)
        .transpose()
}

/// [`read_in_root`]'s bytes, not decoded.
pub fn read_bytes_in_root(
    tree: &dyn Tree,
    root: &Path,
    path: &Path,
    limit: u64,
) -> Result<Option<Vec<u8>>, String> {
    if !crate::paths::exists_nofollow(tree, path) {
        return Ok(None);
    }
    match crate::paths::inside_root(tree, root, path) {
        Some(real) => read_side_bytes(tree, &real, limit),
        None => Err(OUTSIDE_ROOT.to_string()),
    }
}

/// The file `name` (a fixed name such as `go.sum` or `package.json`) in the input's
/// directory, read as [`read_in_root`] reads (inside the scan root, a regular file, at most
/// [`crate::Options::max_file_size`] bytes); `None` when it is absent or cannot be read.
pub fn sibling_bytes(input: &crate::Input, name: &str) -> Option<Vec<u8>> {
    let path = input.abs.parent()?.join(name);
    read_bytes_in_root(input.tree, input.root, &path, input.options.max_file_size).ok()?
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

/// The documents of a YAML stream, split at the `---` lines that start each one, with
/// the line each begins on (its `---`, which it keeps, so a parser's line numbers within a
/// document are off by `line - 1` only). A `---` at the start of a line is always a
/// document marker in YAML, even inside a block scalar, so this split is the parser's.
pub fn yaml_documents(text: &str) -> Vec<(u32, &str)> {
    let mut docs = Vec::new();
    let (mut start, mut start_line, mut line) = (0usize, 1u32, 1u32);
    let mut offset = 0usize;
    for l in text.split_inclusive('\n') {
        let marker = l
            .strip_prefix("---")
            .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t', '\r', '\n']));
        if marker && offset > start {
            docs.push((start_line, text.get(start..offset).unwrap_or_default()));
            (start, start_line) = (offset, line);
        }
        offset += l.len();
        line = line.saturating_add(1);
    }
    if offset > start || docs.is_empty() {
        docs.push((start_line, text.get(start..).unwrap_or_default()));
    }
    docs
}

/// A YAML error with its line: the one serde_norway reports, except for a duplicate key,
/// which serde_norway reports at the start of the mapping holding it: the line is then the
/// duplicate key's own.
pub fn yaml_error(text: &str, e: &serde_norway::Error) -> ParseError {
    yaml_error_at(text, e, 1)
}

/// [`yaml_error`] for a document of a YAML stream that begins on line `first_line`
/// (see [`yaml_documents`]).
pub fn yaml_error_at(text: &str, e: &serde_norway::Error, first_line: u32) -> ParseError {
    let shown = e.to_string();
    // serde_norway ends its message with " at line L column C"; the position is redone here.
    let message = match shown.rfind(" at line ") {
        Some(i) if e.location().is_some() => shown.get(..i).unwrap_or(&shown),
        _ => &shown,
    };
    let Some(location) = e.location() else {
        return ParseError::Format {
            line: None,
            message: format!("invalid YAML: {message}"),
        };
    };
    let (line, column) = duplicate_key(message)
        .and_then(|key| {
            let indent = location.column().saturating_sub(1);
            duplicate_key_line(text, location.index(), indent, key).map(|l| (l, indent + 1))
        })
        .unwrap_or((location.line() as u32, location.column()));
    let line = line.saturating_add(first_line.saturating_sub(1));
    ParseError::Format {
        line: Some(line),
        message: format!("invalid YAML: {message} at line {line} column {column}"),
    }
}

/// The key serde_norway names in `duplicate entry with key "k"` (or `with key 1`), as
/// written when it needs no escape.
fn duplicate_key(message: &str) -> Option<&str> {
    let rest = message.split_once("duplicate entry with key ")?.1;
    match rest.strip_prefix('"') {
        Some(quoted) => {
            let (key, _) = split_quoted(quoted)?;
            (!key.contains('\\')).then_some(key)
        }
        None => rest.split_whitespace().next().map(|k| k.trim_matches('`')),
    }
}

/// The line of the second `key:` of the block mapping whose first key is at byte `start`
/// and column `indent` (0-based); `None` for a flow mapping or when not found.
fn duplicate_key_line(text: &str, start: usize, indent: usize, key: &str) -> Option<u32> {
    let lines = LineIndex::new(text);
    let first_line = lines.line(start);
    let rest = text.get(start..)?;
    let mut seen = 0;
    for (i, line) in rest.split('\n').enumerate() {
        let declared = if i == 0 {
            // The mapping's first key, which may follow a `- ` or a parent key's `:`.
            yaml_key_at(line, 0)
        } else {
            let content = line.trim_start_matches(' ');
            if content.is_empty() || content.starts_with('#') {
                continue;
            }
            if line.len() - content.len() < indent {
                return None; // the mapping ended
            }
            yaml_key_at(line, indent)
        };
        if declared == Some(key) {
            seen += 1;
            if seen == 2 {
                return Some(first_line.saturating_add(u32::try_from(i).ok()?));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use bomscout_walk::{MemTree, DISK};
    use std::sync::Arc;

    #[test]
    fn side_files_in_a_tree_in_memory() {
        let mut t = MemTree::new();
        t.insert_file("app/ok", 4, 0, Some(Arc::from(&b"fine"[..])));
        t.insert_file("secret", 1, 0, Some(Arc::from(&b"s"[..])));
        t.insert_file("app/big", 99, 0, Some(Arc::from(&[b'x'; 99][..])));
        t.insert_symlink("app/link", "../secret", 0);
        let app = MemTree::abs("app");
        assert_eq!(
            read_in_root(&t, &app, &app.join("ok"), 10),
            Ok(Some("fine".into()))
        );
        assert_eq!(read_in_root(&t, &app, &app.join("none"), 10), Ok(None));
        assert_eq!(
            read_in_root(&t, &app, &app.join("link"), 10),
            Err(OUTSIDE_ROOT.into())
        );
        assert!(read_side_file(&t, &app.join("big"), 10)
            .unwrap_err()
            .contains("limit"));
        assert!(read_side_file(&t, &app, 10).is_err(), "a directory");
        // The same path on the host's disk is never looked at.
        assert!(read_side_file(&DISK, &app.join("ok"), 10).is_err());
    }

    #[test]
    fn side_files_are_bounded() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("meta");
        assert_eq!(read_side_file(&DISK, &f, 10), Ok(None));
        assert!(
            read_side_file(&DISK, dir.path(), 10).is_err(),
            "a directory"
        );
        std::fs::write(&f, "0123456789").unwrap();
        assert_eq!(read_side_file(&DISK, &f, 10), Ok(Some("0123456789".into())));
        assert!(read_side_file(&DISK, &f, 9).unwrap_err().contains("limit"));
        std::fs::write(&f, b"\xff").unwrap();
        assert!(read_side_file(&DISK, &f, 9).is_err());
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
            read_in_root(&DISK, &root, &root.join("ok"), 10),
            Ok(Some("fine".into()))
        );
        assert_eq!(read_in_root(&DISK, &root, &root.join("none"), 10), Ok(None));
        for p in [
            root.join("link"),
            root.join("../secret"),
            base.join("secret"),
        ] {
            assert_eq!(
                read_in_root(&DISK, &root, &p, 100),
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
        assert!(read_side_file(&DISK, &fifo, 1024)
            .unwrap_err()
            .contains("FIFO"));
        let zero = dir.path().join("LICENSE");
        std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
        assert!(read_side_file(&DISK, &zero, 1024)
            .unwrap_err()
            .contains("device"));
    }

    #[test]
    fn invalid_utf8_names_its_line() {
        let err = utf8(b"a\nb\n\xff").unwrap_err();
        assert_eq!(err.line(), Some(3));
    }

    #[test]
    fn line_index_matches_counting() {
        for text in ["", "a", "a\n", "a\nb", "\n\n\nx\n", "ab\r\ncd\n\nef"] {
            let index = LineIndex::new(text);
            for offset in 0..=text.len() + 2 {
                assert_eq!(
                    index.line(offset),
                    line_of(text, offset),
                    "{text:?} @{offset}"
                );
            }
        }
    }

    #[test]
    fn key_lines_keep_the_first_line() {
        let text = "a:\n  b: 1\n  'c@1': 2\n  b: 3\n   d: 4\n";
        let keys = KeyLines::new(text, |l| yaml_key_at(l, 2));
        assert_eq!(keys.get("b"), Some(2));
        assert_eq!(keys.get("c@1"), Some(3));
        assert_eq!(keys.get("a"), None, "other indent");
        assert_eq!(keys.get("d"), None, "deeper");
    }

    #[test]
    fn yaml_keys() {
        assert_eq!(yaml_key_at("  x@1.0.0:", 2), Some("x@1.0.0"));
        assert_eq!(yaml_key_at("  /x/1.0.0_y@2:\r", 2), Some("/x/1.0.0_y@2"));
        assert_eq!(yaml_key_at("  x: {a: b}", 2), Some("x"));
        assert_eq!(
            yaml_key_at("  \"a@npm:1, a@npm:^1\":", 2),
            Some("a@npm:1, a@npm:^1")
        );
        assert_eq!(yaml_key_at("  'x'", 2), None);
        assert_eq!(
            yaml_key_at("  - x: 1", 2),
            Some("- x"),
            "the caller's indent decides"
        );
        assert_eq!(yaml_key_at(" x:", 2), None);
        assert_eq!(yaml_key_at("é:", 1), None, "not a char boundary");
    }

    #[test]
    fn yaml_document_split() {
        assert_eq!(yaml_documents(""), [(1, "")]);
        assert_eq!(yaml_documents("a: 1\n"), [(1, "a: 1\n")]);
        assert_eq!(yaml_documents("---\na: 1\n"), [(1, "---\na: 1\n")]);
        assert_eq!(
            yaml_documents("---\na: 1\n---\nb: |\n  ---x\n--- # c\n"),
            [
                (1, "---\na: 1\n"),
                (3, "---\nb: |\n  ---x\n"),
                (6, "--- # c\n")
            ]
        );
        assert_eq!(yaml_documents("a: ---\n----\n").len(), 1);
    }

    #[test]
    fn a_duplicate_key_is_reported_at_its_own_line() {
        let cases = [
            (
                "a: 1\nb:\n  c: 1\n  d: 2\n\n  # c: x\n  c: 2\n  e: 3\nf: 3\n",
                7,
            ),
            ("x: 0\na: 1\nb: 2\na: 3\nz: 4\n", 4),
            (
                "p:\n  q:\n    - r: 1\n      s:\n        r: 0\n      r: 3\n",
                6,
            ),
            ("k:\n  'a b': 1\n  \"a b\": 2\n", 3),
            ("k:\n  1: x\n  1: y\n", 3),
            ("k: {a: 1,\n  a: 2}\n", 1),
        ];
        for (text, line) in cases {
            let e = serde_norway::from_str::<serde_norway::Value>(text).unwrap_err();
            let err = yaml_error(text, &e);
            assert_eq!(err.line(), Some(line), "{text:?}: {err}");
            assert!(
                err.to_string().contains(&format!("at line {line} ")),
                "{err}"
            );
            let shifted = yaml_error_at(text, &e, 10);
            assert_eq!(shifted.line(), Some(line + 9));
        }
    }

    #[test]
    fn json_keys() {
        assert_eq!(json_key(r#"  "a": [1],"#), Some(("a", "[1],")));
        assert_eq!(json_key(r#""a\"b" :{"#), Some((r#"a\"b"#, "{")));
        assert_eq!(json_key(r#"  ["a": 1]"#), None);
        assert_eq!(json_key(r#"  "a", "b""#), None);
        assert_eq!(json_key(r#"  "open"#), None);
    }

    #[test]
    fn quoted() {
        let all: Vec<&str> = quoted_strings(r#"  "a": "b\"c", x "d"#).collect();
        assert_eq!(all, ["a", r#"b\"c"#]);
        assert_eq!(quoted_strings("none").count(), 0);
    }

    #[test]
    fn bom_is_stripped() {
        assert_eq!(utf8(b"\xEF\xBB\xBF{}").unwrap(), "{}");
    }
}
