//! Images made by real tools (umoci and skopeo; see `fixtures/images/README.md`), read
//! back in all three formats.

use bomscout_image::{open, sniff, Format, Image, ImageOptions};
use bomscout_walk::{EntryKind, MemTree, Tree};
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/images")
        .join(name)
}

fn read(path: &Path) -> Image {
    let options = ImageOptions {
        keep: Box::new(|p| {
            p.starts_with("var/lib/dpkg/")
                || p.starts_with("usr/share/doc/")
                || p.starts_with("etc/")
        }),
        ..ImageOptions::default()
    };
    open(path, &options).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn names(tree: &MemTree, dir: &str) -> Vec<String> {
    tree.read_dir(&MemTree::abs(dir))
        .unwrap()
        .into_iter()
        .map(|e| e.name)
        .collect()
}

#[test]
fn umoci_and_skopeo_images_read_alike() {
    let layout = fixture("umoci-layout");
    let oci_tar = fixture("skopeo-oci-archive.tar");
    let docker = fixture("skopeo-docker-archive.tar");
    assert_eq!(sniff(&layout), Some(Format::OciDir));
    assert_eq!(sniff(&oci_tar), Some(Format::OciArchive));
    assert_eq!(sniff(&docker), Some(Format::DockerArchive));
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/os/debootstrap-minbase");
    let status = std::fs::read(root.join("var/lib/dpkg/status")).unwrap();
    let manifest = "sha256:ce648447895f8ebc97e1b28eebefc852316cf9ac37f538d8159ff883139b4ba2";
    let config = "sha256:73a8ca184855498c2f131ffc8750ea7387427f87f4b4e74eb177b28e5da673a8";
    let mut listings = Vec::new();
    for (path, name, tag, digest) in [
        (&layout, "umoci-layout", "bookworm", manifest),
        (&oci_tar, "skopeo-oci-archive", "bookworm", manifest),
        (&docker, "example.invalid:5000/debian", "bookworm", config),
    ] {
        let img = read(path);
        let shown = path.display();
        assert_eq!(img.diagnostics, vec![], "{shown}");
        assert_eq!(
            (img.name.as_str(), img.tag.as_deref()),
            (name, Some(tag)),
            "{shown}"
        );
        assert_eq!(img.digest, digest, "{shown}");
        assert_eq!(img.config_digest, config, "{shown}");
        assert_eq!(img.platform.as_deref(), Some("linux/amd64"), "{shown}");
        let created: Vec<&str> = img
            .layers
            .iter()
            .filter_map(|l| l.created_by.as_deref())
            .collect();
        assert_eq!(
            created,
            [
                "COPY rootfs /",
                "COPY motd /etc/motd",
                "RUN rm -r /usr/share/doc/gzip",
                "COPY extra /usr/share/doc/dpkg"
            ],
            "{shown}"
        );
        let t = &img.tree;
        assert_eq!(
            t.read(&MemTree::abs("var/lib/dpkg/status"), 1 << 20)
                .unwrap(),
            status,
            "{shown}"
        );
        assert_eq!(
            t.read(&MemTree::abs("etc/motd"), 99).unwrap(),
            b"hello from layer 1\n",
            "{shown}"
        );
        assert_eq!(t.layer_of("etc/motd"), Some(1), "{shown}");
        // Layer 2's whiteout removed gzip's docs; layer 3's opaque directory hid dpkg's.
        assert_eq!(
            names(t, "usr/share/doc"),
            ["base-files", "bash", "dpkg", "libgcc-s1"],
            "{shown}"
        );
        assert_eq!(names(t, "usr/share/doc/dpkg"), ["motd"], "{shown}");
        assert_eq!(t.layer_of("usr/share/doc/dpkg/motd"), Some(3), "{shown}");
        // Debian's doc-directory symlink, dangling here as in the fixture it came from.
        assert_eq!(
            t.get("usr/share/doc/libgcc-s1").map(|e| e.kind),
            Some(EntryKind::Symlink)
        );
        assert!(
            t.kind(&MemTree::abs("usr/share/doc/libgcc-s1")).is_none(),
            "{shown}"
        );
        listings.push(
            t.entries()
                .map(|(k, e)| format!("{k} {:?} {} {}", e.kind, e.size, e.layer))
                .collect::<Vec<_>>(),
        );
    }
    assert_eq!(listings[0], listings[1]);
    assert_eq!(listings[0], listings[2]);
}
