//! Which of a component's license findings go into CycloneDX `licenses`, and in what shape.
//!
//! CycloneDX allows either an array of `{license: {id | name}}` or exactly one
//! `{expression}`. The rule:
//! 1. Take the best kind of evidence present: declared fields, else trove classifiers, else
//!    license files (a curation replaces them all). The rest go to `evidence.licenses`.
//! 2. Deduplicate by what they say (the normalized expression, else the raw text).
//! 3. One compound expression, or one `LicenseRef-`: `[{expression}]`. Only single SPDX ids
//!    and unparsed names: one `{license}` each (`id` or `name`). A compound among several:
//!    one expression joining them with AND when all are SPDX (every statement applies), else
//!    `{license: {name}}` entries carrying each statement's text.
//!
//! `acknowledgement: declared` (or `concluded` for a curation) is written from 1.6 on. A
//! license fetched online (registry, ClearlyDefined, deps.dev) ranks below every kind of
//! local evidence ([`SourceKind::precedence`]): chosen only when nothing local says
//! anything, else kept in `evidence.licenses`; a chosen one's `bomscout:license-source` is
//! the URL that answered.

use super::model::{CdxLicense, LicenseChoice, Property};
use super::SpecVersion;
use bomscout_core::{License, SourceKind};
use std::collections::HashSet;
use std::sync::OnceLock;

/// The license ids the CycloneDX schemas accept as `license.id`: the SPDX list as of the
/// vendored `spdx.schema.json`. The spdx crate may know newer ids; those are written as an
/// `expression` (a free string in the schema), so a new id never makes a document invalid.
fn schema_ids() -> &'static HashSet<String> {
    static IDS: OnceLock<HashSet<String>> = OnceLock::new();
    IDS.get_or_init(|| {
        let schema: serde_json::Value = serde_json::from_str(include_str!(
            "../../../../tests/schemas/cyclonedx/spdx.SNAPSHOT.schema.json"
        ))
        .unwrap_or_default();
        schema["enum"]
            .as_array()
            .map(|ids| {
                ids.iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    })
}

/// The licenses chosen for `licenses`, the others for `evidence.licenses`, and properties
/// that say where the chosen ones came from.
pub struct Picked {
    pub chosen: Vec<LicenseChoice>,
    pub others: Vec<LicenseChoice>,
    pub properties: Vec<Property>,
}

/// Applies the rule of the module docs.
pub fn choose(licenses: &[License], v: SpecVersion) -> Picked {
    let rank = SourceKind::precedence;
    let best = licenses.iter().map(|l| rank(l.source.kind)).min();
    let (chosen, others): (Vec<&License>, Vec<&License>) = licenses
        .iter()
        .partition(|l| Some(rank(l.source.kind)) == best);
    let ack = (v >= SpecVersion::V1_6).then_some(if best == Some(0) {
        "concluded"
    } else {
        "declared"
    });
    let mut properties = Vec::new();
    for l in &chosen {
        // A license fetched online: its evidence is the URL that answered (a `#field`
        // would read as the URL's fragment).
        let source = if l.source.kind.is_remote() {
            l.source.path.to_string()
        } else {
            format!("{}#{}", l.source.path, l.source.field)
        };
        properties.push(Property::new("bomscout:license-source", &source));
        if let Some(how) = &l.mapped_from {
            properties.push(Property::new(
                "bomscout:license-mapping",
                &format!("{:?} -> {}", l.raw, how),
            ));
        }
    }
    Picked {
        chosen: shape(&dedup(&chosen), ack),
        others: shape(&dedup(&others), None),
        properties,
    }
}

/// What a finding says: `(expression, raw)`, borrowed from the statement.
type Said<'a> = (Option<&'a str>, &'a str);

/// What each finding says, unique, in first-seen order.
fn dedup<'a>(licenses: &[&'a License]) -> Vec<Said<'a>> {
    let mut out: Vec<Said<'a>> = Vec::new();
    for l in licenses {
        let said: Said<'a> = (l.expression.as_deref(), &l.raw);
        let same = |o: &Said| match (&o.0, &said.0) {
            (Some(a), Some(b)) => a == b,
            (None, None) => o.1 == said.1,
            _ => false,
        };
        if !out.iter().any(same) {
            out.push(said);
        }
    }
    out
}

fn shape(said: &[Said], ack: Option<&'static str>) -> Vec<LicenseChoice> {
    let is_single_id = |e: &str| schema_ids().contains(e);
    let compound = |s: &Said| s.0.is_some_and(|e| !is_single_id(e));
    match said {
        [] => Vec::new(),
        [(Some(e), _)] if !is_single_id(e) => vec![expression(e.to_string(), ack)],
        _ if !said.iter().any(compound) => said.iter().map(|s| license(s, ack)).collect(),
        _ if said.iter().all(|s| s.0.is_some()) => {
            let joined = said
                .iter()
                .filter_map(|s| s.0)
                .map(|e| {
                    if e.contains(' ') {
                        format!("({e})")
                    } else {
                        e.to_string()
                    }
                })
                .collect::<Vec<_>>()
                .join(" AND ");
            vec![expression(joined, ack)]
        }
        _ => said
            .iter()
            .map(|s| match &s.0 {
                Some(e) if !is_single_id(e) => name(e.to_string(), ack),
                _ => license(s, ack),
            })
            .collect(),
    }
}

fn expression(expression: String, acknowledgement: Option<&'static str>) -> LicenseChoice {
    LicenseChoice::Expression {
        expression,
        acknowledgement,
    }
}

fn license(said: &Said, ack: Option<&'static str>) -> LicenseChoice {
    match said.0 {
        Some(id) => LicenseChoice::License {
            license: CdxLicense {
                id: Some(id.to_string()),
                name: None,
                acknowledgement: ack,
            },
        },
        None => name(said.1.to_string(), ack),
    }
}

fn name(text: String, ack: Option<&'static str>) -> LicenseChoice {
    LicenseChoice::License {
        license: CdxLicense {
            id: None,
            name: Some(text),
            acknowledgement: ack,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_come_from_the_schema_list() {
        assert!(schema_ids().contains("MIT"));
        assert!(schema_ids().len() > 700);
        assert!(!schema_ids().contains("LicenseRef-x"));
    }
}
