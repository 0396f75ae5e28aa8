//! The crate's one error type.

use std::path::PathBuf;
use std::time::Duration;

/// What went wrong fetching something or keeping it in the cache. Each message names the URL
/// or the file, and what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum NetError {
    /// The URL could not be parsed or is not http(s).
    #[error(
        "{url}: not a usable http(s) URL ({reason}); give a URL such as https://mirror.example/osv"
    )]
    BadUrl {
        /// The URL as given (quoted, bounded).
        url: String,
        /// Why.
        reason: String,
    },
    /// The HTTP client could not be built (TLS set-up, an unreadable `SSL_CERT_FILE`).
    #[error("cannot set up the HTTP client: {0}")]
    Setup(String),
    /// The server answered with a status that is not success, not retried or still failing
    /// after the last attempt.
    #[error("{url}: the server answered {status}{after}{hint}")]
    Status {
        /// The URL asked.
        url: String,
        /// The HTTP status code (`404`), for callers that treat some codes as answers.
        code: u16,
        /// The HTTP status, e.g. `404 Not Found`.
        status: String,
        /// ` after N attempts`, when retried.
        after: String,
        /// What to do.
        hint: &'static str,
    },
    /// The server asked to wait longer than this client waits.
    #[error(
        "{url}: the server asked to retry after {} s, more than the {} s this client waits; try again later",
        wait.as_secs(),
        limit.as_secs()
    )]
    RetryAfterTooLong {
        /// The URL asked.
        url: String,
        /// What the server asked for.
        wait: Duration,
        /// The client's limit.
        limit: Duration,
    },
    /// No answer: connection refused, timeout, TLS failure, body cut short; after every attempt.
    #[error("{url}: {reason} (after {attempts} attempt{s}); check the network, a proxy (HTTPS_PROXY) or the URL", s = if *attempts == 1 { "" } else { "s" })]
    Transport {
        /// The URL asked.
        url: String,
        /// The last failure.
        reason: String,
        /// How many attempts were made.
        attempts: u32,
    },
    /// The body is larger than the limit.
    #[error("{url}: the download exceeds {limit} bytes, the most this client accepts; is the URL right?")]
    TooLarge {
        /// The URL asked.
        url: String,
        /// The limit in bytes.
        limit: u64,
    },
    /// The downloaded file failed the caller's validation; the previous copy is kept.
    #[error("{url}: the download is not valid ({reason}); {} was left as it was", dest.display())]
    Invalid {
        /// The URL asked.
        url: String,
        /// The file that was not replaced.
        dest: PathBuf,
        /// What the validation said.
        reason: String,
    },
    /// A local file operation failed.
    #[error("{}: {action}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// What was being done (`create directory`, `write`, `replace`...).
        action: &'static str,
        /// The cause.
        source: std::io::Error,
    },
    /// The caller's deadline passed before an answer came (a request is not started, and a
    /// retry not waited for, past it).
    #[error(
        "{url}: no answer within the time budget; raise it (--enrich-timeout) or try again later"
    )]
    OutOfTime {
        /// The URL asked.
        url: String,
    },
    /// A request header's name or value has characters HTTP does not allow (the value, which
    /// may be a credential, is never shown).
    #[error("the {name} header cannot be sent: it has characters HTTP does not allow in a header (line breaks, non-ASCII); check its value")]
    BadHeader {
        /// The header's name (quoted, bounded).
        name: String,
    },
    /// No cache directory could be found.
    #[error("no cache directory: this platform has none; give --cache-dir DIR or set BOMSCOUT_CACHE_DIR")]
    NoCacheDir,
}

impl NetError {
    /// The same error again (a `NetError` is not `Clone`: an `io::Error` is not). A batch
    /// request that failed as a whole fails each of its keys with this.
    pub fn duplicate(&self) -> NetError {
        match self {
            NetError::BadUrl { url, reason } => NetError::BadUrl {
                url: url.clone(),
                reason: reason.clone(),
            },
            NetError::Setup(s) => NetError::Setup(s.clone()),
            NetError::Status {
                url,
                code,
                status,
                after,
                hint,
            } => NetError::Status {
                url: url.clone(),
                code: *code,
                status: status.clone(),
                after: after.clone(),
                hint,
            },
            NetError::RetryAfterTooLong { url, wait, limit } => NetError::RetryAfterTooLong {
                url: url.clone(),
                wait: *wait,
                limit: *limit,
            },
            NetError::Transport {
                url,
                reason,
                attempts,
            } => NetError::Transport {
                url: url.clone(),
                reason: reason.clone(),
                attempts: *attempts,
            },
            NetError::TooLarge { url, limit } => NetError::TooLarge {
                url: url.clone(),
                limit: *limit,
            },
            NetError::Invalid { url, dest, reason } => NetError::Invalid {
                url: url.clone(),
                dest: dest.clone(),
                reason: reason.clone(),
            },
            NetError::Io {
                path,
                action,
                source,
            } => NetError::Io {
                path: path.clone(),
                action,
                source: std::io::Error::new(source.kind(), source.to_string()),
            },
            NetError::OutOfTime { url } => NetError::OutOfTime { url: url.clone() },
            NetError::BadHeader { name } => NetError::BadHeader { name: name.clone() },
            NetError::NoCacheDir => NetError::NoCacheDir,
        }
    }

    /// True for `404 Not Found` and `410 Gone`: the server knows nothing at this URL. An
    /// enrichment source reads that as an answer ("not found"), not as a failure.
    pub fn is_not_found(&self) -> bool {
        matches!(
            self,
            NetError::Status {
                code: 404 | 410,
                ..
            }
        )
    }

    /// True when the request ran out of the caller's time budget ([`crate::Client::request`]).
    pub fn is_out_of_time(&self) -> bool {
        matches!(self, NetError::OutOfTime { .. })
    }

    pub(crate) fn io(
        path: impl Into<PathBuf>,
        action: &'static str,
        source: std::io::Error,
    ) -> Self {
        NetError::Io {
            path: path.into(),
            action,
            source,
        }
    }
}
