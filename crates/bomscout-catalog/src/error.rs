//! The one error type every parser returns.

/// Why a file could not be parsed at all. Partial problems (one bad entry) are not errors:
/// parsers record them as diagnostics in the catalog and go on.
#[derive(Debug, thiserror::Error)]
pub enum ParseError {
    /// The file is not valid JSON.
    #[error("invalid JSON at line {line}, column {column}: {message}")]
    Json {
        /// 1-based line.
        line: u32,
        /// 1-based column.
        column: u32,
        /// What serde_json said.
        message: String,
    },
    /// The file is not valid TOML.
    #[error("invalid TOML{}: {message}", line.map(|l| format!(" at line {l}")).unwrap_or_default())]
    Toml {
        /// 1-based line, when the TOML parser gave a span.
        line: Option<u32>,
        /// What the TOML parser said.
        message: String,
    },
    /// The file is not UTF-8 text.
    #[error("not UTF-8 text (invalid byte at line {line})")]
    NotUtf8 {
        /// 1-based line of the first invalid byte.
        line: u32,
    },
    /// The file parsed but does not have the shape its format requires.
    #[error("{message}")]
    Format {
        /// 1-based line, when known.
        line: Option<u32>,
        /// What is wrong, and where.
        message: String,
    },
}

impl ParseError {
    /// The 1-based line the error is at, when known.
    pub fn line(&self) -> Option<u32> {
        match self {
            ParseError::Json { line, .. } | ParseError::NotUtf8 { line } => Some(*line),
            ParseError::Toml { line, .. } | ParseError::Format { line, .. } => *line,
        }
    }

    /// A format error without a line.
    pub fn format(message: impl Into<String>) -> ParseError {
        ParseError::Format {
            line: None,
            message: message.into(),
        }
    }

    /// A TOML error, with the line computed from the error's byte span in `text`.
    pub fn toml(text: &str, err: &toml::de::Error) -> ParseError {
        ParseError::Toml {
            line: err.span().map(|s| crate::text::line_of(text, s.start)),
            message: err.message().to_string(),
        }
    }
}

impl From<serde_json::Error> for ParseError {
    fn from(e: serde_json::Error) -> Self {
        // serde_json's message ends with its own " at line L column C"; ours says it once.
        let text = e.to_string();
        let message = match text.rfind(" at line ") {
            Some(i) => text.get(..i).unwrap_or_default().to_string(),
            None => text,
        };
        ParseError::Json {
            line: e.line() as u32,
            column: e.column() as u32,
            message,
        }
    }
}
