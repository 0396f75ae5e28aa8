//! The policy semantics, one test per rule, on SBOMs built with the real builder.

use bomscout_core::{
    Catalog, Component, DepKind, Ecosystem, License, Location, Project, Sbom, SbomBuilder,
    SourceKind,
};
use bomscout_policy::report::{write, CheckFormat};
use bomscout_policy::{baseline, evaluate, Action, Date, Policy, Rule};
use test_case::test_case;

const TODAY: &str = "2026-11-25";

/// An SBOM of `(name, license expression or raw text, dev?)` npm packages.
fn sbom(packages: &[(&str, Option<&str>, bool)]) -> Sbom {
    let mut cat = Catalog::default();
    let mut app = Project::new(Ecosystem::Npm, "package-lock.json");
    for (name, license, dev) in packages {
        let mut c = Component::new(Ecosystem::Npm, None, name, "1.0.0")
            .unwrap()
            .at(Location::at_line("package-lock.json", 12));
        if let Some(l) = license {
            let mut lic = License::declared(l, "package-lock.json", "license");
            lic.expression = bomscout_license::normalize(l).expression.map(Into::into);
            c.add_license(lic);
        }
        let node = cat.add_package(c);
        app.add_dep(node, if *dev { DepKind::Dev } else { DepKind::Normal });
    }
    cat.add_project(app);
    let mut b = SbomBuilder::new("t");
    b.add(cat);
    b.finish()
}

fn policy(text: &str) -> Policy {
    Policy::from_text("policy.toml", text).unwrap()
}

fn verdict(p: &Policy, license: Option<&str>) -> (Action, Rule) {
    let eval = evaluate(
        p,
        &sbom(&[("x", license, false)]),
        Date::parse(TODAY).unwrap(),
    );
    (eval.findings[0].verdict, eval.findings[0].rule)
}

const BASE: &str = r#"
[licenses]
allow = ["category:permissive"]
review = ["category:weak-copyleft"]
deny = ["category:strong-copyleft", "category:network-copyleft"]
unknown = "deny"
unlisted = "review"
"#;

#[test_case(Some("MIT"), Action::Allow, Rule::Allowed ; "permissive allowed")]
#[test_case(Some("MIT OR GPL-3.0-only"), Action::Allow, Rule::Allowed ; "or passes if either passes")]
#[test_case(Some("GPL-3.0-only OR MIT"), Action::Allow, Rule::Allowed ; "or is symmetric")]
#[test_case(Some("MIT AND GPL-3.0-only"), Action::Deny, Rule::Denied ; "and needs both")]
#[test_case(Some("MIT AND MPL-2.0"), Action::Review, Rule::Review ; "and takes the worse")]
#[test_case(Some("(MIT OR GPL-3.0-only) AND MPL-2.0"), Action::Review, Rule::Review ; "nested")]
#[test_case(Some("AGPL-3.0-only"), Action::Deny, Rule::Denied ; "network copyleft")]
#[test_case(Some("GPL-2.0-only WITH Classpath-exception-2.0"), Action::Deny, Rule::Denied ; "with falls back to the base category")]
#[test_case(None, Action::Deny, Rule::Unknown ; "no license is unknown and denied")]
#[test_case(Some("see LICENSE.txt"), Action::Deny, Rule::Unknown ; "unparsed text is unknown")]
#[test_case(Some("SSPL-1.0"), Action::Review, Rule::Unlisted ; "unlisted category is reviewed")]
fn semantics(license: Option<&str>, action: Action, rule: Rule) {
    assert_eq!(verdict(&policy(BASE), license), (action, rule));
}

#[test]
fn an_exact_entry_beats_a_category_and_with_is_its_own_identifier() {
    let p = policy(&format!("{BASE}\n[guidance]\n\"category:strong-copyleft\" = \"ask\"\n").replace(
        "allow = [\"category:permissive\"]",
        "allow = [\"category:permissive\", \"GPL-2.0-only WITH Classpath-exception-2.0\", \"LGPL-3.0-only\"]",
    ));
    assert_eq!(
        verdict(&p, Some("GPL-2.0-only WITH Classpath-exception-2.0")).0,
        Action::Allow
    );
    assert_eq!(
        verdict(&p, Some("GPL-2.0-only")).0,
        Action::Deny,
        "the exception is part of the identifier"
    );
    assert_eq!(
        verdict(&p, Some("LGPL-3.0-only")).0,
        Action::Allow,
        "exact allow beats category review"
    );
}

#[test]
fn deny_beats_allow_at_equal_specificity_and_or_reports_the_choice() {
    let p = policy(&BASE.replace("deny = [", "deny = [\"MIT\", "));
    assert_eq!(verdict(&p, Some("MIT")).0, Action::Deny);
    let eval = evaluate(
        &policy(BASE),
        &sbom(&[("x", Some("MIT OR GPL-3.0-only"), false)]),
        Date::parse(TODAY).unwrap(),
    );
    assert!(
        eval.findings[0].reason.contains("chosen over"),
        "{}",
        eval.findings[0].reason
    );
}

#[test]
fn dev_components_are_skipped_unless_dev_is_a_checked_scope() {
    let s = sbom(&[("tool", Some("GPL-3.0-only"), true)]);
    let eval = evaluate(&policy(BASE), &s, Date::parse(TODAY).unwrap());
    assert!(eval.findings.is_empty());
    assert_eq!(eval.skipped, 1);
    let with_dev = policy(&format!("{BASE}scopes = [\"required\", \"dev\"]\n"));
    assert_eq!(
        evaluate(&with_dev, &s, Date::parse(TODAY).unwrap()).findings[0].verdict,
        Action::Deny
    );
}

#[test]
fn exceptions_match_by_purl_expire_and_are_reported_when_unused() {
    let text = format!(
        "{BASE}\n[[exception]]\npackage = \"pkg:npm/x@>=1.0,<2\"\nlicenses = [\"GPL-3.0-only\"]\nreason = \"approved, OSPO-42\"\nexpires = \"2027-06-30\"\n\n[[exception]]\npackage = \"pkg:npm/unused\"\nlicenses = [\"GPL-3.0-only\"]\nreason = \"old\"\n"
    );
    let p = policy(&text);
    let s = sbom(&[("x", Some("GPL-3.0-only"), false)]);
    let eval = evaluate(&p, &s, Date::parse(TODAY).unwrap());
    assert_eq!(
        (eval.findings[0].verdict, eval.findings[0].rule),
        (Action::Allow, Rule::Excepted)
    );
    assert_eq!(
        eval.findings[0].exception.as_deref(),
        Some("approved, OSPO-42")
    );
    assert!(
        eval.notes
            .iter()
            .any(|n| n.contains("pkg:npm/unused was never used")),
        "{:?}",
        eval.notes
    );
    let later = evaluate(&p, &s, Date::parse("2027-07-01").unwrap());
    assert_eq!(later.findings[0].verdict, Action::Deny, "expired");
    assert!(later
        .notes
        .iter()
        .any(|n| n.contains("expired on 2027-06-30")));
}

#[test]
fn an_exception_covers_only_the_licenses_it_names() {
    let text = format!("{BASE}\n[[exception]]\npackage = \"pkg:npm/x\"\nlicenses = [\"GPL-3.0-only\"]\nreason = \"r\"\n");
    let s = sbom(&[("x", Some("GPL-3.0-only AND AGPL-3.0-only"), false)]);
    assert_eq!(
        evaluate(&policy(&text), &s, Date::parse(TODAY).unwrap()).findings[0].verdict,
        Action::Deny
    );
}

#[test]
fn curations_replace_declared_licenses_and_idle_ones_are_reported() {
    let text = format!(
        "{BASE}\n[[curation]]\npackage = \"pkg:npm/x@1.0.0\"\nlicense = \"MIT\"\nreason = \"verified LICENSE file\"\n\n[[curation]]\npackage = \"pkg:npm/y\"\nlicense = \"MIT\"\nreason = \"same as declared\"\n\n[[curation]]\npackage = \"pkg:npm/nothing\"\nlicense = \"MIT\"\nreason = \"r\"\n"
    );
    let s = sbom(&[
        ("x", Some("GPL-3.0-only"), false),
        ("y", Some("MIT"), false),
    ]);
    let eval = evaluate(&policy(&text), &s, Date::parse(TODAY).unwrap());
    assert_eq!(eval.findings[0].verdict, Action::Allow);
    assert_eq!(eval.findings[0].license, "MIT");
    assert!(
        eval.notes
            .iter()
            .any(|n| n.contains("pkg:npm/y changes nothing")),
        "{:?}",
        eval.notes
    );
    assert!(eval
        .notes
        .iter()
        .any(|n| n.contains("pkg:npm/nothing matched no component")));
}

#[test]
fn a_curation_lapses_when_the_license_file_changed() {
    let hash = "ab".repeat(32);
    let text = format!(
        "{BASE}\n[[curation]]\npackage = \"pkg:npm/x\"\nlicense = \"MIT\"\nreason = \"verified\"\nlicense-file-sha256 = \"{hash}\"\n"
    );
    let p = policy(&text);
    let with_file = |sha: Option<&str>| {
        let mut s = sbom(&[("x", Some("GPL-3.0-only"), false)]);
        if let Some(sha) = sha {
            s.components[0]
                .properties
                .insert("license-file-sha256".into(), format!("LICENSE:{sha}"));
        }
        evaluate(&p, &s, Date::parse(TODAY).unwrap())
    };
    // The same file: the curation applies.
    let same = with_file(Some(&hash.to_uppercase()));
    assert_eq!(same.findings[0].license, "MIT");
    assert!(
        same.notes.iter().all(|n| !n.contains("lapsed")),
        "{:?}",
        same.notes
    );
    // Another file: it lapses, says so, and the declared license is judged.
    let changed = with_file(Some(&"cd".repeat(32)));
    assert_eq!(changed.findings[0].license, "GPL-3.0-only");
    assert_eq!(changed.findings[0].verdict, Action::Deny);
    assert!(
        changed.notes.iter().any(|n| n.contains("pkg:npm/x lapsed")),
        "{:?}",
        changed.notes
    );
    // No file on disk (a lockfile-only scan): applied, and the note says unverified.
    let none = with_file(None);
    assert_eq!(none.findings[0].license, "MIT");
    assert!(none.notes.iter().any(|n| n.contains("applied unverified")));
}

#[test]
fn guidance_is_attached_to_the_rule_that_fired() {
    let p = policy(&format!(
        "{BASE}\n[guidance]\n\"category:strong-copyleft\" = \"Ask the OSPO.\"\n"
    ));
    let eval = evaluate(
        &p,
        &sbom(&[("x", Some("GPL-3.0-only"), false)]),
        Date::parse(TODAY).unwrap(),
    );
    assert_eq!(eval.findings[0].guidance.as_deref(), Some("Ask the OSPO."));
}

#[test]
fn every_problem_in_a_policy_file_is_reported_with_line_column_and_caret() {
    let text = "[licenses]\nallow = [\"MIT\", \"Apache2\", \"category:nice\"]\ndeny = [\"MIT\"]\nunknown = \"maybe\"\n\n[[exception]]\npackage = \"left-pad\"\nlicenses = [\"MIT\"]\nreason = \"r\"\nexpires = \"30/06/2027\"\n";
    let err = Policy::from_text("policy.toml", text)
        .unwrap_err()
        .to_string();
    for needle in [
        "`Apache2` is not an SPDX license id",
        "unknown license category \"nice\"",
        "`MIT` is in both `allow` and `deny`",
        "`maybe` is not one of deny, review, allow",
        "`left-pad` is not a package URL",
        "`30/06/2027` is not a date",
        "policy.toml:2:",
        "^",
    ] {
        assert!(err.contains(needle), "missing {needle:?} in:\n{err}");
    }
}

#[test]
fn unknown_keys_are_rejected_with_the_expected_ones_named() {
    let err = Policy::from_text("p.toml", "[licenses]\nalow = [\"MIT\"]\n")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("unknown field `alow`") && err.contains("allow"),
        "{err}"
    );
    assert!(err.contains("p.toml:2:1"), "{err}");
}

#[test]
fn builtin_policies_and_the_starter_validate() {
    for (name, _) in bomscout_policy::BUILTIN {
        Policy::load(&format!("builtin:{name}")).unwrap();
    }
    let starter = Policy::from_text("starter.toml", bomscout_policy::STARTER).unwrap();
    assert_eq!(starter.name, "my-org");
    assert_eq!(
        Policy::load("builtin:strict").unwrap().unlisted,
        Action::Deny,
        "strict extends stage1"
    );
    assert!(Policy::load("builtin:nope").is_err());
}

#[test]
fn extends_cycles_are_an_error() {
    let dir = std::env::temp_dir().join(format!("bomscout-policy-cycle-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("a.toml"), "[policy]\nextends = [\"b.toml\"]\n").unwrap();
    std::fs::write(dir.join("b.toml"), "[policy]\nextends = [\"a.toml\"]\n").unwrap();
    let err = Policy::load(dir.join("a.toml").to_str().unwrap())
        .unwrap_err()
        .to_string();
    assert!(err.contains("loops"), "{err}");
}

#[test]
fn baseline_keeps_only_new_violations() {
    let p = policy(BASE);
    let today = Date::parse(TODAY).unwrap();
    let old = evaluate(&p, &sbom(&[("x", Some("GPL-3.0-only"), false)]), today);
    let now_sbom = sbom(&[
        ("x", Some("GPL-3.0-only"), false),
        ("y", Some("AGPL-3.0-only"), false),
    ]);
    let mut now = evaluate(&p, &now_sbom, today);
    baseline::only_new(&mut now, &old);
    let failing: Vec<&str> = now
        .violations(Action::Deny)
        .map(|f| f.name.as_str())
        .collect();
    assert_eq!(failing, ["y"]);
    let changes = baseline::changes(&now_sbom, &sbom(&[("x", Some("GPL-3.0-only"), false)]));
    assert_eq!(changes.added, ["pkg:npm/y"]);
}

#[test]
fn sarif_has_results_only_for_problems_and_validates() {
    let s = sbom(&[
        ("ok", Some("MIT"), false),
        ("bad", Some("GPL-3.0-only"), false),
        ("meh", Some("MPL-2.0"), false),
    ]);
    let eval = evaluate(&policy(BASE), &s, Date::parse(TODAY).unwrap());
    let mut out = Vec::new();
    write(CheckFormat::Sarif, &eval, Action::Deny, "0.1.0", &mut out).unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let results = doc["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 2, "no result for the allowed MIT package");
    assert_eq!(results[0]["level"], "error");
    let schema_path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/schemas/sarif/sarif-schema-2.1.0.json");
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(schema_path).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator.iter_errors(&doc).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn markdown_and_github_outputs_name_the_problem() {
    let s = sbom(&[("bad", Some("GPL-3.0-only"), false)]);
    let eval = evaluate(&policy(BASE), &s, Date::parse(TODAY).unwrap());
    let render = |f| {
        let mut out = Vec::new();
        write(f, &eval, Action::Deny, "0.1.0", &mut out).unwrap();
        String::from_utf8(out).unwrap()
    };
    let md = render(CheckFormat::Markdown);
    assert!(
        md.contains("❌ failed") && md.contains("| bad | 1.0.0 | GPL-3.0-only | deny |"),
        "{md}"
    );
    let gh = render(CheckFormat::Github);
    assert!(
        gh.starts_with(
            "::error file=package-lock.json,line=12,title=license-denied%3A bad::bad@1.0.0"
        ),
        "{gh}"
    );
    let human = render(CheckFormat::Human);
    assert!(
        human.contains("denied: GPL-3.0-only (1 package)") && human.contains("FAIL"),
        "{human}"
    );
}

#[test]
fn curation_provenance_is_kept() {
    let text = format!(
        "{BASE}\n[[curation]]\npackage = \"pkg:npm/x\"\nlicense = \"MIT\"\nreason = \"checked\"\n"
    );
    let eval = evaluate(
        &policy(&text),
        &sbom(&[("x", None, false)]),
        Date::parse(TODAY).unwrap(),
    );
    assert_eq!(eval.findings[0].verdict, Action::Allow);
    let _ = SourceKind::Curation;
}

#[test]
fn extends_cannot_read_files_outside_the_policy_directory() {
    let tmp = std::env::temp_dir().join(format!("bomscout-policy-outside-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    let secret = tmp.join("credentials");
    std::fs::write(&secret, "aws_access_key_id = AKIAEXAMPLEEXAMPLE\n").unwrap();
    let repo = tmp.join("repo");
    std::fs::create_dir_all(&repo).unwrap();
    for target in [secret.display().to_string(), "../credentials".to_string()] {
        let policy = repo.join("bomscout-policy.toml");
        std::fs::write(&policy, format!("[policy]\nextends = [{target:?}]\n")).unwrap();
        let err = Policy::load(policy.to_str().unwrap())
            .unwrap_err()
            .to_string();
        assert!(err.contains("outside the directory"), "{err}");
        assert!(
            !err.contains("AKIA"),
            "the file's content never shows: {err}"
        );
    }
    // Inside the directory, extends still works.
    std::fs::write(repo.join("base.toml"), "[licenses]\nallow = [\"MIT\"]\n").unwrap();
    let policy = repo.join("bomscout-policy.toml");
    std::fs::write(&policy, "[policy]\nextends = [\"base.toml\"]\n").unwrap();
    assert!(Policy::load(policy.to_str().unwrap()).is_ok());
    std::fs::remove_dir_all(&tmp).unwrap();
}
