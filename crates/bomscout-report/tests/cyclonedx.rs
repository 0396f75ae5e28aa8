//! CycloneDX output against the official JSON schemas 1.4–1.7, plus the checks a schema
//! cannot make: unique refs, no dangling dependency, dev marked `excluded`, determinism.

mod sboms;

use bomscout_report::{write, Format, Settings, SpecVersion};
use sboms::Vendored;
use serde_json::Value;
use std::collections::HashSet;

const VERSIONS: [(SpecVersion, &str); 4] = [
    (SpecVersion::V1_4, "bom-1.4.SNAPSHOT.schema.json"),
    (SpecVersion::V1_5, "bom-1.5.SNAPSHOT.schema.json"),
    (SpecVersion::V1_6, "bom-1.6.SNAPSHOT.schema.json"),
    (SpecVersion::V1_7, "bom-1.7.SNAPSHOT.schema.json"),
];

fn validator(file: &str) -> jsonschema::Validator {
    jsonschema::options()
        .with_retriever(Vendored)
        .build(&sboms::load_schema(&format!("cyclonedx/{file}")))
        .unwrap()
}

fn render(sbom: &bomscout_core::Sbom, v: SpecVersion) -> Value {
    let mut settings: Settings = sboms::settings();
    settings.cyclonedx_version = v;
    let mut out = Vec::new();
    write(Format::CycloneDxJson, sbom, &settings, &mut out).unwrap();
    serde_json::from_slice(&out).unwrap()
}

#[test]
fn every_version_validates_against_its_official_schema() {
    for (v, file) in VERSIONS {
        let validator = validator(file);
        for (name, sbom) in sboms::all() {
            let doc = render(&sbom, v);
            let errors: Vec<String> = validator
                .iter_errors(&doc)
                .map(|e| format!("{e} at {}", e.instance_path()))
                .collect();
            assert!(
                errors.is_empty(),
                "{name} as CycloneDX {}: {errors:#?}",
                v.as_str()
            );
            assert_eq!(doc["specVersion"], v.as_str());
        }
    }
}

#[test]
fn an_invalid_document_is_rejected_so_the_check_is_real() {
    let mut doc = render(&sboms::sample(), SpecVersion::V1_6);
    doc["components"][0]["scope"] = Value::from("sometimes");
    assert!(!validator(VERSIONS[2].1).is_valid(&doc));
}

#[test]
fn refs_are_unique_and_every_dependency_ref_exists() {
    for (name, sbom) in sboms::all() {
        let doc = render(&sbom, SpecVersion::V1_6);
        let mut refs = HashSet::new();
        refs.insert(
            doc["metadata"]["component"]["bom-ref"]
                .as_str()
                .unwrap()
                .to_string(),
        );
        for c in doc["components"].as_array().unwrap() {
            assert!(
                refs.insert(c["bom-ref"].as_str().unwrap().to_string()),
                "{name}: duplicate {}",
                c["bom-ref"]
            );
        }
        for d in doc["dependencies"].as_array().unwrap() {
            assert!(
                refs.contains(d["ref"].as_str().unwrap()),
                "{name}: {}",
                d["ref"]
            );
            for to in d["dependsOn"].as_array().unwrap() {
                assert!(refs.contains(to.as_str().unwrap()), "{name}: dangling {to}");
            }
        }
        let unresolved = sbom.components.iter().filter(|c| !c.is_resolved()).count();
        assert_eq!(
            doc["dependencies"].as_array().unwrap().len(),
            refs.len() - unresolved,
            "{name}: one entry per ref, none for unresolved components (their dependencies are unknown)"
        );
    }
}

#[test]
fn dev_components_are_excluded_and_marked_never_dropped() {
    let sbom = sboms::sample();
    let doc = render(&sbom, SpecVersion::V1_6);
    let dev: Vec<&bomscout_core::Component> = sbom
        .components
        .iter()
        .filter(|c| c.scope == bomscout_core::Scope::Dev)
        .collect();
    assert!(!dev.is_empty(), "the sample has dev components");
    for c in dev {
        let cdx = doc["components"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["bom-ref"] == c.key().as_str())
            .unwrap();
        assert_eq!(cdx["scope"], "excluded");
        let props = cdx["properties"].as_array().unwrap();
        assert!(props
            .iter()
            .any(|p| p["name"] == "bomscout:scope" && p["value"] == "dev"));
    }
}

#[test]
fn output_is_deterministic_and_independent_of_input_order() {
    let a = render(&sboms::sample(), SpecVersion::V1_6);
    let b = render(&sboms::sample(), SpecVersion::V1_6);
    assert_eq!(a, b);
    let reversed = render(&sboms::sample_reversed(), SpecVersion::V1_6);
    assert_eq!(a["serialNumber"], reversed["serialNumber"]);
    assert_eq!(a["components"], reversed["components"]);
}

#[test]
fn licenses_take_the_shape_the_schema_allows() {
    let doc = render(&sboms::sample(), SpecVersion::V1_6);
    for c in doc["components"].as_array().unwrap() {
        if let Some(ls) = c["licenses"].as_array() {
            let expressions = ls.iter().filter(|l| l.get("expression").is_some()).count();
            assert!(
                expressions == 0 || ls.len() == 1,
                "an expression stands alone: {ls:?}"
            );
            for l in ls {
                if let Some(id) = l["license"]["id"].as_str() {
                    assert!(spdx::license_id(id).is_some(), "id is an SPDX id: {id}");
                }
            }
        }
    }
}

#[test]
fn older_versions_leave_out_fields_they_lack() {
    let doc = render(&sboms::sample(), SpecVersion::V1_4);
    let text = doc.to_string();
    assert!(!text.contains("acknowledgement"), "1.6 field");
    assert!(!text.contains("occurrences"), "1.5 field");
    assert!(
        doc["metadata"]["tools"].is_array(),
        "1.4 tools are an array"
    );
}

#[test]
fn xml_drops_characters_xml_cannot_carry_and_escapes_the_rest() {
    let mut settings = sboms::settings();
    settings.cyclonedx_version = SpecVersion::V1_6;
    let mut out = Vec::new();
    write(Format::CycloneDxXml, &sboms::hostile(), &settings, &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(!text
        .chars()
        .any(|c| c < ' ' && !matches!(c, '\t' | '\n' | '\r')));
    assert!(!text.contains("<script"), "markup in names is escaped");
}
