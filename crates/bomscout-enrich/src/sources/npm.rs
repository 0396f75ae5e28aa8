//! The npm registry.
//!
//! - Versions: `GET {base}/{name}/{version}`, the version's own `package.json` as
//!   published (a few KB; a scoped name is one path segment, `@scope%2Fname`). Licenses
//!   from `license` (an SPDX string; the legacy `{type}` object; an array of strings or of
//!   `{type}` objects) and the legacy `licenses` array; supplier from `author` (an object's
//!   `name`, or the `Name <mail> (url)` string), else the first of `maintainers`;
//!   repository from `repository` (an object's `url`, or a string: a URL or a
//!   `github:o/r` / `o/r` shorthand). The per-version document carries no date, so
//!   `published` stays empty here.
//! - Packages: `GET {base}/{name}`, the full document (megabytes for a package with
//!   thousands of versions; only `dist-tags.latest` and `time` are read): the latest
//!   release and its date.

use super::{fields, repo};
use crate::source::parse_json;
use crate::{Answer, Coordinates, Facts, FoundLicense, Http, SourceError};
use bomscout_core::Ecosystem;
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;

const WHAT: &str = "npm registry";

/// The most licenses read from one document (a longer list is not a license list).
const MAX_LICENSES: usize = 16;

/// The longest license value kept (a longer one is not a license name or expression).
const MAX_LICENSE_LEN: usize = 512;

/// The npm registry at a base URL (the public one, a mirror, a loopback test server).
#[derive(Debug, Clone)]
pub struct Npm {
    base: String,
}

impl Npm {
    /// The registry at `base` (`https://registry.example.invalid`).
    pub fn new(base: impl Into<String>) -> Npm {
        Npm { base: base.into() }
    }

    /// The URL of one version's document; the latest release's when `version` is `None`.
    pub fn version_url(&self, package: &Coordinates) -> Result<String, SourceError> {
        if package.name.trim().is_empty() {
            return Err(SourceError::Unaskable(String::from(
                "an npm package without a name cannot be asked about",
            )));
        }
        let name = package.full_name();
        let version = package.version.as_deref().unwrap_or("latest");
        Ok(bomscout_net::join_url(&self.base, &[&name, version])?)
    }

    /// The URL of the package's full document.
    pub fn package_url(&self, package: &Coordinates) -> Result<String, SourceError> {
        if package.name.trim().is_empty() {
            return Err(SourceError::Unaskable(String::from(
                "an npm package without a name cannot be asked about",
            )));
        }
        Ok(bomscout_net::join_url(&self.base, &[&package.full_name()])?)
    }

    fn version(&self, http: &Http, package: &Coordinates) -> Result<Answer, SourceError> {
        let url = self.version_url(package)?;
        match http.get_bytes(&url, crate::source::DOCUMENT_LIMIT)? {
            None => Ok(Answer::NotFound {
                url: bomscout_net::redact_url(&url),
            }),
            Some(bytes) => {
                let doc: Value = parse_json(&url, &bytes, WHAT)?;
                version_facts(&url, &doc).map(Answer::found)
            }
        }
    }

    fn package(&self, http: &Http, package: &Coordinates) -> Result<Answer, SourceError> {
        let url = self.package_url(package)?;
        let Some(doc) = http.get_json::<PackageDoc>(&url, WHAT)? else {
            return Ok(Answer::NotFound {
                url: bomscout_net::redact_url(&url),
            });
        };
        let latest = doc.dist_tags.get("latest").cloned();
        let latest_release = latest
            .as_deref()
            .and_then(|v| doc.time.get(v))
            .and_then(|t| t.as_str())
            .and_then(fields::day);
        Ok(Answer::found(Facts {
            url: bomscout_net::redact_url(&url),
            latest_version: latest,
            latest_release,
            ..Facts::default()
        }))
    }
}

/// The parts of the full document read: a missing part is empty, not an error.
#[derive(Debug, Deserialize)]
struct PackageDoc {
    #[serde(rename = "dist-tags", default)]
    dist_tags: BTreeMap<String, String>,
    #[serde(default)]
    time: BTreeMap<String, Value>,
}

one_at_a_time!(Npm, "npm", Ecosystem::Npm, version, package);

/// The facts of one version document.
fn version_facts(url: &str, doc: &Value) -> Result<Facts, SourceError> {
    let Some(obj) = doc.as_object() else {
        return Err(SourceError::Malformed {
            url: bomscout_net::redact_url(url),
            reason: String::from("the answer is not a JSON object"),
            what: WHAT,
        });
    };
    let mut licenses = Vec::new();
    if let Some(v) = obj.get("license") {
        collect_licenses(v, "license", &mut licenses);
    }
    if let Some(v) = obj.get("licenses") {
        collect_licenses(v, "licenses", &mut licenses);
    }
    licenses.truncate(MAX_LICENSES);
    let supplier = obj.get("author").and_then(person).or_else(|| {
        obj.get("maintainers")
            .and_then(Value::as_array)
            .and_then(|m| m.iter().find_map(person))
    });
    let repository = match obj.get("repository") {
        Some(Value::String(s)) => repo::normalize_npm(s),
        Some(Value::Object(o)) => o
            .get("url")
            .and_then(Value::as_str)
            .and_then(repo::normalize_npm),
        _ => None,
    };
    Ok(Facts {
        url: bomscout_net::redact_url(url),
        licenses,
        supplier,
        repository,
        ..Facts::default()
    })
}

/// Licenses in a `license` or `licenses` value, each with its JSON path.
fn collect_licenses(value: &Value, path: &str, out: &mut Vec<FoundLicense>) {
    match value {
        Value::String(s) => push_license(s, path, out),
        Value::Object(o) => {
            if let Some(Value::String(s)) = o.get("type") {
                push_license(s, &format!("{path}.type"), out);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().take(MAX_LICENSES).enumerate() {
                match item {
                    Value::String(s) => push_license(s, &format!("{path}[{i}]"), out),
                    Value::Object(o) => {
                        if let Some(Value::String(s)) = o.get("type") {
                            push_license(s, &format!("{path}[{i}].type"), out);
                        }
                    }
                    _ => {}
                }
            }
        }
        _ => {}
    }
}

fn push_license(raw: &str, field: &str, out: &mut Vec<FoundLicense>) {
    let raw = raw.trim();
    if raw.is_empty() || raw.len() > MAX_LICENSE_LEN {
        return;
    }
    out.push(FoundLicense {
        raw: raw.to_string(),
        field: field.to_string(),
        confidence: None,
    });
}

/// A person value: `{ "name": … }` or the `Name <mail> (url)` string.
fn person(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => fields::person_name(s),
        Value::Object(o) => o
            .get("name")
            .and_then(Value::as_str)
            .and_then(fields::text_name),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn facts(doc: Value) -> Facts {
        version_facts("http://127.0.0.1/x/1", &doc).unwrap()
    }

    fn licenses(f: &Facts) -> Vec<(&str, &str)> {
        f.licenses
            .iter()
            .map(|l| (l.raw.as_str(), l.field.as_str()))
            .collect()
    }

    #[test]
    fn every_license_shape() {
        let f = facts(json!({"license": "MIT"}));
        assert_eq!(licenses(&f), [("MIT", "license")]);
        let f = facts(json!({"license": {"type": "MIT", "url": "http://x"}}));
        assert_eq!(licenses(&f), [("MIT", "license.type")]);
        let f = facts(json!({"license": ["MIT", "Apache2"]}));
        assert_eq!(
            licenses(&f),
            [("MIT", "license[0]"), ("Apache2", "license[1]")]
        );
        let f = facts(json!({"licenses": [{"type": "AFLv2.1"}, {"type": "BSD"}]}));
        assert_eq!(
            licenses(&f),
            [("AFLv2.1", "licenses[0].type"), ("BSD", "licenses[1].type")]
        );
        let f = facts(json!({"license": 3, "licenses": [null, {"type": 4}, ""]}));
        assert!(f.licenses.is_empty());
    }

    #[test]
    fn suppliers_and_repositories() {
        let f = facts(json!({"author": {"name": "Robert Kieffer", "url": "http://x"}}));
        assert_eq!(f.supplier.as_deref(), Some("Robert Kieffer"));
        let f = facts(json!({"maintainers": [{"email": "a@b.c"}, {"name": "Kris Zyp"}]}));
        assert_eq!(f.supplier.as_deref(), Some("Kris Zyp"));
        let f = facts(json!({"author": "x@y.example", "maintainers": "junk"}));
        assert_eq!(f.supplier, None);
        let f = facts(json!({"repository": "github:o/r"}));
        assert_eq!(f.repository.as_deref(), Some("https://github.com/o/r"));
        let f = facts(json!({"repository": "o/r"}));
        assert_eq!(f.repository.as_deref(), Some("https://github.com/o/r"));
        let f = facts(json!({"repository": {"type": "git", "url": 7}}));
        assert_eq!(f.repository, None);
    }

    #[test]
    fn not_an_object_is_malformed() {
        let err = version_facts("http://127.0.0.1/x/1", &json!([1])).unwrap_err();
        assert!(err.to_string().contains("http://127.0.0.1/x/1"), "{err}");
    }

    #[test]
    fn scoped_names_are_one_segment() {
        let npm = Npm::new("http://127.0.0.1:1/");
        let c = Coordinates {
            ecosystem: Ecosystem::Npm,
            namespace: Some("@babel".into()),
            name: "core".into(),
            version: Some("7.26.0".into()),
        };
        assert_eq!(
            npm.version_url(&c).unwrap(),
            "http://127.0.0.1:1/@babel%2Fcore/7.26.0"
        );
        assert_eq!(
            npm.package_url(&c).unwrap(),
            "http://127.0.0.1:1/@babel%2Fcore"
        );
    }
}
