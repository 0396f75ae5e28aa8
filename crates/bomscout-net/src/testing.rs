//! A loopback HTTP/1.1 server for tests (feature `testing`): answers each request with what
//! a handler returns, one thread per connection (so a slow answer does not hold the
//! others up), keeps connections alive, records every request with its body, and counts
//! connections. It can also misbehave on purpose: a body cut short, a body with no length,
//! a slow answer. The tests of this crate, of `bomscout-enrich` (which re-exports it) and
//! of the binary use it; they serve responses recorded once from the real services (see
//! `fixtures/enrich/SOURCES.md` and `fixtures/advisories/SOURCES.md`).
#![allow(clippy::unwrap_used, missing_docs)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// A request as the server saw it.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    /// The path with its query (`/v3/systems/npm/packages/x`).
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub at: Instant,
}

impl Request {
    /// A header's value (case-insensitive name).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The parts of a `multipart/form-data` body (RFC 7578), read independently of the
    /// client that wrote it: `None` when the content type is not multipart with a boundary,
    /// or the body is not well formed (a part without its headers, no closing delimiter).
    pub fn multipart(&self) -> Option<Vec<FormPart>> {
        let content_type = self.header("content-type")?;
        let (kind, params) = content_type.split_once(';')?;
        if !kind.trim().eq_ignore_ascii_case("multipart/form-data") {
            return None;
        }
        let boundary = params.split(';').find_map(|p| {
            let (k, v) = p.trim().split_once('=')?;
            k.trim()
                .eq_ignore_ascii_case("boundary")
                .then(|| v.trim().trim_matches('"').to_string())
        })?;
        let delimiter = format!("--{boundary}").into_bytes();
        let mut rest: &[u8] = &self.body;
        // The preamble, up to the first delimiter.
        let at = find(rest, &delimiter)?;
        rest = &rest[at + delimiter.len()..];
        let mut parts = Vec::new();
        loop {
            if rest.starts_with(b"--") {
                return Some(parts);
            }
            rest = rest.strip_prefix(b"\r\n")?;
            let head_end = find(rest, b"\r\n\r\n")?;
            let head = String::from_utf8_lossy(&rest[..head_end]).into_owned();
            rest = &rest[head_end + 4..];
            let mut close = b"\r\n".to_vec();
            close.extend_from_slice(&delimiter);
            let end = find(rest, &close)?;
            let body = rest[..end].to_vec();
            rest = &rest[end + close.len()..];
            let headers: Vec<(String, String)> = head
                .split("\r\n")
                .filter_map(|l| l.split_once(':'))
                .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
                .collect();
            let disposition = headers
                .iter()
                .find(|(k, _)| k == "content-disposition")
                .map(|(_, v)| v.clone())?;
            let param = |name: &str| {
                disposition.split(';').skip(1).find_map(|p| {
                    let (k, v) = p.trim().split_once('=')?;
                    (k.trim() == name).then(|| v.trim().trim_matches('"').to_string())
                })
            };
            parts.push(FormPart {
                name: param("name")?,
                file_name: param("filename"),
                content_type: headers
                    .iter()
                    .find(|(k, _)| k == "content-type")
                    .map(|(_, v)| v.clone()),
                body,
            });
        }
    }
}

/// One part of a `multipart/form-data` body ([`Request::multipart`]).
#[derive(Debug, Clone)]
pub struct FormPart {
    /// The field's name.
    pub name: String,
    /// The `filename` parameter, for a file.
    pub file_name: Option<String>,
    /// The part's `Content-Type`, when given.
    pub content_type: Option<String>,
    pub body: Vec<u8>,
}

impl FormPart {
    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// The first position of `needle` in `haystack`.
fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// A canned response.
#[derive(Debug, Clone)]
pub struct Canned {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Wait this long before answering (a slow service).
    pub delay: Option<Duration>,
    /// Announce the full length but send only this many body bytes, then close.
    pub cut_after: Option<usize>,
    /// Send no Content-Length: the body ends when the connection closes.
    pub no_length: bool,
}

impl Canned {
    pub fn status(status: u16) -> Self {
        Canned {
            status,
            headers: Vec::new(),
            body: Vec::new(),
            delay: None,
            cut_after: None,
            no_length: false,
        }
    }

    pub fn ok(body: impl Into<Vec<u8>>) -> Self {
        Canned {
            body: body.into(),
            ..Canned::status(200)
        }
    }

    /// A JSON `200`.
    pub fn json(body: impl Into<Vec<u8>>) -> Self {
        Canned::ok(body).header("Content-Type", "application/json")
    }

    pub fn not_found() -> Self {
        Canned::status(404)
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    pub fn delayed(mut self, delay: Duration) -> Self {
        self.delay = Some(delay);
        self
    }

    pub fn without_length(mut self) -> Self {
        self.no_length = true;
        self
    }

    pub fn cut_after(mut self, bytes: usize) -> Self {
        self.cut_after = Some(bytes);
        self
    }
}

type Handler = dyn Fn(&Request) -> Canned + Send + Sync;

#[derive(Default)]
struct State {
    requests: Vec<Request>,
    connections: usize,
}

/// The server; stops when dropped.
pub struct Server {
    addr: SocketAddr,
    state: Arc<Mutex<State>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    /// Starts a server answering every request with `handler(request)`.
    pub fn start(handler: impl Fn(&Request) -> Canned + Send + Sync + 'static) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let state = Arc::new(Mutex::new(State::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let handler: Arc<Handler> = Arc::new(handler);
        let thread = {
            let state = Arc::clone(&state);
            let stop = Arc::clone(&stop);
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    state.lock().unwrap().connections += 1;
                    let state = Arc::clone(&state);
                    let handler = Arc::clone(&handler);
                    std::thread::spawn(move || serve(stream, &state, &*handler));
                }
            })
        };
        Server {
            addr,
            state,
            stop,
            thread: Some(thread),
        }
    }

    /// Starts a server answering the n-th request (from 0) with `responses[n]`, the last one
    /// repeated.
    pub fn sequence(responses: Vec<Canned>) -> Server {
        let next = AtomicUsize::new(0);
        Server::start(move |_| {
            let i = next.fetch_add(1, Ordering::SeqCst);
            responses[i.min(responses.len() - 1)].clone()
        })
    }

    /// A server answering from a table of `(path, response)`; anything else is a `404`.
    /// A path ending in `*` matches every path that starts with the rest.
    pub fn routes(routes: Vec<(String, Canned)>) -> Server {
        Server::start(move |req| {
            routes
                .iter()
                .find(|(p, _)| match p.strip_suffix('*') {
                    Some(prefix) => req.path.starts_with(prefix),
                    None => req.path == *p,
                })
                .map(|(_, c)| c.clone())
                .unwrap_or_else(Canned::not_found)
        })
    }

    /// `http://127.0.0.1:PORT`
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Every request so far, in arrival order.
    pub fn requests(&self) -> Vec<Request> {
        self.state.lock().unwrap().requests.clone()
    }

    /// How many requests so far.
    pub fn count(&self) -> usize {
        self.state.lock().unwrap().requests.len()
    }

    /// TCP connections accepted so far.
    pub fn connections(&self) -> usize {
        self.state.lock().unwrap().connections
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop.
        let _ = TcpStream::connect(self.addr);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Serves the requests of one connection (keep-alive), until the client closes it.
fn serve(mut stream: TcpStream, state: &Mutex<State>, handler: &Handler) {
    // The head and the body go out in two writes: without this, Nagle's algorithm holds
    // the body until the client's delayed ACK, about 40 ms per keep-alive request.
    let _ = stream.set_nodelay(true);
    while let Some(request) = read_request(&mut stream) {
        state.lock().unwrap().requests.push(request.clone());
        let canned = handler(&request);
        if let Some(delay) = canned.delay {
            std::thread::sleep(delay);
        }
        if !write_response(&mut stream, &canned, request.method == "HEAD") {
            return;
        }
    }
}

fn read_request(stream: &mut TcpStream) -> Option<Request> {
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .ok()?;
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if head.len() > 64 * 1024 || stream.read(&mut byte).ok()? == 0 {
            return None;
        }
        head.push(byte[0]);
    }
    let at = Instant::now();
    let text = String::from_utf8_lossy(&head);
    let mut lines = text.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let method = first.next()?.to_string();
    let path = first.next()?.to_string();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let length = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse::<usize>().ok())
        .unwrap_or(0)
        .min(64 * 1024 * 1024);
    let mut body = vec![0u8; length];
    stream.read_exact(&mut body).ok()?;
    Some(Request {
        method,
        path,
        headers,
        body,
        at,
    })
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        302 => "Found",
        304 => "Not Modified",
        201 => "Created",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        409 => "Conflict",
        413 => "Content Too Large",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Status",
    }
}

/// Writes one response; false when the connection is gone or must close (a body cut short
/// or without a length ends with the connection).
fn write_response(stream: &mut TcpStream, canned: &Canned, head_only: bool) -> bool {
    let mut out = format!("HTTP/1.1 {} {}\r\n", canned.status, reason(canned.status));
    for (k, v) in &canned.headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    let closes = canned.no_length || canned.cut_after.is_some();
    if canned.status != 304 && !canned.no_length {
        out.push_str(&format!("Content-Length: {}\r\n", canned.body.len()));
    }
    if closes {
        out.push_str("Connection: close\r\n");
    }
    out.push_str("\r\n");
    if stream.write_all(out.as_bytes()).is_err() {
        return false;
    }
    if canned.status != 304 && !head_only {
        let end = canned
            .cut_after
            .unwrap_or(canned.body.len())
            .min(canned.body.len());
        if stream.write_all(&canned.body[..end]).is_err() {
            return false;
        }
    }
    if stream.flush().is_err() {
        return false;
    }
    if closes {
        let _ = stream.shutdown(std::net::Shutdown::Both);
        return false;
    }
    true
}
