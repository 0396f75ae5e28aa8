//! Version-control source URLs as purl `vcs_url` qualifiers, and the identity of a
//! dependency fetched from a git repository.

use bomscout_core::{Component, Ecosystem, PurlError};

/// A lockfile's git source (`https://host/repo.git?rev=main#<commit>`) as a purl `vcs_url`
/// (`git+https://host/repo.git@<commit>`): the query goes, the commit pins it.
pub fn git_vcs_url(git: &str) -> String {
    let (base, commit) = match git.split_once('#') {
        Some((b, c)) => (b, Some(c)),
        None => (git, None),
    };
    let base = base.split('?').next().unwrap_or(base);
    let base = if base.starts_with("git+") {
        base.to_string()
    } else {
        format!("git+{base}")
    };
    match commit {
        Some(c) if !c.is_empty() => format!("{base}@{c}"),
        _ => base,
    }
}

/// The component of a dependency that a lockfile pins to a git repository at `reference`
/// (a commit, else a tag or branch), named `name` in its own ecosystem.
///
/// Such a dependency is not the registry package of that name: `pkg:hex/erlzmq@<sha>` names
/// a hex release that does not exist. Its identity is the repository (purl spec): on GitHub
/// `pkg:github/<owner>/<repo>@<reference>`, on Bitbucket `pkg:bitbucket/…` (both types
/// lowercase owner and repository); on any other host (GitLab has no purl type) a
/// `pkg:generic/<name>@<reference>` with a `vcs_url` qualifier, as the spec's `generic`
/// examples do. The name the lockfile uses is kept as the `package` property, prefixed
/// with its ecosystem (`hex:erlzmq`), so that a reader can tell what it was declared as.
pub fn git_component(
    ecosystem: Ecosystem,
    name: &str,
    url: &str,
    reference: &str,
) -> Result<Component, PurlError> {
    let mut c = match repository(url) {
        Some((host @ (Ecosystem::Github | Ecosystem::Bitbucket), owner, repo)) => {
            Component::new(host, Some(&owner), &repo, reference)?
        }
        _ => {
            let vcs_url = format!("{}@{reference}", git_vcs_url(url));
            Component::with_qualifiers(
                Ecosystem::Generic,
                None,
                name,
                reference,
                &[("vcs_url", &vcs_url)],
            )?
        }
    };
    c.properties.insert(
        "package".into(),
        format!("{}:{name}", ecosystem.purl_type()),
    );
    Ok(c)
}

/// `(GitHub or Bitbucket, owner, repository)` of a repository URL on one of those hosts
/// (`https://`, `git://`, `ssh://`, `git+…`, scp-like `git@host:owner/repo.git`), owner and
/// repository lowercased; `None` for another host or a path that is not `owner/repo`.
fn repository(url: &str) -> Option<(Ecosystem, String, String)> {
    let url = url.trim();
    let url = url.strip_prefix("git+").unwrap_or(url);
    let rest = match url.split_once("://") {
        Some((_, rest)) => rest.to_string(),
        // scp-like: `git@github.com:owner/repo.git`
        None => url.replacen(':', "/", 1),
    };
    let rest = rest.split(['?', '#']).next().unwrap_or_default();
    let (authority, path) = rest.split_once('/')?;
    let host = authority.rsplit('@').next().unwrap_or(authority);
    let host = host.split(':').next().unwrap_or(host).to_ascii_lowercase();
    let ecosystem = match host.strip_prefix("www.").unwrap_or(&host) {
        "github.com" => Ecosystem::Github,
        "bitbucket.org" => Ecosystem::Bitbucket,
        _ => return None,
    };
    let path = path.trim_end_matches('/');
    let path = path.strip_suffix(".git").unwrap_or(path);
    let (owner, repo) = path.split_once('/')?;
    let plain = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    };
    (plain(owner) && plain(repo)).then(|| {
        (
            ecosystem,
            owner.to_ascii_lowercase(),
            repo.to_ascii_lowercase(),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn git_dependencies_are_named_by_their_repository() {
        let cases = [
            (
                "https://github.com/zeromq/erlzmq2",
                "pkg:github/zeromq/erlzmq2@573d583",
            ),
            (
                "git://github.com/ZeroMQ/Erlzmq2.git",
                "pkg:github/zeromq/erlzmq2@573d583",
            ),
            (
                "git@github.com:zeromq/erlzmq2.git",
                "pkg:github/zeromq/erlzmq2@573d583",
            ),
            (
                "ssh://git@bitbucket.org/team/erlzmq.git/",
                "pkg:bitbucket/team/erlzmq@573d583",
            ),
            (
                "https://gitlab.example.invalid/team/erlzmq.git",
                "pkg:generic/erlzmq@573d583?vcs_url=git%2Bhttps:%2F%2Fgitlab.example.invalid%2Fteam%2Ferlzmq.git%40573d583",
            ),
            // A deeper path on GitHub is not a repository URL: generic.
            (
                "https://github.com/a/b/c",
                "pkg:generic/erlzmq@573d583?vcs_url=git%2Bhttps:%2F%2Fgithub.com%2Fa%2Fb%2Fc%40573d583",
            ),
        ];
        for (url, purl) in cases {
            let c = git_component(Ecosystem::Hex, "erlzmq", url, "573d583").unwrap();
            assert_eq!(c.purl.as_str(), purl, "{url}");
            assert_eq!(c.properties["package"], "hex:erlzmq");
        }
    }

    #[test]
    fn git_urls() {
        assert_eq!(
            git_vcs_url("https://h/r.git?rev=v1#abc"),
            "git+https://h/r.git@abc"
        );
        assert_eq!(git_vcs_url("git+ssh://h/r"), "git+ssh://h/r");
        assert_eq!(
            git_vcs_url("git+https://h/r?branch=main#0123"),
            "git+https://h/r@0123"
        );
    }
}
