//! Requests beyond GET and POST-JSON: any method, extra headers (secret ones kept out of
//! every message and debug output), a JSON or `multipart/form-data` body, and the answer
//! handed back whatever its status ([`crate::Client::send`]).

/// The HTTP methods [`crate::Client::send`] uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// `GET`
    Get,
    /// `PUT`
    Put,
    /// `POST`
    Post,
}

impl Method {
    /// The method's name as sent.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Put => "PUT",
            Method::Post => "POST",
        }
    }
}

/// A request header. A `secret` one (an API key) is marked sensitive for the HTTP stack and
/// never appears in an error, a log line or `Debug` output.
#[derive(Clone, Copy)]
pub struct Header<'a> {
    /// The header's name (`X-Api-Key`).
    pub name: &'a str,
    /// Its value.
    pub value: &'a str,
    /// Whether the value is a credential.
    pub secret: bool,
}

impl std::fmt::Debug for Header<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let value = if self.secret { "***" } else { self.value };
        write!(f, "{}: {value}", self.name)
    }
}

/// One part of a `multipart/form-data` body.
#[derive(Debug, Clone, Copy)]
pub struct FormPart<'a> {
    /// The form field's name.
    pub name: &'a str,
    /// Its content.
    pub value: &'a [u8],
    /// For a file: its file name and content type; a plain text field has none.
    pub file: Option<(&'a str, &'a str)>,
}

/// A request body.
#[derive(Debug, Clone, Copy)]
pub enum Payload<'a> {
    /// No body.
    Empty,
    /// A JSON document (`Content-Type: application/json`).
    Json(&'a [u8]),
    /// A `multipart/form-data` form (the boundary is chosen by the client).
    Multipart(&'a [FormPart<'a>]),
}

/// What [`crate::Client::send`] sends.
#[derive(Debug, Clone, Copy)]
pub struct Outgoing<'a> {
    /// The method.
    pub method: Method,
    /// The absolute http(s) URL.
    pub url: &'a str,
    /// Headers beyond the client's own (User-Agent, Content-Type of the body).
    pub headers: &'a [Header<'a>],
    /// The body.
    pub body: Payload<'a>,
}

/// The answer to [`crate::Client::send`]: any status but the retried ones (`408`, `429`,
/// `5xx`), which come back as [`crate::NetError::Status`] once the attempts are spent.
#[derive(Debug, Clone)]
pub struct Answer {
    /// The HTTP status code.
    pub status: u16,
    /// The `Content-Type`, when given.
    pub content_type: Option<String>,
    /// The body, at most the limit given to `send`.
    pub body: Vec<u8>,
}

impl Answer {
    /// Whether the status is `2xx`.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The body as text, lossily, at most `max` characters, control characters escaped: for
    /// an error message quoting what the server said.
    pub fn text(&self, max: usize) -> String {
        let text = String::from_utf8_lossy(&self.body);
        bomscout_core::escape::quote(text.trim(), max)
    }
}
