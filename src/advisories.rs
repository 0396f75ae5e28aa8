//! `bomscout advisories update|status`: the advisory database (OSV's per-ecosystem exports)
//! that vulnerability matching reads, downloaded into the cache or copied by hand.
//!
//! Layout, the one osv-scanner uses offline: `{dir}/{Ecosystem}/all.zip`, the ecosystem spelled
//! as OSV spells it. `update` writes it under `{cache}/osv`; `status` reads it there or in
//! `--advisory-db`. The requests name only ecosystems: nothing about the scanned code is sent.

use anyhow::{bail, Context};
use bomscout_core::escape::printable;
use bomscout_core::Ecosystem;
use bomscout_net::zipcheck::{check_zip, count_entries, ZipLimits};
use bomscout_net::{Client, ClientConfig, Fetched, Sidecar};
use clap::{Args, Subcommand};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, SystemTime};

/// Where OSV publishes its exports when neither `--osv-url` nor `BOMSCOUT_OSV_URL` says
/// otherwise.
pub const DEFAULT_OSV_URL: &str = "https://osv-vulnerabilities.storage.googleapis.com";
/// The environment variable naming a mirror of the exports.
pub const OSV_URL_ENV: &str = "BOMSCOUT_OSV_URL";
/// The environment variable naming a local advisory database.
pub const ADVISORY_DB_ENV: &str = "BOMSCOUT_ADVISORY_DB";

/// `bomscout advisories ...`
#[derive(Debug, Subcommand)]
pub enum AdvisoriesCommand {
    /// Download OSV's per-ecosystem exports into the cache. Unchanged ones cost one small
    /// request (conditional GET); a failed or corrupt download keeps the previous copy.
    Update(UpdateArgs),
    /// What the advisory database holds, per ecosystem, and how old it is.
    Status(StatusArgs),
}

/// Arguments of `bomscout advisories update`.
#[derive(Debug, Args)]
pub struct UpdateArgs {
    /// Only this ecosystem (repeatable): OSV's name (npm, PyPI, Go, Maven...) or bomscout's
    /// (cargo, golang, gem...). Default: every ecosystem bomscout catalogs.
    #[arg(long = "ecosystem", value_name = "NAME")]
    pub ecosystems: Vec<String>,

    /// Where the exports are: `{URL}/{Ecosystem}/all.zip` (a mirror). Also BOMSCOUT_OSV_URL.
    /// Default: OSV's public bucket.
    #[arg(long, value_name = "URL")]
    pub osv_url: Option<String>,

    /// The cache directory (also BOMSCOUT_CACHE_DIR; default: the platform's cache directory
    /// plus `bomscout`). The exports go to `{DIR}/osv/{Ecosystem}/all.zip`.
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,

    /// Refuse to run (exit 2): updating needs the network, which --offline forbids (as it
    /// does for enrichment in every other command). No connection is made.
    #[arg(long)]
    pub offline: bool,
}

/// Arguments of `bomscout advisories status`.
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Only this ecosystem (repeatable), as for `update`.
    #[arg(long = "ecosystem", value_name = "NAME")]
    pub ecosystems: Vec<String>,

    /// Read this advisory database instead of the cache: a directory of `{Ecosystem}/all.zip`
    /// (a copied cache folder) or a tree of OSV .json/.yaml records. Also BOMSCOUT_ADVISORY_DB.
    #[arg(long, value_name = "DIR")]
    pub advisory_db: Option<PathBuf>,

    /// The cache directory, as for `update`.
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,

    /// Warn about a database not confirmed current for more than this many days.
    #[arg(long, value_name = "DAYS", default_value_t = 7)]
    pub max_age: u32,
}

/// Runs `bomscout advisories ...`.
pub fn run(command: &AdvisoriesCommand) -> anyhow::Result<ExitCode> {
    match command {
        AdvisoriesCommand::Update(args) => update(args),
        AdvisoriesCommand::Status(args) => status(args),
    }
}

/// The OSV ecosystem names asked for, in [`Ecosystem::ALL`] order, without repeats.
fn selected(names: &[String]) -> anyhow::Result<Vec<&'static str>> {
    let known: Vec<(Ecosystem, &'static str)> = Ecosystem::ALL
        .iter()
        .filter_map(|e| e.osv_name().map(|n| (*e, n)))
        .collect();
    if names.is_empty() {
        return Ok(known.iter().map(|(_, n)| *n).collect());
    }
    let mut wanted = Vec::new();
    for name in names {
        let found = known.iter().find(|(eco, osv)| {
            osv.eq_ignore_ascii_case(name) || eco.purl_type().eq_ignore_ascii_case(name)
        });
        match found {
            Some((_, osv)) => wanted.push(*osv),
            None => {
                let list: Vec<_> = known.iter().map(|(_, n)| *n).collect();
                bail!(
                    "--ecosystem {}: not an ecosystem with OSV advisories that bomscout catalogs; \
                     use one of: {}",
                    bomscout_core::escape::quote(name, bomscout_core::escape::QUOTE_LIMIT),
                    list.join(", ")
                );
            }
        }
    }
    Ok(known
        .iter()
        .map(|(_, n)| *n)
        .filter(|n| wanted.contains(n))
        .collect())
}

fn update(args: &UpdateArgs) -> anyhow::Result<ExitCode> {
    let ecosystems = selected(&args.ecosystems)?;
    let db = bomscout_net::cache::osv_dir(args.cache_dir.as_deref())?;
    let mut out = std::io::stdout().lock();
    if args.offline {
        // Updating is downloading: with the network forbidden, nothing was updated, and a
        // job that asked for an update must not read success.
        bail!(
            "offline: `advisories update` needs the network, and --offline forbids it: \
             nothing was updated, no connection made (the advisory database in {} is as it \
             was; `bomscout advisories status` shows it)",
            printable(&db.display().to_string())
        );
    }
    let base = args
        .osv_url
        .clone()
        .or_else(|| std::env::var(OSV_URL_ENV).ok().filter(|v| !v.is_empty()))
        .unwrap_or_else(|| DEFAULT_OSV_URL.to_string());
    // Check the base once, before any connection, so a typo is a usage error.
    bomscout_net::join_url(&base, &[]).context("--osv-url")?;
    let client = Client::new(ClientConfig::new(bomscout_net::user_agent(env!(
        "CARGO_PKG_VERSION"
    ))))?;
    writeln!(
        out,
        "updating {} ecosystem{} from {} into {}",
        ecosystems.len(),
        if ecosystems.len() == 1 { "" } else { "s" },
        printable(&bomscout_net::redact_url(&base)),
        printable(&db.display().to_string())
    )?;
    let width = ecosystems.iter().map(|e| e.len()).max().unwrap_or(0);
    let (mut updated, mut unchanged, mut failed) = (0usize, 0usize, 0usize);
    // When the first ecosystems find no server at all, the others are not tried: a nightly job
    // without network fails in seconds, not after every ecosystem's retries.
    let mut unreachable: Option<&str> = None;
    for eco in &ecosystems {
        let dest = db.join(eco).join("all.zip");
        if let Some(first) = unreachable {
            failed += 1;
            let line = format!(
                "failed     {eco:width$}  not tried: {first} got no complete answer from the server [{}]",
                kept(&dest)
            );
            writeln!(out, "{}", printable(&line))?;
            continue;
        }
        let outcome = bomscout_net::join_url(&base, &[eco, "all.zip"]).and_then(|url| {
            client.download(&url, &dest, |file| check_zip(file, ZipLimits::default()))
        });
        let line = match outcome {
            Ok(Fetched::Updated {
                bytes, validated, ..
            }) => {
                updated += 1;
                format!(
                    "updated    {eco:width$}  {} records, {}",
                    thousands(validated.files as u64),
                    size(bytes)
                )
            }
            Ok(Fetched::Unchanged { sidecar }) => {
                unchanged += 1;
                let records = count_entries(&dest)
                    .map(|n| format!("{} records", thousands(n as u64)))
                    .unwrap_or_else(|e| format!("records unreadable: {e}"));
                format!(
                    "unchanged  {eco:width$}  {records}, {} (not modified since {})",
                    size(sidecar.bytes),
                    sidecar.fetched_at
                )
            }
            Err(err) => {
                failed += 1;
                if matches!(err, bomscout_net::NetError::Transport { .. })
                    && updated + unchanged == 0
                {
                    unreachable = Some(eco);
                }
                format!("failed     {eco:width$}  {err} [{}]", kept(&dest))
            }
        };
        writeln!(out, "{}", printable(&line))?;
        out.flush()?;
    }
    writeln!(
        out,
        "{updated} updated, {unchanged} unchanged, {failed} failed"
    )?;
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else if failed < ecosystems.len() {
        ExitCode::from(1)
    } else {
        ExitCode::from(2)
    })
}

/// What a failed update left in place.
fn kept(dest: &Path) -> &'static str {
    if dest.is_file() {
        "the previous copy is kept"
    } else {
        "no copy yet"
    }
}

fn status(args: &StatusArgs) -> anyhow::Result<ExitCode> {
    let ecosystems = selected(&args.ecosystems)?;
    let db = database_dir(args.advisory_db.as_deref(), args.cache_dir.as_deref())?;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "advisory database: {}",
        printable(&db.display().to_string())
    )?;
    let max_age = Duration::from_secs(u64::from(args.max_age) * 86_400);
    let unreadable = write_status(&mut out, &db, &ecosystems, Some(max_age))?;
    Ok(if unreadable == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// The advisory database to read: `--advisory-db`, else `BOMSCOUT_ADVISORY_DB`, else the
/// cache's `osv` folder (where `update` writes).
pub fn database_dir(
    advisory_db: Option<&Path>,
    cache_dir: Option<&Path>,
) -> anyhow::Result<PathBuf> {
    match explicit_advisory_db(advisory_db)? {
        Some(dir) => Ok(dir),
        None => Ok(bomscout_net::cache::osv_dir(cache_dir)?),
    }
}

/// The advisory database named by `--advisory-db`, else by BOMSCOUT_ADVISORY_DB (empty:
/// unset), checked to be a directory; `None` when neither names one (then the cache's).
fn explicit_advisory_db(arg: Option<&Path>) -> anyhow::Result<Option<PathBuf>> {
    let explicit = arg.map(Path::to_path_buf).or_else(|| {
        std::env::var_os(ADVISORY_DB_ENV)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    });
    match explicit {
        Some(dir) if !dir.is_dir() => bail!(
            "--advisory-db {}: no such directory; give a folder of {{Ecosystem}}/all.zip \
             (a copy of the cache's osv folder) or of OSV .json/.yaml records",
            dir.display()
        ),
        other => Ok(other),
    }
}

/// Warnings for each export under `db` not confirmed current within `max_age` (by the
/// download's sidecar, else the file's time).
pub fn stale_exports(db: &Path, max_age: Duration) -> Vec<String> {
    let now = SystemTime::now();
    let Ok(entries) = std::fs::read_dir(db) else {
        return Vec::new();
    };
    let mut warnings = Vec::new();
    for entry in entries.flatten() {
        let file = entry.path().join("all.zip");
        let Ok(meta) = std::fs::metadata(&file) else {
            continue;
        };
        let Some(age) = confirmed(&file, &meta)
            .0
            .map(|t| now.duration_since(t).unwrap_or_default())
        else {
            continue;
        };
        if age > max_age {
            let eco = entry.file_name().to_string_lossy().into_owned();
            warnings.push(format!(
                "the {} advisories are {} old (more than {} days); run `bomscout advisories update --ecosystem '{}'`",
                printable(&eco),
                human_age(age),
                max_age.as_secs() / 86_400,
                printable(&eco)
            ));
        }
    }
    warnings.sort();
    warnings
}

/// When an export was last confirmed current: the download's sidecar (a `304` refreshes it
/// without touching the file), else the file's modification time; and which of the two.
fn confirmed(file: &Path, meta: &std::fs::Metadata) -> (Option<SystemTime>, &'static str) {
    match Sidecar::read(file).and_then(|s| s.checked_time()) {
        Some(t) => (Some(t), "checked"),
        None => (meta.modified().ok(), "modified"),
    }
}

/// Writes one line per ecosystem present under `db`, then the ones missing; with `max_age`, a
/// warning line for each older than that. Returns how many exports could not be read.
fn write_status(
    out: &mut impl Write,
    db: &Path,
    ecosystems: &[&str],
    max_age: Option<Duration>,
) -> anyhow::Result<usize> {
    let now = SystemTime::now();
    let mut rows: Vec<(&str, String)> = Vec::new();
    let mut missing = Vec::new();
    let mut warnings = Vec::new();
    let mut unreadable = 0;
    let mut present = 0;
    for eco in ecosystems {
        let file = db.join(eco).join("all.zip");
        let Ok(meta) = std::fs::metadata(&file) else {
            missing.push(*eco);
            continue;
        };
        present += 1;
        let (checked, from) = confirmed(&file, &meta);
        let age = checked.map(|t| now.duration_since(t).unwrap_or_default());
        let age_text = match age {
            Some(a) => format!("{from} {} ago", human_age(a)),
            None => String::from("age unknown"),
        };
        let records = match count_entries(&file) {
            Ok(n) => format!("{} records", thousands(n as u64)),
            Err(e) => {
                unreadable += 1;
                format!("unreadable ({e})")
            }
        };
        rows.push((
            eco,
            format!(
                "{records}, {}, {age_text}  {}",
                size(meta.len()),
                file.display()
            ),
        ));
        if let (Some(max), Some(age)) = (max_age, age) {
            if age > max {
                warnings.push(format!(
                    "warning: {eco}: the advisory database is {} old, more than {} day{}; \
                     run `bomscout advisories update --ecosystem '{eco}'`",
                    human_age(age),
                    max.as_secs() / 86_400,
                    if max.as_secs() / 86_400 == 1 { "" } else { "s" }
                ));
            }
        }
    }
    let width = rows.iter().map(|(e, _)| e.len()).max().unwrap_or(0);
    for (eco, rest) in &rows {
        writeln!(out, "{}", printable(&format!("{eco:width$}  {rest}")))?;
    }
    if present == 0 {
        match record_tree(db) {
            Some(tree) if tree.files > 0 => {
                writeln!(
                out,
                "{} OSV record files (.json/.yaml) in a tree, not in the {{Ecosystem}}/all.zip \
                 layout{}; newest modified {} ago",
                thousands(tree.files),
                if tree.capped { " (counting stopped)" } else { "" },
                human_age(now.duration_since(tree.newest).unwrap_or_default())
            )?
            }
            _ => writeln!(
                out,
                "no advisory database here yet: run `bomscout advisories update`, or copy one \
                 and give --advisory-db DIR"
            )?,
        }
    } else if !missing.is_empty() {
        writeln!(out, "not downloaded: {}", missing.join(", "))?;
    }
    for w in warnings {
        writeln!(out, "{}", printable(&w))?;
    }
    Ok(unreadable)
}

/// What a tree of OSV records holds, counted without reading the records.
struct RecordTree {
    files: u64,
    newest: SystemTime,
    capped: bool,
}

/// Counts `.json`/`.yaml`/`.yml` files under `dir` (no symlinks followed; bounded in depth and
/// in entries visited). `None` when `dir` cannot be read.
fn record_tree(dir: &Path) -> Option<RecordTree> {
    const MAX_ENTRIES: u64 = 2_000_000;
    const MAX_DEPTH: usize = 16;
    let mut tree = RecordTree {
        files: 0,
        newest: SystemTime::UNIX_EPOCH,
        capped: false,
    };
    let mut visited = 0u64;
    let mut stack = vec![(std::fs::read_dir(dir).ok()?, 0usize)];
    while let Some((mut entries, depth)) = stack.pop() {
        let Some(entry) = entries.next() else {
            continue;
        };
        stack.push((entries, depth));
        visited += 1;
        if visited > MAX_ENTRIES {
            tree.capped = true;
            break;
        }
        let Ok(entry) = entry else { continue };
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() && depth < MAX_DEPTH {
            if let Ok(sub) = std::fs::read_dir(entry.path()) {
                stack.push((sub, depth + 1));
            }
        } else if kind.is_file() {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            let is_record = [".json", ".yaml", ".yml"]
                .iter()
                .any(|ext| name.to_ascii_lowercase().ends_with(ext));
            if is_record {
                tree.files += 1;
                if let Ok(m) = entry.metadata().and_then(|m| m.modified()) {
                    tree.newest = tree.newest.max(m);
                }
            }
        }
    }
    Some(tree)
}

/// `12.3 MB`, `512 B`: decimal units, one decimal.
fn size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["kB", "MB", "GB", "TB"];
    if bytes < 1000 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1000.0;
    let mut unit = 0;
    while value >= 1000.0 && unit + 1 < UNITS.len() {
        value /= 1000.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

/// `1,234,567`
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `3 days`, `5 hours`, `12 minutes`, `less than a minute`.
fn human_age(age: Duration) -> String {
    let secs = age.as_secs();
    let (n, unit) = if secs >= 86_400 {
        (secs / 86_400, "day")
    } else if secs >= 3_600 {
        (secs / 3_600, "hour")
    } else if secs >= 60 {
        (secs / 60, "minute")
    } else {
        return String::from("less than a minute");
    };
    format!("{n} {unit}{}", if n == 1 { "" } else { "s" })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_map_to_osv_names() {
        let rust = bomscout_core::OSV_CRATES_ECOSYSTEM;
        assert_eq!(
            selected(&["cargo".into(), "pypi".into(), "npm".into()]).unwrap(),
            ["npm", "PyPI", rust]
        );
        assert_eq!(selected(&[rust.to_uppercase()]).unwrap(), [rust]);
        assert_eq!(selected(&["golang".into(), "Go".into()]).unwrap(), ["Go"]);
        let all = selected(&[]).unwrap();
        assert!(
            all.len() >= 15 && all.contains(&"GitHub Actions"),
            "{all:?}"
        );
        // OS packages: one export per distribution, every release in it.
        assert_eq!(
            selected(&["deb".into(), "Alpine".into(), "debian".into()]).unwrap(),
            ["Debian", "Alpine"]
        );
        assert!(
            all.contains(&"Debian") && all.contains(&"Alpine"),
            "{all:?}"
        );
        assert!(selected(&["rpm".into()]).is_err());
        let err = selected(&["docker".into()]).unwrap_err().to_string();
        assert!(err.contains("use one of: npm, PyPI"), "{err}");
    }

    #[test]
    fn numbers_for_people() {
        assert_eq!(size(512), "512 B");
        assert_eq!(size(12_345_678), "12.3 MB");
        assert_eq!(size(1_500), "1.5 kB");
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(thousands(100), "100");
        assert_eq!(human_age(Duration::from_secs(59)), "less than a minute");
        assert_eq!(human_age(Duration::from_secs(3 * 86_400 + 5)), "3 days");
        assert_eq!(human_age(Duration::from_secs(3_600)), "1 hour");
    }
}
