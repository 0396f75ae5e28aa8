//! The HTTP client: timeouts, bounded retries, conditional and validated downloads.

use crate::cache::{now_rfc3339, parent_dir, Sidecar};
use crate::retry::{backoff, is_retryable_status, parse_retry_after};
use crate::send::{Answer, FormPart, Method, Outgoing, Payload};
use crate::NetError;
use reqwest::header::{
    HeaderMap, CONTENT_TYPE, ETAG, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED, RETRY_AFTER,
};
use std::fmt::Display;
use std::io::{Read, Write};
use std::path::Path;
use std::time::{Duration, Instant, SystemTime};

/// How the client behaves; [`ClientConfig::new`] gives the defaults.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// The User-Agent header (see [`crate::user_agent`]).
    pub user_agent: String,
    /// The longest wait for a connection (TCP and TLS).
    pub connect_timeout: Duration,
    /// The longest wait for the response head, and for each read of the body.
    pub read_timeout: Duration,
    /// Attempts in all, the first included (at least 1).
    pub attempts: u32,
    /// The first backoff; doubled on each further retry.
    pub backoff_base: Duration,
    /// The longest backoff.
    pub max_backoff: Duration,
    /// The longest `Retry-After` honoured; a server asking for more is not retried.
    pub max_retry_after: Duration,
    /// The largest body accepted.
    pub max_bytes: u64,
}

impl ClientConfig {
    /// The defaults: connect 15 s, read 60 s, 4 attempts, backoff 1 s doubling up to 30 s,
    /// `Retry-After` up to 120 s, bodies up to 4 GiB.
    pub fn new(user_agent: impl Into<String>) -> Self {
        ClientConfig {
            user_agent: user_agent.into(),
            connect_timeout: Duration::from_secs(15),
            read_timeout: Duration::from_secs(60),
            attempts: 4,
            backoff_base: Duration::from_secs(1),
            max_backoff: Duration::from_secs(30),
            max_retry_after: Duration::from_secs(120),
            max_bytes: 4 * 1024 * 1024 * 1024,
        }
    }
}

/// The one HTTP client.
#[derive(Debug, Clone)]
pub struct Client {
    http: reqwest::blocking::Client,
    /// The same, following no redirect: [`Client::send`] carries credentials in headers
    /// that must not be forwarded to wherever a redirect points.
    direct: reqwest::blocking::Client,
    config: ClientConfig,
}

/// The result of [`Client::download`].
#[derive(Debug)]
pub enum Fetched<T> {
    /// A new copy was downloaded, validated and put in place.
    Updated {
        /// Its size in bytes.
        bytes: u64,
        /// What the validation returned.
        validated: T,
        /// The sidecar written beside it.
        sidecar: Sidecar,
    },
    /// The server said the copy in place is current (`304 Not Modified`).
    Unchanged {
        /// The sidecar, with its `checked_at` renewed.
        sidecar: Sidecar,
    },
}

/// The outcome of one attempt.
enum Step<T> {
    Done(T),
    Retry {
        failure: Failure,
        wait: Option<Duration>,
    },
}

/// Why an attempt failed, for the error after the last one.
enum Failure {
    Status(u16, String),
    Transport(String),
}

/// A `200` body saved to a temporary file.
struct Body {
    file: tempfile::NamedTempFile,
    bytes: u64,
    etag: Option<String>,
    last_modified: Option<String>,
}

/// The most bytes of a validator header (ETag, Last-Modified) kept.
const VALIDATOR_LIMIT: usize = 1024;

impl Client {
    /// Builds the client. Fails only on TLS set-up (an unreadable `SSL_CERT_FILE`).
    pub fn new(config: ClientConfig) -> Result<Self, NetError> {
        let mut roots = Vec::new();
        if let Some(path) = std::env::var_os("SSL_CERT_FILE").filter(|p| !p.is_empty()) {
            let path = std::path::PathBuf::from(path);
            let mut pem = Vec::new();
            std::fs::File::open(&path)
                .and_then(|f| f.take(16 * 1024 * 1024).read_to_end(&mut pem))
                .map_err(|e| NetError::Setup(format!("SSL_CERT_FILE={}: {e}", path.display())))?;
            let certs = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| {
                NetError::Setup(format!(
                    "SSL_CERT_FILE={}: not a PEM certificate bundle: {e}",
                    path.display()
                ))
            })?;
            roots = certs;
        }
        let build = |redirects: reqwest::redirect::Policy| {
            let mut builder = reqwest::blocking::Client::builder()
                .user_agent(config.user_agent.clone())
                .connect_timeout(config.connect_timeout)
                .timeout(config.read_timeout)
                .redirect(redirects);
            for cert in &roots {
                builder = builder.add_root_certificate(cert.clone());
            }
            builder.build().map_err(|e| NetError::Setup(describe(&e)))
        };
        let http = build(reqwest::redirect::Policy::limited(10))?;
        let direct = build(reqwest::redirect::Policy::none())?;
        Ok(Client {
            http,
            direct,
            config,
        })
    }

    /// The configuration in force.
    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    /// GETs `url` into memory, with retries; fails past `limit` bytes.
    pub fn get_bytes(&self, url: &str, limit: u64) -> Result<Vec<u8>, NetError> {
        self.request(url, None, limit, None)
    }

    /// GETs `url` (or, with `json`, POSTs that JSON body to it) into memory, with retries,
    /// failing past `limit` bytes. With a `deadline`, no attempt starts and no retry is waited
    /// for past it, and each attempt's timeout is cut to the time left: the caller's time
    /// budget holds whatever the server does ([`NetError::OutOfTime`] when nothing could
    /// be tried). Redirects are followed up to 10 hops; a loop is an error, not retried.
    pub fn request(
        &self,
        url: &str,
        json: Option<&[u8]>,
        limit: u64,
        deadline: Option<Instant>,
    ) -> Result<Vec<u8>, NetError> {
        let url = checked_url(url)?;
        let shown = redact_url(&url);
        self.with_retries(&shown, deadline, |_, timeout| {
            let mut request = match json {
                Some(body) => self
                    .http
                    .post(&url)
                    .header(CONTENT_TYPE, "application/json")
                    .body(body.to_vec()),
                None => self.http.get(&url),
            };
            if let Some(timeout) = timeout {
                request = request.timeout(timeout);
            }
            let resp = match answered(request.send(), &shown)? {
                Ok(resp) => resp,
                Err(retry) => return Ok(retry),
            };
            let status = resp.status();
            if !status.is_success() {
                return Err(status_error(&shown, status));
            }
            if resp.content_length().is_some_and(|n| n > limit) {
                return Err(NetError::TooLarge {
                    url: shown.clone(),
                    limit,
                });
            }
            let mut out = Vec::new();
            match resp.take(limit.saturating_add(1)).read_to_end(&mut out) {
                Ok(_) if out.len() as u64 > limit => Err(NetError::TooLarge {
                    url: shown.clone(),
                    limit,
                }),
                Ok(_) => Ok(Step::Done(out)),
                Err(e) => Ok(Step::Retry {
                    failure: Failure::Transport(format!("reading the body: {e}")),
                    wait: None,
                }),
            }
        })
    }

    /// Downloads `url` to `dest`: conditionally (when `dest` and its sidecar from the same URL
    /// exist), with retries, validated by `validate` (given the downloaded temporary file)
    /// before it atomically replaces `dest`. On any error `dest` and its sidecar are left as
    /// they were.
    pub fn download<T, E: Display>(
        &self,
        url: &str,
        dest: &Path,
        validate: impl FnOnce(&Path) -> Result<T, E>,
    ) -> Result<Fetched<T>, NetError> {
        let url = checked_url(url)?;
        // Messages and the sidecar never carry a password given in the URL.
        let shown = redact_url(&url);
        let dir = parent_dir(dest);
        std::fs::create_dir_all(dir).map_err(|e| NetError::io(dir, "create directory", e))?;
        let previous = Sidecar::read(dest).filter(|s| s.url == shown && dest.is_file());

        let body = self.with_retries(&shown, None, |_, _| {
            let mut request = self.http.get(&url);
            if let Some(prev) = &previous {
                if let Some(etag) = &prev.etag {
                    request = request.header(IF_NONE_MATCH, etag);
                }
                if let Some(date) = &prev.last_modified {
                    request = request.header(IF_MODIFIED_SINCE, date);
                }
            }
            let mut resp = match request.send() {
                Ok(resp) => resp,
                Err(e) => return Ok(transport(&e)),
            };
            let status = resp.status();
            if status == reqwest::StatusCode::NOT_MODIFIED && previous.is_some() {
                return Ok(Step::Done(None));
            }
            if is_retryable_status(status.as_u16()) {
                return Ok(retry_status(&resp));
            }
            if status != reqwest::StatusCode::OK {
                return Err(status_error(&shown, status));
            }
            Ok(match self.save_body(&shown, dir, &mut resp)? {
                Step::Done(body) => Step::Done(Some(body)),
                Step::Retry { failure, wait } => Step::Retry { failure, wait },
            })
        })?;

        let Some(body) = body else {
            // 304: the copy in place is current.
            let mut sidecar = previous.unwrap_or_else(|| Sidecar {
                url: shown.clone(),
                etag: None,
                last_modified: None,
                fetched_at: now_rfc3339(),
                checked_at: now_rfc3339(),
                bytes: 0,
            });
            sidecar.checked_at = now_rfc3339();
            sidecar.write(dest)?;
            return Ok(Fetched::Unchanged { sidecar });
        };

        let Body {
            file,
            bytes,
            etag,
            last_modified,
        } = body;
        file.as_file()
            .sync_all()
            .map_err(|e| NetError::io(file.path(), "sync", e))?;
        let validated = validate(file.path()).map_err(|e| NetError::Invalid {
            url: shown.clone(),
            dest: dest.to_path_buf(),
            reason: e.to_string(),
        })?;
        // The old sidecar goes first: a file is never paired with another file's validators.
        match std::fs::remove_file(Sidecar::path_for(dest)) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(NetError::io(Sidecar::path_for(dest), "remove", e)),
        }
        file.persist(dest)
            .map_err(|e| NetError::io(dest, "replace", e.error))?;
        sync_dir(dir);
        let now = now_rfc3339();
        let sidecar = Sidecar {
            url: shown,
            etag,
            last_modified,
            fetched_at: now.clone(),
            checked_at: now,
            bytes,
        };
        sidecar.write(dest)?;
        Ok(Fetched::Updated {
            bytes,
            validated,
            sidecar,
        })
    }

    /// Streams a `200` body into a temporary file in `dir`, bounded and checked against the
    /// announced length. A read failure is retried; a local write failure is not.
    fn save_body(
        &self,
        url: &str,
        dir: &Path,
        resp: &mut reqwest::blocking::Response,
    ) -> Result<Step<Body>, NetError> {
        let limit = self.config.max_bytes;
        let announced = resp.content_length();
        if announced.is_some_and(|n| n > limit) {
            return Err(NetError::TooLarge {
                url: url.to_string(),
                limit,
            });
        }
        let etag = validator(resp.headers(), &ETAG);
        let last_modified = validator(resp.headers(), &LAST_MODIFIED);
        let mut file = tempfile::Builder::new()
            .prefix(".download.")
            .suffix(".part")
            .tempfile_in(dir)
            .map_err(|e| NetError::io(dir, "create a temporary file in", e))?;
        let mut buf = vec![0u8; 64 * 1024];
        let mut bytes = 0u64;
        loop {
            let n = match resp.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    return Ok(Step::Retry {
                        failure: Failure::Transport(format!(
                            "the body broke off after {bytes} bytes: {e}"
                        )),
                        wait: None,
                    })
                }
            };
            bytes += n as u64;
            if bytes > limit {
                return Err(NetError::TooLarge {
                    url: url.to_string(),
                    limit,
                });
            }
            file.write_all(&buf[..n])
                .map_err(|e| NetError::io(file.path(), "write", e))?;
        }
        if let Some(expected) = announced.filter(|&n| n != bytes) {
            return Ok(Step::Retry {
                failure: Failure::Transport(format!(
                    "the body ended after {bytes} of the {expected} bytes announced"
                )),
                wait: None,
            });
        }
        file.flush()
            .map_err(|e| NetError::io(file.path(), "write", e))?;
        Ok(Step::Done(Body {
            file,
            bytes,
            etag,
            last_modified,
        }))
    }

    /// Runs `attempt` until it is done, fails for good, or the attempts (or the time to the
    /// `deadline`) are spent; sleeps the `Retry-After` or the backoff in between. `attempt`
    /// is given its number and, under a deadline, the time left.
    fn with_retries<T>(
        &self,
        url: &str,
        deadline: Option<Instant>,
        mut attempt: impl FnMut(u32, Option<Duration>) -> Result<Step<T>, NetError>,
    ) -> Result<T, NetError> {
        let attempts = self.config.attempts.max(1);
        let left = || deadline.map(|d| d.saturating_duration_since(Instant::now()));
        let mut n = 1;
        loop {
            let timeout = match left() {
                Some(t) if t.is_zero() => {
                    return Err(NetError::OutOfTime {
                        url: url.to_string(),
                    })
                }
                Some(t) => Some(t.min(self.config.read_timeout)),
                None => None,
            };
            let (failure, wait) = match attempt(n, timeout)? {
                Step::Done(value) => return Ok(value),
                Step::Retry { failure, wait } => (failure, wait),
            };
            let wait = match wait {
                Some(w) if w > self.config.max_retry_after => {
                    return Err(NetError::RetryAfterTooLong {
                        url: url.to_string(),
                        wait: w,
                        limit: self.config.max_retry_after,
                    })
                }
                Some(w) => w,
                None => backoff(n, self.config.backoff_base, self.config.max_backoff),
            };
            // The last attempt, or no time left to wait for another: the last failure stands.
            if n >= attempts || left().is_some_and(|t| t <= wait) {
                return Err(failure.into_error(url, n));
            }
            std::thread::sleep(wait);
            n += 1;
        }
    }
}

impl Client {
    /// Sends `req` with retries (a `408`, `429` or `5xx` answer, a connection error or a
    /// timeout is retried as for [`Client::request`]), and hands back any other answer,
    /// success or not, with at most `limit` bytes of its body: the caller reads a `401` or a
    /// `413` as the service documents it. Redirects are not followed: a `3xx` comes back as
    /// an answer, and a secret header is never forwarded to wherever it points, nor does it
    /// appear in an error.
    pub fn send(&self, req: &Outgoing<'_>, limit: u64) -> Result<Answer, NetError> {
        let url = checked_url(req.url)?;
        let shown = redact_url(&url);
        let mut headers = HeaderMap::new();
        for h in req.headers {
            let bad = || NetError::BadHeader {
                name: bomscout_core::escape::quote(h.name, 80),
            };
            let name =
                reqwest::header::HeaderName::from_bytes(h.name.as_bytes()).map_err(|_| bad())?;
            let mut value = reqwest::header::HeaderValue::from_str(h.value).map_err(|_| bad())?;
            value.set_sensitive(h.secret);
            headers.insert(name, value);
        }
        let method = match req.method {
            Method::Get => reqwest::Method::GET,
            Method::Put => reqwest::Method::PUT,
            Method::Post => reqwest::Method::POST,
        };
        self.with_retries(&shown, None, |_, _| {
            let mut request = self
                .direct
                .request(method.clone(), &url)
                .headers(headers.clone());
            request = match req.body {
                Payload::Empty => request,
                Payload::Json(body) => request
                    .header(CONTENT_TYPE, "application/json")
                    .body(body.to_vec()),
                Payload::Multipart(parts) => request.multipart(form(parts)?),
            };
            let resp = match answered(request.send(), &shown)? {
                Ok(resp) => resp,
                Err(retry) => return Ok(retry),
            };
            let status = resp.status().as_u16();
            let content_type = resp
                .headers()
                .get(CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string);
            let mut body = Vec::new();
            match resp.take(limit).read_to_end(&mut body) {
                Ok(_) => Ok(Step::Done(Answer {
                    status,
                    content_type,
                    body,
                })),
                Err(e) => Ok(Step::Retry {
                    failure: Failure::Transport(format!("reading the answer: {e}")),
                    wait: None,
                }),
            }
        })
    }
}

/// A reqwest form of `parts` (rebuilt for each attempt: a form is consumed when sent).
fn form(parts: &[FormPart<'_>]) -> Result<reqwest::blocking::multipart::Form, NetError> {
    let mut form = reqwest::blocking::multipart::Form::new();
    for p in parts {
        let mut part = reqwest::blocking::multipart::Part::bytes(p.value.to_vec());
        if let Some((file_name, content_type)) = p.file {
            part = part
                .file_name(file_name.to_string())
                .mime_str(content_type)
                .map_err(|_| NetError::BadHeader {
                    name: format!(
                        "Content-Type {} of form part {}",
                        bomscout_core::escape::quote(content_type, 80),
                        bomscout_core::escape::quote(p.name, 80)
                    ),
                })?;
        }
        form = form.part(p.name.to_string(), part);
    }
    Ok(form)
}

impl Failure {
    /// The error after `n` attempts ended in this failure.
    fn into_error(self, url: &str, n: u32) -> NetError {
        match self {
            Failure::Status(code, status) => NetError::Status {
                url: url.to_string(),
                code,
                status,
                after: if n > 1 {
                    format!(" after {n} attempts")
                } else {
                    String::new()
                },
                hint: "; the server is failing or busy: try again later",
            },
            Failure::Transport(reason) => NetError::Transport {
                url: url.to_string(),
                reason,
                attempts: n,
            },
        }
    }
}

/// `base` (an http(s) URL) with `segments` appended as path segments, each percent-encoded
/// (`GitHub Actions` becomes `GitHub%20Actions`); a trailing `/` on `base` is allowed.
/// A `.` or `..` segment (a package name or version from a hostile lockfile) is refused:
/// the URL parser would resolve it and ask another path than the one meant.
pub fn join_url(base: &str, segments: &[&str]) -> Result<String, NetError> {
    if let Some(dots) = segments.iter().find(|s| matches!(**s, "." | "..")) {
        return Err(NetError::BadUrl {
            url: bomscout_core::escape::quote(base, 200),
            reason: format!(
                "the path segment {} would leave the path meant; it is not a name or version",
                bomscout_core::escape::quote(dots, bomscout_core::escape::QUOTE_LIMIT)
            ),
        });
    }
    let mut url = reqwest::Url::parse(&checked_url(base)?).map_err(|e| NetError::BadUrl {
        url: bomscout_core::escape::quote(base, 200),
        reason: e.to_string(),
    })?;
    {
        let mut path = url.path_segments_mut().map_err(|()| NetError::BadUrl {
            url: bomscout_core::escape::quote(base, 200),
            reason: String::from("it cannot have a path"),
        })?;
        path.pop_if_empty();
        path.extend(segments);
    }
    Ok(url.to_string())
}

/// `url` with its password, if any, replaced by `***`, for messages and files.
pub fn redact_url(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        Ok(parsed) => parsed.to_string(),
        Err(_) => url.to_string(),
    }
}

/// Accepts only absolute http(s) URLs; returns the URL as given.
fn checked_url(url: &str) -> Result<String, NetError> {
    let bad = |reason: String| NetError::BadUrl {
        url: bomscout_core::escape::quote(&redact_url(url), 200),
        reason,
    };
    let parsed = reqwest::Url::parse(url).map_err(|e| bad(e.to_string()))?;
    match parsed.scheme() {
        "http" | "https" => Ok(parsed.to_string()),
        other => Err(bad(format!("scheme {other}"))),
    }
}

/// An attempt's response, or what ends the attempt: a redirect the client refused is final
/// (every retry would meet it again); a transport error or a retryable status (`408`, `429`,
/// `5xx`) is retried. The one reading of a sent request that [`Client::request`] and
/// [`Client::send`] share.
fn answered<T>(
    sent: reqwest::Result<reqwest::blocking::Response>,
    url: &str,
) -> Result<Result<reqwest::blocking::Response, Step<T>>, NetError> {
    let resp = match sent {
        Ok(resp) => resp,
        Err(e) if e.is_redirect() => {
            return Err(NetError::Transport {
                url: url.to_string(),
                reason: describe(&e),
                attempts: 1,
            })
        }
        Err(e) => return Ok(Err(transport(&e))),
    };
    if is_retryable_status(resp.status().as_u16()) {
        return Ok(Err(retry_status(&resp)));
    }
    Ok(Ok(resp))
}

fn transport<T>(e: &reqwest::Error) -> Step<T> {
    Step::Retry {
        failure: Failure::Transport(describe(e)),
        wait: None,
    }
}

fn retry_status<T>(resp: &reqwest::blocking::Response) -> Step<T> {
    let wait = resp
        .headers()
        .get(RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| parse_retry_after(v, SystemTime::now()));
    Step::Retry {
        failure: Failure::Status(resp.status().as_u16(), resp.status().to_string()),
        wait,
    }
}

fn status_error(url: &str, status: reqwest::StatusCode) -> NetError {
    let hint = match status.as_u16() {
        404 | 410 => {
            "; nothing is published at this URL: check the URL (or its --*-url option) and the name"
        }
        401 | 403 => "; the server refused access: check the URL and any proxy",
        _ => "",
    };
    NetError::Status {
        url: url.to_string(),
        code: status.as_u16(),
        status: status.to_string(),
        after: String::new(),
        hint,
    }
}

/// A reqwest error and its causes, without repeating the URL.
fn describe(e: &reqwest::Error) -> String {
    let mut text = if e.is_timeout() {
        String::from("timed out")
    } else if e.is_connect() {
        String::from("cannot connect")
    } else {
        String::from("request failed")
    };
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.ends_with(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

/// A validator header, if present, visible ASCII and not oversized.
fn validator(headers: &HeaderMap, name: &reqwest::header::HeaderName) -> Option<String> {
    let value = headers.get(name)?.to_str().ok()?;
    (!value.is_empty() && value.len() <= VALIDATOR_LIMIT).then(|| value.to_string())
}

/// Makes a rename durable (best effort: not every platform can open a directory).
fn sync_dir(dir: &Path) {
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_http_urls() {
        assert!(checked_url("https://mirror.example.invalid/osv/npm/all.zip").is_ok());
        assert!(checked_url("http://127.0.0.1:8080/x").is_ok());
        for bad in [
            "file:///etc/passwd",
            "ftp://x/y",
            "not a url",
            "",
            "/relative",
        ] {
            assert!(
                matches!(checked_url(bad), Err(NetError::BadUrl { .. })),
                "{bad}"
            );
        }
    }

    #[test]
    fn urls_are_joined_segment_by_segment() {
        let base = "https://mirror.example.invalid/osv";
        for b in [base.to_string(), format!("{base}/")] {
            assert_eq!(
                join_url(&b, &["npm", "all.zip"]).unwrap(),
                "https://mirror.example.invalid/osv/npm/all.zip"
            );
        }
        assert_eq!(
            join_url("http://127.0.0.1:9", &["GitHub Actions", "all.zip"]).unwrap(),
            "http://127.0.0.1:9/GitHub%20Actions/all.zip"
        );
        // A segment cannot climb or add a query.
        assert_eq!(
            join_url(base, &["../x?y#z", "all.zip"]).unwrap(),
            "https://mirror.example.invalid/osv/..%2Fx%3Fy%23z/all.zip"
        );
        assert!(join_url("file:///srv/osv", &["npm"]).is_err());
        // Nor resolve to its parent or itself.
        for dots in ["..", "."] {
            let err = join_url(base, &["npm", dots]).unwrap_err().to_string();
            assert!(err.contains("path segment"), "{err}");
        }
    }

    #[test]
    fn passwords_are_not_shown() {
        assert_eq!(
            redact_url("https://ci:s3cret@mirror.example.invalid/osv"),
            "https://ci:***@mirror.example.invalid/osv"
        );
        assert_eq!(
            redact_url("https://mirror.example.invalid/osv"),
            "https://mirror.example.invalid/osv"
        );
        let err = checked_url("ftp://ci:s3cret@mirror.example.invalid/")
            .unwrap_err()
            .to_string();
        assert!(!err.contains("s3cret"), "{err}");
    }

    #[test]
    fn user_agent_names_bomscout() {
        let ua = crate::user_agent("1.2.3");
        assert!(ua.starts_with("bomscout/1.2.3"), "{ua}");
    }
}
