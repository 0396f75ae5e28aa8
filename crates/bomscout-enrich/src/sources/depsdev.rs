//! deps.dev (API v3, and the batch endpoints of v3alpha): licenses, advisories and the
//! source repository of a package version, a package's default version, and a source
//! repository's OpenSSF Scorecard.
//!
//! - `versions`: `POST {base}/v3alpha/versionbatch` with up to 5000 version keys (the
//!   documented maximum), following `nextPageToken` until the batch is answered. When the
//!   batch endpoint is not there (`404`/`405`, a mirror that serves only v3), each version
//!   is asked with `GET {base}/v3/systems/{system}/packages/{name}/versions/{version}`.
//!   The evidence URL of a version is that `GET` URL, which serves the same record.
//!   `licenses[]` are SPDX expressions; one deps.dev could not map is `non-standard`, and
//!   then the license as the package states it (`licenseDetails[].license`) is kept
//!   instead, so a reviewer sees the words, not `non-standard`.
//! - `packages`: `GET {base}/v3/systems/{system}/packages/{name}`; the version marked
//!   `isDefault` is the latest release.
//! - `projects`: `POST {base}/v3alpha/projectbatch` for `github.com/o/r`, `gitlab.com/o/r`
//!   and `bitbucket.org/o/r` repositories; the Scorecard's overall score, its failing checks
//!   (score below 10; a negative score, "not applicable" or an error, is left out), and
//!   `archived` from the `Maintained` check, whose reason Scorecard writes as
//!   `project is archived` (older versions: `repo is marked as archived`).
//!
//! Systems are `NPM`, `GO`, `MAVEN` (`group:artifact`), `PYPI`, `CARGO`, `NUGET` and
//! `RUBYGEMS`; a name is one percent-encoded path segment (`@scope/name` →
//! `%40scope%2Fname`).

use super::fields::day;
use crate::facts::{Answer, Coordinates, Facts, FoundLicense};
use crate::source::{fan_out, Http, Source, SourceError};
use bomscout_core::{Ecosystem, Scorecard, ScorecardCheck, SourceKind};
use bomscout_net::NetError;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// The most keys one v3alpha batch request may carry (documented in the API's proto).
pub const BATCH_LIMIT: usize = 5000;
/// The most pages followed for one batch (a server that keeps sending page tokens must not
/// keep the run busy).
const MAX_PAGES: usize = 100;

const WHAT: &str = "deps.dev API v3";

/// The deps.dev source.
#[derive(Debug, Clone)]
pub struct DepsDev {
    base: String,
}

impl DepsDev {
    /// deps.dev at `base` (`https://deps.example`, without `/v3`).
    pub fn new(base: &str) -> DepsDev {
        DepsDev {
            base: base.trim().trim_end_matches('/').to_string(),
        }
    }

    /// The `GET` URL of one version's record.
    pub fn version_url(&self, system: &str, name: &str, version: &str) -> String {
        format!(
            "{}/v3/systems/{}/packages/{}/versions/{}",
            self.base,
            system.to_ascii_lowercase(),
            segment(name),
            segment(version)
        )
    }

    /// The `GET` URL of one package's record.
    pub fn package_url(&self, system: &str, name: &str) -> String {
        format!(
            "{}/v3/systems/{}/packages/{}",
            self.base,
            system.to_ascii_lowercase(),
            segment(name)
        )
    }

    /// The `GET` URL of one project's record (`github.com/o/r`).
    pub fn project_url(&self, id: &str) -> String {
        format!("{}/v3/projects/{}", self.base, segment(id))
    }

    fn batch_url(&self, what: &str) -> String {
        format!("{}/v3alpha/{what}", self.base)
    }

    /// One batch of at most [`BATCH_LIMIT`] versions.
    fn version_batch(&self, http: &Http, keys: &[Coordinates]) -> Vec<Result<Answer, SourceError>> {
        fan_out(keys, version_key, |asked: &[VersionKey]| {
            Ok(match self.post_versions(http, asked)? {
                Some(found) => asked
                    .iter()
                    .map(|k| {
                        let url = self.version_url(&k.system, &k.name, &k.version);
                        Ok(match found.get(&k.matching()) {
                            Some(v) => Answer::found(version_facts(url, v)),
                            None => Answer::NotFound { url },
                        })
                    })
                    .collect(),
                // No batch endpoint here: one GET per version.
                None => asked.iter().map(|k| self.get_version(http, k)).collect(),
            })
        })
    }

    /// POSTs the batch, following pages. `Ok(None)` when the endpoint is not there.
    fn post_versions(
        &self,
        http: &Http,
        asked: &[VersionKey],
    ) -> Result<Option<VersionsFound>, SourceError> {
        let request = VersionBatchRequest {
            requests: asked
                .iter()
                .map(|k| VersionRequest {
                    version_key: k.clone(),
                })
                .collect(),
            page_token: None,
        };
        post_pages(
            http,
            self.batch_url("versionbatch"),
            request,
            |page: VersionBatch, found| {
                for response in page.responses {
                    let Some(version) = response.version else {
                        continue;
                    };
                    if let Some(key) = response.request.and_then(|r| r.version_key) {
                        found.insert(key.matching(), version);
                    }
                }
                page.next_page_token
            },
        )
    }

    fn get_version(&self, http: &Http, key: &VersionKey) -> Result<Answer, SourceError> {
        let url = self.version_url(&key.system, &key.name, &key.version);
        Ok(match http.get_json::<Version>(&url, WHAT)? {
            Some(v) => Answer::found(version_facts(url, &v)),
            None => Answer::NotFound { url },
        })
    }

    fn get_package(&self, http: &Http, key: &Coordinates) -> Result<Answer, SourceError> {
        let system = system(key.ecosystem).ok_or_else(|| unsupported(key))?;
        let url = self.package_url(system, &key.full_name());
        let Some(package) = http.get_json::<Package>(&url, WHAT)? else {
            return Ok(Answer::NotFound { url });
        };
        let default = package.versions.iter().find(|v| v.is_default);
        Ok(Answer::found(Facts {
            latest_version: default.and_then(|v| v.version_key.as_ref()?.version.clone()),
            latest_release: default.and_then(|v| day(v.published_at.as_deref()?)),
            url,
            ..Facts::default()
        }))
    }

    fn project_batch(&self, http: &Http, repos: &[String]) -> Vec<Result<Answer, SourceError>> {
        let askable = |repo: &String| {
            project_id(repo).ok_or_else(|| {
                SourceError::Unaskable(format!(
                    "{}: deps.dev knows projects on github.com, gitlab.com and bitbucket.org only",
                    bomscout_core::escape::quote(repo, 200)
                ))
            })
        };
        fan_out(repos, askable, |asked: &[String]| {
            Ok(match self.post_projects(http, asked)? {
                Some(found) => asked
                    .iter()
                    .map(|id| {
                        let url = self.project_url(id);
                        Ok(match found.get(&id.to_ascii_lowercase()) {
                            Some(p) => Answer::found(project_facts(url, p)),
                            None => Answer::NotFound { url },
                        })
                    })
                    .collect(),
                // No batch endpoint here: one GET per project.
                None => asked
                    .iter()
                    .map(|id| {
                        let url = self.project_url(id);
                        Ok(match http.get_json::<Project>(&url, WHAT)? {
                            Some(p) => Answer::found(project_facts(url, &p)),
                            None => Answer::NotFound { url },
                        })
                    })
                    .collect(),
            })
        })
    }

    /// POSTs the batch, following pages. `Ok(None)` when the endpoint is not there.
    fn post_projects(
        &self,
        http: &Http,
        asked: &[String],
    ) -> Result<Option<HashMap<String, Project>>, SourceError> {
        let request = ProjectBatchRequest {
            requests: asked
                .iter()
                .map(|id| ProjectRequest {
                    project_key: ProjectKey { id: id.clone() },
                })
                .collect(),
            page_token: None,
        };
        post_pages(
            http,
            self.batch_url("projectbatch"),
            request,
            |page: ProjectBatch, found| {
                for response in page.responses {
                    let Some(project) = response.project else {
                        continue;
                    };
                    if let Some(key) = response.request.and_then(|r| r.project_key) {
                        found.insert(key.id.to_ascii_lowercase(), project);
                    }
                }
                page.next_page_token
            },
        )
    }
}

/// The versions a batch answered, by [`VersionKey::matching`].
type VersionsFound = HashMap<(String, String, String), Version>;

/// A v3alpha batch request: its `pageToken` is set to follow the answer's pages.
trait Paged: Serialize {
    fn set_page_token(&mut self, token: String);
}

impl Paged for VersionBatchRequest {
    fn set_page_token(&mut self, token: String) {
        self.page_token = Some(token);
    }
}

impl Paged for ProjectBatchRequest {
    fn set_page_token(&mut self, token: String) {
        self.page_token = Some(token);
    }
}

/// POSTs a batch `request` to `url` and follows `nextPageToken` for at most [`MAX_PAGES`]
/// pages, handing each page to `take`, which files its answers and returns the next token.
/// `Ok(None)` when the service has no batch endpoint (`404`, `405`).
fn post_pages<R: Paged, P: serde::de::DeserializeOwned, K, V>(
    http: &Http,
    url: String,
    mut request: R,
    mut take: impl FnMut(P, &mut HashMap<K, V>) -> Option<String>,
) -> Result<Option<HashMap<K, V>>, SourceError> {
    let mut found = HashMap::new();
    for _ in 0..MAX_PAGES {
        let page: P = match http.post_json(&url, &request, WHAT) {
            Ok(Some(page)) => page,
            Ok(None) => return Ok(None),
            Err(e) if is_method_not_allowed(&e) => return Ok(None),
            Err(e) => return Err(e),
        };
        match take(page, &mut found).filter(|t| !t.is_empty()) {
            Some(token) => request.set_page_token(token),
            None => return Ok(Some(found)),
        }
    }
    Err(SourceError::Malformed {
        url,
        reason: format!("still more pages after {MAX_PAGES}"),
        what: WHAT,
    })
}

impl Source for DepsDev {
    fn name(&self) -> &'static str {
        "depsdev"
    }

    fn kind(&self) -> SourceKind {
        SourceKind::DepsDev
    }

    fn supports(&self, ecosystem: Ecosystem) -> bool {
        system(ecosystem).is_some()
    }

    fn batch_size(&self) -> usize {
        BATCH_LIMIT
    }

    fn versions(&self, http: &Http, packages: &[Coordinates]) -> Vec<Result<Answer, SourceError>> {
        packages
            .chunks(BATCH_LIMIT)
            .flat_map(|chunk| self.version_batch(http, chunk))
            .collect()
    }

    fn packages(
        &self,
        http: &Http,
        packages: &[Coordinates],
    ) -> Option<Vec<Result<Answer, SourceError>>> {
        Some(packages.iter().map(|k| self.get_package(http, k)).collect())
    }

    fn projects(
        &self,
        http: &Http,
        repositories: &[String],
    ) -> Option<Vec<Result<Answer, SourceError>>> {
        Some(
            repositories
                .chunks(BATCH_LIMIT)
                .flat_map(|chunk| self.project_batch(http, chunk))
                .collect(),
        )
    }
}

/// deps.dev's name for an ecosystem.
pub fn system(ecosystem: Ecosystem) -> Option<&'static str> {
    Some(match ecosystem {
        Ecosystem::Npm => "NPM",
        Ecosystem::Golang => "GO",
        Ecosystem::Maven => "MAVEN",
        Ecosystem::PyPI => "PYPI",
        Ecosystem::Cargo => "CARGO",
        Ecosystem::Nuget => "NUGET",
        Ecosystem::Gem => "RUBYGEMS",
        _ => return None,
    })
}

fn unsupported(key: &Coordinates) -> SourceError {
    SourceError::Unaskable(format!(
        "{}: deps.dev does not know this ecosystem",
        key.purl()
    ))
}

fn version_key(key: &Coordinates) -> Result<VersionKey, SourceError> {
    let system = system(key.ecosystem).ok_or_else(|| unsupported(key))?;
    let version = key.version.clone().ok_or_else(|| {
        SourceError::Unaskable(format!("{}: no version to ask deps.dev about", key.purl()))
    })?;
    if key.ecosystem == Ecosystem::Maven && key.namespace.is_none() {
        return Err(SourceError::Unaskable(format!(
            "{}: a Maven artifact without a group cannot be asked about",
            key.purl()
        )));
    }
    Ok(VersionKey {
        system: system.to_string(),
        name: key.full_name(),
        version,
    })
}

/// `https://github.com/o/r` (or `github.com/o/r`, with `.git` or `/`) → `github.com/o/r`.
fn project_id(repository: &str) -> Option<String> {
    let rest = repository
        .trim()
        .strip_prefix("https://")
        .or_else(|| repository.trim().strip_prefix("http://"))
        .unwrap_or(repository.trim());
    let rest = rest.trim_end_matches('/');
    let rest = rest.strip_suffix(".git").unwrap_or(rest);
    let parts: Vec<&str> = rest.split('/').collect();
    match parts.as_slice() {
        [host, owner, repo]
            if ["github.com", "gitlab.com", "bitbucket.org"]
                .contains(&host.to_ascii_lowercase().as_str())
                && !owner.is_empty()
                && !repo.is_empty() =>
        {
            Some(format!("{}/{owner}/{repo}", host.to_ascii_lowercase()))
        }
        _ => None,
    }
}

/// A name as one URL path segment: everything but unreserved characters percent-encoded.
fn segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn is_method_not_allowed(e: &SourceError) -> bool {
    matches!(e, SourceError::Net(NetError::Status { code: 405, .. }))
}

fn version_facts(url: String, v: &Version) -> Facts {
    let mut licenses = Vec::new();
    let mut details = v
        .license_details
        .iter()
        .filter(|d| d.spdx.as_deref() == Some("non-standard"))
        .filter_map(|d| d.license.as_deref())
        .filter(|l| !l.trim().is_empty());
    for (i, l) in v.licenses.iter().enumerate() {
        if l.trim().is_empty() {
            continue;
        }
        let found = if l == "non-standard" {
            match details.next() {
                Some(stated) => FoundLicense {
                    raw: stated.to_string(),
                    field: "licenseDetails[].license".into(),
                    confidence: None,
                },
                None => FoundLicense {
                    raw: l.clone(),
                    field: format!("licenses[{i}]"),
                    confidence: None,
                },
            }
        } else {
            FoundLicense {
                raw: l.clone(),
                field: format!("licenses[{i}]"),
                confidence: None,
            }
        };
        if !licenses.iter().any(|f: &FoundLicense| f.raw == found.raw) {
            licenses.push(found);
        }
    }
    let repository = v
        .related_projects
        .iter()
        .filter(|p| p.relation_type.as_deref() == Some("SOURCE_REPO"))
        .find_map(|p| project_id(&p.project_key.as_ref()?.id))
        .map(|id| format!("https://{id}"));
    let mut advisories: Vec<String> = v
        .advisory_keys
        .iter()
        .map(|a| a.id.clone())
        .filter(|id| !id.is_empty())
        .collect();
    advisories.sort();
    advisories.dedup();
    Facts {
        url,
        licenses,
        repository,
        published: v.published_at.as_deref().and_then(day),
        advisories,
        ..Facts::default()
    }
}

fn project_facts(url: String, p: &Project) -> Facts {
    let Some(card) = &p.scorecard else {
        return Facts {
            url,
            ..Facts::default()
        };
    };
    let mut failing: Vec<ScorecardCheck> = card
        .checks
        .iter()
        .filter(|c| (0..10).contains(&c.score))
        .map(|c| ScorecardCheck {
            name: c.name.clone(),
            score: c.score as i8,
            reason: c.reason.clone(),
        })
        .collect();
    failing.sort_by(|a, b| a.score.cmp(&b.score).then_with(|| a.name.cmp(&b.name)));
    let archived = card
        .checks
        .iter()
        .find(|c| c.name == "Maintained")
        .filter(|c| c.score >= 0 || says_archived(&c.reason))
        .map(|c| says_archived(&c.reason));
    Facts {
        url,
        scorecard: Some(Scorecard {
            score: card.overall_score.clamp(0.0, 10.0),
            date: card.date.as_deref().and_then(day),
            failing,
        }),
        archived,
        ..Facts::default()
    }
}

/// Scorecard's reason for an archived repository (`project is archived`; before v4.11,
/// `repo is marked as archived`).
fn says_archived(reason: &str) -> bool {
    let r = reason.to_ascii_lowercase();
    r.starts_with("project is archived") || r.contains("is marked as archived")
}

// The wire format (protobuf JSON: lowerCamelCase names, enums as strings).

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct VersionKey {
    system: String,
    name: String,
    version: String,
}

impl VersionKey {
    /// What a response's echoed request is matched by.
    fn matching(&self) -> (String, String, String) {
        (
            self.system.to_ascii_uppercase(),
            self.name.clone(),
            self.version.clone(),
        )
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct VersionRequest {
    version_key: VersionKey,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct VersionBatchRequest {
    requests: Vec<VersionRequest>,
    #[serde(skip_serializing_if = "Option::is_none")]
    page_token: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct VersionBatch {
    #[serde(default)]
    responses: Vec<VersionResponse>,
    #[serde(default)]
    next_page_token: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct VersionResponse {
    #[serde(default)]
    request: Option<EchoedVersionRequest>,
    #[serde(default)]
    version: Option<Version>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct EchoedVersionRequest {
    #[serde(default)]
    version_key: Option<VersionKey>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Version {
    #[serde(default)]
    published_at: Option<String>,
    #[serde(default)]
    licenses: Vec<String>,
    #[serde(default)]
    license_details: Vec<LicenseDetail>,
    #[serde(default)]
    advisory_keys: Vec<AdvisoryKey>,
    #[serde(default)]
    related_projects: Vec<RelatedProject>,
}

#[derive(Debug, Deserialize)]
struct LicenseDetail {
    #[serde(default)]
    license: Option<String>,
    #[serde(default)]
    spdx: Option<String>,
}

#[derive(Debug, Deserialize)]
struct AdvisoryKey {
    #[serde(default)]
    id: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RelatedProject {
    #[serde(default)]
    project_key: Option<ProjectKey>,
    #[serde(default)]
    relation_type: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct ProjectKey {
    #[serde(default)]
    id: String,
}

#[derive(Deserialize)]
struct Package {
    #[serde(default)]
    versions: Vec<PackageVersion>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PackageVersion {
    #[serde(default)]
    version_key: Option<PackageVersionKey>,
    #[serde(default)]
    published_at: Option<String>,
    #[serde(default)]
    is_default: bool,
}

#[derive(Deserialize)]
struct PackageVersionKey {
    #[serde(default)]
    version: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ProjectRequest {
    project_key: ProjectKey,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ProjectBatchRequest {
    requests: Vec<ProjectRequest>,
    #[serde(skip_serializing_if = "Option::is_none")]
    page_token: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ProjectBatch {
    #[serde(default)]
    responses: Vec<ProjectResponse>,
    #[serde(default)]
    next_page_token: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ProjectResponse {
    #[serde(default)]
    request: Option<EchoedProjectRequest>,
    #[serde(default)]
    project: Option<Project>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct EchoedProjectRequest {
    #[serde(default)]
    project_key: Option<ProjectKey>,
}

#[derive(Debug, Deserialize)]
struct Project {
    #[serde(default)]
    scorecard: Option<ScorecardWire>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ScorecardWire {
    #[serde(default)]
    date: Option<String>,
    #[serde(default)]
    overall_score: f32,
    #[serde(default)]
    checks: Vec<CheckWire>,
}

#[derive(Debug, Deserialize)]
struct CheckWire {
    #[serde(default)]
    name: String,
    #[serde(default)]
    score: i32,
    #[serde(default)]
    reason: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_one_path_segment() {
        assert_eq!(segment("@colors/colors"), "%40colors%2Fcolors");
        assert_eq!(
            segment("org.apache.commons:commons-lang3"),
            "org.apache.commons%3Acommons-lang3"
        );
        assert_eq!(
            segment("github.com/spf13/pflag"),
            "github.com%2Fspf13%2Fpflag"
        );
    }

    #[test]
    fn project_ids_come_from_repository_urls() {
        assert_eq!(
            project_id("https://github.com/spf13/cobra").as_deref(),
            Some("github.com/spf13/cobra")
        );
        assert_eq!(
            project_id("https://GitHub.com/spf13/cobra.git/").as_deref(),
            Some("github.com/spf13/cobra")
        );
        assert_eq!(project_id("https://example.org/a/b"), None);
        assert_eq!(project_id("https://github.com/spf13"), None);
    }

    #[test]
    fn archived_is_read_from_the_maintained_reason() {
        assert!(says_archived("project is archived"));
        assert!(says_archived("repo is marked as archived"));
        assert!(!says_archived(
            "0 commit(s) and 0 issue activity found in the last 90 days -- score normalized to 0"
        ));
    }
}
