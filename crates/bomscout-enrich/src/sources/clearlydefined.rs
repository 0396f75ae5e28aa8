//! ClearlyDefined: curated definitions, or definitions harvested from the package's own
//! files (ScanCode, Licensee, ClearlyDefined's own tool).
//!
//! `POST {base}/definitions` with a JSON array of coordinates, at most 500 (the service
//! answers `400 Body contains too many coordinates` past that: `routes/definitions.ts` of
//! the ClearlyDefined service). The answer is an object keyed by the coordinates asked
//! (matched here without regard to case, as the service does). Of each definition:
//!
//! - `licensed.declared` → the license (an SPDX expression; `NOASSERTION`, `NONE` and
//!   `OTHER` alone say there is none usable and are not taken, as bomscout reads them in
//!   SPDX documents; an expression that merely contains one, `MIT AND NOASSERTION`, is
//!   kept as stated for the license stage to report verbatim);
//! - `described.sourceLocation` → the repository, when it is on github.com, gitlab.com or
//!   bitbucket.org (its `url` often points at one commit; the repository is rebuilt from
//!   `namespace` and `name`);
//! - `described.releaseDate` → `published`.
//!
//! A definition with no declared license whose `described.tools` is empty was never
//! harvested: that is "not found", not "no license". The licenses discovered in the
//! package's files (`licensed.facets.core.discovered.expressions`) are left out: they
//! cover every file, test data and vendored code included, so they are not the package's
//! license, and taking them would report false disagreements.
//!
//! Coordinates are `type/provider/namespace/name/revision`, with `-` for no namespace:
//! `npm/npmjs/@scope/name/1.0.0`, `maven/mavencentral/group/artifact/1.0`,
//! `pypi/pypi/-/name/1.0`, `crate/cratesio/-/name/1.0.0`, `gem/rubygems/-/name/1.0`,
//! `nuget/nuget/-/Name/1.0`, `composer/packagist/vendor/name/1.0`,
//! `pod/cocoapods/-/Name/1.0`, and for Go the module path's last element as the name and
//! the rest as the namespace with its slashes written `%2F`
//! (`go/golang/github.com%2Fpkg/errors/v0.9.1`).

use super::fields::day;
use crate::facts::{Answer, Coordinates, Facts, FoundLicense};
use crate::source::{fan_out, Http, Source, SourceError};
use bomscout_core::{Ecosystem, SourceKind};
use serde::Deserialize;
use std::collections::HashMap;

/// The most coordinates one `POST /definitions` may carry.
pub const BATCH_LIMIT: usize = 500;

const WHAT: &str = "ClearlyDefined API";

/// The ClearlyDefined source.
#[derive(Debug, Clone)]
pub struct ClearlyDefined {
    base: String,
}

impl ClearlyDefined {
    /// ClearlyDefined's API at `base`.
    pub fn new(base: &str) -> ClearlyDefined {
        ClearlyDefined {
            base: base.trim().trim_end_matches('/').to_string(),
        }
    }

    /// The `GET` URL of one definition (the evidence URL of what the batch said about it).
    pub fn definition_url(&self, coordinates: &str) -> String {
        format!("{}/definitions/{coordinates}", self.base)
    }

    fn batch(&self, http: &Http, keys: &[Coordinates]) -> Vec<Result<Answer, SourceError>> {
        fan_out(keys, coordinates, |asked: &[String]| {
            let url = format!("{}/definitions", self.base);
            let found: HashMap<String, Definition> = http
                .post_json::<_, HashMap<String, Definition>>(&url, &asked, WHAT)?
                .unwrap_or_default()
                .into_iter()
                .map(|(k, v)| (k.to_ascii_lowercase(), v))
                .collect();
            Ok(asked
                .iter()
                .map(|c| {
                    let url = self.definition_url(c);
                    Ok(match found.get(&c.to_ascii_lowercase()) {
                        Some(d) => facts(url, d),
                        None => Answer::NotFound { url },
                    })
                })
                .collect())
        })
    }
}

impl Source for ClearlyDefined {
    fn name(&self) -> &'static str {
        "clearlydefined"
    }

    fn kind(&self) -> SourceKind {
        SourceKind::ClearlyDefined
    }

    fn supports(&self, ecosystem: Ecosystem) -> bool {
        kind_of(ecosystem).is_some()
    }

    fn batch_size(&self) -> usize {
        BATCH_LIMIT
    }

    fn versions(&self, http: &Http, packages: &[Coordinates]) -> Vec<Result<Answer, SourceError>> {
        packages
            .chunks(BATCH_LIMIT)
            .flat_map(|chunk| self.batch(http, chunk))
            .collect()
    }
}

/// ClearlyDefined's type and provider for an ecosystem.
fn kind_of(ecosystem: Ecosystem) -> Option<(&'static str, &'static str)> {
    Some(match ecosystem {
        Ecosystem::Npm => ("npm", "npmjs"),
        Ecosystem::Maven => ("maven", "mavencentral"),
        Ecosystem::PyPI => ("pypi", "pypi"),
        Ecosystem::Cargo => ("crate", "cratesio"),
        Ecosystem::Gem => ("gem", "rubygems"),
        Ecosystem::Nuget => ("nuget", "nuget"),
        Ecosystem::Golang => ("go", "golang"),
        Ecosystem::Composer => ("composer", "packagist"),
        Ecosystem::Cocoapods => ("pod", "cocoapods"),
        _ => return None,
    })
}

/// The ClearlyDefined coordinates of a package version.
pub fn coordinates(key: &Coordinates) -> Result<String, SourceError> {
    let unaskable = |why: &str| SourceError::Unaskable(format!("{}: {why}", key.purl()));
    let (ty, provider) = kind_of(key.ecosystem)
        .ok_or_else(|| unaskable("ClearlyDefined does not know this ecosystem"))?;
    let revision = key
        .version
        .as_deref()
        .filter(|v| !v.is_empty())
        .ok_or_else(|| unaskable("no version to ask ClearlyDefined about"))?;
    let (namespace, name) = if key.ecosystem == Ecosystem::Golang {
        // The module path's last element is the name; the rest, slashes encoded, the
        // namespace.
        let path = key.full_name();
        match path.rsplit_once('/') {
            Some((ns, name)) => (ns.replace('/', "%2F"), name.to_string()),
            None => (String::from("-"), path),
        }
    } else {
        let ns = key.namespace.as_deref().filter(|n| !n.is_empty());
        if key.ecosystem == Ecosystem::Maven && ns.is_none() {
            return Err(unaskable(
                "a Maven artifact without a group cannot be asked about",
            ));
        }
        (ns.unwrap_or("-").to_string(), key.name.clone())
    };
    // One segment each: a slash inside one would shift the others.
    for part in [namespace.as_str(), name.as_str(), revision] {
        if part.is_empty() || part.contains('/') || part.contains(char::is_whitespace) {
            return Err(unaskable(
                "cannot be written as ClearlyDefined coordinates (an empty part, a slash or a space)",
            ));
        }
    }
    Ok(format!("{ty}/{provider}/{namespace}/{name}/{revision}"))
}

fn facts(url: String, d: &Definition) -> Answer {
    let declared = d
        .licensed
        .as_ref()
        .and_then(|l| l.declared.as_deref())
        .map(str::trim)
        .filter(|l| !l.is_empty() && !matches!(*l, "NOASSERTION" | "OTHER" | "NONE"));
    let described = d.described.as_ref();
    let harvested = described.is_some_and(|d| !d.tools.is_empty());
    if declared.is_none() && !harvested {
        return Answer::NotFound { url };
    }
    let repository = described
        .and_then(|d| d.source_location.as_ref())
        .and_then(repository);
    Answer::found(Facts {
        licenses: declared
            .map(|l| FoundLicense {
                raw: l.to_string(),
                field: "licensed.declared".into(),
                confidence: None,
            })
            .into_iter()
            .collect(),
        repository,
        published: described
            .and_then(|d| d.release_date.as_deref())
            .and_then(day),
        url,
        ..Facts::default()
    })
}

/// `https://github.com/o/r` from a source location on github.com, gitlab.com or
/// bitbucket.org.
fn repository(loc: &SourceLocation) -> Option<String> {
    let host = match loc.provider.as_deref()? {
        "github" => "github.com",
        "gitlab" => "gitlab.com",
        "bitbucket" => "bitbucket.org",
        _ => return None,
    };
    let ok = |s: &str| {
        !s.is_empty()
            && s != "."
            && s != ".."
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    };
    let namespace = loc.namespace.as_deref().filter(|s| ok(s))?;
    let name = loc.name.as_deref().filter(|s| ok(s))?;
    Some(format!("https://{host}/{namespace}/{name}"))
}

#[derive(Debug, Deserialize)]
struct Definition {
    #[serde(default)]
    described: Option<Described>,
    #[serde(default)]
    licensed: Option<Licensed>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Described {
    #[serde(default)]
    release_date: Option<String>,
    #[serde(default)]
    source_location: Option<SourceLocation>,
    #[serde(default)]
    tools: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct SourceLocation {
    #[serde(default)]
    provider: Option<String>,
    #[serde(default)]
    namespace: Option<String>,
    #[serde(default)]
    name: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Licensed {
    #[serde(default)]
    declared: Option<String>,
}
