//! Binaries and archives lying in a tree (issue 16): a real `cargo auditable` executable,
//! real wheels, an egg and npm tarballs (fixtures/archives/README.md says how each was
//! made), and hostile variants of each built here: truncated and bomb archives, names with
//! `../`, a corrupt `.dep-v0` section (bad zlib, bad JSON, an index out of range, a cycle)
//! and an ELF whose `.dep-v0` section claims bytes past the end of the file.

#[path = "common/mod.rs"]
mod common;

use bomscout_catalog::ParseError;
use bomscout_core::{Catalog, Cataloger, DepKind, HashAlg, NodeRef, Scope, SourceKind};
use object::{Object, ObjectSection};
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::Path;
use test_case::test_case;

const TINYAUD: &str = "archives/rust/target/release/tinyaud";
const SIX_WHEEL: &str = "archives/python/six-1.17.0-py2.py3-none-any.whl";
const IDNA_WHEEL: &str = "archives/python/idna-3.10-py3-none-any.whl";
const SIX_EGG: &str = "archives/python/six-1.17.0-py3.11.egg";
const LEFT_PAD: &str = "archives/npm/left-pad-1.3.0.tgz";
const IS_NUMBER: &str = "archives/npm/is-number-7.0.0.tgz";

#[test_case(Cataloger::RustAuditable, TINYAUD ; "cargo auditable executable")]
#[test_case(Cataloger::PythonArchive, SIX_WHEEL ; "six wheel")]
#[test_case(Cataloger::PythonArchive, IDNA_WHEEL ; "idna wheel")]
#[test_case(Cataloger::PythonArchive, SIX_EGG ; "six egg")]
#[test_case(Cataloger::NpmTarball, LEFT_PAD ; "left pad tarball")]
#[test_case(Cataloger::NpmTarball, IS_NUMBER ; "is number tarball")]
fn snapshot(cataloger: Cataloger, rel: &str) {
    let c = common::assert_fixture(cataloger, rel);
    assert!(c.diagnostics.is_empty(), "{rel}: {:?}", c.diagnostics);
}

#[test_case(TINYAUD, Some(Cataloger::RustAuditable))]
#[test_case("dist/bin/tinyaud", Some(Cataloger::GoBinary))]
#[test_case("dist/tool.exe", Some(Cataloger::GoBinary))]
#[test_case("target/release/tinyaud.d", None)]
#[test_case(SIX_WHEEL, Some(Cataloger::PythonArchive))]
#[test_case(SIX_EGG, Some(Cataloger::PythonArchive))]
#[test_case(LEFT_PAD, Some(Cataloger::NpmTarball))]
fn detection(rel: &str, expected: Option<Cataloger>) {
    assert_eq!(bomscout_walk::detect(rel), expected);
}

fn parse(cataloger: Cataloger, rel: &str, bytes: &[u8]) -> Result<Catalog, ParseError> {
    // `abs` under a directory that does not exist: nothing beside the file can be read.
    let abs = Path::new("/nonexistent").join(rel);
    common::parse_as(cataloger, bytes, rel, &abs, &common::options())
}

fn purl_rows(c: &Catalog) -> Vec<String> {
    c.packages
        .iter()
        .map(|p| format!("{} {:?}", p.component.purl, p.component.scope))
        .collect()
}

fn edges_of(c: &Catalog, deps: &[bomscout_core::Edge]) -> Vec<(String, DepKind)> {
    deps.iter()
        .map(|e| match e.to {
            NodeRef::Package(i) => (c.packages[i].component.name.clone(), e.kind),
            NodeRef::Project(i) => (format!("project {i}"), e.kind),
        })
        .collect()
}

/// The section's JSON, written out in fixtures/archives/README.md, is what is expected
/// here: six packages, `tinyaud` the root, `cc` and its two dependencies build-only.
fn check_tinyaud(c: &Catalog, rel: &str) {
    assert_eq!(c.projects.len(), 1);
    let p = &c.projects[0];
    assert_eq!(
        (p.name.as_deref(), p.version.as_deref(), p.dir.as_str()),
        (Some("tinyaud"), Some("0.1.0"), rel)
    );
    assert_eq!(
        p.purl.as_ref().map(|p| p.to_string()),
        Some("pkg:cargo/tinyaud@0.1.0".into())
    );
    assert_eq!(
        purl_rows(c),
        [
            "pkg:cargo/cc@1.11.3 Build",
            "pkg:cargo/find-msvc-tools@0.1.15 Build",
            "pkg:cargo/itoa@1.0.19 Required",
            "pkg:cargo/shlex@2.0.1 Build",
            "pkg:cargo/smallvec@1.16.6 Required",
        ]
    );
    assert_eq!(
        edges_of(c, &p.deps),
        [
            ("cc".into(), DepKind::Build),
            ("itoa".into(), DepKind::Normal),
            ("smallvec".into(), DepKind::Normal)
        ]
    );
    assert_eq!(
        edges_of(c, &c.packages[0].deps),
        [
            ("find-msvc-tools".into(), DepKind::Build),
            ("shlex".into(), DepKind::Build)
        ]
    );
    for pkg in &c.packages {
        let at: Vec<&str> = pkg.component.locations.iter().map(|l| &*l.path).collect();
        assert_eq!(at, [rel]);
        assert!(!pkg.component.properties.contains_key("cargo-source"));
    }
}

#[test]
fn cargo_auditable_executable_gives_every_crate_and_the_graph() {
    let c = common::catalog(Cataloger::RustAuditable, TINYAUD);
    check_tinyaud(&c, TINYAUD);
}

/// In `bin/` (or as `*.exe`) an executable is the `go-binary` cataloger's: it reads Rust
/// executables too, and finds no Go build info in this one.
#[test]
fn a_rust_executable_in_bin_is_read_by_the_executable_cataloger() {
    let bytes = common::fixture(TINYAUD);
    let rel = "usr/local/bin/tinyaud";
    let c = parse(Cataloger::GoBinary, rel, &bytes).unwrap();
    assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
    check_tinyaud(&c, rel);
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `(raw, kind, path)` of each license.
fn licenses(c: &Catalog) -> Vec<(String, SourceKind, String)> {
    c.packages[0]
        .component
        .licenses
        .iter()
        .map(|l| (l.raw.to_string(), l.source.kind, l.source.path.to_string()))
        .collect()
}

#[test]
fn six_wheel_metadata_and_license_file_inside_it() {
    let c = common::catalog(Cataloger::PythonArchive, SIX_WHEEL);
    assert_eq!(purl_rows(&c), ["pkg:pypi/six@1.17.0 Required"]);
    let six = &c.packages[0].component;
    let at: Vec<&str> = six.locations.iter().map(|l| &*l.path).collect();
    assert_eq!(at, [SIX_WHEEL]);
    let meta = format!("{SIX_WHEEL}!/six-1.17.0.dist-info/METADATA");
    let file = format!("{SIX_WHEEL}!/six-1.17.0.dist-info/LICENSE");
    assert_eq!(
        licenses(&c),
        [
            ("MIT".into(), SourceKind::Declared, meta.clone()),
            (
                "License :: OSI Approved :: MIT License".into(),
                SourceKind::Classifier,
                meta
            ),
            ("MIT".into(), SourceKind::File, file),
        ]
    );
    let sha = six.hashes.iter().find(|h| h.alg == HashAlg::Sha256);
    let expected = sha256_hex(&common::fixture(SIX_WHEEL));
    assert_eq!(sha.map(|h| h.value.as_str()), Some(expected.as_str()));
}

#[test]
fn idna_wheel_license_text_names_what_the_classifier_does_not() {
    let c = common::catalog(Cataloger::PythonArchive, IDNA_WHEEL);
    assert_eq!(purl_rows(&c), ["pkg:pypi/idna@3.10 Required"]);
    let file = format!("{IDNA_WHEEL}!/idna-3.10.dist-info/LICENSE.md");
    let rows = licenses(&c);
    assert!(
        rows.contains(&("BSD-3-Clause".into(), SourceKind::File, file)),
        "{rows:?}"
    );
}

#[test]
fn six_egg_pkg_info() {
    let c = common::catalog(Cataloger::PythonArchive, SIX_EGG);
    assert_eq!(purl_rows(&c), ["pkg:pypi/six@1.17.0 Required"]);
    let meta = format!("{SIX_EGG}!/EGG-INFO/PKG-INFO");
    assert_eq!(licenses(&c)[0], ("MIT".into(), SourceKind::Declared, meta));
}

#[test_case(LEFT_PAD, "pkg:npm/left-pad@1.3.0", "WTFPL", "COPYING")]
#[test_case(IS_NUMBER, "pkg:npm/is-number@7.0.0", "MIT", "LICENSE")]
fn npm_tarball(rel: &str, purl: &str, license: &str, file: &str) {
    let c = common::catalog(Cataloger::NpmTarball, rel);
    assert_eq!(purl_rows(&c), [format!("{purl} Required")]);
    assert_eq!(
        licenses(&c),
        [
            (
                license.to_string(),
                SourceKind::Declared,
                format!("{rel}!/package/package.json")
            ),
            (
                license.to_string(),
                SourceKind::File,
                format!("{rel}!/package/{file}")
            ),
        ]
    );
    let sha512 = c.packages[0]
        .component
        .hashes
        .iter()
        .any(|h| h.alg == HashAlg::Sha512);
    assert!(sha512, "npm's integrity is the tarball's SHA-512");
}

// ---- hostile inputs ----

fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in entries {
        w.start_file(*name, options).unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap().into_inner()
}

#[test]
fn a_truncated_wheel_is_an_error_naming_the_problem() {
    let bytes = common::fixture(SIX_WHEEL);
    let cut = &bytes[..bytes.len() / 2];
    let err = parse(Cataloger::PythonArchive, "dist/six.whl", cut).unwrap_err();
    assert!(
        err.to_string().contains("not a readable zip archive"),
        "{err}"
    );
}

#[test]
fn a_metadata_bomb_in_a_wheel_is_not_inflated() {
    let big = vec![b'a'; 4 << 20];
    let bytes = zip_of(&[("bomb-1.0.dist-info/METADATA", &big)]);
    assert!(bytes.len() < 64 * 1024);
    let err = parse(Cataloger::PythonArchive, "dist/bomb.whl", &bytes).unwrap_err();
    assert!(err.to_string().contains("more than the 1048576"), "{err}");

    // The same entry with its sizes rewritten to claim 100 bytes: the reader stops at
    // what it may read, and the lie shows as a damaged entry, never as 4 MiB in memory.
    let mut lying = bytes.clone();
    for (sig, at) in [(b"PK\x03\x04", 22), (b"PK\x01\x02", 24)] {
        let start = lying.windows(4).position(|w| w == sig).unwrap();
        lying[start + at..start + at + 4].copy_from_slice(&100u32.to_le_bytes());
    }
    let result = parse(Cataloger::PythonArchive, "dist/bomb.whl", &lying);
    assert!(result.is_err(), "{result:?}");
}

#[test]
fn names_with_dotdot_are_strings_not_paths() {
    let meta =
        b"Metadata-Version: 2.1\nName: ok\nVersion: 1.0\nLicense-File: ../../../../etc/passwd\n";
    let bytes = zip_of(&[
        (
            "../evil-6.6.dist-info/METADATA",
            b"Name: evil\nVersion: 6.6\n",
        ),
        ("ok-1.0.dist-info/METADATA", meta),
        ("../../../../etc/LICENSE", b"MIT License\n"),
    ]);
    let c = parse(
        Cataloger::PythonArchive,
        "dist/ok-1.0-py3-none-any.whl",
        &bytes,
    )
    .unwrap();
    assert_eq!(purl_rows(&c), ["pkg:pypi/ok@1.0 Required"]);
    let kinds: Vec<SourceKind> = c.packages[0]
        .component
        .licenses
        .iter()
        .map(|l| l.source.kind)
        .collect();
    assert!(!kinds.contains(&SourceKind::File), "{kinds:?}");

    let only_evil = zip_of(&[(
        "../evil-6.6.dist-info/METADATA",
        b"Name: evil\nVersion: 6.6\n",
    )]);
    let err = parse(Cataloger::PythonArchive, "dist/evil.whl", &only_evil).unwrap_err();
    assert!(err.to_string().contains("not a wheel or egg"), "{err}");
}

#[test]
fn a_tgz_bomb_stops_at_the_inflated_limit() {
    let gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let mut tar = tar::Builder::new(gz);
    let mut h = tar::Header::new_ustar();
    let huge: u64 = 80 << 20;
    h.set_path("package/zeros.bin").unwrap();
    h.set_size(huge);
    h.set_mode(0o644);
    h.set_cksum();
    tar.append(&h, std::io::repeat(0).take_bytes(huge)).unwrap();
    let manifest = br#"{"name":"late","version":"1.0.0"}"#;
    let mut h = tar::Header::new_ustar();
    h.set_path("package/package.json").unwrap();
    h.set_size(manifest.len() as u64);
    h.set_mode(0o644);
    h.set_cksum();
    tar.append(&h, &manifest[..]).unwrap();
    let bytes = tar.into_inner().unwrap().finish().unwrap();
    assert!(bytes.len() < 1 << 20, "{} bytes", bytes.len());
    let c = parse(Cataloger::NpmTarball, "dist/bomb.tgz", &bytes).unwrap();
    assert!(c.packages.is_empty());
    assert_eq!(c.diagnostics.len(), 1, "{:?}", c.diagnostics);
    assert!(c.diagnostics[0].message.contains("gzip bomb"));
}

/// Cut before its `package.json`, a tarball is an error; cut after it, the package is
/// kept and the damage is a warning.
#[test]
fn a_truncated_tgz_is_an_error_or_a_warning() {
    let bytes = common::fixture(LEFT_PAD);
    let err = parse(Cataloger::NpmTarball, "dist/x.tgz", &bytes[..40]).unwrap_err();
    assert!(err.to_string().contains("truncated or corrupt"), "{err}");
    let c = parse(
        Cataloger::NpmTarball,
        "dist/x.tgz",
        &bytes[..bytes.len() / 3],
    )
    .unwrap();
    assert_eq!(purl_rows(&c), ["pkg:npm/left-pad@1.3.0 Required"]);
    assert_eq!(c.diagnostics.len(), 1, "{:?}", c.diagnostics);
    assert!(c.diagnostics[0]
        .message
        .contains("truncated or corrupt after its package.json"));
}

/// `Read::take` for `io::Repeat` under a name that does not clash with `tar`'s imports.
trait TakeBytes: std::io::Read + Sized {
    fn take_bytes(self, n: u64) -> std::io::Take<Self> {
        std::io::Read::take(self, n)
    }
}
impl<R: std::io::Read> TakeBytes for R {}

/// The real executable with its `.dep-v0` section's bytes replaced by `contents`
/// (zero-padded; it must fit in the section's 194 bytes).
fn with_section(contents: &[u8]) -> Vec<u8> {
    let mut bytes = common::fixture(TINYAUD);
    let (offset, size) = {
        let file = object::File::parse(&*bytes).unwrap();
        let section = file.section_by_name(".dep-v0").unwrap();
        let (o, s) = section.file_range().unwrap();
        (o as usize, s as usize)
    };
    assert!(contents.len() <= size, "{} > {size}", contents.len());
    let slot = &mut bytes[offset..offset + size];
    slot.fill(0);
    slot[..contents.len()].copy_from_slice(contents);
    bytes
}

fn zlib(text: &str) -> Vec<u8> {
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    z.write_all(text.as_bytes()).unwrap();
    z.finish().unwrap()
}

#[test_case(b"\x00\x01garbage, not zlib".to_vec(), "not zlib-compressed" ; "bad zlib")]
#[test_case(zlib("{\"packages\": [{\"name\": 1}"), "not the JSON it should be" ; "bad json")]
fn a_corrupt_dep_v0_section_is_an_error(section: Vec<u8>, says: &str) {
    let bytes = with_section(&section);
    for (cataloger, rel) in [
        (Cataloger::RustAuditable, "target/release/tool"),
        (Cataloger::GoBinary, "bin/tool"),
    ] {
        let err = parse(cataloger, rel, &bytes).unwrap_err();
        assert!(err.to_string().contains(says), "{cataloger}: {err}");
    }
}

#[test]
fn dep_v0_indices_out_of_range_and_cycles_are_warnings() {
    let json = r#"{"packages":[{"name":"a","version":"1.0.0","dependencies":[1]},{"name":"b","version":"1.0.0","dependencies":[0,7]},{"name":"t","version":"0.1.0","dependencies":[0],"root":true}]}"#;
    let bytes = with_section(&zlib(json));
    let c = parse(Cataloger::RustAuditable, "target/release/t", &bytes).unwrap();
    assert_eq!(
        purl_rows(&c),
        ["pkg:cargo/a@1.0.0 Required", "pkg:cargo/b@1.0.0 Required"]
    );
    // a → b → a: both edges kept (nothing walks them here); 7 is out of range.
    assert_eq!(
        edges_of(&c, &c.packages[0].deps),
        [("b".into(), DepKind::Normal)]
    );
    assert_eq!(
        edges_of(&c, &c.packages[1].deps),
        [("a".into(), DepKind::Normal)]
    );
    let messages: Vec<&str> = c.diagnostics.iter().map(|d| d.message.as_str()).collect();
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert!(messages[0].contains("dependency index 7 is out of range (3 packages)"));
    // The SBOM builder computes scope over the cyclic graph and terminates.
    let mut builder = bomscout_core::SbomBuilder::new("t");
    builder.add(c);
    let sbom = builder.finish();
    assert_eq!(sbom.components.len(), 2);
    assert!(sbom.components.iter().all(|c| c.scope == Scope::Required));
}

#[test]
fn a_dep_v0_section_reaching_past_the_end_of_the_file_is_an_error() {
    let mut bytes = common::fixture(TINYAUD);
    let index = {
        let file = object::File::parse(&*bytes).unwrap();
        file.section_by_name(".dep-v0").unwrap().index().0
    };
    // ELF64 little-endian: e_shoff at 0x28, e_shentsize at 0x3a; sh_size at +32.
    let shoff = u64::from_le_bytes(bytes[0x28..0x30].try_into().unwrap()) as usize;
    let shentsize = u16::from_le_bytes(bytes[0x3a..0x3c].try_into().unwrap()) as usize;
    let at = shoff + index * shentsize + 32;
    bytes[at..at + 8].copy_from_slice(&0x7fff_ffffu64.to_le_bytes());
    let err = parse(Cataloger::RustAuditable, "target/release/t", &bytes).unwrap_err();
    let text = err.to_string();
    assert!(text.contains("past the end of the file"), "{text}");
    assert!(text.contains("2147483647 bytes"), "{text}");
}

/// A wheel with hundreds of license files: a bounded number is inflated, and the
/// detector still reads the first ones.
#[test]
fn a_wheel_with_many_license_files_reads_a_bounded_number() {
    let meta = b"Metadata-Version: 2.1\nName: many\nVersion: 1.0\n";
    let names: Vec<String> = (0..500)
        .map(|i| format!("many-1.0.dist-info/licenses/LICENSE-{i:03}"))
        .collect();
    let text = b"MIT License\n\nPermission is hereby granted, free of charge, to any person obtaining a copy of this software and associated documentation files (the \"Software\"), to deal in the Software without restriction, including without limitation the rights to use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies of the Software, and to permit persons to whom the Software is furnished to do so, subject to the following conditions:\n\nThe above copyright notice and this permission notice shall be included in all copies or substantial portions of the Software.\n\nTHE SOFTWARE IS PROVIDED \"AS IS\", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.\n";
    let mut entries: Vec<(&str, &[u8])> = vec![("many-1.0.dist-info/METADATA", meta)];
    entries.extend(names.iter().map(|n| (n.as_str(), &text[..])));
    let c = parse(Cataloger::PythonArchive, "dist/many.whl", &zip_of(&entries)).unwrap();
    let messages: Vec<&str> = c.diagnostics.iter().map(|d| d.message.as_str()).collect();
    assert_eq!(
        messages,
        ["500 license, notice and copyright files: only the first 32 were read"]
    );
    let prints = &c.packages[0].component.properties["license-file-sha256"];
    assert_eq!(prints.split(',').count(), 8, "{prints}");
    let rows = licenses(&c);
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!((rows[0].0.as_str(), rows[0].1), ("MIT", SourceKind::File));
}
