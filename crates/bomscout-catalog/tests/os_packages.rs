//! OS package databases: dpkg `status` and `status.d`, Alpine's `installed`, RPM's
//! `rpmdb.sqlite` and `os-release`, on real fixtures (see `fixtures/os/README.md` for how each
//! was made), plus hostile inputs. Counts are taken from the fixtures independently of
//! bomscout (the one-liner beside each).

#[path = "common/mod.rs"]
mod common;

use bomscout_catalog::{parse, Input};
use bomscout_core::{Catalog, Cataloger, ComponentKind, NodeRef};
use std::path::Path;

fn component<'a>(c: &'a Catalog, name: &str) -> &'a bomscout_core::Component {
    &c.packages
        .iter()
        .find(|p| p.component.name == name)
        .unwrap_or_else(|| panic!("no {name}"))
        .component
}

fn deps_of(c: &Catalog, name: &str) -> Vec<String> {
    let p = c
        .packages
        .iter()
        .find(|p| p.component.name == name)
        .unwrap_or_else(|| panic!("no {name}"));
    let mut out: Vec<String> = p
        .deps
        .iter()
        .map(|e| match e.to {
            NodeRef::Package(i) => c.packages[i].component.name.clone(),
            NodeRef::Project(i) => format!("project {i}"),
        })
        .collect();
    out.sort();
    out
}

fn license_of(c: &Catalog, name: &str) -> Vec<String> {
    component(c, name)
        .licenses
        .iter()
        .map(|l| format!("{} [{}]", l.raw, l.source.path))
        .collect()
}

#[test]
fn dpkg_host_status() {
    let rel = "os/dpkg-host/var/lib/dpkg/status";
    let c = common::assert_fixture(Cataloger::DpkgStatus, rel);
    // grep -c '^Package:' fixtures/os/dpkg-host/var/lib/dpkg/status → 26, all installed.
    assert_eq!(c.packages.len(), 26);
    assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
    let libc = component(&c, "libc6");
    // `Version: 2.36-9+deb12u14`; `+` is percent-encoded in a purl.
    assert_eq!(libc.version.as_deref(), Some("2.36-9+deb12u14"));
    assert_eq!(
        libc.purl.as_str(),
        "pkg:deb/debian/libc6@2.36-9%2Bdeb12u14?arch=amd64&distro=debian-12"
    );
    assert_eq!(libc.properties["source"], "glibc");
    // libc6: `Depends: libgcc-s1, libc6 ...`
    assert!(deps_of(&c, "libc6").contains(&"libgcc-s1".to_string()));
    // usr/share/doc/libgcc-s1 is a symlink to gcc-12-base (inside the root): followed.
    // gcc-12-base's file is not machine-readable and holds no one license text, so both
    // have the file's fingerprint, and the GNU notices it quotes.
    let print = |name: &str| {
        component(&c, name)
            .properties
            .get("license-file-sha256")
            .cloned()
    };
    assert!(print("gcc-12-base").is_some());
    assert_eq!(print("libgcc-s1"), print("gcc-12-base"));
    let notices = |name: &str| -> Vec<String> {
        component(&c, name)
            .licenses
            .iter()
            .map(|l| format!("{} {}", l.raw, l.source.field))
            .collect()
    };
    assert_eq!(
        notices("libgcc-s1"),
        [
            "GPL-3.0-or-later license-notice",
            "LGPL-2.0-or-later license-notice",
            "LGPL-2.1-or-later license-notice",
            "GPL-2.0-or-later license-notice"
        ]
    );
    assert_eq!(notices("libgcc-s1"), notices("gcc-12-base"));
    // libc6: the library's LGPL notice and its utilities' GPL one.
    assert_eq!(
        notices("libc6"),
        [
            "LGPL-2.1-or-later license-notice",
            "GPL-2.0-or-later license-notice"
        ]
    );
    // libc6's copyright file is not machine-readable: never a declared `License` field.
    assert!(component(&c, "libc6")
        .licenses
        .iter()
        .all(|l| l.source.field != "License"));
    // dpkg's is DEP-5.
    assert!(component(&c, "dpkg")
        .licenses
        .iter()
        .any(|l| l.source.field == "License" && l.raw.contains("GPL-2.0-or-later")));
}

#[test]
fn dpkg_debootstrap_minbase() {
    let rel = "os/debootstrap-minbase/var/lib/dpkg/status";
    let c = common::assert_fixture(Cataloger::DpkgStatus, rel);
    // grep -c '^Package:' → 88; debootstrap leaves no rc packages.
    assert_eq!(c.packages.len(), 88);
    // apt: `Depends: adduser, gpgv | gpgv2 | gpgv1, libapt-pkg6.0 (>= 2.6.1), ...`:
    // gpgv is installed, the other alternatives are not.
    let apt = deps_of(&c, "apt");
    assert!(apt.contains(&"gpgv".to_string()), "{apt:?}");
    assert!(apt.contains(&"libapt-pkg6.0".to_string()), "{apt:?}");
    // Every component of one root carries the same distro.
    assert!(c
        .packages
        .iter()
        .all(|p| p.component.purl.as_str().contains("distro=debian-12")));
}

#[test]
fn dpkg_status_d_distroless() {
    let dir = "os/distroless/var/lib/dpkg/status.d";
    let rels: Vec<String> = ["base-files", "libc6", "zlib1g"]
        .iter()
        .map(|n| format!("{dir}/{n}"))
        .collect();
    let cs = common::snapshot::assert_scenario(
        "os/distroless/var/lib/dpkg/status.d",
        Cataloger::DpkgStatusD,
        &rels,
    );
    for c in &cs {
        assert_eq!(c.packages.len(), 1);
    }
    // zlib1g's copyright file is DEP-5 (`License: Zlib`); base-files' and libc6's are not.
    assert_eq!(
        license_of(&cs[2], "zlib1g"),
        ["Zlib [os/distroless/usr/share/doc/zlib1g/copyright]"]
    );
    // The md5sums list beside a record is claimed (no name glob tells it from a package
    // named with a dot) and gives nothing, quietly.
    let md5 = format!("{dir}/zlib1g.md5sums");
    assert_eq!(bomscout_walk::detect(&md5), Some(Cataloger::DpkgStatusD));
    assert_eq!(
        common::catalog(Cataloger::DpkgStatusD, &md5),
        Catalog::default()
    );
}

#[test]
fn detection() {
    for (path, want) in [
        ("var/lib/dpkg/status", Cataloger::DpkgStatus),
        ("img/var/lib/dpkg/status", Cataloger::DpkgStatus),
        ("lib/apk/db/installed", Cataloger::ApkInstalled),
        ("var/lib/rpm/rpmdb.sqlite", Cataloger::RpmDb),
        ("usr/lib/sysimage/rpm/rpmdb.sqlite", Cataloger::RpmDb),
        ("var/lib/rpm/Packages", Cataloger::RpmDb),
        ("etc/os-release", Cataloger::OsRelease),
        ("usr/lib/os-release", Cataloger::OsRelease),
    ] {
        assert_eq!(bomscout_walk::detect(path), Some(want), "{path}");
    }
    assert_eq!(bomscout_walk::detect("var/lib/dpkg/status-old"), None);
}

#[test]
fn alpine_trivy() {
    let rel = "os/alpine-trivy/lib/apk/db/installed";
    let c = common::assert_fixture(Cataloger::ApkInstalled, rel);
    // grep -c '^P:' → 16, one of them (`invalidPackageWithoutAVersion`) without `V:`.
    assert_eq!(c.packages.len(), 15);
    assert!(c
        .diagnostics
        .iter()
        .any(|d| d.message.contains("without P: (name) or V: (version)")));
    // busybox: `D:so:libc.musl-x86_64.so.1`, which musl provides.
    assert_eq!(deps_of(&c, "busybox"), ["musl"]);
    // musl-utils: `D:!uclibc-utils scanelf musl=1.1.14-r10 so:libc.musl-x86_64.so.1`.
    assert_eq!(deps_of(&c, "musl-utils"), ["musl", "scanelf"]);
    assert_eq!(
        component(&c, "ada-libs").licenses[0].raw,
        "( Apache-2.0 OR MIT ) AND MPL-2.0"
    );
    assert_eq!(
        component(&c, "musl").purl.as_str(),
        "pkg:apk/alpine/musl@1.1.14-r10?arch=x86_64"
    );
}

#[test]
fn alpine_syft() {
    let rel = "os/alpine-syft/lib/apk/db/installed";
    let c = common::assert_fixture(Cataloger::ApkInstalled, rel);
    assert_eq!(c.packages.len(), 4);
    // bash: `D:/bin/sh so:libc.musl-x86_64.so.1 so:libreadline.so.8`; busybox-binsh
    // provides `/bin/sh`.
    assert_eq!(deps_of(&c, "bash"), ["busybox-binsh", "musl", "readline"]);
}

#[test]
fn rpm_sqlite() {
    let rel = "os/rpm-sqlite/var/lib/rpm/rpmdb.sqlite";
    let path = common::fixture_path(rel);
    let before = std::fs::read(&path).unwrap();
    let c = common::assert_fixture(Cataloger::RpmDb, rel);
    // `rpm --root fixtures/os/rpm-sqlite -qa` lists libhello-1.2.3-4 and hello-0.9-1.fc40.
    assert_eq!(c.packages.len(), 2);
    let lib = component(&c, "libhello");
    assert_eq!(lib.version.as_deref(), Some("2:1.2.3-4"));
    assert_eq!(
        lib.purl.as_str(),
        "pkg:rpm/libhello@1.2.3-4?arch=noarch&epoch=2"
    );
    // `License: MIT AND BSD-3-Clause`: one statement per license.
    let raws: Vec<&str> = lib.licenses.iter().map(|l| l.raw.as_str()).collect();
    assert_eq!(raws, ["MIT", "BSD-3-Clause"]);
    // hello `Requires: libhello.so.1`, which libhello provides.
    assert_eq!(deps_of(&c, "hello"), ["libhello"]);
    // Read-only and immutable: the database is unchanged and no journal appeared.
    assert_eq!(std::fs::read(&path).unwrap(), before);
    for side in [
        "rpmdb.sqlite-wal",
        "rpmdb.sqlite-shm",
        "rpmdb.sqlite-journal",
    ] {
        assert!(!path.with_file_name(side).exists(), "{side} was created");
    }
}

#[test]
fn os_release() {
    let rel = "os/dpkg-host/etc/os-release";
    let c = common::assert_fixture(Cataloger::OsRelease, rel);
    let os = &c.packages[0].component;
    assert_eq!(os.kind, ComponentKind::OperatingSystem);
    assert_eq!(os.purl.as_str(), "pkg:generic/debian@12");
    assert_eq!(os.properties["version-codename"], "bookworm");
}

// ---- hostile inputs -------------------------------------------------------------------

/// Parses `bytes` as `rel` under the real directory `root` (the scan root).
fn parse_under(
    root: &Path,
    cataloger: Cataloger,
    rel: &str,
    bytes: &[u8],
) -> Result<Catalog, bomscout_catalog::ParseError> {
    let options = common::options();
    let root = std::fs::canonicalize(root).unwrap();
    let abs = root.join(rel);
    let input = Input {
        bytes,
        shared_path: &bomscout_core::SharedStr::from(rel),
        abs: &abs,
        root: &root,
        options: &options,
        tree: &bomscout_catalog::DISK,
    };
    parse(cataloger, &input)
}

#[test]
fn dpkg_status_with_a_one_megabyte_line() {
    let mut text = String::from("Package: a\nVersion: 1\nDescription: x\n ");
    text.push_str(&"y".repeat(1 << 20));
    text.push_str("\n\nPackage: b\nVersion: 2\nX-Long: ");
    text.push_str(&"z".repeat(1 << 20));
    text.push('\n');
    let dir = tempfile::tempdir().unwrap();
    let c = parse_under(
        dir.path(),
        Cataloger::DpkgStatus,
        "var/lib/dpkg/status",
        text.as_bytes(),
    )
    .unwrap();
    assert_eq!(c.packages.len(), 2);
}

#[test]
fn dpkg_status_with_a_long_garbage_line_quotes_it_bounded() {
    let text = format!(
        "Package: a\n{}\nVersion: 1\n\nPackage: b\nVersion: 2\n",
        "g".repeat(1 << 20)
    );
    let dir = tempfile::tempdir().unwrap();
    let c = parse_under(
        dir.path(),
        Cataloger::DpkgStatus,
        "var/lib/dpkg/status",
        text.as_bytes(),
    )
    .unwrap();
    assert_eq!(c.packages.len(), 1);
    let d = c.diagnostics.iter().find(|d| d.line == Some(2)).unwrap();
    assert!(d.message.len() < 300, "{}", d.message.len());
}

#[test]
fn dpkg_stanza_without_package() {
    let text = "Status: install ok installed\nVersion: 1\n\nPackage: b\nVersion: 2\n";
    let dir = tempfile::tempdir().unwrap();
    let c = parse_under(
        dir.path(),
        Cataloger::DpkgStatus,
        "var/lib/dpkg/status",
        text.as_bytes(),
    )
    .unwrap();
    assert_eq!(c.packages.len(), 1);
    assert!(c
        .diagnostics
        .iter()
        .any(|d| d.message.contains("without a Package") && d.line == Some(1)));
}

#[test]
fn binary_garbage() {
    let mut garbage: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect();
    garbage[10] = 0;
    let dir = tempfile::tempdir().unwrap();
    for (cataloger, rel) in [
        (Cataloger::DpkgStatus, "var/lib/dpkg/status"),
        (Cataloger::DpkgStatusD, "var/lib/dpkg/status.d/x"),
        (Cataloger::ApkInstalled, "lib/apk/db/installed"),
        (Cataloger::RpmDb, "var/lib/rpm/rpmdb.sqlite"),
    ] {
        assert!(
            parse_under(dir.path(), cataloger, rel, &garbage).is_err(),
            "{rel}"
        );
    }
    // os-release of garbage: no ID, an error; never a panic.
    assert!(parse_under(dir.path(), Cataloger::OsRelease, "etc/os-release", &garbage).is_err());
}

#[cfg(unix)]
#[test]
fn copyright_symlink_outside_the_root_is_not_followed() {
    let scan = tempfile::tempdir().unwrap();
    let root = scan.path().join("img");
    // A DEP-5 file outside the image root (but inside the scan root) and one reached by an
    // absolute link: neither may be read as the package's.
    std::fs::create_dir_all(scan.path().join("outside")).unwrap();
    let dep5 = "Format: https://example.invalid/copyright-format/1.0/\n\nFiles: *\nCopyright: 2020 Evil\nLicense: Expat\n";
    std::fs::write(scan.path().join("outside/copyright"), dep5).unwrap();
    for (pkg, target) in [
        ("rel", "../../../../../outside/copyright".to_string()),
        (
            "abs",
            scan.path().join("outside/copyright").display().to_string(),
        ),
    ] {
        let doc = root.join("usr/share/doc").join(pkg);
        std::fs::create_dir_all(&doc).unwrap();
        std::os::unix::fs::symlink(target, doc.join("copyright")).unwrap();
    }
    // A doc directory that is itself a link out of the root.
    std::os::unix::fs::symlink("../../../../outside", root.join("usr/share/doc/dir")).unwrap();
    // And one inside the root, which is followed.
    std::fs::create_dir_all(root.join("usr/share/doc/real")).unwrap();
    std::fs::write(root.join("usr/share/doc/real/copyright"), dep5).unwrap();
    std::os::unix::fs::symlink("real", root.join("usr/share/doc/inside")).unwrap();
    let status = "Package: rel\nVersion: 1\n\nPackage: abs\nVersion: 1\n\nPackage: dir\nVersion: 1\n\nPackage: inside\nVersion: 1\n";
    let c = parse_under(
        scan.path(),
        Cataloger::DpkgStatus,
        "img/var/lib/dpkg/status",
        status.as_bytes(),
    )
    .unwrap();
    for pkg in ["rel", "abs", "dir"] {
        let comp = component(&c, pkg);
        assert!(comp.licenses.is_empty(), "{pkg}: {:?}", comp.licenses);
        assert!(comp.copyrights.is_empty(), "{pkg}");
    }
    assert_eq!(
        license_of(&c, "inside"),
        ["MIT [img/usr/share/doc/inside/copyright]"]
    );
}

#[test]
fn rpm_berkeley_db_is_a_clear_diagnostic() {
    let dir = tempfile::tempdir().unwrap();
    // The BerkeleyDB hash magic at offset 12, as in a real `Packages`.
    let mut bdb = vec![0u8; 512];
    bdb[12..16].copy_from_slice(&0x0006_1561u32.to_le_bytes());
    let err = parse_under(dir.path(), Cataloger::RpmDb, "var/lib/rpm/Packages", &bdb).unwrap_err();
    assert!(err
        .to_string()
        .starts_with("RPM database in BerkeleyDB format is not supported: "));
}

#[test]
fn rpm_hostile_header_rows_are_skipped_not_fatal() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("var/lib/rpm/rpmdb.sqlite");
    std::fs::create_dir_all(db.parent().unwrap()).unwrap();
    std::fs::copy(
        common::fixture_path("os/rpm-sqlite/var/lib/rpm/rpmdb.sqlite"),
        &db,
    )
    .unwrap();
    {
        let conn = rusqlite::Connection::open(&db).unwrap();
        let good: Vec<u8> = conn
            .query_row("SELECT blob FROM Packages ORDER BY hnum LIMIT 1", [], |r| {
                r.get(0)
            })
            .unwrap();
        // Truncated; an index entry's offset past the data store; entry and data counts
        // whose product overflows; plain garbage; an empty blob.
        let mut offset = good.clone();
        offset[8 + 8..8 + 12].copy_from_slice(&u32::MAX.to_be_bytes());
        let mut counts = good.clone();
        counts[0..8].copy_from_slice(&[0x00, 0x00, 0xff, 0xff, 0x0f, 0xff, 0xff, 0xff]);
        for blob in [
            good[..good.len() / 2].to_vec(),
            offset,
            counts,
            b"garbage".to_vec(),
            Vec::new(),
        ] {
            conn.execute("INSERT INTO Packages (blob) VALUES (?1)", [blob])
                .unwrap();
        }
        conn.execute_batch("PRAGMA journal_mode=DELETE").unwrap();
    }
    let bytes = std::fs::read(&db).unwrap();
    let c = parse_under(
        dir.path(),
        Cataloger::RpmDb,
        "var/lib/rpm/rpmdb.sqlite",
        &bytes,
    )
    .unwrap();
    assert_eq!(c.packages.len(), 2);
    assert_eq!(c.diagnostics.len(), 5, "{:?}", c.diagnostics);
}
