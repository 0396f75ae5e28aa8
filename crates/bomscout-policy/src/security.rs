//! Judging the known vulnerabilities of an SBOM (`Sbom::vulnerabilities`) against the
//! policy's `[security]` table.
//!
//! One finding per (advisory, component), in this order of precedence:
//! 1. a VEX statement that suppressed it ([`crate::vex`]) makes it *suppressed*;
//! 2. an unexpired `ignore` entry naming the advisory's id or any alias makes it *ignored*
//!    (an expired one no longer applies, and a note says so);
//! 3. a component outside the security `scopes` (dev-only, by default) is *not gating*:
//!    reported with its verdict, never failing;
//! 4. otherwise it is *open*, and its verdict (from the severity thresholds) counts.
//!
//! Suppressed, ignored and not-gating findings are kept and listed as such, so a report
//! always shows what was set aside and why.

use crate::cfg::{Action, Policy};
use crate::eval::Chains;
use crate::matching::Date;
use bomscout_core::vuln::Suppression;
use bomscout_core::{Location, Sbom, Scope, VulnSeverity};
use serde::Serialize;
use std::collections::{BTreeSet, HashSet};

/// What became of a security finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SecurityStatus {
    /// Counts: fails the gate when its verdict does.
    Open,
    /// In a scope the security policy does not gate (dev-only by default): reported only.
    NotGating,
    /// A policy `ignore` entry sets it aside.
    Ignored,
    /// A VEX statement says the component is not affected.
    Suppressed,
}

impl SecurityStatus {
    /// The word reports use.
    pub fn word(self) -> &'static str {
        match self {
            SecurityStatus::Open => "open",
            SecurityStatus::NotGating => "not gating",
            SecurityStatus::Ignored => "ignored",
            SecurityStatus::Suppressed => "suppressed",
        }
    }
}

/// One vulnerability in one component, judged.
#[derive(Debug, Clone, Serialize)]
pub struct SecurityFinding {
    /// The advisory's id (`GHSA-…`, `PYSEC-…`, `GO-…`, `RUSTSEC-…`).
    pub id: String,
    /// Its other ids (CVE ids and others), sorted.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// Its one-line summary.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// Its severity (`unknown` when none was published).
    pub severity: VulnSeverity,
    /// The best CVSS base score, when a vector was published.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    /// Reference URLs, the advisory's page first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<String>,
    /// The component's document key.
    pub key: String,
    /// `namespace/name`.
    pub name: String,
    /// The version found.
    pub version: String,
    /// The component's purl.
    pub purl: String,
    /// Its scope.
    pub scope: Scope,
    /// The lowest fixed version above the found one: "upgrade to X".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fixed: Option<String>,
    /// What the severity thresholds say.
    pub verdict: Action,
    /// Whether it counts, and if not, why.
    pub status: SecurityStatus,
    /// Why, in words.
    pub reason: String,
    /// The VEX statement or policy ignore that set it aside.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suppression: Option<Suppression>,
    /// Where the component was found first (its lockfile line).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    /// The dependency chain from a project to it.
    pub chain: Vec<String>,
}

impl SecurityFinding {
    /// True if it fails the gate at `fail_on`.
    pub fn fails(&self, fail_on: Action) -> bool {
        self.status == SecurityStatus::Open
            && self.verdict != Action::Allow
            && self.verdict >= fail_on
    }

    /// True if a report lists it: anything not allowed, and anything set aside.
    pub fn reported(&self) -> bool {
        self.verdict != Action::Allow
            || matches!(
                self.status,
                SecurityStatus::Ignored | SecurityStatus::Suppressed
            )
    }

    /// `id (alias, alias)` for one-line reports.
    pub fn ids_text(&self) -> String {
        if self.aliases.is_empty() {
            self.id.clone()
        } else {
            format!("{} ({})", self.id, self.aliases.join(", "))
        }
    }

    /// `critical 9.8`, `high`, `unknown`.
    pub fn severity_text(&self) -> String {
        match self.score {
            Some(s) => format!("{} {s:.1}", self.severity),
            None => self.severity.to_string(),
        }
    }

    /// `upgrade to X` or `no fixed version published`.
    pub fn fix_text(&self) -> String {
        match &self.fixed {
            Some(v) => format!("upgrade to {v}"),
            None => "no fixed version published".to_string(),
        }
    }
}

/// The security findings of `sbom`, sorted worst first; notes about expired and unused
/// ignore entries go to `notes`.
pub(crate) fn evaluate(
    policy: &Policy,
    sbom: &Sbom,
    today: Date,
    chains: &Chains,
    notes: &mut BTreeSet<String>,
) -> Vec<SecurityFinding> {
    let sec = &policy.security;
    let mut used = vec![false; sec.ignore.len()];
    let mut seen: HashSet<(&str, &str)> = HashSet::new();
    let mut findings = Vec::new();
    let scopes: Vec<&str> = sec.scopes.iter().map(|s| s.as_str()).collect();
    for v in &sbom.vulnerabilities {
        let adv = &v.advisory;
        let verdict = sec.verdict(adv.severity);
        let severity_reason = severity_reason(policy, adv.severity, verdict);
        for a in &v.affects {
            if !seen.insert((adv.id.as_str(), a.component.as_str())) {
                continue;
            }
            let component = sbom.component(&a.component);
            // A component the document does not list is treated as a run-time one: an
            // inconsistent document must not turn a finding into a dev-only note.
            let scope = component.map_or(Scope::Required, |c| c.scope);
            let mut status = SecurityStatus::Open;
            let mut reason = severity_reason.clone();
            let mut suppression = a.suppressed.clone();
            if let Some(s) = &suppression {
                status = if s.state == "ignored" {
                    SecurityStatus::Ignored
                } else {
                    SecurityStatus::Suppressed
                };
                reason = format!(
                    "{} per {}{}",
                    s.state.replace('_', " "),
                    s.source,
                    detail(s)
                );
            }
            for (i, ig) in sec.ignore.iter().enumerate() {
                if !ig.matches(adv.ids()) {
                    continue;
                }
                used[i] = true;
                if let Some(d) = ig.expires.filter(|d| today > *d) {
                    if ig.local {
                        notes.insert(format!(
                            "ignore of {} expired on {d}; it no longer applies",
                            ig.id
                        ));
                    }
                    continue;
                }
                if status == SecurityStatus::Open {
                    status = SecurityStatus::Ignored;
                    let until = ig
                        .expires
                        .map(|d| format!(" until {d}"))
                        .unwrap_or_default();
                    reason = format!("ignored by the policy{until}: {}", ig.reason);
                    suppression = Some(Suppression {
                        state: "ignored".into(),
                        justification: Some(ig.reason.clone()),
                        detail: ig.expires.map(|d| format!("expires {d}")),
                        source: policy.name.clone(),
                    });
                }
                break;
            }
            if status == SecurityStatus::Open && !sec.scopes.contains(&scope) {
                status = SecurityStatus::NotGating;
                reason = format!(
                    "{reason}; a {scope} dependency, outside the security scopes ({}): reported, not failing",
                    scopes.join(", ")
                );
            }
            let mut aliases: Vec<String> = adv.aliases.iter().cloned().collect();
            // CVE ids first: the id most people search for.
            aliases.sort_by_key(|a| (!a.starts_with("CVE-"), a.clone()));
            findings.push(SecurityFinding {
                id: adv.id.clone(),
                aliases,
                summary: adv.summary.clone(),
                severity: adv.severity,
                score: adv.score(),
                references: adv.references.clone(),
                key: a.component.clone(),
                name: component.map_or_else(|| a.component.clone(), |c| c.display_name()),
                version: a.version.clone(),
                purl: component.map_or_else(|| a.component.clone(), |c| c.purl.to_string()),
                scope,
                fixed: a.fixed.clone(),
                verdict,
                status,
                reason,
                suppression,
                location: component.and_then(|c| c.locations.iter().next().cloned()),
                chain: chains.chain(&a.component),
            });
        }
    }
    for (i, ig) in sec.ignore.iter().enumerate() {
        if ig.local && !used[i] {
            notes.insert(format!(
                "ignore of {} matched no finding; remove it if the advisory no longer applies",
                ig.id
            ));
        }
    }
    findings.sort_by(|a, b| {
        (
            a.status,
            std::cmp::Reverse(a.verdict),
            std::cmp::Reverse(a.severity),
        )
            .cmp(&(
                b.status,
                std::cmp::Reverse(b.verdict),
                std::cmp::Reverse(b.severity),
            ))
            .then_with(|| b.score.unwrap_or(-1.0).total_cmp(&a.score.unwrap_or(-1.0)))
            .then_with(|| a.id.cmp(&b.id))
            .then_with(|| a.key.cmp(&b.key))
    });
    findings
}

fn detail(s: &Suppression) -> String {
    let mut out = String::new();
    if let Some(j) = &s.justification {
        out.push_str(&format!(": {j}"));
    }
    if let Some(d) = &s.detail {
        out.push_str(&format!(" ({d})"));
    }
    out
}

/// Why the thresholds gave `verdict` to `severity`.
fn severity_reason(policy: &Policy, severity: VulnSeverity, verdict: Action) -> String {
    let sec = &policy.security;
    let level = |l: Option<VulnSeverity>| l.map_or("off".to_string(), |l| l.to_string());
    match (severity, verdict) {
        (VulnSeverity::Unknown, a) => {
            format!(
                "no severity published; unknown-severity is {}",
                action_word(a)
            )
        }
        (s, Action::Deny) => format!(
            "{s} is at or above deny-severity {}",
            level(sec.deny_severity)
        ),
        (s, Action::Review) => format!(
            "{s} is at or above review-severity {} (deny-severity {})",
            level(sec.review_severity),
            level(sec.deny_severity)
        ),
        (s, Action::Allow) => format!(
            "{s} is below review-severity {}",
            level(sec.review_severity)
        ),
    }
}

fn action_word(a: Action) -> &'static str {
    match a {
        Action::Allow => "allow",
        Action::Review => "review",
        Action::Deny => "deny",
    }
}
