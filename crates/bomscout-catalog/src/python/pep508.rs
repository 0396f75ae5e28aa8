//! PEP 508 dependency specifiers: `name [extras] (specifier | @ url) ; marker`.
//!
//! Supported, as the PEP's grammar has it:
//! - names (`[A-Za-z0-9]`, inner `.`, `_`, `-`), kept as written (normalize with PEP 503
//!   where identity matters; `Purl::build` does it);
//! - extras `name[a, b]`;
//! - version specifiers, bare (`>=2, <3`) or in parentheses (`(>=2,<3)`), each clause an
//!   operator (`~=` `==` `!=` `<=` `>=` `<` `>` `===`) and a version; clauses are
//!   normalized to `op+version` joined by `,` with no spaces;
//! - direct references `name @ URL` (the URL ends at whitespace, as `;` may appear inside);
//! - markers after `;`, kept verbatim (trimmed): markers are environment-dependent and
//!   bomscout does not evaluate them.
//!
//! Not a full PEP 440 parser: a version is checked only for the characters PEP 440
//! versions (and `===` arbitrary strings) may hold, which is what a cataloger needs to
//! tell a pin from a range.

/// One parsed dependency specifier.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Requirement {
    /// The distribution name as written.
    pub name: String,
    /// Requested extras, in order written.
    pub extras: Vec<String>,
    /// Normalized version specifier (`>=2,<3`), empty when there is none.
    pub specifier: String,
    /// The direct reference URL of `name @ URL`.
    pub url: Option<String>,
    /// The environment marker after `;`, trimmed, not evaluated.
    pub marker: Option<String>,
}

impl Requirement {
    /// The exact version when the specifier is a single pin: `==1.2.3` (no wildcard) or
    /// `===1.2.3`. Anything else (ranges, `==1.*`, several clauses) is not a pin.
    pub fn pinned_version(&self) -> Option<&str> {
        if self.specifier.contains(',') {
            return None;
        }
        if let Some(v) = self.specifier.strip_prefix("===") {
            return Some(v);
        }
        let v = self.specifier.strip_prefix("==")?;
        (!v.contains('*')).then_some(v)
    }

    /// The specifier, or `*` for a bare name: what an unresolved component records as its
    /// declared requirement.
    pub fn requirement_or_any(&self) -> &str {
        if self.specifier.is_empty() {
            "*"
        } else {
            &self.specifier
        }
    }
}

/// PEP 503 name normalization (the model's own, so names compare the same everywhere).
pub use bomscout_core::pep503 as normalize_name;

/// Operators, longest first so that `===` is not read as `==` and `=`.
const OPERATORS: &[&str] = &["===", "~=", "==", "!=", "<=", ">=", "<", ">"];

/// Parses one PEP 508 dependency specifier.
///
/// The error says what was expected and where (byte offset), e.g.
/// `expected a version after "==" at 9`.
pub fn parse_requirement(s: &str) -> Result<Requirement, String> {
    let mut cur = Cursor { s, pos: 0 };
    cur.skip_ws();
    let name = cur.name()?;
    cur.skip_ws();
    let extras = if cur.peek() == Some('[') {
        cur.extras()?
    } else {
        Vec::new()
    };
    cur.skip_ws();
    let mut req = Requirement {
        name,
        extras,
        ..Requirement::default()
    };
    if cur.eat('@') {
        cur.skip_ws();
        let url = cur.take_while(|c| !c.is_whitespace());
        if url.is_empty() {
            return Err(format!("expected a URL after \"@\" at {}", cur.pos));
        }
        req.url = Some(url.to_string());
        let before_marker = cur.pos;
        cur.skip_ws();
        if !cur.at_end() && (cur.pos == before_marker || cur.peek() != Some(';')) {
            return Err(format!(
                "expected \";\" and a marker after the URL at {}",
                cur.pos
            ));
        }
    } else {
        req.specifier = cur.specifier()?;
    }
    cur.skip_ws();
    if cur.eat(';') {
        let marker = cur.rest().trim();
        if marker.is_empty() {
            return Err(format!("expected a marker after \";\" at {}", cur.pos));
        }
        req.marker = Some(marker.to_string());
    } else if !cur.at_end() {
        return Err(format!(
            "unexpected {:?} at {}",
            cur.rest().chars().next().unwrap_or(' '),
            cur.pos
        ));
    }
    Ok(req)
}

/// True for a character a PEP 508 name may contain.
fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')
}

/// True for a character a PEP 440 version (or a `===` arbitrary string) may contain.
fn is_version_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '*' | '+' | '!' | '-' | '_')
}

struct Cursor<'a> {
    s: &'a str,
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn rest(&self) -> &'a str {
        self.s.get(self.pos..).unwrap_or("")
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn at_end(&self) -> bool {
        self.rest().is_empty()
    }

    fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.pos += c.len_utf8();
            true
        } else {
            false
        }
    }

    fn eat_str(&mut self, prefix: &str) -> bool {
        if self.rest().starts_with(prefix) {
            self.pos += prefix.len();
            true
        } else {
            false
        }
    }

    fn take_while(&mut self, f: impl Fn(char) -> bool) -> &'a str {
        let rest = self.rest();
        let len = rest.find(|c: char| !f(c)).unwrap_or(rest.len());
        self.pos += len;
        rest.get(..len).unwrap_or("")
    }

    fn skip_ws(&mut self) {
        self.take_while(char::is_whitespace);
    }

    fn name(&mut self) -> Result<String, String> {
        let start = self.pos;
        let name = self.take_while(is_name_char);
        let ok = name.starts_with(|c: char| c.is_ascii_alphanumeric())
            && name.ends_with(|c: char| c.is_ascii_alphanumeric());
        if !ok {
            return Err(format!("expected a package name at {start}"));
        }
        Ok(name.to_string())
    }

    fn extras(&mut self) -> Result<Vec<String>, String> {
        self.eat('[');
        let mut extras = Vec::new();
        loop {
            self.skip_ws();
            if self.eat(']') {
                return Ok(extras);
            }
            if !extras.is_empty() && !self.eat(',') {
                return Err(format!("expected \",\" or \"]\" in extras at {}", self.pos));
            }
            self.skip_ws();
            extras.push(self.name()?);
        }
    }

    /// A specifier list, optionally in parentheses, up to `;` or the end.
    fn specifier(&mut self) -> Result<String, String> {
        let parens = self.eat('(');
        let mut clauses: Vec<String> = Vec::new();
        loop {
            self.skip_ws();
            match self.peek() {
                None | Some(';') if !parens => break,
                Some(')') if parens => {
                    self.pos += 1;
                    break;
                }
                None => return Err(format!("expected \")\" at {}", self.pos)),
                _ => {}
            }
            if !clauses.is_empty() && !self.eat(',') {
                return Err(format!("expected \",\" between clauses at {}", self.pos));
            }
            self.skip_ws();
            clauses.push(self.clause()?);
        }
        Ok(clauses.join(","))
    }

    fn clause(&mut self) -> Result<String, String> {
        let start = self.pos;
        let Some(op) = OPERATORS.iter().find(|op| self.eat_str(op)) else {
            return Err(format!(
                "expected a version operator (==, >=, ...) at {start}"
            ));
        };
        self.skip_ws();
        let version = if *op == "===" {
            self.take_while(|c| !c.is_whitespace() && !matches!(c, ',' | ';' | ')'))
        } else {
            self.take_while(is_version_char)
        };
        if version.is_empty() {
            return Err(format!("expected a version after {op:?} at {}", self.pos));
        }
        Ok(format!("{op}{version}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use test_case::test_case;

    fn req(
        name: &str,
        extras: &[&str],
        specifier: &str,
        url: Option<&str>,
        marker: Option<&str>,
    ) -> Requirement {
        Requirement {
            name: name.into(),
            extras: extras.iter().map(|e| e.to_string()).collect(),
            specifier: specifier.into(),
            url: url.map(str::to_string),
            marker: marker.map(str::to_string),
        }
    }

    #[test_case("requests", req("requests", &[], "", None, None); "bare name")]
    #[test_case("  requests  ", req("requests", &[], "", None, None); "surrounding whitespace")]
    #[test_case("requests==2.31.0", req("requests", &[], "==2.31.0", None, None); "pin")]
    #[test_case("requests == 2.31.0", req("requests", &[], "==2.31.0", None, None); "pin with spaces")]
    #[test_case("numpy===1.26.4", req("numpy", &[], "===1.26.4", None, None); "arbitrary equality")]
    #[test_case("Django>=4.2,<5.0", req("Django", &[], ">=4.2,<5.0", None, None); "range")]
    #[test_case("Django >= 4.2 , < 5.0", req("Django", &[], ">=4.2,<5.0", None, None); "range with spaces")]
    #[test_case("zope.interface (>=5,<7)", req("zope.interface", &[], ">=5,<7", None, None); "parenthesized")]
    #[test_case("gunicorn~=22.0", req("gunicorn", &[], "~=22.0", None, None); "compatible release")]
    #[test_case("foo!=1.0.*", req("foo", &[], "!=1.0.*", None, None); "wildcard exclusion")]
    #[test_case("foo==1.0+local.7", req("foo", &[], "==1.0+local.7", None, None); "local version")]
    #[test_case("foo==1!2.0.post1.dev3", req("foo", &[], "==1!2.0.post1.dev3", None, None); "epoch and suffixes")]
    #[test_case("requests[socks, security]==2.31", req("requests", &["socks", "security"], "==2.31", None, None); "extras")]
    #[test_case("requests[]", req("requests", &[], "", None, None); "empty extras")]
    #[test_case("PyYAML==6.0.1 ; python_version >= \"3.8\"", req("PyYAML", &[], "==6.0.1", None, Some("python_version >= \"3.8\"")); "marker")]
    #[test_case("pywin32;sys_platform=='win32'", req("pywin32", &[], "", None, Some("sys_platform=='win32'")); "marker without spaces")]
    #[test_case("six @ https://e.invalid/six-1.17.0-py3-none-any.whl", req("six", &[], "", Some("https://e.invalid/six-1.17.0-py3-none-any.whl"), None); "url")]
    #[test_case("six@https://e.invalid/x.whl ; os_name == 'nt'", req("six", &[], "", Some("https://e.invalid/x.whl"), Some("os_name == 'nt'")); "url and marker")]
    #[test_case("pip[x] @ git+https://e.invalid/pip.git@22.0#egg=pip", req("pip", &["x"], "", Some("git+https://e.invalid/pip.git@22.0#egg=pip"), None); "vcs url with extras")]
    #[test_case("foo @ https://e.invalid/x;y", req("foo", &[], "", Some("https://e.invalid/x;y"), None); "semicolon glued to url is part of it")]
    #[test_case("a.b_c-d>1", req("a.b_c-d", &[], ">1", None, None); "punctuated name")]
    fn parses(input: &str, expected: Requirement) {
        assert_eq!(parse_requirement(input), Ok(expected));
    }

    #[test_case(""; "empty")]
    #[test_case("==1.0"; "no name")]
    #[test_case("-foo"; "name starts with dash")]
    #[test_case("foo-"; "name ends with dash")]
    #[test_case("foo[bar"; "unclosed extras")]
    #[test_case("foo[bar baz]"; "extras without comma")]
    #[test_case("foo=1.0"; "single equals")]
    #[test_case("foo==";  "missing version")]
    #[test_case("foo (>=1"; "unclosed paren")]
    #[test_case("foo >=1 <2"; "missing comma")]
    #[test_case("foo @ "; "missing url")]
    #[test_case("foo==1.0;"; "empty marker")]
    #[test_case("foo bar"; "trailing garbage")]
    #[test_case("foo==1.0 extra"; "garbage after version")]
    #[test_case("f\u{f6}\u{f6}==1"; "non ascii name")]
    fn rejects(input: &str) {
        assert!(parse_requirement(input).is_err(), "{input:?} should fail");
    }

    #[test_case("==1.2.3", Some("1.2.3"); "double equals")]
    #[test_case("===1.2.3", Some("1.2.3"); "triple equals")]
    #[test_case("==1.2.*", None; "wildcard")]
    #[test_case(">=1.2", None; "lower bound")]
    #[test_case("==1.2,!=1.3", None; "two clauses")]
    #[test_case("", None; "none")]
    fn pins(specifier: &str, expected: Option<&str>) {
        let r = req("x", &[], specifier, None, None);
        assert_eq!(r.pinned_version(), expected);
    }

    #[test_case("Zope.Interface", "zope-interface"; "dots")]
    #[test_case("charset_normalizer", "charset-normalizer"; "underscore")]
    #[test_case("a--__..b", "a-b"; "runs collapse")]
    fn normalizes(name: &str, expected: &str) {
        assert_eq!(normalize_name(name), expected);
    }

    #[test]
    fn error_names_the_offset() {
        assert_eq!(
            parse_requirement("foo==").unwrap_err(),
            "expected a version after \"==\" at 5"
        );
    }

    #[test]
    fn hostile_input_does_not_hang_or_panic() {
        let long = format!("a{}", "[".repeat(100_000));
        assert!(parse_requirement(&long).is_err());
        let many = format!("a{}", ",>=1".repeat(10_000));
        assert!(parse_requirement(&many).is_err());
        let ok = format!("a>=1{}", ",<2".repeat(10_000));
        assert!(parse_requirement(&ok).is_ok());
    }
}
