//! NuGet versions (`NuGetVersion`): `Major[.Minor[.Patch[.Revision]]][-Label(.Label)*][+Metadata]`,
//! ordered as NuGet's default `VersionComparer`: the four numbers (missing ones are 0, leading
//! zeros normalized), then a release above any pre-release, then pre-release labels one by one
//! (numeric labels as numbers and below text labels, text labels case-insensitively, fewer labels
//! lower). Build metadata is ignored.

use crate::{Scheme, VersionError};
use std::cmp::Ordering;

/// A parsed NuGet version.
#[derive(Debug, Clone)]
pub(crate) struct NuGetVersion {
    numbers: [u32; 4],
    /// Pre-release labels, upper-cased for case-insensitive comparison; empty for a release.
    labels: Vec<Box<str>>,
}

impl NuGetVersion {
    pub(crate) fn parse(text: &str) -> Result<NuGetVersion, VersionError> {
        let invalid = |reason: &str| VersionError::invalid(Scheme::NuGet, text, reason);
        let without_metadata = match text.split_once('+') {
            Some((version, metadata)) => {
                if metadata.is_empty() || !metadata.split('.').all(valid_label) {
                    return Err(invalid(
                        "the build metadata after `+` is empty or malformed",
                    ));
                }
                version
            }
            None => text,
        };
        let (core, pre) = match without_metadata.split_once('-') {
            Some((core, pre)) => (core, Some(pre)),
            None => (without_metadata, None),
        };
        let mut numbers = [0u32; 4];
        for (count, part) in core.split('.').enumerate() {
            if count == 4 {
                return Err(invalid("more than four numbers"));
            }
            if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
                return Err(invalid(
                    "the version numbers must be digits separated by `.`",
                ));
            }
            numbers[count] = part
                .parse()
                .map_err(|_| invalid("a version number is too large (over 2147483647)"))?;
            if numbers[count] > i32::MAX as u32 {
                return Err(invalid("a version number is too large (over 2147483647)"));
            }
        }
        let labels = match pre {
            Some(pre) => {
                if !pre.split('.').all(valid_label) {
                    return Err(invalid(
                        "the pre-release after `-` must be letters, digits and `-`, separated by `.`",
                    ));
                }
                pre.split('.')
                    .map(|l| l.to_ascii_uppercase().into())
                    .collect()
            }
            None => Vec::new(),
        };
        Ok(NuGetVersion { numbers, labels })
    }

    fn order(&self, other: &NuGetVersion) -> Ordering {
        self.numbers.cmp(&other.numbers).then_with(|| {
            match (self.labels.is_empty(), other.labels.is_empty()) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                (false, false) => compare_labels(&self.labels, &other.labels),
            }
        })
    }
}

order_by!(NuGetVersion);

fn valid_label(label: &str) -> bool {
    !label.is_empty()
        && label
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

fn numeric(label: &str) -> Option<&str> {
    label
        .bytes()
        .all(|b| b.is_ascii_digit())
        .then(|| label.trim_start_matches('0'))
}

fn compare_labels(a: &[Box<str>], b: &[Box<str>]) -> Ordering {
    for (x, y) in a.iter().zip(b) {
        let ord = match (numeric(x), numeric(y)) {
            (Some(m), Some(n)) => m.len().cmp(&n.len()).then_with(|| m.cmp(n)),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => x.cmp(y),
        };
        if ord != Ordering::Equal {
            return ord;
        }
    }
    a.len().cmp(&b.len())
}

#[cfg(test)]
mod tests {
    use crate::{compare, Scheme, Version};
    use std::cmp::Ordering::{self, Equal, Greater, Less};
    use test_case::test_case;

    // NuGet's documentation ("Package versioning": version precedence, normalization) and
    // NuGet.Versioning's comparer tests.
    #[test_case("1.0", "1.0.0.0", Equal; "missing numbers are zero")]
    #[test_case("1.0.0", "1.0.0.1", Less; "fourth number")]
    #[test_case("1.0.0.1", "1.0.1", Less; "fourth below third")]
    #[test_case("1.01.1", "1.1.1", Equal; "leading zeros normalized")]
    #[test_case("1.0.0-alpha", "1.0.0", Less; "pre-release below release")]
    #[test_case("1.0.0-ALPHA", "1.0.0-alpha", Equal; "labels are case-insensitive")]
    #[test_case("1.0.0-alpha", "1.0.0-beta", Less; "labels in text order")]
    #[test_case("1.0.0-beta.2", "1.0.0-beta.11", Less; "numeric labels as numbers")]
    #[test_case("1.0.0-beta.11", "1.0.0-beta.x", Less; "numeric label below text label")]
    #[test_case("1.0.0-beta", "1.0.0-beta.1", Less; "fewer labels lower")]
    #[test_case("1.0.0-rc.1", "1.0.0-RC.2", Less; "case-insensitive then numeric")]
    #[test_case("1.0.0+abc", "1.0.0+def", Equal; "metadata ignored")]
    #[test_case("4.0.0.1-beta", "4.0.0.1", Less; "four parts with pre-release")]
    #[test_case("1.0.0-rc1", "1.0.0", Less; "the issue's example")]
    #[test_case("2.10.0", "2.9.0", Greater; "numbers not text")]
    fn nuget_orders(a: &str, b: &str, expected: Ordering) {
        assert_eq!(compare(Scheme::NuGet, a, b), Some(expected));
        assert_eq!(compare(Scheme::NuGet, b, a), Some(expected.reverse()));
    }

    #[test_case("1.0.0.0.0"; "five numbers")]
    #[test_case("1.0.0-"; "empty label")]
    #[test_case("1.0.0-a..b"; "empty inner label")]
    #[test_case("1.a"; "letter number")]
    #[test_case("3000000000.0"; "over int32")]
    #[test_case("[1.0,2.0)"; "a range is not a version")]
    fn nuget_rejects(text: &str) {
        assert!(Version::parse(Scheme::NuGet, text).is_err(), "{text}");
    }
}
