//! RPM's `[epoch:]version[-release]`, ordered as rpm orders installed packages (`rpm.ver`
//! objects, `rpmverCmp`): epochs numerically (none is 0), then versions, then releases, each
//! with `rpmvercmp`.
//!
//! `rpmvercmp` reads a string as runs of digits and runs of letters; any other character only
//! separates (`1.a` equals `1a`), except `~`, which sorts before everything (even the end:
//! `1.0~rc1 < 1.0`), and `^`, which sorts after the end but before any further run
//! (`1.0 < 1.0^git1 < 1.0.1`). Runs compare pairwise: numbers numerically (leading zeros
//! ignored), letters by byte, and a number is newer than letters. When all runs match, the
//! string with runs left over is newer. A missing release compares as an empty one.
//! Checked against rpm 4.18's own comparison in `test-data/rpm.txt`.

use crate::{Scheme, VersionError};
use std::cmp::Ordering;

/// One token of a version or release string.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Tilde,
    Caret,
    /// Digits without leading zeros.
    Number(String),
    Letters(String),
}

fn tokens(s: &str) -> Vec<Token> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'~' {
            out.push(Token::Tilde);
            i += 1;
        } else if c == b'^' {
            out.push(Token::Caret);
            i += 1;
        } else if c.is_ascii_digit() {
            let start = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            let digits = s.get(start..i).unwrap_or_default().trim_start_matches('0');
            out.push(Token::Number(digits.to_string()));
        } else if c.is_ascii_alphabetic() {
            let start = i;
            while i < b.len() && b[i].is_ascii_alphabetic() {
                i += 1;
            }
            out.push(Token::Letters(
                s.get(start..i).unwrap_or_default().to_string(),
            ));
        } else {
            i += 1;
        }
    }
    out
}

/// `rpmvercmp` over token lists.
fn vercmp(a: &[Token], b: &[Token]) -> Ordering {
    let (mut i, mut j) = (0, 0);
    loop {
        let (x, y) = (a.get(i), b.get(j));
        match (x, y) {
            (Some(Token::Tilde), Some(Token::Tilde)) => {}
            (Some(Token::Tilde), _) => return Ordering::Less,
            (_, Some(Token::Tilde)) => return Ordering::Greater,
            (None, Some(Token::Caret)) => return Ordering::Less,
            (Some(Token::Caret), None) => return Ordering::Greater,
            (Some(Token::Caret), Some(Token::Caret)) => {}
            (Some(Token::Caret), _) => return Ordering::Less,
            (_, Some(Token::Caret)) => return Ordering::Greater,
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(Token::Number(p)), Some(Token::Number(q))) => {
                let o = p.len().cmp(&q.len()).then_with(|| p.cmp(q));
                if o != Ordering::Equal {
                    return o;
                }
            }
            (Some(Token::Letters(p)), Some(Token::Letters(q))) => {
                let o = p.as_bytes().cmp(q.as_bytes());
                if o != Ordering::Equal {
                    return o;
                }
            }
            (Some(Token::Number(_)), Some(Token::Letters(_))) => return Ordering::Greater,
            (Some(Token::Letters(_)), Some(Token::Number(_))) => return Ordering::Less,
        }
        i += 1;
        j += 1;
    }
}

/// A parsed RPM `[epoch:]version[-release]`.
#[derive(Debug, Clone)]
pub(crate) struct RpmVersion {
    epoch: u64,
    version: Vec<Token>,
    release: Vec<Token>,
}

impl RpmVersion {
    pub(crate) fn parse(text: &str) -> Result<RpmVersion, VersionError> {
        let invalid = |reason: &str| VersionError::invalid(Scheme::Rpm, text, reason);
        let (epoch, rest) = match text.split_once(':') {
            Some((e, rest)) => {
                if e.is_empty() || !e.bytes().all(|c| c.is_ascii_digit()) {
                    return Err(invalid("the epoch before `:` is not a number"));
                }
                let epoch = e
                    .parse::<u64>()
                    .map_err(|_| invalid("the epoch is too large"))?;
                (epoch, rest)
            }
            None => (0, text),
        };
        let (version, release) = match rest.rsplit_once('-') {
            Some((v, r)) => (v, r),
            None => (rest, ""),
        };
        if version.is_empty() {
            return Err(invalid("no version"));
        }
        if rest.contains(':') {
            return Err(invalid("more than one `:`"));
        }
        if !rest
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || b"._+~^-".contains(&c))
        {
            return Err(invalid(
                "a character rpm does not allow in a version (letters, digits and `._+~^`)",
            ));
        }
        Ok(RpmVersion {
            epoch,
            version: tokens(version),
            release: tokens(release),
        })
    }

    fn order(&self, other: &Self) -> Ordering {
        self.epoch
            .cmp(&other.epoch)
            .then_with(|| vercmp(&self.version, &other.version))
            .then_with(|| vercmp(&self.release, &other.release))
    }
}

order_by!(RpmVersion);

#[cfg(test)]
mod tests {
    use super::*;

    fn cmp(a: &str, b: &str) -> Ordering {
        RpmVersion::parse(a)
            .unwrap()
            .cmp(&RpmVersion::parse(b).unwrap())
    }

    #[test]
    fn rules() {
        assert_eq!(cmp("1.0~rc1", "1.0"), Ordering::Less);
        assert_eq!(cmp("1.0^git1", "1.0"), Ordering::Greater);
        assert_eq!(cmp("1.0^git1", "1.0.1"), Ordering::Less);
        assert_eq!(cmp("1.a", "1a"), Ordering::Equal);
        assert_eq!(cmp("1.01", "1.1"), Ordering::Equal);
        assert_eq!(cmp("1.0a", "1.0"), Ordering::Greater);
        assert_eq!(cmp("2.0", "1:1.0"), Ordering::Less);
        assert_eq!(cmp("1.0-2", "1.0-10"), Ordering::Less);
        assert_eq!(cmp("1.0", "1.0-1"), Ordering::Less);
    }

    #[test]
    fn invalid() {
        for v in [
            "x:1",
            ":1",
            "1:2:3",
            "1:",
            "-1",
            "1 2",
            "99999999999999999999:1",
        ] {
            assert!(RpmVersion::parse(v).is_err(), "{v}");
        }
    }
}
