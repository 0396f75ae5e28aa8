//! What is known about a component's upkeep: its source repository, the repository's
//! OpenSSF Scorecard, whether it is archived, and its latest release. Filled by `--enrich`
//! from the services that answered; judged by the policy's `[health]` table.

use serde::{Deserialize, Serialize};

/// Upkeep facts about one component, each from the service named in `source`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Health {
    /// The source repository, as a URL (`https://github.com/owner/repo`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repository: Option<String>,
    /// The repository's OpenSSF Scorecard.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scorecard: Option<Scorecard>,
    /// Whether the repository is archived (read-only, no longer maintained), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archived: Option<bool>,
    /// The package's latest release (the registry's default version).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest_version: Option<String>,
    /// When the latest release was published, `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest_release: Option<String>,
    /// When this component's own version was published, `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    /// The services that answered, as URLs (evidence for every fact above).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<String>,
}

impl Health {
    /// True when nothing is known.
    pub fn is_empty(&self) -> bool {
        self.repository.is_none()
            && self.scorecard.is_none()
            && self.archived.is_none()
            && self.latest_version.is_none()
            && self.latest_release.is_none()
            && self.published.is_none()
    }
}

/// A repository's OpenSSF Scorecard result (<https://scorecard.dev>).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scorecard {
    /// The overall score, 0 to 10.
    pub score: f32,
    /// When the scorecard was computed, `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// The checks that scored below 10 (a check scored `-1`, "not applicable", is left out),
    /// lowest score first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub failing: Vec<ScorecardCheck>,
}

/// One Scorecard check's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScorecardCheck {
    /// The check (`Maintained`, `Code-Review`, `Vulnerabilities` ...).
    pub name: String,
    /// Its score, 0 to 10.
    pub score: i8,
    /// Scorecard's reason (`project is archived`, `0 commit(s) out of 30 ...`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reason: String,
}
