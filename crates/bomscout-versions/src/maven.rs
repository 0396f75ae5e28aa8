//! Maven's `ComparableVersion` ordering (maven-artifact), written from the POM reference's
//! "Version Order Specification" and checked against Maven's own class (see
//! `test-data/maven.txt`, produced by `test-data/generators/maven.sh`).
//!
//! The version is lower-cased and cut into items at `.`, at `-` and at every change between
//! digits and non-digits. A `-` or a digit/letter change opens a sub-list, so `1-rc-2` is
//! `[1, [rc, [2]]]`. An empty item is `0`. A letter `a`, `b` or `m` directly followed by a digit
//! means `alpha`, `beta`, `milestone`; `ga`, `final`, `release` mean the release (empty qualifier)
//! and `cr` means `rc`. Trailing "null" items (`0`, the empty qualifier, empty lists) are removed
//! from each list. Qualifiers order `alpha < beta < milestone < rc < snapshot < "" < sp`, then
//! unknown qualifiers in text order; a number is above any qualifier and above a sub-list; a
//! sub-list is above a qualifier; a missing item compares as its kind's null. A qualifier that
//! ends the version, or is followed by digits, after a `.` is treated as if it followed a `-`
//! (`1.foo == 1-foo`, `1.0.0.rc1 == 1.0.0-rc1`).
//!
//! Those rules are not a total order in a few odd corners (Maven 3.8 says
//! `0-alpha < 0 < a < 0-alpha`), and a sort needs one: see [`compare_items`] for how this
//! implementation ranks items so that it is total while agreeing with Maven on every version
//! of the usual shapes.

use crate::VersionError;
use std::cmp::Ordering;

/// A parsed Maven version.
#[derive(Debug, Clone)]
pub(crate) struct MavenVersion {
    items: Vec<Item>,
}

#[derive(Debug, Clone)]
enum Item {
    /// A number, as its digits without leading zeros ("" is zero): numbers of any size compare
    /// by length, then digit by digit.
    Int(Box<str>),
    /// A qualifier in comparable form (see [`comparable_qualifier`]).
    Str(Box<str>),
    /// A sub-list, and how it compares with nothing (computed once when it is built).
    List(Vec<Item>, Ordering),
}

/// Known qualifiers, lowest first; the empty qualifier is the release.
const QUALIFIERS: [&str; 7] = ["alpha", "beta", "milestone", "rc", "snapshot", "", "sp"];
/// The comparable form of the empty qualifier (its index in [`QUALIFIERS`]).
const RELEASE_INDEX: &str = "5";

/// A qualifier's sort key: its index in [`QUALIFIERS`], or `7-` and the qualifier for unknown
/// ones, so unknown qualifiers sort after `sp` and among themselves as text.
fn comparable_qualifier(q: &str) -> String {
    match QUALIFIERS.iter().position(|k| *k == q) {
        Some(i) => i.to_string(),
        None => format!("{}-{q}", QUALIFIERS.len()),
    }
}

fn string_item(value: &str, followed_by_digit: bool) -> Item {
    let value = match value {
        "a" if followed_by_digit => "alpha",
        "b" if followed_by_digit => "beta",
        "m" if followed_by_digit => "milestone",
        "ga" | "final" | "release" => "",
        "cr" => "rc",
        other => other,
    };
    Item::Str(comparable_qualifier(value).into())
}

fn int_item(digits: &str) -> Item {
    Item::Int(digits.trim_start_matches('0').into())
}

fn parse_item(is_digit: bool, text: &str) -> Item {
    if is_digit {
        int_item(text)
    } else {
        string_item(text, false)
    }
}

impl Item {
    fn is_null(&self) -> bool {
        match self {
            Item::Int(d) => d.is_empty(),
            Item::Str(q) => &**q == RELEASE_INDEX,
            Item::List(l, _) => l.is_empty(),
        }
    }
}

/// The class of an item (or of a missing one, `None`) in the total order: see [`compare_items`].
fn class(item: Option<&Item>) -> u8 {
    match item {
        None => 3,
        Some(Item::Str(q)) => match (**q).cmp(RELEASE_INDEX) {
            Ordering::Less => 1,
            Ordering::Equal => 3,
            Ordering::Greater => 4,
        },
        Some(Item::List(_, sign)) => match sign {
            Ordering::Less => 2,
            Ordering::Equal => 3,
            Ordering::Greater => 5,
        },
        Some(Item::Int(_)) => 6,
    }
}

/// Compares two items at the same place, `None` standing for a missing item.
///
/// Maven's own rules are not transitive: a number beats a sub-list, a sub-list beats a
/// qualifier, yet a missing item is compared by sign (`0-alpha < 0 < a < 0-alpha` in Maven
/// 3.8). A sort needs a total order, so items are ranked by class first:
/// qualifiers below the release < sub-lists below the release < nothing (and the empty
/// qualifier) < qualifiers above the release < sub-lists above the release < numbers;
/// then numbers as numbers, qualifiers in qualifier order, sub-lists item by item.
/// This agrees with Maven wherever Maven is consistent for versions that start with a number
/// and carry qualifiers after `-` or at the end (checked against Maven in `test-data/maven.txt`);
/// it differs only for qualifiers between two `.`-numbers (`1.0.alpha.1`) and versions that
/// start with a qualifier.
fn compare_items(a: Option<&Item>, b: Option<&Item>) -> Ordering {
    let (ca, cb) = (class(a), class(b));
    if ca != cb {
        return ca.cmp(&cb);
    }
    match (a, b) {
        (Some(Item::Int(x)), Some(Item::Int(y))) => x.len().cmp(&y.len()).then_with(|| x.cmp(y)),
        (Some(Item::Str(x)), Some(Item::Str(y))) => x.cmp(y),
        (Some(Item::List(x, _)), Some(Item::List(y, _))) => compare_lists(x, y),
        // The null class: nothing, the empty qualifier, an empty list.
        _ => Ordering::Equal,
    }
}

fn compare_lists(a: &[Item], b: &[Item]) -> Ordering {
    let len = a.len().max(b.len());
    for i in 0..len {
        let result = compare_items(a.get(i), b.get(i));
        if result != Ordering::Equal {
            return result;
        }
    }
    Ordering::Equal
}

/// Removes trailing null items, looking through trailing sub-lists as Maven does.
fn normalize(list: &mut Vec<Item>) {
    let mut i = list.len();
    while i > 0 {
        i -= 1;
        if list[i].is_null() {
            list.remove(i);
        } else if !matches!(list[i], Item::List(..)) {
            break;
        }
    }
}

/// The lists under construction.
struct Builder {
    /// The open lists, outermost first. Each is closed into its parent when parsing ends.
    stack: Vec<Vec<Item>>,
}

impl Builder {
    fn push(&mut self, item: Item) {
        if let Some(top) = self.stack.last_mut() {
            top.push(item);
        }
    }

    fn open_list(&mut self) {
        self.stack.push(Vec::new());
    }

    /// Closes every open list, innermost first, normalizing each before it joins its parent.
    fn finish(mut self) -> Vec<Item> {
        while let Some(mut list) = self.stack.pop() {
            normalize(&mut list);
            match self.stack.last_mut() {
                Some(parent) => {
                    let sign = compare_lists(&list, &[]);
                    parent.push(Item::List(list, sign));
                }
                None => return list,
            }
        }
        Vec::new()
    }
}

impl MavenVersion {
    /// Parses any non-empty string, as Maven does: every string is a Maven version.
    pub(crate) fn parse(text: &str) -> Result<MavenVersion, VersionError> {
        let lower = text.to_lowercase();
        let bytes = lower.as_bytes();
        let mut b = Builder {
            stack: vec![Vec::new()],
        };
        let mut is_digit = false;
        let mut start = 0;
        // Items are appended to the innermost open list; a new list is appended to its parent
        // when it is closed (in `finish`), which keeps the item order Maven builds, because
        // a list is only ever opened as the last item of its parent.
        for (i, &c) in bytes.iter().enumerate() {
            match c {
                b'.' => {
                    if i == start {
                        b.push(int_item(""));
                    } else {
                        b.push(parse_item(is_digit, &lower[start..i]));
                    }
                    start = i + 1;
                }
                b'-' => {
                    if i == start {
                        b.push(int_item(""));
                    } else {
                        b.push(parse_item(is_digit, &lower[start..i]));
                    }
                    start = i + 1;
                    b.open_list();
                }
                b'0'..=b'9' => {
                    if !is_digit && i > start {
                        // A qualifier followed by digits, after `.`, is treated as after `-`
                        // (`1.0.0.x1 == 1.0.0-x1 < 1.0.0-x2`).
                        if b.stack.last().is_some_and(|l| !l.is_empty()) {
                            b.open_list();
                        }
                        b.push(string_item(&lower[start..i], true));
                        start = i;
                        b.open_list();
                    }
                    is_digit = true;
                }
                _ => {
                    // Only split at a character boundary: bytes of a multi-byte character are
                    // never digits, so `start` always lands on a boundary here.
                    if is_digit && i > start {
                        b.push(parse_item(true, &lower[start..i]));
                        start = i;
                        b.open_list();
                    }
                    is_digit = false;
                }
            }
        }
        if lower.len() > start {
            // A final qualifier after `.` is treated as after `-` (`1.0.x1 < 1.0-x2`).
            if !is_digit && b.stack.last().is_some_and(|l| !l.is_empty()) {
                b.open_list();
            }
            b.push(parse_item(is_digit, &lower[start..]));
        }
        Ok(MavenVersion { items: b.finish() })
    }

    fn order(&self, other: &MavenVersion) -> Ordering {
        compare_lists(&self.items, &other.items)
    }
}

order_by!(MavenVersion);

#[cfg(test)]
mod tests {
    use crate::{compare, Scheme};
    use std::cmp::Ordering::{self, Equal, Greater, Less};
    use test_case::test_case;

    // From the POM reference's "Version Order Specification" examples and Maven's
    // ComparableVersionTest.
    #[test_case("1", "1.1", Less; "shorter is lower when the next is a number")]
    #[test_case("1-snapshot", "1", Less; "snapshot below release")]
    #[test_case("1", "1-sp", Less; "sp above release")]
    #[test_case("1-foo2", "1-foo10", Less; "qualifier number compares numerically")]
    #[test_case("1.foo", "1-foo", Equal; "dot qualifier equals dash qualifier")]
    #[test_case("1-foo", "1-1", Less; "qualifier below number")]
    #[test_case("1-1", "1.1", Less; "dash number below dot number")]
    #[test_case("1.ga", "1-ga", Equal; "ga is the release")]
    #[test_case("1-ga", "1-0", Equal; "ga and zero trimmed")]
    #[test_case("1-0", "1.0", Equal; "dash zero equals dot zero")]
    #[test_case("1", "1.0", Equal; "trailing zero")]
    #[test_case("1.0", "1.0.0", Equal; "trailing zeros")]
    #[test_case("1.0.0", "1-ga", Equal; "the brief's example")]
    #[test_case("1-final", "1", Equal; "final is the release")]
    #[test_case("1-alpha", "1-beta", Less; "alpha below beta")]
    #[test_case("1-a1", "1-alpha-1", Equal; "a1 is alpha-1")]
    #[test_case("1-b1", "1-m1", Less; "b1 is beta, m1 is milestone")]
    #[test_case("1-milestone", "1-rc", Less; "milestone below rc")]
    #[test_case("1-rc", "1-cr", Equal; "cr is rc")]
    #[test_case("1-rc", "1-SNAPSHOT", Less; "rc below snapshot")]
    #[test_case("1.0-SNAPSHOT", "1.0", Less; "SNAPSHOT below release, case-insensitive")]
    #[test_case("1-sp", "1-abc", Less; "unknown qualifier above sp")]
    #[test_case("1-abc", "1-abd", Less; "unknown qualifiers in text order")]
    #[test_case("1.0-alpha-1", "1.0-alpha-2", Less; "alpha numbers")]
    #[test_case("2.0.0.RELEASE", "2.0.0", Equal; "release is the release")]
    #[test_case("1.10", "1.9", Greater; "numbers not text")]
    #[test_case("1.0.0-rc1", "1.0.0", Less; "the issue's example")]
    #[test_case("123456789012345678901234567890", "123456789012345678901234567891", Less; "big numbers")]
    #[test_case("1.007", "1.7", Equal; "leading zeros")]
    fn maven_orders(a: &str, b: &str, expected: Ordering) {
        assert_eq!(compare(Scheme::Maven, a, b), Some(expected));
        assert_eq!(compare(Scheme::Maven, b, a), Some(expected.reverse()));
    }

    #[test]
    fn any_text_parses_without_panic() {
        for text in ["-", ".", "--..--", "é1ü-ß", "1-\u{1F600}2", "a", "0", "-1"] {
            assert!(compare(Scheme::Maven, text, "1").is_some(), "{text}");
        }
    }
}
