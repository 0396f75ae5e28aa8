//! Vulnerabilities in every SBOM format: CycloneDX `vulnerabilities[]` (JSON and XML,
//! 1.4–1.7), SPDX 2.3 `SECURITY` external references (JSON and tag-value), SPDX 3.0.1
//! security elements, bomscout JSON. Each document is checked against its official schema
//! and its content asserted field by field.

mod sboms;

use bomscout_core::Sbom;
use bomscout_report::{write, Format, Settings, SpecVersion};
use sboms::{load_schema, schemas, Vendored};
use serde_json::{json, Value};
use std::collections::HashSet;

fn errors(schema: &Value, doc: &Value) -> Vec<String> {
    let validator = jsonschema::options()
        .with_retriever(Vendored)
        .build(schema)
        .unwrap();
    validator
        .iter_errors(doc)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect()
}

fn cdx_settings(v: SpecVersion) -> Settings {
    let mut settings = sboms::settings();
    settings.cyclonedx_version = v;
    settings
}

fn render(format: Format, sbom: &Sbom, settings: &Settings) -> String {
    let mut out = Vec::new();
    write(format, sbom, settings, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

fn cdx(sbom: &Sbom, v: SpecVersion) -> Value {
    serde_json::from_str(&render(Format::CycloneDxJson, sbom, &cdx_settings(v))).unwrap()
}

fn by_ref<'a>(doc: &'a Value, bom_ref: &str) -> &'a Value {
    doc["vulnerabilities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["bom-ref"] == bom_ref)
        .unwrap_or_else(|| panic!("no vulnerability {bom_ref}"))
}

#[test]
fn cyclonedx_json_with_vulnerabilities_is_valid_in_every_version() {
    let sbom = sboms::vulnerable();
    for v in SpecVersion::ALL {
        let doc = cdx(&sbom, v);
        let file = format!("cyclonedx/bom-{}.SNAPSHOT.schema.json", v.as_str());
        let errs = errors(&load_schema(&file), &doc);
        assert!(errs.is_empty(), "CycloneDX {}: {errs:#?}", v.as_str());
        // One entry per advisory, plus one per distinct suppression.
        assert_eq!(doc["vulnerabilities"].as_array().unwrap().len(), 5);
    }
}

#[test]
fn cyclonedx_entry_carries_ids_ratings_fix_and_affects_by_bom_ref() {
    let doc = cdx(&sboms::vulnerable(), SpecVersion::V1_6);
    let log4j = by_ref(&doc, "vuln:GHSA-jfh8-c2jp-5v3q");
    assert_eq!(
        *log4j,
        json!({
            "bom-ref": "vuln:GHSA-jfh8-c2jp-5v3q",
            "id": "GHSA-jfh8-c2jp-5v3q",
            "source": {"name": "OSV", "url": "https://github.com/advisories/GHSA-jfh8-c2jp-5v3q"},
            "references": [{"id": "CVE-2021-44228",
                "source": {"name": "NVD", "url": "https://nvd.nist.gov/vuln/detail/CVE-2021-44228"}}],
            "ratings": [
                {"source": {"name": "OSV"}, "score": 10.0, "severity": "critical", "method": "CVSSv31",
                 "vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H"},
                {"source": {"name": "OSV"}, "score": 10.0, "severity": "critical", "method": "CVSSv4",
                 "vector": "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H"}
            ],
            "description": "Remote code injection in Log4j",
            "detail": "Apache Log4j2 2.0-beta9 through 2.15.0 JNDI features do not protect against attacker controlled LDAP and other JNDI related endpoints.",
            "recommendation": "Upgrade to 2.15.0.",
            "advisories": [
                {"url": "https://nvd.nist.gov/vuln/detail/CVE-2021-44228"},
                {"url": "https://github.com/apache/logging-log4j2/pull/608"},
                {"url": "https://logging.apache.org/log4j/2.x/security.html"}
            ],
            "published": "2021-12-10T00:40:56Z",
            "updated": "2024-02-16T08:09:00Z",
            "affects": [{"ref": "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1",
                "versions": [{"version": "2.14.1", "status": "affected"}]}]
        })
    );
    // Every affected ref is a component of the document.
    let refs: HashSet<&str> = doc["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["bom-ref"].as_str().unwrap())
        .collect();
    let mut vuln_refs = HashSet::new();
    for v in doc["vulnerabilities"].as_array().unwrap() {
        let r = v["bom-ref"].as_str().unwrap();
        assert!(vuln_refs.insert(r) && !refs.contains(r), "unique: {r}");
        for a in v["affects"].as_array().unwrap() {
            assert!(refs.contains(a["ref"].as_str().unwrap()), "{a}");
        }
    }
}

#[test]
fn cyclonedx_unknown_severity_is_said_never_left_out_or_made_low() {
    let doc = cdx(&sboms::vulnerable(), SpecVersion::V1_6);
    let jinja = by_ref(&doc, "vuln:PYSEC-2019-217");
    assert_eq!(
        jinja["ratings"],
        json!([{"source": {"name": "OSV"}, "severity": "unknown"}])
    );
    assert_eq!(
        jinja["references"],
        json!([
            {"id": "CVE-2019-10906", "source": {"name": "NVD", "url": "https://nvd.nist.gov/vuln/detail/CVE-2019-10906"}},
            {"id": "GHSA-462w-v97r-4m45", "source": {"name": "GitHub Advisory Database", "url": "https://github.com/advisories/GHSA-462w-v97r-4m45"}}
        ])
    );
    assert_eq!(
        jinja["source"]["url"],
        "https://osv.dev/vulnerability/PYSEC-2019-217"
    );
    assert_eq!(jinja["recommendation"], "Upgrade to 2.10.1.");
}

#[test]
fn cyclonedx_cvss4_is_other_where_the_schema_has_no_cvss4() {
    let doc = cdx(&sboms::vulnerable(), SpecVersion::V1_4);
    let ratings = &by_ref(&doc, "vuln:GHSA-jfh8-c2jp-5v3q")["ratings"];
    assert_eq!(ratings[0]["method"], "CVSSv31");
    assert_eq!(ratings[1]["method"], "other");
    assert_eq!(
        ratings[1]["vector"],
        "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H"
    );
}

#[test]
fn cyclonedx_suppressed_components_get_an_entry_with_their_analysis() {
    let doc = cdx(&sboms::vulnerable(), SpecVersion::V1_6);
    let open = by_ref(&doc, "vuln:GHSA-35jh-r3h4-6jhm");
    assert!(open.get("analysis").is_none(), "{open}");
    assert_eq!(
        open["affects"],
        json!([{"ref": "pkg:npm/lodash@4.17.19", "versions": [{"version": "4.17.19", "status": "affected"}]}])
    );
    let ignored = by_ref(&doc, "vuln:GHSA-35jh-r3h4-6jhm#2");
    assert_eq!(ignored["id"], "GHSA-35jh-r3h4-6jhm");
    assert_eq!(
        ignored["analysis"],
        json!({"detail": "ignored: dev-only build tooling, never shipped. (stated in bomscout-policy.toml)"}),
        "a policy ignore is no VEX state"
    );
    assert_eq!(ignored["affects"][0]["ref"], "pkg:npm/lodash@4.17.20");
    assert_eq!(ignored["affects"][0]["versions"][0]["status"], "affected");

    let vex = by_ref(&doc, "vuln:GHSA-9wx4-h78v-vm56");
    assert_eq!(
        vex["analysis"],
        json!({"state": "not_affected", "justification": "code_not_reachable",
            "detail": "not_affected: vulnerable_code_not_in_execute_path. No session is ever created with verify=False. (stated in vex/openvex.json)"})
    );
    assert_eq!(vex["affects"][0]["versions"][0]["status"], "unaffected");
}

#[test]
fn findings_on_components_not_in_the_document_are_left_out() {
    // `--no-dev` drops lodash 4.17.20 after matching: no dangling ref may remain.
    let sbom = sboms::vulnerable().without_dev();
    let doc = cdx(&sbom, SpecVersion::V1_6);
    let text = doc["vulnerabilities"].to_string();
    assert!(!text.contains("lodash@4.17.20"), "{text}");
    assert!(text.contains("lodash@4.17.19"));
    assert!(errors(&load_schema("cyclonedx/bom-1.6.SNAPSHOT.schema.json"), &doc).is_empty());
    let mut only_gone = sboms::vulnerable();
    only_gone.components.retain(|c| c.name != "Jinja2");
    let doc = cdx(&only_gone, SpecVersion::V1_6);
    assert!(!doc["vulnerabilities"]
        .to_string()
        .contains("PYSEC-2019-217"));
}

#[test]
fn cyclonedx_without_vulnerabilities_has_no_field() {
    let doc = cdx(&sboms::sample(), SpecVersion::V1_6);
    assert!(doc.get("vulnerabilities").is_none());
    let xml = render(
        Format::CycloneDxXml,
        &sboms::sample(),
        &cdx_settings(SpecVersion::V1_6),
    );
    assert!(!xml.contains("<vulnerabilities"));
}

/// XSD validation asks Python's `xmlschema` (as tests/outputs.rs does): under CI a missing
/// validator fails the test; elsewhere it says so and checks the content only.
#[test]
#[allow(clippy::print_stderr)] // says why a check was skipped
fn cyclonedx_xml_with_vulnerabilities_is_valid_against_every_xsd() {
    let have_validator = std::process::Command::new("python3")
        .args(["-c", "import xmlschema"])
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        have_validator || std::env::var_os("CI").is_none(),
        "CI must have python3 -m pip install xmlschema"
    );
    let dir = tempfile::tempdir().unwrap();
    for v in SpecVersion::ALL {
        let xml = render(Format::CycloneDxXml, &sboms::vulnerable(), &cdx_settings(v));
        assert!(
            xml.contains("<vulnerability bom-ref=\"vuln:GHSA-jfh8-c2jp-5v3q\">"),
            "{xml}"
        );
        assert!(xml.contains("<score>10.0</score>"));
        assert!(xml.contains("<recommendation>Upgrade to 2.15.0.</recommendation>"));
        assert!(xml.contains(
            "<target>\n          <ref>pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1</ref>"
        ), "{xml}");
        let method4 = if v >= SpecVersion::V1_5 {
            "CVSSv4"
        } else {
            "other"
        };
        assert!(xml.contains(&format!("<method>{method4}</method>")));
        if !have_validator {
            eprintln!(
                "python3 xmlschema not installed: XSD validation of CycloneDX {} skipped",
                v.as_str()
            );
            continue;
        }
        let path = dir.path().join(format!("bom-{}.xml", v.as_str()));
        std::fs::write(&path, &xml).unwrap();
        let xsd = schemas().join(format!("cyclonedx/bom-{}.SNAPSHOT.xsd", v.as_str()));
        let check = std::process::Command::new("python3")
            .args(["-c", "import sys, xmlschema; s = xmlschema.XMLSchema(sys.argv[1]); errs = list(s.iter_errors(sys.argv[2])); [print(e) for e in errs[:5]]; sys.exit(1 if errs else 0)"])
            .arg(&xsd)
            .arg(&path)
            .output()
            .unwrap();
        assert!(
            check.status.success(),
            "CycloneDX {} XML: {}",
            v.as_str(),
            String::from_utf8_lossy(&check.stdout)
        );
    }
}

fn spdx_json(sbom: &Sbom) -> Value {
    serde_json::from_str(&sboms::render(Format::SpdxJson, sbom)).unwrap()
}

fn package_named<'a>(doc: &'a Value, name: &str, version: &str) -> &'a Value {
    doc["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == name && p["versionInfo"] == version)
        .unwrap_or_else(|| panic!("no package {name} {version}"))
}

const LOG4J_COMMENT: &str = "GHSA-jfh8-c2jp-5v3q (CVE-2021-44228): Remote code injection in Log4j. Severity critical (CVSS 10.0). Fixed in 2.15.0.";

#[test]
fn spdx_2_3_affected_packages_carry_security_advisory_refs() {
    let doc = spdx_json(&sboms::vulnerable());
    let errs = errors(&load_schema("spdx/spdx-schema-2.3.json"), &doc);
    assert!(errs.is_empty(), "{errs:#?}");
    let log4j = package_named(&doc, "org.apache.logging.log4j/log4j-core", "2.14.1");
    assert_eq!(
        log4j["externalRefs"],
        json!([
            {"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl",
             "referenceLocator": "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"},
            {"referenceCategory": "SECURITY", "referenceType": "advisory",
             "referenceLocator": "https://github.com/advisories/GHSA-jfh8-c2jp-5v3q",
             "comment": LOG4J_COMMENT},
            {"referenceCategory": "SECURITY", "referenceType": "fix",
             "referenceLocator": "https://github.com/apache/logging-log4j2/pull/608",
             "comment": "The fix of GHSA-jfh8-c2jp-5v3q."}
        ])
    );
    let requests = package_named(&doc, "requests", "2.31.0");
    assert_eq!(
        requests["externalRefs"][1]["comment"],
        "GHSA-9wx4-h78v-vm56 (CVE-2024-35195): Requests `Session` object does not verify requests after making first request with verify=False. Severity medium (CVSS 5.6). Fixed in 2.32.0. Suppressed: not_affected: vulnerable_code_not_in_execute_path. No session is ever created with verify=False. (stated in vex/openvex.json)"
    );
    let jinja = package_named(&doc, "Jinja2", "2.10");
    assert_eq!(
        jinja["externalRefs"][1]["comment"],
        "PYSEC-2019-217 (CVE-2019-10906, GHSA-462w-v97r-4m45). Severity unknown. Fixed in 2.10.1."
    );
    assert_eq!(
        jinja["externalRefs"][1]["referenceLocator"],
        "https://osv.dev/vulnerability/PYSEC-2019-217"
    );
    // A package without findings has no SECURITY reference.
    let starter = package_named(
        &doc,
        "org.springframework.boot/spring-boot-starter-log4j2",
        "2.6.1",
    );
    assert_eq!(starter["externalRefs"].as_array().unwrap().len(), 1);
}

#[test]
fn spdx_tag_value_writes_the_same_security_refs() {
    let text = sboms::render(Format::SpdxTagValue, &sboms::vulnerable());
    assert!(
        text.contains(&format!(
            "ExternalRef: SECURITY advisory https://github.com/advisories/GHSA-jfh8-c2jp-5v3q\nExternalRefComment: <text>{LOG4J_COMMENT}</text>\n"
        )),
        "{text}"
    );
    assert_eq!(text.matches("ExternalRef: SECURITY advisory ").count(), 5);
    assert!(
        text.contains(
            "ExternalRef: SECURITY fix https://github.com/apache/logging-log4j2/pull/608\n"
        ),
        "OSV's FIX references are SPDX fix references: {text}"
    );
}

#[test]
fn findings_change_the_document_identity() {
    let plain = {
        let mut s = sboms::vulnerable();
        s.vulnerabilities.clear();
        s
    };
    let a = spdx_json(&plain);
    let b = spdx_json(&sboms::vulnerable());
    assert_ne!(a["documentNamespace"], b["documentNamespace"]);
    let a = cdx(&plain, SpecVersion::V1_6);
    let b = cdx(&sboms::vulnerable(), SpecVersion::V1_6);
    assert_ne!(a["serialNumber"], b["serialNumber"]);
}

fn spdx3(sbom: &Sbom) -> Value {
    serde_json::from_str(&sboms::render(Format::Spdx3Json, sbom)).unwrap()
}

fn of_type<'a>(doc: &'a Value, ty: &str) -> Vec<&'a Value> {
    doc["@graph"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"] == ty)
        .collect()
}

fn name_of(doc: &Value, iri: &Value) -> String {
    let e = doc["@graph"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["spdxId"] == *iri)
        .unwrap_or_else(|| panic!("{iri} is not in the graph"));
    match e["software_packageVersion"].as_str() {
        Some(v) => format!("{} {v}", e["name"].as_str().unwrap()),
        None => e["name"].as_str().unwrap().to_string(),
    }
}

#[test]
fn spdx_3_security_elements_are_valid_and_linked() {
    let doc = spdx3(&sboms::vulnerable());
    let errs = errors(&load_schema("spdx/spdx-json-schema-3.0.1.json"), &doc);
    assert!(errs.is_empty(), "{errs:#?}");
    let document = of_type(&doc, "SpdxDocument")[0];
    assert!(document["profileConformance"]
        .as_array()
        .unwrap()
        .contains(&json!("security")));

    let vulns = of_type(&doc, "security_Vulnerability");
    assert_eq!(vulns.len(), 4);
    let log4j = vulns
        .iter()
        .find(|v| v["name"] == "GHSA-jfh8-c2jp-5v3q")
        .unwrap();
    assert_eq!(
        log4j["externalIdentifier"],
        json!([
            {"type": "ExternalIdentifier", "externalIdentifierType": "securityOther",
             "identifier": "GHSA-jfh8-c2jp-5v3q",
             "identifierLocator": ["https://github.com/advisories/GHSA-jfh8-c2jp-5v3q"]},
            {"type": "ExternalIdentifier", "externalIdentifierType": "cve",
             "identifier": "CVE-2021-44228",
             "identifierLocator": ["https://nvd.nist.gov/vuln/detail/CVE-2021-44228"]}
        ])
    );
    assert_eq!(log4j["summary"], "Remote code injection in Log4j");
    assert_eq!(log4j["security_publishedTime"], "2021-12-10T00:40:56Z");
    assert_eq!(
        log4j["externalRef"][0]["locator"][1],
        "https://github.com/apache/logging-log4j2/pull/608"
    );

    let v3: Vec<&Value> = of_type(&doc, "security_CvssV3VulnAssessmentRelationship")
        .into_iter()
        .filter(|r| r["from"] == log4j["spdxId"])
        .collect();
    assert_eq!(v3.len(), 1);
    assert_eq!(v3[0]["relationshipType"], "hasAssessmentFor");
    assert_eq!(v3[0]["security_score"], 10.0);
    assert_eq!(v3[0]["security_severity"], "critical");
    assert_eq!(
        v3[0]["security_vectorString"],
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H"
    );
    assert_eq!(
        name_of(&doc, &v3[0]["to"][0]),
        "org.apache.logging.log4j/log4j-core 2.14.1"
    );
    let v4 = of_type(&doc, "security_CvssV4VulnAssessmentRelationship");
    assert_eq!(v4.len(), 1);
    assert_eq!(v4[0]["from"], log4j["spdxId"]);

    // (vulnerability, relationship, target) for every VEX relationship.
    let mut vex: Vec<(String, String, String)> = Vec::new();
    for ty in [
        "security_VexAffectedVulnAssessmentRelationship",
        "security_VexNotAffectedVulnAssessmentRelationship",
        "security_VexFixedVulnAssessmentRelationship",
    ] {
        for r in of_type(&doc, ty) {
            for to in r["to"].as_array().unwrap() {
                vex.push((
                    name_of(&doc, &r["from"]),
                    r["relationshipType"].as_str().unwrap().to_string(),
                    name_of(&doc, to),
                ));
            }
        }
    }
    vex.sort();
    let t = |a: &str, b: &str, c: &str| (a.to_string(), b.to_string(), c.to_string());
    assert_eq!(
        vex,
        vec![
            t("GHSA-35jh-r3h4-6jhm", "affects", "lodash 4.17.19"),
            t("GHSA-35jh-r3h4-6jhm", "affects", "lodash 4.17.20"),
            t("GHSA-35jh-r3h4-6jhm", "fixedIn", "lodash 4.17.21"),
            t("GHSA-35jh-r3h4-6jhm", "fixedIn", "lodash 4.17.21"),
            t("GHSA-9wx4-h78v-vm56", "doesNotAffect", "requests 2.31.0"),
            t("GHSA-9wx4-h78v-vm56", "fixedIn", "requests 2.32.0"),
            t(
                "GHSA-jfh8-c2jp-5v3q",
                "affects",
                "org.apache.logging.log4j/log4j-core 2.14.1"
            ),
            t(
                "GHSA-jfh8-c2jp-5v3q",
                "fixedIn",
                "org.apache.logging.log4j/log4j-core 2.15.0"
            ),
            t("PYSEC-2019-217", "affects", "Jinja2 2.10"),
            t("PYSEC-2019-217", "fixedIn", "Jinja2 2.10.1"),
        ]
    );
    let not_affected = of_type(&doc, "security_VexNotAffectedVulnAssessmentRelationship");
    assert_eq!(
        not_affected[0]["security_justificationType"],
        "vulnerableCodeNotInExecutePath"
    );
    let affected = of_type(&doc, "security_VexAffectedVulnAssessmentRelationship");
    let log4j_action = affected
        .iter()
        .find(|r| r["from"] == log4j["spdxId"])
        .unwrap();
    assert_eq!(
        log4j_action["security_actionStatement"],
        "Upgrade to 2.15.0."
    );
    let ignored: Vec<_> = affected
        .iter()
        .filter(|r| r.get("security_statusNotes").is_some())
        .collect();
    assert_eq!(ignored.len(), 1, "the policy ignore stays affected, noted");
    assert_eq!(
        ignored[0]["security_statusNotes"],
        "ignored: dev-only build tooling, never shipped. (stated in bomscout-policy.toml)"
    );

    // The fixed versions are one element each, listed by the document, not by the SBOM.
    let fixed: Vec<&Value> = of_type(&doc, "software_Package")
        .into_iter()
        .filter(|p| p["spdxId"].as_str().unwrap().contains("SPDXRef-Fixed-"))
        .collect();
    assert_eq!(fixed.len(), 4);
    let sbom_el = of_type(&doc, "software_Sbom")[0];
    for f in fixed {
        assert!(!sbom_el["element"]
            .as_array()
            .unwrap()
            .contains(&f["spdxId"]));
        assert!(document["element"]
            .as_array()
            .unwrap()
            .contains(&f["spdxId"]));
    }
}

#[test]
fn spdx_3_a_fix_the_document_already_holds_points_at_its_package() {
    let mut sbom = sboms::vulnerable();
    // The fixed lodash is in the tree too (another project locks it).
    let mut cat = bomscout_core::Catalog::default();
    let fixed = cat.add_package(
        bomscout_core::Component::new(bomscout_core::Ecosystem::Npm, None, "lodash", "4.17.21")
            .unwrap(),
    );
    let mut p = bomscout_core::Project::new(bomscout_core::Ecosystem::Npm, "new/package-lock.json");
    p.add_dep(fixed, bomscout_core::DepKind::Normal);
    cat.add_project(p);
    let mut builder = bomscout_core::SbomBuilder::new("org");
    builder.add(cat);
    let extra = builder.finish();
    sbom.components.extend(extra.components);
    sbom.components.sort_by_key(|c| c.key());
    let doc = spdx3(&sbom);
    let package = of_type(&doc, "software_Package")
        .into_iter()
        .find(|p| p["software_packageUrl"] == "pkg:npm/lodash@4.17.21")
        .unwrap();
    assert!(package["spdxId"]
        .as_str()
        .unwrap()
        .contains("SPDXRef-Package-"));
    let fixed_in: Vec<_> = of_type(&doc, "security_VexFixedVulnAssessmentRelationship")
        .into_iter()
        .filter(|r| r["to"][0] == package["spdxId"])
        .collect();
    assert_eq!(fixed_in.len(), 2);
}

#[test]
#[allow(clippy::print_stderr)] // says why a check was skipped
fn hostile_advisory_text_stays_inside_its_field_in_every_format() {
    let sbom = sboms::hostile_findings();
    for v in SpecVersion::ALL {
        let doc = cdx(&sbom, v);
        let file = format!("cyclonedx/bom-{}.SNAPSHOT.schema.json", v.as_str());
        let errs = errors(&load_schema(&file), &doc);
        assert!(errs.is_empty(), "CycloneDX {}: {errs:#?}", v.as_str());
    }
    let doc = cdx(&sbom, SpecVersion::V1_6);
    let entry = doc["vulnerabilities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == "PYSEC-x\nSPDXID: SPDXRef-DOCUMENT")
        .unwrap();
    assert!(entry.get("published").is_none() && entry.get("updated").is_none());
    assert_eq!(
        entry["advisories"],
        json!([{"url": "https://example.invalid/advisory?id=1&x=2"}]),
        "only web URLs"
    );
    assert!(
        entry["ratings"][0].get("score").is_none(),
        "NaN is no score"
    );

    let xml = render(
        Format::CycloneDxXml,
        &sbom,
        &cdx_settings(SpecVersion::V1_6),
    );
    assert!(
        !xml.contains("<script>") && !xml.contains("<img"),
        "markup escaped"
    );
    assert!(!xml
        .chars()
        .any(|c| c < ' ' && !matches!(c, '\t' | '\n' | '\r')));
    if std::process::Command::new("python3")
        .args(["-c", "import xmlschema"])
        .status()
        .is_ok_and(|s| s.success())
    {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bom.xml");
        std::fs::write(&path, &xml).unwrap();
        let check = std::process::Command::new("python3")
            .args(["-c", "import sys, xmlschema; s = xmlschema.XMLSchema(sys.argv[1]); errs = list(s.iter_errors(sys.argv[2])); [print(e) for e in errs[:5]]; sys.exit(1 if errs else 0)"])
            .arg(schemas().join("cyclonedx/bom-1.6.SNAPSHOT.xsd"))
            .arg(&path)
            .output()
            .unwrap();
        assert!(
            check.status.success(),
            "{}",
            String::from_utf8_lossy(&check.stdout)
        );
    } else {
        eprintln!("python3 xmlschema not installed: XSD validation skipped");
    }

    let spdx = spdx_json(&sbom);
    assert!(errors(&load_schema("spdx/spdx-schema-2.3.json"), &spdx).is_empty());
    let jinja = package_named(&spdx, "Jinja2", "2.10");
    assert_eq!(
        jinja["externalRefs"][1]["referenceLocator"], "https://example.invalid/advisory?id=1&x=2",
        "an id that cannot be a URL falls back to a reference"
    );
    // The tag-value reader of tests/spdx_tag_value.rs reads this document too (it is in
    // `sboms::all()`): no value starts a tag of its own.
    let tv = sboms::render(Format::SpdxTagValue, &sbom);
    assert!(tv.contains(
        "ExternalRefComment: <text>PYSEC-x\nSPDXID: SPDXRef-DOCUMENT (CVE-2019-10906 <b>): evil</ text>\nLicenseID: x"
    ), "{tv}");

    let doc3 = spdx3(&sbom);
    let errs = errors(&load_schema("spdx/spdx-json-schema-3.0.1.json"), &doc3);
    assert!(errs.is_empty(), "{errs:#?}");
    let vuln = of_type(&doc3, "security_Vulnerability")
        .into_iter()
        .find(|v| v["name"] == "PYSEC-x\nSPDXID: SPDXRef-DOCUMENT")
        .unwrap();
    assert!(vuln.get("security_publishedTime").is_none());
    assert_eq!(
        vuln["externalIdentifier"][0]
            .get("identifierLocator")
            .unwrap()[0],
        "https://example.invalid/advisory?id=1&x=2"
    );
}

#[test]
fn bomscout_json_carries_findings_field_by_field() {
    let text = sboms::render(Format::Json, &sboms::vulnerable());
    assert_eq!(
        text,
        sboms::render(Format::Json, &sboms::vulnerable()),
        "stable"
    );
    let doc: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(doc["bomscout_json_version"], 1);
    let vulns = doc["vulnerabilities"].as_array().unwrap();
    let ids: Vec<&str> = vulns
        .iter()
        .map(|v| v["advisory"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "GHSA-35jh-r3h4-6jhm",
            "GHSA-9wx4-h78v-vm56",
            "GHSA-jfh8-c2jp-5v3q",
            "PYSEC-2019-217"
        ]
    );
    assert_eq!(
        vulns[1],
        json!({
            "advisory": {
                "id": "GHSA-9wx4-h78v-vm56",
                "aliases": ["CVE-2024-35195"],
                "summary": "Requests `Session` object does not verify requests after making first request with verify=False",
                "severity": "medium",
                "ratings": [{"method": "CVSSv31", "score": 5.6,
                    "vector": "CVSS:3.1/AV:L/AC:H/PR:H/UI:R/S:U/C:H/I:H/A:N", "severity": "medium"}],
                "references": [
                    "https://github.com/psf/requests/security/advisories/GHSA-9wx4-h78v-vm56",
                    "https://github.com/psf/requests/pull/6655"
                ],
                "fixes": ["https://github.com/psf/requests/pull/6655"],
                "published": "2024-05-20T20:15:00Z",
                "source": {"name": "OSV", "url": "advisories/PyPI/GHSA-9wx4-h78v-vm56.json"}
            },
            "affects": [{
                "component": "pkg:pypi/requests@2.31.0",
                "version": "2.31.0",
                "fixed": "2.32.0",
                "suppressed": {
                    "state": "not_affected",
                    "justification": "vulnerable_code_not_in_execute_path",
                    "detail": "No session is ever created with verify=False.",
                    "source": "vex/openvex.json"
                }
            }]
        })
    );
    assert_eq!(vulns[3]["advisory"]["severity"], "unknown");
    assert!(vulns[3]["advisory"].get("ratings").is_none());
    let plain: Value =
        serde_json::from_str(&sboms::render(Format::Json, &sboms::sample())).unwrap();
    assert!(
        plain.get("vulnerabilities").is_none(),
        "absent without findings"
    );
}

#[test]
fn cyclonedx_each_distinct_suppression_gets_its_own_entry_and_ref() {
    let mut sbom = sboms::vulnerable();
    // Both lodash findings suppressed, for different reasons: no unsuppressed entry.
    sbom.vulnerabilities[0].affects[0].suppressed = Some(bomscout_core::vuln::Suppression {
        state: "false_positive".into(),
        justification: None,
        detail: Some("vendored copy, patched".into()),
        source: "vex/cdx-vex.json".into(),
    });
    let doc = cdx(&sbom, SpecVersion::V1_5);
    assert!(errors(&load_schema("cyclonedx/bom-1.5.SNAPSHOT.schema.json"), &doc).is_empty());
    let lodash: Vec<&Value> = doc["vulnerabilities"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["id"] == "GHSA-35jh-r3h4-6jhm")
        .collect();
    assert_eq!(lodash.len(), 2);
    assert_eq!(lodash[0]["bom-ref"], "vuln:GHSA-35jh-r3h4-6jhm");
    assert_eq!(
        lodash[0]["analysis"],
        json!({"state": "false_positive", "detail": "false_positive. vendored copy, patched (stated in vex/cdx-vex.json)"})
    );
    assert_eq!(lodash[0]["affects"][0]["ref"], "pkg:npm/lodash@4.17.19");
    assert_eq!(lodash[1]["bom-ref"], "vuln:GHSA-35jh-r3h4-6jhm#2");
    assert_eq!(lodash[1]["affects"][0]["ref"], "pkg:npm/lodash@4.17.20");
}
