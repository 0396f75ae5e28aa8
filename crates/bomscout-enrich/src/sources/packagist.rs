//! Packagist (Composer's v2 metadata, or a mirror's).
//!
//! - facts and latest: `GET {base}/p2/{vendor}/{name}.json`: `packages["vendor/name"]`, a list
//!   of releases, newest first, "minified" (`"minified": "composer/2.0"`): each entry carries
//!   only the keys that changed since the entry before it, and `"__unset"` removes a key
//!   ([`expand`]). The release's `license` (an array: Composer documents several as a
//!   choice, so they are joined by `OR`), the first `authors[].name` (supplier),
//!   `source.url` (repository) and `time` (published). The latest is the first stable
//!   release (no `-` in `version_normalized`). The document is kept for the run: every
//!   version of the package and its latest release cost one request.

use super::declared::{self, json_str, object, Memo, Several};
use super::fields;
use super::repo;
use crate::{Answer, Coordinates, Facts, Http, SourceError};
use bomscout_core::Ecosystem;
use serde_json::{Map, Value};

const WHAT: &str = "Composer v2 metadata";

/// A package's releases, each expanded to all its keys.
type Releases = Vec<Map<String, Value>>;

/// The Packagist source.
#[derive(Debug)]
pub struct Packagist {
    base: String,
    memo: Memo,
}

impl Packagist {
    /// The source at `base`.
    pub fn new(base: &str) -> Packagist {
        Packagist {
            base: base.trim_end_matches('/').to_string(),
            memo: Memo::default(),
        }
    }

    /// The URL asked and the releases of `c`, expanded, newest first (`None` when the
    /// package is not found).
    fn releases(
        &self,
        http: &Http,
        c: &Coordinates,
    ) -> Result<(String, Option<Releases>), SourceError> {
        declared::named(c)?;
        let vendor = c
            .namespace
            .as_deref()
            .filter(|v| !v.is_empty())
            .ok_or_else(|| {
                SourceError::Unaskable(format!(
                    "{}: a Composer package without a vendor cannot be looked up",
                    c.purl()
                ))
            })?;
        let vendor = vendor.to_lowercase();
        let name = c.name.to_lowercase();
        let file = format!("{name}.json");
        let url = bomscout_net::join_url(&self.base, &["p2", &vendor, &file])?;
        let Some(doc) = self.memo.get(http, &url, WHAT)? else {
            return Ok((url, None));
        };
        let key = format!("{vendor}/{name}");
        let list = object(&url, &doc, WHAT)?
            .get("packages")
            .and_then(|p| p.get(&key))
            .and_then(Value::as_array)
            .ok_or_else(|| SourceError::Malformed {
                url: bomscout_net::redact_url(&url),
                reason: format!("no `packages[{key:?}]` list"),
                what: WHAT,
            })?;
        Ok((url, Some(expand(list))))
    }

    fn version(&self, http: &Http, c: &Coordinates) -> Result<Answer, SourceError> {
        let version = declared::versioned(c)?;
        let (url, releases) = self.releases(http, c)?;
        let Some(releases) = releases else {
            return Ok(Answer::NotFound { url });
        };
        let wanted = version;
        let bare = |v: &str| v.trim_start_matches(['v', 'V']).to_string();
        let release = releases
            .iter()
            .find(|r| r.get("version").and_then(Value::as_str) == Some(wanted))
            .or_else(|| {
                releases.iter().find(|r| {
                    r.get("version").and_then(Value::as_str).map(bare) == Some(bare(wanted))
                })
            });
        let Some(release) = release else {
            return Ok(Answer::NotFound { url });
        };
        let licenses: Vec<String> = match release.get("license") {
            Some(Value::Array(items)) => items.iter().filter_map(json_str).collect(),
            Some(Value::String(one)) => vec![one.clone()],
            _ => Vec::new(),
        };
        Ok(Answer::found(Facts {
            licenses: declared::combine("license", &licenses, Several::Any),
            supplier: release
                .get("authors")
                .and_then(Value::as_array)
                .and_then(|a| a.iter().find_map(|a| a.get("name").and_then(json_str)))
                .and_then(|n| fields::person_name(&n)),
            repository: release
                .get("source")
                .and_then(|s| s.get("url"))
                .and_then(json_str)
                .and_then(|u| repo::normalize(&u)),
            published: release
                .get("time")
                .and_then(json_str)
                .and_then(|t| fields::day(&t)),
            url,
            ..Facts::default()
        }))
    }

    fn package(&self, http: &Http, c: &Coordinates) -> Result<Answer, SourceError> {
        let (url, releases) = self.releases(http, c)?;
        let Some(releases) = releases else {
            return Ok(Answer::NotFound { url });
        };
        let latest = releases.iter().find(|r| {
            r.get("version_normalized")
                .and_then(Value::as_str)
                .is_some_and(|v| !v.contains('-'))
        });
        Ok(Answer::found(Facts {
            latest_version: latest.and_then(|r| r.get("version")).and_then(json_str),
            latest_release: latest
                .and_then(|r| r.get("time"))
                .and_then(json_str)
                .and_then(|t| fields::day(&t)),
            url,
            ..Facts::default()
        }))
    }
}

/// Composer's metadata minification undone: each entry is the previous entry with the
/// entry's keys laid over it, `"__unset"` removing a key. Entries that are not objects are
/// skipped.
pub fn expand(list: &[Value]) -> Vec<Map<String, Value>> {
    let mut out: Vec<Map<String, Value>> = Vec::with_capacity(list.len());
    let mut current = Map::new();
    for entry in list {
        let Some(entry) = entry.as_object() else {
            continue;
        };
        for (key, value) in entry {
            if value.as_str() == Some("__unset") {
                current.remove(key);
            } else {
                current.insert(key.clone(), value.clone());
            }
        }
        out.push(current.clone());
    }
    out
}

one_at_a_time!(
    Packagist,
    "packagist",
    Ecosystem::Composer,
    version,
    package
);

#[cfg(test)]
mod tests {
    use super::expand;
    use serde_json::json;

    /// The example of Composer's metadata-minifier documentation: the second entry keeps
    /// `type`, replaces `license`, drops `scripts`; the third keeps the second's license.
    #[test]
    fn minified_entries_expand() {
        let list = json!([
            {"name": "foo/bar", "version": "2.0.0", "type": "library", "scripts": {"foo": "bar"}, "license": ["MIT"]},
            {"version": "1.2.0", "license": ["GPL"], "homepage": "https://example.invalid", "scripts": "__unset"},
            {"version": "1.0.0", "homepage": "__unset"}
        ]);
        let out = expand(list.as_array().unwrap());
        assert_eq!(out.len(), 3);
        assert_eq!(out[1]["name"], "foo/bar");
        assert_eq!(out[1]["license"], json!(["GPL"]));
        assert!(!out[1].contains_key("scripts"));
        assert_eq!(out[2]["license"], json!(["GPL"]));
        assert_eq!(out[2]["type"], "library");
        assert!(!out[2].contains_key("homepage"));
    }
}
