//! Applying the sources' answers to one component, in order of precedence.
//!
//! - **Licenses**: each license an answer states becomes evidence of the source's kind
//!   ([`SourceKind::Registry`], `ClearlyDefined`, `DepsDev`) whose path is the URL that
//!   answered, normalized like a local one (a Python trove classifier through the classifier
//!   table). Local evidence keeps its place: [`License::strongest`] chooses by kind.
//! - **Conflicts**: when the strongest local evidence and a source, or two sources, name
//!   different licenses (compared as sets of SPDX ids, so `MIT OR Apache-2.0` and
//!   `Apache-2.0 OR MIT` agree) the component says so, in the words of the license-file
//!   conflicts: `pkg:npm/x@1: package-lock.json declares MIT but the npm registry (URL) says
//!   ISC`.
//! - **Supplier**: when none is known, the first answer's (by precedence), with its URL in
//!   `supplier-source`; when no answer names one, the owner of the source repository on a
//!   code host (`https://github.com/jshttp/accepts` → `jshttp`), as the NTIA
//!   "supplier" allows and as Syft does for Go modules.
//! - **Health**: each fact from the first answer (by precedence) that has it; `sources`
//!   lists the URLs the facts came from.

use crate::Facts;
use bomscout_core::{Component, License, SourceKind};
use bomscout_license::{classifier_to_spdx, normalize_license};
use std::collections::BTreeSet;

/// One source's facts: its name, its kind, what it said.
pub type Said = (&'static str, SourceKind, Facts);

/// The answers that bear on one component, each list in order of precedence.
#[derive(Debug, Clone, Default)]
pub struct Answers {
    /// About the component's version.
    pub versions: Vec<Said>,
    /// About the package as a whole (latest release).
    pub packages: Vec<Said>,
    /// About the repositories the version answers named.
    pub projects: Vec<Said>,
}

/// What applying changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Applied {
    /// True when the component gained a license, a supplier or a health fact.
    pub changed: bool,
    /// Disagreements between local evidence and sources, or between sources.
    pub conflicts: Vec<String>,
}

/// Adds the answers' facts to `component`.
pub fn apply(component: &mut Component, answers: &Answers) -> Applied {
    let mut applied = Applied::default();
    // Each version answer's licenses, normalized once.
    let stated: Vec<Vec<License>> = answers
        .versions
        .iter()
        .map(|(_, kind, facts)| {
            facts
                .licenses
                .iter()
                .map(|f| license(&f.raw, &facts.url, &f.field, *kind, f.confidence))
                .collect()
        })
        .collect();
    applied.changed |= add_licenses(component, &stated);
    applied.conflicts = conflicts(component, &answers.versions, &stated);
    applied.changed |= add_supplier(component, answers);
    applied.changed |= add_health(component, answers);
    applied
}

/// A fetched license as evidence.
fn license(
    raw: &str,
    url: &str,
    field: &str,
    kind: SourceKind,
    confidence: Option<f32>,
) -> License {
    let mut l = License::of_kind(raw, url, field, kind);
    if field == "classifier" {
        l.expression = classifier_to_spdx(raw).map(Into::into);
        l.mapped_from = l.expression.as_ref().map(|_| "trove classifier".into());
    } else {
        normalize_license(&mut l);
    }
    l.confidence = confidence;
    l
}

fn add_licenses(component: &mut Component, stated: &[Vec<License>]) -> bool {
    let mut changed = false;
    for l in stated.iter().flatten() {
        if l.raw.is_empty()
            || component
                .licenses
                .iter()
                .any(|have| have.source.kind == l.source.kind && have.raw == l.raw)
        {
            continue;
        }
        component.add_license(l.clone());
        changed = true;
    }
    changed
}

/// The license ids (with their exceptions) of expressions, as a set; unparsable ones left
/// out.
fn ids<'a>(expressions: impl IntoIterator<Item = &'a str>) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for expression in expressions {
        let Ok(parsed) = spdx::Expression::parse_mode(expression, spdx::ParseMode::LAX) else {
            continue;
        };
        for req in parsed.requirements() {
            // `MIT`, `GPL-2.0+ WITH Classpath-exception-2.0`, `LicenseRef-x`.
            let id = req.req.to_string();
            out.insert(id);
        }
    }
    out
}

fn show(ids: &BTreeSet<String>) -> String {
    ids.iter().cloned().collect::<Vec<_>>().join(", ")
}

/// How a source is named in a conflict.
fn label(name: &str, kind: SourceKind, url: &str) -> String {
    let who = match kind {
        SourceKind::ClearlyDefined => "ClearlyDefined".to_string(),
        SourceKind::DepsDev => "deps.dev".to_string(),
        _ => format!("the {name} registry"),
    };
    format!("{who} ({})", bomscout_core::escape::printable(url))
}

fn conflicts(component: &Component, versions: &[Said], stated: &[Vec<License>]) -> Vec<String> {
    let local_licenses: Vec<License> = component
        .licenses
        .iter()
        .filter(|l| !l.source.kind.is_remote())
        .cloned()
        .collect();
    let strongest = License::strongest(&local_licenses);
    let local_ids = ids(strongest.iter().filter_map(|l| l.expression.as_deref()));
    // Each source's view, in order of precedence: its licenses as they normalized.
    let said: Vec<(String, BTreeSet<String>)> = versions
        .iter()
        .zip(stated)
        .filter_map(|((name, kind, facts), licenses)| {
            let set = ids(licenses.iter().filter_map(|l| l.expression.as_deref()));
            (!set.is_empty()).then(|| (label(name, *kind, &facts.url), set))
        })
        .collect();
    let purl = &component.purl;
    let mut out = Vec::new();
    if !local_ids.is_empty() {
        let path = strongest
            .first()
            .map(|l| bomscout_core::escape::printable(&l.source.path))
            .unwrap_or_default();
        for (who, set) in &said {
            if *set != local_ids {
                out.push(format!(
                    "{purl}: {path} declares {} but {who} says {}",
                    show(&local_ids),
                    show(set)
                ));
            }
        }
    } else if let Some(((first, first_set), rest)) = said.split_first() {
        for (who, set) in rest {
            if set != first_set {
                out.push(format!(
                    "{purl}: {first} says {} but {who} says {}",
                    show(first_set),
                    show(set)
                ));
            }
        }
    }
    out
}

fn add_supplier(component: &mut Component, answers: &Answers) -> bool {
    if component.properties.contains_key("supplier") {
        return false;
    }
    let found = answers
        .versions
        .iter()
        .chain(&answers.packages)
        .find_map(|(_, _, f)| {
            let s = f.supplier.as_deref()?.trim();
            (!s.is_empty()).then(|| (s.to_string(), f.url.clone()))
        })
        .or_else(|| {
            answers.versions.iter().find_map(|(_, _, f)| {
                let owner = repository_owner(f.repository.as_deref()?)?;
                Some((owner, f.url.clone()))
            })
        });
    let Some((supplier, url)) = found else {
        return false;
    };
    component.properties.insert("supplier".into(), supplier);
    component.properties.insert("supplier-source".into(), url);
    true
}

/// The owner of a repository on a code host (`https://github.com/o/r` → `o`); `None`
/// elsewhere, where the first path segment says nothing about who publishes.
fn repository_owner(url: &str) -> Option<String> {
    if !crate::sources::repo::is_code_host(url) {
        return None;
    }
    let path = url.split_once("://")?.1.split_once('/')?.1;
    let owner = path.split('/').next()?.trim();
    (!owner.is_empty()).then(|| owner.to_string())
}

fn add_health(component: &mut Component, answers: &Answers) -> bool {
    let mut health = component.health.clone().unwrap_or_default();
    let before = health.clone();
    let mut sources: Vec<String> = health.sources.clone();
    let all: Vec<Said> = answers
        .versions
        .iter()
        .chain(&answers.packages)
        .cloned()
        .collect();
    let s = &mut sources;
    fill(&mut health.repository, &answers.versions, s, |f| {
        f.repository.clone()
    });
    fill(&mut health.published, &answers.versions, s, |f| {
        f.published.clone()
    });
    fill(&mut health.latest_version, &all, s, |f| {
        f.latest_version.clone()
    });
    fill(&mut health.latest_release, &all, s, |f| {
        f.latest_release.clone()
    });
    fill(&mut health.scorecard, &answers.projects, s, |f| {
        f.scorecard.clone()
    });
    fill(&mut health.archived, &answers.projects, s, |f| f.archived);
    // The evidence in order of precedence (versions, packages, projects), after any
    // sources already there.
    let order: Vec<&str> = answers
        .versions
        .iter()
        .chain(&answers.packages)
        .chain(&answers.projects)
        .map(|(_, _, f)| f.url.as_str())
        .collect();
    let known = before.sources.len();
    sources[known..].sort_by_key(|url| order.iter().position(|o| o == url));
    health.sources = sources;
    if health == before || health.is_empty() {
        return false;
    }
    component.health = Some(health);
    true
}

/// Fills an empty `slot` from the first answer that has the fact, noting its URL.
fn fill<T>(
    slot: &mut Option<T>,
    said: &[Said],
    sources: &mut Vec<String>,
    pick: impl Fn(&Facts) -> Option<T>,
) {
    if slot.is_some() {
        return;
    }
    if let Some((value, url)) = said.iter().find_map(|(_, _, f)| Some((pick(f)?, &f.url))) {
        *slot = Some(value);
        if !sources.contains(url) {
            sources.push(url.clone());
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::FoundLicense;
    use bomscout_core::{Ecosystem, Scorecard};

    fn facts(url: &str, licenses: &[(&str, &str)]) -> Facts {
        Facts {
            url: url.into(),
            licenses: licenses
                .iter()
                .map(|(raw, field)| FoundLicense {
                    raw: raw.to_string(),
                    field: field.to_string(),
                    confidence: None,
                })
                .collect(),
            ..Facts::default()
        }
    }

    fn component() -> Component {
        Component::new(Ecosystem::PyPI, None, "x", "1.0").unwrap()
    }

    fn declared(c: &mut Component, raw: &str) {
        let mut l = License::declared(raw, "poetry.lock", "license");
        normalize_license(&mut l);
        c.add_license(l);
    }

    #[test]
    fn classifiers_normalize_through_the_classifier_table_and_keep_the_source_kind() {
        let mut c = component();
        let answers = Answers {
            versions: vec![(
                "pypi",
                SourceKind::Registry,
                facts(
                    "http://r/pypi/x/1.0/json",
                    &[
                        ("License :: OSI Approved :: MIT License", "classifier"),
                        ("Apache 2.0", "info.license"),
                    ],
                ),
            )],
            ..Answers::default()
        };
        let applied = apply(&mut c, &answers);
        assert!(applied.changed);
        let got: Vec<(SourceKind, Option<&str>, Option<&str>)> = c
            .licenses
            .iter()
            .map(|l| {
                (
                    l.source.kind,
                    l.expression.as_deref(),
                    l.mapped_from.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            got[0],
            (SourceKind::Registry, Some("MIT"), Some("trove classifier"))
        );
        assert_eq!(got[1].0, SourceKind::Registry);
        assert_eq!(got[1].1, Some("Apache-2.0"));
        assert_eq!(c.licenses[0].source.path, "http://r/pypi/x/1.0/json");
        assert_eq!(c.licenses[0].source.field, "classifier");
        // Applied again (a second run on the same SBOM): each (kind, text) is kept once.
        let again = apply(&mut c, &answers);
        assert!(!again.changed);
        assert_eq!(c.licenses.len(), 2);
    }

    #[test]
    fn license_sets_compare_regardless_of_order_and_keep_exceptions_apart() {
        assert_eq!(ids(["MIT OR Apache-2.0"]), ids(["Apache-2.0 OR MIT"]));
        assert_eq!(ids(["MIT", "Apache-2.0"]), ids(["Apache-2.0 OR MIT"]));
        assert_ne!(
            ids(["GPL-2.0-only WITH Classpath-exception-2.0"]),
            ids(["GPL-2.0-only"])
        );
        assert_ne!(ids(["GPL-2.0-or-later"]), ids(["GPL-2.0-only"]));
        assert_eq!(
            ids(["LicenseRef-Public-Domain"])
                .into_iter()
                .collect::<Vec<_>>(),
            ["LicenseRef-Public-Domain"]
        );
        assert!(ids(["not ( an expression"]).is_empty());
    }

    #[test]
    fn agreement_is_not_a_conflict_and_an_unnormalized_statement_is_not_compared() {
        let mut c = component();
        declared(&mut c, "Apache-2.0 OR MIT");
        let answers = Answers {
            versions: vec![
                (
                    "pypi",
                    SourceKind::Registry,
                    facts("u1", &[("MIT OR Apache-2.0", "license")]),
                ),
                (
                    "clearlydefined",
                    SourceKind::ClearlyDefined,
                    facts("u2", &[("some words", "x")]),
                ),
            ],
            ..Answers::default()
        };
        assert!(apply(&mut c, &answers).conflicts.is_empty());
    }

    #[test]
    fn the_strongest_local_evidence_is_what_sources_are_compared_with() {
        let mut c = component();
        declared(&mut c, "BSD-3-Clause");
        let mut file = License::of_kind("MIT", "x/LICENSE", "license-file", SourceKind::File);
        file.expression = Some("MIT".into());
        c.add_license(file);
        let answers = Answers {
            versions: vec![
                (
                    "pypi",
                    SourceKind::Registry,
                    facts("u1", &[("BSD-3-Clause", "license")]),
                ),
                (
                    "depsdev",
                    SourceKind::DepsDev,
                    facts("u2", &[("MIT", "license")]),
                ),
            ],
            ..Answers::default()
        };
        let applied = apply(&mut c, &answers);
        assert_eq!(
            applied.conflicts,
            ["pkg:pypi/x@1.0: poetry.lock declares BSD-3-Clause but deps.dev (u2) says MIT"]
        );
    }

    #[test]
    fn health_takes_each_fact_from_the_first_answer_that_has_it() {
        let mut c = component();
        let mut registry = facts("reg", &[]);
        registry.latest_version = Some("2.0".into());
        let mut deps = facts("deps", &[]);
        deps.latest_version = Some("1.9".into());
        deps.repository = Some("https://github.com/o/x".into());
        let mut project = facts("proj", &[]);
        project.scorecard = Some(Scorecard {
            score: 7.0,
            date: None,
            failing: Vec::new(),
        });
        let answers = Answers {
            versions: vec![
                ("pypi", SourceKind::Registry, registry),
                ("depsdev", SourceKind::DepsDev, deps),
            ],
            packages: Vec::new(),
            projects: vec![("depsdev", SourceKind::DepsDev, project)],
        };
        assert!(apply(&mut c, &answers).changed);
        let h = c.health.as_ref().unwrap();
        assert_eq!(h.latest_version.as_deref(), Some("2.0"));
        assert_eq!(h.repository.as_deref(), Some("https://github.com/o/x"));
        assert_eq!(h.scorecard.as_ref().unwrap().score, 7.0);
        assert_eq!(h.sources, ["reg", "deps", "proj"]);
        // Nothing new the second time.
        assert!(!apply(&mut c, &answers).changed);
    }

    #[test]
    fn a_repository_owner_on_a_code_host_is_the_supplier_when_no_answer_names_one() {
        let with_repo = |url: &str, repo: &str| Facts {
            repository: Some(repo.into()),
            ..facts(url, &[])
        };
        let mut c = component();
        let answers = Answers {
            versions: vec![(
                "npm",
                SourceKind::Registry,
                with_repo(
                    "http://r/accepts/1.3.8",
                    "https://github.com/jshttp/accepts",
                ),
            )],
            ..Answers::default()
        };
        add_supplier(&mut c, &answers);
        assert_eq!(c.properties["supplier"], "jshttp");
        assert_eq!(c.properties["supplier-source"], "http://r/accepts/1.3.8");
        // A named supplier wins over the owner, whatever its order.
        let mut c = component();
        let mut answers = answers;
        answers.versions.push((
            "depsdev",
            SourceKind::DepsDev,
            Facts {
                supplier: Some("The Express team".into()),
                ..facts("http://d/x", &[])
            },
        ));
        add_supplier(&mut c, &answers);
        assert_eq!(c.properties["supplier"], "The Express team");
        // Off a code host, a path says nothing about who publishes.
        let mut c = component();
        let answers = Answers {
            versions: vec![(
                "maven",
                SourceKind::Registry,
                with_repo(
                    "http://m/x.pom",
                    "https://gitbox.apache.org/repos/asf?p=commons-io.git",
                ),
            )],
            ..Answers::default()
        };
        assert!(!add_supplier(&mut c, &answers));
        assert!(!c.properties.contains_key("supplier"));
    }

    #[test]
    fn nothing_known_leaves_the_component_alone() {
        let mut c = component();
        let answers = Answers {
            versions: vec![("pypi", SourceKind::Registry, facts("u", &[]))],
            ..Answers::default()
        };
        let applied = apply(&mut c, &answers);
        assert!(!applied.changed);
        assert_eq!(c.health, None);
        assert!(c.properties.is_empty());
    }
}
