//! `bomscout scan IMAGE` end to end on real archives: the debootstrap root fixture packed by
//! the test (with `bomscout_image::testing`, the `tar` crate) as a `docker save` archive of
//! both Docker layouts, an OCI layout directory and an OCI layout tar, plus the images made
//! by umoci and skopeo in `fixtures/images/`. Each must give exactly the packages and
//! licenses of the same root scanned as a directory, minus what a later layer deleted, with
//! the image as the root `container` component and every package naming its layer.

use assert_cmd::Command;
use bomscout_image::testing::{Compression, DockerStyle, Node, TestImage, TestLayer};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

const ROOT: &str = "fixtures/os/debootstrap-minbase";

fn scan(path: &Path, extra: &[&str]) -> (i32, Value, String) {
    let out = Command::cargo_bin("bomscout")
        .unwrap()
        .arg("scan")
        .arg(path)
        .args(["-q", "-o", "cyclonedx-json"])
        .args(extra)
        .env("SOURCE_DATE_EPOCH", "0")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let doc = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (out.status.code().unwrap_or(-1), doc, stderr)
}

fn components(doc: &Value) -> &[Value] {
    doc["components"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

/// purl (without qualifiers) → the licenses' JSON, for the deb packages of a document.
fn debs(doc: &Value) -> BTreeMap<String, String> {
    components(doc)
        .iter()
        .filter_map(|c| {
            let purl = c["purl"].as_str()?;
            purl.starts_with("pkg:deb/").then(|| {
                let bare = purl.split('?').next().unwrap_or(purl).to_string();
                (bare, c["licenses"].to_string())
            })
        })
        .collect()
}

fn property<'a>(c: &'a Value, name: &str) -> Option<&'a str> {
    c["properties"]
        .as_array()?
        .iter()
        .find(|p| p["name"] == name)?["value"]
        .as_str()
}

/// The fixture root as layer 0 and, as layer 1, a whiteout of bash's doc directory (so
/// bash loses its copyright file) and a new file.
fn debian_image() -> TestImage {
    let base = TestLayer::from_dir(Path::new(ROOT), Compression::Gzip)
        .unwrap()
        .created_by("debootstrap --variant=minbase bookworm");
    let top = TestLayer::new(
        Compression::None,
        vec![
            ("usr/share/doc/bash", Node::Whiteout),
            ("etc/motd", Node::file("hello\n")),
        ],
    )
    .created_by("RUN rm -rf /usr/share/doc/bash");
    TestImage::new(vec![base, top]).reference("localhost:5000/debian:bookworm")
}

#[test]
fn every_image_format_scans_like_the_root_it_holds() {
    let (code, dir_doc, stderr) = scan(Path::new(ROOT), &[]);
    assert_eq!(code, 0, "{stderr}");
    let mut expected = debs(&dir_doc);
    assert_eq!(expected.len(), 88);
    let bash = expected
        .keys()
        .find(|k| k.starts_with("pkg:deb/debian/bash@"))
        .cloned()
        .unwrap();
    assert_ne!(expected[&bash], "null", "bash has a license on disk");
    expected.insert(bash.clone(), "null".to_string());

    let tmp = tempfile::tempdir().unwrap();
    let image = debian_image();
    let docker = tmp.path().join("docker-save.tar");
    let written = image
        .write_docker_tar(&docker, DockerStyle::Legacy)
        .unwrap();
    let docker25 = tmp.path().join("docker25.tar");
    image.write_docker_tar(&docker25, DockerStyle::Oci).unwrap();
    let oci_dir = tmp.path().join("oci");
    image.write_oci_dir(&oci_dir).unwrap();
    let oci_tar = tmp.path().join("oci.tar");
    let oci = image.write_oci_tar(&oci_tar).unwrap();

    for path in [&docker, &docker25, &oci_dir, &oci_tar] {
        let (code, doc, stderr) = scan(path, &[]);
        assert_eq!(code, 0, "{}: {stderr}", path.display());
        assert_eq!(debs(&doc), expected, "{}", path.display());

        let root = components(&doc)
            .iter()
            .find(|c| c["type"] == "container")
            .unwrap_or_else(|| panic!("{}: no container component", path.display()));
        assert_eq!(root["name"], "localhost:5000/debian", "{}", path.display());
        assert_eq!(root["version"], "bookworm");
        let purl = root["purl"].as_str().unwrap();
        assert!(
            purl.starts_with("pkg:oci/debian@sha256:")
                && purl.ends_with("?repository_url=localhost:5000%2Fdebian&tag=bookworm"),
            "{purl}"
        );

        // Every package came with layer 0; its `created_by` names the instruction.
        let layer0 = &oci.layers[0][0];
        for c in components(&doc).iter().filter(|c| {
            c["purl"]
                .as_str()
                .is_some_and(|p| p.starts_with("pkg:deb/"))
        }) {
            let layer = property(c, "bomscout:layer").unwrap_or("");
            assert!(layer.starts_with("sha256:"), "{}: {c}", path.display());
            if path != &docker {
                assert_eq!(layer, layer0, "{}", path.display());
            }
            assert_eq!(
                property(c, "bomscout:layer-created-by"),
                Some("debootstrap --variant=minbase bookworm")
            );
        }
    }
    // A legacy `docker save` names layers by their uncompressed tar; its digest is known too.
    assert_eq!(written.layers[0].len(), 2);
}

#[test]
fn platform_picks_one_manifest_and_an_unknown_one_fails_the_scan() {
    let arm = TestLayer::new(
        Compression::Gzip,
        vec![
            (
                "etc/os-release",
                Node::file("ID=alpine\nVERSION_ID=3.20.0\n"),
            ),
            (
                "lib/apk/db/installed",
                Node::file("P:musl\nV:1.2.5-r0\nA:aarch64\nL:MIT\no:musl\n\n"),
            ),
        ],
    );
    let amd = TestLayer::new(
        Compression::Gzip,
        vec![
            (
                "etc/os-release",
                Node::file("ID=alpine\nVERSION_ID=3.20.0\n"),
            ),
            (
                "lib/apk/db/installed",
                Node::file("P:musl\nV:1.2.5-r0\nA:x86_64\nL:MIT\no:musl\n\n"),
            ),
        ],
    );
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("multi.tar");
    TestImage::new(vec![amd])
        .with_platform("linux/arm64/v8", vec![arm])
        .reference("example.invalid/alpine:3.20")
        .nested()
        .write_oci_tar(&path)
        .unwrap();

    let arch = |doc: &Value| -> Vec<String> {
        components(doc)
            .iter()
            .filter_map(|c| c["purl"].as_str())
            .filter(|p| p.starts_with("pkg:apk/"))
            .map(str::to_string)
            .collect()
    };
    let (code, doc, stderr) = scan(&path, &[]);
    assert_eq!(code, 0, "{stderr}");
    let found = arch(&doc);
    assert!(
        found.len() == 1 && found[0].contains("arch=x86_64"),
        "{found:?}"
    );

    let (code, doc, stderr) = scan(&path, &["--platform", "linux/arm64/v8"]);
    assert_eq!(code, 0, "{stderr}");
    let found = arch(&doc);
    assert!(
        found.len() == 1 && found[0].contains("arch=aarch64"),
        "{found:?}"
    );

    // Like an unreadable directory: an error diagnostic, which `--strict` (and the gate)
    // fail on.
    let (code, _, stderr) = scan(&path, &["--platform", "linux/s390x", "--strict"]);
    assert_eq!(
        code, 2,
        "an image that could not be read must not pass: {stderr}"
    );
    assert!(stderr.contains("multi.tar"), "names the file: {stderr}");
    assert!(
        stderr.contains("linux/s390x") && stderr.contains("linux/arm64/v8"),
        "says what was asked and what exists: {stderr}"
    );
}

/// The images umoci and skopeo wrote (fixtures/images/README.md): four layers, the third a
/// whiteout of gzip's doc directory, the fourth making dpkg's opaque. All three forms give
/// the same packages and licenses.
#[test]
fn images_made_by_umoci_and_skopeo_scan_alike() {
    let mut seen = Vec::new();
    for name in [
        "umoci-layout",
        "skopeo-oci-archive.tar",
        "skopeo-docker-archive.tar",
    ] {
        let path = Path::new("fixtures/images").join(name);
        let (code, doc, stderr) = scan(&path, &[]);
        assert_eq!(code, 0, "{name}: {stderr}");
        let found = debs(&doc);
        assert_eq!(found.len(), 88, "{name}");
        let license = |pkg: &str| {
            found
                .iter()
                .find(|(k, _)| k.starts_with(&format!("pkg:deb/debian/{pkg}@")))
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        // bash's copyright file is in the image; gzip's was deleted by a whiteout and
        // dpkg's hidden by an opaque directory.
        assert_ne!(license("bash"), "null", "{name}");
        assert_eq!(license("gzip"), "null", "{name}");
        assert_eq!(license("dpkg"), "null", "{name}");
        seen.push(found);
    }
    assert!(seen.windows(2).all(|w| w[0] == w[1]));
}

#[test]
fn a_broken_image_is_an_error_that_names_it() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("broken.tar");
    let mut builder = tar::Builder::new(Vec::new());
    let mut header = tar::Header::new_gnu();
    let manifest = b"[{\"Config\": \"missing.json\", \"Layers\": [\"nope/layer.tar\"]}]";
    header.set_size(manifest.len() as u64);
    header.set_mode(0o644);
    header.set_cksum();
    builder
        .append_data(&mut header, "manifest.json", &manifest[..])
        .unwrap();
    std::fs::write(&path, builder.into_inner().unwrap()).unwrap();
    let (code, _, stderr) = scan(&path, &["--strict"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("broken.tar"), "{stderr}");
    let out = Command::cargo_bin("bomscout")
        .unwrap()
        .args(["check", "-q", "--policy", "builtin:permissive"])
        .arg(&path)
        .output()
        .unwrap();
    assert_ne!(
        out.status.code(),
        Some(0),
        "the gate never passes on an image it could not read: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}
