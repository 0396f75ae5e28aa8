//! Evaluating an SBOM against a policy.
//!
//! For each component in a checked scope:
//! 1. a matching curation replaces its licenses;
//! 2. its effective license is its best usable evidence (curation, else declared fields,
//!    else trove classifiers, else license files): a `License:` field holding copyright text
//!    does not hide a precise classifier. Several statements of that kind all apply, so they
//!    are joined with AND. No usable statement at all is *unknown* and gets the policy's
//!    `unknown` action;
//! 3. the expression is evaluated as SPDX defines it: `A OR B` passes if either passes (the
//!    better alternative is reported as chosen), `A AND B` needs both (the worse decides),
//!    and `X WITH E` is its own identifier: only an entry `X WITH E` matches it, else X's
//!    category decides;
//! 4. each term: an exact entry beats a category; at equal specificity deny beats review
//!    beats allow; a license in no list gets the `unlisted` action;
//! 5. a failing component is re-evaluated with each unexpired matching exception's licenses
//!    added as exact allow entries; if that passes, the exception is used and reported.
//!
//! Notes report expired exceptions, exceptions and curations of the checked file that match
//! nothing, curations that change nothing, and allowed licenses never encountered.

use crate::cfg::{Action, Curation, Entry, Policy};
use crate::health::HealthFinding;
use crate::matching::Date;
use crate::security::SecurityFinding;
use bomscout_core::{Component, Diagnostic, License, Location, Sbom, Scope, Severity, SourceKind};
use bomscout_license::{category, normalize};
use serde::Serialize;
use spdx::expression::{ExprNode, Operator};
use spdx::{Expression, LicenseItem, LicenseReq};
use std::collections::{BTreeSet, HashMap, VecDeque};

/// Which rule decided a component's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Rule {
    /// An allow entry.
    Allowed,
    /// An exception.
    Excepted,
    /// A review entry.
    Review,
    /// A deny entry.
    Denied,
    /// No usable license.
    Unknown,
    /// A license in no list.
    Unlisted,
}

impl Rule {
    /// A stable id for SARIF rules and fingerprints.
    pub fn id(self) -> &'static str {
        match self {
            Rule::Allowed => "license-allowed",
            Rule::Excepted => "license-excepted",
            Rule::Review => "license-needs-review",
            Rule::Denied => "license-denied",
            Rule::Unknown => "license-unknown",
            Rule::Unlisted => "license-unlisted",
        }
    }
}

/// The verdict on one component.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    /// The component's document key (its purl, or an `unresolved:` form).
    pub key: String,
    /// `namespace/name`.
    pub name: String,
    /// Version, when resolved.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// The purl.
    pub purl: String,
    /// Its scope.
    pub scope: Scope,
    /// The license that was evaluated (an expression, or the unusable text).
    pub license: String,
    /// Allow, review or deny.
    pub verdict: Action,
    /// The rule that decided it.
    pub rule: Rule,
    /// Why, in words: which term matched which entry.
    pub reason: String,
    /// The policy's guidance for the entry or category that fired.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub guidance: Option<String>,
    /// Where the component was found first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    /// The dependency chain from a project to it.
    pub chain: Vec<String>,
    /// The exception that allowed it, if one did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exception: Option<String>,
}

/// Everything `check` found.
#[derive(Debug, Clone, Serialize)]
pub struct Evaluation {
    /// The policy's name.
    pub policy: String,
    /// One finding per checked component, sorted by key.
    pub findings: Vec<Finding>,
    /// Components not checked because of their scope.
    pub skipped: usize,
    /// One finding per known vulnerability in a component (advisory, component), worst
    /// first; empty when no advisories were matched.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub security: Vec<SecurityFinding>,
    /// One finding per broken `[health]` rule per component, open first; empty when the
    /// policy has no `[health]` table.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub health: Vec<HealthFinding>,
    /// Components in the health scopes of which nothing is known (not enriched, or no
    /// service knew them): neither failed nor passed by `[health]`, and reported. Zero when
    /// the policy has no `[health]` table.
    #[serde(skip_serializing_if = "is_zero")]
    pub health_unknown: usize,
    /// Expired or unused exceptions and ignores, idle curations, allowed licenses never
    /// seen.
    pub notes: Vec<String>,
    /// What the scan could not read (errors: whole files or directories) or read only in
    /// part (warnings). Carried into every report, because a verdict over what could not
    /// be read is no verdict: errors make the outcome [`Outcome::Incomplete`].
    pub diagnostics: Vec<Diagnostic>,
    /// `--allow-unreadable`: judge what could be read and let unreadable files pass.
    #[serde(skip)]
    pub allow_unreadable: bool,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// What the gate says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Everything was read and nothing fails the policy.
    Pass,
    /// Something fails the policy.
    Fail,
    /// Something the gate would judge could not be read: no verdict (exit 2), unless
    /// unreadable input is explicitly allowed.
    Incomplete,
}

impl Outcome {
    /// The process exit code: 0 pass, 1 policy violations, 2 input not read.
    pub fn exit_code(self) -> u8 {
        match self {
            Outcome::Pass => 0,
            Outcome::Fail => 1,
            Outcome::Incomplete => 2,
        }
    }

    /// The one word reports lead with.
    pub fn word(self) -> &'static str {
        match self {
            Outcome::Pass => "PASS",
            Outcome::Fail => "FAIL",
            Outcome::Incomplete => "INCOMPLETE",
        }
    }
}

impl Evaluation {
    /// The findings that fail at `fail_on` (deny, or review and deny).
    pub fn violations(&self, fail_on: Action) -> impl Iterator<Item = &Finding> {
        self.findings
            .iter()
            .filter(move |f| f.verdict != Action::Allow && f.verdict >= fail_on)
    }

    /// Findings that are not allowed: reviews and denials, for reports.
    pub fn problems(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.verdict != Action::Allow)
    }

    /// The security findings that fail at `fail_on`: open (not suppressed, ignored or
    /// outside the security scopes) with a verdict at or above it.
    pub fn security_violations(&self, fail_on: Action) -> impl Iterator<Item = &SecurityFinding> {
        self.security.iter().filter(move |f| f.fails(fail_on))
    }

    /// The security findings reports list: not allowed, or set aside (suppressed, ignored).
    pub fn security_problems(&self) -> impl Iterator<Item = &SecurityFinding> {
        self.security.iter().filter(|f| f.reported())
    }

    /// The health findings that fail at `fail_on`: open (not ignored, in the health scopes)
    /// with a verdict at or above it.
    pub fn health_violations(&self, fail_on: Action) -> impl Iterator<Item = &HealthFinding> {
        self.health.iter().filter(move |f| f.fails(fail_on))
    }

    /// Files and directories that could not be read at all.
    pub fn unreadable(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
    }

    /// The verdict: incomplete when something could not be read (and that is not
    /// allowed), else fail when something fails at `fail_on`, else pass.
    pub fn outcome(&self, fail_on: Action) -> Outcome {
        if !self.allow_unreadable && self.unreadable().next().is_some() {
            Outcome::Incomplete
        } else if self.violations(fail_on).next().is_some()
            || self.security_violations(fail_on).next().is_some()
            || self.health_violations(fail_on).next().is_some()
        {
            Outcome::Fail
        } else {
            Outcome::Pass
        }
    }

    /// 0 pass, 1 when something fails at `fail_on`, 2 when input could not be read.
    pub fn exit_code(&self, fail_on: Action) -> u8 {
        self.outcome(fail_on).exit_code()
    }
}

/// One decision with its explanation.
#[derive(Debug, Clone)]
struct Decision {
    action: Action,
    rule: Rule,
    reason: String,
    guidance_key: Option<String>,
}

/// Evaluates `sbom` against `policy` on `today`.
pub fn evaluate(policy: &Policy, sbom: &Sbom, today: Date) -> Evaluation {
    let chains = Chains::new(sbom);
    let mut used_exceptions = vec![false; policy.exceptions.len()];
    let mut used_curations = vec![false; policy.curations.len()];
    let mut notes = BTreeSet::new();
    let mut seen_licenses = BTreeSet::new();
    let mut findings = Vec::new();
    let mut skipped = 0;
    for c in &sbom.components {
        if !policy.scopes.contains(&c.scope) {
            skipped += 1;
            continue;
        }
        // A container image is what was scanned, not a package with a license of its own:
        // the packages found in it are judged.
        if c.kind == bomscout_core::ComponentKind::Container {
            continue;
        }
        let licenses = curated(policy, c, &mut used_curations, &mut notes);
        let (license, mut decision) = decide_component(policy, &licenses, &[]);
        if let Ok(e) = Expression::parse(&license) {
            seen_licenses.extend(e.requirements().map(|r| r.req.to_string()));
        }
        let mut exception = None;
        if decision.action != Action::Allow {
            for (i, ex) in policy.exceptions.iter().enumerate() {
                if !ex.package.matches(c.purl.as_str()) {
                    continue;
                }
                if ex.expires.is_some_and(|d| today > d) {
                    used_exceptions[i] = true;
                    if ex.local {
                        notes.insert(format!(
                            "exception for {} expired on {}; it no longer applies",
                            ex.package.text,
                            ex.expires.map(|d| d.to_string()).unwrap_or_default()
                        ));
                    }
                    continue;
                }
                let (_, retry) = decide_component(policy, &licenses, &ex.licenses);
                if retry.action == Action::Allow {
                    used_exceptions[i] = true;
                    exception = Some(ex.reason.clone());
                    decision = Decision {
                        action: Action::Allow,
                        rule: Rule::Excepted,
                        reason: format!(
                            "{} (exception for {}: {})",
                            decision.reason, ex.package.text, ex.reason
                        ),
                        guidance_key: None,
                    };
                    break;
                }
            }
        }
        let guidance = decision
            .guidance_key
            .as_ref()
            .and_then(|k| policy.guidance.get(k))
            .cloned();
        findings.push(Finding {
            key: c.key(),
            name: c.display_name(),
            version: c.version.clone(),
            purl: c.purl.to_string(),
            scope: c.scope,
            license,
            verdict: decision.action,
            rule: decision.rule,
            reason: decision.reason,
            guidance,
            location: c.locations.iter().next().cloned(),
            chain: chains.chain(&c.key()),
            exception,
        });
    }
    let security = crate::security::evaluate(policy, sbom, today, &chains, &mut notes);
    let (health, health_unknown) =
        crate::health::evaluate(policy, sbom, today, &chains, &mut notes);
    for (i, ex) in policy.exceptions.iter().enumerate() {
        if ex.local && !used_exceptions[i] {
            notes.insert(format!("exception for {} was never used", ex.package.text));
        }
    }
    for (i, cur) in policy.curations.iter().enumerate() {
        if cur.local && !used_curations[i] {
            notes.insert(format!(
                "curation for {} matched no component",
                cur.package.text
            ));
        }
    }
    for e in &policy.allow {
        if let Entry::License(l) = e {
            if !seen_licenses.contains(l) {
                notes.insert(format!("allowed license {l} was never encountered"));
            }
        }
    }
    Evaluation {
        policy: policy.name.clone(),
        findings,
        skipped,
        security,
        health,
        health_unknown,
        notes: notes.into_iter().collect(),
        diagnostics: sbom
            .diagnostics
            .iter()
            .filter(|d| d.severity >= Severity::Warning)
            .cloned()
            .collect(),
        allow_unreadable: false,
    }
}

/// The component's licenses after curations.
fn curated(
    policy: &Policy,
    c: &Component,
    used: &mut [bool],
    notes: &mut BTreeSet<String>,
) -> Vec<License> {
    for (i, cur) in policy.curations.iter().enumerate() {
        if !cur.package.matches(c.purl.as_str()) {
            continue;
        }
        used[i] = true;
        if !license_file_unchanged(cur, c, notes) {
            continue;
        }
        let mut l = License::of_kind(
            &cur.license,
            "policy",
            &format!("curation: {}", cur.reason),
            SourceKind::Curation,
        );
        l.expression = normalize(&cur.license).expression.map(Into::into);
        let before = effective(&c.licenses).0;
        if cur.local && before == l.expression.as_deref().unwrap_or_default() {
            notes.insert(format!(
                "curation for {} changes nothing: the package already declares {before}",
                cur.package.text
            ));
        }
        return vec![l];
    }
    c.licenses.clone()
}

/// The component property the installed-tree catalogers fill: `NAME:SHA256` of each
/// license file beside the package, comma-separated.
pub const LICENSE_FILE_SHA256: &str = "license-file-sha256";

/// False when the curation names a license file hash and the package's license file on
/// disk has another one: the file changed since someone verified it, so the curation
/// lapses, and says so. Without a license file on disk there is nothing to compare, so the
/// curation applies and a note says it was not verified.
fn license_file_unchanged(cur: &Curation, c: &Component, notes: &mut BTreeSet<String>) -> bool {
    let Some(want) = &cur.license_file_sha256 else {
        return true;
    };
    let Some(found) = c.properties.get(LICENSE_FILE_SHA256) else {
        notes.insert(format!(
            "curation for {} names license-file-sha256 but no license file of {} is on disk to compare; applied unverified",
            cur.package.text,
            c.purl
        ));
        return true;
    };
    let matches = found.split(',').any(|entry| {
        let hash = entry.rsplit(':').next().unwrap_or(entry);
        hash.eq_ignore_ascii_case(want.trim())
    });
    if !matches {
        notes.insert(format!(
            "curation for {} lapsed: the license file of {} changed (now {found}; the curation was verified against {want}); re-verify it and update license-file-sha256",
            cur.package.text,
            c.purl
        ));
    }
    matches
}

/// The effective license text, and whether it is a usable SPDX expression: the best kind
/// of evidence that has a usable expression (a curation, else declared fields, else trove
/// classifiers, else license files), all of that kind joined with AND. When no statement is
/// usable, the first unusable one is returned, for the report.
pub fn effective(licenses: &[License]) -> (String, bool) {
    let rank = SourceKind::precedence;
    let Some(best) = licenses
        .iter()
        .filter(|l| l.expression.is_some())
        .map(|l| rank(l.source.kind))
        .min()
    else {
        return match licenses.first() {
            Some(l) => (l.raw.to_string(), false),
            None => ("(none)".to_string(), false),
        };
    };
    let chosen: BTreeSet<&str> = licenses
        .iter()
        .filter(|l| rank(l.source.kind) == best)
        .filter_map(|l| l.expression.as_deref())
        .collect();
    let parts: Vec<String> = chosen
        .iter()
        .map(|e| {
            if chosen.len() > 1 && e.contains(' ') {
                format!("({e})")
            } else {
                e.to_string()
            }
        })
        .collect();
    (parts.join(" AND "), true)
}

/// The effective license and the decision on it, with `extra_allow` as exact allow entries.
fn decide_component(
    policy: &Policy,
    licenses: &[License],
    extra_allow: &[String],
) -> (String, Decision) {
    let (license, usable) = effective(licenses);
    let parsed = usable.then(|| Expression::parse(&license).ok()).flatten();
    let Some(expr) = parsed else {
        let what = if licenses.is_empty() {
            "no license found".to_string()
        } else {
            format!("`{license}` is not an SPDX license expression")
        };
        return (
            license,
            Decision {
                action: policy.unknown,
                rule: Rule::Unknown,
                reason: what,
                guidance_key: Some("category:unknown".into()),
            },
        );
    };
    (license, decide(policy, &expr, extra_allow))
}

/// SPDX semantics over the postfix form: OR keeps the better side, AND the worse.
fn decide(policy: &Policy, expr: &Expression, extra_allow: &[String]) -> Decision {
    let mut stack: Vec<Decision> = Vec::new();
    for node in expr.iter() {
        match node {
            ExprNode::Req(r) => stack.push(term(policy, &r.req, extra_allow)),
            ExprNode::Op(op) => {
                let (Some(b), Some(a)) = (stack.pop(), stack.pop()) else {
                    break;
                };
                let (better, worse) = if a.action <= b.action { (a, b) } else { (b, a) };
                stack.push(match op {
                    Operator::Or => Decision {
                        reason: format!("{} (chosen over: {})", better.reason, worse.reason),
                        ..better
                    },
                    Operator::And => worse,
                });
            }
        }
    }
    stack.pop().unwrap_or(Decision {
        action: policy.unknown,
        rule: Rule::Unknown,
        reason: "empty license expression".into(),
        guidance_key: None,
    })
}

/// One license term against the lists.
fn term(policy: &Policy, req: &LicenseReq, extra_allow: &[String]) -> Decision {
    let full = req.to_string();
    let id = match &req.license {
        LicenseItem::Spdx { id, .. } => id.name.to_string(),
        LicenseItem::Other(r) => r.to_string(),
    };
    let lists = [
        (&policy.deny, Action::Deny, Rule::Denied),
        (&policy.review, Action::Review, Rule::Review),
        (&policy.allow, Action::Allow, Rule::Allowed),
    ];
    if extra_allow
        .iter()
        .any(|l| *l == full || (req.addition.is_none() && *l == id))
    {
        return Decision {
            action: Action::Allow,
            rule: Rule::Allowed,
            reason: format!("{full} is allowed by an exception"),
            guidance_key: None,
        };
    }
    let exact: Vec<&str> = if req.addition.is_some() {
        vec![full.as_str()]
    } else {
        vec![full.as_str(), id.as_str()]
    };
    for (list, action, rule) in lists {
        if list
            .iter()
            .any(|e| matches!(e, Entry::License(l) if exact.contains(&l.as_str())))
        {
            let verb = verb(action);
            return Decision {
                action,
                rule,
                reason: format!("{full} is {verb} by the policy"),
                guidance_key: Some(full.clone())
                    .filter(|k| policy.guidance.contains_key(k))
                    .or(Some(id.clone())),
            };
        }
    }
    let cat = category(&id);
    for (list, action, rule) in lists {
        if list.contains(&Entry::Category(cat)) {
            let verb = verb(action);
            return Decision {
                action,
                rule,
                reason: format!("{full} is {cat}, {verb} by category:{cat}"),
                guidance_key: Some(format!("category:{cat}")),
            };
        }
    }
    Decision {
        action: policy.unlisted,
        rule: Rule::Unlisted,
        reason: format!("{full} ({cat}) is in no list of the policy"),
        guidance_key: Some(format!("category:{cat}")),
    }
}

fn verb(action: Action) -> &'static str {
    match action {
        Action::Allow => "allowed",
        Action::Review => "marked for review",
        Action::Deny => "denied",
    }
}

/// The shortest dependency chain from a project to each component, for reports.
pub(crate) struct Chains {
    parent: HashMap<String, String>,
    names: HashMap<String, String>,
}

impl Chains {
    pub(crate) fn new(sbom: &Sbom) -> Chains {
        let mut adj: HashMap<&str, Vec<&str>> = HashMap::new();
        for d in &sbom.dependencies {
            adj.entry(&d.from).or_default().push(&d.to);
        }
        let mut parent = HashMap::new();
        let mut queue: VecDeque<&str> = sbom.projects.iter().map(|p| p.bom_ref.as_str()).collect();
        let mut seen: BTreeSet<&str> = queue.iter().copied().collect();
        while let Some(n) = queue.pop_front() {
            for to in adj.get(n).into_iter().flatten() {
                if seen.insert(to) {
                    parent.insert(to.to_string(), n.to_string());
                    queue.push_back(to);
                }
            }
        }
        let mut names: HashMap<String, String> = sbom
            .projects
            .iter()
            .map(|p| (p.bom_ref.clone(), p.display_name().to_string()))
            .collect();
        for c in &sbom.components {
            names.insert(c.key(), c.display_name());
        }
        Chains { parent, names }
    }

    pub(crate) fn chain(&self, key: &str) -> Vec<String> {
        let mut out = vec![self
            .names
            .get(key)
            .cloned()
            .unwrap_or_else(|| key.to_string())];
        let mut at = key;
        while let Some(p) = self.parent.get(at) {
            out.push(self.names.get(p).cloned().unwrap_or_else(|| p.clone()));
            at = p;
            if out.len() > 64 {
                break;
            }
        }
        out.reverse();
        out
    }
}
