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
/// `vendor/package`; for OS packages the **source** package, which Debian's and Alpine's
/// records name ([`os_source`]); the bare name elsewhere.
pub fn osv_package_name(component: &Component) -> String {
    if let Some((source, _)) = os_source(component) {
        return source;
    }
    match (&component.namespace, component.ecosystem) {
        (Some(ns), Ecosystem::Maven) => format!("{ns}:{}", component.name),
        (Some(ns), _) => format!("{ns}/{}", component.name),
        (None, _) => component.name.clone(),
    }
}

/// The source package of a `deb` or `apk` component and its version, as OSV's Debian and
/// Alpine records name them (`openssl`, not `libssl3`): the `source` / `source-version`
/// properties the dpkg and apk readers set (dpkg's `Source: name (version)`, apk's `o:`
/// origin), else the purl's `upstream` qualifier (`openssl` or `glibc@2.36-9`, as Syft
/// writes it in an SBOM read back), else the binary package itself (dpkg leaves `Source`
/// out when it equals the package). The version is the binary's unless the source's
/// differs (a binNMU's `+b1`). `None` for other ecosystems.
pub fn os_source(component: &Component) -> Option<(String, Option<String>)> {
    if !matches!(component.ecosystem, Ecosystem::Deb | Ecosystem::Apk) {
        return None;
    }
    let nonempty = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
    if let Some(source) = component.properties.get("source").and_then(|s| nonempty(s)) {
        let version = component
            .properties
            .get("source-version")
            .and_then(|v| nonempty(v));
        return Some((source, version));
    }
    if let Some(upstream) = purl_qualifier(component.purl.as_str(), "upstream") {
        let (name, version) = match upstream.split_once('@') {
            Some((n, v)) => (n.to_string(), nonempty(v)),
            None => (upstream.clone(), None),
        };
        if let Some(name) = nonempty(&name) {
            return Some((name, version));
        }
    }
    Some((component.name.clone(), None))
}

/// Where a component's advisories are filed in OSV.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OsvTarget {
    /// Under this OSV ecosystem (`PyPI`, `Debian:12`, `Alpine:v3.20`).
    Ecosystem(String),
    /// An OS package (`deb`, `apk`) whose distribution release is unknown: its purl has no
    /// `distro` qualifier, or one bomscout cannot read as a Debian or Alpine release. Its
    /// advisories depend on the release, so it is not matched (and the scan says so).
    NoRelease,
    /// An ecosystem, or an OS distribution, OSV has no advisories for here.
    Uncovered,
}

/// The OSV ecosystem a component's advisories are filed under. Language ecosystems have
/// one name ([`Ecosystem::osv_name`]); OS packages are filed per release, read from the
/// purl's `distro` qualifier (`debian-12` → `Debian:12`, `alpine-3.20.3` → `Alpine:v3.20`).
/// A `deb`/`apk` purl of another distribution (`pkg:deb/ubuntu/...`) is [`OsvTarget::Uncovered`].
pub fn osv_target(component: &Component) -> OsvTarget {
    match component.ecosystem {
        Ecosystem::Deb | Ecosystem::Apk => {
            // The purl namespace names the distribution (`pkg:deb/debian/...`); one of
            // another distribution is not looked up in Debian's or Alpine's records.
            let wanted = match component.ecosystem {
                Ecosystem::Deb => "debian",
                _ => "alpine",
            };
            if let Some(ns) = component
                .namespace
                .as_deref()
                .or_else(|| purl_namespace(component))
            {
                if !ns.eq_ignore_ascii_case(wanted) {
                    return OsvTarget::Uncovered;
                }
            }
            match purl_qualifier(component.purl.as_str(), "distro") {
                Some(distro) => match os_release_ecosystem(component.ecosystem, &distro) {
                    Some(eco) => OsvTarget::Ecosystem(eco),
                    None if distro_id(&distro)
                        .is_some_and(|id| !id.eq_ignore_ascii_case(wanted)) =>
                    {
                        OsvTarget::Uncovered
                    }
                    None => OsvTarget::NoRelease,
                },
                None => OsvTarget::NoRelease,
            }
        }
        other => match other.osv_name() {
            Some(name) => OsvTarget::Ecosystem(name.to_string()),
            None => OsvTarget::Uncovered,
        },
    }
}

/// The OSV ecosystem of a `distro` qualifier: `debian-12` (bomscout's and Syft's spelling,
/// `ID-VERSION_ID`) or `debian-12.5` → `Debian:12`; `alpine-3.20.3` → `Alpine:v3.20`. A
/// bare version (`12`, `3.20.3`, as Trivy writes it) is read in the ecosystem's
/// distribution. `None` when the qualifier names another distribution or no numeric
/// release (`alpine-edge`).
pub fn os_release_ecosystem(ecosystem: Ecosystem, distro: &str) -> Option<String> {
    let distro = distro.trim();
    let (id, version) = match distro_id(distro) {
        Some(id) => (id, &distro[id.len() + 1..]),
        None => (
            match ecosystem {
                Ecosystem::Deb => "debian",
                Ecosystem::Apk => "alpine",
                _ => return None,
            },
            distro,
        ),
    };
    let version = version.strip_prefix('v').unwrap_or(version);
    let mut parts = version.split(['.', '_']);
    let numeric = |s: Option<&str>| {
        s.filter(|s| !s.is_empty() && s.len() <= 6 && s.bytes().all(|b| b.is_ascii_digit()))
            .map(|s| s.trim_start_matches('0').to_string())
            .map(|s| if s.is_empty() { "0".to_string() } else { s })
    };
    match (ecosystem, id.to_ascii_lowercase().as_str()) {
        (Ecosystem::Deb, "debian") => Some(format!("Debian:{}", numeric(parts.next())?)),
        (Ecosystem::Apk, "alpine") => {
            let major = numeric(parts.next())?;
            let minor = numeric(parts.next())?;
            Some(format!("Alpine:v{major}.{minor}"))
        }
        _ => None,
    }
}

/// The distribution id of a `distro` qualifier written `ID-VERSION` (`debian` of
/// `debian-12`), if it has one.
fn distro_id(distro: &str) -> Option<&str> {
    let (id, _) = distro.split_once('-')?;
    (!id.is_empty() && id.bytes().all(|b| b.is_ascii_alphabetic())).then_some(id)
}

/// The namespace of a component's purl (`debian` of `pkg:deb/debian/bash@...`), for
/// components read from an SBOM whose namespace field is empty.
fn purl_namespace(component: &Component) -> Option<&str> {
    let rest = component.purl.as_str().strip_prefix("pkg:")?;
    let path = rest.split(['?', '#', '@']).next()?;
    let mut segments = path.split('/');
    segments.next()?;
    let first = segments.next()?;
    segments.next().map(|_| first)
}

/// The value of qualifier `key` of a purl, percent-decoded (`glibc%402.36-9` →
/// `glibc@2.36-9`); `None` when absent or empty.
pub fn purl_qualifier(purl: &str, key: &str) -> Option<String> {
    let query = purl.split_once('?')?.1;
    let query = query.split('#').next().unwrap_or(query);
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| percent_decode(v))
        .filter(|v| !v.is_empty())
}

/// `%XX` sequences decoded (an invalid one kept as written; invalid UTF-8 replaced).
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
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

    /// A component as the OS readers make it: `qualifiers` on the purl, `properties` set.
    fn os(
        eco: Ecosystem,
        name: &str,
        version: &str,
        q: &[(&str, &str)],
        props: &[(&str, &str)],
    ) -> Component {
        let ns = match eco {
            Ecosystem::Deb => "debian",
            _ => "alpine",
        };
        let mut c = Component::with_qualifiers(eco, Some(ns), name, version, q).unwrap();
        for (k, v) in props {
            c.properties.insert((*k).into(), (*v).into());
        }
        c
    }

    #[test]
    fn distro_qualifiers_map_to_osv_release_ecosystems() {
        let deb = |d| os_release_ecosystem(Ecosystem::Deb, d);
        let apk = |d| os_release_ecosystem(Ecosystem::Apk, d);
        assert_eq!(deb("debian-12").as_deref(), Some("Debian:12"));
        assert_eq!(deb("debian-9").as_deref(), Some("Debian:9"));
        assert_eq!(deb("debian-12.5").as_deref(), Some("Debian:12"));
        // Trivy writes the bare version.
        assert_eq!(deb("12").as_deref(), Some("Debian:12"));
        assert_eq!(deb("ubuntu-22.04"), None);
        assert_eq!(deb("debian-bookworm"), None);
        assert_eq!(deb("debian-"), None);
        assert_eq!(apk("alpine-3.20.3").as_deref(), Some("Alpine:v3.20"));
        assert_eq!(apk("alpine-3.18.1").as_deref(), Some("Alpine:v3.18"));
        assert_eq!(
            apk("alpine-3.22.0_alpha20250108").as_deref(),
            Some("Alpine:v3.22")
        );
        assert_eq!(apk("3.19.1").as_deref(), Some("Alpine:v3.19"));
        assert_eq!(apk("v3.19").as_deref(), Some("Alpine:v3.19"));
        assert_eq!(apk("alpine-3"), None, "a major alone names no branch");
        assert_eq!(apk("alpine-edge"), None);
        assert_eq!(apk("wolfi-20230201"), None);
        assert_eq!(os_release_ecosystem(Ecosystem::Npm, "debian-12"), None);
    }

    #[test]
    fn os_components_target_their_release_or_say_they_cannot() {
        let bash = os(
            Ecosystem::Deb,
            "bash",
            "5.2.15-2+b8",
            &[("arch", "amd64"), ("distro", "debian-12")],
            &[],
        );
        assert_eq!(osv_target(&bash), OsvTarget::Ecosystem("Debian:12".into()));
        let bare = os(
            Ecosystem::Deb,
            "bash",
            "5.2.15-2+b8",
            &[("arch", "amd64")],
            &[],
        );
        assert_eq!(osv_target(&bare), OsvTarget::NoRelease);
        let edge = os(
            Ecosystem::Apk,
            "musl",
            "1.2.5-r0",
            &[("distro", "alpine-edge")],
            &[],
        );
        assert_eq!(osv_target(&edge), OsvTarget::NoRelease);
        let musl = os(
            Ecosystem::Apk,
            "musl",
            "1.2.5-r0",
            &[("distro", "alpine-3.20.3")],
            &[],
        );
        assert_eq!(
            osv_target(&musl),
            OsvTarget::Ecosystem("Alpine:v3.20".into())
        );
        let ubuntu = Component::with_qualifiers(
            Ecosystem::Deb,
            Some("ubuntu"),
            "bash",
            "5.1-6ubuntu1",
            &[("distro", "ubuntu-22.04")],
        )
        .unwrap();
        assert_eq!(osv_target(&ubuntu), OsvTarget::Uncovered);
        let npm = Component::new(Ecosystem::Npm, None, "left-pad", "1.0.0").unwrap();
        assert_eq!(osv_target(&npm), OsvTarget::Ecosystem("npm".into()));
        let rpm = Component::new(Ecosystem::Rpm, None, "bash", "5.1-1").unwrap();
        assert_eq!(osv_target(&rpm), OsvTarget::Uncovered);
    }

    #[test]
    fn os_packages_are_named_by_their_source_package() {
        // dpkg: `Source: openssl` / `Source: bzip2 (1.0.8-5)`.
        let ssl = os(
            Ecosystem::Deb,
            "libssl3",
            "3.0.11-1~deb12u2",
            &[("distro", "debian-12")],
            &[("source", "openssl")],
        );
        assert_eq!(osv_package_name(&ssl), "openssl");
        assert_eq!(os_source(&ssl), Some(("openssl".into(), None)));
        let bz = os(
            Ecosystem::Deb,
            "libbz2-1.0",
            "1.0.8-5+b1",
            &[("distro", "debian-12")],
            &[("source", "bzip2"), ("source-version", "1.0.8-5")],
        );
        assert_eq!(
            os_source(&bz),
            Some(("bzip2".into(), Some("1.0.8-5".into())))
        );
        // No `Source:`: the source is the package itself.
        let dash = os(
            Ecosystem::Deb,
            "dash",
            "0.5.12-2",
            &[("distro", "debian-12")],
            &[],
        );
        assert_eq!(osv_package_name(&dash), "dash");
        // apk: the origin `o:`.
        let binsh = os(
            Ecosystem::Apk,
            "busybox-binsh",
            "1.36.1-r15",
            &[],
            &[("source", "busybox")],
        );
        assert_eq!(osv_package_name(&binsh), "busybox");
        // An SBOM's purl: Syft's `upstream` qualifier, with or without a version.
        let mut libc = Component::new(Ecosystem::Deb, None, "libc6", "2.36-9+b1").unwrap();
        libc.purl = bomscout_core::Purl::from_canonical(
            "pkg:deb/debian/libc6@2.36-9+b1?arch=amd64&upstream=glibc%402.36-9&distro=debian-12",
        );
        assert_eq!(
            os_source(&libc),
            Some(("glibc".into(), Some("2.36-9".into())))
        );
        assert_eq!(osv_target(&libc), OsvTarget::Ecosystem("Debian:12".into()));
        // Language packages keep their own names.
        let npm = Component::new(Ecosystem::Npm, Some("@babel"), "core", "7.0.0").unwrap();
        assert_eq!(osv_package_name(&npm), "@babel/core");
        assert_eq!(os_source(&npm), None);
    }

    #[test]
    fn purl_qualifiers_are_found_and_decoded() {
        let p = "pkg:deb/debian/libc6@2.36?arch=amd64&upstream=glibc%402.36-9&distro=debian-12#sub";
        assert_eq!(
            purl_qualifier(p, "upstream").as_deref(),
            Some("glibc@2.36-9")
        );
        assert_eq!(purl_qualifier(p, "distro").as_deref(), Some("debian-12"));
        assert_eq!(purl_qualifier(p, "epoch"), None);
        assert_eq!(purl_qualifier("pkg:deb/debian/x@1?distro=", "distro"), None);
        assert_eq!(purl_qualifier("pkg:deb/debian/x@1", "distro"), None);
        // A broken escape is kept as written, never a panic.
        assert_eq!(
            purl_qualifier("pkg:deb/x@1?u=a%4", "u").as_deref(),
            Some("a%4")
        );
        assert_eq!(
            purl_qualifier("pkg:deb/x@1?u=%zz%", "u").as_deref(),
            Some("%zz%")
        );
        assert_eq!(
            purl_qualifier("pkg:deb/x@1?u=%ff", "u").as_deref(),
            Some("\u{fffd}")
        );
    }

    #[test]
    fn a_release_only_matches_its_own_entries() {
        // DEBIAN-CVE-2024-3094 (fixtures/advisories/debian) lists Debian 13 and 14 only.
        let r = Record::from_json(include_bytes!(
            "../../../fixtures/advisories/debian/DEBIAN-CVE-2024-3094.json"
        ))
        .unwrap();
        let mut v12 = Installed::new(Ecosystem::Deb, "5.4.1-1");
        assert!(!evaluate(&r, "Debian:12", "xz-utils", &mut v12).affected);
        let mut v13 = Installed::new(Ecosystem::Deb, "5.4.1-1");
        let verdict = evaluate(&r, "Debian:13", "xz-utils", &mut v13);
        assert!(verdict.affected);
        assert_eq!(verdict.fixed.as_deref(), Some("5.6.1+really5.4.5-1"));
        // ALPINE-CVE-2025-26519: musl 1.2.4_git20230717-r4 (Alpine 3.19's) is past 3.18's fix
        // 1.2.4-r3 (`_git` sorts after the release) and before 3.19's fix.
        let musl = Record::from_json(include_bytes!(
            "../../../fixtures/advisories/alpine/ALPINE-CVE-2025-26519.json"
        ))
        .unwrap();
        let mut a = Installed::new(Ecosystem::Apk, "1.2.4_git20230717-r4");
        assert!(!evaluate(&musl, "Alpine:v3.18", "musl", &mut a).affected);
        let mut b = Installed::new(Ecosystem::Apk, "1.2.4_git20230717-r4");
        let verdict = evaluate(&musl, "Alpine:v3.19", "musl", &mut b);
        assert!(verdict.affected);
        assert_eq!(verdict.fixed.as_deref(), Some("1.2.4_git20230717-r5"));
    }
}
