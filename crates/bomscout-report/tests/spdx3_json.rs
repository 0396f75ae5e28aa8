//! SPDX 3.0.1 JSON-LD: valid against the official 3.0.1 schema, every reference resolves
//! inside the graph, the graph and licenses as expected, deterministic.

mod sboms;

use bomscout_report::Format;
use sboms::{all, render, sample, sample_reversed};
use serde_json::Value;
use std::collections::{BTreeSet, HashMap, HashSet};

fn schema() -> jsonschema::Validator {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/schemas/spdx/spdx-json-schema-3.0.1.json"
    );
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    jsonschema::validator_for(&schema).unwrap()
}

fn doc(sbom: &bomscout_core::Sbom) -> Value {
    serde_json::from_str(&render(Format::Spdx3Json, sbom)).unwrap()
}

fn graph(doc: &Value) -> &Vec<Value> {
    doc["@graph"].as_array().unwrap()
}

fn of_type<'a>(doc: &'a Value, ty: &'a str) -> impl Iterator<Item = &'a Value> + 'a {
    graph(doc).iter().filter(move |e| e["type"] == ty)
}

fn strs(v: &Value) -> Vec<&str> {
    v.as_array()
        .map(|a| a.iter().map(|s| s.as_str().unwrap()).collect())
        .unwrap_or_default()
}

#[test]
fn every_document_is_valid_against_the_spdx_3_0_1_schema() {
    let validator = schema();
    for (name, sbom) in all() {
        let doc = doc(&sbom);
        let errors: Vec<String> = validator
            .iter_errors(&doc)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{name}: {errors:#?}");
    }
}

#[test]
fn every_reference_resolves_inside_the_graph() {
    for (name, sbom) in all() {
        let doc = doc(&sbom);
        assert_eq!(
            doc["@context"],
            "https://spdx.org/rdf/3.0.1/spdx-context.jsonld"
        );
        let mut ids = HashSet::new();
        for e in graph(&doc) {
            if let Some(id) = e["spdxId"].as_str() {
                assert!(ids.insert(id), "{name}: duplicate {id}");
                assert!(
                    id.starts_with("https://bomscout.invalid/spdxdocs/"),
                    "{name}: {id}"
                );
                assert_eq!(e["creationInfo"], "_:creationinfo", "{name}: {id}");
            }
        }
        let creation: Vec<&Value> = of_type(&doc, "CreationInfo").collect();
        assert_eq!(creation.len(), 1);
        assert_eq!(creation[0]["specVersion"], "3.0.1");
        assert_eq!(creation[0]["created"], "2024-03-06T00:00:00Z");
        for r in strs(&creation[0]["createdBy"])
            .into_iter()
            .chain(strs(&creation[0]["createdUsing"]))
        {
            assert!(ids.contains(r), "{name}: creator {r}");
        }
        for e in graph(&doc) {
            let ty = e["type"].as_str().unwrap();
            if ty.ends_with("Relationship") {
                assert!(ids.contains(e["from"].as_str().unwrap()), "{name}: {e}");
                for to in strs(&e["to"]) {
                    assert!(ids.contains(to), "{name}: {to} in {e}");
                }
            }
            for field in ["element", "rootElement"] {
                for r in strs(&e[field]) {
                    assert!(ids.contains(r), "{name}: {field} {r}");
                }
            }
            for entry in e["simplelicensing_customIdToUri"]
                .as_array()
                .into_iter()
                .flatten()
            {
                assert!(
                    ids.contains(entry["value"].as_str().unwrap()),
                    "{name}: {entry}"
                );
            }
        }
        // The document lists every element but itself.
        let document = of_type(&doc, "SpdxDocument").next().unwrap();
        let listed: HashSet<&str> = strs(&document["element"]).into_iter().collect();
        for id in &ids {
            assert!(
                *id == document["spdxId"] || listed.contains(id),
                "{name}: {id} not listed"
            );
        }
    }
}

/// `(from name, type[/scope], to name)` for every dependency-like relationship.
fn edges(doc: &Value) -> BTreeSet<(String, String, String)> {
    let names: HashMap<&str, &str> = of_type(doc, "software_Package")
        .map(|p| (p["spdxId"].as_str().unwrap(), p["name"].as_str().unwrap()))
        .collect();
    graph(doc)
        .iter()
        .filter(|e| e["type"].as_str().unwrap().ends_with("Relationship"))
        .filter(|e| {
            !e["relationshipType"].as_str().unwrap().starts_with("has")
                || e["relationshipType"] == "hasOptionalDependency"
        })
        .flat_map(|e| {
            let mut kind = e["relationshipType"].as_str().unwrap().to_string();
            if let Some(scope) = e["scope"].as_str() {
                kind = format!("{kind}/{scope}");
            }
            let from = names[e["from"].as_str().unwrap()].to_string();
            strs(&e["to"])
                .into_iter()
                .map(|to| (from.clone(), kind.clone(), names[to].to_string()))
                .collect::<Vec<_>>()
        })
        .collect()
}

#[test]
fn relationships_of_the_sample_are_exactly_its_graph() {
    let want: BTreeSet<(String, String, String)> = [
        ("app", "dependsOn", "@babel/core"),
        ("app", "dependsOn", "left-pad"),
        ("app", "dependsOn/development", "lodash"),
        ("app", "hasOptionalDependency", "fsevents"),
        ("@babel/core", "dependsOn", "debug"),
        ("debug", "dependsOn", "ms"),
        ("svc", "dependsOn", "requests"),
        ("svc", "dependsOn", "Foo_Bar"),
        ("svc", "dependsOn", "curated"),
        ("svc", "hasOptionalDependency", "legacy"),
        ("svc", "dependsOn/development", "pytest"),
        ("tool", "dependsOn", "serde"),
        ("tool", "dependsOn", "odd"),
        ("tool", "dependsOn/build", "cc"),
        ("serde", "dependsOn", "wasi"),
    ]
    .into_iter()
    .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
    .collect();
    let doc = doc(&sample());
    assert_eq!(edges(&doc), want);

    let sbom = of_type(&doc, "software_Sbom").next().unwrap();
    let roots: Vec<&str> = strs(&sbom["rootElement"]);
    let root_names: BTreeSet<&str> = of_type(&doc, "software_Package")
        .filter(|p| roots.contains(&p["spdxId"].as_str().unwrap()))
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(root_names, BTreeSet::from(["app", "svc", "tool"]));
}

#[test]
fn packages_and_licenses_carry_the_same_facts_as_2_3() {
    let doc = doc(&sample());
    let package = |name: &str| {
        of_type(&doc, "software_Package")
            .find(|p| p["name"] == name)
            .unwrap_or_else(|| panic!("no {name}"))
    };
    let babel = package("@babel/core");
    assert_eq!(babel["software_packageVersion"], "7.24.0");
    assert_eq!(babel["software_packageUrl"], "pkg:npm/%40babel/core@7.24.0");
    assert_eq!(
        babel["externalIdentifier"],
        serde_json::json!([{"type": "ExternalIdentifier", "externalIdentifierType": "packageUrl", "identifier": "pkg:npm/%40babel/core@7.24.0"}])
    );
    assert_eq!(babel["verifiedUsing"][1]["algorithm"], "sha512");
    assert_eq!(babel["software_primaryPurpose"], "library");
    assert_eq!(package("app")["software_primaryPurpose"], "application");

    // License relationships resolve to expression elements.
    let expressions: HashMap<&str, &Value> = of_type(&doc, "simplelicensing_LicenseExpression")
        .map(|e| (e["spdxId"].as_str().unwrap(), e))
        .collect();
    let license_of = |name: &str, rel: &str| -> Vec<String> {
        let id = package(name)["spdxId"].as_str().unwrap();
        graph(&doc)
            .iter()
            .filter(|e| e["relationshipType"] == rel && e["from"] == id)
            .flat_map(|e| strs(&e["to"]))
            .map(|to| {
                expressions[to]["simplelicensing_licenseExpression"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect()
    };
    assert_eq!(
        license_of("serde", "hasDeclaredLicense"),
        ["MIT OR Apache-2.0"]
    );
    assert_eq!(
        license_of("wasi", "hasDeclaredLicense"),
        ["Apache-2.0 WITH LLVM-exception OR Apache-2.0 OR MIT"]
    );
    assert_eq!(
        license_of("curated", "hasConcludedLicense"),
        ["BSD-3-Clause"]
    );
    assert!(license_of("pytest", "hasDeclaredLicense").is_empty());

    // A LicenseRef resolves to a text element holding the statement.
    let custom = expressions
        .values()
        .find(|e| e["simplelicensing_licenseExpression"] == "LicenseRef-Custom-Corp-License")
        .unwrap();
    let target = custom["simplelicensing_customIdToUri"][0]["value"]
        .as_str()
        .unwrap();
    let text = graph(&doc).iter().find(|e| e["spdxId"] == target).unwrap();
    assert_eq!(text["type"], "simplelicensing_SimpleLicensingText");
    assert_eq!(text["simplelicensing_licenseText"], "Custom Corp License");
}

#[test]
fn ids_match_the_2_3_document() {
    let v3 = doc(&sample());
    let v2: Value = serde_json::from_str(&render(Format::SpdxJson, &sample())).unwrap();
    let namespace = v2["documentNamespace"].as_str().unwrap();
    let v2_ids: BTreeSet<String> = v2["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| format!("{namespace}#{}", p["SPDXID"].as_str().unwrap()))
        .collect();
    let v3_ids: BTreeSet<String> = of_type(&v3, "software_Package")
        .map(|p| p["spdxId"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(v2_ids, v3_ids);
}

#[test]
fn output_is_byte_identical_across_runs_and_file_orders() {
    let first = render(Format::Spdx3Json, &sample());
    assert_eq!(first, render(Format::Spdx3Json, &sample()));
    assert_eq!(first, render(Format::Spdx3Json, &sample_reversed()));
}

#[test]
fn the_schema_check_is_not_vacuous() {
    let validator = schema();
    let mut broken = doc(&sample());
    let rel = graph(&broken)
        .iter()
        .position(|e| e["type"] == "Relationship")
        .unwrap();
    broken["@graph"][rel]["relationshipType"] = "dependsOnSomething".into();
    assert!(!validator.is_valid(&broken));
    let mut no_creator = doc(&sample());
    no_creator["@graph"][0]["createdBy"] = serde_json::json!([]);
    assert!(!validator.is_valid(&no_creator));
}
