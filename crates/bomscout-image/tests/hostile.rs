//! Hostile and damaged images: each case ends in a diagnostic (naming the layer digest and
//! the entry) or an error, never a panic, never a path outside the image.

use bomscout_core::Diagnostic;
use bomscout_image::testing::{
    append_raw, compress, sha256, Compression, DockerStyle, Node, TestImage, TestLayer,
};
use bomscout_image::{open, Image, ImageError, ImageOptions};
use bomscout_walk::{EntryKind, MemTree, Tree};
use std::io::Write;
use std::path::Path;
use tar::EntryType;

fn keep_all() -> ImageOptions {
    ImageOptions {
        keep: Box::new(|_| true),
        ..ImageOptions::default()
    }
}

/// `(name, kind, link name, data)` of a raw tar entry.
type RawEntry<'a> = (&'a [u8], EntryType, &'a [u8], &'a [u8]);

/// A raw tar from `(name, kind, link, data)` entries, names written unchecked.
fn raw_tar(entries: &[RawEntry<'_>]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (name, kind, link, data) in entries {
        append_raw(&mut b, name, *kind, link, data).unwrap();
    }
    b.into_inner().unwrap()
}

/// Writes `layers` as an OCI layout tar and reads it with `options`.
fn read_layers(layers: Vec<TestLayer>, options: &ImageOptions) -> Image {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("image.tar");
    TestImage::new(layers).write_oci_tar(&path).unwrap();
    open(&path, options).unwrap()
}

fn messages(diagnostics: &[Diagnostic]) -> Vec<&str> {
    diagnostics.iter().map(|d| d.message.as_str()).collect()
}

fn paths(img: &Image) -> Vec<&str> {
    img.tree.entries().map(|(k, _)| k).collect()
}

#[test]
fn dotdot_names_are_refused_and_absolute_names_normalized() {
    let tar = raw_tar(&[
        (b"../../etc/passwd", EntryType::Regular, b"", b"root::0:0"),
        (b"usr/../../../etc/shadow", EntryType::Regular, b"", b"x"),
        (b"/etc/abs", EntryType::Regular, b"", b"abs"),
        (b"./usr/ok", EntryType::Regular, b"", b"ok"),
        (b"usr/x/../inner", EntryType::Regular, b"", b"in"),
    ]);
    let digest = sha256(&tar);
    let img = read_layers(vec![TestLayer::raw(tar)], &keep_all());
    assert_eq!(
        paths(&img),
        ["etc", "etc/abs", "usr", "usr/inner", "usr/ok"]
    );
    assert_eq!(
        messages(&img.diagnostics),
        [
            format!("layer 0 ({digest}): entry \"../../etc/passwd\": its name leaves the image root with `..`; skipped"),
            format!("layer 0 ({digest}): entry \"usr/../../../etc/shadow\": its name leaves the image root with `..`; skipped"),
        ]
    );
}

#[test]
fn symlinks_that_leave_the_root_are_not_recorded() {
    let tar = raw_tar(&[
        (b"etc/escape", EntryType::Symlink, b"../../etc/shadow", b""),
        (b"a/b/deep", EntryType::Symlink, b"../../../../x", b""),
        (b"etc/absolute", EntryType::Symlink, b"/etc/shadow", b""),
        (
            b"etc/inside",
            EntryType::Symlink,
            b"../usr/lib/os-release",
            b"",
        ),
        (b"usr/lib/os-release", EntryType::Regular, b"", b"ID=x"),
        // A directory symlink to the root: what is written through it stays inside.
        (b"root", EntryType::Symlink, b"/", b""),
        (b"root/etc/through", EntryType::Regular, b"", b"t"),
    ]);
    let digest = sha256(&tar);
    let img = read_layers(vec![TestLayer::raw(tar)], &keep_all());
    assert_eq!(
        messages(&img.diagnostics),
        [
            format!("layer 0 ({digest}): entry \"etc/escape\": a symlink to \"../../etc/shadow\", which leaves the image root; not recorded"),
            format!("layer 0 ({digest}): entry \"a/b/deep\": a symlink to \"../../../../x\", which leaves the image root; not recorded"),
        ]
    );
    assert!(img.tree.get("etc/escape").is_none());
    assert!(img.tree.get("a/b/deep").is_none());
    assert_eq!(
        img.tree
            .get("etc/absolute")
            .and_then(|e| e.target.as_deref()),
        Some("/etc/shadow")
    );
    assert_eq!(
        img.tree.read(&MemTree::abs("etc/inside"), 9).unwrap(),
        b"ID=x"
    );
    assert_eq!(
        img.tree.read(&MemTree::abs("etc/through"), 9).unwrap(),
        b"t"
    );
    assert!(img.tree.get("root/etc/through").is_none());
}

#[test]
fn hard_links_out_of_the_root_or_to_nothing_are_diagnostics() {
    let tar = raw_tar(&[
        (b"etc/file", EntryType::Regular, b"", b"data"),
        (b"etc/dir", EntryType::Directory, b"", b""),
        (b"out", EntryType::Link, b"../../etc/passwd", b""),
        (b"missing", EntryType::Link, b"etc/nothing", b""),
        (b"todir", EntryType::Link, b"etc/dir", b""),
        (b"good", EntryType::Link, b"/etc/file", b""),
    ]);
    let digest = sha256(&tar);
    let img = read_layers(vec![TestLayer::raw(tar)], &keep_all());
    assert_eq!(
        messages(&img.diagnostics),
        [
            format!("layer 0 ({digest}): entry \"out\": a hard link to \"../../etc/passwd\", which leaves the image root; skipped"),
            format!("layer 0 ({digest}): entry \"missing\": a hard link to \"etc/nothing\", which is not in the image before it; skipped"),
            format!("layer 0 ({digest}): entry \"todir\": a hard link to the directory \"etc/dir\"; skipped"),
        ]
    );
    assert_eq!(img.tree.read(&MemTree::abs("good"), 9).unwrap(), b"data");
    assert_eq!(paths(&img), ["etc", "etc/dir", "etc/file", "good"]);
}

#[test]
fn long_names_in_gnu_and_pax_headers_are_read() {
    let long = format!("usr/share/doc/{}/copyright", "d".repeat(180));
    let pax_name = format!("var/lib/{}/status", "p".repeat(150));
    // GNU long names, as the tar crate writes them.
    let gnu = TestLayer::new(
        Compression::Gzip,
        vec![
            (long.as_str(), Node::file("gnu")),
            (
                "usr/share/doc/link",
                Node::symlink(&format!("{}/copyright", "d".repeat(180))),
            ),
        ],
    );
    // A PAX extended header (type 'x') naming the next entry.
    let record = format!(" path={pax_name}\n");
    let len = record.len() + 3;
    let record = format!("{len}{record}");
    assert_eq!(record.len(), len);
    let pax = raw_tar(&[
        (b"PaxHeader/x", EntryType::XHeader, b"", record.as_bytes()),
        (b"short-name-replaced", EntryType::Regular, b"", b"pax"),
    ]);
    let img = read_layers(vec![gnu, TestLayer::raw(pax)], &keep_all());
    assert_eq!(img.diagnostics, vec![]);
    assert_eq!(img.tree.read(&MemTree::abs(&long), 9).unwrap(), b"gnu");
    assert_eq!(
        img.tree
            .read(&MemTree::abs("usr/share/doc/link"), 9)
            .unwrap(),
        b"gnu"
    );
    assert_eq!(img.tree.read(&MemTree::abs(&pax_name), 9).unwrap(), b"pax");
    assert!(img.tree.get("short-name-replaced").is_none());
}

#[test]
fn a_layer_bomb_stops_at_max_total() {
    // 16 MiB of zeros in one file: a gzip layer of some KiB (how few depends on flate2's
    // backend, which the workspace's features choose).
    let entries = vec![
        ("ok".to_string(), Node::file("before")),
        ("bomb".to_string(), Node::File(vec![0u8; 16 << 20])),
    ];
    let tar = bomscout_image::testing::tar_of(&entries).unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(&tar).unwrap();
    let bytes = gz.finish().unwrap();
    assert!(bytes.len() * 50 < tar.len(), "{}", bytes.len());
    let bomb = TestLayer::raw(bytes);
    let after = TestLayer::new(Compression::None, vec![("after", Node::file("x"))]);
    let options = ImageOptions {
        max_total: 1 << 20,
        ..keep_all()
    };
    let img = read_layers(vec![bomb, after], &options);
    let m = messages(&img.diagnostics);
    assert_eq!(m.len(), 2, "{m:?}");
    assert!(m[0].starts_with("layer 0 (sha256:"), "{}", m[0]);
    assert!(
        m[0].contains("more than the 1048576-byte limit"),
        "{}",
        m[0]
    );
    assert_eq!(
        m[1],
        "1 later layers were not read: a limit was reached (see above)"
    );
    assert_eq!(img.tree.read(&MemTree::abs("ok"), 9).unwrap(), b"before");
    assert!(img.tree.get("bomb").is_none());
    assert!(img.tree.get("after").is_none());
    assert_eq!(img.layers.len(), 2);
}

/// A gzip layer of 1,000,000 zero-size entries: 1,000 gzip members (a multi-member gzip,
/// as `pigz` and others write) of 1,000 entries each. Compressing 512 MB of headers is
/// too slow for a debug-built test, so 20 distinct members are compressed and written in
/// turn: 20,000 distinct paths, each written 50 times. Reading stops at a lowered
/// `max_entries` (reading all 1,000,000 takes a debug build tens of seconds).
#[test]
fn a_million_entries_stop_at_max_entries() {
    let dir = tempfile::tempdir().unwrap();
    let members: Vec<Vec<u8>> = (0..20)
        .map(|j| {
            let mut b = tar::Builder::new(Vec::new());
            let mut h = tar::Header::new_gnu();
            h.set_entry_type(EntryType::Regular);
            h.set_size(0);
            h.set_mode(0o644);
            h.set_mtime(0);
            for i in 0..1000 {
                let name = format!("d{j}/f{i}");
                h.as_old_mut().name = [0; 100];
                h.as_old_mut().name[..name.len()].copy_from_slice(name.as_bytes());
                h.set_cksum();
                b.append(&h, std::io::empty()).unwrap();
            }
            // The end-of-archive blocks come once, at the very end.
            let mut tar = b.into_inner().unwrap();
            tar.truncate(tar.len() - 1024);
            compress(&tar, Compression::Gzip)
        })
        .collect();
    let layer = dir.path().join("million.tar.gz");
    let mut out = std::io::BufWriter::new(std::fs::File::create(&layer).unwrap());
    for _ in 0..50 {
        for member in &members {
            out.write_all(member).unwrap();
        }
    }
    out.write_all(&compress(&[0; 1024], Compression::Gzip))
        .unwrap();
    out.flush().unwrap();
    drop(out);
    let path = dir.path().join("image");
    TestImage::new(vec![TestLayer::file(&layer, Compression::Gzip)])
        .write_oci_dir(&path)
        .unwrap();
    let options = ImageOptions {
        max_entries: 100_000,
        ..ImageOptions::default()
    };
    let img = open(&path, &options).unwrap();
    let m = messages(&img.diagnostics);
    assert_eq!(m.len(), 1, "{m:?}");
    // Every entry is counted, the repeated ones too: 100,000 entries held 5 rounds of the
    // 20,000 paths (and their 20 directories).
    assert_eq!(img.tree.len(), 20_020);
    assert!(
        m[0].ends_with("the image has more than 100000 entries, the limit; this layer was applied up to there and later layers are skipped"),
        "{}",
        m[0]
    );
}

#[test]
fn a_file_over_max_file_is_listed_without_contents() {
    let layer = TestLayer::new(
        Compression::None,
        vec![
            ("big", Node::File(vec![b'x'; 5000])),
            ("small", Node::file("s")),
        ],
    );
    let options = ImageOptions {
        max_file: 4096,
        ..keep_all()
    };
    let img = read_layers(vec![layer], &options);
    let big = img.tree.get("big").unwrap();
    assert_eq!((big.size, big.content.is_none()), (5000, true));
    assert_eq!(img.tree.read(&MemTree::abs("small"), 9).unwrap(), b"s");
    let m = messages(&img.diagnostics);
    assert_eq!(m.len(), 1);
    assert!(
        m[0].ends_with("entry \"big\": 5000 bytes, over the 4096-byte limit for one file; listed, its contents not kept"),
        "{}",
        m[0]
    );
}

#[test]
fn max_kept_stops_keeping_with_one_diagnostic() {
    let files: Vec<(String, Node)> = (0..6)
        .map(|i| (format!("f{i}"), Node::File(vec![b'a'; 100])))
        .collect();
    let layer = TestLayer::new(
        Compression::Gzip,
        files.iter().map(|(p, n)| (p.as_str(), n.clone())).collect(),
    );
    let options = ImageOptions {
        max_kept: 250,
        ..keep_all()
    };
    let img = read_layers(vec![layer], &options);
    let kept: Vec<bool> = img
        .tree
        .entries()
        .map(|(_, e)| e.content.is_some())
        .collect();
    assert_eq!(kept, [true, true, false, false, false, false]);
    assert!(img.tree.entries().all(|(_, e)| e.size == 100));
    let m = messages(&img.diagnostics);
    assert_eq!(m.len(), 1, "{m:?}");
    assert!(
        m[0].contains("entry \"f2\": the contents kept in memory reached the 250-byte limit"),
        "{}",
        m[0]
    );
}

#[test]
fn a_truncated_layer_keeps_what_was_applied() {
    let tar = testing_tar(&[("a", "first"), ("b", "second"), ("c", &"third".repeat(400))]);
    // Cut inside c's data: a, b and c's header are whole.
    let cut = tar[..512 * 6 + 100].to_vec();
    for (keep, name) in [(true, "kept"), (false, "skipped")] {
        let options = ImageOptions {
            keep: Box::new(move |_| keep),
            ..ImageOptions::default()
        };
        let img = read_layers(vec![TestLayer::raw(cut.clone())], &options);
        assert_eq!(&paths(&img)[..2], ["a", "b"], "{name}");
        let m = messages(&img.diagnostics);
        assert_eq!(m.len(), 1, "{name}: {m:?}");
        assert!(m[0].contains("is damaged"), "{name}: {}", m[0]);
        assert!(
            m[0].contains("the entries before it are applied"),
            "{name}: {}",
            m[0]
        );
    }
}

fn testing_tar(files: &[(&str, &str)]) -> Vec<u8> {
    let entries: Vec<(String, Node)> = files
        .iter()
        .map(|(p, c)| (p.to_string(), Node::file(c)))
        .collect();
    bomscout_image::testing::tar_of(&entries).unwrap()
}

#[test]
fn corrupt_or_truncated_gzip_keeps_what_was_applied() {
    let files: Vec<(String, String)> = (0..200)
        .map(|i| (format!("f{i:03}"), format!("{i}").repeat(50)))
        .collect();
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let gz = compress(&testing_tar(&refs), Compression::Gzip);
    let mut corrupt = gz.clone();
    let at = corrupt.len() * 3 / 4;
    for b in &mut corrupt[at..at + 16] {
        *b ^= 0x5a;
    }
    let truncated = gz[..gz.len() / 2].to_vec();
    for (name, bytes) in [("corrupt", corrupt), ("truncated", truncated)] {
        let img = read_layers(vec![TestLayer::raw(bytes)], &keep_all());
        let m = messages(&img.diagnostics);
        assert!(!m.is_empty(), "{name}");
        assert!(
            m[0].contains("is damaged") || m[0].contains("sha256"),
            "{name}: {}",
            m[0]
        );
        assert!(img.tree.get("f000").is_some(), "{name}");
    }
}

#[test]
fn metadata_that_is_not_json_or_is_huge_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("layout");
    TestImage::new(vec![]).write_oci_dir(&path).unwrap();
    std::fs::write(path.join("index.json"), b"\x1b[2J not json").unwrap();
    match open(&path, &ImageOptions::default()) {
        Err(ImageError::Invalid(m)) => assert!(m.contains("index.json is not valid"), "{m}"),
        other => panic!("{other:?}"),
    }
    let mut huge = std::fs::File::create(path.join("index.json")).unwrap();
    huge.write_all(br#"{"manifests":["#).unwrap();
    huge.write_all(&vec![b' '; 5 << 20]).unwrap();
    huge.write_all(b"]}").unwrap();
    drop(huge);
    match open(&path, &ImageOptions::default()) {
        Err(ImageError::Invalid(m)) => {
            assert!(
                m.contains("over the 4194304-byte limit for image metadata"),
                "{m}"
            )
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn docker_manifest_paths_that_leave_the_archive_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.tar");
    TestImage::new(vec![TestLayer::new(
        Compression::None,
        vec![("a", Node::file("1"))],
    )])
    .write_docker_tar(&good, DockerStyle::Legacy)
    .unwrap();
    // Rewrite manifest.json with hostile paths, keeping every other entry.
    let rewrite = |manifest: &str, out: &Path| {
        let mut a = tar::Archive::new(std::fs::File::open(&good).unwrap());
        let mut b = tar::Builder::new(std::fs::File::create(out).unwrap());
        let mut config = String::new();
        for e in a.entries().unwrap() {
            let mut e = e.unwrap();
            let name = e.path().unwrap().to_string_lossy().into_owned();
            if name == "manifest.json" {
                continue;
            }
            if name.ends_with(".json") && !name.contains('/') {
                config = name.clone();
            }
            let h = e.header().clone();
            let mut data = Vec::new();
            std::io::Read::read_to_end(&mut e, &mut data).unwrap();
            b.append(&h, data.as_slice()).unwrap();
        }
        let manifest = manifest.replace("CONFIG", &config);
        let mut h = tar::Header::new_gnu();
        h.set_size(manifest.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        b.append_data(&mut h, "manifest.json", manifest.as_bytes())
            .unwrap();
        b.into_inner().unwrap();
    };
    let layers = dir.path().join("layers.tar");
    rewrite(
        r#"[{"Config":"CONFIG","RepoTags":["x:1"],"Layers":["../../etc/passwd","/etc/shadow"]}]"#,
        &layers,
    );
    let img = open(&layers, &ImageOptions::default()).unwrap();
    assert_eq!(
        messages(&img.diagnostics),
        [
            "layer 0: manifest.json names \"../../etc/passwd\", which leaves the archive; refused",
            "layer 1: manifest.json names \"/etc/shadow\", which leaves the archive; refused",
        ]
    );
    assert!(img.tree.is_empty());
    let config = dir.path().join("config.tar");
    rewrite(r#"[{"Config":"../CONFIG","Layers":[]}]"#, &config);
    match open(&config, &ImageOptions::default()) {
        Err(ImageError::Invalid(m)) => assert!(m.contains("leaves the archive; refused"), "{m}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn control_characters_in_names_are_escaped_and_floods_summarized() {
    let mut names: Vec<Vec<u8>> = vec![b"../\x1b[31mred\n".to_vec()];
    for i in 0..150 {
        names.push(format!("../x{i}").into_bytes());
    }
    let refs: Vec<RawEntry<'_>> = names
        .iter()
        .map(|n| (n.as_slice(), EntryType::Regular, &b""[..], &b""[..]))
        .collect();
    let tar = raw_tar(&refs);
    let img = read_layers(vec![TestLayer::raw(tar)], &keep_all());
    let m = messages(&img.diagnostics);
    assert_eq!(m.len(), 101);
    assert!(m[0].contains(r#"entry "../\x1b[31mred\n""#), "{}", m[0]);
    assert!(!m.iter().any(|m| m.contains('\x1b') || m.contains('\n')));
    assert!(
        m[100].ends_with("51 more entries refused, as above"),
        "{}",
        m[100]
    );
}

#[test]
fn devices_and_fifos_are_listed_never_read() {
    let tar = raw_tar(&[
        (b"dev/null", EntryType::Char, b"", b""),
        (b"dev/sda", EntryType::Block, b"", b""),
        (b"run/fifo", EntryType::Fifo, b"", b""),
    ]);
    let img = read_layers(vec![TestLayer::raw(tar)], &keep_all());
    assert_eq!(img.diagnostics, vec![]);
    for p in ["dev/null", "dev/sda", "run/fifo"] {
        assert_eq!(
            img.tree.kind(&MemTree::abs(p)),
            Some(EntryKind::Other),
            "{p}"
        );
        assert!(img.tree.read(&MemTree::abs(p), 9).is_err(), "{p}");
    }
}

#[test]
fn a_missing_layer_blob_is_a_diagnostic_and_the_others_apply() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("layout");
    let layer = |p: &str| TestLayer::new(Compression::Gzip, vec![(p, Node::file(p))]);
    let written = TestImage::new(vec![layer("a"), layer("b"), layer("c")])
        .write_oci_dir(&path)
        .unwrap();
    let gone = &written.layers[0][1];
    std::fs::remove_file(path.join("blobs/sha256").join(&gone[7..])).unwrap();
    let img = open(&path, &ImageOptions::default()).unwrap();
    assert_eq!(paths(&img), ["a", "c"]);
    let m = messages(&img.diagnostics);
    assert_eq!(m.len(), 1, "{m:?}");
    assert!(m[0].starts_with(&format!("layer 1 ({gone}): ")), "{}", m[0]);
    assert!(m[0].contains("is missing from the image"), "{}", m[0]);
    assert_eq!(img.tree.layer_of("c"), Some(2));
}

#[test]
fn a_truncated_archive_never_panics() {
    let dir = tempfile::tempdir().unwrap();
    let whole = dir.path().join("whole.tar");
    let layer = TestLayer::new(
        Compression::None,
        (0..50)
            .map(|i| {
                let name = ["f0", "f1", "f2", "f3", "f4"][i % 5];
                (name, Node::File(vec![b'x'; 700]))
            })
            .collect(),
    );
    let written = TestImage::new(vec![layer]).write_oci_tar(&whole).unwrap();
    // The same archive with the layer blob last, so that cutting it short leaves the
    // metadata whole and the layer truncated.
    let layer_name = format!("blobs/sha256/{}", &written.layers[0][0][7..]);
    let mut a = tar::Archive::new(std::fs::File::open(&whole).unwrap());
    let mut entries: Vec<(tar::Header, Vec<u8>)> = a
        .entries()
        .unwrap()
        .map(|e| {
            let mut e = e.unwrap();
            let mut data = Vec::new();
            std::io::Read::read_to_end(&mut e, &mut data).unwrap();
            (e.header().clone(), data)
        })
        .collect();
    entries.sort_by_key(|(h, _)| h.path().unwrap().to_string_lossy() == layer_name);
    let mut b = tar::Builder::new(Vec::new());
    for (h, data) in &entries {
        b.append(h, data.as_slice()).unwrap();
    }
    let bytes = b.into_inner().unwrap();
    let layer_size = entries.last().unwrap().1.len();
    let layer_start = bytes.len() - 1024 - layer_size.div_ceil(512) * 512;
    let mut outcomes = std::collections::BTreeMap::new();
    for cut in (512..bytes.len()).step_by(1000) {
        let path = dir.path().join("cut.tar");
        std::fs::write(&path, &bytes[..cut]).unwrap();
        let outcome = match open(&path, &ImageOptions::default()) {
            Ok(img) if img.diagnostics.is_empty() => "read",
            Ok(img) => {
                let m = &img.diagnostics[0].message;
                assert!(cut > layer_start, "{cut}: {m}");
                assert!(m.contains("is damaged"), "{cut}: {m}");
                "read with diagnostics"
            }
            Err(ImageError::Unsupported(_)) => "not an image",
            Err(ImageError::Invalid(_)) => "invalid",
            Err(e) => panic!("{cut}: {e}"),
        };
        *outcomes.entry(outcome).or_insert(0) += 1;
    }
    assert!(
        outcomes.contains_key("read with diagnostics"),
        "{outcomes:?}"
    );
    assert!(
        outcomes.contains_key("not an image") || outcomes.contains_key("invalid"),
        "{outcomes:?}"
    );
}

#[test]
fn an_index_that_fans_out_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("layout");
    TestImage::new(vec![])
        .nested()
        .write_oci_dir(&path)
        .unwrap();
    let index: serde_json::Value =
        serde_json::from_slice(&std::fs::read(path.join("index.json")).unwrap()).unwrap();
    let nested = index["manifests"][0].clone();
    // 100 references to the same nested index.
    let fan = serde_json::json!({"schemaVersion": 2, "manifests": vec![nested; 100]});
    std::fs::write(path.join("index.json"), serde_json::to_vec(&fan).unwrap()).unwrap();
    match open(&path, &ImageOptions::default()) {
        Err(ImageError::Invalid(m)) => assert!(m.contains("more than 64 nested indexes"), "{m}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn an_opaque_root_hides_every_lower_entry() {
    let lower = TestLayer::new(
        Compression::None,
        vec![("etc/a", Node::file("a")), ("b", Node::file("b"))],
    );
    let upper = TestLayer::new(
        Compression::Gzip,
        vec![
            ("etc", Node::Dir),
            ("new", Node::file("n")),
            (".wh..wh..opq", Node::file("")),
        ],
    );
    let img = read_layers(vec![lower, upper], &keep_all());
    assert_eq!(img.diagnostics, vec![]);
    assert_eq!(paths(&img), ["etc", "new"]);
    assert_eq!(img.tree.layer_of("new"), Some(1));
}

#[test]
fn repeated_opaque_markers_cost_one_pass() {
    // 10,000 files of the layer in `x`, then 10,000 opaque markers for it: were each
    // marker a pass over `x`, that would be 100,000,000 steps (minutes in a debug build).
    let mut entries: Vec<(String, Node)> = (0..10_000)
        .map(|i| (format!("x/f{i}"), Node::File(Vec::new())))
        .collect();
    entries.extend((0..10_000).map(|_| ("x".to_string(), Node::Opaque)));
    let tar = bomscout_image::testing::tar_of(&entries).unwrap();
    let lower = TestLayer::new(Compression::None, vec![("x/old", Node::file("o"))]);
    let img = read_layers(vec![lower, TestLayer::raw(tar)], &ImageOptions::default());
    assert_eq!(img.diagnostics, vec![]);
    assert!(img.tree.get("x/old").is_none());
    assert_eq!(img.tree.len(), 10_001);
}

#[test]
fn nested_opaque_markers_over_a_big_directory_are_bounded() {
    // 2,000 files at the bottom of 200 nested directories, each made opaque after them:
    // 200 passes over 2,000 entries, past 8 steps per allowed entry.
    let deep: Vec<String> = (1..=200).map(|n| vec!["d"; n].join("/")).collect();
    let bottom = deep.last().unwrap().clone();
    let mut entries: Vec<(String, Node)> = (0..2000)
        .map(|i| (format!("{bottom}/f{i}"), Node::File(Vec::new())))
        .collect();
    entries.extend(deep.iter().rev().map(|d| (d.clone(), Node::Opaque)));
    let tar = bomscout_image::testing::tar_of(&entries).unwrap();
    let options = ImageOptions {
        max_entries: 10_000,
        ..ImageOptions::default()
    };
    let img = read_layers(vec![TestLayer::raw(tar)], &options);
    let m = messages(&img.diagnostics);
    assert_eq!(m.len(), 1, "{m:?}");
    assert!(
        m[0].contains("the opaque-directory markers looked at more than 80000 entries"),
        "{}",
        m[0]
    );
    assert_eq!(
        img.tree.get(&format!("{bottom}/f0")).map(|e| e.size),
        Some(0)
    );
}

#[test]
fn long_and_deep_names_are_bounded() {
    // Names past PATH_MAX are refused; names just under it, under a symlink to the root,
    // are placed at their real directory.
    let deep = vec!["d"; 2000].join("/");
    let mut entries: Vec<(String, Node)> = vec![
        ("s".to_string(), Node::symlink(".")),
        (format!("{}/x", "e/".repeat(2100)), Node::file("too long")),
    ];
    for i in 0..100 {
        entries.push((format!("s/{deep}/f{i}"), Node::File(Vec::new())));
    }
    let tar = bomscout_image::testing::tar_of(&entries).unwrap();
    let img = read_layers(vec![TestLayer::raw(tar)], &keep_all());
    let m = messages(&img.diagnostics);
    assert_eq!(m.len(), 1, "{m:?}");
    assert!(
        m[0].ends_with(
            "its name or link target is longer than 4096 bytes (Linux's PATH_MAX); skipped"
        ),
        "{}",
        m[0]
    );
    assert!(img.tree.get(&format!("{deep}/f99")).is_some());
    assert!(img.tree.get("e").is_none());
}
