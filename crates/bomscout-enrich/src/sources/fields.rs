//! Small readers for fields every registry writes its own way: people (`Name <mail> (url)`,
//! `"Name" <mail>, Other <mail>`) and timestamps (RFC 3339 with `Z` or an offset, or a
//! bare date-time read as UTC). Shared by the registry sources.

use serde::{Deserialize, Deserializer};
use std::str::FromStr;

/// Deserializes an optional text field leniently: a string is kept, anything else (`null`,
/// `{}` written for null by some mirrors, a number) is `None` rather than a failure of the
/// whole answer. Use with `#[serde(default, deserialize_with = "fields::lenient")]`.
pub fn lenient<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match serde_json::Value::deserialize(d)? {
        serde_json::Value::String(s) => Some(s),
        _ => None,
    })
}

/// The longest supplier name kept (a longer one is clipped).
pub const MAX_NAME_LEN: usize = 200;

/// The name in one person field: `Isaac Z. Schlueter <i@izs.me> (http://blog.izs.me)`
/// gives `Isaac Z. Schlueter`, `"Ahmed R. TAHRI" <mail>` gives `Ahmed R. TAHRI`. `None`
/// when there is no name (empty, or only a mail address or URL).
pub fn person_name(raw: &str) -> Option<String> {
    let s = raw.trim();
    let s = s.split('<').next().unwrap_or(s);
    let s = s.split(" (").next().unwrap_or(s);
    let s = if s.starts_with('(') { "" } else { s };
    let s = s.trim().trim_matches('"').trim();
    if s.is_empty() || s.contains('@') || s.contains("://") {
        return None;
    }
    Some(clip(s))
}

/// The first named person of a comma-separated list of `Name <mail>` entries (PEP 621's
/// `author_email`): commas inside quotes or `<…>` do not separate.
pub fn first_person(raw: &str) -> Option<String> {
    split_people(raw).into_iter().find_map(person_name)
}

/// A free-text name field (an author or maintainer list, an organization): trimmed and
/// clipped, `None` when empty.
pub fn text_name(raw: &str) -> Option<String> {
    let s = raw.trim();
    if s.is_empty() {
        None
    } else {
        Some(clip(s))
    }
}

fn split_people(raw: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut quoted, mut angle, mut start) = (false, false, 0);
    for (i, c) in raw.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '<' if !quoted => angle = true,
            '>' if !quoted => angle = false,
            ',' if !quoted && !angle => {
                out.push(raw.get(start..i).unwrap_or(""));
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(raw.get(start..).unwrap_or(""));
    out
}

fn clip(s: &str) -> String {
    let s: String = s.chars().filter(|c| !c.is_control()).collect();
    match s.char_indices().nth(MAX_NAME_LEN) {
        Some((i, _)) => s.get(..i).unwrap_or(&s).trim_end().to_string(),
        None => s,
    }
}

/// The UTC day (`YYYY-MM-DD`) of a timestamp: `2026-05-14T19:25:26.443000Z`,
/// `2019-04-16T18:48:11.404457+00:00`, or a date-time without offset (read as UTC).
/// `None` when it is none of these.
pub fn day(raw: &str) -> Option<String> {
    let s = raw.trim();
    if s.is_empty() || s.len() > 64 {
        return None;
    }
    if let Ok(ts) = jiff::Timestamp::from_str(s) {
        return Some(jiff::tz::Offset::UTC.to_datetime(ts).date().to_string());
    }
    jiff::civil::DateTime::from_str(s)
        .ok()
        .map(|dt| dt.date().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn person_forms() {
        let cases = [
            (
                "Isaac Z. Schlueter <i@izs.me> (http://blog.izs.me/)",
                Some("Isaac Z. Schlueter"),
            ),
            (
                "The Babel Team (https://babel.dev/team)",
                Some("The Babel Team"),
            ),
            (
                "Dominic Tarr <dominic.tarr@gmail.com> (dominictarr.com)",
                Some("Dominic Tarr"),
            ),
            (
                "\"Ahmed R. TAHRI\" <tahri.ahmed@proton.me>",
                Some("Ahmed R. TAHRI"),
            ),
            ("Kris Zyp", Some("Kris Zyp")),
            ("me@kennethreitz.com", None),
            ("<a@b.c>", None),
            ("(https://example.com)", None),
            ("  ", None),
        ];
        for (raw, want) in cases {
            assert_eq!(person_name(raw).as_deref(), want, "{raw}");
        }
    }

    #[test]
    fn first_of_a_list() {
        assert_eq!(
            first_person("Ronny Pfannschmidt <opensource@ronnypfannschmidt.de>, Holger Krekel <holger.krekel@gmail.com>").as_deref(),
            Some("Ronny Pfannschmidt")
        );
        assert_eq!(
            first_person("\"Doe, Jane\" <j@d.example>, X <x@y.example>").as_deref(),
            Some("Doe, Jane")
        );
        assert_eq!(
            first_person("a@b.example, Named <n@b.example>").as_deref(),
            Some("Named")
        );
        assert_eq!(first_person(""), None);
    }

    #[test]
    fn names_are_clipped_and_cleaned() {
        let long = "x".repeat(500);
        assert_eq!(
            person_name(&long).map(|s| s.chars().count()),
            Some(MAX_NAME_LEN)
        );
        assert_eq!(text_name("a\u{7}b").as_deref(), Some("ab"));
    }

    #[test]
    fn days() {
        let cases = [
            ("2026-05-14T19:25:26.443000Z", Some("2026-05-14")),
            ("2019-04-16T18:48:11.404457+00:00", Some("2019-04-16")),
            ("2024-09-05T23:40:51-02:00", Some("2024-09-06")),
            ("2026-05-14T19:25:26", Some("2026-05-14")),
            ("yesterday", None),
            ("", None),
        ];
        for (raw, want) in cases {
            assert_eq!(day(raw).as_deref(), want, "{raw}");
        }
    }
}
