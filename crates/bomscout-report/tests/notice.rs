//! NOTICE files: shipped components only, each license text once and sorted with the
//! components under it and their copyright lines, missing texts said plainly,
//! deterministic.

mod sboms;

use bomscout_report::Format;
use sboms::{render, sample, sample_reversed};

/// The license headings of the plain-text notice, in order.
fn license_headings(text: &str) -> Vec<&str> {
    let rule = "=".repeat(80);
    let lines: Vec<&str> = text.lines().collect();
    lines
        .windows(3)
        .filter(|w| w[0] == rule && w[2] == rule)
        .map(|w| w[1])
        .collect()
}

#[test]
fn notice_lists_shipped_components_and_each_license_once() {
    let text = render(Format::Notice, &sample());
    assert!(text.starts_with("Third-party software notices for monorepo\n"));
    assert!(text.contains(
        "Development-only dependencies (2) are not listed: they are not distributed with the product."
    ));
    // lodash and pytest are dev-only.
    assert!(!text.contains("\nlodash "));
    assert!(!text.contains("\npytest "));

    let components: Vec<&str> = text
        .lines()
        .skip_while(|l| *l != "Components")
        .take_while(|l| *l != "Licenses")
        .filter(|l| !l.is_empty() && !l.starts_with(' ') && !l.starts_with('-'))
        .skip(1)
        .collect();
    assert_eq!(
        components,
        [
            "@babel/core 7.24.0 (npm)",
            "cc 1.0.83 (cargo)",
            "curated 2.0 (pypi)",
            "debug 4.3.4 (npm)",
            "Foo_Bar 1.0 (pypi)",
            "fsevents 2.3.3 (npm)",
            "left-pad (unresolved: ^1.3.0) (npm)",
            "legacy 0.9 (pypi)",
            "ms 2.1.2 (npm)",
            "odd 0.1.0 (cargo)",
            "requests 2.31.0 (pypi)",
            "serde 1.0.197 (cargo)",
            "wasi 0.11.0 (cargo)",
        ]
    );
    assert!(text.contains("@babel/core 7.24.0 (npm)\n  License: MIT\n\n"));
    // Copyright lines go with the license text, under the component.
    let rule = "=".repeat(80);
    assert!(text.contains(&format!(
        "{rule}\nMIT\n{rule}\n\nUsed by:\n\n  @babel/core 7.24.0 (npm)\n    Copyright (c) 2014-present Sebastian McKenzie and other contributors\n  cc 1.0.83 (cargo)\n"
    )));
    // A component under several licenses is listed under each.
    assert!(text.contains(&format!(
        "{rule}\nApache-2.0\n{rule}\n\nUsed by:\n\n  cc 1.0.83 (cargo)\n  requests 2.31.0 (pypi)\n  serde 1.0.197 (cargo)\n  wasi 0.11.0 (cargo)\n\nApache License\n"
    )));
    // The curation wins over the package's own "BSD".
    assert!(text.contains("curated 2.0 (pypi)\n  License: BSD-3-Clause\n"));
    assert!(text.contains("left-pad (unresolved: ^1.3.0) (npm)\n  License: not declared (no license statement found)\n"));
    assert!(text.contains("requests 2.31.0 (pypi)\n  License: Apache-2.0\n"));

    assert_eq!(
        license_headings(&text),
        [
            "Apache-2.0",
            "BSD-3-Clause",
            "Copyright (c) 2001 Legacy Authors",
            "Custom Corp License",
            "LLVM-exception",
            "LicenseRef-Odd-1.0",
            "MIT",
            "No license statement found",
        ]
    );
    assert!(text.contains(
        "No license statement found\n================================================================================\n\nUsed by:\n\n  left-pad (unresolved: ^1.3.0) (npm)\n\nNo license statement was found for these components; review them before distributing.\n"
    ));
}

#[test]
fn license_texts_come_from_the_spdx_list_or_say_where_to_look() {
    let text = render(Format::Notice, &sample());
    let section = |id: &str| -> String {
        let rule = "=".repeat(80);
        let start = text.find(&format!("{rule}\n{id}\n{rule}\n")).unwrap();
        let body = &text[start + 2 * rule.len() + id.len() + 3..];
        let body = body.split(&format!("\n{rule}")).next().unwrap();
        // The components under the text come first: "Used by:", a blank line, the list.
        let (users, text) = body
            .trim_start()
            .strip_prefix("Used by:\n\n")
            .unwrap()
            .split_once("\n\n")
            .unwrap();
        assert!(!users.is_empty());
        text.trim().to_string()
    };
    assert!(section("MIT").contains("Permission is hereby granted, free of charge"));
    assert!(section("Apache-2.0").contains("Apache License"));
    assert!(section("LLVM-exception").contains("LLVM Exceptions to the Apache 2.0 License"));
    assert!(section("BSD-3-Clause").contains("Redistribution and use in source and binary forms"));
    // A statement that is itself a text is printed as found.
    assert_eq!(
        section("Copyright (c) 2001 Legacy Authors"),
        "Copyright (c) 2001 Legacy Authors\n\nPermission is granted to use this software."
    );
    assert_eq!(
        section("Custom Corp License"),
        "License text not available; see svc/poetry.lock (license)."
    );
    assert_eq!(
        section("LicenseRef-Odd-1.0"),
        "License text not available; see tool/Cargo.lock (license)."
    );
    assert_eq!(
        text.matches("Permission is hereby granted, free of charge")
            .count(),
        1
    );
}

#[test]
fn markdown_notice_fences_texts_and_escapes_names() {
    let md = render(Format::NoticeMarkdown, &sample());
    assert!(md.starts_with("# Third-party software notices for monorepo\n"));
    assert!(md.contains("- **@babel/core** 7.24.0 (npm): MIT\n- **cc**"));
    assert!(md.contains("\n### MIT\n\nUsed by:\n\n- **@babel/core** 7.24.0 (npm)\n  - Copyright (c) 2014-present Sebastian McKenzie and other contributors\n- **cc** 1.0.83 (cargo)\n"));
    assert!(md.contains("- **Foo\\_Bar** 1.0 (pypi): Custom Corp License\n"));
    assert!(md.contains("- **wasi** 0.11.0 (cargo)\n\n```text\nMIT License\n"));
    assert!(md.contains(
        "\n### Custom Corp License\n\nUsed by:\n\n- **Foo\\_Bar** 1.0 (pypi)\n\nLicense text not available; see svc/poetry.lock (license).\n"
    ));
    let headings: Vec<&str> = md.lines().filter(|l| l.starts_with("### ")).collect();
    assert_eq!(headings.len(), 8);
    assert!(!md.contains("## Notices"), "no NOTICE files, no section");

    let hostile = render(Format::NoticeMarkdown, &sboms::hostile());
    assert!(hostile.contains("- **x SPDXID: SPDXRef-DOCUMENT** 1.0.0 (npm): "));
    assert!(hostile.contains("\\<b\\>me\\</b\\>"));
}

#[test]
fn notice_is_byte_identical_across_runs_and_file_orders() {
    for format in [Format::Notice, Format::NoticeMarkdown] {
        let first = render(format, &sample());
        assert_eq!(first, render(format, &sample()));
        assert_eq!(first, render(format, &sample_reversed()));
    }
}

#[test]
fn an_empty_scan_gives_a_notice_that_says_so() {
    let sbom = bomscout_core::SbomBuilder::new("empty").finish();
    let text = render(Format::Notice, &sbom);
    assert!(text.contains("empty includes the 0 third-party component(s) listed below"));
    assert!(license_headings(&text).is_empty());
}
