//! One reader for the block YAML that pnpm (`pnpm-lock.yaml`) and yarn berry (`yarn.lock`)
//! write, and the tree both catalogers read, whichever parser built it.
//!
//! Both files are machine-written: block mappings and sequences with a fixed indentation,
//! one key per line, scalars plain or quoted on one line, and a few one-line flow
//! collections (`resolution: {integrity: sha512-…}`, `engines: {node: '>=10'}`,
//! `cpu: [x64]`, `{}`). [`read`] takes that shape in one pass over the text and borrows
//! every string from it (a quoted scalar with escapes is the only copy), with the line of
//! each key. It does not guess: anything outside the shape is [`Unsupported`], and
//! [`parse`] / [`documents`] then run serde_norway (after [`crate::nesting::check_yaml`],
//! as before) and convert its `Value` into the same [`Node`] tree, so the catalogers have
//! one code path over one tree type, and serde_norway stays the reference the tests hold
//! the reader to.
//!
//! The shape [`read`] takes:
//! - lines (`\n` or `\r\n`) of spaces (no tabs), comments (`# …`, a whole line or after a value and a space),
//!   one leading `---` line (a document of a stream, as [`crate::text::yaml_documents`]
//!   cuts them);
//! - block mappings (`key: value`, `key:` and the block below it, more indented) and
//!   block sequences (`- value`, indented under their key), each level at one indentation;
//! - keys: plain or quoted, on one line, shorter than libyaml's 1,024-character limit for
//!   simple keys, resolving to strings, without duplicates in one mapping;
//! - values: plain scalars (typed as serde_norway types them: null, booleans, numbers,
//!   else strings), single-quoted (`''`) and double-quoted scalars (every YAML escape), and
//!   flow mappings and sequences of scalars that open and close on the same line.
//!
//! [`Unsupported`], among others: anchors, aliases and tags (`&a`, `*a`, `!t`), block
//! scalars (`|`, `>`), plain or quoted scalars over several lines, nested or multi-line
//! flow collections, complex keys (`? `), compact nested sequences (`- - a`, `- a: b`),
//! sequences at their key's indentation, directives, a second document or `...`, tabs,
//! a carriage return outside `\r\n`, control characters and the line breaks libyaml knows beyond `\n`
//! (U+0085, U+2028, U+2029), a byte-order mark, non-string keys, integers beyond 64 bits,
//! and nesting deeper than [`MAX_DEPTH`]. These all go to serde_norway, which reads or
//! refuses them as it always did.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use crate::ParseError;
use serde_norway::{Number, Value};
use std::borrow::Cow;

/// The deepest nesting [`read`] takes; deeper goes to serde_norway, behind
/// [`crate::nesting::check_yaml`]'s limit (twice this).
pub const MAX_DEPTH: usize = crate::nesting::MAX_DEPTH / 2;

/// A YAML node: the parts of serde_norway's `Value` the catalogers read, with strings
/// borrowed from the text where they can be and the line of each mapping key.
#[derive(Debug, Clone, PartialEq)]
pub enum Node<'a> {
    /// `~`, `null`, an empty value.
    Null,
    /// `true`, `false` (and their capitalized spellings).
    Bool(bool),
    /// A plain scalar that serde_norway reads as a number.
    Number(Number),
    /// Any other scalar.
    Str(Cow<'a, str>),
    /// A sequence.
    Seq(Vec<Node<'a>>),
    /// A mapping, in the order of the text.
    Map(Vec<Entry<'a>>),
}

/// One `key: value` of a mapping.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry<'a> {
    /// The key (always a string from [`read`]; any node from serde_norway).
    pub key: Node<'a>,
    /// The value.
    pub value: Node<'a>,
    /// 1-based line of the key in the text read; 0 where it is not known (see
    /// [`from_value`]).
    pub line: u32,
}

impl<'a> Node<'a> {
    /// The value of the string key `key` of a mapping.
    pub fn get(&self, key: &str) -> Option<&Node<'a>> {
        self.entry(key).map(|e| &e.value)
    }

    /// The entry of the string key `key` of a mapping.
    pub fn entry(&self, key: &str) -> Option<&Entry<'a>> {
        self.entries().iter().find(|e| e.key.as_str() == Some(key))
    }

    /// The entries of a mapping; none for any other node.
    pub fn entries(&self) -> &[Entry<'a>] {
        match self {
            Node::Map(entries) => entries,
            _ => &[],
        }
    }

    /// The entries of a mapping, `None` for any other node.
    pub fn as_map(&self) -> Option<&[Entry<'a>]> {
        match self {
            Node::Map(entries) => Some(entries),
            _ => None,
        }
    }

    /// A string scalar.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Node::Str(s) => Some(s),
            _ => None,
        }
    }

    /// A boolean.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Node::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// A number as `f64` (as serde_norway's `Value::as_f64`).
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Node::Number(n) => n.as_f64(),
            _ => None,
        }
    }

    /// `~`, `null` or nothing.
    pub fn is_null(&self) -> bool {
        matches!(self, Node::Null)
    }
}

/// Which parser builds the tree: the reader with serde_norway behind it (what the
/// catalogers use), or serde_norway alone (the reference, for tests).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reader {
    /// [`read`], and serde_norway where it says [`Unsupported`].
    Fast,
    /// serde_norway only (the tests' reference).
    #[cfg_attr(not(test), allow(dead_code))]
    Serde,
}

/// Text outside the shape [`read`] takes: serde_norway reads it instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsupported {
    /// 1-based line where the reader stopped.
    pub line: u32,
    /// What it found there.
    pub reason: &'static str,
}

/// The tree of one YAML document: [`read`], or serde_norway where the text is outside its
/// shape (the nesting limit checked first, errors with their line, as
/// [`crate::nesting::yaml`]).
pub fn parse(text: &str, reader: Reader) -> Result<Node<'_>, ParseError> {
    if reader == Reader::Fast {
        if let Ok(node) = read(text) {
            return Ok(node);
        }
    }
    let value: Value = crate::nesting::yaml(text)?;
    Ok(from_value(value, text))
}

/// The documents of a YAML stream ([`crate::text::yaml_documents`]): the line each begins
/// on, its text and its tree. Every document is read by [`read`], or, if one of them is
/// outside its shape, all by serde_norway (the nesting limit checked over the whole text
/// first), so that errors and their order are serde_norway's.
pub fn documents(text: &str, reader: Reader) -> Result<Vec<(u32, &str, Node<'_>)>, ParseError> {
    // One search for a `---` line decides the common case, a file of one document, without
    // cutting it line by line.
    let chunks = if text.starts_with("---") || text.contains("\n---") {
        crate::text::yaml_documents(text)
    } else {
        vec![(1, text)]
    };
    if reader == Reader::Fast {
        let fast: Result<Vec<_>, Unsupported> = chunks
            .iter()
            .map(|&(line, chunk)| read(chunk).map(|node| (line, chunk, node)))
            .collect();
        if let Ok(docs) = fast {
            return Ok(docs);
        }
    }
    crate::nesting::check_yaml(text, crate::nesting::MAX_DEPTH)?;
    chunks
        .into_iter()
        .map(|(line, chunk)| {
            let value: Value = serde_norway::from_str(chunk)
                .map_err(|e| crate::text::yaml_error_at(chunk, &e, line))?;
            Ok((line, chunk, from_value(value, chunk)))
        })
        .collect()
}

/// serde_norway's `Value` of `text` as a [`Node`] tree (strings owned; tags dropped, their
/// values kept, as `Value`'s accessors see them). serde_norway keeps no positions, so the
/// lines of keys are recovered from the text for the two levels the catalogers name lines
/// of, as pnpm and berry write them: a top-level key's line is the first line declaring it
/// at column 0, a second-level key's the first declaring it at column 2
/// ([`crate::text::yaml_key_at`]); other lines are 0.
pub fn from_value<'a>(value: Value, text: &str) -> Node<'a> {
    let top = crate::text::KeyLines::new(text, |l| crate::text::yaml_key_at(l, 0));
    let second = crate::text::KeyLines::new(text, |l| crate::text::yaml_key_at(l, 2));
    convert(value, 1, &[&top, &second])
}

fn convert<'a>(value: Value, depth: usize, lines: &[&crate::text::KeyLines<'_>]) -> Node<'a> {
    match value {
        Value::Null => Node::Null,
        Value::Bool(b) => Node::Bool(b),
        Value::Number(n) => Node::Number(n),
        Value::String(s) => Node::Str(Cow::Owned(s)),
        Value::Sequence(items) => Node::Seq(
            items
                .into_iter()
                .map(|v| convert(v, depth + 1, lines))
                .collect(),
        ),
        Value::Mapping(map) => Node::Map(
            map.into_iter()
                .map(|(k, v)| {
                    let line = match (&k, lines.get(depth - 1)) {
                        (Value::String(s), Some(keys)) => keys.get(s).unwrap_or(0),
                        _ => 0,
                    };
                    Entry {
                        key: convert(k, depth + 1, &[]),
                        value: convert(v, depth + 1, lines),
                        line,
                    }
                })
                .collect(),
        ),
        Value::Tagged(tagged) => convert(tagged.value, depth, lines),
    }
}

/// Reads one YAML document of the shape the module docs describe, or says why not.
pub fn read(text: &str) -> Result<Node<'_>, Unsupported> {
    let mut r = Lines {
        text,
        pos: 0,
        line: 0,
        peeked: None,
        started: false,
        entry_pool: Vec::new(),
        item_pool: Vec::new(),
    };
    let node = r.block(-1, 1)?;
    match r.peek()? {
        Some(l) => Err(Unsupported {
            line: l.no,
            reason: "a line outside the root node's indentation",
        }),
        None => Ok(node),
    }
}

/// Characters libyaml refuses or reads as something other than text on one line: control
/// characters (tab included, carriage return unless in a `\r\n` line break), DEL, C1 controls, U+2028/U+2029 (line
/// breaks to libyaml), U+FEFF (a byte-order mark, skipped at a line start), U+FFFE/U+FFFF.
fn check_characters(text: &str) -> Result<(), Unsupported> {
    let bytes = text.as_bytes();
    let mut at = bytes.iter().enumerate().position(|(i, &b)| {
        ((b < 0x20 && b != b'\n') || b == 0x7f) && !(b == b'\r' && bytes.get(i + 1) == Some(&b'\n'))
    });
    if at.is_none() && !text.is_ascii() {
        at = text
            .char_indices()
            .find(|&(_, c)| {
                matches!(
                    c,
                    '\u{80}'
                        ..='\u{9f}'
                            | '\u{2028}'
                            | '\u{2029}'
                            | '\u{feff}'
                            | '\u{fffe}'
                            | '\u{ffff}'
                )
            })
            .map(|(i, _)| i);
    }
    match at {
        Some(offset) => Err(Unsupported {
            line: crate::text::line_of(text, offset),
            reason: "a tab, carriage return, control character or special line break",
        }),
        None => Ok(()),
    }
}

/// One line that holds content (not blank, not a comment).
#[derive(Debug, Clone, Copy)]
struct Line<'a> {
    /// 1-based.
    no: u32,
    /// Leading spaces.
    indent: usize,
    /// The rest, without its line break (`\n` or `\r\n`); never empty, never a comment.
    body: &'a str,
}

/// The content lines of the text, one at a time.
struct Lines<'a> {
    text: &'a str,
    /// Byte offset of the next line not yet looked at.
    pos: usize,
    /// Number of the last line looked at.
    line: u32,
    peeked: Option<Line<'a>>,
    /// Whether a content line (or the leading `---`) has been seen.
    started: bool,
    /// Vectors that collect a mapping's entries / a sequence's items while it is read, one
    /// per open level, kept for the next collection: each node then gets one allocation of
    /// its exact size instead of a chain of growing ones.
    entry_pool: Vec<Vec<Entry<'a>>>,
    item_pool: Vec<Vec<Node<'a>>>,
}

impl<'a> Lines<'a> {
    /// The next content line, not consumed.
    fn peek(&mut self) -> Result<Option<Line<'a>>, Unsupported> {
        if self.peeked.is_none() {
            self.peeked = self.next_line()?;
        }
        Ok(self.peeked)
    }

    fn advance(&mut self) {
        self.peeked = None;
    }

    fn next_line(&mut self) -> Result<Option<Line<'a>>, Unsupported> {
        loop {
            let Some(rest) = self.text.get(self.pos..).filter(|r| !r.is_empty()) else {
                return Ok(None);
            };
            let len = rest.find('\n').unwrap_or(rest.len());
            self.line = self.line.saturating_add(1);
            // A line at a time (with its `\n`, for the `\r\n` rule), not the whole text
            // first: a hostile file is left at its first bad or too-deep line, before the
            // rest of it is looked at. Every line is checked, comments included, since
            // `read` succeeds only after reading to the end.
            let with_break = rest.get(..(len + 1).min(rest.len())).unwrap_or(rest);
            if let Err(e) = check_characters(with_break) {
                return Err(Unsupported {
                    line: self.line,
                    ..e
                });
            }
            let raw = rest.get(..len).unwrap_or_default();
            let raw = raw.strip_suffix('\r').unwrap_or(raw);
            self.pos += len + 1;
            let body = raw.trim_start_matches(' ');
            let indent = raw.len() - body.len();
            if body.is_empty() || body.starts_with('#') {
                continue;
            }
            let no = self.line;
            if indent == 0 && (body.starts_with("---") || body.starts_with("...")) {
                let marker_end = body.as_bytes().get(3).is_none_or(|&b| b == b' ');
                if marker_end {
                    if !self.started && body.trim_end_matches(' ') == "---" {
                        self.started = true;
                        continue;
                    }
                    return Err(Unsupported {
                        line: no,
                        reason: "a document marker (`---`, `...`) inside the document",
                    });
                }
            }
            self.started = true;
            return Ok(Some(Line { no, indent, body }));
        }
    }

    /// The block node under a parent at column `parent` (-1 for the root): the lines
    /// indented further, or null if there are none.
    fn block(&mut self, parent: isize, depth: usize) -> Result<Node<'a>, Unsupported> {
        let Some(first) = self.peek()? else {
            return Ok(Node::Null);
        };
        if isize::try_from(first.indent).unwrap_or(isize::MAX) <= parent {
            return Ok(Node::Null);
        }
        if depth > MAX_DEPTH {
            return Err(Unsupported {
                line: first.no,
                reason: "nested deeper than the reader's limit",
            });
        }
        if is_entry(first.body) {
            self.sequence(first.indent, depth)
        } else {
            self.mapping(first.indent, depth)
        }
    }

    fn mapping(&mut self, indent: usize, depth: usize) -> Result<Node<'a>, Unsupported> {
        let mut entries = self.entry_pool.pop().unwrap_or_default();
        let result = self.mapping_into(indent, depth, &mut entries);
        let node = result.and_then(|()| {
            unique_keys(&entries)?;
            Ok(Node::Map(exact(&mut entries)))
        });
        entries.clear();
        self.entry_pool.push(entries);
        node
    }

    fn mapping_into(
        &mut self,
        indent: usize,
        depth: usize,
        entries: &mut Vec<Entry<'a>>,
    ) -> Result<(), Unsupported> {
        while let Some(l) = self.peek()? {
            if l.indent < indent {
                break;
            }
            let no = l.no;
            let fail = |reason| Err(Unsupported { line: no, reason });
            if l.indent > indent {
                return fail("a line indented further than its mapping, after a value");
            }
            if is_entry(l.body) {
                return fail("a sequence entry among mapping keys");
            }
            self.advance();
            let (key, rest) = key(l.body, no)?;
            let value = if rest.is_empty() || rest.starts_with('#') {
                self.block(isize::try_from(indent).unwrap_or(isize::MAX), depth + 1)?
            } else {
                value(rest, depth + 1, no)?
            };
            entries.push(Entry {
                key: Node::Str(key),
                value,
                line: no,
            });
        }
        Ok(())
    }

    fn sequence(&mut self, indent: usize, depth: usize) -> Result<Node<'a>, Unsupported> {
        let mut items = self.item_pool.pop().unwrap_or_default();
        let result = self.sequence_into(indent, depth, &mut items);
        let node = result.map(|()| Node::Seq(exact(&mut items)));
        items.clear();
        self.item_pool.push(items);
        node
    }

    fn sequence_into(
        &mut self,
        indent: usize,
        depth: usize,
        items: &mut Vec<Node<'a>>,
    ) -> Result<(), Unsupported> {
        while let Some(l) = self.peek()? {
            if l.indent < indent {
                break;
            }
            let no = l.no;
            let fail = |reason| Err(Unsupported { line: no, reason });
            if l.indent > indent {
                return fail("a line indented further than its sequence, after an entry");
            }
            if !is_entry(l.body) {
                return fail("a mapping key among sequence entries");
            }
            self.advance();
            let rest = l.body.get(1..).unwrap_or_default().trim_start_matches(' ');
            if rest.is_empty() || rest.starts_with('#') {
                return fail("a sequence entry with its value on the lines below");
            }
            items.push(value(rest, depth + 1, no)?);
        }
        Ok(())
    }
}

/// The elements of a pooled vector, moved into one of their exact size (the pooled one
/// keeps its capacity).
fn exact<T>(pooled: &mut Vec<T>) -> Vec<T> {
    let mut out = Vec::with_capacity(pooled.len());
    out.append(pooled);
    out
}

/// `- x` or a lone `-`: a block sequence entry.
fn is_entry(body: &str) -> bool {
    body == "-" || body.starts_with("- ")
}

/// Keys of one mapping must differ (serde_norway refuses a duplicate). A small mapping's
/// keys are compared pairwise, a large one's sorted (pnpm and berry write them sorted,
/// which the sort finds in one pass).
fn unique_keys(entries: &[Entry]) -> Result<(), Unsupported> {
    let duplicate = |line| {
        Err(Unsupported {
            line,
            reason: "a duplicate key",
        })
    };
    if entries.len() <= 16 {
        for (i, e) in entries.iter().enumerate() {
            if entries.iter().take(i).any(|o| o.key == e.key) {
                return duplicate(e.line);
            }
        }
        return Ok(());
    }
    // Keys from the reader are strings; anything else is not compared here.
    let mut keys: Vec<(&str, u32)> = entries
        .iter()
        .filter_map(|e| Some((e.key.as_str()?, e.line)))
        .collect();
    keys.sort_unstable();
    match keys
        .windows(2)
        .find(|w| w.first().map(|k| k.0) == w.get(1).map(|k| k.0))
    {
        Some(w) => duplicate(w.get(1).map_or(0, |k| k.1)),
        None => Ok(()),
    }
}

/// The key of a mapping line and what follows its `:` (leading spaces removed).
fn key(body: &str, line: u32) -> Result<(Cow<'_, str>, &str), Unsupported> {
    let fail = |reason| Err(Unsupported { line, reason });
    let (key, after) = match body.as_bytes().first() {
        Some(b'\'' | b'"') => {
            let (key, after) = quoted(body, line)?;
            let Some(after) = after.strip_prefix(':') else {
                return fail("a quoted key not followed by `:`");
            };
            if !(after.is_empty() || after.starts_with(' ')) {
                return fail("a quoted key not followed by `: `");
            }
            (key, after)
        }
        _ => {
            plain_start(body, line)?;
            let bytes = body.as_bytes();
            let mut colon = None;
            let mut from = 0;
            while let Some(i) = find(bytes, from, BLOCK_STOPS) {
                from = i + 1;
                let b = bytes.get(i).copied();
                if b == Some(b':') && matches!(bytes.get(i + 1), None | Some(b' ')) {
                    colon = Some(i);
                    break;
                }
                if b == Some(b'#') && i > 0 && bytes.get(i - 1) == Some(&b' ') {
                    return fail("a comment inside a key");
                }
            }
            let Some(colon) = colon else {
                return fail("a line that is not `key: value`");
            };
            let key = body.get(..colon).unwrap_or_default().trim_end_matches(' ');
            let after = body.get(colon + 1..).unwrap_or_default();
            match plain(key, line)? {
                Node::Str(key) => (key, after),
                _ => return fail("a key that is not a string"),
            }
        }
    };
    // libyaml's limit for a simple key is 1,024 characters up to its `:`.
    if body.len() - after.len() >= 1000 {
        return fail("a key too long for a simple key");
    }
    Ok((key, after.trim_start_matches(' ')))
}

/// The value written after `key: ` or `- `, to the end of its line.
fn value(text: &str, depth: usize, line: u32) -> Result<Node<'_>, Unsupported> {
    let fail = |reason| Err(Unsupported { line, reason });
    match text.as_bytes().first() {
        Some(b'{' | b'[') => {
            if depth > MAX_DEPTH {
                return fail("nested deeper than the reader's limit");
            }
            let (node, after) = flow(text, line)?;
            end_of_line(after, line)?;
            Ok(node)
        }
        Some(b'\'' | b'"') => {
            let (s, after) = quoted(text, line)?;
            end_of_line(after, line)?;
            Ok(Node::Str(s))
        }
        _ => {
            plain_start(text, line)?;
            let bytes = text.as_bytes();
            let mut end = bytes.len();
            let mut from = 0;
            while let Some(i) = find(bytes, from, BLOCK_STOPS) {
                from = i + 1;
                let b = bytes.get(i).copied();
                if b == Some(b':') && matches!(bytes.get(i + 1), None | Some(b' ')) {
                    return fail("a `: ` inside a plain value (a nested mapping)");
                }
                if b == Some(b'#') && bytes.get(i.wrapping_sub(1)) == Some(&b' ') {
                    end = i;
                    break;
                }
            }
            plain(
                text.get(..end).unwrap_or_default().trim_end_matches(' '),
                line,
            )
        }
    }
}

/// A set of ASCII bytes, one bit each.
#[allow(clippy::indexing_slicing)] // `i < bytes.len()`, on constants
const fn byte_set(bytes: &[u8]) -> u128 {
    let mut set = 0u128;
    let mut i = 0;
    while i < bytes.len() {
        set |= 1 << bytes[i];
        i += 1;
    }
    set
}

/// The bytes that may end a plain scalar or key in block context.
const BLOCK_STOPS: u128 = byte_set(b":#");
/// ... and in a flow collection.
const FLOW_STOPS: u128 = byte_set(b",[]{}:#");

/// The first position at or after `from` of a byte in `set` (a scan of one bit test per
/// byte: plain scalars such as integrity hashes are long, their stops rare).
fn find(bytes: &[u8], from: usize, set: u128) -> Option<usize> {
    let rest = bytes.get(from..)?;
    rest.iter()
        .position(|&b| b < 128 && (set >> b) & 1 == 1)
        .map(|i| i + from)
}

/// What follows a quoted scalar or a flow collection on its line: nothing, or spaces and a
/// comment.
fn end_of_line(after: &str, line: u32) -> Result<(), Unsupported> {
    let rest = after.trim_start_matches(' ');
    if rest.is_empty() || (rest.starts_with('#') && rest.len() < after.len()) {
        Ok(())
    } else {
        Err(Unsupported {
            line,
            reason: "text after a quoted scalar or flow collection",
        })
    }
}

/// A plain scalar may not begin with an indicator (libyaml's list; `-`, `?` and `:`
/// followed by a character are left to serde_norway too).
fn plain_start(text: &str, line: u32) -> Result<(), Unsupported> {
    match text.as_bytes().first() {
        Some(
            b'-' | b'?' | b':' | b',' | b'[' | b']' | b'{' | b'}' | b'#' | b'&' | b'*' | b'!'
            | b'|' | b'>' | b'\'' | b'"' | b'%' | b'@' | b'`' | b' ',
        )
        | None => Err(Unsupported {
            line,
            reason: "a plain scalar starting with an indicator",
        }),
        Some(_) => Ok(()),
    }
}

/// A plain scalar as serde_norway types it: null, boolean, number, else string.
fn plain(s: &str, line: u32) -> Result<Node<'_>, Unsupported> {
    match s {
        "" | "~" | "null" | "Null" | "NULL" => return Ok(Node::Null),
        "true" | "True" | "TRUE" => return Ok(Node::Bool(true)),
        "false" | "False" | "FALSE" => return Ok(Node::Bool(false)),
        _ => {}
    }
    // Every number serde_norway reads (an integer in any radix, a float, `.inf`, `.nan`)
    // starts with a digit, a sign or a dot, has at most one dot and no character other
    // than letters, digits, signs and the dot: anything else is a string, without trying.
    let bytes = s.as_bytes();
    let maybe_number = bytes
        .first()
        .is_some_and(|b| b.is_ascii_digit() || matches!(b, b'+' | b'-' | b'.'))
        && bytes.iter().filter(|&&b| b == b'.').count() <= 1
        && bytes
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'));
    if !maybe_number {
        return Ok(Node::Str(Cow::Borrowed(s)));
    }
    let number = s.parse::<Number>().ok();
    if integer_shaped(s) {
        // An integer past 64 bits is an error to serde_norway's `Value`, digits with a
        // leading zero a string: only a 64-bit integer is read here.
        return match number {
            Some(n) if n.is_u64() || n.is_i64() => Ok(Node::Number(n)),
            _ => Err(Unsupported {
                line,
                reason: "an integer serde_norway does not read as a 64-bit number",
            }),
        };
    }
    if let Some(n) = number {
        // Not an integer in any radix: serde_norway tried its float reading, as here.
        return Ok(Node::Number(n));
    }
    Ok(Node::Str(Cow::Borrowed(s)))
}

/// `[+-]?` then decimal digits, or `0x` hex, `0o` octal or `0b` binary digits: what
/// serde_norway tries as an integer (in 64 bits, then in 128, which `Value` refuses).
fn integer_shaped(s: &str) -> bool {
    let s = s.strip_prefix(['+', '-']).unwrap_or(s);
    let all =
        |digits: &str, f: fn(&u8) -> bool| !digits.is_empty() && digits.as_bytes().iter().all(f);
    if let Some(d) = s.strip_prefix("0x") {
        return all(d, u8::is_ascii_hexdigit);
    }
    if let Some(d) = s.strip_prefix("0o") {
        return all(d, |b| (b'0'..=b'7').contains(b));
    }
    if let Some(d) = s.strip_prefix("0b") {
        return all(d, |b| matches!(b, b'0' | b'1'));
    }
    all(s, u8::is_ascii_digit)
}

/// A single- or double-quoted scalar at the start of `text`, closed on its line, and what
/// follows its closing quote.
fn quoted(text: &str, line: u32) -> Result<(Cow<'_, str>, &str), Unsupported> {
    let fail = |reason| Err(Unsupported { line, reason });
    let bytes = text.as_bytes();
    let single = bytes.first() == Some(&b'\'');
    let quote = if single { b'\'' } else { b'"' };
    let mut owned: Option<String> = None;
    // Start of the text not yet copied into `owned`.
    let mut copied = 1;
    let mut i = 1;
    loop {
        let Some(&b) = bytes.get(i) else {
            return fail("a quoted scalar that goes on past its line");
        };
        if b == quote && !(single && bytes.get(i + 1) == Some(&b'\'')) {
            let after = text.get(i + 1..).unwrap_or_default();
            let s = match owned {
                Some(mut s) => {
                    s.push_str(text.get(copied..i).unwrap_or_default());
                    Cow::Owned(s)
                }
                None => Cow::Borrowed(text.get(1..i).unwrap_or_default()),
            };
            return Ok((s, after));
        }
        if single && b == b'\'' {
            // `''`: one quote.
            let s = owned.get_or_insert_with(String::new);
            s.push_str(text.get(copied..=i).unwrap_or_default());
            i += 2;
            copied = i;
            continue;
        }
        if !single && b == b'\\' {
            let s = owned.get_or_insert_with(String::new);
            s.push_str(text.get(copied..i).unwrap_or_default());
            let Some(&e) = bytes.get(i + 1) else {
                return fail("a double-quoted scalar continued on the next line");
            };
            let simple = match e {
                b'0' => Some('\0'),
                b'a' => Some('\x07'),
                b'b' => Some('\x08'),
                b't' => Some('\t'),
                b'n' => Some('\n'),
                b'v' => Some('\x0b'),
                b'f' => Some('\x0c'),
                b'r' => Some('\r'),
                b'e' => Some('\x1b'),
                b' ' => Some(' '),
                b'"' => Some('"'),
                b'/' => Some('/'),
                b'\\' => Some('\\'),
                b'N' => Some('\u{85}'),
                b'_' => Some('\u{a0}'),
                b'L' => Some('\u{2028}'),
                b'P' => Some('\u{2029}'),
                _ => None,
            };
            if let Some(c) = simple {
                s.push(c);
                i += 2;
            } else {
                let digits = match e {
                    b'x' => 2,
                    b'u' => 4,
                    b'U' => 8,
                    _ => return fail("an unknown escape in a double-quoted scalar"),
                };
                let hex = text.get(i + 2..i + 2 + digits).unwrap_or_default();
                if hex.len() != digits || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                    return fail("a malformed escape in a double-quoted scalar");
                }
                let c = u32::from_str_radix(hex, 16).ok().and_then(char::from_u32);
                let Some(c) = c else {
                    return fail("an escape of an invalid code point");
                };
                s.push(c);
                i += 2 + digits;
            }
            copied = i;
            continue;
        }
        i += 1;
    }
}

/// A one-line flow mapping of scalar pairs or flow sequence of scalars at the start of
/// `text`, and what follows it.
fn flow(text: &str, line: u32) -> Result<(Node<'_>, &str), Unsupported> {
    let fail = |reason| Err(Unsupported { line, reason });
    let map = text.starts_with('{');
    let close = if map { '}' } else { ']' };
    let mut rest = text.get(1..).unwrap_or_default().trim_start_matches(' ');
    let mut entries = Vec::new();
    let mut items = Vec::new();
    if let Some(after) = rest.strip_prefix(close) {
        let node = if map {
            Node::Map(entries)
        } else {
            Node::Seq(items)
        };
        return Ok((node, after));
    }
    loop {
        let (first, after) = flow_scalar(rest, line)?;
        rest = after;
        if map {
            let Node::Str(key) = first else {
                return fail("a flow mapping key that is not a string");
            };
            let Some(after) = rest.strip_prefix(": ") else {
                return fail("a flow mapping entry that is not `key: value`");
            };
            let (value, after) = flow_scalar(after.trim_start_matches(' '), line)?;
            if value.is_null() {
                return fail("a flow mapping entry without a value");
            }
            entries.push(Entry {
                key: Node::Str(key),
                value,
                line,
            });
            rest = after;
        } else {
            items.push(first);
        }
        if let Some(after) = rest.strip_prefix(close) {
            let node = if map {
                unique_keys(&entries)?;
                Node::Map(entries)
            } else {
                Node::Seq(items)
            };
            return Ok((node, after));
        }
        let Some(after) = rest.strip_prefix(',') else {
            return fail("a flow collection not closed on its line");
        };
        rest = after.trim_start_matches(' ');
    }
}

/// A scalar inside a flow collection, and what follows it (leading spaces removed).
fn flow_scalar(text: &str, line: u32) -> Result<(Node<'_>, &str), Unsupported> {
    let fail = |reason| Err(Unsupported { line, reason });
    if matches!(text.as_bytes().first(), Some(b'\'' | b'"')) {
        let (s, after) = quoted(text, line)?;
        return Ok((Node::Str(s), after.trim_start_matches(' ')));
    }
    plain_start(text, line)?;
    let bytes = text.as_bytes();
    let mut end = bytes.len();
    let mut from = 0;
    while let Some(i) = find(bytes, from, FLOW_STOPS) {
        from = i + 1;
        let Some(&b) = bytes.get(i) else { break };
        match b {
            b',' | b']' | b'}' => {
                end = i;
                break;
            }
            b'[' | b'{' => return fail("a nested flow collection"),
            b':' => match bytes.get(i + 1) {
                Some(b' ') => {
                    end = i;
                    break;
                }
                Some(b',' | b'?' | b'[' | b']' | b'{' | b'}') | None => {
                    return fail("a `:` libyaml refuses in a flow scalar")
                }
                Some(_) => {}
            },
            b'#' if bytes.get(i.wrapping_sub(1)) == Some(&b' ') => {
                return fail("a comment inside a flow collection")
            }
            _ => {}
        }
    }
    let s = text.get(..end).unwrap_or_default().trim_end_matches(' ');
    Ok((plain(s, line)?, text.get(end..).unwrap_or_default()))
}

#[cfg(test)]
mod tests;
