//! The questions: where is X used, which licenses, which violations since when, what
//! changed between two runs, and the scorecard.
//!
//! Every query reads one run (the newest finished one unless asked otherwise) and touches
//! only that run's rows through indexes, so a database holding a year of nightly runs
//! answers as fast as one holding a single run.

use crate::db::{vals, Row};
use crate::render::Table;
use crate::{Error, RunId, Store};
use bomscout_core::vuln::VulnSeverity;
use bomscout_policy::{compare_versions, in_range, parse_range, scheme_of_purl_type, Date};
use serde::Serialize;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};

/// `where PURL-OR-NAME [--version RANGE]`: every repository and file using a package,
/// with its repository's OpenSSF Scorecard when `--enrich` found one.
///
/// A purl (`pkg:maven/org.apache.logging.log4j/log4j-core`) matches that package, with or
/// without a version; a bare name matches a component's name with or without its namespace
/// (`log4j-core` finds `org.apache.logging.log4j/log4j-core`), case-insensitively.
pub fn where_used(
    store: &Store,
    run: RunId,
    package: &str,
    range: Option<&str>,
) -> Result<Table, Error> {
    let range = parse_range(range.unwrap_or("")).map_err(Error::Query)?;
    // The argument is a name or purl, not a pattern: LIKE's wildcards in it (`%`, `_`)
    // are escaped, so `pkg:npm/%` matches no package rather than every one.
    let (condition, a, b) = match package.strip_prefix("pkg:") {
        Some(rest) => {
            let rest = rest.split(['?', '#']).next().unwrap_or(rest);
            let base = format!("pkg:{}", rest.trim_end_matches('/'));
            if rest.contains('@') {
                (
                    "c.purl = ?2 OR c.purl LIKE ?3 ESCAPE '\\'",
                    base.clone(),
                    format!("{}?%", like_literal(&base)),
                )
            } else {
                (
                    "c.purl LIKE ?2 ESCAPE '\\' OR c.purl = ?3",
                    format!("{}@%", like_literal(&base)),
                    base,
                )
            }
        }
        None => (
            "c.name = ?2 COLLATE NOCASE OR c.name LIKE ?3 ESCAPE '\\'",
            package.to_string(),
            format!("%/{}", like_literal(package)),
        ),
    };
    let sql = format!(
        "SELECT r.path, bc.location, c.purl, c.version, bc.scope, bc.license, bc.scorecard
         FROM components c
         JOIN bom_components bc ON bc.component_id = c.id
         JOIN scans s ON s.bom_id = bc.bom_id AND s.run_id = ?1
         JOIN repositories r ON r.id = s.repo_id
         WHERE {condition}
         ORDER BY r.path, c.purl"
    );
    let mut table = Table::new(&[
        "repository",
        "path",
        "purl",
        "version",
        "scope",
        "license",
        "scorecard",
    ]);
    let rows = store.db().query(&sql, &vals![run, a, b])?;
    for r in &rows {
        let version: Option<String> = r.get(3)?;
        if !range.is_empty() {
            let purl: String = r.get(2)?;
            let ty = purl
                .strip_prefix("pkg:")
                .and_then(|p| p.split('/').next())
                .unwrap_or("");
            let scheme = scheme_of_purl_type(ty);
            if !version
                .as_deref()
                .is_some_and(|v| in_range(scheme, &range, v))
            {
                continue;
            }
        }
        table.rows.push(vec![
            json!(r.get::<String>(0)?),
            json!(r.get::<Option<String>>(1)?),
            json!(r.get::<String>(2)?),
            json!(version),
            json!(r.get::<String>(4)?),
            json!(r.get::<Option<String>>(5)?),
            json!(r.get::<Option<f64>>(6)?.map(score)),
        ]);
    }
    Ok(table)
}

/// A score to one decimal, as the scorecard shows it (stored as REAL from an `f32`).
fn score(s: f64) -> f64 {
    (s * 10.0).round() / 10.0
}

/// `health [--below SCORE]`: every distinct package of the run with what `--enrich` found
/// (OpenSSF Scorecard, source repository, archived, latest release, supplier) and in how
/// many repositories it is used, lowest score first; `below` keeps those scoring under it.
/// Packages nothing is known of are left out (the scorecard counts them).
pub fn health(store: &Store, run: RunId, below: Option<f64>) -> Result<Table, Error> {
    let rows = store.db().query(
        "SELECT c.purl, min(bc.scorecard), max(bc.repository), max(bc.archived),
                max(bc.latest_release), max(bc.supplier), count(DISTINCT s.repo_id)
         FROM scans s
         JOIN bom_components bc ON bc.bom_id = s.bom_id
         JOIN components c ON c.id = bc.component_id
         WHERE s.run_id = ?1
           AND (bc.scorecard IS NOT NULL OR bc.repository IS NOT NULL
                OR bc.archived IS NOT NULL OR bc.latest_release IS NOT NULL
                OR bc.supplier IS NOT NULL)
         GROUP BY c.purl
         HAVING CAST(?2 AS DOUBLE PRECISION) IS NULL OR min(bc.scorecard) < ?2
         ORDER BY min(bc.scorecard) IS NULL, min(bc.scorecard), c.purl",
        &vals![run, below],
    )?;
    let mut table = Table::new(&[
        "purl",
        "scorecard",
        "repository",
        "archived",
        "latest-release",
        "supplier",
        "repositories",
    ]);
    for r in &rows {
        table.rows.push(vec![
            json!(r.get::<String>(0)?),
            json!(r.get::<Option<f64>>(1)?.map(score)),
            json!(r.get::<Option<String>>(2)?),
            json!(r.get::<Option<bool>>(3)?),
            json!(r.get::<Option<String>>(4)?),
            json!(r.get::<Option<String>>(5)?),
            json!(r.get::<i64>(6)?),
        ]);
    }
    Ok(table)
}

/// The run's OpenSSF Scorecards over distinct packages, for the scorecard page.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct HealthSummary {
    /// Distinct packages with a score.
    pub scored: i64,
    /// Distinct packages without one (not enriched, no repository known, or not scored).
    pub unscored: i64,
    /// Packages per score band: `0-2`, `2-4`, `4-6`, `6-8`, `8-10` (a band holds its lower
    /// bound; 10 is in `8-10`).
    pub distribution: Vec<(String, i64)>,
    /// The lowest-scored packages (at most [`LOWEST`]), lowest first.
    pub lowest: Vec<LowScore>,
    /// Distinct packages whose repository is archived.
    pub archived: i64,
}

/// How many of the lowest-scored packages the summary keeps.
pub const LOWEST: usize = 10;

/// One of the lowest-scored packages.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LowScore {
    /// Its purl.
    pub purl: String,
    /// Its repository's score.
    pub scorecard: f64,
    /// The repository.
    pub repository: Option<String>,
    /// In how many repositories of the organization it is used.
    pub repositories: i64,
}

/// The [`HealthSummary`] of `run`.
pub fn health_summary(store: &Store, run: RunId) -> Result<HealthSummary, Error> {
    let mut out = HealthSummary::default();
    let r = store.db().query_one(
        "SELECT count(*) FILTER (WHERE score IS NOT NULL),
                count(*) FILTER (WHERE score IS NULL),
                count(*) FILTER (WHERE archived = 1)
         FROM (SELECT min(bc.scorecard) AS score, max(bc.archived) AS archived
               FROM scans s JOIN bom_components bc ON bc.bom_id = s.bom_id
               WHERE s.run_id = ?1 GROUP BY bc.component_id) AS t",
        &vals![run],
    )?;
    let (scored, unscored, archived): (i64, i64, i64) = (r.get(0)?, r.get(1)?, r.get(2)?);
    out.scored = scored;
    out.unscored = unscored;
    out.archived = archived;
    let mut bands = [0i64; 5];
    let rows = store.db().query(
        "SELECT min(bc.scorecard) FROM scans s JOIN bom_components bc ON bc.bom_id = s.bom_id
         WHERE s.run_id = ?1 AND bc.scorecard IS NOT NULL GROUP BY bc.component_id",
        &vals![run],
    )?;
    for r in &rows {
        let band = (r.get::<f64>(0)?.clamp(0.0, 10.0) / 2.0).floor() as usize;
        bands[band.min(4)] += 1;
    }
    out.distribution = ["0-2", "2-4", "4-6", "6-8", "8-10"]
        .iter()
        .zip(bands)
        .map(|(l, n)| (l.to_string(), n))
        .collect();
    let table = health(store, run, None)?;
    out.lowest = table
        .rows
        .iter()
        .filter_map(|r| {
            Some(LowScore {
                purl: r[0].as_str()?.to_string(),
                scorecard: r[1].as_f64()?,
                repository: r[2].as_str().map(str::to_string),
                repositories: r[6].as_i64().unwrap_or(0),
            })
        })
        .take(LOWEST)
        .collect();
    Ok(out)
}

/// `s` as a LIKE pattern that matches only itself: the wildcards `%` and `_` and the
/// escape character `\` are escaped (the statement says `ESCAPE '\'`).
fn like_literal(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 4);
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// `licenses [--category C]`: every license in the run, its category, how many distinct
/// components carry it and in how many repositories, and which ones.
pub fn licenses(store: &Store, run: RunId, category: Option<&str>) -> Result<Table, Error> {
    let rows = store.db().query(
        "SELECT * FROM (
           SELECT coalesce(bc.license, '(none)') AS license,
                  CASE WHEN bc.license IS NULL THEN 'none' ELSE coalesce(bc.category, 'unknown') END AS category,
                  count(DISTINCT bc.component_id) AS components, count(DISTINCT s.repo_id) AS repos,
                  group_concat(DISTINCT r.path) AS paths
           FROM scans s
           JOIN bom_components bc ON bc.bom_id = s.bom_id
           JOIN repositories r ON r.id = s.repo_id
           WHERE s.run_id = ?1
           GROUP BY 1, 2) AS t
         WHERE CAST(?2 AS TEXT) IS NULL OR category = ?2
         ORDER BY 3 DESC, 1", &vals![run, category])?;
    let mut table = Table::new(&[
        "license",
        "category",
        "components",
        "repositories",
        "repository-list",
    ]);
    for r in &rows {
        let list: String = r.get::<Option<String>>(4)?.unwrap_or_default();
        let mut repos: Vec<&str> = list.split(',').collect();
        repos.sort_unstable();
        table.rows.push(vec![
            json!(r.get::<String>(0)?),
            json!(r.get::<String>(1)?),
            json!(r.get::<i64>(2)?),
            json!(r.get::<i64>(3)?),
            json!(repos.join(" ")),
        ]);
    }
    Ok(table)
}

/// `violations [--since DATE]`: the run's review and deny verdicts by repository, each
/// with the run it first appeared in (for that repository).
pub fn violations(store: &Store, run: RunId, since: Option<Date>) -> Result<Table, Error> {
    let since = since.map(unix_of);
    let rows = store.db().query(
        "SELECT r.path, c.purl, v.license, v.action, v.rule, v.reason,
                f.first_run_id, fr.label, f.first_seen
         FROM scans s
         JOIN verdicts v ON v.set_id = s.verdict_set_id
         JOIN components c ON c.id = v.component_id
         JOIN repositories r ON r.id = s.repo_id
         LEFT JOIN violation_first_seen f
           ON f.repo_id = s.repo_id AND f.component_id = v.component_id AND f.action = v.action
         LEFT JOIN runs fr ON fr.id = f.first_run_id
         WHERE s.run_id = ?1 AND (CAST(?2 AS BIGINT) IS NULL OR f.first_seen >= ?2)
         ORDER BY r.path, v.action DESC, c.purl",
        &vals![run, since],
    )?;
    let mut table = Table::new(&[
        "repository",
        "purl",
        "license",
        "verdict",
        "rule",
        "reason",
        "first-run",
        "first-seen",
    ]);
    for r in &rows {
        let first_seen: Option<i64> = r.get(8)?;
        table.rows.push(vec![
            json!(r.get::<String>(0)?),
            json!(r.get::<String>(1)?),
            json!(r.get::<String>(2)?),
            json!(r.get::<String>(3)?),
            json!(r.get::<String>(4)?),
            json!(r.get::<String>(5)?),
            json!(r.get::<Option<i64>>(6)?),
            json!(first_seen.map(|t| Date::from_unix(t).to_string())),
        ]);
    }
    Ok(table)
}

/// `vulns [--severity LEVEL] [--id ID]`: every known vulnerability of the run, once per
/// repository and package, with where it was found and whether only development needs it.
///
/// `--severity` keeps that level and worse; `unknown` (no rating published) is not on that
/// scale and is shown only when asked for by name. `--id` finds a vulnerability by any of
/// its ids (`CVE-2021-44228` finds the GHSA that aliases it), case-insensitively.
///
/// A run that was not matched against advisories is an error, never an empty answer.
pub fn vulns(
    store: &Store,
    run: RunId,
    severity: Option<VulnSeverity>,
    id: Option<&str>,
) -> Result<Table, Error> {
    matched(store, run)?;
    let rows = store.db().query(
        "SELECT a.vuln_id, a.aliases, a.severity, a.score, c.purl, c.version, f.fixed,
                r.path, bc.location, bc.scope, f.suppressed
         FROM findings f
         JOIN advisories a ON a.id = f.advisory_id
         JOIN components c ON c.id = f.component_id
         JOIN scans s ON s.run_id = f.run_id
         JOIN bom_components bc ON bc.bom_id = s.bom_id AND bc.component_id = f.component_id
         JOIN repositories r ON r.id = s.repo_id
         WHERE f.run_id = ?1
           AND (CAST(?2 AS TEXT) IS NULL OR f.advisory_id IN
                (SELECT advisory_id FROM advisory_ids WHERE alias = ?2))",
        &vals![run, id],
    )?;
    let mut found: Vec<(u8, Vec<Value>)> = Vec::new();
    for r in &rows {
        let level: String = r.get(2)?;
        let level = VulnSeverity::from_label(&level).unwrap_or_default();
        let keep = match severity {
            None => true,
            Some(VulnSeverity::Unknown) => level == VulnSeverity::Unknown,
            Some(min) => level != VulnSeverity::Unknown && level >= min,
        };
        if !keep {
            continue;
        }
        let scope: String = r.get(9)?;
        found.push((
            severity_rank(level),
            vec![
                json!(r.get::<String>(0)?),
                json!(r.get::<String>(1)?),
                json!(level.as_str()),
                json!(r.get::<Option<f64>>(3)?),
                json!(r.get::<String>(4)?),
                json!(r.get::<Option<String>>(5)?),
                json!(r.get::<Option<String>>(6)?),
                json!(r.get::<String>(7)?),
                json!(r.get::<Option<String>>(8)?),
                json!(scope),
                json!(scope == "dev"),
                json!(r.get::<Option<String>>(10)?),
            ],
        ));
    }
    // The worst first; then by id, repository, package.
    found.sort_by(|a, b| {
        a.0.cmp(&b.0)
            .then_with(|| text_of(&a.1[0]).cmp(text_of(&b.1[0])))
            .then_with(|| text_of(&a.1[7]).cmp(text_of(&b.1[7])))
            .then_with(|| text_of(&a.1[4]).cmp(text_of(&b.1[4])))
    });
    let mut table = Table::new(&[
        "id",
        "aliases",
        "severity",
        "score",
        "package",
        "version",
        "fixed",
        "repository",
        "path",
        "scope",
        "dev-only",
        "suppressed",
    ]);
    table.rows = found.into_iter().map(|(_, row)| row).collect();
    Ok(table)
}

fn text_of(v: &Value) -> &str {
    v.as_str().unwrap_or("")
}

/// 0 for critical, up to 5 for unknown: the order findings are listed in.
fn severity_rank(level: VulnSeverity) -> u8 {
    VulnSeverity::ALL
        .iter()
        .position(|l| *l == level)
        .unwrap_or(VulnSeverity::ALL.len()) as u8
}

/// What `run` was matched against, or an error saying how to match it.
fn matched(store: &Store, run: RunId) -> Result<String, Error> {
    store.advisories_of_run(run)?.ok_or_else(|| {
        Error::Query(format!(
            "run {run} was not matched against advisories, so it knows no vulnerability \
             (which is not the same as none): run `bomscout inventory --advisories`, or \
             `bomscout inventory rematch --db FILE` to match the stored components of the \
             newest run without scanning again"
        ))
    })
}

/// (repository, advisory id, purl, version) of every finding of a run that counts.
type Finding = (String, String, String, Option<String>);
type Findings = BTreeSet<Finding>;

fn findings_of(store: &Store, run: RunId) -> Result<Findings, Error> {
    let rows = store.db().query(
        "SELECT r.path, a.vuln_id, c.purl, c.version
         FROM findings f
         JOIN advisories a ON a.id = f.advisory_id
         JOIN components c ON c.id = f.component_id
         JOIN scans s ON s.run_id = f.run_id
         JOIN bom_components bc ON bc.bom_id = s.bom_id AND bc.component_id = f.component_id
         JOIN repositories r ON r.id = s.repo_id
         WHERE f.run_id = ?1 AND f.suppressed IS NULL",
        &vals![run],
    )?;
    rows.iter()
        .map(|r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .collect()
}

fn unix_of(d: Date) -> i64 {
    d.to_unix()
}

/// A package's state in one repository's SBOM: versions and their licenses.
type Packages = BTreeMap<(String, String), BTreeMap<String, Option<String>>>;

/// `diff --from RUN --to RUN`: per repository, packages added, removed, upgraded or
/// downgraded (same name, other version), and license changes at the same version.
/// Repositories whose stored SBOM is the same in both runs are skipped without reading it.
///
/// When both runs were matched against advisories, the vulnerabilities too:
/// `vulnerability-introduced` (found in `to`, not in `from`: a new package version, or a new
/// advisory for an unchanged one) and `vulnerability-fixed` (gone), per repository, package
/// and advisory id (the `advisory` column). Suppressed findings do not count.
pub fn diff(store: &Store, from: RunId, to: RunId) -> Result<Table, Error> {
    let before = run_boms(store, from)?;
    let after = run_boms(store, to)?;
    let mut table = Table::new(&[
        "repository",
        "change",
        "package",
        "from-version",
        "to-version",
        "from-license",
        "to-license",
        "advisory",
    ]);
    let repos: BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    for repo in repos {
        let (a, b) = (
            before.get(repo).copied().flatten(),
            after.get(repo).copied().flatten(),
        );
        if a == b {
            continue;
        }
        if a.is_none() || b.is_none() {
            let change = if a.is_none() {
                "repository-added"
            } else {
                "repository-removed"
            };
            table.rows.push(vec![
                json!(repo),
                json!(change),
                Value::Null,
                Value::Null,
                Value::Null,
                Value::Null,
                Value::Null,
                Value::Null,
            ]);
        }
        diff_repo(repo, &packages(store, a)?, &packages(store, b)?, &mut table);
    }
    if store.advisories_of_run(from)?.is_some() && store.advisories_of_run(to)?.is_some() {
        let (old, new) = (findings_of(store, from)?, findings_of(store, to)?);
        let mut changes: Vec<(&str, &Finding)> = new
            .difference(&old)
            .map(|f| ("vulnerability-introduced", f))
            .chain(old.difference(&new).map(|f| ("vulnerability-fixed", f)))
            .collect();
        changes.sort_by(|a, b| {
            (&a.1 .0, &a.1 .2, &a.1 .1, a.0).cmp(&(&b.1 .0, &b.1 .2, &b.1 .1, b.0))
        });
        for (change, (repo, id, purl, version)) in changes {
            let (fv, tv) = if change == "vulnerability-fixed" {
                (json!(version), Value::Null)
            } else {
                (Value::Null, json!(version))
            };
            table.rows.push(vec![
                json!(repo),
                json!(change),
                json!(purl),
                fv,
                tv,
                Value::Null,
                Value::Null,
                json!(id),
            ]);
        }
    }
    Ok(table)
}

fn diff_repo(repo: &str, old: &Packages, new: &Packages, table: &mut Table) {
    let empty = BTreeMap::new();
    let names: BTreeSet<&(String, String)> = old.keys().chain(new.keys()).collect();
    for name in names {
        let o = old.get(name).unwrap_or(&empty);
        let n = new.get(name).unwrap_or(&empty);
        let gone: Vec<(&String, &Option<String>)> =
            o.iter().filter(|(v, _)| !n.contains_key(*v)).collect();
        let came: Vec<(&String, &Option<String>)> =
            n.iter().filter(|(v, _)| !o.contains_key(*v)).collect();
        let mut row = |change: &str,
                       fv: Option<&String>,
                       tv: Option<&String>,
                       fl: Option<&Option<String>>,
                       tl: Option<&Option<String>>| {
            table.rows.push(vec![
                json!(repo),
                json!(change),
                json!(format!("{}:{}", name.0, name.1)),
                json!(fv),
                json!(tv),
                json!(fl.cloned().flatten()),
                json!(tl.cloned().flatten()),
                Value::Null,
            ]);
        };
        if gone.len() == 1 && came.len() == 1 {
            let (fv, fl) = gone[0];
            let (tv, tl) = came[0];
            let up = compare_versions(scheme_of_purl_type(&name.0), fv, tv).is_lt();
            row(
                if up { "upgraded" } else { "downgraded" },
                Some(fv),
                Some(tv),
                Some(fl),
                Some(tl),
            );
        } else {
            for (v, l) in &gone {
                row("removed", Some(v), None, Some(l), None);
            }
            for (v, l) in &came {
                row("added", None, Some(v), None, Some(l));
            }
        }
        for (v, l) in o.iter().filter(|(v, _)| n.contains_key(*v)) {
            let nl = &n[v];
            if l != nl {
                row("license-changed", Some(v), Some(v), Some(l), Some(nl));
            }
        }
    }
}

/// Repository path → stored BOM of its (successful) scan in `run`.
fn run_boms(store: &Store, run: RunId) -> Result<BTreeMap<String, Option<i64>>, Error> {
    let rows = store.db().query(
        "SELECT r.path, s.bom_id FROM scans s JOIN repositories r ON r.id = s.repo_id
         WHERE s.run_id = ?1",
        &vals![run],
    )?;
    rows.iter().map(|r| Ok((r.get(0)?, r.get(1)?))).collect()
}

fn packages(store: &Store, bom: Option<i64>) -> Result<Packages, Error> {
    let mut out = Packages::new();
    let Some(bom) = bom else {
        return Ok(out);
    };
    let rows = store.db().query(
        "SELECT c.ecosystem, c.name, coalesce(c.version, c.purl), bc.license
         FROM bom_components bc JOIN components c ON c.id = bc.component_id
         WHERE bc.bom_id = ?1",
        &vals![bom],
    )?;
    for r in &rows {
        out.entry((r.get(0)?, r.get(1)?))
            .or_default()
            .insert(r.get(2)?, r.get(3)?);
    }
    Ok(out)
}

/// One repository's line of the scorecard.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RepoCard {
    /// Repository path.
    pub repository: String,
    /// Checked-out commit.
    pub commit: Option<String>,
    /// Checked-out branch.
    pub branch: Option<String>,
    /// False if the scan failed.
    pub ok: bool,
    /// Why it failed.
    pub error: Option<String>,
    /// The numbers.
    #[serde(flatten)]
    pub numbers: Numbers,
    /// The same numbers in the previous run, when the repository was in it.
    pub previous: Option<Numbers>,
}

/// The scorecard's numbers, for a repository or the organization.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Numbers {
    /// Third-party components (per repository; the organization's are distinct packages).
    pub components: i64,
    /// Percent of components with a license statement.
    pub pct_licensed: f64,
    /// Percent whose license is a valid SPDX expression.
    pub pct_spdx: f64,
    /// Policy verdicts; `None` when no policy was applied.
    pub allow: Option<i64>,
    /// Review verdicts.
    pub review: Option<i64>,
    /// Deny verdicts.
    pub deny: Option<i64>,
    /// Exceptions of the policy that have expired.
    pub expired_exceptions: Option<i64>,
    /// First-party projects.
    pub projects: i64,
    /// Percent of projects pinned by a lockfile or installed tree.
    pub pct_locked: f64,
    /// Percent of NTIA minimum elements present over all components.
    pub pct_ntia: f64,
    /// Files that could not be used.
    pub errors: i64,
    /// Distinct known vulnerabilities (not suppressed); `None` when the run was not matched
    /// against advisories (or the scan failed).
    pub vulnerabilities: Option<i64>,
    /// Those of them rated critical or high.
    pub vulns_critical_high: Option<i64>,
}

/// The scorecard of a run: every repository, the organization, and the previous run's.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scorecard {
    /// The run.
    pub run: RunId,
    /// Its label.
    pub label: String,
    /// The previous finished run it is compared with.
    pub previous_run: Option<RunId>,
    /// Organization-wide numbers.
    pub org: Numbers,
    /// The organization in the previous run.
    pub org_previous: Option<Numbers>,
    /// Repositories, by path.
    pub repositories: Vec<RepoCard>,
    /// The OpenSSF Scorecards of the run's packages.
    pub health: HealthSummary,
}

/// Computes the scorecard of `run`.
pub fn scorecard(store: &Store, run: RunId) -> Result<Scorecard, Error> {
    let r = store.db().query_one(
        "SELECT label, started_at FROM runs WHERE id = ?1",
        &vals![run],
    )?;
    let (label, started): (String, i64) = (r.get(0)?, r.get(1)?);
    let previous_run: Option<RunId> = store
        .db()
        .query_opt(
            "SELECT id FROM runs WHERE finished_at IS NOT NULL AND id != ?1
               AND (started_at < ?2 OR (started_at = ?2 AND id < ?1))
             ORDER BY started_at DESC, id DESC LIMIT 1",
            &vals![run, started],
        )?
        .map(|r| r.get(0))
        .transpose()?;
    let now = cards(store, run)?;
    let before = match previous_run {
        Some(p) => cards(store, p)?,
        None => BTreeMap::new(),
    };
    let repositories = now
        .into_iter()
        .map(|(path, mut card)| {
            card.previous = before.get(&path).map(|c| c.numbers);
            card
        })
        .collect();
    Ok(Scorecard {
        run,
        label,
        previous_run,
        org: org_numbers(store, run)?,
        org_previous: previous_run.map(|p| org_numbers(store, p)).transpose()?,
        repositories,
        health: health_summary(store, run)?,
    })
}

const SCAN_COLUMNS: &str = "s.components, s.with_license, s.with_spdx, s.allow, s.review,
    s.deny, s.expired_exceptions, s.projects, s.manifests_unlocked, s.ntia_checked,
    s.ntia_missing, s.errors";

fn numbers(r: &Row, at: usize) -> Result<Numbers, Error> {
    let components: i64 = r.get(at)?;
    let projects: i64 = r.get(at + 7)?;
    Ok(Numbers {
        components,
        pct_licensed: pct(r.get(at + 1)?, components),
        pct_spdx: pct(r.get(at + 2)?, components),
        allow: r.get(at + 3)?,
        review: r.get(at + 4)?,
        deny: r.get(at + 5)?,
        expired_exceptions: r.get(at + 6)?,
        projects,
        pct_locked: pct(projects - r.get::<i64>(at + 8)?, projects),
        pct_ntia: pct(
            r.get::<i64>(at + 9)? - r.get::<i64>(at + 10)?,
            r.get(at + 9)?,
        ),
        errors: r.get(at + 11)?,
        vulnerabilities: None,
        vulns_critical_high: None,
    })
}

/// Per repository path: (vulnerabilities, critical or high), for a matched run; repositories
/// without any are absent.
fn vuln_counts(store: &Store, run: RunId) -> Result<BTreeMap<String, (i64, i64)>, Error> {
    let rows = store.db().query(
        "SELECT r.path, count(DISTINCT a.vuln_id),
                count(DISTINCT CASE WHEN a.severity IN ('critical', 'high') THEN a.vuln_id END)
         FROM scans s
         JOIN bom_components bc ON bc.bom_id = s.bom_id
         JOIN findings f ON f.component_id = bc.component_id AND f.run_id = s.run_id
         JOIN advisories a ON a.id = f.advisory_id
         JOIN repositories r ON r.id = s.repo_id
         WHERE s.run_id = ?1 AND f.suppressed IS NULL
         GROUP BY r.path",
        &vals![run],
    )?;
    rows.iter()
        .map(|r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?))))
        .collect()
}

fn cards(store: &Store, run: RunId) -> Result<BTreeMap<String, RepoCard>, Error> {
    let sql = format!(
        "SELECT r.path, s.commit_sha, s.branch, s.ok, s.error, {SCAN_COLUMNS}
         FROM scans s JOIN repositories r ON r.id = s.repo_id WHERE s.run_id = ?1"
    );
    let rows = store.db().query(&sql, &vals![run])?;
    let rows = rows.iter().map(|r| -> Result<RepoCard, Error> {
        Ok(RepoCard {
            repository: r.get(0)?,
            commit: r.get(1)?,
            branch: r.get(2)?,
            ok: r.get(3)?,
            error: r.get(4)?,
            numbers: numbers(r, 5)?,
            previous: None,
        })
    });
    let mut out = BTreeMap::new();
    for card in rows {
        let card = card?;
        out.insert(card.repository.clone(), card);
    }
    if store.advisories_of_run(run)?.is_some() {
        let counts = vuln_counts(store, run)?;
        for card in out.values_mut().filter(|c| c.ok) {
            let (all, bad) = counts.get(&card.repository).copied().unwrap_or((0, 0));
            card.numbers.vulnerabilities = Some(all);
            card.numbers.vulns_critical_high = Some(bad);
        }
    }
    Ok(out)
}

/// Organization numbers: sums over repositories, except components, which are distinct
/// packages across the organization (one package in 300 repositories is one component).
fn org_numbers(store: &Store, run: RunId) -> Result<Numbers, Error> {
    // A sum is NUMERIC in PostgreSQL: read back as an integer, as SQLite returns it.
    let sums = SCAN_COLUMNS
        .split(',')
        .map(|c| format!("CAST(sum({}) AS BIGINT)", c.trim()))
        .collect::<Vec<_>>()
        .join(", ");
    let r = store.db().query_one(
        &format!("SELECT {sums} FROM scans s WHERE s.run_id = ?1"),
        &vals![run],
    )?;
    let mut n = if r.get::<Option<i64>>(0)?.is_none() {
        Numbers::default()
    } else {
        numbers(&r, 0)?
    };
    n.components = store
        .db()
        .query_one(
            "SELECT count(DISTINCT bc.component_id) FROM scans s
             JOIN bom_components bc ON bc.bom_id = s.bom_id WHERE s.run_id = ?1",
            &vals![run],
        )?
        .get(0)?;
    if store.advisories_of_run(run)?.is_some() {
        let r = store.db().query_one(
            "SELECT count(DISTINCT a.vuln_id),
                    count(DISTINCT CASE WHEN a.severity IN ('critical', 'high') THEN a.vuln_id END)
             FROM findings f JOIN advisories a ON a.id = f.advisory_id
             WHERE f.run_id = ?1 AND f.suppressed IS NULL",
            &vals![run],
        )?;
        let (all, bad): (i64, i64) = (r.get(0)?, r.get(1)?);
        n.vulnerabilities = Some(all);
        n.vulns_critical_high = Some(bad);
    }
    Ok(n)
}

fn pct(part: i64, whole: i64) -> f64 {
    if whole == 0 {
        100.0
    } else {
        (part as f64 * 1000.0 / whole as f64).round() / 10.0
    }
}

impl Scorecard {
    /// One row per repository plus an `(organization)` row, with the change since the
    /// previous run for components and deny verdicts.
    pub fn table(&self) -> Table {
        let mut t = Table::new(&[
            "repository",
            "scan-succeeded",
            "components",
            "change",
            "licensed-%",
            "spdx-%",
            "allow",
            "review",
            "deny",
            "deny-change",
            "expired-exceptions",
            "locked-%",
            "ntia-%",
            "errors",
            "vulnerabilities",
            "critical-high",
            "vulnerabilities-change",
        ]);
        let row = |name: &str, ok: bool, n: &Numbers, prev: Option<&Numbers>| {
            vec![
                json!(name),
                json!(ok),
                json!(n.components),
                json!(prev.map(|p| n.components - p.components)),
                json!(n.pct_licensed),
                json!(n.pct_spdx),
                json!(n.allow),
                json!(n.review),
                json!(n.deny),
                json!(prev.and_then(|p| Some(n.deny? - p.deny?))),
                json!(n.expired_exceptions),
                json!(n.pct_locked),
                json!(n.pct_ntia),
                json!(n.errors),
                json!(n.vulnerabilities),
                json!(n.vulns_critical_high),
                json!(prev.and_then(|p| Some(n.vulnerabilities? - p.vulnerabilities?))),
            ]
        };
        for r in &self.repositories {
            t.rows
                .push(row(&r.repository, r.ok, &r.numbers, r.previous.as_ref()));
        }
        t.rows.push(row(
            "(organization)",
            true,
            &self.org,
            self.org_previous.as_ref(),
        ));
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rusqlite::params;

    /// A store with one finished run of one repository using `purls` (`pkg:T/NAME@V`).
    fn store_with(purls: &[&str]) -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("i.db")).unwrap();
        let conn = store.conn();
        conn.execute_batch(
            "INSERT INTO runs (id, label, started_at, finished_at, tool_version)
               VALUES (1, 'r', 0, 1, 't');
             INSERT INTO repositories (id, name, path) VALUES (1, 'a', 'org/a');
             INSERT INTO boms (id, digest, cyclonedx) VALUES (1, 'd', x'');
             INSERT INTO scans (run_id, repo_id, scanned_at, ok, bom_id, duration_ms,
                 components, with_license, with_spdx, projects, manifests_unlocked,
                 ntia_checked, ntia_missing, errors, warnings)
               VALUES (1, 1, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);",
        )
        .unwrap();
        for purl in purls {
            let (name, version) = purl.rsplit_once('@').unwrap();
            let name = name.rsplit_once('/').unwrap().1;
            conn.execute(
                "INSERT INTO components (purl, ecosystem, name, version) VALUES (?1, 'npm', ?2, ?3)",
                params![purl, name, version],
            )
            .unwrap();
            conn.execute(
                "INSERT INTO bom_components (bom_id, component_id, scope, spdx)
                 VALUES (1, last_insert_rowid(), 'required', 1)",
                [],
            )
            .unwrap();
        }
        (dir, store)
    }

    fn found(store: &Store, package: &str) -> Vec<String> {
        where_used(store, 1, package, None)
            .unwrap()
            .rows
            .iter()
            .map(|r| crate::render::text(&r[2]))
            .collect()
    }

    #[test]
    fn like_wildcards_in_the_argument_are_literal() {
        let (_dir, store) = store_with(&[
            "pkg:npm/left-pad@1.0.0",
            "pkg:npm/typing_extensions@4.0.0",
            "pkg:npm/typingXextensions@4.0.0",
            "pkg:npm/50%25off@1.0.0",
        ]);
        assert!(found(&store, "pkg:npm/%").is_empty());
        assert!(found(&store, "%").is_empty());
        assert!(found(&store, "pkg:npm/_eft-pad").is_empty());
        assert_eq!(
            found(&store, "typing_extensions"),
            ["pkg:npm/typing_extensions@4.0.0"]
        );
        assert_eq!(
            found(&store, "pkg:npm/typing_extensions"),
            ["pkg:npm/typing_extensions@4.0.0"]
        );
        assert!(found(&store, "pkg:npm/typing\\_extensions").is_empty());
        // What worked before still works: a purl with or without version, a bare name.
        assert_eq!(
            found(&store, "pkg:npm/left-pad"),
            ["pkg:npm/left-pad@1.0.0"]
        );
        assert_eq!(
            found(&store, "pkg:npm/left-pad@1.0.0"),
            ["pkg:npm/left-pad@1.0.0"]
        );
        assert_eq!(found(&store, "LEFT-PAD"), ["pkg:npm/left-pad@1.0.0"]);
    }
}
