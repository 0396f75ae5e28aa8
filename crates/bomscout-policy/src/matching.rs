//! Matching packages by purl (with an optional version or version range) and dates.

use std::cmp::Ordering;

/// A package pattern from a policy file: a purl whose version is optional, exact, or a
/// comma-separated range of comparisons (`@>=1.2,<2`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageMatch {
    /// `pkg:type/namespace/name`, without version, qualifiers or subpath.
    pub base: String,
    /// `(comparison, version)` pairs; empty matches every version.
    pub versions: Vec<(Cmp, String)>,
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
        if !t.starts_with("pkg:") || !t[4..].contains('/') {
            return Err(format!("`{t}` is not a package URL"));
        }
        let t = t.split(['?', '#']).next().unwrap_or(t);
        // The version separator is the last `@` after the name (npm scopes are `%40`-encoded,
        // or a leading `@` right after the type's slash).
        let slash = t.rfind('/').unwrap_or(0);
        let (base, version) = match t[slash..].find('@') {
            Some(i) if i > 1 => (&t[..slash + i], Some(&t[slash + i + 1..])),
            _ => (t, None),
        };
        let versions = parse_range(version.unwrap_or(""))?;
        Ok(PackageMatch {
            base: base.replace("/@", "/%40").to_ascii_lowercase(),
            versions,
            text: text.to_string(),
        })
    }

    /// True if `purl` (a component's) is this package at a matching version.
    pub fn matches(&self, purl: &str) -> bool {
        let purl = purl.split(['?', '#']).next().unwrap_or(purl);
        let slash = purl.rfind('/').unwrap_or(0);
        let (base, version) = match purl[slash..].find('@') {
            Some(i) => (&purl[..slash + i], &purl[slash + i + 1..]),
            None => (purl, ""),
        };
        base.to_ascii_lowercase() == self.base && in_range(&self.versions, version)
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

/// True if `version` satisfies every comparison of `range`.
pub fn in_range(range: &[(Cmp, String)], version: &str) -> bool {
    range.iter().all(|(cmp, want)| {
        let ord = compare(version, want);
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

/// Compares dotted versions part by part, numerically where both parts are numbers
/// (`1.10.0` > `1.9.2`), else as text.
pub fn compare(a: &str, b: &str) -> Ordering {
    let mut x = a.split(['.', '-', '+']);
    let mut y = b.split(['.', '-', '+']);
    loop {
        match (x.next(), y.next()) {
            (None, None) => return Ordering::Equal,
            (Some(_), None) => return Ordering::Greater,
            (None, Some(_)) => return Ordering::Less,
            (Some(p), Some(q)) => {
                let ord = match (p.parse::<u64>(), q.parse::<u64>()) {
                    (Ok(m), Ok(n)) => m.cmp(&n),
                    _ => p.cmp(q),
                };
                if ord != Ordering::Equal {
                    return ord;
                }
            }
        }
    }
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
        assert!(PackageMatch::parse("left-pad").is_err());
        assert!(PackageMatch::parse("pkg:npm/x@>=").is_err());
    }

    #[test]
    fn versions_compare_numerically() {
        assert_eq!(compare("1.10.0", "1.9.2"), Ordering::Greater);
        assert_eq!(compare("2.0", "2.0.0"), Ordering::Less);
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
