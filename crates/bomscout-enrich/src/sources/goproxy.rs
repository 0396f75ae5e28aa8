//! The Go module proxy (the GOPROXY protocol): a Go module's licenses are the LICENSE files
//! at the root of its module zip, read with bomscout's license detector. Go has no
//! registry metadata that names a license, so this is the only first-hand source for Go.
//!
//! - `versions`: `GET {base}/{module}/@v/{version}.zip` (module path and version
//!   case-encoded: every uppercase letter becomes `!` and its lowercase), read into memory
//!   up to [`ZIP_LIMIT`] (a larger module is an error, `the download exceeds …`, and the
//!   module is left unenriched: Go's own limit is 500 MiB, but no license is worth reading
//!   that much). The files taken are `LICENSE*`, `LICENCE*`, `COPYING*` and `UNLICENSE*`
//!   directly under `module@version/`, never a nested directory's (a vendored tree, a
//!   nested module); each is read up to [`LICENSE_FILE_LIMIT`] bytes uncompressed (a file
//!   that claims or turns out to be larger, such as a zip bomb, makes the answer
//!   [`SourceError::Malformed`]) and matched at [`DEFAULT_THRESHOLD`], the threshold the
//!   installed-tree license files use. A file whose whole text matches nothing is matched
//!   section by section (go-yaml's LICENSE holds the MIT and the Apache-2.0 texts under
//!   two headings, each after a sentence saying which files it covers; up to three such
//!   leading paragraphs are passed over); each license found is kept, named
//!   `LICENSE (section N)`, and a text that matches nothing gives no license. The `.info` file is not asked for (one request
//!   saved per module): a pseudo-version carries its commit time, which becomes
//!   `published`; a tagged version's date comes from deps.dev.
//! - `packages`: `GET {base}/{module}/@latest` (`Version`, `Time`).
//! - Supplier and repository come from the module path, for modules hosted on github.com,
//!   gitlab.com and bitbucket.org (`github.com/spf13/cobra` → `spf13`,
//!   `https://github.com/spf13/cobra`), and gopkg.in paths, which name a GitHub repository
//!   by rule (`gopkg.in/yaml.v3` → `https://github.com/go-yaml/yaml`).
//!
//! `+incompatible` versions and pseudo-versions are asked for as they are.

use crate::facts::{Answer, Coordinates, Facts, FoundLicense};
use crate::source::{parse_json, Http, SourceError};
use bomscout_core::Ecosystem;
use bomscout_license::detect::{Detected, LicenseText, DEFAULT_THRESHOLD};
use serde::Deserialize;
use std::io::Read;

/// The largest module zip read.
pub const ZIP_LIMIT: u64 = 100 * 1024 * 1024;
/// The largest license file read out of a module zip, uncompressed.
pub const LICENSE_FILE_LIMIT: u64 = 256 * 1024;
/// License files looked at per module.
const MAX_LICENSE_FILES: usize = 8;

const WHAT: &str = "Go module proxy (GOPROXY protocol)";

/// The Go module proxy source.
#[derive(Debug, Clone)]
pub struct GoProxy {
    base: String,
}

impl GoProxy {
    /// The proxy at `base` (`https://proxy.example`, or a GOPROXY entry).
    pub fn new(base: &str) -> GoProxy {
        GoProxy {
            base: base.trim().trim_end_matches('/').to_string(),
        }
    }

    /// The URL of a module version's zip.
    pub fn zip_url(&self, module: &str, version: &str) -> String {
        format!(
            "{}/{}/@v/{}.zip",
            self.base,
            escape_path(module),
            escape_path(version)
        )
    }

    /// The URL of a module's latest version.
    pub fn latest_url(&self, module: &str) -> String {
        format!("{}/{}/@latest", self.base, escape_path(module))
    }

    fn version(&self, http: &Http, key: &Coordinates) -> Result<Answer, SourceError> {
        let module = key.full_name();
        let Some(version) = key.version.as_deref() else {
            return Err(SourceError::Unaskable(format!(
                "{}: no version to ask the Go module proxy about",
                key.purl()
            )));
        };
        let url = self.zip_url(&module, version);
        let Some(bytes) = http.get_bytes(&url, ZIP_LIMIT)? else {
            return Ok(Answer::NotFound { url });
        };
        let licenses =
            licenses_in_zip(&bytes, &module, version).map_err(|reason| SourceError::Malformed {
                url: bomscout_net::redact_url(&url),
                reason,
                what: WHAT,
            })?;
        let (supplier, repository) = match repository_of(&module) {
            Some((owner, repo)) => (Some(owner), Some(repo)),
            None => (None, None),
        };
        Ok(Answer::found(Facts {
            url,
            licenses,
            supplier,
            repository,
            published: pseudo_version_date(version),
            ..Facts::default()
        }))
    }

    fn latest(&self, http: &Http, key: &Coordinates) -> Result<Answer, SourceError> {
        #[derive(Deserialize)]
        struct Info {
            #[serde(rename = "Version")]
            version: String,
            #[serde(rename = "Time", default)]
            time: Option<String>,
        }
        let url = self.latest_url(&key.full_name());
        let Some(bytes) = http.get_bytes(&url, crate::source::DOCUMENT_LIMIT)? else {
            return Ok(Answer::NotFound { url });
        };
        let info: Info = parse_json(&url, &bytes, WHAT)?;
        Ok(Answer::found(Facts {
            latest_release: info.time.as_deref().and_then(super::fields::day),
            latest_version: Some(info.version),
            url,
            ..Facts::default()
        }))
    }
}

one_at_a_time!(GoProxy, "goproxy", Ecosystem::Golang, version, latest);

/// A module path or version as the GOPROXY protocol writes it in a URL: each uppercase
/// letter becomes `!` and its lowercase (`github.com/BurntSushi/toml` →
/// `github.com/!burnt!sushi/toml`), so that case-insensitive file systems can serve it.
/// Characters outside what a module path allows are percent-encoded, so a hostile name
/// cannot change the URL's meaning (`?`, `#`, `..`).
pub fn escape_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len() + 8);
    for segment in path.split('/') {
        if !out.is_empty() || path.starts_with('/') {
            out.push('/');
        }
        if segment == "." || segment == ".." {
            out.push_str(&segment.replace('.', "%2E"));
            continue;
        }
        for c in segment.chars() {
            match c {
                'A'..='Z' => {
                    out.push('!');
                    out.push(c.to_ascii_lowercase());
                }
                'a'..='z' | '0'..='9' | '-' | '.' | '_' | '~' | '+' => out.push(c),
                _ => {
                    let mut buf = [0u8; 4];
                    for b in c.encode_utf8(&mut buf).bytes() {
                        out.push_str(&format!("%{b:02X}"));
                    }
                }
            }
        }
    }
    out
}

/// True for a file name that is conventionally a license file.
fn is_license_file(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    ["license", "licence", "copying", "unlicense"]
        .iter()
        .any(|p| n.starts_with(p))
}

/// The licenses the root license files of a module zip name. Errors (for
/// [`SourceError::Malformed`]) say what is wrong with the zip.
fn licenses_in_zip(bytes: &[u8], module: &str, version: &str) -> Result<Vec<FoundLicense>, String> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| format!("not a readable module zip: {e}"))?;
    let prefix = format!("{module}@{version}/");
    let mut chosen: Vec<(usize, String)> = Vec::new();
    for index in 0..archive.len() {
        let Ok(entry) = archive.by_index_raw(index) else {
            continue;
        };
        let Ok(name) = entry.name() else {
            continue;
        };
        let Some(file) = name.strip_prefix(&prefix) else {
            continue;
        };
        if entry.is_file() && !file.contains('/') && is_license_file(file) {
            chosen.push((index, file.to_string()));
        }
    }
    chosen.sort_by(|a, b| a.1.cmp(&b.1));
    chosen.truncate(MAX_LICENSE_FILES);
    let mut licenses = Vec::new();
    for (index, file) in chosen {
        let shown = bomscout_core::escape::quote(&file, bomscout_core::escape::QUOTE_LIMIT);
        let mut entry = archive
            .by_index(index)
            .map_err(|e| format!("{shown} cannot be read: {e}"))?;
        if entry.size() > LICENSE_FILE_LIMIT {
            return Err(format!(
                "{shown} is {} bytes uncompressed, more than the {LICENSE_FILE_LIMIT} a license file may be",
                entry.size()
            ));
        }
        let mut text = Vec::new();
        (&mut entry)
            .take(LICENSE_FILE_LIMIT + 1)
            .read_to_end(&mut text)
            .map_err(|e| format!("{shown} is damaged: {e}"))?;
        if text.len() as u64 > LICENSE_FILE_LIMIT {
            return Err(format!(
                "{shown} inflates past the {LICENSE_FILE_LIMIT} bytes a license file may be"
            ));
        }
        for (field, d) in detect(&String::from_utf8_lossy(&text), &file) {
            licenses.push(FoundLicense {
                raw: d.id,
                field,
                confidence: Some(d.confidence),
            });
        }
    }
    Ok(licenses)
}

/// The licenses a license file's text is: the whole text's match; or, when the whole
/// matches nothing, each section's (a file that holds two licenses' texts one after the
/// other, under headings or between rule lines, as go-yaml's does), named
/// `FILE (section N)`.
fn detect(text: &str, file: &str) -> Vec<(String, Detected)> {
    if let Some(d) = LicenseText::new(text).and_then(|t| t.best(DEFAULT_THRESHOLD)) {
        return vec![(file.to_string(), d)];
    }
    let mut found: Vec<(String, Detected)> = Vec::new();
    for (n, section) in sections(text).iter().enumerate() {
        // A section may open with a sentence or two about what it covers ("The following
        // files were ported from…"): up to three leading paragraphs are dropped in turn.
        let paragraphs: Vec<&str> = section
            .split("\n\n")
            .filter(|p| !p.trim().is_empty())
            .collect();
        let Some(d) = (0..paragraphs.len().min(4)).find_map(|skip| {
            LicenseText::new(&paragraphs[skip..].join("\n\n"))
                .and_then(|t| t.best(DEFAULT_THRESHOLD))
        }) else {
            continue;
        };
        if !found.iter().any(|(_, f)| f.id == d.id) {
            found.push((format!("{file} (section {})", n + 1), d));
        }
    }
    found
}

/// A text cut at heading lines (`# …`, `### MIT License ###`), rule lines (`-----`,
/// `=====`, `*****`) and form feeds. At most 8 sections are kept (a license file is short).
fn sections(text: &str) -> Vec<String> {
    let is_break = |line: &str| {
        let t = line.trim();
        t.starts_with('#')
            || line.contains('\u{c}')
            || (t.len() >= 3 && t.chars().all(|c| matches!(c, '-' | '=' | '*' | '_')))
    };
    let mut out: Vec<String> = Vec::new();
    let mut current = String::new();
    for line in text.lines() {
        if is_break(line) {
            if !current.trim().is_empty() {
                out.push(std::mem::take(&mut current));
            }
            current.clear();
            continue;
        }
        current.push_str(line);
        current.push('\n');
    }
    if !current.trim().is_empty() {
        out.push(current);
    }
    out.truncate(8);
    out
}

/// The owner and the `https://` repository URL a module path names, for modules on
/// github.com, gitlab.com and bitbucket.org, and gopkg.in paths (`gopkg.in/pkg.v3` is
/// `github.com/go-pkg/pkg`, `gopkg.in/user/pkg.v3` is `github.com/user/pkg`).
pub fn repository_of(module: &str) -> Option<(String, String)> {
    let parts: Vec<&str> = module.split('/').collect();
    let ok = |s: &str| {
        !s.is_empty()
            && s != "."
            && s != ".."
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    };
    match parts.as_slice() {
        [host @ ("github.com" | "gitlab.com" | "bitbucket.org"), owner, repo, ..]
            if ok(owner) && ok(repo) =>
        {
            let repo = repo.strip_suffix(".git").unwrap_or(repo);
            Some((owner.to_string(), format!("https://{host}/{owner}/{repo}")))
        }
        ["gopkg.in", rest @ ..] => {
            let (owner, pkg) = match rest {
                [pkg] => (None, *pkg),
                [owner, pkg, ..] => (Some(*owner), *pkg),
                [] => return None,
            };
            let (name, major) = pkg.rsplit_once(".v")?;
            if !ok(name) || major.is_empty() || !major.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let owner = match owner {
                Some(o) if ok(o) => o.to_string(),
                Some(_) => return None,
                None => format!("go-{name}"),
            };
            let url = format!("https://github.com/{owner}/{name}");
            Some((owner, url))
        }
        _ => None,
    }
}

/// The commit date of a pseudo-version (`v0.0.0-20161208181325-20d25e280405`,
/// `v1.2.4-0.20191109021931-daa7c04131f5`, `v1.2.3-pre.0.20191109021931-daa7c04131f5`),
/// as `YYYY-MM-DD`; `None` for a tagged version.
pub fn pseudo_version_date(version: &str) -> Option<String> {
    let version = version.strip_suffix("+incompatible").unwrap_or(version);
    let (rest, hash) = version.rsplit_once('-')?;
    if hash.len() != 12 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let stamp = match rest.rsplit_once(['-', '.']) {
        Some((_, stamp)) => stamp,
        None => return None,
    };
    if stamp.len() != 14 || !stamp.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    super::fields::day(&format!(
        "{}-{}-{}",
        &stamp[..4],
        &stamp[4..6],
        &stamp[6..8]
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_paths_are_case_encoded() {
        assert_eq!(
            escape_path("github.com/BurntSushi/toml"),
            "github.com/!burnt!sushi/toml"
        );
        assert_eq!(escape_path("v1.0.0-RC1"), "v1.0.0-!r!c1");
        assert_eq!(escape_path("v2.0.0+incompatible"), "v2.0.0+incompatible");
        assert_eq!(escape_path("a/../b?x#y"), "a/%2E%2E/b%3Fx%23y");
    }

    #[test]
    fn repositories_and_owners_come_from_the_module_path() {
        assert_eq!(
            repository_of("github.com/spf13/cobra"),
            Some(("spf13".into(), "https://github.com/spf13/cobra".into()))
        );
        assert_eq!(
            repository_of("github.com/cpuguy83/go-md2man/v2"),
            Some((
                "cpuguy83".into(),
                "https://github.com/cpuguy83/go-md2man".into()
            ))
        );
        assert_eq!(
            repository_of("gopkg.in/yaml.v3"),
            Some(("go-yaml".into(), "https://github.com/go-yaml/yaml".into()))
        );
        assert_eq!(
            repository_of("gopkg.in/check.v1"),
            Some((
                "go-check".into(),
                "https://github.com/go-check/check".into()
            ))
        );
        assert_eq!(repository_of("go.yaml.in/yaml/v3"), None);
        assert_eq!(repository_of("golang.org/x/text"), None);
        assert_eq!(repository_of("github.com/spf13"), None);
    }

    #[test]
    fn a_text_that_is_no_license_gives_none() {
        assert!(detect(
            "Proprietary.\n\n# Terms\n\nAll rights reserved.\n",
            "LICENSE"
        )
        .is_empty());
        assert!(detect("", "LICENSE").is_empty());
    }

    #[test]
    fn sections_are_cut_at_headings_and_rules() {
        let text = "intro\n#### MIT ####\none\n\ntwo\n-----\nthree\n\u{c}\nfour\n";
        assert_eq!(
            sections(text),
            vec!["intro\n", "one\n\ntwo\n", "three\n", "four\n"]
        );
    }

    #[test]
    fn pseudo_versions_give_their_commit_date() {
        assert_eq!(
            pseudo_version_date("v0.0.0-20161208181325-20d25e280405").as_deref(),
            Some("2016-12-08")
        );
        assert_eq!(
            pseudo_version_date("v1.2.4-0.20191109021931-daa7c04131f5").as_deref(),
            Some("2019-11-09")
        );
        assert_eq!(
            pseudo_version_date("v1.2.3-pre.0.20191109021931-daa7c04131f5+incompatible").as_deref(),
            Some("2019-11-09")
        );
        assert_eq!(pseudo_version_date("v1.0.9"), None);
        assert_eq!(pseudo_version_date("v1.0.0-rc.1"), None);
    }
}
