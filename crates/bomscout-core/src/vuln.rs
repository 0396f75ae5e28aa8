//! Known vulnerabilities found in a document's components.
//!
//! The advisory database (`bomscout-advisory`) produces these; every writer, the policy gate
//! and the inventory read them. They live here so that none of those depends on the
//! database's own record format (OSV).

use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::fmt;

/// How bad a vulnerability is.
///
/// `Unknown` is its own level: an advisory without a score or a rating is never treated as
/// low. The derived order (`Unknown` < `None` < … < `Critical`) sorts the known levels; a
/// gate must decide what to do with `Unknown` explicitly rather than compare it.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "lowercase")]
pub enum VulnSeverity {
    /// No score, vector or rating was published.
    #[default]
    Unknown,
    /// CVSS 0.0.
    None,
    /// CVSS 0.1–3.9.
    Low,
    /// CVSS 4.0–6.9.
    Medium,
    /// CVSS 7.0–8.9.
    High,
    /// CVSS 9.0–10.0.
    Critical,
}

impl VulnSeverity {
    /// Every level, from the worst down.
    pub const ALL: [VulnSeverity; 6] = [
        VulnSeverity::Critical,
        VulnSeverity::High,
        VulnSeverity::Medium,
        VulnSeverity::Low,
        VulnSeverity::None,
        VulnSeverity::Unknown,
    ];

    /// The qualitative level of a CVSS base score (the bands CVSS v3 and v4 share).
    pub fn from_score(score: f64) -> VulnSeverity {
        match score {
            s if s >= 9.0 => VulnSeverity::Critical,
            s if s >= 7.0 => VulnSeverity::High,
            s if s >= 4.0 => VulnSeverity::Medium,
            s if s > 0.0 => VulnSeverity::Low,
            _ => VulnSeverity::None,
        }
    }

    /// Reads a database's own word for a level (`"HIGH"`, `"moderate"`, `"important"`…).
    pub fn from_label(label: &str) -> Option<VulnSeverity> {
        let level = match label.trim().to_ascii_lowercase().as_str() {
            "critical" => VulnSeverity::Critical,
            "high" | "important" => VulnSeverity::High,
            "medium" | "moderate" => VulnSeverity::Medium,
            "low" | "minor" => VulnSeverity::Low,
            "none" | "negligible" => VulnSeverity::None,
            "unknown" => VulnSeverity::Unknown,
            _ => return None,
        };
        Some(level)
    }

    /// The lowercase name, as written in policy files and outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            VulnSeverity::Unknown => "unknown",
            VulnSeverity::None => "none",
            VulnSeverity::Low => "low",
            VulnSeverity::Medium => "medium",
            VulnSeverity::High => "high",
            VulnSeverity::Critical => "critical",
        }
    }
}

impl fmt::Display for VulnSeverity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a rating was computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum RatingMethod {
    /// A CVSS v2 vector.
    #[serde(rename = "CVSSv2")]
    CvssV2,
    /// A CVSS v3.0 vector.
    #[serde(rename = "CVSSv3")]
    CvssV3,
    /// A CVSS v3.1 vector.
    #[serde(rename = "CVSSv31")]
    CvssV31,
    /// A CVSS v4.0 vector.
    #[serde(rename = "CVSSv4")]
    CvssV4,
    /// A database's own label, without a vector.
    #[serde(rename = "other")]
    Other,
}

/// One published rating of an advisory.
#[derive(Debug, Clone, PartialEq, PartialOrd, Serialize, Deserialize)]
pub struct Rating {
    /// How it was computed.
    pub method: RatingMethod,
    /// The base score, computed from the vector (never copied from prose).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    /// The vector as published.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vector: Option<String>,
    /// The level of `score`, or the database's label.
    pub severity: VulnSeverity,
}

/// One advisory: a vulnerability as a database describes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Advisory {
    /// The record's id (`GHSA-…`, `PYSEC-…`, `GO-…`, `RUSTSEC-…`).
    pub id: String,
    /// Other ids of the same vulnerability (CVE ids first when sorted for display), merged
    /// from every record that described it.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub aliases: BTreeSet<String>,
    /// A one-line summary.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// The longer description, if published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<String>,
    /// The worst of `ratings`, else the database's label, else `Unknown`.
    pub severity: VulnSeverity,
    /// Every rating with a method.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ratings: Vec<Rating>,
    /// Reference URLs (advisory pages, fixes, reports).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<String>,
    /// The references that are the fix itself (OSV's `FIX` type: a commit, a pull request,
    /// a release), also in `references`: SPDX 2.3 writes them as `fix` references.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fixes: Vec<String>,
    /// When it was published (RFC 3339), if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    /// When it was last modified (RFC 3339), if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modified: Option<String>,
    /// Where the record came from: the database's name (`OSV`, `GitHub`, `PyPA`…) and the
    /// file or URL it was read from, so every finding says which service answered.
    pub source: AdvisorySource,
}

impl Advisory {
    /// An advisory with only its id, severity and source; no aliases, texts, ratings,
    /// references or dates. Fields are set after (or by struct update) as a record gives them.
    pub fn new(id: impl Into<String>, severity: VulnSeverity, source: AdvisorySource) -> Advisory {
        Advisory {
            id: id.into(),
            aliases: BTreeSet::new(),
            summary: None,
            details: None,
            severity,
            ratings: Vec::new(),
            references: Vec::new(),
            fixes: Vec::new(),
            published: None,
            modified: None,
            source,
        }
    }

    /// Every id this vulnerability is known by: its own, then its aliases.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.id.as_str()).chain(self.aliases.iter().map(String::as_str))
    }

    /// The best score among the ratings (the highest CVSS version's, then the highest).
    pub fn score(&self) -> Option<f64> {
        self.ratings
            .iter()
            .filter_map(|r| r.score.map(|s| (r.method, s)))
            .max_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal))
            .map(|(_, s)| s)
    }
}

/// Where an advisory was read from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdvisorySource {
    /// The database's name, as outputs show it.
    pub name: String,
    /// The file, archive entry or URL it was read from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// Why a finding does not count (a VEX statement or a policy ignore).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suppression {
    /// The VEX state (`not_affected`, `false_positive`) or `ignored` for a policy entry.
    pub state: String,
    /// The justification as given (a VEX justification code or the policy's `reason`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub justification: Option<String>,
    /// Free-text detail, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The file that said so (the VEX document or the policy file).
    pub source: String,
}

/// One component a vulnerability affects.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Affected {
    /// The component's key (its bom-ref in the document).
    pub component: String,
    /// The version that was found.
    pub version: String,
    /// The lowest fixed version above `version`: "upgrade to X". `None` when no fix is
    /// published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixed: Option<String>,
    /// Set when a VEX statement or a policy ignore suppresses this finding.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suppressed: Option<Suppression>,
}

/// A vulnerability and every component of the document it affects.
///
/// The same vulnerability reached through several records (a GHSA, a CVE and an
/// ecosystem's own id) is one `Vulnerability`, its ids merged into `advisory.aliases`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Vulnerability {
    /// The advisory.
    pub advisory: Advisory,
    /// The affected components, sorted by key.
    pub affects: Vec<Affected>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_map_to_the_cvss_bands() {
        assert_eq!(VulnSeverity::from_score(9.8), VulnSeverity::Critical);
        assert_eq!(VulnSeverity::from_score(7.0), VulnSeverity::High);
        assert_eq!(VulnSeverity::from_score(6.9), VulnSeverity::Medium);
        assert_eq!(VulnSeverity::from_score(0.1), VulnSeverity::Low);
        assert_eq!(VulnSeverity::from_score(0.0), VulnSeverity::None);
    }

    #[test]
    fn labels_of_the_databases_are_read() {
        assert_eq!(
            VulnSeverity::from_label("MODERATE"),
            Some(VulnSeverity::Medium)
        );
        assert_eq!(
            VulnSeverity::from_label("Important"),
            Some(VulnSeverity::High)
        );
        assert_eq!(VulnSeverity::from_label("severe-ish"), None);
    }

    #[test]
    fn unknown_is_not_low() {
        assert_ne!(VulnSeverity::default(), VulnSeverity::Low);
        assert!(VulnSeverity::Unknown < VulnSeverity::None);
    }
}
