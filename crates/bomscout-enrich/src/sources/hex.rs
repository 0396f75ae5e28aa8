//! Hex (the Elixir and Erlang package registry, or a mirror with its API).
//!
//! One request answers both questions: `GET {base}/api/packages/{name}` has the package's
//! `meta.licenses` (several are read as all applying; see [`declared::combine`]),
//! `meta.links` (the `GitHub`-like link is the repository), `owners` (the first owner is
//! the supplier, else the deprecated `meta.maintainers`), every release's `version` and
//! `inserted_at` (published), and `latest_stable_version`. Hex keeps licenses on the
//! package, not per release: they are those of the latest release's metadata. (A release's
//! own document, `…/releases/{version}`, adds only its `publisher`: not worth a second
//! request per version.) The document is kept for the run: every version of the package and
//! its latest release cost one request.

use super::declared::{self, json_str, object, Memo, Several};
use super::fields;
use super::repo;
use crate::{Answer, Coordinates, Facts, Http, SourceError};
use bomscout_core::Ecosystem;
use serde_json::Value;
use std::sync::Arc;

const WHAT: &str = "Hex API";

/// The Hex source.
#[derive(Debug)]
pub struct Hex {
    base: String,
    memo: Memo,
}

impl Hex {
    /// The source at `base`.
    pub fn new(base: &str) -> Hex {
        Hex {
            base: base.trim_end_matches('/').to_string(),
            memo: Memo::default(),
        }
    }

    fn document(
        &self,
        http: &Http,
        c: &Coordinates,
    ) -> Result<(String, Option<Arc<Value>>), SourceError> {
        declared::named(c)?;
        let url = bomscout_net::join_url(&self.base, &["api", "packages", &c.name])?;
        let doc = self.memo.get(http, &url, WHAT)?;
        if let Some(doc) = &doc {
            object(&url, doc, WHAT)?;
        }
        Ok((url, doc))
    }

    fn version(&self, http: &Http, c: &Coordinates) -> Result<Answer, SourceError> {
        let version = declared::versioned(c)?;
        let (url, doc) = self.document(http, c)?;
        let Some(doc) = doc else {
            return Ok(Answer::NotFound { url });
        };
        let wanted = version;
        let release = doc
            .get("releases")
            .and_then(Value::as_array)
            .and_then(|rs| {
                rs.iter()
                    .find(|r| r.get("version").and_then(Value::as_str) == Some(wanted))
            });
        let Some(release) = release else {
            return Ok(Answer::NotFound { url });
        };
        let meta = doc.get("meta");
        let licenses: Vec<String> = meta
            .and_then(|m| m.get("licenses"))
            .and_then(Value::as_array)
            .map(|ls| ls.iter().filter_map(json_str).collect())
            .unwrap_or_default();
        let repository = meta
            .and_then(|m| m.get("links"))
            .and_then(Value::as_object)
            .and_then(|links| {
                let mut links: Vec<(&String, &Value)> = links.iter().collect();
                // A link named like a forge first (`GitHub`, `Source`), then any on a forge.
                links.sort_by_key(|(k, _)| {
                    let k = k.to_ascii_lowercase();
                    !(k.contains("github")
                        || k.contains("gitlab")
                        || k.contains("source")
                        || k.contains("repo"))
                });
                links
                    .iter()
                    .find_map(|(_, v)| v.as_str().and_then(repo::forge))
            });
        let supplier = doc
            .get("owners")
            .and_then(Value::as_array)
            .and_then(|o| o.iter().find_map(|o| o.get("username").and_then(json_str)))
            .or_else(|| {
                meta.and_then(|m| m.get("maintainers"))
                    .and_then(Value::as_array)
                    .and_then(|m| m.iter().find_map(json_str))
            })
            .and_then(|s| fields::person_name(&s));
        Ok(Answer::found(Facts {
            licenses: declared::combine("meta.licenses", &licenses, Several::All),
            supplier,
            repository,
            published: release
                .get("inserted_at")
                .and_then(json_str)
                .and_then(|d| fields::day(&d)),
            url,
            ..Facts::default()
        }))
    }

    fn package(&self, http: &Http, c: &Coordinates) -> Result<Answer, SourceError> {
        let (url, doc) = self.document(http, c)?;
        let Some(doc) = doc else {
            return Ok(Answer::NotFound { url });
        };
        let latest = doc
            .get("latest_stable_version")
            .and_then(json_str)
            .or_else(|| doc.get("latest_version").and_then(json_str));
        let released = latest.as_deref().and_then(|v| {
            doc.get("releases")
                .and_then(Value::as_array)?
                .iter()
                .find(|r| r.get("version").and_then(Value::as_str) == Some(v))?
                .get("inserted_at")
                .and_then(json_str)
                .and_then(|d| fields::day(&d))
        });
        Ok(Answer::found(Facts {
            url,
            latest_version: latest,
            latest_release: released,
            ..Facts::default()
        }))
    }
}

one_at_a_time!(Hex, "hex", Ecosystem::Hex, version, package);
