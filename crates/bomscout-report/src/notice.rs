//! Third-party attribution files (`notice`, `notice-markdown`): what a product ships to
//! meet the attribution clauses of its dependencies' licenses.
//!
//! Layout:
//!
//! 1. a header naming the product, and how many components are listed (required and
//!    optional scope; dev-only components are left out, and the header says how many);
//! 2. **Components**: every shipped component once, with its version and license, as an
//!    index;
//! 3. **Licenses**: each license (or exception) text once, sorted by identifier, preceded
//!    by every component under it and each component's copyright statements (read from
//!    its license, `NOTICE` and `COPYRIGHT` files), which MIT, BSD and Apache-2.0 require
//!    to be reproduced. A component under several licenses is listed under each. Components
//!    with no license statement come last, under their own heading, with their copyrights;
//! 4. **Notices**: each component's Apache-style `NOTICE` files, verbatim (Apache-2.0
//!    §4(d)), in component order; left out when there are none.
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
//!
//! Everything but the SPDX texts comes from scanned files: in the plain-text file, control
//! characters are made visible ([`escape::printable`], line by line for multi-line texts,
//! tabs kept); in Markdown, one-line text is escaped ([`escape::markdown`]) and multi-line
//! text goes in a fence longer than any backtick run in it.

use bomscout_core::{escape, Component, License, NoticeText, Sbom, Scope};
use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Write};

/// How many places to list for a license whose text is missing.
const MAX_LOCATIONS: usize = 5;

/// The heading of the group of components without any license statement.
const UNLICENSED: &str = "No license statement found";

/// Writes the attribution file as plain text.
pub(crate) fn write_text(sbom: &Sbom, out: &mut dyn Write) -> io::Result<()> {
    let notice = Notice::new(sbom);
    let title = format!(
        "Third-party software notices for {}",
        escape::printable(&notice.product)
    );
    writeln!(out, "{title}\n{}\n", "=".repeat(title.chars().count()))?;
    for line in notice.intro() {
        writeln!(out, "{}", escape::printable(&line))?;
    }

    writeln!(out, "\nComponents\n----------")?;
    for e in &notice.entries {
        writeln!(out, "\n{}", e.title())?;
        writeln!(out, "  License: {}", escape::printable(&e.license))?;
    }

    writeln!(out, "\nLicenses\n--------")?;
    let rule = "=".repeat(80);
    for group in notice.groups() {
        writeln!(
            out,
            "\n{rule}\n{}\n{rule}\n",
            escape::printable(group.heading)
        )?;
        writeln!(out, "Used by:\n")?;
        for e in &group.users {
            writeln!(out, "  {}", e.title())?;
            for c in &e.copyrights {
                writeln!(out, "    {}", escape::printable(c))?;
            }
        }
        writeln!(out)?;
        match group.text {
            Some(LicenseText::Known(t)) => writeln!(out, "{}", verbatim(t))?,
            Some(LicenseText::Missing(places)) => writeln!(out, "{}", missing(places))?,
            None => writeln!(out, "{}", unlicensed_note())?,
        }
    }

    if notice.entries.iter().any(|e| !e.notices.is_empty()) {
        writeln!(out, "\nNotices\n-------\n\n{}", notices_intro())?;
        let rule = "-".repeat(80);
        for e in &notice.entries {
            for n in &e.notices {
                writeln!(
                    out,
                    "\n{rule}\n{}: {}\n{rule}\n",
                    e.title(),
                    escape::printable(&n.path)
                )?;
                writeln!(out, "{}", verbatim(&n.text))?;
            }
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
        writeln!(out, "- {}: {}", e.md_title(), md(&e.license))?;
    }

    writeln!(out, "\n## Licenses")?;
    for group in notice.groups() {
        writeln!(out, "\n### {}\n\nUsed by:\n", md(group.heading))?;
        for e in &group.users {
            writeln!(out, "- {}", e.md_title())?;
            for c in &e.copyrights {
                writeln!(out, "  - {}", md(c))?;
            }
        }
        writeln!(out)?;
        match group.text {
            Some(LicenseText::Known(t)) => fenced(out, t)?,
            Some(LicenseText::Missing(places)) => writeln!(out, "{}", md(&missing(places)))?,
            None => writeln!(out, "{}", md(&unlicensed_note()))?,
        }
    }

    if notice.entries.iter().any(|e| !e.notices.is_empty()) {
        writeln!(out, "\n## Notices\n\n{}", md(&notices_intro()))?;
        for e in &notice.entries {
            for n in &e.notices {
                writeln!(out, "\n### {}\n\nFrom {}:\n", e.md_title(), md(&n.path))?;
                fenced(out, &n.text)?;
            }
        }
    }
    Ok(())
}

fn unlicensed_note() -> String {
    "No license statement was found for these components; review them before distributing."
        .to_string()
}

fn notices_intro() -> String {
    "The NOTICE files of these components, reproduced verbatim as the Apache License 2.0 (section 4(d)) requires.".to_string()
}

/// A multi-line text from a scanned file for the plain-text notice: its lines as they are,
/// with control characters other than tabs made visible.
fn verbatim(text: &str) -> String {
    text.trim_end()
        .lines()
        .map(|line| {
            line.split('\t')
                .map(escape::printable)
                .collect::<Vec<_>>()
                .join("\t")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A multi-line text in a Markdown code fence that the text cannot close.
fn fenced(out: &mut dyn Write, text: &str) -> io::Result<()> {
    let text = verbatim(text);
    let fence = fence_for(&text);
    writeln!(out, "{fence}text\n{text}\n{fence}")
}

/// The attribution content, shared by both renderings.
struct Notice {
    product: String,
    dev_excluded: usize,
    /// Shipped components, sorted by name, version, ecosystem.
    entries: Vec<Entry>,
    /// License or exception id (or an unparsed name) → its text.
    licenses: BTreeMap<String, LicenseText>,
}

/// One license text with the components under it.
struct Group<'a> {
    heading: &'a str,
    /// `None` for the components without a license statement.
    text: Option<&'a LicenseText>,
    users: Vec<&'a Entry>,
}

/// One shipped component.
struct Entry {
    name: String,
    version: String,
    ecosystem: &'static str,
    license: String,
    /// The keys of [`Notice::licenses`] this component is under.
    texts: BTreeSet<String>,
    copyrights: Vec<String>,
    notices: Vec<NoticeText>,
}

impl Entry {
    /// `name version (ecosystem)` for the plain-text file.
    fn title(&self) -> String {
        format!(
            "{} {} ({})",
            escape::printable(&self.name),
            escape::printable(&self.version),
            self.ecosystem
        )
    }

    /// `**name** version (ecosystem)` for Markdown.
    fn md_title(&self) -> String {
        format!(
            "**{}** {} ({})",
            md(&self.name),
            md(&self.version),
            self.ecosystem
        )
    }
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
                let mut texts = BTreeSet::new();
                for l in &used {
                    collect_texts(l, &mut licenses, &mut texts);
                }
                entry(c, &used, texts)
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

    /// Each license text with its components, sorted by id; then the components without
    /// a license statement, if any.
    fn groups(&self) -> Vec<Group<'_>> {
        let mut groups: Vec<Group> = self
            .licenses
            .iter()
            .map(|(id, text)| Group {
                heading: id,
                text: Some(text),
                users: self
                    .entries
                    .iter()
                    .filter(|e| e.texts.contains(id))
                    .collect(),
            })
            .collect();
        let unlicensed: Vec<&Entry> = self.entries.iter().filter(|e| e.texts.is_empty()).collect();
        if !unlicensed.is_empty() {
            groups.push(Group {
                heading: UNLICENSED,
                text: None,
                users: unlicensed,
            });
        }
        groups
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
            "Each license text below follows the components under it and their copyright statements, as found in their license and notice files.".to_string(),
            format!(
                "Generated by bomscout from package metadata. Standard license texts are those of the SPDX License List {}; review before publishing.",
                ::spdx::license_version()
            ),
        ]
    }
}

fn entry(c: &Component, used: &[&License], texts: BTreeSet<String>) -> Entry {
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
    Entry {
        name: one_line(&c.display_name()),
        version: one_line(&version),
        ecosystem: c.ecosystem.as_str(),
        license,
        texts,
        copyrights: c.copyrights.iter().map(|c| one_line(&c.text)).collect(),
        notices: c
            .notices
            .iter()
            .filter(|n| !n.text.trim().is_empty())
            .cloned()
            .collect(),
    }
}

/// Adds the texts a statement needs: every license and exception of its expression, or
/// the statement itself when it is not an expression.
fn collect_texts(
    license: &License,
    texts: &mut BTreeMap<String, LicenseText>,
    used: &mut BTreeSet<String>,
) {
    let place = format!("{} ({})", license.source.path, license.source.field);
    let parsed = license
        .expression
        .as_deref()
        .and_then(|e| ::spdx::Expression::parse(e.trim()).ok());
    let Some(expr) = parsed else {
        let key = first_line(&license.raw);
        if license.raw.lines().nth(1).is_some() {
            texts
                .entry(key.clone())
                .or_insert_with(|| LicenseText::Known(license.raw.to_string()));
        } else {
            note_missing(texts, key.clone(), place);
        }
        used.insert(key);
        return;
    };
    for req in expr.requirements() {
        match &req.req.license {
            ::spdx::LicenseItem::Spdx { id, .. } => {
                texts
                    .entry(id.name.to_string())
                    .or_insert_with(|| LicenseText::Known(id.text().to_string()));
                used.insert(id.name.to_string());
            }
            ::spdx::LicenseItem::Other(r) => {
                note_missing(texts, r.to_string(), place.clone());
                used.insert(r.to_string());
            }
        }
        match &req.req.addition {
            Some(::spdx::AdditionItem::Spdx(exc)) => {
                texts
                    .entry(exc.name.to_string())
                    .or_insert_with(|| LicenseText::Known(exc.text().to_string()));
                used.insert(exc.name.to_string());
            }
            Some(::spdx::AdditionItem::Other(r)) => {
                note_missing(texts, r.to_string(), place.clone());
                used.insert(r.to_string());
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

/// One-line text for Markdown: [`escape::markdown`].
fn md(text: &str) -> String {
    escape::markdown(text)
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
