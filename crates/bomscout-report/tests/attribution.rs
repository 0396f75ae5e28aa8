//! Copyright statements and NOTICE texts in every output: CycloneDX `copyright`, SPDX 2.3
//! `copyrightText` (NOASSERTION when none), SPDX 3 `software_copyrightText`, bomscout
//! JSON `copyrights` / `notices`, and the NOTICE file (texts grouped once, each
//! package's copyrights with them, Apache NOTICE files verbatim).

mod sboms;

use bomscout_core::{Catalog, Component, DepKind, Ecosystem, License, Location, Project, Sbom};
use bomscout_core::{SbomBuilder, SourceKind};
use bomscout_report::Format;
use sboms::render;
use serde_json::Value;

const EXPRESS: [&str; 2] = [
    "Copyright (c) 2009-2014 TJ Holowaychuk <tj@vision-media.ca>",
    "Copyright (c) 2013-2014 Roman Shtylman <shtylman+expressjs@gmail.com>",
];

/// A hostile NOTICE: a backtick run that would close a short fence, a terminal escape,
/// and Markdown that would be an image outside a fence.
const HOSTILE_NOTICE: &str =
    "Evil\n````\n![x](http://evil.invalid/px.png)\n\x1b]8;;x\x07link\n\tindented\n";

const APACHE_NOTICE: &str =
    "Requests\nCopyright 2019 Kenneth Reitz\n\nThis product includes software developed at\nhttps://example.invalid/.\n";

fn mit(c: &mut Component, path: &str) {
    let mut l = License::of_kind("MIT", path, "license", SourceKind::Declared);
    l.expression = Some("MIT".into());
    c.add_license(l);
}

/// express (MIT, two copyright lines), requests (Apache-2.0, a NOTICE), bare (MIT, no
/// copyright), evil (a hostile NOTICE), each found in `order`.
fn catalogs(reversed: bool) -> Vec<Catalog> {
    let lock = "package-lock.json";
    let mut express = Component::new(Ecosystem::Npm, None, "express", "4.21.2")
        .unwrap()
        .at(Location::new(lock));
    mit(&mut express, lock);
    for line in EXPRESS {
        express.add_copyright(line, "node_modules/express/LICENSE");
    }
    let mut bare = Component::new(Ecosystem::Npm, None, "bare", "1.0.0")
        .unwrap()
        .at(Location::new(lock));
    mit(&mut bare, lock);
    let mut evil = Component::new(Ecosystem::Npm, None, "evil", "0.0.1")
        .unwrap()
        .at(Location::new(lock));
    mit(&mut evil, lock);
    evil.add_notice(HOSTILE_NOTICE, "node_modules/evil/NOTICE");
    evil.add_copyright(
        "(c) 2020 <img src=x onerror=alert(1)>",
        "node_modules/evil/LICENSE",
    );

    let mut npm = Catalog::default();
    let ids: Vec<_> = [express, bare, evil]
        .into_iter()
        .map(|c| npm.add_package(c))
        .collect();
    let mut app = Project::new(Ecosystem::Npm, "package.json");
    for id in ids {
        app.add_dep(id, DepKind::Normal);
    }
    npm.add_project(app);

    // requests is found twice (two installs); each record has part of the attribution.
    let dist = "venv/lib/python3.11/site-packages/requests-2.34.2.dist-info";
    let record = |with_notice: bool| {
        let mut c = Component::new(Ecosystem::PyPI, None, "requests", "2.34.2")
            .unwrap()
            .at(Location::new(format!("{dist}/METADATA")));
        let mut l = License::of_kind("Apache-2.0", dist, "License", SourceKind::Declared);
        l.expression = Some("Apache-2.0".into());
        c.add_license(l);
        if with_notice {
            c.add_notice(APACHE_NOTICE, &format!("{dist}/licenses/NOTICE"));
            c.add_copyright(
                "Copyright 2019 Kenneth Reitz",
                &format!("{dist}/licenses/NOTICE"),
            );
        } else {
            c.add_copyright("Copyright 2019 Kenneth Reitz", "other/NOTICE");
        }
        c
    };
    let mut py = Catalog::default();
    let a = py.add_package(record(true));
    let b = py.add_package(record(false));
    let mut svc = Project::new(Ecosystem::PyPI, "pyproject.toml");
    svc.add_dep(a, DepKind::Normal);
    svc.add_dep(b, DepKind::Normal);
    py.add_project(svc);

    let mut all = vec![npm, py];
    if reversed {
        all.reverse();
    }
    all
}

fn sbom(reversed: bool) -> Sbom {
    let mut b = SbomBuilder::new("attribution");
    for c in catalogs(reversed) {
        b.add(c);
    }
    b.finish()
}

fn json(format: Format, sbom: &Sbom) -> Value {
    serde_json::from_str(&render(format, sbom)).unwrap()
}

fn cdx_component<'a>(doc: &'a Value, name: &str) -> &'a Value {
    doc["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap()
}

#[test]
fn merged_records_keep_one_copy_of_each_statement() {
    let sbom = sbom(false);
    let requests = sbom
        .components
        .iter()
        .find(|c| c.name == "requests")
        .unwrap();
    assert_eq!(requests.copyrights.len(), 1);
    assert_eq!(requests.notices.len(), 1);
    assert_eq!(sbom.components, self::sbom(true).components);
}

#[test]
fn cyclonedx_carries_copyright_in_json_and_xml() {
    let sbom = sbom(false);
    let doc = json(Format::CycloneDxJson, &sbom);
    assert_eq!(
        cdx_component(&doc, "express")["copyright"],
        EXPRESS.join("\n")
    );
    assert!(cdx_component(&doc, "bare").get("copyright").is_none());

    let xml = render(Format::CycloneDxXml, &sbom);
    // The XSD's order: licenses, copyright, purl.
    let at = xml.find("<name>express</name>").unwrap();
    let rest = &xml[at..];
    let licenses = rest.find("</licenses>").unwrap();
    let copyright = rest
        .find(&format!(
            "<copyright>{}</copyright>",
            EXPRESS.join("\n").replace('<', "&lt;").replace('>', "&gt;")
        ))
        .unwrap();
    let purl = rest.find("<purl>").unwrap();
    assert!(licenses < copyright && copyright < purl, "{rest}");
}

#[test]
fn spdx_documents_carry_copyright_text() {
    let sbom = sbom(false);
    let doc = json(Format::SpdxJson, &sbom);
    let package = |name: &str| {
        doc["packages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .unwrap()
            .clone()
    };
    assert_eq!(package("express")["copyrightText"], EXPRESS.join("\n"));
    assert_eq!(package("bare")["copyrightText"], "NOASSERTION");

    let tv = render(Format::SpdxTagValue, &sbom);
    assert!(tv.contains(&format!(
        "PackageCopyrightText: <text>{}</text>",
        EXPRESS.join("\n")
    )));

    let v3 = json(Format::Spdx3Json, &sbom);
    let express = v3["@graph"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == "express")
        .unwrap();
    assert_eq!(express["software_copyrightText"], EXPRESS.join("\n"));
}

#[test]
fn bomscout_json_lists_copyrights_and_notices_with_their_files() {
    let doc = json(Format::Json, &sbom(false));
    let comps = doc["components"].as_array().unwrap();
    let express = comps.iter().find(|c| c["name"] == "express").unwrap();
    assert_eq!(
        express["copyrights"],
        serde_json::json!([
            {"text": EXPRESS[0], "path": "node_modules/express/LICENSE"},
            {"text": EXPRESS[1], "path": "node_modules/express/LICENSE"},
        ])
    );
    let requests = comps.iter().find(|c| c["name"] == "requests").unwrap();
    assert_eq!(
        requests["notices"][0]["path"],
        "venv/lib/python3.11/site-packages/requests-2.34.2.dist-info/licenses/NOTICE"
    );
    assert_eq!(requests["notices"][0]["text"], APACHE_NOTICE);
    let bare = comps.iter().find(|c| c["name"] == "bare").unwrap();
    assert!(bare.get("copyrights").is_none() && bare.get("notices").is_none());
}

#[test]
fn notice_groups_each_text_with_its_packages_and_their_copyrights() {
    let text = render(Format::Notice, &sbom(false));
    let rule = "=".repeat(80);
    assert!(
        text.contains(&format!(
            "{rule}\nMIT\n{rule}\n\nUsed by:\n\n  bare 1.0.0 (npm)\n  evil 0.0.1 (npm)\n    (c) 2020 <img src=x onerror=alert(1)>\n  express 4.21.2 (npm)\n    {}\n    {}\n\nMIT License\n",
            EXPRESS[0], EXPRESS[1]
        )),
        "{text}"
    );
    assert!(text.contains(&format!(
        "{rule}\nApache-2.0\n{rule}\n\nUsed by:\n\n  requests 2.34.2 (pypi)\n    Copyright 2019 Kenneth Reitz\n\nApache License\n"
    )));
    assert_eq!(text.matches("Permission is hereby granted").count(), 1);

    // NOTICE files verbatim, per package, after the license texts.
    let notices = text.split("\nNotices\n-------\n").nth(1).unwrap();
    let dashes = "-".repeat(80);
    assert!(notices.contains(&format!(
        "{dashes}\nrequests 2.34.2 (pypi): venv/lib/python3.11/site-packages/requests-2.34.2.dist-info/licenses/NOTICE\n{dashes}\n\n{}",
        APACHE_NOTICE
    )));
    // Control characters made visible, tabs and lines kept.
    assert!(notices.contains("evil 0.0.1 (npm): node_modules/evil/NOTICE\n"));
    assert!(notices.contains("\\x1b]8;;x\\x07link\n\tindented\n"));
    assert!(!text.contains('\x1b'));
}

#[test]
fn markdown_notice_fences_notice_texts_and_escapes_copyrights() {
    let md = render(Format::NoticeMarkdown, &sbom(false));
    assert!(md.contains(
        "\n### MIT\n\nUsed by:\n\n- **bare** 1.0.0 (npm)\n- **evil** 0.0.1 (npm)\n  - (c) 2020 \\<img src=x onerror=alert(1)\\>\n- **express** 4.21.2 (npm)\n  - Copyright (c) 2009-2014 TJ Holowaychuk \\<tj@vision-media.ca\\>\n"
    ), "{md}");
    let notices = md.split("\n## Notices\n").nth(1).unwrap();
    assert!(notices.contains(&format!(
        "\n### **requests** 2.34.2 (pypi)\n\nFrom venv/lib/python3.11/site-packages/requests-2.34.2.dist-info/licenses/NOTICE:\n\n```text\n{}```\n",
        APACHE_NOTICE
    )));
    // The hostile text cannot close its fence: the fence is longer than its backtick run.
    assert!(notices.contains("\n`````text\nEvil\n````\n![x](http://evil.invalid/px.png)\n"));
    assert!(!md.contains('\x1b'));
}

#[test]
fn notice_is_independent_of_the_order_records_arrive_in() {
    for format in [
        Format::Notice,
        Format::NoticeMarkdown,
        Format::CycloneDxJson,
    ] {
        assert_eq!(render(format, &sbom(false)), render(format, &sbom(true)));
    }
}
