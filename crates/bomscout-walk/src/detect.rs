//! The detection table: which cataloger reads a file, from its path alone.

use bomscout_core::Cataloger;

/// The cataloger for a file at `rel` (relative, `/`-separated), or `None` for files no
/// cataloger reads. Looks only at names, never at contents.
///
/// Context matters for a few names: a `package.json` directly inside
/// `node_modules/<name>/` (or `node_modules/@scope/<name>/`) is an installed package, one
/// elsewhere under `node_modules` is a package's internal file (e.g. `dist/esm/package.json`
/// markers) and is ignored, and one outside `node_modules` is a project manifest. Lockfiles
/// shipped inside installed packages are not what was installed and are ignored.
pub fn detect(rel: &str) -> Option<Cataloger> {
    let mut parts = rel.rsplit('/');
    let name = parts.next()?;
    let parent = parts.next().unwrap_or("");
    let grandparent = parts.next().unwrap_or("");
    let in_node_modules = rel.starts_with("node_modules/") || rel.contains("/node_modules/");
    Some(match name {
        "package.json" if in_node_modules => {
            let at_package_root = grandparent == "node_modules"
                || (grandparent.starts_with('@') && parts.next() == Some("node_modules"));
            if !at_package_root || parent.starts_with('.') {
                return None;
            }
            Cataloger::NpmInstalled
        }
        _ if in_node_modules => return None,
        "package.json" => Cataloger::NpmManifest,
        "package-lock.json" | "npm-shrinkwrap.json" => Cataloger::NpmLock,
        "Cargo.lock" => Cataloger::CargoLock,
        "Cargo.toml" => Cataloger::CargoManifest,
        "Pipfile.lock" => Cataloger::PipfileLock,
        "poetry.lock" => Cataloger::PoetryLock,
        "uv.lock" => Cataloger::UvLock,
        "pyproject.toml" => Cataloger::Pyproject,
        "METADATA" if parent.ends_with(".dist-info") => Cataloger::PythonInstalled,
        "PKG-INFO" if parent.ends_with(".egg-info") => Cataloger::PythonInstalled,
        _ if is_pylock(name) => Cataloger::Pylock,
        _ if is_requirements(name, parent) => Cataloger::PipRequirements,
        _ => return None,
    })
}

/// `pylock.toml` or `pylock.<name>.toml` (PEP 751).
fn is_pylock(name: &str) -> bool {
    name == "pylock.toml" || (name.starts_with("pylock.") && name.ends_with(".toml"))
}

/// `requirements.txt`, `requirements-dev.txt`, `dev-requirements.txt`, `requirements/*.txt`,
/// `*.in` files are pip-compile inputs, not pins, and are left out.
fn is_requirements(name: &str, parent: &str) -> bool {
    name.ends_with(".txt") && (name.contains("requirements") || parent == "requirements")
}

#[cfg(test)]
mod tests {
    use super::*;
    use Cataloger::*;

    #[test]
    fn table() {
        let cases: &[(&str, Option<Cataloger>)] = &[
            ("package.json", Some(NpmManifest)),
            ("app/package.json", Some(NpmManifest)),
            ("package-lock.json", Some(NpmLock)),
            ("a/npm-shrinkwrap.json", Some(NpmLock)),
            ("node_modules/lodash/package.json", Some(NpmInstalled)),
            ("node_modules/@babel/core/package.json", Some(NpmInstalled)),
            (
                "app/node_modules/a/node_modules/b/package.json",
                Some(NpmInstalled),
            ),
            (
                "node_modules/a/node_modules/@s/b/package.json",
                Some(NpmInstalled),
            ),
            ("node_modules/lodash/dist/esm/package.json", None),
            ("node_modules/.package-lock.json", None),
            ("node_modules/.bin/package.json", None),
            ("node_modules/x/package-lock.json", None),
            ("node_modules/x/requirements.txt", None),
            ("Cargo.lock", Some(CargoLock)),
            ("crates/x/Cargo.toml", Some(CargoManifest)),
            ("requirements.txt", Some(PipRequirements)),
            ("requirements-dev.txt", Some(PipRequirements)),
            ("dev-requirements.txt", Some(PipRequirements)),
            ("requirements/base.txt", Some(PipRequirements)),
            ("requirements.in", None),
            ("notes.txt", None),
            ("Pipfile.lock", Some(PipfileLock)),
            ("Pipfile", None),
            ("poetry.lock", Some(PoetryLock)),
            ("uv.lock", Some(UvLock)),
            ("pylock.toml", Some(Pylock)),
            ("pylock.dev.toml", Some(Pylock)),
            ("pyproject.toml", Some(Pyproject)),
            (
                "venv/lib/python3.11/site-packages/requests-2.31.0.dist-info/METADATA",
                Some(PythonInstalled),
            ),
            ("lib/foo.egg-info/PKG-INFO", Some(PythonInstalled)),
            ("METADATA", None),
            ("sdist/PKG-INFO", None),
        ];
        for (path, want) in cases {
            assert_eq!(detect(path), *want, "{path}");
        }
    }
}
