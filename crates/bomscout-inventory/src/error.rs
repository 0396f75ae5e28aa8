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
    /// A statement failed.
    #[error("database error: {0}")]
    Sql(#[from] rusqlite::Error),
    /// A query was asked for something that does not exist or does not parse.
    #[error("{0}")]
    Query(String),
}

impl Error {
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
