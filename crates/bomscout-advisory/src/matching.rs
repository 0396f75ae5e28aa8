//! Exact matching, as the OSV schema's "Evaluation" section defines it.
//!
//! A version is affected by an `affected[]` entry when it is listed in `versions`, or when a
//! `SEMVER` or `ECOSYSTEM` range includes it: the range's events, sorted in the ecosystem's
//! order (`introduced: "0"` first), are walked, and the last event at or below the version
//! decides (`introduced` opens, `fixed` closes at its version, `last_affected` closes after
//! it); `limit` events cap the range (the version must be below one of them). `GIT` ranges
//! name commits, which an installed version does not have: they are not evaluated.

use crate::osv::{AffectedPackage, Record};
use bomscout_core::{pep503, Component, Ecosystem};
use bomscout_versions::{Scheme, Version};
use std::cmp::Ordering;

/// The name an OSV ecosystem's records use, normalized so that a record's name and a
/// component's name compare equal exactly when the ecosystem says they are the same
/// package: PEP 503 for PyPI, case-insensitive for NuGet and Packagist, exact elsewhere
/// (npm, Go module paths, Maven `group:artifact`, RubyGems and crates are case-sensitive).
pub fn normalize_name(osv_ecosystem: &str, name: &str) -> String {
    let base = osv_ecosystem.split(':').next().unwrap_or(osv_ecosystem);
    match base {
        "PyPI" => pep503(name),
        "NuGet" | "Packagist" => name.trim().to_lowercase(),
        _ => name.trim().to_string(),
    }
}

/// The component's package name as its ecosystem's OSV records write it: npm
/// `@scope/name`, Maven `group:artifact`, Go's full module path, Packagist
/// `vendor/package`; the bare name elsewhere.
pub fn osv_package_name(component: &Component) -> String {
    match (&component.namespace, component.ecosystem) {
        (Some(ns), Ecosystem::Maven) => format!("{ns}:{}", component.name),
        (Some(ns), _) => format!("{ns}/{}", component.name),
        (None, _) => component.name.clone(),
    }
}

/// Why a range could not be evaluated for a version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Skipped {
    /// A `GIT` range (commits, not versions).
    Git,
    /// An event's version does not parse in the scheme; the message says which.
    BadEvent(String),
    /// The installed version does not parse in the scheme.
    BadVersion(String),
    /// A range type this version of the schema does not define.
    UnknownType(String),
}

/// The verdict of one record for one installed version.
#[derive(Debug, Clone, Default)]
pub struct Verdict {
    /// The version is affected.
    pub affected: bool,
    /// The lowest `fixed` version above the installed one that no range or list of the
    /// record's matching entries affects.
    pub fixed: Option<String>,
    /// Ranges that could not be evaluated.
    pub skipped: Vec<Skipped>,
}

/// The installed version, parsed lazily in each scheme a range asks for.
pub struct Installed<'a> {
    /// The version as the component gives it.
    pub text: &'a str,
    ecosystem_scheme: Scheme,
    parsed: Vec<(Scheme, Option<Version>)>,
}

impl<'a> Installed<'a> {
    /// `text` of a component of `ecosystem`.
    pub fn new(ecosystem: Ecosystem, text: &'a str) -> Installed<'a> {
        Installed {
            text,
            ecosystem_scheme: Scheme::for_ecosystem(ecosystem),
            parsed: Vec::new(),
        }
    }

    /// The scheme of a range type: `ECOSYSTEM` ranges use the ecosystem's ordering;
    /// `SEMVER` ranges use SemVer 2.0, or Go's ordering (its SemVer with the `v` prefix and
    /// pseudo-versions) for Go modules.
    fn scheme_of(&self, range_type: &str) -> Option<Scheme> {
        match range_type {
            "ECOSYSTEM" => Some(self.ecosystem_scheme),
            "SEMVER" if self.ecosystem_scheme == Scheme::Go => Some(Scheme::Go),
            "SEMVER" => Some(Scheme::SemVer),
            _ => None,
        }
    }

    fn version(&mut self, scheme: Scheme) -> Option<Version> {
        if let Some((_, v)) = self.parsed.iter().find(|(s, _)| *s == scheme) {
            return v.clone();
        }
        let v = Version::parse(scheme, self.text).ok();
        self.parsed.push((scheme, v.clone()));
        v
    }
}

/// One event, parsed.
#[derive(Debug, Clone)]
enum Ev {
    /// `None`: `"0"`, before every version.
    Introduced(Option<Version>),
    LastAffected(Version),
    Fixed(Version),
}

impl Ev {
    fn version(&self) -> Option<&Version> {
        match self {
            Ev::Introduced(v) => v.as_ref(),
            Ev::LastAffected(v) | Ev::Fixed(v) => Some(v),
        }
    }

    /// Events at one version: `introduced` before `last_affected` before `fixed`.
    fn rank(&self) -> u8 {
        match self {
            Ev::Introduced(_) => 0,
            Ev::LastAffected(_) => 1,
            Ev::Fixed(_) => 2,
        }
    }
}

fn order(a: &Ev, b: &Ev) -> Ordering {
    match (a.version(), b.version()) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Less,
        (Some(_), None) => Ordering::Greater,
        (Some(x), Some(y)) => x.cmp(y),
    }
    .then(a.rank().cmp(&b.rank()))
}

/// A range's events, parsed and sorted, and its limits (`None`: no limit).
struct Parsed {
    events: Vec<Ev>,
    limits: Vec<Version>,
}

fn parse_range(
    range: &crate::osv::Range,
    scheme: Scheme,
    record_id: &str,
) -> Result<Parsed, Skipped> {
    let parse = |text: &str| {
        Version::parse(scheme, text).map_err(|e| {
            Skipped::BadEvent(format!(
                "{record_id}: a {} range event {e}",
                range.kind.as_str()
            ))
        })
    };
    let mut events = Vec::new();
    let mut limits = Vec::new();
    for e in &range.events {
        if let Some(v) = &e.introduced {
            let v = v.trim();
            events.push(Ev::Introduced(if v == "0" {
                None
            } else {
                Some(parse(v)?)
            }));
        }
        if let Some(v) = &e.fixed {
            events.push(Ev::Fixed(parse(v)?));
        }
        if let Some(v) = &e.last_affected {
            events.push(Ev::LastAffected(parse(v)?));
        }
        if let Some(v) = &e.limit {
            if v.trim() != "*" {
                limits.push(parse(v)?);
            }
        }
    }
    events.sort_by(order);
    Ok(Parsed { events, limits })
}

fn includes(parsed: &Parsed, v: &Version) -> bool {
    if !parsed.limits.is_empty() && !parsed.limits.iter().any(|l| v < l) {
        return false;
    }
    let mut affected = false;
    for e in &parsed.events {
        match e {
            Ev::Introduced(None) => affected = true,
            Ev::Introduced(Some(i)) if v >= i => affected = true,
            Ev::Fixed(f) if v >= f => affected = false,
            Ev::LastAffected(l) if v > l => affected = false,
            _ => {}
        }
    }
    affected
}

/// True when `affected` describes `name` (normalized) in `ecosystem`.
pub fn describes(affected: &AffectedPackage, ecosystem: &str, name: &str) -> bool {
    affected
        .package
        .as_ref()
        .is_some_and(|p| p.ecosystem == ecosystem && normalize_name(&p.ecosystem, &p.name) == name)
}

/// Evaluates `record` for the installed `version` of the package `name` (normalized) in
/// the OSV ecosystem `ecosystem`.
pub fn evaluate(
    record: &Record,
    ecosystem: &str,
    name: &str,
    version: &mut Installed<'_>,
) -> Verdict {
    let mut verdict = Verdict::default();
    // Every evaluable range of the entries that describe this package, with its scheme.
    let mut ranges: Vec<(Scheme, Parsed)> = Vec::new();
    let mut listed: Vec<&str> = Vec::new();
    for entry in record
        .affected
        .iter()
        .filter(|a| describes(a, ecosystem, name))
    {
        listed.extend(entry.versions.iter().map(String::as_str));
        for range in &entry.ranges {
            let Some(scheme) = version.scheme_of(range.kind.as_str()) else {
                verdict.skipped.push(if range.kind == "GIT" {
                    Skipped::Git
                } else {
                    Skipped::UnknownType(range.kind.clone())
                });
                continue;
            };
            match parse_range(range, scheme, &record.id) {
                Ok(parsed) => ranges.push((scheme, parsed)),
                Err(skip) => verdict.skipped.push(skip),
            }
        }
    }
    let in_list = |text: &str, version: &mut Installed<'_>| {
        if listed.iter().any(|l| l.trim() == text) {
            return true;
        }
        // `1.0` and `1.0.0` are one version in PEP 440 and Maven: compare in the
        // ecosystem's order when both parse.
        let scheme = version.ecosystem_scheme;
        let Ok(v) = Version::parse(scheme, text) else {
            return false;
        };
        listed
            .iter()
            .any(|l| Version::parse(scheme, l).is_ok_and(|l| l == v))
    };
    let mut affected = in_list(version.text, version);
    let mut bad_version = false;
    for (scheme, parsed) in &ranges {
        match version.version(*scheme) {
            Some(v) => affected |= includes(parsed, &v),
            None => bad_version = true,
        }
    }
    if bad_version {
        verdict
            .skipped
            .push(Skipped::BadVersion(version.text.to_string()));
    }
    verdict.affected = affected;
    if !affected {
        return verdict;
    }
    // The fix: the lowest `fixed` above the installed version that nothing affects.
    let mut candidates: Vec<(Scheme, Version)> = Vec::new();
    for (scheme, parsed) in &ranges {
        let Some(v) = version.version(*scheme) else {
            continue;
        };
        for e in &parsed.events {
            if let Ev::Fixed(f) = e {
                if *f > v {
                    candidates.push((*scheme, f.clone()));
                }
            }
        }
    }
    candidates.sort_by(|a, b| a.1.cmp(&b.1));
    verdict.fixed = candidates
        .into_iter()
        .find(|(_, f)| {
            let listed_too = listed.iter().any(|l| l.trim() == f.as_str());
            !listed_too
                && ranges
                    .iter()
                    .filter(|(s, _)| *s == f.scheme())
                    .all(|(_, p)| !includes(p, f))
        })
        .map(|(_, f)| spelled_like(version.text, f.as_str()));
    verdict
}

/// `fixed` as the user writes versions: OSV's Go records drop the `v` of module versions,
/// which `go get` and go.mod need (`upgrade to v0.17.0`, not `0.17.0`).
fn spelled_like(installed: &str, fixed: &str) -> String {
    if installed.starts_with('v')
        && !fixed.starts_with('v')
        && fixed.starts_with(|c: char| c.is_ascii_digit())
    {
        format!("v{fixed}")
    } else {
        fixed.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(json: &str) -> Record {
        Record::from_json(json.as_bytes()).unwrap()
    }

    #[test]
    fn a_go_fix_keeps_the_v_of_module_versions() {
        assert_eq!(
            spelled_like("v0.0.0-20181203042331-505ab145d0a9", "0.17.0"),
            "v0.17.0"
        );
        assert_eq!(spelled_like("v1.2.3", "v1.2.4"), "v1.2.4");
        assert_eq!(spelled_like("1.2.3", "1.2.4"), "1.2.4");
    }

    fn check(r: &Record, eco: Ecosystem, version: &str) -> Verdict {
        let osv = eco.osv_name().unwrap();
        let name = r.affected[0].package.as_ref().unwrap().name.clone();
        let mut installed = Installed::new(eco, version);
        evaluate(r, osv, &normalize_name(osv, &name), &mut installed)
    }

    #[test]
    fn several_introduced_fixed_pairs_in_one_range() {
        let r = record(
            r#"{"id":"T-1","affected":[{"package":{"ecosystem":"PyPI","name":"a"},
               "ranges":[{"type":"ECOSYSTEM","events":[
                 {"introduced":"2.0"},{"fixed":"2.4.1"},{"introduced":"0"},{"fixed":"1.9.3"}]}]}]}"#,
        );
        let cases = [
            ("0.1", true, Some("1.9.3")),
            ("1.9.3", false, None),
            ("1.9.9", false, None),
            ("2.0", true, Some("2.4.1")),
            ("2.4.0", true, Some("2.4.1")),
            ("2.4.1", false, None),
            ("3.0", false, None),
        ];
        for (v, affected, fixed) in cases {
            let verdict = check(&r, Ecosystem::PyPI, v);
            assert_eq!(verdict.affected, affected, "{v}");
            assert_eq!(verdict.fixed.as_deref(), fixed, "{v}");
        }
    }

    #[test]
    fn last_affected_closes_after_its_version() {
        let r = record(
            r#"{"id":"T-2","affected":[{"package":{"ecosystem":"npm","name":"a"},
               "ranges":[{"type":"SEMVER","events":[{"introduced":"1.0.0"},{"last_affected":"1.4.2"}]}]}]}"#,
        );
        assert!(!check(&r, Ecosystem::Npm, "0.9.0").affected);
        assert!(check(&r, Ecosystem::Npm, "1.4.2").affected);
        assert!(check(&r, Ecosystem::Npm, "1.4.2").fixed.is_none());
        // SemVer: 1.4.3-rc.1 is above 1.4.2.
        assert!(!check(&r, Ecosystem::Npm, "1.4.3-rc.1").affected);
        assert!(!check(&r, Ecosystem::Npm, "1.4.3").affected);
    }

    #[test]
    fn limit_caps_the_range() {
        let r = record(
            r#"{"id":"T-3","affected":[{"package":{"ecosystem":"npm","name":"a"},
               "ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"limit":"2.0.0"}]}]}]}"#,
        );
        assert!(check(&r, Ecosystem::Npm, "1.9.9").affected);
        assert!(!check(&r, Ecosystem::Npm, "2.0.0").affected);
    }

    #[test]
    fn versions_only_records_match_listed_versions() {
        let r = record(
            r#"{"id":"T-4","affected":[{"package":{"ecosystem":"PyPI","name":"Zope.Interface"},
               "versions":["1.0","1.1.post1"]}]}"#,
        );
        assert!(check(&r, Ecosystem::PyPI, "1.0").affected);
        // PEP 440: 1.0.0 is 1.0.
        assert!(check(&r, Ecosystem::PyPI, "1.0.0").affected);
        assert!(check(&r, Ecosystem::PyPI, "1.1.post1").affected);
        assert!(!check(&r, Ecosystem::PyPI, "1.1").affected);
        assert!(check(&r, Ecosystem::PyPI, "1.0").fixed.is_none());
    }

    #[test]
    fn git_ranges_are_skipped_and_said() {
        let r = record(
            r#"{"id":"T-5","affected":[{"package":{"ecosystem":"npm","name":"a"},
               "ranges":[{"type":"GIT","repo":"https://example.invalid/a","events":[{"introduced":"0"},{"fixed":"abc123"}]}]}]}"#,
        );
        let v = check(&r, Ecosystem::Npm, "1.0.0");
        assert!(!v.affected);
        assert_eq!(v.skipped, [Skipped::Git]);
    }

    #[test]
    fn an_unparseable_event_skips_the_range_with_a_reason() {
        let r = record(
            r#"{"id":"T-6","affected":[{"package":{"ecosystem":"npm","name":"a"},
               "ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"not a version"}]}],
               "versions":["0.1.0"]}]}"#,
        );
        let v = check(&r, Ecosystem::Npm, "0.1.0");
        assert!(v.affected, "the versions list still answers");
        assert!(matches!(&v.skipped[..], [Skipped::BadEvent(m)] if m.contains("T-6")));
    }

    #[test]
    fn names_normalize_per_ecosystem() {
        assert_eq!(normalize_name("PyPI", "Zope.Interface"), "zope-interface");
        assert_eq!(
            normalize_name("NuGet", "Newtonsoft.Json"),
            "newtonsoft.json"
        );
        assert_eq!(
            normalize_name("Packagist", "Symfony/HTTP-Kernel"),
            "symfony/http-kernel"
        );
        assert_eq!(normalize_name("npm", "@Babel/core"), "@Babel/core");
        let maven = Component::new(
            Ecosystem::Maven,
            Some("org.apache.logging.log4j"),
            "log4j-core",
            "2.14.1",
        )
        .unwrap();
        assert_eq!(
            osv_package_name(&maven),
            "org.apache.logging.log4j:log4j-core"
        );
        let npm = Component::new(Ecosystem::Npm, Some("@babel"), "core", "7.0.0").unwrap();
        assert_eq!(osv_package_name(&npm), "@babel/core");
        let go = Component::new(Ecosystem::Golang, Some("golang.org/x"), "net", "v0.1.0").unwrap();
        assert_eq!(osv_package_name(&go), "golang.org/x/net");
    }

    #[test]
    fn other_packages_of_the_record_do_not_count() {
        let r = record(
            r#"{"id":"T-7","affected":[
                 {"package":{"ecosystem":"npm","name":"b"},"versions":["1.0.0"]},
                 {"package":{"ecosystem":"PyPI","name":"a"},"versions":["1.0.0"]}]}"#,
        );
        let mut installed = Installed::new(Ecosystem::Npm, "1.0.0");
        assert!(!evaluate(&r, "npm", "a", &mut installed).affected);
        let mut installed = Installed::new(Ecosystem::Npm, "1.0.0");
        assert!(evaluate(&r, "npm", "b", &mut installed).affected);
    }

    #[test]
    fn the_fix_is_the_lowest_unaffected_fixed_above() {
        // Two ranges: 1.x fixed in 1.5 but 1.5 is re-opened by a second range up to 1.7.
        let r = record(
            r#"{"id":"T-8","affected":[{"package":{"ecosystem":"npm","name":"a"},
               "ranges":[{"type":"SEMVER","events":[{"introduced":"1.0.0"},{"fixed":"1.5.0"}]},
                         {"type":"SEMVER","events":[{"introduced":"1.5.0"},{"fixed":"1.7.0"}]}]}]}"#,
        );
        let v = check(&r, Ecosystem::Npm, "1.2.0");
        assert!(v.affected);
        assert_eq!(v.fixed.as_deref(), Some("1.7.0"));
    }
}
