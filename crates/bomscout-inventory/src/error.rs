//! The inventory's error type.

use std::path::PathBuf;

/// Why an inventory operation failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The database file could not be opened or is not a bomscout inventory.
    #[error("{}: {message}", path.display())]
    Open {
        /// The file.
        path: PathBuf,
        /// What went wrong, in words.
        message: String,
    },
    /// A PostgreSQL database could not be reached or is not a bomscout inventory.
    #[error("{url}: {message}")]
    Connect {
        /// The URL, its password redacted.
        url: String,
        /// What went wrong, in words.
        message: String,
    },
    /// A statement failed.
    #[error("database error: {0}")]
    Sql(#[from] rusqlite::Error),
    /// A PostgreSQL statement failed.
    #[error("database error: {}", pg_message(.0))]
    Postgres(#[from] postgres::Error),
    /// A query was asked for something that does not exist or does not parse.
    #[error("{0}")]
    Query(String),
}

/// A PostgreSQL error with its SQLSTATE, detail and hint when the server sent them.
fn pg_message(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => {
            let mut m = format!("{} ({})", db.message(), db.code().code());
            if let Some(d) = db.detail() {
                m.push_str(&format!("; {d}"));
            }
            if let Some(h) = db.hint() {
                m.push_str(&format!("; {h}"));
            }
            m
        }
        None => e.to_string(),
    }
}

impl Error {
    /// True for a PostgreSQL deadlock or serialization failure: the transaction may be
    /// retried as a whole.
    pub(crate) fn is_retryable(&self) -> bool {
        use postgres::error::SqlState;
        match self {
            Error::Postgres(e) => matches!(
                e.code(),
                Some(c) if *c == SqlState::T_R_DEADLOCK_DETECTED
                    || *c == SqlState::T_R_SERIALIZATION_FAILURE
            ),
            _ => false,
        }
    }

    /// Explains the SQLite errors people meet opening a file: not a database, locked.
    pub(crate) fn open(path: &std::path::Path, err: rusqlite::Error) -> Error {
        use rusqlite::ErrorCode;
        let message = match err.sqlite_error_code() {
            Some(ErrorCode::NotADatabase) => {
                "not a SQLite database (corrupt, or another kind of file)".to_string()
            }
            Some(ErrorCode::DatabaseCorrupt) => "the database file is corrupt".to_string(),
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => {
                "the database is locked by another process; try again when it has finished"
                    .to_string()
            }
            Some(ErrorCode::CannotOpen) => "cannot open the file".to_string(),
            Some(ErrorCode::ReadOnly) => "the file is read-only".to_string(),
            _ => err.to_string(),
        };
        Error::Open {
            path: path.to_path_buf(),
            message,
        }
    }
}
