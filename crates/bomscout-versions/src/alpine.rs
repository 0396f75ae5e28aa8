//! Alpine's apk versions, `digits{.digits}[letter]{_suffix[digits]}[-rN]`, ordered as apk-tools'
//! version comparison does (`apk version -t`), written from its documented rules.
//!
//! A version is read as a chain of tokens, each with a kind and a value: numbers (a `.`-number
//! with leading zeros is "fractional": its zeros count as a negative value, so `1.01 < 1.1`),
//! one lower-case letter, suffixes (`_alpha < _beta < _pre < _rc` below the release,
//! `_cvs < _svn < _git < _hg < _p` above it) with an optional number, and a `-rN` revision.
//! Two versions compare token by token; when one runs out, the longer one is greater unless
//! its next token is a pre-release suffix.

use crate::{Scheme, VersionError};
use std::cmp::Ordering;

/// Token kinds, in apk's order: when two versions differ in the kind of their next token, the
/// one whose next token comes later in this list (the end last) is the lower.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    /// A number after `.`, which may start with zeros.
    DigitOrZero,
    Digit,
    Letter,
    Suffix,
    SuffixNumber,
    Revision,
    End,
}

const PRE_SUFFIXES: [&str; 4] = ["alpha", "beta", "pre", "rc"];
const POST_SUFFIXES: [&str; 5] = ["cvs", "svn", "git", "hg", "p"];
/// A number of this many digits or more is invalid, as in apk-tools (values fit an `i64`).
const MAX_DIGITS: usize = 18;

/// A parsed Alpine version: its tokens in order (the end is implicit).
#[derive(Debug, Clone)]
pub(crate) struct AlpineVersion {
    tokens: Vec<(Kind, i64)>,
}

impl AlpineVersion {
    pub(crate) fn parse(text: &str) -> Result<AlpineVersion, VersionError> {
        let invalid = |reason: String| VersionError::invalid(Scheme::Alpine, text, reason);
        let bytes = text.as_bytes();
        let mut tokens = Vec::new();
        let mut kind = Kind::Digit;
        let mut pos = 0;
        while pos < bytes.len() {
            let rest = &bytes[pos..];
            let mut next_kind = None;
            // The value of the token of `kind` at `pos`, and how many bytes it takes.
            let (value, len) = match kind {
                Kind::DigitOrZero if rest.first() == Some(&b'0') => {
                    let zeros = rest.iter().take_while(|&&c| c == b'0').count();
                    next_kind = Some(Kind::Digit);
                    (-(zeros.min(MAX_DIGITS) as i64), zeros)
                }
                Kind::DigitOrZero | Kind::Digit | Kind::SuffixNumber | Kind::Revision => {
                    let digits = rest.iter().take_while(|c| c.is_ascii_digit()).count();
                    if digits >= MAX_DIGITS {
                        return Err(invalid(format!("a number of {MAX_DIGITS} digits or more")));
                    }
                    let value = rest[..digits]
                        .iter()
                        .fold(0i64, |v, &c| v * 10 + i64::from(c - b'0'));
                    (value, digits)
                }
                Kind::Letter => (i64::from(rest[0]), 1),
                Kind::Suffix => {
                    let pre = PRE_SUFFIXES
                        .iter()
                        .position(|s| rest.starts_with(s.as_bytes()));
                    let post = POST_SUFFIXES
                        .iter()
                        .position(|s| rest.starts_with(s.as_bytes()));
                    match (pre, post) {
                        (Some(i), _) => {
                            (i as i64 - PRE_SUFFIXES.len() as i64, PRE_SUFFIXES[i].len())
                        }
                        (None, Some(i)) => (i as i64 + 1, POST_SUFFIXES[i].len()),
                        (None, None) => return Err(invalid(
                            "unknown suffix after `_` (alpha, beta, pre, rc, cvs, svn, git, hg \
                                 or p are known)"
                                .into(),
                        )),
                    }
                }
                Kind::End => return Err(invalid("text after the end of the version".into())),
            };
            tokens.push((kind, value));
            pos += len;
            if pos >= bytes.len() {
                break;
            }
            kind = match next_kind {
                Some(k) => k,
                None => {
                    let (k, skip) = next_token(kind, &bytes[pos..]).ok_or_else(|| {
                        invalid(format!(
                            "unexpected {} at byte {pos}",
                            bomscout_core::escape::quote(text.get(pos..).unwrap_or_default(), 8)
                        ))
                    })?;
                    pos += skip;
                    k
                }
            };
            if pos >= bytes.len() {
                // A separator at the very end (`1.`, `1.0_`) opens a token with no text: apk
                // reads it as the value 0.
                tokens.push((kind, 0));
            }
        }
        Ok(AlpineVersion { tokens })
    }

    fn token(&self, i: usize) -> (Kind, i64) {
        self.tokens.get(i).copied().unwrap_or((Kind::End, 0))
    }

    fn order(&self, other: &AlpineVersion) -> Ordering {
        let mut i = 0;
        loop {
            let (a_value, a_next) = (self.token(i).1, self.token(i + 1).0);
            let (b_value, b_next) = (other.token(i).1, other.token(i + 1).0);
            if a_value != b_value {
                return a_value.cmp(&b_value);
            }
            if a_next != b_next {
                if a_next == Kind::Suffix && self.token(i + 1).1 < 0 {
                    return Ordering::Less;
                }
                if b_next == Kind::Suffix && other.token(i + 1).1 < 0 {
                    return Ordering::Greater;
                }
                return b_next.cmp(&a_next);
            }
            if a_next == Kind::End {
                return Ordering::Equal;
            }
            i += 1;
        }
    }
}

order_by!(AlpineVersion);

/// The kind of the token that starts at `rest` after a token of `kind`, and how many separator
/// bytes to skip; `None` when nothing valid can come next.
fn next_token(kind: Kind, rest: &[u8]) -> Option<(Kind, usize)> {
    let c = *rest.first()?;
    let (next, skip) = if matches!(kind, Kind::Digit | Kind::DigitOrZero) && c.is_ascii_lowercase()
    {
        (Kind::Letter, 0)
    } else if kind == Kind::Letter && c.is_ascii_digit() {
        (Kind::Digit, 0)
    } else if kind == Kind::Suffix && c.is_ascii_digit() {
        (Kind::SuffixNumber, 0)
    } else {
        match c {
            b'.' => (Kind::DigitOrZero, 1),
            b'_' => (Kind::Suffix, 1),
            b'-' if rest.get(1) == Some(&b'r') => (Kind::Revision, 2),
            _ => return None,
        }
    };
    // Tokens only move forward in the chain, except a new number after a number, a new suffix
    // after a suffix number, and a number after a letter.
    let allowed = next >= kind
        || (next == Kind::DigitOrZero && kind == Kind::Digit)
        || (next == Kind::Suffix && kind == Kind::SuffixNumber)
        || (next == Kind::Digit && kind == Kind::Letter);
    allowed.then_some((next, skip))
}

#[cfg(test)]
mod tests {
    use crate::{compare, Scheme, Version};
    use std::cmp::Ordering::{self, Equal, Greater, Less};
    use test_case::test_case;

    // apk-tools' test/version.data expectations and the Alpine package policy's examples.
    #[test_case("1.0_alpha", "1.0_beta", Less; "alpha below beta")]
    #[test_case("1.0_beta", "1.0_pre", Less; "beta below pre")]
    #[test_case("1.0_pre", "1.0_rc", Less; "pre below rc")]
    #[test_case("1.1_rc1", "1.1", Less; "rc below release")]
    #[test_case("1.0", "1.0_cvs", Less; "cvs above release")]
    #[test_case("1.0_cvs", "1.0_svn", Less; "cvs below svn")]
    #[test_case("1.0_svn", "1.0_git", Less; "svn below git")]
    #[test_case("1.0_git", "1.0_hg", Less; "git below hg")]
    #[test_case("1.0_hg", "1.0_p1", Less; "hg below p")]
    #[test_case("1.0", "1.0_p1", Less; "patch above release")]
    #[test_case("1.0-r0", "1.0-r1", Less; "revisions")]
    #[test_case("1.0", "1.0-r1", Less; "revision above none")]
    #[test_case("1.0_p1-r5", "1.0_p2", Less; "suffix before revision")]
    #[test_case("1.0", "1.0a", Less; "letter above none")]
    #[test_case("1.0a", "1.0b", Less; "letters")]
    #[test_case("1.0b", "1.0.1", Less; "letter below next number")]
    #[test_case("1.01", "1.1", Less; "fractional leading zero")]
    #[test_case("1.9", "1.10", Less; "numbers not text")]
    #[test_case("2.0_rc1", "2.0_rc2", Less; "suffix numbers")]
    #[test_case("1.2.3-r0", "1.2.3-r0", Equal; "equal")]
    #[test_case("1", "1.0", Less; "apk: a further number is greater")]
    #[test_case("1.0_alpha1", "1.0_alpha1_p1", Less; "chained suffixes")]
    fn alpine_orders(a: &str, b: &str, expected: Ordering) {
        assert_eq!(compare(Scheme::Alpine, a, b), Some(expected));
        assert_eq!(compare(Scheme::Alpine, b, a), Some(expected.reverse()));
    }

    #[test]
    fn greater_example() {
        assert_eq!(compare(Scheme::Alpine, "1.1-r1", "1.1_rc1"), Some(Greater));
    }

    /// apk-tools 2 reads the zeros of `.0` as their own token and then an empty number before
    /// `_rc1`, which makes `1.0_rc1` compare above `1.0` (`1.1_rc1` is below `1.1`). This crate
    /// follows apk-tools 2, the `apk` of Alpine's releases, rather than correcting it.
    #[test]
    fn apk_tools_2_zero_component_quirk() {
        assert_eq!(compare(Scheme::Alpine, "1.0_rc1", "1.0"), Some(Greater));
        assert_eq!(
            compare(Scheme::Alpine, "1.00_beta2", "0.9.2"),
            Some(Greater)
        );
    }

    #[test_case("1.0_foo"; "unknown suffix")]
    #[test_case("1.0-1"; "revision needs r")]
    #[test_case("A1"; "upper-case letter")]
    #[test_case("1.0-r1.2"; "number after revision")]
    #[test_case("1.0ab"; "two letters")]
    #[test_case("1.0 a"; "inner space")]
    #[test_case("1.1234567890123456789"; "number too long")]
    fn alpine_rejects(text: &str) {
        assert!(Version::parse(Scheme::Alpine, text).is_err(), "{text}");
    }
}
