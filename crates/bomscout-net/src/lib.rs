//! bomscout's one HTTP client and its one cache directory.
//!
//! Everything bomscout fetches from a network goes through [`Client`]: advisory databases
//! today, enrichment sources later. Nothing in bomscout connects anywhere unless a command
//! asks for it (`bomscout advisories update`); scanning never does.
//!
//! What the client guarantees:
//!
//! - **Timeouts**: a connect timeout, and a read timeout that bounds the wait for the response
//!   head and for every chunk of the body (a stalled server cannot hang a nightly job).
//! - **Bounded retries**: a `429` or `5xx` answer, a connection error, a timeout or a body cut
//!   short is retried at most [`ClientConfig::attempts`]` - 1` times, with exponential backoff
//!   (`backoff_base`, doubled each time, capped at `max_backoff`). A `Retry-After` header
//!   (seconds or an HTTP date) replaces the backoff; a server asking for more than
//!   `max_retry_after` is not retried at all (the error says when to try again) rather than
//!   hammered early.
//! - **A User-Agent naming bomscout** and its version.
//! - **Conditional, validated, atomic downloads** ([`Client::download`]): the `ETag` and
//!   `Last-Modified` of the last download are kept in a sidecar beside the file ([`Sidecar`])
//!   and sent back as `If-None-Match` / `If-Modified-Since`, so an unchanged file costs one
//!   small `304` response. A new body is written to a temporary file in the destination's
//!   directory, checked against the announced length, synced, handed to a caller-supplied
//!   validation (for zip exports: [`zipcheck::check_zip`]) and only then renamed over the
//!   previous copy. A failed, truncated or corrupt download never replaces what was there.
//!
//! - **Any request** ([`Client::send`]): PUT and POST with a JSON or `multipart/form-data`
//!   body, extra headers (a secret one, an API key, never shown), the answer handed back
//!   whatever its status, with the same retries.
//!
//! TLS is rustls with the `ring` provider (no OpenSSL); the trusted roots are Mozilla's,
//! bundled, plus the PEM bundle named by `SSL_CERT_FILE` when that is set (a company mirror
//! signed by an internal CA). Proxies come from the usual `HTTPS_PROXY` / `NO_PROXY` variables.
//!
//! The cache directory is chosen by [`cache::cache_dir`]: `--cache-dir`, then
//! `BOMSCOUT_CACHE_DIR`, then the platform's cache directory plus `bomscout`.
#![deny(missing_docs)]

pub mod cache;
mod client;
mod error;
pub mod retry;
pub mod send;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
pub mod zipcheck;

pub use cache::Sidecar;
pub use client::{join_url, redact_url, Client, ClientConfig, Fetched};
pub use error::NetError;
pub use send::{Answer, FormPart, Header, Method, Outgoing, Payload};

/// The User-Agent bomscout sends: `bomscout/VERSION (+what it is)`.
pub fn user_agent(version: &str) -> String {
    format!("bomscout/{version} (SBOM and advisory scanner)")
}
