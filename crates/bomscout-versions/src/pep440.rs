//! PEP 440, with `pep440_rs` (the parser uv uses).

use crate::{Scheme, VersionError};
use std::str::FromStr;

/// Parses a PEP 440 version, normalizing as PEP 440 says (`1.0.0 == 1.0`, `1.0-RC1 == 1.0rc1`,
/// a leading `v` allowed).
pub(crate) fn parse(text: &str) -> Result<pep440_rs::Version, VersionError> {
    pep440_rs::Version::from_str(text)
        .map_err(|e| VersionError::invalid(Scheme::Pep440, text, e.to_string()))
}

#[cfg(test)]
mod tests {
    use crate::{compare, Scheme, Version};
    use std::cmp::Ordering::{self, Equal, Greater, Less};
    use test_case::test_case;

    // PEP 440's "Summary of permitted suffixes and relative ordering" and normalization rules.
    #[test_case("1.0.dev456", "1.0a1", Less; "dev release below pre-releases")]
    #[test_case("1.0a1", "1.0a2.dev456", Less; "a1 below a2.dev")]
    #[test_case("1.0a2.dev456", "1.0a12.dev456", Less; "numeric pre-release number")]
    #[test_case("1.0a12", "1.0b1.dev456", Less; "alpha below beta")]
    #[test_case("1.0b2.post345.dev456", "1.0b2.post345", Less; "post dev below post")]
    #[test_case("1.0b2.post345", "1.0rc1.dev456", Less; "beta post below rc dev")]
    #[test_case("1.0rc1", "1.0", Less; "rc below release")]
    #[test_case("1.0", "1.0+abc.5", Less; "local above the release")]
    #[test_case("1.0+abc.5", "1.0+abc.7", Less; "local segments compare as numbers")]
    #[test_case("1.0+abc.7", "1.0+5", Less; "numeric local segment above alphanumeric")]
    #[test_case("1.0+5", "1.0.post456.dev34", Less; "local below post dev")]
    #[test_case("1.0.post456.dev34", "1.0.post456", Less; "post dev below post")]
    #[test_case("1.0.post456", "1.1.dev1", Less; "post below next dev")]
    #[test_case("1!0.1", "2.0", Greater; "epoch wins")]
    #[test_case("1.0", "1.0.0", Equal; "trailing zeros")]
    #[test_case("1.0-RC1", "1.0rc1", Equal; "normalized separator and case")]
    #[test_case("1.0c1", "1.0rc1", Equal; "c is rc")]
    #[test_case("1.0.post1", "1.0-1", Equal; "implicit post release")]
    #[test_case("v1.0", "1.0", Equal; "leading v")]
    #[test_case("1.0.0-rc1", "1.0.0", Less; "the issue's example")]
    fn pep440_orders(a: &str, b: &str, expected: Ordering) {
        assert_eq!(compare(Scheme::Pep440, a, b), Some(expected));
        assert_eq!(compare(Scheme::Pep440, b, a), Some(expected.reverse()));
    }

    #[test_case("1.0-SNAPSHOT"; "maven qualifier")]
    #[test_case("latest"; "word")]
    #[test_case("1.0+"; "empty local")]
    #[test_case("1.0.*"; "wildcard is a specifier")]
    fn pep440_rejects(text: &str) {
        assert!(Version::parse(Scheme::Pep440, text).is_err(), "{text}");
    }
}
