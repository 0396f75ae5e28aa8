//! Where the inventory lives: a SQLite file, or a PostgreSQL database named by URL.
//!
//! A PostgreSQL URL (`postgres://user@host:5432/dbname`, `postgresql://...`) takes its
//! password from the URL, else `PGPASSWORD`, else the password file (`PGPASSFILE`, by
//! default `~/.pgpass`, in libpq's format). `sslmode=require` in the URL connects over TLS
//! (rustls, the bundled Mozilla roots plus `SSL_CERT_FILE`, the server's name verified). The
//! password is never shown: every message names the URL through [`redact`].

use crate::Error;
use std::path::{Path, PathBuf};

/// A database location as given to `--db` or `BOMSCOUT_DB`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// A SQLite file.
    Sqlite(PathBuf),
    /// A PostgreSQL connection URL (with its password, if it has one: show it with
    /// [`Location::shown`]).
    Postgres(String),
}

impl Location {
    /// `postgres://` and `postgresql://` URLs are PostgreSQL; anything else is a file path.
    pub fn parse(arg: &Path) -> Location {
        match arg.to_str() {
            Some(s) if is_postgres_url(s) => Location::Postgres(s.to_string()),
            _ => Location::Sqlite(arg.to_path_buf()),
        }
    }

    /// The location for messages: the file's path, or the URL without its password.
    pub fn shown(&self) -> String {
        match self {
            Location::Sqlite(p) => p.display().to_string(),
            Location::Postgres(url) => redact(url),
        }
    }
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.shown())
    }
}

fn is_postgres_url(s: &str) -> bool {
    let lower = s.get(..13).unwrap_or(s).to_ascii_lowercase();
    lower.starts_with("postgres://") || lower.starts_with("postgresql://")
}

/// `url` with its password (in the user part or a `password=` parameter) replaced by `***`.
pub fn redact(url: &str) -> String {
    let (scheme, rest) = match url.split_once("://") {
        Some(x) => x,
        None => return url.to_string(),
    };
    let (authority, tail) = match rest.find(['/', '?']) {
        Some(at) => rest.split_at(at),
        None => (rest, ""),
    };
    let authority = match authority.rsplit_once('@') {
        Some((user, host)) => match user.split_once(':') {
            Some((name, _)) => format!("{name}:***@{host}"),
            None => format!("{user}@{host}"),
        },
        None => authority.to_string(),
    };
    let tail = match tail.split_once('?') {
        Some((path, query)) => {
            let query: Vec<String> = query
                .split('&')
                .map(|kv| match kv.split_once('=') {
                    Some((k, _)) if k.eq_ignore_ascii_case("password") => format!("{k}=***"),
                    _ => kv.to_string(),
                })
                .collect();
            format!("{path}?{}", query.join("&"))
        }
        None => tail.to_string(),
    };
    format!("{scheme}://{authority}{tail}")
}

/// Connects to the PostgreSQL database at `url`.
pub(crate) fn connect(url: &str) -> Result<postgres::Client, Error> {
    use std::str::FromStr;
    let shown = redact(url);
    let fail = |message: String| Error::Connect {
        url: shown.clone(),
        message,
    };
    let mut config = postgres::Config::from_str(url)
        .map_err(|e| fail(format!("not a PostgreSQL connection URL: {e}")))?;
    if config.get_user().is_none() {
        let user = std::env::var("PGUSER")
            .or_else(|_| std::env::var("USER"))
            .map_err(|_| fail("the URL names no user (postgres://USER@HOST/DB)".into()))?;
        config.user(&user);
    }
    if config.get_password().is_none() {
        if let Some(pw) = std::env::var_os("PGPASSWORD") {
            config.password(pw.to_string_lossy().as_bytes());
        } else if let Some(pw) = password_from_file(&config) {
            config.password(pw);
        }
    }
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(std::time::Duration::from_secs(15));
    }
    let result = match config.get_ssl_mode() {
        postgres::config::SslMode::Require => config.connect(tls().map_err(fail)?),
        _ => config.connect(postgres::NoTls),
    };
    result.map_err(|e| {
        let mut message = e.to_string();
        if let Some(db) = e.as_db_error() {
            message = format!("{}: {}", db.code().code(), db.message());
        } else {
            // Why a TLS handshake failed (an untrusted certificate, a name that does not
            // match) is in the causes.
            let mut cause = std::error::Error::source(&e);
            while let Some(c) = cause {
                let text = c.to_string();
                if !message.contains(&text) {
                    message = format!("{message}: {text}");
                }
                cause = c.source();
            }
        }
        let tls_hint = if message.contains("certificate") {
            " (a certificate signed by a private authority is trusted through SSL_CERT_FILE)"
        } else {
            ""
        };
        fail(format!(
            "cannot connect: {message}{tls_hint}; check the URL, that the server runs, and the \
             password (PGPASSWORD or PGPASSFILE)"
        ))
    })
}

fn tls() -> Result<tokio_postgres_rustls::MakeRustlsConnect, String> {
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    // A private CA (the usual case for a database) is added with SSL_CERT_FILE.
    if let Some(file) = std::env::var_os("SSL_CERT_FILE") {
        let pem = std::fs::read(&file)
            .map_err(|e| format!("SSL_CERT_FILE {}: {e}", Path::new(&file).display()))?;
        use rustls::pki_types::pem::PemObject;
        for cert in rustls::pki_types::CertificateDer::pem_slice_iter(&pem).flatten() {
            let _ = roots.add(cert);
        }
    }
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS: {e}"))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(tokio_postgres_rustls::MakeRustlsConnect::new(config))
}

/// The password for `config`'s first host, port, database and user in the password file
/// (`PGPASSFILE`, else `~/.pgpass`): lines `host:port:database:user:password`, `*` matching
/// anything, `\:` and `\\` escaped, `#` a comment.
fn password_from_file(config: &postgres::Config) -> Option<Vec<u8>> {
    let file = std::env::var_os("PGPASSFILE")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".pgpass")))?;
    let text = std::fs::read_to_string(file).ok()?;
    let host = match config.get_hosts().first() {
        Some(postgres::config::Host::Tcp(h)) => h.clone(),
        #[cfg(unix)]
        Some(postgres::config::Host::Unix(p)) => {
            if p.as_os_str() == "/var/run/postgresql" || p.as_os_str() == "/tmp" {
                "localhost".to_string()
            } else {
                p.display().to_string()
            }
        }
        None => "localhost".to_string(),
    };
    let port = config
        .get_ports()
        .first()
        .copied()
        .unwrap_or(5432)
        .to_string();
    let user = config.get_user().unwrap_or("");
    let db = config.get_dbname().unwrap_or(user);
    pgpass_lookup(&text, [&host, &port, db, user]).map(String::into_bytes)
}

/// The password of the first line of a password file matching `want` (host, port,
/// database, user).
fn pgpass_lookup(text: &str, want: [&str; 4]) -> Option<String> {
    for line in text.lines() {
        if line.trim_start().starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let mut fields = Vec::with_capacity(5);
        let mut field = String::new();
        let mut chars = line.chars();
        while let Some(c) = chars.next() {
            match c {
                '\\' => field.extend(chars.next()),
                ':' if fields.len() < 4 => fields.push(std::mem::take(&mut field)),
                c => field.push(c),
            }
        }
        fields.push(field);
        if fields.len() != 5 {
            continue;
        }
        if fields[..4]
            .iter()
            .zip(want)
            .all(|(f, w)| f == "*" || f == w)
        {
            return fields.pop();
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_postgres_and_the_rest_are_files() {
        assert_eq!(
            Location::parse(Path::new("postgres://u@h/db")),
            Location::Postgres("postgres://u@h/db".into())
        );
        assert!(matches!(
            Location::parse(Path::new("PostgreSQL://u@h/db")),
            Location::Postgres(_)
        ));
        assert_eq!(
            Location::parse(Path::new("inv.db")),
            Location::Sqlite("inv.db".into())
        );
        assert!(matches!(
            Location::parse(Path::new("postgres:/x")),
            Location::Sqlite(_)
        ));
    }

    #[test]
    fn passwords_never_show() {
        assert_eq!(
            redact("postgres://bom:s3cr:et@db.example.invalid:5432/inv?sslmode=require"),
            "postgres://bom:***@db.example.invalid:5432/inv?sslmode=require"
        );
        assert_eq!(
            redact("postgresql://bom@h/inv?password=hunter2&sslmode=require"),
            "postgresql://bom@h/inv?password=***&sslmode=require"
        );
        assert_eq!(redact("postgres://h"), "postgres://h");
        let shown = Location::Postgres("postgres://a:pw@h/d".into()).to_string();
        assert!(!shown.contains("pw"), "{shown}");
    }

    #[test]
    fn password_file_lines_match_with_wildcards_and_escapes() {
        let text = "# comment\n\
                    other:5432:inv:bom:wrong\n\
                    db\\:1:*:inv:bom:p\\:w\\\\1\n\
                    *:*:*:bom:fallback\n";
        assert_eq!(
            pgpass_lookup(text, ["db:1", "5433", "inv", "bom"]).as_deref(),
            Some("p:w\\1")
        );
        assert_eq!(
            pgpass_lookup(text, ["else", "5432", "inv", "bom"]).as_deref(),
            Some("fallback")
        );
        assert_eq!(pgpass_lookup(text, ["else", "5432", "inv", "ro"]), None);
    }

    #[test]
    fn a_wrong_password_is_an_error_without_the_password() {
        // Nothing listens on port 1: the error names the redacted URL only.
        let err = connect("postgres://bom:topsecret@127.0.0.1:1/inv?connect_timeout=2")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("postgres://bom:***@127.0.0.1:1/inv"), "{err}");
        assert!(!err.contains("topsecret"), "{err}");
    }
}
