//! Suppliers and upkeep facts (what `--enrich` fills) through the real binary: a scan's
//! bomscout JSON with `health` and `supplier` set by hand, converted into every SBOM format
//! (each checked against its official schema), `--strict-ntia`, and `check` with a
//! `[health]` table on a tree nothing was fetched for.

mod common;

use common::*;
use serde_json::{json, Value};
use std::path::Path;

const API: &str = "https://api.example.invalid/v3/projects/github.com%2Fsindresorhus%2Fis";

/// `scan fixtures/npm/installed -o json`, then every component gets a supplier (when
/// `all_suppliers`, else only the first) and the first one upkeep facts.
fn enriched_json(dir: &Path, all_suppliers: bool) -> std::path::PathBuf {
    let (code, mut doc, stderr) = scan_json(&fixture("npm/installed"), &[]);
    assert_eq!(code, 0, "{stderr}");
    let components = doc["components"].as_array_mut().unwrap();
    assert!(components.len() > 2);
    for (i, c) in components.iter_mut().enumerate() {
        if i == 0 || all_suppliers {
            let props = c
                .as_object_mut()
                .unwrap()
                .entry("properties")
                .or_insert_with(|| json!({}));
            props["supplier"] = json!(if i == 0 {
                "Sindre Sorhus <sindre@example.org>"
            } else {
                "Some Org"
            });
            props["supplier-source"] = json!(API);
        }
        if i == 0 {
            c["health"] = json!({
                "repository": "https://github.com/sindresorhus/is",
                "scorecard": {
                    "score": 3.2,
                    "date": "2026-11-30",
                    "failing": [
                        {"name": "Maintained", "score": 0, "reason": "0 commit(s) out of 30"},
                        {"name": "Code-Review", "score": 2}
                    ]
                },
                "archived": false,
                "latest_version": "7.0.1",
                "latest_release": "2024-03-01",
                "sources": [API]
            });
        }
    }
    let path = dir.join("enriched.json");
    std::fs::write(&path, serde_json::to_vec_pretty(&doc).unwrap()).unwrap();
    path
}

fn convert(input: &Path, format: &str, extra: &[&str]) -> (i32, String, String) {
    outcome(
        bomscout()
            .arg("convert")
            .arg(input)
            .args(["-o", &format!("{format}=-")])
            .args(extra),
    )
}

fn validate(doc: &Value, rel: &str) {
    let found = errors(&schema(rel), doc);
    assert!(found.is_empty(), "{rel}: {found:#?}");
}

#[test]
fn cyclonedx_from_an_enriched_sbom_has_supplier_vcs_and_scorecard_and_validates() {
    let tmp = tempfile::tempdir().unwrap();
    let input = enriched_json(tmp.path(), false);
    for v in ["1.4", "1.5", "1.6", "1.7"] {
        let (code, out, err) = convert(&input, "cyclonedx-json", &["--cyclonedx-version", v]);
        assert_eq!(code, 0, "{err}");
        let doc: Value = serde_json::from_str(&out).unwrap();
        validate(&doc, &format!("cyclonedx/bom-{v}.SNAPSHOT.schema.json"));
        let is = doc["components"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == "is")
            .unwrap();
        assert_eq!(is["supplier"]["name"], "Sindre Sorhus");
        assert_eq!(
            is["externalReferences"],
            json!([{"type": "vcs", "url": "https://github.com/sindresorhus/is"}])
        );
        let prop = |n: &str| {
            is["properties"]
                .as_array()
                .unwrap()
                .iter()
                .find(|p| p["name"] == n)
                .map(|p| p["value"].clone())
        };
        assert_eq!(prop("bomscout:scorecard"), Some(json!("3.2")));
        assert_eq!(
            prop("bomscout:scorecard-failing"),
            Some(json!("Maintained=0,Code-Review=2"))
        );
        assert_eq!(prop("bomscout:latest-release"), Some(json!("2024-03-01")));
        assert_eq!(prop("bomscout:archived"), Some(json!("false")));
    }
}

#[test]
fn spdx_from_an_enriched_sbom_names_the_supplier_and_validates() {
    let tmp = tempfile::tempdir().unwrap();
    let input = enriched_json(tmp.path(), false);
    let (code, out, err) = convert(&input, "spdx-json", &[]);
    assert_eq!(code, 0, "{err}");
    let doc: Value = serde_json::from_str(&out).unwrap();
    validate(&doc, "spdx/spdx-schema-2.3.json");
    let suppliers: Vec<&str> = doc["packages"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["supplier"].as_str())
        .filter(|s| *s != "NOASSERTION")
        .collect();
    assert_eq!(suppliers, ["Person: Sindre Sorhus (sindre@example.org)"]);
    let (code, tv, err) = convert(&input, "spdx-tag-value", &[]);
    assert_eq!(code, 0, "{err}");
    assert!(tv.contains("PackageSupplier: Person: Sindre Sorhus (sindre@example.org)\n"));
    let (code, v3, err) = convert(&input, "spdx3-json", &[]);
    assert_eq!(code, 0, "{err}");
    let v3: Value = serde_json::from_str(&v3).unwrap();
    let person = v3["@graph"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["type"] == "Person")
        .unwrap();
    assert_eq!(person["name"], "Sindre Sorhus");
}

#[test]
fn bomscout_json_keeps_health_through_convert() {
    let tmp = tempfile::tempdir().unwrap();
    let input = enriched_json(tmp.path(), false);
    let (code, out, err) = convert(&input, "json", &[]);
    assert_eq!(code, 0, "{err}");
    let doc: Value = serde_json::from_str(&out).unwrap();
    let is = doc["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "is")
        .unwrap();
    assert_eq!(
        is["health"]["scorecard"]["failing"][1]["name"],
        "Code-Review"
    );
    assert_eq!(is["health"]["sources"][0], API);
    let (code, table, err) = convert(&input, "table", &[]);
    assert_eq!(code, 0, "{err}");
    assert!(
        table.lines().next().unwrap().contains("SCORECARD"),
        "{table}"
    );
}

#[test]
fn strict_ntia_has_no_supplier_gap_once_every_component_has_a_supplier() {
    let tmp = tempfile::tempdir().unwrap();
    let some = enriched_json(tmp.path(), false);
    let (code, _, err) = convert(&some, "json", &["--strict-ntia"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("NTIA minimum element \"Supplier Name\" missing"),
        "{err}"
    );
    let all = tmp.path().join("all.json");
    std::fs::rename(enriched_json(tmp.path(), true), &all).unwrap();
    let (code, _, err) = convert(&all, "json", &["--strict-ntia"]);
    assert!(!err.contains("Supplier Name"), "{err}");
    assert_eq!(code, 0, "{err}");
}

#[test]
fn check_with_a_health_table_on_a_tree_nothing_was_fetched_for_says_so() {
    let tmp = tempfile::tempdir().unwrap();
    let policy = tmp.path().join("policy.toml");
    std::fs::write(
        &policy,
        "[policy]\nextends = [\"builtin:stage1\"]\n[health]\nmin-scorecard = 5.0\naction = \"deny\"\n",
    )
    .unwrap();
    let run = |format: &str| {
        outcome(
            bomscout()
                .args(["check", "--no-caches", "--date", "2026-11-25", "--policy"])
                .arg(&policy)
                .arg(fixture("npm/installed"))
                .args(["-o", format]),
        )
    };
    let (code, out, err) = run("table");
    assert_eq!(code, 0, "unknown upkeep is not failed: {out}{err}");
    assert!(
        out.contains("; health: 0 finding(s), 0 denied, 0 to review, 0 ignored, 0 not gating, upkeep unknown for 7 component(s) (run with --enrich)"),
        "{out}"
    );
    assert!(
        out.contains("note: health unknown for 7 component(s)"),
        "{out}"
    );
    let (code, md, _) = run("markdown");
    assert_eq!(code, 0);
    assert!(
        md.contains("## bomscout license and health check: ✅ passed"),
        "{md}"
    );
    assert!(md.contains("Upkeep unknown for 7 component(s)"), "{md}");
    let (_, sarif, _) = run("sarif");
    let sarif: Value = serde_json::from_str(&sarif).unwrap();
    let notes = &sarif["runs"][0]["invocations"][0]["toolConfigurationNotifications"];
    assert!(
        notes
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["message"]["text"]
                .as_str()
                .unwrap()
                .starts_with("health unknown for 7 component(s)")),
        "{notes}"
    );
}

#[test]
fn a_bad_health_or_enrich_table_is_a_usage_error_naming_file_and_line() {
    let tmp = tempfile::tempdir().unwrap();
    let policy = tmp.path().join("policy.toml");
    std::fs::write(
        &policy,
        "[licenses]\nallow = [\"MIT\"]\n[health]\nmin-scorecard = 50\n[enrich]\nconcurency = 4\n",
    )
    .unwrap();
    let (code, _, err) = outcome(
        bomscout()
            .args(["check", "--no-caches", "--policy"])
            .arg(&policy)
            .arg(fixture("npm/installed")),
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("unknown field `concurency`"), "{err}");
    assert!(err.contains("did you mean `concurrency`?"), "{err}");
    assert!(err.contains("policy.toml:6:1"), "{err}");
}

#[test]
fn policy_init_has_the_enrich_and_health_tables_commented_out() {
    let (code, text, err) = outcome(bomscout().args(["policy", "init", "-"]));
    assert_eq!(code, 0, "{err}");
    assert!(text.contains("\n#[enrich]\n"), "{text}");
    assert!(text.contains("\n#[health]\n#"), "{text}");
    assert!(text.contains("#min-scorecard = 5.0"));
    assert!(text.contains("#deny-unmaintained-days = 730"));
}
