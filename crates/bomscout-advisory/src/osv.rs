//! The OSV record, as the OSV schema 1.6 defines it (<https://ossf.github.io/osv-schema/>).
//!
//! Only the fields bomscout uses are modelled; unknown fields are ignored, so a record of a
//! later schema version still loads. Every field but `id` is optional here: the schema
//! requires `modified` too, but a record without it is still usable for matching.

use serde::{Deserialize, Serialize};

/// One OSV record: one vulnerability as one database describes it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// The record's id (`GHSA-…`, `PYSEC-…`, `GO-…`, `CVE-…`).
    pub id: String,
    /// When it was last modified (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modified: Option<String>,
    /// When it was published (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    /// When it was withdrawn (RFC 3339): a withdrawn record is ignored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub withdrawn: Option<String>,
    /// Other ids of the same vulnerability.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "strings"
    )]
    pub aliases: Vec<String>,
    /// Ids of related but different vulnerabilities (never merged).
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "strings"
    )]
    pub related: Vec<String>,
    /// A one-line summary.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// The longer description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<String>,
    /// Severity scores of the whole record.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "nullable"
    )]
    pub severity: Vec<SeverityScore>,
    /// The affected packages and their versions.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "nullable"
    )]
    pub affected: Vec<AffectedPackage>,
    /// Reference links.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "nullable"
    )]
    pub references: Vec<Reference>,
    /// Database-specific data; only `severity` is read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database_specific: Option<DatabaseSpecific>,
}

/// One `severity[]` entry: a scoring system and its vector or score.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SeverityScore {
    /// `CVSS_V2`, `CVSS_V3`, `CVSS_V4`, `Ubuntu`, …
    #[serde(rename = "type", default)]
    pub kind: String,
    /// The vector (CVSS) or the label (`Ubuntu`).
    #[serde(default)]
    pub score: String,
}

/// One `affected[]` entry.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AffectedPackage {
    /// The package, absent for records that only describe a git repository.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub package: Option<Package>,
    /// Severity of this package only (schema 1.6).
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "nullable"
    )]
    pub severity: Vec<SeverityScore>,
    /// Version ranges.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "nullable"
    )]
    pub ranges: Vec<Range>,
    /// Every affected version, enumerated.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "strings"
    )]
    pub versions: Vec<String>,
    /// Database-specific data about this package; only `severity` is read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database_specific: Option<DatabaseSpecific>,
}

/// A package in one ecosystem.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Package {
    /// The OSV ecosystem (`PyPI`, `npm`, `Debian:12`, …).
    #[serde(default)]
    pub ecosystem: String,
    /// The name as the ecosystem spells it (`@babel/core`, `org.apache.logging.log4j:log4j-core`).
    #[serde(default)]
    pub name: String,
    /// Its package URL, if given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purl: Option<String>,
}

/// One `ranges[]` entry.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Range {
    /// `SEMVER`, `ECOSYSTEM` or `GIT`.
    #[serde(rename = "type", default)]
    pub kind: String,
    /// The repository of a `GIT` range.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repo: Option<String>,
    /// The events, in any order.
    #[serde(default, deserialize_with = "nullable")]
    pub events: Vec<Event>,
}

/// One range event. The schema allows exactly one of the four per event; an event with
/// none is ignored, one with several is read as several.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// The first affected version (`"0"`: every version before the next event).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "scalar"
    )]
    pub introduced: Option<String>,
    /// The first version no longer affected.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "scalar"
    )]
    pub fixed: Option<String>,
    /// The last affected version (the versions after it are not, fixed or not).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "scalar"
    )]
    pub last_affected: Option<String>,
    /// An upper limit of the range (`"*"`: none).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "scalar"
    )]
    pub limit: Option<String>,
}

/// A reference link.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Reference {
    /// `ADVISORY`, `FIX`, `WEB`, …
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// The URL.
    #[serde(default)]
    pub url: String,
}

/// `database_specific`: free-form; the `severity` label (GitHub's, Go's) is the only part read.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DatabaseSpecific {
    /// The database's own severity word (`HIGH`, `MODERATE`, …).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "scalar"
    )]
    pub severity: Option<String>,
}

/// `null` reads as an empty list.
fn nullable<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}

/// A version or id: a string, or an integer written without quotes (YAML's `introduced: 0`).
/// A YAML float (`fixed: 1.10`) is refused: its text is already lost (it reads as `1.1`).
struct Scalar(String);

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit;
        impl serde::de::Visitor<'_> for Visit {
            type Value = Scalar;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a version string")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Scalar, E> {
                Ok(Scalar(v))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Scalar, E> {
                Err(E::custom(format!(
                    "version {v} is written as a number, so its text is lost \
                     (`1.10` reads as `1.1`); quote it in the record"
                )))
            }
        }
        d.deserialize_any(Visit)
    }
}

fn scalar<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(Option::<Scalar>::deserialize(d)?.map(|s| s.0))
}

/// A list of strings (integers written without quotes read as their text), `null` as empty.
fn strings<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    Ok(Option::<Vec<Scalar>>::deserialize(d)?
        .unwrap_or_default()
        .into_iter()
        .map(|s| s.0)
        .collect())
}

/// Why a record could not be read.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    /// Not valid JSON, or not an OSV record.
    #[error("not an OSV record: {0}")]
    Json(#[from] serde_json::Error),
    /// Not valid YAML, or not an OSV record.
    #[error("not an OSV record: {0}")]
    Yaml(#[from] serde_norway::Error),
    /// The record has no id.
    #[error("an OSV record without an `id`")]
    NoId,
}

impl Record {
    /// Reads a JSON record.
    pub fn from_json(bytes: &[u8]) -> Result<Record, RecordError> {
        let record: Record = serde_json::from_slice(bytes)?;
        record.checked()
    }

    /// Reads a YAML record (PyPA's advisory database writes YAML).
    pub fn from_yaml(bytes: &[u8]) -> Result<Record, RecordError> {
        let record: Record = serde_norway::from_slice(bytes)?;
        record.checked()
    }

    fn checked(self) -> Result<Record, RecordError> {
        if self.id.trim().is_empty() {
            return Err(RecordError::NoId);
        }
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_fields_are_ignored_and_nulls_are_empty() {
        let r = Record::from_json(
            br#"{"id":"X-1","schema_version":"9.9","aliases":null,"new_field":{"a":1},
                "affected":[{"package":{"ecosystem":"npm","name":"a"},"ranges":null,
                "versions":["1.0.0"]}]}"#,
        )
        .unwrap();
        assert_eq!(r.id, "X-1");
        assert!(r.aliases.is_empty());
        assert_eq!(r.affected[0].versions, ["1.0.0"]);
    }

    #[test]
    fn yaml_integers_read_as_version_text_and_floats_are_refused() {
        let r = Record::from_yaml(
            b"id: PYSEC-0\naffected:\n- package: {ecosystem: PyPI, name: a}\n  ranges:\n  - type: ECOSYSTEM\n    events:\n    - introduced: 0\n    - fixed: \"2.10\"\n  versions: [\"1.0\", 2]\n",
        )
        .unwrap();
        let events = &r.affected[0].ranges[0].events;
        assert_eq!(events[0].introduced.as_deref(), Some("0"));
        assert_eq!(events[1].fixed.as_deref(), Some("2.10"));
        assert_eq!(r.affected[0].versions, ["1.0", "2"]);
        let lossy = Record::from_yaml(
            b"id: PYSEC-0\naffected:\n- package: {ecosystem: PyPI, name: a}\n  ranges:\n  - type: ECOSYSTEM\n    events:\n    - fixed: 2.10\n",
        );
        let message = lossy.unwrap_err().to_string();
        assert!(message.contains("quote it"), "{message}");
    }

    #[test]
    fn a_record_without_id_is_an_error() {
        assert!(matches!(
            Record::from_json(br#"{"summary":"x"}"#),
            Err(RecordError::Json(_))
        ));
        assert!(matches!(
            Record::from_json(br#"{"id":" "}"#),
            Err(RecordError::NoId)
        ));
    }
}
