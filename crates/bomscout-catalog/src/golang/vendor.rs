//! `vendor/modules.txt`: the modules `go mod vendor` copied. `# path version` lines (with
//! `=> replacement [version]`), `## explicit` marking a direct requirement of the main
//! module; package lines are skipped. The project is the directory holding `vendor/`;
//! license files of each module are read from `vendor/<path>/` (its own tree).

use super::component;
use crate::{Input, ParseError};
use bomscout_core::escape::{quote, QUOTE_LIMIT};
use bomscout_core::{Catalog, DepKind, Diagnostic, Ecosystem, NodeRef, Project};

/// Parses one `vendor/modules.txt`.
pub fn parse(input: &Input) -> Result<Catalog, ParseError> {
    let text = crate::text::utf8(input.bytes)?;
    let vendor_dir = crate::paths::dir_of(input.path());
    let project_dir = crate::paths::dir_of(vendor_dir);
    let mut catalog = Catalog::default();
    let mut project = Project::in_dir(Ecosystem::Golang, project_dir, input.path());
    let mut last: Option<(NodeRef, String)> = None;
    for (i, line) in text.lines().enumerate() {
        let line_no = i as u32 + 1;
        if let Some(marks) = line.strip_prefix("## ") {
            if let Some((node, _)) = &last {
                if marks.split(';').any(|m| m.trim() == "explicit") {
                    if let Some(p) = match node {
                        NodeRef::Package(p) => catalog.packages.get_mut(*p),
                        NodeRef::Project(_) => None,
                    } {
                        p.component.properties.remove("indirect");
                    }
                }
            }
            continue;
        }
        let Some(module) = line.strip_prefix("# ") else {
            continue;
        };
        let (left, right) = match module.split_once(" => ") {
            Some((l, r)) => (l, Some(r)),
            None => (module, None),
        };
        let words: Vec<&str> = left.split_whitespace().collect();
        let replacement: Vec<&str> = right
            .map(|r| r.split_whitespace().collect())
            .unwrap_or_default();
        let (path, version) = match (words.as_slice(), replacement.as_slice()) {
            (_, [p, v]) => (*p, *v),
            (_, [_local]) => continue, // replaced by a local directory: first-party
            ([p, v], []) => (*p, *v),
            _ => {
                catalog.diagnostics.push(
                    Diagnostic::warning(
                        input.path(),
                        format!("{} is not `# path version`", quote(line, QUOTE_LIMIT)),
                    )
                    .at_line(line_no),
                );
                continue;
            }
        };
        let mut c = match component(path, version) {
            Ok(c) => c,
            Err(e) => {
                catalog.diagnostics.push(
                    Diagnostic::warning(input.path(), format!("{path}: {e}")).at_line(line_no),
                );
                continue;
            }
        };
        c.properties.insert("indirect".into(), "true".into());
        let module = words.first().copied().unwrap_or(path);
        if let (Some(dir), true) = (input.abs.parent(), crate::paths::is_plain_path(module)) {
            let module_dir = dir.join(module);
            if input.tree.is_dir(&module_dir) {
                let shown =
                    crate::paths::join_dir(vendor_dir, words.first().copied().unwrap_or(path));
                crate::license_files::add_evidence(
                    input.tree,
                    &mut c,
                    &module_dir,
                    &shown,
                    &[],
                    input.options.license_threshold,
                );
            }
        }
        let node = catalog.add_package(c.at(input.at_line(line_no)));
        project.add_dep(node, DepKind::Normal);
        last = Some((node, path.to_string()));
    }
    catalog.add_project(project);
    Ok(catalog)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse_str;

    #[test]
    fn modules_replacements_and_explicit_marks() {
        let text = "# github.com/a/b v1.0.0\n## explicit; go 1.20\ngithub.com/a/b\ngithub.com/a/b/sub\n# golang.org/x/sys v0.1.0 => golang.org/x/sys v0.2.0\n## explicit\n# github.com/c/d v1.1.0\n# example.com/local v0.0.0 => ../local\n# broken\n";
        let c = parse_str(parse, "app/vendor/modules.txt", text).unwrap();
        let got: Vec<(String, bool)> = c
            .packages
            .iter()
            .map(|p| {
                (
                    p.component.purl.to_string(),
                    p.component.properties.contains_key("indirect"),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("pkg:golang/github.com/a/b@v1.0.0".to_string(), false),
                ("pkg:golang/golang.org/x/sys@v0.2.0".to_string(), false),
                ("pkg:golang/github.com/c/d@v1.1.0".to_string(), true),
            ]
        );
        assert_eq!(c.projects[0].dir, "app");
        assert_eq!(c.diagnostics.len(), 1);
        assert_eq!(c.diagnostics[0].line, Some(9));
    }
}
