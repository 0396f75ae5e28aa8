//! Small helpers shared by the Python lockfile parsers.

/// The directory part of a relative path (`.` for a file at the root).
pub fn lock_dir(path: &str) -> &str {
    path.rsplit_once('/').map(|(d, _)| d).unwrap_or(".")
}

/// `dir` joined with a relative `sub` directory (`.` and `./` mean `dir` itself).
pub fn join_dir(dir: &str, sub: &str) -> String {
    let sub = sub.trim_start_matches("./").trim_end_matches('/');
    match (dir, sub) {
        (_, "" | ".") => dir.to_string(),
        (".", s) => s.to_string(),
        (d, s) => format!("{d}/{s}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dirs() {
        assert_eq!(lock_dir("uv.lock"), ".");
        assert_eq!(lock_dir("a/b/uv.lock"), "a/b");
        assert_eq!(join_dir(".", "."), ".");
        assert_eq!(join_dir("a", "./pkg/x"), "a/pkg/x");
        assert_eq!(join_dir(".", "pkg"), "pkg");
    }
}
