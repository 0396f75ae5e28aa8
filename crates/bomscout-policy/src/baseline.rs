//! `--baseline`: fail only on violations that are new since an earlier SBOM (e.g. of the
//! main branch), and say what changed.
//!
//! A violation is *old* when the baseline had one for the same package name (ecosystem,
//! namespace and name, any version) under the same license: a version bump of an accepted
//! dependency does not re-open its review, a new license or a new package does.
//!
//! A security finding is *old* when the baseline had one, not allowed, for the same
//! component purl under the same advisory, the advisory recognised by its id or any alias
//! (a database that renames a record, or lists it under its CVE, does not make it new).
//!
//! A health finding is *old* when the baseline had one for the same package name (any
//! version) under the same rule: a scorecard that moved from 3.1 to 3.4 is not news.

use crate::eval::{Evaluation, Finding};
use bomscout_core::Sbom;
use std::collections::{BTreeMap, BTreeSet};

/// What changed between the baseline and this tree.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Changes {
    /// Packages (by purl without version) that are new.
    pub added: Vec<String>,
    /// Packages that are gone.
    pub removed: Vec<String>,
    /// `name: old license -> new license`.
    pub license_changed: Vec<String>,
}

/// A package's purl without version, qualifiers or subpath.
fn name_of(purl: &str) -> String {
    let p = purl.split(['?', '#']).next().unwrap_or(purl);
    let slash = p.rfind('/').unwrap_or(0);
    match p[slash..].find('@') {
        Some(i) => p[..slash + i].to_string(),
        None => p.to_string(),
    }
}

/// Keeps only the findings of `current` that are not violations in `baseline` already.
pub fn only_new(current: &mut Evaluation, baseline: &Evaluation) {
    let old: BTreeSet<(String, String)> = baseline
        .problems()
        .map(|f| (name_of(&f.purl), f.license.clone()))
        .collect();
    let is_old = |f: &Finding| old.contains(&(name_of(&f.purl), f.license.clone()));
    let before = current.problems().count();
    current
        .findings
        .retain(|f| f.verdict == crate::cfg::Action::Allow || !is_old(f));
    let kept = current.problems().count();
    if before > kept {
        current.notes.push(format!(
            "{} violation(s) already in the baseline are not reported again",
            before - kept
        ));
    }
    let old: BTreeSet<(String, String)> = baseline
        .security
        .iter()
        .filter(|f| f.verdict != crate::cfg::Action::Allow)
        .flat_map(|f| {
            std::iter::once(&f.id)
                .chain(&f.aliases)
                .map(|id| (id.to_ascii_uppercase(), f.purl.clone()))
        })
        .collect();
    let before = current.security.len();
    current.security.retain(|f| {
        f.verdict == crate::cfg::Action::Allow
            || !std::iter::once(&f.id)
                .chain(&f.aliases)
                .any(|id| old.contains(&(id.to_ascii_uppercase(), f.purl.clone())))
    });
    let dropped = before - current.security.len();
    if dropped > 0 {
        current.notes.push(format!(
            "{dropped} security finding(s) already in the baseline are not reported again"
        ));
    }
    let old: BTreeSet<(String, crate::HealthRule)> = baseline
        .health
        .iter()
        .map(|f| (name_of(&f.purl), f.rule))
        .collect();
    let before = current.health.len();
    current
        .health
        .retain(|f| !old.contains(&(name_of(&f.purl), f.rule)));
    let dropped = before - current.health.len();
    if dropped > 0 {
        current.notes.push(format!(
            "{dropped} health finding(s) already in the baseline are not reported again"
        ));
    }
}

/// New and removed packages and changed licenses between two SBOMs.
pub fn changes(current: &Sbom, baseline: &Sbom) -> Changes {
    let index = |s: &Sbom| -> BTreeMap<String, String> {
        s.components
            .iter()
            .map(|c| {
                let licenses: Vec<&str> = c.licenses.iter().map(|l| l.display()).collect();
                (name_of(c.purl.as_str()), licenses.join(" AND "))
            })
            .collect()
    };
    let (now, then) = (index(current), index(baseline));
    Changes {
        added: now
            .keys()
            .filter(|k| !then.contains_key(*k))
            .cloned()
            .collect(),
        removed: then
            .keys()
            .filter(|k| !now.contains_key(*k))
            .cloned()
            .collect(),
        license_changed: now
            .iter()
            .filter_map(|(k, l)| {
                then.get(k)
                    .filter(|old| *old != l)
                    .map(|old| format!("{k}: {old} -> {l}"))
            })
            .collect(),
    }
}
