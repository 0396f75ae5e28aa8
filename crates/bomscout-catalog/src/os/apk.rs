//! Alpine packages: apk's database `lib/apk/db/installed`.
//!
//! Records are separated by blank lines; each line is `X:value` with a one-letter key.
//! Read per record:
//! - `P` name, `V` version, `A` architecture: a component
//!   `pkg:apk/<distro id>/<name>@<version>?arch=<arch>&distro=<id>-<version_id>`, the distro
//!   from the release file of the same root (the directory `lib/apk/db` hangs from; see
//!   [`super::release`]); `alpine` when there is none (with a warning);
//! - `L` license (SPDX-like, `MIT AND BSD-2-Clause`): a declared license, field `L`;
//! - `o` origin (the source package): property `source`; `m` maintainer: the supplier;
//!   `c` the aports commit: property `commit`; `I` installed size in bytes: property
//!   `installed-size`;
//! - `D` dependencies (space-separated, `name`, `so:libc.musl-x86_64.so.1`,
//!   `cmd:sh`, with optional `=`/`>=`/`<`/`~` constraints; `!name` is a conflict and is
//!   skipped): an edge to each installed package that is, or `p` provides, the name.
//!
//! The many file-list lines (`F`, `R`, `a`, `Z`, ...) are skipped.

use super::release::Distro;
use super::Root;
use crate::{Input, ParseError};
use bomscout_core::escape::{quote, QUOTE_LIMIT};
use bomscout_core::{Catalog, Component, DepKind, Diagnostic, Ecosystem, NodeRef};
use std::collections::BTreeMap;

#[derive(Default)]
struct Record {
    line: u32,
    name: Option<String>,
    version: Option<String>,
    arch: Option<String>,
    license: Option<String>,
    origin: Option<String>,
    maintainer: Option<String>,
    commit: Option<String>,
    size: Option<String>,
    depends: Vec<String>,
    provides: Vec<String>,
}

/// `so:libc.musl-x86_64.so.1=1` → `so:libc.musl-x86_64.so.1`: the name without a
/// version constraint.
fn bare(dep: &str) -> &str {
    let end = dep.find(['=', '<', '>', '~']).unwrap_or(dep.len());
    dep.get(..end).unwrap_or(dep)
}

/// Parses `lib/apk/db/installed`.
pub fn parse(input: &Input) -> Result<Catalog, ParseError> {
    let mut catalog = Catalog::default();
    if input.bytes.contains(&0) {
        return Err(ParseError::format(
            "binary data (a NUL byte): not an apk installed database",
        ));
    }
    let text = String::from_utf8_lossy(input.bytes);
    if matches!(text, std::borrow::Cow::Owned(_)) {
        catalog.diagnostics.push(Diagnostic::warning(
            input.path(),
            "not UTF-8 throughout; invalid bytes replaced",
        ));
    }
    let mut records: Vec<Record> = Vec::new();
    let mut current: Option<Record> = None;
    for (i, line) in text.lines().enumerate() {
        let n = u32::try_from(i + 1).unwrap_or(u32::MAX);
        if line.trim().is_empty() {
            records.extend(current.take());
            continue;
        }
        let r = current.get_or_insert_with(|| Record {
            line: n,
            ..Record::default()
        });
        let Some((key, value)) = line.split_once(':') else {
            catalog.diagnostics.push(
                Diagnostic::warning(
                    input.path(),
                    format!(
                        "line is not `X:value`: {}; ignored",
                        quote(line, QUOTE_LIMIT)
                    ),
                )
                .at_line(n),
            );
            continue;
        };
        let value = value.trim();
        let set = |slot: &mut Option<String>| {
            if !value.is_empty() {
                *slot = Some(value.to_string());
            }
        };
        match key {
            "P" => set(&mut r.name),
            "V" => set(&mut r.version),
            "A" => set(&mut r.arch),
            "L" => set(&mut r.license),
            "o" => set(&mut r.origin),
            "m" => set(&mut r.maintainer),
            "c" => set(&mut r.commit),
            "I" => set(&mut r.size),
            "D" => r.depends.extend(
                value
                    .split_whitespace()
                    .filter(|d| !d.starts_with('!'))
                    .map(|d| bare(d).to_string()),
            ),
            "p" => r
                .provides
                .extend(value.split_whitespace().map(|d| bare(d).to_string())),
            _ => {}
        }
    }
    records.extend(current);

    let root = Root::of(input, "lib/apk/db/installed");
    let distro = root
        .as_ref()
        .and_then(|r| Distro::of_root(r, input.tree, input.root));
    let namespace = match distro.as_ref().and_then(|d| d.id.clone()) {
        Some(id) => id,
        None => {
            catalog.diagnostics.push(Diagnostic::warning(
                input.path(),
                "no etc/os-release or usr/lib/os-release in this root: purl namespace `alpine` assumed",
            ));
            "alpine".to_string()
        }
    };
    let distro_q = distro.as_ref().and_then(Distro::qualifier);
    let mut by_name: BTreeMap<String, Vec<NodeRef>> = BTreeMap::new();
    let mut deps: Vec<(NodeRef, Vec<String>)> = Vec::new();
    for r in records {
        let (Some(name), Some(version)) = (&r.name, &r.version) else {
            catalog.diagnostics.push(
                Diagnostic::warning(
                    input.path(),
                    "record without P: (name) or V: (version) skipped",
                )
                .at_line(r.line),
            );
            continue;
        };
        let mut qualifiers: Vec<(&str, &str)> = Vec::new();
        if let Some(a) = &r.arch {
            qualifiers.push(("arch", a));
        }
        if let Some(d) = &distro_q {
            qualifiers.push(("distro", d));
        }
        let mut c = match Component::with_qualifiers(
            Ecosystem::Apk,
            Some(&namespace),
            name,
            version,
            &qualifiers,
        ) {
            Ok(c) => c.at(input.at_line(r.line)),
            Err(e) => {
                catalog.diagnostics.push(
                    Diagnostic::warning(input.path(), format!("package skipped: {e}"))
                        .at_line(r.line),
                );
                continue;
            }
        };
        if let Some(l) = &r.license {
            super::add_declared(&mut c, l, input.path(), "L");
        }
        for (key, value) in [
            ("source", &r.origin),
            ("commit", &r.commit),
            ("installed-size", &r.size),
        ] {
            if let Some(v) = value {
                c.properties.insert(key.into(), v.clone());
            }
        }
        if let Some(m) = &r.maintainer {
            c.properties.insert("supplier".into(), m.clone());
            c.properties
                .insert("supplier-source".into(), input.path().to_string());
        }
        let node = catalog.add_package(c);
        for p in std::iter::once(name).chain(r.provides.iter()) {
            by_name.entry(p.clone()).or_default().push(node);
        }
        deps.push((node, r.depends));
    }
    for (from, names) in deps {
        let mut seen: Vec<NodeRef> = Vec::new();
        for n in &names {
            for &to in by_name.get(n).into_iter().flatten() {
                if to != from && !seen.contains(&to) {
                    seen.push(to);
                    catalog.add_edge(from, to, DepKind::Normal);
                }
            }
        }
    }
    Ok(catalog)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DB: &str = "C:Q1abc=
P:musl
V:1.2.5-r0
A:x86_64
L:MIT
o:musl
m:Natanael Copa <ncopa@example.invalid>
c:4fe5bc6
p:so:libc.musl-x86_64.so.1=1
F:lib
R:ld-musl-x86_64.so.1

P:busybox
V:1.36.1-r29
A:x86_64
L:GPL-2.0-only
D:so:libc.musl-x86_64.so.1 !other
p:cmd:sh=1.36.1-r29

P:no-version
";

    #[test]
    fn records_and_edges() {
        let c = crate::parse_str(parse, "lib/apk/db/installed", DB).unwrap();
        assert_eq!(c.packages.len(), 2);
        assert_eq!(
            c.packages[0].component.purl.as_str(),
            "pkg:apk/alpine/musl@1.2.5-r0?arch=x86_64"
        );
        assert_eq!(c.packages[1].component.licenses[0].raw, "GPL-2.0-only");
        assert_eq!(c.packages[1].deps[0].to, NodeRef::Package(0));
        assert!(c.diagnostics.iter().any(|d| d.line == Some(20)));
    }

    #[test]
    fn binary_is_an_error() {
        assert!(crate::parse_str(parse, "lib/apk/db/installed", "P:\0").is_err());
    }
}
