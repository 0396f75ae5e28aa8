//! The Rust crate registry's web API.
//!
//! One request per crate answers everything asked about its versions: the crate document
//! `GET {base}/api/v1/crates/{name}` has the crate's `repository` (which the version
//! document `GET {base}/api/v1/crates/{name}/{version}` lacks) and, in `versions[]`, each
//! version's `license`, `published_by` (a user: `name`, else `login`) and `created_at`.
//! Asking the version document instead would take two requests per version. The version
//! document is asked only when the crate document does not list the version (a registry
//! that shortens the list). Several versions of one crate in one call share the crate
//! document.
//!
//! - Versions: licenses from the version's `license` (an SPDX expression, or the legacy
//!   `MIT/Apache-2.0` form, passed on as written); supplier from `published_by`;
//!   repository from `crate.repository` (else `crate.homepage` on a code host); published
//!   from `created_at`.
//! - Packages: the latest release is `crate.max_stable_version` (else `default_version`,
//!   else `max_version`), its date that version's `created_at`.

use super::{fields, repo};
use crate::{Answer, Coordinates, Facts, FoundLicense, Http, Source, SourceError};
use bomscout_core::{Ecosystem, SourceKind};
use serde::Deserialize;
use std::collections::BTreeMap;

const WHAT: &str = "crate registry API";

/// The longest license value kept.
const MAX_LICENSE_LEN: usize = 512;

/// The Rust crate registry at a base URL.
#[derive(Debug, Clone)]
pub struct Crates {
    base: String,
}

impl Crates {
    /// The registry at `base` (`https://registry.example.invalid`).
    pub fn new(base: impl Into<String>) -> Crates {
        Crates { base: base.into() }
    }

    /// The URL of the crate document.
    pub fn crate_url(&self, name: &str) -> Result<String, SourceError> {
        if name.trim().is_empty() {
            return Err(SourceError::Unaskable(String::from(
                "a crate without a name cannot be asked about",
            )));
        }
        Ok(bomscout_net::join_url(
            &self.base,
            &["api", "v1", "crates", name],
        )?)
    }

    /// The URL of one version's document.
    pub fn version_url(&self, name: &str, version: &str) -> Result<String, SourceError> {
        Ok(bomscout_net::join_url(
            &self.base,
            &["api", "v1", "crates", name, version],
        )?)
    }

    /// The crate document, or the URL that answered "not found".
    fn crate_doc(&self, http: &Http, name: &str) -> Result<Fetched, SourceError> {
        let url = self.crate_url(name)?;
        Ok(match http.get_json::<CrateDoc>(&url, WHAT)? {
            Some(doc) => Fetched::Found(url, Box::new(doc)),
            None => Fetched::Missing(url),
        })
    }

    fn version(
        &self,
        http: &Http,
        package: &Coordinates,
        docs: &mut BTreeMap<String, Fetched>,
    ) -> Result<Answer, SourceError> {
        let name = package.name.as_str();
        if !docs.contains_key(name) {
            let fetched = self.crate_doc(http, name)?;
            docs.insert(name.to_string(), fetched);
        }
        let (url, doc) = match docs.get(name) {
            Some(Fetched::Found(url, doc)) => (url.as_str(), doc.as_ref()),
            Some(Fetched::Missing(url)) => {
                return Ok(Answer::NotFound {
                    url: bomscout_net::redact_url(url),
                })
            }
            None => return Err(SourceError::Unaskable(format!("crate {name}: no document"))),
        };
        let wanted = match package.version.as_deref() {
            Some(v) => v.to_string(),
            None => match doc.krate.latest() {
                Some(v) => v.to_string(),
                None => {
                    return Ok(Answer::NotFound {
                        url: bomscout_net::redact_url(url),
                    })
                }
            },
        };
        let repository = doc.krate.repository();
        if let Some((i, entry)) = doc
            .versions
            .iter()
            .enumerate()
            .find(|(_, v)| v.num == wanted)
        {
            let path = format!("versions[{i}]");
            return Ok(Answer::found(entry.facts(url, &path, repository)));
        }
        // Not listed: ask the version itself.
        let version_url = self.version_url(name, &wanted)?;
        match http.get_json::<VersionDoc>(&version_url, WHAT)? {
            Some(v) => Ok(Answer::found(v.version.facts(
                &version_url,
                "version",
                repository,
            ))),
            None => Ok(Answer::NotFound {
                url: bomscout_net::redact_url(&version_url),
            }),
        }
    }

    fn package(&self, http: &Http, package: &Coordinates) -> Result<Answer, SourceError> {
        let (url, doc) = match self.crate_doc(http, &package.name)? {
            Fetched::Found(url, doc) => (url, doc),
            Fetched::Missing(url) => {
                return Ok(Answer::NotFound {
                    url: bomscout_net::redact_url(&url),
                })
            }
        };
        let latest = doc.krate.latest().map(str::to_string);
        let latest_release = latest.as_deref().and_then(|l| {
            doc.versions
                .iter()
                .find(|v| v.num == l)
                .and_then(|v| v.created_at.as_deref())
                .and_then(fields::day)
        });
        Ok(Answer::found(Facts {
            url: bomscout_net::redact_url(&url),
            latest_version: latest,
            latest_release,
            ..Facts::default()
        }))
    }
}

/// A crate document fetched once per call.
enum Fetched {
    Found(String, Box<CrateDoc>),
    Missing(String),
}

impl Source for Crates {
    fn name(&self) -> &'static str {
        "crates"
    }

    fn kind(&self) -> SourceKind {
        SourceKind::Registry
    }

    fn supports(&self, ecosystem: Ecosystem) -> bool {
        ecosystem == Ecosystem::Cargo
    }

    fn versions(&self, http: &Http, packages: &[Coordinates]) -> Vec<Result<Answer, SourceError>> {
        let mut docs = BTreeMap::new();
        packages
            .iter()
            .map(|p| self.version(http, p, &mut docs))
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

#[derive(Debug, Deserialize)]
struct CrateDoc {
    #[serde(rename = "crate")]
    krate: Krate,
    #[serde(default)]
    versions: Vec<Version>,
}

#[derive(Debug, Deserialize)]
struct Krate {
    #[serde(default, deserialize_with = "fields::lenient")]
    repository: Option<String>,
    #[serde(default, deserialize_with = "fields::lenient")]
    homepage: Option<String>,
    #[serde(default, deserialize_with = "fields::lenient")]
    max_stable_version: Option<String>,
    #[serde(default, deserialize_with = "fields::lenient")]
    default_version: Option<String>,
    #[serde(default, deserialize_with = "fields::lenient")]
    max_version: Option<String>,
}

impl Krate {
    /// The latest release: the highest stable version, else the default, else the highest.
    fn latest(&self) -> Option<&str> {
        [
            &self.max_stable_version,
            &self.default_version,
            &self.max_version,
        ]
        .into_iter()
        .filter_map(|v| v.as_deref())
        .map(str::trim)
        .find(|v| !v.is_empty() && *v != "0.0.0")
    }

    fn repository(&self) -> Option<String> {
        self.repository
            .as_deref()
            .and_then(repo::normalize)
            .or_else(|| {
                self.homepage
                    .as_deref()
                    .filter(|h| repo::is_code_host(h))
                    .and_then(repo::normalize)
            })
    }
}

#[derive(Debug, Deserialize)]
struct VersionDoc {
    version: Version,
}

#[derive(Debug, Deserialize)]
struct Version {
    num: String,
    #[serde(default, deserialize_with = "fields::lenient")]
    license: Option<String>,
    #[serde(default, deserialize_with = "fields::lenient")]
    created_at: Option<String>,
    #[serde(default)]
    published_by: Option<User>,
}

#[derive(Debug, Deserialize)]
struct User {
    #[serde(default, deserialize_with = "fields::lenient")]
    login: Option<String>,
    #[serde(default, deserialize_with = "fields::lenient")]
    name: Option<String>,
}

impl Version {
    /// The facts of this version, found at JSON path `path` of the answer from `url`.
    fn facts(&self, url: &str, path: &str, repository: Option<String>) -> Facts {
        let licenses = self
            .license
            .as_deref()
            .map(str::trim)
            .filter(|l| !l.is_empty() && l.len() <= MAX_LICENSE_LEN)
            .map(|l| FoundLicense {
                raw: l.to_string(),
                field: format!("{path}.license"),
                confidence: None,
            })
            .into_iter()
            .collect();
        let supplier = self.published_by.as_ref().and_then(|u| {
            u.name
                .as_deref()
                .and_then(fields::text_name)
                .or_else(|| u.login.as_deref().and_then(fields::text_name))
        });
        Facts {
            url: bomscout_net::redact_url(url),
            licenses,
            supplier,
            repository,
            published: self.created_at.as_deref().and_then(fields::day),
            ..Facts::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latest_prefers_stable() {
        let k: Krate = serde_json::from_str(
            r#"{"max_stable_version": null, "default_version": "1.0.0", "max_version": "2.0.0-rc.1"}"#,
        )
        .unwrap();
        assert_eq!(k.latest(), Some("1.0.0"));
        let k: Krate = serde_json::from_str(r#"{"max_version": "0.0.0"}"#).unwrap();
        assert_eq!(k.latest(), None);
    }

    #[test]
    fn empty_objects_for_null_are_tolerated() {
        let k: Krate = serde_json::from_str(
            r#"{"homepage": {}, "repository": "https://github.com/o/r.git", "max_version": 5, "default_version": "1.2.0"}"#,
        )
        .unwrap();
        assert_eq!(k.repository().as_deref(), Some("https://github.com/o/r"));
        assert_eq!(k.latest(), Some("1.2.0"));
    }

    #[test]
    fn supplier_is_the_publishers_name_else_login() {
        let v: Version = serde_json::from_str(
            r#"{"num": "1.0.0", "published_by": {"login": "dtolnay", "name": null}}"#,
        )
        .unwrap();
        assert_eq!(
            v.facts("http://x/", "version", None).supplier.as_deref(),
            Some("dtolnay")
        );
        let v: Version =
            serde_json::from_str(r#"{"num": "1.0.0", "published_by": null, "license": " "}"#)
                .unwrap();
        let f = v.facts("http://x/", "version", None);
        assert_eq!(f.supplier, None);
        assert!(f.licenses.is_empty());
    }
}
