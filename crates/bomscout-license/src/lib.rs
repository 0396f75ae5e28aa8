//! License normalization: every declared license string becomes a canonical SPDX expression,
//! or is kept verbatim as a name. Nothing is dropped and nothing is guessed.
//!
//! The steps, first match wins:
//!
//! 1. a valid SPDX expression (strict parse), rendered canonically (`MIT OR Apache-2.0`);
//! 2. an entry of the explicit [alias table](aliases) (`Apache License, Version 2.0`,
//!    `MIT License`, `BSD`, `UNLICENSED`, …), matched case- and punctuation-insensitively;
//! 3. a lax parse for the common near-misses: Cargo's legacy `MIT/Apache-2.0` (`/` = OR),
//!    lowercase operators, deprecated ids (`GPL-2.0` → `GPL-2.0-only`, `GPL-2.0+` →
//!    `GPL-2.0-or-later`);
//! 4. free-text compounds whose every part maps by steps 1–3 (`MIT or Apache 2.0`,
//!    `Apache-2.0, MIT`: a comma is read as AND, the reading that never wrongly allows).
//!
//! Whenever the text was changed to get there, [`Normalized::mapped_from`] says how, so a
//! reviewer can ask "why does it say that?". The spdx crate's own list of imprecise names is
//! deliberately not used: it maps `gnu gpl v2` to GPL-3.0 and `bsd` to BSD-2-Clause.
//!
//! ```
//! use bomscout_license::normalize;
//!
//! assert_eq!(normalize("MIT/Apache-2.0").expression.as_deref(), Some("MIT OR Apache-2.0"));
//! assert_eq!(normalize("Apache License, Version 2.0").expression.as_deref(), Some("Apache-2.0"));
//! assert_eq!(normalize("GPL-2.0+").expression.as_deref(), Some("GPL-2.0-or-later"));
//! assert_eq!(normalize("see LICENSE.txt").expression, None);
//! ```
#![deny(missing_docs)]

pub mod aliases;
mod categories;
pub mod classifiers;
pub mod copyright;
pub mod detect;
mod render;
pub use render::commutative;

pub use categories::{
    category, expression_categories, expression_category, expression_ids, Category,
};
pub use classifiers::classifier_to_spdx;

use bomscout_core::{License, Sbom, SharedStr, SourceKind};
use std::collections::HashMap;

/// Longer than this, or spanning lines, a "license" is pasted license text, not a name.
const MAX_NAME_LEN: usize = 200;

/// Longest string taken as an SPDX expression in the spec's own syntax. A summary of many
/// files' licenses (a Debian copyright file's, an `AND` of a dozen ids) is longer than any
/// name but still an expression; past this it is not parsed at all.
const MAX_EXPRESSION_LEN: usize = 4096;

/// The result of normalizing one declared license string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Normalized {
    /// A valid SPDX expression, when one could be reached.
    pub expression: Option<String>,
    /// How the text was changed to reach `expression` (the alias used, or a note), if it was.
    pub mapped_from: Option<String>,
}

impl Normalized {
    fn none() -> Normalized {
        Normalized {
            expression: None,
            mapped_from: None,
        }
    }

    fn mapped(expression: String, note: impl Into<String>) -> Normalized {
        Normalized {
            expression: Some(expression),
            mapped_from: Some(note.into()),
        }
    }
}

/// Normalizes a declared license string to an SPDX expression.
pub fn normalize(raw: &str) -> Normalized {
    let text = raw.trim();
    if text.is_empty() || text.len() > MAX_EXPRESSION_LEN || text.contains('\n') {
        return Normalized::none();
    }
    if let Some(expr) = render::strict(text) {
        return Normalized {
            mapped_from: (expr != text).then(|| "re-rendered canonically".to_string()),
            expression: Some(expr),
        };
    }
    if text.len() > MAX_NAME_LEN {
        return Normalized::none();
    }
    if let Some(n) = single(text) {
        return n;
    }
    compound(text).unwrap_or_else(Normalized::none)
}

/// Steps 2 and 3 for one term.
fn single(text: &str) -> Option<Normalized> {
    if let Some((key, expr)) = aliases::lookup(text) {
        return Some(Normalized::mapped(
            expr.to_string(),
            format!("alias {key:?}"),
        ));
    }
    let expr = render::lax(text)?;
    Some(Normalized::mapped(
        expr,
        format!("lax SPDX syntax {text:?}"),
    ))
}

/// Step 4: `A or B`, `A and B`, `A, B` where every part normalizes on its own.
fn compound(text: &str) -> Option<Normalized> {
    let lower = text.to_ascii_lowercase();
    for (sep, op) in [(" or ", "OR"), (" and ", "AND"), (",", "AND"), (";", "AND")] {
        if !lower.contains(sep) {
            continue;
        }
        let mut parts = Vec::new();
        let mut rest = text;
        let mut rest_lower = lower.as_str();
        while let Some(i) = rest_lower.find(sep) {
            parts.push(&rest[..i]);
            rest = &rest[i + sep.len()..];
            rest_lower = &rest_lower[i + sep.len()..];
        }
        parts.push(rest);
        let exprs: Option<Vec<String>> = parts
            .iter()
            .map(|p| p.trim())
            .filter(|p| !p.is_empty())
            .map(|p| render::strict(p).or_else(|| single(p).and_then(|n| n.expression)))
            .collect();
        let exprs = exprs.filter(|e| e.len() > 1)?;
        let joined = exprs
            .iter()
            .map(|e| render::parenthesize_compound(e))
            .collect::<Vec<_>>()
            .join(&format!(" {op} "));
        let expr = render::strict(&joined)?;
        return Some(Normalized::mapped(expr, format!("free text {text:?}")));
    }
    None
}

/// Fills `expression` and `mapped_from` of a license found by a cataloger. Trove
/// classifiers go through the classifier table; everything else through [`normalize`].
pub fn normalize_license(license: &mut License) {
    let n = match license.source.kind {
        SourceKind::Classifier => match classifier_to_spdx(&license.raw) {
            Some(id) => Normalized::mapped(id.to_string(), "trove classifier"),
            None => Normalized::none(),
        },
        _ => normalize(&license.raw),
    };
    license.expression = n.expression.map(SharedStr::from);
    license.mapped_from = n.mapped_from.map(SharedStr::from);
}

/// Normalizes every license of every component and project of `sbom`, once per distinct
/// string: 50,000 components share a few hundred license strings, and every statement of
/// one string shares the one normalized expression and note.
pub fn normalize_sbom(sbom: &mut Sbom) {
    type Shared = (Option<SharedStr>, Option<SharedStr>);
    let mut memo: HashMap<(SharedStr, SourceKind), Shared> = HashMap::new();
    let licenses = sbom
        .components
        .iter_mut()
        .flat_map(|c| c.licenses.iter_mut())
        .chain(sbom.projects.iter_mut().flat_map(|p| p.licenses.iter_mut()));
    for license in licenses {
        let key = (license.raw.clone(), license.source.kind);
        let (expression, mapped_from) = memo
            .entry(key)
            .or_insert_with(|| {
                let mut l = license.clone();
                normalize_license(&mut l);
                (l.expression, l.mapped_from)
            })
            .clone();
        license.expression = expression;
        license.mapped_from = mapped_from;
    }
}
