//! The one trait every source implements, and the HTTP access they share.

use crate::{Answer, Coordinates};
use bomscout_core::{Ecosystem, SourceKind};
use bomscout_net::{Client, NetError};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

/// A service that knows facts about packages: a registry, ClearlyDefined, deps.dev.
///
/// Each method answers a whole batch, in the order given, one result per key: a source
/// that can batch (`batch_size() > 1`) sends one request for the batch, the others one per
/// key. A `404` is an answer ([`Answer::NotFound`]), not an error; an error is a failure to
/// get any answer (the engine reports it and leaves the package unenriched).
pub trait Source: Send + Sync {
    /// The source's short, stable name: `npm`, `pypi`, `crates`, `rubygems`, `nuget`,
    /// `packagist`, `pub`, `hex`, `maven`, `goproxy`, `clearlydefined`, `depsdev`. It names
    /// the source in messages and in the cache, and its URL option (`--npm-url`).
    fn name(&self) -> &'static str;

    /// The kind of evidence its licenses are (which decides precedence).
    fn kind(&self) -> SourceKind;

    /// Whether it knows packages of `ecosystem`.
    fn supports(&self, ecosystem: Ecosystem) -> bool;

    /// How many keys one request may carry; 1 when the service has no batch endpoint.
    fn batch_size(&self) -> usize {
        1
    }

    /// Facts about each version: licenses, supplier, repository, publication date. These
    /// never change for a published version, so the engine caches them for good.
    fn versions(&self, http: &Http, packages: &[Coordinates]) -> Vec<Result<Answer, SourceError>>;

    /// Facts about each package as a whole (versions are `None`): its latest release and
    /// that release's date. These change, so they expire from the cache. `None` when the
    /// source has no such answer.
    fn packages(
        &self,
        http: &Http,
        packages: &[Coordinates],
    ) -> Option<Vec<Result<Answer, SourceError>>> {
        let _ = (http, packages);
        None
    }

    /// Facts about source repositories (`https://github.com/o/r`): the OpenSSF Scorecard,
    /// whether archived. These change, so they expire from the cache. `None` when the source
    /// has no such answer.
    fn projects(
        &self,
        http: &Http,
        repositories: &[String],
    ) -> Option<Vec<Result<Answer, SourceError>>> {
        let _ = (http, repositories);
        None
    }
}

/// Why a source gave no answer for a key.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// The request failed (after retries): unreachable, timed out, `5xx`, too large...
    #[error(transparent)]
    Net(#[from] NetError),
    /// The service answered with something that is not what its API documents.
    #[error("{url}: unexpected answer ({reason}); is the URL a {what} endpoint?")]
    Malformed {
        /// The URL asked.
        url: String,
        /// What was wrong.
        reason: String,
        /// What kind of endpoint was expected (`deps.dev API v3`).
        what: &'static str,
    },
    /// The coordinates cannot be asked about here (a Maven artifact without a group...).
    #[error("{0}")]
    Unaskable(String),
}

impl SourceError {
    /// True when the time budget ran out (the engine stops asking and says so once).
    pub fn is_out_of_time(&self) -> bool {
        matches!(self, SourceError::Net(e) if e.is_out_of_time())
    }

    /// The same error again, for each key of a batch that failed as a whole.
    pub fn duplicate(&self) -> SourceError {
        match self {
            SourceError::Net(n) => SourceError::Net(n.duplicate()),
            SourceError::Malformed { url, reason, what } => SourceError::Malformed {
                url: url.clone(),
                reason: reason.clone(),
                what,
            },
            SourceError::Unaskable(s) => SourceError::Unaskable(s.clone()),
        }
    }
}

/// Answers a batch of `keys` with one request: `askable` turns each key into what the
/// service is asked (or the reason it cannot be, for that key alone), `ask` answers the
/// askable ones in their order, and each answer goes back to its key's place. A request
/// that fails as a whole fails every askable key with its error.
pub(crate) fn fan_out<K, Q>(
    keys: &[K],
    askable: impl Fn(&K) -> Result<Q, SourceError>,
    ask: impl FnOnce(&[Q]) -> Result<Vec<Result<Answer, SourceError>>, SourceError>,
) -> Vec<Result<Answer, SourceError>> {
    let mut out: Vec<Option<Result<Answer, SourceError>>> = Vec::with_capacity(keys.len());
    let (mut asked, mut places) = (Vec::new(), Vec::new());
    for key in keys {
        match askable(key) {
            Ok(q) => {
                places.push(out.len());
                asked.push(q);
                out.push(None);
            }
            Err(e) => out.push(Some(Err(e))),
        }
    }
    if !asked.is_empty() {
        let answers = match ask(&asked) {
            Ok(answers) => answers,
            Err(e) => asked.iter().map(|_| Err(e.duplicate())).collect(),
        };
        for (place, answer) in places.into_iter().zip(answers) {
            out[place] = Some(answer);
        }
    }
    out.into_iter()
        .map(|a| a.unwrap_or_else(|| Err(SourceError::Unaskable("not asked".into()))))
        .collect()
}

/// The largest JSON or XML answer accepted (a registry's document for one package can be
/// large: npm's full document for a package with thousands of versions).
pub const DOCUMENT_LIMIT: u64 = 32 * 1024 * 1024;

/// HTTP access for sources: the shared client (connections reused), the run's deadline,
/// and `404` read as "not found".
#[derive(Debug, Clone)]
pub struct Http {
    client: Client,
    deadline: Option<Instant>,
    /// Requests sent through this access and its clones (retries not counted).
    requests: Arc<AtomicUsize>,
}

impl Http {
    /// Access through `client`, with no request started past `deadline`.
    pub fn new(client: Client, deadline: Option<Instant>) -> Http {
        Http {
            client,
            deadline,
            requests: Arc::new(AtomicUsize::new(0)),
        }
    }

    /// How many requests were sent through this access and its clones (retries not
    /// counted).
    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::Relaxed)
    }

    /// The deadline in force.
    pub fn deadline(&self) -> Option<Instant> {
        self.deadline
    }

    /// GETs `url`; `Ok(None)` on `404`/`410`; fails past `limit` bytes.
    pub fn get_bytes(&self, url: &str, limit: u64) -> Result<Option<Vec<u8>>, SourceError> {
        self.requests.fetch_add(1, Ordering::Relaxed);
        not_found_as_none(self.client.request(url, None, limit, self.deadline))
    }

    /// GETs `url` and parses it as JSON `T`; `Ok(None)` on `404`/`410`.
    pub fn get_json<T: DeserializeOwned>(
        &self,
        url: &str,
        what: &'static str,
    ) -> Result<Option<T>, SourceError> {
        match self.get_bytes(url, DOCUMENT_LIMIT)? {
            Some(bytes) => parse_json(url, &bytes, what).map(Some),
            None => Ok(None),
        }
    }

    /// POSTs `body` as JSON to `url` and parses the answer as JSON `T`; `Ok(None)` on
    /// `404`/`410`.
    pub fn post_json<B: Serialize, T: DeserializeOwned>(
        &self,
        url: &str,
        body: &B,
        what: &'static str,
    ) -> Result<Option<T>, SourceError> {
        let body = serde_json::to_vec(body).map_err(|e| SourceError::Malformed {
            url: url.to_string(),
            reason: format!("cannot encode the request: {e}"),
            what,
        })?;
        self.requests.fetch_add(1, Ordering::Relaxed);
        match not_found_as_none(self.client.request(
            url,
            Some(&body),
            DOCUMENT_LIMIT,
            self.deadline,
        ))? {
            Some(bytes) => parse_json(url, &bytes, what).map(Some),
            None => Ok(None),
        }
    }
}

fn not_found_as_none(result: Result<Vec<u8>, NetError>) -> Result<Option<Vec<u8>>, SourceError> {
    match result {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.is_not_found() => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// Parses a JSON answer, naming the URL and the place of a syntax error.
pub fn parse_json<T: DeserializeOwned>(
    url: &str,
    bytes: &[u8],
    what: &'static str,
) -> Result<T, SourceError> {
    serde_json::from_slice(bytes).map_err(|e| SourceError::Malformed {
        url: bomscout_net::redact_url(url),
        reason: format!("not the JSON expected: {e}"),
        what,
    })
}
