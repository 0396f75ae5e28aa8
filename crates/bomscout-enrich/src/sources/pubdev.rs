//! pub (the Dart and Flutter package repository, or a mirror with its API).
//!
//! - facts: `GET {base}/api/packages/{name}/versions/{version}`: `published`, and from
//!   `pubspec` the `repository` (else a `homepage` on a known forge) and the deprecated
//!   `author`/`authors` (supplier). A pubspec has no license field: pub's license is what
//!   its analysis of the package's LICENSE file found, published only as `license:…` tags of
//!   `GET {base}/api/packages/{name}/score` (`license:mit`, `license:bsd-3-clause`; the tags
//!   `license:osi-approved`, `license:fsf-libre` and `license:unknown` are categories, not
//!   licenses). The score is of the package's latest version, so the license is that
//!   version's: `field` says so (`score.tags (latest version)`). The score's
//!   `publisher:…` tag is the supplier when the pubspec names no author.
//! - latest: `GET {base}/api/packages/{name}`: `latest.version`, `latest.published`.

use super::declared::{self, json_str, object, Several};
use super::fields;
use super::repo;
use crate::{Answer, Coordinates, Facts, Http, SourceError};
use bomscout_core::Ecosystem;
use serde_json::Value;

const WHAT: &str = "pub API";

/// Tags of the `license:` family that are categories, not licenses.
const CATEGORIES: [&str; 3] = ["osi-approved", "fsf-libre", "unknown"];

/// The pub source.
#[derive(Debug)]
pub struct Pub {
    base: String,
}

impl Pub {
    /// The source at `base`.
    pub fn new(base: &str) -> Pub {
        Pub {
            base: base.trim_end_matches('/').to_string(),
        }
    }

    fn version(&self, http: &Http, c: &Coordinates) -> Result<Answer, SourceError> {
        let version = declared::versioned(c)?;
        let url = bomscout_net::join_url(
            &self.base,
            &["api", "packages", &c.name, "versions", version],
        )?;
        let Some(doc) = http.get_json::<Value>(&url, WHAT)? else {
            return Ok(Answer::NotFound { url });
        };
        let doc = object(&url, &doc, WHAT)?;
        let pubspec = doc.get("pubspec");
        let field = |k: &str| pubspec.and_then(|p| p.get(k)).and_then(json_str);
        let repository = field("repository")
            .and_then(|u| repo::normalize(&u))
            .or_else(|| field("homepage").and_then(|u| repo::forge(&u)));
        let author = field("author").or_else(|| {
            pubspec
                .and_then(|p| p.get("authors"))
                .and_then(Value::as_array)
                .and_then(|a| a.iter().find_map(json_str))
        });
        let score_url = bomscout_net::join_url(&self.base, &["api", "packages", &c.name, "score"])?;
        let tags: Vec<String> = match http.get_json::<Value>(&score_url, WHAT)? {
            Some(score) => object(&score_url, &score, WHAT)?
                .get("tags")
                .and_then(Value::as_array)
                .map(|t| t.iter().filter_map(json_str).collect())
                .unwrap_or_default(),
            None => Vec::new(),
        };
        let licenses: Vec<String> = tags
            .iter()
            .filter_map(|t| t.strip_prefix("license:"))
            .filter(|l| !CATEGORIES.contains(l))
            .map(str::to_string)
            .collect();
        let publisher = tags
            .iter()
            .find_map(|t| t.strip_prefix("publisher:"))
            .map(str::to_string);
        Ok(Answer::found(Facts {
            licenses: declared::combine("score.tags (latest version)", &licenses, Several::All),
            supplier: author.or(publisher).and_then(|a| fields::person_name(&a)),
            repository,
            published: doc
                .get("published")
                .and_then(json_str)
                .and_then(|d| fields::day(&d)),
            url,
            ..Facts::default()
        }))
    }

    fn package(&self, http: &Http, c: &Coordinates) -> Result<Answer, SourceError> {
        declared::named(c)?;
        let url = bomscout_net::join_url(&self.base, &["api", "packages", &c.name])?;
        let Some(doc) = http.get_json::<Value>(&url, WHAT)? else {
            return Ok(Answer::NotFound { url });
        };
        let latest = object(&url, &doc, WHAT)?.get("latest");
        Ok(Answer::found(Facts {
            latest_version: latest.and_then(|l| l.get("version")).and_then(json_str),
            latest_release: latest
                .and_then(|l| l.get("published"))
                .and_then(json_str)
                .and_then(|d| fields::day(&d)),
            url,
            ..Facts::default()
        }))
    }
}

one_at_a_time!(Pub, "pub", Ecosystem::Pub, version, package);
