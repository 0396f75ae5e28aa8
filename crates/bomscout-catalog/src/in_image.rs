//! Which files of a container image a scan reads: [`wanted_in_image`], the predicate the
//! image reader keeps contents by (`bomscout_image::ImageOptions::keep`). Every other file
//! of the image is listed with its size only, so memory follows what the catalogers read,
//! not the image's size.

/// True for a relative path (`var/lib/dpkg/status`) whose contents a scan of an image may
/// read: every file the detection table claims, and every file a cataloger reads beside
/// one:
///
/// - license, notice and copyright files by name (`LICENSE*`, `LICENCE*`, `COPYING*`,
///   `UNLICENSE*`, `NOTICE*`, `COPYRIGHT*`, any case; so also Debian's
///   `usr/share/doc/<pkg>/copyright`), and any name holding `license`/`licence` (a crate's
///   or pod's `license-file` may be named so);
/// - every file of a Python `*.dist-info/` or `*.egg-info/` directory (`License-File`s
///   live under `licenses/` there);
/// - the release file of a root (`etc/os-release`, `usr/lib/os-release`; the symlink and
///   its target both);
/// - manifests read beside a lockfile (`package.json`, `go.sum`, `composer.json`,
///   `pyproject.toml`, `Gemfile`, `mix.exs`, `Cargo.toml`, `pubspec.lock`, MSBuild project
///   files and `Directory.Packages.props`), Hex's `hex_metadata.config`, CocoaPods'
///   `Pods/Manifest.lock` and `*.podspec.json`;
/// - requirement files a `-r`/`-c` may include, which may have any name: every `*.txt`
///   and `*.in` file outside `usr/share/` (documentation) and `usr/include/`;
/// - a Hugging Face cache snapshot's `README.md` and `config.json` and the cache's
///   `blobs/*` they link to, and a clone's
///   `.git/config`, `.git/HEAD`, `.git/packed-refs` and `.git/refs/**`.
///
/// A cataloger that reads a file this does not keep gets "not kept in memory" (a
/// diagnostic), never the host's file.
pub fn wanted_in_image(rel: &str) -> bool {
    bomscout_walk::detect(rel).is_some() || read_beside(rel)
}

/// Files read beside a detected one (see [`wanted_in_image`]).
fn read_beside(rel: &str) -> bool {
    let (dir, name) = rel.rsplit_once('/').unwrap_or(("", rel));
    let lower = name.to_ascii_lowercase();
    if crate::license_files::is_license_file(&lower)
        || lower.starts_with("notice")
        || lower.starts_with("copyright")
        || lower.contains("license")
        || lower.contains("licence")
    {
        return true;
    }
    let dirs: Vec<&str> = dir.split('/').collect();
    if dirs
        .iter()
        .any(|d| d.ends_with(".dist-info") || d.ends_with(".egg-info"))
    {
        return true;
    }
    if matches!(
        name,
        "os-release"
            | "package.json"
            | "go.sum"
            | "composer.json"
            | "pyproject.toml"
            | "Gemfile"
            | "mix.exs"
            | "Cargo.toml"
            | "pubspec.lock"
            | "Directory.Packages.props"
            | "hex_metadata.config"
    ) {
        return true;
    }
    if [".csproj", ".fsproj", ".vbproj", ".podspec.json"]
        .iter()
        .any(|ext| name.ends_with(ext))
    {
        return true;
    }
    if name == "Manifest.lock" && dirs.last() == Some(&"Pods") {
        return true;
    }
    let system_docs = ["usr/share", "usr/include"]
        .iter()
        .any(|d| dir == *d || dir.starts_with(&format!("{d}/")));
    if (name.ends_with(".txt") || name.ends_with(".in")) && !system_docs {
        return true;
    }
    let in_snapshot = dirs.windows(2).any(|w| {
        (w[0].starts_with("models--") || w[0].starts_with("datasets--")) && w[1] == "snapshots"
    });
    if in_snapshot && matches!(name, "README.md" | "config.json") {
        return true;
    }
    // A snapshot's files are symlinks to `blobs/<hash>`: what is read is the blob. The
    // name does not say which blob is a card, so all are kept (the image reader's
    // per-file and total limits bound what that costs).
    let in_blobs = dirs.windows(2).any(|w| {
        (w[0].starts_with("models--") || w[0].starts_with("datasets--")) && w[1] == "blobs"
    });
    if in_blobs {
        return true;
    }
    if let Some(i) = dirs.iter().position(|d| *d == ".git") {
        let inner = &dirs[i + 1..];
        return (inner.is_empty() && matches!(name, "config" | "HEAD" | "packed-refs"))
            || inner.first() == Some(&"refs");
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_an_image_scan_keeps() {
        for rel in [
            "var/lib/dpkg/status",
            "var/lib/dpkg/status.d/base",
            "usr/share/doc/bash/copyright",
            "etc/os-release",
            "usr/lib/os-release",
            "var/lib/rpm/rpmdb.sqlite",
            "lib/apk/db/installed",
            "usr/lib/python3/dist-packages/six-1.16.0.dist-info/METADATA",
            "usr/lib/python3/dist-packages/pip-25.0.dist-info/licenses/LICENSE.txt",
            "usr/lib/python3/dist-packages/x.egg-info/PKG-INFO",
            "app/node_modules/left-pad/package.json",
            "app/node_modules/left-pad/LICENSE",
            "app/node_modules/left-pad/License.md",
            "app/package-lock.json",
            "app/go.sum",
            "app/vendor/github.com/x/y/LICENSE",
            "app/requirements/base.txt",
            "app/base.in",
            "srv/Pods/Manifest.lock",
            "srv/Pods/Local Podspecs/Alamofire.podspec.json",
            "models--org--m/snapshots/abc/README.md",
            "models--org--m/blobs/0123abcd",
            "srv/model/.git/refs/heads/main",
            "srv/model/.git/HEAD",
            "crate/vendor/foo/LICENSE-MIT",
            "crate/vendor/foo/NOTICE",
        ] {
            assert!(wanted_in_image(rel), "{rel}");
        }
        for rel in [
            "usr/share/man/man1/bash.1.gz",
            "usr/share/doc/bash/README.md",
            "app/node_modules/left-pad/index.js",
            "etc/passwd",
            "srv/model/.git/objects/ab/cdef",
            "srv/README.md",
            "usr/share/doc/x/notes.txt",
            "usr/include/x/config.h.in",
        ] {
            assert!(!wanted_in_image(rel), "{rel}");
        }
    }
}
