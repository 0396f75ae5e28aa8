//! Non-fatal problems: a file that could not be parsed, a directory that could not be read.

use crate::escape::printable;
use serde::{Deserialize, Serialize};
use std::fmt;

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    /// Something was found but may be incomplete (e.g. no license source available).
    Info,
    /// Part of the input was skipped (an entry of a lockfile, an unreadable directory).
    Warning,
    /// A whole file could not be used. `--strict` turns these into exit code 2.
    Error,
}

/// A problem with the input, tied to the file (and line) it concerns.
///
/// Bad input is data, not a crash: parsers return these and the scan goes on.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Diagnostic {
    /// Path relative to the scan root (or as given, for walk errors).
    pub path: String,
    /// 1-based line, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// How bad it is.
    pub severity: Severity,
    /// What went wrong, and what to do about it where that is known.
    pub message: String,
}

impl Diagnostic {
    /// A diagnostic of `severity` about `path`.
    pub fn new(severity: Severity, path: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            path: path.into(),
            line: None,
            severity,
            message: message.into(),
        }
    }

    /// A warning about `path`.
    pub fn warning(path: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic::new(Severity::Warning, path, message)
    }

    /// An error about `path`: the file could not be used.
    pub fn error(path: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic::new(Severity::Error, path, message)
    }

    /// Sets the 1-based line (builder style).
    pub fn at_line(mut self, line: u32) -> Self {
        self.line = Some(line);
        self
    }
}

/// One line per diagnostic: the path and message come from the scanned tree (a directory
/// may be named `x\nerror: fake.json: all good`), so both are shown through
/// [`printable`](crate::escape::printable) and can never start a line of their own or
/// drive the terminal.
impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sev = match self.severity {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        };
        let (path, message) = (printable(&self.path), printable(&self.message));
        match self.line {
            Some(line) => write!(f, "{sev}: {path}:{line}: {message}"),
            None => write!(f, "{sev}: {path}: {message}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_or_message_cannot_forge_a_line() {
        let d = Diagnostic::error("x\nerror: fake.json: all good/package.json", "bad\r\x1b[2K")
            .at_line(3);
        let shown = d.to_string();
        assert_eq!(
            shown,
            "error: x\\nerror: fake.json: all good/package.json:3: bad\\r\\x1b[2K"
        );
        assert!(!shown.chars().any(char::is_control));
        let plain = Diagnostic::warning("a/b.json", "skipped");
        assert_eq!(plain.to_string(), "warning: a/b.json: skipped");
    }
}
