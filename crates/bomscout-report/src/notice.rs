//! Third-party attribution files (`notice`, `notice-markdown`): what a product ships to
//! meet the attribution clauses of its dependencies' licenses.
//!
//! Layout: a header naming the product, then every component that is distributed with it
//! (required and optional scope; dev-only components are left out, and the header says how
//! many), each with its version, license and any copyright lines a cataloger found; then the
//! full text of every license and exception used, once each, sorted by identifier.
//!
//! Which license a component is under: a curation from the policy file when there is one
//! (a person checked it), else every statement the package makes (manifest, classifier,
//! license file), joined with `AND`.
//!
//! License texts come from the SPDX License List bundled in the `spdx` crate (its `text`
//! feature). A statement that is not an SPDX identifier has no text there: if the statement
//! itself spans several lines it *is* the text and is printed; otherwise the file says
//! "license text not available; see `<where the statement was found>`", so nobody mistakes
//! a gap for completeness.

use bomscout_core::{Component, License, Sbom, Scope};
use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Write};

/// How many places to list for a license whose text is missing.
const MAX_LOCATIONS: usize = 5;

/// Writes the attribution file as plain text.
pub(crate) fn write_text(sbom: &Sbom, out: &mut dyn Write) -> io::Result<()> {
    let notice = Notice::new(sbom);
    let title = format!("Third-party software notices for {}", notice.product);
    writeln!(out, "{title}\n{}\n", "=".repeat(title.chars().count()))?;
    for line in notice.intro() {
        writeln!(out, "{line}")?;
    }

    writeln!(out, "\nComponents\n----------")?;
    for e in &notice.entries {
        writeln!(out, "\n{} {} ({})", e.name, e.version, e.ecosystem)?;
        writeln!(out, "  License: {}", e.license)?;
        for c in &e.copyright {
            writeln!(out, "  {c}")?;
        }
    }

    writeln!(out, "\nLicenses\n--------")?;
    let rule = "=".repeat(80);
    for (id, text) in &notice.licenses {
        writeln!(out, "\n{rule}\n{id}\n{rule}\n")?;
        match text {
            LicenseText::Known(t) => writeln!(out, "{}", t.trim_end())?,
            LicenseText::Missing(places) => writeln!(out, "{}", missing(places))?,
        }
    }
    Ok(())
}

/// Writes the attribution file as Markdown (CommonMark).
pub(crate) fn write_markdown(sbom: &Sbom, out: &mut dyn Write) -> io::Result<()> {
    let notice = Notice::new(sbom);
    writeln!(
        out,
        "# Third-party software notices for {}\n",
        md(&notice.product)
    )?;
    for line in notice.intro() {
        writeln!(out, "{}", md(&line))?;
    }

    writeln!(out, "\n## Components\n")?;
    for e in &notice.entries {
        writeln!(
            out,
            "- **{}** {} ({}): {}",
            md(&e.name),
            md(&e.version),
            e.ecosystem,
            md(&e.license)
        )?;
        for c in &e.copyright {
            writeln!(out, "  - {}", md(c))?;
        }
    }

    writeln!(out, "\n## Licenses")?;
    for (id, text) in &notice.licenses {
        writeln!(out, "\n### {}\n", md(id))?;
        match text {
            LicenseText::Known(t) => {
                let fence = fence_for(t);
                writeln!(out, "{fence}text\n{}\n{fence}", t.trim_end())?;
            }
            LicenseText::Missing(places) => writeln!(out, "{}", md(&missing(places)))?,
        }
    }
    Ok(())
}

/// The attribution content, shared by both renderings.
struct Notice {
    product: String,
    dev_excluded: usize,
    entries: Vec<Entry>,
    /// License or exception id (or an unparsed name) → its text.
    licenses: BTreeMap<String, LicenseText>,
}

/// One component line.
struct Entry {
    name: String,
    version: String,
    ecosystem: &'static str,
    license: String,
    copyright: Vec<String>,
}

/// A license's text, or where to look for it.
enum LicenseText {
    /// The text (from the SPDX License List, or a statement that is itself a text).
    Known(String),
    /// No text; the places the statement was found.
    Missing(BTreeSet<String>),
}

impl Notice {
    fn new(sbom: &Sbom) -> Notice {
        let shipped: Vec<&Component> = sbom
            .components
            .iter()
            .filter(|c| c.scope != Scope::Dev)
            .collect();
        let mut licenses = BTreeMap::new();
        let mut entries: Vec<Entry> = shipped
            .iter()
            .map(|c| {
                let used = License::strongest(&c.licenses);
                for l in &used {
                    collect_texts(l, &mut licenses);
                }
                entry(c, &used)
            })
            .collect();
        entries.sort_by(|a, b| {
            (a.name.to_lowercase(), &a.version, a.ecosystem).cmp(&(
                b.name.to_lowercase(),
                &b.version,
                b.ecosystem,
            ))
        });
        let product = sbom.name.trim();
        Notice {
            product: if product.is_empty() {
                "this product"
            } else {
                product
            }
            .to_string(),
            dev_excluded: sbom.components.len() - shipped.len(),
            entries,
            licenses,
        }
    }

    fn intro(&self) -> Vec<String> {
        vec![
            format!(
                "{} includes the {} third-party component(s) listed below, each under the license(s) shown.",
                self.product,
                self.entries.len()
            ),
            format!(
                "Development-only dependencies ({}) are not listed: they are not distributed with the product.",
                self.dev_excluded
            ),
            format!(
                "Generated by bomscout from package metadata. Standard license texts are those of the SPDX License List {}; review before publishing.",
                ::spdx::license_version()
            ),
        ]
    }
}

fn entry(c: &Component, used: &[&License]) -> Entry {
    let terms: BTreeSet<String> = used.iter().map(|l| first_line(l.display())).collect();
    let license = match terms.len() {
        0 => "not declared (no license statement found)".to_string(),
        1 => terms.into_iter().next().unwrap_or_default(),
        _ => terms
            .iter()
            .map(|t| {
                if t.contains(' ') && !t.contains(" WITH ") {
                    format!("({t})")
                } else {
                    t.clone()
                }
            })
            .collect::<Vec<_>>()
            .join(" AND "),
    };
    let version = match (&c.version, &c.requirement) {
        (Some(v), _) => v.clone(),
        (None, Some(req)) => format!("(unresolved: {req})"),
        (None, None) => "(no version)".to_string(),
    };
    let copyright = c
        .properties
        .get("copyright")
        .map(|s| {
            s.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    Entry {
        name: one_line(&c.display_name()),
        version: one_line(&version),
        ecosystem: c.ecosystem.as_str(),
        license,
        copyright,
    }
}

/// Adds the texts a statement needs: every license and exception of its expression, or
/// the statement itself when it is not an expression.
fn collect_texts(license: &License, texts: &mut BTreeMap<String, LicenseText>) {
    let place = format!("{} ({})", license.source.path, license.source.field);
    let parsed = license
        .expression
        .as_deref()
        .and_then(|e| ::spdx::Expression::parse(e.trim()).ok());
    let Some(expr) = parsed else {
        if license.raw.lines().nth(1).is_some() {
            texts
                .entry(first_line(&license.raw))
                .or_insert_with(|| LicenseText::Known(license.raw.clone()));
        } else {
            note_missing(texts, license.raw.clone(), place);
        }
        return;
    };
    for req in expr.requirements() {
        match &req.req.license {
            ::spdx::LicenseItem::Spdx { id, .. } => {
                texts
                    .entry(id.name.to_string())
                    .or_insert_with(|| LicenseText::Known(id.text().to_string()));
            }
            ::spdx::LicenseItem::Other(r) => note_missing(texts, r.to_string(), place.clone()),
        }
        match &req.req.addition {
            Some(::spdx::AdditionItem::Spdx(exc)) => {
                texts
                    .entry(exc.name.to_string())
                    .or_insert_with(|| LicenseText::Known(exc.text().to_string()));
            }
            Some(::spdx::AdditionItem::Other(r)) => {
                note_missing(texts, r.to_string(), place.clone())
            }
            None => {}
        }
    }
}

fn note_missing(texts: &mut BTreeMap<String, LicenseText>, id: String, place: String) {
    let slot = texts
        .entry(id)
        .or_insert_with(|| LicenseText::Missing(BTreeSet::new()));
    if let LicenseText::Missing(places) = slot {
        places.insert(place);
    }
}

fn missing(places: &BTreeSet<String>) -> String {
    let mut shown: Vec<&str> = places
        .iter()
        .take(MAX_LOCATIONS)
        .map(String::as_str)
        .collect();
    let more = places.len().saturating_sub(MAX_LOCATIONS);
    let tail = if more > 0 {
        format!(" and {more} more")
    } else {
        String::new()
    };
    if shown.is_empty() {
        shown.push("the package's metadata");
    }
    format!(
        "License text not available; see {}{tail}.",
        shown.join(", ")
    )
}

/// Folds line breaks to spaces: a name must not break the layout of the file.
fn one_line(text: &str) -> String {
    if text.contains(['\n', '\r']) {
        text.split_whitespace().collect::<Vec<_>>().join(" ")
    } else {
        text.to_string()
    }
}

/// The first non-empty line: a license statement as a name.
fn first_line(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("")
        .to_string()
}

/// Escapes the characters that Markdown would otherwise read as markup or HTML (the
/// shared rule of every Markdown writer).
fn md(text: &str) -> String {
    bomscout_core::escape::markdown(text)
}

/// A backtick fence longer than any run of backticks in `text`, so the text cannot close it.
fn fence_for(text: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    "`".repeat(longest.max(2) + 1)
}

#[cfg(test)]
mod tests {
    use super::{fence_for, md, missing};
    use std::collections::BTreeSet;

    #[test]
    fn fences_outgrow_backtick_runs() {
        assert_eq!(fence_for("plain"), "```");
        assert_eq!(fence_for("a ```` b"), "`````");
    }

    #[test]
    fn markdown_markup_is_escaped() {
        assert_eq!(md("a_b *c* <x>"), "a\\_b \\*c\\* \\<x\\>");
        // The shared rule is stricter than this writer's old one: images, entities, line
        // breaks and control characters too.
        assert_eq!(md("![x](u) &amp;"), "\\!\\[x\\](u) \\&amp;");
        assert_eq!(md("a\r\nb\u{1b}"), "a  b\\x1b");
    }

    #[test]
    fn missing_text_names_a_bounded_list_of_places() {
        let places: BTreeSet<String> = (0..7).map(|i| format!("p{i}")).collect();
        assert_eq!(
            missing(&places),
            "License text not available; see p0, p1, p2, p3, p4 and 2 more."
        );
    }
}
