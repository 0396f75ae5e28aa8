//! Go build information embedded in executables (what `go version -m` prints), read from
//! the file's bytes without running it.
//!
//! Go ≥ 1.18 writes a 32-byte header starting with `\xff Go buildinf:` followed, when flag
//! bit 2 is set, by two varint-length-prefixed strings: the Go version and the module info
//! (`path`, `mod`, `dep` and `=>` lines; `build` settings are not recorded). The header is found in the
//! `.go.buildinfo` section (ELF, PE) or `__go_buildinfo` (Mach-O) through the `object`
//! crate, or by scanning for the magic in files that are not one of those formats. Older
//! pointer-based build info is reported as unsupported. A file without build info is not a
//! Go program: it yields nothing, silently.

use super::component;
use crate::{Input, ParseError};
use bomscout_core::{Catalog, DepKind, Diagnostic, Ecosystem, Project};
use object::{Object, ObjectSection};

const MAGIC: &[u8] = b"\xff Go buildinf:";

/// Parses one executable.
pub fn parse(input: &Input) -> Result<Catalog, ParseError> {
    let mut catalog = Catalog::default();
    let Some(info) = find_build_info(input.bytes) else {
        return Ok(catalog);
    };
    let Some((_go_version, modinfo)) = decode(info) else {
        catalog.diagnostics.push(Diagnostic::new(
            bomscout_core::Severity::Info,
            input.path(),
            "Go build info in the pre-1.18 pointer format is not read".to_string(),
        ));
        return Ok(catalog);
    };
    let mut project = Project::in_dir(
        Ecosystem::Golang,
        crate::paths::dir_of(input.path()),
        input.path(),
    );
    let mut last = None;
    for line in modinfo.lines() {
        let fields: Vec<&str> = line.split('\t').collect();
        match fields.as_slice() {
            ["path", p, ..] => project.name = Some(p.to_string()),
            ["mod", p, v, ..] => {
                project.name = Some(p.to_string());
                project.version = Some(v.to_string());
            }
            ["dep", p, v, rest @ ..] => {
                let Ok(mut c) = component(p, v) else { continue };
                // A `dep` line of a module replaced by a local directory has no sum.
                if let Some(sum) = rest.first().filter(|s| !s.is_empty()) {
                    c.properties.insert("go-sum".into(), sum.to_string());
                }
                let node = catalog.add_package(c.at(input.location()));
                project.add_dep(node, DepKind::Normal);
                last = Some(node);
            }
            ["=>", p, v, ..] => {
                // The previous dep was replaced: record the replacement as the component.
                if let (Some(bomscout_core::NodeRef::Package(i)), Ok(mut c)) =
                    (last, component(p, v))
                {
                    let Some(slot) = catalog.packages.get_mut(i) else {
                        continue;
                    };
                    let old = &slot.component;
                    c.properties.insert(
                        "replaces".into(),
                        format!(
                            "{} {}",
                            old.display_name(),
                            old.version.clone().unwrap_or_default()
                        ),
                    );
                    c.locations = old.locations.clone();
                    slot.component = c;
                }
            }
            _ => {}
        }
    }
    if project.name.is_none() {
        return Ok(catalog);
    }
    catalog.add_project(project);
    Ok(catalog)
}

/// The 32-byte header and what follows, from the build-info section or a scan.
fn find_build_info(bytes: &[u8]) -> Option<&[u8]> {
    if let Ok(file) = object::File::parse(bytes) {
        for name in [".go.buildinfo", "__go_buildinfo"] {
            if let Some(data) = file.section_by_name(name).and_then(|s| s.data().ok()) {
                if data.starts_with(MAGIC) {
                    // Section data borrows `bytes`; find its offset to keep the lifetime.
                    let offset = data.as_ptr() as usize - bytes.as_ptr() as usize;
                    return bytes.get(offset..);
                }
            }
        }
    }
    // Stripped or unusual files: the header is 16-byte aligned.
    (0..bytes.len())
        .step_by(16)
        .filter_map(|i| bytes.get(i..))
        .find(|rest| rest.starts_with(MAGIC))
}

/// The Go version and module info of an inline (Go ≥ 1.18) header.
fn decode(data: &[u8]) -> Option<(String, String)> {
    let flags = *data.get(15)?;
    if flags & 0x2 == 0 {
        return None;
    }
    let mut rest = data.get(32..)?;
    let version = read_bytes(&mut rest)?;
    let modinfo = read_bytes(&mut rest)?;
    // The module info is framed by 16 sentinel bytes on each side. Cut on the raw bytes,
    // then decode: the sentinels are not UTF-8, so offsets into a lossily decoded string
    // would not be offsets into the bytes (and could fall inside a character).
    let modinfo = match modinfo.len() {
        n if n >= 33 => modinfo.get(16..n - 16).unwrap_or_default(),
        _ => &[],
    };
    Some((
        String::from_utf8_lossy(version).into_owned(),
        String::from_utf8_lossy(modinfo).into_owned(),
    ))
}

/// A uvarint length then that many bytes, bounded by the data.
fn read_bytes<'a>(data: &mut &'a [u8]) -> Option<&'a [u8]> {
    let (mut len, mut shift, mut used) = (0usize, 0u32, 0usize);
    for &b in data.iter().take(10) {
        used += 1;
        len |= usize::from(b & 0x7f).checked_shl(shift)?;
        if b & 0x80 == 0 {
            break;
        }
        shift += 7;
    }
    let end = used.checked_add(len)?;
    let bytes = data.get(used..end)?;
    *data = data.get(end..)?;
    Some(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse_str;

    fn header(version: &str, modinfo: &str) -> Vec<u8> {
        let mut out = MAGIC.to_vec();
        out.push(8); // pointer size
        out.push(2); // flags: inline strings
        out.resize(32, 0);
        let framed = format!("{}{modinfo}{}", "0".repeat(16), "1".repeat(16));
        for s in [version, framed.as_str()] {
            let mut len = s.len();
            while len >= 0x80 {
                out.push((len as u8 & 0x7f) | 0x80);
                len >>= 7;
            }
            out.push(len as u8);
            out.extend_from_slice(s.as_bytes());
        }
        out
    }

    #[test]
    fn inline_build_info() {
        let modinfo = "path\texample.com/tool\nmod\texample.com/tool\tv1.2.0\th1:x=\ndep\tgithub.com/a/b\tv1.0.0\th1:y=\ndep\tgithub.com/old/c\tv0.1.0\n=>\tgithub.com/new/c\tv0.2.0\th1:z=\nbuild\tvcs.revision=abc\n";
        let mut bytes = vec![0u8; 48];
        bytes.extend(header("go1.22.1", modinfo));
        let options = crate::Options::default();
        let input = Input {
            bytes: &bytes,
            shared_path: &bomscout_core::SharedStr::from("bin/tool"),
            abs: std::path::Path::new("/x"),
            root: std::path::Path::new("/"),
            options: &options,
            tree: &crate::DISK,
        };
        let c = parse(&input).unwrap();
        let purls: Vec<String> = c
            .packages
            .iter()
            .map(|p| p.component.purl.to_string())
            .collect();
        assert_eq!(
            purls,
            [
                "pkg:golang/github.com/a/b@v1.0.0",
                "pkg:golang/github.com/new/c@v0.2.0"
            ]
        );
        assert_eq!(c.projects[0].name.as_deref(), Some("example.com/tool"));
        assert_eq!(c.projects[0].version.as_deref(), Some("v1.2.0"));
    }

    #[test]
    fn not_go_or_truncated() {
        assert!(parse_str(parse, "bin/sh", "#!/bin/sh\necho hi\n")
            .unwrap()
            .packages
            .is_empty());
        let mut truncated = header("go1.22", "mod\tx\tv1\n");
        truncated.truncate(40);
        let options = crate::Options::default();
        let input = Input {
            bytes: &truncated,
            shared_path: &bomscout_core::SharedStr::from("bin/x"),
            abs: std::path::Path::new("/x"),
            root: std::path::Path::new("/"),
            options: &options,
            tree: &crate::DISK,
        };
        let c = parse(&input).unwrap();
        assert!(c.packages.is_empty());
        // A huge varint length is bounded by the data, not allocated.
        let mut hostile = MAGIC.to_vec();
        hostile.extend([8, 2]);
        hostile.resize(32, 0);
        hostile.extend([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]);
        let input = Input {
            bytes: &hostile,
            shared_path: &bomscout_core::SharedStr::from("bin/x"),
            abs: std::path::Path::new("/x"),
            root: std::path::Path::new("/"),
            options: &options,
            tree: &crate::DISK,
        };
        assert!(parse(&input).unwrap().packages.is_empty());
    }

    #[test]
    fn invalid_utf8_sentinels_and_multibyte_text_do_not_panic() {
        // Sentinels of invalid UTF-8 grow threefold when decoded lossily, and multi-byte
        // characters sit where a cut on decoded offsets would land: the old code panicked.
        let mut framed = vec![0xffu8; 16];
        framed.extend("é€path\tx\nmod\texample.com/ü\tv1.0.0\n".as_bytes());
        framed.extend([0xfe; 16]);
        let mut bytes = MAGIC.to_vec();
        bytes.extend([8, 2]);
        bytes.resize(32, 0);
        bytes.push(2);
        bytes.extend(b"go");
        bytes.push(framed.len() as u8);
        bytes.extend(&framed);
        let options = crate::Options::default();
        let input = Input {
            bytes: &bytes,
            shared_path: &bomscout_core::SharedStr::from("bin/x"),
            abs: std::path::Path::new("/x"),
            root: std::path::Path::new("/"),
            options: &options,
            tree: &crate::DISK,
        };
        let c = parse(&input).unwrap();
        assert_eq!(c.projects[0].name.as_deref(), Some("example.com/ü"));
        for cut in 0..bytes.len() {
            let input = Input {
                bytes: bytes.get(..cut).unwrap(),
                ..input
            };
            assert!(parse(&input).is_ok());
        }
    }
}
