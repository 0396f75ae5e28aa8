//! Matching packages by purl (with an optional version or version range) and dates.

use std::cmp::Ordering;
use std::str::FromStr;

use bomscout_versions::Scheme;

/// A package pattern from a policy file: a purl whose version is optional, exact, or a
/// comma-separated range of comparisons (`@>=1.2,<2`).
///
/// Both the pattern and the components' purls are read with the `packageurl` crate, so
/// percent-encoding (`%40babel` and `@babel`), qualifiers and subpaths are handled by the
/// spec's rules, not by splitting strings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageMatch {
    /// `pkg:type/`, lowercase: a cheap test that skips most components unparsed.
    prefix: String,
    /// Namespace, lowercase.
    namespace: Option<String>,
    /// Name, lowercase.
    name: String,
    /// `(comparison, version)` pairs; empty matches every version.
    pub versions: Vec<(Cmp, String)>,
    /// The ordering the versions are compared in: the purl type's ecosystem's.
    scheme: Scheme,
    /// The pattern as written.
    pub text: String,
}

/// A version comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmp {
    /// `=` (or a bare version).
    Eq,
    /// `>`.
    Gt,
    /// `>=`.
    Ge,
    /// `<`.
    Lt,
    /// `<=`.
    Le,
}

impl PackageMatch {
    /// Parses `pkg:type/…/name[@version-or-range]`.
    pub fn parse(text: &str) -> Result<PackageMatch, String> {
        let t = text.trim();
        let purl = packageurl::PackageUrl::from_str(t)
            .map_err(|e| format!("`{t}` is not a package URL: {e}"))?;
        let versions = parse_range(purl.version().unwrap_or(""))?;
        Ok(PackageMatch {
            prefix: format!("pkg:{}/", purl.ty().to_ascii_lowercase()),
            namespace: purl.namespace().map(str::to_lowercase),
            name: purl.name().to_lowercase(),
            versions,
            scheme: scheme_of_purl_type(purl.ty()),
            text: text.to_string(),
        })
    }

    /// A pattern for exactly the package (and version, if it has one) that `purl` names:
    /// its version is one version, never read as a range (a VEX document names products
    /// by purl). Qualifiers and subpath are not compared.
    pub fn exact(purl: &str) -> Result<PackageMatch, String> {
        let t = purl.trim();
        let p = packageurl::PackageUrl::from_str(t)
            .map_err(|e| format!("`{t}` is not a package URL: {e}"))?;
        Ok(PackageMatch {
            prefix: format!("pkg:{}/", p.ty().to_ascii_lowercase()),
            namespace: p.namespace().map(str::to_lowercase),
            name: p.name().to_lowercase(),
            versions: p
                .version()
                .filter(|v| !v.is_empty())
                .map(|v| vec![(Cmp::Eq, v.to_string())])
                .unwrap_or_default(),
            scheme: scheme_of_purl_type(p.ty()),
            text: purl.to_string(),
        })
    }

    /// True if `purl` (a component's) is this package at a matching version. Names are
    /// compared without regard to case, as the registries that allow case treat them.
    pub fn matches(&self, purl: &str) -> bool {
        let same_type = purl
            .get(..self.prefix.len())
            .is_some_and(|p| p.eq_ignore_ascii_case(&self.prefix));
        if !same_type {
            return false;
        }
        let Ok(purl) = packageurl::PackageUrl::from_str(purl) else {
            return false;
        };
        purl.name().to_lowercase() == self.name
            && purl.namespace().map(str::to_lowercase) == self.namespace
            && in_range(self.scheme, &self.versions, purl.version().unwrap_or(""))
    }
}

/// Parses a version range: comma-separated comparisons (`>=2.0,<2.17`), a bare version
/// meaning `=`; empty or `*` is every version.
pub fn parse_range(text: &str) -> Result<Vec<(Cmp, String)>, String> {
    match text.trim() {
        "" | "*" => Ok(Vec::new()),
        t => t.split(',').map(comparison).collect(),
    }
}

/// True if `version` satisfies every comparison of `range`, compared in `scheme`, the
/// ordering of the package's ecosystem (`1.0.0-rc1` is below `1.0.0` for npm, `1.0.post1`
/// above `1.0` for PyPI, `1.0-SNAPSHOT` below `1.0` for Maven).
pub fn in_range(scheme: Scheme, range: &[(Cmp, String)], version: &str) -> bool {
    range.iter().all(|(cmp, want)| {
        let ord = compare(scheme, version, want);
        match cmp {
            Cmp::Eq => ord == Ordering::Equal,
            Cmp::Gt => ord == Ordering::Greater,
            Cmp::Ge => ord != Ordering::Less,
            Cmp::Lt => ord == Ordering::Less,
            Cmp::Le => ord != Ordering::Greater,
        }
    })
}

fn comparison(part: &str) -> Result<(Cmp, String), String> {
    let p = part.trim();
    let (cmp, v) = [
        (">=", Cmp::Ge),
        ("<=", Cmp::Le),
        (">", Cmp::Gt),
        ("<", Cmp::Lt),
        ("=", Cmp::Eq),
    ]
    .iter()
    .find_map(|(op, c)| p.strip_prefix(op).map(|v| (*c, v)))
    .unwrap_or((Cmp::Eq, p));
    let v = v.trim();
    if v.is_empty() {
        return Err(format!("`{part}` has no version"));
    }
    Ok((cmp, v.to_string()))
}

/// Compares two versions in `scheme` ([`bomscout_versions`]); a version that does not
/// parse there (a git commit, a vendor's own scheme) falls back to the generic dotted
/// ordering, then to the text, so a comparison always has an answer.
pub fn compare(scheme: Scheme, a: &str, b: &str) -> Ordering {
    bomscout_versions::compare(scheme, a, b)
        .or_else(|| bomscout_versions::compare(Scheme::Generic, a, b))
        .unwrap_or_else(|| a.cmp(b))
}

/// The version ordering of a purl type (`npm`, `pypi`, `maven`, ...).
pub fn scheme_of_purl_type(ty: &str) -> Scheme {
    Scheme::for_ecosystem(bomscout_core::Ecosystem::from_purl_type(ty))
}

/// A calendar date: exception expiry, `--date`, `--since`.
///
/// Backed by jiff, so only real dates parse (`2027-02-31` is refused, not rolled over) and
/// no calendar arithmetic is written by hand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(jiff::civil::Date);

impl Date {
    /// Parses `YYYY-MM-DD`, a real date of the proleptic Gregorian calendar.
    pub fn parse(s: &str) -> Option<Date> {
        let s = s.trim();
        let shape = s.len() == 10
            && s.bytes().enumerate().all(|(i, b)| match i {
                4 | 7 => b == b'-',
                _ => b.is_ascii_digit(),
            });
        if !shape {
            return None;
        }
        s.parse::<jiff::civil::Date>().ok().map(Date)
    }

    /// The UTC date of a Unix time in seconds (clamped to the years jiff supports).
    pub fn from_unix(seconds: i64) -> Date {
        let ts = jiff::Timestamp::from_second(seconds).unwrap_or(if seconds < 0 {
            jiff::Timestamp::MIN
        } else {
            jiff::Timestamp::MAX
        });
        Date(jiff::tz::Offset::UTC.to_datetime(ts).date())
    }

    /// Midnight UTC of this date, in Unix seconds.
    pub fn to_unix(self) -> i64 {
        jiff::tz::Offset::UTC
            .to_timestamp(self.0.to_datetime(jiff::civil::Time::midnight()))
            .map(|t| t.as_second())
            .unwrap_or(0)
    }
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purl_patterns() {
        let any = PackageMatch::parse("pkg:npm/left-pad").unwrap();
        assert!(any.matches("pkg:npm/left-pad@1.3.0"));
        assert!(!any.matches("pkg:npm/left-pads@1.3.0"));
        let exact = PackageMatch::parse("pkg:npm/left-pad@1.3.0").unwrap();
        assert!(exact.matches("pkg:npm/left-pad@1.3.0"));
        assert!(!exact.matches("pkg:npm/left-pad@1.3.1"));
        let range = PackageMatch::parse("pkg:cargo/ring@>=0.16,<0.18").unwrap();
        assert!(range.matches("pkg:cargo/ring@0.17.8"));
        assert!(!range.matches("pkg:cargo/ring@0.18.0"));
        let scoped = PackageMatch::parse("pkg:npm/@babel/core@7.0.0").unwrap();
        assert!(scoped.matches("pkg:npm/%40babel/core@7.0.0"));
        let encoded = PackageMatch::parse("pkg:npm/%40babel/core").unwrap();
        assert!(encoded.matches("pkg:npm/%40babel/core@7.1.0"));
        assert!(
            !encoded.matches("pkg:npm/core@7.1.0"),
            "the namespace counts"
        );
        let pypi = PackageMatch::parse("pkg:pypi/Foo_Bar@>=1").unwrap();
        assert!(pypi.matches("pkg:pypi/foo-bar@1.2"), "PEP 503 names");
        let maven =
            PackageMatch::parse("pkg:maven/org.apache.logging.log4j/log4j-core@<2.17.1").unwrap();
        assert!(maven.matches("pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1?type=jar"));
        assert!(!maven.matches("pkg:maven/org.apache.logging.log4j/log4j-api@2.14.1"));
        assert!(!maven.matches("pkg:npm/log4j-core@2.14.1"));
        assert!(!maven.matches("not a purl"));
        let pre = PackageMatch::parse("pkg:npm/next@<1.0.0").unwrap();
        assert!(
            pre.matches("pkg:npm/next@1.0.0-rc1"),
            "a pre-release is below its release"
        );
        assert!(!pre.matches("pkg:npm/next@1.0.0"));
        let post = PackageMatch::parse("pkg:pypi/x@>1.0").unwrap();
        assert!(post.matches("pkg:pypi/x@1.0.post1"), "PEP 440 post-release");
        assert!(!post.matches("pkg:pypi/x@1.0.0"), "1.0.0 == 1.0 in PEP 440");
        let snap = PackageMatch::parse("pkg:maven/g/a@<1.0").unwrap();
        assert!(snap.matches("pkg:maven/g/a@1.0-SNAPSHOT"));
        assert!(
            !snap.matches("pkg:maven/g/a@1.0.0"),
            "1.0 == 1.0.0 in Maven"
        );
        assert!(PackageMatch::parse("left-pad").is_err());
        assert!(PackageMatch::parse("pkg:npm/x@>=").is_err());
    }

    #[test]
    fn versions_compare_in_their_ecosystems_order() {
        assert_eq!(
            compare(Scheme::SemVer, "1.10.0", "1.9.2"),
            Ordering::Greater
        );
        assert_eq!(
            compare(Scheme::SemVer, "1.0.0-rc1", "1.0.0"),
            Ordering::Less
        );
        assert_eq!(compare(Scheme::Pep440, "2.0", "2.0.0"), Ordering::Equal);
        // A git commit is no SemVer version: the generic order, then the text, answer.
        assert_eq!(compare(Scheme::SemVer, "abc123", "abc123"), Ordering::Equal);
    }

    #[test]
    fn dates() {
        assert_eq!(Date::parse("2027-06-30").unwrap().to_string(), "2027-06-30");
        assert!(Date::parse("2027-13-01").is_none());
        assert!(Date::parse("30/06/2027").is_none());
        assert_eq!(Date::from_unix(1_700_000_000).to_string(), "2023-11-14");
        assert_eq!(Date::from_unix(0).to_string(), "1970-01-01");
        assert!(Date::parse("2026-02-30").is_none(), "no such day");
        assert!(Date::parse("2027-02-31").is_none());
        assert!(Date::parse("2028-02-29").is_some(), "a leap day");
        assert!(Date::parse("2100-02-29").is_none(), "not a leap year");
        assert!(Date::parse("20270101").is_none());
        let d = Date::parse("2024-03-06").unwrap();
        assert_eq!(d.to_unix(), 1_709_683_200);
        assert_eq!(Date::from_unix(d.to_unix()), d);
        assert!(
            Date::from_unix(i64::MAX)
                .to_string()
                .starts_with("9999-12-"),
            "clamped"
        );
    }
}
