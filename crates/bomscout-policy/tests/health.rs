//! The `[enrich]` and `[health]` tables, the health findings and how every report of the
//! gate carries them, on SBOMs built with the real builder and upkeep facts set by hand.

use bomscout_core::{
    Catalog, Component, DepKind, Ecosystem, Health, License, Location, Project, Sbom, SbomBuilder,
    Scorecard, ScorecardCheck,
};
use bomscout_policy::report::{write, CheckFormat};
use bomscout_policy::{
    evaluate, Action, Date, Evaluation, HealthRule, HealthStatus, Outcome, Policy,
};

const TODAY: &str = "2026-11-25";

const LICENSES: &str = "[licenses]\nallow = [\"category:permissive\"]\nunknown = \"deny\"\n";

fn today() -> Date {
    Date::parse(TODAY).unwrap()
}

fn policy(extra: &str) -> Policy {
    Policy::from_text("policy.toml", &format!("{LICENSES}\n{extra}")).unwrap()
}

fn error(text: &str) -> String {
    Policy::from_text("policy.toml", text)
        .unwrap_err()
        .to_string()
}

fn scorecard(score: f32, failing: &[(&str, i8)]) -> Scorecard {
    Scorecard {
        score,
        date: Some("2026-11-30".into()),
        failing: failing
            .iter()
            .map(|(n, s)| ScorecardCheck {
                name: n.to_string(),
                score: *s,
                reason: String::new(),
            })
            .collect(),
    }
}

fn health(score: Option<f32>, archived: Option<bool>, latest: Option<&str>) -> Health {
    Health {
        repository: Some("https://github.com/o/r".into()),
        scorecard: score.map(|s| scorecard(s, &[("Maintained", 0), ("Code-Review", 2)])),
        archived,
        latest_version: latest.map(|_| "1.3.0".into()),
        latest_release: latest.map(str::to_string),
        published: None,
        sources: vec!["https://api.example.invalid/v3/projects/github.com%2Fo%2Fr".into()],
    }
}

/// npm packages `(name, health, dev?)`, MIT, found at `package-lock.json:12`.
fn sbom(packages: Vec<(&str, Option<Health>, bool)>) -> Sbom {
    let mut cat = Catalog::default();
    let mut app = Project::new(Ecosystem::Npm, "package-lock.json");
    for (name, h, dev) in packages {
        let mut c = Component::new(Ecosystem::Npm, None, name, "1.0.0")
            .unwrap()
            .at(Location::at_line("package-lock.json", 12));
        let mut lic = License::declared("MIT", "package-lock.json", "license");
        lic.expression = Some("MIT".into());
        c.add_license(lic);
        c.health = h.map(Box::new);
        let node = cat.add_package(c);
        app.add_dep(node, if dev { DepKind::Dev } else { DepKind::Normal });
    }
    cat.add_project(app);
    let mut b = SbomBuilder::new("t");
    b.add(cat);
    b.finish()
}

fn render(format: CheckFormat, eval: &Evaluation) -> String {
    let mut out = Vec::new();
    write(format, eval, Action::Deny, "0.1.0", &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

const HEALTH: &str = "[health]\nmin-scorecard = 5.0\ndeny-archived = true\ndeny-unmaintained-days = 730\naction = \"deny\"\n";

#[test]
fn enrich_table_is_read_layered_and_defaults_when_absent() {
    let none = policy("");
    assert!(!none.enrich.declared && !none.enrich.enrich);
    assert_eq!(
        (
            none.enrich.timeout_secs,
            none.enrich.ttl_days,
            none.enrich.concurrency
        ),
        (60, 7, 8)
    );
    let p = policy("[enrich]\nenrich = true\ntimeout = 30\nttl-days = 1\nsources = [\"npm\", \"depsdev\"]\nconcurrency = 4\n");
    assert!(p.enrich.declared && p.enrich.enrich);
    assert_eq!(
        (
            p.enrich.timeout_secs,
            p.enrich.ttl_days,
            p.enrich.concurrency
        ),
        (30, 1, 4)
    );
    assert_eq!(p.enrich.sources, ["npm", "depsdev"]);
    assert_eq!(p.enrich.sources_at.as_deref(), Some("policy.toml:9"));

    let dir = std::env::temp_dir().join(format!("bomscout-enrich-layer-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("base.toml"),
        "[enrich]\nenrich = true\ntimeout = 20\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("top.toml"),
        "[policy]\nextends = [\"base.toml\"]\n[enrich]\nconcurrency = 2\n",
    )
    .unwrap();
    let layered = Policy::load(dir.join("top.toml").to_str().unwrap()).unwrap();
    assert!(layered.enrich.enrich, "kept from the base");
    assert_eq!(
        (layered.enrich.timeout_secs, layered.enrich.concurrency),
        (20, 2)
    );
}

#[test]
fn unknown_source_names_are_named_with_the_policy_file_and_line() {
    let p = policy("[enrich]\nsources = [\"npm\", \"depsdv\"]\n");
    let known = ["npm", "pypi", "depsdev", "clearlydefined"];
    let err = p.enrich.check_sources(&known).unwrap_err();
    assert_eq!(
        err,
        "policy.toml:6: [enrich] sources names `depsdv`, which is no source (did you mean `depsdev`?); sources: npm, pypi, depsdev, clearlydefined"
    );
    assert!(policy("[enrich]\nsources = [\"npm\"]\n")
        .enrich
        .check_sources(&known)
        .is_ok());
    assert!(policy("").enrich.check_sources(&known).is_ok());
}

#[test]
fn enrich_and_health_problems_are_reported_with_their_lines() {
    let err = error("[enrich]\ntimeout = 0\nconcurrency = 1000\nsources = [\"NPM!\", \"npm\", \"npm\"]\nttl-days = -1\n[health]\nmin-scorecard = 11\naction = \"allow\"\ndeny-unmaintained-days = 0\nscopes = [\"runtime\"]\nignore = [{ package = \"left-pad\", reason = \"r\" }, { package = \"pkg:npm/x\", reason = \" \" }]\n");
    for needle in [
        "`timeout` is 0; it must be between 1 and 3600",
        "`concurrency` is 1000",
        "\"NPM!\" is not a source name",
        "source `npm` is listed twice",
        "`ttl-days` is -1",
        "`min-scorecard` is 11",
        "\"allow\" is not one of deny, review",
        "`deny-unmaintained-days` is 0",
        "`runtime` is not a scope",
        "`left-pad` is not a package URL",
        "an ignore needs a reason",
        "policy.toml:2:",
        "policy.toml:7:",
    ] {
        assert!(err.contains(needle), "missing {needle:?} in:\n{err}");
    }
}

#[test]
fn unknown_keys_in_the_new_tables_are_refused_with_file_and_line() {
    let err = error("[health]\nmin-scorecard = 5\nmin-score = 5\n");
    assert!(err.contains("unknown field `min-score`"), "{err}");
    assert!(err.contains("policy.toml:3:1"), "{err}");
    assert!(err.contains("did you mean `min-scorecard`?"), "{err}");
    let err = error("[enrich]\ntimeot = 5\n");
    assert!(
        err.contains("unknown field `timeot`") && err.contains("policy.toml:2:1"),
        "{err}"
    );
}

#[test]
fn the_starter_policy_tables_validate_when_uncommented() {
    let starter = bomscout_policy::STARTER;
    let start = starter.find("#[enrich]").expect("starter has [enrich]");
    let end = starter[start..]
        .find("\n# Shown next")
        .map(|e| start + e)
        .unwrap();
    assert!(starter[start..end].contains("#[health]"));
    let body: String = starter[start..end]
        .lines()
        .filter(|l| {
            !l.starts_with("##")
                && (l.starts_with("#[") || !l.starts_with("# ") || l.starts_with("#  "))
        })
        .map(|l| l.strip_prefix('#').unwrap_or(l))
        .collect::<Vec<_>>()
        .join("\n");
    let p = Policy::from_text("starter.toml", &body).unwrap_or_else(|e| panic!("{e}\n{body}"));
    assert!(p.enrich.enrich && p.health.declared);
    assert_eq!(p.health.min_scorecard, Some(5.0));
    assert_eq!(p.health.deny_unmaintained_days, Some(730));
    assert_eq!(p.health.action, Action::Review);
    assert_eq!(p.health.ignore.len(), 1);
}

#[test]
fn each_rule_gives_one_finding_with_its_numbers_and_source() {
    let s = sbom(vec![
        (
            "low",
            Some(health(Some(3.2), Some(false), Some("2026-01-01"))),
            false,
        ),
        (
            "old",
            Some(health(Some(8.0), None, Some("2019-03-01"))),
            false,
        ),
        ("gone", Some(health(None, Some(true), None)), false),
        (
            "fine",
            Some(health(Some(9.0), Some(false), Some("2026-11-01"))),
            false,
        ),
    ]);
    let eval = evaluate(&policy(HEALTH), &s, today());
    let got: Vec<(&str, HealthRule)> = eval
        .health
        .iter()
        .map(|f| (f.name.as_str(), f.rule))
        .collect();
    assert_eq!(
        got,
        [
            ("low", HealthRule::MinScorecard),
            ("gone", HealthRule::Archived),
            ("old", HealthRule::Unmaintained),
        ]
    );
    assert_eq!(
        eval.health[0].reason,
        "OpenSSF Scorecard 3.2 < 5.0 (failing: Maintained 0, Code-Review 2; scorecard of github.com/o/r, 2026-11-30, from https://api.example.invalid/v3/projects/github.com%2Fo%2Fr)"
    );
    assert!(
        eval.health[1]
            .reason
            .starts_with("repository archived (github.com/o/r"),
        "{}",
        eval.health[1].reason
    );
    // 2019-03-01 to 2026-11-25.
    assert!(
        eval.health[2]
            .reason
            .starts_with("latest release 2019-03-01 (1.3.0), 2826 days ago > 730"),
        "{}",
        eval.health[2].reason
    );
    assert!(eval
        .health
        .iter()
        .all(|f| f.verdict == Action::Deny && f.status == HealthStatus::Open));
    assert_eq!(
        eval.health[0]
            .location
            .as_ref()
            .map(|l| l.to_string())
            .as_deref(),
        Some("package-lock.json:12")
    );
    assert_eq!(eval.outcome(Action::Deny), Outcome::Fail);
    assert_eq!(eval.exit_code(Action::Deny), 1);
    assert_eq!(eval.health_unknown, 0);
}

#[test]
fn review_is_the_default_action_and_fails_only_at_fail_on_review() {
    let s = sbom(vec![("low", Some(health(Some(3.2), None, None)), false)]);
    let eval = evaluate(&policy("[health]\nmin-scorecard = 5\n"), &s, today());
    assert_eq!(eval.health[0].verdict, Action::Review);
    assert_eq!(eval.outcome(Action::Deny), Outcome::Pass);
    assert_eq!(eval.outcome(Action::Review), Outcome::Fail);
}

#[test]
fn without_a_health_table_upkeep_is_not_judged() {
    let s = sbom(vec![
        (
            "low",
            Some(health(Some(0.5), Some(true), Some("2001-01-01"))),
            false,
        ),
        ("x", None, false),
    ]);
    let eval = evaluate(&policy(""), &s, today());
    assert!(eval.health.is_empty() && eval.health_unknown == 0);
    assert_eq!(eval.outcome(Action::Review), Outcome::Pass);
    assert!(!render(CheckFormat::Human, &eval).contains("health"));
}

#[test]
fn components_with_no_upkeep_facts_are_counted_and_reported_never_passed_silently() {
    let s = sbom(vec![
        ("a", None, false),
        ("b", Some(Health::default()), false),
        ("c", Some(health(None, None, None)), false),
        ("devonly", None, true),
    ]);
    let p = Policy::from_text("policy.toml", "[licenses]\nallow = [\"MIT\"]\nscopes = [\"required\", \"dev\"]\n[health]\nmin-scorecard = 5\nscopes = [\"required\"]\n").unwrap();
    let eval = evaluate(&p, &s, today());
    assert_eq!(
        eval.health_unknown, 2,
        "a and b; dev is outside the health scopes"
    );
    assert!(eval.health.is_empty());
    assert_eq!(
        eval.outcome(Action::Review),
        Outcome::Pass,
        "unknown is not failed"
    );
    assert!(
        eval.notes
            .iter()
            .any(|n| n.starts_with("health unknown for 2 component(s)")
                && n.ends_with("run with --enrich")),
        "{:?}",
        eval.notes
    );
    assert!(
        eval.notes
            .iter()
            .any(|n| n.starts_with("min-scorecard: no OpenSSF Scorecard known for 1 component(s)")),
        "{:?}",
        eval.notes
    );
    let human = render(CheckFormat::Human, &eval);
    assert!(
        human.contains("upkeep unknown for 2 component(s) (run with --enrich)"),
        "{human}"
    );
    let md = render(CheckFormat::Markdown, &eval);
    assert!(md.contains("Upkeep unknown for 2 component(s)"), "{md}");
    let sarif = render(CheckFormat::Sarif, &eval);
    assert!(
        sarif.contains("health unknown for 2 component(s)"),
        "a configuration notification: {sarif}"
    );
}

#[test]
fn ignores_scopes_and_expiry() {
    let s = sbom(vec![
        ("low", Some(health(Some(1.0), None, None)), false),
        ("lowdev", Some(health(Some(1.0), None, None)), true),
        ("old", Some(health(Some(1.0), None, None)), false),
    ]);
    let p = policy(&format!(
        "{HEALTH}ignore = [{{ package = \"pkg:npm/low\", reason = \"fork planned\", expires = \"2027-01-01\" }}, {{ package = \"pkg:npm/old\", reason = \"r\", expires = \"2026-01-01\" }}, {{ package = \"pkg:npm/never\", reason = \"r\" }}]\n"
    ));
    let mut p = p;
    p.scopes.push(bomscout_core::Scope::Dev);
    let eval = evaluate(&p, &s, today());
    let status = |name: &str| {
        eval.health
            .iter()
            .find(|f| f.name == name)
            .map(|f| f.status)
    };
    assert_eq!(status("low"), Some(HealthStatus::Ignored));
    assert_eq!(status("lowdev"), Some(HealthStatus::NotGating));
    assert_eq!(
        status("old"),
        Some(HealthStatus::Open),
        "the ignore expired"
    );
    assert!(eval
        .health
        .iter()
        .find(|f| f.name == "low")
        .unwrap()
        .reason
        .contains("ignored by the policy until 2027-01-01: fork planned"));
    assert!(
        eval.notes.iter().any(
            |n| n == "health ignore of pkg:npm/old expired on 2026-01-01; it no longer applies"
        ),
        "{:?}",
        eval.notes
    );
    assert!(
        eval.notes
            .iter()
            .any(|n| n.starts_with("health ignore of pkg:npm/never matched no finding")),
        "{:?}",
        eval.notes
    );
    let failing: Vec<&str> = eval
        .health_violations(Action::Deny)
        .map(|f| f.name.as_str())
        .collect();
    assert_eq!(failing, ["old"]);
}

#[test]
fn sarif_has_one_rule_per_health_rule_and_one_result_per_component_and_validates() {
    let s = sbom(vec![
        (
            "low",
            Some(health(Some(3.2), Some(true), Some("2019-03-01"))),
            false,
        ),
        ("low2", Some(health(Some(2.0), None, None)), false),
    ]);
    let eval = evaluate(&policy(HEALTH), &s, today());
    let doc: serde_json::Value = serde_json::from_str(&render(CheckFormat::Sarif, &eval)).unwrap();
    let run = &doc["runs"][0];
    let rules: Vec<&str> = run["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["id"].as_str())
        .filter(|id| id.starts_with("health-"))
        .collect();
    assert_eq!(
        rules,
        [
            "health-min-scorecard",
            "health-archived",
            "health-unmaintained"
        ]
    );
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 4);
    for r in results {
        let index = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(run["tool"]["driver"]["rules"][index]["id"], r["ruleId"]);
        assert_eq!(r["level"], "error");
        assert_eq!(
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "package-lock.json"
        );
        assert_eq!(
            r["locations"][0]["physicalLocation"]["region"]["startLine"],
            12
        );
    }
    let schema_path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/schemas/sarif/sarif-schema-2.1.0.json");
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(schema_path).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator.iter_errors(&doc).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn markdown_github_human_and_json_carry_health_findings() {
    let s = sbom(vec![(
        "low|<b>",
        Some(health(Some(3.2), None, None)),
        false,
    )]);
    let eval = evaluate(&policy(HEALTH), &s, today());
    let md = render(CheckFormat::Markdown, &eval);
    assert!(
        md.contains("## bomscout license and health check: ❌ failed"),
        "{md}"
    );
    assert!(
        md.contains(
            "| low\\|\\<b\\> | 1.0.0 | min-scorecard | deny | OpenSSF Scorecard 3.2 \\< 5.0"
        ),
        "{md}"
    );
    let gh = render(CheckFormat::Github, &eval);
    assert!(
        gh.lines().any(|l| l.starts_with(
            "::error file=package-lock.json,line=12,title=health-min-scorecard%3A low|<b>::"
        )),
        "{gh}"
    );
    let human = render(CheckFormat::Human, &eval);
    assert!(
        human.contains("unhealthy: health-min-scorecard low|<b>@1.0.0  in package-lock.json:12"),
        "{human}"
    );
    assert!(
        human.contains("; health: 1 finding(s), 1 denied, 0 to review, 0 ignored, 0 not gating"),
        "{human}"
    );
    let json: serde_json::Value = serde_json::from_str(&render(CheckFormat::Json, &eval)).unwrap();
    assert_eq!(json["health"][0]["rule"], "min-scorecard");
    assert_eq!(json["health"][0]["verdict"], "deny");
    assert_eq!(json["outcome"], "FAIL");
}

#[test]
fn online_licenses_are_judged_below_local_evidence() {
    use bomscout_core::SourceKind;
    let mut cat = Catalog::default();
    let mut app = Project::new(Ecosystem::Npm, "package-lock.json");
    let mut c = Component::new(Ecosystem::Npm, None, "x", "1.0.0").unwrap();
    let mut remote = License::of_kind(
        "GPL-3.0-only",
        "https://api.example.invalid/v3/x",
        "deps.dev",
        SourceKind::DepsDev,
    );
    remote.expression = Some("GPL-3.0-only".into());
    c.add_license(remote);
    let node = cat.add_package(c);
    app.add_dep(node, DepKind::Normal);
    cat.add_project(app);
    let mut b = SbomBuilder::new("t");
    b.add(cat);
    let p = Policy::from_text(
        "p.toml",
        "[licenses]\nallow = [\"MIT\"]\ndeny = [\"GPL-3.0-only\"]\n",
    )
    .unwrap();
    let eval = evaluate(&p, &b.finish(), today());
    assert_eq!(
        eval.findings[0].verdict,
        Action::Deny,
        "a license found online is judged"
    );

    let mut cat = Catalog::default();
    let mut app = Project::new(Ecosystem::Npm, "package-lock.json");
    let mut c = Component::new(Ecosystem::Npm, None, "x", "1.0.0").unwrap();
    let mut remote = License::of_kind(
        "GPL-3.0-only",
        "https://api.example.invalid/v3/x",
        "deps.dev",
        SourceKind::DepsDev,
    );
    remote.expression = Some("GPL-3.0-only".into());
    c.add_license(remote);
    let mut local = License::declared("MIT", "package-lock.json", "license");
    local.expression = Some("MIT".into());
    c.add_license(local);
    let node = cat.add_package(c);
    app.add_dep(node, DepKind::Normal);
    cat.add_project(app);
    let mut b = SbomBuilder::new("t");
    b.add(cat);
    let eval = evaluate(&p, &b.finish(), today());
    assert_eq!(
        eval.findings[0].license, "MIT",
        "the declared license beats deps.dev"
    );
}

#[test]
fn a_baseline_health_finding_of_the_same_package_and_rule_is_not_new() {
    let p = policy(HEALTH);
    let old = evaluate(
        &p,
        &sbom(vec![("low", Some(health(Some(3.0), None, None)), false)]),
        today(),
    );
    let mut now = evaluate(
        &p,
        &sbom(vec![
            ("low", Some(health(Some(3.4), Some(true), None)), false),
            ("new", Some(health(Some(1.0), None, None)), false),
        ]),
        today(),
    );
    bomscout_policy::baseline::only_new(&mut now, &old);
    let left: Vec<(&str, HealthRule)> = now
        .health
        .iter()
        .map(|f| (f.name.as_str(), f.rule))
        .collect();
    assert_eq!(
        left,
        [
            ("new", HealthRule::MinScorecard),
            ("low", HealthRule::Archived)
        ]
    );
    assert!(now
        .notes
        .iter()
        .any(|n| n.starts_with("1 health finding(s) already in the baseline")));
}

#[test]
fn service_text_in_a_reason_cannot_forge_lines_or_markup() {
    let mut h = health(Some(1.0), Some(true), None);
    h.repository = Some(format!(
        "https://github.com/o/r\n::error::forged\u{1b}[2J<img src=x>{}",
        "x".repeat(5000)
    ));
    h.sources = vec!["https://api.example.invalid/\r\nerror: all good".into()];
    let s = sbom(vec![("low", Some(h), false)]);
    let eval = evaluate(&policy(HEALTH), &s, today());
    assert!(
        eval.health.iter().all(|f| f.reason.chars().count() < 700),
        "bounded"
    );
    let human = render(CheckFormat::Human, &eval);
    assert!(
        !human.chars().any(|c| c.is_control() && c != '\n'),
        "{human:?}"
    );
    assert!(
        !human
            .lines()
            .any(|l| l.starts_with("::") || l.starts_with("error:")),
        "{human}"
    );
    let gh = render(CheckFormat::Github, &eval);
    assert!(
        gh.lines()
            .all(|l| l.starts_with("::error ") || l.starts_with("::notice ")),
        "{gh}"
    );
    assert_eq!(
        gh.lines().filter(|l| l.starts_with("::error ")).count(),
        2,
        "{gh}"
    );
    let md = render(CheckFormat::Markdown, &eval);
    assert!(!md.contains('\u{1b}') && !md.contains('\r'), "{md:?}");
    for (i, c) in md.char_indices() {
        if c == '<' {
            assert_eq!(md[..i].chars().last(), Some('\\'), "unescaped < in {md}");
        }
    }
}
