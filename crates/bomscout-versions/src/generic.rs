//! The fallback ordering, for ecosystems with no ordering of their own (Conan, CRAN, Hackage,
//! GitHub tags, container tags, ...).
//!
//! The version is cut into numbers and words at every non-alphanumeric character and at every
//! change between digits and letters. Numbers compare as numbers (of any size), words as
//! lower-cased text, and a number is above a word. When one version runs out, the longer one is
//! greater if its next part is a number (`1.0 < 1.0.1`) and lower if it is a word
//! (`1.0rc1 < 1.0`), the common convention for pre-releases.
//!
//! Policy matching used to split at `.`, `-` and `+` and compare a number with a word as text;
//! that is not a total order (`2 < 10`, `10 < 1a`, yet `1a < 2`), which a sort or a range
//! check cannot rely on. Dotted numeric versions order the same in both.

use crate::{Scheme, VersionError};
use std::cmp::Ordering;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Part {
    /// A word, lower-cased. Words sort below the end, which sorts below numbers.
    Word(Box<str>),
    /// The end of the version (only used while comparing).
    End,
    /// Digits without leading zeros, ordered by length then digits (so as numbers).
    Number(usize, Box<str>),
}

/// A parsed generic version.
#[derive(Debug, Clone)]
pub(crate) struct GenericVersion {
    parts: Vec<Part>,
}

impl GenericVersion {
    pub(crate) fn parse(text: &str) -> Result<GenericVersion, VersionError> {
        let mut parts = Vec::new();
        let mut current = String::new();
        let mut last_digit = None;
        for c in text.chars() {
            if !c.is_alphanumeric() {
                push(&mut parts, &mut current);
                last_digit = None;
                continue;
            }
            let digit = c.is_ascii_digit();
            if last_digit.is_some_and(|d| d != digit) {
                push(&mut parts, &mut current);
            }
            current.extend(c.to_lowercase());
            last_digit = Some(digit);
        }
        push(&mut parts, &mut current);
        if parts.is_empty() {
            return Err(VersionError::invalid(
                Scheme::Generic,
                text,
                "no letters or digits in it",
            ));
        }
        Ok(GenericVersion { parts })
    }

    fn order(&self, other: &GenericVersion) -> Ordering {
        let len = self.parts.len().max(other.parts.len());
        for i in 0..len {
            let a = self.parts.get(i).unwrap_or(&Part::End);
            let b = other.parts.get(i).unwrap_or(&Part::End);
            let ord = a.cmp(b);
            if ord != Ordering::Equal {
                return ord;
            }
        }
        Ordering::Equal
    }
}

order_by!(GenericVersion);

fn push(parts: &mut Vec<Part>, current: &mut String) {
    if current.is_empty() {
        return;
    }
    let part = if current.bytes().all(|b| b.is_ascii_digit()) {
        let digits = current.trim_start_matches('0');
        Part::Number(digits.len(), digits.into())
    } else {
        Part::Word(current.as_str().into())
    };
    parts.push(part);
    current.clear();
}

#[cfg(test)]
mod tests {
    use crate::{compare, Scheme, Version};
    use std::cmp::Ordering::{self, Equal, Greater, Less};
    use test_case::test_case;

    #[test_case("1.2", "1.10", Less; "numbers not text")]
    #[test_case("1.0", "1.0.1", Less; "a further number is greater")]
    #[test_case("1.0rc1", "1.0", Less; "a further word is lower")]
    #[test_case("1.0-beta", "1.0-rc", Less; "words as text")]
    #[test_case("1.0-RC", "1.0-rc", Equal; "words ignore case")]
    #[test_case("1.01", "1.1", Equal; "leading zeros")]
    #[test_case("2", "10", Less; "the old non-transitive triple, part 1")]
    #[test_case("10", "1a", Greater; "the old non-transitive triple, part 2")]
    #[test_case("1a", "2", Less; "the old non-transitive triple, part 3")]
    #[test_case("1.0.0-rc1", "1.0.0", Less; "the issue's example")]
    #[test_case("r2023.1", "r2023.2", Less; "leading word")]
    #[test_case("1_2", "1.2", Equal; "any separator")]
    fn generic_orders(a: &str, b: &str, expected: Ordering) {
        assert_eq!(compare(Scheme::Generic, a, b), Some(expected));
        assert_eq!(compare(Scheme::Generic, b, a), Some(expected.reverse()));
    }

    #[test]
    fn punctuation_only_is_an_error() {
        assert!(Version::parse(Scheme::Generic, "..-").is_err());
    }
}
