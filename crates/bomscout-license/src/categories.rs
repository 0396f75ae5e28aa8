//! License categories: what a license means for a company that ships software. The table
//! is data, reviewed in `docs/licenses.md`, and covers every id of the SPDX license list:
//! explicit entries and family prefixes first, then the list's own flags (copyleft → strong
//! copyleft; OSI-approved or FSF-libre → permissive), and `unknown` for the rest, so a
//! license nobody classified is reviewed rather than waved through.

use std::fmt;
use std::str::FromStr;

/// A license category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Category {
    /// Use, modify and ship freely with attribution (MIT, BSD, Apache-2.0, ISC, Zlib …).
    Permissive,
    /// No conditions at all (CC0-1.0, Unlicense, a "public domain" statement).
    PublicDomain,
    /// File- or library-level copyleft: changes to the component itself must be shared
    /// (LGPL, MPL, EPL, CDDL …).
    WeakCopyleft,
    /// The whole derived work must be licensed alike when distributed (GPL, EUPL, CC-BY-SA …).
    StrongCopyleft,
    /// Strong copyleft that also triggers on network use (AGPL, OSL, SSPL-like RPL …).
    NetworkCopyleft,
    /// Use-based restrictions that travel with the work and every derivative (the OpenRAIL
    /// family of AI licenses: `openrail`, `openrail++`, `creativeml-openrail-m`,
    /// `bigscience-openrail-m`, `bigcode-openrail-m`, `bigscience-bloom-rail-1.0`).
    /// Otherwise permissive, but a product must pass the use restrictions on, so it is
    /// reviewed separately from plain copyleft.
    ResponsibleAi,
    /// A model vendor's own terms with use restrictions, an acceptable-use policy and
    /// conditions on scale or naming (the Llama community licenses, the Gemma terms,
    /// DeepFloyd IF's license): commercial use is allowed within limits, so neither
    /// permissive nor non-commercial.
    RestrictedModel,
    /// No commercial use (CC-BY-NC-*, PolyForm Noncommercial).
    NonCommercial,
    /// Not licensed for use by others (npm's `UNLICENSED`, "proprietary").
    Proprietary,
    /// Source visible, use restricted (SSPL, BUSL, Elastic License, PolyForm …).
    SourceAvailable,
    /// Nobody has classified it: review before relying on it.
    Unknown,
}

impl Category {
    /// Every category, in display order.
    pub const ALL: [Category; 11] = [
        Category::Permissive,
        Category::PublicDomain,
        Category::WeakCopyleft,
        Category::StrongCopyleft,
        Category::NetworkCopyleft,
        Category::ResponsibleAi,
        Category::RestrictedModel,
        Category::NonCommercial,
        Category::Proprietary,
        Category::SourceAvailable,
        Category::Unknown,
    ];

    /// The kebab-case name used in policy files (`category:strong-copyleft`).
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Permissive => "permissive",
            Category::PublicDomain => "public-domain",
            Category::WeakCopyleft => "weak-copyleft",
            Category::StrongCopyleft => "strong-copyleft",
            Category::NetworkCopyleft => "network-copyleft",
            Category::ResponsibleAi => "responsible-ai",
            Category::RestrictedModel => "restricted-model",
            Category::NonCommercial => "non-commercial",
            Category::Proprietary => "proprietary",
            Category::SourceAvailable => "source-available",
            Category::Unknown => "unknown",
        }
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Category {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Category::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| format!("unknown license category {s:?}"))
    }
}

/// Explicit entries, checked before the prefix rules.
const EXACT: &[(&str, Category)] = &[
    ("0BSD", Category::Permissive),
    ("CC0-1.0", Category::PublicDomain),
    ("CPAL-1.0", Category::NetworkCopyleft),
    ("Commons-Clause", Category::SourceAvailable),
    ("LicenseRef-Public-Domain", Category::PublicDomain),
    ("LicenseRef-UNLICENSED", Category::Proprietary),
    ("MS-RL", Category::WeakCopyleft),
    ("OSL-1.0", Category::NetworkCopyleft),
    ("OSL-1.1", Category::NetworkCopyleft),
    ("OSL-2.0", Category::NetworkCopyleft),
    ("OSL-2.1", Category::NetworkCopyleft),
    ("OSL-3.0", Category::NetworkCopyleft),
    ("RPL-1.1", Category::NetworkCopyleft),
    ("RPL-1.5", Category::NetworkCopyleft),
    ("Sleepycat", Category::StrongCopyleft),
    ("Unlicense", Category::PublicDomain),
    ("WTFPL", Category::Permissive),
    ("CECILL-B", Category::Permissive),
    ("CECILL-C", Category::WeakCopyleft),
    ("CPL-1.0", Category::WeakCopyleft),
    ("IPL-1.0", Category::WeakCopyleft),
    ("SPL-1.0", Category::WeakCopyleft),
    ("QPL-1.0", Category::StrongCopyleft),
    // Model licenses of the Hugging Face Hub without an SPDX id, as
    // `bomscout_catalog::ml::card` names them (`LicenseRef-` + the Hub's id).
    ("LicenseRef-openrail", Category::ResponsibleAi),
    ("LicenseRef-openrail-plus-plus", Category::ResponsibleAi),
    ("LicenseRef-creativeml-openrail-m", Category::ResponsibleAi),
    ("LicenseRef-bigscience-openrail-m", Category::ResponsibleAi),
    ("LicenseRef-bigcode-openrail-m", Category::ResponsibleAi),
    (
        "LicenseRef-bigscience-bloom-rail-1.0",
        Category::ResponsibleAi,
    ),
    ("LicenseRef-llama2", Category::RestrictedModel),
    ("LicenseRef-llama3", Category::RestrictedModel),
    ("LicenseRef-llama3.1", Category::RestrictedModel),
    ("LicenseRef-llama3.2", Category::RestrictedModel),
    ("LicenseRef-llama3.3", Category::RestrictedModel),
    ("LicenseRef-llama4", Category::RestrictedModel),
    ("LicenseRef-gemma", Category::RestrictedModel),
    ("LicenseRef-deepfloyd-if-license", Category::RestrictedModel),
    (
        "LicenseRef-fair-noncommercial-research-license",
        Category::NonCommercial,
    ),
];

/// Family prefixes, first match wins (so `LGPL-` is tried before `GPL-` cannot match it:
/// the prefixes do not overlap that way, and `AGPL-`/`LGPL-` come first for clarity).
const PREFIXES: &[(&str, Category)] = &[
    ("AGPL-", Category::NetworkCopyleft),
    ("LGPL-", Category::WeakCopyleft),
    ("GPL-", Category::StrongCopyleft),
    ("EUPL-", Category::StrongCopyleft),
    ("CECILL-", Category::StrongCopyleft),
    ("MPL-", Category::WeakCopyleft),
    ("EPL-", Category::WeakCopyleft),
    ("CDDL-", Category::WeakCopyleft),
    ("APSL-", Category::WeakCopyleft),
    ("NPL-", Category::WeakCopyleft),
    ("OFL-", Category::WeakCopyleft),
    ("CC-BY-NC", Category::NonCommercial),
    ("CC-BY-SA-", Category::StrongCopyleft),
    ("CC-BY-ND-", Category::SourceAvailable),
    ("CC-BY-", Category::Permissive),
    ("PolyForm-Noncommercial", Category::NonCommercial),
    ("PolyForm-", Category::SourceAvailable),
    ("SSPL-", Category::SourceAvailable),
    ("BUSL-", Category::SourceAvailable),
    ("Elastic-", Category::SourceAvailable),
    // Permissive families whose many variants are rarely OSI-listed.
    ("MIT", Category::Permissive),
    ("BSD-", Category::Permissive),
    ("X11", Category::Permissive),
    ("HPND", Category::Permissive),
    ("Apache-", Category::Permissive),
    ("ISC", Category::Permissive),
    ("Unicode-", Category::Permissive),
    ("zlib-", Category::Permissive),
    ("libpng", Category::Permissive),
    ("curl", Category::Permissive),
    ("Spencer-", Category::Permissive),
    ("TCL", Category::Permissive),
    ("ICU", Category::Permissive),
    ("Info-ZIP", Category::Permissive),
    ("NTP", Category::Permissive),
    ("PSF-", Category::Permissive),
    ("Python-", Category::Permissive),
    ("LicenseRef-", Category::Unknown),
    ("DocumentRef-", Category::Unknown),
];

/// The category of one license id (an SPDX id, `Id+`, or a `LicenseRef-`).
pub fn category(id: &str) -> Category {
    let id = id.trim_end_matches('+');
    if let Some((_, c)) = EXACT.iter().find(|(k, _)| *k == id) {
        return *c;
    }
    if let Some((_, c)) = PREFIXES.iter().find(|(p, _)| id.starts_with(p)) {
        return *c;
    }
    match spdx::license_id(id) {
        Some(l) if l.is_copyleft() => Category::StrongCopyleft,
        Some(l) if l.is_osi_approved() || l.is_fsf_free_libre() => Category::Permissive,
        _ => Category::Unknown,
    }
}

/// The category of an SPDX expression, as the policy reads it: `A OR B` is as open as its
/// most open alternative (the user may pick it), `A AND B` as restrictive as its most
/// restrictive term; `WITH` takes the license's category. `None` if it does not parse.
pub fn expression_category(expression: &str) -> Option<Category> {
    use spdx::expression::{ExprNode, Operator};
    let parsed = spdx::Expression::parse_mode(expression, spdx::ParseMode::LAX).ok()?;
    let mut stack: Vec<Category> = Vec::new();
    for node in parsed.iter() {
        match node {
            ExprNode::Req(req) => {
                let id = match &req.req.license {
                    spdx::LicenseItem::Spdx { id, .. } => id.name.to_string(),
                    spdx::LicenseItem::Other(r) => format!("LicenseRef-{}", r.lic_ref),
                };
                stack.push(category(&id));
            }
            ExprNode::Op(op) => {
                let (b, a) = (stack.pop()?, stack.pop()?);
                stack.push(match op {
                    Operator::Or => a.min(b),
                    Operator::And => a.max(b),
                });
            }
        }
    }
    stack.pop()
}

/// The categories of every license an expression names, sorted, each once; `[Unknown]`
/// for text that is not an SPDX expression. For showing a row per expression: the
/// policy's verdict uses [`expression_category`].
pub fn expression_categories(expression: &str) -> Vec<Category> {
    let Ok(parsed) = spdx::Expression::parse_mode(expression, spdx::ParseMode::LAX) else {
        return vec![Category::Unknown];
    };
    let mut out: Vec<Category> = parsed
        .requirements()
        .map(|r| match &r.req.license {
            spdx::LicenseItem::Spdx { id, .. } => category(id.name),
            spdx::LicenseItem::Other(o) => category(&format!("LicenseRef-{}", o.lic_ref)),
        })
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// The SPDX license ids an expression names (`WITH` exceptions left out), in order of
/// appearance, each once; empty if it does not parse.
pub fn expression_ids(expression: &str) -> Vec<String> {
    let Ok(parsed) = spdx::Expression::parse_mode(expression, spdx::ParseMode::LAX) else {
        return Vec::new();
    };
    let mut ids: Vec<String> = Vec::new();
    for req in parsed.requirements() {
        if let spdx::LicenseItem::Spdx { id, .. } = &req.req.license {
            if !ids.iter().any(|i| i == id.name) {
                ids.push(id.name.to_string());
            }
        }
    }
    ids
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expressions_take_the_best_alternative_and_the_worst_term() {
        use Category::*;
        let cases = [
            ("MIT", Some(Permissive)),
            ("MIT OR GPL-3.0-only", Some(Permissive)),
            ("MIT AND GPL-3.0-only", Some(StrongCopyleft)),
            (
                "(MIT OR AGPL-3.0-only) AND LGPL-2.1-only",
                Some(WeakCopyleft),
            ),
            (
                "GPL-2.0-only WITH Classpath-exception-2.0",
                Some(StrongCopyleft),
            ),
            ("not an expression ((", None),
        ];
        for (expr, want) in cases {
            assert_eq!(expression_category(expr), want, "{expr}");
        }
    }

    #[test]
    fn known_licenses() {
        use Category::*;
        let cases = [
            ("MIT", Permissive),
            ("Apache-2.0", Permissive),
            ("BSD-3-Clause", Permissive),
            ("ISC", Permissive),
            ("Zlib", Permissive),
            ("CC0-1.0", PublicDomain),
            ("Unlicense", PublicDomain),
            ("LGPL-2.1-only", WeakCopyleft),
            ("MPL-2.0", WeakCopyleft),
            ("EPL-2.0", WeakCopyleft),
            ("GPL-3.0-only", StrongCopyleft),
            ("GPL-2.0-or-later", StrongCopyleft),
            ("AGPL-3.0-only", NetworkCopyleft),
            ("CC-BY-NC-4.0", NonCommercial),
            ("SSPL-1.0", SourceAvailable),
            ("BUSL-1.1", SourceAvailable),
            ("Elastic-2.0", SourceAvailable),
            ("LicenseRef-UNLICENSED", Proprietary),
            ("LicenseRef-acme", Unknown),
            ("CC-BY-NC-SA-4.0", NonCommercial),
            ("CC-BY-NC-ND-4.0", NonCommercial),
            ("LicenseRef-openrail", ResponsibleAi),
            ("LicenseRef-openrail-plus-plus", ResponsibleAi),
            ("LicenseRef-creativeml-openrail-m", ResponsibleAi),
            ("LicenseRef-bigscience-openrail-m", ResponsibleAi),
            ("LicenseRef-llama2", RestrictedModel),
            ("LicenseRef-llama3.1", RestrictedModel),
            ("LicenseRef-gemma", RestrictedModel),
            ("LicenseRef-deepfloyd-if-license", RestrictedModel),
        ];
        for (id, want) in cases {
            assert_eq!(category(id), want, "{id}");
        }
    }

    #[test]
    fn every_spdx_license_has_a_category_and_names_round_trip() {
        let all = spdx::identifiers::LICENSES;
        let unknown = all
            .iter()
            .filter(|l| category(l.name) == Category::Unknown)
            .count();
        // Every id gets a category; the unclassified ones are the list's obscure licenses
        // that are neither OSI-approved nor FSF-libre, and are reviewed by default.
        assert!(
            unknown * 100 < all.len() * 55,
            "{unknown} of {} unknown",
            all.len()
        );
        for c in Category::ALL {
            assert_eq!(c.as_str().parse::<Category>(), Ok(c));
        }
    }

    #[test]
    fn ids_of_an_expression() {
        assert_eq!(
            expression_ids(
                "(MIT OR Apache-2.0) AND GPL-2.0-only WITH Classpath-exception-2.0 AND MIT"
            ),
            ["MIT", "Apache-2.0", "GPL-2.0-only"]
        );
        assert!(expression_ids("LicenseRef-x").is_empty());
        assert!(expression_ids("not an (expression").is_empty());
    }
}
