//! The OSV advisory database: reading it, indexing it, and matching an SBOM against it.
//!
//! - **Sources** ([`Location`]): a directory in OSV's export layout, `{root}/{Ecosystem}/all.zip`
//!   (what `bomscout advisories update` downloads, and what osv-scanner reads offline), or any
//!   directory tree of OSV `.json` / `.yaml` records (a checkout of PyPA's advisory database,
//!   the Go vulnerability database's `data/osv`). Reads are bounded: one record may not exceed
//!   [`Options::max_record_bytes`] (declared or inflated), so a zip bomb costs nothing.
//! - **Index**: each source is parsed once per version (a zip's size + mtime, a tree's file
//!   list) into a SQLite file under [`Options::index_dir`], keyed by ecosystem and normalized
//!   package name; a scan reads only the records of its own packages. Without an index
//!   directory the index lives in memory for one run.
//! - **Matching** ([`Database::match_sbom`]): exactly as the OSV schema defines it: the
//!   `versions` lists and the `SEMVER` / `ECOSYSTEM` ranges, evaluated in the ecosystem's own
//!   order (`bomscout-versions`); `GIT` ranges are not evaluated (said once per scan);
//!   `withdrawn` records are ignored; components without a version are not matched (counted
//!   in one diagnostic).
//! - **One finding per vulnerability**: records that share an id or alias (a GHSA, a CVE, a
//!   `PYSEC-`) are merged into one [`Vulnerability`]. Its primary id is, among the ids of the
//!   records that matched, the ecosystem database's own (`PYSEC-`, `GO-`, `RUSTSEC-`, …),
//!   else a `GHSA-`, else any other (`CVE-`); ties go to the smallest id. The other ids are
//!   its aliases. Ratings of every merged record are kept; the fix of a component is the
//!   highest of the merged records' fixes (the first version every record calls fixed).
//! - **Severity**: CVSS v2 / v3.0 / v3.1 / v4.0 base scores computed from the vectors by the
//!   `cvss` crate; else the database's own label (`database_specific.severity`); else
//!   `Unknown`, which is never read as low.
//!
//! ```no_run
//! use bomscout_advisory::{Database, Location, Options};
//! # fn demo(sbom: &bomscout_core::Sbom) -> Result<(), bomscout_advisory::Error> {
//! let options = Options {
//!     index_dir: Some("/var/cache/bomscout/osv-index".into()),
//!     ..Options::default()
//! };
//! let db = Database::open(&Location::cache("/var/cache/bomscout"), &options)?;
//! let matched = db.match_sbom(sbom);
//! for v in &matched.vulnerabilities {
//!     println!("{} {}", v.advisory.id, v.advisory.severity);
//! }
//! # Ok(()) }
//! ```
#![deny(missing_docs)]

mod index;
pub mod matching;
pub mod osv;
pub mod severity;
mod source;

pub use source::SourceKind;

use bomscout_core::vuln::{Advisory, AdvisorySource, Affected, Rating, Vulnerability};
use bomscout_core::{Diagnostic, Sbom, Severity};
use index::Index;
use matching::{
    evaluate, normalize_name, os_source, osv_package_name, osv_target, Installed, OsvTarget,
    Skipped,
};
use osv::Record;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::time::SystemTime;

/// Why a database could not be opened at all. Problems with single records or single
/// ecosystems are diagnostics instead: the rest loads.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The location does not exist or cannot be read.
    #[error(
        "advisory database {path}: {reason}; run `bomscout advisories update` or point \
         --advisory-db at a copy"
    )]
    Open {
        /// The location.
        path: PathBuf,
        /// What the system said.
        reason: String,
    },
    /// The location holds neither `*/all.zip` exports nor record files.
    #[error(
        "advisory database {path} holds no `{{Ecosystem}}/all.zip` export and no OSV `.json` / \
         `.yaml` record: run `bomscout advisories update` or point --advisory-db at a copy"
    )]
    Empty {
        /// The location.
        path: PathBuf,
    },
    /// More files than [`Options::max_files`].
    #[error("{path} holds more than {limit} record files: is it really an advisory database?")]
    TooManyFiles {
        /// The directory or zip.
        path: PathBuf,
        /// The limit.
        limit: u64,
    },
    /// A source file could not be read.
    #[error("{path} could not be read: {reason}")]
    Read {
        /// The file.
        path: PathBuf,
        /// What the system said.
        reason: String,
    },
    /// A zip export is not a readable zip archive.
    #[error(
        "{path} is not a readable zip archive ({reason}): the download may be truncated; \
         run `bomscout advisories update` again"
    )]
    Corrupt {
        /// The zip.
        path: PathBuf,
        /// What the zip reader said.
        reason: String,
    },
    /// The index could not be written or read.
    #[error("advisory index {path}: {reason}")]
    Index {
        /// The index file or directory.
        path: PathBuf,
        /// What SQLite or the system said.
        reason: String,
    },
    /// No source of the location could be loaded.
    #[error("no part of the advisory database {path} could be loaded: {reasons}")]
    NothingLoaded {
        /// The location.
        path: PathBuf,
        /// Each source's error, `; `-separated.
        reasons: String,
    },
}

/// Where the database is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// A directory of `{Ecosystem}/all.zip` exports, a tree of records, or one `all.zip`.
    pub root: PathBuf,
}

impl Location {
    /// A directory (exports or a record tree) or one zip export.
    pub fn path(root: impl Into<PathBuf>) -> Location {
        Location { root: root.into() }
    }

    /// The exports `bomscout advisories update` keeps in a cache directory: `{cache}/osv`.
    pub fn cache(cache_dir: impl AsRef<Path>) -> Location {
        Location {
            root: cache_dir.as_ref().join("osv"),
        }
    }
}

/// Limits and the index's place.
#[derive(Debug, Clone)]
pub struct Options {
    /// Where index files are kept (`{cache}/osv-index`); `None`: in memory, one run.
    /// Never beside the database itself, which may be a read-only copy.
    pub index_dir: Option<PathBuf>,
    /// The largest record, in bytes, read from a file or inflated from a zip entry.
    pub max_record_bytes: u64,
    /// The most record files in one tree or zip.
    pub max_files: u64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            index_dir: None,
            // The largest real OSV records (Debian's, with thousands of versions listed)
            // stay under 2 MB.
            max_record_bytes: 4 * 1024 * 1024,
            max_files: 5_000_000,
        }
    }
}

/// What one source holds, for `bomscout advisories status`.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceStatus {
    /// The export's ecosystem directory name, or `.` for a record tree.
    pub name: String,
    /// Export or tree.
    pub kind: SourceKind,
    /// The zip or the tree's directory.
    pub path: PathBuf,
    /// Records indexed (withdrawn and malformed ones not counted).
    pub records: u64,
    /// Withdrawn records, ignored.
    pub withdrawn: u64,
    /// Records that could not be read (each a diagnostic).
    pub skipped: u64,
    /// Records per OSV ecosystem they affect.
    pub ecosystems: BTreeMap<String, u64>,
    /// The newest `modified` of any record (RFC 3339).
    pub newest_modified: Option<String>,
    /// When the source was written (the zip's or newest record file's mtime): its age.
    pub updated: Option<SystemTime>,
    /// When the index was built.
    pub indexed: Option<SystemTime>,
}

/// The result of matching an SBOM.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Matched {
    /// The vulnerabilities, sorted by id; each one's affects sorted by component key.
    pub vulnerabilities: Vec<Vulnerability>,
    /// What could not be evaluated, once per kind of problem.
    pub diagnostics: Vec<Diagnostic>,
}

/// An open advisory database.
pub struct Database {
    root: PathBuf,
    indexes: Vec<Index>,
    diagnostics: Vec<Diagnostic>,
}

impl std::fmt::Debug for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Database")
            .field("root", &self.root)
            .field("sources", &self.status())
            .finish()
    }
}

impl Database {
    /// Opens the database at `location`, building or refreshing the index of every source
    /// that changed. A source that cannot be read (a corrupt zip) is a diagnostic, the others
    /// load; it is an error only when nothing loads.
    pub fn open(location: &Location, options: &Options) -> Result<Database, Error> {
        let root = location.root.clone();
        let sources = source::discover(&root, options.max_files)?;
        let mut indexes = Vec::new();
        let mut diagnostics = Vec::new();
        let mut failures = Vec::new();
        for source in &sources {
            let label = match source.kind {
                SourceKind::Export => format!("{}/all.zip", source.name),
                SourceKind::Tree => String::new(),
            };
            match Index::open(source, label, options) {
                Ok(mut index) => {
                    diagnostics.append(&mut index.diagnostics);
                    indexes.push(index);
                }
                Err(e) => {
                    diagnostics.push(Diagnostic::error(
                        source.path.display().to_string(),
                        format!("advisories of {} not loaded: {e}", source.name),
                    ));
                    failures.push(e.to_string());
                }
            }
        }
        if indexes.is_empty() {
            return Err(Error::NothingLoaded {
                path: root,
                reasons: failures.join("; "),
            });
        }
        Ok(Database {
            root,
            indexes,
            diagnostics,
        })
    }

    /// Problems met while loading (records skipped, an export that did not load).
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    /// What each source holds.
    pub fn status(&self) -> Vec<SourceStatus> {
        self.indexes.iter().map(|i| i.status.clone()).collect()
    }

    /// The records that name `package` in the OSV `ecosystem`, withdrawn ones excluded: for
    /// tools that need the records themselves.
    pub fn records(&self, ecosystem: &str, package: &str) -> Vec<Record> {
        let name = normalize_name(ecosystem, package);
        self.indexes
            .iter()
            .filter(|i| {
                i.ecosystem
                    .as_deref()
                    .is_none_or(|e| export_holds(e, ecosystem))
            })
            .filter_map(|i| i.lookup(ecosystem, &name).ok())
            .flatten()
            .map(|s| s.record)
            .collect()
    }

    /// Matches every resolved component of `sbom`.
    pub fn match_sbom(&self, sbom: &Sbom) -> Matched {
        let shown_root = self.root.display().to_string();
        let mut diagnostics = Vec::new();
        let mut unresolved = 0usize;
        let mut uncovered: BTreeMap<String, usize> = BTreeMap::new();
        let mut git_ranges: BTreeSet<String> = BTreeSet::new();
        let mut bad_events: BTreeSet<String> = BTreeSet::new();
        let mut unknown_types: BTreeSet<String> = BTreeSet::new();
        let mut bad_versions: BTreeSet<String> = BTreeSet::new();
        let mut lookup_errors: BTreeSet<String> = BTreeSet::new();
        // The records of the current package, read once however many versions of it the
        // document holds: components are sorted by purl, so a package's versions are
        // adjacent and the cache only ever holds one package's records.
        let mut cache: HashMap<(usize, String, String), Rc<Vec<Hit>>> = HashMap::new();
        let mut cached_package: Option<(String, String)> = None;
        let mut hits: Vec<Found> = Vec::new();
        let mut no_release = 0usize;

        for component in &sbom.components {
            let Some(version) = component.version.as_deref() else {
                unresolved += 1;
                continue;
            };
            let ecosystem = match osv_target(component) {
                OsvTarget::Ecosystem(e) => e,
                OsvTarget::NoRelease => {
                    no_release += 1;
                    continue;
                }
                OsvTarget::Uncovered => {
                    *uncovered
                        .entry(component.ecosystem.as_str().to_string())
                        .or_default() += 1;
                    continue;
                }
            };
            let ecosystem = ecosystem.as_str();
            let name = normalize_name(ecosystem, &osv_package_name(component));
            if cached_package.as_ref().map(|(e, n)| (e.as_str(), n)) != Some((ecosystem, &name)) {
                cache.clear();
                cached_package = Some((ecosystem.to_string(), name.clone()));
            }
            // OS advisories give the source package's versions (a binNMU's `+b1` is not
            // one of them).
            let source_version = os_source(component).and_then(|(_, v)| v);
            let mut installed = Installed::new(
                component.ecosystem,
                source_version.as_deref().unwrap_or(version),
            );
            for (n, index) in self.indexes.iter().enumerate() {
                if index
                    .ecosystem
                    .as_deref()
                    .is_some_and(|e| !export_holds(e, ecosystem))
                {
                    continue;
                }
                let key = (n, ecosystem.to_string(), name.clone());
                let records = match cache.get(&key) {
                    Some(r) => Rc::clone(r),
                    None => {
                        let loaded = match index.lookup(ecosystem, &name) {
                            Ok(stored) => stored
                                .into_iter()
                                .map(|s| Hit {
                                    url: if index.label.is_empty() {
                                        s.entry
                                    } else {
                                        format!("{}#{}", index.label, s.entry)
                                    },
                                    record: Rc::new(s.record),
                                })
                                .collect(),
                            Err(e) => {
                                lookup_errors.insert(format!("{}: {e}", index.status.name));
                                Vec::new()
                            }
                        };
                        let loaded = Rc::new(loaded);
                        cache.insert(key, Rc::clone(&loaded));
                        loaded
                    }
                };
                for hit in records.iter() {
                    let verdict = evaluate(&hit.record, ecosystem, &name, &mut installed);
                    for skip in verdict.skipped {
                        match skip {
                            Skipped::Git => {
                                git_ranges.insert(hit.record.id.clone());
                            }
                            Skipped::BadEvent(m) => {
                                bad_events.insert(m);
                            }
                            Skipped::UnknownType(t) => {
                                unknown_types.insert(format!("{} ({t})", hit.record.id));
                            }
                            Skipped::BadVersion(v) => {
                                bad_versions.insert(format!("{} {v}", component.display_name()));
                            }
                        }
                    }
                    if verdict.affected {
                        hits.push(Found {
                            record: Rc::clone(&hit.record),
                            url: hit.url.clone(),
                            scheme: bomscout_versions::Scheme::for_ecosystem(component.ecosystem),
                            affected: Affected {
                                component: component.key(),
                                version: version.to_string(),
                                fixed: verdict.fixed,
                                suppressed: None,
                            },
                        });
                    }
                }
            }
        }

        let info = |message: String| Diagnostic::new(Severity::Info, &shown_root, message);
        if unresolved > 0 {
            diagnostics.push(info(format!(
                "{unresolved} component(s) without a resolved version were not matched \
                 against advisories: add a lockfile so their versions are known"
            )));
        }
        if no_release > 0 {
            diagnostics.push(Diagnostic::warning(
                &shown_root,
                format!(
                    "{no_release} OS package(s) have no distro release; they were not matched \
                     against advisories (Debian's and Alpine's advisories are per release: scan \
                     the root filesystem with its etc/os-release, or give the purls a \
                     `distro` qualifier such as debian-12 or alpine-3.20)"
                ),
            ));
        }
        if !uncovered.is_empty() {
            let list: Vec<String> = uncovered
                .iter()
                .map(|(e, n)| format!("{e} ({n})"))
                .collect();
            diagnostics.push(info(format!(
                "components of ecosystems OSV does not cover were not matched: {}",
                list.join(", ")
            )));
        }
        if !git_ranges.is_empty() {
            diagnostics.push(info(format!(
                "{} advisory record(s) also give GIT (commit) ranges, which were not evaluated: \
                 their version ranges and lists were (e.g. {})",
                git_ranges.len(),
                examples(&git_ranges)
            )));
        }
        if !bad_events.is_empty() {
            diagnostics.push(Diagnostic::warning(
                &shown_root,
                format!(
                    "{} range(s) skipped because an event is not a version of the ecosystem: {}",
                    bad_events.len(),
                    examples(&bad_events)
                ),
            ));
        }
        if !unknown_types.is_empty() {
            diagnostics.push(Diagnostic::warning(
                &shown_root,
                format!(
                    "ranges of an unknown type were not evaluated: {}",
                    examples(&unknown_types)
                ),
            ));
        }
        if !bad_versions.is_empty() {
            diagnostics.push(Diagnostic::warning(
                &shown_root,
                format!(
                    "{} component version(s) are not versions of their ecosystem, so only \
                     advisories listing them exactly were matched: {}",
                    bad_versions.len(),
                    examples(&bad_versions)
                ),
            ));
        }
        for e in lookup_errors {
            diagnostics.push(Diagnostic::error(
                &shown_root,
                format!("advisory lookup failed: {e}; delete the index to rebuild it"),
            ));
        }
        Matched {
            vulnerabilities: merge(hits),
            diagnostics,
        }
    }
}

/// Whether an export of OSV ecosystem `export` (its directory's name: `Debian`) holds the
/// records of `ecosystem`: the same name, or a release of it (`Debian:12`).
fn export_holds(export: &str, ecosystem: &str) -> bool {
    export == ecosystem || ecosystem.split(':').next() == Some(export)
}

/// A record found for a package, with where it was read.
struct Hit {
    url: String,
    record: Rc<Record>,
}

/// A record that affects a component.
struct Found {
    record: Rc<Record>,
    url: String,
    /// The component's version ordering (to compare fixes).
    scheme: bomscout_versions::Scheme,
    affected: Affected,
}

/// Up to five items of a set, for a message.
fn examples(set: &BTreeSet<String>) -> String {
    use bomscout_core::escape::{quote, QUOTE_LIMIT};
    let mut shown: Vec<String> = set
        .iter()
        .take(5)
        .map(|s| quote(s, QUOTE_LIMIT * 3))
        .collect();
    if set.len() > 5 {
        shown.push(format!("and {} more", set.len() - 5));
    }
    shown.join(", ")
}

/// The rank of an id as a primary id: the ecosystem database's own first, then GitHub's,
/// then anything else (CVE).
fn id_rank(id: &str) -> u8 {
    if id.starts_with("GHSA-") {
        1
    } else if id.starts_with("CVE-") {
        2
    } else {
        0
    }
}

/// The database that publishes ids of this form.
fn database_name(id: &str) -> &'static str {
    let prefix = id.split('-').next().unwrap_or("");
    match prefix {
        "GHSA" => "GitHub Advisory Database",
        "PYSEC" => "PyPA Advisory Database",
        "GO" => "Go Vulnerability Database",
        "RUSTSEC" => "RustSec Advisory Database",
        "MAL" => "OSV Malicious Packages",
        "CVE" => "NVD",
        _ => "OSV",
    }
}

/// Groups the hits by the alias graph and makes one [`Vulnerability`] per group.
fn merge(hits: Vec<Found>) -> Vec<Vulnerability> {
    // Union-find over ids: every record joins its id and its aliases.
    let mut parent: HashMap<String, String> = HashMap::new();
    fn find(parent: &mut HashMap<String, String>, x: &str) -> String {
        let mut root = x.to_string();
        while let Some(p) = parent.get(&root) {
            if *p == root {
                break;
            }
            root = p.clone();
        }
        // Path compression.
        let mut cur = x.to_string();
        while let Some(p) = parent.get(&cur).cloned() {
            if p == root {
                break;
            }
            parent.insert(cur, root.clone());
            cur = p;
        }
        root
    }
    for Found { record, .. } in &hits {
        parent
            .entry(record.id.clone())
            .or_insert_with(|| record.id.clone());
        for alias in &record.aliases {
            parent.entry(alias.clone()).or_insert_with(|| alias.clone());
            let (a, b) = (find(&mut parent, &record.id), find(&mut parent, alias));
            if a != b {
                // The smaller root wins, so groups do not depend on the order of hits.
                let (keep, drop) = if a < b { (a, b) } else { (b, a) };
                parent.insert(drop, keep);
            }
        }
    }
    let mut groups: BTreeMap<String, Vec<Found>> = BTreeMap::new();
    for hit in hits {
        let root = find(&mut parent, &hit.record.id);
        groups.entry(root).or_default().push(hit);
    }
    let mut out: Vec<Vulnerability> = groups.into_values().map(vulnerability).collect();
    out.sort_by(|a, b| a.advisory.id.cmp(&b.advisory.id));
    out
}

fn vulnerability(group: Vec<Found>) -> Vulnerability {
    // Each record once, by id; the first read wins (records are sorted by source order).
    let mut records: BTreeMap<String, (Rc<Record>, String)> = BTreeMap::new();
    for Found { record, url, .. } in &group {
        records
            .entry(record.id.clone())
            .or_insert_with(|| (Rc::clone(record), url.clone()));
    }
    let primary_id = records
        .keys()
        .min_by(|a, b| id_rank(a).cmp(&id_rank(b)).then(a.cmp(b)))
        .cloned()
        .unwrap_or_default();
    let (primary, url) = records
        .get(&primary_id)
        .cloned()
        .unwrap_or_else(|| (Rc::new(Record::default()), String::new()));
    let mut aliases = BTreeSet::new();
    let mut ratings: Vec<Rating> = Vec::new();
    let mut references: Vec<String> = Vec::new();
    let mut fixes: Vec<String> = Vec::new();
    let mut published: Option<String> = None;
    let mut modified: Option<String> = None;
    // The primary record first, then the others by id.
    let ordered = std::iter::once(&primary).chain(
        records
            .iter()
            .filter(|(id, _)| **id != primary_id)
            .map(|(_, (r, _))| r),
    );
    let mut summary = None;
    let mut details = None;
    for record in ordered {
        aliases.insert(record.id.clone());
        aliases.extend(record.aliases.iter().cloned());
        for r in severity::ratings(record) {
            severity::push_unique(&mut ratings, r);
        }
        for r in &record.references {
            if !r.url.is_empty() && !references.contains(&r.url) {
                references.push(r.url.clone());
            }
            let is_fix = r
                .kind
                .as_deref()
                .is_some_and(|k| k.eq_ignore_ascii_case("FIX"));
            if is_fix && !r.url.is_empty() && !fixes.contains(&r.url) {
                fixes.push(r.url.clone());
            }
        }
        if summary.is_none() {
            summary = record.summary.clone().filter(|s| !s.trim().is_empty());
        }
        if details.is_none() {
            details = record.details.clone().filter(|s| !s.trim().is_empty());
        }
        if let Some(p) = &record.published {
            if published.as_ref().is_none_or(|q| p < q) {
                published = Some(p.clone());
            }
        }
        if let Some(m) = &record.modified {
            if modified.as_ref().is_none_or(|q| m > q) {
                modified = Some(m.clone());
            }
        }
    }
    aliases.remove(&primary_id);
    // Scored ratings first (the highest CVSS version first), then labels.
    ratings.sort_by(|a, b| {
        b.method.cmp(&a.method).then(
            b.score
                .partial_cmp(&a.score)
                .unwrap_or(std::cmp::Ordering::Equal),
        )
    });
    // One Affected per component: when several records answer, the highest fix (the first
    // version all of them call fixed); no fix when one of them knows none.
    let mut affects: BTreeMap<String, Affected> = BTreeMap::new();
    for Found {
        affected: a,
        scheme,
        ..
    } in group
    {
        match affects.get_mut(&a.component) {
            None => {
                affects.insert(a.component.clone(), a);
            }
            Some(seen) => {
                seen.fixed = match (seen.fixed.take(), a.fixed) {
                    (Some(x), Some(y)) => Some(higher(scheme, x, y)),
                    _ => None,
                };
            }
        }
    }
    let severity = severity::overall(&ratings);
    Vulnerability {
        advisory: Advisory {
            id: primary_id.clone(),
            aliases,
            summary,
            details,
            severity,
            ratings,
            references,
            fixes,
            published,
            modified,
            source: AdvisorySource {
                name: database_name(&primary_id).to_string(),
                url: Some(url).filter(|u| !u.is_empty()),
            },
        },
        affects: affects.into_values().collect(),
    }
}

/// The higher of two fixed versions in the component's ordering (text order when one does
/// not parse).
fn higher(scheme: bomscout_versions::Scheme, x: String, y: String) -> String {
    let order = bomscout_versions::compare(scheme, &x, &y).unwrap_or_else(|| x.cmp(&y));
    if order == std::cmp::Ordering::Less {
        y
    } else {
        x
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bomscout_versions::Scheme;

    fn found(json: &str, component: &str, fixed: Option<&str>) -> Found {
        let record = Record::from_json(json.as_bytes()).unwrap();
        Found {
            url: format!("{}.json", record.id),
            record: Rc::new(record),
            scheme: Scheme::Pep440,
            affected: Affected {
                component: component.into(),
                version: "1.0".into(),
                fixed: fixed.map(str::to_string),
                suppressed: None,
            },
        }
    }

    #[test]
    fn the_alias_graph_makes_one_finding_with_a_stable_primary_id() {
        let hits = || {
            vec![
                found(
                    r#"{"id":"GHSA-aaaa","aliases":["CVE-1"]}"#,
                    "pkg:pypi/a@1.0",
                    Some("1.10"),
                ),
                found(
                    r#"{"id":"PYSEC-1","aliases":["CVE-1"]}"#,
                    "pkg:pypi/a@1.0",
                    Some("1.9"),
                ),
                found(
                    r#"{"id":"GHSA-bbbb","aliases":["CVE-2"]}"#,
                    "pkg:pypi/a@1.0",
                    Some("2.0"),
                ),
                found(
                    r#"{"id":"CVE-2","aliases":["GHSA-bbbb"]}"#,
                    "pkg:pypi/b@1.0",
                    None,
                ),
                found(r#"{"id":"GHSA-cccc"}"#, "pkg:pypi/a@1.0", None),
            ]
        };
        let merged = merge(hits());
        let ids: Vec<_> = merged.iter().map(|v| v.advisory.id.as_str()).collect();
        // The PyPA id wins over GitHub's, GitHub's over the CVE; sorted by id.
        assert_eq!(ids, ["GHSA-bbbb", "GHSA-cccc", "PYSEC-1"]);
        let pysec = &merged[2];
        assert_eq!(
            pysec.advisory.aliases.iter().collect::<Vec<_>>(),
            ["CVE-1", "GHSA-aaaa"]
        );
        // Two records answer for a@1.0: the first version both call fixed (1.10 in PEP 440).
        assert_eq!(pysec.affects.len(), 1);
        assert_eq!(pysec.affects[0].fixed.as_deref(), Some("1.10"));
        let ghsa = &merged[0];
        assert_eq!(ghsa.advisory.aliases.iter().collect::<Vec<_>>(), ["CVE-2"]);
        assert_eq!(
            ghsa.affects
                .iter()
                .map(|a| a.component.as_str())
                .collect::<Vec<_>>(),
            ["pkg:pypi/a@1.0", "pkg:pypi/b@1.0"]
        );
        // The same hits in reverse order give the same result.
        let mut reversed = hits();
        reversed.reverse();
        assert_eq!(merge(reversed), merged);
    }

    #[test]
    fn one_record_without_a_fix_means_no_fix() {
        let merged = merge(vec![
            found(
                r#"{"id":"GHSA-aaaa","aliases":["CVE-1"]}"#,
                "pkg:pypi/a@1.0",
                Some("1.1"),
            ),
            found(
                r#"{"id":"PYSEC-1","aliases":["CVE-1"]}"#,
                "pkg:pypi/a@1.0",
                None,
            ),
        ]);
        assert_eq!(merged.len(), 1);
        assert_eq!(merged[0].affects[0].fixed, None);
    }
}
