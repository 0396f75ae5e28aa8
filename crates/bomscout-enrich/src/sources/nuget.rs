//! NuGet (the public gallery's flat container, or a mirror's).
//!
//! - facts: `GET {base}/v3-flatcontainer/{id}/{version}/{id}.nuspec` (id and version
//!   lower-cased, build metadata dropped, as the flat container names them): `license`
//!   with `type="expression"` (an SPDX expression), `type="file"` (no expression: the
//!   license is a file inside the package, kept as the text "see the package's file X" so
//!   the gate reports it), else the legacy `licenseUrl` (the gallery's own
//!   license host's `/EXPR` URLs and the well-known license pages map to their SPDX id;
//!   any other URL is kept as written, so the gate reports it); `authors` (the first is
//!   the supplier); `repository@url`, else `projectUrl` on a known forge. A `.nuspec` has
//!   no publication date.
//! - latest: `GET {base}/v3-flatcontainer/{id}/index.json`: the last stable entry of
//!   `versions` (the list is in ascending order; a version with `-` is a prerelease).

use super::declared::{self, json_str, license_url, object};
use super::fields;
use super::{repo, xml};
use crate::source::DOCUMENT_LIMIT;
use crate::{Answer, Coordinates, Facts, FoundLicense, Http, SourceError};
use bomscout_core::Ecosystem;
use serde_json::Value;

const WHAT: &str = "NuGet flat container";

/// The NuGet source.
#[derive(Debug)]
pub struct NuGet {
    base: String,
}

impl NuGet {
    /// The source at `base` (the service root; `/v3-flatcontainer` is appended).
    pub fn new(base: &str) -> NuGet {
        NuGet {
            base: base.trim_end_matches('/').to_string(),
        }
    }

    fn version(&self, http: &Http, c: &Coordinates) -> Result<Answer, SourceError> {
        let version = declared::versioned(c)?;
        let id = c.name.to_lowercase();
        let version = normalized_version(version);
        let file = format!("{id}.nuspec");
        let url = bomscout_net::join_url(&self.base, &["v3-flatcontainer", &id, &version, &file])?;
        let Some(bytes) = http.get_bytes(&url, DOCUMENT_LIMIT)? else {
            return Ok(Answer::NotFound { url });
        };
        let malformed = |reason: String| SourceError::Malformed {
            url: bomscout_net::redact_url(&url),
            reason,
            what: WHAT,
        };
        let root = xml::parse(&bytes).map_err(malformed)?;
        let Some(meta) = root.child("metadata").filter(|_| root.name == "package") else {
            return Err(malformed("no <package><metadata> element".to_string()));
        };
        let licenses = match meta.child("license") {
            Some(l) if !l.text.is_empty() && l.attr("type") == Some("expression") => {
                vec![found(&l.text, "metadata/license[@type=expression]")]
            }
            Some(l) if !l.text.is_empty() && l.attr("type") == Some("file") => vec![found(
                &format!("see the package's file {}", l.text),
                "metadata/license[@type=file]",
            )],
            _ => meta
                .text_at(&["licenseUrl"])
                .map(|u| vec![found(&license_url(u), "metadata/licenseUrl")])
                .unwrap_or_default(),
        };
        let repository = meta
            .child("repository")
            .and_then(|r| r.attr("url"))
            .and_then(repo::normalize)
            .or_else(|| meta.text_at(&["projectUrl"]).and_then(repo::forge));
        Ok(Answer::found(Facts {
            licenses,
            supplier: meta
                .text_at(&["authors"])
                .and_then(|a| a.split(',').find_map(fields::person_name)),
            repository,
            url,
            ..Facts::default()
        }))
    }

    fn package(&self, http: &Http, c: &Coordinates) -> Result<Answer, SourceError> {
        declared::named(c)?;
        let id = c.name.to_lowercase();
        let url = bomscout_net::join_url(&self.base, &["v3-flatcontainer", &id, "index.json"])?;
        let Some(doc) = http.get_json::<Value>(&url, WHAT)? else {
            return Ok(Answer::NotFound { url });
        };
        let versions = object(&url, &doc, WHAT)?
            .get("versions")
            .and_then(Value::as_array)
            .ok_or_else(|| SourceError::Malformed {
                url: bomscout_net::redact_url(&url),
                reason: "no `versions` array".to_string(),
                what: WHAT,
            })?;
        let latest = versions
            .iter()
            .filter_map(json_str)
            .rfind(|v| !v.contains('-'));
        Ok(Answer::found(Facts {
            url,
            latest_version: latest,
            ..Facts::default()
        }))
    }
}

/// A version as the flat container names it (NuGet's normalization): lower case, build
/// metadata dropped, at least three numbers (`1.0` is `1.0.0`), a fourth that is `0`
/// dropped (`1.0.0.0` is `1.0.0`), leading zeros dropped (`01.2.3` is `1.2.3`).
fn normalized_version(version: &str) -> String {
    let version = version.trim();
    let version = version.split('+').next().unwrap_or(version).to_lowercase();
    let (numbers, pre) = match version.split_once('-') {
        Some((n, p)) => (n, Some(p)),
        None => (version.as_str(), None),
    };
    let mut parts: Vec<String> = numbers
        .split('.')
        .map(|p| match p.trim_start_matches('0') {
            "" if !p.is_empty() => "0".to_string(),
            t => t.to_string(),
        })
        .collect();
    if parts
        .iter()
        .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return version;
    }
    while parts.len() < 3 {
        parts.push("0".to_string());
    }
    if parts.len() == 4 && parts[3] == "0" {
        parts.pop();
    }
    let mut out = parts.join(".");
    if let Some(pre) = pre {
        out.push('-');
        out.push_str(pre);
    }
    out
}

fn found(raw: &str, field: &str) -> FoundLicense {
    FoundLicense {
        raw: raw.to_string(),
        field: field.to_string(),
        confidence: None,
    }
}

one_at_a_time!(NuGet, "nuget", Ecosystem::Nuget, version, package);

#[cfg(test)]
mod tests {
    use super::normalized_version;

    #[test]
    fn versions_as_the_flat_container_names_them() {
        for (given, expected) in [
            ("13.0.3", "13.0.3"),
            ("1.0", "1.0.0"),
            ("1.0.0.0", "1.0.0"),
            ("1.0.0.4", "1.0.0.4"),
            ("01.02.3", "1.2.3"),
            ("1.0.0-Beta.1+sha.abc", "1.0.0-beta.1"),
            ("not-a-version", "not-a-version"),
        ] {
            assert_eq!(normalized_version(given), expected, "{given}");
        }
    }
}
