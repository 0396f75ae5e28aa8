//! Judging components' upkeep (`Component::health`, filled by `--enrich`) against the
//! policy's `[health]` table.
//!
//! Three rules, each off unless the table sets it: `min-scorecard` (the source
//! repository's OpenSSF Scorecard), `deny-archived` (the repository is archived) and
//! `deny-unmaintained-days` (days since the latest release, counted to the check's
//! `today`). One finding per component per broken rule, in this order of precedence:
//! 1. an unexpired `ignore` entry matching the component's purl makes it *ignored*;
//! 2. a component outside the health `scopes` makes it *not gating*: reported only;
//! 3. otherwise it is *open*, and its verdict (the table's `action`) counts.
//!
//! A component with no upkeep facts at all is neither failed nor passed: it is counted in
//! [`crate::Evaluation::health_unknown`], and a note says how many and what to do.

use crate::cfg::{Action, Policy};
use crate::eval::Chains;
use crate::matching::Date;
use bomscout_core::{Component, Health, Location, Sbom, Scope};
use serde::Serialize;
use std::collections::BTreeSet;

/// Which `[health]` rule a finding broke.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum HealthRule {
    /// `min-scorecard`: the OpenSSF Scorecard is below the minimum.
    MinScorecard,
    /// `deny-archived`: the source repository is archived.
    Archived,
    /// `deny-unmaintained-days`: no release for longer than allowed.
    Unmaintained,
}

impl HealthRule {
    /// Every rule, in report order.
    pub const ALL: [HealthRule; 3] = [
        HealthRule::MinScorecard,
        HealthRule::Archived,
        HealthRule::Unmaintained,
    ];

    /// A stable id for SARIF rules and fingerprints.
    pub fn id(self) -> &'static str {
        match self {
            HealthRule::MinScorecard => "health-min-scorecard",
            HealthRule::Archived => "health-archived",
            HealthRule::Unmaintained => "health-unmaintained",
        }
    }

    /// The policy key that sets the rule.
    pub fn key(self) -> &'static str {
        match self {
            HealthRule::MinScorecard => "min-scorecard",
            HealthRule::Archived => "deny-archived",
            HealthRule::Unmaintained => "deny-unmaintained-days",
        }
    }

    /// One sentence on what the rule catches.
    pub fn description(self) -> &'static str {
        match self {
            HealthRule::MinScorecard => {
                "A dependency's source repository scores below the policy's minimum OpenSSF Scorecard."
            }
            HealthRule::Archived => "A dependency's source repository is archived.",
            HealthRule::Unmaintained => {
                "A dependency has had no release for longer than the policy allows."
            }
        }
    }
}

/// What became of a health finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum HealthStatus {
    /// Counts: fails the gate when its verdict does.
    Open,
    /// In a scope the health policy does not gate: reported only.
    NotGating,
    /// A policy `ignore` entry sets it aside.
    Ignored,
}

impl HealthStatus {
    /// The word reports use.
    pub fn word(self) -> &'static str {
        match self {
            HealthStatus::Open => "open",
            HealthStatus::NotGating => "not gating",
            HealthStatus::Ignored => "ignored",
        }
    }
}

/// One broken upkeep rule of one component.
#[derive(Debug, Clone, Serialize)]
pub struct HealthFinding {
    /// The component's document key.
    pub key: String,
    /// `namespace/name`.
    pub name: String,
    /// Version, when resolved.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// The component's purl.
    pub purl: String,
    /// Its scope.
    pub scope: Scope,
    /// The rule broken.
    pub rule: HealthRule,
    /// The table's `action`: deny or review.
    pub verdict: Action,
    /// Whether it counts, and if not, why.
    pub status: HealthStatus,
    /// Why, with the numbers and where they came from.
    pub reason: String,
    /// Where the component was found first (its lockfile line).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    /// The dependency chain from a project to it.
    pub chain: Vec<String>,
}

impl HealthFinding {
    /// True if it fails the gate at `fail_on`.
    pub fn fails(&self, fail_on: Action) -> bool {
        self.status == HealthStatus::Open
            && self.verdict != Action::Allow
            && self.verdict >= fail_on
    }

    /// `name@version` for one-line reports.
    pub fn package_text(&self) -> String {
        format!("{}@{}", self.name, self.version.as_deref().unwrap_or("?"))
    }
}

/// At most this many failing Scorecard checks are named in a reason.
const MAX_CHECKS_NAMED: usize = 5;
/// At most this many characters of a service-given text (a URL, a check name) go into a
/// reason.
const MAX_TEXT: usize = 200;

/// The health findings of `sbom` (open first, then by rule and key) and the number of
/// components in the health scopes with no upkeep facts. Nothing is judged, and nothing is
/// counted, when the policy has no `[health]` table.
pub(crate) fn evaluate(
    policy: &Policy,
    sbom: &Sbom,
    today: Date,
    chains: &Chains,
    notes: &mut BTreeSet<String>,
) -> (Vec<HealthFinding>, usize) {
    let hp = &policy.health;
    if !hp.declared {
        return (Vec::new(), 0);
    }
    let mut used = vec![false; hp.ignore.len()];
    let mut findings = Vec::new();
    let mut unknown = 0;
    let mut no_scorecard = 0;
    let mut no_release = 0;
    let scopes: Vec<&str> = hp.scopes.iter().map(|s| s.as_str()).collect();
    for c in &sbom.components {
        let in_scope = hp.scopes.contains(&c.scope);
        let Some(h) = c.health.as_ref().filter(|h| !h.is_empty()) else {
            if in_scope {
                unknown += 1;
            }
            continue;
        };
        let mut broken: Vec<(HealthRule, String)> = Vec::new();
        if let Some(min) = hp.min_scorecard {
            match &h.scorecard {
                Some(s) if s.score.is_finite() && s.score < min => {
                    broken.push((HealthRule::MinScorecard, scorecard_reason(h, min)))
                }
                Some(_) => {}
                None if in_scope => no_scorecard += 1,
                None => {}
            }
        }
        if hp.deny_archived && h.archived == Some(true) {
            broken.push((
                HealthRule::Archived,
                format!("repository archived{}", provenance(h)),
            ));
        }
        if let Some(days) = hp.deny_unmaintained_days {
            match h.latest_release.as_deref().and_then(Date::parse) {
                Some(latest) => {
                    let ago = (today.to_unix() - latest.to_unix()).div_euclid(86_400);
                    if ago > i64::from(days) {
                        broken.push((
                            HealthRule::Unmaintained,
                            format!(
                                "latest release {latest}{}, {ago} days ago > {days}{}",
                                h.latest_version
                                    .as_deref()
                                    .map(|v| format!(" ({})", clip(v)))
                                    .unwrap_or_default(),
                                provenance_sources(h)
                            ),
                        ));
                    }
                }
                None if in_scope => no_release += 1,
                None => {}
            }
        }
        if broken.is_empty() {
            continue;
        }
        let ignored = ignore_for(policy, c, today, &mut used, notes);
        for (rule, reason) in broken {
            let (status, reason) = if let Some(why) = &ignored {
                (HealthStatus::Ignored, format!("{reason}; {why}"))
            } else if !in_scope {
                (
                    HealthStatus::NotGating,
                    format!(
                        "{reason}; a {} dependency, outside the health scopes ({}): reported, not failing",
                        c.scope,
                        scopes.join(", ")
                    ),
                )
            } else {
                (HealthStatus::Open, reason)
            };
            findings.push(HealthFinding {
                key: c.key(),
                name: c.display_name(),
                version: c.version.clone(),
                purl: c.purl.to_string(),
                scope: c.scope,
                rule,
                verdict: hp.action,
                status,
                reason,
                location: c.locations.iter().next().cloned(),
                chain: chains.chain(&c.key()),
            });
        }
    }
    for (i, ig) in hp.ignore.iter().enumerate() {
        if ig.local && !used[i] {
            notes.insert(format!(
                "health ignore of {} matched no finding; remove it if it no longer applies",
                ig.package.text
            ));
        }
    }
    if unknown > 0 {
        notes.insert(format!(
            "health unknown for {unknown} component(s): nothing is known of their upkeep, so [health] judged none of them; run with --enrich"
        ));
    }
    if no_scorecard > 0 {
        notes.insert(format!(
            "min-scorecard: no OpenSSF Scorecard known for {no_scorecard} component(s) (no source repository found, or not scored); not judged"
        ));
    }
    if no_release > 0 {
        notes.insert(format!(
            "deny-unmaintained-days: no latest release date known for {no_release} component(s); not judged"
        ));
    }
    findings.sort_by(|a, b| {
        (a.status, a.rule, &a.key, &a.purl).cmp(&(b.status, b.rule, &b.key, &b.purl))
    });
    (findings, unknown)
}

/// The first unexpired `ignore` matching `c`, as the words a reason ends with; marks
/// entries used, and notes expired ones of the checked file.
fn ignore_for(
    policy: &Policy,
    c: &Component,
    today: Date,
    used: &mut [bool],
    notes: &mut BTreeSet<String>,
) -> Option<String> {
    for (i, ig) in policy.health.ignore.iter().enumerate() {
        if !ig.package.matches(c.purl.as_str()) {
            continue;
        }
        used[i] = true;
        if let Some(d) = ig.expires.filter(|d| today > *d) {
            if ig.local {
                notes.insert(format!(
                    "health ignore of {} expired on {d}; it no longer applies",
                    ig.package.text
                ));
            }
            continue;
        }
        let until = ig
            .expires
            .map(|d| format!(" until {d}"))
            .unwrap_or_default();
        return Some(format!("ignored by the policy{until}: {}", ig.reason));
    }
    None
}

/// "OpenSSF Scorecard 3.2 < 5.0 (failing: Maintained 0, Code-Review 2; scorecard of
/// github.com/o/r, 2026-11-30, from URL)".
fn scorecard_reason(h: &Health, min: f32) -> String {
    let Some(s) = &h.scorecard else {
        return String::new();
    };
    let mut failing: Vec<String> = s
        .failing
        .iter()
        .take(MAX_CHECKS_NAMED)
        .map(|c| format!("{} {}", clip(&c.name), c.score))
        .collect();
    if s.failing.len() > MAX_CHECKS_NAMED {
        failing.push(format!("{} more", s.failing.len() - MAX_CHECKS_NAMED));
    }
    let mut origin = Vec::new();
    if let Some(r) = &h.repository {
        origin.push(format!("scorecard of {}", repo_text(r)));
    }
    if let Some(d) = &s.date {
        origin.push(clip(d));
    }
    if let Some(src) = h.sources.first() {
        origin.push(format!("from {}", clip(src)));
    }
    let mut detail = Vec::new();
    if !failing.is_empty() {
        detail.push(format!("failing: {}", failing.join(", ")));
    }
    if !origin.is_empty() {
        detail.push(origin.join(", "));
    }
    let mut out = format!("OpenSSF Scorecard {:.1} < {min:.1}", s.score);
    if !detail.is_empty() {
        out.push_str(&format!(" ({})", detail.join("; ")));
    }
    out
}

/// " (REPO, from URL)", or nothing when neither is known.
fn provenance(h: &Health) -> String {
    let mut parts = Vec::new();
    if let Some(r) = &h.repository {
        parts.push(repo_text(r));
    }
    if let Some(src) = h.sources.first() {
        parts.push(format!("from {}", clip(src)));
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!(" ({})", parts.join(", "))
    }
}

/// A repository URL without its scheme, clipped.
fn repo_text(r: &str) -> String {
    clip(
        r.trim_start_matches("https://")
            .trim_start_matches("http://"),
    )
}

/// " (from URL)" or nothing.
fn provenance_sources(h: &Health) -> String {
    h.sources
        .first()
        .map(|s| format!(" (from {})", clip(s)))
        .unwrap_or_default()
}

/// At most [`MAX_TEXT`] characters of a service-given text.
fn clip(s: &str) -> String {
    let mut out: String = s.chars().take(MAX_TEXT).collect();
    if s.chars().nth(MAX_TEXT).is_some() {
        out.push('…');
    }
    out
}
