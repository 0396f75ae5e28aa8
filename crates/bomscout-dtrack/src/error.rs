//! The crate's errors: each names the file (or repository) and the project, and says what
//! to do. None ever carries the API key.

use crate::Form;

/// What went wrong setting up or making an upload.
#[derive(Debug, thiserror::Error)]
pub enum DtrackError {
    /// The Dependency-Track URL is not usable.
    #[error("--dtrack-url {url}: {reason}; give the API server's base URL, e.g. https://dtrack.example.com")]
    BadUrl {
        /// The URL as given (quoted, bounded, without a password).
        url: String,
        /// Why.
        reason: String,
    },
    /// The API key cannot be sent (empty, or characters no HTTP header carries).
    #[error("the Dependency-Track API key {reason}; check the environment variable named by --api-key-env")]
    BadKey {
        /// Why (never the key itself).
        reason: &'static str,
    },
    /// One upload failed.
    #[error("{file}: upload to Dependency-Track project {project}: {problem}")]
    Upload {
        /// The file or repository whose SBOM it was.
        file: String,
        /// The project, `name@version` (quoted).
        project: String,
        /// What happened.
        problem: Box<Problem>,
    },
}

/// Why one upload failed: how Dependency-Track's documented answers read, and what to do.
#[derive(Debug, thiserror::Error)]
pub enum Problem {
    /// `401`: no key, a wrong key, or (with `autoCreate`) no permission to create projects.
    #[error(
        "the server refused the API key (401 Unauthorized{detail}): the key must belong to a team \
         with the BOM_UPLOAD permission and, to create a project that does not exist yet, \
         PROJECT_CREATION_UPLOAD (or PORTFOLIO_MANAGEMENT)"
    )]
    Unauthorized {
        /// `: "what the server said"`, or nothing.
        detail: String,
    },
    /// `403`: the key's team may not touch this project.
    #[error(
        "the API key may not upload to this project (403 Forbidden{detail}): with portfolio \
         access control on, the key's team needs access to the project (and to the parent), \
         besides BOM_UPLOAD"
    )]
    Forbidden {
        /// `: "what the server said"`, or nothing.
        detail: String,
    },
    /// `404`: a wrong URL, or a project missing and not created.
    #[error(
        "not found (404 Not Found{detail}): check --dtrack-url (the API server, whose API is \
         under /api/v1) and that the project exists or may be created (autoCreate)"
    )]
    NotFound {
        /// `: "what the server said"`, or nothing.
        detail: String,
    },
    /// The parent project does not exist and could not be created.
    #[error("the parent project {parent} does not exist and was not created ({reason}); create it in Dependency-Track, or leave --parent out")]
    ParentMissing {
        /// `name` or `name@version` (quoted).
        parent: String,
        /// Why it could not be created.
        reason: String,
    },
    /// `413`: the request was too large for the server or a proxy before it.
    #[error(
        "the server refused the {bytes}-byte {form} request as too large (413{detail}); {advice}"
    )]
    TooLarge {
        /// The request body's size.
        bytes: usize,
        /// The form used.
        form: Form,
        /// `: "what the server said"`, or nothing.
        detail: String,
        /// What to do, for the form used.
        advice: &'static str,
    },
    /// `400`: the BOM or the request was refused (schema validation, a bad field).
    #[error("the server refused the BOM (400 Bad Request{detail}); Dependency-Track checks the BOM against the CycloneDX schema of its specVersion (1.6 needs Dependency-Track 4.12 or later: try --cyclonedx-version 1.5 on older servers)")]
    Rejected {
        /// `: what the server said`, or nothing.
        detail: String,
    },
    /// Any other status.
    #[error("the server answered {status}{detail}{hint}")]
    Status {
        /// The HTTP status code.
        status: u16,
        /// `: "what the server said"`, or nothing.
        detail: String,
        /// What to do, when known.
        hint: &'static str,
    },
    /// The answer is not what the API documents.
    #[error(
        "unexpected answer from {endpoint}: {what}; is --dtrack-url a Dependency-Track API server?"
    )]
    BadAnswer {
        /// The endpoint asked.
        endpoint: &'static str,
        /// What was wrong with it.
        what: String,
    },
    /// The request did not get through (after the retries), or could not be made.
    #[error(transparent)]
    Net(#[from] bomscout_net::NetError),
}
