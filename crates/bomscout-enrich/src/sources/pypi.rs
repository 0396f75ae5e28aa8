//! PyPI's JSON API.
//!
//! - Versions: `GET {base}/pypi/{name}/{version}/json`, the name sent PEP 503-normalized
//!   (`Flask_SQLAlchemy` asks for `flask-sqlalchemy`). Licenses: `info.license_expression`
//!   (PEP 639) when set, else `info.license` read as the installed-metadata reader reads
//!   `License:` (`UNKNOWN` skipped; a value longer than 100 characters or of several lines
//!   is a license text, of which only the first non-blank line is kept, clipped), plus
//!   every `License :: …` trove classifier with field `classifier`. Supplier: the first
//!   name in `info.author` (a comma-separated list), else in `info.author_email`, else in
//!   `info.maintainer`, else in `info.maintainer_email`. Repository: `info.project_urls` under a Source /
//!   Source Code / Repository / Code / GitHub key (any case), else a home page
//!   (`Homepage` there, or `info.home_page`) on a code host. Published: the earliest
//!   `urls[].upload_time_iso_8601`.
//!
//!   A `404` there is followed by the package document `GET {base}/pypi/{name}/json`
//!   (once per package and call): a mirror such as bandersnatch serves only that one, and
//!   when its `info.version` is the version asked, its facts are that version's.
//! - Packages: `GET {base}/pypi/{name}/json`: `info.version` is the latest release, its
//!   files' earliest upload its date.

use super::{fields, repo};
use crate::{Answer, Coordinates, Facts, FoundLicense, Http, Source, SourceError};
use bomscout_core::{Ecosystem, SourceKind};
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;

const WHAT: &str = "PyPI JSON API";

/// Longest `license` value taken as a license name rather than a license text (the same
/// limit as the installed-metadata reader's `License:` field).
pub const MAX_LICENSE_LEN: usize = 100;

/// The most classifiers read.
const MAX_CLASSIFIERS: usize = 64;

/// `project_urls` keys naming the source repository, most specific first.
const SOURCE_KEYS: [&str; 7] = [
    "source",
    "source code",
    "sourcecode",
    "repository",
    "code",
    "github",
    "git",
];

/// `project_urls` keys naming a home page (a repository only when on a code host).
const HOME_KEYS: [&str; 2] = ["homepage", "home"];

/// PyPI (or a mirror with its JSON API) at a base URL.
#[derive(Debug, Clone)]
pub struct Pypi {
    base: String,
}

impl Pypi {
    /// PyPI at `base` (`https://registry.example.invalid`).
    pub fn new(base: impl Into<String>) -> Pypi {
        Pypi { base: base.into() }
    }

    /// The URL of one version's document (the package's when `version` is `None`).
    pub fn version_url(&self, package: &Coordinates) -> Result<String, SourceError> {
        let name = normalize_name(&package.name);
        if name.is_empty() {
            return Err(SourceError::Unaskable(String::from(
                "a PyPI package without a name cannot be asked about",
            )));
        }
        let url = match package.version.as_deref() {
            Some(v) => bomscout_net::join_url(&self.base, &["pypi", &name, v, "json"])?,
            None => bomscout_net::join_url(&self.base, &["pypi", &name, "json"])?,
        };
        Ok(url)
    }

    fn version(
        &self,
        http: &Http,
        package: &Coordinates,
        latest: &mut BTreeMap<String, Option<(String, Doc)>>,
    ) -> Result<Answer, SourceError> {
        let url = self.version_url(package)?;
        if let Some(doc) = http.get_json::<Doc>(&url, WHAT)? {
            return Ok(Answer::found(version_facts(&url, &doc)));
        }
        let not_found = || {
            Ok(Answer::NotFound {
                url: bomscout_net::redact_url(&url),
            })
        };
        // A mirror that serves only the package document (bandersnatch's JSON): it
        // describes the latest release, which may be the version asked.
        let Some(version) = package.version.as_deref().map(str::trim) else {
            return not_found();
        };
        let name = normalize_name(&package.name);
        if !latest.contains_key(&name) {
            let package_url = self.version_url(&Coordinates {
                version: None,
                ..package.clone()
            })?;
            let doc = http.get_json::<Doc>(&package_url, WHAT)?;
            latest.insert(name.clone(), doc.map(|d| (package_url, d)));
        }
        match latest.get(&name) {
            Some(Some((package_url, doc)))
                if doc.info.version.as_deref().map(str::trim) == Some(version) =>
            {
                Ok(Answer::found(version_facts(package_url, doc)))
            }
            _ => not_found(),
        }
    }

    fn package(&self, http: &Http, package: &Coordinates) -> Result<Answer, SourceError> {
        let url = self.version_url(&Coordinates {
            version: None,
            ..package.clone()
        })?;
        let Some(doc) = http.get_json::<Doc>(&url, WHAT)? else {
            return Ok(Answer::NotFound {
                url: bomscout_net::redact_url(&url),
            });
        };
        Ok(Answer::found(Facts {
            url: bomscout_net::redact_url(&url),
            latest_version: doc.info.version.as_deref().and_then(fields::text_name),
            latest_release: earliest_upload(&doc.urls),
            ..Facts::default()
        }))
    }
}

impl Source for Pypi {
    fn name(&self) -> &'static str {
        "pypi"
    }

    fn kind(&self) -> SourceKind {
        SourceKind::Registry
    }

    fn supports(&self, ecosystem: Ecosystem) -> bool {
        ecosystem == Ecosystem::PyPI
    }

    fn versions(&self, http: &Http, packages: &[Coordinates]) -> Vec<Result<Answer, SourceError>> {
        let mut latest = BTreeMap::new();
        packages
            .iter()
            .map(|p| self.version(http, p, &mut latest))
            .collect()
    }

    fn packages(
        &self,
        http: &Http,
        packages: &[Coordinates],
    ) -> Option<Vec<Result<Answer, SourceError>>> {
        Some(packages.iter().map(|p| self.package(http, p)).collect())
    }
}

/// The parts of a JSON API answer read (`releases`, megabytes for an old package, is not).
#[derive(Debug, Deserialize)]
struct Doc {
    info: Info,
    #[serde(default)]
    urls: Vec<File>,
}

#[derive(Debug, Default, Deserialize)]
struct Info {
    #[serde(default, deserialize_with = "fields::lenient")]
    version: Option<String>,
    #[serde(default, deserialize_with = "fields::lenient")]
    license_expression: Option<String>,
    #[serde(default, deserialize_with = "fields::lenient")]
    license: Option<String>,
    #[serde(default)]
    classifiers: Option<Vec<String>>,
    #[serde(default, deserialize_with = "fields::lenient")]
    author: Option<String>,
    #[serde(default, deserialize_with = "fields::lenient")]
    author_email: Option<String>,
    #[serde(default, deserialize_with = "fields::lenient")]
    maintainer: Option<String>,
    #[serde(default, deserialize_with = "fields::lenient")]
    maintainer_email: Option<String>,
    #[serde(default)]
    project_urls: Option<BTreeMap<String, Value>>,
    #[serde(default, deserialize_with = "fields::lenient")]
    home_page: Option<String>,
}

#[derive(Debug, Deserialize)]
struct File {
    #[serde(default, deserialize_with = "fields::lenient")]
    upload_time_iso_8601: Option<String>,
    #[serde(default, deserialize_with = "fields::lenient")]
    upload_time: Option<String>,
}

/// PEP 503: lower case, each run of `-`, `_` and `.` made one `-`.
pub fn normalize_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut separator = false;
    for c in name.trim().chars() {
        if matches!(c, '-' | '_' | '.') {
            if !separator {
                out.push('-');
            }
            separator = true;
            continue;
        }
        separator = false;
        out.extend(c.to_lowercase());
    }
    out
}

fn version_facts(url: &str, doc: &Doc) -> Facts {
    let info = &doc.info;
    let mut licenses = Vec::new();
    let expression = info
        .license_expression
        .as_deref()
        .map(str::trim)
        .filter(|e| !e.is_empty() && e.len() <= 1024);
    if let Some(expression) = expression {
        licenses.push(found(expression, "info.license_expression"));
    } else if let Some(name) = info.license.as_deref().and_then(license_name) {
        licenses.push(found(&name, "info.license"));
    }
    for classifier in info.classifiers.iter().flatten().take(MAX_CLASSIFIERS * 4) {
        let classifier = classifier.trim();
        if classifier.starts_with("License ::")
            && classifier.len() <= 256
            && licenses.len() < MAX_CLASSIFIERS
        {
            licenses.push(found(classifier, "classifier"));
        }
    }
    let supplier = info
        .author
        .as_deref()
        .and_then(fields::first_person)
        .or_else(|| info.author_email.as_deref().and_then(fields::first_person))
        .or_else(|| info.maintainer.as_deref().and_then(fields::first_person))
        .or_else(|| {
            info.maintainer_email
                .as_deref()
                .and_then(fields::first_person)
        });
    Facts {
        url: bomscout_net::redact_url(url),
        licenses,
        supplier,
        repository: repository(info),
        published: earliest_upload(&doc.urls),
        ..Facts::default()
    }
}

fn found(raw: &str, field: &str) -> FoundLicense {
    FoundLicense {
        raw: raw.to_string(),
        field: field.to_string(),
        confidence: None,
    }
}

/// What the installed-metadata reader keeps of a `License:` value: `None` for nothing or
/// `UNKNOWN`; a short one-line value as it is; of a license text, its first non-blank
/// line clipped to [`MAX_LICENSE_LEN`] characters.
fn license_name(value: &str) -> Option<String> {
    let value = value.trim();
    let first = value.lines().map(str::trim).find(|l| !l.is_empty())?;
    if first.eq_ignore_ascii_case("UNKNOWN") && !value.contains('\n') {
        return None;
    }
    if !value.contains('\n') && value.chars().count() <= MAX_LICENSE_LEN {
        return Some(value.to_string());
    }
    Some(match first.char_indices().nth(MAX_LICENSE_LEN) {
        Some((i, _)) => first.get(..i).unwrap_or(first).to_string(),
        None => first.to_string(),
    })
}

fn repository(info: &Info) -> Option<String> {
    let urls: Vec<(String, &str)> = info
        .project_urls
        .iter()
        .flatten()
        .filter_map(|(k, v)| Some((k.trim().to_ascii_lowercase(), v.as_str()?)))
        .collect();
    let by_key = |keys: &[&str], code_host_only: bool| {
        keys.iter().find_map(|key| {
            urls.iter()
                .filter(|(k, _)| k == key)
                .filter(|(_, u)| !code_host_only || repo::is_code_host(u))
                .find_map(|(_, u)| repo::normalize(u))
        })
    };
    by_key(&SOURCE_KEYS, false)
        .or_else(|| by_key(&HOME_KEYS, true))
        .or_else(|| {
            info.home_page
                .as_deref()
                .filter(|u| repo::is_code_host(u))
                .and_then(repo::normalize)
        })
}

/// The day of the earliest upload among `files`.
fn earliest_upload(files: &[File]) -> Option<String> {
    files
        .iter()
        .filter_map(|f| {
            f.upload_time_iso_8601
                .as_deref()
                .or(f.upload_time.as_deref())
                .and_then(fields::day)
        })
        .min()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pep_503_names() {
        for (raw, want) in [
            ("Flask_SQLAlchemy", "flask-sqlalchemy"),
            ("zope.interface", "zope-interface"),
            ("a--_.b", "a-b"),
            ("..", "-"),
            ("_private.", "-private-"),
            ("PySocks", "pysocks"),
            ("requests", "requests"),
        ] {
            assert_eq!(normalize_name(raw), want, "{raw}");
        }
    }

    #[test]
    fn license_values_as_the_metadata_reader_reads_them() {
        assert_eq!(license_name("MIT").as_deref(), Some("MIT"));
        assert_eq!(license_name("UNKNOWN"), None);
        assert_eq!(license_name("  "), None);
        let text = "Copyright (c) 2001 Somebody.\nAll rights reserved.\n\nRedistribution...";
        assert_eq!(
            license_name(text).as_deref(),
            Some("Copyright (c) 2001 Somebody.")
        );
        let long = "x".repeat(300);
        assert_eq!(license_name(&long).map(|s| s.len()), Some(MAX_LICENSE_LEN));
    }

    #[test]
    fn expression_wins_over_license_and_classifiers_are_kept() {
        let doc: Doc = serde_json::from_str(
            r#"{"info": {"license_expression": "MIT", "license": "BSD",
                "classifiers": ["License :: OSI Approved :: MIT License", "Topic :: X"]}}"#,
        )
        .unwrap();
        let f = version_facts("http://127.0.0.1/pypi/x/1/json", &doc);
        let got: Vec<(&str, &str)> = f
            .licenses
            .iter()
            .map(|l| (l.raw.as_str(), l.field.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("MIT", "info.license_expression"),
                ("License :: OSI Approved :: MIT License", "classifier")
            ]
        );
    }

    #[test]
    fn home_pages_off_code_hosts_are_not_repositories() {
        let doc: Doc = serde_json::from_str(
            r#"{"info": {"project_urls": {"Homepage": "https://pygments.org", "Docs": "https://github.com/o/docs"},
                "home_page": "https://example.org"}}"#,
        )
        .unwrap();
        assert_eq!(version_facts("http://x/", &doc).repository, None);
        let doc: Doc = serde_json::from_str(
            r#"{"info": {"project_urls": {"HOMEPAGE": "https://github.com/o/r/"}}}"#,
        )
        .unwrap();
        assert_eq!(
            version_facts("http://x/", &doc).repository.as_deref(),
            Some("https://github.com/o/r")
        );
    }
}
