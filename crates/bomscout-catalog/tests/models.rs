//! Models and datasets: the Hugging Face hub cache (`fixtures/ml/hub`, a real model card
//! and `config.json` from a PyPI package, a dataset card written by `huggingface_hub`),
//! GGUF and safetensors files written by the `gguf` and `safetensors` Python packages
//! (`fixtures/ml/files`; `fixtures/ml/README.md` says how), and hostile inputs.

#[path = "common/mod.rs"]
mod common;

use bomscout_catalog::{catalog_file, Options};
use bomscout_core::{Cataloger, ComponentKind, DepKind, Detected, NodeRef};
use common::{assert_fixture, catalog_in, find, purls, try_catalog_in};
use std::path::Path;

const MINILM: &str = "ml/hub/models--sentence-transformers--all-MiniLM-L6-v2/refs/main";
const MINILM_PURL: &str =
    "pkg:huggingface/sentence-transformers/all-MiniLM-L6-v2@c9745ed1d9f207416be6d2e6f8de32d1f16199bf";
const REVIEWS: &str = "ml/hub/datasets--bomscout-test--reviews/refs/main";

#[test]
fn snapshot_hub_model() {
    assert_fixture(Cataloger::HuggingfaceCache, MINILM);
}

#[test]
fn snapshot_hub_dataset() {
    assert_fixture(Cataloger::HuggingfaceCache, REVIEWS);
}

#[test]
fn snapshot_gguf() {
    assert_fixture(Cataloger::Gguf, "ml/files/tiny-llama.gguf");
}

#[test]
fn snapshot_safetensors() {
    assert_fixture(Cataloger::Safetensors, "ml/files/tiny.safetensors");
}

/// The real card of all-MiniLM-L6-v2: `license: apache-2.0`, 21 `datasets:` entries
/// (`grep -c '^- ' ` over the `datasets:` block of the card), `pipeline_tag:
/// sentence-similarity`, and config.json's `model_type: bert`, `architectures: [BertModel]`.
#[test]
fn the_minilm_card_gives_license_task_architecture_and_datasets() {
    let c = common::clean(Cataloger::HuggingfaceCache, MINILM);
    let model = &find(&c, MINILM_PURL).component;
    assert_eq!(model.kind, ComponentKind::MachineLearningModel);
    assert_eq!(model.namespace.as_deref(), Some("sentence-transformers"));
    assert_eq!(model.name, "all-MiniLM-L6-v2");
    assert_eq!(model.licenses.len(), 1);
    assert_eq!(model.licenses[0].raw, "Apache-2.0");
    assert_eq!(model.licenses[0].source.field, "license");
    let prop = |k: &str| model.properties.get(k).map(String::as_str);
    assert_eq!(prop("hf-license"), Some("apache-2.0"));
    assert_eq!(prop("hf-pipeline-tag"), Some("sentence-similarity"));
    assert_eq!(prop("hf-library"), Some("sentence-transformers"));
    assert_eq!(prop("hf-model-type"), Some("bert"));
    assert_eq!(prop("hf-architectures"), Some("BertModel"));
    assert_eq!(prop("hf-ref"), Some("main"));
    let datasets: Vec<_> = c
        .packages
        .iter()
        .filter(|p| p.component.kind == ComponentKind::Data)
        .collect();
    assert_eq!(datasets.len(), 21);
    let edges = &c.packages[0].deps;
    assert_eq!(edges.len(), 21);
    assert!(edges.iter().all(|e| e.kind == DepKind::Normal));
    assert!(purls(&c).contains(&"pkg:huggingface/datasets/embedding-data/QQP".to_string()));
    assert!(purls(&c).contains(&"pkg:huggingface/datasets/ms_marco".to_string()));
}

#[test]
fn the_dataset_card_is_a_non_commercial_data_component() {
    let c = common::clean(Cataloger::HuggingfaceCache, REVIEWS);
    assert_eq!(
        purls(&c),
        ["pkg:huggingface/datasets/bomscout-test/reviews@1c93cb96d5ed77930aeb61117937b7117706aca1"]
    );
    let d = &c.packages[0].component;
    assert_eq!(d.kind, ComponentKind::Data);
    assert_eq!(d.licenses[0].raw, "CC-BY-NC-4.0");
    assert_eq!(
        bomscout_license::expression_category("CC-BY-NC-4.0"),
        Some(bomscout_license::Category::NonCommercial)
    );
    assert_eq!(
        d.properties.get("hf-task-categories").map(String::as_str),
        Some("text-classification")
    );
}

#[test]
fn gguf_header_facts() {
    let c = common::clean(Cataloger::Gguf, "ml/files/tiny-llama.gguf");
    assert_eq!(purls(&c), ["pkg:generic/Tiny%20Llama%20Test@v0.1"]);
    let m = &c.packages[0].component;
    assert_eq!(m.kind, ComponentKind::MachineLearningModel);
    assert_eq!(m.licenses[0].raw, "Apache-2.0");
    assert_eq!(m.licenses[0].source.field, "general.license");
    assert_eq!(
        m.properties.get("model-architecture").map(String::as_str),
        Some("llama")
    );
}

#[test]
fn safetensors_metadata_and_a_file_without_any() {
    let c = common::clean(Cataloger::Safetensors, "ml/files/tiny.safetensors");
    assert_eq!(purls(&c), ["pkg:generic/tiny-test-model@1.0"]);
    assert_eq!(c.packages[0].component.licenses[0].raw, "CC-BY-NC-4.0");
    let c = common::clean(Cataloger::Safetensors, "ml/files/plain.safetensors");
    assert_eq!(purls(&c), ["pkg:generic/plain"]);
    assert!(c.packages[0].component.licenses.is_empty());
}

/// Weights are never read: a 4 GiB (sparse) GGUF file, far over the 256 MiB whole-file
/// limit, is cataloged from its header.
#[test]
fn a_huge_model_file_is_read_by_its_header_only() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.gguf");
    std::fs::copy(common::fixture_path("ml/files/tiny-llama.gguf"), &path).unwrap();
    let f = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
    f.set_len(4 << 30).unwrap();
    drop(f);
    let file = Detected {
        rel: "big.gguf".into(),
        abs: path,
        cataloger: Cataloger::Gguf,
        root: dir.path().to_path_buf(),
    };
    let c = catalog_file(&file, &bomscout_catalog::DISK, &Options::default());
    assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
    assert_eq!(purls(&c), ["pkg:generic/Tiny%20Llama%20Test@v0.1"]);
}

/// Copies the MiniLM cache repository into a temporary directory (symlinks resolved) so a
/// test can change it.
fn minilm_copy(dir: &Path) -> std::path::PathBuf {
    let repo = dir.join("models--sentence-transformers--all-MiniLM-L6-v2");
    let src = common::fixture_path("ml/hub/models--sentence-transformers--all-MiniLM-L6-v2");
    let rev = "c9745ed1d9f207416be6d2e6f8de32d1f16199bf";
    let snap = repo.join("snapshots").join(rev);
    std::fs::create_dir_all(&snap).unwrap();
    std::fs::create_dir_all(repo.join("refs")).unwrap();
    for f in ["README.md", "config.json"] {
        std::fs::copy(src.join("snapshots").join(rev).join(f), snap.join(f)).unwrap();
    }
    std::fs::write(repo.join("refs/main"), rev).unwrap();
    repo
}

#[test]
fn other_snapshots_are_other_versions() {
    let dir = tempfile::tempdir().unwrap();
    let repo = minilm_copy(dir.path());
    let old = repo.join("snapshots/1110a243fdf4706b3f48f1d95db1a4f5529b4d41");
    std::fs::create_dir_all(&old).unwrap();
    let rel = "models--sentence-transformers--all-MiniLM-L6-v2/refs/main";
    let c = catalog_in(dir.path(), Cataloger::HuggingfaceCache, rel);
    let models: Vec<_> = c
        .packages
        .iter()
        .filter(|p| p.component.kind == ComponentKind::MachineLearningModel)
        .map(|p| {
            (
                p.component.version.clone().unwrap(),
                p.component.properties.get("hf-ref").cloned(),
            )
        })
        .collect();
    assert_eq!(
        models,
        [
            ("1110a243fdf4706b3f48f1d95db1a4f5529b4d41".to_string(), None),
            (
                "c9745ed1d9f207416be6d2e6f8de32d1f16199bf".to_string(),
                Some("main".to_string())
            ),
        ]
    );
}

#[test]
fn refs_main_naming_a_missing_snapshot_is_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let repo = minilm_copy(dir.path());
    std::fs::write(
        repo.join("refs/main"),
        "0123456789abcdef0123456789abcdef01234567",
    )
    .unwrap();
    let rel = "models--sentence-transformers--all-MiniLM-L6-v2/refs/main";
    let c = catalog_in(dir.path(), Cataloger::HuggingfaceCache, rel);
    assert_eq!(c.diagnostics.len(), 1, "{:?}", c.diagnostics);
    assert!(c.diagnostics[0]
        .message
        .contains("no directory under snapshots/"));
    assert_eq!(c.diagnostics[0].path, rel);
    // The snapshot that is there is still listed, without the `main` mark.
    assert!(!c.packages[0].component.properties.contains_key("hf-ref"));
}

#[test]
fn refs_main_that_is_not_a_revision_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let repo = minilm_copy(dir.path());
    std::fs::write(repo.join("refs/main"), "../../etc/passwd").unwrap();
    let rel = "models--sentence-transformers--all-MiniLM-L6-v2/refs/main";
    let err = try_catalog_in(dir.path(), Cataloger::HuggingfaceCache, rel).unwrap_err();
    assert!(err.to_string().contains("not a revision"), "{err}");
}

#[test]
fn a_card_with_invalid_yaml_is_a_diagnostic_naming_the_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let repo = minilm_copy(dir.path());
    let readme = repo.join("snapshots/c9745ed1d9f207416be6d2e6f8de32d1f16199bf/README.md");
    std::fs::write(
        &readme,
        "---\nlicense: mit\ntags: [a, b\nlanguage: en\n---\n# x\n",
    )
    .unwrap();
    let rel = "models--sentence-transformers--all-MiniLM-L6-v2/refs/main";
    let c = catalog_in(dir.path(), Cataloger::HuggingfaceCache, rel);
    assert_eq!(c.diagnostics.len(), 1, "{:?}", c.diagnostics);
    let d = &c.diagnostics[0];
    assert!(d.path.ends_with("/README.md"), "{}", d.path);
    assert!(d.message.contains("invalid YAML"), "{}", d.message);
    assert!(matches!(d.line, Some(3..=5)), "{:?}", d.line);
    // The model is still there, without a license.
    assert_eq!(c.packages.len(), 1);
    assert!(c.packages[0].component.licenses.is_empty());
}

#[test]
fn a_card_with_license_other_uses_license_name_and_base_model_is_an_edge() {
    let dir = tempfile::tempdir().unwrap();
    let repo = minilm_copy(dir.path());
    let readme = repo.join("snapshots/c9745ed1d9f207416be6d2e6f8de32d1f16199bf/README.md");
    std::fs::write(
        &readme,
        "---\nlicense: other\nlicense_name: acme-model-license\nlicense_link: LICENSE\nbase_model:\n- meta-llama/Llama-3.1-8B\n---\n",
    )
    .unwrap();
    let rel = "models--sentence-transformers--all-MiniLM-L6-v2/refs/main";
    let c = catalog_in(dir.path(), Cataloger::HuggingfaceCache, rel);
    let model = &c.packages[0];
    assert_eq!(
        model.component.licenses[0].raw,
        "LicenseRef-acme-model-license"
    );
    assert_eq!(model.deps.len(), 1);
    let NodeRef::Package(i) = model.deps[0].to else {
        panic!("edge to a project")
    };
    let base = &c.packages[i].component;
    assert_eq!(
        base.purl.as_str(),
        "pkg:huggingface/meta-llama/Llama-3.1-8B"
    );
    assert_eq!(base.version, None);
    assert_eq!(base.kind, ComponentKind::MachineLearningModel);
}

#[test]
fn hostile_model_file_headers_are_errors() {
    let mut gguf = b"GGUF".to_vec();
    gguf.extend(3u32.to_le_bytes());
    gguf.extend(0u64.to_le_bytes());
    gguf.extend((1u64 << 63).to_le_bytes());
    let err = common::malformed::parse_bytes(Cataloger::Gguf, "x.gguf", &gguf).unwrap_err();
    assert!(err.to_string().contains("ends early"), "{err}");
    let mut st = u64::MAX.to_le_bytes().to_vec();
    st.extend(b"{}");
    let err =
        common::malformed::parse_bytes(Cataloger::Safetensors, "x.safetensors", &st).unwrap_err();
    assert!(err.to_string().contains("limit"), "{err}");
}

/// A clone of a Hub model repository: the real MiniLM card and config beside a
/// safetensors file, with the clone's `.git` (remote URL, `HEAD` through a ref). The model
/// file gives the repository's component, not a `pkg:generic` one.
#[test]
fn a_cloned_hub_repository_is_the_hub_model() {
    let dir = tempfile::tempdir().unwrap();
    let clone = dir.path().join("all-MiniLM-L6-v2");
    std::fs::create_dir_all(clone.join(".git/refs/heads")).unwrap();
    let snap = common::fixture_path(
        "ml/hub/models--sentence-transformers--all-MiniLM-L6-v2/snapshots/c9745ed1d9f207416be6d2e6f8de32d1f16199bf",
    );
    for f in ["README.md", "config.json"] {
        std::fs::copy(snap.join(f), clone.join(f)).unwrap();
    }
    std::fs::copy(
        common::fixture_path("ml/files/plain.safetensors"),
        clone.join("model.safetensors"),
    )
    .unwrap();
    std::fs::write(
        clone.join(".git/config"),
        "[core]\n\tbare = false\n[remote \"origin\"]\n\turl = https://huggingface.co/sentence-transformers/all-MiniLM-L6-v2\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n",
    )
    .unwrap();
    std::fs::write(clone.join(".git/HEAD"), "ref: refs/heads/main\n").unwrap();
    std::fs::write(
        clone.join(".git/refs/heads/main"),
        "C9745ED1D9F207416BE6D2E6F8DE32D1F16199BF\n",
    )
    .unwrap();
    let c = catalog_in(
        dir.path(),
        Cataloger::Safetensors,
        "all-MiniLM-L6-v2/model.safetensors",
    );
    assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
    let model = &find(&c, MINILM_PURL).component;
    assert_eq!(model.licenses[0].raw, "Apache-2.0");
    assert_eq!(
        model.properties.get("hf-model-type").map(String::as_str),
        Some("bert")
    );
    assert_eq!(c.packages.len(), 22, "the model and its 21 datasets");

    // Without `.git`: named after the directory, no version.
    std::fs::remove_dir_all(clone.join(".git")).unwrap();
    let c = catalog_in(
        dir.path(),
        Cataloger::Safetensors,
        "all-MiniLM-L6-v2/model.safetensors",
    );
    assert_eq!(
        c.packages[0].component.purl.as_str(),
        "pkg:huggingface/all-MiniLM-L6-v2"
    );

    // A README without front matter: the file is a model file of its own.
    std::fs::write(clone.join("README.md"), "# notes\n").unwrap();
    let c = catalog_in(
        dir.path(),
        Cataloger::Safetensors,
        "all-MiniLM-L6-v2/model.safetensors",
    );
    assert_eq!(purls(&c), ["pkg:generic/model"]);
}

/// A model file inside a hub cache snapshot (seen when the walk follows symlinks) gives
/// nothing: the cache's `refs/main` already gives the model.
#[test]
fn a_model_file_in_a_cache_snapshot_is_left_to_the_cache() {
    let dir = tempfile::tempdir().unwrap();
    let snap = dir
        .path()
        .join("models--a--b/snapshots/0123456789abcdef0123456789abcdef01234567");
    std::fs::create_dir_all(&snap).unwrap();
    std::fs::copy(
        common::fixture_path("ml/files/tiny-llama.gguf"),
        snap.join("m.gguf"),
    )
    .unwrap();
    let c = catalog_in(
        dir.path(),
        Cataloger::Gguf,
        "models--a--b/snapshots/0123456789abcdef0123456789abcdef01234567/m.gguf",
    );
    assert!(c.packages.is_empty());
}

/// A safetensors file is read up to the end of the header it announces, not to the
/// 100 MB cap: a 2 GiB (sparse) file with a small header is cataloged from a few hundred
/// bytes; one announcing a header over the cap is an error naming the limit.
#[test]
fn a_huge_safetensors_file_is_read_to_its_header_only() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.safetensors");
    std::fs::copy(common::fixture_path("ml/files/tiny.safetensors"), &path).unwrap();
    let f = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
    f.set_len(2 << 30).unwrap();
    drop(f);
    let head = bomscout_catalog::ml::read_model_head(
        &bomscout_catalog::DISK,
        Cataloger::Safetensors,
        &path,
        1 << 30,
    )
    .unwrap();
    let announced = u64::from_le_bytes(head[..8].try_into().unwrap());
    assert_eq!(head.len() as u64, 8 + announced);
    let file = Detected {
        rel: "big.safetensors".into(),
        abs: path.clone(),
        cataloger: Cataloger::Safetensors,
        root: dir.path().to_path_buf(),
    };
    let c = catalog_file(&file, &bomscout_catalog::DISK, &Options::default());
    assert_eq!(purls(&c), ["pkg:generic/tiny-test-model@1.0"]);
    std::fs::write(&path, u64::MAX.to_le_bytes()).unwrap();
    let c = catalog_file(&file, &bomscout_catalog::DISK, &Options::default());
    assert!(c.packages.is_empty());
    assert!(
        c.diagnostics[0].message.contains("over the format's limit"),
        "{:?}",
        c.diagnostics
    );
}
