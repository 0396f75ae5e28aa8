//! RubyGems versions, ordered as `Gem::Version#<=>` does.
//!
//! A version is digits and letters separated by dots (`-` stands for `.pre.`). It is cut into
//! segments: runs of digits (numbers) and runs of letters (strings). A version with a string
//! segment is a pre-release. Trailing zeros are dropped from the numeric part before the first
//! string and from the part after it (`1.0 == 1`, `1.0.a == 1.a`). Segments then compare in
//! order, a missing one counting as 0: numbers as numbers, strings as text (case-sensitive), and
//! a string below a number, so `1.0.a < 1.0 < 1.0.1`.

use crate::{Scheme, VersionError};
use std::cmp::Ordering;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    /// Digits without leading zeros ("" is 0).
    Number(Box<str>),
    Text(Box<str>),
}

/// A parsed RubyGems version, as its canonical segments.
#[derive(Debug, Clone)]
pub(crate) struct GemVersion {
    segments: Vec<Segment>,
}

impl GemVersion {
    pub(crate) fn parse(text: &str) -> Result<GemVersion, VersionError> {
        check_pattern(text)
            .map_err(|reason| VersionError::invalid(Scheme::RubyGems, text, reason))?;
        let replaced = text.replace('-', ".pre.");
        let mut segments = Vec::new();
        let bytes = replaced.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            let start = i;
            if bytes[i].is_ascii_digit() {
                while i < bytes.len() && bytes[i].is_ascii_digit() {
                    i += 1;
                }
                segments.push(Segment::Number(
                    replaced[start..i].trim_start_matches('0').into(),
                ));
            } else if bytes[i].is_ascii_alphabetic() {
                while i < bytes.len() && bytes[i].is_ascii_alphabetic() {
                    i += 1;
                }
                segments.push(Segment::Text(replaced[start..i].into()));
            } else {
                i += 1;
            }
        }
        // Canonical segments: drop trailing zeros of the release part and of the pre-release part.
        let first_text = segments
            .iter()
            .position(|s| matches!(s, Segment::Text(_)))
            .unwrap_or(segments.len());
        let mut pre = segments.split_off(first_text);
        let is_zero = |s: &Segment| matches!(s, Segment::Number(d) if d.is_empty());
        while segments.last().is_some_and(is_zero) {
            segments.pop();
        }
        while pre.last().is_some_and(is_zero) {
            pre.pop();
        }
        segments.append(&mut pre);
        Ok(GemVersion { segments })
    }

    fn order(&self, other: &GemVersion) -> Ordering {
        let zero = Segment::Number("".into());
        let len = self.segments.len().max(other.segments.len());
        for i in 0..len {
            let a = self.segments.get(i).unwrap_or(&zero);
            let b = other.segments.get(i).unwrap_or(&zero);
            let ord = match (a, b) {
                (Segment::Number(x), Segment::Number(y)) => {
                    x.len().cmp(&y.len()).then_with(|| x.cmp(y))
                }
                (Segment::Text(_), Segment::Number(_)) => Ordering::Less,
                (Segment::Number(_), Segment::Text(_)) => Ordering::Greater,
                (Segment::Text(x), Segment::Text(y)) => x.cmp(y),
            };
            if ord != Ordering::Equal {
                return ord;
            }
        }
        Ordering::Equal
    }
}

order_by!(GemVersion);

/// `Gem::Version`'s pattern: `[0-9]+(\.[0-9a-zA-Z]+)*(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?`.
fn check_pattern(text: &str) -> Result<(), &'static str> {
    let (release, pre) = match text.split_once('-') {
        Some((release, pre)) => (release, Some(pre)),
        None => (text, None),
    };
    let mut parts = release.split('.');
    let first = parts.next().unwrap_or("");
    if first.is_empty() || !first.bytes().all(|b| b.is_ascii_digit()) {
        return Err("a RubyGems version starts with a number");
    }
    for part in parts {
        if part.is_empty() || !part.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err("each `.`-separated part must be letters and digits");
        }
    }
    if let Some(pre) = pre {
        for part in pre.split('.') {
            if part.is_empty() || !part.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
                return Err("the part after `-` must be letters, digits and `-`, separated by `.`");
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::{compare, Scheme, Version};
    use std::cmp::Ordering::{self, Equal, Greater, Less};
    use test_case::test_case;

    // RubyGems' test_gem_version.rb expectations and the RubyGems guides' "Patterns" page.
    #[test_case("1.0.a", "1.0", Less; "a string segment is a pre-release")]
    #[test_case("1.0.a", "1.0.b", Less; "pre-release letters")]
    #[test_case("1.0.a10", "1.0.a9", Greater; "number after letters")]
    #[test_case("1.0.rc1", "1.0", Less; "rc below release")]
    #[test_case("1.0.beta", "1.0.rc", Less; "beta below rc by text")]
    #[test_case("1.0", "1.0.0", Equal; "trailing zeros")]
    #[test_case("1.0.a", "1.a", Equal; "canonical segments drop zeros before the string")]
    #[test_case("1.0.0.a.0", "1.a", Equal; "and trailing zeros after it")]
    #[test_case("1.9.3", "1.10.0", Less; "numbers not text")]
    #[test_case("1.0.0-rc1", "1.0.0.pre.rc1", Equal; "dash is .pre.")]
    #[test_case("1.0.0-rc1", "1.0.0", Less; "the issue's example")]
    #[test_case("0.9.9", "1.0.a", Less; "pre-release above the previous release")]
    #[test_case("5.a", "5.0.0.rc2", Less; "gem_version tests: 5.a < 5.0.0.rc2")]
    #[test_case("1.8.2.a", "1.8.2", Less; "gem_version tests: prerelease")]
    #[test_case("01.2", "1.2", Equal; "leading zeros")]
    #[test_case("1.0.A", "1.0.a", Less; "text compares by bytes")]
    fn rubygems_orders(a: &str, b: &str, expected: Ordering) {
        assert_eq!(compare(Scheme::RubyGems, a, b), Some(expected));
        assert_eq!(compare(Scheme::RubyGems, b, a), Some(expected.reverse()));
    }

    #[test_case("junk"; "no number")]
    #[test_case("1.0\n1.0"; "newline")]
    #[test_case("1..0"; "empty part")]
    #[test_case("1.0-"; "empty pre-release")]
    #[test_case("1.0_1"; "underscore")]
    #[test_case("v1.0"; "leading v")]
    fn rubygems_rejects(text: &str) {
        assert!(Version::parse(Scheme::RubyGems, text).is_err(), "{text}");
    }

    #[test]
    fn greater_example() {
        assert_eq!(compare(Scheme::RubyGems, "2.0", "2.0.b"), Some(Greater));
    }
}
