//! `bomscout upload` and `bomscout inventory --upload-dtrack`: CycloneDX SBOMs to
//! Dependency-Track's BOM API (the protocol is in `bomscout-dtrack`). Nothing is sent
//! anywhere unless `--dtrack-url` / `--upload-dtrack` is given.

use anyhow::{bail, Context};
use bomscout_dtrack::{ApiKey, Dtrack, FormChoice, Options, Parent, Processing, Project, Upload};
use bomscout_inventory::git::{self, Head};
use bomscout_inventory::RepoScan;
use bomscout_report::SpecVersion;
use clap::Args;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::mpsc::SyncSender;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How to reach Dependency-Track and what to create there; shared by `upload` and
/// `inventory --upload-dtrack`.
#[derive(Debug, Args, Clone)]
pub struct DtrackArgs {
    /// The environment variable holding the Dependency-Track API key (a key is never given on
    /// the command line, and never printed). The key's team needs BOM_UPLOAD, and
    /// PROJECT_CREATION_UPLOAD to create missing projects.
    #[arg(long, value_name = "VAR")]
    pub api_key_env: Option<String>,

    /// The parent project each new project is created under (the organization; Dependency-Track
    /// 4.8 or later). Created if missing, which needs PORTFOLIO_MANAGEMENT.
    #[arg(long, value_name = "NAME")]
    pub parent: Option<String>,

    /// The parent project's version, when it has one.
    #[arg(long, value_name = "VERSION", requires = "parent")]
    pub parent_version: Option<String>,

    /// auto (a JSON PUT up to 10 MB of SBOM, a multipart POST above: base64 makes the JSON
    /// form a third larger), json or multipart.
    #[arg(long, value_name = "FORM", default_value = "auto", value_parser = parse_form)]
    pub dtrack_form: FormChoice,

    /// Seconds to wait for Dependency-Track to process each upload (its token is polled);
    /// 0 does not wait.
    #[arg(long, value_name = "SECONDS", default_value_t = 300)]
    pub dtrack_wait: u64,

    /// Seconds one request may take before it counts as failed (and is retried).
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    pub dtrack_timeout: u64,

    /// Retries of a request that timed out or was answered 5xx or 429.
    #[arg(long, value_name = "N", default_value_t = 3)]
    pub dtrack_retries: u32,
}

/// Arguments of `bomscout upload`.
#[derive(Debug, Args)]
pub struct UploadArgs {
    /// SBOM files: CycloneDX JSON 1.2–1.6 is sent as it is; CycloneDX 1.7 or XML, SPDX and
    /// bomscout JSON are converted to CycloneDX JSON (--cyclonedx-version) first.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// The Dependency-Track API server's base URL (https://dtrack.example.com; its API is
    /// under /api/v1).
    #[arg(long, value_name = "URL")]
    pub dtrack_url: String,

    /// The project's name (one FILE only). Default: the SBOM's subject
    /// (metadata.component.name), else the file's name.
    #[arg(long, value_name = "NAME")]
    pub project_name: Option<String>,

    /// The project's version. Default: the branch (or tag) checked out in the git
    /// repository holding the FILE, else the SBOM subject's version.
    #[arg(long, value_name = "VERSION")]
    pub project_version: Option<String>,

    /// The CycloneDX version a converted file is written in: 1.6 (Dependency-Track 4.12 and
    /// later) or 1.5 (4.11); 1.4 for older servers.
    #[arg(long, value_name = "VERSION", default_value = "1.6", value_parser = parse_upload_version)]
    pub cyclonedx_version: SpecVersion,

    #[command(flatten)]
    pub dtrack: DtrackArgs,

    /// Print nothing but errors.
    #[arg(short, long)]
    pub quiet: bool,
}

/// The upload options of `bomscout inventory`.
#[derive(Debug, Args)]
pub struct InventoryUpload {
    /// Upload each repository's CycloneDX SBOM to the Dependency-Track API server at URL, as
    /// it is scanned: one project per repository (named by its path), its version the
    /// branch or tag checked out. A failed upload does not stop the others; they are
    /// summarized at the end, and the exit code is 2.
    #[arg(long, value_name = "URL")]
    pub upload_dtrack: Option<String>,

    #[command(flatten)]
    pub dtrack: DtrackArgs,
}

fn parse_form(s: &str) -> Result<FormChoice, String> {
    FormChoice::from_name(s).ok_or_else(|| "expected auto, json or multipart".to_string())
}

fn parse_upload_version(s: &str) -> Result<SpecVersion, String> {
    match SpecVersion::from_name(s) {
        Some(v) if v <= SpecVersion::V1_6 => Ok(v),
        _ => Err(
            "expected 1.4, 1.5 or 1.6: no Dependency-Track 4.x release accepts CycloneDX 1.7"
                .to_string(),
        ),
    }
}

/// The version given to a repository whose checkout names none (not a git repository, or
/// HEAD unreadable): Dependency-Track requires one.
pub const NO_VERSION: &str = "unversioned";

/// Connects to Dependency-Track at `url`: the key read from the environment, the client
/// built. Nothing is sent yet.
pub fn connect(url: &str, args: &DtrackArgs) -> anyhow::Result<Dtrack> {
    let Some(var) = args.api_key_env.as_deref() else {
        bail!(
            "--api-key-env VAR is required to upload to Dependency-Track: the name of the \
             environment variable holding the API key (never the key itself)"
        );
    };
    let shown = bomscout_core::escape::quote(var, 80);
    let value = match std::env::var(var) {
        Ok(v) => v,
        Err(std::env::VarError::NotPresent) => bail!(
            "--api-key-env {shown}: that environment variable is not set; put the \
             Dependency-Track API key in it"
        ),
        Err(std::env::VarError::NotUnicode(_)) => bail!(
            "--api-key-env {shown}: that environment variable is not valid UTF-8, so it \
             holds no API key"
        ),
    };
    let key = ApiKey::new(&value).with_context(|| format!("--api-key-env {shown}"))?;
    let mut config =
        bomscout_net::ClientConfig::new(bomscout_net::user_agent(env!("CARGO_PKG_VERSION")));
    config.read_timeout = Duration::from_secs(args.dtrack_timeout.max(1));
    config.attempts = args.dtrack_retries.saturating_add(1);
    let client = bomscout_net::Client::new(config)?;
    let options = Options {
        form: args.dtrack_form,
        parent: args.parent.as_ref().map(|name| Parent {
            name: name.clone(),
            version: args.parent_version.clone(),
        }),
        wait: Duration::from_secs(args.dtrack_wait),
    };
    Ok(Dtrack::new(url, key, client, options)?)
}

/// `bomscout upload`.
#[allow(clippy::print_stderr)]
pub fn upload(args: &UploadArgs) -> anyhow::Result<ExitCode> {
    if args.project_name.is_some() && args.files.len() > 1 {
        bail!(
            "--project-name names one project: give it with one FILE (each file's SBOM names \
             its own project otherwise)"
        );
    }
    let dtrack = connect(&args.dtrack_url, &args.dtrack)?;
    let mut failed = 0usize;
    for file in &args.files {
        let shown = file.display().to_string();
        let result = prepare(file, args).and_then(|(project, bom)| {
            let up = dtrack.upload(&Upload {
                source: &shown,
                project: &project,
                bom: &bom,
            })?;
            Ok((project, up))
        });
        match result {
            Ok((project, up)) => {
                if !args.quiet {
                    eprintln!("bomscout: {}", done_line(&shown, &project, &up, &dtrack));
                }
            }
            Err(e) => {
                failed += 1;
                let text = format!("{e:#}");
                eprintln!(
                    "bomscout: error: {}",
                    bomscout_core::escape::printable(&text)
                );
            }
        }
    }
    if failed > 0 {
        if args.files.len() > 1 {
            eprintln!(
                "bomscout: {failed} of {} uploads failed (the others were made)",
                args.files.len()
            );
        }
        return Ok(ExitCode::from(2));
    }
    Ok(ExitCode::SUCCESS)
}

/// `FILE → project "name@version": uploaded (form), processed`.
fn done_line(
    source: &str,
    project: &Project,
    up: &bomscout_dtrack::Uploaded,
    dtrack: &Dtrack,
) -> String {
    let mut line = format!(
        "{} → Dependency-Track project {project}: uploaded ({})",
        bomscout_core::escape::printable(source),
        up.form
    );
    if up.created_parent {
        if let Some(parent) = &dtrack.options().parent {
            line.push_str(&format!("; created the parent project {parent}"));
        }
    }
    match up.processing {
        Processing::Done { .. } => line.push_str(", processed"),
        Processing::StillRunning { waited } => line.push_str(&format!(
            ", still processing after {} s (Dependency-Track goes on with it; token {})",
            waited.as_secs(),
            up.token
        )),
        Processing::NotWaited => line.push_str(&format!(", token {}", up.token)),
    }
    line
}

/// The project and the bytes to send for `file`.
fn prepare(file: &Path, args: &UploadArgs) -> anyhow::Result<(Project, Vec<u8>)> {
    let bytes = crate::convert::read_document(file)?;
    let bom = if sendable_as_is(&bytes, args.cyclonedx_version) {
        bytes
    } else {
        convert(&bytes, file, args.cyclonedx_version)?
    };
    let subject = subject(&bom);
    let name = args
        .project_name
        .clone()
        .or(subject.name)
        .unwrap_or_else(|| stem(file));
    let version = match args.project_version.clone() {
        Some(v) => v,
        None => git_version(file).or(subject.version).with_context(|| {
            format!(
                "{}: no project version: the file is in no git checkout and its SBOM \
                     names no version; give --project-version",
                file.display()
            )
        })?,
    };
    Ok((Project { name, version }, bom))
}

/// Whether `bytes` is a CycloneDX JSON document Dependency-Track accepts as it is (1.2 to
/// 1.6), no newer than `target`.
fn sendable_as_is(bytes: &[u8], target: SpecVersion) -> bool {
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Head {
        bom_format: Option<String>,
        spec_version: Option<String>,
    }
    let Ok(head) = serde_json::from_slice::<Head>(bytes) else {
        return false;
    };
    let rank = |v: &str| {
        ["1.2", "1.3", "1.4", "1.5", "1.6"]
            .iter()
            .position(|x| *x == v)
    };
    head.bom_format.as_deref() == Some("CycloneDX")
        && head
            .spec_version
            .as_deref()
            .and_then(rank)
            .zip(rank(target.as_str()))
            .is_some_and(|(have, want)| have <= want)
}

/// Any document bomscout reads, written as CycloneDX JSON `version`.
fn convert(bytes: &[u8], file: &Path, version: SpecVersion) -> anyhow::Result<Vec<u8>> {
    let (catalog, name) = crate::convert::parse(bytes, file)?;
    let sbom = bomscout_pipeline::assemble(name.unwrap_or_else(|| stem(file)), vec![catalog]);
    let settings = bomscout_report::Settings {
        timestamp: Some(crate::scan::timestamp()),
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        cyclonedx_version: version,
        ..bomscout_report::Settings::default()
    };
    let mut out = Vec::new();
    bomscout_report::write(
        bomscout_report::Format::CycloneDxJson,
        &sbom,
        &settings,
        &mut out,
    )
    .with_context(|| format!("cannot convert {} to CycloneDX", file.display()))?;
    Ok(out)
}

/// `metadata.component`'s name and version.
#[derive(Default)]
struct Subject {
    name: Option<String>,
    version: Option<String>,
}

fn subject(bom: &[u8]) -> Subject {
    #[derive(serde::Deserialize)]
    struct Doc {
        metadata: Option<Metadata>,
    }
    #[derive(serde::Deserialize)]
    struct Metadata {
        component: Option<Component>,
    }
    #[derive(serde::Deserialize)]
    struct Component {
        name: Option<String>,
        version: Option<String>,
    }
    let nonblank = |s: Option<String>| s.filter(|s| !s.trim().is_empty());
    serde_json::from_slice::<Doc>(bom)
        .ok()
        .and_then(|d| d.metadata)
        .and_then(|m| m.component)
        .map(|c| Subject {
            name: nonblank(c.name),
            version: nonblank(c.version),
        })
        .unwrap_or_default()
}

fn stem(file: &Path) -> String {
    file.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .map(|n| {
            [".cdx.json", ".json", ".xml", ".spdx"]
                .iter()
                .find_map(|ext| n.strip_suffix(ext).map(str::to_string))
                .unwrap_or(n)
        })
        .unwrap_or_else(|| "sbom".to_string())
}

/// The branch or tag of the git checkout holding `file`, if any.
fn git_version(file: &Path) -> Option<String> {
    let abs = std::fs::canonicalize(file).ok()?;
    let repo = abs.ancestors().skip(1).find(|d| d.join(".git").exists())?;
    version_of(&git::head(repo), repo)
}

/// A checkout's project version: its branch; else (a detached HEAD) a tag naming the commit;
/// else the commit's first 12 hex digits; `None` when HEAD is unknown.
pub fn version_of(head: &Head, repo: &Path) -> Option<String> {
    if let Some(branch) = &head.branch {
        return Some(branch.clone());
    }
    let commit = head.commit.as_deref()?;
    if let Some(tag) = git::tags_at(repo, commit).into_iter().next() {
        return Some(tag);
    }
    Some(commit.chars().take(12).collect())
}

/// One repository's SBOM waiting to be uploaded.
pub struct Job {
    source: String,
    project: Project,
    bom: Vec<u8>,
}

/// The uploads of an inventory run: a few workers, fed as repositories are recorded; the
/// outcomes kept for the summary.
pub struct Uploads {
    dtrack: Dtrack,
    url: String,
    uploaded: Mutex<Vec<(String, Project, bomscout_dtrack::Uploaded)>>,
    failed: Mutex<Vec<String>>,
    not_scanned: Mutex<usize>,
}

/// Uploads at once: Dependency-Track takes each into its queue; more would only wait there.
const WORKERS: usize = 4;

impl InventoryUpload {
    /// The uploader, when `--upload-dtrack` is given (the key checked here, before anything
    /// is scanned); an error for upload options without it.
    pub fn start(&self) -> anyhow::Result<Option<Uploads>> {
        let Some(url) = &self.upload_dtrack else {
            if self.dtrack.api_key_env.is_some() || self.dtrack.parent.is_some() {
                bail!("--api-key-env and --parent are options of --upload-dtrack URL; give it too");
            }
            return Ok(None);
        };
        Ok(Some(Uploads {
            dtrack: connect(url, &self.dtrack)?,
            url: bomscout_net::redact_url(url),
            uploaded: Mutex::default(),
            failed: Mutex::default(),
            not_scanned: Mutex::default(),
        }))
    }
}

impl Uploads {
    /// Starts the workers in `scope`; the sender feeds them, and they stop when it is dropped.
    pub fn spawn<'scope>(
        &'scope self,
        scope: &'scope std::thread::Scope<'scope, '_>,
    ) -> SyncSender<Job> {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Job>(WORKERS * 2);
        let rx = Arc::new(Mutex::new(rx));
        for _ in 0..WORKERS {
            let rx = Arc::clone(&rx);
            scope.spawn(move || loop {
                let job = match rx.lock() {
                    Ok(rx) => rx.recv(),
                    Err(_) => return,
                };
                let Ok(job) = job else { return };
                self.run(job);
            });
        }
        tx
    }

    fn run(&self, job: Job) {
        let result = self.dtrack.upload(&Upload {
            source: &job.source,
            project: &job.project,
            bom: &job.bom,
        });
        match result {
            Ok(up) => lock(&self.uploaded).push((job.source, job.project, up)),
            Err(e) => lock(&self.failed).push(format!("{e:#}")),
        }
    }

    /// The job for a recorded repository scan; `None` (and counted) when its scan failed.
    pub fn job(&self, scan: RepoScan) -> Option<Job> {
        let Ok(scanned) = scan.result else {
            *lock(&self.not_scanned) += 1;
            return None;
        };
        let version =
            version_of(&scan.head, &scan.repo.abs).unwrap_or_else(|| NO_VERSION.to_string());
        Some(Job {
            source: scan.repo.path.clone(),
            project: Project {
                name: scan.repo.path,
                version,
            },
            bom: scanned.cyclonedx,
        })
    }

    /// Prints the summary (every failure, always; the rest unless `quiet`); whether all
    /// uploads succeeded.
    #[allow(clippy::print_stderr)]
    pub fn summarize(&self, quiet: bool) -> bool {
        let uploaded = lock(&self.uploaded);
        let failed = lock(&self.failed);
        let not_scanned = *lock(&self.not_scanned);
        for f in failed.iter() {
            eprintln!("bomscout: error: {}", bomscout_core::escape::printable(f));
        }
        if !quiet || !failed.is_empty() {
            let still = uploaded
                .iter()
                .filter(|(_, _, u)| matches!(u.processing, Processing::StillRunning { .. }))
                .count();
            let parent = uploaded
                .iter()
                .any(|(_, _, u)| u.created_parent)
                .then(|| {
                    self.dtrack
                        .options()
                        .parent
                        .as_ref()
                        .map(|p| format!("; created the parent project {p}"))
                })
                .flatten()
                .unwrap_or_default();
            eprintln!(
                "bomscout: Dependency-Track {}: {} uploaded{}, {} failed{}{parent}",
                bomscout_core::escape::printable(&self.url),
                uploaded.len(),
                if still > 0 {
                    format!(" ({still} still processing when the wait ended)")
                } else {
                    String::new()
                },
                failed.len(),
                if not_scanned > 0 {
                    format!(", {not_scanned} not uploaded because their scan failed")
                } else {
                    String::new()
                },
            );
        }
        failed.is_empty()
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cyclonedx_json_up_to_the_target_is_sent_as_it_is() {
        let doc = |v: &str| format!(r#"{{"bomFormat":"CycloneDX","specVersion":"{v}"}}"#);
        assert!(sendable_as_is(doc("1.6").as_bytes(), SpecVersion::V1_6));
        assert!(sendable_as_is(doc("1.4").as_bytes(), SpecVersion::V1_6));
        assert!(sendable_as_is(doc("1.2").as_bytes(), SpecVersion::V1_5));
        assert!(!sendable_as_is(doc("1.6").as_bytes(), SpecVersion::V1_5));
        assert!(!sendable_as_is(doc("1.7").as_bytes(), SpecVersion::V1_6));
        assert!(!sendable_as_is(
            br#"{"spdxVersion":"SPDX-2.3"}"#,
            SpecVersion::V1_6
        ));
        assert!(!sendable_as_is(b"<bom/>", SpecVersion::V1_6));
    }

    #[test]
    fn subject_and_stem() {
        let s = subject(br#"{"metadata":{"component":{"name":"shop","version":" "}}}"#);
        assert_eq!(s.name.as_deref(), Some("shop"));
        assert_eq!(s.version, None);
        assert!(subject(b"not json").name.is_none());
        assert_eq!(stem(Path::new("/x/shop.cdx.json")), "shop");
        assert_eq!(stem(Path::new("bom.spdx")), "bom");
        assert_eq!(stem(Path::new("bom")), "bom");
    }

    #[test]
    fn versions_from_a_checkout() {
        let dir = tempfile::tempdir().unwrap();
        let commit = "0123456789abcdef0123456789abcdef01234567";
        std::fs::create_dir_all(dir.path().join(".git/refs/tags")).unwrap();
        let branch = Head {
            commit: Some(commit.into()),
            branch: Some("release/2.x".into()),
        };
        assert_eq!(
            version_of(&branch, dir.path()).as_deref(),
            Some("release/2.x")
        );
        let detached = Head {
            commit: Some(commit.into()),
            branch: None,
        };
        assert_eq!(
            version_of(&detached, dir.path()).as_deref(),
            Some("0123456789ab")
        );
        std::fs::write(dir.path().join(".git/refs/tags/v2.1.0"), commit).unwrap();
        assert_eq!(version_of(&detached, dir.path()).as_deref(), Some("v2.1.0"));
        assert_eq!(version_of(&Head::default(), dir.path()), None);
    }

    #[test]
    fn the_json_limit_is_what_the_help_says() {
        assert_eq!(bomscout_dtrack::JSON_FORM_LIMIT, 10_000_000);
    }
}
