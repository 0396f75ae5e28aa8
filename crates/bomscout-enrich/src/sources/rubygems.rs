//! RubyGems (the public gem host or a mirror with its API).
//!
//! - facts: `GET {base}/api/v2/rubygems/{name}/versions/{version}.json`: `licenses` (an
//!   array; RubyGems gives a list no meaning, so several are read as all applying, as ORT
//!   does; see [`declared::combine`]), `authors` (one comma-separated string: the first is
//!   the supplier), `source_code_uri` (or `metadata.source_code_uri`, else a `homepage_uri`
//!   on a known forge), `version_created_at`.
//! - latest: `GET {base}/api/v1/versions/{name}/latest.json` (`version`), then
//!   `GET {base}/api/v1/versions/{name}.json` for that version's `created_at`.

use super::declared::{self, Several};
use super::declared::{json_str, object};
use super::fields;
use super::repo;
use crate::{Answer, Coordinates, Facts, Http, SourceError};
use bomscout_core::Ecosystem;
use serde_json::Value;

const WHAT: &str = "RubyGems API";

/// The RubyGems source.
#[derive(Debug)]
pub struct RubyGems {
    base: String,
}

impl RubyGems {
    /// The source at `base`.
    pub fn new(base: &str) -> RubyGems {
        RubyGems {
            base: base.trim_end_matches('/').to_string(),
        }
    }

    fn version(&self, http: &Http, c: &Coordinates) -> Result<Answer, SourceError> {
        let version = declared::versioned(c)?;
        let file = format!("{version}.json");
        let url = bomscout_net::join_url(
            &self.base,
            &["api", "v2", "rubygems", &c.name, "versions", &file],
        )?;
        let Some(doc) = http.get_json::<Value>(&url, WHAT)? else {
            return Ok(Answer::NotFound { url });
        };
        let doc = object(&url, &doc, WHAT)?;
        let licenses: Vec<String> = match doc.get("licenses") {
            Some(Value::Array(items)) => items.iter().filter_map(json_str).collect(),
            Some(Value::String(one)) => vec![one.clone()],
            _ => Vec::new(),
        };
        let metadata_source = doc
            .get("metadata")
            .and_then(|m| m.get("source_code_uri"))
            .and_then(json_str);
        let repository = doc
            .get("source_code_uri")
            .and_then(json_str)
            .or(metadata_source)
            .and_then(|u| repo::normalize(&u))
            .or_else(|| {
                doc.get("homepage_uri")
                    .and_then(json_str)
                    .and_then(|u| repo::forge(&u))
            });
        let supplier = doc
            .get("authors")
            .and_then(json_str)
            .and_then(|a| a.split(',').find_map(fields::person_name));
        Ok(Answer::found(Facts {
            licenses: declared::combine("licenses", &licenses, Several::All),
            supplier,
            repository,
            published: doc
                .get("version_created_at")
                .and_then(json_str)
                .and_then(|d| fields::day(&d)),
            url,
            ..Facts::default()
        }))
    }

    fn package(&self, http: &Http, c: &Coordinates) -> Result<Answer, SourceError> {
        declared::named(c)?;
        let url = bomscout_net::join_url(
            &self.base,
            &["api", "v1", "versions", &c.name, "latest.json"],
        )?;
        let Some(doc) = http.get_json::<Value>(&url, WHAT)? else {
            return Ok(Answer::NotFound { url });
        };
        let latest = object(&url, &doc, WHAT)?
            .get("version")
            .and_then(json_str)
            .filter(|v| v != "unknown");
        let Some(latest) = latest else {
            return Ok(Answer::NotFound { url });
        };
        let file = format!("{}.json", c.name);
        let list_url = bomscout_net::join_url(&self.base, &["api", "v1", "versions", &file])?;
        let released = match http.get_json::<Value>(&list_url, WHAT)? {
            Some(Value::Array(versions)) => versions
                .iter()
                .find(|v| {
                    v.get("number").and_then(Value::as_str) == Some(latest.as_str())
                        && v.get("platform").and_then(Value::as_str).unwrap_or("ruby") == "ruby"
                })
                .and_then(|v| v.get("created_at"))
                .and_then(json_str)
                .and_then(|d| fields::day(&d)),
            Some(_) => {
                return Err(SourceError::Malformed {
                    url: bomscout_net::redact_url(&list_url),
                    reason: "not a JSON array of versions".to_string(),
                    what: WHAT,
                })
            }
            None => None,
        };
        Ok(Answer::found(Facts {
            url,
            latest_version: Some(latest),
            latest_release: released,
            ..Facts::default()
        }))
    }
}

one_at_a_time!(RubyGems, "rubygems", Ecosystem::Gem, version, package);
