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

/// True for a single plain path segment (a package name used as a directory name): not
/// empty, not `.` or `..`, no separator. A lockfile naming `../x` must not steer reads
/// out of the directory it names.
pub fn is_plain_name(name: &str) -> bool {
    !name.is_empty() && name != "." && name != ".." && !name.contains(['/', '\\', '\0'])
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

    #[test]
    fn plain_names() {
        for n in ["jason", "GRDB.swift", "http-1.1.0"] {
            assert!(is_plain_name(n), "{n}");
        }
        for n in ["", ".", "..", "../x", "a/b", "a\\b"] {
            assert!(!is_plain_name(n), "{n}");
        }
    }
}
