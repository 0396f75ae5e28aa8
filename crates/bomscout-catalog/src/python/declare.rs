//! Components for declared (not locked) Python requirements, shared by the manifest and
//! requirements parsers.

use super::pep508::Requirement;
use bomscout_core::{Component, Ecosystem, Purl, PurlError};

/// An unresolved component for a declared requirement: the specifier (or `*`) as its
/// requirement, or for a direct reference the URL, with a `vcs_url` / `download_url` purl
/// qualifier so it is never confused with the registry's package. Extras and the marker
/// become the `extras` and `marker` properties.
pub fn unresolved(req: &Requirement) -> Result<Component, PurlError> {
    let mut c = match &req.url {
        Some(url) => url_unresolved(&req.name, url)?,
        None => Component::unresolved(Ecosystem::PyPI, None, &req.name, req.requirement_or_any())?,
    };
    describe(&mut c, req);
    Ok(c)
}

/// An unresolved component whose requirement is `url`, qualified by `vcs_url` for VCS URLs
/// (`git+…`, `hg+…`, `svn+…`, `bzr+…`) and by `download_url` otherwise. The qualifier
/// drops the URL's `#fragment` (`#egg=`, `#sha256=`), which is not part of the location.
pub fn url_unresolved(name: &str, url: &str) -> Result<Component, PurlError> {
    let key = if is_vcs(url) {
        "vcs_url"
    } else {
        "download_url"
    };
    let mut c = Component::unresolved(Ecosystem::PyPI, None, name, url)?;
    c.purl = Purl::build(
        Ecosystem::PyPI,
        None,
        name,
        None,
        &[(key, strip_fragment(url))],
    )?;
    Ok(c)
}

/// Records a requirement's extras and marker as properties.
pub fn describe(c: &mut Component, req: &Requirement) {
    if !req.extras.is_empty() {
        c.properties.insert("extras".into(), req.extras.join(","));
    }
    if let Some(marker) = &req.marker {
        c.properties.insert("marker".into(), marker.clone());
    }
}

/// True for a pip VCS URL (`git+https://…`).
pub fn is_vcs(url: &str) -> bool {
    ["git+", "hg+", "svn+", "bzr+"]
        .iter()
        .any(|p| url.starts_with(p))
}

/// The URL without its `#fragment`.
pub fn strip_fragment(url: &str) -> &str {
    url.split('#').next().unwrap_or(url)
}
