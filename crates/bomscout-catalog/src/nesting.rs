//! Nesting limits: every YAML and TOML file is parsed through [`yaml`] and [`toml`], which
//! first refuse a document nested deeper than [`MAX_DEPTH`] levels.
//!
//! Why: the parsers behind them recurse once per level, in parsing, in building the value
//! tree and in dropping it. A hostile file of a few hundred kilobytes (`[[[[…`, a 100,000-deep
//! indentation staircase, `a.a.a.…= 1`) takes seconds to minutes or overflows the stack,
//! which aborts the whole scan. No lockfile or manifest nests more than a dozen levels, so a
//! file beyond the limit is refused as malformed, with the line where the limit was passed.
//!
//! The check is a single pass over the bytes, linear in the file's size with memory bounded
//! by the limit, that counts a level for
//! - YAML: each block indentation level (and each `- ` of a compact `- - x` sequence), plus
//!   each open flow collection (`[`, `{` outside quoted scalars and comments; in block
//!   context only where a scalar starts, so `url: http://x/[a` is not one). Block scalar
//!   (`|`, `>`) contents are skipped: they are text, not structure.
//! - TOML: each open inline array or table (`[`, `{` outside strings and comments), each
//!   segment of a dotted key (`a.b.c = 1` is three tables deep) and of a table header
//!   (`[a.b.c]`).
//!
//! It over-counts in odd corners (a multi-line plain scalar indented further on each line),
//! never under-counts a level a parser would recurse for. JSON needs no pre-scan:
//! serde_json refuses nesting deeper than 128 by default (its `unbounded_depth` feature
//! is not enabled in this workspace), as the tests check. serde_norway has the same
//! limit, but only once the whole event stream is built: the 100,000-deep staircase took
//! 19 s to reach it.
//! The toml crate stops at 80 levels of its own; the pre-scan makes the refusal one
//! message, for dotted keys and headers too, before any parsing.

use crate::ParseError;
use serde::de::DeserializeOwned;

/// The deepest nesting any YAML or TOML file may have: the limit serde_json and
/// serde_norway apply while deserializing (128), so that one limit holds for every format.
pub const MAX_DEPTH: usize = 128;

/// A document nested deeper than the limit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("nested deeper than {limit} levels at line {line}: refused (no lockfile or manifest nests this deep; the file is malformed or crafted, check where it came from)")]
pub struct TooDeep {
    /// 1-based line where the nesting passed the limit.
    pub line: u32,
    /// The limit that was passed.
    pub limit: usize,
}

impl From<TooDeep> for ParseError {
    fn from(e: TooDeep) -> ParseError {
        ParseError::Format {
            line: Some(e.line),
            message: e.to_string(),
        }
    }
}

/// Parses YAML text after checking its nesting ([`check_yaml`]).
pub fn yaml<T: DeserializeOwned>(text: &str) -> Result<T, ParseError> {
    check_yaml(text, MAX_DEPTH)?;
    serde_norway::from_str(text).map_err(|e| crate::text::yaml_error(text, &e))
}

/// Parses TOML text after checking its nesting ([`check_toml`]).
pub fn toml<T: DeserializeOwned>(text: &str) -> Result<T, ParseError> {
    check_toml(text, MAX_DEPTH)?;
    ::toml::from_str(text).map_err(|e| ParseError::toml(text, &e))
}

/// Counts nesting levels as the module docs say; `Err` at the first line deeper than `limit`.
pub fn check_yaml(text: &str, limit: usize) -> Result<(), TooDeep> {
    // Columns of the open block levels, innermost last (never longer than `limit + 1`).
    let mut block: Vec<usize> = Vec::new();
    let mut flow = 0usize;
    // Inside a quoted scalar that goes on past the end of a line: its quote character.
    let mut quote: Option<u8> = None;
    // Inside a block scalar: the indentation of the line that opened it.
    let mut block_scalar: Option<usize> = None;
    for (i, line) in text.lines().enumerate() {
        let too_deep = |levels: usize| -> Result<(), TooDeep> {
            if levels > limit {
                Err(TooDeep {
                    line: u32::try_from(i + 1).unwrap_or(u32::MAX),
                    limit,
                })
            } else {
                Ok(())
            }
        };
        let bytes = line.as_bytes();
        let indent = bytes.iter().take_while(|&&b| b == b' ').count();
        let rest = bytes.get(indent..).unwrap_or_default();
        let blank = rest.iter().all(u8::is_ascii_whitespace);
        if let Some(opener) = block_scalar {
            if blank || indent > opener {
                continue;
            }
            block_scalar = None;
        }
        let mut start = 0;
        if quote.is_none() && flow == 0 {
            if blank || rest.first() == Some(&b'#') || rest.first() == Some(&b'%') {
                continue;
            }
            if indent == 0 && (line.starts_with("---") || line.starts_with("...")) {
                block.clear();
                start = 3;
            } else {
                while block.last().is_some_and(|&top| top >= indent) {
                    block.pop();
                }
                block.push(indent);
                too_deep(block.len())?;
                start = indent;
            }
        }
        // Whether the next non-blank character starts a scalar or collection.
        let mut at_start = true;
        let mut j = start;
        while let Some(&b) = bytes.get(j) {
            let next = bytes.get(j + 1).copied();
            let next_is_blank = next.is_none_or(|n| n == b' ' || n == b'\t');
            match quote {
                Some(b'"') => {
                    match b {
                        b'\\' => j += 1,
                        b'"' => quote = None,
                        _ => {}
                    }
                    j += 1;
                    continue;
                }
                Some(_) => {
                    if b == b'\'' {
                        if next == Some(b'\'') {
                            j += 1;
                        } else {
                            quote = None;
                        }
                    }
                    j += 1;
                    continue;
                }
                None => {}
            }
            match b {
                b' ' | b'\t' => {}
                b'#' if j == 0 || matches!(bytes.get(j - 1), Some(b' ' | b'\t')) => break,
                b'"' | b'\'' if at_start => {
                    quote = Some(b);
                    at_start = false;
                }
                b'&' | b'!' if at_start => {
                    // An anchor or a tag comes before the node it names: skip it.
                    while bytes.get(j + 1).is_some_and(|&c| c != b' ' && c != b'\t') {
                        j += 1;
                    }
                }
                b'[' | b'{' if flow > 0 || at_start => {
                    flow += 1;
                    too_deep(block.len() + flow)?;
                    at_start = true;
                }
                b']' | b'}' if flow > 0 => {
                    flow -= 1;
                    at_start = false;
                }
                b',' if flow > 0 => at_start = true,
                b'-' | b'?' if flow == 0 && at_start && next_is_blank => {
                    // `- - x`: each entry indicator opens a level inside the line's.
                    if j > indent {
                        block.push(j);
                        too_deep(block.len())?;
                    }
                }
                b':' if next_is_blank || (flow > 0 && matches!(next, Some(b',' | b']' | b'}'))) => {
                    at_start = true;
                }
                b'|' | b'>' if at_start && flow == 0 => {
                    block_scalar = Some(indent);
                    break;
                }
                _ => at_start = false,
            }
            j += 1;
        }
    }
    Ok(())
}

/// Parses a TOML lockfile whose bulk is one array of tables (`[[package]]` of Cargo.lock,
/// uv.lock and poetry.lock, `[[packages]]` of pylock.toml) one element at a time, so that
/// memory stays a small multiple of the file's size.
///
/// The toml crate builds a document tree of the whole file before deserializing, even into
/// typed structs: a million-package Cargo.lock took 3 GB. Here the file is cut at its
/// top-level table headers (found outside strings and inline collections by the nesting
/// scan): each `[[key]]` section, with the `[key.…]` / `[[key.…]]` sub-tables that follow
/// it, is parsed on its own into a `T`; everything else (root keys, other tables) is parsed
/// as one document into `D`. Errors keep the file's line numbers. The nesting limit is
/// checked first, as for [`toml`].
pub fn toml_array_of_tables<D, T>(text: &str, key: &str) -> Result<(D, Vec<T>), ParseError>
where
    D: DeserializeOwned,
    T: DeserializeOwned,
{
    let mut headers = Vec::new();
    scan_toml(text, MAX_DEPTH, Some(&mut headers))?;
    let element = format!("[[{key}]]");
    let (sub_table, sub_array) = (format!("[{key}."), format!("[[{key}."));
    let mut rest = String::new();
    // (start offset, start line) of each element's section.
    let mut elements: Vec<(usize, u32)> = Vec::new();
    let mut sections: Vec<(usize, u32, bool)> = Vec::with_capacity(headers.len() + 1);
    sections.push((0, 1, false));
    let mut in_element = false;
    for &(offset, line) in &headers {
        let header = text.get(offset..).unwrap_or_default();
        let name_end = header.find(']').map_or(header.len(), |i| i + 2);
        let name: String = header
            .get(..name_end.min(header.len()))
            .unwrap_or_default()
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        if name.starts_with(&element) {
            in_element = true;
        } else if !(in_element && (name.starts_with(&sub_table) || name.starts_with(&sub_array))) {
            in_element = false;
        } else {
            continue;
        }
        sections.push((offset, line, in_element));
    }
    // Each piece of `rest`: (its first line in `rest`, its first line in the file).
    let mut rest_lines: Vec<(u32, u32)> = Vec::new();
    let mut rest_line_count = 1u32;
    for (i, &(start, line, is_element)) in sections.iter().enumerate() {
        let end = sections.get(i + 1).map_or(text.len(), |s| s.0);
        if is_element {
            elements.push((start, line));
            // The element's end is where the next section starts.
            elements.push((end, 0));
        } else {
            let before = rest.len();
            rest_lines.push((rest_line_count, line));
            rest.push_str(text.get(start..end).unwrap_or_default());
            if !rest.is_empty() && !rest.ends_with('\n') {
                rest.push('\n');
            }
            let added = rest.get(before..).unwrap_or_default();
            let newlines = added.bytes().filter(|&b| b == b'\n').count();
            rest_line_count =
                rest_line_count.saturating_add(u32::try_from(newlines).unwrap_or(u32::MAX));
        }
    }
    // The file line of a line of `rest`.
    let rest_line = |l: u32| -> u32 {
        let i = rest_lines.partition_point(|&(first, _)| first <= l);
        match i.checked_sub(1).and_then(|i| rest_lines.get(i)) {
            Some(&(first, file)) => file + (l - first),
            None => l,
        }
    };
    let doc: D = ::toml::from_str(&rest).map_err(|e| {
        let mut err = ParseError::toml(&rest, &e);
        if let ParseError::Toml { line: Some(l), .. } = &mut err {
            *l = rest_line(*l);
        }
        err
    })?;
    let mut out = Vec::with_capacity(elements.len() / 2);
    for pair in elements.chunks(2) {
        let [(start, line), (end, _)] = pair else {
            continue;
        };
        let chunk = text.get(*start..*end).unwrap_or_default();
        let mut one: std::collections::BTreeMap<String, Vec<T>> =
            ::toml::from_str(chunk).map_err(|e| {
                let mut err = ParseError::toml(chunk, &e);
                if let ParseError::Toml { line: Some(l), .. } = &mut err {
                    *l += line - 1;
                }
                err
            })?;
        out.extend(one.remove(key).unwrap_or_default());
    }
    Ok((doc, out))
}

/// Counts nesting levels as the module docs say; `Err` at the first line deeper than `limit`.
pub fn check_toml(text: &str, limit: usize) -> Result<(), TooDeep> {
    scan_toml(text, limit, None)
}

/// [`check_toml`], also collecting `(offset, line)` of each top-level table header.
fn scan_toml(
    text: &str,
    limit: usize,
    mut headers: Option<&mut Vec<(usize, u32)>>,
) -> Result<(), TooDeep> {
    #[derive(Clone, Copy, PartialEq)]
    enum Str {
        Basic,
        Literal,
        MultiBasic,
        MultiLiteral,
    }
    let bytes = text.as_bytes();
    let mut line = 1u32;
    let mut string: Option<Str> = None;
    // Open inline collections: (is a table, key segments of the key it is the value of).
    let mut open: Vec<(bool, usize)> = Vec::new();
    // Key segments of the open collections, summed; those of the key being read.
    let mut open_segments = 0usize;
    let mut segments = 0usize;
    let mut header = 0usize;
    let mut in_key = true;
    let mut line_start = true;
    let mut j = 0;
    let too_deep = |line: u32, levels: usize| -> Result<(), TooDeep> {
        if levels > limit {
            Err(TooDeep { line, limit })
        } else {
            Ok(())
        }
    };
    while let Some(&b) = bytes.get(j) {
        if b == b'\n' {
            line = line.saturating_add(1);
        }
        if let Some(s) = string {
            match (s, b) {
                (Str::Basic | Str::MultiBasic, b'\\') => j += 1,
                (Str::Basic, b'"') | (Str::Literal, b'\'') => string = None,
                (Str::Basic | Str::Literal, b'\n') => string = None,
                (Str::MultiBasic, b'"') if bytes.get(j..j + 3) == Some(b"\"\"\"") => {
                    string = None;
                    j += 2;
                }
                (Str::MultiLiteral, b'\'') if bytes.get(j..j + 3) == Some(b"'''") => {
                    string = None;
                    j += 2;
                }
                _ => {}
            }
            j += 1;
            continue;
        }
        match b {
            b'\n' => {
                if open.is_empty() {
                    in_key = true;
                    segments = 0;
                }
                line_start = true;
                j += 1;
                continue;
            }
            b' ' | b'\t' | b'\r' => {
                j += 1;
                continue;
            }
            b'#' => {
                while bytes.get(j).is_some_and(|&c| c != b'\n') {
                    j += 1;
                }
                continue;
            }
            b'"' | b'\'' => {
                let triple =
                    bytes.get(j..j + 3) == Some(if b == b'"' { b"\"\"\"" } else { b"'''" });
                string = Some(match (b, triple) {
                    (b'"', true) => Str::MultiBasic,
                    (b'"', false) => Str::Basic,
                    (_, true) => Str::MultiLiteral,
                    _ => Str::Literal,
                });
                if triple {
                    j += 2;
                }
                if in_key && segments == 0 {
                    segments = 1;
                }
            }
            b'[' if open.is_empty() && line_start => {
                // A table header: its dotted segments, up to the closing bracket.
                if let Some(h) = headers.as_mut() {
                    h.push((j, line));
                }
                header = 1;
                let mut quote: Option<u8> = None;
                j += 1;
                while let Some(&c) = bytes.get(j) {
                    match (quote, c) {
                        (_, b'\n') => break,
                        (Some(q), c) if c == q => quote = None,
                        (Some(_), _) => {}
                        (None, b'"' | b'\'') => quote = Some(c),
                        (None, b'.') => {
                            header += 1;
                            too_deep(line, header)?;
                        }
                        (None, b']') => {
                            if bytes.get(j + 1) == Some(&b']') {
                                j += 1;
                            }
                            break;
                        }
                        _ => {}
                    }
                    j += 1;
                }
                in_key = false;
                segments = 0;
            }
            b'[' | b'{' => {
                open.push((b == b'{', segments));
                open_segments += segments;
                segments = 0;
                in_key = b == b'{';
                too_deep(line, header + open.len() + open_segments)?;
            }
            b']' | b'}' => {
                if let Some((_, s)) = open.pop() {
                    open_segments -= s;
                }
                segments = 0;
                in_key = false;
            }
            b',' => {
                segments = 0;
                in_key = open.last().is_some_and(|&(table, _)| table);
            }
            b'=' => in_key = false,
            b'.' if in_key => {
                segments = segments.max(1) + 1;
                too_deep(line, header + open.len() + open_segments + segments)?;
            }
            _ => {
                if in_key && segments == 0 {
                    segments = 1;
                }
            }
        }
        line_start = false;
        j += 1;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yaml_depth_ok(text: &str, limit: usize) -> bool {
        check_yaml(text, limit).is_ok()
    }

    #[test]
    fn yaml_levels() {
        // Block mappings: one level per indentation.
        let t = "a:\n  b:\n    c: 1\n  d: 2\ne: 3\n";
        assert!(yaml_depth_ok(t, 3));
        assert_eq!(check_yaml(t, 2), Err(TooDeep { line: 3, limit: 2 }));
        // Flow collections, at a scalar start only.
        assert!(!yaml_depth_ok("a: [[[1]]]\n", 3));
        assert!(yaml_depth_ok("a: [[[1]]]\n", 4));
        assert!(yaml_depth_ok("url: http://x/[[[[[[a\nb: c]]]]\n", 2));
        // Brackets in quotes, comments and block scalars are text.
        assert!(yaml_depth_ok(
            "a: \"[[[[[[\"\nb: '{{{{{{ it''s'\nc: 1 # [[[[[[[\n",
            2
        ));
        assert!(yaml_depth_ok(
            "a: |\n  [[[[[[[[\n        deep\n            deeper\nb: 1\n",
            2
        ));
        // A quoted scalar over several lines.
        assert!(yaml_depth_ok("a: \"x\n  [[[[[[ y\"\nb: 1\n", 2));
        // Compact sequences: each `- ` a level.
        assert!(!yaml_depth_ok("- - - - x\n", 3));
        assert!(yaml_depth_ok("- - - - x\n", 4));
        // Anchors and tags before a flow collection.
        assert!(!yaml_depth_ok("a: &x [[1]]\n", 2));
        assert!(!yaml_depth_ok("a: !!seq [[1]]\n", 2));
        // Documents start over.
        assert!(yaml_depth_ok("a:\n  b: 1\n---\nc:\n  d: 1\n", 2));
    }

    #[test]
    fn toml_levels() {
        let ok = |t: &str, limit| check_toml(t, limit).is_ok();
        assert!(ok("[package]\nname = \"x\"\nversion = \"1.0\"\n", 2));
        assert!(!ok("a = [[[1]]]\n", 3));
        assert!(ok("a = [[[1]]]\n", 4));
        assert!(!ok("a.b.c = 1\n", 2));
        assert!(ok("a.b.c = 1\n", 3));
        assert!(!ok("[a.b.c]\nx = 1\n", 2));
        assert!(ok("[a.b.c]\nx = 1\n", 3));
        assert!(ok("[[package]]\nname = \"x\"\n", 2));
        assert!(!ok("a = { b.c = { d = 1 } }\n", 4));
        assert!(ok("a = { b.c = { d = 1 } }\n", 5));
        // Dots and brackets in values, strings and comments are not levels.
        assert!(ok(
            "v = 1.5\nu = \"a.b.c.d[[[[\"\nl = '[[[['\nm = \"\"\"\n[[[[\n\"\"\"\nx = 1 # [[[[ a.b.c\n",
            1
        ));
        assert_eq!(
            check_toml("ok = 1\n\nx = [[[[1]]]]\n", 3),
            Err(TooDeep { line: 3, limit: 3 })
        );
    }

    #[derive(Debug, PartialEq, serde::Deserialize)]
    struct Pkg {
        name: String,
        #[serde(default)]
        dependencies: std::collections::BTreeMap<String, String>,
        #[serde(default)]
        wheels: Vec<std::collections::BTreeMap<String, String>>,
        note: Option<String>,
    }

    #[derive(Debug, PartialEq, serde::Deserialize)]
    struct Doc {
        version: u32,
        #[serde(default)]
        package: Vec<Pkg>,
        #[serde(default)]
        metadata: std::collections::BTreeMap<String, String>,
    }

    /// Element by element gives what the whole document gives: sub-tables stay with their
    /// element, other tables and root keys go to the rest, a header inside a multi-line
    /// string is text.
    #[test]
    fn array_of_tables_one_element_at_a_time() {
        let text = "version = 1\n\n[[package]]\nname = \"a\"\nnote = \"\"\"\n[[package]]\nname = \"x\"\n\"\"\"\n\n[package.dependencies]\nb = \"1\"\n\n[[package.wheels]]\nurl = \"u\"\n\n[metadata]\nhash = \"h\"\n\n[[package]]\nname = \"b\"\n";
        let whole: Doc = ::toml::from_str(text).unwrap();
        let (mut rest, packages): (Doc, Vec<Pkg>) = toml_array_of_tables(text, "package").unwrap();
        assert!(rest.package.is_empty());
        rest.package = packages;
        assert_eq!(rest, whole);
        assert_eq!(whole.package.len(), 2);
        assert_eq!(whole.package[0].dependencies.len(), 1);
    }

    #[test]
    fn array_of_tables_errors_keep_file_lines() {
        let in_element =
            "version = 1\n[[package]]\nname = \"a\"\n[[package]]\nname = \"b\"\nname = \"c\"\n";
        let err = toml_array_of_tables::<Doc, Pkg>(in_element, "package").unwrap_err();
        assert_eq!(err.line(), Some(6), "{err}");
        let in_rest =
            "version = 1\n[[package]]\nname = \"a\"\n[metadata]\nhash = \"h\"\nhash = \"i\"\n";
        let err = toml_array_of_tables::<Doc, Pkg>(in_rest, "package").unwrap_err();
        assert_eq!(err.line(), Some(6), "{err}");
        let at_root = "version = 1\nversion = 2\n[[package]]\nname = \"a\"\n";
        let err = toml_array_of_tables::<Doc, Pkg>(at_root, "package").unwrap_err();
        assert_eq!(err.line(), Some(2), "{err}");
    }

    #[test]
    fn json_is_limited_by_serde_json() {
        let deep = "[".repeat(200) + &"]".repeat(200);
        let err = serde_json::from_str::<serde_json::Value>(&deep).unwrap_err();
        assert!(err.to_string().contains("recursion limit"), "{err}");
    }
}
