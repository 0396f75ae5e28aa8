//! Source repository URLs as registries write them, made into one form:
//! `https://github.com/owner/repo` — no `git+`, no `.git`, no `#readme`, no trailing `/`,
//! `git://`, `ssh://`, `git+ssh://`, `git@host:owner/repo` and Maven's `scm:git:` forms
//! turned into `https://`.
//! On GitHub, Bitbucket and Codeberg the path is cut to `owner/repo` (a link to a file or
//! a tree names the same repository); on GitLab it is cut before `/-/`. A gitweb-style
//! `?p=name.git` query is kept elsewhere, since it is what names the repository there (every
//! Apache repository is otherwise one URL). Shared by every source that reads a repository
//! field.

/// The longest repository URL accepted (a longer one is not a repository link).
pub const MAX_URL_LEN: usize = 512;

/// Code hosts whose repository is the first two path segments.
const TWO_SEGMENT_FORGES: [&str; 3] = ["github.com", "bitbucket.org", "codeberg.org"];

/// `raw` as `https://host/path`, or `None` when it is not a repository URL (empty, a
/// relative path, a mail address, text with spaces, a forge URL without `owner/repo`).
pub fn normalize(raw: &str) -> Option<String> {
    let s = raw.trim();
    if s.is_empty()
        || s.len() > MAX_URL_LEN
        || s.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return None;
    }
    let mut s = s;
    for prefix in ["scm:git:", "scm:svn:", "scm:hg:", "scm:", "git+", "hg+"] {
        if let Some(rest) = s.strip_prefix(prefix) {
            s = rest;
        }
    }
    let s = s.split('#').next().unwrap_or("");
    let query = s.split_once('?').map(|(_, q)| q);
    let (host, path) = split_host_path(s)?;
    let mut host = host.to_ascii_lowercase();
    if host == "www.github.com" {
        host = String::from("github.com");
    }
    let host = host.as_str();
    if host.is_empty() || !host.contains('.') {
        return None;
    }
    let path = path.split(['#', '?']).next().unwrap_or("");
    let segments: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
    let forge = TWO_SEGMENT_FORGES.contains(&host) || host == "gitlab.com";
    let segments: Vec<&str> = if TWO_SEGMENT_FORGES.contains(&host) {
        if segments.len() < 2 {
            return None;
        }
        segments[..2].to_vec()
    } else if host == "gitlab.com" {
        let end = segments
            .iter()
            .position(|s| *s == "-")
            .unwrap_or(segments.len());
        if end < 2 {
            return None;
        }
        segments[..end].to_vec()
    } else {
        segments
    };
    let mut path = segments.join("/");
    if let Some(stripped) = path.strip_suffix(".git") {
        path = stripped.to_string();
    }
    if path.is_empty() {
        return None;
    }
    match query.filter(|q| !forge && q.starts_with("p=")) {
        Some(query) => Some(format!("https://{host}/{path}?{query}")),
        None => Some(format!("https://{host}/{path}")),
    }
}

/// Like [`normalize`], but only for a repository on a code host: for a homepage, which is
/// as often a website as a repository.
pub fn forge(raw: &str) -> Option<String> {
    normalize(raw).filter(|url| is_code_host(url))
}

/// npm's `repository` string forms: a URL, `github:owner/repo`, `gitlab:owner/repo`,
/// `bitbucket:owner/repo`, or the bare `owner/repo` shorthand for GitHub.
pub fn normalize_npm(raw: &str) -> Option<String> {
    let s = raw.trim();
    for (prefix, host) in [
        ("github:", "github.com"),
        ("gitlab:", "gitlab.com"),
        ("bitbucket:", "bitbucket.org"),
        ("gist:", "gist.github.com"),
    ] {
        if let Some(rest) = s.strip_prefix(prefix) {
            return normalize(&format!("https://{host}/{rest}"));
        }
    }
    let shorthand = !s.contains(':')
        && !s.starts_with('.')
        && !s.starts_with('/')
        && s.split('/').filter(|p| !p.is_empty()).count() == 2
        && s.split('/').count() == 2;
    if shorthand {
        return normalize(&format!("https://github.com/{s}"));
    }
    normalize(s)
}

/// True for a URL on a code host (GitHub, GitLab, Bitbucket, Codeberg): a home page
/// there is the repository.
pub fn is_code_host(url: &str) -> bool {
    let Some((host, _)) = split_host_path(url.trim()) else {
        return false;
    };
    let host = host.to_ascii_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host);
    TWO_SEGMENT_FORGES.contains(&host) || host == "gitlab.com"
}

/// `(host, path)` of `scheme://[user@]host[:port]/path` or of scp-like `user@host:path`.
fn split_host_path(s: &str) -> Option<(&str, &str)> {
    if let Some((scheme, rest)) = s.split_once("://") {
        let scheme = scheme.to_ascii_lowercase();
        if !matches!(
            scheme.as_str(),
            "https" | "http" | "git" | "ssh" | "git+ssh" | "git+https" | "git+http"
        ) {
            return None;
        }
        let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
        let host = authority.rsplit('@').next().unwrap_or(authority);
        let host = host.split(':').next().unwrap_or(host);
        return Some((host, path));
    }
    // scp-like: git@github.com:owner/repo.git
    let (user_host, path) = s.split_once(':')?;
    let (_, host) = user_host.split_once('@')?;
    Some((host, path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_seen_in_registries() {
        let cases = [
            (
                "https://github.com/babel/babel.git",
                "https://github.com/babel/babel",
            ),
            ("git+https://github.com/o/r.git", "https://github.com/o/r"),
            (
                "git://github.com/isaacs/inherits",
                "https://github.com/isaacs/inherits",
            ),
            (
                "git@github.com:stevemao/left-pad.git",
                "https://github.com/stevemao/left-pad",
            ),
            ("ssh://git@github.com/o/r.git", "https://github.com/o/r"),
            ("git+ssh://git@github.com/o/r.git", "https://github.com/o/r"),
            (
                "http://github.com/kriszyp/json-schema",
                "https://github.com/kriszyp/json-schema",
            ),
            ("https://github.com/o/r#readme", "https://github.com/o/r"),
            ("https://www.github.com/o/r/", "https://github.com/o/r"),
            (
                "https://GitHub.com/o/r/tree/main/packages/x",
                "https://github.com/o/r",
            ),
            (
                "https://gitlab.com/g/sub/r/-/tree/main",
                "https://gitlab.com/g/sub/r",
            ),
            (
                "https://foss.heptapod.net/octobus/rust/micro-timer",
                "https://foss.heptapod.net/octobus/rust/micro-timer",
            ),
            (
                "https://www.mercurial-scm.org/repo/hg",
                "https://www.mercurial-scm.org/repo/hg",
            ),
        ];
        for (raw, want) in cases {
            assert_eq!(normalize(raw).as_deref(), Some(want), "{raw}");
        }
    }

    #[test]
    fn not_repositories() {
        for raw in [
            "",
            "   ",
            "see README",
            "./local",
            "https://github.com/",
            "https://github.com/onlyowner",
            "mailto:someone@example.com",
            "file:///tmp/x",
            "https://",
        ] {
            assert_eq!(normalize(raw), None, "{raw:?}");
        }
        assert_eq!(
            normalize(&format!("https://github.com/o/{}", "r".repeat(600))),
            None
        );
    }

    #[test]
    fn npm_shorthands() {
        let cases = [
            ("github:o/r", "https://github.com/o/r"),
            ("gitlab:g/r", "https://gitlab.com/g/r"),
            ("bitbucket:o/r", "https://bitbucket.org/o/r"),
            ("o/r", "https://github.com/o/r"),
            (
                "git://github.com/isaacs/inherits",
                "https://github.com/isaacs/inherits",
            ),
        ];
        for (raw, want) in cases {
            assert_eq!(normalize_npm(raw).as_deref(), Some(want), "{raw}");
        }
        assert_eq!(normalize_npm("/abs/path"), None);
        assert_eq!(normalize_npm("a/b/c"), None);
    }

    #[test]
    fn maven_scm_and_gitweb_forms() {
        assert_eq!(
            normalize("scm:git:https://github.com/rack/rack-test.git").as_deref(),
            Some("https://github.com/rack/rack-test")
        );
        assert_eq!(
            normalize("scm:git:git@github.com:google/gson.git").as_deref(),
            Some("https://github.com/google/gson")
        );
        assert_eq!(
            normalize("https://gitbox.apache.org/repos/asf?p=commons-io.git").as_deref(),
            Some("https://gitbox.apache.org/repos/asf?p=commons-io.git")
        );
    }

    #[test]
    fn homepages_count_only_on_code_hosts() {
        assert_eq!(forge("https://rubyonrails.org"), None);
        assert_eq!(
            forge("https://github.com/rails/rails/tree/main/activesupport").as_deref(),
            Some("https://github.com/rails/rails")
        );
    }

    #[test]
    fn code_hosts() {
        assert!(is_code_host("https://github.com/o/r"));
        assert!(is_code_host("https://www.gitlab.com/g/r"));
        assert!(!is_code_host("https://pygments.org"));
        assert!(!is_code_host("not a url"));
    }
}
