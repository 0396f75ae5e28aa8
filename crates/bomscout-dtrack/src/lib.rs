//! Uploading CycloneDX SBOMs to [Dependency-Track]'s BOM API (v4), through bomscout's one
//! HTTP client ([`bomscout_net::Client`]: timeouts, bounded retries of `5xx`, `429` and
//! timeouts).
//!
//! What is sent, as Dependency-Track documents it (its OpenAPI description, served by
//! every API server at `/api/openapi.json`, and the `BomResource`, `EventResource` and
//! `ProjectResource` of its 4.x sources, which give the field names, the answers and the
//! permissions used below):
//!
//! - `PUT /api/v1/bom`, `application/json`: `{"projectName", "projectVersion",
//!   "autoCreate": true, "parentName", "parentVersion", "bom": BASE64}` ([`Form::Json`]).
//!   The server refuses a `bom` value over 20,000,000 characters, and base64 makes 4 bytes
//!   of 3, so [`FormChoice::Auto`] uses it only up to [`JSON_FORM_LIMIT`] bytes of SBOM;
//! - `POST /api/v1/bom`, `multipart/form-data`: the same fields as parts, the SBOM as the
//!   file part `bom` ([`Form::Multipart`]), raw: no inflation, no limit of its own;
//! - both with the header `X-Api-Key`, and both answer `200 {"token": UUID}`; the token is
//!   then polled at `GET /api/v1/event/token/{uuid}` (4.11 and later; `GET
//!   /api/v1/bom/token/{uuid}` before) for `{"processing": true|false}` until it is
//!   `false`, with a growing pause (250 ms doubling up to 5 s) and a bounded total wait.
//!
//! Permissions: `BOM_UPLOAD`; `autoCreate` creates a missing project only for a key that
//! also has `PROJECT_CREATION_UPLOAD` (or `PORTFOLIO_MANAGEMENT`), else `401`.
//!
//! **The parent project** (`parentName`/`parentVersion`, Dependency-Track 4.8 and later) is
//! set only when the upload creates the project (an existing project keeps its parent), and
//! it must exist: the server answers `404` ("The parent component could not be found")
//! rather than create it. On that answer this client creates it once with `PUT
//! /api/v1/project` (which needs `PORTFOLIO_MANAGEMENT`; a `409` means it exists already)
//! and uploads again; a key that may not create it gets an error saying to create the
//! parent by hand. Servers before 4.8 know no parent: the multipart form's extra parts are
//! ignored there (the project is created without a parent), and the JSON form's unknown
//! fields may be refused, so use `--dtrack-form multipart` or no `--parent` with them.
//!
//! CycloneDX versions: Dependency-Track 4.12 and later accept 1.2–1.6 JSON; 4.11 up to 1.5;
//! no 4.x release accepts 1.7. This crate sends the bytes it is given; the caller picks the
//! version (bomscout writes 1.6 by default).
//!
//! The API key lives in an [`ApiKey`], whose `Debug` shows `***`; it is sent as a sensitive
//! header, never through a redirect, and no error carries it.
//!
//! [Dependency-Track]: https://dependencytrack.org/
#![deny(missing_docs)]

mod error;

pub use error::{DtrackError, Problem};

use base64::Engine;
use bomscout_core::escape::quote;
use bomscout_net::{Answer, Client, FormPart, Header, Method, Outgoing, Payload};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The largest SBOM [`FormChoice::Auto`] sends in the JSON form: its base64 (13,333,336
/// characters) stays well under the 20,000,000 characters Dependency-Track accepts in the
/// `bom` field. Larger ones go as multipart.
pub const JSON_FORM_LIMIT: usize = 10_000_000;

/// The most bytes of an answer read: tokens and messages are small.
const ANSWER_LIMIT: u64 = 1024 * 1024;

/// The first pause between two polls of a token; doubled after each, up to [`POLL_MAX`].
const POLL_FIRST: Duration = Duration::from_millis(250);
/// The longest pause between two polls.
const POLL_MAX: Duration = Duration::from_secs(5);

/// A Dependency-Track API key. Its `Debug` output hides it; it has no `Display`.
#[derive(Clone)]
pub struct ApiKey(String);

impl ApiKey {
    /// Checks a key can be sent as a header value: not empty, visible ASCII only.
    pub fn new(value: &str) -> Result<ApiKey, DtrackError> {
        let value = value.trim();
        if value.is_empty() {
            return Err(DtrackError::BadKey { reason: "is empty" });
        }
        if !value.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(DtrackError::BadKey {
                reason: "has characters an HTTP header cannot carry (spaces, line breaks or \
                         non-ASCII)",
            });
        }
        Ok(ApiKey(value.to_string()))
    }
}

impl std::fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ApiKey(***)")
    }
}

/// The two upload forms of Dependency-Track's BOM API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// `PUT /api/v1/bom` with a JSON body, the SBOM base64-encoded in it.
    Json,
    /// `POST /api/v1/bom` as `multipart/form-data`, the SBOM a file part.
    Multipart,
}

impl std::fmt::Display for Form {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Form::Json => "JSON (PUT)",
            Form::Multipart => "multipart (POST)",
        })
    }
}

/// Which form to use.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum FormChoice {
    /// JSON up to [`JSON_FORM_LIMIT`] bytes of SBOM, multipart above.
    #[default]
    Auto,
    /// Always JSON.
    Json,
    /// Always multipart.
    Multipart,
}

impl FormChoice {
    /// Parses `auto`, `json` or `multipart`.
    pub fn from_name(name: &str) -> Option<FormChoice> {
        match name {
            "auto" => Some(FormChoice::Auto),
            "json" => Some(FormChoice::Json),
            "multipart" => Some(FormChoice::Multipart),
            _ => None,
        }
    }

    /// The form for an SBOM of `bytes` bytes.
    pub fn for_size(self, bytes: usize) -> Form {
        match self {
            FormChoice::Json => Form::Json,
            FormChoice::Multipart => Form::Multipart,
            FormChoice::Auto if bytes <= JSON_FORM_LIMIT => Form::Json,
            FormChoice::Auto => Form::Multipart,
        }
    }
}

/// A Dependency-Track project: its name and version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Project {
    /// The name (a repository's path, an SBOM's subject).
    pub name: String,
    /// The version (a branch, a tag); Dependency-Track requires one for uploads by name.
    pub version: String,
}

impl std::fmt::Display for Project {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&quote(&format!("{}@{}", self.name, self.version), 200))
    }
}

/// The parent project every uploaded project is created under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parent {
    /// Its name (the organization).
    pub name: String,
    /// Its version, if it has one.
    pub version: Option<String>,
}

impl std::fmt::Display for Parent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let shown = match &self.version {
            Some(v) => format!("{}@{v}", self.name),
            None => self.name.clone(),
        };
        f.write_str(&quote(&shown, 200))
    }
}

/// How uploads are made.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The form.
    pub form: FormChoice,
    /// The parent project, if any.
    pub parent: Option<Parent>,
    /// How long to wait for the server to process each upload; zero: do not poll.
    pub wait: Duration,
}

/// One SBOM to upload.
#[derive(Debug, Clone, Copy)]
pub struct Upload<'a> {
    /// What it is, for messages: a file name or a repository's path.
    pub source: &'a str,
    /// The project it goes to.
    pub project: &'a Project,
    /// The CycloneDX document.
    pub bom: &'a [u8],
}

/// What became of the processing of an upload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Processing {
    /// The server finished with it.
    Done {
        /// How many times the token was asked about.
        polls: u32,
    },
    /// The wait ended first; the server goes on with it.
    StillRunning {
        /// How long was waited.
        waited: Duration,
    },
    /// Not waited for (a wait of zero).
    NotWaited,
}

/// A successful upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Uploaded {
    /// The token the server gave.
    pub token: String,
    /// The form used.
    pub form: Form,
    /// The processing.
    pub processing: Processing,
    /// Whether this upload created the parent project.
    pub created_parent: bool,
}

/// A Dependency-Track API server to upload to. Shareable across threads.
#[derive(Debug)]
pub struct Dtrack {
    /// `…/api`, where `v1/…` goes.
    api: String,
    client: Client,
    key: ApiKey,
    options: Options,
    /// Whether the parent project was made sure of (created, or found to exist).
    parent_ready: Mutex<bool>,
    /// Set once `/api/v1/event/token` answered `404`: a server before 4.11.
    legacy_token_path: AtomicBool,
}

impl Dtrack {
    /// A server at `url`: its base URL (`https://dtrack.example.com`), whose API is under
    /// `/api`; a URL that already ends in `/api` is taken as it is.
    pub fn new(
        url: &str,
        key: ApiKey,
        client: Client,
        options: Options,
    ) -> Result<Dtrack, DtrackError> {
        let trimmed = url.trim_end_matches('/');
        let api = if trimmed.ends_with("/api") {
            trimmed.to_string()
        } else {
            format!("{trimmed}/api")
        };
        // Checked here, once: a bad URL is a usage error, not a failure of each upload.
        bomscout_net::join_url(&api, &["v1", "bom"]).map_err(|e| DtrackError::BadUrl {
            url: quote(&bomscout_net::redact_url(url), 200),
            reason: match e {
                bomscout_net::NetError::BadUrl { reason, .. } => reason,
                other => other.to_string(),
            },
        })?;
        Ok(Dtrack {
            api,
            client,
            key,
            options,
            parent_ready: Mutex::new(false),
            legacy_token_path: AtomicBool::new(false),
        })
    }

    /// The options in force.
    pub fn options(&self) -> &Options {
        &self.options
    }

    /// Uploads one SBOM, creating the project (and, once, the parent project) if needed,
    /// and waits for its processing as the options say.
    pub fn upload(&self, up: &Upload<'_>) -> Result<Uploaded, DtrackError> {
        let fail = |problem: Problem| DtrackError::Upload {
            file: bomscout_core::escape::printable(up.source).into_owned(),
            project: up.project.to_string(),
            problem: Box::new(problem),
        };
        let form = self.options.form.for_size(up.bom.len());
        let body = self.body(up, form).map_err(fail)?;
        let mut answer = self.submit(&body).map_err(fail)?;
        let mut created_parent = false;
        if answer.status == 404 && is_about_the_parent(&answer) {
            if let Some(parent) = &self.options.parent {
                created_parent = self.make_parent(parent).map_err(fail)?;
                answer = self.submit(&body).map_err(fail)?;
                if answer.status == 404 && is_about_the_parent(&answer) {
                    return Err(fail(Problem::ParentMissing {
                        parent: parent.to_string(),
                        reason: format!(
                            "a project of that name exists but not with that version{}: \
                             give --parent-version as the parent has it",
                            detail(&answer)
                        ),
                    }));
                }
            }
        }
        let token = token(&answer, form, body.len()).map_err(fail)?;
        let processing = self.wait(&token).map_err(fail)?;
        Ok(Uploaded {
            token,
            form,
            processing,
            created_parent,
        })
    }

    /// The request body of `up` in `form`.
    fn body(&self, up: &Upload<'_>, form: Form) -> Result<Body, Problem> {
        let parent = self.options.parent.as_ref();
        Ok(match form {
            Form::Json => {
                let request = BomSubmitRequest {
                    project_name: &up.project.name,
                    project_version: &up.project.version,
                    auto_create: true,
                    parent_name: parent.map(|p| p.name.as_str()),
                    parent_version: parent.and_then(|p| p.version.as_deref()),
                    bom: base64::engine::general_purpose::STANDARD.encode(up.bom),
                };
                Body::Json(
                    serde_json::to_vec(&request).map_err(|e| Problem::BadAnswer {
                        endpoint: "the JSON form",
                        what: e.to_string(),
                    })?,
                )
            }
            Form::Multipart => {
                let mut fields = vec![
                    ("projectName", up.project.name.clone()),
                    ("projectVersion", up.project.version.clone()),
                    ("autoCreate", "true".to_string()),
                ];
                if let Some(p) = parent {
                    fields.push(("parentName", p.name.clone()));
                    if let Some(v) = &p.version {
                        fields.push(("parentVersion", v.clone()));
                    }
                }
                Body::Multipart {
                    fields,
                    bom: up.bom.to_vec(),
                }
            }
        })
    }

    fn submit(&self, body: &Body) -> Result<Answer, Problem> {
        let url = self.endpoint(&["v1", "bom"])?;
        let headers = self.headers();
        let parts: Vec<FormPart<'_>>;
        let (method, payload) = match body {
            Body::Json(json) => (Method::Put, Payload::Json(json)),
            Body::Multipart { fields, bom } => {
                parts = fields
                    .iter()
                    .map(|(name, value)| FormPart {
                        name,
                        value: value.as_bytes(),
                        file: None,
                    })
                    .chain(std::iter::once(FormPart {
                        name: "bom",
                        value: bom,
                        file: Some(("bom.json", "application/json")),
                    }))
                    .collect();
                (Method::Post, Payload::Multipart(&parts))
            }
        };
        Ok(self.client.send(
            &Outgoing {
                method,
                url: &url,
                headers: &headers,
                body: payload,
            },
            ANSWER_LIMIT,
        )?)
    }

    /// Creates the parent project once for every upload (`PUT /api/v1/project`); true when
    /// this call created it, false when it was there.
    fn make_parent(&self, parent: &Parent) -> Result<bool, Problem> {
        let mut ready = self
            .parent_ready
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if *ready {
            return Ok(false);
        }
        let url = self.endpoint(&["v1", "project"])?;
        let body = serde_json::to_vec(&CreateProject {
            name: &parent.name,
            version: parent.version.as_deref(),
            classifier: "APPLICATION",
            active: true,
        })
        .map_err(|e| Problem::BadAnswer {
            endpoint: "the project form",
            what: e.to_string(),
        })?;
        let answer = self.client.send(
            &Outgoing {
                method: Method::Put,
                url: &url,
                headers: &self.headers(),
                body: Payload::Json(&body),
            },
            ANSWER_LIMIT,
        )?;
        let created = match answer.status {
            201 | 200 => true,
            // "A project with the specified name already exists."
            409 => false,
            401 | 403 => {
                return Err(Problem::ParentMissing {
                    parent: parent.to_string(),
                    reason: format!(
                        "creating it needs the PORTFOLIO_MANAGEMENT permission, which this key \
                         lacks ({}{})",
                        answer.status,
                        detail(&answer)
                    ),
                })
            }
            status => {
                return Err(Problem::ParentMissing {
                    parent: parent.to_string(),
                    reason: format!("PUT /api/v1/project answered {status}{}", detail(&answer)),
                })
            }
        };
        *ready = true;
        Ok(created)
    }

    /// Polls `token` until the server is done with it or the wait is over.
    fn wait(&self, token: &str) -> Result<Processing, Problem> {
        if self.options.wait.is_zero() {
            return Ok(Processing::NotWaited);
        }
        let started = Instant::now();
        let mut pause = POLL_FIRST;
        let mut polls = 0;
        loop {
            let processing = self.poll(token)?;
            polls += 1;
            if !processing {
                return Ok(Processing::Done { polls });
            }
            let waited = started.elapsed();
            if waited + pause > self.options.wait {
                return Ok(Processing::StillRunning { waited });
            }
            std::thread::sleep(pause);
            pause = (pause * 2).min(POLL_MAX);
        }
    }

    /// Whether the server is still processing `token`.
    fn poll(&self, token: &str) -> Result<bool, Problem> {
        loop {
            let legacy = self.legacy_token_path.load(Ordering::Relaxed);
            let segments: [&str; 4] = if legacy {
                ["v1", "bom", "token", token]
            } else {
                ["v1", "event", "token", token]
            };
            let url = self.endpoint(&segments)?;
            let answer = self.client.send(
                &Outgoing {
                    method: Method::Get,
                    url: &url,
                    headers: &self.headers(),
                    body: Payload::Empty,
                },
                ANSWER_LIMIT,
            )?;
            if answer.status == 404 && !legacy {
                // Before 4.11 tokens were asked about under /api/v1/bom/token.
                self.legacy_token_path.store(true, Ordering::Relaxed);
                continue;
            }
            check_status(&answer, None)?;
            let parsed: TokenStatus =
                serde_json::from_slice(&answer.body).map_err(|e| Problem::BadAnswer {
                    endpoint: "GET /api/v1/event/token/{uuid}",
                    what: format!("not {{\"processing\": true|false}}: {e}"),
                })?;
            return Ok(parsed.processing);
        }
    }

    fn endpoint(&self, segments: &[&str]) -> Result<String, Problem> {
        Ok(bomscout_net::join_url(&self.api, segments)?)
    }

    fn headers(&self) -> [Header<'_>; 2] {
        [
            Header {
                name: "X-Api-Key",
                value: &self.key.0,
                secret: true,
            },
            Header {
                name: "Accept",
                value: "application/json",
                secret: false,
            },
        ]
    }
}

/// A request body, built once and sent again on a retry.
enum Body {
    Json(Vec<u8>),
    Multipart {
        fields: Vec<(&'static str, String)>,
        bom: Vec<u8>,
    },
}

impl Body {
    fn len(&self) -> usize {
        match self {
            Body::Json(b) => b.len(),
            Body::Multipart { fields, bom } => {
                bom.len() + fields.iter().map(|(k, v)| k.len() + v.len()).sum::<usize>()
            }
        }
    }
}

/// `BomSubmitRequest`, as `PUT /api/v1/bom` reads it.
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct BomSubmitRequest<'a> {
    project_name: &'a str,
    project_version: &'a str,
    auto_create: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    parent_name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    parent_version: Option<&'a str>,
    bom: String,
}

/// The fields of a `Project` that `PUT /api/v1/project` needs.
#[derive(serde::Serialize)]
struct CreateProject<'a> {
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<&'a str>,
    classifier: &'static str,
    active: bool,
}

/// `BomUploadResponse`.
#[derive(serde::Deserialize)]
struct BomUploadResponse {
    token: String,
}

/// `IsTokenBeingProcessedResponse`.
#[derive(serde::Deserialize)]
struct TokenStatus {
    processing: bool,
}

/// The token of a successful upload, or the problem its answer documents.
fn token(answer: &Answer, form: Form, bytes: usize) -> Result<String, Problem> {
    check_status(answer, Some((form, bytes)))?;
    let parsed: BomUploadResponse =
        serde_json::from_slice(&answer.body).map_err(|e| Problem::BadAnswer {
            endpoint: "/api/v1/bom",
            what: format!("not {{\"token\": UUID}}: {e}"),
        })?;
    if !is_uuid(&parsed.token) {
        return Err(Problem::BadAnswer {
            endpoint: "/api/v1/bom",
            what: format!("the token {} is not a UUID", quote(&parsed.token, 60)),
        });
    }
    Ok(parsed.token)
}

/// Maps a failed status to its documented meaning; `upload` is the form and size of an
/// upload request, for `413`.
fn check_status(answer: &Answer, upload: Option<(Form, usize)>) -> Result<(), Problem> {
    let detail = detail(answer);
    Err(match answer.status {
        200..=299 => return Ok(()),
        400 => Problem::Rejected {
            detail: problem_details(answer).unwrap_or(detail),
        },
        401 => Problem::Unauthorized { detail },
        403 => Problem::Forbidden { detail },
        404 => Problem::NotFound { detail },
        413 => {
            let (form, bytes) = upload.unwrap_or((Form::Multipart, 0));
            Problem::TooLarge {
                bytes,
                form,
                detail,
                advice: match form {
                    Form::Json => {
                        "the multipart form sends a quarter less (no base64): try \
                         --dtrack-form multipart, or raise the limit of the proxy in front \
                         of Dependency-Track (nginx: client_max_body_size)"
                    }
                    Form::Multipart => {
                        "raise the request size limit of the proxy in front of \
                         Dependency-Track (nginx: client_max_body_size) or of its web server"
                    }
                },
            }
        }
        status @ 300..=399 => Problem::Status {
            status,
            detail,
            hint: ": a redirect, which is not followed with the API key; give the URL it \
                   points at (https instead of http?) as --dtrack-url",
        },
        status => Problem::Status {
            status,
            detail,
            hint: "",
        },
    })
}

/// `: "what the server said"`, bounded and escaped, or nothing.
fn detail(answer: &Answer) -> String {
    let text = answer.text(300);
    if text == "\"\"" {
        String::new()
    } else {
        format!(": {text}")
    }
}

/// An RFC 9457 problem (`application/problem+json`, Dependency-Track 4.11+ on an invalid
/// BOM) as `: "title: detail; error; error…"`.
fn problem_details(answer: &Answer) -> Option<String> {
    let json: serde_json::Value = serde_json::from_slice(&answer.body).ok()?;
    let mut text = json.get("title")?.as_str()?.to_string();
    if let Some(d) = json.get("detail").and_then(|d| d.as_str()) {
        text.push_str(": ");
        text.push_str(d);
    }
    if let Some(errors) = json.get("errors").and_then(|e| e.as_array()) {
        for e in errors.iter().filter_map(|e| e.as_str()).take(5) {
            text.push_str("; ");
            text.push_str(e);
        }
    }
    Some(format!(": {}", quote(&text, 600)))
}

/// Whether a `404` is the server saying the parent project does not exist ("The parent
/// component could not be found.") rather than the project.
fn is_about_the_parent(answer: &Answer) -> bool {
    String::from_utf8_lossy(&answer.body)
        .to_ascii_lowercase()
        .contains("parent")
}

/// `8-4-4-4-12` hex digits.
fn is_uuid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests;
