//! What every writer needs to say about the vulnerabilities of a document, in one place:
//! which findings still point at a component of the document, where an advisory id is
//! documented, timestamps in the one form every schema accepts, and the wording of the
//! fix and of a suppression.

use bomscout_core::vuln::{Affected, Suppression};
use bomscout_core::{Advisory, Component, Sbom, Vulnerability};
use std::collections::BTreeSet;

/// An affected entry and its component.
pub(crate) type Hit<'a> = (&'a Affected, &'a Component);

/// Affected entries that share a suppression (`None`: not suppressed).
pub(crate) type Group<'a> = (Option<&'a Suppression>, Vec<Hit<'a>>);

/// A vulnerability with only the affected entries whose component is in the document.
///
/// A document can lose components after matching (`--no-dev` drops dev components): a
/// finding on a component that is not there would make a dangling reference in every
/// format, so it is left out; a vulnerability left with no affected component goes too.
pub(crate) struct Present<'a> {
    pub vuln: &'a Vulnerability,
    /// `(affected entry, its component)`, in the model's order (sorted by key).
    pub affects: Vec<Hit<'a>>,
}

/// Every vulnerability of `sbom` that affects a component of it.
pub(crate) fn present(sbom: &Sbom) -> Vec<Present<'_>> {
    sbom.vulnerabilities
        .iter()
        .filter_map(|vuln| {
            let affects: Vec<_> = vuln
                .affects
                .iter()
                .filter_map(|a| Some((a, sbom.component(&a.component)?)))
                .collect();
            (!affects.is_empty()).then_some(Present { vuln, affects })
        })
        .collect()
}

impl<'a> Present<'a> {
    /// The affected entries grouped by suppression: the unsuppressed ones first (if any),
    /// then one group per distinct suppression, in the order they first appear. Formats
    /// that hold one analysis per vulnerability (CycloneDX) write one entry per group.
    pub fn by_suppression(&self) -> Vec<Group<'a>> {
        let mut groups: Vec<Group<'a>> = Vec::new();
        let open: Vec<_> = self
            .affects
            .iter()
            .copied()
            .filter(|(a, _)| a.suppressed.is_none())
            .collect();
        if !open.is_empty() {
            groups.push((None, open));
        }
        for &(a, c) in &self.affects {
            let Some(s) = &a.suppressed else { continue };
            match groups.iter_mut().find(|(g, _)| *g == Some(s)) {
                Some((_, members)) => members.push((a, c)),
                None => groups.push((Some(s), vec![(a, c)])),
            }
        }
        groups
    }
}

/// True for an `http(s)` URL a schema's `anyURI` / `iri-reference` accepts: no whitespace,
/// no control character, no character that needs quoting in XML or JSON text.
pub(crate) fn is_web_url(s: &str) -> bool {
    let rest = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"));
    rest.is_some_and(|r| {
        !r.is_empty()
            && !s.chars().any(|c| {
                c.is_whitespace()
                    || c.is_control()
                    || matches!(c, '"' | '<' | '>' | '\\' | '^' | '`' | '{' | '|' | '}')
            })
    })
}

/// True when `id` is safe to put in a URL path as it is (advisory ids are
/// `CVE-2021-44228`, `GHSA-jfh8-c2jp-5v3q`, `PYSEC-2021-19`, `GO-2022-0001`…).
fn is_plain_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 100
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':'))
}

/// The database that assigns an id, and the page that documents it: NVD for CVE ids,
/// GitHub's advisory database for GHSA ids, OSV for every other OSV id. `None` for an id
/// that cannot be put in a URL as it is.
pub(crate) fn id_source(id: &str) -> (&'static str, Option<String>) {
    let (name, base) = if id.starts_with("CVE-") {
        ("NVD", "https://nvd.nist.gov/vuln/detail/")
    } else if id.starts_with("GHSA-") {
        ("GitHub Advisory Database", "https://github.com/advisories/")
    } else {
        ("OSV", "https://osv.dev/vulnerability/")
    };
    (name, is_plain_id(id).then(|| format!("{base}{id}")))
}

/// The advisory's aliases other than its own id, in order (an export may list the id
/// among its aliases).
pub(crate) fn other_aliases(a: &Advisory) -> Vec<&str> {
    a.aliases
        .iter()
        .map(String::as_str)
        .filter(|x| *x != a.id)
        .collect()
}

/// A CVE id is a CVE; everything else is some other security identifier.
pub(crate) fn is_cve(id: &str) -> bool {
    id.starts_with("CVE-")
}

/// The advisory's own page: the source's URL when it is a web page, else the page for
/// its id, else its first reference that is a web page.
pub(crate) fn advisory_url(vuln: &Vulnerability) -> Option<String> {
    let a = &vuln.advisory;
    a.source
        .url
        .clone()
        .filter(|u| is_web_url(u))
        .or_else(|| id_source(&a.id).1)
        .or_else(|| reference_urls(vuln).first().map(|u| u.to_string()))
}

/// The advisory's reference URLs that are web pages, each once, in the record's order.
pub(crate) fn reference_urls(vuln: &Vulnerability) -> Vec<&str> {
    let mut seen = BTreeSet::new();
    vuln.advisory
        .references
        .iter()
        .map(String::as_str)
        .filter(|u| is_web_url(u) && seen.insert(*u))
        .collect()
}

/// An RFC 3339 time as `YYYY-MM-DDTHH:MM:SSZ` (UTC, whole seconds): the one form both
/// SPDX 3 and CycloneDX (JSON `date-time`, XML `xs:dateTime`) accept. `None` when the
/// text is not a time, so a bad record drops a field rather than invalidating a document.
pub(crate) fn timestamp(text: &str) -> Option<String> {
    let t: jiff::Timestamp = text.trim().parse().ok()?;
    Some(crate::spdx::time::rfc3339(t.as_second()))
}

/// A CVSS score with one decimal, as published (`9.8`, `10.0`); `None` unless finite and
/// within 0–10.
pub(crate) fn score(s: Option<f64>) -> Option<f64> {
    s.filter(|s| s.is_finite() && (0.0..=10.0).contains(s))
        .map(|s| (s * 10.0).round() / 10.0)
}

/// "Upgrade to X." for one component, or per component when their fixes differ; `None`
/// when no fix is published for any of them.
pub(crate) fn recommendation(affects: &[Hit]) -> Option<String> {
    let fixes: BTreeSet<Option<&str>> = affects.iter().map(|(a, _)| a.fixed.as_deref()).collect();
    match fixes.iter().collect::<Vec<_>>().as_slice() {
        [None] | [] => None,
        [Some(fixed)] => Some(format!("Upgrade to {fixed}.")),
        _ => {
            let parts: Vec<String> = affects
                .iter()
                .map(|(a, c)| match &a.fixed {
                    Some(f) => format!("{} {}: upgrade to {f}", c.display_name(), a.version),
                    None => format!("{} {}: no fix published", c.display_name(), a.version),
                })
                .collect();
            Some(format!("{}.", parts.join("; ")))
        }
    }
}

/// A suppression in words: `not_affected: vulnerable_code_not_in_execute_path. detail
/// (stated in vex.json)`.
pub(crate) fn suppression_text(s: &Suppression) -> String {
    let mut text = s.state.clone();
    if let Some(j) = s.justification.as_deref().filter(|j| !j.trim().is_empty()) {
        text.push_str(": ");
        text.push_str(j.trim());
    }
    text.push('.');
    if let Some(d) = s.detail.as_deref().filter(|d| !d.trim().is_empty()) {
        text.push(' ');
        text.push_str(d.trim());
    }
    text.push_str(&format!(" (stated in {})", s.source));
    text
}

/// True when the suppression says the component is not affected (a VEX `not_affected` or
/// `false_positive`), as opposed to a policy that chose to ignore a real finding.
pub(crate) fn says_not_affected(s: &Suppression) -> bool {
    matches!(s.state.as_str(), "not_affected" | "false_positive")
}

/// The CycloneDX `analysis.justification` for a VEX justification, given as a CycloneDX
/// code or as an OpenVEX one; `None` when there is no faithful equivalent (the text is
/// kept in the analysis detail either way).
pub(crate) fn cyclonedx_justification(j: &str) -> Option<&'static str> {
    Some(match j.trim() {
        "code_not_present" | "component_not_present" | "vulnerable_code_not_present" => {
            "code_not_present"
        }
        "code_not_reachable" | "vulnerable_code_not_in_execute_path" => "code_not_reachable",
        "requires_configuration" => "requires_configuration",
        "requires_dependency" => "requires_dependency",
        "requires_environment" => "requires_environment",
        "protected_by_compiler" => "protected_by_compiler",
        "protected_at_runtime" => "protected_at_runtime",
        "protected_at_perimeter" => "protected_at_perimeter",
        "protected_by_mitigating_control" | "inline_mitigations_already_exist" => {
            "protected_by_mitigating_control"
        }
        _ => return None,
    })
}

/// The SPDX 3 `security_justificationType` for a VEX justification (OpenVEX codes are
/// SPDX 3's in snake case; CycloneDX codes map where the meaning is the same).
pub(crate) fn spdx3_justification(j: &str) -> Option<&'static str> {
    Some(match j.trim() {
        "component_not_present" => "componentNotPresent",
        "vulnerable_code_not_present" | "code_not_present" => "vulnerableCodeNotPresent",
        "vulnerable_code_not_in_execute_path" | "code_not_reachable" => {
            "vulnerableCodeNotInExecutePath"
        }
        "vulnerable_code_cannot_be_controlled_by_adversary" => {
            "vulnerableCodeCannotBeControlledByAdversary"
        }
        "inline_mitigations_already_exist" | "protected_by_mitigating_control" => {
            "inlineMitigationsAlreadyExist"
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_documented_where_their_database_keeps_them() {
        assert_eq!(
            id_source("CVE-2021-44228"),
            (
                "NVD",
                Some("https://nvd.nist.gov/vuln/detail/CVE-2021-44228".into())
            )
        );
        assert_eq!(
            id_source("GHSA-jfh8-c2jp-5v3q").1.as_deref(),
            Some("https://github.com/advisories/GHSA-jfh8-c2jp-5v3q")
        );
        assert_eq!(
            id_source("PYSEC-2021-19").1.as_deref(),
            Some("https://osv.dev/vulnerability/PYSEC-2021-19")
        );
        assert_eq!(
            id_source("x y/../z").1,
            None,
            "never a URL built from odd text"
        );
    }

    #[test]
    fn only_web_urls_pass() {
        assert!(is_web_url(
            "https://github.com/apache/logging-log4j2/pull/608"
        ));
        assert!(!is_web_url("/var/cache/osv/Maven/all.zip"));
        assert!(!is_web_url("https://a b"));
        assert!(!is_web_url("https://"));
        assert!(!is_web_url("javascript:alert(1)"));
    }

    #[test]
    fn timestamps_come_out_in_the_form_every_schema_accepts() {
        assert_eq!(
            timestamp("2021-12-10T00:40:56.123456Z").as_deref(),
            Some("2021-12-10T00:40:56Z")
        );
        assert_eq!(
            timestamp("2021-12-10T02:40:56+02:00").as_deref(),
            Some("2021-12-10T00:40:56Z")
        );
        assert_eq!(timestamp("yesterday"), None);
        assert_eq!(timestamp("2021-02-30T00:00:00Z"), None);
    }

    #[test]
    fn scores_keep_one_decimal_and_stay_in_range() {
        assert_eq!(score(Some(9.800_000_1)), Some(9.8));
        assert_eq!(score(Some(f64::NAN)), None);
        assert_eq!(score(Some(11.0)), None);
        assert_eq!(score(None), None);
    }

    #[test]
    fn justifications_map_only_where_the_meaning_is_the_same() {
        assert_eq!(
            cyclonedx_justification("vulnerable_code_not_in_execute_path"),
            Some("code_not_reachable")
        );
        assert_eq!(
            cyclonedx_justification("vulnerable_code_cannot_be_controlled_by_adversary"),
            None
        );
        assert_eq!(
            spdx3_justification("component_not_present"),
            Some("componentNotPresent")
        );
        assert_eq!(spdx3_justification("because we said so"), None);
    }
}
