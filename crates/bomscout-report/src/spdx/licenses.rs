//! License statements as SPDX license expressions.
//!
//! Every license bomscout found becomes one *term*: its normalized expression when that
//! parses as strict SPDX (re-checked here, so a bad value upstream cannot make the document
//! invalid), else a `LicenseRef-` naming the raw text, which the document then carries as
//! extracted licensing info. A license name is never dropped and never guessed.
//!
//! Which evidence feeds which field:
//! - *declared*: what the package's authors state: manifest fields, trove classifiers and
//!   license files (`SourceKind::{Declared, Classifier, File}`); a license fetched by
//!   `--enrich` (registry, ClearlyDefined, deps.dev) only when nothing local says anything,
//!   and then only the strongest service's (two services are two claims about one package,
//!   not two licenses it is under);
//! - *concluded*: only a curation, i.e. a person's correction in the policy file. Without
//!   one it is `NOASSERTION`: bomscout itself does not conclude licenses.

use super::ids::{sanitize, short_hash, IdAllocator};
use bomscout_core::{License, Sbom, SourceKind};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// A license that is not on the SPDX list, carried in the document under its `LicenseRef-`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Extracted {
    /// `LicenseRef-…`.
    pub id: String,
    /// A short name for people: the statement's first line.
    pub name: String,
    /// The statement as found. bomscout has the package's words, not always a license
    /// text; the comment says so.
    pub text: String,
    /// Where the statement was found.
    pub comment: String,
}

/// Maps the licenses of one SBOM to expression terms, and collects the extracted infos.
#[derive(Debug, Default)]
pub(crate) struct LicenseMap {
    /// Raw text of an unusable statement → its `LicenseRef-`.
    refs: BTreeMap<String, String>,
    /// Every `LicenseRef-` the document uses, sorted by id.
    extracted: Vec<Extracted>,
    /// Normalized expression → what [`usable_expression`] says of it: parsed once per
    /// distinct expression, not once per package (a document repeats a few dozen).
    usable: HashMap<String, Option<String>>,
}

impl LicenseMap {
    /// Assigns a `LicenseRef-` to every statement of `sbom` that needs one.
    pub(crate) fn new(sbom: &Sbom) -> LicenseMap {
        let all = sbom
            .components
            .iter()
            .flat_map(|c| &c.licenses)
            .chain(sbom.projects.iter().flat_map(|p| &p.licenses));
        // Sorted maps: assignment must not depend on the order licenses were found in.
        let mut referenced: BTreeMap<String, &License> = BTreeMap::new();
        let mut unusable: BTreeMap<&str, &License> = BTreeMap::new();
        let mut usable: HashMap<String, Option<String>> = HashMap::new();
        let mut refs_of: HashMap<String, Vec<String>> = HashMap::new();
        for license in all {
            let expr = license.expression.as_deref().map(|e| {
                usable
                    .entry(e.to_string())
                    .or_insert_with(|| usable_expression(license))
                    .clone()
            });
            match expr.flatten() {
                Some(expr) => {
                    let refs = refs_of
                        .entry(expr.clone())
                        .or_insert_with(|| license_refs(&expr));
                    for id in refs.iter().cloned() {
                        // The statement that is the id itself (a cataloger's named
                        // `LicenseRef-`) is its text; else the least raw text using it.
                        let exact = *license.raw == *id;
                        let slot = referenced.entry(id.clone()).or_insert(license);
                        if exact || (*slot.raw != *id && license.raw < slot.raw) {
                            *slot = license;
                        }
                    }
                }
                None if !license.raw.is_empty() => {
                    unusable.entry(&*license.raw).or_insert(license);
                }
                None => {}
            }
        }

        let mut ids = IdAllocator::default();
        let mut map = LicenseMap {
            usable,
            ..LicenseMap::default()
        };
        for (id, license) in referenced {
            ids.reserve(&id);
            let name = id.trim_start_matches("LicenseRef-").to_string();
            map.extracted.push(extracted(id, name, license));
        }
        for (raw, license) in unusable {
            let id = ids.unique(license_ref_candidate(raw, &ids));
            map.refs.insert(raw.to_string(), id.clone());
            map.extracted.push(extracted(id, first_line(raw), license));
        }
        map.extracted.sort();
        map
    }

    /// Every `LicenseRef-` used, sorted by id.
    pub(crate) fn extracted(&self) -> &[Extracted] {
        &self.extracted
    }

    /// The expression for the authors' own statements, `None` for NOASSERTION. Every
    /// statement applies, so they are joined with AND; a license file that only confirms a
    /// declared statement (its license is named there) adds nothing and is left out.
    pub(crate) fn declared(&self, licenses: &[License]) -> Option<String> {
        let stated: Vec<&License> = licenses
            .iter()
            .filter(|l| l.source.kind != SourceKind::Curation)
            .collect();
        let local = stated.iter().any(|l| !l.source.kind.is_remote());
        let best_remote = stated
            .iter()
            .filter(|l| l.source.kind.is_remote())
            .map(|l| l.source.kind.precedence())
            .min();
        let authors: Vec<&License> = stated
            .into_iter()
            .filter(|l| {
                !l.source.kind.is_remote()
                    || (!local && Some(l.source.kind.precedence()) == best_remote)
            })
            .collect();
        if authors.iter().all(|l| l.source.kind != SourceKind::File) {
            return self.combine(authors.into_iter());
        }
        let named: BTreeSet<String> = authors
            .iter()
            .filter(|l| l.source.kind != SourceKind::File)
            .filter_map(|l| l.expression.as_deref())
            .flat_map(ids)
            .collect();
        let confirms = |l: &License| {
            l.source.kind == SourceKind::File
                && l.expression
                    .as_deref()
                    .is_some_and(|e| ids(e).iter().all(|id| named.contains(id)))
        };
        self.combine(authors.into_iter().filter(|l| !confirms(l)))
    }

    /// The expression a curation concluded, `None` for NOASSERTION.
    pub(crate) fn concluded(&self, licenses: &[License]) -> Option<String> {
        self.combine(
            licenses
                .iter()
                .filter(|l| l.source.kind == SourceKind::Curation),
        )
    }

    /// One term per license, deduplicated and sorted, joined with `AND`: every piece of
    /// evidence applies, so the package is under all of them.
    fn combine<'a>(&self, licenses: impl Iterator<Item = &'a License>) -> Option<String> {
        let terms: BTreeSet<String> = licenses.filter_map(|l| self.term(l)).collect();
        match terms.len() {
            0 => None,
            1 => terms.into_iter().next(),
            _ => Some(
                terms
                    .iter()
                    .map(|t| parenthesize(t))
                    .collect::<Vec<_>>()
                    .join(" AND "),
            ),
        }
    }

    /// The term for one statement: its expression, or its `LicenseRef-`.
    fn term(&self, license: &License) -> Option<String> {
        let usable = match license.expression.as_deref() {
            Some(e) => match self.usable.get(e) {
                Some(hit) => hit.clone(),
                None => usable_expression(license),
            },
            None => None,
        };
        usable.or_else(|| self.refs.get(&*license.raw).cloned())
    }
}

/// The license ids an expression names (empty if it does not parse).
fn ids(expression: &str) -> Vec<String> {
    spdx::Expression::parse_mode(expression, spdx::ParseMode::LAX)
        .map(|e| {
            e.requirements()
                .map(|r| r.req.license.to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// The statement's expression if it is strict SPDX and needs nothing outside the
/// document: no `DocumentRef-` (which would need an external document reference) and no
/// `AdditionRef-` (an SPDX 3 construct that 2.3 lacks).
pub(crate) fn usable_expression(license: &License) -> Option<String> {
    let expr = license.expression.as_deref()?.trim();
    let parsed = ::spdx::Expression::parse(expr).ok()?;
    let self_contained = parsed.requirements().all(|r| {
        let doc_ref =
            matches!(&r.req.license, ::spdx::LicenseItem::Other(o) if o.doc_ref.is_some());
        let addition_ref = matches!(r.req.addition, Some(::spdx::AdditionItem::Other(_)));
        !doc_ref && !addition_ref
    });
    self_contained.then(|| expr.to_string())
}

/// The `LicenseRef-…` ids an expression uses.
fn license_refs(expr: &str) -> Vec<String> {
    let Ok(parsed) = ::spdx::Expression::parse(expr) else {
        return Vec::new();
    };
    parsed
        .requirements()
        .filter_map(|r| match &r.req.license {
            ::spdx::LicenseItem::Other(o) => Some(format!("LicenseRef-{}", o.lic_ref)),
            ::spdx::LicenseItem::Spdx { .. } => None,
        })
        .collect()
}

/// `LicenseRef-<sanitized text>`, with a hash of the text when that is taken or empty.
fn license_ref_candidate(raw: &str, ids: &IdAllocator) -> String {
    let stem = sanitize(raw);
    let plain = format!("LicenseRef-{stem}");
    if stem.is_empty() || ids.is_taken(&plain) {
        format!("LicenseRef-{}{}", with_dash(&stem), short_hash(raw, 8))
    } else {
        plain
    }
}

fn with_dash(stem: &str) -> String {
    if stem.is_empty() {
        String::new()
    } else {
        format!("{stem}-")
    }
}

fn extracted(id: String, name: String, license: &License) -> Extracted {
    let s = &license.source;
    Extracted {
        id,
        name,
        text: license.raw.to_string(),
        comment: format!(
            "Found in {} ({}). bomscout records the statement as found; it is not necessarily the full license text.",
            s.path, s.field
        ),
    }
}

/// The first non-empty line, at most 80 characters: a license *name* for people, even when
/// a package put its whole license text into the license field.
fn first_line(raw: &str) -> String {
    let line = raw
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or(raw);
    line.chars().take(80).collect()
}

/// Wraps a compound term in parentheses so that joining with `AND` keeps its meaning.
fn parenthesize(term: &str) -> String {
    if term.contains(" OR ") || term.contains(" AND ") {
        format!("({term})")
    } else {
        term.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bomscout_core::{Component, Ecosystem};

    fn lic(raw: &str, expr: Option<&str>, kind: SourceKind) -> License {
        let mut l = License::of_kind(raw, "package.json", "license", kind);
        l.expression = expr.map(Into::into);
        l
    }

    fn sbom_with(licenses: Vec<License>) -> Sbom {
        let mut c = Component::new(Ecosystem::Npm, None, "a", "1.0.0").unwrap();
        for l in licenses {
            c.add_license(l);
        }
        Sbom {
            name: "t".into(),
            projects: vec![],
            components: vec![c],
            dependencies: vec![],
            diagnostics: vec![],
            vulnerabilities: Vec::new(),
        }
    }

    #[test]
    fn terms_for_each_kind_of_statement() {
        let d = SourceKind::Declared;
        let cases: Vec<(Vec<License>, Option<&str>)> = vec![
            (vec![], None),
            (vec![lic("MIT", Some("MIT"), d)], Some("MIT")),
            (
                vec![lic(
                    "Apache-2.0 WITH LLVM-exception",
                    Some("Apache-2.0 WITH LLVM-exception"),
                    d,
                )],
                Some("Apache-2.0 WITH LLVM-exception"),
            ),
            (
                vec![
                    lic("MIT", Some("MIT"), d),
                    lic("MIT", Some("MIT"), SourceKind::File),
                ],
                Some("MIT"),
            ),
            (
                vec![
                    lic("MIT OR Apache-2.0", Some("MIT OR Apache-2.0"), d),
                    lic("BSD", Some("BSD-3-Clause"), SourceKind::Classifier),
                ],
                Some("BSD-3-Clause AND (MIT OR Apache-2.0)"),
            ),
            // A license file confirming the field adds nothing; one naming another license
            // is another statement that applies.
            (
                vec![
                    lic("MIT OR Apache-2.0", Some("MIT OR Apache-2.0"), d),
                    lic("MIT", Some("MIT"), SourceKind::File),
                ],
                Some("MIT OR Apache-2.0"),
            ),
            (
                vec![
                    lic("MIT", Some("MIT"), d),
                    lic("GPL-3.0-only", Some("GPL-3.0-only"), SourceKind::File),
                ],
                Some("GPL-3.0-only AND MIT"),
            ),
            (vec![lic("MIT", Some("MIT"), SourceKind::File)], Some("MIT")),
            (
                vec![lic("Apache Software License", None, d)],
                Some("LicenseRef-Apache-Software-License"),
            ),
            // A value the license stage should never produce is still kept, as a ref.
            (
                vec![lic("mit or", Some("mit or"), d)],
                Some("LicenseRef-mit-or"),
            ),
            (vec![lic("", None, d)], None),
            (vec![lic("MIT", Some("MIT"), SourceKind::Curation)], None),
        ];
        for (licenses, want) in cases {
            let sbom = sbom_with(licenses.clone());
            let map = LicenseMap::new(&sbom);
            assert_eq!(map.declared(&licenses).as_deref(), want, "{licenses:?}");
        }
    }

    #[test]
    fn licenses_fetched_online_are_declared_only_when_nothing_local_is() {
        let cases: Vec<(Vec<License>, Option<&str>)> = vec![
            (
                vec![
                    lic("MIT", Some("MIT"), SourceKind::Declared),
                    lic("Apache-2.0", Some("Apache-2.0"), SourceKind::DepsDev),
                ],
                Some("MIT"),
            ),
            (
                vec![
                    lic(
                        "BSD-3-Clause",
                        Some("BSD-3-Clause"),
                        SourceKind::ClearlyDefined,
                    ),
                    lic("Apache-2.0", Some("Apache-2.0"), SourceKind::DepsDev),
                ],
                Some("BSD-3-Clause"),
            ),
            (
                vec![
                    lic("Apache-2.0", Some("Apache-2.0"), SourceKind::DepsDev),
                    lic("ISC", Some("ISC"), SourceKind::Registry),
                ],
                Some("ISC"),
            ),
            (
                vec![lic("Apache-2.0", Some("Apache-2.0"), SourceKind::DepsDev)],
                Some("Apache-2.0"),
            ),
        ];
        for (licenses, want) in cases {
            let sbom = sbom_with(licenses.clone());
            let map = LicenseMap::new(&sbom);
            assert_eq!(map.declared(&licenses).as_deref(), want, "{licenses:?}");
        }
    }

    #[test]
    fn curation_is_the_concluded_license() {
        let licenses = vec![
            lic("MIT", Some("MIT"), SourceKind::Declared),
            lic("Apache-2.0", Some("Apache-2.0"), SourceKind::Curation),
        ];
        let map = LicenseMap::new(&sbom_with(licenses.clone()));
        assert_eq!(map.concluded(&licenses).as_deref(), Some("Apache-2.0"));
        assert_eq!(map.declared(&licenses).as_deref(), Some("MIT"));
    }

    #[test]
    fn a_named_license_ref_is_its_own_extracted_text() {
        // A Debian copyright summary names `LicenseRef-public-domain` on its own and inside
        // a longer expression (whose raw text sorts first): the text is the named one.
        let licenses = vec![
            lic(
                "(MIT OR Zlib) AND LicenseRef-public-domain",
                Some("(MIT OR Zlib) AND LicenseRef-public-domain"),
                SourceKind::Declared,
            ),
            lic(
                "LicenseRef-public-domain",
                Some("LicenseRef-public-domain"),
                SourceKind::Declared,
            ),
        ];
        let map = LicenseMap::new(&sbom_with(licenses));
        let pd = map
            .extracted()
            .iter()
            .find(|e| e.id == "LicenseRef-public-domain")
            .unwrap();
        assert_eq!(pd.text, "LicenseRef-public-domain");
    }

    #[test]
    fn every_license_ref_is_extracted_once() {
        let licenses = vec![
            lic(
                "LicenseRef-Proprietary",
                Some("LicenseRef-Proprietary"),
                SourceKind::Declared,
            ),
            lic("Proprietary", None, SourceKind::Declared),
            lic("Full text\nof a license", None, SourceKind::File),
        ];
        let map = LicenseMap::new(&sbom_with(licenses.clone()));
        let ids: Vec<&str> = map.extracted().iter().map(|e| e.id.as_str()).collect();
        let hashed = format!("LicenseRef-Proprietary-{}", short_hash("Proprietary", 8));
        assert_eq!(
            ids,
            [
                "LicenseRef-Full-text-of-a-license",
                "LicenseRef-Proprietary",
                hashed.as_str()
            ]
        );
        let full = &map.extracted()[0];
        assert_eq!(full.name, "Full text");
        assert_eq!(full.text, "Full text\nof a license");
    }

    #[test]
    fn document_refs_are_not_usable_in_a_standalone_document() {
        let l = lic(
            "x",
            Some("DocumentRef-other:LicenseRef-x"),
            SourceKind::Declared,
        );
        assert_eq!(usable_expression(&l), None);
    }
}
