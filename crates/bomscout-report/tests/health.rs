//! What `--enrich` adds to every output: suppliers, the source repository, upkeep facts
//! (OpenSSF Scorecard, archived, latest release) and licenses fetched online with the URL
//! that answered, in CycloneDX 1.4–1.7 (JSON and XML), SPDX 2.3 (JSON, tag-value), SPDX 3,
//! bomscout JSON, the tables and the NTIA check.

mod sboms;

use bomscout_report::{write, Format, Settings, SpecVersion};
use sboms::{enriched, schemas};
use serde_json::Value;

fn render_with(format: Format, settings: &Settings) -> String {
    let mut out = Vec::new();
    write(format, &enriched(), settings, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

fn cdx(v: SpecVersion) -> Value {
    let mut settings = sboms::settings();
    settings.cyclonedx_version = v;
    serde_json::from_str(&render_with(Format::CycloneDxJson, &settings)).unwrap()
}

fn component<'a>(doc: &'a Value, name: &str) -> &'a Value {
    doc["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no {name}"))
}

fn property<'a>(c: &'a Value, name: &str) -> Vec<&'a str> {
    c["properties"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| p["name"] == name)
        .filter_map(|p| p["value"].as_str())
        .collect()
}

const API: &str = "https://api.example.invalid/v3/systems/npm/packages/lodash/versions/4.17.21";

#[test]
fn cyclonedx_carries_supplier_repository_and_upkeep_in_every_version() {
    for v in SpecVersion::ALL {
        let doc = cdx(v);
        let lodash = component(&doc, "lodash");
        assert_eq!(lodash["supplier"]["name"], "OpenJS Foundation");
        assert_eq!(
            property(lodash, "bomscout:supplier"),
            ["OpenJS Foundation"],
            "kept as a property"
        );
        assert_eq!(
            lodash["externalReferences"],
            serde_json::json!([{"type": "vcs", "url": "https://github.com/lodash/lodash"}])
        );
        assert_eq!(property(lodash, "bomscout:scorecard"), ["3.2"]);
        assert_eq!(property(lodash, "bomscout:scorecard-date"), ["2026-11-30"]);
        assert_eq!(
            property(lodash, "bomscout:scorecard-failing"),
            ["Maintained=0,Code-Review=2"]
        );
        assert_eq!(property(lodash, "bomscout:archived"), ["false"]);
        assert_eq!(property(lodash, "bomscout:latest-version"), ["4.17.21"]);
        assert_eq!(property(lodash, "bomscout:latest-release"), ["2021-02-20"]);
        assert_eq!(property(lodash, "bomscout:health-source"), [API]);
        let ms = component(&doc, "ms");
        assert_eq!(property(ms, "bomscout:archived"), ["true"]);
        assert_eq!(ms["supplier"]["name"], "Guillermo Rauch");
        let debug = component(&doc, "debug");
        assert!(
            debug.get("externalReferences").is_none(),
            "a repository that is no URL is left out: {debug}"
        );
        assert_eq!(
            debug["supplier"]["name"],
            "Evil PackageName: forged </name> \"q\" x"
        );
        assert!(component(&doc, "core").get("supplier").is_none());
    }
}

#[test]
fn a_license_fetched_online_keeps_its_url_and_ranks_below_local_evidence() {
    let doc = cdx(SpecVersion::V1_6);
    // lodash declares MIT in its lockfile and deps.dev says MIT too: the declared one is
    // chosen, the fetched one is evidence.
    let lodash = component(&doc, "lodash");
    assert_eq!(
        property(lodash, "bomscout:license-source"),
        ["package-lock.json#license"]
    );
    assert_eq!(
        lodash["evidence"]["licenses"],
        serde_json::json!([{"license": {"id": "MIT"}}])
    );
    // left-pad had no license at all: the registry's is chosen, acknowledged as declared,
    // and its evidence is the URL that answered (no `#field` fragment).
    let left_pad = component(&doc, "left-pad");
    assert_eq!(
        left_pad["licenses"],
        serde_json::json!([{"license": {"id": "Apache-2.0", "acknowledgement": "declared"}}])
    );
    assert_eq!(
        property(left_pad, "bomscout:license-source"),
        ["https://registry.example.invalid/some/pkg/1.0.0"]
    );
}

/// XSD validation asks Python's `xmlschema` (as tests/vulnerabilities.rs does): under CI a
/// missing validator fails the test; elsewhere it says so and checks the content only.
#[test]
#[allow(clippy::print_stderr)]
fn cyclonedx_xml_with_supplier_and_references_is_valid_against_every_xsd() {
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
        let mut settings = sboms::settings();
        settings.cyclonedx_version = v;
        let xml = render_with(Format::CycloneDxXml, &settings);
        assert!(
            xml.contains("<supplier>\n        <name>OpenJS Foundation</name>\n      </supplier>"),
            "{xml}"
        );
        assert!(
            xml.contains(
                "<reference type=\"vcs\">\n          <url>https://github.com/lodash/lodash</url>"
            ),
            "{xml}"
        );
        assert!(xml.contains("<property name=\"bomscout:scorecard\">3.2</property>"));
        assert!(
            xml.contains("<name>Evil PackageName: forged &lt;/name&gt; \"q\" x</name>")
                || xml.contains(
                    "<name>Evil PackageName: forged &lt;/name&gt; &quot;q&quot; x</name>"
                ),
            "{xml}"
        );
        if !have_validator {
            eprintln!("python3 xmlschema not installed: XSD validation skipped");
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

fn spdx_package<'a>(doc: &'a Value, name: &str) -> &'a Value {
    doc["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == name)
        .unwrap_or_else(|| panic!("no {name}"))
}

#[test]
fn spdx_2_3_names_the_supplier_as_organization_or_person() {
    let doc: Value =
        serde_json::from_str(&render_with(Format::SpdxJson, &sboms::settings())).unwrap();
    assert_eq!(
        spdx_package(&doc, "lodash")["supplier"],
        "Organization: OpenJS Foundation"
    );
    assert_eq!(
        spdx_package(&doc, "ms")["supplier"],
        "Person: Guillermo Rauch (rauchg@example.org)"
    );
    assert_eq!(spdx_package(&doc, "left-pad")["supplier"], "NOASSERTION");
    assert_eq!(
        spdx_package(&doc, "lodash")["downloadLocation"],
        "NOASSERTION",
        "unchanged by enrichment"
    );
    let tv = render_with(Format::SpdxTagValue, &sboms::settings());
    assert!(
        tv.contains("PackageSupplier: Organization: OpenJS Foundation\n"),
        "{tv}"
    );
    assert!(
        tv.contains("PackageSupplier: Organization: Evil PackageName: forged </name> \"q\" x\nPackageDownloadLocation: "),
        "a supplier stays on its line: {tv}"
    );
}

/// The SPDX project's own tools read the documents, when installed
/// (`pip install spdx-tools`); the schema tests run either way.
#[test]
#[allow(clippy::print_stderr)]
fn spdx_tools_accept_the_enriched_documents() {
    let have = std::process::Command::new("pyspdxtools")
        .arg("--help")
        .output()
        .is_ok_and(|o| o.status.success());
    if !have {
        eprintln!("pyspdxtools not installed: skipped");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    for (format, file) in [
        (Format::SpdxJson, "bom.spdx.json"),
        (Format::SpdxTagValue, "bom.spdx"),
    ] {
        let path = dir.path().join(file);
        std::fs::write(&path, render_with(format, &sboms::settings())).unwrap();
        let out = std::process::Command::new("pyspdxtools")
            .arg("-i")
            .arg(&path)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{file}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn spdx_3_points_supplied_by_at_one_agent_per_supplier() {
    let doc: Value =
        serde_json::from_str(&render_with(Format::Spdx3Json, &sboms::settings())).unwrap();
    let graph = doc["@graph"].as_array().unwrap();
    let by_id = |id: &str| graph.iter().find(|e| e["spdxId"] == id).cloned();
    let package = |name: &str| {
        graph
            .iter()
            .find(|e| e["type"] == "software_Package" && e["name"] == name)
            .unwrap()
    };
    let org = by_id(package("lodash")["suppliedBy"].as_str().unwrap()).unwrap();
    assert_eq!(org["type"], "Organization");
    assert_eq!(org["name"], "OpenJS Foundation");
    let person = by_id(package("ms")["suppliedBy"].as_str().unwrap()).unwrap();
    assert_eq!(person["type"], "Person");
    assert_eq!(
        person["externalIdentifier"][0]["identifier"],
        "rauchg@example.org"
    );
    assert!(package("left-pad").get("suppliedBy").is_none());
    let agents = graph
        .iter()
        .filter(|e| e["type"] == "Organization" || e["type"] == "Person")
        .count();
    assert_eq!(agents, 3, "lodash's, ms's and debug's suppliers, once each");
}

#[test]
fn bomscout_json_carries_health_and_the_table_a_scorecard_column() {
    let json: Value = serde_json::from_str(&render_with(Format::Json, &sboms::settings())).unwrap();
    let lodash = json["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "lodash")
        .unwrap();
    assert_eq!(
        lodash["health"]["scorecard"]["score"]
            .as_f64()
            .map(|s| (s * 10.0).round()),
        Some(32.0)
    );
    assert_eq!(
        lodash["health"]["scorecard"]["failing"][0]["name"],
        "Maintained"
    );
    assert_eq!(
        lodash["health"]["repository"],
        "https://github.com/lodash/lodash"
    );
    assert_eq!(lodash["health"]["sources"][0], API);
    let table = render_with(Format::Table, &sboms::settings());
    let header = table.lines().next().unwrap();
    assert!(header.contains("SCORECARD"), "{table}");
    let row = table.lines().find(|l| l.starts_with("lodash ")).unwrap();
    assert!(row.contains(" 3.2 "), "{row}");
    let row = table.lines().find(|l| l.starts_with("ms ")).unwrap();
    assert!(row.contains(" - "), "{row}");
}

#[test]
fn a_filled_supplier_closes_the_ntia_supplier_gap() {
    let mut sbom = enriched();
    let before = bomscout_report::ntia::gaps(&sbom)
        .into_iter()
        .find(|g| g.element == "Supplier Name")
        .map(|g| g.missing)
        .unwrap();
    assert!(before > 0);
    for c in &mut sbom.components {
        c.properties
            .entry("supplier".into())
            .or_insert_with(|| "Some Org".into());
    }
    assert!(
        !bomscout_report::ntia::gaps(&sbom)
            .iter()
            .any(|g| g.element == "Supplier Name"),
        "every component has a supplier: no gap"
    );
}

#[test]
fn the_audit_table_gains_a_scorecard_column_when_any_vulnerable_package_has_one() {
    let mut sbom = sboms::vulnerable();
    let mut settings = sboms::settings();
    settings.table_width = None;
    let mut plain = Vec::new();
    bomscout_report::audit::write_table(&sbom, &settings, &mut plain).unwrap();
    assert!(!String::from_utf8(plain).unwrap().contains("SCORECARD"));
    for c in &mut sbom.components {
        if c.name == "lodash" {
            c.health = Some(Box::new(bomscout_core::Health {
                scorecard: Some(bomscout_core::Scorecard {
                    score: 3.2,
                    date: None,
                    failing: Vec::new(),
                }),
                ..Default::default()
            }));
        }
    }
    let mut out = Vec::new();
    bomscout_report::audit::write_table(&sbom, &settings, &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    let header = text.lines().next().unwrap();
    assert!(header.contains("  SCOPE     SCORECARD  PATH"), "{text}");
    let lodash = text.lines().find(|l| l.contains("lodash")).unwrap();
    assert!(
        lodash.contains("required  3.2        admin → lodash"),
        "{text}"
    );
    let log4j = text.lines().find(|l| l.contains("log4j-core")).unwrap();
    assert!(log4j.contains("required  -          shop → "), "{text}");
}
