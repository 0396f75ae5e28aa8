//! Debian versions, `[epoch:]upstream[-revision]`, ordered as Debian Policy §5.6.12 describes
//! and `dpkg --compare-versions` does (checked against dpkg in `test-data/debian.txt`).
//!
//! The `debversion` crate implements the same, but pulls in a date library, a regex engine and
//! big integers; the algorithm is a page long.
//!
//! Upstream and revision are compared as alternating runs: a run of non-digits compared
//! character by character, where `~` sorts before everything (even the end), then the end, then
//! letters, then everything else; and a run of digits compared as a number (an absent run is 0).

use crate::{Scheme, VersionError};
use std::cmp::Ordering;

/// A parsed Debian version.
#[derive(Debug, Clone)]
pub(crate) struct DebianVersion {
    /// The epoch's digits without leading zeros ("" is 0).
    epoch: Box<str>,
    upstream: Box<str>,
    /// The revision, "" when there is none (dpkg treats that as "0", which compares equal).
    revision: Box<str>,
}

impl DebianVersion {
    pub(crate) fn parse(text: &str) -> Result<DebianVersion, VersionError> {
        let invalid = |reason: &str| VersionError::invalid(Scheme::Debian, text, reason);
        let (epoch, rest) = match text.split_once(':') {
            Some((epoch, rest)) => {
                if epoch.is_empty() || !epoch.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(invalid("the epoch (before `:`) must be a number"));
                }
                (epoch.trim_start_matches('0'), rest)
            }
            None => ("", text),
        };
        let (upstream, revision) = match rest.rsplit_once('-') {
            Some((upstream, revision)) => {
                if revision.is_empty() {
                    return Err(invalid("the revision after the last `-` is empty"));
                }
                (upstream, revision)
            }
            None => (rest, ""),
        };
        if upstream.is_empty() {
            return Err(invalid("the upstream version is empty"));
        }
        if !upstream.starts_with(|c: char| c.is_ascii_digit()) {
            return Err(invalid("the upstream version must start with a digit"));
        }
        let upstream_ok = |c: char| c.is_ascii_alphanumeric() || ".+-~:".contains(c);
        if let Some(bad) = upstream.chars().find(|&c| !upstream_ok(c)) {
            return Err(invalid(&format!(
                "{} is not allowed in the upstream version (letters, digits and `.+-~:` are)",
                bomscout_core::escape::quote(&bad.to_string(), 8)
            )));
        }
        let revision_ok = |c: char| c.is_ascii_alphanumeric() || ".+~".contains(c);
        if let Some(bad) = revision.chars().find(|&c| !revision_ok(c)) {
            return Err(invalid(&format!(
                "{} is not allowed in the revision (letters, digits and `.+~` are)",
                bomscout_core::escape::quote(&bad.to_string(), 8)
            )));
        }
        Ok(DebianVersion {
            epoch: epoch.into(),
            upstream: upstream.into(),
            revision: revision.into(),
        })
    }

    fn order(&self, other: &DebianVersion) -> Ordering {
        compare_digits(&self.epoch, &other.epoch)
            .then_with(|| compare_part(self.upstream.as_bytes(), other.upstream.as_bytes()))
            .then_with(|| compare_part(self.revision.as_bytes(), other.revision.as_bytes()))
    }
}

order_by!(DebianVersion);

/// Compares digit strings without leading zeros as numbers of any size.
fn compare_digits(a: &str, b: &str) -> Ordering {
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

/// The weight of a character in a non-digit run; `None` is the end of the run.
fn weight(c: Option<u8>) -> i32 {
    match c {
        None => 0,
        Some(b'~') => -1,
        Some(c) if c.is_ascii_digit() => 0,
        Some(c) if c.is_ascii_alphabetic() => i32::from(c),
        Some(c) => i32::from(c) + 256,
    }
}

fn compare_part(a: &[u8], b: &[u8]) -> Ordering {
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        // The non-digit run.
        while a.get(i).is_some_and(|c| !c.is_ascii_digit())
            || b.get(j).is_some_and(|c| !c.is_ascii_digit())
        {
            let (wa, wb) = (weight(a.get(i).copied()), weight(b.get(j).copied()));
            if wa != wb {
                return wa.cmp(&wb);
            }
            i += 1;
            j += 1;
        }
        // The digit run, as a number.
        while a.get(i) == Some(&b'0') {
            i += 1;
        }
        while b.get(j) == Some(&b'0') {
            j += 1;
        }
        let start_a = i;
        while a.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        let start_b = j;
        while b.get(j).is_some_and(u8::is_ascii_digit) {
            j += 1;
        }
        let (da, db) = (&a[start_a..i], &b[start_b..j]);
        let ord = da.len().cmp(&db.len()).then_with(|| da.cmp(db));
        if ord != Ordering::Equal {
            return ord;
        }
    }
    Ordering::Equal
}

#[cfg(test)]
mod tests {
    use crate::{compare, Scheme, Version};
    use std::cmp::Ordering::{self, Equal, Greater, Less};
    use test_case::test_case;

    // Debian Policy §5.6.12's examples and dpkg's own test suite habits.
    #[test_case("1.0~rc1", "1.0", Less; "tilde sorts before the end")]
    #[test_case("1.0~~", "1.0~~a", Less; "policy: ~~ before ~~a")]
    #[test_case("1.0~~a", "1.0~", Less; "policy: ~~a before ~")]
    #[test_case("1.0~", "1.0", Less; "policy: ~ before the empty part")]
    #[test_case("1.0", "1.0a", Less; "policy: end before a letter")]
    #[test_case("1.0a", "1.0+", Less; "letters before other characters")]
    #[test_case("1:0.1", "2.0", Greater; "epoch wins")]
    #[test_case("0:1.0", "1.0", Equal; "epoch 0 is no epoch")]
    #[test_case("1.0", "1.0-0", Equal; "no revision is revision 0")]
    #[test_case("1.0-1", "1.0-2", Less; "revisions")]
    #[test_case("1.0-1~bpo1", "1.0-1", Less; "backport below the revision")]
    #[test_case("1.0-1", "1.0-1+deb12u1", Less; "security update above")]
    #[test_case("1.2-3-4", "1.2-3-5", Less; "revision after the last hyphen")]
    #[test_case("1.10", "1.9", Greater; "numbers not text")]
    #[test_case("1.001", "1.1", Equal; "leading zeros")]
    #[test_case("2.30-1", "2.30a-1", Less; "letter after number")]
    fn debian_orders(a: &str, b: &str, expected: Ordering) {
        assert_eq!(compare(Scheme::Debian, a, b), Some(expected));
        assert_eq!(compare(Scheme::Debian, b, a), Some(expected.reverse()));
    }

    #[test_case("a1.0"; "must start with a digit")]
    #[test_case("x:1.0"; "epoch not a number")]
    #[test_case("1.0-"; "empty revision")]
    #[test_case("1.0 beta"; "space")]
    #[test_case("1.0_1"; "underscore")]
    #[test_case("1:"; "empty upstream")]
    fn debian_rejects(text: &str) {
        assert!(Version::parse(Scheme::Debian, text).is_err(), "{text}");
    }
}
