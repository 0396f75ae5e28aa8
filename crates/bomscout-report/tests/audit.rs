//! `bomscout audit`'s view of the findings: order, cells, dependency paths, suppressed
//! findings apart, terminal width, Markdown and JSON.

mod sboms;

use bomscout_core::{Catalog, Component, DepKind, Ecosystem, Project, Sbom, SbomBuilder};
use bomscout_report::audit;
use bomscout_report::Settings;
use serde_json::{json, Value};

fn table(sbom: &Sbom, width: Option<usize>) -> String {
    let mut settings: Settings = sboms::settings();
    settings.table_width = width;
    let mut out = Vec::new();
    audit::write_table(sbom, &settings, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

const FULL: &str = "\
SEVERITY       PACKAGE                              VERSION  FIXED IN            ID                                                    SCOPE     PATH
critical 10.0  org.apache.logging.log4j/log4j-core  2.14.1   upgrade to 2.15.0   GHSA-jfh8-c2jp-5v3q (CVE-2021-44228)                  required  shop → org.springframework.boot/spring-boot-starter-log4j2 → org.apache.logging.log4j/log4j-core
high 7.2       lodash                               4.17.19  upgrade to 4.17.21  GHSA-35jh-r3h4-6jhm (CVE-2021-23337)                  required  admin → lodash
unknown        Jinja2                               2.10     upgrade to 2.10.1   PYSEC-2019-217 (CVE-2019-10906, GHSA-462w-v97r-4m45)  required  svc → Jinja2

Suppressed (2):
SEVERITY    PACKAGE   VERSION  ID                                    SCOPE     REASON
high 7.2    lodash    4.17.20  GHSA-35jh-r3h4-6jhm (CVE-2021-23337)  dev       ignored: dev-only build tooling, never shipped. (stated in bomscout-policy.toml)
medium 5.6  requests  2.31.0   GHSA-9wx4-h78v-vm56 (CVE-2024-35195)  required  not_affected: vulnerable_code_not_in_execute_path. No session is ever created with verify=False. (stated in vex/openvex.json)

3 findings in 3 packages (1 critical, 1 high, 1 unknown); 2 suppressed.
";

#[test]
fn table_lists_worst_first_with_ids_fix_scope_and_path() {
    assert_eq!(table(&sboms::vulnerable(), None), FULL);
}

#[test]
fn unknown_severity_sorts_last_but_is_never_shown_as_low() {
    let mut sbom = sboms::vulnerable();
    // A low finding sorts above unknown; unknown still reads "unknown".
    sbom.vulnerabilities[0].advisory.severity = bomscout_core::VulnSeverity::Low;
    sbom.vulnerabilities[0].advisory.ratings.clear();
    let text = table(&sbom, None);
    let rows: Vec<&str> = text.lines().skip(1).take(3).collect();
    assert!(rows[1].starts_with("low "), "{text}");
    assert!(rows[2].starts_with("unknown "), "{text}");
}

#[test]
#[allow(clippy::print_stdout)]
fn a_terminal_table_fits_its_width_and_keeps_the_fix_whole() {
    println!(
        "{}\n{}",
        table(&sboms::vulnerable(), Some(150)),
        table(&sboms::vulnerable(), Some(100))
    );
    let text = table(&sboms::vulnerable(), Some(150));
    for line in text.lines() {
        assert!(line.chars().count() <= 150, "{line}");
    }
    let log4j = text.lines().nth(1).unwrap();
    assert!(log4j.contains("upgrade to 2.15.0"), "{log4j}");
    assert!(
        log4j.contains("shop → "),
        "the path keeps its project: {log4j}"
    );
    assert!(log4j.contains('…'), "and elides its middle: {log4j}");

    let narrow = table(&sboms::vulnerable(), Some(100));
    let header = narrow.lines().next().unwrap();
    assert!(
        !header.contains("PATH"),
        "left out rather than wrapped: {narrow}"
    );
    for line in narrow.lines().take(4) {
        assert!(line.chars().count() <= 100, "{line}");
    }
    assert!(narrow.contains("upgrade to 2.10.1"));
    let log4j = narrow.lines().nth(1).unwrap();
    assert!(
        log4j.contains("GHSA-jfh8-c2jp-5v3q"),
        "the id stays whole: {log4j}"
    );
    assert!(
        log4j.contains("log4j-core"),
        "a name keeps its end: {log4j}"
    );
}

#[test]
fn the_shortest_path_is_chosen_and_cycles_do_not_hang() {
    // app → a → b → vulnerable, and app → c → vulnerable; b → a closes a cycle.
    let mut cat = Catalog::default();
    let pkg = |name: &str| Component::new(Ecosystem::Npm, None, name, "1.0.0").unwrap();
    let a = cat.add_package(pkg("a"));
    let b = cat.add_package(pkg("b"));
    let c = cat.add_package(pkg("c"));
    let v = cat.add_package(pkg("vulnerable"));
    let orphan = cat.add_package(pkg("orphan"));
    cat.add_edge(a, b, DepKind::Normal);
    cat.add_edge(b, a, DepKind::Normal);
    cat.add_edge(b, v, DepKind::Normal);
    cat.add_edge(c, v, DepKind::Normal);
    let mut app = Project::new(Ecosystem::Npm, "package-lock.json");
    app.name = Some("app".into());
    app.add_dep(a, DepKind::Normal);
    app.add_dep(c, DepKind::Dev);
    cat.add_project(app);
    let _ = orphan;
    let mut builder = SbomBuilder::new("t");
    builder.add(cat);
    let mut sbom = builder.finish();
    let mut vuln = sboms::vulnerable().vulnerabilities.remove(0);
    vuln.affects = ["pkg:npm/vulnerable@1.0.0", "pkg:npm/orphan@1.0.0"]
        .iter()
        .map(|k| bomscout_core::Affected {
            component: k.to_string(),
            version: "1.0.0".into(),
            fixed: None,
            suppressed: None,
        })
        .collect();
    sbom.vulnerabilities = vec![vuln];
    let findings = audit::findings(&sbom);
    let paths: Vec<Vec<String>> = findings.iter().map(|f| f.path.clone()).collect();
    assert_eq!(
        paths,
        vec![
            vec!["orphan".to_string()],
            vec!["app".into(), "c".into(), "vulnerable".into()]
        ]
    );
    let text = table(&sbom, None);
    assert!(text.contains("no fix published"), "{text}");
}

#[test]
fn no_findings_says_so() {
    let text = table(&sboms::sample(), None);
    assert_eq!(
        text,
        format!(
            "No known vulnerabilities found in {} components.\n\n0 findings in 0 packages; 0 suppressed.\n",
            sboms::sample().components.len()
        )
    );
}

#[test]
fn hostile_advisory_text_cannot_drive_the_terminal_or_the_markdown() {
    let sbom = sboms::hostile_findings();
    let text = table(&sbom, None);
    assert!(!text.chars().any(|c| c.is_control() && c != '\n'), "{text}");
    assert!(
        text.contains("PYSEC-x\\nSPDXID: SPDXRef-DOCUMENT"),
        "{text}"
    );
    let mut out = Vec::new();
    audit::write_markdown(&sbom, &mut out).unwrap();
    let md = String::from_utf8(out).unwrap();
    assert!(md.contains("upgrade to 2.10.1 \\<img src=x\\>"), "{md}");
    assert!(!md.contains(" <img"), "only escaped: {md}");
    for line in md.lines().filter(|l| l.starts_with('|')) {
        assert!(!line.contains("PYSEC-x\n"));
    }
}

#[test]
fn markdown_has_the_same_rows() {
    let mut out = Vec::new();
    audit::write_markdown(&sboms::vulnerable(), &mut out).unwrap();
    let md = String::from_utf8(out).unwrap();
    assert!(md.starts_with(
        "## Known vulnerabilities\n\n| Severity | Package | Version | Fixed in | ID | Scope | Path |\n|---|---|---|---|---|---|---|\n\
| critical 10.0 | org.apache.logging.log4j/log4j-core | 2.14.1 | upgrade to 2.15.0 | GHSA-jfh8-c2jp-5v3q (CVE-2021-44228) | required | shop → org.springframework.boot/spring-boot-starter-log4j2 → org.apache.logging.log4j/log4j-core |\n"
    ), "{md}");
    assert!(md.contains(
        "### Suppressed (2)\n\n| Severity | Package | Version | ID | Scope | Reason |\n"
    ));
    assert!(md.contains(
        "| medium 5.6 | requests | 2.31.0 | GHSA-9wx4-h78v-vm56 (CVE-2024-35195) | required | not\\_affected: vulnerable\\_code\\_not\\_in\\_execute\\_path. No session is ever created with verify=False. (stated in vex/openvex.json) |\n"
    ), "{md}");
}

#[test]
fn json_has_the_same_rows_in_the_same_order() {
    let mut out = Vec::new();
    audit::write_json(&sboms::vulnerable(), &mut out).unwrap();
    let doc: Value = serde_json::from_slice(&out).unwrap();
    let findings = doc["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 5);
    assert_eq!(
        findings[0],
        json!({
            "id": "GHSA-jfh8-c2jp-5v3q",
            "aliases": ["CVE-2021-44228"],
            "severity": "critical",
            "score": 10.0,
            "summary": "Remote code injection in Log4j",
            "package": "org.apache.logging.log4j/log4j-core",
            "purl": "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1",
            "version": "2.14.1",
            "fixed": "2.15.0",
            "scope": "required",
            "path": ["shop", "org.springframework.boot/spring-boot-starter-log4j2", "org.apache.logging.log4j/log4j-core"],
            "references": [
                "https://nvd.nist.gov/vuln/detail/CVE-2021-44228",
                "https://github.com/apache/logging-log4j2/pull/608",
                "https://logging.apache.org/log4j/2.x/security.html"
            ]
        })
    );
    let ids: Vec<&str> = findings.iter().map(|f| f["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        [
            "GHSA-jfh8-c2jp-5v3q",
            "GHSA-35jh-r3h4-6jhm",
            "GHSA-35jh-r3h4-6jhm",
            "GHSA-9wx4-h78v-vm56",
            "PYSEC-2019-217"
        ]
    );
    assert_eq!(findings[2]["suppressed"]["state"], "ignored");
    assert_eq!(
        doc["summary"],
        "3 findings in 3 packages (1 critical, 1 high, 1 unknown); 2 suppressed."
    );
}
