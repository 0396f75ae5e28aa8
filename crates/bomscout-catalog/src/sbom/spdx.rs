//! SPDX 2.3 JSON read into a [`Catalog`].
//!
//! Packages become components, except bomscout's first-party projects (an `APPLICATION`
//! package whose comment says "First-party … project in DIR; defined by …") and the scanned
//! tree itself (`SOURCE`). Relationships give edges: `A DEPENDS_ON B`, and `B
//! DEV_DEPENDENCY_OF A` / `OPTIONAL_DEPENDENCY_OF` / `BUILD_DEPENDENCY_OF` as Dev, Optional
//! and Build edges from A. `licenseDeclared` is the declared license (a `LicenseRef-` is
//! replaced by its extracted text, kept as a name), `licenseConcluded` a curation. The
//! facts bomscout writes into package comments (scope, unresolved range, "Found in" paths,
//! `bomscout:` properties) are read back, so a round trip loses nothing.

use super::{add_copyrights, component};
use crate::{Input, ParseError};
use bomscout_core::{
    Catalog, DepKind, Ecosystem, Hash, HashAlg, License, Location, NodeRef, Project, Purl,
    SourceKind,
};
use serde_json::Value;
use std::collections::HashMap;

/// Reads one SPDX 2.x JSON document.
pub fn parse(input: &Input) -> Result<Catalog, ParseError> {
    let doc: Value = serde_json::from_slice(input.bytes)?;
    if !doc
        .get("spdxVersion")
        .and_then(Value::as_str)
        .is_some_and(|v| v.starts_with("SPDX-2."))
    {
        return Err(ParseError::format(
            "not an SPDX 2.x JSON document (no \"spdxVersion\": \"SPDX-2.x\")",
        ));
    }
    Ok(catalog(&doc, input.path()))
}

/// The catalog of an SPDX 2 document in its JSON shape (the tag-value and SPDX 3 readers
/// build the same shape). `path` is the document's name, used for locations the document
/// does not give.
pub(crate) fn catalog(doc: &Value, path: &str) -> Catalog {
    let extracted: HashMap<&str, &str> = doc
        .get("hasExtractedLicensingInfos")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|e| {
            Some((
                e.get("licenseId")?.as_str()?,
                e.get("extractedText")?.as_str()?,
            ))
        })
        .collect();
    let mut cat = Catalog::default();
    let mut ids: HashMap<&str, NodeRef> = HashMap::new();
    for p in doc
        .get("packages")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let Some(id) = p.get("SPDXID").and_then(Value::as_str) else {
            continue;
        };
        if let Some(node) = add(&mut cat, p, &extracted, path) {
            ids.insert(id, node);
        }
    }
    for r in doc
        .get("relationships")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let get = |k: &str| r.get(k).and_then(Value::as_str);
        let (Some(a), Some(b), Some(ty)) = (
            get("spdxElementId"),
            get("relatedSpdxElement"),
            get("relationshipType"),
        ) else {
            continue;
        };
        let (from, to, kind) = match ty {
            "DEPENDS_ON" => (a, b, DepKind::Normal),
            "DEPENDENCY_OF" => (b, a, DepKind::Normal),
            "DEV_DEPENDENCY_OF" => (b, a, DepKind::Dev),
            "OPTIONAL_DEPENDENCY_OF" => (b, a, DepKind::Optional),
            "BUILD_DEPENDENCY_OF" => (b, a, DepKind::Build),
            _ => continue,
        };
        if let (Some(f), Some(t)) = (ids.get(from), ids.get(to)) {
            cat.add_edge(*f, *t, kind);
        }
    }
    cat
}

fn add(
    cat: &mut Catalog,
    p: &Value,
    extracted: &HashMap<&str, &str>,
    path: &str,
) -> Option<NodeRef> {
    let str_of = |k: &str| p.get(k).and_then(Value::as_str);
    let name = str_of("name")?;
    let purl = p
        .get("externalRefs")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .find(|r| r.get("referenceType").and_then(Value::as_str) == Some("purl"))
        .and_then(|r| r.get("referenceLocator")?.as_str());
    let comment = str_of("comment").unwrap_or_default();
    let licenses = licenses(p, extracted, path);
    match str_of("primaryPackagePurpose") {
        Some("SOURCE") => return None,
        Some("APPLICATION") if comment.starts_with("First-party ") => {
            let (ecosystem, dir, manifests) = project_comment(comment)?;
            let mut manifests = manifests.into_iter();
            let mut project = Project::in_dir(ecosystem, dir, manifests.next().unwrap_or(path));
            // The writer names an unnamed project after its directory.
            project.name = Some(name.to_string()).filter(|n| n != dir);
            project.version = str_of("versionInfo").map(str::to_string);
            project.purl = purl.map(Purl::from_canonical);
            project.licenses = licenses;
            let node = cat.add_project(project);
            // Every other manifest as the same project (the builder merges them by directory).
            for m in manifests {
                cat.add_project(Project::in_dir(ecosystem, dir, m));
            }
            return Some(node);
        }
        _ => {}
    }
    let requirement = comment
        .lines()
        .find_map(|l| l.strip_prefix("Unresolved: declared as \""))
        .and_then(|r| r.split_once("\";"))
        .map(|(r, _)| r);
    let (group, short) = split_name(name, purl);
    let mut c = component(purl, group, short, str_of("versionInfo"), requirement)?;
    // SPDX 3's `ai_AIPackage` / `dataset_DatasetPackage` purposes (SPDX 2.3 has none).
    match str_of("primaryPackagePurpose") {
        Some("MODEL") => c.kind = bomscout_core::ComponentKind::MachineLearningModel,
        Some("DATA") => c.kind = bomscout_core::ComponentKind::Data,
        _ => {}
    }
    for l in licenses {
        c.add_license(l);
    }
    for h in p
        .get("checksums")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let alg = h
            .get("algorithm")
            .and_then(Value::as_str)
            .and_then(HashAlg::from_name);
        let value = h.get("checksumValue").and_then(Value::as_str);
        if let Some(hash) = alg.zip(value).and_then(|(a, v)| Hash::hex(a, v)) {
            c.add_hash(hash);
        }
    }
    add_copyrights(&mut c, str_of("copyrightText"), path);
    read_comment(&mut c, comment);
    if c.locations.is_empty() {
        c.locations.insert(Location::new(path));
    }
    Some(cat.add_package(c))
}

/// SPDX has one `name`, which bomscout writes as `namespace/name` (npm `@scope/name`, Maven
/// `group/artifact`, Go `host/path/module`): split it where the purl puts its namespace,
/// which has as many `/`-separated segments as the purl's namespace.
fn split_name<'a>(name: &'a str, purl: Option<&str>) -> (Option<&'a str>, &'a str) {
    let segments = purl
        .and_then(|p| p.strip_prefix("pkg:"))
        .map(|p| p.split(['@', '?', '#']).next().unwrap_or_default())
        .map_or(0, |path| path.matches('/').count().saturating_sub(1));
    if segments == 0 {
        return (None, name);
    }
    match name.match_indices('/').nth(segments - 1) {
        Some((i, _)) => (
            name.get(..i).filter(|g| !g.is_empty()),
            name.get(i + 1..).unwrap_or(name),
        ),
        None => (None, name),
    }
}

/// "First-party ECOSYSTEM project in DIR; defined by M1, M2." → (ecosystem, dir, manifests).
fn project_comment(comment: &str) -> Option<(Ecosystem, &str, Vec<&str>)> {
    let rest = comment.strip_prefix("First-party ")?;
    let (eco, rest) = rest.split_once(" project in ")?;
    let (dir, manifests) = rest.split_once("; defined by ")?;
    let manifests = manifests
        .lines()
        .next()
        .unwrap_or_default()
        .trim_end_matches('.')
        .split(", ")
        .filter(|m| !m.is_empty())
        .collect();
    Some((Ecosystem::from_purl_type(eco), dir, manifests))
}

/// The facts bomscout's SPDX writer puts in a component's comment.
fn read_comment(c: &mut bomscout_core::Component, comment: &str) {
    for line in comment.lines() {
        if let Some(found) = line.strip_prefix("Found in: ") {
            for loc in found.trim_end_matches('.').split(", ") {
                let (path, line) = match loc.rsplit_once(':') {
                    Some((p, l)) if l.parse::<u32>().is_ok() => (p, l.parse().ok()),
                    _ => (loc, None),
                };
                c.locations.insert(Location {
                    path: path.into(),
                    line,
                });
            }
        } else if let Some((k, v)) = line
            .strip_prefix("bomscout:")
            .and_then(|l| l.split_once(": "))
        {
            c.properties.insert(k.to_string(), v.to_string());
        }
    }
}

/// `licenseDeclared` and `licenseConcluded`. A conjunction (`A AND B`, which is how several
/// statements are joined) is split back into its statements, and a `LicenseRef-` term is
/// replaced by its extracted text: the statement as found, which normalization could not
/// read and keeps as a name.
fn licenses(p: &Value, extracted: &HashMap<&str, &str>, path: &str) -> Vec<License> {
    let mut out = Vec::new();
    for (field, kind) in [
        ("licenseDeclared", SourceKind::Declared),
        ("licenseConcluded", SourceKind::Curation),
    ] {
        let Some(expr) = p.get(field).and_then(Value::as_str) else {
            continue;
        };
        if expr == "NOASSERTION" || expr == "NONE" {
            continue;
        }
        let plain_and = !expr.contains(" OR ") && !expr.contains(" WITH ") && !expr.contains('(');
        let terms: Vec<&str> = if plain_and {
            expr.split(" AND ").collect()
        } else {
            vec![expr]
        };
        for term in terms {
            let raw = extracted.get(term).copied().unwrap_or(term);
            out.push(License::of_kind(raw, path, field, kind));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::split_name;
    use test_case::test_case;

    #[test_case("@babel/core", "pkg:npm/%40babel/core@7.0.0", Some("@babel"), "core" ; "npm scope")]
    #[test_case("composer/ca-bundle", "pkg:composer/composer/ca-bundle@1.5.12", Some("composer"), "ca-bundle" ; "composer vendor")]
    #[test_case("org.jsoup/jsoup", "pkg:maven/org.jsoup/jsoup@1.17.2?type=jar", Some("org.jsoup"), "jsoup" ; "maven group with qualifiers")]
    #[test_case("github.com/pkg/errors", "pkg:golang/github.com/pkg/errors@v0.9.1", Some("github.com/pkg"), "errors" ; "go module path")]
    #[test_case("serde", "pkg:cargo/serde@1.0.0", None, "serde" ; "no namespace")]
    #[test_case("a/b", "pkg:npm/a%2Fb@1", None, "a/b" ; "a slash only in the name")]
    #[test_case("plain", "pkg:golang/github.com/pkg/errors@v1", None, "plain" ; "fewer segments than the purl")]
    fn spdx_name_split_where_the_purl_has_its_namespace(
        name: &str,
        purl: &str,
        group: Option<&str>,
        short: &str,
    ) {
        assert_eq!(split_name(name, Some(purl)), (group, short));
    }
}
