//! The dependency list `cargo auditable` embeds in a Rust executable.
//!
//! The linker section `.dep-v0` (ELF and PE; `__DATA,.dep-v0` in Mach-O), found through
//! the `object` crate, holds zlib-compressed JSON (the `VersionInfo` of the `auditable-serde`
//! crate, format revisions 0 and 1):
//!
//! ```text
//! {"packages": [{"name", "version", "source", "kind", "dependencies": [index, ...], "root"}],
//!  "format": 1}
//! ```
//!
//! - the package with `"root": true` is the executable's own crate: the project (its
//!   directory is the executable's path, so two executables in one `bin/` stay two
//!   projects); every other package is a component located at the executable;
//! - `source` is the registry crate source (the default), `git`, `local` or `registry`
//!   (another registry); anything but the default is kept as the property `cargo-source`;
//! - `kind` is `build` for a package used only at build time (a build script's
//!   dependency, a proc macro): edges to it are `Build` edges; `runtime` (the default when
//!   absent) makes `Normal` edges;
//! - `dependencies` are indices into `packages`: each is bounds-checked (an index out of
//!   range, or pointing at the package itself, is a warning and the edge is skipped);
//!   cycles are recorded as the edges they are and never walked here.
//!
//! The section is inflated to at most [`MAX_DEP_INFO`] bytes (a zlib bomb is an error,
//! not an allocation), and the JSON is parsed by `serde_json` with its nesting limit. A
//! file that is not an object file, or has no `.dep-v0` section, yields nothing, silently.

use crate::{Input, ParseError};
use bomscout_core::escape::{quote, QUOTE_LIMIT};
use bomscout_core::{
    Catalog, Component, DepKind, Diagnostic, Ecosystem, Location, NodeRef, Project, Scope,
};
use object::{Object, ObjectSection};
use serde::Deserialize;
use std::collections::HashSet;

/// Warnings kept per executable; past this many, one more says how many were left out.
pub const MAX_WARNINGS: usize = 20;

/// Bytes the `.dep-v0` section may inflate to.
pub const MAX_DEP_INFO: u64 = 16 << 20;

/// The section's name in ELF and PE files, and its section name in Mach-O's `__DATA`.
const SECTION: &str = ".dep-v0";

#[derive(Debug, Deserialize)]
struct VersionInfo {
    packages: Vec<Package>,
}

#[derive(Debug, Deserialize)]
struct Package {
    name: String,
    version: String,
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    dependencies: Vec<u64>,
    #[serde(default)]
    root: bool,
}

/// Reads one executable's `cargo auditable` dependency list.
pub fn parse(input: &Input) -> Result<Catalog, ParseError> {
    let Some(compressed) = find_section(input.bytes)? else {
        return Ok(Catalog::default());
    };
    let json = inflate(compressed)?;
    let info: VersionInfo = serde_json::from_slice(&json).map_err(|e| {
        ParseError::format(format!(
            "the `cargo auditable` dependency list in section {SECTION} is not the JSON it should be ({e}); the executable is corrupt or was not made by cargo auditable"
        ))
    })?;
    Ok(build(info, input.path()))
}

/// The raw bytes of the `.dep-v0` section, if the file is an object file that has one.
fn find_section(bytes: &[u8]) -> Result<Option<&[u8]>, ParseError> {
    let Ok(file) = object::File::parse(bytes) else {
        return Ok(None);
    };
    let Some(section) = file.section_by_name(SECTION) else {
        return Ok(None);
    };
    section.data().map(Some).map_err(|_| {
        let (offset, size) = section.file_range().unwrap_or((0, section.size()));
        ParseError::format(format!(
            "section {SECTION} claims {size} bytes at offset {offset}, past the end of the file ({} bytes): the executable is truncated or corrupt",
            bytes.len()
        ))
    })
}

/// The section inflated, at most [`MAX_DEP_INFO`] bytes.
fn inflate(compressed: &[u8]) -> Result<Vec<u8>, ParseError> {
    let decoder = flate2::read::ZlibDecoder::new(compressed);
    super::read_capped(decoder, MAX_DEP_INFO).map_err(|e| match e {
        super::Capped::TooLarge => ParseError::format(format!(
            "section {SECTION} inflates to more than {MAX_DEP_INFO} bytes (a zlib bomb?): not read"
        )),
        super::Capped::Broken(e) => ParseError::format(format!(
            "section {SECTION} is not zlib-compressed data ({e}): the executable is corrupt or was not made by cargo auditable"
        )),
    })
}

/// The project, components and edges of a dependency list.
fn build(info: VersionInfo, path: &str) -> Catalog {
    let mut catalog = Catalog::default();
    let mut dropped = 0usize;
    // At most MAX_WARNINGS warnings are kept; the rest are counted (a hostile list of
    // millions of bad indices is not millions of diagnostics).
    let mut warn = |catalog: &mut Catalog, message: String| {
        if catalog.diagnostics.len() < MAX_WARNINGS {
            catalog.diagnostics.push(Diagnostic::warning(path, message));
        } else {
            dropped += 1;
        }
    };
    // One node per package (None: skipped), then the edges between them.
    let mut nodes: Vec<Option<NodeRef>> = Vec::with_capacity(info.packages.len());
    let mut has_root = false;
    for p in &info.packages {
        if p.root && !has_root {
            has_root = true;
            let mut project = Project::in_dir(Ecosystem::Cargo, path, path);
            project.name = Some(p.name.clone());
            project.version = Some(p.version.clone());
            project.purl = Component::new(Ecosystem::Cargo, None, &p.name, &p.version)
                .ok()
                .map(|c| c.purl);
            nodes.push(Some(catalog.add_project(project)));
            continue;
        }
        if p.root {
            warn(
                &mut catalog,
                format!(
                    "more than one root package; {} is listed as a dependency",
                    quote(&p.name, QUOTE_LIMIT)
                ),
            );
        }
        match Component::new(Ecosystem::Cargo, None, &p.name, &p.version) {
            Ok(c) => {
                let mut c = c.at(Location::new(path));
                if let Some(source) = p.source.as_deref() {
                    if source != bomscout_core::OSV_CRATES_ECOSYSTEM {
                        c.properties
                            .insert("cargo-source".into(), quote(source, QUOTE_LIMIT));
                    }
                }
                if is_build(p) {
                    c.scope = Scope::Build;
                }
                nodes.push(Some(catalog.add_package(c)));
            }
            Err(e) => {
                warn(
                    &mut catalog,
                    format!("package {}: {e}", quote(&p.name, QUOTE_LIMIT)),
                );
                nodes.push(None);
            }
        }
    }
    if !has_root && !info.packages.is_empty() {
        warn(
            &mut catalog,
            "no root package in the dependency list: the crates are listed without the executable's own crate".into(),
        );
    }
    let count = info.packages.len();
    for (i, p) in info.packages.iter().enumerate() {
        let Some(Some(from)) = nodes.get(i).copied() else {
            continue;
        };
        let mut seen: HashSet<usize> = HashSet::new();
        for &j in &p.dependencies {
            let target = usize::try_from(j).ok().filter(|&j| j < count);
            let Some(j) = target else {
                warn(
                    &mut catalog,
                    format!(
                        "package {}: dependency index {j} is out of range ({count} packages): edge skipped",
                        quote(&p.name, QUOTE_LIMIT)
                    ),
                );
                continue;
            };
            if j == i {
                warn(
                    &mut catalog,
                    format!(
                        "package {} depends on itself: edge skipped",
                        quote(&p.name, QUOTE_LIMIT)
                    ),
                );
                continue;
            }
            if !seen.insert(j) {
                continue;
            }
            match nodes.get(j).copied().flatten() {
                Some(to @ NodeRef::Package(_)) => {
                    let kind = match info.packages.get(j) {
                        Some(dep) if is_build(dep) => DepKind::Build,
                        _ => DepKind::Normal,
                    };
                    catalog.add_edge(from, to, kind);
                }
                Some(NodeRef::Project(_)) => warn(
                    &mut catalog,
                    format!(
                        "package {} depends on the root package (a cycle): edge skipped",
                        quote(&p.name, QUOTE_LIMIT)
                    ),
                ),
                None => {}
            }
        }
    }
    if dropped > 0 {
        catalog.diagnostics.push(Diagnostic::warning(
            path,
            format!("{dropped} more problems with the dependency list were not reported"),
        ));
    }
    catalog
}

fn is_build(p: &Package) -> bool {
    p.kind.as_deref() == Some("build")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog(json: &str) -> Catalog {
        build(
            serde_json::from_str(&with_registry(json)).unwrap(),
            "bin/tool",
        )
    }

    /// `json` with `$REGISTRY` replaced by the registry crates' source label (not written
    /// literally in this project's files).
    fn with_registry(json: &str) -> String {
        json.replace("$REGISTRY", bomscout_core::OSV_CRATES_ECOSYSTEM)
    }

    #[test]
    fn root_is_the_project_and_kinds_make_edge_kinds() {
        let c = catalog(
            r#"{"packages":[
              {"name":"cc","version":"1.0.0","source":"$REGISTRY","kind":"build","dependencies":[1]},
              {"name":"shlex","version":"1.3.0","source":"$REGISTRY","kind":"build"},
              {"name":"mine","version":"0.2.0","source":"git"},
              {"name":"tool","version":"0.1.0","source":"local","dependencies":[0,2,2],"root":true}],
             "format":1}"#,
        );
        assert_eq!(c.projects.len(), 1);
        let p = &c.projects[0];
        assert_eq!(
            (p.name.as_deref(), p.version.as_deref(), p.dir.as_str()),
            (Some("tool"), Some("0.1.0"), "bin/tool")
        );
        let kinds: Vec<(NodeRef, DepKind)> = p.deps.iter().map(|e| (e.to, e.kind)).collect();
        assert_eq!(
            kinds,
            [
                (NodeRef::Package(0), DepKind::Build),
                (NodeRef::Package(2), DepKind::Normal)
            ]
        );
        assert_eq!(c.packages[0].deps[0].to, NodeRef::Package(1));
        assert_eq!(c.packages[0].component.scope, Scope::Build);
        assert_eq!(
            c.packages[2].component.properties.get("cargo-source"),
            Some(&"\"git\"".to_string())
        );
        assert!(!c.packages[0]
            .component
            .properties
            .contains_key("cargo-source"));
        assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
    }

    #[test]
    fn out_of_range_self_and_root_edges_are_skipped_with_warnings() {
        let c = catalog(
            r#"{"packages":[
              {"name":"a","version":"1.0.0","dependencies":[1,0,2,18446744073709551615]},
              {"name":"b","version":"1.0.0","dependencies":[0]},
              {"name":"tool","version":"0.1.0","dependencies":[0],"root":true}]}"#,
        );
        // a → b and b → a: a cycle, recorded as its two edges.
        assert_eq!(c.packages[0].deps.len(), 1);
        assert_eq!(c.packages[1].deps[0].to, NodeRef::Package(0));
        let messages: Vec<&str> = c.diagnostics.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(messages.len(), 3, "{messages:?}");
        assert!(messages[0].contains("depends on itself"), "{messages:?}");
        assert!(messages[1].contains("root package"), "{messages:?}");
        assert!(messages[2].contains("out of range"), "{messages:?}");
    }

    /// A package naming a huge number of bad and repeated indices costs linear time and a
    /// bounded number of diagnostics.
    #[test]
    fn many_bad_indices_make_few_diagnostics() {
        let mut deps: Vec<String> = (0..200_000).map(|i| (i % 2 + 1).to_string()).collect();
        deps.extend((0..200_000).map(|i| (1_000_000 + i).to_string()));
        let json = format!(
            r#"{{"packages":[{{"name":"a","version":"1.0.0","dependencies":[{}]}},{{"name":"b","version":"1.0.0"}},{{"name":"c","version":"1.0.0"}}]}}"#,
            deps.join(",")
        );
        let c = catalog(&json);
        assert_eq!(c.packages[0].deps.len(), 2);
        assert_eq!(c.diagnostics.len(), MAX_WARNINGS + 1);
        // One for the missing root, 19 out-of-range indices kept, the rest counted.
        let last = &c.diagnostics[MAX_WARNINGS].message;
        assert_eq!(
            last,
            "199981 more problems with the dependency list were not reported"
        );
    }

    #[test]
    fn a_zlib_bomb_is_refused() {
        use flate2::write::ZlibEncoder;
        use std::io::Write;
        let mut z = ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        let zeros = vec![b' '; 1 << 20];
        for _ in 0..17 {
            z.write_all(&zeros).unwrap();
        }
        let bomb = z.finish().unwrap();
        assert!(bomb.len() < 64 * 1024);
        let err = inflate(&bomb).unwrap_err().to_string();
        assert!(err.contains("zlib bomb"), "{err}");
        let err = inflate(b"not zlib").unwrap_err().to_string();
        assert!(err.contains("not zlib-compressed"), "{err}");
    }

    /// An object file of `format` with `section` in a `.dep-v0` section, placed the way
    /// cargo auditable places it (`__DATA,.dep-v0` in Mach-O).
    fn object_with(format: object::BinaryFormat, section: &[u8]) -> Vec<u8> {
        use object::write;
        let mut obj = write::Object::new(
            format,
            object::Architecture::X86_64,
            object::Endianness::Little,
        );
        let segment = match format {
            object::BinaryFormat::MachO => b"__DATA".to_vec(),
            _ => Vec::new(),
        };
        let id = obj.add_section(
            segment,
            SECTION.as_bytes().to_vec(),
            object::SectionKind::ReadOnlyData,
        );
        obj.append_section_data(id, section, 1);
        obj.write().unwrap()
    }

    #[test_case::test_case(object::BinaryFormat::Elf ; "elf")]
    #[test_case::test_case(object::BinaryFormat::MachO ; "mach-o")]
    #[test_case::test_case(object::BinaryFormat::Coff ; "coff")]
    fn the_section_is_found_in_every_object_format(format: object::BinaryFormat) {
        use std::io::Write;
        let json = with_registry(
            r#"{"packages":[{"name":"itoa","version":"1.0.0","source":"$REGISTRY"},{"name":"t","version":"0.1.0","source":"local","dependencies":[0],"root":true}],"format":1}"#,
        );
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        z.write_all(json.as_bytes()).unwrap();
        let bytes = object_with(format, &z.finish().unwrap());
        let options = crate::Options::default();
        let c = parse(&Input {
            bytes: &bytes,
            shared_path: &bomscout_core::SharedStr::from("bin/t"),
            abs: std::path::Path::new("/nonexistent/bin/t"),
            root: std::path::Path::new("/nonexistent"),
            options: &options,
            tree: &crate::DISK,
        })
        .unwrap();
        assert_eq!(c.projects[0].name.as_deref(), Some("t"));
        assert_eq!(
            c.packages[0].component.purl.as_str(),
            "pkg:cargo/itoa@1.0.0"
        );
        assert_eq!(c.projects[0].deps[0].to, NodeRef::Package(0));
    }

    #[test]
    fn a_file_that_is_not_an_object_file_yields_nothing() {
        let c = crate::parse_str(parse, "bin/script", "#!/bin/sh\necho hi\n").unwrap();
        assert_eq!(c, Catalog::default());
    }
}
