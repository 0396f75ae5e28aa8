//! Severity: CVSS base scores computed from the published vectors (with the `cvss` crate,
//! which scores v2.0, v3.0, v3.1 and v4.0), else the database's own label, else `Unknown`.

use crate::osv::{Record, SeverityScore};
use bomscout_core::vuln::{Rating, RatingMethod, VulnSeverity};
use std::str::FromStr;

/// The ratings of one `severity[]` entry, or `None` for a scoring system bomscout does not
/// compute (`Ubuntu`'s labels are read as labels) or a vector that does not parse.
pub fn rating(score: &SeverityScore) -> Option<Rating> {
    let vector = score.score.trim();
    match score.kind.as_str() {
        "CVSS_V2" | "CVSS_V3" | "CVSS_V4" => {
            let parsed = cvss::Cvss::from_str(vector).ok()?;
            let (method, value) = match &parsed {
                cvss::Cvss::CvssV20(v) => (RatingMethod::CvssV2, v.score().value()),
                cvss::Cvss::CvssV30(v) => (RatingMethod::CvssV3, v.base_score().value()),
                cvss::Cvss::CvssV31(v) => (RatingMethod::CvssV31, v.base_score().value()),
                cvss::Cvss::CvssV40(v) => (RatingMethod::CvssV4, v.score().value()),
                // The enum is non-exhaustive: a later CVSS version is read as unscored.
                _ => return None,
            };
            if !value.is_finite() {
                return None;
            }
            Some(Rating {
                method,
                score: Some(value),
                vector: Some(vector.to_string()),
                severity: VulnSeverity::from_score(value),
            })
        }
        // Ubuntu's priority words (`medium`, `high`) are labels, not vectors.
        "Ubuntu" => VulnSeverity::from_label(vector).map(|severity| Rating {
            method: RatingMethod::Other,
            score: None,
            vector: None,
            severity,
        }),
        _ => None,
    }
}

/// Every rating of a record: its `severity[]`, its affected packages' `severity[]`, and its
/// `database_specific.severity` label (a rating of method `Other`). Duplicates removed.
pub fn ratings(record: &Record) -> Vec<Rating> {
    let mut out: Vec<Rating> = Vec::new();
    let scores = record
        .severity
        .iter()
        .chain(record.affected.iter().flat_map(|a| a.severity.iter()));
    for score in scores {
        if let Some(r) = rating(score) {
            push_unique(&mut out, r);
        }
    }
    let labels = record
        .database_specific
        .iter()
        .chain(
            record
                .affected
                .iter()
                .filter_map(|a| a.database_specific.as_ref()),
        )
        .filter_map(|d| d.severity.as_deref())
        .filter_map(VulnSeverity::from_label)
        .filter(|s| *s != VulnSeverity::Unknown);
    for severity in labels {
        push_unique(
            &mut out,
            Rating {
                method: RatingMethod::Other,
                score: None,
                vector: None,
                severity,
            },
        );
    }
    out
}

/// Adds `rating` unless an equal one is there.
pub fn push_unique(out: &mut Vec<Rating>, rating: Rating) {
    if !out.contains(&rating) {
        out.push(rating);
    }
}

/// The level of a set of ratings: the worst computed score's level; only without any
/// score, the worst label; `Unknown` when there is neither.
pub fn overall(ratings: &[Rating]) -> VulnSeverity {
    let scored = ratings
        .iter()
        .filter(|r| r.score.is_some())
        .map(|r| r.severity)
        .max();
    scored
        .or_else(|| ratings.iter().map(|r| r.severity).max())
        .unwrap_or(VulnSeverity::Unknown)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn score(kind: &str, vector: &str) -> SeverityScore {
        SeverityScore {
            kind: kind.into(),
            score: vector.into(),
        }
    }

    #[test]
    fn cvss_v3_base_score_is_computed() {
        // Log4Shell's published vector: 10.0, critical.
        let r = rating(&score(
            "CVSS_V3",
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H",
        ))
        .unwrap();
        assert_eq!(r.method, RatingMethod::CvssV31);
        assert_eq!(r.score, Some(10.0));
        assert_eq!(r.severity, VulnSeverity::Critical);
        let r = rating(&score(
            "CVSS_V3",
            "CVSS:3.0/AV:N/AC:H/PR:N/UI:R/S:U/C:H/I:N/A:N",
        ))
        .unwrap();
        assert_eq!(r.method, RatingMethod::CvssV3);
        assert_eq!(r.score, Some(5.3));
        assert_eq!(r.severity, VulnSeverity::Medium);
    }

    #[test]
    fn cvss_v4_score_is_computed() {
        // 9.3 is the score FIRST publishes for this vector (network, no privileges, high
        // impact on the vulnerable system only).
        let r = rating(&score(
            "CVSS_V4",
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
        ))
        .unwrap();
        assert_eq!(r.method, RatingMethod::CvssV4);
        assert_eq!(r.score, Some(9.3));
        assert_eq!(r.severity, VulnSeverity::Critical);
        // Full impact on the subsequent systems too: 10.0; no impact at all: 0.0, level None.
        let r = rating(&score(
            "CVSS_V4",
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H",
        ))
        .unwrap();
        assert_eq!(r.score, Some(10.0));
        let r = rating(&score(
            "CVSS_V4",
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N",
        ))
        .unwrap();
        assert_eq!(r.score, Some(0.0));
        assert_eq!(r.severity, VulnSeverity::None);
    }

    #[test]
    fn cvss_v2_score_is_computed() {
        let r = rating(&score("CVSS_V2", "AV:N/AC:L/Au:N/C:P/I:P/A:P")).unwrap();
        assert_eq!(r.method, RatingMethod::CvssV2);
        assert_eq!(r.score, Some(7.5));
    }

    #[test]
    fn a_bad_vector_is_no_rating() {
        assert!(rating(&score("CVSS_V3", "CVSS:3.1/AV:Q")).is_none());
        assert!(rating(&score("CVSS_V3", "")).is_none());
        assert!(rating(&score("SOMETHING", "x")).is_none());
    }

    #[test]
    fn label_only_and_unknown() {
        let record =
            Record::from_json(br#"{"id":"GHSA-x","database_specific":{"severity":"MODERATE"}}"#)
                .unwrap();
        let rs = ratings(&record);
        assert_eq!(overall(&rs), VulnSeverity::Medium);
        let bare = Record::from_json(br#"{"id":"GO-x"}"#).unwrap();
        assert_eq!(overall(&ratings(&bare)), VulnSeverity::Unknown);
    }

    #[test]
    fn a_computed_score_outranks_a_label() {
        let record = Record::from_json(
            br#"{"id":"GHSA-x","database_specific":{"severity":"CRITICAL"},
                "severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:H/I:N/A:N"}]}"#,
        )
        .unwrap();
        assert_eq!(overall(&ratings(&record)), VulnSeverity::Medium);
    }
}
