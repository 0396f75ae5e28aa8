//! A one-pass reader for the machine-written TOML of `uv.lock` and `Cargo.lock`, beside the
//! toml crate (which stays the fallback and, in the tests, the oracle).
//!
//! Both files are written by a tool, one `key = value` per line, so most of what the toml
//! crate does for them (a document tree of every value, each string decoded into its own
//! allocation, then deserialized) is work for values nobody reads: uv's wheel lines, one
//! inline table per platform, are most of a `uv.lock`. This reader walks the text once,
//! hands each `key = value` to the format's [`Sink`] with the value still unread, and the
//! sink takes what it uses as `&str` slices of the input and checks the rest without
//! keeping it.
//!
//! Supported, which is what uv and cargo write and a little more:
//! - `[[package]]` headers (the one array of tables), `[a]`, `[a.b]` and `[a.b.c]` headers
//!   whose parent is the table just defined (`[package.metadata]` then
//!   `[package.metadata.requires-dev]`), bare or quoted segments, spaces around them;
//! - `key = value` lines, bare or quoted keys (no dotted keys), indented or not;
//! - values: single-line basic strings without escapes (a skipped value may have the simple
//!   escapes `\" \\ \b \t \n \f \r`) and literal strings, decimal integers, booleans,
//!   arrays (over several lines, trailing comma allowed, no comments inside) and one-line
//!   inline tables (no trailing comma), nested at most [`MAX_VALUE_DEPTH`] deep;
//! - whole-line comments and comments after a value or header; `\n` or `\r\n` line ends.
//!
//! Anything else (multi-line strings, escapes in a used value, dotted keys, floats and
//! dates, comments inside arrays, a control character, a header out of the order above)
//! is [`Unsupported`]: the caller parses the file with the toml crate exactly as before,
//! which also gives the error message for a broken file. Duplicate keys and tables are
//! detected (the toml crate refuses them; so must this reader, or it would accept a file
//! that the fallback rejects). Whatever this reader accepts is valid TOML meaning the same
//! as the fallback reads it; the oracle tests check that on every real lockfile of the
//! repository and on thousands of mutations of them.
//!
//! Limits hold by construction: nothing recurses deeper than [`MAX_VALUE_DEPTH`] plus a
//! header's three segments, far under [`crate::nesting::MAX_DEPTH`], so the fast path needs
//! no nesting pre-scan (the fallback still runs it); memory is the sink's structs, which
//! borrow from the text.

use serde::{Deserialize, Deserializer};
use std::borrow::Cow;
use std::collections::HashSet;

/// The text is outside the shape this reader handles; parse it with the toml crate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Unsupported;

/// A result of the fast path.
pub(crate) type Fast<T> = Result<T, Unsupported>;

/// How deep values may nest (an array of inline tables holding an array is 3).
pub(crate) const MAX_VALUE_DEPTH: usize = 4;

/// Most keys an inline table may have here (uv's have at most six).
const MAX_INLINE_KEYS: usize = 16;

/// A value of a table that lockfiles fill with strings (a uv `source`, Cargo's v1
/// `[metadata]`): a string, borrowed on the fast path, or whatever else the toml crate read.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value<'a> {
    /// A string.
    Str(Cow<'a, str>),
    /// Any other value (only the toml crate's path makes these).
    Other(toml::Value),
}

impl Value<'_> {
    /// The string, if it is one.
    pub(crate) fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            Value::Other(_) => None,
        }
    }
}

impl<'de> Deserialize<'de> for Value<'_> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(match toml::Value::deserialize(d)? {
            toml::Value::String(s) => Value::Str(Cow::Owned(s)),
            other => Value::Other(other),
        })
    }
}

/// What a format does with the document: told of each element and table, and given each
/// key with its value still unread (it must read it, with a typed reader or
/// [`Reader::skip_value`]).
pub(crate) trait Sink<'a> {
    /// A `[[package]]` header: a new element.
    fn element(&mut self) -> Fast<()>;
    /// A `[…]` header; `path` is its segments (`["package", "metadata"]` is a sub-table
    /// of the current element).
    fn table(&mut self, path: &[&'a str]) -> Fast<()>;
    /// `key = …` in the table at `path` (empty: the root; `["package"]`: the current
    /// element).
    fn key(&mut self, path: &[&'a str], key: &'a str, r: &mut Reader<'a>) -> Fast<()>;
}

/// The keys of one table, to refuse a duplicate as the toml crate does.
#[derive(Default)]
struct Keys<'a> {
    small: Vec<&'a str>,
    big: Option<HashSet<&'a str>>,
}

impl<'a> Keys<'a> {
    fn insert(&mut self, key: &'a str) -> Fast<()> {
        if let Some(big) = &mut self.big {
            return if big.insert(key) {
                Ok(())
            } else {
                Err(Unsupported)
            };
        }
        if self.small.contains(&key) {
            return Err(Unsupported);
        }
        self.small.push(key);
        if self.small.len() > 32 {
            self.big = Some(self.small.drain(..).collect());
        }
        Ok(())
    }

    fn contains(&self, key: &str) -> bool {
        match &self.big {
            Some(big) => big.contains(key),
            None => self.small.contains(&key),
        }
    }

    fn clear(&mut self) {
        self.small.clear();
        self.big = None;
    }
}

/// Reads `text` as a document of `[[element]]` tables, giving each header and key to
/// `sink`.
pub(crate) fn read<'a>(text: &'a str, element: &str, sink: &mut impl Sink<'a>) -> Fast<()> {
    let mut r = Reader { text, pos: 0 };
    let mut root = Keys::default();
    let mut tops: HashSet<&'a str> = HashSet::new();
    // The current table's path, and the keys of each of its prefixes.
    let mut path: [&'a str; 3] = [""; 3];
    let mut depth = 0usize;
    let mut keys: [Keys<'a>; 3] = Default::default();
    loop {
        r.skip_blanks();
        match r.peek() {
            None => return Ok(()),
            Some(b'\n' | b'\r' | b'#') => r.end_of_line()?,
            Some(b'[') => {
                if r.rest().starts_with(b"[[") {
                    r.pos += 2;
                    r.skip_blanks();
                    let name = r.key()?;
                    r.skip_blanks();
                    if !r.rest().starts_with(b"]]") || name != element || root.contains(name) {
                        return Err(Unsupported);
                    }
                    r.pos += 2;
                    path[0] = name;
                    depth = 1;
                    keys[0].clear();
                    sink.element()?;
                } else {
                    r.pos += 1;
                    let mut segments: [&'a str; 3] = [""; 3];
                    let mut n = 0;
                    loop {
                        r.skip_blanks();
                        let segment = r.key()?;
                        *segments.get_mut(n).ok_or(Unsupported)? = segment;
                        n += 1;
                        r.skip_blanks();
                        if r.eat(b'.') {
                            continue;
                        }
                        r.expect(b']')?;
                        break;
                    }
                    if n == 1 {
                        let name = segments[0];
                        if name == element || root.contains(name) || !tops.insert(name) {
                            return Err(Unsupported);
                        }
                    } else {
                        // A sub-table of the table just defined (or of its parent): the
                        // parent must be on the current path, and the name new in it.
                        if depth < n - 1 || path[..n - 1] != segments[..n - 1] {
                            return Err(Unsupported);
                        }
                        keys[n - 2].insert(segments[n - 1])?;
                    }
                    path[n - 1] = segments[n - 1];
                    depth = n;
                    keys[n - 1].clear();
                    sink.table(&path[..depth])?;
                }
                r.end_of_line()?;
            }
            Some(_) => {
                let key = r.key()?;
                r.skip_blanks();
                r.expect(b'=')?;
                r.skip_blanks();
                match depth.checked_sub(1) {
                    None => root.insert(key)?,
                    Some(i) => keys[i].insert(key)?,
                }
                sink.key(&path[..depth], key, &mut r)?;
                r.end_of_line()?;
            }
        }
    }
}

/// A position in the text; the typed readers move it past one value.
pub(crate) struct Reader<'a> {
    text: &'a str,
    pos: usize,
}

/// A byte that may not appear raw in a string or comment: a control character other than tab.
fn is_control(b: u8) -> bool {
    (b < 0x20 && b != b'\t') || b == 0x7f
}

impl<'a> Reader<'a> {
    fn rest(&self) -> &'a [u8] {
        self.text.as_bytes().get(self.pos..).unwrap_or_default()
    }

    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    fn eat(&mut self, b: u8) -> bool {
        let hit = self.peek() == Some(b);
        if hit {
            self.pos += 1;
        }
        hit
    }

    fn expect(&mut self, b: u8) -> Fast<()> {
        if self.eat(b) {
            Ok(())
        } else {
            Err(Unsupported)
        }
    }

    fn skip_blanks(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.pos += 1;
        }
    }

    /// Blanks, an optional comment, then the end of the line (or of the text).
    fn end_of_line(&mut self) -> Fast<()> {
        self.skip_blanks();
        if self.eat(b'#') {
            let len = self
                .rest()
                .iter()
                .position(|&b| is_control(b))
                .unwrap_or(self.rest().len());
            self.pos += len;
        }
        match self.peek() {
            None => Ok(()),
            Some(b'\n') => {
                self.pos += 1;
                Ok(())
            }
            Some(b'\r') if self.rest().get(1) == Some(&b'\n') => {
                self.pos += 2;
                Ok(())
            }
            Some(_) => Err(Unsupported),
        }
    }

    /// Blanks and line ends between the values of an array.
    fn skip_array_space(&mut self) -> Fast<()> {
        loop {
            match self.peek() {
                Some(b' ' | b'\t' | b'\n') => self.pos += 1,
                Some(b'\r') if self.rest().get(1) == Some(&b'\n') => self.pos += 2,
                Some(b'\r' | b'#') => return Err(Unsupported),
                _ => return Ok(()),
            }
        }
    }

    /// A key: bare (`A-Za-z0-9_-`) or a quoted string without escapes; its text.
    fn key(&mut self) -> Fast<&'a str> {
        match self.peek() {
            Some(b'"' | b'\'') => self.quoted(false),
            _ => {
                let len = self
                    .rest()
                    .iter()
                    .position(|&b| !(b.is_ascii_alphanumeric() || b == b'_' || b == b'-'))
                    .unwrap_or(self.rest().len());
                if len == 0 {
                    return Err(Unsupported);
                }
                let key = self.slice(self.pos, self.pos + len)?;
                self.pos += len;
                Ok(key)
            }
        }
    }

    fn slice(&self, start: usize, end: usize) -> Fast<&'a str> {
        self.text.get(start..end).ok_or(Unsupported)
    }

    /// A one-line basic or literal string; its raw text. Escapes (in basic strings) only
    /// when `escapes`, and then only the simple ones; the text is then not the value.
    fn quoted(&mut self, escapes: bool) -> Fast<&'a str> {
        let quote = self.peek().ok_or(Unsupported)?;
        let basic = quote == b'"';
        let start = self.pos + 1;
        // The common case first: up to the next quote (memchr), no escape nor control
        // character in between (a check without branches, which the compiler vectorizes).
        let rest = self.text.get(start..).ok_or(Unsupported)?;
        let len = rest.find(char::from(quote)).ok_or(Unsupported)?;
        let body = rest.as_bytes().get(..len).ok_or(Unsupported)?;
        let plain = !body.iter().fold(false, |bad, &b| {
            bad | ((b < 0x20) & (b != b'\t')) | (b == 0x7f) | (basic & (b == b'\\'))
        });
        if plain {
            // `""` followed by a quote opens a multi-line string.
            if len == 0 && rest.as_bytes().get(1) == Some(&quote) {
                return Err(Unsupported);
            }
            self.pos = start + len + 1;
            return self.slice(start, start + len);
        }
        let bytes = self.text.as_bytes();
        let mut i = start;
        loop {
            let b = *bytes.get(i).ok_or(Unsupported)?;
            if b == quote {
                break;
            }
            if is_control(b) {
                return Err(Unsupported);
            }
            if b == b'\\' && basic {
                if !escapes {
                    return Err(Unsupported);
                }
                match bytes.get(i + 1) {
                    Some(b'"' | b'\\' | b'b' | b't' | b'n' | b'f' | b'r') => i += 1,
                    _ => return Err(Unsupported),
                }
            }
            i += 1;
        }
        // `""` followed by a quote opens a multi-line string.
        if i == start && bytes.get(i + 1) == Some(&quote) {
            return Err(Unsupported);
        }
        self.pos = i + 1;
        self.slice(start, i)
    }

    /// A string value without escapes.
    pub(crate) fn string(&mut self) -> Fast<&'a str> {
        self.quoted(false)
    }

    /// [`Reader::string`], borrowed.
    pub(crate) fn cow(&mut self) -> Fast<Cow<'a, str>> {
        self.string().map(Cow::Borrowed)
    }

    /// An array; `each` reads one element.
    pub(crate) fn array(&mut self, mut each: impl FnMut(&mut Self) -> Fast<()>) -> Fast<()> {
        self.expect(b'[')?;
        loop {
            self.skip_array_space()?;
            if self.eat(b']') {
                return Ok(());
            }
            each(self)?;
            self.skip_array_space()?;
            if !self.eat(b',') {
                self.skip_array_space()?;
                return self.expect(b']');
            }
        }
    }

    /// An array of strings without escapes.
    pub(crate) fn strings(&mut self) -> Fast<Vec<Cow<'a, str>>> {
        let mut out = Vec::new();
        self.array(|r| {
            out.push(r.cow()?);
            Ok(())
        })?;
        Ok(out)
    }

    /// A one-line inline table; `each` reads the value of each key. Duplicate keys are
    /// refused.
    pub(crate) fn table(
        &mut self,
        mut each: impl FnMut(&mut Self, &'a str) -> Fast<()>,
    ) -> Fast<()> {
        self.expect(b'{')?;
        self.skip_blanks();
        if self.eat(b'}') {
            return Ok(());
        }
        let mut keys: [&str; MAX_INLINE_KEYS] = [""; MAX_INLINE_KEYS];
        let mut n = 0;
        loop {
            let key = self.key()?;
            if keys.get(..n).unwrap_or_default().contains(&key) {
                return Err(Unsupported);
            }
            *keys.get_mut(n).ok_or(Unsupported)? = key;
            n += 1;
            self.skip_blanks();
            self.expect(b'=')?;
            self.skip_blanks();
            each(self, key)?;
            self.skip_blanks();
            if self.eat(b'}') {
                return Ok(());
            }
            self.expect(b',')?;
            self.skip_blanks();
        }
    }

    /// An inline table of strings without escapes, sorted by key.
    pub(crate) fn string_table(
        &mut self,
    ) -> Fast<std::collections::BTreeMap<Cow<'a, str>, Value<'a>>> {
        let mut out = std::collections::BTreeMap::new();
        self.table(|r, key| {
            out.insert(Cow::Borrowed(key), Value::Str(r.cow()?));
            Ok(())
        })?;
        Ok(out)
    }

    /// Checks one value of any supported kind and moves past it.
    pub(crate) fn skip_value(&mut self) -> Fast<()> {
        self.skip(0)
    }

    fn skip(&mut self, depth: usize) -> Fast<()> {
        if depth >= MAX_VALUE_DEPTH {
            return Err(Unsupported);
        }
        match self.peek().ok_or(Unsupported)? {
            b'"' | b'\'' => self.quoted(true).map(drop),
            b'[' => self.array(|r| r.skip(depth + 1)),
            b'{' => self.table(|r, _| r.skip(depth + 1)),
            b'0' => {
                self.pos += 1;
                self.delimited()
            }
            b'1'..=b'9' => {
                let len = self
                    .rest()
                    .iter()
                    .position(|b| !b.is_ascii_digit())
                    .unwrap_or(self.rest().len());
                // Up to 18 digits: always inside an i64.
                if len > 18 {
                    return Err(Unsupported);
                }
                self.pos += len;
                self.delimited()
            }
            _ => {
                for word in [&b"true"[..], b"false"] {
                    if self.rest().starts_with(word) {
                        self.pos += word.len();
                        return self.delimited();
                    }
                }
                Err(Unsupported)
            }
        }
    }

    /// After a number or boolean: what may follow a value (else it was a float, a date,
    /// `0x…`, `1_000`, `trueish`, …).
    fn delimited(&self) -> Fast<()> {
        match self.peek() {
            None | Some(b' ' | b'\t' | b'\n' | b'\r' | b',' | b']' | b'}' | b'#') => Ok(()),
            Some(_) => Err(Unsupported),
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::test_rng::Rng;
    use std::path::{Path, PathBuf};

    /// Every file named `name` in the repository's fixtures, this crate's tests, the
    /// benchmark's lockfiles and the fuzz corpus (`…_name`), and at the root: the real
    /// lockfiles the oracle tests run on.
    pub(crate) fn repo_files(name: &str) -> Vec<PathBuf> {
        fn walk(dir: &Path, name: &str, out: &mut Vec<PathBuf>) {
            let Ok(entries) = std::fs::read_dir(dir) else {
                return;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                if path.is_dir() {
                    walk(&path, name, out);
                } else if path
                    .file_name()
                    .and_then(|f| f.to_str())
                    .is_some_and(|f| f == name || f.ends_with(&format!("_{name}")))
                {
                    out.push(path);
                }
            }
        }
        let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let mut out = Vec::new();
        for dir in [
            "fixtures",
            "crates/bomscout-catalog/tests",
            "bench/lockfiles",
            "fuzz/corpus",
        ] {
            walk(&repo.join(dir), name, &mut out);
        }
        if repo.join(name).is_file() {
            out.push(repo.join(name));
        }
        out.sort();
        out
    }

    /// `text` with one mutation of the kinds broken or hand-edited lockfiles have: a line
    /// deleted, duplicated (a duplicate key), re-indented or swapped; an escape, a comment,
    /// a dotted key, a multi-line string delimiter, a tab or a stray byte put in.
    pub(crate) fn mutate(text: &str, rng: &mut Rng) -> String {
        let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
        if lines.is_empty() {
            lines.push(String::new());
        }
        let i = rng.below(lines.len());
        // A char boundary of line `i`.
        let at = |line: &str, rng: &mut Rng| {
            let cuts: Vec<usize> = (0..=line.len())
                .filter(|&c| line.is_char_boundary(c))
                .collect();
            cuts[rng.below(cuts.len())]
        };
        match rng.below(14) {
            0 => {
                lines.remove(i);
            }
            1 => {
                let copy = lines[i].clone();
                lines.insert(i, copy);
            }
            2 => lines[i].insert_str(0, ["  ", "\t", " "][rng.below(3)]),
            3 => {
                let j = rng.below(lines.len());
                lines.swap(i, j);
            }
            4 => {
                let escapes = [
                    "\\n", "\\\"", "\\u0041", "\\\\", "\\t", "\\e", "\\x41", "\\q",
                ];
                let escape = escapes[rng.below(escapes.len())];
                match lines[i].find('"') {
                    Some(q) => lines[i].insert_str(q + 1, escape),
                    None => lines[i].push_str(escape),
                }
            }
            5 => lines[i].push_str(" # a comment"),
            6 => lines.insert(i, "# a comment line".into()),
            7 => {
                let c = at(&lines[i], rng);
                lines[i].insert(c, '#');
            }
            8 => match lines[i].find(" = ") {
                Some(eq) => lines[i].insert_str(eq, ".x"),
                None => lines.insert(i, "a.b = 1".into()),
            },
            9 => {
                let c = at(&lines[i], rng);
                lines[i].insert_str(c, ["'''", "\"\"\"", "''", "\"\""][rng.below(4)]);
            }
            10 => lines[i] = lines[i].replacen(' ', "\t", 1),
            11 => {
                let c = at(&lines[i], rng);
                let stray = [
                    "[", "]", "{", "}", ",", "=", "\"", "'", ".", "\0", "\r", "1", "x", "\u{7f}",
                ];
                lines[i].insert_str(c, stray[rng.below(stray.len())]);
            }
            12 => {
                let c = at(&lines[i], rng);
                let mut end = (c + 1 + rng.below(4)).min(lines[i].len());
                while !lines[i].is_char_boundary(end) {
                    end += 1;
                }
                lines[i].replace_range(c..end, "");
            }
            _ => lines[i] = lines[i].replace('"', "'"),
        }
        let mut out = lines.join(if rng.below(8) == 0 { "\r\n" } else { "\n" });
        out.push('\n');
        out
    }

    /// A real lockfile cut to about `max` bytes at a `[[package]]` header (mutating a
    /// megabyte file hundreds of times would take minutes in a debug build).
    pub(crate) fn head(text: &str, max: usize) -> &str {
        if text.len() <= max {
            return text;
        }
        let mut cut = max;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        let before = text.get(..cut).unwrap_or_default();
        match before.rfind("\n[[package]]") {
            Some(i) => text.get(..=i).unwrap_or(text),
            None => text,
        }
    }

    /// Mutates the head of every real lock named `name` `rounds` times (one or two
    /// mutations each, seeded) and hands each text to `agrees`, which reads it with the fast
    /// reader and, when that reads it, checks it against the toml crate and says `true`;
    /// `false` means the fast reader left it. Returns how many were read and how many left.
    pub(crate) fn mutation_rounds(
        name: &str,
        seed: u64,
        rounds: usize,
        mut agrees: impl FnMut(&str) -> bool,
    ) -> (usize, usize) {
        let mut rng = Rng::new(seed);
        let (mut read, mut left) = (0, 0);
        for file in repo_files(name) {
            let whole = std::fs::read_to_string(&file).unwrap();
            let text = head(&whole, 24_000);
            for _ in 0..rounds {
                let mut mutated = mutate(text, &mut rng);
                if rng.below(3) == 0 {
                    mutated = mutate(&mutated, &mut rng);
                }
                if agrees(&mutated) {
                    read += 1;
                } else {
                    left += 1;
                }
            }
        }
        (read, left)
    }

    /// A sink that records what it was told and skips every value.
    #[derive(Default)]
    struct Log(Vec<String>);

    impl<'a> Sink<'a> for Log {
        fn element(&mut self) -> Fast<()> {
            self.0.push("[[package]]".into());
            Ok(())
        }
        fn table(&mut self, path: &[&'a str]) -> Fast<()> {
            self.0.push(format!("[{}]", path.join(".")));
            Ok(())
        }
        fn key(&mut self, path: &[&'a str], key: &'a str, r: &mut Reader<'a>) -> Fast<()> {
            self.0.push(format!("{}:{key}", path.join(".")));
            r.skip_value()
        }
    }

    fn log(text: &str) -> Fast<Vec<String>> {
        let mut sink = Log::default();
        read(text, "package", &mut sink)?;
        Ok(sink.0)
    }

    /// What the reader accepts the toml crate accepts too.
    fn accepted(text: &str) -> bool {
        let ok = log(text).is_ok();
        if ok {
            if let Err(e) = text.parse::<toml::Table>() {
                panic!("accepted, but the toml crate says {e}: {text:?}");
            }
        }
        ok
    }

    #[test]
    fn the_shapes_uv_and_cargo_write_are_read() {
        let text = "# generated\nversion = 4\n\n[[package]]\nname = \"a\"\nwheels = [\n    { url = \"u\", hash = \"sha256:0\", size = 12, upload-time = \"2024\" },\n]\ndependencies = [\n \"b 1.0 (registry+x)\",\n]\n\n[package.metadata]\nrequires-dist = [{ name = \"b\", specifier = \">=1\" }]\n\n[package.metadata.requires-dev]\ndev = []\n\n[[package]]\nname = 'b' # a comment\n\n[metadata]\n\"checksum b 1.0 (registry+x)\" = \"abc\"\n";
        assert_eq!(
            log(text).unwrap(),
            [
                ":version",
                "[[package]]",
                "package:name",
                "package:wheels",
                "package:dependencies",
                "[package.metadata]",
                "package.metadata:requires-dist",
                "[package.metadata.requires-dev]",
                "package.metadata.requires-dev:dev",
                "[[package]]",
                "package:name",
                "[metadata]",
                "metadata:checksum b 1.0 (registry+x)",
            ]
        );
        assert!(accepted(text));
        assert!(accepted("a = 1\r\nb = [\r\n  \"x\",\r\n]\r\n"));
        assert!(accepted(
            "a = \"x\\\"y\\\\\"\nb = true\nc = [false, 0, [1, 'x']]\nd = {}\n"
        ));
        assert!(!accepted("[ a . b ]\n"), "parent never defined");
        assert!(accepted("[a]\n[ a . b ]\n"));
    }

    #[test]
    fn what_is_outside_the_shape_is_unsupported() {
        for text in [
            "a = \"\"\"x\"\"\"\n",
            "a = '''x'''\n",
            "a.b = 1\n",
            "a = 1.5\n",
            "a = 1979-05-27\n",
            "a = 0x1f\n",
            "a = 1_000\n",
            "a = 01\n",
            "a = inf\n",
            "a = \"\\u0041\"\n",
            "a = \"x\ty\x00\"\n",
            "a = [\n # c\n 1]\n",
            "a = { b = 1, }\n",
            "a = { b = 1,\n c = 2 }\n",
            "a = 1 x\n",
            "a = 1\na = 2\n",
            "a = { b = 1, b = 2 }\n",
            "[a]\n[a]\n",
            "a = 1\n[a]\n",
            "[a]\nb = 1\n[a.b]\n",
            "[a.b]\n",
            "[[a]]\n",
            "[package]\n",
            "package = 1\n[[package]]\n",
            "[[package]]\n[package.x.y.z]\n",
            "[a]\n[b]\n[a.c]\n",
            "\u{feff}a = 1\n",
            "a = 1\rb = 2\n",
            "a = 1 # \x01\n",
            "a = [[[[[1]]]]]\n",
            "a = \"unterminated\n",
            "a = [1, 2\n",
            "a = 'x",
        ] {
            assert_eq!(log(text), Err(Unsupported), "{text:?}");
        }
    }

    #[test]
    fn hostile_inputs_end_quickly() {
        // A 10 MB line, a deep inline table, NUL bytes: unsupported (the fallback reports
        // them), never a panic, in time linear in the size.
        let long = format!("a = \"{}\"\n", "x".repeat(10 << 20));
        assert!(accepted(&long));
        let long_key = format!("{} = 1\n", "k".repeat(10 << 20));
        assert!(accepted(&long_key));
        let deep = format!(
            "a = {}1{}\n",
            "{ b = ".repeat(100_000),
            " }".repeat(100_000)
        );
        assert_eq!(log(&deep), Err(Unsupported));
        let deep_arrays = format!("a = {}{}\n", "[".repeat(100_000), "]".repeat(100_000));
        assert_eq!(log(&deep_arrays), Err(Unsupported));
        assert_eq!(log("a = \"\0\"\n"), Err(Unsupported));
        assert_eq!(log("\0"), Err(Unsupported));
        let many_keys: String = (0..100_000).map(|i| format!("k{i} = {i}\n")).collect();
        assert!(accepted(&many_keys));
        let dup = format!("{many_keys}k5 = 1\n");
        assert_eq!(log(&dup), Err(Unsupported));
    }
}
