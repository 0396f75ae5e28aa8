//! Erlang and Elixir term syntax, enough for `rebar.lock` and `mix.lock`: strings
//! (`"…"` with escapes, Erlang binaries `<<"…">>`), atoms (`:hex`, `:"quoted"`, Erlang
//! `pkg`, `'quoted'`), integers, lists, tuples, Elixir maps (`%{…}`) and keyword pairs
//! (`key: value`, `"key": value`). Nesting is bounded by [`MAX_DEPTH`]; nothing is
//! evaluated.

use crate::ParseError;

/// Deeper nesting than this is refused.
pub const MAX_DEPTH: usize = 64;

/// A term.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Term {
    /// A string or binary.
    Str(String),
    /// An atom.
    Atom(String),
    /// An integer (or any other number, as written).
    Num(String),
    /// `[…]`.
    List(Vec<Term>),
    /// `{…}`.
    Tuple(Vec<Term>),
    /// `%{k => v, k: v}` and keyword pairs, as pairs.
    Map(Vec<(Term, Term)>),
    /// One `key: value` pair inside a list.
    Pair(Box<Term>, Box<Term>),
}

impl Term {
    /// The text of a string or atom.
    pub fn text(&self) -> Option<&str> {
        match self {
            Term::Str(s) | Term::Atom(s) | Term::Num(s) => Some(s),
            _ => None,
        }
    }

    /// The elements of a list or tuple.
    pub fn items(&self) -> &[Term] {
        match self {
            Term::List(v) | Term::Tuple(v) => v,
            _ => &[],
        }
    }

    /// The value of keyword `key` in a keyword list (`[hex: :x, optional: false]`).
    pub fn keyword(&self, key: &str) -> Option<&Term> {
        self.items().iter().find_map(|t| match t {
            Term::Pair(k, v) if k.text() == Some(key) => Some(&**v),
            _ => None,
        })
    }
}

/// Reads terms one after another until the end of `text` (Erlang's `.` terminators are
/// skipped). Errors carry the line.
pub fn parse_all(text: &str) -> Result<Vec<Term>, ParseError> {
    let mut p = Parser { text, pos: 0 };
    let mut out = Vec::new();
    loop {
        p.skip();
        if p.peek() == Some('.') {
            p.pos += 1;
            continue;
        }
        if p.pos >= text.len() {
            return Ok(out);
        }
        out.push(p.term(0)?);
    }
}

struct Parser<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn rest(&self) -> &'a str {
        self.text.get(self.pos..).unwrap_or_default()
    }

    fn error(&self, message: &str) -> ParseError {
        ParseError::Format {
            line: Some(crate::text::line_of(self.text, self.pos)),
            message: message.to_string(),
        }
    }

    /// Skips whitespace and `%`/`#` comments (Erlang and Elixir).
    fn skip(&mut self) {
        loop {
            let rest = self.rest();
            let trimmed = rest.trim_start();
            self.pos += rest.len() - trimmed.len();
            let comment = (trimmed.starts_with('%') && !trimmed.starts_with("%{"))
                || trimmed.starts_with('#');
            if !comment {
                return;
            }
            self.pos += trimmed.find('\n').unwrap_or(trimmed.len());
        }
    }

    fn term(&mut self, depth: usize) -> Result<Term, ParseError> {
        if depth > MAX_DEPTH {
            return Err(self.error("nested too deeply"));
        }
        self.skip();
        let rest = self.rest();
        let t = if rest.starts_with("%{") {
            self.pos += 2;
            Term::Map(self.pairs(depth, '}')?)
        } else if rest.starts_with('{') {
            self.pos += 1;
            Term::Tuple(self.seq(depth, '}')?)
        } else if rest.starts_with('[') {
            self.pos += 1;
            Term::List(self.seq(depth, ']')?)
        } else if rest.starts_with("<<") {
            self.pos += 2;
            Term::Str(self.binary()?)
        } else if rest.starts_with('"') {
            Term::Str(self.string()?)
        } else if let Some(r) = rest.strip_prefix(':') {
            self.pos += 1;
            if r.starts_with('"') {
                Term::Atom(self.string()?)
            } else {
                Term::Atom(self.word())
            }
        } else if rest.starts_with('\'') {
            Term::Atom(self.quoted('\'')?)
        } else if rest.starts_with(|c: char| c.is_ascii_digit() || c == '-') {
            Term::Num(self.word())
        } else if rest.starts_with(|c: char| c.is_alphabetic() || c == '_') {
            Term::Atom(self.word())
        } else {
            return Err(self.error(&format!(
                "unexpected {:?}",
                rest.chars().next().unwrap_or(' ')
            )));
        };
        // `key: value` — a keyword pair (the key written as an atom word or a string).
        if self.rest().starts_with(": ") || self.rest().starts_with(":\n") {
            if let Term::Atom(_) | Term::Str(_) = t {
                self.pos += 1;
                let value = self.term(depth + 1)?;
                return Ok(Term::Pair(Box::new(t), Box::new(value)));
            }
        }
        Ok(t)
    }

    fn seq(&mut self, depth: usize, close: char) -> Result<Vec<Term>, ParseError> {
        let mut out = Vec::new();
        loop {
            self.skip();
            match self.peek() {
                Some(c) if c == close => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(',') => self.pos += 1,
                Some(_) => out.push(self.term(depth + 1)?),
                None => return Err(self.error(&format!("the file ends before `{close}`"))),
            }
        }
    }

    fn pairs(&mut self, depth: usize, close: char) -> Result<Vec<(Term, Term)>, ParseError> {
        let mut out = Vec::new();
        for t in self.seq(depth, close)? {
            match t {
                Term::Pair(k, v) => out.push((*k, *v)),
                other => out.push((other, Term::Atom("nil".into()))),
            }
        }
        Ok(out)
    }

    fn word(&mut self) -> String {
        let rest = self.rest();
        let end = rest
            .find(|c: char| {
                !(c.is_alphanumeric() || matches!(c, '_' | '.' | '@' | '?' | '!' | '-' | '+'))
            })
            .unwrap_or(rest.len());
        // A trailing `.` ends an Erlang term, it is not part of the word.
        let word = rest.get(..end).unwrap_or_default();
        let word = word.strip_suffix('.').unwrap_or(word);
        self.pos += word.len();
        word.to_string()
    }

    /// The segments of a binary after `<<`, up to and including `>>`: strings and byte
    /// values, each with an optional type (`<<"café"/utf8>>`, `<<"a",200>>`, `<<>>`), as
    /// text (bytes that are not UTF-8 are replaced).
    fn binary(&mut self) -> Result<String, ParseError> {
        let mut bytes = Vec::new();
        loop {
            self.skip();
            if self.rest().starts_with(">>") {
                self.pos += 2;
                return Ok(String::from_utf8_lossy(&bytes).into_owned());
            }
            match self.peek() {
                Some('"') => bytes.extend(self.string()?.into_bytes()),
                Some(c) if c.is_ascii_digit() => match self.word().parse::<u64>() {
                    // A segment keeps the low 8 bits, as in Erlang.
                    Ok(n) => bytes.push((n & 0xff) as u8),
                    Err(_) => return Err(self.error("a byte in a binary must be a number")),
                },
                _ => return Err(self.error("a binary must end with >>")),
            }
            self.skip();
            if self.peek() == Some('/') {
                self.pos += 1;
                self.skip();
                self.word();
                self.skip();
            }
            match self.peek() {
                Some(',') => self.pos += 1,
                _ if self.rest().starts_with(">>") => {}
                _ => return Err(self.error("a binary must end with >>")),
            }
        }
    }

    fn string(&mut self) -> Result<String, ParseError> {
        self.quoted('"')
    }

    fn quoted(&mut self, quote: char) -> Result<String, ParseError> {
        let start = self.pos;
        self.pos += 1;
        let mut out = String::new();
        let mut chars = self.rest().char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '\\' => match chars.next() {
                    Some((_, 'n')) => out.push('\n'),
                    Some((_, 't')) => out.push('\t'),
                    Some((_, e)) => out.push(e),
                    None => break,
                },
                c if c == quote => {
                    self.pos += i + 1;
                    return Ok(out);
                }
                c => out.push(c),
            }
        }
        self.pos = start;
        Err(self.error("unterminated string"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elixir_and_erlang_syntax() {
        let t = parse_all("%{\n  \"a\": {:hex, :a, \"1.0\", [:mix], [{:b, \"~> 1.0\", [hex: :b, repo: \"hexpm\", optional: false]}], \"hexpm\", \"ab\"},\n  \"c\": {:git, \"https://x/c.git\", \"abc\", [branch: \"main\"]},\n}\n").unwrap();
        let Term::Map(pairs) = &t[0] else { panic!() };
        assert_eq!(pairs[0].0, Term::Str("a".into()));
        let dep = &pairs[0].1.items()[4].items()[0];
        assert_eq!(
            dep.items()[2].keyword("optional"),
            Some(&Term::Atom("false".into()))
        );
        let t = parse_all("%% comment\n{\"1.2.0\",\n[{<<\"cf\">>,{pkg,<<\"cf\">>,<<\"0.3.1\">>},0}]}.\n[{pkg_hash,[{<<\"cf\">>, <<\"5C\">>}]}].\n").unwrap();
        assert_eq!(t.len(), 2);
        assert_eq!(
            t[0].items()[1].items()[0].items()[1].items()[2],
            Term::Str("0.3.1".into())
        );
        assert_eq!(
            parse_all(":\"quoted-atom\" 'erl' \"esc\\\"aped\"").unwrap(),
            [
                Term::Atom("quoted-atom".into()),
                Term::Atom("erl".into()),
                Term::Str("esc\"aped".into())
            ]
        );
    }

    #[test]
    fn binaries() {
        assert_eq!(
            parse_all(
                "{<<\"description\">>,<<\"caf\u{e9} \"/utf8>>}.\n<<>>. <<\"a\",98, 99 / integer>>."
            )
            .unwrap(),
            [
                Term::Tuple(vec![
                    Term::Str("description".into()),
                    Term::Str("caf\u{e9} ".into())
                ]),
                Term::Str(String::new()),
                Term::Str("abc".into())
            ]
        );
        assert!(parse_all("<<\"a\" \"b\">>").is_err());
        assert!(parse_all("<<\"a\"").is_err());
        assert!(parse_all("<<x>>").is_err());
    }

    #[test]
    fn hostile() {
        assert!(parse_all(&"[".repeat(1000)).is_err());
        assert_eq!(parse_all("%{\n\"a\": {\"x\n").unwrap_err().line(), Some(2));
        assert!(parse_all("{a, b").is_err());
        assert!(parse_all("$").is_err());
        assert!(parse_all("").unwrap().is_empty());
    }
}
