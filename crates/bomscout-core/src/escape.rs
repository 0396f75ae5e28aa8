//! Escaping for text that came from scanned files and is shown to a person.
//!
//! Names, versions, license strings and file names are all untrusted: a hostile lockfile
//! can hold terminal escape sequences, newlines that forge a diagnostic line, or Markdown
//! that becomes an image in a pull-request comment. Every writer that shows such text
//! goes through one of these functions, so the rule lives in one place.

use std::borrow::Cow;
use std::fmt::Write;

/// `s` with every control character (ESC, CR, LF, DEL, C1 controls, ...) written as a
/// visible escape (`\x1b`, `\n`, `\u{9b}`), so it can neither drive a terminal nor start
/// a new line. Text without control characters is returned as it is.
pub fn printable(s: &str) -> Cow<'_, str> {
    if !s.chars().any(char::is_control) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        push_printable(&mut out, c);
    }
    Cow::Owned(out)
}

fn push_printable(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c if (c as u32) < 0x80 && c.is_control() => {
            let _ = write!(out, "\\x{:02x}", c as u32);
        }
        c if c.is_control() => {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        }
        c => out.push(c),
    }
}

/// A short, printable quotation of untrusted input for a diagnostic: control characters
/// escaped, at most `max_chars` characters of the input (the cut marked with `…`), in
/// double quotes. Diagnostics quote input this way so that a log never carries more
/// than a few dozen characters of any file.
pub fn quote(s: &str, max_chars: usize) -> String {
    let mut out = String::with_capacity(max_chars.min(s.len()) + 4);
    out.push('"');
    let mut chars = s.chars();
    for c in chars.by_ref().take(max_chars) {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c => push_printable(&mut out, c),
        }
    }
    if chars.next().is_some() {
        out.push('…');
    }
    out.push('"');
    out
}

/// How many characters of input a diagnostic quotes by default.
pub const QUOTE_LIMIT: usize = 40;

/// Text for a Markdown paragraph or table cell: markup and HTML characters escaped, line
/// breaks turned into spaces (a `\r` or `\n` would end a table row), control characters
/// made visible. `![x](http://…)` cannot become an image, `<img …>` cannot become HTML.
pub fn markdown(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' | '~' | '!' | '&' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            c => push_printable(&mut out, c),
        }
    }
    out
}

/// One CSV field (RFC 4180): quoted when it holds a comma, quote or line break. Text that
/// a spreadsheet would read as a formula (it starts with `=`, `+`, `-`, `@`, a tab or a
/// carriage return) gets a leading `'`, as OWASP advises against CSV injection: a license
/// string such as `=cmd|' /C calc'!A0` must stay text.
pub fn csv_field(s: &str) -> Cow<'_, str> {
    let s: Cow<'_, str> = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{s}"))
    } else {
        Cow::Borrowed(s)
    };
    if s.contains([',', '"', '\n', '\r']) {
        Cow::Owned(format!("\"{}\"", s.replace('"', "\"\"")))
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_made_visible() {
        assert_eq!(printable("plain"), Cow::Borrowed("plain"));
        assert_eq!(printable("a\x1b]8;;x\x07b"), "a\\x1b]8;;x\\x07b");
        assert_eq!(printable("x\nerror: fake"), "x\\nerror: fake");
        assert_eq!(printable("\u{9b}31m"), "\\u{9b}31m");
    }

    #[test]
    fn quotes_are_bounded_and_escaped() {
        assert_eq!(quote("abc", 5), "\"abc\"");
        assert_eq!(quote("abcdef", 3), "\"abc…\"");
        assert_eq!(quote("a\"b\\\n", 10), "\"a\\\"b\\\\\\n\"");
        let long = "aws_access_key_id = AKIA".repeat(100);
        assert!(quote(&long, QUOTE_LIMIT).chars().count() <= QUOTE_LIMIT + 3);
    }

    #[test]
    fn csv_fields_cannot_become_formulas() {
        assert_eq!(csv_field("MIT"), "MIT");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=cmd|' /C calc'!A0"), "'=cmd|' /C calc'!A0");
        assert_eq!(csv_field("+SUM(A1)"), "'+SUM(A1)");
        assert_eq!(csv_field("@HYPERLINK(x)"), "'@HYPERLINK(x)");
        assert_eq!(csv_field("-1+2"), "'-1+2");
        assert_eq!(csv_field("\r=1"), "\"'\r=1\"");
    }

    #[test]
    fn markdown_cannot_carry_markup() {
        assert_eq!(
            markdown("![x](http://e/p.png)"),
            "\\!\\[x\\](http://e/p.png)"
        );
        assert_eq!(markdown("<img src=x>"), "\\<img src=x\\>");
        assert_eq!(markdown("a|b\r\nc"), "a\\|b  c");
    }
}
