//! Source repository URLs as registries write them, made comparable: `git+https://…`,
//! `git://…`, `ssh://git@…`, `git@github.com:o/r.git`, `scm:git:…` (Maven), a trailing
//! `.git`, `/tree/main`, `#readme`: all become `https://host/owner/repo`.

/// Hosts whose repository URLs are `https://host/owner/repo`, anything after that being a
/// path inside the repository.
const FORGES: [&str; 4] = ["github.com", "gitlab.com", "bitbucket.org", "codeberg.org"];

/// The normalized `https://` URL of a source repository, or `None` when `raw` does not look
/// like one (an empty string, a mail address, a bare word).
pub fn normalize(raw: &str) -> Option<String> {
    let mut s = raw.trim();
    for prefix in ["scm:git:", "scm:svn:", "scm:hg:", "scm:", "git+", "hg+"] {
        if let Some(rest) = s.strip_prefix(prefix) {
            s = rest;
        }
    }
    let s = s.split('#').next().unwrap_or("");
    // A query names the repository only on gitweb-style hosts (`?p=name.git`): kept there.
    let (s, query) = match s.split_once('?') {
        Some((s, q)) => (s, Some(q)),
        None => (s, None),
    };
    // `git@github.com:owner/repo.git`
    let (host, path) = if let Some(rest) = s.strip_prefix("git@") {
        rest.split_once(':')?
    } else {
        let rest = ["https://", "http://", "git://", "ssh://", "git+ssh://"]
            .iter()
            .find_map(|p| s.strip_prefix(p))?;
        let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
        let host = authority.rsplit('@').next().unwrap_or(authority);
        let host = host.split(':').next().unwrap_or(host);
        (host, path)
    };
    let host = host.trim().to_ascii_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host).to_string();
    if host.is_empty() || !host.contains('.') || host.contains(char::is_whitespace) {
        return None;
    }
    let segments: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
    let forge = FORGES.contains(&host.as_str());
    let segments = if forge {
        if segments.len() < 2 {
            return None;
        }
        segments[..2].to_vec()
    } else {
        segments
    };
    let mut url = format!("https://{host}");
    for segment in segments {
        url.push('/');
        url.push_str(segment);
    }
    let mut url = url.trim_end_matches(".git").to_string();
    if let Some(query) = query.filter(|q| !forge && q.starts_with("p=")) {
        url.push('?');
        url.push_str(query);
    }
    Some(url)
}

/// Like [`normalize`], but only for a repository on a known forge: for a homepage, which
/// is as often a website as a repository.
pub fn forge(raw: &str) -> Option<String> {
    normalize(raw).filter(|url| {
        FORGES.iter().any(|host| {
            url.strip_prefix("https://")
                .is_some_and(|r| r.starts_with(&format!("{host}/")))
        })
    })
}

#[cfg(test)]
mod tests {
    use super::{forge, normalize};

    #[test]
    fn forms_seen_in_registries() {
        for raw in [
            "https://github.com/rack/rack-test",
            "git+https://github.com/rack/rack-test.git",
            "git://github.com/rack/rack-test.git",
            "git@github.com:rack/rack-test.git",
            "ssh://git@github.com/rack/rack-test.git",
            "scm:git:https://github.com/rack/rack-test.git",
            "https://github.com/rack/rack-test/tree/main",
            "https://www.github.com/rack/rack-test#readme",
            " http://github.com/rack/rack-test/ ",
        ] {
            assert_eq!(
                normalize(raw).as_deref(),
                Some("https://github.com/rack/rack-test"),
                "{raw}"
            );
        }
        assert_eq!(
            normalize("https://gitbox.apache.org/repos/asf?p=commons-io.git").as_deref(),
            Some("https://gitbox.apache.org/repos/asf?p=commons-io.git")
        );
    }

    #[test]
    fn homepages_count_only_on_forges() {
        assert_eq!(forge("https://rubyonrails.org"), None);
        assert_eq!(
            forge("https://github.com/rails/rails/tree/main/activesupport").as_deref(),
            Some("https://github.com/rails/rails")
        );
    }

    #[test]
    fn not_repositories() {
        for raw in [
            "",
            "none",
            "https://github.com/rack",
            "mailto:a@b.c",
            "git@x",
        ] {
            assert_eq!(normalize(raw), None, "{raw}");
        }
    }
}
