//! A throwaway PostgreSQL server for tests (feature `testing`).
//!
//! [`database`] starts one server per test process on first use, from the PostgreSQL
//! binaries of Debian's `postgresql` package (`initdb` on `PATH`, else
//! `/usr/lib/postgresql/*/bin`): a data directory and a socket directory in a temporary
//! directory, a free port on 127.0.0.1, password authentication over TCP. It is stopped and
//! its directory removed when the process exits. Each call makes a new, empty database, so
//! tests running in parallel do not see each other.
//!
//! As root (CI), the server runs as the `postgres` user (`initdb` refuses root) through
//! `runuser`. Where no server can be started, [`database`] prints one line saying why and
//! returns `None`, and the test returns early; with `BOMSCOUT_REQUIRE_POSTGRES=1` (as
//! `.ci/run` sets) it panics instead, so CI cannot pass by skipping.
#![allow(clippy::print_stderr)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};

/// The superuser's name and password on the test server.
pub const USER: &str = "bomscout";
/// The superuser's password.
pub const PASSWORD: &str = "test-only-secret";

/// A running test server.
#[derive(Debug)]
pub struct Server {
    /// 127.0.0.1's port it listens on.
    pub port: u16,
    dir: PathBuf,
    bin: PathBuf,
    run_as: Option<String>,
}

static SERVER: OnceLock<Result<Server, String>> = OnceLock::new();
static TLS_SERVER: OnceLock<Result<Server, String>> = OnceLock::new();
static NEXT: AtomicUsize = AtomicUsize::new(0);
static CREATE: Mutex<()> = Mutex::new(());

/// The URL of a new, empty database on the test server (password in the URL), or `None`
/// (after one line on stderr) where no server can be started.
pub fn database(name: &str) -> Option<String> {
    let server = running(&SERVER, name, || start(false))?;
    Some(server.url(&create(server, name)))
}

/// A new, empty database on a second test server that accepts TCP connections over TLS
/// only (`hostssl` in its `pg_hba.conf`), with a certificate for `127.0.0.1` signed by a
/// certificate authority made for this process (with Debian's `openssl`, which the
/// `postgresql` package brings). `None` (after one line on stderr) where no such server can
/// be started; with `BOMSCOUT_REQUIRE_POSTGRES=1` that panics instead.
pub fn tls_database(name: &str) -> Option<TlsDatabase> {
    let server = running(&TLS_SERVER, name, || start(true))?;
    Some(TlsDatabase {
        url: server.url(&create(server, name)),
        ca: server.dir.join("ca.crt"),
    })
}

/// A database on the TLS test server.
#[derive(Debug, Clone)]
pub struct TlsDatabase {
    /// Its URL, with the password, without `sslmode`.
    pub url: String,
    /// The PEM file of the certificate authority that signed the server's certificate
    /// (what `SSL_CERT_FILE` names for a client to trust it).
    pub ca: PathBuf,
}

/// The server in `cell`, started on first use; `None` (or a panic under
/// `BOMSCOUT_REQUIRE_POSTGRES=1`) where it cannot be.
fn running<'a>(
    cell: &'a OnceLock<Result<Server, String>>,
    name: &str,
    start: impl FnOnce() -> Result<Server, String>,
) -> Option<&'a Server> {
    match cell.get_or_init(start) {
        Ok(s) => Some(s),
        Err(why) => {
            if std::env::var_os("BOMSCOUT_REQUIRE_POSTGRES").is_some_and(|v| v == "1") {
                panic!("BOMSCOUT_REQUIRE_POSTGRES=1 but no PostgreSQL server: {why}");
            }
            eprintln!("skipping {name}: no PostgreSQL server can be started here ({why})");
            None
        }
    }
}

/// Makes a new database on `server` for the test `name`; returns its name.
fn create(server: &Server, name: &str) -> String {
    let db = format!(
        "t{}_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed),
        name.chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .take(30)
            .collect::<String>()
            .to_ascii_lowercase()
    );
    // CREATE DATABASE copies template1 and takes a lock on it: one at a time. The admin
    // connection is local (the socket directory): the TLS server takes TCP over TLS only.
    let _guard = CREATE.lock().unwrap_or_else(|e| e.into_inner());
    let mut config = postgres::Config::new();
    config
        .host_path(&server.dir)
        .port(server.port)
        .user(USER)
        .dbname("postgres");
    let mut admin = config
        .connect(postgres::NoTls)
        .unwrap_or_else(|e| panic!("the test server on port {} refused: {e}", server.port));
    admin
        .batch_execute(&format!("CREATE DATABASE {db}"))
        .unwrap_or_else(|e| panic!("CREATE DATABASE {db}: {e}"));
    db
}

impl Server {
    /// The URL of database `db`, with the password.
    pub fn url(&self, db: &str) -> String {
        format!("postgres://{USER}:{PASSWORD}@127.0.0.1:{}/{db}", self.port)
    }

    fn command(&self, tool: &str) -> Command {
        let exe = self.bin.join(tool);
        match &self.run_as {
            Some(user) => {
                let mut c = Command::new("runuser");
                c.args(["-u", user, "--"]).arg(exe);
                c
            }
            None => Command::new(exe),
        }
    }
}

/// Where `initdb` and `pg_ctl` are.
fn binaries() -> Option<PathBuf> {
    let on_path = std::env::var_os("PATH").and_then(|p| {
        std::env::split_paths(&p).find(|d| d.join("initdb").is_file() && d.join("pg_ctl").is_file())
    });
    if let Some(d) = on_path {
        // Debian's /usr/local/bin links point into /usr/lib/postgresql/N/bin; either works.
        return Some(d);
    }
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .flatten()
        .map(|e| e.path().join("bin"))
        .filter(|b| b.join("initdb").is_file())
        .collect();
    found.sort();
    found.pop()
}

fn run(mut c: Command, what: &str) -> Result<(), String> {
    let out = c.output().map_err(|e| format!("{what}: cannot run: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "{what} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(())
}

fn start(tls: bool) -> Result<Server, String> {
    let bin = binaries().ok_or("initdb not found on PATH or in /usr/lib/postgresql/*/bin")?;
    let root = std::env::temp_dir().join(format!(
        "bomscout-pg{}-{}",
        if tls { "-tls" } else { "" },
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&root).map_err(|e| format!("{}: {e}", root.display()))?;
    let is_root = process_uid() == Some(0);
    let run_as = is_root.then(|| "postgres".to_string());
    if let Some(user) = &run_as {
        let uid = user_id(user).ok_or(format!(
            "running as root and there is no `{user}` user to run the server as"
        ))?;
        std::os::unix::fs::chown(&root, Some(uid.0), Some(uid.1))
            .map_err(|e| format!("chown {}: {e}", root.display()))?;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_err(|e| format!("no free port: {e}"))?
        .port();
    let server = Server {
        port,
        dir: root.clone(),
        bin,
        run_as,
    };
    let pwfile = root.join("pw");
    std::fs::write(&pwfile, PASSWORD).map_err(|e| e.to_string())?;
    if let Some(user) = &server.run_as {
        if let Some(uid) = user_id(user) {
            let _ = std::os::unix::fs::chown(&pwfile, Some(uid.0), Some(uid.1));
        }
    }
    let data = root.join("data");
    let mut initdb = server.command("initdb");
    initdb
        .arg("-D")
        .arg(&data)
        .args([
            "-U",
            USER,
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
        ])
        .arg(format!("--pwfile={}", pwfile.display()))
        .args(["-E", "UTF8", "--locale=C.UTF-8", "--no-sync"]);
    run(initdb, "initdb")?;
    let mut options = format!(
        "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off \
         -c synchronous_commit=off -c full_page_writes=off -c max_connections=200",
        root.display()
    );
    if tls {
        certificates(&server)?;
        options.push_str(&format!(
            " -c ssl=on -c ssl_cert_file={dir}/server.crt -c ssl_key_file={dir}/server.key",
            dir = root.display()
        ));
        // TCP over TLS only: a client that does not ask for TLS is turned away.
        let hba = data.join("pg_hba.conf");
        let text = std::fs::read_to_string(&hba).map_err(|e| format!("{}: {e}", hba.display()))?;
        let text: String = text
            .lines()
            .map(|l| match l.strip_prefix("host ") {
                Some(rest) => format!("hostssl {rest}\n"),
                None => format!("{l}\n"),
            })
            .collect();
        std::fs::write(&hba, text).map_err(|e| format!("{}: {e}", hba.display()))?;
    }
    let mut ctl = server.command("pg_ctl");
    ctl.arg("-D")
        .arg(&data)
        .args(["-o", &options, "-l"])
        .arg(root.join("log"))
        .args(["-w", "-t", "60", "start"]);
    run(ctl, "pg_ctl start").map_err(|e| {
        let log = std::fs::read_to_string(root.join("log")).unwrap_or_default();
        format!("{e}\n{log}")
    })?;
    watch(&server, &data)?;
    Ok(server)
}

/// A certificate authority (`ca.crt`) and the server's key and certificate for `127.0.0.1`
/// signed by it (`server.key`, `server.crt`) in the server's directory, made with `openssl`;
/// the key readable by the server's user only, as PostgreSQL demands.
fn certificates(server: &Server) -> Result<(), String> {
    let dir = &server.dir;
    std::fs::write(
        dir.join("server.ext"),
        "subjectAltName = IP:127.0.0.1\nbasicConstraints = CA:FALSE\n\
         keyUsage = digitalSignature, keyEncipherment\nextendedKeyUsage = serverAuth\n",
    )
    .map_err(|e| e.to_string())?;
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    let openssl = |args: &[&str], what: &str| {
        let mut c = Command::new("openssl");
        c.current_dir(dir).args(args);
        run(c, what).map_err(|e| format!("{e} (is Debian's `openssl` installed?)"))
    };
    openssl(
        &[
            &["req", "-x509"],
            &ec[..],
            &[
                "-keyout",
                "ca.key",
                "-out",
                "ca.crt",
                "-days",
                "2",
                "-subj",
                "/CN=bomscout test CA",
            ],
        ]
        .concat(),
        "openssl req (CA)",
    )?;
    openssl(
        &[
            &["req"],
            &ec[..],
            &[
                "-keyout",
                "server.key",
                "-out",
                "server.csr",
                "-subj",
                "/CN=127.0.0.1",
            ],
        ]
        .concat(),
        "openssl req (server)",
    )?;
    openssl(
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.crt",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "server.crt",
            "-days",
            "2",
            "-extfile",
            "server.ext",
        ],
        "openssl x509",
    )?;
    let key = dir.join("server.key");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600))
        .map_err(|e| format!("chmod {}: {e}", key.display()))?;
    if let Some(user) = &server.run_as {
        let uid = user_id(user).ok_or(format!("no user {user}"))?;
        for f in ["server.key", "server.crt", "ca.crt"] {
            std::os::unix::fs::chown(dir.join(f), Some(uid.0), Some(uid.1))
                .map_err(|e| format!("chown {f}: {e}"))?;
        }
    }
    Ok(())
}

impl Server {
    /// The server's directory (data, socket, log).
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

/// Starts a watchdog that stops the server (`-m immediate`) and removes its directory once
/// this process has exited: test binaries have no destructor for statics.
fn watch(server: &Server, data: &Path) -> Result<(), String> {
    let stop = match &server.run_as {
        Some(user) => format!("runuser -u {user} -- "),
        None => String::new(),
    };
    let script = format!(
        "while kill -0 {pid} 2>/dev/null; do sleep 0.5; done; \
         {stop}'{pg_ctl}' -D '{data}' -m immediate -w stop >/dev/null 2>&1; rm -rf '{root}'",
        pid = std::process::id(),
        pg_ctl = server.bin.join("pg_ctl").display(),
        data = data.display(),
        root = server.dir.display(),
    );
    Command::new("sh")
        .args(["-c", &script])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map(drop)
        .map_err(|e| format!("cannot start the watchdog: {e}"))
}

/// This process's user id (the owner of `/proc/self`).
fn process_uid() -> Option<u32> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self").ok().map(|m| m.uid())
}

/// (uid, gid) of `user`, from `id`.
fn user_id(user: &str) -> Option<(u32, u32)> {
    let num = |flag: &str| -> Option<u32> {
        let out = Command::new("id").args([flag, user]).output().ok()?;
        String::from_utf8_lossy(&out.stdout).trim().parse().ok()
    };
    Some((num("-u")?, num("-g")?))
}
