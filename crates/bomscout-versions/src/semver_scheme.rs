//! SemVer 2.0.0 (with the `semver` crate) and Go module versions, which are SemVer with a `v`.

use crate::{Scheme, VersionError};

/// Parses a SemVer version as lockfiles write it: a leading `v`, `V` or `=` is dropped and a short
/// core (`1`, `1.2`) is padded with zeros. Build metadata is dropped: it never orders.
pub(crate) fn parse_semver(text: &str) -> Result<semver::Version, VersionError> {
    let body = text.strip_prefix('=').unwrap_or(text).trim_start();
    let body = body.strip_prefix(['v', 'V']).unwrap_or(body);
    parse_padded(Scheme::SemVer, text, body)
}

/// Parses a Go module version (`v1.2.3`, `v2.0.0+incompatible`, pseudo-versions). The `v` is
/// optional here because some lockfile-like sources drop it; `+incompatible` is build metadata
/// and so ignored, as `golang.org/x/mod/semver` does.
pub(crate) fn parse_go(text: &str) -> Result<semver::Version, VersionError> {
    let body = text.strip_prefix('v').unwrap_or(text);
    parse_padded(Scheme::Go, text, body)
}

fn parse_padded(scheme: Scheme, text: &str, body: &str) -> Result<semver::Version, VersionError> {
    let split = body.find(['-', '+']).unwrap_or(body.len());
    let (core, rest) = body.split_at(split);
    let parts = core.split('.').count();
    let padded;
    let full = match parts {
        1 => {
            padded = format!("{core}.0.0{rest}");
            padded.as_str()
        }
        2 => {
            padded = format!("{core}.0{rest}");
            padded.as_str()
        }
        _ => body,
    };
    let mut version = semver::Version::parse(full)
        .map_err(|e| VersionError::invalid(scheme, text, e.to_string()))?;
    version.build = semver::BuildMetadata::EMPTY;
    Ok(version)
}

#[cfg(test)]
mod tests {
    use crate::{compare, Scheme, Version};
    use std::cmp::Ordering::{self, Equal, Greater, Less};
    use test_case::test_case;

    // semver.org §11's example chain, npm's and Cargo's lockfile habits, and `1.0` vs `1.0.0`.
    #[test_case("1.0.0-alpha", "1.0.0-alpha.1", Less; "semver.org 11: shorter pre-release set is lower")]
    #[test_case("1.0.0-alpha.1", "1.0.0-alpha.beta", Less; "numeric identifier below alphanumeric")]
    #[test_case("1.0.0-alpha.beta", "1.0.0-beta", Less; "alpha.beta below beta")]
    #[test_case("1.0.0-beta", "1.0.0-beta.2", Less; "beta below beta.2")]
    #[test_case("1.0.0-beta.2", "1.0.0-beta.11", Less; "numeric identifiers compare as numbers")]
    #[test_case("1.0.0-beta.11", "1.0.0-rc.1", Less; "beta.11 below rc.1")]
    #[test_case("1.0.0-rc.1", "1.0.0", Less; "pre-release below the release")]
    #[test_case("1.0.0-rc1", "1.0.0", Less; "rc1 below the release (the issue's bug)")]
    #[test_case("1.0.0", "2.0.0", Less; "major")]
    #[test_case("2.0.0", "2.1.0", Less; "minor")]
    #[test_case("2.1.0", "2.1.1", Less; "patch")]
    #[test_case("1.9.0", "1.10.0", Less; "numeric not lexical")]
    #[test_case("1.0.0+build.1", "1.0.0+build.2", Equal; "build metadata ignored")]
    #[test_case("1.0.0+20130313144700", "1.0.0", Equal; "build metadata ignored against none")]
    #[test_case("v1.2.3", "1.2.3", Equal; "leading v")]
    #[test_case("=1.2.3", "1.2.3", Equal; "leading equals")]
    #[test_case("1.0", "1.0.0", Equal; "short core padded")]
    #[test_case("1", "1.0.0", Equal; "major only padded")]
    #[test_case("1.0-rc.1", "1.0.0", Less; "padded pre-release")]
    #[test_case("0.0.0-0", "0.0.0", Less; "lowest pre-release")]
    fn semver_orders(a: &str, b: &str, expected: Ordering) {
        assert_eq!(compare(Scheme::SemVer, a, b), Some(expected));
        assert_eq!(compare(Scheme::SemVer, b, a), Some(expected.reverse()));
    }

    #[test_case("v1.2.3", "v1.2.4", Less; "patch")]
    #[test_case("v1.2.3-pre", "v1.2.3", Less; "pre-release")]
    #[test_case("v0.0.0-20191109021931-daa7c04131f5", "v0.0.1", Less; "pseudo-version before the first tag")]
    #[test_case("v0.0.0-20191109021931-daa7c04131f5", "v0.0.0-20200101000000-aaaaaaaaaaaa", Less; "pseudo-versions by timestamp")]
    #[test_case("v1.2.4-0.20191109021931-daa7c04131f5", "v1.2.4", Less; "pseudo-version after v1.2.3 below v1.2.4")]
    #[test_case("v1.2.3", "v1.2.4-0.20191109021931-daa7c04131f5", Less; "pseudo-version above its base tag")]
    #[test_case("v1.2.4-pre.0.20191109021931-daa7c04131f5", "v1.2.4-pre", Greater; "pseudo-version after a pre-release tag")]
    #[test_case("v2.0.0+incompatible", "v2.0.0", Equal; "incompatible is build metadata")]
    #[test_case("v2.0.0+incompatible", "v2.0.1+incompatible", Less; "incompatible versions order by core")]
    #[test_case("v1", "v1.0.0", Equal; "shorthand major")]
    #[test_case("v1.2", "v1.2.0", Equal; "shorthand minor")]
    #[test_case("v1.10.0", "v1.9.0", Greater; "numeric not lexical")]
    fn go_orders(a: &str, b: &str, expected: Ordering) {
        assert_eq!(compare(Scheme::Go, a, b), Some(expected));
        assert_eq!(compare(Scheme::Go, b, a), Some(expected.reverse()));
    }

    #[test_case("1.2.3.4"; "four parts")]
    #[test_case("01.2.3"; "leading zero")]
    #[test_case("1.2.3-"; "empty pre-release")]
    #[test_case("1.2.x"; "wildcard is a range, not a version")]
    #[test_case("^1.2.3"; "caret is a range")]
    #[test_case("latest"; "tag name")]
    #[test_case("1..2"; "empty part")]
    #[test_case("vv1.2.3"; "one v at most")]
    fn semver_rejects(text: &str) {
        assert!(Version::parse(Scheme::SemVer, text).is_err(), "{text}");
    }

    #[test]
    fn go_rejects_garbage() {
        assert!(Version::parse(Scheme::Go, "vX").is_err());
        assert!(Version::parse(Scheme::Go, "v1.2.3.4").is_err());
    }
}
