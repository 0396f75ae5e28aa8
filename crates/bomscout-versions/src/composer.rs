//! Composer (Packagist) versions, ordered as Composer does: `VersionParser::normalize` first
//! (`v1.2` becomes `1.2.0.0`, `1.0-b2` becomes `1.0.0.0-beta2`, `2.x-dev` becomes
//! `2.9999999.9999999.9999999-dev`), then PHP's `version_compare` on the normalized strings.
//!
//! `version_compare` cuts a string at `.`, `-`, `_`, `+` and digit/non-digit changes. Numbers
//! compare as numbers; words by their stability, `dev < alpha < beta < RC < (a number) < patch`
//! (matched by prefix, as PHP does: `a…` is alpha, `b…` beta, `p…` patch); unknown words sort
//! below `dev`. When one version runs out, the other is greater if its next part is a number,
//! else as its next word compares with a number (`1.0.0.0-beta < 1.0.0.0 < 1.0.0.0-patch1`).
//!
//! Branch names (`dev-main`) are not versions and are refused: Composer orders them only by
//! name, never against tagged releases.

use crate::{Scheme, VersionError};
use std::cmp::Ordering;

#[derive(Debug, Clone)]
enum Part {
    /// Digits without leading zeros.
    Number(Box<str>),
    /// A word's stability rank (see [`rank`]).
    Word(i8),
}

/// A parsed Composer version, as the parts of its normalized form.
#[derive(Debug, Clone)]
pub(crate) struct ComposerVersion {
    parts: Vec<Part>,
}

/// The rank of a number among words.
const NUMBER_RANK: i8 = 4;

/// PHP's special version forms, matched by prefix in this order.
fn rank(word: &str) -> i8 {
    const FORMS: [(&str, i8); 10] = [
        ("dev", 0),
        ("alpha", 1),
        ("a", 1),
        ("beta", 2),
        ("b", 2),
        ("RC", 3),
        ("rc", 3),
        ("#", NUMBER_RANK),
        ("pl", 5),
        ("p", 5),
    ];
    FORMS
        .iter()
        .find(|(form, _)| word.starts_with(form))
        .map_or(-1, |&(_, r)| r)
}

impl ComposerVersion {
    pub(crate) fn parse(text: &str) -> Result<ComposerVersion, VersionError> {
        let normalized = normalize(text)
            .map_err(|reason| VersionError::invalid(Scheme::Composer, text, reason))?;
        Ok(ComposerVersion {
            parts: split(&normalized),
        })
    }

    fn order(&self, other: &ComposerVersion) -> Ordering {
        let (a, b) = (&self.parts, &other.parts);
        for (x, y) in a.iter().zip(b) {
            let ord = compare_parts(x, y);
            if ord != Ordering::Equal {
                return ord;
            }
        }
        match (a.get(b.len()), b.get(a.len())) {
            (Some(rest), _) => leftover(rest),
            (_, Some(rest)) => leftover(rest).reverse(),
            (None, None) => Ordering::Equal,
        }
    }
}

order_by!(ComposerVersion);

/// How a version compares with a shorter one it extends, by its first extra part: a number
/// makes it greater, a word compares as PHP compares it with a number (`1.0.0.0-beta` is below
/// `1.0.0.0`, `1.0.0.0-patch1` above).
fn leftover(rest: &Part) -> Ordering {
    match rest {
        Part::Number(_) => Ordering::Greater,
        Part::Word(rank) => rank.cmp(&NUMBER_RANK),
    }
}

fn compare_parts(x: &Part, y: &Part) -> Ordering {
    match (x, y) {
        (Part::Number(m), Part::Number(n)) => m.len().cmp(&n.len()).then_with(|| m.cmp(n)),
        (Part::Number(_), Part::Word(r)) => NUMBER_RANK.cmp(r),
        (Part::Word(r), Part::Number(_)) => r.cmp(&NUMBER_RANK),
        (Part::Word(r), Part::Word(s)) => r.cmp(s),
    }
}

/// PHP's `version_compare` canonical parts of a (normalized) version.
fn split(normalized: &str) -> Vec<Part> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut flush = |current: &mut String| {
        if current.is_empty() {
            return;
        }
        let part = if current.bytes().all(|b| b.is_ascii_digit()) {
            Part::Number(current.trim_start_matches('0').into())
        } else {
            Part::Word(rank(current))
        };
        parts.push(part);
        current.clear();
    };
    let mut last_digit = None;
    for c in normalized.chars() {
        if !c.is_ascii_alphanumeric() {
            flush(&mut current);
            last_digit = None;
            continue;
        }
        let digit = c.is_ascii_digit();
        if last_digit.is_some_and(|d| d != digit) {
            flush(&mut current);
        }
        current.push(c);
        last_digit = Some(digit);
    }
    flush(&mut current);
    parts
}

/// Composer's `VersionParser::normalize` for versions (not constraints).
fn normalize(text: &str) -> Result<String, &'static str> {
    let mut version = text.trim();
    // `1.0 as 2.0`: an alias; the real version is the first.
    if let Some((real, _alias)) = version.split_once(" as ") {
        version = real.trim();
    }
    // A stability flag, `1.0@beta`.
    if let Some((v, flag)) = version.rsplit_once('@') {
        if STABILITIES.iter().any(|s| flag.eq_ignore_ascii_case(s)) {
            version = v;
        }
    }
    if matches!(version, "master" | "trunk" | "default")
        || version
            .get(..4)
            .is_some_and(|p| p.eq_ignore_ascii_case("dev-"))
    {
        return Err("a branch name, not a version: branches have no order against releases");
    }
    // Build metadata.
    if let Some((v, _)) = version.split_once('+') {
        version = v;
    }
    if let Some(normalized) = classical(version) {
        return Ok(normalized);
    }
    if let Some(branch) = strip_suffix_ignore_case(version, "dev") {
        let branch = branch.strip_suffix(['.', '-']).unwrap_or(branch);
        if let Some(normalized) = normalize_branch(branch) {
            return Ok(normalized);
        }
    }
    Err("not a Composer version (expected `1.2.3`, `v1.2.3-beta1`, `1.2.x-dev` or a date)")
}

const STABILITIES: [&str; 5] = ["stable", "RC", "beta", "alpha", "dev"];

fn strip_suffix_ignore_case<'a>(s: &'a str, suffix: &str) -> Option<&'a str> {
    let cut = s.len().checked_sub(suffix.len())?;
    let (head, tail) = (s.get(..cut)?, s.get(cut..)?);
    tail.eq_ignore_ascii_case(suffix).then_some(head)
}

/// A small cursor over ASCII text for the regular expressions Composer uses.
struct Cursor<'a> {
    s: &'a str,
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn digits(&mut self, max: usize) -> Option<&'a str> {
        let rest = self.s.get(self.pos..)?;
        let n = rest.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 || n > max {
            return None;
        }
        self.pos += n;
        rest.get(..n)
    }

    fn eat(&mut self, c: u8) -> bool {
        if self.s.as_bytes().get(self.pos) == Some(&c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn rest(&self) -> &'a str {
        self.s.get(self.pos..).unwrap_or("")
    }
}

/// `^v?(\d{1,5})(\.\d+)?(\.\d+)?(\.\d+)?MODIFIER$`, and the date form
/// `^v?(\d{4}(?:[.:-]?\d{2}){1,6}(?:[.:-]?\d{1,3}){0,2})MODIFIER$`.
fn classical(version: &str) -> Option<String> {
    let body = version.strip_prefix(['v', 'V']).unwrap_or(version);
    let mut c = Cursor { s: body, pos: 0 };
    let Some(first) = c.digits(5) else {
        return date(body);
    };
    let mut numbers = vec![first.to_string()];
    while numbers.len() < 4 {
        let save = c.pos;
        if c.eat(b'.') {
            if let Some(d) = c.digits(usize::MAX) {
                numbers.push(d.to_string());
                continue;
            }
        }
        c.pos = save;
        break;
    }
    if let Some(suffix) = modifier(c.rest()) {
        while numbers.len() < 4 {
            numbers.push("0".into());
        }
        return Some(numbers.join(".") + &suffix);
    }
    date(body)
}

fn date(body: &str) -> Option<String> {
    let bytes = body.as_bytes();
    // Find the longest prefix matching the date pattern that leaves a valid modifier.
    let n = bytes
        .iter()
        .take_while(|b| b.is_ascii_digit() || b".:-".contains(b))
        .count();
    for end in (4..=n).rev() {
        let head = body.get(..end)?;
        if is_date(head) {
            if let Some(suffix) = modifier(body.get(end..)?) {
                let dotted: String = head
                    .chars()
                    .map(|ch| if ch.is_ascii_digit() { ch } else { '.' })
                    .collect();
                return Some(dotted + &suffix);
            }
        }
    }
    None
}

/// `\d{4}(?:[.:-]?\d{2}){1,6}(?:[.:-]?\d{1,3}){0,2}`, tried with every split.
fn is_date(s: &str) -> bool {
    fn groups(rest: &[u8], twos: usize, threes: usize) -> bool {
        if rest.is_empty() {
            return (1..=6).contains(&twos);
        }
        let body = match rest[0] {
            b'.' | b':' | b'-' => &rest[1..],
            _ => rest,
        };
        if threes == 0
            && twos < 6
            && body.len() >= 2
            && body[..2].iter().all(u8::is_ascii_digit)
            && groups(&body[2..], twos + 1, 0)
        {
            return true;
        }
        if (1..=6).contains(&twos) && threes < 2 {
            for width in 1..=3 {
                if body.len() >= width
                    && body[..width].iter().all(u8::is_ascii_digit)
                    && groups(&body[width..], twos, threes + 1)
                {
                    return true;
                }
            }
        }
        false
    }
    let b = s.as_bytes();
    b.len() >= 4 && b[..4].iter().all(u8::is_ascii_digit) && groups(&b[4..], 0, 0)
}

/// `[._-]?(?:(stable|beta|b|RC|alpha|a|patch|pl|p)((?:[.-]?\d+)*+)?)?([.-]?dev)?$`
/// (case-insensitive), as the suffix Composer appends: `-beta2`, `-RC1-dev`, or nothing.
fn modifier(rest: &str) -> Option<String> {
    const WORDS: [&str; 9] = [
        "stable", "beta", "b", "RC", "alpha", "a", "patch", "pl", "p",
    ];
    let s = rest.strip_prefix(['.', '_', '-']).unwrap_or(rest);
    // No stability word: only an optional dev suffix.
    if let Some(dev) = dev_tail(rest).or_else(|| dev_tail(s)) {
        return Some(if dev { "-dev".into() } else { String::new() });
    }
    for word in WORDS {
        let Some(head) = s.get(..word.len()) else {
            continue;
        };
        if !head.eq_ignore_ascii_case(word) {
            continue;
        }
        // The stability's number, `(?:[.-]?\d+)*`, taken greedily.
        let bytes = s.as_bytes();
        let mut end = word.len();
        loop {
            let after_sep = if matches!(bytes.get(end), Some(b'.' | b'-')) {
                end + 1
            } else {
                end
            };
            let digits = bytes
                .get(after_sep..)
                .unwrap_or_default()
                .iter()
                .take_while(|b| b.is_ascii_digit())
                .count();
            if digits == 0 {
                break;
            }
            end = after_sep + digits;
        }
        let Some(dev) = dev_tail(s.get(end..).unwrap_or_default()) else {
            continue;
        };
        if head == "stable" {
            // Composer returns the plain version for `stable`, dropping any dev suffix.
            return Some(String::new());
        }
        let number = s.get(word.len()..end).unwrap_or_default();
        let mut out = format!(
            "-{}{}",
            expand_stability(head),
            number.trim_start_matches(['.', '-'])
        );
        if dev {
            out.push_str("-dev");
        }
        return Some(out);
    }
    None
}

/// `([.-]?dev)?$`: `Some(true)` for a dev suffix, `Some(false)` for nothing, `None` otherwise.
fn dev_tail(s: &str) -> Option<bool> {
    if s.is_empty() {
        return Some(false);
    }
    let s = s.strip_prefix(['.', '-']).unwrap_or(s);
    s.eq_ignore_ascii_case("dev").then_some(true)
}

fn expand_stability(word: &str) -> String {
    let lower = word.to_ascii_lowercase();
    match lower.as_str() {
        "a" => "alpha".into(),
        "b" => "beta".into(),
        "p" | "pl" => "patch".into(),
        "rc" => "RC".into(),
        _ => lower,
    }
}

/// `normalizeBranch`: `2.x`, `2.1.*`, `v3` become numbers with `9999999` for the wildcards.
fn normalize_branch(name: &str) -> Option<String> {
    let body = name.strip_prefix(['v', 'V']).unwrap_or(name);
    let mut parts: Vec<&str> = body.split('.').collect();
    if parts.is_empty() || parts.len() > 4 {
        return None;
    }
    let first_ok = parts
        .first()
        .is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    let rest_ok = parts[1..].iter().all(|p| {
        matches!(*p, "x" | "X" | "*") || (!p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
    });
    if !first_ok || !rest_ok {
        return None;
    }
    while parts.len() < 4 {
        parts.push("x");
    }
    let out: Vec<&str> = parts
        .into_iter()
        .map(|p| {
            if matches!(p, "x" | "X" | "*") {
                "9999999"
            } else {
                p
            }
        })
        .collect();
    Some(out.join(".") + "-dev")
}

#[cfg(test)]
mod tests {
    use super::normalize;
    use crate::{compare, Scheme, Version};
    use std::cmp::Ordering::{self, Equal, Greater, Less};
    use test_case::test_case;

    // Composer's VersionParserTest::successfulNormalizedVersions.
    #[test_case("1.0.0", "1.0.0.0"; "none")]
    #[test_case("1.2.3.4", "1.2.3.4"; "four numbers")]
    #[test_case("1.0.0RC1dev", "1.0.0.0-RC1-dev"; "parses state")]
    #[test_case("1.0.0-rC15-dev", "1.0.0.0-RC15-dev"; "CI parsing")]
    #[test_case("1.0.0.RC.15-dev", "1.0.0.0-RC15-dev"; "delimiters")]
    #[test_case("1.0.0-rc1", "1.0.0.0-RC1"; "RC uppercase")]
    #[test_case("1.0.0-pl3", "1.0.0.0-patch3"; "patch replace")]
    #[test_case("1.0.0.pl3-dev", "1.0.0.0-patch3-dev"; "patch with dev")]
    #[test_case("1.0.0-b2", "1.0.0.0-beta2"; "short beta")]
    #[test_case("v1.0.0", "1.0.0.0"; "forces w.x.y.z")]
    #[test_case("2010.01", "2010.01.0.0"; "classical beats date for short forms")]
    #[test_case("2010-01-02", "2010.01.02"; "date")]
    #[test_case("20100102-203040", "20100102.203040"; "date with time")]
    #[test_case("1.0.0-stable", "1.0.0.0"; "stable")]
    #[test_case("1.0.0+foo", "1.0.0.0"; "build metadata")]
    #[test_case("2.x-dev", "2.9999999.9999999.9999999-dev"; "branch")]
    #[test_case("1.0.0@beta", "1.0.0.0"; "stability flag")]
    #[test_case("1.0.0 as 2.0.0", "1.0.0.0"; "alias")]
    fn composer_normalizes(input: &str, expected: &str) {
        assert_eq!(normalize(input).as_deref(), Ok(expected));
    }

    #[test_case("1.0.0-dev", "1.0.0-alpha1", Less; "dev below alpha")]
    #[test_case("1.0.0-alpha1", "1.0.0-beta1", Less; "alpha below beta")]
    #[test_case("1.0.0-beta1", "1.0.0-RC1", Less; "beta below RC")]
    #[test_case("1.0.0-RC1", "1.0.0", Less; "RC below stable")]
    #[test_case("1.0.0", "1.0.0-patch1", Less; "patch above stable")]
    #[test_case("1.0.0-pl1", "1.0.0-p2", Less; "pl and p are patch")]
    #[test_case("1.0.0-beta2", "1.0.0-beta10", Less; "stability numbers")]
    #[test_case("1.0.0-beta1-dev", "1.0.0-beta1", Less; "dev of a beta below it")]
    #[test_case("v1.0", "1.0.0.0", Equal; "normalized equal")]
    #[test_case("1.0.0.1", "1.0.1", Less; "four numbers")]
    #[test_case("1.10", "1.9", Greater; "numbers not text")]
    #[test_case("1.0.0-a1", "1.0.0-alpha1", Equal; "a is alpha")]
    #[test_case("1.0.x-dev", "1.0.5", Greater; "branch alias above its releases")]
    #[test_case("1.0.0-rc1", "1.0.0", Less; "the issue's example")]
    fn composer_orders(a: &str, b: &str, expected: Ordering) {
        assert_eq!(compare(Scheme::Composer, a, b), Some(expected));
        assert_eq!(compare(Scheme::Composer, b, a), Some(expected.reverse()));
    }

    #[test_case("dev-main"; "branch")]
    #[test_case("master"; "master branch")]
    #[test_case("1.0.0-foo"; "unknown stability")]
    #[test_case("12345.6.7.8.9"; "five numbers")]
    #[test_case("~1.0"; "a constraint")]
    fn composer_rejects(text: &str) {
        assert!(Version::parse(Scheme::Composer, text).is_err(), "{text}");
    }
}
