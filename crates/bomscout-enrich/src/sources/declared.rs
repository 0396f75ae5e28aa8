//! What the registry sources of this module share: turning a registry's list of licenses
//! into what the engine reads, dates into `YYYY-MM-DD`, and a first author into a supplier.

use crate::{Coordinates, FoundLicense, SourceError};
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Documents kept for one run, keyed by URL, for sources whose one package-level document
/// answers every version of the package and its latest release (Hex, Packagist): ten
/// versions of one package cost one request. At most `MEMO_LIMIT` kept; past that the
/// memory is emptied and starts again. Failures are not kept.
#[derive(Debug, Default)]
pub struct Memo {
    kept: Mutex<HashMap<String, Option<Arc<Value>>>>,
}

/// The most documents a [`Memo`] keeps.
const MEMO_LIMIT: usize = 1024;

impl Memo {
    /// The JSON document at `url` (`None` for a 404), from memory or fetched.
    pub fn get(
        &self,
        http: &crate::Http,
        url: &str,
        what: &'static str,
    ) -> Result<Option<Arc<Value>>, SourceError> {
        if let Some(doc) = self.lock().get(url) {
            return Ok(doc.clone());
        }
        let doc = http.get_json::<Value>(url, what)?.map(Arc::new);
        let mut kept = self.lock();
        if kept.len() >= MEMO_LIMIT {
            kept.clear();
        }
        kept.insert(url.to_string(), doc.clone());
        Ok(doc)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Option<Arc<Value>>>> {
        self.kept.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The name of `c`, or why it cannot be asked about (an empty name would ask for a
/// registry's listing, not a package).
pub fn named(c: &Coordinates) -> Result<&str, SourceError> {
    let name = c.name.trim();
    if name.is_empty() {
        return Err(SourceError::Unaskable(format!(
            "{}: a package without a name cannot be looked up",
            c.purl()
        )));
    }
    Ok(name)
}

/// The version of `c` (with its name checked by [`named`]), or why it cannot be asked.
pub fn versioned(c: &Coordinates) -> Result<&str, SourceError> {
    named(c)?;
    c.version
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| SourceError::Unaskable(format!("{}: no version to look up", c.purl())))
}

/// A JSON value as text: a non-empty string, trimmed; `None` for anything else.
pub fn json_str(value: &Value) -> Option<String> {
    value
        .as_str()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// The answer as a JSON object, or the error naming `url`.
pub fn object<'a>(
    url: &str,
    doc: &'a Value,
    what: &'static str,
) -> Result<&'a Map<String, Value>, SourceError> {
    doc.as_object().ok_or_else(|| SourceError::Malformed {
        url: bomscout_net::redact_url(url),
        reason: "not a JSON object".to_string(),
        what,
    })
}

/// How a registry's list of several licenses is meant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Several {
    /// Every license applies (RubyGems, Hex, Maven: their documents give no meaning to a
    /// list, so the conservative reading is taken, as ORT's declared-license processor does).
    All,
    /// Any one may be chosen (Composer documents an array as a disjunction).
    Any,
}

/// The licenses of a list at JSON path / element `field`. One license is kept as written.
/// Several that each normalize to SPDX become one expression joined by `AND` or `OR`
/// (`field` then names the whole list), so the engine can report and judge it as one
/// expression; when any of them does not normalize, each is kept as written
/// (`field[i]`), so the gate reports the unknown text instead of a guess.
pub fn combine(field: &str, raws: &[String], several: Several) -> Vec<FoundLicense> {
    let raws: Vec<&str> = raws
        .iter()
        .map(|r| r.trim())
        .filter(|r| !r.is_empty())
        .collect();
    let found = |raw: &str, field: String| FoundLicense {
        raw: raw.to_string(),
        field,
        confidence: None,
    };
    match raws.as_slice() {
        [] => Vec::new(),
        [one] => vec![found(one, field.to_string())],
        many => {
            let exprs: Option<Vec<String>> = many
                .iter()
                .map(|r| bomscout_license::normalize(r).expression)
                .collect();
            match exprs {
                Some(mut exprs) => {
                    exprs.dedup();
                    let op = match several {
                        Several::All => " AND ",
                        Several::Any => " OR ",
                    };
                    let joined = exprs
                        .iter()
                        .map(|e| {
                            if e.contains(' ') {
                                format!("({e})")
                            } else {
                                e.clone()
                            }
                        })
                        .collect::<Vec<_>>()
                        .join(op);
                    vec![found(&joined, field.to_string())]
                }
                None => many
                    .iter()
                    .enumerate()
                    .map(|(i, r)| found(r, format!("{field}[{i}]")))
                    .collect(),
            }
        }
    }
}

/// The gallery's license pages (`{host}/MIT`), assembled from parts: no registry host is
/// written literally in this repository.
pub const GALLERY_LICENSES: &str = concat!("licenses.", "nuget", ".org/");

/// The SPDX id a well-known license URL stands for, else the URL as written.
pub fn license_url(url: &str) -> String {
    let trimmed = url.trim();
    let bare = trimmed
        .split_once("://")
        .map(|(_, rest)| rest)
        .unwrap_or(trimmed)
        .trim_start_matches("www.")
        .trim_end_matches('/');
    let known = |id: &str| {
        bomscout_license::normalize(id)
            .expression
            .filter(|e| !e.contains(' ') || id.contains(' ') || id.contains('%'))
    };
    if let Some(expr) = bare.strip_prefix(GALLERY_LICENSES) {
        let expr = expr
            .replace("%20", " ")
            .replace("%28", "(")
            .replace("%29", ")");
        if let Some(e) = bomscout_license::normalize(&expr).expression {
            return e;
        }
    }
    for prefix in ["opensource.org/licenses/", "spdx.org/licenses/"] {
        if let Some(id) = bare.strip_prefix(prefix) {
            let id = id
                .trim_end_matches(".php")
                .trim_end_matches(".html")
                .trim_end_matches("-license");
            if let Some(e) = known(id) {
                return e;
            }
        }
    }
    match bare.trim_end_matches(".txt").trim_end_matches(".html") {
        "apache.org/licenses/LICENSE-2.0" => "Apache-2.0".to_string(),
        _ => trimmed.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    // The readers every source shares (moved to `fields`), on the shapes these registries write.
    use crate::sources::fields::{day as date, person_name as supplier};

    fn strings(s: &[&str]) -> Vec<String> {
        s.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn one_license_is_kept_as_written() {
        let l = combine(
            "licenses",
            &strings(&["Apache License, Version 2.0"]),
            Several::All,
        );
        assert_eq!(l.len(), 1);
        assert_eq!(l[0].raw, "Apache License, Version 2.0");
        assert_eq!(l[0].field, "licenses");
    }

    #[test]
    fn several_known_become_one_expression() {
        let l = combine("licenses", &strings(&["MIT", "Apache-2.0"]), Several::All);
        assert_eq!(l.len(), 1);
        assert_eq!(l[0].raw, "MIT AND Apache-2.0");
        let l = combine(
            "license",
            &strings(&["MIT", "GPL-2.0-or-later OR BSD-3-Clause"]),
            Several::Any,
        );
        assert_eq!(l[0].raw, "MIT OR (GPL-2.0-or-later OR BSD-3-Clause)");
    }

    #[test]
    fn an_unknown_one_keeps_each_apart() {
        let l = combine(
            "licenses",
            &strings(&["MIT", "the Foo licence", " "]),
            Several::All,
        );
        assert_eq!(l.len(), 2);
        assert_eq!(
            (l[1].raw.as_str(), l[1].field.as_str()),
            ("the Foo licence", "licenses[1]")
        );
    }

    #[test]
    fn well_known_license_urls() {
        let gallery = |expr: &str| format!("https://{GALLERY_LICENSES}{expr}");
        assert_eq!(license_url(&gallery("MIT")), "MIT");
        assert_eq!(
            license_url(&gallery("(MIT%20OR%20Apache-2.0)")),
            "MIT OR Apache-2.0"
        );
        assert_eq!(license_url("http://opensource.org/licenses/MIT"), "MIT");
        assert_eq!(
            license_url("https://opensource.org/licenses/BSD-3-Clause"),
            "BSD-3-Clause"
        );
        assert_eq!(
            license_url("http://www.apache.org/licenses/LICENSE-2.0.txt"),
            "Apache-2.0"
        );
        assert_eq!(
            license_url("https://go.microsoft.com/fwlink/?LinkId=329770"),
            "https://go.microsoft.com/fwlink/?LinkId=329770"
        );
    }

    #[test]
    fn dates() {
        assert_eq!(
            date("2021-07-09T15:54:43.000Z").as_deref(),
            Some("2021-07-09")
        );
        assert_eq!(
            date("2018-02-05T23:05:30-03:00").as_deref(),
            Some("2018-02-06")
        );
        assert_eq!(date("2021-07-09").as_deref(), Some("2021-07-09"));
        assert_eq!(date("2021-13-09"), None);
        assert_eq!(date("é"), None);
    }

    #[test]
    fn suppliers() {
        assert_eq!(
            supplier("Jane Doe <j@d.e> (https://x)").as_deref(),
            Some("Jane Doe")
        );
        assert_eq!(supplier("  "), None);
    }
}
