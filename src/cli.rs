//! Command-line arguments (clap derive), and their conversion into validated settings.

use anyhow::{bail, Context};
use bomscout_report::Format;
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// SBOM inventory and license-compliance scanner.
#[derive(Debug, Parser)]
#[command(name = "bomscout", version, about, max_term_width = 100)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,

    /// Color verdicts and severities: auto (on a terminal, unless NO_COLOR is set), always
    /// (also CLICOLOR_FORCE=1), never. Files and pipes never get color.
    #[arg(long, global = true, value_name = "WHEN", default_value = "auto")]
    pub color: clap::ColorChoice,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Find every package in the given paths and write an SBOM.
    Scan(ScanArgs),
    /// Read a CycloneDX or SPDX JSON document and write it in other formats.
    Convert(ConvertArgs),
    /// Combine SBOM documents into one, deduplicated by purl, keeping every occurrence.
    Merge(MergeArgs),
    /// Check every license against a policy: exit 1 on violations (the pull-request gate).
    Check(CheckArgs),
    /// List the licenses found, their categories, and which components use them.
    Licenses(LicensesArgs),
    /// Policy file helpers.
    #[command(subcommand)]
    Policy(PolicyCommand),
    /// Scan every repository under the roots into an inventory database (the nightly job).
    Inventory(InventoryArgs),
    /// Ask an inventory database: where is X used, licenses, violations, diff, scorecard.
    Query(QueryArgs),
    /// Known vulnerabilities of a tree's components, matched locally against the advisory
    /// database and judged by the policy's `[security]` table; exit 1 when one fails it.
    Audit(crate::audit::AuditArgs),
    /// The advisory database (OSV exports): `update` downloads it, `status` shows its age.
    #[command(subcommand)]
    Advisories(crate::advisories::AdvisoriesCommand),
    /// Decide before adopting: a package's licenses and what the policy says they oblige,
    /// known vulnerabilities, OpenSSF Scorecard, upkeep, and a verdict with every reason.
    /// Asks the enrichment sources by itself (only ecosystem, name and version are sent);
    /// `--offline` answers from the cache only. Exit 0 allowed, 1 denied (or review with
    /// `--fail-on review`), 2 when a package could not be decided.
    Vet(crate::vet::VetArgs),
    /// Upload CycloneDX SBOMs to Dependency-Track (its BOM API), one project each; the API
    /// key comes from the environment variable named by --api-key-env. Exit 2 when an
    /// upload failed.
    Upload(crate::upload::UploadArgs),
    /// Print a shell completion script: `bomscout completions bash > /etc/bash_completion.d/bomscout`.
    Completions {
        /// bash, zsh, fish, elvish or powershell.
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff): `bomscout man > bomscout.1`.
    Man,
}

/// Arguments of `bomscout inventory`.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct InventoryArgs {
    /// `merge`: fold shard databases into one.
    #[command(subcommand)]
    pub command: Option<InventoryCommand>,

    /// Directories holding repositories: each directory with a `.git` below them is one.
    pub roots: Vec<PathBuf>,

    /// The database: a file (created if missing) or `postgres://USER@HOST/DB` (default:
    /// BOMSCOUT_DB).
    #[arg(long, value_name = "FILE|URL")]
    pub db: Option<PathBuf>,

    /// Join the run every shard of this night shares under KEY (default: BOMSCOUT_RUN_KEY),
    /// e.g. the CI run's id: shards writing into one PostgreSQL database need no merge.
    /// The run is finished when all N shards of `--shard I/N` are.
    #[arg(long, value_name = "KEY")]
    pub run_key: Option<String>,

    /// Evaluate every repository against this policy (a file or builtin:NAME).
    #[arg(long, value_name = "FILE|builtin:NAME")]
    pub policy: Option<String>,

    /// Scan only the I-th of N stable slices of the repositories (0-based: 0/4 … 3/4).
    #[arg(long, value_name = "I/N")]
    pub shard: Option<String>,

    /// Each immediate subdirectory of a root is a repository, `.git` or not.
    #[arg(long)]
    pub repos_are_children: bool,

    /// The run's label; shards of one night must share it (default: today's UTC date).
    #[arg(long)]
    pub label: Option<String>,

    /// Glob of paths to skip inside repositories (repeatable).
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,

    /// Do not read local package caches outside the repositories.
    #[arg(long, alias = "no-cargo")]
    pub no_caches: bool,

    /// Repositories scanned at once (default: available cores).
    #[arg(short, long)]
    pub jobs: Option<usize>,

    /// Print nothing but errors.
    #[arg(short, long)]
    pub quiet: bool,

    /// Scan every repository, even those unchanged since their last scan. By default a
    /// repository whose commit (without git: whose catalogued files) and scan settings are
    /// those of its last recorded scan reuses that scan (`query repos` shows which).
    #[arg(long)]
    pub full: bool,

    /// Match every component of the run against the advisory database (OSV) and store the
    /// findings: `query vulns`, vulnerability counts in the scorecard, `query diff`.
    /// The database is opened once, before any repository is scanned: one that cannot be
    /// opened stops the run.
    #[arg(long)]
    pub advisories: bool,

    /// Where the advisories are (`--advisory-db` or `--vex` imply --advisories), as for
    /// `scan`, `check` and `audit`.
    #[command(flatten)]
    pub advisory: crate::audit::AdvisoryOptions,

    /// Enrichment: one engine for the whole run, so each distinct package is asked about
    /// once however many repositories use it.
    #[command(flatten)]
    pub enrich: crate::enrich::EnrichOptions,

    /// Uploads to Dependency-Track (`--upload-dtrack URL`).
    #[command(flatten)]
    pub dtrack: Box<crate::upload::InventoryUpload>,
}

/// `bomscout inventory …` subcommands.
#[derive(Debug, Subcommand)]
pub enum InventoryCommand {
    /// Fold shard databases into one (runs matched by label).
    Merge {
        /// The shard databases.
        #[arg(required = true)]
        shards: Vec<PathBuf>,
        /// The database to fold them into: a file (created if missing) or a PostgreSQL URL
        /// (default: BOMSCOUT_DB).
        #[arg(long, value_name = "FILE|URL")]
        db: Option<PathBuf>,
    },
    /// Match the stored components of a run against the current advisory database, without
    /// scanning any repository: a new run re-using that run's scans, with today's findings
    /// (an advisory published since the night's scan shows up; `query diff` shows it).
    Rematch(RematchArgs),
}

/// Arguments of `bomscout inventory rematch`.
#[derive(Debug, Args)]
pub struct RematchArgs {
    /// The inventory database: a file or a PostgreSQL URL (default: BOMSCOUT_DB).
    #[arg(long, value_name = "FILE|URL")]
    pub db: Option<PathBuf>,

    /// The run whose components to match (default: the newest finished run).
    #[arg(long)]
    pub run: Option<i64>,

    /// The new run's label (default: today's UTC date).
    #[arg(long)]
    pub label: Option<String>,

    /// Where the advisories are, as for `inventory`.
    #[command(flatten)]
    pub advisory: crate::audit::AdvisoryOptions,

    /// Print nothing but errors.
    #[arg(short, long)]
    pub quiet: bool,
}

/// Arguments of `bomscout query`.
#[derive(Debug, Args)]
pub struct QueryArgs {
    /// The inventory database: a file or a PostgreSQL URL (default: BOMSCOUT_DB). A
    /// read-only role is enough.
    #[arg(long, value_name = "FILE|URL", global = true)]
    pub db: Option<PathBuf>,

    /// The run to read (default: the newest finished run).
    #[arg(long, global = true)]
    pub run: Option<i64>,

    /// Output: table, json, csv or markdown (scorecard also html; export takes SBOM
    /// formats), optionally `=FILE`. Repeatable.
    #[arg(
        short = 'o',
        long = "output",
        value_name = "FORMAT[=FILE]",
        global = true
    )]
    pub outputs: Vec<String>,

    /// The question.
    #[command(subcommand)]
    pub question: Question,
}

/// The questions `bomscout query` answers.
#[derive(Debug, Subcommand)]
pub enum Question {
    /// Every repository and file using a package (a purl, or a name).
    Where {
        /// `pkg:type/namespace/name[@version]` or a bare name.
        package: String,
        /// Only versions in this range, e.g. `<2.17.0` or `>=2.0,<2.17.1`.
        #[arg(long)]
        version: Option<String>,
    },
    /// Licenses across the organization: counts and repositories.
    Licenses {
        /// Only this category: permissive, public-domain, weak-copyleft, strong-copyleft,
        /// network-copyleft, responsible-ai, restricted-model, non-commercial, proprietary,
        /// source-available, unknown.
        #[arg(long, value_parser = parse_category)]
        category: Option<String>,
    },
    /// Policy violations by repository, with the run each first appeared in.
    Violations {
        /// Only violations first seen on or after this date (YYYY-MM-DD).
        #[arg(long, value_parser = parse_date)]
        since: Option<String>,
    },
    /// Known vulnerabilities of a run matched against advisories: which repositories, paths,
    /// scopes (dev-only or not) and fixes.
    Vulns {
        /// Only this level and worse: critical, high, medium, low, none. `unknown` (no
        /// rating published) is not on that scale: it shows only the unrated ones.
        #[arg(long, value_parser = parse_vuln_severity)]
        severity: Option<bomscout_core::vuln::VulnSeverity>,
        /// Only this vulnerability, by any of its ids (CVE-2021-44228 finds the GHSA).
        #[arg(long, value_name = "ID")]
        id: Option<String>,
    },
    /// Packages and licenses added, removed or changed between two runs; vulnerabilities
    /// introduced and fixed when both runs were matched against advisories.
    Diff {
        /// The earlier run (default: the finished run before `--to`).
        #[arg(long)]
        from: Option<i64>,
        /// The later run (default: the newest finished run).
        #[arg(long)]
        to: Option<i64>,
    },
    /// Per-repository and organization scores, with the trend since the previous run.
    Scorecard,
    /// The runs in the database.
    Runs,
    /// The repositories of a run and what the run did with each: scanned, reused
    /// (unchanged since its last scan) or removed (recorded before, gone now).
    Repos {
        /// Only these: scanned, reused, removed, or failed (scans that failed).
        #[arg(long, value_parser = ["scanned", "reused", "removed", "failed"])]
        status: Option<String>,
    },
    /// The organization-wide SBOM of a run: every repository a project, every occurrence kept.
    Export {
        /// SBOM outputs (as for `scan -o`).
        #[command(flatten)]
        out: ExportArgs,
    },
}

/// A license category name, checked where it is given: a typo must not read as "no rows".
fn parse_category(s: &str) -> Result<String, String> {
    s.parse::<bomscout_license::Category>()
        .map(|c| c.as_str().to_string())
        .map_err(|_| {
            let names: Vec<&str> = bomscout_license::Category::ALL
                .iter()
                .map(|c| c.as_str())
                .collect();
            format!(
                "not a license category; expected one of: {}",
                names.join(", ")
            )
        })
}

/// A vulnerability severity level, checked where it is given.
fn parse_vuln_severity(s: &str) -> Result<bomscout_core::vuln::VulnSeverity, String> {
    use bomscout_core::vuln::VulnSeverity;
    VulnSeverity::ALL
        .into_iter()
        .find(|l| l.as_str().eq_ignore_ascii_case(s.trim()))
        .ok_or_else(|| {
            "not a severity; expected one of: critical, high, medium, low, none, unknown"
                .to_string()
        })
}

/// A `YYYY-MM-DD` that is a real date.
pub(crate) fn parse_date(s: &str) -> Result<String, String> {
    bomscout_policy::Date::parse(s)
        .map(|d| d.to_string())
        .ok_or_else(|| "not a real date in the form YYYY-MM-DD".to_string())
}

/// Output options of `query export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// CycloneDX version for CycloneDX outputs.
    #[arg(long, default_value = "1.6", value_parser = parse_cdx_version)]
    pub cyclonedx_version: bomscout_report::SpecVersion,

    /// The SPDX document namespace.
    #[arg(long)]
    pub namespace: Option<String>,
}

/// `bomscout policy …`.
#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Write an annotated starter policy file (`-` for stdout).
    Init {
        /// Where to write it.
        #[arg(default_value = "bomscout-policy.toml")]
        file: PathBuf,
        /// Overwrite the file if it exists.
        #[arg(long)]
        force: bool,
    },
}

/// Arguments of `bomscout check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub scan: ScanOptions,

    /// The policy: a file, or builtin:stage1 | builtin:permissive | builtin:strict. Default:
    /// `bomscout-policy.toml` or `.bomscout.toml` in the scanned directory, then in the
    /// current directory, then the `BOMSCOUT_POLICY` environment variable.
    #[arg(long, value_name = "FILE|builtin:NAME")]
    pub policy: Option<String>,

    /// An SBOM of the base branch (CycloneDX or SPDX JSON): only new violations fail.
    #[arg(long, value_name = "SBOM")]
    pub baseline: Option<PathBuf>,

    /// Fail on denials only (default) or on reviews too.
    #[arg(long, value_name = "deny|review", default_value = "deny", value_parser = ["deny", "review"])]
    pub fail_on: String,

    /// Report as FORMAT, to FILE or stdout (`-`); repeatable. Formats: table (default), json,
    /// sarif, markdown, github.
    #[arg(short, long = "output", value_name = "FORMAT[=FILE]")]
    pub outputs: Vec<String>,

    /// The day exceptions are checked against (default: today, UTC).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    pub date: Option<String>,

    /// Judge what could be read even if some files or directories could not be: without
    /// it, unreadable input gives exit code 2 (no verdict), because a gate must not pass
    /// on what it did not read.
    #[arg(long)]
    pub allow_unreadable: bool,

    /// Judge known vulnerabilities too (a policy with a `[security]` table does without
    /// this flag): components are matched against the local advisory database.
    #[arg(long)]
    pub advisories: bool,

    #[command(flatten)]
    pub advisory: crate::audit::AdvisoryOptions,

    #[command(flatten)]
    pub enrich: crate::enrich::EnrichOptions,
}

/// Arguments of `bomscout licenses`.
#[derive(Debug, Args)]
pub struct LicensesArgs {
    #[command(flatten)]
    pub scan: ScanOptions,

    /// Report as FORMAT, to FILE or stdout (`-`); repeatable. Formats: table (default),
    /// json, csv, markdown.
    #[arg(short, long = "output", value_name = "FORMAT[=FILE]")]
    pub outputs: Vec<String>,

    #[command(flatten)]
    pub enrich: crate::enrich::EnrichOptions,

    /// The cache directory, where enrichment keeps its answers. Also BOMSCOUT_CACHE_DIR.
    #[arg(long, value_name = "DIR", help_heading = "Enrichment")]
    pub cache_dir: Option<PathBuf>,
}

/// Where and how to write documents (shared by `scan`, `convert` and `merge`).
#[derive(Debug, Args)]
pub struct OutputArgs {
    /// Output as FORMAT, to FILE or stdout; repeatable. Formats: table (default), json,
    /// cyclonedx-json, cyclonedx-xml, spdx-json, spdx-tag-value, spdx3-json, notice,
    /// notice-markdown.
    #[arg(short, long = "output", value_name = "FORMAT[=FILE]")]
    pub outputs: Vec<String>,

    /// CycloneDX specification version to write: 1.4, 1.5, 1.6 or 1.7.
    #[arg(long, value_name = "VERSION", default_value = "1.6", value_parser = parse_cdx_version)]
    pub cyclonedx_version: bomscout_report::SpecVersion,

    /// SPDX document namespace URI (default: derived from the content, so re-runs agree).
    #[arg(long, value_name = "URI")]
    pub namespace: Option<String>,

    /// Report NTIA minimum elements the SBOM lacks (supplier, version, relationships) on
    /// stderr, and exit with code 2 if any is missing.
    #[arg(long)]
    pub strict_ntia: bool,
}

/// Arguments of `bomscout convert`.
#[derive(Debug, Args)]
pub struct ConvertArgs {
    /// The document to read (`-` for stdin): bomscout JSON, CycloneDX JSON or XML, SPDX 2
    /// JSON or tag-value, or SPDX 3 JSON-LD, told apart by content.
    pub input: PathBuf,

    #[command(flatten)]
    pub out: OutputArgs,

    #[command(flatten)]
    pub verbosity: Verbosity,
}

/// Arguments of `bomscout merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The documents to combine, in any format `convert` reads, mixed as you like.
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,

    /// The merged document's name.
    #[arg(long, default_value = "merged")]
    pub name: String,

    #[command(flatten)]
    pub out: OutputArgs,

    #[command(flatten)]
    pub verbosity: Verbosity,
}

/// Arguments of `bomscout scan`.
#[derive(Debug, Args)]
pub struct ScanArgs {
    #[command(flatten)]
    pub scan: ScanOptions,

    /// Match components against the local advisory database and put the known
    /// vulnerabilities into every output.
    #[arg(long)]
    pub advisories: bool,

    #[command(flatten)]
    pub advisory: crate::audit::AdvisoryOptions,

    #[command(flatten)]
    pub enrich: crate::enrich::EnrichOptions,

    #[command(flatten)]
    pub out: OutputArgs,
}

/// What to scan and how: one group shared by `scan`, `check` and `licenses`, so the three
/// accept the same flags with the same meaning.
#[derive(Debug, Args)]
pub struct ScanOptions {
    /// Directories, files or container images to scan (a file is read as the file it is; a
    /// `docker save` archive or an OCI image layout is read as an image, in memory).
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,

    /// Skip paths matching GLOB (a name like `node_modules`, or a path like `vendor/**`); repeatable.
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,

    /// Leave dev-only components out (they are kept and marked by default).
    #[arg(long)]
    pub no_dev: bool,

    /// Follow symbolic links (loops are detected).
    #[arg(long)]
    pub follow_links: bool,

    /// Do not read local package caches outside the scanned paths for licenses (the cargo
    /// registry, the Go module cache, the local Maven repository, NuGet's global packages
    /// folder, ...): the scan then reads nothing but the given paths. bomscout never runs a
    /// package manager and never fetches anything either way. `--no-cargo` is an alias.
    #[arg(long, alias = "no-cargo")]
    pub no_caches: bool,

    /// Minimum confidence (0–1) for a LICENSE file's text to count as a package's license when
    /// its metadata declares none, or to confirm the license it declares.
    #[arg(long, value_name = "SCORE", default_value_t = 0.9)]
    pub license_threshold: f32,

    /// Exit with code 2 if any file could not be parsed, or a path holds nothing to catalog.
    #[arg(long)]
    pub strict: bool,

    /// Worker threads (default: the number of cores).
    #[arg(short, long, value_name = "N")]
    pub jobs: Option<usize>,

    /// The platform to read from a multi-platform container image given as a path
    /// (`linux/arm64`, `linux/arm/v7`); default: linux/amd64 when the image offers several.
    #[arg(long, value_name = "OS/ARCH[/VARIANT]")]
    pub platform: Option<String>,

    #[command(flatten)]
    pub verbosity: Verbosity,
}

/// How much goes to stderr (every command that scans or reads documents).
#[derive(Debug, Args, Clone, Copy, Default)]
pub struct Verbosity {
    /// Print nothing but errors and the requested outputs.
    #[arg(short, long, conflicts_with = "verbose")]
    pub quiet: bool,

    /// Also print informational diagnostics.
    #[arg(short, long)]
    pub verbose: bool,
}

fn parse_cdx_version(s: &str) -> Result<bomscout_report::SpecVersion, String> {
    bomscout_report::SpecVersion::from_name(s).ok_or_else(|| {
        format!("unsupported CycloneDX version {s:?}; expected 1.4, 1.5, 1.6 or 1.7")
    })
}

/// Where one output goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputSpec {
    /// The format.
    pub format: Format,
    /// The file, or `None` for stdout.
    pub file: Option<PathBuf>,
}

/// Splits an `-o` value, `FORMAT` or `FORMAT=FILE`, for every command: the format's name
/// and the file, `None` for stdout (no file, or `-` as everywhere on the command line).
pub fn split_output(spec: &str) -> anyhow::Result<(&str, Option<PathBuf>)> {
    Ok(match spec.split_once('=') {
        Some((name, "-")) => (name, None),
        Some((name, file)) if !file.is_empty() => (name, Some(PathBuf::from(file))),
        Some((name, _)) => bail!("output {spec:?}: a file name must follow `{name}=`"),
        None => (spec, None),
    })
}

/// Parses every `-o` value of a command into `(format, file)`: `format` names a format (or
/// says why it cannot), and `default` goes to stdout when no `-o` is given. The one reader
/// of `-o` lists, so every command takes the same syntax.
pub fn parse_outputs<F>(
    specs: &[String],
    default: F,
    format: impl Fn(&str) -> anyhow::Result<F>,
) -> anyhow::Result<Vec<(F, Option<PathBuf>)>> {
    if specs.is_empty() {
        return Ok(vec![(default, None)]);
    }
    specs
        .iter()
        .map(|spec| {
            let (name, file) = split_output(spec)?;
            Ok((format(name)?, file))
        })
        .collect()
}

/// Refuses two `what`s to stdout: they would be interleaved into neither format.
pub fn one_on_stdout<'a>(
    files: impl IntoIterator<Item = &'a Option<PathBuf>>,
    what: &str,
) -> anyhow::Result<()> {
    if files.into_iter().filter(|f| f.is_none()).count() > 1 {
        bail!("more than one {what} goes to stdout; give all but one a file: -o FORMAT=FILE");
    }
    Ok(())
}

impl OutputSpec {
    fn format(name: &str) -> anyhow::Result<Format> {
        Format::from_name(name).with_context(|| {
            format!(
                "unknown output format {name:?}; expected one of: {}",
                Format::NAMES.join(", ")
            )
        })
    }

    /// Parses every `-o` value (default: the table on stdout); at most one to stdout.
    pub fn parse_all(specs: &[String]) -> anyhow::Result<Vec<OutputSpec>> {
        let outputs = parse_outputs(specs, Format::Table, Self::format)?;
        one_on_stdout(outputs.iter().map(|(_, f)| f), "output")?;
        Ok(outputs
            .into_iter()
            .map(|(format, file)| OutputSpec { format, file })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_specs() {
        let one = |spec: &str| OutputSpec::parse_all(&[spec.to_string()]).map(|mut v| v.remove(0));
        let o = one("cyclonedx-json=bom.json").unwrap();
        assert_eq!(o.format, Format::CycloneDxJson);
        assert_eq!(o.file, Some(PathBuf::from("bom.json")));
        assert_eq!(one("table").unwrap().file, None);
        assert_eq!(one("json=-").unwrap().file, None, "`-` is stdout");
        assert!(one("yaml").is_err());
        assert!(one("json=").is_err());
        assert!(OutputSpec::parse_all(&["json".into(), "table".into()]).is_err());
        assert_eq!(OutputSpec::parse_all(&[]).unwrap()[0].format, Format::Table);
    }
}
