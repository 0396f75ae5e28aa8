//! CycloneDX JSON (any version 1.2–1.7) read into a [`Catalog`].

use super::{add_copyrights, component};
use crate::{Input, ParseError};
use bomscout_core::{
    Catalog, DepKind, Ecosystem, Hash, HashAlg, License, Location, NodeRef, Project, Purl, Scope,
    SourceKind,
};
use serde_json::Value;
use std::collections::HashMap;

/// Nested `components` deeper than this are not followed.
const MAX_NESTING: usize = 32;

/// Reads one CycloneDX JSON document.
pub fn parse(input: &Input) -> Result<Catalog, ParseError> {
    let doc: Value = serde_json::from_slice(input.bytes)?;
    if doc.get("bomFormat").and_then(Value::as_str) != Some("CycloneDX") {
        return Err(ParseError::format(
            "not a CycloneDX JSON document (no \"bomFormat\": \"CycloneDX\")",
        ));
    }
    Ok(catalog(&doc, input.path()))
}

/// The catalog of a CycloneDX document in its JSON shape (the XML reader builds the same
/// shape). `path` is the document's name, used for locations the document does not give.
pub(crate) fn catalog(doc: &Value, path: &str) -> Catalog {
    let mut flat = Vec::new();
    flatten(doc.get("components"), 0, &mut flat);
    let mut cat = Catalog::default();
    let mut refs: HashMap<String, NodeRef> = HashMap::new();
    let mut scopes: HashMap<NodeRef, Scope> = HashMap::new();
    for (i, c) in flat.iter().enumerate() {
        let Some(node) = add(&mut cat, c, path) else {
            continue;
        };
        let bom_ref = c
            .get("bom-ref")
            .and_then(Value::as_str)
            .map(str::to_string)
            .unwrap_or_else(|| format!("#{i}"));
        if let NodeRef::Package(p) = node {
            scopes.insert(node, cat.packages[p].component.scope);
        }
        refs.insert(bom_ref, node);
    }
    for dep in doc
        .get("dependencies")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let Some(from) = dep
            .get("ref")
            .and_then(Value::as_str)
            .and_then(|r| refs.get(r))
        else {
            continue;
        };
        for to in dep
            .get("dependsOn")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let Some(to) = to.as_str().and_then(|r| refs.get(r)) else {
                continue;
            };
            // CycloneDX edges carry no kind; scopes do. A target weaker than its source
            // (a required package depending on an optional one) can only have been
            // reached through an edge of the target's kind, so that is the edge's kind.
            let kind = match (scopes.get(from), scopes.get(to)) {
                (source, Some(Scope::Dev)) if source != Some(&Scope::Dev) => DepKind::Dev,
                (source, Some(Scope::Build))
                    if !matches!(source, Some(Scope::Build | Scope::Dev)) =>
                {
                    DepKind::Build
                }
                (source, Some(Scope::Optional))
                    if !matches!(source, Some(Scope::Optional | Scope::Dev)) =>
                {
                    DepKind::Optional
                }
                _ => DepKind::Normal,
            };
            cat.add_edge(*from, *to, kind);
        }
    }
    cat
}

fn flatten<'a>(components: Option<&'a Value>, depth: usize, out: &mut Vec<&'a Value>) {
    if depth > MAX_NESTING {
        return;
    }
    for c in components.and_then(Value::as_array).into_iter().flatten() {
        out.push(c);
        flatten(c.get("components"), depth + 1, out);
    }
}

/// `bomscout:<key>` properties of a component.
fn properties(c: &Value) -> Vec<(&str, &str)> {
    c.get("properties")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|p| Some((p.get("name")?.as_str()?, p.get("value")?.as_str()?)))
        .collect()
}

fn add(cat: &mut Catalog, c: &Value, path: &str) -> Option<NodeRef> {
    let str_of = |k: &str| c.get(k).and_then(Value::as_str);
    let name = str_of("name")?;
    let props = properties(c);
    let prop = |k: &str| props.iter().find(|(n, _)| *n == k).map(|(_, v)| *v);
    if let Some(dir) = prop("bomscout:project-dir") {
        let purl_type = str_of("purl")
            .and_then(|p| p.strip_prefix("pkg:"))
            .and_then(|p| p.split('/').next());
        let ecosystem = prop("bomscout:ecosystem")
            .or(purl_type)
            .map(Ecosystem::from_purl_type)
            .unwrap_or(Ecosystem::Generic);
        let mut manifests = props
            .iter()
            .filter(|(k, _)| *k == "bomscout:manifest")
            .map(|(_, v)| *v);
        let manifest = manifests.next().unwrap_or(path);
        let mut p = Project::in_dir(ecosystem, dir, manifest);
        // The writer names an unnamed project after its directory.
        p.name = Some(name.to_string()).filter(|n| n != dir);
        p.version = str_of("version").map(str::to_string);
        p.purl = str_of("purl").map(Purl::from_canonical);
        p.licenses = licenses(c, path);
        let node = cat.add_project(p);
        // Every other manifest as the same project (the builder merges them by directory).
        for m in manifests {
            cat.add_project(Project::in_dir(ecosystem, dir, m));
        }
        return Some(node);
    }
    let mut comp = component(
        str_of("purl"),
        str_of("group"),
        name,
        str_of("version"),
        prop("bomscout:requirement"),
    )?;
    // A model or a dataset (CycloneDX 1.5+ component types).
    match str_of("type") {
        Some("machine-learning-model") => {
            comp.kind = bomscout_core::ComponentKind::MachineLearningModel
        }
        Some("data") => comp.kind = bomscout_core::ComponentKind::Data,
        _ => {}
    }
    comp.scope = match (prop("bomscout:scope"), str_of("scope")) {
        (Some("dev"), _) | (None, Some("excluded")) => Scope::Dev,
        (Some("build"), _) => Scope::Build,
        (Some("optional"), _) | (None, Some("optional")) => Scope::Optional,
        _ => Scope::Required,
    };
    for h in c
        .get("hashes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let alg = h
            .get("alg")
            .and_then(Value::as_str)
            .and_then(HashAlg::from_name);
        let content = h.get("content").and_then(Value::as_str);
        if let Some(hash) = alg.zip(content).and_then(|(a, v)| Hash::hex(a, v)) {
            comp.add_hash(hash);
        }
    }
    for l in licenses(c, path) {
        comp.add_license(l);
    }
    add_copyrights(&mut comp, str_of("copyright"), path);
    let occurrences = c.pointer("/evidence/occurrences").and_then(Value::as_array);
    for o in occurrences.into_iter().flatten() {
        if let Some(loc) = o.get("location").and_then(Value::as_str) {
            let line = o
                .get("line")
                .and_then(Value::as_u64)
                .and_then(|l| u32::try_from(l).ok());
            comp.locations.insert(Location {
                path: loc.into(),
                line,
            });
        }
    }
    if comp.locations.is_empty() {
        comp.locations.insert(Location::new(path));
    }
    let reserved = [
        "scope",
        "direct",
        "ecosystem",
        "requirement",
        "license-source",
        "license-mapping",
    ];
    for (k, v) in props {
        if let Some(key) = k
            .strip_prefix("bomscout:")
            .filter(|k| !reserved.contains(k))
        {
            comp.properties
                .entry(key.to_string())
                .or_insert_with(|| v.to_string());
        }
    }
    Some(cat.add_package(comp))
}

/// `licenses` and `evidence.licenses`: ids and expressions keep their SPDX form, names
/// stay names; the license stage normalizes them again. Evidence is read as license-file
/// evidence, the lowest rank, so a writer chooses the same `licenses` again.
fn licenses(c: &Value, path: &str) -> Vec<License> {
    let declared = c
        .get("licenses")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|l| (l, SourceKind::Declared));
    let evidence = c
        .pointer("/evidence/licenses")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|l| (l, SourceKind::File));
    declared
        .chain(evidence)
        .filter_map(|(l, kind)| {
            let concluded = l
                .pointer("/license/acknowledgement")
                .or_else(|| l.get("acknowledgement"))
                .and_then(Value::as_str)
                == Some("concluded");
            let kind = if concluded {
                SourceKind::Curation
            } else {
                kind
            };
            let raw = l
                .get("expression")
                .or_else(|| l.pointer("/license/id"))
                .or_else(|| l.pointer("/license/name"))
                .and_then(Value::as_str)?;
            // A plain conjunction is how a writer joins several statements when one of them
            // is not a single id: split back, as the SPDX reader does.
            let plain_and = l.get("expression").is_some()
                && !raw.contains(" OR ")
                && !raw.contains(" WITH ")
                && !raw.contains('(');
            let terms: Vec<&str> = if plain_and {
                raw.split(" AND ").collect()
            } else {
                vec![raw]
            };
            Some(
                terms
                    .into_iter()
                    .map(|t| License::of_kind(t, path, "licenses", kind))
                    .collect::<Vec<_>>(),
            )
        })
        .flatten()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::licenses;
    use serde_json::json;

    #[test]
    fn a_plain_conjunction_is_split_back_into_statements() {
        let c = json!({"licenses": [{"expression": "GPL-2.0-only AND LicenseRef-public-domain"}]});
        let raws: Vec<String> = licenses(&c, "bom.json")
            .into_iter()
            .map(|l| l.raw.into())
            .collect();
        assert_eq!(raws, ["GPL-2.0-only", "LicenseRef-public-domain"]);
        let c = json!({"licenses": [{"expression": "(MIT OR Apache-2.0) AND Zlib"}]});
        assert_eq!(licenses(&c, "bom.json").len(), 1);
        let c = json!({"licenses": [{"license": {"name": "A AND B"}}]});
        assert_eq!(licenses(&c, "bom.json")[0].raw, "A AND B");
    }
}
