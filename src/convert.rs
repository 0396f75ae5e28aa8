//! `bomscout convert` and `bomscout merge`: SBOM documents in, any format out.

use crate::cli::{ConvertArgs, MergeArgs, OutputArgs, OutputSpec, Verbosity};
use crate::scan::{check_ntia, report_diagnostics, write_all};
use anyhow::{bail, Context};
use bomscout_catalog::sbom;
use bomscout_catalog::{Input, Options};
use bomscout_core::Catalog;
use std::io::Read;
use std::path::Path;
use std::process::ExitCode;

/// Reads one document and writes it in the requested formats.
pub fn convert(args: &ConvertArgs) -> anyhow::Result<ExitCode> {
    let (catalog, name) = read(&args.input)?;
    let name = name.unwrap_or_else(|| stem(&args.input));
    finish(name, vec![catalog], &args.out, args.verbosity)
}

/// Reads several documents, merges them by purl, and writes the result.
///
/// Each document's paths (project directories, locations) are prefixed with its subject's
/// name, so two repositories' `.` projects stay two projects and every occurrence says
/// which repository it is in.
pub fn merge(args: &MergeArgs) -> anyhow::Result<ExitCode> {
    let mut seen = std::collections::HashMap::new();
    let mut catalogs = Vec::new();
    for path in &args.inputs {
        let (mut catalog, name) = read(path)?;
        let name = name.unwrap_or_else(|| stem(path));
        let n = seen.entry(name.clone()).or_insert(0usize);
        *n += 1;
        let prefix = if *n == 1 { name } else { format!("{name}-{n}") };
        prefix_paths(&mut catalog, &prefix);
        catalogs.push(catalog);
    }
    finish(args.name.clone(), catalogs, &args.out, args.verbosity)
}

/// Prefixes every project directory, manifest and location of `catalog` with `prefix`.
pub fn prefix_paths(catalog: &mut Catalog, prefix: &str) {
    let join = |p: &str| {
        if p == "." {
            prefix.to_string()
        } else {
            format!("{prefix}/{p}")
        }
    };
    for p in &mut catalog.projects {
        p.dir = join(&p.dir);
        p.manifest = join(&p.manifest);
    }
    for p in &mut catalog.packages {
        let locations = std::mem::take(&mut p.component.locations);
        p.component.locations = locations
            .into_iter()
            .map(|l| bomscout_core::Location {
                path: join(&l.path).into(),
                line: l.line,
            })
            .collect();
    }
}

fn finish(
    name: String,
    catalogs: Vec<Catalog>,
    out: &OutputArgs,
    verbosity: Verbosity,
) -> anyhow::Result<ExitCode> {
    let outputs = OutputSpec::parse_all(&out.outputs)?;
    let sbom = bomscout_pipeline::assemble(name, catalogs);
    report_diagnostics(&sbom.diagnostics, verbosity, false);
    write_all(&outputs, &sbom, out)?;
    Ok(if check_ntia(&sbom, out) {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    })
}

/// The bytes of a document the user named: `-` is stdin (`bomscout scan . -o json=- |
/// bomscout convert - ...`). Pipes and process substitutions are fine here, since the user
/// asked for them; the size is bounded like every scanned file.
pub(crate) fn read_document(path: &Path) -> anyhow::Result<Vec<u8>> {
    let limit = Options::default().max_file_size;
    let mut bytes = Vec::new();
    let read = if path.as_os_str() == "-" {
        std::io::stdin()
            .lock()
            .take(limit + 1)
            .read_to_end(&mut bytes)
    } else {
        std::fs::File::open(path).and_then(|f| f.take(limit + 1).read_to_end(&mut bytes))
    };
    read.with_context(|| format!("cannot read {}", path.display()))?;
    if bytes.len() as u64 > limit {
        bail!("{}: larger than {limit} bytes", path.display());
    }
    Ok(bytes)
}

/// One document as a catalog, and the name of its subject. Any format bomscout writes is
/// read, recognized by its content (a file name says nothing about stdin).
pub fn read(path: &Path) -> anyhow::Result<(Catalog, Option<String>)> {
    parse(&read_document(path)?, path)
}

/// [`read`] of bytes already read from `path`.
pub(crate) fn parse(bytes: &[u8], path: &Path) -> anyhow::Result<(Catalog, Option<String>)> {
    let shown = if path.as_os_str() == "-" {
        "<stdin>".to_string()
    } else {
        path.display().to_string()
    };
    let options = Options::default();
    let input = Input {
        bytes,
        shared_path: &bomscout_core::SharedStr::from(shown.as_str()),
        abs: path,
        root: std::path::Path::new("/"),
        options: &options,
        tree: &bomscout_catalog::DISK,
    };
    match sbom::read(&input) {
        Ok(doc) => Ok((doc.catalog, doc.name)),
        Err(e) => {
            let at = e.line().map(|l| format!(":{l}")).unwrap_or_default();
            bail!("cannot read {shown}{at}: {e}")
        }
    }
}

fn stem(path: &Path) -> String {
    if path.as_os_str() == "-" {
        return "sbom".to_string();
    }
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "sbom".to_string())
}
