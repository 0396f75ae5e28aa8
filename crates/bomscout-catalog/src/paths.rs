//! Relative paths as the parsers use them: `/`-separated, relative to the scan root, `.` for
//! the root itself.

/// The directory part of a relative path (`.` for a file at the root).
pub fn dir_of(path: &str) -> &str {
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
        assert_eq!(dir_of("uv.lock"), ".");
        assert_eq!(dir_of("a/b/uv.lock"), "a/b");
        assert_eq!(join_dir(".", "."), ".");
        assert_eq!(join_dir("a", "./pkg/x"), "a/pkg/x");
        assert_eq!(join_dir(".", "pkg"), "pkg");
    }
}
