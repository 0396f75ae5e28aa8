//! Models and datasets through the real binary: `fixtures/ml` (a Hugging Face hub cache
//! with a real model card, a dataset card, GGUF and safetensors files) scanned into
//! CycloneDX (component `type`, `modelCard` from 1.5 on, every version valid against its
//! schema) and SPDX (2.3, and 3.0.1 with `ai_AIPackage` / `dataset_DatasetPackage`), and
//! `check` with a policy that denies non-commercial licenses.

mod common;

use common::*;
use serde_json::Value;

const MINILM: &str =
    "pkg:huggingface/sentence-transformers/all-MiniLM-L6-v2@c9745ed1d9f207416be6d2e6f8de32d1f16199bf";
const REVIEWS: &str =
    "pkg:huggingface/datasets/bomscout-test/reviews@1c93cb96d5ed77930aeb61117937b7117706aca1";

fn scan(format: &str, extra: &[&str]) -> Value {
    let (code, out, err) = outcome(
        bomscout()
            .args(["scan", "--no-caches", "-q", "-o", &format!("{format}=-")])
            .args(extra)
            .arg(fixture("ml")),
    );
    assert_eq!(code, 0, "{err}");
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"))
}

/// Copies a directory, symlinks (the cache's snapshot files) copied as the files they name.
fn copy_resolved(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if std::fs::metadata(entry.path()).unwrap().is_dir() {
            copy_resolved(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

fn by_purl<'a>(components: &'a [Value], purl: &str) -> &'a Value {
    components
        .iter()
        .find(|c| c["purl"] == purl)
        .unwrap_or_else(|| panic!("{purl} missing"))
}

#[test]
fn cyclonedx_types_and_model_card_in_every_version_validate() {
    for v in ["1.4", "1.5", "1.6", "1.7"] {
        let doc = scan("cyclonedx-json", &["--cyclonedx-version", v]);
        let found = errors(
            &schema(&format!("cyclonedx/bom-{v}.SNAPSHOT.schema.json")),
            &doc,
        );
        assert!(found.is_empty(), "{v}: {found:#?}");
        let components = doc["components"].as_array().unwrap();
        let model = by_purl(components, MINILM);
        let dataset = by_purl(components, REVIEWS);
        let gguf = by_purl(components, "pkg:generic/Tiny%20Llama%20Test@v0.1");
        if v == "1.4" {
            assert_eq!(model["type"], "file");
            assert_eq!(dataset["type"], "file");
            assert!(model.get("modelCard").is_none());
            continue;
        }
        assert_eq!(model["type"], "machine-learning-model", "{v}");
        assert_eq!(dataset["type"], "data", "{v}");
        assert_eq!(gguf["type"], "machine-learning-model", "{v}");
        let params = &model["modelCard"]["modelParameters"];
        assert_eq!(params["task"], "sentence-similarity");
        assert_eq!(params["architectureFamily"], "bert");
        assert_eq!(params["modelArchitecture"], "BertModel");
        let refs: Vec<&str> = params["datasets"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["ref"].as_str().unwrap())
            .collect();
        assert_eq!(refs.len(), 21);
        // Every ref names a component of the document.
        for r in &refs {
            assert!(
                components.iter().any(|c| c["bom-ref"] == *r),
                "{r} is not a bom-ref"
            );
        }
        assert_eq!(
            gguf["modelCard"]["modelParameters"]["architectureFamily"],
            "llama"
        );
        // A library is still a library.
        assert!(components.iter().all(|c| c["type"] != "library"
            || !c["purl"]
                .as_str()
                .unwrap_or("")
                .starts_with("pkg:huggingface")));
    }
}

#[test]
fn spdx_3_has_ai_and_dataset_packages_and_validates() {
    let doc = scan("spdx3-json", &[]);
    let found = errors(&schema("spdx/spdx-json-schema-3.0.1.json"), &doc);
    assert!(found.is_empty(), "{found:#?}");
    let graph = doc["@graph"].as_array().unwrap();
    let of_purl = |purl: &str| {
        graph
            .iter()
            .find(|e| e["software_packageUrl"] == purl)
            .unwrap_or_else(|| panic!("{purl} missing"))
    };
    let model = of_purl(MINILM);
    assert_eq!(model["type"], "ai_AIPackage");
    assert_eq!(model["software_primaryPurpose"], "model");
    let dataset = of_purl(REVIEWS);
    assert_eq!(dataset["type"], "dataset_DatasetPackage");
    assert_eq!(dataset["software_primaryPurpose"], "data");
    assert_eq!(
        dataset["dataset_datasetType"],
        serde_json::json!(["noAssertion"])
    );
    let document = graph.iter().find(|e| e["type"] == "SpdxDocument").unwrap();
    let profiles = document["profileConformance"].as_array().unwrap();
    assert!(profiles.contains(&"ai".into()) && profiles.contains(&"dataset".into()));
}

#[test]
fn spdx_2_3_validates_with_models() {
    let doc = scan("spdx-json", &[]);
    let found = errors(&schema("spdx/spdx-schema-2.3.json"), &doc);
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn a_policy_denying_non_commercial_fails_a_tree_with_a_cc_by_nc_dataset() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("policy.toml");
    std::fs::write(
        &policy,
        "[licenses]\nallow = [\"category:permissive\"]\ndeny = [\"category:non-commercial\"]\nunknown = \"allow\"\nunlisted = \"allow\"\n",
    )
    .unwrap();
    let tree = dir.path().join("tree");
    copy_resolved(
        &fixture("ml/hub/datasets--bomscout-test--reviews"),
        &tree.join("datasets--bomscout-test--reviews"),
    );
    let (code, out, err) = outcome(
        bomscout()
            .args(["check", "--no-caches", "--policy"])
            .arg(&policy)
            .arg(&tree),
    );
    assert_eq!(code, 1, "{out}\n{err}");
    assert!(out.contains("CC-BY-NC-4.0"), "{out}");
    assert!(out.contains("bomscout-test/reviews"), "{out}");
    // The permissive model alone passes the same policy.
    let tree = dir.path().join("model");
    let name = "models--sentence-transformers--all-MiniLM-L6-v2";
    copy_resolved(&fixture(&format!("ml/hub/{name}")), &tree.join(name));
    let (code, out, err) = outcome(
        bomscout()
            .args(["check", "--no-caches", "--policy"])
            .arg(&policy)
            .arg(&tree),
    );
    assert_eq!(code, 0, "{out}\n{err}");
}

#[test]
fn a_policy_can_deny_restricted_model_licenses() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("policy.toml");
    std::fs::write(
        &policy,
        "[licenses]\nallow = [\"category:permissive\"]\ndeny = [\"category:restricted-model\", \"category:responsible-ai\"]\nunknown = \"allow\"\nunlisted = \"allow\"\n",
    )
    .unwrap();
    let tree = dir.path().join("tree");
    let name = "models--meta-llama--Llama-3.1-8B";
    let snap = tree
        .join(name)
        .join("snapshots/0123456789abcdef0123456789abcdef01234567");
    std::fs::create_dir_all(&snap).unwrap();
    std::fs::create_dir_all(tree.join(name).join("refs")).unwrap();
    std::fs::write(
        tree.join(name).join("refs/main"),
        "0123456789abcdef0123456789abcdef01234567",
    )
    .unwrap();
    std::fs::write(snap.join("README.md"), "---\nlicense: llama3.1\n---\n").unwrap();
    let (code, out, err) = outcome(
        bomscout()
            .args(["check", "--no-caches", "--policy"])
            .arg(&policy)
            .arg(&tree),
    );
    assert_eq!(code, 1, "{out}\n{err}");
    assert!(out.contains("LicenseRef-llama3.1"), "{out}");
}

/// `builtin:stage1` reviews a model under vendor terms (not allowed, not denied): the
/// guidance text names the category.
#[test]
fn stage1_reviews_a_llama_model_with_guidance() {
    let dir = tempfile::tempdir().unwrap();
    let tree = dir.path().join("tree");
    let name = "models--meta-llama--Llama-3.1-8B";
    let rev = "0123456789abcdef0123456789abcdef01234567";
    let snap = tree.join(name).join("snapshots").join(rev);
    std::fs::create_dir_all(&snap).unwrap();
    std::fs::create_dir_all(tree.join(name).join("refs")).unwrap();
    std::fs::write(tree.join(name).join("refs/main"), rev).unwrap();
    std::fs::write(snap.join("README.md"), "---\nlicense: llama3.1\n---\n").unwrap();
    let (code, out, err) = outcome(
        bomscout()
            .args(["check", "--no-caches", "--policy", "builtin:stage1"])
            .arg(&tree),
    );
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("acceptable-use policy"), "{out}");
}

/// CycloneDX XML carries the `modelCard` too (1.5+, none in 1.4), valid against the XSD
/// when python3's `xmlschema` is there (CI has it).
#[test]
fn cyclonedx_xml_has_the_model_card_and_validates() {
    let dir = tempfile::tempdir().unwrap();
    let have_validator = std::process::Command::new("python3")
        .args(["-c", "import xmlschema"])
        .status()
        .is_ok_and(|s| s.success());
    for v in ["1.4", "1.5", "1.6", "1.7"] {
        let xml = dir.path().join(format!("bom-{v}.xml"));
        let (code, _, err) = outcome(
            bomscout()
                .args(["scan", "--no-caches", "-q", "--cyclonedx-version", v, "-o"])
                .arg(format!("cyclonedx-xml={}", xml.display()))
                .arg(fixture("ml")),
        );
        assert_eq!(code, 0, "{err}");
        let text = std::fs::read_to_string(&xml).unwrap();
        if v == "1.4" {
            assert!(!text.contains("<modelCard>"));
            assert!(!text.contains("type=\"machine-learning-model\""));
        } else {
            assert!(text.contains("type=\"machine-learning-model\""), "{v}");
            assert!(text.contains("type=\"data\""), "{v}");
            let compact: String = text.split_whitespace().collect();
            assert!(
                compact.contains("<modelCard><modelParameters><task>sentence-similarity</task><architectureFamily>bert</architectureFamily><modelArchitecture>BertModel</modelArchitecture><datasets><ref>unresolved:pkg:huggingface/datasets/code_search_net@*</ref>"),
                "{v}"
            );
        }
        if !have_validator {
            continue;
        }
        let xsd = repo().join(format!("tests/schemas/cyclonedx/bom-{v}.SNAPSHOT.xsd"));
        let check = std::process::Command::new("python3")
            .args(["-c", "import sys, xmlschema; s = xmlschema.XMLSchema(sys.argv[1]); errs = list(s.iter_errors(sys.argv[2])); [print(e) for e in errs[:5]]; sys.exit(1 if errs else 0)"])
            .arg(&xsd)
            .arg(&xml)
            .output()
            .unwrap();
        assert!(
            check.status.success(),
            "CycloneDX {v} XML: {}",
            String::from_utf8_lossy(&check.stdout)
        );
    }
}

/// `convert` keeps what a model and a dataset are: from CycloneDX (1.6 `type`) and from
/// SPDX 3 (`ai_AIPackage`, `dataset_DatasetPackage`) back into bomscout JSON.
#[test]
fn convert_keeps_model_and_dataset_kinds() {
    let dir = tempfile::tempdir().unwrap();
    for format in ["cyclonedx-json", "cyclonedx-xml", "spdx3-json"] {
        let doc = dir.path().join(format!("bom.{format}"));
        scan_into(&fixture("ml"), format, &doc);
        let (code, out, err) = outcome(bomscout().arg("convert").arg(&doc).args(["-o", "json=-"]));
        assert_eq!(code, 0, "{format}: {err}");
        let json: Value = serde_json::from_str(&out).unwrap();
        let components = json["components"].as_array().unwrap();
        assert_eq!(
            by_purl(components, MINILM)["kind"],
            "machine-learning-model",
            "{format}"
        );
        assert_eq!(by_purl(components, REVIEWS)["kind"], "data", "{format}");
    }
}
