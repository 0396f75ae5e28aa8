//! Hostile files in a scanned tree, end to end: FIFOs and devices where side files are
//! read, paths written in scanned files that point outside the scan root, names from
//! lockfiles used as path components. Every scan runs under a timeout, so a regression is
//! a failure, never a hung test run.

mod common;

use common::{bomscout, outcome};
use std::io::{Cursor, Write};
use std::path::Path;
use std::time::Duration;
use zip::write::SimpleFileOptions;

/// Runs `bomscout scan ROOT -o json --no-caches` with a timeout; (exit code, stdout, stderr).
fn scan(root: &Path) -> (i32, String, String) {
    outcome(
        bomscout()
            .arg("scan")
            .arg(root)
            .args(["-o", "json", "--no-caches"])
            .timeout(Duration::from_secs(20)),
    )
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn mkfifo(path: &Path) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .unwrap();
    assert!(status.success(), "mkfifo {}", path.display());
}

const GO_MOD: &str = "module example.com/app\n\ngo 1.22\n\nrequire github.com/pkg/errors v0.9.1\n";

#[test]
fn fifos_where_side_files_are_read_do_not_hang_the_scan() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(&root.join("go/go.mod"), GO_MOD);
    mkfifo(&root.join("go/go.sum"));
    write(
        &root.join("py/requirements.txt"),
        "-r more.txt\nflask==3.0.0\n",
    );
    mkfifo(&root.join("py/more.txt"));
    write(
        &root.join("rs/Cargo.lock"),
        "version = 3\n[[package]]\nname = \"itoa\"\nversion = \"1.0.0\"\nsource = \"registry+https://registry.example.invalid/index\"\n",
    );
    write(
        &root.join("rs/vendor/itoa/Cargo.toml"),
        "[package]\nname = \"itoa\"\nversion = \"1.0.0\"\nlicense-file = \"LICENSE\"\n",
    );
    mkfifo(&root.join("rs/vendor/itoa/LICENSE"));
    write(
        &root.join("ex/mix.lock"),
        "%{\n  \"jason\": {:hex, :jason, \"1.4.1\", \"af1504e35f629ddcdd6addb3513c3853991f694921b1b9368b0bd32beb9f1b63\", [:mix], [], \"hexpm\", \"fbb01ecdfd565b56261302f7e1fcc27c4fb8f32d56eab74db621fc154604a7a1\"},\n}\n",
    );
    mkfifo(&root.join("ex/mix.exs"));
    mkfifo(&root.join("ex/deps/jason/hex_metadata.config"));
    let (code, stdout, stderr) = scan(root);
    assert_eq!(code, 0, "{stderr}");
    for purl in [
        "pkg:golang/github.com/pkg/errors@v0.9.1",
        "pkg:pypi/flask@3.0.0",
        "pkg:cargo/itoa@1.0.0",
        "pkg:hex/jason@1.4.1",
    ] {
        assert!(stdout.contains(purl), "{purl} missing:\n{stdout}");
    }
    assert!(
        stderr.contains("FIFO"),
        "the FIFO include is named: {stderr}"
    );
}

#[test]
fn a_side_file_linked_to_dev_zero_is_refused_not_read() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(&root.join("go.mod"), GO_MOD);
    std::os::unix::fs::symlink("/dev/zero", root.join("go.sum")).unwrap();
    write(
        &root.join("requirements.txt"),
        "-r zero.txt\nflask==3.0.0\n",
    );
    std::os::unix::fs::symlink("/dev/zero", root.join("zero.txt")).unwrap();
    let (code, stdout, stderr) = scan(root);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("pkg:golang/github.com/pkg/errors@v0.9.1"));
    assert!(stdout.contains("pkg:pypi/flask@3.0.0"));
    // /dev/zero is outside the root, and not a regular file either: refused, named.
    assert!(
        stderr.contains("include \"zero.txt\": outside the scanned root"),
        "{stderr}"
    );
}

#[test]
fn includes_outside_the_scan_root_are_named_never_read() {
    let dir = tempfile::tempdir().unwrap();
    let secret = dir.path().join("credentials");
    write(
        &secret,
        "[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI\n",
    );
    let root = dir.path().join("repo");
    write(
        &root.join("requirements.txt"),
        &format!(
            "-r {}\n-c ../credentials\n--requirement=../../{}\nflask==3.0.0\n",
            secret.display(),
            secret.display()
        ),
    );
    std::os::unix::fs::symlink(&secret, root.join("link.txt")).unwrap();
    write(&root.join("sub/requirements.txt"), "-r ../link.txt\n");
    let (code, stdout, stderr) = scan(&root);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("pkg:pypi/flask@3.0.0"));
    for out in [&stdout, &stderr] {
        assert!(!out.contains("AKIA"), "a secret leaked:\n{out}");
        assert!(!out.contains("wJalr"), "a secret leaked:\n{out}");
    }
    assert_eq!(
        stderr.matches("outside the scanned root").count(),
        4,
        "{stderr}"
    );
}

#[test]
fn license_files_and_lockfile_names_stay_inside_the_tree() {
    let dir = tempfile::tempdir().unwrap();
    let secret = dir.path().join("shadow");
    write(&secret, "root:$6$secret:19000:0:99999:7:::\n");
    let root = dir.path().join("repo");
    write(
        &root.join("Cargo.lock"),
        "version = 3\n[[package]]\nname = \"evil\"\nversion = \"1.0.0\"\nsource = \"registry+https://registry.example.invalid/index\"\n",
    );
    write(
        &root.join("vendor/evil/Cargo.toml"),
        &format!(
            "[package]\nname = \"evil\"\nversion = \"1.0.0\"\nlicense-file = \"{}\"\n",
            secret.display()
        ),
    );
    write(
        &root.join("site-packages/foo-1.0.dist-info/METADATA"),
        &format!(
            "Metadata-Version: 2.1\nName: foo\nVersion: 1.0\nLicense-File: {}\nLicense-File: ../../../shadow\n",
            secret.display()
        ),
    );
    let (code, stdout, stderr) = scan(&root);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("pkg:cargo/evil@1.0.0"), "{stdout}");
    assert!(stdout.contains("pkg:pypi/foo@1.0"), "{stdout}");
    assert!(
        !stdout.contains("license-file-sha256"),
        "a file outside the tree was fingerprinted:\n{stdout}"
    );
}

fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    let mut w = zip::ZipWriter::new(&mut out);
    for (name, data) in entries {
        w.start_file(*name, SimpleFileOptions::default()).unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap();
    out.into_inner()
}

#[test]
fn a_jar_naming_one_nested_jar_hundreds_of_times_reads_it_once() {
    // The nested jar holds 2,000 tiny jars; the outer central directory names it 300
    // times, every entry pointing at the same bytes. Read 300 times, that is 600,000
    // archives; read once, 2,000.
    let tiny = zip_of(&[("META-INF/MANIFEST.MF", b"Manifest-Version: 1.0\r\n")]);
    let names: Vec<String> = (0..2000).map(|i| format!("lib/t{i}-1.0.jar")).collect();
    let entries: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), &tiny[..])).collect();
    let nested = zip_of(&entries);
    let mut out = Cursor::new(Vec::new());
    {
        let mut w = zip::ZipWriter::new(&mut out);
        w.start_file("BOOT-INF/lib/nested-1.0.jar", SimpleFileOptions::default())
            .unwrap();
        w.write_all(&nested).unwrap();
        for i in 0..300 {
            w.shallow_copy_file(
                "BOOT-INF/lib/nested-1.0.jar",
                &format!("BOOT-INF/lib/copy{i}-1.0.jar"),
            )
            .unwrap();
        }
        w.finish().unwrap();
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("app-1.0.jar"), out.into_inner()).unwrap();
    let (code, stdout, stderr) = scan(dir.path());
    assert_eq!(code, 0, "{stderr}");
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let components = json["components"].as_array().map_or(0, Vec::len);
    assert!(components <= 2002, "{components} components");
    assert!(
        stderr.contains("300 nested archive entries overlap"),
        "{stderr}"
    );
}

#[test]
fn a_go_binary_with_multibyte_text_around_the_markers_does_not_panic() {
    // Invalid UTF-8 sentinels and multi-byte characters where the module info is cut.
    let mut framed = vec![0xffu8; 16];
    framed
        .extend("é€path\tx\nmod\texample.com/ü\tv1.0.0\ndep\tgithub.com/a/b\tv1.2.3\n".as_bytes());
    framed.extend([0xfe; 16]);
    let mut bytes = b"\xff Go buildinf:".to_vec();
    bytes.extend([8, 2]);
    bytes.resize(32, 0);
    bytes.push(2);
    bytes.extend(b"go");
    bytes.push(u8::try_from(framed.len()).unwrap());
    bytes.extend(&framed);
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("requirements.txt"), "flask==3.0.0\n");
    std::fs::create_dir_all(dir.path().join("bin")).unwrap();
    std::fs::write(dir.path().join("bin/tool"), &bytes).unwrap();
    let (code, stdout, stderr) = scan(dir.path());
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("pkg:golang/github.com/a/b@v1.2.3"),
        "{stdout}"
    );
    assert!(
        stdout.contains("pkg:pypi/flask@3.0.0"),
        "the rest of the scan is kept"
    );
}
