//! The NOTICE file on real installed trees, checked against the license texts on disk:
//! every copyright line that a package's license or notice files hold (found here by a
//! plain line scan, independent of bomscout's extractor) is in the NOTICE, under that
//! package; Apache NOTICE files are reproduced verbatim. Fixtures: an npm install of
//! express (`fixtures/npm/attribution`), a Python site-packages
//! (`fixtures/python/installed`) and a `cargo vendor` tree (`fixtures/cargo/vendored`).

mod common;

use common::{bomscout, fixture};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A package directory on disk: its name and version, and its attribution files.
struct OnDisk {
    name: String,
    version: String,
    files: Vec<PathBuf>,
}

fn is_attribution_file(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    ["license", "licence", "copying", "notice", "copyright"]
        .iter()
        .any(|p| n.starts_with(p))
}

fn attribution_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .filter(|p| is_attribution_file(&p.file_name().unwrap().to_string_lossy()))
        .collect();
    let licenses = dir.join("licenses");
    if licenses.is_dir() {
        files.extend(attribution_files(&licenses));
    }
    files.sort();
    files
}

/// The copyright lines of a text, by a plain scan: a line that starts with `Copyright `,
/// `Copyright(`, `©` or `(c) <digit>`, minus the template lines of license texts
/// (`<year>`, `[yyyy]`, `<copyright holders>`) and the prose that starts a line in them
/// (`Copyright notice`, `Copyright and related rights`); whitespace collapsed.
fn grep_copyrights(text: &str) -> Vec<String> {
    text.lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|l| {
            l.starts_with("Copyright ")
                || l.starts_with("Copyright(")
                || l.starts_with('©')
                || l.to_lowercase()
                    .strip_prefix("(c) ")
                    .is_some_and(|r| r.starts_with(|c: char| c.is_ascii_digit()))
        })
        .filter(|l| {
            let lower = l.to_lowercase();
            ![
                "<year>",
                "[yyyy]",
                "<copyright holders>",
                "[name of copyright owner]",
            ]
            .iter()
            .any(|t| lower.contains(t))
                && !lower.starts_with("copyright notice")
                && !lower.starts_with("copyright and related")
        })
        .collect()
}

/// Name and version of the npm packages under `node_modules` (nested ones too).
fn npm_packages(root: &Path) -> Vec<OnDisk> {
    let mut out = Vec::new();
    let mut stack = vec![root.join("node_modules")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if !path.is_dir() {
                continue;
            }
            if name.starts_with('@') {
                stack.push(path);
                continue;
            }
            if let Ok(bytes) = std::fs::read(path.join("package.json")) {
                let doc: Value = serde_json::from_slice(&bytes).unwrap();
                out.push(OnDisk {
                    name: doc["name"].as_str().unwrap().to_string(),
                    version: doc["version"].as_str().unwrap().to_string(),
                    files: attribution_files(&path),
                });
            }
            if path.join("node_modules").is_dir() {
                stack.push(path.join("node_modules"));
            }
        }
    }
    out
}

fn header<'a>(text: &'a str, key: &str) -> &'a str {
    text.lines()
        .find_map(|l| l.strip_prefix(key))
        .unwrap()
        .trim()
        .trim_matches('"')
}

fn python_packages(site: &Path) -> Vec<OnDisk> {
    std::fs::read_dir(site)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "dist-info"))
        .map(|dir| {
            let meta = std::fs::read_to_string(dir.join("METADATA")).unwrap();
            OnDisk {
                name: header(&meta, "Name:").to_string(),
                version: header(&meta, "Version:").to_string(),
                files: attribution_files(&dir),
            }
        })
        .collect()
}

fn cargo_packages(vendor: &Path) -> Vec<OnDisk> {
    std::fs::read_dir(vendor)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .map(|dir| {
            let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap();
            let package = manifest.split("[package]").nth(1).unwrap();
            OnDisk {
                name: header(package, "name = ").to_string(),
                version: header(package, "version = ").to_string(),
                files: attribution_files(&dir),
            }
        })
        .collect()
}

/// The NOTICE's `Used by` blocks: `name version` → the copyright lines listed under it.
fn notice_copyrights(notice: &str) -> BTreeMap<String, BTreeSet<String>> {
    let licenses = notice
        .split("\nLicenses\n--------\n")
        .nth(1)
        .unwrap()
        .split("\nNotices\n-------\n")
        .next()
        .unwrap();
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut current: Option<String> = None;
    // A block: "Used by:", a blank line, the list, a blank line; then the license text.
    let (mut in_block, mut started) = (false, false);
    for line in licenses.lines() {
        if line == "Used by:" {
            (in_block, started, current) = (true, false, None);
        } else if line.is_empty() {
            in_block &= !started;
        } else if in_block {
            started = true;
            if let Some(c) = line.strip_prefix("    ") {
                let title = current
                    .as_ref()
                    .expect("a copyright line follows a component");
                out.entry(title.clone()).or_default().insert(c.to_string());
            } else if let Some(title) = line.strip_prefix("  ") {
                let title = title.rsplit_once(" (").map_or(title, |(t, _)| t);
                current = Some(title.to_string());
                out.entry(title.to_string()).or_default();
            }
        }
    }
    out
}

/// Scans `root`, and checks the NOTICE against the files on disk: every line there is in
/// the NOTICE under its package, and the NOTICE lists no other (no false positives).
/// Returns how many lines the shipped packages' files hold.
fn check(root: &Path, packages: Vec<OnDisk>) -> usize {
    let dir = tempfile::tempdir().unwrap();
    let notice_path = dir.path().join("NOTICE.txt");
    let markdown_path = dir.path().join("NOTICE.md");
    let out = bomscout()
        .arg("scan")
        .arg(root)
        .args(["--no-caches", "-o", "json"])
        .arg("-o")
        .arg(format!("notice={}", notice_path.display()))
        .arg("-o")
        .arg(format!("notice-markdown={}", markdown_path.display()))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    let notice = std::fs::read_to_string(&notice_path).unwrap();
    let markdown = std::fs::read_to_string(&markdown_path).unwrap();
    let listed = notice_copyrights(&notice);

    let shipped: BTreeSet<(String, String)> = json["components"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["scope"] != "dev")
        .map(|c| {
            let name = match c["namespace"].as_str() {
                Some(ns) => format!("{ns}/{}", c["name"].as_str().unwrap()),
                None => c["name"].as_str().unwrap().to_string(),
            };
            (name, c["version"].as_str().unwrap_or_default().to_string())
        })
        .collect();

    let mut expected = 0;
    let mut on_disk = BTreeSet::new();
    let mut missing = Vec::new();
    for p in &packages {
        if !shipped.contains(&(p.name.clone(), p.version.clone())) {
            continue;
        }
        let title = format!("{} {}", p.name, p.version);
        for file in &p.files {
            let text = String::from_utf8_lossy(&std::fs::read(file).unwrap()).into_owned();
            for line in grep_copyrights(&text) {
                expected += 1;
                on_disk.insert(line.clone());
                let under = listed.get(&title).is_some_and(|s| s.contains(&line));
                let md = bomscout_core::escape::markdown(&line);
                if !under || !markdown.contains(&format!("  - {md}\n")) {
                    missing.push(format!("{title}: {line} ({})", file.display()));
                }
            }
            let name = file.file_name().unwrap().to_string_lossy().to_lowercase();
            if name.starts_with("notice") {
                // Reproduced verbatim, under a heading naming the package.
                assert!(
                    notice.contains(&format!("\n{}\n", text.trim_end())),
                    "{}",
                    file.display()
                );
                assert!(notice.contains(&format!("\n{title} (")), "{title}");
            }
        }
    }
    assert!(
        missing.is_empty(),
        "missing from the NOTICE:\n{}",
        missing.join("\n")
    );
    assert!(expected > 0, "the fixture has copyright lines to check");
    let in_notice: BTreeSet<String> = listed.values().flatten().cloned().collect();
    assert_eq!(
        in_notice, on_disk,
        "the NOTICE lists only lines found on disk"
    );
    expected
}

#[test]
fn npm_install_notice_has_every_copyright_line_on_disk() {
    let root = fixture("npm/attribution");
    let packages = npm_packages(&root);
    assert!(packages.len() >= 70, "{}", packages.len());
    // 98 lines in 72 packages' files (65 distinct statements): a lockfile-only scan had none.
    assert_eq!(check(&root, packages), 98);
}

#[test]
fn express_is_attributed_to_its_authors() {
    let root = fixture("npm/attribution");
    let out = bomscout()
        .arg("scan")
        .arg(&root)
        .args(["--no-caches", "-o", "notice"])
        .output()
        .unwrap();
    let notice = String::from_utf8(out.stdout).unwrap();
    assert!(notice.contains(
        "  express 4.21.2 (npm)\n    Copyright (c) 2009-2014 TJ Holowaychuk <tj@vision-media.ca>\n    Copyright (c) 2013-2014 Roman Shtylman <shtylman+expressjs@gmail.com>\n    Copyright (c) 2014-2015 Douglas Christopher Wilson <doug@somethingdoug.com>\n"
    ));
}

#[test]
fn python_site_packages_notice_has_every_copyright_line_and_notice_file() {
    let root = fixture("python/installed");
    let site = root.join("venv/lib/python3.11/site-packages");
    let packages = python_packages(&site);
    // 9 lines, one of them in requests' NOTICE.
    assert_eq!(check(&root, packages), 9);
}

#[test]
fn cargo_vendor_notice_has_every_copyright_line_on_disk() {
    let root = fixture("cargo/vendored");
    let packages = cargo_packages(&root.join("vendor"));
    // 3 lines: log, memchr, autocfg (static_assertions is dev-only, itoa has none).
    assert_eq!(check(&root, packages), 3);
}

#[test]
fn the_license_texts_own_template_lines_are_not_attributed_to_anyone() {
    let root = fixture("cargo/vendored");
    let out = bomscout()
        .arg("scan")
        .arg(&root)
        .args(["--no-caches", "-o", "json"])
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    for c in json["components"].as_array().unwrap() {
        for s in c["copyrights"].as_array().into_iter().flatten() {
            let text = s["text"].as_str().unwrap();
            assert!(
                !text.contains("[yyyy]") && !text.contains("<year>"),
                "{text}"
            );
        }
    }
}

#[test]
fn copyrights_survive_convert_between_cyclonedx_and_spdx() {
    let dir = tempfile::tempdir().unwrap();
    let cdx = dir.path().join("a.cdx.json");
    let spdx = dir.path().join("b.spdx.json");
    let back = dir.path().join("c.cdx.json");
    let run = |args: &[&std::ffi::OsStr]| {
        let out = bomscout().args(args).output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    let arg = |s: String| std::ffi::OsString::from(s);
    let root = fixture("npm/attribution");
    run(&[
        "scan".as_ref(),
        root.as_os_str(),
        "--no-caches".as_ref(),
        "-o".as_ref(),
        arg(format!("cyclonedx-json={}", cdx.display())).as_os_str(),
    ]);
    run(&[
        "convert".as_ref(),
        cdx.as_os_str(),
        "-o".as_ref(),
        arg(format!("spdx-json={}", spdx.display())).as_os_str(),
    ]);
    run(&[
        "convert".as_ref(),
        spdx.as_os_str(),
        "-o".as_ref(),
        arg(format!("cyclonedx-json={}", back.display())).as_os_str(),
    ]);
    let copyrights = |path: &Path| -> BTreeMap<String, String> {
        let doc: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
        doc["components"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|c| {
                Some((
                    c["purl"].as_str()?.to_string(),
                    c["copyright"].as_str()?.to_string(),
                ))
            })
            .collect()
    };
    let before = copyrights(&cdx);
    assert!(before.len() >= 60, "{}", before.len());
    assert_eq!(copyrights(&back), before);
}
