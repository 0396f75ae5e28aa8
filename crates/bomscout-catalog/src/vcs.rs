//! Version-control source URLs as purl `vcs_url` qualifiers.

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

#[cfg(test)]
mod tests {
    use super::*;

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
