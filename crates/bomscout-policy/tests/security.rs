//! The security half of the gate: the `[security]` table, VEX, the baseline and every
//! report, on SBOMs built with the real builder and holding real advisories (ids, aliases,
//! vectors and fixed versions as their databases publish them).

use bomscout_core::vuln::{AdvisorySource, Rating, RatingMethod, Suppression};
use bomscout_core::{
    Advisory, Affected, Catalog, Component, DepKind, Ecosystem, License, Location, Project, Sbom,
    SbomBuilder, VulnSeverity, Vulnerability,
};
use bomscout_policy::report::{write, CheckFormat};
use bomscout_policy::vex::{Vex, VexError};
use bomscout_policy::{
    baseline, evaluate, Action, Date, Evaluation, Outcome, Policy, SecurityStatus,
};

const TODAY: &str = "2026-11-25";

const LICENSES: &str = r#"
[licenses]
allow = ["category:permissive"]
deny = ["category:strong-copyleft"]
unknown = "deny"
"#;

fn today() -> Date {
    Date::parse(TODAY).unwrap()
}

fn policy(extra: &str) -> Policy {
    Policy::from_text("policy.toml", &format!("{LICENSES}\n{extra}")).unwrap()
}

/// `(ecosystem, namespace, name, version, license, dev, lockfile, line)`.
type Pkg = (
    Ecosystem,
    Option<&'static str>,
    &'static str,
    &'static str,
    &'static str,
    bool,
    &'static str,
    u32,
);

const PACKAGES: &[Pkg] = &[
    (
        Ecosystem::Maven,
        Some("org.apache.logging.log4j"),
        "log4j-core",
        "2.14.1",
        "Apache-2.0",
        false,
        "pom.xml",
        40,
    ),
    (
        Ecosystem::Npm,
        None,
        "lodash",
        "4.17.20",
        "MIT",
        false,
        "package-lock.json",
        812,
    ),
    (
        Ecosystem::Npm,
        None,
        "minimist",
        "1.2.5",
        "MIT",
        true,
        "package-lock.json",
        1204,
    ),
    (
        Ecosystem::Npm,
        None,
        "semver",
        "5.7.1",
        "ISC",
        false,
        "package-lock.json",
        1530,
    ),
    (
        Ecosystem::Golang,
        Some("golang.org/x"),
        "net",
        "v0.0.0-20220722155237-a158d28d115b",
        "BSD-3-Clause",
        false,
        "go.mod",
        9,
    ),
];

/// The components of [`PACKAGES`] under one project per lockfile, with `license`
/// overriding lodash's license when given.
fn components(lodash_license: &str) -> Sbom {
    let mut b = SbomBuilder::new("app");
    for lockfile in ["pom.xml", "package-lock.json", "go.mod"] {
        let mut cat = Catalog::default();
        let eco = PACKAGES
            .iter()
            .find(|p| p.6 == lockfile)
            .map(|p| p.0)
            .unwrap();
        let mut project = Project::new(eco, lockfile);
        for (eco, ns, name, version, license, dev, file, line) in PACKAGES {
            if *file != lockfile {
                continue;
            }
            let mut c = Component::new(*eco, *ns, name, version)
                .unwrap()
                .at(Location::at_line(*file, *line));
            if *name == "lodash" {
                // Found twice: the SARIF result must still be one.
                c = c.at(Location::at_line("packages/web/package-lock.json", 77));
            }
            let text = if *name == "lodash" {
                lodash_license
            } else {
                license
            };
            let mut l = License::declared(text, file, "license");
            l.expression = bomscout_license::normalize(text).expression.map(Into::into);
            c.add_license(l);
            let node = cat.add_package(c);
            project.add_dep(node, if *dev { DepKind::Dev } else { DepKind::Normal });
        }
        cat.add_project(project);
        b.add(cat);
    }
    b.finish()
}

fn key_of(sbom: &Sbom, name: &str) -> String {
    sbom.components
        .iter()
        .find(|c| c.name == name)
        .map(|c| c.key())
        .unwrap()
}

#[allow(clippy::too_many_arguments)]
fn advisory(
    id: &str,
    aliases: &[&str],
    summary: &str,
    vector: Option<(&str, f64)>,
    severity: VulnSeverity,
    reference: &str,
) -> Advisory {
    Advisory {
        aliases: aliases.iter().map(|a| a.to_string()).collect(),
        summary: Some(summary.into()),
        ratings: vector
            .map(|(v, score)| Rating {
                method: RatingMethod::CvssV31,
                score: Some(score),
                vector: Some(v.into()),
                severity,
            })
            .into_iter()
            .collect(),
        references: vec![reference.into()],
        ..Advisory::new(
            id,
            severity,
            AdvisorySource {
                name: "OSV".into(),
                url: None,
            },
        )
    }
}

/// The SBOM with its known vulnerabilities, as the OSV matcher fills them.
fn scanned(lodash_license: &str) -> Sbom {
    let mut sbom = components(lodash_license);
    let affected = |sbom: &Sbom, name: &str, version: &str, fixed: &str| Affected {
        component: key_of(sbom, name),
        version: version.into(),
        fixed: Some(fixed.into()),
        suppressed: None,
    };
    sbom.vulnerabilities = vec![
        Vulnerability {
            advisory: advisory(
                "GHSA-35jh-r3h4-6jhm",
                &["CVE-2021-23337"],
                "Command Injection in lodash",
                Some(("CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H", 7.2)),
                VulnSeverity::High,
                "https://github.com/advisories/GHSA-35jh-r3h4-6jhm",
            ),
            affects: vec![affected(&sbom, "lodash", "4.17.20", "4.17.21")],
        },
        Vulnerability {
            advisory: advisory(
                "GHSA-c2qf-rxjj-qqgw",
                &["CVE-2022-25883"],
                "semver vulnerable to Regular Expression Denial of Service",
                Some(("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L", 5.3)),
                VulnSeverity::Medium,
                "https://github.com/advisories/GHSA-c2qf-rxjj-qqgw",
            ),
            affects: vec![affected(&sbom, "semver", "5.7.1", "5.7.2")],
        },
        Vulnerability {
            advisory: advisory(
                "GHSA-jfh8-c2jp-5v3q",
                &["CVE-2021-44228"],
                "Remote code injection in Log4j",
                Some(("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10.0)),
                VulnSeverity::Critical,
                "https://github.com/advisories/GHSA-jfh8-c2jp-5v3q",
            ),
            affects: vec![affected(&sbom, "log4j-core", "2.14.1", "2.15.0")],
        },
        Vulnerability {
            advisory: advisory(
                "GHSA-xvch-5gv4-984h",
                &["CVE-2021-44906"],
                "Prototype Pollution in minimist",
                Some(("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8)),
                VulnSeverity::Critical,
                "https://github.com/advisories/GHSA-xvch-5gv4-984h",
            ),
            affects: vec![affected(&sbom, "minimist", "1.2.5", "1.2.6")],
        },
        Vulnerability {
            // The Go vulnerability database publishes no severity.
            advisory: advisory(
                "GO-2022-0969",
                &["CVE-2022-27664", "GHSA-69cg-p879-7622"],
                "Denial of service in net/http and golang.org/x/net/http2",
                None,
                VulnSeverity::Unknown,
                "https://pkg.go.dev/vuln/GO-2022-0969",
            ),
            affects: vec![affected(
                &sbom,
                "net",
                "v0.0.0-20220722155237-a158d28d115b",
                "v0.0.0-20220906165146-f3363e06e74c",
            )],
        },
    ];
    sbom
}

fn finding<'a>(eval: &'a Evaluation, id: &str) -> &'a bomscout_policy::SecurityFinding {
    eval.security
        .iter()
        .find(|f| f.id == id)
        .unwrap_or_else(|| panic!("no finding {id} in {:#?}", eval.security))
}

fn render(eval: &Evaluation, format: CheckFormat) -> String {
    let mut out = Vec::new();
    write(format, eval, Action::Deny, "0.1.0", &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn the_defaults_deny_high_and_critical_review_the_rest_and_report_dev_findings() {
    let eval = evaluate(&policy(""), &scanned("MIT"), today());
    let got: Vec<(&str, Action, SecurityStatus)> = eval
        .security
        .iter()
        .map(|f| (f.id.as_str(), f.verdict, f.status))
        .collect();
    assert_eq!(
        got,
        [
            ("GHSA-jfh8-c2jp-5v3q", Action::Deny, SecurityStatus::Open),
            ("GHSA-35jh-r3h4-6jhm", Action::Deny, SecurityStatus::Open),
            ("GHSA-c2qf-rxjj-qqgw", Action::Review, SecurityStatus::Open),
            ("GO-2022-0969", Action::Review, SecurityStatus::Open),
            (
                "GHSA-xvch-5gv4-984h",
                Action::Deny,
                SecurityStatus::NotGating
            ),
        ],
        "worst first; the dev-only minimist is reported, not gating"
    );
    assert_eq!(eval.outcome(Action::Deny), Outcome::Fail);
    assert_eq!(eval.exit_code(Action::Deny), 1);
    assert!(
        eval.violations(Action::Deny).next().is_none(),
        "no license fails"
    );
    let failing: Vec<&str> = eval
        .security_violations(Action::Deny)
        .map(|f| f.id.as_str())
        .collect();
    assert_eq!(failing, ["GHSA-jfh8-c2jp-5v3q", "GHSA-35jh-r3h4-6jhm"]);
    let log4j = finding(&eval, "GHSA-jfh8-c2jp-5v3q");
    assert_eq!(log4j.aliases, ["CVE-2021-44228"]);
    assert_eq!(log4j.fixed.as_deref(), Some("2.15.0"));
    assert_eq!(log4j.score, Some(10.0));
    assert_eq!(
        log4j.location,
        Some(Location::at_line("pom.xml", 40)),
        "the lockfile line"
    );
    assert!(log4j
        .reason
        .contains("critical is at or above deny-severity high"));
    let go = finding(&eval, "GO-2022-0969");
    assert_eq!(go.severity, VulnSeverity::Unknown, "never low");
    assert!(
        go.reason.contains("unknown-severity is review"),
        "{}",
        go.reason
    );
    assert_eq!(
        go.aliases,
        ["CVE-2022-27664", "GHSA-69cg-p879-7622"],
        "CVE first"
    );
    let minimist = finding(&eval, "GHSA-xvch-5gv4-984h");
    assert!(minimist
        .reason
        .contains("a dev dependency, outside the security scopes"));
}

#[test]
fn thresholds_unknown_and_scopes_come_from_the_security_table() {
    let p = policy(
        r#"
[security]
deny-severity = "critical"
review-severity = "medium"
unknown-severity = "deny"
scopes = ["required", "optional", "build", "dev"]
"#,
    );
    let eval = evaluate(&p, &scanned("MIT"), today());
    assert_eq!(
        finding(&eval, "GHSA-35jh-r3h4-6jhm").verdict,
        Action::Review,
        "high is below critical"
    );
    assert_eq!(finding(&eval, "GO-2022-0969").verdict, Action::Deny);
    let minimist = finding(&eval, "GHSA-xvch-5gv4-984h");
    assert_eq!(
        (minimist.verdict, minimist.status),
        (Action::Deny, SecurityStatus::Open),
        "dev is gated when listed"
    );
    // review-severity off: medium and low pass, unknown still has its own rule.
    let p = policy("[security]\nreview-severity = \"off\"\n");
    let eval = evaluate(&p, &scanned("MIT"), today());
    assert_eq!(finding(&eval, "GHSA-c2qf-rxjj-qqgw").verdict, Action::Allow);
    assert!(
        eval.security_problems()
            .all(|f| f.id != "GHSA-c2qf-rxjj-qqgw"),
        "an allowed finding is counted, not listed"
    );
    assert_eq!(finding(&eval, "GO-2022-0969").verdict, Action::Review);
    // Reviews fail only with --fail-on review.
    let p = policy("[security]\ndeny-severity = \"off\"\n");
    let eval = evaluate(&p, &scanned("MIT"), today());
    assert_eq!(eval.outcome(Action::Deny), Outcome::Pass);
    assert_eq!(eval.outcome(Action::Review), Outcome::Fail);
}

#[test]
fn an_ignore_matches_the_id_or_any_alias_until_it_expires() {
    let p = policy(
        r#"
[security]
ignore = [
  { id = "CVE-2021-44228", reason = "JNDI lookups disabled by log4j2.formatMsgNoLookups; OSPO-77", expires = "2027-01-31" },
  { id = "ghsa-35jh-r3h4-6jhm", reason = "template input is ours; SEC-12", expires = "2026-10-01" },
  { id = "RUSTSEC-2021-0078", reason = "left over from the old service" },
]
"#,
    );
    let eval = evaluate(&p, &scanned("MIT"), today());
    let log4j = finding(&eval, "GHSA-jfh8-c2jp-5v3q");
    assert_eq!(
        log4j.status,
        SecurityStatus::Ignored,
        "matched by its CVE alias"
    );
    assert!(
        !log4j.fails(Action::Review),
        "an ignored finding never fails"
    );
    assert!(
        log4j
            .reason
            .contains("ignored by the policy until 2027-01-31: JNDI"),
        "{}",
        log4j.reason
    );
    let s = log4j.suppression.as_ref().unwrap();
    assert_eq!(s.state, "ignored");
    let lodash = finding(&eval, "GHSA-35jh-r3h4-6jhm");
    assert_eq!(
        (lodash.status, lodash.verdict),
        (SecurityStatus::Open, Action::Deny),
        "an expired ignore no longer applies"
    );
    assert!(
        eval.notes.contains(
            &"ignore of ghsa-35jh-r3h4-6jhm expired on 2026-10-01; it no longer applies"
                .to_string()
        ),
        "{:?}",
        eval.notes
    );
    assert!(
        eval.notes
            .iter()
            .any(|n| n.starts_with("ignore of RUSTSEC-2021-0078 matched no finding")),
        "{:?}",
        eval.notes
    );
    assert_eq!(
        eval.outcome(Action::Deny),
        Outcome::Fail,
        "lodash still fails"
    );
}

#[test]
fn ignores_of_an_extended_policy_stay_quiet_and_local_keys_override() {
    let dir = tempdir("extends");
    std::fs::write(
        dir.join("org.toml"),
        "[security]\ndeny-severity = \"critical\"\nignore = [{ id = \"CVE-2099-0001\", reason = \"org-wide\" }]\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("team.toml"),
        format!("[policy]\nextends = [\"org.toml\"]\n{LICENSES}\n[security]\nreview-severity = \"high\"\n"),
    )
    .unwrap();
    let p = Policy::load(dir.join("team.toml").to_str().unwrap()).unwrap();
    assert_eq!(p.security.deny_severity, Some(VulnSeverity::Critical));
    assert_eq!(p.security.review_severity, Some(VulnSeverity::High));
    let eval = evaluate(&p, &scanned("MIT"), today());
    assert_eq!(
        finding(&eval, "GHSA-35jh-r3h4-6jhm").verdict,
        Action::Review
    );
    assert_eq!(finding(&eval, "GHSA-c2qf-rxjj-qqgw").verdict, Action::Allow);
    assert!(
        !eval.notes.iter().any(|n| n.contains("CVE-2099-0001")),
        "{:?}",
        eval.notes
    );
}

fn tempdir(tag: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("bomscout-security-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn typos_in_the_security_table_are_named_with_line_caret_and_suggestion() {
    let text = "[security]\ndeny-severity = \"hihg\"\nreview-severity = \"moderate\"\nunknown-severity = \"reveiw\"\nscopes = [\"runtime\", \"dve\"]\nignore = [\n  { id = \"GHSA-jfh8-c2jp\", reason = \"x\" },\n  { id = \"CVE-2021-44228\", reason = \" \" },\n  { id = \"GHSA-35jh-r3h4-6jhm\", reason = \"y\", expires = \"2027-02-31\" },\n]\n";
    let err = Policy::from_text("policy.toml", text)
        .unwrap_err()
        .to_string();
    for needle in [
        "`hihg` is not a severity (critical, high, medium, low, none, off)",
        "did you mean `high`?",
        "`reveiw` is not one of deny, review, allow",
        "did you mean `review`?",
        "`runtime` is not a scope",
        "run-time dependencies are `required`",
        "`dve` is not a scope",
        "did you mean `dev`?",
        "`GHSA-jfh8-c2jp` is not an advisory id",
        "three groups of four",
        "an ignore needs a reason",
        "`2027-02-31` is not a date",
        "policy.toml:2:17",
        "^",
    ] {
        assert!(err.contains(needle), "missing {needle:?} in:\n{err}");
    }
    assert!(
        !err.contains("`moderate`"),
        "a database's synonym is accepted:\n{err}"
    );
    let err = Policy::from_text("p.toml", "[security]\ndeny-severty = \"high\"\n")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("unknown field `deny-severty`")
            && err.contains("did you mean `deny-severity`?")
            && err.contains("p.toml:2:1"),
        "{err}"
    );
    let err = Policy::from_text(
        "p.toml",
        "[security]\ndeny-severity = \"high\"\nreview-severity = \"critical\"\n",
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("`review-severity` (critical) is above `deny-severity` (high)"),
        "{err}"
    );
    let err = Policy::from_text("p.toml", "[security]\ndeny-severity = \"unknown\"\n")
        .unwrap_err()
        .to_string();
    assert!(err.contains("judged by `unknown-severity`"), "{err}");
    let err = Policy::from_text(
        "p.toml",
        "[security]\nignore = [{ id = \"CVE-2021-44228\" }]\n",
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("missing field `reason`"), "{err}");
}

#[test]
fn the_starter_policy_has_a_security_table_that_validates() {
    // Off as shipped: a new user's first `check` needs no advisory data.
    let shipped = Policy::from_text("starter.toml", bomscout_policy::STARTER).unwrap();
    assert!(!shipped.security.declared);
    // Uncommented (one `#` off each line of the block), it is valid and the defaults.
    let mut in_block = false;
    let uncommented: String = bomscout_policy::STARTER
        .lines()
        .map(|line| {
            if line == "#[security]" {
                in_block = true;
            } else if line.is_empty() {
                in_block = false;
            }
            match line.strip_prefix('#').filter(|_| in_block) {
                Some(rest) => format!("{rest}\n"),
                None => format!("{line}\n"),
            }
        })
        .collect();
    let p = Policy::from_text("starter.toml", &uncommented).unwrap();
    assert!(p.security.declared);
    assert_eq!(p.security.deny_severity, Some(VulnSeverity::High));
    assert_eq!(p.security.unknown, Action::Review);
    assert_eq!(p.security.ignore.len(), 1, "the example ignore parses");
}

#[test]
fn license_and_security_fail_together_in_one_evaluation() {
    let eval = evaluate(&policy(""), &scanned("GPL-3.0-only"), today());
    assert_eq!(eval.violations(Action::Deny).count(), 1, "lodash's license");
    assert_eq!(eval.security_violations(Action::Deny).count(), 2);
    let human = render(&eval, CheckFormat::Human);
    assert!(
        human.contains("denied: GPL-3.0-only (1 package)"),
        "{human}"
    );
    assert!(
        human.contains("vulnerable: GHSA-jfh8-c2jp-5v3q (CVE-2021-44228) [critical 10.0] Remote code injection in Log4j"),
        "{human}"
    );
    assert!(
        human.contains(
            "  org.apache.logging.log4j/log4j-core@2.14.1  in pom.xml:40; upgrade to 2.15.0"
        ),
        "{human}"
    );
    assert!(
        human.contains("vulnerable (not gating): GHSA-xvch-5gv4-984h"),
        "{human}"
    );
    let last = human.lines().last().unwrap();
    assert!(
        last.starts_with("FAIL: policy policy.toml: 4 checked, 1 denied")
            && last.contains(
                "; security: 5 finding(s), 2 denied, 2 to review, 0 suppressed by VEX, 0 ignored, 1 not gating"
            ),
        "{last}"
    );
    // A pass on licenses does not hide a security failure, and the reverse.
    let only_security = evaluate(&policy(""), &scanned("MIT"), today());
    assert_eq!(only_security.outcome(Action::Deny), Outcome::Fail);
    let mut no_vulns = scanned("GPL-3.0-only");
    no_vulns.vulnerabilities.clear();
    let only_license = evaluate(&policy(""), &no_vulns, today());
    assert_eq!(only_license.outcome(Action::Deny), Outcome::Fail);
    assert!(
        !render(&only_license, CheckFormat::Human).contains("security:"),
        "no security clause without advisories"
    );
}

#[test]
fn a_baseline_finding_is_not_new_even_under_another_id() {
    let p = policy("");
    let mut old_sbom = scanned("MIT");
    old_sbom
        .vulnerabilities
        .retain(|v| v.advisory.id == "GHSA-jfh8-c2jp-5v3q");
    // The baseline's database listed Log4Shell under its CVE.
    old_sbom.vulnerabilities[0].advisory.id = "CVE-2021-44228".into();
    old_sbom.vulnerabilities[0].advisory.aliases = ["GHSA-jfh8-c2jp-5v3q".to_string()].into();
    let old = evaluate(&p, &old_sbom, today());
    let mut now = evaluate(&p, &scanned("MIT"), today());
    baseline::only_new(&mut now, &old);
    let failing: Vec<&str> = now
        .security_violations(Action::Deny)
        .map(|f| f.id.as_str())
        .collect();
    assert_eq!(failing, ["GHSA-35jh-r3h4-6jhm"]);
    assert!(
        now.notes.contains(
            &"1 security finding(s) already in the baseline are not reported again".to_string()
        ),
        "{:?}",
        now.notes
    );
    // Another version of the package is another purl: a new finding.
    let mut bumped = scanned("MIT");
    for v in &mut bumped.vulnerabilities {
        for a in &mut v.affects {
            a.component = a.component.replace("2.14.1", "2.14.0");
        }
    }
    let mut now = evaluate(&p, &bumped, today());
    baseline::only_new(&mut now, &old);
    assert!(now
        .security_violations(Action::Deny)
        .any(|f| f.id == "GHSA-jfh8-c2jp-5v3q"));
}

fn sarif_schema() -> jsonschema::Validator {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/schemas/sarif/sarif-schema-2.1.0.json");
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    jsonschema::validator_for(&schema).unwrap()
}

#[test]
fn sarif_has_one_rule_per_advisory_and_one_result_per_component_and_validates() {
    let mut sbom = scanned("GPL-3.0-only");
    // A second component under the same advisory: one rule, two results.
    let semver = key_of(&sbom, "semver");
    let lodash_vuln = sbom
        .vulnerabilities
        .iter_mut()
        .find(|v| v.advisory.id == "GHSA-35jh-r3h4-6jhm")
        .unwrap();
    lodash_vuln.affects.push(Affected {
        component: semver,
        version: "5.7.1".into(),
        fixed: None,
        suppressed: None,
    });
    // And a suppressed one, which code scanning must not see.
    sbom.vulnerabilities[1].affects[0].suppressed = Some(Suppression {
        state: "not_affected".into(),
        justification: Some("vulnerable_code_not_in_execute_path".into()),
        detail: None,
        source: "vex.json".into(),
    });
    let eval = evaluate(&policy(""), &sbom, today());
    let doc: serde_json::Value = serde_json::from_str(&render(&eval, CheckFormat::Sarif)).unwrap();
    let errors: Vec<String> = sarif_schema()
        .iter_errors(&doc)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let run = &doc["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let rule_ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(
        rule_ids,
        [
            "license-denied",
            "license-needs-review",
            "license-unknown",
            "license-unlisted",
            "GHSA-35jh-r3h4-6jhm",
            "GHSA-jfh8-c2jp-5v3q",
            "GHSA-xvch-5gv4-984h",
            "GO-2022-0969",
        ],
        "the suppressed semver advisory has no rule"
    );
    let log4j = &rules[5];
    assert_eq!(
        log4j["shortDescription"]["text"],
        "Remote code injection in Log4j"
    );
    assert_eq!(log4j["name"], "Remote code injection in Log4j");
    assert_eq!(
        log4j["helpUri"],
        "https://github.com/advisories/GHSA-jfh8-c2jp-5v3q"
    );
    assert_eq!(log4j["properties"]["security-severity"], "10.0");
    assert_eq!(log4j["properties"]["problem.severity"], "error");
    assert!(
        rules[7]["properties"].get("security-severity").is_none(),
        "no score invented for an unknown severity"
    );
    let results = run["results"].as_array().unwrap();
    let security: Vec<(&str, &str, &str, u64)> = results
        .iter()
        .filter(|r| !r["ruleId"].as_str().unwrap().starts_with("license-"))
        .map(|r| {
            let loc = &r["locations"][0]["physicalLocation"];
            (
                r["ruleId"].as_str().unwrap(),
                r["level"].as_str().unwrap(),
                loc["artifactLocation"]["uri"].as_str().unwrap(),
                loc["region"]["startLine"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        security,
        [
            ("GHSA-jfh8-c2jp-5v3q", "error", "pom.xml", 40),
            ("GHSA-35jh-r3h4-6jhm", "error", "package-lock.json", 812),
            ("GHSA-35jh-r3h4-6jhm", "error", "package-lock.json", 1530),
            ("GO-2022-0969", "warning", "go.mod", 9),
            ("GHSA-xvch-5gv4-984h", "note", "package-lock.json", 1204),
        ],
        "one result per (advisory, component) at its first location, none per extra location"
    );
    for r in results {
        let index = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(
            rules[index]["id"], r["ruleId"],
            "ruleIndex points at its rule"
        );
    }
    let log4j_result = results
        .iter()
        .find(|r| r["ruleId"] == "GHSA-jfh8-c2jp-5v3q")
        .unwrap();
    assert!(log4j_result["message"]["text"]
        .as_str()
        .unwrap()
        .contains("upgrade to 2.15.0"));
}

#[test]
fn markdown_summary_counts_by_severity_and_lists_new_denies_with_the_fix() {
    let mut sbom = scanned("MIT");
    sbom.vulnerabilities[1].affects[0].suppressed = Some(Suppression {
        state: "not_affected".into(),
        justification: Some("vulnerable_code_not_in_execute_path".into()),
        detail: None,
        source: "app.openvex.json".into(),
    });
    let eval = evaluate(&policy(""), &sbom, today());
    let md = render(&eval, CheckFormat::Markdown);
    assert!(
        md.starts_with("## bomscout license and security check: ❌ failed"),
        "{md}"
    );
    assert!(
        md.contains("5 finding(s) in 5 package(s): 2 critical, 1 high, 1 medium, 1 unknown."),
        "{md}"
    );
    assert!(md.contains("**Denied (fail the check)**"), "{md}");
    assert!(
        md.contains("| GHSA-jfh8-c2jp-5v3q (CVE-2021-44228) | org.apache.logging.log4j/log4j-core | 2.14.1 | critical 10.0 | upgrade to 2.15.0 | pom.xml:40 |"),
        "{md}"
    );
    assert!(
        md.contains("**Not gating (outside the security scopes)**"),
        "{md}"
    );
    assert!(
        md.contains("- GHSA-c2qf-rxjj-qqgw (CVE-2022-25883) in semver@5.7.1: not affected per app.openvex.json: vulnerable\\_code\\_not\\_in\\_execute\\_path"),
        "{md}"
    );
    let gh = render(&eval, CheckFormat::Github);
    assert!(
        gh.contains("::error file=pom.xml,line=40,title=GHSA-jfh8-c2jp-5v3q%3A org.apache.logging.log4j/log4j-core::org.apache.logging.log4j/log4j-core@2.14.1: GHSA-jfh8-c2jp-5v3q (CVE-2021-44228) [critical 10.0] Remote code injection in Log4j; upgrade to 2.15.0."),
        "{gh}"
    );
    assert!(
        gh.contains("::warning file=go.mod,line=9,title=GO-2022-0969"),
        "{gh}"
    );
    assert!(
        gh.contains("::notice file=package-lock.json,line=1204,title=GHSA-xvch-5gv4-984h"),
        "{gh}"
    );
    assert!(
        !gh.contains("GHSA-c2qf-rxjj-qqgw"),
        "no annotation for a suppressed finding: {gh}"
    );
    let json: serde_json::Value = serde_json::from_str(&render(&eval, CheckFormat::Json)).unwrap();
    assert_eq!(json["security"][0]["id"], "GHSA-jfh8-c2jp-5v3q");
    assert_eq!(json["security"][0]["status"], "open");
    assert_eq!(json["outcome"], "FAIL");
}

#[test]
fn advisory_text_cannot_forge_lines_or_markup_in_any_report() {
    let mut sbom = scanned("MIT");
    sbom.vulnerabilities[2].advisory.summary =
        Some("x\u{1b}[2J\nerror: all good ![p](http://evil/px.png) <img src=x>|".into());
    sbom.vulnerabilities[2].affects[0].fixed = Some("2.15.0\r\n::error::forged".into());
    let eval = evaluate(&policy(""), &sbom, today());
    let human = render(&eval, CheckFormat::Human);
    assert!(
        !human.chars().any(|c| c.is_control() && c != '\n'),
        "{human:?}"
    );
    assert!(!human.lines().any(|l| l.starts_with("error:")), "{human}");
    let gh = render(&eval, CheckFormat::Github);
    assert!(gh.lines().all(|l| l.starts_with("::")), "{gh}");
    assert_eq!(gh.lines().count(), 5, "{gh}");
    assert!(
        !gh.lines().any(|l| l.starts_with("::error::forged")),
        "{gh}"
    );
    let md = render(&eval, CheckFormat::Markdown);
    assert!(!md.contains("![p]") && !md.contains("<img"), "{md}");
    assert!(!md.contains('\u{1b}') && !md.contains('\r'), "{md:?}");
}

// ---- VEX ----

const OPENVEX: &str = r#"{
  "@context": "https://openvex.dev/ns/v0.2.0",
  "@id": "https://example.com/vex/app-2026-0001",
  "author": "Example App Security <security@example.com>",
  "timestamp": "2026-11-20T10:00:00Z",
  "version": 1,
  "statements": [
    {
      "vulnerability": {
        "@id": "https://nvd.nist.gov/vuln/detail/CVE-2021-44228",
        "name": "CVE-2021-44228",
        "description": "Apache Log4j2 JNDI features do not protect against attacker controlled LDAP",
        "aliases": ["GHSA-jfh8-c2jp-5v3q"]
      },
      "products": [
        {
          "@id": "pkg:github/example/app@v2.3.0",
          "subcomponents": [
            { "@id": "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1?type=jar" }
          ]
        }
      ],
      "status": "not_affected",
      "justification": "vulnerable_code_not_in_execute_path",
      "impact_statement": "JndiLookup.class is removed from the shaded jar at build time"
    },
    {
      "vulnerability": { "name": "CVE-2021-23337" },
      "products": [ { "@id": "pkg:npm/lodash@4.17.20" } ],
      "status": "not_affected",
      "justification": "vulnerable_code_cannot_be_controlled_by_adversary",
      "timestamp": "2026-11-20T10:00:00Z"
    },
    {
      "vulnerability": { "name": "CVE-2021-23337" },
      "products": [ { "@id": "pkg:npm/lodash@4.17.20" } ],
      "status": "affected",
      "action_statement": "upgrade to 4.17.21 in the next release",
      "timestamp": "2026-11-22T09:30:00Z"
    },
    {
      "vulnerability": { "name": "CVE-2022-25883" },
      "products": [ { "@id": "pkg:npm/semver" } ],
      "status": "not_affected"
    },
    {
      "vulnerability": { "name": "GHSA-xvch-5gv4-984h" },
      "products": [ { "@id": "pkg:npm/minimist@1.2.6" } ],
      "status": "not_affected",
      "justification": "component_not_present"
    },
    {
      "vulnerability": { "name": "GO-2022-0969" },
      "products": [ { "identifiers": { "purl": "pkg:golang/golang.org/x/net" } } ],
      "status": "under_investigation"
    }
  ]
}"#;

#[test]
fn openvex_suppresses_not_affected_with_its_justification_and_the_latest_statement_decides() {
    let vex = Vex::parse("app.openvex.json", OPENVEX).unwrap();
    assert_eq!(
        vex.statements().len(),
        5,
        "the one without justification is left out"
    );
    let mut sbom = scanned("MIT");
    let diagnostics = vex.apply(&mut sbom);
    assert_eq!(diagnostics.len(), 1, "{diagnostics:#?}");
    assert_eq!(diagnostics[0].path, "app.openvex.json");
    assert!(
        diagnostics[0]
            .message
            .contains("statement 4 (\"CVE-2022-25883\") says not_affected without a justification"),
        "{}",
        diagnostics[0].message
    );
    let state = |id: &str| {
        sbom.vulnerabilities
            .iter()
            .find(|v| v.advisory.id == id)
            .unwrap()
            .affects[0]
            .suppressed
            .clone()
    };
    let log4j = state("GHSA-jfh8-c2jp-5v3q").expect("subcomponent, matched by the CVE name");
    assert_eq!(log4j.state, "not_affected");
    assert_eq!(
        log4j.justification.as_deref(),
        Some("vulnerable_code_not_in_execute_path")
    );
    assert_eq!(
        log4j.detail.as_deref(),
        Some("JndiLookup.class is removed from the shaded jar at build time")
    );
    assert_eq!(log4j.source, "app.openvex.json");
    assert_eq!(
        state("GHSA-35jh-r3h4-6jhm"),
        None,
        "a later `affected` overrides"
    );
    assert_eq!(
        state("GHSA-c2qf-rxjj-qqgw"),
        None,
        "not applied without a justification"
    );
    assert_eq!(
        state("GHSA-xvch-5gv4-984h"),
        None,
        "another version is another product"
    );
    assert_eq!(
        state("GO-2022-0969"),
        None,
        "under investigation suppresses nothing"
    );
    let eval = evaluate(&policy(""), &sbom, today());
    let f = finding(&eval, "GHSA-jfh8-c2jp-5v3q");
    assert_eq!(f.status, SecurityStatus::Suppressed);
    assert!(!f.fails(Action::Review));
    assert!(
        f.reason
            .contains("not affected per app.openvex.json: vulnerable_code_not_in_execute_path"),
        "{}",
        f.reason
    );
    let human = render(&eval, CheckFormat::Human);
    assert!(human.contains("suppressed: GHSA-jfh8-c2jp-5v3q"), "{human}");
}

#[test]
fn openvex_v001_strings_fixed_status_and_whole_product_statements() {
    let doc = r#"{
      "@context": "https://openvex.dev/ns",
      "@id": "https://example.com/vex/old",
      "author": "Example",
      "timestamp": "2023-01-09T21:23:03.579712389-06:00",
      "version": "1",
      "statements": [
        {
          "vulnerability": "CVE-2021-23337",
          "products": ["pkg:npm/lodash@4.17.20"],
          "status": "fixed"
        }
      ]
    }"#;
    let mut sbom = scanned("MIT");
    Vex::parse("old.json", doc).unwrap().apply(&mut sbom);
    let lodash = sbom
        .vulnerabilities
        .iter()
        .find(|v| v.advisory.id == "GHSA-35jh-r3h4-6jhm")
        .unwrap();
    assert_eq!(
        lodash.affects[0]
            .suppressed
            .as_ref()
            .map(|s| s.state.as_str()),
        Some("fixed")
    );
    // A statement about the whole document (`root`, as bomscout's CycloneDX names it).
    let doc = r#"{"@context": "https://openvex.dev/ns/v0.2.0", "statements": [
      {"vulnerability": {"name": "GO-2022-0969"}, "products": [{"@id": "root"}],
       "status": "not_affected", "justification": "vulnerable_code_not_in_execute_path"}]}"#;
    Vex::parse("whole.json", doc).unwrap().apply(&mut sbom);
    let go = sbom
        .vulnerabilities
        .iter()
        .find(|v| v.advisory.id == "GO-2022-0969")
        .unwrap();
    assert!(go.affects[0].suppressed.is_some());
}

#[test]
fn cyclonedx_vex_suppresses_not_affected_and_false_positive_by_bom_ref_or_purl() {
    let mut sbom = scanned("MIT");
    let lodash_ref = key_of(&sbom, "lodash");
    let doc = format!(
        r#"{{
  "bomFormat": "CycloneDX",
  "specVersion": "1.6",
  "serialNumber": "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79",
  "version": 1,
  "metadata": {{ "timestamp": "2026-11-20T10:00:00Z" }},
  "vulnerabilities": [
    {{
      "id": "CVE-2021-23337",
      "source": {{ "name": "NVD", "url": "https://nvd.nist.gov/vuln/detail/CVE-2021-23337" }},
      "references": [ {{ "id": "GHSA-35jh-r3h4-6jhm", "source": {{ "name": "GitHub" }} }} ],
      "analysis": {{
        "state": "false_positive",
        "detail": "lodash.template is never called with user input"
      }},
      "affects": [ {{ "ref": "urn:cdx:3e671687-395b-41f5-a30f-a58921a69b79/1#{lodash_ref}" }} ]
    }},
    {{
      "id": "CVE-2021-44228",
      "analysis": {{ "state": "not_affected", "justification": "code_not_reachable", "response": ["will_not_fix"] }},
      "affects": [ {{ "ref": "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1" }} ]
    }},
    {{
      "id": "CVE-2022-25883",
      "analysis": {{ "state": "exploitable" }},
      "affects": [ {{ "ref": "pkg:npm/semver@5.7.1" }} ]
    }},
    {{
      "id": "CVE-2021-44906",
      "analysis": {{ "state": "in_triage" }},
      "affects": [ {{ "ref": "pkg:npm/minimist@1.2.5" }} ]
    }}
  ]
}}"#
    );
    let vex = Vex::parse("app.cdx.json", &doc).unwrap();
    assert!(vex.apply(&mut sbom).is_empty());
    let eval = evaluate(&policy(""), &sbom, today());
    let lodash = finding(&eval, "GHSA-35jh-r3h4-6jhm");
    assert_eq!(lodash.status, SecurityStatus::Suppressed);
    let s = lodash.suppression.as_ref().unwrap();
    assert_eq!(
        (s.state.as_str(), s.detail.as_deref()),
        (
            "false_positive",
            Some("lodash.template is never called with user input")
        )
    );
    let log4j = finding(&eval, "GHSA-jfh8-c2jp-5v3q");
    assert_eq!(
        log4j
            .suppression
            .as_ref()
            .and_then(|s| s.justification.as_deref()),
        Some("code_not_reachable")
    );
    assert_eq!(
        finding(&eval, "GHSA-c2qf-rxjj-qqgw").status,
        SecurityStatus::Open
    );
    assert_eq!(
        finding(&eval, "GHSA-xvch-5gv4-984h").status,
        SecurityStatus::NotGating
    );
}

#[test]
fn bad_vex_files_are_errors_naming_the_file_and_line() {
    let err = Vex::parse("broken.json", "{\n  \"statements\": [\n    {,\n").unwrap_err();
    assert!(matches!(err, VexError::Syntax { line: 3, .. }), "{err:?}");
    assert!(err.to_string().starts_with("broken.json:3:"), "{err}");
    let typo = OPENVEX.replacen("\"status\": \"affected\"", "\"status\": \"afected\"", 1);
    let err = Vex::parse("app.openvex.json", &typo)
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("app.openvex.json:37:")
            && err.contains("not a valid OpenVEX document")
            && err.contains("unknown variant `afected`")
            && err.contains("not_affected"),
        "{err}"
    );
    let err = Vex::parse("sbom.spdx.json", r#"{"spdxVersion": "SPDX-2.3"}"#)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("sbom.spdx.json: neither an OpenVEX document"),
        "{err}"
    );
    let err = Vex::parse("cdx.json", r#"{"bomFormat": "CycloneDX", "vulnerabilities": [{"id": "CVE-2021-44228", "analysis": {"state": "not-affected"}}]}"#)
        .unwrap_err()
        .to_string();
    assert!(err.contains("not a valid CycloneDX VEX document"), "{err}");
    let dir = tempdir("vexfiles");
    let missing = dir.join("missing.json");
    let err = bomscout_policy::vex::load(&[&missing])
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("cannot read VEX file") && err.contains("missing.json"),
        "{err}"
    );
    let err = bomscout_policy::vex::load(&[&dir]).unwrap_err().to_string();
    assert!(err.contains("not a regular file"), "{err}");
    let good = dir.join("a.openvex.json");
    std::fs::write(&good, OPENVEX).unwrap();
    let both = bomscout_policy::vex::load(&[&good, &good]).unwrap();
    assert_eq!(both.statements().len(), 10, "statements of every file");
}

#[test]
fn vex_input_is_bounded_and_never_blocks() {
    // A device would never end (or block, for a FIFO): refused before it is opened.
    let err = bomscout_policy::vex::load(&["/dev/zero"])
        .unwrap_err()
        .to_string();
    assert!(err.contains("/dev/zero: not a regular file"), "{err}");
    // A statement's text reaches a diagnostic only as a short, escaped quotation.
    let long = format!("CVE-2021-44228{}\u{1b}[2J", "x".repeat(10_000));
    let doc = serde_json::json!({
        "@context": "https://openvex.dev/ns/v0.2.0",
        "statements": [
            {"vulnerability": {"name": long}, "products": [{"@id": "pkg:npm/lodash"}], "status": "not_affected"},
            {"vulnerability": {"name": "CVE-2021-23337"}, "products": [], "status": "not_affected", "justification": "component_not_present"},
            {"vulnerability": {"name": "CVE-2021-23337"}, "products": [{"@id": "pkg:npm/lodash"}], "status": "not_affected", "justification": "it_is_fine"}
        ]
    });
    let vex = Vex::parse("hostile.json", &doc.to_string()).unwrap();
    let mut sbom = scanned("MIT");
    let diagnostics = vex.apply(&mut sbom);
    assert_eq!(diagnostics.len(), 3, "{diagnostics:#?}");
    for d in &diagnostics {
        assert!(d.message.len() < 400, "{}", d.message);
        assert!(!d.message.chars().any(char::is_control), "{:?}", d.message);
    }
    assert!(diagnostics[1].message.contains("lists no products"));
    assert!(diagnostics[2]
        .message
        .contains("\"it_is_fine\" is not one of OpenVEX's"));
    // The statement with an unknown justification still applies, as written.
    let lodash = sbom
        .vulnerabilities
        .iter()
        .find(|v| v.advisory.id == "GHSA-35jh-r3h4-6jhm")
        .unwrap();
    assert_eq!(
        lodash.affects[0]
            .suppressed
            .as_ref()
            .and_then(|s| s.justification.as_deref()),
        Some("it_is_fine")
    );
    // No file at all is no statement at all.
    let none: [&str; 0] = [];
    let mut untouched = scanned("MIT");
    assert!(bomscout_policy::vex::load(&none)
        .unwrap()
        .apply(&mut untouched)
        .is_empty());
    assert!(untouched
        .vulnerabilities
        .iter()
        .all(|v| v.affects.iter().all(|a| a.suppressed.is_none())));
}

#[test]
fn a_security_table_even_empty_declares_the_security_gate() {
    assert!(
        !policy("").security.declared,
        "no [security]: not asked for"
    );
    assert!(policy("[security]\n").security.declared);
    assert!(
        policy("[security]\ndeny-severity = \"critical\"\n")
            .security
            .declared
    );
}
