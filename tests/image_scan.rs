//! Container images through the pipeline: hand-built [`Image`]s (the reader itself is
//! tested in `bomscout-image`) scanned with `bomscout_pipeline::scan_image`, checked for
//! the image as the root `container` component, each package's `bomscout:layer`, paths
//! relative to the image root, the policy step, and that nothing of the host (its cargo
//! registry cache) is read for an image.

use bomscout_core::{Component, ComponentKind, Silent};
use bomscout_image::{Format, Image, Layer};
use bomscout_pipeline::{RawSettings, Settings};
use bomscout_walk::MemTree;
use std::path::Path;
use std::sync::Arc;

const MIT: &str = "MIT License\n\nCopyright (c) 2024 Jane Doe\n\nPermission is hereby granted, free of charge, to any person obtaining a copy of this software and associated documentation files (the \"Software\"), to deal in the Software without restriction, including without limitation the rights to use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies of the Software, and to permit persons to whom the Software is furnished to do so, subject to the following conditions:\n\nThe above copyright notice and this permission notice shall be included in all copies or substantial portions of the Software.\n\nTHE SOFTWARE IS PROVIDED \"AS IS\", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.\n";

const CARGO_LOCK: &str = "version = 4\n\n[[package]]\nname = \"itoa\"\nversion = \"1.0.19\"\nsource = \"registry+https://registry.example.invalid/index\"\n";

fn file(tree: &mut MemTree, rel: &str, text: &str, layer: u32) {
    tree.insert_file(
        rel,
        text.len() as u64,
        layer,
        Some(Arc::from(text.as_bytes())),
    );
}

/// A two-layer Debian image as the reader would leave it: the base layer installs
/// `base-files` (its status, file list and DEP-5 copyright, os-release behind Debian's
/// symlink), the second installs `hello` (rewriting the status file) and an npm app with
/// a `LICENSE`, and a Rust app's `Cargo.lock`.
fn debian_image() -> Image {
    let mut t = MemTree::new();
    file(
        &mut t,
        "usr/lib/os-release",
        "ID=debian\nVERSION_ID=\"12\"\n",
        0,
    );
    t.insert_symlink("etc/os-release", "../usr/lib/os-release", 0);
    file(&mut t, "var/lib/dpkg/info/base-files.list", "/.\n", 0);
    file(
        &mut t,
        "usr/share/doc/base-files/copyright",
        "Format: copyright-format/1.0\n\nFiles: *\nCopyright: 1999 Debian\nLicense: GPL-2+\n",
        0,
    );
    // Layer 1 rewrites the status file: it holds both packages now.
    file(
        &mut t,
        "var/lib/dpkg/status",
        "Package: base-files\nStatus: install ok installed\nArchitecture: amd64\nVersion: 12.4\n\n\
         Package: hello\nStatus: install ok installed\nArchitecture: amd64\nVersion: 2.10-3\n",
        1,
    );
    file(&mut t, "var/lib/dpkg/info/hello:amd64.list", "/.\n", 1);
    file(
        &mut t,
        "srv/app/node_modules/left-pad/package.json",
        r#"{"name": "left-pad", "version": "1.3.0"}"#,
        1,
    );
    file(&mut t, "srv/app/node_modules/left-pad/LICENSE", MIT, 1);
    file(&mut t, "srv/rust/Cargo.lock", CARGO_LOCK, 1);
    // A file the reader listed without keeping its contents.
    t.insert_file("usr/bin/hello", 123_456, 1, None);
    Image {
        format: Format::DockerArchive,
        name: "registry.example.invalid/team/hello".to_string(),
        tag: Some("1.0".to_string()),
        digest: "sha256:1111".to_string(),
        config_digest: "sha256:2222".to_string(),
        platform: Some("linux/amd64".to_string()),
        layers: vec![
            Layer {
                digest: "sha256:aaaa".to_string(),
                diff_id: Some("sha256:a0a0".to_string()),
                created_by: Some("/bin/sh -c #(nop) ADD file:base in /".to_string()),
            },
            Layer {
                digest: "sha256:bbbb".to_string(),
                diff_id: None,
                created_by: Some("RUN apt-get install -y hello".to_string()),
            },
        ],
        tree: t,
        diagnostics: vec![bomscout_core::Diagnostic::warning(
            "sha256:bbbb: dev/null",
            "a character device; not read",
        )],
    }
}

fn settings(dir: &Path) -> Settings {
    Settings::new(RawSettings {
        paths: vec![dir.to_path_buf()],
        ..RawSettings::default()
    })
    .unwrap()
}

fn by_name<'a>(components: &'a [Component], name: &str) -> &'a Component {
    components
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("{name} not found"))
}

#[test]
fn an_image_is_the_root_container_and_each_package_names_its_layer() {
    let dir = tempfile::tempdir().unwrap();
    let image = debian_image();
    let sbom = bomscout_pipeline::scan_image(&image, &settings(dir.path()), &Silent)
        .unwrap()
        .sbom;
    assert_eq!(sbom.name, "registry.example.invalid/team/hello:1.0");

    let root = by_name(&sbom.components, "registry.example.invalid/team/hello");
    assert_eq!(root.kind, ComponentKind::Container);
    assert_eq!(root.version.as_deref(), Some("1.0"));
    assert_eq!(
        root.purl.as_str(),
        "pkg:oci/hello@sha256:1111?repository_url=registry.example.invalid%2Fteam%2Fhello&tag=1.0"
    );
    assert_eq!(root.properties["image-config-digest"], "sha256:2222");
    assert_eq!(root.properties["image-platform"], "linux/amd64");

    // dpkg: the layer that wrote each package's file list, not the status file's.
    let base = by_name(&sbom.components, "base-files");
    assert_eq!(base.properties["layer"], "sha256:aaaa");
    assert_eq!(
        base.properties["layer-created-by"],
        "/bin/sh -c #(nop) ADD file:base in /"
    );
    let hello = by_name(&sbom.components, "hello");
    assert_eq!(hello.properties["layer"], "sha256:bbbb");
    assert_eq!(
        hello.purl.as_str(),
        "pkg:deb/debian/hello@2.10-3?arch=amd64&distro=debian-12"
    );
    let base_licenses: Vec<(&str, &str)> = base
        .licenses
        .iter()
        .map(|l| (l.raw.as_str(), l.source.path.as_str()))
        .collect();
    assert_eq!(
        base_licenses,
        [("GPL-2.0-or-later", "usr/share/doc/base-files/copyright")]
    );

    // npm, read with its LICENSE from the tree; locations relative to the image root.
    let pad = by_name(&sbom.components, "left-pad");
    assert_eq!(pad.properties["layer"], "sha256:bbbb");
    let locations: Vec<&str> = pad.locations.iter().map(|l| &*l.path).collect();
    assert_eq!(locations, ["srv/app/node_modules/left-pad/package.json"]);
    assert!(
        pad.licenses
            .iter()
            .any(|l| l.source.path == "srv/app/node_modules/left-pad/LICENSE"),
        "{:?}",
        pad.licenses
    );
    assert!(by_name(&sbom.components, "debian")
        .locations
        .iter()
        .any(|l| &*l.path == "usr/lib/os-release"));

    // The image's own diagnostics are the scan's.
    assert!(sbom
        .diagnostics
        .iter()
        .any(|d| d.message.contains("character device")));

    // The writers carry the layer as a `bomscout:` property.
    let mut out = Vec::new();
    bomscout_report::write(
        bomscout_report::Format::CycloneDxJson,
        &sbom,
        &bomscout_report::Settings::default(),
        &mut out,
    )
    .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let components = doc["components"].as_array().unwrap();
    let cdx_hello = components.iter().find(|c| c["name"] == "hello").unwrap();
    assert!(cdx_hello["properties"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["name"] == "bomscout:layer" && p["value"] == "sha256:bbbb"));
    let cdx_image = components
        .iter()
        .find(|c| c["type"] == "container")
        .unwrap();
    assert_eq!(cdx_image["name"], "registry.example.invalid/team/hello");
}

/// The policy judges the packages in an image, not the image (it has no license of its
/// own): the image never shows up as an "unknown license" finding.
#[test]
fn the_gate_judges_the_packages_not_the_image() {
    let dir = tempfile::tempdir().unwrap();
    let sbom = bomscout_pipeline::scan_image(&debian_image(), &settings(dir.path()), &Silent)
        .unwrap()
        .sbom;
    let policy = bomscout_policy::Policy::load("builtin:strict").unwrap();
    let check = bomscout_pipeline::CheckSettings {
        today: bomscout_policy::Date::parse("2026-01-01").unwrap(),
        allow_unreadable: false,
        baseline: None,
        advisories: None,
    };
    let (evaluation, _) = bomscout_pipeline::evaluate(&sbom, &policy, &check);
    assert!(
        evaluation
            .findings
            .iter()
            .all(|f| !f.purl.starts_with("pkg:oci/")),
        "{:?}",
        evaluation
            .findings
            .iter()
            .map(|f| &f.purl)
            .collect::<Vec<_>>()
    );
    // The packages are judged: the Cargo.lock crate has no license at all here.
    assert!(evaluation
        .findings
        .iter()
        .any(|f| f.purl == "pkg:cargo/itoa@1.0.19"));
}

/// Run in a child process by `the_hosts_cargo_registry_is_never_read_for_an_image`, with
/// `CARGO_HOME` pointing at a registry cache that knows `itoa`'s license.
#[test]
#[ignore = "run by the_hosts_cargo_registry_is_never_read_for_an_image"]
fn child_scans_an_image_and_a_directory_with_a_fake_cargo_home() {
    let home = std::env::var_os("CARGO_HOME").expect("set by the parent test");
    assert!(Path::new(&home).join("registry/src").is_dir());
    let dir = tempfile::tempdir().unwrap();
    // The image first (the registry lookup is memoized per process).
    let sbom = bomscout_pipeline::scan_image(&debian_image(), &settings(dir.path()), &Silent)
        .unwrap()
        .sbom;
    let itoa = by_name(&sbom.components, "itoa");
    assert!(itoa.licenses.is_empty(), "{:?}", itoa.licenses);
    // The same lock on disk, caches on: the registry cache answers, so the image's
    // silence above is the tree's doing, not a cache that could not be read.
    std::fs::write(dir.path().join("Cargo.lock"), CARGO_LOCK).unwrap();
    let sbom = bomscout_pipeline::run(&settings(dir.path()), &Silent).unwrap();
    let itoa = by_name(&sbom.components, "itoa");
    assert!(
        itoa.licenses
            .iter()
            .any(|l| l.source.path.starts_with("$CARGO_HOME/registry/src/")),
        "{:?}",
        itoa.licenses
    );
}

#[test]
fn the_hosts_cargo_registry_is_never_read_for_an_image() {
    let home = tempfile::tempdir().unwrap();
    let krate = home
        .path()
        .join("registry/src/index.example-0123/itoa-1.0.19");
    std::fs::create_dir_all(&krate).unwrap();
    std::fs::write(
        krate.join("Cargo.toml"),
        "[package]\nname = \"itoa\"\nversion = \"1.0.19\"\nlicense = \"MIT OR Apache-2.0\"\n",
    )
    .unwrap();
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--ignored",
            "--exact",
            "child_scans_an_image_and_a_directory_with_a_fake_cargo_home",
            "--nocapture",
        ])
        .env("CARGO_HOME", home.path())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && text.contains("1 passed"),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// An image holding nothing any cataloger reads says so, naming the image, instead of
/// passing as an empty, clean result; the image is still recorded.
#[test]
fn an_image_with_nothing_to_catalog_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let mut image = debian_image();
    let mut tree = MemTree::new();
    tree.insert_file("usr/share/man/man1/true.1.gz", 10, 0, None);
    image.tree = tree;
    image.diagnostics.clear();
    let sbom = bomscout_pipeline::scan_image(&image, &settings(dir.path()), &Silent)
        .unwrap()
        .sbom;
    let d: Vec<(&str, &str)> = sbom
        .diagnostics
        .iter()
        .map(|d| (d.path.as_str(), d.message.as_str()))
        .collect();
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0].0, "registry.example.invalid/team/hello:1.0");
    assert!(d[0].1.contains("nothing found to catalog"), "{d:?}");
    assert_eq!(sbom.components.len(), 1);
    assert_eq!(sbom.components[0].kind, ComponentKind::Container);
}
